#!/bin/sh
# smtp to Postfix's smtp-sink and to OpenSMTPD (regress/peers/): delivered,
# the bytes as -f printed them; messages per second to smtp-sink, beside
# swaks in the same run.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"
. "$TOP/regress/peers/sink.sh"
. "$TOP/regress/peers/opensmtpd.sh"
smtp_conf "timeout 20"
printf 'Subject: peers\nMessage-ID: <p1@client.test.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\nbody\n.dot\n' > "$T/msg"
"$SMTP" -C "$SCONF" -f -h client.test.example 'net!test.example' alice u \
    < "$T/msg" > "$T/f.out"

P=$(freeport)
mkdir -p "$T/sink"; chmod 777 "$T/sink"
if sink_start "$P" 127.0.0.1 -d "$T/sink/%M." 2>"$T/sink.err"; then
	run_smtp -h client.test.example "127.0.0.1:$P" alice u@test.example < "$T/msg"
	expect "smtp-sink: exit 0" "^0$" "$RC"
	sleep 0.3
	f=$(ls "$T/sink"/* 2>/dev/null | head -n 1)
	check "smtp-sink: the message as -f printed it" python3 -c '
import sys
sent = open(sys.argv[1], "rb").read()
got = open(sys.argv[2], "rb").read()
want = b"\r\n".join(l[1:] if l.startswith(b".") else l
                   for l in sent.split(b"\r\n"))
sys.exit(0 if want.replace(b"\r\n", b"\n") in got.replace(b"\r\n", b"\n") else 1)' "$T/f.out" "$f"
	sink_stop "$P"
	P=$(freeport)
	sink_start "$P" 2>>"$T/sink.err"
	N=200
	t0=$(date +%s.%N)
	i=0; bad=0
	while [ $i -lt $N ]; do
		"$SMTP" -C "$SCONF" "127.0.0.1:$P" alice u@test.example \
		    < "$T/msg" 2>/dev/null || bad=$((bad + 1))
		i=$((i + 1))
	done
	t1=$(date +%s.%N)
	rate=$(echo "$N $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
	expect "smtp to smtp-sink: $N sequential messages, $rate/s" "^0$" "$bad"
	M=30; t0=$(date +%s.%N); i=0
	while [ $i -lt $M ]; do
		swaks -s 127.0.0.1 -p "$P" -f alice@x -t u@test.example \
		    --data "$T/msg" >/dev/null 2>&1
		i=$((i + 1))
	done
	t1=$(date +%s.%N)
	srate=$(echo "$M $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
	pass "swaks to smtp-sink in the same run: $M messages, $srate/s (ours $rate/s)"
	sink_stop "$P"
else
	skip "smtp to smtp-sink" "sink_start failed: $(tail -n 1 "$T/sink.err")"
fi

P=$(freeport)
if opensmtpd_start "$P" 2>"$T/opensmtpd.err"; then
	run_smtp -h client.test.example "127.0.0.1:$P" alice u@test.example < "$T/msg"
	expect "OpenSMTPD: exit 0" "^0$" "$RC"
	i=0
	while [ -z "$(ls "$OPENSMTPD_MAILDIR/new" 2>/dev/null)" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	f=$(ls -t "$OPENSMTPD_MAILDIR/new"/* 2>/dev/null | head -n 1)
	check "OpenSMTPD: delivered, the message as -f printed it" python3 -c '
import sys
sent = open(sys.argv[1], "rb").read()
got = open(sys.argv[2], "rb").read()
want = b"\n".join(l[1:] if l.startswith(b".") else l
                  for l in sent.split(b"\r\n"))
sys.exit(0 if got.endswith(want) else 1)' "$T/f.out" "$f"
	opensmtpd_stop
else
	skip "smtp to OpenSMTPD" "opensmtpd_start failed: $(tail -n 1 "$T/opensmtpd.err")"
fi
exit 0
