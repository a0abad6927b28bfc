#!/bin/sh
# -r / verifysenderdom through the parent's libunbound and the test DNS
# (regress/dns/dns.sh): MX, A only, NXDOMAIN, null MX, SERVFAIL, bogus,
# unsigned; no resolver configured; the HELO DNS check (-E) and rDNS.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup

# without a resolver -r cannot work: nothing passes unchecked (451 4.4.3)
echo "verifysenderdom on" >> "$CONF"
P0=$(freeport)
start_smtpd "$P0" || exit 0
PE0=$(freeport)
start_smtpd "$PE0" -E || exit 0
r=$(conv "$P0" ehlo:client.example mail:a@nxdomain.test quit)
expect "no resolver: -r sender gets 451 4.4.3, not a pass" "^451 4\.4\.3" "$(line mail "$r" | cut -d' ' -f2-)"
r=$(conv "$PE0" ehlo:client.example quit)
expect "no resolver: -E HELO name gets 451 4.4.3, not a pass" "^451 4\.4\.3" "$(line ehlo "$r" | cut -d' ' -f2-)"
sleep 0.3
expect "no resolver: warning logged" "verifysenderdom is on but no resolver" "$(cat "$LOG")"

. "$TOP/regress/dns/dns.sh"
if ! dns_start "$T" >"$T/dns.log" 2>&1; then
	skip "verifysenderdom with DNS" "test DNS did not start: $(tail -n 1 "$T/dns.log")"
	exit 0
fi
chmod -R a+rX "$T/dns"
echo "unbound $DNS_CONF" >> "$CONF"
P=$(freeport)
start_smtpd "$P" || exit 0
r=$(conv "$P" ehlo:client.example mail:a@pref.test cmd:RSET mail:a@amx.test cmd:RSET \
	mail:a@nxdomain.test mail:a@nullmx.test mail:a@servfail.test \
	mail:a@bogus.test mail:a@unsigned.test cmd:RSET mail:'a@[127.0.0.1]' quit)
echo "$r" > "$T/r.txt"
m() { sed -n "$1p" "$T/r.txt.mail" | cut -d' ' -f2-; }
grep '^mail ' "$T/r.txt" > "$T/r.txt.mail"
expect "sender domain with MX passes" "^250" "$(m 1)"
expect "sender domain with only A passes (implicit MX)" "^250" "$(m 2)"
expect "NXDOMAIN sender domain: 550 5.1.8" "^550 5\.1\.8" "$(m 3)"
expect "null MX sender domain: 550 5.1.8" "^550 5\.1\.8" "$(m 4)"
expect "... the reply names the domain, not the sender address" "^550 5\.1\.8 Sender domain nxdomain\.test does not exist" "$(m 3)"
expect "SERVFAIL sender domain: 451 4.4.3" "^451 4\.4\.3" "$(m 5)"
expect "bogus sender domain: 451 4.4.3" "^451 4\.4\.3 .*DNSSEC" "$(m 6)"
expect "unsigned (insecure) sender domain passes" "^250" "$(m 7)"
expect "address literal sender not looked up" "^250" "$(m 8)"
sleep 0.3
expect "bogus answer logged with why_bogus" "result=bogus why=" "$(cat "$LOG")"
expect "policy line for the NXDOMAIN" 'sender="a@nxdomain.test" action=reject reason=senderdom-nxdomain' "$(cat "$LOG")"
expect "rDNS of the peer found and forward-confirmed" "dns ptr addr=127\.0\.0\.1 name=client\.test" "$(cat "$LOG")"
r=$(SMTPC_SRC=127.0.0.21 conv "$P" ehlo:client.example quit)
sleep 0.3
expect "rDNS not forward-confirmed is not used" "dns ptr addr=127\.0\.0\.21 name=unconfirmed" "$(cat "$LOG")"
n0=$(maildir_count)
r=$(sendmsg "$P" a@pref.test u@test.example)
sleep 0.5
expect "rDNS, looked up by the parent after the drop, reaches Received:" \
    "^Received: from client\.example \(client\.test \[127\.0\.0\.1\]\)" "$(cat "$(maildir_last)" 2>/dev/null)"

# UTF-8 sender domains (SMTPUTF8) are looked up as A-labels, or refused
# (smtpc.py sends latin-1: each UTF-8 octet is written as the character
# of that code point, so "\303\203\302\274" goes out as C3 BC, u-umlaut)
uu=$(printf '\303\203\302\274')
snow=$(printf '\303\242\302\230\302\203')
r=$(conv "$P" ehlo:client.example "cmd:MAIL FROM:<a@b${uu}cher.test> SMTPUTF8" \
	cmd:RSET "cmd:MAIL FROM:<a@${snow}.test> SMTPUTF8" quit)
