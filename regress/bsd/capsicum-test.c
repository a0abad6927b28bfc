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
 * privsep/sandbox_capsicum.c run on Linux against a model of the kernel
 * (capsicum/sys/capsicum.h): every descriptor starts with all rights, a
 * limit that asks for a right the descriptor lost fails with ENOTCAPABLE,
 * and nothing may be limited after cap_enter() but within what is left.
 * Checks that sandbox_child() limits each kept descriptor once, to the
 * rights the child needs and no more, and then enters capability mode;
 * and the same of sandbox_dirwriter() (smtp's MTA-STS cache writer).
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define __FreeBSD__	14
#include "../../privsep/sandbox_capsicum.c"

#define NFD	8
static uint64_t	rights[NFD];
static uint32_t	fcntls[NFD];
static int	nlimit[NFD], entered, failures;

cap_rights_t *
fake_rights_init(cap_rights_t *r, ...)
{
	va_list		ap;
	uint64_t	b;

	r->r = 0;
	va_start(ap, r);
	while ((b = va_arg(ap, uint64_t)) != 0)
		r->r |= b;
	va_end(ap);
	return r;
}

int
cap_rights_limit(int fd, const cap_rights_t *r)
{
	if (fd < 0 || fd >= NFD) {
		errno = EBADF;
		return -1;
	}
	if (r->r & ~rights[fd]) {
		errno = ENOTCAPABLE;
		return -1;
	}
	rights[fd] = r->r;
	nlimit[fd]++;
	return 0;
}

int
cap_fcntls_limit(int fd, uint32_t f)
{
	if (fd < 0 || fd >= NFD) {
		errno = EBADF;
		return -1;
	}
	if (!(rights[fd] & CAP_FCNTL) || (f & ~fcntls[fd])) {
		errno = ENOTCAPABLE;
		return -1;
	}
	fcntls[fd] = f;
	return 0;
}

int
cap_ioctls_limit(int fd, const unsigned long *cmds, size_t n)
{
	errno = ENOTCAPABLE;
	return -1;
}

int
cap_enter(void)
{
	entered = 1;
	return 0;
}

void
sandbox_rlimits(size_t maxfsize)
{
}

void
sandbox_rlimits_client(void)
{
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	printf("not ok - sandbox_child failed: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(": %s\n", errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno));
	exit(1);
}

static void
check(int ok, const char *what)
{
	printf("%s - capsicum: %s\n", ok ? "ok" : "not ok", what);
	if (!ok)
		failures++;
}

int
main(void)
{
	/* as smtpd.c's child_main: the connection, the socketpair, -d */
	const int	fds[] = { 0, 1, 3, 4 };
	const uint64_t	need = CAP_READ | CAP_WRITE | CAP_EVENT | CAP_FCNTL |
			    CAP_SHUTDOWN;
	size_t		i;
	int		fd;

	for (fd = 0; fd < NFD; fd++) {
		rights[fd] = CAP_ALL;
		fcntls[fd] = CAP_FCNTL_ALL;
	}
	sandbox_child(fds, sizeof(fds) / sizeof(fds[0]), 1024);
	check(entered, "capability mode entered");
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		fd = fds[i];
		printf("# fd %d rights %#llx fcntls %#x limits %d\n", fd,
		    (unsigned long long)rights[fd], fcntls[fd], nlimit[fd]);
		check(nlimit[fd] == 1, "each kept fd limited once");
		check(rights[fd] == need, "kept fd: read, write, poll, fcntl, "
		    "shutdown; no seek, fstat, ioctl, lookup, getpeername");
		check(fcntls[fd] == (CAP_FCNTL_GETFL | CAP_FCNTL_SETFL),
		    "kept fd: fcntl F_GETFL and F_SETFL only (O_NONBLOCK for TLS)");
	}
	check(nlimit[2] == 1 && rights[2] == CAP_WRITE,
	    "fd 2 (/dev/null): write only");
	check(nlimit[5] == 0 && rights[5] == CAP_ALL,
	    "descriptors not listed are left alone (none are open)");
	/* what caph_limit_stdio() would ask for now: more, so refused */
	{
		cap_rights_t	r;

		cap_rights_init(&r, CAP_EVENT, CAP_FCNTL, CAP_FSTAT, CAP_IOCTL,
		    CAP_SEEK, CAP_READ);
		check(cap_rights_limit(0, &r) == -1 && errno == ENOTCAPABLE,
		    "caph_limit_stdio()'s rights after ours: ENOTCAPABLE "
		    "(why sandbox_capsicum.c does not call it)");
	}

	/* the cache writer: its directory and its socket, nothing more */
	for (fd = 0; fd < NFD; fd++) {
		rights[fd] = CAP_ALL;
		fcntls[fd] = CAP_FCNTL_ALL;
		nlimit[fd] = 0;
	}
	entered = 0;
	sandbox_dirwriter(5, 6, "/var/db/upas/sts", 4096);
	check(entered, "dirwriter: capability mode entered");
	check(nlimit[5] == 1 && rights[5] == (CAP_LOOKUP | CAP_CREATE |
	    CAP_WRITE | CAP_FSYNC | CAP_RENAMEAT_SOURCE | CAP_RENAMEAT_TARGET |
	    CAP_UNLINKAT), "dirwriter: the directory: look up, create, write, "
	    "fsync, rename, unlink; no read, fstat, seek");
	check(nlimit[6] == 1 && rights[6] == (CAP_READ | CAP_WRITE),
	    "dirwriter: the socket: read and write only");
	check(nlimit[2] == 1 && rights[2] == CAP_WRITE,
	    "dirwriter: stderr: write only");
	check(nlimit[0] == 0 && nlimit[1] == 0 && nlimit[3] == 0,
	    "dirwriter: nothing else limited");
	return failures != 0;
}
