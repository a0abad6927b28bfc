#!/bin/sh
# timeout and datatimeout end the session with 421 4.4.2.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
printf 'timeout 2\ndatatimeout 2\n' >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/timeout.py" "$PORT" "$MAILDIR" ||
    fail "timeout.py did not run to its end"
