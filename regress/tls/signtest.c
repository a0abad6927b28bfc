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
 * The parent's signer (smtpd/priv/sign.c and a back end, priv/tls.c or
 * priv/tls_wolfssl.c) as a hostile child sees it: what it signs, what it
 * refuses, and the per-connection limit.  OpenSSL makes the requests and
 * checks the answers, as the child's libssl would: the probe's digest is
 * the one session/tlskey.c compares, the signatures verify.
 * Usage: signtest rsa|ec CERT KEY (KEY "-": the key in CERT's file)
 *	  signtest refuse CERT KEY WHY (the key must not load)
 * Prints ok / not ok lines.
 */

#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "log.h"
#include "priv/priv.h"

static struct ps_msg	ans;
static int		ansok;

int
parent_reply(struct parent *p, uint32_t t, uint32_t id, int fd,
    const struct ps_buf *b)
{
	memcpy(ans.data, b->data, b->len);
	ans.len = b->len;
	ans.off = 0;
	ans.err = 0;
	ansok = 1;
	return 0;
}

void
parent_kill(struct parent *p, const char *why)
{
	_exit(3);
}

static EVP_PKEY	*pub;
static struct conf conf;
static struct parent par;

static int
tryload(void)
{
	const char	*f = conf.keyfile[0] ? conf.keyfile : conf.certfile;

	memset(&par, 0, sizeof(par));
	par.conf = &conf;
	if ((par.keyfd = open(f, O_RDONLY)) == -1)
		err(1, "%s", f);
	return tlspriv_load(&par);
}

static void
newparent(void)
{
	if (tryload() == -1)
		errx(1, "tlspriv_load");
}

/* One request; returns ok and the signature. */
static int
sign(uint32_t type, uint32_t pad, const uint8_t *in, size_t n, uint8_t *sig,
    size_t *siglen)
{
	static struct ps_msg	m;
	struct ps_buf		b;
	uint32_t		ok;

	ps_buf_init(&b);
	ps_add_u32(&b, type);
	ps_add_u32(&b, pad);
	ps_add_data(&b, in, n);
	memset(&m, 0, sizeof(m));
	memcpy(m.data, b.data, b.len);
	m.len = b.len;
	m.fd = -1;
	ansok = 0;
	p_sign(&par, &m);
	if (!ansok || ps_get_u32(&ans, &ok) == -1 ||
	    ps_get_data(&ans, sig, 1024, siglen) == -1)
		errx(1, "no answer");
	return ok;
}

static void
report(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
}

static int
verify_raw(const uint8_t *sig, size_t siglen, const uint8_t *in, size_t n,
    int pad)
{
	EVP_PKEY_CTX	*c = EVP_PKEY_CTX_new(pub, NULL);
	int		 ok;

	ok = c != NULL && EVP_PKEY_verify_init(c) == 1 &&
	    (pad == 0 || EVP_PKEY_CTX_set_rsa_padding(c, pad) == 1) &&
	    EVP_PKEY_verify(c, sig, siglen, in, n) == 1;
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* RSASSA-PSS as TLS 1.3 checks it: the hash's MGF1, salt as long. */
static int
verify_pss(const uint8_t *sig, size_t siglen, const uint8_t *h, size_t n,
    const EVP_MD *md)
{
	EVP_PKEY_CTX	*c = EVP_PKEY_CTX_new(pub, NULL);
	int		 ok;

	ok = c != NULL && EVP_PKEY_verify_init(c) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(c, md) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) == 1 &&
	    EVP_PKEY_verify(c, sig, siglen, h, n) == 1;
	EVP_PKEY_CTX_free(c);
	return ok;
}

static void
limit(void)
{
	uint8_t	d[32] = { 0 }, sig[1024];
	size_t	sl;
	pid_t	pid;
	int	st;

	if ((pid = fork()) == 0) {
		(void)sign(SIGN_PROBE, 0, NULL, 0, sig, &sl);
		(void)sign(SIGN_EC, 0, d, sizeof(d), sig, &sl);
		(void)sign(SIGN_EC, 0, d, sizeof(d), sig, &sl);
		(void)sign(SIGN_EC, 0, d, sizeof(d), sig, &sl);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	report(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	    "a third signature request kills the child (probe not counted)");
}

static void
rsa(void)
{
	static const uint8_t oid[3] = { 0x01, 0x02, 0x03 }; /* SHA-2 256..512 */
	static const uint8_t pfx[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09,
	    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	    0x04, 0x20 };
	const EVP_MD	*mds[3] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
	uint8_t	 in[1024], sig[1024], em[1024], h[64];
	size_t	 sl, k, i, hl;
	char	 what[128];
	int	 ok;

	k = EVP_PKEY_get_size(pub);
	for (i = 0; i < 3; i++) {
		/* 0x30 len 0x30 0x0d ... OID ... 0x05 0x00 0x04 hl */
		hl = EVP_MD_get_size(mds[i]);
		RAND_bytes(h, hl);
		memcpy(in, pfx, sizeof(pfx));
		in[1] = sizeof(pfx) - 2 + hl;
		in[14] = oid[i];
		in[18] = hl;
		memcpy(in + sizeof(pfx), h, hl);
		newparent();
		ok = sign(SIGN_RSA, SIGN_PAD_PKCS1, in, sizeof(pfx) + hl, sig,
		    &sl) && sl == k && verify_raw(sig, sl, in, sizeof(pfx) + hl,
		    RSA_PKCS1_PADDING);
		snprintf(what, sizeof(what), "RSA PKCS#1 over a SHA-%zu "
		    "DigestInfo: signed, verifies", hl * 8);
		report(ok, what);
	}
	RAND_bytes(in, 51);
	report(!sign(SIGN_RSA, SIGN_PAD_PKCS1, in, 51, sig, &sl),
	    "RSA PKCS#1 over arbitrary bytes: refused");
	for (i = 0; i < 3; i++) {
		hl = EVP_MD_get_size(mds[i]);
		RAND_bytes(h, hl);
		newparent();
		if (RSA_padding_add_PKCS1_PSS_mgf1(
		    (RSA *)EVP_PKEY_get0_RSA(pub), em, h, mds[i], mds[i],
		    -1) != 1)
			errx(1, "pss");
		ok = sign(SIGN_RSA, SIGN_PAD_NONE, em, k, sig, &sl) &&
		    sl == k && verify_pss(sig, sl, h, hl, mds[i]);
		snprintf(what, sizeof(what), "RSA raw over a PSS block "
		    "(SHA-%zu): signed, verifies as RSASSA-PSS", hl * 8);
		report(ok, what);
	}
	RAND_bytes(in, k);
	in[0] = 0;
	report(!sign(SIGN_RSA, SIGN_PAD_NONE, in, k, sig, &sl),
	    "RSA raw over random bytes (a decryption oracle): refused");
	newparent();
	em[k - 1] ^= 1;
	report(!sign(SIGN_RSA, SIGN_PAD_NONE, em, k, sig, &sl),
	    "RSA raw over a PSS block without its 0xbc: refused");
	report(!sign(SIGN_RSA, SIGN_PAD_NONE, em, k - 1, sig, &sl),
	    "RSA raw shorter than the modulus: refused");
	newparent();
	report(!sign(SIGN_EC, 0, h, 32, sig, &sl),
	    "a signature with the wrong key type: refused");
	report(!sign(SIGN_RSA, 2, in, k, sig, &sl),
	    "RSA with another padding: refused");
}

static void
ec(void)
{
	static const size_t lens[3] = { 32, 48, 64 };
	uint8_t	 sig[1024], h[64];
	size_t	 sl, i;
	char	 what[128];

	for (i = 0; i < 3; i++) {
		RAND_bytes(h, lens[i]);
		newparent();
		snprintf(what, sizeof(what), "ECDSA over a %zu-byte digest: "
		    "signed, verifies", lens[i]);
		report(sign(SIGN_EC, 0, h, lens[i], sig, &sl) &&
		    verify_raw(sig, sl, h, lens[i], 0), what);
	}
	report(!sign(SIGN_EC, 0, h, 20, sig, &sl),
	    "ECDSA over a 20-byte input: refused");
	newparent();
	report(!sign(SIGN_EC, 1, h, 32, sig, &sl),
	    "ECDSA with a padding: refused");
	report(!sign(SIGN_RSA, SIGN_PAD_PKCS1, h, 32, sig, &sl),
	    "a signature with the wrong key type: refused");
	newparent();
	limit();
}

int
main(int argc, char **argv)
{
	uint8_t	 sig[1024], spki[32], *der = NULL;
	size_t	 sl;
	FILE	*fp;
	X509	*x;
	char	 what[160];
	int	 len;

	if (argc < 4)
		errx(1, "usage: signtest rsa|ec|refuse CERT KEY [WHY]");
	log_init("signtest", LOG_TO_STDERR, 0);
	strlcpy(conf.certfile, argv[2], sizeof(conf.certfile));
	if (strcmp(argv[3], "-") != 0)
		strlcpy(conf.keyfile, argv[3], sizeof(conf.keyfile));
	if (strcmp(argv[1], "refuse") == 0) {
		snprintf(what, sizeof(what), "%s: refused",
		    argc > 4 ? argv[4] : argv[3]);
		report(tryload() == -1 && par.tlskey == NULL &&
		    !sign(SIGN_PROBE, 0, NULL, 0, sig, &sl) && sl == 0, what);
		return 0;
	}
	if ((fp = fopen(argv[2], "r")) == NULL ||
	    (x = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL)
		errx(1, "cert");
	fclose(fp);
	/* what the child compares the probe's answer with (tlskey.c) */
	pub = X509_get0_pubkey(x);
	len = i2d_PUBKEY(pub, &der);
	SHA256(der, len, spki);

	newparent();
	report(sign(SIGN_PROBE, 0, NULL, 0, sig, &sl) && sl == 32 &&
	    memcmp(sig, spki, 32) == 0,
	    "probe: SHA-256 of the key's SPKI, as the child's i2d_PUBKEY");
	report(par.signs == 0, "probe: not counted as a signature");
	if (strcmp(argv[1], "rsa") == 0)
		rsa();
	else
		ec();
	OPENSSL_free(der);
	X509_free(x);
	return 0;
}
