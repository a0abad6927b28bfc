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
 * DANE for SMTP (RFC 7672): the TLSA records of _port._tcp.host and the
 * check of the server's certificate chain against them.
 *
 * dane_lookup must only be called when the host's address RRset (and, for
 * an MX host, the MX RRset) validated: TLSA records are only meaningful
 * under a secure chain (RFC 7672 2.2.2).  The caller decides that.
 *
 * Usable records (RFC 7672 3.1): usage 2 (DANE-TA) or 3 (DANE-EE),
 * selector 0 (certificate) or 1 (SubjectPublicKeyInfo), matching type
 * 0 (exact), 1 (SHA-256) or 2 (SHA-512).  Usages 0/1 and other types are
 * dropped, as Postfix does; if nothing usable is left, TLS stays mandatory
 * but unauthenticated (DANE_UNUSABLE).  Matching type 0 data does not fit
 * struct tlsa, so its SHA-512 is kept instead and the certificate's data
 * is hashed the same way before comparing.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <unbound.h>

#include "log.h"
#include "smtp.h"

#define MAXTLSA		32
#define MAXCHAIN	16

/* One TLSA rdata into t; 1 when usable, 0 when not, -1 when malformed. */
int
dane_parse(const unsigned char *p, size_t len, struct tlsa *t)
{
	unsigned int	dlen;

	if (len < 4)
		return -1;
	memset(t, 0, sizeof(*t));
	t->usage = p[0];
	t->selector = p[1];
	t->mtype = p[2];
	p += 3;
	len -= 3;
	if ((t->usage != 2 && t->usage != 3) || t->selector > 1)
		return 0;
	switch (t->mtype) {
	case 0:
		if (EVP_Digest(p, len, t->data, &dlen, EVP_sha512(), NULL) != 1)
			return -1;
		t->len = dlen;
		return 1;
	case 1:
		if (len != 32)
			return -1;
		break;
	case 2:
		if (len != 64)
			return -1;
		break;
	default:
		return 0;
	}
	memcpy(t->data, p, len);
	t->len = len;
	return 1;
}

int
dane_lookup(const char *host, int port, struct tlsaset *ts)
{
	struct ub_result	*res;
	struct tlsa		 t;
	char			 name[300];
	size_t			 i, nrec = 0;
	int			 q, sec, r;

	memset(ts, 0, sizeof(*ts));
	if ((size_t)snprintf(name, sizeof(name), "_%d._tcp.%s", port, host) >=
	    sizeof(name))
		return DANE_NONE;
	q = mx_query(name, 52 /* TLSA */, &res, &sec);
	if (q == Q_TEMP || q == Q_BOGUS) {
		ub_resolve_free(res);
		return DANE_TEMPFAIL;
	}
	if (q != Q_DATA || !sec) {
		/* securely absent, or insecure: opportunistic TLS */
		ub_resolve_free(res);
		return DANE_NONE;
	}
	for (i = 0; res->data[i] != NULL && nrec < MAXTLSA; i++) {
		nrec++;
		r = dane_parse((unsigned char *)res->data[i], res->len[i], &t);
		if (r == -1)
			log_warnx("%s: malformed TLSA record ignored", name);
		if (r != 1)
			continue;
		if (ts->n == 0 && (ts->v = calloc(MAXTLSA, sizeof(t))) == NULL)
			fatal("calloc");
		ts->v[ts->n++] = t;
	}
	ub_resolve_free(res);
	log_debug("%s: %zu TLSA records, %zu usable", name, nrec, ts->n);
	return ts->n > 0 ? DANE_USABLE : nrec > 0 ? DANE_UNUSABLE : DANE_NONE;
}

void
dane_free(struct tlsaset *ts)
{
	free(ts->v);
	ts->v = NULL;
	ts->n = 0;
}

