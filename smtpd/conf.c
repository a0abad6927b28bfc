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
 * smtpd.conf: Plan 9's line syntax (spam.c getline) with one keyword per
 * setting.  '#' starts a comment, '\x' is a literal x, space, tab and comma
 * separate words.  Plan 9's own keywords have their values lower-cased as
 * there; paths keep their case.  Unknown keywords are errors.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "smtpd.h"
#include "log.h"

#define MAXWORDS	256

enum ktype {
	K_BOOL, K_STR, K_PATH, K_INT, K_SIZE, K_SECS, K_NETS, K_DOMAINS,
	K_MAILER, K_AUTHFAIL,
};

struct keyword {
	const char	*name;
	enum ktype	 type;
	size_t		 off;		/* into struct conf */
	size_t		 size;		/* of a string field */
	long long	 min, max;
	int		 lower;		/* Plan 9 keyword: lower-case values */
};

#define F(f)	offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
#define DAY	86400LL
#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))

/* Sorted for bsearch. */
static const struct keyword keywords[] = {
	{ "authfail",		K_AUTHFAIL, F(authfailmax), 0, 100, 0 },
	{ "blocked",		K_PATH,	F(blocked),	0, 0, 0 },
	{ "cert",		K_PATH,	F(certfile),	0, 0, 0 },
	{ "chroot",		K_PATH,	F(chroot),	0, 0, 0 },
	{ "datatimeout",	K_SECS,	F(datatimeout),	1, DAY, 0 },
	{ "debug",		K_BOOL,	F(debug),	0, 0, 0 },
	{ "debugdir",		K_PATH,	F(debugdir),	0, 0, 0 },
	{ "defaultdomain",	K_STR,	F(domain),	0, 0, 1 },
	{ "delaywarn",		K_SECS,	F(delaywarn),	0, 365 * DAY, 0 },
	{ "dumpdir",		K_PATH,	F(dumpdir),	0, 0, 0 },
	{ "greetpause",		K_SECS,	F(greetpause),	0, 60, 0 },
	{ "greydir",		K_PATH,	F(greydir),	0, 0, 0 },
	{ "greyexpire",		K_SECS,	F(greyexpire),	60, 365 * DAY, 0 },
	{ "greylist",		K_BOOL,	F(greylist),	0, 0, 0 },
	{ "greymax",		K_SECS,	F(greymax),	1, 30 * DAY, 0 },
	{ "greymin",		K_SECS,	F(greymin),	0, DAY, 0 },
	{ "heloauth",		K_BOOL,	F(heloauth),	0, 0, 0 },
	{ "heloquiet",		K_BOOL,	F(heloquiet),	0, 0, 0 },
	{ "hostname",		K_STR,	F(hostname),	0, 0, 1 },
	{ "key",		K_PATH,	F(keyfile),	0, 0, 0 },
	{ "logfile",		K_PATH,	F(logfile),	0, 0, 0 },
	{ "logident",		K_STR,	F(logident),	0, 0, 0 },
	{ "mailer",		K_MAILER, F(mailer),	0, 0, 0 },
	{ "mailertimeout",	K_SECS,	F(mailertimeout), 1, DAY, 0 },
	{ "mailuser",		K_STR,	F(mailuser),	0, 0, 0 },
	{ "maxerrors",		K_INT,	F(maxerrors),	1, 1000, 0 },
	{ "maxhops",		K_INT,	F(maxhops),	1, 1000, 0 },
	{ "maxqueuetime",	K_SECS,	F(maxqueuetime), 1, 365 * DAY, 0 },
	{ "maxrcpt",		K_SIZE,	F(maxrcpt),	100, 100000, 0 },
	{ "maxrunq",		K_INT,	F(maxrunq),	1, 64, 0 },
	{ "maxsize",		K_SIZE,	F(maxsize),	1024, 1LL << 32, 0 },
	{ "messagetimeout",	K_SECS,	F(messagetimeout), 1, DAY, 0 },
	{ "nohelocheck",	K_BOOL,	F(nohelocheck),	0, 0, 0 },
	{ "norelay",		K_BOOL,	F(norelay),	0, 0, 1 },
	{ "ourdomains",		K_DOMAINS, F(ourdomains), 0, 0, 1 },
	{ "ournets",		K_NETS,	F(ournets),	0, 0, 1 },
	{ "passwd",		K_PATH,	F(passwd),	0, 0, 0 },
	{ "plainauth",		K_BOOL,	F(plainauth),	0, 0, 0 },
	{ "queue",		K_PATH,	F(queue),	0, 0, 0 },
	{ "recipients",		K_PATH,	F(recipients),	0, 0, 0 },
	{ "requireauth",	K_BOOL,	F(requireauth),	0, 0, 0 },
	{ "routes",		K_PATH,	F(routes),	0, 0, 0 },
	{ "runq",		K_PATH,	F(runq),	0, 0, 0 },
	{ "saveblockedmsg",	K_BOOL,	F(saveblocked),	0, 0, 1 },
	{ "sessiontimeout",	K_SECS,	F(sessiontimeout), 1, DAY, 0 },
	{ "smtp",		K_PATH,	F(smtp),	0, 0, 0 },
	{ "spool",		K_PATH,	F(spool),	0, 0, 0 },
	{ "tarpit",		K_BOOL,	F(tarpit),	0, 0, 0 },
	{ "tarpitdelay",	K_SECS,	F(tarpitdelay),	0, 300, 0 },
	{ "ticketkeys",		K_PATH,	F(ticketkeys),	0, 0, 0 },
	{ "timeout",		K_SECS,	F(timeout),	1, DAY, 0 },
	{ "unbound",		K_PATH,	F(unbound),	0, 0, 0 },
	{ "user",		K_STR,	F(user),	0, 0, 0 },
	{ "verifysenderdom",	K_BOOL,	F(verifysender), 0, 0, 1 },
};

