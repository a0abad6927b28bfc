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
 * smtp: send the message on stdin to rcpt-list at destaddr (Plan 9 upas
 * smtp(8)).  Exit 0 when every recipient took it, 75 when some must be
 * retried, 69 when none ever can; one stderr line per recipient says which.
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
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "smtp.h"
#include "client.h"

#define EX_USAGE_	64
#define EX_SOFTWARE_	70

static struct opts	 o;

/* Plan 9 meta-names ($smtp) for destaddr, from the config file */
#define MAXMETA		16
struct meta {
	char		 name[64];
	char		 value[300];
};
static struct meta	 meta[MAXMETA];
static size_t		 nmeta;

static void __attribute__((noreturn))
usage(void)
{
	(void)fprintf(stderr, "usage: smtp [-aAdfipRstx] [-b busted-mx]... "
	    "[-e envid] [-g gateway] [-h host] [-N notify] [-r ret] "
	    "[-u user] [-C conffile] [.domain] destaddr sender rcpt-list\n");
	exit(EX_USAGE_);
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
static void
conf_read(const char *file, int must)
{
	FILE	*f;
	char	 buf[1200], err[1300], *k, *v, *e;
	int	 line = 0;

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
			conf_str(o.unbound, sizeof(o.unbound), v, file, line);
		else if (strcmp(k, "netrc") == 0)
			conf_str(o.netrc, sizeof(o.netrc), v, file, line);
		else if (strcmp(k, "cafile") == 0)
			conf_str(o.cafile, sizeof(o.cafile), v, file, line);
		else if (strcmp(k, "hostname") == 0)
			conf_str(o.hostname, sizeof(o.hostname), v, file, line);
		else if (strcmp(k, "helo") == 0)
			conf_str(o.helo, sizeof(o.helo), v, file, line);
		else if (strcmp(k, "timeout") == 0)
			o.timeout = conf_int(v, file, line);
		else if (strcmp(k, "connecttimeout") == 0)
			o.connecttimeout = conf_int(v, file, line);
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

static void
readall(int fd, struct buf *b)
{
	char	tmp[65536];
	ssize_t	n;

	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("reading the message");
			exit(EXIT_RETRY);
		}
		buf_add(b, tmp, n);
	}
	if (b->p == NULL)
		buf_add(b, "", 0);
}

static int
nonascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
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
static char *
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
		    0 ? " or \"smarthost\"" : "", o.conffile);
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

/* DANE (RFC 7672) decides the TLS policy for this host, or defers it. */
static int
host_policy(const struct mxlist *l, const struct mxhost *m, int kind,
    struct tlsaset *ts, char *err, size_t errlen)
{
	int	d;

	memset(ts, 0, sizeof(*ts));
	if (kind != D_ADDR && m->secure && (l->mxsecure || kind == D_HOST)) {
		d = dane_lookup(m->name, m->port, ts);
		switch (d) {
		case DANE_USABLE:
			return POL_DANE;
		case DANE_UNUSABLE:
			return POL_DANE_ENCRYPT;
		case DANE_TEMPFAIL:
			(void)snprintf(err, errlen, "TLSA lookup for %s failed "
			    "(bogus or SERVFAIL): deferring", m->name);
			return -1;
		default:
			break;
		}
	}
	return o.sflag ? POL_MANDATORY : POL_OPPORTUNISTIC;
}

