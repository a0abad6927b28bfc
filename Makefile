# upas-smtp: one Makefile for GNU make and bmake (no .include, no ifeq).

PREFIX ?=	/usr/local
LIBEXECDIR ?=	${PREFIX}/libexec
SYSCONFDIR ?=	${PREFIX}/etc
LOCALSTATEDIR ?= /var
MANDIR ?=	${PREFIX}/share/man
DESTDIR ?=

CC ?=		cc

# Packagers' CPPFLAGS, CFLAGS and LDFLAGS are used as given, after ours
# (so theirs win where two flags conflict); nothing here assigns them.
# WERROR: warnings are errors in our own and the test suite's builds;
# a packager whose compiler knows newer warnings can say `make WERROR='.
WERROR ?=	-Werror
OPT ?=		-O2 -g
SANITIZE ?=

# One library at a time through pkg-config, with the usual names where
# pkg-config does not know it.  libbsd (strlcpy, strtonum, arc4random...)
# only on Linux: the BSDs have those in libc.
OS !=		uname -s
BSD_CFLAGS !=	[ "${OS}" != Linux ] || pkg-config --cflags libbsd-overlay 2>/dev/null || \
		    echo "-isystem /usr/include/bsd -DLIBBSD_OVERLAY"
BSD_LIBS !=	[ "${OS}" != Linux ] || pkg-config --libs libbsd-overlay 2>/dev/null || echo -lbsd
SSL_CFLAGS !=	pkg-config --cflags libssl libcrypto 2>/dev/null || true
SSL_LIBS !=	pkg-config --libs libssl libcrypto 2>/dev/null || echo -lssl -lcrypto
CRYPTO_LIBS !=	pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto
TLS_CFLAGS !=	pkg-config --cflags libtls 2>/dev/null || true
TLS_LIBS !=	pkg-config --libs libtls 2>/dev/null || echo -ltls -lssl -lcrypto
UNBOUND_CFLAGS != pkg-config --cflags libunbound 2>/dev/null || true
UNBOUND_LIBS !=	pkg-config --libs libunbound 2>/dev/null || echo -lunbound
IDN_CFLAGS !=	pkg-config --cflags libidn2 2>/dev/null || true
IDN_LIBS !=	pkg-config --libs libidn2 2>/dev/null || echo -lidn2
# MD5 (smtpd's CRAM-MD5): libmd on Linux and FreeBSD, libc on OpenBSD
MD_LIBS !=	pkg-config --libs libmd 2>/dev/null || \
		    { [ "${OS}" = OpenBSD ] || echo -lmd; }
# crypt(3) and dlopen(3): in libc, or in libcrypt and libdl
CRYPT_LIBS !=	printf '%s\n' 'char *crypt(const char *, const char *);' \
		    'int main(void){return crypt("","")!=0;}' | \
		    ${CC} -x c - -o /dev/null >/dev/null 2>&1 || echo -lcrypt
DL_LIBS !=	printf '%s\n' 'void *dlopen(const char *, int);' \
		    'int main(void){return dlopen("",0)!=0;}' | \
		    ${CC} -x c - -o /dev/null >/dev/null 2>&1 || echo -ldl

# Hardening, in every build, each flag where the compiler and linker take
# it (the probe links a program with the packager's flags and -Werror, so
# a _FORTIFY_SOURCE they already set is not redefined).  FORTIFY needs the
# optimiser and a C library that has it (glibc does).
HARDEN_CFLAGS != for f in -fstack-protector-strong -fstack-clash-protection -fPIE; do \
		    echo 'int main(void){return 0;}' | ${CC} ${CFLAGS} -Werror $$f \
		    -x c - -o /dev/null >/dev/null 2>&1 && printf '%s ' $$f; done; true
HARDEN_CPPFLAGS != printf '\043include <string.h>\nint main(int c, char **v)%s\n' \
		    '{char b[4]; strcpy(b, v[0]); return b[c];}' | \
		    ${CC} ${CPPFLAGS} ${OPT} ${CFLAGS} -Werror -D_FORTIFY_SOURCE=2 -x c - \
		    -o /dev/null >/dev/null 2>&1 && echo -D_FORTIFY_SOURCE=2; true
