#!/bin/bash
# e2e_hostile.sh -- the TUI under hostile conditions, driven in a headless tmux: signals to the UI,
# a resize storm, a tiny terminal, escape sequences and floods from a peer, a peer that never
# reads, a reset mid-transfer, a thousand connections, no descriptors left.
# One line per check ("ok ..." / "FAIL ..."), non-zero exit on a failure.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_tmux
[ -x "$SP" ] || { echo "FAIL $SP is not built"; exit 1; }
# Widths are counted in characters below: box drawing is one column, one character.
export LC_ALL=C.UTF-8

SOCK="sockplay-hostile-$$"
TM="tmux -L $SOCK -f /dev/null"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockplay-hostile.XXXXXX")
trap '$TM kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/tmux_lib.sh
. tests/tmux_lib.sh

# Everything the pane printed, wrapped lines joined: what a shell after sockplay shows.
transcript() { $TM capture-pane -p -J -S -500 -t "$SESSION"; }

# Wait until the screen shows a line matching the extended regular expression RE.
wait_re() {
	local re=$1 n=$(((${2:-5}) * 20))
	while [ $n -gt 0 ]; do
		screen 2>/dev/null | grep -qE -- "$re" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# Wait until the shell after sockplay printed "EXITED rc=RC" (it may have scrolled off a small pane).
wait_exit() { # RC [SECONDS]
	local n=$(((${2:-5}) * 20))
	while [ $n -gt 0 ]; do
		transcript 2>/dev/null | grep -qF -- "EXITED rc=$1" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# Start sockplay ARGS in a new session of SIZE; when it ends, the pane shows its status and stty.
# PRE runs first in the pane's shell (no core files by default: some cases kill sockplay with SIGSEGV).
PRE="ulimit -c 0;"
start() { # NAME COLS ROWS ARGS...
	SESSION=$1
	local cols=$2 rows=$3
	shift 3
	$TM new-session -d -s "$SESSION" -x "$cols" -y "$rows" \
		"$PRE env TERM=screen LANG=C.UTF-8 LC_ALL=C.UTF-8 $SP $*; echo \"EXITED rc=\$?\"; stty -a; exec sleep 600"
	wait_re "sockplay|terminal too small" 10
}

# The pid of sockplay in the session, and of its actors.
ui_pid() { pgrep -P "$($TM list-panes -t "$SESSION" -F '#{pane_pid}')" -x sockplay | head -1; }
actor_pids() { pgrep -P "$1" 2>/dev/null; }

# A process is gone once it no longer exists or is a zombie: dead, only waiting for whoever
# adopted it to reap it.
gone() { ! ps -o stat= -p "$1" 2>/dev/null | grep -q '^[^Z]'; }
alive_none() { # PIDS...: none of them runs any more
	local n=40
	while [ $n -gt 0 ]; do
		local any=0
		for p in "$@"; do gone "$p" || any=1; done
		[ $any = 0 ] && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

terminal_sane() { # the shell after sockplay sees a cooked, echoing terminal with signals on
	wait_for_exited || return 1
	local flags n=40
	while [ $n -gt 0 ]; do # stty prints just after EXITED
		flags=$(transcript | tr ' ' '\n')
		echo "$flags" | grep -qx icanon && echo "$flags" | grep -qx echo && echo "$flags" | grep -qx isig &&
			! echo "$flags" | grep -qxE -- '-icanon|-echo|-isig' && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
wait_for_exited() { wait_exit "" 5; }

# What sockplay set in the terminal is undone: main screen, cursor shown, no mouse reports, keypad
# in normal mode -- as tmux itself records the pane's modes.
modes_restored() {
	wait_for_exited || return 1
	[ "$($TM display -p -t "$SESSION" \
		'#{alternate_on}#{cursor_flag}#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}#{keypad_cursor_flag}')" = 010000 ]
}

# A statement at the ':' prompt; the screen must then show RESULT.
stmt() { # TEXT RESULT [SECONDS]
	$TM send-keys -t "$SESSION" :
	wait_for "Enter runs  Esc cancels" 3 || { fail "the prompt opens for '$1'"; return 1; }
	$TM send-keys -t "$SESSION" C-u
	$TM send-keys -t "$SESSION" -l "$1"
	$TM send-keys -t "$SESSION" Enter
	wait_for "$2" "${3:-5}" && return 0
	fail "'$1' shows '$2'"
	$TM send-keys -t "$SESSION" Escape
	return 1
}

# A call key: its prompt must be prefilled with PROMPT; Enter; the result must show RESULT.
key_call() { # KEY PROMPT RESULT
	$TM send-keys -t "$SESSION" "$1"
	wait_for "> $2" 3 || { fail "key $1 prefills '$2'"; $TM send-keys -t "$SESSION" Escape; return 1; }
	$TM send-keys -t "$SESSION" Enter
	wait_for "$3" 5 || { fail "key $1 runs '$2' -> '$3'"; return 1; }
	return 0
}

# A server listening on a port of the kernel's choosing, a client connected to it, accepted.
connected_pair() {
	stmt "server: s = socket(AF_INET, SOCK_STREAM)" "socket(AF_INET, SOCK_STREAM, 0) = 3" &&
		stmt "server: bind(s, 127.0.0.1:0)" "bind(3, 127.0.0.1:0) = 0" &&
		stmt "server: listen(s, 5)" "listen(3, 5) = 0" &&
		stmt "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid" &&
		stmt "client: connect(c, server.addr(s))" "client: connect(3, 127.0.0.1:" &&
		stmt "server: conn = accept(s)" "accept(3) = 4 (peer 127.0.0.1:"
}

# The frame is whole: COLS x ROWS rows, each as wide as the terminal with a border at both ends,
# the title at the top, the bottom border, the key bar last.
layout_ok() { # COLS ROWS
	local s l
	s=$(screen)
	[ "$(echo "$s" | wc -l)" = "$2" ] || return 1
	echo "$s" | head -1 | grep -q '^┌ sockplay.*┐$' || return 1
	echo "$s" | sed -n "$(($2 - 1))p" | grep -q '^└─*┘$' || return 1
	echo "$s" | tail -1 | grep -q '^s socket b bind' || return 1
	while IFS= read -r l; do
		[ "${#l}" = "$1" ] || return 1
		case $l in [│├]*[│┤]) ;; *) return 1 ;; esac
	done < <(echo "$s" | sed -n "2,$(($2 - 2))p")
}

# The same, waited for (after a resize the UI may still be catching up).
wait_layout() { # COLS ROWS [SECONDS]
	local n=$(((${3:-5}) * 10))
	while [ $n -gt 0 ]; do
		layout_ok "$1" "$2" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# One line per row: its first and last character, its width and, in the panes, where the border
# between them is. Equal before and after means nothing in the layout moved.
skeleton() {
	local line rest pre inner panes=1 n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in ├*) panes=0 ;; esac
		inner=-
		if [ $panes = 1 ] && [ $n -gt 1 ]; then
			rest=${line:1}
			pre=${rest%%│*}
			inner=${#pre}
		fi
		printf '%s %s %s %s\n' "${line:0:1}" "${line: -1}" "${#line}" "$inner"
	done < <(screen)
}

pane_title() { $TM display -p -t "$SESSION" '#{pane_title}'; }

# ---- 1. signals to the UI process ---------------------------------------------------------------
# NAME STATUS FATAL: the signal, the exit status the shell sees, 1 for a fatal one.
signal_case() {
	local sig=$1 rc=$2 fatal=$3 pid actors
	# sanitizer builds: let a sent SIGSEGV be a plain crash, not a sanitizer report
	PRE="ulimit -c 0; ASAN_OPTIONS=\"\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}handle_segv=0\""
	start "sig$sig" 100 30
	PRE="ulimit -c 0;"
	stmt "server: s = socket(AF_INET, SOCK_STREAM)" "socket(AF_INET, SOCK_STREAM, 0) = 3"
	if [ "$sig" = INT ] || [ "$sig" = SEGV ]; then # one with a call blocked in the kernel
		stmt "server: bind(s, 127.0.0.1:0)" "bind(3, 127.0.0.1:0) = 0"
		stmt "server: listen(s, 5)" "listen(3, 5) = 0"
		stmt "server: conn = accept(s)" "accept(3) blocked"
	fi
	stmt "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid"
	pid=$(ui_pid)
	actors=$(actor_pids "$pid")
	check "SIG$sig: sockplay runs with two actors" test -n "$pid" -a "$(echo "$actors" | wc -w)" = 2
	kill -"$sig" "$pid"
	if [ "$fatal" = 1 ]; then # the handler gives the terminal back, then the signal goes on
		check "SIG$sig: sockplay dies of the signal, re-raised (the shell sees status $rc)" wait_exit "$rc"
	else
		check "SIG$sig ends sockplay (the shell sees status $rc)" wait_exit "$rc"
	fi
	# shellcheck disable=SC2086
	check "SIG$sig: no actor process is left" alive_none $actors
	[ "$sig" = KILL ] && return # nothing can give the terminal back after SIGKILL
	check "SIG$sig: the terminal is sane (cooked, echo, signals)" terminal_sane
	check "SIG$sig: main screen, cursor shown, mouse reports off, keypad normal" modes_restored
}
signal_case INT 130 0
signal_case HUP 129 0
signal_case TERM 143 0
signal_case SEGV 139 1
signal_case ABRT 134 1
signal_case KILL 137 0

# ---- 2. a resize storm ----------------------------------------------------------------------------
start storm 100 30
stmt "server: s = socket(AF_INET, SOCK_STREAM)" "socket(AF_INET, SOCK_STREAM, 0) = 3"
pid=$(ui_pid)
actors=$(actor_pids "$pid")
# about 50 resizes a second for 5 seconds, between 20x10 and 120x40, a redraw key now and then;
# one tmux command list, spaced by tmux's own delays
sizes="20x10 120x40 80x24 57x13 100x30 33x37 119x11 64x29 90x40 45x22 79x23 81x25"
cmds=()
i=0
while [ $i -lt 250 ]; do
	for sz in $sizes; do
		cmds+=(resize-window -t storm -x "${sz%x*}" -y "${sz#*x}" \; run-shell -d 0.02 \;)
		i=$((i + 1))
		[ $((i % 25)) = 0 ] && cmds+=(send-keys -t storm C-l \;)
	done
done
# shellcheck disable=SC2086
check "the storm: tmux took every resize (about 250, 5 s of them)" $TM "${cmds[@]}" resize-window -t storm -x 100 -y 30
check "after the storm at 100x30: the panes are back" wait_for "SERVER  pid"
check "after the storm: no too-small screen is left" wait_gone "too small"
check "after the storm: the frame is whole at 100x30" wait_layout 100 30
check "after the storm: the same UI process is alive" kill -0 "$pid"
$TM send-keys -t storm Tab
sleep 0.1
key_call s "client: c = socket(AF_INET, SOCK_STREAM)" "CLIENT  pid" &&
	check "after the storm: a key still runs a call" wait_for "client: socket(AF_INET, SOCK_STREAM, 0) = 3"
$TM send-keys -t storm q
check "after the storm: q quits" wait_exit 0
# shellcheck disable=SC2086
check "after the storm: no actor process is left" alive_none $actors
check "after the storm: the terminal is sane" terminal_sane

# ---- 3. a 20x10 terminal --------------------------------------------------------------------------
start tiny 20 10
check "20x10: says the terminal is too small" wait_for "terminal too small"
check "20x10: says what to do" wait_for "enlarge the window"
check "20x10: no frame is drawn in the too-small space" sh -c "! $TM capture-pane -p -t tiny | grep -q '[┌│└]'"
pid=$(ui_pid)
sleep 0.3
check "20x10: sockplay is running" kill -0 "$pid"
$TM send-keys -t tiny q
check "20x10: q quits with status 0" wait_exit 0
check "20x10: the terminal is sane" terminal_sane
check "20x10: the terminal modes are restored" modes_restored

# ---- 4. hostile bytes from the peer ---------------------------------------------------------------
start hostile 100 30
connected_pair
check "hostile: the frame is whole before" wait_layout 100 30
title=$(pane_title)
before=$(skeleton)
# ESC, CSI clear screen, cursor home, an OSC title, C1 CSI, U+202E (bidi override), CR, BS
HOSTILE='A\x1b[2J\x1b[HB\x1b]0;pwned\x07C\x9bD\xe2\x80\xaeE\rF\x08G'
stmt "client: send(c, \"$HOSTILE\")" "client: send(3, \"$HOSTILE\", 30) = 30"
check "hostile: the sent bytes are shown escaped" wait_for "client: send(3, \"$HOSTILE\", 30) = 30"
stmt "server: recv(conn, 1024)" "server: recv(4, 1024) = 30 \"$HOSTILE\""
check "hostile: the received bytes are shown escaped, all 30 of them" wait_for "recv(4, 1024) = 30 \"$HOSTILE\""
check "hostile: \\x1b[2J is text in the server's pane" \
	sh -c "$TM capture-pane -p -t hostile | awk -F '│' '\$2 ~ /x1b\\[2J/ { f = 1 } END { exit !f }'"
check "hostile: the screen was not cleared (title, both pane headers)" \
	sh -c "s=\$($TM capture-pane -p -t hostile); echo \"\$s\" | head -1 | grep -q '^┌ sockplay' && echo \"\$s\" | grep -q 'SERVER  pid' && echo \"\$s\" | grep -q 'CLIENT  pid'"
check "hostile: the key bar is intact" sh -c "$TM capture-pane -p -t hostile | tail -1 | grep -q '^s socket b bind l listen c connect a accept w send r recv x close'"
check "hostile: the frame is whole after" layout_ok 100 30
after=$(skeleton)
check "hostile: nothing in the layout moved" test "$before" = "$after"
check "hostile: the pane title was not changed to 'pwned'" test "$(pane_title)" = "$title" -a "$(pane_title)" != pwned
no_raw_bytes() { ! screen | grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2\x9b\|\xe2\x80\xae'; }
check "hostile: no raw control, C1 or bidi character is on the screen" no_raw_bytes
check "hostile: the terminal is still in the UI's modes (alternate screen)" \
	test "$($TM display -p -t hostile '#{alternate_on}')" = 1
$TM send-keys -t hostile q
check "hostile: q quits" wait_exit 0

# ---- 5. a peer that never reads -------------------------------------------------------------------
start noread 100 30
connected_pair
pid=$(ui_pid)
actors=$(actor_pids "$pid")
stmt "client: send(c, \"x\" * 10000000)" "client: send() waits for room in the send buffer"
check "never-read: the client's send is shown blocked" wait_for "send() waits for room in the send buffer"
if wait_re '10000000\) blocked [0-9.]+ ?s' 3; then
	ok "never-read: the blocked send shows its running time"
	check "never-read: ... and it counts" wait_re '10000000\) blocked [2-9]\.' 4
else
	fail "never-read: the blocked send shows its running time"
fi
$TM send-keys -t noread w
check "never-read: a call key on the blocked client is refused with a reason" wait_for "client is blocked in send(3,"
$TM send-keys -t noread Tab
sleep 0.1
key_call r "server: recv(conn, 1024)" "server: recv(4, 1024) = 1024" &&
	ok "never-read: Tab, then the server pane runs a call while the client is blocked"
$TM send-keys -t noread '?'
check "never-read: ? shows the help" wait_for "sockplay keys"
$TM send-keys -t noread Escape
check "never-read: Esc closes it" wait_gone "sockplay keys"
$TM send-keys -t noread Tab
sleep 0.1
$TM send-keys -t noread C-c
# interrupted after part of it was copied, send() returns that count; before any, -1 EINTR
check "never-read: Ctrl-C ends the blocked send with a result" \
	wait_re 'client: send\(3, .*10000000\) <(interrupted|resumed)> = ([0-9]+|-1 EINTR)'
partial_or_eintr() {
	local n
	n=$(screen | sed -nE 's/.*client: send\(3, .*10000000\) <(interrupted|resumed)> = ([0-9]+).*/\2/p' | head -1)
	if [ -n "$n" ]; then [ "$n" -lt 10000000 ]; else screen | grep -q '10000000) <interrupted> = -1 EINTR'; fi
}
check "never-read: ... which is a part of the 10000000 bytes, or -1 EINTR" partial_or_eintr
check "never-read: the blocked hint is gone" wait_gone "send() waits for room in the send buffer"
stmt "client: shutdown(c, SHUT_WR)" "shutdown(3, SHUT_WR) = 0" &&
	ok "never-read: after the interrupt the client runs calls again"
$TM send-keys -t noread q
check "never-read: q quits at once (nothing blocked)" wait_exit 0
# shellcheck disable=SC2086
check "never-read: no actor process is left" alive_none $actors
check "never-read: the terminal is sane" terminal_sane

# ---- 6. a peer that floods ------------------------------------------------------------------------
cat >"$TMP/flood.sp" <<'EOF'
title "flood"
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:0)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, server.addr(s))
server: conn = accept(s)
repeat 200
client: send(c, "\x1b[2J\x1b]0;flood\x07\x9b" * 5000)
server: recv(conn, 1048576)
end
EOF
start flood 100 30 --play --delay 0 "$TMP/flood.sp"
pid=$(ui_pid)
check "flood: 200 sends of 75000 bytes and the receives play to the end" wait_for "(end of script)" 30
check "flood: the client's sends are shown" wait_re '75000\) = 75000'
check "flood: the server's receives are shown with their counts" wait_re 'recv\(4, 1048576\) = [0-9]+'
check "flood: the received bytes are escaped" wait_for '\x1b[2J\x1b]0;flood\x07\x9b'
check "flood: the frame is whole" wait_layout 100 30
check "flood: the pane title was not changed" sh -c "[ \"\$($TM display -p -t flood '#{pane_title}')\" != flood ]"
stmt "server: recv(conn, 1048576, MSG_DONTWAIT)" "server: recv(4, 1048576, MSG_DONTWAIT) = " &&
	ok "flood: the UI still runs a typed call"
check "flood: the UI process is alive" kill -0 "$pid"
$TM send-keys -t flood q
check "flood: q quits" wait_exit 0

# ---- 7. a reset mid-transfer ----------------------------------------------------------------------
start reset 100 30
connected_pair
stmt "client: send(c, \"x\" * 10000000)" "client: send() waits for room in the send buffer"
stmt "server: setsockopt(conn, SO_LINGER, 1, 0)" "setsockopt(4, SO_LINGER, 1, 0) = 0"
stmt "server: close(conn)" "close(4) = 0"
# in the client's pane: the explain area stays with the step's own call, the close
check "reset: the client's blocked send returns when the server resets" \
	wait_re '10000000\) <resumed> = ([0-9]+|-1 (ECONNRESET|EPIPE))'
check "reset: the explain area is the close's" wait_for "server: close(4) = 0"
stmt "client: recv(c, 1024)" "client: recv(3, 1024) = -1 ECONNRESET (Connection reset by peer)"
check "reset: the next recv shows -1 ECONNRESET" wait_for "client: recv(3, 1024) = -1 ECONNRESET (Connection reset by peer)"
check "reset: ECONNRESET is explained" wait_for "ECONNRESET: The connection was reset: the peer sent RST"
stmt "client: send(c, \"more\")" "client: send(3, \"more\", 4) = -1 EPIPE (Broken pipe)"
check "reset: a send after it shows -1 EPIPE" wait_for "client: send(3, \"more\", 4) = -1 EPIPE (Broken pipe)"
check "reset: EPIPE is explained" wait_for "EPIPE: Broken pipe"
check "reset: the client's socket is CLOSED in the kernel's view" \
	sh -c "$TM capture-pane -p -t reset | awk -F '│' '\$3 ~ /c +TCP +CLOSED/ { f = 1 } END { exit !f }'"
check "reset: the frame is whole" wait_layout 100 30
$TM send-keys -t reset q
check "reset: q quits" wait_exit 0

# ---- 8. a thousand connections --------------------------------------------------------------------
# SO_LINGER 0 before each close: no TIME_WAIT is left, so every step costs the same
cat >"$TMP/thousand.sp" <<'EOF'
title "a thousand connections"
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:0)
server: listen(s, 5)
repeat 1000
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, server.addr(s)) = 0
server: conn = accept(s)
client: setsockopt(c, SO_LINGER, 1, 0)
client: close(c)
server: close(conn)
end
client: last = socket(AF_INET, SOCK_DGRAM)
EOF
start thousand 100 30 --play --delay 0 "$TMP/thousand.sp"
pid=$(ui_pid)
check "1000 connections: the script plays to its end" wait_for "(end of script)" 120
check "1000 connections: every step ran (step N/N)" wait_re 'step ([0-9]+)/\1 '
check "1000 connections: the latest call is shown" wait_for "socket(AF_INET, SOCK_DGRAM, 0) = 3"
check "1000 connections: the server's pane scrolled (its first calls are gone, the latest shown)" \
	sh -c "s=\$($TM capture-pane -p -t thousand | awk -F '│' '{ print \$2 }'); ! echo \"\$s\" | grep -q 'listen(3, 5) = 0' && echo \"\$s\" | grep -q 'close(4) = 0'"
