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
 * smtpd/priv/psandbox.c on Linux, where sandbox_parent() is a no-op: here a
 * stand-in for the OpenBSD back end prints what would be unveil(2)ed and
 * pledged.  Usage: psandbox-test mailer mapfile [routes]; with mailer "-"
 * the built-in one (deliver -M mapfile).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../smtpd/priv/psandbox.c"

const int sandbox_parent_paths = 1;

void
sandbox_parent(const struct sandbox_path *p, size_t n, int flags)
{
	size_t	i;

	for (i = 0; i < n; i++)
		printf("%s %s\n", p[i].perm, p[i].path);
	printf("flags%s%s\n", flags & SANDBOX_EXEC ? " exec" : "",
	    flags & SANDBOX_NET ? " net" : "");
}

/* as mdeliver.c: the built-in mailer when it is deliver -M map */
const char *
mdeliver_map(const struct conf *c)
{
	if (strcmp(c->mailer, SMTPD_MAILER) != 0)
		return NULL;
	return c->mailerargs.v[1];
}

int
main(int argc, char **argv)
{
	static struct conf	c;
	static char		*args[2] = { "-M", NULL };

	if (argc < 3)
		return 2;
	(void)strlcpy(c.spool, "/var/spool/upas/tmp", sizeof(c.spool));
	(void)strlcpy(c.passwd, "/etc/upas/smtpd.passwd", sizeof(c.passwd));
	(void)strlcpy(c.mailer, strcmp(argv[1], "-") == 0 ? SMTPD_MAILER :
	    argv[1], sizeof(c.mailer));
	args[1] = argv[2];
	c.mailerargs.v = args;
	c.mailerargs.n = 2;
	if (argc > 3) {
		(void)strlcpy(c.routes, argv[3], sizeof(c.routes));
		(void)strlcpy(c.queue, "/var/spool/upas/queue", sizeof(c.queue));
		(void)strlcpy(c.runq, "/usr/local/libexec/upas/runq",
		    sizeof(c.runq));
	}
	parent_sandbox(&c);
	return 0;
}
