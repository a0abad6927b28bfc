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
 * The privileged side of one connection: the rule table.  It never parses
 * SMTP: each request from the child is checked against ps_rules[] (type,
 * payload bounds, fd, once-only, state; loop.c) before its handler runs,
 * and anything unexpected is an attack: log it, kill the child, exit.
 * The client then just sees the connection close, and never got a 250
 * for anything not yet handed to the mailer.  The child's log lines and
 * state reports are handled here too.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

#define LOG_BURST	200	/* child log lines before the rate limit... */
#define LOG_RATE	20	/* ...then this many per second */

static void	p_log(struct parent *, struct ps_msg *);
static void	p_state(struct parent *, struct ps_msg *);

static const struct ps_rule ps_rules[] = {
	{ PS_LOG,	   8, 4 + 4 + 8192,	0,		p_log },
	{ PS_STATE,	   4, 4,		0,		p_state },
	{ PS_QUEUE_OPEN,   0, 0,		R_HELO | R_NOSPOOL, p_queue_open },
	{ PS_QUEUE_COMMIT, 28, PS_MAXPAYLOAD,	R_HELO | R_SPOOL, p_queue_commit },
	{ PS_QUEUE_ABORT,  0, 0,		0,		p_queue_abort },
	{ PS_QUEUE_DUMP,   12, PS_MAXPAYLOAD,	R_HELO | R_SPOOL, p_queue_dump },
	{ PS_GREY_REQ,	   4, 4 + SMTP_PATHMAX,	R_HELO,		p_grey },
	/* HELO's own DNS check comes before ST_HELO */
	{ PS_DNS_REQ,	   8, 8 + SMTP_PATHMAX,	0,		p_dns },
	{ PS_AUTH_CHAL_REQ, 0, 0,		R_HELO | R_NEEDTLS, p_auth_chal },
	{ PS_AUTH_REQ,	   16, 4096,		R_HELO | R_NEEDTLS, p_auth },
	/* mid-handshake, before the child can report ST_TLS */
	{ PS_SIGN_REQ,	   12, 4096,		0,		p_sign },
	{ PS_RCPT_REQ,	   4, 4 + SMTP_PATHMAX,	0,		p_rcpt },
	{ PS_TLS_REQ,	   0, 0,		R_ONCE | R_NOSPOOL, p_tls },
};

/*
 * Child log lines: the child's own words, so printable bytes only, and a
 * rate limit so a compromised child cannot flood the log.
 */
static void
p_log(struct parent *p, struct ps_msg *m)
{
	static time_t	 last;
	static int	 tokens = LOG_BURST, dropped;
	char		 line[8192], out[8192 + 64], *s;
	const char	*sid = log_getsid();
	uint32_t	 prio = 0;
	time_t		 now;
	size_t		 sl = strlen(sid);

	if (ps_get_u32(m, &prio) == -1 ||
	    ps_get_str(m, line, sizeof(line)) == -1)
		parent_kill(p, "malformed log message");
	parent_end(p, m);
	now = time(NULL);
	if (now != last) {
		/* the first line finds last == 0: a full bucket */
		if (now - last >= LOG_BURST / LOG_RATE || now < last)
			tokens = LOG_BURST;
		else
			tokens += (int)(now - last) * LOG_RATE;
		if (tokens > LOG_BURST)
			tokens = LOG_BURST;
		last = now;
	}
	if (tokens <= 0) {
		dropped++;
		return;
	}
	tokens--;
	if (dropped) {
		log_warnx("session: %d log lines dropped (rate limit)", dropped);
		dropped = 0;
	}
	for (s = line; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	s = line;
	if (sl > 0 && strncmp(s, sid, sl) == 0 && s[sl] == ' ')
		s += sl + 1;
	if (prio > LOG_DEBUG || prio < LOG_ERR)
		prio = prio < LOG_ERR ? LOG_ERR : LOG_DEBUG;
	/* the address is the parent's, ahead of anything the child says */
	if (sl > 0)
		(void)snprintf(out, sizeof(out), "%s addr=%s session: %s", sid,
		    log_getaddr(), s);
	else
		(void)snprintf(out, sizeof(out), "addr=%s session: %s",
		    log_getaddr(), s);
	log_line((int)prio, out);
}

static void
p_state(struct parent *p, struct ps_msg *m)
{
	uint32_t	st = 0;

	if (ps_get_u32(m, &st) == -1)
		parent_kill(p, "malformed state");
	parent_end(p, m);
	if (st & ~(uint32_t)(ST_TLS | ST_HELO))
		parent_kill(p, "unknown state bits");
	if ((p->state & ST_TLS) && !(st & ST_TLS))
		parent_kill(p, "TLS cannot be undone");
	p->state = st;
}

__attribute__((noreturn)) void
parent_run(struct parent *p)
{
	parent_loop(p, ps_rules, sizeof(ps_rules) / sizeof(ps_rules[0]));
}
