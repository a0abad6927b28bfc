/* objs: smtpd/policy.c smtpd/conf.c smtpd/net.c privsep/log.c privsep/marshal.c */
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
 * Fuzz the blocked file parser and the sender patterns.  Input: the file
 * text; its last line, if it starts with "?", is also tried as a sender
 * against every rule.  The parsed rules are checked for the invariants
 * policy.c promises: no catch-all pattern, masks in range.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "priv/priv.h"

/* policy.c is linked in; the parent is not. */
int
parent_reply(struct parent *p, uint32_t t, uint32_t id, int fd,
    const struct ps_buf *b)
{
	return 0;
}

void
parent_kill(struct parent *p, const char *why)
{
	abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *senders[] = {
	"", "a@b", "user@example.com", "x!y!z", "freeporn99@spam.example",
	"owner-9fans@cse.psu.edu", "makemoneyfast@aol.com", "@", "!", "*",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	FILE		*fp;
	char		 probe[SMTP_PATHMAX + 1];
	const char	*q;
	size_t		 i, k;
	static int	 once;

	if (!once) {
		log_init("fuzz", 0, 0);
		once = 1;
	}
	memset(&c, 0, sizeof(c));
	if ((fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	(void)blocked_parse(&c, fp, "fuzz");
	fclose(fp);
	probe[0] = '\0';
	if (size > 1 && (q = memchr(data, '?', size)) != NULL) {
		k = size - (q + 1 - (const char *)data);
		if (k > SMTP_PATHMAX)
			k = SMTP_PATHMAX;
		memcpy(probe, q + 1, k);
		probe[k] = '\0';
	}
	for (i = 0; i < c.blockn; i++) {
		struct blockrule *r = &c.blockv[i];

		if (r->act < ACT_ALLOW || r->act > ACT_DELAY)
			abort();
		if (r->isaccount) {
			/* never everything */
			if (strcmp(r->pattern, "!") == 0 ||
			    memchr(r->pattern, '\0', sizeof(r->pattern)) == NULL)
				abort();
			(void)pattern_match(r->pattern, probe);
		} else if (r->net.bits < 0 ||
		    r->net.bits > (r->net.af == AF_INET ? 32 : 128))
			abort();
	}
	for (k = 0; k < sizeof(senders) / sizeof(senders[0]); k++)
		(void)policy_sender(&c, senders[k]);
	(void)policy_sender(&c, probe);
	free(c.blockv);
	return 0;
}
