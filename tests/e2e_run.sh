#!/bin/bash
# e2e_run.sh -- programs on stage (--run): traced in --batch, stepped in the TUI, never left behind.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3 for the example programs"; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-run.XXXXXX")
SOCK="sockplay-run-$$"
TM="tmux -L $SOCK -f /dev/null"
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/tmux_lib.sh
. tests/tmux_lib.sh

# Where programs cannot be traced (ptrace or seccomp refused) or no sandbox can be made, say why
# and exit 77: tests/run.sh counts the script as skipped, with the reason.
"$SP" --sandbox --batch --run probe=true >"$TMP/probe.out" 2>"$TMP/probe.err"
case $? in
0) ;;
3) echo "skip: no sandbox here: $(head -1 "$TMP/probe.err")"; exit 77 ;;
*)
	if grep -qiE 'refused|not permitted|cannot be traced' "$TMP/probe.err"; then
		echo "skip: programs cannot be traced here: $(head -1 "$TMP/probe.err")"
		exit 77
	fi
	echo "FAIL a program that does nothing cannot be run: $(cat "$TMP/probe.err")"
	exit 1
	;;
esac

run() { "$SP" --sandbox --batch "$@"; }
has() { grep -qF -- "$2" "$1"; }
# A python3 process still running one of the programs (sockplay's own command line holds the
# same words: only processes whose first word is the interpreter count).
leftover() { ps -eo args= | grep -E "^[^ ]*python[0-9.]* [^ ]*$1" | grep -v grep; }

SERVER="python3 assets/programs/server.py"
CLIENT="python3 assets/programs/client.py"

# ---- 1. the tutorial's server against a scripted client ------------------------------------
cat >"$TMP/client.sp" <<'EOF'
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
expect server 3 LISTEN
client: recv(c, 1024) = 14 "Hello, client!"
expect server 4 FIN_WAIT2
client: close(c) = 0
EOF
run --run server="$SERVER" "$TMP/client.sp" >"$TMP/t1" 2>"$TMP/t1.err"
rc=$?
check "the server against a scripted client exits 0 (rc $rc)" test $rc = 0
check "its socket() is in the transcript" has "$TMP/t1" "[server] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3"
check "its bind() returned 0" has "$TMP/t1" "[server] bind(3, 127.0.0.1:8888) = 0"
check "its listen() returned 0" has "$TMP/t1" "[server] listen(3, 128) = 0"
check "its accept() blocked" has "$TMP/t1" "[server] accept4(3, SOCK_CLOEXEC) <blocked>"
check "its accept() returned the client's connection" grep -qE '^\[server\] accept4\(3, SOCK_CLOEXEC\) <resumed> = 4 \(peer 127\.0\.0\.1:[0-9]+\)$' "$TMP/t1"
check "its send() sent 14 bytes" has "$TMP/t1" '[server] send(4, "Hello, client!", 14) = 14'
check "its close() returned 0" has "$TMP/t1" "[server] close(4) = 0"
check "its print() is in the transcript, prefixed by its side" grep -qE '^\[server\] > connection from 127\.0\.0\.1 [0-9]+$' "$TMP/t1"
check "the C library's name service probe is marked" has "$TMP/t1" "(by the C library)"
check "expect server 3 LISTEN looked at the program's socket" has "$TMP/t1" "[server] state(3) = LISTEN"
check "expect server 4 FIN_WAIT2 looked at its closed connection" has "$TMP/t1" "[server] state(4) = FIN_WAIT2"
# the order: the server's accept returns after the client's connect, its send before the recv
order=$(grep -nE '^\[client\] connect|accept4.*<resumed>|^\[server\] send|^\[client\] recv' "$TMP/t1" | cut -d: -f1 | tr '\n' ' ')
check "connect, accept, send, recv come in that order ($order)" test "$(echo "$order" | tr ' ' '\n' | grep -c .)" = 4 -a "$order" = "$(echo "$order" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')"
# the same order on every run
norm() { sed -E 's/:[0-9]{4,5}\)/:P)/; s/127\.0\.0\.1 [0-9]+$/127.0.0.1 P/' "$1"; }
run --run server="$SERVER" "$TMP/client.sp" >"$TMP/t1b" 2>/dev/null
run --run server="$SERVER" "$TMP/client.sp" >"$TMP/t1c" 2>/dev/null
check "a second run prints the same transcript" cmp -s <(norm "$TMP/t1") <(norm "$TMP/t1b")
check "a third run prints the same transcript" cmp -s <(norm "$TMP/t1") <(norm "$TMP/t1c")
run --format json --run server="$SERVER" "$TMP/client.sp" >"$TMP/t1.json" 2>/dev/null
check "JSON: getsockname is named by itself" grep -q '"actor":"server".*"call":"getsockname"' "$TMP/t1.json"
check "JSON: the C library's calls say so" grep -q '"libc":true' "$TMP/t1.json"
check "JSON: the program's line is an output event" grep -q '"event":"output","actor":"server".*"stream":"stdout","text":"connection from 127.0.0.1' "$TMP/t1.json"

