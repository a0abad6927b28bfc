#!/bin/sh
# `make run': a private smtpd on 127.0.0.1:2525 (PORT=n to change) under
# tcpserver, delivering into ./run/Maildir.  Everything lives in ./run.
set -e
cd "$(dirname "$0")/.."
TOP=$(pwd)
RUN=$TOP/run
PORT=${PORT:-2525}

if [ "$(id -u)" != 0 ]; then
	echo "run-demo: must run as root (smtpd drops privileges itself)" >&2
	exit 1
fi
for u in _upassmtpd _upasmail; do
	id "$u" >/dev/null 2>&1 || { echo "run-demo: no user $u (make deps)" >&2; exit 1; }
done
[ -x smtpd/smtpd ] && [ -x deliver/deliver ] || { echo "run-demo: build first (make)" >&2; exit 1; }
command -v tcpserver >/dev/null || { echo "run-demo: tcpserver missing (make deps)" >&2; exit 1; }

mkdir -p "$RUN/spool" "$RUN/chroot" "$RUN/grey" "$RUN/dump" "$RUN/smtpdb" \
    "$RUN/Maildir/tmp" "$RUN/Maildir/new" "$RUN/Maildir/cur"
chmod 755 "$RUN"
chown root:root "$RUN/chroot"; chmod 755 "$RUN/chroot"
chown -R _upasmail "$RUN/spool" "$RUN/grey" "$RUN/dump" "$RUN/smtpdb" "$RUN/Maildir"
chmod 700 "$RUN/spool"
: >> "$RUN/smtpd.log"; chown _upasmail "$RUN/smtpd.log"
[ -f "$RUN/blocked" ] || cp etc/blocked "$RUN/blocked"
printf '*\t%s\n' "$RUN/Maildir" > "$RUN/maildirs"
sed -e "s,@RUN@,$RUN,g" -e "s,@TOP@,$TOP,g" etc/demo.conf.in > "$RUN/smtpd.conf"
smtpd/smtpd -C "$RUN/smtpd.conf" -T >/dev/null

cat <<EOM
upas smtpd listening on 127.0.0.1:$PORT (tcpserver; ^C stops it)
  config   $RUN/smtpd.conf
  log      $RUN/smtpd.log (and syslog, facility mail)
  mail to  $RUN/Maildir/new/
Send a test message from another terminal:
  swaks --server 127.0.0.1:$PORT --to you@example.org
EOM
exec tcpserver -R -H -l 0 -c 50 127.0.0.1 "$PORT" \
    "$TOP/smtpd/smtpd" -C "$RUN/smtpd.conf"
