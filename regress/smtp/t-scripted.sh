#!/bin/sh
# smtp against a scripted server: results per recipient, exit statuses,
# EHLO/HELO fallback, -p, -A, SIZE, 8BITMIME, STARTTLS injection, SMTPS,
# AUTH, and hostile replies (malformed, 100 KB lines, stalls).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"

smtp_certs || { fail "certificates"; exit 0; }
smtp_conf
printf 'machine 127.0.0.1 login u password secret\n' > "$T/netrc"
chmod 600 "$T/netrc"
MSG='Subject: test
Message-ID: <t1@test.example>
Date: Mon, 5 Jan 2026 10:00:00 +0000

hello
.leading dot
'
printf '%s' "$MSG" > "$T/msg"
printf 'Subject: 8bit\n\ncaf\303\251\n' > "$T/msg8"

# one server per case; the ports first, then all start together
for m in normal nopipe ehlo5 ehlo4 inject badmulti nodigits longline \
    stall stallmail tls auth authclear small nocram; do
	eval "P_$m=$(freeport)"
done
scripted "$P_normal" normal
scripted "$P_nopipe" normal -c "8BITMIME"
scripted "$P_ehlo5" ehlo5
scripted "$P_ehlo4" ehlo4
scripted "$P_inject" inject -k "$T/srv"
scripted "$P_badmulti" badmulti
scripted "$P_nodigits" nodigits
scripted "$P_longline" longline
scripted "$P_stall" stall
scripted "$P_stallmail" stallmail
scripted "$P_tls" tls -k "$T/srv"
scripted "$P_auth" auth -k "$T/srv" -c "PIPELINING,STARTTLS"
scripted "$P_authclear" auth
scripted "$P_small" normal -c "SIZE 100"
scripted "$P_nocram" nocram -k "$T/srv" -c "PIPELINING,STARTTLS"
for p in $P_normal $P_nopipe $P_ehlo5 $P_ehlo4 $P_inject $P_badmulti \
    $P_nodigits $P_longline $P_stall $P_stallmail $P_tls $P_auth \
    $P_authclear $P_small $P_nocram; do
	wait_port "$p" || fail "scripted server on $p did not start"
done
A=127.0.0.1

# all accepted, pipelined
run_smtp -h client.test.example "[$A]:$P_normal" \
    sender ok1 ok2 < "$T/msg"
expect "all accepted: exit 0" "^0$" "$RC"
expect "all accepted: a line per recipient" "ok: rcpt ok2@\[127.0.0.1\]: 250" "$OUT"
expect "pipelined: MAIL RCPT RCPT DATA in one go" \
    "C: b'MAIL FROM:<sender@client.test.example> SIZE=[0-9]+'" \
    "$(cat "$T/script-$P_normal.log")"
printf '%s' "$MSG" | "$SMTP" -C "$SCONF" -f -h client.test.example "[$A]" \
    sender x > "$T/f.out"
check "the bytes that arrive are what -f printed" cmp "$T/f.out" \
    "$T/script-$P_normal.data"

# mixed results: accepted, 450, 550
: > "$T/script-$P_normal.data"
run_smtp "[$A]:$P_normal" sender ok1 temp2 perm3 < "$T/msg"
expect "mixed: exit 75" "^75$" "$RC"
expect "mixed: accepted line" "^ok: rcpt ok1@\[127.0.0.1\]: 250 2.0.0" "$OUT"
expect "mixed: 450 line" "^Retry, Temporary Failure: rcpt temp2@\[127.0.0.1\]: 450 4.2.0" "$OUT"
expect "mixed: 550 line" "^Permanent Failure: rcpt perm3@\[127.0.0.1\]: 550 5.1.1" "$OUT"
check "mixed: the message went to the accepted one" test -s "$T/script-$P_normal.data"

run_smtp "[$A]:$P_normal" sender ok1 perm3 < "$T/msg"
expect "accepted + 550: exit 69" "^69$" "$RC"
run_smtp "[$A]:$P_normal" sender perm1 perm3 < "$T/msg"
expect "all 550: exit 69" "^69$" "$RC"
run_smtp "[$A]:$P_nopipe" sender ok1 temp3 < "$T/msg"
expect "no PIPELINING, lock step: exit 75" "^75$" "$RC"
expect "no PIPELINING: no SIZE= when not offered" "MAIL FROM:<sender@[^>]*>'" \
    "$(cat "$T/script-$P_nopipe.log")"

