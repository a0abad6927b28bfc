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
 * Destination addresses (Plan 9 dial strings and the usual Unix forms),
 * their resolution into an ordered address list, and connecting.
 *
 *	domain			MX lookup, port 25
 *	host:port		the host's addresses, no MX
 *	[addr] [addr]:port	an address literal (IPv6 too, "IPv6:" optional)
 *	net!domain[!service]	MX lookup, that port
 *	tcp!host[!service]	the host's addresses, no MX
 *	lmtp!unix!/path		LMTP (RFC 2033) to a local socket
 *	lmtp!tcp!host!port	LMTP over TCP, no MX
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"

static int
service(const char *s)
{
	struct servent	*se;
	const char	*errstr;
	int		 port;

	if (*s == '\0' || strcmp(s, "smtp") == 0)
		return 25;
	if (strcmp(s, "smtps") == 0 || strcmp(s, "submissions") == 0)
		return 465;
	if (strcmp(s, "submission") == 0)
		return 587;
	port = strtonum(s, 1, 65535, &errstr);
	if (errstr == NULL)
		return port;
	if ((se = getservbyname(s, "tcp")) != NULL)
		return ntohs(se->s_port);
	return -1;
}

static int
isliteral(const char *h)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	return inet_pton(AF_INET, h, &a4) == 1 ||
	    inet_pton(AF_INET6, h, &a6) == 1;
}

static int
sethost(struct dest *d, const char *h, size_t n, char *err, size_t errlen)
{
	char	a[256], e[200];

	if (n == 0 || n >= sizeof(d->host)) {
		(void)snprintf(err, errlen, "bad host name length");
		return -1;
	}
	memcpy(d->host, h, n);
	d->host[n] = '\0';
	if (strncasecmp(d->host, "IPv6:", 5) == 0)
		memmove(d->host, d->host + 5, strlen(d->host + 5) + 1);
	if (d->host[0] == '$') {
		(void)snprintf(err, errlen, "meta-name %s not supported",
		    d->host);
		return -1;
	}
	if (isliteral(d->host)) {
		d->kind = D_ADDR;
		return 0;
	}
	/* U-labels to A-labels for DNS; foo..bar is no name, for good */
	if (idn_domain(d->host, a, sizeof(a), e, sizeof(e)) == -1) {
		(void)snprintf(err, errlen, "illegal host name: %s", e);
		return -1;
	}
	(void)strlcpy(d->host, a, sizeof(d->host));
	return 0;
}

/* host part with an optional [literal] and :port */
static int
hostport(const char *s, struct dest *d, char *err, size_t errlen)
{
	const char	*e, *colon;

	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			goto bad;
		if (sethost(d, s + 1, e - s - 1, err, errlen) == -1)
			return -1;
		if (d->kind != D_ADDR)
			goto bad;
		if (e[1] == ':')
			d->port = service(e + 2);
		else if (e[1] != '\0')
			goto bad;
		return d->port == -1 ? -1 : 0;
	}
	colon = strchr(s, ':');
	if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		d->kind = D_HOST;
		if (sethost(d, s, colon - s, err, errlen) == -1)
			return -1;
		d->port = service(colon + 1);
		return d->port == -1 ? -1 : 0;
	}
	return sethost(d, s, strlen(s), err, errlen);
bad:
	(void)snprintf(err, errlen, "bad address literal");
	return -1;
}

/* What follows "lmtp!": unix!/path or tcp!host!port (RFC 2033, lmtp.c). */
static int
lmtp_dest(const char *s, struct dest *d, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	char			tcp[300];

	if (strncmp(s, "unix!", 5) == 0) {
		memset(d, 0, sizeof(*d));
		s += 5;
		if (*s != '/' || strlen(s) >= sizeof(sun.sun_path) ||
		    strlen(s) >= sizeof(d->host)) {
			(void)snprintf(err, errlen, "lmtp!unix! needs an "
			    "absolute socket path shorter than %zu octets",
			    sizeof(sun.sun_path));
			return -1;
		}
		(void)strlcpy(d->host, s, sizeof(d->host));
		d->kind = D_UNIX;
		d->lmtp = 1;
		return 0;
	}
	if (strncmp(s, "tcp!", 4) == 0 && strchr(s + 4, '!') != NULL) {
		if ((size_t)snprintf(tcp, sizeof(tcp), "%s", s) >= sizeof(tcp)) {
			(void)snprintf(err, errlen, "host name too long");
			return -1;
		}
		if (dest_parse(tcp, d, err, errlen) == -1)
			return -1;
		d->lmtp = 1;
		return 0;
	}
	(void)snprintf(err, errlen, "LMTP needs lmtp!unix!/path or "
	    "lmtp!tcp!host!port");
	return -1;
}

