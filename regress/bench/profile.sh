#!/bin/sh
# A profile of smtpd per connection: perf record (cpu-clock, every CPU,
# call graphs) while regress/bench/cpu.sh runs N connections (default
# 400, C=10), then regress/bench/profile.py: milliseconds of CPU per
# connection in each system call, page faults, fork's return and user
# space, for the smtpd processes (parent and child together).  Not part
# of the suite.  Usage: sh regress/bench/profile.sh [smtpd-binary]
TOP=$(cd "$(dirname "$0")/../.." && pwd)
command -v perf >/dev/null 2>&1 || { echo "profile.sh: no perf"; exit 1; }
N=${N:-400}
B=${1:-$TOP/smtpd/smtpd}
OUT=$TOP/regress/tmp/bench-profile
mkdir -p "$OUT"
export N
perf record -q -e cpu-clock -c 250000 -a -g -o "$OUT/perf.data" -- \
    sh "$TOP/regress/bench/cpu.sh" "$B" > "$OUT/cpu.out" 2>&1
tail -n 1 "$OUT/cpu.out"
perf script -i "$OUT/perf.data" 2>/dev/null |
    python3 "$TOP/regress/bench/profile.py" "$(basename "$B")" "$N" 0.25
