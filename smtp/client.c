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
 * The SMTP dialogue with one server (RFC 5321, 3207, 2920, 1870, 6152,
 * 6531, 4954): greeting, EHLO/HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"

#define QUIT_TIMEOUT	30

static size_t	nstatus(const struct session *, int);

/* reply text on one line, for the per-recipient report */
static void
flat(char *d, size_t n, const struct reply *r)
{
	size_t	i;

	(void)strlcpy(d, r->text, n);
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] == '\n')
			d[i] = ' ';
}

static void
setrcpt(struct rcpt *rc, int st, const char *text)
{
	rc->status = st;
	if (text != NULL)
		(void)strlcpy(rc->reply, text, sizeof(rc->reply));
}

/* every recipient still in want gets st */
static void
setall(struct session *s, int want, int st, const char *text)
{
	size_t	i;

	for (i = 0; i < s->nrcpt; i++)
		if (s->rcpt[i].status == want)
			setrcpt(&s->rcpt[i], st, text);
}

static int
class(int code)
{
	if (code >= 200 && code < 400)
		return RS_OK;
	if (code >= 500 && code < 600)
		return RS_FAIL;
	return RS_RETRY;
}

static void
quit(struct session *s)
{
	struct reply	r;

	if (s->c.fd != -1)
		(void)conn_cmd(&s->c, &r, QUIT_TIMEOUT, "QUIT");
}

static int
failhost(struct session *s, const char *what, const struct reply *r, int doquit)
{
	char	t[600];

	flat(t, sizeof(t), r);
	(void)snprintf(s->err, sizeof(s->err), "%s %s: %s", what,
	    mxhost_str(s->mx), t);
	if (doquit && r->code != -1)
		quit(s);
	return C_NEXT;
}

static int
ehlo(struct session *s, struct reply *r)
{
	int	code;

	code = conn_cmd(&s->c, r, tmo(s->o, 300), "%s %s",
	    s->lmtp ? "LHLO" : "EHLO", s->o->helo);
	if (code / 100 == 5 && !s->lmtp) {
		/* RFC 5321 3.2: the server does not know EHLO; 4yz is no reason */
		code = conn_cmd(&s->c, r, tmo(s->o, 300), "HELO %s",
		    s->o->helo);
		memset(&s->caps, 0, sizeof(s->caps));
		return code / 100 == 2 ? 0 : -1;
	}
	if (code / 100 != 2)
		return -1;
	caps_parse(&s->caps, r);
	return 0;
}

static int
starttls(struct session *s, struct reply *r)
{
	int	code;

	code = conn_cmd(&s->c, r, tmo(s->o, 300), "STARTTLS");
	if (code == -1)
		return failhost(s, "STARTTLS to", r, 0);
	if (code / 100 != 2) {
		if (s->policy != POL_OPPORTUNISTIC) {
			(void)failhost(s, "TLS required but STARTTLS refused by",
			    r, 1);
			tls_sts_err(s);
			return C_NEXT;
		}
		/*
		 * A 4yz is "not now": a backup MX may do better.  The last
		 * host goes on in the clear, as RFC 3207 4.1 lets it.
		 */
		if (code / 100 == 4 && s->more)
			return failhost(s, "STARTTLS to", r, 1);
		log_info("STARTTLS refused by %s, going on in the clear",
		    mxhost_str(s->mx));
		return -1;
	}
	if (tls_start(s, s->err, sizeof(s->err)) == -1) {
		log_warnx("%s (policy=%s)", s->err, policy_name(s->policy));
		s->tlsfailed = 1;
		tls_sts_err(s);
		return s->policy == POL_OPPORTUNISTIC ? C_NOTLS : C_NEXT;
	}
	/* RFC 3207 4.2: forget what was said in the clear */
	if (ehlo(s, r) == -1)
		return failhost(s, "EHLO after STARTTLS to", r, 1);
	return -1;
}

