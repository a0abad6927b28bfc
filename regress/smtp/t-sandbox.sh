#!/bin/sh
# smtp seals itself once it has read its message, configuration and
# credentials (privsep/sandbox.h, sandbox_client): on Linux seccomp
# (Seccomp: 2) and no_new_privs (NoNewPrivs: 1) while it talks to a
# server; it runs as an ordinary user; a full delivery with STARTTLS, AUTH
# and -s works sealed (as every other test in regress/smtp and regress/dns).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"

[ "$(uname -s)" = Linux ] || { skip "client sandbox" "Linux only here"; exit 0; }
smtp_certs || { fail "certificates"; exit 0; }
smtp_conf
printf 'machine 127.0.0.1 login u password secret\n' > "$T/netrc"
chmod 600 "$T/netrc"
printf 'Subject: sandbox\n\nhello\n' > "$T/msg"
PS=$(freeport); PA=$(freeport)
scripted "$PS" stall
scripted "$PA" auth -k "$T/srv" -c "PIPELINING,STARTTLS"
wait_port "$PS" && wait_port "$PA" || { fail "scripted servers"; exit 0; }

# while it waits for the greeting of a server that says nothing
"$SMTP" -C "$SCONF" "[127.0.0.1]:$PS" sender ok1 < "$T/msg" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 50 ] && ! ss -Htn "dport = :$PS" 2>/dev/null | grep -q ESTAB; do
	sleep 0.1; i=$((i + 1))
done
st=$(cat /proc/$pid/status 2>/dev/null)
kill $pid 2>/dev/null; wait $pid 2>/dev/null
case "$TNAME" in
asan:*) skip "during a delivery: Seccomp: 2" "the ASan build does not seal (LeakSanitizer); the plain pass checks it" ;;
*) expect "during a delivery: seccomp filter installed (Seccomp: 2)" \
    "^Seccomp:[[:space:]]+2$" "$st" ;;
esac
expect "during a delivery: no new privileges (NoNewPrivs: 1)" \
    "^NoNewPrivs:[[:space:]]+1$" "$st"

# sealed, it still delivers with STARTTLS, -s (CA read before) and AUTH
run_smtp -a -s "[127.0.0.1]:$PA" sender ok1 < "$T/msg"
expect "sealed: STARTTLS, -s, AUTH: delivered" "^0$" "$RC"
expect "sealed: AUTH happened" "C: b'AUTH CRAM-MD5'" "$(cat "$T/script-$PA.log")"

# as an ordinary user
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	cp "$SCONF" "$T/nobody.conf"; chmod 644 "$T/nobody.conf" "$T/ca.crt"
	sed -i '/^netrc/d' "$T/nobody.conf"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$SMTP" \
	    -C "$T/nobody.conf" -s "[127.0.0.1]:$PA" sender ok2 < "$T/msg" \
	    > "$T/nobody.out" 2>&1
	expect "as nobody, no root: delivered" "^0$" "$?"
else
	skip "as nobody" "no setpriv or no user nobody"
fi
