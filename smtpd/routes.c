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
 * The routes file: "domain destination" a line, '#' comments.  A domain
 * is exact ("example.org"), its subdomains ("*.example.org"), or "*", the
 * default route for every other domain (mx unless set).  An exact domain
 * wins over a wildcard, a longer wildcard over a shorter one.  The
 * destination is checked here, once, so runq never hands smtp(8) a
 * string it would refuse.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "routes.h"

static int
hostok(const char *h, size_t n)
{
	size_t	i;

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-_:", h[i]) == NULL)
			return 0;
	return 1;
}

/* "host!port", port a number */
static int
hostport(const char *s)
{
	const char	*b = strchr(s, '!');
	const char	*p;

	if (b == NULL || !hostok(s, b - s))
		return 0;
	for (p = b + 1; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return p - b - 1 >= 1 && p - b - 1 <= 5 && atoi(b + 1) > 0 &&
	    atoi(b + 1) < 65536;
}

int
route_parse(struct route *r, const char *d)
{
	struct sockaddr_un	 sun;
	char			 a[64];
	const char		*e;
	unsigned char		 buf[16];

	if (strlcpy(r->dest, d, sizeof(r->dest)) >= sizeof(r->dest))
		return -1;
	if (strcmp(d, "local") == 0)
		r->kind = ROUTE_LOCAL;
	else if (strcmp(d, "mx") == 0)
		r->kind = ROUTE_MX;
	else if (strncmp(d, "lmtp!unix!", 10) == 0) {
		r->kind = ROUTE_LMTP;
		if (d[10] != '/' || strlen(d + 10) >= sizeof(sun.sun_path) ||
		    strpbrk(d + 10, " \t!") != NULL)
			return -1;
	} else if (strncmp(d, "lmtp!tcp!", 9) == 0) {
		r->kind = ROUTE_LMTP;
		if (!hostport(d + 9))
			return -1;
	} else if (strncmp(d, "tcp!", 4) == 0) {
		r->kind = ROUTE_SMTP;
		if (!hostport(d + 4))
			return -1;
	} else if (d[0] == '[' && (e = strchr(d, ']')) != NULL) {
		r->kind = ROUTE_SMTP;
		if ((size_t)(e - d - 1) >= sizeof(a))
			return -1;
		memcpy(a, d + 1, e - d - 1);
		a[e - d - 1] = '\0';
		if (strncasecmp(a, "IPv6:", 5) == 0)
			memmove(a, a + 5, strlen(a + 5) + 1);
		if (inet_pton(AF_INET, a, buf) != 1 &&
		    inet_pton(AF_INET6, a, buf) != 1)
			return -1;
		if (e[1] != '\0' && (e[1] != ':' || e[2] == '\0' ||
		    strlen(e + 2) > 5 ||
		    strspn(e + 2, "0123456789") != strlen(e + 2) ||
		    atoi(e + 2) < 1 || atoi(e + 2) > 65535))
			return -1;
	} else
		return -1;
	return 0;
}

static int
domain_ok(const char *s)
{
	return hostok(s, strlen(s)) && strchr(s, ':') == NULL &&
	    s[0] != '.' && s[0] != '-';
}

int
routes_load(struct routes *rs, const char *file, char *err, size_t errlen)
{
	FILE		*f;
	struct route	 r, *nv;
	char		 line[1024], *w[3], *p;
	int		 ln = 0, nw;

	memset(rs, 0, sizeof(*rs));
	(void)route_parse(&rs->def, "mx");
	if ((f = fopen(file, "re")) == NULL) {
		(void)snprintf(err, errlen, "routes %s: %s", file,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		line[strcspn(line, "#\r\n")] = '\0';
		for (nw = 0, p = strtok(line, " \t"); p != NULL && nw < 3;
		    p = strtok(NULL, " \t"))
			w[nw++] = p;
		if (nw == 0)
			continue;
		memset(&r, 0, sizeof(r));
		if (nw != 2 || route_parse(&r, w[1]) == -1) {
			(void)snprintf(err, errlen, "%s:%d: expected "
			    "\"domain destination\" (smtpd.conf(5))", file, ln);
			goto fail;
		}
		for (p = w[0]; *p != '\0'; p++)
			*p = tolower((unsigned char)*p);
		if (strcmp(w[0], "*") == 0) {
			rs->def = r;
			continue;
		}
		if (strncmp(w[0], "*.", 2) == 0) {
			r.wild = 1;
			w[0] += 2;
		}
		if (!domain_ok(w[0]) || strlcpy(r.domain, w[0],
		    sizeof(r.domain)) >= sizeof(r.domain)) {
			(void)snprintf(err, errlen, "%s:%d: bad domain", file, ln);
			goto fail;
		}
		if (rs->n >= ROUTE_MAX || (nv = reallocarray(rs->v, rs->n + 1,
		    sizeof(*nv))) == NULL) {
			(void)snprintf(err, errlen, "%s: too many routes", file);
			goto fail;
		}
		rs->v = nv;
		rs->v[rs->n++] = r;
	}
	if (ferror(f)) {
		(void)snprintf(err, errlen, "routes %s: %s", file,
		    strerror(errno));
		goto fail;
	}
	(void)fclose(f);
	return 0;
fail:
	(void)fclose(f);
	routes_free(rs);
	return -1;
}

const struct route *
routes_lookup(const struct routes *rs, const char *dom)
{
	const struct route	*best = NULL;
	size_t			 i, dl = strlen(dom), kl;

	for (i = 0; i < rs->n; i++) {
		const struct route *r = &rs->v[i];

		kl = strlen(r->domain);
		if (!r->wild) {
			if (strcasecmp(r->domain, dom) == 0)
				return r;
			continue;
		}
		if (dl > kl && dom[dl - kl - 1] == '.' &&
		    strcasecmp(dom + dl - kl, r->domain) == 0 &&
		    (best == NULL || strlen(best->domain) < kl))
			best = r;
	}
	return best != NULL ? best : &rs->def;
}

void
routes_free(struct routes *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}
