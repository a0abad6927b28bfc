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
 * The certificate's private key stays in the parent (priv/tls.c): the
 * child's "private key" is the certificate's public key wrapped in an
 * RSA_METHOD or EC_KEY_METHOD whose private operation is a PS_SIGN_REQ,
 * and one probe asks the parent whether it holds the matching key.
 */

/* The RSA/EC_KEY method API is deprecated in OpenSSL 3 but still works. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/types.h>

#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "log.h"
#include "session.h"
#define TLSKEY_OPENSSL
#include "tlskey.h"

static RSA_METHOD	*tls_rsameth;
static EC_KEY_METHOD	*tls_ecmeth;

static int
rsa_privenc(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	size_t	 n;
	uint32_t pad;

	switch (padding) {
	case RSA_PKCS1_PADDING:
		pad = SIGN_PAD_PKCS1;
		break;
	case RSA_NO_PADDING:
		pad = SIGN_PAD_NONE;
		break;
	default:
		log_warnx("tls: RSA padding %d refused", padding);
		return -1;
	}
	if (flen < 0 || tls_sign(SIGN_RSA, pad, from, flen, to, RSA_size(rsa),
	    &n) == -1 || n != (size_t)RSA_size(rsa))
		return -1;
	return (int)n;
}

static int
rsa_privdec(int flen, const unsigned char *from, unsigned char *to,
    RSA *rsa, int padding)
{
	/* RSA key exchange is off: there is never anything to decrypt. */
	return -1;
}

static int
ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
    unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eck)
{
	size_t	 n;

	if (dlen < 0 || tls_sign(SIGN_EC, 0, dgst, dlen, sig,
	    ECDSA_size(eck), &n) == -1)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *
ec_signsig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *eck)
{
	uint8_t		 buf[256];
	const uint8_t	*p = buf;
	unsigned int	 n;

	if ((size_t)ECDSA_size(eck) > sizeof(buf) ||
	    ec_sign(0, dgst, dlen, buf, &n, kinv, r, eck) == 0)
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, n);
}

/* The certificate's public key, with private operations sent to the parent. */
EVP_PKEY *
tlskey_remote(struct session *s, X509 *x)
{
	EVP_PKEY	*pub, *pk = NULL;
	RSA		*rsa = NULL;
	EC_KEY		*eck = NULL;
	int		 (*signfn)(int, const unsigned char *, int,
			    unsigned char *, unsigned int *, const BIGNUM *,
			    const BIGNUM *, EC_KEY *);
	int		 (*setupfn)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **);

	tls_signer(s);
	if ((pub = X509_get0_pubkey(x)) == NULL)
		return NULL;
	if ((pk = EVP_PKEY_new()) == NULL)
		return NULL;
	switch (EVP_PKEY_base_id(pub)) {
	case EVP_PKEY_RSA:
		if (tls_rsameth == NULL) {
			tls_rsameth = RSA_meth_dup(RSA_get_default_method());
			if (tls_rsameth == NULL)
				goto bad;
			RSA_meth_set1_name(tls_rsameth, "upas-privsep");
			RSA_meth_set_priv_enc(tls_rsameth, rsa_privenc);
			RSA_meth_set_priv_dec(tls_rsameth, rsa_privdec);
		}
		if ((rsa = EVP_PKEY_get1_RSA(pub)) == NULL ||
		    RSA_set_method(rsa, tls_rsameth) != 1)
			goto bad;
		/* Re-set after the method: OpenSSL 3 marks the key foreign
		 * only here, and only then calls our method. */
		if (EVP_PKEY_set1_RSA(pk, rsa) != 1)
			goto bad;
		RSA_free(rsa);
		return pk;
	case EVP_PKEY_EC:
		if (tls_ecmeth == NULL) {
			tls_ecmeth = EC_KEY_METHOD_new(EC_KEY_get_default_method());
			if (tls_ecmeth == NULL)
				goto bad;
			EC_KEY_METHOD_get_sign(tls_ecmeth, &signfn, &setupfn,
			    NULL);
			EC_KEY_METHOD_set_sign(tls_ecmeth, ec_sign, setupfn,
			    ec_signsig);
		}
		if ((eck = EVP_PKEY_get1_EC_KEY(pub)) == NULL ||
		    EC_KEY_set_method(eck, tls_ecmeth) != 1)
			goto bad;
		if (EVP_PKEY_set1_EC_KEY(pk, eck) != 1)
			goto bad;
		EC_KEY_free(eck);
		return pk;
	default:
		log_warnx("tls: certificate key type not supported (RSA, EC)");
		break;
	}
 bad:
	RSA_free(rsa);
	EC_KEY_free(eck);
	EVP_PKEY_free(pk);
	return NULL;
}

/* Does the parent hold the key of our certificate (tlsask.c)? */
int
tlskey_probe(X509 *leaf)
{
	uint8_t		 mine[SHA256_DIGEST_LENGTH];
	uint8_t		*der = NULL;
	int		 len;

	if ((len = i2d_PUBKEY(X509_get0_pubkey(leaf), &der)) <= 0)
		return -1;
	SHA256(der, len, mine);
	OPENSSL_free(der);
	return tls_probe(mine, sizeof(mine));
}
