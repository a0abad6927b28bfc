/* objs: smtpd/session/session.c smtpd/session/verbs.c smtpd/session/ask.c smtpd/session/exit.c smtpd/session/io.c smtpd/session/reply.c smtpd/session/addr.c smtpd/session/data.c smtpd/session/auth.c smtpd/session/rules.c smtpd/session/tags.c smtpd/policy.c smtpd/conf.c smtpd/net.c smtpd/priv/parent.c smtpd/priv/loop.c smtpd/priv/spool.c smtpd/priv/greylist.c smtpd/priv/dnsreq.c smtpd/priv/dns.c smtpd/dlload.c smtpd/priv/auth.c smtpd/priv/mailer.c smtpd/priv/mdeliver.c smtpd/priv/rcpt.c smtpd/priv/rlist.c smtpd/routes.c smtpd/priv/queue.c smtpd/qfile.c deliver/maildir.c deliver/map.c privsep/msg.c privsep/marshal.c privsep/log.c privsep/text.c */
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
 * The session child's command loop (session_run: verbs, MAIL/RCPT and
 * rules.c's relay, blocked-file and header checks, AUTH, DATA and BDAT)
 * in process, on client bytes from the fuzzer, with the real parent on the
 * other end of a SOCK_SEQPACKET pair: parent_run() from parent.c, forked
 * for each input (so its coverage is not seen here; fuzz-parent covers
 * it).  The first input octet picks the configuration: bit 0 requireauth,
 * bit 1 heloauth (-E), bit 2 the peer in ournets, bit 3 greylisting, bit 4
 * verifysenderdom (no resolver: 451), bit 5 norelay off; always plainauth
 * (AUTH in the clear; alice/sekret), saveblockedmsg and a blocked file.
 * The rest is what the client sends.  Client input is a file, replies go
 * to a file.  The mailer is /bin/true.
 *
 * Checked after each input, else abort():
 *  - the parent ended on its own with status 0: it never found a request
 *    its rules reject (a privsep violation, or a commit with a recipient,
 *    sender or AUTH state it would not take, ends it with status 1);
 *  - the session ended through session_exit() (_exit(0)), never through
 *    fatal() or fatalx();
 *  - every reply line is three digits and a space or hyphen, at most 512
 *    octets with its CRLF, and the output ends with a CRLF;
 *  - no descriptor is left open that was not open before.
 * exit(3) and _exit(2) are wrapped below to come back here.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv/priv.h"
#include "session/session.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", \
			    __FILE__, __LINE__, #c); abort(); } } while (0)
#define NOPID		0x3fffffff	/* above any pid_max: kill(2) finds nothing */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static jmp_buf		 env;
static volatile int	 inrun, how;
static pid_t		 mainpid;
static char		 work[] = "/tmp/fuzz-session.XXXXXX";
static char		 plog[600];
static struct conf	 base;

/* No TLS here: no certificate, so STARTTLS is 454 and these never run. */
int	tls_setup(struct session *s) { abort(); }
int	tls_start(struct session *s) { abort(); }
ssize_t	tls_read(struct session *s, void *b, size_t n) { abort(); }
ssize_t	tls_write(struct session *s, const void *b, size_t n) { abort(); }
int	tls_pending(struct session *s) { return 0; }
void	tls_close(struct session *s) { }
void	p_sign(struct parent *p, struct ps_msg *m)
{
	parent_kill(p, "signature request without a key");
}
void	p_tls(struct parent *p, struct ps_msg *m)
{
	parent_kill(p, "STARTTLS hand-over without a certificate");
}

/*
 * The session's ends (session_exit: _exit(0); fatal: exit(1)) come back
 * to the harness; in the forked parent and its mailers they end the
 * process without atexit handlers (no leak report for the harness's
 * memory).
 */
static __attribute__((noreturn)) void
leave(int status, int underscore)
{
	if (getpid() != mainpid)
		syscall(SYS_exit_group, status);
	if (inrun) {
		inrun = 0;
		how = underscore ? 1 + status : 1000 + status;
		longjmp(env, 1);
	}
	syscall(SYS_exit_group, status);
	abort();
}

void
exit(int status)
{
	static void (*real)(int);

	if (getpid() == mainpid && !inrun) {
		if (real == NULL)
			real = (void (*)(int))dlsym(RTLD_NEXT, "exit");
		real(status);
	}
	leave(status, 0);
}

void
_exit(int status)
{
	leave(status, 1);
}

unsigned int
sleep(unsigned int s)
{
	return 0;
}

static int
nfds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	CHECK((d = opendir("/proc/self/fd")) != NULL);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static void
cleanup(void)
{
	char	 cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
	(void)system(cmd);
}

static void
setup(void)
{
	char	 cmd[1024], path[512];
	FILE	*fp;

	mainpid = getpid();
	CHECK(mkdtemp(work) != NULL);
	atexit(cleanup);
	(void)snprintf(cmd, sizeof(cmd), "cd %s && mkdir grey spool dump && "
	    "printf 'alice:%%s\\n' \"$(openssl passwd -6 -salt fuzz sekret)\" "
	    "> passwd && printf '*deny spam@denied.example\\n*block "
	    "blocked@denied.example\\n*dial dial@denied.example\\n' > blocked",
	    work);
	CHECK(system(cmd) == 0);
	(void)snprintf(path, sizeof(path), "%s/smtpd.conf", work);
	CHECK((fp = fopen(path, "w")) != NULL);
	fprintf(fp, "hostname mx.ours.example\ndefaultdomain ours.example\n"
	    "ourdomains ours.example\nournets 10.0.0.0/8\nsaveblockedmsg on\n"
	    "plainauth on\nauthfail 0 60\ngreetpause 0\nmaxerrors 100\n"
	    "spool %s/spool\ngreydir %s/grey\ndumpdir %s/dump\n"
	    "passwd %s/passwd\nblocked %s/blocked\nmailer /bin/true\n", work,
	    work, work, work, work);
	fclose(fp);
	(void)snprintf(plog, sizeof(plog), "%s/parent.log", work);
	log_init("fuzz-session", 0, 0);
	conf_defaults(&base);
	CHECK(conf_read(&base, path) == 0);
	CHECK(blocked_read(&base) == 0);
	base.unbound[0] = '\0';
}

