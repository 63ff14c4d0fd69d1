#!/bin/bash
# End-to-end tests of `sockplay --batch --wire`: the segments each step puts on
# the wire, in order and once each, the same on every run; resets; ICMP errors;
# JSON; --explain texts fitted to what the kernel did; and a plain message where
# capturing is impossible.
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

# -- UDP: ECONNREFUSED comes from an ICMP port unreachable, shown on the wire ---------
cat >"$TMP/icmp.sp" <<'EOF'
client: u = socket(AF_INET, SOCK_DGRAM)
client: connect(u, 127.0.0.1:9001) = 0
client: send(u, "hello?") = 6
client: recv(u, 100) = -1 ECONNREFUSED
client: v = socket(AF_INET6, SOCK_DGRAM)
client: connect(v, [::1]:9002) = 0
client: send(v, "hi") = 2
client: recv(v, 100) = -1 ECONNREFUSED
EOF
out=$($SP --batch --wire "$TMP/icmp.sp" 2>&1); rc=$?
[ $rc = 0 ] && ok "UDP to a closed port: the script holds (rc 0)" || { bad "icmp.sp rc $rc"; echo "$out"; }
printf '%s\n' "$out" | grep -A1 '^\[client\] send(3, "hello?", 6) = 6$' | tail -1 |
	grep -q '^\[wire\] client 127.0.0.1:[0-9]* > ? 127.0.0.1:9001 UDP len=6$' && ok "the datagram after its send" ||
	{ bad "no datagram after send"; echo "$out"; }
printf '%s\n' "$out" | grep -B1 '^\[client\] recv(3, 100) = -1 ECONNREFUSED' | head -1 |
	grep -Eq '^\[wire\] \? 127\.0\.0\.1 > client 127\.0\.0\.1 ICMP port unreachable for UDP 127\.0\.0\.1:[0-9]+ > 127\.0\.0\.1:9001 len=6$' &&
	ok "ICMP port unreachable on the wire, to the client, about its datagram" || { bad "no ICMP line"; echo "$out"; }
printf '%s\n' "$out" | grep -Eq '^\[wire\] \? ::1 > client ::1 ICMPv6 port unreachable for UDP \[::1\]:[0-9]+ > \[::1\]:9002 len=2$' &&
	ok "ICMPv6 port unreachable too" || { bad "no ICMPv6 line"; echo "$out"; }
$SP --batch --wire --format json "$TMP/icmp.sp" 2>/dev/null | python3 -c '
import json, sys
icmp = [e for e in map(json.loads, sys.stdin) if e["event"] == "segment" and e["proto"].startswith("ICMP")]
assert [(e["proto"], e["icmp"], e["about"], e["dst_actor"]) for e in icmp] == [
    ("ICMP", "ICMP port unreachable", "UDP", "client"), ("ICMPv6", "ICMPv6 port unreachable", "UDP", "client")], icmp
assert "flags" not in icmp[0] and icmp[0]["src"] == "127.0.0.1:9001", icmp[0]
' && ok "json: ICMP segments with their kind and the protocol they are about" || bad "json ICMP events"

# -- the window: in bytes, scaled by the shift each SYN announced ---------------------------
if python3 - "$TMP/hello.json" <<'EOF'
import json, sys
segs = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "segment"]
shift = {}
for s in segs:
    if "SYN" in s["flags"]:
        shift[s["src_actor"]] = s["options"]["wscale"]
        assert s["window"] == s["win"], s  # never scaled on a SYN
    else:
        assert s["window"] == s["win"] << shift[s["src_actor"]], s
        assert s["text"].split(" win=")[1].split()[0] == str(s["window"]), s["text"]
assert len(shift) == 2
EOF
then ok "win= is the raw field shifted by the sender's wscale after the SYNs"; else bad "scaled window"; fi

# -- --explain fitted to the case, from the kernel's facts ------------------------------------
# what follows a call line: its explanation, up to the next call
explained() { # FILE CALL-LINE-PREFIX
	awk -v p="$2" 'index($0, p) == 1 { on = 1; next } on && /^\[/ { exit } on { print }' "$1"
}
$SP --batch --explain assets/demos/reset.sp >"$TMP/reset.ex" 2>&1
linger=$(explained "$TMP/reset.ex" '[server] setsockopt(4, SO_LINGER, 1, 0) = 0')
if printf '%s\n' "$linger" | grep -q 'SO_LINGER on with a timeout of 0 seconds.*RST instead of FIN' &&
	! printf '%s\n' "$linger" | grep -q 'SO_REUSEADDR'; then
	ok "setsockopt(SO_LINGER, 1, 0) explains SO_LINGER 0 (RST), not SO_REUSEADDR"
