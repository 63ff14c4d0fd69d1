#!/bin/bash
# End-to-end tests of `sockplay --batch --wire`: the segments each step puts on
# the wire, in order and once each, the same on every run; resets; JSON; and a
# plain message where capturing is impossible.
cd "$(dirname "$0")/.." || exit 2
SP=${SOCKPLAY:-./sockplay}
. tests/needs.sh # what this script needs here; skipped (exit 77) without it
needs_sandbox
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# Ephemeral ports, windows and the window scale differ between runs and
# machines: mask them. The calls and the segments are what must not change.
mask() {
	sed -E 's/(127\.0\.0\.1|\[::1\]):(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/\1:PORT/g;
		s/ win=[0-9]+//; s/ <mss [0-9]+,sackOK,TS,wscale [0-9]+>$/ <OPTS>/'
}

# -- hello: the three phases of a connection, each segment after its call ----
$SP --batch --wire assets/demos/hello.sp >"$TMP/hello.out" 2>"$TMP/hello.err"
rc=$?
[ $rc = 0 ] && ok "hello --wire exits 0" || { bad "hello --wire exits $rc"; cat "$TMP/hello.err"; }
[ -s "$TMP/hello.err" ] && bad "hello --wire wrote to stderr: $(cat "$TMP/hello.err")"
cat >"$TMP/hello.want" <<'EOF'
[server] socket(AF_INET, SOCK_STREAM, 0) = 3
[server] setsockopt(3, SO_REUSEADDR, 1) = 0
[server] bind(3, 127.0.0.1:8888) = 0
[server] listen(3, 5) = 0
[server] state(s) = LISTEN
[client] socket(AF_INET, SOCK_STREAM, 0) = 3
[client] connect(3, 127.0.0.1:8888) = 0
[wire] client 127.0.0.1:PORT > server 127.0.0.1:8888 [SYN] seq=0 len=0 <OPTS>
[wire] server 127.0.0.1:8888 > client 127.0.0.1:PORT [SYN,ACK] seq=0 ack=1 len=0 <OPTS>
[wire] client 127.0.0.1:PORT > server 127.0.0.1:8888 [ACK] seq=1 ack=1 len=0
[client] state(c) = ESTABLISHED
[server] accept(3) = 4 (peer 127.0.0.1:PORT)
[server] send(4, "Hello, client!", 14) = 14
[wire] server 127.0.0.1:8888 > client 127.0.0.1:PORT [PSH,ACK] seq=1 ack=1 len=14
[wire] client 127.0.0.1:PORT > server 127.0.0.1:8888 [ACK] seq=1 ack=15 len=0
[client] recv(3, 1024) = 14 "Hello, client!"
[client] close(3) = 0
[wire] client 127.0.0.1:PORT > server 127.0.0.1:8888 [FIN,ACK] seq=1 ack=15 len=0
[wire] server 127.0.0.1:8888 > client 127.0.0.1:PORT [ACK] seq=15 ack=2 len=0
[server] recv(4, 1024) = 0
[server] state(conn) = CLOSE_WAIT
[server] close(4) = 0
[wire] server 127.0.0.1:8888 > client 127.0.0.1:PORT [FIN,ACK] seq=15 ack=2 len=0
[wire] client 127.0.0.1:PORT > server 127.0.0.1:8888 [ACK] seq=2 ack=16 len=0
[client] state(c) = TIME_WAIT
[server] close(3) = 0
EOF
if grep '^\[' "$TMP/hello.out" | mask | diff -u "$TMP/hello.want" - >"$TMP/hello.diff"; then
	ok "hello: SYN, SYN-ACK, ACK; data len=14 and its ACK; FIN/ACK of both closes, in order, once each"
else
	bad "hello --wire segments differ"; cat "$TMP/hello.diff"
fi
grep -q '\[SYN\] seq=0 win=[0-9]* len=0 <mss [0-9]*,sackOK,TS,wscale [0-9]*>$' "$TMP/hello.out" &&
	ok "the SYN shows its window and options" || bad "SYN line: $(grep SYN "$TMP/hello.out" | head -1)"

