#!/bin/sh
# subst.sh sysconfdir libexecdir localstatedir < in > out
# The installed copy of a manual page or sample names the paths the build
# was configured with (make install), and a manual page's .Xr names the
# pages as installed: upas-smtp(8), upas-smtpd(8) and upas-runq(8) (links
# to upas-smtp.8), upas-deliver(8), upas-smtpd.conf(5).
[ $# -eq 3 ] || { echo "usage: subst.sh sysconfdir libexecdir localstatedir" >&2; exit 2; }
exec sed -e "s|/usr/local/etc/upas|@SYSCONF@|g" -e "s|/etc/upas|@SYSCONF@|g" \
    -e "s|@SYSCONF@|$1/upas|g" \
    -e "s|/usr/local/libexec/upas|$2/upas|g" \
    -e "s|/var/spool/upas|$3/spool/upas|g" -e "s|/var/log/upas|$3/log/upas|g" \
    -e "s|/var/empty|$3/empty|g" \
    -e 's/\([. ]\)Xr smtpd\.conf 5/\1Xr upas-smtpd.conf 5/g' \
    -e 's/\([. ]\)Xr smtpd 8/\1Xr upas-smtpd 8/g' \
    -e 's/\([. ]\)Xr smtp 8/\1Xr upas-smtp 8/g' \
    -e 's/\([. ]\)Xr runq 8/\1Xr upas-runq 8/g' \
    -e 's/\([. ]\)Xr deliver 8/\1Xr upas-deliver 8/g'
