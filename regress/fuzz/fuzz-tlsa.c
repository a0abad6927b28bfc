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
 * struct; dane_verify must survive any chain and never accept one that
 * does not match the record it was given: when it accepts, the harness
 * recomputes the match itself with OpenSSL (the certificate or its
 * SubjectPublicKeyInfo, hashed as the record says) and aborts unless the
 * leaf (DANE-EE, usage 3) or some certificate of the chain (DANE-TA,
 * usage 2) matches.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1 when x matches t, computed independently of dane.c */
static int
matches(X509 *x, const struct tlsa *t)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 n, ok = 0;

	if (t->selector == 0)
		n = i2d_X509(x, &der);
	else
		n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	if (n <= 0)
		return 0;
	/* dane.c keeps matching type 0 as the SHA-512 of the full data */
	if (EVP_Digest(der, n, md, &mdlen, t->mtype == 1 ? EVP_sha256() :
	    EVP_sha512(), NULL) == 1)
		ok = mdlen == t->len && memcmp(md, t->data, mdlen) == 0;
	OPENSSL_free(der);
	return ok;
}

/* what dane_verify accepted: does the chain really match? */
static int
chain_matches(const char *pem, const struct tlsa *t)
{
	BIO	*b;
	X509	*x;
	int	 first = 1, ok = 0;

	if ((b = BIO_new_mem_buf(pem, -1)) == NULL)
		return 1;		/* cannot check: no verdict */
	while (!ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (t->usage == 2 || first)
			ok = matches(x, t);
		first = 0;
		X509_free(x);
	}
	BIO_free(b);
	return ok;
}

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
	why[0] = '\0';
	if (dane_verify(&ts, "mx.test", pem, why, sizeof(why)) == 0 &&
	    !chain_matches(pem, &t))
		abort();
	if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
	free(pem);
	return 0;
}
