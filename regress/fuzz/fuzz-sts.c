/* objs: smtp/sts.c */
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
 * The MTA-STS parsers (smtp/sts.c) on what a hostile web server, DNS
 * server or a damaged cache file hands them.  Beyond memory safety it
 * aborts when:
 *  - sts_parse accepts a policy that breaks RFC 8461 3.2: a mode other
 *    than enforce/testing/none, max_age above a year, enforce or testing
 *    without an mx pattern, a pattern that is not a lower-case LDH domain
 *    with at most a leading "*.", or an input holding a NUL or a bare CR;
 *  - a literal pattern does not match its own name, or "*.d" matches "d"
 *    itself or a name two labels below d, or fails one label below;
 *  - the cache record of an accepted policy does not parse back to the
 *    same policy and id (sts_cache_format, sts_cache_parse);
 *  - sts_txt accepts a record that does not begin with "v=STSv1" or
 *    returns an id that is not 1 to 32 letters and digits;
 *  - the same input parses differently twice.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
ldh(const char *m)
{
	size_t	i, n = strlen(m);

	if (n >= 2 && m[0] == '*' && m[1] == '.')
		m += 2, n -= 2;
	if (n == 0 || n > 253 || m[0] == '.' || m[n - 1] == '.' ||
	    m[0] == '-' || m[n - 1] == '-' || strstr(m, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' &&
		    m[i] <= '9') || m[i] == '-' || m[i] == '.'))
			return 0;
	return 1;
}

static void
patterns(const struct sts_policy *p)
{
	struct sts_policy	 one;
	char			 host[300];
	size_t			 i;

	for (i = 0; i < p->nmx; i++) {
		if (memchr(p->mx[i], '\0', sizeof(p->mx[i])) == NULL ||
		    !ldh(p->mx[i]))
			abort();
		memset(&one, 0, sizeof(one));
		one.nmx = 1;
		memcpy(one.mx[0], p->mx[i], sizeof(one.mx[0]));
		if (one.mx[0][0] != '*') {
			if (!sts_match(&one, p->mx[i]))
				abort();
			continue;
		}
		/* "*.d": not d, yes x.d, not y.x.d */
		if (sts_match(&one, p->mx[i] + 2))
			abort();
		(void)snprintf(host, sizeof(host), "x.%s", p->mx[i] + 2);
		if (!sts_match(&one, host))
			abort();
		(void)snprintf(host, sizeof(host), "y.x.%s", p->mx[i] + 2);
		if (sts_match(&one, host))
			abort();
	}
}

static void
policy(const char *d, size_t n)
{
	struct sts_policy	 p, q;
	struct sts_cached	 c, back;
	char			 err[200], *rec;
	size_t			 reclen;
	int			 r;

	r = sts_parse(d, n, &p, err, sizeof(err));
	if (sts_parse(d, n, &q, err, sizeof(err)) != r)
		abort();
	if (r == -1)
		return;
	if (memcmp(&p, &q, sizeof(p)) != 0)
		abort();
	if (p.mode != STS_NONE && p.mode != STS_TESTING &&
	    p.mode != STS_ENFORCE)
		abort();
	if (p.max_age < 0 || p.max_age > STS_MAXAGE || p.nmx > STS_MAXMX)
		abort();
	if (p.mode != STS_NONE && p.nmx == 0)
		abort();
	if (memchr(d, '\0', n) != NULL)
		abort();
	patterns(&p);

	memset(&c, 0, sizeof(c));
	(void)strlcpy(c.id, "fuzz20260101", sizeof(c.id));
	c.fetched = 1767225600;
	if (sts_cache_format(&c, d, n, &rec, &reclen) == -1)
		abort();
	if (sts_cache_parse(rec, reclen, &back) == -1 ||
	    strcmp(back.id, c.id) != 0 || back.fetched != c.fetched ||
	    memcmp(&back.p, &p, sizeof(p)) != 0)
		abort();
	free(rec);
}

static void
txt(const char *d, size_t n)
{
	char	id[STS_MAXID + 1];
	size_t	i, l;
	int	r;

	memset(id, 0, sizeof(id));
	r = sts_txt(d, n, id, sizeof(id));
	if (r != 1)
		return;
	if (n < 7 || memcmp(d, "v=STSv1", 7) != 0)
		abort();
	l = strlen(id);
	if (l == 0 || l > STS_MAXID)
		abort();
	for (i = 0; i < l; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' &&
		    id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9')))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sts_cached	 c;

	policy((const char *)data, size);
	txt((const char *)data, size);
	/* as a cache file: anything accepted was checked by sts_parse */
	if (sts_cache_parse((const char *)data, size, &c) == 0 &&
	    c.p.max_age > STS_MAXAGE)
		abort();
	return 0;
}
