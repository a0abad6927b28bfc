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
 * The parent's side of the child's DNS questions (PS_DNS_REQ): the checks
 * on what the child may ask, and the answer.  The lookups themselves are
 * dns.c's (libunbound).  Nothing passes unchecked: without a resolver, or
 * when a UTF-8 name cannot be made A-labels for want of libidn2, the
 * answer is DNS_TEMPFAIL (451 4.4.3); a UTF-8 name that is no valid IDN
 * is DNS_NXDOMAIN, as is anything else DNS could not hold.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "priv.h"
#include "text.h"

static const char *
dns_result(int rv)
{
	static const char	*names[] = { "ok", "nxdomain", "nullmx",
	    "tempfail", "bogus", "nodata", "mismatch" };

	if (rv < 0 || (size_t)rv >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[rv];
}

/* A domain name as the child may send it: letters, digits, - _ . only. */
static int
dns_name_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > SMTP_DOMAINMAX || s[0] == '.' || strstr(s, "..") != NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' &&
		    *s != '_')
			return 0;
	return 1;
}

/* PS_DNS_REQ: u32 DNSQ_*, str name -> PS_DNS_ANS u32 DNS_* */
void
p_dns(struct parent *p, struct ps_msg *m)
{
	char		 name[SMTP_DOMAINMAX + 1], alabel[SMTP_DOMAINMAX + 1];
	char		 e[(SMTP_DOMAINMAX + 1) * 4];
	struct ps_buf	 b;
	uint32_t	 q;
	int		 rv;

	if (ps_get_u32(m, &q) == -1 || ps_get_str(m, name, sizeof(name)) == -1 ||
	    ps_end(m) == -1 || (q != DNSQ_SENDERDOM && q != DNSQ_HELO)) {
		parent_kill(p, "bad dns request");
		return;
	}
	log_escape(e, sizeof(e), name, strlen(name));
	alabel[0] = '\0';
	if (dns_init(p->conf) == -1) {
		rv = DNS_TEMPFAIL;
		log_warnx("dns: no resolver configured (unbound), "
		    "query name=%s not answered", e);
	} else if (nonascii(name) && (rv = dns_alabel(name, alabel,
	    sizeof(alabel))) != 0)
		rv = rv == -1 ? DNS_NXDOMAIN : DNS_TEMPFAIL;
	else if (!dns_name_ok(alabel[0] != '\0' ? alabel : name))
		rv = DNS_NXDOMAIN;	/* not a name DNS could hold */
	else
		rv = dns_check(p->conf, q, alabel[0] != '\0' ? alabel : name,
		    p->peer);
	log_info("dns query=%s name=%s%s%s result=%s",
	    q == DNSQ_SENDERDOM ? "senderdom" : "helo", e,
	    alabel[0] != '\0' ? " alabel=" : "", alabel, dns_result(rv));
	ps_buf_init(&b);
	ps_add_u32(&b, rv);
	parent_reply(p, PS_DNS_ANS, m->hdr.id, -1, &b);
}
