title "UDP: no connection, message boundaries kept"
server: s = socket(AF_INET, SOCK_DGRAM)
server: bind(s, 127.0.0.1:9999) = 0
client: c = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
client: sendto(c, "ping", 127.0.0.1:9999) = 4
client: sendto(c, "pong!", 127.0.0.1:9999) = 5
server: recvfrom(s, 100) = 4 "ping"
server: recvfrom(s, 3) = 3 "pon"
server: recvfrom(s, 100, MSG_DONTWAIT) = -1 EAGAIN
client: recvfrom(c, 10)
server: sendto(s, "back", client.addr(c)) = 4
client: connect(c, 127.0.0.1:9999) = 0
client: send(c, "\x00\xff%d%s") = 6
server: recv(s, 100, MSG_PEEK) = 6
server: recvfrom(s, 100) = 6 "\x00\xff%d%s"
client: close(c) = 0
server: close(s) = 0
