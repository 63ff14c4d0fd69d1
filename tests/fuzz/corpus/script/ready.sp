# poll() and select(): lists, timeouts, ready sockets as expectations
server: s = socket(AF_INET, SOCK_STREAM)
server: conn = accept(s)
client: c = socket(AF_INET, SOCK_STREAM)
server: poll(s POLLIN) = 1 (s POLLIN)
server: poll(s POLLIN, conn POLLIN|POLLRDHUP|POLLPRI, 1000) = 2 (s POLLIN, conn POLLIN|POLLRDHUP)
server: poll(3 POLLOUT, -1) = -1 EINTR
client: poll(c POLLOUT, 0) = 1 (c POLLOUT|POLLERR|POLLHUP)
client: poll(c POLLIN, 5 POLLIN, 0) = 1 (5 POLLNVAL)
server: select(r: s conn, w: conn, 1000) = 2 (r: s, w: conn)
server: select(w: conn, r: 3) = 0 ()
server: select(r: s, w:) = -1 EBADF
repeat 2
client: select(r: c, 0)
end
