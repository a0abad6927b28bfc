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
 * Addresses with a prefix length (ournets, -k, the blocked file, the
 * greylist's whitelist): parsed, matched against a peer, printed; and the
 * ourdomains match.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpd.h"

/* One more address for a list (ournets, -k); -1 when out of memory. */
int
netlist_add(struct netlist *l, const struct netaddr *a)
{
	struct netaddr	*v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->v[l->n++] = *a;
	return 0;
}

/* As net_parse() reads it back: "address/bits". */
void
net_print(FILE *fp, const struct netaddr *a)
{
	char	buf[INET6_ADDRSTRLEN];

	if (inet_ntop(a->af, a->addr, buf, sizeof(buf)) == NULL)
		(void)strlcpy(buf, "?", sizeof(buf));
	fprintf(fp, "%s/%d", buf, a->bits);
}

/*
 * "a.b.c.d[/len]" or an IPv6 address "[/len]".  Without /len the entry is
 * exact unless implicit is set: then, as in Plan 9 BL, the mask follows
 * the number of IPv4 octets written, /16 at least ("10.1" is 10.1/16).
 * Host bits beyond the mask are cleared.
 */
int
net_parse(const char *s, struct netaddr *a, int implicit)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	const char	*p;
	long		 bits = -1;
	int		 octets, i, maxbits;

	memset(a, 0, sizeof(*a));
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (!isdigit((unsigned char)*slash))
			return -1;
		errno = 0;
		bits = strtol(slash, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	}
	if (inet_pton(AF_INET6, buf, a->addr) == 1) {
		a->af = AF_INET6;
		maxbits = 128;
	} else {
		a->af = AF_INET;
		maxbits = 32;
		if (inet_pton(AF_INET, buf, a->addr) != 1) {
			/* a partial dotted quad: "10", "10.1", "10.1.2" */
			if (!implicit && bits == -1)
				return -1;
			octets = 0;
			for (p = buf; *p != '\0'; ) {
				if (!isdigit((unsigned char)*p) || octets == 4)
					return -1;
				errno = 0;
				i = (int)strtol(p, &end, 10);
				if (errno != 0 || i > 255 || end - p > 3)
					return -1;
				a->addr[octets++] = (uint8_t)i;
				p = end;
				if (*p == '.' && p[1] != '\0')
					p++;
				else if (*p != '\0')
					return -1;
			}
			if (octets == 0)
				return -1;
			if (bits == -1)
				bits = octets <= 2 ? 16 : octets * 8;
		}
	}
	if (bits == -1)
		bits = maxbits;
	if (bits < 0 || bits > maxbits)
		return -1;
	a->bits = (int)bits;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= bits)
			a->addr[i] = 0;
		else if (i * 8 + 8 > bits)
			a->addr[i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	return 0;
}

int
net_match(const struct netaddr *a, const struct sockaddr *sa)
{
	const uint8_t	*p;
	int		 af, full, rest;

	if (sa->sa_family == AF_INET) {
		af = AF_INET;
		p = (const uint8_t *)&((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			af = AF_INET;
			p = in6->s6_addr + 12;
		} else {
			af = AF_INET6;
			p = in6->s6_addr;
		}
	} else
		return 0;
	if (af != a->af)
		return 0;
	full = a->bits / 8;
	rest = a->bits % 8;
	if (memcmp(p, a->addr, full) != 0)
		return 0;
	if (rest != 0 &&
	    (p[full] & (uint8_t)(0xff << (8 - rest))) != a->addr[full])
		return 0;
	return 1;
}

int
netlist_match(const struct netlist *l, const struct sockaddr *sa)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (net_match(&l->v[i], sa))
			return 1;
	return 0;
}

/* "*.dom" matches dom and every name under it; else the exact name. */
int
domain_match(const struct strlist *l, const char *dom)
{
	size_t		 i, dl, pl;
	const char	*pat;

	dl = strlen(dom);
	if (dl > 0 && dom[dl - 1] == '.')
		dl--;
	for (i = 0; i < l->n; i++) {
		pat = l->v[i];
		if (pat[0] == '*' && pat[1] == '.') {
			pat += 2;
			pl = strlen(pat);
			if (dl == pl && strncasecmp(dom, pat, pl) == 0)
				return 1;
			if (dl > pl && dom[dl - pl - 1] == '.' &&
			    strncasecmp(dom + dl - pl, pat, pl) == 0)
				return 1;
		} else {
			pl = strlen(pat);
			if (dl == pl && strncasecmp(dom, pat, pl) == 0)
				return 1;
		}
	}
	return 0;
}
