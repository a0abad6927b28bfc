# Pipelined batches.  argv: PORT MAILDIR
import smtplib
from smtptest import *


def codes(rs):
    return [r[0] for r in rs]


c = connect(ehlo=None)
c.send("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@test.example>\r\n"
       "RCPT TO:<bad>\r\nRCPT TO:<v@test.example>\r\nNOOP\r\nDATA\r\n")
rs = c.replies(7)
ok(codes(rs) == [250, 250, 250, 501, 250, 250, 354], "one batch EHLO..DATA: replies in order", rs)
n0 = maildir_count()
c.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<a@b.example>\r\n"
       "RCPT TO:<u@test.example>\r\nDATA\r\nSubject: second\r\n\r\n..two\r\n.\r\nQUIT\r\n")
rs = c.replies(6)
ok(codes(rs) == [250, 250, 250, 250, 354, 250], "message, RSET, a whole transaction and QUIT in one write", rs)
reply_ok(c.reply(), 221, "QUIT at the end of the batch")
ok(c.eof(), "closed after QUIT")
got = wait_count(n0 + 3) - n0
ok(got == 3, "3 deliveries (2 recipients, then 1)", got)
last = maildir_files()[-1]
hdr, body = after_received(last)
ok(body == b"Subject: second\n\n.two\n", "second message dot-unstuffed", body)

# a batch with errors in the middle does not desynchronise the replies
c = connect(ehlo=None)
c.send("EHLO client.example\r\nFOO\r\nMAIL FROM:<a@b.example> BAD=1\r\nMAIL FROM:<a@b.example>\r\n"
       "DATA\r\nRCPT TO:<u@test.example>\r\nVRFY x\r\nHELP\r\nRSET\r\nQUIT\r\n")
rs = c.replies(10)
ok(codes(rs) == [250, 500, 555, 250, 503, 250, 252, 214, 250, 221], "errors inside a batch: one reply each, in order", codes(rs))

# replies to a one-command group come without waiting for more input
c = connect(ehlo=None)
c.send("EHLO client.example\r\n")
reply_ok(c.reply(), 250, "a lone EHLO is answered at once")
c.send("MAIL FROM:<a@b.example>\r\n")
reply_ok(c.reply(), 250, "a lone MAIL is answered (input buffer empty)")
c.send("RCPT TO:<u@test.example>\r\nRCPT TO:<v@test.example>\r\n")
rs = c.replies(2)
ok(codes(rs) == [250, 250], "two RCPTs in one write", rs)
c.send("RSET\r\n")
reply_ok(c.reply(), 250, "RSET answered")

# smtplib uses PIPELINING? no: but a batch written byte by byte must work too
c = connect(ehlo=None)
for b in b"EHLO client.example\r\nNOOP\r\n":
    c.send(bytes([b]))
rs = c.replies(2)
ok(codes(rs) == [250, 250], "commands sent one byte per write", rs)

# a big batch: 50 transactions in one write
c = connect()
batch = "".join("MAIL FROM:<a@b.example>\r\nRCPT TO:<u%d@test.example>\r\nRSET\r\n" % i for i in range(50))
c.send(batch + "QUIT\r\n")
rs = c.replies(151)
ok(codes(rs) == [250, 250, 250] * 50 + [221], "150 pipelined commands and QUIT", codes(rs)[-5:])
done()