# --record and --export: the other sides' statements and a comment naming the program
run --record "$TMP/rec.sp" --run server="$SERVER" "$TMP/client.sp" >/dev/null 2>&1
check "--record names the program in a comment" grep -qxF "# server: --run 'python3 assets/programs/server.py'" "$TMP/rec.sp"
check "--record keeps the client's statements" grep -qxF "client: connect(c, 127.0.0.1:8888) = 0" "$TMP/rec.sp"
check "--record writes none of the program's calls" eval '! grep -qE "^server:" "$TMP/rec.sp"'
"$SP" --export python --run server="$SERVER" "$TMP/client.sp" >"$TMP/exp.py" 2>/dev/null
check "--export python: the comment under the #! line" eval "sed -n 2p '$TMP/exp.py' | grep -qxF \"# server: --run 'python3 assets/programs/server.py'\""
"$SP" --export c --run server="$SERVER" "$TMP/client.sp" >"$TMP/exp.c" 2>/dev/null
check "--export c: the comment first" eval "head -1 '$TMP/exp.c' | grep -qxF \"/* server: --run 'python3 assets/programs/server.py' */\""

# ---- 2. both sides as programs -----------------------------------------------------------------
run --run server="$SERVER" --run client="$CLIENT" >"$TMP/t2" 2>"$TMP/t2.err"
rc=$?
check "server and client as programs exit 0 (rc $rc)" test $rc = 0
check "the client program connected" has "$TMP/t2" "[client] connect(3, 127.0.0.1:8888) = 0"
check "the client program received the greeting" has "$TMP/t2" '[client] recv(3, 1024) = 14 "Hello, client!"'
check "the client program printed it" has "$TMP/t2" "[client] > Hello, client!"
check "the client program's end is shown" has "$TMP/t2" "[client] exited 0"
check "the server program sent it" has "$TMP/t2" '[server] send(4, "Hello, client!", 14) = 14'

# ---- 3. the C fork-per-client server against two scripted clients ------------------------------
if command -v cc >/dev/null 2>&1 && cc -o "$TMP/fork_server" assets/programs/fork_server.c 2>"$TMP/cc.err"; then
	cat >"$TMP/two.sp" <<'EOF'
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
client: recv(c, 1024) = 14 "Hello, client!"
client2: d = socket(AF_INET, SOCK_STREAM)
client2: connect(d, 127.0.0.1:8888) = 0
client2: recv(d, 1024) = 14 "Hello, client!"
client2: send(d, "ping") = 4
client2: recv(d, 1024) = 4 "ping"
client: close(c) = 0
client2: close(d) = 0
EOF
	run --run server="$TMP/fork_server" "$TMP/two.sp" >"$TMP/t3" 2>"$TMP/t3.err"
	rc=$?
	check "the fork server against two clients exits 0 (rc $rc)" test $rc = 0
	check "the first child is side server.1" has "$TMP/t3" "[server.1] forked by server"
	check "the second child is side server.2" has "$TMP/t3" "[server.2] forked by server"
	check "server.1 greets its client" has "$TMP/t3" '[server.1] send(4, "Hello, client!", 14) = 14'
	check "server.2 echoes its client's ping" has "$TMP/t3" '[server.2] recv(4, 1024) <resumed> = 4 "ping"'
	check "the parent only accepts: it closes its copy of the connection" has "$TMP/t3" "[server] close(4) = 0"
	check "a child's socket calls are not the parent's" eval '! grep -qF "[server] send(" "$TMP/t3"'
	check "server.1 ends when its client closed" has "$TMP/t3" "[server.1] exited 0"
