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
 * regress for privsep/: framing, marshalling, log, privilege drop and the
 * sandbox.  Usage: privsep-test scratchdir.  Prints TAP-like lines.
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

static const char	*scratch;
static int		 nfail;

static void	check(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
check(int good, const char *fmt, ...)
{
	va_list	ap;

	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!good)
		nfail++;
}

static void
pair(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == -1) {
		perror("socketpair");
		exit(2);
	}
}

static int
lowestfd(void)
{
	int	fd = dup(0);

	close(fd);
	return fd;
}

/* Send a raw record with nfd copies of fd attached. */
static void
rawsend(int s, const void *buf, size_t len, int fd, int nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	char		 cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct cmsghdr	*cm;
	int		 i;

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfd > 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		for (i = 0; i < nfd; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	}
	if (sendmsg(s, &mh, 0) == -1)
		perror("sendmsg");
}

static struct ps_msg	m;

/* As in sandbox_seccomp.c: sanitizer builds get EPERM for clone. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_LAX	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SANDBOX_LAX)
#define SANDBOX_LAX	1
#endif

static void
test_roundtrip(void)
{
	struct ps_buf	b;
	int		sp[2], p[2], r;
	uint32_t	u;
	uint64_t	q;
	char		s[64], d[16], c;
	size_t		dl;

	pair(sp);
	ps_buf_init(&b);
	ps_add_u32(&b, 0xdeadbeef);
	ps_add_u64(&b, 0x0123456789abcdefULL);
	ps_add_str(&b, "hello world");
	ps_add_str(&b, NULL);
	ps_add_data(&b, "\0\1\2", 3);
	check(ps_sendbuf(sp[0], PS_FIRSTTYPE, 42, -1, &b) == 0, "sendbuf");
	r = ps_recv(sp[1], &m);
	check(r == 1 && m.hdr.type == PS_FIRSTTYPE && m.hdr.id == 42 &&
	    m.fd == -1 && m.len == b.len, "recv without fd");
	check(ps_get_u32(&m, &u) == 0 && u == 0xdeadbeef, "get u32");
	check(ps_get_u64(&m, &q) == 0 && q == 0x0123456789abcdefULL, "get u64");
	check(ps_get_str(&m, s, sizeof(s)) == 0 && strcmp(s, "hello world") == 0,
	    "get str");
	check(ps_get_str(&m, s, sizeof(s)) == 0 && s[0] == '\0', "NULL str is empty");
	check(ps_get_data(&m, d, sizeof(d), &dl) == 0 && dl == 3 &&
	    memcmp(d, "\0\1\2", 3) == 0, "get data");
	check(ps_end(&m) == 0, "ps_end at the end");

	if (pipe(p) == -1)
		exit(2);
	check(ps_send(sp[0], PS_FIRSTTYPE + 1, 7, p[1], "x", 1) == 0,
	    "send with fd");
	close(p[1]);
	r = ps_recv(sp[1], &m);
	check(r == 1 && m.fd >= 0 && (m.hdr.flags & PS_F_FD) && m.len == 1,
	    "recv with fd");
	check(m.fd >= 0 && (fcntl(m.fd, F_GETFD) & FD_CLOEXEC), "fd is cloexec");
	check(m.fd >= 0 && write(m.fd, "Z", 1) == 1 && read(p[0], &c, 1) == 1 &&
	    c == 'Z', "received fd works");
	ps_msg_closefd(&m);
	check(m.fd == -1, "closefd");
	close(p[0]);
	close(sp[0]);
	check(ps_recv(sp[1], &m) == 0, "EOF");
	close(sp[1]);
}

static void
test_malformed(void)
{
	struct ps_hdr	 h;
	uint8_t		*big;
	int		 sp[2], low, r;
	size_t		 bl;

	pair(sp);
	rawsend(sp[0], "12345678", 8, -1, 0);
	check(ps_recv(sp[1], &m) == -1, "reject short header");

	memset(&h, 0, sizeof(h));
	h.type = PS_FIRSTTYPE;
	h.len = PS_HDRLEN + 100;
	rawsend(sp[0], &h, sizeof(h), -1, 0);
	check(ps_recv(sp[1], &m) == -1, "reject hdr.len != bytes received");

	h.len = PS_MAXMSG + 1;
	rawsend(sp[0], &h, sizeof(h), -1, 0);
	check(ps_recv(sp[1], &m) == -1, "reject hdr.len > PS_MAXMSG");

	bl = PS_MAXMSG + 64;
	big = calloc(1, bl);
	h.len = bl;
	memcpy(big, &h, sizeof(h));
	rawsend(sp[0], big, bl, -1, 0);
	r = ps_recv(sp[1], &m);
	check(r == -1, "reject oversized (truncated) record");
	free(big);

	h.len = PS_HDRLEN;
	h.flags = 0;
	low = lowestfd();
	rawsend(sp[0], &h, sizeof(h), 0, 1);
	check(ps_recv(sp[1], &m) == -1 && m.fd == -1, "reject fd without flag");
	check(lowestfd() == low, "unexpected fd was closed");

	h.flags = PS_F_FD;
	rawsend(sp[0], &h, sizeof(h), -1, 0);
	check(ps_recv(sp[1], &m) == -1, "reject flag without fd");

	rawsend(sp[0], &h, sizeof(h), 0, 2);
	check(ps_recv(sp[1], &m) == -1 && lowestfd() == low,
	    "reject two fds, both closed");

	h.flags = 0x80;
	rawsend(sp[0], &h, sizeof(h), -1, 0);
	check(ps_recv(sp[1], &m) == -1, "reject unknown flag");

	check(ps_send(sp[0], PS_FIRSTTYPE, 0, -1, "x", PS_MAXPAYLOAD + 1) == -1,
	    "refuse to send an oversized payload");
	h.flags = 0;
	rawsend(sp[0], &h, sizeof(h), -1, 0);
	check(ps_recv(sp[1], &m) == 1 && m.len == 0, "still in sync after errors");
	close(sp[0]);
	close(sp[1]);
}

static void
test_marshal(void)
{
	struct ps_buf	b;
	int		sp[2];
	uint32_t	u;
	char		s[6], d[4];
	size_t		dl;
	static char	fill[PS_MAXPAYLOAD];

	pair(sp);
	ps_buf_init(&b);
	ps_add_str(&b, "hello");	/* 5 bytes: needs dstsize 6 */
	ps_add_str(&b, "hello!");
	ps_add_u32(&b, 1);
	ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b);
	ps_recv(sp[1], &m);
	check(ps_get_str(&m, s, sizeof(s)) == 0 && strcmp(s, "hello") == 0,
	    "string that just fits");
	check(ps_get_str(&m, s, sizeof(s)) == -1 && m.err, "string too long");
	check(ps_get_u32(&m, &u) == -1 && ps_end(&m) == -1,
	    "error is sticky");

	ps_buf_init(&b);
	ps_add_data(&b, "a\0b", 3);
	ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b);
	ps_recv(sp[1], &m);
	check(ps_get_str(&m, s, sizeof(s)) == -1, "string with a NUL inside");

	ps_buf_init(&b);
	ps_add_u32(&b, 1);
	ps_add_u32(&b, 2);
	ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b);
	ps_recv(sp[1], &m);
	check(ps_get_u32(&m, &u) == 0 && ps_end(&m) == -1, "leftover bytes");

	ps_send(sp[0], PS_FIRSTTYPE, 0, -1, "ab", 2);
	ps_recv(sp[1], &m);
	check(ps_get_u32(&m, &u) == -1, "truncated u32");

	ps_buf_init(&b);
	ps_add_u32(&b, 100);		/* claims 100 bytes, has 2 */
	ps_add_u32(&b, 0);
	ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b);
	ps_recv(sp[1], &m);
	check(ps_get_str(&m, s, sizeof(s)) == -1, "string length past the end");

	ps_buf_init(&b);
	ps_add_data(&b, "12345", 5);
	ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b);
	ps_recv(sp[1], &m);
	check(ps_get_data(&m, d, sizeof(d), &dl) == -1, "data too long for dst");

	ps_buf_init(&b);
	ps_add_data(&b, fill, sizeof(fill) - 4);
	check(!b.err && b.len == sizeof(fill), "buffer filled exactly");
	ps_add_u32(&b, 1);
	check(b.err && b.len == sizeof(fill), "buffer overflow sets err");
	check(ps_sendbuf(sp[0], PS_FIRSTTYPE, 0, -1, &b) == -1,
	    "sendbuf refuses a buffer in error");
	close(sp[0]);
	close(sp[1]);
}

