#!/bin/sh
# The lean smtpd (Makefile LEAN=yes: a static PIE built with musl, without
# OpenSSL, libunbound, crypt and MD5) and smtpd-full, which it runs in its
# place when the configuration needs those: which program serves which
# configuration, seen from outside in /proc; what happens, failing
# closed, when smtpd-full is missing or not root's alone; and that the
# lean parent refuses an AUTH request it never offered.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }

if readelf -lW "$SMTPD" 2>/dev/null | grep -q 'Requesting program interpreter'; then
	skip "lean smtpd" "smtpd is dynamically linked (LEAN=no, a sanitizer build, or no musl-gcc)"
	exit 0
fi
FULL=$(dirname "$SMTPD")/smtpd-full
expect "smtpd: a static PIE (ELF type DYN, no interpreter)" 'DYN' \
    "$(readelf -hW "$SMTPD" | awk '/Type:/ { print $2 }')"
expect "smtpd-full: dynamically linked, beside it" 'interpreter' \
    "$(readelf -lW "$FULL" 2>&1)"
expect "the lean smtpd links no OpenSSL, libunbound or crypt" '^0$' \
    "$(nm "$SMTPD" 2>/dev/null | grep -c -E ' (SSL_|ub_ctx|crypt_r|MD5Init)')"

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf tls "$T/rsa.crt" "$T/rsa.key"
cp "$CONF" "$T/auth.conf"; echo "passwd $T/passwd" >> "$T/auth.conf"
cp "$CONF" "$T/dns.conf"; echo "unbound $T/nonexistent-unbound.conf" >> "$T/dns.conf"

