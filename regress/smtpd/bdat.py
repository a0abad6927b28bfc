# CHUNKING and BDAT (RFC 3030).  argv: PORT MAILDIR
# The server runs with maxsize 10000 and maxerrors 1000.
from smtptest import *


def codes(rs):
    return [r[0] for r in rs]


def bdat(c, data, last=False):
    """One chunk, command and octets in one write; its reply."""
    c.send(b"BDAT %d%s\r\n" % (len(data), b" LAST" if last else b"") + data)
    return c.reply()


def begin(c, rcpt="u@test.example"):
    want(c, "MAIL FROM:<a@b.example>", 250, "MAIL before BDAT")
    want(c, "RCPT TO:<%s>" % rcpt, 250, "RCPT before BDAT")


def newest_body():
    return after_received(maildir_files()[-1])[1]


c = connect(ehlo=None)
code, lines = c.cmd("EHLO client.example")
ok(code == 250 and "250-CHUNKING" in lines, "EHLO offers CHUNKING", lines)
got = [l[4:] for l in lines[1:]]
ok(got.index("CHUNKING") == got.index("8BITMIME") + 1, "after 8BITMIME", got)

# one chunk, LAST: the message as it was, CRLF to LF, no dot-unstuffing
n0 = maildir_count()
begin(c)
msg = b"Subject: one chunk\r\n\r\n.leading dot stays\r\n..two stay\r\n.\r\nend\r\n"
reply_ok(bdat(c, msg, True), 250, "BDAT n LAST: 250 2.0.0 with the id",
         r"^250 2\.0\.0 \S+ ")
ok(wait_count(n0 + 1) == n0 + 1, "delivered once")
body = newest_body()
ok(body == b"Subject: one chunk\n\n.leading dot stays\n..two stay\n.\nend\n",
   "octets kept as sent: no dot-unstuffing, a lone dot is text", body)

# several chunks: a line, and a CRLF, cut across them; BDAT 0 LAST ends it
begin(c)
rs = [bdat(c, b"Subject: three chunks\r\n\r\nfirst half of a li"),
      bdat(c, b"ne\r\nsecond line\r"),
      bdat(c, b"\nthird line\r\n"),
      bdat(c, b"", True)]
ok(codes(rs) == [250, 250, 250, 250], "four chunks answered 250 each", rs)
reply_ok(rs[0], 250, "a chunk: 250 2.0.0 N octets received",
         r"^250 2\.0\.0 43 octets received")
ok(wait_count(n0 + 2) == n0 + 2, "one message from the chunks")
ok(newest_body() == b"Subject: three chunks\n\nfirst half of a line\n"
   b"second line\nthird line\n", "lines joined across chunk ends, CR|LF too",
   newest_body())

# pipelined: the whole transaction and QUIT in one write
c2 = connect(ehlo=None)
c2.send(b"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<p@test.example>\r\n"
        b"BDAT 12\r\nSubject: p\r\nBDAT 8 LAST\r\n\r\nbody\r\nQUIT\r\n")
rs = c2.replies(6)
ok(codes(rs) == [250, 250, 250, 250, 250, 221], "pipelined EHLO..BDAT LAST, QUIT: in order",
   codes(rs))
ok(c2.eof(), "closed after QUIT")
ok(wait_count(n0 + 3) == n0 + 3, "pipelined message delivered")
ok(newest_body() == b"Subject: p\n\nbody\n", "its text", newest_body())

# out of sequence: the octets are read and dropped, never taken as commands
n1 = maildir_count()
c = connect()
reply_ok(bdat(c, b"QUIT\r\n"), 503, "BDAT before MAIL: 503 5.5.1", r"^503 5\.5\.1")
want(c, "NOOP", 250, "the chunk's QUIT was not a command")
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL")
reply_ok(bdat(c, b"RSET\r\nQUIT\r\n", True), 503, "BDAT before RCPT: 503",
         r"Need RCPT before BDAT")
