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
 * The floor for the benchmarks: the least an SMTP server started per
 * connection by tcpserver can do.  It answers 220, 250 to anything, 354
 * to DATA and 250 at the final dot, 221 to QUIT; it stores nothing.
 * Built by run.sh: cc -O2 -o trivial trivial.c
 */

#include <string.h>
#include <strings.h>
#include <unistd.h>

static char	ibuf[65536], obuf[4096];
static size_t	ilen, ioff, olen;

static void
flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < olen) {
		if ((n = write(1, obuf + off, olen - off)) <= 0)
			_exit(1);
		off += n;
	}
	olen = 0;
}

static void
say(const char *s)
{
	size_t	l = strlen(s);

	if (olen + l > sizeof(obuf))
		flush();
	memcpy(obuf + olen, s, l);
	olen += l;
}

/* One line into line[], at most len-1 bytes kept; 0 at EOF. */
static int
getline_(char *line, size_t len)
{
	size_t	o = 0;
	ssize_t	n;
	char	c;

	for (;;) {
		if (ioff == ilen) {
			flush();	/* reply before blocking: pipelining */
			if ((n = read(0, ibuf, sizeof(ibuf))) <= 0)
				return 0;
			ilen = n;
			ioff = 0;
		}
		c = ibuf[ioff++];
		if (o < len - 1)
			line[o++] = c;
		if (c == '\n')
			break;
	}
	line[o] = '\0';
	return 1;
}

int
main(void)
{
	char	line[1024];

	say("220 floor.test ESMTP trivial\r\n");
	while (getline_(line, sizeof(line))) {
		if (strncasecmp(line, "DATA", 4) == 0) {
			say("354 go ahead\r\n");
			while (getline_(line, sizeof(line)) &&
			    strcmp(line, ".\r\n") != 0 && strcmp(line, ".\n") != 0)
				;
			say("250 2.0.0 ok\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say("221 2.0.0 bye\r\n");
			break;
		} else
			say("250 ok\r\n");
	}
	flush();
	return 0;
}
