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
 * smtpd -T: the real child code (session/tls.c or tls_wolfssl.c) against
 * the real parent code (priv/tls.c or tls_wolfssl.c) over a socketpair,
 * TLS 1.3 and 1.2, before anything else runs, with the back end's own
 * client.  Built into smtpd-tls.so; like smtpd.c, it plays both
 * processes, so it alone in the module sees both headers.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv/priv.h"
#include "session/session.h"
#include "session/tlskey.h"

/* The self-test's parent: answer sign requests until the socket closes. */
static __attribute__((noreturn)) void
selftest_signer(struct conf *conf, int keyfd, int fd)
{
	static struct ps_msg	 m;
	struct parent		 p;

	memset(&p, 0, sizeof(p));
	p.conf = conf;
	p.fd = fd;
	p.keyfd = keyfd;
	p.spoolfd = p.dumpfd = p.greyfd = -1;
	(void)tlspriv_load(&p);		/* on failure the probe says no */
	while (ps_recv(fd, &m) == 1) {
		if (m.hdr.type != PS_SIGN_REQ)
			_exit(1);
		p_sign(&p, &m);
	}
	_exit(0);
}

static int
selftest_one(struct session *s, int tls13)
{
	int	 sp[2], ok, st;
	pid_t	 pid;
	char	 buf[8];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(sp[0]);
		_exit(tls_selftest_client(sp[1], tls13) == 0 ? 0 : 1);
	}
	close(sp[1]);
	s->infd = s->outfd = sp[0];
	ok = tls_start(s) == 0 && tls_read(s, buf, sizeof(buf)) > 0 &&
	    tls_write(s, "ok\n", 3) == 3;
	tls_close(s);
	close(sp[0]);
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return (ok && WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -1;
}

/*
 * smtpd -T: the real child code (tls_setup, tls_start) against the real
 * parent code (tlspriv_load, p_sign) over a socketpair, TLS 1.3 and 1.2.
 */
int
tls_selftest(struct conf *conf)
{
	static struct session	 s;
	const char		*kf;
	int			 ps[2], keyfd, rv = -1, st, v;
	pid_t			 signer;

	if (conf->certfile[0] == '\0')
		return 0;
	(void)signal(SIGPIPE, SIG_IGN);	/* the client hangs up first */
	kf = conf->keyfile[0] ? conf->keyfile : conf->certfile;
	if ((keyfd = open(kf, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("tls self-test: %s", kf);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ps) == -1)
		fatal("socketpair");
	if ((signer = fork()) == -1)
		fatal("fork");
	if (signer == 0) {
		close(ps[0]);
		selftest_signer(conf, keyfd, ps[1]);
	}
	close(ps[1]);
	close(keyfd);
	memset(&s, 0, sizeof(s));
	s.conf = conf;
	s.psfd = ps[0];
	s.dbgfd = -1;
	s.spoolfd = -1;
	if (tls_setup(&s) == 0 && s.tlsctx != NULL) {
		rv = 0;
		for (v = 0; v < 2 && rv == 0; v++) {
			memset(s.tlsversion, 0, sizeof(s.tlsversion));
			rv = selftest_one(&s, v == 0);
			if (rv == 0)
				log_info("tls self-test: %s %s ok",
				    s.tlsversion, s.tlscipher);
		}
		tls_ctx_free(&s);
	}
	close(ps[0]);
	(void)waitpid(signer, &st, 0);
	if (rv == -1)
		log_warnx("tls self-test failed: STARTTLS will not be offered");
	return rv;
}
