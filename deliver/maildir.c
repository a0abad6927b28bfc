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
 * Maildir delivery, the safe way: write tmp/<unique> with O_EXCL, fsync,
 * link() into new/ (rename() where the file system has no hard links),
 * unlink the tmp/ name, fsync new/.  A reader never sees a partial file.
 * maildir_run() does it for every recipient of a message, for deliver(8)
 * and for smtpd's built-in mailer alike.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sysexits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"

#define MD_COPYBUF	65536
#define MD_TRIES	5		/* O_EXCL collisions before giving up */
#define MD_MSGLEN	(4 * PATH_MAX)	/* a warning, the delivery line included */

struct md_rcpt {
	const char	*addr;
	char		 dir[PATH_MAX];
	int		 dup;		/* same address as an earlier one */
};

static const char	*md_host(void);
static int		 md_mkdirs(char *, int);
static int		 md_fail(char *, size_t, int, const char *, const char *);
static int		 md_write(int, const char *, size_t);
static int		 md_copy(int, const struct msgsrc *, off_t *);
static int		 md_fsyncdir(const char *);
static void		 md_warn(const struct mdjob *, int, const char *, ...)
			    __attribute__((format(printf, 3, 4)));
static int		 md_one(const struct mdjob *, const struct md_rcpt *);
static int		 md_all(struct mdjob *, struct md_rcpt *, size_t,
			    const struct map *);

static unsigned int	 md_count;

/* What an errno means for the client: try again later, or give up. */
int
maildir_errcode(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOTDIR:
	case EISDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case EEXIST:
	case ENOENT:
		return EX_CANTCREAT;
	default:
		/* ENOSPC, EDQUOT, EIO, EMFILE...: may pass */
		return EX_TEMPFAIL;
	}
}

static int
md_fail(char *err, size_t errlen, int e, const char *what, const char *path)
{
	(void)snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return maildir_errcode(e);
}

/* The host part of the unique name, with '/' and ':' escaped as Maildir asks. */
static const char *
md_host(void)
{
	static char	 host[256];
	char		 raw[256], *o;
	const char	*p;

	if (host[0] != '\0')
		return host;
	if (gethostname(raw, sizeof(raw)) == -1 || raw[0] == '\0')
		(void)strlcpy(raw, "localhost", sizeof(raw));
	raw[sizeof(raw) - 1] = '\0';
	for (p = raw, o = host; *p != '\0' && o < host + sizeof(host) - 5; p++) {
		if (*p == '/' || *p == ':') {
			(void)snprintf(o, 5, "\\%03o", (unsigned char)*p);
			o += 4;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return host;
}

/* mkdir -p, mode 0700: the directory and any missing parent. */
static int
md_mkdirs(char *path, int depth)
{
	char	*slash;
	int	 r;

	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || depth > 64 ||
	    (slash = strrchr(path, '/')) == NULL || slash == path)
		return -1;
	*slash = '\0';
	r = md_mkdirs(path, depth + 1);
	*slash = '/';
	if (r == -1)
		return -1;
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Make sure dir, dir/tmp, dir/new and dir/cur exist and we may write. */
int
maildir_create(const char *dir, char *err, size_t errlen)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char		 path[PATH_MAX];
	size_t		 i;

	if (strlcpy(path, dir, sizeof(path)) >= sizeof(path) - 4)
		return md_fail(err, errlen, ENAMETOOLONG, "mkdir", dir);
	if (md_mkdirs(path, 0) == -1)
		return md_fail(err, errlen, errno, "mkdir", dir);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return md_fail(err, errlen, errno, "mkdir", path);
		if (i < 2 && access(path, W_OK | X_OK) == -1)
			return md_fail(err, errlen, errno, "access", path);
	}
	return 0;
}

