#!/bin/sh
# privsep/: framing, marshalling, log, privilege drop, sandbox.
# Builds regress/privsep/privsep-test.c and privsep-sandbox.c against
# $BIN/privsep/libprivsep.a (the ASan build under regress/run -a) and
# runs them.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

lib=$BIN/privsep/libprivsep.a
if [ "$BIN" = "$TOP" ]; then
	make -C "$TOP" privsep/libprivsep.a >"$T/make.log" 2>&1 ||
	    { fail "make privsep/libprivsep.a"; cat "$T/make.log"; exit 1; }
fi
[ -f "$lib" ] || { fail "no $lib"; exit 1; }
cc=${CC:-cc}
san=
nowarn=-Wno-format-truncation
if nm "$lib" 2>/dev/null | grep -q __asan_; then
	cc=clang
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
	nowarn=
fi
pkg=$(pkg-config --cflags --libs libbsd-overlay 2>/dev/null)
# shellcheck disable=SC2086
if ! $cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror $nowarn $san \
    -I"$TOP/privsep" -o "$T/privsep-test" "$TOP/regress/privsep/privsep-test.c" \
    "$TOP/regress/privsep/privsep-sandbox.c" "$lib" $pkg >"$T/cc.log" 2>&1; then
	fail "compile privsep-test"; cat "$T/cc.log"; exit 1
fi
chmod 755 "$T"
"$T/privsep-test" "$T" 2>"$T/stderr.log"
rc=$?
# A crash or an early exit is a failure even after the "ok" lines it printed.
[ $rc -eq 0 ] && pass "privsep-test exited 0" ||
    { fail "privsep-test exited $rc"; sed 's/^/# /' "$T/stderr.log" | tail -20; }
exit 0
