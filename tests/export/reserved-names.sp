# Sockets named after what the exported programs call (ioctl, fcntl) or use (sec), a closed one asked by number, a long timeout.
server: ioctl = socket(AF_INET, SOCK_STREAM)
server: ioctl(ioctl, FIONREAD)
server: fcntl = socket(AF_INET, SOCK_STREAM)
server: ioctl(fcntl, FIONREAD) = 0 (value 0)
server: sec = socket(AF_INET, SOCK_STREAM)
server: getsockopt(sec, SO_RCVTIMEO)
server: t = socket(AF_INET, SOCK_STREAM)
server: close(t)
server: ioctl(t, FIONREAD) = -1 EBADF
server: select(r: sec, 1000001) = 1 (r: sec)
