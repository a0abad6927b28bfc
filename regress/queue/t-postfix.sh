#!/bin/sh
# Postfix as the inner SMTP host behind the queue (routes tcp!host!port
# and [address]:port): first down (connection refused), then up but
# answering 451, then accepting: after the retries the message is there
# exactly once, and further runs send nothing more.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
. "$TOP/regress/peers/postfix.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
PF=$(freeport)
queue_setup <<EOR
inner.test tcp!127.0.0.1!$PF
*.inner.test [127.0.0.1]:$PF
EOR
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

printf 'Subject: inner\nFrom: s@local.test\nMessage-ID: <inner1@local.test>\n\nto the inner host\n' > "$T/m1"
OUT=$(qsend "$P" s@local.test u@inner.test v@x.inner.test < "$T/m1")
expect "queued" '^250 2\.0\.0 Ok, queued as ' "$OUT"
ID=$(printf '%s\n' "$OUT" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
sleep 1.5
L=$("$RUNQ" -C "$QCONF" -l)
expect "down: connection refused, both pending" "pending <u@inner.test> tries=1 .*(refused|Connection)" "$L"
expect "down: [address] route pending too" "pending <v@x.inner.test> tries=1" "$L"

if ! postfix_start "$PF" -r 'inner.test 451 4.3.0 try later' -r 'x.inner.test 451 4.3.0 try later' 2>"$T/postfix.err"; then
	skip "Postfix" "postfix_start failed: $(tail -n 1 "$T/postfix.err")"; exit 0
fi
"$RUNQ" -C "$QCONF" -f >/dev/null 2>&1
L=$("$RUNQ" -C "$QCONF" -l)
expect "451: still pending, the reply recorded" "pending <u@inner.test> tries=2 .*451 4\.3\.0" "$L"
check "451: nothing delivered" test "$(ls "$POSTFIX_MAILDIR/new" 2>/dev/null | wc -l)" -eq 0
postfix_stop "$PF"

postfix_start "$PF" 2>>"$T/postfix.err" || { fail "postfix restart"; exit 0; }
"$RUNQ" -C "$QCONF" -f >/dev/null 2>&1
check "up: the entry is gone" test ! -e "$QDIR/$ID.c" -a ! -e "$QDIR/$ID.d"
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(ls "$POSTFIX_MAILDIR/new" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.3
done
"$RUNQ" -C "$QCONF" -f >/dev/null 2>&1
sleep 1
check "up: delivered exactly once per recipient (2 files for 2 recipients)" \
    test "$(ls "$POSTFIX_MAILDIR/new" | wc -l)" -eq 2
check "Postfix saw the message" sh -c "grep -l 'inner1@local.test' '$POSTFIX_MAILDIR'/new/* | wc -l | grep -qx 2"
check "both recipients" sh -c "grep -h '^X-Original-To:' '$POSTFIX_MAILDIR'/new/* | grep -c 'inner.test' | grep -qx 2"
