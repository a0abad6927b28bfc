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

#ifndef SMTPD_H
#define SMTPD_H

/*
 * What both processes read: the configuration and the peer, filled as
 * root before the fork, and the messages between them.  The parent's
 * side is priv/priv.h, the session child's session/session.h; neither
 * includes the other.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "privsep.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec"
#endif

#define SMTPD_CONF	SYSCONFDIR "/upas/smtpd.conf"
#define SMTPD_BLOCKED	SYSCONFDIR "/upas/blocked"
#define SMTPD_PASSWD	SYSCONFDIR "/upas/smtpd.passwd"
#define SMTPD_SPOOL	LOCALSTATEDIR "/spool/upas/tmp"
#define SMTPD_GREYDIR	LOCALSTATEDIR "/spool/upas/grey"
#define SMTPD_DUMPDIR	LOCALSTATEDIR "/spool/upas/queue.dump"
#define SMTPD_DEBUGDIR	LOCALSTATEDIR "/log/upas/smtpdb"
#define SMTPD_CHROOT	LOCALSTATEDIR "/empty"
#define SMTPD_LOGIDENT	"upas-smtpd"	/* not OpenSMTPD's "smtpd" */
#define SMTPD_QUEUE	LOCALSTATEDIR "/spool/upas/queue"
#define SMTPD_RUNQ	LIBEXECDIR "/upas/runq"
#define SMTPD_SMTP	LIBEXECDIR "/upas/smtp"
#define SMTPD_MAILER	LIBEXECDIR "/upas/deliver"
#define SMTPD_USER	"_upassmtpd"	/* the session child */
#define SMTPD_MAILUSER	"_upasmail"	/* the parent after the drop, and the mailer */

#define SMTP_CMDMAX	512		/* RFC 5321 4.5.3.1.4, CRLF included */
#define SMTP_LINEMAX	1000		/* RFC 5321 4.5.3.1.6, CRLF included */
#define SMTP_PATHMAX	256		/* RFC 5321 4.5.3.1.3 */
#define SMTP_DOMAINMAX	255		/* RFC 5321 4.5.3.1.2 */
#define SMTP_LOCALMAX	64		/* RFC 5321 4.5.3.1.1 */

/* -k, ournets, blocked: one address with a prefix length */
struct netaddr {
	int		af;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];
	int		bits;
};

struct netlist {
	struct netaddr	*v;
	size_t		 n;
};

struct strlist {
	char		**v;
	size_t		 n;
};

/* Actions of the blocked file, in the order they are tried: allow wins. */
enum action {
	ACT_NONE,			/* not listed */
	ACT_ALLOW,
	ACT_BLOCK,			/* take it, dump it, 554 */
	ACT_DENY,			/* 554 at MAIL */
	ACT_DIAL,			/* 554 at DATA, then refuse everything */
	ACT_DELAY,			/* take it, dump it, 450 */
};

struct blockrule {
	enum action	 act;
	int		 isaccount;	/* sender pattern, else net */
	struct netaddr	 net;
	char		 pattern[SMTP_PATHMAX];
};

/*
 * A file name (or the mailer's command line) in smtpd.conf or a flag,
 * with its NUL; longer is a "too long" error.  Not PATH_MAX: each of the
 * fifteen would be a page of its own, faulted in at every connection.
 */
#define CONF_PATHMAX	1024

/* Everything smtpd.conf and the flags can set. Filled as root, before fork. */
struct conf {
	char		 path[CONF_PATHMAX];	/* -C */
	int		 requireauth;		/* -a */
	char		 certfile[CONF_PATHMAX];	/* -c, cert */
	char		 keyfile[CONF_PATHMAX];	/* key; default: certfile */
	int		 debug;			/* -d: transcript in debugdir */
	int		 tarpit;		/* -D */
	int		 norelay;		/* -f, norelay */
	int		 greylist;		/* -g, greylist */
	char		 hostname[SMTP_DOMAINMAX + 1];	/* FQDN: hostname, else gethostname */
	char		 domain[SMTP_DOMAINMAX + 1];	/* -h, defaultdomain */
	struct netlist	 kill;			/* -k */
	char		 mailer[CONF_PATHMAX];	/* -m, mailer */
	char		 netdir[CONF_PATHMAX];	/* -n */
	int		 plainauth;		/* -p */
	int		 verifysender;		/* -r, verifysenderdom */
	int		 saveblocked;		/* -s, saveblockedmsg */
	int		 nohelocheck;		/* -e */
	int		 heloauth;		/* -E */
	int		 heloquiet;		/* -q */

