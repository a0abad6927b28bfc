#!/bin/sh
# testssl.sh (https://testssl.sh/) against smtpd's STARTTLS: the protocol
# versions (-p), the cipher categories (-s) and the vulnerability checks
# (-U), on loopback only, no DNS, no phoning out.  Every finding of
# severity MEDIUM, HIGH or CRITICAL is a "not ok".  The per-cipher scan
# (-e) and the curve list (-f) are left out: hundreds of handshakes, which
# take minutes; the categories, ROBOT's finding and an openssl s_client
# probe without ECDHE say what they would (only ECDHE with AEAD).
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/tls/common.sh"

case "${UPAS_TEST:-}:${UPAS_BIN:-}" in
asan:* | */obj-asan)
	skip "testssl.sh" "scans the TLS configuration, not memory: plain pass only"
	exit 0 ;;
esac
# Debian installs it as testssl, upstream as testssl.sh
TESTSSL=$(command -v testssl.sh || command -v testssl) ||
    { skip "testssl.sh" "testssl.sh not installed (regress/deps.sh)"; exit 0; }

smtpd_setup
tls_certs || exit 1
tls_passwd
tls_conf rsa "$T/rsa.crt" "$T/rsa.key"
P=$(freeport); tls_start_server "$P" "$T/rsa.conf" || exit 1

# --ip and -n none: no lookups at all; --warnings off: never prompts;
# the timeouts bound a stuck handshake, timeout(1) the whole scan: about
# 65 handshakes, each a few bash forks, 150 s on 2 busy cores.
J=$T/testssl.json
start=$(date +%s)
(cd "$T" && timeout -k 5 300 "$TESTSSL" --quiet --color 0 --warnings off \
    --ip 127.0.0.1 -n none --connect-timeout 10 --openssl-timeout 10 \
    --jsonfile "$J" -t smtp -p -s -U 127.0.0.1:"$P") >"$T/testssl.out" 2>&1
rc=$?
echo "# testssl.sh took $(( $(date +%s) - start )) s, exit $rc"
[ -s "$J" ] || { fail "testssl.sh wrote its JSON findings"; tail -20 "$T/testssl.out"; exit 0; }

python3 - "$J" <<'EOF'
import json, sys

f = {x["id"]: x for x in json.load(open(sys.argv[1]))}
def ok(c, what):
    print(("ok - " if c else "not ok - ") + what)
def fnd(i):
    return f.get(i, {}).get("finding", "(missing)")

ok("scanTime" in f and f["scanTime"]["severity"] != "WARN",
   "testssl.sh scan finished (%s)" % fnd("scanTime"))
for i in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    ok(fnd(i).startswith("not offered"), "%s not offered (%s)" % (i, fnd(i)))
for i in ("TLS1_2", "TLS1_3"):
    ok(fnd(i).startswith("offered"), "%s offered (%s)" % (i, fnd(i)))

# Only ECDHE (or TLS 1.3) with AEAD: no cipher outside the "strong"
# (AEAD) category and no RSA key transport (ROBOT would name it); no
# finite-field DHE either: the s_client probe below.
weak = [i for i in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
    "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE")
    if not fnd(i).startswith("not offered")]
ok(not weak, "no NULL, anonymous, export, LOW, 3DES or CBC cipher offered %s" % weak)
ok(fnd("cipherlist_STRONG").startswith("offered"), "AEAD ciphers offered")
ok("no RSA key transport" in fnd("ROBOT") or
   "not support any cipher suites that use RSA key transport" in fnd("ROBOT"),
   "no RSA key transport (%s)" % fnd("ROBOT"))

# -U: every vulnerability it knows must have been checked
vulns = ("heartbleed", "CCS", "ROBOT", "secure_renego",
    "secure_client_renego", "CRIME_TLS", "POODLE_SSL", "fallback_SCSV",
    "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13", "RC4")
missing = [i for i in vulns if i not in f]
bad = [x for x in f.values() if x["severity"] in ("MEDIUM", "HIGH", "CRITICAL")]
for x in bad:
    ok(False, "testssl.sh %s %s: %s" % (x["id"], x["severity"], x["finding"]))
ok(not missing, "testssl.sh checked every vulnerability %s" %
   ("" if not missing else "(missing: %s)" % " ".join(missing)))
ok(not bad, "testssl.sh found no vulnerability (no MEDIUM/HIGH/CRITICAL finding)")
EOF

# What -e would have said, in one handshake: no TLS 1.2 key exchange but
# ECDHE (no RSA key transport, no finite-field DHE).
out=$(printf 'QUIT\r\n' | timeout 20 openssl s_client -connect 127.0.0.1:"$P" \
    -starttls smtp -tls1_2 -cipher 'ALL:!ECDHE:@SECLEVEL=0' 2>&1)
expect "s_client TLS 1.2 without ECDHE: refused" 'no (shared )?cipher|handshake failure|alert' "$out"
exit 0
