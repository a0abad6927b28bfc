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
 * MX and address lookups through libunbound, which validates DNSSEC itself
 * (we never trust an AD bit).  Synchronous: one message, one destination.
 *
 *	MX bogus -> MX_BOGUS, SERVFAIL/timeout -> MX_TEMPFAIL,
 *	NXDOMAIN -> MX_NXDOMAIN, NODATA -> implicit MX (the domain, pref 0),
 *	"MX 0 ." alone -> MX_NULLMX (RFC 7505).
 * Addresses of 127.0.0.1 and ::1 are dropped; if nothing else is left the
 * answer is MX_LOOP (Plan 9: "domain lists loopback as mail server").
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <unbound.h>

#include "log.h"
#include "smtp.h"

#define MAXMX		32	/* MX records considered per domain */
#define MAXADDR		16	/* addresses per host and family */

static struct ub_ctx	*ctx;

struct mxrr {
	char	name[256];
	int	pref;
};

/*
 * libunbound reads its trust anchors and sets up its modules on the first
 * query, not at ub_ctx_config(): ask one that stays inside it (localhost
 * is one of its default local zones, RFC 6761 6.3) so that all of that is
 * done while files can still be read (the client seals itself next).
 */
static int
mx_finalize(char *err, size_t errlen)
{
	struct ub_result	*res = NULL;
	int			 rv;

	if ((rv = ub_resolve(ctx, "localhost.", 1, 1, &res)) != 0) {
		(void)snprintf(err, errlen, "resolver setup: %s",
		    ub_strerror(rv));
		return -1;
	}
	ub_resolve_free(res);
	return 0;
}

int
mx_init(const char *conf, char *err, size_t errlen)
{
	int	rv;

	if (ctx != NULL)
		return 0;
	if ((ctx = ub_ctx_create()) == NULL) {
		(void)snprintf(err, errlen, "ub_ctx_create failed");
		return -1;
	}
	if (conf == NULL && access(SMTP_UNBOUND, R_OK) == 0)
		conf = SMTP_UNBOUND;
	if (conf != NULL) {
		if (access(conf, R_OK) == -1) {
			(void)snprintf(err, errlen, "%s: unreadable", conf);
			goto fail;
		}
		if ((rv = ub_ctx_config(ctx, conf)) != 0) {
			(void)snprintf(err, errlen, "%s: %s", conf,
			    ub_strerror(rv));
			goto fail;
		}
		if (mx_finalize(err, errlen) == -1)
			goto fail;
		return 0;
	}
	if ((rv = ub_ctx_resolvconf(ctx, NULL)) != 0) {
		(void)snprintf(err, errlen, "resolv.conf: %s", ub_strerror(rv));
		goto fail;
	}
	if (access(SMTP_ROOTKEY, R_OK) == 0 &&
	    (rv = ub_ctx_add_ta_file(ctx, SMTP_ROOTKEY)) != 0) {
		(void)snprintf(err, errlen, "%s: %s", SMTP_ROOTKEY,
		    ub_strerror(rv));
		goto fail;
	}
	if (mx_finalize(err, errlen) == -1)
		goto fail;
	return 0;
fail:
	ub_ctx_delete(ctx);
	ctx = NULL;
	return -1;
}

/* One query; the answer kind in Q_*, *secure from the validator. */
int
mx_query(const char *name, int type, struct ub_result **res, int *secure)
{
	int	rv;

	*res = NULL;
	*secure = 0;
	if (ctx == NULL)
		return Q_TEMP;
	if ((rv = ub_resolve(ctx, name, type, 1, res)) != 0) {
		log_warnx("resolve %s type %d: %s", name, type,
		    ub_strerror(rv));
		*res = NULL;
		return Q_TEMP;
	}
	if ((*res)->bogus) {
		log_warnx("%s type %d: DNSSEC bogus: %s", name, type,
		    (*res)->why_bogus ? (*res)->why_bogus : "?");
		return Q_BOGUS;
	}
	*secure = (*res)->secure != 0;
	if ((*res)->nxdomain || (*res)->rcode == 3)
		return Q_NXDOMAIN;
	if ((*res)->rcode != 0)
		return Q_TEMP;
	if (!(*res)->havedata)
		return Q_NODATA;
	return Q_DATA;
}

/*
 * An uncompressed wire-format name (libunbound hands rdata over with names
 * expanded) into dotted text without the final dot; "" is the root.
 * Host names only: letters, digits, '-' and '_'.  -1 when malformed.
 */
