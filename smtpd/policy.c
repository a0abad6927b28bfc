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
 * The blocked file (Plan 9's /mail/lib/blocked, served there by ratfs):
 * read as root before fork, consulted by address before fork and by
 * sender in the parent.  Same line syntax as smtpd.conf: '#' comments,
 * '\x' quotes x, blanks and commas separate, everything lower-cased.
 *
 *	verb ip[/len] ...	verb: allow accept block deny dial relay delay
 *	*verb pattern ...	sender patterns, also written "* verb"
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "smtpd.h"

#define BL_MAXTOK	64
#define BL_MAXRULES	100000
#define BL_MAXDOMS	10		/* ratfs: up to 10 source-route domains */

static const struct {
	const char	*name;
	enum action	 act;
} verbs[] = {
	{ "allow",	ACT_ALLOW },
	{ "accept",	ACT_ALLOW },
	{ "block",	ACT_BLOCK },
	{ "deny",	ACT_DENY },
	{ "dial",	ACT_DIAL },
	{ "relay",	ACT_DELAY },
	{ "delay",	ACT_DELAY },
};


const char *
action_name(enum action a)
{
	switch (a) {
	case ACT_ALLOW:
		return "allow";
	case ACT_BLOCK:
		return "block";
	case ACT_DENY:
		return "deny";
	case ACT_DIAL:
		return "dial";
	case ACT_DELAY:
		return "delay";
	default:
		return "none";
	}
}

/*
 * Split one line in place, as Plan 9's getline: returns the number of
 * tokens (at most max), lower-cased, quotes removed.
 */
static int
blocked_line(char *line, char **tok, int max)
{
	char	*r = line, *w = line;
	int	 n = 0, intok = 0;

	for (; *r != '\0' && *r != '\n' && *r != '#'; r++) {
		if (*r == ' ' || *r == '\t' || *r == ',' || *r == '\r') {
			if (intok) {
				*w++ = '\0';
				intok = 0;
			}
			continue;
		}
		if (!intok) {
			if (n == max)
				break;
			tok[n++] = w;
			intok = 1;
		}
		if (*r == '\\' && r[1] != '\0' && r[1] != '\n')
			r++;
		*w++ = tolower((unsigned char)*r);
	}
	if (intok)
		*w = '\0';
	return n;
}

/*
 * Normalise a sender pattern into "domains!user" (either may be empty)
 * from the bang form or user@domain.  Refuses the patterns that would
 * match everyone: "*", "!", "*!", "!*", "*!*" and their @ spellings.
 */
static int
blocked_pattern(const char *in, char *out, size_t outsz)
{
	const char	*at, *bang;
	char		 dom[SMTP_PATHMAX], user[SMTP_PATHMAX];
	size_t		 n;

	if (*in == '\0' || strlen(in) >= sizeof(dom))
		return -1;
	if ((bang = strrchr(in, '!')) != NULL) {
		n = bang - in;
		memcpy(dom, in, n);
		dom[n] = '\0';
		strlcpy(user, bang + 1, sizeof(user));
	} else if ((at = strrchr(in, '@')) != NULL) {
		n = at - in;
		memcpy(user, in, n);
		user[n] = '\0';
		strlcpy(dom, at + 1, sizeof(dom));
	} else {
		strlcpy(dom, in, sizeof(dom));	/* a bare domain */
		user[0] = '\0';
	}
	if (strcmp(user, "*") == 0)
		user[0] = '\0';
	if (strcmp(dom, "*") == 0)
		dom[0] = '\0';
	if (dom[0] == '\0' && user[0] == '\0')
		return -1;
	/* "*.": a wildcard over the whole name space */
	if (strcmp(dom, "*.") == 0 || strchr(dom, '@') != NULL ||
	    strchr(user, '@') != NULL)
		return -1;
	if ((size_t)snprintf(out, outsz, "%s!%s", dom, user) >= outsz)
		return -1;
	return 0;
}

static int
blocked_add(struct conf *c, enum action act, int isaccount, const char *param)
{
	struct blockrule	 r, *v;

	memset(&r, 0, sizeof(r));
	r.act = act;
	r.isaccount = isaccount;
	if (isaccount) {
		if (blocked_pattern(param, r.pattern, sizeof(r.pattern)) == -1)
			return -1;
	} else {
		char	 ip[SMTP_PATHMAX], *p;

		/* ratfs also takes '#len', written "\#len" here */
		if (strlcpy(ip, param, sizeof(ip)) >= sizeof(ip))
			return -1;
		if ((p = strchr(ip, '#')) != NULL)
			*p = '/';
		if (net_parse(ip, &r.net, 1) == -1)
			return -1;
	}
	if (c->blockn >= BL_MAXRULES)
		return -1;
	v = reallocarray(c->blockv, c->blockn + 1, sizeof(*v));
	if (v == NULL)
		fatal("blocked");
	v[c->blockn++] = r;
	c->blockv = v;
	return 0;
}

int
blocked_parse(struct conf *c, FILE *fp, const char *path)
{
	char		*line = NULL, *tok[BL_MAXTOK], *verb;
	size_t		 cap = 0;
	ssize_t		 len;
	int		 n, i, v, isaccount, lineno = 0, first;
	size_t		 k;

	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		n = blocked_line(line, tok, BL_MAXTOK);
		if (n == 0)
			continue;
		verb = tok[0];
		first = 1;
		isaccount = 0;
		if (*verb == '*') {
			isaccount = 1;
			if (*++verb == '\0') {		/* "* block" */
				if (n < 2)
					continue;
				verb = tok[1];
				first = 2;
			}
		}
		v = -1;
		for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			if (strcmp(verb, verbs[k].name) == 0)
				v = k;
		if (v == -1) {
			log_warnx("%s:%d: unknown verb \"%s\" ignored", path,
			    lineno, verb);
			continue;
		}
		for (i = first; i < n; i++)
			if (blocked_add(c, verbs[v].act, isaccount, tok[i]) == -1)
				log_warnx("%s:%d: bad or too wide %s \"%s\" "
				    "ignored", path, lineno,
				    isaccount ? "pattern" : "address", tok[i]);
	}
	free(line);
	return ferror(fp) ? -1 : 0;
}

