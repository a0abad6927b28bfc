#!/bin/sh
# A hostile session child against the real parent: a commit with a
# recipient the parent never accepted at RCPT is an attack (regress/queue/hostile.c).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
cc=${CC:-cc} san=
if nm "$BIN/privsep/libprivsep.a" 2>/dev/null | grep -q __asan_; then
	cc=clang; san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
pkg=$(pkg-config --cflags --libs libbsd-overlay 2>/dev/null)
# handlers added to parent.c later and not stood in for in hostile.c are
# left unresolved: this test never sends their requests
pkg="$pkg -Wl,--unresolved-symbols=ignore-in-object-files"
# shellcheck disable=SC2086
if ! $cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wno-unused-parameter $san \
    -I"$TOP/privsep" -I"$TOP/smtpd" -o "$T/hostile" "$TOP/regress/queue/hostile.c" \
    "$TOP/smtpd/priv/parent.c" "$TOP/smtpd/priv/loop.c" "$TOP/smtpd/priv/spool.c" \
    "$TOP/smtpd/priv/rcpt.c" "$TOP/smtpd/routes.c" \
    "$TOP/smtpd/policy.c" "$TOP/smtpd/conf.c" "$TOP/smtpd/net.c" \
    "$TOP/smtpd/priv/rlist.c" \
    "$TOP/smtpd/priv/mdeliver.c" "$TOP/deliver/maildir.c" "$TOP/deliver/map.c" \
    "$BIN/privsep/libprivsep.a" $pkg >"$T/cc.log" 2>&1; then
	fail "compile hostile.c"; sed 's/^/# /' "$T/cc.log" | head -20; exit 0
fi
mkdir -p "$T/spool"
timeout 60 "$T/hostile" "$T/spool" 2>"$T/stderr.log" || true
grep -q 'privsep violation: recipient not accepted at RCPT' "$T/stderr.log" &&
    pass "the parent logs it as a privsep violation" ||
    fail "the parent logs it as a privsep violation"
