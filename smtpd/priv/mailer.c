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
 * Run the mailer sendmail-style, without a shell:
 *	mailer [args] -i -f sender -- rcpt...
 * with the spool file on stdin, stdout on /dev/null and stderr into the
 * log (never to the client: RFC 5321 6.1 and the upas fix 3.3.21).  The
 * exit status becomes the SMTP reply.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

#define MAILER_MAXLOG	20	/* stderr lines logged per run */

static const struct exitmap {
	int		 status;
	int		 code;
	const char	*esc;
	const char	*text;
} exitmap[] = {
	{ 0,		  250, "2.0.0", "Message accepted for delivery" },
	{ EX_TEMPFAIL,	  451, "4.3.0", "Temporary local problem, try again later" },
	{ EX_NOUSER,	  554, "5.1.1", "Recipient unknown" },
	{ EX_NOHOST,	  554, "5.1.2", "Destination unknown" },
	{ EX_DATAERR,	  554, "5.6.0", "Message content refused" },
	{ EX_NOPERM,	  554, "5.7.1", "Delivery not authorized" },
	{ EX_UNAVAILABLE, 554, "5.3.0", "Delivery failed" },
	{ EX_SOFTWARE,	  451, "4.3.0", "Local delivery error, try again later" },
	{ EX_OSERR,	  451, "4.3.0", "Local delivery error, try again later" },
	{ EX_OSFILE,	  451, "4.3.0", "Local delivery error, try again later" },
	{ EX_CANTCREAT,	  451, "4.3.0", "Local delivery error, try again later" },
	{ EX_IOERR,	  451, "4.3.0", "Local delivery error, try again later" },
	{ EX_CONFIG,	  451, "4.3.0", "Local delivery error, try again later" },
};

/*
 * The mailer must never outlive the parent, whatever kills the parent
 * (kill -9 included), nor leave anything it started behind.  Portable
 * part: the parent forks a watcher that leads a process group of its
 * own and forks the mailer into it; the watcher holds the read end of a
 * pipe whose only write end is the parent's, so the parent's death, for
 * any reason, is a hang-up the watcher sees, and it kills the whole
 * group (the mailer and everything the mailer started).  reap() kills
 * the same group on a timeout.  tether() is the system-specific part.
 */
#if defined(__linux__)
#include <sys/prctl.h>

/* Linux: the mailer is killed at once if its watcher dies first. */
static void
tether(void)
{
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)	/* the watcher died before prctl(2) */
		_exit(EX_OSERR);
}
#else
/* Elsewhere the watcher's pipe alone (it never dies before the group). */
static void
tether(void)
{
}
#endif

