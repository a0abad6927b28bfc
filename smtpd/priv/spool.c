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
 * One message on the parent's side: the spool file it opens for the
 * child (PS_QUEUE_OPEN), the commit that hands it to the mailer or the
 * queue once sender and recipients pass the parent's own checks
 * (PS_QUEUE_COMMIT), and the copy kept under dumpdir (PS_QUEUE_DUMP).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"
#include "log.h"

/* A recipient list on the wire: str each, bounded by the payload. */
#define ADDR_MIN	4

/* An unlinked file in the spool dir; -1 on failure. */
static int
spool_create(struct parent *p)
{
	char	path[PATH_MAX];
	int	fd;

	if (p->spooldir == -1)
		return -1;
#ifdef O_TMPFILE
	fd = openat(p->spooldir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL && errno != ENOENT))
		return fd;
#endif
	/* no O_TMPFILE here: a named file, unlinked at once */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.XXXXXX",
	    p->conf->spool, log_getsid()) >= sizeof(path))
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(path);
	return fd;
}

void
p_queue_open(struct parent *p, struct ps_msg *m)
{
	struct ps_buf	b;
	int		fd;

	parent_end(p, m);
	ps_buf_init(&b);
	if ((fd = spool_create(p)) == -1) {
		log_warn("spool %s", p->conf->spool);
		ps_add_u32(&b, 0);
		ps_add_str(&b, "");
		ps_add_str(&b, "");
		(void)parent_reply(p, PS_QUEUE_FD, m->hdr.id, -1, &b);
		return;
	}
	p->spoolfd = fd;
	p->nmsg++;
	(void)snprintf(p->msgid, sizeof(p->msgid), "%s.%d", log_getsid(),
	    p->nmsg);
	ps_add_u32(&b, 1);
	ps_add_str(&b, p->msgid);
	ps_add_str(&b, p->peer->rdns);	/* looked up after the drop */
	if (parent_reply(p, PS_QUEUE_FD, m->hdr.id, fd, &b) == -1)
		spool_close(p);
}

/*
 * An envelope address as the mailer will see it: printable ASCII or
 * UTF-8, no spaces or control characters, at most SMTP_PATHMAX octets.
 * The null sender is "".
 */
