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
 * strtonum, arc4random, closefrom and plain set*id(2) for the musl build
 * (compat.h).
 */

#include <sys/types.h>
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"

/* OpenBSD's contract: 0 and *errstr set on any error, errno EINVAL/ERANGE */
long long
strtonum(const char *s, long long min, long long max, const char **errstr)
{
	long long	 v = 0;
	char		*end;
	int		 saved = errno;

	*errstr = NULL;
	if (min > max) {
		errno = EINVAL;
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s == end || *end != '\0') {
		errno = EINVAL;
		*errstr = "invalid";
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < min) {
		errno = ERANGE;
		*errstr = "too small";
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > max) {
		errno = ERANGE;
		*errstr = "too large";
		return 0;
	}
	errno = saved;
	return v;
}

/*
 * A few values per connection (session id, unique names), all drawn
 * before the sandbox: straight from the kernel, no generator state.
 */
uint32_t
arc4random(void)
{
	uint32_t	v;

	if (getentropy(&v, sizeof(v)) == -1)
		abort();	/* as arc4random: it cannot fail */
	return v;
}

void
closefrom(int lowfd)
{
	long	fd, max;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

/*
 * The set*id(2) calls themselves (see compat.h).  The 32-bit ids calls
 * where the kernel has both kinds (i386, arm), as musl picks them.
 */
#ifdef SYS_setresuid32
#define NR_SETRESUID	SYS_setresuid32
#define NR_SETRESGID	SYS_setresgid32
#define NR_SETUID	SYS_setuid32
#define NR_SETGID	SYS_setgid32
#define NR_SETGROUPS	SYS_setgroups32
#else
#define NR_SETRESUID	SYS_setresuid
#define NR_SETRESGID	SYS_setresgid
#define NR_SETUID	SYS_setuid
#define NR_SETGID	SYS_setgid
#define NR_SETGROUPS	SYS_setgroups
#endif

int
compat_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)syscall(NR_SETRESUID, r, e, s);
}

int
compat_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)syscall(NR_SETRESGID, r, e, s);
}

int
compat_setuid(uid_t u)
{
	return (int)syscall(NR_SETUID, u);
}

int
compat_setgid(gid_t g)
{
	return (int)syscall(NR_SETGID, g);
}

int
compat_setgroups(size_t n, const gid_t *list)
{
	return (int)syscall(NR_SETGROUPS, n, list);
}
