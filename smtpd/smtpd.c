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
 * smtpd: one SMTP connection on fd 0/1, started as root by inetd,
 * tcpserver or a systemd socket.  Everything that needs root is opened
 * here; then the process splits into the session child (chrooted,
 * _upassmtpd, sandboxed: it speaks SMTP) and the parent (the mail user: it
 * answers the child and runs the mailer).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "smtpd.h"
#include "priv/priv.h"
#include "session/session.h"
#include "log.h"
#include "sandbox.h"

#define PSFD		3	/* the child's end of the socketpair */
#define DBGFD		4	/* the child's -d transcript */
#define FSIZE_SLACK	(64 * 1024)	/* Received: and friends over maxsize */
#define EX_USAGE	64

struct flags {
	struct conf	 v;		/* the values given */
	const char	*conf;		/* -C */
	int		 test;		/* -T */
	int		 hflag, mflag, cflag;
};

static void	usage(void) __attribute__((noreturn));
static void	flags_parse(int, char **, struct flags *);
static void	flags_apply(struct conf *, const struct flags *);
static int	open_dir(const char *, int);
static int	open_debug(const struct conf *, const char *);
static void	child_main(struct session *, const struct ps_ids *, int, int)
		    __attribute__((noreturn));

static struct session	sess;

/*
 * Until the session child runs session_run(), a process that exits
 * tells the client why (RFC 5321 3.8: 421 at any time), never a
 * silent close: an atexit(3) handler, so that fatal() says it too.
 */
static int		 startup;
static const char	*startup_host = "localhost";

static void
startup_fault(void)
{
	if (startup)
		(void)dprintf(1, "421 4.3.0 %s Service not available, local "
		    "error\r\n", startup_host);
	startup = 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-aDdEefgpqrsT] [-C conffile] [-c certfile] "
	    "[-h mydom] [-k evilip] [-m mailer] [-n netdir]\n", __progname);
	exit(EX_USAGE);
}

static void
strset(char *dst, size_t dstsz, const char *src, const char *what)
{
	if (strlcpy(dst, src, dstsz) >= dstsz) {
		fprintf(stderr, "%s: %s: too long\n", __progname, what);
		exit(EX_USAGE);
	}
}

