#!/bin/sh
# The queue: with routes, smtpd answers 250 once the entry is durable in
# the queue directory and starts runq for it, which hands it on: Dovecot
# over LMTP (a socket and TCP), the built-in Maildir delivery; retries
# with growing intervals; runq -l, -f, -d; a permanent failure bounces at
# once (RFC 3464, read back with Python's email package); a recipient
# still failing after maxqueuetime bounces; nothing ever bounces to <>.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
. "$TOP/regress/queue/dovecot.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
dovecot_start "$T/dc" "$(freeport)" || exit 0
queue_setup <<EOR
dove.test lmtp!unix!$DC_SOCK
*.sub.test lmtp!tcp!127.0.0.1!$DC_PORT
down.test lmtp!unix!$T/nosuch.sock
EOR
printf '@dove.test\n' > "$T/recipients"
echo "recipients $T/recipients" >> "$QCONF"
check "smtpd -T takes the queue keywords" "$SMTPD" -C "$QCONF" -T
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

printf 'Subject: q1\nFrom: s@local.test\n\nhello\n' > "$T/m1"
OUT=$(qsend "$P" s@local.test alice@dove.test bob@dove.test a@local.test x@local.test < "$T/m1")
expect "unknown local recipient refused at RCPT" 'rcpt x@local.test 550 5\.1\.1' "$OUT"
expect "250 after the queue write: queued as ID" '^250 2\.0\.0 Ok, queued as [0-9]+\.' "$OUT"
check "runq, started by smtpd, emptied the queue" queue_wait 15
check "Dovecot over a socket: alice and bob once each" sh -c "[ $(dc_count alice) -eq 1 ] && [ $(dc_count bob) -eq 1 ]"
check "local route: a@local.test once" test "$(lcount a)" -eq 1
check "the queue entry was written by the mail user" grep -q "message id=.* queueid=.* nrcpt=3 result=queued" "$LOG"

OUT=$(qsend "$P" s@local.test carol@x.sub.test < "$T/m1")
expect "*.sub.test: 250" '^250 ' "$OUT"
queue_wait 15
check "*.sub.test went over LMTP/TCP (Dovecot strips the domain): carol once" test "$(dc_count carol)" -eq 1

# a destination that is down: the entry stays, runq -l shows it
OUT=$(qsend "$P" s@local.test y@down.test < "$T/m1")
ID=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
sleep 1.5
check "down: the entry is still queued" test -f "$QDIR/$ID.c"
L=$("$RUNQ" -C "$QCONF" -l)
expect "runq -l lists it: pending, one try, a retry time" "pending <y@down.test> tries=1 next=\+[0-9]+s" "$L"
"$RUNQ" -C "$QCONF" >/dev/null 2>&1
expect "runq without -f leaves it alone until its time" "tries=1 " "$("$RUNQ" -C "$QCONF" -l)"
"$RUNQ" -C "$QCONF" -f >/dev/null 2>&1
L=$("$RUNQ" -C "$QCONF" -l)
expect "runq -f tries again; the interval grows" "tries=2 next=\+1[12][0-9]s" "$L"
"$RUNQ" -C "$QCONF" -d "$ID" >/dev/null
check "runq -d deletes it" test ! -e "$QDIR/$ID.c" -a ! -e "$QDIR/$ID.d"

