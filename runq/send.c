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
 * Delivery attempts: our smtp(8) with -R for SMTP, mx and LMTP routes,
 * reading its one line per recipient; the built-in Maildir delivery
 * (deliver(8)'s code, the same map as smtpd's) for the local route.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "runq.h"
#include "../deliver/deliver.h"

/* a result line: address, status code, the server's reply (smtp.8 -R) */
#define RQ_MAXLINE	(QF_ADDRMAX + QF_REPLYMAX + 64)

#define EX_TEMPFAIL_	75
#define EX_UNAVAILABLE_	69

static void
setout(struct outcome *o, char cls, const char *fmt, const char *arg)
{
	o->cls = cls;
	(void)snprintf(o->reply, sizeof(o->reply), fmt, arg);
}

/*
 * "address esc reply": the recipient is the one of this attempt with that
 * address, exactly as we gave it (smtp(8) -R prints it so), not yet
 * answered; the class of esc is the outcome.  -1: no such recipient.
 */
static int
parse_line(char *line, char **given, size_t n, const int *got,
    struct outcome *o, size_t *jp)
{
	char	*esc, *reply;
	size_t	 j;

	if ((esc = strchr(line, ' ')) == NULL)
		return -1;
	*esc++ = '\0';
	if ((reply = strchr(esc, ' ')) == NULL)
		reply = esc + strlen(esc);
	else
		*reply++ = '\0';
	if ((esc[0] != '2' && esc[0] != '4' && esc[0] != '5') || esc[1] != '.')
		return -1;
	for (j = 0; j < n; j++)
		if (!got[j] && strcmp(given[j], line) == 0)
			break;
	if (j == n)
		return -1;
	o->cls = esc[0];
	(void)snprintf(o->reply, sizeof(o->reply), "%s", reply);
	*jp = j;
	return 0;
}

/*
 * Read smtp's lines as they come and record each outcome before reading
 * the next (entry_record): a recipient the server took is written down
 * one write and fsync after smtp saw the reply (RFC 1047), not when smtp
 * is done with the other recipients, the QUIT and its exit.  A line that
 * is too long or names no recipient of ours is skipped; that recipient is
 * then settled by smtp's exit status below.
 */
static size_t
read_results(struct runq *rq, struct qent *q, int fd, char **given,
    const size_t *idx, size_t n, int *got, struct outcome *out)
{
	struct outcome	 o;
	char		 buf[RQ_MAXLINE], *nl;
	size_t		 len = 0, j, ngot = 0;
	ssize_t		 r;
	int		 skip = 0;

	for (;;) {
		if ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) == -1 &&
		    errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
		buf[len] = '\0';
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			if (!skip && parse_line(buf, given, n, got, &o, &j)
			    == 0) {
				out[j] = o;
				got[j] = 1;
				ngot++;
				entry_record(rq, q, idx[j], &out[j]);
			} else if (!skip)
				log_warnx("%s: smtp: a result line for no "
				    "recipient of ours", q->id);
			skip = 0;
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1) {
			skip = 1;		/* the rest of an overlong line */
			len = 0;
		}
	}
	return ngot;
}

/*
 * A recipient as an argument of smtp(8), which reads %%xx as the
 * character xx (Plan 9's escape for what a shell or upas would eat):
 * every % goes as %%25, so an address with "%%41" in it is not changed.
 */
static char *
escape(const char *addr)
{
	const char	*a;
	char		*e, *p;
	size_t		 n = 0;

	for (a = addr; *a != '\0'; a++)
		n += *a == '%' ? 4 : 1;
	if ((e = malloc(n + 1)) == NULL)
		fatal("malloc");
	for (p = e, a = addr; *a != '\0'; a++)
		if (*a == '%') {
			memcpy(p, "%%25", 4);
			p += 4;
		} else
			*p++ = *a;
	*p = '\0';
	return e;
}