else
	bad "SO_LINGER explanation: $linger"
fi
$SP --batch --explain assets/demos/address-in-use.sp >"$TMP/inuse.ex" 2>&1
first=$(explained "$TMP/inuse.ex" '[server2] bind(3, 127.0.0.1:8888) = -1 EADDRINUSE' | head -3)
printf '%s\n' "$first" | grep -q "Likely: Port 8888 is taken by server's socket s (fd 3), which listens on it (LISTEN)" &&
	ok "EADDRINUSE names the listener that holds the port" || bad "EADDRINUSE holder (listener): $first"
tw=$(explained "$TMP/inuse.ex" '[server] bind(3, 127.0.0.1:8888) = -1 EADDRINUSE' | head -3)
printf '%s\n' "$tw" | grep -q "Likely: Port 8888 is still held by a TIME_WAIT left by an earlier connection: server's socket conn (fd 4)" &&
	ok "EADDRINUSE names the TIME_WAIT of the earlier connection" || bad "EADDRINUSE holder (TIME_WAIT): $tw"
cat >"$TMP/bound.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8891) = 0
server2: t = socket(AF_INET, SOCK_STREAM)
server2: bind(t, 127.0.0.1:8891) = -1 EADDRINUSE
server2: u = socket(AF_INET, SOCK_DGRAM)
server2: bind(u, 127.0.0.1:8891) = 0
client: v = socket(AF_INET, SOCK_DGRAM)
client: bind(v, 127.0.0.1:8891) = -1 EADDRINUSE
EOF
$SP --batch --explain "$TMP/bound.sp" >"$TMP/bound.ex" 2>&1 || bad "bound.sp failed: $(cat "$TMP/bound.ex")"
explained "$TMP/bound.ex" '[server2] bind(3, 127.0.0.1:8891) = -1 EADDRINUSE' |
	grep -q "Port 8891 is taken by server's socket s (fd 3), which is only bound" &&
	ok "EADDRINUSE names a socket that is only bound" || bad "EADDRINUSE holder (bound): $(cat "$TMP/bound.ex")"
explained "$TMP/bound.ex" '[client] bind(3, 127.0.0.1:8891) = -1 EADDRINUSE' |
	grep -q "Port 8891 is taken by server2's UDP socket u (fd 4)" &&
	ok "UDP EADDRINUSE names the UDP socket, not the TCP one on the same number" ||
	bad "EADDRINUSE holder (UDP): $(cat "$TMP/bound.ex")"

cat >"$TMP/closedpeer.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8892)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8892) = 0
server: conn = accept(s)
server: close(conn) = 0
expect server conn FIN_WAIT2
client: send(c, "Hello, client!") = 14
expect server conn CLOSED
expect client c CLOSED
client: send(c, "Hello, client!") = -1 EPIPE
EOF
$SP --batch --wire --explain "$TMP/closedpeer.sp" >"$TMP/closedpeer.ex" 2>&1; rc=$?
ex=$(explained "$TMP/closedpeer.ex" '[client] send(3, "Hello, client!", 14) = 14')
[ $rc = 0 ] && grep -q '^\[wire\] server .* > client .* \[RST\]' "$TMP/closedpeer.ex" &&
	printf '%s\n' "$ex" | grep -q 'send() returned 14: .*the peer had closed its socket.*answered with RST.*this socket is CLOSED now. The next send() fails with EPIPE. The RST also ended the peer.s closed socket, which was waiting in FIN_WAIT2: the kernel dropped it, which is why its row is gone.' &&
	ok "send to a closed peer: 14, the RST, EPIPE next, and why the rows went (as the kernel says)" ||
	{ bad "send to a closed peer (rc $rc)"; cat "$TMP/closedpeer.ex"; }

