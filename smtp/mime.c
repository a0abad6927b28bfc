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
 * MIME re-encoding of a message as it goes on the wire (CRLF, dot-stuffed).
 * RFC 6152 3: a relay that meets a server without 8BITMIME must make an
 * 8-bit message 7-bit or bounce it; RFC 5321 4.5.3.1.6: a line is at most
 * 998 octets and must not be cut.  Each discrete MIME part that needs it
 * is re-encoded as quoted-printable (RFC 2045 6.7), inside multiparts and
 * message/rfc822 parts too (RFC 2046 5: those may not be encoded
 * themselves, their parts are).  Nothing else changes.  No I/O; fuzzed.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp.h"
#include "text.h"

#define LINEMAX		998	/* RFC 5322 2.1.1, without CRLF */
#define MAXDEPTH	16	/* nested multiparts: more is an attack */

struct ent {
	const char	*h, *he;	/* header lines, each ending in '\n' */
	const char	*b, *be;	/* body */
};

static int	entity(struct buf *, const char *, const char *, int, int,
		    int, char *, size_t);

int
utf8_valid(const unsigned char *p, const unsigned char *end)
{
	int	n;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return 0;
		if (end - p <= n)
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* Quoted-printable (RFC 2045 6.7) of LF-ended lines, LF-ended lines out. */
void
qp_encode(struct buf *o, const char *p, const char *end)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*nl;
	char			 e[3];
	size_t			 col, n;
	unsigned char		 c;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		for (col = 0; p < nl; p++) {
			c = *p;
			if ((c >= 33 && c <= 126 && c != '=') ||
			    ((c == ' ' || c == '\t') && p + 1 < nl)) {
				e[0] = c;
				n = 1;
			} else {
				e[0] = '=';
				e[1] = hex[c >> 4];
				e[2] = hex[c & 15];
				n = 3;
			}
			if (col + n > 75) {
				buf_add(o, "=\n", 2);
				col = 0;
			}
			buf_add(o, e, n);
			col += n;
		}
		buf_add(o, "\n", 1);
		p = nl + 1;
	}
}

static size_t
longest(const char *p, const char *end)
{
	const char	*nl;
	size_t		 max = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if ((size_t)(nl - p) > max)
			max = nl - p;
	}
	return max;
}

/* a header field line (RFC 5322 2.2: name ':'), or its continuation */
static int
fieldline(const char *p, const char *nl, int first)
{
	const char	*s;

	if (*p == ' ' || *p == '\t')
		return !first;
	for (s = p; s < nl && *s >= 33 && *s <= 126 && *s != ':'; s++)
		;
	return s > p && s < nl && *s == ':';
}

/*
 * The header is up to the first empty line, or the first line that is no
 * field (the body then starts there, as in rfc822.c); a part may have none.
 */
static void
split(const char *p, const char *end, struct ent *e)
{
	const char	*nl;

	e->h = p;
	for (; p < end; p = nl + 1) {
		if (*p == '\n') {
			e->he = p;
			e->b = p + 1;
			e->be = end;
			return;
		}
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (!fieldline(p, nl, p == e->h)) {
			e->he = e->b = p;
			e->be = end;
			return;
		}
	}
	e->he = e->b = e->be = end;
}

