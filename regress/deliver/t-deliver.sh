#!/bin/sh
# deliver(8) run directly: map lookups, Maildir contents byte for byte,
# exit statuses, and no partial files anywhere.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

[ -x "$DELIVER" ] || { fail "deliver not built ($DELIVER)"; exit 0; }
M=$T/m
mkdir -p "$M"
MAP=$T/maildirs
cat > "$MAP" <<EOM
# test map
bob@Example.ORG		$M/bob
postmaster		$M/postmaster
@example.org		$M/dom/%d/%u
@example.net		$M/net/%u
*			$M/all
EOM

# files in new/ (or tmp/) of a Maildir
nnew() { ls "$1/new" 2>/dev/null | wc -l | tr -d ' '; }
ntmp() { ls "$1/tmp" 2>/dev/null | wc -l | tr -d ' '; }
onefile() { ls "$1"/new/* 2>/dev/null | head -n 1; }
# every file under $M, counted
nall() { find "$M" -type f | wc -l | tr -d ' '; }
asmail() { setpriv --reuid="$MAIL_USER" --regid="$MAIL_USER" --clear-groups "$@"; }

# 1. exact bytes
printf 'Subject: one\n\nhello\n' > "$T/in1"
"$DELIVER" -M "$MAP" -i -f alice@example.com -- bob@example.org < "$T/in1"
expect "deliver exits 0" '^0$' "$?"
{ printf 'Return-Path: <alice@example.com>\nDelivered-To: bob@example.org\n'; cat "$T/in1"; } > "$T/want1"
f=$(onefile "$M/bob")
check "exact bytes in new/ (Return-Path, Delivered-To, input)" cmp "$T/want1" "$f"
expect "tmp/ empty afterwards" '^0$' "$(ntmp "$M/bob")"
check "Maildir cur/ exists" test -d "$M/bob/cur"
expect "Maildir mode 0700" '^700$' "$(stat -c %a "$M/bob")"
expect "message mode 0600" '^600$' "$(stat -c %a "$f")"
expect "unique name time.MusecPpidQn.host" '^[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.' "$(basename "$f")"

# 2. null sender, case-insensitive user@domain key
"$DELIVER" -M "$MAP" -i -f "" -- BOB@EXAMPLE.ORG < "$T/in1"
expect "null sender exits 0" '^0$' "$?"
expect "two messages for bob (case-insensitive key)" '^2$' "$(nnew "$M/bob")"
expect "null sender gives Return-Path: <>" '^Return-Path: <>$' "$(grep -h '^Return-Path: <>' "$M"/bob/new/*)"
expect "Delivered-To keeps the address as given" 'Delivered-To: BOB@EXAMPLE.ORG' "$(cat "$M"/bob/new/*)"

# 3. several recipients, %u/%d expansion, precedence
"$DELIVER" -M "$MAP" -i -f a@b.example -- Carol@Example.ORG dave@example.net \
    postmaster@example.org postmaster zed@elsewhere.test < "$T/in1"
expect "several recipients exit 0" '^0$' "$?"
expect "%d/%u lower-cased" '^1$' "$(nnew "$M/dom/example.org/carol")"
expect "@domain with %u" '^1$' "$(nnew "$M/net/dave")"
expect "bare local key beats @domain (both postmasters)" '^2$' "$(nnew "$M/postmaster")"
expect "bare recipient matches local key" '^Delivered-To: postmaster$' "$(grep -h '^Delivered-To: postmaster$' "$M"/postmaster/new/*)"
expect "catch-all gets the rest" '^1$' "$(nnew "$M/all")"
check "no %u directory for the precedence winner" test ! -e "$M/dom/example.org/postmaster"

# 4. sanitising %u
"$DELIVER" -M "$MAP" -i -f a@b.example -- '.hidden@example.net' 'a/b@example.net' '..@example.net' < "$T/in1"
expect "odd local parts exit 0" '^0$' "$?"
check "leading dot becomes _" test -d "$M/net/_hidden/new"
check "slash becomes _" test -d "$M/net/a_b/new"
check "'..' cannot climb" test -d "$M/net/_./new"
check "nothing outside the map's tree" test ! -e "$M/hidden"

# 5. duplicates: one copy
"$DELIVER" -M "$MAP" -i -f a@b.example -- x@dup.test X@DUP.TEST x@dup.test < "$T/in1"
expect "duplicate recipients: one copy" '^1$' "$(grep -l 'Delivered-To: x@dup.test' "$M"/all/new/* | wc -l | tr -d ' ')"

# 6. unmapped -> 67, nothing written
cat > "$T/strict" <<EOM
ok@strict.test	$M/strict-ok
EOM
before=$(nall)
"$DELIVER" -M "$T/strict" -i -f a@b -- ok@strict.test nobody@strict.test < "$T/in1" 2>"$T/err6"
expect "unmapped recipient exits 67" '^67$' "$?"
expect "unmapped recipient named on stderr" 'nobody@strict.test' "$(cat "$T/err6")"
expect "nothing written when one is unmapped" "^$before\$" "$(nall)"
check "no Maildir made for the mapped one" test ! -e "$M/strict-ok"

# 7. usage and config errors
"$DELIVER" -M "$MAP" -i -- bob@example.org < "$T/in1" 2>/dev/null
expect "no -f exits 64" '^64$' "$?"
"$DELIVER" -M "$MAP" -i -f a@b < "$T/in1" 2>/dev/null
expect "no recipient exits 64" '^64$' "$?"
"$DELIVER" -M "$MAP" -x -i -f a@b -- bob@example.org < "$T/in1" 2>/dev/null
expect "unknown flag exits 64" '^64$' "$?"
"$DELIVER" -M "$T/nonexistent" -i -f a@b -- bob@example.org < "$T/in1" 2>/dev/null
expect "missing map exits 78" '^78$' "$?"
printf 'bob@example.org relative/path\n' > "$T/badmap"
"$DELIVER" -M "$T/badmap" -i -f a@b -- bob@example.org < "$T/in1" 2>"$T/err7"
expect "relative path in map exits 78" '^78$' "$?"
expect "map error names the line" 'line 1' "$(cat "$T/err7")"
printf '* /x/%%z\n' > "$T/badmap2"
"$DELIVER" -M "$T/badmap2" -i -f a@b -- bob@example.org < "$T/in1" 2>/dev/null
expect "unknown %% escape exits 78" '^78$' "$?"
"$DELIVER" -M "$MAP" -i -f "$(printf 'a\rb')" -- bob@example.org < "$T/in1" 2>/dev/null
expect "CR in sender exits 65" '^65$' "$?"

# 8. NULs and long lines, byte-exact; non-seekable input to several recipients
python3 -c '
import sys, random
r = random.Random(7)
sys.stdout.buffer.write(b"Subject: bin\n\n" + bytes(r.randrange(256) for _ in range(70000)) +
    b"\0\0\0" + b"x" * 200000 + b"\n\0end")' > "$T/in8"
"$DELIVER" -M "$MAP" -i -f a@b -- nul@example.net < "$T/in8"
expect "NUL/long-line message exits 0" '^0$' "$?"
{ printf 'Return-Path: <a@b>\nDelivered-To: nul@example.net\n'; cat "$T/in8"; } > "$T/want8"
check "NULs and long lines copied byte-exact" cmp "$T/want8" "$(onefile "$M/net/nul")"
cat "$T/in8" | "$DELIVER" -M "$MAP" -i -f a@b -- p1@example.net p2@example.net
expect "piped input to two recipients exits 0" '^0$' "$?"
{ printf 'Return-Path: <a@b>\nDelivered-To: p2@example.net\n'; cat "$T/in8"; } > "$T/want8b"
check "piped input: second copy byte-exact" cmp "$T/want8b" "$(onefile "$M/net/p2")"

# stdin at an offset: only the rest is the message
{ printf 'SKIPME'; cat "$T/in1"; } > "$T/in9"
( exec 3<"$T/in9"; dd bs=1 count=6 of=/dev/null <&3 2>/dev/null; "$DELIVER" -M "$MAP" -i -f a@b -- off@example.net <&3 )
{ printf 'Return-Path: <a@b>\nDelivered-To: off@example.net\n'; cat "$T/in1"; } > "$T/want9"
check "read from stdin's current offset" cmp "$T/want9" "$(onefile "$M/net/off")"

# 9. a 10 MB message
head -c 10485760 /dev/urandom | od -An -tx1 -v | head -c 10485760 > "$T/big"
"$DELIVER" -M "$MAP" -i -f a@b -- big@example.net < "$T/big"
expect "10 MB message exits 0" '^0$' "$?"
expect "10 MB message size" "^$((10485760 + 49))\$" "$(stat -c %s "$(onefile "$M/net/big")")"
check "10 MB message byte-exact" sh -c "tail -c 10485760 '$(onefile "$M/net/big")' | cmp - '$T/big'"

# 10. as the mail user
mkdir -p "$T/u"; chown "$MAIL_USER" "$T/u"
printf '* %s/u/%%u/Maildir\n' "$T" > "$T/umap"; chmod 644 "$T/umap"
asmail "$DELIVER" -M "$T/umap" -i -f a@b -- joe@x.test < "$T/in1"
expect "as $MAIL_USER exits 0" '^0$' "$?"
f=$(onefile "$T/u/joe/Maildir")
expect "file owned by $MAIL_USER" "^$MAIL_USER\$" "$(stat -c %U "$f" 2>/dev/null)"

# 11. unwritable Maildir -> 73, nothing half-written
mkdir -p "$T/ro/Maildir/tmp" "$T/ro/Maildir/new" "$T/ro/Maildir/cur"; chmod 755 "$T/ro" "$T/ro/Maildir"
printf '* %s/ro/Maildir\n' "$T" > "$T/romap"; chmod 644 "$T/romap"
asmail "$DELIVER" -M "$T/romap" -i -f a@b -- joe@x.test < "$T/in1" 2>"$T/err11"
expect "unwritable Maildir exits 73" '^73$' "$?"
expect "unwritable Maildir: nothing in new/" '^0$' "$(nnew "$T/ro/Maildir")"
printf '* /proc/nope/Maildir\n' > "$T/procmap"; chmod 644 "$T/procmap"
asmail "$DELIVER" -M "$T/procmap" -i -f a@b -- joe@x.test < "$T/in1" 2>/dev/null
rc=$?
expect "uncreatable Maildir exits 73 or 75" '^(73|75)$' "$rc"
asmail "$DELIVER" -M "$T/umap" -i -f a@b -- j1@x.test j2@x.test < "$T/in1" 2>/dev/null &&
chmod 500 "$T/u/j2/Maildir/tmp"
asmail "$DELIVER" -M "$T/umap" -i -f a@b -- j1@x.test j2@x.test < "$T/in1" 2>/dev/null
expect "one unwritable of two exits 73" '^73$' "$?"
expect "checked before writing: first recipient got nothing more" '^1$' "$(nnew "$T/u/j1/Maildir")"

# 12. file size limit mid-copy -> temporary failure, tmp/ cleaned
sh -c "trap '' XFSZ; ulimit -f 200; exec '$DELIVER' -M '$MAP' -i -f a@b -- fsz@example.net" < "$T/big" 2>"$T/err12"
expect "write error mid-copy exits 75" '^75$' "$?"
expect "write error: new/ empty" '^0$' "$(nnew "$M/net/fsz")"
expect "write error: tmp/ empty" '^0$' "$(ntmp "$M/net/fsz")"
expect "write error on stderr" 'tempfail' "$(cat "$T/err12")"

# 13. a tiny tmpfs: ENOSPC -> 75
mkdir -p "$T/full"
if mount -t tmpfs -o size=256k tmpfs "$T/full" 2>/dev/null; then
	printf '* %s/full/Maildir\n' "$T" > "$T/fullmap"
	"$DELIVER" -M "$T/fullmap" -i -f a@b -- joe@x.test < "$T/big" 2>"$T/err13"
	expect "ENOSPC exits 75" '^75$' "$?"
	expect "ENOSPC: nothing in new/ or tmp/" '^0 0$' "$(nnew "$T/full/Maildir") $(ntmp "$T/full/Maildir")"
	umount "$T/full"
else
	skip "ENOSPC exits 75" "cannot mount tmpfs here"
fi

# nothing anywhere left in a tmp/
expect "no tmp/ file left anywhere" '^0$' "$(find "$T" -type f | sed "s,^$T,," | grep -c '/tmp/')"
exit 0