# -p: no DATA
n=$(grep -c "C: b'DATA'" "$T/script-$P_normal.log")
run_smtp -p "[$A]:$P_normal" sender ok1 perm2 < /dev/null
expect "-p: exit 69 with a 550" "^69$" "$RC"
expect "-p: verified line" "ok: rcpt ok1@.*250 2.1.5" "$OUT"
expect "-p: sent no DATA" "^$n$" "$(grep -c "C: b'DATA'" "$T/script-$P_normal.log")"

# -A: NOOP first
run_smtp -A "[$A]:$P_normal" sender ok1 < "$T/msg"
expect "-A: delivered" "^0$" "$RC"
expect "-A: NOOP before EHLO" "C: b'NOOP'" "$(cat "$T/script-$P_normal.log")"

# EHLO 5yz: HELO; EHLO 4yz: no fallback, Retry
run_smtp "[$A]:$P_ehlo5" sender ok1 < "$T/msg"
expect "EHLO 502 -> HELO: delivered" "^0$" "$RC"
expect "EHLO 502 -> HELO sent" "C: b'HELO client.test.example'" \
    "$(cat "$T/script-$P_ehlo5.log")"
run_smtp "[$A]:$P_ehlo4" sender ok1 < "$T/msg"
expect "EHLO 421: exit 75" "^75$" "$RC"
expect "EHLO 421: no HELO" "^0$" "$(grep -c 'HELO' "$T/script-$P_ehlo4.log" | tr -d ' ')"

# SIZE and 8BITMIME
run_smtp "[$A]:$P_small" sender ok1 < "$T/msg"
expect "bigger than SIZE: exit 69" "^69$" "$RC"
expect "bigger than SIZE: said why" "552 5.3.4 message size" "$OUT"
run_smtp "[$A]:$P_normal" sender ok1 < "$T/msg8"
expect "8-bit with 8BITMIME: BODY=8BITMIME" "BODY=8BITMIME" \
    "$(cat "$T/script-$P_normal.log")"
printf 'Subject: caf\303\251\n\ncaf\303\251\n' > "$T/msg8h"
run_smtp "[$A]:$P_small" sender ok1 < "$T/msg8h"
expect "8-bit header without 8BITMIME (no 7-bit form): exit 69" "^69$" "$RC"
expect "8-bit header without 8BITMIME: said why" "8BITMIME.*8-bit header" "$OUT"
run_smtp "[$A]:$P_normal" sender "$(printf 'j\303\266rg')" < "$T/msg"
expect "UTF-8 address without SMTPUTF8: exit 69" "^69$" "$RC"

# STARTTLS with lines injected after the 220: discarded, EHLO again
run_smtp "[$A]:$P_inject" sender ok1 < "$T/msg"
expect "STARTTLS injection: delivered" "^0$" "$RC"
expect "STARTTLS injection: EHLO again after TLS, injected lines unused" \
    "^2 1$" "$(grep -c "C: b'EHLO" "$T/script-$P_inject.log") $(grep -c "C: b'STARTTLS" "$T/script-$P_inject.log")"
run_smtp -s "[$A]:$P_inject" sender ok1 < "$T/msg"
expect "-s: STARTTLS, certificate verified: delivered" "^0$" "$RC"
run_smtp -s "[$A]:$P_normal" sender ok1 < "$T/msg"
expect "-s, no STARTTLS offered: exit 75" "^75$" "$RC"
expect "-s, no STARTTLS offered: said why" "TLS required" "$OUT"

# SMTPS
run_smtp -t "[$A]:$P_tls" sender ok1 < "$T/msg"
expect "-t SMTPS: delivered" "^0$" "$RC"
run_smtp -t "[$A]:$P_normal" sender ok1 < "$T/msg"
expect "-t to a plaintext server: exit 75" "^75$" "$RC"

