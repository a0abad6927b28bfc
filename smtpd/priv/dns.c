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
 * The parent's resolver: libunbound, configured only from the file named
 * by the "unbound" keyword (forwarders, trust anchors, stub zones).  With
 * no such file there is no DNS at all: nothing falls back to resolv.conf.
 *
 * Queries are synchronous.  The context is made from the file as root,
 * before fork; every query, the peer's PTR included, is made by the parent
 * after it has dropped to the mail user, so that no DNS answer is parsed
 * as root (libunbound reads its trust anchors at the first resolve: they
 * must be readable by the mail user).  infra-cache-max-rtt bounds each
 * retry so that a dead forwarder costs seconds, not minutes.
 *
 * Names with UTF-8 are looked up as A-labels (IDNA 2008, RFC 5891):
 * libidn2, loaded like libunbound when first needed (dlload.c).
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "../dlload.h"

/*
 * libunbound (and the libraries it pulls in) is loaded only when a
 * resolver is configured, so that a connection without one does not pay
 * for its relocation (smtpd starts once per connection).
 */
static struct {
	struct ub_ctx	*(*ctx_create)(void);
	int		 (*ctx_config)(struct ub_ctx *, const char *);
	int		 (*ctx_set_option)(struct ub_ctx *, const char *,
			    const char *);
	void		 (*ctx_delete)(struct ub_ctx *);
	int		 (*resolve)(struct ub_ctx *, const char *, int, int,
			    struct ub_result **);
	void		 (*resolve_free)(struct ub_result *);
	const char	*(*strerror)(int);
} ub;
#define ub_ctx_create		ub.ctx_create
#define ub_ctx_config		ub.ctx_config
#define ub_ctx_set_option	ub.ctx_set_option
#define ub_ctx_delete		ub.ctx_delete
#define ub_resolve		ub.resolve
#define ub_resolve_free		ub.resolve_free
#define ub_strerror		ub.strerror

#define T_A		1
#define T_PTR		12
#define T_MX		15
#define T_AAAA		28
#define RCODE_SERVFAIL	2
#define DNS_MAXPTR	4		/* PTR names tried for forward confirmation */

static struct ub_ctx	*ctx;
static int		 ctxfailed;

/* idn2.h's values (a stable ABI): no header needed to build */
#define IDN2_OK			0
#define IDN2_NFC_INPUT		1
#define IDN2_NONTRANSITIONAL	8

static struct {
	int		 (*lookup_u8)(const uint8_t *, uint8_t **, int);
	void		 (*free)(void *);
	const char	*(*strerror)(int);
	int		 state;		/* 0 not tried, 1 loaded, -1 failed */
} idn;

static int
idn_load(void)
{
	static const char *const names[] = { "libidn2.so.0", "libidn2.so" };
	static const struct dl_sym syms[] = {
		{ "idn2_lookup_u8", (void **)&idn.lookup_u8 },
		{ "idn2_free", (void **)&idn.free },
		{ "idn2_strerror", (void **)&idn.strerror },
	};

	if (idn.state != 0)
		return idn.state;
	idn.state = -1;
	if (dl_load("dns", "libidn2", names, 2, syms,
	    sizeof(syms) / sizeof(syms[0])) == -1)
		return -1;
	idn.state = 1;
	return 1;
}

/*
 * A UTF-8 domain as A-labels (IDNA 2008 lookup, RFC 5891 5, input
 * normalised to NFC).  0, -1 when it is not a valid IDN, -2 when libidn2
 * cannot be loaded.
 */
int
dns_alabel(const char *in, char *out, size_t outsz)
{
	uint8_t	*a = NULL;
	int	 rv;

	if (idn_load() != 1)
		return -2;
	rv = idn.lookup_u8((const uint8_t *)in, &a,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rv != IDN2_OK || a == NULL) {
		log_info("dns: not an IDN: %s", idn.strerror(rv));
		return -1;
	}
	rv = strlcpy(out, (const char *)a, outsz) < outsz ? 0 : -1;
	idn.free(a);
	return rv;
}

static int
ub_load(void)
{
	static const char *const names[] = { "libunbound.so.8",
	    "libunbound.so" };
	static const struct dl_sym syms[] = {
		{ "ub_ctx_create", (void **)&ub.ctx_create },
		{ "ub_ctx_config", (void **)&ub.ctx_config },
		{ "ub_ctx_set_option", (void **)&ub.ctx_set_option },
		{ "ub_ctx_delete", (void **)&ub.ctx_delete },
		{ "ub_resolve", (void **)&ub.resolve },
		{ "ub_resolve_free", (void **)&ub.resolve_free },
		{ "ub_strerror", (void **)&ub.strerror },
	};

	return dl_load("dns", "libunbound", names, 2, syms,
	    sizeof(syms) / sizeof(syms[0]));
}

