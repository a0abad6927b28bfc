#!/bin/sh
# A relay adds only its trace (RFC 5321 2.3.10, 6.4): a message without
# To:, Date: or Message-ID: goes through smtpd's queue and runq to an
# inner SMTP server (runq runs smtp -x) with its header and body as sent,
# apart from the Received: lines.  Recipients with % in them reach it as
# given (smtp(8) reads %%xx as an escape: runq escapes every %).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
PI=$(freeport)
mkdir -p "$T/got"
# an inner server that keeps each message as it arrived (dots unstuffed)
python3 - "$PI" "$T/got" <<'PY' >"$T/sink.log" 2>&1 &
import os, socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(8)
n = 0
while True:
    c, _ = s.accept(); f = c.makefile("rb")
    def say(x): c.sendall(x.encode() + b"\r\n")
    say("220 sink.test ESMTP")
    while True:
        l = f.readline()
        if not l: break
        u = l.decode(errors="replace").strip().upper()
        if u.startswith("EHLO"): say("250-sink.test\r\n250 8BITMIME")
        elif u.startswith("RCPT"):
            with open(os.path.join(out, "rcpts"), "a") as w: w.write(l.decode().strip()[8:] + "\n")
            say("250 ok")
        elif u == "DATA":
            say("354 go"); d = b""
            while True:
                l = f.readline()
                if not l or l == b".\r\n": break
                d += l[1:] if l.startswith(b".") else l
            n += 1
            with open(os.path.join(out, "m%d" % n), "wb") as w: w.write(d)
            say("250 2.0.0 kept")
        elif u == "QUIT": say("221 bye"); break
        else: say("250 ok")
    c.close()
PY
bg_track $!
wait_port "$PI" || { fail "the inner server did not start"; exit 0; }
queue_setup <<EOR
inner.test tcp!127.0.0.1!$PI
EOR
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }
# no To:, Date:, Message-ID:; an unqualified From:, a Bcc:, odd spacing,
# a folded field and a dot line: a Plan 9 conversion would touch each
printf 'Subject:  as   is\nFrom: s\nBcc: hidden@elsewhere.test\nX-Folded: one\n\ttwo\n\n.a dot line\nbody\n' > "$T/m"
OUT=$(qsend "$P" ext@sender.test x@inner.test < "$T/m")
expect "queued" '^250 2\.0\.0 Ok, queued as ' "$OUT"
check "runq handed it on" queue_wait 15
i=0; while [ $i -lt 50 ] && [ ! -s "$T/got/m1" ]; do sleep 0.1; i=$((i + 1)); done
check "the inner server has it" test -s "$T/got/m1"
# the Received: lines (with their continuations) set aside
python3 - "$T/got/m1" "$T/m" > "$T/cmp" 2>&1 <<'PY'
import sys
got = open(sys.argv[1], "rb").read()
sent = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
out, skip = [], False
for l in got.splitlines(keepends=True):
    if l.lower().startswith(b"received:"): skip = True; continue
    if skip and l[:1] in (b" ", b"\t"): continue
    skip = False; out.append(l)
rest = b"".join(out)
print("same" if rest == sent else "differs:\n%r\n%r" % (rest, sent))
PY
check "header and body arrive as sent, apart from Received:" grep -qx same "$T/cmp" ||
    sed 's/^/# /' "$T/cmp"
check "no Message-ID:, Date: or To: was added" sh -c "! grep -Eiq '^(message-id|date|to):' '$T/got/m1'"
check "a Received: line was added" grep -qi '^Received:' "$T/got/m1"
: > "$T/got/rcpts"
# smtpd refuses a % in a relayed local part (norelay): an entry written
# by hand, as a queue from elsewhere or an older smtpd could hold it
ID=$(date +%s).pct
cp "$T/m" "$QDIR/$ID.d"
printf 'V upas-queue 1\nT %s\nF ext@sender.test\nB 0 0\nR 0 0 0 a%%%%41b@inner.test \nR 0 0 0 c%%d@inner.test \n' "$(date +%s)" > "$QDIR/$ID.c"
chown "$MAIL_USER" "$QDIR/$ID.d" "$QDIR/$ID.c"
"$RUNQ" -C "$QCONF" "$ID" >/dev/null 2>&1
check "% in recipients: delivered, the entry is gone" test ! -e "$QDIR/$ID.c"
check "% in recipients: they reach the inner server as given" sh -c "grep -qx '<a%%41b@inner.test>' '$T/got/rcpts' && grep -qx '<c%d@inner.test>' '$T/got/rcpts'"
exit 0
