# Helpers for regress/smtpd/*.py: argv is PORT [MAILDIR].
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from chat import Chat  # noqa: E402

PORT = int(sys.argv[1])
MAILDIR = sys.argv[2] if len(sys.argv) > 2 else None
failures = 0


def ok(cond, what, got=None):
    global failures
    if cond:
        print("ok - " + what)
    else:
        failures += 1
        print("not ok - " + what)
        if got is not None:
            print("#   got: %s" % (str(got)[:600],))
    return cond


def connect(ehlo="client.example", port=None, helo=False):
    # tcpserver cannot exec smtpd while someone relinks it: try again
    for i in range(5):
        c = Chat(port or PORT)
        if c.reply()[0] is not None:
            break
        c.close()
        time.sleep(0.5)
    if ehlo:
        c.cmd(("HELO " if helo else "EHLO ") + ehlo)
    return c


def want(c, line, code, what, rx=None):
    """Send line, want one reply with code (and rx in its text)."""
    got, lines = c.cmd(line)
    text = "\n".join(lines)
    return ok(got == code and (rx is None or re.search(rx, text) is not None),
              what, lines)


def reply_ok(r, code, what, rx=None):
    got, lines = r
    text = "\n".join(lines)
    return ok(got == code and (rx is None or re.search(rx, text) is not None),
              what, lines)


def maildir_files():
    d = os.path.join(MAILDIR, "new")
    try:
        names = [os.path.join(d, n) for n in os.listdir(d)]
    except FileNotFoundError:
        return []
    return sorted(names, key=lambda p: (os.stat(p).st_mtime, p))


def maildir_count():
    return len(maildir_files())


def wait_count(n, secs=5):
    end = time.time() + secs
    while time.time() < end and maildir_count() < n:
        time.sleep(0.05)
    return maildir_count()


def after_received(path):
    """The message bytes after our Received: field (folded or not)."""
    data = open(path, "rb").read()
    i = data.find(b"\nReceived: from ")
    i = 0 if data.startswith(b"Received: from ") else i + 1
    j = data.index(b"\n", i) + 1
    while data[j:j + 1] in (b" ", b"\t"):
        j = data.index(b"\n", j) + 1
    return data[i:j], data[j:]


def done():
    """Exit 0 when the script ran to its end: failures are "not ok" lines."""
    sys.exit(0)
