# Flow control: a sender cannot go faster than its receiver reads.
title "Flow control: send() blocks"
say "Small buffers make the effect easy to see. The server sets its receive buffer before listen():"
say "accepted sockets inherit it. The kernel doubles the value asked for (room for its bookkeeping)."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: setsockopt(s, SO_RCVBUF, 4096) = 0
server: getsockopt(s, SO_RCVBUF) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
say "The client makes its send buffer small too, before connect()."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: setsockopt(c, SO_SNDBUF, 4096) = 0
client: getsockopt(c, SO_SNDBUF) = 0
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
say "A small send() returns at once: the bytes fit in the send buffer."
client: send(c, "hello\n") = 6
server: recv(conn, 100) = 6 "hello\n"
say "Now one million bytes: far more than both buffers hold. The server does not read."
client: send(c, "x" * 1000000) = 1000000
say "send() is blocked: the client's send buffer is full, and the server's receive buffer too."
say "The server advertises a zero window: 'stop, I have no room'. Nothing is lost, the sender just waits."
sleep 300ms
expect client c ESTABLISHED
say "The server reads a quarter of it. MSG_WAITALL: recv() returns only when it has all 250000 bytes."
server: recv(conn, 250000, MSG_WAITALL) = 250000
say "Reading made room: the window opened and more data flowed. But a blocking send() returns only"
say "when ALL its bytes are in the send buffer, so the client is still blocked."
server: recv(conn, 250000, MSG_WAITALL) = 250000
server: recv(conn, 250000, MSG_WAITALL) = 250000
say "The last quarter: once its final bytes are in the send buffer, send() returns with the whole million."
server: recv(conn, 250000, MSG_WAITALL) = 250000
client: close(c) = 0
server: recv(conn, 100) = 0
server: close(conn) = 0
server: close(s) = 0
