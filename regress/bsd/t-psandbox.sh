#!/bin/sh
# smtpd/priv/psandbox.c: what the parent keeps on OpenBSD (unveil(2) paths and
# pledge(2) work), computed here with a stand-in for sandbox_parent()
# (psandbox-test.c): the map's Maildirs up to their first %, a map with
# too many folders by their top-level ones, an external mailer "rx" with
# exec, the queue and runq with routes.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
cd "$TOP" || exit 1
CFL=$(make -s -f - print <<'MK' 2>/dev/null
include Makefile
print:
	@echo ${ALL_CPPFLAGS}
MK
)
if ! ${CC:-cc} -std=gnu11 -O2 -Wall -Werror -Wno-unused-parameter $CFL -Ismtpd \
    -o "$T/psandbox-test" regress/bsd/psandbox-test.c deliver/map.c \
    privsep/log.c $(pkg-config --libs libbsd-overlay 2>/dev/null || echo -lbsd) \
    2>"$T/err"; then
	fail "psandbox-test.c compiles"; sed 's/^/# /' "$T/err"; exit 0
fi
printf '%s\n' '*	/var/mail/catchall/Maildir' '@a.example	/var/mail/%d/%u' \
    'bob	/home/bob/Maildir' > "$T/map"
out=$("$T/psandbox-test" - "$T/map" 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
expect "the map is readable" "^r $T/map\$" "$out"
expect "a Maildir path: that folder" '^rwc /var/mail/catchall/Maildir$' "$out"
expect "a path with %d/%u: the folder above" '^rwc /var/mail$' "$out"
expect "home Maildirs" '^rwc /home/bob/Maildir$' "$out"
expect "spool, credentials, /dev/null" '^rwc /var/spool/upas/tmp$' "$out"
expect "the built-in mailer: no exec" '^flags$' "$(printf '%s\n' "$out" | tail -n 1)"
i=0; : > "$T/bigmap"
while [ $i -lt 40 ]; do printf 'u%d\t/home/u%d/Maildir\n' $i $i >> "$T/bigmap"; i=$((i + 1)); done
out=$("$T/psandbox-test" - "$T/bigmap" 2>&1)
expect "40 Maildirs: their top-level folder instead" '^rwc /home$' "$out"
expect "... and not one by one" '^0$' "$(printf '%s\n' "$out" | grep -c 'rwc /home/u')"
out=$("$T/psandbox-test" /usr/sbin/sendmail "$T/map" /etc/upas/routes 2>&1)
expect "an external mailer: rx and exec" '^rx /usr/sbin/sendmail$' "$out"
expect "routes: the queue and runq" '^rx /usr/local/libexec/upas/runq$' "$out"
expect "... exec" '^flags exec$' "$(printf '%s\n' "$out" | tail -n 1)"
