# socketpair(): two sockets already connected to each other, made by one call.
title "socketpair: two connected sockets from one call"
say "socketpair() returns two AF_UNIX sockets joined inside the kernel: no name, no listen(), no connect()."
say "A program keeps one end and hands the other to a child after fork(), or to a thread."
server: a, b = socketpair(AF_UNIX, SOCK_STREAM) = 0
say "What one end sends, the other receives, in both directions."
server: send(a, "ping") = 4
say "The bytes wait in b's receive queue: ioctl(FIONREAD) counts them before any recv()."
server: ioctl(b, FIONREAD) = 0 (value 4)
server: recv(b, 100) = 4 "ping"
server: ioctl(b, FIONREAD) = 0 (value 0)
server: send(b, "pong") = 4
server: recv(a, 100) = 4 "pong"
say "SOCK_STREAM is a byte stream: two sends can come out of one recv()."
server: send(a, "one,") = 4
server: send(a, "two") = 3
server: recv(b, 100) = 7 "one,two"
say "A SOCK_DGRAM pair keeps each send() a datagram of its own."
server: d1, d2 = socketpair(AF_UNIX, SOCK_DGRAM) = 0
server: send(d1, "first") = 5
server: send(d1, "second") = 6
server: recv(d2, 100) = 5 "first"
server: recv(d2, 100) = 6 "second"
say "One end closes: the other reads 0, end of stream, and its send() fails with EPIPE."
server: close(a) = 0
server: recv(b, 100) = 0
server: send(b, "anyone?") = -1 EPIPE
say "Only AF_UNIX sockets come in pairs: for TCP, one socket listens and another connects to it."
server: socketpair(AF_INET, SOCK_STREAM) = -1 EOPNOTSUPP
server: close(b) = 0
server: close(d1) = 0
server: close(d2) = 0
