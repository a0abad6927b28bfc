# upas-smtp: one Makefile for GNU make and bmake (no .include, no ifeq).

PREFIX ?=	/usr/local
LIBEXECDIR ?=	${PREFIX}/libexec
SYSCONFDIR ?=	${PREFIX}/etc
LOCALSTATEDIR ?= /var
MANDIR ?=	${PREFIX}/share/man
DESTDIR ?=

CC ?=		cc
PKG_CFLAGS !=	pkg-config --cflags libbsd-overlay libtls libssl libunbound 2>/dev/null || true
PKG_LIBS !=	pkg-config --libs libbsd-overlay libtls libssl libcrypto libunbound 2>/dev/null || true
BSD_LIBS !=	pkg-config --libs libbsd-overlay 2>/dev/null || true
CRYPT_LIBS !=	if [ "`uname -s`" = Linux ]; then echo -lcrypt; fi
# smtpd starts once per connection, so what an exec and a fork cost is
# most of what a message costs.  LEAN=yes (the default; on Linux, with
# musl-gcc: Debian's musl-tools): smtpd is a static PIE built with musl,
# without OpenSSL, libunbound, crypt(3) and libmd, and smtpd-full is the
# same program linked dynamically with glibc, which smtpd runs in its
# place when the configuration needs one of those (smtpd/full.c).
# smtpd-full links libbsd, libmd and libcrypt statically (libc stays
# shared), loads smtpd-tls.so (OpenSSL) only with a certificate and
# libunbound only with `unbound'.  LEAN=no, a sanitizer build, or no
# musl: smtpd is a copy of smtpd-full.
LEAN ?=		yes
MUSL_CC ?=	musl-gcc
MUSL_LIB !=	echo "/usr/lib/`uname -m`-linux-musl"
SMTPD_LEAN !=	if [ "${LEAN}" = yes ] && [ -z "${SANITIZE}" ] && \
		    [ "`uname -s`" = Linux ] && \
		    command -v ${MUSL_CC} >/dev/null 2>&1 && \
		    [ -f "${MUSL_LIB}/rcrt1.o" ]; then echo yes; else echo no; fi
KINC !=		echo "/usr/include/`${CC} -print-multiarch 2>/dev/null`"
# (a sanitizer build links them shared: ASan intercepts crypt_r and
# finds the real one with dlsym, which a static libcrypt does not offer)
SMTPD_LIBS !=	a() { [ -f "`${CC} -print-file-name=lib$$1.a`" ]; }; \
		if [ "`uname -s`" = Linux ] && [ -z "${SANITIZE}" ] && \
		    a bsd && a md && a crypt; then \
		echo "-Wl,-Bstatic -lbsd -lmd -lcrypt -Wl,-Bdynamic -ldl -pthread"; \
		else echo "`pkg-config --libs libbsd-overlay 2>/dev/null` -lmd \
		    -ldl `[ \"\`uname -s\`\" = Linux ] && echo -lcrypt`"; fi
TLSMOD_LIBS !=	pkg-config --libs libssl libcrypto 2>/dev/null || echo -lssl -lcrypto
# smtpd-full exports its symbols to smtpd-tls.so; both bind their
# functions at exec (-z now: resolved once in the parent, not again in
# each process after the fork, and the GOT read-only); packed relative
# relocations (DT_RELR) where the linker and libc know them (musl 1.2.3
# does not: not for the lean smtpd)
RELR !=		f=-Wl,-z,pack-relative-relocs; \
		if echo 'int main(void){return 0;}' | ${CC} -x c - $$f \
		    -o /dev/null 2>&1 | grep -q . ; then f=; fi; echo $$f
SMTPD_LDFLAGS =	-Wl,--export-dynamic -Wl,-z,now ${RELR}

WARN =		-Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wmissing-prototypes \
		-Wstrict-prototypes -Wno-unused-parameter
OPT ?=		-O2 -g
SANITIZE ?=
CFLAGS +=	${OPT} ${WARN} ${SANITIZE} -std=gnu11 -D_GNU_SOURCE ${PKG_CFLAGS} \
		-Iprivsep -DSYSCONFDIR=\"${SYSCONFDIR}\" \
		-DLOCALSTATEDIR=\"${LOCALSTATEDIR}\" -DLIBEXECDIR=\"${LIBEXECDIR}\"
LDFLAGS +=	${SANITIZE}

