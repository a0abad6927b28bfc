#!/bin/sh
# `make bench' runs (regress/bench/run.sh, QUICK=1, our smtpd and the
# privilege-separated floor only: the figures are benchmarks, never checked here) and loses
# nothing: every message smtp-source had accepted is delivered once.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"
. "$TOP/regress/peers/sink.sh"
sink_bins || { skip "make bench" "no smtp-source (postfix package not unpacked)"; exit 0; }
out=$(QUICK=1 CAP=6 ROUNDS=2 SERVERS="ours privfloor" UPAS_TEST="${TNAME}-run" \
    timeout 300 sh "$TOP/regress/bench/run.sh" 2>&1)
echo "$out" > "$T/bench.out"
expect "bench: the first line describes the machine" '^machine: cores=[0-9]+ ' \
    "$(echo "$out" | head -n 1)"
expect "bench: every cell has a figure for ours" '^single +1024 +10 +[0-9.]+' \
    "$(echo "$out" | grep '^single  *1024  *10 ')"
expect "bench: the c=10 cell taken twice, with medians" \
    '^  ours +[0-9.]+ [0-9.]+ +median [0-9.]+$' \
    "$(echo "$out" | grep -A1 '^single 1024 c=10, 2 rounds')"
expect "bench: exactly-once check passed" '^exactly-once: ok' \
    "$(echo "$out" | grep '^exactly-once')"
expect "bench: nothing lost or duplicated" '^0$' \
    "$(echo "$out" | grep -c -e LOST -e DUPLICATES)"
expect "bench: memory of one session measured" 'ours +[0-9]+ kB \(parent \+ child' \
    "$(echo "$out" | grep -A2 '^memory:')"
expect "bench: STARTTLS load against ours, with the clients' CPU" \
    '^  ours +full=[0-9.]+ \(client cpu [0-9.]+ ms\) resumed=[0-9.]+ ' \
    "$(echo "$out" | grep -A6 '^starttls:' | grep '^  ours ')"
expect "bench: the last line, for scripts" \
    '^bench: c=10 size=1024 ours=[0-9.]+ ours_cert=[0-9.]+ ours_tls=[0-9.]+ postfix=n/a postfix_tls=n/a floor=n/a privsep_floor=[0-9.]+ cert/plain=[0-9.]+ tls/postfix_tls=n/a ours/privsep_floor=[0-9.]+$' \
    "$(echo "$out" | tail -n 1)"
