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
	T="tmux -S $TMP/tmux -f /dev/null" # its socket goes with $TMP
	$T new-session -d -x 100 -y 30 ./sockplay
	sleep 1
	pid=$($T list-panes -F '#{pane_pid}')
	ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
	sleep 11 & # the baseline: a process that only waits, measured over the same 10 s
	spid=$!
	a=$(ticks "$pid"); sa=$(ticks "$spid"); sleep 10; b=$(ticks "$pid"); sb=$(ticks "$spid")
	hz=$(getconf CLK_TCK)
	echo "idle 10 s, nothing blocked: $(( (b - a) * 1000 / hz )) ms CPU (target < 10 ms; raw baseline, sleep(1) over the same 10 s: $(( (sb - sa) * 1000 / hz )) ms)"
	kill "$spid" 2>/dev/null
	$T kill-server
	times=""
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		rm -f "$TMP/play"
		$T new-session -d -x 100 -y 30 "build/bench/tui_play assets/demos/hello.sp $TMP/play"
		for _ in $(seq 100); do [ -s "$TMP/play" ] && break; sleep 0.05; done
		times="$times $(cat "$TMP/play" 2>/dev/null)"
		$T kill-server 2>/dev/null
	done
	echo "--play --delay 0 hello.sp to the end, every frame drawn: $(echo $times | tr ' ' '\n' | median) us median of 11 (target < 50 ms; raw C, the same calls: ${raw} us)"
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
	T="tmux -S $TMP/tmux-big -f /dev/null"
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
	rawbig=$(for i in 1 2 3; do build/bench/raw_bulk; done | median)
	echo "raw C (bench/raw_bulk.c, median of 3): $((${rawbig:-0} / 1000)) ms (send() in one process, ten recv(MSG_WAITALL) in another, own netns)"
else
	echo "tmux or build/bench/tui_play missing: skipped"
fi