static int
md_write(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Copy the message; -1 with errno, or -2 when reading the source failed. */
static int
md_copy(int fd, const struct msgsrc *src, off_t *size)
{
	static char	 buf[MD_COPYBUF];
	off_t		 off = src->off;
	ssize_t		 n;

	for (;;) {
		n = pread(src->fd, buf, sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -2;
		if (n == 0)
			break;
		if (md_write(fd, buf, n) == -1)
			return -1;
		off += n;
	}
	*size += off - src->off;
	return 0;
}

static int
md_fsyncdir(const char *dir)
{
	int	fd, r, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	saved = errno;
	(void)close(fd);
	errno = saved;
	return r;
}

/*
 * Deliver one copy into the Maildir dir, headed by Return-Path and
 * Delivered-To.  Returns 0 (the file's name is in name, its size in size)
 * or a sysexits code with the reason in err.
 */
int
maildir_deliver(const char *dir, const struct msgsrc *src, const char *sender,
    const char *rcpt, char *name, size_t namelen, off_t *size, char *err,
    size_t errlen)
{
	char		 tmp[PATH_MAX], new[PATH_MAX], hdr[2 * MAP_MAXLINE];
	struct timeval	 tv;
	int		 fd = -1, tries, r = 0, e, hl;

	for (tries = 0; fd == -1 && tries < MD_TRIES; tries++) {
		(void)gettimeofday(&tv, NULL);
		(void)snprintf(name, namelen, "%lld.M%ldP%ldQ%u.%s",
		    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
		    ++md_count, md_host());
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir,
		    name) >= sizeof(tmp) ||
		    (size_t)snprintf(new, sizeof(new), "%s/new/%s", dir,
		    name) >= sizeof(new))
			return md_fail(err, errlen, ENAMETOOLONG, "name", dir);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			return md_fail(err, errlen, errno, "open", tmp);
	}
	if (fd == -1)
		return md_fail(err, errlen, EEXIST, "open", tmp);

	hl = snprintf(hdr, sizeof(hdr), "Return-Path: <%s>\nDelivered-To: %s\n",
	    sender, rcpt);
	*size = 0;
	if (hl < 0 || (size_t)hl >= sizeof(hdr)) {
		e = ENAMETOOLONG;
		goto bad;
	}
	*size = hl;
	if (md_write(fd, hdr, hl) == -1 || (r = md_copy(fd, src, size)) == -1) {
		e = errno;
		goto bad;
	}
	if (r == -2) {
		e = errno;
		(void)close(fd);
		(void)unlink(tmp);
		(void)snprintf(err, errlen, "read message: %s", strerror(e));
		return EX_IOERR;
	}
	if (fsync(fd) == -1) {
		e = errno;
		goto bad;
	}
	r = close(fd);
	fd = -1;
	if (r == -1) {
		e = errno;
		goto bad;
	}
	if (link(tmp, new) == -1) {
		/* file systems without hard links (some FUSE, some SMB) */
		if ((errno != EPERM && errno != EXDEV && errno != ENOSYS &&
		    errno != EOPNOTSUPP && errno != EMLINK) ||
		    rename(tmp, new) == -1) {
			e = errno;
			(void)unlink(tmp);
			return md_fail(err, errlen, e, "link", new);
		}
	} else
		(void)unlink(tmp);
	(void)snprintf(tmp, sizeof(tmp), "%s/new", dir);
	if (md_fsyncdir(tmp) == -1) {
		/* not known to be on disk: take it back, the client retries */
		e = errno;
		(void)unlink(new);
		return md_fail(err, errlen, e, "fsync", tmp);
	}
	return 0;
 bad:
	if (fd != -1)
		(void)close(fd);
	(void)unlink(tmp);
	return md_fail(err, errlen, e, "write", tmp);
}

