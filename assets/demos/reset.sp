# An abortive close: SO_LINGER with a timeout of 0 sends RST instead of FIN.
title "Reset: SO_LINGER 0"
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "hello?\n") = 7
server: recv(conn, 100) = 7 "hello?\n"
say "The server has read everything. It decides to drop this client, hard."
say "SO_LINGER on, with 0 seconds: close() will throw the connection away instead of ending it politely."
server: setsockopt(conn, SO_LINGER, 1, 0) = 0
server: close(conn) = 0
say "close() sent RST, not FIN: no goodbye handshake, and no TIME_WAIT is left behind."
say "Both sockets are gone at once (a normal close would leave FIN_WAIT2 and CLOSE_WAIT)."
expect server conn CLOSED
expect client c CLOSED
say "The client learns it at its next call: ECONNRESET, Connection reset by peer."
client: recv(c, 100) = -1 ECONNRESET
say "The error is reported once. After it, the socket is just closed: recv() returns 0."
client: recv(c, 100) = 0
client: close(c) = 0
say "An ordinary close() sends RST too, when data the program never read is still waiting."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
client: send(c, "never read\n") = 11
say "The server closes without reading. Its kernel discards the unread data and resets."
server: close(conn) = 0
expect client c CLOSED
client: send(c, "anyone?") = -1 ECONNRESET
client: close(c) = 0
server: close(s) = 0
