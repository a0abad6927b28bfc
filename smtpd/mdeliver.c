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
 * The built-in mailer.  When the configured mailer is our own deliver(8)
 * at its installed path (the default), with no arguments but -M map, the
 * parent does deliver's work itself rather than fork and exec it for
 * every message: the same map, the same Maildir procedure (tmp/, fsync,
 * link into new/, fsync of the directory) and the same exit statuses,
 * which mailer.c turns into the same replies.  The parent already runs as
 * the mail user, as deliver would; it reads the message from the spool
 * fd and never parses it.  Any other mailer is executed.
 */

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "smtpd.h"
#include "log.h"
#include "../deliver/deliver.h"

struct mrcpt {
	const char	*addr;
	char		 dir[PATH_MAX];
	int		 dup;		/* same address as an earlier one */
};

const char *
mdeliver_map(const struct conf *c)
{
	const struct strlist	*a = &c->mailerargs;

	if (strcmp(c->mailer, SMTPD_MAILER) != 0)
		return NULL;
	if (a->n == 0)
		return DELIVER_MAP;
	if (a->n == 2 && strcmp(a->v[0], "-M") == 0 && a->v[1][0] != '\0')
		return a->v[1];
	if (a->n == 1 && strncmp(a->v[0], "-M", 2) == 0 && a->v[0][2] != '\0')
		return a->v[0] + 2;
	return NULL;
}

/* As deliver's badaddr(): addresses go into header lines. */
static int
badaddr(const char *a)
{
	const unsigned char	*p;

	if (strlen(a) > MAP_MAXKEY)
		return 1;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

static int
one(struct parent *p, const struct msgsrc *src, const char *sender,
    struct mrcpt *r)
{
	char	 name[NAME_MAX + 1], err[PATH_MAX + 128];
	char	 es[2 * MAP_MAXKEY], er[2 * MAP_MAXKEY], ed[2 * PATH_MAX];
	off_t	 size = 0;
	int	 code;

	code = maildir_deliver(r->dir, src, sender, r->addr, name,
	    sizeof(name), &size, err, sizeof(err));
	(void)log_escape(es, sizeof(es), sender, strlen(sender));
	(void)log_escape(er, sizeof(er), r->addr, strlen(r->addr));
	(void)log_escape(ed, sizeof(ed), r->dir, strlen(r->dir));
	if (code == 0)
		log_info("delivery id=%s from=<%s> to=<%s> maildir=%s file=%s "
		    "size=%lld result=ok", p->msgid, es, er, ed, name,
		    (long long)size);
	else
		log_warnx("delivery id=%s from=<%s> to=<%s> maildir=%s "
		    "result=%s error=\"%s\"", p->msgid, es, er, ed,
		    code == EX_TEMPFAIL ? "tempfail" : "permfail", err);
	return code;
}

/* Map every recipient, make every Maildir, then write the copies. */
static int
all(struct parent *p, struct mrcpt *r, size_t n, const char *sender,
    const char *mapfile, struct map *map)
{
	struct msgsrc	 src;
	char		 err[PATH_MAX + 128];
	size_t		 i, j;
	int		 code, worst = 0, unknown = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcasecmp(r[i].addr, r[j].addr) == 0)
				r[i].dup = 1;
		if (badaddr(r[i].addr)) {
			log_warnx("deliver: recipient %zu: bad address", i + 1);
			return EX_DATAERR;
		}
		if (map_lookup(map, r[i].addr, r[i].dir, sizeof(r[i].dir)) !=
		    MAP_FOUND) {
			(void)log_escape(err, sizeof(err), r[i].addr,
			    strlen(r[i].addr));
			log_warnx("deliver: <%s>: no such mailbox in %s", err,
			    mapfile);
			unknown = 1;
		}
	}
	if (unknown)
		return EX_NOUSER;
	for (i = 0; i < n; i++)
		if (!r[i].dup && (code = maildir_create(r[i].dir, err,
		    sizeof(err))) != 0) {
			log_warnx("deliver: %s", err);
			return code;
		}
	src.fd = p->spoolfd;
	src.off = 0;
	/* a tempfail after some copies: the client resends, never a loss */
	for (i = 0; i < n; i++) {
		if (r[i].dup)
			continue;
		code = one(p, &src, sender, &r[i]);
		if (code == EX_TEMPFAIL || (code != 0 && worst == 0))
			worst = code;
	}
	return worst;
}

int
mdeliver_run(struct parent *p, const char *mapfile, const char *sender,
    char **rcpt, size_t nrcpt)
{
	struct mrcpt	*r;
	struct map	 map;
	char		 err[PATH_MAX + 128];
	size_t		 i;
	int		 code, e;

	if (badaddr(sender)) {
		log_warnx("deliver: bad sender address");
		return EX_DATAERR;
	}
	switch (map_load(&map, mapfile, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		e = errno;
		log_warnx("deliver: map %s: %s", mapfile, strerror(e));
		return e == ENOENT || e == EACCES ? EX_CONFIG : EX_TEMPFAIL;
	default:
		log_warnx("deliver: map %s: %s", mapfile, err);
		return EX_CONFIG;
	}
	if ((r = calloc(nrcpt, sizeof(*r))) == NULL) {
		log_warn("deliver");
		map_free(&map);
		return EX_TEMPFAIL;
	}
	for (i = 0; i < nrcpt; i++)
		r[i].addr = rcpt[i];
	code = all(p, r, nrcpt, sender, mapfile, &map);
	free(r);
	map_free(&map);
	return code;
}
