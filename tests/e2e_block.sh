#!/bin/bash
# End-to-end tests of blocking and segments as expectations, against the kernel
# in the sandbox: <blocked> / <at once> after a call, expect ACTOR blocked|free,
# expect [no] wire FROM > TO [FLAGS] len=N. The README's examples pass; wrong
# expectations exit 1 with what was seen; --record, JSON and the message where
# nothing can capture.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
. tests/readme_lib.sh # the README's examples
needs_sandbox
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
has() { grep -qF -- "$2" "$1"; } # FILE TEXT


# -- the README's examples pass, with and without --wire, as text and JSON -------
for name in rcvlowat clean-close; do
	readme_example "$name" >"$TMP/$name.sp"
	[ -s "$TMP/$name.sp" ] || { bad "README has no example $name"; continue; }
	for opts in "" "--wire" "--format json"; do
		# shellcheck disable=SC2086
		$SP --batch $opts "$TMP/$name.sp" >"$TMP/$name.out" 2>"$TMP/$name.err"; rc=$?
		if [ $rc = 0 ] && [ ! -s "$TMP/$name.err" ]; then
			ok "README example $name passes in --batch ${opts:-(plain)}"
		else
			bad "README example $name ${opts:-(plain)}: exit $rc"; cat "$TMP/$name.out" "$TMP/$name.err"
		fi
	done
done
readme_example rcvlowat >"$TMP/r.sp"
$SP --batch "$TMP/r.sp" >"$TMP/r.out" 2>&1
has "$TMP/r.out" "[server] accept(3) <blocked>" && has "$TMP/r.out" "[server] blocked in accept(3)" &&
	has "$TMP/r.out" "[server] blocked in recv(4, 4)" && has "$TMP/r.out" '[server] recv(4, 4) <resumed> = 4 "abcd"' &&
	has "$TMP/r.out" '[server] recv(4, 4) = 4 "wxyz"' && has "$TMP/r.out" "[server] free" &&
	ok "rcvlowat: 2 bytes leave recv blocked, 2 more release it, 4 waiting are read at once" ||
	{ bad "rcvlowat transcript"; cat "$TMP/r.out"; }
readme_example clean-close >"$TMP/c.sp"
$SP --batch "$TMP/c.sp" >"$TMP/c.out" 2>&1
has "$TMP/c.out" "[expect] wire client > server [FIN,ACK] len=0: seen" &&
	has "$TMP/c.out" "[expect] no wire [RST]: none seen" &&
	has "$TMP/c.out" "[expect] wire server > client [PSH,ACK] len=3: seen" &&
	! grep -q '^\[wire\]' "$TMP/c.out" &&
	ok "clean close: the checks are said, the segments not printed without --wire" ||
	{ bad "clean-close transcript"; cat "$TMP/c.out"; }
$SP --batch --wire "$TMP/c.sp" >"$TMP/cw.out" 2>&1
[ "$(grep -c '^\[wire\] ' "$TMP/cw.out")" -ge 9 ] && has "$TMP/cw.out" "[expect] no wire [RST]: none seen" &&
	ok "clean close with --wire: segments printed and checked" || { bad "clean close --wire"; cat "$TMP/cw.out"; }
$SP --batch --format json "$TMP/c.sp" >"$TMP/c.json" 2>&1
has "$TMP/c.json" '{"event":"expect","line":14,"text":"wire client > server [FIN,ACK] len=0","expected":"client > server [FIN,ACK] len=0","negate":false,"verdict":"seen","seen":"client > server [FIN,ACK] len=0, server > client [ACK] len=0","ok":true}' &&
	has "$TMP/c.json" '"text":"no wire [RST]","expected":"[RST]","negate":true,"verdict":"none seen"' &&
	ok "JSON: an expect event per wire expectation, with what was seen" || { bad "JSON wire events"; grep expect "$TMP/c.json"; }
$SP --batch --format json "$TMP/r.sp" >"$TMP/r.json" 2>&1
has "$TMP/r.json" '{"event":"expect","actor":"server","line":6,"text":"server blocked","expected":"blocked","seen":"blocked in accept(3)","ok":true}' &&
	ok "JSON: expect server blocked says where it is blocked" || { bad "JSON side event"; grep expect "$TMP/r.json"; }

# -- wrong blocking expectations fail the run, saying what happened ---------------
cat >"$TMP/wrong.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) <blocked>
EOF
out=$($SP --batch "$TMP/wrong.sp" 2>&1); rc=$?
[ $rc = 1 ] && ok "a <blocked> call that returned at once exits 1" || bad "wrong <blocked> exits $rc"
case "$out" in *"wrong.sp:6: expectation failed: expected <blocked>, got = 4 at once"*) ok "... saying 'expected <blocked>, got = 4 at once'" ;;
*) bad "wrong <blocked> message: $out" ;; esac
cat >"$TMP/later.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
server: conn = accept(s) <blocked> = 4
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: recv(conn, 10) <blocked>
EOF
$SP --batch "$TMP/later.sp" >"$TMP/later.out" 2>&1 && ok "<blocked> = 4: blocks, and its later result is checked; <blocked> alone holds when interrupted at the end" ||
	{ bad "later.sp"; cat "$TMP/later.out"; }
