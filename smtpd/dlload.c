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
 * One loader for what smtpd opens with dlopen(3) when first needed
 * (libunbound and libidn2 in priv/dns.c, smtpd-tls.so in tlsmod.c), so
 * that a connection which needs none of them does not pay for their
 * relocation: smtpd starts once per connection.
 */

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "dlload.h"
#include "log.h"

/*
 * The first of names[] that loads, then every symbol of syms[], all or
 * none.  0, or -1 after a log line "who: ..." naming what.
 */
int
dl_load(const char *who, const char *what, const char *const *names,
    size_t nnames, const struct dl_sym *syms, size_t nsyms)
{
	void	*h = NULL;
	size_t	 i;

	for (i = 0; i < nnames && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		log_warnx("%s: cannot load %s: %s", who, what, dlerror());
		return -1;
	}
	for (i = 0; i < nsyms; i++) {
		/* POSIX dlsym(3): a function pointer is stored this way */
		if ((*syms[i].fn = dlsym(h, syms[i].name)) == NULL) {
			log_warnx("%s: %s: no %s", who, what, syms[i].name);
			while (i > 0)
				*syms[--i].fn = NULL;
			return -1;
		}
	}
	return 0;
}