printf '%s\n' "$r" > "$T/idn.txt"
grep '^mail ' "$T/idn.txt" > "$T/idn.mail"
expect "UTF-8 sender domain looked up as its A-label (xn--bcher-kva.test has an MX): 250" "^250" "$(sed -n 1p "$T/idn.mail" | cut -d' ' -f2-)"
expect "UTF-8 sender domain that is no IDN (U+2603): refused" "^550 5\.1\.8" "$(sed -n 2p "$T/idn.mail" | cut -d' ' -f2-)"
sleep 0.3
expect "A-label in the log" "dns query=senderdom name=b.*cher\.test alabel=xn--bcher-kva\.test result=ok" "$(cat "$LOG")"
expect "invalid IDN logged" "not an IDN" "$(cat "$LOG")"

# no DNS answer is parsed as root: priv/dns.c refuses a query as root
if [ "$BIN" = "$TOP" ] || ! nm "$BIN/smtpd/priv/dns.o" 2>/dev/null | grep -q __asan_; then
	cc=${CC:-cc}; san=
else
	cc=clang; san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
# shellcheck disable=SC2086
if $cc -std=gnu11 -D_GNU_SOURCE -g -Wall -Werror $san -I"$TOP/privsep" -I"$TOP/smtpd" \
    -o "$T/dnsroot-test" "$TOP/regress/policy/dnsroot-test.c" "$BIN/smtpd/priv/dns.o" \
    "$BIN/smtpd/dlload.o" "$BIN/privsep/libprivsep.a" \
    $(pkg-config --cflags --libs libbsd-overlay) -ldl \
    >"$T/cc.log" 2>&1; then
	"$T/dnsroot-test" "$DNS_CONF" "$MAIL_USER" 2>"$T/dnsroot.log"
	grep -q "query as root refused" "$T/dnsroot.log" &&
	    pass "as root: logged 'query as root refused'" ||
	    fail "as root: logged 'query as root refused'"
else
	fail "compile dnsroot-test"; sed 's/^/#   /' "$T/cc.log" | tail -5
fi

# HELO checks: -f refuses a claim to be us; -E asks for AUTH instead
C0=$CONF
C1=$T/helo.conf; cp "$CONF" "$C1"; echo "norelay on" >> "$C1"
CONF=$C1; P1=$(freeport); start_smtpd "$P1" || exit 0
PE=$(freeport); start_smtpd "$PE" -E || exit 0; CONF=$C0
r=$(SMTPC_SRC=127.0.0.2 conv "$P1" ehlo:mx.test.example ehlo:'[127.0.0.9]' ehlo:h2.test quit)
expect "-f: HELO claiming our name refused" "^550 5\.7\.1" "$(printf '%s\n' "$r" | grep '^ehlo ' | sed -n 1p | cut -d' ' -f2-)"
expect "-f: address literal not the peer refused" "^550 5\.7\.1" "$(printf '%s\n' "$r" | grep '^ehlo ' | sed -n 2p | cut -d' ' -f2-)"
expect "-f: an honest name passes" "^250" "$(printf '%s\n' "$r" | grep '^ehlo ' | sed -n 3p | cut -d' ' -f2-)"
r=$(conv "$PE" ehlo:no-such-host.nxdomain.test mail:a@pref.test quit)
expect "-E: HELO not in DNS: AUTH required, in the reply's first line" "250[- ]mx\.test\.example Hello .*authentication required" "$r"
expect "-E: then MAIL needs AUTH (530)" "^530" "$(line mail "$r" | cut -d' ' -f2-)"
r=$(conv "$PE" ehlo:client.test mail:a@pref.test quit)
expect "-E: a name in our DNS passes" "^250" "$(line mail "$r" | cut -d' ' -f2-)"
r=$(conv "$PE" ehlo:servfail.test quit)
expect "-E: HELO name whose lookup fails: 451 4.4.3, not a pass" "^451 4\.4\.3" "$(line ehlo "$r" | cut -d' ' -f2-)"
r=$(conv "$PE" ehlo:localhost mail:a@pref.test quit)
expect "-E: dotless name: AUTH required" "^530" "$(line mail "$r" | cut -d' ' -f2-)"
