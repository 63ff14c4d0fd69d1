# EADDRINUSE: one port, one listener -- and the TIME_WAIT that outlives a server.
title "Address already in use"
say "A server listens on port 8888 (without SO_REUSEADDR)."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
expect server s LISTEN
say "A second program tries to take the same port: bind() fails with EADDRINUSE."
server2: s = socket(AF_INET, SOCK_STREAM) = 3
server2: bind(s, 127.0.0.1:8888) = -1 EADDRINUSE
say "Even SO_REUSEADDR does not let two sockets listen on one port: it only forgives TIME_WAIT."
server2: setsockopt(s, SO_REUSEADDR, 1) = 0
server2: bind(s, 127.0.0.1:8888) = -1 EADDRINUSE
server2: close(s) = 0
say "A client connects and the server talks to it."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
server: send(conn, "bye\n") = 4
client: recv(c, 100) = 4 "bye\n"
say "This time the SERVER closes first (active close): it sends FIN and goes to FIN_WAIT2."
server: close(conn) = 0
expect server conn FIN_WAIT2
say "The client reads 0 (end of stream) and closes too: the server's side enters TIME_WAIT."
client: recv(c, 100) = 0
client: close(c) = 0
expect server conn TIME_WAIT
say "The server program stops: it closes its listener too. Only the TIME_WAIT is left on port 8888."
server: close(s) = 0
expect server s CLOSED
say "The server restarts at once and binds port 8888 again..."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: bind(s, 127.0.0.1:8888) = -1 EADDRINUSE
say "EADDRINUSE! The TIME_WAIT still holds the port, for 60 seconds on Linux."
expect server conn TIME_WAIT
say "Setting SO_REUSEADDR only now is too late: Linux wants it on the old socket too."
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = -1 EADDRINUSE
server: close(s) = 0
say "The fix: a server sets SO_REUSEADDR before bind(), every time it starts. Again, on port 8889."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8889) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8889) = 0
server: old = accept(s) = 4
say "The server closes first again, then the client: a TIME_WAIT now holds port 8889."
server: close(old) = 0
client: close(c) = 0
expect server old TIME_WAIT
server: close(s) = 0
say "Restart: the old socket and the new one both allow reuse, so bind() succeeds."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8889) = 0
server: listen(s, 5) = 0
expect server s LISTEN
say "The restarted server works, while the old connection is still in TIME_WAIT."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8889) = 0
server: conn = accept(s) = 4
expect server conn ESTABLISHED
expect server old TIME_WAIT
client: close(c) = 0
server: close(conn) = 0
server: close(s) = 0
