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
 * The message conversion of smtp(8) -f: the input is Unix mail (LF, CRLF
 * or even CR line ends, maybe a "From " line); the output is what follows
 * the 354, CRLF throughout and dot-stuffed, without the final dot.  No I/O
 * here; fuzzed.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "smtp.h"

#define MAXFIELDS	2048
#define LINEMAX		998	/* RFC 5322 2.1.1, without CRLF */

struct field {
	const char	*p;		/* name through the last '\n' */
	size_t		 len;
	size_t		 namelen;
};

static const char *addrfields[] = {
	"from", "sender", "reply-to", "to", "cc",
	"resent-from", "resent-sender", "resent-reply-to", "resent-to",
	"resent-cc", NULL
};

/* LF, CRLF and lone CR all end a line; NULs go; the last line gets its LF. */
static void
normalise(const char *in, size_t len, struct buf *b)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == '\0' || in[i] == '\r' || in[i] == '\n') {
			if (i > start)
				buf_add(b, in + start, i - start);
			if (in[i] == '\r') {
				buf_add(b, "\n", 1);
				if (i + 1 < len && in[i + 1] == '\n')
					i++;
			} else if (in[i] == '\n')
				buf_add(b, "\n", 1);
			start = i + 1;
		}
	}
	if (len > start)
		buf_add(b, in + start, len - start);
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		buf_add(b, "\n", 1);
	if (b->p == NULL)
		buf_add(b, "", 0);
}

static const char *months = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char *days = "SunMonTueWedThuFriSat";

static void
fmtdate(char *d, size_t n, const struct tm *tm, long off)
{
	char	sign = off < 0 ? '-' : '+';

	if (off < 0)
		off = -off;
	(void)snprintf(d, n, "%.3s, %d %.3s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days + 3 * (tm->tm_wday % 7), tm->tm_mday,
	    months + 3 * (tm->tm_mon % 12), tm->tm_year + 1900, tm->tm_hour,
	    tm->tm_min, tm->tm_sec, sign, off / 3600, (off / 60) % 60);
}

/*
 * "From sender Day Mon DD HH:MM[:SS] [ZONE] YYYY [remote from sys]": the
 * date for a Date: field when the message has none.  0 when it parsed.
 */
static int
fromdate(const char *line, size_t len, char *d, size_t dn)
{
	char		 tmp[256], *tok[10], *p, *last;
	const char	*m;
	struct tm	 tm;
	int		 nt = 0, zi = -1, yi, hh, mm, ss = 0;
	long		 off = 0;
	time_t		 t;

	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	for (p = strtok_r(tmp, " \t", &last); p != NULL && nt < 10;
	    p = strtok_r(NULL, " \t", &last))
		tok[nt++] = p;
	/* From addr Day Mon DD time [zone] year */
	if (nt < 7)
		return -1;
	yi = 6;
	if (!isdigit((unsigned char)tok[6][0])) {
		if (nt < 8)
			return -1;
		zi = 6;
		yi = 7;
	}
	memset(&tm, 0, sizeof(tm));
	if (strlen(tok[3]) != 3 || (m = strstr(months, tok[3])) == NULL ||
	    (m - months) % 3 != 0)
		return -1;
	tm.tm_mon = (m - months) / 3;
	tm.tm_mday = atoi(tok[4]);
	tm.tm_year = atoi(tok[yi]) - 1900;
	if (sscanf(tok[5], "%d:%d:%d", &hh, &mm, &ss) < 2 || hh > 23 ||
	    mm > 59 || ss > 60 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_year < 70 || tm.tm_year > 8000)
		return -1;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	if (zi != -1 && (tok[zi][0] == '+' || tok[zi][0] == '-') &&
	    strlen(tok[zi]) == 5) {
		off = atol(tok[zi] + 1);
		off = (off / 100) * 3600 + (off % 100) * 60;
		if (tok[zi][0] == '-')
			off = -off;
		t = timegm(&tm);
		gmtime_r(&t, &tm);
	} else if (zi != -1 && (strcmp(tok[zi], "GMT") == 0 ||
	    strcmp(tok[zi], "UTC") == 0 || strcmp(tok[zi], "UT") == 0)) {
		t = timegm(&tm);
		gmtime_r(&t, &tm);
	} else {
		/* the local zone, or a name we cannot place: say local */
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			return -1;
		off = tm.tm_gmtoff;
	}
	fmtdate(d, dn, &tm, off);
	return 0;
}

