title "socketpair, AF_UNSPEC, unlink"
# A pair without names: its sockets by number.
server: socketpair(AF_UNIX, SOCK_SEQPACKET) = 0
server: send(3, "one") = 3
server: recv(4, 2) = 2 "on"
server: socketpair(AF_INET, SOCK_STREAM) = -1 EOPNOTSUPP
# connect(AF_UNSPEC): a UDP association dissolved, a TCP connection aborted.
server: r = socket(AF_INET, SOCK_DGRAM)
server: bind(r, 127.0.0.1:9000) = 0
client: u = socket(AF_INET, SOCK_DGRAM)
client: connect(u, 127.0.0.1:9000) = 0
client: connect(u, AF_UNSPEC) = 0
client: send(u, "x") = -1 EDESTADDRREQ
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:9001) = 0
server: listen(s) = 0
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:9001) = 0
server: conn = accept(s)
client: connect(c, AF_UNSPEC) = 0
server: recv(conn, 10) = -1 ECONNRESET
# unlink(): the path can be bound again.
server: x = socket(AF_UNIX, SOCK_DGRAM)
server: bind(x, /tmp/sockplay-export.sock) = 0
server: close(x) = 0
server: y = socket(AF_UNIX, SOCK_DGRAM)
server: bind(y, /tmp/sockplay-export.sock) = -1 EADDRINUSE
server: unlink(/tmp/sockplay-export.sock) = 0
server: bind(y, /tmp/sockplay-export.sock) = 0
server: unlink(/tmp/sockplay-export.sock) = 0
server: unlink(/tmp/sockplay-export.sock) = -1 ENOENT
