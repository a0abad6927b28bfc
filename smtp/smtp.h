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

#ifndef SMTP_H
#define SMTP_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define SMTP_CONF	SYSCONFDIR "/upas/smtp.conf"	/* -C: unbound, netrc, ... */
#define SMTP_UNBOUND	SYSCONFDIR "/upas/unbound.conf"
#define SMTP_ROOTKEY	"/usr/share/dns/root.key"

/* Exit statuses (sysexits): what a queue runner acts on. */
#define EXIT_SENT	0	/* every recipient accepted */
#define EXIT_RETRY	75	/* EX_TEMPFAIL: "Retry": some must be retried */
#define EXIT_GIVEUP	69	/* EX_UNAVAILABLE: "Permanent Failure" */

/* mx.c: MX and address lookups through libunbound, DNSSEC-validating. */
struct mxhost {
	char			 name[256];	/* MX target (or the host itself) */
	int			 pref;		/* MX preference; implicit MX: 0 */
	struct sockaddr_storage	 addr;		/* one entry per A/AAAA */
	socklen_t		 addrlen;
	int			 port;
	int			 secure;	/* MX RRset and this address RRset validated */
};

struct mxlist {
	struct mxhost		*v;
	size_t			 n;
	char			 ddomain[256];	/* canonical destination domain */
	int			 mxsecure;	/* the MX RRset validated */
};

#define MX_OK		0
#define MX_NXDOMAIN	1	/* permanent */
#define MX_NULLMX	2	/* RFC 7505: permanent */
#define MX_TEMPFAIL	3	/* SERVFAIL, timeout: retry */
#define MX_BOGUS	4	/* validation failed: retry */
#define MX_LOOP		5	/* lists 127.0.0.1 or ::1: permanent ("illegal") */
#define MX_NOADDR	6	/* names exist, no address: retry */

/* resolver from this libunbound config file, or SMTP_UNBOUND, else
 * resolv.conf plus SMTP_ROOTKEY; 0 or -1 with a message in the buffer */
int	 mx_init(const char *, char *, size_t);
/* MX of a domain (implicit MX when there is none), every A and AAAA of
 * each, ordered by preference, shuffled within one; -b names skipped */
int	 mx_lookup(const char *, int, char *const *, size_t, struct mxlist *);
/* the addresses of one host, no MX (host:port, tcp!host!port) */
int	 mx_host(const char *, int, struct mxlist *);
void	 mx_free(struct mxlist *);
const char *mx_strerror(int);

/* dane.c: RFC 7672 TLSA at _port._tcp.host, and the certificate check. */
struct tlsa {
	uint8_t		 usage, selector, mtype;
	uint8_t		 data[64];
	size_t		 len;
};

struct tlsaset {
	struct tlsa	*v;
	size_t		 n;
};

#define DANE_NONE	0	/* no secure TLSA: opportunistic TLS */
#define DANE_USABLE	1	/* usable records: TLS mandatory, must match */
#define DANE_UNUSABLE	2	/* records, none usable: TLS mandatory, unauthenticated */
#define DANE_TEMPFAIL	3	/* bogus or SERVFAIL: defer this host */

int	 dane_lookup(const char *, int, struct tlsaset *);
/* 0 when the chain (PEM, leaf first) matches for host, else -1 and why */
int	 dane_verify(const struct tlsaset *, const char *, const char *,
	    char *, size_t);
void	 dane_free(struct tlsaset *);

#endif /* SMTP_H */
