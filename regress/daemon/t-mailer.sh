#!/bin/sh
# The mailer: arguments, environment, stderr, and each exit status mapped
# to its reply; the spool is empty after every outcome.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
D=$TOP/regress/daemon
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
echo "mailertimeout 2" >> "$CONF"
printf 'Subject: m\r\n\r\nbody\r\n' > "$T/msg.txt"

# one mailer that behaves as its (last) recipient's local part says
cat > "$T/m_dispatch" <<EOM
#!/bin/sh
for last; do :; done
case "\$last" in
ok@*)		cat >/dev/null; exit 0 ;;
temp@*)		cat >/dev/null; exit 75 ;;
nouser@*)	cat >/dev/null; exit 67 ;;
dataerr@*)	cat >/dev/null; exit 65 ;;
other@*)	cat >/dev/null; exit 3 ;;
killed@*)	cat >/dev/null; kill -9 \$\$ ;;
hang@*)		cat >/dev/null; sleep 30; echo late > $T/hang.late ;;
args@*)		{ for a in "\$@"; do printf '[%s]\\n' "\$a"; done
		  echo uid=\$(id -un); env | sort; cat; } > $T/args.out
		echo secret-stderr-text >&2; exit 0 ;;
esac
EOM
chmod 755 "$T/m_dispatch"
chown "$MAIL_USER" "$T"

P=$(freeport)
tcpserver_start "$P" -m "$T/m_dispatch" || exit 0
run() {	# local-part sender: the final reply
	python3 "$D/sendmsg.py" "$P" "$2" "$1@example.org" "$T/msg.txt"
}

expect "mailer exit 0 -> 250" '^250 2\.0\.0 ' "$(run ok a@test.example)"
expect "mailer exit 75 -> 451 4.3.0" '^451 4\.3\.0 ' "$(run temp a@test.example)"
expect "mailer exit 67 -> 554 5.1.1" '^554 5\.1\.1 ' "$(run nouser a@test.example)"
expect "mailer exit 65 -> 554 5.6.0" '^554 5\.6\.0 ' "$(run dataerr a@test.example)"
expect "mailer exit 3 -> 554 5.3.0" '^554 5\.3\.0 ' "$(run other a@test.example)"
expect "mailer killed by a signal -> 451 4.3.0" '^451 4\.3\.0 ' "$(run killed a@test.example)"
start=$(date +%s)
expect "hanging mailer -> 451 4.3.0 after mailertimeout" '^451 4\.3\.0 ' "$(run hang a@test.example)"
el=$(( $(date +%s) - start ))
[ "$el" -lt 15 ] && pass "hanging mailer killed within bounds (${el}s)" || fail "hanging mailer took ${el}s"
sleep 1
pgrep -f "sleep 30" -u "$MAIL_USER" >/dev/null && fail "hanging mailer's process group is gone" || pass "hanging mailer's process group is gone"
[ -e "$T/hang.late" ] && fail "hanging mailer never finished" || pass "hanging mailer never finished"

# a mailer that cannot be run
P2=$(freeport)
tcpserver -R -H -l 0 127.0.0.1 "$P2" "$SMTPD" -C "$CONF" -m "$T/nonexistent" \
    >>"$T/tcpserver.out" 2>&1 &
bg_track $!
wait_port "$P2"
# refused with the configuration (smtpd -T says why), before any mail
expect "missing mailer -> 421 4.3.0 at connect" '^421 4\.3\.0 ' \
    "$(python3 -c "import socket; s = socket.create_connection(('127.0.0.1', $P2), 10); print(s.recv(512).decode())")"

r=$(run args a@test.example)
expect "args mailer -> 250" '^250 ' "$r"
case "$r" in *secret-stderr*) fail "mailer stderr never reaches the client" ;; *) pass "mailer stderr never reaches the client" ;; esac
sleep 0.2
expect "mailer stderr goes to the log" 'mailer: secret-stderr-text' "$(cat "$LOG")"
a=$(cat "$T/args.out" 2>/dev/null)
expect "mailer argv is -i -f sender -- rcpt" '^\[-i\].\[-f\].\[a@test\.example\].\[--\].\[args@example\.org\]' "$(printf '%s' "$a" | head -5 | tr '\n' ' ')"
expect "mailer runs as the mail user" "uid=$MAIL_USER" "$a"
expect "mailer environment has PATH=/usr/bin:/bin" '^PATH=/usr/bin:/bin$' "$a"
case "$a" in *TCPREMOTEIP*|*TCPLOCALIP*) fail "mailer environment is clean" ;; *) pass "mailer environment is clean" ;; esac
expect "mailer gets the message with our Received: first" '^Received: from ' "$(grep -m1 -E '^(Received|Subject):' "$T/args.out")"

r=$(run args '')
a=$(cat "$T/args.out" 2>/dev/null)
expect "null sender -> -f with an empty argument" '^\[-i\].\[-f\].\[\].\[--\]' "$(printf '%s' "$a" | head -4 | tr '\n' ' ')"

left=$(ls -A "$T/spool" | wc -l)
expect "spool is empty after every outcome" '^0$' "$left"
expect "mailer timeout logged" 'mailer_status=timeout result=451' "$(cat "$LOG")"
expect "mailer signal logged" 'mailer_status=signal:SIGKILL result=451' "$(cat "$LOG")"
