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
 * smtpd's dns.c, linked as is: as root, the PTR lookup of 127.0.0.1 must
 * be refused without asking (no DNS answer is parsed as root); after
 * setuid to the mail user the same call finds client.test.
 * Usage: dnsroot-test UNBOUND-CONF MAILUSER
 */

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "priv/priv.h"
#include "log.h"

int
main(int argc, char **argv)
{
	static struct conf	 c;
	static struct peer	 p;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&p.remote;
	struct passwd		*pw;
	char			 name[SMTP_DOMAINMAX + 1];
	int			 rv, fails = 0;

	if (argc != 3)
		errx(2, "usage: dnsroot-test unbound.conf mailuser");
	log_init("dnsroot-test", LOG_TO_STDERR, 1);
	strlcpy(c.unbound, argv[1], sizeof(c.unbound));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
	strlcpy(p.raddr, "127.0.0.1", sizeof(p.raddr));
	if ((pw = getpwnam(argv[2])) == NULL)
		errx(2, "no user %s", argv[2]);
	if (dns_init(&c) == -1)
		errx(2, "dns_init");
	rv = dns_ptr(&c, &p, name, sizeof(name));
	printf("%s - as root: the PTR lookup is refused (rv %d, name \"%s\")\n",
	    rv == -1 && name[0] == '\0' ? "ok" : "not ok", rv, name);
	fails += !(rv == -1 && name[0] == '\0');
	if (setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		err(2, "setuid");
	rv = dns_ptr(&c, &p, name, sizeof(name));
	printf("%s - as %s: the PTR of 127.0.0.1 is client.test (rv %d, "
	    "name \"%s\")\n", rv == 0 && strcmp(name, "client.test") == 0 ?
	    "ok" : "not ok", argv[2], rv, name);
	fails += !(rv == 0 && strcmp(name, "client.test") == 0);
	return fails != 0;
}