# -z now: every function bound once at exec, in the parent, not again in
# each process after the fork, and the GOT read-only (RELRO).  Packed
# relative relocations (DT_RELR) where the linker and libc know them.
HARDEN_LDFLAGS != for f in -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,pack-relative-relocs; do \
		    echo 'int main(void){return 0;}' | ${CC} -fPIE ${LDFLAGS} $$f \
		    -x c - -o /dev/null 2>&1 | grep -q . || printf '%s ' $$f; done; true

WARN =		-Wall -Wextra ${WERROR} -Wshadow -Wpointer-arith -Wmissing-prototypes \
		-Wstrict-prototypes -Wno-unused-parameter
ALL_CPPFLAGS =	-D_GNU_SOURCE -Iprivsep ${BSD_CFLAGS} ${SSL_CFLAGS} ${TLS_CFLAGS} \
		${UNBOUND_CFLAGS} ${IDN_CFLAGS} -DSYSCONFDIR=\"${SYSCONFDIR}\" \
		-DLOCALSTATEDIR=\"${LOCALSTATEDIR}\" -DLIBEXECDIR=\"${LIBEXECDIR}\" \
		${HARDEN_CPPFLAGS} ${CPPFLAGS}
ALL_CFLAGS =	-std=gnu11 ${OPT} ${WARN} ${HARDEN_CFLAGS} ${SANITIZE} ${CFLAGS}
ALL_LDFLAGS =	${HARDEN_LDFLAGS} ${SANITIZE} ${LDFLAGS}

PRIVSEP_SRCS =	privsep/msg.c privsep/marshal.c privsep/privdrop.c privsep/log.c \
		privsep/text.c privsep/sandbox_seccomp.c privsep/sandbox_pledge.c \
		privsep/sandbox_capsicum.c privsep/sandbox_null.c \
		privsep/sandbox_common.c
# smtpd: start-up and the fork, and what both processes read (smtpd/),
# the privileged parent (smtpd/priv/), the session child (smtpd/session/)
SMTPD_SRCS =	smtpd/smtpd.c smtpd/conf.c smtpd/net.c smtpd/confcheck.c \
		smtpd/policy.c smtpd/routes.c smtpd/qfile.c smtpd/tlsmod.c \
		smtpd/dlload.c \
		smtpd/priv/parent.c smtpd/priv/loop.c smtpd/priv/spool.c \
		smtpd/priv/peer.c smtpd/priv/mailer.c smtpd/priv/mdeliver.c \
		smtpd/priv/greylist.c smtpd/priv/dns.c smtpd/priv/dnsreq.c \
		smtpd/priv/auth.c smtpd/priv/rcpt.c smtpd/priv/rlist.c \
		smtpd/priv/queue.c smtpd/priv/psandbox.c smtpd/priv/tlsfwd.c smtpd/priv/handoff.c \
		smtpd/session/session.c smtpd/session/verbs.c smtpd/session/ask.c \
		smtpd/session/exit.c smtpd/session/io.c smtpd/session/reply.c \
		smtpd/session/addr.c smtpd/session/data.c smtpd/session/auth.c \
		smtpd/session/rules.c smtpd/session/tags.c smtpd/session/tlsfwd.c \
		deliver/maildir.c deliver/map.c
# smtpd-tls.so: the session's TLS, loaded at STARTTLS (smtpd/tlsmod.c);
# the parent's smtpd-tlspriv.so: the key and the signer.  Two back ends
# behind the same entry points: TLS_BACKEND=openssl (OpenSSL 3 or
# LibreSSL: session/tls.c, tlskey.c, priv/tls.c; the BSDs' default) and
# TLS_BACKEND=wolfssl (wolfSSL 5: session/tls_wolfssl.c,
# tlskey_wolfssl.c, priv/tls_wolfssl.c; Linux's default where
# pkg-config finds it: a fraction of OpenSSL's start-up cost, see
# regress/bench/README, under the GPL, see README).
TLS_BACKEND !=	[ "${OS}" = Linux ] && pkg-config --exists wolfssl 2>/dev/null && \
		    echo wolfssl || echo openssl
TLSMOD_SRCS !=	if [ "${TLS_BACKEND}" = wolfssl ]; then \
		    echo smtpd/session/tls_wolfssl.c smtpd/session/tlskey_wolfssl.c \
			smtpd/priv/tls_wolfssl.c smtpd/priv/sign.c; \
		else echo smtpd/session/tls.c smtpd/session/tlskey.c smtpd/priv/tls.c \
			smtpd/priv/sign.c; fi
