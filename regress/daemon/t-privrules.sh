#!/bin/sh
# The parent refuses what the configuration does not allow, whatever the
# child asks: without -s no dump (dumpdir is open whenever it exists),
# without -g no greylist marker.  Crafted messages are injected into the
# session child with gdb, as in t-privsep.sh.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
command -v gdb >/dev/null || { skip "crafted privsep messages" "gdb not installed"; exit 0; }
[ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" = 3 ] &&
    { skip "crafted privsep messages" "ptrace disabled"; exit 0; }
smtpd_setup
P=$(freeport)
tcpserver_start "$P" || exit 0	# neither -s nor -g
sleep 0.3

. "$TOP/regress/daemon/probe.sh"

inject() {	# what, messages...
	what=$1; shift
	gdb_send "$@" || { fail "found the child for $what"; return 1; }
}

ABCD=1684234849		# "abcd" as a little-endian u32
# PS_STATE (17) ST_HELO, PS_QUEUE_OPEN (18), then PS_QUEUE_DUMP (23):
# reason "abcd", sender "", one recipient "abcd"
if inject "dump" "17 20 0 0 2" "18 16 1 0" "23 40 2 0 4 $ABCD 0 1 4 $ABCD"; then
	n=$(find "$T/dump" -type f 2>/dev/null | wc -l)
	expect "no -s: a dump request writes nothing to dumpdir" '^0$' "$n"
	expect "no -s: the dump request is a privsep violation" \
	    'privsep violation: dump not enabled' "$(cat "$LOG")"
fi
# PS_STATE (17) ST_HELO, PS_GREY_REQ (26): recipient "abcd"
if inject "greylist" "17 20 0 0 2" "26 24 1 0 4 $ABCD"; then
	n=$(find "$T/grey" -mindepth 1 2>/dev/null | wc -l)
	expect "no -g: a greylist request leaves greydir alone" '^0$' "$n"
	expect "no -g: the greylist request is a privsep violation" \
	    'privsep violation: greylist not enabled' "$(cat "$LOG")"
fi
