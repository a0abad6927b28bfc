#!/bin/sh
# Messages from real clients (swaks, python smtplib) arrive in the Maildir
# byte for byte after our Received: line; the Received: line's form; -d.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
smtpd_setup
PORT=$(freeport)
tcpserver_start "$PORT" -d || exit 1

# swaks, with a body full of dots, blank lines and trailing spaces
# swaks ends the data with CRLF . CRLF itself: no newline at the end here
printf 'Subject: swaks\nFrom: <a@b.example>\n\n.leading dot\n..two dots\n.\n\ntrailing   \n\tindent\nlast' > "$T/msg"
{ cat "$T/msg"; echo; } > "$T/want"
n0=$(maildir_count)
out=$(swaks --server 127.0.0.1 --port "$PORT" --helo swaks.example \
    --from a@b.example --to u@test.example --data "$T/msg" 2>&1)
expect "swaks: 250 after the message" '<-  250 2\.0\.0 ' "$out"
expect "swaks: EHLO offers PIPELINING" '<-  250-PIPELINING' "$out"
expect "swaks: EHLO offers SIZE" '<-  250-SIZE [0-9]+' "$out"
expect "swaks: EHLO offers 8BITMIME" '<-  250-8BITMIME' "$out"
expect "swaks: EHLO offers ENHANCEDSTATUSCODES" '<-  250-ENHANCEDSTATUSCODES' "$out"
expect "swaks: EHLO offers SMTPUTF8" '<-  250-SMTPUTF8' "$out"
if printf '%s\n' "$out" | grep -q STARTTLS; then fail "swaks: no STARTTLS without a certificate"
else pass "swaks: no STARTTLS without a certificate"; fi
n=0; while [ "$(maildir_count)" -le "$n0" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
f=$(maildir_last)
check "swaks: delivered" test -n "$f"
# everything after our Received: is the message, LF line ends, unstuffed
awk 'f; /^Received: from swaks\.example/ {f=1}' "$f" > "$T/got"
check "swaks: the message arrives byte for byte" cmp "$T/want" "$T/got"
rcv=$(grep '^Received: from swaks' "$f")
expect "Received: RFC 5321 form" \
    '^Received: from swaks\.example \(\[127\.0\.0\.1\]\) by mx\.test\.example with ESMTP id [0-9a-f]{8}\.[0-9]+ for <u@test\.example>; (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$' "$rcv"
check "Received: is the first line we add (before the message)" \
    sh -c "grep -n '' '$f' | grep -q '^[0-9]*:Received: from swaks'"

# two recipients: no "for"; HELO: "with SMTP"
out=$(swaks --server 127.0.0.1 --port "$PORT" --helo two.example \
    --from a@b.example --to u@test.example,v@test.example --data "$T/msg" 2>&1)
expect "swaks: two recipients accepted" '<-  250 2\.0\.0 ' "$out"
sleep 0.5
f=$(grep -l '^Received: from two\.example' "$MAILDIR"/new/* | head -n 1)
expect "Received: no 'for' with two recipients" \
    '^Received: from two\.example \(\[127\.0\.0\.1\]\) by mx\.test\.example with ESMTP id [^ ]+; ' \
    "$(grep '^Received: from two' "$f")"

TOP="$TOP" python3 "$TOP/regress/smtpd/deliver.py" "$PORT" "$MAILDIR" ||
    fail "deliver.py did not run to its end"

# -d: a transcript of the session, both ways
d=$(ls -t "$T/smtpdb" 2>/dev/null | head -n 1)
if [ -z "$d" ]; then
	fail "-d: a transcript file in debugdir"
else
	tr=$(cat "$T/smtpdb"/*)
	expect "-d: input lines with '< '" '^< EHLO swaks\.example' "$tr"
	expect "-d: replies with '> '" '^> 250 2\.0\.0 ' "$tr"
	expect "-d: the greeting" '^> 220 mx\.test\.example ESMTP' "$tr"
	expect "-d: AUTH payloads masked" '^< AUTH PLAIN \*\*\*$' "$tr"
	check "-d: the AUTH secret is not in it" sh -c "! grep -q AHVzZXIAcGFzcw '$T/smtpdb'/*"
fi