TLSPRIV_SRCS !=	if [ "${TLS_BACKEND}" = wolfssl ]; then \
		    echo smtpd/priv/tls_wolfssl.c smtpd/priv/sign.c; \
		else echo smtpd/priv/tls.c smtpd/priv/sign.c; fi
TLSMOD_OBJS =	${TLSMOD_SRCS:.c=.pic.o} smtpd/session/tlsask.pic.o smtpd/tlstest.pic.o
TLSPRIV_OBJS =	${TLSPRIV_SRCS:.c=.pic.o}
WOLF_CFLAGS !=	pkg-config --cflags wolfssl 2>/dev/null || true
WOLF_LIBS !=	pkg-config --libs wolfssl 2>/dev/null || echo -lwolfssl
SMTP_SRCS =	smtp/smtp.c smtp/conf.c smtp/mx.c smtp/dial.c smtp/client.c \
		smtp/conn.c smtp/rfc822.c smtp/names.c smtp/tls.c smtp/auth.c \
		smtp/dane.c smtp/reply.c smtp/lmtp.c smtp/result.c smtp/idn.c \
		smtp/mime.c smtp/dsn.c smtp/cram.c smtp/sts.c smtp/sts_cache.c \
		smtp/sts_fetch.c smtp/sts_policy.c
DELIVER_SRCS =	deliver/deliver.c deliver/maildir.c deliver/map.c
# runq: the queue runner, with smtpd's configuration, routes and queue files
RUNQ_SRCS =	runq/runq.c runq/entry.c runq/send.c runq/dsn.c
RUNQ_SHARED =	smtpd/conf.o smtpd/net.o smtpd/routes.o smtpd/qfile.o \
		smtpd/priv/mdeliver.o deliver/maildir.o deliver/map.o

PRIVSEP_OBJS =	${PRIVSEP_SRCS:.c=.o}
SMTPD_OBJS =	${SMTPD_SRCS:.c=.o}
SMTP_OBJS =	${SMTP_SRCS:.c=.o}
DELIVER_OBJS =	${DELIVER_SRCS:.c=.o}
RUNQ_OBJS =	${RUNQ_SRCS:.c=.o}

PROGS =		smtpd/smtpd smtpd/smtpd-tls.so smtpd/smtpd-tlspriv.so smtp/smtp \
		deliver/deliver runq/runq
MANS =		man/smtp.8 man/smtpd.conf.5 man/deliver.8

all: ${PROGS}

.SUFFIXES: .c .o
.c.o:
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -c $< -o $@

privsep/libprivsep.a: ${PRIVSEP_OBJS}
	rm -f $@
	ar rcs $@ ${PRIVSEP_OBJS}

# --export-dynamic: smtpd-tls.so calls log_*, ps_* and the rest of smtpd
smtpd/smtpd: ${SMTPD_OBJS} privsep/libprivsep.a
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS} -Wl,--export-dynamic -o $@ ${SMTPD_OBJS} \
	    privsep/libprivsep.a ${MD_LIBS} ${BSD_LIBS} ${CRYPT_LIBS} ${DL_LIBS}

# the module's objects, position-independent
SMTPD_HDRS =	smtpd/smtpd.h smtpd/priv/priv.h smtpd/session/session.h \
		privsep/privsep.h privsep/log.h
