# Shared helpers for regress/<area>/t-*.sh.  Source it first:
#	. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# Output protocol (read by regress/run): "ok - x", "not ok - x", "skip - x # why".

TOP=${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${UPAS_BIN:-$TOP}
SMTPD=$BIN/smtpd/smtpd
SMTP=$BIN/smtp/smtp
DELIVER=$BIN/deliver/deliver
TNAME=${UPAS_TEST:-$(basename "$0" | sed 's/\.[a-z]*$//')}
T=$TOP/regress/tmp/$(echo "$TNAME" | tr ':/' '__')
rm -rf "$T"; mkdir -p "$T"; chmod 755 "$T"
SMTPD_USER=_upassmtpd
MAIL_USER=_upasmail

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
skip() { echo "skip - $1 # ${2:-skipped}"; }
# check "what" command...: ok when the command succeeds
check() { d=$1; shift; if "$@" >>"$T/check.log" 2>&1; then pass "$d"; else fail "$d"; fi; }
# expect "what" "wanted" "got": ok when got contains wanted (a grep -E pattern)
expect() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"
	else fail "$1"; printf '#   wanted /%s/\n#   got: %s\n' "$2" "$(printf '%s' "$3" | head -c 600)"; fi
}

_pids=""
bg_track() { _pids="$_pids $1"; }
cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	sleep 0.1
	for p in $_pids; do kill -9 "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

# A port nobody listens on, in a range the tests keep to themselves
# (regress/peers uses 30000-49999).
freeport() {
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		_p=$(awk -v s="$$$(date +%N)" 'BEGIN { srand(s % 100000); print 20000 + int(rand() * 10000) }')
		ss -Htan "sport = :$_p" 2>/dev/null | grep -q . || { echo "$_p"; return 0; }
	done
	echo "$_p"
}

wait_port() {	# port [host]: until something listens there, 10 s at most
	_n=0
	while [ $_n -lt 200 ]; do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN && return 0
		sleep 0.05; _n=$((_n + 1))
	done
	return 1
}

# smtpd_setup: a private world for one smtpd in $T: spool, chroot, Maildir,
# deliver's map, the config in $CONF and the log in $LOG.
smtpd_setup() {
	mkdir -p "$T/spool" "$T/chroot" "$T/grey" "$T/dump" "$T/smtpdb" "$T/mail"
	chown root:root "$T/chroot"; chmod 755 "$T/chroot"
	chown "$MAIL_USER" "$T/spool" "$T/grey" "$T/dump" "$T/smtpdb" "$T/mail"
	chmod 700 "$T/spool"
	MAILDIR=$T/mail/Maildir
	printf '*\t%s\n' "$MAILDIR" > "$T/maildirs"
	LOG=$T/smtpd.log
	: > "$LOG"; chown "$MAIL_USER" "$LOG"
	CONF=$T/smtpd.conf
	cat > "$CONF" <<EOC
# written by regress/lib.sh smtpd_setup
hostname mx.test.example
defaultdomain test.example
spool $T/spool
chroot $T/chroot
user $SMTPD_USER
mailuser $MAIL_USER
mailer $DELIVER -M $T/maildirs
greydir $T/grey
dumpdir $T/dump
debugdir $T/smtpdb
logfile $LOG
greetpause 0
# the tests mail any domain from 127.0.0.1; the default, norelay on, is
# tested where it matters (regress/daemon/t-defaults.sh, regress/policy)
norelay off
EOC
}

# tcpserver_start PORT [smtpd flags...]: smtpd under tcpserver on 127.0.0.1.
tcpserver_start() {
	port=$1; shift
	tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$port" "$SMTPD" -C "$CONF" "$@" \
	    >>"$T/tcpserver.out" 2>&1 &
	bg_track $!
	wait_port "$port" || { fail "tcpserver on $port did not start"; return 1; }
}

# Messages delivered so far to $MAILDIR.
maildir_count() { ls "$MAILDIR/new" 2>/dev/null | wc -l; }
maildir_last() { ls -t "$MAILDIR/new"/* 2>/dev/null | head -n 1; }
