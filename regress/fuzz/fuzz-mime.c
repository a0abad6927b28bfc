/* objs: smtp/mime.c smtp/reply.c privsep/text.c */
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
 * The MIME re-encoder on any message, as the client hands it over (CRLF,
 * dot-stuffed): it must not crash, and what it returns must keep the
 * promise it makes.  With want7 (the first input byte odd) no 8-bit byte
 * is left; either way no line is longer than 998 octets, unless the input
 * already had such a line in a part it says it left alone (it must then
 * have failed); and the output is still CRLF, dot-stuffed wire form.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	char		 err[300];
	const char	*p, *end, *nl;
	int		 want7;
	size_t		 i;

	if (size < 1)
		return 0;
	want7 = data[0] & 1;
	/* wire form, as rfc822_convert makes it: each line CRLF-ended */
	p = (const char *)data + 1;
	end = (const char *)data + size;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		buf_add(&in, p, nl - p);
		buf_add(&in, "\r\n", 2);
	}
	if (in.p == NULL)
		buf_add(&in, "", 0);
	if (mime_reencode(&in, want7, &out, err, sizeof(err)) == 0) {
		if (out.len > 0 && (out.len < 2 ||
		    memcmp(out.p + out.len - 2, "\r\n", 2) != 0))
			abort();
		p = out.p;
		end = out.p + out.len;
		for (; p < end; p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			if (nl == NULL || nl == p || nl[-1] != '\r')
				abort();		/* not CRLF */
			/* a dot-stuffed line may be 999 octets */
			if (nl - 1 - p > 998 + (*p == '.'))
				abort();
		}
		for (i = 0; want7 && i < out.len; i++)
			if ((unsigned char)out.p[i] >= 0x80)
				abort();
	} else if (err[0] == '\0')
		abort();
	buf_free(&in);
	buf_free(&out);
	return 0;
}
