#!/bin/sh
# Bulk: BULK_N messages (default 200; regress/queue/bulk.sh runs 10,000)
# through smtpd -> queue -> runq, each to three recipients on three
# routes: Dovecot over LMTP, Postfix over SMTP, and an inner server that
# answers 451 at random (a fifth of the RCPTs and a tenth of the
# messages).  runq -f -n 4 runs until the queue is empty (bounded):
# exactly BULK_N deliveries per recipient, none lost, none doubled.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
. "$TOP/regress/queue/dovecot.sh"
. "$TOP/regress/peers/postfix.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
N=${BULK_N:-200}
# the sanitizer build is several times slower: fewer there
if [ -z "$BULK_N" ] && nm "$SMTPD" 2>/dev/null | grep -q __asan_; then N=60; fi
dovecot_start "$T/dc" "$(freeport)" || exit 0
PF=$(freeport)
postfix_start "$PF" 2>"$T/postfix.err" || { skip "Postfix" "postfix_start failed"; exit 0; }
IP=$(freeport)
python3 "$TOP/regress/queue/inner.py" "$IP" "$T/record" --p451rcpt 0.2 --p451data 0.1 --seed $$ &
bg_track $!
wait_port "$IP" || { fail "inner server did not start"; exit 0; }
queue_setup <<EOR
dove.test lmtp!unix!$DC_SOCK
inner.test tcp!127.0.0.1!$IP
pf.test tcp!127.0.0.1!$PF
EOR
sed -i "s|^ourdomains .*|& pf.test|; s|^runq .*|runq /bin/true|" "$QCONF"
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

t0=$(date +%s)
Q=$(python3 - "$P" "$N" <<'PY'
import smtplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
ok = i = 0
while i < n:
    s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    for _ in range(50):
        if i >= n: break
        i += 1
        msg = ("Subject: bulk %d\r\nFrom: s@local.test\r\nMessage-ID: <bulk%d@local.test>\r\n\r\nmessage %d\r\n" % (i, i, i)).encode()
        r = s.sendmail("s@local.test", ["alice@dove.test", "u@inner.test", "p@pf.test"], msg)
        ok += not r
    s.quit()
print(ok)
PY
)
t1=$(date +%s)
check "smtpd queued all $N ($Q) in $((t1 - t0)) s" test "$Q" -eq "$N"
r=0
while [ "$(qcount)" -gt 0 ] && [ $r -lt 40 ]; do
	"$RUNQ" -C "$QCONF" -f -n 4 >/dev/null 2>&1
	r=$((r + 1))
done
t2=$(date +%s)
echo "# runq: $r rounds, $((t2 - t1)) s; $(grep -c 'result=retry' "$LOG") retries logged"
check "the queue is empty after $r runs of runq -f" test "$(qcount)" -eq 0
check "Dovecot: exactly $N for alice" test "$(dc_count alice)" -eq "$N"
check "inner server (random 451s): $N records" test "$(wc -l < "$T/record")" -eq "$N"
check "inner server: no message twice" test -z "$(sort "$T/record" | uniq -d)"
i=0
while [ "$(ls "$POSTFIX_MAILDIR/new" | wc -l)" -lt "$N" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
sleep 1
check "Postfix: exactly $N" test "$(ls "$POSTFIX_MAILDIR/new" | wc -l)" -eq "$N"
check "no bounce (every 451 was retried)" sh -c "! grep -q 'result=bounced' '$LOG'"
