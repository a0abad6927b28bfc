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
 * The bounce: a delivery status notification (RFC 3464) in a
 * multipart/report (RFC 6522), from the null sender (RFC 5321 4.5.5, so
 * that it never bounces itself) to the envelope sender, put into the
 * queue as a new entry.  It lists the failed recipients with their last
 * reply and returns the original header (text/rfc822-headers), not the
 * body.  The delay warning (delaywarn in smtpd.conf) is the same report
 * with Action: delayed (RFC 3464 2.3.3) and Will-Retry-Until (2.3.9) for
 * recipients still being retried.  The caller never calls this for a
 * message from <>.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "runq.h"

#define DSN_MAXHDR	(64 * 1024)	/* of the original header returned */

static void
rfcdate(time_t t, char *buf, size_t n)
{
	struct tm	tm;

	(void)localtime_r(&t, &tm);
	(void)strftime(buf, n, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* The status code in a reply ("550 5.1.1 ..." or "4.4.7 ..."), else X.0.0. */
static void
status_of(const char *reply, char *st, size_t n, int delayed)
{
	const char	*p = reply;
	size_t		 l;
	int		 i;

	for (i = 0; i < 2 && *p != '\0'; i++) {
		l = strcspn(p, " ");
		if (l >= 5 && l < n && (p[0] == '4' || p[0] == '5') &&
		    p[1] == '.' && strspn(p, "0123456789.") == l) {
			memcpy(st, p, l);
			st[l] = '\0';
			/* a failure report: a 4.x.x that expired stays 4.4.7 */
			return;
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	(void)snprintf(st, n, delayed ? "4.0.0" : "5.0.0");
}

/* The original header: up to the first empty line. */
static void
copy_header(FILE *f, int dfd)
{
	char	 buf[8192];
	size_t	 total = 0, i;
	ssize_t	 n;
	int	 nl = 1;
	off_t	 off = 0;

	while (total < DSN_MAXHDR &&
	    (n = pread(dfd, buf, sizeof(buf), off)) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] == '\r')
				continue;
			if (buf[i] == '\n' && nl)
				return;
			nl = buf[i] == '\n';
			(void)fputc(buf[i], f);
		}
		off += n;
		total += n;
	}
	if (!nl)
		(void)fputc('\n', f);
}

static int
write_body(struct runq *rq, FILE *f, const struct qent *q, int dfd,
    const size_t *fail, size_t n, int delayed, const char *boundary,
    const char *id)
{
	const char	*host = rq->conf->hostname;
	char		 date[64], until[64], st[16];
	size_t		 i;

	rfcdate(rq->now, date, sizeof(date));
	rfcdate(q->ctime + rq->conf->maxqueuetime, until, sizeof(until));
	fprintf(f, "From: Mail Delivery System <MAILER-DAEMON@%s>\n"
	    "To: <%s>\n"
	    "Subject: %s\n"
	    "Date: %s\n"
	    "Message-ID: <%s@%s>\n"
	    "Auto-Submitted: auto-replied\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n\n"
	    "This is a MIME-encapsulated message.\n\n--%s\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "This is the mail system at %s.\n\n", host, q->sender,
	    delayed ? "Delayed Mail (still being retried)" :
	    "Undelivered Mail Returned to Sender", date, id, host, boundary,
	    boundary, host);
	if (delayed)
		fprintf(f, "Your message has not been delivered yet to the "
		    "following recipients.\nIt will be tried again until %s;"
		    "\nyou need not send it again.\n\n", until);
	else
		fprintf(f, "Your message could not be delivered to the "
		    "following recipients:\n\n");
	for (i = 0; i < n; i++)
		fprintf(f, "<%s>: %s\n", q->r[fail[i]].addr,
		    q->r[fail[i]].reply);
	rfcdate(q->ctime, date, sizeof(date));
	fprintf(f, "\n--%s\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; %s\nX-Upas-Queue-ID: %s\n"
	    "Arrival-Date: %s\n", boundary, host, q->id, date);
	rfcdate(rq->now, date, sizeof(date));
	for (i = 0; i < n; i++) {
		status_of(q->r[fail[i]].reply, st, sizeof(st), delayed);
		fprintf(f, "\nFinal-Recipient: rfc822; %s\nAction: %s\n"
		    "Status: %s\nDiagnostic-Code: smtp; %s\n"
		    "Last-Attempt-Date: %s\n", q->r[fail[i]].addr,
		    delayed ? "delayed" : "failed", st, q->r[fail[i]].reply,
		    date);
		if (delayed)
			fprintf(f, "Will-Retry-Until: %s\n", until);
	}
	fprintf(f, "\n--%s\nContent-Type: text/rfc822-headers\n\n", boundary);
	copy_header(f, dfd);
	fprintf(f, "\n--%s--\n", boundary);
	return ferror(f) ? -1 : 0;
}

int
dsn_queue(struct runq *rq, const struct qent *q, int dfd,
    const size_t *fail, size_t n, int delayed, char *id, size_t idlen)
{
	struct qent	 b;
	struct qrcpt	 r;
	FILE		*f;
	char		 tmp[QF_IDMAX + 16], name[QF_IDMAX + 8], err[256];
	char		 boundary[QF_IDMAX + 16];
	int		 fd;

	(void)snprintf(id, idlen, "%lld.%c%08x", (long long)rq->now,
	    delayed ? 'w' : 'b', arc4random());
	(void)snprintf(boundary, sizeof(boundary), "=_%s", id);
	(void)snprintf(tmp, sizeof(tmp), "tmp.%s.d", id);
	(void)snprintf(name, sizeof(name), "%s.d", id);
	if ((fd = openat(rq->qfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		log_warn("bounce %s", tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		(void)close(fd);
		goto fail;
	}
	if (write_body(rq, f, q, dfd, fail, n, delayed, boundary, id) == -1 ||
	    fflush(f) == EOF || fsync(fileno(f)) == -1) {
		(void)fclose(f);
		goto fail;
	}
	if (fclose(f) == EOF || renameat(rq->qfd, tmp, rq->qfd, name) == -1)
		goto fail;
	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	(void)strlcpy(b.id, id, sizeof(b.id));
	b.ctime = rq->now;
	b.sender[0] = '\0';
	(void)strlcpy(r.addr, q->sender, sizeof(r.addr));
	b.r = &r;
	b.n = 1;
	if (qf_write(rq->qfd, &b, err, sizeof(err)) == -1) {
		log_warnx("bounce: %s", err);
		(void)unlinkat(rq->qfd, name, 0);
		return -1;
	}
	log_info("id=%s %s=%s to=<%s> %s=%zu", q->id, delayed ? "warning" :
	    "bounce", id, q->sender, delayed ? "delayed" : "failed", n);
	return 0;
fail:
	log_warn("bounce %s", tmp);
	(void)unlinkat(rq->qfd, tmp, 0);
	return -1;
}
