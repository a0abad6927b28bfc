# argv: PORT MAILDIR
from smtptest import *

c = connect()
for raw, what in [
    (b"NOOP\nNOOP\r\n", "bare LF"),
    (b"NOOP\rNOOP\r\n", "bare CR"),
    (b"NO\0OP\r\n", "NUL"),
    (b"NOOP\r\r\n", "CR CR LF"),
    (b"NOOP\n\r\n", "LF CR LF"),
    (b"\n\r\n", "a lone LF line"),
    (b"QUIT\nNOOP\r\n", "QUIT then bare LF"),
    (b"RSET\x00QUIT\r\n", "RSET NUL QUIT"),
]:
    c.send(raw + b"NOOP\r\n")
    rs = c.replies(2)
    ok(rs[0][0] == 500 and "5.5.2" in rs[0][1][0] and rs[1][0] == 250,
       "command with %s: one 500 5.5.2, then the next command" % what, rs)
c.send(b"NOOP\n")
c.send(b"NOOP\r\n")
rs = c.replies(1)
ok(rs[0][0] == 500, "bare LF in one write, CRLF in the next: still one line", rs)
want(c, "NOOP", 250, "the session is in step")

# a transaction after command errors still works
n0 = maildir_count()
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL after the errors")
c.send(b"RCPT TO:<u@test.example>\nRCPT TO:<evil@test.example>\r\n")
reply_ok(c.reply(), 500, "RCPT with a bare LF inside is 500")
want(c, "RCPT TO:<u@test.example>", 250, "RCPT after it")
want(c, "DATA", 354, "DATA")
c.send(b"Subject: ok\r\n\r\nfine\r\n.\r\n")
reply_ok(c.reply(), 250, "the message after the errors is accepted")
ok(wait_count(n0 + 1) == n0 + 1, "and delivered to one recipient only")


def data(c, body, what, code=554, rx=r"^554 5\.6\.0 message contains bare CR/LF or NUL"):
    c.cmd("MAIL FROM:<a@b.example>")
    c.cmd("RCPT TO:<u@test.example>")
    r = c.cmd("DATA")
    if not reply_ok(r, 354, what + ": 354"):
        return
    c.send(body)
    reply_ok(c.reply(), code, what, rx)
    # nothing else: the next reply is the NOOP's
    reply_ok(c.cmd("NOOP"), 250, what + ": then nothing but the NOOP's reply")


n0 = maildir_count()
smuggle = (b"MAIL FROM:<evil@b.example>\r\nRCPT TO:<victim@test.example>\r\n"
           b"DATA\r\nSubject: smuggled\r\n\r\nx\r\n")
for body, what in [
    (b"Subject: a\r\n\r\nbare\nLF\r\n.\r\n", "bare LF in DATA is 554 5.6.0"),
    (b"Subject: a\r\n\r\nbare\rCR\r\n.\r\n", "bare CR in DATA is 554 5.6.0"),
    (b"Subject: a\r\n\r\nnul\0here\r\n.\r\n", "NUL in DATA is 554 5.6.0"),
    (b"Subject: a\r\n\r\nx\n.\n" + smuggle + b".\r\n", "LF.LF does not end DATA (smuggling)"),
    (b"Subject: a\r\n\r\nx\r\n.\n" + smuggle + b".\r\n", "CRLF.LF does not end DATA"),
    (b"Subject: a\r\n\r\nx\n.\r\n" + smuggle + b".\r\n", "LF.CRLF does not end DATA"),
    (b"Subject: a\r\n\r\nx\r.\r\n" + smuggle + b".\r\n", "CR.CRLF does not end DATA"),
    (b"Subject: a\r\n\r\nx\r\n.\r" + smuggle + b".\r\n", "CRLF.CR does not end DATA"),
    (b"Subject: a\r\n\r\nx\r\n.\0\r\n" + smuggle + b".\r\n", "CRLF.NUL CRLF does not end DATA"),
    (b"Subject: a\r\n\r\nx\r\n\r\r\n.\r\n", "a lone CR line"),
    (b"Sub\0ject: a\r\n\r\nx\r\n.\r\n", "NUL in a header"),
    (b"Subject: a\r\n\r\n" + b"y" * 5000 + b"\n" + b"y" * 5000 + b"\r\n.\r\n", "bare LF in a long line"),
]:
    data(c, body, what)
ok(maildir_count() == n0, "none of those delivered anything", maildir_count() - n0)
reply_ok(c.cmd("MAIL FROM:<a@b.example>"), 250, "MAIL after the bad messages")
reply_ok(c.cmd("RCPT TO:<u@test.example>"), 250, "RCPT")
reply_ok(c.cmd("DATA"), 354, "DATA")
c.send(b"Subject: good\r\n\r\nline\r\n..\r\n.x\r\n.\r\n")
reply_ok(c.reply(), 250, "a clean message after them is accepted")
ok(wait_count(n0 + 1) == n0 + 1, "and delivered")
ok(after_received(maildir_files()[-1])[1] == b"Subject: good\n\nline\n.\nx\n",
   "dot-unstuffed, CRLF stored as LF", after_received(maildir_files()[-1])[1])
want(c, "QUIT", 221, "QUIT")
done()
