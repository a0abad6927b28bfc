#!/bin/sh
# The early-talker trap (greetpause), -D before the EHLO reply (none for
# trusted peers), and the capped delay after rejections.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup
sed -i 's/^greetpause 0/greetpause 2/' "$CONF"
cat >> "$CONF" <<EOC
tarpitdelay 1
norelay on
EOC
P=$(freeport)
start_smtpd "$P" -D || exit 0

r=$(conv "$P" early:"EHLO impatient.example")
echo "$r" > "$T/early.txt"
expect "early talker: 220- continuation first" "^greet- 220-mx\.test\.example ESMTP" "$r"
expect "early talker: 554 5.7.0" "^greet 554 5\.7\.0" "$r"
expect "early talker: connection closed" "^early (EOF|ERR)" "$r"
sleep 0.3
expect "early talker logged" "policy addr=127\.0\.0\.1 action=reject reason=early-talker" "$(cat "$LOG")"

r=$(conv "$P" ehlo:client.example quit)
expect "patient client: 220- then 220" "^greet 220 mx\.test\.example" "$r"
expect "patient client: EHLO answered" "^ehlo 250" "$r"
el=$(line elapsed "$r" | cut -d" " -f2)
check "-D: greetpause plus tarpit delay observed (>= 2.9 s, took $el)" \
    test "$(echo "$el >= 2.9" | bc)" = 1

# rejections slow an untrusted client down: greetpause 2, EHLO 1, then 1 and 2 s
r=$(conv "$P" ehlo:client.example mail:a@client.example rcpt:x@foreign.example \
	rcpt:y@foreign.example rcpt:z@foreign.example quit)
el=$(line elapsed "$r" | cut -d' ' -f2)
check "-D: growing delay after rejections (>= 5.8 s, took $el)" \
    test "$(echo "$el >= 5.8" | bc)" = 1

# trusted: no greeting pause, no tarpit
C0=$CONF; CONF=$T/trusted.conf
sed 's/^norelay on/norelay on\nournets 127.0.0.0\/8/' "$C0" > "$CONF"
PT=$(freeport); start_smtpd "$PT" -D || exit 0; CONF=$C0
r=$(conv "$PT" ehlo:client.example quit)
el=$(line elapsed "$r" | cut -d' ' -f2)
expect "trusted: plain 220 greeting" "^greet 220 " "$r"
check "trusted: no delays (< 1.5 s, took $el)" test "$(echo "$el < 1.5" | bc)" = 1
