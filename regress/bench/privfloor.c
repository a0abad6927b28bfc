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
 * The privilege-separated floor for the benchmarks: the least a server
 * started per connection that splits privileges and delivers durably can
 * do.  As root (tcpserver runs it), it forks a child that chroots to
 * CHROOT, takes CHILDUID, and speaks the same SMTP as trivial.c; the
 * message goes to the parent over a socketpair, the parent (CHILDUID's
 * counterpart MAILUID) writes it to MAILDIR/tmp, fsyncs it, links it into
 * new/, fsyncs new/, and only then the child says 250.  No checks, no
 * policy, no log.  Usage: privfloor CHROOT CHILDUID MAILUID MAILDIR
 * (numeric ids).  Built static by run.sh.
 */

#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MSGMAX	(1024 * 1024)

static char	ibuf[65536], obuf[4096], msg[MSGMAX];
static size_t	ilen, ioff, olen;

static void
flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < olen) {
		if ((n = write(1, obuf + off, olen - off)) <= 0)
			_exit(1);
		off += n;
	}
	olen = 0;
}

static void
say(const char *s)
{
	size_t	l = strlen(s);

	if (olen + l > sizeof(obuf))
		flush();
	memcpy(obuf + olen, s, l);
	olen += l;
}

static int
getline_(char *line, size_t len)
{
	size_t	o = 0;
	ssize_t	n;
	char	c;

	for (;;) {
		if (ioff == ilen) {
			flush();
			if ((n = read(0, ibuf, sizeof(ibuf))) <= 0)
				return 0;
			ilen = n;
			ioff = 0;
		}
		c = ibuf[ioff++];
		if (o < len - 1)
			line[o++] = c;
		if (c == '\n')
			break;
	}
	line[o] = '\0';
	return 1;
}

static int
full(int fd, void *buf, size_t len, int rd)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = rd ? read(fd, p, len) : write(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void
child(int fd)
{
	char		line[1024];
	uint32_t	len;
	char		ack;

	say("220 floor.test ESMTP privfloor\r\n");
	while (getline_(line, sizeof(line))) {
		if (strncasecmp(line, "DATA", 4) == 0) {
			say("354 go ahead\r\n");
			len = 0;
			while (getline_(line, sizeof(line)) &&
			    strcmp(line, ".\r\n") != 0 && strcmp(line, ".\n") != 0) {
				size_t l = strlen(line);
				if (len + l <= sizeof(msg)) {
					memcpy(msg + len, line, l);
					len += l;
				}
			}
			if (full(fd, &len, sizeof(len), 0) == -1 ||
			    full(fd, msg, len, 0) == -1 ||
			    full(fd, &ack, 1, 1) == -1)
				_exit(1);
			say("250 2.0.0 ok\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say("221 2.0.0 bye\r\n");
			break;
		} else
			say("250 ok\r\n");
	}
	flush();
	_exit(0);
}

static int
deliver(const char *md, const char *buf, size_t len, unsigned n)
{
	char	tmp[4096], new[4096];
	int	fd, dfd;

	snprintf(tmp, sizeof(tmp), "%s/tmp/%lld.%d_%u.floor", md,
	    (long long)time(NULL), (int)getpid(), n);
	snprintf(new, sizeof(new), "%s/new/%lld.%d_%u.floor", md,
	    (long long)time(NULL), (int)getpid(), n);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return -1;
	if (full(fd, (void *)buf, len, 0) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || link(tmp, new) == -1 || unlink(tmp) == -1)
		return -1;
	snprintf(new, sizeof(new), "%s/new", md);
	if ((dfd = open(new, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	if (fsync(dfd) == -1)
		return -1;
	return close(dfd);
}

int
main(int argc, char **argv)
{
	uid_t		cu, mu;
	int		sp[2], st;
	uint32_t	len;
	unsigned	n = 0;
	pid_t		pid;

	if (argc != 5)
		return 64;
	cu = (uid_t)atoi(argv[2]);
	mu = (uid_t)atoi(argv[3]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1 ||
	    (pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		close(sp[0]);
		if (chroot(argv[1]) == -1 || chdir("/") == -1 ||
		    setgroups(0, NULL) == -1 || setresgid(cu, cu, cu) == -1 ||
		    setresuid(cu, cu, cu) == -1)
			_exit(1);
		child(sp[1]);
	}
	close(sp[1]);
	close(0);
	close(1);
	if (setgroups(0, NULL) == -1 || setresgid(mu, mu, mu) == -1 ||
	    setresuid(mu, mu, mu) == -1)
		return 1;
	while (full(sp[0], &len, sizeof(len), 1) == 0 && len <= MSGMAX &&
	    full(sp[0], msg, len, 1) == 0) {
		if (deliver(argv[4], msg, len, n++) == -1)
			return 1;
		if (full(sp[0], "k", 1, 0) == -1)
			break;
	}
	while (waitpid(pid, &st, 0) == -1)
		;
	return 0;
}
