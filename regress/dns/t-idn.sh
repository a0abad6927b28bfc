#!/bin/sh
# Names and addresses: IDNA2008 U-labels become A-labels (libidn2) for DNS
# and for a server without SMTPUTF8 (RFC 6531, 5891); a UTF-8 local part
# needs SMTPUTF8; foo..bar is a permanent error; an IPv6 literal is
# [IPv6:...] in RCPT (RFC 5321 4.1.3); this host's name is fully qualified
# ("hostname" in smtp.conf), never a bare word.  Postfix's smtp-sink (no
# SMTPUTF8) on mx1.test, bücher.test = xn--bcher-kva.test in the test DNS.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"
. "$TOP/regress/peers/sink.sh"

[ -x "$SMTP" ] || { skip "names" "no $SMTP"; exit 0; }
dns_start "$T" || { fail "test DNS did not start"; exit 0; }
P=$(freeport)
mkdir -p "$T/sink"; chown postfix "$T/sink" 2>/dev/null
if ! sink_start "$P" 127.0.0.2 -d "$T/sink/%H%M%S." 2>"$T/sink.err"; then
	skip "names" "smtp-sink: $(tail -n 1 "$T/sink.err")"
	exit 0
fi
conf() {
	printf 'unbound %s\nconnecttimeout 5\ntimeout 20\n' "$DNS_CONF" > "$T/smtp.conf"
	for l in "$@"; do echo "$l" >> "$T/smtp.conf"; done
}
conf "hostname client.test"
n=0
send() {	# destaddr rcpt...: one message; $RC, $OUT, $DUMP (what the sink got)
	d=$1; shift
	n=$((n + 1))
	printf 'Subject: t%d\n\nbody %d\n' $n $n |
	    timeout 60 "$SMTP" -C "$T/smtp.conf" "$d" a@src.test "$@" \
	    >"$T/out.$n" 2>&1
	RC=$?
	OUT=$(cat "$T/out.$n")
	sleep 0.2
	DUMP=$(grep -l "body $n" "$T/sink"/* 2>/dev/null | head -n 1)
	[ -n "$DUMP" ] && DUMP=$(cat "$DUMP")
}
U=$(printf 'b\303\274cher.test')	# bücher.test in UTF-8

send "net!$U!$P" "r@$U"
expect "U-label destaddr and recipient: delivered, exit 0" "^0$" "$RC"
expect "U-label: MX looked up as A-labels, RCPT in A-labels" \
    "X-Rcpt-Args: <r@xn--bcher-kva.test>" "$DUMP"
expect "U-label: no SMTPUTF8 on MAIL for a server without it" \
    "^X-Mail-Args: <a@src.test>[^U]*$" "$(echo "$DUMP" | grep X-Mail-Args)"
send "net!$U!$P" "$(printf 'j\303\266rg')@$U" "r2@$U"
expect "UTF-8 local part, no SMTPUTF8: that one fails, exit 69" "^69$" "$RC"
expect "UTF-8 local part: said why" "Permanent Failure: rcpt j.*553 5.6.7" "$OUT"
expect "UTF-8 local part: the other recipient delivered" \
    "X-Rcpt-Args: <r2@xn--bcher-kva.test>" "$DUMP"

send "net!foo..bar!$P" r@foo..bar
expect "destaddr foo..bar: permanent, exit 69" "^69$" "$RC"
expect "destaddr foo..bar: said why" "illegal.*empty label" "$OUT"
send "net!-x.test!$P" r@x.test
expect "destaddr -x.test: permanent, exit 69" "^69$" "$RC"
send "net!pref.test!$P" r@foo..bar ok@pref.test
expect "recipient @foo..bar: that one fails, exit 69" "^69$" "$RC"
expect "recipient @foo..bar: said so" \
    "Permanent Failure: rcpt r@foo..bar: 553 5.1.3 malformed" "$OUT"
expect "recipient @foo..bar: the other delivered" \
    "X-Rcpt-Args: <ok@pref.test>" "$DUMP"

# IPv6 literal: an unqualified recipient gets @[IPv6:::1]
P6=$(freeport)
mkdir -p "$T/sink6"; chown postfix "$T/sink6" 2>/dev/null
"$SMTP_SINK" -u postfix -d "$T/sink6/%H%M%S." "[::1]:$P6" 16 >"$T/sink6.log" 2>&1 &
bg_track $!
if wait_port "$P6"; then
	printf 'Subject: v6\n\nbody v6\n' | "$SMTP" -C "$T/smtp.conf" \
	    "[IPv6:::1]:$P6" a@src.test r6 "x@[::1]" >"$T/out.v6" 2>&1
	expect "IPv6 literal destaddr: exit 0" "^0$" "$?"
	sleep 0.2
	d=$(cat "$T/sink6"/* 2>/dev/null)
	expect "IPv6 literal: RCPT TO:<r6@[IPv6:::1]>" \
	    "X-Rcpt-Args: <r6@\[IPv6:::1\]>" "$d"
	expect "IPv6 literal: x@[::1] sent as x@[IPv6:::1]" \
	    "X-Rcpt-Args: <x@\[IPv6:::1\]>" "$d"
else
	skip "IPv6 literal" "smtp-sink on [::1] did not start"
fi

# this host's name: hostname, else the system's FQDN, never a bare word
conf "hostname mail.client.test"
send "net!pref.test!$P" ok@pref.test
expect "hostname: EHLO with it" "X-Helo-Args: mail.client.test" "$DUMP"
expect "hostname: Message-ID with it" "Message-ID: <[^>]*@mail.client.test>" "$DUMP"
conf
sys=$(hostname 2>/dev/null)
case $sys in
*.*) skip "unqualified host name refused" "this system's name $sys is qualified" ;;
*)
	if getent hosts "$sys" | grep -q "[[:space:]]$sys\.[^[:space:]]"; then
		skip "unqualified host name refused" "$sys has an FQDN in hosts"
	else
		send "net!pref.test!$P" ok@pref.test
		expect "unqualified system name ($sys), no hostname: exit 75" "^75$" "$RC"
		expect "unqualified: said why" "not fully qualified: set \"hostname\"" "$OUT"
		expect "unqualified: nothing sent" "^$" "$DUMP"
	fi ;;
esac
conf "hostname vm"
send "net!pref.test!$P" ok@pref.test
expect "hostname unqualified in smtp.conf: exit 75" "^75$" "$RC"