	struct netlist	 ournets;		/* ournets */
	struct strlist	 ourdomains;		/* ourdomains */

	char		 spool[CONF_PATHMAX];	/* spool */
	char		 chroot[CONF_PATHMAX];	/* chroot */
	char		 user[64];		/* user: the session child */
	char		 mailuser[64];		/* mailuser: parent and mailer */
	char		 greydir[CONF_PATHMAX];	/* greydir */
	char		 dumpdir[CONF_PATHMAX];	/* dumpdir */
	char		 debugdir[CONF_PATHMAX];	/* debugdir */
	char		 blocked[CONF_PATHMAX];	/* blocked */
	char		 unbound[CONF_PATHMAX];	/* unbound: libunbound config; "" = no DNS */
	char		 passwd[CONF_PATHMAX];	/* passwd: AUTH credentials */
	char		 logfile[CONF_PATHMAX];	/* logfile: copy of every log line */
	char		 logident[32];		/* logident: syslog ident */
	char		 ticketkeys[CONF_PATHMAX];	/* ticketkeys: TLS session ticket keys */
	char		 recipients[CONF_PATHMAX];	/* recipients: relayed domains' users */
	char		 routes[CONF_PATHMAX];	/* routes: domain -> destination; "" = no queue */
	char		 queue[CONF_PATHMAX];	/* queue: the queue directory */
	char		 runq[CONF_PATHMAX];	/* runq: the queue runner */
	char		 smtp[CONF_PATHMAX];	/* smtp: the client runq runs */
	int		 maxqueuetime;		/* maxqueuetime: then a bounce */
	int		 maxrunq;		/* maxrunq: runners smtpd starts, at once */
	int		 delaywarn;		/* delaywarn: then a warning; 0 = never */

	size_t		 maxsize;		/* maxsize: octets, SIZE */
	size_t		 maxrcpt;		/* maxrcpt: >= 100 */
	int		 maxhops;		/* maxhops: Received: lines */
	int		 maxerrors;		/* maxerrors: then 421 */
	int		 timeout;		/* timeout: seconds per command */
	int		 datatimeout;		/* datatimeout: seconds per data block */
	int		 mailertimeout;		/* mailertimeout: seconds */
	int		 sessiontimeout;	/* sessiontimeout: seconds a connection may last */
	int		 messagetimeout;	/* messagetimeout: seconds for a whole DATA/BDAT */
	int		 tarpitdelay;		/* tarpitdelay: -D, seconds */
	int		 greetpause;		/* greetpause: early-talker wait, seconds */
	int		 greymin;		/* greymin: seconds before a retry counts */
	int		 greymax;		/* greymax: seconds a marker stays valid */
	int		 greyexpire;		/* greyexpire: markers older are removed */
	int		 authfailmax;		/* authfail N: AUTH failures per address... */
	int		 authfailwindow;	/* ...in this many seconds; 0 N: no limit */

	struct blockrule *blockv;		/* blocked, parsed before fork */
	size_t		 blockn;
	struct strlist	 mailerargs;		/* mailer: words after the program */
};

/* The connection, found before fork from fd 0, UCSPI variables or -n. */
struct peer {
	struct sockaddr_storage	 remote;
	struct sockaddr_storage	 local;
	char		 raddr[INET6_ADDRSTRLEN];	/* "127.0.0.1", "::1" */
	char		 laddr[INET6_ADDRSTRLEN];
	int		 rport, lport;
	char		 rdns[SMTP_DOMAINMAX + 1];	/* verified PTR, or "" */
	int		 trusted;			/* ournets */
	enum action	 ipaction;			/* blocked, by address */
	char		 sid[9];			/* session id, 8 hex */
};

/*
 * Child -> parent requests and parent -> child answers, the only way
 * between the two processes (privsep/msg.c).  Payloads are
 * built with ps_add_* in the order given; the parent's rule table in
 * priv/parent.c checks type, length bounds, fd and state before a handler runs.
 */
