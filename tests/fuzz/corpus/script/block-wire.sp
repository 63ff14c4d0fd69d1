# Blocking and segments as expectations: a seed for the script fuzzer.
server: s = socket(AF_INET, SOCK_STREAM)
server: bind(s, 127.0.0.1:8888)
server: listen(s, 5)
server: conn = accept(s) <blocked>
server: conn = accept(s) <blocked> = 4
server: conn = accept(s) = 4 <blocked>
expect server blocked
expect server free
client: c = socket(AF_INET, SOCK_STREAM) <at once>
client: connect(c, server.addr(s)) = 0 <at once>
client: recv(c, 4) = 4 "abcd" <at once>
client: recv(c, 4) <  at   once  > = -1 EAGAIN
expect wire client > server [SYN]
expect wire server > client [SYN,ACK] len=0
expect wire client>server [PSH, ACK] len=14
expect wire [RST,ACK]
expect no wire [RST]
expect no wire client > server [FIN,ACK] len=0
expect wire client > server [URG,ECE,CWR,SYN,FIN,RST,PSH,ACK]
