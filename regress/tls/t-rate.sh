#!/bin/sh
# STARTTLS handshakes per second over loopback, full and resumed (session
# tickets across connections), each connection a new smtpd pair under
# tcpserver: EHLO, STARTTLS, handshake, QUIT.  Bounded: RATESECS each.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

RATESECS=${RATESECS:-3}
smtpd_setup
tls_certs || exit 1
tls_passwd
for k in rsa ec; do
	tls_conf $k "$T/$k.crt" "$T/$k.key"
	P=$(freeport); tls_start_server "$P" "$T/$k.conf" || exit 1
	for v in 1.3 1.2; do
		out=$($TLSC rate "$P" $v "$RATESECS")
		expect "handshakes/s $k TLS $v: $out" 'full=[0-9.]+/s resumed=[0-9.]+/s reused=([1-9][0-9]*)/\1$' "$out"
	done
done
exit 0
