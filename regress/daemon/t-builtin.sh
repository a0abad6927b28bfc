#!/bin/sh
# The built-in mailer: with the default mailer path (our deliver) and only
# -M map, the parent delivers in process (smtpd/priv/mdeliver.c), without a
# fork or exec; the Maildir file is the same as deliver's, byte for byte
# apart from the Received: line's id and date, and the replies are the
# same, but an unmapped recipient is refused at RCPT (550 5.1.1, smtpd/priv/rcpt.c),
# unwritable Maildir -> 451.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
D=$TOP/regress/daemon
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
BUILTIN=$("$SMTPD" -C /dev/null -T | awk '$1 == "mailer" { print $2 }')
case $BUILTIN in /*/upas/deliver) ;; *) fail "smtpd -T names the default mailer ($BUILTIN)"; exit 0 ;; esac
# the exec path: the deliver we built, same map
P1=$(freeport)
tcpserver_start "$P1" || exit 0
# the built-in path: a second config, the default mailer path
# (never executed: it need not be installed)
mkdir -p "$T/ro"; chmod 755 "$T/ro"
printf 'u@test.example\t%s\nv@test.example\t%s\nro@test.example\t%s\n' \
    "$MAILDIR" "$MAILDIR" "$T/ro/sub/Maildir" > "$T/maildirs2"
sed "s|^mailer .*|mailer $BUILTIN -M $T/maildirs2|" "$CONF" > "$T/builtin.conf"
P2=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P2" "$SMTPD" -C "$T/builtin.conf" \
    >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P2" || { fail "tcpserver on $P2 did not start"; exit 0; }

printf 'Subject: b\r\nFrom: <a@b.example>\r\n\r\n.dot\r\nline two  \r\n\r\n\ttab\r\n' > "$T/msg.txt"
send() {	# port rcpt: the final reply
	python3 "$D/sendmsg.py" "$1" a@b.example "$2" "$T/msg.txt"
}
expect "exec path: 250" '^250 2\.0\.0 ' "$(send "$P1" u@test.example)"
f1=$(maildir_last)
sleep 1	# a different second in the unique name, and maildir_last finds the next one
expect "built-in: 250" '^250 2\.0\.0 ' "$(send "$P2" u@test.example)"
f2=$(maildir_last)
if [ -z "$f1" ] || [ -z "$f2" ] || [ "$f1" = "$f2" ]; then
	fail "both paths delivered a file"
else
	pass "both paths delivered a file"
	grep -v '^Received: ' "$f1" > "$T/f1"; grep -v '^Received: ' "$f2" > "$T/f2"
	check "built-in: the same bytes as deliver (but the Received: line)" cmp "$T/f1" "$T/f2"
	check "built-in: Return-Path and Delivered-To as deliver's" \
	    sh -c "grep -q '^Return-Path: <a@b.example>' '$f2' && grep -q '^Delivered-To: u@test.example' '$f2'"
	check "built-in: file mode 0600, owned by the mail user" \
	    sh -c "[ \"\$(stat -c '%a %U' '$f2')\" = '600 $MAIL_USER' ]"
	check "built-in: nothing left in tmp/" sh -c "[ -z \"\$(ls '$MAILDIR/tmp')\" ]"
fi
check "built-in: the delivery is logged by smtpd itself" \
    grep -q 'delivery id=[0-9a-f]*\.1 from=<a@b.example> to=<u@test.example> .*result=ok' "$LOG"

expect "built-in: unmapped recipient -> 550 5.1.1 at RCPT" '^550 5\.1\.1 ' \
    "$(send "$P2" nobody@test.example)"
check "built-in: the unmapped recipient is logged" \
    grep -q 'rcpt to=<nobody@test.example> result=unknown' "$LOG"
chmod 555 "$T/ro"
expect "built-in: unwritable Maildir -> 451 4.3.0" '^451 4\.3\.0 ' \
    "$(send "$P2" ro@test.example)"
check "built-in: nothing delivered for the unwritable Maildir" test ! -e "$T/ro/sub"
chmod 600 "$T/maildirs2"; chown root "$T/maildirs2"
expect "built-in: unreadable map -> 451 4.3.0" '^451 4\.3\.0 ' \
    "$(send "$P2" u@test.example)"
chmod 644 "$T/maildirs2"
n0=$(maildir_count)
expect "built-in: two recipients, one Maildir: 250" '^250 2\.0\.0 ' \
    "$(python3 -c '
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
r = s.sendmail("a@b.example", ["u@test.example", "v@test.example", "U@test.example"], open(sys.argv[2], "rb").read())
print("250 2.0.0 ok" if not r else r); s.quit()' "$P2" "$T/msg.txt" 2>&1)"
check "built-in: one copy per distinct recipient (u, v; U is u again)" \
    test "$(maildir_count)" -eq $((n0 + 2))
check "built-in: no deliver process ran (no mailer stderr lines)" \
    sh -c "! grep -q 'mailer: deliver' '$LOG'"
