#!/bin/sh
# The EHLO capability parser (smtp/reply.c) checked for values, not only
# memory safety: regress/smtp/capstest.c prints what the client makes of a
# reply.  RFC 1870 4 allows a bare SIZE; it must not swallow the next line.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

CT=$T/capstest
if ! cc -std=gnu11 -D_GNU_SOURCE $(pkg-config --cflags libbsd-overlay) \
    -I"$TOP/privsep" -I"$TOP/smtp" -o "$CT" "$TOP/regress/smtp/capstest.c" \
    "$TOP/smtp/reply.c" $(pkg-config --libs libbsd-overlay) 2>"$T/cc.log"; then
	fail "capstest does not build: $(head -n 3 "$T/cc.log")"
	exit 0
fi
caps() { printf "$1" | "$CT"; }

out=$(caps '250-mx.example\r\n250-SIZE\r\n250-8BITMIME\r\n250 PIPELINING\r\n')
expect "bare SIZE: no limit, not the next line's 250" "size 0 " "$out"
expect "bare SIZE: SIZE, 8BITMIME and PIPELINING all seen" \
    "flags PIPELINING 8BITMIME SIZE " "$out"
out=$(caps '250-mx.example\r\n250-SIZE\r\n250 8BITMIME\r\n')
expect "bare SIZE before the last line" "size 0 " "$out"
out=$(caps '250-mx.example\r\n250-SIZE 10240000\r\n250 HELP\r\n')
expect "SIZE 10240000" "size 10240000 " "$out"
out=$(caps '250-mx.example\r\n250-SIZE 0\r\n250 HELP\r\n')
expect "SIZE 0: no limit" "flags SIZE size 0 " "$out"
out=$(caps '250-mx.example\r\n250-SIZE 12x\r\n250 HELP\r\n')
expect "SIZE with junk: no limit" "size 0 " "$out"
out=$(caps '250-mx.example\r\n250-SIZE 99999999999999999999999\r\n250 HELP\r\n')
expect "SIZE beyond 64 bits: no limit" "size 0 " "$out"
out=$(caps '250-mx.example\r\n250-size 2048  \r\n250 HELP\r\n')
expect "size in lower case, trailing blanks" "flags SIZE size 2048 " "$out"
out=$(caps '250 SIZE\r\n')
expect "a one-line reply is only the greeting" "flags size 0 auth$" "$out"
out=$(caps '250-mx.example\r\n250-AUTH LOGIN PLAIN\r\n250-AUTH=CRAM-MD5\r\n250-STARTTLS\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n')
expect "AUTH mechanisms from both forms" "auth PLAIN LOGIN CRAM-MD5$" "$out"
expect "STARTTLS SMTPUTF8 ENHANCEDSTATUSCODES" \
    "flags STARTTLS SMTPUTF8 AUTH ENHANCEDSTATUSCODES " "$out"
out=$(caps '250-mx.example\r\n250-AUTH\r\n250-STARTTLSX\r\n250 8BITMIMEX\r\n')
expect "AUTH with no mechanism; look-alike keywords ignored" \
    "flags AUTH size 0 auth$" "$out"
out=$(caps '250-mx.example\n250-SIZE\n250 DSN\n')
expect "LF-only line ends" "code 250 lines 3" "$out"
expect "DSN (RFC 3461)" "flags SIZE DSN size 0" "$out"
out=$(caps '250-mx.example\r\n251 SIZE 5\r\n')
expect "mixed codes: malformed, no capabilities" "code -1 .*flags size 0" "$(echo $out)"
