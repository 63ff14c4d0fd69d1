# poll_server.py -- one process, many clients: an echo server on port 8888 built on poll().
#
# Run it on stage:  sockplay --run server='python3 poll_server.py'
# poll() sleeps until one of the registered sockets has an event; then accept()
# or recv() no longer blocks. Unlike select(), poll() takes any descriptor
# number and says what happened to each socket (POLLIN, POLLHUP ...).
import select
import socket

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# SO_REUSEADDR: restart the server at once even if old connections are in TIME_WAIT
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8888))
listener.listen()
poller = select.poll()
poller.register(listener, select.POLLIN)
clients = {}  # fd -> socket

while True:
    # poll: returns (fd, events) for each socket with something to do (a new connection counts)
    for fd, events in poller.poll():
        if fd == listener.fileno():
            conn, addr = listener.accept()
            print("connection from", addr[0], addr[1])
            clients[conn.fileno()] = conn
            poller.register(conn, select.POLLIN)
            continue
        s = clients[fd]
        data = s.recv(1024)
        if not data:  # b"": the client closed its side
            print("client left")
            poller.unregister(s)
            del clients[fd]
            s.close()
        else:
            s.sendall(data)  # echo it back
