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
 * The parent's signer (smtpd/priv/tls.c) as a hostile child sees it: what it
 * signs, what it refuses, and the per-connection limit.
 * Usage: signtest rsa|ec CERT KEY.  Prints ok / not ok lines.
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

/* tls.c's context asks smtpd (tlsmod.c) for ticket keys: none here */
const uint8_t *
tls_ticketkeys(size_t *n)
{
	*n = 0;
	return NULL;
}

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

static void
newparent(const char *key)
{
	memset(&par, 0, sizeof(par));
	par.conf = &conf;
	if ((par.keyfd = open(key, O_RDONLY)) == -1 || tlspriv_load(&par) == -1)
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

int
main(int argc, char **argv)
{
	static const uint8_t pfx[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09,
	    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	    0x04, 0x20 };
	uint8_t	 in[1024], sig[1024], em[1024], h[32], spki[32], *der = NULL;
	size_t	 sl, k;
	FILE	*fp;
	X509	*x;
	RSA	*rsa;
	int	 len;

	log_init("signtest", LOG_TO_STDERR, 0);
	strlcpy(conf.certfile, argv[2], sizeof(conf.certfile));
	strlcpy(conf.keyfile, argv[3], sizeof(conf.keyfile));
	if ((fp = fopen(argv[2], "r")) == NULL ||
	    (x = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL)
		errx(1, "cert");
	pub = X509_get0_pubkey(x);
	len = i2d_PUBKEY(pub, &der);
	SHA256(der, len, spki);
	RAND_bytes(h, sizeof(h));

	newparent(argv[3]);
	report(sign(SIGN_PROBE, 0, NULL, 0, sig, &sl) && sl == 32 &&
	    memcmp(sig, spki, 32) == 0, "probe: the SPKI hash of the key");
	report(par.signs == 0, "probe: not counted as a signature");
	if (strcmp(argv[1], "rsa") == 0) {
		k = EVP_PKEY_get_size(pub);
		memcpy(in, pfx, sizeof(pfx));
		memcpy(in + sizeof(pfx), h, 32);
		report(sign(SIGN_RSA, SIGN_PAD_PKCS1, in, 51, sig, &sl) &&
		    verify_raw(sig, sl, in, 51, RSA_PKCS1_PADDING),
		    "RSA PKCS#1 over a SHA-256 DigestInfo: signed, verifies");
		RAND_bytes(in, 51);
		report(!sign(SIGN_RSA, SIGN_PAD_PKCS1, in, 51, sig, &sl),
		    "RSA PKCS#1 over arbitrary bytes: refused");
		newparent(argv[3]);
		rsa = (RSA *)EVP_PKEY_get0_RSA(pub);
		if (RSA_padding_add_PKCS1_PSS_mgf1(rsa, em, h, EVP_sha256(),
		    EVP_sha256(), -1) != 1)
			errx(1, "pss");
		report(sign(SIGN_RSA, SIGN_PAD_NONE, em, k, sig, &sl) &&
		    sl == k, "RSA raw over a PSS block: signed");
		RAND_bytes(in, k);
		in[0] = 0;
		report(!sign(SIGN_RSA, SIGN_PAD_NONE, in, k, sig, &sl),
		    "RSA raw over random bytes (a decryption oracle): refused");
		newparent(argv[3]);
		report(!sign(SIGN_EC, 0, h, 32, sig, &sl),
		    "a signature with the wrong key type: refused");
		report(!sign(SIGN_RSA, 2, in, k, sig, &sl),
		    "RSA with another padding: refused");
	} else {
		report(sign(SIGN_EC, 0, h, 32, sig, &sl) &&
		    verify_raw(sig, sl, h, 32, 0),
		    "ECDSA over a 32-byte digest: signed, verifies");
		report(!sign(SIGN_EC, 0, h, 20, sig, &sl),
		    "ECDSA over a 20-byte input: refused");
		newparent(argv[3]);
		report(!sign(SIGN_RSA, SIGN_PAD_PKCS1, h, 32, sig, &sl),
		    "a signature with the wrong key type: refused");
		newparent(argv[3]);
		limit();
	}
	return 0;
}
