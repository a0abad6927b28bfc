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
 * One queue entry, under its lock: group the due recipients by where
 * their route sends them, try each group, and record each recipient's
 * outcome.  A recipient the destination took (2xx) is written down as
 * done the moment smtp(8) -R reports it, before its next line is read,
 * so that the window in which a crash makes us send it again (RFC 1047)
 * is one write, fsync and rename.  Retries and failures are written at
 * the end, after the bounce for the failures is safely in the queue: a
 * crash in between can send a bounce twice, never lose one.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "runq.h"

/* The group a recipient belongs to: its route, and for mx its domain. */
static const struct route *
route_of(struct runq *rq, const char *addr, char *key, size_t keylen)
{
	const struct route	*r;
	const char		*at = strrchr(addr, '@');
	const char		*dom = at != NULL ? at + 1 : "";

	r = routes_lookup(&rq->routes, dom);
	if (r->kind == ROUTE_MX)
		(void)snprintf(key, keylen, "mx!%s", dom);
	else
		(void)snprintf(key, keylen, "%s", r->dest);
	return r;
}

static time_t
backoff(int tries)
{
	time_t	t = RQ_BACKOFF_MIN;

	while (--tries > 0 && t < RQ_BACKOFF_MAX)
		t *= 2;
	return t > RQ_BACKOFF_MAX ? RQ_BACKOFF_MAX : t;
}

