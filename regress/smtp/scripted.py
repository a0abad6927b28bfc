#!/usr/bin/env python3
# A scripted SMTP server for the client tests: one connection at a time,
# behaviour chosen by -m MODE; transcript to -l, message data to -o.
#   normal   EHLO with -c capabilities; RCPT by local part: temp* 450,
#            perm* 550, else 250
#   ehlo5    502 to EHLO, then HELO works
#   ehlo4    421 to EHLO
#   inject   a line injected after the 220 to STARTTLS (needs -k key/cert)
#   badmulti a multi-line greeting whose codes differ
#   nodigits a reply that does not start with digits
#   longline a 100 KB greeting line
#   stall    accepts and says nothing
#   stallmail  stalls after MAIL
#   tls      SMTPS: TLS before the greeting (needs -k)
#   auth     AUTH PLAIN LOGIN CRAM-MD5 (user u, password -P, 535 else)
#   tls454   offers STARTTLS and answers it 454 4.7.0 (RFC 3207 4)
#   nocram   as auth, but CRAM-MD5 always 535 (no CRAM secret stored for u,
#            as a server with hashed passwords answers)
import argparse, base64, hmac, socket, ssl, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("-p", type=int, required=True)
ap.add_argument("-m", default="normal")
ap.add_argument("-c", default="PIPELINING,8BITMIME,SIZE 1000000")
ap.add_argument("-l", default="/dev/null")
ap.add_argument("-o", default="/dev/null")
ap.add_argument("-k", default=None)
ap.add_argument("-P", default="secret")
ap.add_argument("-n", type=int, default=1000)
ap.add_argument("-a", default="127.0.0.1")
a = ap.parse_args()

log = open(a.l, "a", buffering=1)
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((a.a, a.p))
ls.listen(5)
ctx = None
if a.k:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.k + ".crt", a.k + ".key")


class Conn:
    def __init__(self, s):
        self.s = s
        self.buf = b""

    def send(self, b):
        log.write("S: %r\n" % b)
        self.s.sendall(b)

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        l = l.rstrip(b"\r")
        log.write("C: %r\n" % l)
        return l


def session(c):
    m = a.m
    caps = [x for x in a.c.split(",") if x]
    if m == "tls":
        c.s = ctx.wrap_socket(c.s, server_side=True)
    if m == "stall":
        time.sleep(30)
        return
    if m == "longline":
        c.send(b"220 " + b"x" * 100000 + b"\r\n")
    elif m == "badmulti":
        c.send(b"220-hello\r\n230 different code\r\n")
    elif m == "nodigits":
        c.send(b"hello there\r\n")
    else:
        c.send(b"220 scripted ESMTP\r\n")
    tls = m == "tls"
    authed = False
    data = None
    while True:
        l = c.line()
        u = l.upper()
        if data is not None:
            if l == b".":
                open(a.o, "ab").write(data)
                data = None
                c.send(b"250 2.0.0 queued\r\n")
            else:
                data += l + b"\r\n"
            continue
        if u.startswith(b"EHLO"):
            if m == "ehlo5":
                c.send(b"502 5.5.2 no EHLO here\r\n")
                continue
            if m == "ehlo4":
                c.send(b"421 4.3.0 busy\r\n")
                continue
            cl = list(caps)
            if m in ("inject", "tls454") and not tls:
                cl.append("STARTTLS")
            if m in ("auth", "nocram"):
                cl.append("AUTH PLAIN LOGIN CRAM-MD5")
            r = [b"250-scripted"] + [b"250-" + x.encode() for x in cl]
            r[-1] = b"250 " + r[-1][4:]
            c.send(b"\r\n".join(r) + b"\r\n")
        elif u.startswith(b"HELO"):
            c.send(b"250 scripted\r\n")
        elif u == b"STARTTLS" and m == "tls454":
            c.send(b"454 4.7.0 TLS not available now\r\n")
        elif u == b"STARTTLS":
            if m == "inject":
                c.send(b"220 2.0.0 go ahead\r\n250-injected\r\n250 PIPELINING\r\n")
            else:
                c.send(b"220 2.0.0 go ahead\r\n")
            c.buf = b""
            c.s = ctx.wrap_socket(c.s, server_side=True)
            tls = True
        elif u.startswith(b"AUTH PLAIN"):
            z = base64.b64decode(l.split()[2]).split(b"\0")
            ok = z[1] == b"u" and z[2] == a.P.encode()
            c.send(b"235 2.7.0 ok\r\n" if ok else b"535 5.7.8 bad credentials\r\n")
            authed = ok
        elif u == b"AUTH LOGIN":
            c.send(b"334 VXNlcm5hbWU6\r\n")
            usr = base64.b64decode(c.line())
            c.send(b"334 UGFzc3dvcmQ6\r\n")
            pw = base64.b64decode(c.line())
            ok = usr == b"u" and pw == a.P.encode()
            c.send(b"235 2.7.0 ok\r\n" if ok else b"535 5.7.8 bad credentials\r\n")
        elif u == b"AUTH CRAM-MD5":
            ch = b"<123.456@scripted>"
            c.send(b"334 " + base64.b64encode(ch) + b"\r\n")
            usr, dig = base64.b64decode(c.line()).split(b" ")
            want = hmac.new(a.P.encode(), ch, "md5").hexdigest().encode()
            ok = usr == b"u" and dig == want and m != "nocram"
            c.send(b"235 2.7.0 ok\r\n" if ok else b"535 5.7.8 bad credentials\r\n")
        elif u.startswith(b"MAIL FROM:"):
            if m == "stallmail":
                time.sleep(30)
                return
            c.send(b"250 2.1.0 ok\r\n")
        elif u.startswith(b"RCPT TO:"):
            lp = l[8:].strip(b"<>").split(b"@")[0].lower()
            if lp.startswith(b"temp"):
                c.send(b"450 4.2.0 mailbox busy\r\n")
            elif lp.startswith(b"perm"):
                c.send(b"550 5.1.1 no such user\r\n")
            else:
                c.send(b"250 2.1.5 ok\r\n")
        elif u == b"DATA":
            data = b""
            c.send(b"354 go\r\n")
        elif u == b"RSET" or u == b"NOOP":
            c.send(b"250 2.0.0 ok\r\n")
        elif u == b"QUIT":
            c.send(b"221 2.0.0 bye\r\n")
            return
        else:
            c.send(b"500 5.5.2 what\r\n")


for _ in range(a.n):
    s, _ = ls.accept()
    s.settimeout(30)
    try:
        session(Conn(s))
    except Exception as e:
        log.write("E: %r\n" % e)
    try:
        s.close()
    except Exception:
        pass
