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
 * The privileged side of one connection.  It never parses SMTP: it checks
 * each request from the child against ps_rules[] (type, payload bounds,
 * fd, once-only, state) and treats anything unexpected as an attack: log
 * it, kill the child, exit.  The client then just sees the connection
 * close, and never got a 250 for anything not yet handed to the mailer.
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

/*
 * What a request needs.  Nothing the child sends carries an fd (the spool
 * fd goes the other way), so any fd is a violation.  Other counts are
 * kept by the handlers: p_auth (AUTH_MAXREQS), p_sign (SIGN_MAX).
 */
#define R_NEEDTLS	0x01	/* only after the child reported TLS (or -p) */
#define R_SPOOL		0x02	/* only with an open spool file */
#define R_NOSPOOL	0x04	/* only without one */
#define R_HELO		0x08	/* only after HELO/EHLO (the child's ST_HELO) */
#define R_ONCE		0x10	/* once per connection (STARTTLS's hand-over) */

#define LOG_BURST	200	/* child log lines before the rate limit... */
#define LOG_RATE	20	/* ...then this many per second */

/* A recipient list on the wire: str each, bounded by the payload. */
#define ADDR_MIN	4

static void	p_log(struct parent *, struct ps_msg *);
static void	p_state(struct parent *, struct ps_msg *);
static void	p_queue_open(struct parent *, struct ps_msg *);
static void	p_queue_commit(struct parent *, struct ps_msg *);
static void	p_queue_abort(struct parent *, struct ps_msg *);
static void	p_queue_dump(struct parent *, struct ps_msg *);

