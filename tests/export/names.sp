# Names that C or Python keep for themselves: the programs rename them, the transcript keeps them.
say "Sides called run, main and read; sockets called int, free, r, fd, TIME_WAIT, i2, _x ..."
run: int = socket(AF_INET, SOCK_STREAM)
run: socklen_t = socket(AF_INET, SOCK_DGRAM)
run: TIME_WAIT = socket(AF_INET6, SOCK_DGRAM)
run: _x = socket(AF_UNIX, SOCK_DGRAM)
run: i2 = socket(AF_INET, SOCK_STREAM)
run: step = socket(AF_INET, SOCK_STREAM)
run: None = socket(AF_INET, SOCK_STREAM)
run: buf = socket(AF_INET, SOCK_STREAM)
main: r = socket(AF_INET, SOCK_STREAM)
read: fd = socket(AF_INET, SOCK_STREAM)
read: free = socket(AF_INET, SOCK_STREAM)
main: close(r) = 0
run: bind(int, 127.0.0.1:7005) = 0
run: listen(int) = 0
expect run int LISTEN
read: connect(fd, run.addr(int)) = 0
read: connect(free, 127.0.0.1:7005) = 0
run: peer = accept(int) = 11
run: addr = accept(int) = 12
run: send(peer, "to fd") = 5
read: recv(fd, 10) = 5 "to fd"
run: close(socklen_t) = 0
run: close(TIME_WAIT) = 0
run: close(_x) = 0
run: close(i2) = 0
run: close(step) = 0
run: close(None) = 0
run: close(buf) = 0
run: close(3) = 0
expect run int CLOSED
read: close(free) = 0
expect run addr CLOSE_WAIT
