# Sourced by regress/queue/t-*.sh: Dovecot's LMTP server (Debian's
# dovecot-core and dovecot-lmtpd, installed with their services not
# started, see regress/deps.sh) run by the test itself with its own
# configuration, on a private socket and a loopback port.
#
# dovecot_start DIR PORT: users alice, bob, carol, and full (a 1 KiB
# quota); mail in DIR/mail/<user>/Maildir, owned by the mail user.
# Sets DC_SOCK, DC_PORT, DC_MAIL.  1 (after a skip line) without Dovecot.
dovecot_start() {
	if ! command -v dovecot >/dev/null || [ ! -x /usr/lib/dovecot/lmtp ]; then
		skip "dovecot" "dovecot-core and dovecot-lmtpd not installed"
		return 1
	fi
	id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 ||
	    { skip "dovecot" "users dovecot/dovenull missing"; return 1; }
	_dc=$1 DC_PORT=$2
	mkdir -p "$_dc/run" "$_dc/mail"
	chown "$MAIL_USER" "$_dc/mail"
	DC_SOCK=$_dc/lmtp.sock DC_MAIL=$_dc/mail
	printf 'alice:::::::\nbob:::::::\ncarol:::::::\nfull:::::::userdb_quota_rule=*:storage=1K\n' > "$_dc/users"
	_u=$(id -u "$MAIL_USER") _g=$(id -g "$MAIL_USER")
	cat > "$_dc/dovecot.conf" <<EOC
base_dir = $_dc/run
state_dir = $_dc/run
log_path = $_dc/dovecot.log
protocols = lmtp
ssl = no
listen = 127.0.0.1
first_valid_uid = 1
mail_location = maildir:$_dc/mail/%n/Maildir
mail_plugins = quota
passdb {
  driver = passwd-file
  args = $_dc/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $_dc/users
  default_fields = home=$_dc/mail/%n uid=$_u gid=$_g
}
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=100M
}
service lmtp {
  unix_listener $_dc/lmtp.sock {
    mode = 0666
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DC_PORT
  }
}
service anvil {
  chroot =
}
EOC
	dovecot -F -c "$_dc/dovecot.conf" >>"$_dc/dovecot.out" 2>&1 &
	bg_track $!
	wait_port "$DC_PORT" || { fail "dovecot did not start ($(tail -n 2 "$_dc/dovecot.log" "$_dc/dovecot.out" 2>/dev/null | tr '\n' ' '))"; return 1; }
	_i=0
	while [ ! -S "$DC_SOCK" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	return 0
}

# dc_count USER: messages in USER's Maildir
dc_count() { ls "$DC_MAIL/$1/Maildir/new" "$DC_MAIL/$1/Maildir/cur" 2>/dev/null | grep -c '^[0-9]'; }