static void
test_hello(void)
{
	int		sp[2];
	uint32_t	v;

	pair(sp);
	ps_hello_send(sp[0]);
	check(ps_hello_recv(sp[1]) == 0, "hello");
	v = PS_VERSION + 1;
	ps_send(sp[0], PS_HELLO, 0, -1, &v, sizeof(v));
	check(ps_hello_recv(sp[1]) == -1, "hello version mismatch");
	v = PS_VERSION;
	ps_send(sp[0], PS_FIRSTTYPE, 0, -1, &v, sizeof(v));
	check(ps_hello_recv(sp[1]) == -1, "hello of the wrong type");
	ps_send(sp[0], PS_HELLO, 0, -1, "\1\0\0\0\0", 5);
	check(ps_hello_recv(sp[1]) == -1, "hello with trailing bytes");
	close(sp[0]);
	check(ps_hello_recv(sp[1]) == -1, "hello at EOF");
	close(sp[1]);
}

static char	sunk[4096];

static void
sink(int prio, const char *line)
{
	log_warnx("recursion must be dropped");
	snprintf(sunk, sizeof(sunk), "%d %s", prio, line);
}

static void
test_log(void)
{
	char	buf[64], path[PATH_MAX], file[512];
	int	fd;
	ssize_t	n;

	log_escape(buf, sizeof(buf), "a\"b\\c\r\n\x80", 8);
	check(strcmp(buf, "a\\\"b\\\\c\\x0d\\x0a\\x80") == 0, "log_escape");
	log_escape(buf, 6, "ab\x01zz", 5);
	check(strcmp(buf, "ab") == 0, "log_escape never cuts an escape");

	log_setsid("3f2a1c9e");
	log_setsink(sink);
	errno = ENOENT;
	log_warn("open %s", "x");
	check(strcmp(sunk, "3 3f2a1c9e open x: No such file or directory") == 0,
	    "sink gets sid and strerror");
	sunk[0] = '\0';
	log_debug("quiet");
	check(sunk[0] == '\0', "debug off unless verbose");
	log_line(LOG_INFO, "forged\nline\r");
	check(strcmp(sunk, "6 forged?line?") == 0, "log_line replaces controls");
	log_setsink(NULL);

	snprintf(path, sizeof(path), "%s/log", scratch);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	log_setfile(fd);
	log_info("connect addr=%s", "127.0.0.1");
	log_setfile(-1);
	close(fd);
	fd = open(path, O_RDONLY);
	n = read(fd, file, sizeof(file) - 1);
	close(fd);
	file[n > 0 ? n : 0] = '\0';
	check(n > 20 && file[4] == '-' && file[10] == 'T' &&
	    strstr(file, " privsep-test[") != NULL &&
	    strstr(file, "]: 3f2a1c9e connect addr=127.0.0.1\n") != NULL,
	    "log file line: %.*s", (int)strcspn(file, "\n"), file);
	log_setsid(NULL);
}

