# The values of getsockopt() and ioctl(), the options and flags added with them: a seed.
server: s = socket(AF_INET6, SOCK_STREAM)
server: setsockopt(s, IPV6_V6ONLY, 1)
server: getsockopt(s, IPV6_V6ONLY) = 0 (value on)
server: getsockopt(s, SO_ERROR) = 0 (value ECONNREFUSED)
server: getsockopt(s, SO_ERROR)=0(value 0)
server: getsockopt(s, SO_TYPE) = 0 (value SOCK_STREAM)
server: getsockopt(s, SO_LINGER) = 0 (value on, 5 s)
server: getsockopt(s, SO_LINGER) = 0 (value off)
server: setsockopt(s, SO_RCVTIMEO, 1.5s)
server: setsockopt(s, SO_SNDTIMEO, 250 ms)
server: getsockopt(s, SO_RCVTIMEO) = 0 (value 1500ms)
server: setsockopt(s, TCP_CORK, 1)
server: setsockopt(s, TCP_KEEPIDLE, 30)
server: setsockopt(s, TCP_KEEPINTVL, 5)
server: setsockopt(s, TCP_KEEPCNT, 3)
server: setsockopt(s, TCP_MAXSEG, 1000)
server: setsockopt(s, SO_BROADCAST, 1)
server: ioctl(s, FIONREAD) = 0 (value 3)
server: ioctl(s, SIOCOUTQ) = 0 ( value 0 )
server: ioctl(s, FIONBIO, 1) = 0
server: getpeername(s) = -1 ENOTCONN
server: recv(s, 3, MSG_TRUNC) = 11 "hel"
server: send(s, "x", MSG_MORE|MSG_DONTWAIT)
