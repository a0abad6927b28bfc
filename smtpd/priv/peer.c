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
 * Who is on the other end of fd 0.  Plan 9 read /net/tcp/N/{remote,local};
 * here, in order: -n dir (dir/remote and dir/local, "addr!port", an
 * explicit override for tests and odd listeners), getpeername(2) and
 * getsockname(2) on fd 0 (inetd, tcpserver, systemd), and the UCSPI
 * variables TCPREMOTEIP/TCPREMOTEPORT/TCPLOCALIP/TCPLOCALPORT.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

/* IPv4-mapped IPv6 addresses become plain IPv4, as everything compares. */
static void
unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in	 in;

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = in6->sin6_port;
	memcpy(&in.sin_addr, in6->sin6_addr.s6_addr + 12, 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in, sizeof(in));
}

/* Text address and port into a sockaddr; 0 or -1. */
static int
addr_set(struct sockaddr_storage *ss, const char *addr, const char *port)
{
	struct sockaddr_in	*in = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)ss;
	const char		*errstr = NULL;
	int			 p = 0;

	if (port != NULL && *port != '\0') {
		p = (int)strtonum(port, 0, 65535, &errstr);
		if (errstr != NULL)
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(p);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
	} else
		return -1;
	unmap(ss);
	return 0;
}

/* One line "addr!port" from dir/name. */
static int
netdir_read(const char *dir, const char *name, struct sockaddr_storage *ss)
{
	char	 path[PATH_MAX], buf[128], *bang, *nl;
	ssize_t	 n;
	int	 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((nl = strpbrk(buf, "\r\n")) != NULL)
		*nl = '\0';
	if ((bang = strrchr(buf, '!')) != NULL)
		*bang++ = '\0';
	if (addr_set(ss, buf, bang) == -1) {
		log_warnx("%s: bad address", path);
		return -1;
	}
	return 0;
}

static int
from_socket(struct peer *p)
{
	socklen_t	len;

	len = sizeof(p->remote);
	if (getpeername(0, (struct sockaddr *)&p->remote, &len) == -1)
		return -1;
	len = sizeof(p->local);
	if (getsockname(0, (struct sockaddr *)&p->local, &len) == -1)
		return -1;
	if (p->remote.ss_family != AF_INET && p->remote.ss_family != AF_INET6)
		return -1;
	unmap(&p->remote);
	unmap(&p->local);
	return 0;
}

static int
from_ucspi(struct peer *p)
{
	const char	*rip, *lip;

	if ((rip = getenv("TCPREMOTEIP")) == NULL ||
	    addr_set(&p->remote, rip, getenv("TCPREMOTEPORT")) == -1)
		return -1;
	if ((lip = getenv("TCPLOCALIP")) == NULL ||
	    addr_set(&p->local, lip, getenv("TCPLOCALPORT")) == -1)
		(void)addr_set(&p->local, p->remote.ss_family == AF_INET ?
		    "0.0.0.0" : "::", NULL);
	return 0;
}

static void
to_text(const struct sockaddr_storage *ss, char *buf, size_t bufsz, int *port)
{
	const void	*a;

	if (ss->ss_family == AF_INET) {
		a = &((const struct sockaddr_in *)ss)->sin_addr;
		*port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		*port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	if (inet_ntop(ss->ss_family, a, buf, bufsz) == NULL)
		(void)strlcpy(buf, "?", bufsz);
}

/* 0, or -1 when the peer cannot be found ("can't get remote address"). */
int
peer_find(struct peer *p, const struct conf *c)
{
	int	ok;

	memset(&p->remote, 0, sizeof(p->remote));
	memset(&p->local, 0, sizeof(p->local));
	if (c->netdir[0] != '\0')
		ok = netdir_read(c->netdir, "remote", &p->remote) == 0 &&
		    netdir_read(c->netdir, "local", &p->local) == 0;
	else
		ok = from_socket(p) == 0 || from_ucspi(p) == 0;
	if (!ok)
		return -1;
	to_text(&p->remote, p->raddr, sizeof(p->raddr), &p->rport);
	to_text(&p->local, p->laddr, sizeof(p->laddr), &p->lport);
	return 0;
}