static void
flags_parse(int argc, char **argv, struct flags *f)
{
	struct netaddr	 na;
	int		 ch;

	/* f is static and parsed once: already zero, and not touching its
	 * 60 KiB keeps those pages out of both processes' memory */
	while ((ch = getopt(argc, argv, "aC:c:DdEefgh:k:m:n:pqrsT")) != -1) {
		switch (ch) {
		case 'a': f->v.requireauth = 1; break;
		case 'C': f->conf = optarg; break;
		case 'c':
			strset(f->v.certfile, sizeof(f->v.certfile), optarg, "-c");
			f->cflag = 1;
			break;
		case 'D': f->v.tarpit = 1; break;
		case 'd': f->v.debug = 1; break;
		case 'E': f->v.heloauth = 1; break;
		case 'e': f->v.nohelocheck = 1; break;
		case 'f': f->v.norelay = 1; break;
		case 'g': f->v.greylist = 1; break;
		case 'h':
			strset(f->v.domain, sizeof(f->v.domain), optarg, "-h");
			f->hflag = 1;
			break;
		case 'k':
			if (net_parse(optarg, &na, 1) == -1) {
				fprintf(stderr, "%s: -k %s: bad address\n",
				    __progname, optarg);
				exit(EX_USAGE);
			}
			if (netlist_add(&f->v.kill, &na) == -1)
				err(1, NULL);
			break;
		case 'm':
			/* a bare name lives with us, as /bin/upas/ in Plan 9 */
			if (strchr(optarg, '/') == NULL)
				(void)snprintf(f->v.mailer, sizeof(f->v.mailer),
				    "%s/upas/%s", LIBEXECDIR, optarg);
			else
				strset(f->v.mailer, sizeof(f->v.mailer), optarg,
				    "-m");
			f->mflag = 1;
			break;
		case 'n':
			strset(f->v.netdir, sizeof(f->v.netdir), optarg, "-n");
			break;
		case 'p': f->v.plainauth = 1; break;
		case 'q': f->v.heloquiet = 1; break;
		case 'r': f->v.verifysender = 1; break;
		case 's': f->v.saveblocked = 1; break;
		case 'T': f->test = 1; break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* Flags win over the file; a flag can only turn a switch on. */
static void
flags_apply(struct conf *c, const struct flags *f)
{
	const struct conf	*v = &f->v;
	char			*p;
	size_t			 i;

	c->requireauth |= v->requireauth;
	c->tarpit |= v->tarpit;
	c->debug |= v->debug;
	c->heloauth |= v->heloauth;
	c->nohelocheck |= v->nohelocheck;
	c->norelay |= v->norelay;
	c->greylist |= v->greylist;
	c->plainauth |= v->plainauth;
	c->heloquiet |= v->heloquiet;
	c->verifysender |= v->verifysender;
	c->saveblocked |= v->saveblocked;
	if (f->cflag) {
		(void)strlcpy(c->certfile, v->certfile, sizeof(c->certfile));
		conf_setby("cert", "-c");
	}
	if (f->hflag)
		(void)strlcpy(c->domain, v->domain, sizeof(c->domain));
	if (f->mflag) {
		(void)strlcpy(c->mailer, v->mailer, sizeof(c->mailer));
		conf_setby("mailer", "-m");
		for (i = 0; i < c->mailerargs.n; i++)
			free(c->mailerargs.v[i]);
		c->mailerargs.n = 0;
	}
	(void)strlcpy(c->netdir, v->netdir, sizeof(c->netdir));
	c->kill = v->kill;
	/* dom: -h, else defaultdomain, else the host name (smtpd.conf(5)) */
	if (c->domain[0] == '\0')
		(void)strlcpy(c->domain, c->hostname, sizeof(c->domain));
	for (p = c->domain; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	if (c->keyfile[0] == '\0' && c->certfile[0] != '\0')
		(void)strlcpy(c->keyfile, c->certfile, sizeof(c->keyfile));
}

/* A directory the processes keep open across the split, or -1. */
static int
open_dir(const char *path, int needed)
{
	int	fd;

	if (path[0] == '\0')
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && needed)
		log_warn("%s", path);
	return fd;
}

/* -d: a new transcript file, debugdir/<time>.<sid>. */
static int
open_debug(const struct conf *c, const char *sid)
{
	char	path[PATH_MAX];
	int	fd;

	if (!c->debug)
		return -1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%lld.%s", c->debugdir,
	    (long long)time(NULL), sid) >= sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0640);
	if (fd == -1)
		log_warn("debug transcript %s", path);
	return fd;
}

static void
movefd(int from, int to)
{
	if (from == to)
		return;
	if (dup2(from, to) == -1)
		exit(1);	/* startup_fault(): 421 */
	(void)close(from);
}

/*
 * The session child.  Keep fd 0, 1, the socketpair (as 3) and the
 * transcript (as 4); everything else opened as root is closed before
 * any byte from the network is read.
 */
static void
child_main(struct session *s, const struct ps_ids *ids, int psfd, int dbgfd)
{
	int	fds[4], nfds = 0, nullfd;

	closelog();
	log_init(s->conf->logident, 0, 0);
	log_setaddr(NULL);	/* the parent adds it to what it relays */
	log_setfile(-1);
	log_procinit("session");
	if (dbgfd == PSFD) {		/* keep it out of the way first */
		if ((dbgfd = dup(dbgfd)) == -1)
			exit(1);
	}
	movefd(psfd, PSFD);
	if (dbgfd != -1)
		movefd(dbgfd, DBGFD);
	closefrom(dbgfd != -1 ? DBGFD + 1 : PSFD + 1);
	/* under inetd fd 2 is the connection: no stray stderr to the client */
	if ((nullfd = open("/dev/null", O_WRONLY)) != -1 && nullfd != 2) {
		(void)dup2(nullfd, 2);
		(void)close(nullfd);
	}
	(void)fcntl(PSFD, F_SETFD, 0);
	if (ps_hello_send(PSFD) == -1)
		exit(1);
	session_logto(PSFD);

	s->infd = 0;
	s->outfd = 1;
	s->psfd = PSFD;
	s->dbgfd = dbgfd != -1 ? DBGFD : -1;
	s->spoolfd = -1;
	fds[nfds++] = 0;
	fds[nfds++] = 1;
	fds[nfds++] = PSFD;
	if (s->dbgfd != -1)
		fds[nfds++] = DBGFD;

	if (s->conf->certfile[0] != '\0' && tls_setup(s) == -1)
		fatalx("TLS setup failed");
	sandbox_init();
	ps_privdrop(s->conf->chroot, ids);
	io_init(s);
	sandbox_child(fds, nfds, s->conf->maxsize + FSIZE_SLACK);
	startup = 0;		/* from here session.c answers for itself */
	session_run(s);
}

static void
null_stdio(void)
{
	int	fd, i;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	for (i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) == -1)
			fatal("dup2");
	if (fd > 2)
		(void)close(fd);
}

