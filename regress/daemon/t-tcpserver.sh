#!/bin/sh
# smtpd under tcpserver: swaks and smtplib deliver, byte-exact, log lines,
# and an empty spool afterwards.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# the system python starts much faster than a pyenv shim
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
D=$TOP/regress/daemon
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
P=$(freeport)
tcpserver_start "$P" || exit 0

out=$(swaks --server 127.0.0.1:"$P" --from me@test.example --to you@example.org \
    --h-Subject "swaks test" --body "hello from swaks" 2>&1)
expect "swaks gets 250 after the final dot" '<-  250 2\.0\.0 [0-9a-f]{8}\.1 ' "$out"
n=$(maildir_count)
expect "swaks message is in the Maildir" '^1$' "$n"
f=$(maildir_last)
expect "Received: line names our host and the peer" \
    'Received: from .*\[127\.0\.0\.1\].* by mx\.test\.example' "$(cat "$f" 2>/dev/null)"

# a message with dot-stuffing, 8-bit text, long lines and a blank-line body
python3 - "$T/msg.txt" <<'PY'
import sys
lines = [b"From: a@test.example", b"To: b@example.org", b"Subject: exact",
         b"", b".leading dot", b"..two dots", b"caf\xc3\xa9 8bit",
         b"x" * 990, b"", b"trailing", b"."]
open(sys.argv[1], "wb").write(b"\r\n".join(lines) + b"\r\n")
PY
r=$(python3 "$D/sendmsg.py" "$P" a@test.example b@example.org "$T/msg.txt")
expect "smtplib gets 250" '^250 ' "$r"
f=$(maildir_last)
python3 - "$T/msg.txt" "$f" <<'PY' && pass "message arrives byte-exact after our Received: line" || fail "message arrives byte-exact after our Received: line"
import sys
sent = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
got = open(sys.argv[2], "rb").read()
i = got.find(b"\nReceived: ")
if i < 0: sys.exit(1)
j = got.index(b"\n", i + 1)
# folded Received: continuation lines start with white space
while got[j + 1:j + 2] in (b" ", b"\t"):
    j = got.index(b"\n", j + 1)
rest = got[j + 1:]
if rest != sent:
    sys.stderr.write("sent %r\ngot  %r\n" % (sent[:200], rest[:200])); sys.exit(1)
PY

sleep 0.3
log=$(cat "$LOG")
expect "connect line logged" '[0-9a-f]{8} connect addr=127\.0\.0\.1 port=[0-9]+' "$log"
expect "message line logged" 'message id=[0-9a-f]{8}\.1 from=<a@test\.example> nrcpt=1 size=[0-9]+ mailer_status=0 result=250' "$log"
expect "child lines are prefixed session:" '[0-9a-f]{8} addr=127\.0\.0\.1 session: ' "$log"
expect "disconnect line logged" 'disconnect exit=0' "$log"
left=$(ls -A "$T/spool" | wc -l)
expect "spool is empty afterwards" '^0$' "$left"

# the null sender reaches the mailer as an empty -f argument
r=$(swaks --server 127.0.0.1:"$P" --from '<>' --to you@example.org 2>&1)
expect "null sender accepted" '<-  250 2\.0\.0' "$r"
f=$(maildir_last)
expect "null sender delivered with Return-Path <>" 'Return-Path: <>' "$(head -3 "$f")"
