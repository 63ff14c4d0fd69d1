# poll() and select() exported: by name and by number, refused, closed, a failed "( ... )", one left blocked.
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, 127.0.0.1:8888)
server: listen(s)
server: poll(s POLLIN, 0) = 0
server: select(r: 3, 0) = 0 ()
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8888) = 0
server: poll(3 POLLIN|POLLPRI, 1000) = 1 (3 POLLIN)
server: conn = accept(s)
server: select(r: s conn, w: conn, 1000) = 1 (w: conn)
client: send(c, "abc")
client: shutdown(c, SHUT_WR)
server: poll(conn POLLIN|POLLRDHUP|POLLOUT) = 1 (conn POLLIN|POLLOUT|POLLRDHUP)
server: select(r: conn, 1000) = 1 (r: conn)
server: recv(conn, 10) = 3 "abc"
client: d = socket(AF_INET, SOCK_STREAM)
client: nonblock(d)
client: connect(d, 127.0.0.1:9) = -1 EINPROGRESS
client: poll(d POLLOUT, 1000) = 1 (d POLLOUT|POLLERR|POLLHUP)
client: getsockopt(d, SO_ERROR)
client: select(r: d, w: d c, 0) = 3 (r: d, w: d c)
client: close(d)
client: poll(d POLLIN, c POLLOUT, 0) = 2 (d POLLNVAL, c POLLOUT)
client: select(r: d, 0) = -1 EBADF
say "a wrong expectation: the run goes on, and ends with exit 1"
server: poll(s POLLIN, conn POLLIN, 0) = 1 (s POLLIN)
client: select(r: c, w: c, 0) = 1 (r: c)
server: close(conn)
client: poll(c POLLIN)
server: poll(s POLLIN)
