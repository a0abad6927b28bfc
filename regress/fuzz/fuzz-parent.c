/* objs: smtpd/priv/parent.c smtpd/priv/loop.c smtpd/priv/spool.c smtpd/policy.c smtpd/conf.c smtpd/net.c smtpd/priv/greylist.c smtpd/priv/dnsreq.c smtpd/priv/dns.c smtpd/dlload.c smtpd/priv/auth.c smtpd/priv/mailer.c smtpd/priv/mdeliver.c smtpd/priv/rcpt.c smtpd/priv/rlist.c smtpd/routes.c smtpd/priv/queue.c smtpd/qfile.c smtpd/priv/tls.c smtpd/priv/sign.c smtpd/priv/handoff.c deliver/maildir.c deliver/map.c privsep/msg.c privsep/marshal.c privsep/log.c privsep/text.c privsep/privdrop.c */
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
 * The parent's dispatcher (parent_run) and every p_* handler, in process,
 * fed by a hostile child.  The input is one octet of set-up, then up to
 * 64 records, each
 *
 *	u8 type (PS_FIRSTTYPE + type % 26, so answer types and unknown
 *	   numbers too), u8 how, u8 n, then n octets
 *
 * written to a real SOCK_SEQPACKET pair: how bit 0 attaches an fd, bit 1
 * sends the n octets as the whole datagram (framing of the fuzzer's
 * making), bit 2 builds the payload from the n octets as typed fields
 * (u32, u64, str, data: one selector octet each, see fields()), else
 * they are the payload as is.  Then our end is shut and parent_run()
 * runs until the parent ends: parent_done() or parent_kill(), whose
 * exit(3) returns here (exit is wrapped below).  The configuration has
 * greylisting, -s, -p (AUTH in the clear), a credentials file, norelay,
 * a real EC key and certificate, so signing requests are validated and
 * signed for real, and a mailer, /bin/true.
 *
 * STARTTLS's handoff (p_tls, priv/handoff.c) runs as it is, but for the
 * loading of smtpd-tls.so: tls_privload here calls the module's entry
 * point, the built back end's tlspriv_load (priv/tls.c, or tls_wolfssl.c
 * where that is wolfSSL: build.sh), linked in.  The set-up octet says:
 * bit 0, a child waits for STARTTLS (a second socketpair, its hello
 * already sent, and the session child a real process, /bin/true, or
 * /bin/false with bit 2, for p_tls to reap); bit 1, the key descriptor
 * is key.pem, else /dev/null (bit 3: none).  With a waiting child, the
 * records after a typed PS_TLS_REQ go to the waiting child's socket, as
 * a TLS child's would.  So the rule checks, once-only, the answer, the
 * key load, the old child's exit and the swap are fuzzed; the waiting
 * child's own start (smtpd.c's tls_waiter) is not.
 *
 * Checked after each input, else abort():
 *  - the parent ended through exit(3), with the spool closed (spoolfd -1)
 *    and no descriptor left open that was not open before;
 *  - every reply reads back with ps_recv() (well framed), has an answer
 *    type and the id of a request, carries an fd only as a PS_QUEUE_FD
 *    that says ok, and its payload parses exactly as its type says;
 *  - nothing was created in the work directory outside grey/, spool/ and
 *    dump/, the greylist tree holds only tmp/, authfail/ and whitelist,
 *    and dump/ holds only day directories.
 * sleep(3) returns at once here (p_auth's failure delay).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv/priv.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", \
			    __FILE__, __LINE__, #c); abort(); } } while (0)
#define MAXREC		64
#define NOPID		0x3fffffff	/* above any pid_max: kill(2) finds nothing */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
extern char **environ;

static jmp_buf		 env;
static int		 inrun;
static char		 work[] = "/tmp/fuzz-parent.XXXXXX";
static struct conf	 conf;
static struct peer	 peer;
static struct parent	 par;
static void		*tlskey;

/* parent_done() and parent_kill() end with exit(): back to the harness. */
void
exit(int status)
{
	static void (*real)(int);

	if (inrun) {
		inrun = 0;
		longjmp(env, 1);
	}
	if (real == NULL)
		real = (void (*)(int))dlsym(RTLD_NEXT, "exit");
	real(status);
	abort();
}

unsigned int
sleep(unsigned int s)
{
	return 0;
}

/* The module's TM_PRIVLOAD is this one, linked in: no dlopen here. */
static int	 keyloads;

int
tls_privload(struct parent *p)
{
	keyloads++;
	return tlspriv_load(p);
}

/* Linked in with privdrop.c; never called. */
void	sandbox_nonewprivs(void);
void	sandbox_nonewprivs(void) { abort(); }

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
	return n - 1;		/* the DIR's own */
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

	CHECK(mkdtemp(work) != NULL);
	atexit(cleanup);
	(void)snprintf(cmd, sizeof(cmd), "cd %s && mkdir grey spool dump && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout key.pem -out cert.pem -subj /CN=fuzz.example "
	    "-days 2 >/dev/null 2>&1 && printf 'alice:%%s:cheshire\\n' "
	    "'$6$salt$dMNDRh2yq8IuBYU4.iNBmJrSKxe0ioImFSU1JRsz6.wuMKr9WOXtdMmX5mH8G1fnGFXEXs5XYFB6jiDBsDzPf/' "
	    "> passwd && printf '*deny spam@denied.example\\n' > blocked",
	    work);
	CHECK(system(cmd) == 0);
	(void)snprintf(path, sizeof(path), "%s/smtpd.conf", work);
	CHECK((fp = fopen(path, "w")) != NULL);
	fprintf(fp, "hostname mx.ours.example\ndefaultdomain ours.example\n"
	    "norelay on\nourdomains ours.example\nournets 10.0.0.0/8\n"
	    "greylist on\nsaveblockedmsg on\nplainauth on\nauthfail 3 60\n"
	    "spool %s/spool\ngreydir %s/grey\ndumpdir %s/dump\n"
	    "cert %s/cert.pem\nkey %s/key.pem\npasswd %s/passwd\n"
	    "blocked %s/blocked\nmailer /bin/true\n", work, work, work, work,
	    work, work, work);
	fclose(fp);
	log_init("fuzz-parent", 0, 0);
	conf_defaults(&conf);
	CHECK(conf_read(&conf, path) == 0);
	conf.unbound[0] = '\0';		/* no network: DNS_TEMPFAIL */
	CHECK(blocked_read(&conf) == 0);
	peer.remote.ss_family = AF_INET;
	((struct sockaddr_in *)&peer.remote)->sin_addr.s_addr =
	    htonl(0xc0000207);		/* 192.0.2.7 */
	peer.local.ss_family = AF_INET;
	((struct sockaddr_in *)&peer.local)->sin_addr.s_addr = htonl(0x7f000001);
	strlcpy(peer.raddr, "192.0.2.7", sizeof(peer.raddr));
	strlcpy(peer.laddr, "127.0.0.1", sizeof(peer.laddr));
	peer.ipaction = policy_ip(&conf, &peer);
	par.conf = &conf;
	par.peer = &peer;
	CHECK((par.keyfd = open(conf.keyfile, O_RDONLY | O_CLOEXEC)) != -1);
	CHECK(tlspriv_load(&par) == 0);
	tlskey = par.tlskey;
}

