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
 * AUTH (RFC 4954) in the session child: PLAIN (RFC 4616), LOGIN and
 * CRAM-MD5 (RFC 2195).  The child only decodes; the parent, which alone
 * can read the credentials file, decides.  Secrets are wiped as soon as
 * they have been sent and are never logged.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "session.h"

#define AUTH_MAXFAILS	3
#define AUTH_BUFSZ	2048	/* one response line; RFC 4954 4 allows 12288 */

struct creds {
	uint32_t	mech;
	char		user[256];
	char		authzid[256];
	char		secret[512];
	size_t		secretlen;
	char		chal[512];
};

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Strict base64 (RFC 4648 4): no whitespace, padding only at the end,
 * length a multiple of 4.  "=" alone is the empty response (RFC 4954 4).
 * Returns 0 and the decoded length, -1 when the text is not base64 or
 * does not fit.
 */
int
auth_decode(const char *in, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t		 n = strlen(in), i, o = 0, pad = 0;
	const char	*p;
	uint32_t	 v;
	int		 j;

	*outlen = 0;
	if (strcmp(in, "=") == 0)
		return 0;
	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			v <<= 6;
			if (in[i + j] == '=' && i + 4 == n && j >= 2 &&
			    (j == 3 || in[i + 3] == '=')) {
				pad++;
				continue;
			}
			if (pad || in[i + j] == '\0' ||
			    (p = strchr(b64chars, in[i + j])) == NULL)
				return -1;
			v |= (uint32_t)(p - b64chars);
		}
		if (o + 3 - pad > outsz)
			return -1;
		out[o++] = v >> 16;
		if (pad < 2)
			out[o++] = v >> 8;
		if (pad < 1)
			out[o++] = v;
	}
	*outlen = o;
	return 0;
}

static void
auth_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;
	uint32_t v;

	for (i = 0; i < n && o + 5 <= outsz; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64chars[v & 63] : '=';
	}
	out[o] = '\0';
}

/* RFC 4616 2: [authzid] NUL authcid NUL passwd, none of them with a NUL. */
int
auth_plain_split(const uint8_t *buf, size_t n, char *authzid, size_t zsz,
    char *user, size_t usz, char *pass, size_t psz, size_t *plen)
{
	const uint8_t	*a, *b;
	size_t		 la, lb, lc;

	if ((a = memchr(buf, '\0', n)) == NULL)
		return -1;
	la = a - buf;
	if ((b = memchr(a + 1, '\0', n - la - 1)) == NULL)
		return -1;
	lb = b - (a + 1);
	lc = n - la - lb - 2;
	if (memchr(b + 1, '\0', lc) != NULL || la >= zsz || lb >= usz ||
	    lb == 0 || lc >= psz || lc == 0)
		return -1;
	memcpy(authzid, buf, la);
	authzid[la] = '\0';
	memcpy(user, a + 1, lb);
	user[lb] = '\0';
	memcpy(pass, b + 1, lc);
	pass[lc] = '\0';
	*plen = lc;
	return 0;
}

/* RFC 2195 2: "user SP digest", the digest 32 lowercase hex digits. */
int
auth_cram_split(const uint8_t *buf, size_t n, char *user, size_t usz,
    char *digest, size_t dsz)
{
	const uint8_t	*sp;
	size_t		 lu, ld, i;

	if (memchr(buf, '\0', n) != NULL)
		return -1;
	for (sp = NULL, i = n; i > 0; i--)
		if (buf[i - 1] == ' ') {
			sp = buf + i - 1;
			break;
		}
	if (sp == NULL)
		return -1;
	lu = sp - buf;
	ld = n - lu - 1;
	if (lu == 0 || lu >= usz || ld != 32 || ld >= dsz)
		return -1;
	for (i = 0; i < ld; i++)
		if (strchr("0123456789abcdef", sp[1 + i]) == NULL)
			return -1;
	memcpy(user, buf, lu);
	user[lu] = '\0';
	memcpy(digest, sp + 1, ld);
	digest[ld] = '\0';
	return 0;
}

/*
 * Send "334 text" and read the client's response line, decoded.
 * 0: decoded; 1: a reply has been sent (cancel, bad base64, error).
 */
