# Limits at the bound and one past.  argv: PORT MAILDIR
# The server runs with maxsize 10000, maxhops 5, maxrcpt 100.
from smtptest import *


def transaction(c, rcpts=1):
    c.cmd("MAIL FROM:<a@b.example>")
    for i in range(rcpts):
        c.cmd("RCPT TO:<u%d@test.example>" % i)
    return c.cmd("DATA")


def message_of(size):
    """A message of exactly size octets, CRLF counted, no dot-stuffing."""
    head = "Subject: size\r\n\r\n"
    left = size - len(head)
    lines = []
    while left > 0:
        n = min(left, 100)
        if n < 3:	# keep every line at least 1 octet + CRLF
            lines[-1] = lines[-1][:-(3 - n)]
            n = 3
        lines.append("x" * (n - 2) + "\r\n")
        left -= n
    m = head + "".join(lines)
    assert len(m) == size, (len(m), size)
    return m


# command length: 512 octets with CRLF (RFC 5321 4.5.3.1.4)
c = connect()
want(c, "NOOP " + "x" * 505, 250, "a 512-octet command line is accepted")
want(c, "NOOP " + "x" * 506, 500, "a 513-octet command line is 500 5.5.6", r"^500 5\.5\.6")
want(c, "NOOP", 250, "the next command after a long one works")
c.send("NOOP " + "y" * 20000 + "\r\nNOOP\r\n")
rs = c.replies(2)
ok([r[0] for r in rs] == [500, 250], "a 20000-octet command: one 500, then the next command", rs)
want(c, "MAIL FROM:<a@b.example>", 250, "a transaction after the long lines")
c.send("RCPT TO:<" + "a" * 600 + "@test.example> QUIT\r\n")
reply_ok(c.reply(), 500, "a long RCPT with QUIT inside is one 500", r"^500 5\.5\.6")
want(c, "RCPT TO:<u@test.example>", 250, "the transaction survives the long line")

# text line length: 1000 octets with CRLF (RFC 5321 4.5.3.1.6)
n0 = maildir_count()
reply_ok(transaction(c), 354, "354")
c.send("Subject: long\r\n\r\n" + "L" * 998 + "\r\n.\r\n")
reply_ok(c.reply(), 250, "a 1000-octet text line is accepted")
reply_ok(transaction(c), 354, "354")
c.send("Subject: long\r\n\r\n" + "." + "L" * 998 + "\r\n.\r\n")
reply_ok(c.reply(), 250, "a 1001-octet line with a stuffed dot is accepted (RFC 5321 4.5.3.1.6)")
reply_ok(transaction(c), 354, "354")
c.send("Subject: long\r\n\r\n" + "L" * 999 + "\r\nmore\r\n.\r\n")
reply_ok(c.reply(), 552, "a 1001-octet text line is 552 5.6.0", r"^552 5\.6\.0")
reply_ok(transaction(c), 354, "354")
c.send("Subject: long\r\n\r\n" + "L" * 100000 + "\r\n.\r\n")
reply_ok(c.reply(), 552, "a 100002-octet text line is 552 5.6.0, and one reply", r"^552 5\.6\.0")
want(c, "NOOP", 250, "the session goes on after long lines")
ok(wait_count(n0 + 3) == n0 + 3, "only the three good messages delivered", maildir_count() - n0)
last = maildir_files()[-1]
ok(after_received(last)[1].endswith(b"\n" + b"L" * 998 + b"\n"), "the 998-octet line arrives whole")

