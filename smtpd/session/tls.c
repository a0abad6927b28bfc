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
 * Server-side TLS in the session child, written against libssl because
 * Debian 12's libtls (LibreTLS) cannot sign through a callback and
 * LibreSSL's libtls keeps its signer internal (tls_config_set_keypair_mem(3)
 * wants the key itself).  The child never holds the private key: it
 * loads the certificate and installs tlskey.c's stand-in, whose private
 * operation is a PS_SIGN_REQ to the parent, as the "private key".
 */

/* The RSA/EC_KEY method API is deprecated in OpenSSL 3 but still works. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#ifndef LIBRESSL_VERSION_NUMBER
#include <openssl/core_names.h>
#endif
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"
#include "session.h"
#define TLSKEY_OPENSSL
#include "tlskey.h"

/*
 * OpenSSL 3 (Linux, FreeBSD base) and LibreSSL (OpenBSD base).  Where
 * LibreSSL lacks a call: no SSL_CTX_set1_sigalgs_list(3), so the client's
 * list decides, and a SHA-1 signature is refused by the parent all the
 * same (priv/tls.c), failing that handshake; SSL_OP_NO_CLIENT_RENEGOTIATION
 * refuses what a server can be asked to renegotiate; and no read-ahead (the
 * default) leaves nothing unprocessed beyond SSL_pending(3)'s bytes, which
 * is what SSL_has_pending(3) adds in OpenSSL; and no OPENSSL_INIT_NO_LOAD_*
 * flags, so its error strings are loaded at set-up.
 */
#ifdef LIBRESSL_VERSION_NUMBER
#define TLS_NORENEG		SSL_OP_NO_CLIENT_RENEGOTIATION
#define TLS_INIT		(OPENSSL_INIT_LOAD_SSL_STRINGS | \
				    OPENSSL_INIT_LOAD_CRYPTO_STRINGS)
#define set_sigalgs(ctx)	1
#define has_pending(ssl)	0
#else
#define TLS_NORENEG		SSL_OP_NO_RENEGOTIATION
#define TLS_INIT		(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | \
				    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS)
#define set_sigalgs(ctx)	SSL_CTX_set1_sigalgs_list(ctx, TLS_SIGALGS)
#define has_pending(ssl)	SSL_has_pending(ssl)
#endif

/* TLS 1.2: ECDHE and AEAD only, so the parent's key only ever signs. */
#define TLS12_CIPHERS	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
			"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
/* No SHA-1: the parent refuses it. */
#define TLS_SIGALGS	"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:" \
			"rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:" \
			"RSA+SHA256:RSA+SHA384:RSA+SHA512"
#define TLS_SIDCTX	"upas-smtpd"
#define TLS_HSTIMEOUT	60		/* seconds for the whole handshake */

static uint8_t		 tls_tkeys[2 * TICKET_KEYLEN];
static size_t		 tls_ntkeys;

/*
 * Session tickets: encrypt with the current key, accept the previous.
 * The key, the AES-256-CBC cipher and the HMAC-SHA256 are the same on
 * both libraries; only the MAC context differs: OpenSSL 3's EVP_MAC
 * (SSL_CTX_set_tlsext_ticket_key_evp_cb(3)), LibreSSL's HMAC_CTX
 * (SSL_CTX_set_tlsext_ticket_key_cb(3), which OpenSSL 3 deprecates).
 */
static const uint8_t *
ticket_key(unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cctx,
    int enc)
{
	const uint8_t	*k = NULL;
	size_t		 i;

	if (enc) {
		k = tls_tkeys;
		if (RAND_bytes(iv, 16) != 1)
			return NULL;
		memcpy(name, k, 16);
		if (EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k + 16,
		    iv) != 1)
			return NULL;
	} else {
		for (i = 0; i < tls_ntkeys; i++)
			if (memcmp(name, tls_tkeys + i * TICKET_KEYLEN,
			    16) == 0)
				k = tls_tkeys + i * TICKET_KEYLEN;
		if (k == NULL)
			return NULL;
		if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k + 16,
		    iv) != 1)
			return NULL;
	}
	return k;
}

