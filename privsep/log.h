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

#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Logging: syslog(3) facility mail, plus an optional copy to a file or
 * stderr.  Every line after log_setsid() starts with the 8-hex session id.
 * A process that cannot reach syslog (the sandboxed child) installs a sink
 * with log_setsink(); lines then go to it instead (the child forwards them
 * to the parent over the socketpair).
 */

#define LOG_TO_SYSLOG	0x1
#define LOG_TO_STDERR	0x2

void	log_init(const char *, int, int);	/* ident, LOG_TO_*, verbose */
void	log_setfile(int);			/* append copies to this fd (-1 none) */
void	log_procinit(const char *);		/* "parent" | "session" | ... */
void	log_setsid(const char *);		/* 8 hex chars */
const char *log_getsid(void);
/*
 * The client's address: every line after it, up to log_setaddr(NULL),
 * has "addr=<address>" right after the session id, so a log tool can
 * tie each line of a session, from connect to disconnect, to the client.
 */
void	log_setaddr(const char *);
const char *log_getaddr(void);
void	log_setsink(void (*)(int, const char *));
void	log_setverbose(int);
void	log_line(int, const char *);		/* prio, preformatted line */

void	log_warn(const char *, ...)  __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...)  __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)     __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)    __attribute__((format(printf, 1, 2), noreturn));

/* Copy untrusted text for a log line: non-printables become \xHH, quotes and
 * backslashes are escaped, the result is always NUL-terminated and truncated
 * to fit.  Returns dst. */
char	*log_escape(char *, size_t, const char *, size_t);

#endif /* LOG_H */