${TLSMOD_OBJS}: ${SMTPD_HDRS}
smtpd/session/tls.pic.o: smtpd/session/tls.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/session/tls.c -o $@
smtpd/session/tlskey.pic.o: smtpd/session/tlskey.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/session/tlskey.c -o $@
smtpd/priv/tls.pic.o: smtpd/priv/tls.c smtpd/priv/sign.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/priv/tls.c -o $@
smtpd/priv/sign.pic.o: smtpd/priv/sign.c smtpd/priv/sign.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/priv/sign.c -o $@
smtpd/tlstest.pic.o: smtpd/tlstest.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/tlstest.c -o $@
smtpd/session/tlsask.pic.o: smtpd/session/tlsask.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/session/tlsask.c -o $@
smtpd/session/tls_wolfssl.pic.o: smtpd/session/tls_wolfssl.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${WOLF_CFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/session/tls_wolfssl.c -o $@
smtpd/session/tlskey_wolfssl.pic.o: smtpd/session/tlskey_wolfssl.c smtpd/session/tlskey.h
	${CC} ${ALL_CPPFLAGS} ${WOLF_CFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/session/tlskey_wolfssl.c -o $@
smtpd/priv/tls_wolfssl.pic.o: smtpd/priv/tls_wolfssl.c smtpd/priv/sign.h
	${CC} ${ALL_CPPFLAGS} ${WOLF_CFLAGS} ${ALL_CFLAGS} -fPIC -c smtpd/priv/tls_wolfssl.c -o $@

# SSL_STATIC=yes links libssl.a and libcrypto.a into the module: a
# STARTTLS session then costs fewer relocations and symbol look-ups
# (regress/bench/README), but an OpenSSL update needs a rebuild of smtpd.
SSL_STATIC ?=	no
TLSMOD_LIBS !=	if [ "${TLS_BACKEND}" = wolfssl ]; then echo "${WOLF_LIBS}"; \
		elif [ "${SSL_STATIC}" = yes ]; then \
		    echo "-Wl,-Bstatic ${SSL_LIBS} -Wl,-Bdynamic -Wl,--exclude-libs,ALL"; \
		else echo "${SSL_LIBS}"; fi
TLSPRIV_LIBS !=	if [ "${TLS_BACKEND}" = wolfssl ]; then echo "${WOLF_LIBS}"; \
		elif [ "${SSL_STATIC}" = yes ]; then \
		    echo "-Wl,-Bstatic ${CRYPTO_LIBS} -Wl,-Bdynamic -Wl,--exclude-libs,ALL"; \
		else echo "${CRYPTO_LIBS}"; fi
# a module is relinked when TLS_BACKEND changes
TLS_STAMP =	smtpd/.tls-${TLS_BACKEND}
${TLS_STAMP}:
	rm -f smtpd/.tls-*
	touch $@
print-tlsbackend:
	@echo ${TLS_BACKEND}
smtpd/smtpd-tls.so: ${TLSMOD_OBJS} ${TLS_STAMP}
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS:-pie=} -shared -Wl,-Bsymbolic -o $@ \
	    ${TLSMOD_OBJS} ${TLSMOD_LIBS}
smtpd/smtpd-tlspriv.so: ${TLSPRIV_OBJS} ${TLS_STAMP}
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS:-pie=} -shared -Wl,-Bsymbolic -o $@ \
	    ${TLSPRIV_OBJS} ${TLSPRIV_LIBS}

smtp/smtp: ${SMTP_OBJS} privsep/libprivsep.a
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS} -o $@ ${SMTP_OBJS} privsep/libprivsep.a \
	    ${TLS_LIBS} ${SSL_LIBS} ${UNBOUND_LIBS} ${IDN_LIBS} ${BSD_LIBS}

runq/runq: ${RUNQ_OBJS} ${RUNQ_SHARED} privsep/libprivsep.a
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS} -o $@ ${RUNQ_OBJS} ${RUNQ_SHARED} privsep/libprivsep.a ${BSD_LIBS}

deliver/deliver: ${DELIVER_OBJS} privsep/libprivsep.a
	${CC} ${ALL_CFLAGS} ${ALL_LDFLAGS} -o $@ ${DELIVER_OBJS} privsep/libprivsep.a ${BSD_LIBS}

${PRIVSEP_OBJS} ${SMTPD_OBJS} ${SMTP_OBJS} ${DELIVER_OBJS}: privsep/privsep.h privsep/log.h privsep/sandbox.h
privsep/text.o smtpd/priv/dnsreq.o smtp/smtp.o: privsep/text.h
${SMTPD_OBJS}: ${SMTPD_HDRS} smtpd/dlload.h
${SMTP_OBJS}: smtp/smtp.h smtp/conn.h smtp/client.h
smtp/sts.o smtp/sts_cache.o smtp/sts_fetch.o smtp/sts_policy.o smtp/smtp.o smtp/tls.o: smtp/sts.h
${RUNQ_OBJS}: runq/runq.h smtpd/smtpd.h smtpd/routes.h smtpd/qfile.h privsep/log.h
smtpd/priv/rcpt.o smtpd/routes.o smtpd/confcheck.o: smtpd/routes.h
smtpd/priv/rcpt.o smtpd/priv/rlist.o: smtpd/priv/rlist.h
smtpd/priv/queue.o smtpd/qfile.o: smtpd/qfile.h

# Install what the test and demo scripts need (Debian; a no-op elsewhere).
deps:
	sh regress/deps.sh

run: deps
	${MAKE} all
	sh etc/run-demo.sh