$SP --batch --explain assets/demos/hello.sp >"$TMP/hello.ex" 2>&1
explained "$TMP/hello.ex" '[client] close(3) = 0' | grep -q "The peer's rq (Recv-Q) now counts this FIN as one byte" &&
	ok "the close that sends FIN says the peer's rq counts it" || bad "rq FIN at close: $(explained "$TMP/hello.ex" '[client] close(3) = 0')"
explained "$TMP/hello.ex" '[server] recv(4, 1024) = 0' | grep -q "rq (Recv-Q) was 1: the FIN alone, counted as one byte, since it came after the data had been read.* rq is 0 now" &&
	ok "the recv that reads a FIN that came alone says rq went from 1 to 0" || bad "rq FIN at EOF: $(explained "$TMP/hello.ex" '[server] recv(4, 1024) = 0')"
# the sentences that join a call to its segments and state changes, as the TUI's explain area has them
explained "$TMP/hello.ex" '[client] connect(3, 127.0.0.1:8888) = 0' |
	grep -q "^    On the wire: the client's SYN, the server's SYN,ACK and the client's ACK. The client went from CLOSED through SYN_SENT to ESTABLISHED" &&
	explained "$TMP/hello.ex" '[server] send(4, "Hello, client!", 14) = 14' | grep -q "^    The bytes went out in a segment with PSH,ACK, and the client's kernel ACKed them at once" &&
	explained "$TMP/hello.ex" '[server] close(4) = 0' | grep -q "^    close() sent FIN from CLOSE_WAIT; the server waited in LAST_ACK only until the client's ACK came" &&
	ok "--explain joins a call to its segments and states (handshake, ACKed data, LAST_ACK)" ||
	bad "--explain join sentences: $(explained "$TMP/hello.ex" '[client] connect(3, 127.0.0.1:8888) = 0')"
$SP --batch assets/demos/hello.sp 2>&1 | grep -q "On the wire" && bad "the join sentences show without --explain" ||
	ok "without --explain no join sentence"

# data and FIN queued together: the recv() of the data steps over the FIN (rq 11 -> 0, not 1)
$SP --batch --explain assets/demos/half-close.sp >"$TMP/half.ex" 2>&1 || bad "half-close.sp --explain failed"
explained "$TMP/half.ex" '[server] recv(4, 1024) = 10' |
	grep -q 'rq (Recv-Q) went from 11 (the bytes and 1 for the FIN) to 0, not to 1' &&
	ok "recv of data queued with the FIN: rq 11 -> 0, the FIN read too" ||
	bad "recv of data + FIN: $(explained "$TMP/half.ex" '[server] recv(4, 1024) = 10')"
ex=$(explained "$TMP/half.ex" '[server] recv(4, 1024) = 0')
printf '%s\n' "$ex" | grep -q 'rq (Recv-Q) was 0 already' && ! printf '%s\n' "$ex" | grep -q 'was 1' &&
	ok "the recv = 0 after it says rq was 0 already" || bad "recv = 0 after data + FIN: $ex"
ex=$(explained "$TMP/half.ex" '[client] send(3, "more?", 5) = -1 EPIPE')
printf '%s\n' "$ex" | grep -q 'Likely: This socket shut down its sending side earlier' &&
	! printf '%s\n' "$ex" | grep -q 'a listener' &&
	ok "EPIPE after the socket's own shutdown(SHUT_WR) says so" || bad "EPIPE after SHUT_WR: $ex"

# close() that sends RST: its one reason; a recv() = 0 and a close() after a reset: no FIN
ex=$(explained "$TMP/reset.ex" '[server] close(4) = 0' | head -1)
printf '%s\n' "$ex" | grep -q 'SO_LINGER was on with 0 seconds, so the kernel sent RST instead of FIN' &&
	! printf '%s\n' "$ex" | grep -q -e unread -e 'sends FIN' &&
	ok "close with SO_LINGER 0 names that reason alone" || bad "close with linger 0: $ex"
ex=$(awk '/^\[server\] close\(4\) = 0/ { n++; next } n == 2 { print; exit }' "$TMP/reset.ex")
printf '%s\n' "$ex" | grep -q '11 bytes the program never read were still in the receive buffer, so the kernel sent RST' &&
	! printf '%s\n' "$ex" | grep -q -e SO_LINGER -e 'sends FIN' &&
	ok "close with 11 unread bytes names that reason alone" || bad "close with unread data: $ex"