else
	echo "skip the fork server: no C compiler ($(head -1 "$TMP/cc.err" 2>/dev/null))"
fi

# ---- 3b. the poll() and select() servers: their waits read as a script writes them ---------------
cat >"$TMP/echo2.sp" <<'EOF'
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
client: send(c, "ping") = 4
client: recv(c, 100) = 4 "ping"
client2: d = socket(AF_INET, SOCK_STREAM)
client2: connect(d, 127.0.0.1:8888) = 0
client: close(c) = 0
client2: send(d, "two") = 3
client2: recv(d, 100) = 3 "two"
EOF
run --run server="python3 assets/programs/poll_server.py" "$TMP/echo2.sp" >"$TMP/t3p" 2>"$TMP/t3p.err"
rc=$?
check "poll_server.py against two clients exits 0 (rc $rc)" test $rc = 0
check "poll_server.py waits in poll() on its listener" has "$TMP/t3p" "[server] poll(3 POLLIN) <blocked>"
check "a connection makes the listener ready" has "$TMP/t3p" "[server] poll(3 POLLIN) <resumed> = 1 (3 POLLIN)"
check "data makes the connection ready" has "$TMP/t3p" "[server] poll(3 POLLIN, 4 POLLIN) <resumed> = 1 (4 POLLIN)"
check "the client's FIN makes it ready too: recv() = 0" has "$TMP/t3p" "[server] recv(4, 1024) = 0"
run --run server="python3 assets/programs/select_server.py" "$TMP/echo2.sp" >"$TMP/t3s" 2>"$TMP/t3s.err"
rc=$?
check "select_server.py against two clients exits 0 (rc $rc)" test $rc = 0
check "select_server.py waits with its listener in the read set" grep -qE '^\[server\] p?select\(r: 3\) <blocked>$' "$TMP/t3s"
check "its read set shows the ready connection" grep -qE '^\[server\] p?select\(r: 3 4\) <resumed> = 1 \(r: 4\)$' "$TMP/t3s"

# ---- 4. bad input --------------------------------------------------------------------------------
run --run server=/nonexistent/student_server "$TMP/client.sp" >"$TMP/t4" 2>"$TMP/t4.err"
rc=$?
check "a command that cannot be started exits 2 (rc $rc)" test $rc = 2
check "one line says so" test "$(wc -l <"$TMP/t4.err")" = 1
check "it names the command and the reason" grep -qE '/nonexistent/student_server.*(No such file|not found)' "$TMP/t4.err"
check "nothing ran" test ! -s "$TMP/t4"
"$SP" --batch --run 'server=python3 "unclosed' "$TMP/client.sp" >/dev/null 2>"$TMP/t4b.err"
check "an unmatched quote in the command exits 2" test $? = 2
"$SP" --batch --run 'python3 server.py' "$TMP/client.sp" >/dev/null 2>"$TMP/t4c.err"
check "--run without NAME= exits 2" test $? = 2
check "... and says what it wants" grep -q "NAME=COMMAND" "$TMP/t4c.err"
printf 'client: c = socket(AF_INET, SOCK_STREAM)\nserver: s = socket(AF_INET, SOCK_STREAM)\n' >"$TMP/drive.sp"
run --run server="$SERVER" "$TMP/drive.sp" >"$TMP/t5" 2>"$TMP/t5.err"
rc=$?
check "a script statement for a program's side exits 2 (rc $rc)" test $rc = 2
check "... with FILE:LINE:COL and the reason" grep -qF "$TMP/drive.sp:2:1: error: server is a program (--run); a script drives only the other sides" "$TMP/t5.err"
check "... before anything ran" test ! -s "$TMP/t5"

