#!/bin/sh
# Every verb in every state of the session (smtpd/session/session.c's verb table), arguments,
# MAIL/RCPT parameters and path syntax, -a.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
echo "maxerrors 1000" >> "$CONF"
echo "maxsize 100000" >> "$CONF"
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/verbs.py" "$PORT" "$MAILDIR" ||
    fail "verbs.py did not run to its end"
PORT2=$(freeport)
tcpserver_start "$PORT2" -a || exit 1
TOP="$TOP" python3 - "$PORT2" <<'EOP' || fail 'inline python did not run to its end'
import sys, os
sys.path.insert(0, os.environ["TOP"] + "/regress/smtpd")
from smtptest import *
c = connect()
want(c, "MAIL FROM:<a@b.example>", 530, "-a: MAIL before AUTH is 530 5.7.0", r"^530 5\.7\.0 Authentication required")
want(c, "RCPT TO:<u@test.example>", 503, "-a: RCPT after a refused MAIL is 503")
done()
EOP