static int
isaddrfield(const char *name, size_t n)
{
	int	i;

	for (i = 0; addrfields[i] != NULL; i++)
		if (strlen(addrfields[i]) == n &&
		    strncasecmp(addrfields[i], name, n) == 0)
			return 1;
	return 0;
}

static int
isname(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(want, name, n) == 0;
}

/* Length of a field name at p (RFC 5322 ftext), 0 if the line is none. */
static size_t
fieldname(const char *p, const char *end)
{
	const char	*q;

	for (q = p; q < end && *q != ':' && *q != '\n'; q++)
		if ((unsigned char)*q <= 32 || (unsigned char)*q >= 127)
			return 0;
	if (q == p || q >= end || *q != ':')
		return 0;
	return q - p;
}

/*
 * Write one field with CRLF line ends; physical lines over 998 octets are
 * folded at the last blank before the limit, or the field is refused.
 */
static int
putfield(struct buf *o, const char *p, size_t len, char *err, size_t errlen)
{
	const char	*end = p + len, *nl, *cut;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		while (nl - p > LINEMAX) {
			for (cut = p + LINEMAX; cut > p + 1; cut--)
				if (*cut == ' ' || *cut == '\t')
					break;
			if (cut <= p + 1) {
				(void)snprintf(err, errlen, "header line longer "
				    "than %d octets with no place to fold it",
				    LINEMAX);
				return -1;
			}
			buf_add(o, p, cut - p);
			buf_add(o, "\r\n", 2);
			p = cut;
		}
		buf_add(o, p, nl - p);
		buf_add(o, "\r\n", 2);
		p = nl + 1;
	}
	return 0;
}

static int
convfield(struct buf *o, const struct field *f, const char *dom, char *err,
    size_t errlen)
{
	struct buf	 t = { NULL, 0, 0 };
	const char	*v = f->p + f->namelen + 1;
	size_t		 vlen = f->len - f->namelen - 1;
	int		 rv;

	/* the field ends in '\n'; the value excludes it */
	if (vlen > 0 && v[vlen - 1] == '\n')
		vlen--;
	if (!isaddrfield(f->p, f->namelen))
		return putfield(o, f->p, vlen + f->namelen + 1, err, errlen);
	buf_add(&t, f->p, f->namelen + 1);
	qualify_list(&t, v, v + vlen, dom);
	rv = putfield(o, t.p, t.len, err, errlen);
	buf_free(&t);
	return rv;
}

static void
putbody(struct buf *o, const char *p, const char *end)
{
	const char	*nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		/* RFC 5321 4.5.2 */
		if (*p == '.')
			buf_add(o, ".", 1);
		buf_add(o, p, nl - p);
		buf_add(o, "\r\n", 2);
		p = nl + 1;
	}
}

/* The longest body line as it will go out, dot-stuffing included. */
static size_t
longest(const char *p, const char *end)
{
	const char	*nl;
	size_t		 n, max = 0;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		n = (nl - p) + (*p == '.');
		if (n > max)
			max = n;
		p = nl + 1;
	}
	return max;
}

/* The first token of the first field called name ("" if none), lower case. */
static void
fieldtoken(const struct field *f, size_t nf, const char *name, char *t,
    size_t tlen)
{
	const char	*v, *e;
	size_t		 i, n = 0;

	t[0] = '\0';
	for (i = 0; i < nf; i++)
		if (isname(f[i].p, f[i].namelen, name))
			break;
	if (i == nf)
		return;
	v = f[i].p + f[i].namelen + 1;
	e = f[i].p + f[i].len;
	while (v < e && isspace((unsigned char)*v))
		v++;
	while (v < e && n + 1 < tlen && !isspace((unsigned char)*v) &&
	    *v != ';' && *v != '(')
		t[n++] = tolower((unsigned char)*v++);
	t[n] = '\0';
}

