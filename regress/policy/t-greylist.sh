#!/bin/sh
# Greylisting (-g) end to end with greymin 6 / greymax 30: 451 4.7.1 at
# RCPT with the connection kept, too-early retry, retry in the window,
# the whitelist, markers and whitelist written by the parent only,
# stale markers restarted, old markers expired, trusted peers exempt.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup
cat >> "$CONF" <<EOC
greylist on
greymin 6
greymax 30
greyexpire 60
EOC
# an old marker from someone else, to be expired
mkdir -p "$T/grey/tmp/127.0.0.1/192.0.2.1"
touch "$T/grey/tmp/127.0.0.1/192.0.2.1/old@x.example"
touch -d '2 days ago' "$T/grey/tmp/127.0.0.1/192.0.2.1/old@x.example"
chown -R "$MAIL_USER" "$T/grey"
P=$(freeport)
start_smtpd "$P" || exit 0

r=$(conv "$P" ehlo:client.example mail:a@client.example rcpt:u@test.example cmd:NOOP quit)
echo "$r" > "$T/first.txt"
expect "first try: 451 4.7.1 at RCPT" "^451 4\.7\.1 Greylisted" "$(line rcpt:u@test.example "$r" | cut -d' ' -f2-)"
expect "first try: connection stays open" "^250" "$(line noop "$r" | cut -d' ' -f2-)"
M=$T/grey/tmp/127.0.0.1/127.0.0.1/u@test.example
check "marker created under greydir/tmp/<local>/<remote>/<rcpt>" test -f "$M"
expect "marker owned by the mail user (written by the parent)" "^$MAIL_USER\$" "$(stat -c %U "$M" 2>/dev/null)"
check "old marker expired" test ! -e "$T/grey/tmp/127.0.0.1/192.0.2.1/old@x.example"
check "nothing in the child's chroot" test -z "$(ls -A "$T/chroot")"
m1=$(stat -c %Y "$M")

r=$(conv "$P" ehlo:client.example mail:a@client.example rcpt:u@test.example quit)
expect "retry too early: 451 again" "^451 4\.7\.1" "$(line rcpt:u@test.example "$r" | cut -d' ' -f2-)"
expect "too-early retry does not restart the timer" "^$m1\$" "$(stat -c %Y "$M")"
check "no whitelist yet" test ! -s "$T/grey/whitelist"

# wait until the marker is greymin old (slow machines: measured, not fixed)
w=$(( m1 + 7 - $(date +%s) ))
[ "$w" -gt 0 ] && sleep "$w"
before=$(maildir_count)
r=$(sendmsg "$P" a@client.example u@test.example)
expect "retry in the window: accepted" "^250" "$(line rcpt:u@test.example "$r" | cut -d' ' -f2-)"
expect "retry in the window: delivered" "^250" "$(line eom "$r" | cut -d' ' -f2-)"
expect "peer appended to the whitelist" "^127\.0\.0\.1( |\$)" "$(cat "$T/grey/whitelist" 2>/dev/null)"
expect "whitelist owned by the mail user" "^$MAIL_USER\$" "$(stat -c %U "$T/grey/whitelist" 2>/dev/null)"

r=$(conv "$P" ehlo:client.example mail:b@client.example rcpt:other@test.example quit)
expect "whitelisted peer passes at once (new rcpt)" "^250" "$(line rcpt:other@test.example "$r" | cut -d' ' -f2-)"
sleep 0.3
expect "decisions logged" "greylist addr=127.0.0.1 .*result=pass reason=whitelist" "$(cat "$LOG")"
expect "policy line for the deferral" "policy addr=127.0.0.1 rcpt=\"u@test.example\" action=tempfail reason=greylist" "$(cat "$LOG")"

# a fresh world: stale markers start over; "#" lines and CIDR entries
: > "$T/grey/whitelist"
printf '# comment\n10.0.0.0/8\n2001:db8::/32 some.host\n' > "$T/grey/whitelist"
M2=$T/grey/tmp/127.0.0.1/127.0.0.1/stale@test.example
mkdir -p "$(dirname "$M2")"; touch -d '5 minutes ago' "$M2"
chown -R "$MAIL_USER" "$T/grey/tmp"
r=$(conv "$P" ehlo:client.example mail:a@client.example rcpt:stale@test.example quit)
expect "marker older than greymax: 451, start over" "^451 4\.7\.1" "$(line rcpt:stale@test.example "$r" | cut -d' ' -f2-)"
age=$(( $(date +%s) - $(stat -c %Y "$M2") ))
check "stale marker restarted" test "$age" -lt 10

# sanitised names: no "/" and no leading "."
r=$(conv "$P" ehlo:client.example mail:a@client.example rcpt:'.dot/x@test.example' quit)
check "no file escapes the marker dir" test -z "$(find "$T/grey" -name 'x@test.example' -path '*/.dot/*')"

# trusted peers are not greylisted
CONF2=$T/trusted.conf
sed 's/^greylist on/greylist on\nournets 127.0.0.0\/8/' "$CONF" > "$CONF2"
CONF0=$CONF; CONF=$CONF2
P2=$(freeport)
start_smtpd "$P2" || exit 0
CONF=$CONF0
r=$(conv "$P2" ehlo:client.example mail:a@client.example rcpt:trusted@test.example quit)
expect "trusted peer not greylisted" "^250" "$(line rcpt:trusted@test.example "$r" | cut -d' ' -f2-)"
