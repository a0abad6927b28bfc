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
 * Replies.  Every 2yz, 4yz and 5yz reply after the greeting carries an
 * RFC 3463 enhanced code (RFC 2034: not the greeting, not HELO/EHLO, and
 * 3yz has no class).  Replies are buffered; session.c decides when they
 * go out (RFC 2920).
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "session.h"

#define REPLY_MAX	512	/* RFC 5321 4.5.3.1.5, CRLF included */

static void
reply_line(struct session *s, int code, int more, const char *esc,
    const char *text)
{
	char	line[REPLY_MAX];
	size_t	i, n;
	int	r;

	if (esc != NULL && esc[0] != '\0')
		r = snprintf(line, sizeof(line) - 2, "%03d%c%s %s", code,
		    more ? '-' : ' ', esc, text);
	else
		r = snprintf(line, sizeof(line) - 2, "%03d%c%s", code,
		    more ? '-' : ' ', text);
	if (r < 0)
		fatalx("reply: snprintf");
	n = (size_t)r < sizeof(line) - 2 ? (size_t)r : sizeof(line) - 3;
	/* text may quote the client: never let it end our line early */
	for (i = 0; i < n; i++)
		if (line[i] == '\r' || line[i] == '\n' || line[i] == '\0')
			line[i] = ' ';
	io_transcript(s, '>', line, n);
	line[n++] = '\r';
	line[n++] = '\n';
	io_write(s, line, n);
}

void
reply(struct session *s, int code, const char *esc, const char *fmt, ...)
{
	char	text[REPLY_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply_line(s, code, 0, esc, text);
	if (code >= 500)
		s->errors++;
}

/* code-line, code-line, ..., code line: EHLO, HELP */
void
reply_multi(struct session *s, int code, const char *esc, const char **lines,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		reply_line(s, code, i + 1 < n, esc, lines[i]);
	if (code >= 500)
		s->errors++;
}

/* A continuation line before the final one (rules.c: "250-you lie."). */
void
reply_cont(struct session *s, int code, const char *esc, const char *text)
{
	reply_line(s, code, 1, esc, text);
}
