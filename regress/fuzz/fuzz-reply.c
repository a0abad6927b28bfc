/* objs: smtp/reply.c */
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
 * The reply parser and EHLO capability scan on whatever a hostile server
 * sends: the input is cut into lines at LF as the client's reader does.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reply	 r;
	struct caps		 c;
	const char		*p = (const char *)data, *end = p + size, *nl;
	size_t			 len;
	int			 rv;

	reply_reset(&r);
	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		len = nl - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len >= SMTP_MAXLINE)
			len = SMTP_MAXLINE - 1;
		rv = reply_line(&r, p, len);
		if (rv != 0) {
			if (r.len >= sizeof(r.text) || r.text[r.len] != '\0')
				abort();
			if (rv == 1 && (r.code < 200 || r.code > 599))
				abort();
			caps_parse(&c, &r);
			(void)reply_last(&r);
			reply_reset(&r);
		}
		p = nl + 1;
	}
	return 0;
}
