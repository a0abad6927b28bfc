#!/bin/sh
# The test DNS itself (regress/dns/dns.sh): nsd and the validating unbound
# answer as documented, validation works, nothing is asked outside.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"

if ! dns_start "$T"; then
	fail "dns_start: $(tail -n 3 "$T"/dns/*.out "$T"/dns/*.log 2>/dev/null)"
	exit 0
fi
pass "dns_start: nsd on $DNS_PORT, unbound on $UNBOUND_PORT"
for v in DNS_CONF DNS_ANCHOR DNS_CERT DNS_KEY DNS_CA; do
	eval f=\$$v
	check "dns_start: \$$v exists" test -s "$f"
done

q() { dig +time=3 +tries=1 +dnssec @127.0.0.1 -p "$UNBOUND_PORT" "$@" 2>&1; }
status() { q "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
ad() { q "$@" | grep -q 'flags:[a-z ]* ad[ ;]'; }

expect "signed MX answered" 'NOERROR' "$(status pref.test MX)"
check "signed MX validated (ad)" ad pref.test MX
expect "signed MX records" '10 mx1\.test\..*20 mx2\.test\.' "$(echo $(q pref.test MX +short | sort))"
expect "null MX" '^0 \.$' "$(q nullmx.test MX +short)"
expect "NXDOMAIN" 'NXDOMAIN' "$(status nxdomain.test MX)"
check "NXDOMAIN validated (ad)" ad nxdomain.test MX
expect "SERVFAIL zone" 'SERVFAIL' "$(status servfail.test MX)"
expect "bogus zone: SERVFAIL from the validator" 'SERVFAIL' "$(status bogus.test MX)"
expect "bogus zone answers with +cd" 'mx\.bogus\.test' "$(q bogus.test MX +cd +short)"
expect "bogus zone: address of tlsa.bogus.test valid" '127\.0\.0\.13' \
    "$(q tlsa.bogus.test A +short)"
expect "bogus TLSA" 'SERVFAIL' "$(status "_$DANE_PORT._tcp.tlsa.bogus.test" TLSA)"
expect "unsigned zone answers" 'mx\.unsigned\.test' "$(q unsigned.test MX +short)"
if ad unsigned.test MX; then fail "unsigned zone is not validated"
else pass "unsigned zone is not validated"; fi
check "TLSA 3 1 1 validated" ad "_$DANE_PORT._tcp.mx-ee.test" TLSA
spki=$(openssl x509 -in "$DNS_DIR/leaf.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 | awk '{ print toupper($NF) }')
expect "TLSA 3 1 1 is the leaf's SPKI" "$spki" \
    "$(q "_$DANE_PORT._tcp.mx-ee.test" TLSA +short | tr -d ' ' | tr a-f A-F)"
expect "PTR of 127.0.0.2" '^h2\.test\.$' "$(q -x 127.0.0.2 +short)"
check "PTR validated" ad -x 127.0.0.2
expect "PTR of 127.0.0.1" '^client\.test\.$' "$(q -x 127.0.0.1 +short)"
expect "MX hosts avoid 127.0.0.1" '^127\.0\.0\.2$' "$(q mx1.test A +short)"
# Nothing leaves the machine: a real name ends at our root, at once.
start=$(date +%s)
expect "outside names: NXDOMAIN from our root" 'NXDOMAIN' "$(status www.debian.org A)"
expect "... answered locally, quickly" '^[0-2]$' "$(( $(date +%s) - start ))"
check "nsd is authoritative on its port" sh -c \
    "dig +norec @127.0.0.1 -p $DNS_PORT pref.test MX | grep -q 'flags: qr aa'"
dns_stop
sleep 0.2
if dig +time=1 +tries=1 @127.0.0.1 -p "$UNBOUND_PORT" pref.test >/dev/null 2>&1; then
	fail "dns_stop: unbound still answers"
else
	pass "dns_stop"
fi
