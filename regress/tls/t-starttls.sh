#!/bin/sh
# STARTTLS with real clients (swaks, openssl s_client, Python), RSA and
# ECDSA certificates, resumption across connections, and the RFC 3207
# corner cases.  The key stays in the parent: see t-keysplit.sh.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf rsa "$T/rsa.crt" "$T/rsa.key"
tls_conf ec "$T/ec.crt" "$T/ec.key"
PR=$(freeport); tls_start_server "$PR" "$T/rsa.conf" || exit 1
PE=$(freeport); tls_start_server "$PE" "$T/ec.conf" || exit 1

for k in rsa ec; do
	[ $k = rsa ] && p=$PR || p=$PE
	n0=$(maildir_count)
	out=$(swaks --tls -s 127.0.0.1 -p "$p" --h-Subject "swaks $k" \
	    --from sender@client.example --to rcpt@test.example 2>&1)
	expect "swaks --tls ($k): delivered" '<~  250 ' "$out"
	expect "swaks --tls ($k): TLS started" 'TLS started with cipher' "$out"
	[ "$(maildir_count)" -gt "$n0" ] && pass "swaks --tls ($k): in the Maildir" ||
	    fail "swaks --tls ($k): in the Maildir"
	f=$(maildir_last)
	expect "Received: says ESMTPS ($k)" 'with ESMTPS' "$(cat "$f" 2>/dev/null)"

	for v in 1.2 1.3; do
		out=$( (printf 'EHLO client.example\n'; sleep 1; printf 'QUIT\n') |
		    timeout 20 openssl s_client -connect 127.0.0.1:"$p" -starttls smtp \
		    "-tls1_${v#1.}" -crlf -ign_eof 2>&1)
		expect "openssl s_client -starttls smtp ($k, TLS $v): handshake" \
		    "Protocol *: TLSv$v" "$out"
		expect "openssl s_client ($k, TLS $v): EHLO answered under TLS" \
		    '250[- ]AUTH PLAIN LOGIN CRAM-MD5' "$out"
	done
	# TLS 1.2 with PKCS#1 v1.5 signatures (the parent's DigestInfo path)
	out=$( (printf 'QUIT\n') | timeout 20 openssl s_client -connect 127.0.0.1:"$p" \
	    -starttls smtp -tls1_2 -sigalgs "RSA+SHA256:ECDSA+SHA256" -crlf -ign_eof 2>&1)
	expect "s_client TLS 1.2, PKCS#1/ECDSA SHA-256 signature ($k)" \
	    'Protocol *: TLSv1.2' "$out"

	for v in 1.3 1.2; do
		$TLSC resume "$p" $v | sed "s/)\$/, $k)/"
	done
	out=$($TLSC smtplib "$p" alice wonderland)
	expect "python smtplib starttls()+login() ($k)" "login=ok version=TLSv1.3" "$out"
done
grep -q 'starttls version=TLSv1.3 cipher=TLS_AES_[0-9]*_GCM_SHA[0-9]* resumed=1' "$LOG" &&
    pass "log: starttls version= cipher= resumed=1" ||
    fail "log: starttls version= cipher= resumed=1"
grep -q 'starttls version=TLSv1.2 cipher=ECDHE-ECDSA-' "$LOG" &&
    pass "log: TLS 1.2 with an ECDSA key" || fail "log: TLS 1.2 with an ECDSA key"

# RFC 3207 corner cases
n0=$(maildir_count)
$TLSC pipelined "$PR"
$TLSC noehlo "$PR"
$TLSC arg "$PR"
for m in garbage drop; do
	$TLSC $m "$PR"
done
sleep 1
[ "$(maildir_count)" -eq "$n0" ] && pass "nothing delivered by the corner cases" ||
    fail "nothing delivered by the corner cases"
n=$(grep -c 'starttls failed' "$LOG")
[ "$n" -ge 2 ] && pass "failed handshakes logged ($n)" || fail "failed handshakes logged ($n)"
if grep -E 'disconnect .*(signal=|killed)' "$LOG" >"$T/bad.log"; then
	fail "every child exited cleanly"; sed 's/^/#   /' "$T/bad.log" | head -5
else
	pass "every child exited cleanly (no signal, no kill)"
fi
exit 0
