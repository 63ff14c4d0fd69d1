#!/bin/sh
# Run each fuzz target given for FUZZ_TIME seconds (or FUZZ_RUNS executions),
# one after the other on one core, from its seeds and the corpus it grew so far.
# Prints one line per target with its executions and findings; exits 1 on any
# finding, which is left in build-fuzz/findings/ to reproduce with TARGET FILE.
cd "$(dirname "$0")/../.." || exit 2
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_RUNS=${FUZZ_RUNS:--1}
out=build-fuzz
# fresh allocations are not filled and the quarantine is small: twice the executions a second
export ASAN_OPTIONS="${ASAN_OPTIONS:-max_malloc_fill_size=0:quarantine_size_mb=16:malloc_context_size=10}"
mkdir -p "$out/findings" "$out/logs"
total=0
found=0
for bin in "$@"; do
	name=${bin##*/}
	kind=${name#fuzz_}
	mkdir -p "$out/corpus/$kind"
	dict=""
	[ -f "$out/seeds/$kind.dict" ] && dict="-dict=$out/seeds/$kind.dict"
	# scripts of 1 KB hold every construct; longer ones only parse slower
	maxlen=""
	[ "$kind" = script ] && maxlen="-max_len=1024"
	before=$(ls "$out/findings" | wc -l)
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_TIME" -runs="$FUZZ_RUNS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 $dict $maxlen -artifact_prefix="$out/findings/$name-" \
		"$out/corpus/$kind" "$out/seeds/$kind" >"$out/logs/$name.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$name.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$out/logs/$name.log" | tail -1)
	corpus=$(ls "$out/corpus/$kind" | wc -l)
	new=$(($(ls "$out/findings" | wc -l) - before))
	[ "$rc" != 0 ] && [ "$new" = 0 ] && new=1
	total=$((total + ${execs:-0}))
	found=$((found + new))
	printf '%-12s %10s executions in %4s s, %s, corpus %s, findings %s\n' \
		"$name" "${execs:-?}" "$took" "${cov:-cov: ?}" "$corpus" "$new"
	if [ "$new" != 0 ]; then
		grep -A30 -m1 -E '^==[0-9]+==ERROR|runtime error|^==[0-9]+== ERROR|deadly signal|Timeout|out-of-memory' \
			"$out/logs/$name.log" | sed 's/^/     /'
		ls "$out/findings" | sed "s|^|     $out/findings/|" | tail -5
	fi
done
echo "fuzz: $total executions, $found findings"
[ "$found" = 0 ]
