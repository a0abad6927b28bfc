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
 * The MTA-STS policy cache (RFC 8461 5.1): one file per domain in the
 * state directory (smtp.conf "stsdir"), named after the domain in
 * A-labels, holding the policy as fetched with the TXT id and the time.
 *
 * The client seals itself before it talks to the network and may then
 * open no file (sandbox.h), so the cache is dealt with before that:
 * sts_cache_open() reads the destination domain's record and forks a
 * writer that keeps the directory open and nothing else of interest.
 * The sealed client hands a new record to the writer over a socket; the
 * writer takes exactly one, for the domain fixed before the fork, checks
 * it with the same strict parser, and replaces the file atomically
 * (temporary file, fsync, rename, fsync of the directory).  A client
 * taken over by a server could thus only write a well-formed policy for
 * the domain it was sending to, which a forged fetch gives it anyway.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sts.h"

#define REC_MAX		(STS_MAXBODY + 128)	/* header and policy */
#define ACK_TIMEOUT	10000			/* ms the writer may take */

static int	 wsock = -1;		/* to the writer */
static char	*rec;			/* the domain's record, as read */
static size_t	 reclen;

static int
readall(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t	n;

	*len = 0;
	for (;;) {
		n = read(fd, buf + *len, max - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		*len += n;
		if (*len == max)
			return -1;	/* too long: not ours */
	}
}

/* The record of domain in the directory, if there is a sane one. */
static void
readrec(int dfd, const char *dir, const char *domain)
{
	struct stat	 st;
	int		 fd;

	if ((fd = openat(dfd, domain, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1) {
		if (errno != ENOENT)
			log_warn("%s/%s", dir, domain);
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > REC_MAX) {
		log_warnx("%s/%s: not a cache record, ignored", dir, domain);
		goto done;
	}
	if ((rec = malloc(REC_MAX)) == NULL)
		fatal("malloc");
	if (readall(fd, rec, REC_MAX, &reclen) == -1) {
		log_warnx("%s/%s: unreadable, ignored", dir, domain);
		free(rec);
		rec = NULL;
	}
done:
	(void)close(fd);
}

/* All of p to a file (sock 0) or to the socket (sock 1, no SIGPIPE). */
static int
putall(int fd, const char *p, size_t n, int sock)
{
	ssize_t	w;

	while (n > 0) {
		w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* temporary file, fsync, rename over the record, fsync the directory */
static int
replace(int dfd, const char *domain, const char *buf, size_t len)
{
	char	tmp[300];
	int	fd;

	(void)snprintf(tmp, sizeof(tmp), ".%s.%ld", domain, (long)getpid());
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		log_warn("sts cache: %s", tmp);
		return -1;
	}
	if (putall(fd, buf, len, 0) == -1 || fsync(fd) == -1) {
		log_warn("sts cache: writing %s", tmp);
		(void)close(fd);
		(void)unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (close(fd) == -1 || renameat(dfd, tmp, dfd, domain) == -1) {
		log_warn("sts cache: %s", domain);
		(void)unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (fsync(dfd) == -1)
		log_warn("sts cache: fsync of the directory");
	return 0;
}

/*
 * The writer: one record for domain from s, or none; it answers 'y'/'n'.
 * Sealed (sandbox.h): it starts no process, dumps no core, gains no
 * privilege, writes no file larger than a record and none outside dir.
 */
static void __attribute__((noreturn))
writer(int dfd, int s, const char *dir, const char *domain)
{
	struct sts_cached	 c;
	char			*buf, ok = 'n';
	size_t			 len;

	sandbox_dirwriter(dfd, s, dir, REC_MAX);
	if ((buf = malloc(REC_MAX)) == NULL)
		_exit(1);
	if (readall(s, buf, REC_MAX, &len) == -1) {
		log_warnx("sts cache: bad record from the client");
		_exit(1);
	}
	if (len == 0)
		_exit(0);	/* nothing new */
	if (sts_cache_parse(buf, len, &c) == -1)
		log_warnx("sts cache: malformed record for %s refused", domain);
	else if (replace(dfd, domain, buf, len) == 0)
		ok = 'y';
	(void)send(s, &ok, 1, MSG_NOSIGNAL);
	_exit(0);
}

/*
 * Before the sandbox: open dir, read domain's record, start the writer.
 * 0, or -1 and why (then there is no cache for this run).
 */
int
sts_cache_open(const char *dir, const char *domain, char *err, size_t errlen)
{
	struct stat	 st;
	int		 dfd, sv[2], fd, maxfd;
	pid_t		 pid;

	if (!sts_domain_ok(domain)) {
		(void)snprintf(err, errlen, "%s: no cache for this name",
		    domain);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* our own state: nobody else may plant a policy in it */
	if (fstat(dfd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		(void)snprintf(err, errlen, "%s: not a directory of uid %ld "
		    "that only it may write", dir, (long)geteuid());
		(void)close(dfd);
		return -1;
	}
	readrec(dfd, dir, domain);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		(void)snprintf(err, errlen, "socketpair: %s", strerror(errno));
		(void)close(dfd);
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		(void)snprintf(err, errlen, "fork: %s", strerror(errno));
		(void)close(dfd);
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	case 0:
		/* keep the directory, the socket and stderr (for -d) only */
		maxfd = dfd > sv[1] ? dfd : sv[1];
		for (fd = 0; fd < maxfd; fd++)
			if (fd != dfd && fd != sv[1] && fd != STDERR_FILENO)
				(void)close(fd);
		closefrom(maxfd + 1);
		(void)signal(SIGPIPE, SIG_IGN);
		log_procinit("sts-cache");
		writer(dfd, sv[1], dir, domain);
	default:
		break;
	}
	(void)close(dfd);
	(void)close(sv[1]);
	wsock = sv[0];
	return 0;
}

/* 1 and the cached policy when there is a well-formed one, else 0. */
int
sts_cache_get(struct sts_cached *c)
{
	if (rec == NULL || sts_cache_parse(rec, reclen, c) == -1) {
		if (rec != NULL)
			log_warnx("sts cache: malformed record ignored");
		memset(c, 0, sizeof(*c));
		return 0;
	}
	return 1;
}

/*
 * Store the policy body fetched under id at time fetched: the record goes
 * to the writer, which answers once the file is on disk.  0 or -1.
 */
int
sts_cache_put(const char *body, size_t len, const char *id, long long fetched)
{
	struct sts_cached	 c;
	struct pollfd		 pfd;
	char			*out, ack = 'n';
	size_t			 outlen;
	int			 rv = -1;

	if (wsock == -1)
		return -1;
	memset(&c, 0, sizeof(c));
	(void)strlcpy(c.id, id, sizeof(c.id));
	c.fetched = fetched;
	if (sts_cache_format(&c, body, len, &out, &outlen) == -1)
		return -1;
	if (putall(wsock, out, outlen, 1) == 0 && shutdown(wsock, SHUT_WR) == 0) {
		pfd.fd = wsock;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ACK_TIMEOUT) == 1 &&
		    read(wsock, &ack, 1) == 1 && ack == 'y')
			rv = 0;
	}
	free(out);
	(void)close(wsock);
	wsock = -1;
	return rv;
}