/*
 * Where each keyword got its value, for conf_check()'s "file:line: what":
 * the line in c->path, or the flag that overrode it (conf_setby()).
 */
static int		 kwline[NKEYWORDS];
static const char	*kwflag[NKEYWORDS];

static int	kwcmp(const void *, const void *);
static int	tokenize(char *, char **, int);
static int	set_keyword(struct conf *, const struct keyword *, char **, int,
		    char *, size_t);
static int	parse_num(const char *, int, long long *);
static int	strlist_add(struct strlist *, const char *);

/*
 * c is zeroed already (static storage): no memset, whose 60 KiB would be
 * 15 pages faulted in at every connection, most of them never used.
 */
void
conf_defaults(struct conf *c)
{
	char	*p;

	if (gethostname(c->hostname, sizeof(c->hostname)) == -1)
		(void)strlcpy(c->hostname, "localhost", sizeof(c->hostname));
	c->hostname[sizeof(c->hostname) - 1] = '\0';
	for (p = c->hostname; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	(void)strlcpy(c->mailer, SMTPD_MAILER, sizeof(c->mailer));
	(void)strlcpy(c->logident, SMTPD_LOGIDENT, sizeof(c->logident));
	(void)strlcpy(c->spool, SMTPD_SPOOL, sizeof(c->spool));
	(void)strlcpy(c->chroot, SMTPD_CHROOT, sizeof(c->chroot));
	(void)strlcpy(c->user, SMTPD_USER, sizeof(c->user));
	(void)strlcpy(c->mailuser, SMTPD_MAILUSER, sizeof(c->mailuser));
	(void)strlcpy(c->greydir, SMTPD_GREYDIR, sizeof(c->greydir));
	(void)strlcpy(c->dumpdir, SMTPD_DUMPDIR, sizeof(c->dumpdir));
	(void)strlcpy(c->debugdir, SMTPD_DEBUGDIR, sizeof(c->debugdir));
	(void)strlcpy(c->blocked, SMTPD_BLOCKED, sizeof(c->blocked));
	(void)strlcpy(c->passwd, SMTPD_PASSWD, sizeof(c->passwd));
	(void)strlcpy(c->queue, SMTPD_QUEUE, sizeof(c->queue));
	(void)strlcpy(c->runq, SMTPD_RUNQ, sizeof(c->runq));
	(void)strlcpy(c->smtp, SMTPD_SMTP, sizeof(c->smtp));
	c->maxqueuetime = 5 * 86400;	/* RFC 5321 4.5.4.1: 4-5 days */
	c->maxrunq = 4;			/* runq -s: one per core and some */
	c->delaywarn = 4 * 3600;	/* sendmail's Timeout.queuewarn */
	c->maxsize = 35 * 1024 * 1024;
	c->maxrcpt = 100;		/* RFC 5321 4.5.3.1.8: at least 100 */
	c->authfailmax = 10;		/* AUTH failures per address an hour */
	c->authfailwindow = 3600;
	c->maxhops = 100;
	c->maxerrors = 10;
	c->timeout = 300;		/* RFC 5321 4.5.3.2.7: 5 minutes */
	c->datatimeout = 180;		/* RFC 5321 4.5.3.2.6: 3 minutes */
	c->mailertimeout = 600;
	c->sessiontimeout = 1800;	/* a whole connection, however busy */
	c->messagetimeout = 1200;	/* DATA or BDAT, first octet to last */
	c->tarpitdelay = 15;		/* Plan 9's -D sleep */
	c->greetpause = 3;		/* Plan 9 BL's early-talker wait */
	c->greymin = 300;		/* upas: a retry after 5 minutes... */
	c->greymax = 14 * 3600;		/* ...and within 14 hours counts */
	c->greyexpire = 7 * 86400;
	/* no relaying for untrusted peers unless "norelay off" says so */
	c->norelay = 1;
}

static int
kwcmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->name);
}

