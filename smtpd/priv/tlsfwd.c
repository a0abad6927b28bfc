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
 * The parent's TLS entry points, in smtpd: the key and the signer,
 * forwarded to smtpd-tlspriv.so (priv/sign.c with priv/tls_wolfssl.c, or
 * with priv/tls.c and libcrypto only: Makefile TLS_BACKEND), which
 * tlsmod.c loads at the first STARTTLS (the handoff is priv/handoff.c).
 */

#include <sys/types.h>

#include <stdint.h>

#include "priv.h"
#include "log.h"

/* The module, then the key from keyfd through it: 0, or -1 for neither. */
int
tls_privload(struct parent *p)
{
	int	(*load)(struct parent *);

	if (tlsmod_load(TLSMOD_PRIV) != 1)
		return -1;
	load = (int (*)(struct parent *))tlsmod_fn(TM_PRIVLOAD);
	return load(p);
}

/* The child asked for a signature: only possible once TLS was set up. */
void
p_sign(struct parent *p, struct ps_msg *m)
{
	void	(*sign)(struct parent *, struct ps_msg *);

	sign = (void (*)(struct parent *, struct ps_msg *))tlsmod_fn(TM_SIGN);
	if (sign == NULL)
		parent_kill(p, "signature request without TLS");
	else
		sign(p, m);
}
