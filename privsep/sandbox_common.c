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
 * Portable part of the session child's sandbox: resource limits.  Each
 * OS backend (sandbox_seccomp.c, sandbox_pledge.c, sandbox_capsicum.c,
 * sandbox_null.c) calls these before installing its own mechanism.
 */

#include <sys/types.h>
#include <sys/resource.h>

#include <signal.h>

#include "log.h"
#include "sandbox_int.h"

void
sandbox_rlimit_nofile(const int *fds, size_t nfds)
{
	struct rlimit	rl;
	size_t		i;
	int		maxfd = 2;

	for (i = 0; i < nfds; i++)
		if (fds[i] > maxfd)
			maxfd = fds[i];
	/* the received spool fd, plus room for libc and OpenSSL */
	rl.rlim_cur = rl.rlim_max = maxfd + 1 + 4;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("setrlimit NOFILE");
}

void
sandbox_rlimits(size_t maxfsize)
{
	struct rlimit	rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		fatal("setrlimit NPROC");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit CORE");
	rl.rlim_cur = rl.rlim_max = maxfsize;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		fatal("setrlimit FSIZE");
	/* an oversized write fails with EFBIG instead of killing us */
	(void)signal(SIGXFSZ, SIG_IGN);
}

/* The client: no process, no core (its memory holds a password). */
void
sandbox_rlimits_client(void)
{
	struct rlimit	rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit CORE");
}
