#!/bin/sh
# sessiontimeout and messagetimeout: deadlines a trickling peer cannot
# stretch, with 421 4.4.2 (issue 12, point 11).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
printf 'timeout 2\ndatatimeout 2\nsessiontimeout 5\nmessagetimeout 3\n' >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/deadline.py" "$PORT" "$MAILDIR" ||
    fail "deadline.py did not run to its end"
