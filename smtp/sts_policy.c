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
 * Which MTA-STS policy applies to a destination domain (RFC 8461 5.1),
 * and what it means for one of its MX hosts (4.1, 5).
 *
 *	TXT id equal to the cached one	the cached policy, no fetch
 *	TXT id new, or nothing cached	fetch; on failure the cached
 *					policy while it lasts, else none
 *	no valid TXT record		the cached policy while it lasts
 *	TXT answer DNSSEC-bogus		the same, and with nothing cached
 *					the delivery waits (as for a bogus
 *					MX or TLSA answer)
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unbound.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"
#include "sts.h"

#define TXT_FOUND	0
#define TXT_NONE	1
#define TXT_BOGUS	2
#define TXT_TEMP	3

#define MAXTXT		4096	/* one record, its strings joined */

/* One TXT rdata: its character-strings joined (RFC 8461 3.1). */
static int
txtjoin(const unsigned char *p, size_t len, char *out, size_t outlen,
    size_t *n)
{
	size_t	i = 0, l;

	*n = 0;
	while (i < len) {
		l = p[i++];
		if (l > len - i || *n + l >= outlen)
			return -1;
		memcpy(out + *n, p + i, l);
		*n += l;
		i += l;
	}
	return 0;
}

/*
 * _mta-sts.<domain> TXT: exactly one record that begins with v=STSv1,
 * and that one valid, or there is none (RFC 8461 3.1).
 */
static int
txtlookup(const char *domain, char *id, size_t idlen)
{
	struct ub_result	*res;
	char			 name[300], rec[MAXTXT], tid[STS_MAXID + 1];
	size_t			 i, n, nsts = 0;
	int			 q, sec, r, valid = 0;

	if ((size_t)snprintf(name, sizeof(name), "_mta-sts.%s", domain) >=
	    sizeof(name))
		return TXT_NONE;
	q = mx_query(name, 16 /* TXT */, &res, &sec);
	if (q != Q_DATA) {
		ub_resolve_free(res);
		return q == Q_BOGUS ? TXT_BOGUS : q == Q_TEMP ? TXT_TEMP :
		    TXT_NONE;
	}
	for (i = 0; res->data[i] != NULL; i++) {
		if (txtjoin((unsigned char *)res->data[i], res->len[i], rec,
		    sizeof(rec), &n) == -1)
			continue;
		if ((r = sts_txt(rec, n, tid, sizeof(tid))) == 0)
			continue;
		nsts++;
		if (r == 1) {
			valid = 1;
			(void)strlcpy(id, tid, idlen);
		} else
			log_warnx("%s: malformed MTA-STS record", name);
	}
	ub_resolve_free(res);
	if (nsts > 1)
		log_warnx("%s: %zu MTA-STS records: none is used", name, nsts);
	return nsts == 1 && valid ? TXT_FOUND : TXT_NONE;
}

static void
use(struct sts_policy *p, const struct sts_cached *c, const char *domain,
    const char *why)
{
	*p = c->p;
	log_info("%s: MTA-STS policy from the cache (id %s, mode %s, %s)",
	    domain, c->id, sts_mode_name(p->mode), why);
}

/* A fresh policy for domain under id into *p and the cache; 0 or -1. */
static int
refetch(const char *domain, const char *id, int timeout, struct sts_policy *p)
{
	char	*body, why[600];
	size_t	 len;

	if (sts_fetch(domain, timeout, &body, &len, why, sizeof(why)) == -1) {
		log_warnx("%s: MTA-STS policy fetch failed: %s", domain, why);
		return -1;
	}
	if (sts_parse(body, len, p, why, sizeof(why)) == -1) {
		log_warnx("%s: MTA-STS policy refused: %s", domain, why);
		free(body);
		return -1;
	}
	log_info("%s: MTA-STS policy fetched (id %s, mode %s, max_age %lld, "
	    "%zu mx)", domain, id, sts_mode_name(p->mode), p->max_age, p->nmx);
	if (sts_cache_put(body, len, id, (long long)time(NULL)) == -1)
		log_warnx("%s: MTA-STS policy not cached", domain);
	free(body);
	return 0;
}

/*
 * The policy for domain into *p (mode none when there is none): STS_OK,
 * or STS_DEFER and why when the delivery must wait.
 */
int
sts_discover(const char *domain, int timeout, struct sts_policy *p, char *err,
    size_t errlen)
{
	struct sts_cached	 c;
	char			 id[STS_MAXID + 1];
	long long		 now = time(NULL);
	int			 have, txt;

	memset(p, 0, sizeof(*p));
	have = sts_cache_get(&c);
	/* expired, or written in the future by a clock gone wrong */
	if (have && (now >= c.fetched + c.p.max_age || c.fetched > now + 300)) {
		log_info("%s: cached MTA-STS policy (id %s) expired", domain,
		    c.id);
		have = 0;
	}
	txt = txtlookup(domain, id, sizeof(id));
	if (txt != TXT_FOUND) {
		if (have) {
			use(p, &c, domain, txt == TXT_NONE ? "no TXT record" :
			    "TXT lookup failed");
			return STS_OK;
		}
		if (txt == TXT_BOGUS) {
			(void)snprintf(err, errlen, "451 4.7.5 MTA-STS: the "
			    "_mta-sts.%s TXT answer is DNSSEC-bogus", domain);
			return STS_DEFER;
		}
		return STS_OK;
	}
	if (have && strcmp(id, c.id) == 0) {
		use(p, &c, domain, "TXT id unchanged");
		return STS_OK;
	}
	if (have)
		log_info("%s: MTA-STS id %s replaces %s: fetching", domain, id,
		    c.id);
	if (refetch(domain, id, timeout, p) == 0)
		return STS_OK;
	memset(p, 0, sizeof(*p));
	if (have)
		use(p, &c, domain, "the fetch failed");
	/* RFC 8461 5.1: else deliver as if the domain had no policy */
	return STS_OK;
}

/*
 * The TLS policy (POL_*) for MX host mx of domain under p, given the one
 * DANE chose: -1 and why when mode enforce rules the host out.  *testing
 * is set when a failure must only be reported (mode testing).
 */
int
sts_host(const struct sts_policy *p, const char *domain, const char *mx,
    int pol, int *testing, char *err, size_t errlen)
{
	*testing = 0;
	if (p->mode == STS_NONE)
		return pol;
	/* RFC 8461 2: where the MX host has usable TLSA records, DANE rules */
	if (pol == POL_DANE || pol == POL_DANE_ENCRYPT) {
		log_info("%s: DANE applies to %s, not MTA-STS", domain, mx);
		return pol;
	}
	if (!sts_match(p, mx)) {
		if (p->mode == STS_ENFORCE) {
			(void)snprintf(err, errlen, "451 4.7.5 MTA-STS: MX %s "
			    "does not match the policy of %s (mode enforce)",
			    mx, domain);
			return -1;
		}
		log_warnx("MTA-STS testing: MX %s does not match the policy "
		    "of %s; delivering anyway", mx, domain);
		*testing = 1;
		return pol;
	}
	if (p->mode == STS_ENFORCE)
		return POL_STS;
	*testing = 1;
	return pol;
}
