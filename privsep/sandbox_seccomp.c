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
 * Linux sandbox for the session child: rlimits, no core dumps, no new
 * privileges, Landlock with nothing allowed (best effort), then a classic
 * seccomp-BPF allow-list written by hand in the OpenSSH style.  Anything
 * not listed kills the process; harmless libc probes fail with EACCES.
 *
 * To allow one more system call add a line to the table in filter[]:
 * SC_ALLOW(__NR_x), or SC_DENY(__NR_x, EPERM) for a probe that may fail.
 */

#ifdef __linux__

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

#if defined(__x86_64__)
#define SECCOMP_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH	AUDIT_ARCH_AARCH64
#else
#error "sandbox_seccomp.c: unsupported architecture"
#endif

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT	0x40000000
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS	0x80000000U
#endif

/* Both supported architectures are little-endian: the low word is first. */
#define SC_ARG_LO(n)	(offsetof(struct seccomp_data, args[(n)]))

/*
 * Build with -DSANDBOX_DEBUG to trap instead of kill: the SIGSYS handler
 * names the offending system call on stderr, then dies of SIGSYS anyway.
 */
#ifdef SANDBOX_DEBUG
#define SC_KILL		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)
#else
#define SC_KILL		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
#endif
#define SC_LOADNR	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			    offsetof(struct seccomp_data, nr))
#define SC_ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define SC_DENY(nr, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
/* Allowed when none of the bits of mask are set in argument n. */
#define SC_ALLOW_ARG_NOBITS(nr, n, mask) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(n)), \
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (mask), 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), \
	SC_KILL
/* Allowed when argument n equals v, otherwise an error. */
#define SC_ALLOW_ARG_EQ(nr, n, v, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(n)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (v), 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e)), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* Allowed when argument n is one of four values, otherwise an error. */
#define SC_ALLOW_ARG_IN4(nr, n, a, b, c, d, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 7), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(n)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (a), 4, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (b), 3, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (c), 2, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (d), 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e)), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* The same with six values. */
#define SC_ALLOW_ARG_IN6(nr, n, a, b, c, d, f, g, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 9), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SC_ARG_LO(n)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (a), 6, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (b), 5, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (c), 4, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (d), 3, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (f), 2, 0), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (g), 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e)), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Both filters start alike: this architecture only (no x32), then nr. */
#if defined(__x86_64__)
#define SC_X32 \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1), \
	SC_KILL,
#else
#define SC_X32
#endif
#define SC_PROLOGUE \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0), \
	SC_KILL, \
	SC_LOADNR, \
	SC_X32

/* What libraries probe for: an error, not a kill. */
#ifdef __NR_open
#define SC_P_OPEN	SC_DENY(__NR_open, EACCES),
#else
#define SC_P_OPEN
#endif
#ifdef __NR_stat
#define SC_P_STAT	SC_DENY(__NR_stat, EACCES), SC_DENY(__NR_lstat, EACCES),
#else
#define SC_P_STAT
#endif
#ifdef __NR_statx
#define SC_P_STATX	SC_DENY(__NR_statx, EACCES),
#else
#define SC_P_STATX
#endif
#ifdef __NR_access
#define SC_P_ACCESS	SC_DENY(__NR_access, EACCES),
#else
#define SC_P_ACCESS
#endif
#ifdef __NR_readlink
#define SC_P_READLINK	SC_DENY(__NR_readlink, EACCES),
#else
#define SC_P_READLINK
#endif
#define SC_PROBES \
	SC_P_OPEN \
	SC_DENY(__NR_openat, EACCES), \
	SC_P_STAT \
	SC_DENY(__NR_fstat, EACCES), \
	SC_DENY(__NR_newfstatat, EACCES), \
	SC_P_STATX \
	SC_P_ACCESS \
	SC_DENY(__NR_faccessat, EACCES), \
	SC_P_READLINK \
	SC_DENY(__NR_readlinkat, EACCES), \
	SC_DENY(__NR_ioctl, ENOTTY),