sed -i 's/<blocked> = 4/<blocked> = 5/' "$TMP/later.sp"
out=$($SP --batch "$TMP/later.sp" 2>&1); rc=$?
case "$rc:$out" in 1:*"later.sp:4: expectation failed: expected 5, got 4"*) ok "<blocked> = 5 resumed with 4: the value fails as any" ;;
*) bad "later.sp with = 5: exit $rc: $out" ;; esac
cat >"$TMP/once.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
server: recv(conn, 10) = 2 "hi" <at once>
expect server free
client: send(c, "hi")
expect server free
EOF
out=$($SP --batch "$TMP/once.sp" 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in *'once.sp:7: expectation failed: expected = 2 "hi" <at once>, got <blocked>'*)
	ok "an <at once> call that blocks fails as it blocks, exit 1" ;; *) bad "<at once> message: $out" ;; esac ||
	bad "wrong <at once> exits $rc"
case "$out" in *"once.sp:8: expectation failed: expected free, got blocked in recv(4, 10) (server)"*)
	ok "expect server free on a blocked side fails, naming its call" ;; *) bad "expect free message: $out" ;; esac
case "$out" in *'recv(4, 10) <resumed> = 2 "hi"'*"[server] free"*) ok "... and the recv the send released is free again" ;;
*) bad "released recv: $out" ;; esac
[ "$(printf '%s\n' "$out" | grep -c 'expectation failed')" = 2 ] && ok "each wrong expectation fails once" ||
	bad "failures counted: $out"
# poll(): a wrong blocking mark names the ready sockets expected and got
cat >"$TMP/pollmark.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
server: poll(conn POLLIN) = 1 (conn POLLIN) <at once>
client: send(c, "hi")
server: poll(conn POLLIN) <blocked> = 1 (conn POLLIN)
EOF
out=$($SP --batch "$TMP/pollmark.sp" 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in
*'pollmark.sp:7: expectation failed: expected = 1 (conn POLLIN) <at once>, got <blocked>'*'pollmark.sp:9: expectation failed: expected <blocked> = 1 (conn POLLIN), got = 1 (conn POLLIN) at once'*)
	ok "poll(): wrong <at once> and <blocked> say which sockets were expected and came" ;;
*) bad "poll marks: $out" ;; esac || bad "poll marks exit $rc"
# expect free waits only for a call a step released, not for one that ends on its own later
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: bind(s, 127.0.0.1:8888)\nserver: listen(s)\nserver: setsockopt(s, SO_RCVTIMEO, 800ms)\nserver: conn = accept(s) <blocked>\nexpect server free\nserver: poll(s POLLIN, 700) <blocked>\nexpect server blocked\n' >"$TMP/own.sp"
out=$($SP --batch "$TMP/own.sp" 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in
*"own.sp:6: expectation failed: expected free, got blocked in accept(3) (server)"*'<resumed> = -1 EAGAIN'*'[server] blocked in poll(3 POLLIN, 700)'*'poll(3 POLLIN, 700) <resumed> = 0'*)
	ok "expect free fails on a call that only its own timeout ends; a poll's timeout is waited for at the end" ;;
*) bad "own timeouts: $out" ;; esac || bad "own timeouts exit $rc"
# a side that never made a call, and is no program's: no side to be free
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nexpect web free\nexpect client free\n' >"$TMP/noside.sp"
out=$($SP --batch "$TMP/noside.sp" 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in *"noside.sp:2: expectation failed: expected free, got no side web (web)"*"[client] free"*)
	ok "expect on a side that does not exist fails; client, not started yet, is free" ;;
	*) bad "no side: $out" ;; esac || bad "expect on no side exits $rc"

# -- segments that tell an abortive close from a clean one ------------------------
cat >"$TMP/rst.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
client: setsockopt(c, SO_LINGER, 1, 0)
client: close(c)
expect wire client > server [RST,ACK] len=0
expect no wire server > client [RST]
expect no wire [RST]
expect wire client > server [FIN,ACK]
server: send(conn, "late") = -1 ECONNRESET
EOF
out=$($SP --batch "$TMP/rst.sp" 2>&1); rc=$?
[ $rc = 1 ] && ok "SO_LINGER {1, 0}: the run fails on the clean-close checks" || bad "rst.sp exits $rc: $out"
case "$out" in *"[expect] wire client > server [RST,ACK] len=0: seen"*"[expect] no wire server > client [RST]: none seen"*)
	ok "... an RST,ACK from the client, none from the server" ;; *) bad "rst checks: $out" ;; esac
