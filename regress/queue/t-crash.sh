#!/bin/sh
# Crashes.  1) runq killed with SIGKILL (its whole process group, smtp
# too) at a random moment of a delivery to an inner SMTP server, then run
# again: the recipient has the message at least once, and twice only when
# the kill fell in the RFC 1047 window, after the server took it and
# before runq recorded it.  runq records a recipient as soon as smtp -R
# prints its line, which smtp does as soon as the reply after the final
# dot is in, so that window is one write and fsync long (entry.c).  The
# server here waits 0.6 s before answering QUIT: a runq that recorded its
# results only after smtp's QUIT and exit would have a window of over half
# a second, and a kill in it could come later than CRASH_WINDOW (0.25 s)
# after the server's commit.  Each kill says which case it hit, and how
# long after the server's commit it came.
# 2) smtpd's parent killed right after it sent 250: the entry is complete.
# 3) smtpd's parent killed at random moments during DATA: every entry in
# the queue is complete, and each 250 the client got has its entry (an
# entry may also exist without its 250, when the kill fell after the
# write: the client sends it again, a duplicate, never a loss).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/queue/common.sh"
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
IP=$(freeport)
queue_setup <<EOR
inner.test tcp!127.0.0.1!$IP
EOR
# deliveries are started by hand here
sed -i "s|^runq .*|runq /bin/true|" "$QCONF"
python3 "$TOP/regress/queue/inner.py" "$IP" "$T/record" --quitdelay 0.6 --times "$T/times" &
bg_track $!
wait_port "$IP" || { fail "inner server did not start"; exit 0; }
P=$(freeport)
tcpserver -R -H -l 0 -c 20 127.0.0.1 "$P" "$SMTPD" -C "$QCONF" >>"$T/tcpserver.out" 2>&1 &
TS=$!
bg_track $TS
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }

