# Postfix's smtp-sink (accepts and discards) and smtp-source (load generator),
# from the unpacked postfix package (see postfix.sh).
#	. "$TOP/regress/peers/sink.sh"
#	sink_start PORT [ADDR] [smtp-sink options...]	|| skip ...
#		(default options: -c -u postfix; backlog 256; no STARTTLS)
#		-d "$T/sink/%M." dumps each message (see smtp-sink(1))
#	"$SMTP_SOURCE" -s 10 -m 1000 127.0.0.1:PORT	(the load generator)
#	sink_stop [PORT]
# Sets SMTP_SINK, SMTP_SOURCE (paths) and SINK_LOG.
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/peers/postfix.sh"

_sink_pids=

sink_bins() {
	SMTP_SINK=$(postfix_bin smtp-sink) && SMTP_SOURCE=$(postfix_bin smtp-source) ||
	    return 1
	export SMTP_SINK SMTP_SOURCE
}

sink_start() {
	port=$1; shift
	addr=127.0.0.1
	case $1 in
	[0-9]*.*) addr=$1; shift ;;
	esac
	sink_bins || return 1
	peer_user postfix postfix
	SINK_LOG=$T/sink-$port.log; export SINK_LOG
	"$SMTP_SINK" -u postfix "$@" "$addr:$port" 256 >"$SINK_LOG" 2>&1 &
	_sink_pids="$_sink_pids $port:$!"
	peer_track $!
	peer_banner "$port" "$addr" || {
		echo "sink_start: nothing on $addr:$port" >&2; tail -n 5 "$SINK_LOG" >&2
		return 1
	}
}

sink_stop() {
	left=
	for e in $_sink_pids; do
		if [ -z "$1" ] || [ "$1" = "${e%%:*}" ]; then kill "${e#*:}" 2>/dev/null
		else left="$left $e"; fi
	done
	_sink_pids=$left
	return 0
}
