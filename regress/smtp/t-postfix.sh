#!/bin/sh
# smtp to a real Postfix on loopback (regress/peers/postfix.sh): STARTTLS
# (opportunistic and -s), SMTPS (-t), plain, mixed recipient results, and
# the bytes that arrive are exactly what -f printed.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"
. "$TOP/regress/peers/postfix.sh"

smtp_certs || { fail "certificates"; exit 0; }
smtp_conf "timeout 20"
P=$(freeport); PS=$(freeport); PP=$(freeport)
# a 451 to MAIL FROM:<tempfail@test.example>, at MAIL (no delayed reject)
printf 'tempfail@test.example 451 4.3.0 sender busy, try later\n' \
    > "$T/sender_access"
if ! postfix_start "$P" -c "$T/srv.crt" -k "$T/srv.key" -s "$PS" \
    -o "smtpd_delay_reject = no" \
    -o "smtpd_sender_restrictions = check_sender_access texthash:$T/sender_access" \
    -r 'perm@test.example 550 5.1.1 no such user' \
    -r 'temp@test.example 450 4.2.0 try later' 2>"$T/postfix.err"; then
	skip "smtp to Postfix" "postfix_start failed: $(tail -n 1 "$T/postfix.err")"
	exit 0
fi
MD=$POSTFIX_MAILDIR
cat > "$T/msg" <<'EOM'
From alice Mon Jan  5 10:11:12 2026
Subject: to postfix
To: someone
Bcc: hidden@test.example
Message-ID: <pf1@client.test.example>

line one
.dot line
..two dots
EOM

wait_mail() {	# count: until the Maildir holds that many, 10 s
	i=0
	while [ "$(ls "$MD/new" 2>/dev/null | wc -l)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(ls "$MD/new" 2>/dev/null | wc -l)" -ge "$1" ]
}

"$SMTP" -C "$SCONF" -f -h client.test.example 'net!test.example' alice u \
    < "$T/msg" > "$T/f.out"
run_smtp -h client.test.example "127.0.0.1:$P" alice u@test.example < "$T/msg"
expect "opportunistic STARTTLS to Postfix: exit 0" "^0$" "$RC"
expect "opportunistic STARTTLS: the result line says so, with the version" \
    "^ok: rcpt u@test.example: 250 .*\\[tls=opportunistic TLSv1\\.[23]\\]$" "$OUT"
