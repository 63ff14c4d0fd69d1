# client.py -- the tutorial's TCP client: connect to port 8888, print what the server says.
#
# Run it on stage:  sockplay --run server='python3 server.py' --run client='python3 client.py'
import socket

# socket(AF_INET, SOCK_STREAM): a TCP socket for the client
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# connect: the three-way handshake; returns once the connection is ESTABLISHED
client_socket.connect(("localhost", 8888))
# recv: waits for at most 1024 bytes; b"" would mean the server closed first
data = client_socket.recv(1024).decode()
print(data)
# close: our FIN; the side that closes first goes through TIME_WAIT
client_socket.close()