/*
 * RFC 5321 4.5.3.1.6: a text line is at most 998 octets, and a longer one
 * must never be cut.  A message without MIME structure of its own (no
 * Content-Type or a discrete one, no Content-Transfer-Encoding or 7bit or
 * 8bit) gets its body re-encoded as quoted-printable.  A multipart or
 * message/rfc822 one has the parts that need it re-encoded (mime.c).  An
 * encoding already declared is refused.  0 send as is, 1 re-encode, 2 the
 * parts, -1 refuse (err says why).
 */
static int
longlines(const struct field *f, size_t nf, const char *p, const char *end,
    char *err, size_t errlen)
{
	char	ct[128], cte[64];
	size_t	n;

	if ((n = longest(p, end)) <= LINEMAX)
		return 0;
	fieldtoken(f, nf, "content-type", ct, sizeof(ct));
	fieldtoken(f, nf, "content-transfer-encoding", cte, sizeof(cte));
	if (strncmp(ct, "multipart/", 10) == 0 ||
	    strcmp(ct, "message/rfc822") == 0)
		return 2;
	if (strncmp(ct, "message/", 8) != 0 && (cte[0] == '\0' ||
	    strcmp(cte, "7bit") == 0 || strcmp(cte, "8bit") == 0))
		return 1;
	(void)snprintf(err, errlen, "body line longer than %d octets (%zu) "
	    "in a MIME message (%s%s%s) that cannot be re-encoded", LINEMAX, n,
	    ct[0] ? ct : "text/plain", cte[0] ? ", " : "", cte);
	return -1;
}

/* The MIME fields of a body re-encoded by qp_encode(). */
static void
qpheaders(struct buf *o, const struct field *f, size_t nf, const char *p,
    const char *end)
{
	size_t	i;
	int	mv = 0, ct = 0;

	for (i = 0; i < nf; i++) {
		if (isname(f[i].p, f[i].namelen, "mime-version"))
			mv = 1;
		else if (isname(f[i].p, f[i].namelen, "content-type"))
			ct = 1;
	}
	if (!mv)
		buf_addstr(o, "MIME-Version: 1.0\r\n");
	/* without a Content-Type, 8-bit text needs a charset (RFC 1428) */
	if (!ct && !utf8_valid((const unsigned char *)p,
	    (const unsigned char *)end))
		buf_addstr(o, "Content-Type: text/plain; charset=unknown-8bit\r\n");
	else if (!ct)
		for (; p < end; p++)
			if ((unsigned char)*p >= 0x80) {
				buf_addstr(o, "Content-Type: text/plain; "
				    "charset=utf-8\r\n");
				break;
			}
	buf_addstr(o, "Content-Transfer-Encoding: quoted-printable\r\n");
}

static void
genheaders(struct buf *o, const struct msgopts *mo, int have, const char *date)
{
	unsigned char	 r[16];
	char		 line[1024];
	struct tm	 tm;
	int		 i;

	if (!(have & 1)) {
		arc4random_buf(r, sizeof(r));
		buf_addstr(o, "Message-ID: <");
		for (i = 0; i < 16; i++) {
			(void)snprintf(line, sizeof(line), "%02x", r[i]);
			buf_addstr(o, line);
		}
		(void)snprintf(line, sizeof(line), "@%s>\r\n", mo->hostdomain);
		buf_addstr(o, line);
	}
	if (!(have & 2)) {
		if (mo->from == NULL || *mo->from == '\0')
			(void)snprintf(line, sizeof(line),
			    "From: Postmaster@%s\r\n", mo->hostdomain);
		else
			(void)snprintf(line, sizeof(line), "From: %s\r\n",
			    mo->from);
		buf_addstr(o, line);
	}
	/* never the envelope recipients: that would reveal Bcc (RFC 5322 3.6.3) */
	if (!(have & 4))
		buf_addstr(o, "To: undisclosed-recipients:;\r\n");
	if (!(have & 8)) {
		if (*date == '\0') {
			localtime_r(&mo->now, &tm);
			fmtdate(line + 6, sizeof(line) - 6, &tm, tm.tm_gmtoff);
			memcpy(line, "Date: ", 6);
		} else
			(void)snprintf(line, sizeof(line), "Date: %s", date);
		buf_addstr(o, line);
		buf_addstr(o, "\r\n");
	}
}

