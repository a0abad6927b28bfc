#!/bin/sh
# The project stands alone: no file refers to design notes or folders
# outside it (a user has only this tree).  Comments cite RFCs, man pages
# and the project's own files.  The one allowed outside reference is the
# default of SYSROOTS, where the project's CI keeps the BSD headers
# (Makefile, README, regress/bsd/t-bsd.sh).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
cd "$TOP" || exit 1
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	skip "standalone" "not a git checkout"; exit 0
fi
hits=$(git grep -n -I -i -E \
    'shared/|STYLE\.md|DESIGN\.md|upas-behaviou?r|tls-dns-sandbox|peers-and-dns|\bspec [0-9]+\.[0-9]|\bspec/|Plan 9 [0-9]+\.[0-9]' \
    -- . ':!regress/docs/t-standalone.sh' | grep -v -E 'SYSROOTS|shared/sysroots')
expect "no reference outside the project" '^$' "$hits"
