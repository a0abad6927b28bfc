#!/bin/sh
# Compile every source file of every program for OpenBSD and FreeBSD, with
# -Werror and the flags the Makefile uses there, against those systems'
# own headers (bsd-cc and the sysroots under SYSROOTS; see README, "Build").
# Headers only (clang -fsyntax-only: all its warnings are the front
# end's): nothing is linked or run.  One line per file and target:
#   ok - openbsd smtpd/session/session.c
# Usage: t-bsd.sh [sysroots-dir]  (default: $SYSROOTS, else ../shared/sysroots)
# The flags are the Makefile's (make -s print-bsdflags OS=OpenBSD).
cd "${UPAS_TOP:-$(dirname "$0")/../..}" || exit 1
top=$(pwd)
dir=${1:-${SYSROOTS:-../shared/sysroots}}
case "${UPAS_BIN:-}" in
*/obj-asan)
	echo "skip - BSD compile check # once is enough: not in the ASan pass"
	exit 0 ;;
esac
if [ ! -d "$dir" ] || [ ! -x "$dir/bsd-cc" ]; then
	echo "skip - BSD compile check # no sysroots at $dir (SYSROOTS=dir)"
	exit 0
fi
if ! command -v "${BSD_CC:-clang}" >/dev/null 2>&1; then
	echo "skip - BSD compile check # no clang (apt-get install clang)"
	exit 0
fi
dir=$(cd "$dir" && pwd)

# A copy whose links are links again: a sysroot that went through a
# checkout without symlink support (git's core.symlinks=false) holds each
# symbolic link as a small file whose text is the target ("sys/errno.h").
# The copy is remade when the sysroot changes.
work=$top/obj-bsd
stamp=$(ls -l --time-style=+%s "$dir" "$dir"/* 2>/dev/null | cksum)
if [ "$(cat "$work/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$work" && mkdir -p "$work" && cp -R "$dir" "$work/sysroots" &&
	    chmod -R u+w "$work/sysroots" || exit 1
	find "$work/sysroots" -type f -size -100c | while read -r f; do
		t=$(cat "$f")
		case "$t" in
		""|*[!A-Za-z0-9_./-]*|*.c) continue ;;
		esac
		[ -e "$(dirname "$f")/$t" ] || continue
		rm -f "$f" && ln -s "$t" "$f"
	done
	echo "$stamp" >"$work/stamp"
fi
cc=$work/sysroots/bsd-cc

# every program's sources, the Linux-only sandbox (seccomp) included: it
# compiles to nothing off Linux, like the pledge and Capsicum back ends do
# on Linux.
srcs=$(ls privsep/*.c smtpd/*.c smtpd/priv/*.c smtpd/session/*.c smtp/*.c \
    deliver/*.c runq/*.c 2>/dev/null)
# libidn2 (OpenBSD devel/libidn2, FreeBSD dns/libidn2) and wolfSSL (FreeBSD
# security/wolfssl; the BSDs build the OpenSSL/LibreSSL back end, Makefile
# TLS_BACKEND) install these in /usr/local/include; the sysroots have
# stand-ins for unbound and libtls only
PORTS_HEADERS="idn2.h wolfssl/options.h"
fail=0
for os in openbsd freebsd; do
	# as the Makefile has it on that system (one list: its
	# print-bsdflags): no libbsd; base's libtls (FreeBSD:
	# security/libretls's) and libssl, unbound from packages in
	# /usr/local (bsd-cc searches its include folder last)
	case $os in
	openbsd) OS=OpenBSD ;;
	freebsd) OS=FreeBSD ;;
	esac
	if ! flags=$(${MAKE:-make} -s -C "$top" print-bsdflags OS=$OS) ||
	    [ -z "$flags" ]; then
		echo "not ok - $os: make print-bsdflags OS=$OS"
		fail=1
		continue
	fi
	for f in $srcs; do
		# headers of packages (ports) that the sysroots do not stand in for
		miss=
		for h in $(sed -n 's/^#include <\([^>]*\)>.*/\1/p' "$f"); do
			case " $PORTS_HEADERS " in
			*" $h "*) [ -e "$work/sysroots/$os/usr/local/include/$h" ] ||
			    miss="$miss $h" ;;
			esac
		done
		if [ -n "$miss" ]; then
			echo "skip - $os $f # needs$miss from packages; not in the sysroot"
			continue
		fi
		err=$work/$os.$(echo "$f" | tr / _).err
		# shellcheck disable=SC2086
		if "$cc" "$os" $flags -fsyntax-only "$f" >"$err" 2>&1; then
			echo "ok - $os $f"
		else
			echo "not ok - $os $f"
			sed 's/^/# /' "$err" | head -n 20
			fail=1
		fi
	done
done
exit $fail