static const struct ps_rule {
	uint32_t	 type;
	size_t		 minlen, maxlen;
	int		 flags;
	void		(*fn)(struct parent *, struct ps_msg *);
} ps_rules[] = {
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

static struct ps_msg	 msg;		/* 16 KiB: not on the stack */
static uint32_t		 curid;		/* id of the request being served */

static const struct {
	int		 sig;
	const char	*name;
} signames[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
	{ SIGSEGV, "SIGSEGV" }, { SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" },
	{ SIGTERM, "SIGTERM" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGSYS, "SIGSYS" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
};

const char *
parent_signame(int sig)
{
	static char	buf[16];
	size_t		i;

	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	(void)snprintf(buf, sizeof(buf), "SIG%d", sig);
	return buf;
}

int
parent_reply(struct parent *p, uint32_t type, uint32_t id, int fd,
    const struct ps_buf *b)
{
	if (b != NULL && b->err) {
		log_warnx("reply type %u: payload too large", type);
		return -1;
	}
	if (ps_sendbuf(p->fd, type, id, fd, b) == -1) {
		log_warn("reply type %u", type);
		return -1;
	}
	return 0;
}

static void
spool_close(struct parent *p)
{
	if (p->spoolfd != -1)
		(void)close(p->spoolfd);
	p->spoolfd = -1;
	p->msgid[0] = '\0';
}

/* How the child ended, for the disconnect line. */
static void
child_status(int status, char *buf, size_t bufsz)
{
	if (WIFEXITED(status))
		(void)snprintf(buf, bufsz, "exit=%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		(void)snprintf(buf, bufsz, "signal=SIGSYS sandbox_violation=yes");
	else if (WIFSIGNALED(status))
		(void)snprintf(buf, bufsz, "signal=%s",
		    parent_signame(WTERMSIG(status)));
	else
		(void)snprintf(buf, bufsz, "status=%d", status);
}

static int
child_wait(struct parent *p)
{
	int	status = 0;

	while (waitpid(p->child, &status, 0) == -1)
		if (errno != EINTR)
			return 0;
	return status;
}

/*
 * The child runs under another uid, so kill(2) from the unprivileged
 * parent may be refused.  Shutting the connection and the socketpair down
 * takes away all the child could act on; it exits at its next read.
 */
void
parent_kill(struct parent *p, const char *reason)
{
	char	how[64];
	int	status = 0, i;
	pid_t	r = 0;

	log_warnx("privsep violation: %s (type=%u); child killed", reason,
	    msg.hdr.type);
	ps_msg_closefd(&msg);
	(void)kill(p->child, SIGKILL);
	if (p->connfd != -1)
		(void)shutdown(p->connfd, SHUT_RDWR);
	(void)shutdown(p->fd, SHUT_RDWR);
	for (i = 0; i < 100; i++) {
		r = waitpid(p->child, &status, WNOHANG);
		if (r != 0 && !(r == -1 && errno == EINTR))
			break;
		(void)poll(NULL, 0, 20);
	}
	spool_close(p);
	if (r == p->child) {
		child_status(status, how, sizeof(how));
		log_info("disconnect %s reason=killed messages=%d", how,
		    p->nmsg);
	} else
		log_info("disconnect reason=killed child=running messages=%d",
		    p->nmsg);
	exit(1);
}

static __attribute__((noreturn)) void
parent_done(struct parent *p)
{
	char	how[64];
	int	status;

	status = child_wait(p);
	child_status(status, how, sizeof(how));
	spool_close(p);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		log_warnx("session child killed by the sandbox (SIGSYS): "
		    "a forbidden system call");
	log_info("disconnect %s messages=%d", how, p->nmsg);
	exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
}

static const struct ps_rule *
rule_find(uint32_t type)
{
	size_t	i;

	for (i = 0; i < sizeof(ps_rules) / sizeof(ps_rules[0]); i++)
		if (ps_rules[i].type == type)
			return &ps_rules[i];
	return NULL;
}

static void
rule_check(struct parent *p, const struct ps_rule *r, struct ps_msg *m)
{
	uint64_t	bit;

	if (r == NULL)
		parent_kill(p, "unknown message type");
	if (m->len < r->minlen || m->len > r->maxlen)
		parent_kill(p, "bad length");
	if (m->fd != -1)
		parent_kill(p, "unexpected fd");
	if (r->flags & R_ONCE) {
		bit = 1ULL << ((m->hdr.type - PS_FIRSTTYPE) & 63);
		if (p->seen & bit)
			parent_kill(p, "repeated once-only request");
		p->seen |= bit;
	}
	if ((r->flags & R_HELO) && !(p->state & ST_HELO))
		parent_kill(p, "request before HELO");
	if ((r->flags & R_NEEDTLS) && !(p->state & ST_TLS) &&
	    !p->conf->plainauth)
		parent_kill(p, "request needs TLS");
	if ((r->flags & R_SPOOL) && p->spoolfd == -1)
		parent_kill(p, "no open spool file");
	if ((r->flags & R_NOSPOOL) && p->spoolfd != -1)
		parent_kill(p, "spool file already open");
}

__attribute__((noreturn)) void
parent_run(struct parent *p)
{
	const struct ps_rule	*r;
	int			 n;

	log_procinit("parent");
	for (;;) {
		n = ps_recv(p->fd, &msg);
		if (n == 0)
			parent_done(p);
		if (n == -1) {
			if (errno == EBADMSG)
				parent_kill(p, "malformed message");
			if (errno == ECONNRESET)
				parent_done(p);
			log_warn("ps_recv");
			parent_kill(p, "socket error");
		}
		r = rule_find(msg.hdr.type);
		rule_check(p, r, &msg);
		curid = msg.hdr.id;
		r->fn(p, &msg);
		/* a handler that left bytes unread was handed junk */
		if (msg.err || msg.off != msg.len)
			parent_kill(p, "leftover bytes");
		ps_msg_closefd(&msg);
	}
}

/* Handler helpers: parse failures kill. */
static void
get_end(struct parent *p, struct ps_msg *m)
{
	if (m->err || ps_end(m) == -1)
		parent_kill(p, "malformed payload");
}

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
	get_end(p, m);
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
	get_end(p, m);
	if (st & ~(uint32_t)(ST_TLS | ST_HELO))
		parent_kill(p, "unknown state bits");
	if ((p->state & ST_TLS) && !(st & ST_TLS))
		parent_kill(p, "TLS cannot be undone");
	p->state = st;
}

/* An unlinked file in the spool dir; -1 on failure. */
static int
spool_create(struct parent *p)
{
	char	path[PATH_MAX];
	int	fd;

	if (p->spooldir == -1)
		return -1;
#ifdef O_TMPFILE
	fd = openat(p->spooldir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL && errno != ENOENT))
		return fd;
#endif
	/* no O_TMPFILE here: a named file, unlinked at once */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.XXXXXX",
	    p->conf->spool, log_getsid()) >= sizeof(path))
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(path);
	return fd;
}

static void
p_queue_open(struct parent *p, struct ps_msg *m)
{
	struct ps_buf	b;
	int		fd;

	get_end(p, m);
	ps_buf_init(&b);
	if ((fd = spool_create(p)) == -1) {
		log_warn("spool %s", p->conf->spool);
		ps_add_u32(&b, 0);
		ps_add_str(&b, "");
		ps_add_str(&b, "");
		(void)parent_reply(p, PS_QUEUE_FD, curid, -1, &b);
		return;
	}
	p->spoolfd = fd;
	p->nmsg++;
	(void)snprintf(p->msgid, sizeof(p->msgid), "%s.%d", log_getsid(),
	    p->nmsg);
	ps_add_u32(&b, 1);
	ps_add_str(&b, p->msgid);
	ps_add_str(&b, p->peer->rdns);	/* looked up after the drop */
	if (parent_reply(p, PS_QUEUE_FD, curid, fd, &b) == -1)
		spool_close(p);
}

