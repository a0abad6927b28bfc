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

#include <stdint.h>

long long	 strtonum(const char *, long long, long long, const char **);
uint32_t	 arc4random(void);
void		 closefrom(int);

#endif /* COMPAT_H */