/* Typed fields from the octets: selector % 4 = u32, u64, str, data. */
static void
fields(struct ps_buf *b, const uint8_t *d, size_t n)
{
	static const char *strs[] = { "u@ours.example", "v@foreign.example",
	    "a%b@ours.example", "postmaster", "alice", "spam@denied.example",
	    "", "sekret", "block", "../../etc", "x y" };
	char		 s[300];
	uint32_t	 v;
	uint64_t	 w;
	size_t		 i = 0, k;

	while (i < n) {
		switch (d[i++] % 6) {
		case 0:
			v = 0;
			for (k = 0; k < 4 && i < n; k++)
				v = v << 8 | d[i++];
			ps_add_u32(b, v % 7 == 6 ? v : v % 7);
			break;
		case 1:
			w = 0;
			for (k = 0; k < 8 && i < n; k++)
				w = w << 8 | d[i++];
			ps_add_u64(b, w);
			break;
		case 2:
			k = i < n ? d[i++] : 0;
			ps_add_str(b, strs[k % (sizeof(strs) / sizeof(strs[0]))]);
			break;
		case 3:
		case 4:
			k = i < n ? d[i++] : 0;
			if (k > n - i)
				k = n - i;
			memcpy(s, d + i, k);
			s[k] = '\0';
			i += k;
			ps_add_str(b, s);
			break;
		default:
			k = i < n ? d[i++] : 0;
			if (k > n - i)
				k = n - i;
			ps_add_data(b, d + i, k);
			i += k;
			break;
		}
	}
}