static void
mkdir_mode(const char *p, mode_t mode, uid_t uid)
{
	(void)mkdir(p, 0700);
	if (chown(p, uid, 0) == -1 || chmod(p, mode) == -1)
		perror(p);
}

static char	root_ok[PATH_MAX];

static void
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

static void
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

static void
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

static void
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

int
main(int argc, char *argv[])
{
	struct ps_ids	ids;

	if (argc != 2) {
		fprintf(stderr, "usage: privsep-test scratchdir\n");
		return 2;
	}
	scratch = argv[1];
	log_init("privsep-test", LOG_TO_STDERR, 0);
	signal(SIGPIPE, SIG_IGN);

	test_roundtrip();
	test_malformed();
	test_marshal();
	test_hello();
	test_log();
	if (getuid() != 0 || ps_lookup_user("_upassmtpd", &ids) == -1) {
		printf("skip - privdrop and chroot # needs root and _upassmtpd\n");
		test_sandbox(&ids, 0);
		return nfail != 0;
	}
	check(ps_lookup_user("no-such-user-here", &ids) == -1,
	    "lookup of a missing user fails");
	ps_lookup_user("_upassmtpd", &ids);
	test_chroot(&ids);
	test_privdrop(&ids);
	test_setids();
	test_sandbox(&ids, 0);
	test_sandbox(&ids, 1);
	return nfail != 0;
}
