#!/usr/bin/env python3
# Small measurements for run.sh, one per subcommand; each prints one line.
#   probe.py latency PORT N [SECS]      median and p90 ms from connect to the 220 line
#   probe.py tls PORT N full|resume [SECS]  STARTTLS handshakes per second, how
#                                       many done, how many resumed
# N connections at most, and SECS seconds at most (default 60).
#   probe.py tlsload PORT PROCS N full|resume [SECS]  PROCS client processes,
#                                       N sessions in all, each: STARTTLS, EHLO,
#                                       one 1 KiB message, QUIT; "rate done
#                                       resumed cpu", cpu = the clients' own
#                                       user+system ms per session
#   probe.py mem PORT ROOTPID [NAME [tls]]    memory (kB) of the processes serving one
#                                       session: new under ROOTPID, or the largest
#                                       one called NAME (servers that reuse them):
#                                       "HWM PSS USS name:hwm...", HWM = summed peak
#                                       RSS (VmHWM), PSS and USS (Private_Clean +
#                                       Private_Dirty) summed from smaps_rollup
#                                       (or smaps) while the session is open
# Every socket operation has a timeout; every loop is bounded.
import os, socket, ssl, sys, time

TIMEOUT = 10


def readreply(f):
    """One SMTP reply (multi-line aware); returns the last line."""
    for _ in range(100):
        line = f.readline(1024)
        if not line:
            raise OSError("eof")
        if len(line) < 4 or line[3:4] != b"-":
            return line
    raise OSError("reply too long")


def dial(port):
    s = socket.create_connection(("127.0.0.1", port), TIMEOUT)
    s.settimeout(TIMEOUT)
    # measure the server, not Nagle against delayed ACKs
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def cmd(s, f, text):
    s.sendall(text.encode() + b"\r\n")
    return readreply(f)


