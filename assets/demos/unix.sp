# Unix domain sockets: the same calls between processes of one machine, without IP.
title "Unix domain sockets"
say "AF_UNIX: the address is a name, not an IP and a port. '@' marks an abstract name (Linux only):"
say "it exists only inside the kernel, no file is created, and it disappears with its socket."
server: s = socket(AF_UNIX, SOCK_STREAM) = 3
server: bind(s, @sockplay-demo) = 0
server: listen(s, 5) = 0
expect server s LISTEN
say "connect() links the two sockets directly inside the kernel: no SYN, no packets on the wire."
client: c = socket(AF_UNIX, SOCK_STREAM) = 3
client: connect(c, @sockplay-demo) = 0
expect client c ESTABLISHED
say "The client never called bind(): its socket has no name, so the server sees an unnamed peer."
server: conn = accept(s) = 4
say "SOCK_STREAM is a byte stream, as with TCP: two sends can arrive in one recv()."
client: send(c, "one,") = 4
client: send(c, "two") = 3
server: recv(conn, 100) = 7 "one,two"
server: send(conn, "got it") = 6
client: recv(c, 100) = 6 "got it"
say "A name can be bound only once: a second server gets EADDRINUSE."
server2: s = socket(AF_UNIX, SOCK_STREAM) = 3
server2: bind(s, @sockplay-demo) = -1 EADDRINUSE
server2: close(s) = 0
say "A name nobody has bound: ECONNREFUSED. For a path, a missing file gives ENOENT."
client: x = socket(AF_UNIX, SOCK_STREAM) = 4
client: connect(x, @nobody-here) = -1 ECONNREFUSED
client: connect(x, /tmp/sockplay-nobody-here.sock) = -1 ENOENT
client: close(x) = 0
say "The client closes: the server reads 0, end of stream, just as with TCP."
client: close(c) = 0
server: recv(conn, 100) = 0
server: close(conn) = 0
say "SOCK_DGRAM works on Unix sockets too: datagrams keep their boundaries."
server: d = socket(AF_UNIX, SOCK_DGRAM) = 4
server: bind(d, @sockplay-dgram) = 0
client: d = socket(AF_UNIX, SOCK_DGRAM) = 3
client: sendto(d, "first", server.addr(d)) = 5
client: sendto(d, "second", server.addr(d)) = 6
server: recvfrom(d, 100) = 5 "first"
server: recvfrom(d, 100) = 6 "second"
say "Unlike UDP, a Unix datagram is never lost silently: if the receiver's queue is full, the sender waits."
client: close(d) = 0
server: close(d) = 0
server: close(s) = 0
