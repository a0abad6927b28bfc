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
 * Framing: one SOCK_SEQPACKET record is one message, header first, with at
 * most one descriptor attached by SCM_RIGHTS.  Anything that does not add
 * up is rejected as a whole, and any descriptor that came with it closed.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "privsep.h"

int
ps_send(int fd, uint32_t type, uint32_t id, int passfd, const void *buf,
    size_t len)
{
	struct ps_hdr	 hdr;
	struct msghdr	 mh;
	struct iovec	 iov[2];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr	*cm;
	ssize_t		 n;

	if (len > PS_MAXPAYLOAD || (len > 0 && buf == NULL)) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = PS_HDRLEN + len;
	hdr.id = id;
	hdr.flags = passfd >= 0 ? PS_F_FD : 0;

	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)buf;
	iov[1].iov_len = len;
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	if (passfd >= 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != hdr.len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
ps_sendbuf(int fd, uint32_t type, uint32_t id, int passfd,
    const struct ps_buf *b)
{
	if (b->err) {
		errno = EMSGSIZE;
		return -1;
	}
	return ps_send(fd, type, id, passfd, b->data, b->len);
}

static void
closefds(struct msghdr *mh)
{
	struct cmsghdr	*cm;
	size_t		 i, n;
	int		 fd;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

/* The single descriptor carried by mh, or -1 if there is not exactly one. */
static int
onefd(struct msghdr *mh)
{
	struct cmsghdr	*cm;
	int		 fd = -1, count = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			return -1;
		if (cm->cmsg_len != CMSG_LEN(sizeof(int)))
			return -1;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		count++;
	}
	return count == 1 ? fd : -1;
}

static int
hascmsg(struct msghdr *mh)
{
	return CMSG_FIRSTHDR(mh) != NULL;
}

/* Returns 1 and a message, 0 on EOF, -1 on error or a malformed record. */
int
ps_recv(int fd, struct ps_msg *m)
{
	struct msghdr	 mh;
	struct iovec	 iov[2];
	union {
		struct cmsghdr	hdr;
		/* room for more than one fd, so extras are seen and closed */
		char		buf[CMSG_SPACE(8 * sizeof(int))];
	} cmsgbuf;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	memset(&m->hdr, 0, sizeof(m->hdr));
	m->len = m->off = 0;
	m->err = 0;
	m->fd = -1;
	iov[0].iov_base = &m->hdr;
	iov[0].iov_len = sizeof(m->hdr);
	iov[1].iov_base = m->data;
	iov[1].iov_len = sizeof(m->data);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0 && !hascmsg(&mh))
		return 0;

	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < PS_HDRLEN || m->hdr.len != (size_t)n ||
	    m->hdr.len > PS_MAXMSG || (m->hdr.flags & ~PS_F_FD))
		goto bad;
	if (m->hdr.flags & PS_F_FD) {
		if ((m->fd = onefd(&mh)) == -1)
			goto bad;
	} else if (hascmsg(&mh))
		goto bad;
	m->len = (size_t)n - PS_HDRLEN;
	return 1;

 bad:
	closefds(&mh);
	m->fd = -1;
	m->len = 0;
	errno = EBADMSG;
	return -1;
}

void
ps_msg_closefd(struct ps_msg *m)
{
	if (m->fd != -1) {
		close(m->fd);
		m->fd = -1;
	}
}

int
ps_hello_send(int fd)
{
	uint32_t	v = PS_VERSION;

	return ps_send(fd, PS_HELLO, 0, -1, &v, sizeof(v));
}

/* 0 when the peer speaks our version, -1 otherwise. */
int
ps_hello_recv(int fd)
{
	static struct ps_msg	 hm;	/* 16 KiB: not on the stack */
	struct ps_msg		*m = &hm;
	uint32_t		 v = 0;
	int			 r = -1;

	if (ps_recv(fd, m) != 1)
		return -1;
	if (m->hdr.type == PS_HELLO && ps_get_u32(m, &v) == 0 &&
	    ps_end(m) == 0 && v == PS_VERSION)
		r = 0;
	ps_msg_closefd(m);
	if (r == -1)
		errno = EPROTO;
	return r;
}
