#!/bin/sh
# Delay warnings: a recipient still being retried delaywarn after the
# message arrived gets the sender one RFC 3464 report with Action: delayed
# and Will-Retry-Until, once per message; a message from <> gets none.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
queue_setup <<EOR
down.test lmtp!unix!$T/nosuch.sock
EOR
# deliveries are started by hand here
sed -i "s|^runq .*|runq /bin/true|" "$QCONF"
echo "delaywarn 1h" >> "$QCONF"
# the same with a delaywarn of a second, for the runs after the first
sed 's/^delaywarn .*/delaywarn 1/' "$QCONF" > "$T/short.conf"
check "smtpd -T takes delaywarn" "$SMTPD" -C "$QCONF" -T
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

printf 'Subject: slow\nFrom: s@local.test\nMessage-ID: <slow1@local.test>\n\nhello\n' > "$T/m"
OUT=$(qsend "$P" s@local.test y@down.test a@local.test < "$T/m")
ID=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
OUT=$(qsend "$P" "" y@down.test < "$T/m")
ID0=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
n0=$(lcount s)
"$RUNQ" -C "$QCONF" -f >/dev/null 2>&1
check "before delaywarn: retried, no warning" test "$(lcount s)" -eq "$n0"
check "a@local.test got it at once" test "$(lcount a)" -eq 1
sleep 1.1
"$RUNQ" -C "$T/short.conf" -f >/dev/null 2>&1
check "after delaywarn: one warning to the sender" test "$(lcount s)" -eq $((n0 + 1))
B=$(ls -t "$T/local/s/Maildir/new"/* 2>/dev/null | head -n 1)
check "the warning is an RFC 3464 report: Action: delayed, 4.x.x, Will-Retry-Until, for y@down.test only" python3 - "$B" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
assert m.get_content_type() == "multipart/report", m.get_content_type()
assert m.get_param("report-type") == "delivery-status"
assert m["Auto-Submitted"] == "auto-replied"
assert "Delayed" in m["Subject"], m["Subject"]
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"], parts
per = parts[1].get_payload()[1:]
assert len(per) == 1, per
assert per[0]["Final-Recipient"] == "rfc822; y@down.test", per[0]["Final-Recipient"]
assert per[0]["Action"] == "delayed", per[0]["Action"]
assert per[0]["Status"].startswith("4."), per[0]["Status"]
assert per[0]["Will-Retry-Until"], "no Will-Retry-Until"
assert "slow1@local.test" in str(parts[2])
PY
check "the warning came from <>" grep -q '^Return-Path: <>' "$B"
check "the entry is still queued, y@down.test pending" sh -c "'$RUNQ' -C '$QCONF' -l | grep -q 'pending <y@down.test> tries=2'"
"$RUNQ" -C "$T/short.conf" -f >/dev/null 2>&1
check "once per message: no second warning" test "$(lcount s)" -eq $((n0 + 1))
check "a message from <>: no warning" sh -c "! grep -q 'id=$ID0 warning=' '$LOG'"
check "the warning is logged" grep -q "id=$ID warning=.* to=<s@local.test> delayed=1" "$LOG"
"$RUNQ" -C "$QCONF" -d "$ID" >/dev/null
"$RUNQ" -C "$QCONF" -d "$ID0" >/dev/null
check "queue empty" test "$(qcount)" -eq 0
