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
 * The session child's way to the parent (one request, its answer) and
 * the state the parent must know of (PS_STATE, an aborted spool), and the
 * ways out that tell the client first.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

/* The child trusts the parent: anything unexpected from it is a bug. */
int
ps_request(struct session *s, uint32_t type, const struct ps_buf *b,
    uint32_t anstype, struct ps_msg *m)
{
	struct ps_buf	empty;
	uint32_t	id = ++s->psid;
	int		r;

	if (b == NULL) {
		ps_buf_init(&empty);
		b = &empty;
	}
	if (ps_sendbuf(s->psfd, type, id, -1, b) == -1 ||
	    (r = ps_recv(s->psfd, m)) <= 0) {
		/* the parent is gone: the client hears it (RFC 5321 3.8) */
		log_warnx("ps_request: type %u: the parent went away", type);
		reply(s, 421, "4.3.0", "%s Service not available, local "
		    "error, closing connection", s->conf->hostname);
		session_close(s, "parent-gone");
	}
	if (m->hdr.type != anstype || m->hdr.id != id) {
		ps_msg_closefd(m);
		fatalx("ps_request: got type %u id %u, wanted type %u id %u",
		    m->hdr.type, m->hdr.id, anstype, id);
	}
	return 0;
}

/* What the parent must know of the session to judge its requests. */
void
session_state(struct session *s)
{
	struct ps_buf	b;
	uint32_t	st = 0;

	if (s->tls != NULL)
		st |= ST_TLS;
	if (s->helo[0] != '\0')
		st |= ST_HELO;
	ps_buf_init(&b);
	ps_add_u32(&b, st);
	if (ps_sendbuf(s->psfd, PS_STATE, 0, -1, &b) == -1)
		fatal("send PS_STATE");
}

/* End the transaction: back to GREETED, or CONNECTED before any HELO. */
void
session_reset(struct session *s)
{
	size_t	i;

	if (s->spoolfd != -1) {
		close(s->spoolfd);
		s->spoolfd = -1;
	}
	if (s->spoolopen) {
		if (ps_send(s->psfd, PS_QUEUE_ABORT, 0, -1, NULL, 0) == -1)
			fatal("send PS_QUEUE_ABORT");
		s->spoolopen = 0;
	}
	for (i = 0; i < s->nrcpt; i++)
		free(s->rcpt[i]);
	free(s->rcpt);
	s->rcpt = NULL;
	s->nrcpt = 0;
	s->rcptbytes = 0;
	s->sender[0] = '\0';
	s->nullsender = 0;
	s->body = BODY_7BIT;
	s->smtputf8 = 0;
	s->declsize = 0;
	s->senderaction = ACT_NONE;
	s->msgend = 0;
	s->state = s->helo[0] != '\0' ? S_GREETED : S_CONNECTED;
}

/*
 * A read that brought no input: 421 after a timeout or at the session's
 * or the message's deadline, else just leave.
 */
void
session_ioerr(struct session *s, int r)
{
	const char	*which;

	if (r == IO_TIMEOUT && (which = io_expired(s)) != NULL) {
		reply(s, 421, "4.4.2", "%s %s time limit reached, closing "
		    "connection", s->conf->hostname, which);
		session_close(s, *which == 's' ? "session-deadline" :
		    "message-deadline");
	}
	if (r == IO_TIMEOUT) {
		reply(s, 421, "4.4.2", "%s timeout, closing connection",
		    s->conf->hostname);
		session_close(s, "timeout");
	}
	session_exit(s, r == IO_EOF ? "eof" : "read-error");
}

/* Leave after what we have to say went out. */
void
session_close(struct session *s, const char *reason)
{
	if (s->spoolopen) {
		(void)ps_send(s->psfd, PS_QUEUE_ABORT, 0, -1, NULL, 0);
		s->spoolopen = 0;
	}
	(void)io_flush(s);
	tls_close(s);
	session_exit(s, reason);
}

/*
 * STARTTLS in the session child: ask the parent to get TLS ready.  On
 * yes this child is done (the waiting one says 220); on no, or with
 * nothing waiting, return, and the caller says 454.  Nothing was
 * pipelined after the verb (the caller checked), and no reply is
 * pending, so no byte of the session is lost or said twice.
 */
void
tls_handoff(struct session *s)
{
	static struct ps_msg	m;
	uint32_t		ok = 0;

	if (!s->tlslater)
		return;
	(void)io_flush(s);
	(void)ps_request(s, PS_TLS_REQ, NULL, PS_TLS_ANS, &m);
	if (ps_get_u32(&m, &ok) == -1 || ps_end(&m) == -1)
		fatalx("tls_handoff: bad answer");
	s->tlslater = 0;
	if (ok)
		_exit(0);
}
