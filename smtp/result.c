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
 * recipient in the order given:
 *
 *	address SP status-code SP reply
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

void
result_print(const struct session *s)
{
	char	esc[16], cls;
	size_t	i;

	for (i = 0; i < s->nrcpt; i++) {
		cls = s->rcpt[i].status == RS_OK ? '2' :
		    s->rcpt[i].status == RS_FAIL ? '5' : '4';
		if (!esc_of(s->rcpt[i].reply, esc, sizeof(esc), cls))
			(void)snprintf(esc, sizeof(esc), "%c.0.0", cls);
		printf("%s %s %s\n", s->rcpt[i].addr, esc, s->rcpt[i].reply);
	}
	(void)fflush(stdout);
}
