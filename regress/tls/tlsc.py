#!/usr/bin/env python3
# STARTTLS scenarios against smtpd on 127.0.0.1, for regress/tls/t-*.sh.
# Usage: tlsc.py SCENARIO PORT [args]; prints "ok - ..." / "not ok - ..." lines
# (or data lines, for "hold" and "rate").
import smtplib
import socket
import ssl
import sys
import time

HOST = "127.0.0.1"


_ctxs = {}


def ctx(ver=None):
    if ver in _ctxs:
        return _ctxs[ver]
    c = _ctxs[ver] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if ver == "1.2":
        c.maximum_version = ssl.TLSVersion.TLSv1_2
    elif ver == "1.3":
        c.minimum_version = ssl.TLSVersion.TLSv1_3
    return c


class Conn:
    def __init__(self, port, timeout=20):
        self.s = socket.create_connection((HOST, port), timeout)
        self.buf = b""
        self.raw = self.s

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("latin-1")

    def reply(self):
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if len(l) < 4 or l[3] != "-":
                return "\n".join(lines)

    def send(self, data):
        self.s.sendall(data.encode() if isinstance(data, str) else data)

    def cmd(self, c):
        self.send(c + "\r\n")
        return self.reply()

    def tls(self, c, session=None):
        assert self.buf == b"", "unread plaintext before the handshake"
        self.s = c.wrap_socket(self.raw, server_hostname="mx.test.example",
                               session=session)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def starttls(port, ver=None, session=None, helo=True):
    c = Conn(port)
    c.reply()
    if helo:
        c.cmd("EHLO client.example")
    r = c.cmd("STARTTLS")
    if not r.startswith("220"):
        raise RuntimeError("STARTTLS: " + r)
    c.tls(ctx(ver), session)
    return c


def report(ok, what, got=""):
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and got:
        print("#   got: " + got.replace("\n", " | ")[:300])


def sc_resume(port, ver):
    c = starttls(port, ver)
    r = c.cmd("EHLO client.example")    # reading this also takes the ticket
    c.cmd("QUIT")
    sess = c.s.session
    full = not c.s.session_reused
    c.close()
    c = starttls(port, ver, sess)
    reused = c.s.session_reused
    v = c.s.version()
    c.cmd("QUIT")
    c.close()
    report(full and reused and r.startswith("250"),
           "TLS %s session resumed on a second connection (%s)" % (ver, v))


def sc_pipelined(port):
    c = Conn(port)
    c.reply()
    c.cmd("EHLO client.example")
    c.send("STARTTLS\r\nMAIL FROM:<spoof@attacker.example>\r\n")
    r = c.reply()
    if r.startswith("554"):
        # refusing the lot and closing is one way of not executing it
        try:
            rest = c.reply()
        except (EOFError, OSError):
            rest = ""
        report(rest == "", "STARTTLS with pipelined plaintext: 554, closed", rest)
        return
    report(r.startswith("220"), "STARTTLS with pipelined plaintext: 220", r)
    extra = c.buf
    c.buf = b""
    try:
        c.tls(ctx())
    except (ssl.SSLError, OSError) as e:
        report(extra == b"", "pipelined plaintext: no reply to it (%s)" % e)
        return
    report(extra == b"", "pipelined plaintext: no plaintext reply after 220",
           repr(extra))
    c.cmd("EHLO client.example")
    r = c.cmd("RCPT TO:<postmaster@test.example>")
    report(r.startswith("503"), "pipelined MAIL was not executed (RCPT -> 503)", r)
    c.close()


def sc_noehlo(port):
    c = starttls(port)
    r = c.cmd("MAIL FROM:<a@client.example>")
    report(r.startswith("503"), "MAIL right after the handshake, no EHLO: 503", r)
    r = c.cmd("EHLO client.example")
    report(r.startswith("250") and "STARTTLS" not in r,
           "EHLO under TLS: 250, STARTTLS no longer offered", r)
    r = c.cmd("STARTTLS")
    report(r.startswith("5"), "STARTTLS twice: 5xx", r)
    r = c.cmd("NOOP")
    report(r.startswith("250"), "session usable after the second STARTTLS", r)
    c.close()


def sc_arg(port):
    c = Conn(port)
    c.reply()
    c.cmd("EHLO client.example")
    r = c.cmd("STARTTLS now")
    report(r.startswith("501"), "STARTTLS with an argument: 501", r)
    c.close()


