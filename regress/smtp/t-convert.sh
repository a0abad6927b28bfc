#!/bin/sh
# smtp -f: the message conversion (spec 1.7 with the fixes of section 3).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"
smtp_conf

conv() {	# input on stdin, extra smtp args: converted message in $C
	"$SMTP" -C "$SCONF" -f "$@" < "$T/in" > "$T/conv" 2>"$T/conv.err"
	RC=$?
	C=$(tr -d '\r' < "$T/conv")
}

printf 'From bob Mon Jan  5 10:11:12 2026 remote from kremvax\nSubject: hi\n\nbody\n' > "$T/in"
TZ=UTC conv -h myhost .example.com 'net!example.com' bob rcpt
expect "-f exits 0" "^0$" "$RC"
expect "From line removed" "^0$" "$(printf '%s\n' "$C" | grep -c '^From ')"
expect "From line gives Date" "^Date: Mon, 5 Jan 2026 10:11:12 \+0000$" "$C"
expect "Message-ID added" "^Message-ID: <[0-9a-f]{32}@myhost.example.com>$" "$C"
expect "From: added from the sender, qualified with -h and .domain" \
    "^From: bob@myhost.example.com$" "$C"
expect "To: undisclosed-recipients, never the envelope" \
    "^To: undisclosed-recipients:;$" "$C"
expect "order: Message-ID, From, To, Date, then the original" \
    "^Message-ID:.*
From:.*
To:.*
Date:.*
Subject: hi

body$" "$C"
check "every line ends in CRLF" python3 -c '
import sys; d = open(sys.argv[1], "rb").read()
sys.exit(0 if d.count(b"\n") == d.count(b"\r\n") and d.count(b"\r") == d.count(b"\r\n") else 1)' "$T/conv"

printf 'Subject: x\n\nno From line\n' > "$T/in"; conv .example.com 'net!example.com' bob rcpt
expect "Date added when there is no From line" "^Date: [A-Z][a-z]{2}, [0-9]+ [A-Z][a-z]{2} 20[0-9]{2} [0-9:]{8} [-+][0-9]{4}$" "$C"

printf 'From: a@b.example\nTo: c@d.example\nBcc: hidden@x.example\nCc: joe, Ann <ann>, x.com!y, <@r1,@r2:z@w.example>\nResent-Bcc: more@x\nDate: Tue, 6 Jan 2026 00:00:00 +0000\nMessage-ID: <m@x>\n\nb\n' > "$T/in"
conv -h h .example.com 'net!example.com' bob rcpt
expect "Bcc removed" "^0$" "$(printf '%s\n' "$C" | grep -ci 'bcc\|hidden')"
expect "present fields not duplicated" "^1 1 1 1$" "$(for f in From To Date Message-ID; do printf '%s\n' "$C" | grep -c "^$f:"; done | tr '\n' ' ' | sed 's/ $//')"
expect "unqualified header addresses qualified, bang path converted, no source route" \
    "^Cc: joe@h.example.com, Ann <ann@h.example.com>, y@x.com, <z@w.example>$" "$C"

printf 'Subject: dots\n\n.\n..x\n.y\nz.\n' > "$T/in"; conv .example.com 'net!x' s r
expect "dot-stuffing" "^
\.\.
\.\.\.x
\.\.y
z\.$" "$(printf '%s\n' "$C" | sed -n '/^$/,$p')"
expect "no final dot line" "^z\.$" "$(printf '%s\n' "$C" | tail -n 1)"

printf 'Subject: ends\r\n\r\ncrlf\r\nbare\rcr\nlf\nno newline' > "$T/in"; conv .example.com 'net!x' s r
check "CRLF, bare CR and bare LF all become CRLF, a last line gets one" python3 -c '
import sys; d = open(sys.argv[1], "rb").read()
ok = d.endswith(b"\r\n\r\ncrlf\r\nbare\r\ncr\r\nlf\r\nno newline\r\n")
ok = ok and d.count(b"\n") == d.count(b"\r\n") and d.count(b"\r") == d.count(b"\r\n")
sys.exit(0 if ok else 1)' "$T/conv"

python3 -c 'print("Subject: " + "word " * 400 + "\n\nbody")' > "$T/in"; conv .x 'net!x' s r
check "a 2 KB header line is folded, not truncated" python3 -c '
import sys; d = open(sys.argv[1], "rb").read()
assert max(len(l) for l in d.split(b"\r\n")) <= 998
h = d.split(b"\r\n\r\n")[0].replace(b"\r\n", b"")
assert h.count(b"word") == 400' "$T/conv"
python3 -c 'print("Subject: " + "x" * 2000 + "\n\nbody")' > "$T/in"; conv .x 'net!x' s r
expect "an unfoldable 2 KB header line: refused, exit 69" "^69$" "$RC"

printf 'Subject: x\nNot a header line\nmore\n' > "$T/in"; conv .x 'net!x' s r
expect "a line that is no field ends the header" "Subject: x

Not a header line" "$C"

printf 'Subject: x\n\n' > "$T/in"; conv .x 'net!x' /dev/null r
expect "/dev/null sender: From: Postmaster" "^From: Postmaster@" "$C"
printf 'Subject: x\n\n' > "$T/in"; conv .x 'net!x' 'a%%20b' r
expect "%%XX unescaped in the sender" "^From: a b@" "$C"
