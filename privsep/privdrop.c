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
 * The privilege drop, in OpenSSH's order: check the chroot directory,
 * chroot, chdir, setgroups, setresgid, setresuid, then prove that root
 * cannot be regained before running any untrusted code.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "sandbox.h"

int
ps_lookup_user(const char *name, struct ps_ids *ids)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	return 0;
}

static int
dir_empty(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 empty = 1;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* A chroot the child cannot change or leave anything in. */
int
ps_check_chroot(const char *dir)
{
	struct stat	sb;
	int		empty;

	if (dir == NULL || dir[0] != '/') {
		log_warnx("chroot %s: not an absolute path", dir ? dir : "(null)");
		return -1;
	}
	if (stat(dir, &sb) == -1) {
		log_warn("chroot %s", dir);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("chroot %s: not a directory", dir);
		return -1;
	}
	if (sb.st_uid != 0) {
		log_warnx("chroot %s: not owned by root", dir);
		return -1;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		log_warnx("chroot %s: writable by group or others", dir);
		return -1;
	}
	if ((empty = dir_empty(dir)) == -1) {
		log_warn("chroot %s", dir);
		return -1;
	}
	if (!empty) {
		log_warnx("chroot %s: not empty", dir);
		return -1;
	}
	return 0;
}

static void
verify_ids(const struct ps_ids *ids)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg, groups[2];

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid");
	if (ru != ids->uid || eu != ids->uid || su != ids->uid ||
	    rg != ids->gid || eg != ids->gid || sg != ids->gid)
		fatalx("privdrop: ids not as set");
	if (getgroups(2, groups) != 1 || groups[0] != ids->gid)
		fatalx("privdrop: supplementary groups not as set");
	if (ids->uid == 0)
		return;		/* nothing to prove when staying root */
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("privdrop: root could be regained");
	if (ids->gid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		fatalx("privdrop: gid 0 could be regained");
}

/*
 * Drop to ids for good, without changing the root directory.  No
 * no_new_privs here: the parent execs the mailer, which may be a setgid
 * program such as Postfix's sendmail (postdrop).
 */
void
ps_setids(const struct ps_ids *ids)
{
	if (setgroups(1, &ids->gid) == -1)
		fatal("setgroups");
	if (setresgid(ids->gid, ids->gid, ids->gid) == -1)
		fatal("setresgid");
	if (setresuid(ids->uid, ids->uid, ids->uid) == -1)
		fatal("setresuid");
	verify_ids(ids);
}

void
ps_privdrop(const char *dir, const struct ps_ids *ids)
{
	if (ps_check_chroot(dir) == -1)
		fatalx("unsafe chroot directory %s", dir);
	if (chroot(dir) == -1)
		fatal("chroot %s", dir);
	if (chdir("/") == -1)
		fatal("chdir /");
	ps_setids(ids);
	sandbox_nonewprivs();
}
