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

#ifndef SESSION_H
#define SESSION_H

/*
 * The session child: everything that touches bytes from the network.
 * session.c owns this struct; tls.c and auth.c add what they need.  It
 * reaches the parent only through privsep/'s messages (ps_request).
 */

#include "../smtpd.h"

#define S_CONNECTED	0x01
#define S_GREETED	0x02
#define S_MAIL		0x04
#define S_RCPT		0x08
#define S_DATA		0x10
#define S_QUIT		0x20
#define S_BDAT		0x40	/* BDAT chunks of a message taken (RFC 3030) */

#define IO_BUFSZ	16384

struct session {
	struct conf	*conf;
	struct peer	*peer;
	int		 infd, outfd;	/* the connection (0 and 1) */
	int		 psfd;		/* socketpair to the parent */
	int		 dbgfd;		/* -d transcript, or -1 */
	uint32_t	 psid;		/* next request id */

	int		 state;		/* S_* */
	int		 esmtp;
	char		 helo[SMTP_DOMAINMAX + 1];
	int		 errors;	/* toward maxerrors */
	int		 rejects;	/* toward the tarpit */
	int		 helonote;	/* -E: the HELO name asks for AUTH */

	/* input buffer: what was read and not yet consumed */
	char		 ibuf[IO_BUFSZ];
	size_t		 ibeg, iend;
	/* output buffer, flushed at group ends (RFC 2920) */
	char		 obuf[IO_BUFSZ];
	size_t		 olen;

	/* TLS (tls.c) */
	void		*tls;		/* SSL *, NULL when in the clear */
	void		*tlsctx;	/* SSL_CTX *, set up before the sandbox */
	int		 tlslater;	/* STARTTLS offered: a waiting child does it (tlsmod.c) */
	int		 tlstakeover;	/* this is that child: TLS at once, no greeting */
	char		 tlsversion[32];
	char		 tlscipher[64];
	int		 tlsresumed;

	/* AUTH (auth.c) */
	char		 authuser[256];	/* "" until the parent said yes */
	int		 authfails;

	/* the transaction */
	char		 sender[SMTP_PATHMAX + 1];
	int		 nullsender;
	char		 **rcpt;
	size_t		 nrcpt;
	int		 body;		/* BODY_* */
	int		 smtputf8;
	size_t		 declsize;	/* SIZE= */
	int		 spoolfd;	/* from PS_QUEUE_FD, or -1 */
	char		 msgid[32];
	enum action	 senderaction;	/* the blocked file, by sender */
	int		 dialup;	/* ACT_DIAL: refuse the rest */
	int		 nmsg;

	/* session.c, io.c, data.c */
	int		 dbgmask;	/* -d: mask input lines (AUTH payloads) */
	int		 spoolopen;	/* the parent holds a spool for us */
	size_t		 msgsize;	/* octets of the message, CRLF counted */
	size_t		 rcptbytes;	/* PS_QUEUE_COMMIT payload so far */
	long long	 sessend;	/* io.c: sessiontimeout deadline, ms */
	long long	 msgend;	/* io.c: messagetimeout deadline, ms, or 0 */
};

/* io_getline(): < 0 or 0 on failure, else IO_LINE with IO_LONG/IO_BARE */
#define IO_TIMEOUT	-2
#define IO_ERROR	-1
#define IO_EOF		0
#define IO_LINE		0x1	/* a line ended by CRLF, stored without it */
#define IO_LONG		0x2	/* longer than the buffer: the rest was dropped */
#define IO_BARE		0x4	/* it held a bare CR, a bare LF or a NUL */

/* A line being cut from input, octet by octet (io_octet()). */
struct linecut {
	char	*buf;		/* the line, without CRLF, not NUL-terminated */
	size_t	 size;		/* of buf: octets past size - 1 are dropped */
	size_t	 len;
	int	 flags;		/* IO_LINE, with IO_LONG and IO_BARE */
	int	 cr;		/* the last octet was a CR */
};

/* session.c: the dispatcher */
__attribute__((noreturn)) void session_run(struct session *);

/* verbs.c: called by session.c's table */
void	 cmd_helo(struct session *, char *);
void	 cmd_ehlo(struct session *, char *);
void	 cmd_mail(struct session *, char *);
void	 cmd_rcpt(struct session *, char *);
void	 cmd_data(struct session *, char *);
void	 cmd_bdat(struct session *, char *);
void	 cmd_rset(struct session *, char *);
void	 cmd_noop(struct session *, char *);
void	 cmd_quit(struct session *, char *);
void	 cmd_vrfy(struct session *, char *);
void	 cmd_help(struct session *, char *);
void	 cmd_starttls(struct session *, char *);
void	 session_starttls(struct session *);	/* 220, handshake, forget */

/* ask.c: the way to the parent, and the ways out that tell the client */
int	 ps_request(struct session *, uint32_t, const struct ps_buf *, uint32_t,
	    struct ps_msg *);		/* send, then wait for the answer of that type */
