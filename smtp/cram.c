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
 * The CRAM-MD5 response (RFC 2195) to a server's 334 challenge, on its
 * own so that what a server sends can be fuzzed (regress/fuzz/fuzz-cram.c).
 * No I/O.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "smtp.h"

/*
 * chal: the text after "334 ", base64.  line gets base64("user hexdigest");
 * 0, or -1 when the challenge is not base64 or something does not fit.
 */
int
cram_md5(const char *chal, const char *user, const char *pass, char *line,
    size_t n)
{
	unsigned char	 ch[1024], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen;
	char		 resp[700];
	size_t		 tlen = strlen(chal);
	int		 len, i, o;

	if (tlen > 1300 || tlen % 4 != 0)
		return -1;
	if ((len = EVP_DecodeBlock(ch, (const unsigned char *)chal,
	    tlen)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as data */
	for (i = tlen; i > 0 && chal[i - 1] == '=' && len > 0; i--)
		len--;
	if (HMAC(EVP_md5(), pass, strlen(pass), ch, len, mac, &maclen) ==
	    NULL)
		return -1;
	o = snprintf(resp, sizeof(resp), "%s ", user);
	if (o < 0 || (size_t)o >= sizeof(resp) - 2 * maclen)
		return -1;
	for (i = 0; i < (int)maclen; i++)
		o += snprintf(resp + o, sizeof(resp) - o, "%02x", mac[i]);
	if (((size_t)o + 2) / 3 * 4 + 1 > n) {
		explicit_bzero(resp, sizeof(resp));
		return -1;
	}
	(void)EVP_EncodeBlock((unsigned char *)line, (unsigned char *)resp, o);
	explicit_bzero(resp, sizeof(resp));
	explicit_bzero(mac, sizeof(mac));
	return 0;
}
