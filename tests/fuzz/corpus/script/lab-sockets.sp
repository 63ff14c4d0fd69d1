# The sockets labs use: a seed for the script fuzzer.
server: a, b = socketpair(AF_UNIX, SOCK_STREAM) = 0
server: p,q=socketpair(AF_UNIX,SOCK_SEQPACKET,0)
server: socketpair(AF_UNIX, SOCK_DGRAM) = -1 EMFILE
server: send(a, "x") = 1
server: recv(b, 1) = 1 "x"
server: s = socket(AF_UNIX, SOCK_SEQPACKET)
server: bind(s, /tmp/lab.sock) = 0
server: listen(s)
client: u = socket(AF_INET, SOCK_DGRAM)
client: connect(u, 127.0.0.1:9000) = 0
client: connect(u, AF_UNSPEC) = 0
client: send(u, "x") = -1 EDESTADDRREQ
server: unlink(/tmp/lab.sock) = 0
server: unlink( /tmp/lab.sock )=-1 ENOENT
