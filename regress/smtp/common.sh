# Shared by regress/smtp/t-*.sh (after regress/lib.sh): a CA and a server
# certificate for 127.0.0.1/localhost, a client config, the scripted server.

[ -x "$SMTP" ] || { skip "smtp client" "$SMTP not built"; exit 0; }

# smtp_certs: $T/ca.crt, $T/srv.crt (chain: leaf, CA), $T/srv.key
smtp_certs() {
	(
	cd "$T" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=test-ca \
	    -keyout ca.key -out ca.crt -addext basicConstraints=critical,CA:TRUE
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
	    -keyout srv.key -out srv.csr
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	    -days 30 -extfile san.ext -out srv.leaf
	cat srv.leaf ca.crt > srv.crt
	) >"$T/certs.log" 2>&1
}

# smtp_conf [extra lines]: $SCONF for smtp -C
smtp_conf() {
	SCONF=$T/smtp.conf
	{
		echo "timeout 5"
		echo "connecttimeout 3"
		echo "cafile $T/ca.crt"
		echo "netrc $T/netrc"
		echo "helo client.test.example"
		echo "hostname client.test.example"
		for l in "$@"; do echo "$l"; done
	} > "$SCONF"
}

# scripted PORT MODE [args]: the scripted server of scripted.py
scripted() {
	sp=$1; sm=$2; shift 2
	python3 "$TOP/regress/smtp/scripted.py" -p "$sp" -m "$sm" \
	    -l "$T/script-$sp.log" -o "$T/script-$sp.data" "$@" \
	    >>"$T/scripted.out" 2>&1 &
	bg_track $!
}

# run_smtp [smtp args]: stdin the message; $OUT stderr, $RC status
run_smtp() {
	"$SMTP" -C "$SCONF" "$@" >"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stderr")
	if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$T/stderr"; then
		fail "sanitizer report from smtp $*"
		cp "$T/stderr" "$T/sanitizer.$$.$RC"
	fi
}
