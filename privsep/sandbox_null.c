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
 * The fallback sandbox for systems without seccomp, pledge or Capsicum:
 * resource limits only, on top of the chroot and the privilege drop.
 */

#if !defined(__linux__) && !defined(__OpenBSD__) && !defined(__FreeBSD__)

#include <time.h>

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
}

void
sandbox_child(const int *fds, size_t nfds, size_t maxfsize)
{
	sandbox_rlimit_nofile(fds, nfds);
	sandbox_rlimits(maxfsize);
}

void
sandbox_client(void)
{
	sandbox_rlimits_client();
}

void
sandbox_dirwriter(int dfd, int s, const char *dir, size_t maxfsize)
{
	(void)dfd;
	(void)s;
	(void)dir;
	sandbox_rlimits(maxfsize);
}

const int sandbox_parent_paths = 0;

void
sandbox_parent(const struct sandbox_path *paths, size_t npaths, int flags)
{
}

const char *
sandbox_name(void)
{
	return "rlimit";
}

#else
/* ISO C forbids an empty translation unit. */
typedef int sandbox_null_unused;
#endif
