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

#include <string.h>

#include "priv.h"
#include "log.h"
#include "../../deliver/deliver.h"

static void	 warn_job(int, const char *);

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

/* Setup errors carry deliver's name, as its stderr does; delivery lines not. */
static void
warn_job(int line, const char *msg)
{
	if (line)
		log_warnx("%s", msg);
	else
		log_warnx("deliver: %s", msg);
}

int
mdeliver_run(struct parent *p, const char *mapfile, const char *sender,
    char **rcpt, size_t nrcpt)
{
	struct mdjob	 job;

	memset(&job, 0, sizeof(job));
	job.mapfile = mapfile;
	job.sender = sender;
	job.id = p->msgid;
	job.src.fd = p->spoolfd;
	job.src.off = 0;
	job.warn = warn_job;
	return maildir_run(&job, rcpt, nrcpt);
}
