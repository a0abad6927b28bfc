#!/bin/sh
# AUTH PLAIN, LOGIN and CRAM-MD5 (RFC 4954) with swaks and by hand; the
# credentials file is read by the parent only; secrets never logged.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf rsa "$T/rsa.crt" "$T/rsa.key" "norelay on" "ourdomains test.example" "debug on"
P=$(freeport); tls_start_server "$P" "$T/rsa.conf" -d || exit 1
PA=$(freeport); tls_start_server "$PA" "$T/rsa.conf" -a || exit 1
PP=$(freeport); tls_start_server "$PP" "$T/rsa.conf" -p || exit 1

for m in PLAIN LOGIN CRAM-MD5; do
	n0=$(maildir_count)
	pw=wonderland
	[ $m = CRAM-MD5 ] && pw=cheshire-cat	# the third field of the line
	out=$(swaks --tls -s 127.0.0.1 -p "$P" --auth $m --auth-user alice \
	    --auth-password $pw --from alice@client.example \
	    --to rcpt@test.example --h-Subject "auth $m" 2>&1)
	expect "swaks --tls --auth $m: 235" '<~  235 2.7.0' "$out"
	[ "$(maildir_count)" -gt "$n0" ] && pass "swaks --auth $m: delivered" ||
	    fail "swaks --auth $m: delivered"
done
expect "Received: says ESMTPSA" 'with ESMTPSA' "$(cat "$(maildir_last)")"
out=$(swaks --tls -s 127.0.0.1 -p "$P" --auth PLAIN --auth-user alice \
    --auth-password wrong --from a@client.example --to rcpt@test.example 2>&1)
expect "swaks wrong password: 535 5.7.8" '<~\* 535 5.7.8' "$out"

$TLSC auth "$P"
$TLSC relay "$P" no
$TLSC relay "$P" yes
$TLSC requireauth "$PA"
$TLSC plainauth "$PP"
out=$(python3 "$TOP/regress/tls/tlsc.py" smtplib "$P" alice nottheword)
expect "python smtplib login() with a wrong password fails" "login=failed" "$out"

sleep 1
grep -q 'auth mech=PLAIN user="alice" result=ok' "$LOG" &&
    pass "log: auth mech=PLAIN user=alice result=ok" || fail "log: auth ok line"
grep -q 'auth mech=LOGIN user="mallory" result=failed' "$LOG" &&
    pass "log: failed AUTH logged with the user" || fail "log: failed AUTH logged"
# none of the secrets, plain or encoded, in the log or the -d transcripts
bad=0
for s in wonderland builder cheshire-cat nottheword "$(printf '\0alice\0wonderland' | base64)" \
    "$(printf wonderland | base64)" "$(printf '\0bob\0builder' | base64)"; do
	if grep -rqF -- "$s" "$LOG" "$T/smtpdb" "$T/tcpserver.out"; then
		bad=1; echo "# found: $s"
	fi
done
[ $bad = 0 ] && pass "no secret in the log or the -d transcripts" ||
    fail "no secret in the log or the -d transcripts"
ls "$T/smtpdb" | grep -q . && pass "-d transcripts were written" ||
    skip "-d transcripts were written" "none in $T/smtpdb"
exit 0
