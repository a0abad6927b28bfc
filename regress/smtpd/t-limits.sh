#!/bin/sh
# Every limit at its bound and one past it: command and text line length,
# maxsize by SIZE= and by real size, maxrcpt, maxhops, maxerrors.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
cat >> "$CONF" <<EOC
maxerrors 1000
maxsize 10000
maxhops 5
maxrcpt 100
EOC
PORT=$(freeport)
tcpserver_start "$PORT" || exit 1
python3 "$TOP/regress/smtpd/limits.py" "$PORT" "$MAILDIR" ||
    fail "limits.py did not run to its end"
# maxerrors: its own server
CONF2=$T/smtpd2.conf
sed 's/^maxerrors .*/maxerrors 3/' "$CONF" > "$CONF2"
CONF=$CONF2
PORT2=$(freeport)
tcpserver_start "$PORT2" || exit 1
TOP="$TOP" python3 - "$PORT2" "$MAILDIR" <<'EOP' || fail 'inline python did not run to its end'
import os, sys
sys.path.insert(0, os.environ["TOP"] + "/regress/smtpd")
from smtptest import *
c = connect()
for i in range(3):
    want(c, "BOGUS%d" % i, 500, "maxerrors 3: error %d answered" % (i + 1))
want(c, "NOOP", 250, "maxerrors 3: still talking after 3 errors")
c.send("BOGUS\r\n")
reply_ok(c.reply(), 500, "the 4th error is answered")
reply_ok(c.reply(), 421, "then 421 4.7.0", r"^421 4\.7\.0")
ok(c.eof(), "and the connection is closed")
c = connect()
c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x>\r\nRCPT TO:<y>\r\nRCPT TO:<z>\r\nRCPT TO:<w>\r\n")
rs = c.replies(6)
ok([r[0] for r in rs] == [250, 501, 501, 501, 501, 421], "refused RCPTs count too, 421 after the 4th", [r[0] for r in rs])
done()
EOP
