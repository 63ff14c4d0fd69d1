title "Unix domain sockets"
server: s = socket(AF_UNIX, SOCK_STREAM)
server: bind(s, @sockplay-export-test) = 0
server: listen(s, 1) = 0
expect server s LISTEN
client: c = socket(AF_UNIX, SOCK_STREAM)
client: connect(c, @sockplay-export-test) = 0
server: conn = accept(s) = 4
server: send(conn, "over a unix socket") = 18
client: recv(c, 64) = 18 "over a unix socket"
expect client c ESTABLISHED
client: d = socket(AF_UNIX, SOCK_DGRAM)
client: bind(d, @sockplay-export-dgram)
server: u = socket(AF_UNIX, SOCK_DGRAM)
server: sendto(u, "datagram", @sockplay-export-dgram) = 8
client: recvfrom(d, 64) = 8 "datagram"
client: connect(c, 127.0.0.1:80) = -1 EINVAL
client: close(c)
server: close(conn)
server: close(s)