def sc_notls(port):
    # OpenSSL and the key are loaded only at STARTTLS (smtpd/tlsmod.c):
    # STARTTLS is offered, then refused, and the session goes on in the
    # clear without offering it again
    c = Conn(port)
    c.reply()
    c.cmd("EHLO client.example")
    r = c.cmd("STARTTLS")
    report(r.startswith("454"), "STARTTLS refused: 454", r)
    r = c.cmd("EHLO client.example")
    report(r.startswith("250") and "STARTTLS" not in r,
           "after 454: EHLO in the clear, no STARTTLS offered", r)
    r = c.cmd("STARTTLS")
    report(r.startswith("454"), "STARTTLS again: 454", r)
    c.close()


def sc_garbage(port, mode):
    c = Conn(port)
    c.reply()
    c.cmd("EHLO client.example")
    r = c.cmd("STARTTLS")
    if mode == "garbage":
        c.send(b"\x16\x03\x01\x00\x05hello garbage that is not TLS\r\n" * 4)
    else:
        # the start of a real ClientHello, then nothing
        c.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 20)
        c.raw.shutdown(socket.SHUT_WR)
    c.raw.settimeout(10)
    closed = False
    try:
        while c.raw.recv(4096):
            pass
        closed = True
    except OSError:
        closed = True
    report(r.startswith("220") and closed,
           "handshake %s: server closes the connection" % mode)


def sc_hold(port, ver, secs):
    c = starttls(port, ver)
    c.cmd("EHLO client.example")
    print("ready", flush=True)
    end = time.time() + float(secs)
    while time.time() < end:
        if sys.stdin.readline() == "":
            break
    c.close()


def sc_smtplib(port, user, pw, ver=None):
    s = smtplib.SMTP(HOST, int(port), timeout=30)
    s.ehlo("client.example")
    s.starttls(context=ctx(ver))
    s.ehlo("client.example")
    v = s.sock.version()
    try:
        s.login(user, pw)
        ok = True
    except (smtplib.SMTPAuthenticationError, smtplib.SMTPServerDisconnected):
        ok = False      # smtplib tries every mechanism: 3 failures, 421
    if ok:
        s.sendmail("alice@client.example", ["rcpt@test.example"],
                   "Subject: smtplib\r\n\r\nover %s\r\n" % v)
    try:
        s.quit()
    except smtplib.SMTPServerDisconnected:
        pass
    print("login=%s version=%s" % ("ok" if ok else "failed", v))


def sc_rate(port, ver, secs):
    secs = float(secs)
    c = ctx(ver)
    n, sess, end = 0, None, time.time() + secs
    t0 = time.time()
    while time.time() < end:
        x = starttls(port, ver, helo=True)
        x.cmd("QUIT")
        sess = x.s.session
        x.close()
        n += 1
    full = n / (time.time() - t0)
    n, t0, reused = 0, time.time(), 0
    end = t0 + secs
    while time.time() < end:
        x = starttls(port, ver, sess, helo=True)
        reused += x.s.session_reused
        x.cmd("QUIT")
        sess = x.s.session
        x.close()
        n += 1
    res = n / (time.time() - t0)
    print("full=%.1f/s resumed=%.1f/s reused=%d/%d" % (full, res, reused, n))
    del c


def b64(x):
    import base64
    return base64.b64encode(x.encode()).decode()