#define SC_PID_PLACEHOLDER	0x7fffffff	/* patched with getpid() */

/* Both filters end alike: signals only to ourselves, then exit. */
#define SC_SELF \
	SC_ALLOW(__NR_rt_sigreturn), \
	SC_ALLOW(__NR_rt_sigprocmask), \
	SC_ALLOW(__NR_rt_sigaction), \
	SC_ALLOW(__NR_sigaltstack), \
	SC_ALLOW_ARG_EQ(__NR_kill, 0, SC_PID_PLACEHOLDER, EPERM), \
	SC_ALLOW_ARG_EQ(__NR_tgkill, 0, SC_PID_PLACEHOLDER, EPERM), \
	SC_ALLOW(__NR_restart_syscall), \
	SC_ALLOW(__NR_exit), \
	SC_ALLOW(__NR_exit_group),

/* Both filters' memory: never executable. */
#ifndef SANDBOX_LAX
#define SC_MADVISE	/* what malloc uses; not MADV_HWPOISON, MADV_REMOVE... */ \
	SC_ALLOW_ARG_IN6(__NR_madvise, 2, MADV_NORMAL, MADV_DONTNEED, MADV_FREE, \
	    MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, EINVAL),
#else
#define SC_MADVISE	SC_ALLOW(__NR_madvise),
#endif
#define SC_MEMORY \
	SC_ALLOW(__NR_brk), \
	SC_ALLOW_ARG_NOBITS(__NR_mmap, 2, PROT_EXEC), \
	SC_ALLOW_ARG_NOBITS(__NR_mprotect, 2, PROT_EXEC), \
	SC_ALLOW(__NR_munmap), \
	SC_ALLOW(__NR_mremap), \
	SC_MADVISE \
	SC_ALLOW(__NR_futex),

/* Both filters' clocks and sleeps, and who we are. */
#ifdef __NR_time
#define SC_P_TIME	SC_ALLOW(__NR_time),
#else
#define SC_P_TIME
#endif
#define SC_TIME \
	SC_ALLOW(__NR_getrandom), \
	SC_ALLOW(__NR_clock_gettime), \
	SC_ALLOW(__NR_clock_getres), \
	SC_ALLOW(__NR_gettimeofday), \
	SC_P_TIME \
	SC_ALLOW(__NR_clock_nanosleep), \
	SC_ALLOW(__NR_nanosleep),
#define SC_IDENTITY \
	SC_ALLOW(__NR_getuid), SC_ALLOW(__NR_geteuid), \
	SC_ALLOW(__NR_getgid), SC_ALLOW(__NR_getegid), \
	SC_ALLOW(__NR_uname), SC_ALLOW(__NR_sysinfo), \
	SC_ALLOW(__NR_sched_yield),

/* The ASan/UBSan runtime (reports, stack checks, leak checks), and more. */
#ifdef SANDBOX_LAX
#ifdef __NR_getrlimit
#define SC_P_GETRLIMIT	SC_ALLOW(__NR_getrlimit),
#else
#define SC_P_GETRLIMIT
#endif
#ifdef __NR_clone3
#define SC_P_CLONE3	SC_DENY(__NR_clone3, ENOSYS),
#else
#define SC_P_CLONE3
#endif
#define SC_LAX(...) \
	SC_ALLOW(__NR_prctl), SC_ALLOW(__NR_prlimit64), SC_P_GETRLIMIT \
	SC_ALLOW(__NR_sched_getaffinity), SC_ALLOW(__NR_getdents64), __VA_ARGS__ \
	SC_DENY(__NR_clone, EPERM), SC_P_CLONE3 \
	SC_DENY(__NR_ptrace, EPERM), SC_DENY(__NR_pipe2, EPERM),
#else
#define SC_LAX(...)
#endif

static struct sock_filter filter[] = {
	SC_PROLOGUE

	/* Probes by libc and OpenSSL: fail them, do not kill. */
	SC_PROBES

