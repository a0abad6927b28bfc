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
 * Recipients are checked at RCPT, by the parent, so that an unknown one
 * is refused there (550 5.1.1) and never makes the whole message fail at
 * DATA.  The sources are the parent's: the delivery map (maildirs, see
 * deliver(8)) for what is delivered here, and the recipients file for
 * domains handed on to an inner server.  The child only asks; it never
 * sees either file.  The parent remembers what it accepted and refuses
 * (kills) a commit with any other recipient.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "rlist.h"
#include "../routes.h"
#include "../../deliver/deliver.h"

#define RCPT_MAXACCEPT	65536		/* distinct recipients per connection */

static struct map	 map;
static int		 mapstate;	/* 0 not loaded, 1 loaded, -1 failed */
static struct rlist	 rl;
static int		 rlstate;
static struct routes	 routes;
static int		 routestate;
static char		**accepted;
static size_t		 naccepted;

/*
 * A domain the recipients file names takes only the addresses listed
 * (or every address, with @domain); other domains are not its business.
 */
static int
check_recipients(const struct conf *c, const char *rcpt, const char *dom)
{
	char	 a[MAP_MAXKEY + 2];

	if (c->recipients[0] == '\0')
		return RCPT_OK;
	if (rlstate == 0)
		rlstate = rl_load(&rl, c->recipients) == 0 ? 1 : -1;
	if (rlstate == -1)
		return RCPT_TEMPFAIL;
	if (strlcpy(a, rcpt, sizeof(a)) >= sizeof(a))
		return RCPT_UNKNOWN;
	rl_lower(a);
	if (!rl_has(rl.dom, rl.nd, a + (dom - rcpt)))
		return RCPT_OK;
	if (rl_has(rl.addr, rl.n, a) || rl_has(rl.addr, rl.n, a + (dom - rcpt) - 1))
		return RCPT_OK;
	return RCPT_UNKNOWN;
}

/* Delivered here: the map must name a Maildir for it, or deliver fails. */
static int
check_map(const struct conf *c, const char *rcpt)
{
	const char	*file;
	char		 dir[4096], err[512];

	if ((file = mdeliver_map(c)) == NULL)
		file = DELIVER_MAP;
	if (mapstate == 0) {
		if (map_load(&map, file, err, sizeof(err)) == 0)
			mapstate = 1;
		else {
			log_warnx("map %s: %s", file, err[0] != '\0' ? err :
			    strerror(errno));
			mapstate = -1;
		}
	}
	if (mapstate == -1)
		return RCPT_TEMPFAIL;
	return map_lookup(&map, rcpt, dir, sizeof(dir)) == MAP_FOUND ?
	    RCPT_OK : RCPT_UNKNOWN;
}

/*
 * trusted: the peer is in ournets or authenticated (the parent's own
 * verdict).  With routes, only such a peer may use the default route:
 * whatever the child's relay rules say, the queue is never an open relay.
 */
int
rcpt_check(const struct conf *c, const char *rcpt, int trusted)
{
	const struct route	*r;
	const char		*at, *dom;
	char			 err[512];
	int			 pm;

	if ((at = strrchr(rcpt, '@')) == NULL)
		return RCPT_UNKNOWN;
	dom = at + 1;
	/* RFC 5321 4.5.1: postmaster must be accepted */
	pm = at - rcpt == 10 && strncasecmp(rcpt, "postmaster", 10) == 0;
	if (pm && c->routes[0] == '\0')
		return RCPT_OK;
	if (c->routes[0] != '\0') {
		if (routestate == 0) {
			routestate = routes_load(&routes, c->routes, err,
			    sizeof(err)) == 0 ? 1 : -1;
			if (routestate == -1)
				log_warnx("%s", err);
		}
		if (routestate == -1)
			return RCPT_TEMPFAIL;
		r = routes_lookup(&routes, dom);
		if (r == &routes.def && !trusted && !(pm &&
		    (strcasecmp(dom, c->hostname) == 0 ||
		    strcasecmp(dom, c->domain) == 0)))
			return RCPT_RELAY;
		if (pm)
			return RCPT_OK;
		if (r->kind == ROUTE_LOCAL)
			return check_map(c, rcpt);
		return check_recipients(c, rcpt, dom);
	}
	if (mdeliver_map(c) != NULL)
		return check_map(c, rcpt);
	return check_recipients(c, rcpt, dom);
}

int
rcpt_accepted(const char *rcpt)
{
	size_t	i;

	for (i = 0; i < naccepted; i++)
		if (strcmp(accepted[i], rcpt) == 0)
			return 1;
	return 0;
}

/* Parent: PS_RCPT_REQ. */
void
p_rcpt(struct parent *p, struct ps_msg *m)
{
	struct ps_buf	 b;
	char		 rcpt[SMTP_PATHMAX + 1], e[SMTP_PATHMAX * 4 + 1];
	int		 v;

	if (ps_get_str(m, rcpt, sizeof(rcpt)) == -1 || ps_end(m) == -1 ||
	    strchr(rcpt, '@') == NULL)
		parent_kill(p, "malformed recipient request");
	v = rcpt_check(p->conf, rcpt, p->peer->trusted ||
	    p->authuser[0] != '\0');
	if (v == RCPT_OK && !rcpt_accepted(rcpt)) {
		if (naccepted >= RCPT_MAXACCEPT)
			v = RCPT_TEMPFAIL;
		else if (rl_add(&accepted, &naccepted, rcpt) == -1)
			fatal("rcpt");
	}
	if (v != RCPT_OK)
		log_info("rcpt to=<%s> result=%s", log_escape(e, sizeof(e),
		    rcpt, strlen(rcpt)), v == RCPT_UNKNOWN ? "unknown" :
		    v == RCPT_RELAY ? "relay-denied" : "tempfail");
	ps_buf_init(&b);
	ps_add_u32(&b, (uint32_t)v);
	(void)parent_reply(p, PS_RCPT_ANS, m->hdr.id, -1, &b);
}
