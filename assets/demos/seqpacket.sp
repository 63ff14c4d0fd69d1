# SOCK_SEQPACKET: a connection, like SOCK_STREAM, that keeps message boundaries, like SOCK_DGRAM.
title "SOCK_SEQPACKET: messages over a connection"
say "An AF_UNIX SOCK_SEQPACKET server listens and accepts as a stream server does."
say "Its name is a file in the sandbox's own /tmp, which starts empty: the file outlives close() until unlink() removes it."
server: s = socket(AF_UNIX, SOCK_SEQPACKET) = 3
server: bind(s, /tmp/lab.sock) = 0
server: listen(s, 5) = 0
expect server s LISTEN
client: c = socket(AF_UNIX, SOCK_SEQPACKET) = 3
client: connect(c, /tmp/lab.sock) = 0
server: conn = accept(s) = 4
expect server conn ESTABLISHED
say "Three sends are three messages: each recv() returns exactly one, never two joined."
client: send(c, "one") = 3
client: send(c, "two") = 3
client: send(c, "three") = 5
server: recv(conn, 100) = 3 "one"
server: recv(conn, 100) = 3 "two"
say "A buffer smaller than the message: recv() returns what fits, the rest of that message is discarded."
server: recv(conn, 2) = 2 "th"
server: send(conn, "done") = 4
client: recv(c, 100) = 4 "done"
say "Nothing of \"three\" is left: the next recv() finds no message."
server: recv(conn, 100, MSG_DONTWAIT) = -1 EAGAIN
say "The path stays bound after close(): a new server gets EADDRINUSE until the file is unlinked."
client: close(c) = 0
server: recv(conn, 100) = 0
server: close(conn) = 0
server: close(s) = 0
server: s2 = socket(AF_UNIX, SOCK_SEQPACKET) = 3
server: bind(s2, /tmp/lab.sock) = -1 EADDRINUSE
server: unlink(/tmp/lab.sock) = 0
server: bind(s2, /tmp/lab.sock) = 0
server: close(s2) = 0
server: unlink(/tmp/lab.sock) = 0
