#!/bin/bash
# e2e_live.sh -- the TUI follows the kernel between and after steps, checked in a headless tmux.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_tmux
needs_sandbox # the demos' fixed port 8888 and the sandbox's own namespace for ss

SOCK="sockplay-live-$$"
TM="tmux -L $SOCK -f /dev/null"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-live.XXXXXX")
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/tmux_lib.sh
. tests/tmux_lib.sh

start() { # NAME COLS ROWS ARGS...
	SESSION=$1
	local cols=$2 rows=$3
	shift 3
	$TM new-session -d -s "$SESSION" -x "$cols" -y "$rows" \
		"env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP $*; echo \"EXITED rc=\$?\"; exec sleep 600"
	wait_for "sockplay" 10
}

# Press n until the script strip marks step N as the next one (N - 1 steps have run).
step_to() { # N
	local n=60
	while [ $n -gt 0 ]; do
		screen | grep -qE "▶ +$1 " && return 0
		$TM send-keys -t "$SESSION" n
		sleep 0.15
		n=$((n - 1))
	done
	return 1
}

# Whether the row of socket NAME in the pane on SIDE (left: server, right: client) shows TEXT.
row_has() { # SIDE NAME TEXT
	local f=2
	[ "$1" = right ] && f=3
	screen | sed -n '4,12p' | awk -F'│' -v f=$f '{ print $f }' |
		grep -E "^(▶| )[0-9]+ +$2 " | grep -qF -- "$3"
}

# ---- 1. a reset by the server: the client's row says CLOSED at once ------------------------
start reset 100 30 assets/demos/reset.sp
step_to 16 || fail "reset.sp steps to step 16"
check "after the server's close(conn) the server's row is gone" wait_for "close(4) = 0"
check "the client's row says CLOSED without a call of the client" row_has right c CLOSED
check "the client's row no longer says ESTABLISHED" eval '! row_has right c ESTABLISHED'
check "the server's listener is still LISTEN" row_has left s LISTEN
$TM send-keys -t "$SESSION" d
check "the state diagram marks the client's c at CLOSED" wait_for "CLOSED client c"
$TM send-keys -t "$SESSION" Escape
step_to 20 || fail "reset.sp steps to step 20"
check "expect client c CLOSED holds" wait_for "state(c) = CLOSED" 3
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5
$TM kill-session -t "$SESSION" 2>/dev/null

# ---- 2. i interrupts a recv(MSG_WAITALL) that has part of its data: <interrupted>, not <resumed> --
cat >"$TMP/waitall.sp" <<'SP'
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
client: send(c, "n" * 80) = 80
server: recv(conn, 1000, MSG_WAITALL)
server: close(conn)
SP
start waitall 160 40 "$TMP/waitall.sp"
step_to 10 || fail "waitall.sp steps to step 10"
check "recv(MSG_WAITALL) with 80 of 1000 bytes blocks" wait_for "recv(4, 1000, MSG_WAITALL) blocked" 3
$TM send-keys -t "$SESSION" i
check "i interrupts it: <interrupted> with the 80 bytes it had" \
	wait_for 'recv(4, 1000, MSG_WAITALL) <interrupted> = 80 "nnnn' 3
check "it is not shown as resumed" eval '! screen | grep -qF "MSG_WAITALL) <resumed>"'
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5
$TM kill-session -t "$SESSION" 2>/dev/null

# ---- 3. --host-net: outside clients fill the listener's queue; the pane follows with no key --
# a free port on the host's loopback
port=
for p in $(shuf -i 20000-29999 -n 50); do
	ss -Htan "sport = :$p" 2>/dev/null | grep -q . || { port=$p; break; }
done
if [ -z "$port" ]; then
	fail "no free port for the --host-net test"
else
	cat >"$TMP/listen.sp" <<SP
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, 127.0.0.1:$port)
server: listen(s, 5)
say "waiting for outside clients"
SP
	start hostnet 100 30 --host-net "$TMP/listen.sp"
	step_to 5 || fail "listen.sp steps to step 5"
	check "the listener shows an empty queue" wait_for "0/5" 3
	# three outside clients, kept connected until the end of the test
	exec 7<>"/dev/tcp/127.0.0.1/$port" 8<>"/dev/tcp/127.0.0.1/$port" 9<>"/dev/tcp/127.0.0.1/$port"
	q=$(ss -Htln "sport = :$port" | awk '{ print $2 }')
	check "the kernel says 3 queued (ss: $q)" test "$q" = 3
	check "the pane shows 3/5 without a key press" wait_for "3/5" 3
	if ! screen | grep -q "capture is off\|needs CAP_NET_RAW"; then
		check "the wire shows the outside SYNs as seen between steps" eval 'screen | grep -qE "^│ +· +│"'
	fi
	exec 7>&- 8>&- 9>&-
	$TM send-keys -t "$SESSION" q
	wait_for "EXITED" 5
	$TM kill-session -t "$SESSION" 2>/dev/null
fi

# ---- 4. one step number: the title, the script strip and the ladder agree -------------------
start numbers 100 30 assets/demos/hello.sp
step_to 11 || fail "hello.sp steps to step 11"
check "the title counts 10 steps run" wait_for "step 10/" 3
check "the strip numbers connect() as step 10" eval 'screen | grep -qE "^│ +10  client: connect\(c, 127.0.0.1:8888\)"'
check "the ladder numbers its handshake 10" eval 'screen | grep -qE "^│ +10 +│.*SYN seq=0"'
$TM send-keys -t "$SESSION" :
wait_for "> " 2
$TM send-keys -t "$SESSION" -l 'client: c2 = socket(AF_INET, SOCK_STREAM)'
$TM send-keys -t "$SESSION" Enter
wait_for "socket(AF_INET, SOCK_STREAM, 0) = 4" 3
$TM send-keys -t "$SESSION" :
wait_for "> " 2
$TM send-keys -t "$SESSION" -l 'client: connect(c2, 127.0.0.1:8888)'
$TM send-keys -t "$SESSION" Enter
wait_for "connect(4, 127.0.0.1:8888) = 0" 3
$TM send-keys -t "$SESSION" W
check "a statement typed beside the script is not numbered as one of its steps" \
	eval 'screen | grep -qE "^│ +: +server :8888 .*SYN seq=0"'
check "the title still counts 10 script steps" wait_for "step 10/" 2
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5
$TM kill-session -t "$SESSION" 2>/dev/null

# ---- 5. the ladder's ends keep their sides before and after the first segment -----------------
start udpends 100 30 assets/demos/udp.sp
step_to 29 || fail "udp.sp steps to step 29"
check "a connected UDP socket with nothing sent: 9001 on the left already" \
	eval 'screen | grep -qE "^│step 127\.0\.0\.1:9001 +client u "'
$TM send-keys -t "$SESSION" n
check "its first datagram: the same ends on the same sides" wait_for "UDP len=6" 3
check "... 9001 still on the left" eval 'screen | grep -qE "^│step 127\.0\.0\.1:9001 +client u "'
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5
$TM kill-session -t "$SESSION" 2>/dev/null

[ $failures = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
