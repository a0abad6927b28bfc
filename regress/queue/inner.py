#!/usr/bin/env python3
# inner.py PORT RECORD [--p451rcpt P] [--p451data P] [--quitdelay S] [--seed N]
#	[--times FILE] [--datadelay S]
# A small inner SMTP server for the queue tests.  For every message it
# accepts it appends "message-id recipient" to RECORD, fsyncs, and only
# then answers 250 (so RECORD says what the server took, even when the
# client is killed before it reads the 250).  With --times it also
# appends "message-id recipient seconds" (the wall clock of that commit)
# to FILE.  It may answer 451 at RCPT or after the data, at random, and
# wait before answering after the data or before answering QUIT.
import os, random, re, socket, sys, threading, time

args = sys.argv[1:]
port, record = int(args[0]), args[1]
opt = {"--p451rcpt": 0.0, "--p451data": 0.0, "--quitdelay": 0.0, "--seed": None,
       "--times": None, "--datadelay": 0.0}
i = 2
while i < len(args):
    a = args[i]
    opt[a] = args[i + 1] if a == "--times" else int(args[i + 1]) if a == "--seed" else float(args[i + 1])
    i += 2
rnd = random.Random(opt["--seed"])
lock = threading.Lock()

def handle(c):
    f = c.makefile("rb")
    def say(s):
        c.sendall(s.encode() + b"\r\n")
    say("220 inner.test ESMTP")
    rcpts = []
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.decode(errors="replace").strip()
        u = cmd.upper()
        if u.startswith("EHLO") or u.startswith("HELO"):
            say("250-inner.test\r\n250-8BITMIME\r\n250 SMTPUTF8" if u.startswith("EHLO") else "250 inner.test")
        elif u.startswith("MAIL"):
            rcpts = []
            say("250 2.1.0 ok")
        elif u.startswith("RCPT"):
            with lock:
                bad = rnd.random() < opt["--p451rcpt"]
            if bad:
                say("451 4.3.0 random rcpt failure")
            else:
                rcpts.append(re.sub(r"^RCPT TO:<(.*)>.*$", r"\1", cmd, flags=re.I))
                say("250 2.1.5 ok")
        elif u == "DATA":
            if not rcpts:
                say("554 5.5.1 no recipients")
                continue
            say("354 go")
            data = b""
            while True:
                l = f.readline()
                if not l or l == b".\r\n":
                    break
                data += l
            if not l:
                return
            time.sleep(opt["--datadelay"])
            m = re.search(rb"^Message-ID:\s*(<[^>]*>)", data, re.I | re.M)
            mid = m.group(1).decode() if m else "<none>"
            with lock:
                bad = rnd.random() < opt["--p451data"]
                if not bad:
                    with open(record, "a") as r:
                        for x in rcpts:
                            r.write("%s %s\n" % (mid, x))
                        r.flush()
                        os.fsync(r.fileno())
                    if opt["--times"]:
                        with open(opt["--times"], "a") as t:
                            for x in rcpts:
                                t.write("%s %s %.6f\n" % (mid, x, time.time()))
            say("451 4.3.0 random data failure" if bad else "250 2.0.0 taken")
        elif u == "QUIT":
            time.sleep(opt["--quitdelay"])
            say("221 bye")
            return
        elif u in ("RSET", "NOOP"):
            rcpts = []
            say("250 ok")
        else:
            say("502 5.5.1 no")

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
while True:
    c, _ = s.accept()
    def run(c=c):
        try:
            handle(c)
        except OSError:
            pass
        finally:
            c.close()
    threading.Thread(target=run, daemon=True).start()
