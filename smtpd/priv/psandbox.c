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
 * What the parent may still reach once it runs as the mail user
 * (sandbox_parent in privsep/sandbox.h; unveil(2) and pledge(2) on
 * OpenBSD): the credentials file, the spool, dump and greylist
 * directories, /dev/null for the mailer, the recipients and routes files,
 * the queue and runq when there are routes, the delivery map (read at
 * RCPT for mail delivered here), and either the external mailer or, for
 * the built-in one, every Maildir the map names.  A map
 * path with %u or %d is unveiled from the directory above its first such
 * component: /var/mail/%d/%u gives /var/mail.  The map is read here once
 * per connection; deliveries read it again (a map changed in between may
 * name a path outside: that delivery fails with a temporary error, the
 * next connection sees the new map).  unveil(2) keeps a bounded number
 * of paths: a map that names more than PSB_MAXMAPDIRS directories is
 * unveiled by their top-level directories (/home, /var) instead.
 */

#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "log.h"
#include "sandbox.h"
#include "../../deliver/deliver.h"

#define PSB_MAXPATHS	64
#define PSB_MAXMAPDIRS	32

struct psb {
	struct sandbox_path	 p[PSB_MAXPATHS];
	char			*own[PSB_MAXPATHS];
	size_t			 n;
};

static void
psb_add(struct psb *b, const char *path, const char *perm, int copy)
{
	char	*s = NULL;

	if (path[0] == '\0')
		return;
	if (b->n == PSB_MAXPATHS)
		fatalx("parent sandbox: more than %d paths", PSB_MAXPATHS);
	if (copy && (s = strdup(path)) == NULL)
		fatal("strdup");
	b->own[b->n] = s;
	b->p[b->n].path = copy ? s : path;
	b->p[b->n].perm = perm;
	b->n++;
}

/*
 * /var/mail/%d/%u -> /var/mail; a path with no % stays as it is; top:
 * /var/mail/%d/%u -> /var.  0 when added or there already.
 */
static int
psb_mapdir(struct psb *b, const char *path, int top, size_t max)
{
	char	 dir[PATH_MAX], *pc, *sl;
	size_t	 i;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return 0;
	if (top && (sl = strchr(dir + 1, '/')) != NULL)
		*sl = '\0';
	if ((pc = strchr(dir, '%')) != NULL) {
		*pc = '\0';
		if ((sl = strrchr(dir, '/')) == NULL)
			return 0;
		sl[sl == dir ? 1 : 0] = '\0';
	}
	for (i = 0; i < b->n; i++)
		if (strcmp(b->p[i].path, dir) == 0)
			return 0;
	if (b->n >= max)
		return -1;
	psb_add(b, dir, "rwc", 1);
	return 0;
}

void
parent_sandbox(const struct conf *c)
{
	struct psb	 b;
	struct map	 map;
	const char	*mapfile;
	char		 err[128];
	size_t		 i, n;
	int		 flags = 0;

	memset(&b, 0, sizeof(b));
	if ((mapfile = mdeliver_map(c)) == NULL || c->routes[0] != '\0')
		flags |= SANDBOX_EXEC;
	if (c->unbound[0] != '\0')
		flags |= SANDBOX_NET;
	if (!sandbox_parent_paths) {	/* no map to read for nothing */
		sandbox_parent(b.p, 0, flags);
		return;
	}
	psb_add(&b, "/dev/null", "rw", 0);
	psb_add(&b, c->passwd, "r", 0);
	psb_add(&b, c->spool, "rwc", 0);
	if (c->saveblocked)
		psb_add(&b, c->dumpdir, "rwc", 0);
	/* authfail's counts live there too (greylist.c) */
	if (c->greylist || (c->authfailmax > 0 && c->passwd[0] != '\0'))
		psb_add(&b, c->greydir, "rwc", 0);
	psb_add(&b, c->recipients, "r", 0);
	if (c->routes[0] != '\0') {
		psb_add(&b, c->routes, "r", 0);
		psb_add(&b, c->queue, "rwc", 0);
		psb_add(&b, c->runq, "rx", 0);
	}
	if (mapfile == NULL) {
		psb_add(&b, DELIVER_MAP, "r", 0);
		psb_add(&b, c->mailer, "rx", 0);
	} else {
		psb_add(&b, mapfile, "r", 0);
		if (map_load(&map, mapfile, err, sizeof(err)) == 0) {
			n = b.n;
			for (i = 0; i < map.n; i++)
				if (psb_mapdir(&b, map.e[i].path, 0,
				    n + PSB_MAXMAPDIRS) == -1)
					break;
			if (i < map.n) {	/* too many: top-level dirs */
				while (b.n > n)
					free(b.own[--b.n]);
				for (i = 0; i < map.n; i++)
					(void)psb_mapdir(&b, map.e[i].path, 1,
					    PSB_MAXPATHS);
			}
			map_free(&map);
		}
	}
	sandbox_parent(b.p, b.n, flags);
	for (i = 0; i < b.n; i++)
		free(b.own[i]);
}