/*
 * With a certificate: a second child, forked as root before the split,
 * that waits on its socketpair until the session child gets STARTTLS,
 * then takes over the session with TLS (tlsmod.c has why).  It reads one
 * byte and loads nothing before that; at EOF (no STARTTLS, the parent
 * gone) it exits.  It is forked before the parent reads the key.
 */
static void
tls_waiter(struct parent *par, struct session *s, const struct ps_ids *ids,
    int dbgfd)
{
	int	sp[2];
	char	go;
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		(void)close(sp[0]);
		if (read(sp[1], &go, 1) != 1 || go != 'g')
			_exit(0);
		s->tlstakeover = 1;
		child_main(s, ids, sp[1], dbgfd);
	}
	(void)close(sp[1]);
	par->tlsfd = sp[0];
	par->tlschild = pid;
}

/* The configuration, or exit: 64 for flags, 1 for the file. */
static void
configure(struct conf *c, int argc, char **argv, int *test,
    struct ps_ids *mailids, struct ps_ids *childids)
{
	static struct flags	f;
	const char		*path;
	int			 rv, parsed;

	flags_parse(argc, argv, &f);
	*test = f.test;
	log_init(SMTPD_LOGIDENT, f.test ? LOG_TO_STDERR : LOG_TO_SYSLOG, 0);
	conf_defaults(c);
	path = f.conf != NULL ? f.conf : SMTPD_CONF;
	if (f.conf != NULL || access(path, F_OK) == 0)
		rv = conf_read(c, path);
	else
		rv = 0;		/* no default file: built-in defaults */
	flags_apply(c, &f);
	if (strcmp(c->logident, SMTPD_LOGIDENT) != 0)
		log_init(c->logident, f.test ? LOG_TO_STDERR : LOG_TO_SYSLOG,
		    0);
	/* the file, then what it names on this machine (users, chroot...) */
	parsed = rv == 0;
	if (parsed && conf_check(c, mailids, childids) == -1)
		rv = -1;
	if (f.test) {
		if (rv == 0 && c->certfile[0] != '\0' && tls_selftest(c) == -1)
			rv = -1;
		/* what was read, even when what it names is refused */
		if (parsed)
			conf_print(c, stdout);
		exit(rv == 0 ? 0 : 1);
	}
	if (rv == -1) {
		/* tell the client why nothing happens, without details */
		(void)dprintf(1, "421 4.3.0 %s Service not available, "
		    "configuration error\r\n", c->hostname);
		exit(1);
	}
	startup_host = c->hostname;
	startup = 1;
	if (atexit(startup_fault) != 0)
		fatal("atexit");
}

static void
make_sid(char *sid, size_t sidsz)
{
	(void)snprintf(sid, sidsz, "%08x", arc4random());
}

