#!/bin/sh
# The hardening flags cannot silently fall off (Makefile HARDEN_*): every
# program and smtpd's TLS module, as built and as installed, imports the stack protector's and
# FORTIFY's checking functions (__stack_chk_fail, __*_chk), is linked
# with RELRO and BIND_NOW, and every program is a PIE.  And the Makefile
# adds its flags to a packager's CPPFLAGS, CFLAGS and LDFLAGS, never
# replacing them, and WERROR= clears -Werror.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v readelf >/dev/null 2>&1 || { skip "hardening" "no readelf (binutils)"; exit 0; }

bins="$SMTPD $(dirname "$SMTPD")/smtpd-tls.so $(dirname "$SMTPD")/smtpd-tlspriv.so $SMTP $DELIVER"
# and as `make install' puts them (the plain build only: install builds in $TOP)
if [ "$BIN" = "$TOP" ] && make -C "$TOP" -s install DESTDIR="$T/inst" >"$T/install.log" 2>&1; then
	bins="$bins $(find "$T/inst" -type f \( -name smtpd -o -name 'smtpd-tls*.so' -o -name smtp \
	    -o -name deliver \) | sort | tr '\n' ' ')"
elif [ "$BIN" = "$TOP" ]; then
	fail "make install DESTDIR=..."; sed 's/^/#   /' "$T/install.log" | tail -5
fi
for f in $bins; do
	n=$(basename "$f"); case $f in "$T"/inst/*) n="installed $n" ;; esac
	[ -f "$f" ] || { fail "$n: built"; continue; }
	dyn=$(readelf -dW "$f")
	syms=$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" { print $8 }')
	expect "$n: stack protector (__stack_chk_fail)" '^__stack_chk_fail(@|$)' "$syms"
	expect "$n: FORTIFY (__*_chk)" '^__[a-z_]+_chk(@|$)' "$syms"
	expect "$n: BIND_NOW" '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).* NOW' "$dyn"
	expect "$n: RELRO" 'GNU_RELRO' "$(readelf -lW "$f")"
	case $n in
	*.so)	;;
	*)	expect "$n: PIE" '\(FLAGS_1\).* PIE' "$dyn" ;;
	esac
done

# what the Makefile would run for one object and one link, with a
# packager's flags (make -n: nothing is built)
cc=$(cd "$TOP" && make -n -B CPPFLAGS=-DPKG_CPP CFLAGS=-DPKG_C LDFLAGS=-Wl,-O1 \
    smtpd/session/io.o deliver/deliver 2>&1)
ccl=$(printf '%s\n' "$cc" | grep -- ' -c smtpd/session/io.c')
expect "packager's CPPFLAGS and CFLAGS kept" '-DPKG_CPP .*-DPKG_C( |$)' "$ccl"
expect "our hardening beside them" '-D_FORTIFY_SOURCE=2 .*-fstack-protector-strong .*-fPIE' "$ccl"
expect "-Werror in our build" ' -Werror ' "$ccl"
expect "packager's LDFLAGS kept, beside ours" \
    '-pie .*-Wl,-z,relro .*-Wl,-z,now .*-Wl,-O1 .*-o deliver/deliver' "$cc"
cc=$(cd "$TOP" && make -n -B WERROR= smtpd/session/io.o 2>&1)
case $cc in
*-Werror*)	fail "WERROR= clears -Werror" ;;
*)		pass "WERROR= clears -Werror" ;;
esac
