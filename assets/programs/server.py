# server.py -- the tutorial's TCP server: greet every client on port 8888, then hang up.
#
# Run it on stage:  sockplay --run server='python3 server.py'
# Every line is a socket call you will see in the transcript.
import socket

# socket(AF_INET, SOCK_STREAM): a TCP socket, not yet bound to anything
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# bind: "localhost" is looked up first (the C library's own calls show up too)
server_socket.bind(("localhost", 8888))
# listen: from now on the kernel completes handshakes for us (state LISTEN)
server_socket.listen()

while True:
    # accept: sleeps until a client has connected, then gives a new socket for it
    conn, addr = server_socket.accept()
    print("connection from", addr[0], addr[1])
    # send: the bytes go into the kernel's send buffer; the return value says how many
    conn.send("Hello, client!".encode())
    # close: our side sends FIN; the listening socket stays open for the next client
    conn.close()
