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
 * wolfSSL back end: the certificate's private key stays in the parent
 * (priv/tls_wolfssl.c).  The context gets a key "by id" of the
 * certificate's size and no key material, and wolfSSL's public-key
 * callbacks (HAVE_PK_CALLBACKS) turn each private operation into a
 * PS_SIGN_REQ: a DigestInfo for TLS 1.2's PKCS #1 v1.5 signatures, a
 * digest for ECDSA, and for RSASSA-PSS the encoded block (RFC 8017
 * 9.1.1), built here so the parent makes nothing but the raw RSA
 * operation on a block it can check (priv/sign.c).  wolfSSL verifies
 * an RSA signature before it sends it; the check callbacks do that with
 * the certificate's public key.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "log.h"
#include "session.h"
#define TLSKEY_WOLFSSL
#include "tlskey.h"

#define TLS_DEVID	0x75706173	/* any id but INVALID_DEVID: no key here */
#define TLS_KEYID	"upas-parent"
#define PSS_MAX		1024		/* an RSA-8192 block */

static RsaKey	 pubrsa;	/* the certificate's RSA key, for the checks */
static int	 modbits;

/* wolfSSL names the digest by its OID sum (asn.h). */
static int
pss_hash(int oidsum, int mgf, enum wc_HashType *ht)
{
	switch (oidsum) {
	case SHA256h:
		*ht = WC_HASH_TYPE_SHA256;
		return mgf == WC_MGF1SHA256 ? 0 : -1;
	case SHA384h:
		*ht = WC_HASH_TYPE_SHA384;
		return mgf == WC_MGF1SHA384 ? 0 : -1;
	case SHA512h:
		*ht = WC_HASH_TYPE_SHA512;
		return mgf == WC_MGF1SHA512 ? 0 : -1;
	}
	return -1;
}

/* MGF1 (RFC 8017 B.2.1), XORed into out */
static int
mgf1_xor(enum wc_HashType ht, const uint8_t *seed, size_t slen, uint8_t *out,
    size_t olen)
{
	uint8_t		 buf[WC_MAX_DIGEST_SIZE + 4], h[WC_MAX_DIGEST_SIZE];
	size_t		 hlen = wc_HashGetDigestSize(ht), off, i;
	uint32_t	 c;

	for (c = 0, off = 0; off < olen; c++) {
		memcpy(buf, seed, slen);
		buf[slen] = c >> 24;
		buf[slen + 1] = c >> 16;
		buf[slen + 2] = c >> 8;
		buf[slen + 3] = c;
		if (wc_Hash(ht, buf, slen + 4, h, hlen) != 0)
			return -1;
		for (i = 0; i < hlen && off < olen; i++)
			out[off++] ^= h[i];
	}
	return 0;
}

/*
 * EMSA-PSS-ENCODE (RFC 8017 9.1.1) of mhash, salt as long as the hash
 * (RFC 8446 4.2.3), into em of the modulus' length in bytes.
 */
static int
pss_encode(enum wc_HashType ht, const uint8_t *mhash, size_t mlen,
    uint8_t *em, size_t k)
{
	uint8_t		 mp[8 + 2 * WC_MAX_DIGEST_SIZE], *h, *db;
	size_t		 hlen = wc_HashGetDigestSize(ht);
	size_t		 embits = modbits - 1, emlen = (embits + 7) / 8, dblen;

	if (mlen != hlen || emlen < 2 * hlen + 2 || emlen > k || k > PSS_MAX)
		return -1;
	memset(em, 0, k);
	em += k - emlen;		/* a leading 0 when emBits % 8 == 0 */
	dblen = emlen - hlen - 1;
	db = em;
	h = em + dblen;
	/* M' = 8 zeros || mHash || salt; H = Hash(M') */
	memset(mp, 0, 8);
	memcpy(mp + 8, mhash, hlen);
	arc4random_buf(mp + 8 + hlen, hlen);
	if (wc_Hash(ht, mp, 8 + 2 * hlen, h, hlen) != 0)
		return -1;
	/* DB = PS || 0x01 || salt, masked with MGF1(H) */
	db[dblen - hlen - 1] = 0x01;
	memcpy(db + dblen - hlen, mp + 8 + hlen, hlen);
	explicit_bzero(mp, sizeof(mp));
	if (mgf1_xor(ht, h, hlen, db, dblen) == -1)
		return -1;
	db[0] &= 0xff >> (8 * emlen - embits);
	em[emlen - 1] = 0xbc;
	return 0;
}

static int
rsa_sign(WOLFSSL *ssl, const unsigned char *in, unsigned int inlen,
    unsigned char *out, word32 *outlen, const unsigned char *key,
    unsigned int keylen, void *arg)
{
	size_t	 n;

	if (tls_sign(SIGN_RSA, SIGN_PAD_PKCS1, in, inlen, out, *outlen,
	    &n) == -1)
		return WOLFSSL_FATAL_ERROR;
	*outlen = n;
	return 0;
}