ex=$(explained "$TMP/reset.ex" '[client] recv(3, 100) = 0')
printf '%s\n' "$ex" | grep -q 'no FIN ever came: the connection was reset' && ! printf '%s\n' "$ex" | grep -q 'it sent FIN' &&
	ok "recv = 0 after a reset is not explained as a FIN" || bad "recv = 0 after RST: $ex"
ex=$(explained "$TMP/reset.ex" '[client] close(3) = 0' | head -1)
printf '%s\n' "$ex" | grep -q 'had been reset already' && ! printf '%s\n' "$ex" | grep -q FIN &&
	ok "close after a reset does not speak of FIN" || bad "close after RST: $ex"

# a refused connect to a socket only bound, EPIPE on it, listen twice, listen unbound, UDP texts
cat >"$TMP/bound2.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8895)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8895) = -1 ECONNREFUSED
server: send(s, "x") = -1 EPIPE
server: listen(s, 5) = 0
server: listen(s, 2) = 0
server: l = socket(AF_INET, SOCK_STREAM)
server: listen(l, 1) = 0
EOF
$SP --batch --explain "$TMP/bound2.sp" >"$TMP/bound2.ex" 2>&1 || bad "bound2.sp failed: $(cat "$TMP/bound2.ex")"
ex=$(explained "$TMP/bound2.ex" '[client] connect(3, 127.0.0.1:8895) = -1 ECONNREFUSED')
printf '%s\n' "$ex" | grep -q "Likely: server's socket s (fd 3) is bound to that port but did not call listen()" &&
	! printf '%s\n' "$ex" | grep -q 'private network' &&
	ok "ECONNREFUSED names the socket bound to the port that did not listen" || bad "refused by a bound socket: $ex"
ex=$(explained "$TMP/bound2.ex" '[server] send(3, "x", 1) = -1 EPIPE')
printf '%s\n' "$ex" | grep -q 'Likely: This socket was never connected' && ! printf '%s\n' "$ex" | grep -q 'a listener' &&
	ok "EPIPE on a socket only bound says it never connected" || bad "EPIPE unconnected: $ex"
explained "$TMP/bound2.ex" '[server] listen(3, 5) = 0' | grep -q 'up to backlog + 1 of them' &&
	ok "listen() says backlog + 1" || bad "listen backlog + 1"
explained "$TMP/bound2.ex" '[server] listen(3, 2) = 0' | grep -q 'was listening already: this listen() only changed its backlog to 2' &&
	ok "a second listen() only changes the backlog" || bad "listen again: $(explained "$TMP/bound2.ex" '[server] listen(3, 2) = 0')"
explained "$TMP/bound2.ex" '[server] listen(4, 1) = 0' | grep -q 'was not bound, so listen() bound it first to a free port' &&
	ok "listen() without bind() says it bound a random port" || bad "listen unbound"
$SP --batch --explain assets/demos/udp.sp >"$TMP/udp.ex" 2>&1 || bad "udp.sp --explain failed"
explained "$TMP/udp.ex" '[server] socket(AF_INET, SOCK_DGRAM, 0) = 3' | grep -q 'TCP socket starts CLOSED' &&
	bad "UDP socket() speaks of TCP" || ok "UDP socket() has its own text"
explained "$TMP/udp.ex" '[client] sendto(3, "one", 3, 127.0.0.1:9000) = 3' |
	grep -q "The receiving socket's rq (Recv-Q) now shows [1-9][0-9]*: for UDP it counts the buffer memory" &&
	ok "UDP rq is explained as buffer memory, not bytes" || bad "UDP rq: $(explained "$TMP/udp.ex" '[client] sendto(3, "one", 3, 127.0.0.1:9000) = 3')"
# the Chinese catalogue: one colon style, full-width after Chinese words
if [ -f build/locale/zh_CN/LC_MESSAGES/sockplay.mo ]; then
	zh=$($SP --batch --explain --lang zh assets/demos/half-close.sp 2>&1)
	printf '%s\n' "$zh" | grep -q '^    EPIPE：' && printf '%s\n' "$zh" | grep -q '可能原因：' &&
		! printf '%s\n' "$zh" | grep -q -e '可能原因:' -e 'EPIPE: ' &&
		ok "Chinese: full-width colons after EPIPE and 可能原因" || bad "Chinese colons: $(printf '%s\n' "$zh" | grep -A1 EPIPE)"
