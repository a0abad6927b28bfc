#!/bin/sh
# etc/mx-dovecot/ as shipped, its paths moved into the test directory and
# its inner servers replaced by a private Dovecot (LMTP) and Postfix
# (SMTP) on loopback: known recipients delivered once, unknown refused at
# RCPT, relaying refused, the routes followed.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
. "$TOP/regress/queue/dovecot.sh"
. "$TOP/regress/peers/postfix.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
dovecot_start "$T/dc" "$(freeport)" || exit 0
PF=$(freeport)
postfix_start "$PF" 2>"$T/postfix.err" || { skip "Postfix" "postfix_start failed"; exit 0; }
smtpd_setup
mkdir -p "$T/etc" "$T/queue"; chown "$MAIL_USER" "$T/queue"; chmod 700 "$T/queue"
QDIR=$T/queue
E=$TOP/etc/mx-dovecot
sub() { sed -e "s|/etc/upas/|$T/etc/|g" -e "s|/var/spool/upas/queue|$T/queue|" \
    -e "s|/run/dovecot/lmtp|$DC_SOCK|" -e "s|10\.0\.0\.25!25|127.0.0.1!$PF|" "$1"; }
sub "$E/routes" > "$T/etc/routes"
sub "$E/recipients" > "$T/etc/recipients"
{ sub "$E/smtpd.conf"
  # the test's own world (lib.sh), as a real install has it by default
  grep -E '^(spool|chroot|user|mailuser|greydir|dumpdir|debugdir|logfile|greetpause) ' "$CONF"
  echo "runq $BIN/runq/runq"; echo "smtp $SMTP"; } > "$T/etc/smtpd.conf"
check "the example passes smtpd -T" "$SMTPD" -C "$T/etc/smtpd.conf" -T
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$T/etc/smtpd.conf" >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }
printf 'Subject: example\nFrom: ext@sender.test\n\nhi\n' > "$T/m"
OUT=$(qsend "$P" ext@sender.test alice@example.org bob@example.org eve@example.org news@lists.example.org someone@elsewhere.test < "$T/m")
expect "unknown user of example.org: 550 5.1.1 at RCPT" 'rcpt eve@example.org 550 5\.1\.1' "$OUT"
expect "another domain from outside: relaying denied" 'rcpt someone@elsewhere.test 554 5\.7\.1' "$OUT"
expect "the rest queued" '^250 2\.0\.0 Ok, queued as ' "$OUT"
QCONF=$T/etc/smtpd.conf
queue_wait 15
check "the queue is empty" test "$(qcount)" -eq 0
check "alice and bob in Dovecot, once each" sh -c "[ $(dc_count alice) -eq 1 ] && [ $(dc_count bob) -eq 1 ]"
i=0; while [ $i -lt 30 ] && [ "$(ls "$POSTFIX_MAILDIR/new" 2>/dev/null | wc -l)" -lt 1 ]; do sleep 0.2; i=$((i + 1)); done
check "news@lists.example.org at the inner SMTP server, once" test "$(ls "$POSTFIX_MAILDIR/new" | wc -l)" -eq 1
