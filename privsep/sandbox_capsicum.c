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
 * FreeBSD: Capsicum.  Each kept descriptor is limited to what a socket or
 * an append-only spool file needs, then the process enters capability
 * mode, where no global namespace (paths, new sockets) can be reached.
 */

#ifdef __FreeBSD__

#include <sys/types.h>
#include <sys/capsicum.h>

#include <capsicum_helpers.h>
#include <errno.h>
#include <time.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

void
sandbox_init(void)
{
	tzset();
	caph_cache_tzdata();
}

void
sandbox_nonewprivs(void)
{
}

void
sandbox_child(const int *fds, size_t nfds, size_t maxfsize)
{
	cap_rights_t	rights;
	size_t		i;

	sandbox_rlimits(maxfsize);
	cap_rights_init(&rights, CAP_READ, CAP_WRITE, CAP_EVENT, CAP_SHUTDOWN,
	    CAP_GETPEERNAME, CAP_GETSOCKNAME, CAP_FCNTL, CAP_RECV, CAP_SEND);
	for (i = 0; i < nfds; i++)
		if (cap_rights_limit(fds[i], &rights) == -1 &&
		    errno != ENOSYS)
			fatal("cap_rights_limit");
	if (caph_limit_stdio() == -1)
		fatal("caph_limit_stdio");
	if (caph_enter() == -1)
		fatal("cap_enter");
}

const char *
sandbox_name(void)
{
	return "capsicum";
}

#else
typedef int sandbox_capsicum_unused;
#endif
