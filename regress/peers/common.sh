# Shared by regress/peers/{postfix,opensmtpd,sink}.sh: Debian packages unpacked
# (never installed) into regress/peers/prefix/<package>/, cached across runs.
PEERS_TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PEERS_PREFIX=${PEERS_PREFIX:-$PEERS_TOP/regress/peers/prefix}

# peer_fetch PKG: prints the prefix; 1 (and a reason on stderr) on failure
peer_fetch() {
	pf=$PEERS_PREFIX/$1
	if [ -f "$pf/.unpacked" ]; then echo "$pf"; return 0; fi
	mkdir -p "$PEERS_PREFIX"
	tmp=$(mktemp -d "$PEERS_PREFIX/.fetch.XXXXXX") || return 1
	chmod 755 "$tmp"
	if ! (cd "$tmp" && apt-get download "$1" >"$tmp/apt.log" 2>&1); then
		echo "peer_fetch: apt-get download $1 failed: $(tail -n 1 "$tmp/apt.log")" >&2
		rm -rf "$tmp"; return 1
	fi
	mkdir -p "$tmp/root"
	dpkg -x "$tmp"/*.deb "$tmp/root" || { rm -rf "$tmp"; return 1; }
	if [ "$1" = postfix ] && command -v patchelf >/dev/null 2>&1; then
		for f in "$tmp/root/usr/sbin/"* "$tmp/root/usr/lib/postfix/sbin/"* \
		    "$tmp/root/usr/lib/postfix/"*.so; do
			[ -f "$f" ] && head -c 4 "$f" | grep -q ELF || continue
			patchelf --set-rpath "$pf/usr/lib/postfix" "$f" 2>/dev/null
		done
	fi
	missing=$(for f in "$tmp/root/usr/sbin/"* "$tmp/root/usr/lib/postfix/sbin/"*; do
		[ -f "$f" ] && LD_LIBRARY_PATH=$tmp/root/usr/lib/postfix ldd "$f" 2>/dev/null
	done | awk '/not found/ { print $1 }' | sort -u)
	if [ -n "$missing" ]; then
		echo "peer_fetch: $1 needs$(echo $missing | tr '\n' ' ')" >&2
	fi
	rm -rf "$pf"
	mv "$tmp/root" "$pf" && touch "$pf/.unpacked"
	rm -rf "$tmp"
	echo "$pf"
}

# peer_user NAME [GROUP]: a system user (and group) if missing
peer_user() {
	if [ -n "$2" ] && ! getent group "$2" >/dev/null; then groupadd -r "$2"; fi
	id "$1" >/dev/null 2>&1 && return 0
	g=${2:+-g $2}
	useradd -r -M $g -d /nonexistent -s /usr/sbin/nologin "$1" 2>/dev/null ||
	    useradd -r $g "$1"
}

# peer_wait PORT [ADDR]: until something accepts there (10 s)
peer_wait() {
	python3 - "$1" "${2:-127.0.0.1}" <<'PY'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection((sys.argv[2], int(sys.argv[1])), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# peer_banner PORT [ADDR]: until a 220 greeting comes from there (10 s)
peer_banner() {
	python3 - "$1" "${2:-127.0.0.1}" <<'PY'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        s = socket.create_connection((sys.argv[2], int(sys.argv[1])), 0.5)
        s.settimeout(max(0.5, end - time.time()))
        line = s.recv(512)
        if line.startswith(b"220"):
            s.sendall(b"QUIT\r\n"); s.close(); sys.exit(0)
        s.close()
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
}

# peer_track PID: killed by regress/lib.sh's EXIT trap when it is loaded
peer_track() { command -v bg_track >/dev/null 2>&1 && bg_track "$1"; return 0; }

# maildir_wait DIR N: until DIR/new holds N messages (10 s)
peer_maildir_wait() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(ls "$1/new" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
