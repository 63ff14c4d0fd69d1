title "IPv6"
server: s = socket(AF_INET6, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, *:8893) = 0
server: listen(s) = 0
client: c = socket(AF_INET6, SOCK_STREAM)
client: connect(c, [::1]:8893) = 0
server: conn = accept(s)
client: c4 = socket(AF_INET, SOCK_STREAM)
say "An IPv4 socket cannot go to an IPv6 address."
client: connect(c4, [::1]:8893) = -1 EAFNOSUPPORT
say "The IPv6 listener on [::] takes IPv4 clients too, as ::ffff:127.0.0.1."
client: connect(c4, localhost:8893) = 0
server: conn2 = accept(s)
client: c6 = socket(AF_INET6, SOCK_STREAM)
client: bind(c6, 127.0.0.1:0) = -1 EINVAL
client: connect(c6, [::1]:8893) = 0
server: conn3 = accept(s)
expect client c6 ESTABLISHED
client: close(c)
client: close(c6)
