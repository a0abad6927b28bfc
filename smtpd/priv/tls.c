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
 * The parent's half of TLS: it alone reads the private key, and signs for
 * the child only what a TLS handshake needs (a DigestInfo, a PSS block, an
 * ECDSA digest), at most SIGN_MAX times per connection.  Built alone
 * into smtpd-tlspriv.so, linked with libcrypto only, which priv/tlsfwd.c
 * loads in the parent; and into smtpd-tls.so for tlstest.c's signer.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "log.h"
#include "priv.h"

#define KEYFILE_MAX	(1024 * 1024)
#define SIGN_INMAX	1024		/* an RSA-8192 block */

struct tlskey {
	EVP_PKEY	*pk;
	uint32_t	 type;		/* SIGN_RSA, SIGN_EC */
	uint8_t		 spki[SHA256_DIGEST_LENGTH];
};

static struct tlskey	tlskey;

/* DER DigestInfo prefixes (RFC 8017 9.2 note 1) TLS 1.2 may ask for. */
static const struct {
	size_t		len;	/* digest length */
	uint8_t		pfx[19];
} diginfo[] = {
	{ 32, { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 } },
	{ 48, { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 } },
	{ 64, { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 } },
};

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
	size_t		 len = 0;
	ssize_t		 n;
	BIO		*bio = NULL;
	EVP_PKEY	*pk = NULL;
	X509		*x = NULL;
	int		 rv = -1;

	p->tlskey = NULL;
	EVP_PKEY_free(tlskey.pk);	/* a second load replaces the first */
	tlskey.pk = NULL;
	if (p->keyfd == -1)
		return conf->certfile[0] == '\0' ? 0 : -1;
	if ((buf = malloc(KEYFILE_MAX)) == NULL)
		fatal("tlspriv_load");
	while (len < KEYFILE_MAX &&
	    (n = read(p->keyfd, buf + len, KEYFILE_MAX - len)) > 0)
		len += n;
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
		tlskey.type = SIGN_RSA;
		break;
	case EVP_PKEY_EC:
		tlskey.type = SIGN_EC;
		break;
	default:
		log_warnx("tls: key type not supported (RSA, EC)");
		goto done;
	}
	if (spki_hash(pk, tlskey.spki) == -1)
		goto done;
	tlskey.pk = pk;
	pk = NULL;
	p->tlskey = &tlskey;
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

static void
mgf1(const EVP_MD *md, const uint8_t *seed, size_t slen, uint8_t *mask,
    size_t mlen)
{
	EVP_MD_CTX	*ctx;
	uint8_t		 h[EVP_MAX_MD_SIZE], c[4];
	unsigned int	 hl;
	uint32_t	 i;
	size_t		 off, n;

	for (i = 0, off = 0; off < mlen; i++) {
		c[0] = i >> 24;
		c[1] = i >> 16;
		c[2] = i >> 8;
		c[3] = i;
		if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, seed, slen) != 1 ||
		    EVP_DigestUpdate(ctx, c, 4) != 1 ||
		    EVP_DigestFinal_ex(ctx, h, &hl) != 1)
			fatalx("mgf1");
		EVP_MD_CTX_free(ctx);
		n = mlen - off < hl ? mlen - off : hl;
		memcpy(mask + off, h, n);
		off += n;
	}
}

/*
 * Is em (as long as the modulus) an RSASSA-PSS encoding (RFC 8017 9.1)
 * with SHA-256/384/512 and a salt as long as the hash, as TLS 1.3 and
 * TLS 1.2's rsa_pss_rsae_* make?  The digest itself cannot be checked;
 * this keeps the raw RSA operation from being a decryption oracle.
 */
