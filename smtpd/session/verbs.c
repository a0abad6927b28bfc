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
 * The verbs of RFC 5321 and its extensions (SIZE, 8BITMIME, SMTPUTF8,
 * CHUNKING, STARTTLS), each called by session.c's table in a state that
 * allows it; AUTH is in auth.c.
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

static int
helo_arg(struct session *s, char *args, int esmtp)
{
	if (strchr(args, ' ') != NULL || addr_parse_domain(args,
	    strlen(args)) != 0) {
		reply(s, 501, "5.5.4", "Syntax: %s domain or address literal",
		    esmtp ? "EHLO" : "HELO");
		return -1;
	}
	s->helo[0] = '\0';
	session_reset(s);
	s->esmtp = esmtp;
	s->helonote = 0;
	if (rules_helo(s, args))
		return -1;
	(void)strlcpy(s->helo, args, sizeof(s->helo));
	s->state = S_GREETED;
	session_state(s);
	log_info("helo name=%s proto=%s", s->helo, esmtp ? "ESMTP" : "SMTP");
	return 0;
}

/*
 * The first line of the HELO/EHLO reply: our name first (RFC 5321
 * 4.1.1.1), so -E's "AUTH required" goes in its text, never on a line
 * of its own before it.
 */
static void
helo_greeting(struct session *s, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s Hello %s [%s]%s", s->conf->hostname,
	    s->helo, s->peer->raddr, s->helonote ? ", HELO name not "
	    "accepted: authentication required" : "");
}

void
cmd_helo(struct session *s, char *args)
{
	char	first[SMTP_DOMAINMAX * 2 + 128];

	if (helo_arg(s, args, 0) == 0) {
		helo_greeting(s, first, sizeof(first));
		reply(s, 250, NULL, "%s", first);
	}
}

/* STARTTLS is offered with a certificate, once, before TLS is on. */
static int
starttls_offered(struct session *s)
{
	return s->conf->certfile[0] != '\0' && s->tls == NULL &&
	    (s->tlsctx != NULL || s->tlslater);
}

void
cmd_ehlo(struct session *s, char *args)
{
	const char	*lines[12];
	char		 first[SMTP_DOMAINMAX * 2 + 128], size[32], auth[256];
	char		 authline[sizeof(auth) + 8];
	size_t		 n = 0;

	if (helo_arg(s, args, 1) == -1)
		return;
	helo_greeting(s, first, sizeof(first));
	lines[n++] = first;
	lines[n++] = "PIPELINING";
	(void)snprintf(size, sizeof(size), "SIZE %zu", s->conf->maxsize);
	lines[n++] = size;
	lines[n++] = "8BITMIME";
	lines[n++] = "CHUNKING";
	lines[n++] = "ENHANCEDSTATUSCODES";
	lines[n++] = "SMTPUTF8";
	if (starttls_offered(s))
		lines[n++] = "STARTTLS";
	auth[0] = '\0';
	if (auth_offer(s, auth, sizeof(auth)) == 1 && auth[0] != '\0') {
		if (strncasecmp(auth, "AUTH", 4) == 0)
			(void)strlcpy(authline, auth, sizeof(authline));
		else
			(void)snprintf(authline, sizeof(authline), "AUTH %s",
			    auth);
		lines[n++] = authline;
	}
	lines[n++] = "HELP";
	reply_multi(s, 250, NULL, lines, n);
}

