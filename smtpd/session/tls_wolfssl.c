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
 * Server-side TLS in the session child with wolfSSL, the back end that
 * costs least at start-up (regress/bench/README): the same entry points,
 * protocol versions, cipher suites and signature algorithms as the
 * OpenSSL one (tls.c).  The private key stays in the parent
 * (tlskey_wolfssl.c).  wolfSSL seeds each connection's generator from
 * /dev/urandom when the connection object is made, which the sealed
 * child cannot open: so that object is made in tls_setup, before the
 * sandbox.  wolfSSL has no renegotiation in this build
 * (HAVE_SECURE_RENEGOTIATION is off): a server never renegotiates.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>

#include "log.h"
#include "session.h"
#define TLSKEY_WOLFSSL
#include "tlskey.h"

/* TLS 1.3's AEAD suites; TLS 1.2: ECDHE and AEAD only (tls.c). */
#define TLS_CIPHERS	"TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:" \
			"TLS13-AES128-GCM-SHA256:" \
			"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
			"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
/* No SHA-1: the parent refuses it. */
#define TLS_SIGALGS	"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:" \
			"RSA-PSS+SHA256:RSA-PSS+SHA384:RSA-PSS+SHA512:" \
			"RSA+SHA256:RSA+SHA384:RSA+SHA512"
#define TLS_HSTIMEOUT	60		/* seconds for the whole handshake */
#define TLS13_SUITE	0x13		/* TLS 1.3 suites are 0x13,xx (RFC 8446 B.4) */
#define TICKET_AAD	(WOLFSSL_TICKET_NAME_SZ + WOLFSSL_TICKET_IV_SZ + 2)

static WOLFSSL	*tls_pre;		/* made before the sandbox */
static uint8_t	 tls_tkeys[2 * TICKET_KEYLEN];
static size_t	 tls_ntkeys;

/*
 * Session tickets, sealed with ChaCha20-Poly1305 under the current key
 * (name, then 32 bytes of key, of the parent's TICKET_KEYLEN), the name,
 * the nonce and the length authenticated as well; the previous key is
 * accepted and answered with a new ticket.
 */
static int
ticket_cb(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
    unsigned char iv[WOLFSSL_TICKET_IV_SZ],
    unsigned char mac[WOLFSSL_TICKET_MAC_SZ], int enc,
    unsigned char *ticket, int len, int *outlen, void *arg)
{
	const uint8_t	*k = NULL;
	uint8_t		 aad[TICKET_AAD];
	size_t		 i;

	if (len < 0 || len > 0xffff)
		return WOLFSSL_TICKET_RET_FATAL;
	if (enc) {
		k = tls_tkeys;
		memcpy(name, k, WOLFSSL_TICKET_NAME_SZ);
		arc4random_buf(iv, WOLFSSL_TICKET_IV_SZ);
	} else {
		for (i = 0; i < tls_ntkeys; i++)
			if (memcmp(name, tls_tkeys + i * TICKET_KEYLEN,
			    WOLFSSL_TICKET_NAME_SZ) == 0)
				k = tls_tkeys + i * TICKET_KEYLEN;
		if (k == NULL)
			return WOLFSSL_TICKET_RET_REJECT;
	}
	memcpy(aad, name, WOLFSSL_TICKET_NAME_SZ);
	memcpy(aad + WOLFSSL_TICKET_NAME_SZ, iv, WOLFSSL_TICKET_IV_SZ);
	aad[TICKET_AAD - 2] = len >> 8;
	aad[TICKET_AAD - 1] = len & 0xff;
	if (enc) {
		memset(mac, 0, WOLFSSL_TICKET_MAC_SZ);
		if (wc_ChaCha20Poly1305_Encrypt(k + WOLFSSL_TICKET_NAME_SZ, iv,
		    aad, sizeof(aad), ticket, len, ticket, mac) != 0)
			return WOLFSSL_TICKET_RET_FATAL;
	} else if (wc_ChaCha20Poly1305_Decrypt(k + WOLFSSL_TICKET_NAME_SZ, iv,
	    aad, sizeof(aad), ticket, len, mac, ticket) != 0)
		return WOLFSSL_TICKET_RET_REJECT;
	*outlen = len;
	return (!enc && k != tls_tkeys) ? WOLFSSL_TICKET_RET_CREATE :
	    WOLFSSL_TICKET_RET_OK;
}

