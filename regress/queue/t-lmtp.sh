#!/bin/sh
# smtp(8) speaking LMTP (RFC 2033) to Dovecot, and -R, the per-recipient
# result lines a queue runner reads: a reply per recipient after the dot,
# so one mailbox over quota fails alone while the others get the message.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/dovecot.sh"
dovecot_start "$T/dc" "$(freeport)" || exit 0

printf 'Subject: lmtp\nFrom: s@sender.test\n\nhello\n' > "$T/small"
{ printf 'Subject: big\nFrom: s@sender.test\n\n'; head -c 4000 /dev/zero | tr '\0' x | fold -w 70; } > "$T/big"

OUT=$("$SMTP" -h client.test -R "lmtp!unix!$DC_SOCK" s@sender.test alice@local.test bob@local.test nobody@local.test < "$T/small" 2>"$T/err1"); rc=$?
expect "unix: alice 250 with its code" '^alice@local\.test 2\.0\.0 250 ' "$OUT"
expect "unix: bob 250" '^bob@local\.test 2\.0\.0 250 ' "$OUT"
expect "unix: unknown user 550 5.1.1 at RCPT" '^nobody@local\.test 5\.1\.1 550 5\.1\.1 ' "$OUT"
check "unix: exit 69 (one permanent failure)" test "$rc" -eq 69
check "unix: one result line per recipient" test "$(printf '%s\n' "$OUT" | wc -l)" -eq 3
check "unix: alice and bob have it" sh -c "[ $(dc_count alice) -eq 1 ] && [ $(dc_count bob) -eq 1 ]"

OUT=$("$SMTP" -h client.test -R "lmtp!tcp!127.0.0.1!$DC_PORT" s@sender.test alice@local.test full@local.test carol@local.test < "$T/big" 2>"$T/err2"); rc=$?
expect "tcp: alice 250" '^alice@local\.test 2\.0\.0 250 ' "$OUT"
expect "tcp: over quota after the dot: 552 5.2.2 for that recipient only" '^full@local\.test 5\.2\.2 552 5\.2\.2 ' "$OUT"
expect "tcp: carol, after the full mailbox, 250" '^carol@local\.test 2\.0\.0 250 ' "$OUT"
check "tcp: exactly one copy each for alice (2 now) and carol, none for full" \
    sh -c "[ $(dc_count alice) -eq 2 ] && [ $(dc_count carol) -eq 1 ] && [ $(dc_count full) -eq 0 ]"
check "stderr keeps the Plan 9 lines" grep -q '^Permanent Failure: rcpt full@local.test: 552' "$T/err2"

OUT=$("$SMTP" -h client.test -R "lmtp!unix!$T/nosuch.sock" s@sender.test alice@local.test < "$T/small" 2>/dev/null); rc=$?
expect "no server: a 4.x.x line, retry" '^alice@local\.test 4\.[0-9]\.[0-9] ' "$OUT"
check "no server: exit 75" test "$rc" -eq 75
OUT=$("$SMTP" -h client.test -R "lmtp!udp!x" s@sender.test alice@local.test < "$T/small" 2>/dev/null)
expect "a bad LMTP dial string is permanent" '^alice@local\.test 5\.[0-9]\.[0-9] ' "$OUT"
