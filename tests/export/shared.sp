title "Addresses the kernel picks"
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:0) = 0
server: listen(s)
repeat 3
  client: c = socket(AF_INET, SOCK_STREAM)
  client: connect(c, server.addr(s)) = 0
  server: conn = accept(s)
  server: send(conn, "\"%%s\" and ??/") = 13
  client: recv(c, 100, MSG_PEEK) = 13
  client: recv(c, 100) = 13 "\"%%s\" and ??/"
  repeat 2
    pause
    client: getsockopt(c, SO_TYPE)
  end
end
client: x = socket(AF_INET, SOCK_STREAM)
client: bind(x, 127.0.0.1:0)
client: connect(c, addr(x)) = -1 EISCONN
client: close(3) = 0
client: close(3) = -1 EBADF
