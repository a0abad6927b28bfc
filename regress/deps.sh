#!/bin/sh
# Install what building, `make run` and `make test` need, when it is missing.
# Debian/Ubuntu with apt-get, as root; elsewhere it only checks.
PKGS="build-essential pkg-config libtls-dev libbsd-dev libunbound-dev libssl-dev libwolfssl-dev
libcrypt-dev ucspi-tcp swaks mandoc bmake clang libclang-rt-14-dev unbound nsd
ldnsutils dnsutils msmtp openssl python3 systemd patchelf valgrind libevent-dev
libnet-ssleay-perl libdigest-hmac-perl libio-socket-inet6-perl libmd-dev gdb iproute2
libnsl2 libdb5.3 libgnutls-dane0 libidn12 dovecot-core dovecot-lmtpd libidn2-dev
fail2ban debhelper dpkg-dev lintian testssl.sh"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PKGS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		    missing="$missing $p"
	done
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "deps: missing:$missing (install them as root)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Packaged daemons must not start on install: the tests run their own.
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	apt-get update -qq >/dev/null || true
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	    { echo "deps: apt-get install failed" >&2; exit 1; }
	rm -f /usr/sbin/policy-rc.d
fi

# The two unprivileged users of the privilege split (smtpd.conf: user, mailuser).
if [ "$(id -u)" = 0 ]; then
	for u in _upassmtpd _upasmail; do
		id "$u" >/dev/null 2>&1 ||
		    useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$u" 2>/dev/null ||
		    useradd -r -s /sbin/nologin "$u"
	done
fi
exit 0
