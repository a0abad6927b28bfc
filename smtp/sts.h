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
 * MTA-STS (RFC 8461): the policy of the destination domain, found through
 * the _mta-sts TXT record, fetched over HTTPS and kept in a cache.
 */

#ifndef STS_H
#define STS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define STS_MAXMX	32		/* mx patterns kept from one policy */
#define STS_MAXBODY	65536		/* the policy file, at most */
#define STS_MAXAGE	31557600LL	/* RFC 8461 3.2: a year */
#define STS_MAXID	32		/* RFC 8461 3.1: 1*32(ALPHA / DIGIT) */

/* policy modes; STS_NONE also stands for "no policy" */
#define STS_NONE	0
#define STS_TESTING	1
#define STS_ENFORCE	2

struct sts_policy {
	int		 mode;
	long long	 max_age;	/* seconds, at most STS_MAXAGE */
	size_t		 nmx;
	char		 mx[STS_MAXMX][256];	/* lower case, "*." kept */
};

/* a cached policy: the TXT id it was fetched under, and when */
struct sts_cached {
	struct sts_policy p;
	char		 id[STS_MAXID + 1];
	long long	 fetched;	/* time(3) of the fetch */
};

/* sts.c: no I/O; the parsers are fuzzed (regress/fuzz/fuzz-sts.c) */
int	 sts_parse(const char *, size_t, struct sts_policy *, char *, size_t);
int	 sts_txt(const char *, size_t, char *, size_t);
int	 sts_match(const struct sts_policy *, const char *);
int	 sts_domain_ok(const char *);
const char *sts_mode_name(int);
int	 sts_cache_parse(const char *, size_t, struct sts_cached *);
int	 sts_cache_format(const struct sts_cached *, const char *, size_t,
	    char **, size_t *);

/* sts_cache.c: the state directory (smtp.conf stsdir) */
int	 sts_cache_open(const char *, const char *, char *, size_t);
int	 sts_cache_get(struct sts_cached *);
int	 sts_cache_put(const char *, size_t, const char *, long long);

/* sts_fetch.c: https://mta-sts.<domain>/.well-known/mta-sts.txt */
void	 sts_fetch_init(const uint8_t *, size_t);
int	 sts_fetch(const char *, int, char **, size_t *, char *, size_t);
int	 sts_cert_check(const char *, const char *, char *, size_t);

/* sts_policy.c: discovery (RFC 8461 5.1) and what it means per MX */
#define STS_OK		0	/* *p is the policy (mode none: no policy) */
#define STS_DEFER	-1	/* DNSSEC-bogus TXT and no cache: wait */
int	 sts_discover(const char *, int, struct sts_policy *, char *, size_t);
int	 sts_host(const struct sts_policy *, const char *, const char *, int,
	    int *, char *, size_t);

#endif /* STS_H */
