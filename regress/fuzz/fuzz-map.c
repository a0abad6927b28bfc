/* objs: deliver/map.c */
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
 * libFuzzer harness for deliver's map parser and lookup: any bytes as a
 * map file, then lookups of fixed recipients and of one taken from the
 * input's last line.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../deliver/deliver.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rcpts[] = {
		"joe@example.org", "JOE@Example.ORG", "postmaster", "@x",
		"a@", "", "../..@example.org", ".x/y@%d%u", "\"a@b\"@c.d",
	};
	struct map	 m;
	char		 err[256], out[4096], rcpt[MAP_MAXKEY + 1];
	const uint8_t	*nl;
	size_t		 i, l;

	if (map_parse(&m, (const char *)data, size, err, sizeof(err)) != 0)
		return 0;
	for (i = 0; i < sizeof(rcpts) / sizeof(rcpts[0]); i++)
		(void)map_lookup(&m, rcpts[i], out, sizeof(out));
	/* the last line as a recipient, and a tiny output buffer */
	for (nl = data + size; nl > data && nl[-1] != '\n'; nl--)
		;
	l = data + size - nl;
	if (l < sizeof(rcpt) && memchr(nl, '\0', l) == NULL) {
		memcpy(rcpt, nl, l);
		rcpt[l] = '\0';
		(void)map_lookup(&m, rcpt, out, sizeof(out));
		(void)map_lookup(&m, rcpt, out, 8);
	}
	map_free(&m);
	return 0;
}
