#!/bin/sh
# RFC 6152 3: 8-bit mail to a server without 8BITMIME is made 7-bit
# (quoted-printable, part by part, multiparts and message/rfc822 included)
# instead of bounced; RFC 5321 4.5.3.1.6: a part with lines longer than 998
# octets is re-encoded, in multiparts too.  A Postfix that hides 8BITMIME
# (smtpd_discard_ehlo_keywords) and one that offers it; what arrives is
# parsed with Python's email package and compared part by part.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"
. "$TOP/regress/peers/postfix.sh"

smtp_conf "timeout 20"
P7=$(freeport); P8=$(freeport)
if ! postfix_start "$P7" -o "smtpd_discard_ehlo_keywords = 8bitmime, smtputf8" \
    2>"$T/postfix.err"; then
	skip "8-bit to Postfix" "postfix_start failed: $(tail -n 1 "$T/postfix.err")"
	exit 0
fi
MD7=$POSTFIX_MAILDIR
postfix_start "$P8" 2>>"$T/postfix.err" || { fail "second Postfix"; exit 0; }
MD8=$POSTFIX_MAILDIR

# same ORIG GOT [7]: every leaf part decodes to the same bytes and type;
# with 7, GOT is 7-bit throughout; every line of GOT fits 998 octets
same() {
	python3 - "$@" <<'EOP'
import email, email.policy, sys
orig = open(sys.argv[1], "rb").read()
got = open(sys.argv[2], "rb").read()
seven = len(sys.argv) > 3
def leaves(b):
    m = email.message_from_bytes(b, policy=email.policy.compat32)
    return [(p.get_content_type(), p.get_payload(decode=True))
            for p in m.walk() if not p.is_multipart()]
a, b = leaves(orig), leaves(got)
if [t for t, _ in a] != [t for t, _ in b]:
    sys.exit("types differ: %r %r" % ([t for t, _ in a], [t for t, _ in b]))
for (t, x), (_, y) in zip(a, b):
    if x.replace(b"\r\n", b"\n") != y.replace(b"\r\n", b"\n"):
        sys.exit("%s differs: %r / %r" % (t, x[:80], y[:80]))
if seven and any(c >= 0x80 for c in got):
    sys.exit("8-bit bytes arrived")
if any(len(l) > 998 for l in got.split(b"\n")):
    sys.exit("a line over 998 octets arrived")
EOP
}
last() { ls -t "$1/new"/* 2>/dev/null | head -n 1; }
wait_new() {	# dir count
	i=0
	while [ "$(ls "$1/new" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done
}

# 1: plain 8-bit text, no MIME at all
printf 'Subject: plain\nMessage-ID: <m1@client.test.example>\n\ncaf\303\251 cr\303\250me\n=not an escape\ntrailing blank \n' > "$T/m1"
run_smtp "127.0.0.1:$P7" alice u@test.example < "$T/m1"
expect "plain 8-bit text, no 8BITMIME: exit 0" "^0$" "$RC"
wait_new "$MD7" 1
f=$(last "$MD7")
check "plain 8-bit text: decodes to what was sent, 7-bit" same "$T/m1" "$f" 7
expect "plain 8-bit text: quoted-printable, utf-8, MIME-Version" \
    "MIME-Version: 1.0 Content-Type: text/plain; charset=utf-8 Content-Transfer-Encoding: quoted-printable" \
    "$(grep -i '^mime-version\|^content-' "$f" | tr '\n' ' ')"
expect "plain 8-bit text: no BODY=8BITMIME to that server" "^0$" \
    "$(grep -c 'BODY=8BITMIME' "$POSTFIX_LOG" 2>/dev/null || echo 0)"

# 2: multipart/mixed: 8bit text, base64 attachment, nested alternative
#    with 8-bit html, a message/rfc822 with an 8-bit body
cat > "$T/m2" <<'EOM'
Subject: multi
Message-ID: <m2@client.test.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer=_1"
Content-Transfer-Encoding: 8bit

preamble
--outer=_1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüße aus Köln
.a line with a dot
--outer=_1
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=us-ascii

plain ascii
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<p>naïve café</p>
--inner--
--outer=_1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQFBgc=
--outer=_1
Content-Type: message/rfc822

Subject: inner
Content-Type: text/plain; charset=utf-8

zurück
--outer=_1--
epilogue
EOM
run_smtp "127.0.0.1:$P7" alice u@test.example < "$T/m2"
expect "multipart with 8-bit parts, no 8BITMIME: exit 0" "^0$" "$RC"
wait_new "$MD7" 2
f=$(last "$MD7")
check "multipart: every part decodes to what was sent, 7-bit" same "$T/m2" "$f" 7
expect "multipart: the base64 part left as it was" "^AAECAwQFBgc=$" "$(grep '^AAEC' "$f")"
expect "multipart: the 8bit parts now quoted-printable (text, html, inner)" "^3$" \
    "$(grep -ci '^content-transfer-encoding: quoted-printable' "$f")"

# 3: a line of 2000 octets in a multipart part, to a server with 8BITMIME
python3 -c '
import sys
sys.stdout.write("Subject: long\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nshort\n--b\nContent-Type: text/plain; charset=utf-8\n\n" + "\u00e9" * 1000 + "\n--b--\n")' > "$T/m3"
run_smtp "127.0.0.1:$P8" alice u@test.example < "$T/m3"
expect "multipart with a 2000-octet line: exit 0" "^0$" "$RC"
wait_new "$MD8" 1
f=$(last "$MD8")
check "multipart with a long line: decodes the same, no line over 998" same "$T/m3" "$f"
expect "multipart with a long line: only that part re-encoded" "^1$" \
    "$(grep -ci '^content-transfer-encoding: quoted-printable' "$f")"

# 4: an 8-bit header cannot be made 7-bit: a bounce, as before, saying why
printf 'Subject: caf\303\251\n\nbody caf\303\251\n' > "$T/m4"
run_smtp "127.0.0.1:$P7" alice u@test.example < "$T/m4"
expect "8-bit header field, no 8BITMIME: exit 69" "^69$" "$RC"
expect "8-bit header field: said why" "554 5.6.3 .*8-bit header" "$OUT"
# and to the 8BITMIME server it goes as it is, BODY=8BITMIME
run_smtp -d "127.0.0.1:$P8" alice u@test.example < "$T/m1"
expect "8-bit to an 8BITMIME server: BODY=8BITMIME, not converted" \
    "MAIL FROM:<alice@client.test.example> SIZE=[0-9]+ BODY=8BITMIME" "$OUT"
postfix_stop