static int
mx_wirename(const unsigned char *p, size_t len, char *buf, size_t bufsz)
{
	size_t	i = 0, o = 0, n;

	if (bufsz == 0)
		return -1;
	for (;;) {
		if (i >= len)
			return -1;
		if ((n = p[i++]) == 0)
			break;
		if (n > 63 || n > len - i || o + n + 2 > bufsz || o + n > 253)
			return -1;
		if (o > 0)
			buf[o++] = '.';
		for (; n > 0; n--, i++) {
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", p[i]) ==
			    NULL || p[i] == '\0')
				return -1;
			buf[o++] = p[i];
		}
	}
	buf[o] = '\0';
	return (int)i;
}

/* A failure that made a host unusable: bogus outweighs SERVFAIL. */
static int
worse(int worst, int q)
{
	return q == Q_BOGUS || worst == Q_BOGUS ? Q_BOGUS : Q_TEMP;
}

static int
isloop(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

static void
push(struct mxlist *l, const char *name, int pref, int port, int secure,
    const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct mxhost	*m;

	if ((m = reallocarray(l->v, l->n + 1, sizeof(*l->v))) == NULL)
		fatal("reallocarray");
	l->v = m;
	m = &l->v[l->n++];
	memset(m, 0, sizeof(*m));
	(void)strlcpy(m->name, name, sizeof(m->name));
	m->pref = pref;
	m->port = port;
	m->secure = secure;
	memcpy(&m->addr, ss, sslen);
	m->addrlen = sslen;
}

/*
 * Append every A then AAAA of one host.  Returns the worst failure seen
 * when no address was found (Q_NXDOMAIN, Q_TEMP, Q_BOGUS), else Q_DATA;
 * *loop is set when loopback addresses were dropped.
 */
static int
addhost(struct mxlist *l, const char *name, int pref, int port, int mxsec,
    int checkloop, int *loop)
{
	static const int	 types[] = { 1 /* A */, 28 /* AAAA */ };
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	struct ub_result	*res;
	size_t			 t, i, before = l->n;
	socklen_t		 sslen;
	int			 q, sec, worst = Q_NXDOMAIN;

	for (t = 0; t < 2; t++) {
		q = mx_query(name, types[t], &res, &sec);
		if (q == Q_TEMP || q == Q_BOGUS)
			worst = worse(worst, q);
		else if (q == Q_NODATA && worst == Q_NXDOMAIN)
			worst = Q_NODATA;
		for (i = 0; q == Q_DATA && res->data[i] != NULL && i < MAXADDR;
		    i++) {
			memset(&ss, 0, sizeof(ss));
			if (types[t] == 1 && res->len[i] == 4) {
				s4->sin_family = AF_INET;
				s4->sin_port = htons(port);
				memcpy(&s4->sin_addr, res->data[i], 4);
				sslen = sizeof(*s4);
			} else if (types[t] == 28 && res->len[i] == 16) {
				s6->sin6_family = AF_INET6;
				s6->sin6_port = htons(port);
				memcpy(&s6->sin6_addr, res->data[i], 16);
				sslen = sizeof(*s6);
			} else
				continue;
			if (checkloop && isloop(&ss)) {
				*loop = 1;
				continue;
			}
			push(l, name, pref, port, mxsec && sec, &ss, sslen);
		}
		ub_resolve_free(res);
	}
	return l->n > before ? Q_DATA : worst;
}

static int
prefcmp(const void *a, const void *b)
{
	const struct mxrr	*x = a, *y = b;

	return x->pref - y->pref;
}

static int
isbusted(const char *name, char *const *busted, size_t nbusted)
{
	size_t	i, n;

	for (i = 0; i < nbusted; i++) {
		n = strlen(busted[i]);
		if (n > 0 && busted[i][n - 1] == '.')
			n--;
		if (strlen(name) == n && strncasecmp(name, busted[i], n) == 0)
			return 1;
	}
	return 0;
}

/* The MX RRset, shuffled then stably sorted: random within a preference. */
static int
mxrecords(struct ub_result *res, struct mxrr *rr, size_t *nrr, int *null)
{
	struct mxrr	tmp;
	size_t		i, j, n = 0;

	*null = 0;
	for (i = 0; res->data[i] != NULL && n < MAXMX; i++) {
		if (res->len[i] < 3)
			continue;
		rr[n].pref = ((unsigned char)res->data[i][0] << 8) |
		    (unsigned char)res->data[i][1];
		if (mx_wirename((unsigned char *)res->data[i] + 2,
		    res->len[i] - 2, rr[n].name, sizeof(rr[n].name)) == -1) {
			log_warnx("%s: malformed MX record skipped",
			    res->qname);
			continue;
		}
		if (rr[n].name[0] == '\0') {	/* RFC 7505 "MX 0 ." */
			*null = 1;
			continue;
		}
		n++;
	}
	for (i = n; i > 1; i--) {
		j = arc4random_uniform(i);
		tmp = rr[i - 1];
		rr[i - 1] = rr[j];
		rr[j] = tmp;
	}
	/* insertion sort: stable, unlike qsort */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && prefcmp(&rr[j - 1], &rr[j]) > 0; j--) {
			tmp = rr[j];
			rr[j] = rr[j - 1];
			rr[j - 1] = tmp;
		}
	*nrr = n;
	return 0;
}

