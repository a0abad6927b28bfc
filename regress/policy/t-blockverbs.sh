#!/bin/sh
# The blocked file end to end: each verb by sender and by address, allow
# winning, -s keeping blocked and delayed messages, -k.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup
cat > "$T/blocked" <<'EOB'
*deny	deny@bad.example
*block	block@bad.example
*delay	delay@bad.example
*relay	relay@bad.example
*dial	dial@bad.example
*block	*.worse.example
*block	ok@worse.example
*allow	ok@worse.example

EOB
cat >> "$CONF" <<EOC
blocked $T/blocked
saveblockedmsg on
EOC
P=$(freeport)
start_smtpd "$P" || exit 0

r=$(conv "$P" ehlo:client.example mail:deny@bad.example cmd:NOOP quit)
expect "deny: 554 5.7.1 at MAIL" "^554 5\.7\.1" "$(line mail "$r" | cut -d' ' -f2-)"

r=$(sendmsg "$P" dial@bad.example u@test.example cmd:NOOP cmd:RSET)
echo "$r" > "$T/dial.txt"
expect "dial: MAIL accepted" "^250" "$(line mail "$r" | cut -d' ' -f2-)"
expect "dial: 554 5.7.1 at DATA" "^554 5\.7\.1" "$(line data "$r" | cut -d' ' -f2-)"
expect "dial: later commands refused" "^554 5\.7\.1" "$(line rset "$r" | cut -d' ' -f2-)"
expect "dial: QUIT still works" "^221" "$(line quit "$r" | cut -d' ' -f2-)"

before=$(maildir_count)
r=$(sendmsg "$P" block@bad.example u@test.example)
expect "block: message read, then 554 5.7.1" "^554 5\.7\.1" "$(line eom "$r" | cut -d' ' -f2-)"
expect "block: no 250 at the end" "^(354|250)" "$(line data "$r" | cut -d' ' -f2-)"
r=$(sendmsg "$P" someone@sub.worse.example u@test.example)
expect "block by *.dom pattern" "^554 5\.7\.1" "$(line eom "$r" | cut -d' ' -f2-)"
r=$(sendmsg "$P" delay@bad.example u@test.example)
expect "delay: 450 4.7.1 at the end" "^450 4\.7\.1" "$(line eom "$r" | cut -d' ' -f2-)"
r=$(sendmsg "$P" relay@bad.example u@test.example)
expect "relay (= delay): 450 4.7.1" "^450 4\.7\.1" "$(line eom "$r" | cut -d' ' -f2-)"
r=$(sendmsg "$P" ok@worse.example u@test.example)
expect "allow wins over *.worse.example block" "^250" "$(line eom "$r" | cut -d' ' -f2-)"
sleep 0.3
expect "only the allowed message delivered" "^$((before + 1))\$" "$(maildir_count)"
day=$(LC_ALL=C date +%b)$(date +%-d)
n=$(ls "$T/dump/$day" 2>/dev/null | wc -l)
expect "-s: blocked and delayed messages kept in dumpdir/$day (4)" "^4\$" "$n"
check "-s: a dumped message holds the body" grep -rq '^hello' "$T/dump/$day"
expect "blocked decisions logged" "policy addr=127.0.0.1 sender=\"block@bad.example\" action=block reason=blocked-sender" "$(cat "$LOG")"

# by address: deny 127.0.0.1, and allow 127.0.0.1 beating sender blocks
B2=$T/blocked2
printf 'deny 127.0.0.1\n' > "$B2"
C2=$T/ipdeny.conf
sed "s,^blocked .*,blocked $B2," "$CONF" > "$C2"
C0=$CONF; CONF=$C2; P2=$(freeport); start_smtpd "$P2" || exit 0; CONF=$C0
r=$(conv "$P2" ehlo:client.example mail:any@good.example quit)
expect "deny by address: 554 5.7.1 at MAIL" "^554 5\.7\.1" "$(line mail "$r" | cut -d' ' -f2-)"

B3=$T/blocked3
printf 'allow 127.0\n*block block@bad.example\nblock 127.0.0.1/32\n' > "$B3"
C3=$T/ipallow.conf
sed "s,^blocked .*,blocked $B3," "$CONF" > "$C3"
CONF=$C3; P3=$(freeport); start_smtpd "$P3" || exit 0; CONF=$C0
r=$(sendmsg "$P3" block@bad.example u@test.example)
expect "allow by address (127.0 = /16) beats block" "^250" "$(line eom "$r" | cut -d' ' -f2-)"

# saveblockedmsg off: blocked, nothing kept
C4=$T/nosave.conf
grep -v saveblockedmsg "$CONF" > "$C4"
rm -rf "$T/dump/$day"
CONF=$C4; P4=$(freeport); start_smtpd "$P4" || exit 0; CONF=$C0
r=$(sendmsg "$P4" block@bad.example u@test.example)
expect "without -s: still 554" "^554 5\.7\.1" "$(line eom "$r" | cut -d' ' -f2-)"
check "without -s: nothing dumped" test -z "$(ls "$T/dump/$day" 2>/dev/null)"

# -k: nothing sent, nothing logged
: > "$LOG"
P5=$(freeport); start_smtpd "$P5" -k 127.0.0.1 || exit 0
: > "$LOG"
r=$(conv "$P5" ehlo:client.example)
expect "-k: no greeting" "^greet EOF" "$r"
sleep 0.3
expect "-k: no log line" "^\$" "$(cat "$LOG")"
