#!/bin/sh
# A session child never outlives its parent on any system (issue 15
# point 2): kill -9 of the parent while the client is connected and idle,
# and the child must be gone within a second by its own exit on the
# socketpair's hang-up (smtpd/session/io.c, io_poll), with Linux's
# PR_SET_PDEATHSIG left out (UPAS_TEST_NOPDEATHSIG) as on the BSDs,
# which have nothing that survives the uid change.  orphan.py has how.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
command -v tcpserver >/dev/null || { skip "tcpserver" "ucspi-tcp not installed"; exit 0; }
smtpd_setup
P=$(freeport)
python3 "$TOP/regress/privsep/orphan.py" "$P" "$LOG" \
    tcpserver -R -H -l 0 -c 10 -b 10 127.0.0.1 "$P" "$SMTPD" -C "$CONF"
