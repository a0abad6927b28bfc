#!/bin/sh
# Backup MX (RFC 5321 5.1, 4.5.4.1): pref.test has mx1.test (127.0.0.2,
# preference 10) and mx2.test (127.0.0.3, 20) in the test DNS.  Postfix's
# smtp-sink on mx1 misbehaves one way per case (-r: a 4yz to that command,
# -q: drops the connection on it), a plain one on mx2 takes mail.  A 4yz at
# the greeting, EHLO or MAIL, or a drop before DATA, goes on to mx2; a 4yz
# to RCPT defers that recipient; a 4yz after the dot defers the message.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"
. "$TOP/regress/peers/sink.sh"

[ -x "$SMTP" ] || { skip "backup MX" "no $SMTP"; exit 0; }
dns_start "$T" || { fail "test DNS did not start"; exit 0; }
printf 'unbound %s\nconnecttimeout 5\ntimeout 20\nhostname client.test\n' \
    "$DNS_CONF" > "$T/smtp.conf"

n=0
# case NAME MX1-OPTIONS: an mx1 and an mx2 of their own on a new port
case_start() {
	name=$1; shift
	P=$(freeport)
	mkdir -p "$T/$name.1" "$T/$name.2"
	chown postfix "$T/$name.1" "$T/$name.2" 2>/dev/null
	sink_start "$P" 127.0.0.2 -d "$T/$name.1/%H%M%S." "$@" \
	    2>>"$T/sink.err" &&
	sink_start "$P" 127.0.0.3 -d "$T/$name.2/%H%M%S." 2>>"$T/sink.err"
}
send() {	# name rcpt...: one message to pref.test
	name=$1; shift
	n=$((n + 1))
	printf 'From: a@src.test\nSubject: t%d\n\nbody %d\n' $n $n |
	    timeout 60 "$SMTP" -C "$T/smtp.conf" "net!pref.test!$P" a@src.test \
	    "$@" >"$T/out.$name" 2>&1
	RC=$?
	OUT=$(cat "$T/out.$name")
}
at() { ls "$T/$1.$2"/* >/dev/null 2>&1; }	# name 1|2: that MX has mail

if ! case_start mail -r mail; then
	skip "backup MX" "smtp-sink: $(tail -n 1 "$T/sink.err")"
	exit 0
fi
send mail r@pref.test
expect "4yz MAIL: exit 0 via the backup" "^0$" "$RC"
check "4yz MAIL: mx2 has it" at mail 2

# sink_start waits for a 220, which this one never says
P=$(freeport)
mkdir -p "$T/greet.2"; chown postfix "$T/greet.2" 2>/dev/null
"$SMTP_SINK" -u postfix -r connect "127.0.0.2:$P" 16 >/dev/null 2>&1 &
bg_track $!
sink_start "$P" 127.0.0.3 -d "$T/greet.2/%H%M%S." 2>>"$T/sink.err"
wait_port "$P"
send greet r@pref.test
expect "4yz greeting: exit 0 via the backup" "^0$" "$RC"
check "4yz greeting: mx2 has it" at greet 2

case_start ehlo -r ehlo,helo
send ehlo r@pref.test
expect "4yz EHLO: exit 0 via the backup" "^0$" "$RC"
check "4yz EHLO: mx2 has it" at ehlo 2

case_start droprcpt -q rcpt
send droprcpt r1@pref.test r2@pref.test
expect "dropped at RCPT: exit 0 via the backup" "^0$" "$RC"
check "dropped at RCPT: mx2 has it" at droprcpt 2
expect "dropped at RCPT: both recipients sent" \
    "ok: rcpt r1@pref.test.*ok: rcpt r2@pref.test" "$(echo $OUT)"

case_start dropdata -q data
send dropdata r@pref.test
expect "dropped at DATA: exit 0 via the backup" "^0$" "$RC"
check "dropped at DATA: mx2 has it" at dropdata 2

case_start rcpt -r rcpt
send rcpt r@pref.test
expect "4yz RCPT: deferred, exit 75" "^75$" "$RC"
expect "4yz RCPT: the recipient's line" "^Retry, Temporary Failure: rcpt r@pref.test: 4" "$OUT"
if at rcpt 2; then fail "4yz RCPT: not sent to the backup"
else pass "4yz RCPT: not sent to the backup"; fi

case_start dot -r .
send dot r@pref.test
expect "4yz after the dot: deferred, exit 75" "^75$" "$RC"
if at dot 2; then fail "4yz after the dot: not sent to the backup too"
else pass "4yz after the dot: not sent to the backup too"; fi

case_start perm -f mail
send perm r@pref.test
expect "5yz MAIL: permanent, exit 69" "^69$" "$RC"
if at perm 2; then fail "5yz MAIL: the backup not tried"
else pass "5yz MAIL: the backup not tried"; fi

# STARTTLS answered 454 (regress/smtp/scripted.py: no real server says it
# on demand): the backup; the last host goes on in the clear (RFC 3207 4.1)
P=$(freeport)
mkdir -p "$T/tls.2"; chown postfix "$T/tls.2" 2>/dev/null
python3 "$TOP/regress/smtp/scripted.py" -a 127.0.0.2 -p "$P" -m tls454 \
    -l "$T/tls454.log" -o "$T/tls454.data" >/dev/null 2>&1 &
bg_track $!
sink_start "$P" 127.0.0.3 -d "$T/tls.2/%H%M%S." 2>>"$T/sink.err"
i=0
while [ $i -lt 100 ] && ! ss -Hltn "sport = :$P" | grep -q '127\.0\.0\.2:'; do
	sleep 0.1; i=$((i + 1))
done
send tls r@pref.test
expect "454 to STARTTLS: exit 0 via the backup" "^0$" "$RC"
expect "454 to STARTTLS: mx1 was asked" "C: b'STARTTLS'" "$(cat "$T/tls454.log")"
check "454 to STARTTLS: mx2 has it" at tls 2
printf 'Subject: last\n\nbody last\n' | timeout 60 "$SMTP" -C "$T/smtp.conf" \
    "[127.0.0.2]:$P" a@src.test r@pref.test >"$T/out.last" 2>&1
expect "454 to STARTTLS at the last host: in the clear, exit 0" "^0$" "$?"
expect "... delivered there" "C: b'DATA'" "$(cat "$T/tls454.log")"

# both refuse MAIL for now: Retry, not a bounce
case_start both -r mail
sink_stop "$P"
sink_start "$P" 127.0.0.2 -r mail 2>>"$T/sink.err"
sink_start "$P" 127.0.0.3 -r mail 2>>"$T/sink.err"
send both r@pref.test
expect "4yz MAIL from every MX: exit 75" "^75$" "$RC"
expect "4yz MAIL from every MX: said why" "MAIL FROM refused by mx2.test.*: 4" "$OUT"
sink_stop
