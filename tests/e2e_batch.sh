#!/bin/bash
# End-to-end tests of `sockplay --batch`: golden transcripts, exit statuses,
# bad input, parallel sandboxes, and a real peer on the host's loopback.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
. tests/readme_lib.sh # the README's examples
needs_sandbox
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; [ -n "${PEER:-}" ] && kill "$PEER" 2>/dev/null' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# Ephemeral ports differ from run to run: mask them for golden comparisons.
mask() { sed -E 's/(127\.0\.0\.1|\[::1\]):(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/\1:PORT/g'; }

# -- golden transcripts of the demos ------------------------------------------
for demo in assets/demos/*.sp; do
	name=$(basename "$demo" .sp)
	gold=tests/golden/$name.txt
	$SP --batch "$demo" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	if [ $rc != 0 ]; then
		bad "demo $name exits $rc"; cat "$TMP/$name.out" "$TMP/$name.err"; continue
	fi
	if [ -f "$gold" ]; then
		if mask <"$TMP/$name.out" | diff -u "$gold" - >"$TMP/$name.diff"; then
			ok "demo $name matches its golden transcript"
		else
			bad "demo $name differs from $gold"; cat "$TMP/$name.diff"
		fi
	else
		ok "demo $name passes (no golden transcript)"
	fi
done

# -- the README's examples: each block after "<!-- example: NAME -->" passes -----
n=0
while IFS= read -r name; do
	n=$((n + 1))
	readme_example "$name" >"$TMP/example$n.sp"
	out=$($SP --batch "$TMP/example$n.sp" 2>&1); rc=$?
	if [ $rc = 0 ] && [ -s "$TMP/example$n.sp" ]; then
		ok "README example \"$name\" passes in --batch"
	else
		bad "README example \"$name\": exit $rc"; echo "$out"
	fi
done < <(readme_examples)
[ $n -gt 0 ] || bad "no README example found"

# --record writes the new forms back as a script that replays the same
for demo in socketpair seqpacket; do
	$SP --batch --record "$TMP/$demo.rec" "assets/demos/$demo.sp" >/dev/null 2>&1
	$SP --batch "$TMP/$demo.rec" >"$TMP/$demo.replay" 2>&1; rc=$?
	if [ $rc = 0 ] && diff -q <(grep '^\[' "$TMP/$demo.replay") <(grep '^\[' "tests/golden/$demo.txt") >/dev/null &&
		grep -qE '^server: (a, b = socketpair\(AF_UNIX, SOCK_STREAM\) = 0|unlink\(/tmp/lab.sock\) = 0)$' "$TMP/$demo.rec"; then
		ok "--record of $demo replays its calls"
	else
		bad "--record of $demo: exit $rc"; diff <(grep '^\[' "$TMP/$demo.replay") <(grep '^\[' "tests/golden/$demo.txt") | head
	fi
done

# the JSON transcript: socketpair's two descriptors in its note, the first one's name
out=$($SP --batch --format json assets/demos/socketpair.sp | grep -F '"call":"socketpair"' | head -1)
case "$out" in
*'"fd":3,"name":"a","ret":0,'*'"note":"fds 3, 4"'*) ok "json: socketpair's note names both fds" ;;
*) bad "json socketpair: $out" ;;
esac

# unlink() on the host's files: refused, the file kept, exit 1
touch "$TMP/keep.sock"
printf 'server: unlink(%s)\n' "$TMP/keep.sock" >"$TMP/unlink-host.sp"
out=$($SP --batch --host-net "$TMP/unlink-host.sp" 2>&1); rc=$?
case "$rc:$out" in
1:*"unlink-host.sp:1: error: unlink() refused: a script removes files only in the sandbox's own filesystem"*)
	[ -e "$TMP/keep.sock" ] && ok "--host-net: unlink() refused, the host's file kept" ||
		bad "--host-net: unlink() removed the host's file" ;;
*) bad "--host-net: unlink(): exit $rc: $out" ;;
esac
# in the sandbox, the same path is in the sandbox's own filesystem: ENOENT, the host's file kept
out=$($SP --batch --sandbox "$TMP/unlink-host.sp" 2>&1); rc=$?
case "$rc:$out" in
0:*"unlink($TMP/keep.sock) = -1 ENOENT"*)
	[ -e "$TMP/keep.sock" ] && ok "sandbox: unlink() sees its own files only (ENOENT), the host's file kept" ||
		bad "sandbox: unlink() removed the host's file" ;;
*) bad "sandbox: unlink(): exit $rc: $out" ;;
esac

out=$($SP --batch assets/demos/hello.sp)
case "$out" in
*'[client] recv(3, 1024) = 14 "Hello, client!"'*) ok "hello: recv(3, 1024) = 14 \"Hello, client!\"" ;;
*) bad "hello lacks the recv line" ;;
esac

# -- JSON -----------------------------------------------------------------------
$SP --batch --format json assets/demos/hello.sp >"$TMP/hello.json" || bad "json run failed"
if python3 - "$TMP/hello.json" <<'EOF'
import json, sys
n = 0
recv = None
for line in open(sys.argv[1]):
    ev = json.loads(line)
    n += 1
    assert "event" in ev and "line" in ev
    if ev["event"] == "call" and ev["call"] == "recv" and ev["actor"] == "client":
        recv = ev
assert n > 10, n
assert recv["ret"] == 14 and recv["data"] == "Hello, client!" and recv["errno"] is None, recv
assert recv["state"] == "ESTABLISHED", recv
EOF
then ok "json: one valid object a line, recv event complete"; else bad "json transcript"; fi

# A broken script under --format json: its diagnostics are error events on stdout, one each.
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: lisen(s, 5)\nclient: send(x, "a")\n' >"$TMP/broken.sp"
$SP --batch --format json "$TMP/broken.sp" >"$TMP/broken.json" 2>"$TMP/broken.err"; rc=$?
[ $rc = 2 ] && ok "json: a broken script exits 2" || bad "json: a broken script exits $rc"
grep -q "broken.sp:2:9: error: unknown call 'lisen'" "$TMP/broken.err" && ok "json: the diagnostics stay on stderr too" ||
	bad "json: stderr lacks the diagnostic"
if python3 - "$TMP/broken.json" "$TMP/broken.sp" <<'EOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert [e["event"] for e in evs] == ["error", "error"], evs
a, b = evs
assert a["file"] == sys.argv[2] and a["line"] == 2 and a["column"] == 9, a
assert a["message"] == "unknown call 'lisen'; did you mean 'listen'?", a
assert b["line"] == 3 and b["column"] == 14 and b["message"] == "'x' is not defined for actor client", b
EOF
then ok "json: one error event per diagnostic, with file, line, column, message"; else bad "json: error events"; cat "$TMP/broken.json"; fi
$SP --batch --format json "$TMP/missing.sp" >"$TMP/missing.json" 2>/dev/null
grep -q '"event":"error".*"line":0,"column":0,"message":"cannot read' "$TMP/missing.json" &&
	ok "json: an unreadable script is an error event too" || { bad "json: unreadable script"; cat "$TMP/missing.json"; }

# Long received data: cut with a mark (text "...", JSON data_cut), or all of it with --full-data.
printf 'server: s = socket(AF_INET, SOCK_DGRAM)\nserver: bind(s, 127.0.0.1:5002)\nclient: c = socket(AF_INET, SOCK_DGRAM)\nclient: sendto(c, "y" * 5000, 127.0.0.1:5002)\nserver: recv(s, 6000) = 5000\n' >"$TMP/long.sp"
$SP --batch "$TMP/long.sp" | grep -q '^\[server\] recv(3, 6000) = 5000 "y\{64\}"\.\.\.$' &&
	ok "long data: the first 64 bytes and a mark" || bad "long data: no mark"
$SP --batch --full-data "$TMP/long.sp" | grep -q '^\[server\] recv(3, 6000) = 5000 "y\{5000\}"$' &&
	ok "--full-data: every byte" || bad "--full-data did not print every byte"
$SP --batch --format json "$TMP/long.sp" | grep '"call":"recv"' | grep -q '"data":"y\{4096\}","data_cut":true' &&
	ok "json: 4096 bytes and data_cut" || bad "json: data_cut"
$SP --batch --format json --full-data "$TMP/long.sp" | grep '"call":"recv"' | grep -q '"data":"y\{5000\}","data_cut":false' &&
	ok "json --full-data: every byte" || bad "json --full-data"
$SP --full-data "$TMP/long.sp" </dev/null >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "--full-data without --batch is a usage error" || bad "--full-data without --batch exits $rc"

# A failed expect statement says it the documented way: expected X, got Y.
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nexpect server s LISTEN\n' >"$TMP/state.sp"
out=$($SP --batch "$TMP/state.sp" 2>&1)
case "$out" in *"state.sp:2: expectation failed: expected LISTEN, got CLOSED (server s)"*) ok "a failed expect: expected X, got Y" ;;
	*) bad "failed expect message: $out" ;; esac

# -- exit statuses --------------------------------------------------------------
cat >"$TMP/fail.sp" <<'EOF'
client: c = socket(AF_INET, SOCK_STREAM)
# nothing listens on port 9
client: connect(c, 127.0.0.1:9) = 0
EOF
out=$($SP --batch "$TMP/fail.sp" 2>&1); rc=$?
[ $rc = 1 ] && ok "failed expectation exits 1" || bad "failed expectation exits $rc"
case "$out" in *"fail.sp:3: expectation failed: expected 0, got -1 ECONNREFUSED"*) ok "failure names FILE:LINE" ;; *) bad "failure message: $out" ;; esac

# Calls that fail at once (recv or send on a listener, on a socket never connected) are not shown blocked.
cat >"$TMP/at-once.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
server: recv(s, 1024) = -1 ENOTCONN
server: send(s, "hi") = -1 EPIPE
client: c = socket(AF_INET, SOCK_STREAM)
client: recv(c, 10) = -1 ENOTCONN
client: accept(c) = -1 EINVAL
client: u = socket(AF_UNIX, SOCK_STREAM)
client: recv(u, 10) = -1 EINVAL
EOF
out=$($SP --batch "$TMP/at-once.sp" 2>&1); rc=$?
case "$rc:$out" in
0:*"<blocked>"*|0:*"<resumed>"*) bad "a call that fails at once is shown blocked: $out" ;;
0:*) ok "calls that fail at once are not shown blocked" ;;
*) bad "fail at once: exit $rc: $out" ;;
esac

expect_usage() { # NAME SCRIPT-TEXT EXPECTED-MESSAGE-PART
	printf '%b' "$2" >"$TMP/bad.sp"
	out=$($SP --batch "$TMP/bad.sp" 2>&1); rc=$?
	if [ $rc != 2 ]; then bad "$1: exit $rc (want 2): $out"; return; fi
	case "$out" in
	*"$3"*) ok "$1: exit 2, '$3'" ;;
	*) bad "$1: message lacks '$3': $out" ;;
	esac
	case "$out" in *"["*"] "*) bad "$1: something ran: $out" ;; esac
}
expect_usage "unknown call" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: lisen(s, 5)\n' "bad.sp:2:9: error: unknown call 'lisen'; did you mean 'listen'?"
expect_usage "arg count" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: listen(s, 5, 6)\n' "bad.sp:2:"
expect_usage "unknown constant" 'server: s = socket(AF_INT, SOCK_STREAM)\n' "did you mean 'AF_INET'?"
expect_usage "bad ipv4" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: bind(s, 999.1.1.1:80)\n' "bad.sp:2:"
expect_usage "port range" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: bind(s, 127.0.0.1:70000)\n' "70000"
expect_usage "v6 bracket" 'server: s = socket(AF_INET6, SOCK_STREAM)\nserver: bind(s, [::1:80)\n' "bad.sp:2:"
# In the sandbox no resolver is asked: only localhost names resolve (--sandbox: never the host's network).
# Names are looked up when their statement runs: the steps before it run, the run stops there with exit 1.
printf 'client: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, lab-server.example:80)\nclient: close(c)\n' >"$TMP/dns.sp"
out=$($SP --batch --sandbox "$TMP/dns.sp" 2>&1); rc=$?
case "$rc:$out" in
3:*) ok "names in the sandbox: no sandbox here (skipped)" ;;
1:"[client] socket(AF_INET, SOCK_STREAM, 0) = 3
$TMP/dns.sp:2: error: cannot resolve 'lab-server.example': the sandbox has only lo"*)
	case "$out" in
	*"close("*) bad "a name in the sandbox: the run went on after the error: $out" ;;
	*) ok "the sandbox looks up no names but localhost, when the statement runs" ;;
	esac ;;
*) bad "a name in the sandbox: exit $rc: $out" ;;
esac
printf 'server: s = socket(AF_INET6, SOCK_STREAM)\nserver: bind(s, localhost.:8888) = 0\nserver: listen(s)\nclient: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, LocalHost:8888) = -1 ECONNREFUSED\n' >"$TMP/lh.sp"
out=$($SP --batch --sandbox "$TMP/lh.sp" 2>&1); rc=$?
case "$rc:$out" in
3:*) ok "localhost in the sandbox: no sandbox here (skipped)" ;;
0:*"bind(3, [::1]:8888) = 0"*) ok "localhost resolves in the sandbox, to ::1 for AF_INET6 and 127.0.0.1 for AF_INET" ;;
*) bad "localhost in the sandbox: exit $rc: $out" ;;
esac
# A name that does not resolve is an error of its statement when it runs, not of the script.
printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: connect(s, no-such-host.invalid:80)\nserver: close(s)\n' >"$TMP/nx.sp"
out=$($SP --batch "$TMP/nx.sp" 2>&1); rc=$?
case "$rc:$out" in
1:"[server] socket(AF_INET, SOCK_STREAM, 0) = 3
$TMP/nx.sp:2: error: cannot resolve 'no-such-host.invalid': "*)
	case "$out" in
	*"close("*) bad "unresolvable: the run went on after the error: $out" ;;
	*) ok "unresolvable: a run-time error of line 2, exit 1" ;;
	esac ;;
*) bad "unresolvable: exit $rc: $out" ;;
esac
out=$($SP --export python "$TMP/nx.sp" 2>&1); rc=$?
case "$rc:$out" in
1:*"nx.sp:2: cannot resolve 'no-such-host.invalid'"*) ok "unresolvable: --export says which name" ;;
*) bad "unresolvable: --export: exit $rc: $out" ;;
esac
printf 'client: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, no-such-host.invalid:80)\n' >"$TMP/nxrec.sp"
$SP --batch --record "$TMP/nx.rec" "$TMP/nxrec.sp" >/dev/null 2>&1
case "$(cat "$TMP/nx.rec" 2>/dev/null)" in
*"client: connect(c, no-such-host.invalid:80)"*) ok "--record keeps the name as written" ;;
*) bad "--record: $(cat "$TMP/nx.rec" 2>/dev/null)" ;;
esac
expect_usage "unterminated string" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: send(s, "abc)\n' "bad.sp:2:"
expect_usage "bad escape" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: send(s, "a\\qb")\n' "bad.sp:2:"
expect_usage "undefined name" 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: accept(conn)\n' "'conn' is not defined for actor server"
expect_usage "other actor's name" 'server: s = socket(AF_INET, SOCK_STREAM)\nclient: close(s)\n' "'s' is not defined for actor client"
expect_usage "repeat without end" 'repeat 3\nserver: s = socket(AF_INET, SOCK_STREAM)\n' "bad.sp:1:"
expect_usage "absurd size" 'client: c = socket(AF_INET, SOCK_STREAM)\nclient: send(c, "x" * 10000000000)\n' "bad.sp:2:"
expect_usage "NUL byte" 'server: s = socket(AF_INET, SOCK_STREAM)\x00\n' "bad.sp:1:"
expect_usage "invalid UTF-8" 'say "\xff\xfe"\n' "bad.sp:1:"
expect_usage "empty file" '' "bad.sp"
expect_usage "only comments" '# nothing\n\n' "bad.sp"

out=$($SP --batch "$TMP/missing.sp" 2>&1); rc=$?
[ $rc = 2 ] && ok "missing file: exit 2 ($out)" || bad "missing file: exit $rc"
out=$($SP --batch "$TMP" 2>&1); rc=$?
[ $rc = 2 ] && ok "directory: exit 2 ($out)" || bad "directory: exit $rc"
out=$($SP --batch --frobnicate x.sp 2>&1); rc=$?
[ $rc = 2 ] && ok "unknown option: exit 2" || bad "unknown option: exit $rc"
out=$($SP --batch --timeout banana assets/demos/hello.sp 2>&1); rc=$?
[ $rc = 2 ] && ok "bad --timeout: exit 2" || bad "bad --timeout: exit $rc"
$SP --help | grep -q -- '--batch' && ok "--help" || bad "--help"
$SP -V | grep -q '^sockplay ' && ok "--version" || bad "--version"

# -- a stuck actor is an error, not a hang -------------------------------------
cat >"$TMP/stuck.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
server: accept(s)
server: close(s)
EOF
start=$(date +%s)
out=$($SP --batch --timeout 1s "$TMP/stuck.sp" 2>&1); rc=$?
took=$(( $(date +%s) - start ))
[ $rc = 1 ] && [ $took -lt 5 ] && ok "stuck actor: exit 1 after the timeout" || bad "stuck: rc=$rc took=${took}s $out"

# -- two runs at once, each in its own sandbox ------------------------------------
cat >"$TMP/hold.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
sleep 700ms
server: close(s)
EOF
$SP --batch --sandbox "$TMP/hold.sp" >"$TMP/p1" 2>&1 &
p1=$!
$SP --batch --sandbox "$TMP/hold.sp" >"$TMP/p2" 2>&1
r2=$?
wait $p1; r1=$?
if [ $r1 = 0 ] && [ $r2 = 0 ]; then ok "two batches bind 127.0.0.1:8888 at once"; else bad "parallel: $r1 $r2"; cat "$TMP/p1" "$TMP/p2"; fi

# -- --host-net: a real peer that sockplay did not start -----------------------------
python3 - "$TMP/port" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(20)
c, _ = s.accept()
c.sendall(b"hello from a real server\n")
c.recv(100)
c.close()
EOF
PEER=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TMP/port")
cat >"$TMP/host.sp" <<EOF
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:$port) = 0
client: recv(c, 100) = 25 "hello from a real server\n"
client: close(c)
EOF
out=$($SP --batch --host-net "$TMP/host.sp" 2>&1); rc=$?
[ $rc = 0 ] && ok "--host-net talks to a real peer on loopback" || { bad "--host-net: $rc"; echo "$out"; }
wait $PEER 2>/dev/null
PEER=
# The sandbox does not see the host's listener.
cat >"$TMP/iso.sp" <<EOF
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:$port) = -1 ECONNREFUSED
EOF
$SP --batch --sandbox "$TMP/iso.sp" >/dev/null 2>&1 && ok "the sandbox cannot reach host ports" || bad "sandbox isolation"

# AF_UNIX paths: the sandbox's actors see a private, empty filesystem, not the host's.
python3 - "$TMP/host.sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(5); s.settimeout(10)
try:
    while True:
        c, _ = s.accept(); c.close()
except OSError:
    pass
PY
PEER=$!
for _ in $(seq 50); do [ -S "$TMP/host.sock" ] && break; sleep 0.1; done
cat >"$TMP/unix-iso.sp" <<EOF
client: c = socket(AF_UNIX, SOCK_STREAM)
client: connect(c, $TMP/host.sock) = -1 ENOENT
server: s = socket(AF_UNIX, SOCK_STREAM)
server: bind(s, $TMP/made-by-script.sock) = -1 ENOENT
server: bind(s, /tmp/lab-$$.sock) = 0
server: listen(s, 5)
client: connect(c, /tmp/lab-$$.sock) = 0
EOF
out=$($SP --batch --sandbox "$TMP/unix-iso.sp" 2>&1); rc=$?
[ $rc = 0 ] && ok "in the sandbox a host AF_UNIX socket is out of reach; /tmp is private" || { bad "AF_UNIX isolation: $rc"; echo "$out"; }
[ ! -e "$TMP/made-by-script.sock" ] && [ ! -e /tmp/lab-$$.sock ] && ok "a bind() in the sandbox creates no file on the host" ||
	bad "a sandboxed bind() created a host file"
printf 'client: c = socket(AF_UNIX, SOCK_STREAM)\nclient: connect(c, %s) = 0\n' "$TMP/host.sock" >"$TMP/unix-host.sp"
out=$($SP --batch --host-net "$TMP/unix-host.sp" 2>&1); rc=$?
[ $rc = 0 ] && ok "--host-net reaches the host's AF_UNIX socket" || { bad "--host-net AF_UNIX: $rc"; echo "$out"; }
kill $PEER 2>/dev/null
wait $PEER 2>/dev/null
PEER=

# -- the README's examples of values, ioctl() and options ---------------------------
readme_example v6only | grep -q 'bind(t4, 0.0.0.0:8889) = -1 EADDRINUSE' &&
	ok "the IPV6_V6ONLY example shows the EADDRINUSE without it" || bad "the IPV6_V6ONLY example lost its second half"
out=$(readme_example fionread | $SP --batch /dev/stdin 2>&1)
case "$out" in
*'[server] ioctl(4, FIONREAD) = 0 (value 3)'*'[client] getsockopt(4, SO_ERROR) = 0 (value ECONNREFUSED)'*)
	ok "FIONREAD counts the 3 bytes that arrived; SO_ERROR tells ECONNREFUSED" ;;
*) bad "FIONREAD/SO_ERROR lines"; echo "$out" ;;
esac
# a wrong value fails like any expectation: exit 1, expected against got
readme_example fionread |
	sed 's/= 0 (value 3)$/= 0 (value 4)/' >"$TMP/wrong-value.sp"
out=$($SP --batch "$TMP/wrong-value.sp" 2>&1); rc=$?
case "$rc:$out" in
1:*'wrong-value.sp:11: expectation failed: expected 0 (value 4), got 0 (value 3)'*) ok "a wrong (value) exits 1: expected 0 (value 4), got 0 (value 3)" ;;
*) bad "a wrong (value): exit $rc"; echo "$out" ;;
esac
# --record writes the values back as the script wrote them, and the recording runs the same
readme_example v6only >"$TMP/v6.sp"
$SP --batch --record "$TMP/v6-rec.sp" "$TMP/v6.sp" >"$TMP/v6.out" 2>&1
grep -qxF 'server: getsockopt(s6, IPV6_V6ONLY) = 0 (value on)' "$TMP/v6-rec.sp" &&
	$SP --batch "$TMP/v6-rec.sp" >"$TMP/v6-rec.out" 2>&1 && diff -q "$TMP/v6.out" "$TMP/v6-rec.out" >/dev/null &&
	ok "--record keeps (value on); the recording runs the same" || { bad "--record of values"; cat "$TMP/v6-rec.sp"; }
# the JSON transcript notes the value
$SP --batch --format json "$TMP/v6.sp" >"$TMP/v6.json" 2>&1
if python3 - "$TMP/v6.json" <<'PYEOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
v = [e for e in evs if e["event"] == "call" and e["call"] == "getsockopt"]
assert v and v[0]["note"] == "value 1" and v[0]["ok"] is True, v
assert v[1]["note"] == "value 0" and v[1]["args"] == "5, IPV6_V6ONLY", v
PYEOF
then ok "json: getsockopt's value is its note"; else bad "json of values"; fi

# -- no actor outlives sockplay ----------------------------------------------------
# Actors are named after their side; a name of our own finds ours only.
me=lk$$
printf '%s: s = socket(AF_INET, SOCK_DGRAM)\n%s: recv(s, 10)\n' $me $me >"$TMP/leak.sp"
$SP --batch "$TMP/leak.sp" >/dev/null 2>&1
sleep 0.2
if pgrep -x "$me" >/dev/null; then bad "actor processes left behind"; else ok "no actor left behind"; fi
# ... nor a grader's timeout(1), by SIGTERM or SIGKILL, while an actor is blocked
me=kt$$
printf '%s: s = socket(AF_INET, SOCK_DGRAM)\n%s: recv(s, 10)\n%s: close(s)\n' $me $me $me >"$TMP/killed.sp"
for sig in TERM KILL; do
	rc=$(timeout -s $sig 1 $SP --batch --timeout 60s "$TMP/killed.sp" >/dev/null 2>&1; echo $?) 2>/dev/null
	n=0
	while pgrep -x "$me" >/dev/null && [ $n -lt 40 ]; do sleep 0.05; n=$((n + 1)); done
	if pgrep -x "$me" >/dev/null; then
		bad "timeout -s $sig: actors left behind"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		ok "timeout -s $sig ends a stuck run ($rc) and its actors with it"
	else
		bad "timeout -s $sig: exit $rc"
	fi
done

# -- half-close: the client's socket goes to TIME_WAIT while the program keeps it -------------
# (the kernel moves the connection to a TIME_WAIT socket with the same cookie; the program's own
# socket then reports CLOSE, which is no reset)
out=$($SP --batch --explain assets/demos/half-close.sp 2>&1)
case "$out" in
*"reset (RST)"* | *"had been reset"*) bad "half-close explained as a reset: $out" ;;
*"[client] close(3) = 0"*"had already ended in both directions"*) ok "half-close: the client's last recv and close are no reset; TIME_WAIT said" ;;
*) bad "half-close close text: $out" ;;
esac

# -- select() after a refused connect: an error pending, not data and room (the socket is CLOSE) --
printf 'client: d = socket(AF_INET, SOCK_STREAM)\nclient: nonblock(d)\nclient: connect(d, 127.0.0.1:9) = -1 EINPROGRESS\nclient: select(r: d, w: d, 1000) = 2 (r: d, w: d)\nclient: getsockopt(d, SO_ERROR) = 0 (value ECONNREFUSED)\n' >"$TMP/selerr.sp"
out=$($SP --batch --explain "$TMP/selerr.sp" 2>&1)
case "$out" in
*"d is readable"* | *"d is writable"*) bad "select after a refused connect explained as data or room: $out" ;;
*"d has an error pending"*) ok "select() after a refused connect: an error pending, read with SO_ERROR" ;;
*) bad "select after a refused connect: $out" ;;
esac

# -- AF_UNIX datagram sockets are not UDP: no ports, no ICMP ---------------------------------
printf 'server: p, q = socketpair(AF_UNIX, SOCK_DGRAM)\nserver: send(p, "x") = 1\nserver: recv(q, 10) = 1 "x"\nserver: close(q)\nserver: send(p, "z") = -1 ECONNREFUSED\nserver: send(p, "z") = -1 ENOTCONN\n' >"$TMP/unixd.sp"
out=$($SP --batch --explain "$TMP/unixd.sp" 2>&1); rc=$?
case "$out" in
*UDP* | *ICMP* | *"port is"* | *"its port"*) bad "AF_UNIX datagrams explained as UDP: $out" ;;
*"no socket is bound to that name any more"*) [ $rc = 0 ] && ok "AF_UNIX datagrams: no ports and no ICMP in their explanations" || bad "unixd exit $rc: $out" ;;
*) bad "AF_UNIX datagram texts: $out" ;;
esac

# -- a side's own name takes no article in the explanations: "client2's SYN", not "the client2's" --
out=$($SP --batch --explain assets/demos/poll-server.sp 2>&1)
case "$out" in
*"the client2"* | *"the client3"*) bad "an article before a side's name: $out" ;;
*"client2's SYN"*"the server's SYN,ACK"*) ok "explanations: client2's SYN, the server's SYN,ACK" ;;
*) bad "join sentence of client2: $out" ;;
esac

[ $fails = 0 ]
