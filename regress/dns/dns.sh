# Test DNS for upas-smtp: an authoritative nsd and a validating unbound, both
# on 127.0.0.1 (free ports), with a private signed root so nothing ever leaves
# the machine.  Source it after regress/lib.sh:
#
#	. "$TOP/regress/dns/dns.sh"
#	dns_start "$T" [DANE_PORT]	# zones generated per run under $T/dns
#	... smtp -C conf (with "unbound $DNS_CONF") ...
#	dns_stop			# also done by the EXIT trap (bg_track)
#
# dns_start sets and exports:
#	DNS_PORT	nsd (authoritative, answers with aa, no recursion)
#	UNBOUND_PORT	validating unbound (dig @127.0.0.1 -p $UNBOUND_PORT ... +dnssec)
#	DNS_CONF	$T/dns/unbound.conf: a libunbound config for our programs
#			(forward-zone "." to the validating unbound, the test root
#			trust anchor, local-zone "test." and "127.in-addr.arpa."
#			nodefault).  smtp.conf / smtpd.conf: "unbound $DNS_CONF".
#	DNS_ANCHOR	$T/dns/root.ds: the trust anchor (DS of our root ".")
#	DANE_PORT	the port of the TLSA owners _PORT._tcp.<mx> (argument 2,
#			or a free port); start the TLS peers there
#	DNS_CERT DNS_KEY	leaf certificate chain (leaf then CA, PEM) and its
#			key; SAN: every mx-*.test DANE host but mx-tabad.test
#	DNS_CA DNS_CAKEY	the test CA (for 2 1 1) and its key
#
# Zones (TTL 30).  "." is ours, signed; it delegates test. (signed, DS) and
# holds the PTRs for 127.0.0.1 .. 127.0.0.22 itself (signed).
#  test. (signed, secure):
#	pref.test	MX 10 mx1.test, MX 20 mx2.test
#	equal.test	MX 10 mx1.test, MX 10 mx2.test
#	multi.test	MX 10 mx6.test (mx6.test: A 127.0.0.7 and A 127.0.0.8)
#	amx.test	A 127.0.0.6 only (implicit MX)
#	nullmx.test	MX 0 .				(RFC 7505)
#	nohost.test	MX 10 missing.test		(missing.test: NXDOMAIN)
#	cname.test	MX 10 alias.test		(alias.test CNAME mx1.test)
#	loop.test	MX 10 loophost.test		(loophost.test A 127.0.0.1)
#	loopmix.test	MX 10 loophost.test, MX 20 mx2.test
#	nxdomain.test	does not exist (secure NXDOMAIN)
#	xn--bcher-kva.test (bücher.test)	MX 10 mx1.test	(IDNA2008)
#	mx1.test 127.0.0.2   mx2.test 127.0.0.3   mx3.test 127.0.0.4
#	mx4.test 127.0.0.5   client.test 127.0.0.1 (PTR of 127.0.0.1 too)
#   DANE (TLSA at _DANE_PORT._tcp.<host>, every MX host A secure):
#	dane-ee.test	 MX mx-ee.test    127.0.0.10  TLSA 3 1 1 leaf SPKI
#	dane-ee0.test	 MX mx-ee0.test   127.0.0.11  TLSA 3 0 1 leaf cert
#	dane-ta.test	 MX mx-ta.test    127.0.0.12  TLSA 2 1 1 CA SPKI
#	danebogus.test	 MX tlsa.bogus.test 127.0.0.13 TLSA bogus (RRSIG broken)
#	dane-bad.test	 MX mx-bad.test   127.0.0.14  TLSA 3 1 1 mismatching
#	dane-none.test	 MX mx-none.test  127.0.0.15  no TLSA (secure denial)
#	dane-strip.test	 MX mx-strip.test 127.0.0.16  TLSA 3 1 1 leaf (run a
#			 server without STARTTLS there: must not deliver)
#	dane-tabad.test	 MX mx-tabad.test 127.0.0.17  TLSA 2 1 1 CA, name not in cert
#	dane-unus.test	 MX mx-unus.test  127.0.0.18  TLSA 0 0 1 and 3 1 255 only
#   MTA-STS (RFC 8461; regress/smtp/t-sts.sh serves the policies over HTTPS
#   on $STS_HTTPS_ADDR:443 and SMTP on $DANE_PORT):
#	mta-sts.sts-*.test  A $STS_HTTPS_ADDR (default 127.0.0.40) for sts-enf,
#			 sts-out, sts-bad, sts-self, sts-testing, sts-plain,
#			 sts-dane, sts-redir, sts-type: the policy server;
#			 _mta-sts.<d> TXT
#			 "v=STSv1; id=20260101a;" for each of them
#	sts-enf.test	 MX mx-sts1.test    127.0.0.41
#	sts-out.test	 MX mx-sts-out.test 127.0.0.42
#	sts-bad.test	 MX mx-sts-bad.test 127.0.0.43 (name not in DNS_CERT)
#	sts-self.test	 MX mx-sts-self.test 127.0.0.44 (serve a certificate from
#			 another CA there)
#	sts-testing.test MX mx-sts-bad.test
#	sts-plain.test	 MX mx-sts-plain.test 127.0.0.45 (a server without STARTTLS)
#	sts-dane.test	 MX mx-ee.test (TLSA 3 1 1, see DANE above)
#	sts-notxt.test	 MX mx-sts1.test, no _mta-sts TXT record
#	sts-redir.test, sts-type.test  MX mx-sts-out.test
#  unsigned.test. (delegated without DS: insecure):
#	unsigned.test	 MX 10 mx.unsigned.test  127.0.0.19, TLSA 3 1 1 mismatching
#			 at _DANE_PORT._tcp.mx.unsigned.test (ignored: insecure)
#	a.unsigned.test	 A 127.0.0.19 only
#  bogus.test. (DS in test., RRSIGs over MX/A/AAAA/TLSA corrupted):
#	bogus.test	 MX 10 mx.bogus.test 127.0.0.9 (bogus MX and A)
#	tlsa.bogus.test	 A 127.0.0.13 valid, TLSA at _DANE_PORT._tcp bogus
#  servfail.test. (nsd configured for it but has no zone: SERVFAIL)
#  Sender domains for smtpd -r: pref.test (MX), amx.test (A only),
#	nxdomain.test, nullmx.test, servfail.test, bogus.test, unsigned.test.
#  rDNS: 127.0.0.1 -> client.test; 127.0.0.N (2..20) -> h<N>.test with
#	A 127.0.0.N; 127.0.0.21 -> nomatch.test (A 127.0.0.22: not confirmed).

