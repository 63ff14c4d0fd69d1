#!/bin/sh
# make bench: sockplay against raw C programs making the same calls. Prints figures; asserts nothing.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-15}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now_ns() { date +%s%N; }
# median of the numbers on stdin
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "== hello.sp, whole process (median of $RUNS runs) =="
raw=$(build/bench/timeit "$RUNS" build/bench/raw_hello)
sp=$(build/bench/timeit "$RUNS" ./sockplay --batch assets/demos/hello.sp)
spw=$(build/bench/timeit "$RUNS" ./sockplay --batch --wire assets/demos/hello.sp)
echo "raw C (same calls, own netns):  ${raw} us"
echo "sockplay --batch hello.sp:      ${sp} us"
echo "  the same with --wire:         ${spw} us"
awk -v a="$sp" -v b="$raw" 'BEGIN { printf "ratio: %.2fx (target <= 2x)\n", a / b }'

echo
echo "== 10 000 steps: repeat 5000 { send 1 byte; recv 1 byte } =="
cat >"$TMP/steps.sp" <<'SP'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888)
server: conn = accept(s)
repeat 5000
client: send(c, "x") = 1
server: recv(conn, 1) = 1 "x"
end
SP
rawns=$(for i in 1 2 3 4 5; do build/bench/raw_steps 5000; done | median)
t0=$(now_ns); ./sockplay --batch "$TMP/steps.sp" >/dev/null; t1=$(now_ns)
spns=$(( (t1 - t0) / 10000 ))
echo "direct call:          ${rawns} ns per call"
echo "sockplay step:        ${spns} ns per step (whole run / 10 000, start-up included)"
awk -v a="$spns" -v b="$rawns" 'BEGIN { printf "ratio: %.1fx (target <= 3x)\n", a / b }'

echo
echo "== TUI =="
if command -v tmux >/dev/null 2>&1; then
	T="tmux -L sockplay-bench-$$ -f /dev/null"
	$T new-session -d -x 100 -y 30 ./sockplay
	sleep 1
	pid=$($T list-panes -F '#{pane_pid}')
	ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
	a=$(ticks "$pid"); sleep 10; b=$(ticks "$pid")
	hz=$(getconf CLK_TCK)
	echo "idle 10 s, nothing blocked: $(( (b - a) * 1000 / hz )) ms CPU (target < 10 ms)"
	$T kill-server
	times=""
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		rm -f "$TMP/play"
		$T new-session -d -x 100 -y 30 "build/bench/tui_play assets/demos/hello.sp $TMP/play"
		for _ in $(seq 100); do [ -s "$TMP/play" ] && break; sleep 0.05; done
		times="$times $(cat "$TMP/play" 2>/dev/null)"
		$T kill-server 2>/dev/null
	done
	echo "--play --delay 0 hello.sp to the end, every frame drawn: $(echo $times | tr ' ' '\n' | median) us median of 11 (target < 50 ms)"
else
	echo "tmux missing: TUI figures skipped"
fi

echo
echo "== 100 MB through one connection, wire view on, in the TUI =="
cat >"$TMP/big.sp" <<'SP'
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888)
server: conn = accept(s)
client: send(c, "x" * 100000000) = 100000000
repeat 10
server: recv(conn, 10000000, MSG_WAITALL) = 10000000
end
client: close(c)
server: recv(conn, 1024) = 0
server: close(conn)
server: close(s)
SP
if command -v tmux >/dev/null 2>&1 && [ -x build/bench/tui_play ]; then
	T="tmux -L sockplay-bench-big-$$ -f /dev/null"
	rm -f "$TMP/big.us" "$TMP/big.stats"
	$T new-session -d -x 100 -y 30 \
		"env TERM=screen LANG=C.UTF-8 build/bench/tui_play $TMP/big.sp $TMP/big.us 2>$TMP/big.stats"
	pid="" # the harness itself: the pane's process, or its child when a shell runs it
	for _ in $(seq 200); do
		pane=$($T list-panes -F '#{pane_pid}' 2>/dev/null)
		if [ -n "$pane" ] && [ "$(cat "/proc/$pane/comm" 2>/dev/null)" = tui_play ]; then
			pid=$pane
		elif [ -n "$pane" ]; then
			pid=$(pgrep -o -P "$pane" -x tui_play)
		fi
		[ -n "$pid" ] && break
		sleep 0.01
	done
	hwm=0
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do # the peak only grows: the last reading is it
		h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ -n "$h" ] && hwm=$h
		sleep 0.02
	done
	for _ in $(seq 100); do [ -s "$TMP/big.us" ] && break; sleep 0.05; done
	$T kill-server 2>/dev/null
	us=$(cat "$TMP/big.us" 2>/dev/null)
	echo "--play --delay 0, start to end:   $((${us:-0} / 1000)) ms"
	echo "peak memory of the UI (VmHWM):    $((hwm / 1024)) MiB"
	echo "how the screen kept up:           $(sed 's/^sockplay: //' "$TMP/big.stats" 2>/dev/null)"
	t0=$(now_ns); ./sockplay --batch "$TMP/big.sp" >/dev/null; t1=$(now_ns)
	t2=$(now_ns); ./sockplay --batch --wire "$TMP/big.sp" >"$TMP/big.wire"; t3=$(now_ns)
	echo "for comparison, --batch:          $(( (t1 - t0) / 1000000 )) ms; --batch --wire: $(( (t3 - t2) / 1000000 )) ms ($(grep -c '^\[wire\]' "$TMP/big.wire") segment lines)"
else
	echo "tmux or build/bench/tui_play missing: skipped"
fi
