#!/bin/sh
# The tree shows what runs where (README, "Layout"): no file of the parent
# (smtpd/priv/) includes the session child's header (smtpd/session/) or the
# other way round; no file in smtpd/, smtp/, runq/ or privsep/ is over 600
# lines; and no circle of calls among smtpd's objects, nor among smtp's
# (each file's defined and undefined symbols, nm(1)), so each file can be
# read after the ones it calls.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
cd "$TOP" || exit 1

bad=$(grep -l '#include "\(\.\./session/\)\{0,1\}session\.h"' smtpd/priv/*.[ch])
[ -z "$bad" ] && pass "smtpd/priv/ does not include session.h" ||
    fail "smtpd/priv/ includes session.h: $bad"
bad=$(grep -l '#include "\(\.\./priv/\)\{0,1\}priv\.h"' smtpd/session/*.[ch])
[ -z "$bad" ] && pass "smtpd/session/ does not include priv.h" ||
    fail "smtpd/session/ includes priv.h: $bad"

long=$(wc -l smtpd/*.[ch] smtpd/*/*.[ch] smtp/*.[ch] runq/*.[ch] \
    privsep/*.[ch] | awk '$2 != "total" && $1 > 600 { print $2 "(" $1 ")" }')
[ -z "$long" ] && pass "no file over 600 lines in smtpd/, smtp/, runq/, privsep/" ||
    fail "over 600 lines: $long"

# circles VAR DIR: among the objects of the Makefile's VAR that are in DIR/
circles() {
objs=
for c in $(awk -v v="^$1" '$0 ~ v { on = 1 } on { print; if ($0 !~ /\\$/) exit }' \
    Makefile | tr ' \t\\' '\n\n\n' | grep "^$2/.*\\.c$"); do
	o=$BIN/${c%.c}.o
	[ -f "$o" ] || { fail "no $o"; return; }
	objs="$objs $o"
done
for o in $objs; do
	nm "$o" | awk -v f="${o#"$BIN"/}" '$1 == "U" { print "U", f, $2 }
	    NF == 3 && $2 ~ /^[TDBR]$/ { print "D", f, $3 }'
done > "$T/syms"
# edges a -> b: a uses a symbol b defines; then strip leaves until none left
awk '$1 == "D" { def[$3] = $2 } $1 == "U" { use[NR] = $2 " " $3 }
    END { for (i in use) { split(use[i], u, " "); d = def[u[2]]
	if (d != "" && d != u[1]) print u[1], d } }' "$T/syms" | sort -u > "$T/edges"
cp "$T/edges" "$T/left"
while :; do
	# files that call nobody left: drop them and the calls to them
	awk '{ from[$1] = 1; to[$2] = 1 } END { for (t in to) if (!(t in from)) print t }' \
	    "$T/left" > "$T/leaves"
	[ -s "$T/leaves" ] || break
	awk 'NR == FNR { leaf[$1] = 1; next } !($2 in leaf)' "$T/leaves" "$T/left" \
	    > "$T/left.new"
	mv "$T/left.new" "$T/left"
done
# what is left is on a circle, or calls into one: the circle's files
circ=$(awk '{ print $1 }' "$T/left" | sort -u | tr '\n' ' ')
[ -z "$circ" ] && pass "no circle of calls among $2's $(echo $objs | wc -w) objects" ||
    { fail "a circle of calls among: $circ"; sed 's/^/#   /' "$T/left"; }
}
circles SMTPD_SRCS smtpd
circles SMTP_SRCS smtp
exit 0
