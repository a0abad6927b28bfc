# Shared by regress/policy/t-*.sh, after regress/lib.sh.
SMTPC="python3 $TOP/regress/policy/smtpc.py"
MSG=$T/msg.txt
printf 'Subject: policy test\r\nFrom: a@example.org\r\n\r\nhello\r\n' > "$MSG"

# conv PORT steps...: the transcript
conv() { p=$1; shift; $SMTPC "$p" "$@" < /dev/null 2>&1; }
# line STEP transcript: the reply line of that step
line() { printf '%s\n' "$2" | awk -v s="$1 " 'index($0, s) == 1' | tail -n 1; }

# start_smtpd PORT [flags]: a fresh tcpserver with $CONF
start_smtpd() { tcpserver_start "$@"; }

# send a whole message: PORT FROM RCPT [more steps]
sendmsg() {
	p=$1 f=$2 r=$3; shift 3
	conv "$p" ehlo:client.example mail:"$f" rcpt:"$r" data body:"$MSG" "$@" quit
}

need_smtpd() {
	if [ ! -x "$SMTPD" ]; then skip "$TNAME" "smtpd not built"; exit 0; fi
}
