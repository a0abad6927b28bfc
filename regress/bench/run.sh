#!/bin/sh
# make bench: our smtpd (tcpserver, Maildir delivery by deliver), without
# and with a certificate (STARTTLS offered, not used by smtp-source),
# beside Postfix, OpenSMTPD, smtp-sink, the floor (tcpserver + trivial.c)
# and the privilege-separated floor (tcpserver + privfloor.c), all on
# loopback, loaded with Postfix's smtp-source; then STARTTLS sessions
# from several client processes against ours and Postfix.  See
# regress/bench/README.  Environment: QUICK=1 (fewer messages, shorter
# caps), SERVERS="ours postfix opensmtpd sink floor privfloor" (a subset;
# ours brings ourscert), CAP (seconds per cell), ROUNDS (how many times
# the c=10 1 KiB cell is taken, the servers in turn; the last line has
# the medians; default 3, QUICK 1), TLSPROCS (STARTTLS client processes,
# default 10).
UPAS_TEST=${UPAS_TEST:-bench}
# Nothing is deleted until every figure is taken.  On ext4 without a
# journal (as on these machines) the inode allocator skips, and reads the
# inode table block of, every inode freed in the last minute (six while
# the block is dirty): each file deleted makes the next ones slower to
# create, which would charge the servers that write files (ours, Postfix,
# OpenSMTPD; not sink or floor) for the harness's own clean-up, and more
# in the later cells.  So the last run's files are moved aside here, each
# cell's Maildir/new is moved aside in cell(), and all go at the end.
_prev=$(cd "$(dirname "$0")/../.." && pwd)/regress/tmp/$(echo "$UPAS_TEST" | tr ':/' '__')
[ -d "$_prev" ] && mv "$_prev" "$_prev.prev.$$"
. "$(cd "$(dirname "$0")/../.." && pwd)/regress/lib.sh"
B=$TOP/regress/bench
. "$TOP/regress/peers/sink.sh"		# and postfix.sh
[ -f "$TOP/regress/peers/opensmtpd.sh" ] && . "$TOP/regress/peers/opensmtpd.sh"
bench_stop() {
	postfix_stop >/dev/null 2>&1
	command -v opensmtpd_stop >/dev/null 2>&1 && opensmtpd_stop >/dev/null 2>&1
	sink_stop >/dev/null 2>&1
	cleanup
	rm -rf "$_prev.prev.$$" "$T/aside"
}
trap bench_stop EXIT
trap 'exit 1' INT TERM

if [ "${QUICK:-0}" = 1 ]; then
	N1=100 N100=30 CAP=${CAP:-6} NLAT=30 NTLS=40 NCLI=40 ROUNDS=${ROUNDS:-1}
	TLSPROCS=${TLSPROCS:-4}
else
	N1=500 N100=200 CAP=${CAP:-15} NLAT=200 NTLS=300 NCLI=200 ROUNDS=${ROUNDS:-3}
	TLSPROCS=${TLSPROCS:-10}
fi
SERVERS=${SERVERS:-ours postfix opensmtpd sink floor privfloor}
CONCS="1 10 50"
SIZES="1024 102400"
RCPT=bench@test.example
PROBE="python3 $B/probe.py"

now() { date +%s.%N; }
# rate COUNT START END: messages per second, one decimal
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; if (d <= 0) d = 0.001; printf "%.1f", n / d }'; }
# ratio A B: A/B, two decimals, n/a unless both are numbers
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'; }
num() { printf '%s' "$1" | tr -d '*!'; }
# median FILE...: of the numbers in them (marks dropped), n/a if none
median() {
	cat "$@" 2>/dev/null | tr -d '*!' | grep -E '^[0-9.]+$' | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2];
	        else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
note() { echo "$*" >> "$T/notes"; }
nfiles() { ls "$1/new" 2>/dev/null | wc -l | tr -d ' '; }
aside=0
: > "$T/notes"

# --- the machine -------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "machine: cores=$(nproc 2>/dev/null || echo '?') cpu=\"${cpu:-unknown}\"" \
    "kernel=$(uname -r) mem=$(awk '/MemTotal/ { printf "%dMiB", $2 / 1024 }' /proc/meminfo)" \
    "quick=${QUICK:-0} cap=${CAP}s n=$N1/$N100"

# --- servers -----------------------------------------------------------------
sink_bins || { echo "bench: no smtp-source (Postfix package): cannot load anything"; exit 1; }
SRC=$SMTP_SOURCE

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx.test.example \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
chmod 600 "$T/key.pem"