/* ESMTP parameters of MAIL (mail = 1) or RCPT: RFC 1870, 6152, 6531, 4954. */
static int
params(struct session *s, const char *rest, int mail)
{
	char		 buf[SMTP_CMDMAX], *p, *key, *val;
	const char	*err;
	long long	 size;

	if (*rest == '\0')
		return 0;
	if (*rest != ' ') {
		reply(s, 501, "5.5.4", "Syntax error after the address");
		return -1;
	}
	(void)strlcpy(buf, rest, sizeof(buf));
	for (p = buf; (key = strsep(&p, " ")) != NULL; ) {
		if (*key == '\0')
			continue;
		if ((val = strchr(key, '=')) != NULL)
			*val++ = '\0';
		if (!s->esmtp || !mail) {
			reply(s, 555, "5.5.4", "Unsupported parameter %.64s",
			    key);
			return -1;
		}
		if (strcasecmp(key, "SIZE") == 0) {
			size = val == NULL ? 0 :
			    strtonum(val, 0, LLONG_MAX, &err);
			if (val == NULL || err != NULL) {
				reply(s, 501, "5.5.4", "Bad SIZE value");
				return -1;
			}
			if (s->conf->maxsize > 0 &&
			    (unsigned long long)size > s->conf->maxsize) {
				reply(s, 552, "5.3.4", "Message size exceeds "
				    "fixed maximum message size");
				return -1;
			}
			s->declsize = (size_t)size;
		} else if (strcasecmp(key, "BODY") == 0) {
			if (val != NULL && strcasecmp(val, "7BIT") == 0)
				s->body = BODY_7BIT;
			else if (val != NULL && strcasecmp(val, "8BITMIME") == 0)
				s->body = BODY_8BITMIME;
			else {
				reply(s, 501, "5.5.4", "Bad BODY value");
				return -1;
			}
		} else if (strcasecmp(key, "SMTPUTF8") == 0 && val == NULL)
			s->smtputf8 = 1;
		else if (strcasecmp(key, "AUTH") == 0 && val != NULL)
			;	/* RFC 4954 5: accepted, not trusted */
		else {
			reply(s, 555, "5.5.4", "Unsupported parameter %.64s",
			    key);
			return -1;
		}
	}
	return 0;
}

/* "FROM:" or "TO:", then optional spaces, as Plan 9 allowed. */
static const char *
path_start(const char *args, const char *kw)
{
	size_t	n = strlen(kw);

	if (strncasecmp(args, kw, n) != 0)
		return NULL;
	args += n;
	while (*args == ' ')
		args++;
	return args;
}

