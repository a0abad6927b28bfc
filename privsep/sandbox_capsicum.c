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
 * FreeBSD: Capsicum (capsicum(4), cap_rights_limit(2), cap_enter(2)).
 * Each descriptor the child keeps is limited once, to what the child does
 * with it, then the process enters capability mode, where no global
 * namespace (paths, new sockets, other processes) can be reached.
 *
 * Rights can only shrink: a second cap_rights_limit(2) asking for a right
 * the first one left out fails with ENOTCAPABLE.  So this file does not
 * call caph_limit_stdio() from capsicum_helpers.h after its own limits.
 * Read from that header (FreeBSD 14): caph_limit_stdio() runs
 * caph_limit_stream() on fds 0, 1 and 2, which limits each to CAP_EVENT,
 * CAP_FCNTL, CAP_FSTAT, CAP_IOCTL and CAP_SEEK plus CAP_READ (fd 0) or
 * CAP_WRITE (fds 1, 2), then the ioctls to TIOCGETA, TIOCGWINSZ and
 * FIODTYPE and the fcntls to F_GETFL.  After a limit without CAP_IOCTL,
 * CAP_SEEK and CAP_FSTAT that is a request for more: ENOTCAPABLE, fatal
 * in every session.  It also takes CAP_WRITE from fd 0 and CAP_READ from
 * fd 1 and F_SETFL from both, which the TLS code needs (tls.c sets
 * O_NONBLOCK); so neither order of the two works.
 *
 * What the child does with its descriptors (smtpd.c, io.c, tls.c, msg.c):
 *  - 0 and 1, the connection (one socket twice under inetd, two pipes or
 *    sockets under tcpserver): read(2), write(2), poll(2), fcntl(2)
 *    F_GETFL/F_SETFL for O_NONBLOCK during TLS, shutdown(2) at the end.
 *    setsockopt(2) (the timeouts) runs before the sandbox; getpeername(2)
 *    in the parent, before the fork.
 *  - 3, the socketpair to the parent: recvmsg(2)/sendmsg(2) (CAP_READ,
 *    CAP_WRITE: CAP_RECV and CAP_SEND are the same bits), poll(2).
 *  - 4, the -d transcript when there is one: write(2).
 * One set for all of them, the union of the above; fd 2 (/dev/null) gets
 * CAP_WRITE alone.  The spool file arrives later over fd 3 with the rights
 * the parent's descriptor has; the child writes and fsyncs it.
 */

#ifdef __FreeBSD__

#include <sys/types.h>
#include <sys/capsicum.h>

#include <capsicum_helpers.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

void
sandbox_init(void)
{
	caph_cache_tzdata();
}

void
sandbox_nonewprivs(void)
{
}

static void
limit(int fd, const cap_rights_t *rights, uint32_t fcntls)
{
	if (cap_rights_limit(fd, rights) == -1 && errno != ENOSYS)
		fatal("cap_rights_limit %d", fd);
	if (fcntls != 0 && cap_fcntls_limit(fd, fcntls) == -1 &&
	    errno != ENOSYS)
		fatal("cap_fcntls_limit %d", fd);
}

void
sandbox_child(const int *fds, size_t nfds, size_t maxfsize)
{
	cap_rights_t	rights, errrights;
	size_t		i;

	sandbox_rlimits(maxfsize);
	cap_rights_init(&rights, CAP_READ, CAP_WRITE, CAP_EVENT, CAP_FCNTL,
	    CAP_SHUTDOWN);
	for (i = 0; i < nfds; i++)
		limit(fds[i], &rights, CAP_FCNTL_GETFL | CAP_FCNTL_SETFL);
	cap_rights_init(&errrights, CAP_WRITE);
	for (i = 0; i < nfds && fds[i] != STDERR_FILENO; i++)
		;
	if (i == nfds)
		limit(STDERR_FILENO, &errrights, 0);
	if (caph_enter() == -1)
		fatal("cap_enter");
}

/* The parent needs paths (Maildirs, the mailer): capability mode would end it. */
/*
 * cap_enter(2) would forbid connect(2) to the next MX and the resolver's
 * sockets: the client keeps the rlimits only here.
 */
void
sandbox_client(void)
{
	sandbox_rlimits_client();
}

void
sandbox_dirwriter(int dfd, int s, const char *dir, size_t maxfsize)
{
	cap_rights_t	rights;

	(void)dir;
	sandbox_rlimits(maxfsize);
	/*
	 * openat(O_WRONLY|O_CREAT|O_EXCL), write and fsync of the new file
	 * (it inherits these rights), renameat, unlinkat, fsync of dfd.
	 */
	cap_rights_init(&rights, CAP_LOOKUP, CAP_CREATE, CAP_WRITE, CAP_FSYNC,
	    CAP_RENAMEAT_SOURCE, CAP_RENAMEAT_TARGET, CAP_UNLINKAT);
	limit(dfd, &rights, 0);
	cap_rights_init(&rights, CAP_READ, CAP_WRITE);	/* record, answer */
	limit(s, &rights, 0);
	cap_rights_init(&rights, CAP_WRITE);
	limit(STDERR_FILENO, &rights, 0);
	if (caph_enter() == -1)
		fatal("cap_enter");
}

const int sandbox_parent_paths = 0;

void
sandbox_parent(const struct sandbox_path *paths, size_t npaths, int flags)
{
}

const char *
sandbox_name(void)
{
	return "capsicum";
}

#else
typedef int sandbox_capsicum_unused;
#endif