int
dns_init(const struct conf *c)
{
	int	 rv;

	if (ctx != NULL)
		return 0;
	if (c->unbound[0] == '\0' || ctxfailed)
		return -1;
	if (ub.ctx_create == NULL && ub_load() == -1)
		goto fail;
	if ((ctx = ub_ctx_create()) == NULL) {
		log_warnx("dns: ub_ctx_create failed");
		goto fail;
	}
	if ((rv = ub_ctx_config(ctx, c->unbound)) != 0) {
		log_warnx("dns: %s: %s", c->unbound, ub_strerror(rv));
		goto fail;
	}
	/* XXX a dead forwarder: keep each retry short */
	(void)ub_ctx_set_option(ctx, "infra-cache-max-rtt:", "2000");
	return 0;
 fail:
	if (ctx != NULL && ub.ctx_delete != NULL)
		ub_ctx_delete(ctx);
	ctx = NULL;
	ctxfailed = 1;
	return -1;
}

/* A wire-format name (PTR or MX rdata) as text without the final dot. */
static int
wire_name(const unsigned char *p, size_t len, char *out, size_t outsz)
{
	size_t	 i = 0, o = 0, l, k;

	while (i < len) {
		if ((l = p[i++]) == 0) {
			out[o] = '\0';
			return 0;
		}
		if (l > 63 || i + l > len)
			return -1;
		if (o > 0) {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = '.';
		}
		for (k = 0; k < l; k++) {
			unsigned char	ch = p[i + k];

			if (!isalnum(ch) && ch != '-' && ch != '_')
				return -1;	/* not a host name */
			if (o + 1 >= outsz)
				return -1;
			out[o++] = tolower(ch);
		}
		i += l;
	}
	return -1;
}

static void
why_bogus(const char *name, int type, const struct ub_result *r)
{
	char	 e[512];

	log_escape(e, sizeof(e), r->why_bogus ? r->why_bogus : "",
	    r->why_bogus ? strlen(r->why_bogus) : 0);
	log_warnx("dns name=%s type=%d result=bogus why=\"%s\"", name, type, e);
}

/*
 * One query.  Returns DNS_OK with *res set (has data), or DNS_NXDOMAIN,
 * DNS_NODATA, DNS_TEMPFAIL, DNS_BOGUS with *res freed.
 */
static int
query(const char *name, int type, struct ub_result **res)
{
	struct ub_result	*r = NULL;
	int			 rv;

	*res = NULL;
	/* no DNS answer is parsed as root: smtpd.c drops privileges first */
	if (geteuid() == 0 || getuid() == 0) {
		log_warnx("dns name=%s type=%d: query as root refused", name,
		    type);
		return DNS_TEMPFAIL;
	}
	if ((rv = ub_resolve(ctx, name, type, 1, &r)) != 0) {
		log_warnx("dns name=%s type=%d error=\"%s\"", name, type,
		    ub_strerror(rv));
		return DNS_TEMPFAIL;
	}
	if (r->bogus) {
		why_bogus(name, type, r);
		rv = DNS_BOGUS;
	} else if (r->rcode == RCODE_SERVFAIL)
		rv = DNS_TEMPFAIL;
	else if (r->nxdomain)
		rv = DNS_NXDOMAIN;
	else if (!r->havedata)
		rv = DNS_NODATA;
	else {
		*res = r;
		return DNS_OK;
	}
	ub_resolve_free(r);
	return rv;
}

/* Does name have an A or AAAA record equal to the peer's address? */
static int
forward_match(const char *name, const struct sockaddr_storage *ss)
{
	struct ub_result	*r;
	const void		*a;
	size_t			 alen;
	int			 i, rv, type;

	if (ss->ss_family == AF_INET) {
		type = T_A;
		a = &((const struct sockaddr_in *)ss)->sin_addr;
		alen = 4;
	} else if (ss->ss_family == AF_INET6) {
		type = T_AAAA;
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		alen = 16;
	} else
		return DNS_TEMPFAIL;
	if ((rv = query(name, type, &r)) != DNS_OK)
		return rv;
	rv = DNS_MISMATCH;
	for (i = 0; r->data[i] != NULL; i++)
		if ((size_t)r->len[i] == alen && memcmp(r->data[i], a, alen) == 0)
			rv = DNS_OK;
	ub_resolve_free(r);
	return rv;
}

