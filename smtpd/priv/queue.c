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
 * With routes configured, the parent puts each message into the queue
 * directory instead of running the mailer, and the child may answer 250
 * only once the entry is durable: ID.d written and fsynced, ID.c written
 * and fsynced, both renamed into place, the directory fsynced (qfile.c).
 * The parent runs as the mail user here, so the queue belongs to it.
 * Then runq -s is started, detached, for this entry, so that the mail
 * moves within seconds, unless maxrunq runners are at work already: they
 * take this entry when they are done with theirs (runq.c), so a burst of
 * mail does not fork a runner per message.  Cron or a timer runs runq for
 * the retries.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"
#include "../qfile.h"

static int	qdir = -1;

static int
copy_spool(int from, int to)
{
	char	buf[65536];
	off_t	off = 0;
	ssize_t	n, w, done;

	while ((n = pread(from, buf, sizeof(buf), off)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (done = 0; done < n; done += w)
			if ((w = write(to, buf + done, n - done)) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return -1;
			}
		off += n;
	}
	return 0;
}

/* ID.d: the message, under a temporary name until it is complete. */
static int
write_data(struct parent *p, const char *id)
{
	char	tmp[QF_IDMAX + 16], name[QF_IDMAX + 8];
	int	fd, e;

	(void)snprintf(tmp, sizeof(tmp), "tmp.%s.d", id);
	(void)snprintf(name, sizeof(name), "%s.d", id);
	if ((fd = openat(qdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if (copy_spool(p->spoolfd, fd) == -1 || fsync(fd) == -1) {
		e = errno;
		(void)close(fd);
		(void)unlinkat(qdir, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) == -1 || renameat(qdir, tmp, qdir, name) == -1) {
		e = errno;
		(void)unlinkat(qdir, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * runq -s for this entry, in its own session, not waited for, when one of
 * the maxrunq slots is free (qf_slot; runq takes one itself, or leaves at
 * once if another took it meanwhile).  Says what it did, for the log.
 */
static const char *
start_runq(struct parent *p, const char *id)
{
	char	*argv[7];
	int	 n = 0, fd, status;
	pid_t	 pid;

	if (p->conf->runq[0] == '\0' || access(p->conf->runq, X_OK) == -1)
		return "none";
	if ((fd = qf_slot(qdir, p->conf->maxrunq)) == -1)
		return "busy";
	(void)close(fd);
	argv[n++] = "runq";
	argv[n++] = "-s";
	if (p->conf->path[0] != '\0') {
		argv[n++] = "-C";
		argv[n++] = p->conf->path;
	}
	argv[n++] = (char *)id;
	argv[n] = NULL;
	switch (pid = fork()) {
	case -1:
		log_warn("runq: fork");
		return "failed";
	case 0:
		(void)setsid();
		if (fork() != 0)
			_exit(0);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(fd, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			if (fd > 2)
				(void)close(fd);
		}
		closefrom(3);
		execv(p->conf->runq, argv);
		_exit(127);
	default:
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	return "started";
}

int
queue_commit(struct parent *p, const char *sender, int body, int utf8,
    char **rcpt, size_t nrcpt, char *esc, size_t esclen, char *text,
    size_t textlen)
{
	struct qent	 q;
	char		 err[512], name[QF_IDMAX + 8];
	size_t		 i;

	memset(&q, 0, sizeof(q));
	if (qdir == -1 && (qdir = open(p->conf->queue, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("queue %s", p->conf->queue);
		goto tempfail;
	}
	q.ctime = time(NULL);
	(void)snprintf(q.id, sizeof(q.id), "%lld.%s", (long long)q.ctime,
	    p->msgid);
	if (!qf_idok(q.id)) {
		log_warnx("queue: bad id %s", q.id);
		goto tempfail;
	}
	if (write_data(p, q.id) == -1) {
		log_warn("queue %s: %s.d", p->conf->queue, q.id);
		goto tempfail;
	}
	(void)strlcpy(q.sender, sender, sizeof(q.sender));
	q.body = body;
	q.utf8 = utf8;
	if ((q.r = calloc(nrcpt, sizeof(*q.r))) == NULL)
		goto fail;
	for (i = 0; i < nrcpt; i++) {
		(void)strlcpy(q.r[i].addr, rcpt[i], sizeof(q.r[i].addr));
		q.r[i].state = QR_PENDING;
	}
	q.n = nrcpt;
	if (qf_write(qdir, &q, err, sizeof(err)) == -1) {
		log_warnx("queue %s: %s", p->conf->queue, err);
		goto fail;
	}
	free(q.r);
	log_info("message id=%s queueid=%s from=<%s> nrcpt=%zu result=queued "
	    "runq=%s", p->msgid, q.id, sender, nrcpt, start_runq(p, q.id));
	(void)strlcpy(esc, "2.0.0", esclen);
	(void)snprintf(text, textlen, "Ok, queued as %s", q.id);
	return 250;
fail:
	free(q.r);
	(void)snprintf(name, sizeof(name), "%s.d", q.id);
	(void)unlinkat(qdir, name, 0);
tempfail:
	(void)strlcpy(esc, "4.3.0", esclen);
	(void)strlcpy(text, "Temporary failure, please try again later",
	    textlen);
	return 451;
}
