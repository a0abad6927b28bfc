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
 * The policy fetch (RFC 8461 3.3): GET /.well-known/mta-sts.txt from
 * mta-sts.<domain> over HTTPS, the certificate checked against the CA
 * file (smtp.conf "cafile", else the system's) and the host name.  Only
 * a 200 with Content-Type text/plain is a policy; redirects are not
 * followed; the answer is cut off at STS_MAXBODY octets of body and at a
 * deadline.  The request is HTTP/1.0 with Host, so the answer is never
 * chunked (RFC 9112 7.1: chunked is for HTTP/1.1 recipients only).
 *
 * Also the post-handshake check of an MX certificate for mode testing,
 * where the connection must not depend on it (sts_cert_check).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <tls.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"
#include "sts.h"

#define STS_MAXHEAD	8192		/* status line and header fields */
#define STS_MAXADDR	4		/* addresses of mta-sts.<domain> tried */

static const uint8_t	*camem;
static size_t		 calen;

/* The CA store, read before the sandbox (tls_preload). */
void
sts_fetch_init(const uint8_t *mem, size_t len)
{
	camem = mem;
	calen = len;
}

static int
handshake(struct conn *c, const char *host, time_t end, char *err,
    size_t errlen)
{
	struct pollfd	pfd;
	int		r, ms;

	if ((c->tlscfg = tls_config_new()) == NULL ||
	    tls_config_set_ca_mem(c->tlscfg, camem, calen) == -1 ||
	    (c->tls = tls_client()) == NULL ||
	    tls_configure(c->tls, c->tlscfg) == -1 ||
	    tls_connect_socket(c->tls, c->fd, host) == -1) {
		(void)snprintf(err, errlen, "TLS setup: %s", c->tls ?
		    tls_error(c->tls) : c->tlscfg ? tls_config_error(c->tlscfg) :
		    "tls_config_new failed");
		return -1;
	}
	while ((r = tls_handshake(c->tls)) != 0) {
		if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) {
			(void)snprintf(err, errlen, "TLS with %s: %s", host,
			    tls_error(c->tls));
			return -1;
		}
		pfd.fd = c->fd;
		pfd.events = r == TLS_WANT_POLLIN ? POLLIN : POLLOUT;
		ms = (int)(end - time(NULL)) * 1000;
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0) {
			(void)snprintf(err, errlen, "TLS with %s timed out",
			    host);
			return -1;
		}
	}
	return 0;
}

/* header field name (with its colon) at line start: its value, trimmed */
static int
field(const char *line, size_t n, const char *name, const char **v,
    size_t *vl)
{
	size_t	k = strlen(name);

	if (n < k || strncasecmp(line, name, k) != 0)
		return 0;
	line += k;
	n -= k;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	*v = line;
	*vl = n;
	return 1;
}

/*
 * The response in buf: status 200, Content-Type text/plain (parameters
 * allowed), no transfer coding, a Content-Length that fits the body.
 * Sets *body and *len into buf; 0 or -1 and why.
 */
