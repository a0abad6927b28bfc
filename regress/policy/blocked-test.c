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
 * blocked-test FILE what...: parse FILE as the blocked file, then print
 * "<what> <action>" for each argument: an IP address (policy_ip) or a
 * sender (policy_sender).  Linked with policy.o, conf.o and privsep.
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "smtpd.h"

int
parent_reply(struct parent *p, uint32_t t, uint32_t id, int fd,
    const struct ps_buf *b)
{
	return 0;
}

void
parent_kill(struct parent *p, const char *why)
{
	exit(1);	/* noreturn, as the real one (smtpd.h) */
}

int
main(int argc, char *argv[])
{
	struct conf	 c;
	struct peer	 p;
	int		 i;

	log_init("blocked-test", LOG_TO_STDERR, 1);
	memset(&c, 0, sizeof(c));
	if (argc < 2 || strlcpy(c.blocked, argv[1], sizeof(c.blocked)) >=
	    sizeof(c.blocked) || blocked_read(&c) == -1)
		return 2;
	printf("rules %zu\n", c.blockn);
	for (i = 2; i < argc; i++) {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)&p.remote;
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&p.remote;

		memset(&p, 0, sizeof(p));
		if (inet_pton(AF_INET, argv[i], &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			printf("%s %s\n", argv[i], action_name(policy_ip(&c, &p)));
		} else if (inet_pton(AF_INET6, argv[i], &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			printf("%s %s\n", argv[i], action_name(policy_ip(&c, &p)));
		} else
			printf("%s %s\n", argv[i],
			    action_name(policy_sender(&c, argv[i])));
	}
	return 0;
}
