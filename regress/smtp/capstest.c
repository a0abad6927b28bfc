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
 * Test driver for the reply parser and EHLO capability scan in
 * smtp/reply.c, built by regress/smtp/t-caps.sh.  Reads one reply from
 * stdin (lines ending in LF or CRLF, as the client's reader hands them
 * over) and prints what the client would make of it:
 *	code N lines N
 *	flags STARTTLS PIPELINING ... size N auth PLAIN ...
 */

#include <stdio.h>
#include <string.h>

#include "smtp.h"

int
main(void)
{
	static struct reply	 r;
	struct caps		 c;
	char			 line[SMTP_MAXLINE + 2];
	size_t			 len;
	int			 rv = 0;

	reply_reset(&r);
	while (rv == 0 && fgets(line, sizeof(line), stdin) != NULL) {
		len = strcspn(line, "\n");
		if (len > 0 && line[len - 1] == '\r')
			len--;
		rv = reply_line(&r, line, len);
	}
	caps_parse(&c, &r);
	printf("code %d lines %zu\n", r.code, r.nlines);
	printf("flags%s%s%s%s%s%s%s%s size %llu auth%s%s%s\n",
	    c.flags & CAP_STARTTLS ? " STARTTLS" : "",
	    c.flags & CAP_PIPELINING ? " PIPELINING" : "",
	    c.flags & CAP_8BITMIME ? " 8BITMIME" : "",
	    c.flags & CAP_SMTPUTF8 ? " SMTPUTF8" : "",
	    c.flags & CAP_SIZE ? " SIZE" : "",
	    c.flags & CAP_AUTH ? " AUTH" : "",
	    c.flags & CAP_ENHANCED ? " ENHANCEDSTATUSCODES" : "",
	    c.flags & CAP_DSN ? " DSN" : "",
	    c.size,
	    c.auth & AUTH_PLAIN ? " PLAIN" : "",
	    c.auth & AUTH_LOGIN ? " LOGIN" : "",
	    c.auth & AUTH_CRAMMD5 ? " CRAM-MD5" : "");
	return 0;
}