static WOLFSSL_CTX *
tls_ctx(struct session *s)
{
	WOLFSSL_CTX	*ctx;
	const uint8_t	*tk;

	if ((ctx = wolfSSL_CTX_new(wolfSSLv23_server_method())) == NULL)
		return NULL;
	if (wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_cipher_list(ctx, TLS_CIPHERS) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set1_sigalgs_list(ctx, TLS_SIGALGS) != WOLFSSL_SUCCESS)
		goto bad;
	/* One process per connection: a server-side cache is useless. */
	wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF);
	if ((tk = tls_ticketkeys(&tls_ntkeys)) != NULL && tls_ntkeys > 0) {
		if (tls_ntkeys > 2)
			tls_ntkeys = 2;
		memcpy(tls_tkeys, tk, tls_ntkeys * TICKET_KEYLEN);
		if (wolfSSL_CTX_set_TicketEncCb(ctx, ticket_cb) !=
		    WOLFSSL_SUCCESS)
			goto bad;
	} else if (wolfSSL_CTX_NoTicketTLSv12(ctx) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_no_ticket_TLSv13(ctx) != 0)	/* tls13.c's: 0 */
		goto bad;
	if (wolfSSL_CTX_use_certificate_chain_file(ctx, s->conf->certfile) !=
	    WOLFSSL_SUCCESS) {
		log_warnx("tls: cannot load certificate %s", s->conf->certfile);
		goto bad;
	}
	if (tlskey_remote(s, ctx) == -1) {
		log_warnx("tls: cannot use the certificate's key");
		goto bad;
	}
	return ctx;
 bad:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

/*
 * Before the privilege drop: library init, the certificate, the context,
 * the connection object.  Then one probe round trip so that STARTTLS is
 * offered only when the parent really holds the matching key.  Any
 * failure leaves s->tlsctx NULL: no STARTTLS in EHLO, 454 to the verb.
 */
int
tls_setup(struct session *s)
{
	WOLFSSL_CTX	*ctx;

	s->tls = NULL;
	s->tlsctx = NULL;
	if (s->conf->certfile[0] == '\0')
		return 0;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS || (ctx = tls_ctx(s)) == NULL)
		return 0;
	if (tlskey_probe(ctx) == -1) {
		log_warnx("tls: the parent has no key for %s: no STARTTLS",
		    s->conf->certfile);
		wolfSSL_CTX_free(ctx);
		return 0;
	}
	if ((tls_pre = wolfSSL_new(ctx)) == NULL) {
		wolfSSL_CTX_free(ctx);
		return 0;
	}
	s->tlsctx = ctx;
	return 0;
}

/* Wait for what wolfSSL wants; -1 for any other error. */
static int
ssl_wait(struct session *s, int err, time_t deadline)
{
	if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE)
		return -1;
	return tls_wait(s, err == WOLFSSL_ERROR_WANT_WRITE, deadline);
}

/* TLS 1.3's suites by their RFC 8446 names, as OpenSSL has them too */
static void
cipher_name(WOLFSSL *ssl, char *buf, size_t len)
{
	const char	*name = NULL;
	int		 suite = wolfSSL_get_current_cipher_suite(ssl);

	if (((suite >> 8) & 0xff) == TLS13_SUITE)
		name = wolfSSL_get_cipher_name_iana_from_suite(TLS13_SUITE,
		    suite & 0xff);
	if (name == NULL)
		name = wolfSSL_get_cipher_name(ssl);
	strlcpy(buf, name ? name : "unknown", len);
}

