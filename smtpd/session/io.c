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
 * All network I/O of the session, in the clear or through tls.c.  Input
 * is read into s->ibuf and cut into lines that end only at CRLF: a bare
 * CR, a bare LF or a NUL is kept in the line and flagged, never taken as
 * a line end (RFC 5321 2.3.8, and the SMTP smuggling of 2023).  Output is
 * buffered in s->obuf and flushed before we block on input or when
 * session.c says so (RFC 2920).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

static long long
now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The deadline of a read or write that may wait secs seconds: never past
 * the session's deadline (sessiontimeout) nor, inside DATA or a BDAT
 * transaction, the message's (messagetimeout), so that a peer trickling
 * an octet at a time cannot hold the session beyond them.
 */
static long long
io_deadline(struct session *s, int secs)
{
	long long	d;

	if (secs <= 0)
		secs = 300;
	d = now_ms() + (long long)secs * 1000;
	if (s->sessend > 0 && s->sessend < d)
		d = s->sessend;
	if (s->msgend > 0 && s->msgend < d)
		d = s->msgend;
	return d;
}

/* Start the session's clock (0) or the message's (1). */
void
io_clock(struct session *s, int msg)
{
	if (msg)
		s->msgend = now_ms() + (long long)s->conf->messagetimeout * 1000;
	else
		s->sessend = now_ms() + (long long)s->conf->sessiontimeout * 1000;
}

/*
 * Which deadline ended a read: "session", "message" or NULL (timeout).
 * A second's slack: tls.c waits in whole seconds (io_secs()), so a TLS
 * read capped by a deadline may give up just before it.
 */
const char *
io_expired(struct session *s)
{
	long long	now = now_ms() + 1000;

	if (s->sessend > 0 && now >= s->sessend)
		return "session";
	if (s->msgend > 0 && now >= s->msgend)
		return "message";
	return NULL;
}

/*
 * Socket timeouts as a backstop for a read or write that blocks in spite
 * of poll (a TLS record that never completes).  setsockopt(2) is not in
 * the child's sandbox: C's main calls this before sandbox_child().
 */
void
io_init(struct session *s)
{
	struct timeval	tv;
	int		type, secs;
	socklen_t	len = sizeof(type);

	secs = s->conf->timeout > s->conf->datatimeout ?
	    s->conf->timeout : s->conf->datatimeout;
	if (secs <= 0)
		secs = 300;
	memset(&tv, 0, sizeof(tv));
	tv.tv_sec = secs + 30;
	if (getsockopt(s->infd, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
		(void)setsockopt(s->infd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv));
	len = sizeof(type);
	if (getsockopt(s->outfd, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
		(void)setsockopt(s->outfd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv));
}

/* -d: one line of the transcript, "< " in, "> " out, escaped. */
void
io_transcript(struct session *s, int dir, const char *line, size_t len)
{
	char	buf[SMTP_LINEMAX * 4 + 8];
	size_t	n;

	if (s->dbgfd < 0)
		return;
	buf[0] = dir;
	buf[1] = ' ';
	if (dir == '<' && s->dbgmask)
		(void)strlcpy(buf + 2, "***", sizeof(buf) - 2);
	else if (dir == '<' && len > 5 && strncasecmp(line, "AUTH ", 5) == 0) {
		/* the mechanism, never the initial response */
		n = strcspn(line + 5, " ");
		if (n > 32 || 5 + n > len)
			n = 0;
		log_escape(buf + 2, sizeof(buf) - 8, line, 5 + n);
		if (5 + n < len)
			(void)strlcat(buf, " ***", sizeof(buf));
	} else
		log_escape(buf + 2, sizeof(buf) - 2, line, len);
	n = strlen(buf);
	buf[n++] = '\n';
	/* the transcript is a debugging aid: a failed write ends it, not the session */
	if (write(s->dbgfd, buf, n) != (ssize_t)n)
		s->dbgfd = -1;
}

int
io_pending(struct session *s)
{
	if (s->iend > s->ibeg)
		return (int)(s->iend - s->ibeg);
	return s->tls != NULL && tls_pending(s) ? 1 : 0;
}

/*
 * poll(2) on fd for events, and on the socketpair to the parent beside
 * it: when the parent is gone the session ends at once, whatever the
 * client does.  Linux's PR_SET_PDEATHSIG (sandbox_child) is one way;
 * FreeBSD clears procctl(2)'s PROC_PDEATHSIG_CTL at the uid change,
 * OpenBSD has nothing like it, and the parent, under another uid, may
 * not kill(2) us: it shuts the socketpair down instead (parent_kill).
 * The hang-up or end of file on the socketpair is what every system
 * reports.  The parent never speaks first, so a message waiting there
 * is left to the reader of the next answer.  poll's result for fd.
 */
int
io_poll(struct session *s, int fd, short events, int ms)
{
	struct pollfd	pfd[2];
	ssize_t		n;
	char		c;
	int		r;

	pfd[0].fd = fd;
	pfd[0].events = events;
	pfd[1].fd = s->psfd;
	pfd[1].events = POLLIN;
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		if ((r = poll(pfd, 2, ms)) <= 0)
			return r;
		if (pfd[1].revents & (POLLHUP | POLLERR | POLLNVAL))
			_exit(1);	/* nobody left to log to */
		if (pfd[1].revents & POLLIN) {
			n = recv(s->psfd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR))
				_exit(1);
			if (n > 0)
				pfd[1].fd = -1;
		}
		if (pfd[0].revents != 0)
			return 1;
	}
}

