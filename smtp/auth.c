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
 * AUTH (RFC 4954): PLAIN, LOGIN, CRAM-MD5, with credentials from a netrc
 * file ("machine host login user password secret"), which must be ours
 * and mode 0600.  Every failure defers (see auth_run).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"

struct cred {
	char	user[256];
	char	pass[256];
};

static int
nexttok(char **pp, char *tok, size_t n)
{
	char	*p = *pp;
	size_t	 i = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return -1;
	while (*p != '\0' && !isspace((unsigned char)*p)) {
		if (i + 1 < n)
			tok[i++] = *p;
		p++;
	}
	tok[i] = '\0';
	*pp = p;
	return 0;
}

/*
 * The netrc file, read before the sandbox is sealed (-a): its text, or
 * why it could not be used, which AUTH reports when it comes to that.
 */
static char	netrcbuf[65536];
static char	netrcerr[1200];
static int	netrcok;

void
auth_preload(const struct opts *o)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(o->netrc, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		(void)snprintf(netrcerr, sizeof(netrcerr), "%s: %s", o->netrc,
		    strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		(void)snprintf(netrcerr, sizeof(netrcerr), "%s: refused: must "
		    "be a file of ours with mode 0600", o->netrc);
		(void)close(fd);
		return;
	}
	n = read(fd, netrcbuf, sizeof(netrcbuf) - 1);
	(void)close(fd);
	if (n < 0) {
		(void)snprintf(netrcerr, sizeof(netrcerr), "%s: %s", o->netrc,
		    strerror(errno));
		return;
	}
	netrcbuf[n] = '\0';
	netrcok = 1;
}

/* 0 with the credentials for host (and user when given), else -1 and why. */
static int
netrc(const char *file, const char *host, const char *user, struct cred *c,
    char *err, size_t errlen)
{
	char		 buf[sizeof(netrcbuf)], tok[256], *p;
	int		 inmach = 0, found = 0, rv = -1;
	struct cred	 cur;

	if (!netrcok) {
		(void)snprintf(err, errlen, "%.500s", netrcerr[0] ? netrcerr :
		    "netrc not read");
		return -1;
	}
	memcpy(buf, netrcbuf, sizeof(buf));
	memset(&cur, 0, sizeof(cur));
	p = buf;
	while (!found && nexttok(&p, tok, sizeof(tok)) == 0) {
		if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
			if (inmach && cur.pass[0] && (user == NULL ||
			    strcmp(user, cur.user) == 0)) {
				found = 1;
				break;
			}
			memset(&cur, 0, sizeof(cur));
			inmach = strcmp(tok, "default") == 0;
			if (!inmach && nexttok(&p, tok, sizeof(tok)) == 0)
				inmach = strcasecmp(tok, host) == 0;
		} else if (strcmp(tok, "login") == 0)
			(void)nexttok(&p, cur.user, sizeof(cur.user));
		else if (strcmp(tok, "password") == 0)
			(void)nexttok(&p, cur.pass, sizeof(cur.pass));
	}
	if (found || (inmach && cur.pass[0] && (user == NULL ||
	    strcmp(user, cur.user) == 0))) {
		if (user != NULL && cur.user[0] == '\0')
			(void)strlcpy(cur.user, user, sizeof(cur.user));
		*c = cur;
		rv = 0;
	} else
		(void)snprintf(err, errlen, "%s: no credentials for %s%s%s",
		    file, user ? user : "", user ? "@" : "", host);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(&cur, sizeof(cur));
	return rv;
}

static void
b64(char *dst, size_t n, const void *src, size_t len)
{
	if ((len + 2) / 3 * 4 + 1 > n) {
		dst[0] = '\0';
		return;
	}
	(void)EVP_EncodeBlock((unsigned char *)dst, src, len);
}

static int
cram(struct session *s, const struct cred *c, struct reply *r, char *line,
    size_t n)
{
	if (r->len < 4)
		return -1;
	return cram_md5(r->text + 4, c->user, c->pass, line, n);
}

/*
 * One mechanism; the code of the server's last reply.  CRAM-MD5 needs the
 * server to hold the password itself, which many do not for every user
 * (they answer 535 to a right password); PLAIN and LOGIN only need it to
 * check one.
 */