void	 session_state(struct session *);	/* PS_STATE: TLS, HELO */
void	 session_reset(struct session *);
__attribute__((noreturn)) void session_close(struct session *, const char *);
__attribute__((noreturn)) void session_ioerr(struct session *, int);
void	 tls_handoff(struct session *);		/* STARTTLS: returns only if refused */

/* exit.c: the log lines to the parent, and the end */
void	 session_logto(int);
__attribute__((noreturn)) void session_exit(struct session *, const char *);

/* io.c: all network I/O, through TLS when it is on */
int	 io_getline(struct session *, char *, size_t, int, size_t *);
int	 io_octet(struct linecut *, char);	/* 1 when CRLF ended the line */
int	 io_getchunk(struct session *, size_t, int, const char **, size_t *);
int	 io_write(struct session *, const void *, size_t);
int	 io_flush(struct session *);
int	 io_pending(struct session *);	/* bytes buffered, read but not consumed */
int	 io_wait(struct session *, int);	/* input within ms? (early talker) */
int	 io_poll(struct session *, int, short, int);	/* poll(2) fd; exit if the parent is gone */
void	 io_init(struct session *);		/* before the sandbox: socket timeouts */
void	 io_transcript(struct session *, int, const char *, size_t);	/* -d */
void	 io_clock(struct session *, int);	/* start: 0 session, 1 message */
const char *io_expired(struct session *);	/* "session", "message", NULL */

/*
 * Seconds a read or write may wait that should take secs at most: less
 * near the session's or the message's deadline (tls.c; inline, so that
 * tls.c builds without io.c in its tests).
 */
static inline int
io_secs(const struct session *s, int secs)
{
	struct timespec	ts;
	long long	now, end;

	if (secs <= 0)
		secs = 300;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return secs;
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	end = now + (long long)secs * 1000;
	if (s->sessend > 0 && s->sessend < end)
		end = s->sessend;
	if (s->msgend > 0 && s->msgend < end)
		end = s->msgend;
	return end <= now ? 0 : (int)((end - now + 999) / 1000);
}

/* reply.c */
void	 reply(struct session *, int, const char *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 reply_multi(struct session *, int, const char *, const char **, size_t);
void	 reply_cont(struct session *, int, const char *, const char *);

/* addr.c: RFC 5321 paths; no I/O; fuzzed */
int	 addr_parse_path(const char *, char *, size_t, const char **);
int	 addr_parse_domain(const char *, size_t);
int	 addr_split(const char *, char *, size_t, char *, size_t);

/* data.c */
int	 data_begin(struct session *);		/* before 354: Received: and tags */
int	 data_receive(struct session *);	/* after 354: to the spool fd */
int	 data_chunk(struct session *, size_t, int);	/* BDAT: one chunk */
void	 data_discard(struct session *, size_t);	/* BDAT: read, drop */

/*
 * rules.c: the policy decisions taken during the session, asking
 * the parent wherever the state lives (greylist, blocked senders, DNS).
 * Each returns 0 to go on, or 1 after it has sent the reply itself.
 */
int	 rcpt_ask(struct session *, const char *);	/* the parent's recipient check */

int	 rules_connect(struct session *);		/* before the greeting */
int	 rules_helo(struct session *, const char *);	/* HELO/EHLO checks, -D tarpit */
int	 rules_mail(struct session *);			/* s->sender set: blocked, -r */
int	 rules_rcpt(struct session *, const char *);	/* relay control, greylisting */
int	 rules_data(struct session *);			/* before 354: dial-up, deny */
int	 rules_eom(struct session *);			/* final dot: block/delay/dump */
int	 rules_trusted(const struct session *);		/* ournets, or AUTH */
int	 rules_ourdomain(const struct session *, const char *);

/* tags.c: norelay's X-warning: lines */
size_t	 rules_headers(struct session *, char *, size_t); /* envelope sender */
size_t	 rules_headertags(struct session *, const char *, size_t, char *,
	    size_t);		/* From:/Sender: */

/* tls.c (in smtpd-tls.so) and tlsfwd.c (in smtpd, forwarding to it) */
int	 tls_setup(struct session *);		/* before the sandbox */
int	 tls_start(struct session *);		/* handshake after our 220 */
ssize_t	 tls_read(struct session *, void *, size_t);
ssize_t	 tls_write(struct session *, const void *, size_t);
int	 tls_pending(struct session *);
void	 tls_close(struct session *);

/* auth.c */
void	 cmd_auth(struct session *, char *);
int	 auth_offer(struct session *, char *, size_t);	/* the EHLO AUTH line */
int	 auth_decode(const char *, uint8_t *, size_t, size_t *);	/* strict base64 */
int	 auth_plain_split(const uint8_t *, size_t, char *, size_t, char *, size_t,
	    char *, size_t, size_t *);
int	 auth_cram_split(const uint8_t *, size_t, char *, size_t, char *, size_t);

#endif /* SESSION_H */
