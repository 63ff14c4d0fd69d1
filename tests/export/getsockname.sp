title "getsockname(): the address the kernel gave"
# A socket not bound yet has the wildcard address and port 0.
server: s = socket(AF_INET, SOCK_STREAM)
server: getsockname(s) = 0
server: bind(s, 127.0.0.1:8888)
server: getsockname(s) = 0
server: listen(s)
# connect() binds the client to a port the kernel picks: getsockname() tells which.
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, server.addr(s))
client: getsockname(c) = 0
server: conn = accept(s)
server: getsockname(conn) = 0
client: getsockname(7) = -1 EBADF
server: u = socket(AF_INET6, SOCK_DGRAM)
server: bind(u, [::1]:0)
server: getsockname(u)
server: x = socket(AF_UNIX, SOCK_STREAM)
server: bind(x, @sockplay-getsockname)
server: getsockname(x)