# -- the same on every run ------------------------------------------------------
mask <"$TMP/hello.out" >"$TMP/ref"
same=0
for i in $(seq 20); do
	$SP --batch --wire assets/demos/hello.sp 2>/dev/null | mask >"$TMP/run"
	if cmp -s "$TMP/ref" "$TMP/run"; then same=$((same + 1)); else diff -u "$TMP/ref" "$TMP/run" | head -20; fi
done
[ $same = 20 ] && ok "20 runs: the same transcript every time" || bad "only $same of 20 runs match the first"

# Without --wire nothing of it shows.
$SP --batch assets/demos/hello.sp | grep -q '^\[wire\]' && bad "[wire] lines without --wire" || ok "no [wire] lines without --wire"

# -- a linger-0 close resets the connection -------------------------------------
cat >"$TMP/reset.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8893)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8893) = 0
server: conn = accept(s)
client: setsockopt(c, SO_LINGER, 1, 0) = 0
client: close(c) = 0
server: recv(conn, 10) = -1 ECONNRESET
EOF
out=$($SP --batch --wire "$TMP/reset.sp" 2>&1); rc=$?
if [ $rc = 0 ] && printf '%s\n' "$out" | grep -A1 '^\[client\] close(3) = 0$' | grep -q '^\[wire\] client .* > server .* \[RST'; then
	ok "linger 0: close() sends [RST"
else
	bad "linger 0: no RST after close (rc $rc)"; echo "$out"
fi
printf '%s\n' "$out" | grep -q '^\[server\] recv(4, 10) = -1 ECONNRESET' && ok "linger 0: ECONNRESET at the peer" ||
	bad "linger 0: no ECONNRESET at the peer"
[ "$(printf '%s\n' "$out" | grep -c '\[RST')" = 1 ] && ok "linger 0: one RST" || bad "linger 0: RST count"

# -- IPv6 and UDP ------------------------------------------------------------------
cat >"$TMP/v6udp.sp" <<'EOF'
server: u = socket(AF_INET, SOCK_DGRAM)
server: bind(u, 127.0.0.1:5353)
client: d = socket(AF_INET, SOCK_DGRAM)
client: bind(d, 127.0.0.1:5000)
client: sendto(d, "abc", 127.0.0.1:5353) = 3
server: recvfrom(u, 100) = 3
server: s = socket(AF_INET6, SOCK_STREAM)
server: bind(s, [::1]:8888)
server: listen(s, 5)
client: c = socket(AF_INET6, SOCK_STREAM)
client: connect(c, [::1]:8888) = 0
client: c2 = socket(AF_INET6, SOCK_STREAM)
client: connect(c2, [::1]:9) = -1 ECONNREFUSED
EOF
out=$($SP --batch --wire "$TMP/v6udp.sp" 2>&1)
printf '%s\n' "$out" | grep -qx '\[wire\] client 127.0.0.1:5000 > server 127.0.0.1:5353 UDP len=3' &&
	ok "UDP: one line with the datagram's length" || { bad "UDP line"; echo "$out"; }
printf '%s\n' "$out" | grep -q '^\[wire\] server \[::1\]:8888 > client \[::1\]:[0-9]* \[SYN,ACK\] seq=0 ack=1 ' &&
	ok "IPv6: SYN,ACK between [::1] endpoints" || { bad "IPv6 lines"; echo "$out"; }
printf '%s\n' "$out" | grep -q '^\[wire\] ? \[::1\]:9 > client \[::1\]:[0-9]* \[RST,ACK\] seq=0 ack=1 ' &&
	ok "refused connect: RST,ACK from a port nobody owns ('?')" || { bad "refused RST"; echo "$out"; }

# -- JSON: segments are events of their own ---------------------------------------------
$SP --batch --wire --format json assets/demos/hello.sp >"$TMP/hello.json" 2>"$TMP/json.err" || bad "json --wire run failed"
if python3 - "$TMP/hello.json" <<'EOF'
import json, sys
segs, steps_of_calls, last_step = [], [], 0
for line in open(sys.argv[1]):
    ev = json.loads(line)
    if ev["event"] == "segment":
        segs.append(ev)
        assert isinstance(ev["step"], int) and ev["step"] >= last_step, ev
        last_step = ev["step"]
        for k in ("src", "dst", "src_actor", "dst_actor", "flags", "seq", "ack", "win", "len", "text", "line"):
            assert k in ev, (k, ev)
        assert ev["proto"] == "TCP"
        assert {ev["src_actor"], ev["dst_actor"]} == {"client", "server"}, ev
