#!/bin/sh
# A mailer never outlives the parent (issue 12, point 13): kill -9 of the
# parent while the mailer and a grandchild sleep leaves no process of
# theirs behind within 2 seconds, and the client hears 421.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
D=$TOP/regress/daemon
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
echo "mailertimeout 60" >> "$CONF"
printf 'Subject: m\r\n\r\nbody\r\n' > "$T/msg.txt"
chown "$MAIL_USER" "$T"
# the mailer: a grandchild in the background, one in the foreground
cat > "$T/m_sleep" <<EOM
#!/bin/sh
cat >/dev/null
sleep 47 &
echo \$! > $T/gc.pid
echo \$\$ > $T/m.pid
sleep 48
EOM
chmod 755 "$T/m_sleep"
P=$(freeport)
tcpserver_start "$P" -m "$T/m_sleep" || exit 0

python3 "$D/sendmsg.py" "$P" a@test.example x@example.org "$T/msg.txt" > "$T/client.out" 2>&1 &
client=$!
n=0
while [ ! -s "$T/m.pid" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
[ -s "$T/m.pid" ] || { fail "the mailer started"; exit 0; }
sleep 0.1
m=$(cat "$T/m.pid"); gc=$(cat "$T/gc.pid")
pg=$(ps -o pgid= -p "$m" | tr -d ' ')
# the parent logged the connection (the session child logs as "session:")
parent=$(sed -n 's/.*smtpd\[\([0-9]*\)\]: [0-9a-f]* connect addr=.*/\1/p' "$LOG" | tail -n 1)
[ -n "$parent" ] && kill -0 "$parent" 2>/dev/null &&
    pass "found the parent ($parent), the mailer ($m), its group ($pg)" ||
    { fail "found the parent"; exit 0; }
kill -9 "$parent"
n=0
while [ $n -lt 20 ]; do
	left=$(ps -e -o pid=,pgid=,comm= | awk -v g="$pg" -v m="$m" -v c="$gc" \
	    '$2 == g || $1 == m || $1 == c')
	[ -z "$left" ] && break
	sleep 0.1; n=$((n + 1))
done
expect "kill -9 of the parent: no mailer or grandchild left after 2 s" '^$' "$left"
wait "$client"
expect "the client is told: 421 4.3.0" '421.*4\.3\.0' "$(cat "$T/client.out")"
