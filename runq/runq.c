/*
 * Copyright (c) 2026 The upas-smtp authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * runq: deliver the entries of smtpd's queue, as Plan 9's runq does with
 * /mail/queue.  One process per entry, holding the entry's lock (flock(2)
 * on ID.d), up to -n entries at once; each recipient's outcome is written
 * to the entry as soon as it is known.  Run from cron or a systemd timer,
 * and by smtpd, detached, for the entry it has just queued.
 *
 *	runq [-f] [-C file] [-n n] [ID ...]	deliver what is due (-f: all)
 *	runq -s [-C file] ID			as smtpd starts it (below)
 *	runq -l [-C file]			list the queue
 *	runq -d ID [-C file]			delete an entry
 *
 * -s: a burst of mail must not start a runner per message.  At most
 * maxrunq (smtpd.conf) runners started by smtpd run at once, each holding
 * one of the slots: flock(2) on .runq.0 ... in the queue directory (the
 * scan skips dot files), released by the kernel however runq ends.  One
 * that finds no slot free exits at once, and smtpd does not even start
 * one then (qf_slot).  A runner delivers its entry, then every entry
 * that is due and that it has not looked at yet, one at a time, until it
 * finds none; then it lets its slot go and looks once more.  An entry
 * whose runner found no slot was in the queue before some runner let its
 * slot go, and that runner's last look finds it: none is left behind.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "runq.h"

#define RQ_MAXJOBS	64
#define RQ_STALE	86400		/* a half-written file older is removed */

static struct conf	conf;

static void __attribute__((noreturn))
usage(void)
{
	(void)fprintf(stderr, "usage: runq [-fls] [-C file] [-d id] [-n jobs] "
	    "[id ...]\n");
	exit(64);
}

/* Leftovers of a write that was interrupted: tmp.* and a .d without .c. */
static void
clean_stale(struct runq *rq, const char *name)
{
	struct stat	 st;
	char		 c[QF_IDMAX + 8];
	size_t		 n = strlen(name);

	if (fstatat(rq->qfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    rq->now - st.st_mtime < RQ_STALE)
		return;
	if (strncmp(name, "tmp.", 4) != 0) {
		if (n < 3 || n - 2 >= QF_IDMAX || strcmp(name + n - 2, ".d") != 0)
			return;
		(void)snprintf(c, sizeof(c), "%.*s.c", (int)(n - 2), name);
		if (fstatat(rq->qfd, c, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return;
	}
	if (unlinkat(rq->qfd, name, 0) == 0)
		log_info("removed stale %s", name);
}

/* The IDs of the queue, oldest first (the IDs start with the time). */
static int
idcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **
scan(struct runq *rq, size_t *np)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL, **nv;
	size_t		 n = 0, l;
	int		 fd;

	if ((fd = dup(rq->qfd)) == -1 || (d = fdopendir(fd)) == NULL)
		fatal("queue %s", conf.queue);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (strncmp(de->d_name, "tmp.", 4) == 0 ||
		    (l > 2 && strcmp(de->d_name + l - 2, ".d") == 0)) {
			clean_stale(rq, de->d_name);
			continue;
		}
		if (l < 3 || strcmp(de->d_name + l - 2, ".c") != 0)
			continue;
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL)
			fatal("scan");
		v = nv;
		if ((v[n] = strndup(de->d_name, l - 2)) == NULL)
			fatal("scan");
		if (!qf_idok(v[n])) {
			free(v[n]);
			continue;
		}
		n++;
	}
	rewinddir(d);
	(void)closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), idcmp);
	*np = n;
	return v;
}

/* Due: some recipient pending whose retry time has come. */
static int
due(struct runq *rq, const char *id)
{
	struct qent	q;
	char		err[256];
	size_t		i;
	int		yes = 0;

	if (qf_read(rq->qfd, id, &q, err, sizeof(err)) == -1)
		return 0;
	for (i = 0; i < q.n; i++)
		if (q.r[i].state == QR_PENDING && (rq->force ||
		    q.r[i].next <= rq->now))
			yes = 1;
	qf_free(&q);
	return yes;
}

/* Returns how many entries it started. */
static size_t
run(struct runq *rq, char **ids, size_t n, int maxjobs, int all)
{
	size_t	i, started = 0;
	int	running = 0, status;
	pid_t	pid;

	for (i = 0; i < n; i++) {
		if (!all && !due(rq, ids[i]))
			continue;
		started++;
		while (running >= maxjobs) {
			if (wait(&status) == -1 && errno != EINTR)
				break;
			running--;
		}
		switch (pid = fork()) {
		case -1:
			log_warn("fork");
			break;
		case 0:
			_exit(entry_run(rq, ids[i]) == -1 ? 1 : 0);
		default:
			running++;
		}
	}
	while (running > 0 && (wait(&status) != -1 || errno == EINTR))
		running--;
	return started;
}

/* The IDs a -s runner has looked at, sorted for bsearch. */
struct seen {
	char	**v;
	size_t	  n;
};

static int
seen_has(const struct seen *sn, const char *id)
{
	return sn->n > 0 && bsearch(&id, sn->v, sn->n, sizeof(*sn->v),
	    idcmp) != NULL;
}