#ifdef LIBRESSL_VERSION_NUMBER
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, HMAC_CTX *hctx, int enc)
{
	const uint8_t	*k;

	if ((k = ticket_key(name, iv, cctx, enc)) == NULL)
		return enc ? -1 : 0;
	if (HMAC_Init_ex(hctx, k + 48, 32, EVP_sha256(), NULL) != 1)
		return -1;
	/* 2: accepted, but send a ticket under the current key */
	return (!enc && k != tls_tkeys) ? 2 : 1;
}
#define set_ticket_cb(ctx)	SSL_CTX_set_tlsext_ticket_key_cb(ctx, ticket_cb)
#else
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	OSSL_PARAM	 params[2];
	const uint8_t	*k;

	if ((k = ticket_key(name, iv, cctx, enc)) == NULL)
		return enc ? -1 : 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(hctx, k + 48, 32, params) != 1)
		return -1;
	/* 2: accepted, but send a ticket under the current key */
	return (!enc && k != tls_tkeys) ? 2 : 1;
}
#define set_ticket_cb(ctx)	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb)
#endif

static X509 *
load_chain(SSL_CTX *ctx, const char *file)
{
	BIO	*bio;
	X509	*leaf, *x;

	if ((bio = BIO_new_file(file, "r")) == NULL)
		return NULL;
	if ((leaf = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) == NULL) {
		BIO_free(bio);
		return NULL;
	}
	if (SSL_CTX_use_certificate(ctx, leaf) != 1)
		goto bad;
	SSL_CTX_clear_chain_certs(ctx);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			goto bad;
		}
	ERR_clear_error();	/* the end of the file */
	BIO_free(bio);
	return leaf;
 bad:
	BIO_free(bio);
	X509_free(leaf);
	return NULL;
}

static SSL_CTX *
tls_ctx(struct session *s, X509 **leafp)
{
	SSL_CTX		*ctx;
	X509		*leaf = NULL;
	EVP_PKEY	*pk = NULL;
	const uint8_t	*tk;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
	    set_sigalgs(ctx) != 1)
		goto bad;
	/* Renegotiation would cost signatures the parent will not make. */
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    TLS_NORENEG | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)TLS_SIDCTX,
	    sizeof(TLS_SIDCTX) - 1);
	/* One process per connection: a server-side cache is useless. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if ((tk = tls_ticketkeys(&tls_ntkeys)) != NULL && tls_ntkeys > 0) {
		if (tls_ntkeys > 2)
			tls_ntkeys = 2;
		memcpy(tls_tkeys, tk, tls_ntkeys * TICKET_KEYLEN);
		set_ticket_cb(ctx);
	} else
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 1);

	if ((leaf = load_chain(ctx, s->conf->certfile)) == NULL) {
		log_warnx("tls: cannot load certificate %s", s->conf->certfile);
		goto bad;
	}
	if ((pk = tlskey_remote(s, leaf)) == NULL ||
	    SSL_CTX_use_PrivateKey(ctx, pk) != 1) {
		log_warnx("tls: cannot use the certificate's key");
		goto bad;
	}
	EVP_PKEY_free(pk);
	*leafp = leaf;
	return ctx;
 bad:
	EVP_PKEY_free(pk);
	X509_free(leaf);
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * Before the privilege drop: library init, the certificate, the
 * context.  Then one probe round trip so that STARTTLS is offered only
 * when the parent really holds the matching key.  Any failure leaves
 * s->tlsctx NULL: no STARTTLS in EHLO, 454 to the verb (fail closed,
 * never a session in the clear that believes it is encrypted).
 */
