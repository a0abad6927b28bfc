# A private OpenSMTPD 6.8 (Debian's package unpacked, not installed) on
# loopback, plaintext only (its STARTTLS fails with OpenSSL 3 here).  It runs in
# a private mount namespace where its compiled-in paths are bound to the
# prefix and to $T (/usr/libexec/opensmtpd, /var/spool/smtpd, /run,
# /var/lib/opensmtpd/empty) and /etc/resolv.conf and /etc/hosts are private
# (nameserver 127.0.0.1: its DNS never leaves the machine).
#	. "$TOP/regress/peers/opensmtpd.sh"
#	opensmtpd_start PORT [ADDR]	|| skip ...
#	... mail for every address lands in $OPENSMTPD_MAILDIR/new
#	opensmtpd_stop
# Sets OPENSMTPD_DIR, OPENSMTPD_MAILDIR, OPENSMTPD_LOG, OPENSMTPD_PREFIX.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/peers/common.sh"

_opensmtpd_pid=

opensmtpd_start() {
	port=$1; addr=${2:-127.0.0.1}
	OPENSMTPD_PREFIX=$(peer_fetch opensmtpd) || return 1
	command -v unshare >/dev/null 2>&1 || { echo "opensmtpd_start: no unshare" >&2; return 1; }
	peer_user opensmtpd; peer_user opensmtpq
	pf=$OPENSMTPD_PREFIX
	d=$T/opensmtpd-$port
	rm -rf "$d"; mkdir -p "$d/spool" "$d/varlib/opensmtpd/empty" "$d/mail"
	chmod 755 "$d" "$d/varlib" "$d/varlib/opensmtpd" "$d/varlib/opensmtpd/empty"
	chmod 711 "$d/spool"
	chown nobody "$d/mail"
	echo "nameserver 127.0.0.1" > "$d/resolv.conf"
	printf '127.0.0.1\tlocalhost opensmtpd.test\n::1\tlocalhost\n' > "$d/hosts"
	cat > "$d/smtpd.conf" <<EOC
table vusers { "@" = "nobody" }
listen on $addr port $port hostname opensmtpd.test
action "deliver" maildir "$d/mail/Maildir" virtual <vusers>
match from any for any action "deliver"
EOC
	chmod 644 "$d/smtpd.conf" "$d/resolv.conf" "$d/hosts"
	cat > "$d/run.sh" <<EOS
mount --make-rprivate / &&
mount -t overlay overlay -o lowerdir=$pf/usr/libexec:/usr/libexec /usr/libexec &&
mount -t overlay overlay -o lowerdir=$d/varlib:/var/lib /var/lib &&
mount -t tmpfs tmpfs /var/spool && mkdir /var/spool/smtpd &&
mount --bind $d/spool /var/spool/smtpd &&
mount -t tmpfs tmpfs /run &&
mount --bind $d/resolv.conf /etc/resolv.conf &&
mount --bind $d/hosts /etc/hosts &&
exec $pf/usr/sbin/smtpd -d -f $d/smtpd.conf
EOS
	unshare -m sh "$d/run.sh" >"$d/smtpd.log" 2>&1 &
	_opensmtpd_pid=$!
	peer_track $_opensmtpd_pid
	OPENSMTPD_DIR=$d; OPENSMTPD_MAILDIR=$d/mail/Maildir; OPENSMTPD_LOG=$d/smtpd.log
	export OPENSMTPD_DIR OPENSMTPD_MAILDIR OPENSMTPD_LOG OPENSMTPD_PREFIX
	peer_banner "$port" "$addr" || {
		echo "opensmtpd_start: nothing on $addr:$port:" >&2
		tail -n 5 "$d/smtpd.log" >&2
		return 1
	}
}

opensmtpd_stop() {
	[ -n "$_opensmtpd_pid" ] || return 0
	kill "$_opensmtpd_pid" 2>/dev/null
	i=0
	while kill -0 "$_opensmtpd_pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	_opensmtpd_pid=
	return 0
}
