#!/bin/sh
# -s: a blocked message is kept under dumpdir/<Mon><D>/ with a fresh name,
# never overwriting, and the spool is left empty.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# the system python starts much faster than a pyenv shim
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
echo "block 127.0.0.0/8" > "$T/blocked"
echo "blocked $T/blocked" >> "$CONF"
P=$(freeport)
tcpserver_start "$P" -s || exit 0
for i in 1 2; do
	swaks --server 127.0.0.1:"$P" --from me@test.example --to you@example.org \
	    --h-Subject "dump $i" >"$T/swaks.$i" 2>&1
done
sleep 0.3
day=$(LC_ALL=C date +%b)$(date +%d | sed 's/^0//')
n=$(find "$T/dump/$day" -type f 2>/dev/null | wc -l)
expect "-s: both blocked messages kept in dumpdir/$day" '^2$' "$n"
f=$(find "$T/dump/$day" -type f | head -n 1)
expect "dump starts with the envelope line" '^X-Upas-Dump: reason=.* from=<me@test\.example> rcpt=<you@example\.org>' "$(head -n 1 "$f" 2>/dev/null)"
expect "dump holds the message" '^Subject: dump [12]' "$(cat "$f" 2>/dev/null)"
expect "dump logged" 'dump id=[0-9a-f]{8}\.1 reason=' "$(cat "$LOG")"
expect "nothing delivered" '^0$' "$(maildir_count)"
expect "spool is empty" '^0$' "$(ls -A "$T/spool" | wc -l)"