/* Greeting, EHLO, TLS, AUTH; -1 when ready for MAIL, else the outcome. */
static int
hello(struct session *s)
{
	struct reply	r;
	int		rv;

	if (s->o->tflag && tls_start(s, s->err, sizeof(s->err)) == -1) {
		log_warnx("%s (policy=%s)", s->err, policy_name(s->policy));
		tls_sts_err(s);
		return C_NEXT;
	}
	if (s->o->Aflag && conn_cmd(&s->c, &r, tmo(s->o, 300), "NOOP") == -1)
		return failhost(s, "NOOP to", &r, 0);
	if (conn_reply(&s->c, &r, tmo(s->o, 300)) / 100 != 2)
		return failhost(s, "greeting from", &r, 1);
	if (ehlo(s, &r) == -1)
		return failhost(s, "EHLO/HELO to", &r, 1);
	if (s->c.tls == NULL && (s->caps.flags & CAP_STARTTLS) && !s->o->notls) {
		if ((rv = starttls(s, &r)) != -1)
			return rv;
	}
	if (s->c.tls == NULL && s->policy != POL_OPPORTUNISTIC) {
		(void)snprintf(s->err, sizeof(s->err), "TLS required "
		    "(policy=%s) but %s does not offer STARTTLS",
		    policy_name(s->policy), mxhost_str(s->mx));
		tls_sts_err(s);
		quit(s);
		return C_NEXT;
	}
	if (s->o->aflag && (s->caps.flags & CAP_AUTH)) {
		if (s->c.tls == NULL && !s->o->iflag)
			log_warnx("%s offers AUTH but the session is not "
			    "encrypted: not authenticating (-i would)",
			    mxhost_str(s->mx));
		else if ((rv = auth_run(s, &r)) != -1) {
			quit(s);
			return rv;
		}
	}
	return -1;
}

/* What the message needs of the server; 0, or every recipient failed. */
static int
needs(struct session *s)
{
	char	t[300];
	size_t	i;

	t[0] = '\0';
	if (s->utf8 && !(s->caps.flags & CAP_SMTPUTF8)) {
		/* U-label domains went as A-labels; a UTF-8 local part cannot */
		(void)snprintf(t, sizeof(t), "553 5.6.7 the local part is not "
		    "ASCII and the server does not offer SMTPUTF8 (RFC 6531)");
		if (s->afrom == NULL) {
			log_warnx("%s: the sender: %s", mxhost_str(s->mx), t);
			setall(s, RS_PENDING, RS_FAIL, t);
			return -1;
		}
		for (i = 0; i < s->nrcpt; i++)
			if (s->rcpt[i].status == RS_PENDING &&
			    s->rcpt[i].asc == NULL)
				setrcpt(&s->rcpt[i], RS_FAIL, t);
		t[0] = '\0';
		if (nstatus(s, RS_PENDING) == 0)
			return -1;
	}
	/* RFC 6152 3: a server without 8BITMIME gets the 7-bit version */
	s->cur = s->msg;
	if (s->info->eightbit && !(s->caps.flags &
	    (CAP_8BITMIME | CAP_SMTPUTF8))) {
		if (s->msg7 != NULL)
			s->cur = s->msg7;
		else
			(void)snprintf(t, sizeof(t), "554 5.6.3 the message "
			    "has 8-bit data, the server does not offer "
			    "8BITMIME (RFC 6152) and %s", s->why7);
	}
	if (t[0] == '\0' && (s->caps.flags & CAP_SIZE) && s->caps.size > 0 &&
	    s->cur->len > s->caps.size)
		(void)snprintf(t, sizeof(t), "552 5.3.4 message size %zu "
		    "exceeds the server's limit of %llu (RFC 1870)",
		    s->cur->len, s->caps.size);
	if (t[0] == '\0')
		return 0;
	log_warnx("%s: %s", mxhost_str(s->mx), t);
	setall(s, RS_PENDING, RS_FAIL, t);
	return -1;
}

/* RFC 6531: UTF-8 addresses only to a server that offers SMTPUTF8 */
static int
useutf8(const struct session *s)
{
	return s->utf8 && (s->caps.flags & CAP_SMTPUTF8);
}

