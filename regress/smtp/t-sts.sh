#!/bin/sh
# MTA-STS (RFC 8461) end to end: the test DNS (regress/dns/dns.sh) serves
# the _mta-sts TXT, MX and A records; a real HTTPS server (Python's
# http.server over TLS, regress/smtp/stshttps.py) serves the policies on
# port 443 of an address of its own in 127/8 with a certificate from the tests' CA; a real Postfix takes
# the mail over STARTTLS on $DANE_PORT (127.0.0.10 for DANE, .41 .42 .43).
# The client caches the policies in a state directory (smtp.conf stsdir).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/dns/dns.sh"
. "$TOP/regress/peers/sink.sh"

if [ ! -x "$SMTP" ]; then skip "MTA-STS" "no $SMTP"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then skip "MTA-STS" "no python3"; exit 0; fi
# The policy server must listen on port 443: an address of its own in
# 127/8 for each run, so that runs in other trees do not meet.
if ss -Hltn 'sport = :443' 2>/dev/null | grep -q '\*:443\|0\.0\.0\.0:443'; then
	skip "MTA-STS" "port 443 is taken on every address"; exit 0
fi
i=0
while [ $i -lt 20 ]; do
	STS_HTTPS_ADDR=127.$(( $(od -An -N1 -tu1 /dev/urandom) % 200 + 20 )).$(( $(od -An -N1 -tu1 /dev/urandom) % 250 + 1 )).40
	ss -Hltn 'sport = :443' 2>/dev/null | grep -q "$STS_HTTPS_ADDR:443" || break
	i=$((i + 1))
done
export STS_HTTPS_ADDR
dns_start "$T" || { fail "test DNS did not start"; exit 0; }
P=$DANE_PORT

# the policy server's certificate, from the tests' CA
W=$T/www; mkdir -p "$W"
san=
for d in sts-enf sts-out sts-bad sts-self sts-testing sts-plain sts-dane sts-redir \
    sts-type; do
	san="$san${san:+,}DNS:mta-sts.$d.test"
done
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/https.key" -out "$T/https.csr" -subj "/CN=mta-sts.sts-enf.test" 2>/dev/null &&
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > "$T/https.ext" &&
openssl x509 -req -in "$T/https.csr" -CA "$DNS_CA" -CAkey "$DNS_CAKEY" -CAcreateserial \
    -days 2 -extfile "$T/https.ext" -out "$T/https.pem" 2>/dev/null ||
    { fail "policy server certificate"; exit 0; }
cat "$T/https.pem" "$DNS_CA" > "$T/https.chain"

pol() {	# domain mode mx...: the policy served for mta-sts.<domain>
	f=$W/mta-sts.$1; mode=$2; shift 2
	{ printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
	  for m in "$@"; do printf 'mx: %s\r\n' "$m"; done
	  printf 'max_age: 86400\r\n'; } > "$f"
}
pol sts-enf.test enforce mx-sts1.test
pol sts-out.test enforce mx-sts1.test '*.example.net'
pol sts-bad.test enforce mx-sts-bad.test
pol sts-self.test enforce '*.test'
pol sts-testing.test testing mx-sts1.test
pol sts-plain.test testing mx-sts-plain.test
pol sts-dane.test enforce mx-sts1.test
# a redirect to a good policy, and a policy as text/html: neither is one
pol sts-redir.test enforce mx-sts1.test
echo "301 https://mta-sts.sts-out.test/.well-known/mta-sts.txt" > "$W/mta-sts.sts-redir.test.status"
pol sts-type.test enforce mx-sts1.test
echo "text/html" > "$W/mta-sts.sts-type.test.type"

HLOG=$T/https.log; : > "$HLOG"
https_start() {
	python3 "$TOP/regress/smtp/stshttps.py" "$STS_HTTPS_ADDR" 443 "$T/https.chain" \
	    "$T/https.key" "$W" "$HLOG" >"$T/https.out" 2>&1 &
	HTTPS_PID=$!
	bg_track $HTTPS_PID
	i=0
	while ! grep -q listening "$T/https.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q listening "$T/https.out"
}
https_start || { fail "policy server did not start: $(tail -n 2 "$T/https.out")"; exit 0; }