static __attribute__((noreturn)) void
mailer_exec(struct parent *p, char **argv, int errfd)
{
	char	*envp[] = { "PATH=/usr/bin:/bin", "HOME=/", "SHELL=/bin/sh",
		    "LC_ALL=C", NULL };
	int	 null;

	tether();
	(void)signal(SIGPIPE, SIG_DFL);
	(void)signal(SIGCHLD, SIG_DFL);
	if ((null = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(p->spoolfd, 0) == -1 || dup2(null, 1) == -1 ||
	    dup2(errfd, 2) == -1)
		_exit(EX_OSERR);
	closefrom(3);
	if (chdir("/") == -1)
		_exit(EX_OSERR);
	execve(argv[0], argv, envp);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(EX_OSERR);
}

static void
on_chld(int sig)
{
}

/*
 * The watcher: the group leader between the parent and the mailer.  It
 * exits as the mailer did, or kills the group when lifeline hangs up.
 * SIGCHLD is blocked but while ppoll(2) waits: no exit goes unseen.
 */
static __attribute__((noreturn)) void
mailer_watch(struct parent *p, char **argv, int errfd, int lifeline)
{
	struct pollfd	 pfd;
	struct sigaction sa;
	struct rlimit	 rl = { 0, 0 };
	sigset_t	 chld, old;
	pid_t		 pid, r;
	int		 status, sig;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigemptyset(&chld);
	(void)sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &old) == -1 ||
	    sigaction(SIGCHLD, &sa, NULL) == -1 || (pid = fork()) == -1)
		_exit(EX_OSERR);
	if (pid == 0) {
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		(void)close(lifeline);
		mailer_exec(p, argv, errfd);
	}
	/* only the lifeline here: the mailer's stderr must end with it */
	if (lifeline != 3 && dup2(lifeline, 3) == -1)
		_exit(EX_OSERR);
	closefrom(4);
	(void)sigdelset(&old, SIGCHLD);
	pfd.fd = 3;
	pfd.events = POLLIN;
	for (;;) {
		if ((r = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (r == -1 && errno != EINTR)
			_exit(EX_OSERR);
		/* readable means EOF: the parent never writes to it */
		if (ppoll(&pfd, 1, NULL, &old) > 0) {
			(void)kill(0, SIGKILL);	/* the group, and us */
			_exit(EX_OSERR);
		}
	}
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* die as the mailer did, for map_status(), without a core */
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)signal(sig, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	(void)kill(getpid(), sig);
	(void)kill(getpid(), SIGKILL);
	_exit(EX_OSERR);
}

/* Copy the mailer's stderr into the log, a line at a time. */
static int
drain(int fd, char *buf, size_t bufsz, size_t *len, int *nlog)
{
	char	 esc[512], *nl;
	ssize_t	 n;
	size_t	 l;

	n = read(fd, buf + *len, bufsz - 1 - *len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n > 0)
		*len += n;
	for (;;) {
		nl = memchr(buf, '\n', *len);
		if (nl == NULL && *len < bufsz - 1 && n > 0)
			break;
		l = nl != NULL ? (size_t)(nl - buf) : *len;
		if (l == 0 && nl == NULL)
			break;
		if ((*nlog)++ < MAILER_MAXLOG)
			log_warnx("mailer: %s", log_escape(esc, sizeof(esc),
			    buf, l));
		if (nl != NULL)
			l++;
		memmove(buf, buf + l, *len - l);
		*len -= l;
	}
	return n > 0;
}

/* Wait for the mailer until the deadline; -1 on timeout (then killed). */
static int
reap(pid_t pid, int errfd, time_t deadline, int *status)
{
	struct pollfd	 pfd;
	char		 buf[1024];
	size_t		 len = 0;
	int		 nlog = 0, open = 1, exited = 0, ms;
	pid_t		 r;

	for (;;) {
		if ((ms = (int)(deadline - time(NULL)) * 1000) <= 0) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			while (!exited && waitpid(pid, status, 0) == -1 &&
			    errno == EINTR)
				;
			return -1;
		}
		if (!exited) {
			if ((r = waitpid(pid, status, WNOHANG)) == pid)
				exited = 1;
			else if (r == -1 && errno != EINTR)
				fatal("waitpid mailer");
		}
		if (!open) {
			if (exited)
				break;
			(void)poll(NULL, 0, ms < 50 ? ms : 50);
			continue;
		}
		pfd.fd = errfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms < 200 ? ms : 200) > 0)
			open = drain(errfd, buf, sizeof(buf), &len, &nlog);
		else if (exited)
			open = 0;	/* a leftover process holds stderr */
	}
	if (nlog > MAILER_MAXLOG)
		log_warnx("mailer: %d more stderr lines not logged",
		    nlog - MAILER_MAXLOG);
	/* anything the process group left running goes too */
	(void)kill(-pid, SIGKILL);
	return 0;
}

static void	map_exit(int, int *, const char **, const char **, char *,
		    size_t);

static void
map_status(int timedout, int status, int *code, const char **esc,
    const char **text, char *how, size_t howsz)
{
	*code = 451;
	*esc = "4.3.0";
	*text = "Local delivery error, try again later";
	if (timedout) {
		(void)snprintf(how, howsz, "timeout");
		return;
	}
	if (WIFSIGNALED(status)) {
		(void)snprintf(how, howsz, "signal:%s",
		    parent_signame(WTERMSIG(status)));
		return;
	}
	map_exit(WEXITSTATUS(status), code, esc, text, how, howsz);
}

