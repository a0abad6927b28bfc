#!/bin/sh
# smtp to our own smtpd: plain, STARTTLS (opportunistic and -s), AUTH
# PLAIN/LOGIN/CRAM-MD5 over TLS; the bytes after our Received: line are
# exactly what -f printed.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/smtp/common.sh"
. "$TOP/regress/tls/common.sh"
[ -x "$SMTPD" ] || { skip "smtp to smtpd" "$SMTPD not built"; exit 0; }

smtpd_setup
smtp_certs || { fail "certificates"; exit 0; }
chmod 600 "$T/srv.key"
tls_passwd
smtp_conf "timeout 20"
tls_conf tls "$T/srv.crt" "$T/srv.key" "norelay on" "ourdomains test.example"
P=$(freeport); tcpserver_start "$P" || exit 0
PT=$(freeport); tls_start_server "$PT" "$T/tls.conf" || exit 0
PA=$(freeport); tls_start_server "$PA" "$T/tls.conf" -a || exit 0

cat > "$T/msg" <<'EOM'
From alice Mon Jan  5 10:11:12 2026
Subject: to smtpd
To: someone
Message-ID: <sd1@client.test.example>

line one
.dot line

last
EOM

wait_mail() {	# count
	i=0
	while [ "$(maildir_count)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(maildir_count)" -ge "$1" ]
}
# the message after our Received: line (LF, unstuffed) against -f's output
same_as_f() {
	python3 -c '
import sys
sent = open(sys.argv[1], "rb").read()
got = open(sys.argv[2], "rb").read()
want = b"\n".join(l[1:] if l.startswith(b".") else l
                  for l in sent.split(b"\r\n"))
i = got.index(b"\nReceived: from client.test.example") if not got.startswith(b"Received: from client.test.example") else -1
rest = got[i + 1:]
# skip the Received: field, folded lines included
lines = rest.split(b"\n")
j = 1
while j < len(lines) and lines[j][:1] in (b" ", b"\t"):
    j += 1
sys.exit(0 if b"\n".join(lines[j:]) == want else 1)' "$1" "$2"
}

"$SMTP" -C "$SCONF" -f -h client.test.example 'net!test.example' alice u \
    < "$T/msg" > "$T/f.out"

run_smtp -h client.test.example "127.0.0.1:$P" alice u@test.example < "$T/msg"
expect "plain to smtpd: exit 0" "^0$" "$RC"
check "plain to smtpd: delivered" wait_mail 1
check "plain to smtpd: the bytes after Received: are what -f printed" \
    same_as_f "$T/f.out" "$(maildir_last)"

run_smtp -h client.test.example "127.0.0.1:$PT" alice u@test.example < "$T/msg"
expect "STARTTLS to smtpd: exit 0" "^0$" "$RC"
check "STARTTLS to smtpd: delivered" wait_mail 2
expect "STARTTLS to smtpd: Received says ESMTPS" "with ESMTPS" "$(cat "$(maildir_last)")"
check "STARTTLS to smtpd: the bytes are what -f printed" \
    same_as_f "$T/f.out" "$(maildir_last)"

run_smtp -s -h client.test.example "127.0.0.1:$PT" alice u@test.example < "$T/msg"
expect "-s, certificate verified against the test CA: exit 0" "^0$" "$RC"
check "-s to smtpd: delivered" wait_mail 3
sed 's|^cafile .*|cafile /etc/ssl/certs/ca-certificates.crt|' "$SCONF" > "$T/sys.conf"
"$SMTP" -C "$T/sys.conf" -s "127.0.0.1:$PT" alice u@test.example < "$T/msg" \
    > /dev/null 2>&1
expect "-s with a certificate the system CAs do not know: exit 75" "^75$" "$?"

# CRAM-MD5 is the strongest smtpd offers; alice's CRAM secret is cheshire-cat
printf 'machine 127.0.0.1 login alice password cheshire-cat\n' > "$T/netrc"
chmod 600 "$T/netrc"
run_smtp -a -h client.test.example "127.0.0.1:$PA" alice u@test.example < "$T/msg"
expect "AUTH CRAM-MD5 over STARTTLS to smtpd -a: exit 0" "^0$" "$RC"
check "AUTH to smtpd -a: delivered" wait_mail 4
expect "AUTH to smtpd: Received says ESMTPSA" "with ESMTPSA" "$(cat "$(maildir_last)")"
printf 'machine 127.0.0.1 login alice password wrong\n' > "$T/netrc"
run_smtp -a "127.0.0.1:$PA" alice u@test.example < "$T/msg"
expect "AUTH with a wrong password to smtpd: deferred, exit 75" "^75$" "$RC"
expect "AUTH with a wrong password: 535 5.7.8" "Retry, Temporary Failure: .*535 5.7.8" "$OUT"
run_smtp "127.0.0.1:$PA" alice u@test.example < "$T/msg"
expect "smtpd -a without -a here: refused with 530, exit 69" "^69$" "$RC"
exit 0
