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
 * What smtp runs with (smtp(8)): the flags, smtp.conf and its Plan 9
 * meta-names, the names this host goes by, and the timeouts they make.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"

#define EX_USAGE_	64

/* Plan 9 meta-names ($smtp) for destaddr, from the config file */
#define MAXMETA		16
struct meta {
	char		 name[64];
	char		 value[300];
};
static struct meta	 meta[MAXMETA];
static size_t		 nmeta;
static const char	*metafile;	/* where they would be defined */

static void __attribute__((noreturn))
usage(void)
{
	(void)fprintf(stderr, "usage: smtp [-aAdfipRstx] [-b busted-mx]... "
	    "[-e envid] [-g gateway] [-h host] [-N notify] [-r ret] "
	    "[-u user] [-C conffile] [.domain] destaddr sender rcpt-list\n");
	exit(EX_USAGE_);
}

/*
 * The flags and the optional .domain (smtp(8)); what is left is destaddr,
 * sender and the recipients.  Returns how many arguments were taken.
 */
int
opts_parse(struct opts *o, int argc, char *argv[])
{
	int	ch, n;

	o->conffile = SMTP_CONF;
	o->connecttimeout = 30;
	while ((ch = getopt(argc, argv, "+aAb:C:de:fg:h:iN:pr:Rstu:x")) != -1) {
		switch (ch) {
		case 'a': o->aflag = 1; break;
		case 'A': o->Aflag = 1; break;
		case 'b':
			if (o->nbusted == SMTP_MAXBUSTED) {
				(void)fprintf(stderr, "smtp: more than %d busted "
				    "mxs given\n", SMTP_MAXBUSTED);
				exit(EX_USAGE_);
			}
			o->busted[o->nbusted++] = optarg;
			break;
		case 'C': o->conffile = optarg; break;
		case 'd': o->dflag = 1; break;
		case 'f': o->fflag = 1; break;
		case 'g': o->gateway = optarg; break;
		case 'h': o->hflag = optarg; break;
		case 'i': o->iflag = 1; break;
		case 'p': o->pflag = 1; break;
		case 'R': o->Rflag = 1; break;
		case 'N':
			if (!dsn_notify_ok(optarg)) {
				(void)fprintf(stderr, "smtp: -N %s: NEVER, or "
				    "SUCCESS,FAILURE,DELAY\n", optarg);
				exit(EX_USAGE_);
			}
			o->notify = optarg;
			break;
		case 'r':
			if (strcasecmp(optarg, "FULL") != 0 &&
			    strcasecmp(optarg, "HDRS") != 0) {
				(void)fprintf(stderr, "smtp: -r FULL or HDRS\n");
				exit(EX_USAGE_);
			}
			o->ret = strcasecmp(optarg, "FULL") == 0 ? "FULL" :
			    "HDRS";
			break;
		case 'e':
			/* RFC 3461 4.4: at most 100 characters of xtext */
			if (strlen(optarg) > 100 || xtext(o->envid,
			    sizeof(o->envid), optarg) == -1) {
				(void)fprintf(stderr, "smtp: -e: at most 100 "
				    "ASCII characters\n");
				exit(EX_USAGE_);
			}
			break;
		case 's': o->sflag = 1; break;
		case 't': o->tflag = 1; break;
		case 'u': o->user = optarg; break;
		case 'x': o->xflag = 1; break;
		default: usage();
		}
	}
	n = optind;
	argc -= optind;
	argv += optind;
	if (argc > 0 && argv[0][0] == '.') {
		o->domain = argv[0];
		argc--;
		n++;
	}
	if (argc < 2 || (argc < 3 && !o->fflag))
		usage();
	(void)snprintf(o->netrc, sizeof(o->netrc), "%s/upas/netrc",
	    SYSCONFDIR);
	return n;
}

static int
conf_int(const char *v, const char *file, int line)
{
	const char	*errstr;
	int		 n;

	n = strtonum(v, 1, 86400, &errstr);
	if (errstr != NULL) {
		log_warnx("%s:%d: number %s", file, line, errstr);
		exit(EXIT_RETRY);
	}
	return n;
}

static int
conf_str(char *dst, size_t n, const char *v, const char *file, int line)
{
	if (strlcpy(dst, v, n) >= n) {
		log_warnx("%s:%d: value too long", file, line);
		exit(EXIT_RETRY);
	}
	return 0;
}

