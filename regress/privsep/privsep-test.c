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
 * regress for privsep/: framing, marshalling, the log (here), privilege
 * drop and the sandbox (privsep-sandbox.c).  Usage: privsep-test
 * scratchdir.  Prints TAP-like lines.
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

const char	*scratch;
static int	 nfail;

void
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

void
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