# ---- 5. a program that crashes ---------------------------------------------------------------------
cat >"$TMP/crash.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 8888))
s.listen()
raise ValueError("the student forgot something")
EOF
printf 'sleep 200ms\nclient: c = socket(AF_INET, SOCK_STREAM)\nclient: close(c) = 0\n' >"$TMP/later.sp"
run --run server="python3 $TMP/crash.py" "$TMP/later.sp" >"$TMP/t6" 2>"$TMP/t6.err"
rc=$?
check "a program that crashed before later statements: exit 1 (rc $rc)" test $rc = 1
check "its side says how it ended, with the traceback's last line" has "$TMP/t6" "[server] exited 1 (ValueError: the student forgot something)"
check "its traceback is in the transcript" has "$TMP/t6" "[server] 2> Traceback (most recent call last):"
check "the rest of the session went on" has "$TMP/t6" "[client] close(3) = 0"
if command -v cc >/dev/null 2>&1; then
	cat >"$TMP/segv.c" <<'EOF'
#include <sys/socket.h>
int main(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
	*(volatile int *)0 = 1;
	return 0;
}
EOF
	cc -o "$TMP/segv" "$TMP/segv.c" 2>/dev/null
	printf 'client: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, 127.0.0.1:8888) = 0\n' >"$TMP/needs.sp"
	run --run server="$TMP/segv" "$TMP/needs.sp" >"$TMP/t7" 2>&1
	rc=$?
	check "a program killed by SIGSEGV: its side says so" has "$TMP/t7" "[server] killed by SIGSEGV"
	check "a later statement that needed it failed: exit 1 (rc $rc)" test $rc = 1
fi

# ---- 6. the transcript against strace of the same program ------------------------------------------
# a network namespace of their own: with a user namespace, or directly as root where that is refused
netns=""
if command -v unshare >/dev/null 2>&1; then
	if unshare -rn true 2>/dev/null; then netns="unshare -rn"; elif unshare -n true 2>/dev/null; then netns="unshare -n"; fi
