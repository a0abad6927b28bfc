#!/bin/sh
# The parent's signer (smtpd/priv/tls.c) against hostile requests: only
# TLS-shaped inputs are signed, at most SIGN_MAX per connection.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

tls_certs || exit 1
if [ "$BIN" = "$TOP" ]; then
	make -C "$TOP" smtpd/priv/tls.pic.o smtpd/session/tls.pic.o smtpd/session/tlsask.pic.o \
	    smtpd/session/tlskey.pic.o privsep/libprivsep.a >"$T/make.log" 2>&1 ||
	    { fail "make smtpd/priv/tls.pic.o"; exit 1; }
fi
cc=${CC:-cc}; san=
if nm "$BIN/smtpd/priv/tls.pic.o" 2>/dev/null | grep -q __asan_; then
	cc=clang; san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
pkg=$(pkg-config --cflags --libs libbsd-overlay libssl libcrypto)
# shellcheck disable=SC2086
$cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall $san -I"$TOP/privsep" -I"$TOP/smtpd" \
    -o "$T/signtest" "$TLSDIR/signtest.c" "$BIN/smtpd/priv/tls.pic.o" \
    "$BIN/smtpd/session/tls.pic.o" "$BIN/smtpd/session/tlskey.pic.o" \
    "$BIN/smtpd/session/tlsask.pic.o" \
    "$BIN/privsep/libprivsep.a" $pkg >"$T/cc.log" 2>&1 ||
    { fail "compile signtest"; sed 's/^/#   /' "$T/cc.log" | head; exit 1; }
for k in rsa ec; do
	# not piped: sed would hide the status of a crashed signtest
	"$T/signtest" $k "$T/$k.crt" "$T/$k.key" >"$T/signtest.$k" 2>>"$T/signtest.err"
	rc=$?
	sed "s/\$/ ($k)/" "$T/signtest.$k"
	[ $rc -eq 0 ] && pass "signtest $k exited 0" ||
	    { fail "signtest $k exited $rc"; sed 's/^/#   /' "$T/signtest.err" | tail -5; }
done
exit 0