enum smtpd_ps_type {
	PS_LOG = PS_FIRSTTYPE,	/* c>p u32 prio, str line (already escaped) */
	PS_STATE,		/* c>p u32 ST_* bits now true (TLS, HELO); no answer */
	PS_QUEUE_OPEN,		/* c>p (empty) */
	PS_QUEUE_FD,		/* p>c u32 ok, str msgid, str rdns (the peer's
				   confirmed PTR name or ""); the spool fd when ok */
	PS_QUEUE_COMMIT,	/* c>p str sender, u32 body, u32 utf8, u64 size,
				   u32 nrcpt, nrcpt x str rcpt */
	PS_QUEUE_ANS,		/* p>c u32 code, str esc, str text */
	PS_QUEUE_ABORT,		/* c>p (empty): drop the open spool; no answer */
	PS_QUEUE_DUMP,		/* c>p str reason, str sender, u32 nrcpt, rcpts:
				   keep the spool under dumpdir (-s) -> PS_QUEUE_ANS */
	PS_UNUSED24,		/* was PS_POLICY_REQ: the child holds the */
	PS_UNUSED25,		/* blocked file; kept so that numbers stay */
	PS_GREY_REQ,		/* c>p str rcpt */
	PS_GREY_ANS,		/* p>c u32 GREY_* */
	PS_DNS_REQ,		/* c>p u32 DNSQ_*, str name */
	PS_DNS_ANS,		/* p>c u32 DNS_* */
	PS_AUTH_REQ,		/* c>p u32 AUTHM_*, str user, str authzid,
				   data secret (PLAIN/LOGIN password, CRAM hex digest;
				   CRAM-MD5 answers the parent's last challenge) */
	PS_AUTH_ANS,		/* p>c u32 AUTH_* */
	PS_SIGN_REQ,		/* c>p u32 keytype, u32 padding, data input */
	PS_SIGN_ANS,		/* p>c u32 ok, data signature */
	PS_RCPT_REQ,		/* c>p str rcpt (rcpt.c) */
	PS_RCPT_ANS,		/* p>c u32 RCPT_* */
	PS_TLS_REQ,		/* c>p (empty): STARTTLS; on yes the child exits
				   and the one forked to wait takes over (tlsmod.c) */
	PS_TLS_ANS,		/* p>c u32 ok */
	PS_AUTH_CHAL_REQ,	/* c>p (empty): a CRAM-MD5 challenge, please */
	PS_AUTH_CHAL,		/* p>c str challenge (RFC 2195 msg-id form) */
};

#define ST_TLS		0x1
#define ST_HELO		0x2

#define BODY_7BIT	0
#define BODY_8BITMIME	1

#define GREY_PASS	0	/* whitelisted, or the retry came in the window */
#define GREY_DEFER	1	/* 451 4.7.1 */
#define GREY_TEMPFAIL	2	/* could not decide: 451 4.3.0 */

#define DNSQ_SENDERDOM	1	/* MX, else A/AAAA, of a sender's domain (-r) */
#define DNSQ_HELO	2	/* does the HELO name resolve, to the peer? */

#define DNS_OK		0
#define DNS_NXDOMAIN	1
#define DNS_NULLMX	2
#define DNS_TEMPFAIL	3	/* SERVFAIL, timeout */
#define DNS_BOGUS	4	/* DNSSEC validation failed */
#define DNS_NODATA	5
#define DNS_MISMATCH	6	/* DNSQ_HELO: resolves, but not to the peer */

#define RCPT_OK		0	/* ours and known, or not ours to check */
#define RCPT_UNKNOWN	1	/* 550 5.1.1 */
#define RCPT_TEMPFAIL	2	/* a file could not be read: 451 4.3.0 */
#define RCPT_RELAY	3	/* the default route, for an untrusted peer: 554 5.7.1 */

#define AUTHM_PLAIN	1
#define AUTHM_LOGIN	2
#define AUTHM_CRAMMD5	3

/* PS_AUTH_ANS: the parent's verdict */
#define AUTH_FAILED	0	/* 535 5.7.8, counted */
#define AUTH_OK		1	/* 235 2.7.0 */
#define AUTH_TEMPFAIL	2	/* ours, not the client's: 454 4.7.0 (RFC 4954 6) */
#define AUTH_LIMITED	3	/* authfail: too many failures from this address: 454 */

