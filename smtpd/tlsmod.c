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
 * OpenSSL is only needed when a client says STARTTLS, yet loading it
 * costs more than the rest of a connection (the relocations of libssl
 * and libcrypto, library and context set-up, the certificate and the
 * key).  So tls.c and tlspriv.c live in smtpd-tls.so, beside the smtpd
 * binary (or in LIBEXECDIR/upas), and a session pays for them only at
 * STARTTLS.  The session child is chrooted and sealed by then and can
 * load nothing, and the parent has given up root, so with a certificate
 * smtpd.c forks a second child at connect, as root, before the split:
 * it waits on its socketpair and loads nothing.  At STARTTLS the session
 * child asks the parent (PS_TLS_REQ, p_tls below); the parent loads the
 * module and the key, says yes, waits for that child to exit, and wakes
 * the waiting one, which loads the module, the certificate and the
 * context, drops privileges, seals itself, says 220 and runs the rest of
 * the session under TLS (session_run).  It was forked before the parent
 * read the key, so the key is never in its memory.  A session that never
 * says STARTTLS costs one more fork.  These are also the entry points
 * the rest of smtpd calls; each forwards to the module.
 */

#include <sys/types.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtpd.h"
#include "session.h"
#include "log.h"

#define TLSMOD_NAME	"smtpd-tls.so"
#define UNSAFE		"not a root-owned, root-only writable file"
#define TICKET_ROTATE	(12 * 3600)

static struct {
	int		 (*setup)(struct session *);
	int		 (*start)(struct session *);
	ssize_t		 (*read)(struct session *, void *, size_t);
	ssize_t		 (*write)(struct session *, const void *, size_t);
	int		 (*pending)(struct session *);
	void		 (*close)(struct session *);
	int		 (*privload)(struct parent *);
	int		 (*selftest)(struct conf *);
	void		 (*sign)(struct parent *, struct ps_msg *);
} mod;
static int	modstate;	/* 0 not tried, 1 loaded, -1 failed */
static uint8_t	tkeys[2 * TICKET_KEYLEN];
static size_t	ntkeys;

/*
 * name beside our own executable (Linux), else in LIBEXECDIR/upas.  It
 * is loaded as root: only a regular file that root owns and nobody else
 * may write, so a writable build or install directory cannot hand a
 * stranger's code to the process that holds the key.  -1 and errno
 * EPERM for an unsafe file.
 */