/* An exit status (sysexits) as the reply. */
static void
map_exit(int ex, int *code, const char **esc, const char **text, char *how,
    size_t howsz)
{
	size_t	i;

	(void)snprintf(how, howsz, "%d", ex);
	for (i = 0; i < sizeof(exitmap) / sizeof(exitmap[0]); i++)
		if (exitmap[i].status == ex) {
			*code = exitmap[i].code;
			*esc = exitmap[i].esc;
			*text = exitmap[i].text;
			return;
		}
	*code = 554;
	*esc = "5.3.0";
	*text = "Delivery failed";
}

static void
closepair(int fd[2])
{
	if (fd[0] != -1)
		(void)close(fd[0]);
	if (fd[1] != -1)
		(void)close(fd[1]);
}

static char **
mailer_argv(const struct conf *c, const char *sender, char **rcpt,
    size_t nrcpt)
{
	char	**argv;
	size_t	  n = 0, i;

	argv = reallocarray(NULL, 1 + c->mailerargs.n + 4 + nrcpt + 1,
	    sizeof(*argv));
	if (argv == NULL)
		return NULL;
	argv[n++] = (char *)c->mailer;
	for (i = 0; i < c->mailerargs.n; i++)
		argv[n++] = c->mailerargs.v[i];
	argv[n++] = "-i";
	argv[n++] = "-f";
	argv[n++] = (char *)sender;
	argv[n++] = "--";
	for (i = 0; i < nrcpt; i++)
		argv[n++] = rcpt[i];
	argv[n] = NULL;
	return argv;
}

int
mailer_run(struct parent *p, const char *sender, char **rcpt, size_t nrcpt,
    char *esc, size_t escsz, char *text, size_t textsz)
{
	struct stat	 st;
	char		**argv, how[32], from[SMTP_PATHMAX * 4 + 1];
	const char	*e, *t, *mapfile;
	int		 pfd[2], life[2], status = 0, code, timedout;
	pid_t		 pid;
	time_t		 deadline;

	st.st_size = 0;
	(void)fstat(p->spoolfd, &st);
	if (lseek(p->spoolfd, 0, SEEK_SET) == -1 ||
	    (argv = mailer_argv(p->conf, sender, rcpt, nrcpt)) == NULL) {
		log_warn("mailer");
		(void)strlcpy(esc, "4.3.0", escsz);
		(void)snprintf(text, textsz, "%s Local error, try again later",
		    p->msgid);
		return 451;
	}
	if ((mapfile = mdeliver_map(p->conf)) != NULL) {
		/* the built-in mailer: no fork, no exec (mdeliver.c) */
		free(argv);
		map_exit(mdeliver_run(p, mapfile, sender, rcpt, nrcpt), &code,
		    &e, &t, how, sizeof(how));
		goto done;
	}
	pfd[0] = pfd[1] = life[0] = life[1] = -1;
	if (pipe2(pfd, O_CLOEXEC) == -1 || pipe2(life, O_CLOEXEC) == -1 ||
	    (pid = fork()) == -1) {
		log_warn("mailer");
		free(argv);
		closepair(pfd);
		closepair(life);
		(void)strlcpy(esc, "4.3.0", escsz);
		(void)snprintf(text, textsz, "%s Local error, try again later",
		    p->msgid);
		return 451;
	}
	if (pid == 0) {
		(void)close(life[1]);	/* the parent's alone */
		mailer_watch(p, argv, pfd[1], life[0]);
	}
	free(argv);
	(void)close(pfd[1]);
	(void)close(life[0]);
	deadline = time(NULL) + p->conf->mailertimeout;
	timedout = reap(pid, pfd[0], deadline, &status) == -1;
	(void)close(pfd[0]);
	(void)close(life[1]);

	map_status(timedout, status, &code, &e, &t, how, sizeof(how));
 done:
	(void)strlcpy(esc, e, escsz);
	(void)snprintf(text, textsz, "%s %s", p->msgid, t);
	log_info("message id=%s from=<%s> nrcpt=%zu size=%lld mailer_status=%s "
	    "result=%d", p->msgid, log_escape(from, sizeof(from), sender,
	    strlen(sender)), nrcpt, (long long)st.st_size, how, code);
	return code;
}
