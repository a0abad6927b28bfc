#!/bin/sh
# Every manual page passes mandoc -Tlint -Wwarning.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
command -v mandoc >/dev/null 2>&1 || { skip "mandoc lint" "mandoc not installed"; exit 0; }
for m in "$TOP"/man/*.[0-9]; do
	[ -f "$m" ] || continue
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	expect "mandoc -Tlint $(basename "$m")" '^$' "$out"
done
# mdoc(7): each page has the sections its kind requires, every one of them
for s in NAME SYNOPSIS DESCRIPTION FILES 'EXIT STATUS' 'SEE ALSO' STANDARDS HISTORY; do
	grep -q "^\.Sh $s\$" "$TOP/man/smtp.8" &&
	    pass "smtp.8 has .Sh $s" || fail "smtp.8 has .Sh $s"
done
for s in NAME DESCRIPTION FILES EXAMPLES 'SEE ALSO' HISTORY; do
	grep -q "^\.Sh $s\$" "$TOP/man/smtpd.conf.5" &&
	    pass "smtpd.conf.5 has .Sh $s" || fail "smtpd.conf.5 has .Sh $s"
done
for s in NAME SYNOPSIS DESCRIPTION 'EXIT STATUS' 'SEE ALSO'; do
	grep -q "^\.Sh $s\$" "$TOP/man/deliver.8" &&
	    pass "deliver.8 has .Sh $s" || fail "deliver.8 has .Sh $s"
done