if ! postfix_start "$P" -a 127.0.0.10 -a 127.0.0.41 -a 127.0.0.42 -a 127.0.0.43 \
    -c "$DNS_CERT" -k "$DNS_KEY" 2>"$T/postfix.err"; then
	skip "MTA-STS" "postfix: $(tail -n 1 "$T/postfix.err")"; exit 0
fi
# our smtpd on 127.0.0.44 with a certificate for mx-sts-self.test from a CA
# the client does not know
if [ -x "$SMTPD" ] && command -v tcpserver >/dev/null 2>&1; then
	smtpd_setup
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/self.key" -out "$T/self.pem" -days 2 -subj /CN=mx-sts-self.test \
	    -addext subjectAltName=DNS:mx-sts-self.test 2>/dev/null
	chmod 600 "$T/self.key"
	printf 'cert %s\nkey %s\n' "$T/self.pem" "$T/self.key" >> "$CONF"
	tcpserver -R -H -l 0 -c 20 127.0.0.44 "$P" "$SMTPD" -C "$CONF" \
	    >>"$T/tcpserver.out" 2>&1 &
	bg_track $!
	peer_banner "$P" 127.0.0.44 || SELF_SKIP="smtpd on 127.0.0.44 did not start"
else
	SELF_SKIP="no smtpd or tcpserver"
fi
# smtp-sink without STARTTLS on 127.0.0.45
mkdir -p "$T/sink45"; chown postfix "$T/sink45"
sink_start "$P" 127.0.0.45 -d "$T/sink45/%H%M%S." 2>"$T/sink.err" ||
    PLAIN_SKIP="smtp-sink: $(tail -n 1 "$T/sink.err")"
mkdir -p "$T/sts"; chmod 700 "$T/sts"
cat > "$T/smtp.conf" <<EOC
unbound $DNS_CONF
connecttimeout 5
timeout 20
hostname client.test
cafile $DNS_CA
stsdir $T/sts
EOC