want(c, "RCPT TO:<u@test.example>", 250, "the transaction is still open")
reply_ok(bdat(c, b"Subject: x\r\n\r\nbody\r\n"), 250, "a first chunk")
want(c, "DATA", 503, "DATA inside a BDAT transaction: 503", r"inside a BDAT transaction")
want(c, "MAIL FROM:<a@b.example>", 503, "MAIL there too")
want(c, "RCPT TO:<v@test.example>", 503, "and RCPT")
want(c, "NOOP", 250, "NOOP is fine")
want(c, "RSET", 250, "RSET ends it")
time.sleep(0.3)
ok(maildir_count() == n1, "nothing delivered after RSET", maildir_count() - n1)
reply_ok(bdat(c, b"x\r\n", True), 503, "BDAT after RSET: 503")
begin(c)
reply_ok(bdat(c, b"Subject: after\r\n\r\nok\r\n", True), 250, "a new transaction works")
ok(wait_count(n1 + 1) == n1 + 1, "and delivers")

# errors in the content: answered at the chunk, the transaction over
n2 = maildir_count()
begin(c)
reply_ok(bdat(c, b"Subject: bare\r\n\r\nbare\nLF\r\n"), 554,
         "bare LF in a chunk: 554 5.6.0 at that chunk", r"^554 5\.6\.0")
reply_ok(bdat(c, b"more\r\n", True), 503, "the next chunk: 503, no transaction")
begin(c)
reply_ok(bdat(c, b"Subject: nul\r\n\r\nnul\0here\r\n", True), 554, "NUL: 554 5.6.0")
begin(c)
reply_ok(bdat(c, b"Subject: long\r\n\r\n" + b"x" * 999 + b"\r\n", True), 552,
         "a 1001-octet line: 552 5.6.0", r"^552 5\.6\.0")
begin(c)
reply_ok(bdat(c, b"Subject: cr\r\n\r\nends in CR\r", True), 554,
         "a message ending in a lone CR: bare, 554")
begin(c)
reply_ok(bdat(c, b"Subject: no final CRLF\r\n\r\nlast line", True), 250,
         "a message whose last line has no CRLF is taken")
ok(wait_count(n2 + 1) == n2 + 1, "only that one was delivered", maildir_count() - n2)
ok(newest_body() == b"Subject: no final CRLF\n\nlast line\n", "with LF added",
   newest_body())

# maxsize 10000: the sum over the chunks, and one chunk past it
n3 = maildir_count()
begin(c)
reply_ok(bdat(c, b"Subject: big\r\n\r\n" + (b"y" * 98 + b"\r\n") * 60), 250, "6016 octets")
reply_ok(bdat(c, (b"z" * 98 + b"\r\n") * 60), 552,
         "past maxsize over two chunks: 552 5.3.4 at the second", r"^552 5\.3\.4")
want(c, "NOOP", 250, "the session goes on")
begin(c)
c.send(b"BDAT 10001\r\n")
reply_ok(c.reply(), 552, "one chunk over maxsize: 552 5.3.4", r"^552 5\.3\.4")
ok(c.eof(), "and the connection is closed: those octets are not read")
time.sleep(0.3)
ok(maildir_count() == n3, "nothing delivered", maildir_count() - n3)

# a size we cannot read: no way to stay in step, so 501 and close
for bad in ("BDAT", "BDAT x", "BDAT -1", "BDAT +5", "BDAT 5 FIRST", "BDAT 5 LAST x",
            "BDAT 5LAST", "BDAT 99999999999999999999999"):
    c = connect()
    c.send(bad + "\r\n")
    reply_ok(c.reply(), 501, "%r: 501 5.5.4" % bad, r"^501 5\.5\.4")
    ok(c.eof(), "%r: closed" % bad)
c = connect()
reply_ok(c.cmd("bdat 0 last"), 503, "verb and LAST in any case (503: no transaction)")

# the peer gone inside a chunk: nothing delivered, the session ends
n4 = maildir_count()
c = connect()
begin(c)
c.send(b"BDAT 100 LAST\r\nSubject: cut\r\n\r\nonly part")
c.sock.shutdown(1)
ok(c.eof(), "EOF inside a chunk: the server closes")
time.sleep(0.3)
ok(maildir_count() == n4, "and delivers nothing", maildir_count() - n4)

# HELP names it
c = connect()
code, lines = c.cmd("HELP")
ok(code == 214 and "BDAT" in lines[1] and "CHUNKING" in lines[0], "HELP names BDAT and CHUNKING", lines)
done()
