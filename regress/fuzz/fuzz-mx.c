/* objs: smtp/mx.c smtp/dane.c privsep/log.c */
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
 * smtp/mx.c and smtp/dane.c on DNS answers cut from the input: this file
 * stands in for libunbound (ub_resolve and friends are defined here, so
 * the linker takes them instead of the library's), and every query gets
 * the next answer from the input, in the order the client asks:
 *	flags  count  (len rdata){count}
 * flags: bit 0 secure, 1 bogus, 2 nxdomain, 3 havedata, bits 4-7 rcode.
 * An exhausted input answers SERVFAIL.  Then mx_lookup("fuzz.test") with
 * "busted.test" as a -b name, and dane_lookup on its first host, must
 * give what they promise: host names of letters, digits, '-', '_' and
 * dots; only IPv4 and IPv6 addresses, of their size, port 25, never
 * loopback; preferences in order; the busted host never listed; a usable
 * TLSA record exactly one of the answer's, usage 2/3, selector 0/1,
 * matching type 0/1/2 with the right digest length.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t	*in, *inend;
static int		 ctxdummy;

/* the answers given for the last TLSA query, to compare with */
#define MAXREC	16
static uint8_t		 tlsarec[MAXREC][256];
static size_t		 tlsalen[MAXREC], ntlsa;

struct ub_ctx *
ub_ctx_create(void)
{
	return (struct ub_ctx *)&ctxdummy;
}

void
ub_ctx_delete(struct ub_ctx *c)
{
}

int
ub_ctx_config(struct ub_ctx *c, const char *f)
{
	return 0;
}

int
ub_ctx_resolvconf(struct ub_ctx *c, const char *f)
{
	return 0;
}

int
ub_ctx_add_ta_file(struct ub_ctx *c, const char *f)
{
	return 0;
}

const char *
ub_strerror(int e)
{
	return "fuzzed failure";
}

void
ub_resolve_free(struct ub_result *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; r->data != NULL && r->data[i] != NULL; i++)
		free(r->data[i]);
	free(r->data);
	free(r->len);
	free(r->qname);
	free(r);
}

int
ub_resolve(struct ub_ctx *c, const char *name, int type, int class,
    struct ub_result **out)
{
	struct ub_result	*r;
	unsigned int		 flags = 0x20, count = 0, i, n;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->data = calloc(MAXREC + 1, sizeof(char *))) == NULL ||
	    (r->len = calloc(MAXREC + 1, sizeof(int))) == NULL ||
	    (r->qname = strdup(name)) == NULL)
		abort();
	r->qtype = type;
	r->qclass = class;
	if (strcmp(name, "localhost.") != 0 && in + 2 <= inend) {
		flags = in[0];
		count = in[1] % (MAXREC + 1);
		in += 2;
	}
	r->secure = flags & 1;
	r->bogus = (flags >> 1) & 1;
	r->nxdomain = (flags >> 2) & 1;
	r->rcode = flags >> 4;
	if (type == 52)
		ntlsa = 0;
	for (i = 0; i < count && in < inend; i++) {
		n = *in++;
		if (n > (size_t)(inend - in))
			n = inend - in;
		if ((r->data[i] = malloc(n + 1)) == NULL)
			abort();
		memcpy(r->data[i], in, n);
		r->len[i] = n;
		if (type == 52) {
			memcpy(tlsarec[ntlsa], in, n);
			tlsalen[ntlsa++] = n;
		}
		in += n;
	}
	r->havedata = ((flags >> 3) & 1) && i > 0;
	*out = r;
	return 0;
}

static void
checkname(const char *n)
{
	if (n[0] == '\0' || strlen(n) > 253 || strspn(n,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.") != strlen(n))
		abort();
	if (strcasecmp(n, "busted.test") == 0)
		abort();
}

static void
checkhost(const struct mxhost *m)
{
	const struct sockaddr_in	*s4 = (const void *)&m->addr;
	const struct sockaddr_in6	*s6 = (const void *)&m->addr;

	checkname(m->name);
	if (m->port != 25)
		abort();
	if (m->addr.ss_family == AF_INET) {
		if (m->addrlen != sizeof(*s4) || ntohs(s4->sin_port) != 25)
			abort();
		if (s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			abort();
	} else if (m->addr.ss_family == AF_INET6) {
		if (m->addrlen != sizeof(*s6) || ntohs(s6->sin6_port) != 25)
			abort();
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			abort();
	} else
		abort();
}

static void
checktlsa(const struct tlsa *t)
{
	size_t	i;

	if ((t->usage != 2 && t->usage != 3) || t->selector > 1 ||
	    t->mtype > 2)
		abort();
	if (t->len != (t->mtype == 1 ? 32U : 64U))
		abort();
	/* one of the records answered, fields and (hashed) data as given */
	for (i = 0; i < ntlsa; i++) {
		if (tlsalen[i] < 4 || tlsarec[i][0] != t->usage ||
		    tlsarec[i][1] != t->selector || tlsarec[i][2] != t->mtype)
			continue;
		if (t->mtype == 0 || (tlsalen[i] - 3 == t->len &&
		    memcmp(tlsarec[i] + 3, t->data, t->len) == 0))
			return;
	}
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	static char		*busted[] = { "busted.test" };
	struct mxlist		 l;
	struct tlsaset		 ts;
	char			 err[256];
	size_t			 i;
	int			 rv, d;

	if (!init) {
		if (mx_init(NULL, err, sizeof(err)) == -1)
			abort();
		init = 1;
	}
	in = data;
	inend = data + size;
	ntlsa = 0;
	memset(&l, 0, sizeof(l));
	rv = mx_lookup("fuzz.test", 25, busted, 1, &l);
	if (rv == MX_OK) {
		if (l.n == 0)
			abort();
		for (i = 0; i < l.n; i++) {
			checkhost(&l.v[i]);
			if (i > 0 && l.v[i].pref < l.v[i - 1].pref)
				abort();
		}
		d = dane_lookup(l.v[0].name, 25, &ts);
		if (d == DANE_USABLE && ts.n == 0)
			abort();
		for (i = 0; d == DANE_USABLE && i < ts.n; i++)
			checktlsa(&ts.v[i]);
		dane_free(&ts);
		mx_free(&l);
	} else if (rv < MX_OK || rv > MX_NOADDR)
		abort();
	return 0;
}
