#!/bin/sh
# DANE (RFC 7672) against the test DNS: smtp/dane.c directly through
# regress/dns/mxtest.c, then the smtp client delivering to a Postfix with
# STARTTLS (the test chain from dns.sh) on 127.0.0.10-19 and an smtp-sink
# without STARTTLS on 127.0.0.16, all on $DANE_PORT.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"
. "$TOP/regress/peers/sink.sh"

dns_start "$T" || { fail "test DNS did not start"; exit 0; }
pass "test DNS started"

MXTEST=$T/mxtest
if cc -std=gnu11 -D_GNU_SOURCE $(pkg-config --cflags libbsd-overlay) \
    -I"$TOP/privsep" -I"$TOP/smtp" -o "$MXTEST" "$TOP/regress/dns/mxtest.c" \
    "$TOP/smtp/mx.c" "$TOP/smtp/dane.c" "$TOP/privsep/libprivsep.a" \
    $(pkg-config --libs libbsd-overlay libcrypto libunbound) 2>"$T/cc.log"; then
	tl() { "$MXTEST" "$DNS_CONF" tlsa "$1" "$DANE_PORT" "$DNS_CERT" 2>&1; }
	out=$(tl mx-ee.test)
	expect "dane: 3 1 1 usable" '^status 1' "$out"
	expect "dane: 3 1 1 matches the leaf" 'verify 0' "$out"
	expect "dane: 3 0 1 matches the leaf" 'verify 0' "$(tl mx-ee0.test)"
	expect "dane: 2 1 1 chains to the CA" 'verify 0' "$(tl mx-ta.test)"
	expect "dane: 2 1 1 with a name not in the cert" 'verify -1 .*hostname' "$(tl mx-tabad.test)"
	expect "dane: 3 1 1 mismatch" 'verify -1' "$(tl mx-bad.test)"
	expect "dane: securely absent TLSA -> none" '^status 0' "$(tl mx-none.test)"
	expect "dane: bogus TLSA -> tempfail" '^status 3' "$(tl tlsa.bogus.test)"
	expect "dane: only 0 0 1 and 3 1 255 -> unusable" '^status 2' "$(tl mx-unus.test)"
	expect "dane: TLSA in an unsigned zone ignored" '^status 0' "$(tl mx.unsigned.test)"
	# the chain without the CA: 2 1 1 cannot find its anchor
	expect "dane: 2 1 1 needs the TA in the chain" 'verify -1' \
	    "$("$MXTEST" "$DNS_CONF" tlsa mx-ta.test "$DANE_PORT" "$DNS_DIR/leaf.pem" 2>&1)"
	# an expired certificate is fine for 3 1 1, not for 2 1 1
	openssl x509 -req -in "$DNS_DIR/leaf.csr" -CA "$DNS_CA" -CAkey "$DNS_CAKEY" \
	    -CAcreateserial -not_before 20200101000000Z -not_after 20200201000000Z \
	    -extfile "$DNS_DIR/leaf.ext" -out "$T/old.pem" 2>/dev/null ||
	openssl x509 -req -in "$DNS_DIR/leaf.csr" -CA "$DNS_CA" -CAkey "$DNS_CAKEY" \
	    -days -1 -extfile "$DNS_DIR/leaf.ext" -out "$T/old.pem" 2>/dev/null
	cat "$T/old.pem" "$DNS_CA" > "$T/oldchain.pem"
	if [ -s "$T/old.pem" ]; then
		expect "dane: 3 1 1 ignores expiry" 'verify 0' \
		    "$("$MXTEST" "$DNS_CONF" tlsa mx-ee.test "$DANE_PORT" "$T/oldchain.pem" 2>&1)"
		expect "dane: 2 1 1 checks expiry" 'verify -1 .*expired' \
		    "$("$MXTEST" "$DNS_CONF" tlsa mx-ta.test "$DANE_PORT" "$T/oldchain.pem" 2>&1)"
	else
		skip "dane: expiry" "openssl cannot make an expired certificate"
	fi
else
	fail "mxtest does not build: $(head -n 3 "$T/cc.log")"
fi

if [ ! -x "$SMTP" ]; then
	skip "smtp client DANE tests" "no $SMTP"
	exit 0
