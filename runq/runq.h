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

/* runq: the queue runner (smtp.8).  Shared by runq.c, entry.c, dsn.c. */

#ifndef RUNQ_H
#define RUNQ_H

#include "../smtpd/smtpd.h"
#include "../smtpd/routes.h"
#include "../smtpd/qfile.h"

#define RQ_BACKOFF_MIN	60		/* seconds before the first retry */
#define RQ_BACKOFF_MAX	3600		/* the interval doubles up to this */

/* One recipient's outcome from a delivery attempt. */
struct outcome {
	char	 cls;			/* '2' done, '4' retry, '5' failed */
	char	 reply[QF_REPLYMAX];
};

struct runq {
	struct conf	*conf;
	struct routes	 routes;
	int		 qfd;		/* the queue directory */
	int		 force;		/* -f: ignore retry times */
	time_t		 now;
	const char	*via;		/* the group being tried, for the log */
};

/* entry.c */
int	 entry_run(struct runq *, const char *);
void	 entry_record(struct runq *, struct qent *, size_t,
	    const struct outcome *);
int	 entry_delete(struct runq *, const char *);
void	 entry_list(struct runq *, const char *);

/* send.c */
void	 send_smtp(struct runq *, struct qent *, int, const char *,
	    const size_t *, size_t, struct outcome *);
void	 send_local(struct runq *, struct qent *, int, const size_t *,
	    size_t, struct outcome *);

/* dsn.c */
int	 dsn_queue(struct runq *, const struct qent *, int, const size_t *,
	    size_t, int, char *, size_t);

#endif /* RUNQ_H */
