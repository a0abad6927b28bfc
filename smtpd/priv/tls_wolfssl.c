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
 * The parent's half of TLS with wolfCrypt: it alone reads the private
 * key, and signs for the child what sign.c lets through.  Built with
 * sign.c into smtpd-tlspriv.so, linked with libwolfssl only, which
 * priv/tlsfwd.c loads in the parent; and into smtpd-tls.so for
 * tlstest.c's signer.  The same checks and answers as priv/tls.c.
 */

#include <wolfssl/options.h>

#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/rsa.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include "log.h"
#include "priv.h"
#include "sign.h"

/* a DER SubjectPublicKeyInfo: RSA-16384 and some */
#define SPKI_MAX	2200

static RsaKey	rsa;
static ecc_key	ecc;
static WC_RNG	rng;
static int	haversa, haveecc, haverng;

/*
 * One public key, from a private key or a certificate, as the DER
 * SubjectPublicKeyInfo OpenSSL's i2d_PUBKEY makes of it: the child hashes
 * the certificate's that way (session/tlskey.c), so the probe's digest
 * must be of these bytes.  AlgorithmIdentifier rsaEncryption with NULL
 * parameters (RFC 8017 A.1), or id-ecPublicKey with the named curve and
 * the uncompressed point (RFC 5480 2).  Length, or -1.
 */
static int
spki_der(RsaKey *r, ecc_key *e, uint8_t *out, size_t outsz)
{
	int	 n;

	if (r != NULL)
		n = wc_RsaKeyToPublicDer(r, out, outsz);
	else
		n = wc_EccPublicKeyToDer(e, out, outsz, 1);
	return n > 0 ? n : -1;
}

/*
 * The certificate: the first in the key's file when the key came with
 * it, else the first in certfile (read_cert in priv/tls.c).  Its
 * SubjectPublicKeyInfo re-encoded in spki, so that a key matches it
 * when the two encodings are the same bytes.  Length; 0, a key of
 * another kind than ours; or -1, no certificate.
 */
