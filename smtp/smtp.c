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

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "text.h"
#include "smtp.h"
#include "conn.h"
#include "client.h"
#include "sts.h"

#define EX_SOFTWARE_	70

static struct opts	 o;

/* MTA-STS (RFC 8461): the destination domain's policy, with stsdir only */
#define STS_FETCH_TIMEOUT 60
static char		 stsdomain[256];
static struct sts_policy sts;

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
		s->ststesting = 0;
		if ((s->policy = host_policy(l, s->mx, kind, &ts, s->err,
		    sizeof(s->err))) != -1 && kind == D_MX && stsdomain[0])
			s->policy = sts_host(&sts, stsdomain, s->mx->name,
			    s->policy, &s->ststesting, s->err, sizeof(s->err));
		if (s->policy == -1) {
			log_warnx("%s", s->err);
			dane_free(&ts);
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
			if (s->ststesting && rv == C_DONE && s->c.tls == NULL)
				log_warnx("MTA-STS testing: %s took the message "
				    "without TLS", mxhost_str(s->mx));
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
/*
 * MTA-STS applies to a destination domain (an MX lookup); its cache is
 * read, and its writer started, now, while files can still be opened.
 */
static void
sts_open(const char *destaddr)
{
	struct dest	 d;
	char		 err[1200], *x;
	size_t		 i;
	int		 rv;

	if (o.stsdir[0] == '\0' ||
	    (x = meta_expand(destaddr, err, sizeof(err))) == NULL)
		return;
	rv = dest_parse(x, &d, err, sizeof(err));
	free(x);
	if (rv == -1 || d.kind != D_MX || d.lmtp)
		return;
	for (i = 0; d.host[i] != '\0'; i++)
		stsdomain[i] = tolower((unsigned char)d.host[i]);
	stsdomain[i] = '\0';
	if (i > 0 && stsdomain[i - 1] == '.')
		stsdomain[i - 1] = '\0';
	if (sts_cache_open(o.stsdir, stsdomain, err, sizeof(err)) == -1)
		log_warnx("MTA-STS cache: %s: going on without it", err);
}

static void
seal(const char *destaddr)
{
	/* first: the cache writer it forks never holds the AUTH secrets */
	sts_open(destaddr);
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
	} else if (d.kind == D_MX && stsdomain[0] && sts_discover(stsdomain,
	    o.timeout > 0 && o.timeout < STS_FETCH_TIMEOUT ? o.timeout :
	    STS_FETCH_TIMEOUT, &sts, s->err, sizeof(s->err)) == STS_DEFER) {
		log_warnx("%s", s->err);
		dest_free(&d, &l);
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
	int		 i, n, ex;

	n = opts_parse(&o, argc, argv);
	argc -= n;
	argv += n;
	log_init("smtp", LOG_TO_SYSLOG | (o.dflag ? LOG_TO_STDERR : 0),
	    o.dflag);
	log_procinit("smtp");
	conf_read(&o, o.conffile, strcmp(o.conffile, SMTP_CONF) != 0);
	conf_names(&o, o.domain, &from, argv[1]);

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
	for (i = 2; i < argc; i++) {
		/* -R names each recipient as the runner gave it */
		if (o.Rflag && (s.rcpt[i - 2].given = strdup(argv[i])) == NULL)
			fatal("strdup");
		unescape(argv[i]);
	}
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
	result_flush(&s);
	for (i = 0; i < (int)s.nrcpt; i++) {
		free(s.rcpt[i].given);
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