static int
is_answer(uint32_t t)
{
	return t == PS_QUEUE_FD || t == PS_QUEUE_ANS || t == PS_GREY_ANS ||
	    t == PS_DNS_ANS || t == PS_AUTH_ANS || t == PS_SIGN_ANS ||
	    t == PS_AUTH_CHAL || t == PS_RCPT_ANS || t == PS_TLS_ANS;
}

/* One reply: its payload must be exactly what its type says. */
static uint32_t	 ids[MAXREC];	/* the ids of the requests sent */
static int	 tls_yes;	/* a yes to STARTTLS is possible */
static size_t	 nids;

static int
was_sent(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < nids; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static void
check_reply(struct ps_msg *m)
{
	char		 s[512];
	uint8_t		 sig[1024];
	uint32_t	 v, ok;
	size_t		 len;

	CHECK(is_answer(m->hdr.type));
	CHECK(was_sent(m->hdr.id));
	CHECK(m->fd == -1 || m->hdr.type == PS_QUEUE_FD);
	switch (m->hdr.type) {
	case PS_QUEUE_FD:
		CHECK(ps_get_u32(m, &ok) == 0 && ok <= 1);
		CHECK(ps_get_str(m, s, sizeof(s)) == 0);
		CHECK(ps_get_str(m, s, sizeof(s)) == 0);
		CHECK((ok == 1) == (m->fd != -1));
		break;
	case PS_QUEUE_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v >= 200 && v < 600);
		CHECK(ps_get_str(m, s, sizeof(s)) == 0);
		CHECK(ps_get_str(m, s, sizeof(s)) == 0);
		break;
	case PS_GREY_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v <= GREY_TEMPFAIL);
		break;
	case PS_DNS_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v <= DNS_MISMATCH);
		break;
	case PS_AUTH_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v <= AUTH_LIMITED);
		break;
	case PS_RCPT_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v <= RCPT_TEMPFAIL);
		break;
	case PS_TLS_ANS:
		CHECK(ps_get_u32(m, &v) == 0 && v <= (uint32_t)tls_yes);
		break;
	case PS_AUTH_CHAL:
		CHECK(ps_get_str(m, s, sizeof(s)) == 0 && s[0] == '<');
		break;
	case PS_SIGN_ANS:
		CHECK(ps_get_u32(m, &ok) == 0 && ok <= 1);
		CHECK(ps_get_data(m, sig, sizeof(sig), &len) == 0);
		break;
	}
	CHECK(ps_end(m) == 0);
}

