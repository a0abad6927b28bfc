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
 * Test driver for smtp/mx.c and smtp/dane.c, built by regress/dns/t-mx.sh:
 *	mxtest CONF mx DOMAIN PORT [busted...]
 *	mxtest CONF host NAME PORT
 *	mxtest CONF tlsa HOST PORT [CHAIN.pem]	(lookup, then dane_verify)
 * Prints "status N text" then one line per address or record.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp.h"

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL || (buf = calloc(1, 65536)) == NULL)
		return NULL;
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int
main(int argc, char *argv[])
{
	struct mxlist	 l;
	struct tlsaset	 ts;
	char		 err[512], addr[INET6_ADDRSTRLEN], *pem;
	const void	*a;
	size_t		 i;
	int		 rv;

	log_init("mxtest", LOG_TO_STDERR, 1);
	if (argc < 5)
		fatalx("usage: mxtest conf mx|host|tlsa name port [...]");
	if (mx_init(argv[1], err, sizeof(err)) == -1)
		fatalx("mx_init: %s", err);
	if (strcmp(argv[2], "tlsa") == 0) {
		rv = dane_lookup(argv[3], atoi(argv[4]), &ts);
		printf("status %d\n", rv);
		for (i = 0; i < ts.n; i++)
			printf("tlsa %d %d %d len %zu\n", ts.v[i].usage,
			    ts.v[i].selector, ts.v[i].mtype, ts.v[i].len);
		if (argc > 5) {
			if ((pem = slurp(argv[5])) == NULL)
				fatal("%s", argv[5]);
			rv = dane_verify(&ts, argv[3], pem, err, sizeof(err));
			printf("verify %d %s\n", rv, rv == 0 ? "ok" : err);
			free(pem);
		}
		dane_free(&ts);
		return 0;
	}
	if (strcmp(argv[2], "mx") == 0)
		rv = mx_lookup(argv[3], atoi(argv[4]), argv + 5, argc - 5, &l);
	else
		rv = mx_host(argv[3], atoi(argv[4]), &l);
	printf("status %d %s\n", rv, mx_strerror(rv));
	if (rv == MX_OK)
		printf("ddomain %s mxsecure %d\n", l.ddomain, l.mxsecure);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].addr.ss_family == AF_INET)
			a = &((struct sockaddr_in *)&l.v[i].addr)->sin_addr;
		else
			a = &((struct sockaddr_in6 *)&l.v[i].addr)->sin6_addr;
		inet_ntop(l.v[i].addr.ss_family, a, addr, sizeof(addr));
		printf("host %s pref %d addr %s port %d secure %d\n",
		    l.v[i].name, l.v[i].pref, addr, l.v[i].port,
		    l.v[i].secure);
	}
	mx_free(&l);
	return 0;
}
