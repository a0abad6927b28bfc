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
grep -q 'addr=127.0.0.1 auth mech=PLAIN user="alice" result=ok' "$LOG" &&
    pass "log: addr=127.0.0.1 auth mech=PLAIN user=alice result=ok" ||
    fail "log: auth ok line with the client address"
grep -q 'addr=127.0.0.1 auth mech=LOGIN user="mallory" result=failed' "$LOG" &&
    pass "log: failed AUTH logged with the client address and the user" ||
    fail "log: failed AUTH logged with addr="
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

# One AUTH PLAIN per connection, by hand: the reply codes, space-separated.
auth_codes() {	# port user password [tries]
	python3 - "$@" <<'EOP'
import base64, smtplib, ssl, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tries = int(sys.argv[4]) if len(sys.argv) > 4 else 1
c = ssl.create_default_context()
c.check_hostname = False
c.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("client.example")
s.starttls(context=c)
s.ehlo("client.example")
ir = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode()
out = []
for i in range(tries):
    code, msg = s.docmd("AUTH", "PLAIN " + ir)
    out.append("%d" % code + (" " + msg.decode().split(" ")[0] if code != 235 else ""))
    if code in (235, 421):
        break
print(" ".join(out))
EOP
}

# RFC 4954 6: a credentials file the parent cannot read is our fault:
# 454 4.7.0, again and again, never counted as the client's failure
# (a fresh greydir: the failures above reached the default authfail 10)
cp "$T/passwd" "$T/passwd.locked"
chown root:root "$T/passwd.locked"; chmod 600 "$T/passwd.locked"
mkdir -p "$T/grey3"; chown "$MAIL_USER" "$T/grey3"
sed "s,^passwd .*,passwd $T/passwd.locked,; s,^greydir .*,greydir $T/grey3," \
    "$T/rsa.conf" > "$T/locked.conf"
PL=$(freeport); tls_start_server "$PL" "$T/locked.conf" || exit 1
out=$(auth_codes "$PL" alice wonderland 4 2>&1)
expect "unreadable credentials: 454 4.7.0 every time, no 421" \
    '^454 4\.7\.0 454 4\.7\.0 454 4\.7\.0 454 4\.7\.0$' "$out"
sleep 0.3
expect "unreadable credentials: logged as a server fault" \
    'addr=127\.0\.0\.1 auth mech=PLAIN user="alice" result=tempfail reason=server' \
    "$(cat "$LOG")"

# authfail: failures per client address across connections (greydir)
mkdir -p "$T/grey2"; chown "$MAIL_USER" "$T/grey2"
sed "s,^greydir .*,greydir $T/grey2," "$T/rsa.conf" > "$T/authfail.conf"
echo "authfail 2 3600" >> "$T/authfail.conf"
PF=$(freeport); tls_start_server "$PF" "$T/authfail.conf" || exit 1
a=$(auth_codes "$PF" alice wrong1 2>&1)
b=$(auth_codes "$PF" alice wrong2 2>&1)
c=$(auth_codes "$PF" alice wonderland 2>&1)
expect "authfail 2: two failures on two connections: 535, 535" \
    '^535 5\.7\.8 535 5\.7\.8$' "$a $b"
expect "authfail 2: then even the right password: 454 4.7.0" '^454 4\.7\.0$' "$c"
sleep 0.3
expect "authfail: the refusal is logged with the address" \
    'addr=127\.0\.0\.1 auth mech=PLAIN user="alice" result=refused reason=authfail-limit' \
    "$(cat "$LOG")"
[ "$(wc -l < "$T/grey2/authfail/127.0.0.1" 2>/dev/null)" = 2 ] &&
    pass "authfail: two failures kept in greydir/authfail/127.0.0.1" ||
    fail "authfail: two failures kept in greydir/authfail/127.0.0.1"
exit 0