	/* I/O on descriptors already held or received */
	SC_ALLOW(__NR_read), SC_ALLOW(__NR_write),
	SC_ALLOW(__NR_readv), SC_ALLOW(__NR_writev),
	SC_ALLOW(__NR_pread64), SC_ALLOW(__NR_lseek),
	SC_ALLOW(__NR_recvmsg), SC_ALLOW(__NR_sendmsg),
	SC_ALLOW(__NR_recvfrom), SC_ALLOW(__NR_sendto),
#ifdef __NR_poll
	SC_ALLOW(__NR_poll),
#endif
	SC_ALLOW(__NR_ppoll),
#ifdef __NR_select
	SC_ALLOW(__NR_select),
#endif
	SC_ALLOW(__NR_pselect6), SC_ALLOW(__NR_close),
	SC_ALLOW(__NR_close_range), SC_ALLOW(__NR_dup),
	SC_ALLOW(__NR_dup3),
#ifdef __NR_dup2
	SC_ALLOW(__NR_dup2),
#endif
	SC_ALLOW(__NR_shutdown), SC_ALLOW(__NR_getsockopt),
	SC_ALLOW(__NR_getsockname), SC_ALLOW(__NR_getpeername),
	SC_ALLOW(__NR_ftruncate), SC_ALLOW(__NR_fsync),
	SC_ALLOW(__NR_fdatasync),
	SC_ALLOW_ARG_IN4(__NR_fcntl, 1, F_GETFL, F_SETFL, F_GETFD, F_SETFD,
	    EACCES),

	/* memory: never executable */
	SC_MEMORY

	/* time, randomness, identity */
	SC_TIME
#ifdef __NR_alarm
	SC_ALLOW(__NR_alarm),
#endif
	SC_ALLOW(__NR_setitimer), SC_ALLOW(__NR_getitimer),
	SC_ALLOW(__NR_getpid), SC_ALLOW(__NR_getppid),
	SC_ALLOW(__NR_gettid),
	SC_IDENTITY

	/* signals, only to ourselves (abort(3)), and the way out */
	SC_SELF

	SC_LAX()

	SC_KILL
};

/*
 * The smtp client (sandbox.h): the network on sockets it opens itself,
 * IPv4, IPv6 (servers, the resolver) and UNIX (LMTP, syslog); no file, no
 * process, no executable memory.
 */
static struct sock_filter client_filter[] = {
	SC_PROLOGUE

	/* libc, OpenSSL and libunbound probes: fail them, do not kill */
	SC_PROBES

	/* sockets of three families, and I/O on them */
	SC_ALLOW_ARG_IN4(__NR_socket, 0, AF_INET, AF_INET6, AF_UNIX, AF_INET,
	    EAFNOSUPPORT),
	/* libunbound's event loop (libevent): epoll and its wakeup fds */
#ifdef __NR_epoll_create
	SC_ALLOW(__NR_epoll_create),
#endif
	SC_ALLOW(__NR_epoll_create1), SC_ALLOW(__NR_epoll_ctl),
#ifdef __NR_epoll_wait
	SC_ALLOW(__NR_epoll_wait),
#endif
	SC_ALLOW(__NR_epoll_pwait),
#ifdef __NR_epoll_pwait2
	SC_ALLOW(__NR_epoll_pwait2),
#endif
	SC_ALLOW(__NR_eventfd2), SC_ALLOW(__NR_pipe2),
#ifdef __NR_pipe
	SC_ALLOW(__NR_pipe),
#endif
	SC_ALLOW(__NR_connect), SC_ALLOW(__NR_bind),
	SC_ALLOW(__NR_setsockopt), SC_ALLOW(__NR_getsockopt),
	SC_ALLOW(__NR_getsockname), SC_ALLOW(__NR_getpeername),
	SC_ALLOW(__NR_shutdown), SC_ALLOW(__NR_read),
	SC_ALLOW(__NR_write), SC_ALLOW(__NR_readv),
	SC_ALLOW(__NR_writev), SC_ALLOW(__NR_recvmsg),
	SC_ALLOW(__NR_sendmsg), SC_ALLOW(__NR_recvfrom),
	SC_ALLOW(__NR_sendto), SC_ALLOW(__NR_lseek),
#ifdef __NR_poll
	SC_ALLOW(__NR_poll),
#endif
	SC_ALLOW(__NR_ppoll),
#ifdef __NR_select
	SC_ALLOW(__NR_select),
#endif
	SC_ALLOW(__NR_pselect6), SC_ALLOW(__NR_close),
	SC_ALLOW(__NR_dup), SC_ALLOW(__NR_dup3),
#ifdef __NR_dup2
	SC_ALLOW(__NR_dup2),
#endif
	SC_ALLOW_ARG_IN4(__NR_fcntl, 1, F_GETFL, F_SETFL, F_GETFD, F_SETFD,
	    EACCES),

