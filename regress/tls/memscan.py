#!/usr/bin/env python3
# memscan.py KEYFILE SMTPD CHILDUSER PARENTUSER CONF: find the session child
# and its parent (the only smtpd pair alive with -C CONF), then look for the private key in
# their memory: the PEM body lines, the DER, and the raw secret (RSA prime
# p and q, or the EC private scalar) as big- and little-endian bytes.
# Prints "ok - ..." / "not ok - ..." lines.  Must run as root.
import base64
import os
import pwd
import re
import subprocess
import sys


def report(ok, what):
    print(("ok - " if ok else "not ok - ") + what)


def secrets(keyfile):
    pem = open(keyfile).read()
    body = [l for l in pem.splitlines() if l and not l.startswith("-----")]
    der = base64.b64decode("".join(body))
    txt = subprocess.run(["openssl", "pkey", "-in", keyfile, "-text", "-noout"],
                         capture_output=True, text=True).stdout
    raw = []
    for name in ("prime1", "prime2", "priv"):
        m = re.search(r"^%s:\n((?:\s+[0-9a-f:]+\n)+)" % name, txt, re.M)
        if m:
            b = bytes.fromhex(re.sub(r"[\s:]", "", m.group(1))).lstrip(b"\0")
            raw.append((name, b))
    s = [("PEM line %d" % i, l.encode()) for i, l in enumerate(body[:-1]) if len(l) >= 40]
    s.append(("DER", der))
    for name, b in raw:
        s.append((name + " big-endian", b))
        s.append((name + " little-endian", b[::-1]))
    return s, [n for n, _ in raw]


def procs(exe, uid, tag):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if os.path.realpath("/proc/%s/exe" % p) not in exe:
                continue
            st = open("/proc/%s/status" % p).read()
        except OSError:
            continue
        u = int(re.search(r"^Uid:\s+(\d+)", st, re.M).group(1))
        cmd = open("/proc/%s/cmdline" % p, "rb").read().decode("latin-1")
        if u == uid and tag in cmd.split("\0"):
            out.append(int(p))
    return out


def memory(pid):
    chunks = []
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
                continue
            a, b = (int(x, 16) for x in f[0].split("-"))
            if b - a > 1 << 30:     # ASan's shadow: reserved, never the heap
                continue
            try:
                mem.seek(a)
                chunks.append(mem.read(b - a))
            except (OSError, OverflowError, ValueError):
                pass
    return b"".join(chunks)


def main():
    keyfile, exe, cuser, puser, tag = sys.argv[1:6]
    exe = (os.path.realpath(exe),)
    kids = procs(exe, pwd.getpwnam(cuser).pw_uid, tag)
    pars = procs(exe, pwd.getpwnam(puser).pw_uid, tag)
    if len(kids) != 1 or len(pars) != 1:
        report(False, "one session child and one parent alive (%s, %s)" % (kids, pars))
        return
    child, parent = kids[0], pars[0]
    st = open("/proc/%d/status" % child).read()
    report(re.search(r"^Seccomp:\s+2$", st, re.M) is not None, "child: Seccomp: 2")
    report(re.search(r"^NoNewPrivs:\s+1$", st, re.M) is not None, "child: NoNewPrivs: 1")
    fds = []
    for fd in os.listdir("/proc/%d/fd" % child):
        try:
            fds.append(os.readlink("/proc/%d/fd/%s" % (child, fd)))
        except OSError:
            pass
    report(not any(os.path.realpath(keyfile) == x for x in fds),
           "child: the key file is not open (%s)" % " ".join(sorted(fds)))
    sec, rawnames = secrets(keyfile)
    cm = memory(child)
    found = [n for n, b in sec if b in cm]
    report(len(cm) > 100000 and not found,
           "child memory (%d bytes): no PEM line, DER or %s of the key%s" %
           (len(cm), "/".join(rawnames), (" -- found " + ", ".join(found)) if found else ""))
    # the scanner itself must be able to see a key where there is one
    pm = memory(parent)
    pf = [n for n, b in sec if b in pm and n.endswith("endian")]
    report(bool(pf), "control: the parent's memory does hold the key (%s)" %
           (", ".join(pf) or "nothing found"))


main()
