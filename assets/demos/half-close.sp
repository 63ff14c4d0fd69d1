# shutdown(SHUT_WR): "I have finished sending" -- but I still listen.
title "Half-close with shutdown()"
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
server: conn = accept(s) = 4
say "The client sends its whole request, then says it will send no more."
client: send(c, "GET /time\n") = 10
client: shutdown(c, SHUT_WR) = 0
say "shutdown(SHUT_WR) sent a FIN but did not close the socket: the client can still read."
expect client c FIN_WAIT2
say "FIN_WAIT2 on the client: its FIN was acknowledged; it waits for the server's FIN."
say "The server reads the request, then 0: end of stream. The client will not send again."
server: recv(conn, 1024) = 10 "GET /time\n"
server: recv(conn, 1024) = 0
expect server conn CLOSE_WAIT
say "CLOSE_WAIT on the server: the peer has finished, but this side may still send."
server: send(conn, "12:00\n") = 6
say "The data still flows towards the client, through the half-open connection."
client: recv(c, 1024) = 6 "12:00\n"
server: send(conn, "bye\n") = 4
client: recv(c, 1024) = 4 "bye\n"
say "Sending after SHUT_WR fails: EPIPE. A program that does not ignore SIGPIPE would also be killed by it."
client: send(c, "more?") = -1 EPIPE
say "The server has answered everything: it closes and sends its own FIN."
server: close(conn) = 0
client: recv(c, 1024) = 0
say "Now the client reads 0 too. The client shut down first, so it is the one left in TIME_WAIT."
expect client c TIME_WAIT
client: close(c) = 0
server: close(s) = 0
