#!/bin/sh
# Safe defaults (issue 12, point 5): relay control is on unless the file
# says "norelay off"; -f can only turn it on.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
smtpd_setup

ucspi() {	# conf: smtpd on a pipe, an untrusted peer
	c=$1; shift
	TCPREMOTEIP=192.0.2.9 TCPREMOTEPORT=4242 TCPLOCALIP=127.0.0.1 \
	    TCPLOCALPORT=25 timeout 20 "$SMTPD" -C "$c" "$@"
}
relay() {	# conf [flags]: the RCPT replies for a foreign and our domain
	printf 'EHLO client.example.net\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<y@test.example>\r\nQUIT\r\n' |
	    ucspi "$@" | grep -E '^(554|250) [0-9.]+ (Relaying|Recipient)'
}

grep -v '^norelay' "$CONF" > "$T/default.conf"
expect "no norelay line: -T says norelay on" '^norelay on$' \
    "$("$SMTPD" -C "$T/default.conf" -T 2>&1)"
out=$(relay "$T/default.conf")
expect "no norelay line: a foreign domain is 554 5.7.1" '^554 5\.7\.1 Relaying denied' "$out"
expect "no norelay line: our domain is taken" '^250 2\.1\.5 Recipient <y@test\.example>' "$out"

cp "$T/default.conf" "$T/off.conf"; echo 'norelay off' >> "$T/off.conf"
expect "norelay off: -T says off" '^norelay off$' "$("$SMTPD" -C "$T/off.conf" -T 2>&1)"
expect "norelay off: a foreign domain is taken" '^250 2\.1\.5 Recipient <x@example\.org>' \
    "$(relay "$T/off.conf")"
expect "norelay off with -f: on again" '^554 5\.7\.1 Relaying denied' \
    "$(relay "$T/off.conf" -f)"

# Point 6: the configuration and what it names on this machine are checked
# at start and by -T, each fault as "file:line: what".
# tconf NAME LINE...: $CONF with LINEs appended, as $T/NAME.conf
tconf() { n=$1; shift; cp "$CONF" "$T/$n.conf"; for l in "$@"; do echo "$l" >> "$T/$n.conf"; done; }
# refused NAME PATTERN: -T fails, the fault named at the last line of the file
refused() {
	out=$("$SMTPD" -C "$T/$1.conf" -T 2>&1); rc=$?
	ln=$(wc -l < "$T/$1.conf")
	if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -Eq -- "$T/$1\.conf:$ln: .*$2"; then
		pass "-T refuses $1: $2"
	else
		fail "-T refuses $1: $2"; printf '#   rc %s: %s\n' "$rc" "$out"
	fi
}
check "-T passes the test configuration" "$SMTPD" -C "$CONF" -T

tconf userroot "user root";		refused userroot 'user root: is root'
tconf mailroot "mailuser root";		refused mailroot 'mailuser root: is root'
tconf same "mailuser $SMTPD_USER";	refused same 'are the same user'
tconf nouser "user no-such-user-x";	refused nouser 'user no-such-user-x: no such user'
tconf nomail "mailuser no-such-user-y";	refused nomail 'mailuser no-such-user-y: no such user'

mkdir -p "$T/ch-user" "$T/ch-wr" "$T/ch-full"
chown "$MAIL_USER" "$T/ch-user"; chmod 755 "$T/ch-user"
chmod 775 "$T/ch-wr"; chmod 755 "$T/ch-full"; : > "$T/ch-full/x"
tconf chuser "chroot $T/ch-user";	refused chuser 'not owned by root'
tconf chwr "chroot $T/ch-wr";		refused chwr 'writable by group or others'
tconf chfull "chroot $T/ch-full";	refused chfull 'not empty'
tconf chnone "chroot $T/ch-none";	refused chnone 'No such file'
tconf chfile "chroot $T/ch-full/x";	refused chfile 'not a directory'

