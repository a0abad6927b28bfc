#!/bin/sh
# CPU and page faults per connection, for issue 6's profile: each program
# given serves N connections (default 300, C=10 at once, one 1 KiB message
# each, smtp-source) under tcpserver, which runs under `perf stat', so the
# figures are tcpserver's plus every process it starts, divided by N.
# An smtpd gets the production configuration run.sh uses (trusted
# loopback, no greetpause, the built-in mailer); anything else (e.g. the
# floor, a build of regress/bench/trivial.c) just runs.  Not part of the
# suite.  Usage: sh regress/bench/cpu.sh [program...] (default: the built
# smtpd and the floor).  Copy a binary elsewhere to compare builds: an
# smtpd finds smtpd-tls.so beside itself.  CERT=1: the smtpd configuration
# has a certificate (STARTTLS offered, smtp-source never uses it).
# The word privfloor runs regress/bench/privfloor.c as run.sh does
# (static; PFLDFLAGS="-pie -lbsd" links it another way, to see what the
# dynamic link costs a process per connection).
# TLS=full or TLS=resume (implies CERT=1): N STARTTLS sessions of one
# 1 KiB message from C client processes (probe.py tlsload) instead of
# smtp-source, full handshakes or each offering its last ticket.
UPAS_TEST=${UPAS_TEST:-bench-cpu}
. "$(cd "$(dirname "$0")/../.." && pwd)/regress/lib.sh"
. "$TOP/regress/peers/sink.sh"
sink_bins || { echo "cpu.sh: no smtp-source"; exit 1; }
command -v perf >/dev/null 2>&1 || { echo "cpu.sh: no perf"; exit 1; }
N=${N:-300} C=${C:-10}
cc -O2 -static -o "$T/trivial" "$TOP/regress/bench/trivial.c" || exit 1
[ $# -gt 0 ] || set -- "$SMTPD" "$T/trivial"
smtpd_setup
sed -i -e '/^greetpause /d' "$CONF"
echo 'ournets 127.0.0.0/8' >> "$CONF"
m=$("$SMTPD" -C /dev/null -T 2>/dev/null | awk '$1 == "mailer" { print $2 }')
sed -i -e "s|^mailer [^ ]*|mailer $m|" "$CONF"
# CERT=1: with a certificate configured (STARTTLS offered, never used)
[ -n "${TLS:-}" ] && CERT=1
if [ "${CERT:-0}" = 1 ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.test.example \
	    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
	chmod 600 "$T/key.pem"
	printf 'cert %s\nkey %s\n' "$T/cert.pem" "$T/key.pem" >> "$CONF"
fi
for b in "$@"; do
	port=$(freeport)
	# an smtpd: -T prints the configuration (and may refuse this machine's)
	if [ "$b" = privfloor ]; then
		# shellcheck disable=SC2086
		cc -O2 -fPIE -o "$T/privfloor" "$TOP/regress/bench/privfloor.c" \
		    -Wl,--no-as-needed ${PFLDFLAGS:--static} || exit 1
		mkdir -p "$T/pfchroot" "$MAILDIR/tmp" "$MAILDIR/new" "$MAILDIR/cur"
		chmod 755 "$T/pfchroot"
		chown -R "$MAIL_USER" "$MAILDIR"
		set -- "$T/privfloor" "$T/pfchroot" "$(id -u "$SMTPD_USER")" \
		    "$(id -u "$MAIL_USER")" "$MAILDIR"
	elif "$b" -C /dev/null -T </dev/null 2>/dev/null | grep -q '^mailer '; then
		set -- "$b" -C "$CONF"; else set -- "$b"; fi
	perf stat -x, -e task-clock,page-faults,context-switches -o "$T/stat.$port" -- \
	    tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$port" "$@" >>"$T/tcp.out" 2>&1 &
	pp=$!
	wait_port "$port" || { echo "$b: did not start"; continue; }
	# aside, not deleted: see run.sh on ext4's recently-deleted inodes
	[ -d "$MAILDIR/new" ] && mv "$MAILDIR/new" "$T/new.$port"
	# privfloor makes no directories
	[ "$b" = privfloor ] && mkdir "$MAILDIR/new" && chown "$MAIL_USER" "$MAILDIR/new"
	t0=$(date +%s.%N)
	if [ -n "${TLS:-}" ]; then
		python3 "$TOP/regress/bench/probe.py" tlsload "$port" "$C" "$N" "$TLS" 120 \
		    >"$T/src.$port" 2>&1
		set -- $(tail -n 1 "$T/src.$port")
		[ "${2:-0}" = "$N" ] || echo "$(basename "$b"): $TLS: only ${2:-0} of $N sessions" \
		    "(${3:-0} resumed)"
	else
		timeout 120 "$SMTP_SOURCE" -N -s "$C" -m "$N" -l 1024 -M bench.test \
		    -f bench@bench.test -t bench@test.example 127.0.0.1:"$port" \
		    >"$T/src.$port" 2>&1
	fi
	t1=$(date +%s.%N)
	sleep 0.3
	kill -INT $(pgrep -P "$pp") 2>/dev/null
	wait "$pp"
	awk -F, -v n="$N" -v b="$(basename "$b")" -v a="$t0" -v e="$t1" '
	    $3 == "task-clock" { t = $1 } $3 == "page-faults" { p = $1 }
	    $3 == "context-switches" { c = $1 }
	    END { printf "%-14s cpu %6.2f ms/conn  faults %4.0f/conn  switches %5.1f/conn  %6.1f conn/s\n",
	        b, t / n, p / n, c / n, n / (e - a) }' "$T/stat.$port"
done
