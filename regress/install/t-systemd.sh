#!/bin/sh
# etc/smtpd@.service: systemd-analyze security scores it OK (exposure
# <= 4.0), and mail is delivered when smtpd runs as that unit would run
# it: under systemd-socket-activate (what smtpd.socket's Accept=yes does),
# with the unit's capability bounding set and no_new_privs (setpriv).
# systemd is not PID 1 here, so the unit's file system and namespace
# settings are scored, not applied.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
U=$TOP/etc/smtpd@.service
for c in systemd-analyze systemd-socket-activate setpriv swaks; do
	command -v $c >/dev/null || { skip "systemd unit" "$c not installed"; exit 0; }
done
smtpd_setup
sed "s|^ExecStart=.*|ExecStart=$SMTPD -C $CONF|" "$U" > "$T/smtpd@.service"
out=$(systemd-analyze security --offline=true --no-pager "$T/smtpd@.service" 2>&1)
score=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "# exposure $score"
expect "systemd-analyze security: exposure <= 4.0 (got $score)" '^yes$' \
    "$(awk -v s="${score:-99}" 'BEGIN { print (s <= 4.0) ? "yes" : "no" }')"
expect "the unit is OK, not MEDIUM or worse" 'OK' "$(echo "$out" | grep Overall)"

# the unit's CapabilityBoundingSet, as setpriv(1) spells it
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$U" | tr 'A-Z' 'a-z' |
    sed 's/cap_/+/g; s/ /,/g')
expect "the bounding set: chroot, set*id, root opening the mail user's files" \
    '^\+setuid,\+setgid,\+sys_chroot,\+dac_read_search,\+dac_override$' "$caps"
grep -q '^NoNewPrivileges=yes' "$U" && pass "NoNewPrivileges=yes" || fail "NoNewPrivileges=yes"
P=$(freeport)
systemd-socket-activate --accept --inetd -l 127.0.0.1:"$P" \
    setpriv --bounding-set=-all,"$caps" --inh-caps=-all --no-new-privs \
    "$SMTPD" -C "$CONF" >"$T/ssa.out" 2>&1 &
bg_track $!
wait_port "$P" || { fail "systemd-socket-activate did not listen"; exit 0; }
r=$(swaks --server 127.0.0.1:"$P" --timeout 20 --from a@test.example \
    --to u@test.example 2>&1)
expect "delivered under the unit's capabilities: 250" '<-  250 2\.0\.0' "$r"
n=0
while [ "$(maildir_count)" -lt 1 ] && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
expect "the message is in the Maildir" '^1$' "$(maildir_count)"
sleep 0.3
expect "the session child was sandboxed and the parent dropped (no error logged)" \
    '^$' "$(grep -E 'fatal|error|denied|Operation not permitted' "$LOG")"
expect "the logfile (the mail user's, opened by root) has the message line" \
    ' message id=[0-9a-f]{8}\.1 .*result=250' "$(cat "$LOG")"
