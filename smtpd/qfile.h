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
 * A queue entry: ID.d, the message as smtpd received it (its Received:
 * line first), and ID.c, the envelope with each recipient's state.  ID.c
 * is written last and is the commit point: an ID.d without it is an
 * interrupted write, never delivered.  ID.c is only ever replaced whole
 * (a temporary file, fsync, rename, fsync of the directory).  Written by
 * smtpd's parent, rewritten by runq, both as the mail user.
 */

#ifndef QFILE_H
#define QFILE_H

#include <sys/types.h>
#include <time.h>

#define QF_IDMAX	64
#define QF_ADDRMAX	257		/* SMTP_PATHMAX + NUL */
#define QF_REPLYMAX	512
#define QF_MAXRCPT	100000

#define QR_PENDING	0
#define QR_DONE		1		/* the destination took it: never again */
#define QR_FAILED	2		/* given up; bounced unless the sender is <> */

struct qrcpt {
	char		 addr[QF_ADDRMAX];
	int		 state;
	int		 tries;
	time_t		 next;		/* not before this */
	char		 reply[QF_REPLYMAX];	/* the last answer, one line */
};

struct qent {
	char		 id[QF_IDMAX];
	time_t		 ctime;		/* queued */
	char		 sender[QF_ADDRMAX];	/* "" for <> */
	int		 body;		/* BODY_* */
	int		 utf8;
	time_t		 warned;	/* the delay warning went; 0: not yet */
	struct qrcpt	*r;
	size_t		 n;
};

int	 qf_idok(const char *);
int	 qf_write(int, const struct qent *, char *, size_t);
int	 qf_read(int, const char *, struct qent *, char *, size_t);
void	 qf_free(struct qent *);
int	 qf_fsyncdir(int);
int	 qf_slot(int, int);		/* runq -s: a runner's slot, or -1 */
void	 qf_clean(char *, const char *, size_t);	/* one printable line */

#endif /* QFILE_H */