/* One "host": the socket. */
static int
lmtp_unix(const struct dest *d, struct mxlist *l)
{
	struct sockaddr_un	*sun;

	memset(l, 0, sizeof(*l));
	if ((l->v = calloc(1, sizeof(*l->v))) == NULL)
		fatal("calloc");
	l->n = 1;
	(void)strlcpy(l->v[0].name, d->host, sizeof(l->v[0].name));
	sun = (struct sockaddr_un *)&l->v[0].addr;
	sun->sun_family = AF_UNIX;
	(void)strlcpy(sun->sun_path, d->host, sizeof(sun->sun_path));
	l->v[0].addrlen = sizeof(*sun);
	(void)strlcpy(l->ddomain, "localhost", sizeof(l->ddomain));
	return MX_OK;
}

int
dest_parse(const char *s, struct dest *d, char *err, size_t errlen)
{
	const char	*b1, *b2, *slash;
	char		 h[300];

	memset(d, 0, sizeof(*d));
	d->kind = D_MX;
	d->port = 25;
	err[0] = '\0';
	/* a Plan 9 network directory, /net.alt/tcp!..., is meaningless here */
	if (*s == '/' && (b1 = strchr(s, '!')) != NULL) {
		for (slash = b1; slash > s && *slash != '/'; slash--)
			;
		s = slash + 1;
	}
	if (strncmp(s, "lmtp!", 5) == 0)
		return lmtp_dest(s + 5, d, err, errlen);
	if ((b1 = strchr(s, '!')) != NULL) {
		if (strncmp(s, "net!", 4) == 0)
			d->kind = D_MX;
		else if (strncmp(s, "tcp!", 4) == 0)
			d->kind = D_HOST;
		else {
			(void)snprintf(err, errlen, "unsupported network in %s",
			    s);
			return -1;
		}
		b2 = strchr(b1 + 1, '!');
		if (b2 != NULL) {
			if ((d->port = service(b2 + 1)) == -1)
				goto badport;
		} else
			b2 = b1 + strlen(b1);
		if ((size_t)(b2 - b1 - 1) >= sizeof(h)) {
			(void)snprintf(err, errlen, "host name too long");
			return -1;
		}
		memcpy(h, b1 + 1, b2 - b1 - 1);
		h[b2 - b1 - 1] = '\0';
		if (h[0] == '[') {
			if (strchr(h, ']') == NULL || strchr(h, ']')[1] != '\0') {
				(void)snprintf(err, errlen, "bad address literal");
				return -1;
			}
			h[strlen(h) - 1] = '\0';
			return sethost(d, h + 1, strlen(h + 1), err, errlen) == -1 ||
			    d->kind != D_ADDR ? -1 : 0;
		}
		return sethost(d, h, strlen(h), err, errlen);
	}
	if (hostport(s, d, err, errlen) == -1) {
		if (err[0] == '\0')
			goto badport;
		return -1;
	}
	return 0;
badport:
	(void)snprintf(err, errlen, "unknown service in %s", s);
	return -1;
}

static int
literal(const struct dest *d, struct mxlist *l)
{
	struct addrinfo	 hints, *res;
	char		 port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	(void)snprintf(port, sizeof(port), "%d", d->port);
	if (getaddrinfo(d->host, port, &hints, &res) != 0)
		return MX_NXDOMAIN;
	if ((l->v = calloc(1, sizeof(*l->v))) == NULL)
		fatal("calloc");
	l->n = 1;
	(void)strlcpy(l->v[0].name, d->host, sizeof(l->v[0].name));
	memcpy(&l->v[0].addr, res->ai_addr, res->ai_addrlen);
	l->v[0].addrlen = res->ai_addrlen;
	l->v[0].port = d->port;
	/* RFC 5321 4.1.3: the domain of an IPv6 literal is [IPv6:...] */
	(void)snprintf(l->ddomain, sizeof(l->ddomain), "[%s%.240s]",
	    res->ai_family == AF_INET6 ? "IPv6:" : "", d->host);
	freeaddrinfo(res);
	return MX_OK;
}

