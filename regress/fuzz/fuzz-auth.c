/* objs: smtpd/session/auth.c privsep/marshal.c privsep/log.c */
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
 * Fuzz the SASL decoding of auth.c as the child sees a hostile client:
 * strict base64, then the PLAIN triple and the CRAM-MD5 "user digest"
 * split of whatever decoded.  The input is one response line (no NUL).
 * A decoded result is re-encoded by hand and compared, so the decoder
 * must also be exact, not only memory-safe.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"

/* auth.c's session-side calls; never reached by what is fuzzed */
void reply(struct session *s, int c, const char *e, const char *f, ...) { }
int io_flush(struct session *s) { return 0; }
int io_getline(struct session *s, char *b, size_t n, int t, size_t *l) { return -1; }
int ps_request(struct session *s, uint32_t t, const struct ps_buf *b,
    uint32_t a, struct ps_msg *m) { return -1; }
void session_close(struct session *s, const char *w) { abort(); }
void session_exit(struct session *s, const char *w) { abort(); }

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 line[2100], z[256], u[256], p[512], d[64], re[2900];
	uint8_t	 out[1600];
	size_t	 n, plen, i, o;
	uint32_t v;

	if (size >= sizeof(line) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (auth_decode(line, out, sizeof(out), &n) == -1)
		return 0;
	if (n > sizeof(out))
		abort();
	if (strcmp(line, "=") != 0) {
		for (i = 0, o = 0; i < n; i += 3) {
			v = (uint32_t)out[i] << 16;
			if (i + 1 < n)
				v |= (uint32_t)out[i + 1] << 8;
			if (i + 2 < n)
				v |= out[i + 2];
			re[o++] = b64[(v >> 18) & 63];
			re[o++] = b64[(v >> 12) & 63];
			re[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
			re[o++] = i + 2 < n ? b64[v & 63] : '=';
		}
		re[o] = '\0';
		/* non-canonical trailing bits are accepted, so compare length */
		if (o != size)
			abort();
	}
	if (auth_plain_split(out, n, z, sizeof(z), u, sizeof(u), p, sizeof(p),
	    &plen) == 0 && (strlen(u) == 0 || strlen(p) != plen))
		abort();
	if (auth_cram_split(out, n, u, sizeof(u), d, sizeof(d)) == 0 &&
	    strlen(d) != 32)
		abort();
	return 0;
}
