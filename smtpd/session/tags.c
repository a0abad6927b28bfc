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
 * The X-warning: lines of norelay (smtpd.conf(5)): an untrusted peer's
 * envelope sender, Sender: or From: that claims one of our domains is
 * tagged in the header, not refused (Plan 9's forgedheaderwarnings).
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "session.h"

#define HDR_EOL		"\r\n"		/* header lines as data.c writes them */

/* smtpd.conf(5), norelay: an untrusted peer whose envelope sender claims our domain. */
size_t
rules_headers(struct session *s, char *buf, size_t sz)
{
	static const char	 tag[] = "X-warning: suspect envelope domain"
	    HDR_EOL;
	char			 dom[SMTP_PATHMAX + 1], e[SMTP_PATHMAX * 4 + 1];

	if (!s->conf->norelay || rules_trusted(s) || s->nullsender ||
	    s->sender[0] == '\0' || sz < sizeof(tag))
		return 0;
	policy_addr_domain(s->sender, dom, sizeof(dom));
	if (dom[0] == '\0')
		strlcpy(dom, s->helo, sizeof(dom));
	if (!rules_ourdomain(s, dom))
		return 0;
	log_info("policy addr=%s domain=\"%s\" action=tag reason=spoofed-domain",
	    s->peer->raddr, log_escape(e, sizeof(e), dom, strlen(dom)));
	memcpy(buf, tag, sizeof(tag) - 1);
	return sizeof(tag) - 1;
}

/*
 * The first address of a From: or Sender: value: the contents of the first
 * <...>, or else the first element with comments dropped; "" if none.
 */
static void
first_addr(const char *v, char *out, size_t outsz)
{
	const char	*p, *start = v;
	size_t		 n = 0;
	int		 depth = 0, quote = 0;

	for (p = v; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (quote)
			quote = *p != '"';
		else if (*p == '"')
			quote = 1;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *p == ':')	/* a group's name */
			start = p + 1;
		else if (depth == 0 && (*p == '<' || *p == ',' || *p == ';'))
			break;
	}
	if (*p == '<') {
		for (p++; *p != '\0' && *p != '>' && n + 1 < outsz; p++)
			out[n++] = *p;
	} else {
		for (depth = 0, quote = 0; start < p && n + 1 < outsz; start++) {
			if (!quote && *start == '(')
				depth++;
			else if (!quote && *start == ')' && depth > 0)
				depth--;
			else if (depth == 0) {
				if (*start == '"')
					quote = !quote;
				out[n++] = *start;
			}
		}
	}
	out[n] = '\0';
	/* trim: a bare addr-spec is the first word left */
	for (p = out; isspace((unsigned char)*p); p++)
		;
	memmove(out, p, strlen(p) + 1);
	for (n = strlen(out); n > 0 && isspace((unsigned char)out[n - 1]); n--)
		;
	out[n] = '\0';
}

/*
 * Plan 9's masquerade(): does this address claim one of our domains?  An
 * @ address by what follows the last @, a bang path by its first element,
 * anything else by the HELO name.
 */
static int
masquerade(const struct session *s, const char *addr)
{
	char	dom[SMTP_PATHMAX + 1];
	size_t	i;

	if (*addr == '\0')
		return 0;
	policy_addr_domain(addr, dom, sizeof(dom));
	if (strchr(addr, '@') == NULL && strchr(addr, '!') == NULL)
		strlcpy(dom, s->helo, sizeof(dom));
	for (i = 0; dom[i] != '\0'; i++)
		dom[i] = tolower((unsigned char)dom[i]);
	return dom[0] != '\0' && rules_ourdomain(s, dom);
}

/*
 * smtpd.conf(5), norelay, the header checks (Plan 9's forgedheaderwarnings): each Sender:
 * whose first address claims our domain is tagged, and the first that
 * does not ends the check (a mailing list passing mail on); then each
 * From: that claims it.  hdr is the header as read, LF line ends.
 */
size_t
rules_headertags(struct session *s, const char *hdr, size_t len, char *buf,
    size_t sz)
{
	static const char	 tsender[] = "X-warning: suspect Sender: domain"
	    HDR_EOL, tfrom[] = "X-warning: suspect From: domain" HDR_EOL;
	char			 v[2048], a[SMTP_PATHMAX + 1];
	char			 e[SMTP_PATHMAX * 4 + 1];
	const char		*p, *end = hdr + len, *nl, *tag;
	size_t			 n = 0, vn, nlen;
	int			 pass, sender;

	if (!s->conf->norelay || rules_trusted(s))
		return 0;
	for (pass = 0; pass < 2; pass++) {
		for (p = hdr; p < end; p = nl) {
			nl = memchr(p, '\n', end - p);
			nl = nl == NULL ? end : nl + 1;
			sender = strncasecmp(p, "sender", 6) == 0;
			nlen = sender ? 6 : 4;
			if ((pass == 0 && !sender) || (pass == 1 &&
			    strncasecmp(p, "from", 4) != 0))
				continue;
			while (p + nlen < end && (p[nlen] == ' ' ||
			    p[nlen] == '\t'))
				nlen++;
			if (p + nlen >= end || p[nlen] != ':')
				continue;
			/* the value, unfolded */
			for (p += nlen + 1, vn = 0; p < end && vn + 1 < sizeof(v);
			    p++) {
				if (*p == '\n' && (p + 1 == end ||
				    (p[1] != ' ' && p[1] != '\t')))
					break;
				v[vn++] = *p == '\n' || *p == '\r' ? ' ' : *p;
			}
			v[vn] = '\0';
			first_addr(v, a, sizeof(a));
			if (!masquerade(s, a)) {
				if (sender)
					return n;	/* a mailing list */
				continue;
			}
			tag = sender ? tsender : tfrom;
			if (n + strlen(tag) >= sz)
				return n;
			memcpy(buf + n, tag, strlen(tag));
			n += strlen(tag);
			log_info("policy addr=%s %s=\"%s\" action=tag "
			    "reason=spoofed-domain", s->peer->raddr,
			    sender ? "sender-field" : "from-field",
			    log_escape(e, sizeof(e), a, strlen(a)));
		}
	}
	return n;
}
