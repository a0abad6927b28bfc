#!/bin/sh
# smtp -f: the message conversion (smtp/rfc822.c, smtp(8) -f).
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

# RFC 5321 4.5.3.1.6: body lines over 998 octets, never cut
python3 -c '
import sys
sys.stdout.buffer.write(b"Subject: long\n\nshort line\n" + b"a=b " * 500 + b"end \n.dot\ncaf\xc3\xa9\n")' > "$T/in"
conv .x 'net!x' s r
expect "a long body line in a plain message: sent, exit 0" "^0$" "$RC"
check "a long body line: re-encoded quoted-printable, lossless, lines <= 76" python3 -c '
import sys, quopri
d = open(sys.argv[1], "rb").read()
h, b = d.split(b"\r\n\r\n", 1)
assert b"\r\nMIME-Version: 1.0\r\n" in h + b"\r\n"
assert b"\r\nContent-Transfer-Encoding: quoted-printable" in h
assert b"Content-Type: text/plain; charset=utf-8" in h
assert max(len(l) for l in b.split(b"\r\n")) <= 76
assert all(l == l.rstrip(b" \t") or l.endswith(b"=") for l in b.split(b"\r\n"))
lines = [l[1:] if l.startswith(b"..") else l for l in b.split(b"\r\n")]
want = b"short line\n" + b"a=b " * 500 + b"end \n.dot\ncaf\xc3\xa9\n"
assert quopri.decodestring(b"\n".join(lines)) == want, quopri.decodestring(b"\n".join(lines))' "$T/conv"

python3 -c '
import sys
sys.stdout.buffer.write(b"Subject: long\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n" + b"x" * 1200 + b"\n")' > "$T/in"
conv .x 'net!x' s r
expect "single part 8bit: re-encoded, the old encoding field replaced" \
    "^0 1 0 1$" "$RC $(printf '%s\n' "$C" | grep -ci '^content-transfer-encoding') $(printf '%s\n' "$C" | grep -ci '8bit') $(printf '%s\n' "$C" | grep -c '^Content-Type: text/plain; charset=iso-8859-1$')"

python3 -c 'print("Subject: ok\n\n" + "y" * 998)' > "$T/in"; conv .x 'net!x' s r
expect "a 998-octet line goes as it is" "^0 0$" "$RC $(printf '%s\n' "$C" | grep -ci 'quoted-printable')"

python3 -c 'print("Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n" + "z" * 1200 + "\n--b--")' > "$T/in"
conv .x 'net!x' s r
expect "a long line in a multipart part: that part re-encoded, exit 0" \
    "^0 1$" "$RC $(printf '%s\n' "$C" | grep -ci '^content-transfer-encoding: quoted-printable')"
expect "... the multipart structure kept" "^--b.*--b--" "$(printf '%s\n' "$C" | grep '^--b' | tr -d '\r' | tr '\n' ' ')"
python3 -c 'print("Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\n" + "QUFB" * 300 + "\n--b--")' > "$T/in"
conv .x 'net!x' s r
expect "a long base64 line in a multipart part: refused, exit 69" "^69$" "$RC"
expect "refused with a clear Permanent Failure, nothing printed" \
    "^0 Permanent Failure: .*lines longer than 998 octets" \
    "$(wc -c < "$T/conv") $(cat "$T/conv.err")"
python3 -c 'print("Subject: x\nContent-Transfer-Encoding: base64\n\n" + "QUFB" * 300)' > "$T/in"
conv .x 'net!x' s r
expect "a long line in a base64 body: refused, exit 69" "^69 .*base64" "$RC $(cat "$T/conv.err")"
