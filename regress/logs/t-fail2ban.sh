#!/bin/sh
# The log a tool reads: every line of a session after connect carries the
# client's address right after the session id (addr=), AUTH failures
# included; one "message" line per accepted message; the ident is
# logident's (default upas-smtpd); and Debian's fail2ban-regex, with
# etc/fail2ban/filter.d/upas-smtpd.conf, finds exactly the failed AUTH
# attempts and refused relay attempts of a session log made here.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v tcpserver >/dev/null || { skip "fail2ban" "ucspi-tcp not installed"; exit 0; }
command -v swaks >/dev/null || { skip "fail2ban" "swaks not installed"; exit 0; }
smtpd_setup
pw=$(openssl passwd -6 wonderland)
printf 'alice:%s:\n' "$pw" > "$T/passwd"
chown root:"$MAIL_USER" "$T/passwd"; chmod 640 "$T/passwd"
cat >> "$CONF" <<EOC
passwd $T/passwd
plainauth yes
norelay yes
ourdomains test.example
EOC
P=$(freeport)
tcpserver_start "$P" || exit 0

sw() { swaks --server 127.0.0.1:"$P" --timeout 20 "$@" 2>&1; }
# 3 failed AUTH (two sessions), 2 refused relays, 1 good AUTH, 2 messages
r=$(sw --from a@test.example --to u@test.example --auth PLAIN \
    --auth-user alice --auth-password wrong --quit-after AUTH)
expect "wrong password: 535" '<~?\** *535 ' "$r"
r=$(sw --from a@test.example --to u@test.example --auth LOGIN \
    --auth-user mallory --auth-password x --quit-after AUTH)
expect "unknown user: 535" '535 ' "$r"
r=$(sw --from a@test.example --to u@test.example --auth PLAIN \
    --auth-user alice --auth-password wrong2 --quit-after AUTH)
expect "another wrong password: 535" '535 ' "$r"
r=$(sw --from a@test.example --to x@elsewhere.example)
expect "relay refused: 554 5.7.1" '554 5\.7\.1' "$r"
r=$(sw --from b@test.example --to y@elsewhere.example)
expect "second relay refused" '554 5\.7\.1' "$r"
r=$(sw --from a@test.example --to u@test.example --auth PLAIN \
    --auth-user alice --auth-password wonderland)
expect "good AUTH, message accepted" '250 2\.0\.0' "$r"
r=$(sw --from c@test.example --to u@test.example)
expect "plain message accepted" '250 2\.0\.0' "$r"
sleep 0.5

expect "lines carry the default ident" '^[0-9T:-]+ upas-smtpd\[[0-9]+\]: ' "$(head -n 1 "$LOG")"
# every line of every session: "<sid> connect addr=" or "<sid> addr="
bad=$(grep -Ev '^[0-9T:-]+ upas-smtpd\[[0-9]+\]: [0-9a-f]{8} (connect )?addr=127\.0\.0\.1 ' "$LOG")
expect "every line has the client's address" '^$' "$bad"
expect "AUTH failures carry it" \
    '[0-9a-f]{8} addr=127\.0\.0\.1 auth mech=PLAIN user="alice" result=failed' "$(cat "$LOG")"
n=$(grep -c ' message id=' "$LOG")
expect "one message line per accepted message (2)" '^2$' "$n"

if ! command -v fail2ban-regex >/dev/null; then
	skip "fail2ban-regex" "fail2ban not installed (regress/deps.sh)"
	exit 0
fi
f2b=$T/fail2ban
mkdir -p "$f2b/filter.d"
cp /etc/fail2ban/filter.d/common.conf "$TOP/etc/fail2ban/filter.d/upas-smtpd.conf" \
    "$f2b/filter.d/" 2>/dev/null ||
    { skip "fail2ban-regex" "no /etc/fail2ban/filter.d/common.conf"; exit 0; }
out=$(fail2ban-regex -c "$f2b" "$LOG" upas-smtpd 2>&1)
expect "fail2ban-regex: 5 of the log's lines match (3 AUTH, 2 relay)" \
    '^Lines: [0-9]+ lines, 0 ignored, 5 matched' "$(echo "$out" | grep '^Lines:')"
expect "fail2ban-regex: the AUTH rule hits 3 times" '^\|   1\) \[3\] ' "$(echo "$out" | grep '^|   1)')"
expect "fail2ban-regex: the relay rule hits 2 times" '^\|   2\) \[2\] ' "$(echo "$out" | grep '^|   2)')"
# the same lines as syslog writes them, from another address; and a
# client's words cannot name someone else: the address is the one after
# the session id
printf '%s\n' \
    'Dec  6 18:43:03 mx upas-smtpd[18238]: c09dc6a7 addr=192.0.2.7 auth mech=PLAIN user="x addr=203.0.113.9" result=failed fails=1' \
    'Dec  6 18:43:04 mx upas-smtpd[18238]: c09dc6a7 addr=192.0.2.7 session: policy addr=192.0.2.7 sender="a@b.example" rcpt="x@y.example" action=reject reason=relay' \
    'Dec  6 18:43:05 mx upas-smtpd[18238]: c09dc6a7 addr=192.0.2.7 auth mech=PLAIN user="alice" result=ok' \
    > "$T/syslog.txt"
out=$(fail2ban-regex -c "$f2b" --print-all-matched "$T/syslog.txt" upas-smtpd 2>&1)
expect "syslog format: 2 of 3 lines match" '^Lines: 3 lines, 0 ignored, 2 matched' \
    "$(echo "$out" | grep '^Lines:')"
ips=$(fail2ban-regex -c "$f2b" --out ip "$T/syslog.txt" upas-smtpd 2>&1 | tr '\n' ' ')
expect "the banned host is the connection's, not the client's text" \
    '^192\.0\.2\.7 192\.0\.2\.7 $' "$ips"