/* PS_SIGN_REQ keytype and padding (session/tlsask.c, priv/sign.c) */
#define SIGN_PROBE	0	/* no signature: answer ok, SHA-256 of the key's SPKI */
#define SIGN_RSA	1
#define SIGN_EC		2
#define SIGN_PAD_PKCS1	1	/* RSA: input is a DigestInfo */
#define SIGN_PAD_NONE	3	/* RSA: input is a PSS-encoded block */
#define SIGN_MAX	2	/* signatures per connection; a handshake takes 1 */
#define TICKET_KEYLEN	80	/* name 16, AES-256 key 32, HMAC-SHA256 key 32 */

/* smtpd.c */
extern const char *__progname;

/* conf.c */
void	 conf_defaults(struct conf *);
int	 conf_read(struct conf *, const char *);	/* 0, or -1 after "file:line: what" */
void	 conf_print(const struct conf *, FILE *);
void	 conf_setby(const char *, const char *);	/* keyword, the flag */
const char *conf_where(const struct conf *, const char *, char *, size_t);
					/* "file:line" that set a keyword */
int	 conf_line(const char *);	/* the line that set a keyword, or 0 */
int	 conf_named(const char *);	/* set by the file or a flag */

/* net.c */
int	 net_parse(const char *, struct netaddr *, int);	/* implicit mask: 1 BL, 0 exact */
int	 net_match(const struct netaddr *, const struct sockaddr *);
void	 net_print(FILE *, const struct netaddr *);
int	 netlist_add(struct netlist *, const struct netaddr *);
int	 netlist_match(const struct netlist *, const struct sockaddr *);
int	 domain_match(const struct strlist *, const char *);

/* confcheck.c */
int	 conf_check(const struct conf *, struct ps_ids *, struct ps_ids *);
					/* 0, or -1 after "file:line: what" */

/* policy.c (before fork, and parent) */
int	 blocked_read(struct conf *);
enum action policy_ip(const struct conf *, const struct peer *);
enum action policy_sender(const struct conf *, const char *);
enum action policy_mail(const struct conf *, const struct peer *, int,
	    const char *);	/* the blocked file on one transaction */
const char *policy_relay(const struct conf *, const struct peer *, int,
	    const char *);	/* NULL: rcpt may go to the mailer */
int	 policy_ourdomain(const struct conf *, const struct sockaddr_storage *,
	    const char *);
int	 policy_literal_is(const char *, const struct sockaddr_storage *);
int	 policy_same_name(const char *, const char *);
const char *policy_addr_domain(const char *, char *, size_t);
const char *action_name(enum action);
int	 blocked_parse(struct conf *, FILE *, const char *);
int	 pattern_match(const char *, const char *);	/* normalised pattern, sender */

/* mdeliver.c (priv/): is the mailer our own deliver(8)?  runq asks too */
const char *mdeliver_map(const struct conf *);	/* map file, or NULL: exec */

/*
 * tlsmod.c: smtpd-tls.so (the session's TLS) and smtpd-tlspriv.so (the
 * parent's key and signer), each loaded when first needed; each
 * process's entry points (session/tlsfwd.c, priv/tlsfwd.c) forward to them
 */
enum tlsmod {
	TLSMOD_TLS, TLSMOD_PRIV
};
enum tlsmod_fn {
	TM_SETUP, TM_START, TM_READ, TM_WRITE, TM_PENDING, TM_CLOSE,	/* child */
	TM_PRIVLOAD, TM_SIGN,						/* parent */
	TM_SELFTEST,
	TM_NFN
};
int	 libexec_find(const char *, char *, size_t);	/* a root-owned file of ours */
int	 tlsmod_load(enum tlsmod);		/* 1 loaded, -1 not (tried once) */
const char *tlsmod_name(enum tlsmod);		/* its file name */
void	*tlsmod_fn(enum tlsmod_fn);		/* NULL until its module is loaded */
void	 tls_preload(void);			/* the parent's module, no key, before a path sandbox */
int	 tls_selftest(struct conf *);		/* -T: a handshake through the split */
int	 tls_ticketkeys_load(const struct conf *);	/* root, before fork; -1: no tickets */
const uint8_t *tls_ticketkeys(size_t *);	/* current, then previous */

#endif /* SMTPD_H */