check "opportunistic STARTTLS to Postfix: delivered" wait_mail 1
expect "Postfix saw TLS" "TLS connection established from" "$(cat "$POSTFIX_LOG" 2>/dev/null)"
f=$(ls -t "$MD/new"/* 2>/dev/null | head -n 1)
check "the bytes that arrive are exactly what -f printed" python3 -c '
import sys
sent = open(sys.argv[1], "rb").read()
got = open(sys.argv[2], "rb").read()
# what Postfix stores: LF line ends, dots unstuffed
want = b"\n".join(l[1:] if l.startswith(b".") else l
                  for l in sent.split(b"\r\n"))
if not got.endswith(want):
    sys.exit("tail differs")
added = got[:len(got) - len(want)].decode()
for l in added.splitlines():
    if l[:1] not in (" ", "\t") and l.split(":")[0] not in (
            "Return-Path", "X-Original-To", "Delivered-To", "Received"):
        sys.exit("unexpected header " + l)' "$T/f.out" "$f"
expect "Bcc not delivered in the header" "^0$" "$(grep -c -i '^bcc\|hidden' "$f")"

run_smtp -s -h client.test.example "127.0.0.1:$P" alice u@test.example < "$T/msg"
expect "-s (verified STARTTLS) to Postfix: exit 0" "^0$" "$RC"
expect "-s: the result line says tls=verified" \
    "^ok: rcpt u@test.example: 250 .*\\[tls=verified TLSv1\\.[23]\\]$" "$OUT"
check "-s to Postfix: delivered" wait_mail 2

run_smtp -t -h client.test.example "127.0.0.1:$PS" alice u@test.example < "$T/msg"
expect "-t SMTPS to Postfix: exit 0" "^0$" "$RC"
check "-t SMTPS to Postfix: delivered" wait_mail 3

run_smtp -h client.test.example "[127.0.0.1]:$P" alice ok@test.example \
    temp@test.example perm@test.example < "$T/msg"
expect "mixed results from Postfix: exit 75" "^75$" "$RC"
expect "mixed: accepted" "^ok: rcpt ok@test.example: 250" "$OUT"
expect "mixed: 450" "^Retry, Temporary Failure: rcpt temp@test.example: 450 4.2.0" "$OUT"
expect "mixed: 550" "^Permanent Failure: rcpt perm@test.example: 550 5.1.1" "$OUT"
check "mixed: the accepted one delivered" wait_mail 4

# RFC 2920 3.1: the replies to the pipelined RCPTs and DATA behind a 451
# to MAIL are read before QUIT, so that QUIT's reply is the 221
run_smtp -d "[127.0.0.1]:$P" tempfail@test.example ok@test.example \
    ok2@test.example < "$T/msg"
expect "451 to a pipelined MAIL: exit 75" "^75$" "$RC"
expect "451 to a pipelined MAIL: the recipients' lines say why" \
    "Retry, Temporary Failure: rcpt ok2@test.example: .*451 4.3.0" "$OUT"
expect "451 to a pipelined MAIL: every reply read, QUIT gets its 221" \
    "^<- 221" "$(printf '%s\n' "$OUT" | grep -A1 '^-> QUIT' | sed -n 2p)"
expect "451 to a pipelined MAIL: the RCPT and DATA replies read before QUIT" \
    "<- 451 4.3.0 .*<- 503 .*<- 503 .*<- 503 [^<]*-> QUIT <- 221" \
    "$(printf '%s\n' "$OUT" | grep '^[-<][->] ' | tr '\n' ' ')"

# SMTPUTF8 offered (Postfix does): the UTF-8 address as it is, with SMTPUTF8
run_smtp -d "[127.0.0.1]:$P" alice "$(printf 'j\303\266rg@b\303\274cher.test')" < "$T/msg"
expect "UTF-8 recipient to Postfix (SMTPUTF8): exit 0" "^0$" "$RC"
expect "UTF-8 recipient: MAIL with SMTPUTF8" "^-> MAIL FROM:<alice@[^>]*>.* SMTPUTF8" "$OUT"
expect "UTF-8 recipient: RCPT in UTF-8, not A-labels" "^-> RCPT TO:<j.*rg@b.*cher.test>" \
    "$(printf '%s\n' "$OUT" | grep -v xn--)"
check "UTF-8 recipient: delivered" wait_mail 5

# DSN (RFC 3461): offered by Postfix, so RET, ENVID, NOTIFY and ORCPT go
run_smtp -d -N FAILURE,DELAY -r HDRS -e 'q1+ x' "[127.0.0.1]:$P" alice u@test.example < "$T/msg"
expect "DSN to Postfix: exit 0" "^0$" "$RC"
expect "DSN: MAIL with RET and ENVID (xtext)" \
    "^-> MAIL FROM:<alice@[^>]*> SIZE=[0-9]+ RET=HDRS ENVID=q1\\+2B\\+20x$" "$OUT"
expect "DSN: RCPT with NOTIFY and ORCPT" \
    "^-> RCPT TO:<u@test.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;u@test.example$" "$OUT"
expect "DSN: the result line says the server took it (dsn=passed)" \
    "^ok: rcpt u@test.example: 250 .*dsn=passed\\]$" "$OUT"
check "DSN: delivered" wait_mail 6
# RFC 6533 3: a UTF-8 ORCPT goes as utf-8-addr-xtext, type utf-8
run_smtp -d -N FAILURE "[127.0.0.1]:$P" alice "$(printf 'j\303\266rg@b\303\274cher.test')" < "$T/msg"
expect "UTF-8 recipient with DSN to Postfix: exit 0" "^0$" "$RC"
# (the -d trace shows a backslash as two)
expect "... ORCPT=utf-8; with \\x{HEX} for each non-ASCII character" \
    '^-> RCPT TO:<j.*rg@b.*cher.test> NOTIFY=FAILURE ORCPT=utf-8;j\\\\x\{F6\}rg@b\\\\x\{FC\}cher\.test$' "$(printf '%s\n' "$OUT" | grep '^-> RCPT')"
check "... delivered" wait_mail 7
run_smtp -N NOPE "[127.0.0.1]:$P" alice u@test.example < "$T/msg"
expect "-N with a bad value: usage, exit 64" "^64$" "$RC"

run_smtp -p "[127.0.0.1]:$P" alice ok@test.example perm@test.example < /dev/null
expect "-p to Postfix: exit 69, one verified" "^69$" "$RC"
expect "-p to Postfix: the verified line" "^ok: rcpt ok@test.example: 250" "$OUT"
sleep 0.3
expect "-p to Postfix: nothing delivered" "^7$" "$(ls "$MD/new" | wc -l | tr -d ' ')"

# message_size_limit 0: Postfix says a bare "SIZE" (RFC 1870 4), no limit
# ... and hides DSN (smtpd_discard_ehlo_keywords)
if postfix_start "$PP" -o message_size_limit=0 \
    -o "smtpd_discard_ehlo_keywords = dsn" 2>>"$T/postfix.err"; then
	MD=$POSTFIX_MAILDIR
	run_smtp "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "plain (no STARTTLS offered) to Postfix: exit 0" "^0$" "$RC"
	expect "plain: the result line says tls=none" \
	    "^ok: rcpt u@test.example: 250 .*\\[tls=none\\]$" "$OUT"
	check "plain to Postfix: delivered" wait_mail 1
	{ cat "$T/msg"; i=0; while [ $i -lt 40 ]; do
		echo "a line of filler to make the message bigger than 250 octets"
		i=$((i + 1)); done; } > "$T/msgbig"
	run_smtp "127.0.0.1:$PP" alice u@test.example < "$T/msgbig"
	expect "bare SIZE from Postfix: no limit, 2 KB sent, exit 0" "^0$" "$RC"
	check "bare SIZE from Postfix: delivered" wait_mail 2
	run_smtp -s "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "-s to Postfix without STARTTLS: exit 75" "^75$" "$RC"
	run_smtp -d -N SUCCESS "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "DSN asked, server without DSN: exit 0" "^0$" "$RC"
	expect "... no NOTIFY or ORCPT sent" "^-> RCPT TO:<u@test.example>$" "$OUT"
	expect "... the result line says relayed (RFC 3461 6.2.1)" \
	    "^ok: rcpt u@test.example: 250 .*dsn=relayed\\]$" "$OUT"
	check "... delivered" wait_mail 3

	# smtp.conf "source": the socket is bound before connect, per family
	smtp_conf "timeout 20" "source 127.0.0.5" "source ::1"
	run_smtp "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "source 127.0.0.5: delivered" "^0$" "$RC"
	check "source 127.0.0.5: delivered" wait_mail 4
	expect "source 127.0.0.5: Postfix saw the connection from it" \
	    "connect from [^ ]*\\[127\\.0\\.0\\.5\\]" "$(cat "$POSTFIX_LOG")"
	smtp_conf "timeout 20" "source 192.0.2.1"
	run_smtp "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "source not ours (IPv4): exit 75" "^75$" "$RC"
	expect "source not ours (IPv4): the bind failed" "bind to source IPv4" "$OUT"
	q=$(freeport)
	smtp_conf "timeout 20" "source 2001:db8::1"
	run_smtp "[IPv6:::1]:$q" alice u@test.example < "$T/msg"
	expect "source not ours (IPv6): the bind failed" "bind to source IPv6" "$OUT"
	smtp_conf "timeout 20" "source ::1"
	run_smtp "[IPv6:::1]:$q" alice u@test.example < "$T/msg"
	expect "source ::1 to ::1: bound, then refused (nothing listens)" \
	    "refused" "$OUT"
	smtp_conf "timeout 20" "source 127.0.0.256"
	run_smtp "127.0.0.1:$PP" alice u@test.example < "$T/msg"
	expect "source not an address: exit 75" "^75$" "$RC"
	smtp_conf "timeout 20"
else
	skip "plain Postfix" "second postfix_start failed"
fi
postfix_stop