int
rfc822_convert(const char *in, size_t inlen, const struct msgopts *mo,
    struct buf *out, struct msginfo *info, char *err, size_t errlen)
{
	struct buf	 n = { NULL, 0, 0 }, qp = { NULL, 0, 0 };
	struct field	*f;
	const char	*p, *end, *nl, *body;
	char		 date[128] = "";
	size_t		 nf = 0, i, nlen;
	int		 have = 0, rv = -1, reenc;

	if ((f = calloc(MAXFIELDS, sizeof(*f))) == NULL)
		abort();
	normalise(in, inlen, &n);
	p = n.p;
	end = n.p + n.len;
	/*
	 * -x, a relay (runq): RFC 5321 2.3.10 and 6.4, a relay adds only its
	 * trace and changes nothing else.  Only what the wire needs is done:
	 * CRLF line ends and dot-stuffing here, the 7-bit downgrade (RFC 6152
	 * 3) later when the server lacks 8BITMIME.  A line the wire cannot
	 * carry (RFC 5321 4.5.3.1.6) is refused rather than rewritten.
	 */
	if (mo->relay) {
		if (longest(p, end) > 998) {
			(void)snprintf(err, errlen, "a line longer than 998 "
			    "octets cannot be relayed as is");
			goto done;
		}
		putbody(out, p, end);
		goto measure;
	}
	if (end - p >= 5 && strncmp(p, "From ", 5) == 0) {
		nl = memchr(p, '\n', end - p);
		(void)fromdate(p, nl - p, date, sizeof(date));
		p = nl + 1;
	}
	/* the header: fields up to an empty line or a line that is no field */
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', end - p);
		if ((*p == ' ' || *p == '\t') && nf > 0) {
			f[nf - 1].len = nl + 1 - f[nf - 1].p;
		} else if ((nlen = fieldname(p, nl)) > 0) {
			if (nf == MAXFIELDS) {
				(void)snprintf(err, errlen, "more than %d "
				    "header fields", MAXFIELDS);
				goto done;
			}
			f[nf].p = p;
			f[nf].namelen = nlen;
			f[nf++].len = nl + 1 - p;
		} else
			break;
		p = nl + 1;
	}
	for (i = 0; i < nf; i++) {
		if (isname(f[i].p, f[i].namelen, "message-id"))
			have |= 1;
		else if (isname(f[i].p, f[i].namelen, "from"))
			have |= 2;
		else if (isname(f[i].p, f[i].namelen, "to") ||
		    isname(f[i].p, f[i].namelen, "cc"))
			have |= 4;
		else if (isname(f[i].p, f[i].namelen, "date"))
			have |= 8;
	}
	body = p < end && *p == '\n' ? p + 1 : p;
	if ((reenc = longlines(f, nf, body, end, err, errlen)) == -1)
		goto done;
	genheaders(out, mo, have, date);
	for (i = 0; i < nf; i++) {
		/* RFC 5322 3.6.3: Bcc recipients stay hidden */
		if (isname(f[i].p, f[i].namelen, "bcc") ||
		    isname(f[i].p, f[i].namelen, "resent-bcc"))
			continue;
		if (reenc == 1 && isname(f[i].p, f[i].namelen,
		    "content-transfer-encoding"))
			continue;
		if (convfield(out, &f[i], mo->hostdomain, err, errlen) == -1)
			goto done;
	}
	if (reenc == 1) {
		qpheaders(out, f, nf, body, end);
		qp_encode(&qp, body, end);
		buf_add(out, "\r\n", 2);
		putbody(out, qp.p, qp.p + qp.len);
	} else {
		buf_add(out, "\r\n", 2);
		putbody(out, body, end);
	}
	if (reenc == 2) {
		buf_free(&qp);
		if (mime_reencode(out, 0, &qp, err, errlen) == -1)
			goto done;
		buf_free(out);
		*out = qp;
		memset(&qp, 0, sizeof(qp));
	}
measure:
	info->eightbit = 0;
	for (i = 0; i < out->len; i++)
		if ((unsigned char)out->p[i] >= 0x80) {
			info->eightbit = 1;
			break;
		}
	info->size = out->len;
	rv = 0;
done:
	free(f);
	buf_free(&n);
	buf_free(&qp);
	return rv;
}
