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
# -d: a transcript has the chunks' lines, and a note for octets dropped
PORT2=$(freeport)
tcpserver_start "$PORT2" -d || exit 1
python3 - "$PORT2" > "$T/chat.out" <<'EOP'
import socket, sys, time
msg = b"Subject: t\r\n\r\n.dot\r\n"
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(b"EHLO x.example\r\nBDAT 6\r\nQUIT\r\nMAIL FROM:<a@b.example>\r\n"
          b"RCPT TO:<u@test.example>\r\nBDAT %d LAST\r\n" % len(msg) + msg + b"QUIT\r\n")
out, end = b"", time.time() + 10
while time.time() < end:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
EOP
ts=$(cat "$T"/smtpdb/* 2>/dev/null)
expect "-d: a refused chunk is noted, not its octets" '^< \[6 octets dropped\]$' "$ts"
expect "-d: a chunk's lines are in the transcript as sent" '^< \.dot$' "$ts"
expect "the session went on to QUIT" '^221 ' "$(cat "$T/chat.out")"