state() {	# id rcpt: done, pending or gone
	if [ ! -e "$QDIR/$1.c" ]; then echo gone; return; fi
	"$RUNQ" -C "$QCONF" -l | awk -v r="<$2>" '$2 == r { print $1; exit }'
}
W=${CRASH_WINDOW:-0.25}
before=0 window=0 after=0 bad=0 late=0
N=${CRASH_N:-8}
i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	mid="<crash$i.$$@local.test>"
	printf 'Subject: crash %s\nFrom: s@local.test\nMessage-ID: %s\n\nbody\n' "$i" "$mid" > "$T/m"
	ID=$(qsend "$P" s@local.test u@inner.test < "$T/m" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
	[ -n "$ID" ] || { fail "crash $i: not queued"; bad=$((bad + 1)); continue; }
	# the server's commit comes some 0.02-0.2 s after the start (smtp's
	# start, the connection, the transaction): the kills fall between 0
	# and 0.5 s, more of them early, so that they hit before it, around
	# it, and after it while smtp waits for the reply to QUIT
	d=$(awk -v s="$$$i$(date +%N)" 'BEGIN { srand(s % 1000000); r = rand(); printf "%.3f", r * r * r * 0.5 }')
	rm -f "$T/pgid"
	setsid sh -c 'echo $$ > "$1.new"; mv "$1.new" "$1"; exec "$2" -C "$3" "$4" 2>/dev/null' sh "$T/pgid" "$RUNQ" "$QCONF" "$ID" &
	w=0; while [ ! -s "$T/pgid" ] && [ $w -lt 5000 ]; do w=$((w + 1)); done
	sleep "$d"
	/bin/kill -KILL -- "-$(cat "$T/pgid")" 2>/dev/null
	# after the kill: the signal went at this time or before
	kt=$(date +%s.%N)
	wait $! 2>/dev/null
	# no record file yet is 0 taken (grep -c on a missing file prints nothing)
	took=$(cat "$T/record" 2>/dev/null | grep -c "^$mid u@inner.test$")
	ct=$(awk -v m="$mid" '$1 == m { print $3; exit }' "$T/times" 2>/dev/null)
	st=$(state "$ID" u@inner.test)
	if [ "$took" -eq 0 ]; then case=before want=1 dt=
	else
		dt=$(awk -v k="$kt" -v c="$ct" 'BEGIN { printf "%.3f", k - c }')
		if [ "$st" = pending ]; then case=window want=2
		else case=after want=1; fi
	fi
	j=0
	while [ -e "$QDIR/$ID.c" ] && [ $j -lt 5 ]; do "$RUNQ" -C "$QCONF" -f >/dev/null 2>&1; j=$((j + 1)); done
	got=$(cat "$T/record" 2>/dev/null | grep -c "^$mid u@inner.test$")
	what="kill $i ${d}s after the start, ${dt:+at most ${dt}s after the server's commit, }hit $case"
	if [ "$got" -eq "$want" ] && [ ! -e "$QDIR/$ID.c" ]; then
		pass "$what: the server has it $got time(s), as it should"
	else
		fail "$what: the server has it $got time(s), wanted $want"
		bad=$((bad + 1))
	fi
	# a second copy only from a kill within the one-fsync window
	if [ "$case" = window ] && awk -v t="$dt" -v w="$W" 'BEGIN { exit !(t > w) }'; then
		fail "kill $i: runq had not recorded the server's 250 ${dt}s after it (more than ${W}s: not one fsync)"
		late=$((late + 1))
	fi
	eval "$case=\$(($case + 1))"
done
echo "# kills: $before before the server took it, $window in the RFC 1047 window, $after after runq recorded it"
check "no kill lost a message or duplicated one outside the window" test "$bad" -eq 0
check "every duplicate came from a kill within ${W}s of the server's commit" test "$late" -eq 0
check "some kills fell after the server's commit (the test exercised the window)" test "$((window + after))" -gt 0

# 2) the parent killed at once after its 250; 3) at random during DATA
killtest() {	# mode (now|random) tag: prints "250 ID" or "none"
	python3 - "$P" "$TS" "$1" "$2" <<'PY'
import os, random, signal, socket, sys, time
port, ts, mode, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l: return b""
        if l[3:4] != b"-": return l
reply()
# smtpd's parent: tcpserver's child
kids = []
for t in os.listdir("/proc/%d/task" % ts):
    kids += open("/proc/%d/task/%s/children" % (ts, t)).read().split()
parent = int(kids[-1])
for c in (b"EHLO c.test", b"MAIL FROM:<s@local.test>", b"RCPT TO:<u@inner.test>", b"DATA"):
    s.sendall(c + b"\r\n"); reply()
body = b"Subject: kill " + tag.encode() + b"\r\n\r\n" + (b"x" * 70 + b"\r\n") * 15000 + b"END-" + tag.encode() + b"\r\n.\r\n"
if mode == "random":
    delay = random.random() * 0.15
    pid = os.fork()
    if pid == 0:
        time.sleep(delay)
        try: os.kill(parent, signal.SIGKILL)
        except OSError: pass
        os._exit(0)
try:
    s.sendall(body)
    r = reply()
except OSError:
    r = b""
if mode == "now" and r.startswith(b"250"):
    os.kill(parent, signal.SIGKILL)
if mode == "random":
    os.waitpid(pid, 0)
print(r.decode(errors="replace").strip() or "none")
PY
}
n0=$(qcount)
R=$(killtest now now1)
ID=$(printf '%s\n' "$R" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
expect "parent killed after 250: it had said 250" '^250 ' "$R"
check "parent killed after 250: the entry is complete (control file)" sh -c "'$RUNQ' -C '$QCONF' -l | grep -q '^$ID .* <s@local.test>' && '$RUNQ' -C '$QCONF' -l | grep -q 'pending <u@inner.test> tries=0'"
check "parent killed after 250: the entry is complete (data, to its last line)" grep -q '^END-now1$' "$QDIR/$ID.d"

ok250=0 miss=0
k=0
while [ $k -lt ${CRASH_K:-5} ]; do
	k=$((k + 1))
	R=$(killtest random r$k)
	case $R in
	250*)	ok250=$((ok250 + 1))
		id=$(printf '%s\n' "$R" | sed -n 's/^250 .*queued as \([^ ]*\).*/\1/p')
		{ [ -f "$QDIR/$id.c" ] && grep -q "^END-r$k\$" "$QDIR/$id.d"; } || miss=$((miss + 1)) ;;
	esac
done
n1=$(qcount)
extra=$((n1 - n0 - 1 - ok250))
echo "# random kills: $ok250 of $k after the 250, $extra entries complete but killed before the 250 (the client sends those again)"
check "random kills during DATA: each 250 has its complete entry" test "$miss" -eq 0
check "random kills during DATA: no 250 without an entry" test "$extra" -ge 0
dmg=$("$RUNQ" -C "$QCONF" -l | grep -c damaged)
check "random kills during DATA: no damaged entry" test "$dmg" -eq 0
inc=0
for c in "$QDIR"/*.c; do
	id=$(basename "$c" .c)
	case $id in tmp.*) continue ;; esac
	grep -q '^END-' "$QDIR/$id.d" || inc=$((inc + 1))
done
check "random kills during DATA: every entry's data is whole" test "$inc" -eq 0
