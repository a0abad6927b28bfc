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


#ifndef TLSKEY_H
#define TLSKEY_H

/*
 * Inside smtpd-tls.so: what the session's TLS back end (tls.c and
 * tlskey.c with OpenSSL or LibreSSL, tls_wolfssl.c and tlskey_wolfssl.c
 * with wolfSSL) shares with tlsask.c and tlstest.c.  The private key
 * stays in the parent: the back end's signing callbacks call tls_sign.
 */

/* tlsask.c: the round trip to the parent, and waiting on the socket */
void	 tls_signer(struct session *);	/* whose parent signs */
int	 tls_sign(uint32_t, uint32_t, const uint8_t *, size_t, uint8_t *,
	    size_t, size_t *);		/* SIGN_*, SIGN_PAD_*: 0 signed */
int	 tls_probe(const uint8_t *, size_t);	/* 0: the parent holds the
					   key of this SPKI (DER) */
int	 tls_wait(struct session *, int, time_t);	/* 1: for writing */
void	 tls_nonblock(int);

/*
 * each back end: one read or write (wr) of at most len bytes for
 * tlsask.c's tls_read and tls_write: bytes, 0 at the peer's close_notify
 * (read), TLS_WANTREAD or TLS_WANTWRITE to wait, -1 for an error
 */
#define TLS_WANTREAD	(-2)
#define TLS_WANTWRITE	(-3)
int	 tls_step(struct session *, int, void *, int);

/* each back end: for tlstest.c's -T self-test */
int	 tls_selftest_client(int, int);	/* one handshake, 1: TLS 1.3 */
void	 tls_ctx_free(struct session *);

#ifdef TLSKEY_OPENSSL
/* tlskey.c */
EVP_PKEY *tlskey_remote(struct session *, X509 *);	/* signs through s's parent */
int	 tlskey_probe(X509 *);		/* 0: the parent holds the key of leaf */
#endif

#ifdef TLSKEY_WOLFSSL
/* tlskey_wolfssl.c */
int	 tlskey_remote(struct session *, WOLFSSL_CTX *);	/* signs through s's parent */
int	 tlskey_probe(WOLFSSL_CTX *);	/* 0: the parent holds the key of ctx's leaf */
#endif

#endif /* TLSKEY_H */
