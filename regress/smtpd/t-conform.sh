#!/bin/sh
# Small conformance points (issue 12): VRFY/EXPN/NOOP/HELP/RSET/QUIT
# before EHLO (RFC 5321 4.1.4); with -E the EHLO reply starts with our
# name; a bare LF in a BDAT chunk that is not the last is answered at that
# chunk.  (The over-long hostname: regress/daemon/t-defaults.sh.)
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
ucspi() {	# smtpd on a pipe, an untrusted peer: stdin -> stdout
	TCPREMOTEIP=192.0.2.9 TCPREMOTEPORT=4242 TCPLOCALIP=127.0.0.1 \
	    TCPLOCALPORT=25 timeout 20 "$SMTPD" -C "$CONF" "$@" | tr -d '\r'
}

out=$(printf 'NOOP\r\nHELP\r\nVRFY postmaster\r\nEXPN staff\r\nRSET\r\nQUIT\r\n' | ucspi)
expect "before EHLO: NOOP 250" '^250 2\.0\.0 OK' "$(printf '%s\n' "$out" | sed -n 2p)"
expect "before EHLO: HELP 214" '^214 2\.0\.0 End of HELP' "$(printf '%s\n' "$out" | grep -m1 '^214 ')"
expect "before EHLO: VRFY 252" '^252 2\.1\.5 ' "$(printf '%s\n' "$out" | grep '^25[0-9] 2\.1\.5' | sed -n 1p)"
expect "before EHLO: EXPN 252" '^252 2\.1\.5 ' "$(printf '%s\n' "$out" | grep '^25[0-9] 2\.1\.5' | sed -n 2p)"
expect "before EHLO: RSET 250, QUIT 221" '^250 2\.0\.0 OK 221 2\.0\.0 ' \
    "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')"
expect "before EHLO: no 503 at all" '^0$' "$(printf '%s\n' "$out" | grep -c '^503')"

# -E: a HELO name that fails the checks asks for AUTH in the first line's text
out=$(printf 'EHLO localhost\r\nMAIL FROM:<a@example.net>\r\nQUIT\r\n' | ucspi -E)
expect "-E: the EHLO reply's first line is our name" \
    '^250-mx\.test\.example Hello localhost .*authentication required' \
    "$(printf '%s\n' "$out" | sed -n 2p)"
expect "-E: no 250-5.7.1 line anywhere" '^0$' "$(printf '%s\n' "$out" | grep -c '^250-5\.7\.1')"
expect "-E: then MAIL needs AUTH" '^530 ' "$(printf '%s\n' "$out" | grep '^530')"
out=$(printf 'HELO localhost\r\nQUIT\r\n' | ucspi -E)
expect "-E: HELO gets one line, our name first" '^250 mx\.test\.example Hello localhost' \
    "$(printf '%s\n' "$out" | sed -n 2p)"

# a bare LF in a chunk that is not the last, in a line the chunk leaves open
out=$(printf 'EHLO client.example\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<u@test.example>\r\nBDAT 9\r\nab\ncdefghBDAT 4 LAST\r\nhi\r\nQUIT\r\n' | ucspi)
expect "bare LF in a non-last chunk: 554 5.6.0 at that chunk" '^554 5\.6\.0 ' \
    "$(printf '%s\n' "$out" | grep -A1 '^250 2\.1\.5' | sed -n 2p)"
expect "then the LAST chunk is out of the transaction: 503" '^503 5\.5\.1 ' \
    "$(printf '%s\n' "$out" | grep -A2 '^250 2\.1\.5' | sed -n 3p)"