/* RFC 3461: the DSN parameters go only to a server that offers DSN */
static int
usedsn(const struct session *s)
{
	return (s->caps.flags & CAP_DSN) != 0;
}

static void
rcptcmd(struct session *s, size_t i, char *buf, size_t n)
{
	char	notify[80] = "", orcpt[600] = "", x[560];

	if (usedsn(s)) {
		if (s->o->notify != NULL)
			(void)snprintf(notify, sizeof(notify), " NOTIFY=%s",
			    s->o->notify);
		/*
		 * RFC 3461 4.2: the address as it was given to us; RFC 6533
		 * 3: a UTF-8 one as utf-8-addr-xtext, type utf-8
		 */
		if (s->rcpt[i].orcpt != NULL &&
		    xtext(x, sizeof(x), s->rcpt[i].orcpt) == 0)
			(void)snprintf(orcpt, sizeof(orcpt), " ORCPT=rfc822;%s",
			    x);
		else if (s->rcpt[i].orcpt != NULL && useutf8(s) &&
		    utf8xtext(x, sizeof(x), s->rcpt[i].orcpt) == 0)
			(void)snprintf(orcpt, sizeof(orcpt), " ORCPT=utf-8;%s",
			    x);
	}
	(void)snprintf(buf, n, "RCPT TO:<%s>%s%s", useutf8(s) ?
	    s->rcpt[i].addr : s->rcpt[i].asc, notify, orcpt);
}

static void
mailcmd(struct session *s, char *buf, size_t n)
{
	char	size[40] = "", dsn[300] = "";

	if (s->caps.flags & CAP_SIZE)
		(void)snprintf(size, sizeof(size), " SIZE=%zu", s->cur->len);
	if (usedsn(s))
		(void)snprintf(dsn, sizeof(dsn), "%s%s%s%s",
		    s->o->ret ? " RET=" : "", s->o->ret ? s->o->ret : "",
		    s->o->envid[0] ? " ENVID=" : "", s->o->envid);
	(void)snprintf(buf, n, "MAIL FROM:<%s>%s%s%s%s", useutf8(s) ?
	    s->from : s->afrom, size, s->cur == s->msg && s->info->eightbit &&
	    (s->caps.flags & CAP_8BITMIME) ? " BODY=8BITMIME" : "",
	    useutf8(s) ? " SMTPUTF8" : "", dsn);
}

/*
 * The message, already CRLF and dot-stuffed, in blocks, the dot in the
 * same write as the last one: written alone, the short dot waits in our
 * TCP stack (Nagle, RFC 896) until the server acknowledges the block,
 * which a server that delays its ACKs (RFC 1122 4.2.3.2) does 40 ms or
 * more later.  That was most of the time of a delivery on a LAN.
 */
#define DATA_BLOCK	65536

static int
senddata(struct session *s, struct reply *r)
{
	static char	last[DATA_BLOCK + 3];
	size_t		off = 0, n;

	while ((n = s->cur->len - off) > DATA_BLOCK) {
		if (conn_write(&s->c, s->cur->p + off, DATA_BLOCK,
		    tmo(s->o, 180)) == -1)
			goto fail;
		off += DATA_BLOCK;
	}
	if (n > 0)
		memcpy(last, s->cur->p + off, n);
	memcpy(last + n, ".\r\n", 3);
	if (conn_write(&s->c, last, n + 3, tmo(s->o, 180)) == -1)
		goto fail;
	if (s->c.dflag)
		(void)fprintf(stderr, "-> (%zu octets of message)\n-> .\n",
		    s->cur->len);
	return conn_reply(&s->c, r, tmo(s->o, 600));
fail:
	reply_reset(r);
	(void)snprintf(r->text, sizeof(r->text), "writing the message "
	    "failed: %s", strerror(errno));
	r->code = -1;
	return -1;
}

static size_t
nstatus(const struct session *s, int st)
{
	size_t	i, n = 0;

	for (i = 0; i < s->nrcpt; i++)
		n += s->rcpt[i].status == st;
	return n;
}