case "$out" in *"rst.sp:11: expectation failed: expected no segment [RST]; close(3) put on the wire: client > server [RST,ACK] len=0"*)
	ok "expect no wire [RST] counts RST,ACK, and lists what was seen" ;; *) bad "no wire message: $out" ;; esac
case "$out" in *"rst.sp:12: expectation failed: expected a segment client > server [FIN,ACK]; close(3) put on the wire: client > server [RST,ACK] len=0"*)
	ok "a FIN,ACK that never came: what was seen instead" ;; *) bad "FIN,ACK message: $out" ;; esac
case "$out" in *'send(4, "late", 4) = -1 ECONNRESET'*) ok "the rest of the script ran" ;; *) bad "after the wire checks: $out" ;; esac
cat >"$TMP/unread.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
client: send(c, "unread")
expect wire client > server [PSH,ACK] len=6
server: close(conn)
expect wire server > client [RST,ACK]
expect no wire server > client [FIN,ACK]
sleep 50ms
expect wire server > client [RST,ACK]
EOF
$SP --batch "$TMP/unread.sp" >"$TMP/unread.out" 2>&1 && ok "close with unread data: an RST, no FIN (and a sleep keeps the last call's segments)" ||
	{ bad "unread.sp"; cat "$TMP/unread.out"; }

# -- --record writes each form back, and the record runs the same -------------------
readme_example clean-close >"$TMP/rec.sp"
cat >>"$TMP/rec.sp" <<'EOF'
server: s2 = socket(AF_INET, SOCK_STREAM)
server: listen(s2, 1)
server: accept(s2) <blocked>
expect server blocked
client: c2 = socket(AF_INET, SOCK_STREAM)
client: connect(c2, server.addr(s2)) = 0 <at once>
expect wire [SYN]
expect no wire client > server [RST,ACK] len=0
expect server free
client: recv(c2, 4) <blocked>
expect client blocked
EOF
$SP --batch --record "$TMP/rec.out.sp" "$TMP/rec.sp" >"$TMP/rec.out" 2>&1; rc=$?
if [ $rc = 0 ] && $SP --batch "$TMP/rec.out.sp" >"$TMP/rec2.out" 2>&1; then
	grep -v '^#' "$TMP/rec.sp" | grep -v '^$' >"$TMP/rec.want"
	grep -v '^#' "$TMP/rec.out.sp" | diff -u "$TMP/rec.want" - >"$TMP/rec.diff" && ok "--record: every form written back as typed, and it runs again" ||
		{ bad "--record differs"; cat "$TMP/rec.diff"; }
else
	bad "--record run: exit $rc"; cat "$TMP/rec.out" "$TMP/rec2.out" 2>/dev/null
fi

