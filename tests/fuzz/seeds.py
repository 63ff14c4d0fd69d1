#!/usr/bin/env python3
"""seeds.py -- the fuzzers' seed corpora and dictionary, made from the demos, the golden transcripts and hand-built frames.

Usage: seeds.py OUTDIR  (run from the top of the tree; writes OUTDIR/script, OUTDIR/wire, OUTDIR/script.dict)
"""
import glob
import os
import re
import struct
import sys

out = sys.argv[1]
for d in ("script", "wire"):
    os.makedirs(os.path.join(out, d), exist_ok=True)


def put(kind, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, kind, name), "wb") as f:
        f.write(data)


# -- scripts ------------------------------------------------------------------
# Each demo whole, and each of its statements alone (the prompt's input).
lines = set()
for path in sorted(glob.glob("assets/demos/*.sp")) + sorted(glob.glob("tests/fuzz/corpus/script/*.sp")):
    name = os.path.basename(path)
    text = open(path, "rb").read()
    put("script", name, text)
    for line in text.decode("utf-8", "replace").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            lines.add(line)
for i, line in enumerate(sorted(lines)):
    put("script", "line-%03d.sp" % i, line + "\n")

# Golden transcripts turned back into scripts: "[actor] call(3, ...) = R" -> "actor: call(3, ...) = R".
for path in sorted(glob.glob("tests/golden/*.txt")):
    text = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"^\[([a-z0-9_]+)\] (.*)$", line)
        if line.startswith("## "):
            text.append('title "%s"' % line[3:].replace('"', '\\"'))
        elif line.startswith("# "):
            text.append('say "%s"' % line[2:].replace('"', '\\"'))
        elif m and not m.group(2).startswith("state("):
            call = re.sub(r" \(peer [^)]*\)$", "", m.group(2))
            text.append("%s: %s" % (m.group(1), call))
    put("script", "golden-" + os.path.basename(path)[:-4] + ".sp", "\n".join(text) + "\n")

# The dictionary: calls, constants, errnos, states and keywords as the sources spell them.
words = set()
sources = "".join(open(p, encoding="utf-8").read() for p in ("include/sockplay/call.h", "src/consts.c"))
words.update(re.findall(r'X\(SP_CALL_[A-Z]+, "([a-z]+)"', sources))
words.update(w for w in re.findall(r"\bX\(([A-Z][A-Z0-9_]+)", sources) if not w.startswith("SP_"))
words.update(re.findall(r'"([A-Z][A-Z0-9_]+)"', sources))
words.update(["value", "on", "off", "(value ", "ms"])  # "(value X)" after getsockopt() and ioctl()
words.update(["title", "say", "pause", "sleep", "repeat", "end", "expect", "server", "client",
              "addr(", ".addr(", "ms", "s", "\\x", "\\n", "\\0", "* ", " = ", " = -1 ", ": ", ", ",
              "127.0.0.1:", "[::1]:", "*:", ":0", "@", "/tmp/", "localhost:", "|", "\"", "\r\n",
              "\ufeff", "LISTEN", "ESTABLISHED", "TIME_WAIT", "CLOSE_WAIT", "SYN_SENT",
              " <blocked>", " <at once>", "blocked", "free", "wire ", "no wire ", " > ", "[", "]",
              "SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR", "len=",
              "r: ", "w: ", " (", ")", " = 0 ()"])
with open(os.path.join(out, "script.dict"), "w", encoding="utf-8") as f:
    for w in sorted(words):
        f.write('"%s"\n' % "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else "\\x%02x" % ord(c)
                                   for c in w.encode("utf-8").decode("latin-1")))

# -- frames -------------------------------------------------------------------
# As the capture reads them on lo: a 14-byte Ethernet header of zero addresses, then IP.
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
A4, B4 = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2])
A6, B6 = bytes(15) + b"\x01", bytes(15) + b"\x02"
SYN_OPTS = (b"\x02\x04\xff\xd7"            # mss 65495
            b"\x04\x02"                    # sackOK
            b"\x08\x0a" + bytes(8) +       # timestamps
            b"\x01"                        # nop
            b"\x03\x03\x07")               # wscale 7


def tcp(sport, dport, seq, ack, flags, payload=b"", opts=b""):
    opts += b"\x00" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65483, 0, 0) + opts + payload


def udp(sport, dport, payload, length=None):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload) if length is None else length, 0) + payload


def ip4(proto, l4, src=A4, dst=B4, opts=b"", total=None, frag=0x4000):
    ihl = (20 + len(opts)) // 4
    tot = 20 + len(opts) + len(l4) if total is None else total
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, proto, 0, src, dst) + opts + l4


