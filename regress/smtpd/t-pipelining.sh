#!/bin/sh
# RFC 2920: whole batches in one write, replies in order, messages intact.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
echo "maxerrors 1000" >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/pipelining.py" "$PORT" "$MAILDIR" ||
    fail "pipelining.py did not run to its end"
