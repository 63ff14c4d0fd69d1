# The three-way handshake: SYN, SYN,ACK, ACK -- done by the kernels, not by accept().
title "The three-way handshake"
say "The server gets ready: socket, bind, listen. Only listen() makes it answer SYNs."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
expect server s CLOSED
say "bind() gave the socket an address, but it is still CLOSED: nothing answers on port 8888 yet."
server: listen(s, 5) = 0
expect server s LISTEN
say "Now the listener is in LISTEN. Its accept queue will hold finished connections (backlog 5)."
client: c = socket(AF_INET, SOCK_STREAM) = 3
expect client c CLOSED
say "connect() sends SYN (client: SYN_SENT). The server's kernel answers SYN,ACK (server: SYN_RECV)."
say "The client sends the last ACK: both ends are ESTABLISHED. connect() returns 0."
client: connect(c, 127.0.0.1:8888) = 0
expect client c ESTABLISHED
say "The server program has not called accept() yet! The kernel did the handshake alone."
say "The finished connection waits in the listener's accept queue. A second client joins it."
client2: c = socket(AF_INET, SOCK_STREAM) = 3
client2: connect(c, 127.0.0.1:8888) = 0
expect client2 c ESTABLISHED
say "Two connections are queued; the listener itself stays in LISTEN."
expect server s LISTEN
say "accept() takes the oldest connection off the queue and returns a new socket for it."
server: conn1 = accept(s) = 4
expect server conn1 ESTABLISHED
server: conn2 = accept(s) = 5
expect server conn2 ESTABLISHED
say "Each accepted socket is a different connection; the listener still waits for more."
say "Data goes through the accepted sockets, never through the listener."
server: send(conn1, "you are first\n") = 14
client: recv(c, 100) = 14 "you are first\n"
server: send(conn2, "you are second\n") = 15
client2: recv(c, 100) = 15 "you are second\n"
say "The queue is empty now: the next accept() blocks until a new client connects."
server: conn3 = accept(s) = 6
say "accept() is blocked in the kernel. A third client's handshake releases it."
client3: c = socket(AF_INET, SOCK_STREAM) = 3
client3: connect(c, 127.0.0.1:8888) = 0
server: send(conn3, "you are third\n") = 14
client3: recv(c, 100) = 14 "you are third\n"
expect server conn3 ESTABLISHED
client: close(c) = 0
client2: close(c) = 0
server: close(conn1) = 0
server: close(conn2) = 0
client3: close(c) = 0
server: close(conn3) = 0
server: close(s) = 0