static int
lock(struct runq *rq, const char *id, int block)
{
	char	name[QF_IDMAX + 8];
	int	fd;

	(void)snprintf(name, sizeof(name), "%s.d", id);
	if ((fd = openat(rq->qfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void
remove_entry(struct runq *rq, const char *id)
{
	char	name[QF_IDMAX + 8];

	/* the control file first: without it the data is never sent */
	(void)snprintf(name, sizeof(name), "%s.c", id);
	if (unlinkat(rq->qfd, name, 0) == -1 && errno != ENOENT)
		log_warn("unlink %s", name);
	(void)snprintf(name, sizeof(name), "%s.d", id);
	if (unlinkat(rq->qfd, name, 0) == -1 && errno != ENOENT)
		log_warn("unlink %s", name);
	(void)qf_fsyncdir(rq->qfd);
}

static void
attempt(struct runq *rq, struct qent *q, int dfd, const char *key,
    const struct route *r, size_t *idx, size_t n, struct outcome *out)
{
	if (lseek(dfd, 0, SEEK_SET) == -1)
		fatal("lseek");
	if (r->kind == ROUTE_LOCAL)
		send_local(rq, q, dfd, idx, n, out);
	else
		send_smtp(rq, q, dfd, r->kind == ROUTE_MX ? key + 3 : r->dest,
		    idx, n, out);
}

/*
 * One recipient's outcome, as soon as it is known (send.c calls this for
 * each before it reads the next).  One the destination took is written
 * down at once: write, fsync, rename, fsync of the directory (qf_write),
 * and a crash before that is the only way it is sent twice (RFC 1047).
 * A retry or a failure waits for settle(): sending it again after a crash
 * sends nothing twice, and a failure must not be marked before its bounce
 * is in the queue.
 */
void
entry_record(struct runq *rq, struct qent *q, size_t i,
    const struct outcome *o)
{
	char	err[256];

	log_info("id=%s to=<%s> via=%s result=%s reply=\"%s\"", q->id,
	    q->r[i].addr, rq->via, o->cls == '2' ? "sent" : o->cls == '5' ?
	    "failed" : "retry", o->reply);
	if (o->cls != '2')
		return;
	q->r[i].state = QR_DONE;
	q->r[i].tries++;
	qf_clean(q->r[i].reply, o->reply, sizeof(q->r[i].reply));
	if (qf_write(rq->qfd, q, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

/* Try every group; outcomes in out[], by recipient.  -1: nothing done. */
static int
groups(struct runq *rq, struct qent *q, int dfd, struct outcome *out,
    int *tried)
{
	const struct route	*r;
	struct outcome		*o;
	char			 key[ROUTE_MAXDEST + 8], k2[ROUTE_MAXDEST + 8];
	size_t			*idx, n, i, j;
	int			 any = 0;

	if ((idx = calloc(q->n, sizeof(*idx))) == NULL ||
	    (o = calloc(q->n, sizeof(*o))) == NULL)
		fatal("calloc");
	for (i = 0; i < q->n; i++) {
		if (tried[i] || q->r[i].state != QR_PENDING ||
		    (!rq->force && q->r[i].next > rq->now))
			continue;
		r = route_of(rq, q->r[i].addr, key, sizeof(key));
		for (n = 0, j = i; j < q->n; j++) {
			if (tried[j] || q->r[j].state != QR_PENDING ||
			    (!rq->force && q->r[j].next > rq->now))
				continue;
			(void)route_of(rq, q->r[j].addr, k2, sizeof(k2));
			if (strcmp(key, k2) == 0)
				idx[n++] = j;
		}
		rq->via = key;
		attempt(rq, q, dfd, key, r, idx, n, o);
		rq->via = NULL;
		for (j = 0; j < n; j++) {
			tried[idx[j]] = 1;
			out[idx[j]] = o[j];
		}
		any = 1;
	}
	free(idx);
	free(o);
	return any ? 0 : -1;
}

/*
 * The delay warning: once per entry, when it has waited delaywarn and
 * some of the recipients just tried are still to be retried; never to <>.
 * Written down with the rest by settle(); a crash before that can warn
 * twice, never not at all.
 */
static void
warn_delay(struct runq *rq, struct qent *q, int dfd, int *tried,
    char *dsnid, size_t dsnlen)
{
	size_t	*late, nlate = 0, i;

	if (rq->conf->delaywarn == 0 || q->warned != 0 ||
	    q->sender[0] == '\0' || rq->now - q->ctime < rq->conf->delaywarn)
		return;
	if ((late = calloc(q->n, sizeof(*late))) == NULL)
		fatal("calloc");
	for (i = 0; i < q->n; i++)
		if (tried[i] && q->r[i].state == QR_PENDING)
			late[nlate++] = i;
	if (nlate > 0 && dsn_queue(rq, q, dfd, late, nlate, 1, dsnid,
	    dsnlen) == 0)
		q->warned = rq->now;
	free(late);
}

/* Retries and failures; the bounce goes into the queue before they do. */
static void
settle(struct runq *rq, struct qent *q, int dfd, struct outcome *out,
    int *tried, char dsnid[2][QF_IDMAX])
{
	size_t	*fail, nfail = 0, i;
	char	 err[256];

	if ((fail = calloc(q->n, sizeof(*fail))) == NULL)
		fatal("calloc");
	for (i = 0; i < q->n; i++) {
		if (!tried[i] || q->r[i].state != QR_PENDING)
			continue;
		q->r[i].tries++;
		qf_clean(q->r[i].reply, out[i].reply, sizeof(q->r[i].reply));
		if (out[i].cls == '5')
			fail[nfail++] = i;
		else if (rq->now - q->ctime >= rq->conf->maxqueuetime) {
			/* RFC 3463 4.4.7: delivery time expired */
			(void)snprintf(q->r[i].reply, sizeof(q->r[i].reply),
			    "4.4.7 gave up after %d attempts; the last: %s",
			    q->r[i].tries, out[i].reply);
			fail[nfail++] = i;
		} else
			q->r[i].next = rq->now + backoff(q->r[i].tries);
	}
	if (nfail > 0 && q->sender[0] != '\0' &&
	    dsn_queue(rq, q, dfd, fail, nfail, 0, dsnid[0], QF_IDMAX) == -1) {
		/* no bounce yet: they stay pending, to be bounced next time */
		for (i = 0; i < nfail; i++)
			q->r[fail[i]].next = rq->now + RQ_BACKOFF_MIN;
		nfail = 0;
	}
	for (i = 0; i < nfail; i++) {
		q->r[fail[i]].state = QR_FAILED;
		log_info("id=%s to=<%s> result=bounced%s dsn=%s", q->id,
		    q->r[fail[i]].addr, q->sender[0] == '\0' ?
		    " (sender <>: no bounce)" : "", dsnid[0][0] ? dsnid[0] :
		    "none");
	}
	free(fail);
	warn_delay(rq, q, dfd, tried, dsnid[1], QF_IDMAX);
	if (qf_write(rq->qfd, q, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

int
entry_run(struct runq *rq, const char *id)
{
	struct qent	 q;
	struct outcome	*out;
	char		 err[256], dsnid[2][QF_IDMAX];
	size_t		 i;
	int		 dfd, *tried, open_ = 0;

	if ((dfd = lock(rq, id, 0)) == -1) {
		if (errno == EWOULDBLOCK)
			log_debug("%s: busy", id);	/* another runq has it */
		return 0;
	}
	if (qf_read(rq->qfd, id, &q, err, sizeof(err)) == -1) {
		if (errno != ENOENT)
			log_warnx("%s", err);
		(void)close(dfd);
		return errno == ENOENT ? 0 : -1;
	}
	rq->now = time(NULL);
	if ((out = calloc(q.n, sizeof(*out))) == NULL ||
	    (tried = calloc(q.n, sizeof(*tried))) == NULL)
		fatal("calloc");
	dsnid[0][0] = dsnid[1][0] = '\0';
	if (groups(rq, &q, dfd, out, tried) == 0)
		settle(rq, &q, dfd, out, tried, dsnid);
	for (i = 0; i < q.n; i++)
		if (q.r[i].state == QR_PENDING)
			open_ = 1;
	if (!open_) {
		remove_entry(rq, id);
		log_info("id=%s done", id);
	}
	free(out);
	free(tried);
	qf_free(&q);
	(void)close(dfd);
	/* a bounce or a warning moves at once, like any new entry */
	for (i = 0; i < 2; i++)
		if (dsnid[i][0] != '\0')
			(void)entry_run(rq, dsnid[i]);
	return 0;
}

int
entry_delete(struct runq *rq, const char *id)
{
	int	fd;

	if (!qf_idok(id)) {
		log_warnx("bad queue id %s", id);
		return -1;
	}
	if ((fd = lock(rq, id, 1)) == -1) {
		log_warn("%s", id);
		return -1;
	}
	remove_entry(rq, id);
	log_info("id=%s deleted", id);
	printf("%s: deleted\n", id);
	(void)close(fd);
	return 0;
}

void
entry_list(struct runq *rq, const char *id)
{
	static const char *st[] = { "pending", "done", "failed" };
	struct qent	 q;
	struct stat	 sb;
	char		 err[256], name[QF_IDMAX + 8], when[32];
	struct tm	 tm;
	size_t		 i;

	if (qf_read(rq->qfd, id, &q, err, sizeof(err)) == -1) {
		printf("%s: %s\n", id, err);
		return;
	}
	(void)snprintf(name, sizeof(name), "%s.d", id);
	if (fstatat(rq->qfd, name, &sb, 0) == -1)
		sb.st_size = -1;
	(void)localtime_r(&q.ctime, &tm);
	(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s %lld %s <%s>\n", id, (long long)sb.st_size, when, q.sender);
	for (i = 0; i < q.n; i++) {
		printf("\t%s <%s> tries=%d", st[q.r[i].state], q.r[i].addr,
		    q.r[i].tries);
		if (q.r[i].state == QR_PENDING && q.r[i].next > rq->now)
			printf(" next=+%llds",
			    (long long)(q.r[i].next - rq->now));
		if (q.r[i].reply[0] != '\0')
			printf(" %s", q.r[i].reply);
		printf("\n");
	}
	qf_free(&q);
}
