# The accept queue is full: new clients' SYNs are dropped and retried.
title "A full backlog"
say "listen(s, 0): the smallest backlog. Linux still queues one finished connection."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 0) = 0
say "The server does not call accept() for now: it is busy, or slow."
say "The first client's handshake completes; its connection waits in the accept queue."
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
expect client c ESTABLISHED
say "The queue is full. A second client connects: the server's kernel silently drops its SYN."
client2: c = socket(AF_INET, SOCK_STREAM) = 3
client2: connect(c, 127.0.0.1:8888) = 0
say "connect() blocks. No RST comes back, so the client waits and sends the SYN again."
say "The retries come on a timer whose gaps grow (how fast depends on the kernel), at most net.ipv4.tcp_syn_retries of them: watch the wire."
expect client2 c SYN_SENT
say "The server finally accepts the first client: that frees a place in the queue."
server: conn = accept(s) = 4
expect server s LISTEN
say "The next SYN retry finds room: the handshake completes and client2's connect() returns 0, late."
client2: send(c, "finally!\n") = 9
expect client2 c ESTABLISHED
say "client2's connection now fills the queue. A third client's connect() blocks in turn."
client3: c = socket(AF_INET, SOCK_STREAM) = 3
client3: connect(c, 127.0.0.1:8888) = -1 EINTR
expect client3 c SYN_SENT
say "The server talks to its first client and never accepts again."
server: send(conn, "served\n") = 7
client: recv(c, 100) = 7 "served\n"
server: close(conn) = 0
client: close(c) = 0
say "The demo ends with client3 still blocked: sockplay interrupts it (EINTR)."
say "A real client would give up only after about 2 minutes: ETIMEDOUT."