int
main(int argc, char **argv)
{
	static struct conf	conf;
	static struct peer	peer;
	static struct parent	par;
	struct session		*s = &sess;
	struct ps_ids		 mailids, childids;
	int			 test, logfd, sp[2], dbgfd;
	pid_t			 pid;

	/* fds 0-2 taken, so nothing opened later lands there */
	while ((logfd = open("/dev/null", O_RDWR)) != -1 && logfd <= 2)
		;
	if (logfd > 2)
		(void)close(logfd);
	configure(&conf, argc, argv, &test, &mailids, &childids);
	(void)signal(SIGPIPE, SIG_IGN);

	if (peer_find(&peer, &conf) == -1)
		fatalx("can't get remote system's address");
	/* -k: gone before anything is said or logged (smtp(8), -k) */
	if (netlist_match(&conf.kill, (struct sockaddr *)&peer.remote)) {
		startup = 0;
		exit(0);
	}

	if (conf.logfile[0] != '\0') {
		if ((logfd = open(conf.logfile, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0640)) == -1)
			log_warn("%s", conf.logfile);
		else
			log_setfile(logfd);
	}
	make_sid(peer.sid, sizeof(peer.sid));
	log_setsid(peer.sid);
	log_procinit("parent");
	log_info("connect addr=%s port=%d local=%s lport=%d", peer.raddr,
	    peer.rport, peer.laddr, peer.lport);
	/* the line above has it already; every later one, after the sid */
	log_setaddr(peer.raddr);

	(void)blocked_read(&conf);
	peer.ipaction = policy_ip(&conf, &peer);
	peer.trusted = netlist_match(&conf.ournets,
	    (struct sockaddr *)&peer.remote);
	/* the resolver's config as root; its answers only after the drop */
	if (conf.unbound[0] != '\0')
		(void)dns_init(&conf);

	/* everything that needs root, before the split */
	par.conf = &conf;
	par.peer = &peer;
	par.spoolfd = -1;
	par.spooldir = open_dir(conf.spool, 1);
	par.dumpfd = open_dir(conf.dumpdir, conf.saveblocked);
	par.greyfd = open_dir(conf.greydir, conf.greylist);
	par.keyfd = -1;
	par.connfd = -1;
	if (conf.certfile[0] != '\0') {
		if ((par.keyfd = open(conf.keyfile, O_RDONLY | O_CLOEXEC)) == -1)
			log_warn("key %s", conf.keyfile);
		(void)tls_ticketkeys_load(&conf);
	}
	/* no credentials file: no AUTH offered (auth.c); read by the parent only */
	if (conf.passwd[0] != '\0' && access(conf.passwd, F_OK) == -1)
		conf.passwd[0] = '\0';
	dbgfd = open_debug(&conf, peer.sid);

	s->conf = &conf;
	s->peer = &peer;
	par.tlsfd = -1;
	if (conf.certfile[0] != '\0') {
		/* one sessiontimeout for both children, from now */
		io_clock(s, 0);
		tls_waiter(&par, s, &childids, dbgfd);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		(void)close(sp[0]);
		s->tlslater = par.tlsfd != -1;
		child_main(s, &childids, sp[1], dbgfd);
	}

	/* the parent: the connection belongs to the child now */
	startup = 0;
	(void)close(sp[1]);
	if (dbgfd != -1)
		(void)close(dbgfd);
	par.connfd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	null_stdio();
	par.child = pid;
	par.fd = sp[0];
	if (ps_hello_recv(par.fd) == -1)
		parent_kill(&par, "no hello from the child");
	/* par.keyfd stays open: the key is read at STARTTLS (p_tls) */
	if (chdir("/") == -1)
		fatal("chdir /");
	ps_setids(&mailids);
	/* unveil(2) would hide the module at STARTTLS: load it now */
	if (conf.certfile[0] != '\0' && sandbox_parent_paths)
		tls_preload();
	/*
	 * the child learns the name with its spool fd (PS_QUEUE_FD); before
	 * the sandbox, so libunbound's first resolve can read its anchors
	 */
	if (conf.unbound[0] != '\0' &&
	    dns_ptr(&conf, &peer, peer.rdns, sizeof(peer.rdns)) == 0)
		log_info("peer addr=%s host=%s", peer.raddr, peer.rdns);
	parent_sandbox(&conf);
	parent_run(&par);
}
