# The same TCP calls over IPv6: AF_INET6 and the loopback address ::1.
title "IPv6"
say "Only the family and the address change: AF_INET6, and [::1] (IPv6 loopback) instead of 127.0.0.1."
server: s = socket(AF_INET6, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, [::1]:8888) = 0
server: listen(s, 5) = 0
expect server s LISTEN
say "An IPv6 address is written in brackets, so that its colons are not mistaken for the port."
client: c = socket(AF_INET6, SOCK_STREAM) = 3
client: connect(c, [::1]:8888) = 0
expect client c ESTABLISHED
server: conn = accept(s) = 4
say "The handshake, the states and the data are exactly the same as with IPv4."
server: send(conn, "Hello over IPv6!") = 16
client: recv(c, 1024) = 16 "Hello over IPv6!"
say "127.0.0.1 and ::1 are different addresses: nobody listens on the IPv4 one."
client: c4 = socket(AF_INET, SOCK_STREAM) = 4
client: connect(c4, 127.0.0.1:8888) = -1 ECONNREFUSED
client: close(c4) = 0
say "An AF_INET socket cannot take an IPv6 address at all: the families must match."
client: c4 = socket(AF_INET, SOCK_STREAM) = 4
client: connect(c4, [::1]:8888) = -1 EAFNOSUPPORT
client: close(c4) = 0
say "A server bound to the IPv6 wildcard [::] is dual-stack by default on Linux: it accepts IPv4 clients too."
server: any = socket(AF_INET6, SOCK_STREAM) = 5
server: setsockopt(any, SO_REUSEADDR, 1) = 0
server: bind(any, *:8889) = 0
server: listen(any, 5) = 0
say "An IPv4 client, on a fixed port (5555) so that you can spot it."
client: c4 = socket(AF_INET, SOCK_STREAM) = 4
client: bind(c4, 127.0.0.1:5555) = 0
client: connect(c4, 127.0.0.1:8889) = 0
say "The server sees the IPv4 client as an IPv4-mapped IPv6 address: ::ffff:127.0.0.1."
server: conn4 = accept(any) = 6
expect server conn4 ESTABLISHED
client: close(c4) = 0
client: close(c) = 0
server: close(conn4) = 0
server: close(conn) = 0
server: close(any) = 0
server: close(s) = 0