def ip6(nh, l4, src=A6, dst=B6, ext=b"", plen=None):
    n = len(ext) + len(l4) if plen is None else plen
    return struct.pack("!IHBB16s16s", 6 << 28, n, nh, 64, src, dst) + ext + l4


def eth(pkt):
    return bytes(12) + (b"\x86\xdd" if pkt[0] >> 4 == 6 else b"\x08\x00") + pkt


C, S = 49152, 8888
ISN_C, ISN_S = 1000, 5000
hello = [
    ip4(6, tcp(C, S, ISN_C, 0, SYN, opts=SYN_OPTS)),
    ip4(6, tcp(S, C, ISN_S, ISN_C + 1, SYN | ACK, opts=SYN_OPTS), src=B4, dst=A4),
    ip4(6, tcp(C, S, ISN_C + 1, ISN_S + 1, ACK)),
    ip4(6, tcp(S, C, ISN_S + 1, ISN_C + 1, PSH | ACK, b"Hello, client!"), src=B4, dst=A4),
    ip4(6, tcp(C, S, ISN_C + 1, ISN_S + 15, ACK)),
    ip4(6, tcp(C, S, ISN_C + 1, ISN_S + 15, FIN | ACK)),
    ip4(6, tcp(S, C, ISN_S + 15, ISN_C + 2, ACK), src=B4, dst=A4),
    ip4(6, tcp(S, C, ISN_S + 15, ISN_C + 2, FIN | ACK), src=B4, dst=A4),
    ip4(6, tcp(C, S, ISN_C + 2, ISN_S + 16, ACK)),
]
hostile = b"\x1b[2J\x1b]0;owned\x07\x9b31m\xe2\x80\xae\r\x08\x00\xff"
singles = {
    "v4-syn": hello[0], "v4-synack": hello[1], "v4-ack": hello[2], "v4-data": hello[3],
    "v4-fin": hello[5],
    "v4-rst": ip4(6, tcp(C, S, ISN_C + 1, 0, RST)),
    "v4-udp": ip4(17, udp(C, S, b"ping")),
    "v4-udp-hostile": ip4(17, udp(C, S, hostile)),
    "v4-ipopts": ip4(6, tcp(C, S, 1, 2, ACK), opts=b"\x01\x01\x01\x00"),
    "v4-bigtcp": ip4(6, tcp(C, S, 1, 2, ACK, b"x" * 40), total=0),
    "v4-fragment": ip4(17, udp(C, S, b"late"), frag=0x0010),
    "v4-padded": ip4(6, tcp(C, S, 1, 2, ACK)) + bytes(6),
    "v6-syn": ip6(6, tcp(C, S, ISN_C, 0, SYN, opts=SYN_OPTS)),
    "v6-data": ip6(6, tcp(S, C, ISN_S + 1, ISN_C + 1, PSH | ACK, hostile), src=B6, dst=A6),
    "v6-udp": ip6(17, udp(C, S, b"ping")),
    "v6-hopbyhop": ip6(0, tcp(C, S, 1, 2, ACK), ext=b"\x06\x00" + bytes(6)),
    "v6-ext-chain": ip6(60, udp(C, S, b"x"), ext=b"\x2c\x00" + bytes(6) + b"\x11\x00\x00\x01" + bytes(4)),
    "v6-jumbo": ip6(0, udp(C, S, b"big", length=0), ext=b"\x11\x00\xc2\x04" + struct.pack("!I", 65536 + 11), plen=0),
}
for name, pkt in singles.items():
    put("wire", name + ".ip", pkt)
    put("wire", name + ".frame", eth(pkt))


def ring(frames):
    return b"RING" + b"".join(struct.pack("!H", len(f)) + f for f in frames)


put("wire", "ring-hello", ring(eth(p) for p in hello))
put("wire", "ring-reset", ring(eth(p) for p in hello[:4] + [singles["v4-rst"], singles["v4-udp"]]))
reuse = [ip6(6, tcp(C, S, ISN_C, 0, SYN, opts=SYN_OPTS)),
         ip6(6, tcp(S, C, ISN_S, ISN_C + 1, SYN | ACK, opts=SYN_OPTS), src=B6, dst=A6),
         ip6(6, tcp(C, S, ISN_C + 1, ISN_S + 1, FIN | ACK)),
         ip6(6, tcp(C, S, 777, 0, SYN, opts=SYN_OPTS)),
         ip6(6, tcp(S, C, 1, 778, ACK), src=B6, dst=A6)]
put("wire", "ring-v6-reuse", ring(eth(p) for p in reuse))
