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
 * OpenBSD: pledge(2).  The child keeps stdio and may receive the spool fd
 * from the parent; TLS works under "stdio" once the context is configured.
 */

#ifdef __OpenBSD__

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
	if (pledge("stdio recvfd", NULL) == -1)
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
