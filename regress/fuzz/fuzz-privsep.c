/* objs: privsep/msg.c privsep/marshal.c privsep/log.c */
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
 * Fuzz the privsep framing and the marshal getters, as the parent sees
 * whatever a hostile child sends.  Input: one control byte, then the bytes
 * of one record written to a SOCK_SEQPACKET socketpair.  Control bit 0
 * attaches a descriptor, bit 1 a second one.  When ps_recv() accepts the
 * record, the header id (4 bytes chosen by the fuzzer) drives sixteen
 * 2-bit getter operations, then ps_end().
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int		sp[2] = { -1, -1 };
static int		nullfd = -1;
static struct ps_msg	m;

static void
rawsend(const uint8_t *buf, size_t len, int nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	char		 cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct cmsghdr	*cm;
	int		 fds[2] = { nullfd, nullfd };

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfd > 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), fds, nfd * sizeof(int));
	}
	if (sendmsg(sp[0], &mh, 0) == -1)
		abort();
}

static void
getters(struct ps_msg *msg)
{
	char		s[64];
	uint8_t		d[256];
	uint32_t	ops = msg->hdr.id, u;
	uint64_t	q;
	size_t		dl;
	int		i, r = 0;

	for (i = 0; i < 16; i++, ops >>= 2) {
		switch (ops & 3) {
		case 0:
			r = ps_get_u32(msg, &u);
			break;
		case 1:
			r = ps_get_u64(msg, &q);
			break;
		case 2:
			if ((r = ps_get_str(msg, s, sizeof(s))) == 0 &&
			    memchr(s, '\0', sizeof(s)) == NULL)
				abort();
			break;
		case 3:
			if ((r = ps_get_data(msg, d, sizeof(d), &dl)) == 0 &&
			    dl > sizeof(d))
				abort();
			break;
		}
		if (msg->off > msg->len || (r == -1 && !msg->err))
			abort();
		if (ps_end(msg) == 0)
			break;
	}
	if (ps_end(msg) == 0 && (msg->err || msg->off != msg->len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	nfd, r, low;

	if (sp[0] == -1) {
		log_init("fuzz-privsep", 0, 0);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == -1 ||
		    (nullfd = open("/dev/null", O_RDWR)) == -1)
			abort();
	}
	if (size < 1 || size > PS_MAXMSG + 64)
		return 0;
	nfd = (data[0] & 1) + ((data[0] >> 1) & 1);
	low = dup(0);
	close(low);
	rawsend(data + 1, size - 1, nfd);
	r = ps_recv(sp[1], &m);
	if (r == 1) {
		if (m.len + PS_HDRLEN != size - 1 || m.hdr.len != size - 1 ||
		    ((m.hdr.flags & PS_F_FD) != 0) != (m.fd != -1))
			abort();
		getters(&m);
		ps_msg_closefd(&m);
	} else if (m.fd != -1)
		abort();
	/* every received descriptor was closed */
	r = dup(0);
	close(r);
	if (r != low)
		abort();
	return 0;
}