declare_port() { eval "PORT_$1=\$(freeport)"; }
up=""
for s in $SERVERS; do
	declare_port "$s"
	eval "port=\$PORT_$s"
	case $s in
	ours)
		if [ ! -x "$SMTPD" ] || [ ! -x "$DELIVER" ]; then
			note "ours: smtpd or deliver not built"; continue
		fi
		smtpd_setup
		OURS_MD=$MAILDIR
		# production settings, not the test suite's: the shipped
		# greetpause (3 s for untrusted peers; the load comes from
		# loopback, listed in ournets as a trusted submitter, which the
		# policy lets skip the pause), and the default mailer (our
		# deliver at its installed path, which smtpd runs in process)
		# with this run's map.  BENCH_MAILER=exec: the built deliver,
		# executed per message, for comparison.
		sed -i -e '/^greetpause /d' "$CONF"
		echo 'ournets 127.0.0.0/8' >> "$CONF"
		if [ "${BENCH_MAILER:-builtin}" = builtin ]; then
			m=$("$SMTPD" -C /dev/null -T 2>/dev/null | awk '$1 == "mailer" { print $2 }')
			sed -i -e "s|^mailer [^ ]*|mailer $m|" "$CONF"
		fi
		# a second instance with a certificate (what an MX runs):
		# STARTTLS offered; smtp-source never uses it, the TLS load does
		{ cat "$CONF"; printf 'cert %s\nkey %s\n' "$T/cert.pem" "$T/key.pem"; } > "$T/tls.conf"
		tcpserver_start "$port" >/dev/null || { note "ours: tcpserver did not start"; continue; }
		OURS_TCP=${_pids##* }
		PORT_ourscert=$(freeport)
		tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$PORT_ourscert" "$SMTPD" -C "$T/tls.conf" \
		    >>"$T/tcpserver-tls.out" 2>&1 &
		bg_track $!
		OURSCERT_TCP=$!
		if wait_port "$PORT_ourscert"; then up="$up ourscert"
		else note "ourscert: tcpserver did not start"; PORT_ourscert=; fi
		;;
	postfix)
		if ! postfix_start "$port" -c "$T/cert.pem" -k "$T/key.pem" \
		    -o 'smtpd_tls_session_cache_database = btree:${data_directory}/smtpd_scache' \
		    -o 'smtpd_relay_restrictions = permit_mynetworks, reject' \
		    >"$T/postfix.out" 2>&1; then
			note "postfix: did not start: $(tail -n 1 "$T/postfix.out")"; continue
		fi
		PF_MD=$POSTFIX_MAILDIR
		PF_MASTER=$(echo "$_postfix_masters" | tr ' ' '\n' | sed -n "s/^$port://p")
		;;
	opensmtpd)
		if ! command -v opensmtpd_start >/dev/null 2>&1; then
			note "opensmtpd: regress/peers/opensmtpd.sh not there yet"; continue
		fi
		if ! opensmtpd_start "$port" >"$T/opensmtpd.out" 2>&1; then
			note "opensmtpd: did not start: $(tail -n 1 "$T/opensmtpd.out")"; continue
		fi
		OS_MD=$OPENSMTPD_MAILDIR
		;;
	sink)
		sink_start "$port" >"$T/sink.out" 2>&1 ||
		    { note "sink: did not start: $(tail -n 1 "$T/sink.out")"; continue; }
		;;
	privfloor)
		# static, like trivial: the floor of a split, delivering server
		cc -O2 -static -o "$T/privfloor" "$B/privfloor.c" ||
		    { note "privfloor: privfloor.c did not build"; continue; }
		mkdir -p "$T/pfchroot" "$T/pfmail/tmp" "$T/pfmail/new" "$T/pfmail/cur"
		chmod 755 "$T/pfchroot"
		chown -R "$MAIL_USER" "$T/pfmail"
		PF2_MD=$T/pfmail
		tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$port" "$T/privfloor" "$T/pfchroot" \
		    "$(id -u "$SMTPD_USER")" "$(id -u "$MAIL_USER")" "$T/pfmail" >/dev/null 2>&1 &
		bg_track $!
		wait_port "$port" || { note "privfloor: tcpserver did not start"; continue; }
		;;
	floor)
		cc -O2 -static -o "$T/trivial" "$B/trivial.c" || { note "floor: trivial.c did not build"; continue; }
		tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$port" "$T/trivial" >/dev/null 2>&1 &
		bg_track $!
		wait_port "$port" || { note "floor: tcpserver did not start"; continue; }
		;;
	esac
	up="$up $s"
