# accept() blocks until the client connects; recv() blocks until data comes.
title "A blocked accept"
server: s = socket(AF_INET, SOCK_STREAM)
server: setsockopt(s, SO_REUSEADDR, 1)
server: bind(s, *:8891)
server: listen(s)
say "Nobody has connected yet: accept() waits."
server: conn = accept(s) = 4
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:8891) = 0
client: recv(c, 100) = 5 "hi\r\n\x01"
server: send(conn, "hi\r\n\x01") = 5
expect server conn ESTABLISHED
server: shutdown(conn, SHUT_WR) = 0
client: recv(c, 100) = 0
expect client c CLOSE_WAIT
expect server conn FIN_WAIT2
client: close(c)
expect server conn TIME_WAIT
expect client c CLOSED
say "A last accept() that nothing releases is interrupted at the end."
server: accept(s)
