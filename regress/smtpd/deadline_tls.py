# argv: PORT; the server has a certificate, timeout 10, datatimeout 10,
# sessiontimeout 4.  After STARTTLS a TLS record trickled an octet every
# 0.5 s is cut off at the session deadline, not at the per-read timeout.
import select
import ssl
import time
from smtptest import *

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

c = connect()
t0 = time.time()
reply_ok(c.cmd("STARTTLS"), 220, "STARTTLS")
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname="mx.test.example")
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        c.sock.sendall(out.read())
        d = c.sock.recv(65536)
        if not d:
            break
        inc.write(d)
c.sock.sendall(out.read())
tls.write(b"NOOP\r\n")
record = out.read()
text = b""
sent = 0


def take():
    """What the server sent: tickets are absorbed, a reply kept."""
    global text
    d = c.sock.recv(65536)
    if not d:
        return False
    inc.write(d)
    try:
        text += tls.read(65536)
    except (ssl.SSLWantReadError, ssl.SSLError):
        pass
    return True


for b in record:
    r, _, _ = select.select([c.sock], [], [], 0.5)
    if r and (not take() or text):
        break
    if time.time() - t0 > 12:
        break
    c.sock.sendall(bytes([b]))
    sent += 1
ok(sent > 4, "the record went out an octet at a time (%d of %d)" % (sent, len(record)))
c.sock.settimeout(12)
while b"\r\n" not in text:
    try:
        d = c.sock.recv(65536)
    except OSError:
        d = b""
    if not d:
        break
    inc.write(d)
    try:
        text += tls.read(65536)
    except ssl.SSLWantReadError:
        pass
    except ssl.SSLError:
        break
dt = time.time() - t0
ok(re.match(rb"421 4\.4\.2 .*session time limit", text) is not None,
   "a TLS record trickled after STARTTLS: 421 4.4.2 over TLS", text)
ok(3 < dt < 6.5, "at sessiontimeout (4 s), not the 10 s read timeout", dt)
done()
