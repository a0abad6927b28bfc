/* objs: smtp/cram.c */
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
 * The 334 challenge a server sends, into smtp/cram.c as auth.c hands it
 * over (the text after "334 ").  Whatever it is, no crash; and when a
 * response is made for a well-formed challenge it must be right: base64
 * of "u " and 32 lower-case hex digits, the HMAC-MD5 (RFC 2104) of the
 * challenge under the password, recomputed here with OpenSSL's BIO
 * base64 decoder and HMAC, not with the code under test.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* base64 without newlines, by another road; -1 unless canonical */
static int
decode(const char *s, unsigned char *out, size_t outlen)
{
	BIO		*b64, *mem;
	unsigned char	*re;
	int		 n, ok;
	size_t		 slen = strlen(s);

	if ((b64 = BIO_new(BIO_f_base64())) == NULL ||
	    (mem = BIO_new_mem_buf(s, -1)) == NULL)
		abort();
	BIO_set_flags(b64, BIO_FLAGS_BASE64_NO_NL);
	b64 = BIO_push(b64, mem);
	n = BIO_read(b64, out, outlen);
	BIO_free_all(b64);
	if (n < 0)
		return -1;
	/* canonical: encoding it again gives the same text */
	if ((re = malloc((n + 2) / 3 * 4 + 1)) == NULL)
		abort();
	(void)EVP_EncodeBlock(re, out, n);
	ok = strlen((char *)re) == slen && memcmp(re, s, slen) == 0;
	free(re);
	return ok ? n : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 chal[2048], line[1400], want[100];
	unsigned char	 raw[2048], resp[1400], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen, i;
	int		 n, rn;

	if (size >= sizeof(chal) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(chal, data, size);
	chal[size] = '\0';
	if (cram_md5(chal, "u", "secret", line, sizeof(line)) == -1)
		return 0;
	if (memchr(line, '\0', sizeof(line)) == NULL)
		abort();
	/* the response decodes to "u " + 32 hex digits */
	rn = EVP_DecodeBlock(resp, (unsigned char *)line, strlen(line));
	if (rn < 34 || memcmp(resp, "u ", 2) != 0)
		abort();
	for (i = 2; i < 34; i++)
		if (strchr("0123456789abcdef", resp[i]) == NULL)
			abort();
	/* and it is the right digest, when the challenge is canonical */
	if ((n = decode(chal, raw, sizeof(raw))) < 0)
		return 0;
	if (HMAC(EVP_md5(), "secret", 6, raw, n, mac, &maclen) == NULL)
		abort();
	for (i = 0; i < maclen; i++)
		(void)snprintf(want + 2 * i, 3, "%02x", mac[i]);
	if (memcmp(resp + 2, want, 32) != 0)
		abort();
	return 0;
}
