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
 * costs is the dynamic loader: mapping and relocating libc.so, binding,
 * the page faults of both.  So smtpd is built static (Makefile STATIC=yes)
 * and without OpenSSL and libunbound, which a static glibc program cannot
 * dlopen().  When the configuration needs either (a certificate, or an
 * `unbound' file), full_exec() replaces the process, before it has done
 * anything else, with smtpd-full: the same sources linked dynamically,
 * which load smtpd-tls.so and libunbound when they need them.  A build
 * with STATIC=no has only the full program, and full_exec() does nothing.
 * The file is found like smtpd-tls.so (libexec_find), and must be root's.
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

/* name beside our own executable (Linux), else in LIBEXECDIR/upas */
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
		log_warnx("%s: not a root-owned, root-only writable file",
		    path);
		errno = EPERM;
		return -1;
	}
	return 0;
}

void
full_exec(const struct conf *c, char **argv)
{
#ifdef SMTPD_LEAN
	char	path[PATH_MAX];

	if (c->certfile[0] == '\0' && c->unbound[0] == '\0')
		return;
	if (libexec_find(FULL_NAME, path, sizeof(path)) == -1) {
		log_warn("%s", FULL_NAME);
		log_warnx("no %s: no TLS and no DNS in this static smtpd",
		    FULL_NAME);
		return;
	}
	(void)execv(path, argv);
	log_warn("exec %s", path);
#else
	(void)c;
	(void)argv;
#endif
}
