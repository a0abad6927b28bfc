#!/bin/sh
# CHUNKING (RFC 3030): BDAT chunks into the same spool and delivery as
# DATA, every chunk's octets read whatever the answer, the errors.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
cat >> "$CONF" <<EOC
maxerrors 1000
maxsize 10000
EOC
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/bdat.py" "$PORT" "$MAILDIR" ||
    fail "bdat.py did not run to its end"
