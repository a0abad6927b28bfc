#!/bin/sh
# Tagging with norelay (smtpd.conf(5), norelay): X-warning lines for an untrusted peer
# claiming our domain in the envelope, in Sender: (a Sender: that does not
# ends the check: a mailing list) and in From:, before the original header.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/policy/common.sh"
need_smtpd
smtpd_setup
cat >> "$CONF" <<EOC
norelay on
ourdomains *.ours.example
ournets 10.0.0.0/8
EOC
PU=$(freeport)
start_smtpd "$PU" || exit 0

# send FROM HEADER-LINES...: deliver one message, its file in $F
n=0
send() {
	f=$1; shift
	n=$((n + 1))
	{ for l in "$@"; do printf '%s\r\n' "$l"; done
	  printf 'Subject: tag %s\r\n\r\nbody\r\n' "$n"; } > "$T/m$n"
	before=$(maildir_count)
	MSG=$T/m$n
	r=$(sendmsg "$PORT" "$f" u@ours.example)
	i=0
	while [ "$(maildir_count)" -le "$before" ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	F=$(maildir_last)
	[ "$(maildir_count)" -gt "$before" ] || F=/dev/null
	TAGS=$(grep '^X-warning' "$F" | tr '\n' '|')
}
PORT=$PU

send a@client.example 'From: Eve <eve@ours.example>'
expect "From: claiming our domain: tagged, message delivered" \
    "^X-warning: suspect From: domain\|$" "$TAGS"
expect "the tags come before the original header, after Received:" \
    "^(Return-Path\|Delivered-To\|)?Received\|X-warning\|From\|Subject\|$" \
    "$(awk '/^$/ { exit } /^[A-Za-z-]+:/ { sub(/:.*/, ""); printf "%s|", $0 }' "$F")"

send a@client.example 'From: x@foreign.example (ours.example)'
expect "a foreign From: (our name only in a comment): no tag" "^$" "$TAGS"

send a@client.example 'Sender: list-owner@lists.foreign.example' 'From: eve@ours.example'
expect "a foreign Sender: (mailing list) ends the check: no From: tag" "^$" "$TAGS"

send a@client.example 'Sender: s@sub.ours.example' 'From: "Eve, E." <eve@ours.example>, b@foreign.example'
expect "Sender: and From: both claiming us: both tags, in that order" \
    "^X-warning: suspect Sender: domain\|X-warning: suspect From: domain\|$" "$TAGS"

send spoof@ours.example 'From: Eve' ' <eve@ours.example>'
expect "envelope and a folded From: both tagged, envelope first" \
    "^X-warning: suspect envelope domain\|X-warning: suspect From: domain\|$" "$TAGS"

send a@client.example 'From: ours.example!eve' 'From: undisclosed:;'
expect "a bang-path From: by its first element; an empty group untagged" \
    "^X-warning: suspect From: domain\|$" "$TAGS"

send a@client.example 'From: a@client.example'
expect "a foreign From: no tag" "^$" "$TAGS"
sleep 0.3
expect "header tags logged with reason" \
    'policy .*from-field="eve@ours.example" action=tag reason=spoofed-domain' "$(cat "$LOG")"

# trusted peers and norelay off: no tagging
TCONF=$CONF
CONF=$T/trusted.conf
sed 's,^ournets .*,ournets 127.0.0.0/8,' "$TCONF" > "$CONF"
PORT=$(freeport)
start_smtpd "$PORT" || exit 0
send spoof@ours.example 'Sender: s@ours.example' 'From: eve@ours.example'
expect "trusted peer: delivered, never tagged" "^$" "$TAGS$( [ "$F" = /dev/null ] && echo undelivered)"
CONF=$T/relay.conf
sed 's,^norelay .*,norelay off,' "$TCONF" > "$CONF"
PORT=$(freeport)
start_smtpd "$PORT" || exit 0
send a@client.example 'From: eve@ours.example'
expect "norelay off: delivered, not tagged" "^$" "$TAGS$( [ "$F" = /dev/null ] && echo undelivered)"
