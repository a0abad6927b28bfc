/* objs: smtp/rfc822.c smtp/names.c smtp/mime.c smtp/reply.c privsep/text.c */
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
 * The client's message converter (smtp -f) on arbitrary input: whatever
 * comes in, the output has CRLF line ends only, no bare CR or LF, and no
 * line that would end the DATA early.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgopts	 mo = { "host.example", "sender@host.example", 0 };
	struct msginfo	 info;
	struct buf	 out = { NULL, 0, 0 };
	char		 err[256];
	size_t		 i;

	if (rfc822_convert((const char *)data, size, &mo, &out, &info, err,
	    sizeof(err)) == 0) {
		for (i = 0; i < out.len; i++) {
			if (out.p[i] == '\n' && (i == 0 || out.p[i - 1] != '\r'))
				abort();
			if (out.p[i] == '\r' && (i + 1 >= out.len ||
			    out.p[i + 1] != '\n'))
				abort();
		}
		if (out.len >= 3 && memcmp(out.p, ".\r\n", 3) == 0)
			abort();
		if (memmem(out.p, out.len, "\r\n.\r\n", 5) != NULL)
			abort();
	}
	buf_free(&out);
	return 0;
}