done
echo "servers:$up"

maildir_of() {
	case $1 in
	ours|ourscert) echo "$OURS_MD" ;;
	privfloor) echo "$PF2_MD" ;;
	postfix) echo "$PF_MD" ;;
	opensmtpd) echo "$OS_MD" ;;
	*) echo "" ;;
	esac
}

# --- load: one cell ----------------------------------------------------------
# cell SERVER MODE SIZE C [ROUND]: writes the rate (with * when capped, !
# on errors) to $T/r.SERVER.MODE.SIZE.C[.ROUND] and checks every accepted
# message was delivered exactly once.
cell() {
	srv=$1 mode=$2 size=$3 c=$4 rnd=${5:+.$5}
	eval "port=\$PORT_$srv"
	md=$(maildir_of "$srv")
	n=$N1; [ "$size" -gt 1024 ] && n=$N100
	[ "$n" -lt "$c" ] && n=$c
	dflag=; [ "$mode" = multi ] && dflag=-d
	# (never create it here: the server must make its own Maildir; an
	# empty new/ as the server made it, the full one aside: see the top)
	if [ -n "$md" ] && [ -d "$md/new" ]; then
		aside=$((aside + 1))
		mkdir -p "$T/aside"
		mv "$md/new" "$T/aside/new.$aside" && mkdir "$md/new" &&
		    chown --reference="$T/aside/new.$aside" "$md/new" &&
		    chmod --reference="$T/aside/new.$aside" "$md/new"
	fi
	out=$T/src.$srv.$mode.$size.$c$rnd
	t0=$(now)
	timeout -k 2 "$CAP" "$SRC" $dflag -N -s "$c" -m "$n" -l "$size" -M bench.test \
	    -f bench@bench.test -t "$RCPT" 127.0.0.1:"$port" >"$out" 2>&1
	rc=$?
	mark=
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && mark='*'
	[ $rc -ne 0 ] && [ -z "$mark" ] && mark='!'
	if [ -n "$md" ]; then
		# delivery may lag acceptance (Postfix queues): wait, within the
		# cap, when smtp-source says every message was accepted
		end=$(awk -v a="$t0" -v c="$CAP" 'BEGIN { printf "%.3f", a + c }')
		[ $rc -ne 0 ] && end=0
		while [ "$(nfiles "$md")" -lt "$n" ] &&
		    awk -v a="$(now)" -v e="$end" 'BEGIN { exit !(a < e) }'; do
			sleep 0.05
		done
		t1=$(now)
		got=$(nfiles "$md")
		dups=$(find "$md/new" -type f -exec grep -m1 -h '^Delivered-To:' {} + 2>/dev/null |
		    sort | uniq -d | wc -l | tr -d ' ')
		if [ "$got" -gt "$n" ] || [ "$dups" -gt 0 ]; then
			note "DUPLICATES: $srv $mode size=$size c=$c: $got files for $n messages, $dups repeated Delivered-To"
			mark='!'
		elif [ $rc -eq 0 ] && [ "$got" -lt "$n" ]; then
			note "LOST: $srv $mode size=$size c=$c: smtp-source sent $n, $got delivered"
			mark='!'
		fi
	else
		t1=$(now)
		got=$n
		[ $rc -ne 0 ] && got=0
	fi
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] &&
	    note "$srv $mode size=$size c=$c: smtp-source exit $rc: $(grep -v '^$' "$out" | tail -n 1)"
	echo "$(rate "$got" "$t0" "$t1")$mark" > "$T/r.$srv.$mode.$size.$c$rnd"
}

for mode in single multi; do
	for size in $SIZES; do
		for c in $CONCS; do
			for s in $up; do
				# with a certificate: the c=10 1 KiB cell only
				[ "$s" = ourscert ] && continue
				cell "$s" "$mode" "$size" "$c"
			done
			[ "$mode $size $c" = "single 1024 10" ] &&
			    case " $up " in *" ourscert "*) cell ourscert single 1024 10 ;; esac
		done
	done
done

# the c=10 1 KiB cell again, ROUNDS in all, the servers in turn: one
# run of each moves by 10-35 % with the machine, their medians less
ROUNDED="ours ourscert postfix floor privfloor"
r=2
while [ "$r" -le "$ROUNDS" ]; do
	for s in $ROUNDED; do
		case " $up " in *" $s "*) cell "$s" single 1024 10 "$r" ;; esac
	done
	r=$((r + 1))