static void
seen_add(struct seen *sn, char **ids, size_t n)
{
	char	**nv;
	size_t	  i;

	if (n == 0)
		return;
	if ((nv = reallocarray(sn->v, sn->n + n, sizeof(*nv))) == NULL)
		fatal("seen");
	sn->v = nv;
	for (i = 0; i < n; i++)
		if ((sn->v[sn->n++] = strdup(ids[i])) == NULL)
			fatal("seen");
	qsort(sn->v, sn->n, sizeof(*sn->v), idcmp);
}

/*
 * The entries of the queue this runner has not looked at; each is looked
 * at once.  deliver: run those that are due, and return how many; else
 * only count the due ones.
 */
static size_t
sweep(struct runq *rq, struct seen *sn, int deliver)
{
	char	**ids, **fresh;
	size_t	  n, i, k = 0, got = 0;

	rq->now = time(NULL);
	ids = scan(rq, &n);
	if ((fresh = calloc(n + 1, sizeof(*fresh))) == NULL)
		fatal("sweep");
	for (i = 0; i < n; i++)
		if (!seen_has(sn, ids[i]))
			fresh[k++] = ids[i];
	if (deliver) {
		seen_add(sn, fresh, k);
		got = run(rq, fresh, k, 1, 0);
	} else
		for (i = 0; i < k; i++)
			got += due(rq, fresh[i]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(fresh);
	return got;
}

/* -s: one of the runners smtpd starts (see the top of this file). */
static void
burst(struct runq *rq, char **ids, size_t n, int max)
{
	struct seen	sn = { NULL, 0 };
	size_t		i;
	int		slot;

	if ((slot = qf_slot(rq->qfd, max)) == -1) {
		log_debug("all %d runners busy: they take %s", max, ids[0]);
		return;
	}
	seen_add(&sn, ids, n);
	(void)run(rq, ids, n, 1, 1);
	for (;;) {
		while (sweep(rq, &sn, 1) > 0)
			;
		(void)close(slot);
		if (sweep(rq, &sn, 0) == 0 ||
		    (slot = qf_slot(rq->qfd, max)) == -1)
			break;
	}
	for (i = 0; i < sn.n; i++)
		free(sn.v[i]);
	free(sn.v);
}

static void
dropprivs(void)
{
	struct ps_ids	ids;

	if (getuid() != 0 && geteuid() != 0)
		return;
	if (ps_lookup_user(conf.mailuser, &ids) == -1)
		fatal("mail user %s", conf.mailuser);
	ps_setids(&ids);
}

int
main(int argc, char *argv[])
{
	struct runq	 rq;
	const char	*path = SMTPD_CONF, *del = NULL, *errstr;
	char		 err[512], **ids;
	size_t		 n, i;
	int		 ch, list = 0, maxjobs = 4, logfd, rv, sflag = 0;

	memset(&rq, 0, sizeof(rq));
	while ((ch = getopt(argc, argv, "C:d:fln:s")) != -1) {
		switch (ch) {
		case 'C': path = optarg; break;
		case 'd': del = optarg; break;
		case 'f': rq.force = 1; break;
		case 'l': list = 1; break;
		case 's': sflag = 1; break;
		case 'n':
			maxjobs = strtonum(optarg, 1, RQ_MAXJOBS, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (((list || del != NULL) && argc > 0) || (sflag && (argc == 0 ||
	    list || del != NULL)))
		usage();
	log_init("runq", LOG_TO_SYSLOG | (isatty(2) ? LOG_TO_STDERR : 0), 0);
	log_procinit("runq");
	conf_defaults(&conf);
	if (conf_read(&conf, path) == -1)
		exit(78);		/* EX_CONFIG; conf_read said why */
	(void)strlcpy(conf.path, path, sizeof(conf.path));
	rq.conf = &conf;
	(void)signal(SIGPIPE, SIG_IGN);
	dropprivs();
	if (conf.logfile[0] != '\0' && (logfd = open(conf.logfile, O_WRONLY |
	    O_APPEND | O_CREAT | O_CLOEXEC, 0640)) != -1)
		log_setfile(logfd);
	if ((rq.qfd = open(conf.queue, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("queue %s", conf.queue);
	if (conf.routes[0] != '\0' && routes_load(&rq.routes, conf.routes, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	else if (conf.routes[0] == '\0')
		(void)route_parse(&rq.routes.def, "mx");
	rq.now = time(NULL);
	if (del != NULL) {
		rv = entry_delete(&rq, del) == -1 ? 1 : 0;
		routes_free(&rq.routes);
		return rv;
	}
	if (argc > 0) {
		for (i = 0; i < (size_t)argc; i++)
			if (!qf_idok(argv[i]))
				fatalx("bad queue id %s", argv[i]);
		if (sflag)
			burst(&rq, argv, argc, conf.maxrunq);
		else
			(void)run(&rq, argv, argc, maxjobs, 1);
		routes_free(&rq.routes);
		return 0;
	}
	ids = scan(&rq, &n);
	if (list) {
		for (i = 0; i < n; i++)
			entry_list(&rq, ids[i]);
		if (n == 0)
			printf("queue is empty\n");
	} else
		(void)run(&rq, ids, n, maxjobs, rq.force);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	routes_free(&rq.routes);
	return 0;
}