static int
response(const char *buf, size_t n, const char **body, size_t *len,
    char *err, size_t errlen)
{
	const char	*p, *e, *eol, *v;
	size_t		 vl, hl;
	long long	 clen = -1;
	int		 code, plain = 0;

	if ((e = memmem(buf, n, "\r\n\r\n", 4)) == NULL) {
		(void)snprintf(err, errlen, "no end of the HTTP header");
		return -1;
	}
	hl = e - buf + 2;
	if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' ||
	    strspn(buf + 9, "0123456789") != 3 || (buf[12] != ' ' &&
	    buf[12] != '\r')) {
		(void)snprintf(err, errlen, "not an HTTP response");
		return -1;
	}
	code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (code != 200) {
		/* RFC 8461 3.3: 200 only; a redirect is not followed */
		(void)snprintf(err, errlen, "HTTP status %d", code);
		return -1;
	}
	for (p = (const char *)memchr(buf, '\n', hl) + 1; p < buf + hl;
	    p = eol + 1) {
		eol = memchr(p, '\n', buf + hl - p);
		vl = eol - p - (eol > p && eol[-1] == '\r');
		if (field(p, vl, "Content-Type:", &v, &vl)) {
			plain = (vl == 10 || (vl > 10 && (v[10] == ';' ||
			    v[10] == ' ' || v[10] == '\t'))) &&
			    strncasecmp(v, "text/plain", 10) == 0;
		} else if (field(p, vl, "Transfer-Encoding:", &v, &vl)) {
			(void)snprintf(err, errlen, "transfer coding in an "
			    "HTTP/1.0 answer");
			return -1;
		} else if (field(p, vl, "Content-Length:", &v, &vl)) {
			if (vl == 0 || vl > 10 || strspn(v, "0123456789") < vl) {
				(void)snprintf(err, errlen, "bad Content-Length");
				return -1;
			}
			clen = strtoll(v, NULL, 10);
		}
	}
	if (!plain) {
		(void)snprintf(err, errlen, "Content-Type is not text/plain");
		return -1;
	}
	*body = e + 4;
	*len = n - (e + 4 - buf);
	if (clen > STS_MAXBODY || *len > STS_MAXBODY) {
		(void)snprintf(err, errlen, "policy longer than %d octets",
		    STS_MAXBODY);
		return -1;
	}
	if (clen >= 0 && (size_t)clen != *len) {
		(void)snprintf(err, errlen, "body of %zu octets, Content-Length "
		    "%lld", *len, clen);
		return -1;
	}
	return 0;
}

/*
 * Has the whole answer arrived: the header and as many octets of body as
 * its Content-Length says?  Many servers close without a TLS close_notify
 * once they are done, which libtls reports as an error; an answer that is
 * complete by its own length is no truncation.  Without a length only
 * a clean end of the TLS stream ends the body.
 */
static int
complete(const char *buf, size_t n)
{
	const char	*e, *p, *eol, *v;
	size_t		 vl;

	if ((e = memmem(buf, n, "\r\n\r\n", 4)) == NULL)
		return 0;
	for (p = buf; p < e; p = eol + 1) {
		if ((eol = memchr(p, '\n', e + 2 - p)) == NULL)
			break;
		vl = eol - p - (eol > p && eol[-1] == '\r');
		if (field(p, vl, "Content-Length:", &v, &vl) && vl > 0 &&
		    vl <= 10 && strspn(v, "0123456789") >= vl)
			return n - (e + 4 - buf) >= (size_t)strtoll(v, NULL, 10);
	}
	return 0;
}

/* One address: connect, TLS, GET, read to the end or the limit. */
static int
fetch1(const struct mxhost *m, const char *host, time_t end, struct buf *b,
    char *err, size_t errlen)
{
	struct conn	 c;
	char		 req[600], tmp[4096];
	ssize_t		 r;
	int		 left, rv = -1;

	memset(&c, 0, sizeof(c));
	left = (int)(end - time(NULL));
	if (left <= 0 || (c.fd = dial(m, left, err, errlen)) == -1) {
		if (left <= 0)
			(void)snprintf(err, errlen, "timed out");
		return -1;
	}
	if (handshake(&c, host, end, err, errlen) == -1)
		goto done;
	(void)snprintf(req, sizeof(req), "GET /.well-known/mta-sts.txt "
	    "HTTP/1.0\r\nHost: %s\r\nUser-Agent: upas-smtp\r\n"
	    "Accept: text/plain\r\nConnection: close\r\n\r\n", host);
	left = (int)(end - time(NULL));
	if (left <= 0 || conn_write(&c, req, strlen(req), left) == -1) {
		(void)snprintf(err, errlen, "sending the request: %s",
		    strerror(errno));
		goto done;
	}
	for (;;) {
		left = (int)(end - time(NULL));
		if (left <= 0 || (r = conn_read(&c, tmp, sizeof(tmp),
		    left)) == -1) {
			(void)snprintf(err, errlen, "reading the answer: %s",
			    left <= 0 || errno == ETIMEDOUT ? "timed out" :
			    "read error");
			goto done;
		}
		if (r == 0)
			break;
		if (b->len + r > STS_MAXHEAD + STS_MAXBODY) {
			(void)snprintf(err, errlen, "answer longer than %d "
			    "octets", STS_MAXHEAD + STS_MAXBODY);
			goto done;
		}
		buf_add(b, tmp, r);
		if (complete(b->p, b->len))
			break;
	}
	rv = 0;
done:
	conn_close(&c);
	return rv;
}

