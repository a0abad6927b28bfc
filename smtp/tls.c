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
 * The connection: plain or libtls, non-blocking with a deadline on every
 * read and write; STARTTLS/SMTPS handshakes and the certificate policy.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"
#include "client.h"

const char *
policy_name(int p)
{
	switch (p) {
	case POL_MANDATORY:
		return "mandatory";
	case POL_DANE:
		return "dane";
	case POL_DANE_ENCRYPT:
		return "dane-only-encrypt";
	default:
		return "opportunistic";
	}
}

/*
 * How the connection that settled a recipient was protected, for its
 * result line: none; opportunistic (encrypted, the certificate unchecked,
 * also where DANE records exist but none is usable, RFC 7672 2.2);
 * dane (RFC 7672); mta-sts (RFC 8461); verified (-s: CA and name).
 */
void
tls_desc(const struct session *s, char *d, size_t n)
{
	const char	*w;

	if (s->c.tls == NULL) {
		(void)strlcpy(d, "tls=none", n);
		return;
	}
	switch (s->policy) {
	case POL_MANDATORY:
		w = "verified";
		break;
	case POL_DANE:
		w = "dane";
		break;
	default:
		w = "opportunistic";
		break;
	}
	(void)snprintf(d, n, "tls=%s %s", w, s->c.tlsver);
}

static int
waitfd(int fd, short ev, int ms)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = fd;
	pfd.events = ev;
	pfd.revents = 0;
	if (ms < 0)
		ms = 0;
	do {
		r = poll(&pfd, 1, ms);
	} while (r == -1 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every byte or -1 (errno ETIMEDOUT on the deadline), timeout in seconds. */
int
conn_write(struct conn *c, const void *p, size_t n, int timeout)
{
	long long	 end = now_ms() + (long long)timeout * 1000;
	const char	*b = p;
	ssize_t		 r;

	while (n > 0) {
		if (c->tls != NULL) {
			r = tls_write(c->tls, b, n);
			if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
				if (waitfd(c->fd, r == TLS_WANT_POLLIN ?
				    POLLIN : POLLOUT, end - now_ms()) == -1)
					return -1;
				continue;
			}
			if (r == -1) {
				log_debug("tls_write: %s", tls_error(c->tls));
				errno = EIO;
				return -1;
			}
		} else {
			r = send(c->fd, b, n, MSG_NOSIGNAL);
			if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
				if (waitfd(c->fd, POLLOUT, end - now_ms()) == -1)
					return -1;
				continue;
			}
			if (r == -1)
				return -1;
		}
		b += r;
		n -= r;
	}
	return 0;
}

/* Some bytes, 0 at end of file, -1 on error or timeout (seconds). */
ssize_t
conn_read(struct conn *c, void *p, size_t n, int timeout)
{
	long long	end = now_ms() + (long long)timeout * 1000;
	ssize_t		r;

	for (;;) {
		if (c->tls != NULL) {
			r = tls_read(c->tls, p, n);
			if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
				if (waitfd(c->fd, r == TLS_WANT_POLLIN ?
				    POLLIN : POLLOUT, end - now_ms()) == -1)
					return -1;
				continue;
			}
			if (r == -1) {
				log_debug("tls_read: %s", tls_error(c->tls));
				errno = EIO;
			}
			return r;
		}
		r = read(c->fd, p, n);
		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (waitfd(c->fd, POLLIN, end - now_ms()) == -1)
				return -1;
			continue;
		}
		return r;
	}
}

void
conn_close(struct conn *c)
{
	if (c->tls != NULL) {
		(void)tls_close(c->tls);
		tls_free(c->tls);
		c->tls = NULL;
	}
	if (c->tlscfg != NULL) {
		tls_config_free(c->tlscfg);
		c->tlscfg = NULL;
	}
	if (c->fd != -1)
		(void)close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
}

/* The CA store, read before the sandbox is sealed (-s needs it). */
static uint8_t	*camem;
static size_t	 calen;
static char	 caerr[1100];

/*
 * Everything TLS reads from the file system, read now: OpenSSL's own
 * configuration (on the first tls_config_new()) and, with -s, the CA
 * file.  After this the client opens no file.
 */
