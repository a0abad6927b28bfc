/* objs: smtpd/qfile.c */
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
 * libFuzzer harness for the queue control file (smtpd/qfile.c), read as
 * runq reads it: any bytes as ID.c in a scratch directory, qf_read().
 * Checks: no crash, no ASan/UBSan error, no leak; a rejected file leaves
 * no recipients behind; an accepted one has 1..QF_MAXRCPT recipients
 * with a known state, NUL-terminated fields, and round-trips: qf_write()
 * of it and qf_read() again give the same entry (the replies compared
 * after qf_clean(), which qf_write() applies).
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qfile.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 dfd = -1;
static char	 dir[64];

static void
cleanup(void)
{
	(void)unlinkat(dfd, "fz.c", 0);
	(void)unlinkat(dfd, "tmp.fz.c", 0);
	(void)rmdir(dir);
}

static void
sane(const struct qent *q)
{
	size_t	i;

	if (q->n == 0 || q->n > QF_MAXRCPT || q->r == NULL ||
	    memchr(q->sender, '\0', sizeof(q->sender)) == NULL ||
	    (q->body != 0 && q->body != 1) || (q->utf8 != 0 && q->utf8 != 1))
		abort();
	for (i = 0; i < q->n; i++)
		if (q->r[i].state < QR_PENDING || q->r[i].state > QR_FAILED ||
		    q->r[i].tries < 0 || q->r[i].next < 0 ||
		    q->r[i].addr[0] == '\0' ||
		    memchr(q->r[i].addr, '\0', QF_ADDRMAX) == NULL ||
		    memchr(q->r[i].reply, '\0', QF_REPLYMAX) == NULL)
			abort();
}

static void
same(const struct qent *a, const struct qent *b)
{
	char	 ra[QF_REPLYMAX], rb[QF_REPLYMAX];
	size_t	 i;

	if (a->ctime != b->ctime || a->warned != b->warned ||
	    strcmp(a->sender, b->sender) != 0 ||
	    a->body != b->body || a->utf8 != b->utf8 || a->n != b->n ||
	    strcmp(a->id, b->id) != 0)
		abort();
	for (i = 0; i < a->n; i++) {
		qf_clean(ra, a->r[i].reply, sizeof(ra));
		qf_clean(rb, b->r[i].reply, sizeof(rb));
		if (a->r[i].state != b->r[i].state ||
		    a->r[i].tries != b->r[i].tries ||
		    a->r[i].next != b->r[i].next ||
		    strcmp(a->r[i].addr, b->r[i].addr) != 0 ||
		    strcmp(ra, rb) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qent	 q, q2;
	char		 err[512];
	int		 fd;

	if (dfd == -1) {
		(void)snprintf(dir, sizeof(dir), "/tmp/fuzz-qfile.%ld",
		    (long)getpid());
		(void)mkdir(dir, 0700);
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
			abort();
		(void)atexit(cleanup);
	}
	if ((fd = openat(dfd, "fz.c", O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	(void)close(fd);

	if (qf_read(dfd, "fz", &q, err, sizeof(err)) == -1) {
		if (q.r != NULL || q.n != 0)
			abort();
		return 0;
	}
	sane(&q);
	if (qf_write(dfd, &q, err, sizeof(err)) == -1)
		abort();
	if (qf_read(dfd, "fz", &q2, err, sizeof(err)) == -1)
		abort();
	sane(&q2);
	same(&q, &q2);
	qf_free(&q);
	qf_free(&q2);
	return 0;
}
