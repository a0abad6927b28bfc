#!/usr/bin/env python3
# A scripted SMTP client for the policy tests: one connection, the steps
# from the command line, one output line per reply: "<step> <code> <text>"
# (the last line of a multi-line reply; "<step>-" lines for the others).
#   smtpc.py PORT [step ...]    steps:
#     wait                 read the greeting (always first unless "early")
#     early:LINE           send LINE before reading the greeting
#     ehlo:NAME helo:NAME  mail:ADDR  rcpt:ADDR  data  body:FILE|-  (message)
#     auth:USER:PASS (AUTH PLAIN)  cmd:TEXT (any command)  quit  sleep:SEC
import os, socket, sys, time, base64

def main():
    port = int(sys.argv[1])
    t0 = time.time()
    src = os.environ.get("SMTPC_SRC")
    s = socket.create_connection(("127.0.0.1", port), 10,
                                 (src, 0) if src else None)
    s.settimeout(60)
    f = s.makefile("rb")

    def reply(step):
        while True:
            line = f.readline()
            if not line:
                print(step, "EOF"); sys.stdout.flush(); return None
            t = line.decode("latin-1").rstrip("\r\n")
            if len(t) >= 4 and t[3] == "-":
                print(step + "-", t); continue
            print(step, t); sys.stdout.flush()
            return t[:3]

    def send(text):
        s.sendall(text.encode("latin-1") + b"\r\n")

    steps = sys.argv[2:]
    last = None
    if not steps or not steps[0].startswith("early:"):
        if reply("greet") is None:
            return
    for st in steps:
        k, _, v = st.partition(":")
        try:
            if k == "early":
                send(v)
                reply("greet")
                if reply("early") is None:
                    return
            elif k in ("ehlo", "helo"):
                send("%s %s" % (k.upper(), v)); reply(k)
            elif k == "mail":
                send("MAIL FROM:<%s>" % v); reply(k)
            elif k == "rcpt":
                send("RCPT TO:<%s>" % v); reply("rcpt:" + v)
            elif k == "data":
                send("DATA"); last = reply(k)
            elif k == "body" and last != "354":
                print("eom SKIPPED")
            elif k == "body":
                txt = sys.stdin.read() if v == "-" else open(v).read()
                for ln in txt.splitlines():
                    send("." + ln if ln.startswith(".") else ln)
                send("."); reply("eom")
            elif k == "auth":
                u, _, p = v.partition(":")
                tok = base64.b64encode(("\0%s\0%s" % (u, p)).encode()).decode()
                send("AUTH PLAIN " + tok); reply(k)
            elif k == "cmd":
                send(v); reply(v.split()[0].lower())
            elif k == "quit":
                send("QUIT"); reply(k)
            elif k == "sleep":
                time.sleep(float(v))
        except (OSError, socket.timeout) as e:
            print(k, "ERR", e)
            break
    print("elapsed %.2f" % (time.time() - t0))

main()
