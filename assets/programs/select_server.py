# select_server.py -- one process, many clients: an echo server on port 8888 built on select().
#
# Run it on stage:  sockplay --run server='python3 select_server.py'
# select() sleeps until one of the sockets is readable; then recv() no longer blocks.
import select
import socket

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# SO_REUSEADDR: restart the server at once even if old connections are in TIME_WAIT
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8888))
listener.listen()
clients = []

while True:
    # select: returns the sockets with something to read (a new connection counts)
    readable, _, _ = select.select([listener] + clients, [], [])
    for s in readable:
        if s is listener:
            conn, addr = listener.accept()
            print("connection from", addr[0], addr[1])
            clients.append(conn)
            continue
        data = s.recv(1024)
        if not data:  # b"": the client closed its side
            print("client left")
            clients.remove(s)
            s.close()
        else:
            s.sendall(data)  # echo it back