/* "meta name value", or "smarthost value" for $smtp; a later line wins */
static void
conf_meta(const char *name, const char *v, const char *file, int line)
{
	size_t	i;

	if (*name == '$')
		name++;
	if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(name) ||
	    strlen(name) >= sizeof(meta[0].name) || *v == '\0' ||
	    strpbrk(v, " \t!$") != NULL) {
		log_warnx("%s:%d: bad meta-name line", file, line);
		exit(EXIT_RETRY);
	}
	for (i = 0; i < nmeta; i++)
		if (strcmp(meta[i].name, name) == 0)
			break;
	if (i == MAXMETA) {
		log_warnx("%s:%d: more than %d meta-names", file, line,
		    MAXMETA);
		exit(EXIT_RETRY);
	}
	(void)strlcpy(meta[i].name, name, sizeof(meta[i].name));
	conf_str(meta[i].value, sizeof(meta[i].value), v, file, line);
	if (i == nmeta)
		nmeta++;
}

/*
 * Keyword lines; a missing default file is fine.  A broken one exits Retry:
 * the administrator's mistake should not bounce mail.
 */
void
conf_read(struct opts *o, const char *file, int must)
{
	FILE	*f;
	char	 buf[1200], err[1300], *k, *v, *e;
	int	 line = 0;

	metafile = file;
	if ((f = fopen(file, "r")) == NULL) {
		if (!must && errno == ENOENT)
			return;
		log_warn("%s", file);
		exit(EXIT_RETRY);
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		line++;
		buf[strcspn(buf, "#\r\n")] = '\0';
		for (k = buf; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		for (v = k; *v != '\0' && !isspace((unsigned char)*v); v++)
			;
		if (*v != '\0')
			*v++ = '\0';
		while (isspace((unsigned char)*v))
			v++;
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); )
			*--e = '\0';
		if (*v == '\0') {
			log_warnx("%s:%d: %s needs a value", file, line, k);
			exit(EXIT_RETRY);
		}
		if (strcmp(k, "unbound") == 0)
			conf_str(o->unbound, sizeof(o->unbound), v, file, line);
		else if (strcmp(k, "netrc") == 0)
			conf_str(o->netrc, sizeof(o->netrc), v, file, line);
		else if (strcmp(k, "cafile") == 0)
			conf_str(o->cafile, sizeof(o->cafile), v, file, line);
		else if (strcmp(k, "stsdir") == 0)
			conf_str(o->stsdir, sizeof(o->stsdir), v, file, line);
		else if (strcmp(k, "hostname") == 0)
			conf_str(o->hostname, sizeof(o->hostname), v, file, line);
		else if (strcmp(k, "helo") == 0)
			conf_str(o->helo, sizeof(o->helo), v, file, line);
		else if (strcmp(k, "timeout") == 0)
			o->timeout = conf_int(v, file, line);
		else if (strcmp(k, "connecttimeout") == 0)
			o->connecttimeout = conf_int(v, file, line);
		else if (strcmp(k, "source") == 0) {
			if (dial_source(v, err, sizeof(err)) == -1) {
				log_warnx("%s:%d: %s", file, line, err);
				exit(EXIT_RETRY);
			}
		} else if (strcmp(k, "smarthost") == 0)
			conf_meta("smtp", v, file, line);
		else if (strcmp(k, "meta") == 0) {
			for (e = v; *e != '\0' && !isspace((unsigned char)*e);
			    e++)
				;
			if (*e != '\0')
				*e++ = '\0';
			while (isspace((unsigned char)*e))
				e++;
			conf_meta(v, e, file, line);
		}
		else {
			log_warnx("%s:%d: unknown keyword %s", file, line, k);
			exit(EXIT_RETRY);
		}
	}
	(void)fclose(f);
}

/*
 * Plan 9 meta-names (smtp(8)): a destaddr host "$name", as in
 * net!$smtp!smtp, is replaced by the value the config file gives it
 * ("smarthost" sets $smtp).  The value is host, host:port, [address] or
 * [address]:port; it names a relay, so it is dialled directly, without an
 * MX lookup, as tcp!host!port.  A port in the value wins over the service
 * in destaddr.  Returns a new destaddr, or NULL and why when the name is
 * not configured (a permanent failure: no retry will define it).
 */
