#!/bin/sh
# Flags and configuration errors: -k, -d, -n, UCSPI variables, -C, -T,
# usage, and flags overriding the file.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
# the system python starts much faster than a pyenv shim
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
smtpd_setup

ucspi() {	# run smtpd on a pipe with UCSPI variables: stdin -> stdout
	TCPREMOTEIP=${RIP:-127.0.0.9} TCPREMOTEPORT=4242 TCPLOCALIP=127.0.0.1 \
	    TCPLOCALPORT=25 timeout 20 "$SMTPD" -C "$CONF" "$@"
}

# UCSPI variables give the peer when fd 0 is not a socket
out=$(printf 'QUIT\r\n' | ucspi)
expect "UCSPI: greeting on a pipe" '^220 ' "$out"
expect "UCSPI: QUIT answered" '221 ' "$out"
sleep 0.2
expect "UCSPI: peer address and port from TCPREMOTEIP/PORT" 'connect addr=127\.0\.0\.9 port=4242 local=127\.0\.0\.1 lport=25' "$(cat "$LOG")"

# -n dir: remote and local from files
mkdir -p "$T/net"
echo '10.9.8.7!4321' > "$T/net/remote"; echo '10.0.0.1!25' > "$T/net/local"
out=$(printf 'QUIT\r\n' | timeout 20 "$SMTPD" -C "$CONF" -n "$T/net")
expect "-n: session runs" '^220 ' "$out"
sleep 0.2
expect "-n: peer from dir/remote, local from dir/local" 'connect addr=10\.9\.8\.7 port=4321 local=10\.0\.0\.1 lport=25' "$(cat "$LOG")"
echo '2001:db8::5!2525' > "$T/net/remote"
printf 'QUIT\r\n' | timeout 20 "$SMTPD" -C "$CONF" -n "$T/net" >/dev/null
sleep 0.2
expect "-n: IPv6 peer" 'connect addr=2001:db8::5 port=2525' "$(cat "$LOG")"

# no address at all: a start-up fault, told as one (421 4.3.0)
out=$(printf 'QUIT\r\n' | env -u TCPREMOTEIP timeout 20 "$SMTPD" -C "$CONF" 2>&1); rc=$?
[ $rc -ne 0 ] && pass "no peer address: exit $rc" || fail "no peer address: exit 0"
expect "no peer address: 421 4.3.0" '^421 4\.3\.0 ' "$out"

# -k: nothing sent, nothing logged, exit 0
n0=$(wc -l < "$LOG")
out=$(printf 'QUIT\r\n' | RIP=127.0.0.9 ucspi -k 127.0.0.9); rc=$?
expect "-k exact: nothing sent" '^$' "$out"
expect "-k exact: exit 0" '^0$' "$rc"
out=$(printf 'QUIT\r\n' | RIP=10.1.200.3 ucspi -k 192.0.2.1 -k 10.1); rc=$?
expect "-k 10.1 covers 10.1/16 (repeated -k)" '^$' "$out"
out=$(printf 'QUIT\r\n' | RIP=2001:db8::77 ucspi -k 2001:db8::/32)
expect "-k IPv6 prefix" '^$' "$out"
sleep 0.2
expect "-k: nothing logged" "^$n0\$" "$(wc -l < "$LOG")"
out=$(printf 'QUIT\r\n' | RIP=10.2.0.1 ucspi -k 10.1)
expect "-k: other peers still served" '^220 ' "$out"

# -d: a transcript file in debugdir
before=$(ls "$T/smtpdb" | wc -l)
out=$(printf 'HELO x.test.example\r\nQUIT\r\n' | ucspi -d)
sid=$(grep -o '[0-9a-f]\{8\} connect' "$LOG" | tail -n 1 | cut -c1-8)
f=$(ls "$T/smtpdb" | grep "\.$sid\$")
[ -n "$f" ] && pass "-d: transcript $f created in debugdir" || fail "-d: transcript created in debugdir"
[ "$(ls "$T/smtpdb" | wc -l)" -gt "$before" ] && pass "-d: one file per session" || fail "-d: one file per session"

