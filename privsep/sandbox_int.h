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

#ifndef SANDBOX_INT_H
#define SANDBOX_INT_H

#include <stddef.h>

/*
 * Internal to the sandbox_*.c files (sandbox_common.c): the portable
 * resource limits every OS backend applies before its own mechanism.
 */

/*
 * RLIMIT_NPROC and RLIMIT_CORE to 0, RLIMIT_FSIZE to maxfsize, SIGXFSZ
 * ignored so an oversized write fails with EFBIG.  Fatal on failure.
 */
void	sandbox_rlimits(size_t);
void	sandbox_rlimits_client(void);

/*
 * RLIMIT_NOFILE to just above the highest descriptor in fds, with room for
 * the spool fd the parent hands over and for libc and OpenSSL.
 */
void	sandbox_rlimit_nofile(const int *, size_t);

#endif /* SANDBOX_INT_H */
