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
 * STARTTLS's handoff in the parent (PS_TLS_REQ; tlsmod.c has why a
 * second child waits): yes only with a waiting child and a key that
 * loads, then the old child's clean exit and the waiting child's hello.
 * The module and the key come through tls_privload (priv/tlsfwd.c).
 * Apart from that, so regress/fuzz/fuzz-parent.c runs it as it is.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

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
	ok = p->tlsfd != -1 && tls_privload(p) == 0;
	if (!ok)
		log_warnx("tls: no waiting child, no key or no module: "
		    "STARTTLS refused");
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
