#!/bin/sh
# Run every test: cmocka unit and engine tests, then the end-to-end scripts.
# Ends with one "N passed, N failed, N skipped" line; exits non-zero when
# anything failed. What cannot run here (no sandbox, no tmux, no catalogue,
# not root) is skipped, not passed, and listed with its reason before that
# line: a whole script (it exits 77 after "skip: REASON", see tests/needs.sh),
# a part of one ("skip WHAT: REASON") or a cmocka case (skip(), its reason on
# a "skip: " line of its output). Passed and failed count programs and
# scripts; skipped counts each skipped thing, whole or part.
# SOCKPLAY (default ./sockplay) is the binary the end-to-end scripts drive and
# SOCKPLAY_TESTS (default build/tests) holds the unit tests: `make asan` points
# both at its sanitizer build, whose reports are gathered from every process.
# SOCKPLAY_SKIP names end-to-end scripts to leave out ("e2e_export.sh").
cd "$(dirname "$0")/.." || exit 2
# The tests read English; those of the Chinese UI ask for it with --lang zh.
unset LANGUAGE
export LC_ALL=C.UTF-8
SOCKPLAY=${SOCKPLAY:-./sockplay}
SOCKPLAY_TESTS=${SOCKPLAY_TESTS:-build/tests}
export SOCKPLAY
logs=$(dirname "$SOCKPLAY_TESTS")/logs
passed=0
failed=0
skipped=0
failed_names=""
skips=""
# skip WHAT REASON: one entry of the list at the end.
skip() {
	skipped=$((skipped + 1))
	skips="$skips
  $1: $2"
}
# The cmocka cases LOG skipped, each with the last "skip: " line its run printed.
unit_skips() { # NAME LOG
	while IFS='	' read -r case why; do
		[ -n "$case" ] && skip "$1/$case" "${why:-(no reason given)}"
	done <<EOF
$(awk '/^\[ RUN      \] /{why=""} /^skip: /{why=substr($0, 7)}
	/^\[  SKIPPED \] [^ ]+$/ && !seen[$4]++{print $4 "\t" why}' "$2")
EOF
}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
rm -f "$logs"/san.*
# Sanitizer reports go to files as well: a test may discard the stderr of what it runs.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$logs/san:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$logs/san:print_stacktrace=1:halt_on_error=1"
for t in "$SOCKPLAY_TESTS"/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	if "$t" >"$logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		n=$(grep -c '^\[  SKIPPED \] [^ ]*$' "$logs/$name.log")
		echo "ok   $name ($(grep -c '^\[       OK \]' "$logs/$name.log") cases$([ "$n" = 0 ] || echo ", $((n / 2)) skipped"))"
		unit_skips "$name" "$logs/$name.log"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "FAIL $name"
		sed 's/^/     /' "$logs/$name.log" | tail -40
	fi
done
for t in tests/e2e_*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	case " $SOCKPLAY_SKIP " in *" $name "*)
		echo "skip $name"; skip "$name" "left out (SOCKPLAY_SKIP)"; continue ;;
	esac
	bash "$t" >"$logs/$name.log" 2>&1
	rc=$?
	if [ $rc = 77 ]; then
		why=$(sed -n 's/^skip: //p' "$logs/$name.log" | tail -1)
		echo "skip $name: ${why:-(no reason given)}"
		skip "$name" "${why:-(no reason given)}"
	elif [ $rc = 0 ]; then
		passed=$((passed + 1))
		n=$(grep -c '^skip ' "$logs/$name.log")
		echo "ok   $name ($(grep -c '^ok' "$logs/$name.log") checks$([ "$n" = 0 ] || echo ", $n skipped"))"
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			what=${line#skip }
			skip "$name/${what%%: *}" "${what#*: }"
		done <<EOF
$(grep '^skip ' "$logs/$name.log")
EOF
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "FAIL $name"
		sed 's/^/     /' "$logs/$name.log" | tail -40
	fi
done
for f in "$logs"/san.*; do
	[ -f "$f" ] || continue
	failed=$((failed + 1))
	failed_names="$failed_names ${f##*/}"
	echo "FAIL sanitizer report ${f##*/}"
	sed 's/^/     /' "$f" | head -60
done
[ -z "$skips" ] || echo "skipped:$skips"
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
