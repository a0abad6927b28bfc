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
 * regress for privsep/, part two: the privilege drop (chroot, ids) and the
 * sandbox, each checked from the outside (/proc, a forbidden call's
 * signal).  privsep-test.c runs them.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "sandbox.h"
#include "privsep-test.h"

static struct ps_msg	m;

static void
mkdir_mode(const char *p, mode_t mode, uid_t uid)
{
	(void)mkdir(p, 0700);
	if (chown(p, uid, 0) == -1 || chmod(p, mode) == -1)
		perror(p);
}

static char	root_ok[PATH_MAX];

void
test_chroot(const struct ps_ids *ids)
{
	char	p[PATH_MAX], f[PATH_MAX];
	int	fd;

	snprintf(root_ok, sizeof(root_ok), "%s/root", scratch);
	mkdir_mode(root_ok, 0755, 0);
	check(ps_check_chroot(root_ok) == 0, "chroot: fresh root-owned empty dir");

	snprintf(p, sizeof(p), "%s/full", scratch);
	mkdir_mode(p, 0755, 0);
	snprintf(f, sizeof(f), "%s/file", p);
	fd = open(f, O_CREAT | O_WRONLY, 0644);
	close(fd);
	check(ps_check_chroot(p) == -1, "chroot: refuse a non-empty dir");

	snprintf(p, sizeof(p), "%s/o+w", scratch);
	mkdir_mode(p, 0757, 0);
	check(ps_check_chroot(p) == -1, "chroot: refuse a dir others can write");
	snprintf(p, sizeof(p), "%s/g+w", scratch);
	mkdir_mode(p, 0775, 0);
	check(ps_check_chroot(p) == -1, "chroot: refuse a dir the group can write");
	snprintf(p, sizeof(p), "%s/notroot", scratch);
	mkdir_mode(p, 0755, ids->uid);
	check(ps_check_chroot(p) == -1, "chroot: refuse a dir not owned by root");
	check(ps_check_chroot(f) == -1, "chroot: refuse a file");
	check(ps_check_chroot("relative") == -1, "chroot: refuse a relative path");
}