PRIVSEP_SRCS =	privsep/msg.c privsep/marshal.c privsep/privdrop.c privsep/log.c \
		privsep/sandbox_seccomp.c privsep/sandbox_pledge.c \
		privsep/sandbox_capsicum.c privsep/sandbox_null.c \
		privsep/sandbox_common.c
SMTPD_SRCS =	smtpd/smtpd.c smtpd/conf.c smtpd/peer.c smtpd/parent.c \
		smtpd/mailer.c smtpd/policy.c smtpd/greylist.c smtpd/dnsreq.c \
		smtpd/session.c smtpd/io.c \
		smtpd/reply.c smtpd/addr.c smtpd/data.c smtpd/auth.c \
		smtpd/rules.c smtpd/mdeliver.c deliver/maildir.c deliver/map.c
FULL_SRCS =	smtpd/tlsmod.c smtpd/full.c smtpd/dns.c smtpd/authpriv.c
FULL_OBJS =	${FULL_SRCS:.c=.o}
# the lean smtpd: no dns.c (libunbound) and no authpriv.c (crypt, MD5);
# full.c has what stands in for them
LEAN_SRCS =	${SMTPD_SRCS} smtpd/tlsmod.c smtpd/full.c ${PRIVSEP_SRCS} \
		privsep/compat.c privsep/lmalloc.c
LEAN_CFLAGS =	${OPT} ${WARN} -std=gnu11 -D_GNU_SOURCE -DSMTPD_LEAN \
		-include privsep/compat.h -Iprivsep -isystem obj-lean/kinc \
		-DSYSCONFDIR=\"${SYSCONFDIR}\" -DLOCALSTATEDIR=\"${LOCALSTATEDIR}\" \
		-DLIBEXECDIR=\"${LIBEXECDIR}\"
TLSMOD_SRCS =	smtpd/tls.c smtpd/tlspriv.c
TLSMOD_OBJS =	smtpd/tls.pic.o smtpd/tlspriv.pic.o
SMTP_SRCS =	smtp/smtp.c smtp/mx.c smtp/dial.c smtp/client.c smtp/rfc822.c \
		smtp/tls.c smtp/auth.c smtp/dane.c smtp/reply.c
DELIVER_SRCS =	deliver/deliver.c deliver/maildir.c deliver/map.c

PRIVSEP_OBJS =	${PRIVSEP_SRCS:.c=.o}
SMTPD_OBJS =	${SMTPD_SRCS:.c=.o}
SMTP_OBJS =	${SMTP_SRCS:.c=.o}
DELIVER_OBJS =	${DELIVER_SRCS:.c=.o}

PROGS =		smtpd/smtpd smtpd/smtpd-full smtpd/smtpd-tls.so smtp/smtp deliver/deliver
MANS =		man/smtp.8 man/smtpd.conf.5 man/deliver.8

all: ${PROGS}

.SUFFIXES: .c .o
.c.o:
	${CC} ${CFLAGS} -c $< -o $@

privsep/libprivsep.a: ${PRIVSEP_OBJS}
	rm -f $@
	ar rcs $@ ${PRIVSEP_OBJS}

smtpd/smtpd-full: ${SMTPD_OBJS} ${FULL_OBJS} privsep/libprivsep.a
	${CC} ${LDFLAGS} ${SMTPD_LDFLAGS} -o $@ ${SMTPD_OBJS} ${FULL_OBJS} privsep/libprivsep.a ${SMTPD_LIBS}

