#!/bin/bash
# e2e_tui.sh -- the TUI driven by keys in a headless tmux: one line per check, non-zero exit on a failure.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_tmux
needs_sandbox
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }

SOCK="sockplay-e2e-$$"
TM="tmux -L $SOCK -f /dev/null"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-e2e.XXXXXX")
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/tmux_lib.sh
. tests/tmux_lib.sh

# Start sockplay ARGS in a new session of SIZE; when it ends, the pane shows its status and stty.
start() { # NAME COLS ROWS ARGS...
	SESSION=$1
	local cols=$2 rows=$3
	shift 3
	$TM new-session -d -s "$SESSION" -x "$cols" -y "$rows" \
		"env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP $*; echo \"EXITED rc=\$?\"; stty -a; exec sleep 600"
	wait_for "sockplay" 10
}

# The pid of sockplay in the session, and of its actors.
ui_pid() { pgrep -P "$($TM list-panes -t "$SESSION" -F '#{pane_pid}')" -x sockplay | head -1; }
actor_pids() { pgrep -P "$1" 2>/dev/null; }

# A call key: its prompt must be prefilled with PROMPT; Enter; the result must show RESULT.
key_call() { # KEY PROMPT RESULT
	$TM send-keys -t "$SESSION" "$1"
	wait_for "> $2" 3 || { fail "key $1 prefills '$2'"; return 1; }
	$TM send-keys -t "$SESSION" Enter
	wait_for "$3" 5 || { fail "key $1 runs '$2' -> '$3'"; return 1; }
	return 0
}

tab() { $TM send-keys -t "$SESSION" Tab; sleep 0.1; }