/* Try each address in order; 1 once the recipients have their answers. */
static int
try_hosts(struct session *s, const struct mxlist *l, int kind)
{
	struct tlsaset	 ts;
	size_t		 i;
	int		 rv, fd;

	for (i = 0; i < l->n; i++) {
		s->mx = &l->v[i];
		s->more = i + 1 < l->n;
		s->servername = l->v[i].name;
		o.notls = 0;
		if ((s->policy = host_policy(l, s->mx, kind, &ts, s->err,
		    sizeof(s->err))) == -1) {
			log_warnx("%s", s->err);
			continue;
		}
		s->tlsa = &ts;
		log_info("trying %s policy=%s", mxhost_str(s->mx),
		    policy_name(s->policy));
		do {
			rv = C_NEXT;
			if ((fd = dial(s->mx, o.connecttimeout, s->err,
			    sizeof(s->err))) == -1)
				break;
			memset(&s->c, 0, sizeof(s->c));
			s->c.fd = fd;
			s->c.dflag = o.dflag;
			rv = client_run(s);
			conn_close(&s->c);
			/* RFC 7435: once, in the clear, after a failed handshake */
			if (rv == C_NOTLS) {
				if (o.notls)
					rv = C_NEXT;
				else
					log_info("retrying %s without TLS",
					    mxhost_str(s->mx));
				o.notls = 1;
			}
		} while (rv == C_NOTLS);
		dane_free(&ts);
		s->tlsa = NULL;
		if (rv == C_DONE)
			return 1;
		if (s->err[0] != '\0')
			log_warnx("%s", s->err);
	}
	return 0;
}

static void
resolver(void)
{
	static int	done;
	char		err[512];

	if (done++)
		return;
	if (mx_init(o.unbound[0] ? o.unbound : NULL, err, sizeof(err)) == -1) {
		log_warnx("resolver: %s", err);
		(void)fprintf(stderr, "Retry, Temporary Failure: resolver: "
		    "%s\n", err);
		exit(EXIT_RETRY);
	}
}

/* Does this destaddr (or gateway) go through DNS? */
static int
needdns(const char *dest, int gateway)
{
	struct dest	 d;
	char		 err[512], *x;
	int		 rv;

	if (dest == NULL || (x = meta_expand(dest, err, sizeof(err))) == NULL)
		return 0;
	rv = dest_parse(x, &d, err, sizeof(err));
	free(x);
	return rv == 0 && (gateway ? d.kind != D_ADDR : d.kind != D_ADDR &&
	    d.kind != D_UNIX);
}

/*
 * Everything that needs the file system done, then sealed (sandbox.h):
 * what parses DNS, TLSA, certificates and server replies from the network
 * runs with the network alone, no files, no exec, no new privileges.
 */
static void
seal(const char *destaddr)
{
	if (o.aflag)
		auth_preload(&o);
	tls_preload(&o);
	if (needdns(destaddr, 0) || needdns(o.gateway, 1))
		resolver();
	sandbox_client();
	log_debug("sandboxed (%s)", sandbox_name());
}

/*
 * A recipient, qualified, in its UTF-8 and A-label forms; malformed (no
 * domain can be made of it) is a permanent failure of this one recipient.
 */
static void
rcpt_forms(struct session *s, struct rcpt *rc, const char *given,
    const char *ddomain)
{
	char	*q, err[300];

	if (rc->addr != NULL)
		return;
	q = qualify(given, ddomain);
	if (idn_addr(q, &rc->addr, &rc->asc, err, sizeof(err)) == -1) {
		rc->addr = q;
		rc->status = RS_FAIL;
		(void)snprintf(rc->reply, sizeof(rc->reply), "553 5.1.3 "
		    "malformed address: %s", err);
		return;
	}
	/* ORCPT (RFC 3461 4.2): the recipient as given, qualified */
	rc->orcpt = q;
	if (nonascii(rc->addr))
		s->utf8 = 1;
}

/*
 * Resolve and try destaddr, then the gateway.  Returns -1 when a permanent
 * DNS answer (NXDOMAIN, null MX, loopback MX) settles it, else 0.
 */
