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
 * The map from recipients to Maildirs: lines of "key path", where key is
 * local@domain, local, @domain or *, compared without regard to case.
 * The most specific key wins; among equals, the first line.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"

static int	map_line(struct map *, char *, size_t, char *, size_t);
static int	map_checkpath(const char *);
static int	map_add(struct map *, enum map_kind, const char *, const char *);
static void	map_lower(char *);
static int	map_expand(const char *, const char *, const char *, char *,
		    size_t);
static size_t	map_part(char *, size_t, const char *, size_t);

/* Parse a whole map held in memory.  0, or -1 with a "line N: why" in err. */
int
map_parse(struct map *m, const char *buf, size_t len, char *err,
    size_t errlen)
{
	char		 line[MAP_MAXLINE];
	const char	*p, *end, *nl;
	size_t		 ln = 0, l;

	m->e = NULL;
	m->n = 0;
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		ln++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		l = nl - p;
		if (l >= sizeof(line)) {
			(void)snprintf(err, errlen, "line %zu: too long", ln);
			goto bad;
		}
		if (memchr(p, '\0', l) != NULL) {
			(void)snprintf(err, errlen, "line %zu: NUL byte", ln);
			goto bad;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		if (map_line(m, line, ln, err, errlen) == -1)
			goto bad;
	}
	return 0;
 bad:
	map_free(m);
	return -1;
}

static int
map_line(struct map *m, char *line, size_t ln, char *err, size_t errlen)
{
	const char	*ws = " \t\r";
	char		*key, *path, *rest, *at;
	enum map_kind	 kind;

	key = line + strspn(line, ws);
	if (*key == '\0' || *key == '#')
		return 0;
	path = key + strcspn(key, ws);
	if (*path != '\0')
		*path++ = '\0';
	path += strspn(path, ws);
	rest = path + strcspn(path, ws);
	if (*rest != '\0')
		*rest++ = '\0';
	rest += strspn(rest, ws);
	if (*path == '\0' || *rest != '\0') {
		(void)snprintf(err, errlen, "line %zu: want \"key path\"", ln);
		return -1;
	}
	if (map_checkpath(path) == -1) {
		(void)snprintf(err, errlen, "line %zu: path must be absolute, "
		    "with no %% but %%u, %%d and %%%%", ln);
		return -1;
	}
	at = strrchr(key, '@');
	if (strcmp(key, "*") == 0)
		kind = MAP_ANY;
	else if (at == key && key[1] != '\0') {
		kind = MAP_DOMAIN;
		key++;
	} else if (at == NULL)
		kind = MAP_LOCAL;
	else if (at != key && at[1] != '\0')
		kind = MAP_USER;
	else {
		(void)snprintf(err, errlen, "line %zu: bad key", ln);
		return -1;
	}
	if (strlen(key) > MAP_MAXKEY) {
		(void)snprintf(err, errlen, "line %zu: key too long", ln);
		return -1;
	}
	if (m->n >= MAP_MAXENTRIES) {
		(void)snprintf(err, errlen, "line %zu: too many entries", ln);
		return -1;
	}
	if (map_add(m, kind, key, path) == -1) {
		(void)snprintf(err, errlen, "line %zu: out of memory", ln);
		return -1;
	}
	return 0;
}

static int
map_checkpath(const char *p)
{
	if (*p != '/')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p != 'u' && *p != 'd' && *p != '%')
			return -1;
	}
	return 0;
}

static int
map_add(struct map *m, enum map_kind kind, const char *key, const char *path)
{
	struct map_entry	*e;

	/* grow by doubling: reallocarray only on powers of two */
	if ((m->n & (m->n - 1)) == 0) {
		e = reallocarray(m->e, m->n ? m->n * 2 : 8, sizeof(*e));
		if (e == NULL)
			return -1;
		m->e = e;
	}
	e = &m->e[m->n];
	e->kind = kind;
	if ((e->key = strdup(key)) == NULL)
		return -1;
	if ((e->path = strdup(path)) == NULL) {
		free(e->key);
		return -1;
	}
	map_lower(e->key);
	m->n++;
	return 0;
}