def sc_auth(port):
    plain_bad = b64("\0alice\0wrong")
    c = Conn(port)
    c.reply()
    r = c.cmd("EHLO client.example")
    report("AUTH" not in r, "no AUTH offered in the clear without -p", r)
    r = c.cmd("AUTH PLAIN " + b64("\0alice\0wonderland"))
    report(r.startswith("538 5.7.11") or r.startswith("530 5.7.0"),
           "AUTH before TLS without -p: 538/530", r)
    c.close()

    c = starttls(port)
    c.cmd("EHLO client.example")
    r = c.cmd("AUTH PLAIN " + plain_bad)
    report(r.startswith("535 5.7.8"), "AUTH PLAIN wrong password: 535 5.7.8", r)
    t0 = time.time()
    r = c.cmd("AUTH LOGIN")
    report(r == "334 VXNlcm5hbWU6", "AUTH LOGIN: 334 Username:", r)
    r = c.cmd(b64("mallory"))
    r = c.cmd(b64("wonderland"))
    report(r.startswith("535 5.7.8") and time.time() - t0 >= 1.8,
           "AUTH LOGIN unknown user: 535 5.7.8 after a growing delay (%.1fs)" %
           (time.time() - t0), r)
    r = c.cmd("AUTH PLAIN")
    report(r == "334 ", "AUTH PLAIN without initial response: 334", r)
    r = c.cmd("*")
    report(r.startswith("501 5.7.0"), "AUTH cancelled with *: 501 5.7.0", r)
    r = c.cmd("AUTH PLAIN !!notbase64")
    report(r.startswith("501 5.5.2"), "bad base64: 501 5.5.2", r)
    r = c.cmd("AUTH DIGEST-MD5")
    report(r.startswith("504"), "unknown mechanism: 504", r)
    r = c.cmd("MAIL FROM:<alice@client.example>")
    r = c.cmd("AUTH PLAIN " + b64("\0alice\0wonderland"))
    report(r.startswith("503"), "AUTH inside a transaction: 503", r)
    c.cmd("RSET")
    r = c.cmd("AUTH CRAM-MD5")
    ok = r.startswith("334 ")
    if ok:
        import base64, hmac, hashlib
        chal = base64.b64decode(r[4:]).decode()
        ok = chal.startswith("<") and chal.endswith("@mx.test.example>")
        dig = hmac.new(b"cheshire-cat", chal.encode(), hashlib.md5).hexdigest()
        r = c.cmd(b64("alice " + dig))
    report(ok and r.startswith("235 2.7.0"), "AUTH CRAM-MD5 by hand: 235 2.7.0", r)
    r = c.cmd("AUTH PLAIN " + b64("\0alice\0wonderland"))
    report(r.startswith("503"), "AUTH when already authenticated: 503", r)
    c.close()

    c = starttls(port)
    c.cmd("EHLO client.example")
    for i in range(3):
        r = c.cmd("AUTH PLAIN " + plain_bad)
    report(r.startswith("421"), "third failure: 421", r)
    try:
        more = c.reply()
    except (EOFError, OSError):
        more = ""
    report(more == "", "closed after the third failure", more)
    c.close()

    c = starttls(port)
    c.cmd("EHLO client.example")
    r = c.cmd("AUTH PLAIN " + b64("alice\0alice\0wonderland"))
    report(r.startswith("235"), "PLAIN with authzid = authcid: 235", r)
    c.close()
    c = starttls(port)
    c.cmd("EHLO client.example")
    r = c.cmd("AUTH PLAIN " + b64("root\0alice\0wonderland"))
    report(r.startswith("535"), "PLAIN with another authzid: 535", r)
    c.close()


def sc_relay(port, auth):
    c = starttls(port)
    c.cmd("EHLO client.example")
    if auth == "yes":
        r = c.cmd("AUTH PLAIN " + b64("\0bob\0builder"))
        report(r.startswith("235"), "bob authenticated", r)
    r = c.cmd("MAIL FROM:<bob@client.example> AUTH=<>")
    report(r.startswith("250"), "MAIL with AUTH=<>: 250", r)
    r = c.cmd("RCPT TO:<someone@elsewhere.example>")
    if auth == "yes":
        report(r.startswith("250"), "relay allowed after AUTH", r)
    else:
        report(r.startswith("5"), "relay refused without AUTH (norelay)", r)
    c.cmd("QUIT")
    c.close()


def sc_requireauth(port):
    c = starttls(port)
    c.cmd("EHLO client.example")
    r = c.cmd("MAIL FROM:<bob@client.example>")
    report(r.startswith("530 5.7.0"), "-a: MAIL before AUTH: 530 5.7.0", r)
    c.close()


def sc_plainauth(port):
    c = Conn(port)
    c.reply()
    r = c.cmd("EHLO client.example")
    report("AUTH PLAIN LOGIN CRAM-MD5" in r, "-p: AUTH offered in the clear", r)
    r = c.cmd("AUTH PLAIN " + b64("\0bob\0builder"))
    report(r.startswith("235"), "-p: AUTH PLAIN in the clear: 235", r)
    c.close()


def main():
    a = sys.argv[1:]
    sc, port = a[0], int(a[1])
    if sc == "resume":
        sc_resume(port, a[2])
    elif sc == "pipelined":
        sc_pipelined(port)
    elif sc == "noehlo":
        sc_noehlo(port)
    elif sc == "arg":
        sc_arg(port)
    elif sc == "notls":
        sc_notls(port)
    elif sc in ("garbage", "drop"):
        sc_garbage(port, sc)
    elif sc == "hold":
        sc_hold(port, a[2], a[3])
    elif sc == "smtplib":
        sc_smtplib(port, a[2], a[3], a[4] if len(a) > 4 else None)
    elif sc == "auth":
        sc_auth(port)
    elif sc == "relay":
        sc_relay(port, a[2])
    elif sc == "requireauth":
        sc_requireauth(port)
    elif sc == "plainauth":
        sc_plainauth(port)
    elif sc == "rate":
        sc_rate(port, a[2], a[3])
    else:
        sys.exit("unknown scenario " + sc)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a scenario that crashes is a failure, not a skip
        print("not ok - tlsc.py %s: %s: %s" % (" ".join(sys.argv[1:3]),
                                               type(e).__name__, e))
        sys.exit(1)