# -- --export: the calls run as in sockplay; what only sockplay sees stays a comment -----
# Exported programs print the transcript's call lines; the lines of expect wire and
# expect ACTOR blocked|free are sockplay's alone (a plain program sees neither a
# process asleep in a call nor the segments on lo), so they are left out of the diff.
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
CC=${CC:-cc}
cat >"$TMP/lo_up.py" <<'EOF'
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sh22x", b"lo", 0))
flags = struct.unpack("16sh22x", ifr)[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh22x", b"lo", flags | 1))
EOF
in_netns() { timeout -k 5 60 unshare -rn sh -c '"$0" "$1" && shift && exec "$@"' "$PY" "$TMP/lo_up.py" "$@"; }
netns=1
[ -x "$PY" ] && unshare -rn "$PY" "$TMP/lo_up.py" 2>/dev/null || netns=0
only_sockplay() { sed -E -e '/^\[expect\] /d' -e '/^\[[a-z0-9_]+\] (blocked in .*|free)$/d' \
	-e 's/:(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/:PORT/g'; }
for name in rcvlowat clean-close; do
	$SP --export c "$TMP/$name.sp" >"$TMP/$name.c" && $SP --export python "$TMP/$name.sp" >"$TMP/$name.py" ||
		{ bad "$name: --export fails"; continue; }
	grep -q 'expect no wire \[RST\] -- checked by sockplay\|expect server blocked -- checked by sockplay' "$TMP/$name.c" &&
		grep -q '^ *# expect .* -- checked by sockplay (line [0-9]*): ' "$TMP/$name.py" &&
		ok "$name: the exports keep each sockplay-only check as a comment saying so" || bad "$name: comments in the exports"
	if $CC -O2 -Wall -Wextra -Werror -o "$TMP/$name.bin" "$TMP/$name.c" 2>"$TMP/$name.cc" &&
		[ -x "$PY" ] && "$PY" -m py_compile "$TMP/$name.py"; then
		ok "$name: the exported C and Python compile"
	else
		bad "$name: the exports do not compile"; head -20 "$TMP/$name.cc"; continue
	fi
	[ $netns = 1 ] || { echo "skip running the $name exports: no private network namespace"; continue; }
	$SP --batch "$TMP/$name.sp" | only_sockplay >"$TMP/$name.want"
	for lang in c python; do
		if [ $lang = c ]; then in_netns "$TMP/$name.bin" >"$TMP/$name.$lang.out" 2>&1; rc=$?
		else in_netns "$PY" "$TMP/$name.py" >"$TMP/$name.$lang.out" 2>&1; rc=$?; fi
		if [ $rc = 0 ] && only_sockplay <"$TMP/$name.$lang.out" | diff -u "$TMP/$name.want" - >"$TMP/$name.$lang.diff"; then
			ok "$name: the $lang export runs (exit 0) and prints the batch's call lines"
		else
			bad "$name: the $lang export: exit $rc"; head -30 "$TMP/$name.$lang.diff"
		fi
	done
done

# -- the TUI: each check says ok or failed like the others, typed or from the script --
if command -v tmux >/dev/null 2>&1; then
	TM="tmux -L sockplay-block-$$ -f /dev/null"
	SESSION=block
	screen() { $TM capture-pane -p -t "$SESSION"; }
	wait_for() { local n=100; while [ $n -gt 0 ]; do screen 2>/dev/null | grep -qF -- "$1" && return 0; sleep 0.05; n=$((n - 1)); done; return 1; }
	typed() { $TM send-keys -t "$SESSION" ':'; sleep 0.2; $TM send-keys -t "$SESSION" C-u; $TM send-keys -t "$SESSION" -l "$1"; $TM send-keys -t "$SESSION" Enter; }
	$TM new-session -d -s "$SESSION" -x 100 -y 30 "$SP $TMP/r.sp"
	wait_for "step 0/" || bad "TUI did not start"
	for _ in 1 2 3 4 5 6; do $TM send-keys -t "$SESSION" n; sleep 0.3; done
	wait_for "expect server blocked: ok" && ok "TUI: the script's expect server blocked says ok" ||
		{ bad "TUI: expect server blocked"; screen; }
	typed "server: expect server free" # after the prefilled side, as a person types it
	wait_for "expected free, got blocked in accept(3) (server)" &&
		ok "TUI: a typed expect server free fails, naming the call it is blocked in" || { bad "TUI: typed expect free"; screen; }
	typed "client: c = socket(AF_INET, SOCK_STREAM)"
	sleep 0.5
	typed "client: connect(c, 127.0.0.1:8888) = 0 <at once>"
	sleep 0.5
	typed "expect wire client > server [SYN]"
	wait_for "expect wire client > server [SYN]: ok" && ok "TUI: a typed expect wire reads the TUI's capture" ||
		{ bad "TUI: typed expect wire"; screen; }
	typed "expect wire client > server [RST]"
	wait_for "expected a segment client > server [RST]; connect(3, 127.0.0.1:8888) put on the wire:" && wait_for "client > server [SYN] len=0, server > client [SYN,ACK] len=0" &&
		ok "TUI: a failed expect wire lists what was seen" || { bad "TUI: failed expect wire"; screen; }
	typed "server: accept(s) <blokced>"
	wait_for "did you mean '<blocked>'?" && ok "TUI prompt: <blokced> gets a suggestion" || { bad "TUI: <blokced>"; screen; }
	$TM kill-server >/dev/null 2>&1
else
	echo "skip the TUI checks: no tmux"
fi

# -- where nothing can capture, an expect wire cannot pass ----------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	cp "$SP" "$TMP/sockplay" && chmod 755 "$TMP/sockplay" && cp "$TMP/c.sp" "$TMP/nocap.sp" && chmod 644 "$TMP/nocap.sp"
	out=$(cd "$TMP" && setpriv --reuid=65534 --regid=65534 --clear-groups ./sockplay --batch --host-net nocap.sp 2>&1); rc=$?
	if printf '%s\n' "$out" | grep -q ': seen$'; then
		ok "host network: this user may capture (skipped the no-capture case)"
	else
		[ $rc = 1 ] && ok "no capture: expect wire fails the run (exit 1)" || bad "no capture exits $rc: $out"
		case "$out" in *"[expect] wire client > server [SYN]: unable to check"*"nocap.sp:7: expectation failed: cannot check wire client > server [SYN]: capturing needs CAP_NET_RAW on the host network"*)
			ok "... each says it was unable to check, and why" ;; *) bad "no-capture message: $out" ;; esac
		case "$out" in *"[client] state(c) = TIME_WAIT"*) ok "... and the rest of the script ran" ;; *) bad "no capture: $out" ;; esac
	fi
else
	echo "skip no-capture case: needs root and setpriv to run as another user"
fi

[ $fails = 0 ]