static int
deliver(struct session *s, const char *destaddr, char **rcpts, int nrcpt,
    char *ddomain, size_t dlen)
{
	struct dest	 d;
	struct mxlist	 l;
	char		 err[512], *x;
	int		 i, rv, perm = 0;

	if ((x = meta_expand(destaddr, s->err, sizeof(s->err))) == NULL) {
		log_warnx("%s", s->err);
		return -1;
	}
	rv = dest_parse(x, &d, err, sizeof(err));
	free(x);
	if (rv == -1) {
		(void)snprintf(s->err, sizeof(s->err), "illegal address %s: %s",
		    destaddr, err);
		return -1;
	}
	s->lmtp = d.lmtp;
	if (d.kind != D_ADDR && d.kind != D_UNIX)
		resolver();
	rv = dest_resolve(&d, o.busted, o.nbusted, &l);
	(void)strlcpy(ddomain, rv == MX_OK ? l.ddomain : d.host, dlen);
	for (i = 0; i < nrcpt; i++)
		rcpt_forms(s, &s->rcpt[i], rcpts[i], ddomain);
	for (i = 0; i < nrcpt; i++)
		if (s->rcpt[i].status == RS_PENDING)
			break;
	if (i == nrcpt) {
		if (rv == MX_OK)
			dest_free(&d, &l);
		return 0;		/* every one malformed: nothing to send */
	}
	if (rv != MX_OK) {
		(void)snprintf(s->err, sizeof(s->err), "%s: %s", d.host,
		    mx_strerror(rv));
		log_warnx("%s", s->err);
		perm = rv == MX_NXDOMAIN || rv == MX_NULLMX || rv == MX_LOOP;
		if (rv == MX_NULLMX || rv == MX_LOOP)
			return -1;	/* the domain said so; no gateway */
	} else {
		rv = try_hosts(s, &l, d.kind);
		dest_free(&d, &l);
		if (rv)
			return 0;
	}
	if (o.gateway == NULL)
		return perm ? -1 : 0;
	/* the gateway is the last resort (9F), whatever went wrong before */
	log_info("trying gateway %s", o.gateway);
	if ((x = meta_expand(o.gateway, err, sizeof(err))) == NULL) {
		log_warnx("gateway: %s", err);
		return perm ? -1 : 0;
	}
	rv = dest_parse(x, &d, err, sizeof(err));
	free(x);
	if (rv == -1) {
		log_warnx("gateway %s: %s", o.gateway, err);
		return perm ? -1 : 0;
	}
	if (d.kind == D_MX)
		d.kind = D_HOST;
	if (d.kind != D_ADDR)
		resolver();
	if ((rv = dest_resolve(&d, NULL, 0, &l)) != MX_OK) {
		log_warnx("gateway %s: %s", d.host, mx_strerror(rv));
		return perm ? -1 : 0;
	}
	(void)try_hosts(s, &l, D_ADDR);
	dest_free(&d, &l);
	return 0;
}

