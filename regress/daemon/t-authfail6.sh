#!/bin/sh
# authfail counts IPv6 clients by their /64 (smtpd.conf.5, authfail;
# smtpd/priv/greylist.c): in a network namespace of its own (unshare -n,
# addresses on its lo only), two addresses of 2001:db8:1::/64 share one
# count, so the second one's next AUTH is refused 454 at the limit, while
# 2001:db8:2::1, in another /64, still gets its own 535.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v systemd-socket-activate >/dev/null 2>&1 ||
    { skip "authfail /64" "systemd-socket-activate not installed"; exit 0; }
command -v swaks >/dev/null 2>&1 || { skip "authfail /64" "no swaks"; exit 0; }
if [ "${AUTHFAIL6_INNER:-}" != 1 ]; then
	unshare -n true 2>/dev/null ||
	    { skip "authfail /64" "unshare -n not permitted"; exit 0; }
	AUTHFAIL6_INNER=1 exec unshare -n sh "$0" "$@"
fi
ip link set lo up
for a in 2001:db8:1::1 2001:db8:1::2 2001:db8:2::1; do
	ip -6 addr add "$a/128" dev lo nodad ||
	    { fail "address $a on the namespace's lo"; exit 0; }
done
smtpd_setup
printf 'alice:%s:\n' '$6$salt$dMNDRh2yq8IuBYU4.iNBmJrSKxe0ioImFSU1JRsz6.wuMKr9WOXtdMmX5mH8G1fnGFXEXs5XYFB6jiDBsDzPf/' >"$T/passwd"
chown root:"$MAIL_USER" "$T/passwd"; chmod 640 "$T/passwd"
cat >>"$CONF" <<EOC
plainauth on
passwd $T/passwd
authfail 2 3600
EOC
P=$(freeport)
systemd-socket-activate --accept --inetd -l "[::]:$P" "$SMTPD" -C "$CONF" \
    >>"$T/ssa.out" 2>&1 &
bg_track $!
n=0
while [ $n -lt 100 ] && ! ss -Hltn "sport = :$P" | grep -q LISTEN; do
	sleep 0.05; n=$((n + 1))
done
auth() {	# source address: the reply to AUTH
	swaks -6 --server 2001:db8:1::1 --port "$P" --local-interface "$1" \
	    --auth PLAIN --auth-user alice --auth-password wrong \
	    --quit-after AUTH --timeout 10 2>&1 | grep -E '^<~?\*{0,2} +[45][0-9][0-9] ' |
	    tail -n 1
}
expect "2001:db8:1::1, first failure: 535" '535' "$(auth 2001:db8:1::1)"
expect "2001:db8:1::2, same /64, second failure: 535" '535' "$(auth 2001:db8:1::2)"
expect "2001:db8:1::2 at the /64's limit: 454 4.7.0" '454 4\.7\.0' "$(auth 2001:db8:1::2)"
expect "2001:db8:2::1, another /64: its own count, 535" '535' "$(auth 2001:db8:2::1)"
expect "one file for the shared /64, one for the other" \
    '^2001:db8:1::-64 2001:db8:2::-64$' "$(ls "$T/grey/authfail" | tr '\n' ' ' | sed 's/ $//')"
exit 0
