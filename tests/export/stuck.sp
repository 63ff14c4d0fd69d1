# A side that stays blocked when its next step is due is stuck: the script stops (after --timeout, 5 s).
# The expect waits for the accept() that makes conn.
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:7001)
server: listen(s)
server: conn = accept(s)
client: c = socket(AF_INET, SOCK_STREAM)
client: connect(c, 127.0.0.1:7001)
expect server conn ESTABLISHED
server: conn2 = accept(s) = 5
client: recv(c, 10)
server: close(s)