static int
addr_ok(const char *s, int empty_ok)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;

	if (len == 0)
		return empty_ok;
	if (len > SMTP_PATHMAX)
		return 0;
	for (i = 0; i < len; ) {
		if (u[i] < 0x80) {
			if (u[i] <= 0x20 || u[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			n = 1;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			n = 2;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			n = 3;
		else
			return 0;
		for (i++; n > 0; n--, i++)
			if (i >= len || (u[i] & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static void
free_rcpts(char **rcpt, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(rcpt[i]);
	free(rcpt);
}

/* Reads "u32 n, n x str" into rcpt[], the last field; kills on anything odd. */
static size_t
get_rcpts(struct parent *p, struct ps_msg *m, char ***rcptp)
{
	char		**rcpt, buf[SMTP_PATHMAX + 1];
	uint32_t	  n = 0, i;

	if (ps_get_u32(m, &n) == -1 || n == 0 || n > p->conf->maxrcpt ||
	    n > (m->len - m->off) / ADDR_MIN)
		parent_kill(p, "bad recipient count");
	if ((rcpt = calloc(n, sizeof(*rcpt))) == NULL)
		fatal("calloc");
	for (i = 0; i < n; i++) {
		if (ps_get_str(m, buf, sizeof(buf)) == -1 || !addr_ok(buf, 0)) {
			free_rcpts(rcpt, i);
			parent_kill(p, "bad recipient");
		}
		if ((rcpt[i] = strdup(buf)) == NULL)
			fatal("strdup");
	}
	/* the end of the payload here, so that no caller leaks on a kill */
	if (m->err || ps_end(m) == -1) {
		free_rcpts(rcpt, n);
		parent_kill(p, "malformed payload");
	}
	*rcptp = rcpt;
	return n;
}

static void
queue_answer(struct parent *p, uint32_t id, int code, const char *esc,
    const char *text)
{
	struct ps_buf	b;

	ps_buf_init(&b);
	ps_add_u32(&b, (uint32_t)code);
	ps_add_str(&b, esc);
	ps_add_str(&b, text);
	(void)parent_reply(p, PS_QUEUE_ANS, id, -1, &b);
}

/*
 * What the child should have refused, checked again with the parent's
 * own facts (ournets, its own AUTH verdict, the blocked file read before
 * fork) before any mailer runs: a commit an honest child could not have
 * sent is an attack, and the client gets no 250: the reason, or NULL.
 */
static const char *
commit_check(struct parent *p, const char *sender, char **rcpt, size_t nrcpt)
{
	char		 e[SMTP_PATHMAX * 4 + 1];
	const char	*why;
	enum action	 a;
	int		 authed = p->authuser[0] != '\0';
	size_t		 i;

	if (p->conf->requireauth && !authed)
		return "commit without AUTH (-a)";
	a = policy_mail(p->conf, p->peer, authed, sender);
	if (a != ACT_NONE && a != ACT_ALLOW) {
		log_warnx("commit from=<%s> refused: blocked file says %s",
		    log_escape(e, sizeof(e), sender, strlen(sender)),
		    action_name(a));
		return "commit of a blocked transaction";
	}
	for (i = 0; i < nrcpt; i++) {
		if ((why = policy_relay(p->conf, p->peer, authed,
		    rcpt[i])) == NULL)
			continue;
		log_warnx("commit rcpt=<%s> refused: %s",
		    log_escape(e, sizeof(e), rcpt[i], strlen(rcpt[i])), why);
		return "commit with a recipient we do not relay for";
	}
	return NULL;
}

void
p_queue_commit(struct parent *p, struct ps_msg *m)
{
	char		 sender[SMTP_PATHMAX + 1], esc[16], text[256];
	char		**rcpt;
	const char	*why;
	uint32_t	 body = 0, utf8 = 0;
	uint64_t	 size = 0;
	size_t		 nrcpt, i;
	int		 code;

	if (ps_get_str(m, sender, sizeof(sender)) == -1 ||
	    !addr_ok(sender, 1) || ps_get_u32(m, &body) == -1 ||
	    ps_get_u32(m, &utf8) == -1 || ps_get_u64(m, &size) == -1)
		parent_kill(p, "malformed commit");
	if (body > BODY_8BITMIME || utf8 > 1)
		parent_kill(p, "bad commit flags");
	nrcpt = get_rcpts(p, m, &rcpt);
	if ((why = commit_check(p, sender, rcpt, nrcpt)) != NULL) {
		free_rcpts(rcpt, nrcpt);
		parent_kill(p, why);
	}
	for (i = 0; i < nrcpt; i++)
		if (!rcpt_accepted(rcpt[i])) {
			free_rcpts(rcpt, nrcpt);
			parent_kill(p, "recipient not accepted at RCPT");
		}
	if (p->conf->routes[0] != '\0')
		code = queue_commit(p, sender, (int)body, (int)utf8, rcpt,
		    nrcpt, esc, sizeof(esc), text, sizeof(text));
	else
		code = mailer_run(p, sender, rcpt, nrcpt, esc, sizeof(esc),
		    text, sizeof(text));
	free_rcpts(rcpt, nrcpt);
	queue_answer(p, m->hdr.id, code, esc, text);
	spool_close(p);
}

void
p_queue_abort(struct parent *p, struct ps_msg *m)
{
	parent_end(p, m);
	spool_close(p);
}

/* dumpdir/<Mon><D>, as Plan 9's /mail/queue.dump/Mar7. */
static int
dump_dir(struct parent *p)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char		 name[16];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 fd;

	if (p->dumpfd == -1 || localtime_r(&now, &tm) == NULL)
		return -1;
	(void)snprintf(name, sizeof(name), "%s%d", mon[tm.tm_mon], tm.tm_mday);
	if (mkdirat(p->dumpfd, name, 0770) == -1 && errno != EEXIST)
		return -1;
	fd = openat(p->dumpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	return fd;
}

static int
dump_copy(struct parent *p, int out, const char *hdr)
{
	char	buf[8192];
	off_t	off = 0;
	ssize_t	n;

	if (write(out, hdr, strlen(hdr)) != (ssize_t)strlen(hdr))
		return -1;
	while ((n = pread(p->spoolfd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, n) != n)
			return -1;
		off += n;
	}
	return n == 0 ? 0 : -1;
}

void
p_queue_dump(struct parent *p, struct ps_msg *m)
{
	char		 reason[128], sender[SMTP_PATHMAX + 1], name[64];
	char		 hdr[1024], esc[sizeof(reason) * 4];
	char		**rcpt;
	size_t		 nrcpt;
	int		 dfd, fd = -1, i, ok = 0;

	/* only -s keeps blocked mail: dumpdir is open whenever it exists */
	if (!p->conf->saveblocked)
		parent_kill(p, "dump not enabled");
	if (ps_get_str(m, reason, sizeof(reason)) == -1 ||
	    ps_get_str(m, sender, sizeof(sender)) == -1 || !addr_ok(sender, 1))
		parent_kill(p, "malformed dump");
	nrcpt = get_rcpts(p, m, &rcpt);
	log_escape(esc, sizeof(esc), reason, strlen(reason));
	if ((dfd = dump_dir(p)) != -1) {
		/* never overwrite: a fresh name until O_EXCL succeeds */
		for (i = 0; i < 50 && fd == -1; i++) {
			(void)snprintf(name, sizeof(name), "%lld.%s.%08x",
			    (long long)time(NULL), p->msgid, arc4random());
			fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0640);
			if (fd == -1 && errno != EEXIST)
				break;
		}
		(void)close(dfd);
	}
	if (fd != -1) {
		(void)snprintf(hdr, sizeof(hdr), "X-Upas-Dump: reason=\"%s\" "
		    "from=<%s> rcpt=<%s>%s\n", esc, sender, rcpt[0],
		    nrcpt > 1 ? " ..." : "");
		ok = dump_copy(p, fd, hdr) == 0;
		if (close(fd) == -1)
			ok = 0;
	}
	if (ok) {
		log_info("dump id=%s reason=\"%s\" file=%s", p->msgid, esc, name);
		queue_answer(p, m->hdr.id, 250, "2.0.0", "dumped");
	} else {
		log_warn("dump id=%s reason=\"%s\" in %s", p->msgid, esc,
		    p->conf->dumpdir);
		queue_answer(p, m->hdr.id, 451, "4.3.0", "not dumped");
	}
	free_rcpts(rcpt, nrcpt);
	spool_close(p);
}
