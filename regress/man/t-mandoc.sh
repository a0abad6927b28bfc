#!/bin/sh
# Every manual page passes mandoc -Tlint -Wwarning.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v mandoc >/dev/null 2>&1 || { skip "mandoc lint" "mandoc not installed"; exit 0; }
for m in "$TOP"/man/*.[0-9]; do
	[ -f "$m" ] || continue
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	expect "mandoc -Tlint $(basename "$m")" '^$' "$out"
done
for m in smtp.8 smtpd.conf.5; do
	grep -q '^\.Sh EXIT STATUS\|^\.Sh HISTORY' "$TOP/man/$m" 2>/dev/null &&
	    pass "$m has its sections" || fail "$m has its sections"
done