void
cmd_mail(struct session *s, char *args)
{
	char		 path[SMTP_PATHMAX + 1], esc[SMTP_PATHMAX * 4];
	const char	*p, *rest;
	int		 r;

	if (s->conf->requireauth && s->authuser[0] == '\0') {
		reply(s, 530, "5.7.0", "Authentication required");
		return;
	}
	if ((p = path_start(args, "FROM:")) == NULL) {
		reply(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		return;
	}
	if ((r = addr_parse_path(p, path, sizeof(path), &rest)) == -1 ||
	    (path[0] != '\0' && strchr(path, '@') == NULL)) {
		reply(s, 501, "5.1.7", "Bad sender address syntax");
		return;
	}
	s->body = BODY_7BIT;
	s->smtputf8 = 0;
	s->declsize = 0;
	if (params(s, rest, 1) == -1)
		return;
	if (strchr(path, ' ') != NULL) {
		/* the mailer takes addresses as words */
		reply(s, 553, "5.1.7", "Spaces in addresses not accepted");
		return;
	}
	if (r == 1 && !s->smtputf8) {
		reply(s, 553, "5.6.7", "UTF-8 address needs SMTPUTF8");
		return;
	}
	(void)strlcpy(s->sender, path, sizeof(s->sender));
	s->nullsender = path[0] == '\0';
	s->state = S_MAIL;
	/* COMMIT carries the sender: count it toward the payload */
	s->rcptbytes = 64 + strlen(path);
	if (rules_mail(s)) {
		session_reset(s);
		return;
	}
	log_escape(esc, sizeof(esc), path, strlen(path));
	log_info("mail from=<%s> size=%zu body=%s%s", esc, s->declsize,
	    s->body == BODY_8BITMIME ? "8bitmime" : "7bit",
	    s->smtputf8 ? " smtputf8=1" : "");
	reply(s, 250, "2.1.0", "Sender <%s> OK", path);
}

void
cmd_rcpt(struct session *s, char *args)
{
	char		 path[SMTP_PATHMAX + 1], esc[SMTP_PATHMAX * 4], **v;
	const char	*p, *rest, *dom;
	size_t		 max = s->conf->maxrcpt > 0 ? s->conf->maxrcpt : 100;
	int		 r;

	if ((p = path_start(args, "TO:")) == NULL) {
		reply(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		return;
	}
	if ((r = addr_parse_path(p, path, sizeof(path), &rest)) == -1 ||
	    path[0] == '\0') {
		reply(s, 501, "5.1.3", "Bad recipient address syntax");
		return;
	}
	if (params(s, rest, 0) == -1)
		return;
	if (strchr(path, ' ') != NULL) {
		reply(s, 553, "5.1.3", "Spaces in addresses not accepted");
		return;
	}
	if (r == 1 && !s->smtputf8) {
		reply(s, 553, "5.6.7", "UTF-8 address needs SMTPUTF8");
		return;
	}
	if (strchr(path, '@') == NULL) {
		/* RFC 5321 4.5.1: "<postmaster>" is ours */
		dom = s->conf->domain[0] != '\0' ? s->conf->domain :
		    s->conf->hostname;
		if (strlcat(path, "@", sizeof(path)) >= sizeof(path) ||
		    strlcat(path, dom, sizeof(path)) >= sizeof(path)) {
			reply(s, 501, "5.1.3", "Bad recipient address syntax");
			return;
		}
	}
	/* RFC 5321 4.5.3.1.8; the COMMIT message must hold them all too */
	if (s->nrcpt >= max ||
	    s->rcptbytes + strlen(path) + 4 > PS_MAXPAYLOAD) {
		reply(s, 452, "4.5.3", "Too many recipients");
		return;
	}
	if (rules_rcpt(s, path) || rcpt_ask(s, path))
		return;
	if ((v = reallocarray(s->rcpt, s->nrcpt + 1, sizeof(*v))) == NULL)
		fatal("reallocarray");
	s->rcpt = v;
	if ((s->rcpt[s->nrcpt] = strdup(path)) == NULL)
		fatal("strdup");
	s->nrcpt++;
	s->rcptbytes += strlen(path) + 4;
	s->state = S_RCPT;
	log_escape(esc, sizeof(esc), path, strlen(path));
	log_info("rcpt to=<%s>", esc);
	reply(s, 250, "2.1.5", "Recipient <%s> OK", path);
}

/* A spool from the parent, our trace lines in it: 0, or -1 after 451. */
static int
spool_open(struct session *s)
{
	static struct ps_msg	m;
	uint32_t		ok;

	ps_request(s, PS_QUEUE_OPEN, NULL, PS_QUEUE_FD, &m);
	/* the peer's PTR name comes here: the parent looks it up (dns.c) */
	if (ps_get_u32(&m, &ok) == -1 ||
	    ps_get_str(&m, s->msgid, sizeof(s->msgid)) == -1 ||
	    ps_get_str(&m, s->peer->rdns, sizeof(s->peer->rdns)) == -1 ||
	    ps_end(&m) == -1 || (ok && m.fd == -1) || (!ok && m.fd != -1))
		fatalx("bad PS_QUEUE_FD");
	if (!ok) {
		reply(s, 451, "4.3.0", "Local error: cannot queue, try later");
		session_reset(s);
		return -1;
	}
	s->spoolfd = m.fd;
	s->spoolopen = 1;
	if (data_begin(s) == -1) {
		reply(s, 451, "4.3.0", "Local error writing the message");
		session_reset(s);
		return -1;
	}
	return 0;
}

void
cmd_data(struct session *s, char *args)
{
	if (rules_data(s) || spool_open(s) == -1)
		return;
	io_clock(s, 1);		/* messagetimeout: 354 to the final dot */
	s->state = S_DATA;
	reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	(void)io_flush(s);
	(void)data_receive(s);
	s->nmsg++;
	session_reset(s);
}

/* "size [LAST]" (RFC 3030 2): 0, or -1 when it is anything else. */
static int
bdat_args(const char *args, size_t *size, int *last)
{
	char		 num[24];
	const char	*err;
	size_t		 n;
	long long	 v;

	n = strspn(args, "0123456789");
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, args, n);
	num[n] = '\0';
	v = strtonum(num, 0, SSIZE_MAX, &err);
	if (err != NULL)
		return -1;
	args += n;
	*last = 0;
	if (*args == ' ') {
		args += strspn(args, " ");
		if (strcasecmp(args, "LAST") != 0)
			return -1;
		*last = 1;
	} else if (*args != '\0')
		return -1;
	*size = (size_t)v;
	return 0;
}

/*
 * RFC 3030.  The octets of a chunk are read whatever we answer, so that
 * none of them is ever taken for a command; when they cannot be (a size
 * we cannot parse, or one over the SIZE we offer, which we will not read
 * only to drop), the connection is closed.  The first chunk of a
 * message opens the spool as DATA does; an answer comes after each.
 */
void
cmd_bdat(struct session *s, char *args)
{
	size_t	size;
	int	last, r;

	if (bdat_args(args, &size, &last) == -1) {
		reply(s, 501, "5.5.4", "Syntax: BDAT size [LAST]; closing "
		    "connection");
		session_close(s, "bdat-syntax");
	}
	if (s->conf->maxsize > 0 && size > s->conf->maxsize) {
		reply(s, 552, "5.3.4", "Message size exceeds fixed maximum "
		    "message size; closing connection");
		session_close(s, "bdat-size");
	}
	if (s->dialup) {
		data_discard(s, size);
		reply(s, 554, "5.7.1", "We don't accept mail from dial-up ports");
		return;
	}
	if (!(s->state & (S_RCPT | S_BDAT))) {
		data_discard(s, size);
		reply(s, 503, "5.5.1", "Bad sequence of commands: %s",
		    s->state == S_MAIL ? "Need RCPT before BDAT" :
		    "Need MAIL and RCPT before BDAT");
		return;
	}
	if (s->state == S_RCPT && (rules_data(s) || spool_open(s) == -1)) {
		data_discard(s, size);
		return;
	}
	if (s->state == S_RCPT)
		io_clock(s, 1);	/* messagetimeout: first chunk to LAST */
	s->state = S_BDAT;
	r = data_chunk(s, size, last);
	if (last || r == -1) {
		s->nmsg++;
		session_reset(s);
	}
	if (last)
		(void)io_flush(s);
}

void
cmd_rset(struct session *s, char *args)
{
	session_reset(s);
	reply(s, 250, "2.0.0", "OK");
}

void
cmd_noop(struct session *s, char *args)
{
	reply(s, 250, "2.0.0", "OK");
}

void
cmd_quit(struct session *s, char *args)
{
	reply(s, 221, "2.0.0", "%s closing connection", s->conf->hostname);
	session_close(s, "quit");
}

/* RFC 5321 3.5.3 and 7.3: no user enumeration */
void
cmd_vrfy(struct session *s, char *args)
{
	reply(s, 252, "2.1.5", "Cannot VRFY user, but will accept message "
	    "and attempt delivery");
}

/* HELP names only the commands this session would take now. */
void
cmd_help(struct session *s, char *args)
{
	const char	*lines[4];
	char		 more[32], auth[256];

	(void)snprintf(more, sizeof(more), "HELP%s%s",
	    starttls_offered(s) ? " STARTTLS" : "",
	    auth_offer(s, auth, sizeof(auth)) == 1 ? " AUTH" : "");
	lines[0] = "upas smtpd, RFC 5321 with PIPELINING SIZE 8BITMIME CHUNKING "
	    "SMTPUTF8";
	lines[1] = "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY "
	    "EXPN";
	lines[2] = more;
	lines[3] = "End of HELP info";
	reply_multi(s, 214, "2.0.0", lines, 4);
}

/* 220, the handshake, and everything learnt in the clear forgotten. */
void
session_starttls(struct session *s)
{
	reply(s, 220, "2.0.0", "Ready to start TLS");
	(void)io_flush(s);
	if (tls_start(s) == -1)
		session_exit(s, "tls-failed");
	s->ibeg = s->iend = 0;
	s->helo[0] = '\0';
	s->esmtp = 0;
	s->authuser[0] = '\0';
	session_reset(s);
	session_state(s);
}

/*
 * RFC 3207.  Input pipelined after STARTTLS was sent in the clear and
 * must not be taken as if it came through TLS (CVE-2011-0411).
 */
void
cmd_starttls(struct session *s, char *args)
{
	if (s->conf->certfile[0] == '\0') {
		reply(s, 502, "5.5.1", "STARTTLS not available");
		return;
	}
	if (s->tls != NULL) {
		reply(s, 503, "5.5.1", "TLS already active");
		return;
	}
	if (s->tlsctx == NULL && !s->tlslater) {
		reply(s, 454, "4.7.0", "TLS not available due to temporary "
		    "reason");
		return;
	}
	if (io_pending(s)) {
		reply(s, 554, "5.5.1", "Command pipelined after STARTTLS");
		session_close(s, "starttls-pipelining");
	}
	if (s->tlsctx == NULL) {
		/* the child waiting for STARTTLS takes over (tlsmod.c) */
		session_reset(s);
		tls_handoff(s);
		reply(s, 454, "4.7.0", "TLS not available due to temporary "
		    "reason");
		return;
	}
	session_starttls(s);
}
