# python smtplib, byte-exact delivery.  argv: PORT MAILDIR
import smtplib
from smtptest import *

body = ("Subject: smtplib\r\nFrom: a@b.example\r\n\r\n"
        ".dot\r\n..dots\r\n.\r\nend with spaces   \r\n" + "w" * 998 + "\r\n\r\n\r\nfin\r\n")
n0 = maildir_count()
s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="py.example", timeout=10)
code, msg = s.ehlo()
ok(code == 250 and s.has_extn("pipelining") and s.has_extn("size") and s.has_extn("8bitmime"),
   "smtplib: EHLO extensions", s.esmtp_features)
ok(s.esmtp_features.get("size", "").strip().isdigit(), "smtplib: SIZE carries a number")
refused = s.sendmail("a@b.example", ["u@test.example"], body.encode())
ok(refused == {}, "smtplib: sendmail accepted")
ok(wait_count(n0 + 1) == n0 + 1, "smtplib: delivered")
rcv, rest = after_received(maildir_files()[-1])
ok(rest == body.replace("\r\n..", "\r\n.").replace("\r\n", "\n").encode() or
   rest == body.replace("\r\n", "\n").encode(), "smtplib: the message arrives byte for byte", rest[:200])
ok(rest == body.replace("\r\n", "\n").encode(), "smtplib: dots exactly as sent (stuffing undone)", rest[:80])
ok(rcv.startswith(b"Received: from py.example ([127.0.0.1]) by mx.test.example with ESMTP id "),
   "smtplib: Received: line", rcv)

# 8-bit body with BODY=8BITMIME and SMTPUTF8
body8 = "Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nCaf\u00e9 cr\u00e8me \u2603\r\n".encode()
n0 = maildir_count()
refused = s.sendmail("j\u00f6rg@b.example", ["m\u00fcller@test.example"], body8,
                     mail_options=["BODY=8BITMIME", "SMTPUTF8"])
ok(refused == {}, "smtplib: 8-bit body and UTF-8 addresses with SMTPUTF8")
ok(wait_count(n0 + 1) == n0 + 1, "smtplib: the 8-bit message delivered")
ok(after_received(maildir_files()[-1])[1] == body8.replace(b"\r\n", b"\n"), "smtplib: 8-bit body intact")
s.quit()

# HELO: "with SMTP"; AUTH line for the -d masking check
c = connect(ehlo="helo.example", helo=True)
c.cmd("AUTH PLAIN AHVzZXIAcGFzcw==")
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
n0 = maildir_count()
reply_ok(c.cmd("DATA"), 354, "HELO session: 354")
c.send("Subject: helo\r\n\r\nx\r\n.\r\n")
reply_ok(c.reply(), 250, "HELO session: 250")
ok(wait_count(n0 + 1) == n0 + 1, "HELO session: delivered")
rcv = after_received(maildir_files()[-1])[0]
ok(b" with SMTP id " in rcv, "HELO session: Received: says 'with SMTP'", rcv)
c.cmd("QUIT")

# a 1 MB message
n0 = maildir_count()
big = "Subject: big\r\n\r\n" + "".join("%06d %s\r\n" % (i, "b" * 90) for i in range(10000))
s = smtplib.SMTP("127.0.0.1", PORT, local_hostname="py.example", timeout=30)
ok(s.sendmail("a@b.example", ["u@test.example"], big.encode()) == {}, "smtplib: 1 MB message accepted")
s.quit()
ok(wait_count(n0 + 1) == n0 + 1, "smtplib: 1 MB message delivered")
ok(after_received(maildir_files()[-1])[1] == big.replace("\r\n", "\n").encode(), "smtplib: 1 MB message intact")
done()