/* Addresses go into header lines: no control characters, bounded length. */
int
maildir_badaddr(const char *a)
{
	const unsigned char	*p;

	if (strlen(a) > MAP_MAXKEY)
		return 1;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

static void
md_warn(const struct mdjob *j, int line, const char *fmt, ...)
{
	char	 msg[MD_MSGLEN];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j->warn(line, msg);
}

static int
md_one(const struct mdjob *j, const struct md_rcpt *r)
{
	char	 name[NAME_MAX + 1], err[PATH_MAX + 128], id[48] = "";
	char	 es[2 * MAP_MAXKEY], er[2 * MAP_MAXKEY], ed[2 * PATH_MAX];
	off_t	 size = 0;
	int	 code;

	code = maildir_deliver(r->dir, &j->src, j->sender, r->addr, name,
	    sizeof(name), &size, err, sizeof(err));
	if (j->id != NULL)
		(void)snprintf(id, sizeof(id), "id=%s ", j->id);
	(void)log_escape(es, sizeof(es), j->sender, strlen(j->sender));
	(void)log_escape(er, sizeof(er), r->addr, strlen(r->addr));
	(void)log_escape(ed, sizeof(ed), r->dir, strlen(r->dir));
	if (code == 0)
		log_info("delivery %sfrom=<%s> to=<%s> maildir=%s file=%s "
		    "size=%lld result=ok", id, es, er, ed, name,
		    (long long)size);
	else
		md_warn(j, 1, "delivery %sfrom=<%s> to=<%s> maildir=%s "
		    "result=%s error=\"%s\"", id, es, er, ed,
		    code == EX_TEMPFAIL ? "tempfail" : "permfail", err);
	return code;
}

/* Map every recipient, make every Maildir, then write the copies. */
static int
md_all(struct mdjob *j, struct md_rcpt *r, size_t n, const struct map *map)
{
	char	 err[PATH_MAX + 128];
	size_t	 i, k;
	int	 code, worst = 0, unknown = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcasecmp(r[i].addr, r[k].addr) == 0)
				r[i].dup = 1;
		if (maildir_badaddr(r[i].addr)) {
			md_warn(j, 0, "recipient %zu: bad address", i + 1);
			return EX_DATAERR;
		}
		if (map_lookup(map, r[i].addr, r[i].dir, sizeof(r[i].dir)) !=
		    MAP_FOUND) {
			(void)log_escape(err, sizeof(err), r[i].addr,
			    strlen(r[i].addr));
			md_warn(j, 0, "<%s>: no such mailbox in %s", err,
			    j->mapfile);
			unknown = 1;
		}
	}
	if (unknown)
		return EX_NOUSER;
	for (i = 0; i < n; i++)
		if (!r[i].dup && (code = maildir_create(r[i].dir, err,
		    sizeof(err))) != 0) {
			md_warn(j, 0, "%s", err);
			return code;
		}
	if (j->source != NULL && (code = j->source(&j->src)) != 0)
		return code;

	/*
	 * A temporary failure after some copies were written makes the
	 * client send the whole message again: duplicates, never a loss.
	 */
	for (i = 0; i < n; i++) {
		if (r[i].dup)
			continue;
		code = md_one(j, &r[i]);
		if (code == EX_TEMPFAIL || (code != 0 && worst == 0))
			worst = code;
	}
	return worst;
}

/*
 * Deliver one message to the Maildirs the map names for rcpt[0..n-1]:
 * nothing is written unless every recipient maps and every Maildir can
 * be made.  Returns 0 or the worst sysexits code.
 */
int
maildir_run(struct mdjob *j, char **rcpt, size_t n)
{
	struct md_rcpt	*r;
	struct map	 map;
	char		 err[PATH_MAX + 128];
	size_t		 i;
	int		 code, e;

	if (maildir_badaddr(j->sender)) {
		md_warn(j, 0, "bad sender address");
		return EX_DATAERR;
	}
	switch (map_load(&map, j->mapfile, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		e = errno;
		md_warn(j, 0, "map %s: %s", j->mapfile, strerror(e));
		return e == ENOENT || e == EACCES ? EX_CONFIG : EX_TEMPFAIL;
	default:
		md_warn(j, 0, "map %s: %s", j->mapfile, err);
		return EX_CONFIG;
	}
	if ((r = calloc(n, sizeof(*r))) == NULL) {
		md_warn(j, 0, "out of memory");
		map_free(&map);
		return EX_TEMPFAIL;
	}
	for (i = 0; i < n; i++)
		r[i].addr = rcpt[i];
	code = md_all(j, r, n, &map);
	free(r);
	map_free(&map);
	return code;
}