/*
 * An envelope address as the mailer will see it: printable ASCII or
 * UTF-8, no spaces or control characters, at most SMTP_PATHMAX octets.
 * The null sender is "".
 */
static int
addr_ok(const char *s, int empty_ok)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;

	if (len == 0)
		return empty_ok;
	if (len > SMTP_PATHMAX)
		return 0;
	for (i = 0; i < len; ) {
		if (u[i] < 0x80) {
			if (u[i] <= 0x20 || u[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			n = 1;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			n = 2;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			n = 3;
		else
			return 0;
		for (i++; n > 0; n--, i++)
			if (i >= len || (u[i] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void
free_rcpts(char **rcpt, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(rcpt[i]);
	free(rcpt);
}

/* Reads "u32 n, n x str" into rcpt[], the last field; kills on anything odd. */
static size_t
get_rcpts(struct parent *p, struct ps_msg *m, char ***rcptp)
{
	char		**rcpt, buf[SMTP_PATHMAX + 1];
	uint32_t	  n = 0, i;

	if (ps_get_u32(m, &n) == -1 || n == 0 || n > p->conf->maxrcpt ||
	    n > (m->len - m->off) / ADDR_MIN)
		parent_kill(p, "bad recipient count");
	if ((rcpt = calloc(n, sizeof(*rcpt))) == NULL)
		fatal("calloc");
	for (i = 0; i < n; i++) {
		if (ps_get_str(m, buf, sizeof(buf)) == -1 || !addr_ok(buf, 0)) {
			free_rcpts(rcpt, i);
			parent_kill(p, "bad recipient");
		}
		if ((rcpt[i] = strdup(buf)) == NULL)
			fatal("strdup");
	}
	/* the end of the payload here, so that no caller leaks on a kill */
	if (m->err || ps_end(m) == -1) {
		free_rcpts(rcpt, n);
		parent_kill(p, "malformed payload");
	}
	*rcptp = rcpt;
	return n;
}

static void
queue_answer(struct parent *p, int code, const char *esc, const char *text)
{
	struct ps_buf	b;

	ps_buf_init(&b);
	ps_add_u32(&b, (uint32_t)code);
	ps_add_str(&b, esc);
	ps_add_str(&b, text);
	(void)parent_reply(p, PS_QUEUE_ANS, curid, -1, &b);
}

/*
 * What the child should have refused, checked again with the parent's
 * own facts (ournets, its own AUTH verdict, the blocked file read before
 * fork) before any mailer runs: a commit an honest child could not have
 * sent is an attack, and the client gets no 250: the reason, or NULL.
 */
static const char *
commit_check(struct parent *p, const char *sender, char **rcpt, size_t nrcpt)
{
	char		 e[SMTP_PATHMAX * 4 + 1];
	const char	*why;
	enum action	 a;
	int		 authed = p->authuser[0] != '\0';
	size_t		 i;

	if (p->conf->requireauth && !authed)
		return "commit without AUTH (-a)";
	a = policy_mail(p->conf, p->peer, authed, sender);
	if (a != ACT_NONE && a != ACT_ALLOW) {
		log_warnx("commit from=<%s> refused: blocked file says %s",
		    log_escape(e, sizeof(e), sender, strlen(sender)),
		    action_name(a));
		return "commit of a blocked transaction";
	}
	for (i = 0; i < nrcpt; i++) {
		if ((why = policy_relay(p->conf, p->peer, authed,
		    rcpt[i])) == NULL)
			continue;
		log_warnx("commit rcpt=<%s> refused: %s",
		    log_escape(e, sizeof(e), rcpt[i], strlen(rcpt[i])), why);
		return "commit with a recipient we do not relay for";
	}
	return NULL;
}

static void
p_queue_commit(struct parent *p, struct ps_msg *m)
{
	char		 sender[SMTP_PATHMAX + 1], esc[16], text[256];
	char		**rcpt;
	const char	*why;
	uint32_t	 body = 0, utf8 = 0;
	uint64_t	 size = 0;
	size_t		 nrcpt, i;
	int		 code;

	if (ps_get_str(m, sender, sizeof(sender)) == -1 ||
	    !addr_ok(sender, 1) || ps_get_u32(m, &body) == -1 ||
	    ps_get_u32(m, &utf8) == -1 || ps_get_u64(m, &size) == -1)
		parent_kill(p, "malformed commit");
	if (body > BODY_8BITMIME || utf8 > 1)
		parent_kill(p, "bad commit flags");
	nrcpt = get_rcpts(p, m, &rcpt);
	if ((why = commit_check(p, sender, rcpt, nrcpt)) != NULL) {
		free_rcpts(rcpt, nrcpt);
		parent_kill(p, why);
	}
	for (i = 0; i < nrcpt; i++)
		if (!rcpt_accepted(rcpt[i])) {
			free_rcpts(rcpt, nrcpt);
			parent_kill(p, "recipient not accepted at RCPT");
		}
	if (p->conf->routes[0] != '\0')
		code = queue_commit(p, sender, (int)body, (int)utf8, rcpt,
		    nrcpt, esc, sizeof(esc), text, sizeof(text));
	else
		code = mailer_run(p, sender, rcpt, nrcpt, esc, sizeof(esc),
		    text, sizeof(text));
	free_rcpts(rcpt, nrcpt);
	queue_answer(p, code, esc, text);
	spool_close(p);
}

static void
p_queue_abort(struct parent *p, struct ps_msg *m)
{
	get_end(p, m);
	spool_close(p);
}

/* dumpdir/<Mon><D>, as Plan 9's /mail/queue.dump/Mar7. */
static int
dump_dir(struct parent *p)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char		 name[16];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 fd;

	if (p->dumpfd == -1 || localtime_r(&now, &tm) == NULL)
		return -1;
	(void)snprintf(name, sizeof(name), "%s%d", mon[tm.tm_mon], tm.tm_mday);
	if (mkdirat(p->dumpfd, name, 0770) == -1 && errno != EEXIST)
		return -1;
	fd = openat(p->dumpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	return fd;
}

static int
dump_copy(struct parent *p, int out, const char *hdr)
{
	char	buf[8192];
	off_t	off = 0;
	ssize_t	n;

	if (write(out, hdr, strlen(hdr)) != (ssize_t)strlen(hdr))
		return -1;
	while ((n = pread(p->spoolfd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, n) != n)
			return -1;
		off += n;
	}
	return n == 0 ? 0 : -1;
}

static void
p_queue_dump(struct parent *p, struct ps_msg *m)
{
	char		 reason[128], sender[SMTP_PATHMAX + 1], name[64];
	char		 hdr[1024], esc[sizeof(reason) * 4];
	char		**rcpt;
	size_t		 nrcpt;
	int		 dfd, fd = -1, i, ok = 0;

	/* only -s keeps blocked mail: dumpdir is open whenever it exists */
	if (!p->conf->saveblocked)
		parent_kill(p, "dump not enabled");
	if (ps_get_str(m, reason, sizeof(reason)) == -1 ||
	    ps_get_str(m, sender, sizeof(sender)) == -1 || !addr_ok(sender, 1))
		parent_kill(p, "malformed dump");
	nrcpt = get_rcpts(p, m, &rcpt);
	log_escape(esc, sizeof(esc), reason, strlen(reason));
	if ((dfd = dump_dir(p)) != -1) {
		/* never overwrite: a fresh name until O_EXCL succeeds */
		for (i = 0; i < 50 && fd == -1; i++) {
			(void)snprintf(name, sizeof(name), "%lld.%s.%08x",
			    (long long)time(NULL), p->msgid, arc4random());
			fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0640);
			if (fd == -1 && errno != EEXIST)
				break;
		}
		(void)close(dfd);
	}
	if (fd != -1) {
		(void)snprintf(hdr, sizeof(hdr), "X-Upas-Dump: reason=\"%s\" "
		    "from=<%s> rcpt=<%s>%s\n", esc, sender, rcpt[0],
		    nrcpt > 1 ? " ..." : "");
		ok = dump_copy(p, fd, hdr) == 0;
		if (close(fd) == -1)
			ok = 0;
	}
	if (ok) {
		log_info("dump id=%s reason=\"%s\" file=%s", p->msgid, esc, name);
		queue_answer(p, 250, "2.0.0", "dumped");
	} else {
		log_warn("dump id=%s reason=\"%s\" in %s", p->msgid, esc,
		    p->conf->dumpdir);
		queue_answer(p, 451, "4.3.0", "not dumped");
	}
	free_rcpts(rcpt, nrcpt);
	spool_close(p);
}