alive_none() { # PIDS...: none of them exists any more
	local n=40
	while [ $n -gt 0 ]; do
		local any=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && any=1; done
		[ $any = 0 ] && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

terminal_sane() { # the shell after sockplay sees a cooked, echoing terminal
	wait_for "EXITED" 5 || return 1
	local s
	s=$(screen)
	echo "$s" | grep -qw -- "icanon" && ! echo "$s" | grep -qw -- "-icanon" &&
		! echo "$s" | grep -qw -- "-echo"
}

# ---- 0. `make run` builds the Chinese catalogue, so that --lang zh works after it --------
if command -v make >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1; then
	check "make run builds the translations it plays with" \
		sh -c "make -n -W assets/po/zh_CN.po run 2>/dev/null | grep -q 'msgfmt -c'"
fi

# ---- 1. the tutorial with keys only, at 100x30 ------------------------------------
start tutorial 100 30 --record "$TMP/rec.sp"
check "starts with the server and client panes" wait_for "SERVER"
ok=1
key_call s "server: s = socket(AF_INET, SOCK_STREAM)" "socket(AF_INET, SOCK_STREAM, 0) = 3" || ok=0
# without the sandbox, port 8888 may still be in TIME_WAIT from an earlier run
if screen | grep -q "host network"; then
	key_call o "server: setsockopt(s, SO_REUSEADDR, 1)" "setsockopt(3, SO_REUSEADDR, 1) = 0"
fi
[ $ok = 1 ] && key_call b "server: bind(s, 127.0.0.1:8888)" "bind(3, 127.0.0.1:8888) = 0" &&
	key_call l "server: listen(s, 5)" "listen(3, 5) = 0" || ok=0
tab
key_call s "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid" &&
	key_call c "client: connect(c, 127.0.0.1:8888)" "connect(3, 127.0.0.1:8888) = 0" || ok=0
tab
key_call a "server: conn = accept(s)" "accept(3) = 4 (peer 127.0.0.1:" &&
	key_call w "server: send(conn, \"Hello, client!\")" "send(4, \"Hello, client!\", 14) = 14" || ok=0
tab
key_call r "client: recv(c, 1024)" "recv(3, 1024) = 14 \"Hello, client!\"" || ok=0
check "the tutorial flow runs from keys alone" test $ok = 1
check "the listener shows LISTEN with its backlog" sh -c "$TM capture-pane -p -t tutorial | grep -qE 'LISTEN +0/5'"
check "ESTABLISHED on the server's side" sh -c "$TM capture-pane -p -t tutorial | awk -F '│' '\$2 ~ /conn +TCP +ESTABLISHED/ { f = 1 } END { exit !f }'"
check "ESTABLISHED on the client's side" sh -c "$TM capture-pane -p -t tutorial | awk -F '│' '\$3 ~ /c +TCP +ESTABLISHED/ { f = 1 } END { exit !f }'"
check "every return value is shown" sh -c "s=\$($TM capture-pane -p -t tutorial); for v in 'SOCK_STREAM, 0) = 3' 'bind(3, 127.0.0.1:8888) = 0' 'listen(3, 5) = 0' 'connect(3, 127.0.0.1:8888) = 0' 'accept(3) = 4' '14) = 14' '= 14 \"Hello, client!\"'; do echo \"\$s\" | grep -qF -- \"\$v\" || exit 1; done"
check "the explain area explains recv" wait_for "client: recv(3, 1024) = 14"
screen >"$TMP/tutorial.screen"
# X10 mouse reports (TERM=screen): press and release at column 10, row 3 -- the server's "s" row
$TM send-keys -t "$SESSION" -l $'\e[M +$'
$TM send-keys -t "$SESSION" -l $'\e[M#+$'
sleep 0.2
$TM send-keys -t "$SESSION" x
check "a click focuses the server and selects its listener" wait_for "> server: close(s)" 3
$TM send-keys -t "$SESSION" Escape
check "Esc cancels the prompt" wait_gone "> server: close(s)" 3
pid=$(ui_pid)
actors=$(actor_pids "$pid")
check "two actor processes run" test "$(echo "$actors" | wc -w)" = 2
$TM send-keys -t "$SESSION" q
check "q quits at once when nothing is blocked" wait_for "EXITED rc=0"
# shellcheck disable=SC2086
check "no actor process is left after q" alive_none $actors
check "the terminal is sane after q" terminal_sane

# ---- 2. --record, then --batch of the recording ------------------------------------
check "the recording is a script" grep -qx 'client: recv(c, 1024)' "$TMP/rec.sp"
$SP --batch "$TMP/rec.sp" >"$TMP/batch.out" 2>"$TMP/batch.err"
check "--batch of the recording succeeds" test $? = 0
norm() { sed -E 's/127\.0\.0\.1:[0-9]{4,5}\)/127.0.0.1:PORT)/; s/^\[[a-z0-9]+\] //'; }
same=1
while IFS= read -r line; do
	want=$(echo "$line" | norm)
	grep -F -- "$(echo "$want" | sed 's/PORT).*//')" "$TMP/tutorial.screen" >/dev/null || { same=0; echo "     missing on screen: $line"; }
done < <(grep '^\[' "$TMP/batch.out")
check "--batch of the recording gives the results the screen showed" test $same = 1
check "--batch printed every call" test "$(grep -c '^\[' "$TMP/batch.out")" -ge 8

# ---- 3. accept before any connect blocks, with a growing time, and resumes -------------
start blocking 100 30
key_call s "server: s = socket(AF_INET, SOCK_STREAM)" "= 3"
key_call o "server: setsockopt(s, SO_REUSEADDR, 1)" "setsockopt(3, SO_REUSEADDR, 1) = 0"
key_call b "server: bind(s, 127.0.0.1:8888)" "bind(3, 127.0.0.1:8888) = 0"
key_call l "server: listen(s, 5)" "listen(3, 5) = 0"
key_call a "server: conn = accept(s)" "accept(3) blocked"
check "accept shows the server blocked" wait_for "accept(3) blocked"
check "the blocked time grows (1 s)" wait_for "accept(3) blocked 1." 4
check "the blocked time grows (2 s)" wait_for "accept(3) blocked 2." 4
$TM send-keys -t "$SESSION" a
check "a call key on a blocked side is refused with a reason" wait_for "server is blocked in accept(3)"
tab
key_call s "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid"
key_call c "client: connect(c, 127.0.0.1:8888)" "connect(3, 127.0.0.1:8888) = 0"
check "the client's connect releases accept" wait_for "accept(3) <resumed> = 4 (peer 127.0.0.1:"
check "the blocked line is gone" wait_gone "accept(3) blocked"

# ---- 4. interrupting a blocked call ---------------------------------------------------
key_call r "client: recv(c, 1024)" "recv(3, 1024) blocked"
$TM send-keys -t "$SESSION" C-c
check "Ctrl-C interrupts: -1 EINTR" wait_for "recv(3, 1024) <interrupted> = -1"
check "EINTR is named and explained" wait_for "EINTR"
key_call r "client: recv(c, 1024)" "recv(3, 1024) blocked"
$TM send-keys -t "$SESSION" i
check "i interrupts too" sh -c "n=0; while [ \$n -lt 60 ]; do [ \$($TM capture-pane -p -t blocking | grep -c 'interrupted> = -1') -ge 2 ] && exit 0; sleep 0.05; n=\$((n+1)); done; exit 1"

# ---- 5. the prompt: a parse error inline, then a typed statement --------------------------
$TM send-keys -t "$SESSION" :
wait_for "> client: " 3
$TM send-keys -t "$SESSION" -l "lisen(c, 5)"
$TM send-keys -t "$SESSION" Enter
check "a parse error shows under the prompt, which stays open" wait_for "^ unknown call 'lisen'; did you mean 'listen'?"
$TM send-keys -t "$SESSION" C-u
$TM send-keys -t "$SESSION" -l "client: shutdown(c, SHUT_WR)"
$TM send-keys -t "$SESSION" Enter
check "a typed statement runs" wait_for "shutdown(3, SHUT_WR) = 0"
$TM send-keys -t "$SESSION" :
wait_for "> client: " 3
$TM send-keys -t "$SESSION" -l "server: getsockopt(s, SO_TYPE)"
$TM send-keys -t "$SESSION" Enter
wait_for "getsockopt(3, SO_TYPE) =" 5
check "another side's name typed after the prefilled one runs there" sh -c "$TM capture-pane -p -t $SESSION | awk -F '│' '\$2 ~ /getsockopt\\(3, SO_TYPE\\) = [0-9]/ { f = 1 } END { exit !f }'"
tab # the statement took the focus to the server: back to the client
$TM send-keys -t "$SESSION" Escape
$TM send-keys -t "$SESSION" '?'
check "? shows the help from the keymap" wait_for "sockplay keys"
$TM send-keys -t "$SESSION" x
check "a key closes the help" wait_for "s socket"

# ---- 6. resizing -----------------------------------------------------------------------
$TM resize-window -t "$SESSION" -x 60 -y 15
check "60x15 shows the too-small screen" wait_for "terminal too small (need 80x24, have 60x15)"
$TM resize-window -t "$SESSION" -x 120 -y 40
check "120x40 shows the full layout again" wait_for "SERVER"
check "120x40: key bar and explain area" sh -c "s=\$($TM capture-pane -p -t blocking); echo \"\$s\" | grep -q 'explain' && echo \"\$s\" | tail -1 | grep -q 's socket'"
check "120x40: no too-small screen left" wait_gone "too small"

# ---- 7. quitting while a call is blocked asks first -------------------------------------
tab
key_call a "server: conn2 = accept(s)" "accept(3) blocked"
pid=$(ui_pid)
actors=$(actor_pids "$pid")
$TM send-keys -t "$SESSION" q
check "q asks when a call is blocked" wait_for "Quit anyway? (y/n)"
$TM send-keys -t "$SESSION" n
check "n keeps the UI" wait_gone "Quit anyway?"
$TM send-keys -t "$SESSION" q
wait_for "Quit anyway? (y/n)" 3
$TM send-keys -t "$SESSION" y
check "y quits" wait_for "EXITED rc=0"
# shellcheck disable=SC2086
check "no actor process is left after quitting a blocked session" alive_none $actors
check "the terminal is sane after q" terminal_sane

# ---- 8. SIGTERM ----------------------------------------------------------------------------
start term 100 30
key_call s "server: s = socket(AF_INET, SOCK_STREAM)" "= 3"
tab
key_call s "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid"
key_call r "client: recv(c, 1024)" "recv(3, 1024)"
pid=$(ui_pid)
actors=$(actor_pids "$pid")
check "SIGTERM test has two actors" test "$(echo "$actors" | wc -w)" = 2
kill -TERM "$pid"
check "SIGTERM ends sockplay" wait_for "EXITED rc=143"
# shellcheck disable=SC2086
check "no actor process is left after SIGTERM" alive_none $actors
check "the terminal is sane after SIGTERM" terminal_sane

# ---- 9. a script on screen: --play --delay 0 to the end -------------------------------------
if [ -f assets/demos/hello.sp ]; then
	start play 100 30 --play --delay 0 assets/demos/hello.sp
	check "--play runs the script to its end" wait_for "end of the script" 10
	check "the strip marks the end" wait_for "(end of script)"
	$TM send-keys -t "$SESSION" q
	check "q after the script" wait_for "EXITED rc=0"
fi

# ---- 10. the wire ladder and the state diagram, stepping hello.sp -----------------------------
# The wire pane: the rows between its border and the explain area's.
wire_pane() { screen | awk '/^├ wire/ { on = 1; next } /^├ explain/ { on = 0 } on'; }
# A ladder row: LABEL with its arrowhead on the right (DIR=right) or the left (DIR=left).
arrow() { # LABEL DIR
	wire_pane | grep -F -- "$1" | grep -qE "$([ "$2" = right ] && echo "$1.*▶" || echo "◀.*$1")"
}
# Press n until the wire pane shows TEXT (at most N times).
step_until() { # TEXT N
	local n=$2
	while [ "$n" -gt 0 ]; do
		wire_pane | grep -qF -- "$1" && return 0
		$TM send-keys -t "$SESSION" n
		sleep 0.15
		n=$((n - 1))
	done
	wire_pane | grep -qF -- "$1"
}
wire_tour() { # COLS ROWS
	local size="$1x$2"
	start "wire$1" "$1" "$2" assets/demos/hello.sp
	check "$size: the wire pane is there before anything happens" sh -c "$TM capture-pane -p -t wire$1 | grep -q '^├ wire'"
	check "$size: the handshake: SYN, client to server (right to left)" step_until "SYN seq=0 " 14
	wait_for "ACK seq=1 ack=1 " 3
	check "$size: SYN seq=0 points to the server" arrow "SYN seq=0 " left
	check "$size: SYN,ACK seq=0 ack=1 points to the client" arrow "SYN,ACK seq=0 ack=1" right
	check "$size: ACK seq=1 ack=1 points to the server" arrow "ACK seq=1 ack=1 " left
	check "$size: the ends are named" sh -c "$TM capture-pane -p -t wire$1 | grep -E 'server .*127\.0\.0\.1:8888 .*client c 127\.0\.0\.1:[0-9]+'"
	check "$size: the step that caused them in the margin" sh -c "$TM capture-pane -p -t wire$1 | grep -qE '^│ +[0-9]+ +│◀─+ SYN seq=0'"
	check "$size: the explanation joins the call, segments and states" wait_for "CLOSED through SYN_SENT to ESTABLISHED" 3
	check "$size: the data: PSH,ACK len=14 to the client" step_until "len=14" 6
	check "$size: PSH,ACK seq=1 ack=1 len=14 points to the client" arrow "PSH,ACK seq=1 ack=1 len=14" right
	check "$size: its ACK comes back" wait_for "ACK seq=1 ack=15" 3
	$TM send-keys -t "$SESSION" d
	check "$size: d shows the state diagram" wait_for "TCP states" 3
	check "$size: the listener is marked at LISTEN" sh -c "$TM capture-pane -p -t wire$1 | grep -qE 'LISTEN server s'"
	check "$size: both ends are marked at ESTABLISHED" sh -c "$TM capture-pane -p -t wire$1 | grep -E 'ESTABLISHED .*server conn' | grep -q 'client c'"
	check "$size: the transitions are labelled" sh -c "s=\$($TM capture-pane -p -t wire$1); for l in 'listen()' 'connect() / send SYN' 'recv SYN / send SYN,ACK' 'recv SYN,ACK / send ACK' 'close() / send FIN' 'recv FIN / send ACK' '2MSL timeout'; do echo \"\$s\" | grep -qF -- \"\$l\" || exit 1; done"
	check "$size: the diagram fits" sh -c "$TM capture-pane -p -t wire$1 | grep -q 'TIME_WAIT' && $TM capture-pane -p -t wire$1 | grep -q 'last step:'"
	$TM send-keys -t "$SESSION" n
	sleep 0.3
	check "$size: n steps under the diagram" wait_for "last step:" 3
	$TM send-keys -t "$SESSION" Escape
	check "$size: Esc closes the diagram" wait_gone "TCP states" 3
	check "$size: the client's FIN (FIN,ACK to the server)" step_until "FIN,ACK seq=1 ack=15" 8
	check "$size: FIN,ACK seq=1 ack=15 points to the server" arrow "FIN,ACK seq=1 ack=15" left
	check "$size: the joined explanation of close()" wait_for "the server is in CLOSE_WAIT until it closes too" 3
	check "$size: the server's FIN (FIN,ACK to the client)" step_until "FIN,ACK seq=15 ack=2" 8
	check "$size: FIN,ACK seq=15 ack=2 points to the client" arrow "FIN,ACK seq=15 ack=2" right
	check "$size: the last ACK" wait_for "ACK seq=2 ack=16" 3
	$TM send-keys -t "$SESSION" d
	check "$size: the client is marked at TIME_WAIT" wait_for "TIME_WAIT client c" 3
	$TM send-keys -t "$SESSION" q
	wait_gone "TCP states" 3
	$TM send-keys -t "$SESSION" '['
	check "$size: [ scrolls back" wait_for "newer" 3
	check "$size: ... to older segments" sh -c "$TM capture-pane -p -t wire$1 | grep -qF 'len=14'"
	$TM send-keys -t "$SESSION" ']'
	check "$size: ] goes back to the newest" wait_gone "newer" 3
	$TM send-keys -t "$SESSION" W
	check "$size: W shows every connection, naming both ends" sh -c "sleep 0.3; $TM capture-pane -p -t wire$1 | grep -E 'server :8888 .*client :[0-9]+' | grep -q 'ACK'"
	check "$size: the pane says so" wait_for "wire: every connection" 3
	check "$size: no row is wider than the terminal" sh -c "[ \$($TM capture-pane -p -t wire$1 | LC_ALL=C.UTF-8 wc -L) -le $1 ]"
	$TM send-keys -t "$SESSION" q
	check "$size: q quits" wait_for "EXITED rc=0"
}
wire_tour 100 30
wire_tour 80 24

# ---- 11. without a capture the wire pane says why; everything else works ----------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	NOCAP="setpriv --inh-caps=-net_raw --bounding-set=-net_raw"
elif [ "$(id -u)" != 0 ]; then
	NOCAP=""
else
	NOCAP=none
fi
if [ "$NOCAP" != none ]; then
	SESSION=nocap
	$TM new-session -d -s nocap -x 80 -y 24 \
		"$NOCAP env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP --host-net; echo \"EXITED rc=\$?\"; exec sleep 600"
	wait_for "sockplay" 10
	check "--host-net without CAP_NET_RAW: the wire pane says why" wait_for "wire view off: capturing needs CAP_NET_RAW" 5
	key_call s "server: s = socket(AF_INET, SOCK_STREAM)" "socket(AF_INET, SOCK_STREAM, 0) = 3"
	check "... and the keys still work" wait_for "socket(AF_INET, SOCK_STREAM, 0) = 3"
	$TM send-keys -t "$SESSION" q
	check "... and q quits" wait_for "EXITED rc=0"
else
	echo "skip the wire pane without CAP_NET_RAW: no way to drop CAP_NET_RAW here"
fi

# ---- 12. UDP with keys: w and r offer sendto() and recvfrom() on an unconnected socket ---------
start udp 100 30
$TM send-keys -t "$SESSION" :
wait_for "> server: " 3
$TM send-keys -t "$SESSION" -l "u = socket(AF_INET, SOCK_DGRAM)"
$TM send-keys -t "$SESSION" Enter
check "udp: a UDP socket gets UDP's hint, not listen's" wait_for "UDP: no listen, no accept."
key_call b "server: bind(u, 127.0.0.1:8888)" "bind(3, 127.0.0.1:8888) = 0"
tab
$TM send-keys -t "$SESSION" :
wait_for "> client: " 3
$TM send-keys -t "$SESSION" -l "v = socket(AF_INET, SOCK_DGRAM)"
$TM send-keys -t "$SESSION" Enter
wait_for "SOCK_DGRAM, 0) = 3" 5
key_call w "client: sendto(v, \"Hello, server!\", 127.0.0.1:8888)" "= 14" &&
	ok "udp: w on an unconnected UDP socket sends with sendto()"
tab
key_call r "server: recvfrom(u, 1024)" "recvfrom(3, 1024) = 14 \"Hello, server!\" (from" &&
	ok "udp: r receives the datagram with recvfrom() and shows who sent it"
$TM send-keys -t "$SESSION" e
check "e shows the whole explanation, the statement's own Python line included" \
	wait_for "Python: data, addr = u.recvfrom(1024)"
check "... on the whole screen" wait_for "e, Esc or q closes"
$TM send-keys -t "$SESSION" Escape
check "Esc closes it" wait_gone "e, Esc or q closes"
$TM send-keys -t "$SESSION" :
wait_for "> server: " 3
$TM send-keys -t "$SESSION" -l "clinet: w = socket(AF_INET, SOCK_DGRAM)"
$TM send-keys -t "$SESSION" Enter
check "a side's name one slip from another's asks before starting a process" \
	wait_for "'clinet' would be a new side (a new process); did you mean 'client'?"
check "... and started nothing" sh -c "! $TM capture-pane -p -t $SESSION | grep -q CLINET"
$TM send-keys -t "$SESSION" Escape
$TM send-keys -t "$SESSION" q
check "udp: q quits" wait_for "EXITED rc=0"

# ---- truth on screen: the kernel's ends, the key bar at 80x24, a say's step, e's data, Chinese ----
# A refused connect: the RST comes from the kernel (s is bound, not listening), the server's end on the
# left; a port nobody has: the kernel again, still on the left though no socket of the server's is there.
start refused 100 30 assets/demos/connect-refused.sp
check "refused: the RST is drawn from the kernel" step_until "RST,ACK seq=0 ack=1" 14
check "refused: the kernel's end on the left, the client's on the right" \
	sh -c "$TM capture-pane -p -t refused | grep -qE 'kernel 127\.0\.0\.1:8888 +client c 127\.0\.0\.1:[0-9]+'"
check "refused: the SYN goes to the kernel, the RST comes back from it" arrow "RST,ACK seq=0 ack=1" right
check "refused: a port nobody has: the kernel's end still on the left" step_until "kernel 127.0.0.1:9999" 24
check "refused: ... the client's on the right" \
	sh -c "$TM capture-pane -p -t refused | grep -qE 'kernel 127\.0\.0\.1:9999 +client other 127\.0\.0\.1:[0-9]+'"
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5

# reset.sp at 80x24: x close and d states in the key bar; a say gone once a later call ran
start reset80 80 24 assets/demos/reset.sp
check "80x24: the key bar keeps x close and d states" sh -c "$TM capture-pane -p -t reset80 | tail -1 | grep -q 'x close.*d states'"
explain_pane() { screen | awk '/^├ explain/ { on = 1; next } /^└/ { on = 0 } on'; }
n=0
until explain_pane | grep -qF "SO_LINGER on, with 0 seconds" || [ $n -ge 14 ]; do
	$TM send-keys -t "$SESSION" n
	sleep 0.3
	n=$((n + 1))
done
check "reset: the say shows at its step" sh -c "$TM capture-pane -p -t reset80 | awk '/^├ explain/,0' | grep -qF 'SO_LINGER on, with 0 seconds'"
$TM send-keys -t "$SESSION" n
wait_for "setsockopt(4, SO_LINGER, 1, 0) = 0" 5
sleep 0.3
check "reset: ... and not above the call that ran after it" \
	sh -c "! $TM capture-pane -p -t reset80 | awk '/^├ explain/,0' | grep -qF 'SO_LINGER on, with 0 seconds'"
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5

# e shows every byte a recv received, scrolling when it must
cat >"$TMP/data.sp" <<'SP'
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
repeat 3
server: send(conn, "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")
end
server: send(conn, "THE-LAST-BYTES")
client: recv(c, 4096) = 314
SP
start data 80 24 "$TMP/data.sp"
n=0
until screen | grep -qF "recv(3, 4096) = 314" || [ $n -ge 14 ]; do
	$TM send-keys -t "$SESSION" n
	sleep 0.3
	n=$((n + 1))
done
check "data: the pane shows a part of the 314 bytes, marked" sh -c "$TM capture-pane -p -t data | grep -qF '\"...'"
$TM send-keys -t "$SESSION" e
check "data: e shows all of them" wait_for "All 314 bytes received:" 3
check "data: ... up to the last ones" wait_for 'BYTES"' 3
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5

# Chinese at 80x24: rows break at allowed places, every border in the last column
start zh 80 24 --lang zh assets/demos/half-close.sp
for _ in 1 2 3 4 5 6 7 8 9 10; do $TM send-keys -t "$SESSION" n; sleep 0.25; done
sleep 0.5
check "zh: no row starts with closing punctuation" sh -c "! $TM capture-pane -p -t zh | sed 's/│/\n/g' | sed 's/^ *//' | grep -qE '^(）|，|。|：|、|；)'"
check "zh: every framed row is 80 cells wide" sh -c "$TM capture-pane -p -t zh | head -23 | LC_ALL=C.UTF-8 awk '{ print }' | while IFS= read -r l; do [ \"\$(printf '%s' \"\$l\" | LC_ALL=C.UTF-8 wc -L)\" = 80 ] || exit 1; done"
$TM send-keys -t "$SESSION" q
wait_for "EXITED" 5

echo "$failures failure(s)"
[ "$failures" = 0 ]