/*
 * Split a line into words in place.  Returns the word count, or -1 when
 * there are too many.
 */
static int
tokenize(char *line, char **w, int maxw)
{
	char	*r = line, *o = line;
	int	 n = 0, inword = 0;

	for (; *r != '\0'; r++) {
		if (*r == '#')
			break;
		if (*r == ' ' || *r == '\t' || *r == ',' || *r == '\r' ||
		    *r == '\n') {
			if (inword) {
				*o++ = '\0';
				inword = 0;
			}
			continue;
		}
		if (!inword) {
			if (n == maxw)
				return -1;
			w[n++] = o;
			inword = 1;
		}
		if (*r == '\\') {
			if (r[1] == '\0' || r[1] == '\n')
				continue;
			r++;
		}
		*o++ = *r;
	}
	if (inword)
		*o = '\0';
	return n;
}

/* Seconds with an optional s/m/h/d suffix, octets with k/m/g; ints bare. */
static int
parse_num(const char *s, int type, long long *v)
{
	char		*end;
	long long	 n, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || n < 0)
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 's':
		mul = type == K_SECS ? 1 : -1;
		break;
	case 'm':
		mul = type == K_SECS ? 60 : type == K_SIZE ? 1024 * 1024 : -1;
		break;
	case 'h':
		mul = type == K_SECS ? 3600 : -1;
		break;
	case 'd':
		mul = type == K_SECS ? 86400 : -1;
		break;
	case 'k':
		mul = type == K_SIZE ? 1024 : -1;
		break;
	case 'g':
		mul = type == K_SIZE ? 1024 * 1024 * 1024 : -1;
		break;
	default:
		return -1;
	}
	if (mul < 0 || n > LLONG_MAX / mul)
		return -1;
	*v = n * mul;
	return 0;
}

static int
strlist_add(struct strlist *l, const char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int
set_bool(int *dst, const char *v, char *err, size_t errsz)
{
	static const char *yes[] = { "on", "yes", "true", "1" };
	static const char *no[] = { "off", "no", "false", "0" };
	size_t	i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*dst = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*dst = 0;
			return 0;
		}
	}
	(void)snprintf(err, errsz, "\"%s\" is not on or off", v);
	return -1;
}

