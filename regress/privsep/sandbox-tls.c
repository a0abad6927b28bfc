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
 * A TLS handshake inside the seccomp sandbox: the child configures a libtls
 * server context first (as the session child does before sandbox_child()),
 * seals itself, then accepts TLS from the parent over a socketpair.
 * Usage: sandbox-tls cert.pem key.pem [chrootdir].  Exit 0 when it worked.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "sandbox.h"

/* libretls returns TLS_WANT_POLLIN even on a blocking socket after TLS 1.3
 * session tickets: retry. */
static ssize_t
rd(struct tls *t, char *buf, size_t len)
{
	ssize_t	n;

	do {
		n = tls_read(t, buf, len);
	} while (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT);
	return n;
}

static int
server(int s, const char *cert, const char *key, const char *root)
{
	struct tls_config	*cfg;
	struct tls		*ctx, *cctx = NULL;
	struct ps_ids		 ids;
	char			 buf[16];
	int			 fds[1] = { s };

	if ((cfg = tls_config_new()) == NULL ||
	    tls_config_set_cert_file(cfg, cert) == -1 ||
	    tls_config_set_key_file(cfg, key) == -1 ||
	    (ctx = tls_server()) == NULL || tls_configure(ctx, cfg) == -1)
		return 10;
	if (root != NULL) {
		if (ps_lookup_user("_upassmtpd", &ids) == -1)
			return 11;
		ps_privdrop(root, &ids);
	}
	/* the client may be gone before our close_notify */
	(void)signal(SIGPIPE, SIG_IGN);
	sandbox_child(fds, 1, 0);
	if (tls_accept_socket(ctx, &cctx, s) == -1)
		return 12;
	if (tls_handshake(cctx) == -1) {
		fprintf(stderr, "server handshake: %s\n", tls_error(cctx));
		return 13;
	}
	if (rd(cctx, buf, 4) != 4 || memcmp(buf, "ping", 4) != 0)
		return 14;
	if (tls_write(cctx, "pong", 4) != 4)
		return 15;
	(void)tls_close(cctx);
	tls_free(cctx);
	tls_free(ctx);
	tls_config_free(cfg);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct tls_config	*cfg;
	struct tls		*ctx;
	char			 buf[16];
	ssize_t			 n = 0;
	int			 sp[2], st, ok = 1;
	pid_t			 pid;

	if (argc < 3)
		return 2;
	log_init("sandbox-tls", LOG_TO_STDERR, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		return 2;
	if ((pid = fork()) == 0) {
		close(sp[0]);
		_exit(server(sp[1], argv[1], argv[2], argc > 3 ? argv[3] : NULL));
	}
	close(sp[1]);
	if ((cfg = tls_config_new()) == NULL || (ctx = tls_client()) == NULL)
		return 2;
	tls_config_insecure_noverifycert(cfg);
	tls_config_insecure_noverifyname(cfg);
	if (getenv("SANDBOX_TLS12") != NULL)
		tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2);
	if (tls_configure(ctx, cfg) == -1 ||
	    tls_connect_socket(ctx, sp[0], "localhost") == -1 ||
	    tls_handshake(ctx) == -1 || tls_write(ctx, "ping", 4) != 4 ||
	    (n = rd(ctx, buf, 4)) != 4 || memcmp(buf, "pong", 4) != 0) {
		fprintf(stderr, "client: read %zd: %s\n", n, tls_error(ctx));
		ok = 0;
	} else
		printf("version=%s cipher=%s\n", tls_conn_version(ctx),
		    tls_conn_cipher(ctx));
	close(sp[0]);
	while (waitpid(pid, &st, 0) == -1)
		;
	if (WIFSIGNALED(st))
		printf("server killed by signal %d\n", WTERMSIG(st));
	else
		printf("server exit %d\n", WEXITSTATUS(st));
	return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
