#!/bin/sh
# Run the unit tests and a few batch runs under valgrind: no memory error, no
# leak, no descriptor left open at exit but stdin, stdout and stderr.
# Actors are forked, not exec'd: valgrind follows them and each writes its own
# log; they must be free of errors too, while what they still hold when the
# session kills them is not a leak.
cd "$(dirname "$0")/.." || exit 2
VALGRIND=${VALGRIND:-valgrind}
command -v "${VALGRIND%% *}" >/dev/null 2>&1 || { echo "valgrind: not installed"; exit 1; }
SOCKPLAY=${SOCKPLAY:-./sockplay}
SOCKPLAY_TESTS=${SOCKPLAY_TESTS:-build/tests}
out=build/valgrind
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
failed_names=""

# Memory errors, as valgrind words them (leaks are counted apart).
ERRORS='Invalid (read|write|free)|uninitialised|Syscall param|Mismatched free|overlap|Argument .* of function'

# The descriptors LOG's process opened and left open at exit, one a line.
# Those it inherited (the shell's, valgrind's own log) are not its doing.
opened() {
	sed 's/^==[0-9]*== *//' "$1" | awk '
		/^Open (file descriptor|[A-Z0-9_]+ socket) [0-9]+/ { if (open) print open; open = $0; next }
		open { if ($0 !~ /inherited from parent/) print open; open = "" }'
}

# check NAME RC: the logs of one run; the lowest pid is the process started,
# the others its actors.
check() {
	name=$1
	main=$(ls "$out/$name".*.log 2>/dev/null | sort -t. -k2 -n | head -1)
	why=""
	[ -n "$main" ] || why=" no valgrind log;"
	for log in "$out/$name".*.log; do
		[ -f "$log" ] || continue
		grep -qE "$ERRORS" "$log" && why="$why ${log##*/}: memory errors;"
	done
	if [ -n "$main" ]; then
		grep -q 'ERROR SUMMARY: 0 errors' "$main" || why="$why ${main##*/}: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$main");"
		grep -qE '(definitely|indirectly|possibly) lost: [1-9]' "$main" && why="$why leaks;"
		grep -q 'FILE DESCRIPTORS: [0-9]* open' "$main" || why="$why no descriptor list;"
		fds=$(opened "$main")
		[ -z "$fds" ] || why="$why left open: $fds;"
	fi
	if [ -z "$why" ] && [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name ($(ls "$out/$name".*.log | wc -l) processes: no errors, no leaks, no descriptor left open)"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		echo "FAIL $name (exit $2):$why"
		for log in "$out/$name".*.log; do
			sed 's/^==[0-9]*== //' "$log" |
				grep -A14 -E "$ERRORS|lost in loss|^Open (AF|file|socket)" | head -40 | sed 's/^/     /'
		done
		tail -5 "$out/$name.out" | sed 's/^/     | /'
	fi
}

run() { # NAME COMMAND...
	name=$1
	shift
	$VALGRIND --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--track-fds=yes --trace-children=no --log-file="$out/$name.%p.log" "$@" \
		>"$out/$name.out" 2>&1
	check "$name" $?
}

for t in "$SOCKPLAY_TESTS"/test_*; do
	[ -x "$t" ] || continue
	run "${t##*/}" "$t"
done
for demo in hello udp unix reset; do
	run "batch-$demo" "$SOCKPLAY" --batch assets/demos/$demo.sp
done
run batch-json "$SOCKPLAY" --batch --format json --explain assets/demos/half-close.sp
run batch-wire "$SOCKPLAY" --batch --wire assets/demos/handshake.sp
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "valgrind: $passed passed, $failed failed"
[ "$failed" = 0 ]
