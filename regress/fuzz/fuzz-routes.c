/* objs: smtpd/routes.c privsep/log.c */
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
 * libFuzzer harness for the routes file (smtpd/routes.c, smtpd.conf(5)):
 * any bytes as the file to routes_load(), then routes_lookup() of fixed
 * domains and of the input's first word, and route_parse() of the input
 * as one destination.  Checks: no crash, no ASan/UBSan error, no leak;
 * a lookup returns the default or one of the loaded routes; every loaded
 * route's domain and destination are NUL-terminated within their arrays
 * and its kind is a ROUTE_* value.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "routes.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
checkroute(const struct route *r)
{
	if (memchr(r->domain, '\0', sizeof(r->domain)) == NULL ||
	    memchr(r->dest, '\0', sizeof(r->dest)) == NULL ||
	    r->kind < ROUTE_LOCAL || r->kind > ROUTE_LMTP)
		abort();
}

static void
lookup(const struct routes *rs, const char *dom)
{
	const struct route	*r = routes_lookup(rs, dom);

	if (r != &rs->def && (r < rs->v || r >= rs->v + rs->n))
		abort();
	checkroute(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const doms[] = {
		"example.org", "EXAMPLE.ORG", "a.example.org", "b.a.example.org",
		"", ".", "org", "x", "[127.0.0.1]",
	};
	static char	 path[64];
	struct routes	 rs;
	struct route	 r;
	char		 err[512], word[300], *s;
	size_t		 i, n;
	FILE		*f;

	if (path[0] == '\0') {
		(void)snprintf(path, sizeof(path), "/tmp/fuzz-routes.%ld",
		    (long)getpid());
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	/* the input as one destination */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&r, 0, sizeof(r));
	if (route_parse(&r, s) == 0)
		checkroute(&r);
	n = strcspn(s, " \t\r\n#");
	if (n >= sizeof(word))
		n = sizeof(word) - 1;
	memcpy(word, s, n);
	word[n] = '\0';
	free(s);

	err[0] = '\0';
	if (routes_load(&rs, path, err, sizeof(err)) == 0) {
		for (i = 0; i < rs.n; i++)
			checkroute(&rs.v[i]);
		checkroute(&rs.def);
		for (i = 0; i < sizeof(doms) / sizeof(doms[0]); i++)
			lookup(&rs, doms[i]);
		lookup(&rs, word);
		routes_free(&rs);
	} else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
		abort();
	(void)unlink(path);
	return 0;
}
