/* objs: smtpd/priv/rlist.c privsep/log.c */
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
 * libFuzzer harness for the recipients file parser (smtpd/rlist.c,
 * smtpd.conf(5)): any bytes as the file to rl_load(), then rl_has() of
 * fixed addresses and of the input's first word.  Checks: no crash, no
 * ASan/UBSan error, no leak after rl_free(); on success both lists are
 * sorted, each entry is lower case with an '@' and a domain after it, and
 * rl_has() finds every loaded address and domain.
 */

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv/rlist.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
lowered(const char *s)
{
	for (; *s != '\0'; s++)
		if (tolower((unsigned char)*s) != (unsigned char)*s)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"joe@example.org", "@example.org", "example.org", "", "@",
		"postmaster@example.org",
	};
	static char	 path[64];
	struct rlist	 rl;
	char		 word[400], *at;
	size_t		 i, n;
	FILE		*f;

	if (path[0] == '\0') {
		log_init("fuzz-rcpt", 0, 0);/* rl_load() logs bad lines */
		(void)snprintf(path, sizeof(path), "/tmp/fuzz-rcpt.%ld",
		    (long)getpid());
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	n = 0;
	while (n < size && n < sizeof(word) - 1 && data[n] != '\n' &&
	    data[n] != '\0')
		n++;
	memcpy(word, data, n);
	word[n] = '\0';

	if (rl_load(&rl, path) == 0) {
		for (i = 0; i < rl.n; i++) {
			lowered(rl.addr[i]);
			if ((at = strrchr(rl.addr[i], '@')) == NULL ||
			    at[1] == '\0' || !rl_has(rl.addr, rl.n, rl.addr[i]))
				abort();
			if (i > 0 && strcmp(rl.addr[i - 1], rl.addr[i]) > 0)
				abort();
		}
		for (i = 0; i < rl.nd; i++) {
			lowered(rl.dom[i]);
			if (!rl_has(rl.dom, rl.nd, rl.dom[i]) ||
			    (i > 0 && strcmp(rl.dom[i - 1], rl.dom[i]) > 0))
				abort();
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			(void)rl_has(rl.addr, rl.n, keys[i]);
		(void)rl_has(rl.addr, rl.n, word);
		rl_free(&rl);
	}
	(void)unlink(path);
	return 0;
}
