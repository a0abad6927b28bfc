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
 * The parent's loop over the child's requests, each checked against the
 * rule table before its handler runs; the answers; and the two ends, a
 * clean one and a kill, with how the child ended in the log (signal
 * names here for the mailer's status too).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

static struct ps_msg	 msg;		/* 16 KiB: not on the stack */

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

void
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
rule_find(const struct ps_rule *rules, size_t n, uint32_t type)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (rules[i].type == type)
			return &rules[i];
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
parent_loop(struct parent *p, const struct ps_rule *rules, size_t nrules)
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
		r = rule_find(rules, nrules, msg.hdr.type);
		rule_check(p, r, &msg);
		r->fn(p, &msg);
		/* a handler that left bytes unread was handed junk */
		if (msg.err || msg.off != msg.len)
			parent_kill(p, "leftover bytes");
		ps_msg_closefd(&msg);
	}
}

/* Handler helper: parse failures kill. */
void
parent_end(struct parent *p, struct ps_msg *m)
{
	if (m->err || ps_end(m) == -1)
		parent_kill(p, "malformed payload");
}
