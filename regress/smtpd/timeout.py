# argv: PORT MAILDIR; the server has timeout 2, datatimeout 2.
import time
from smtptest import *

c = connect(ehlo=None)
t0 = time.time()
r = c.reply()
dt = time.time() - t0
reply_ok(r, 421, "idle before HELO: 421 4.4.2", r"^421 4\.4\.2 mx\.test\.example")
ok(1.5 < dt < 8, "after about 2 seconds", dt)
ok(c.eof(), "then closed")

c = connect()
want(c, "MAIL FROM:<a@b.example>", 250, "MAIL")
time.sleep(1.2)
want(c, "RCPT TO:<u@test.example>", 250, "a pause under the timeout is fine")
time.sleep(1.2)
want(c, "NOOP", 250, "the timer restarts with each command")
r = c.reply()
reply_ok(r, 421, "idle in a transaction: 421 4.4.2", r"^421 4\.4\.2")
ok(c.eof(), "then closed")

# a command dripping in a byte at a time does not reset the timer
c = connect()
t0 = time.time()
try:
    for b in b"NOOP NOOP NOOP NOOP NOOP\r\n":
        c.send(bytes([b]))
        time.sleep(0.25)
except OSError:
    pass
r = c.reply()
reply_ok(r, 421, "a command trickling in over 6 s: 421 4.4.2", r"^421 4\.4\.2")
ok(time.time() - t0 < 6, "within the command timeout, not after the drip", time.time() - t0)

n0 = maildir_count()
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
reply_ok(c.cmd("DATA"), 354, "DATA")
c.send("Subject: slow\r\n\r\npartial line")
t0 = time.time()
r = c.reply()
reply_ok(r, 421, "stalled in DATA: 421 4.4.2", r"^421 4\.4\.2")
ok(1.5 < time.time() - t0 < 8, "after about datatimeout", time.time() - t0)
ok(c.eof(), "then closed")
time.sleep(0.5)
ok(maildir_count() == n0, "nothing delivered from the stalled message")

c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
c.cmd("DATA")
for i in range(4):
    c.send("line %d\r\n" % i)
    time.sleep(1)
c.send(".\r\n")
reply_ok(c.reply(), 250, "DATA blocks 1 s apart over 4 s: each block restarts the data timer")

# BDAT: a chunk that stops coming, in a transaction and outside one
n0 = maildir_count()
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
c.send("BDAT 100 LAST\r\nSubject: slow chunk\r\n\r\npart")
t0 = time.time()
reply_ok(c.reply(), 421, "stalled inside a BDAT chunk: 421 4.4.2", r"^421 4\.4\.2")
ok(1.5 < time.time() - t0 < 8, "after about datatimeout", time.time() - t0)
ok(c.eof(), "then closed")
c = connect()
c.send("BDAT 100\r\nnot in a transaction")
reply_ok(c.reply(), 421, "stalled in a chunk being dropped (no MAIL): 421 too", r"^421 4\.4\.2")
time.sleep(0.5)
ok(maildir_count() == n0, "nothing delivered from the stalled chunks")
done()