static int
auth_ask(struct session *s, const char *text, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	char	 line[AUTH_BUFSZ];
	size_t	 n;
	int	 r;

	reply(s, 334, NULL, "%s", text);
	if (io_flush(s) == -1)
		return 1;
	s->dbgmask = 1;		/* -d: the transcript shows "***" */
	r = io_getline(s, line, sizeof(line), s->conf->timeout, &n);
	s->dbgmask = 0;
	if (r == IO_TIMEOUT)
		session_close(s, "timeout");
	if (r <= 0)
		session_exit(s, r == IO_EOF ? "eof" : "read-error");
	if (r & (IO_LONG | IO_BARE)) {
		explicit_bzero(line, sizeof(line));
		reply(s, 501, "5.5.2", "Malformed authentication response");
		return 1;
	}
	if (strcmp(line, "*") == 0) {
		reply(s, 501, "5.7.0", "Authentication cancelled");
		return 1;
	}
	r = auth_decode(line, out, outsz, outlen);
	explicit_bzero(line, sizeof(line));
	if (r == -1) {
		reply(s, 501, "5.5.2", "Cannot decode response");
		return 1;
	}
	return 0;
}

/* The initial response, or a 334 with an empty challenge. */
static int
auth_first(struct session *s, const char *ir, const char *prompt,
    uint8_t *out, size_t outsz, size_t *outlen)
{
	if (ir == NULL)
		return auth_ask(s, prompt, out, outsz, outlen);
	if (strcmp(ir, "*") == 0) {
		reply(s, 501, "5.7.0", "Authentication cancelled");
		return 1;
	}
	if (auth_decode(ir, out, outsz, outlen) == -1) {
		reply(s, 501, "5.5.2", "Cannot decode response");
		return 1;
	}
	return 0;
}

static int
auth_plain(struct session *s, const char *ir, struct creds *c)
{
	uint8_t	 buf[AUTH_BUFSZ];
	size_t	 n;
	int	 r;

	if (auth_first(s, ir, "", buf, sizeof(buf), &n))
		return 1;
	r = auth_plain_split(buf, n, c->authzid, sizeof(c->authzid), c->user,
	    sizeof(c->user), c->secret, sizeof(c->secret), &c->secretlen);
	explicit_bzero(buf, sizeof(buf));
	if (r == -1) {
		reply(s, 501, "5.5.2", "Malformed PLAIN response");
		return 1;
	}
	return 0;
}

static int
auth_login(struct session *s, const char *ir, struct creds *c)
{
	uint8_t	 buf[AUTH_BUFSZ];
	size_t	 n;

	/* "Username:", "Password:" */
	if (auth_first(s, ir, "VXNlcm5hbWU6", buf, sizeof(buf), &n))
		return 1;
	if (n == 0 || n >= sizeof(c->user) || memchr(buf, '\0', n) != NULL) {
		reply(s, 501, "5.5.2", "Malformed user name");
		return 1;
	}
	memcpy(c->user, buf, n);
	c->user[n] = '\0';
	if (auth_ask(s, "UGFzc3dvcmQ6", buf, sizeof(buf), &n))
		return 1;
	if (n == 0 || n >= sizeof(c->secret) || memchr(buf, '\0', n) != NULL) {
		explicit_bzero(buf, sizeof(buf));
		reply(s, 501, "5.5.2", "Malformed password");
		return 1;
	}
	memcpy(c->secret, buf, n);
	c->secretlen = n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int
auth_cram(struct session *s, const char *ir, struct creds *c)
{
	static struct ps_msg	 m;
	uint8_t			 buf[AUTH_BUFSZ];
	char			 b64[sizeof(c->chal) * 2];
	size_t			 n;
	int			 r;

	if (ir != NULL) {
		reply(s, 501, "5.5.4", "CRAM-MD5 takes no initial response");
		return 1;
	}
	/* the parent makes the challenge and checks the answer against it */
	if (ps_request(s, PS_AUTH_CHAL_REQ, NULL, PS_AUTH_CHAL, &m) == -1 ||
	    ps_get_str(&m, c->chal, sizeof(c->chal)) == -1 ||
	    ps_end(&m) == -1 || c->chal[0] != '<')
		fatalx("auth: bad challenge from the parent");
	auth_encode((const uint8_t *)c->chal, strlen(c->chal), b64,
	    sizeof(b64));
	if (auth_ask(s, b64, buf, sizeof(buf), &n))
		return 1;
	r = auth_cram_split(buf, n, c->user, sizeof(c->user), c->secret,
	    sizeof(c->secret));
	explicit_bzero(buf, sizeof(buf));
	if (r == -1) {
		reply(s, 501, "5.5.2", "Malformed CRAM-MD5 response");
		return 1;
	}
	c->secretlen = strlen(c->secret);
	return 0;
}

/* The parent's verdict: AUTH_OK, AUTH_FAILED, AUTH_TEMPFAIL, AUTH_LIMITED. */
static uint32_t
auth_check(struct session *s, struct creds *c)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	uint32_t		 v;

	ps_buf_init(&b);
	ps_add_u32(&b, c->mech);
	ps_add_str(&b, c->user);
	ps_add_str(&b, c->authzid);
	ps_add_data(&b, c->secret, c->secretlen);
	if (ps_request(s, PS_AUTH_REQ, &b, PS_AUTH_ANS, &m) == -1)
		fatalx("auth: no answer from the parent");
	explicit_bzero(&b, sizeof(b));
	if (ps_get_u32(&m, &v) == -1 || ps_end(&m) == -1 || v > AUTH_LIMITED)
		fatalx("auth: bad answer");
	return v;
}

