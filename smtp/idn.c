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
 * Domain names and addresses as they go on the wire.  A U-label domain
 * (IDNA2008, RFC 5891) is looked up and, without SMTPUTF8 (RFC 6531), sent
 * as A-labels; a name that is not a domain (foo..bar, a label of 64
 * octets, a '_') is refused for good: no retry will mend it.  IPv6 address
 * literals are [IPv6:...] (RFC 5321 4.1.3).  No I/O here.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
/*
 * libidn2 (Debian libidn2-dev, OpenBSD and FreeBSD ports devel/libidn2,
 * dns/libidn2).  Without it a U-label domain is refused as malformed.
 */
#if defined(__has_include)
#if __has_include(<idn2.h>)
#include <idn2.h>
#define HAVE_IDN2	1
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp.h"

static int
ascii_n(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int
ascii(const char *s)
{
	return ascii_n(s, strlen(s));
}

static char *
xstrdup(const char *s)
{
	char	*r;

	if ((r = strdup(s)) == NULL)
		abort();
	return r;
}

/* RFC 5321 4.1.2 Domain: Let-dig [Ldh-str] labels, 63 and 255 octets */
static int
ldh(const char *d, char *err, size_t errlen)
{
	const char	*l = d, *e;
	size_t		 n, total = strlen(d);

	if (total > 0 && d[total - 1] == '.')
		total--;			/* one root dot is fine */
	if (total == 0 || total > 253) {
		(void)snprintf(err, errlen, "domain %.80s: bad length", d);
		return -1;
	}
	while (l < d + total) {
		e = memchr(l, '.', d + total - l);
		if (e == NULL)
			e = d + total;
		n = e - l;
		if (n == 0 || n > 63) {
			(void)snprintf(err, errlen, "domain %.80s: %s", d,
			    n == 0 ? "empty label" : "label longer than 63");
			return -1;
		}
		if (strspn(l, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") < n ||
		    l[0] == '-' || l[n - 1] == '-') {
			(void)snprintf(err, errlen, "domain %.80s: label "
			    "%.*s is not letters, digits and inner hyphens",
			    d, (int)(n > 63 ? 63 : n), l);
			return -1;
		}
		l = e + 1;
	}
	return 0;
}

/*
 * A domain in A-labels, ready for DNS and for a server without SMTPUTF8;
 * 0, or -1 and why (a permanent error).
 */
int
idn_domain(const char *in, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char	*a = NULL;
	int	 rc;

	if (ascii(in)) {
		if (strlcpy(out, in, outlen) >= outlen) {
			(void)snprintf(err, errlen, "domain too long");
			return -1;
		}
	} else {
#ifdef HAVE_IDN2
		/* IDNA2008 (RFC 5891 5), NFC first as UTS 46 does for input */
		rc = idn2_to_ascii_8z(in, &a, IDN2_NFC_INPUT |
		    IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			(void)snprintf(err, errlen, "domain %.80s: %s", in,
			    idn2_strerror(rc));
			return -1;
		}
		if (strlcpy(out, a, outlen) >= outlen) {
			idn2_free(a);
			(void)snprintf(err, errlen, "domain too long");
			return -1;
		}
		idn2_free(a);
#else
		(void)a;
		(void)rc;
		(void)snprintf(err, errlen, "domain %.80s: not ASCII, and "
		    "built without libidn2", in);
		return -1;
#endif
	}
	return ldh(out, err, errlen);
}

/*
 * An address literal's inside: a dotted quad, or IPv6 with or without its
 * "IPv6:" tag; the form to send ("[IPv6:...]") in out.
 */
static int
literal(const char *in, size_t len, char *out, size_t outlen)
{
	char		 a[INET6_ADDRSTRLEN + 8];
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*p = in;

	if (len >= sizeof(a))
		return -1;
	memcpy(a, in, len);
	a[len] = '\0';
	p = a;
	if (strncasecmp(p, "IPv6:", 5) == 0)
		p += 5;
	else if (inet_pton(AF_INET, p, &a4) == 1)
		return snprintf(out, outlen, "[%s]", p) >= (int)outlen ? -1 : 0;
	if (inet_pton(AF_INET6, p, &a6) != 1 ||
	    inet_ntop(AF_INET6, &a6, a, sizeof(a)) == NULL)
		return -1;
	return snprintf(out, outlen, "[IPv6:%s]", a) >= (int)outlen ? -1 : 0;
}

/*
 * A recipient or sender address in the two forms it may be sent in:
 * *utf8 as given (U-labels kept, for a server that offers SMTPUTF8) and
 * *asc with the domain in A-labels, NULL when the local part is not ASCII
 * (only SMTPUTF8 can carry it).  0, or -1 and why: malformed for good.
 */
int
idn_addr(const char *addr, char **utf8, char **asc, char *err, size_t errlen)
{
	const char	*at;
	char		 dom[256], lit[INET6_ADDRSTRLEN + 10];
	size_t		 llen;

	*utf8 = *asc = NULL;
	if ((at = strrchr(addr, '@')) == NULL) {
		/* no domain: <postmaster> and names the server qualifies */
		*utf8 = xstrdup(addr);
		if (ascii(addr))
			*asc = xstrdup(addr);
		return 0;
	}
	llen = at - addr;
	if (llen == 0) {
		(void)snprintf(err, errlen, "address %.80s: empty local part",
		    addr);
		return -1;
	}
	if (at[1] == '[') {
		if (at[strlen(at) - 1] != ']' || literal(at + 2,
		    strlen(at + 2) - 1, lit, sizeof(lit)) == -1) {
			(void)snprintf(err, errlen, "address %.80s: bad "
			    "address literal", addr);
			return -1;
		}
		if (asprintf(utf8, "%.*s@%s", (int)llen, addr, lit) == -1)
			abort();
		if (ascii(*utf8))
			*asc = xstrdup(*utf8);
		return 0;
	}
	if (idn_domain(at + 1, dom, sizeof(dom), err, errlen) == -1)
		return -1;
	*utf8 = xstrdup(addr);
	if (ascii_n(addr, llen) &&
	    asprintf(asc, "%.*s@%s", (int)llen, addr, dom) == -1)
		abort();
	return 0;
}
