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
 * The session's policy decisions (child side).  What outlives the
 * connection lives in the parent: the child asks for the greylist
 * verdict, the blocked file's sender action and DNS answers.  Every
 * decision is logged on one "policy" line with its reason.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "session.h"

#define TARPIT_CAP	30		/* seconds a session may be slowed down */

static struct ps_msg	 ans;		/* too big for the stack */
static int		 slept;		/* tarpit seconds so far */
static int		 warned_nodns;

/* A peer in ournets, or one that authenticated: relaying allowed. */
int
rules_trusted(const struct session *s)
{
	return s->peer->trusted || s->authuser[0] != '\0';
}

static const char *
esc(char *buf, size_t sz, const char *str)
{
	return log_escape(buf, sz, str, strlen(str));
}

static void
pause_sec(int sec)
{
	struct timespec	 ts, rem;

	if (sec <= 0)
		return;
	ts.tv_sec = sec;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

/* -D: sleep, within the session's cap. */
static void
tarpit(struct session *s, int sec)
{
	if (!s->conf->tarpit || s->peer->trusted || sec <= 0)
		return;
	if (sec > TARPIT_CAP - slept)
		sec = TARPIT_CAP - slept;
	if (sec <= 0)
		return;
	slept += sec;
	io_flush(s);
	pause_sec(sec);
}

/* -D after rejections: 1, 2, 4, 8 ... seconds, capped. */
static void
tarpit_rejects(struct session *s)
{
	if (s->rejects > 0)
		tarpit(s, 1 << (s->rejects > 5 ? 5 : s->rejects - 1));
}

/* Ask the parent; the answer is one u32.  -1: no answer. */
static int
ask(struct session *s, uint32_t type, const struct ps_buf *b, uint32_t atype,
    uint32_t *v)
{
	if (b->err || ps_request(s, type, b, atype, &ans) == -1)
		return -1;
	if (ps_get_u32(&ans, v) == -1 || ps_end(&ans) == -1)
		fatalx("bad answer of type %u from the parent", atype);
	return 0;
}

/* A destination domain we take mail for: policy.c's rule. */
int
rules_ourdomain(const struct session *s, const char *dom)
{
	return policy_ourdomain(s->conf, &s->peer->local, dom);
}

static void
reject(struct session *s)
{
	s->rejects++;
}

int
rules_connect(struct session *s)
{
	char	 line[SMTP_DOMAINMAX + 32];
	int	 n;

	/* BL: the early-talker trap, not for our own networks */
	if (s->conf->greetpause <= 0 || s->peer->trusted)
		return 0;
	n = snprintf(line, sizeof(line), "220-%s ESMTP\r\n", s->conf->hostname);
	if (n < 0 || (size_t)n >= sizeof(line))
		return 0;
	io_write(s, line, n);
	io_flush(s);
	if (io_wait(s, s->conf->greetpause * 1000) <= 0)
		return 0;
	log_info("policy addr=%s action=reject reason=early-talker",
	    s->peer->raddr);
	tarpit(s, s->conf->tarpitdelay);
	reply(s, 554, "5.7.0", "Talking before the greeting");
	io_flush(s);
	s->state = S_QUIT;
	return 1;
}

static const char *reserved_tld[] = {
	"localdomain", "localhost", "local", "example", "invalid", "lan", "test"
};

static int
has_letter(const char *p)
{
	for (; *p != '\0'; p++)
		if (isalpha((unsigned char)*p))
			return 1;
	return 0;
}

/* helo_extra(): the DNS could not say (451 4.4.3, not a pass) */
static const char HELO_TEMPFAIL[] = "dns-tempfail";

/* The 9front ckhello checks, and the DNS check. */
static const char *
helo_extra(struct session *s, const char *name)
{
	char		 n[SMTP_DOMAINMAX + 1], *tld, *sld;
	struct ps_buf	 b;
	uint32_t	 rv;
	size_t		 i, len;
	int		 resolves = 0;

	if (strlcpy(n, name, sizeof(n)) >= sizeof(n))
		return "toolong";
	len = strlen(n);
	if (len > 0 && n[len - 1] == '.')
		n[--len] = '\0';
	if ((tld = strrchr(n, '.')) == NULL)
		return "dotless";
	if (!has_letter(n))
		return "noletters";
	/* no resolver, or no answer: not a pass (451 4.4.3) */
	if (s->conf->unbound[0] == '\0')
		return HELO_TEMPFAIL;
	ps_buf_init(&b);
	ps_add_u32(&b, DNSQ_HELO);
	ps_add_str(&b, n);
	if (ask(s, PS_DNS_REQ, &b, PS_DNS_ANS, &rv) == -1 || rv == DNS_TEMPFAIL)
		return HELO_TEMPFAIL;
	if (rv == DNS_NXDOMAIN)
		return "dns-nxdomain";
	if (rv == DNS_BOGUS)
		return "dns-bogus";
	resolves = rv == DNS_OK || rv == DNS_MISMATCH || rv == DNS_NODATA;
	/* our own DNS knows the name: it may live under a private TLD */
	if (resolves)
		return NULL;
	for (i = 0; i < sizeof(reserved_tld) / sizeof(reserved_tld[0]); i++)
		if (strcasecmp(tld + 1, reserved_tld[i]) == 0)
			return "reserved-tld";
	*tld = '\0';
	sld = strrchr(n, '.');
	sld = sld ? sld + 1 : n;
	*tld = '.';
	if (strcasecmp(sld, "example.com") == 0 ||
	    strcasecmp(sld, "example.net") == 0 ||
	    strcasecmp(sld, "example.org") == 0)
		return "rfc2606";
	return NULL;
}

static const char *
helo_check(struct session *s, const char *name)
{
	if (name[0] == '[') {
		if (!policy_literal_is(name, &s->peer->remote))
			return "literal-mismatch";
		return NULL;
	}
	/* "claims to be us", unless it really is us connecting */
	if ((policy_same_name(name, s->conf->hostname) ||
	    policy_same_name(name, s->conf->domain)) &&
	    strcmp(s->peer->raddr, s->peer->laddr) != 0)
		return "claims-us";
	/* the extra checks only ask for AUTH (-E), never refuse alone */
	if (s->conf->nohelocheck || !s->conf->heloauth)
		return NULL;
	return helo_extra(s, name);
}

static int
refuse_dialup(struct session *s)
{
	reject(s);
	reply(s, 554, "5.7.1", "We don't accept mail from dial-up ports");
	return 1;
}

/*
 * HELO/EHLO checks for untrusted peers, off unless norelay (-f, the
 * default) or -E.  With norelay a name that claims to be us, or an
 * address literal that is not the peer's, is refused (550 5.7.1).  -E
 * adds the 9front ckhello checks (a dot, no reserved TLD, a letter, the
 * name in DNS) and turns every failure into "AUTH required" instead; when
 * the DNS cannot answer (no resolver, SERVFAIL, timeout) the name is not
 * taken: 451 4.4.3.  -e
 * drops the extra checks again; -q keeps failures out of the log.
 */
int
rules_helo(struct session *s, const char *name)
{
	char		 e[SMTP_DOMAINMAX * 4 + 1];
	const char	*why = NULL;

	if (s->dialup)
		return refuse_dialup(s);
	tarpit_rejects(s);
	if ((s->conf->norelay || s->conf->heloauth) && !rules_trusted(s))
		why = helo_check(s, name);
	if (why == HELO_TEMPFAIL) {
		log_info("policy addr=%s helo=\"%s\" action=tempfail reason=%s",
		    s->peer->raddr, esc(e, sizeof(e), name), why);
		reject(s);
		reply(s, 451, "4.4.3", "HELO name %s cannot be checked now, "
		    "try again later", esc(e, sizeof(e), name));
		return 1;
	}
	if (why != NULL) {
		if (!s->conf->heloquiet)
			log_info("policy addr=%s helo=\"%s\" action=%s reason=%s",
			    s->peer->raddr, esc(e, sizeof(e), name),
			    s->conf->heloauth ? "requireauth" : "reject", why);
		if (!s->conf->heloauth) {
			reject(s);
			tarpit(s, s->conf->tarpitdelay);
			reply(s, 550, "5.7.1", "HELO name %s refused (%s)",
			    esc(e, sizeof(e), name), why);
			return 1;
		}
		s->conf->requireauth = 1;	/* our copy: this session only */
		s->helonote = 1;	/* said in the HELO/EHLO reply's text */
	}
	tarpit(s, s->conf->tarpitdelay);
	return 0;
}

/* -r: does the sender's domain exist and take mail? */
static int
check_senderdom(struct session *s)
{
	char		 dom[SMTP_PATHMAX + 1], e[SMTP_PATHMAX * 4 + 1];
	char		 es[SMTP_PATHMAX * 4 + 1];
	struct ps_buf	 b;
	uint32_t	 rv;

	policy_addr_domain(s->sender, dom, sizeof(dom));
	if (dom[0] == '\0' || dom[0] == '[')
		return 0;
	/* no resolver: the domain cannot be verified, which is no pass */
	if (s->conf->unbound[0] == '\0') {
		if (!warned_nodns++)
			log_warnx("policy verifysenderdom is on but no resolver "
			    "is configured (unbound): senders refused with 451");
		rv = DNS_TEMPFAIL;
	} else {
		ps_buf_init(&b);
		ps_add_u32(&b, DNSQ_SENDERDOM);
		ps_add_str(&b, dom);
		if (ask(s, PS_DNS_REQ, &b, PS_DNS_ANS, &rv) == -1)
			rv = DNS_TEMPFAIL;
	}
	/* two buffers: the reply names the domain, the log the sender */
	esc(e, sizeof(e), dom);
	esc(es, sizeof(es), s->sender);
	switch (rv) {
	case DNS_NXDOMAIN:
	case DNS_NULLMX:
		log_info("policy sender=\"%s\" action=reject reason=senderdom-%s",
		    es,
		    rv == DNS_NXDOMAIN ? "nxdomain" : "nullmx");
		reject(s);
		reply(s, 550, "5.1.8", "Sender domain %s %s", e,
		    rv == DNS_NXDOMAIN ? "does not exist" :
		    "does not accept mail (null MX)");
		return 1;
	case DNS_TEMPFAIL:
	case DNS_BOGUS:
		log_info("policy sender=\"%s\" action=tempfail reason=senderdom-%s",
		    es,
		    rv == DNS_BOGUS ? "bogus" : "servfail");
		reject(s);
		reply(s, 451, "4.4.3", "Sender domain %s: %s, try again later", e,
		    rv == DNS_BOGUS ? "DNSSEC validation failed" :
		    "temporary DNS failure");
		return 1;
	default:
		return 0;
	}
}

int
rules_mail(struct session *s)
{
	char		 e[SMTP_PATHMAX * 4 + 1];
	enum action	 a;

	s->senderaction = ACT_NONE;
	if (s->dialup)
		return refuse_dialup(s);
	tarpit_rejects(s);
	if (rules_trusted(s))
		return 0;
	/* the blocked file was read before fork: this copy is the parent's */
	a = policy_mail(s->conf, s->peer, 0, s->sender);
	s->senderaction = a;
	if (a != ACT_NONE)
		log_info("policy addr=%s sender=\"%s\" action=%s reason=blocked-%s",
		    s->peer->raddr, esc(e, sizeof(e), s->sender),
		    a == ACT_DENY ? "reject" : action_name(a),
		    a == s->peer->ipaction ? "ip" : "sender");
	if (a == ACT_DENY) {
		reject(s);
		s->senderaction = ACT_NONE;
		reply(s, 554, "5.7.1", "We don't accept mail from %s",
		    esc(e, sizeof(e), s->sender));
		return 1;
	}
	if (s->conf->verifysender && !s->nullsender && a != ACT_ALLOW &&
	    check_senderdom(s)) {
		s->senderaction = ACT_NONE;
		return 1;
	}
	return 0;
}

int
rules_rcpt(struct session *s, const char *rcpt)
{
	char		 e[SMTP_PATHMAX * 4 + 1], e2[SMTP_PATHMAX * 4 + 1];
	const char	*why;
	struct ps_buf	 b;
	uint32_t	 v;

	if (s->dialup)
		return refuse_dialup(s);
	tarpit_rejects(s);
	if (rules_trusted(s))
		return 0;
	/* the parent applies the same rule to the commit (policy.c) */
	if ((why = policy_relay(s->conf, s->peer, 0, rcpt)) != NULL) {
		log_info("policy addr=%s sender=\"%s\" rcpt=\"%s\" action=reject "
		    "reason=%s", s->peer->raddr, esc(e, sizeof(e), s->sender),
		    esc(e2, sizeof(e2), rcpt), why);
		reject(s);
		if (strcmp(why, "relay") == 0)
			reply(s, 554, "5.7.1", "Relaying denied");
		else
			reply(s, 554, "5.7.1", "Relaying denied: no source "
			    "routes, no %%, ! or @ in the local part");
		return 1;
	}
	/* greylisting: not for allowed peers, nor for mail we refuse anyway */
	if (!s->conf->greylist || s->peer->ipaction == ACT_ALLOW ||
	    s->senderaction != ACT_NONE)
		return 0;
	ps_buf_init(&b);
	ps_add_str(&b, rcpt);
	if (ask(s, PS_GREY_REQ, &b, PS_GREY_ANS, &v) == -1)
		v = GREY_TEMPFAIL;
	if (v == GREY_PASS)
		return 0;
	log_info("policy addr=%s rcpt=\"%s\" action=tempfail reason=%s",
	    s->peer->raddr, esc(e, sizeof(e), rcpt),
	    v == GREY_DEFER ? "greylist" : "greylist-error");
	if (v == GREY_DEFER)
		reply(s, 451, "4.7.1", "Greylisted, please try again later");
	else
		reply(s, 451, "4.3.0", "Temporary failure, please try again later");
	return 1;
}

int
rules_data(struct session *s)
{
	if (s->dialup)
		return refuse_dialup(s);
	tarpit_rejects(s);
	if (s->senderaction == ACT_DIAL) {
		log_info("policy addr=%s action=reject reason=dialup",
		    s->peer->raddr);
		s->dialup = 1;
		return refuse_dialup(s);
	}
	return 0;
}

/* BLOCK and DELAY: the message was read; keep it (-s) and refuse it. */
int
rules_eom(struct session *s)
{
	char		 e[SMTP_PATHMAX * 4 + 1], esc3[8], text[256];
	struct ps_buf	 b;
	enum action	 a = s->senderaction;
	uint32_t	 code;
	size_t		 i;

	if (a != ACT_BLOCK && a != ACT_DELAY)
		return 0;
	if (s->conf->saveblocked) {
		ps_buf_init(&b);
		ps_add_str(&b, action_name(a));
		ps_add_str(&b, s->sender);
		ps_add_u32(&b, s->nrcpt);
		for (i = 0; i < s->nrcpt; i++)
			ps_add_str(&b, s->rcpt[i]);
		if (b.err || ps_request(s, PS_QUEUE_DUMP, &b, PS_QUEUE_ANS,
		    &ans) == -1 || ps_get_u32(&ans, &code) == -1 ||
		    ps_get_str(&ans, esc3, sizeof(esc3)) == -1 ||
		    ps_get_str(&ans, text, sizeof(text)) == -1)
			code = 0;
		s->spoolopen = 0;	/* the parent has closed it */
	} else
		code = 0;		/* session_reset() drops the spool */
	log_info("policy addr=%s sender=\"%s\" nrcpt=%zu action=%s saved=%s",
	    s->peer->raddr, esc(e, sizeof(e), s->sender), s->nrcpt,
	    action_name(a), s->conf->saveblocked ?
	    (code >= 200 && code < 300 ? "yes" : "failed") : "no");
	reject(s);
	if (a == ACT_BLOCK)
		reply(s, 554, "5.7.1", "Message refused by policy");
	else
		reply(s, 450, "4.7.1", "Message deferred by policy, "
		    "try again later");
	return 1;
}

/* RCPT: ask the parent (priv/rcpt.c); 0 when accepted, else the reply was sent. */
int
rcpt_ask(struct session *s, const char *rcpt)
{
	struct ps_buf	 b;
	uint32_t	 v = RCPT_TEMPFAIL;

	ps_buf_init(&b);
	ps_add_str(&b, rcpt);
	ps_request(s, PS_RCPT_REQ, &b, PS_RCPT_ANS, &ans);
	if (ps_get_u32(&ans, &v) == -1 || ps_end(&ans) == -1)
		fatalx("rcpt: bad answer from the parent");
	switch (v) {
	case RCPT_OK:
		return 0;
	case RCPT_UNKNOWN:
		reply(s, 550, "5.1.1", "<%s>: no such user here", rcpt);
		return 1;
	case RCPT_RELAY:
		reply(s, 554, "5.7.1", "Relaying denied");
		return 1;
	default:
		reply(s, 451, "4.3.0", "Temporary failure, please try again "
		    "later");
		return 1;
	}
}