n=0
send() {	# expected-status domain: one message to r<n>@domain, -d log in out.<n>
	want=$1; dom=$2; shift 2
	n=$((n + 1))
	printf 'From: a@src.test\nTo: r%d@%s\nSubject: t%d\n\nbody %d\n' $n "$dom" $n $n |
	    timeout 60 "$SMTP" -d -C "$T/smtp.conf" "$@" "net!$dom!$P" a@src.test \
	    "r$n@$dom" >"$T/out.$n" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "# smtp exit $rc, wanted $want: $(grep -v '^<\|^->' "$T/out.$n" | tail -n 4 | tr '\n' ' ' | head -c 500)"
	return 1
}
out() { cat "$T/out.$n"; }
msg() { grep -l "r$n@" "$POSTFIX_MAILDIR"/new/* 2>/dev/null | head -n 1; }
delivered() {
	i=0; while [ -z "$(msg)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -n "$(msg)" ]
}
nothing() { sleep 0.3; [ -z "$(msg)" ]; }
fetches() { grep -c "^mta-sts.$1 " "$HLOG"; }
rline() { grep "^[A-Za-z, ]*: rcpt r$n@" "$T/out.$n"; }

# enforce, the MX in the policy, its certificate good: tls=mta-sts
if send 0 sts-enf.test && delivered; then pass "enforce: a matching MX with a good certificate gets the message"
else fail "enforce: a matching MX with a good certificate gets the message"; fi
expect "enforce: the result line says tls=mta-sts" \
    "^ok: rcpt r$n@sts-enf.test: 250 .*\\[tls=mta-sts TLSv1\\.[23]\\]" "$(rline)"
expect "enforce: the policy was fetched over HTTPS once" '^1$' "$(fetches sts-enf.test)"
sl=$(grep -n 'sandboxed (' "$T/out.$n" | head -n 1 | cut -d: -f1)
fl=$(grep -n 'MTA-STS policy fetched' "$T/out.$n" | head -n 1 | cut -d: -f1)
if [ -n "$sl" ] && [ -n "$fl" ] && [ "$sl" -lt "$fl" ]; then pass "enforce: the fetch ran in the sealed client"
else fail "enforce: the fetch ran in the sealed client (sandboxed at line ${sl:-?}, fetched at ${fl:-?})"; fi
expect "cache: the policy is on disk under the TXT id" \
    '^upas-sts 1 [0-9]+ 20260101a$' "$(head -n 1 "$T/sts/sts-enf.test" 2>/dev/null)"
expect "cache: the file is the mail user's alone, no temporary file left" \
    '^-rw------- 0$' "$(stat -c '%A' "$T/sts/sts-enf.test" 2>/dev/null) $(ls -A "$T/sts" | grep -c '^\.')"

# the same TXT id: the cache, no fetch
send 0 sts-enf.test && delivered || fail "cache: delivered again"
expect "cache: same TXT id, no new fetch" '^1$' "$(fetches sts-enf.test)"
expect "cache: same TXT id, the cached policy applies" \
    'policy from the cache \(id 20260101a, mode enforce, TXT id unchanged\)' "$(out)"
expect "cache: ... and tls=mta-sts" '\[tls=mta-sts TLSv1' "$(rline)"

# the TXT id is not the cached one (as after the domain changed its policy)
sed -i '1s/ 20260101a$/ 19990101old/' "$T/sts/sts-enf.test"
send 0 sts-enf.test && delivered || fail "id change: delivered"
expect "id change: the policy is fetched again" '^2$' "$(fetches sts-enf.test)"
expect "id change: the log says so" 'MTA-STS id 20260101a replaces 19990101old' "$(out)"
expect "id change: the cache holds the new id" '^upas-sts 1 [0-9]+ 20260101a$' \
    "$(head -n 1 "$T/sts/sts-enf.test")"

# enforce, the MX outside the policy: deferred, nothing sent
if send 75 sts-out.test && nothing; then pass "enforce: an MX outside the policy is not used (exit 75)"
else fail "enforce: an MX outside the policy is not used (exit 75)"; fi
expect "enforce: the recipient's line says 4.7.5 and why" \
    "^Retry, Temporary Failure: rcpt r$n@sts-out.test: 451 4.7.5 MTA-STS: MX mx-sts-out.test does not match" "$(rline)"
send 75 sts-out.test -R || fail "enforce: -R exit 75"
expect "enforce: -R gives 4.7.5" "^r$n@sts-out.test 4.7.5 451 4.7.5 MTA-STS" "$(out)"

# enforce, the MX's certificate not for its name: deferred
if send 75 sts-bad.test && nothing; then pass "enforce: a certificate that does not verify defers (exit 75)"
else fail "enforce: a certificate that does not verify defers (exit 75)"; fi
expect "enforce: the reason is the certificate, 4.7.5" \
    "rcpt r$n@sts-bad.test: 451 4.7.5 MTA-STS: .*(certificate|verif|name)" "$(rline)"

# enforce, the MX's certificate from an unknown CA (our smtpd): deferred
if [ -n "$SELF_SKIP" ]; then
	skip "enforce: a certificate from an unknown CA defers" "$SELF_SKIP"
else
	if send 75 sts-self.test && [ "$(maildir_count)" = 0 ]; then
		pass "enforce: a certificate from an unknown CA defers (exit 75)"
	else fail "enforce: a certificate from an unknown CA defers (exit 75)"; fi
	expect "enforce: the reason is the certificate, 4.7.5" \
	    "rcpt r$n@sts-self.test: 451 4.7.5 MTA-STS: .*(certificate|verif|issuer)" "$(rline)"
	expect "enforce: mx-sts-self.test matched the pattern *.test" \
	    'trying mx-sts-self.test\[127.0.0.44\]:[0-9]+ policy=mta-sts' "$(out)"
	# without MTA-STS the same server gets it (opportunistic TLS)
	grep -v '^stsdir' "$T/smtp.conf" > "$T/nosts.conf"
	n=$((n + 1))
	printf 'Subject: t%d\n\nbody\n' $n | timeout 60 "$SMTP" -C "$T/nosts.conf" \
	    "net!sts-self.test!$P" a@src.test "r$n@sts-self.test" >"$T/out.$n" 2>&1
	expect "the same server without stsdir takes the message" '^0 1$' "$? $(maildir_count)"
fi

# testing: reported, delivered anyway
if send 0 sts-testing.test && delivered; then pass "testing: an MX outside the policy still gets the message"
else fail "testing: an MX outside the policy still gets the message"; fi
expect "testing: the MX mismatch is logged" \
    'MTA-STS testing: MX mx-sts-bad.test does not match the policy of sts-testing.test' "$(out)"
expect "testing: the certificate failure is logged" \
    'MTA-STS testing: the certificate of mx-sts-bad.test would not verify' "$(out)"
expect "testing: not tls=mta-sts" '\[tls=opportunistic TLSv1' "$(rline)"

# testing, an MX without STARTTLS: reported, delivered in the clear
if [ -n "$PLAIN_SKIP" ]; then
	skip "testing: an MX without STARTTLS" "$PLAIN_SKIP"
else
	send 0 sts-plain.test || fail "testing: an MX without STARTTLS gets the message"
	expect "testing: an MX without STARTTLS gets the message, tls=none" \
	    "^ok: rcpt r$n@sts-plain.test: 250 .*\\[tls=none\\]" "$(rline)"
	expect "testing: the missing TLS is logged" \
	    'MTA-STS testing: mx-sts-plain.test\[127.0.0.45\]:[0-9]+ took the message without TLS' "$(out)"
	# the domain moves to enforce under a new id: the server without
	# STARTTLS no longer gets mail
	pol sts-plain.test enforce mx-sts-plain.test
	sed -i '1s/ 20260101a$/ 20251231x/' "$T/sts/sts-plain.test"
	if send 75 sts-plain.test && ! grep -qs "r$n@" "$T"/sink45/*; then
		pass "enforce after an id change: an MX without STARTTLS gets nothing (exit 75)"
	else fail "enforce after an id change: an MX without STARTTLS gets nothing (exit 75)"; fi
	expect "enforce: ... 4.7.5, no STARTTLS" \
	    "rcpt r$n@sts-plain.test: 451 4.7.5 MTA-STS: TLS required \\(policy=mta-sts\\) but .* does not offer STARTTLS" "$(rline)"
fi

# DANE and MTA-STS: the MX has TLSA records, DANE applies (RFC 8461 2)
if send 0 sts-dane.test && delivered; then pass "DANE+MTA-STS: delivered under DANE"
else fail "DANE+MTA-STS: delivered under DANE"; fi
expect "DANE+MTA-STS: tls=dane" '\[tls=dane TLSv1' "$(rline)"
expect "DANE+MTA-STS: the log says DANE rules" 'DANE applies to mx-ee.test, not MTA-STS' "$(out)"

# no TXT record, nothing cached: no policy, no fetch
send 0 sts-notxt.test && delivered || fail "no TXT: delivered"
expect "no TXT: opportunistic, nothing fetched" '\[tls=opportunistic TLSv1' \
    "$(rline) $(grep -c sts-notxt "$HLOG")"

# RFC 8461 3.3: a redirect is not followed, a policy must be text/plain
before=$(fetches sts-out.test)
send 0 sts-redir.test && delivered || fail "redirect: delivered without a policy"
expect "redirect: not followed, no policy" 'fetch failed: .*HTTP status 301' "$(out)"
expect "redirect: the Location was not fetched" "^$before\$" "$(fetches sts-out.test)"
send 0 sts-type.test && delivered || fail "text/html: delivered without a policy"
expect "text/html: not a policy" 'fetch failed: .*Content-Type is not text/plain' "$(out)"

# while the policy is fetched: the client sealed, the cache writer (its
# child) sealed too, and yet the new policy reaches the cache
if [ "$(uname -s)" = Linux ]; then
	sed -i '1s/ 20260101a$/ 19990101old/' "$T/sts/sts-enf.test"
	echo 3 > "$W/mta-sts.sts-enf.test.delay"
	n=$((n + 1))
	printf 'Subject: t%d\n\nbody\n' $n | timeout 60 "$SMTP" -d -C "$T/smtp.conf" \
	    "net!sts-enf.test!$P" a@src.test "r$n@sts-enf.test" >"$T/out.$n" 2>&1 &
	spid=$!
	i=0
	while [ $i -lt 50 ] && ! ss -Htn "dst $STS_HTTPS_ADDR:443" 2>/dev/null | grep -q ESTAB; do
		sleep 0.1; i=$((i + 1))
	done
	# timeout(1), then smtp, then its writer
	cpid=$(ps -o pid= --ppid "$spid" | tr -d ' ' | head -n 1)
	wpid=$(ps -o pid= --ppid "${cpid:-0}" | tr -d ' ' | head -n 1)
	st=$(cat /proc/"${cpid:-0}"/status 2>/dev/null)
	wst=$(cat /proc/"${wpid:-0}"/status 2>/dev/null)
	wait $spid
	rm -f "$W/mta-sts.sts-enf.test.delay"
	case "$TNAME" in
	asan:*) skip "during the fetch: Seccomp: 2" "the ASan build does not seal (LeakSanitizer)" ;;
	*) expect "during the fetch: the client is sealed (Seccomp: 2)" \
	    "^Seccomp:[[:space:]]+2$" "$st" ;;
	esac
	case "$TNAME" in
	asan:*) skip "during the fetch: the cache writer is sealed (Seccomp: 2)" "the ASan build does not seal (LeakSanitizer)" ;;
	*) expect "during the fetch: the cache writer is sealed (Seccomp: 2)" \
	    "^Seccomp:[[:space:]]+2$" "$wst" ;;
	esac
	expect "during the fetch: the cache writer has no new privileges" \
	    "^NoNewPrivs:[[:space:]]+1$" "$wst"
	expect "during the fetch: the cache writer may start no process" \
	    "^Max processes +0 +0 " "$(cat /proc/"${wpid:-0}"/limits 2>/dev/null)"
	expect "after the fetch: the sealed writer put the new policy in the cache" \
	    '^upas-sts 1 [0-9]+ 20260101a$' "$(head -n 1 "$T/sts/sts-enf.test")"
else
	skip "the sandbox during the fetch" "Linux only here"
fi

# the policy server down: a cached policy still rules while it lasts
kill "$HTTPS_PID"; sleep 0.2
sed -i '1s/ 20260101a$/ 19990101old/' "$T/sts/sts-enf.test" "$T/sts/sts-out.test"
if send 0 sts-enf.test && delivered; then pass "fetch failure: delivered under the cached policy"
else fail "fetch failure: delivered under the cached policy"; fi
expect "fetch failure: the cache is used" \
    'MTA-STS policy fetch failed.*policy from the cache \(id 19990101old, mode enforce, the fetch failed\)' \
    "$(out | tr '\n' ' ')"
expect "fetch failure: tls=mta-sts" '\[tls=mta-sts TLSv1' "$(rline)"
if send 75 sts-out.test && nothing; then pass "fetch failure: the cached enforce still keeps mail from an MX outside it"
else fail "fetch failure: the cached enforce still keeps mail from an MX outside it"; fi
rm -f "$T/sts/sts-out.test"
if send 0 sts-out.test && delivered; then pass "fetch failure, nothing cached: no policy (RFC 8461 5.1), delivered"
else fail "fetch failure, nothing cached: no policy (RFC 8461 5.1), delivered"; fi

# an expired cached policy is not used
printf 'upas-sts 1 1000 19990101old\nversion: STSv1\nmode: enforce\nmx: nothing.test\nmax_age: 86400\n' \
    > "$T/sts/sts-enf.test"
send 0 sts-enf.test && delivered || fail "expired: delivered"
expect "expired cache: ignored" 'cached MTA-STS policy \(id 19990101old\) expired' "$(out)"
exit 0
