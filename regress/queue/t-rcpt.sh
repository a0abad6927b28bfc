#!/bin/sh
# Recipients checked at RCPT by the parent (smtpd/rcpt.c): the delivery
# map for mail delivered here, the recipients file for relayed domains.
# Unknown -> 550 5.1.1 at RCPT; postmaster always; one unknown among
# known recipients costs only that one.  The files are 0600, the mail
# user's: the session child (another user, chrooted) could not read them.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
BUILTIN=$("$SMTPD" -C /dev/null -T 2>/dev/null | awk '$1 == "mailer" { print $2 }')
mkdir -p "$T/a" "$T/b"; chown "$MAIL_USER" "$T/a" "$T/b"
printf 'a@local.test %s/a/Maildir\nb@local.test %s/b/Maildir\n' "$T" "$T" > "$T/maildirs2"
printf '# relayed\nu1@relay.test\n@whole.test\n' > "$T/recipients"
chown "$MAIL_USER" "$T/maildirs2" "$T/recipients"
chmod 600 "$T/maildirs2" "$T/recipients"
# built-in delivery with its map
sed "s|^mailer .*|mailer $BUILTIN -M $T/maildirs2|" "$CONF" > "$T/local.conf"
# another mailer, and the recipients file
{ cat "$CONF"; echo "recipients $T/recipients"; } > "$T/relay.conf"
check "smtpd -T knows recipients" sh -c "'$SMTPD' -C '$T/relay.conf' -T | grep -q '^recipients $T/recipients'"
P1=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P1" "$SMTPD" -C "$T/local.conf" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
P2=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P2" "$SMTPD" -C "$T/relay.conf" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P1" && wait_port "$P2" || { fail "tcpserver did not start"; exit 0; }

rcpt() {	# port rcpt...: the RCPT replies, one a line
	python3 - "$@" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("client.test.example")
s.mail("s@sender.test")
for r in sys.argv[2:]:
    c, m = s.rcpt(r)
    print(c, m.decode(errors="replace"))
s.quit()
PY
}
expect "local: known recipient 250" '^250 ' "$(rcpt "$P1" a@local.test)"
expect "local: unknown recipient 550 5.1.1 at RCPT" '^550 5\.1\.1 ' "$(rcpt "$P1" x@local.test)"
expect "local: postmaster accepted" '^250 ' "$(rcpt "$P1" postmaster@local.test)"
expect "local: bare <postmaster> accepted" '^250 ' "$(rcpt "$P1" postmaster)"
expect "relay: listed address 250" '^250 ' "$(rcpt "$P2" u1@relay.test)"
expect "relay: unlisted address of a listed domain 550 5.1.1" '^550 5\.1\.1 ' "$(rcpt "$P2" nobody@relay.test)"
expect "relay: @domain takes any address" '^250 ' "$(rcpt "$P2" anyone@whole.test)"
expect "relay: upper case matches" '^250 ' "$(rcpt "$P2" U1@Relay.Test)"
expect "relay: postmaster of a listed domain accepted" '^250 ' "$(rcpt "$P2" postmaster@relay.test)"
expect "relay: a domain the file does not name is left to relay control" '^250 ' "$(rcpt "$P2" x@other.test)"

OUT=$(python3 - "$P1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
r = s.sendmail("s@sender.test", ["a@local.test", "ghost@local.test", "b@local.test"],
    b"Subject: three\r\n\r\nbody\r\n")
print("refused", sorted(r.items())); s.quit()
PY
)
expect "one unknown, two known: only the unknown refused" "refused \[\('ghost@local.test', \(550" "$OUT"
check "a@local.test got it" test "$(ls "$T/a/Maildir/new" 2>/dev/null | wc -l)" -eq 1
check "b@local.test got it" test "$(ls "$T/b/Maildir/new" 2>/dev/null | wc -l)" -eq 1
check "the refusal is logged by the parent" grep -q 'parent.*rcpt to=<ghost@local.test> result=unknown\|rcpt to=<ghost@local.test> result=unknown' "$LOG"

chmod 000 "$T/recipients"; chown root "$T/recipients"
expect "relay: unreadable recipients file -> 451 4.3.0" '^451 4\.3\.0 ' "$(rcpt "$P2" u1@relay.test)"