test: deps
	${MAKE} all
	SYSROOTS=${SYSROOTS} sh regress/run -A

# Every source file compiled for OpenBSD and FreeBSD against their own
# headers (README, "Build"): nothing is linked or run.  SYSROOTS is where
# the project's CI keeps those headers and bsd-cc; make test runs this
# (regress/bsd/t-bsd.sh) when that folder exists and clang is installed.
SYSROOTS ?=	../shared/sysroots
check-bsd:
	sh regress/bsd/t-bsd.sh ${SYSROOTS}

# The compiler flags this Makefile uses on OS (make -s print-bsdflags
# OS=OpenBSD), for t-bsd.sh, which cannot run the probes above against a
# sysroot (they link): the hardening flags are the ones the probes find
# with the base compiler there (clang; FORTIFY in FreeBSD's libc only).
# The pkg-config parts are left out: they name the build host's folders.
BSD_HARDEN !=	case "${OS}" in \
		    FreeBSD) echo -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2 ;; \
		    *) echo -fstack-protector-strong -fPIE ;; esac
print-bsdflags:
	@echo -std=gnu11 ${OPT} ${WARN} ${BSD_HARDEN} -D_GNU_SOURCE -Iprivsep \
	    ${BSD_CFLAGS} -DSYSCONFDIR=\"${SYSCONFDIR}\" \
	    -DLOCALSTATEDIR=\"${LOCALSTATEDIR}\" -DLIBEXECDIR=\"${LIBEXECDIR}\"

# The same sources built with ASan+UBSan in obj-asan/, for regress/run -a.
asan:
	rm -rf obj-asan && mkdir obj-asan
	cp -R Makefile privsep smtpd smtp deliver runq obj-asan/
	cd obj-asan && ${MAKE} clean && ${MAKE} all CC=clang OPT="-O1 -g" \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# The other TLS back end, OpenSSL, in obj-openssl/, where wolfSSL is the
# default: regress/run -A runs the TLS tests against it too.
tls-openssl:
	rm -rf obj-openssl && mkdir obj-openssl
	cp -R Makefile privsep smtpd smtp deliver runq obj-openssl/
	cd obj-openssl && ${MAKE} clean && ${MAKE} all TLS_BACKEND=openssl

# every libFuzzer harness, each for FUZZTIME seconds (the suite's smoke
# run, regress/fuzz/t-fuzz.sh, takes 8)
FUZZTIME ?=	60
fuzz:
	FUZZTIME=${FUZZTIME} sh regress/fuzz/t-fuzz.sh

bench: deps
	${MAKE} all
	sh regress/bench/run.sh

# The queue's bulk run, too long for make test (which runs 200): BULK_N
# messages through smtpd, the queue and runq to Dovecot, Postfix and an
# inner server answering 451 at random (regress/queue/bulk.sh).
BULK_N ?=	10000
bulk: deps
	${MAKE} all
	sh regress/queue/bulk.sh ${BULK_N}

lint:
	mandoc -Tlint -Wwarning ${MANS}

# make install: the programs, the manual pages and samples, with the
# configured paths written into them (etc/subst.sh).  The configuration:
#   CONFSTYLE=live    $(SYSCONFDIR)/upas/smtpd.conf etc. installed only if
#                     absent, never over a live one (the default; Debian's
#                     package marks them conffiles)
#   CONFSTYLE=sample  name.sample beside them, for the package to copy
#                     (FreeBSD's @sample)
#   CONFSTYLE=none    only $(EXAMPLESDIR), for OpenBSD's @sample
# Samples of the inetd, xinetd, tcpserver, systemd and fail2ban set-ups,
# and of every configuration file, go to $(EXAMPLESDIR) in any case.
EXAMPLESDIR ?=	${PREFIX}/share/examples/upas
CONFSTYLE ?=	live
CONFFILES =	smtpd.conf blocked maildirs
SAMPLES =	smtpd.conf blocked maildirs inetd.conf smtpd.run smtpd.socket \
		smtpd@.service xinetd.d/upas-smtpd fail2ban/filter.d/upas-smtpd.conf \
		fail2ban/jail.d/upas-smtpd.conf
SUBST =		sh etc/subst.sh ${SYSCONFDIR} ${LIBEXECDIR} ${LOCALSTATEDIR}