/* After our 220 went out: the handshake, bounded in time. */
int
tls_start(struct session *s)
{
	WOLFSSL	*ssl;
	time_t	 deadline = time(NULL) + TLS_HSTIMEOUT;
	int	 r, err;
	char	 ebuf[128];

	if (s->tlsctx == NULL || s->tls != NULL)
		return -1;
	/* smtpd -T starts twice, unsandboxed */
	if ((ssl = tls_pre) == NULL && (ssl = wolfSSL_new(s->tlsctx)) == NULL)
		return -1;
	tls_pre = NULL;
	tls_nonblock(s->infd);
	tls_nonblock(s->outfd);
	if (wolfSSL_set_read_fd(ssl, s->infd) != WOLFSSL_SUCCESS ||
	    wolfSSL_set_write_fd(ssl, s->outfd) != WOLFSSL_SUCCESS) {
		wolfSSL_free(ssl);
		return -1;
	}
	while ((r = wolfSSL_accept(ssl)) != WOLFSSL_SUCCESS) {
		err = wolfSSL_get_error(ssl, r);
		if (ssl_wait(s, err, deadline) == -1) {
			if (err != WOLFSSL_ERROR_WANT_READ &&
			    err != WOLFSSL_ERROR_WANT_WRITE)
				wolfSSL_ERR_error_string_n(err, ebuf,
				    sizeof(ebuf));
			else if (errno == ETIMEDOUT)
				strlcpy(ebuf, "timeout", sizeof(ebuf));
			else
				strlcpy(ebuf, "connection lost", sizeof(ebuf));
			log_info("starttls failed reason=\"%s\"", ebuf);
			wolfSSL_free(ssl);
			return -1;
		}
	}
	s->tls = ssl;
	strlcpy(s->tlsversion, wolfSSL_get_version(ssl), sizeof(s->tlsversion));
	cipher_name(ssl, s->tlscipher, sizeof(s->tlscipher));
	s->tlsresumed = wolfSSL_session_reused(ssl);
	log_info("starttls version=%s cipher=%s resumed=%d", s->tlsversion,
	    s->tlscipher, s->tlsresumed);
	return 0;
}

/* One wolfSSL_read or wolfSSL_write for tlsask.c's tls_read and tls_write. */
int
tls_step(struct session *s, int wr, void *buf, int len)
{
	WOLFSSL	*ssl = s->tls;
	int	 r, err;

	if ((r = wr ? wolfSSL_write(ssl, buf, len) :
	    wolfSSL_read(ssl, buf, len)) > 0)
		return r;
	err = wolfSSL_get_error(ssl, r);
	if (err == WOLFSSL_ERROR_ZERO_RETURN && !wr)
		return 0;
	if (err == WOLFSSL_ERROR_WANT_READ)
		return TLS_WANTREAD;
	if (err == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_WANTWRITE;
	return -1;
}

/* Decrypted bytes, or record bytes, already read from the socket. */
int
tls_pending(struct session *s)
{
	if (s->tls == NULL)
		return 0;
	return wolfSSL_pending(s->tls) > 0 || wolfSSL_has_pending(s->tls);
}

void
tls_close(struct session *s)
{
	if (s->tls != NULL) {
		(void)wolfSSL_shutdown(s->tls);	/* one try: we are leaving */
		wolfSSL_free(s->tls);
		s->tls = NULL;
	}
}

/* smtpd -T's client (tlstest.c): one handshake at TLS 1.3 or 1.2. */
int
tls_selftest_client(int fd, int tls13)
{
	WOLFSSL_CTX	*ctx;
	WOLFSSL		*ssl;
	char		 buf[4];

	if ((ctx = wolfSSL_CTX_new(tls13 ? wolfTLSv1_3_client_method() :
	    wolfTLSv1_2_client_method())) == NULL)
		return -1;
	/* the handshake through the key split is tested, not the chain */
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
	if ((ssl = wolfSSL_new(ctx)) == NULL ||
	    wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS ||
	    wolfSSL_connect(ssl) != WOLFSSL_SUCCESS ||
	    wolfSSL_write(ssl, "ok\n", 3) != 3 ||
	    wolfSSL_read(ssl, buf, sizeof(buf)) <= 0)
		return -1;
	return 0;
}

void
tls_ctx_free(struct session *s)
{
	wolfSSL_free(tls_pre);
	tls_pre = NULL;
	wolfSSL_CTX_free(s->tlsctx);
	s->tlsctx = NULL;
}