static int
auth_refused(struct session *s)
{
	if (s->conf->passwd[0] == '\0') {
		reply(s, 502, "5.5.1", "AUTH not available");
		return 1;
	}
	if (s->authuser[0] != '\0') {
		reply(s, 503, "5.5.1", "Already authenticated");
		return 1;
	}
	if (s->state & (S_MAIL | S_RCPT | S_DATA)) {
		reply(s, 503, "5.5.1", "AUTH not permitted during a mail transaction");
		return 1;
	}
	if (s->tls == NULL && !s->conf->plainauth) {
		reply(s, 538, "5.7.11", "Encryption required for requested "
		    "authentication mechanism");
		return 1;
	}
	return 0;
}

void
cmd_auth(struct session *s, char *arg)
{
	static struct creds	 c;
	char			*mech, *ir;
	uint32_t		 v = AUTH_FAILED;
	int			 r;

	if (auth_refused(s))
		return;
	memset(&c, 0, sizeof(c));
	mech = arg != NULL ? strtok(arg, " ") : NULL;
	ir = mech != NULL ? strtok(NULL, " ") : NULL;
	if (mech == NULL || (ir != NULL && strtok(NULL, " ") != NULL)) {
		reply(s, 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
		return;
	}
	if (strcasecmp(mech, "PLAIN") == 0) {
		c.mech = AUTHM_PLAIN;
		r = auth_plain(s, ir, &c);
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		c.mech = AUTHM_LOGIN;
		r = auth_login(s, ir, &c);
	} else if (strcasecmp(mech, "CRAM-MD5") == 0) {
		c.mech = AUTHM_CRAMMD5;
		r = auth_cram(s, ir, &c);
	} else {
		reply(s, 504, "5.5.4", "Unrecognized authentication mechanism");
		return;
	}
	if (r == 0)
		v = auth_check(s, &c);
	if (r == 0 && v == AUTH_OK) {
		strlcpy(s->authuser, c.user, sizeof(s->authuser));
		reply(s, 235, "2.7.0", "Authentication successful");
	} else if (r == 0 && v != AUTH_FAILED) {
		/* RFC 4954 6: our fault or our limit, not a failure of theirs */
		reply(s, 454, "4.7.0", "Temporary authentication failure");
	} else if (r == 0) {
		if (++s->authfails >= AUTH_MAXFAILS) {
			reply(s, 421, "4.7.0", "Too many failed authentications, "
			    "closing connection");
			explicit_bzero(&c, sizeof(c));
			session_close(s, "auth-failures");
		} else
			reply(s, 535, "5.7.8", "Authentication credentials invalid");
	}
	explicit_bzero(&c, sizeof(c));
}

/* The EHLO keyword: under TLS, or in the clear with -p. */
int
auth_offer(struct session *s, char *buf, size_t len)
{
	if (s->conf->passwd[0] == '\0' || (s->tls == NULL &&
	    !s->conf->plainauth))
		return 0;
	return strlcpy(buf, "AUTH PLAIN LOGIN CRAM-MD5", len) < len;
}