int
libexec_find(const char *name, char *path, size_t len)
{
	struct stat	 st;
	char		 exe[PATH_MAX], *slash;
	ssize_t		 n;

	path[0] = '\0';
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(path, len, "%s/%s", exe, name) >=
			    len || access(path, F_OK) == -1)
				path[0] = '\0';
		}
	}
	if (path[0] == '\0' && (size_t)snprintf(path, len, "%s/upas/%s",
	    LIBEXECDIR, name) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("%s: %s", path, UNSAFE);
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void *
sym(void *h, const char *name)
{
	void	*p;

	if ((p = dlsym(h, name)) == NULL)
		log_warnx("tls: %s: no %s", TLSMOD_NAME, name);
	return p;
}

static int
modload(void)
{
	char	 path[PATH_MAX];
	void	*h;

	if (modstate != 0)
		return modstate;
	modstate = -1;
	if (libexec_find(TLSMOD_NAME, path, sizeof(path)) == -1 ||
	    (h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char	*e = path[0] != '\0' ? dlerror() : NULL;

		log_warnx("tls: cannot load %s: %s", TLSMOD_NAME,
		    e != NULL ? e : "not found or unsafe");
		return -1;
	}
	if ((mod.setup = sym(h, "tls_setup")) == NULL ||
	    (mod.start = sym(h, "tls_start")) == NULL ||
	    (mod.read = sym(h, "tls_read")) == NULL ||
	    (mod.write = sym(h, "tls_write")) == NULL ||
	    (mod.pending = sym(h, "tls_pending")) == NULL ||
	    (mod.close = sym(h, "tls_close")) == NULL ||
	    (mod.privload = sym(h, "tlspriv_load")) == NULL ||
	    (mod.selftest = sym(h, "tls_selftest")) == NULL ||
	    (mod.sign = sym(h, "p_sign")) == NULL) {
		memset(&mod, 0, sizeof(mod));
		return -1;
	}
	modstate = 1;
	return 1;
}

/*
 * In the child that takes over at STARTTLS only (s->tlstakeover): the
 * module, the certificate and the context, before the sandbox.  No
 * module: s->tlsctx stays NULL and STARTTLS gets 454.
 */
int
tls_setup(struct session *s)
{
	s->tls = NULL;
	s->tlsctx = NULL;
	if (s->conf->certfile[0] == '\0' || !s->tlstakeover)
		return 0;
	if (modload() != 1) {
		log_warnx("tls: no STARTTLS");
		return 0;
	}
	return mod.setup(s);
}

/*
 * STARTTLS in the session child: ask the parent to get TLS ready.  On
 * yes this child is done (the waiting one says 220); on no, or with
 * nothing waiting, return, and the caller says 454.  Nothing was
 * pipelined after the verb (the caller checked), and no reply is
 * pending, so no byte of the session is lost or said twice.
 */
void
tls_handoff(struct session *s)
{
	static struct ps_msg	m;
	uint32_t		ok = 0;

	if (!s->tlslater)
		return;
	(void)io_flush(s);
	(void)ps_request(s, PS_TLS_REQ, NULL, PS_TLS_ANS, &m);
	if (ps_get_u32(&m, &ok) == -1 || ps_end(&m) == -1)
		fatalx("tls_handoff: bad answer");
	s->tlslater = 0;
	if (ok)
		_exit(0);
}

/*
 * Where the parent's sandbox limits the paths it may open (OpenBSD's
 * unveil), the module is loaded before it; the key is still read at
 * STARTTLS, from the descriptor opened as root.
 */
void
tls_preload(void)
{
	(void)modload();
}

/*
 * The parent, at the child's PS_TLS_REQ: the module and the key, then
 * the waiting child in place of the one that asked.  Once yes is said,
 * the old child must end without another word (else it is killed).
 */
void
p_tls(struct parent *p, struct ps_msg *m)
{
	static struct ps_msg	eof;
	struct ps_buf		b;
	uint32_t		ok;
	int			status, n;
	char			go = 'g';

	if (m->err || ps_end(m) == -1)
		parent_kill(p, "malformed TLS request");
	ok = p->tlsfd != -1 && modload() == 1 && mod.privload(p) == 0;
	if (!ok)
		log_warnx("tls: no key or no %s: STARTTLS refused", TLSMOD_NAME);
	ps_buf_init(&b);
	ps_add_u32(&b, ok);
	if (parent_reply(p, PS_TLS_ANS, m->hdr.id, -1, &b) == -1 || !ok)
		return;
	if ((n = ps_recv(p->fd, &eof)) != 0) {
		if (n > 0)
			ps_msg_closefd(&eof);
		parent_kill(p, "the child spoke after the TLS handoff");
	}
	while ((n = waitpid(p->child, &status, 0)) == -1 && errno == EINTR)
		;
	/* reaped: from here parent_kill() must not signal its pid again */
	(void)close(p->fd);
	p->fd = p->tlsfd;
	p->child = p->tlschild;
	p->tlsfd = -1;
	if (n == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		parent_kill(p, "the child did not exit cleanly at STARTTLS");
	if (send(p->fd, &go, 1, 0) != 1 || ps_hello_recv(p->fd) == -1)
		parent_kill(p, "no hello from the TLS child");
}

int
tls_start(struct session *s)
{
	if (modstate != 1)
		return -1;
	return mod.start(s);
}

ssize_t
tls_read(struct session *s, void *buf, size_t len)
{
	if (modstate != 1) {
		errno = EIO;
		return -1;
	}
	return mod.read(s, buf, len);
}

ssize_t
tls_write(struct session *s, const void *buf, size_t len)
{
	if (modstate != 1) {
		errno = EIO;
		return -1;
	}
	return mod.write(s, buf, len);
}

int
tls_pending(struct session *s)
{
	return modstate == 1 ? mod.pending(s) : 0;
}

void
tls_close(struct session *s)
{
	if (modstate == 1)
		mod.close(s);
}

int
tlspriv_load(struct parent *p)
{
	if (modload() != 1)
		return -1;
	return mod.privload(p);
}

/*
 * Ticket keys: one file, root's, 0600, holding the current and the
 * previous key.  The current one is replaced after TICKET_ROTATE, under
 * flock so that concurrent smtpds agree.  Read as root before the split
 * (no OpenSSL needed); the child that does TLS gets both by fork.
 */
static void
ticketkeys_path(const struct conf *conf, char *path, size_t len)
{
	char	 dir[PATH_MAX];

	if (conf->ticketkeys[0] != '\0') {
		(void)strlcpy(path, conf->ticketkeys, len);
		return;
	}
	(void)strlcpy(dir, conf->spool[0] ? conf->spool : SMTPD_SPOOL,
	    sizeof(dir));
	(void)snprintf(path, len, "%s/ticketkeys", dirname(dir));
}

int
tls_ticketkeys_load(const struct conf *conf)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	uint8_t		 buf[2 * TICKET_KEYLEN];
	ssize_t		 n;
	int		 fd, rv = -1;

	ntkeys = 0;
	if (conf->certfile[0] == '\0')
		return 0;
	ticketkeys_path(conf, path, sizeof(path));
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		log_warn("ticketkeys %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1) {
		log_warn("ticketkeys %s", path);
		goto done;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    !S_ISREG(st.st_mode)) {
		log_warnx("ticketkeys %s: not a 0600 file of ours, no tickets",
		    path);
		goto done;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	if (n != (ssize_t)sizeof(buf) ||
	    time(NULL) - st.st_mtime >= TICKET_ROTATE ||
	    st.st_mtime > time(NULL) + 60) {
		if (n == (ssize_t)sizeof(buf))
			memmove(buf + TICKET_KEYLEN, buf, TICKET_KEYLEN);
		else
			arc4random_buf(buf + TICKET_KEYLEN, TICKET_KEYLEN);
		arc4random_buf(buf, TICKET_KEYLEN);
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
		    ftruncate(fd, sizeof(buf)) == -1 || fsync(fd) == -1) {
			log_warn("ticketkeys %s", path);
			goto done;
		}
	}
	memcpy(tkeys, buf, sizeof(buf));
	ntkeys = 2;
	rv = 0;
 done:
	explicit_bzero(buf, sizeof(buf));
	(void)close(fd);
	return rv;
}

const uint8_t *
tls_ticketkeys(size_t *n)
{
	*n = ntkeys;
	return ntkeys ? tkeys : NULL;
}

int
tls_selftest(struct conf *c)
{
	if (modload() != 1)
		return -1;
	return mod.selftest(c);
}

/* The child asked for a signature: only possible once TLS was set up. */
void
p_sign(struct parent *p, struct ps_msg *m)
{
	if (modstate != 1)
		parent_kill(p, "signature request without TLS");
	else
		mod.sign(p, m);
}
