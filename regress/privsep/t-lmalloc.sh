#!/bin/sh
# privsep/lmalloc.c, the lean smtpd's allocator, linked with musl as in
# the Makefile's lean build: random use checked byte by byte, and a
# double free that must abort.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v musl-gcc >/dev/null 2>&1 || { skip "lmalloc" "no musl-gcc (musl-tools)"; exit 0; }
if ! musl-gcc -O1 -g -fno-builtin -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -static \
    -o "$T/lmalloc-test" "$TOP/regress/privsep/lmalloc-test.c" "$TOP/privsep/lmalloc.c" \
    >"$T/cc.log" 2>&1; then
	fail "build lmalloc-test with musl"; cat "$T/cc.log"; exit 1
fi
expect "our malloc replaces musl's in a static link" ' T malloc$' \
    "$(nm "$T/lmalloc-test" | grep ' T malloc$')"
expect "no trace of musl's mallocng" '^0$' \
    "$(nm "$T/lmalloc-test" | grep -c -e alloc_slot -e __malloc_alloc_meta)"
out=$(timeout 120 "$T/lmalloc-test" 2>&1)
expect "200000 random malloc/calloc/realloc/aligned_alloc/free, contents intact" \
    '^ok 200000 operations$' "$out"
"$T/lmalloc-test" double-free >"$T/df.out" 2>&1
rc=$?
expect "a double free aborts (SIGABRT)" '^134$' "$rc"