# usage
out=$("$SMTPD" -Z 2>&1); rc=$?
expect "bad flag: exit 64" '^64$' "$rc"
expect "bad flag: usage line" '^usage: smtpd \[' "$out"
out=$("$SMTPD" -C "$CONF" extra 2>&1); rc=$?
expect "extra argument: exit 64" '^64$' "$rc"

# -T prints the effective configuration
out=$("$SMTPD" -C "$CONF" -T 2>&1); rc=$?
expect "-T: exit 0 for a good file" '^0$' "$rc"
expect "-T: prints the settings" '^hostname mx\.test\.example$' "$out"
expect "-T: mailer with its arguments" "^mailer $DELIVER -M $T/maildirs\$" "$out"
expect "-T: defaults filled in" '^maxrcpt 100$' "$out"
# flags override the file; off in the file cannot undo a flag
cp "$CONF" "$T/c2"; printf 'norelay off\ngreylist off\ndefaultdomain file.example\n' >> "$T/c2"
out=$("$SMTPD" -C "$T/c2" -T -f -g -h Flag.Example -m othermailer 2>&1)
expect "-f beats norelay off" '^norelay on$' "$out"
expect "-g beats greylist off" '^greylist on$' "$out"
expect "-h beats defaultdomain (lower-cased)" '^defaultdomain flag\.example$' "$out"
expect "-m bare name is looked up in libexec/upas" '^mailer /.*/upas/othermailer$' "$out"
expect "-m naming no file: -T says so, and where it came from" '^smtpd: -m: mailer /.*/upas/othermailer: No such file' "$out"
# the printed form reads back the same
"$SMTPD" -C "$CONF" -T > "$T/p1" 2>&1
"$SMTPD" -C "$T/p1" -T > "$T/p2" 2>&1
check "-T output is itself a valid config that prints the same" cmp "$T/p1" "$T/p2"

# Plan 9 syntax: comments, escapes, commas, case
cat > "$T/c3" <<'EOC'
# comment line
OurNets 10.1, 192.168.0.0/16,,2001:DB8::/32	# trailing comment
ourdomains *.Example.ORG example.net
ourdomains other.example
mailer /usr/bin/my\ mailer -x \#notcomment
DefaultDomain YOURDOM.com
spool /Var/Spool/Mixed
EOC
out=$("$SMTPD" -C "$T/c3" -T 2>&1)
expect "ournets: implicit /16, commas, IPv6" '^ournets 10\.1\.0\.0/16 192\.168\.0\.0/16 2001:db8::/32$' "$out"
expect "ourdomains accumulate, lower-cased" '^ourdomains \*\.example\.org example\.net other\.example$' "$out"
expect "backslash escapes a blank and a #" '^mailer /usr/bin/my\\ mailer -x \\#notcomment$' "$out"
expect "Plan 9 keyword values lower-cased" '^defaultdomain yourdom\.com$' "$out"
expect "paths keep their case" '^spool /Var/Spool/Mixed$' "$out"

# errors: file:line, and a 421 to the client
printf 'hostname a.example\nbogus 1\nmaxrcpt 5\nnorelay maybe\ntimeout\nspool relative/path\n' > "$T/bad"
out=$("$SMTPD" -C "$T/bad" -T 2>&1); rc=$?
expect "-T: exit 1 for a bad file" '^1$' "$rc"
expect "unknown keyword with file:line" "$T/bad:2: unknown keyword \"bogus\"" "$out"
expect "maxrcpt below 100 refused" "$T/bad:3: maxrcpt" "$out"
expect "bad switch value" "$T/bad:4: .*not on or off" "$out"
expect "missing value" "$T/bad:5: timeout needs a value" "$out"
expect "relative path refused" "$T/bad:6: .*absolute" "$out"
out=$(printf 'QUIT\r\n' | TCPREMOTEIP=127.0.0.1 timeout 10 "$SMTPD" -C "$T/bad" 2>/dev/null); rc=$?
expect "bad config: the client gets 421 4.3.0" '^421 4\.3\.0 ' "$out"
expect "bad config: exit 1" '^1$' "$rc"
out=$("$SMTPD" -C "$T/missing.conf" -T 2>&1); rc=$?
expect "missing -C file is an error" '^1$' "$rc"
expect "missing -C file is named" "missing\.conf" "$out"
