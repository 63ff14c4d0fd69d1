# Calling in the wrong order: connect() before the server listens.
title "Connection refused"
say "The server has a socket bound to port 8888, but it has not called listen() yet."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
expect server s CLOSED
say "The client connects too early. Watch the wire: its SYN is answered by RST."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = -1 ECONNREFUSED
say "ECONNREFUSED: nothing listens on that port. A bound socket is not enough."
expect client c CLOSED
say "Once connect() has failed, the socket is spent: a portable program closes it and makes a new one."
client: close(c) = 0
say "The server now calls listen(): the port answers SYNs from here on."
server: listen(s, 5) = 0
expect server s LISTEN
say "Same address, second try: the handshake completes and connect() returns 0."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
expect client c ESTABLISHED
server: conn = accept(s) = 4
server: send(conn, "Now I am listening.\n") = 20
client: recv(c, 1024) = 20 "Now I am listening.\n"
say "A port that nobody uses at all refuses just the same."
client: other = socket(AF_INET, SOCK_STREAM) = 4
client: connect(other, 127.0.0.1:9999) = -1 ECONNREFUSED
client: close(other) = 0
client: close(c) = 0
server: close(conn) = 0
server: close(s) = 0