/* the field called name, unfolded up to its end: 0 and v/ve, else -1 */
static int
field(const struct ent *e, const char *name, const char **v, const char **ve)
{
	const char	*p, *nl;
	size_t		 n = strlen(name);

	for (p = e->h; p < e->he; p = nl + 1) {
		if ((nl = memchr(p, '\n', e->he - p)) == NULL)
			nl = e->he;
		if ((size_t)(nl - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			*v = p + n + 1;
			while (nl + 1 < e->he && (nl[1] == ' ' || nl[1] == '\t'))
				if ((nl = memchr(nl + 1, '\n', e->he - nl - 1)) ==
				    NULL)
					nl = e->he;
			*ve = nl;
			return 0;
		}
	}
	return -1;
}

/* the first token of a field (the type, the encoding), lower case */
static void
token(const struct ent *e, const char *name, char *t, size_t tlen)
{
	const char	*v, *ve;
	size_t		 n = 0;

	t[0] = '\0';
	if (field(e, name, &v, &ve) == -1)
		return;
	while (v < ve && isspace((unsigned char)*v))
		v++;
	while (v < ve && n + 1 < tlen && !isspace((unsigned char)*v) &&
	    *v != ';' && *v != '(')
		t[n++] = tolower((unsigned char)*v++);
	t[n] = '\0';
}

/* Content-Type's boundary parameter (RFC 2046 5.1.1: 1 to 70 chars) */
static int
boundary(const struct ent *e, char *b, size_t blen)
{
	const char	*v, *ve, *s;
	size_t		 n = 0;

	if (field(e, "content-type", &v, &ve) == -1)
		return -1;
	for (s = v; s + 9 <= ve; s++)
		if (strncasecmp(s, "boundary=", 9) == 0 && (s == v ||
		    s[-1] == ';' || isspace((unsigned char)s[-1])))
			break;
	if (s + 9 > ve)
		return -1;
	s += 9;
	if (*s == '"') {
		for (s++; s < ve && *s != '"' && n + 1 < blen; s++)
			b[n++] = *s;
	} else
		for (; s < ve && n + 1 < blen && !isspace((unsigned char)*s) &&
		    *s != ';'; s++)
			b[n++] = *s;
	b[n] = '\0';
	return n == 0 || n > 70 ? -1 : 0;
}

/* the header, without the fields called skip (NULL: none) */
static void
puthdr(struct buf *o, const struct ent *e, const char *skip)
{
	const char	*p, *nl;
	size_t		 n = skip != NULL ? strlen(skip) : 0;
	int		 drop = 0;

	for (p = e->h; p < e->he; p = nl + 1) {
		if ((nl = memchr(p, '\n', e->he - p)) == NULL)
			nl = e->he - 1;
		if (*p != ' ' && *p != '\t')
			drop = skip != NULL && (size_t)(nl - p) > n &&
			    p[n] == ':' && strncasecmp(p, skip, n) == 0;
		if (!drop)
			buf_add(o, p, nl + 1 - p);
	}
}

/* a delimiter line "--b" or "--b--" (RFC 2046 5.1.1), blanks after it */
static int
delim(const char *p, const char *nl, const char *b, size_t blen)
{
	if (nl - p < (long)blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen) != 0)
		return 0;
	p += blen + 2;
	if (nl - p >= 2 && p[0] == '-' && p[1] == '-') {
		p += 2;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		return p == nl ? 2 : 0;
	}
	while (p < nl && (*p == ' ' || *p == '\t'))
		p++;
	return p == nl ? 1 : 0;
}

/*
 * Text that no reader shows (preamble, epilogue, RFC 2046 5.1.1): 8-bit
 * bytes become '?' and lines too long to send are left out.
 */
static void
putfiller(struct buf *o, const char *p, const char *end, int want7)
{
	const char	*nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl - p > LINEMAX)
			continue;
		for (; p < nl; p++)
			buf_add(o, want7 && (unsigned char)*p >= 0x80 ? "?" :
			    p, 1);
		buf_add(o, "\n", 1);
	}
}

static int
multipart(struct buf *o, const struct ent *e, int want7, int depth,
    char *err, size_t errlen)
{
	char		 b[80];
	const char	*p, *nl, *part = NULL;
	size_t		 blen;
	int		 d = 0;

	if (boundary(e, b, sizeof(b)) == -1) {
		(void)snprintf(err, errlen, "multipart without a usable "
		    "boundary");
		return -1;
	}
	blen = strlen(b);
	/* its parts are 7-bit now if need be: so is it (RFC 2045 6.4) */
	puthdr(o, e, want7 ? "content-transfer-encoding" : NULL);
	buf_add(o, "\n", 1);
	for (p = e->b; p < e->be; p = nl + 1) {
		if ((nl = memchr(p, '\n', e->be - p)) == NULL)
			nl = e->be;
		if ((d = delim(p, nl, b, blen)) == 0)
			continue;
		/*
		 * The line end before a delimiter belongs to it (RFC 2046
		 * 5.1.1); a part is re-encoded with it, and quoted-printable
		 * keeps it as the last line end, so nothing is added.
		 */
		if (part == NULL)
			putfiller(o, e->b, p, want7);
		else if (entity(o, part, p, want7, 0, depth + 1, err,
		    errlen) == -1)
			return -1;
		/* the delimiter itself, without the blanks it may have had */
		buf_add(o, "--", 2);
		buf_add(o, b, blen);
		buf_addstr(o, d == 2 ? "--\n" : "\n");
		part = nl < e->be ? nl + 1 : nl;
		if (d == 2)
			break;
	}
	if (part == NULL) {
		(void)snprintf(err, errlen, "multipart without its boundary");
		return -1;
	}
	if (d == 2) {
		putfiller(o, part, e->be, want7);
		return 0;
	}
	/* no closing delimiter: the last part runs to the end */
	return entity(o, part, e->be, want7, 0, depth + 1, err, errlen);
}

