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
 * The recipients file (smtpd.conf(5)): one address or @domain a line,
 * '#' starts a comment.  Read by smtpd's parent (smtpd/rcpt.c).
 */

#ifndef RLIST_H
#define RLIST_H

#include <stddef.h>

struct rlist {
	char		**addr;		/* "user@domain" and "@domain", lower case */
	size_t		  n;
	char		**dom;		/* every domain named, lower case */
	size_t		  nd;
};

int	 rl_load(struct rlist *, const char *);	/* sorted; logs what is wrong */
int	 rl_has(char **, size_t, const char *);
int	 rl_add(char ***, size_t *, const char *);
void	 rl_free(struct rlist *);
void	 rl_lower(char *);

#endif /* RLIST_H */
