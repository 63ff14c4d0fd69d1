# Nonblocking sockets: calls that would wait return -1 EAGAIN or EINPROGRESS instead.
title "Nonblocking sockets"
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
say "nonblock(s) sets O_NONBLOCK: from now on no call on s ever waits."
server: nonblock(s) = 0
say "No client yet. A blocking accept() would sleep; this one returns EAGAIN: try again later."
server: accept(s) = -1 EAGAIN
say "poll() with a timeout of 0 asks without waiting: nothing to accept, no socket ready."
server: poll(s POLLIN, 0) = 0 ()
say "The client makes its socket nonblocking too, before connect()."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: nonblock(c) = 0
client: connect(c, 127.0.0.1:8888) = -1 EINPROGRESS
say "EINPROGRESS is not a failure: the SYN is sent, and connect() returned without waiting for the answer."
say "Even on loopback Linux answers EINPROGRESS: a nonblocking connect() never waits for the handshake."
say "A program waits with poll() until the socket is writable: the handshake is over, one way or the other."
client: poll(c POLLOUT, 1000) = 1 (c POLLOUT)
say "Then it reads SO_ERROR to learn which way: 0 means connected."
client: getsockopt(c, SO_ERROR) = 0 (value 0)
expect client c ESTABLISHED
say "The server's poll() says its listener is readable: a connection waits in the accept queue."
server: poll(s POLLIN, 1000) = 1 (s POLLIN)
server: conn = accept(s) = 4
say "Careful: on Linux the accepted socket does NOT inherit O_NONBLOCK. Set it again."
server: nonblock(conn) = 0
say "Nothing has been sent yet: recv() returns EAGAIN instead of blocking."
server: recv(conn, 100) = -1 EAGAIN
client: recv(c, 100) = -1 EAGAIN
client: send(c, "ping\n") = 5
server: recv(conn, 100) = 5 "ping\n"
say "Once the data is read, the buffer is empty again: EAGAIN again."
server: recv(conn, 100) = -1 EAGAIN
say "Back to blocking mode (nonblock 0). MSG_DONTWAIT still makes one single call nonblocking."
server: nonblock(conn, 0) = 0
server: recv(conn, 100, MSG_DONTWAIT) = -1 EAGAIN
say "A nonblocking connect() to a port where nobody listens also says EINPROGRESS first..."
client: bad = socket(AF_INET, SOCK_STREAM) = 4
client: nonblock(bad) = 0
client: connect(bad, 127.0.0.1:9999) = -1 EINPROGRESS
say "...the answer is a RST. poll() wakes with POLLERR and POLLHUP besides POLLOUT: the attempt is over."
client: poll(bad POLLOUT, 1000) = 1 (bad POLLOUT|POLLERR|POLLHUP)
expect client bad CLOSED
say "getsockopt() succeeds (= 0) and hands over the pending error, ECONNREFUSED. Reading it clears it."
client: getsockopt(bad, SO_ERROR) = 0 (value ECONNREFUSED)
client: getsockopt(bad, SO_ERROR) = 0 (value 0)
client: close(bad) = 0
client: close(c) = 0
server: close(conn) = 0
server: close(s) = 0