DNS_DIR=
_dns_nsd=
_dns_unbound=

_dns_freeport() {	# TCP and UDP free on loopback, 40000-49999 (not lib.sh's)
	i=0
	while [ $i -lt 200 ]; do
		p=$(( 40000 + $(od -An -N2 -tu2 /dev/urandom) % 10000 ))
		ss -Htuan 2>/dev/null | awk '{ print $5 }' | grep -q ":$p\$" ||
		    { echo "$p"; return 0; }
		i=$((i + 1))
	done
	return 1
}

_dns_wait_udp() {	# port: until a DNS server answers there, 10 s at most
	i=0
	while [ $i -lt 100 ]; do
		dig +time=1 +tries=1 +norec @127.0.0.1 -p "$1" . SOA >/dev/null 2>&1 &&
		    return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# Key for one zone: prints the base name of the files (K<zone>+013+<id>).
_dns_key() {
	(cd "$DNS_DIR" && ldns-keygen -a ECDSAP256SHA256 -k "$1")
}

_dns_sign() {	# zonefile zone keybase
	ldns-signzone -i "$(date -u -d '-1 day' +%Y%m%d)" \
	    -e "$(date -u -d '+30 day' +%Y%m%d)" -o "$2" -f "$1.signed" \
	    "$1" "$DNS_DIR/$3" >/dev/null
}

_dns_tlsa() {	# selector mtype cert.pem: hex data
	case $1 in
	0) openssl x509 -in "$3" -outform DER ;;
	1) openssl x509 -in "$3" -noout -pubkey | openssl pkey -pubin -outform DER ;;
	esac | case $2 in
	1) openssl dgst -sha256 -binary ;;
	2) openssl dgst -sha512 -binary ;;
	esac | od -An -v -tx1 | tr -d ' \n'
}

