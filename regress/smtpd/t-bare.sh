#!/bin/sh
# Bare CR, bare LF and NUL in commands and in DATA: an error reply, never
# a line end, never the end of a message (SMTP smuggling).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
echo "maxerrors 1000" >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/bare.py" "$PORT" "$MAILDIR" ||
    fail "bare.py did not run to its end"
