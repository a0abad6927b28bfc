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
 * The parent's TLS entry points, in smtpd: the STARTTLS handoff, and
 * the key and the signer, forwarded to smtpd-tlspriv.so (priv/tls.c,
 * libcrypto only), which tlsmod.c loads at the first STARTTLS.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

static int
privload(struct parent *p)
{
	int	(*load)(struct parent *);

	if (tlsmod_load(TLSMOD_PRIV) != 1)
		return -1;
	load = (int (*)(struct parent *))tlsmod_fn(TM_PRIVLOAD);
	return load(p);
}

/*
 * The parent, at the child's PS_TLS_REQ: the module and the key, then
 * the waiting child in place of the one that asked.  Once yes is said,
 * the old child must end without another word (else it is killed).
 */
void
p_tls(struct parent *p, struct ps_msg *m)
{
	static struct ps_msg	eof;
	struct ps_buf		b;
	uint32_t		ok;
	int			status, n;
	char			go = 'g';

	if (m->err || ps_end(m) == -1)
		parent_kill(p, "malformed TLS request");
	ok = p->tlsfd != -1 && privload(p) == 0;
	if (!ok)
		log_warnx("tls: no key or no %s: STARTTLS refused",
		    tlsmod_name(TLSMOD_PRIV));
	ps_buf_init(&b);
	ps_add_u32(&b, ok);
	if (parent_reply(p, PS_TLS_ANS, m->hdr.id, -1, &b) == -1 || !ok)
		return;
	if ((n = ps_recv(p->fd, &eof)) != 0) {
		if (n > 0)
			ps_msg_closefd(&eof);
		parent_kill(p, "the child spoke after the TLS handoff");
	}
	while ((n = waitpid(p->child, &status, 0)) == -1 && errno == EINTR)
		;
	/* reaped: from here parent_kill() must not signal its pid again */
	(void)close(p->fd);
	p->fd = p->tlsfd;
	p->child = p->tlschild;
	p->tlsfd = -1;
	if (n == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		parent_kill(p, "the child did not exit cleanly at STARTTLS");
	if (send(p->fd, &go, 1, 0) != 1 || ps_hello_recv(p->fd) == -1)
		parent_kill(p, "no hello from the TLS child");
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
