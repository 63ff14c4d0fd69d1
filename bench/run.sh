#!/bin/sh
# make bench: sockplay against raw C programs making the same calls. Prints figures; asserts nothing.
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-15}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now_ns() { date +%s%N; }
# median of the numbers on stdin
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# time CMD... RUNS times; print the median in microseconds
time_cmd() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now_ns); "$@" >/dev/null 2>&1; t1=$(now_ns)
		echo $(( (t1 - t0) / 1000 ))
		i=$((i + 1))
	done | median
}

echo "== hello.sp, whole process (median of $RUNS runs) =="
raw=$(time_cmd build/bench/raw_hello)
sp=$(time_cmd ./sockplay --batch assets/demos/hello.sp)
echo "raw C (same calls, own netns):  ${raw} us"
echo "sockplay --batch hello.sp:      ${sp} us"
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
