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
 * The session child's dispatcher: the greeting, then one command per CRLF
 * line through a verb table that says in which states each verb is
 * allowed (RFC 5321 4.1.4).  The verbs are in verbs.c and auth.c;
 * everything the child cannot decide alone is asked of the parent
 * (ask.c); policy lives in rules.c, DATA and BDAT in data.c.
 */

#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

#define C_ARG		0x1	/* an argument is required */
#define C_NOARG		0x2	/* no argument allowed */
#define C_SYNC		0x4	/* RFC 2920 group end: flush replies */
#define C_RAW		0x8	/* octets follow: the verb checks all itself */

#define S_ANY		(S_CONNECTED | S_GREETED | S_MAIL | S_RCPT | S_BDAT)
#define S_NOTX		(S_CONNECTED | S_GREETED)

struct verb {
	const char	*name;
	int		 states;
	int		 flags;
	void		(*fn)(struct session *, char *);
	const char	*outofstate;	/* the 503 text */
};

static const struct verb verbs[] = {
	{ "HELO",	S_ANY,		C_ARG | C_SYNC,	cmd_helo,	NULL },
	{ "EHLO",	S_ANY,		C_ARG | C_SYNC,	cmd_ehlo,	NULL },
	{ "MAIL",	S_GREETED,	C_ARG,		cmd_mail,
	    "MAIL not allowed here: say EHLO first, one MAIL per transaction" },
	{ "SEND",	S_GREETED,	C_ARG,		cmd_mail,	NULL },
	{ "SOML",	S_GREETED,	C_ARG,		cmd_mail,	NULL },
	{ "SAML",	S_GREETED,	C_ARG,		cmd_mail,	NULL },
	{ "RCPT",	S_MAIL | S_RCPT, C_ARG,		cmd_rcpt,
	    "Need MAIL before RCPT" },
	{ "DATA",	S_RCPT,		C_NOARG | C_SYNC, cmd_data,
	    "Need RCPT before DATA" },
	{ "BDAT",	S_ANY,		C_RAW,		cmd_bdat,	NULL },
	{ "RSET",	S_ANY,		C_NOARG,	cmd_rset,	NULL },
	{ "NOOP",	S_ANY,		C_SYNC,		cmd_noop,	NULL },
	{ "QUIT",	S_ANY,		C_NOARG | C_SYNC, cmd_quit,	NULL },
	/* RFC 5321 4.1.4: these may come before EHLO */
	{ "VRFY",	S_NOTX | S_MAIL | S_RCPT, C_ARG | C_SYNC, cmd_vrfy,
	    NULL },
	{ "EXPN",	S_NOTX | S_MAIL | S_RCPT, C_ARG | C_SYNC, cmd_vrfy,
	    NULL },
	{ "HELP",	S_ANY,		C_SYNC,		cmd_help,	NULL },
	{ "STARTTLS",	S_GREETED,	C_NOARG | C_SYNC, cmd_starttls,
	    "STARTTLS only after EHLO and outside a transaction" },
	{ "AUTH",	S_GREETED,	C_ARG | C_SYNC,	cmd_auth,
	    "AUTH only after EHLO and outside a transaction" },
};

static const struct verb *
verb_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcasecmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* One command line: look the verb up, check state and arguments, run it. */
static void
session_command(struct session *s, char *line)
{
	const struct verb	*c;
	char			*args;
	size_t			 n;

	n = strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	if ((args = strchr(line, ' ')) != NULL) {
		*args++ = '\0';
		while (*args == ' ')
			args++;
	} else
		args = line + n;
	if (line[0] == '\0' || (c = verb_find(line)) == NULL) {
		reply(s, 500, "5.5.2", "Command unrecognized");
		return;
	}
	if (c->flags & C_RAW) {
		c->fn(s, args);
		return;
	}
	if (s->dialup && c->fn != cmd_quit) {
		reply(s, 554, "5.7.1", "We don't accept mail from dial-up ports");
		return;
	}
	if (!(c->states & s->state) && s->state == S_BDAT)
		reply(s, 503, "5.5.1", "Bad sequence of commands: %s inside a "
		    "BDAT transaction (RSET ends it)", c->name);
	else if (!(c->states & s->state))
		reply(s, 503, "5.5.1", "Bad sequence of commands%s%s",
		    c->outofstate ? ": " : "", c->outofstate ? c->outofstate : "");
	else if ((c->flags & C_ARG) && args[0] == '\0')
		reply(s, 501, "5.5.4", "Syntax: %s needs an argument", c->name);
	else if ((c->flags & C_NOARG) && args[0] != '\0')
		reply(s, 501, "5.5.4", "Syntax: %s takes no argument", c->name);
	else
		c->fn(s, args);
	if (c->flags & C_SYNC)
		(void)io_flush(s);
}

__attribute__((noreturn)) void
session_run(struct session *s)
{
	char	line[SMTP_CMDMAX + 1];
	size_t	len;
	int	r;

	if (s->sessend == 0)	/* (set at connect when a child may take over) */
		io_clock(s, 0);	/* sessiontimeout counts from here */
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGXFSZ, SIG_IGN);
	log_procinit("session");
	if (s->peer->sid[0] != '\0')
		log_setsid(s->peer->sid);
	session_logto(s->psfd);
	s->spoolfd = -1;
	s->ibeg = s->iend = s->olen = 0;
	session_reset(s);

	if (s->tlstakeover) {
		/* the previous child took STARTTLS (tlsmod.c) */
		if (s->tlsctx != NULL)
			session_starttls(s);
		else {
			reply(s, 454, "4.7.0", "TLS not available due to "
			    "temporary reason");
			session_state(s);
		}
	} else {
		if (rules_connect(s))
			session_close(s, "refused");
		reply(s, 220, NULL, "%s ESMTP upas", s->conf->hostname);
	}
	(void)io_flush(s);

	for (;;) {
		r = io_getline(s, line, sizeof(line), s->conf->timeout, &len);
		if (r <= 0)
			session_ioerr(s, r);
		if (r & IO_BARE)
			reply(s, 500, "5.5.2", "bare CR/LF or NUL in command");
		else if ((r & IO_LONG) || len > SMTP_CMDMAX - 2)
			reply(s, 500, "5.5.6", "Command line too long");
		else
			session_command(s, line);
		if (s->conf->maxerrors > 0 && s->errors > s->conf->maxerrors) {
			reply(s, 421, "4.7.0", "%s Too many errors, closing "
			    "connection", s->conf->hostname);
			session_close(s, "errors");
		}
	}
}

