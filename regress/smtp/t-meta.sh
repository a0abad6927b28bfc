#!/bin/sh
# smtp: Plan 9 meta-names in destaddr (smtp(8): net!$smtp!smtp from the
# config file's "smarthost" or "meta" lines), and the sender and recipient
# rules of smtp(8) as they reach the wire: bang paths, %%XX, /dev/null.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"

P=$(freeport)
scripted "$P" normal -c "PIPELINING"
wait_port "$P" || { fail "scripted server on $P did not start"; exit 0; }
SLOG=$T/script-$P.log
A=127.0.0.1
printf 'Subject: meta\nMessage-ID: <m@test.example>\n\nhello\n' > "$T/msg"

# since: the transcript lines after line $1
since() { tail -n +"$(($1 + 1))" "$SLOG"; }
mark() { wc -l < "$SLOG" 2>/dev/null || echo 0; }

smtp_conf "smarthost $A:$P"
n=$(mark); run_smtp -h h.test.example 'net!$smtp!smtp' bob u1@x.test.example < "$T/msg"
expect "net!\$smtp!smtp goes to the smarthost: exit 0" "^0$" "$RC"
expect "net!\$smtp!smtp: the message reached the smarthost" \
    "C: b'RCPT TO:<u1@x.test.example>'" "$(since "$n")"

n=$(mark); run_smtp -h h.test.example '$smtp' bob u2@x.test.example < "$T/msg"
expect "a bare \$smtp works too" "^0$" "$RC"

smtp_conf "smarthost $A" "meta relay [$A]:$P"
n=$(mark); run_smtp -h h.test.example "tcp!\$smtp!$P" bob u3@x.test.example < "$T/msg"
expect "a smarthost without a port takes destaddr's service" "^0$" "$RC"
n=$(mark); run_smtp -h h.test.example 'net!$relay!smtp' bob u4@x.test.example < "$T/msg"
expect "meta NAME [address]:port" "^0$" "$RC"
expect "meta NAME [address]:port: delivered" \
    "C: b'RCPT TO:<u4@x.test.example>'" "$(since "$n")"

run_smtp -h h.test.example 'net!$nosuch!smtp' bob u5@x.test.example < "$T/msg"
expect "an unknown meta-name: Permanent Failure, exit 69" "^69$" "$RC"
expect "an unknown meta-name: a clear message" \
    "Permanent Failure: rcpt u5@x.test.example: unknown meta-name \\\$nosuch in net!\\\$nosuch!smtp" "$OUT"
smtp_conf
run_smtp -h h.test.example 'net!$smtp!smtp' bob u6@x.test.example < "$T/msg"
expect "no smarthost configured: exit 69, says which line is missing" \
    "^69 .*unknown meta-name \\\$smtp.*or \"smarthost\" line in $SCONF" \
    "$RC $(printf '%s' "$OUT" | tr '\n' ' ')"
smtp_conf "meta bad!name x"
run_smtp 'net!$smtp!smtp' bob u7@x.test.example < "$T/msg"
expect "a malformed meta line: Retry, never a bounce" "^75$" "$RC"

# smtp(8)'s address rules on the wire: the sender and the recipients
smtp_conf
D="[$A]:$P"
n=$(mark); run_smtp -h myhost .example.com "$D" bob r1@x.test.example < "$T/msg"
expect "unqualified sender: -h and .domain" "C: b'MAIL FROM:<bob@myhost.example.com>'" "$(since "$n")"
n=$(mark); run_smtp -h myhost .example.com "$D" 'example.org!bob' r1@x.test.example < "$T/msg"
expect "bang sender converted, not qualified again" "C: b'MAIL FROM:<bob@example.org>'" "$(since "$n")"
n=$(mark); run_smtp -h myhost .example.com "$D" /dev/null r1@x.test.example < "$T/msg"
expect "/dev/null sender: MAIL FROM:<>" "C: b'MAIL FROM:<>'" "$(since "$n")"
n=$(mark); run_smtp -h myhost .example.com "$D" 'a%%3Db%%zz' r1@x.test.example < "$T/msg"
expect "%%XX unescaped in the sender, a bad escape kept" "C: b'MAIL FROM:<a=b%%zz@myhost.example.com>'" "$(since "$n")"
n=$(mark); run_smtp -h myhost .example.com "$D" 'x%%e9y' r1@x.test.example < "$T/msg"
expect "%%XX of an 8-bit byte left escaped (9F)" "C: b'MAIL FROM:<x%%e9y@myhost.example.com>'" "$(since "$n")"
n=$(mark); run_smtp -h myhost .example.com "$D" bob \
    'x.test.example!u1' 'a.example!b.example!c!u2' 'x.example!y.example!z.test.example!u3' \
    'v%%3Dw@x.test.example' 'k!u4@x.test.example' < "$T/msg"
R=$(since "$n" | grep "RCPT TO" | tr '\n' ' ')
expect "bang recipient: user@domain" "RCPT TO:<u1@x.test.example>" "$R"
expect "dotted hops: the last is the domain, no source route" "RCPT TO:<c!u2@b.example>" "$R"
expect "three dotted hops: the final destination only" "RCPT TO:<u3@z.test.example>" "$R"
expect "%%XX unescaped in a recipient" "RCPT TO:<v=w@x.test.example>" "$R"
expect "a!b@c: the @ binds first (RFC 1123 5.2.16)" "RCPT TO:<k!u4@x.test.example>" "$R"
expect "no source route anywhere" "^0$" "$(since "$n" | grep -c "TO:<@")"
n=$(mark); run_smtp -h myhost .example.com "tcp!$A!$P" bob 'host!user' < "$T/msg"
expect "undotted bang recipient qualified with the destination domain" \
    "C: b'RCPT TO:<host!user@\\[127\\.0\\.0\\.1\\]>'" "$(since "$n")"

# a body line over 998 octets: re-encoded, and -f shows exactly those bytes
python3 -c '
import sys
sys.stdout.buffer.write(b"Subject: long\nMessage-ID: <l@test.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\n" + b"q" * 3000 + b"\n.x\n")' > "$T/long"
"$SMTP" -C "$SCONF" -f -h h.test.example "$D" bob x < "$T/long" > "$T/long.f"
: > "$T/script-$P.data"
run_smtp -h h.test.example "$D" bob r9@x.test.example < "$T/long"
expect "a long body line: delivered, exit 0" "^0$" "$RC"
check "a long body line: the bytes that arrive are what -f printed" \
    cmp "$T/long.f" "$T/script-$P.data"
