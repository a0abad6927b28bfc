#!/bin/sh
# make install and make uninstall into a staging folder (DESTDIR): the
# programs, the manual pages with the configured paths and every .Xr to
# an upas page naming one that is installed, the samples of each set-up,
# a live configuration never overwritten, CONFSTYLE=sample and none.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
case "${UPAS_BIN:-}" in
*/obj-asan) skip "make install" "once is enough: not in the ASan pass"; exit 0 ;;
esac
cd "$TOP" || exit 1
S=$T/stage
mk() { make -s install DESTDIR="$S" PREFIX=/usr SYSCONFDIR=/etc LIBEXECDIR=/usr/lib \
    LOCALSTATEDIR=/srv "$@" >>"$T/make.log" 2>&1; }
check "make install" mk
for f in usr/lib/upas/smtpd usr/lib/upas/smtp usr/lib/upas/deliver usr/lib/upas/runq \
    usr/lib/upas/smtpd-tls.so usr/lib/upas/smtpd-tlspriv.so usr/share/man/man8/upas-smtp.8 \
    usr/share/man/man8/upas-smtpd.8 usr/share/man/man8/upas-deliver.8 \
    usr/share/man/man5/upas-smtpd.conf.5 etc/upas/smtpd.conf etc/upas/blocked \
    etc/upas/maildirs usr/share/examples/upas/smtpd@.service \
    usr/share/examples/upas/smtpd.socket usr/share/examples/upas/inetd.conf \
    usr/share/examples/upas/xinetd.d/upas-smtpd usr/share/examples/upas/smtpd.run \
    usr/share/examples/upas/fail2ban/filter.d/upas-smtpd.conf \
    usr/share/examples/upas/fail2ban/jail.d/upas-smtpd.conf; do
	[ -e "$S/$f" ] || fail "installed: /$f"
done
pass "programs, pages, configuration and samples installed"
M=$S/usr/share/man
left=$(grep -l '/usr/local' "$M"/man*/upas-* "$S"/usr/share/examples/upas/* \
    "$S"/usr/share/examples/upas/*/* 2>/dev/null)
expect "no /usr/local left in the pages and samples" '^$' "$left"
expect "the page names the configured paths" \
    'Pa /etc/upas/smtpd.conf' "$(cat "$M/man5/upas-smtpd.conf.5")"
expect "... and the configured LOCALSTATEDIR" 'Pa /srv/spool/upas/tmp' \
    "$(cat "$M/man8/upas-smtp.8")"
expect "the systemd sample runs the installed smtpd" \
    '^ExecStart=/usr/lib/upas/smtpd -C /etc/upas/smtpd.conf$' \
    "$(grep ExecStart "$S/usr/share/examples/upas/smtpd@.service")"
bad=""
for x in $(cat "$M"/man*/upas-* | sed -n 's/.*Xr \(upas-[^ ]*\) \([0-9]\).*/\1.\2/p' | sort -u); do
	[ -e "$M/man${x##*.}/$x" ] || bad="$bad $x"
done
expect "every .Xr to an upas page names an installed page" '^$' "$bad"
stray=$(cat "$M"/man*/upas-* | grep -E 'Xr (smtp|smtpd|deliver|runq) 8|Xr smtpd\.conf 5')
expect "no .Xr to the uninstalled names" '^$' "$stray"
if command -v mandoc >/dev/null; then
	# (SEE ALSO was sorted by the names before the upas- prefix)
	expect "mandoc -Tlint: installed pages clean" '^$' \
	    "$(mandoc -Tlint -Wwarning $(find "$M" -type f) 2>&1 | grep -v 'unusual Xr order')"
fi

echo "# mine" >> "$S/etc/upas/smtpd.conf"
check "make install again" mk
expect "a live smtpd.conf is not overwritten" '# mine' "$(tail -n 1 "$S/etc/upas/smtpd.conf")"
check "CONFSTYLE=sample" mk CONFSTYLE=sample
[ -f "$S/etc/upas/smtpd.conf.sample" ] && pass "smtpd.conf.sample beside the live one" ||
    fail "smtpd.conf.sample beside the live one"
check "make uninstall" make -s uninstall DESTDIR="$S" PREFIX=/usr SYSCONFDIR=/etc \
    LIBEXECDIR=/usr/lib LOCALSTATEDIR=/srv
rest=$(cd "$S" && find . -type f | sort | tr '\n' ' ')
expect "uninstall leaves the live configuration only" \
    '^\./etc/upas/blocked \./etc/upas/maildirs \./etc/upas/smtpd\.conf $' "$rest"
rm -rf "$S"
check "CONFSTYLE=none: examples only" mk CONFSTYLE=none
[ ! -e "$S/etc" ] && pass "CONFSTYLE=none: nothing in SYSCONFDIR" ||
    fail "CONFSTYLE=none: nothing in SYSCONFDIR"

# the ports' file lists are what make install puts there
P=$T/port
rm -rf "$P"
make -s install DESTDIR="$P" PREFIX=/usr/local SYSCONFDIR=/etc MANDIR=/usr/local/man \
    EXAMPLESDIR=/usr/local/share/examples/upas CONFSTYLE=none >>"$T/make.log" 2>&1
got=$(cd "$P/usr/local" && find . ! -type d | sed 's,^\./,,' | sort)
want=$(grep -v '^@new\|^@sample\|^@mode\|^@owner\|^@group\|/$\|pkg-readmes' \
    "$TOP/ports/openbsd/mail/upas-smtp/pkg/PLIST" | sed 's/^@[a-z]* //' | sort)
expect "OpenBSD PLIST lists what make install installs" '^$' \
    "$(printf '%s\n' "$got" | diff - "$(printf '%s\n' "$want" > "$T/plist.o"; echo "$T/plist.o")")"
rm -rf "$P"
make -s install DESTDIR="$P" PREFIX=/usr/local SYSCONFDIR=/usr/local/etc \
    MANDIR=/usr/local/share/man EXAMPLESDIR=/usr/local/share/examples/upas \
    CONFSTYLE=sample >>"$T/make.log" 2>&1
got=$(cd "$P/usr/local" && find . ! -type d | sed 's,^\./,,' | sort)
want=$(grep -v '^@dir' "$TOP/ports/freebsd/mail/upas-smtp/pkg-plist" |
    sed 's/^@sample //; s/\.gz$//; s,%%PORTEXAMPLES%%%%EXAMPLESDIR%%,share/examples/upas,' | sort)
printf '%s\n' "$want" > "$T/plist.f"
expect "FreeBSD pkg-plist lists what make install installs" '^$' \
    "$(printf '%s\n' "$got" | diff - "$T/plist.f")"
rm -rf "$P"
