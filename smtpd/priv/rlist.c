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
 * The recipients file: the addresses (and @domains) an inner server
 * takes, so that smtpd refuses the others at RCPT (smtpd/rcpt.c).
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rlist.h"
#include "../../deliver/deliver.h"

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
rl_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

int
rl_add(char ***v, size_t *n, const char *s)
{
	char	**nv;

	if (*n >= MAP_MAXENTRIES)
		return -1;
	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

void
rl_free(struct rlist *rl)
{
	size_t	i;

	for (i = 0; i < rl->n; i++)
		free(rl->addr[i]);
	for (i = 0; i < rl->nd; i++)
		free(rl->dom[i]);
	free(rl->addr);
	free(rl->dom);
	memset(rl, 0, sizeof(*rl));
}

/* One address or @domain a line; '#' starts a comment. */
int
rl_load(struct rlist *rl, const char *file)
{
	FILE	*f;
	char	 line[MAP_MAXLINE], *w, *e, *at;
	int	 ln = 0;

	memset(rl, 0, sizeof(*rl));
	if ((f = fopen(file, "re")) == NULL) {
		log_warn("recipients %s", file);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		line[strcspn(line, "#\r\n")] = '\0';
		for (w = line; isspace((unsigned char)*w); w++)
			;
		for (e = w; *e != '\0' && !isspace((unsigned char)*e); e++)
			;
		*e = '\0';
		if (*w == '\0')
			continue;
		rl_lower(w);
		if ((at = strrchr(w, '@')) == NULL || at[1] == '\0' ||
		    strlen(w) > MAP_MAXKEY) {
			log_warnx("recipients %s:%d: not an address or @domain",
			    file, ln);
			continue;
		}
		if (rl_add(&rl->addr, &rl->n, w) == -1 ||
		    rl_add(&rl->dom, &rl->nd, at + 1) == -1) {
			log_warnx("recipients %s: too many entries", file);
			goto fail;
		}
	}
	if (ferror(f)) {
		log_warn("recipients %s", file);
		goto fail;
	}
	(void)fclose(f);
	if (rl->n > 0) {
		qsort(rl->addr, rl->n, sizeof(*rl->addr), cmp);
		qsort(rl->dom, rl->nd, sizeof(*rl->dom), cmp);
	}
	return 0;
fail:
	(void)fclose(f);
	rl_free(rl);
	return -1;
}

int
rl_has(char **v, size_t n, const char *key)
{
	return n > 0 && bsearch(&key, v, n, sizeof(*v), cmp) != NULL;
}
