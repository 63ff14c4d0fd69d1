# One server, three clients, one poll() loop: no thread, no fork, and no call that blocks but poll().
title "A poll() server: one loop, three clients"
say "The server makes a listening socket, as always."
server: s = socket(AF_INET, SOCK_STREAM) = 3
server: setsockopt(s, SO_REUSEADDR, 1) = 0
server: bind(s, 127.0.0.1:8888) = 0
server: listen(s, 5) = 0
say "Instead of blocking in accept(), it blocks in poll(), which watches the listener for POLLIN."
server: poll(s POLLIN) = 1 (s POLLIN)
client: c = socket(AF_INET, SOCK_STREAM) = 3
say "A client connects: the handshake puts a connection in the accept queue, and that makes the listener readable."
client: connect(c, 127.0.0.1:8888) = 0
say "poll() returned 1: one socket is ready. accept() now returns at once."
server: a = accept(s) = 4
say "Two more clients connect while the server is busy elsewhere."
client2: c = socket(AF_INET, SOCK_STREAM) = 3
client2: connect(c, 127.0.0.1:8888) = 0
client3: c = socket(AF_INET, SOCK_STREAM) = 3
client3: connect(c, 127.0.0.1:8888) = 0
say "The loop watches the listener and every connection. Two connections wait: the listener stays readable until both are accepted."
server: poll(s POLLIN, a POLLIN) = 1 (s POLLIN)
server: b = accept(s) = 5
server: poll(s POLLIN, a POLLIN, b POLLIN) = 1 (s POLLIN)
server: d = accept(s) = 6
say "Now nothing is ready: no connection waits, and no client has said anything. poll() sleeps."
server: poll(s POLLIN, a POLLIN, b POLLIN, d POLLIN) = 1 (b POLLIN)
say "client2 speaks first: its bytes wake the server, and only b is readable."
client2: send(c, "hello from 2\n") = 13
server: recv(b, 100) = 13 "hello from 2\n"
server: send(b, "hi, 2\n") = 6
client2: recv(c, 100) = 6 "hi, 2\n"
say "The two others speak at once. One poll() reports both, and one turn of the loop serves both."
client: send(c, "hello from 1\n") = 13
client3: send(c, "hello from 3\n") = 13
server: poll(s POLLIN, a POLLIN, b POLLIN, d POLLIN) = 2 (a POLLIN, d POLLIN)
server: recv(a, 100) = 13 "hello from 1\n"
server: send(a, "hi, 1\n") = 6
server: recv(d, 100) = 13 "hello from 3\n"
server: send(d, "hi, 3\n") = 6
client: recv(c, 100) = 6 "hi, 1\n"
client3: recv(c, 100) = 6 "hi, 3\n"
say "client2 leaves. Its FIN makes b readable too: recv() returns 0, the end of the stream."
client2: close(c) = 0
server: poll(s POLLIN, a POLLIN, b POLLIN, d POLLIN) = 1 (b POLLIN)
server: recv(b, 100) = 0
expect server b CLOSE_WAIT
say "The server closes its end and drops b from the list it polls."
server: close(b) = 0
client: close(c) = 0
client3: close(c) = 0
server: poll(s POLLIN, a POLLIN, d POLLIN) = 2 (a POLLIN, d POLLIN)
server: recv(a, 100) = 0
server: recv(d, 100) = 0
server: close(a) = 0
server: close(d) = 0
server: close(s) = 0
