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
 * OpenBSD: pledge(2) and unveil(2).  The session child keeps stdio and may
 * receive the spool fd from the parent; TLS works under "stdio" once the
 * context is configured, and the chroot plus an empty unveil leave it no
 * path at all.  The parent keeps the paths its work needs (sandbox.h) and
 * the promises for it: files in those paths, the spool fd passed to the
 * child, the mailer (proc, and exec when it is an external program), DNS
 * when libunbound is configured.
 */

#ifdef __OpenBSD__

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

void
sandbox_init(void)
{
	tzset();
}

void
sandbox_nonewprivs(void)
{
	/* set-id execution is already impossible once pledged without exec */
}

void
sandbox_child(const int *fds, size_t nfds, size_t maxfsize)
{
	(void)fds;
	(void)nfds;
	sandbox_rlimits(maxfsize);
	/* no path: should a promise with paths ever be added, still none */
	if (unveil("/", "") == -1 || unveil(NULL, NULL) == -1)
		fatal("unveil");
	if (pledge("stdio recvfd", NULL) == -1)
		fatal("pledge");
}

void
sandbox_client(void)
{
	sandbox_rlimits_client();
	if (unveil("/", "") == -1 || unveil(NULL, NULL) == -1)
		fatal("unveil");
	/* inet: servers and the resolver; unix: LMTP over a socket */
	if (pledge("stdio inet unix", NULL) == -1)
		fatal("pledge");
}

void
sandbox_dirwriter(int dfd, int s, const char *dir, size_t maxfsize)
{
	(void)dfd;
	(void)s;
	sandbox_rlimits(maxfsize);
	/* the *at(2) calls relative to dfd are checked against dir */
	if (unveil(dir, "rwc") == -1 || unveil(NULL, NULL) == -1)
		fatal("unveil %s", dir);
	if (pledge("stdio rpath wpath cpath", NULL) == -1)
		fatal("pledge");
}

const int sandbox_parent_paths = 1;

void
sandbox_parent(const struct sandbox_path *paths, size_t npaths, int flags)
{
	char	promises[128];
	size_t	i;

	tzset();		/* /etc/localtime read now, not after unveil */
	for (i = 0; i < npaths; i++) {
		/* ENOENT: a directory not there yet is created under its parent */
		if (unveil(paths[i].path, paths[i].perm) == -1 &&
		    errno != ENOENT)
			fatal("unveil %s", paths[i].path);
	}
	if (unveil(NULL, NULL) == -1)
		fatal("unveil");
	/*
	 * recvfd: a descriptor the child sends is received and refused
	 * (smtpd/priv/loop.c), not a pledge violation that takes the parent down.
	 */
	(void)strlcpy(promises, "stdio rpath wpath cpath fattr flock sendfd "
	    "recvfd proc", sizeof(promises));
	if (flags & SANDBOX_EXEC)
		(void)strlcat(promises, " exec", sizeof(promises));
	if (flags & SANDBOX_NET)
		(void)strlcat(promises, " inet dns", sizeof(promises));
	/* execpromises NULL: the mailer runs unpledged, as it would from cron */
	if (pledge(promises, NULL) == -1)
		fatal("pledge");
}

const char *
sandbox_name(void)
{
	return "pledge";
}

#else
typedef int sandbox_pledge_unused;
#endif
