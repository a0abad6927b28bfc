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
 * The TLS library is only needed when a client says STARTTLS, yet loading
 * it costs as much as the rest of a connection or more (its relocations,
 * library and context set-up, the certificate and the key).  So the
 * session's TLS lives in smtpd-tls.so and the parent's key and signer in
 * smtpd-tlspriv.so, beside the smtpd binary (or in LIBEXECDIR/upas), and
 * a session pays for them only at STARTTLS.  Each has two back ends
 * (Makefile TLS_BACKEND): wolfSSL, and OpenSSL or LibreSSL, whose
 * parent's module links libcrypto alone.  The session
 * child is chrooted and sealed by then and can load nothing, and the
 * parent has given up root, so with a certificate smtpd.c forks a second
 * child at connect, as root, before the split: it waits on its
 * socketpair and loads nothing.  At STARTTLS the session child asks the
 * parent (PS_TLS_REQ, p_tls in priv/tlsfwd.c); the parent loads its
 * module and the key, says yes, waits for that child to exit, and wakes
 * the waiting one, which loads smtpd-tls.so, the certificate and the
 * context, drops privileges, seals itself, says 220 and runs the rest of
 * the session under TLS (session_run).  It was forked before the parent
 * read the key, so the key is never in its memory.  A session that never
 * says STARTTLS costs one more fork.  smtpd -T loads smtpd-tls.so, which
 * holds the parent's signer too.  These are also the entry points
 * the rest of smtpd calls (session/tlsfwd.c, priv/tlsfwd.c); each
 * forwards to its module.
 */

#include <sys/types.h>

#include <sys/file.h>
#include <sys/stat.h>

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
#include "dlload.h"
#include "log.h"

#define UNSAFE		"not a root-owned, root-only writable file"
#define TICKET_ROTATE	(12 * 3600)

/* the modules' entry points, by enum tlsmod_fn */
static void	*mod[TM_NFN];
static int	 modstate[2];	/* by enum tlsmod: 0 not tried, 1 loaded, -1 failed */
static const char *const modname[2] = { "smtpd-tls.so", "smtpd-tlspriv.so" };
static uint8_t	 tkeys[2 * TICKET_KEYLEN];
static size_t	 ntkeys;

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

int
tlsmod_load(enum tlsmod which)
{
	static const struct dl_sym tlssyms[] = {
		{ "tls_setup", &mod[TM_SETUP] },
		{ "tls_start", &mod[TM_START] },
		{ "tls_read", &mod[TM_READ] },
		{ "tls_write", &mod[TM_WRITE] },
		{ "tls_pending", &mod[TM_PENDING] },
		{ "tls_close", &mod[TM_CLOSE] },
		{ "tls_selftest", &mod[TM_SELFTEST] },
	};
	static const struct dl_sym privsyms[] = {
		{ "tlspriv_load", &mod[TM_PRIVLOAD] },
		{ "p_sign", &mod[TM_SIGN] },
	};
	const struct dl_sym *syms = which == TLSMOD_PRIV ? privsyms : tlssyms;
	size_t		 nsyms = which == TLSMOD_PRIV ?
			    sizeof(privsyms) / sizeof(privsyms[0]) :
			    sizeof(tlssyms) / sizeof(tlssyms[0]);
	char		 path[PATH_MAX];
	const char	*names[1] = { path };

	if (modstate[which] != 0)
		return modstate[which];
	modstate[which] = -1;
	if (libexec_find(modname[which], path, sizeof(path)) == -1) {
		log_warnx("tls: cannot load %s: not found or unsafe",
		    modname[which]);
		return -1;
	}
	if (dl_load("tls", modname[which], names, 1, syms, nsyms) == -1)
		return -1;
	modstate[which] = 1;
	return 1;
}

const char *
tlsmod_name(enum tlsmod which)
{
	return modname[which];
}

void *
tlsmod_fn(enum tlsmod_fn fn)
{
	return modstate[fn == TM_PRIVLOAD || fn == TM_SIGN ? TLSMOD_PRIV :
	    TLSMOD_TLS] == 1 ? mod[fn] : NULL;
}

/*
 * Where the parent's sandbox limits the paths it may open (OpenBSD's
 * unveil), the module is loaded before it; the key is still read at
 * STARTTLS, from the descriptor opened as root.
 */
void
tls_preload(void)
{
	(void)tlsmod_load(TLSMOD_PRIV);
}

int
tls_selftest(struct conf *c)
{
	int	(*selftest)(struct conf *);

	if (tlsmod_load(TLSMOD_TLS) != 1)
		return -1;
	selftest = (int (*)(struct conf *))tlsmod_fn(TM_SELFTEST);
	return selftest(c);
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
