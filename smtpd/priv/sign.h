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
 * The parent's signer in two halves.  sign.c is the same for every TLS
 * back end: what a child may have signed, and the PS_SIGN_REQ handler.
 * A back end holds the key: priv/tls.c (libcrypto) or priv/tls_wolfssl.c
 * (wolfCrypt); its tlspriv_load fills signkey and points p->tlskey at it.
 */

#define SIGN_FILEMAX	(1024 * 1024)	/* a key or certificate file */
#define SIGN_INMAX	1024		/* an RSA-8192 block */
#define SIGN_SPKILEN	32		/* SHA-256 */

struct signkey {
	uint32_t	 type;		/* SIGN_RSA, SIGN_EC */
	size_t		 bits;		/* RSA: of the modulus */
	size_t		 size;		/* RSA: the modulus's length in bytes */
	uint8_t		 spki[SIGN_SPKILEN]; /* of the DER SubjectPublicKeyInfo */
};

extern struct signkey	signkey;

/* sign.c */
char	*sign_slurp(int, size_t *);

/* the back end's */
int	 sign_hash(size_t, const uint8_t *, size_t, uint8_t *);
int	 sign_key(uint32_t, const uint8_t *, size_t, uint8_t *, size_t *);
