#!/bin/sh
# smtpd under the other listeners: openbsd-inetd and xinetd (unpacked from
# their packages with apt-get download + dpkg -x, since they conflict as
# installed packages) and systemd-socket-activate --accept --inetd.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# the system python starts much faster than a pyenv shim
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
smtpd_setup
CACHE=$TOP/regress/tmp/debcache
mkdir -p "$CACHE"
X=$T/root
LIBP=$X/usr/lib/x86_64-linux-gnu:$X/lib/x86_64-linux-gnu

fetch() {	# package...: unpack into $X, from the cache or the archive
	for p in "$@"; do
		ls "$CACHE/${p}"_*.deb >/dev/null 2>&1 ||
		    (cd "$CACHE" && timeout 120 apt-get download "$p" >/dev/null 2>&1) ||
		    return 1
		dpkg -x "$(ls "$CACHE/${p}"_*.deb | head -n 1)" "$X" || return 1
	done
}

deliver_via() {	# name port: one message through whatever listens on port
	before=$(maildir_count)
	out=$(swaks --server 127.0.0.1:"$2" --from me@test.example \
	    --to "$1"@example.org --h-Subject "via $1" 2>&1)
	expect "$1: swaks gets 250" '<-  250 2\.0\.0 ' "$out"
	expect "$1: message delivered" "^$((before + 1))\$" "$(maildir_count)"
	r=$(python3 "$TOP/regress/daemon/sendmsg.py" "$2" a@test.example "$1"@example.org "$T/msg.txt")
	expect "$1: smtplib gets 250" '^250 ' "$r"
	sleep 0.3
	expect "$1: peer found from the socket" "connect addr=127\.0\.0\.1 port=[0-9]+ local=127\.0\.0\.1 lport=$2" "$(cat "$LOG")"
}
printf 'Subject: t\r\n\r\nhi\r\n' > "$T/msg.txt"

# openbsd-inetd
if fetch openbsd-inetd libwrap0 && [ -x "$X/usr/sbin/inetd" ]; then
	P=$(freeport)
	printf '127.0.0.1:%s stream tcp nowait root %s smtpd -C %s\n' \
	    "$P" "$SMTPD" "$CONF" > "$T/inetd.conf"
	LD_LIBRARY_PATH=$LIBP "$X/usr/sbin/inetd" -d -R 1000 "$T/inetd.conf" \
	    >"$T/inetd.out" 2>&1 &
	bg_track $!
	if wait_port "$P"; then
		deliver_via inetd "$P"
	else
		fail "openbsd-inetd listens"; tail -5 "$T/inetd.out"
	fi
else
	skip "openbsd-inetd" "apt-get download openbsd-inetd failed"
fi

# xinetd
if fetch xinetd libwrap0 && [ -x "$X/usr/sbin/xinetd" ]; then
	P=$(freeport)
	cat > "$T/xinetd.conf" <<EOC
defaults
{
	instances	= 50
	log_type	= FILE $T/xinetd.log
}
service upas-smtpd-test
{
	type		= UNLISTED
	socket_type	= stream
	protocol	= tcp
	port		= $P
	bind		= 127.0.0.1
	wait		= no
	user		= root
	server		= $SMTPD
	server_args	= -C $CONF
	cps		= 200 5
}
EOC
	LD_LIBRARY_PATH=$LIBP "$X/usr/sbin/xinetd" -dontfork -f "$T/xinetd.conf" \
	    -pidfile "$T/xinetd.pid" >"$T/xinetd.out" 2>&1 &
	bg_track $!
	if wait_port "$P"; then
		deliver_via xinetd "$P"
	else
		fail "xinetd listens"; tail -5 "$T/xinetd.out"
	fi
else
	skip "xinetd" "apt-get download xinetd failed"
fi

# systemd-socket-activate: what a smtpd.socket with Accept=yes does
if command -v systemd-socket-activate >/dev/null 2>&1; then
	P=$(freeport)
	systemd-socket-activate --accept --inetd -l 127.0.0.1:"$P" "$SMTPD" -C "$CONF" \
	    >"$T/ssa.out" 2>&1 &
	bg_track $!
	sleep 0.5
	deliver_via systemd "$P"
else
	skip "systemd-socket-activate" "not installed"
fi

# the shipped samples are what we tested, in form
grep -q 'nowait[[:space:]]*root' "$TOP/etc/inetd.conf" && pass "etc/inetd.conf: nowait root" || fail "etc/inetd.conf: nowait root"
grep -q '^Accept=yes' "$TOP/etc/smtpd.socket" && pass "etc/smtpd.socket: Accept=yes" || fail "etc/smtpd.socket: Accept=yes"
grep -q 'StandardInput=socket' "$TOP/etc/smtpd@.service" && pass "etc/smtpd@.service: StandardInput=socket" || fail "etc/smtpd@.service: StandardInput=socket"
# etc/smtpd.conf parses; -T refuses its placeholder domain (t-defaults.sh
# has it passing once replaced); nothing else in the file is faulted
out=$("$SMTPD" -C "$TOP/etc/smtpd.conf" -T 2>&1 >/dev/null)
expect "etc/smtpd.conf: -T refuses its placeholder domain" 'smtpd\.conf:[0-9]+: defaultdomain .*placeholder' "$out"
expect "etc/smtpd.conf: no other line faulted" '^1$' "$(printf '%s\n' "$out" | grep -c 'smtpd\.conf:[0-9]*:')"
