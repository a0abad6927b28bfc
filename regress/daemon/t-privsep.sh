#!/bin/sh
# The split seen from outside while a session is open: the child is
# _upassmtpd, chrooted, no_new_privs, seccomp; the parent is the mail user.
# A child that sends a malformed privsep message (injected with gdb) is
# killed, and the parent lives to log it.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# the system python starts much faster than a pyenv shim
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
P=$(freeport)
tcpserver -R -H -l 0 127.0.0.1 "$P" "$SMTPD" -C "$CONF" >>"$T/tcpserver.out" 2>&1 &
TS=$!; bg_track $TS
wait_port "$P" || { fail "tcpserver did not start"; exit 0; }
sleep 0.3

. "$TOP/regress/daemon/probe.sh"

hold 6
if find_procs; then
	uid=$(id -u "$SMTPD_USER"); muid=$(id -u "$MAIL_USER")
	expect "child runs as $SMTPD_USER" "^$uid\$" "$(field "$CHILD" Uid)"
	expect "child has no other uid (real, effective, saved, fs)" "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid" "$(grep ^Uid: /proc/$CHILD/status)"
	expect "child's root is the chroot" "^$T/chroot\$" "$(readlink /proc/$CHILD/root)"
	expect "child has NoNewPrivs" '^1$' "$(field "$CHILD" NoNewPrivs)"
	expect "child is in seccomp filter mode" '^2$' "$(field "$CHILD" Seccomp)"
	expect "parent runs as $MAIL_USER" "^$muid\$" "$(field "$PAR" Uid)"
	expect "parent is not chrooted" '^/$' "$(readlink /proc/$PAR/root)"
	nfd=$(ls /proc/$CHILD/fd | wc -l)
	expect "child keeps only 0, 1, 2 (/dev/null) and the socketpair (3)" "^4$" "$nfd"
	case " $(ls /proc/$CHILD/fd | tr '\n' ' ') " in
	*" 3 "*) pass "child's privsep socket is fd 3" ;;
	*) fail "child's privsep socket is fd 3" ;;
	esac
	kl=$(ls -l /proc/$CHILD/fd 2>/dev/null | grep -c -e smtpd.log -e "$T/spool")
	expect "child holds neither the log file nor the spool dir" '^0$' "$kl"
else
	fail "found the session child"
fi

# gdb: make the child send what a compromised child might
inject() {	# words for the header/payload (u32 each), reason to find in the log
	gdb_send "$1" || { fail "found the child for $2"; return; }
	kill -0 "$CHILD" 2>/dev/null && fail "child killed after $2" || pass "child killed after $2"
	expect "parent logs the violation: $2" "privsep violation: $2" "$(cat "$LOG")"
}
if ! command -v gdb >/dev/null 2>&1; then
	skip "malformed privsep messages" "gdb not installed"
elif [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 3 ]; then
	skip "malformed privsep messages" "ptrace disabled"
else
	inject "999 16 1 0" "unknown message type"
	inject "17 24 1 0 1 2" "bad length"		# PS_STATE with 8 bytes
	inject "18 20 1 0 7" "bad length"		# PS_QUEUE_OPEN, payload
	inject "16 16 1 0" "bad length"			# PS_LOG, empty
	expect "disconnect logged with the signal" 'disconnect .*reason=killed' "$(cat "$LOG")"
	# a forbidden system call: the sandbox kills, the parent says so
	hold 8
	if find_procs; then
		gdb "$SMTPD" -p "$CHILD" -batch -nx -ex "call (int)socket(2, 1, 0)" >"$T/gdb2.out" 2>&1
		sleep 1
		expect "sandbox violation reported as SIGSYS" 'disconnect signal=SIGSYS sandbox_violation=yes' "$(cat "$LOG")"
	else
		fail "found the child for the sandbox test"
	fi
fi