	/* memory: never executable */
	SC_MEMORY

	/* time, randomness, identity */
	SC_TIME
	SC_ALLOW(__NR_getpid), SC_ALLOW(__NR_gettid),
	SC_IDENTITY

	/* signals, only to ourselves (abort(3)), and the way out */
	SC_SELF

	SC_LAX(SC_ALLOW(__NR_getppid),)

	SC_KILL
};

/* The cache writer (sandbox.h); stdio's fstat, syslog(3)'s socket fail. */
static struct sock_filter wfilter[] = {
	SC_PROLOGUE
	SC_ALLOW(__NR_read), SC_ALLOW(__NR_recvfrom),
	SC_ALLOW(__NR_write), SC_ALLOW(__NR_sendto),
	SC_ALLOW(__NR_openat), SC_ALLOW(__NR_fsync),
#ifdef __NR_renameat
	SC_ALLOW(__NR_renameat),
#endif
	SC_ALLOW(__NR_renameat2), SC_ALLOW(__NR_unlinkat),
	SC_ALLOW(__NR_close), SC_ALLOW(__NR_getpid),
	SC_DENY(__NR_fstat, EACCES), SC_DENY(__NR_newfstatat, EACCES),
	SC_DENY(__NR_socket, EACCES), SC_DENY(__NR_ioctl, ENOTTY),
	SC_MEMORY SC_TIME SC_SELF
	SC_KILL
};

/* Landlock, from <linux/landlock.h>, spelled out for older headers. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#define __NR_landlock_restrict_self	446
#endif
#define LL_VERSION		(1U << 0)
#define LL_FS_ABI1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define LL_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define LL_NET_TCP		((1ULL << 0) | (1ULL << 1))	/* ABI 4 */
#define LL_SCOPE_ALL		((1ULL << 0) | (1ULL << 1))	/* ABI 6 */

struct ll_attr {
	uint64_t	fs, net, scoped;
};

static int
landlock_seal(int net)
{
	struct ll_attr	attr = { 0, 0, 0 };
	size_t		size = sizeof(attr.fs);
	long		abi;
	int		fd;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_VERSION);
	if (abi < 1)
		return 0;	/* not built in or disabled: best effort */
	attr.fs = LL_FS_ABI1;
	if (abi >= 2)
		attr.fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.fs |= LL_FS_IOCTL_DEV;
	if (abi >= 4 && net) {
		attr.net = LL_NET_TCP;
		size = offsetof(struct ll_attr, scoped);
	}
	if (abi >= 6 && net) {
		attr.scoped = LL_SCOPE_ALL;
		size = sizeof(attr);
	}
	log_debug("landlock abi %ld", abi);
	fd = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd == -1) {
		log_warn("landlock_create_ruleset abi %ld", abi);
		return 0;
	}
	if (syscall(__NR_landlock_restrict_self, fd, 0) == -1) {
		log_warn("landlock_restrict_self");
		close(fd);
		return 0;
	}
	close(fd);
	return (int)abi;
}