char *
meta_expand(const char *dest, char *err, size_t errlen)
{
	const char	*s = dest, *b1, *host, *hend, *svc = NULL, *v, *ve;
	const char	*vport = NULL;
	char		*r;
	size_t		 i, hl;

	if (*s == '/' && (b1 = strchr(s, '!')) != NULL) {
		while (b1 > s && *b1 != '/')
			b1--;
		s = b1 + 1;
	}
	if ((b1 = strchr(s, '!')) != NULL) {
		host = b1 + 1;
		if ((hend = strchr(host, '!')) != NULL)
			svc = hend + 1;
		else
			hend = host + strlen(host);
	} else {
		host = s;
		if ((hend = strchr(host, ':')) != NULL)
			svc = hend + 1;
		else
			hend = host + strlen(host);
	}
	if (*host != '$') {
		if ((r = strdup(dest)) == NULL)
			fatal("strdup");
		return r;
	}
	hl = hend - host - 1;
	for (i = 0; i < nmeta; i++)
		if (strlen(meta[i].name) == hl &&
		    strncmp(meta[i].name, host + 1, hl) == 0)
			break;
	if (i == nmeta) {
		(void)snprintf(err, errlen, "unknown meta-name %.*s in %s: "
		    "no \"meta %.*s\"%s line in %s", (int)(hl + 1), host, dest,
		    (int)hl, host + 1, hl == 4 && strncmp(host + 1, "smtp", 4) ==
		    0 ? " or \"smarthost\"" : "", metafile);
		return NULL;
	}
	v = meta[i].value;
	if (*v == '[' && (ve = strchr(v, ']')) != NULL) {
		ve++;
		if (*ve == ':')
			vport = ve + 1;
	} else if ((ve = strchr(v, ':')) != NULL && strchr(ve + 1, ':') == NULL)
		vport = ve + 1;
	else
		ve = v + strlen(v);
	if (vport == NULL || *vport == '\0')
		vport = svc != NULL && *svc != '\0' ? svc : "smtp";
	if (asprintf(&r, "tcp!%.*s!%s", (int)(ve - v), v, vport) == -1)
		fatal("asprintf");
	log_info("%s: meta-name %.*s is %s", dest, (int)(hl + 1), host, r);
	return r;
}

/* fully qualified: an inner dot (RFC 5321 2.3.5), or an address literal */
static int
fqdn(const char *n)
{
	const char	*dot = strchr(n, '.');

	if (*n == '[')
		return n[strlen(n) - 1] == ']';
	return dot != NULL && dot != n && n[strlen(n) - 1] != '.';
}

/* the system's name, qualified through the resolver when it is not */
static void
sysname(char *host, size_t n)
{
	struct addrinfo	 hints, *res;

	if (gethostname(host, n) == -1 || host[0] == '\0')
		(void)strlcpy(host, "localhost", n);
	host[n - 1] = '\0';
	if (strchr(host, '.') != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	if (res->ai_canonname != NULL && strchr(res->ai_canonname, '.'))
		(void)strlcpy(host, res->ai_canonname, n);
	freeaddrinfo(res);
}

/*
 * The names this host goes by: EHLO (RFC 5321 4.1.1.1 wants the FQDN),
 * the domain of Message-ID and of unqualified addresses.  "hostname" in
 * smtp.conf, else the system's FQDN; an unqualified one ("vm") is refused
 * rather than sent: servers reject it and a bare word makes bad addresses.
 */
void
conf_names(struct opts *o, const char *domain, char **from,
    const char *sender)
{
	char	host[256], *s;

	if (o->hostname[0] != '\0')
		(void)strlcpy(host, o->hostname, sizeof(host));
	else
		sysname(host, sizeof(host));
	if (domain == NULL && strchr(host, '.') != NULL)
		domain = host;
	o->hostdomain = domainify(o->hflag ? o->hflag : host, domain);
	/* Plan 9: -h names this host in EHLO too */
	if (o->helo[0] == '\0')
		(void)strlcpy(o->helo, o->hostdomain, sizeof(o->helo));
	if (!fqdn(o->helo) || !fqdn(o->hostdomain)) {
		(void)fprintf(stderr, "Retry, Temporary Failure: this host's "
		    "name %s is not fully qualified: set \"hostname\" in %s\n",
		    fqdn(o->helo) ? o->hostdomain : o->helo, o->conffile);
		log_warnx("host name %s not fully qualified: not sending",
		    fqdn(o->helo) ? o->hostdomain : o->helo);
		exit(EXIT_RETRY);
	}
	if ((s = strdup(sender)) == NULL)
		fatal("strdup");
	unescape(s);
	*from = strcmp(s, "/dev/null") == 0 ? strdup("") :
	    qualify(s, o->hostdomain);
	free(s);
}

/* RFC 5321 4.5.3.2 timeouts in seconds, -p six times shorter, or the config */
int
tmo(const struct opts *o, int secs)
{
	if (o->timeout > 0)
		return o->timeout;
	return o->pflag ? secs / 6 : secs;
}
