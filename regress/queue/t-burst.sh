#!/bin/sh
# A burst: smtpd starts runq -s for each entry it queues, but at most
# maxrunq of them deliver at once (runq.c: a flock(2) slot each); when
# every slot is held smtpd starts none, and the runners holding the slots
# take the entries nobody started a runner for.  BURST_N messages from
# four clients at once to an inner server that takes 0.1 s a message:
# never more than maxrunq (3) deliveries (smtp processes) at once, far
# fewer runners started than messages (smtpd logs runq=started or
# runq=busy for each entry), every message delivered exactly once, the
# queue empty, without any other run of runq.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
N=${BURST_N:-40}
MAX=3
IP=$(freeport)
python3 "$TOP/regress/queue/inner.py" "$IP" "$T/record" --datadelay 0.1 &
bg_track $!
wait_port "$IP" || { fail "inner server did not start"; exit 0; }
queue_setup <<EOR
inner.test tcp!127.0.0.1!$IP
EOR
echo "maxrunq $MAX" >> "$QCONF"
check "smtpd -T takes maxrunq" "$SMTPD" -C "$QCONF" -T
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

# deliveries at once: smtp processes to the inner server (a runner runs
# one at a time, so these are the runners at work)
python3 - "$QCONF" "tcp!127.0.0.1!$IP" "$T/runners" <<'PY' &
import os, sys, time
conf, dest, out = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
def procs():
    p = {}
    for d in os.listdir("/proc"):
        if not d.isdigit(): continue
        try:
            a = open("/proc/%s/cmdline" % d, "rb").read().split(b"\0")
            pp = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        p[int(d)] = (a, pp)
    return p
most = 0; end = time.time() + 120
while time.time() < end and not os.path.exists(out + ".stop"):
    p = procs()
    most = max(most, sum(1 for a, pp in p.values() if a[0].endswith(b"smtp") and dest in a))
    time.sleep(0.005)
open(out, "w").write("%d\n" % most)
PY
SAMPLER=$!
bg_track $SAMPLER
sleep 0.3

t0=$(date +%s)
cl=
for c in 1 2 3 4; do
	python3 - "$P" "$N" "$c" > "$T/sent.$c" <<'PY' &
import smtplib, sys
port, n, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
ok = 0
for i in range(c, n + 1, 4):
    msg = ("Subject: burst %d\r\nMessage-ID: <burst%d@local.test>\r\n\r\nm %d\r\n" % (i, i, i)).encode()
    ok += not s.sendmail("s@local.test", ["u@inner.test"], msg)
s.quit()
print(ok)
PY
	cl="$cl $!"
done
wait $cl
sent=$(cat "$T"/sent.* | awk '{ s += $1 } END { print s }')
check "smtpd queued all $N" test "$sent" -eq "$N"
queue_wait 60
t1=$(date +%s)
touch "$T/runners.stop"
n=0; while [ ! -s "$T/runners" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
read most < "$T/runners"
# smtpd logs whether it started a runner for each entry
started=$(grep -c 'result=queued runq=started' "$LOG")
busy=$(grep -c 'result=queued runq=busy' "$LOG")
echo "# $N messages in $((t1 - t0)) s; at most $most deliveries at once; smtpd started $started runners, none for $busy entries (all busy)"
check "never more than maxrunq ($MAX) deliveries at once ($most)" test "$most" -le "$MAX"
check "smtpd logged a runner or none for every entry" test "$((started + busy))" -eq "$N"
check "smtpd started far fewer runners than messages ($started for $N)" test "$started" -le "$((N / 2))"
check "the queue is empty: the runners took what nobody started a runner for" test "$(qcount)" -eq 0
check "the inner server has all $N" test "$(sort -u "$T/record" | wc -l)" -eq "$N"
check "none twice" test -z "$(sort "$T/record" | uniq -d)"
