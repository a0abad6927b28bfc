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
 * The client's connection to one server and the I/O on it: the socket or
 * its libtls context, a deadline on every read and write, reply lines
 * read into struct reply, commands written with CRLF, the -d trace.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"

static int
waitfd(int fd, short ev, int ms)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = fd;
	pfd.events = ev;
	pfd.revents = 0;
	if (ms < 0)
		ms = 0;
	do {
		r = poll(&pfd, 1, ms);
	} while (r == -1 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The milliseconds clock of conn_wait(), secs from now. */
long long
conn_deadline(int secs)
{
	return now_ms() + (long long)secs * 1000;
}

/* Until fd is ready for ev (POLLIN, POLLOUT) or the deadline; -1 then. */
int
conn_wait(int fd, short ev, long long end)
{
	return waitfd(fd, ev, end - now_ms());
}

/*
 * After one transfer: 1 when it must be tried again (having waited, up to
 * end, for what TLS or the socket wants), -1 on timeout, 0 when r is the
 * transfer's result.  ev is what a plain socket waits for.
 */
static int
retry(struct conn *c, ssize_t r, short ev, long long end)
{
	if (c->tls != NULL) {
		if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT)
			return 0;
		ev = r == TLS_WANT_POLLIN ? POLLIN : POLLOUT;
	} else if (r != -1 || (errno != EAGAIN && errno != EINTR))
		return 0;
	return waitfd(c->fd, ev, end - now_ms()) == -1 ? -1 : 1;
}

/* Every byte or -1 (errno ETIMEDOUT on the deadline), timeout in seconds. */
int
conn_write(struct conn *c, const void *p, size_t n, int timeout)
{
	long long	 end = now_ms() + (long long)timeout * 1000;
	const char	*b = p;
	ssize_t		 r;
	int		 w;

	while (n > 0) {
		r = c->tls != NULL ? tls_write(c->tls, b, n) :
		    send(c->fd, b, n, MSG_NOSIGNAL);
		if ((w = retry(c, r, POLLOUT, end)) == -1)
			return -1;
		if (w == 1)
			continue;
		if (r == -1) {
			if (c->tls != NULL) {
				log_debug("tls_write: %s", tls_error(c->tls));
				errno = EIO;
			}
			return -1;
		}
		b += r;
		n -= r;
	}
	return 0;
}

/* Some bytes, 0 at end of file, -1 on error or timeout (seconds). */
ssize_t
conn_read(struct conn *c, void *p, size_t n, int timeout)
{
	long long	end = now_ms() + (long long)timeout * 1000;
	ssize_t		r;
	int		w;

	for (;;) {
		r = c->tls != NULL ? tls_read(c->tls, p, n) : read(c->fd, p, n);
		if ((w = retry(c, r, POLLIN, end)) == -1)
			return -1;
		if (w == 1)
			continue;
		if (r == -1 && c->tls != NULL) {
			log_debug("tls_read: %s", tls_error(c->tls));
			errno = EIO;
		}
		return r;
	}
}

void
conn_close(struct conn *c)
{
	if (c->tls != NULL) {
		(void)tls_close(c->tls);
		tls_free(c->tls);
		c->tls = NULL;
	}
	if (c->tlscfg != NULL) {
		tls_config_free(c->tlscfg);
		c->tlscfg = NULL;
	}
	if (c->fd != -1)
		(void)close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
}

/* -d: the dialogue on stderr, one line each way, escaped and cut */
void
conn_trace(struct conn *c, const char *dir, const char *p, size_t n)
{
	char	esc[1100];

	if (!c->dflag)
		return;
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	(void)log_escape(esc, sizeof(esc), p, n > 1000 ? 1000 : n);
	(void)fprintf(stderr, "%s %s%s\n", dir, esc, n > 1000 ? "..." : "");
}

/*
 * One reply line without its CRLF.  -1 and a reason in r->text on a
 * timeout, end of file or a line longer than SMTP_MAXLINE.
 */
static int
getline_(struct conn *c, char *line, size_t *len, time_t end, struct reply *r)
{
	size_t	 n = 0;
	ssize_t	 got;
	int	 left;
	char	 ch;

	for (;;) {
		if (c->rpos == c->rlen) {
			left = (int)(end - time(NULL));
			if (left <= 0 || (got = conn_read(c, c->rbuf,
			    sizeof(c->rbuf), left)) == -1) {
				(void)snprintf(r->text, sizeof(r->text), "%s",
				    left <= 0 || errno == ETIMEDOUT ?
				    "timed out waiting for the server" :
				    "read error from the server");
				return -1;
			}
			if (got == 0) {
				(void)snprintf(r->text, sizeof(r->text),
				    "connection closed unexpectedly by remote "
				    "system");
				return -1;
			}
			c->rpos = 0;
			c->rlen = got;
		}
		ch = c->rbuf[c->rpos++];
		if (ch == '\n')
			break;
		if (n >= SMTP_MAXLINE - 1) {
			(void)snprintf(r->text, sizeof(r->text), "reply line "
			    "longer than %d octets", SMTP_MAXLINE);
			return -1;
		}
		line[n++] = ch;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	*len = n;
	return 0;
}

/* The code of the next reply, -1 if malformed or on a connection error. */
int
conn_reply(struct conn *c, struct reply *r, int timeout)
{
	char	 line[SMTP_MAXLINE];
	size_t	 len;
	time_t	 end = time(NULL) + timeout;
	int	 rv;

	reply_reset(r);
	do {
		if (getline_(c, line, &len, end, r) == -1) {
			r->code = -1;
			r->done = 1;
			r->len = strlen(r->text);
			return -1;
		}
		conn_trace(c, "<-", line, len);
		rv = reply_line(r, line, len);
		if (r->nlines > 100 && !r->done) {
			(void)snprintf(r->text, sizeof(r->text),
			    "reply of more than 100 lines");
			r->code = -1;
			return -1;
		}
	} while (rv == 0);
	return r->code;
}

static int
vconn_printf(struct conn *c, int timeout, const char *fmt, va_list ap)
{
	char	buf[4096];
	int	n;

	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2) {
		errno = EOVERFLOW;
		return -1;
	}
	if (strncasecmp(buf, "AUTH ", 5) == 0 || c->dflag == 2)
		conn_trace(c, "->", "AUTH ...", 8);	/* no secrets in traces */
	else
		conn_trace(c, "->", buf, n);
	memcpy(buf + n, "\r\n", 2);
	return conn_write(c, buf, n + 2, timeout);
}

int
conn_printf(struct conn *c, int timeout, const char *fmt, ...)
{
	va_list	ap;
	int	rv;

	va_start(ap, fmt);
	rv = vconn_printf(c, timeout, fmt, ap);
	va_end(ap);
	return rv;
}

/* A command and its reply; the code, or -1 with the reason in r->text. */
int
conn_cmd(struct conn *c, struct reply *r, int timeout, const char *fmt, ...)
{
	va_list	ap;
	int	rv;

	va_start(ap, fmt);
	rv = vconn_printf(c, timeout, fmt, ap);
	va_end(ap);
	if (rv == -1) {
		reply_reset(r);
		(void)snprintf(r->text, sizeof(r->text), "write to the server "
		    "failed: %s", strerror(errno));
		r->len = strlen(r->text);
		r->code = -1;
		return -1;
	}
	return conn_reply(c, r, timeout);
}