static int
report(const struct session *s)
{
	size_t	 i;
	int	 retry = 0, fail = 0;
	const char *w, *res, *tls, *dsn;

	for (i = 0; i < s->nrcpt; i++) {
		switch (s->rcpt[i].status) {
		case RS_OK:
			w = "ok";
			res = o.pflag ? "verified" : "sent";
			break;
		case RS_FAIL:
			w = "Permanent Failure";
			res = "bounce";
			fail++;
			break;
		default:
			w = "Retry, Temporary Failure";
			res = "retry";
			retry++;
			break;
		}
		tls = s->rcpt[i].tls[0] != '\0' ? s->rcpt[i].tls : "tls=none";
		dsn = s->rcpt[i].dsn == DSN_PASSED ? " dsn=passed" :
		    s->rcpt[i].dsn == DSN_RELAYED ? " dsn=relayed" : "";
		(void)fprintf(stderr, "%s: rcpt %s: %s [%s%s]\n", w,
		    s->rcpt[i].addr, s->rcpt[i].reply, tls, dsn);
		log_info("to=<%s> from=<%s> result=%s %s%s reply=\"%s\"",
		    s->rcpt[i].addr, s->from, res, tls, dsn, s->rcpt[i].reply);
	}
	if (retry)
		return EXIT_RETRY;
	return fail ? EXIT_GIVEUP : EXIT_SENT;
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
static void
names(const char *domain, char **from, const char *sender)
{
	char	host[256], *s;

	if (o.hostname[0] != '\0')
		(void)strlcpy(host, o.hostname, sizeof(host));
	else
		sysname(host, sizeof(host));
	if (domain == NULL && strchr(host, '.') != NULL)
		domain = host;
	o.hostdomain = domainify(o.hflag ? o.hflag : host, domain);
	/* Plan 9: -h names this host in EHLO too */
	if (o.helo[0] == '\0')
		(void)strlcpy(o.helo, o.hostdomain, sizeof(o.helo));
	if (!fqdn(o.helo) || !fqdn(o.hostdomain)) {
		(void)fprintf(stderr, "Retry, Temporary Failure: this host's "
		    "name %s is not fully qualified: set \"hostname\" in %s\n",
		    fqdn(o.helo) ? o.hostdomain : o.helo, o.conffile);
		log_warnx("host name %s not fully qualified: not sending",
		    fqdn(o.helo) ? o.hostdomain : o.helo);
		exit(EXIT_RETRY);
	}
	if ((s = strdup(sender)) == NULL)
		fatal("strdup");
	unescape(s);
	*from = strcmp(s, "/dev/null") == 0 ? strdup("") :
	    qualify(s, o.hostdomain);
	free(s);
}

int
main(int argc, char *argv[])
{
	struct session	 s;
	struct buf	 in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	struct buf	 out7 = { NULL, 0, 0 };
	struct msginfo	 info;
	struct msgopts	 mo;
	char		*from, *xfrom = NULL, *afrom = NULL, ddomain[256] = "";
	char		 err[512], err7[300];
	int		 ch, i, ex;

	o.conffile = SMTP_CONF;
	o.connecttimeout = 30;
	while ((ch = getopt(argc, argv, "+aAb:C:de:fg:h:iN:pr:Rstu:x")) != -1) {
		switch (ch) {
		case 'a': o.aflag = 1; break;
		case 'A': o.Aflag = 1; break;
		case 'b':
			if (o.nbusted == SMTP_MAXBUSTED) {
				(void)fprintf(stderr, "smtp: more than %d busted "
				    "mxs given\n", SMTP_MAXBUSTED);
				exit(EX_USAGE_);
			}
			o.busted[o.nbusted++] = optarg;
			break;
		case 'C': o.conffile = optarg; break;
		case 'd': o.dflag = 1; break;
		case 'f': o.fflag = 1; break;
		case 'g': o.gateway = optarg; break;
		case 'h': o.hflag = optarg; break;
		case 'i': o.iflag = 1; break;
		case 'p': o.pflag = 1; break;
		case 'R': o.Rflag = 1; break;
		case 'N':
			if (!dsn_notify_ok(optarg)) {
				(void)fprintf(stderr, "smtp: -N %s: NEVER, or "
				    "SUCCESS,FAILURE,DELAY\n", optarg);
				exit(EX_USAGE_);
			}
			o.notify = optarg;
			break;
		case 'r':
			if (strcasecmp(optarg, "FULL") != 0 &&
			    strcasecmp(optarg, "HDRS") != 0) {
				(void)fprintf(stderr, "smtp: -r FULL or HDRS\n");
				exit(EX_USAGE_);
			}
			o.ret = strcasecmp(optarg, "FULL") == 0 ? "FULL" :
			    "HDRS";
			break;
		case 'e':
			/* RFC 3461 4.4: at most 100 characters of xtext */
			if (strlen(optarg) > 100 || xtext(o.envid,
			    sizeof(o.envid), optarg) == -1) {
				(void)fprintf(stderr, "smtp: -e: at most 100 "
				    "ASCII characters\n");
				exit(EX_USAGE_);
			}
			break;
		case 's': o.sflag = 1; break;
		case 't': o.tflag = 1; break;
		case 'u': o.user = optarg; break;
		case 'x': o.xflag = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && argv[0][0] == '.') {
		o.domain = argv[0];
		argc--;
		argv++;
	}
	if (argc < 2 || (argc < 3 && !o.fflag))
		usage();
	log_init("smtp", LOG_TO_SYSLOG | (o.dflag ? LOG_TO_STDERR : 0),
	    o.dflag);
	log_procinit("smtp");
	(void)snprintf(o.netrc, sizeof(o.netrc), "%s/upas/netrc", SYSCONFDIR);
	conf_read(o.conffile, strcmp(o.conffile, SMTP_CONF) != 0);
	names(o.domain, &from, argv[1]);

	memset(&s, 0, sizeof(s));
	s.o = &o;
	if (*from == '\0') {
		xfrom = strdup("");
		afrom = strdup("");
	} else if (idn_addr(from, &xfrom, &afrom, err, sizeof(err)) == -1) {
		(void)fprintf(stderr, "Permanent Failure: sender %s: %s\n",
		    from, err);
		exit(EXIT_GIVEUP);
	}
	if (xfrom == NULL || (*from == '\0' && afrom == NULL))
		fatal("strdup");
	s.from = xfrom;
	s.afrom = afrom;
	s.msg = &out;
	s.info = &info;
	memset(&info, 0, sizeof(info));
	if (nonascii(xfrom))
		s.utf8 = 1;
	if (!o.pflag) {
		readall(STDIN_FILENO, &in);
		mo.hostdomain = o.hostdomain;
		mo.from = from;
		mo.now = time(NULL);
		mo.relay = o.xflag;
		if (rfc822_convert(in.p, in.len, &mo, &out, &info, err,
		    sizeof(err)) == -1) {
			(void)fprintf(stderr, "Permanent Failure: the message "
			    "cannot be sent: %s\n", err);
			exit(EXIT_GIVEUP);
		}
		buf_free(&in);
		/* RFC 6152 3: ready for a server without 8BITMIME */
		if (info.eightbit) {
			if (mime_reencode(&out, 1, &out7, err7,
			    sizeof(err7)) == 0)
				s.msg7 = &out7;
			else
				s.why7 = err7;
		}
	}
	if (o.fflag) {
		if (fwrite(out.p, 1, out.len, stdout) != out.len ||
		    fflush(stdout) == EOF)
			exit(EX_SOFTWARE_);
		exit(EXIT_SENT);
	}
	s.nrcpt = argc - 2;
	if ((s.rcpt = calloc(s.nrcpt, sizeof(*s.rcpt))) == NULL)
		fatal("calloc");
	for (i = 2; i < argc; i++)
		unescape(argv[i]);
	seal(argv[0]);
	if (deliver(&s, argv[0], argv + 2, argc - 2, ddomain,
	    sizeof(ddomain)) == -1) {
		for (i = 0; i < (int)s.nrcpt; i++)
			if (s.rcpt[i].status == RS_PENDING)
				s.rcpt[i].status = RS_FAIL;
	}
	for (i = 0; i < (int)s.nrcpt; i++) {
		if (s.rcpt[i].addr == NULL)
			s.rcpt[i].addr = qualify(argv[i + 2], ddomain);
		if (s.rcpt[i].status == RS_PENDING)
			s.rcpt[i].status = RS_RETRY;
		if (s.rcpt[i].reply[0] == '\0')
			(void)strlcpy(s.rcpt[i].reply, s.err[0] ? s.err :
			    "not delivered", sizeof(s.rcpt[i].reply));
	}
	ex = report(&s);
	if (o.Rflag)
		result_print(&s);
	for (i = 0; i < (int)s.nrcpt; i++) {
		free(s.rcpt[i].addr);
		free(s.rcpt[i].asc);
		free(s.rcpt[i].orcpt);
	}
	free(s.rcpt);
	free(from);
	free(xfrom);
	free(afrom);
	free(o.hostdomain);
	buf_free(&out);
	buf_free(&out7);
	return ex;
}
