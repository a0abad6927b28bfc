#!/bin/sh
# privsep/sandbox_capsicum.c against a model of FreeBSD's Capsicum
# (capsicum-test.c): the rights each kept descriptor ends up with.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
d=$T
cd "$TOP" || exit 1
if ! ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
    -Wno-missing-prototypes -Iregress/bsd/capsicum -Iprivsep \
    -o "$d/capsicum-test" regress/bsd/capsicum-test.c 2>"$d/err"; then
	echo "not ok - capsicum-test.c compiles"
	sed 's/^/# /' "$d/err"
	exit 1
fi
"$d/capsicum-test"
