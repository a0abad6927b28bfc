#!/bin/sh
# smtp -R writes each recipient's line as soon as the reply that decides
# it is in, not at the end: the runner records a recipient the server
# took before smtp goes on (RFC 1047's window is then one write and fsync
# in runq).  A scripted server that takes its time: a 550 to one RCPT
# comes out before the reply to the dot, which comes 0.5 s later; that
# line comes out before the reply to QUIT, 1 s later; with LMTP (RFC 2033
# 4.2) each recipient's line comes out before the next reply, 0.5 s
# later.  Each line names the recipient as given (a %%41 escape too).
# And the dot goes in the same write as the end of the message: written
# alone it waited for the server's delayed ACK (Nagle), 40 ms or more.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
printf 'Subject: r\nFrom: s@sender.test\nMessage-ID: <r@sender.test>\n\nhello\n' > "$T/m"
python3 - "$SMTP" "$T/m" <<'PY'
import socket, subprocess, sys, threading, time
smtp, msg = sys.argv[1], sys.argv[2]
first = []	# the first read after 354

def server(lmtp):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    def run():
        c, _ = s.accept(); f = c.makefile("rb")
        def say(x): c.sendall(x.encode() + b"\r\n")
        say("220 scripted.test")
        rc = []
        while True:
            l = f.readline()
            if not l: return
            u = l.decode().strip()
            if u[:4] in ("EHLO", "LHLO"): say("250-scripted.test\r\n250 8BITMIME")
            elif u.startswith("MAIL"): say("250 2.1.0 ok")
            elif u.startswith("RCPT"):
                if "bad@" in u: say("550 5.1.1 no such user")
                else: rc.append(u); say("250 2.1.5 ok")
            elif u == "DATA":
                say("354 go")
                if not lmtp:
                    # unbuffered: what one read gets (the makefile has nothing past DATA)
                    first.append(c.recv(65536))
                    if not first[0].endswith(b"\r\n.\r\n"):
                        while f.readline() not in (b".\r\n", b""): pass
                else:
                    while f.readline() not in (b".\r\n", b""): pass
                if lmtp:
                    for i, r in enumerate(rc):
                        if i: time.sleep(0.5)
                        say("250 2.0.0 taken for %s" % r[8:])
                else:
                    time.sleep(0.5); say("250 2.0.0 taken")
            elif u == "QUIT":
                time.sleep(1); say("221 bye"); c.close(); return
    threading.Thread(target=run, daemon=True).start()
    return s.getsockname()[1]

def run(dest, rcpts):
    t0 = time.time()
    p = subprocess.Popen([smtp, "-R", "-x", "-h", "client.test", dest, "s@sender.test"] + rcpts,
                         stdin=open(msg, "rb"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = []
    for l in p.stdout:
        lines.append((time.time() - t0, l.decode().rstrip("\n")))
    p.wait()
    return lines, time.time() - t0

def check(what, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok: print("#   " + detail)

port = server(False)
lines, end = run("tcp!127.0.0.1!%d" % port, ["bad@inner.test", "u@inner.test", "%%41x@inner.test"])
d = repr(lines) + " exit at %.2f" % end
check("smtp: three lines", len(lines) == 3, d)
if len(lines) == 3:
    check("smtp: the RCPT refusal first, at once", lines[0][1].startswith("bad@inner.test 5.1.1 550") and lines[0][0] < lines[1][0] - 0.4, d)
    check("smtp: the recipients the dot decided, by the address as given", lines[1][1].startswith("u@inner.test 2.0.0 250") and lines[2][1].startswith("%%41x@inner.test 2.0.0 250"), d)
    check("smtp: their lines before the reply to QUIT (1 s later)", lines[2][0] < end - 0.8, d)
check("smtp: the dot came with the message, in one read", bool(first) and first[0].endswith(b"\r\n.\r\n"), repr(first))

port = server(True)
lines, end = run("lmtp!tcp!127.0.0.1!%d" % port, ["a@inner.test", "b@inner.test", "c@inner.test"])
d = repr(lines) + " exit at %.2f" % end
check("LMTP: three lines, in the order of the replies", [l[1].split()[0] for l in lines] == ["a@inner.test", "b@inner.test", "c@inner.test"], d)
if len(lines) == 3:
    check("LMTP: each line before the next reply (0.5 s later)", lines[1][0] - lines[0][0] > 0.4 and lines[2][0] - lines[1][0] > 0.4, d)
    check("LMTP: the last before the reply to QUIT", lines[2][0] < end - 0.8, d)
PY