/* 0, also when there is no file; -1 when it exists but cannot be read. */
int
blocked_read(struct conf *c)
{
	FILE	*fp;
	int	 rv;

	free(c->blockv);
	c->blockv = NULL;
	c->blockn = 0;
	if (c->blocked[0] == '\0')
		return 0;
	if ((fp = fopen(c->blocked, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s", c->blocked);
		return -1;
	}
	rv = blocked_parse(c, fp, c->blocked);
	if (rv == -1)
		log_warn("%s", c->blocked);
	fclose(fp);
	return rv;
}

/* allow, block, deny, dial, delay: the lowest listed action wins. */
static enum action
better(enum action have, enum action a)
{
	if (have == ACT_NONE || a < have)
		return a;
	return have;
}

enum action
policy_ip(const struct conf *c, const struct peer *p)
{
	enum action	 a = ACT_NONE;
	size_t		 i;

	for (i = 0; i < c->blockn; i++)
		if (!c->blockv[i].isaccount &&
		    net_match(&c->blockv[i].net,
		    (const struct sockaddr *)&p->remote))
			a = better(a, c->blockv[i].act);
	return a;
}

/* "*.dom" matches dom and below; "dom" only itself; "" anything. */
static int
dom_match(const char *pat, const char *dom)
{
	size_t	 pl, dl;

	if (*pat == '\0')
		return 1;
	if (pat[0] == '*' && pat[1] == '.') {
		pat += 2;
		pl = strlen(pat);
		dl = strlen(dom);
		if (strcmp(pat, dom) == 0)
			return 1;
		return dl > pl && dom[dl - pl - 1] == '.' &&
		    strcmp(dom + dl - pl, pat) == 0;
	}
	return strcmp(pat, dom) == 0;
}

static int
user_match(const char *pat, const char *user)
{
	size_t	 pl = strlen(pat);

	if (pl > 0 && pat[pl - 1] == '*')
		return strncmp(pat, user, pl - 1) == 0;
	return strcmp(pat, user) == 0;
}

/*
 * pattern is "domains!user" from blocked_pattern(); sender is lower-case
 * user@domain or a bang path.  Without a user part the pattern's domain
 * may match any domain of the path; with one, only the last.
 */
int
pattern_match(const char *pattern, const char *sender)
{
	char		 buf[SMTP_PATHMAX + 1], *dom[BL_MAXDOMS], *user, *p;
	char		 pdom[SMTP_PATHMAX];
	const char	*puser;
	int		 nd = 0, i;
	size_t		 n;

	if ((puser = strrchr(pattern, '!')) == NULL)
		return 0;
	n = puser - pattern;
	if (n >= sizeof(pdom))
		return 0;
	memcpy(pdom, pattern, n);
	pdom[n] = '\0';
	puser++;

	if (strlcpy(buf, sender, sizeof(buf)) >= sizeof(buf))
		return 0;
	if ((p = strrchr(buf, '@')) != NULL && strchr(buf, '!') == NULL) {
		*p = '\0';
		user = buf;
		dom[nd++] = p + 1;
	} else {
		user = buf;
		while ((p = strchr(user, '!')) != NULL && nd < BL_MAXDOMS) {
			*p = '\0';
			dom[nd++] = user;
			user = p + 1;
		}
	}
	if (*puser == '\0') {
		for (i = 0; i < nd; i++)
			if (dom_match(pdom, dom[i]))
				return 1;
		return 0;
	}
	if (!user_match(puser, user))
		return 0;
	if (pdom[0] == '\0')
		return 1;
	return nd > 0 && dom_match(pdom, dom[nd - 1]);
}

enum action
policy_sender(const struct conf *c, const char *sender)
{
	char		 low[SMTP_PATHMAX + 1];
	enum action	 a = ACT_NONE;
	size_t		 i;

	if (sender == NULL || *sender == '\0')
		return ACT_NONE;
	for (i = 0; sender[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = tolower((unsigned char)sender[i]);
	low[i] = '\0';
	for (i = 0; i < c->blockn; i++)
		if (c->blockv[i].isaccount &&
		    pattern_match(c->blockv[i].pattern, low))
			a = better(a, c->blockv[i].act);
	return a;
}

/*
 * The blocked file's verdict on a transaction: by address first, then
 * by sender; ACT_NONE for our networks and authenticated clients.  The
 * child asks it at MAIL (rules.c), the parent again at the commit.
 */
enum action
policy_mail(const struct conf *c, const struct peer *p, int authed,
    const char *sender)
{
	if (p->trusted || authed)
		return ACT_NONE;
	if (p->ipaction != ACT_NONE)
		return p->ipaction;
	return policy_sender(c, sender);
}

/* Does an address literal ("[1.2.3.4]", "[IPv6:...]") equal this address? */
int
policy_literal_is(const char *lit, const struct sockaddr_storage *ss)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *p;
	uint8_t		 a[16];
	const uint8_t	*b;
	size_t		 n = strlen(lit);

	if (n < 3 || lit[0] != '[' || lit[n - 1] != ']' || n - 2 >= sizeof(buf))
		return 0;
	memcpy(buf, lit + 1, n - 2);
	buf[n - 2] = '\0';
	p = buf;
	if (strncasecmp(p, "ipv6:", 5) == 0) {
		p += 5;
		if (inet_pton(AF_INET6, p, a) != 1 || ss->ss_family != AF_INET6)
			return 0;
		b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		return memcmp(a, b, 16) == 0;
	}
	if (inet_pton(AF_INET, p, a) != 1)
		return 0;
	if (ss->ss_family == AF_INET)
		b = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(
	    &((const struct sockaddr_in6 *)ss)->sin6_addr))
		b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr + 12;
	else
		return 0;
	return memcmp(a, b, 4) == 0;
}

/* a equals b, ignoring case and one trailing dot of a; b "" never. */
int
policy_same_name(const char *a, const char *b)
{
	size_t	 n = strlen(a);

	if (*b == '\0')
		return 0;
	if (n > 0 && a[n - 1] == '.')
		n--;
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

/*
 * A destination domain we take mail for (smtpd.conf(5) norelay):
 * ourdomains, our host and domain names, a name without a dot, "[]" and
 * the literal of the address the client connected to (local).
 */
int
policy_ourdomain(const struct conf *c, const struct sockaddr_storage *local,
    const char *dom)
{
	if (*dom == '\0' || strcmp(dom, "[]") == 0)
		return 1;
	if (*dom == '[')
		return policy_literal_is(dom, local);
	if (strchr(dom, '.') == NULL)
		return 1;
	return policy_same_name(dom, c->hostname) ||
	    policy_same_name(dom, c->domain) ||
	    domain_match(&c->ourdomains, dom);
}

/* The domain of user@domain (after the last @), or of a bang path (first). */
const char *
policy_addr_domain(const char *addr, char *dom, size_t domsz)
{
	const char	*at, *bang;

	dom[0] = '\0';
	if ((at = strrchr(addr, '@')) != NULL)
		strlcpy(dom, at + 1, domsz);
	else if ((bang = strchr(addr, '!')) != NULL) {
		size_t	 n = bang - addr;

		if (n < domsz) {
			memcpy(dom, addr, n);
			dom[n] = '\0';
		}
	}
	return dom;
}

/*
 * The relay rule, one function for the child at RCPT and the parent at
 * the commit, so that a compromised child gains nothing by skipping it.
 * Relaying is allowed when norelay is off, for ournets and after the
 * parent accepted an AUTH (authed).  Otherwise a recipient must be
 * "postmaster" (RFC 5321 4.5.1) or local@domain with one of our domains,
 * and its local part must not route on: a mailer such as Postfix's
 * sendmail relays user%other@us, other!user@us and "user@other"@us, and
 * a source route (RFC 5321 C) names other hosts too.  NULL when rcpt may
 * go to the mailer, else why not: "relay" or "routing".
 */
const char *
policy_relay(const struct conf *c, const struct peer *p, int authed,
    const char *rcpt)
{
	const char	*at;
	size_t		 n;

	if (!c->norelay || p->trusted || authed)
		return NULL;
	if (strcasecmp(rcpt, "postmaster") == 0)
		return NULL;
	if (rcpt[0] == '@' || (at = strrchr(rcpt, '@')) == NULL)
		return "routing";
	n = at - rcpt;
	if (n == 0 || memchr(rcpt, '@', n) != NULL ||
	    memchr(rcpt, '%', n) != NULL || memchr(rcpt, '!', n) != NULL)
		return "routing";
	if (!policy_ourdomain(c, &p->local, at + 1))
		return "relay";
	return NULL;
}