install: all
	install -d ${DESTDIR}${LIBEXECDIR}/upas ${DESTDIR}${MANDIR}/man5 \
	    ${DESTDIR}${MANDIR}/man8 ${DESTDIR}${EXAMPLESDIR}/xinetd.d \
	    ${DESTDIR}${EXAMPLESDIR}/fail2ban/filter.d \
	    ${DESTDIR}${EXAMPLESDIR}/fail2ban/jail.d
	install -m 755 smtpd/smtpd smtp/smtp deliver/deliver runq/runq ${DESTDIR}${LIBEXECDIR}/upas/
	install -m 644 smtpd/smtpd-tls.so smtpd/smtpd-tlspriv.so \
	    ${DESTDIR}${LIBEXECDIR}/upas/
	${SUBST} < man/smtp.8 > ${DESTDIR}${MANDIR}/man8/upas-smtp.8
	${SUBST} < man/deliver.8 > ${DESTDIR}${MANDIR}/man8/upas-deliver.8
	${SUBST} < man/smtpd.conf.5 > ${DESTDIR}${MANDIR}/man5/upas-smtpd.conf.5
	chmod 644 ${DESTDIR}${MANDIR}/man8/upas-smtp.8 \
	    ${DESTDIR}${MANDIR}/man8/upas-deliver.8 \
	    ${DESTDIR}${MANDIR}/man5/upas-smtpd.conf.5
	for l in smtpd runq; do \
	    ln -sf upas-smtp.8 ${DESTDIR}${MANDIR}/man8/upas-$$l.8; done
	for f in ${SAMPLES}; do \
	    ${SUBST} < etc/$$f > ${DESTDIR}${EXAMPLESDIR}/$$f && \
	    chmod 644 ${DESTDIR}${EXAMPLESDIR}/$$f || exit 1; done
	chmod 755 ${DESTDIR}${EXAMPLESDIR}/smtpd.run
	case "${CONFSTYLE}" in \
	live) install -d ${DESTDIR}${SYSCONFDIR}/upas; \
	    for f in ${CONFFILES}; do \
	    [ -e ${DESTDIR}${SYSCONFDIR}/upas/$$f ] || \
	    install -m 644 ${DESTDIR}${EXAMPLESDIR}/$$f \
	    ${DESTDIR}${SYSCONFDIR}/upas/$$f; done ;; \
	sample) install -d ${DESTDIR}${SYSCONFDIR}/upas; \
	    for f in ${CONFFILES}; do \
	    install -m 644 ${DESTDIR}${EXAMPLESDIR}/$$f \
	    ${DESTDIR}${SYSCONFDIR}/upas/$$f.sample; done ;; \
	none) ;; \
	*) echo "CONFSTYLE: live, sample or none" >&2; exit 1 ;; \
	esac

# Everything install put there but the live configuration (and what the
# administrator made: the spool, the logs, the users).
uninstall:
	for f in smtpd smtp deliver runq smtpd-tls.so smtpd-tlspriv.so; do \
	    rm -f ${DESTDIR}${LIBEXECDIR}/upas/$$f; done
	-rmdir ${DESTDIR}${LIBEXECDIR}/upas
	for p in upas-smtp upas-smtpd upas-runq upas-deliver; do \
	    rm -f ${DESTDIR}${MANDIR}/man8/$$p.8; done
	rm -f ${DESTDIR}${MANDIR}/man5/upas-smtpd.conf.5
	for f in ${SAMPLES}; do rm -f ${DESTDIR}${EXAMPLESDIR}/$$f; done
	-rmdir ${DESTDIR}${EXAMPLESDIR}/fail2ban/filter.d \
	    ${DESTDIR}${EXAMPLESDIR}/fail2ban/jail.d \
	    ${DESTDIR}${EXAMPLESDIR}/fail2ban ${DESTDIR}${EXAMPLESDIR}/xinetd.d \
	    ${DESTDIR}${EXAMPLESDIR}
	for f in ${CONFFILES}; do \
	    rm -f ${DESTDIR}${SYSCONFDIR}/upas/$$f.sample; done

clean:
	rm -f ${PROGS} ${PRIVSEP_OBJS} ${SMTPD_OBJS} ${SMTP_OBJS} ${DELIVER_OBJS} ${TLSMOD_OBJS} ${RUNQ_OBJS} \
	    privsep/libprivsep.a smtpd/*.pic.o smtpd/*/*.pic.o smtpd/.tls-*

.PHONY: all deps run test check-bsd print-bsdflags print-tlsbackend asan tls-openssl fuzz bench bulk lint install uninstall clean

