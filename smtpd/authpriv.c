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
 * The parent's half of AUTH: the credentials file is read here and only
 * here, one lookup per request, so the child never sees a hash.  Lines
 * are "user:crypt-hash[:cram-md5-secret]"; '#' starts a comment.
 * Failures cost the client time (1, 2, 4 s) and a fourth try kills the
 * child, whatever the child says.
 */

#include <sys/types.h>

#ifdef __linux__
#include <crypt.h>		/* crypt_r; the BSDs have it in unistd.h */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <md5.h>		/* libmd: smtpd links no OpenSSL (tlsmod.c) */

#include "log.h"
#include "smtpd.h"

#define AUTH_MAXFAILS	3
#define AUTH_LINEMAX	1024
/* Hashed when the user is unknown, so that timing does not tell. */
#define AUTH_DUMMYHASH	"$6$upasdummysalt$"

struct cred {
	char	user[256];
	char	hash[512];
	char	cram[256];
};

/* 1 and the entry when user is listed, 0 when not, -1 on error. */
static int
cred_find(const char *file, const char *user, struct cred *c)
{
	FILE	*fp;
	char	 line[AUTH_LINEMAX], *p, *h, *k;
	int	 found = 0;

	memset(c, 0, sizeof(*c));
	if (file[0] == '\0')
		return -1;
	if ((fp = fopen(file, "re")) == NULL) {
		log_warn("auth: %s", file);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || (p = strchr(line, ':')) == NULL)
			continue;
		*p = '\0';
		if (strcmp(line, user) != 0)
			continue;
		h = p + 1;
		if ((k = strchr(h, ':')) != NULL)
			*k++ = '\0';
		if (strlcpy(c->user, line, sizeof(c->user)) >= sizeof(c->user) ||
		    strlcpy(c->hash, h, sizeof(c->hash)) >= sizeof(c->hash) ||
		    (k != NULL &&
		    strlcpy(c->cram, k, sizeof(c->cram)) >= sizeof(c->cram)))
			memset(c, 0, sizeof(*c));
		else
			found = 1;
	}
	explicit_bzero(line, sizeof(line));
	fclose(fp);
	return found;
}

/* Equal, in time that depends only on n. */
static int
ct_eq(const void *a, const void *b, size_t n)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 d = 0;
	size_t				 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* RFC 2104 HMAC with MD5. */
static void
hmac_md5(const char *key, size_t keylen, const char *text, size_t textlen,
    uint8_t mac[MD5_DIGEST_LENGTH])
{
	MD5_CTX		ctx;
	uint8_t		k[64], pad[64];
	size_t		i;

	memset(k, 0, sizeof(k));
	if (keylen > sizeof(k)) {
		MD5Init(&ctx);
		MD5Update(&ctx, (const uint8_t *)key, keylen);
		MD5Final(k, &ctx);
	} else
		memcpy(k, key, keylen);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	MD5Init(&ctx);
	MD5Update(&ctx, pad, sizeof(pad));
	MD5Update(&ctx, (const uint8_t *)text, textlen);
	MD5Final(mac, &ctx);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	MD5Init(&ctx);
	MD5Update(&ctx, pad, sizeof(pad));
	MD5Update(&ctx, mac, MD5_DIGEST_LENGTH);
	MD5Final(mac, &ctx);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(&ctx, sizeof(ctx));
}

#ifdef __OpenBSD__
/*
 * crypt_checkpass(3): OpenBSD's crypt(3) knows bcrypt ("$2b$", made with
 * encrypt(1) or htpasswd(1)) and no "$6$"; with no hash it still spends a
 * bcrypt's time, so an unknown user costs what a known one does.
 */
