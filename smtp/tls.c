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
 * TLS on the connection (conn.c): the STARTTLS/SMTPS handshake under the
 * host's policy (opportunistic, -s verified, DANE), and how it went.
 */

#include <sys/types.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"
#include "sts.h"

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
	case POL_STS:
		return "mta-sts";
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
	case POL_STS:
		w = "mta-sts";
		break;
	default:
		w = "opportunistic";
		break;
	}
	(void)snprintf(d, n, "tls=%s %s", w, s->c.tlsver);
}


/*
 * Under MTA-STS enforce a TLS failure of the host is the policy's doing:
 * the recipients' lines say so with 4.7.5 (RFC 3463 "cryptographic
 * failure"), which a queue runner reads as "retry".
 */
void
tls_sts_err(struct session *s)
{
	static const char	pre[] = "451 4.7.5 MTA-STS: ";
	size_t			n = strlen(s->err);

	if (s->policy != POL_STS)
		return;
	if (n > sizeof(s->err) - sizeof(pre))
		n = sizeof(s->err) - sizeof(pre);
	memmove(s->err + sizeof(pre) - 1, s->err, n);
	memcpy(s->err, pre, sizeof(pre) - 1);
	s->err[sizeof(pre) - 1 + n] = '\0';
}

/* The CA store, read before the sandbox is sealed (-s and MTA-STS). */
static uint8_t	*camem;
static size_t	 calen;
static char	 caerr[1100];

/*
 * Everything TLS reads from the file system, read now: OpenSSL's own
 * configuration (on the first tls_config_new()) and, with -s or MTA-STS
 * (stsdir), the CA file.  After this the client opens no file.
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
	if (!o->sflag && o->stsdir[0] == '\0')
		return;
	ca = o->cafile[0] ? o->cafile : tls_default_ca_cert_file();
	if ((camem = tls_load_file(ca, &calen, NULL)) == NULL)
		(void)snprintf(caerr, sizeof(caerr), "cannot load CA file %s",
		    ca);
	else
		sts_fetch_init(camem, calen);
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
	if (s->policy == POL_MANDATORY || s->policy == POL_STS) {
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

/* MTA-STS testing (RFC 8461 5): would enforce have taken this host? */
static void
sts_testing_check(const struct session *s)
{
	const uint8_t	*pem;
	char		*copy, why[256];
	size_t		 len;

	if ((pem = tls_peer_cert_chain_pem(s->c.tls, &len)) == NULL) {
		log_warnx("MTA-STS testing: no certificate from %s",
		    s->servername);
		return;
	}
	if ((copy = malloc(len + 1)) == NULL)
		fatal("malloc");
	memcpy(copy, pem, len);
	copy[len] = '\0';
	if (sts_cert_check(copy, s->servername, why, sizeof(why)) == -1)
		log_warnx("MTA-STS testing: the certificate of %s would not "
		    "verify: %s; delivering anyway", s->servername, why);
	free(copy);
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
	end = conn_deadline(tmo(s->o, 300));
	while ((r = tls_handshake(s->c.tls)) != 0) {
		if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
			if (conn_wait(s->c.fd, r == TLS_WANT_POLLIN ? POLLIN :
			    POLLOUT, end) == -1) {
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
	if (s->ststesting)
		sts_testing_check(s);
	(void)snprintf(s->c.tlsver, sizeof(s->c.tlsver), "%s",
	    tls_conn_version(s->c.tls));
	log_info("started TLS to %s version=%s cipher=%s policy=%s",
	    mxhost_str(s->mx), tls_conn_version(s->c.tls),
	    tls_conn_cipher(s->c.tls), policy_name(s->policy));
	return 0;
}
