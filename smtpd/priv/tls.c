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
 * The parent's half of TLS with libcrypto: it alone reads the private
 * key, and signs for the child what sign.c lets through.  Built with
 * sign.c into smtpd-tlspriv.so, linked with libcrypto only, which
 * priv/tlsfwd.c loads in the parent; and into smtpd-tls.so for
 * tlstest.c's signer.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "log.h"
#include "priv.h"
#include "sign.h"

static EVP_PKEY	*tlspk;

static X509 *
read_cert(const struct conf *conf, BIO *keybio)
{
	BIO	*bio;
	X509	*x;

	if (conf->keyfile[0] == '\0' ||
	    strcmp(conf->keyfile, conf->certfile) == 0) {
		(void)BIO_reset(keybio);
		return PEM_read_bio_X509(keybio, NULL, NULL, NULL);
	}
	if ((bio = BIO_new_file(conf->certfile, "r")) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

static int
spki_hash(EVP_PKEY *pk, uint8_t *out)
{
	uint8_t	*der = NULL;
	int	 len;

	if ((len = i2d_PUBKEY(pk, &der)) <= 0)
		return -1;
	SHA256(der, len, out);
	OPENSSL_free(der);
	return 0;
}

/* After fork: read the key the root process opened, and check it. */
int
tlspriv_load(struct parent *p)
{
	const struct conf *conf = p->conf;
	char		*buf;
	size_t		 len;
	BIO		*bio = NULL;
	EVP_PKEY	*pk = NULL;
	X509		*x = NULL;
	int		 rv = -1;

	p->tlskey = NULL;
	EVP_PKEY_free(tlspk);		/* a second load replaces the first */
	tlspk = NULL;
	memset(&signkey, 0, sizeof(signkey));
	if (p->keyfd == -1)
		return conf->certfile[0] == '\0' ? 0 : -1;
	buf = sign_slurp(p->keyfd, &len);
	close(p->keyfd);
	p->keyfd = -1;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto done;
	if ((pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"")) ==
	    NULL) {
		log_warnx("tls: no private key in %s", conf->keyfile[0] ?
		    conf->keyfile : conf->certfile);
		goto done;
	}
	if ((x = read_cert(conf, bio)) == NULL) {
		log_warnx("tls: cannot read certificate %s", conf->certfile);
		goto done;
	}
	if (X509_check_private_key(x, pk) != 1) {
		log_warnx("tls: key does not match certificate %s",
		    conf->certfile);
		goto done;
	}
	switch (EVP_PKEY_base_id(pk)) {
	case EVP_PKEY_RSA:
		signkey.type = SIGN_RSA;
		signkey.bits = EVP_PKEY_bits(pk);
		signkey.size = EVP_PKEY_size(pk);
		break;
	case EVP_PKEY_EC:
		signkey.type = SIGN_EC;
		break;
	default:
		log_warnx("tls: key type not supported (RSA, EC)");
		goto done;
	}
	if (spki_hash(pk, signkey.spki) == -1)
		goto done;
	tlspk = pk;
	pk = NULL;
	p->tlskey = &signkey;
	rv = 0;
 done:
	ERR_clear_error();
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(pk);
	explicit_bzero(buf, len);
	free(buf);
	return rv;
}

/* SHA-256, -384 or -512 (by hlen) for sign.c's PSS check. */
int
sign_hash(size_t hlen, const uint8_t *in, size_t len, uint8_t *out)
{
	const EVP_MD	*md;
	unsigned int	 n;

	switch (hlen) {
	case 32:
		md = EVP_sha256();
		break;
	case 48:
		md = EVP_sha384();
		break;
	case 64:
		md = EVP_sha512();
		break;
	default:
		return -1;
	}
	if (EVP_Digest(in, len, out, &n, md, NULL) != 1 || n != hlen) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* Sign what sign.c checked: 1 and the signature, or 0. */
int
sign_key(uint32_t pad, const uint8_t *in, size_t len, uint8_t *sig,
    size_t *siglen)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok = 0;

	if ((ctx = EVP_PKEY_CTX_new(tlspk, NULL)) == NULL)
		return 0;
	if (EVP_PKEY_sign_init(ctx) != 1)
		goto done;
	if (signkey.type == SIGN_RSA && EVP_PKEY_CTX_set_rsa_padding(ctx,
	    pad == SIGN_PAD_PKCS1 ? RSA_PKCS1_PADDING : RSA_NO_PADDING) != 1)
		goto done;
	ok = EVP_PKEY_sign(ctx, sig, siglen, in, len) == 1;
 done:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
