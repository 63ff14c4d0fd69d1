# The accept() that makes conn never returns: the server is stuck at its next
# step, which uses conn. The script stops there, conn never made, as in sockplay.
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:7002)
server: listen(s)
server: conn = accept(s)
server: send(conn, "never sent")
client: c = socket(AF_INET, SOCK_STREAM)
