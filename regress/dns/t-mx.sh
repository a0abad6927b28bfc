#!/bin/sh
# MX lookups against the test DNS (regress/dns/dns.sh): smtp/mx.c directly
# through regress/dns/mxtest.c, then the smtp client delivering to smtp-sink
# instances on 127.0.0.x (net!domain!PORT: MX lookup, then that port).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"
. "$TOP/regress/peers/sink.sh"

dns_start "$T" || { fail "test DNS did not start"; exit 0; }
pass "test DNS started (nsd $DNS_PORT, unbound $UNBOUND_PORT)"

# --- smtp/mx.c through the driver
MXTEST=$T/mxtest
if cc -std=gnu11 -D_GNU_SOURCE $(pkg-config --cflags libbsd-overlay) \
    -I"$TOP/privsep" -I"$TOP/smtp" -o "$MXTEST" "$TOP/regress/dns/mxtest.c" \
    "$TOP/smtp/mx.c" "$TOP/smtp/dane.c" "$TOP/privsep/libprivsep.a" \
    $(pkg-config --libs libbsd-overlay libcrypto libunbound) 2>"$T/cc.log"; then
	mx() { "$MXTEST" "$DNS_CONF" mx "$@" 2>&1; }
	out=$(mx pref.test 25)
	expect "mx: two preferences in order" \
	    'mx1.test pref 10 addr 127.0.0.2 port 25 secure 1.*mx2.test pref 20 addr 127.0.0.3' \
	    "$(echo $out)"
	expect "mx: signed MX RRset is secure" 'mxsecure 1' "$out"
	firsts=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do mx equal.test 25 |
	    awk '/^host/ { print $2; exit }'; done | sort -u | wc -l)
	expect "mx: equal preferences shuffled" '^2$' "$firsts"
	out=$(mx multi.test 25)
	expect "mx: every A of a host" '127\.0\.0\.[78].*127\.0\.0\.[78]' "$(echo $out)"
	expect "mx: implicit MX (A only)" 'amx.test pref 0 addr 127.0.0.6' "$(mx amx.test 25)"
	expect "mx: null MX" '^status 2 ' "$(mx nullmx.test 25)"
	expect "mx: NXDOMAIN" '^status 1 ' "$(mx nxdomain.test 25)"
	expect "mx: SERVFAIL" '^status 3 ' "$(mx servfail.test 25)"
	expect "mx: bogus MX" '^status 4 ' "$(mx bogus.test 25)"
	expect "mx: MX to a nonexistent host" '^status 6 ' "$(mx nohost.test 25)"
	expect "mx: MX to a CNAME" 'alias.test pref 10 addr 127.0.0.2' "$(mx cname.test 25)"
	expect "mx: loopback MX refused" '^status 5 ' "$(mx loop.test 25)"
	out=$(mx loopmix.test 25)
	expect "mx: loopback dropped, the rest kept" '^status 0' "$out"
	expect "mx: ... only mx2 left" 'mx2.test pref 20' "$out"
	out=$(mx unsigned.test 25)
	expect "mx: unsigned zone is insecure" 'mxsecure 0.*secure 0' "$(echo $out)"
	out=$(mx pref.test 25 MX1.Test.)
	expect "mx: -b name skipped (case-insensitive)" 'status 0.*mx2.test' "$(echo $out)"
	if echo "$out" | grep -q 'host mx1'; then fail "mx: -b name still listed"
	else pass "mx: -b name not listed"; fi
	expect "mx_host: address only" 'host mx1.test pref 0 addr 127.0.0.2 port 587' \
	    "$("$MXTEST" "$DNS_CONF" host mx1.test 587 2>&1)"
	expect "mx_host: bogus address" '^status 4' "$("$MXTEST" "$DNS_CONF" host mx.bogus.test 25 2>&1)"
else
	fail "mxtest does not build: $(head -n 3 "$T/cc.log")"
fi

# --- the smtp client against smtp-sink on 127.0.0.x
if [ ! -x "$SMTP" ]; then
	skip "smtp client MX tests" "no $SMTP"
	exit 0
fi
P=$(freeport)
started=
for a in 2 3 6 7 8 19; do
	mkdir -p "$T/sink$a"; chown postfix "$T/sink$a" 2>/dev/null
	sink_start "$P" "127.0.0.$a" -d "$T/sink$a/%H%M%S." 2>>"$T/sink.err" &&
	    started="$started $a"
done
if [ "$started" != " 2 3 6 7 8 19" ]; then
	skip "smtp client MX tests" "smtp-sink: $(tail -n 1 "$T/sink.err")"
	exit 0
fi
printf 'unbound %s\nconnecttimeout 5\ntimeout 20\nhostname client.test\n' "$DNS_CONF" > "$T/smtp.conf"
n=0
send() {	# expected-status domain [smtp flags]: sends one message
	want=$1; dom=$2; shift 2
	n=$((n + 1))
	printf 'From: a@src.test\nTo: r%d@%s\nSubject: t%d\n\nbody %d\n' $n "$dom" $n $n |
	    timeout 60 "$SMTP" -C "$T/smtp.conf" "$@" "net!$dom!$P" a@src.test \
	    "r$n@$dom" >"$T/out.$n" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "# smtp exit $rc, wanted $want: $(tr '\n' ' ' < "$T/out.$n" | head -c 300)"
	return 1
}
got() { grep -l "r$n@" "$T/sink$1"/* >/dev/null 2>&1; }	# the last message is at .$1

send 0 pref.test && got 2 && pass "smtp: lowest preference gets it" ||
    fail "smtp: lowest preference gets it"
sink_stop "$P" 2>/dev/null	# all of them; restart all but .2
for a in 3 6 7 8 19; do sink_start "$P" "127.0.0.$a" -d "$T/sink$a/%H%M%S." 2>>"$T/sink.err"; done
send 0 pref.test && got 3 && pass "smtp: first MX down, the next one" ||
    fail "smtp: first MX down, the next one"
sink_start "$P" 127.0.0.2 -d "$T/sink2/%H%M%S." 2>>"$T/sink.err"
send 0 pref.test -b mx1.test && got 3 && pass "smtp: -b skips mx1" ||
    fail "smtp: -b skips mx1"
send 0 amx.test && got 6 && pass "smtp: implicit MX" || fail "smtp: implicit MX"
send 0 cname.test && got 2 && pass "smtp: MX to a CNAME" || fail "smtp: MX to a CNAME"
send 0 multi.test && { got 7 || got 8; } && pass "smtp: host with two A" ||
    fail "smtp: host with two A"
send 0 unsigned.test && got 19 && pass "smtp: unsigned zone delivers" ||
    fail "smtp: unsigned zone delivers"
check "smtp: null MX -> 69" send 69 nullmx.test
check "smtp: NXDOMAIN -> 69" send 69 nxdomain.test
check "smtp: SERVFAIL -> 75" send 75 servfail.test
check "smtp: bogus MX -> 75" send 75 bogus.test
check "smtp: loopback MX -> 69" send 69 loop.test
expect "smtp: loopback message" 'loopback' "$(cat "$T/out.$n")"
send 0 servfail.test -g "tcp!127.0.0.3!$P" && got 3 &&
    pass "smtp: -g gateway after SERVFAIL" || fail "smtp: -g gateway after SERVFAIL"
send 0 pref.test -g "tcp!127.0.0.3!$P" && got 2 &&
    pass "smtp: -g gateway only as the last resort" ||
    fail "smtp: -g gateway only as the last resort"