static int
rcptreply(struct session *s, size_t i, struct reply *r)
{
	char	t[512];

	flat(t, sizeof(t), r);
	setrcpt(&s->rcpt[i], class(r->code) == RS_OK ? RS_ACCEPTED :
	    class(r->code), t);
	result_flush(s);
	return r->code;
}

/*
 * The connection broke (or the server spoke nonsense) before the message
 * was handed over: nothing was delivered here, so the recipients this host
 * accepted go to the next one with the rest, as Postfix's smtp(8) does.
 */
static int
dropped(struct session *s, const char *what, const struct reply *r)
{
	size_t	i;

	for (i = 0; i < s->nrcpt; i++)
		if (s->rcpt[i].status == RS_ACCEPTED) {
			s->rcpt[i].status = RS_PENDING;
			s->rcpt[i].reply[0] = '\0';
		}
	(void)failhost(s, what, r, 0);
	return nstatus(s, RS_PENDING) > 0 ? C_NEXT : C_DONE;
}

/*
 * RFC 2920 3.1: the commands sent behind a pipelined MAIL that failed
 * still get their replies.  Read every one of them, so that the reply
 * read after QUIT is QUIT's and not a leftover RCPT's.  A server that
 * says 354 to DATA anyway gets the empty message it asked for.
 */
static void
drain(struct session *s, size_t n)
{
	struct reply	r;
	int		code = 0;

	while (n-- > 0)
		if ((code = conn_reply(&s->c, &r, tmo(s->o, 300))) == -1)
			return;
	if (code / 100 == 3 && conn_printf(&s->c, tmo(s->o, 180), ".") == 0)
		(void)conn_reply(&s->c, &r, tmo(s->o, 600));
}

/*
 * MAIL, RCPT..., DATA for the recipients still pending: pipelined in one
 * write when the server offers PIPELINING (RFC 2920 3.1), else in lock
 * step.  A recipient accepted at RCPT is RS_ACCEPTED until the message has
 * been taken.  What a reply means for delivery (RFC 5321 4.2.1, 4.5.4.1):
 * a 4yz to MAIL or a broken connection before DATA sends the recipients
 * to the next host; a 4yz to one RCPT defers that recipient; the reply
 * after the final dot decides for every accepted recipient.
 */
