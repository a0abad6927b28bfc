# Sourced by regress/queue/t-*.sh after lib.sh: smtpd with a queue and
# routes ($QCONF), runq ($RUNQ), the local domain local.test delivered by
# the built-in Maildir delivery (users s, a, b), and a message sender.
RUNQ=$BIN/runq/runq
queue_setup() {	# extra routes lines on stdin
	smtpd_setup
	BUILTIN=$("$SMTPD" -C /dev/null -T 2>/dev/null | awk '$1 == "mailer" { print $2 }')
	QDIR=$T/queue
	mkdir -p "$QDIR" "$T/local"
	chown "$MAIL_USER" "$QDIR" "$T/local"; chmod 700 "$QDIR"
	printf 's@local.test %s/local/s/Maildir\na@local.test %s/local/a/Maildir\nb@local.test %s/local/b/Maildir\n' \
	    "$T" "$T" "$T" > "$T/maildirs2"
	{ echo "local.test local"; cat; } > "$T/routes"
	QCONF=$T/queue.conf
	sed "s|^mailer .*|mailer $BUILTIN -M $T/maildirs2|" "$CONF" > "$QCONF"
	cat >> "$QCONF" <<EOC
norelay on
ourdomains local.test dove.test inner.test down.test *.sub.test *.inner.test
routes $T/routes
queue $QDIR
runq $RUNQ
smtp $SMTP
EOC
}

# qsend PORT SENDER RCPT... < message: the RCPT refusals, then the reply
# to DATA ("250 2.0.0 Ok, queued as ID")
qsend() {
	python3 -c '
import smtplib, sys
port, sender, rcpts = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
data = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("client.test")
s.mail(sender)
ok = 0
for r in rcpts:
    c, m = s.rcpt(r)
    if c == 250: ok += 1
    else: print("rcpt", r, c, m.decode(errors="replace"))
if ok:
    c, m = s.data(data)
    print(c, m.decode(errors="replace"))
s.quit()
' "$@"
}

# queue_wait [SECONDS]: until no entry is left (10 s)
queue_wait() {
	_n=0
	while [ $_n -lt $((${1:-10} * 10)) ]; do
		ls "$QDIR" | grep -v '^tmp\.' | grep -q '\.c$' || return 0
		sleep 0.1; _n=$((_n + 1))
	done
	return 1
}
# entries (ID.c); tmp.* are writes that never finished
qcount() { ls "$QDIR" | grep -v '^tmp\.' | grep -c '\.c$'; }
lcount() { ls "$T/local/$1/Maildir/new" 2>/dev/null | grep -c .; }