/* Does cert match record t (its selector and matching type)? */
static int
match(const struct tlsa *t, X509 *cert)
{
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 len, ok = 0;

	if (t->selector == 0)
		len = i2d_X509(cert, &der);
	else
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len <= 0)
		return 0;
	if (EVP_Digest(der, len, md, &mdlen, t->mtype == 1 ? EVP_sha256() :
	    EVP_sha512(), NULL) == 1 && mdlen == t->len &&
	    memcmp(md, t->data, mdlen) == 0)
		ok = 1;
	OPENSSL_free(der);
	return ok;
}

static STACK_OF(X509) *
readchain(const char *pem)
{
	STACK_OF(X509)	*sk;
	BIO		*bio;
	X509		*x;

	if ((sk = sk_X509_new_null()) == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return sk;
	while (sk_X509_num(sk) < MAXCHAIN &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(sk, x) == 0) {
			X509_free(x);
			break;
		}
	BIO_free(bio);
	return sk;
}

/*
 * DANE-TA: the leaf must chain to ta (a certificate from the presented
 * chain matching a usage 2 record) with ta as the only trust anchor, be
 * valid now and carry the MX host name (RFC 7672 3.2.2, 3.2.3).
 */
static int
ta_verify(STACK_OF(X509) *sk, X509 *ta, const char *host, char *why,
    size_t whylen)
{
	X509_STORE	*store;
	X509_STORE_CTX	*vctx = NULL;
	X509_VERIFY_PARAM *param;
	char		 name[256];
	size_t		 n;
	int		 ok = 0;

	(void)strlcpy(name, host, sizeof(name));
	if ((n = strlen(name)) > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
	if ((store = X509_STORE_new()) == NULL ||
	    X509_STORE_add_cert(store, ta) != 1 ||
	    (vctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(vctx, store, sk_X509_value(sk, 0), sk) != 1) {
		(void)snprintf(why, whylen, "X509_STORE setup failed");
		goto done;
	}
	param = X509_STORE_CTX_get0_param(vctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_host(param, name, 0) != 1 ||
	    X509_STORE_CTX_set_purpose(vctx, X509_PURPOSE_SSL_SERVER) != 1) {
		(void)snprintf(why, whylen, "verify parameters failed");
		goto done;
	}
	if (X509_verify_cert(vctx) == 1)
		ok = 1;
	else
		(void)snprintf(why, whylen, "DANE-TA: %s",
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
done:
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	return ok;
}

int
dane_verify(const struct tlsaset *ts, const char *host, const char *pem,
    char *why, size_t whylen)
{
	STACK_OF(X509)	*sk;
	X509		*leaf;
	size_t		 i;
	int		 j, ok = 0, ta = 0;

	(void)snprintf(why, whylen, "no TLSA record matches");
	if (ts == NULL || ts->n == 0 || pem == NULL) {
		(void)snprintf(why, whylen, "no usable TLSA records");
		return -1;
	}
	if ((sk = readchain(pem)) == NULL || sk_X509_num(sk) == 0) {
		(void)snprintf(why, whylen, "no certificate from the server");
		goto done;
	}
	leaf = sk_X509_value(sk, 0);
	/* DANE-EE: the leaf alone; no name or expiry check (RFC 7672 3.1.1) */
	for (i = 0; i < ts->n && !ok; i++)
		if (ts->v[i].usage == 3 && match(&ts->v[i], leaf))
			ok = 1;
	for (i = 0; i < ts->n && !ok; i++) {
		if (ts->v[i].usage != 2)
			continue;
		for (j = 0; j < sk_X509_num(sk) && !ok; j++)
			if (match(&ts->v[i], sk_X509_value(sk, j))) {
				ta = 1;
				ok = ta_verify(sk, sk_X509_value(sk, j), host,
				    why, whylen);
			}
	}
	if (!ok && !ta)
		(void)snprintf(why, whylen, "no TLSA record matches the "
		    "certificate chain");
done:
	if (sk != NULL)
		sk_X509_pop_free(sk, X509_free);
	return ok ? 0 : -1;
}
