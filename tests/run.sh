#!/bin/sh
# Run every test: cmocka unit and engine tests, then the end-to-end scripts.
# Ends with one "N passed, N failed" line; exits non-zero when anything failed.
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
failed_names=""
mkdir -p build/logs
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	if "$t" >"build/logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($(grep -c '^\[       OK \]' "build/logs/$name.log") cases)"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "FAIL $name"
		sed 's/^/     /' "build/logs/$name.log" | tail -40
	fi
done
for t in tests/e2e_*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	if bash "$t" >"build/logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($(grep -c '^ok' "build/logs/$name.log") checks)"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "FAIL $name"
		sed 's/^/     /' "build/logs/$name.log" | tail -40
	fi
done
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
