#!/bin/sh
# Smoke test of the real peers the other tests and the benchmarks use.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/peers/postfix.sh"
. "$TOP/regress/peers/opensmtpd.sh"
. "$TOP/regress/peers/sink.sh"
. "$TOP/regress/dns/dns.sh"

sw() { timeout 30 swaks --silent 1 --hide-all --server 127.0.0.1 -f a@src.test "$@"; }

# certificates only (no DNS servers needed)
mkdir -p "$T/dns"; DNS_DIR=$T/dns; _dns_certs

P=$(freeport); S=$(freeport)
if postfix_start "$P" -c "$DNS_DIR/chain.pem" -k "$DNS_DIR/leaf.key" -s "$S" \
    -r 'bad@dst.test 550 5.1.1 no such user' -r 'later@dst.test 450 4.2.0 try later' \
    2>"$T/postfix.err"; then
	check "postfix: plain message accepted" sw -p "$P" -t x@dst.test
	check "postfix: STARTTLS with the test CA" sw -p "$P" -t y@dst.test -tls \
	    --tls-verify --tls-ca-path "$DNS_DIR/ca.pem"
	check "postfix: SMTPS" sw -p "$S" -tlsc -t z@dst.test
	out=$(timeout 30 swaks --server 127.0.0.1 -f a@src.test -p "$P" -t bad@dst.test 2>&1)
	expect "postfix: per-recipient 550" '550 5\.1\.1' "$out"
	out=$(timeout 30 swaks --server 127.0.0.1 -f a@src.test -p "$P" -t later@dst.test 2>&1)
	expect "postfix: per-recipient 450" '450 4\.2\.0' "$out"
	if peer_maildir_wait "$POSTFIX_MAILDIR" 3; then pass "postfix: 3 messages in its Maildir"
	else fail "postfix: Maildir has $(ls "$POSTFIX_MAILDIR/new" 2>/dev/null | wc -l) messages"; fi
	expect "postfix: maillog written" 'status=sent' "$(cat "$POSTFIX_LOG")"
	postfix_stop
else
	skip "postfix" "$(tail -n 1 "$T/postfix.err")"
fi

P=$(freeport)
if opensmtpd_start "$P" 2>"$T/opensmtpd.err"; then
	check "opensmtpd: plain message accepted" sw -p "$P" -t x@dst.test
	if peer_maildir_wait "$OPENSMTPD_MAILDIR" 1; then pass "opensmtpd: delivered to its Maildir"
	else fail "opensmtpd: nothing in its Maildir"; fi
	out=$(grep -h 'x@dst.test' "$OPENSMTPD_MAILDIR"/new/* 2>/dev/null)
	expect "opensmtpd: the message is there" 'x@dst\.test' "$out"
	opensmtpd_stop
else
	skip "opensmtpd" "$(tail -n 1 "$T/opensmtpd.err")"
fi

P=$(freeport)
if sink_start "$P" -c 2>"$T/sink.err"; then
	check "smtp-sink: accepts" sw -p "$P" -t x@dst.test
	check "smtp-source: 20 messages" timeout 30 "$SMTP_SOURCE" -s 2 -m 20 "127.0.0.1:$P"
	sink_stop
else
	skip "smtp-sink" "$(tail -n 1 "$T/sink.err")"
fi