/*
 * https://mta-sts.<domain>/.well-known/mta-sts.txt within timeout
 * seconds: 0 and the body (malloc'd), or -1 and why.
 */
int
sts_fetch(const char *domain, int timeout, char **body, size_t *len,
    char *err, size_t errlen)
{
	struct mxlist	 l;
	struct buf	 b;
	const char	*p;
	char		 host[300], why[300] = "no address";
	size_t		 i;
	time_t		 end = time(NULL) + timeout;
	int		 rv;

	*body = NULL;
	if (camem == NULL) {
		(void)snprintf(err, errlen, "no CA file loaded");
		return -1;
	}
	if ((size_t)snprintf(host, sizeof(host), "mta-sts.%s", domain) >=
	    sizeof(host) || strlen(host) > 253) {
		(void)snprintf(err, errlen, "mta-sts.%s: name too long", domain);
		return -1;
	}
	if ((rv = mx_host(host, 443, &l)) != MX_OK) {
		(void)snprintf(err, errlen, "%s: %s", host, mx_strerror(rv));
		return -1;
	}
	for (i = 0; i < l.n && i < STS_MAXADDR; i++) {
		memset(&b, 0, sizeof(b));
		if (fetch1(&l.v[i], host, end, &b, why, sizeof(why)) == 0 &&
		    response(b.p, b.len, &p, len, why, sizeof(why)) == 0) {
			if ((*body = malloc(*len + 1)) == NULL)
				fatal("malloc");
			memcpy(*body, p, *len);
			(*body)[*len] = '\0';
			buf_free(&b);
			mx_free(&l);
			return 0;
		}
		buf_free(&b);
		log_debug("%s: %s", mxhost_str(&l.v[i]), why);
	}
	(void)snprintf(err, errlen, "https://%s/.well-known/mta-sts.txt: %s",
	    host, why);
	mx_free(&l);
	return -1;
}

/*
 * Would the chain (PEM, leaf first) pass under mode enforce: a path to a
 * CA of the store, valid now, for host (RFC 8461 4.1, RFC 6125)?
 * Mode testing only reports it.  0, or -1 and why.
 */
int
sts_cert_check(const char *pem, const char *host, char *why, size_t whylen)
{
	STACK_OF(X509)	*sk = NULL;
	X509_STORE	*store = NULL;
	X509_STORE_CTX	*vctx = NULL;
	X509		*x;
	BIO		*bio;
	int		 ok = -1;

	(void)snprintf(why, whylen, "verification setup failed");
	if (camem == NULL || (store = X509_STORE_new()) == NULL ||
	    (sk = sk_X509_new_null()) == NULL)
		goto done;
	if ((bio = BIO_new_mem_buf(camem, (int)calen)) == NULL)
		goto done;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		(void)X509_STORE_add_cert(store, x);
		X509_free(x);
	}
	BIO_free(bio);
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		goto done;
	while (sk_X509_num(sk) < 16 &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(sk, x) == 0) {
			X509_free(x);
			break;
		}
	BIO_free(bio);
	if (sk_X509_num(sk) == 0 || (vctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(vctx, store, sk_X509_value(sk, 0), sk) != 1 ||
	    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(vctx), host,
	    0) != 1 || X509_STORE_CTX_set_purpose(vctx,
	    X509_PURPOSE_SSL_SERVER) != 1)
		goto done;
	if (X509_verify_cert(vctx) == 1)
		ok = 0;
	else
		(void)snprintf(why, whylen, "%s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
done:
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	if (sk != NULL)
		sk_X509_pop_free(sk, X509_free);
	return ok;
}
