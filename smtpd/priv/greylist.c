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
 * Greylisting (-g), in the parent, relative to p->greyfd (greydir, opened
 * as root; the parent now runs as the mail user that owns it):
 *
 *	whitelist			one address or CIDR block per line,
 *					first token only, '#' comments; a
 *					missing file is an empty list; we only
 *					ever append "<ip> [<rdns>]"
 *	tmp/<local>/<remote>/<rcpt>	marker: its mtime is the first try
 *
 * A retry counts between greymin and greymax seconds after the first try
 * (measured from the first try: retrying early does not restart the
 * clock, RFC 6647 4.2).  Markers older than greymax start over; markers
 * older than greyexpire are removed, a bounded number per connection.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

#define GREY_NAMEMAX	200		/* a marker's name, well under NAME_MAX */
#define GREY_EXPIREMAX	512		/* entries looked at per connection */

static int	 expired_done;

/* Plan 9 format: the first token of each line; bare addresses exact. */
static int
whitelisted(struct parent *p)
{
	char		*line = NULL, *t, *e;
	size_t		 cap = 0;
	struct netaddr	 n;
	FILE		*fp;
	int		 fd, hit = 0;

	if ((fd = openat(p->greyfd, "whitelist", O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	while (!hit && getline(&line, &cap, fp) != -1) {
		t = line + strspn(line, " \t");
		if (*t == '#')
			continue;
		e = t + strcspn(t, " \t\r\n#");
		*e = '\0';
		if (*t == '\0' || net_parse(t, &n, 0) == -1)
			continue;
		if (net_match(&n, (struct sockaddr *)&p->peer->remote))
			hit = 1;
	}
	free(line);
	fclose(fp);
	return hit;
}

static int
whitelist_add(struct parent *p)
{
	char	 line[INET6_ADDRSTRLEN + SMTP_DOMAINMAX + 4];
	int	 fd, n;
	ssize_t	 w;

	n = snprintf(line, sizeof(line), "%s%s%s\n", p->peer->raddr,
	    p->peer->rdns[0] ? " " : "", p->peer->rdns);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	fd = openat(p->greyfd, "whitelist",
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		return -1;
	w = write(fd, line, n);
	close(fd);
	return w == n ? 0 : -1;
}

/*
 * A recipient as one file name: lower case, no '/', no leading '.', no
 * control characters or blanks, bounded length.
 */
static void
grey_name(const char *rcpt, char *out, size_t outsz)
{
	size_t	 i;

	for (i = 0; rcpt[i] != '\0' && i < outsz - 1; i++) {
		unsigned char	 ch = rcpt[i];

		if (ch == '/' || ch <= ' ' || ch >= 0x7f || ch == '\\')
			ch = '_';
		out[i] = tolower(ch);
	}
	out[i] = '\0';
	if (out[0] == '.')
		out[0] = '_';
	if (out[0] == '\0')
		strlcpy(out, "_", outsz);
}

/* An address as a directory name: ':' is fine on Unix file systems. */
static int
mkdir_at(int dfd, const char *name)
{
	int	 fd;

	if (mkdirat(dfd, name, 0700) == -1 && errno != EEXIST)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

static int
marker_dir(struct parent *p)
{
	int	 t, l, r;

	if ((t = mkdir_at(p->greyfd, "tmp")) == -1)
		return -1;
	l = mkdir_at(t, p->peer->laddr[0] ? p->peer->laddr : "unknown");
	close(t);
	if (l == -1)
		return -1;
	r = mkdir_at(l, p->peer->raddr[0] ? p->peer->raddr : "unknown");
	close(l);
	return r;
}

/* Remove markers older than greyexpire, and then empty directories. */
static void
expire_dir(int dfd, int depth, time_t now, int expire, int *budget)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	int		 fd, sub;

	if ((fd = dup(dfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while (*budget > 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(*budget)--;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 2) {
			sub = openat(dfd, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub == -1)
				continue;
			expire_dir(sub, depth + 1, now, expire, budget);
			close(sub);
			(void)unlinkat(dfd, de->d_name, AT_REMOVEDIR); /* if empty */
		} else if (S_ISREG(st.st_mode) && depth == 2 &&
		    now - st.st_mtime > expire)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

static void
grey_expire(struct parent *p, time_t now)
{
	int	 t, budget = GREY_EXPIREMAX;

	if (expired_done || p->conf->greyexpire <= 0)
		return;
	expired_done = 1;
	t = openat(p->greyfd, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (t == -1)
		return;
	expire_dir(t, 0, now, p->conf->greyexpire, &budget);
	close(t);
}

static int
marker_new(int dfd, const char *name)
{
	int	 fd;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	close(fd);
	/* a marker that was old: its time must be now */
	return utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
}

/* GREY_* for one recipient; logs the decision. */
static int
grey_check(struct parent *p, const char *rcpt, char *why, size_t whysz)
{
	struct conf	*c = p->conf;
	char		 name[GREY_NAMEMAX + 1];
	struct stat	 st;
	time_t		 now = time(NULL), age;
	int		 dfd, rv;

	if (p->greyfd == -1) {
		strlcpy(why, "nogreydir", whysz);
		return GREY_TEMPFAIL;
	}
	grey_expire(p, now);
	if ((rv = whitelisted(p)) == 1) {
		strlcpy(why, "whitelist", whysz);
		return GREY_PASS;
	} else if (rv == -1) {
		strlcpy(why, "whitelist-unreadable", whysz);
		return GREY_TEMPFAIL;
	}
	grey_name(rcpt, name, sizeof(name));
	if ((dfd = marker_dir(p)) == -1) {
		strlcpy(why, "mkdir", whysz);
		return GREY_TEMPFAIL;
	}
	rv = GREY_DEFER;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT || marker_new(dfd, name) == -1) {
			strlcpy(why, "marker", whysz);
			rv = GREY_TEMPFAIL;
		} else
			strlcpy(why, "first", whysz);
	} else if (!S_ISREG(st.st_mode)) {
		strlcpy(why, "marker-type", whysz);
		rv = GREY_TEMPFAIL;
	} else if ((age = now - st.st_mtime) < c->greymin) {
		strlcpy(why, "early", whysz);
	} else if (age <= c->greymax) {
		if (whitelist_add(p) == -1) {
			log_warn("greylist: whitelist");
			strlcpy(why, "retry-notsaved", whysz);
		} else
			strlcpy(why, "retry", whysz);
		(void)unlinkat(dfd, name, 0);
		rv = GREY_PASS;
	} else {
		strlcpy(why, "stale", whysz);
		if (marker_new(dfd, name) == -1)
			rv = GREY_TEMPFAIL;
	}
	close(dfd);
	return rv;
}

/* PS_GREY_REQ: str rcpt -> PS_GREY_ANS u32 GREY_* */
void
p_grey(struct parent *p, struct ps_msg *m)
{
	char		 rcpt[SMTP_PATHMAX + 1], erc[SMTP_PATHMAX * 2];
	char		 why[32];
	struct ps_buf	 b;
	int		 rv;

	/* without -g the child never asks; greydir is open if it exists */
	if (!p->conf->greylist) {
		parent_kill(p, "greylist not enabled");
		return;
	}
	if (ps_get_str(m, rcpt, sizeof(rcpt)) == -1 || ps_end(m) == -1) {
		parent_kill(p, "bad greylist request");
		return;
	}
	if (p->peer->trusted || p->authuser[0] != '\0') {
		rv = GREY_PASS;
		strlcpy(why, "trusted", sizeof(why));
	} else
		rv = grey_check(p, rcpt, why, sizeof(why));
	log_escape(erc, sizeof(erc), rcpt, strlen(rcpt));
	log_info("greylist addr=%s rcpt=\"%s\" result=%s reason=%s",
	    p->peer->raddr, erc, rv == GREY_PASS ? "pass" :
	    rv == GREY_DEFER ? "defer" : "tempfail", why);
	ps_buf_init(&b);
	ps_add_u32(&b, rv);
	parent_reply(p, PS_GREY_ANS, m->hdr.id, -1, &b);
}

/*
 * authfail: AUTH failures per client address across connections, kept
 * beside the greylist as authfail/<address>, one decimal time per
 * failure, the newest authfailmax of them, under flock(2) since other
 * connections' parents update the same file.  IPv6 clients are counted
 * by their /64, which one host usually holds whole.
 */
#define AUTHFAIL_LINE	24		/* one decimal time and its newline, at most */
#define AUTHFAIL_MAX	100		/* authfail N: N at most (conf.c) */

static int
authfail_name(const struct peer *pe, char *out, size_t outsz)
{
	const struct sockaddr_in6	*s6;
	struct in6_addr			 a;
	char				 buf[INET6_ADDRSTRLEN];

	if (pe->remote.ss_family != AF_INET6) {
		if (pe->raddr[0] == '\0')
			return -1;
		return strlcpy(out, pe->raddr, outsz) < outsz ? 0 : -1;
	}
	s6 = (const struct sockaddr_in6 *)&pe->remote;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return strlcpy(out, pe->raddr, outsz) < outsz ? 0 : -1;
	a = s6->sin6_addr;
	memset(a.s6_addr + 8, 0, 8);
	if (inet_ntop(AF_INET6, &a, buf, sizeof(buf)) == NULL)
		return -1;
	return snprintf(out, outsz, "%s-64", buf) < (int)outsz ? 0 : -1;
}

/* The file, locked; -1 when it cannot be (no greydir, no permission). */
static int
authfail_open(struct parent *p)
{
	char	 name[INET6_ADDRSTRLEN + 8];
	int	 dfd, fd;

	if (p->greyfd == -1 || authfail_name(p->peer, name, sizeof(name)) == -1)
		return -1;
	if ((dfd = mkdir_at(p->greyfd, "authfail")) == -1)
		return -1;
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The failures still inside the window, oldest first, at most max. */
static size_t
authfail_read(int fd, time_t now, int window, time_t *v, size_t max)
{
	char		 buf[AUTHFAIL_LINE * AUTHFAIL_MAX + 1], *line, *end;
	const char	*err;
	ssize_t		 n;
	size_t		 k = 0;
	long long	 t;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	for (line = buf; (end = strchr(line, '\n')) != NULL; line = end + 1) {
		*end = '\0';
		t = strtonum(line, 1, LLONG_MAX, &err);
		if (err != NULL || t > now || now - t >= window)
			continue;
		if (k == max) {			/* keep the newest */
			memmove(v, v + 1, (max - 1) * sizeof(*v));
			k--;
		}
		v[k++] = (time_t)t;
	}
	return k;
}

/* 1: the limit is reached; 0: go on; -1: no state, so no AUTH (454). */
int
authfail_check(struct parent *p)
{
	time_t	 v[AUTHFAIL_MAX];
	size_t	 k;
	int	 fd, max = p->conf->authfailmax;

	if (max <= 0)
		return 0;
	if ((fd = authfail_open(p)) == -1) {
		log_warn("authfail: %s/authfail", p->conf->greydir);
		return -1;
	}
	k = authfail_read(fd, time(NULL), p->conf->authfailwindow, v,
	    (size_t)max);
	close(fd);
	return k >= (size_t)max;
}

void
authfail_add(struct parent *p)
{
	char	 buf[AUTHFAIL_LINE * AUTHFAIL_MAX + 1];
	time_t	 v[AUTHFAIL_MAX], now = time(NULL);
	size_t	 k, i, o = 0;
	int	 fd, max = p->conf->authfailmax;

	if (max <= 0 || (fd = authfail_open(p)) == -1)
		return;
	k = authfail_read(fd, now, p->conf->authfailwindow, v, (size_t)max);
	if (k == (size_t)max) {
		memmove(v, v + 1, (k - 1) * sizeof(*v));
		k--;
	}
	v[k++] = now;
	for (i = 0; i < k; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%lld\n",
		    (long long)v[i]);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, o, 0) != (ssize_t)o)
		log_warn("authfail: %s", p->peer->raddr);
	close(fd);
}
