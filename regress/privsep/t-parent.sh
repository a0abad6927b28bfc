#!/bin/sh
# The parent against a hostile child (issue 12 points 1-5): parent-test.c
# links smtpd's own objects from $BIN (the ASan build under regress/run -a),
# plays the session child over the socketpair and checks that forged
# commits, relaying without the parent's AUTH verdict, out-of-order and
# repeated requests and oversized fields are refused (the parent exits 1,
# logs a violation) and that the mailer, a script recording its calls,
# never runs for them.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

if [ "$BIN" = "$TOP" ]; then
	make -C "$TOP" smtpd/smtpd >"$T/make.log" 2>&1 ||
	    { fail "make smtpd"; tail "$T/make.log"; exit 1; }
fi
# smtpd's objects as the Makefile lists them (SMTPD_SRCS), but its main()
srcs=$(awk '/^SMTPD_SRCS/ { on = 1 } on { print; if ($0 !~ /\\$/) exit }' \
    "$TOP/Makefile" | tr ' \t\\' '\n\n\n' | grep '^smtpd/.*\.c$' | grep -v '^smtpd/smtpd\.c$')
objs=
for c in $srcs; do
	o=$BIN/${c%.c}.o
	[ -f "$o" ] || { fail "no $o"; exit 1; }
	objs="$objs $o"
done
objs="$objs $BIN/deliver/maildir.o $BIN/deliver/map.o $BIN/privsep/libprivsep.a"
cc=${CC:-cc}
san=
nowarn=-Wno-format-truncation
if nm "$BIN/smtpd/priv/parent.o" 2>/dev/null | grep -q __asan_; then
	cc=clang
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
	nowarn=
fi
pkg=$(pkg-config --cflags --libs libbsd-overlay 2>/dev/null)
# shellcheck disable=SC2086
if ! $cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
    -Wno-unused-result $nowarn $san \
    -I"$TOP/privsep" -I"$TOP/smtpd" -o "$T/parent-test" \
    "$TOP/regress/privsep/parent-test.c" $objs $pkg -lmd -ldl -lcrypt \
    -Wl,--export-dynamic >"$T/cc.log" 2>&1; then
	fail "compile parent-test"; cat "$T/cc.log"; exit 1
fi

mkdir -p "$T/spool" "$T/grey" "$T/chroot"
cat > "$T/mailer.sh" <<EOM
#!/bin/sh
echo "\$*" >> $T/mailer.calls
cat > /dev/null
exit 0
EOM
chmod 755 "$T/mailer.sh"
printf 'alice:%s\n' "$(openssl passwd -6 sekret)" > "$T/passwd"
printf 'deny\n*deny spammer@denied.example\n' > "$T/blocked"
cat > "$T/smtpd.conf" <<EOC
hostname mx.ours.example
defaultdomain ours.example
norelay on
ourdomains ours.example
ournets 10.0.0.0/8
spool $T/spool
greydir $T/grey
chroot $T/chroot
mailer $T/mailer.sh
passwd $T/passwd
blocked $T/blocked
authfail 0 60
EOC
{ cat "$T/smtpd.conf"; echo "requireauth on"; } > "$T/requireauth.conf"
timeout 120 "$T/parent-test" "$T" 2>"$T/stderr.log"
rc=$?
# its own "not ok" lines count each refused check; a crash, a timeout or
# an abort would end the list early, so any other status fails too
[ $rc -eq 0 ] || [ $rc -eq 1 ] ||
    { fail "parent-test exited $rc"; sed 's/^/# /' "$T/stderr.log" | tail -20; }
exit 0
