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
 * Addresses as upas writes them, made RFC 5321/5322 ones: %%XX escapes
 * undone, bang paths turned around, unqualified names and addresses
 * given a domain, in the envelope and in header fields' address lists.
 * No I/O here; fuzzed through rfc822.c.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* upas/send's %%XX escapes; 9F leaves 8-bit and NUL results escaped */
void
unescape(char *s)
{
	char	*d = s;
	int	 h, l;

	while (*s != '\0') {
		if (s[0] == '%' && s[1] == '%' && s[2] != '\0' && s[3] != '\0' &&
		    (h = hexval((unsigned char)s[2])) != -1 &&
		    (l = hexval((unsigned char)s[3])) != -1 && h < 8 &&
		    (h | l) != 0) {
			*d++ = h * 16 + l;
			s += 4;
		} else
			*d++ = *s++;
	}
	*d = '\0';
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

/*
 * Bang path to RFC 5321 form: the leading fields that contain a
 * dot, never counting the last, are hops; the last of them is the domain
 * and the fields after it the local part.  Plan 9 wrote the earlier hops
 * as a source route; RFC 5321 Appendix C says to ignore routes and use the
 * final destination, so they are dropped: a.x!b.y!c!u gives c!u@b.y,
 * example.com!user gives user@example.com, host!user stays as it is.
 */
char *
bangtoat(const char *a)
{
	const char	*f, *bang, *dom = NULL, *rest = a;
	char		*r;
	size_t		 dlen = 0;

	/* RFC 1123 5.2.16: in a!b@c the '@' binds first, it is at c already */
	if (strchr(a, '@') != NULL)
		return xstrdup(a);
	for (f = a; (bang = strchr(f, '!')) != NULL; f = bang + 1) {
		if (bang == f || memchr(f, '.', bang - f) == NULL)
			break;
		dom = f;
		dlen = bang - f;
		rest = bang + 1;
	}
	if (dom == NULL || *rest == '\0')
		return xstrdup(a);
	if (asprintf(&r, "%s@%.*s", rest, (int)dlen, dom) == -1)
		abort();
	return r;
}

char *
domainify(const char *name, const char *domain)
{
	const char	*dot;
	char		*r;

	if (domain == NULL || *domain == '\0' || strchr(name, '.') != NULL)
		return xstrdup(name);
	dot = strchr(domain, '.');
	if (asprintf(&r, "%s%s%s", name, dot ? "" : ".",
	    dot ? dot : domain) == -1)
		abort();
	return r;
}

/* bang path converted, then @domain added when there is no domain */
char *
qualify(const char *addr, const char *domain)
{
	char	*a, *r;

	a = bangtoat(addr);
	if (strchr(a, '@') != NULL || *a == '\0' || domain == NULL ||
	    *domain == '\0')
		return a;
	if (asprintf(&r, "%s@%s", a, domain) == -1)
		abort();
	free(a);
	return r;
}

/* Replace one address word [s, e) of a field value with its qualified form. */
static void
addword(struct buf *o, const char *s, const char *e, const char *dom)
{
	char	*w, *q, *colon;

	if (e <= s)
		return;
	if ((w = strndup(s, e - s)) == NULL)
		abort();
	/* no source routes (RFC 5321 Appendix C): keep what follows the ':' */
	if (w[0] == '@' && (colon = strchr(w, ':')) != NULL)
		memmove(w, colon + 1, strlen(colon + 1) + 1);
	q = qualify(w, dom);
	buf_addstr(o, q);
	free(q);
	free(w);
}

/* Skip a quoted string or (nested) comment starting at p. */
static const char *
skipspecial(const char *p, const char *end)
{
	int	depth = 0;
	char	open = *p;

	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (open == '"' && *p == '"')
			return p + 1;
		else if (open == '(' && *p == '(')
			depth++;
		else if (open == '(' && *p == ')' && depth-- == 0)
			return p + 1;
	}
	return end;
}

/*
 * One element of an address list, [s, e): "phrase <addr>", "addr (comment)"
 * or a group's "name:" prefix.  Unqualified addresses get the domain.
 */
static void
addrelem(struct buf *o, const char *s, const char *e, const char *dom)
{
	const char	*p, *lt = NULL, *gt = NULL, *ws, *we;

	for (p = s; p < e; ) {
		if (*p == '"' || *p == '(')
			p = skipspecial(p, e);
		else if (*p == '<' && lt == NULL) {
			lt = p++;
			while (p < e && *p != '>')
				p++;
			gt = p;
		} else
			p++;
	}
	if (lt != NULL) {
		buf_add(o, s, lt + 1 - s);
		ws = lt + 1;
		while (ws < gt && (*ws == ' ' || *ws == '\t'))
			ws++;
		we = gt;
		while (we > ws && (we[-1] == ' ' || we[-1] == '\t'))
			we--;
		if (we > ws)
			addword(o, ws, we, dom);
		buf_add(o, gt, e - gt);
		return;
	}
	/* bare addr-spec: the first run of non-blank text outside comments */
	for (ws = s; ws < e; ) {
		if (*ws == '(')
			ws = skipspecial(ws, e);
		else if (isspace((unsigned char)*ws))
			ws++;
		else
			break;
	}
	for (we = ws; we < e && !isspace((unsigned char)*we) && *we != '('; ) {
		if (*we == '"')
			we = skipspecial(we, e);
		else
			we++;
	}
	buf_add(o, s, ws - s);
	addword(o, ws, we, dom);
	buf_add(o, we, e - we);
}

/*
 * A header field's address list, [s, e), with each unqualified address
 * given the domain; phrases, comments and group names as they were.
 */
void
qualify_list(struct buf *o, const char *s, const char *e, const char *dom)
{
	const char	*p, *el = s;
	int		 inangle = 0;

	for (p = s; p < e; ) {
		if (*p == '"' || *p == '(') {
			p = skipspecial(p, e);
			continue;
		}
		if (*p == '<')
			inangle = 1;
		else if (*p == '>')
			inangle = 0;
		else if (!inangle && (*p == ',' || *p == ';' || *p == ':')) {
			if (*p == ':')	/* group name: a phrase, untouched */
				buf_add(o, el, p - el);
			else
				addrelem(o, el, p, dom);
			buf_add(o, p, 1);
			el = ++p;
			continue;
		}
		p++;
	}
	addrelem(o, el, e, dom);
}
