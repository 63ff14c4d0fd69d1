# Sockets named like the exported programs' own variables for poll() and select(): renamed there, not clashing.
server: watched = socket(AF_INET, SOCK_STREAM)
server: bind(watched, 127.0.0.1:8888)
server: listen(watched)
server: pfd = socket(AF_INET, SOCK_STREAM)
server: select(r: watched, w: pfd, 0) = 1 (w: pfd)
server: poll(watched POLLIN, pfd POLLOUT, 0) = 1 (pfd POLLOUT|POLLHUP)
