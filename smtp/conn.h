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
 * conn.c: the client's connection to one server and its I/O, used by the
 * dialogue (client.c, lmtp.c, auth.c), by TLS (tls.c) and by smtp.c,
 * which opens and closes it.  After smtp.h.
 */

#ifndef CONN_H
#define CONN_H

struct tls;
struct tls_config;
struct reply;

struct conn {
	int		 fd;
	struct tls	*tls;
	struct tls_config *tlscfg;
	char		 rbuf[4096];
	size_t		 rpos, rlen;
	int		 dflag;
	char		 tlsver[32];
};

int	 conn_write(struct conn *, const void *, size_t, int);
ssize_t	 conn_read(struct conn *, void *, size_t, int);
void	 conn_close(struct conn *);
int	 conn_reply(struct conn *, struct reply *, int);
int	 conn_cmd(struct conn *, struct reply *, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	 conn_printf(struct conn *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 conn_trace(struct conn *, const char *, const char *, size_t);
long long conn_deadline(int);
int	 conn_wait(int, short, long long);

#endif /* CONN_H */