static int
qerror(int q)
{
	switch (q) {
	case Q_BOGUS:
		return MX_BOGUS;
	case Q_NXDOMAIN:
		return MX_NXDOMAIN;
	default:
		return MX_TEMPFAIL;
	}
}

int
mx_lookup(const char *domain, int port, char *const *busted, size_t nbusted,
    struct mxlist *l)
{
	struct ub_result	*res;
	struct mxrr		*rr;
	size_t			 i, nrr = 0;
	int			 q, sec, null, loop = 0, hloop, r;
	int			 worst = Q_NXDOMAIN;

	memset(l, 0, sizeof(*l));
	(void)strlcpy(l->ddomain, domain, sizeof(l->ddomain));
	q = mx_query(domain, 15 /* MX */, &res, &sec);
	if (q == Q_TEMP || q == Q_BOGUS || q == Q_NXDOMAIN) {
		ub_resolve_free(res);
		return qerror(q);
	}
	l->mxsecure = sec;
	if (q == Q_NODATA) {
		ub_resolve_free(res);
		/* RFC 5321 5.1: the domain is its own mail server */
		if (isbusted(domain, busted, nbusted))
			return MX_NOADDR;
		q = addhost(l, domain, 0, port, sec, 1, &loop);
		if (q == Q_DATA)
			return MX_OK;
		if (loop)
			return MX_LOOP;
		return q == Q_NODATA ? MX_NOADDR : qerror(q);
	}
	if ((rr = calloc(MAXMX, sizeof(*rr))) == NULL)
		fatal("calloc");
	(void)mxrecords(res, rr, &nrr, &null);
	ub_resolve_free(res);
	if (nrr == 0) {
		free(rr);
		return null ? MX_NULLMX : MX_NOADDR;
	}
	for (i = 0; i < nrr; i++) {
		if (isbusted(rr[i].name, busted, nbusted)) {
			log_debug("%s: MX %s skipped (-b)", domain, rr[i].name);
			continue;
		}
		hloop = 0;
		r = addhost(l, rr[i].name, rr[i].pref, port, sec, 1, &hloop);
		loop |= hloop;
		if (r == Q_TEMP || r == Q_BOGUS)
			worst = worse(worst, r);
		else if (r != Q_DATA && !hloop)
			log_warnx("%s: MX %s has no address", domain,
			    rr[i].name);
	}
	free(rr);
	if (l->n > 0)
		return MX_OK;
	if (loop)
		return MX_LOOP;
	return worst == Q_BOGUS ? MX_BOGUS : worst == Q_TEMP ? MX_TEMPFAIL :
	    MX_NOADDR;
}

int
mx_host(const char *host, int port, struct mxlist *l)
{
	size_t	i;
	int	q, loop = 0;

	memset(l, 0, sizeof(*l));
	(void)strlcpy(l->ddomain, host, sizeof(l->ddomain));
	q = addhost(l, host, 0, port, 1, 0, &loop);
	if (q == Q_DATA) {
		/* no MX involved: "secure" is the address RRsets' */
		l->mxsecure = 1;
		for (i = 0; i < l->n; i++)
			if (!l->v[i].secure)
				l->mxsecure = 0;
		return MX_OK;
	}
	return q == Q_NODATA ? MX_NOADDR : qerror(q);
}

void
mx_free(struct mxlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *
mx_strerror(int e)
{
	switch (e) {
	case MX_OK:
		return "ok";
	case MX_NXDOMAIN:
		return "domain does not exist";
	case MX_NULLMX:
		return "domain does not accept mail (null MX)";
	case MX_TEMPFAIL:
		return "temporary DNS failure";
	case MX_BOGUS:
		return "DNSSEC validation failed (bogus answer)";
	case MX_LOOP:
		return "illegal: domain lists loopback as mail server";
	case MX_NOADDR:
		return "no address for the mail servers";
	default:
		return "unknown DNS error";
	}
}
