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
 * deliver [-d] [-M map] -i -f sender -- rcpt ...
 * smtpd's default mailer: the message on stdin goes into the Maildir the
 * map names for each recipient.  Every recipient is mapped, and every
 * Maildir made, before the first copy is written, so that a configuration
 * error delivers nothing rather than half the message.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"


struct rcpt {
	const char	*addr;
	char		 dir[PATH_MAX];
	int		 dup;		/* same address as an earlier one */
};

static int	 dflag;

static void	 usage(void) __attribute__((noreturn));
static void	 complain(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	 badaddr(const char *);
static int	 source(struct msgsrc *);
static int	 deliver_one(const struct msgsrc *, const char *, struct rcpt *);
static int	 deliver_all(struct rcpt *, int, const char *, const char *,
		    struct map *);

static void
usage(void)
{
	(void)fprintf(stderr, "usage: deliver [-d] [-M map] -i -f sender "
	    "-- rcpt ...\n");
	exit(EX_USAGE);
}

/* Errors go to syslog and to stderr, which smtpd copies into its log. */
static void
complain(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s", msg);
	if (!dflag)
		(void)fprintf(stderr, "deliver: %s\n", msg);
}

/* Addresses go into header lines: no control characters, bounded length. */
static int
badaddr(const char *a)
{
	const unsigned char	*p;

	if (strlen(a) > MAP_MAXKEY)
		return 1;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

/*
 * The message is read once per recipient with pread(), so it must be a
 * regular file (smtpd passes its spool file); anything else is copied to
 * an unlinked temporary file first.
 */
static int
source(struct msgsrc *src)
{
	struct stat	 st;
	char		 path[PATH_MAX], buf[65536];
	const char	*tmpdir;
	ssize_t		 n;
	int		 fd;

	src->fd = STDIN_FILENO;
	if (fstat(STDIN_FILENO, &st) == -1) {
		complain("stdin: %s", strerror(errno));
		return EX_IOERR;
	}
	if (S_ISREG(st.st_mode) &&
	    (src->off = lseek(STDIN_FILENO, 0, SEEK_CUR)) != -1)
		return 0;
	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir != '/')
		tmpdir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/deliver.XXXXXXXXXX",
	    tmpdir) >= sizeof(path))
		(void)strlcpy(path, "/tmp/deliver.XXXXXXXXXX", sizeof(path));
	if ((fd = mkstemp(path)) == -1) {
		complain("mkstemp %s: %s", path, strerror(errno));
		return EX_TEMPFAIL;
	}
	(void)unlink(path);
	for (;;) {
		if ((n = read(STDIN_FILENO, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			complain("read stdin: %s", strerror(errno));
			return EX_IOERR;
		}
		if (n == 0)
			break;
		if (write(fd, buf, n) != n) {
			complain("write %s: %s", path, strerror(errno));
			return EX_TEMPFAIL;
		}
	}
	src->fd = fd;
	src->off = 0;
	return 0;
}

static int
deliver_one(const struct msgsrc *src, const char *sender, struct rcpt *r)
{
	char	 name[NAME_MAX + 1], err[PATH_MAX + 128];
	char	 es[2 * MAP_MAXKEY], er[2 * MAP_MAXKEY], ed[2 * PATH_MAX];
	off_t	 size = 0;
	int	 code;

	code = maildir_deliver(r->dir, src, sender, r->addr, name,
	    sizeof(name), &size, err, sizeof(err));
	(void)log_escape(es, sizeof(es), sender, strlen(sender));
	(void)log_escape(er, sizeof(er), r->addr, strlen(r->addr));
	(void)log_escape(ed, sizeof(ed), r->dir, strlen(r->dir));
	if (code == 0)
		log_info("delivery from=<%s> to=<%s> maildir=%s file=%s "
		    "size=%lld result=ok", es, er, ed, name, (long long)size);
	else
		complain("delivery from=<%s> to=<%s> maildir=%s result=%s "
		    "error=\"%s\"", es, er, ed,
		    code == EX_TEMPFAIL ? "tempfail" : "permfail", err);
	return code;
}

/* Map every recipient, make every Maildir, then write the copies. */
static int
deliver_all(struct rcpt *rcpts, int n, const char *sender,
    const char *mapfile, struct map *map)
{
	struct msgsrc	 src;
	char		 err[PATH_MAX + 128];
	int		 i, j, code, worst = 0, unknown = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcasecmp(rcpts[i].addr, rcpts[j].addr) == 0)
				rcpts[i].dup = 1;
		if (badaddr(rcpts[i].addr)) {
			complain("recipient %d: bad address", i + 1);
			return EX_DATAERR;
		}
		if (map_lookup(map, rcpts[i].addr, rcpts[i].dir,
		    sizeof(rcpts[i].dir)) != MAP_FOUND) {
			(void)log_escape(err, sizeof(err), rcpts[i].addr,
			    strlen(rcpts[i].addr));
			complain("<%s>: no such mailbox in %s", err, mapfile);
			unknown = 1;
		}
	}
	if (unknown)
		return EX_NOUSER;
	for (i = 0; i < n; i++) {
		if (!rcpts[i].dup && (code = maildir_create(rcpts[i].dir, err,
		    sizeof(err))) != 0) {
			complain("%s", err);
			return code;
		}
	}
	if ((code = source(&src)) != 0)
		return code;

	/*
	 * A temporary failure after some copies were written makes the
	 * client send the whole message again: duplicates, never a loss.
	 */
	for (i = 0; i < n; i++) {
		if (rcpts[i].dup)
			continue;
		code = deliver_one(&src, sender, &rcpts[i]);
		if (code == EX_TEMPFAIL || (code != 0 && worst == 0))
			worst = code;
	}
	return worst;
}

int
main(int argc, char *argv[])
{
	const char	*mapfile = DELIVER_MAP, *sender = NULL;
	struct rcpt	*rcpts;
	struct map	 map;
	char		 err[PATH_MAX + 128];
	int		 ch, i, code;

	while ((ch = getopt(argc, argv, "dif:M:")) != -1) {
		switch (ch) {
		case 'd':
			dflag = 1;
			break;
		case 'f':
			sender = optarg;
			break;
		case 'i':
			/* sendmail's: a lone dot is data; always so here */
			break;
		case 'M':
			mapfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (sender == NULL || argc < 1)
		usage();
	log_init("deliver", LOG_TO_SYSLOG | (dflag ? LOG_TO_STDERR : 0),
	    dflag);
	(void)umask(077);

	if (badaddr(sender)) {
		complain("bad sender address");
		return EX_DATAERR;
	}
	switch (map_load(&map, mapfile, err, sizeof(err))) {
	case 0:
		break;
	case -1:
		complain("map %s: %s", mapfile, strerror(errno));
		return errno == ENOENT || errno == EACCES ? EX_CONFIG :
		    EX_TEMPFAIL;
	default:
		complain("map %s: %s", mapfile, err);
		return EX_CONFIG;
	}
	if ((rcpts = calloc(argc, sizeof(*rcpts))) == NULL) {
		complain("out of memory");
		return EX_TEMPFAIL;
	}
	for (i = 0; i < argc; i++)
		rcpts[i].addr = argv[i];
	code = deliver_all(rcpts, argc, sender, mapfile, &map);
	free(rcpts);
	map_free(&map);
	return code;
}
