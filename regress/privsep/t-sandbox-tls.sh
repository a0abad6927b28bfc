#!/bin/sh
# A libtls server handshake inside the seccomp sandbox (TLS 1.3 and 1.2,
# RSA and ECDSA keys), with and without the chroot and privilege drop.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

lib=$BIN/privsep/libprivsep.a
if [ "$BIN" = "$TOP" ]; then
	make -C "$TOP" privsep/libprivsep.a >"$T/make.log" 2>&1 ||
	    { fail "make privsep/libprivsep.a"; exit 1; }
fi
cc=${CC:-cc}
san=
if nm "$lib" 2>/dev/null | grep -q __asan_; then
	cc=clang
	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
pkg=$(pkg-config --cflags --libs libbsd-overlay libtls libssl 2>/dev/null)
# shellcheck disable=SC2086
$cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror $san -I"$TOP/privsep" \
    -o "$T/sandbox-tls" "$TOP/regress/privsep/sandbox-tls.c" "$lib" $pkg \
    >"$T/cc.log" 2>&1 || { fail "compile sandbox-tls"; cat "$T/cc.log"; exit 1; }
chmod 755 "$T"
mkdir -p "$T/root"; chown root:root "$T/root"; chmod 755 "$T/root"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -out "$T/rsa.pem" \
    -subj /CN=localhost -days 2 >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ec.key" -out "$T/ec.pem" -subj /CN=localhost -days 2 >/dev/null 2>&1

for k in rsa ec; do
	for r in "" "$T/root"; do
		what="sandboxed TLS handshake, $k key${r:+, chroot + privdrop}"
		out=$("$T/sandbox-tls" "$T/$k.pem" "$T/$k.key" $r 2>&1)
		expect "$what" '^version=TLSv1\.3 .*server exit 0' "$(echo $out)"
		out=$(SANDBOX_TLS12=1 "$T/sandbox-tls" "$T/$k.pem" "$T/$k.key" $r 2>&1)
		expect "$what, TLS 1.2" '^version=TLSv1\.2 .*server exit 0' "$(echo $out)"
	done
done
