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
 * -R: the outcome for a queue runner, on standard output, one line per
 * recipient:
 *
 *	address SP status-code SP reply
 *
 * address is the recipient exactly as given on the command line, so that
 * the runner knows it whatever the order: each line is written and
 * flushed as soon as the reply that decides its recipient is in (a 4yz
 * or 5yz to RCPT, the reply after the final dot, with LMTP each reply
 * after the dot), so that the runner can record a recipient the server
 * took before anything else happens.  The window in which a crash makes
 * the runner send it again (RFC 1047) is then the runner's own write and
 * fsync, not the rest of the transaction, the QUIT and our exit.
 *
 * status-code is the RFC 3463 enhanced code: the server's own when its
 * reply carried one of the right class, else X.0.0 of the outcome (2 sent,
 * 4 retry, 5 failed); reply is the server's reply on one line, or why no
 * server answered.  The class of the code is the outcome: runq(8) marks
 * 2 done, retries 4 and bounces 5.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "smtp.h"
#include "conn.h"
#include "client.h"

/* "5.1.1" at the start of s, after the 3-digit code */
static int
esc_of(const char *s, char *esc, size_t n, char cls)
{
	const char	*p = s;
	size_t		 len, i, dots = 0, run = 0;

	if (strlen(s) < 4 || !isdigit((unsigned char)s[0]) || s[3] != ' ')
		return 0;
	p = s + 4;
	len = strcspn(p, " ");
	if (len < 5 || len >= n || p[0] != cls || p[1] != '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (run == 0 || run > 3)
				return 0;
			dots++;
			run = 0;
		} else if (isdigit((unsigned char)p[i]))
			run++;
		else
			return 0;
	}
	if (dots != 2 || run == 0 || run > 3)
		return 0;
	memcpy(esc, p, len);
	esc[len] = '\0';
	return 1;
}

/*
 * The lines of the recipients decided since the last call: RS_OK,
 * RS_FAIL and RS_RETRY are final (a recipient is tried on the next host
 * only while it is RS_PENDING).
 */
void
result_flush(struct session *s)
{
	struct rcpt	*rc;
	char		 esc[16], cls;
	size_t		 i;
	int		 any = 0;

	if (!s->o->Rflag)
		return;
	for (i = 0; i < s->nrcpt; i++) {
		rc = &s->rcpt[i];
		if (rc->printed || (rc->status != RS_OK &&
		    rc->status != RS_FAIL && rc->status != RS_RETRY))
			continue;
		cls = rc->status == RS_OK ? '2' : rc->status == RS_FAIL ?
		    '5' : '4';
		if (!esc_of(rc->reply, esc, sizeof(esc), cls))
			(void)snprintf(esc, sizeof(esc), "%c.0.0", cls);
		printf("%s %s %s\n", rc->given != NULL ? rc->given :
		    rc->addr, esc, rc->reply);
		rc->printed = 1;
		any = 1;
	}
	if (any)
		(void)fflush(stdout);
}