fi
P=$DANE_PORT
addrs=
for a in 10 11 12 13 14 15 17 18 19; do addrs="$addrs -a 127.0.0.$a"; done
if ! postfix_start "$P" $addrs -c "$DNS_CERT" -k "$DNS_KEY" 2>"$T/postfix.err"; then
	skip "smtp client DANE tests" "postfix: $(tail -n 1 "$T/postfix.err")"
	exit 0
fi
mkdir -p "$T/sink16"; chown postfix "$T/sink16"
if ! sink_start "$P" 127.0.0.16 -d "$T/sink16/%H%M%S." 2>"$T/sink.err"; then
	skip "smtp client DANE tests" "smtp-sink: $(tail -n 1 "$T/sink.err")"
	exit 0
fi
printf 'unbound %s\nconnecttimeout 5\ntimeout 20\nhostname client.test\n' "$DNS_CONF" > "$T/smtp.conf"
n=0
send() {	# expected-status domain: sends one message to r<n>@domain
	want=$1; dom=$2; shift 2
	n=$((n + 1))
	printf 'From: a@src.test\nTo: r%d@%s\nSubject: t%d\n\nbody %d\n' $n "$dom" $n $n |
	    timeout 60 "$SMTP" -d -C "$T/smtp.conf" "$@" "net!$dom!$P" a@src.test \
	    "r$n@$dom" >"$T/out.$n" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "# smtp exit $rc, wanted $want: $(grep -v '^<\|^>' "$T/out.$n" | tail -n 4 | tr '\n' ' ' | head -c 400)"
	return 1
}
msg() { grep -l "r$n@" "$POSTFIX_MAILDIR"/new/* 2>/dev/null | head -n 1; }
delivered() {	# what: the last message is in Postfix's Maildir, over TLS
	peer_maildir_wait "$POSTFIX_MAILDIR" 1 >/dev/null
	i=0; while [ -z "$(msg)" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	f=$(msg)
	if [ -n "$f" ] && grep -q 'using TLS' "$f"; then pass "$1"
	else fail "$1 (message ${f:-not delivered}, or not over TLS)"; fi
}
nothing() {	# what: the last message went nowhere
	sleep 0.3
	if [ -z "$(msg)" ] && ! grep -ql "r$n@" "$T/sink16"/* 2>/dev/null; then pass "$1"
	else fail "$1 (it was delivered)"; fi
}

send 0 dane-ee.test && delivered "smtp: DANE-EE 3 1 1 delivers" || fail "smtp: DANE-EE 3 1 1 delivers"
expect "smtp: the log names the DANE policy" 'dane' "$(grep -i policy "$T/out.$n")"
expect "smtp: the result line says tls=dane and the version" \
    "^ok: rcpt r$n@dane-ee.test: 250 .*\\[tls=dane TLSv1\\.[23]\\]$" "$(cat "$T/out.$n")"
send 0 dane-ee0.test && delivered "smtp: DANE-EE 3 0 1 delivers" || fail "smtp: DANE-EE 3 0 1 delivers"
send 0 dane-ta.test && delivered "smtp: DANE-TA 2 1 1 delivers" || fail "smtp: DANE-TA 2 1 1 delivers"
send 75 dane-bad.test && nothing "smtp: mismatching 3 1 1 defers, nothing sent" ||
    fail "smtp: mismatching 3 1 1 defers"
send 75 dane-tabad.test && nothing "smtp: 2 1 1 with a wrong name defers" ||
    fail "smtp: 2 1 1 with a wrong name defers"
send 75 danebogus.test && nothing "smtp: bogus TLSA defers" || fail "smtp: bogus TLSA defers"
send 75 dane-strip.test && nothing "smtp: STARTTLS missing under DANE: no delivery" ||
    fail "smtp: STARTTLS missing under DANE: no delivery"
send 0 dane-none.test && delivered "smtp: TLSA absent: opportunistic TLS" ||
    fail "smtp: TLSA absent: opportunistic TLS"
expect "smtp: TLSA absent: the result line says tls=opportunistic" \
    "^ok: rcpt r$n@dane-none.test: 250 .*\\[tls=opportunistic TLSv1\\.[23]\\]$" "$(cat "$T/out.$n")"
send 0 dane-unus.test && delivered "smtp: unusable TLSA: TLS without authentication" ||
    fail "smtp: unusable TLSA: TLS without authentication"
send 0 unsigned.test && delivered "smtp: TLSA in an unsigned zone ignored" ||
    fail "smtp: TLSA in an unsigned zone ignored"