fi

cat >"$TMP/lateaccept.sp" <<'EOF'
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8894)
server: listen(s, 5)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8894) = 0
client: send(c, "bye") = 3
client: close(c) = 0
server: conn = accept(s)
expect server conn CLOSE_WAIT
EOF
$SP --batch --explain "$TMP/lateaccept.sp" >"$TMP/late.ex" 2>&1 || bad "lateaccept.sp failed"
ex=$(explained "$TMP/late.ex" '[server] accept(3) = 4')
printf '%s\n' "$ex" | grep -q 'After this step the kernel reports the socket in CLOSE_WAIT, not ESTABLISHED' &&
	! printf '%s\n' "$ex" | grep -q 'new ESTABLISHED socket' &&
	ok "accept of a connection whose client closed: CLOSE_WAIT, not ESTABLISHED" || bad "state after accept: $ex"

$SP --batch --explain "$TMP/icmp.sp" >"$TMP/icmp.ex" 2>&1
explained "$TMP/icmp.ex" '[client] recv(3, 100) = -1 ECONNREFUSED' |
	grep -q 'ECONNREFUSED: For UDP this means .*ICMP port unreachable message, not an RST' &&
	ok "UDP ECONNREFUSED is explained by the ICMP port unreachable" || bad "UDP refused text: $(cat "$TMP/icmp.ex")"
explained "$TMP/icmp.ex" '[client] recv(3, 100) = -1 ECONNREFUSED' | grep -q 'answered with RST' &&
	bad "UDP refused still says RST" || ok "UDP ECONNREFUSED does not speak of an RST"
# (port 9999: no socket of the playground is bound to it; 8888's refusal is explained by the bound s)
$SP --batch --explain assets/demos/connect-refused.sp 2>&1 | explained /dev/stdin '[client] connect(4, 127.0.0.1:9999) = -1 ECONNREFUSED' |
	grep -q 'cannot be reached on 127.0.0.1 from here. Start sockplay with --host-net to reach them.' &&
	ok "a refused connect in the sandbox says outside programs are out of reach, and how to reach them" ||
	bad "refused connect in the sandbox"
$SP --batch --explain --host-net assets/demos/connect-refused.sp 2>&1 | grep -q 'host-net to reach them' &&
	bad "on the host network it still speaks of the sandbox" || ok "on the host network it does not"

# -- a blocked connect's SYNs are its socket's, not a stranger's ------------------------------
$SP --batch --wire assets/demos/backlog.sp >"$TMP/backlog.wire" 2>&1
grep -q '^\[wire\] client2 127.0.0.1:[0-9]* > server 127.0.0.1:8888 \[SYN\]' "$TMP/backlog.wire" &&
	! grep -q '^\[wire\] ? ' "$TMP/backlog.wire" &&
	ok "the SYNs of a connect that blocks are labelled with its side (client2), none with '?'" ||
	bad "a blocked connect's SYNs: $(grep -m3 '^\[wire\] ? ' "$TMP/backlog.wire")"

# -- on the host network, a port taken by a program outside: named, as ss -p names it ------
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$TMP/holder.port" &
	hpid=$! # killed below, at the latest when its 30 s are over
	n=0
	while [ $n -lt 50 ] && ! [ -s "$TMP/holder.port" ]; do sleep 0.1; n=$((n + 1)); done
	hport=$(cat "$TMP/holder.port")
	printf 'server: s = socket(AF_INET, SOCK_STREAM)\nserver: bind(s, 127.0.0.1:%s) = -1 EADDRINUSE\n' "$hport" >"$TMP/inuse.sp"
	$SP --batch --explain --host-net "$TMP/inuse.sp" 2>&1 | grep -q "port $hport: python3 (pid $hpid), a program outside sockplay, does" &&
		ok "--host-net: a port taken outside names the program and its pid" ||
		bad "--host-net: the outside holder of port $hport (pid $hpid) is not named"
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
else
	echo "skip naming an outside holder: no python3"
fi

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
elif [ "$err" = "sockplay: wire view off: capturing needs CAP_NET_RAW on the host network (run as root, or in the sandbox: without --host-net, where this system allows one)" ]; then
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
