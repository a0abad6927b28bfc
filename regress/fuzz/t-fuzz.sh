#!/bin/sh
# Build every libFuzzer harness (build.sh) and run each for FUZZTIME seconds
# (default 15) on a temporary copy of regress/fuzz/corpus/NAME/.
. "${UPAS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/regress/lib.sh"

FZ=$TOP/regress/fuzz
case "$TNAME" in
asan:*) skip "fuzz" "the harnesses are ASan+UBSan builds already; run in the plain pass"; exit 0 ;;
esac
FUZZTIME=${FUZZTIME:-8}
if ! command -v clang >/dev/null 2>&1; then
	skip "fuzz" "no clang"; exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
    clang -x c -fsanitize=fuzzer -o "$T/probe" - >/dev/null 2>&1; then
	skip "fuzz" "clang without libFuzzer (libclang-rt-dev)"; exit 0
fi
for h in "$FZ"/fuzz-*.c; do
	[ -f "$h" ] || continue
	name=$(basename "$h" .c)
	short=${name#fuzz-}
	if ! sh "$FZ/build.sh" "$short" >"$T/build-$short.log" 2>&1; then
		fail "$name builds"; sed 's/^/#   /' "$T/build-$short.log" | tail -15
		continue
	fi
	pass "$name builds"
	c=$T/corpus-$short
	rm -rf "$c"; mkdir -p "$c"
	[ -d "$FZ/corpus/$short" ] && cp -R "$FZ/corpus/$short/." "$c/"
	mkdir -p "$T/art-$short"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    timeout -k 5 $((FUZZTIME + 60)) "$FZ/bin/$name" -max_total_time="$FUZZTIME" \
	    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$T/art-$short/" "$c" >"$T/run-$short.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/run-$short.log")
	if [ $rc -eq 0 ]; then
		pass "$name ran ${FUZZTIME}s, ${runs:-?} inputs, no crash"
	else
		fail "$name exit $rc: $(ls "$T/art-$short" | head -n 3 | tr '\n' ' ')"
		grep -E 'ERROR|runtime error|SUMMARY|#[0-9] ' "$T/run-$short.log" |
		    head -n 20 | sed 's/^/#   /'
	fi
done
exit 0
