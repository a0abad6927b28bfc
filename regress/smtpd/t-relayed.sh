#!/bin/sh
# Real MTAs relaying to smtpd.  Exim's smtp transport sends with BDAT when
# CHUNKING is offered (RFC 3030); Postfix's smtp(8) client has no BDAT and
# sends DATA though it is offered.  Every message arrives whole, once:
# lines that begin with a dot, a lone dot, a large message.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/peers/exim.sh"
. "$TOP/regress/peers/postfix.sh"
smtpd_setup
PORT=$(freeport)
tcpserver_start "$PORT" -d || exit 1

# the messages, and how each must arrive (LF ends, dots as they were)
python3 - "$T" <<'EOP'
import sys
t = sys.argv[1]
small = b"Subject: small\n\n.a line with a leading dot\n.\n..two dots\nend\n"
lines = [(b"%06d " % i) + (b"." if i % 7 == 0 else b"x") * 70 for i in range(4000)]
large = b"Subject: large\n\n" + b"\n".join(lines) + b"\n"
open(t + "/small", "wb").write(small)
open(t + "/large", "wb").write(large)
EOP
# body_is FILE MSGFILE: the body (after the first empty line) is FILE's
body_is() {
	sed '1,/^$/d' "$1" > "$T/want"
	sed '1,/^$/d' "$2" > "$T/got"
	cmp -s "$T/want" "$T/got"
}
new_for() { grep -l "^Delivered-To: $1\$" "$MAILDIR"/new/* 2>/dev/null | head -n 1; }
wait_for() {
	i=0
	while [ -z "$(new_for "$1")" ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
	new_for "$1"
}

# Exim: BDAT
if exim_send "$PORT" -f a@src.test e1@test.example < "$T/small" &&
    exim_send "$PORT" -f a@src.test e2@test.example < "$T/large"; then
	pass "Exim delivered both messages to smtpd"
	m1=$(wait_for e1@test.example); m2=$(wait_for e2@test.example)
	if [ -n "$m1" ] && body_is "$T/small" "$m1"; then pass "Exim: the small message arrived whole"
	else fail "Exim: the small message is not as sent"; fi
	if [ -n "$m2" ] && body_is "$T/large" "$m2"; then pass "Exim: the large message ($(wc -c < "$T/large") octets) arrived whole"
	else fail "Exim: the large message is not as sent"; fi
	ts=$(cat "$T"/smtpdb/* 2>/dev/null)
	expect "smtpd offered CHUNKING" '^> 250-CHUNKING' "$ts"
	expect "Exim sent BDAT ... LAST" '^< BDAT [0-9]* LAST$' "$ts"
	if printf '%s\n' "$ts" | grep -q '^< DATA$'; then fail "Exim used DATA"
	else pass "and no DATA"; fi
	expect "Exim logged the deliveries as made with CHUNKING" \
	    '=> e2@test.example .* K C="250 2\.0\.0' "$(cat "$EXIM_LOG")"
else
	skip "Exim relaying to smtpd" "exim_send failed: $(tail -n 2 "$T"/exim-*/stderr "$EXIM_LOG" 2>/dev/null | tr '\n' ' ')"
fi

# Postfix: DATA, with the same result
rm -f "$T"/smtpdb/*
P=$(freeport)
if postfix_start "$P" -o "virtual_mailbox_domains =" \
    -o "default_transport = smtp:[127.0.0.1]:$PORT" \
    -o "smtpd_relay_restrictions = permit_mynetworks, reject" 2>"$T/postfix.err"; then
	python3 - "$P" "$T" <<'EOP' || fail "sending to Postfix"
import smtplib, sys
p, t = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", p, timeout=30)
for rcpt, f in (("p1@test.example", "small"), ("p2@test.example", "large")):
    s.sendmail("a@src.test", [rcpt], open(t + "/" + f, "rb").read().replace(b"\n", b"\r\n"))
s.quit()
EOP
	m1=$(wait_for p1@test.example); m2=$(wait_for p2@test.example)
	if [ -n "$m1" ] && body_is "$T/small" "$m1"; then pass "Postfix: the small message arrived whole"
	else fail "Postfix: the small message is not as sent"; fi
	if [ -n "$m2" ] && body_is "$T/large" "$m2"; then pass "Postfix: the large message arrived whole"
	else fail "Postfix: the large message is not as sent"; fi
	ts=$(cat "$T"/smtpdb/* 2>/dev/null)
	expect "Postfix relayed with DATA" '^< DATA$' "$ts"
	postfix_stop
else
	skip "Postfix relaying to smtpd" "postfix_start failed: $(tail -n 1 "$T/postfix.err")"
fi