static int
rsa_check(WOLFSSL *ssl, unsigned char *sig, unsigned int siglen,
    unsigned char **out, const unsigned char *key, unsigned int keylen,
    void *arg)
{
	return wc_RsaSSL_VerifyInline(sig, siglen, out, &pubrsa);
}

static int
pss_sign(WOLFSSL *ssl, const unsigned char *in, unsigned int inlen,
    unsigned char *out, unsigned int *outlen, int hash, int mgf,
    const unsigned char *key, unsigned int keylen, void *arg)
{
	enum wc_HashType ht;
	uint8_t		 em[PSS_MAX];
	size_t		 k = (modbits + 7) / 8, n;
	int		 rv;

	if (pss_hash(hash, mgf, &ht) == -1 ||
	    pss_encode(ht, in, inlen, em, k) == -1)
		return WOLFSSL_FATAL_ERROR;
	rv = tls_sign(SIGN_RSA, SIGN_PAD_NONE, em, k, out, *outlen, &n);
	explicit_bzero(em, sizeof(em));
	if (rv == -1)
		return WOLFSSL_FATAL_ERROR;
	*outlen = n;
	return 0;
}

static int
pss_check(WOLFSSL *ssl, unsigned char *sig, unsigned int siglen,
    unsigned char **out, int hash, int mgf, const unsigned char *key,
    unsigned int keylen, void *arg)
{
	enum wc_HashType ht;

	if (pss_hash(hash, mgf, &ht) == -1)
		return WOLFSSL_FATAL_ERROR;
	return wc_RsaPSS_VerifyInline(sig, siglen, out, ht, mgf, &pubrsa);
}

static int
ec_sign(WOLFSSL *ssl, const unsigned char *in, unsigned int inlen,
    unsigned char *out, word32 *outlen, const unsigned char *key,
    unsigned int keylen, void *arg)
{
	size_t	 n;

	if (tls_sign(SIGN_EC, 0, in, inlen, out, *outlen, &n) == -1)
		return WOLFSSL_FATAL_ERROR;
	*outlen = n;
	return 0;
}

/* The certificate's SubjectPublicKeyInfo (DER), as i2d_PUBKEY(3) has it. */
static int
leaf_spki(WOLFSSL_CTX *ctx, uint8_t *spki, int *len)
{
	WOLFSSL_X509	*x;

	if ((x = wolfSSL_CTX_get0_certificate(ctx)) == NULL ||
	    wolfSSL_X509_get_pubkey_buffer(x, spki, len) != WOLFSSL_SUCCESS)
		return -1;
	return 0;
}

/* The certificate's key, with private operations sent to s's parent. */
int
tlskey_remote(struct session *s, WOLFSSL_CTX *ctx)
{
	ecc_key		 ec;
	uint8_t		 spki[4096], n[PSS_MAX], e[8];
	word32		 idx = 0, nlen = sizeof(n), elen = sizeof(e);
	int		 len = sizeof(spki), keysz;

	tls_signer(s);
	if (leaf_spki(ctx, spki, &len) == -1)
		return -1;
	if (wc_InitRsaKey(&pubrsa, NULL) == 0 &&
	    wc_RsaPublicKeyDecode(spki, &idx, &pubrsa, len) == 0) {
		if (wc_RsaFlattenPublicKey(&pubrsa, e, &elen, n, &nlen) != 0 ||
		    nlen == 0 || n[0] == 0)
			return -1;
		keysz = nlen;
		for (modbits = 8 * nlen; (n[0] & (1 << ((modbits - 1) % 8))) == 0;
		    modbits--)
			;
		wolfSSL_CTX_SetRsaSignCb(ctx, rsa_sign);
		wolfSSL_CTX_SetRsaSignCheckCb(ctx, rsa_check);
		wolfSSL_CTX_SetRsaPssSignCb(ctx, pss_sign);
		wolfSSL_CTX_SetRsaPssSignCheckCb(ctx, pss_check);
	} else {
		idx = 0;
		if (wc_ecc_init(&ec) != 0)
			return -1;
		if (wc_EccPublicKeyDecode(spki, &idx, &ec, len) != 0) {
			wc_ecc_free(&ec);
			log_warnx("tls: certificate key type not supported "
			    "(RSA, EC)");
			return -1;
		}
		keysz = wc_ecc_size(&ec);
		wc_ecc_free(&ec);
		wolfSSL_CTX_SetEccSignCb(ctx, ec_sign);
	}
	if (wolfSSL_CTX_use_PrivateKey_id(ctx, (const unsigned char *)TLS_KEYID,
	    sizeof(TLS_KEYID) - 1, TLS_DEVID, keysz) != WOLFSSL_SUCCESS)
		return -1;
	return 0;
}

/* Does the parent hold the key of our certificate (tlsask.c)? */
int
tlskey_probe(WOLFSSL_CTX *ctx)
{
	uint8_t		 spki[4096], mine[WC_SHA256_DIGEST_SIZE];
	int		 len = sizeof(spki);

	if (leaf_spki(ctx, spki, &len) == -1 ||
	    wc_Sha256Hash(spki, len, mine) != 0)
		return -1;
	return tls_probe(mine, sizeof(mine));
}