_dns_certs() {
	d=$DNS_DIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 -subj "/CN=upas test CA" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/leaf.key" -out "$d/leaf.csr" -subj "/CN=mx-ee.test" 2>/dev/null ||
	    return 1
	san="DNS:mx-ee.test,DNS:mx-ee0.test,DNS:mx-ta.test,DNS:mx-bad.test"
	san="$san,DNS:mx-none.test,DNS:mx-strip.test,DNS:mx-unus.test"
	san="$san,DNS:tlsa.bogus.test,DNS:mx.unsigned.test,DNS:mx1.test,DNS:mx2.test"
	san="$san,DNS:mx-sts1.test,DNS:mx-sts-out.test"
	san="$san,DNS:localhost,IP:127.0.0.1"
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    "$san" > "$d/leaf.ext"
	openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 30 -extfile "$d/leaf.ext" -out "$d/leaf.pem" \
	    2>/dev/null || return 1
	cat "$d/leaf.pem" "$d/ca.pem" > "$d/chain.pem"
	chmod 644 "$d"/*.pem "$d"/*.key
}

_dns_zones() {
	d=$DNS_DIR; p=$DANE_PORT
	ee=$(_dns_tlsa 1 1 "$d/leaf.pem")
	ee0=$(_dns_tlsa 0 1 "$d/leaf.pem")
	ta=$(_dns_tlsa 1 1 "$d/ca.pem")
	bad=$(printf 'not the key' | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')

	kroot=$(_dns_key .); ktest=$(_dns_key test.); kbogus=$(_dns_key bogus.test.)

	# bogus.test: signed, then RRSIGs over MX/A/AAAA/TLSA broken (only
	# TLSA for tlsa.bogus.test, whose address stays valid).
	cat > "$d/bogus.zone" <<EOZ
\$TTL 30
bogus.test.	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 30
bogus.test.	IN NS ns.test.
bogus.test.	IN MX 10 mx.bogus.test.
bogus.test.	IN A 127.0.0.9
mx.bogus.test.	IN A 127.0.0.9
_$p._tcp.mx.bogus.test. IN TLSA 3 1 1 $ee
tlsa.bogus.test. IN A 127.0.0.13
_$p._tcp.tlsa.bogus.test. IN TLSA 3 1 1 $ee
EOZ
	_dns_sign "$d/bogus.zone" bogus.test. "$kbogus" || return 1
	awk '$4 == "RRSIG" && ($5 == "MX" || $5 == "A" || $5 == "AAAA" || $5 == "TLSA") &&
	    !($1 == "tlsa.bogus.test." && $5 != "TLSA") {
		s = $NF; c = substr(s, 1, 1); c = (c == "A") ? "B" : "A"
		$NF = c substr(s, 2)
	    } { print }' "$d/bogus.zone.signed" > "$d/bogus.zone.bad" &&
	    mv "$d/bogus.zone.bad" "$d/bogus.zone.signed"

	cat > "$d/unsigned.zone" <<EOZ
\$TTL 30
unsigned.test.	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 30
unsigned.test.	IN NS ns.test.
unsigned.test.	IN MX 10 mx.unsigned.test.
mx.unsigned.test. IN A 127.0.0.19
a.unsigned.test. IN A 127.0.0.19
_$p._tcp.mx.unsigned.test. IN TLSA 3 1 1 $bad
EOZ

	{
	cat <<EOZ
\$TTL 30
test.		IN SOA ns.test. hostmaster.test. 1 3600 600 86400 30
test.		IN NS ns.test.
ns.test.	IN A 127.0.0.1
client.test.	IN A 127.0.0.1
mx1.test.	IN A 127.0.0.2
mx2.test.	IN A 127.0.0.3
mx3.test.	IN A 127.0.0.4
mx4.test.	IN A 127.0.0.5
amx.test.	IN A 127.0.0.6
mx6.test.	IN A 127.0.0.7
mx6.test.	IN A 127.0.0.8
loophost.test.	IN A 127.0.0.1
pref.test.	IN MX 10 mx1.test.
pref.test.	IN MX 20 mx2.test.
equal.test.	IN MX 10 mx1.test.
equal.test.	IN MX 10 mx2.test.
multi.test.	IN MX 10 mx6.test.
nullmx.test.	IN MX 0 .
nohost.test.	IN MX 10 missing.test.
cname.test.	IN MX 10 alias.test.
alias.test.	IN CNAME mx1.test.
loop.test.	IN MX 10 loophost.test.
loopmix.test.	IN MX 10 loophost.test.
loopmix.test.	IN MX 20 mx2.test.
xn--bcher-kva.test. IN MX 10 mx1.test.
nomatch.test.	IN A 127.0.0.22
dane-ee.test.	IN MX 10 mx-ee.test.
mx-ee.test.	IN A 127.0.0.10
_$p._tcp.mx-ee.test. IN TLSA 3 1 1 $ee
dane-ee0.test.	IN MX 10 mx-ee0.test.
mx-ee0.test.	IN A 127.0.0.11
_$p._tcp.mx-ee0.test. IN TLSA 3 0 1 $ee0
dane-ta.test.	IN MX 10 mx-ta.test.
mx-ta.test.	IN A 127.0.0.12
_$p._tcp.mx-ta.test. IN TLSA 2 1 1 $ta
danebogus.test.	IN MX 10 tlsa.bogus.test.
dane-bad.test.	IN MX 10 mx-bad.test.
mx-bad.test.	IN A 127.0.0.14
_$p._tcp.mx-bad.test. IN TLSA 3 1 1 $bad
dane-none.test.	IN MX 10 mx-none.test.
mx-none.test.	IN A 127.0.0.15
dane-strip.test. IN MX 10 mx-strip.test.
mx-strip.test.	IN A 127.0.0.16
_$p._tcp.mx-strip.test. IN TLSA 3 1 1 $ee
dane-tabad.test. IN MX 10 mx-tabad.test.
mx-tabad.test.	IN A 127.0.0.17
_$p._tcp.mx-tabad.test. IN TLSA 2 1 1 $ta
dane-unus.test.	IN MX 10 mx-unus.test.
mx-unus.test.	IN A 127.0.0.18
_$p._tcp.mx-unus.test. IN TLSA 0 0 1 $ee0
_$p._tcp.mx-unus.test. IN TLSA 3 1 255 $ee
sts-enf.test.	IN MX 10 mx-sts1.test.
sts-out.test.	IN MX 10 mx-sts-out.test.
sts-bad.test.	IN MX 10 mx-sts-bad.test.
sts-testing.test. IN MX 10 mx-sts-bad.test.
sts-dane.test.	IN MX 10 mx-ee.test.
sts-notxt.test.	IN MX 10 mx-sts1.test.
sts-redir.test.	IN MX 10 mx-sts-out.test.
sts-type.test.	IN MX 10 mx-sts-out.test.
mx-sts1.test.	IN A 127.0.0.41
mx-sts-out.test. IN A 127.0.0.42
mx-sts-bad.test. IN A 127.0.0.43
sts-self.test.	IN MX 10 mx-sts-self.test.
mx-sts-self.test. IN A 127.0.0.44
sts-plain.test.	IN MX 10 mx-sts-plain.test.
mx-sts-plain.test. IN A 127.0.0.45
unsigned.test.	IN NS ns.test.
bogus.test.	IN NS ns.test.
servfail.test.	IN NS ns.test.
EOZ
	for _sts in sts-enf sts-out sts-bad sts-self sts-testing sts-plain \
	    sts-dane sts-redir sts-type; do
		printf 'mta-sts.%s.test.\tIN A %s\n' $_sts "${STS_HTTPS_ADDR:-127.0.0.40}"
		printf '_mta-sts.%s.test.\tIN TXT "v=STSv1; id=20260101a;"\n' $_sts
	done
	i=2
	while [ $i -le 20 ]; do
		printf 'h%d.test.\tIN A 127.0.0.%d\n' $i $i
		i=$((i + 1))
	done
	sed 's/;.*//' "$d/$kbogus.ds"
	} > "$d/test.zone"
	_dns_sign "$d/test.zone" test. "$ktest" || return 1

	{
	cat <<EOZ
\$TTL 30
.		IN SOA ns.test. hostmaster.test. 1 3600 600 86400 30
.		IN NS ns.test.
test.		IN NS ns.test.
ns.test.	IN A 127.0.0.1
1.0.0.127.in-addr.arpa. IN PTR client.test.
21.0.0.127.in-addr.arpa. IN PTR nomatch.test.
EOZ
	i=2
	while [ $i -le 20 ]; do
		printf '%d.0.0.127.in-addr.arpa.\tIN PTR h%d.test.\n' $i $i
		i=$((i + 1))
	done
	sed 's/;.*//' "$d/$ktest.ds"
	} > "$d/root.zone"
	_dns_sign "$d/root.zone" . "$kroot" || return 1
	sed 's/;.*//' "$d/$kroot.ds" > "$d/root.ds"
}

