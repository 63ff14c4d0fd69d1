# Expectations that do not hold: the program exits 1, as the batch does.
server: s = socket(AF_INET, SOCK_STREAM) = 4
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:9) = 0
client: connect(c, 127.0.0.1:9) = -1 EBADF
client: connect(c, 127.0.0.1:9) = -1
expect server s LISTEN
server: bind(s, 127.0.0.1:8895)
server: listen(s)
client: d = socket(AF_INET, SOCK_STREAM)
client: connect(d, 127.0.0.1:8895)
server: conn = accept(s)
server: send(conn, "abc" * 40)
client: recv(d, 1000) = 120 "abd" * 40
client: recv(d, 10) = 3 "x\ty"
server: conn2 = accept(s) = 6
