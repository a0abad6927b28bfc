#!/bin/sh
# TLS costs a session only at STARTTLS (smtpd/tlsmod.c): with a
# certificate, a session in the clear maps no TLS library in any of its
# processes and leaves none behind; at STARTTLS the waiting child takes
# over (one child serves with smtpd-tls.so, the parent holds the key with
# smtpd-tlspriv.so and no libssl) and the session goes on under TLS.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf rsa "$T/rsa.crt" "$T/rsa.key"
P=$(freeport); tls_start_server "$P" "$T/rsa.conf" || exit 1

# the smtpd processes under tcpserver, and how many of them map a file
# whose name matches (the modules, and OpenSSL linked or built into them)
procs() {
	for p in $(pgrep -f "$SMTPD -C $T/rsa.conf"); do
		[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$SMTPD")" ] && echo "$p"
	done
}
mapping() {	# ERE
	for p in $(procs); do grep -Eq "$1" "/proc/$p/maps" 2>/dev/null && echo "$p"; done | wc -l
}

# hold a session at a point (a file appears), then QUIT when it goes
hold() {	# tls|plain readyfile gofile
	python3 - "$P" "$1" "$2" "$3" <<'PY'
import os, socket, ssl, sys, time
port, mode, ready, go = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        if len(l) < 4 or l[3] != "-":
            return l
def cmd(c):
    s.sendall(c.encode() + b"\r\n")
    return reply()
reply()
r = cmd("EHLO client.example")
if mode == "stall":
    # STARTTLS answered, and then no ClientHello
    print("stall: " + cmd("STARTTLS").strip())
    sys.stdout.flush()
if mode == "tls":
    r = cmd("STARTTLS")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
    f = s.makefile("rb")
    r = cmd("EHLO client.example")
    print("tls: %s %s" % (s.version(), r.strip()))
open(ready, "w").close()
for i in range(200):
    if os.path.exists(go):
        break
    time.sleep(0.05)
if mode != "stall":
    print("quit: " + cmd("QUIT").strip())
PY
}
waitfile() { i=0; while [ ! -f "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; }

hold plain "$T/r1" "$T/g1" >"$T/plain.out" 2>&1 &
hp=$!
waitfile "$T/r1"; sleep 0.2
n=$(procs | wc -l)
expect "plain session with a certificate: parent, child and the waiting child" '^3$' "$n"
expect "plain session with a certificate: no process maps a TLS library or a module" '^0$' \
    "$(mapping 'libssl|libcrypto|libwolfssl|smtpd-tls')"
touch "$T/g1"; wait $hp
expect "plain session: QUIT answered" 'quit: 221' "$(cat "$T/plain.out")"
sleep 0.5
expect "plain session over: no smtpd process left (the waiting child exits)" '^0$' "$(procs | wc -l)"

hold tls "$T/r2" "$T/g2" >"$T/tls.out" 2>&1 &
hp=$!
waitfile "$T/r2"; sleep 0.2
expect "STARTTLS: the session goes on under TLS" 'tls: TLSv1\.[23] 250 ' "$(cat "$T/tls.out")"
expect "STARTTLS: two processes, the parent and the child that took over" '^2$' "$(procs | wc -l)"
expect "STARTTLS: the child maps smtpd-tls.so" '^1$' "$(mapping 'smtpd-tls\.so')"
# one maps smtpd-tlspriv.so, one libssl (or smtpd-tls.so, SSL_STATIC=yes), not
# the same one; with wolfSSL, one library holds both, and each maps it
expect "STARTTLS: the parent maps smtpd-tlspriv.so and no libssl" '^1 1 2$' \
    "$(mapping 'smtpd-tlspriv\.so') $(mapping 'libssl|smtpd-tls\.so') $(mapping 'libssl|smtpd-tls')"
touch "$T/g2"; wait $hp
expect "STARTTLS session: QUIT answered" 'quit: 221' "$(cat "$T/tls.out")"
sleep 0.5
expect "STARTTLS session over: no smtpd process left" '^0$' "$(procs | wc -l)"
expect "the log: the parent ends each session once, exit 0" '^2$' "$(grep -c 'disconnect exit=0 ' "$LOG")"

# The child that took over waits for a ClientHello that never comes; the
# parent goes away: the child ends at once (session/tlsask.c's wait
# watches the parent's socket), not at the handshake's 60 s timeout.
hold stall "$T/r3" "$T/g3" >"$T/stall.out" 2>&1 &
hp=$!
waitfile "$T/r3"; sleep 0.3
expect "stalled handshake: 220 to STARTTLS" 'stall: 220' "$(cat "$T/stall.out")"
par=
for p in $(procs); do
	grep -q 'smtpd-tlspriv\.so' "/proc/$p/maps" 2>/dev/null && par=$p
done
if [ -n "$par" ]; then
	kill -KILL "$par"
	i=0
	while [ "$(procs | wc -l)" -gt 0 ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
	expect "stalled handshake, parent killed: the TLS child is gone within 3 s" '^0$' \
	    "$(procs | wc -l)"
else
	fail "stalled handshake: no parent with smtpd-tlspriv.so mapped"
fi
touch "$T/g3"; wait $hp
