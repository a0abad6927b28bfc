#!/bin/sh
# The private key stays in the parent: -T self-test of the split, fail
# closed on a wrong key, the child's memory and sandbox checked from
# outside during a TLS session, a child killed by SIGSYS, ticket keys.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf rsa "$T/rsa.crt" "$T/rsa.key"
tls_conf ec "$T/ec.crt" "$T/ec.key"
tls_conf bad "$T/rsa.crt" "$T/ec.key"
cat "$T/ec.crt" "$T/ec.key" > "$T/both.pem"; chmod 600 "$T/both.pem"
tls_conf both "$T/both.pem" "$T/both.pem"

for k in rsa ec both; do
	out=$("$SMTPD" -C "$T/$k.conf" -T 2>&1 >/dev/null); rc=$?
	[ $rc = 0 ] && expect "smtpd -T: self-test of the split passes ($k)" \
	    'tls self-test: TLSv1.3 .* ok' "$out" ||
	    { fail "smtpd -T ($k) exit $rc"; echo "$out" | sed 's/^/#   /' | head -5; }
done
out=$("$SMTPD" -C "$T/bad.conf" -T 2>&1 >/dev/null); rc=$?
[ $rc != 0 ] && expect "smtpd -T: key not matching the certificate fails" \
    'does not match|self-test failed' "$out" || fail "smtpd -T with a wrong key exits 0"

PB=$(freeport); tls_start_server "$PB" "$T/bad.conf" || exit 1
$TLSC notls "$PB" >"$T/notls.out" 2>&1; rc=$?
sed 's/$/ (wrong key: fail closed)/' "$T/notls.out"
[ $rc -eq 0 ] || fail "tlsc notls exited $rc (wrong key)"

for k in rsa ec; do
	P=$(freeport); tls_start_server "$P" "$T/$k.conf" || exit 1
	for v in 1.3 1.2; do
		mkfifo "$T/hold.$k$v"
		$TLSC hold "$P" $v 30 <"$T/hold.$k$v" >"$T/hold.out" 2>&1 &
		hp=$!
		exec 3>"$T/hold.$k$v"
		i=0; while ! grep -q ready "$T/hold.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
		sleep 0.2
		python3 "$TLSDIR/memscan.py" "$T/$k.key" "$SMTPD" "$SMTPD_USER" "$MAIL_USER" \
		    "$T/$k.conf" >"$T/memscan.out" 2>&1; rc=$?
		sed "s/\$/ ($k, TLS $v)/" "$T/memscan.out"
		[ $rc -eq 0 ] || fail "memscan.py exited $rc ($k, TLS $v)"
		grep -q '^not ok' "$T/memscan.out" && sed 's/^/#   hold: /' "$T/hold.out"
		exec 3>&-
		wait $hp
		sleep 0.3
	done
done

# A child killed by the sandbox: the parent logs it, the service goes on.
mkfifo "$T/hold.sys"
$TLSC hold "$P" 1.3 30 <"$T/hold.sys" >"$T/hold.out" 2>&1 &
hp=$!
exec 3>"$T/hold.sys"
i=0; while ! grep -q ready "$T/hold.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
# the newest: the session held open, not one still exiting
cpid=$(pgrep -n -u "$SMTPD_USER" -f "$T/ec.conf")
[ -n "$cpid" ] && kill -SYS "$cpid"
exec 3>&-
wait $hp
sleep 0.5
grep -q 'killed by the sandbox (SIGSYS)' "$LOG" &&
    pass "parent logs the child killed by SIGSYS" || fail "parent logs the child killed by SIGSYS"
grep -q 'disconnect .*signal=SIGSYS' "$LOG" &&
    pass "parent's disconnect line says signal=SIGSYS" || fail "disconnect line with SIGSYS"
out=$(swaks --tls -s 127.0.0.1 -p "$P" --from a@client.example --to rcpt@test.example 2>&1)
expect "next connection served after the SIGSYS" '<~  250 ' "$out"

# Session ticket keys: root's, 0600, current + previous
st=$(stat -c '%U %a %s' "$T/ticketkeys" 2>/dev/null)
expect "ticket key file: root, 0600, 2 x 80 bytes" '^root 600 160$' "$st"
# rotation: an old file gets a new current key, the old current becomes previous
cur=$(head -c 80 "$T/ticketkeys" | od -An -tx1 | tr -d ' \n')
touch -d '13 hours ago' "$T/ticketkeys"
"$SMTPD" -C "$T/rsa.conf" -T >/dev/null 2>&1
swaks --tls -s 127.0.0.1 -p "$P" --quit-after EHLO >/dev/null 2>&1
prev=$(tail -c 80 "$T/ticketkeys" | od -An -tx1 | tr -d ' \n')
new=$(head -c 80 "$T/ticketkeys" | od -An -tx1 | tr -d ' \n')
[ "$prev" = "$cur" ] && [ "$new" != "$cur" ] && pass "ticket keys rotate after 12 h" ||
    fail "ticket keys rotate after 12 h"
grep -q 'sign: refused\|too many signature' "$LOG" && fail "no signature request refused" ||
    pass "no signature request refused in normal use"
exit 0
