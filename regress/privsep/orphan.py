#!/usr/bin/env python3
# The session child of a killed parent (issue 15 point 2), driven by
# t-orphan.sh.  This process is a child subreaper (prctl(2)
# PR_SET_CHILD_SUBREAPER), so the orphaned child is reparented to it and
# its end can be read: exit status 1 is the child's own exit on the
# socketpair's hang-up (io_poll in smtpd/session/io.c), SIGKILL is
# Linux's PR_SET_PDEATHSIG.  UPAS_TEST_NOPDEATHSIG is set for smtpd, so
# only the first way is there to end it.
# Usage: orphan.py port log-file tcpserver-argv...
import ctypes, os, signal, socket, subprocess, sys, time

PR_SET_CHILD_SUBREAPER = 36
port, log = int(sys.argv[1]), sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    print("skip - orphan # prctl PR_SET_CHILD_SUBREAPER failed")
    sys.exit(0)
env = dict(os.environ, UPAS_TEST_NOPDEATHSIG="1")
srv = subprocess.Popen(sys.argv[3:], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def done(rc):
    srv.kill()
    srv.wait()
    sys.exit(rc)


def children(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


c = None
for _ in range(200):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        break
    except OSError:
        time.sleep(0.05)
if c is None:
    print("not ok - connect to smtpd")
    done(1)
f = c.makefile("rb")
banner = f.readline()
c.sendall(b"EHLO orphan.test\r\n")
while True:
    line = f.readline()
    if not line or line[3:4] != b"-":
        break
if not banner.startswith(b"220") or not line.startswith(b"250"):
    print("not ok - 220 and 250 to EHLO: %r %r" % (banner, line))
    done(1)
# the parent: tcpserver's child; the session: the parent's only child
parent = None
for _ in range(100):
    kids = children(srv.pid)
    if kids and children(kids[0]):
        parent = kids[0]
        break
    time.sleep(0.02)
if parent is None:
    print("not ok - found the parent and the session child")
    done(1)
child = children(parent)[0]
print("ok - the parent (%d) and its session child (%d), client idle" %
      (parent, child))
os.kill(parent, signal.SIGKILL)
t0 = time.monotonic()
status = None
while time.monotonic() - t0 < 1.0:
    try:
        pid, st = os.waitpid(child, os.WNOHANG)
    except ChildProcessError:
        # not reparented to us yet: the parent is still on its way out
        time.sleep(0.01)
        continue
    if pid == child:
        status = st
        break
    time.sleep(0.01)
dt = time.monotonic() - t0
if status is None:
    alive = os.path.exists("/proc/%d" % child)
    print("not ok - the orphaned session child ended within 1 s "
          "(still running: %s)" % alive)
    if alive:
        os.kill(child, signal.SIGKILL)
    done(1)
if os.WIFEXITED(status):
    print("ok - the orphaned session child left on its own in %.2f s "
          "(exit %d), not by PDEATHSIG" % (dt, os.WEXITSTATUS(status)))
else:
    print("not ok - the orphaned session child was killed by signal %d "
          "(PDEATHSIG?), not its own exit on the hang-up" %
          os.WTERMSIG(status))
    done(1)
c.settimeout(1.0)
try:
    rest = c.recv(4096)
except OSError:
    rest = b""
print(("ok" if rest == b"" else "not ok") +
      " - the client's connection is closed, no word from the orphan: %r" % rest)
done(0 if rest == b"" else 1)
