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

#ifndef PRIV_H
#define PRIV_H

/*
 * The privileged parent: the rule table and a handler for each request
 * of the session child, the mailer, greylisting, DNS, the TLS key and
 * the AUTH credentials.  Nothing here parses the connection's bytes.
 */

#include "../smtpd.h"

/* The privileged side, after fork. */
struct parent {
	struct conf	*conf;
	struct peer	*peer;
	pid_t		 child;
	int		 fd;		/* socketpair */
	uint64_t	 seen;		/* R_ONCE types seen (bit: type - PS_FIRSTTYPE) */
	uint32_t	 state;		/* ST_* reported by the child */
	int		 spoolfd;	/* open spool file, or -1 */
	char		 msgid[32];
	char		 authuser[256];	/* set by p_auth on success */
	int		 authfails;
	int		 authreqs;	/* PS_AUTH_REQ this connection */
	char		 chal[SMTP_DOMAINMAX + 64];	/* the CRAM-MD5 challenge given, or "" */
	int		 signs;		/* PS_SIGN_REQ this connection */
	int		 keyfd;		/* TLS private key, opened as root, read after fork */
	void		*tlskey;	/* tls.c's loaded key */
	int		 dumpfd;	/* dumpdir, opened as root */
	int		 greyfd;	/* greydir, opened as root */
	int		 nmsg;
	int		 spooldir;	/* spool dir, opened as root, or -1 */
	int		 connfd;	/* the connection: shutdown(2) on kill */
	int		 tlsfd;		/* socketpair to the child waiting for STARTTLS, or -1 */
	pid_t		 tlschild;
};

/*
 * What a request needs.  Nothing the child sends carries an fd (the spool
 * fd goes the other way), so any fd is a violation.  Other counts are
 * kept by the handlers: p_auth (AUTH_MAXREQS), p_sign (SIGN_MAX).
 */
#define R_NEEDTLS	0x01	/* only after the child reported TLS (or -p) */
#define R_SPOOL		0x02	/* only with an open spool file */
#define R_NOSPOOL	0x04	/* only without one */
#define R_HELO		0x08	/* only after HELO/EHLO (the child's ST_HELO) */
#define R_ONCE		0x10	/* once per connection (STARTTLS's hand-over) */

/* One row of parent.c's rule table: what a request needs to be handled. */
struct ps_rule {
	uint32_t	 type;
	size_t		 minlen, maxlen;
	int		 flags;		/* R_* */
	void		(*fn)(struct parent *, struct ps_msg *);
};

/* peer.c */
int	 peer_find(struct peer *, const struct conf *);

/* parent.c: the rule table */
__attribute__((noreturn)) void parent_run(struct parent *);

/* loop.c: the requests checked and served, the answers, the end */
__attribute__((noreturn)) void parent_loop(struct parent *,
	    const struct ps_rule *, size_t);
int	 parent_reply(struct parent *, uint32_t, uint32_t, int, const struct ps_buf *);
__attribute__((noreturn)) void parent_kill(struct parent *, const char *);
void	 parent_end(struct parent *, struct ps_msg *);	/* no bytes left, or kill */
void	 spool_close(struct parent *);
const char *parent_signame(int);		/* "SIGSYS" */

/* spool.c: a message: the spool file, the commit, the dump */
void	 p_queue_open(struct parent *, struct ps_msg *);
void	 p_queue_commit(struct parent *, struct ps_msg *);
void	 p_queue_abort(struct parent *, struct ps_msg *);
void	 p_queue_dump(struct parent *, struct ps_msg *);

/* mailer.c */
int	 mailer_run(struct parent *, const char *, char **, size_t, char *, size_t,
	    char *, size_t);	/* returns SMTP code; fills esc and text */

/* mdeliver.c: the built-in mailer, deliver's work in process */
int	 mdeliver_run(struct parent *, const char *, const char *, char **,
	    size_t);		/* returns a sysexits status, as deliver(8) */

/* psandbox.c: after the privilege drop */
void	 parent_sandbox(const struct conf *);

/* greylist.c */
void	 p_grey(struct parent *, struct ps_msg *);
int	 authfail_check(struct parent *);	/* 1: limit reached, -1: no state */
void	 authfail_add(struct parent *);

/* dns.c */
int	 dns_init(const struct conf *);		/* -1 when no resolver is configured */
int	 dns_ptr(const struct conf *, const struct peer *, char *, size_t);
int	 dns_check(const struct conf *, int, const char *, const struct peer *);
int	 dns_alabel(const char *, char *, size_t);	/* IDNA 2008; -1 bad, -2 no libidn2 */
void	 p_dns(struct parent *, struct ps_msg *);

/* auth.c */
void	 p_auth(struct parent *, struct ps_msg *);
void	 p_auth_chal(struct parent *, struct ps_msg *);

/* rcpt.c: the recipient check */
void	 p_rcpt(struct parent *, struct ps_msg *);
int	 rcpt_accepted(const char *);		/* parent: did p_rcpt say yes? */
int	 rcpt_check(const struct conf *, const char *, int);	/* RCPT_* */

/* queue.c: with routes, the message goes into the queue */
int	 queue_commit(struct parent *, const char *, int, int, char **, size_t,
	    char *, size_t, char *, size_t);	/* returns SMTP code */

/* tls.c (in smtpd-tls.so) and tlsfwd.c (in smtpd, forwarding to it) */
int	 tlspriv_load(struct parent *);		/* read the key from keyfd */
void	 p_sign(struct parent *, struct ps_msg *);
int	 tls_privload(struct parent *);		/* tlsfwd.c: module and key, 0 or -1 */
void	 p_tls(struct parent *, struct ps_msg *);	/* handoff.c: STARTTLS */

#endif /* PRIV_H */
