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
/* one validated query (for dane.c): Q_* and the secure flag */
struct ub_result;
#define Q_DATA		0
#define Q_NODATA	1
#define Q_NXDOMAIN	2
#define Q_TEMP		3	/* SERVFAIL, timeout, resolver error */
#define Q_BOGUS		4
int	 mx_query(const char *, int, struct ub_result **, int *);

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
/* one TLSA rdata: 1 usable, 0 not usable, -1 malformed (fuzzed) */
int	 dane_parse(const unsigned char *, size_t, struct tlsa *);

/*
 * The client proper (smtp.c conf.c dial.c client.c conn.c reply.c
 * rfc822.c names.c tls.c auth.c).
 */
#define SMTP_MAXLINE	2048	/* longest reply line read (RFC 5321: 512) */
#define SMTP_MAXREPLY	8192	/* one reply, all its lines */
#define SMTP_MAXBUSTED	100	/* -b, as Plan 9's Maxbustedmx */

struct buf {
	char		*p;
	size_t		 len, cap;
};

/* reply.c: one server reply, possibly multi-line; no I/O, fuzzed */
struct reply {
	int		 code;		/* 3 digits, -1 malformed */
	int		 done;
	size_t		 nlines;
	size_t		 len;
	char		 text[SMTP_MAXREPLY];	/* lines joined by '\n' */
};

#define CAP_STARTTLS	0x01
#define CAP_PIPELINING	0x02
#define CAP_8BITMIME	0x04
#define CAP_SMTPUTF8	0x08
#define CAP_SIZE	0x10
#define CAP_AUTH	0x20
#define CAP_ENHANCED	0x40
#define CAP_DSN		0x80

#define AUTH_PLAIN	0x1
#define AUTH_LOGIN	0x2
#define AUTH_CRAMMD5	0x4

struct caps {
	int		 flags;		/* CAP_* */
	int		 auth;		/* AUTH_* offered */
	unsigned long long size;	/* SIZE limit, 0 none */
};

void	 reply_reset(struct reply *);
int	 reply_line(struct reply *, const char *, size_t);	/* 1 done, 0 more, -1 bad */
void	 caps_parse(struct caps *, const struct reply *);
const char *reply_last(const struct reply *);	/* the last line, for messages */

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_free(struct buf *);

/* rfc822.c: the message conversion (smtp(8)) */
struct msgopts {
	const char	*hostdomain;	/* qualifies header addresses, Message-ID */
	const char	*from;		/* envelope sender as sent; "" for <> */
	time_t		 now;
	int		 relay;	/* -x: as is, no header added or changed */
};

struct msginfo {
	int		 eightbit;	/* some byte >= 0x80 */
	size_t		 size;
};

int	 rfc822_convert(const char *, size_t, const struct msgopts *,
	    struct buf *, struct msginfo *, char *, size_t);

/* names.c: upas names and addresses in RFC 5321/5322 form */
void	 unescape(char *);
char	*bangtoat(const char *);
char	*domainify(const char *, const char *);
char	*qualify(const char *, const char *);
void	 qualify_list(struct buf *, const char *, const char *, const char *);

/* idn.c: IDNA2008 A-labels (libidn2), domain syntax, address literals */
int	 idn_domain(const char *, char *, size_t, char *, size_t);
int	 idn_addr(const char *, char **, char **, char *, size_t);

/* mime.c: quoted-printable re-encoding of the parts that need it */
int	 mime_reencode(const struct buf *, int, struct buf *, char *, size_t);
void	 qp_encode(struct buf *, const char *, const char *);
int	 utf8_valid(const unsigned char *, const unsigned char *);

/* cram.c: the CRAM-MD5 response to a 334 challenge (RFC 2195) */
int	 cram_md5(const char *, const char *, const char *, char *, size_t);

/* dsn.c: RFC 3461 parameters */
int	 dsn_notify_ok(const char *);
int	 xtext(char *, size_t, const char *);
int	 utf8xtext(char *, size_t, const char *);

/* dial.c */
#define D_MX		0	/* domain: MX lookup */
#define D_HOST		1	/* host: its addresses only */
#define D_ADDR		2	/* address literal */
#define D_UNIX		3	/* lmtp!unix!/path: a local socket */

struct dest {
	int		 kind;
	char		 host[256];
	int		 port;
	int		 lmtp;		/* RFC 2033 (lmtp.c) */
};

int	 dest_parse(const char *, struct dest *, char *, size_t);
int	 dest_resolve(const struct dest *, char *const *, size_t,
	    struct mxlist *);
void	 dest_free(const struct dest *, struct mxlist *);
int	 dial(const struct mxhost *, int, char *, size_t);
int	 dial_source(const char *, char *, size_t);
const char *mxhost_str(const struct mxhost *);

#endif /* SMTP_H */