# dns_start DIR [DANE_PORT]
dns_start() {
	DNS_DIR=$1/dns
	rm -rf "$DNS_DIR"; mkdir -p "$DNS_DIR"; chmod 755 "$DNS_DIR"
	DANE_PORT=${2:-${DANE_PORT:-$(_dns_freeport)}}
	DNS_PORT=$(_dns_freeport)
	UNBOUND_PORT=$(_dns_freeport)
	while [ "$UNBOUND_PORT" = "$DNS_PORT" ]; do UNBOUND_PORT=$(_dns_freeport); done
	DNS_CERT=$DNS_DIR/chain.pem; DNS_KEY=$DNS_DIR/leaf.key
	DNS_CA=$DNS_DIR/ca.pem; DNS_CAKEY=$DNS_DIR/ca.key
	DNS_ANCHOR=$DNS_DIR/root.ds; DNS_CONF=$DNS_DIR/unbound.conf
	export DNS_DIR DNS_PORT UNBOUND_PORT DANE_PORT DNS_CERT DNS_KEY DNS_CA \
	    DNS_CAKEY DNS_ANCHOR DNS_CONF
	_dns_certs || { echo "dns_start: certificates failed" >&2; return 1; }
	_dns_zones || { echo "dns_start: zones failed" >&2; return 1; }

	d=$DNS_DIR
	cat > "$d/nsd.conf" <<EOC
server:
	ip-address: 127.0.0.1@$DNS_PORT
	port: $DNS_PORT
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	server-count: 1
	reuseport: no
	hide-version: yes
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "$d/root.zone.signed"
zone:
	name: "test."
	zonefile: "$d/test.zone.signed"
zone:
	name: "bogus.test."
	zonefile: "$d/bogus.zone.signed"
zone:
	name: "unsigned.test."
	zonefile: "$d/unsigned.zone"
zone:
	name: "servfail.test."
	zonefile: "$d/servfail.zone.missing"
EOC
	cat > "$d/unbound-server.conf" <<EOC
server:
	interface: 127.0.0.1
	port: $UNBOUND_PORT
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	num-threads: 1
	so-reuseport: no
	outgoing-range: 64
	outgoing-interface: 127.0.0.1
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	trust-anchor-file: "$d/root.ds"
	root-hints: ""
	qname-minimisation: no
	val-log-level: 2
	verbosity: 1
	infra-host-ttl: 1
	cache-max-ttl: 30
	cache-max-negative-ttl: 5
	serve-expired: no
	local-zone: "test." nodefault
	local-zone: "127.in-addr.arpa." nodefault
	local-zone: "in-addr.arpa." nodefault
remote-control:
	control-enable: no
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$DNS_PORT
stub-zone:
	name: "test."
	stub-addr: 127.0.0.1@$DNS_PORT
stub-zone:
	name: "bogus.test."
	stub-addr: 127.0.0.1@$DNS_PORT
stub-zone:
	name: "unsigned.test."
	stub-addr: 127.0.0.1@$DNS_PORT
stub-zone:
	name: "servfail.test."
	stub-addr: 127.0.0.1@$DNS_PORT
EOC
	# For libunbound in our programs: validate locally, forward to the
	# test unbound (which never queries outside: everything is stubbed).
	cat > "$DNS_CONF" <<EOC
server:
	do-ip6: no
	username: ""
	chroot: ""
	trust-anchor-file: "$d/root.ds"
	do-not-query-localhost: no
	outgoing-interface: 127.0.0.1
	qname-minimisation: no
	local-zone: "test." nodefault
	local-zone: "127.in-addr.arpa." nodefault
	local-zone: "in-addr.arpa." nodefault
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$UNBOUND_PORT
EOC
	chmod 644 "$d"/*.conf "$d"/root.ds

	nsd -d -c "$d/nsd.conf" >"$d/nsd.out" 2>&1 &
	_dns_nsd=$!
	command -v bg_track >/dev/null 2>&1 && bg_track $_dns_nsd
	unbound -d -c "$d/unbound-server.conf" >"$d/unbound.out" 2>&1 &
	_dns_unbound=$!
	command -v bg_track >/dev/null 2>&1 && bg_track $_dns_unbound
	_dns_wait_udp "$DNS_PORT" || { echo "dns_start: nsd did not start" >&2; return 1; }
	_dns_wait_udp "$UNBOUND_PORT" || { echo "dns_start: unbound did not start" >&2; return 1; }
	return 0
}

dns_stop() {
	[ -n "$_dns_unbound" ] && kill "$_dns_unbound" 2>/dev/null
	[ -n "$_dns_nsd" ] && kill "$_dns_nsd" 2>/dev/null
	[ -n "$_dns_unbound$_dns_nsd" ] && sleep 0.1
	_dns_unbound= _dns_nsd=
	return 0
}

# dns_q NAME TYPE: ask the validating unbound (prints status, flags, answer)
dns_q() {
	dig +time=3 +tries=1 +dnssec @127.0.0.1 -p "$UNBOUND_PORT" "$1" "${2:-A}"
}
