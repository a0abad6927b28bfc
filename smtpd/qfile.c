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
 * The control file of a queue entry, as text so that an administrator can
 * read it:
 *
 *	V upas-queue 1
 *	T <time queued>
 *	F <sender>		(nothing after F for <>)
 *	B <body 0|1> <smtputf8 0|1>
 *	R <state> <tries> <next> <address> <last reply>
 *
 * one R line per recipient.  Anything else is a damaged entry, left alone.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qfile.h"

#define QF_LINEMAX	(QF_ADDRMAX + QF_REPLYMAX + 128)

/* Our own names only: digits, letters, '.', '-'; never a path. */
int
qf_idok(const char *id)
{
	size_t	n = strlen(id);

	return n > 0 && n < QF_IDMAX && id[0] != '.' &&
	    strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") == n;
}

void
qf_clean(char *dst, const char *src, size_t n)
{
	size_t	i;

	(void)strlcpy(dst, src, n);
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

int
qf_fsyncdir(int dfd)
{
	return fsync(dfd);
}

static int
addr_ok(const char *a)
{
	return strpbrk(a, " \t\r\n") == NULL && strlen(a) < QF_ADDRMAX;
}

int
qf_write(int dfd, const struct qent *q, char *err, size_t errlen)
{
	char	 tmp[QF_IDMAX + 16], name[QF_IDMAX + 8], reply[QF_REPLYMAX];
	FILE	*f;
	size_t	 i;
	int	 fd, e;

	(void)snprintf(tmp, sizeof(tmp), "tmp.%s.c", q->id);
	(void)snprintf(name, sizeof(name), "%s.c", q->id);
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		e = errno;
		(void)close(fd);
		goto fail;
	}
	fprintf(f, "V upas-queue 1\nT %lld\nF %s\nB %d %d\n",
	    (long long)q->ctime, q->sender, q->body, q->utf8);
	if (q->warned != 0)
		fprintf(f, "W %lld\n", (long long)q->warned);
	for (i = 0; i < q->n; i++) {
		qf_clean(reply, q->r[i].reply, sizeof(reply));
		fprintf(f, "R %d %d %lld %s %s\n", q->r[i].state,
		    q->r[i].tries, (long long)q->r[i].next, q->r[i].addr,
		    reply);
	}
	if (fflush(f) == EOF || fsync(fileno(f)) == -1) {
		e = errno;
		(void)fclose(f);
		goto fail;
	}
	if (fclose(f) == EOF) {
		e = errno;
		goto fail;
	}
	if (renameat(dfd, tmp, dfd, name) == -1) {
		e = errno;
		goto fail;
	}
	if (qf_fsyncdir(dfd) == -1) {
		(void)snprintf(err, errlen, "fsync of the queue directory: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
fail:
	(void)unlinkat(dfd, tmp, 0);
	(void)snprintf(err, errlen, "%s: %s", tmp, strerror(e));
	return -1;
}

static int
num(const char *s, long long *v)
{
	char	*end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v >= 0 ? 0 : -1;
}

static int
rline(struct qent *q, char *l)
{
	struct qrcpt	*nv, *r;
	char		*w[5], *p = l;
	long long	 v[3];
	int		 i;

	/* four words, then the reply (qf_write always puts its space) */
	for (i = 0; i < 4; i++) {
		w[i] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		*p++ = '\0';
	}
	w[4] = p;
	if (num(w[0], &v[0]) == -1 || num(w[1], &v[1]) == -1 ||
	    num(w[2], &v[2]) == -1 || v[0] > QR_FAILED || v[1] > INT_MAX ||
	    !addr_ok(w[3]) || w[3][0] == '\0' || q->n >= QF_MAXRCPT)
		return -1;
	if ((nv = reallocarray(q->r, q->n + 1, sizeof(*nv))) == NULL)
		return -1;
	q->r = nv;
	r = &q->r[q->n++];
	memset(r, 0, sizeof(*r));
	r->state = (int)v[0];
	r->tries = (int)v[1];
	r->next = (time_t)v[2];
	(void)strlcpy(r->addr, w[3], sizeof(r->addr));
	(void)strlcpy(r->reply, w[4], sizeof(r->reply));
	return 0;
}

int
qf_read(int dfd, const char *id, struct qent *q, char *err, size_t errlen)
{
	char		 name[QF_IDMAX + 8], line[QF_LINEMAX];
	FILE		*f;
	long long	 t;
	int		 fd, ln = 0, a, b;

	memset(q, 0, sizeof(*q));
	if (!qf_idok(id)) {
		(void)snprintf(err, errlen, "bad queue id");
		return -1;
	}
	(void)strlcpy(q->id, id, sizeof(q->id));
	(void)snprintf(name, sizeof(name), "%s.c", id);
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		(void)close(fd);
		(void)snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		if (line[0] == '\0' || line[strlen(line) - 1] != '\n')
			goto bad;
		line[strlen(line) - 1] = '\0';
		if (ln == 1 && strcmp(line, "V upas-queue 1") == 0)
			continue;
		if (ln == 1)
			goto bad;
		if (strncmp(line, "T ", 2) == 0 && num(line + 2, &t) == 0)
			q->ctime = (time_t)t;
		else if (strncmp(line, "W ", 2) == 0 && num(line + 2, &t) == 0)
			q->warned = (time_t)t;
		else if (strncmp(line, "F ", 2) == 0 && addr_ok(line + 2))
			(void)strlcpy(q->sender, line + 2, sizeof(q->sender));
		else if (sscanf(line, "B %d %d", &a, &b) == 2 && a >= 0 &&
		    a <= 1 && b >= 0 && b <= 1) {
			q->body = a;
			q->utf8 = b;
		} else if (strncmp(line, "R ", 2) != 0 || rline(q, line + 2) == -1)
			goto bad;
	}
	if (ferror(f) || ln < 5 || q->n == 0 || q->ctime == 0)
		goto bad;
	(void)fclose(f);
	return 0;
bad:
	(void)fclose(f);
	qf_free(q);
	(void)snprintf(err, errlen, "%s: damaged (line %d)", name, ln);
	return -1;
}

void
qf_free(struct qent *q)
{
	free(q->r);
	q->r = NULL;
	q->n = 0;
}

/*
 * One of the max runner slots (runq -s): .runq.0 ... in the queue
 * directory, held by flock(2) until the descriptor is closed or the
 * process ends.  Returns the descriptor, or -1 when every slot is held.
 */
int
qf_slot(int dfd, int max)
{
	char	name[32];
	int	i, fd;

	for (i = 0; i < max; i++) {
		(void)snprintf(name, sizeof(name), ".runq.%d", i);
		if ((fd = openat(dfd, name, O_RDONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0600)) == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		(void)close(fd);
	}
	return -1;
}
