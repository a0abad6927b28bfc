#!/bin/sh
# The parent's signer (smtpd/priv/sign.c with each TLS back end there
# is a library for: priv/tls.c, libcrypto; priv/tls_wolfssl.c, wolfCrypt;
# the one TLS_BACKEND left out compiled here) against
# hostile requests: only TLS-shaped inputs are signed, at most SIGN_MAX
# per connection; the probe's digest is the one the child computes with
# OpenSSL, the signatures verify with OpenSSL, and a key that is not the
# certificate's, or is encrypted, does not load.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

tls_certs || exit 1
backends=openssl
pkg-config --exists wolfssl 2>/dev/null && backends="$backends wolfssl"
if [ "$BIN" = "$TOP" ]; then
	objs="smtpd/priv/sign.pic.o smtpd/priv/tls.pic.o privsep/libprivsep.a"
	case $backends in *wolfssl*) objs="$objs smtpd/priv/tls_wolfssl.pic.o" ;; esac
	# shellcheck disable=SC2086
	make -C "$TOP" $objs >"$T/make.log" 2>&1 ||
	    { fail "make $objs"; sed 's/^/#   /' "$T/make.log" | tail -5; exit 1; }
fi
cc=${CC:-cc}; san=
if nm "$BIN/smtpd/priv/sign.pic.o" 2>/dev/null | grep -q __asan_; then
	cc=clang; san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi

# keys the signer must refuse: another key of the same kind, a key of the
# other kind, an encrypted one
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/rsa2.key" >/dev/null 2>&1 &&
openssl pkey -in "$T/rsa.key" -aes256 -passout pass:x -out "$T/rsa.enc" \
    >/dev/null 2>&1 &&
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/ec2.key" >/dev/null 2>&1 || { fail "openssl genpkey"; exit 1; }
# the key in the certificate's file (no `key' line), and traditional
# PEM (PKCS#1, SEC 1) beside OpenSSL's PKCS#8
cat "$T/rsa.crt" "$T/rsa.key" >"$T/rsa.both"
cat "$T/ec.crt" "$T/ec.key" >"$T/ec.both"
openssl rsa -in "$T/rsa.key" -traditional -out "$T/rsa.pkcs1" >/dev/null 2>&1 &&
openssl ec -in "$T/ec.key" -out "$T/ec.sec1" >/dev/null 2>&1 ||
    { fail "openssl rsa/ec -traditional"; exit 1; }
# a modulus of 2049 bits: its PSS block is one octet shorter than the
# modulus, behind a zero (RFC 8017 9.1.1); and P-384
openssl req -x509 -newkey rsa:2049 -nodes -keyout "$T/rsa2049.key" \
    -out "$T/rsa2049.crt" -subj /CN=mx.test.example -days 30 >/dev/null 2>&1 &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/p384.key" -out "$T/p384.crt" -subj /CN=mx.test.example \
    -days 30 >/dev/null 2>&1 || { fail "openssl req rsa:2049, P-384"; exit 1; }

signtest() {	# label args...
	_l=$1; shift
	# not piped: sed would hide the status of a crashed signtest
	"$T/signtest.$b" "$@" >"$T/out" 2>>"$T/signtest.err"
	_rc=$?
	sed "s/\$/ ($b, $_l)/" "$T/out"
	[ $_rc -eq 0 ] && pass "signtest exited 0 ($b, $_l)" ||
	    { fail "signtest exited $_rc ($b, $_l)"; sed 's/^/#   /' "$T/signtest.err" | tail -5; }
}

for b in $backends; do
	case $b in
	openssl) o=tls.pic.o; libs= ;;
	wolfssl) o=tls_wolfssl.pic.o; libs=$(pkg-config --libs wolfssl) ;;
	esac
	obj=$BIN/smtpd/priv/$o
	pkg=$(pkg-config --cflags --libs libbsd-overlay libcrypto)
	if [ ! -f "$obj" ]; then
		# the other back end than TLS_BACKEND's, built here the way
		# this tree is (the sanitizers too)
		obj=$T/$o
		pkgc=$(pkg-config --cflags libbsd-overlay libcrypto)
		# shellcheck disable=SC2086
		$cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall $san -fPIC \
		    -I"$TOP/privsep" -I"$TOP/smtpd" $pkgc \
		    -c "$TOP/smtpd/priv/${o%.pic.o}.c" -o "$obj" >"$T/cc.log" 2>&1 ||
		    { fail "compile ${o%.pic.o}.c"; sed 's/^/#   /' "$T/cc.log" | head; continue; }
	fi
	# shellcheck disable=SC2086
	$cc -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall $san -I"$TOP/privsep" -I"$TOP/smtpd" \
	    -o "$T/signtest.$b" "$TLSDIR/signtest.c" "$obj" \
	    "$BIN/smtpd/priv/sign.pic.o" "$BIN/privsep/libprivsep.a" $libs $pkg \
	    >"$T/cc.log" 2>&1 ||
	    { fail "compile signtest ($b)"; sed 's/^/#   /' "$T/cc.log" | head; continue; }
	for k in rsa ec; do
		signtest "$k" $k "$T/$k.crt" "$T/$k.key"
	done
	signtest "rsa, key in the certificate file" rsa "$T/rsa.both" -
	signtest "ec, key in the certificate file" ec "$T/ec.both" -
	signtest "rsa, PKCS#1 PEM" rsa "$T/rsa.crt" "$T/rsa.pkcs1"
	signtest "ec, SEC 1 PEM" ec "$T/ec.crt" "$T/ec.sec1"
	signtest "rsa, 2049 bits" rsa "$T/rsa2049.crt" "$T/rsa2049.key"
	signtest "ec, P-384" ec "$T/p384.crt" "$T/p384.key"
	signtest "rsa2" refuse "$T/rsa.crt" "$T/rsa2.key" "another RSA key than the certificate's"
	signtest "ec2" refuse "$T/ec.crt" "$T/ec2.key" "another EC key than the certificate's"
	signtest "ec for rsa" refuse "$T/rsa.crt" "$T/ec.key" "an EC key for an RSA certificate"
	signtest "enc" refuse "$T/rsa.crt" "$T/rsa.enc" "an encrypted key"
	signtest "nocert" refuse "$T/nonexistent.crt" "$T/rsa.key" "a missing certificate"
done
exit 0