done

res() { cat "$T/r.$1.$2.$3.$4" 2>/dev/null || echo n/a; }

echo
echo "load: messages/second delivered (smtp-source; single = one message per"
echo "connection, multi = each of the c connections sends n/c messages;"
echo "* = stopped at the ${CAP}s cap, ! = errors, see the notes)"
printf '%-7s %6s %3s %9s %9s %9s %9s %9s %9s %8s %8s %8s\n' mode size c ours postfix opensmtpd \
    sink floor privfloor ours/pf ours/os ours/pfl
for mode in single multi; do
	for size in $SIZES; do
		for c in $CONCS; do
			o=$(res ours $mode $size $c); p=$(res postfix $mode $size $c)
			q=$(res opensmtpd $mode $size $c); k=$(res sink $mode $size $c)
			f=$(res floor $mode $size $c); g=$(res privfloor $mode $size $c)
			printf '%-7s %6s %3s %9s %9s %9s %9s %9s %9s %8s %8s %8s\n' $mode $size $c \
			    "$o" "$p" "$q" "$k" "$f" "$g" "$(ratio "$(num "$o")" "$(num "$p")")" \
			    "$(ratio "$(num "$o")" "$(num "$q")")" "$(ratio "$(num "$o")" "$(num "$g")")"
		done
	done
done

if [ "$ROUNDS" -gt 1 ]; then
	echo
	echo "single 1024 c=10, $ROUNDS rounds taken in turn (messages/second; the last line has the medians)"
	for s in $ROUNDED; do
		case " $up " in *" $s "*) ;; *) continue ;; esac
		printf '  %-9s %s  median %s\n' "$s" \
		    "$(cat "$T/r.$s.single.1024.10" "$T"/r.$s.single.1024.10.* 2>/dev/null | tr '\n' ' ')" \
		    "$(median "$T/r.$s.single.1024.10" "$T"/r.$s.single.1024.10.*)"
	done
fi

# --- STARTTLS ----------------------------------------------------------------
echo
echo "starttls: sessions/second, $TLSPROCS client processes (python ssl), $NTLS sessions"
echo "each way: banner, EHLO, STARTTLS, handshake, EHLO, one 1 KiB message, QUIT;"
echo "full = no ticket offered, resumed = each process offers its last ticket;"
echo "client cpu = the clients' own user+system ms per session"
for s in ours postfix; do
	case $s in
	ours) port=${PORT_ourscert:-} ;;
	postfix) port=${PORT_postfix:-}; case " $up " in *" postfix "*) ;; *) port= ;; esac ;;
	esac
	if [ -z "$port" ]; then
		printf '  %-9s full=n/a resumed=n/a\n' "$s"; continue
	fi
	full=$($PROBE tlsload "$port" "$TLSPROCS" "$NTLS" full "$CAP" 2>>"$T/probe.err")
	res=$($PROBE tlsload "$port" "$TLSPROCS" "$NTLS" resume "$CAP" 2>>"$T/probe.err")
	case $full in [0-9]*) ;; *) full="n/a 0 0 0" ;; esac
	case $res in [0-9]*) ;; *) res="n/a 0 0 0" ;; esac
	set -- $full; fr=$1; fn=$2; fc=$4
	set -- $res; rr=$1; rn=$2; ru=$3; rc=$4
	[ "$fn" = 0 ] && fr=n/a
	[ "$rn" = 0 ] && rr=n/a
	echo "$fr" > "$T/tls.$s"
	printf '  %-9s full=%s (client cpu %s ms) resumed=%s (%s of %s reused, client cpu %s ms)\n' \
	    "$s" "$fr" "$fc" "$rr" "$ru" "$rn" "$rc"
done

# --- memory ------------------------------------------------------------------
echo
echo "memory: peak RSS (VmHWM) of what serves one open session after a 1 KiB message;"
echo "pss = proportional set, uss = private pages (Private_Clean+Private_Dirty), kB, while open"
case " $up " in
*" ours "*) m=$($PROBE mem "$PORT_ours" "$OURS_TCP"); set -- $m
	case $1 in
	[0-9]*) printf '  ours      %s kB (parent + child: %s) pss=%s uss=%s\n' "$1" \
		    "$(shift 3; echo "$*")" "$2" "$3" ;;
	*) echo "  ours      $m" ;;
	esac ;;
