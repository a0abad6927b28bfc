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
 * child, whatever the child says; they are also counted per client
 * address across connections (authfail, greylist.c).  The verdict kept
 * in p->authuser is the only AUTH state the parent believes.
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
#include <time.h>
#include <unistd.h>

#include <md5.h>		/* libmd: smtpd links no OpenSSL (tlsmod.c) */

#include "log.h"
#include "priv.h"

#define AUTH_MAXFAILS	3
#define AUTH_MAXREQS	10	/* answers of any kind per connection */
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
static uint32_t
check_password(const struct cred *c, const char *pw)
{
	return crypt_checkpass(pw, c->hash[0] ? c->hash : NULL) == 0 &&
	    c->hash[0] != '\0' ? AUTH_OK : AUTH_FAILED;
}
#else
/*
 * crypt_r(3): glibc's libcrypt (libxcrypt) and FreeBSD's libcrypt.
 * AUTH_OK, AUTH_FAILED, or AUTH_TEMPFAIL when crypt(3) cannot use the hash.
 */
static uint32_t
check_password(const struct cred *c, const char *pw)
{
	static struct crypt_data cd;
	const char	*hash = c->hash[0] ? c->hash : AUTH_DUMMYHASH;
	const char	*r;
	uint32_t	 ok;

	memset(&cd, 0, sizeof(cd));
	r = crypt_r(pw, hash, &cd);
	if (r == NULL || r[0] == '*')
		ok = c->hash[0] != '\0' ? AUTH_TEMPFAIL : AUTH_FAILED;
	else
		ok = c->hash[0] != '\0' && strlen(r) == strlen(c->hash) &&
		    ct_eq(r, c->hash, strlen(r)) ? AUTH_OK : AUTH_FAILED;
	explicit_bzero(&cd, sizeof(cd));
	return ok;
}
#endif

/* RFC 2195: the digest is hex HMAC-MD5(secret, challenge).  AUTH_OK or not. */
static uint32_t
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

static void
auth_answer(struct parent *p, struct ps_msg *m, uint32_t v)
{
	struct ps_buf	 b;

	ps_buf_init(&b);
	ps_add_u32(&b, v);
	parent_reply(p, PS_AUTH_ANS, m->hdr.id, -1, &b);
}

/* No AUTH after a success or AUTH_MAXFAILS failures: the child knows. */
static void
auth_allowed(struct parent *p)
{
	if (p->authuser[0] != '\0' || p->authfails >= AUTH_MAXFAILS ||
	    p->authreqs >= AUTH_MAXREQS)
		parent_kill(p, "auth request after success or too many tries");
}

/*
 * PS_AUTH_CHAL_REQ -> PS_AUTH_CHAL str challenge.  RFC 2195 2: a
 * msg-id with a random part and the time; made here so that a child
 * cannot pick a challenge whose answer it has seen before.
 */
void
p_auth_chal(struct parent *p, struct ps_msg *m)
{
	struct ps_buf	 b;

	if (ps_end(m) == -1)
		parent_kill(p, "malformed challenge request");
	auth_allowed(p);
	(void)snprintf(p->chal, sizeof(p->chal), "<%08x%08x.%lld@%s>",
	    arc4random(), arc4random(), (long long)time(NULL),
	    p->conf->hostname);
	ps_buf_init(&b);
	ps_add_str(&b, p->chal);
	parent_reply(p, PS_AUTH_CHAL, m->hdr.id, -1, &b);
}

/*
 * PS_AUTH_REQ -> PS_AUTH_ANS AUTH_*.  The verdict is ours alone: the
 * relay rule and the greylist look at p->authuser, never at what the
 * child says.  A fault on our side (the credentials file unreadable, a
 * hash crypt(3) cannot use) is AUTH_TEMPFAIL, RFC 4954 6's 454 4.7.0,
 * and costs the client nothing.
 */
void
p_auth(struct parent *p, struct ps_msg *m)
{
	static struct cred c;
	uint32_t	 mech = 0, ok = AUTH_FAILED;
	char		 user[256], authzid[256], secret[1024];
	char		 chal[sizeof(p->chal)];
	char		 euser[256];
	size_t		 slen = 0;
	int		 r = 0;

	if (ps_get_u32(m, &mech) == -1 ||
	    ps_get_str(m, user, sizeof(user)) == -1 ||
	    ps_get_str(m, authzid, sizeof(authzid)) == -1 ||
	    ps_get_data(m, secret, sizeof(secret) - 1, &slen) == -1 ||
	    ps_end(m) == -1 ||
	    mech < AUTHM_PLAIN || mech > AUTHM_CRAMMD5 ||
	    memchr(secret, '\0', slen) != NULL) {
		explicit_bzero(secret, sizeof(secret));
		parent_kill(p, "malformed auth request");
		return;
	}
	secret[slen] = '\0';
	/* the challenge answers once */
	strlcpy(chal, p->chal, sizeof(chal));
	p->chal[0] = '\0';
	if (mech == AUTHM_CRAMMD5 && chal[0] == '\0') {
		explicit_bzero(secret, sizeof(secret));
		parent_kill(p, "CRAM-MD5 answer without our challenge");
	}
	auth_allowed(p);
	p->authreqs++;
	log_escape(euser, sizeof(euser), user, strlen(user));
	if ((r = authfail_check(p)) != 0) {
		explicit_bzero(secret, sizeof(secret));
		log_info("auth mech=%s user=\"%s\" result=%s",
		    mechname(mech), euser, r == 1 ?
		    "refused reason=authfail-limit" : "tempfail reason=authfail-state");
		auth_answer(p, m, r == 1 ? AUTH_LIMITED : AUTH_TEMPFAIL);
		return;
	}
	/* RFC 4954 4: an authorization identity other than ourselves: no. */
	if (user[0] != '\0' && (authzid[0] == '\0' ||
	    strcmp(authzid, user) == 0)) {
		r = cred_find(p->conf->passwd, user, &c);
		if (r == -1)
			ok = AUTH_TEMPFAIL;
		else if (mech == AUTHM_CRAMMD5)
			ok = check_cram(&c, chal, secret);
		else
			ok = check_password(&c, secret);
	}
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(&c, sizeof(c));
	if (ok == AUTH_OK) {
		strlcpy(p->authuser, user, sizeof(p->authuser));
		log_info("auth mech=%s user=\"%s\" result=ok",
		    mechname(mech), euser);
	} else if (ok == AUTH_TEMPFAIL) {
		log_warnx("auth mech=%s user=\"%s\" result=tempfail "
		    "reason=server", mechname(mech), euser);
	} else {
		p->authfails++;
		authfail_add(p);
		log_info("auth mech=%s user=\"%s\" result=failed "
		    "fails=%d", mechname(mech), euser, p->authfails);
		/* here, not in the child, so a hostile child cannot skip it */
		sleep(1U << (p->authfails - 1));
	}
	auth_answer(p, m, ok);
}