/*
 * One entity, its header and body from p to end, LF line ends, no dot
 * stuffing; top: the message itself, which may lack MIME-Version.
 */
static int
entity(struct buf *o, const char *p, const char *end, int want7, int top,
    int depth, char *err, size_t errlen)
{
	struct ent	 e;
	const char	*v, *ve;
	char		 ct[128], cte[64];
	int		 eight, longl;

	if (depth > MAXDEPTH) {
		(void)snprintf(err, errlen, "MIME parts nested more than %d "
		    "deep", MAXDEPTH);
		return -1;
	}
	split(p, end, &e);
	if (longest(e.h, e.he) > LINEMAX) {
		(void)snprintf(err, errlen, "a header line longer than %d "
		    "octets in a MIME part", LINEMAX);
		return -1;
	}
	if (want7 && nonascii_span(e.h, e.he)) {
		(void)snprintf(err, errlen, "8-bit header fields cannot be "
		    "made 7-bit");
		return -1;
	}
	token(&e, "content-type", ct, sizeof(ct));
	token(&e, "content-transfer-encoding", cte, sizeof(cte));
	if (strncmp(ct, "multipart/", 10) == 0)
		return multipart(o, &e, want7, depth, err, errlen);
	if (strcmp(ct, "message/rfc822") == 0) {
		puthdr(o, &e, want7 ? "content-transfer-encoding" : NULL);
		buf_add(o, "\n", 1);
		return entity(o, e.b, e.be, want7, 1, depth + 1, err, errlen);
	}
	eight = want7 && nonascii_span(e.b, e.be);
	longl = longest(e.b, e.be) > LINEMAX;
	if (!eight && !longl) {
		buf_add(o, p, end - p);
		return 0;
	}
	if (strcmp(cte, "base64") == 0 || strcmp(cte, "quoted-printable") == 0 ||
	    strncmp(ct, "message/", 8) == 0) {
		(void)snprintf(err, errlen, "a %s part (%s) with %s cannot be "
		    "re-encoded", ct[0] ? ct : "text/plain", cte[0] ? cte :
		    "7bit", longl ? "lines longer than 998 octets" :
		    "8-bit data");
		return -1;
	}
	puthdr(o, &e, "content-transfer-encoding");
	if (top && field(&e, "mime-version", &v, &ve) == -1)
		buf_addstr(o, "MIME-Version: 1.0\n");
	/* 8-bit text without a type needs a charset (RFC 2045 5.2, 1428) */
	if (ct[0] == '\0' && nonascii_span(e.b, e.be))
		buf_addstr(o, utf8_valid((const unsigned char *)e.b,
		    (const unsigned char *)e.be) ? "Content-Type: text/plain; "
		    "charset=utf-8\n" : "Content-Type: text/plain; "
		    "charset=unknown-8bit\n");
	buf_addstr(o, "Content-Transfer-Encoding: quoted-printable\n\n");
	qp_encode(o, e.b, e.be);
	return 0;
}

/*
 * The message in (wire form) re-encoded into out (wire form): the parts
 * with lines longer than 998 octets, and with want7 every 8-bit part.
 * 0, or -1 and why (the message is left to its fate: a bounce).
 */
int
mime_reencode(const struct buf *in, int want7, struct buf *out, char *err,
    size_t errlen)
{
	struct buf	 lf = { NULL, 0, 0 }, enc = { NULL, 0, 0 };
	const char	*p, *end, *nl;
	int		 rv;

	/* CRLF and dot-stuffing off */
	p = in->p;
	end = in->p + in->len;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (*p == '.')
			p++;
		buf_add(&lf, p, (nl > p && nl[-1] == '\r' ? nl - 1 : nl) - p);
		buf_add(&lf, "\n", 1);
	}
	if (lf.p == NULL)
		buf_add(&lf, "", 0);
	rv = entity(&enc, lf.p, lf.p + lf.len, want7, 1, 0, err, errlen);
	if (rv == 0) {
		/* and on again */
		if (enc.p == NULL)
			buf_add(&enc, "", 0);
		p = enc.p;
		end = enc.p + enc.len;
		for (; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', end - p)) == NULL)
				nl = end;
			if (*p == '.')
				buf_add(out, ".", 1);
			buf_add(out, p, nl - p);
			buf_add(out, "\r\n", 2);
		}
		if (out->p == NULL)
			buf_add(out, "", 0);
	}
	buf_free(&lf);
	buf_free(&enc);
	return rv;
}
