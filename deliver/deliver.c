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
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"

static int	 dflag;

static void	 usage(void) __attribute__((noreturn));
static void	 complain(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	 warn_job(int, const char *);
static int	 source(struct msgsrc *);

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

/* maildir_run()'s warnings, the delivery lines among them */
static void
warn_job(int line, const char *msg)
{
	(void)line;
	complain("%s", msg);
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

int
main(int argc, char *argv[])
{
	struct mdjob	 job;
	int		 ch;

	memset(&job, 0, sizeof(job));
	job.mapfile = DELIVER_MAP;
	job.source = source;
	job.warn = warn_job;

	while ((ch = getopt(argc, argv, "dif:M:")) != -1) {
		switch (ch) {
		case 'd':
			dflag = 1;
			break;
		case 'f':
			job.sender = optarg;
			break;
		case 'i':
			/* sendmail's: a lone dot is data; always so here */
			break;
		case 'M':
			job.mapfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (job.sender == NULL || argc < 1)
		usage();
	log_init("deliver", LOG_TO_SYSLOG | (dflag ? LOG_TO_STDERR : 0),
	    dflag);
	(void)umask(077);
	return maildir_run(&job, argv, argc);
}