flags = [(s["src_actor"], s["flags"], s["len"]) for s in segs]
want = [("client", "SYN", 0), ("server", "SYN,ACK", 0), ("client", "ACK", 0),
        ("server", "PSH,ACK", 14), ("client", "ACK", 0),
        ("client", "FIN,ACK", 0), ("server", "ACK", 0), ("server", "FIN,ACK", 0), ("client", "ACK", 0)]
assert flags == want, flags
syn = segs[0]
assert syn["seq"] == 0 and syn["ack"] is None and syn["options"]["sack_ok"] and syn["options"]["mss"] > 0, syn
assert segs[1]["ack"] == 1 and "options" in segs[1]
assert "options" not in segs[2]
assert segs[3]["line"] == 15, segs[3]  # the send(conn, ...) line of hello.sp
EOF
then ok "json: segment events parse, in order, with flags, numbers and actors"; else bad "json segments"; fi

# -- a bulk transfer: every segment captured, while sockplay waits for the calls ----------
cat >"$TMP/bulk.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s)
server: recv(conn, 20000000, MSG_WAITALL)
client: send(c, "x" * 20000000) = 20000000
server: close(conn)
client: close(c)
EOF
$SP --batch --wire --timeout 20s "$TMP/bulk.sp" >"$TMP/bulk.out" 2>&1 || bad "bulk transfer run failed"
if grep -q 'not captured' "$TMP/bulk.out"; then
	bad "bulk: $(grep 'not captured' "$TMP/bulk.out")"
else
	top=$(grep '^\[wire\] client .* > server ' "$TMP/bulk.out" | sed -nE 's/.* seq=([0-9]+) .* len=([0-9]+)$/\1 \2/p' |
		awk '{ if ($1 + $2 > m) m = $1 + $2 } END { print m }')
	[ "$top" = 20000001 ] && ok "bulk: 20 MB on the wire, every byte's segment captured" || bad "bulk: data seen up to $top"
fi

# -- where capturing is impossible, say why, once, and run the rest --------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# as an unprivileged user on the host network
	chmod 755 "$TMP"
	cp "$SP" assets/demos/hello.sp "$TMP/" && chmod 755 "$TMP/sockplay" && chmod 644 "$TMP/hello.sp"
	out=$(cd "$TMP" && setpriv --reuid=65534 --regid=65534 --clear-groups ./sockplay --batch --wire --host-net hello.sp 2>"$TMP/nocap.err"); rc=$?
	err=$(cat "$TMP/nocap.err")
elif [ "$(id -u)" != 0 ]; then
	out=$($SP --batch --wire --host-net assets/demos/hello.sp 2>"$TMP/nocap.err"); rc=$?
	err=$(cat "$TMP/nocap.err")
else
	err=skip
fi
if [ "$err" = skip ]; then
	ok "no-capture message (skipped: root without setpriv)"
elif [ "$err" = "sockplay: wire view off: capturing needs CAP_NET_RAW on the host network (run without --host-net, or as root)" ]; then
	ok "host network without CAP_NET_RAW: says why and how, once"
	[ $rc = 0 ] && printf '%s\n' "$out" | grep -q 'recv(3, 1024) = 14' && ! printf '%s\n' "$out" | grep -q '^\[wire\]' &&
		ok "without capture the script still runs (exit 0)" || bad "without capture: rc $rc"
elif printf '%s\n' "$out" | grep -q '^\[wire\]'; then
	ok "host network: this user may capture (CAP_NET_RAW)"
else
	bad "no-capture message: '$err'"
fi

# -- what the wire costs ---------------------------------------------------------------
ms() { local s e; s=$(date +%s%N); for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null 2>&1; done; e=$(date +%s%N); echo $(( (e - s) / 10000000 )); }
plain=$(ms $SP --batch assets/demos/hello.sp)
wired=$(ms $SP --batch --wire assets/demos/hello.sp)
if [ $((wired - plain)) -lt 200 ]; then
	ok "hello takes ${plain} ms, ${wired} ms with --wire"
else
	bad "--wire is slow: hello takes ${plain} ms, ${wired} ms with --wire"
fi

[ $fails = 0 ]