static int
pss_ok(const uint8_t *em, size_t k, int modbits)
{
	const EVP_MD	*mds[3] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
	uint8_t		 db[SIGN_INMAX];
	size_t		 embits = modbits - 1, emlen = (embits + 7) / 8;
	size_t		 hlen, dblen, i, j;
	uint8_t		 topmask = 0xff >> (8 * emlen - embits);

	if (emlen < k) {
		if (em[0] != 0)
			return 0;
		em++;
	}
	if (emlen > sizeof(db) || em[emlen - 1] != 0xbc ||
	    (em[0] & ~topmask) != 0)
		return 0;
	for (i = 0; i < 3; i++) {
		hlen = EVP_MD_size(mds[i]);
		if (emlen < 2 * hlen + 2)
			continue;
		dblen = emlen - hlen - 1;
		mgf1(mds[i], em + dblen, hlen, db, dblen);
		for (j = 0; j < dblen; j++)
			db[j] ^= em[j];
		db[0] &= topmask;
		for (j = 0; j < dblen - hlen - 1 && db[j] == 0; j++)
			;
		if (j == dblen - hlen - 1 && db[j] == 0x01)
			return 1;
	}
	return 0;
}

static int
input_ok(uint32_t type, uint32_t pad, const uint8_t *in, size_t len)
{
	size_t	 i;
	int	 k;

	if (type != tlskey.type)
		return 0;
	if (type == SIGN_EC)
		return pad == 0 && (len == 32 || len == 48 || len == 64);
	k = EVP_PKEY_size(tlskey.pk);
	if (pad == SIGN_PAD_PKCS1) {
		for (i = 0; i < sizeof(diginfo) / sizeof(diginfo[0]); i++)
			if (len == sizeof(diginfo[i].pfx) + diginfo[i].len &&
			    memcmp(in, diginfo[i].pfx,
			    sizeof(diginfo[i].pfx)) == 0)
				return 1;
		return 0;
	}
	if (pad == SIGN_PAD_NONE)
		return k > 0 && len == (size_t)k &&
		    pss_ok(in, len, EVP_PKEY_bits(tlskey.pk));
	return 0;
}

static int
do_sign(uint32_t pad, const uint8_t *in, size_t len, uint8_t *sig,
    size_t *siglen)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok = 0;

	if ((ctx = EVP_PKEY_CTX_new(tlskey.pk, NULL)) == NULL)
		return 0;
	if (EVP_PKEY_sign_init(ctx) != 1)
		goto done;
	if (tlskey.type == SIGN_RSA && EVP_PKEY_CTX_set_rsa_padding(ctx,
	    pad == SIGN_PAD_PKCS1 ? RSA_PKCS1_PADDING : RSA_NO_PADDING) != 1)
		goto done;
	ok = EVP_PKEY_sign(ctx, sig, siglen, in, len) == 1;
 done:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

void
p_sign(struct parent *p, struct ps_msg *m)
{
	struct ps_buf	 b;
	uint32_t	 type, pad, ok = 0;
	uint8_t		 in[SIGN_INMAX], sig[SIGN_INMAX];
	size_t		 len, siglen = 0;

	if (ps_get_u32(m, &type) == -1 || ps_get_u32(m, &pad) == -1 ||
	    ps_get_data(m, in, sizeof(in), &len) == -1 || ps_end(m) == -1) {
		parent_kill(p, "malformed sign request");
		return;
	}
	ps_buf_init(&b);
	if (type == SIGN_PROBE) {
		/* costs nothing, signs nothing: may the child offer TLS? */
		ok = p->tlskey != NULL;
		ps_add_u32(&b, ok);
		ps_add_data(&b, tlskey.spki, ok ? sizeof(tlskey.spki) : 0);
		parent_reply(p, PS_SIGN_ANS, m->hdr.id, -1, &b);
		return;
	}
	if (++p->signs > SIGN_MAX) {
		parent_kill(p, "too many signature requests");
		return;
	}
	if (p->tlskey == NULL)
		log_warnx("sign: no key loaded");
	else if (!input_ok(type, pad, in, len))
		log_warnx("sign: refused type=%u padding=%u len=%zu", type,
		    pad, len);
	else {
		siglen = sizeof(sig);
		if (!(ok = do_sign(pad, in, len, sig, &siglen))) {
			log_warnx("sign: failed");
			siglen = 0;
		}
	}
	ps_add_u32(&b, ok);
	ps_add_data(&b, sig, siglen);
	parent_reply(p, PS_SIGN_ANS, m->hdr.id, -1, &b);
	explicit_bzero(in, sizeof(in));
}
