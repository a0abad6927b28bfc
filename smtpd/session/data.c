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
 * DATA: our Received: line first, then the message, dot-unstuffed, into
 * the spool fd the parent gave us, with LF line ends (the mailer is a
 * sendmail-style program).  The message ends only at CRLF.CRLF.  Anything
 * wrong with it (bare CR or LF, NUL, a long line, the size, the hops) is
 * noted, the rest is read and thrown away up to the dot, and the parent
 * drops the spool: 250 comes only from the parent's PS_QUEUE_ANS.
 *
 * BDAT (RFC 3030) feeds the same path: each chunk is cut into lines here,
 * with the CRLF rule io_getline() keeps, a line carried over from one
 * chunk to the next, and no dot-unstuffing; the message ends with the
 * chunk marked LAST.  An error found in a chunk is answered at once, the
 * spool dropped, and the transaction is over.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

enum derr {
	D_OK,
	D_BARE,		/* bare CR, bare LF or NUL */
	D_LONG,		/* a line over 1000 octets with CRLF */
	D_SIZE,		/* over maxsize */
	D_HOPS,		/* too many Received: */
	D_WRITE,	/* the spool */
};

static struct {
	int	 fd;
	char	 buf[65536];
	size_t	 len;
	size_t	 written;	/* to the spool */
	size_t	 size;		/* message octets, CRLF counted */
	int	 inheader;
	int	 hops;
	enum derr err;
	char	 hdr[32768];	/* the header, held for rules_headertags() */
	size_t	 hdrlen;
	int	 held;
	char	 line[SMTP_LINEMAX + 1];	/* BDAT: the line a chunk left open */
	struct linecut lc;
} d;

static void
spool_flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < d.len && d.err != D_WRITE) {
		n = write(d.fd, d.buf + off, d.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("spool write");
			d.err = D_WRITE;
			break;
		}
		off += (size_t)n;
	}
	d.len = 0;
}

static void
spool_write(const char *p, size_t len)
{
	size_t	n;

	while (len > 0 && d.err != D_WRITE) {
		if (d.len == sizeof(d.buf))
			spool_flush();
		n = sizeof(d.buf) - d.len;
		if (n > len)
			n = len;
		memcpy(d.buf + d.len, p, n);
		d.len += n;
		d.written += n;
		p += n;
		len -= n;
	}
}

/* Header text from rules_headers(): CRLF or LF lines, stored with LF. */
static void
spool_lines(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			continue;
		if (p[i] == '\r' || p[i] == '\0')
			continue;
		spool_write(p + i, 1);
	}
	if (len > 0 && p[len - 1] != '\n')
		spool_write("\n", 1);
}