/* Input within ms milliseconds?  For the early-talker trap. */
int
io_wait(struct session *s, int ms)
{
	int	r;

	if (io_pending(s))
		return 1;
	do {
		r = io_poll(s, s->infd, POLLIN, ms);
	} while (r == -1 && errno == EINTR);
	return r > 0;
}

/* Refill the empty input buffer, waiting until the deadline at most. */
static int
io_fill(struct session *s, long long deadline)
{
	ssize_t		n;
	long long	left;
	int		r;

	s->ibeg = s->iend = 0;
	if (io_flush(s) == -1)
		return IO_ERROR;
	for (;;) {
		if (s->tls == NULL || !tls_pending(s)) {
			if ((left = deadline - now_ms()) <= 0)
				return IO_TIMEOUT;
			r = io_poll(s, s->infd, POLLIN,
			    left > 3600000 ? 3600000 : (int)left);
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return IO_ERROR;
			if (r == 0)
				continue;	/* the deadline is checked above */
		}
		if (s->tls != NULL)
			n = tls_read(s, s->ibuf, sizeof(s->ibuf));
		else
			n = read(s->infd, s->ibuf, sizeof(s->ibuf));
		if (n > 0) {
			s->iend = (size_t)n;
			return IO_LINE;
		}
		if (n == 0)
			return IO_EOF;
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			continue;
		if (errno == ETIMEDOUT)
			return IO_TIMEOUT;
		return IO_ERROR;
	}
}

/*
 * The one rule for lines, in commands, DATA and BDAT chunks: only CRLF
 * ends one.  Octets past size - 1 are dropped and flagged IO_LONG; bare
 * CR, bare LF and NUL are kept and flagged IO_BARE.  Returns 1 when c
 * ended the line (the caller resets len, flags), else 0.
 */
int
io_octet(struct linecut *l, char c)
{
	if (l->cr) {
		l->cr = 0;
		if (c == '\n')
			return 1;
		l->flags |= IO_BARE;
		if (l->len + 1 < l->size)
			l->buf[l->len++] = '\r';
		else
			l->flags |= IO_LONG;
	}
	if (c == '\r') {
		l->cr = 1;
		return 0;
	}
	if (c == '\n' || c == '\0')
		l->flags |= IO_BARE;
	if (l->len + 1 < l->size)
		l->buf[l->len++] = c;
	else
		l->flags |= IO_LONG;
	return 0;
}

/*
 * One line ended by CRLF into buf (NUL-terminated, without the CRLF),
 * waiting secs seconds for it at most, cut by io_octet().  Returns
 * IO_LINE | flags, IO_EOF, IO_ERROR or IO_TIMEOUT.
 */
int
io_getline(struct session *s, char *buf, size_t size, int secs, size_t *lenp)
{
	struct linecut	l = { buf, size, 0, IO_LINE, 0 };
	long long	deadline = io_deadline(s, secs);
	int		r;

	for (;;) {
		if (s->ibeg == s->iend && (r = io_fill(s, deadline)) <= 0)
			return r;
		if (io_octet(&l, s->ibuf[s->ibeg++]))
			break;
	}
	buf[l.len] = '\0';
	*lenp = l.len;
	io_transcript(s, '<', buf, l.len);
	return l.flags;
}

/*
 * BDAT (RFC 3030): up to want octets of a chunk as they come, raw, from
 * the input buffer (*p points into it, until the next call), waiting
 * secs seconds at most.  Returns IO_LINE, IO_EOF, IO_ERROR or IO_TIMEOUT.
 */
int
io_getchunk(struct session *s, size_t want, int secs, const char **p,
    size_t *lenp)
{
	size_t	n;
	int	r;

	if (s->ibeg == s->iend && (r = io_fill(s, io_deadline(s, secs))) <= 0)
		return r;
	n = s->iend - s->ibeg;
	if (n > want)
		n = want;
	*p = s->ibuf + s->ibeg;
	*lenp = n;
	s->ibeg += n;
	return IO_LINE;
}

int
io_write(struct session *s, const void *buf, size_t len)
{
	const char	*p = buf;
	size_t		 n;

	while (len > 0) {
		if (s->olen == sizeof(s->obuf) && io_flush(s) == -1)
			return -1;
		n = sizeof(s->obuf) - s->olen;
		if (n > len)
			n = len;
		memcpy(s->obuf + s->olen, p, n);
		s->olen += n;
		p += n;
		len -= n;
	}
	return 0;
}

static ssize_t
io_send(struct session *s, const char *p, size_t len)
{
	ssize_t		n;
	long long	deadline = io_deadline(s, s->conf->timeout), left;
	int		r, sock = 1;

	if (s->tls != NULL)
		return tls_write(s, p, len);
	for (;;) {
		/* room in the socket buffer, the usual case: no poll first */
		if (sock) {
			n = send(s->outfd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n >= 0)
				return n;
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK)
				sock = 0;	/* a pipe: poll, then write */
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
		}
		if ((left = deadline - now_ms()) <= 0)
			return -1;
		r = io_poll(s, s->outfd, POLLOUT,
		    left > 3600000 ? 3600000 : (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (sock)
			continue;
		n = write(s->outfd, p, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		return n;
	}
}

/*
 * Send what is buffered.  The peer going away or not reading ends the
 * session here: there is nobody left to reply to.
 */
int
io_flush(struct session *s)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < s->olen) {
		if ((n = io_send(s, s->obuf + off, s->olen - off)) <= 0) {
			s->olen = 0;
			session_exit(s, "write-error");
		}
		off += (size_t)n;
	}
	s->olen = 0;
	return 0;
}