static int
transaction(struct session *s)
{
	struct buf	cmds = { NULL, 0, 0 };
	struct reply	r;
	char		line[1100], t[600];
	size_t		i, j, *todo, ntodo = 0;
	int		pipe = (s->caps.flags & CAP_PIPELINING) != 0, code, rv;

	if ((todo = reallocarray(NULL, s->nrcpt, sizeof(*todo))) == NULL)
		fatal("reallocarray");
	for (i = 0; i < s->nrcpt; i++)
		if (s->rcpt[i].status == RS_PENDING)
			todo[ntodo++] = i;
	rv = C_DONE;
	if (ntodo == 0) {
		quit(s);
		goto done;
	}
	mailcmd(s, line, sizeof(line));
	if (pipe) {
		conn_trace(&s->c, "->", line, strlen(line));
		buf_addstr(&cmds, line);
		buf_addstr(&cmds, "\r\n");
		for (j = 0; j < ntodo; j++) {
			rcptcmd(s, todo[j], line, sizeof(line));
			conn_trace(&s->c, "->", line, strlen(line));
			buf_addstr(&cmds, line);
			buf_addstr(&cmds, "\r\n");
		}
		if (!s->o->pflag) {
			conn_trace(&s->c, "->", "DATA", 4);
			buf_addstr(&cmds, "DATA\r\n");
		}
		if (conn_write(&s->c, cmds.p, cmds.len, tmo(s->o, 300)) == -1) {
			reply_reset(&r);
			(void)snprintf(r.text, sizeof(r.text), "write failed: "
			    "%s", strerror(errno));
			r.code = -1;
			buf_free(&cmds);
			rv = dropped(s, "MAIL to", &r);
			goto done;
		}
		buf_free(&cmds);
		code = conn_reply(&s->c, &r, tmo(s->o, 300));
	} else
		code = conn_cmd(&s->c, &r, tmo(s->o, 300), "%s", line);
	if (code == -1) {
		rv = dropped(s, "MAIL to", &r);
		goto done;
	}
	if (class(code) != RS_OK) {
		if (pipe)
			drain(s, ntodo + !s->o->pflag);
		if (code / 100 == 4) {
			rv = failhost(s, "MAIL FROM refused by", &r, 1);
			goto done;
		}
		flat(t, sizeof(t), &r);
		setall(s, RS_PENDING, RS_FAIL, t);
		quit(s);
		goto done;
	}
	for (j = 0; j < ntodo; j++) {
		i = todo[j];
		if (pipe)
			code = conn_reply(&s->c, &r, tmo(s->o, 300));
		else {
			rcptcmd(s, i, line, sizeof(line));
			code = conn_cmd(&s->c, &r, tmo(s->o, 300), "%s", line);
		}
		if (code == -1) {
			rv = dropped(s, "RCPT TO to", &r);
			goto done;
		}
		rcptreply(s, i, &r);
	}
	if (s->o->pflag) {
		/* -p: RCPT's own reply is the answer */
		setall(s, RS_ACCEPTED, RS_OK, NULL);
		quit(s);
		goto done;
	}
	if (pipe)
		code = conn_reply(&s->c, &r, tmo(s->o, 120));
	else if (nstatus(s, RS_ACCEPTED) > 0)
		code = conn_cmd(&s->c, &r, tmo(s->o, 120), "DATA");
	else {
		quit(s);
		goto done;
	}
	if (code == -1) {
		rv = dropped(s, "DATA to", &r);
		goto done;
	}
	if (nstatus(s, RS_ACCEPTED) == 0) {
		/* RFC 2920 3.1: no recipient, yet a 354: send an empty message */
		if (code / 100 == 3 && conn_printf(&s->c, tmo(s->o, 180), ".") == 0)
			(void)conn_reply(&s->c, &r, tmo(s->o, 600));
		quit(s);
		goto done;
	}
	if (code / 100 == 3) {
		code = senddata(s, &r);
		/* RFC 2033 4.2: a reply per accepted recipient */
		if (s->lmtp && code != -1) {
			lmtp_replies(s, &r);
			quit(s);
			goto done;
		}
	}
	/* after the dot, or a broken connection during it: this transaction */
	flat(t, sizeof(t), &r);
	setall(s, RS_ACCEPTED, code / 100 == 3 ? RS_RETRY : class(code), t);
	/* the runner records these before we even say QUIT */
	result_flush(s);
	if (code != -1)
		quit(s);
done:
	free(todo);
	return rv;
}

static int
session(struct session *s)
{
	int	rv;

	if ((rv = hello(s)) != -1)
		return rv;
	if (needs(s) == -1) {
		quit(s);
		return C_DONE;
	}
	return transaction(s);
}

int
client_run(struct session *s)
{
	char	tls[sizeof(s->rcpt[0].tls)];
	size_t	i;
	int	rv;

	s->err[0] = '\0';
	memset(&s->caps, 0, sizeof(s->caps));
	rv = session(s);
	/* the recipients this connection settled: how it was protected */
	tls_desc(s, tls, sizeof(tls));
	for (i = 0; i < s->nrcpt; i++)
		if (s->rcpt[i].status != RS_PENDING &&
		    s->rcpt[i].tls[0] == '\0') {
			(void)strlcpy(s->rcpt[i].tls, tls,
			    sizeof(s->rcpt[i].tls));
			/* RFC 3461 6.2.1 c: a relay without DSN is "relayed" */
			if (s->rcpt[i].status == RS_OK && (s->o->notify ||
			    s->o->ret || s->o->envid[0]))
				s->rcpt[i].dsn = usedsn(s) ? DSN_PASSED :
				    DSN_RELAYED;
		}
	return rv;
}
