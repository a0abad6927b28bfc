# Shared setup for regress/tls/t-*.sh (sourced after regress/lib.sh).
# tls_certs: an RSA and an ECDSA self-signed certificate in $T.
# tls_passwd: $T/passwd with alice (password "wonderland", CRAM secret
#   "cheshire-cat") and bob (password only).
# tls_conf NAME CERT KEY [extra config lines]: $T/NAME.conf from $CONF.

TLSDIR=$TOP/regress/tls
TLSC="python3 $TLSDIR/tlsc.py"

tls_certs() {
	for k in rsa ec; do
		case $k in
		rsa) opt="-newkey rsa:2048" ;;
		ec) opt="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
		esac
		# shellcheck disable=SC2086
		openssl req -x509 $opt -nodes -keyout "$T/$k.key" -out "$T/$k.crt" \
		    -subj /CN=mx.test.example -days 30 >/dev/null 2>&1 ||
		    { fail "openssl req $k"; return 1; }
		chmod 600 "$T/$k.key"
	done
}

tls_passwd() {
	h1=$(openssl passwd -6 wonderland)
	h2=$(openssl passwd -6 builder)
	printf '# user:crypt-hash[:cram-md5-secret]\nalice:%s:cheshire-cat\nbob:%s\n' \
	    "$h1" "$h2" > "$T/passwd"
	chown root:"$MAIL_USER" "$T/passwd"
	chmod 640 "$T/passwd"
}

tls_conf() {	# name cert key [lines...]
	_n=$1; _c=$2; _k=$3; shift 3
	cp "$CONF" "$T/$_n.conf"
	{
		echo "cert $_c"
		echo "key $_k"
		echo "passwd $T/passwd"
		echo "ticketkeys $T/ticketkeys"
		for _l in "$@"; do echo "$_l"; done
	} >> "$T/$_n.conf"
}

# tls_start_server PORT CONF [flags]: like tcpserver_start with another config
tls_start_server() {
	port=$1; cf=$2; shift 2
	tcpserver -R -H -l 0 -c 200 -b 100 127.0.0.1 "$port" "$SMTPD" -C "$cf" "$@" \
	    >>"$T/tcpserver.out" 2>&1 &
	bg_track $!
	wait_port "$port" || { fail "tcpserver on $port did not start"; return 1; }
}
