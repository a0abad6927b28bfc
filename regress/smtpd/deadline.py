# argv: PORT MAILDIR; the server has timeout 2, datatimeout 2,
# sessiontimeout 5, messagetimeout 3.  A peer that keeps every single
# read under the per-read limits is still cut off at the deadlines.
import select
import time
from smtptest import *


def trickle(c, data, every, limit):
    """Send data an octet every `every` seconds until a reply comes or
    `limit` seconds pass; return (reply, seconds)."""
    t0 = time.time()
    for b in data:
        r, _, _ = select.select([c.sock], [], [], every)
        if r or time.time() - t0 > limit:
            break
        try:
            c.send(bytes([b]))
        except OSError:
            break
    return c.reply(), time.time() - t0


# sessiontimeout: NOOP every second, each one answered, until the deadline
c = connect()
t0 = time.time()
got = None
while time.time() - t0 < 12:
    got, lines = c.cmd("NOOP")
    if got != 250:
        break
    time.sleep(1)
dt = time.time() - t0
ok(got == 421 and re.search(r"^421 4\.4\.2 .*session time limit", "\n".join(lines)),
   "a busy session (NOOP each second) ends at sessiontimeout: 421 4.4.2", lines)
ok(4 < dt < 7, "after about 5 seconds", dt)
ok(c.eof(), "then closed")

# messagetimeout: DATA trickled an octet every 0.5 s (under datatimeout)
n0 = maildir_count()
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
reply_ok(c.cmd("DATA"), 354, "DATA")
# short lines: each one complete within datatimeout
r, dt = trickle(c, b"x\r\n" * 30 + b".\r\n", 0.3, 10)
reply_ok(r, 421, "DATA trickling an octet each 0.3 s: 421 4.4.2 at messagetimeout",
         r"^421 4\.4\.2 .*message time limit")
ok(2.5 < dt < 5, "after about 3 seconds", dt)
ok(c.eof(), "then closed")

# the same for one BDAT chunk, and for many small chunks
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
c.send("BDAT 60 LAST\r\n")
r, dt = trickle(c, b"x" * 60, 0.5, 10)
reply_ok(r, 421, "one BDAT chunk trickling: 421 4.4.2 at messagetimeout",
         r"^421 4\.4\.2 .*message time limit")
ok(2.5 < dt < 5, "after about 3 seconds", dt)
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
t0 = time.time()
got = None
while time.time() - t0 < 10:
    c.send("BDAT 1\r\nx")
    got, lines = c.reply()
    if got != 250:
        break
    time.sleep(0.5)
dt = time.time() - t0
ok(got == 421 and re.search(r"^421 4\.4\.2 .*message time limit", "\n".join(lines)),
   "BDAT chunks of one octet each 0.5 s: 421 4.4.2 at messagetimeout", lines)
ok(2.5 < dt < 5, "after about 3 seconds", dt)
time.sleep(0.5)
ok(maildir_count() == n0, "nothing delivered from the cut-off messages")

# a message sent at a normal pace after a slow start is not affected
c = connect()
c.cmd("MAIL FROM:<a@b.example>")
c.cmd("RCPT TO:<u@test.example>")
time.sleep(1.5)
c.cmd("DATA")
for i in range(2):
    c.send("line %d\r\n" % i)
    time.sleep(1)
c.send(".\r\n")
reply_ok(c.reply(), 250, "a 2-second message after a pause: 250 (the clock starts at DATA)")
done()
