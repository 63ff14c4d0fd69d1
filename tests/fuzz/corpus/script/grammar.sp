# Every form of the language once: a seed for the script fuzzer.
title "Grammar — \"all\" of it\t✓"
say "escapes: \n \t \\ \" \x41"
server: s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
server: setsockopt(s, SO_LINGER, 1, 0) = 0
server: setsockopt(s, SO_RCVBUF, 4096)
server: getsockopt(s, SO_ERROR) = 0
server: getsockname(s) = 0
server: bind(s, *:0) = 0
server: listen(s) = 0
client: c = socket(AF_INET6, SOCK_DGRAM, 0)
client: bind(c, [::1]:0)
client: sendto(c, "\x00\xff" * 3, server.addr(s), MSG_DONTWAIT|MSG_OOB) = -1 EAGAIN
client: recvfrom(c, 10, MSG_PEEK | MSG_DONTWAIT)
client: recv(c, 5) = 2 "hi"
client: nonblock(c, 0)
client: shutdown(c, SHUT_RDWR) = -1
client: connect(c, localhost:8888) = -1 ECONNREFUSED
client: u = socket(AF_UNIX, SOCK_STREAM)
client: connect(u, /tmp/sockplay.sock) = -1 ENOENT
client: close(3)
expect server s LISTEN
pause
sleep 1s
sleep 250ms
repeat 3
  repeat 2
    client: send(c, "" * 7)
  end
  sleep 0ms
end
peer: p = socket(AF_INET, SOCK_STREAM)
peer: connect(p, addr(p))