static int
reverse_name(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
	const unsigned char	*b;
	size_t			 o = 0;
	int			 i, n;

	out[0] = '\0';
	if (ss->ss_family == AF_INET) {
		b = (const unsigned char *)
		    &((const struct sockaddr_in *)ss)->sin_addr;
		n = snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa",
		    b[3], b[2], b[1], b[0]);
		return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
	}
	if (ss->ss_family != AF_INET6 || outsz < 16 * 4 + 9)
		return -1;
	b = (const unsigned char *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	for (i = 15; i >= 0; i--) {
		n = snprintf(out + o, outsz - o, "%x.%x.", b[i] & 0xf, b[i] >> 4);
		o += n;
	}
	strlcpy(out + o, "ip6.arpa", outsz - o);
	return 0;
}

/* The forward-confirmed PTR name of the peer, or "". */
int
dns_ptr(const struct conf *c, const struct peer *p, char *out, size_t outsz)
{
	struct ub_result	*r;
	char			 rev[80], name[SMTP_DOMAINMAX + 1];
	int			 i;

	if (outsz > 0)
		out[0] = '\0';
	if (dns_init(c) == -1 || reverse_name(&p->remote, rev, sizeof(rev)) == -1)
		return -1;
	if (query(rev, T_PTR, &r) != DNS_OK)
		return -1;
	for (i = 0; r->data[i] != NULL && i < DNS_MAXPTR; i++) {
		if (wire_name((unsigned char *)r->data[i], r->len[i], name,
		    sizeof(name)) == -1 || name[0] == '\0')
			continue;
		if (forward_match(name, &p->remote) == DNS_OK) {
			strlcpy(out, name, outsz);
			break;
		}
	}
	ub_resolve_free(r);
	log_info("dns ptr addr=%s name=%s", p->raddr,
	    out[0] != '\0' ? out : "unconfirmed");
	return out[0] != '\0' ? 0 : -1;
}

/* RFC 7505: a single MX "0 ." (we also take any "." exchange as null). */
static int
null_mx(const struct ub_result *r)
{
	int	 i;

	for (i = 0; r->data[i] != NULL; i++)
		if (r->len[i] == 3 && r->data[i][2] == '\0')
			return 1;
	return 0;
}

static int
check_senderdom(const char *dom)
{
	struct ub_result	*r;
	int			 rv, rv6;

	rv = query(dom, T_MX, &r);
	if (rv == DNS_OK) {
		rv = null_mx(r) ? DNS_NULLMX : DNS_OK;
		ub_resolve_free(r);
		return rv;
	}
	if (rv != DNS_NODATA)
		return rv;
	/* RFC 5321 5.1: no MX, the implicit MX is the domain itself */
	if ((rv = query(dom, T_A, &r)) == DNS_OK) {
		ub_resolve_free(r);
		return DNS_OK;
	}
	if (rv == DNS_BOGUS || rv == DNS_TEMPFAIL)
		return rv;
	if ((rv6 = query(dom, T_AAAA, &r)) == DNS_OK) {
		ub_resolve_free(r);
		return DNS_OK;
	}
	return rv6;
}

/* HELO: the name exists and one of its addresses is the peer's. */
static int
check_helo(const char *name, const struct peer *p)
{
	struct ub_result	*r;
	int			 rv, other;

	if (p->rdns[0] != '\0' && strcasecmp(p->rdns, name) == 0)
		return DNS_OK;
	if ((rv = forward_match(name, &p->remote)) != DNS_NODATA)
		return rv;
	/* no address of the peer's family: does the name exist at all? */
	other = p->remote.ss_family == AF_INET ? T_AAAA : T_A;
	if ((rv = query(name, other, &r)) == DNS_OK) {
		ub_resolve_free(r);
		return DNS_MISMATCH;
	}
	return rv;
}

int
dns_check(const struct conf *c, int q, const char *name, const struct peer *p)
{
	if (dns_init(c) == -1)
		return DNS_TEMPFAIL;	/* no resolver: never a pass */
	switch (q) {
	case DNSQ_SENDERDOM:
		return check_senderdom(name);
	case DNSQ_HELO:
		return check_helo(name, p);
	default:
		return DNS_TEMPFAIL;
	}
}