check "1000 connections: the listener is still there, its queue empty" \
	sh -c "$TM capture-pane -p -t thousand | grep -qE 'LISTEN +0/5'"
check "1000 connections: the frame is whole" wait_layout 100 30
stmt "server: getsockopt(s, SO_TYPE)" "getsockopt(3, SO_TYPE) = 0" &&
	ok "1000 connections: the UI still runs a typed call"
check "1000 connections: the UI process is alive" kill -0 "$pid"
actors=$(actor_pids "$pid")
$TM send-keys -t thousand q
check "1000 connections: q quits" wait_exit 0
# shellcheck disable=SC2086
check "1000 connections: no actor process is left" alive_none $actors

# ---- 9. out of descriptors --------------------------------------------------------------------------
cat >"$TMP/fds.sp" <<'EOF'
title "out of descriptors"
repeat 70
client: socket(AF_INET, SOCK_STREAM)
end
EOF
PRE="ulimit -c 0; ulimit -n 64;"
start fds 100 30 --play --delay 0 "$TMP/fds.sp"
PRE="ulimit -c 0;"
pid=$(ui_pid)
check "ulimit -n 64: the script plays to its end" wait_for "(end of script)" 15
check "ulimit -n 64: socket() fails with -1 EMFILE" wait_for "client: socket(AF_INET, SOCK_STREAM, 0) = -1 EMFILE (Too many open files)"
check "ulimit -n 64: EMFILE is explained" wait_for "EMFILE: This process has reached its limit of open file descriptors."
stmt "client: close(3)" "client: close(3) = 0" &&
	stmt "client: again = socket(AF_INET, SOCK_STREAM)" "client: socket(AF_INET, SOCK_STREAM, 0) = 3" &&
	ok "ulimit -n 64: after a close, a new socket gets the freed descriptor"
stmt "server: s = socket(AF_INET, SOCK_STREAM)" "server: socket(AF_INET, SOCK_STREAM, 0) = 3" &&
	stmt "server: bind(s, 127.0.0.1:0)" "server: bind(3, 127.0.0.1:0) = 0" &&
	stmt "server: listen(s, 5)" "server: listen(3, 5) = 0" &&
	stmt "client: connect(again, server.addr(s))" "client: connect(3, 127.0.0.1:" &&
	stmt "server: conn = accept(s)" "server: accept(3) = 4 (peer 127.0.0.1:" &&
	ok "ulimit -n 64: a whole connection still works"
check "ulimit -n 64: the frame is whole" wait_layout 100 30
check "ulimit -n 64: the UI process is alive" kill -0 "$pid"
actors=$(actor_pids "$pid")
$TM send-keys -t fds q
check "ulimit -n 64: q quits with status 0" wait_exit 0
# shellcheck disable=SC2086
check "ulimit -n 64: no actor process is left" alive_none $actors
check "ulimit -n 64: the terminal is sane" terminal_sane

echo "$failures failure(s)"
[ "$failures" = 0 ]
