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
 * The routes file (smtpd.conf(5)): recipient domain -> destination.
 * Read by smtpd's parent (which domains are delivered here) and by runq.
 */

#ifndef ROUTES_H
#define ROUTES_H

#include <stddef.h>

#define ROUTE_LOCAL	0	/* "local": the built-in Maildir delivery */
#define ROUTE_MX	1	/* "mx": DNS, DANE, as smtp does */
#define ROUTE_SMTP	2	/* "tcp!host!port", "[address]": an inner SMTP host */
#define ROUTE_LMTP	3	/* "lmtp!unix!/path", "lmtp!tcp!host!port" */

#define ROUTE_MAXDEST	300
#define ROUTE_MAX	10000

struct route {
	char		 domain[256];	/* lower case; "" for the default */
	int		 wild;		/* "*.domain": its subdomains */
	int		 kind;		/* ROUTE_* */
	char		 dest[ROUTE_MAXDEST];	/* as written, for smtp(8) */
};

struct routes {
	struct route	*v;
	size_t		 n;
	struct route	 def;		/* "*", else mx */
};

int	 routes_load(struct routes *, const char *, char *, size_t);
int	 route_parse(struct route *, const char *);	/* the destination */
const struct route *routes_lookup(const struct routes *, const char *);
void	 routes_free(struct routes *);

#endif /* ROUTES_H */
