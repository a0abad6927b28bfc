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
 * The real parent (parent_run() and its handlers, linked from smtpd's own
 * objects) against a hostile child: this program plays the child over the
 * SOCK_SEQPACKET pair.  Each case forks a parent as smtpd.c does (after the
 * hello), sends what a compromised child could, and checks the outcome:
 * refused cases must end the parent with status 1 and "privsep violation"
 * in its log, with no PS_QUEUE_ANS 250 and no mailer run (the mailer is a
 * script that appends its arguments to a file).  A few honest cases show
 * the same path does deliver, so that the refusals mean something.
 *
 * Usage: parent-test DIR, where DIR holds smtpd.conf (norelay on, ourdomains
 * ours.example, passwd alice:sekret, mailer DIR/mailer.sh), spool/ and grey/.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv/priv.h"
#include "log.h"

static const char	*dir;
static char		 calls[512], logpath[512];
static int		 failures;
static uint32_t		 nextid = 1;

struct run {
	pid_t	 pid;		/* the parent under test */
	int	 fd;		/* our end: we are the child */
	int	 hold;		/* the stand-in child lives while this is open */
};

static void
result(int ok, const char *fmt, ...)
{
	va_list	 ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static off_t
fsize(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == -1 ? 0 : st.st_size;
}

static int
log_has(const char *what)
{
	char	 buf[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(logpath, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

/*
 * A parent as smtpd.c's main() makes it, for a client at addr (untrusted
 * unless ournets says otherwise), with conf from DIR/conffile.
 */
static void
start(struct run *r, const char *conffile, const char *addr)
{
	static struct conf	 conf;
	static struct peer	 peer;
	static struct parent	 par;
	struct sockaddr_in	*rin = (struct sockaddr_in *)&peer.remote;
	struct sockaddr_in	*lin = (struct sockaddr_in *)&peer.local;
	char			 path[512];
	int			 sp[2], hold[2], logfd;
	pid_t			 child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1 ||
	    pipe(hold) == -1)
		err(1, "socketpair");
	(void)unlink(logpath);
	if ((r->pid = fork()) == -1)
		err(1, "fork");
	if (r->pid > 0) {
		close(sp[0]);
		close(hold[0]);
		r->fd = sp[1];
		r->hold = hold[1];
		if (ps_hello_send(r->fd) == -1)
			err(1, "hello");
		return;
	}
	close(sp[1]);
	close(hold[1]);
	/* the stand-in session child: gone when the test lets go */
	if ((child = fork()) == 0) {
		char	 c;

		while (read(hold[0], &c, 1) == -1 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	if ((logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644)) == -1)
		_exit(2);
	(void)dup2(logfd, 2);
	log_init("parent-test", LOG_TO_STDERR, 1);
	log_setsid("00000000");
	memset(&conf, 0, sizeof(conf));
	conf_defaults(&conf);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, conffile);
	if (conf_read(&conf, path) == -1)
		_exit(2);
	if (conf.domain[0] == '\0')
		strlcpy(conf.domain, conf.hostname, sizeof(conf.domain));
	(void)blocked_read(&conf);
	memset(&peer, 0, sizeof(peer));
	rin->sin_family = AF_INET;
	(void)inet_pton(AF_INET, addr, &rin->sin_addr);
	lin->sin_family = AF_INET;
	(void)inet_pton(AF_INET, "127.0.0.1", &lin->sin_addr);
	strlcpy(peer.raddr, addr, sizeof(peer.raddr));
	strlcpy(peer.laddr, "127.0.0.1", sizeof(peer.laddr));
	peer.ipaction = policy_ip(&conf, &peer);
	peer.trusted = netlist_match(&conf.ournets,
	    (struct sockaddr *)&peer.remote);
	memset(&par, 0, sizeof(par));
	par.conf = &conf;
	par.peer = &peer;
	par.spoolfd = -1;
	par.spooldir = open(conf.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.dumpfd = -1;
	par.greyfd = open(conf.greydir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.keyfd = -1;
	par.connfd = -1;
	par.child = child;
	par.tlsfd = -1;
	par.fd = sp[0];
	if (ps_hello_recv(par.fd) == -1)
		parent_kill(&par, "no hello from the child");
	parent_run(&par);
}

/* The parent's exit status once we let go; -1 if it did not end in 10 s. */
static int
finish(struct run *r)
{
	int	 status, i;
	pid_t	 w;

	close(r->fd);
	close(r->hold);
	for (i = 0; i < 500; i++) {
		if ((w = waitpid(r->pid, &status, WNOHANG)) == r->pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		(void)poll(NULL, 0, 20);
	}
	kill(r->pid, SIGKILL);
	(void)waitpid(r->pid, &status, 0);
	return -1;
}

static int
sendmsg_(struct run *r, uint32_t type, const struct ps_buf *b, int fd)
{
	if (b == NULL)
		return ps_send(r->fd, type, nextid++, fd, NULL, 0);
	return ps_sendbuf(r->fd, type, nextid++, fd, b);
}

/* The answer to what we sent, or -1 when the parent closed. */
static int
answer(struct run *r, struct ps_msg *m)
{
	struct pollfd	 pfd = { r->fd, POLLIN, 0 };

	if (poll(&pfd, 1, 15000) != 1)
		return -1;
	if (ps_recv(r->fd, m) <= 0)
		return -1;
	return 0;
}

static void
state(struct run *r, uint32_t st)
{
	struct ps_buf	 b;

	ps_buf_init(&b);
	ps_add_u32(&b, st);
	(void)sendmsg_(r, PS_STATE, &b, -1);
}

/* PS_QUEUE_OPEN and a short message into the fd: 0, or -1. */
static int
queue_open(struct run *r)
{
	static struct ps_msg	 m;
	static const char	 body[] = "Subject: t\r\n\r\nhello\r\n";
	uint32_t		 ok = 0;

	if (sendmsg_(r, PS_QUEUE_OPEN, NULL, -1) == -1 || answer(r, &m) == -1 ||
	    m.hdr.type != PS_QUEUE_FD || ps_get_u32(&m, &ok) == -1 || !ok ||
	    m.fd == -1)
		return -1;
	(void)write(m.fd, body, sizeof(body) - 1);
	ps_msg_closefd(&m);
	return 0;
}

/*
 * PS_RCPT_REQ for each recipient, as the child does at RCPT (rcpt.c: the
 * parent takes only recipients it saw there), then PS_QUEUE_COMMIT from
 * sender to them; the code, or -1.
 */
static int
commit(struct run *r, const char *sender, const char **rcpt, size_t n)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	uint32_t		 code = 0;
	size_t			 i;

	for (i = 0; i < n; i++) {
		ps_buf_init(&b);
		ps_add_str(&b, rcpt[i]);
		if (strchr(rcpt[i], '@') == NULL)
			continue;	/* the parent would refuse the question */
		if (sendmsg_(r, PS_RCPT_REQ, &b, -1) == -1 ||
		    answer(r, &m) == -1 || m.hdr.type != PS_RCPT_ANS)
			return -1;
	}
	ps_buf_init(&b);
	ps_add_str(&b, sender);
	ps_add_u32(&b, BODY_7BIT);
	ps_add_u32(&b, 0);
	ps_add_u64(&b, 20);
	ps_add_u32(&b, (uint32_t)n);
	for (i = 0; i < n; i++)
		ps_add_str(&b, rcpt[i]);
	if (sendmsg_(r, PS_QUEUE_COMMIT, &b, -1) == -1 || answer(r, &m) == -1 ||
	    m.hdr.type != PS_QUEUE_ANS || ps_get_u32(&m, &code) == -1)
		return -1;
	return (int)code;
}

/* PS_AUTH_REQ PLAIN; the AUTH_* answer, or -1. */
static int
auth(struct run *r, uint32_t mech, const char *user, const char *pw)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	uint32_t		 v = 0;

	ps_buf_init(&b);
	ps_add_u32(&b, mech);
	ps_add_str(&b, user);
	ps_add_str(&b, "");
	ps_add_data(&b, pw, strlen(pw));
	if (sendmsg_(r, PS_AUTH_REQ, &b, -1) == -1 || answer(r, &m) == -1 ||
	    m.hdr.type != PS_AUTH_ANS || ps_get_u32(&m, &v) == -1)
		return -1;
	return (int)v;
}

/*
 * A refused case: the parent must die with status 1, log a violation,
 * and the mailer must not have run.
 */
static void
refused(const char *what, struct run *r, int code)
{
	off_t	 before = fsize(calls);
	int	 rc;

	rc = finish(r);
	result(code != 250 && rc == 1 && log_has("privsep violation") &&
	    fsize(calls) == before, "%s: refused (code %d, parent exit %d)%s",
	    what, code, rc, fsize(calls) != before ? ", MAILER RAN" : "");
}

static void
forged_rcpt(const char *what, const char *rcpt)
{
	struct run	 r;
	off_t		 before = fsize(calls);
	const char	*v[2] = { "u@ours.example", rcpt };
	int		 code;

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example", v, 2);
	refused(what, &r, code);
	if (fsize(calls) != before)
		result(0, "%s: nothing reached the mailer", what);
	if (strchr(rcpt, '@') != NULL && !log_has("we do not relay for"))
		result(0, "%s: killed for the relay rule", what);
}

int
main(int argc, char **argv)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	struct run		 r;
	const char		*ours[1] = { "u@ours.example" };
	const char		*foreign[1] = { "victim@foreign.example" };
	off_t			 before;
	int			 code, v, i, fd;

	if (argc != 2)
		errx(2, "usage: parent-test dir");
	dir = argv[1];
	(void)snprintf(calls, sizeof(calls), "%s/mailer.calls", dir);
	(void)snprintf(logpath, sizeof(logpath), "%s/parent.log", dir);
	signal(SIGPIPE, SIG_IGN);

	/* honest: our domain is delivered, so the path under test works */
	before = fsize(calls);
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example", ours, 1);
	result(code == 250 && fsize(calls) > before,
	    "honest commit to our domain: 250 and one mailer run (code %d)", code);
	result(finish(&r) == 0, "honest session ends with status 0");

	/* 1: forged commits, no AUTH, recipients we do not relay for */
	forged_rcpt("forged commit to a foreign domain", "victim@foreign.example");
	forged_rcpt("forged commit to postmaster@foreign",
	    "postmaster@foreign.example");
	forged_rcpt("forged commit to another address literal",
	    "u@[192.0.2.99]");
	/* 5: local parts that route on when the mailer is sendmail */
	forged_rcpt("percent hack", "victim%foreign.example@ours.example");
	forged_rcpt("bang path in the local part",
	    "foreign.example!victim@ours.example");
	forged_rcpt("second @ (quoted local part)",
	    "\"victim@foreign.example\"@ours.example");
	forged_rcpt("source route", "@ours.example:victim@foreign.example");
	forged_rcpt("bare bang path", "foreign.example!victim");
	forged_rcpt("bare local name", "victim");

	/* 1, 2: AUTH failed, then relaying anyway */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO | ST_TLS);
	v = auth(&r, AUTHM_PLAIN, "alice", "wrong");
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example",
	    foreign, 1);
	result(v == AUTH_FAILED, "wrong password: AUTH_FAILED (%d)", v);
	refused("relay after a failed AUTH", &r, code);

	/* honest: relaying after the parent's own AUTH_OK */
	before = fsize(calls);
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO | ST_TLS);
	v = auth(&r, AUTHM_PLAIN, "alice", "sekret");
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example",
	    foreign, 1);
	result(v == AUTH_OK && code == 250 && fsize(calls) > before,
	    "relay after AUTH_OK: 250 (auth %d, code %d)", v, code);
	(void)finish(&r);

	/* ournets: relaying for a trusted peer */
	before = fsize(calls);
	start(&r, "smtpd.conf", "10.1.2.3");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example",
	    foreign, 1);
	result(code == 250 && fsize(calls) > before,
	    "relay from ournets: 250 (code %d)", code);
	(void)finish(&r);

	/* -a: a commit without AUTH */
	start(&r, "requireauth.conf", "10.1.2.3");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : commit(&r, "a@client.example", ours, 1);
	refused("commit without AUTH under requireauth", &r, code);

	/* the blocked file: a denied sender committed anyway */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : commit(&r, "spammer@denied.example",
	    ours, 1);
	refused("commit from a sender the blocked file denies", &r, code);

	/* 2: a CRAM-MD5 answer to a challenge the parent never gave */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO | ST_TLS);
	v = auth(&r, AUTHM_CRAMMD5, "alice", "0123456789abcdef0123456789abcdef");
	refused("CRAM-MD5 answer without the parent's challenge", &r, v);

	/* 2: a challenge answers once */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO | ST_TLS);
	code = -1;
	if (sendmsg_(&r, PS_AUTH_CHAL_REQ, NULL, -1) == 0 &&
	    answer(&r, &m) == 0 && m.hdr.type == PS_AUTH_CHAL) {
		(void)auth(&r, AUTHM_CRAMMD5, "alice",
		    "0123456789abcdef0123456789abcdef");
		code = auth(&r, AUTHM_CRAMMD5, "alice",
		    "0123456789abcdef0123456789abcdef");
	}
	refused("second CRAM-MD5 answer to one challenge", &r, code);

	/* 4: out of order and repeated requests */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = commit(&r, "a@client.example", ours, 1);
	refused("commit without an open spool", &r, code);

	start(&r, "smtpd.conf", "192.0.2.7");
	code = queue_open(&r);
	refused("spool before HELO", &r, code == 0 ? 250 : code);

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : queue_open(&r);
	refused("second spool while one is open", &r, code == 0 ? 250 : code);

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	v = auth(&r, AUTHM_PLAIN, "alice", "sekret");
	refused("AUTH in the clear without -p", &r, v);

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO | ST_TLS);
	(void)auth(&r, AUTHM_PLAIN, "alice", "sekret");
	v = auth(&r, AUTHM_PLAIN, "alice", "sekret");
	refused("AUTH after a successful AUTH", &r, v);

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_TLS);
	state(&r, ST_HELO);
	code = queue_open(&r);
	refused("TLS undone", &r, code == 0 ? 250 : code);

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	ps_buf_init(&b);
	ps_add_str(&b, "u@ours.example");
	(void)sendmsg_(&r, PS_GREY_REQ, &b, -1);
	refused("greylist request without -g", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : 0;
	ps_buf_init(&b);
	ps_add_str(&b, "block");
	ps_add_str(&b, "a@client.example");
	ps_add_u32(&b, 1);
	ps_add_str(&b, "u@ours.example");
	(void)sendmsg_(&r, PS_QUEUE_DUMP, &b, -1);
	refused("dump without -s", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	(void)sendmsg_(&r, PS_FIRSTTYPE + 200, NULL, -1);
	refused("unknown message type", &r, answer(&r, &m));

	/* 3: the blocked file by sender is the child's own business now */
	start(&r, "smtpd.conf", "192.0.2.7");
	state(&r, ST_HELO);
	ps_buf_init(&b);
	ps_add_str(&b, "a@client.example");
	(void)sendmsg_(&r, PS_UNUSED24, &b, -1);
	refused("the old PS_POLICY_REQ (24)", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	(void)sendmsg_(&r, PS_QUEUE_FD, NULL, -1);
	refused("an answer type sent to the parent", &r, answer(&r, &m));

	/* 4: oversized and malformed fields */
	{
		char	 big[SMTP_PATHMAX + 2];
		const char *bv[1] = { big };

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[5] = '@';
		start(&r, "smtpd.conf", "10.1.2.3");
		state(&r, ST_HELO);
		code = queue_open(&r) == -1 ? -1 : commit(&r,
		    "a@client.example", bv, 1);
		refused("recipient longer than SMTP_PATHMAX", &r, code);
	}
	start(&r, "smtpd.conf", "10.1.2.3");
	state(&r, ST_HELO);
	{
		const char *sv[1] = { "u@ours.example -oQ/tmp" };

		code = queue_open(&r) == -1 ? -1 : commit(&r,
		    "a@client.example", sv, 1);
	}
	refused("recipient with a space (an option for the mailer)", &r, code);

	start(&r, "smtpd.conf", "10.1.2.3");
	state(&r, ST_HELO);
	code = queue_open(&r) == -1 ? -1 : 0;
	ps_buf_init(&b);
	ps_add_str(&b, "a@client.example");
	ps_add_u32(&b, BODY_7BIT);
	ps_add_u32(&b, 0);
	ps_add_u64(&b, 20);
	ps_add_u32(&b, 100000);
	for (i = 0; i < 200; i++)
		ps_add_str(&b, "u@ours.example");
	(void)sendmsg_(&r, PS_QUEUE_COMMIT, &b, -1);
	refused("recipient count larger than the payload", &r,
	    answer(&r, &m) == 0 ? 250 : -1);

	start(&r, "smtpd.conf", "192.0.2.7");
	ps_buf_init(&b);
	ps_add_u32(&b, 6);
	{
		char	 line[8300];

		memset(line, 'x', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		ps_add_str(&b, line);
	}
	(void)sendmsg_(&r, PS_LOG, &b, -1);
	refused("log line longer than 8192", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	{
		static uint8_t	 huge[PS_MAXMSG + 64];
		struct ps_hdr	*h = (struct ps_hdr *)huge;

		h->type = PS_LOG;
		h->len = sizeof(huge);
		h->id = 9;
		h->flags = 0;
		(void)send(r.fd, huge, sizeof(huge), 0);
	}
	refused("record larger than PS_MAXMSG", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	ps_buf_init(&b);
	ps_add_u32(&b, ST_HELO);
	fd = open("/dev/null", O_RDONLY);
	(void)sendmsg_(&r, PS_STATE, &b, fd);
	close(fd);
	refused("an fd attached to a request", &r, answer(&r, &m));

	start(&r, "smtpd.conf", "192.0.2.7");
	ps_buf_init(&b);
	ps_add_u32(&b, ST_HELO);
	ps_add_u32(&b, 0);
	(void)sendmsg_(&r, PS_STATE, &b, -1);
	refused("trailing bytes after a payload", &r, answer(&r, &m));

	printf("# %d failed\n", failures);
	return failures != 0;
}