# AUTH over STARTTLS: CRAM-MD5 is the strongest offered
run_smtp -a "[$A]:$P_auth" sender ok1 < "$T/msg"
expect "AUTH over TLS: delivered" "^0$" "$RC"
expect "AUTH: CRAM-MD5 chosen" "C: b'AUTH CRAM-MD5'" "$(cat "$T/script-$P_auth.log")"
printf 'machine 127.0.0.1 login u password wrong\n' > "$T/netrc"
l0=$(wc -l < "$T/script-$P_auth.log")
run_smtp -a "[$A]:$P_auth" sender ok1 < "$T/msg"
expect "AUTH 535 to every mechanism: deferred, exit 75" "^75$" "$RC"
expect "AUTH 535: said so" "Retry, Temporary Failure: rcpt ok1@.*535 5.7.8" "$OUT"
expect "AUTH 535: CRAM-MD5, then PLAIN, not LOGIN too" \
    "AUTH CRAM-MD5' C: b'AUTH PLAIN [^ ]*' $" \
    "$(tail -n +"$l0" "$T/script-$P_auth.log" | grep "C: b'AUTH" | tr '\n' ' ')"
printf 'machine 127.0.0.1 login u password secret\n' > "$T/netrc"
run_smtp -a "[$A]:$P_nocram" sender ok1 < "$T/msg"
expect "CRAM-MD5 refused with 535, PLAIN works: delivered" "^0$" "$RC"
expect "CRAM-MD5 refused: PLAIN tried next" "AUTH CRAM-MD5.*AUTH PLAIN" \
    "$(grep "C: b'AUTH" "$T/script-$P_nocram.log" | tr '\n' ' ')"
chmod 644 "$T/netrc"
run_smtp -a "[$A]:$P_auth" sender ok1 < "$T/msg"
expect "netrc readable by others: refused, exit 75" "^75$" "$RC"
expect "netrc readable by others: said why" "mode 0600" "$OUT"
chmod 600 "$T/netrc"
n=$(grep -c "AUTH" "$T/script-$P_authclear.log")
run_smtp -a "[$A]:$P_authclear" sender ok1 < "$T/msg"
expect "AUTH offered in the clear: not used without -i" "^$n$" \
    "$(grep -c "C: b'AUTH" "$T/script-$P_authclear.log")"
run_smtp -a -i "[$A]:$P_authclear" sender ok1 < "$T/msg"
expect "AUTH in the clear with -i: delivered" "^0$" "$RC"
expect "AUTH in the clear with -i: used" "C: b'AUTH CRAM-MD5'" \
    "$(cat "$T/script-$P_authclear.log")"
run_smtp -d -a -i "[$A]:$P_authclear" sender ok1 < /dev/null
expect "-d trace shows no secret" "^0$" "$(printf '%s' "$OUT" | grep -c "$(printf 'u\0secret' | base64)")"

# hostile replies: clean Retry, no crash
run_smtp "[$A]:$P_badmulti" sender ok1 < "$T/msg"
expect "multi-line reply with mixed codes: exit 75" "^75$" "$RC"
expect "multi-line reply with mixed codes: said malformed" "malformed" "$OUT"
run_smtp "[$A]:$P_nodigits" sender ok1 < "$T/msg"
expect "reply without digits: exit 75" "^75$" "$RC"
run_smtp "[$A]:$P_longline" sender ok1 < "$T/msg"
expect "100 KB reply line: exit 75" "^75$" "$RC"
expect "100 KB reply line: said why" "longer than" "$OUT"
start=$(date +%s)
run_smtp "[$A]:$P_stall" sender ok1 < "$T/msg"
expect "stalled greeting: exit 75" "^75$" "$RC"
expect "stalled greeting: timed out" "timed out" "$OUT"
run_smtp "[$A]:$P_stallmail" sender ok1 < "$T/msg"
expect "stall after MAIL: exit 75" "^75$" "$RC"
expect "stalls bounded by the configured timeout" "^([0-9]|1[0-9])$" \
    "$(( $(date +%s) - start ))"
p=$(freeport)
run_smtp "[$A]:$p" sender ok1 < "$T/msg"
expect "connection refused: exit 75" "^75$" "$RC"

# usage and addresses
run_smtp < /dev/null
expect "no arguments: exit 64" "^64$" "$RC"
run_smtp 'udp!x!25' s r < /dev/null
expect "unsupported network: exit 69" "^69$" "$RC"
