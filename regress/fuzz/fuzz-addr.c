/* objs: smtpd/session/addr.c */
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
 * libFuzzer harness for smtpd/addr.c: whatever addr_parse_path() accepts
 * must fit its limits, parse again to the same mailbox, and split.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", \
			    __FILE__, __LINE__, #c); abort(); } } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 in[1024], out[SMTP_PATHMAX + 1], out2[SMTP_PATHMAX + 1];
	char		 again[SMTP_PATHMAX + 4], local[SMTP_PATHMAX + 1];
	char		 dom[SMTP_PATHMAX + 1];
	const char	*rest, *rest2;
	size_t		 i;
	int		 r, r2;

	(void)addr_parse_domain((const char *)data, size);
	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	r = addr_parse_path(in, out, sizeof(out), &rest);
	if (r == -1)
		return 0;
	CHECK(r == 0 || r == 1);
	CHECK(rest > in && rest <= in + strlen(in) && rest[-1] == '>');
	CHECK(strlen(out) <= SMTP_PATHMAX - 2);
	for (i = 0; out[i] != '\0'; i++)
		CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	if (out[0] == '\0')
		return 0;
	CHECK(addr_split(out, local, sizeof(local), dom, sizeof(dom)) == 0);
	CHECK(strlen(local) > 0 && strlen(local) <= SMTP_LOCALMAX);
	if (dom[0] != '\0')
		CHECK(addr_parse_domain(dom, strlen(dom)) != -1);
	else
		CHECK(strcasecmp(local, "postmaster") == 0);
	(void)snprintf(again, sizeof(again), "<%s>", out);
	r2 = addr_parse_path(again, out2, sizeof(out2), &rest2);
	/* UTF-8 in a dropped source route counts in r only */
	CHECK((r2 == r || (r == 1 && r2 == 0)) && strcmp(out, out2) == 0 &&
	    *rest2 == '\0');
	return 0;
}