# exe_of CONF [flags]: the programs serving a held session, as
# "parent-exe child-exe Seccomp NoNewPrivs" in $out
exe_of() {
	cf=$1; shift
	P=$(freeport)
	tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$cf" "$@" \
	    >>"$T/tcpserver.out" 2>&1 &
	tp=$!; bg_track $tp
	out="no listener"
	wait_port "$P" || return
	CONF=$cf
	hold 3 >/dev/null
	hp=${_pids##* }
	if find_procs; then
		out="$(readlink "/proc/$PAR/exe") $(readlink "/proc/$CHILD/exe")"
		out="$out $(field "$CHILD" Seccomp) $(field "$CHILD" NoNewPrivs)"
	else
		out="no session found"
	fi
	kill "$hp" "$tp" 2>/dev/null
	wait "$hp" 2>/dev/null
	sleep 0.2	# the session gone: find_procs must not meet it again
}
. "$TOP/regress/daemon/probe.sh"

SAVE=$CONF
exe_of "$SAVE"
expect "no certificate, no resolver: the lean smtpd serves, both processes" \
    "^$SMTPD $SMTPD 2 1\$" "$out"
exe_of "$T/tls.conf"
expect "a certificate: smtpd-full serves (parent and child), sandboxed" \
    "^$FULL $FULL 2 1\$" "$out"
exe_of "$T/dns.conf"
expect "an unbound file: smtpd-full serves" "^$FULL $FULL " "$out"
exe_of "$T/auth.conf"
expect "passwd without -p (no TLS, so no AUTH): the lean smtpd serves" \
    "^$SMTPD $SMTPD " "$out"
exe_of "$T/auth.conf" -p
expect "passwd with -p (AUTH in the clear): smtpd-full serves" "^$FULL $FULL " "$out"
CONF=$SAVE

# AUTH in the clear through the re-exec: crypt(3) is smtpd-full's
P=$(freeport); tls_start_server "$P" "$T/auth.conf" -p || exit 1
out=$(swaks -s 127.0.0.1 -p "$P" --auth PLAIN --auth-user alice \
    --auth-password wonderland --from alice@client.example \
    --to rcpt@test.example 2>&1)
expect "-p: AUTH PLAIN in the clear via smtpd-full: 235" '<[-~] +235 2\.7\.0' "$out"

# STARTTLS through the re-exec
P=$(freeport); tls_start_server "$P" "$T/tls.conf" || exit 1
out=$(swaks --tls -s 127.0.0.1 -p "$P" --from a@client.example \
    --to rcpt@test.example 2>&1)
expect "a certificate: STARTTLS works through smtpd-full" '<~ +250 2.0.0' "$out"

# smtpd-full missing (the lean smtpd alone in a directory) or unsafe:
# no STARTTLS (454), no AUTH, and a log line saying why
if [ -e "/usr/local/libexec/upas/smtpd-full" ]; then
	skip "smtpd-full missing" "an installed /usr/local/libexec/upas/smtpd-full would be found"
else
	for how in missing groupwritable; do
		d=$T/bin-$how
		mkdir -p "$d"; cp "$SMTPD" "$d/smtpd"; chmod 755 "$d" "$d/smtpd"
		if [ $how = groupwritable ]; then
			cp "$FULL" "$d/smtpd-full"; chmod 775 "$d/smtpd-full"
		fi
		: > "$LOG"
		P=$(freeport)
		tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$d/smtpd" -C "$T/tls.conf" \
		    >>"$T/tcpserver.out" 2>&1 &
		bg_track $!
		wait_port "$P" || { fail "$how: listener"; continue; }
		out=$(python3 - "$P" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def reply():
    out = b""
    while True:
        l = f.readline()
        out += l
        if l[3:4] != b"-":
            return out.decode()
reply()
s.sendall(b"EHLO client.example\r\n"); e = reply()
s.sendall(b"STARTTLS\r\n"); t = reply()
s.sendall(b"QUIT\r\n"); reply()
print("starttls-offered" if "STARTTLS" in e else "no-starttls", "auth-offered" if "AUTH" in e else "no-auth", t.strip())
PY
)
		expect "smtpd-full $how: no STARTTLS, no AUTH offered, STARTTLS gets 454" \
		    '^no-starttls no-auth 454 4\.7\.0' "$out"
		sleep 0.3
		expect "smtpd-full $how: the log says why" \
		    'no smtpd-full \(.*\): no TLS, DNS or AUTH in this smtpd' "$(cat "$LOG")"
		[ $how = groupwritable ] &&
		    expect "smtpd-full group-writable: refused as unsafe" \
		    'not a root-owned, root-only writable file' "$(cat "$LOG")"
	done
fi

# a lean parent asked for AUTH (after a claimed TLS state): it never
# offered AUTH, so this is a hostile child and the session ends
if command -v gdb >/dev/null &&
    [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 3 ]; then
	P=$(freeport)
	tcpserver_start "$P" || exit 0
	: > "$LOG"
	# PS_STATE (17) ST_TLS, then PS_AUTH_REQ (30) with 20 bytes
	if gdb_send "17 20 0 0 1" "30 36 1 0 1 0 0 0 0"; then
		sleep 0.3
		expect "lean parent: an AUTH request it never offered kills the session" \
		    'auth request, but no AUTH offered' "$(cat "$LOG")"
	else
		fail "found the child for the AUTH request"
	fi
else
	skip "crafted AUTH request" "gdb or ptrace not available"
fi

# syslog(3) from musl: a datagram listener on /dev/log for a few seconds
# (only when there is none), one session, its lines with facility mail
if [ -e /dev/log ]; then
	skip "syslog" "/dev/log exists: not ours to replace"
else
	trap 'rm -f /dev/log; cleanup' EXIT INT TERM
	python3 - "$T/syslog.out" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
s.settimeout(0.5)
out = open(sys.argv[1], "wb", 0)
end = time.time() + 5
try:
    while time.time() < end:
        try:
            out.write(s.recv(8192) + b"\n")
        except socket.timeout:
            pass
finally:
    os.unlink("/dev/log")
PY
	bg_track $!
	i=0; while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	P=$(freeport)
	tcpserver_start "$P" || exit 0
	swaks -s 127.0.0.1 -p "$P" --from a@client.example --to rcpt@test.example \
	    >"$T/swaks-syslog.out" 2>&1
	sleep 5.5
	expect "syslog: the parent's and the child's lines, facility mail (<22>)" \
	    '<22>.*smtpd\[[0-9]+\]: [0-9a-f]{8} session: rcpt to=<rcpt@test.example>' \
	    "$(cat "$T/syslog.out" 2>/dev/null)"
	expect "syslog: the delivery line" '<22>.*smtpd\[[0-9]+\]: [0-9a-f]{8} message id=.* result=250' \
	    "$(cat "$T/syslog.out" 2>/dev/null)"
	[ -e /dev/log ] && fail "syslog: /dev/log removed again" || pass "syslog: /dev/log removed again"
fi
