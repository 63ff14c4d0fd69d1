#!/bin/sh
# Run every test: cmocka unit and engine tests, then the end-to-end scripts.
# Ends with one "N passed, N failed" line; exits non-zero when anything failed.
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
failed_names=""
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
		echo "ok   $name ($(grep -c '^\[       OK \]' "$logs/$name.log") cases)"
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
	case " $SOCKPLAY_SKIP " in *" $name "*) echo "skip $name"; continue ;; esac
	if bash "$t" >"$logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($(grep -c '^ok' "$logs/$name.log") checks)"
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
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