# maxsize by SIZE= and by real size
want(c, "MAIL FROM:<a@b.example> SIZE=10000", 250, "SIZE= at maxsize")
c.cmd("RSET")
want(c, "MAIL FROM:<a@b.example> SIZE=10001", 552, "SIZE= one past maxsize is 552 5.3.4", r"^552 5\.3\.4")
n0 = maildir_count()
reply_ok(transaction(c), 354, "354")
c.send(message_of(10000) + ".\r\n")
reply_ok(c.reply(), 250, "a message of maxsize octets is accepted")
reply_ok(transaction(c), 354, "354")
c.send(message_of(10001) + ".\r\n")
reply_ok(c.reply(), 552, "a message one octet over maxsize is 552 5.3.4", r"^552 5\.3\.4")
reply_ok(transaction(c), 354, "354")
c.send(message_of(10000)[:-5] + "..\r\n" + "x\r\n.\r\n")
reply_ok(c.reply(), 552, "size counts after unstuffing (10001 octets)", r"^552 5\.3\.4")
reply_ok(transaction(c), 354, "354")
c.send("Subject: big\r\n\r\n" + ("z" * 998 + "\r\n") * 2000 + ".\r\n")
reply_ok(c.reply(), 552, "a 2 MB message: 552 5.3.4 after reading it all", r"^552 5\.3\.4")
want(c, "NOOP", 250, "the session goes on after the big message")
ok(wait_count(n0 + 1) == n0 + 1, "only the maxsize message delivered", maildir_count() - n0)
ok(len(after_received(maildir_files()[-1])[1].replace(b"\n", b"\r\n")) == 10000,
   "the maxsize message arrives with 10000 octets")

# maxhops: 5 Received: lines pass, 6 do not
n0 = maildir_count()
for hops, code in ((5, 250), (6, 554)):
    reply_ok(transaction(c), 354, "354")
    c.send("".join("Received: from h%d by h%d; Mon, 1 Jan 2024 00:00:00 +0000\r\n" % (i, i)
                   for i in range(hops)) + "Subject: hops\r\n\r\nbody\r\nReceived: in the body\r\n.\r\n")
    reply_ok(c.reply(), code, "%d Received: lines (maxhops 5): %d" % (hops, code),
             r"^554 5\.4\.6" if code == 554 else None)
reply_ok(transaction(c), 354, "354")
c.send("received: a\r\nRECEIVED: b\r\nReceived:c\r\nReceived: d\r\nReceived: e\r\n Received: folded\r\nReceived: f\r\n\r\nx\r\n.\r\n")
reply_ok(c.reply(), 554, "Received: counted in any case", r"^554 5\.4\.6")
ok(wait_count(n0 + 1) == n0 + 1, "only the 5-hop message delivered", maildir_count() - n0)

# maxrcpt: 100, then 452 4.5.3
c = connect()
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL")
c.send("".join("RCPT TO:<r%d@test.example>\r\n" % i for i in range(101)))
rs = c.replies(101)
ok([r[0] for r in rs[:100]] == [250] * 100, "100 recipients accepted")
reply_ok(rs[100], 452, "the 101st recipient is 452 4.5.3", r"^452 4\.5\.3")
want(c, "RCPT TO:<r101@test.example>", 452, "and the 102nd")
want(c, "RSET", 250, "RSET")
want(c, "MAIL FROM:<a@b.example>", 250, "a new transaction after the limit")
want(c, "RCPT TO:<r@test.example>", 250, "takes recipients again")
# long addresses: the parent message must hold them all
want(c, "RSET", 250, "RSET")
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL")
long = "l" * 60 + "@" + ".".join(["d" * 60] * 3)
codes = [c.cmd("RCPT TO:<%s%d>" % (long[:-3], i))[0] for i in range(100)]
ok(codes.count(250) >= 50 and set(codes) <= {250, 452} and codes == sorted(codes),
   "250-octet recipients: 250s, then 452 once the envelope is full", (codes.count(250), codes.count(452)))
reply_ok(c.cmd("DATA"), 354, "DATA with a full envelope")
c.send("Subject: full\r\n\r\nx\r\n.\r\n")
r = c.reply()
ok(r[0] in (250, 451, 554), "the full envelope gets a reply from the parent (no crash)", r)
want(c, "QUIT", 221, "QUIT")
done()
