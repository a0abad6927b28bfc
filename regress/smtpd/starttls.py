# argv: PORT MAILDIR; the server has -c.
import socket
import ssl
from smtptest import *

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE


def tls(c):
    c.sock = ctx.wrap_socket(c.sock, server_hostname="mx.test.example")
    c.buf = b""


c = connect()
r = c.cmd("EHLO client.example")
reply_ok(r, 250, "EHLO offers STARTTLS with -c", r"250-STARTTLS")
want(c, "HELP", 214, "HELP names STARTTLS when it is offered", r"HELP STARTTLS")
want(c, "STARTTLS now", 501, "STARTTLS with an argument is 501 5.5.4", r"^501 5\.5\.4")
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL")
want(c, "STARTTLS", 503, "STARTTLS in a transaction is 503 5.5.1", r"^503 5\.5\.1")

c = connect(ehlo=None)
want(c, "STARTTLS", 503, "STARTTLS before EHLO is 503")

c = connect()
c.send("STARTTLS\r\nMAIL FROM:<evil@b.example>\r\n")
r = c.reply()
ok(r[0] is not None and r[0] >= 500, "commands pipelined after STARTTLS: refused", r)
ok(c.eof(), "and the connection closed")

c = connect()
reply_ok(c.cmd("STARTTLS"), 220, "STARTTLS is 220 2.0.0", r"^220 2\.0\.0")
try:
    tls(c)
    ok(True, "TLS handshake")
except (ssl.SSLError, OSError) as e:
    ok(False, "TLS handshake", e)
    done()
want(c, "MAIL FROM:<a@b.example>", 503, "after STARTTLS the HELO is forgotten (MAIL 503)")
r = c.cmd("EHLO client.example")
reply_ok(r, 250, "EHLO again under TLS")
ok(not any("STARTTLS" in l for l in r[1]), "no STARTTLS offered under TLS", r[1])
r = c.cmd("HELP")
reply_ok(r, 214, "HELP under TLS")
ok(not any("STARTTLS" in l for l in r[1]), "HELP under TLS does not name STARTTLS", r[1])
want(c, "STARTTLS", 503, "a second STARTTLS is 503 5.5.1", r"^503 5\.5\.1")
n0 = maildir_count()
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL under TLS")
want(c, "RCPT TO:<u@test.example>", 250, "RCPT under TLS")
want(c, "DATA", 354, "DATA under TLS")
c.send("Subject: tls\r\n\r\nsecret\r\n.\r\n")
reply_ok(c.reply(), 250, "message under TLS")
ok(wait_count(n0 + 1) == n0 + 1, "delivered")
rcv = after_received(maildir_files()[-1])[0]
ok(b" with ESMTPS id " in rcv, "Received: says ESMTPS", rcv)
# BDAT through TLS: the chunk's octets come from TLS records, in pieces
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL for BDAT under TLS")
want(c, "RCPT TO:<u@test.example>", 250, "RCPT for BDAT under TLS")
big = b"Subject: bdat tls\r\n\r\n" + b"".join(b"%05d %s\r\n" % (i, b"." * 60) for i in range(2000))
c.send(b"BDAT %d\r\n" % len(big) + big)
reply_ok(c.reply(), 250, "a %d-octet BDAT chunk under TLS" % len(big))
c.send(b"BDAT 13 LAST\r\n.last line\n\r\n")
reply_ok(c.reply(), 554, "a bare LF in the last chunk: 554, as in the clear")
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL again")
want(c, "RCPT TO:<u@test.example>", 250, "RCPT again")
c.send(b"BDAT %d\r\n" % len(big) + big + b"BDAT 12 LAST\r\n.last line\r\n")
ok([x[0] for x in c.replies(2)] == [250, 250], "two BDAT chunks pipelined under TLS")
ok(wait_count(n0 + 2) == n0 + 2, "delivered")
ok(after_received(maildir_files()[-1])[1] == big.replace(b"\r\n", b"\n") + b".last line\n",
   "the BDAT message arrived whole through TLS")
c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<u@test.example>\r\nRSET\r\nNOOP\r\n")
ok([x[0] for x in c.replies(4)] == [250, 250, 250, 250], "pipelining under TLS")
want(c, "QUIT", 221, "QUIT under TLS")
done()