#ifdef SANDBOX_DEBUG
static void
sigsys(int sig, siginfo_t *si, void *uc)
{
	char		buf[64], *p = buf + sizeof(buf);
	int		nr = si->si_syscall;
	sigset_t	set;

	(void)uc;
	*--p = '\n';
	do {
		*--p = '0' + nr % 10;
	} while ((nr /= 10) > 0 && p > buf + 40);
	(void)write(STDERR_FILENO, "sandbox: forbidden system call ", 31);
	(void)write(STDERR_FILENO, p, buf + sizeof(buf) - p);
	(void)signal(sig, SIG_DFL);
	(void)sigemptyset(&set);
	(void)sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	(void)raise(sig);
	_exit(128 + sig);
}

static void
trap_init(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sigaction SIGSYS");
}
#endif

static pid_t	parentpid;	/* our parent when sandbox_init() ran */

/* Called in the child, right after fork. */
void
sandbox_init(void)
{
	tzset();
	parentpid = getppid();
}

void
sandbox_nonewprivs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");
}

/* Our pid into the filter (SC_SELF), then the filter on. */
static void
seal(struct sock_filter *f, size_t n)
{
	struct sock_fprog	prog;
	size_t			i;
	pid_t			pid = getpid();

	for (i = 0; i < n; i++)
		if (f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    f[i].k == SC_PID_PLACEHOLDER)
			f[i].k = (uint32_t)pid;
#ifdef SANDBOX_DEBUG
	trap_init();
#endif
	prog.len = n;
	prog.filter = f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)
		fatal("prctl PR_SET_SECCOMP");
}

void
sandbox_child(const int *fds, size_t nfds, size_t maxfsize)
{
	sandbox_rlimit_nofile(fds, nfds);
	sandbox_rlimits(maxfsize);
	/*
	 * The parent runs under another uid and cannot kill us; the kernel
	 * does it when the parent exits.  Set after setresuid, which clears it.
	 * The session also leaves when the socketpair hangs up (io_poll in
	 * smtpd/session/io.c), the one way on the BSDs; UPAS_TEST_NOPDEATHSIG
	 * leaves this one out so that regress/privsep/t-orphan.sh sees that
	 * way work alone on Linux too.
	 */
	if (getenv("UPAS_TEST_NOPDEATHSIG") == NULL &&
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("prctl PR_SET_PDEATHSIG");
	if (parentpid != 0 && getppid() != parentpid)
		_exit(1);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl PR_SET_DUMPABLE");
	sandbox_nonewprivs();
	(void)landlock_seal(1);

	seal(filter, sizeof(filter) / sizeof(filter[0]));
}

void
sandbox_client(void)
{
	sandbox_rlimits_client();
	sandbox_nonewprivs();
#ifdef SANDBOX_LAX
	/*
	 * The ASan build: LeakSanitizer's check at exit ptraces the process
	 * and reads /proc/self, which the filter forbids.  The plain build,
	 * which every test runs first, is the one sealed.
	 */
	return;
#endif
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl PR_SET_DUMPABLE");
	/* no file access at all; TCP left to the seccomp filter */
	(void)landlock_seal(0);
	seal(client_filter, sizeof(client_filter) / sizeof(client_filter[0]));
}

void
sandbox_dirwriter(int dfd, int s, const char *dir, size_t maxfsize)
{
	sandbox_rlimits(maxfsize);
	sandbox_nonewprivs();
#ifdef SANDBOX_LAX
	return;		/* LeakSanitizer, as in sandbox_client() */
#endif
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl PR_SET_DUMPABLE");
	seal(wfilter, sizeof(wfilter) / sizeof(wfilter[0]));
}

/*
 * The parent keeps the file system (Maildirs, the credentials file, the
 * mailer): its confinement is its uid, and on systemd the unit's
 * ProtectSystem and ReadWritePaths (etc/smtpd@.service).
 */
const int sandbox_parent_paths = 0;

void
sandbox_parent(const struct sandbox_path *paths, size_t npaths, int flags)
{
}

const char *
sandbox_name(void)
{
	return "seccomp";
}

#endif /* __linux__ */
