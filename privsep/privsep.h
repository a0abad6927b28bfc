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
 * Privilege separation plumbing: framed messages over a socketpair, at
 * most one fd per message, typed marshalling with bounds checks, and the
 * privilege drop.  Nothing here knows about SMTP: message types other
 * than PS_HELLO belong to the program using this library.
 */

#ifndef PRIVSEP_H
#define PRIVSEP_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define PS_VERSION	2		/* bump on any change to a type or a payload */
#define PS_MAXMSG	16384		/* header included, as MAX_IMSGSIZE */

struct ps_hdr {				/* same host: host byte order */
	uint32_t	type;		/* program-defined; PS_HELLO is 1 */
	uint32_t	len;		/* header + payload */
	uint32_t	id;		/* request id; the answer echoes it */
	uint32_t	flags;		/* PS_F_FD: exactly one fd is attached */
};

#define PS_HDRLEN	sizeof(struct ps_hdr)
#define PS_MAXPAYLOAD	(PS_MAXMSG - PS_HDRLEN)
#define PS_F_FD		0x1

#define PS_NONE		0
#define PS_HELLO	1		/* payload: u32 PS_VERSION; must be first */
#define PS_FIRSTTYPE	16		/* programs number their types from here */

/* One received message.  fd is -1 unless PS_F_FD was set. */
/* the small fields first: one page holds them and a short payload */
struct ps_msg {
	struct ps_hdr	hdr;
	size_t		len;		/* payload length */
	size_t		off;		/* read cursor for ps_get_*() */
	int		fd;
	int		err;		/* sticky: a ps_get_*() failed */
	uint8_t		data[PS_MAXPAYLOAD];
};

/* A message being built.  ps_add_*() set err instead of overflowing. */
struct ps_buf {
	size_t		len;
	int		err;
	uint8_t		data[PS_MAXPAYLOAD];
};

/* msg.c */
int	ps_send(int, uint32_t, uint32_t, int, const void *, size_t);
int	ps_sendbuf(int, uint32_t, uint32_t, int, const struct ps_buf *);
int	ps_recv(int, struct ps_msg *);
void	ps_msg_closefd(struct ps_msg *);
int	ps_hello_send(int);
int	ps_hello_recv(int);

/* marshal.c */
void	ps_buf_init(struct ps_buf *);
void	ps_add_u32(struct ps_buf *, uint32_t);
void	ps_add_u64(struct ps_buf *, uint64_t);
void	ps_add_str(struct ps_buf *, const char *);
void	ps_add_data(struct ps_buf *, const void *, size_t);
int	ps_get_u32(struct ps_msg *, uint32_t *);
int	ps_get_u64(struct ps_msg *, uint64_t *);
int	ps_get_str(struct ps_msg *, char *, size_t);
int	ps_get_data(struct ps_msg *, void *, size_t, size_t *);
int	ps_end(struct ps_msg *);

/* privdrop.c */
struct ps_ids {
	uid_t	uid;
	gid_t	gid;
};
int	ps_lookup_user(const char *, struct ps_ids *);
int	ps_check_chroot(const char *);
void	ps_privdrop(const char *, const struct ps_ids *);
void	ps_setids(const struct ps_ids *);

#endif /* PRIVSEP_H */
