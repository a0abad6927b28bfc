#!/bin/sh
# Bulk: BULK_N messages (default 200; `make bulk` runs 10,000, see
# regress/queue/bulk.sh) through smtpd -> queue -> runq, each to three
# recipients on three routes: Dovecot over LMTP, Postfix over SMTP, and
# an inner server that answers 451 at random (a fifth of the RCPTs and a
# tenth of the messages).  smtpd starts runq -s for what it queues (at
# most maxrunq, 4, at once), while four clients send; then runq -f -n 4
# retries the 451s until the queue is empty (bounded): exactly BULK_N
# deliveries per recipient, none lost, none doubled (counted by
# Message-ID).  Prints where the time went.
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
sed -i "s|^ourdomains .*|& pf.test|" "$QCONF"
echo "maxrunq 4" >> "$QCONF"
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

# runq processes still at work for this test (smtpd's runners)
runners() { pgrep -c -f "runq -s -C $QCONF"; }

t0=$(date +%s)
cl=
for c in 1 2 3 4; do
	python3 - "$P" "$N" "$c" > "$T/sent.$c" <<'PY' &
import smtplib, sys
port, n, c = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ok = 0
i = c
while i <= n:
    s = smtplib.SMTP("127.0.0.1", port, timeout=120)
    for _ in range(50):
        if i > n: break
        msg = ("Subject: bulk %d\r\nFrom: s@local.test\r\nMessage-ID: <bulk%d@local.test>\r\n\r\nmessage %d\r\n" % (i, i, i)).encode()
        ok += not s.sendmail("s@local.test", ["alice@dove.test", "u@inner.test", "p@pf.test"], msg)
        i += 4
    s.quit()
print(ok)
PY
	cl="$cl $!"
done
wait $cl
t1=$(date +%s)
Q=$(cat "$T"/sent.* | awk '{ s += $1 } END { print s }')
check "smtpd queued all $N ($Q) in $((t1 - t0)) s" test "$Q" -eq "$N"
# smtpd's runners finish what is due (bounded: 20 s without progress;
# a look a second, the test's own processes cost CPU the runners need)
last=-1 still=0
while [ "$(runners)" -gt 0 ] && [ $still -lt 20 ]; do
	q=$(qcount)
	if [ "$q" = "$last" ]; then still=$((still + 1)); else still=0; last=$q; fi
	sleep 1
done
t2=$(date +%s)
left=$(qcount)
r=0
while [ "$(qcount)" -gt 0 ] && [ $r -lt 40 ]; do
	"$RUNQ" -C "$QCONF" -f -n 4 >/dev/null 2>&1
	r=$((r + 1))
done
t3=$(date +%s)
tries=$(grep -c ' via=' "$LOG")
retries=$(grep -c 'result=retry' "$LOG")
echo "# $N messages: queued in $((t1 - t0)) s while smtpd's runners delivered; they were done $((t2 - t1)) s later, $left entries left with a 451; $r runs of runq -f in $((t3 - t2)) s; $((t3 - t0)) s in all"
echo "# $tries deliveries tried ($retries answered 4xx), $(awk -v t=$((t3 - t0)) -v n="$N" 'BEGIN { printf "%.1f", t * 1000 / n }') ms a message"
check "the queue is empty after $r runs of runq -f" test "$(qcount)" -eq 0
# "message-id recipient" of every message in a Maildir
mids() { find "$@" -type f -exec grep -h -m1 -i '^Message-ID:' {} + | tr -d '\r' | awk '{ print $2 }'; }
mids "$DC_MAIL/alice/Maildir/new" "$DC_MAIL/alice/Maildir/cur" > "$T/dc.mids"
check "Dovecot: exactly $N for alice" test "$(wc -l < "$T/dc.mids")" -eq "$N"
check "Dovecot: none twice" test "$(sort -u "$T/dc.mids" | wc -l)" -eq "$N"
check "inner server (random 451s): $N records" test "$(wc -l < "$T/record")" -eq "$N"
check "inner server: no message twice" test -z "$(sort "$T/record" | uniq -d)"
i=0
while [ "$(ls "$POSTFIX_MAILDIR/new" | wc -l)" -lt "$N" ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
sleep 1
mids "$POSTFIX_MAILDIR/new" > "$T/pf.mids"
check "Postfix: exactly $N" test "$(wc -l < "$T/pf.mids")" -eq "$N"
check "Postfix: none twice" test "$(sort -u "$T/pf.mids" | wc -l)" -eq "$N"
check "no bounce (every 451 was retried)" sh -c "! grep -q 'result=bounced' '$LOG'"
