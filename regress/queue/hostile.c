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
 * A hostile session child against the real parent (smtpd/priv/parent.c with
 * smtpd/priv/rcpt.c) over a real SOCK_SEQPACKET pair: a commit naming a
 * recipient the parent never accepted at RCPT must kill the child and
 * reach no mailer; the same commit with only the accepted recipient
 * reaches it.  The handlers this does not exercise, and the mailer, are
 * stand-ins that record whether they ran.
 *
 *	hostile DIR	prints ok/not ok lines; DIR holds the spool
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv/priv.h"
#include "log.h"

static const char	*marker;	/* the stand-in mailer writes it */

/* stand-ins for what this test does not drive */
void p_policy(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: policy"); }
void p_grey(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: grey"); }
void p_dns(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: dns"); }
void p_auth(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: auth"); }
void p_sign(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: sign"); }
void p_tls(struct parent *p, struct ps_msg *m) { parent_kill(p, "test: tls"); }
int
queue_commit(struct parent *p, const char *s, int b, int u, char **r,
    size_t n, char *e, size_t el, char *t, size_t tl)
{
	abort();
}
int
mailer_run(struct parent *p, const char *sender, char **rcpt, size_t n,
    char *esc, size_t el, char *text, size_t tl)
{
	FILE	*f = fopen(marker, "a");
	size_t	 i;

	for (i = 0; f != NULL && i < n; i++)
		fprintf(f, "%s\n", rcpt[i]);
	if (f != NULL)
		fclose(f);
	(void)strlcpy(esc, "2.0.0", el);
	(void)strlcpy(text, "ok", tl);
	return 250;
}

static int	failed;
static pid_t	sleeper;	/* stands for the session child */

static void
check(int good, const char *what)
{
	printf("%s - %s\n", good ? "ok" : "not ok", what);
	failed += !good;
}

/* The parent for one connection, in a process of its own. */
static pid_t
start(const char *dir, int *fd)
{
	static struct conf	c;
	static struct peer	peer;
	static struct parent	p;
	int			sp[2];
	pid_t			pid;

	if ((sleeper = fork()) == 0) {
		closefrom(0);
		pause();
		_exit(0);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == -1)
		exit(2);
	if ((pid = fork()) != 0) {
		(void)close(sp[1]);
		*fd = sp[0];
		return pid;
	}
	(void)close(sp[0]);
	(void)strlcpy(c.mailer, "/bin/true", sizeof(c.mailer));
	(void)strlcpy(c.spool, dir, sizeof(c.spool));
	c.maxrcpt = 100;
	memset(&p, 0, sizeof(p));
	p.conf = &c;
	p.peer = &peer;
	p.child = sleeper;
	p.fd = sp[1];
	p.spoolfd = p.keyfd = p.dumpfd = p.greyfd = p.connfd = -1;
	p.spooldir = open(dir, O_RDONLY | O_DIRECTORY);
	parent_run(&p);
}

static int
ask(int fd, uint32_t type, struct ps_buf *b, uint32_t want, struct ps_msg *m)
{
	if (ps_sendbuf(fd, type, 1, -1, b) == -1)
		return -1;
	if (ps_recv(fd, m) <= 0 || m->hdr.type != want)
		return -1;
	return 0;
}

/* RCPT a@x.test, open a spool, commit to rcpts; the commit's answer code */
static int
session(int fd, const char **rcpts, size_t n)
{
	static struct ps_msg	m;
	struct ps_buf		b;
	char			id[64];
	uint32_t		v;
	size_t			i;

	/* HELO first: the parent takes no spool before it (R_HELO) */
	ps_buf_init(&b);
	ps_add_u32(&b, ST_HELO);
	if (ps_sendbuf(fd, PS_STATE, 0, -1, &b) == -1)
		return -2;
	ps_buf_init(&b);
	ps_add_str(&b, "a@x.test");
	if (ask(fd, PS_RCPT_REQ, &b, PS_RCPT_ANS, &m) == -1 ||
	    ps_get_u32(&m, &v) == -1 || v != RCPT_OK)
		return -2;
	ps_buf_init(&b);
	if (ask(fd, PS_QUEUE_OPEN, &b, PS_QUEUE_FD, &m) == -1 ||
	    ps_get_u32(&m, &v) == -1 || v != 1 ||
	    ps_get_str(&m, id, sizeof(id)) == -1 || m.fd == -1)
		return -3;
	(void)write(m.fd, "Subject: x\n\nhi\n", 15);
	(void)close(m.fd);
	ps_buf_init(&b);
	ps_add_str(&b, "s@x.test");
	ps_add_u32(&b, 0);
	ps_add_u32(&b, 0);
	ps_add_u64(&b, 15);
	ps_add_u32(&b, (uint32_t)n);
	for (i = 0; i < n; i++)
		ps_add_str(&b, rcpts[i]);
	if (ask(fd, PS_QUEUE_COMMIT, &b, PS_QUEUE_ANS, &m) == -1)
		return -1;		/* the parent hung up */
	if (ps_get_u32(&m, &v) == -1)
		return -4;
	return (int)v;
}

int
main(int argc, char *argv[])
{
	static const char *forged[] = { "a@x.test", "victim@elsewhere.test" };
	static const char *honest[] = { "a@x.test" };
	char		 mk[1024], buf[256];
	int		 fd, status, code;
	pid_t		 pid;
	FILE		*f;

	if (argc != 2)
		return 2;
	(void)snprintf(mk, sizeof(mk), "%s/mailer-ran", argv[1]);
	marker = mk;
	(void)unlink(mk);
	/* the parent is forked from here: nothing buffered to print twice */
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("hostile", LOG_TO_STDERR, 0);
	(void)signal(SIGPIPE, SIG_IGN);

	pid = start(argv[1], &fd);
	code = session(fd, forged, 2);
	(void)close(fd);
	(void)waitpid(pid, &status, 0);
	(void)kill(sleeper, SIGKILL);
	(void)waitpid(sleeper, NULL, 0);
	check(code == -1, "a commit with a recipient never accepted at RCPT: "
	    "the parent hangs up");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "... and exits 1 (killed the child)");
	check(access(mk, F_OK) == -1, "... and no mailer ran");

	pid = start(argv[1], &fd);
	code = session(fd, honest, 1);
	(void)close(fd);
	(void)waitpid(pid, &status, 0);
	(void)kill(sleeper, SIGKILL);
	(void)waitpid(sleeper, NULL, 0);
	check(code == 250, "the same commit with the accepted recipient: 250");
	buf[0] = '\0';
	if ((f = fopen(mk, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	check(strcmp(buf, "a@x.test\n") == 0, "... the mailer got a@x.test");
	return failed ? 1 : 0;
}