int
dest_resolve(const struct dest *d, char *const *busted, size_t nbusted,
    struct mxlist *l)
{
	int	rv;

	memset(l, 0, sizeof(*l));
	switch (d->kind) {
	case D_ADDR:
		return literal(d, l);
	case D_UNIX:
		return lmtp_unix(d, l);
	case D_HOST:
		rv = mx_host(d->host, d->port, l);
		break;
	default:
		rv = mx_lookup(d->host, d->port, busted, nbusted, l);
		break;
	}
	if (rv == MX_OK && l->ddomain[0] == '\0')
		(void)strlcpy(l->ddomain, d->host, sizeof(l->ddomain));
	return rv;
}

void
dest_free(const struct dest *d, struct mxlist *l)
{
	if (d->kind == D_ADDR || d->kind == D_UNIX) {
		free(l->v);
		l->v = NULL;
		l->n = 0;
	} else
		mx_free(l);
}

const char *
mxhost_str(const struct mxhost *m)
{
	static char	buf[400];
	char		addr[INET6_ADDRSTRLEN] = "?";
	const void	*a = NULL;

	if (m->addr.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&m->addr)->sin_addr;
	else if (m->addr.ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)&m->addr)->sin6_addr;
	if (m->addr.ss_family == AF_UNIX)
		return m->name;
	if (a != NULL)
		(void)inet_ntop(m->addr.ss_family, a, addr, sizeof(addr));
	(void)snprintf(buf, sizeof(buf), "%s[%s]:%d", m->name, addr, m->port);
	return buf;
}

/* smtp.conf "source": the local address of outgoing connections, per family */
static struct sockaddr_in	src4;
static struct sockaddr_in6	src6;
static int			hassrc4, hassrc6;

/*
 * One numeric address, IPv4 or IPv6 (one of each may be given); 0, or -1
 * and why.  A host with several addresses sends from the one its peers
 * know (SPF, reverse DNS): the kernel's choice may not be it.
 */
int
dial_source(const char *a, char *err, size_t errlen)
{
	if (inet_pton(AF_INET, a, &src4.sin_addr) == 1) {
		src4.sin_family = AF_INET;
		hassrc4 = 1;
		return 0;
	}
	if (inet_pton(AF_INET6, a, &src6.sin6_addr) == 1) {
		src6.sin6_family = AF_INET6;
		hassrc6 = 1;
		return 0;
	}
	(void)snprintf(err, errlen, "source %s: not an IPv4 or IPv6 address",
	    a);
	return -1;
}

/*
 * A non-blocking TCP connection to one address, within timeout seconds,
 * from the source address of its family when one is configured.
 */
int
dial(const struct mxhost *m, int timeout, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	struct pollfd		 pfd;
	socklen_t		 len;
	int			 fd, r, e;

	memcpy(&ss, &m->addr, sizeof(ss));
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(m->port);
	else if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(m->port);
	else if (ss.ss_family != AF_UNIX) {
		(void)snprintf(err, errlen, "%s: no address", m->name);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		(void)snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if ((ss.ss_family == AF_INET && hassrc4 && bind(fd,
	    (struct sockaddr *)&src4, sizeof(src4)) == -1) ||
	    (ss.ss_family == AF_INET6 && hassrc6 && bind(fd,
	    (struct sockaddr *)&src6, sizeof(src6)) == -1)) {
		e = errno;
		(void)snprintf(err, errlen, "bind to source %s for %s: %s",
		    ss.ss_family == AF_INET ? "IPv4" : "IPv6", mxhost_str(m),
		    strerror(e));
		(void)close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, m->addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		e = errno;
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		r = poll(&pfd, 1, timeout * 1000);
	} while (r == -1 && errno == EINTR);
	if (r == 0) {
		e = ETIMEDOUT;
		goto fail;
	}
	len = sizeof(e);
	if (r == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e == 0)
		return fd;
fail:
	(void)snprintf(err, errlen, "connect to %s: %s", mxhost_str(m),
	    strerror(e));
	(void)close(fd);
	return -1;
}
