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
 * malloc for the lean smtpd (musl, static; Makefile LEAN=yes).  A process
 * lives for one connection and allocates a few dozen small blocks (stdio
 * buffers, the configuration's lists, the mailbox map), most of them
 * before the fork.  musl's allocator hands freed groups back to the
 * kernel at once; each munmap() costs a TLB shootdown, measured at about
 * 100 us on the benchmark machine, and a fresh mmap() costs page faults
 * in both processes of the split.  Here blocks come from a static arena,
 * in power-of-two classes of 32 bytes to 64 KiB with a free list each, so
 * memory freed is reused and never returned; a larger block, or any block
 * once the arena is used up, is an mmap() of its own, unmapped on free.
 * Each block has a 16-byte header holding a magic word and its class (or
 * its mapped length); free() of anything else, or twice, aborts.  The
 * processes are single-threaded; no locking.
 */

#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_SIZE	(512 * 1024)
#define MINSHIFT	5		/* 32 bytes, header included */
#define MAXSHIFT	16		/* 64 KiB */
#define NCLASS		(MAXSHIFT - MINSHIFT + 1)
#define HDR		16
#define MAGIC_ARENA	0x61726e61u
#define MAGIC_MAP	0x6d6d6170u
#define MAGIC_FREE	0x66726565u
#define BIG		(NCLASS)	/* class of an mmap()ed block */

struct hdr {
	uint32_t	magic;
	uint32_t	class;
	size_t		maplen;		/* BIG: the whole mapping */
};

struct freeblk {
	struct hdr	h;
	struct freeblk	*next;
};

static unsigned char	 arena[ARENA_SIZE] __attribute__((aligned(4096)));
static size_t		 arena_used;
static struct freeblk	*freelist[NCLASS];

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);

static void *
bigalloc(size_t n, size_t align)
{
	struct hdr	*h;
	size_t		 len, pg = 4096;
	unsigned char	*p;

	if (align < HDR)
		align = HDR;
	if (n > SIZE_MAX - align - pg) {
		errno = ENOMEM;
		return NULL;
	}
	/* the header sits just below the aligned block */
	len = (n + align + pg - 1) & ~(pg - 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	h = (struct hdr *)(p + align - HDR);
	h->magic = MAGIC_MAP;
	h->class = (uint32_t)(align - HDR);	/* offset of the mapping */
	h->maplen = len;
	return p + align;
}

static int
classof(size_t n)
{
	int	c = 0;

	n += HDR;
	while (((size_t)1 << (MINSHIFT + c)) < n)
		c++;
	return c;
}

/* not named malloc: the compiler would make calloc()'s alloc+memset a call to calloc */
static void *
alloc(size_t n)
{
	struct freeblk	*f;
	struct hdr	*h;
	size_t		 sz;
	int		 c;

	if (n > ((size_t)1 << MAXSHIFT) - HDR)
		return bigalloc(n, HDR);
	c = classof(n);
	sz = (size_t)1 << (MINSHIFT + c);
	if ((f = freelist[c]) != NULL) {
		freelist[c] = f->next;
		h = &f->h;
	} else {
		/* packed: every page of the arena touched costs a fault */
		size_t	off = arena_used;

		if (off > ARENA_SIZE || ARENA_SIZE - off < sz)
			return bigalloc(n, HDR);
		h = (struct hdr *)(arena + off);
		arena_used = off + sz;
	}
	h->magic = MAGIC_ARENA;
	h->class = (uint32_t)c;
	return (unsigned char *)h + HDR;
}

void *
malloc(size_t n)
{
	return alloc(n);
}

static struct hdr *
hdrof(void *p)
{
	struct hdr	*h = (struct hdr *)((unsigned char *)p - HDR);

	if (((uintptr_t)p & (HDR - 1)) != 0)
		abort();
	if (h->magic == MAGIC_ARENA && h->class < NCLASS &&
	    (unsigned char *)h >= arena && (unsigned char *)h < arena + ARENA_SIZE)
		return h;
	if (h->magic == MAGIC_MAP)
		return h;
	abort();		/* not ours, or freed already */
}

static size_t
usable(const struct hdr *h)
{
	if (h->magic == MAGIC_MAP)
		return h->maplen - h->class - HDR;
	return ((size_t)1 << (MINSHIFT + h->class)) - HDR;
}

void
free(void *p)
{
	struct hdr	*h;
	struct freeblk	*f;

	if (p == NULL)
		return;
	h = hdrof(p);
	if (h->magic == MAGIC_MAP) {
		unsigned char	*base = (unsigned char *)h - h->class;
		size_t		 len = h->maplen;

		h->magic = MAGIC_FREE;
		(void)munmap(base, len);
		return;
	}
	h->magic = MAGIC_FREE;
	f = (struct freeblk *)h;
	f->next = freelist[h->class];
	freelist[h->class] = f;
}

void *
calloc(size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = alloc(nmemb * size)) != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

void *
realloc(void *p, size_t n)
{
	void	*q;
	size_t	 have;

	if (p == NULL)
		return malloc(n);
	have = usable(hdrof(p));
	if (n <= have)
		return p;
	if ((q = alloc(n)) == NULL)
		return NULL;
	memcpy(q, p, have);
	free(p);
	return q;
}

void *
aligned_alloc(size_t align, size_t n)
{
	if (align == 0 || (align & (align - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return align <= HDR ? alloc(n) : bigalloc(n, align);
}

int
posix_memalign(void **res, size_t align, size_t n)
{
	void	*p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	if ((p = aligned_alloc(align, n)) == NULL)
		return ENOMEM;
	*res = p;
	return 0;
}

void *
memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

size_t
malloc_usable_size(void *p)
{
	return p == NULL ? 0 : usable(hdrof(p));
}

/* what musl's own code calls */
void *
__libc_malloc(size_t n)
{
	return malloc(n);
}

void *
__libc_calloc(size_t nmemb, size_t size)
{
	return calloc(nmemb, size);
}

void *
__libc_realloc(void *p, size_t n)
{
	return realloc(p, n);
}

void
__libc_free(void *p)
{
	free(p);
}