static int
set_keyword(struct conf *c, const struct keyword *k, char **w, int n,
    char *err, size_t errsz)
{
	char		*field = (char *)c + k->off;
	struct netaddr	 na;
	long long	 v, secs;
	int		 i;

	if (n == 0) {
		(void)snprintf(err, errsz, "%s needs a value", k->name);
		return -1;
	}
	if (n > 1 && k->type != K_NETS && k->type != K_DOMAINS &&
	    k->type != K_MAILER && k->type != K_AUTHFAIL) {
		(void)snprintf(err, errsz, "%s takes one value", k->name);
		return -1;
	}
	switch (k->type) {
	case K_BOOL:
		return set_bool((int *)(void *)field, w[0], err, errsz);
	case K_STR:
	case K_PATH:
		if (k->type == K_PATH && w[0][0] != '/') {
			(void)snprintf(err, errsz, "%s: \"%s\" is not an "
			    "absolute path", k->name, w[0]);
			return -1;
		}
		/* measured first: a refused value leaves the old one whole */
		if (strlen(w[0]) >= k->size) {
			(void)snprintf(err, errsz, "%s: value too long",
			    k->name);
			return -1;
		}
		(void)strlcpy(field, w[0], k->size);
		return 0;
	case K_INT:
	case K_SIZE:
	case K_SECS:
		if (parse_num(w[0], k->type, &v) == -1 || v < k->min ||
		    v > k->max) {
			(void)snprintf(err, errsz, "%s: \"%s\" is not a number "
			    "from %lld to %lld", k->name, w[0], k->min, k->max);
			return -1;
		}
		if (k->type == K_SIZE)
			*(size_t *)(void *)field = (size_t)v;
		else
			*(int *)(void *)field = (int)v;
		return 0;
	case K_NETS:
		for (i = 0; i < n; i++) {
			if (net_parse(w[i], &na, 1) == -1) {
				(void)snprintf(err, errsz, "%s: bad network "
				    "\"%s\"", k->name, w[i]);
				return -1;
			}
			if (netlist_add(&c->ournets, &na) == -1)
				fatal("conf");
		}
		return 0;
	case K_DOMAINS:
		for (i = 0; i < n; i++)
			if (strlist_add(&c->ourdomains, w[i]) == -1)
				fatal("conf");
		return 0;
	case K_MAILER:
		if (strlen(w[0]) >= sizeof(c->mailer)) {
			(void)snprintf(err, errsz, "mailer: path too long");
			return -1;
		}
		(void)strlcpy(c->mailer, w[0], sizeof(c->mailer));
		for (i = 0; i < (int)c->mailerargs.n; i++)
			free(c->mailerargs.v[i]);
		c->mailerargs.n = 0;
		for (i = 1; i < n; i++)
			if (strlist_add(&c->mailerargs, w[i]) == -1)
				fatal("conf");
		return 0;
	case K_AUTHFAIL:	/* "authfail N SECONDS" (priv/auth.c) */
		if (n != 2 || parse_num(w[0], K_INT, &v) == -1 ||
		    v < k->min || v > k->max ||
		    parse_num(w[1], K_SECS, &secs) == -1 ||
		    secs < 1 || secs > DAY) {
			(void)snprintf(err, errsz, "authfail: wanted failures "
			    "(0 to 100, 0: no limit) and seconds (1 to 1d)");
			return -1;
		}
		c->authfailmax = (int)v;
		c->authfailwindow = (int)secs;
		return 0;
	}
	return -1;
}

int
conf_read(struct conf *c, const char *path)
{
	FILE			*fp;
	char			*line = NULL, *w[MAXWORDS], err[256], *p;
	size_t			 linesz = 0;
	const struct keyword	*k;
	int			 lineno = 0, n, i, errors = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	(void)strlcpy(c->path, path, sizeof(c->path));
	while (getline(&line, &linesz, fp) != -1) {
		lineno++;
		if ((n = tokenize(line, w, MAXWORDS)) == -1) {
			log_warnx("%s:%d: too many words", path, lineno);
			errors++;
			continue;
		}
		if (n == 0)
			continue;
		for (p = w[0]; *p != '\0'; p++)
			*p = tolower((unsigned char)*p);
		k = bsearch(w[0], keywords, sizeof(keywords) / sizeof(keywords[0]),
		    sizeof(keywords[0]), kwcmp);
		if (k == NULL) {
			log_warnx("%s:%d: unknown keyword \"%s\"", path, lineno,
			    w[0]);
			errors++;
			continue;
		}
		if (k->lower)
			for (i = 1; i < n; i++)
				for (p = w[i]; *p != '\0'; p++)
					*p = tolower((unsigned char)*p);
		if (set_keyword(c, k, w + 1, n - 1, err, sizeof(err)) == -1) {
			log_warnx("%s:%d: %s", path, lineno, err);
			errors++;
		} else
			kwline[k - keywords] = lineno;
	}
	if (ferror(fp)) {
		log_warn("%s", path);
		errors++;
	}
	free(line);
	(void)fclose(fp);
	return errors ? -1 : 0;
}