# permanent failure: bounced at once; the bounce is an RFC 3464 report
{ printf 'Subject: big\nFrom: s@local.test\nMessage-ID: <big1@local.test>\n\n'; head -c 4000 /dev/zero | tr '\0' x | fold -w 70; } > "$T/big"
n0=$(lcount s)
OUT=$(qsend "$P" s@local.test full@dove.test alice@dove.test < "$T/big")
check "over quota: the entry is done with" queue_wait 15
check "over quota: alice got it" test "$(dc_count alice)" -eq 2
check "over quota: one bounce to the sender" test "$(lcount s)" -eq $((n0 + 1))
B=$(ls -t "$T/local/s/Maildir/new"/* 2>/dev/null | head -n 1)
check "the bounce parses as multipart/report with a delivery-status for full@dove.test" python3 - "$B" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
assert m.get_content_type() == "multipart/report", m.get_content_type()
assert m.get_param("report-type") == "delivery-status"
assert m["Auto-Submitted"] == "auto-replied"
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"], parts
ds = parts[1].get_payload()
per = [b for b in ds[1:]]
assert per[0]["Final-Recipient"] == "rfc822; full@dove.test", per[0]["Final-Recipient"]
assert per[0]["Action"] == "failed"
assert per[0]["Status"] == "5.2.2", per[0]["Status"]
assert "alice" not in str(ds)
assert "Message-ID: <big1@local.test>" in parts[2].get_payload() or "big1@local.test" in str(parts[2])
PY
check "the bounce came from <>" grep -q '^Return-Path: <>' "$B"

# maxqueuetime: a short one; the failure bounces, once
sed 's/^maxqueuetime.*//' "$QCONF" > "$T/short.conf"; echo "maxqueuetime 2" >> "$T/short.conf"
OUT=$(qsend "$P" s@local.test z@down.test < "$T/m1")
ID=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
OUT=$(qsend "$P" "" z@down.test < "$T/m1")
ID0=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
sleep 3
n0=$(lcount s)
"$RUNQ" -C "$T/short.conf" -f >/dev/null 2>&1
check "expired: both entries gone" sh -c "[ ! -e '$QDIR/$ID.c' ] && [ ! -e '$QDIR/$ID0.c' ]"
check "expired: exactly one bounce (to s@local.test, none for <>)" test "$(lcount s)" -eq $((n0 + 1))
B=$(ls -t "$T/local/s/Maildir/new"/* 2>/dev/null | head -n 1)
check "expired: the report says 4.4.7 for z@down.test" python3 - "$B" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
ds = list(m.iter_parts())[1].get_payload()
assert ds[1]["Final-Recipient"] == "rfc822; z@down.test"
assert ds[1]["Status"] == "4.4.7", ds[1]["Status"]
PY
check "<> sender: logged, not bounced" grep -q "to=<z@down.test> result=bounced (sender <>: no bounce)" "$LOG"
check "queue empty" test "$(qcount)" -eq 0

# with routes, the default route is for trusted peers only, whatever the
# child's relay rules say (here norelay is off)
sed -e 's/^norelay on/norelay off/' -e "s|^runq .*|runq /bin/true|" "$QCONF" > "$T/open.conf"
{ cat "$T/open.conf"; echo "ournets 127.0.0.1"; } > "$T/trusted.conf"
P2=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P2" "$SMTPD" -C "$T/open.conf" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
P3=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P3" "$SMTPD" -C "$T/trusted.conf" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P2" && wait_port "$P3" || { fail "tcpserver did not start"; exit 0; }
OUT=$(qsend "$P2" s@local.test x@elsewhere.test < "$T/m1")
expect "norelay off, untrusted peer, default route: 554 5.7.1 from the parent" 'rcpt x@elsewhere.test 554 5\.7\.1' "$OUT"
check "the parent logged it" grep -q 'rcpt to=<x@elsewhere.test> result=relay-denied' "$LOG"
OUT=$(qsend "$P3" s@local.test x@elsewhere.test < "$T/m1")
expect "ournets peer: the default route (mx) is taken" '^250 2\.0\.0 Ok, queued as ' "$OUT"
ID=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
"$RUNQ" -C "$QCONF" -d "$ID" >/dev/null

# -T (and every start) refuses what the queue cannot work with
printf 'broken.test\n' > "$T/badroutes"
sed "s|^routes .*|routes $T/badroutes|" "$QCONF" > "$T/bad1.conf"
OUT=$("$SMTPD" -C "$T/bad1.conf" -T 2>&1)
expect "-T: a routes line without a destination, file:line" "badroutes:1: expected \"domain destination\"" "$OUT"
sed "s|^queue .*|queue $T/nosuchqueue|" "$QCONF" > "$T/bad2.conf"
expect "-T: a missing queue directory" "queue $T/nosuchqueue: No such file" "$("$SMTPD" -C "$T/bad2.conf" -T 2>&1)"
chmod 755 "$QDIR"
expect "-T: a queue open to others" "queue $QDIR: must be a directory of mailuser" "$("$SMTPD" -C "$QCONF" -T 2>&1)"
chmod 700 "$QDIR"