static int
mechanism(struct session *s, int mech, const struct cred *c, struct reply *r)
{
	char	 line[1400], plain[600];
	int	 code, n, to = tmo(s->o, 300);

	switch (mech) {
	case AUTH_CRAMMD5:
		if ((code = conn_cmd(&s->c, r, to, "AUTH CRAM-MD5")) != 334)
			return code;
		if (cram(s, c, r, line, sizeof(line)) == -1)
			return conn_cmd(&s->c, r, to, "*");
		code = conn_cmd(&s->c, r, to, "%s", line);
		break;
	case AUTH_PLAIN:
		n = snprintf(plain, sizeof(plain), "%c%s%c%s", 0, c->user, 0,
		    c->pass);
		b64(line, sizeof(line), plain, n);
		code = conn_cmd(&s->c, r, to, "AUTH PLAIN %s", line);
		explicit_bzero(plain, sizeof(plain));
		break;
	default:
		if ((code = conn_cmd(&s->c, r, to, "AUTH LOGIN")) != 334)
			return code;
		b64(line, sizeof(line), c->user, strlen(c->user));
		if ((code = conn_cmd(&s->c, r, to, "%s", line)) != 334)
			return code;
		b64(line, sizeof(line), c->pass, strlen(c->pass));
		code = conn_cmd(&s->c, r, to, "%s", line);
		break;
	}
	explicit_bzero(line, sizeof(line));
	return code;
}

static const char *
mechname(int mech)
{
	return mech == AUTH_CRAMMD5 ? "CRAM-MD5" : mech == AUTH_PLAIN ?
	    "PLAIN" : "LOGIN";
}

/*
 * -1 when authenticated (go on), C_NEXT when the connection broke, else
 * C_DONE with every pending recipient deferred.  The mechanisms both sides
 * offer are tried in turn, CRAM-MD5 first (it never shows the password,
 * RFC 2195); when the server refuses it with 5yz (535 5.7.8, 504, 534:
 * RFC 4954 6), PLAIN or else LOGIN; a 4yz stops at once.  A
 * failure defers rather than bounces, as Postfix's
 * smtp_sasl_auth_soft_bounce does: a password is fixed by the
 * administrator, not by the sender.
 */
int
auth_run(struct session *s, struct reply *r)
{
	static const int order[] = { AUTH_CRAMMD5, AUTH_PLAIN, AUTH_LOGIN };
	struct cred	c;
	char		err[600], t[700];
	size_t		i, k;
	int		code = -1, dflag = s->c.dflag, tried = 0;

	if ((s->caps.auth & (AUTH_PLAIN | AUTH_LOGIN | AUTH_CRAMMD5)) == 0) {
		log_warnx("%s: no supported AUTH mechanism, going on without",
		    mxhost_str(s->mx));
		return -1;
	}
	if (netrc(s->o->netrc, s->servername, s->o->user, &c, err,
	    sizeof(err)) == -1) {
		log_warnx("AUTH: %s", err);
		(void)snprintf(t, sizeof(t), "AUTH not attempted: %s", err);
		goto out;
	}
	if (dflag)
		s->c.dflag = 2;		/* no secrets in -d traces */
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		if ((s->caps.auth & order[k]) == 0)
			continue;
		if (tried)
			log_info("AUTH %s refused by %s, trying %s",
			    mechname(tried), mxhost_str(s->mx),
			    mechname(order[k]));
		tried = order[k];
		code = mechanism(s, order[k], &c, r);
		/* PLAIN and LOGIN check the same password: one is enough */
		if (code / 100 != 5 || order[k] != AUTH_CRAMMD5)
			break;
	}
	s->c.dflag = dflag;
	explicit_bzero(&c, sizeof(c));
	if (code / 100 == 2) {
		log_info("authenticated to %s with %s", mxhost_str(s->mx),
		    mechname(tried));
		return -1;
	}
	(void)snprintf(t, sizeof(t), "AUTH %s to %s failed: %.500s",
	    mechname(tried), mxhost_str(s->mx), r->text);
	for (i = 0; t[i] != '\0'; i++)
		if (t[i] == '\n')
			t[i] = ' ';
	log_warnx("%s", t);
	if (code == -1) {
		(void)strlcpy(s->err, t, sizeof(s->err));
		return C_NEXT;
	}
out:
	for (i = 0; i < s->nrcpt; i++)
		if (s->rcpt[i].status == RS_PENDING) {
			s->rcpt[i].status = RS_RETRY;
			(void)strlcpy(s->rcpt[i].reply, t,
			    sizeof(s->rcpt[i].reply));
		}
	return C_DONE;
}
