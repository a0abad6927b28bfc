#!/bin/sh
# Build the libFuzzer harnesses: every regress/fuzz/fuzz-NAME.c becomes
# regress/fuzz/bin/fuzz-NAME.  Usage: build.sh [NAME ...]
#
# Convention for a harness (one file per parser):
#  - it defines LLVMFuzzerTestOneInput() and no main();
#  - its FIRST line names the project sources it is linked with, relative to
#    the top of the tree, e.g.
#	/* objs: privsep/marshal.c privsep/msg.c privsep/log.c */
#    build.sh compiles each of them itself (into regress/fuzz/bin/obj/, shared
#    between harnesses) with the same flags as the harness: clang -g -O1
#    -fsanitize=fuzzer,address,undefined, -Iprivsep -Ismtpd -Ismtp, the
#    Makefile's -D flags and `pkg-config --cflags libbsd-overlay libtls libssl
#    libunbound`; the link adds `pkg-config --libs` of the same.  A listed
#    file must not define main(); list log.c when the code logs.
#  - its seed corpus is regress/fuzz/corpus/NAME/ (a few small files; keep
#    them in git).  t-fuzz.sh runs each harness for ~15 s on a temporary
#    copy of it, so the committed corpus never changes.
# Environment: CLANG (default clang), FUZZ_CFLAGS (added to the flags).
set -e
cd "$(dirname "$0")/../.."
TOP=$(pwd)
FZ=regress/fuzz
CLANG=${CLANG:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
PKG="libbsd-overlay libtls libssl libcrypto libunbound"
# The parent's signer of the TLS back end the Makefile builds: a harness
# that lists smtpd/priv/tls.c gets smtpd/priv/tls_wolfssl.c instead where
# that is wolfSSL, so the fuzzed signer is the shipped one.
backend=$(${MAKE:-make} -s print-tlsbackend 2>/dev/null || echo openssl)
[ "$backend" = wolfssl ] && PKG="$PKG wolfssl"
pkgc=; pkgl=
for p in $PKG; do
	pkgc="$pkgc $(pkg-config --cflags "$p" 2>/dev/null || true)"
	pkgl="$pkgl $(pkg-config --libs "$p" 2>/dev/null || true)"
done
CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wno-unused-parameter $SAN \
    -I$TOP/privsep -I$TOP/smtpd -I$TOP/smtp -DSYSCONFDIR=\"/usr/local/etc\" \
    -DLOCALSTATEDIR=\"/var\" -DLIBEXECDIR=\"/usr/local/libexec\" $pkgc ${FUZZ_CFLAGS:-}"
LIBS="$pkgl"
if [ "$(uname -s)" = Linux ]; then LIBS="$LIBS -lcrypt"; fi

mkdir -p $FZ/bin/obj
# The newest header: any object older than it is rebuilt.
newest=$(ls -t privsep/*.h smtpd/*.h smtpd/*/*.h smtp/*.h 2>/dev/null | head -n 1)

compile() {	# src obj
	if [ ! -f "$2" ] || [ "$1" -nt "$2" ] || { [ -n "$newest" ] && [ "$newest" -nt "$2" ]; }; then
		mkdir -p "$(dirname "$2")"
		# shellcheck disable=SC2086
		$CLANG $CFLAGS -fsanitize=fuzzer-no-link -c "$1" -o "$2"
	fi
}

if [ $# -gt 0 ]; then
	list=$(for n in "$@"; do echo "$FZ/fuzz-$n.c"; done)
else
	list=$(ls $FZ/fuzz-*.c 2>/dev/null || true)
fi
rc=0
for h in $list; do
	name=$(basename "$h" .c)
	objs=$(head -n 1 "$h" | sed -n 's,^/\* *objs: *\(.*\)\*/.*$,\1,p')
	[ "$backend" = wolfssl ] &&
	    objs=$(echo "$objs" | sed 's,smtpd/priv/tls\.c,smtpd/priv/tls_wolfssl.c,')
	ol=
	ok=1
	for s in $objs; do
		o=$FZ/bin/obj/$(echo "$s" | sed 's,/,_,g; s,\.c$,.o,')
		if ! compile "$s" "$o"; then ok=0; break; fi
		ol="$ol $o"
	done
	# shellcheck disable=SC2086
	if [ $ok = 1 ] && $CLANG $CFLAGS -fsanitize=fuzzer -o "$FZ/bin/$name" "$h" $ol $LIBS; then
		echo "built $FZ/bin/$name"
	else
		echo "FAILED $name" >&2
		rc=1
	fi
done
exit $rc
