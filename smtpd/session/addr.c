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
 * RFC 5321 4.1.2 paths, mailboxes and domains, with the RFC 6531 3.3
 * UTF-8 extensions.  No I/O and no allocation: this file is fuzzed on
 * its own (regress/fuzz/fuzz-addr.c).  Every scanner takes [p, end) and
 * returns how many bytes it matched, 0 for no match.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <string.h>
#include <strings.h>

#include "session.h"

static int
isalnum_c(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 3.2.3 atext, without UTF-8 */
static int
isatext(unsigned char c)
{
	return isalnum_c(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A well-formed UTF-8 sequence of a non-ASCII character: its length, or 0. */
static size_t
utf8_len(const char *p, const char *end)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 n, i;
	unsigned int		 cp, min;

	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2; cp = u[0] & 0x1f; min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3; cp = u[0] & 0x0f; min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4; cp = u[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* One atext character, or one UTF-8 character (flagged in *utf8). */
static size_t
p_atext(const char *p, const char *end, int *utf8)
{
	size_t	n;

	if (p >= end)
		return 0;
	if (isatext((unsigned char)*p))
		return 1;
	if ((n = utf8_len(p, end)) > 0)
		*utf8 = 1;
	return n;
}

/* RFC 5321 Dot-string: Atom *("." Atom) */
static size_t
p_dotstring(const char *p, const char *end, int *utf8)
{
	const char	*q = p;
	size_t		 n, atom = 0;

	for (;;) {
		if ((n = p_atext(q, end, utf8)) > 0) {
			q += n;
			atom++;
		} else if (q < end && *q == '.' && atom > 0) {
			q++;
			atom = 0;
		} else
			break;
	}
	if (atom == 0)		/* empty, or a trailing dot */
		return 0;
	return q - p;
}

/* RFC 5321 Quoted-string: DQUOTE *QcontentSMTP DQUOTE */
static size_t
p_quoted(const char *p, const char *end, int *utf8)
{
	const char	*q = p;
	unsigned char	 c;
	size_t		 n;

	if (q >= end || *q != '"')
		return 0;
	for (q++; q < end; ) {
		c = (unsigned char)*q;
		if (c == '"')
			return q + 1 - p;
		if (c == '\\') {
			if (q + 1 >= end || q[1] < 32 || q[1] > 126)
				return 0;
			q += 2;
		} else if (c >= 32 && c <= 126)
			q++;
		else if ((n = utf8_len(q, end)) > 0) {
			*utf8 = 1;
			q += n;
		} else
			return 0;
	}
	return 0;
}

/* sub-domain = Let-dig [Ldh-str]; a U-label may hold UTF-8 */
static size_t
p_subdomain(const char *p, const char *end, int *utf8)
{
	const char	*q = p;
	size_t		 n;
	int		 lastdash = 0;

	while (q < end) {
		if (isalnum_c((unsigned char)*q)) {
			q++;
			lastdash = 0;
		} else if (*q == '-' && q > p) {
			q++;
			lastdash = 1;
		} else if ((n = utf8_len(q, end)) > 0) {
			*utf8 = 1;
			q += n;
			lastdash = 0;
		} else
			break;
	}
	if (q == p || lastdash)
		return 0;
	if (q - p > 63)		/* RFC 1035 2.3.4 */
		return 0;
	return q - p;
}

/* Domain = sub-domain *("." sub-domain) */
static size_t
p_domain(const char *p, const char *end, int *utf8)
{
	const char	*q = p;
	size_t		 n;

	for (;;) {
		if ((n = p_subdomain(q, end, utf8)) == 0)
			return 0;
		q += n;
		if (q < end && *q == '.')
			q++;
		else
			break;
	}
	if (q - p > SMTP_DOMAINMAX)
		return 0;
	return q - p;
}

/* IPv4-address-literal: Snum 3("." Snum), Snum 1*3DIGIT of 0-255 */
static int
ipv4_ok(const char *p, const char *end)
{
	int	part, digits, val;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (p >= end || *p != '.')
				return 0;
			p++;
		}
		for (digits = val = 0; p < end && *p >= '0' && *p <= '9';
		    p++) {
			if (++digits > 3)
				return 0;
			val = val * 10 + (*p - '0');
		}
		if (digits == 0 || val > 255)
			return 0;
	}
	return p == end;
}

static int
ipv6_ok(const char *p, const char *end)
{
	char		buf[INET6_ADDRSTRLEN];
	struct in6_addr	in6;
	size_t		len = end - p;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, &in6) == 1;
}

/* address-literal: "[" ( IPv4 / "IPv6:" IPv6 ) "]"; general literals refused */
static size_t
p_literal(const char *p, const char *end)
{
	const char	*close;

	if (p >= end || *p != '[')
		return 0;
	if ((close = memchr(p, ']', end - p)) == NULL)
		return 0;
	if (close - p > 5 && strncasecmp(p + 1, "IPv6:", 5) == 0) {
		if (!ipv6_ok(p + 6, close))
			return 0;
	} else if (!ipv4_ok(p + 1, close))
		return 0;
	return close + 1 - p;
}

/*
 * A whole string of len bytes as a Domain or an address-literal (HELO,
 * EHLO).  Returns -1 if it is not one, 1 if it holds UTF-8, else 0.
 */
int
addr_parse_domain(const char *s, size_t len)
{
	const char	*end = s + len;
	int		 utf8 = 0;

	if (len > 0 && *s == '[')
		return p_literal(s, end) == len ? 0 : -1;
	if (p_domain(s, end, &utf8) != len)
		return -1;
	return utf8;
}

/* A-d-l: At-domain *( "," At-domain ) ":"; source routes are dropped */
static size_t
p_adl(const char *p, const char *end, int *utf8)
{
	const char	*q = p;
	size_t		 n;

	for (;;) {
		if (q >= end || *q != '@')
			return 0;
		q++;
		if ((n = p_domain(q, end, utf8)) == 0)
			return 0;
		q += n;
		if (q < end && *q == ',')
			q++;
		else if (q < end && *q == ':')
			return q + 1 - p;
		else
			return 0;
	}
}

/*
 * Path = "<" [ A-d-l ":" ] Mailbox ">", or "<>", at the start of in (a C
 * string).  The mailbox, without the source route, goes to out ("" for
 * "<>"); *rest points after the ">".  A mailbox without a domain is
 * accepted only as "postmaster" (RFC 5321 4.1.1.3).  Returns -1 on a
 * syntax error or an overlong path, 1 when the mailbox holds UTF-8
 * (allowed only under SMTPUTF8: the caller decides), else 0.
 */
int
addr_parse_path(const char *in, char *out, size_t outsz, const char **rest)
{
	const char	*end, *p, *mbox;
	size_t		 n, len;
	int		 utf8 = 0;

	if (outsz == 0 || in[0] != '<')
		return -1;
	end = in + strnlen(in, SMTP_PATHMAX + 1);
	p = in + 1;
	if (p < end && *p == '>') {
		out[0] = '\0';
		*rest = p + 1;
		return 0;
	}
	if (p < end && *p == '@') {
		if ((n = p_adl(p, end, &utf8)) == 0)
			return -1;
		p += n;
	}
	mbox = p;
	if ((n = p_dotstring(p, end, &utf8)) == 0 &&
	    (n = p_quoted(p, end, &utf8)) == 0)
		return -1;
	if (n > SMTP_LOCALMAX)
		return -1;
	p += n;
	if (p < end && *p == '@') {
		p++;
		if ((n = p_literal(p, end)) == 0 &&
		    (n = p_domain(p, end, &utf8)) == 0)
			return -1;
		p += n;
	} else {
		if (p - mbox != 10 || strncasecmp(mbox, "postmaster", 10) != 0)
			return -1;
	}
	if (p >= end || *p != '>')
		return -1;
	if (p + 1 - in > SMTP_PATHMAX)	/* RFC 5321 4.5.3.1.3 */
		return -1;
	len = p - mbox;
	if (len >= outsz)
		return -1;
	memcpy(out, mbox, len);
	out[len] = '\0';
	*rest = p + 1;
	return utf8;
}

/*
 * Split a mailbox from addr_parse_path() at its last "@" (a quoted local
 * part may hold one, a domain never does).  No "@": the domain is "".
 */
int
addr_split(const char *mbox, char *local, size_t lsz, char *dom, size_t dsz)
{
	const char	*at;
	size_t		 n;

	if ((at = strrchr(mbox, '@')) == NULL) {
		if (strlcpy(local, mbox, lsz) >= lsz)
			return -1;
		if (dsz > 0)
			dom[0] = '\0';
		return 0;
	}
	n = at - mbox;
	if (n >= lsz || strlcpy(dom, at + 1, dsz) >= dsz)
		return -1;
	memcpy(local, mbox, n);
	local[n] = '\0';
	return 0;
}
