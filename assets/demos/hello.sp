# The tutorial's server and client, step by step.
title "Hello, client!"
say "The server makes a TCP socket, binds it to port 8888 and listens."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
expect server s LISTEN
client: c = socket(AF_INET, SOCK_STREAM) = 3
say "The client connects: watch the three-way handshake on the wire."
client: connect(c, 127.0.0.1:8888) = 0
expect client c ESTABLISHED
say "The connection waits in the accept queue until the server accepts it."
server: conn = accept(s) = 4
server: send(conn, "Hello, client!") = 14
client: recv(c, 1024) = 14 "Hello, client!"
say "The client closes first: its FIN makes the server's socket CLOSE_WAIT."
client: close(c) = 0
server: recv(conn, 1024) = 0
expect server conn CLOSE_WAIT
server: close(conn) = 0
expect client c TIME_WAIT
server: close(s) = 0
