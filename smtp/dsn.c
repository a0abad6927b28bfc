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
 * Delivery status notification parameters (RFC 3461): checking NOTIFY as
 * given on the command line, xtext for ENVID and ORCPT, and RFC 6533's
 * utf-8-addr-xtext for an ORCPT that is not ASCII.  No I/O.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtp.h"

/* RFC 3461 4.1: NEVER, or one or more of SUCCESS, FAILURE, DELAY */
int
dsn_notify_ok(const char *s)
{
	static const char	*kw[] = { "SUCCESS", "FAILURE", "DELAY" };
	const char		*e;
	size_t			 i, n;
	int			 seen = 0;

	if (strcasecmp(s, "NEVER") == 0)
		return 1;
	while (*s != '\0') {
		e = strchr(s, ',');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		for (i = 0; i < 3; i++)
			if (strlen(kw[i]) == n && strncasecmp(s, kw[i], n) == 0)
				break;
		if (i == 3 || (seen & (1 << i)))
			return 0;
		seen |= 1 << i;
		s += n;
		if (*s == ',' && *++s == '\0')
			return 0;
	}
	return seen != 0;
}

/*
 * RFC 3461 4: xtext, printable ASCII but '+' and '=' as they are, the
 * rest as "+HH".  0, or -1 when it does not fit or the text is not ASCII
 * (a UTF-8 address would need RFC 6533's utf-8-addr-xtext instead).
 */
int
xtext(char *d, size_t n, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = *s;
		if (c >= 0x80)
			return -1;
		if (c >= 33 && c <= 126 && c != '+' && c != '=') {
			if (o + 1 >= n)
				return -1;
			d[o++] = c;
		} else {
			if (o + 3 >= n)
				return -1;
			d[o++] = '+';
			d[o++] = hex[c >> 4];
			d[o++] = hex[c & 15];
		}
	}
	if (n == 0)
		return -1;
	d[o] = '\0';
	return 0;
}

/*
 * One UTF-8 sequence at *sp as its code point, advancing *sp; -1 when it
 * is not well formed (RFC 3629 4: no overlong forms, no surrogates,
 * nothing past U+10FFFF).
 */
static long
utf8dec(const unsigned char **sp)
{
	const unsigned char	*s = *sp;
	long			 cp, min;
	int			 n, i;

	if (s[0] < 0x80) {
		*sp = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 1; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 2; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 3; cp = s[0] & 0x07; min = 0x10000;
	} else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*sp = s + n + 1;
	return cp;
}

/*
 * RFC 6533 3: utf-8-addr-xtext, printable ASCII but '+', '=' and '\' as
 * they are, every other character as "\x{HEX}" (its code point, upper
 * case, no leading zero, two digits at least).  0, or -1 when it does not
 * fit or s is not UTF-8.
 */
int
utf8xtext(char *d, size_t n, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0;
	long			 cp;
	int			 w;

	if (n == 0)
		return -1;
	while (*p != '\0') {
		if ((cp = utf8dec(&p)) == -1)
			return -1;
		if (cp >= 33 && cp <= 126 && cp != '+' && cp != '=' &&
		    cp != '\\') {
			if (o + 1 >= n)
				return -1;
			d[o++] = (char)cp;
			continue;
		}
		w = snprintf(d + o, n - o, "\\x{%02lX}", cp);
		if (w < 0 || (size_t)w >= n - o)
			return -1;
		o += w;
	}
	d[o] = '\0';
	return 0;
}
