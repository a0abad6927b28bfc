# Shared by regress/peers/{postfix,opensmtpd,sink}.sh: Debian packages unpacked
# (never installed) into regress/peers/prefix/<package>/, cached across runs.
PEERS_TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
PEERS_PREFIX=${PEERS_PREFIX:-$PEERS_TOP/regress/peers/prefix}

# peer_fetch PKG: prints the prefix; 1 (and a reason on stderr) on failure
peer_fetch() {
	pf=$PEERS_PREFIX/$1
	if [ -f "$pf/.unpacked" ]; then echo "$pf"; return 0; fi
	mkdir -p "$PEERS_PREFIX"
	# one unpacker at a time; a lock older than 10 minutes is stale
	lock=$PEERS_PREFIX/.lock.$1 i=0
	while ! mkdir "$lock" 2>/dev/null; do
		[ -n "$(find "$lock" -maxdepth 0 -mmin +10 2>/dev/null)" ] &&
		    rmdir "$lock" 2>/dev/null
		[ $i -lt 600 ] || { echo "peer_fetch: $lock held" >&2; return 1; }
		sleep 0.5; i=$((i + 1))
	done
	_peer_fetch_locked "$1"
	rv=$?
	rmdir "$lock"
	return $rv
}

_peer_fetch_locked() {
	pf=$PEERS_PREFIX/$1
	if [ -f "$pf/.unpacked" ]; then echo "$pf"; return 0; fi
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

# Python takes seconds to start on a loaded machine: these use bash and ss.
# peer_wait PORT [ADDR]: until something accepts there (10 s)
peer_wait() {
	i=0
	while [ $i -lt 100 ]; do
		bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# peer_banner PORT [ADDR]: until a 220 greeting comes from there (10 s)
peer_banner() {
	i=0
	while [ $i -lt 50 ]; do
		bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1 || exit 1
		    read -t 5 l <&3; printf 'QUIT\r\n' >&3; case \$l in 220*) exit 0;; esac
		    exit 1" 2>/dev/null && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}

# peer_freeport: a TCP and UDP port nobody uses on loopback (30000-39999,
# apart from lib.sh's freeport range)
peer_freeport() {
	i=0
	while [ $i -lt 200 ]; do
		p=$(( 30000 + $(od -An -N2 -tu2 /dev/urandom) % 10000 ))
		ss -Htuan 2>/dev/null | awk '{ print $5 }' | grep -q ":$p\$" ||
		    { echo "$p"; return 0; }
		i=$((i + 1))
	done
	return 1
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
