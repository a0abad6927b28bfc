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
 * Typed marshalling.  Adding past the end of a ps_buf sets err and sending
 * it fails; reading past the end of a ps_msg sets the sticky err, so a
 * handler may read every field and check once with ps_end().
 */

#include <string.h>

#include "privsep.h"

void
ps_buf_init(struct ps_buf *b)
{
	b->len = 0;
	b->err = 0;
}

static void
add(struct ps_buf *b, const void *p, size_t n)
{
	if (b->err || n > sizeof(b->data) - b->len) {
		b->err = 1;
		return;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
ps_add_u32(struct ps_buf *b, uint32_t v)
{
	add(b, &v, sizeof(v));
}

void
ps_add_u64(struct ps_buf *b, uint64_t v)
{
	add(b, &v, sizeof(v));
}

void
ps_add_data(struct ps_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX || (n > 0 && p == NULL)) {
		b->err = 1;
		return;
	}
	ps_add_u32(b, (uint32_t)n);
	add(b, p, n);
}

void
ps_add_str(struct ps_buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	ps_add_data(b, s, strlen(s));
}

static int
get(struct ps_msg *m, void *p, size_t n)
{
	if (m->err || m->off > m->len || n > m->len - m->off) {
		m->err = 1;
		return -1;
	}
	if (n > 0)
		memcpy(p, m->data + m->off, n);
	m->off += n;
	return 0;
}

int
ps_get_u32(struct ps_msg *m, uint32_t *v)
{
	return get(m, v, sizeof(*v));
}

int
ps_get_u64(struct ps_msg *m, uint64_t *v)
{
	return get(m, v, sizeof(*v));
}

int
ps_get_data(struct ps_msg *m, void *dst, size_t dstsize, size_t *outlen)
{
	uint32_t	n;

	if (ps_get_u32(m, &n) == -1)
		return -1;
	if (n > dstsize) {
		m->err = 1;
		return -1;
	}
	if (get(m, dst, n) == -1)
		return -1;
	if (outlen != NULL)
		*outlen = n;
	return 0;
}

/* A string must fit with its NUL and must not contain one. */
int
ps_get_str(struct ps_msg *m, char *dst, size_t dstsize)
{
	uint32_t	n;

	if (dstsize == 0 || ps_get_u32(m, &n) == -1)
		goto bad;
	if (n >= dstsize)
		goto bad;
	if (get(m, dst, n) == -1)
		goto bad;
	if (memchr(dst, '\0', n) != NULL)
		goto bad;
	dst[n] = '\0';
	return 0;
 bad:
	m->err = 1;
	if (dstsize > 0)
		dst[0] = '\0';
	return -1;
}

/* 0 only when every field was read and nothing is left over. */
int
ps_end(struct ps_msg *m)
{
	return (!m->err && m->off == m->len) ? 0 : -1;
}
