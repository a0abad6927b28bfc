#!/bin/sh
# The blocked file: verbs, IP/CIDR with BL implicit masks, sender patterns
# (smtpd.conf(5), blocked), allow winning, dangerous patterns refused.  A unit driver
# linked with smtpd/policy.o, smtpd/conf.o and smtpd/net.o.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

cd "$TOP" || exit 1
CFL="-std=gnu11 -D_GNU_SOURCE -Wall -Iprivsep -Ismtpd $(pkg-config --cflags libbsd-overlay)"
if ! ${CC:-cc} $CFL -o "$T/blocked-test" regress/policy/blocked-test.c \
    smtpd/policy.c smtpd/conf.c smtpd/net.c privsep/log.c privsep/marshal.c \
    $(pkg-config --libs libbsd-overlay) >"$T/cc.log" 2>&1; then
	fail "blocked-test builds"; sed 's/^/#   /' "$T/cc.log" | head; exit 0
fi
pass "blocked-test builds"

cat > "$T/blocked" <<'EOB'
# sample, after Plan 9's /mail/lib/blocked
dial	10.1 192.168.0.0/16		# two octets: /16
allow	10.1.2.3, 192.168.7.0/24
block	172.16.5
deny	2001:db8::/32
relay	198.51.100.7
delay	203.0.113.0\#24
*block	cyberpromo.com!* *!freeporn*
*block	aol.com!makemoneyfast
*allow	cse.psu.edu!owner-9fans
* deny	*.spam.example  baduser@mail.example
*deny	cse.psu.edu
*dial	!dialer
*delay	slow*@*.lazy.example
*block	* ! *! !* *!* @ *@*
bogus	1.2.3.4
EOB
out=$("$T/blocked-test" "$T/blocked" \
	10.1.9.9 10.1.2.3 10.2.0.1 192.168.7.1 192.168.8.1 172.16.5.77 172.16.6.1 \
	2001:db8::1 2001:db9::1 198.51.100.7 198.51.100.8 203.0.113.99 127.0.0.1 \
	foo@cyberpromo.com Foo@CyberPromo.COM freeporn4u@x.org freepor@x.org \
	makemoneyfast@aol.com other@aol.com owner-9fans@cse.psu.edu other@cse.psu.edu \
	a@spam.example a@b.spam.example a@notspam.example baduser@mail.example \
	gooduser@mail.example dialer@any.where slowpoke@m.lazy.example \
	fast@m.lazy.example nobody@innocent.example 2>"$T/stderr")
echo "$out" > "$T/out"
want() { expect "$1 -> $2" "^$1 $2\$" "$(grep -F "$1 " "$T/out" | head -n 1)"; }
want 10.1.9.9 dial
want 10.1.2.3 allow
want 10.2.0.1 none
want 192.168.7.1 allow
want 192.168.8.1 dial
want 172.16.5.77 block
want 172.16.6.1 none
want 2001:db8::1 deny
want 2001:db9::1 none
want 198.51.100.7 delay
want 198.51.100.8 none
want 203.0.113.99 delay
want 127.0.0.1 none
want foo@cyberpromo.com block
want Foo@CyberPromo.COM block
want freeporn4u@x.org block
want freepor@x.org none
want makemoneyfast@aol.com block
want other@aol.com none
want owner-9fans@cse.psu.edu allow
want other@cse.psu.edu deny
want a@spam.example deny
want a@b.spam.example deny
want a@notspam.example none
want baduser@mail.example deny
want gooduser@mail.example none
want dialer@any.where dial
want slowpoke@m.lazy.example delay
want fast@m.lazy.example none
want nobody@innocent.example none
expect "catch-all patterns refused (7 warnings)" "^7$" \
    "$(grep -c 'bad or too wide pattern' "$T/stderr")"
expect "unknown verb warned" "unknown verb" "$(cat "$T/stderr")"
