title "Values: what getsockopt() and ioctl() report, as expectations"
# SO_ERROR after a refused nonblocking connect(); reading it clears it
client: bad = socket(AF_INET, SOCK_STREAM)
client: nonblock(bad)
client: connect(bad, 127.0.0.1:9) = -1 EINPROGRESS
expect client bad CLOSED
client: getsockopt(bad, SO_ERROR) = 0 (value ECONNREFUSED)
client: getsockopt(bad, SO_ERROR) = 0 (value 0)
client: getsockopt(bad, SO_TYPE) = 0 (value SOCK_STREAM)
client: setsockopt(bad, SO_RCVBUF, 65536)
client: getsockopt(bad, SO_RCVBUF) = 0 (value 131072)
client: setsockopt(bad, SO_LINGER, 1, 5)
client: getsockopt(bad, SO_LINGER) = 0 (value on, 5 s)
client: setsockopt(bad, TCP_KEEPIDLE, 30)
client: getsockopt(bad, TCP_KEEPIDLE) = 0 (value 30)
client: setsockopt(bad, TCP_MAXSEG, 1000)
client: getsockopt(bad, TCP_MAXSEG) = 0 (value 1000)
client: close(bad)
# an IPv6 socket with IPV6_V6ONLY leaves the port's IPv4 side free
server: s6 = socket(AF_INET6, SOCK_STREAM)
server: setsockopt(s6, IPV6_V6ONLY, 1)
server: getsockopt(s6, IPV6_V6ONLY) = 0 (value on)
server: bind(s6, [::]:8888) = 0
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 0.0.0.0:8888) = 0
server: listen(s)
server: ioctl(s, FIONREAD) = -1 EINVAL
client: c = socket(AF_INET, SOCK_STREAM)
client: getpeername(c) = -1 ENOTCONN
client: connect(c, 127.0.0.1:8888) = 0
client: getpeername(c) = 0
server: conn = accept(s)
# TCP_CORK holds the bytes back: SIOCOUTQ counts them, FIONREAD counts what arrived
client: setsockopt(c, TCP_CORK, 1)
client: getsockopt(c, TCP_CORK) = 0 (value on)
client: send(c, "abc") = 3
client: ioctl(c, SIOCOUTQ) = 0 (value 3)
client: setsockopt(c, TCP_CORK, 0)
client: send(c, "de", MSG_MORE) = 2
client: send(c, "f") = 1
client: close(c)
expect server conn CLOSE_WAIT
server: ioctl(conn, FIONREAD) = 0 (value 6)
server: setsockopt(conn, SO_RCVTIMEO, 1.5s)
server: getsockopt(conn, SO_RCVTIMEO) = 0 (value 1500)
server: ioctl(conn, FIONBIO, 1) = 0
server: recv(conn, 100) = 6 "abcdef"
server: ioctl(conn, FIONREAD) = 0 (value 0)
server: close(conn)
# UDP: FIONREAD is the next datagram's size; MSG_TRUNC returns the real length
server: d = socket(AF_INET, SOCK_DGRAM)
server: bind(d, 127.0.0.1:8889)
server: setsockopt(d, SO_BROADCAST, 1)
server: getsockopt(d, SO_BROADCAST) = 0 (value 1)
client: u = socket(AF_INET, SOCK_DGRAM)
client: sendto(u, "hello world", 127.0.0.1:8889)
client: sendto(u, "xy", 127.0.0.1:8889)
server: ioctl(d, FIONREAD) = 0 (value 11)
server: recv(d, 3, MSG_TRUNC) = 11 "hel"
server: recvfrom(d, 1, MSG_TRUNC) = 2 "x"
server: getsockopt(d, SO_RCVBUF) = 0 (value 1)