/* Only what the parent may create, where it may. */
static void
check_tree(void)
{
	static const char *top[] = { "grey", "spool", "dump", "key.pem",
	    "cert.pem", "passwd", "blocked", "smtpd.conf" };
	static const char *grey[] = { "tmp", "authfail", "whitelist" };
	char		 path[512];
	DIR		*d;
	struct dirent	*de;
	size_t		 i;
	int		 found;

	CHECK((d = opendir(work)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (found = 0, i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			found |= strcmp(de->d_name, top[i]) == 0;
		CHECK(found);
	}
	closedir(d);
	(void)snprintf(path, sizeof(path), "%s/grey", work);
	CHECK((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (found = 0, i = 0; i < sizeof(grey) / sizeof(grey[0]); i++)
			found |= strcmp(de->d_name, grey[i]) == 0;
		CHECK(found);
	}
	closedir(d);
	(void)snprintf(path, sizeof(path), "%s/spool", work);
	CHECK((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL)
		CHECK(de->d_name[0] == '.');	/* unlinked at once */
	closedir(d);
	/* dump/<Mon><D>/ only */
	(void)snprintf(path, sizeof(path), "%s/dump", work);
	CHECK((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		CHECK(strlen(de->d_name) >= 4 && strlen(de->d_name) <= 5 &&
		    isupper((unsigned char)de->d_name[0]) &&
		    isdigit((unsigned char)de->d_name[3]) &&
		    de->d_type == DT_DIR);
	}
	closedir(d);
}

/*
 * The replies on fd, as the child would read them, until end of file.
 * A peer closed with data unread reports ECONNRESET once, before what
 * is queued: read on.  On the waiting child's socket its wake-up, one
 * octet, comes first.
 */
static void
read_replies(int fd, int waiter)
{
	static struct ps_msg	 m;
	ssize_t			 n;
	char			 c;
	int			 r;

	for (;;) {
		if (waiter) {
			n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
			if (n == -1 && errno == ECONNRESET)
				continue;
			waiter = 0;
			if (n == 1 && c == 'g') {
				CHECK(recv(fd, &c, 1, 0) == 1);
				continue;
			}
		}
		r = ps_recv(fd, &m);
		if (r == 0)
			break;
		if (r == -1 && errno == ECONNRESET)
			continue;
		CHECK(r > 0);
		check_reply(&m);
		ps_msg_closefd(&m);
	}
}

static void
restore_key(void)
{
	struct parent	 q;

	memset(&q, 0, sizeof(q));
	q.conf = &conf;
	CHECK((q.keyfd = open(conf.keyfile, O_RDONLY | O_CLOEXEC)) != -1);
	CHECK(tlspriv_load(&q) == 0 && q.tlskey == tlskey);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	char			*argv[2];
	pid_t			 child = NOPID;
	int			 tp[2] = { -1, -1 }, out, mode;
	struct ps_hdr		 h;
	struct ps_buf		 b;
	size_t			 i = 0, n;
	uint32_t		 id = 0, type;
	int			 sp[2], before, how, fd, big = 1 << 20;

	/* a flag, not the template: mkdtemp may well put an 'X' there */
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	mode = data[i++];
	before = nfds();
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	(void)setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	(void)setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	out = sp[1];
	if (mode & 1) {
		/* a child waiting for STARTTLS, its hello sent; the session
		 * child a real process, so that p_tls can reap it */
		CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    tp) == 0);
		(void)setsockopt(tp[1], SOL_SOCKET, SO_SNDBUF, &big,
		    sizeof(big));
		CHECK(ps_hello_send(tp[1]) == 0);
		argv[0] = mode & 4 ? "/bin/false" : "/bin/true";
		argv[1] = NULL;
		CHECK(posix_spawn(&child, argv[0], NULL, NULL, argv,
		    environ) == 0);
	}
	tls_yes = (mode & 3) == 3;
	nids = 0;
	while (i + 3 <= size && id < MAXREC) {
		type = PS_FIRSTTYPE + data[i] % 26;
		how = data[i + 1];
		n = data[i + 2];
		i += 3;
		if (n > size - i)
			n = size - i;
		fd = how & 1 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
		id++;
		if (how & 2) {
			/* the fuzzer's own framing */
			if (n >= sizeof(h)) {
				memcpy(&h, data + i, sizeof(h));
				ids[nids++] = h.id;
			}
			(void)send(out, data + i, n, MSG_DONTWAIT);
		} else {
			ps_buf_init(&b);
			if (how & 4)
				fields(&b, data + i, n);
			else {
				b.len = n;
				memcpy(b.data, data + i, n);
			}
			if (!b.err && ps_sendbuf(out, type, id, fd, &b) == 0)
				ids[nids++] = id;
			/* what a TLS child would say, it says to the parent */
			if (type == PS_TLS_REQ && tp[1] != -1)
				out = tp[1];
		}
		if (fd != -1)
			close(fd);
		i += n;
	}
	(void)shutdown(sp[1], SHUT_WR);
	if (tp[1] != -1)
		(void)shutdown(tp[1], SHUT_WR);

	memset(&par, 0, sizeof(par));
	par.conf = &conf;
	par.peer = &peer;
	par.child = child;
	par.tlsfd = tp[0];
	par.tlschild = NOPID;
	par.fd = sp[0];
	par.spoolfd = -1;
	par.keyfd = mode & 2 ? open(conf.keyfile, O_RDONLY | O_CLOEXEC) :
	    mode & 8 ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	par.connfd = -1;
	par.tlskey = tlskey;
	par.spooldir = open(conf.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.dumpfd = open(conf.dumpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	par.greyfd = open(conf.greydir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (setjmp(env) == 0) {
		inrun = 1;
		parent_run(&par);
	}
	CHECK(inrun == 0);
	CHECK(par.spoolfd == -1);
	close(par.spooldir);
	close(par.dumpfd);
	close(par.greyfd);
	if (par.keyfd != -1)
		close(par.keyfd);
	/* after the handoff p_tls closed sp[0] and par.fd is tp[0] */
	close(par.fd);
	if (par.tlsfd != -1)
		close(par.tlsfd);

	/* the replies, as the children would read them */
	read_replies(sp[1], 0);
	close(sp[1]);
	if (tp[1] != -1) {
		read_replies(tp[1], 1);
		close(tp[1]);
	}
	if (child != NOPID)
		while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
			;
	if (keyloads) {
		/* back to the loaded key the other inputs start with */
		keyloads = 0;
		restore_key();
	}
	CHECK(nfds() == before);
	check_tree();
	return 0;
}