static void
rfc5322_date(char *buf, size_t size)
{
	struct tm	tm;
	time_t		now = time(NULL);

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(buf, size, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		(void)strlcpy(buf, "Thu, 01 Jan 1970 00:00:00 +0000", size);
}

/*
 * RFC 5321 4.4 and RFC 3848: "Received: from <helo> (<rdns> [<ip>]) by
 * <host> with ESMTP[S][A] id <id> [for <rcpt>]; <date>", folded only when
 * one line would be over 998 octets.
 */
static void
received(struct session *s)
{
	char		 from[SMTP_DOMAINMAX * 2 + 128], by[SMTP_DOMAINMAX + 96];
	char		 forr[SMTP_PATHMAX + 16], date[64], proto[16];
	const char	*v6 = strchr(s->peer->raddr, ':') ? "IPv6:" : "";
	const char	*sep;

	if (s->peer->rdns[0] != '\0')
		(void)snprintf(from, sizeof(from), "Received: from %s (%s [%s%s])",
		    s->helo, s->peer->rdns, v6, s->peer->raddr);
	else
		(void)snprintf(from, sizeof(from), "Received: from %s ([%s%s])",
		    s->helo, v6, s->peer->raddr);
	(void)snprintf(proto, sizeof(proto), "%s%s%s", s->esmtp ? "ESMTP" :
	    "SMTP", s->tls != NULL ? "S" : "", s->authuser[0] ? "A" : "");
	(void)snprintf(by, sizeof(by), "by %s with %s id %s", s->conf->hostname,
	    proto, s->msgid);
	if (s->nrcpt == 1)
		(void)snprintf(forr, sizeof(forr), "for <%s>", s->rcpt[0]);
	else
		forr[0] = '\0';
	rfc5322_date(date, sizeof(date));
	sep = strlen(from) + strlen(by) + strlen(forr) + strlen(date) + 4 >
	    SMTP_LINEMAX - 2 ? "\n\t" : " ";
	spool_write(from, strlen(from));
	spool_write(sep, strlen(sep));
	spool_write(by, strlen(by));
	if (forr[0] != '\0') {
		spool_write(sep, strlen(sep));
		spool_write(forr, strlen(forr));
	}
	spool_write(";", 1);
	spool_write(sep, strlen(sep));
	spool_write(date, strlen(date));
	spool_write("\n", 1);
}

/* After PS_QUEUE_FD, before 354: our trace line and rules.c's tags. */
int
data_begin(struct session *s)
{
	char	tags[4096];
	size_t	n;

	/* every field but the two buffers (96 KiB: left untouched, not
	 * zeroed, so a message costs only the pages it uses) */
	d.fd = s->spoolfd;
	d.len = d.written = d.size = d.hdrlen = 0;
	d.hops = 0;
	d.lc.buf = d.line;
	d.lc.size = sizeof(d.line);
	d.lc.len = 0;
	d.lc.flags = IO_LINE;
	d.lc.cr = 0;
	d.err = D_OK;
	d.inheader = d.held = 1;
	received(s);
	if ((n = rules_headers(s, tags, sizeof(tags))) > 0)
		spool_lines(tags, n < sizeof(tags) ? n : sizeof(tags) - 1);
	spool_flush();
	return d.err == D_WRITE ? -1 : 0;
}

static void
data_error(enum derr e)
{
	if (d.err == D_OK)
		d.err = e;
}

/* The header read (or as much as fits): its tags, then itself. */
static void
header_release(struct session *s)
{
	char	tags[1024];
	size_t	n;

	d.held = 0;
	if ((n = rules_headertags(s, d.hdr, d.hdrlen, tags, sizeof(tags))) > 0)
		spool_lines(tags, n < sizeof(tags) ? n : sizeof(tags) - 1);
	spool_write(d.hdr, d.hdrlen);
}

/* One line of the message, as io_getline() returned it (stuffed: DATA). */
static void
data_line(struct session *s, char *line, size_t len, int flags, int stuffed)
{
	if (flags & IO_BARE)
		data_error(D_BARE);
	if (stuffed && line[0] == '.') {	/* RFC 5321 4.5.2 */
		line++;
		len--;
	}
	/* RFC 5321 4.5.3.1.6: the stuffed dot does not count */
	if ((flags & IO_LONG) || len > SMTP_LINEMAX - 2)
		data_error(D_LONG);
	d.size += len + 2;
	if (s->conf->maxsize > 0 && d.size > s->conf->maxsize)
		data_error(D_SIZE);
	if (d.inheader) {
		if (len == 0)
			d.inheader = 0;
		else if (strncasecmp(line, "Received:", 9) == 0 &&
		    ++d.hops > s->conf->maxhops && s->conf->maxhops > 0)
			data_error(D_HOPS);
	}
	if (d.err == D_OK && d.held && (len == 0 ||
	    len + 1 > sizeof(d.hdr) - d.hdrlen))
		header_release(s);
	if (d.err == D_OK && d.held) {
		memcpy(d.hdr + d.hdrlen, line, len);
		d.hdr[d.hdrlen + len] = '\n';
		d.hdrlen += len + 1;
	} else if (d.err == D_OK) {
		spool_write(line, len);
		spool_write("\n", 1);
	}
}

/*
 * Read to the final dot.  Returns 1 at the dot, or IO_EOF, IO_ERROR or
 * IO_TIMEOUT.
 */
static int
data_read(struct session *s)
{
	char	line[SMTP_LINEMAX + 1];
	size_t	len;
	int	r;

	for (;;) {
		r = io_getline(s, line, sizeof(line), s->conf->datatimeout,
		    &len);
		if (r <= 0)
			return r;
		if (r == IO_LINE && len == 1 && line[0] == '.')
			return 1;
		data_line(s, line, len, r, 1);
	}
}

/* The end of a line a BDAT chunk held (or the last one, without CRLF). */
static void
chunk_line(struct session *s)
{
	d.line[d.lc.len] = '\0';
	io_transcript(s, '<', d.line, d.lc.len);
	data_line(s, d.line, d.lc.len, d.lc.flags, 0);
	d.lc.len = 0;
	d.lc.flags = IO_LINE;
}

/* BDAT outside a transaction (or refused): the octets are read and dropped. */
void
data_discard(struct session *s, size_t size)
{
	const char	*p;
	char		 note[64];
	size_t		 n, total = size;
	int		 r;

	while (size > 0) {
		if ((r = io_getchunk(s, size, s->conf->datatimeout, &p,
		    &n)) <= 0)
			session_ioerr(s, r);
		size -= n;
	}
	r = snprintf(note, sizeof(note), "[%zu octets dropped]", total);
	io_transcript(s, '<', note, (size_t)r);
}

static void
data_refuse(struct session *s)
{
	static const char *why[] = {
		[D_BARE] = "bare",
		[D_LONG] = "long-line",
		[D_SIZE] = "size",
		[D_HOPS] = "hops",
		[D_WRITE] = "spool-error",
	};

	if (ps_send(s->psfd, PS_QUEUE_ABORT, 0, -1, NULL, 0) == -1)
		fatal("send PS_QUEUE_ABORT");
	s->spoolopen = 0;
	log_info("data id=%s size=%zu nrcpt=%zu result=refused reason=%s",
	    s->msgid, d.size, s->nrcpt, why[d.err]);
	switch (d.err) {
	case D_BARE:
		reply(s, 554, "5.6.0", "message contains bare CR/LF or NUL");
		break;
	case D_LONG:
		reply(s, 552, "5.6.0", "message line longer than 1000 octets");
		break;
	case D_SIZE:
		reply(s, 552, "5.3.4", "message size exceeds fixed maximum "
		    "message size");
		break;
	case D_HOPS:
		reply(s, 554, "5.4.6", "too many hops");
		break;
	default:
		reply(s, 451, "4.3.0", "Local error writing the message");
		break;
	}
}

/* The envelope to the parent, which runs the mailer and answers. */
static void
data_commit(struct session *s)
{
	static struct ps_msg	 m;
	struct ps_buf		 b;
	char			 esc[16], text[512], *proto;
	uint32_t		 code;
	size_t			 i;

	ps_buf_init(&b);
	ps_add_str(&b, s->sender);
	ps_add_u32(&b, (uint32_t)s->body);
	ps_add_u32(&b, (uint32_t)s->smtputf8);
	ps_add_u64(&b, (uint64_t)d.written);
	ps_add_u32(&b, (uint32_t)s->nrcpt);
	for (i = 0; i < s->nrcpt; i++)
		ps_add_str(&b, s->rcpt[i]);
	if (b.err)
		fatalx("PS_QUEUE_COMMIT too large");
	ps_request(s, PS_QUEUE_COMMIT, &b, PS_QUEUE_ANS, &m);
	s->spoolopen = 0;
	if (m.fd != -1 || ps_get_u32(&m, &code) == -1 ||
	    ps_get_str(&m, esc, sizeof(esc)) == -1 ||
	    ps_get_str(&m, text, sizeof(text)) == -1 || ps_end(&m) == -1 ||
	    code < 200 || code > 599)
		fatalx("bad PS_QUEUE_ANS");
	proto = s->tls != NULL ? "ESMTPS" : s->esmtp ? "ESMTP" : "SMTP";
	/* the parent's "message" line is the one per accepted message */
	log_info("data id=%s size=%zu nrcpt=%zu proto=%s%s%s result=%s "
	    "code=%u", s->msgid, d.size, s->nrcpt, proto,
	    s->tls != NULL ? " tls=" : "", s->tls != NULL ? s->tlsversion : "",
	    code / 100 == 2 ? "queued" : code / 100 == 4 ? "tempfail" :
	    "refused", code);
	reply(s, (int)code, esc, "%s", text);
}

/* Our copy of the spool fd written out and closed: the parent has it. */
static void
spool_done(struct session *s)
{
	spool_flush();
	if (s->spoolfd != -1) {
		close(s->spoolfd);
		s->spoolfd = -1;
	}
}

/* The whole message read (r 1) or not: the spool closed, one reply. */
static int
data_end(struct session *s, int r)
{
	if (r == 1 && d.held && d.err == D_OK)
		header_release(s);
	spool_done(s);
	if (r <= 0)
		session_ioerr(s, r);
	s->msgsize = d.size;
	if (d.err != D_OK) {
		data_refuse(s);
		return -1;
	}
	if (rules_eom(s))	/* it replied; session_reset() drops any spool */
		return -1;
	data_commit(s);
	return 0;
}

/* After 354: the message, then exactly one reply. */
int
data_receive(struct session *s)
{
	return data_end(s, data_read(s));
}

/*
 * BDAT: size octets of the message, after data_begin().  Not the last
 * chunk: 250, or the error found so far and -1 (the spool is dropped,
 * the transaction over).  The last: data_end()'s reply; -1 unless the
 * parent took the message.
 */
int
data_chunk(struct session *s, size_t size, int last)
{
	const char	*p;
	size_t		 n, i, total = size;
	int		 r;

	while (size > 0) {
		if ((r = io_getchunk(s, size, s->conf->datatimeout, &p,
		    &n)) <= 0)
			return data_end(s, r);
		for (i = 0; i < n; i++)
			if (io_octet(&d.lc, p[i]))
				chunk_line(s);
		size -= n;
	}
	if (!last) {
		/* a fault in the line this chunk leaves open is this chunk's */
		if (d.lc.flags & IO_BARE)
			data_error(D_BARE);
		if (d.lc.flags & IO_LONG)
			data_error(D_LONG);
		if (d.err != D_OK) {
			spool_done(s);
			s->msgsize = d.size;
			data_refuse(s);
			return -1;
		}
		reply(s, 250, "2.0.0", "%zu octets received", total);
		return 0;
	}
	/* a message need not end in CRLF (RFC 5322 3.5): a CR alone is bare */
	if (d.lc.cr) {
		d.lc.cr = 0;
		d.lc.flags |= IO_BARE;
		if (d.lc.len + 1 < d.lc.size)
			d.line[d.lc.len++] = '\r';
	}
	if (d.lc.len > 0 || d.lc.flags != IO_LINE)
		chunk_line(s);
	return data_end(s, 1);
}