/* Read one field of /proc/pid/status. */
static void
status_field(pid_t pid, const char *name, char *out, size_t outsz)
{
	char	 path[64], line[256];
	FILE	*fp;
	size_t	 l = strlen(name);

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, name, l) == 0 && line[l] == ':') {
			snprintf(out, outsz, "%s", line + l + 1 +
			    strspn(line + l + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(fp);
}

static int
waitstatus(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}

void
test_privdrop(const struct ps_ids *ids)
{
	char	v[128], want[64], link[PATH_MAX], c;
	int	go[2], rdy[2], st;
	ssize_t	n;
	pid_t	pid;

	if (pipe(go) == -1 || pipe(rdy) == -1)
		exit(2);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(go[1]);
		close(rdy[0]);
		ps_privdrop(root_ok, ids);
		check(getuid() == ids->uid && geteuid() == ids->uid &&
		    getgid() == ids->gid, "privdrop: uid and gid");
		check(setuid(0) == -1 && seteuid(0) == -1 && setgid(0) == -1,
		    "privdrop: cannot regain root");
		check(open("/etc/passwd", O_RDONLY) == -1 && access("/proc", F_OK) == -1,
		    "privdrop: inside the empty chroot");
		(void)write(rdy[1], "r", 1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(rdy[1]);
	(void)read(rdy[0], &c, 1);
	status_field(pid, "NoNewPrivs", v, sizeof(v));
	check(strcmp(v, "1") == 0, "privdrop: NoNewPrivs: 1 (got %s)", v);
	status_field(pid, "Uid", v, sizeof(v));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", ids->uid, ids->uid,
	    ids->uid, ids->uid);
	check(strcmp(v, want) == 0, "privdrop: Uid all %u", ids->uid);
	snprintf(link, sizeof(link), "/proc/%ld/root", (long)pid);
	n = readlink(link, v, sizeof(v) - 1);
	v[n > 0 ? n : 0] = '\0';
	check(strcmp(v, root_ok) == 0, "privdrop: root is the chroot");
	(void)write(go[1], "g", 1);
	st = waitstatus(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "privdrop: child exit 0");
	close(go[1]);
	close(rdy[0]);

	/* ps_privdrop must refuse an unsafe chroot */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char	p[PATH_MAX];

		log_init("privsep-test", 0, 0);
		snprintf(p, sizeof(p), "%s/o+w", scratch);
		ps_privdrop(p, ids);
		_exit(0);
	}
	st = waitstatus(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 1,
	    "privdrop: fatal on an unsafe chroot");
}

void
test_setids(void)
{
	struct ps_ids	ids;
	char		v[64];
	gid_t		g[4];
	int		st;
	pid_t		pid;

	if (ps_lookup_user("_upasmail", &ids) == -1) {
		printf("skip - ps_setids # no _upasmail user\n");
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		ps_setids(&ids);
		check(getuid() == ids.uid && getegid() == ids.gid &&
		    getgroups(4, g) == 1 && g[0] == ids.gid,
		    "setids: uid, gid and groups");
		check(setuid(0) == -1 && seteuid(0) == -1, "setids: no way back");
		status_field(getpid(), "NoNewPrivs", v, sizeof(v));
		/* the parent keeps the right to exec a setgid mailer */
		check(strcmp(v, "0") == 0, "setids: NoNewPrivs: 0 (setgid mailer allowed)");
		_exit(0);
	}
	st = waitstatus(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setids: child exit 0");
}

enum {
	BAD_SOCKET, BAD_EXECVE, BAD_FORK, BAD_MMAP_EXEC, BAD_MPROTECT_EXEC,
	BAD_X32, BAD_OPENAT_OK
};
static const char *badname[] = {
	"socket", "execve", "fork", "mmap PROT_EXEC", "mprotect PROT_EXEC",
	"x32 syscall", NULL
};

static void
forbidden(int which)
{
	char	*argv[] = { "/bin/true", NULL };
	void	*p;

	switch (which) {
	case BAD_SOCKET:
		(void)socket(AF_INET, SOCK_STREAM, 0);
		break;
	case BAD_EXECVE:
		execv(argv[0], argv);
		break;
	case BAD_FORK:
#ifdef SANDBOX_LAX
		if (fork() == -1)
			raise(SIGSYS);	/* refused is as good as killed */
#else
		(void)fork();
#endif
		break;
	case BAD_MMAP_EXEC:
		(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case BAD_MPROTECT_EXEC:
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
		(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
		break;
	case BAD_X32:
#ifdef __x86_64__
		(void)syscall(0x40000000 | 39);	/* x32 getpid */
#else
		(void)syscall(-1);
#endif
		break;
	}
}

/* The allowed side: everything a session child does. */
static int
allowed(int sock)
{
	struct timespec	 ts;
	char		*p, buf[8];
	uint32_t	 r;
	int		 fd;

	p = malloc(1 << 20);		/* mmap */
	if (p == NULL)
		return 1;
	memset(p, 1, 1 << 20);
	free(p);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED || madvise(p, 8192, MADV_DONTNEED) == -1 ||
	    mprotect(p, 4096, PROT_READ) == -1 || munmap(p, 8192) == -1)
		return 13;
	p = malloc(100);
	free(p);
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 || time(NULL) == -1)
		return 2;
	if (getpid() <= 0 || getentropy(&r, sizeof(r)) == -1)
		return 3;
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	if (nanosleep(&ts, NULL) == -1)
		return 4;
	if ((fd = open("/etc/passwd", O_RDONLY)) != -1 || errno != EACCES)
		return 5;
	if (fcntl(sock, F_GETFL) == -1 ||
	    fcntl(sock, F_DUPFD, 10) != -1)
		return 6;
	/* receive a spool fd, write it, hit the size limit */
	if (ps_send(sock, PS_FIRSTTYPE, 1, -1, "q", 1) == -1)
		return 7;
	if (ps_recv(sock, &m) != 1 || m.fd == -1)
		return 8;
	if (write(m.fd, "0123456789", 10) != 10)
		return 9;
	if (write(m.fd, "0123456789", 10) != 5)		/* up to the limit */
		return 10;
	if (write(m.fd, "0123456789", 10) != -1 || errno != EFBIG)
		return 11;
	ps_msg_closefd(&m);
	if (ps_send(sock, PS_FIRSTTYPE, 2, -1, "done", 4) == -1)
		return 12;
	(void)read(sock, buf, 0);
	return 0;
}

void
test_sandbox(const struct ps_ids *ids, int drop)
{
	char	v[64], path[PATH_MAX];
	int	sp[2], st, fds[1], spool, r;
	size_t	i;
	pid_t	pid;

	check(strcmp(sandbox_name(), "seccomp") == 0, "sandbox_name seccomp");
	snprintf(path, sizeof(path), "%s/spool", scratch);
	spool = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	pair(sp);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(sp[0]);
		if (drop)
			ps_privdrop(root_ok, ids);
		close(spool);	/* it must come by SCM_RIGHTS */
		fds[0] = sp[1];
		sandbox_child(fds, 1, 15);
		_exit(allowed(sp[1]));
	}
	close(sp[1]);
	r = ps_recv(sp[0], &m);
	check(r == 1 && m.hdr.id == 1, "sandbox: child asks for the spool fd");
	status_field(pid, "Seccomp", v, sizeof(v));
	check(strcmp(v, "2") == 0, "sandbox: Seccomp: 2 (got %s)", v);
	status_field(pid, "NoNewPrivs", v, sizeof(v));
	check(strcmp(v, "1") == 0, "sandbox: NoNewPrivs: 1");
	ps_send(sp[0], PS_FIRSTTYPE, 1, spool, NULL, 0);
	r = ps_recv(sp[0], &m);
	check(r == 1 && m.hdr.id == 2, "sandbox: child wrote its message");
	close(sp[0]);
	st = waitstatus(pid);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "sandbox: allowed calls work (status %#x)", st);
	check(lseek(spool, 0, SEEK_END) == 15, "sandbox: RLIMIT_FSIZE held");
	close(spool);

	for (i = 0; badname[i] != NULL; i++) {
		fflush(stdout);
		if ((pid = fork()) == 0) {
			if (drop)
				ps_privdrop(root_ok, ids);
			fds[0] = 2;
			sandbox_child(fds, 1, 0);
			forbidden(i);
			_exit(0);
		}
		st = waitstatus(pid);
		check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		    "sandbox%s: %s is killed with SIGSYS (status %#x)",
		    drop ? " after privdrop" : "", badname[i], st);
	}
}