/* The real parent, as smtpd.c starts it; its exit status is the verdict. */
static pid_t
parent_start(struct conf *c, struct peer *pe, int fd, int other)
{
	static struct parent	 par;
	pid_t			 pid;
	int			 lfd;

	CHECK((pid = fork()) != -1);
	if (pid != 0)
		return pid;
	close(other);
	if ((lfd = open(plog, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1)
		(void)dup2(lfd, 2);
	log_setsink(NULL);
	log_init("parent", LOG_TO_STDERR, 0);
	memset(&par, 0, sizeof(par));
	par.conf = c;
	par.peer = pe;
	par.child = NOPID;
	par.tlsfd = -1;
	par.fd = fd;
	par.spoolfd = -1;
	par.keyfd = -1;
	par.connfd = -1;
	par.spooldir = open(c->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.dumpfd = open(c->dumpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.greyfd = open(c->greydir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ps_hello_recv(par.fd) == -1)
		parent_kill(&par, "no hello from the child");
	parent_run(&par);
}

static void
check_replies(int fd)
{
	static char	 out[1 << 20];
	ssize_t		 n;
	size_t		 i, start = 0;

	CHECK((n = pread(fd, out, sizeof(out), 0)) >= 0);
	CHECK(n == 0 || (n >= 2 && out[n - 2] == '\r' && out[n - 1] == '\n'));
	for (i = 0; i < (size_t)n; i++) {
		if (out[i] != '\n')
			continue;
		CHECK(i + 1 - start <= SMTP_CMDMAX);
		CHECK(i - start >= 4 && out[i - 1] == '\r');
		CHECK(isdigit((unsigned char)out[start]) &&
		    isdigit((unsigned char)out[start + 1]) &&
		    isdigit((unsigned char)out[start + 2]) &&
		    (out[start + 3] == ' ' || out[start + 3] == '-' ||
		    i - start == 4));
		start = i + 1;
	}
}

static void
parent_failed(int status)
{
	char	 buf[4096];
	ssize_t	 n;
	int	 fd;

	fprintf(stderr, "the parent ended with status %d; its log:\n", status);
	if ((fd = open(plog, O_RDONLY)) != -1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stderr);
		close(fd);
	}
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf	 c;
	static struct peer	 pe;
	static struct session	 s;
	struct sockaddr_in	*rin = (struct sockaddr_in *)&pe.remote;
	struct sockaddr_in	*lin = (struct sockaddr_in *)&pe.local;
	int			 sp[2], in, out, before, status, flags;
	pid_t			 pid;

	if (mainpid == 0)
		setup();
	if (size == 0)
		return 0;
	flags = data[0];
	data++;
	size--;
	before = nfds();

	c = base;
	c.requireauth = flags & 1;
	c.heloauth = (flags & 2) != 0;
	c.greylist = (flags & 8) != 0;
	c.verifysender = (flags & 16) != 0;
	c.norelay = !(flags & 32);
	memset(&pe, 0, sizeof(pe));
	rin->sin_family = lin->sin_family = AF_INET;
	rin->sin_addr.s_addr = htonl(flags & 4 ? 0x0a010203 : 0xc0000207);
	lin->sin_addr.s_addr = htonl(0x7f000001);
	strlcpy(pe.raddr, flags & 4 ? "10.1.2.3" : "192.0.2.7",
	    sizeof(pe.raddr));
	strlcpy(pe.laddr, "127.0.0.1", sizeof(pe.laddr));
	strlcpy(pe.sid, "0000fuzz", sizeof(pe.sid));
	pe.ipaction = policy_ip(&c, &pe);
	pe.trusted = netlist_match(&c.ournets, (struct sockaddr *)&pe.remote);

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	pid = parent_start(&c, &pe, sp[0], sp[1]);
	close(sp[0]);
	CHECK((in = memfd_create("client", MFD_CLOEXEC)) != -1);
	CHECK((out = memfd_create("replies", MFD_CLOEXEC)) != -1);
	CHECK(write(in, data, size) == (ssize_t)size);
	CHECK(lseek(in, 0, SEEK_SET) == 0);

	memset(&s, 0, sizeof(s));
	s.conf = &c;
	s.peer = &pe;
	s.infd = in;
	s.outfd = out;
	s.psfd = sp[1];
	s.dbgfd = -1;
	s.spoolfd = -1;
	CHECK(ps_hello_send(s.psfd) == 0);
	how = 0;
	if (setjmp(env) == 0) {
		inrun = 1;
		session_run(&s);
	}
	CHECK(inrun == 0);
	log_setsink(NULL);
	if (s.spoolfd != -1)
		close(s.spoolfd);
	while (s.nrcpt > 0)	/* what session_reset() would free */
		free(s.rcpt[--s.nrcpt]);
	free(s.rcpt);
	close(s.psfd);
	close(in);

	while (waitpid(pid, &status, 0) == -1)
		CHECK(errno == EINTR);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		parent_failed(status);
	/* session_exit's _exit(0); fatal() would be exit(1) */
	CHECK(how == 1);
	check_replies(out);
	close(out);
	CHECK(nfds() == before);
	return 0;
}
