#!/usr/bin/env python3
# sendmsg.py PORT FROM TO MSGFILE [--hold SECONDS]: send MSGFILE (bytes, LF or
# CRLF lines) with smtplib; print the final reply as "CODE TEXT".
import smtplib, sys, time
port, sender, rcpt, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
try:
    s.ehlo("client.test.example")
    code, msg = s.mail(sender)
    if code != 250:
        print(code, msg.decode(errors="replace")); sys.exit(0)
    code, msg = s.rcpt(rcpt)
    if code not in (250, 251):
        print(code, msg.decode(errors="replace")); sys.exit(0)
    code, msg = s.data(data)
    print(code, msg.decode(errors="replace"))
    s.quit()
except smtplib.SMTPServerDisconnected as e:
    print("disconnected", e)