static int
cert_spki(const struct conf *conf, const char *kbuf, size_t klen,
    uint8_t *spki, size_t spkisz)
{
	DecodedCert	*dc = NULL;
	RsaKey		 pr;
	ecc_key		 pe;
	uint8_t		*der = NULL, pub[SPKI_MAX];
	const char	*pem = kbuf;
	char		*own = NULL;
	size_t		 len = klen;
	word32		 plen = sizeof(pub), idx = 0;
	int		 fd, n, rv = -1;

	if (conf->keyfile[0] != '\0' &&
	    strcmp(conf->keyfile, conf->certfile) != 0) {
		if ((fd = open(conf->certfile, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		pem = own = sign_slurp(fd, &len);
		close(fd);
	}
	if ((der = malloc(len > 0 ? len : 1)) == NULL ||
	    (dc = malloc(sizeof(*dc))) == NULL)
		fatal("cert_spki");
	if ((n = wc_CertPemToDer((const byte *)pem, len, der, len,
	    CERT_TYPE)) <= 0)
		goto done;
	wc_InitDecodedCert(dc, der, n, NULL);
	/* no chain here to verify with: parsed as priv/tls.c reads it */
	if (wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL) == 0 &&
	    wc_GetPubKeyDerFromCert(dc, pub, &plen) == 0) {
		rv = 0;
		if (dc->keyOID == RSAk && haversa) {
			if (wc_InitRsaKey(&pr, NULL) == 0) {
				rv = wc_RsaPublicKeyDecode(pub, &idx, &pr,
				    plen) == 0 ? spki_der(&pr, NULL, spki,
				    spkisz) : -1;
				wc_FreeRsaKey(&pr);
			}
		} else if (dc->keyOID == ECDSAk && haveecc) {
			if (wc_ecc_init(&pe) == 0) {
				rv = wc_EccPublicKeyDecode(pub, &idx, &pe,
				    plen) == 0 ? spki_der(NULL, &pe, spki,
				    spkisz) : -1;
				wc_ecc_free(&pe);
			}
		}
	}
	wc_FreeDecodedCert(dc);
 done:
	free(own);
	free(der);
	free(dc);
	return rv;
}

static void
unload(void)
{
	if (haversa)
		wc_FreeRsaKey(&rsa);
	if (haveecc)
		wc_ecc_free(&ecc);
	haversa = haveecc = 0;
	memset(&signkey, 0, sizeof(signkey));
}

/*
 * The private key, RSA (PKCS#1 or PKCS#8) or EC (SEC 1 or PKCS#8), from
 * the PEM in buf: 0, or -1.  An encrypted key has no password here, and
 * fails to decode.
 */
static int
decode_key(const char *buf, size_t len)
{
	uint8_t	*der;
	word32	 idx;
	int	 n, rv = -1;

	if ((der = malloc(len > 0 ? len : 1)) == NULL)
		fatal("decode_key");
	if ((n = wc_KeyPemToDer((const byte *)buf, len, der, len, NULL)) <= 0)
		goto done;
	idx = 0;
	if (wc_InitRsaKey(&rsa, NULL) != 0)
		goto done;
	if (wc_RsaPrivateKeyDecode(der, &idx, &rsa, n) == 0) {
		haversa = 1;
		rv = 0;
		goto done;
	}
	wc_FreeRsaKey(&rsa);
	idx = 0;
	if (wc_ecc_init(&ecc) != 0)
		goto done;
	if (wc_EccPrivateKeyDecode(der, &idx, &ecc, n) == 0) {
		haveecc = 1;
		/* SEC 1's publicKey is optional (RFC 5915 3) */
		if (ecc.type == ECC_PRIVATEKEY_ONLY &&
		    wc_ecc_make_pub(&ecc, NULL) != 0)
			goto done;
		rv = 0;
		goto done;
	}
	wc_ecc_free(&ecc);
 done:
	explicit_bzero(der, len);
	free(der);
	return rv;
}

/* The modulus's length in bits and bytes, for sign.c's checks. */
static int
rsa_size(void)
{
	uint8_t	 e[16], n[SIGN_INMAX];
	word32	 el = sizeof(e), nl = sizeof(n), i;
	int	 b;

	if (wc_RsaFlattenPublicKey(&rsa, e, &el, n, &nl) != 0)
		return -1;
	for (i = 0; i < nl && n[i] == 0; i++)
		;
	if (i == nl)
		return -1;
	for (b = 8; !(n[i] & (1 << (b - 1))); b--)
		;
	signkey.bits = (nl - i - 1) * 8 + b;
	signkey.size = nl - i;
	return 0;
}

/* After fork: read the key the root process opened, and check it. */
int
tlspriv_load(struct parent *p)
{
	const struct conf *conf = p->conf;
	const char	*kname;
	char		*buf;
	uint8_t		 mine[SPKI_MAX], theirs[SPKI_MAX];
	size_t		 len;
	int		 ml, tl, rv = -1;

	p->tlskey = NULL;
	unload();			/* a second load replaces the first */
	if (p->keyfd == -1)
		return conf->certfile[0] == '\0' ? 0 : -1;
	kname = conf->keyfile[0] ? conf->keyfile : conf->certfile;
	buf = sign_slurp(p->keyfd, &len);
	close(p->keyfd);
	p->keyfd = -1;
	/* blinding (RSA) and the nonce (ECDSA) draw on it */
	if (!haverng) {
		if (wc_InitRng(&rng) != 0) {
			log_warnx("tls: no random number generator");
			goto done;
		}
		haverng = 1;
	}
	if (decode_key(buf, len) == -1) {
		log_warnx("tls: no private key (RSA, EC; not encrypted) "
		    "in %s", kname);
		goto done;
	}
	if (haversa) {
		signkey.type = SIGN_RSA;
		/* the library decodes longer keys, but cannot use them */
		if (wc_RsaSetRNG(&rsa, &rng) != 0 || rsa_size() == -1 ||
		    signkey.bits > RSA_MAX_SIZE) {
			log_warnx("tls: RSA key in %s unusable (at most "
			    "%d bits)", kname, RSA_MAX_SIZE);
			goto done;
		}
	} else
		signkey.type = SIGN_EC;
	if ((ml = spki_der(haversa ? &rsa : NULL, haveecc ? &ecc : NULL,
	    mine, sizeof(mine))) == -1)
		goto done;
	if ((tl = cert_spki(conf, buf, len, theirs, sizeof(theirs))) == -1) {
		log_warnx("tls: cannot read certificate %s", conf->certfile);
		goto done;
	}
	if (ml != tl || memcmp(mine, theirs, ml) != 0) {
		log_warnx("tls: key does not match certificate %s",
		    conf->certfile);
		goto done;
	}
	if (wc_Sha256Hash(mine, ml, signkey.spki) != 0)
		goto done;
	p->tlskey = &signkey;
	rv = 0;
 done:
	if (rv == -1)
		unload();
	explicit_bzero(buf, len);
	free(buf);
	return rv;
}

/* SHA-256, -384 or -512 (by hlen) for sign.c's PSS check. */
int
sign_hash(size_t hlen, const uint8_t *in, size_t len, uint8_t *out)
{
	int	 r;

	switch (hlen) {
	case WC_SHA256_DIGEST_SIZE:
		r = wc_Sha256Hash(in, len, out);
		break;
	case WC_SHA384_DIGEST_SIZE:
		r = wc_Sha384Hash(in, len, out);
		break;
	case WC_SHA512_DIGEST_SIZE:
		r = wc_Sha512Hash(in, len, out);
		break;
	default:
		return -1;
	}
	return r == 0 ? 0 : -1;
}

/*
 * Sign what sign.c checked: 1 and the signature, or 0.  PKCS#1 v1.5
 * pads the DigestInfo (RFC 8017 8.2.1); a PSS block, already encoded by
 * the child, takes the bare private-key operation (RSASP1, RFC 8017
 * 5.2.1), blinded; ECDSA's signature is DER (RFC 8446 4.2.3).
 */
int
sign_key(uint32_t pad, const uint8_t *in, size_t len, uint8_t *sig,
    size_t *siglen)
{
	word32	 n = *siglen;
	int	 r;

	if (haveecc) {
		if (wc_ecc_sign_hash(in, len, sig, &n, &rng, &ecc) != 0)
			return 0;
	} else if (pad == SIGN_PAD_PKCS1) {
		if ((r = wc_RsaSSL_Sign(in, len, sig, n, &rsa, &rng)) <= 0 ||
		    (size_t)r > *siglen)
			return 0;
		n = r;
	} else {
		/*
		 * wc_RsaDirect reads its input only, and answers the
		 * length (it leaves n as it was)
		 */
		if ((r = wc_RsaDirect((byte *)in, len, sig, &n, &rsa,
		    RSA_PRIVATE_ENCRYPT, &rng)) <= 0 || (size_t)r > *siglen)
			return 0;
		n = r;
	}
	*siglen = n;
	return 1;
}
