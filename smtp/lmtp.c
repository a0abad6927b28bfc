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
 * LMTP (RFC 2033), for handing mail to a mailbox server such as Dovecot
 * at lmtp!unix!/path or lmtp!tcp!host!port (dial.c).
 *
 * The dialogue is SMTP's but for LHLO in place of EHLO (no HELO fallback)
 * and, after the final dot, one reply for each recipient RCPT accepted,
 * in the order of the RCPTs (RFC 2033 4.2): one mailbox over quota does
 * not make the others fail or get the message twice.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "smtp.h"
#include "conn.h"
#include "client.h"

static int
class(int code)
{
	if (code >= 200 && code < 300)
		return RS_OK;
	if (code >= 500 && code < 600)
		return RS_FAIL;
	return RS_RETRY;
}

static void
flat(char *d, size_t n, const struct reply *r)
{
	size_t	i;

	(void)strlcpy(d, r->text, n);
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] == '\n')
			d[i] = ' ';
}

/*
 * After the dot: r holds the first reply; read one more for each further
 * recipient RCPT accepted.  A connection lost half way leaves the rest to
 * be retried: those whose reply came have their answer.
 */
void
lmtp_replies(struct session *s, struct reply *r)
{
	size_t	i;
	int	first = 1, lost = 0;
	char	t[400];

	for (i = 0; i < s->nrcpt; i++) {
		if (s->rcpt[i].status != RS_ACCEPTED)
			continue;
		if (!first && !lost)
			(void)conn_reply(&s->c, r, tmo(s->o, 600));
		first = 0;
		if (lost || r->code == -1) {
			if (!lost)
				flat(t, sizeof(t), r);
			lost = 1;
			s->rcpt[i].status = RS_RETRY;
			(void)snprintf(s->rcpt[i].reply, sizeof(s->rcpt[i].reply),
			    "LMTP: no reply after the message: %.400s", t);
			continue;
		}
		s->rcpt[i].status = class(r->code);
		flat(s->rcpt[i].reply, sizeof(s->rcpt[i].reply), r);
		/* out before the next reply is read (RFC 2033 4.2) */
		result_flush(s);
	}
}
