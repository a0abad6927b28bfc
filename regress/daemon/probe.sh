# Looking at a live session from outside, for t-privsep.sh and
# t-privrules.sh.  Needs $P (the port), $SMTPD and $CONF from lib.sh.

hold() {	# keep a session open for $1 seconds, greeting read
	python3 - "$P" "$1" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.recv(512)
time.sleep(float(sys.argv[2]))
PY
	bg_track $!
}

field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# session processes: $PAR (smtpd under the listener) and $CHILD (its child)
find_procs() {
	PAR="" CHILD=""
	i=0
	while [ $i -lt 50 ]; do
		for p in $(pgrep -f "$SMTPD -C $CONF"); do
			c=$(pgrep -P "$p" | head -n 1)
			# only a child that is fully set up: sandboxed
			[ -n "$c" ] && [ "$(field "$c" Seccomp)" = 2 ] &&
			    { PAR=$p; CHILD=$c; return 0; }
		done
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# gdb_send "msg words" ["msg words"...]: make the session child of a new
# session write these privsep messages (u32 words each) to its socket, fd 3,
# as a compromised child might; then wait for the parent to go.
gdb_send() {
	hold 8
	find_procs || return 1
	args=""
	for m in "$@"; do
		n=$(echo "$m" | wc -w)
		args="$args -ex 'set {unsigned int[$n]}(\$sp - 1024) = {$(echo "$m" | tr ' ' ',')}'"
		args="$args -ex 'call (long)write(3, (char *)(\$sp - 1024), $((n * 4)))'"
	done
	eval gdb "$SMTPD" -p "$CHILD" -batch -nx $args >"$T/gdb.out" 2>&1
	i=0
	while [ $i -lt 50 ] && kill -0 "$PAR" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	return 0
}
