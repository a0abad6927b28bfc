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
 * The OpenBSD functions that musl lacks, for the lean smtpd (Makefile
 * LEAN=yes), which is built with musl and no libbsd; the Makefile
 * includes this header first in every file of that build (-include).
 * glibc builds get them from libbsd, the BSDs from libc.
 */

#ifndef COMPAT_H
#define COMPAT_H

#include <sys/types.h>

#include <grp.h>
#include <stdint.h>
#include <unistd.h>

long long	 strtonum(const char *, long long, long long, const char **);
uint32_t	 arc4random(void);
void		 closefrom(int);

/*
 * musl changes credentials through __synccall, so that every thread
 * changes at once: it masks all signals around each set*id(2), three
 * rt_sigprocmask(2) a call, 42 a connection.  smtpd never starts a
 * thread, so the system call alone is the whole change.  The macros
 * come after <unistd.h> and <grp.h>, whose prototypes they would spoil.
 */
int		 compat_setresuid(uid_t, uid_t, uid_t);
int		 compat_setresgid(gid_t, gid_t, gid_t);
int		 compat_setuid(uid_t);
int		 compat_setgid(gid_t);
int		 compat_setgroups(size_t, const gid_t *);
#define setresuid(r, e, s)	compat_setresuid((r), (e), (s))
#define setresgid(r, e, s)	compat_setresgid((r), (e), (s))
#define setuid(u)		compat_setuid(u)
#define setgid(g)		compat_setgid(g)
#define seteuid(u)		compat_setresuid((uid_t)-1, (u), (uid_t)-1)
#define setegid(g)		compat_setresgid((gid_t)-1, (g), (gid_t)-1)
#define setgroups(n, l)		compat_setgroups((n), (l))

#endif /* COMPAT_H */
