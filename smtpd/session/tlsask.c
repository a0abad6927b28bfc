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
 * What either TLS back end of the session needs beyond its library: the
 * signature round trip to the parent (the child never holds the key)
 * and the bounded wait on a non-blocking socket.  In smtpd-tls.so.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "session.h"
#include "tlskey.h"

#define SPKI_HASHLEN	32	/* SHA-256 */

static struct session	*tls_sess;	/* whose parent signs */

void
tls_signer(struct session *s)
{
	tls_sess = s;
}

/*
 * One signature from the parent: PS_SIGN_REQ, then exactly the answer
 * to it.  The child trusts the parent, so anything else is fatal.
 */
int
tls_sign(uint32_t keytype, uint32_t pad, const uint8_t *in, size_t inlen,
    uint8_t *sig, size_t sigmax, size_t *siglen)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	uint32_t		 id, ok;
	struct session		*s = tls_sess;

	if (s == NULL || s->psfd == -1)
		return -1;
	ps_buf_init(&b);
	ps_add_u32(&b, keytype);
	ps_add_u32(&b, pad);
	ps_add_data(&b, in, inlen);
	id = s->psid++;
	if (ps_sendbuf(s->psfd, PS_SIGN_REQ, id, -1, &b) == -1)
		fatal("tls_sign: send");
	if (ps_recv(s->psfd, &m) <= 0)
		fatalx("tls_sign: parent went away");
	if (m.hdr.type != PS_SIGN_ANS || m.hdr.id != id)
		fatalx("tls_sign: unexpected answer %u", m.hdr.type);
	if (ps_get_u32(&m, &ok) == -1 ||
	    ps_get_data(&m, sig, sigmax, siglen) == -1 || ps_end(&m) == -1)
		fatalx("tls_sign: bad answer");
	ps_msg_closefd(&m);
	return ok ? 0 : -1;
}

/*
 * Does the parent hold the key of our certificate?  It answers with the
 * SHA-256 of its key's SubjectPublicKeyInfo, no signature made; mine is
 * that of the certificate's, which the back end computed.
 */
int
tls_probe(const uint8_t *mine, size_t len)
{
	uint8_t	 theirs[64];
	size_t	 n;

	if (tls_sign(SIGN_PROBE, 0, NULL, 0, theirs, sizeof(theirs), &n) == -1)
		return -1;
	if (len != SPKI_HASHLEN || n != len || memcmp(mine, theirs, n) != 0)
		return -1;
	return 0;
}

/*
 * Until the socket is ready as the library wants it, or the deadline;
 * io_poll (io.c) ends the child if the parent goes away meanwhile.
 */
int
tls_wait(struct session *s, int wantwrite, time_t deadline)
{
	time_t		now = time(NULL);
	int		r;

	if (now >= deadline) {
		errno = ETIMEDOUT;
		return -1;
	}
	do {
		r = io_poll(s, wantwrite ? s->outfd : s->infd,
		    wantwrite ? POLLOUT : POLLIN, (int)(deadline - now) * 1000);
	} while (r == -1 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

void
tls_nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * Read or write under TLS, waiting for the socket as the library asks,
 * for at most the timeout, or less before the session's or the message's
 * deadline.
 */
static ssize_t
tls_io(struct session *s, int wr, void *buf, size_t len)
{
	time_t	 deadline = time(NULL) + io_secs(s, s->conf->timeout);
	int	 r;

	if (s->tls == NULL)
		return -1;
	if (len == 0)
		return wr ? 0 : -1;
	if (len > INT_MAX)
		len = INT_MAX;
	for (;;) {
		if ((r = tls_step(s, wr, buf, (int)len)) >= 0)
			return (wr && r == 0) ? -1 : r;
		if (r != TLS_WANTREAD && r != TLS_WANTWRITE)
			return -1;
		if (tls_wait(s, r == TLS_WANTWRITE, deadline) == -1)
			return -1;
	}
}

ssize_t
tls_read(struct session *s, void *buf, size_t len)
{
	return tls_io(s, 0, buf, len);
}

ssize_t
tls_write(struct session *s, const void *buf, size_t len)
{
	return tls_io(s, 1, (void *)buf, len);
}
