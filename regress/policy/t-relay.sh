#!/bin/sh
# Relay control (-f / norelay): ournets, ourdomains, our own names and
# address literals, postmaster, AUTH; spoofed-sender X-warning tags.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup
cat >> "$CONF" <<EOC
norelay on
ourdomains *.ours.example, other.example
ournets 10.0.0.0/8 2001:db8::/32
EOC
PU=$(freeport)
start_smtpd "$PU" || exit 0

r=$(conv "$PU" ehlo:client.example mail:a@client.example \
	rcpt:u@ours.example rcpt:u@sub.ours.example rcpt:u@other.example \
	rcpt:u@sub.other.example rcpt:u@test.example rcpt:u@mx.test.example \
	rcpt:u@foreign.example rcpt:postmaster rcpt:postmaster@foreign.example \
	rcpt:'u@[127.0.0.1]' rcpt:'u@[127.0.0.9]' quit)
echo "$r" > "$T/untrusted.txt"
expect "untrusted: *.ours.example base accepted" "^250" "$(line rcpt:u@ours.example "$r" | cut -d' ' -f2-)"
expect "untrusted: *.ours.example sub accepted" "^250" "$(line rcpt:u@sub.ours.example "$r" | cut -d' ' -f2-)"
expect "untrusted: exact ourdomain accepted" "^250" "$(line rcpt:u@other.example "$r" | cut -d' ' -f2-)"
expect "untrusted: exact ourdomain does not cover subdomains" "^554 5\.7\.1" "$(line rcpt:u@sub.other.example "$r" | cut -d' ' -f2-)"
expect "untrusted: our defaultdomain accepted" "^250" "$(line rcpt:u@test.example "$r" | cut -d' ' -f2-)"
expect "untrusted: our hostname accepted" "^250" "$(line rcpt:u@mx.test.example "$r" | cut -d' ' -f2-)"
expect "untrusted: foreign domain 554 5.7.1 Relaying denied" "^554 5\.7\.1 Relaying denied" "$(line rcpt:u@foreign.example "$r" | cut -d' ' -f2-)"
expect "untrusted: postmaster always accepted" "^250" "$(line rcpt:postmaster "$r" | cut -d' ' -f2-)"
expect "untrusted: postmaster@foreign is still relaying" "^554 5\.7\.1" "$(line rcpt:postmaster@foreign.example "$r" | cut -d' ' -f2-)"
expect "untrusted: literal of our local address accepted" "^250" "$(line 'rcpt:u@[127.0.0.1]' "$r" | cut -d' ' -f2-)"
expect "untrusted: literal of another address refused" "^554 5\.7\.1" "$(line 'rcpt:u@[127.0.0.9]' "$r" | cut -d' ' -f2-)"
# local parts that route on (Postfix's sendmail relays user%other@us) and
# source routes: refused when relaying is not allowed, as the parent would
r=$(conv "$PU" ehlo:client.example mail:a@client.example \
	rcpt:'v%foreign.example@ours.example' rcpt:'foreign.example!v@ours.example' \
	rcpt:'"v@foreign.example"@ours.example' rcpt:'@ours.example:v@foreign.example' \
	rcpt:'@foreign.example:v@ours.example' rcpt:'v.w@ours.example' quit)
echo "$r" > "$T/routing.txt"
expect "untrusted: user%other@ours refused" "^554 5\.7\.1" "$(line 'rcpt:v%foreign.example@ours.example' "$r" | cut -d' ' -f2-)"
expect "untrusted: other!user@ours refused" "^554 5\.7\.1" "$(line 'rcpt:foreign.example!v@ours.example' "$r" | cut -d' ' -f2-)"
expect "untrusted: \"user@other\"@ours refused" "^554 5\.7\.1" "$(line 'rcpt:"v@foreign.example"@ours.example' "$r" | cut -d' ' -f2-)"
expect "untrusted: source route to a foreign mailbox refused" "^554 5\.7\.1" "$(line 'rcpt:@ours.example:v@foreign.example' "$r" | cut -d' ' -f2-)"
expect "untrusted: source route dropped, our mailbox accepted (RFC 5321 C)" "^250 .*<v@ours.example>" "$(line 'rcpt:@foreign.example:v@ours.example' "$r" | cut -d' ' -f2-)"
expect "untrusted: a plain local part with a dot accepted" "^250" "$(line 'rcpt:v.w@ours.example' "$r" | cut -d' ' -f2-)"
sleep 0.3
expect "routing refusal logged with reason=routing" 'policy .*rcpt="v%foreign.example@ours.example" action=reject reason=routing' "$(cat "$LOG")"
expect "relay refusal logged with reason" 'policy .*rcpt="u@foreign.example" action=reject reason=relay' "$(cat "$LOG")"

# trusted: ournets holds 127.0.0.0/8
TCONF=$CONF
CONF=$T/trusted.conf
sed 's,^ournets .*,ournets 10.0.0.0/8 127.0.0.0/8 ::1,' "$TCONF" > "$CONF"
PT=$(freeport)
start_smtpd "$PT" || exit 0
r=$(conv "$PT" ehlo:client.example mail:a@client.example rcpt:u@foreign.example \
	rcpt:'v%foreign.example@ours.example' quit)
expect "trusted net may relay" "^250" "$(line rcpt:u@foreign.example "$r" | cut -d' ' -f2-)"
expect "trusted net may use a % local part" "^250" "$(line 'rcpt:v%foreign.example@ours.example' "$r" | cut -d' ' -f2-)"
CONF=$TCONF

# authenticated: AUTH PLAIN in the clear with -p
if true; then
	hash=$(openssl passwd -6 sekret)
	printf 'alice:%s\n' "$hash" > "$T/passwd"
	chmod 644 "$T/passwd"
	ACONF=$T/auth.conf
	cp "$CONF" "$ACONF"; echo "passwd $T/passwd" >> "$ACONF"
	PA=$(freeport)
	CONF=$ACONF; start_smtpd "$PA" -p || exit 0; CONF=$TCONF
	r=$(conv "$PA" ehlo:client.example auth:alice:sekret mail:a@client.example rcpt:u@foreign.example quit)
	echo "$r" > "$T/auth.txt"
	if line auth "$r" | grep -q ' 235'; then
		expect "authenticated session may relay" "^250" "$(line rcpt:u@foreign.example "$r" | cut -d' ' -f2-)"
	else
		skip "authenticated session may relay" "AUTH PLAIN not accepted: $(line auth "$r")"
	fi
fi

# tagging: an untrusted peer claiming our domain in the envelope
before=$(maildir_count)
r=$(sendmsg "$PU" spoof@ours.example u@ours.example)
expect "spoofed envelope accepted" "^250" "$(line eom "$r" | cut -d' ' -f2-)"
sleep 0.3
f=$(maildir_last)
if [ "$(maildir_count)" -gt "$before" ] && [ -n "$f" ]; then
	expect "spoofed envelope tagged X-warning" "^X-warning: suspect envelope domain" "$(cat "$f")"
else
	fail "spoofed message delivered"
fi
r=$(sendmsg "$PU" someone@client.example u@ours.example)
sleep 0.3
f=$(maildir_last)
if grep -q '^X-warning' "$f" 2>/dev/null; then fail "foreign sender not tagged"; else pass "foreign sender not tagged"; fi
r=$(sendmsg "$PT" spoof@ours.example u@ours.example)
sleep 0.3
f=$(maildir_last)
if grep -q '^X-warning' "$f" 2>/dev/null; then fail "trusted peer not tagged"; else pass "trusted peer not tagged"; fi
