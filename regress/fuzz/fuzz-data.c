/* objs: smtpd/session/data.c smtpd/session/io.c smtpd/session/reply.c privsep/marshal.c privsep/log.c */
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
 * libFuzzer harness for smtpd/data.c and the line reader of smtpd/io.c:
 * the input is what a client sends after 354.  Whatever it is, the spool
 * never holds a CR or a NUL, and a message is committed only if the input
 * held the end-of-data sequence CRLF "." CRLF.
 *
 * An input that begins with 'B' is BDAT chunks instead (RFC 3030): each
 * chunk is one length octet (its low 7 bits; the high bit claims 16 octets
 * more than follow, so the peer goes away inside it) and its octets.  The
 * same spool checks hold, and a message is committed only at the last
 * chunk, and not after a chunk that was refused.
 */

#include <sys/types.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "session/session.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", \
			    __FILE__, __LINE__, #c); abort(); } } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static jmp_buf		 env;
static int		 committed, aborted;
static struct conf	 conf;
static struct peer	 peer;
static struct session	 s;

/* What data.c needs from the rest of the session child. */
ssize_t tls_read(struct session *x, void *b, size_t n) { return -1; }
ssize_t tls_write(struct session *x, const void *b, size_t n) { return -1; }
int	tls_pending(struct session *x) { return 0; }
void	tls_close(struct session *x) { }
size_t	rules_headers(struct session *x, char *b, size_t n)
{
	return strlcpy(b, "X-warning: fuzz\r\n", n);
}
size_t	rules_headertags(struct session *x, const char *h, size_t l, char *b,
	    size_t n)
{
	return l > 0 && h[0] == 'F' ? strlcpy(b, "X-warning: fuzz\r\n", n) : 0;
}
int	rules_eom(struct session *x) { return 0; }

void
session_exit(struct session *x, const char *why)
{
	longjmp(env, 1);
}

void
session_close(struct session *x, const char *why)
{
	longjmp(env, 1);
}

void
session_ioerr(struct session *x, int r)
{
	longjmp(env, 1);
}

int
ps_send(int fd, uint32_t type, uint32_t id, int passfd, const void *b,
    size_t n)
{
	CHECK(type == PS_QUEUE_ABORT);
	aborted++;
	return 0;
}

int
ps_request(struct session *x, uint32_t type, const struct ps_buf *b,
    uint32_t anstype, struct ps_msg *m)
{
	struct ps_buf	a;

	CHECK(type == PS_QUEUE_COMMIT && anstype == PS_QUEUE_ANS && !b->err);
	committed++;
	ps_buf_init(&a);
	ps_add_u32(&a, 250);
	ps_add_str(&a, "2.0.0");
	ps_add_str(&a, "queued");
	memset(&m->hdr, 0, sizeof(m->hdr));
	memcpy(m->data, a.data, a.len);
	m->len = a.len;
	m->off = 0;
	m->fd = -1;
	m->err = 0;
	return 0;
}

/* A temporary file, made once and emptied for each input. */
static int
tmpfd(int *fdp)
{
	FILE	*f;

	if (*fdp == -1) {
		if ((f = tmpfile()) == NULL)
			abort();
		*fdp = fileno(f);
	}
	CHECK(ftruncate(*fdp, 0) == 0 && lseek(*fdp, 0, SEEK_SET) == 0);
	return *fdp;
}

static int
has_end(const uint8_t *data, size_t size)
{
	size_t	i;

	if (size >= 3 && memcmp(data, ".\r\n", 3) == 0)
		return 1;
	for (i = 0; i + 5 <= size; i++)
		if (memcmp(data + i, "\r\n.\r\n", 5) == 0)
			return 1;
	return 0;
}

/* BDAT: the chunks' octets to the input, their sizes to len[]. */
static size_t
chunks(const uint8_t *data, size_t size, uint8_t *in, size_t *inlen,
    size_t *len, size_t max)
{
	size_t	pos = 1, n = 0, k;

	*inlen = 0;
	while (pos < size && n < max) {
		k = data[pos] & 0x7f;
		len[n] = k + (data[pos] & 0x80 ? 16 : 0);
		pos++;
		if (k > size - pos)
			k = size - pos;
		memcpy(in + *inlen, data + pos, k);
		*inlen += k;
		pos += k;
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 bin[1 << 16];
	size_t		 blen[4096], nb = 0, binlen = 0, i;
	int		 bdat = size > 0 && data[0] == 'B', r = 0;
	static char	 rcpt0[] = "u@test.example", *rcpt[] = { rcpt0 };
	static char	 spool[1 << 20];
	static int	 infd = -1, spfd = -1, nullfd = -1;
	ssize_t		 n;
	int		 in, sp;

	if (conf.maxsize == 0) {
		conf.maxsize = 4096;
		conf.maxhops = 3;
		conf.timeout = conf.datatimeout = 1;
		(void)strlcpy(conf.hostname, "mx.test.example",
		    sizeof(conf.hostname));
		(void)strlcpy(peer.raddr, "::1", sizeof(peer.raddr));
		log_init("fuzz-data", 0, 0);
	}
	memset(&s, 0, sizeof(s));
	s.conf = &conf;
	s.peer = &peer;
	s.dbgfd = -1;
	s.psfd = -1;
	s.esmtp = 1;
	(void)strlcpy(s.helo, "client.example", sizeof(s.helo));
	(void)strlcpy(s.msgid, "fuzz.1", sizeof(s.msgid));
	s.rcpt = rcpt;
	s.nrcpt = 1;
	in = tmpfd(&infd);
	if (bdat) {
		nb = chunks(data, size, bin, &binlen, blen, 4096);
		CHECK(write(in, bin, binlen) == (ssize_t)binlen);
	} else
		CHECK(write(in, data, size) == (ssize_t)size);
	CHECK(lseek(in, 0, SEEK_SET) == 0);
	s.infd = in;
	if (nullfd == -1)
		nullfd = open("/dev/null", O_WRONLY);
	s.outfd = nullfd;
	sp = tmpfd(&spfd);
	s.spoolfd = dup(sp);
	s.spoolopen = 1;
	committed = aborted = 0;
	if (setjmp(env) == 0) {
		CHECK(data_begin(&s) == 0);
		if (!bdat)
			(void)data_receive(&s);
		for (i = 0; bdat && i < nb && r == 0; i++) {
			r = data_chunk(&s, blen[i], i + 1 == nb);
			CHECK(!committed || i + 1 == nb);
		}
	}
	CHECK(committed + aborted <= 1);
	if (committed && !bdat)
		CHECK(has_end(data, size));
	n = pread(sp, spool, sizeof(spool), 0);
	CHECK(n >= 0);
	CHECK(memchr(spool, '\r', n) == NULL && memchr(spool, '\0', n) == NULL);
	CHECK(n > 0 && memcmp(spool, "Received: from client.example ([IPv6:::1])", 42) == 0);
	if (s.spoolfd != -1)
		close(s.spoolfd);
	return 0;
}
