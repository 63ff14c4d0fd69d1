title "Nonblocking sockets"
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8894)
server: listen(s, 5)
server: nonblock(s)
server: accept(s) = -1 EAGAIN
client: c = socket(AF_INET, SOCK_STREAM)
client: nonblock(c, 1) = 0
client: connect(c, 127.0.0.1:8894) = -1 EINPROGRESS
client: getsockopt(c, SO_ERROR) = 0
client: recv(c, 10) = -1 EAGAIN
server: conn = accept(s)
client: nonblock(c, 0)
client: recv(c, 10, MSG_DONTWAIT) = -1 EAGAIN
client: r = socket(AF_INET, SOCK_STREAM)
client: nonblock(r)
client: connect(r, 127.0.0.1:9) = -1 EINPROGRESS
sleep 100ms
client: getsockopt(r, SO_ERROR)
client: getsockopt(r, SO_ERROR)
client: getsockopt(c, SO_RCVBUF)
client: setsockopt(c, SO_LINGER, 1, 0) = 0
client: getsockopt(c, SO_LINGER)
client: setsockopt(c, TCP_NODELAY, 1) = 0
client: getsockopt(c, TCP_NODELAY) = 0
client: close(c)
server: recv(conn, 10) = -1 ECONNRESET