*) echo "  ours      n/a" ;;
esac
case " $up " in
*" ourscert "*) m=$($PROBE mem "$PORT_ourscert" "$OURSCERT_TCP" "" tls); set -- $m
	case $1 in
	[0-9]*) printf '  ours_tls  %s kB (parent + child, under TLS: %s) pss=%s uss=%s\n' "$1" \
		    "$(shift 3; echo "$*")" "$2" "$3" ;;
	*) echo "  ours_tls  $m" ;;
	esac ;;
esac
case " $up " in
*" postfix "*) m=$($PROBE mem "$PORT_postfix" "$PF_MASTER" smtpd); set -- $m
	case $1 in
	[0-9]*) printf '  postfix   %s kB (its smtpd process, reused across sessions) pss=%s uss=%s\n' \
		    "$1" "$2" "$3" ;;
	*) echo "  postfix   $m" ;;
	esac ;;
esac

# --- latency -----------------------------------------------------------------
echo
echo "latency: connect to 220 banner, ms (median p90 of $NLAT sequential connections, ${CAP}s cap)"
for s in $up; do
	eval "port=\$PORT_$s"
	printf '  %-9s %s\n' "$s" "$($PROBE latency "$port" "$NLAT" "$CAP")"
done

# --- clients -----------------------------------------------------------------
echo
echo "clients: messages/second, one process per 1 KiB message to smtp-sink ($NCLI at most, ${CAP}s cap)"
python3 -c 'import sys; sys.stdout.write("Subject: bench\n\n" + ("x" * 75 + "\n") * 13)' > "$T/msg1k"
client() {	# name command...: runs "$@" < msg1k until NCLI or the cap
	name=$1; shift
	if ! "$@" < "$T/msg1k" >"$T/client.$name.out" 2>&1; then
		printf '  %-9s n/a (%s)\n' "$name" "$(tail -n 1 "$T/client.$name.out" | cut -c1-60)"; return
	fi
	i=1; t0=$(now); end=$(($(date +%s) + CAP))
	while [ $i -lt "$NCLI" ] && [ "$(date +%s)" -lt $end ]; do
		"$@" < "$T/msg1k" >/dev/null 2>&1 || { note "client $name: failed at $i"; break; }
		i=$((i + 1))
	done
	printf '  %-9s %s\n' "$name" "$(rate $((i - 1)) "$t0" "$(now)")"
}
case " $up " in
*" sink "*)
	if [ -x "$SMTP" ]; then
		client smtp "$SMTP" "tcp!127.0.0.1!$PORT_sink" bench@bench.test "$RCPT"
	else
		echo "  smtp      n/a (not built)"
	fi
	if command -v msmtp >/dev/null 2>&1; then
		client msmtp msmtp -C /dev/null --host=127.0.0.1 --port="$PORT_sink" \
		    --domain=bench.test --from=bench@bench.test --auth=off --tls=off "$RCPT"
	else
		echo "  msmtp     n/a (not installed)"
	fi
	if command -v swaks >/dev/null 2>&1; then
		client swaks swaks --server 127.0.0.1:"$PORT_sink" --helo bench.test \
		    --from bench@bench.test --to "$RCPT" --data "$T/msg1k" --silent 3
	else
		echo "  swaks     n/a (not installed)"
	fi ;;
*) echo "  n/a (no smtp-sink)" ;;
esac

# --- notes and the summary line ----------------------------------------------
echo
if grep -q -e '^DUPLICATES' -e '^LOST' "$T/notes"; then
	echo "exactly-once: FAILED"
else
	echo "exactly-once: ok (every message smtp-source completed was delivered once)"
fi
[ -s "$T/notes" ] && sed 's/^/note: /' "$T/notes"
bench_stop

v() { median "$T/r.$1.single.1024.10" "$T"/r.$1.single.1024.10.*; }
t() { cat "$T/tls.$1" 2>/dev/null || echo n/a; }
echo "bench: c=10 size=1024 ours=$(v ours) ours_cert=$(v ourscert) ours_tls=$(t ours)" \
    "postfix=$(v postfix) postfix_tls=$(t postfix) floor=$(v floor)" \
    "privsep_floor=$(v privfloor) cert/plain=$(ratio "$(v ourscert)" "$(v ours)")" \
    "tls/postfix_tls=$(ratio "$(t ours)" "$(t postfix)")" \
    "ours/privsep_floor=$(ratio "$(v ours)" "$(v privfloor)")"
