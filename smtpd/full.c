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
 * Each connection starts smtpd anew, and on Linux most of what an exec
 * costs is glibc's: the dynamic loader mapping and relocating libc.so,
 * its start-up, and the pages all that touches, in both processes of the
 * split.  So smtpd is built lean (Makefile LEAN=yes, when musl-gcc is
 * there): static, with musl, without OpenSSL, libunbound, crypt(3) and
 * MD5.  When the configuration needs one of those (full_needed()),
 * full_exec() replaces the process, before it has done anything else,
 * with smtpd-full: the same sources linked dynamically with glibc, which
 * loads smtpd-tls.so and libunbound when it needs them.  A build with
 * LEAN=no has only the full program, and full_exec() does nothing.
 * smtpd-full is found like smtpd-tls.so (libexec_find), and must be root's.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smtpd.h"
#include "log.h"

#define FULL_NAME	"smtpd-full"
#define UNSAFE		"not a root-owned, root-only writable file"

/*
 * name beside our own executable (Linux), else in LIBEXECDIR/upas.  It
 * runs as root: only a regular file that root owns and nobody else may
 * write, so a writable build or install directory cannot hand a
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

#ifdef SMTPD_LEAN
/*
 * What needs smtpd-full: a certificate (OpenSSL), a resolver
 * (libunbound), AUTH without TLS (crypt(3), MD5).  AUTH under TLS comes
 * with the certificate.
 */
static int
full_needed(const struct conf *c)
{
	return c->certfile[0] != '\0' || c->unbound[0] != '\0' ||
	    (c->plainauth && c->passwd[0] != '\0' &&
	    access(c->passwd, F_OK) == 0);
}

/* why smtpd-full did not run, for full_warn(): the log is not open yet */
static char	fullerr[PATH_MAX + 64];
#endif

void
full_exec(struct conf *c, char **argv)
{
#ifdef SMTPD_LEAN
	char	path[PATH_MAX];

	if (!full_needed(c)) {
		c->passwd[0] = '\0';	/* no AUTH here: see p_auth below */
		return;
	}
	if (libexec_find(FULL_NAME, path, sizeof(path)) == 0)
		(void)execv(path, argv);
	(void)snprintf(fullerr, sizeof(fullerr), "%s: %s",
	    path[0] != '\0' ? path : FULL_NAME,
	    errno == EPERM ? UNSAFE : strerror(errno));
	/* fail closed: no STARTTLS (454), no DNS checks, no AUTH */
	c->passwd[0] = '\0';
#else
	(void)c;
	(void)argv;
#endif
}

void
full_warn(void)
{
#ifdef SMTPD_LEAN
	if (fullerr[0] != '\0')
		log_warnx("no %s (%s): no TLS, DNS or AUTH in this smtpd",
		    FULL_NAME, fullerr);
#endif
}

#ifdef SMTPD_LEAN
/* dns.c, without libunbound: as with no `unbound' configured */
int
dns_init(const struct conf *c)
{
	return -1;
}

int
dns_ptr(const struct conf *c, const struct peer *p, char *out, size_t outsz)
{
	if (outsz > 0)
		out[0] = '\0';
	return -1;
}

int
dns_check(const struct conf *c, int q, const char *name, const struct peer *p)
{
	return DNS_OK;
}

/* authpriv.c: this smtpd never offers AUTH, so a request is hostile */
void
p_auth(struct parent *p, struct ps_msg *m)
{
	parent_kill(p, "auth request, but no AUTH offered");
}
#endif
