# UDP: datagrams, no connection, message boundaries kept.
title "UDP datagrams"
say "A UDP server only needs socket() and bind(): no listen(), no accept()."
server: s = socket(AF_INET, SOCK_DGRAM) = 3
server: bind(s, 127.0.0.1:9000) = 0
say "The client does not connect: each sendto() names its destination."
client: c = socket(AF_INET, SOCK_DGRAM) = 3
say "Port 0: the kernel picks a free port. (Without bind(), the first sendto() would do the same.)"
client: bind(c, 127.0.0.1:0) = 0
client: sendto(c, "one", 127.0.0.1:9000) = 3
client: sendto(c, "two!", 127.0.0.1:9000) = 4
say "No handshake on the wire: each sendto() is one datagram, sent at once."
say "Two sends, two receives: UDP keeps message boundaries (TCP could hand over 'onetwo!' in one read)."
server: recvfrom(s, 100) = 3 "one"
server: recvfrom(s, 100) = 4 "two!"
say "recvfrom() tells who sent each datagram: the client's address and port."
say "The server answers to that address; it keeps no connection with the client."
server: sendto(s, "got 2 messages", client.addr(c)) = 14
client: recvfrom(c, 100) = 14 "got 2 messages"
say "One recv() reads one datagram, never more. With a 4-byte buffer, the rest of it is lost."
client: sendto(c, "a long datagram", 127.0.0.1:9000) = 15
server: recv(s, 4) = 4 "a lo"
server: recv(s, 100, MSG_DONTWAIT) = -1 EAGAIN
say "The next read finds nothing: the 11 other bytes were discarded, without an error."
say "Nobody listens on port 9001, yet sendto() succeeds: UDP does not know if anyone receives."
client: sendto(c, "hello?", 127.0.0.1:9001) = 6
say "connect() on a UDP socket sends nothing: it only fixes the default destination."
client: u = socket(AF_INET, SOCK_DGRAM) = 4
client: connect(u, 127.0.0.1:9001) = 0
client: send(u, "hello?") = 6
say "The ICMP 'port unreachable' answer reaches a connected socket: the next call fails."
client: recv(u, 100) = -1 ECONNREFUSED
client: close(u) = 0
client: close(c) = 0
server: close(s) = 0