void
send_smtp(struct runq *rq, struct qent *q, int dfd, const char *dest,
    const size_t *idx, size_t n, struct outcome *out)
{
	char	**argv;
	size_t	  i, k = 0, got;
	int	  p[2], status, fd, *have;
	pid_t	  pid;

	if ((argv = calloc(n + 9, sizeof(*argv))) == NULL ||
	    (have = calloc(n, sizeof(*have))) == NULL)
		fatal("calloc");
	argv[k++] = "smtp";
	argv[k++] = "-R";
	/* a relay: the message as received, no header added (smtp(8) -x) */
	argv[k++] = "-x";
	/* smtp(8) refuses an unqualified name: smtpd's own goes with it */
	if (strchr(rq->conf->hostname, '.') != NULL) {
		argv[k++] = "-h";
		argv[k++] = rq->conf->hostname;
	}
	argv[k++] = (char *)dest;
	argv[k++] = q->sender[0] != '\0' ? (char *)q->sender : "/dev/null";
	for (i = 0; i < n; i++)
		argv[k++] = escape(q->r[idx[i]].addr);
	argv[k] = NULL;
	for (i = 0; i < n; i++)
		setout(&out[i], '4', "%s", "smtp gave no result");
	if (pipe(p) == -1) {
		log_warn("pipe");
		goto done;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("fork");
		(void)close(p[0]);
		(void)close(p[1]);
		goto done;
	case 0:
		/* smtp logs each recipient itself; its stderr lines would
		 * only fill cron's mail */
		if (dup2(dfd, 0) == -1 || dup2(p[1], 1) == -1 ||
		    (fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 2) == -1)
			_exit(EX_TEMPFAIL_);
		closefrom(3);
		execv(rq->conf->smtp, argv);
		_exit(EX_TEMPFAIL_);
	}
	(void)close(p[1]);
	got = read_results(rq, q, p[0], argv + k - n, idx, n, have, out);
	(void)close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got == n)
		goto done;
	/* no line for some: smtp stopped early; its status says how */
	for (i = 0; i < n; i++) {
		if (have[i])
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == EX_UNAVAILABLE_)
			setout(&out[i], '5', "%s", "smtp: permanent failure, "
			    "no detail");
		else
			setout(&out[i], '4', "%s", "smtp: temporary failure, "
			    "no detail");
		entry_record(rq, q, idx[i], &out[i]);
	}
done:
	for (i = 0; i < n; i++)
		free(argv[k - n + i]);
	free(have);
	free(argv);
}

static void
warn_job(int line, const char *msg)
{
	log_warnx("%s%s", line ? "" : "deliver: ", msg);
}

void
send_local(struct runq *rq, struct qent *q, int dfd,
    const size_t *idx, size_t n, struct outcome *out)
{
	struct mdjob	 job;
	const char	*map;
	char		*one[1];
	size_t		 i;
	int		 code;

	if ((map = mdeliver_map(rq->conf)) == NULL)
		map = DELIVER_MAP;
	for (i = 0; i < n; i++) {
		memset(&job, 0, sizeof(job));
		job.mapfile = map;
		job.sender = q->sender;
		job.id = q->id;
		job.src.fd = dfd;
		job.src.off = 0;
		job.warn = warn_job;
		one[0] = (char *)q->r[idx[i]].addr;
		code = maildir_run(&job, one, 1);
		if (code == 0)
			setout(&out[i], '2', "%s", "2.0.0 delivered to a Maildir");
		else if (code == EX_TEMPFAIL_)
			setout(&out[i], '4', "%s", "4.3.0 Maildir delivery "
			    "failed for now");
		else if (code == 67)	/* EX_NOUSER */
			setout(&out[i], '5', "%s", "5.1.1 no such mailbox");
		else
			setout(&out[i], '5', "5.3.0 Maildir delivery failed "
			    "(%s)", "see the log");
		entry_record(rq, q, idx[i], &out[i]);
	}
}
