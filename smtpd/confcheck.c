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
 * What a configuration that parsed names must also be safe on this
 * machine (smtpd.conf(5), CHECKS): the two users, the chroot, the spool,
 * the mailer, the private key, the files named, and no placeholder
 * domain.  Run as root before the split, at every start and by -T; each
 * fault is logged as "file:line: what" (conf_where()).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtpd.h"
#include "log.h"
#include "routes.h"

static int	check_errors;

static void __attribute__((format(printf, 3, 4)))
check_fail(const struct conf *c, const char *kw, const char *fmt, ...)
{
	char	where[CONF_PATHMAX + 64], what[CONF_PATHMAX + 128];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", conf_where(c, kw, where, sizeof(where)), what);
	check_errors++;
}

/* user and mailuser: real, not root, not each other.  1: mailuser known. */
static int
check_users(const struct conf *c, struct ps_ids *mail, struct ps_ids *child)
{
	int	okm, okc;

	okc = ps_lookup_user(c->user, child) == 0;
	okm = ps_lookup_user(c->mailuser, mail) == 0;
	if (!okc)
		check_fail(c, "user", "user %s: no such user", c->user);
	else if (child->uid == 0)
		check_fail(c, "user", "user %s: is root (uid 0): the session "
		    "child must not be", c->user);
	if (!okm)
		check_fail(c, "mailuser", "mailuser %s: no such user",
		    c->mailuser);
	else if (mail->uid == 0)
		check_fail(c, "mailuser", "mailuser %s: is root (uid 0): the "
		    "parent and the mailer must not be", c->mailuser);
	if (strcmp(c->user, c->mailuser) == 0 || (okc && okm &&
	    child->uid == mail->uid))
		check_fail(c, conf_line("mailuser") > conf_line("user") ?
		    "mailuser" : "user", "user %s and mailuser %s are the same "
		    "user: the session child must not own the spool",
		    c->user, c->mailuser);
	return okm;
}

