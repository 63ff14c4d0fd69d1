#!/bin/bash
# End-to-end tests of `sockplay --batch` at its limits and against hostile input:
# a peer's control bytes in the transcript and the recording, a reset in the middle
# of a transfer, a peer that never reads, 1000 connections in one session, EMFILE
# under a low descriptor limit, and scripts from strangers (nothing but socket calls,
# no reach outside the sandbox, no files written but those asked for).
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_sandbox
case "$SP" in /*) ;; *) SP=$PWD/$SP ;; esac # some checks run in other directories
TMP=$(mktemp -d)
PEER=
cleanup() { [ -n "$PEER" ] && kill "$PEER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
# A hang is a failure, not a stuck test run (no timing is asserted: the bound is generous).
run() { timeout 60 "$SP" "$@"; }

# What a terminal acts on or reorders: C0 controls but \n and \t, DEL, C1 (as UTF-8, or a
# raw byte: then the line is not UTF-8), bidi and zero-width characters, a BOM.
UNSAFE='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa9]|\xef\xbb\xbf'
unsafe() { # FILE...: prints the first offending lines; exit 1 when there is any
	local f found=0
	for f in "$@"; do
		if LC_ALL=C grep -naP "$UNSAFE" "$f" | head -3 | sed "s|^|$f:|" | cat -v | grep .; then found=1; fi
		if LC_ALL=C.UTF-8 grep -naxv '.*' "$f" | head -3 | sed "s|^|$f: not UTF-8: |" | cat -v | grep .; then found=1; fi
	done
	return $found
}
clean() { # NAME FILE... : no raw control in the files
	local what
	if what=$(unsafe "${@:2}"); then ok "$1"; else bad "$1: $what"; fi
}
has() { grep -qF -- "$2" "$1"; }
count() { grep -cF -- "$2" "$1"; }

# Whether this machine gives sockplay its sandbox (some checks differ without one).
printf 'client: c = socket(AF_INET, SOCK_STREAM)\n' >"$TMP/probe.sp"
"$SP" --batch --sandbox "$TMP/probe.sp" >/dev/null 2>&1
[ $? = 3 ] && SANDBOX=no || SANDBOX=yes

# The bytes of the hostile-peer cases, as a script writes them (\xHH escapes).
HOSTILE='\x1b[2J\x1b]0;x\x07\x9b\x85\x9d\xe2\x80\xae\xe2\x81\xa6\r\x08\x7f\x00!'

# -- 1. a peer's bytes in the transcript ---------------------------------------------------
cat >"$TMP/hostile.sp" <<EOF
title "A peer that sends escape sequences"
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
client: send(c, "$HOSTILE") = 24
server: recv(conn, 100) = 24 "$HOSTILE"
server: u = socket(AF_INET, SOCK_DGRAM)
server: bind(u, 127.0.0.1:5000) = 0
client: d = socket(AF_INET, SOCK_DGRAM)
client: sendto(d, "$HOSTILE" * 10, 127.0.0.1:5000) = 240
server: recvfrom(u, 1000) = 240
client: close(c) = 0
server: recv(conn, 100, MSG_PEEK) = 0
EOF
run --batch "$TMP/hostile.sp" >"$TMP/hostile.out" 2>"$TMP/hostile.err"
rc=$?
[ $rc = 0 ] && ok "hostile bytes: the script runs (exit 0)" || { bad "hostile bytes: exit $rc"; cat "$TMP/hostile.out" "$TMP/hostile.err"; }
clean "hostile bytes: no raw control in the transcript" "$TMP/hostile.out" "$TMP/hostile.err"
has "$TMP/hostile.out" "[server] recv(4, 100) = 24 \"$HOSTILE\"" &&
	ok "hostile bytes: recv shows every byte escaped" || bad "hostile bytes: recv line: $(grep recv "$TMP/hostile.out")"
has "$TMP/hostile.out" "[server] recvfrom(5, 1000) = 240 \"$HOSTILE$HOSTILE" &&
	ok "hostile bytes: recvfrom shows them escaped, cut with ..." || bad "hostile bytes: recvfrom line"
# the bytes that matter, checked once more with od: no ESC, BEL, BS, DEL, NUL, CR, CSI or NEL byte
if od -An -v -tx1 "$TMP/hostile.out" | tr -s ' \n' '\n\n' | grep -qxE '1b|07|08|7f|00|0d|9b|85|9d'; then
	bad "hostile bytes: od finds a raw control byte"
else
	ok "hostile bytes: od finds no raw control byte"
fi
run --batch --explain --wire "$TMP/hostile.sp" >"$TMP/hostile-x.out" 2>&1
clean "hostile bytes: --explain --wire print nothing raw either" "$TMP/hostile-x.out"
run --batch --format json "$TMP/hostile.sp" >"$TMP/hostile.json" 2>&1
clean "hostile bytes: no raw control in the JSON lines" "$TMP/hostile.json"
if python3 - "$TMP/hostile.json" "$HOSTILE" <<'EOF'
import json, sys
want = sys.argv[2]
seen = 0
for line in open(sys.argv[1]):
    ev = json.loads(line)
    for v in ev.values():  # decoded: still nothing a terminal acts on
        if isinstance(v, str):
            assert not any(ord(c) < 0x20 and c not in "\n" or 0x7f <= ord(c) <= 0x9f
                           or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069 for c in v), v
    if ev.get("call") == "recv" and ev.get("ret") == 24:
        assert ev["data"] == want, ev["data"]
        seen += 1
assert seen == 1, seen
EOF
then ok "hostile bytes: JSON data decodes to the escaped text, not to the bytes"; else bad "hostile bytes: JSON data"; fi

# --record writes what ran as a script: escaped, and it replays the same way.
run --batch --record "$TMP/rec.sp" "$TMP/hostile.sp" >/dev/null 2>&1
clean "--record: the recording has no raw control" "$TMP/rec.sp"
run --batch "$TMP/rec.sp" >"$TMP/replay.out" 2>&1 &&
	grep -F '[server] recv(4, 100)' "$TMP/replay.out" | cmp -s - <(grep -F '[server] recv(4, 100)' "$TMP/hostile.out") &&
	ok "--record: the recording replays to the same recv line" || bad "--record replay: $(cat "$TMP/replay.out")"

# A bad statement quoting hostile text: exit 2, and the message and the line shown are clean.
bad_script() { # NAME TEXT (printf %b) EXPECTED-PART
	printf '%b' "$2" >"$TMP/bad.sp"
	out=$(run --batch "$TMP/bad.sp" 2>&1 >/dev/null)
	rc=$?
	printf '%s\n' "$out" >"$TMP/bad.err"
	if [ $rc != 2 ]; then bad "$1: exit $rc (want 2): $out"; return; fi
	if what=$(unsafe "$TMP/bad.err"); then
		case "$out" in *"$3"*) ok "$1: exit 2, '$3', nothing raw" ;; *) bad "$1: message lacks '$3': $out" ;; esac
	else
		bad "$1: raw control in the error: $what"
	fi
}
PRE='server: s = socket(AF_INET, SOCK_STREAM)\n'
bad_script "ESC in a port" "${PRE}server: connect(s, 127.0.0.1:8\x1b[2J)\n" "bad.sp:2:31: error: unexpected U+001B"
bad_script "OSC in a host name" "${PRE}server: connect(s, ho\x1b]0;x\x07st:80)\n" "bad.sp:2:22: error: unexpected U+001B"
bad_script "bidi override in a host name" "${PRE}server: connect(s, ho\xe2\x80\xaest:80)\n" "bad.sp:2:22: error: unexpected U+202E"
bad_script "C1 in an AF_UNIX name" "${PRE}server: bind(s, @a\xc2\x9bb)\n" "bad.sp:2:19: error: unexpected U+009B"
bad_script "BEL in an AF_UNIX path" "${PRE}server: bind(s, /tmp/x\x07)\n" "bad.sp:2:23: error: unexpected U+0007"
bad_script "raw C1 byte" "${PRE}server: listen(s, 5\x9b)\n" "invalid UTF-8 byte 0x9b"
bad_script "ESC in a string" "${PRE}server: send(s, \"\x1b[2J\")\n" "control character U+001B"
bad_script "escape in narration" 'say "\\x1b[2J"\n' "text may not hold control characters"
bad_script "bidi in narration" 'say "\xe2\x81\xa6x"\n' "control character U+2066"
bad_script "CR and BS in a call" "${PRE}server: lis\r\bten(s)\n" "bad.sp:2:"
# a file name is text from outside too
printf 'client: lisen()\n' >"$TMP/$(printf 'lab\033[2J.sp')"
run --batch "$TMP/$(printf 'lab\033[2J.sp')" 2>"$TMP/name.err" >/dev/null
clean "a hostile file name is not echoed raw" "$TMP/name.err"
run --batch "$TMP/$(printf 'gone\033]0;x\007.sp')" 2>"$TMP/name.err" >/dev/null
clean "a missing hostile file name is not echoed raw" "$TMP/name.err"

# Narration with line breaks cannot pass for a call line or an expectation failure.
cat >"$TMP/say.sp" <<'EOF'
say "all good\n[client] connect(3, 127.0.0.1:8888) = 0\nsay.sp:9: expectation failed: none"
client: c = socket(AF_INET, SOCK_STREAM)
EOF
run --batch "$TMP/say.sp" >"$TMP/say.out" 2>&1
if [ "$(grep -c '^\[client\]' "$TMP/say.out")" = 1 ] && ! grep -q '^say.sp:' "$TMP/say.out" &&
	has "$TMP/say.out" "# [client] connect(3, 127.0.0.1:8888) = 0"; then
	ok "narration: every line keeps its '# '"
else
	bad "narration forges lines: $(cat "$TMP/say.out")"
fi

# --export writes the same narration lines, for a program that prints them itself.
if command -v cc >/dev/null 2>&1; then
	if run --export c "$TMP/say.sp" >"$TMP/say.c" 2>&1 && cc -Wall -Wextra -Werror -o "$TMP/say-c" "$TMP/say.c" 2>"$TMP/cc.err"; then
		(cd "$TMP" && timeout 60 ./say-c) 2>&1 | grep '^#' >"$TMP/say-c.out"
		grep '^#' "$TMP/say.out" | cmp -s - "$TMP/say-c.out" &&
			ok "narration: the exported C program marks every line the same way" ||
			bad "narration in --export c: $(cat "$TMP/say-c.out")"
	else
		bad "--export c of narration does not build: $(head -5 "$TMP/cc.err")"
	fi
else
	ok "narration in --export c: skipped, no cc"
fi

# -- 2. reset in the middle of a transfer ----------------------------------------------------
# What Linux answers, asserted exactly: a change of behaviour fails here.
cat >"$TMP/reset.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
say "The client sends a request; the server reads a few bytes of it and drops the client hard."
client: send(c, "GET / HTTP/1.0\r\n" * 100) = 1600
server: recv(conn, 16) = 16 "GET / HTTP/1.0\r\n"
server: setsockopt(conn, SO_LINGER, 1, 0) = 0
server: close(conn) = 0
expect client c CLOSED
client: recv(c, 100) = -1 ECONNRESET
client: recv(c, 100) = 0
client: send(c, "more") = -1 EPIPE
client: getsockopt(c, SO_ERROR) = 0
client: close(c) = 0
say "Again, the client blocked in a big send() when the reset comes."
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "x" * 20000000)
server: recv(conn, 10) = 10
server: setsockopt(conn, SO_LINGER, 1, 0) = 0
server: close(conn) = 0
client: send(c, "more") = -1 ECONNRESET
client: recv(c, 100) = 0
client: send(c, "more") = -1 EPIPE
EOF
run --batch --wire "$TMP/reset.sp" >"$TMP/reset.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "reset mid-transfer: ECONNRESET once, then 0, then EPIPE (exit 0)" || { bad "reset mid-transfer: exit $rc"; cat "$TMP/reset.out"; }
has "$TMP/reset.out" "[RST,ACK]" && ok "reset mid-transfer: the RST is on the wire" || bad "reset: no RST on the wire"
n=$(sed -nE 's/^\[client\] send\(3, "x{32}"\.\.\., 20000000\) <(resumed|interrupted)> = ([0-9]+)$/\2/p' "$TMP/reset.out")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 20000000 ] &&
	ok "reset mid-transfer: the blocked send returns what it had queued ($n bytes)" ||
	bad "reset mid-transfer: blocked send: $(grep 'send(3, "x' "$TMP/reset.out")"

# -- 3. a peer that never reads -----------------------------------------------------------------
cat >"$TMP/nonblock.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_RCVBUF, 4096) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: setsockopt(c, SO_SNDBUF, 4096) = 0
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
client: nonblock(c) = 0
repeat 40
client: send(c, "x" * 4096)
end
client: send(c, "x") = -1 EAGAIN
expect client c ESTABLISHED
server: recv(conn, 4096, MSG_DONTWAIT) = 4096
EOF
run --batch --explain "$TMP/nonblock.sp" >"$TMP/nonblock.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "never-reading peer, nonblocking: sends until -1 EAGAIN (exit 0)" || { bad "nonblocking: exit $rc"; cat "$TMP/nonblock.out"; }
[ "$(count "$TMP/nonblock.out" '4096) = -1 EAGAIN (Resource temporarily unavailable)')" -ge 1 ] && ! has "$TMP/nonblock.out" "<blocked>" &&
	ok "nonblocking: EAGAIN inside the loop, and nothing ever blocked" || bad "nonblocking: $(grep -c EAGAIN "$TMP/nonblock.out") EAGAIN"
grep -qF "    Likely: The send buffer is full and the socket is nonblocking: the peer does not read as fast" "$TMP/nonblock.out" &&
	ok "nonblocking: EAGAIN explained as a full send buffer" || bad "nonblocking: explanation"

cat >"$TMP/block-end.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "x" * 100000000)
say "The client is blocked; the server goes on."
server: recv(conn, 10, MSG_DONTWAIT) = 10
EOF
run --batch "$TMP/block-end.sp" >"$TMP/block-end.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "blocking send to a never-reading peer, last step: no hang, exit 0" || { bad "blocking send at the end: exit $rc"; cat "$TMP/block-end.out"; }
has "$TMP/block-end.out" '[client] send(3, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 100000000) <blocked>' &&
	has "$TMP/block-end.out" "[server] recv(4, 10, MSG_DONTWAIT) = 10" &&
	ok "blocking send: reported <blocked>, the other side went on" || bad "blocking send: $(cat "$TMP/block-end.out")"
n=$(sed -nE 's/^\[client\] send\(3, "x{32}"\.\.\., 100000000\) <(resumed|interrupted)> = ([0-9]+)$/\2/p' "$TMP/block-end.out")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 100000000 ] &&
	ok "blocking send: ended by sockplay at the end of the script, with the bytes it had queued ($n)" ||
	bad "blocking send: how it ended: $(tail -2 "$TMP/block-end.out")"

cat >"$TMP/block-stuck.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "x" * 100000000)
client: close(c) = 0
EOF
run --batch --timeout 1s "$TMP/block-stuck.sp" >"$TMP/block-stuck.out" 2>&1
rc=$?
[ $rc = 1 ] && has "$TMP/block-stuck.out" 'block-stuck.sp:7: client is stuck: send(3, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 100000000) still blocked after 1.0 s' &&
	! has "$TMP/block-stuck.out" "close(3)" &&
	ok "blocking send, then the same side's next call: stuck after --timeout, exit 1, nothing after it runs" ||
	{ bad "blocking send, then a call: exit $rc"; cat "$TMP/block-stuck.out"; }

# -- 4. 1000 connections in one session --------------------------------------------------------
cat >"$TMP/thousand.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
repeat 1000
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: close(c) = 0
server: close(conn) = 0
end
say "Nothing leaked: the lowest free descriptor is the first one again (the listener holds 3)."
client: probe = socket(AF_INET, SOCK_STREAM) = 3
server: probe = socket(AF_INET, SOCK_STREAM) = 4
expect server s LISTEN
expect client c TIME_WAIT
EOF
run --batch "$TMP/thousand.sp" >"$TMP/thousand.out" 2>&1
rc=$?
[ $rc = 0 ] && ok "1000 connections one after another: exit 0" || { bad "1000 connections: exit $rc"; tail "$TMP/thousand.out"; }
a=$(grep -c '^\[server\] accept(3) = 4 (peer 127.0.0.1:' "$TMP/thousand.out")
c=$(count "$TMP/thousand.out" "[client] connect(3, 127.0.0.1:8888) = 0")
x=$(count "$TMP/thousand.out" "close(4) = 0")
y=$(count "$TMP/thousand.out" "[client] close(3) = 0")
[ "$a/$c/$x/$y" = 1000/1000/1000/1000 ] && [ "$(wc -l <"$TMP/thousand.out")" = 5008 ] &&
	ok "1000 connections: 1000 connects, accepts and closes on each side, 5008 lines" || bad "1000 connections: $a/$c/$x/$y"
has "$TMP/thousand.out" "[client] socket(AF_INET, SOCK_STREAM, 0) = 3" && has "$TMP/thousand.out" "[server] socket(AF_INET, SOCK_STREAM, 0) = 4" &&
	ok "1000 connections: no descriptor leaked (the next socket is the lowest number again)" || bad "1000 connections: a leak"

# 1000 open at once (each side needs 1004 descriptors: under the usual 1024, its channel is 1023)
cat >"$TMP/thousand-open.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
repeat 1000
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
end
client: probe = socket(AF_INET, SOCK_STREAM) = 1003
server: probe = socket(AF_INET, SOCK_STREAM) = 1004
expect client c ESTABLISHED
client: send(c, "last") = 4
server: recv(conn, 10) = 4 "last"
EOF
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1024 ]; then
	(ulimit -Sn 1024 && exec timeout 60 "$SP" --batch "$TMP/thousand-open.sp") >"$TMP/thousand-open.out" 2>&1
	rc=$?
	[ $rc = 0 ] && ok "1000 connections open at once under 'ulimit -n 1024'" || { bad "1000 open at once: exit $rc"; tail "$TMP/thousand-open.out"; }
else
	ok "1000 connections open at once: skipped (hard limit $(ulimit -Hn) < 1024)"
fi

# -- 5. EMFILE under a low descriptor limit -------------------------------------------------------
# 64 descriptors: 0-2 are /dev/null, 63 the actor's channel to sockplay, 3-62 for sockets.
cat >"$TMP/emfile.sp" <<'EOF'
repeat 70
client: c = socket(AF_INET, SOCK_STREAM)
end
client: socket(AF_INET, SOCK_STREAM) = -1 EMFILE
say "The channel to sockplay (63) is not the script's: as if it were not open."
client: getsockopt(63, SO_TYPE) = -1 EBADF
client: send(63, "\x59\x4c\x50\x53 a forged result") = -1 EBADF
client: recv(63, 100, MSG_DONTWAIT) = -1 EBADF
client: shutdown(63, SHUT_RDWR) = -1 EBADF
client: close(63) = -1 EBADF
say "Closing one makes room for one."
client: close(3) = 0
client: d = socket(AF_INET, SOCK_STREAM) = 3
client: socket(AF_INET, SOCK_STREAM) = -1 EMFILE
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: close(d) = 0
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "still here") = 10
server: recv(conn, 100) = 10 "still here"
EOF
(cd "$TMP" && ulimit -n 64 && exec timeout 60 "$SP" --batch --explain emfile.sp) >"$TMP/emfile.out" 2>"$TMP/emfile.err"
rc=$?
[ $rc = 0 ] && [ ! -s "$TMP/emfile.err" ] && ok "EMFILE under 'ulimit -n 64': the run goes on to the end, exit 0, nothing on stderr" ||
	{ bad "EMFILE: exit $rc"; cat "$TMP/emfile.out" "$TMP/emfile.err" | tail -20; }
ls "$TMP"/core* >/dev/null 2>&1 && bad "EMFILE: a core file" || ok "EMFILE: no core file"
[ "$(count "$TMP/emfile.out" "[client] socket(AF_INET, SOCK_STREAM, 0) = -1 EMFILE (Too many open files)")" = 12 ] &&
	has "$TMP/emfile.out" "[client] socket(AF_INET, SOCK_STREAM, 0) = 62" && ! has "$TMP/emfile.out" "= 63" &&
	ok "EMFILE: sockets 3 to 62, then EMFILE (11 times in the loop and after it)" || bad "EMFILE: counts: $(grep -c EMFILE "$TMP/emfile.out")"
has "$TMP/emfile.out" "    EMFILE: This process has reached its limit of open file descriptors." &&
	grep -qF "    Likely: Too many descriptors are open: close() the sockets you no longer need." "$TMP/emfile.out" &&
	ok "EMFILE: explained, with the likely mistake" || bad "EMFILE: explanation"
has "$TMP/emfile.out" "[client] close(63) = -1 EBADF (Bad file descriptor)" &&
	has "$TMP/emfile.out" "[server] recv(4, 100) = 10 \"still here\"" &&
	ok "EMFILE: the channel at the limit is out of the script's reach, and works on" || bad "EMFILE: channel"
# the smallest limits still give each side its first socket
for n in 8 6; do
	printf 'client: c = socket(AF_INET, SOCK_STREAM) = 3\nclient: close(c) = 0\n' >"$TMP/tiny.sp"
	out=$( (ulimit -n $n && exec timeout 60 "$SP" --batch "$TMP/tiny.sp") 2>&1)
	rc=$?
	[ $rc = 0 ] && ok "'ulimit -n $n': an actor starts and gets fd 3" || bad "'ulimit -n $n': exit $rc: $out"
done

# An actor killed from outside (the OOM killer, a user): an error naming the step, not a crash.
actor_pid() { # NAME: the pid of our actor of that name (a name of our own: ours only), waiting for it
	local p i
	for i in $(seq 100); do
		p=$(pgrep -x "$1" | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}
k=kg$$
printf '%s: c = socket(AF_INET, SOCK_STREAM) = 3\nsleep 2s\n%s: close(c) = 0\n' $k $k >"$TMP/gone.sp"
timeout 60 "$SP" --batch "$TMP/gone.sp" >"$TMP/gone.out" 2>&1 &
sp=$!
p=$(actor_pid $k) && kill "$p"
wait $sp
rc=$?
[ $rc = 1 ] && has "$TMP/gone.out" "gone.sp:3: error: actor $k is gone" &&
	ok "an actor killed while idle: its next step is an error (exit 1), sockplay lives" ||
	{ bad "an actor killed while idle: exit $rc (141 is SIGPIPE)"; cat "$TMP/gone.out"; }
k=kd$$
printf '%s: s = socket(AF_INET, SOCK_DGRAM)\n%s: bind(s, 127.0.0.1:0) = 0\n%s: recv(s, 10)\n%s: close(s)\n' $k $k $k $k >"$TMP/died.sp"
timeout 60 "$SP" --batch --timeout 30s "$TMP/died.sp" >"$TMP/died.out" 2>&1 &
sp=$!
p=$(actor_pid $k) && sleep 0.2 && kill "$p"
wait $sp
rc=$?
[ $rc = 1 ] && grep -qE "/died\.sp:[1-4]: error: actor $k (died during .*|is gone)$" "$TMP/died.out" &&
	ok "an actor killed in a blocked call: an error on the call's line, exit 1" ||
	{ bad "an actor killed in a call: exit $rc"; cat "$TMP/died.out"; }

# -- 6. scripts from strangers ----------------------------------------------------------------------
# No statement runs a command or touches a file (the parser's tests list them); here, the binary.
for stmt in 'system "ls"' 'client: exec("/bin/sh")' 'client: open("/etc/passwd")' 'client: write(1, "x")' \
	'client: sendfile(3, 0, 100)' 'include "other.sp"'; do
	printf '%s\n' "$stmt" >"$TMP/stranger.sp"
	out=$(run --batch "$TMP/stranger.sp" 2>&1)
	rc=$?
	[ $rc = 2 ] && case "$out" in *"["*"] "*) false ;; *) true ;; esac &&
		ok "refused before anything runs: $stmt" || bad "$stmt: exit $rc: $out"
done

# sockplay's own stdin and stdout are sockets (as under some supervisors): the actors' 0-2 are /dev/null.
cat >"$TMP/stdio.sp" <<'EOF'
client: getsockopt(0, SO_TYPE) = -1 ENOTSOCK
client: getsockopt(1, SO_TYPE) = -1 ENOTSOCK
client: getsockopt(2, SO_TYPE) = -1 ENOTSOCK
client: send(1, "FORGED\n[client] connect(3, 127.0.0.1:80) = 0\n") = -1 ENOTSOCK
client: recv(0, 100, MSG_DONTWAIT) = -1 ENOTSOCK
client: c = socket(AF_INET, SOCK_STREAM) = 3
EOF
if python3 - "$SP" "$TMP/stdio.sp" <<'EOF'
import socket, subprocess, sys
out_r, out_w = socket.socketpair()
in_r, in_w = socket.socketpair()
in_w.sendall(b"secret on stdin\n")
p = subprocess.Popen([sys.argv[1], "--batch", sys.argv[2]], stdin=in_r, stdout=out_w, stderr=out_w)
out_w.close()
in_r.close()
data = b""
out_r.settimeout(60)
while True:
    d = out_r.recv(65536)
    if not d:
        break
    data += d
rc = p.wait(60)
text = data.decode()
assert rc == 0, (rc, text)
lines = text.split("\n")
assert "FORGED" not in lines and not any(l.startswith("[client] connect") for l in lines), text
EOF
then ok "a script cannot reach sockplay's own stdin and stdout"; else bad "sockplay's stdio reachable from a script"; fi

# Started with 0, 1 and 2 closed (cron, a daemon): no socket or channel takes their place.
(timeout 60 "$SP" --batch assets/demos/hello.sp <&- 2>&-) >"$TMP/closed.out"
rc=$?
[ $rc = 0 ] && has "$TMP/closed.out" "[server] socket(AF_INET, SOCK_STREAM, 0) = 3" &&
	has "$TMP/closed.out" '[client] recv(3, 1024) = 14 "Hello, client!"' &&
	ok "stdin and stderr closed: the first socket is still 3, the transcript whole" ||
	{ bad "stdin and stderr closed: exit $rc"; cat "$TMP/closed.out"; }
timeout 60 "$SP" --batch assets/demos/hello.sp <&- >&- 2>&-
rc=$?
[ $rc = 0 ] && ok "stdout closed too: the script runs to its verdict (exit 0)" || bad "stdout closed: exit $rc"

# A listener on the host's 127.0.0.1, alive during both runs: the sandbox does not reach it, --host-net does.
python3 - "$TMP/port" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(30)
try:
    while True:
        c, _ = s.accept()
        c.sendall(b"host listener\n")
        c.close()
except OSError:
    pass
EOF
PEER=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port" 2>/dev/null)
cat >"$TMP/sandboxed.sp" <<EOF
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:$port) = -1 ECONNREFUSED
EOF
cat >"$TMP/hostnet.sp" <<EOF
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:$port) = 0
client: recv(c, 100, MSG_WAITALL) = 14 "host listener\n"
EOF
if [ -z "$port" ]; then
	bad "no host listener started"
else
	out=$(run --batch --sandbox "$TMP/sandboxed.sp" 2>&1)
	rc=$?
	if [ $rc = 3 ]; then
		ok "sandbox isolation: skipped, no sandbox can be made here ($out)"
	else
		[ $rc = 0 ] && ok "the sandbox does not reach a live listener on the host's 127.0.0.1:$port (ECONNREFUSED)" ||
			{ bad "sandbox reached the host listener: exit $rc"; echo "$out"; }
	fi
	out=$(run --batch --host-net "$TMP/hostnet.sp" 2>&1)
	rc=$?
	[ $rc = 0 ] && ok "--host-net reaches the same listener" || { bad "--host-net: exit $rc"; echo "$out"; }
fi
kill "$PEER" 2>/dev/null
wait "$PEER" 2>/dev/null
PEER=

# A batch run writes no file but those asked for: empty cwd, HOME and TMPDIR, compared before and after.
mkdir -p "$TMP/files/cwd" "$TMP/files/home" "$TMP/files/tmp"
cp assets/demos/*.sp "$TMP/hostile.sp" "$TMP/files/"
# In the sandbox an AF_UNIX path is a file of the session's own filesystem: none on the host.
if [ "$SANDBOX" = yes ]; then
	cat >"$TMP/files/unixbind.sp" <<EOF
server: s = socket(AF_UNIX, SOCK_STREAM)
server: bind(s, @abstract-name) = 0
server: p = socket(AF_UNIX, SOCK_DGRAM)
server: bind(p, $TMP/files/cwd/lab.sock)
server: bind(p, /tmp/sockplay-limits-$$.sock) = 0
EOF
fi
listing() { (cd "$TMP/files" && find cwd home tmp | sort); }
before=$(listing)
(
	cd "$TMP/files/cwd" || exit 1
	export HOME="$TMP/files/home" TMPDIR="$TMP/files/tmp"
	for f in ../*.sp; do
		timeout 60 "$SP" --batch --wire --explain "$f" >/dev/null 2>&1
	done
	timeout 60 "$SP" --batch --format json ../hello.sp >/dev/null 2>&1
)
after=$(listing)
[ "$before" = "$after" ] && ok "batch runs of every demo write no file (cwd, HOME, TMPDIR)" ||
	bad "batch runs wrote files: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -5)"
if [ "$SANDBOX" = yes ]; then
	[ ! -e /tmp/sockplay-limits-$$.sock ] && ok "a sandboxed bind(s, /tmp/...) leaves no file in the host's /tmp" ||
		{ bad "a sandboxed bind() created /tmp/sockplay-limits-$$.sock on the host"; rm -f /tmp/sockplay-limits-$$.sock; }
fi
(
	cd "$TMP/files/cwd" || exit 1
	export HOME="$TMP/files/home" TMPDIR="$TMP/files/tmp"
	timeout 60 "$SP" --batch --record rec.sp ../hello.sp >/dev/null 2>&1
	timeout 60 "$SP" --export c ../hello.sp >hello.c 2>/dev/null
)
after=$(listing)
expected=$(printf '%s\n' "$before" cwd/hello.c cwd/rec.sp | sort)
[ "$after" = "$expected" ] && ok "--record and --export write their targets, nothing else" ||
	bad "--record/--export: $(diff <(echo "$expected") <(echo "$after") | head -5)"
# With strace at hand: no file opened for writing but the namespace's own and the record target.
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
	(
		cd "$TMP/files/cwd" || exit 1
		export HOME="$TMP/files/home" TMPDIR="$TMP/files/tmp"
		# LeakSanitizer does not work under ptrace: a sanitizer build leaves leaks to the other runs
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		timeout 60 strace -f -qq -e trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate \
			-o "$TMP/strace.log" "$SP" --batch --wire --record rec2.sp ../hostile.sp >/dev/null 2>&1
	)
	writes=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|creat\(|mkdir|rename|link\(|linkat|symlink|unlink|truncate' "$TMP/strace.log" |
		grep -vE '= -1 E|"/dev/null"|"/proc/self/(setgroups|uid_map|gid_map)"|"/proc/sys/net/|"rec2\.sp"' |
		grep -vE 'mkdirat\([0-9]+, "tmp"' | head -5) # the sandbox's /tmp, in its own tmpfs
	[ -z "$writes" ] && ok "strace: only the namespace's files and the record target are opened for writing" ||
		bad "strace: writes: $writes"
else
	echo "skip the strace check: no usable strace (package strace)"
fi

[ $fails = 0 ]
