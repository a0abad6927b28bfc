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
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sysexits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"

#define MD_COPYBUF	65536
#define MD_TRIES	5		/* O_EXCL collisions before giving up */

static const char	*md_host(void);
static int		 md_mkdirs(char *, int);
static int		 md_fail(char *, size_t, int, const char *, const char *);
static int		 md_write(int, const char *, size_t);
static int		 md_copy(int, const struct msgsrc *, off_t *);
static int		 md_fsyncdir(const char *);

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
