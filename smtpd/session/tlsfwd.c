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
 * The session child's TLS entry points, in smtpd: each forwards to
 * smtpd-tls.so (session/tls_wolfssl.c or tls.c, Makefile TLS_BACKEND),
 * loaded by tlsmod.c in the child that
 * takes over at STARTTLS (ask.c's tls_handoff() asks the parent for that).
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "session.h"
#include "log.h"

#define MODFN(fn, type)	((type)tlsmod_fn(fn))

/*
 * In the child that takes over at STARTTLS only (s->tlstakeover): the
 * module, the certificate and the context, before the sandbox.  No
 * module: s->tlsctx stays NULL and STARTTLS gets 454.
 */
int
tls_setup(struct session *s)
{
	s->tls = NULL;
	s->tlsctx = NULL;
	if (s->conf->certfile[0] == '\0' || !s->tlstakeover)
		return 0;
	if (tlsmod_load(TLSMOD_TLS) != 1) {
		log_warnx("tls: no STARTTLS");
		return 0;
	}
	return MODFN(TM_SETUP, int (*)(struct session *))(s);
}

int
tls_start(struct session *s)
{
	int	(*start)(struct session *);

	if ((start = MODFN(TM_START, int (*)(struct session *))) == NULL)
		return -1;
	return start(s);
}

ssize_t
tls_read(struct session *s, void *buf, size_t len)
{
	ssize_t	(*rd)(struct session *, void *, size_t);

	if ((rd = MODFN(TM_READ, ssize_t (*)(struct session *, void *,
	    size_t))) == NULL) {
		errno = EIO;
		return -1;
	}
	return rd(s, buf, len);
}

ssize_t
tls_write(struct session *s, const void *buf, size_t len)
{
	ssize_t	(*wr)(struct session *, const void *, size_t);

	if ((wr = MODFN(TM_WRITE, ssize_t (*)(struct session *, const void *,
	    size_t))) == NULL) {
		errno = EIO;
		return -1;
	}
	return wr(s, buf, len);
}

int
tls_pending(struct session *s)
{
	int	(*pending)(struct session *);

	pending = MODFN(TM_PENDING, int (*)(struct session *));
	return pending != NULL ? pending(s) : 0;
}

void
tls_close(struct session *s)
{
	void	(*cl)(struct session *);

	if ((cl = MODFN(TM_CLOSE, void (*)(struct session *))) != NULL)
		cl(s);
}
