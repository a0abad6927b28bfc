# Exim (Debian's exim4-daemon-light unpacked, not installed) as a one-shot
# client: a real MTA whose smtp transport sends with BDAT whenever the
# server offers CHUNKING (RFC 3030; hosts_try_chunking, its default).
#	. "$TOP/regress/peers/exim.sh"
#	exim_send PORT -f SENDER RCPT... < message	|| ...
# delivers the message at once (-odi) to 127.0.0.1:PORT, in the clear,
# and returns Exim's exit status; its log is $EXIM_LOG (mainlog, where
# "K" marks a delivery made with CHUNKING).  Sets EXIM_PREFIX, EXIM_LOG.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/peers/common.sh"

exim_send() {
	port=$1; shift
	EXIM_PREFIX=$(peer_fetch exim4-daemon-light) || return 1
	# compiled in: the user it runs deliveries as
	peer_user Debian-exim Debian-exim
	d=$T/exim-$port
	mkdir -p "$d/spool" "$d/log"
	chown Debian-exim "$d/spool" "$d/log"
	EXIM_LOG=$d/log/mainlog
	export EXIM_PREFIX EXIM_LOG
	cat > "$d/exim.conf" <<EOC
exim_path = $EXIM_PREFIX/usr/sbin/exim4
keep_environment =
primary_hostname = exim.test
spool_directory = $d/spool
log_file_path = $d/log/%slog
exim_user = Debian-exim
exim_group = Debian-exim
trusted_users = root
host_lookup =
rfc1413_hosts =
begin routers
upas:
  driver = manualroute
  route_list = * 127.0.0.1::$port
  transport = upas_smtp
  self = send
begin transports
upas_smtp:
  driver = smtp
  port = $port
  hosts_try_chunking = *
  hosts_avoid_tls = *
  allow_localhost
begin retry
* * F,1m,1m
EOC
	timeout 60 "$EXIM_PREFIX/usr/sbin/exim4" -C "$d/exim.conf" -odi -oi "$@" \
	    2>>"$d/stderr"
}
