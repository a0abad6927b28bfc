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
 * The client's own state: the options, the recipients and one session
 * with a server, shared by smtp.c conf.c client.c tls.c auth.c lmtp.c
 * result.c.  After smtp.h and conn.h.
 */

#ifndef CLIENT_H
#define CLIENT_H

#include <stdint.h>

/* per-recipient outcome */
#define RS_PENDING	0
#define RS_OK		1
#define RS_RETRY	2
#define RS_FAIL		3
#define RS_ACCEPTED	4	/* RCPT took it; waiting for the final dot */

struct rcpt {
	char		*addr;		/* as given, qualified (UTF-8 for SMTPUTF8) */
	char		*asc;		/* domain in A-labels; NULL: needs SMTPUTF8 */
	int		 status;
	char		 reply[512];
	char		 tls[48];	/* how it went: "tls=dane TLSv1.3" */
	char		*orcpt;		/* as given, for ORCPT (RFC 3461 4.2) */
	int		 dsn;		/* DSN_PASSED, DSN_RELAYED, 0 */
	char		*given;		/* the argument, unescaped or not (-R) */
	int		 printed;	/* -R: its line is out (result.c) */
};

#define DSN_PASSED	1	/* the server took NOTIFY: it reports now */
#define DSN_RELAYED	2	/* DSN asked for, the server had none */

/* how the TLS of one connection is decided */
#define POL_OPPORTUNISTIC 0	/* STARTTLS if offered, no certificate check */
#define POL_MANDATORY	1	/* -s: TLS, certificate checked (CA, name) */
#define POL_DANE	2	/* usable TLSA: TLS, dane_verify() */
#define POL_DANE_ENCRYPT 3	/* TLSA but none usable: TLS, no check */
#define POL_STS		4	/* MTA-STS enforce: TLS, certificate checked (CA, name) */

struct opts {
	int		 aflag, Aflag, dflag, fflag, iflag, pflag, sflag, tflag;
	int		 Rflag;		/* -R: result lines (result.c) */
	int		 xflag;		/* -x: relay the message as is (rfc822.c) */
	const char	*notify;	/* -N: NOTIFY (RFC 3461 4.1) */
	const char	*ret;		/* -r: RET=FULL|HDRS (4.3) */
	char		 envid[256];	/* -e: ENVID as xtext (4.4) */
	char		*busted[SMTP_MAXBUSTED];
	size_t		 nbusted;
	const char	*gateway, *hflag, *user, *conffile, *domain;
	char		 helo[256];
	char		 hostname[256];	/* smtp.conf hostname: this host's FQDN */
	char		*hostdomain;
	char		 netrc[1024];
	char		 cafile[1024];
	char		 unbound[1024];
	char		 stsdir[1024];	/* MTA-STS policy cache (sts_cache.c) */
	int		 timeout;	/* seconds; 0: RFC 5321 values */
	int		 connecttimeout;
	int		 notls;		/* reconnect in the clear after a failed handshake */
};


struct session {
	struct opts	*o;
	struct conn	 c;
	struct caps	 caps;
	const struct mxhost *mx;
	const char	*servername;	/* SNI, certificate name, TLSA base */
	int		 policy;
	const struct tlsaset *tlsa;
	const char	*from;		/* "" for <> */
	const char	*afrom;		/* A-labels; NULL: needs SMTPUTF8 */
	struct rcpt	*rcpt;
	size_t		 nrcpt;
	const struct buf *msg;
	const struct buf *msg7;		/* all 7-bit, or NULL and why7 says why */
	const char	*why7;
	const struct buf *cur;		/* what this server gets */
	const struct msginfo *info;
	int		 utf8;		/* an address is not ASCII */
	int		 tlsfailed;	/* the handshake failed (policy decides) */
	int		 more;		/* hosts left after this one */
	int		 lmtp;		/* RFC 2033: LHLO, a reply per recipient */
	int		 ststesting;	/* MTA-STS testing: report, do not enforce */
	char		 err[1024];	/* why this host did not take the message */
};

/* session outcome */
#define C_NEXT		0	/* nothing decided: try the next address */
#define C_DONE		1	/* every recipient has its status */
#define C_NOTLS		2	/* opportunistic handshake failed: again without */

/* conf.c */
int	 opts_parse(struct opts *, int, char *[]);
void	 conf_read(struct opts *, const char *, int);
char	*meta_expand(const char *, char *, size_t);
void	 conf_names(struct opts *, const char *, char **, const char *);
int	 tmo(const struct opts *, int);

/* client.c */
int	 client_run(struct session *);

/* tls.c */
int	 tls_start(struct session *, char *, size_t);
void	 tls_preload(const struct opts *);
const char *policy_name(int);
void	 tls_desc(const struct session *, char *, size_t);
void	 tls_sts_err(struct session *);

/* lmtp.c */
void	 lmtp_replies(struct session *, struct reply *);

/* result.c */
void	 result_flush(struct session *);

/* auth.c */
int	 auth_run(struct session *, struct reply *);
void	 auth_preload(const struct opts *);

#endif /* CLIENT_H */