/* A flag (-m, -c) set keyword kw: conf_check() names the flag. */
void
conf_setby(const char *kw, const char *flag)
{
	const struct keyword	*k;

	if ((k = bsearch(kw, keywords, NKEYWORDS, sizeof(keywords[0]),
	    kwcmp)) != NULL)
		kwflag[k - keywords] = flag;
}

/* "file:line" where kw was set, the file for a default, or "-m". */
const char *
conf_where(const struct conf *c, const char *kw, char *buf, size_t size)
{
	const struct keyword	*k;
	const char		*file = c->path[0] != '\0' ? c->path : "smtpd";

	k = bsearch(kw, keywords, NKEYWORDS, sizeof(keywords[0]), kwcmp);
	if (k != NULL && kwflag[k - keywords] != NULL)
		(void)snprintf(buf, size, "%s", kwflag[k - keywords]);
	else if (k != NULL && kwline[k - keywords] > 0)
		(void)snprintf(buf, size, "%s:%d", file, kwline[k - keywords]);
	else
		(void)snprintf(buf, size, "%s", file);	/* the default */
	return buf;
}

/* The line that set kw, or 0. */
int
conf_line(const char *kw)
{
	const struct keyword	*k;

	k = bsearch(kw, keywords, NKEYWORDS, sizeof(keywords[0]), kwcmp);
	return k != NULL ? kwline[k - keywords] : 0;
}

int
conf_named(const char *kw)
{
	const struct keyword	*k;

	k = bsearch(kw, keywords, NKEYWORDS, sizeof(keywords[0]), kwcmp);
	return k != NULL && (kwline[k - keywords] > 0 ||
	    kwflag[k - keywords] != NULL);
}

/* A word for conf_print: separators, '#' and '\' get a backslash. */
static void
print_word(FILE *fp, const char *s)
{
	if (*s == '\0') {
		fputs("\"\"", fp);
		return;
	}
	for (; *s != '\0'; s++) {
		if (strchr(" \t,#\\", *s) != NULL)
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

void
conf_print(const struct conf *c, FILE *fp)
{
	const struct keyword	*k;
	const char		*field;
	size_t			 i, j;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		k = &keywords[i];
		field = (const char *)c + k->off;
		switch (k->type) {
		case K_BOOL:
			fprintf(fp, "%s %s\n", k->name,
			    *(const int *)(const void *)field ? "on" : "off");
			break;
		case K_STR:
		case K_PATH:
			if (*field == '\0')
				break;
			fprintf(fp, "%s ", k->name);
			print_word(fp, field);
			fputc('\n', fp);
			break;
		case K_SIZE:
			fprintf(fp, "%s %zu\n", k->name,
			    *(const size_t *)(const void *)field);
			break;
		case K_INT:
		case K_SECS:
			fprintf(fp, "%s %d\n", k->name,
			    *(const int *)(const void *)field);
			break;
		case K_NETS:
			if (c->ournets.n == 0)
				break;
			fputs(k->name, fp);
			for (j = 0; j < c->ournets.n; j++) {
				fputc(' ', fp);
				net_print(fp, &c->ournets.v[j]);
			}
			fputc('\n', fp);
			break;
		case K_DOMAINS:
			if (c->ourdomains.n == 0)
				break;
			fputs(k->name, fp);
			for (j = 0; j < c->ourdomains.n; j++) {
				fputc(' ', fp);
				print_word(fp, c->ourdomains.v[j]);
			}
			fputc('\n', fp);
			break;
		case K_AUTHFAIL:
			fprintf(fp, "%s %d %d\n", k->name, c->authfailmax,
			    c->authfailwindow);
			break;
		case K_MAILER:
			fprintf(fp, "%s ", k->name);
			print_word(fp, c->mailer);
			for (j = 0; j < c->mailerargs.n; j++) {
				fputc(' ', fp);
				print_word(fp, c->mailerargs.v[j]);
			}
			fputc('\n', fp);
			break;
		}
	}
	/* flags without a keyword, as comments */
	for (i = 0; i < c->kill.n; i++) {
		fputs("# -k ", fp);
		net_print(fp, &c->kill.v[i]);
		fputc('\n', fp);
	}
}

