#!/bin/sh
# smtpd over IPv6 (::1), started the way a systemd socket with Accept=yes
# starts it: the peer is found with getpeername on fd 0, Received: carries
# an IPv6 address literal, ournets and -k match IPv6 prefixes.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v systemd-socket-activate >/dev/null 2>&1 ||
    { skip "IPv6 sessions" "systemd-socket-activate not installed"; exit 0; }
ip -6 addr show lo 2>/dev/null | grep -q '::1/128' ||
    { skip "IPv6 sessions" "no ::1 on lo"; exit 0; }
smtpd_setup

listen6() {	# port, smtpd flags...: smtpd on [::1]:port
	_p=$1; shift
	systemd-socket-activate --accept --inetd -l "[::1]:$_p" "$SMTPD" -C "$CONF" "$@" \
	    >>"$T/ssa.out" 2>&1 &
	bg_track $!
	_n=0
	while [ $_n -lt 100 ] && ! ss -Hltn "sport = :$_p" | grep -q LISTEN; do
		sleep 0.05; _n=$((_n + 1))
	done
}

send6() {	# port rcpt: prints the last reply swaks saw
	swaks --server ::1 --port "$1" -6 --from a@b.example --to "$2" \
	    --body "over IPv6" --timeout 10 2>&1
}

P=$(freeport)
listen6 "$P"
out=$(send6 "$P" v6@test.example)
expect "message accepted over ::1" '<- +250 2\.0\.0' "$out"
f=$(maildir_last)
expect "Received: has the IPv6 literal" '^Received: from .*\(\[IPv6:::1\]\)' "$(grep -m1 '^Received:' "$f" 2>/dev/null)"
expect "connect logged with addr=::1" 'connect addr=::1 ' "$(cat "$LOG")"

# -k with an IPv6 prefix: nothing sent, nothing logged
P2=$(freeport)
listen6 "$P2" -k ::1/128
before=$(wc -l <"$LOG")
out=$(send6 "$P2" k@test.example)
expect "-k ::1/128: no greeting" 'closed|Connection closed|EOF|lost' "$out"
after=$(wc -l <"$LOG")
expect "-k ::1/128: nothing logged" "^$before\$" "$after"

# relay control: an untrusted ::1 may not relay, a trusted one may
echo "ournets 10.0.0.0/8" >>"$CONF"
P3=$(freeport)
listen6 "$P3" -f
out=$(send6 "$P3" someone@elsewhere.example)
expect "-f, ::1 not in ournets: relaying refused" '(<-|<\*\*) +554 5\.7\.1' "$out"
echo "ournets ::1/128" >>"$CONF"
P4=$(freeport)
listen6 "$P4" -f
out=$(send6 "$P4" someone@elsewhere.example)
expect "-f, ournets ::1/128: relaying allowed" '<- +250 2\.0\.0' "$out"
exit 0
