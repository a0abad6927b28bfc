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
 * MTA-STS text formats, parsed strictly and without I/O (RFC 8461):
 * the _mta-sts TXT record (3.1), the policy file (3.2), the match of an
 * MX host against the policy's mx patterns (4.1), and our cache record.
 * Whatever does not follow the grammar is no policy at all: a sender
 * must not guess at a policy that may keep it from delivering.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sts.h"

#define ISWSP(c)	((c) == ' ' || (c) == '\t')
#define ISALNUM(c)	(((c) >= 'a' && (c) <= 'z') || \
			    ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))

const char *
sts_mode_name(int mode)
{
	switch (mode) {
	case STS_ENFORCE:
		return "enforce";
	case STS_TESTING:
		return "testing";
	default:
		return "none";
	}
}

/* RFC 8461 3.1/3.2: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static int
extname(const char *p, size_t n)
{
	size_t	i;

	if (n == 0 || n > 32 || !ISALNUM(p[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!ISALNUM(p[i]) && p[i] != '_' && p[i] != '-' && p[i] != '.')
			return 0;
	return 1;
}

/*
 * A Domain of RFC 5321 4.1.2, optionally after "*." (RFC 8461 3.2), into
 * dst in lower case.  Labels: letter or digit, then letters, digits and
 * hyphens, not ending in a hyphen; at most 63 octets, 253 in all.
 */
