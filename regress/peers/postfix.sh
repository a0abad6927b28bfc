# A private Postfix (Debian's package unpacked, not installed) on loopback.
# Source after regress/lib.sh:
#	. "$TOP/regress/peers/postfix.sh"
#	postfix_start PORT [options]	|| skip ...
#	...  mail lands in $POSTFIX_MAILDIR/new ($T/postfix-PORT/Maildir)
#	postfix_stop [PORT]
# Options:
#	-a ADDR		listen on ADDR:PORT (repeatable; default 127.0.0.1)
#	-c CHAIN -k KEY	offer STARTTLS with this certificate chain (PEM, leaf
#			first) and key
#	-s PORT		also SMTPS (wrappermode) on ADDR:PORT (needs -c/-k)
#	-r 'RCPT CODE TEXT'  reject that recipient (check_recipient_access),
#			e.g. -r 'bad@x.test 550 5.1.1 no such user'; repeatable;
#			RCPT may be a domain or user@ (access(5) syntax)
#	-o NAME=VALUE	extra main.cf parameter (repeatable)
# Every recipient of every domain goes to one Maildir (virtual, static:all);
# nothing is ever relayed (default_transport = error).  Sets POSTFIX_DIR,
# POSTFIX_MAILDIR, POSTFIX_LOG (maillog_file), POSTFIX_PORT, POSTFIX_PREFIX;
# postfix_bin NAME prints the path of a Postfix program (smtp-sink, ...).
. "${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/peers/common.sh"

_postfix_masters=""

postfix_prefix() {
	[ -n "$POSTFIX_PREFIX" ] && [ -f "$POSTFIX_PREFIX/.unpacked" ] && return 0
	POSTFIX_PREFIX=$(peer_fetch postfix) || return 1
	export POSTFIX_PREFIX
}

postfix_bin() {
	postfix_prefix || return 1
	for d in usr/sbin usr/lib/postfix/sbin; do
		[ -x "$POSTFIX_PREFIX/$d/$1" ] && { echo "$POSTFIX_PREFIX/$d/$1"; return 0; }
	done
	return 1
}

postfix_start() {
	port=$1; shift
	addrs= cert= key= sport= rejects= extra=
	while [ $# -gt 0 ]; do
		case $1 in
		-a) addrs="$addrs $2"; shift 2 ;;
		-c) cert=$2; shift 2 ;;
		-k) key=$2; shift 2 ;;
		-s) sport=$2; shift 2 ;;
		-r) rejects="$rejects$2
"; shift 2 ;;
		-o) extra="$extra$2
"; shift 2 ;;
		*) echo "postfix_start: bad option $1" >&2; return 1 ;;
		esac
	done
	[ -n "$addrs" ] || addrs=127.0.0.1
	postfix_prefix || return 1
	peer_user postfix postfix
	getent group postdrop >/dev/null || groupadd -r postdrop
	pf=$POSTFIX_PREFIX
	d=$T/postfix-$port
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/data" "$d/mail" "$d/spool"
	chmod 755 "$d" "$d/etc" "$d/mail"
	for q in active bounce corrupt defer deferred flush hold incoming private \
	    saved trace; do
		mkdir -p "$d/spool/$q"; chown postfix "$d/spool/$q"; chmod 700 "$d/spool/$q"
	done
	mkdir -p "$d/spool/maildrop" "$d/spool/public" "$d/spool/pid"
	chown postfix:postdrop "$d/spool/maildrop" "$d/spool/public"
	chmod 730 "$d/spool/maildrop"; chmod 710 "$d/spool/public"
	chown postfix "$d/data" "$d/mail"; chmod 700 "$d/data"
	cp "$pf/usr/share/postfix/dynamicmaps.cf" "$d/etc/" 2>/dev/null
	cp "$pf/etc/postfix/postfix-files" "$d/etc/" 2>/dev/null
	: > "$d/maillog"; chown postfix "$d/maillog"
	printf '%s' "$rejects" | sed '/^$/d' > "$d/etc/rcpt_access"
	uid=$(id -u postfix); gid=$(id -g postfix)
	cat > "$d/etc/main.cf" <<EOC
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/spool
data_directory = $d/data
meta_directory = $d/etc
daemon_directory = $pf/usr/lib/postfix/sbin
command_directory = $pf/usr/sbin
shlib_directory = $pf/usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = postfix.test
mydomain = test
myorigin = postfix.test
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = static:all
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 1
virtual_mailbox_limit = 0
message_size_limit = 52428800
default_transport = error:no mail leaves a test Postfix
relay_transport = error:no mail leaves a test Postfix
local_transport = error:no local delivery
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$d/etc/rcpt_access, permit
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
disable_dns_lookups = yes
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
in_flow_delay = 0
default_process_limit = 100
biff = no
maillog_file = $d/maillog
maillog_file_prefixes = $d
smtpd_banner = \$myhostname ESMTP test Postfix
EOC
	if [ -n "$cert" ]; then
		cat >> "$d/etc/main.cf" <<EOC
smtpd_tls_chain_files = $key, $cert
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
tls_random_source = dev:/dev/urandom
EOC
	fi
	printf '%s' "$extra" | sed '/^$/d' >> "$d/etc/main.cf"
	{
	for a in $addrs; do
		printf '%s:%s inet n - n - - smtpd\n' "$a" "$port"
		[ -n "$sport" ] && printf '%s:%s inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=encrypt\n' "$a" "$sport"
	done
	cat <<EOC
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOC
	} > "$d/etc/master.cf"
	chmod 644 "$d/etc/"*
	"$pf/usr/lib/postfix/sbin/master" -c "$d/etc" -d >"$d/master.out" 2>&1 &
	pid=$!
	peer_track $pid
	_postfix_masters="$_postfix_masters $port:$pid"
	POSTFIX_DIR=$d; POSTFIX_MAILDIR=$d/mail/Maildir; POSTFIX_LOG=$d/maillog
	POSTFIX_PORT=$port
	export POSTFIX_DIR POSTFIX_MAILDIR POSTFIX_LOG POSTFIX_PORT
	for a in $addrs; do
		peer_banner "$port" "$a" || {
			echo "postfix_start: nothing on $a:$port; master said:" >&2
			tail -n 5 "$d/master.out" "$d/maillog" >&2
			return 1
		}
	done
	return 0
}

# postfix_stop [PORT]: the given instance, else every one started
postfix_stop() {
	left=
	for e in $_postfix_masters; do
		p=${e%%:*}; pid=${e#*:}
		if [ -z "$1" ] || [ "$1" = "$p" ]; then
			kill "$pid" 2>/dev/null
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
				sleep 0.1; i=$((i + 1))
			done
		else
			left="$left $e"
		fi
	done
	_postfix_masters=$left
	return 0
}