int
tls_setup(struct session *s)
{
	SSL_CTX	*ctx;
	X509	*leaf = NULL;

	s->tls = NULL;
	s->tlsctx = NULL;
	if (s->conf->certfile[0] == '\0')
		return 0;
	/* OpenSSL: the error strings only when one is logged (tls_start) */
	OPENSSL_init_ssl(TLS_INIT, NULL);
	if ((ctx = tls_ctx(s, &leaf)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	if (tlskey_probe(leaf) == -1) {
		log_warnx("tls: the parent has no key for %s: no STARTTLS",
		    s->conf->certfile);
		X509_free(leaf);
		SSL_CTX_free(ctx);
		return 0;
	}
	X509_free(leaf);
	s->tlsctx = ctx;
	return 0;
}

/* Wait for what OpenSSL wants; -1 for any other error. */
static int
ssl_wait(struct session *s, int err, time_t deadline)
{
	if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
		return -1;
	return tls_wait(s, err == SSL_ERROR_WANT_WRITE, deadline);
}

/* After our 220 went out: the handshake, bounded in time. */
int
tls_start(struct session *s)
{
	SSL	*ssl;
	time_t	 deadline = time(NULL) + TLS_HSTIMEOUT;
	int	 r, err;
	char	 ebuf[128];

	if (s->tlsctx == NULL || s->tls != NULL)
		return -1;
	if ((ssl = SSL_new(s->tlsctx)) == NULL)
		return -1;
	tls_nonblock(s->infd);
	tls_nonblock(s->outfd);
	if (SSL_set_rfd(ssl, s->infd) != 1 || SSL_set_wfd(ssl, s->outfd) != 1) {
		SSL_free(ssl);
		return -1;
	}
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_accept(ssl)) == 1)
			break;
		err = SSL_get_error(ssl, r);
		if (ssl_wait(s, err, deadline) == -1) {
			if (err == SSL_ERROR_SSL) {
				(void)ERR_load_SSL_strings();
				ERR_error_string_n(ERR_peek_last_error(), ebuf,
				    sizeof(ebuf));
			} else if (errno == ETIMEDOUT)
				strlcpy(ebuf, "timeout", sizeof(ebuf));
			else
				strlcpy(ebuf, "connection lost", sizeof(ebuf));
			log_info("starttls failed reason=\"%s\"", ebuf);
			SSL_free(ssl);
			return -1;
		}
	}
	s->tls = ssl;
	strlcpy(s->tlsversion, SSL_get_version(ssl), sizeof(s->tlsversion));
	strlcpy(s->tlscipher, SSL_get_cipher_name(ssl), sizeof(s->tlscipher));
	s->tlsresumed = SSL_session_reused(ssl);
	log_info("starttls version=%s cipher=%s resumed=%d", s->tlsversion,
	    s->tlscipher, s->tlsresumed);
	return 0;
}

/* One SSL_read or SSL_write for tlsask.c's tls_read and tls_write. */
int
tls_step(struct session *s, int wr, void *buf, int len)
{
	SSL	*ssl = s->tls;
	int	 r, err;

	ERR_clear_error();
	if ((r = wr ? SSL_write(ssl, buf, len) : SSL_read(ssl, buf, len)) > 0)
		return r;
	err = SSL_get_error(ssl, r);
	if (err == SSL_ERROR_ZERO_RETURN && !wr)
		return 0;
	if (err == SSL_ERROR_WANT_READ)
		return TLS_WANTREAD;
	if (err == SSL_ERROR_WANT_WRITE)
		return TLS_WANTWRITE;
	return -1;
}

/* Decrypted bytes, or raw record bytes, already read from the socket. */
int
tls_pending(struct session *s)
{
	if (s->tls == NULL)
		return 0;
	return SSL_pending(s->tls) > 0 || has_pending(s->tls);
}

void
tls_close(struct session *s)
{
	if (s->tls != NULL) {
		(void)SSL_shutdown(s->tls);	/* one try: we are leaving */
		SSL_free(s->tls);
		s->tls = NULL;
	}
}

/* smtpd -T's client (tlstest.c): one handshake at TLS 1.3 or 1.2. */
int
tls_selftest_client(int fd, int tls13)
{
	SSL_CTX	*ctx;
	SSL	*ssl;
	int	 v = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
	char	 buf[4];

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, v) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, v) != 1 ||
	    (ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_connect(ssl) != 1 || SSL_write(ssl, "ok\n", 3) != 3 ||
	    SSL_read(ssl, buf, sizeof(buf)) <= 0)
		return -1;
	return 0;
}

void
tls_ctx_free(struct session *s)
{
	SSL_CTX_free(s->tlsctx);
	s->tlsctx = NULL;
}