static void
map_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* Read and parse a map file.  0; -1 with errno set (cannot read); -2 (bad). */
int
map_load(struct map *m, const char *file, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n = 0;
	size_t		 len = 0;
	int		 fd, r, saved;

	m->e = NULL;
	m->n = 0;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAP_MAXFILE) {
		(void)close(fd);
		(void)snprintf(err, errlen, "not a regular file of at most "
		    "%d bytes", MAP_MAXFILE);
		return -2;
	}
	if ((buf = malloc(st.st_size + 1)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	saved = errno;
	(void)close(fd);
	if (len < (size_t)st.st_size) {
		free(buf);
		errno = n == 0 ? EIO : saved;
		return -1;
	}
	r = map_parse(m, buf, len, err, errlen);
	free(buf);
	return r == 0 ? 0 : -2;
}

void
map_free(struct map *m)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		free(m->e[i].key);
		free(m->e[i].path);
	}
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

/*
 * Copy one part of an address for %u or %d: lower-cased, every '/' and
 * control character made '_', and a leading '.' too, so that the result
 * is one harmless path component.  Returns its length, 0 if it will not fit.
 */
static size_t
map_part(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t		i;
	unsigned char	c;

	if (len >= dstlen)
		return 0;
	for (i = 0; i < len; i++) {
		c = tolower((unsigned char)src[i]);
		if (c == '/' || c < 0x20 || c == 0x7f || (i == 0 && c == '.'))
			c = '_';
		dst[i] = c;
	}
	dst[len] = '\0';
	return len;
}

static int
map_expand(const char *path, const char *u, const char *d, char *out,
    size_t outlen)
{
	const char	*s;
	size_t		 o = 0, l;

	for (; *path != '\0'; path++) {
		s = NULL;
		if (*path == '%') {
			path++;
			s = *path == 'u' ? u : *path == 'd' ? d : "%";
			if (*s == '\0')
				return -1;
		}
		l = s != NULL ? strlen(s) : 1;
		if (o + l >= outlen)
			return -1;
		memcpy(out + o, s != NULL ? s : path, l);
		o += l;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Find the Maildir for a recipient.  The domain is what follows the last
 * '@'; an address without one is a bare local part (RFC 5321 allows
 * "postmaster") and matches only "local" and "*" keys.
 */
int
map_lookup(const struct map *m, const char *rcpt, char *out, size_t outlen)
{
	const struct map_entry	*e, *best = NULL;
	const char		*at;
	char			 u[MAP_MAXKEY + 1], d[MAP_MAXKEY + 1];
	size_t			 i, ul, dl, rl = strlen(rcpt);

	if ((at = strrchr(rcpt, '@')) == NULL)
		at = rcpt + rl;
	ul = at - rcpt;
	dl = *at == '@' ? rl - ul - 1 : 0;
	if (ul == 0 || (*at == '@' && dl == 0) ||
	    map_part(u, sizeof(u), rcpt, ul) != ul ||
	    map_part(d, sizeof(d), at + (*at == '@'), dl) != dl)
		return MAP_BADADDR;
	for (i = 0; i < m->n; i++) {
		e = &m->e[i];
		if (best != NULL && e->kind <= best->kind)
			continue;
		switch (e->kind) {
		case MAP_ANY:
			break;
		case MAP_DOMAIN:
			if (dl == 0 || strncasecmp(e->key, at + 1, dl) != 0 ||
			    e->key[dl] != '\0')
				continue;
			break;
		case MAP_LOCAL:
			if (strncasecmp(e->key, rcpt, ul) != 0 ||
			    e->key[ul] != '\0')
				continue;
			break;
		case MAP_USER:
			if (dl == 0 || strcasecmp(e->key, rcpt) != 0)
				continue;
			break;
		}
		best = e;
	}
	if (best == NULL)
		return MAP_NONE;
	if (map_expand(best->path, u, d, out, outlen) == -1)
		return MAP_BADADDR;
	return MAP_FOUND;
}