echo
echo "== 1 000 connections in one session, all kept open =="
# set-up: 1 000 x (socket, connect, accept), 2 001 sockets in the kernel view at its end; then
# the measured steps at that scale: 100 x (send 1 byte, recv 1 byte) on the last connection
conns_script() { # $1 connections, $2 send/recv pairs after them (0: none)
	cat <<SP
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 1024)
repeat $1
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
end
SP
	[ "$2" -gt 0 ] && printf 'repeat %s\nclient: send(c, "x") = 1\nserver: recv(conn, 1) = 1 "x"\nend\n' "$2"
}
conns_script 1000 100 >"$TMP/conns.sp"
conns_script 1000 0 >"$TMP/setup.sp"
conns_script 1 100 >"$TMP/conn1.sp"
ulimit -n 4096 2>/dev/null # 2 000 descriptors in the actors (1 024 is a common default)
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
rawc=$(for i in 1 2 3 4 5; do build/bench/raw_conns 1000; done | sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}')
rawc_kib=${rawc##* }
rawc=${rawc%% *}
bt=$(build/bench/timeit 3 ./sockplay --batch "$TMP/setup.sp")
echo "set-up, 1 000 x (socket, connect, accept):"
echo "  raw C (bench/raw_conns.c, median of 5): ${rawc} ns a call"
echo "  sockplay --batch (median of 3):         $((bt / 3004)) us a step (whole process / 3 004 steps, start-up included)"
awk -v a="$bt" -v b="$rawc" 'BEGIN { printf "  ratio: %.0fx\n", a / 3004 * 1000 / b }'
if command -v tmux >/dev/null 2>&1 && [ -x build/bench/tui_scale ]; then
	# the "key value" lines of build/bench/tui_scale (see bench/tui_scale.c) as shell variables
	tui_scale() {
		rm -f "$TMP/scale.out"
		T="tmux -S $TMP/tmux-scale -f /dev/null"
		$T new-session -d -x 100 -y 30 \
			"env TERM=screen LANG=C.UTF-8 build/bench/tui_scale $1 $TMP/scale.out 200 2>$TMP/scale.stats"
		for _ in $(seq 1800); do [ -s "$TMP/scale.out" ] && break; sleep 0.1; done
		sleep 0.2
		$T kill-server 2>/dev/null
		[ -s "$TMP/scale.out" ] || { echo "  tui_scale did not finish: $(cat "$TMP/scale.stats" 2>/dev/null)"; return 1; }
		sed -n 's/^\([a-z0-9_]*\) \(-\{0,1\}[0-9]*\)$/\1=\2/p' "$TMP/scale.out" >"$TMP/scale.vars"
		. "$TMP/scale.vars"
	}
	if tui_scale "$TMP/conn1.sp"; then
		small_step=$tail_step_mean_us small_p99=$tail_step_p99_us
	fi
	if tui_scale "$TMP/conns.sp"; then
		echo "  TUI 100x30, --play --delay 0, every frame drawn (bench/tui_scale.c): $(ms $setup_step_mean_us) a step on average"
		echo "    by sockets in the kernel view: $(ms ${setup_socks_0_step_mean_us:-0}) (0-499), $(ms ${setup_socks_500_step_mean_us:-0}) (500-999), $(ms ${setup_socks_1000_step_mean_us:-0}) (1000-1499), $(ms ${setup_socks_1500_step_mean_us:-0}) (1500+)"
		echo "then $tail_steps steps (send 1 byte, recv 1 byte) with $tail_socks_min sockets in the kernel view, TUI 100x30:"
		echo "  step + redraw:  mean $(ms $tail_step_mean_us), p50 $(ms $tail_step_p50_us), p99 $(ms $tail_step_p99_us), max $(ms $tail_step_max_us) (target < 16 ms)"
		echo "  (to the frame that shows the result; the step's late segments, such as the peer's delayed ACK,"
		echo "  are waited for after that frame and drawn in the next one)"
		echo "  where a step goes (means): call $(ms $tail_exec_mean_us), kernel view $(ms $tail_refresh_mean_us), snapshots $(ms $tail_snapshot_mean_us), draw $(ms $tail_draw_mean_us), terminal $(ms $tail_update_mean_us), wire $(ms $tail_wire_mean_us), the rest of the TUI $(ms $((tail_step_mean_us - tail_exec_mean_us - tail_refresh_mean_us - tail_snapshot_mean_us - tail_draw_mean_us - tail_update_mean_us - tail_wire_mean_us)))"
		[ -n "$small_step" ] && echo "  the same steps with 1 connection open: mean $(ms $small_step), p99 $(ms $small_p99)"
		echo "  raw C, the same calls: ${rawns} ns a call (bench/raw_steps.c, above)"
		echo "  peak memory (VmHWM): UI $(mib $ui_hwm_kib) (target < 20 MiB), server actor $(mib $actor_server_hwm_kib), client actor $(mib $actor_client_hwm_kib); raw C (both ends in one process): $(mib $rawc_kib)"
		echo "  whole run: $steps steps in $((total_us / 1000)) ms, $((cpu_us / 1000)) ms CPU in the UI process"
	fi
else
	echo "tmux or build/bench/tui_scale missing: TUI figures skipped"
fi

echo
echo "== a traced program: 10 000 send/recv pairs (bench/raw_steps.c), not stepped =="
# the same program three ways, each run alternately; it times its own loop (ns a call):
# untraced; under the floor of tracing (bench/trace_floor.c: stops at the entry and exit of the
# same calls, nothing else); under sockplay's tracer (bench/trace_run.c: src/trace.c, every
# event read and formatted as the transcript would). Other load on the machine spreads the
# figures: the best of the runs is the steadiest measure, the median is shown beside it.
if [ -x build/bench/trace_floor ] && [ -x build/bench/trace_run ] &&
	build/bench/trace_run build/bench/raw_steps 10 >/dev/null 2>&1; then
	TR_RUNS=${TR_RUNS:-9}
	: >"$TMP/tr.raw"; : >"$TMP/tr.floor"; : >"$TMP/tr.ours"
	for i in $(seq "$TR_RUNS"); do
		build/bench/raw_steps 10000 >>"$TMP/tr.raw"
		build/bench/trace_floor build/bench/raw_steps 10000 >>"$TMP/tr.floor"
		build/bench/trace_run build/bench/raw_steps 10000 2>/dev/null >>"$TMP/tr.ours"
	done
	best() { sort -n "$1" | head -1; }
	med() { median <"$1"; }
	echo "untraced:                  best $(best "$TMP/tr.raw") ns a call, median $(med "$TMP/tr.raw") ns ($TR_RUNS runs)"
	echo "floor (bare tracer):       best $(best "$TMP/tr.floor") ns a call, median $(med "$TMP/tr.floor") ns"
	echo "sockplay's tracer:         best $(best "$TMP/tr.ours") ns a call, median $(med "$TMP/tr.ours") ns"
	awk -v a="$(best "$TMP/tr.ours")" -v b="$(best "$TMP/tr.floor")" -v c="$(med "$TMP/tr.ours")" -v d="$(med "$TMP/tr.floor")" \
		'BEGIN { printf "sockplay / floor: %.2fx best, %.2fx median (target <= 2x: %s)\n", a / b, c / d, a / b <= 2 ? "met" : "NOT met" }'
else
	echo "programs cannot be traced here (ptrace or seccomp refused): skipped"
fi
