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
 * privsep/lmalloc.c, linked in place of musl's malloc: random malloc,
 * calloc, realloc, free and aligned_alloc of 0 bytes to 300 KiB, every
 * block filled with a pattern and checked before it is freed or grown;
 * stdio (which allocates) on top.  "double-free" as argv[1]: free a
 * block twice, which must abort.
 */

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSLOT	512
#define NOPS	200000

static struct {
	unsigned char	*p;
	size_t		 n;
	unsigned char	 c;
} slot[NSLOT];

static uint32_t	rnd = 2463534242u;

static uint32_t
xr(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 17;
	rnd ^= rnd << 5;
	return rnd;
}

static size_t
rsize(void)
{
	switch (xr() % 8) {
	case 0:
		return 0;
	case 1:
		return xr() % 16;
	case 2:
		return 300 * 1024 - xr() % 100000;	/* mmap()ed */
	default:
		return xr() % 4096;
	}
}

static int
check(int i)
{
	size_t	k;

	for (k = 0; k < slot[i].n; k++)
		if (slot[i].p[k] != (unsigned char)(slot[i].c + k))
			return -1;
	return 0;
}

static void
fill(int i)
{
	size_t	k;

	for (k = 0; k < slot[i].n; k++)
		slot[i].p[k] = (unsigned char)(slot[i].c + k);
}

int
main(int argc, char **argv)
{
	int	 op, i, bad = 0, align;
	size_t	 n, k;
	void	*q;
	char	 buf[64];

	if (argc > 1 && strcmp(argv[1], "double-free") == 0) {
		q = malloc(100);
		free(q);
		free(q);
		printf("double free not caught\n");
		return 0;
	}
	for (op = 0; op < NOPS && !bad; op++) {
		i = (int)(xr() % NSLOT);
		if (slot[i].p != NULL && check(i) == -1) {
			printf("corrupt block %d at op %d\n", i, op);
			bad = 1;
			break;
		}
		switch (xr() % 5) {
		case 0:	/* free */
			free(slot[i].p);
			slot[i].p = NULL;
			slot[i].n = 0;
			break;
		case 1:	/* realloc, keeping the prefix */
			n = rsize();
			if ((q = realloc(slot[i].p, n)) == NULL && n != 0) {
				printf("realloc %zu failed\n", n);
				bad = 1;
				break;
			}
			if (q == NULL)
				break;
			slot[i].p = q;
			if (n < slot[i].n)
				slot[i].n = n;
			for (k = slot[i].n; k < n; k++)
				slot[i].p[k] = (unsigned char)(slot[i].c + k);
			slot[i].n = n;
			break;
		case 2:	/* calloc: zeroes, even on reused memory */
			free(slot[i].p);
			n = rsize();
			slot[i].p = calloc(1, n);
			slot[i].n = n;
			for (k = 0; k < n; k++)
				if (slot[i].p[k] != 0) {
					printf("calloc not zero\n");
					bad = 1;
					break;
				}
			slot[i].c = (unsigned char)xr();
			fill(i);
			break;
		case 3:	/* aligned */
			free(slot[i].p);
			align = 1 << (xr() % 13);
			n = rsize();
			slot[i].p = aligned_alloc((size_t)align, n);
			if (slot[i].p == NULL ||
			    ((uintptr_t)slot[i].p & (uintptr_t)(align - 1)) != 0) {
				printf("aligned_alloc %d %zu: %p\n", align, n,
				    (void *)slot[i].p);
				bad = 1;
				break;
			}
			slot[i].n = n;
			slot[i].c = (unsigned char)xr();
			fill(i);
			break;
		default:	/* malloc */
			free(slot[i].p);
			n = rsize();
			slot[i].p = malloc(n);
			slot[i].n = n;
			slot[i].c = (unsigned char)xr();
			if (slot[i].p == NULL ||
			    ((uintptr_t)slot[i].p & 15) != 0 ||
			    malloc_usable_size(slot[i].p) < n) {
				printf("malloc %zu: %p\n", n, (void *)slot[i].p);
				bad = 1;
				break;
			}
			fill(i);
			break;
		}
		if (op % 1000 == 0) {
			(void)snprintf(buf, sizeof(buf), "%d", op);
			FILE *f = fopen("/dev/null", "w");
			if (f != NULL) {
				fprintf(f, "%s\n", buf);
				fclose(f);
			}
		}
	}
	for (i = 0; i < NSLOT && !bad; i++)
		if (slot[i].p != NULL && check(i) == -1)
			bad = 1;
	printf(bad ? "FAILED\n" : "ok %d operations\n", op);
	return bad;
}
