#!/bin/sh
# debian/: dpkg-buildpackage -us -uc -b builds the package, lintian finds
# no error in it, dpkg -i installs it (users by sysusers.d, folders by
# tmpfiles.d, the configuration as conffiles, the systemd units), one
# message is delivered through the installed files under
# systemd-socket-activate (as upas-smtpd.socket would start
# upas-smtpd@.service), and dpkg --purge takes it all away again.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
case "${UPAS_BIN:-}" in
*/obj-asan) skip "debian package" "once is enough: not in the ASan pass"; exit 0 ;;
esac
[ "$(id -u)" = 0 ] || { skip "debian package" "needs root (dpkg -i)"; exit 0; }
for c in dpkg-buildpackage dh lintian systemd-socket-activate swaks git; do
	command -v $c >/dev/null || { skip "debian package" "$c not installed (regress/deps.sh)"; exit 0; }
done
# one package test on this machine at a time
exec 8>/tmp/upas-smtp-debian-test.lock
flock -w 300 8 || { skip "debian package" "another run holds the lock"; exit 0; }
if dpkg-query -W -f='${Status}' upas-smtp 2>/dev/null | grep -q 'install ok'; then
	skip "debian package" "upas-smtp is installed here already; not touching it"
	exit 0
fi
purge() { dpkg --purge upas-smtp >>"$T/dpkg.log" 2>&1; }
trap 'cleanup; purge' EXIT

B=$T/build
mkdir -p "$B/upas-smtp"
(cd "$TOP" && git ls-files -co --exclude-standard | grep -v '^regress/tmp/' |
    tar cf - -T -) | tar xf - -C "$B/upas-smtp"
start=$(date +%s)
if (cd "$B/upas-smtp" && DEB_BUILD_OPTIONS="nocheck parallel=2 noautodbgsym" \
    dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1); then
	pass "dpkg-buildpackage -us -uc -b ($(( $(date +%s) - start ))s)"
else
	fail "dpkg-buildpackage -us -uc -b"; tail -n 20 "$T/build.log" | sed 's/^/# /'; exit 0
fi
deb=$(ls "$B"/upas-smtp_*.deb)
lintian --fail-on error "$deb" >"$T/lintian.log" 2>&1
expect "lintian: no errors" '^0$' "$(grep -c '^E: ' "$T/lintian.log")"
grep '^[EW]: ' "$T/lintian.log" | sed 's/^/# /'

check "dpkg -i" dpkg -i "$deb"
check "the users exist (sysusers.d)" id _upasmail
check "... both" id _upassmtpd
expect "the spool is the mail user's, 0700 (tmpfiles.d)" '^_upasmail 700$' \
    "$(stat -c '%U %a' /var/spool/upas/tmp 2>&1)"
expect "the configuration is conffiles" '/etc/upas/smtpd\.conf' \
    "$(dpkg-query -W -f='${Conffiles}' upas-smtp)"
expect "the units are installed, the socket not enabled" \
    '^/lib/systemd/system/upas-smtpd.socket /lib/systemd/system/upas-smtpd@.service$' \
    "$(ls /lib/systemd/system/upas-smtpd.socket /lib/systemd/system/upas-smtpd@.service | tr '\n' ' ' | sed 's/ $//')"

# what an administrator does: the domain, the Maildir map
mkdir -p "$T/mail"; chown _upasmail "$T/mail"
sed -i 's/^defaultdomain.*/defaultdomain test.example/' /etc/upas/smtpd.conf
printf '*\t%s\n' "$T/mail/Maildir" >> /etc/upas/maildirs
exe=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/upas-smtpd@.service)
check "the installed smtpd -T accepts the configuration" $exe -T
P=$(freeport)
systemd-socket-activate --accept --inetd -l 127.0.0.1:"$P" $exe >"$T/ssa.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "systemd-socket-activate did not listen"; exit 0; }
r=$(swaks --server 127.0.0.1:"$P" --timeout 20 --from a@test.example --to u@test.example 2>&1)
expect "delivered through the installed files: 250" '<-  250 2\.0\.0' "$r"
n=0
while [ "$(ls "$T/mail/Maildir/new" 2>/dev/null | wc -l)" -lt 1 ] && [ $n -lt 30 ]; do
	sleep 0.1; n=$((n + 1))
done
expect "the message is in the Maildir" '^1$' "$(ls "$T/mail/Maildir/new" 2>/dev/null | wc -l)"
cleanup
check "dpkg --purge" purge
left=$(ls -d /etc/upas /usr/lib/upas /var/spool/upas /var/log/upas \
    /lib/systemd/system/upas-smtpd.socket 2>/dev/null)
expect "purged: nothing left" '^$' "$left"
trap - EXIT
