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
 * OpenSSL is only needed when a certificate is configured, yet linked into
 * smtpd it costs every connection: its ~19,000 relocations dirty ~400 KB
 * at each exec, in both processes.  So tls.c and tlspriv.c live in
 * smtpd-tls.so, beside the smtpd binary (or in LIBEXECDIR/upas), loaded
 * by the first call that needs it: as root, before the split and the
 * sandbox (tls_ticketkeys_load, or tls_selftest for -T).  Without a
 * certificate nothing is loaded.  These are the entry points the rest of
 * smtpd calls; each forwards to the module.
 */

#include <sys/types.h>

#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smtpd.h"
#include "session.h"
#include "log.h"

#define TLSMOD_NAME	"smtpd-tls.so"
#define UNSAFE		"not a root-owned, root-only writable file"

static struct {
	int		 (*setup)(struct session *);
	int		 (*start)(struct session *);
	ssize_t		 (*read)(struct session *, void *, size_t);
	ssize_t		 (*write)(struct session *, const void *, size_t);
	int		 (*pending)(struct session *);
	void		 (*close)(struct session *);
	int		 (*privload)(struct parent *);
	int		 (*keysload)(const struct conf *);
	const uint8_t	*(*keys)(size_t *);
	int		 (*selftest)(struct conf *);
	void		 (*sign)(struct parent *, struct ps_msg *);
} mod;
static int	modstate;	/* 0 not tried, 1 loaded, -1 failed */

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
	    (mod.keysload = sym(h, "tls_ticketkeys_load")) == NULL ||
	    (mod.keys = sym(h, "tls_ticketkeys")) == NULL ||
	    (mod.selftest = sym(h, "tls_selftest")) == NULL ||
	    (mod.sign = sym(h, "p_sign")) == NULL) {
		memset(&mod, 0, sizeof(mod));
		return -1;
	}
	modstate = 1;
	return 1;
}

/* No module: no STARTTLS offered, as with a certificate that fails. */
int
tls_setup(struct session *s)
{
	s->tls = NULL;
	s->tlsctx = NULL;
	if (s->conf->certfile[0] == '\0')
		return 0;
	if (modload() != 1) {
		log_warnx("tls: no STARTTLS");
		return 0;
	}
	return mod.setup(s);
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

int
tls_ticketkeys_load(const struct conf *c)
{
	if (modload() != 1)
		return -1;
	return mod.keysload(c);
}

const uint8_t *
tls_ticketkeys(size_t *n)
{
	if (modstate != 1) {
		*n = 0;
		return NULL;
	}
	return mod.keys(n);
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
