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

#ifndef DELIVER_H
#define DELIVER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * deliver: the default mailer.  map.c turns a recipient into a Maildir
 * path; maildir.c puts one message into one Maildir.  Neither parses
 * the message or knows about SMTP, so smtpd's parent could call them in
 * process.
 */

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/usr/local/etc"
#endif
#define DELIVER_MAP	SYSCONFDIR "/upas/maildirs"	/* default -M */

#define MAP_MAXKEY	320		/* RFC 5321 4.5.3.1: 64 + @ + 255 */
#define MAP_MAXLINE	(MAP_MAXKEY + 1024)
#define MAP_MAXENTRIES	100000
#define MAP_MAXFILE	(16 * 1024 * 1024)

/* In order of precedence, lowest first: the most specific key wins. */
enum map_kind {
	MAP_ANY,			/* "*": catch-all */
	MAP_DOMAIN,			/* "@domain" */
	MAP_LOCAL,			/* "local": that local part, any domain */
	MAP_USER			/* "local@domain" */
};

struct map_entry {
	enum map_kind	 kind;
	char		*key;		/* lower-cased, "@" dropped for MAP_DOMAIN */
	char		*path;		/* may hold %u, %d, %% */
};

struct map {
	struct map_entry *e;
	size_t		  n;
};

/* map.c */
int	map_parse(struct map *, const char *, size_t, char *, size_t);
int	map_load(struct map *, const char *, char *, size_t);
void	map_free(struct map *);
int	map_lookup(const struct map *, const char *, char *, size_t);

/* map_lookup() results */
#define MAP_FOUND	0
#define MAP_NONE	(-1)		/* no key matches */
#define MAP_BADADDR	(-2)		/* empty part, or the path is too long */

/* maildir.c */
struct msgsrc {
	int		 fd;		/* read with pread() */
	off_t		 off;		/* where the message starts */
};

int	maildir_create(const char *, char *, size_t);
int	maildir_deliver(const char *, const struct msgsrc *, const char *,
	    const char *, char *, size_t, off_t *, char *, size_t);
int	maildir_errcode(int);

/*
 * One message to several recipients, shared by deliver(8) and smtpd's
 * built-in mailer: what differs between them is the message source and
 * where warnings go.
 */
struct mdjob {
	const char	*mapfile;
	const char	*sender;
	const char	*id;		/* message id for the log line, or NULL */
	struct msgsrc	 src;		/* the message, unless source is set */
	int		(*source)(struct msgsrc *);	/* sysexits code */
	void		(*warn)(int, const char *);	/* 1: a delivery line */
};

int	maildir_badaddr(const char *);
int	maildir_run(struct mdjob *, char **, size_t);

#endif /* DELIVER_H */
