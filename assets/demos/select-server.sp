# The same server with select(): a read set and a write set, rebuilt before every call.
title "A select() server: read and write sets"
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
say "select() takes sets of descriptors: r: those to watch for reading, w: for writing. The listener goes in the read set."
server: select(r: s) = 1 (r: s)
client: c = socket(AF_INET, SOCK_STREAM) = 3
client: connect(c, 127.0.0.1:8888) = 0
say "A pending connection counts as readable: select() leaves s in the read set, and accept() returns at once."
server: a = accept(s) = 4
client2: c = socket(AF_INET, SOCK_STREAM) = 3
client2: connect(c, 127.0.0.1:8888) = 0
client3: c = socket(AF_INET, SOCK_STREAM) = 3
client3: connect(c, 127.0.0.1:8888) = 0
server: select(r: s a) = 1 (r: s)
server: b = accept(s) = 5
server: select(r: s a b) = 1 (r: s)
server: d = accept(s) = 6
say "A socket in the write set is ready when its send buffer has room: at once, on a fresh connection. A timeout of 0 only looks."
server: select(r: s a b d, w: a, 0) = 1 (w: a)
say "Nothing to read yet: with no timeout, select() sleeps until a set has a ready socket."
server: select(r: s a b d) = 1 (r: d)
client3: send(c, "hello from 3\n") = 13
server: recv(d, 100) = 13 "hello from 3\n"
server: send(d, "hi, 3\n") = 6
client3: recv(c, 100) = 6 "hi, 3\n"
say "client speaks, then client2 leaves. select() returns 2: a has data, and the FIN of client2 makes b readable too."
client: send(c, "hello from 1\n") = 13
client2: close(c) = 0
server: select(r: s a b d) = 2 (r: a b)
server: recv(a, 100) = 13 "hello from 1\n"
server: send(a, "hi, 1\n") = 6
server: recv(b, 100) = 0
expect server b CLOSE_WAIT
say "The sets are rebuilt each time: b, closed, is left out of the next one."
server: close(b) = 0
client: recv(c, 100) = 6 "hi, 1\n"
client: close(c) = 0
client3: close(c) = 0
server: select(r: s a d) = 2 (r: a d)
server: recv(a, 100) = 0
server: recv(d, 100) = 0
server: close(a) = 0
server: close(d) = 0
server: close(s) = 0
