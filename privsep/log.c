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
 * Logging to syslog(3) (facility mail), stderr and an append-only file, or
 * to a sink function in the sandboxed child, which cannot reach any of them.
 */

#include <sys/types.h>

#include <errno.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINEMAX	2048

static const char	*log_ident = "upas";
static const char	*log_proc = "main";
static int		 log_dest = LOG_TO_STDERR;
static int		 log_verbose;
static int		 log_fd = -1;
static long		 log_pid;	/* of the process writing log_fd */
static char		 log_sid[9];
static char		 log_addr[64];
static void		(*log_sink)(int, const char *);
static int		 log_insink;

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	vlog_errno(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_init(const char *ident, int dest, int verbose)
{
	log_ident = ident;
	log_dest = dest;
	log_verbose = verbose;
	/*
	 * No syslog socket (a container): syslog(3) would try to connect
	 * again for every line; go without it for this process's life.
	 */
	if ((dest & LOG_TO_SYSLOG) && access(_PATH_LOG, W_OK) == -1)
		log_dest = dest & ~LOG_TO_SYSLOG;
	/* LOG_NDELAY: the socket to /dev/log is opened before any chroot */
	if (log_dest & LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	tzset();
}

void
log_setfile(int fd)
{
	log_fd = fd;
	log_pid = (long)getpid();
}

void
log_procinit(const char *name)
{
	if (name != NULL)
		log_proc = name;
}

void
log_setsid(const char *sid)
{
	if (sid == NULL)
		log_sid[0] = '\0';
	else
		(void)snprintf(log_sid, sizeof(log_sid), "%s", sid);
}

const char *
log_getsid(void)
{
	return log_sid;
}

void
log_setaddr(const char *addr)
{
	if (addr == NULL)
		log_addr[0] = '\0';
	else
		(void)snprintf(log_addr, sizeof(log_addr), "%s", addr);
}

const char *
log_getaddr(void)
{
	return log_addr;
}

void
log_setsink(void (*fn)(int, const char *))
{
	log_sink = fn;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

static void
log_tofile(const char *line)
{
	char		 buf[LOG_LINEMAX + 128], ts[32];
	struct tm	 tm;
	time_t		 now;
	int		 n;

	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		(void)snprintf(ts, sizeof(ts), "%lld", (long long)now);
	n = snprintf(buf, sizeof(buf), "%s %s[%ld]: %s\n", ts, log_ident,
	    log_pid, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (write(log_fd, buf, n) != n) {
		/* a log that cannot be written has nowhere to say so */
	}
}

/*
 * A complete line, session id included if any, to wherever logs go.  The
 * parent relays lines from the child here: control characters are replaced
 * so that no line can forge another.
 */
void
log_line(int prio, const char *in)
{
	char	line[LOG_LINEMAX + 16];
	size_t	i;
	int	saved = errno;

	for (i = 0; in[i] != '\0' && i < sizeof(line) - 1; i++)
		line[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ?
		    '?' : in[i];
	line[i] = '\0';

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	if (log_sink != NULL) {
		if (!log_insink) {
			log_insink = 1;
			log_sink(prio, line);
			log_insink = 0;
		}
		errno = saved;
		return;
	}
	if (log_dest & LOG_TO_SYSLOG)
		syslog(prio, "%s", line);
	if (log_dest & LOG_TO_STDERR)
		/* a terminal's reader knows the command, not the log ident */
		(void)fprintf(stderr, "%s: %s\n", getprogname(), line);
	if (log_fd != -1)
		log_tofile(line);
	errno = saved;
}

static void
vlog_errno(int prio, int err, const char *fmt, va_list ap)
{
	char	line[LOG_LINEMAX + 128], msg[LOG_LINEMAX];	/* sid, addr, msg */

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0) {
		size_t	l = strlen(msg);

		(void)snprintf(msg + l, sizeof(msg) - l, ": %s",
		    strerror(err));
	}
	if (log_sid[0] != '\0' && log_addr[0] != '\0')
		(void)snprintf(line, sizeof(line), "%s addr=%s %s", log_sid,
		    log_addr, msg);
	else if (log_sid[0] != '\0')
		(void)snprintf(line, sizeof(line), "%s %s", log_sid, msg);
	else if (log_addr[0] != '\0')
		(void)snprintf(line, sizeof(line), "addr=%s %s", log_addr, msg);
	else
		(void)snprintf(line, sizeof(line), "%s", msg);
	log_line(prio, line);
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	vlog_errno(prio, 0, fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 2, 0)))
vfatal(int err, const char *fmt, va_list ap)
{
	char	msg[LOG_LINEMAX];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0)
		log_warnx("fatal in %s: %s: %s", log_proc, msg, strerror(err));
	else
		log_warnx("fatal in %s: %s", log_proc, msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vfatal(saved, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfatal(0, fmt, ap);
}

/*
 * Escape untrusted text for a log line.  An escape sequence is never cut in
 * half: what does not fit is dropped whole.
 */
char *
log_escape(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0, n;
	char			 e[5];
	unsigned char		 c;

	if (dstsize == 0)
		return dst;
	for (i = 0; src != NULL && i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = c;
			n = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 0xf];
			n = 4;
		} else {
			e[0] = c;
			n = 1;
		}
		if (n >= dstsize - o)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}