static int
check_password(const struct cred *c, const char *pw)
{
	return crypt_checkpass(pw, c->hash[0] ? c->hash : NULL) == 0 &&
	    c->hash[0] != '\0';
}
#else
/* crypt_r(3): glibc's libcrypt (libxcrypt) and FreeBSD's libcrypt */
static int
check_password(const struct cred *c, const char *pw)
{
	static struct crypt_data cd;
	const char	*hash = c->hash[0] ? c->hash : AUTH_DUMMYHASH;
	const char	*r;
	int		 ok;

	memset(&cd, 0, sizeof(cd));
	r = crypt_r(pw, hash, &cd);
	ok = c->hash[0] != '\0' && r != NULL && r[0] != '*' &&
	    strlen(r) == strlen(c->hash) &&
	    ct_eq(r, c->hash, strlen(r));
	explicit_bzero(&cd, sizeof(cd));
	return ok;
}
#endif

/* RFC 2195: the digest is hex HMAC-MD5(secret, challenge). */
static int
check_cram(const struct cred *c, const char *chal, const char *digest)
{
	uint8_t		 mac[MD5_DIGEST_LENGTH];
	char		 hex[2 * MD5_DIGEST_LENGTH + 1];
	unsigned int	 n = MD5_DIGEST_LENGTH, i;
	int		 ok;

	if (c->cram[0] == '\0' || chal[0] != '<')
		return 0;
	hmac_md5(c->cram, strlen(c->cram), chal, strlen(chal), mac);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	ok = strlen(digest) == 2 * n && ct_eq(hex, digest, 2 * n);
	explicit_bzero(mac, sizeof(mac));
	explicit_bzero(hex, sizeof(hex));
	return ok;
}

static const char *
mechname(uint32_t mech)
{
	switch (mech) {
	case AUTHM_PLAIN:
		return "PLAIN";
	case AUTHM_LOGIN:
		return "LOGIN";
	case AUTHM_CRAMMD5:
		return "CRAM-MD5";
	}
	return "?";
}

void
p_auth(struct parent *p, struct ps_msg *m)
{
	static struct cred c;
	struct ps_buf	 b;
	uint32_t	 mech, ok = 0;
	char		 user[256], authzid[256], secret[1024], chal[512];
	char		 euser[256];
	size_t		 slen;

	if (ps_get_u32(m, &mech) == -1 ||
	    ps_get_str(m, user, sizeof(user)) == -1 ||
	    ps_get_str(m, authzid, sizeof(authzid)) == -1 ||
	    ps_get_data(m, secret, sizeof(secret) - 1, &slen) == -1 ||
	    ps_get_str(m, chal, sizeof(chal)) == -1 || ps_end(m) == -1 ||
	    mech < AUTHM_PLAIN || mech > AUTHM_CRAMMD5 ||
	    memchr(secret, '\0', slen) != NULL) {
		explicit_bzero(secret, sizeof(secret));
		parent_kill(p, "malformed auth request");
		return;
	}
	secret[slen] = '\0';
	if (p->authuser[0] != '\0' || p->authfails >= AUTH_MAXFAILS) {
		explicit_bzero(secret, sizeof(secret));
		parent_kill(p, "auth request after success or too many failures");
		return;
	}
	log_escape(euser, sizeof(euser), user, strlen(user));
	/* RFC 4954 4: an authorization identity other than ourselves: no. */
	if (user[0] != '\0' && (authzid[0] == '\0' ||
	    strcmp(authzid, user) == 0) &&
	    cred_find(p->conf->passwd, user, &c) != -1) {
		if (mech == AUTHM_CRAMMD5)
			ok = check_cram(&c, chal, secret);
		else
			ok = check_password(&c, secret);
	}
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(&c, sizeof(c));
	if (ok) {
		strlcpy(p->authuser, user, sizeof(p->authuser));
		log_info("auth mech=%s user=\"%s\" result=ok", mechname(mech),
		    euser);
	} else {
		p->authfails++;
		log_info("auth mech=%s user=\"%s\" result=failed fails=%d",
		    mechname(mech), euser, p->authfails);
		/* here, not in the child, so a hostile child cannot skip it */
		sleep(1U << (p->authfails - 1));
	}
	ps_buf_init(&b);
	ps_add_u32(&b, ok);
	parent_reply(p, PS_AUTH_ANS, m->hdr.id, -1, &b);
}
