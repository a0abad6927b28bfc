#!/bin/sh
# sessiontimeout and messagetimeout: deadlines a trickling peer cannot
# stretch, with 421 4.4.2 (issue 12, point 11), also inside TLS.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
printf 'timeout 2\ndatatimeout 2\nsessiontimeout 5\nmessagetimeout 3\n' >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/deadline.py" "$PORT" "$MAILDIR" ||
    fail "deadline.py did not run to its end"

# inside TLS: a record trickled in; each read waits at most to the deadline
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=mx.test.example -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" \
    >/dev/null 2>&1; then
	cat "$T/cert.pem" "$T/key.pem" > "$T/both.pem"; chmod 600 "$T/both.pem"
	grep -v 'timeout' "$CONF" > "$T/tls.conf"
	printf 'timeout 10\ndatatimeout 10\nsessiontimeout 4\ncert %s\n' "$T/both.pem" >> "$T/tls.conf"
	CONF=$T/tls.conf
	P2=$(freeport)
	tcpserver_start "$P2" || exit 1
	python3 "$TOP/regress/smtpd/deadline_tls.py" "$P2" ||
	    fail "deadline_tls.py did not run to its end"
else
	skip "sessiontimeout inside TLS" "openssl cannot make a certificate"
fi