mkdir -p "$T/sp-root" "$T/sp-mode"
chown "$MAIL_USER" "$T/sp-mode"; chmod 750 "$T/sp-mode"; chmod 700 "$T/sp-root"
tconf spnone "spool $T/sp-none";	refused spnone 'spool .*: No such file'
tconf sproot "spool $T/sp-root";	refused sproot "not owned by mailuser $MAIL_USER"
tconf spmode "spool $T/sp-mode";	refused spmode 'mode 750, must be 700'

printf '#!/bin/sh\nexit 0\n' > "$T/noexec"; chmod 644 "$T/noexec"
tconf mnone "mailer $T/no-mailer -x";	refused mnone 'mailer .*no-mailer: No such file'
tconf mnoexec "mailer $T/noexec";	refused mnoexec 'not an executable file'
tconf mdir "mailer $T";			refused mdir 'not an executable file'
out=$("$SMTPD" -C "$CONF" -T -m "$T/no-mailer" 2>&1)
expect "-T names -m for a missing mailer given by flag" "^smtpd: -m: mailer $T/no-mailer: No such file" "$out"

printf 'x\n' > "$T/key.pem"; chmod 640 "$T/key.pem"; cp "$T/key.pem" "$T/crt.pem"
tconf keygrp "cert $T/crt.pem" "key $T/key.pem"; refused keygrp 'key .*readable by others than root'
chmod 600 "$T/key.pem"; chown "$MAIL_USER" "$T/key.pem"
tconf keyown "cert $T/crt.pem" "key $T/key.pem"; refused keyown 'key .*readable by others than root'
tconf unb "unbound $T/no-unbound.conf";	refused unb 'unbound .*: No such file'
tconf pw "passwd $T/no-passwd";		refused pw 'passwd .*: No such file'
tconf bl "blocked $T/no-blocked";	refused bl 'blocked .*: No such file'
tconf inval "defaultdomain mail.invalid"; refused inval 'placeholder'

# the shipped sample: refused until its placeholder domain is replaced
{ cat "$TOP/etc/smtpd.conf"; grep -E '^(spool|chroot|user|mailuser|mailer|greydir|dumpdir|debugdir|logfile) ' "$CONF"; } > "$T/sample.conf"
ln=$(grep -n '^defaultdomain' "$TOP/etc/smtpd.conf" | cut -d: -f1)
out=$("$SMTPD" -C "$T/sample.conf" -T 2>&1); rc=$?
expect "sample as shipped: -T fails on the placeholder, with its line" \
    "^1 smtpd: $T/sample\.conf:$ln: defaultdomain [a-z.]*\.invalid: a placeholder" "$rc $out"
sed 's/^defaultdomain.*/defaultdomain example.org/' "$T/sample.conf" > "$T/sample2.conf"
check "sample with the placeholder replaced: -T passes" "$SMTPD" -C "$T/sample2.conf" -T

# Point 7: refused at start too, and every start-up fault is a 421, not
# a silent close.
start() {	# conf: what a client sees
	printf 'QUIT\r\n' | (ulimit -n ${NOFILE:-1024}; TCPREMOTEIP=192.0.2.9 \
	    TCPREMOTEPORT=4242 TCPLOCALIP=127.0.0.1 TCPLOCALPORT=25 \
	    timeout 20 "$SMTPD" -C "$1") 2>/dev/null | head -n 1
}
expect "unknown user at start: 421 4.3.0" '^421 4\.3\.0 mx\.test\.example ' "$(start "$T/nouser.conf")"
expect "unsafe chroot at start: 421 4.3.0" '^421 4\.3\.0 mx\.test\.example ' "$(start "$T/chwr.conf")"
expect "user root at start: 421 4.3.0" '^421 4\.3\.0 ' "$(start "$T/userroot.conf")"
# out of descriptors: socketpair(2) or open(2) fails before the split
expect "a start-up fault (no descriptors) is 421 4.3.0" '^421 4\.3\.0 mx\.test\.example ' \
    "$(NOFILE=8 start "$CONF")"
# a rejected over-long hostname is not partly applied (the 421 names the old one)
tconf longhost "hostname $(printf 'a%.0s' $(seq 300)).example"
out=$(start "$T/longhost.conf")
expect "over-long hostname refused whole: 421 without any of it" '^421 4\.3\.0 [^a]' "$out"
