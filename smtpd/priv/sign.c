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
 * What the parent signs for the child, whichever library holds the key:
 * only what a TLS handshake needs (a DigestInfo, a PSS block, an ECDSA
 * digest), at most SIGN_MAX times per connection.  Linked into
 * smtpd-tlspriv.so and smtpd-tls.so beside the back end (sign.h).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "sign.h"

struct signkey	signkey;

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

/*
 * A key or certificate file, at most SIGN_FILEMAX bytes of it (a longer
 * one is cut, and its PEM then fails to parse).  The caller closes fd,
 * and clears and frees the buffer.
 */
char *
sign_slurp(int fd, size_t *lenp)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(SIGN_FILEMAX)) == NULL)
		fatal("sign_slurp");
	while (len < SIGN_FILEMAX &&
	    (n = read(fd, buf + len, SIGN_FILEMAX - len)) > 0)
		len += n;
	*lenp = len;
	return buf;
}

/* MGF1 (RFC 8017 B.2.1) with the hash hlen bytes long. */
static void
mgf1(size_t hlen, const uint8_t *seed, uint8_t *mask, size_t mlen)
{
	uint8_t		 in[64 + 4], h[64];
	uint32_t	 i;
	size_t		 off, n;

	memcpy(in, seed, hlen);
	for (i = 0, off = 0; off < mlen; i++) {
		in[hlen] = i >> 24;
		in[hlen + 1] = i >> 16;
		in[hlen + 2] = i >> 8;
		in[hlen + 3] = i;
		if (sign_hash(hlen, in, hlen + 4, h) == -1)
			fatalx("mgf1");
		n = mlen - off < hlen ? mlen - off : hlen;
		memcpy(mask + off, h, n);
		off += n;
	}
}

/*
 * Is em (as long as the modulus) an RSASSA-PSS encoding (RFC 8017 9.1)
 * with SHA-256/384/512 and a salt as long as the hash, as TLS 1.3 and
 * TLS 1.2's rsa_pss_rsae_* make (RFC 8446 4.2.3)?  The digest itself
 * cannot be checked; this keeps the raw RSA operation from being a
 * decryption oracle.
 */
static int
pss_ok(const uint8_t *em, size_t k, size_t modbits)
{
	static const size_t hlens[3] = { 32, 48, 64 };
	uint8_t		 db[SIGN_INMAX];
	size_t		 embits = modbits - 1, emlen = (embits + 7) / 8;
	size_t		 hlen, dblen, i, j;
	uint8_t		 topmask = 0xff >> (8 * emlen - embits);

	if (modbits < 2 || emlen > k)
		return 0;
	if (emlen < k) {
		if (em[0] != 0)
			return 0;
		em++;
	}
	if (emlen > sizeof(db) || em[emlen - 1] != 0xbc ||
	    (em[0] & ~topmask) != 0)
		return 0;
	for (i = 0; i < 3; i++) {
		hlen = hlens[i];
		if (emlen < 2 * hlen + 2)
			continue;
		dblen = emlen - hlen - 1;
		mgf1(hlen, em + dblen, db, dblen);
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

	if (type != signkey.type)
		return 0;
	if (type == SIGN_EC)
		return pad == 0 && (len == 32 || len == 48 || len == 64);
	if (pad == SIGN_PAD_PKCS1) {
		for (i = 0; i < sizeof(diginfo) / sizeof(diginfo[0]); i++)
			if (len == sizeof(diginfo[i].pfx) + diginfo[i].len &&
			    memcmp(in, diginfo[i].pfx,
			    sizeof(diginfo[i].pfx)) == 0)
				return 1;
		return 0;
	}
	if (pad == SIGN_PAD_NONE)
		return signkey.size > 0 && len == signkey.size &&
		    pss_ok(in, len, signkey.bits);
	return 0;
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
		ps_add_data(&b, signkey.spki, ok ? sizeof(signkey.spki) : 0);
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
		if (!(ok = sign_key(pad, in, len, sig, &siglen))) {
			log_warnx("sign: failed");
			siglen = 0;
		}
	}
	ps_add_u32(&b, ok);
	ps_add_data(&b, sig, siglen);
	parent_reply(p, PS_SIGN_ANS, m->hdr.id, -1, &b);
	explicit_bzero(in, sizeof(in));
}