/* ps_privdrop()'s rules for the chroot, told with file:line. */
static void
check_chroot(const struct conf *c)
{
	struct stat	 sb;
	DIR		*d;
	struct dirent	*de;
	int		 empty = 1;

	if (stat(c->chroot, &sb) == -1) {
		check_fail(c, "chroot", "chroot %s: %s", c->chroot,
		    strerror(errno));
		return;
	}
	if (!S_ISDIR(sb.st_mode))
		check_fail(c, "chroot", "chroot %s: not a directory", c->chroot);
	else if (sb.st_uid != 0)
		check_fail(c, "chroot", "chroot %s: not owned by root",
		    c->chroot);
	else if (sb.st_mode & (S_IWGRP | S_IWOTH))
		check_fail(c, "chroot", "chroot %s: writable by group or "
		    "others", c->chroot);
	else if ((d = opendir(c->chroot)) == NULL)
		check_fail(c, "chroot", "chroot %s: %s", c->chroot,
		    strerror(errno));
	else {
		while (empty && (de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				empty = 0;
		(void)closedir(d);
		if (!empty)
			check_fail(c, "chroot", "chroot %s: not empty",
			    c->chroot);
	}
}

/* The spool holds mail: the mail user's alone (install -d -m 700). */
static void
check_spool(const struct conf *c, const struct ps_ids *mail, int mailok)
{
	struct stat	sb;

	if (stat(c->spool, &sb) == -1)
		check_fail(c, "spool", "spool %s: %s", c->spool,
		    strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		check_fail(c, "spool", "spool %s: not a directory", c->spool);
	else if (mailok && sb.st_uid != mail->uid)
		check_fail(c, "spool", "spool %s: not owned by mailuser %s",
		    c->spool, c->mailuser);
	else if (sb.st_mode & (S_IRWXG | S_IRWXO))
		check_fail(c, "spool", "spool %s: mode %03o, must be 700",
		    c->spool, (unsigned)(sb.st_mode & 0777));
}

static void
check_files(const struct conf *c)
{
	static const char *named[] = { "unbound", "passwd", "blocked" };
	const char	*path, *dflt;
	struct stat	 sb;
	size_t		 i;

	/* the built-in deliver (mdeliver.c) runs no program */
	if (mdeliver_map(c) != NULL)
		;
	else if (stat(c->mailer, &sb) == -1)
		check_fail(c, "mailer", "mailer %s: %s", c->mailer,
		    strerror(errno));
	else if (!S_ISREG(sb.st_mode) || !(sb.st_mode & 0111))
		check_fail(c, "mailer", "mailer %s: not an executable file",
		    c->mailer);
	/* the key is read by root before the split, by nobody else ever */
	if (c->certfile[0] != '\0') {
		if (stat(c->keyfile, &sb) == -1)
			check_fail(c, conf_named("key") ? "key" : "cert",
			    "key %s: %s", c->keyfile, strerror(errno));
		else if (sb.st_uid != 0 || (sb.st_mode & (S_IRGRP | S_IROTH)))
			check_fail(c, conf_named("key") ? "key" : "cert",
			    "key %s: readable by others than root (owner "
			    "uid %u, mode %03o)", c->keyfile,
			    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 0777));
	}
	/* named in the file, not as the default: meant to be there */
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		path = strcmp(named[i], "unbound") == 0 ? c->unbound :
		    strcmp(named[i], "passwd") == 0 ? c->passwd : c->blocked;
		dflt = strcmp(named[i], "unbound") == 0 ? "" :
		    strcmp(named[i], "passwd") == 0 ? SMTPD_PASSWD :
		    SMTPD_BLOCKED;
		if (path[0] != '\0' && conf_named(named[i]) &&
		    strcmp(path, dflt) != 0 && stat(path, &sb) == -1)
			check_fail(c, named[i], "%s %s: %s", named[i], path,
			    strerror(errno));
	}
}

/* RFC 2606 and 6761 6.4: nothing under .invalid ever gets mail. */
static int
placeholder(const char *dom)
{
	size_t	n = strlen(dom);

	if (n > 0 && dom[n - 1] == '.')
		n--;
	return (n == 7 && strncasecmp(dom, "invalid", 7) == 0) ||
	    (n > 7 && strncasecmp(dom + n - 8, ".invalid", 8) == 0);
}

static void
check_domains(const struct conf *c)
{
	size_t	i;

	if (placeholder(c->domain))
		check_fail(c, "defaultdomain", "defaultdomain %s: a "
		    "placeholder (.invalid): put our domain here", c->domain);
	if (placeholder(c->hostname))
		check_fail(c, "hostname", "hostname %s: a placeholder "
		    "(.invalid): put our host name here", c->hostname);
	for (i = 0; i < c->ourdomains.n; i++)
		if (placeholder(c->ourdomains.v[i]))
			check_fail(c, "ourdomains", "ourdomains %s: a "
			    "placeholder (.invalid)", c->ourdomains.v[i]);
}

/* With routes: a routes file that parses, the mail user's queue, runq. */
static void
check_queue(const struct conf *c, const struct ps_ids *mail, int mailok)
{
	struct routes	rs;
	struct stat	sb;
	char		err[CONF_PATHMAX + 128];

	if (c->recipients[0] != '\0' && stat(c->recipients, &sb) == -1)
		check_fail(c, "recipients", "recipients %s: %s", c->recipients,
		    strerror(errno));
	if (c->routes[0] == '\0')
		return;
	if (routes_load(&rs, c->routes, err, sizeof(err)) == -1)
		check_fail(c, "routes", "%s", err);
	else
		routes_free(&rs);
	if (stat(c->queue, &sb) == -1)
		check_fail(c, "queue", "queue %s: %s", c->queue,
		    strerror(errno));
	else if (!S_ISDIR(sb.st_mode) || (mailok && sb.st_uid != mail->uid) ||
	    (sb.st_mode & (S_IRWXG | S_IRWXO)))
		check_fail(c, "queue", "queue %s: must be a directory of "
		    "mailuser %s, mode 700", c->queue, c->mailuser);
	if (stat(c->runq, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    !(sb.st_mode & 0111))
		check_fail(c, "runq", "runq %s: not an executable file",
		    c->runq);
}

/*
 * What the file says must also be safe on this machine (smtpd.conf(5),
 * CHECKS): at start and by -T, every fault as "file:line: what".
 * Returns 0 with mail and child filled in, or -1.
 */
int
conf_check(const struct conf *c, struct ps_ids *mail, struct ps_ids *child)
{
	int	mailok;

	check_errors = 0;
	mailok = check_users(c, mail, child);
	check_chroot(c);
	check_spool(c, mail, mailok);
	check_files(c);
	check_queue(c, mail, mailok);
	check_domains(c);
	return check_errors ? -1 : 0;
}