# musl's headers, and only the kernel's besides (the sandbox needs them)
smtpd/smtpd: smtpd/smtpd-full ${LEAN_SRCS} privsep/compat.h privsep/privsep.h \
	    privsep/log.h privsep/sandbox.h privsep/sandbox_int.h smtpd/smtpd.h \
	    smtpd/session.h deliver/deliver.h
	@if [ "${SMTPD_LEAN}" != yes ]; then \
		echo "cp smtpd/smtpd-full $@"; cp smtpd/smtpd-full $@; exit 0; fi; \
	rm -rf obj-lean && mkdir -p obj-lean/kinc && \
	ln -s /usr/include/linux /usr/include/asm-generic ${KINC}/asm obj-lean/kinc/ && \
	for f in ${LEAN_SRCS}; do \
		o=obj-lean/`echo $$f | tr / _`; o=$${o%.c}.o; \
		echo "${MUSL_CC} -c $$f -o $$o"; \
		${MUSL_CC} ${LEAN_CFLAGS} -c $$f -o $$o || exit 1; \
	done && \
	echo "${CC} -static-pie -o $@ obj-lean/*.o (musl)" && \
	${CC} -nostdlib -static-pie -Wl,-z,now -o $@ ${MUSL_LIB}/rcrt1.o \
	    ${MUSL_LIB}/crti.o `${CC} -print-file-name=crtbeginS.o` obj-lean/*.o \
	    ${MUSL_LIB}/libc.a `${CC} -print-file-name=libgcc.a` \
	    `${CC} -print-file-name=crtendS.o` ${MUSL_LIB}/crtn.o

smtpd/tls.pic.o: smtpd/tls.c smtpd/smtpd.h smtpd/session.h privsep/privsep.h privsep/log.h
	${CC} ${CFLAGS} -fPIC -c smtpd/tls.c -o $@

smtpd/tlspriv.pic.o: smtpd/tlspriv.c smtpd/smtpd.h smtpd/session.h privsep/privsep.h privsep/log.h
	${CC} ${CFLAGS} -fPIC -c smtpd/tlspriv.c -o $@

# the rest of smtpd (log, ps_*, strlcpy...) comes from the executable
smtpd/smtpd-tls.so: ${TLSMOD_OBJS}
	${CC} ${LDFLAGS} -shared -Wl,-Bsymbolic -o $@ ${TLSMOD_OBJS} ${TLSMOD_LIBS}

smtp/smtp: ${SMTP_OBJS} privsep/libprivsep.a
	${CC} ${LDFLAGS} -o $@ ${SMTP_OBJS} privsep/libprivsep.a ${PKG_LIBS}

deliver/deliver: ${DELIVER_OBJS} privsep/libprivsep.a
	${CC} ${LDFLAGS} -o $@ ${DELIVER_OBJS} privsep/libprivsep.a ${BSD_LIBS}

${PRIVSEP_OBJS} ${SMTPD_OBJS} ${SMTP_OBJS} ${DELIVER_OBJS}: privsep/privsep.h privsep/log.h privsep/sandbox.h
${SMTPD_OBJS} ${FULL_OBJS}: smtpd/smtpd.h smtpd/session.h privsep/privsep.h privsep/log.h

# Install what the test and demo scripts need (Debian; a no-op elsewhere).
deps:
	sh regress/deps.sh

run: deps
	${MAKE} all
	sh etc/run-demo.sh

test: deps
	${MAKE} all
	sh regress/run -A

# The same sources built with ASan+UBSan in obj-asan/, for regress/run -a.
asan:
	rm -rf obj-asan && mkdir obj-asan
	cp -R Makefile privsep smtpd smtp deliver obj-asan/
	cd obj-asan && ${MAKE} clean && ${MAKE} all CC=clang OPT="-O1 -g" \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

fuzz:
	sh regress/fuzz/build.sh

bench: deps
	${MAKE} all
	sh regress/bench/run.sh

lint:
	mandoc -Tlint -Wwarning ${MANS}

install: all
	install -d ${DESTDIR}${LIBEXECDIR}/upas ${DESTDIR}${SYSCONFDIR}/upas \
	    ${DESTDIR}${MANDIR}/man5 ${DESTDIR}${MANDIR}/man8
	install -m 755 smtpd/smtpd smtpd/smtpd-full smtp/smtp deliver/deliver ${DESTDIR}${LIBEXECDIR}/upas/
	install -m 644 smtpd/smtpd-tls.so ${DESTDIR}${LIBEXECDIR}/upas/
	install -m 644 man/smtp.8 ${DESTDIR}${MANDIR}/man8/upas-smtp.8
	install -m 644 man/deliver.8 ${DESTDIR}${MANDIR}/man8/upas-deliver.8
	install -m 644 man/smtpd.conf.5 ${DESTDIR}${MANDIR}/man5/upas-smtpd.conf.5
	for f in smtpd.conf blocked; do \
	    [ -f ${DESTDIR}${SYSCONFDIR}/upas/$$f ] || \
	    install -m 644 etc/$$f ${DESTDIR}${SYSCONFDIR}/upas/$$f; done

clean:
	rm -rf obj-lean
	rm -f ${PROGS} ${FULL_OBJS} ${PRIVSEP_OBJS} ${SMTPD_OBJS} ${SMTP_OBJS} ${DELIVER_OBJS} ${TLSMOD_OBJS} \
	    privsep/libprivsep.a

.PHONY: all deps run test asan fuzz bench lint install clean