void
tls_preload(const struct opts *o)
{
	const char		*ca;
	struct tls_config	*cfg;

	if (tls_init() == -1)
		fatalx("tls_init");
	if ((cfg = tls_config_new()) != NULL)
		tls_config_free(cfg);
	if (!o->sflag)
		return;
	ca = o->cafile[0] ? o->cafile : tls_default_ca_cert_file();
	if ((camem = tls_load_file(ca, &calen, NULL)) == NULL)
		(void)snprintf(caerr, sizeof(caerr), "cannot load CA file %s",
		    ca);
}

static int
tls_setup(struct session *s, char *err, size_t errlen)
{
	struct tls_config	*cfg;

	if ((cfg = tls_config_new()) == NULL) {
		(void)snprintf(err, errlen, "tls_config_new failed");
		return -1;
	}
	s->c.tlscfg = cfg;
	if (s->policy == POL_MANDATORY) {
		if (camem == NULL) {
			(void)snprintf(err, errlen, "%s", caerr[0] ? caerr :
			    "no CA file loaded");
			return -1;
		}
		if (tls_config_set_ca_mem(cfg, camem, calen) == -1) {
			(void)snprintf(err, errlen, "CA file: %s",
			    tls_config_error(cfg));
			return -1;
		}
	} else {
		/* RFC 7672 2.2, RFC 7435: checked afterwards, or not at all */
		tls_config_insecure_noverifycert(cfg);
		tls_config_insecure_noverifyname(cfg);
		tls_config_insecure_noverifytime(cfg);
	}
	if ((s->c.tls = tls_client()) == NULL ||
	    tls_configure(s->c.tls, cfg) == -1) {
		(void)snprintf(err, errlen, "tls_configure: %s",
		    s->c.tls ? tls_error(s->c.tls) : "tls_client failed");
		return -1;
	}
	return 0;
}

static int
dane_check(struct session *s, char *err, size_t errlen)
{
	const uint8_t	*pem;
	char		*copy, why[256] = "";
	size_t		 len;
	int		 rv;

	if ((pem = tls_peer_cert_chain_pem(s->c.tls, &len)) == NULL) {
		(void)snprintf(err, errlen, "DANE: no peer certificate");
		return -1;
	}
	if ((copy = malloc(len + 1)) == NULL)
		fatal("malloc");
	memcpy(copy, pem, len);
	copy[len] = '\0';
	rv = dane_verify(s->tlsa, s->servername, copy, why, sizeof(why));
	free(copy);
	if (rv == -1)
		(void)snprintf(err, errlen, "DANE: certificate of %s does not "
		    "match its TLSA records: %s", s->servername, why);
	return rv;
}

/*
 * The handshake on the connected socket; our read buffer is emptied first
 * so no plaintext sent before it can be taken as a reply afterwards.
 */
int
tls_start(struct session *s, char *err, size_t errlen)
{
	long long	end;
	int		r;

	if (s->c.rlen > s->c.rpos)
		log_warnx("discarding %zu bytes sent by %s before the TLS "
		    "handshake", s->c.rlen - s->c.rpos, mxhost_str(s->mx));
	s->c.rpos = s->c.rlen = 0;
	if (tls_setup(s, err, errlen) == -1)
		return -1;
	if (tls_connect_socket(s->c.tls, s->c.fd, s->servername) == -1) {
		(void)snprintf(err, errlen, "tls_connect: %s",
		    tls_error(s->c.tls));
		return -1;
	}
	end = now_ms() + (long long)tmo(s->o, 300) * 1000;
	while ((r = tls_handshake(s->c.tls)) != 0) {
		if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
			if (waitfd(s->c.fd, r == TLS_WANT_POLLIN ? POLLIN :
			    POLLOUT, end - now_ms()) == -1) {
				(void)snprintf(err, errlen, "TLS handshake "
				    "with %s timed out", mxhost_str(s->mx));
				return -1;
			}
			continue;
		}
		(void)snprintf(err, errlen, "TLS handshake with %s failed: %s",
		    mxhost_str(s->mx), tls_error(s->c.tls));
		return -1;
	}
	if (s->policy == POL_DANE && dane_check(s, err, errlen) == -1)
		return -1;
	(void)snprintf(s->c.tlsver, sizeof(s->c.tlsver), "%s",
	    tls_conn_version(s->c.tls));
	log_info("started TLS to %s version=%s cipher=%s policy=%s",
	    mxhost_str(s->mx), tls_conn_version(s->c.tls),
	    tls_conn_cipher(s->c.tls), policy_name(s->policy));
	return 0;
}