static int
mxpattern(const char *p, size_t n, char *dst, size_t dstlen)
{
	size_t	i, lab = 0;

	if (n >= 2 && p[0] == '*' && p[1] == '.') {
		i = 2;
		if (n == 2)
			return 0;
	} else
		i = 0;
	if (n - i > 253 || n >= dstlen)
		return 0;
	for (; i < n; i++) {
		if (p[i] == '.') {
			if (lab == 0 || p[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!ISALNUM(p[i]) && (p[i] != '-' || lab == 0))
			return 0;
		if (++lab > 63)
			return 0;
	}
	if (lab == 0 || p[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		dst[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i];
	dst[n] = '\0';
	return 1;
}

/* 1*10DIGIT; RFC 8461 3.2 caps the lifetime at a year */
static int
maxage(const char *p, size_t n, long long *v)
{
	size_t	i;

	if (n == 0 || n > 10)
		return 0;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (p[i] - '0');
	}
	if (*v > STS_MAXAGE)
		*v = STS_MAXAGE;
	return 1;
}

/* an extension value: visible characters (or UTF-8) with inner WSP */
static int
extvalue(const char *p, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!ISWSP(p[i]) && ((unsigned char)p[i] < 0x21 ||
		    (unsigned char)p[i] == 0x7f))
			return 0;
	return 1;
}

#define F_VERSION	0x1
#define F_MODE		0x2
#define F_MAXAGE	0x4

/* One "name: value" line, WSP around it already trimmed. */
static int
policy_field(const char *l, size_t n, struct sts_policy *p, int *seen,
    char *err, size_t errlen)
{
	const char	*colon, *v;
	size_t		 nl, vl;
	int		 f = 0;

	if ((colon = memchr(l, ':', n)) == NULL) {
		(void)snprintf(err, errlen, "line without a colon");
		return -1;
	}
	nl = colon - l;
	for (v = colon + 1; v < l + n && ISWSP(*v); v++)
		;
	vl = l + n - v;
	if (!extname(l, nl)) {
		(void)snprintf(err, errlen, "bad field name");
		return -1;
	}
	if (nl == 7 && memcmp(l, "version", 7) == 0) {
		if (vl != 5 || memcmp(v, "STSv1", 5) != 0) {
			(void)snprintf(err, errlen, "version is not STSv1");
			return -1;
		}
		f = F_VERSION;
	} else if (nl == 4 && memcmp(l, "mode", 4) == 0) {
		if (vl == 7 && memcmp(v, "enforce", 7) == 0)
			p->mode = STS_ENFORCE;
		else if (vl == 7 && memcmp(v, "testing", 7) == 0)
			p->mode = STS_TESTING;
		else if (vl == 4 && memcmp(v, "none", 4) == 0)
			p->mode = STS_NONE;
		else {
			(void)snprintf(err, errlen, "bad mode");
			return -1;
		}
		f = F_MODE;
	} else if (nl == 7 && memcmp(l, "max_age", 7) == 0) {
		if (!maxage(v, vl, &p->max_age)) {
			(void)snprintf(err, errlen, "bad max_age");
			return -1;
		}
		f = F_MAXAGE;
	} else if (nl == 2 && memcmp(l, "mx", 2) == 0) {
		if (p->nmx == STS_MAXMX) {
			(void)snprintf(err, errlen, "more than %d mx patterns",
			    STS_MAXMX);
			return -1;
		}
		if (!mxpattern(v, vl, p->mx[p->nmx], sizeof(p->mx[0]))) {
			(void)snprintf(err, errlen, "bad mx pattern");
			return -1;
		}
		p->nmx++;
	} else if (!extvalue(v, vl)) {
		/* RFC 8461 3.2: unknown fields are ignored, if well formed */
		(void)snprintf(err, errlen, "bad extension value");
		return -1;
	}
	if (f & *seen) {
		(void)snprintf(err, errlen, "field given twice");
		return -1;
	}
	*seen |= f;
	return 0;
}

/*
 * The policy file (RFC 8461 3.2): lines ending in LF or CRLF, each one
 * field; version, mode and max_age exactly once; at least one mx unless
 * the mode is none.  Only line ends may follow the last field.  0, or -1
 * and why.
 */
int
sts_parse(const char *buf, size_t len, struct sts_policy *p, char *err,
    size_t errlen)
{
	const char	*l = buf, *end = buf + len, *nl, *a, *b;
	int		 seen = 0, line = 0;

	memset(p, 0, sizeof(*p));
	if (len > STS_MAXBODY) {
		(void)snprintf(err, errlen, "policy longer than %d octets",
		    STS_MAXBODY);
		return -1;
	}
	while (l < end) {
		line++;
		if ((nl = memchr(l, '\n', end - l)) == NULL)
			nl = end;
		b = nl;
		if (b > l && b[-1] == '\r')
			b--;
		for (a = l; a < b && ISWSP(*a); a++)
			;
		while (b > a && ISWSP(b[-1]))
			b--;
		if (a == b) {
			/* an empty line: only line ends may follow */
			for (; l < end; l++)
				if (*l != '\r' && *l != '\n')
					goto bad;
			break;
		}
		if (memchr(a, '\r', b - a) != NULL ||
		    memchr(a, '\0', b - a) != NULL) {
			(void)snprintf(err, errlen, "line %d: stray CR or NUL",
			    line);
			return -1;
		}
		if (policy_field(a, b - a, p, &seen, err, errlen) == -1)
			goto fielderr;
		l = nl < end ? nl + 1 : end;
	}
	if (!(seen & F_VERSION) || !(seen & F_MODE) || !(seen & F_MAXAGE)) {
		(void)snprintf(err, errlen, "version, mode or max_age missing");
		return -1;
	}
	if (p->mode != STS_NONE && p->nmx == 0) {
		(void)snprintf(err, errlen, "mode %s without an mx pattern",
		    sts_mode_name(p->mode));
		return -1;
	}
	return 0;
bad:
	(void)snprintf(err, errlen, "line %d: empty line inside the policy",
	    line);
	return -1;
fielderr:
	{
		char	why[128];

		(void)strlcpy(why, err, sizeof(why));
		(void)snprintf(err, errlen, "line %d: %s", line, why);
	}
	return -1;
}

/*
 * One TXT record (its strings joined, RFC 8461 3.1).  1 with the id when
 * it is a valid STSv1 record, 0 when it is not an MTA-STS record at all
 * (it does not begin with "v=STSv1"), -1 when it is one but malformed.
 */
int
sts_txt(const char *r, size_t n, char *id, size_t idlen)
{
	const char	*p = r, *end = r + n, *f, *eq;
	int		 haveid = 0;

	if (n < 7 || memcmp(r, "v=STSv1", 7) != 0)
		return 0;
	p += 7;
	if (p < end && *p != ';' && !ISWSP(*p))
		return 0;		/* "v=STSv10": another version */
	for (;;) {
		while (p < end && ISWSP(*p))
			p++;
		if (p == end)
			break;
		if (*p++ != ';')
			return -1;
		while (p < end && ISWSP(*p))
			p++;
		if (p == end)
			break;		/* [sts-sep] at the end */
		for (f = p; p < end && *p != ';' && !ISWSP(*p); p++)
			;
		if ((eq = memchr(f, '=', p - f)) == NULL ||
		    !extname(f, eq - f) || eq + 1 == p)
			return -1;
		if (eq - f == 2 && memcmp(f, "id", 2) == 0) {
			if (haveid || p - eq - 1 > STS_MAXID ||
			    (size_t)(p - eq - 1) >= idlen)
				return -1;
			for (f = eq + 1; f < p; f++)
				if (!ISALNUM(*f))
					return -1;
			memcpy(id, eq + 1, p - eq - 1);
			id[p - eq - 1] = '\0';
			haveid = 1;
			continue;
		}
		/* an extension: %x21-3A / %x3C / %x3E-7E */
		for (f = eq + 1; f < p; f++)
			if ((unsigned char)*f < 0x21 || (unsigned char)*f > 0x7e ||
			    *f == '=')
				return -1;
	}
	return haveid ? 1 : -1;
}

/*
 * RFC 8461 4.1: the MX host name matches a pattern literally, or "*."
 * then a domain matches a host exactly one label below that domain.
 * Case-insensitive; the final dot of the host name does not count.
 */
int
sts_match(const struct sts_policy *p, const char *host)
{
	const char	*dot;
	size_t		 i, hl = strlen(host), pl;

	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	for (i = 0; i < p->nmx; i++) {
		const char	*m = p->mx[i];

		if (m[0] == '*' && m[1] == '.') {
			if ((dot = memchr(host, '.', hl)) == NULL ||
			    dot == host)
				continue;
			pl = strlen(m + 2);
			if ((size_t)(host + hl - dot - 1) == pl &&
			    strncasecmp(dot + 1, m + 2, pl) == 0)
				return 1;
		} else if (strlen(m) == hl && strncasecmp(host, m, hl) == 0)
			return 1;
	}
	return 0;
}

/* A domain that can name a cache file: LDH labels in lower case. */
int
sts_domain_ok(const char *d)
{
	char	tmp[256];
	size_t	n = strlen(d), i;

	if (n == 0 || n > 253 || d[0] == '*' || !mxpattern(d, n, tmp,
	    sizeof(tmp)))
		return 0;
	for (i = 0; i < n; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			return 0;
	return 1;
}

/*
 * Our cache record: "upas-sts 1 <fetched> <id>" on the first line, then
 * the policy file as fetched (reparsed on every read, never trusted).
 */
int
sts_cache_parse(const char *buf, size_t len, struct sts_cached *c)
{
	const char	*nl, *p, *e;
	char		 err[128];
	size_t		 n;

	memset(c, 0, sizeof(*c));
	if ((nl = memchr(buf, '\n', len)) == NULL || nl - buf > 80 ||
	    strncmp(buf, "upas-sts 1 ", 11) != 0)
		return -1;
	p = buf + 11;
	for (e = p; e < nl && *e >= '0' && *e <= '9' && e - p < 13; e++)
		c->fetched = c->fetched * 10 + (*e - '0');
	if (e == p || e - p > 12 || e == nl || *e != ' ')
		return -1;
	p = e + 1;
	n = nl - p;
	if (n == 0 || n > STS_MAXID)
		return -1;
	for (e = p; e < nl; e++)
		if (!ISALNUM(*e))
			return -1;
	memcpy(c->id, p, n);
	c->id[n] = '\0';
	return sts_parse(nl + 1, len - (nl + 1 - buf), &c->p, err,
	    sizeof(err));
}

/* The record for the policy body fetched at time fetched under id. */
int
sts_cache_format(const struct sts_cached *c, const char *body, size_t len,
    char **out, size_t *outlen)
{
	char	hdr[100];
	int	n;

	n = snprintf(hdr, sizeof(hdr), "upas-sts 1 %lld %s\n", c->fetched,
	    c->id);
	if (n < 0 || (size_t)n >= sizeof(hdr) || len > STS_MAXBODY)
		return -1;
	if ((*out = malloc(n + len)) == NULL)
		return -1;
	memcpy(*out, hdr, n);
	memcpy(*out + n, body, len);
	*outlen = n + len;
	return 0;
}