fi
if command -v strace >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 && [ -n "$netns" ]; then
	# the same two programs, in a namespace of their own, the server under strace
	$netns sh -c '
		ip link set lo up
		strace -f -qq -e trace=network,close -o "$1/strace.out" timeout 30 python3 assets/programs/server.py \
			>/dev/null 2>&1 &
		st=$!
		n=0
		while [ $n -lt 400 ] && ! ss -tln 2>/dev/null | grep -q 127.0.0.1:8888; do sleep 0.05; n=$((n + 1)); done
		python3 assets/programs/client.py >/dev/null 2>&1
		sleep 0.3 # the server closes and is back in accept: then it is ended
		pkill -TERM -P "$st" # strace'"'"'s child, timeout, which passes it on to the server
		wait' sh "$TMP"
	spid=$(grep -m1 'socket(AF_INET' "$TMP/strace.out" | cut -d' ' -f1)
	# "NAME = RET" for the server's own network calls: strace's names mapped as trace.h documents
	# (a call cut by the end, "= ? ERESTARTSYS", is the last accept: blocked in the transcript)
	grep "^$spid " "$TMP/strace.out" | grep -v 'unfinished' |
		sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed>/\1(/' |
		grep -vE '^(close|\+\+\+|---)' | grep -v ' = ? ' |
		sed -E 's/^sendto\((.*), NULL, 0\) = /send(\1) = /; s/^recvfrom\((.*), NULL, NULL\) = /recv(\1) = /' |
		sed -E 's/^([a-z0-9_]+)\(.* = (-?[0-9]+).*/\1 = \2/' >"$TMP/strace.calls"
	grep '^\[server\] ' "$TMP/t2" | grep -v '<blocked>' |
		grep -E '^\[server\] (socket|socketpair|bind|listen|connect|accept|accept4|send|sendto|sendmsg|recv|recvfrom|recvmsg|shutdown|setsockopt|getsockopt|getsockname|getpeername)\(' |
		sed -E 's/^\[server\] ([a-z0-9_]+)\(.* = (-?[0-9]+).*/\1 = \2/' >"$TMP/ours.calls"
	check "strace saw the server's calls ($(wc -l <"$TMP/strace.calls") of them)" test -s "$TMP/strace.calls"
	check "the transcript has the server's calls of strace, call for call, same results" cmp -s "$TMP/strace.calls" "$TMP/ours.calls"
	cmp -s "$TMP/strace.calls" "$TMP/ours.calls" || diff "$TMP/strace.calls" "$TMP/ours.calls" | head -20
else
	echo "skip the strace comparison: no strace, ip, or network namespace of its own"
fi

# ---- 7. no traced process left behind: SIGTERM and SIGKILL of sockplay -----------------------------
printf 'sleep 5s\n' >"$TMP/wait.sp"
for sig in TERM KILL; do
	"$SP" --sandbox --batch --run server="$SERVER" "$TMP/wait.sp" >/dev/null 2>&1 &
	pid=$!
	n=0
	while [ $n -lt 100 ] && [ -z "$(leftover server.py)" ]; do sleep 0.05; n=$((n + 1)); done
	check "the program runs under sockplay (before SIG$sig)" test -n "$(leftover server.py)"
	kill -$sig $pid
	wait $pid 2>/dev/null
	n=0
	while [ $n -lt 40 ] && [ -n "$(leftover server.py)" ]; do sleep 0.05; n=$((n + 1)); done
	check "no traced process left after SIG$sig of sockplay" test -z "$(leftover server.py)"
done

# ---- 8. stepping in the TUI --------------------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	SESSION=step
	$TM new-session -d -s "$SESSION" -x 110 -y 32 \
		"env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP --sandbox --run server='$SERVER'; echo \"EXITED rc=\$?\"; exec sleep 600"
	check "the program waits before its first socket call" wait_for "next: socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)" 10
	ppid=$(screen | grep -oE 'SERVER +pid [0-9]+' | grep -oE '[0-9]+$')
	sockets() { find "/proc/$ppid/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
	check "before the first n it has made no socket call (pid $ppid: $(sockets) sockets)" test -n "$ppid" -a "$(sockets)" = 0
	check "... and its pane shows none" eval '! screen | grep -qF "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3"'
	$TM send-keys -t "$SESSION" n
	check "n: socket() made" wait_for "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3"
	check "... and it stops before bind" wait_for "next: bind(3, 127.0.0.1:8888)"
	$TM send-keys -t "$SESSION" n
	wait_for "next: listen(3, 128)"
	$TM send-keys -t "$SESSION" n
	check "after socket, bind, listen: the row says LISTEN" wait_for "TCP  LISTEN"
	# its user namespace too when the sandbox has one of its own (not when made directly as root)
	userns=""
	[ "$(readlink "/proc/$ppid/ns/user")" = "$(readlink /proc/self/ns/user)" ] || userns=-U
	check "the kernel agrees: 127.0.0.1:8888 listens in the sandbox" \
		eval "nsenter -t $ppid $userns -n ss -tln 2>/dev/null | grep -q '127.0.0.1:8888'"
	check "it stops before accept" wait_for "next: accept4(3, SOCK_CLOEXEC)"
	$TM send-keys -t "$SESSION" n
	check "accept blocks, shown like an actor's" wait_for "accept4(3, SOCK_CLOEXEC) blocked"
	check "... and the hint says what i does to a program: SIGINT, not EINTR" wait_for "sends the program SIGINT"
	$TM send-keys -t "$SESSION" Tab
	$TM send-keys -t "$SESSION" s
	wait_for "client: c = socket" && $TM send-keys -t "$SESSION" Enter
	check "the keyboard client has a socket" wait_for "socket(AF_INET, SOCK_STREAM, 0) = 3"
	$TM send-keys -t "$SESSION" c
	wait_for "client: connect(c, 127.0.0.1:8888)" && $TM send-keys -t "$SESSION" Enter
	check "the keyboard client connects to the program" wait_for "connect(3, 127.0.0.1:8888) = 0"
	check "the program's accept returns" wait_for "<resumed> = 4"
	$TM send-keys -t "$SESSION" Tab
	wait_for "next: getsockname(4)" && $TM send-keys -t "$SESSION" n
	check "the program stops before its send" wait_for 'next: send(4, "Hello, client!", 14)'
	check "its print() is in its pane" wait_for "> connection from 127.0.0.1"
	$TM send-keys -t "$SESSION" n
	check "the program's send returned" wait_for 'send(4, "Hello, client!", 14) = 14'
	$TM send-keys -t "$SESSION" Tab
	$TM send-keys -t "$SESSION" r
	wait_for "client: recv(c, 1024)" && $TM send-keys -t "$SESSION" Enter
	check "the keyboard client receives the program's data" wait_for 'recv(3, 1024) = 14 "Hello, client!"'
	check "the program is still alive before q" test -n "$(leftover server.py)"
	$TM send-keys -t "$SESSION" q
	check "q quits at once" wait_for "EXITED rc=0"
	n=0
	while [ $n -lt 40 ] && [ -n "$(leftover server.py)" ]; do sleep 0.05; n=$((n + 1)); done
	check "no traced process left after q" test -z "$(leftover server.py)"
	$TM kill-session -t "$SESSION" 2>/dev/null
	SESSION=
else
	echo "skip stepping in the TUI: no tmux"
fi

# ---- deep forks: names cut to the side-name limit stay apart, one side a process -------------
cat >"$TMP/deep.py" <<'EOF'
import os, socket
def go(depth):
    socket.socket().close()
    if depth:
        pid = os.fork()
        if pid == 0:
            go(depth - 1)
            os._exit(0)
        os.waitpid(pid, 0)
go(6)
EOF
# the interpreter itself, not a wrapper script that may start processes of its own
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
run --run abcdefghijklmnopqrstuvw="${PY:-python3} $TMP/deep.py" >"$TMP/deep" 2>&1
# the sides that made the script's calls (an interpreter's wrapper may add processes of its own)
grep -o '^\[[^]]*\] socket(AF_INET' "$TMP/deep" | cut -d']' -f1 | sort -u >"$TMP/deep.sides"
ended=0
while read -r side; do has "$TMP/deep" "$side] exited 0" && ended=$((ended + 1)); done <"$TMP/deep.sides"
check "seven processes of deep forks: seven sides" test "$(wc -l <"$TMP/deep.sides")" = 7
check "... each one's exit shown on its own side" test "$ended" = 7
[ "$ended" = 7 ] || sed 's/^/     | /' "$TMP/deep"

# ---- run through sudo, the sandbox made as root: the program runs as the user, not as root ------
# (only where the network namespace is made directly, with no user namespace: as root in a chroot
# or a container that refuses user namespaces)
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/python3 ] && ! unshare -U true 2>/dev/null; then
	printf 'client: c = socket(AF_INET, SOCK_STREAM)\n' >"$TMP/one.sp"
	SUDO_UID=65534 SUDO_GID=65534 "$SP" --sandbox --batch \
		--run prog="/usr/bin/python3 -c 'import os; print(os.getuid(), os.getgid())'" "$TMP/one.sp" >"$TMP/sudo" 2>&1
	check "through sudo: the program runs as the user who ran sudo" has "$TMP/sudo" "[prog] > 65534 65534"
else
	echo "skip the program's ids through sudo: only where the sandbox is made as root without a user namespace"
fi

echo "$failures failed"
[ "$failures" = 0 ]
