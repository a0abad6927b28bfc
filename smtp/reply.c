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
 * Server replies (RFC 5321 4.2) and EHLO capabilities.  No I/O here: the
 * reader in conn.c hands over one line at a time, without its CRLF, so
 * that this can be fuzzed on its own.
 */

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp.h"

void
reply_reset(struct reply *r)
{
	r->code = 0;
	r->done = 0;
	r->nlines = 0;
	r->len = 0;
	r->text[0] = '\0';
}

static void
reply_append(struct reply *r, const char *s, size_t n)
{
	size_t	room;

	/* a reply longer than the buffer keeps its head; the code is what counts */
	if (r->len + 1 >= sizeof(r->text))
		return;
	if (r->nlines > 0)
		r->text[r->len++] = '\n';
	room = sizeof(r->text) - r->len - 1;
	if (n > room)
		n = room;
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

/*
 * One line of a reply.  Every line must start with the same three digits
 * followed by '-' (more follow), ' ' or the end of the line (last line).
 * Anything else makes the whole reply malformed: code -1, which the client
 * treats as Retry.  Control characters are replaced so the text can be
 * printed and logged.
 */
int
reply_line(struct reply *r, const char *line, size_t len)
{
	char	 tmp[SMTP_MAXLINE];
	int	 code, last;
	size_t	 i, n;

	if (r->done)
		return -1;
	if (len < 3 || !isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) || !isdigit((unsigned char)line[2]) ||
	    line[0] < '2' || line[0] > '5')
		goto bad;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3 || line[3] == ' ')
		last = 1;
	else if (line[3] == '-')
		last = 0;
	else
		goto bad;
	if (r->nlines > 0 && code != r->code)
		goto bad;
	r->code = code;
	n = len < sizeof(tmp) ? len : sizeof(tmp) - 1;
	for (i = 0; i < n; i++)
		tmp[i] = (line[i] >= 0x20 && line[i] != 0x7f) ? line[i] : '?';
	reply_append(r, tmp, n);
	r->nlines++;
	if (last)
		r->done = 1;
	return r->done;
bad:
	n = len < 80 ? len : 80;
	for (i = 0; i < n; i++)
		tmp[i] = (line[i] >= 0x20 && line[i] != 0x7f) ? line[i] : '?';
	reply_append(r, "malformed reply: ", 17);
	r->text[r->len] = '\0';
	if (r->len + n < sizeof(r->text)) {
		memcpy(r->text + r->len, tmp, n);
		r->len += n;
		r->text[r->len] = '\0';
	}
	r->code = -1;
	r->done = 1;
	return -1;
}

const char *
reply_last(const struct reply *r)
{
	const char	*p;

	if ((p = strrchr(r->text, '\n')) != NULL)
		return p + 1;
	return r->text;
}

static int
keyword(const char *line, size_t len, const char *kw, const char **arg)
{
	size_t	n = strlen(kw);

	if (len < n || strncasecmp(line, kw, n) != 0)
		return 0;
	if (len == n) {
		*arg = line + n;
		return 1;
	}
	if (line[n] != ' ' && line[n] != '=')
		return 0;
	*arg = line + n + 1;
	return 1;
}

static int
authmechs(const char *s)
{
	char	 w[32];
	size_t	 n;
	int	 m = 0;

	while (*s != '\0' && *s != '\n') {
		while (*s == ' ')
			s++;
		for (n = 0; s[n] != '\0' && s[n] != ' ' && s[n] != '\n'; n++)
			;
		if (n > 0 && n < sizeof(w)) {
			memcpy(w, s, n);
			w[n] = '\0';
			if (strcasecmp(w, "PLAIN") == 0)
				m |= AUTH_PLAIN;
			else if (strcasecmp(w, "LOGIN") == 0)
				m |= AUTH_LOGIN;
			else if (strcasecmp(w, "CRAM-MD5") == 0)
				m |= AUTH_CRAMMD5;
		}
		s += n;
	}
	return m;
}

/*
 * The argument of SIZE (RFC 1870 4): digits up to the end of this line
 * only.  A bare "SIZE" or "SIZE 0" announces no fixed limit; anything else
 * that is not a plain decimal number is taken as no limit too, rather
 * than read on into the next line (whose "250" is no size).
 */
static unsigned long long
sizearg(const char *arg, size_t len)
{
	unsigned long long	 v = 0;
	size_t			 i;

	for (i = 0; i < len && arg[i] == ' '; i++)
		;
	if (i == len)
		return 0;
	for (; i < len && arg[i] != ' '; i++) {
		if (!isdigit((unsigned char)arg[i]))
			return 0;
		if (v > (ULLONG_MAX - 9) / 10)
			return 0;
		v = v * 10 + (arg[i] - '0');
	}
	return v;
}

/* Capabilities from a 250 reply to EHLO; the first line is the greeting. */
void
caps_parse(struct caps *c, const struct reply *r)
{
	const char	*line, *nl, *arg;
	size_t		 len;

	memset(c, 0, sizeof(*c));
	if (r->code != 250)
		return;
	line = strchr(r->text, '\n');
	while (line != NULL) {
		line++;
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (len > 4) {
			const char *l = line + 4;
			size_t ll = len - 4;

			if (keyword(l, ll, "STARTTLS", &arg))
				c->flags |= CAP_STARTTLS;
			else if (keyword(l, ll, "PIPELINING", &arg))
				c->flags |= CAP_PIPELINING;
			else if (keyword(l, ll, "8BITMIME", &arg))
				c->flags |= CAP_8BITMIME;
			else if (keyword(l, ll, "SMTPUTF8", &arg))
				c->flags |= CAP_SMTPUTF8;
			else if (keyword(l, ll, "ENHANCEDSTATUSCODES", &arg))
				c->flags |= CAP_ENHANCED;
			else if (keyword(l, ll, "DSN", &arg))
				c->flags |= CAP_DSN;
			else if (keyword(l, ll, "SIZE", &arg)) {
				c->flags |= CAP_SIZE;
				c->size = sizearg(arg, ll - (arg - l));
			} else if (keyword(l, ll, "AUTH", &arg)) {
				c->flags |= CAP_AUTH;
				c->auth |= authmechs(arg);
			}
		}
		line = nl;
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t	 ncap;
	char	*np;

	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			abort();
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
