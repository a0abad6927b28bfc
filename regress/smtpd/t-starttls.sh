#!/bin/sh
# The session side of STARTTLS (RFC 3207): no pipelining after it, a
# clean slate after it, no second one.  TLS itself is tested in regress/tls.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
echo "maxerrors 1000" >> "$CONF"
if ! openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mx.test.example \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	skip "starttls" "openssl cannot make a certificate"; exit 0
fi
cat "$T/cert.pem" "$T/key.pem" > "$T/both.pem"
chmod 600 "$T/both.pem"
PORT=$(freeport)
tcpserver_start "$PORT" -c "$T/both.pem" || exit 1
python3 "$TOP/regress/smtpd/starttls.py" "$PORT" "$MAILDIR" ||
    fail "starttls.py did not run to its end"