def latency(port, n, secs):
    v = []
    end = time.time() + secs
    for _ in range(n):
        if time.time() > end:
            break
        t0 = time.perf_counter()
        s = dial(port)
        f = s.makefile("rb")
        readreply(f)
        v.append((time.perf_counter() - t0) * 1000)
        try:
            cmd(s, f, "QUIT")
        except OSError:
            pass
        f.close(); s.close()
    v.sort()
    print("%.2f %.2f" % (v[len(v) // 2], v[min(len(v) - 1, int(len(v) * 0.9))]))


def tls(port, n, mode, secs):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sess = None
    reused = ok = 0
    end = time.time() + secs
    t0 = time.perf_counter()
    for _ in range(n):
        if time.time() > end:
            break
        s = dial(port)
        f = s.makefile("rb")
        try:
            readreply(f)
            cmd(s, f, "EHLO bench.test")
            if not cmd(s, f, "STARTTLS").startswith(b"220"):
                raise OSError("STARTTLS refused")
            f.close()
            t = ctx.wrap_socket(s, server_hostname="mx.test.example",
                                session=sess if mode == "resume" else None)
            tf = t.makefile("rb")
            # a command after the handshake lets TLS 1.3 tickets arrive
            cmd(t, tf, "EHLO bench.test")
            reused += t.session_reused
            if mode == "resume" and t.session is not None:
                sess = t.session
            try:
                cmd(t, tf, "QUIT")
            except OSError:
                pass
            tf.close(); t.close()
            ok += 1
        except (OSError, ssl.SSLError) as e:
            print("tls error: %s" % e, file=sys.stderr)
            s.close()
            break
    el = time.perf_counter() - t0
    print("%.1f %d %d" % (ok / el if ok else 0, ok, reused))


MSG1K = b"Subject: bench\r\n\r\n" + (b"x" * 73 + b"\r\n") * 13 + b".\r\n"


def tls_session(port, ctx, sess):
    """One session under TLS with one 1 KiB message; (reused, session)."""
    s = dial(port)
    try:
        f = s.makefile("rb")
        readreply(f)
        cmd(s, f, "EHLO bench.test")
        if not cmd(s, f, "STARTTLS").startswith(b"220"):
            raise OSError("STARTTLS refused")
        f.close()
        t = ctx.wrap_socket(s, server_hostname="mx.test.example", session=sess)
    except (OSError, ssl.SSLError):
        s.close()
        raise
    try:
        tf = t.makefile("rb")
        cmd(t, tf, "EHLO bench.test")
        cmd(t, tf, "MAIL FROM:<bench@bench.test>")
        cmd(t, tf, "RCPT TO:<bench@test.example>")
        cmd(t, tf, "DATA")
        t.sendall(MSG1K)
        if not readreply(tf).startswith(b"250"):
            raise OSError("message refused")
        try:
            cmd(t, tf, "QUIT")
        except OSError:
            pass
        return t.session_reused, t.session
    finally:
        t.close()


def tlsload(port, procs, n, mode, secs):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    end = time.time() + secs
    rd, wr = os.pipe()
    t0 = time.perf_counter()
    pids = []
    for i in range(procs):
        pid = os.fork()
        if pid == 0:
            os.close(rd)
            ok = reused = 0
            sess = None
            for _ in range(n // procs + (i < n % procs)):
                if time.time() > end:
                    break
                try:
                    r, ts = tls_session(port, ctx, sess if mode == "resume" else None)
                except (OSError, ssl.SSLError) as e:
                    print("tls error: %s" % e, file=sys.stderr)
                    break
                ok += 1
                reused += r
                sess = ts
            os.write(wr, b"%d %d\n" % (ok, reused))
            os._exit(0)
        pids.append(pid)
    os.close(wr)
    for pid in pids:
        os.waitpid(pid, 0)
    el = time.perf_counter() - t0
    ok = reused = 0
    with os.fdopen(rd, "rb") as fh:
        for line in fh.read().split(b"\n"):
            if line:
                a, b = line.split()
                ok += int(a); reused += int(b)
    t = os.times()
    cpu = (t.children_user + t.children_system) * 1000
    print("%.1f %d %d %.2f" % (ok / el if ok else 0, ok, reused, cpu / ok if ok else 0))


def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def tree(root):
    seen, todo = [], [root]
    while todo and len(seen) < 1000:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen[1:]


def status(pid):
    d = {}
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                k, _, v = line.partition(":")
                d[k] = v.strip()
    except OSError:
        pass
    return d


def smaps(pid):
    """(Pss, Private_Clean + Private_Dirty) in kB, now: smaps_rollup, or
    the sum over smaps on kernels without it; (0, 0) when unreadable."""
    for fn in ("smaps_rollup", "smaps"):
        pss = uss = 0
        try:
            with open("/proc/%d/%s" % (pid, fn)) as fh:
                for line in fh:
                    k, _, v = line.partition(":")
                    if k == "Pss":
                        pss += int(v.split()[0])
                    elif k in ("Private_Clean", "Private_Dirty"):
                        uss += int(v.split()[0])
        except (OSError, ValueError, IndexError):
            continue
        return pss, uss
    return 0, 0


def mem(port, root, name=None, tls=False):
    before = set(tree(root))
    s = dial(port)
    f = s.makefile("rb")
    readreply(f)
    cmd(s, f, "EHLO bench.test")
    if tls:
        if not cmd(s, f, "STARTTLS").startswith(b"220"):
            raise OSError("STARTTLS refused")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        f.close()
        s = ctx.wrap_socket(s, server_hostname="mx.test.example")
        f = s.makefile("rb")
        cmd(s, f, "EHLO bench.test")
    cmd(s, f, "MAIL FROM:<bench@bench.test>")
    cmd(s, f, "RCPT TO:<mem@test.example>")
    cmd(s, f, "DATA")
    s.sendall(b"Subject: mem\r\n\r\n" + (b"x" * 70 + b"\r\n") * 14 + b".\r\n")
    readreply(f)
    cmd(s, f, "NOOP")
    # the processes serving this session: new in the tree, or for a
    # server that reuses processes, those named like its session handler
    if name:
        procs = [p for p in tree(root) if status(p).get("Name") == name]
    else:
        procs = [p for p in tree(root) if p not in before]
    rows = []
    for p in procs:
        st = status(p)
        if st:
            pss, uss = smaps(p)
            rows.append((p, st.get("Name", "?"), int(st.get("VmHWM", "0 kB").split()[0]),
                         int(st.get("VmRSS", "0 kB").split()[0]), pss, uss))
    cmd(s, f, "QUIT")
    f.close(); s.close()
    if name:
        rows = sorted(rows, key=lambda r: -r[2])[:1]	# one process per session
    total = sum(r[2] for r in rows)
    print("%d %d %d %s" % (total, sum(r[4] for r in rows), sum(r[5] for r in rows),
                           " ".join("%s:%d" % (r[1], r[2]) for r in rows)))


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "latency":
            latency(int(a[1]), int(a[2]), float(a[3]) if len(a) > 3 else 60)
        elif a[0] == "tls":
            tls(int(a[1]), int(a[2]), a[3], float(a[4]) if len(a) > 4 else 60)
        elif a[0] == "mem":
            mem(int(a[1]), int(a[2]), a[3] if len(a) > 3 and a[3] else None,
                len(a) > 4 and a[4] == "tls")
        elif a[0] == "tlsload":
            tlsload(int(a[1]), int(a[2]), int(a[3]), a[4],
                    float(a[5]) if len(a) > 5 else 60)
        else:
            sys.exit("probe.py: unknown " + a[0])
    except (OSError, ssl.SSLError, IndexError, ValueError) as e:
        print("n/a (%s)" % e)


main()
