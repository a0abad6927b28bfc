#!/usr/bin/env python3
# Where one connection's CPU goes, from `perf script` output of a
# `perf record -a -g -e cpu-clock` taken while N connections ran
# (regress/bench/profile.sh): each sample of the named command is put in
# the kernel entry it ran under (a system call, a page fault, the return
# from fork), or "user"; printed as ms per connection.
# Usage: perf script | profile.py COMM N PERIOD_MS
import collections
import os
import re
import sys

comm, n, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])


def category(stack):
    fs = [re.sub(r"\+0x[0-9a-f]+$", "", f) for f, _, _ in stack]
    for f in reversed(fs):
        if f.startswith(("__x64_sys_", "__do_sys_", "__se_sys_")):
            return "syscall " + re.sub(r"^(__x64_sys_|__do_sys_|__se_sys_)", "", f)
        if f == "asm_exc_page_fault":
            return "page fault"
        if f == "ret_from_fork_asm":
            return "return from fork"
        if f.startswith(("asm_sysvec", "asm_common_interrupt")):
            return "interrupt"
    if not any(k for _, k, _ in stack):
        return "user " + fs[0] if fs else "user"
    return "kernel, other"


counts = collections.Counter()
dsos = collections.Counter()	# where the sampled instruction was
stack, mine = [], False
for line in sys.stdin:
    if line and not line[0].isspace():
        if mine and stack:
            counts[category(stack)] += 1
            dsos[stack[0][2]] += 1
        mine = line.split()[0] == comm if line.strip() else False
        stack = []
        continue
    p = line.strip().split(None, 1)
    if len(p) == 2:
        d = p[1].rsplit(" (", 1)
        stack.append((d[0], "kernel.kallsyms" in p[1],
                      os.path.basename(d[1].rstrip(")")) if len(d) == 2 else "?"))
if mine and stack:
    counts[category(stack)] += 1
    dsos[stack[0][2]] += 1

total = sum(counts.values())
user = sum(v for k, v in counts.items() if k.startswith("user"))
print("%-34s %8s %6s" % ("%s: where the CPU goes" % comm, "ms/conn", "share"))
print("%-34s %8.2f %5.1f%%" % ("all", total * period / n, 100.0))
print("%-34s %8.2f %5.1f%%" % ("user space (all functions)", user * period / n,
                                100.0 * user / max(total, 1)))
for k, v in counts.most_common():
    if k.startswith("user") or v * period / n < 0.03:
        continue
    print("%-34s %8.2f %5.1f%%" % (k, v * period / n, 100.0 * v / total))
ufun = [(k[5:], v) for k, v in counts.items() if k.startswith("user ")]
for k, v in sorted(ufun, key=lambda kv: -kv[1])[:8]:
    print("%-34s %8.2f %5.1f%%" % ("  user: " + k, v * period / n, 100.0 * v / total))
for k, v in dsos.most_common(8):
    print("%-34s %8.2f %5.1f%%" % ("  in " + k, v * period / n, 100.0 * v / total))
