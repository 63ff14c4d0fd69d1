/*
 * explain.c -- what a call did in the kernel, what an errno means, the likely
 * mistake behind it, and the same line in Python and in C.
 *
 * Every text lives in an X-macro table below: SP_EXPLAIN_CALLS,
 * SP_EXPLAIN_ERRNOS, SP_EXPLAIN_MISTAKES, SP_EXPLAIN_JOINS, SP_EXPLAIN_OPTIONS,
 * SP_EXPLAIN_FLAGS and SP_EXPLAIN_STATES, or is one of the few texts explain_stmt() fits to
 * the case (named text_*: the socket holding a port, a send to a closed peer,
 * the FIN counted in rq ...). Placeholders such as {port} and {state} are
 * words, never printf formats. Prose is wrapped in N_() so that xgettext can
 * extract it (`make pot`); each literal is a complete sentence in ASCII,
 * usable as a msgid. All prose goes through tr() when it is looked up, the one place where
 * it is translated (gettext, domain "sockplay"). The Python and C lines are
 * code and are never translated.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np() */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sockplay/consts.h"
#include "sockplay/event.h"
#include "sockplay/explain.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"
#include "sockplay/text.h"

/* The one place where a text is translated. */
static const char *tr(const char *s)
{
	return gettext(s);
}

/*
 * X(call, what the kernel did (TCP), what it did on UDP or NULL when the same,
 *   Python in the tutorial's style, C)
 */
#define SP_EXPLAIN_CALLS(X)                                                                       \
	X(SP_CALL_SOCKET,                                                                         \
	  N_("socket() created a new socket in the kernel and returned the lowest free file "     \
	     "descriptor for it. It has no address and no peer yet; a TCP socket starts CLOSED."), \
	  N_("socket() created a new UDP socket in the kernel and returned the lowest free file "  \
	     "descriptor for it. It has no address and no peer yet; UDP has no connection states, " \
	     "so ss shows it UNCONN until it is connected or closed."),                           \
	  "server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",                    \
	  "int fd = socket(AF_INET, SOCK_STREAM, 0);")                                            \
	X(SP_CALL_BIND,                                                                           \
	  N_("bind() gave the socket its local IP address and port (port 0 lets the kernel pick " \
	     "a free one); nothing was sent on the network. The port is now taken: another "     \
	     "socket that tries to bind it gets EADDRINUSE, unless both set SO_REUSEADDR before " \
	     "bind() and neither listens, or both set SO_REUSEPORT."),                            \
	  NULL,                                                                                   \
	  "server_socket.bind((\"localhost\", 8888))",                                            \
	  "bind(fd, (struct sockaddr *)&addr, sizeof addr);")                                     \
	X(SP_CALL_LISTEN,                                                                         \
	  N_("listen() made the socket a listener (LISTEN): the kernel now answers clients' "     \
	     "SYNs and completes their handshakes itself. Finished connections wait in its "      \
	     "accept queue until accept() takes them: up to backlog + 1 of them, since Linux "    \
	     "queues one more than the backlog (listen(s, 0) still queues one)."),                \
	  NULL,                                                                                   \
	  "server_socket.listen(5)",                                                              \
	  "listen(fd, 5);")                                                                       \
	X(SP_CALL_CONNECT,                                                                        \
	  N_("connect() sent a SYN and waited for the SYN,ACK; the three-way handshake "          \
	     "completed and the socket is ESTABLISHED. On the server the new connection waits "   \
	     "in the listener's accept queue until accept()."),                                   \
	  N_("connect() on a UDP socket only recorded the peer's address; nothing was sent. "     \
	     "From now on send() goes to that peer and only its datagrams are received."),        \
	  "client_socket.connect((\"localhost\", 8888))",                                         \
	  "connect(fd, (struct sockaddr *)&addr, sizeof addr);")                                  \
	X(SP_CALL_ACCEPT,                                                                         \
	  N_("accept() took the first connection off the listener's accept queue (the kernel "   \
	     "had already completed its handshake) and returned a new ESTABLISHED socket for "    \
	     "it. The listening socket stays in LISTEN, ready for the next client."),             \
	  NULL,                                                                                   \
	  "conn, addr = server_socket.accept()",                                                  \
	  "int conn = accept(fd, NULL, NULL);")                                                   \
	X(SP_CALL_SEND,                                                                           \
	  N_("send() copied the bytes into the socket's send buffer and returned; the kernel "    \
	     "sends them as segments when it can, so they are not necessarily delivered yet. "    \
	     "It blocks only while the send buffer is full."),                                    \
	  N_("send() handed one datagram to the kernel, which sent it to the connected peer at "  \
	     "once. Nothing tells you whether it arrived: UDP may lose it silently."),            \
	  "conn.send(\"Hello, client!\".encode())",                                               \
	  "send(fd, \"Hello, client!\", 14, 0);")                                                 \
	X(SP_CALL_RECV,                                                                           \
	  N_("recv() copied up to your buffer's size of the bytes waiting in the receive "       \
	     "buffer, waiting while there were none; message boundaries are not kept. 0 means "   \
	     "the peer closed its side (it sent FIN): no more data will come."),                  \
	  N_("recv() took one datagram from the socket's receive queue, waiting while there was " \
	     "none. If the datagram was longer than your buffer, the rest of it was discarded."), \
	  "data = client_socket.recv(1024).decode()",                                             \
	  "char buf[1024]; ssize_t n = recv(fd, buf, sizeof buf, 0);")                            \
	X(SP_CALL_SENDTO,                                                                         \
	  N_("sendto() sent one datagram to the address you gave, with no connection set up "     \
	     "first. Nothing tells you whether it arrived: UDP may lose it silently."),           \
	  NULL,                                                                                   \
	  "client_socket.sendto(\"Hello, server!\".encode(), (\"localhost\", 8888))",             \
	  "sendto(fd, \"Hello, server!\", 14, 0, (struct sockaddr *)&addr, sizeof addr);")        \
	X(SP_CALL_RECVFROM,                                                                       \
	  N_("recvfrom() took one datagram from the socket's receive queue, waiting while there " \
	     "was none, and reported the address it came from. If the datagram was longer than "  \
	     "your buffer, the rest of it was discarded."),                                       \
	  NULL,                                                                                   \
	  "data, addr = server_socket.recvfrom(1024)",                                            \
	  "ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &peerlen);")    \
	X(SP_CALL_SHUTDOWN,                                                                       \
	  N_("shutdown() closed one or both directions of the connection but kept the "           \
	     "descriptor. SHUT_WR sends FIN (the peer's recv() then returns 0) and the socket "   \
	     "moves to FIN_WAIT1; SHUT_RD only stops receiving and sends nothing."),              \
	  N_("shutdown() on a UDP socket sent nothing, since there is no connection to close; "   \
	     "it only stops sending or receiving on this socket."),                               \
	  "client_socket.shutdown(socket.SHUT_WR)",                                               \
	  "shutdown(fd, SHUT_WR);")                                                               \
	X(SP_CALL_SETSOCKOPT,                                                                     \
	  N_("setsockopt() changed an option the kernel keeps for this socket; nothing was sent " \
	     "on the network. SO_REUSEADDR, for example, lets bind() take a port that a "         \
	     "TIME_WAIT connection still holds."),                                                \
	  NULL,                                                                                   \
	  "server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",                  \
	  "int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);")             \
	X(SP_CALL_GETSOCKOPT,                                                                     \
	  N_("getsockopt() read an option the kernel keeps for this socket, such as a buffer's "  \
	     "size (SO_RCVBUF, SO_SNDBUF) or a flag. SO_ERROR is special: it returns and clears " \
	     "the socket's pending error, which is how a nonblocking connect() reports whether "  \
	     "it succeeded."),                                                                    \
	  NULL,                                                                                   \
	  "err = client_socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",                   \
	  "int err; socklen_t len = sizeof err; getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);") \
	X(SP_CALL_NONBLOCK,                                                                       \
	  N_("fcntl() set the socket's O_NONBLOCK flag (or cleared it, with 0); nothing was sent " \
	     "on the network. While it is set, calls that would wait return at once instead: "   \
	     "accept(), recv() and send() with -1 EAGAIN, connect() with -1 EINPROGRESS."),       \
	  NULL,                                                                                   \
	  "client_socket.setblocking(False)",                                                     \
	  "fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);")                                 \
	X(SP_CALL_CLOSE,                                                                          \
	  N_("close() released the descriptor. A connected TCP socket normally sends FIN (RST "  \
	     "if data was left unread or SO_LINGER is 0 s). "                                     \
	     "The side that closes first lives on in FIN_WAIT1/FIN_WAIT2 and then TIME_WAIT "      \
	     "though the program no longer has it; the side that closes after the peer's FIN "    \
	     "(CLOSE_WAIT) goes to LAST_ACK and is gone once its FIN is ACKed. A listener is "     \
	     "simply gone."),                                                                     \
	  N_("close() released the descriptor and the UDP socket with it; nothing was sent, and " \
	     "its port is free again at once."),                                                  \
	  "client_socket.close()",                                                                \
	  "close(fd);")                                                                           \
	X(SP_CALL_GETSOCKNAME,                                                                    \
	  N_("getsockname() asked the kernel which local address and port the socket has; "       \
	     "nothing was sent. After bind() to port 0, or a connect() that bound the socket "    \
	     "itself, this is how a program learns the port the kernel picked."),                 \
	  NULL,                                                                                   \
	  "host, port = server_socket.getsockname()",                                             \
	  "struct sockaddr_in addr; socklen_t len = sizeof addr; getsockname(fd, (struct sockaddr *)&addr, &len);") \
	X(SP_CALL_IOCTL,                                                                          \
	  N_("ioctl() asked the socket's protocol a question, or set its mode; nothing was sent. " \
	     "FIONREAD tells how many bytes wait in the receive buffer for recv() (a FIN that "    \
	     "came is not counted); SIOCOUTQ how many bytes this socket has taken that the peer "  \
	     "has not acknowledged yet, those not sent yet included; FIONBIO 1 makes the socket "  \
	     "nonblocking, as fcntl() with O_NONBLOCK does, and 0 blocking again."),                \
	  N_("ioctl() asked the datagram socket a question, or set its mode; nothing was sent. "  \
	     "FIONREAD tells the size of the next datagram waiting (0 when none), not the sum of " \
	     "all of them; SIOCOUTQ how much memory, the kernel's bookkeeping included, datagrams " \
	     "not yet sent still hold; FIONBIO 1 makes the socket nonblocking, 0 blocking again."), \
	  "n = struct.unpack(\"i\", fcntl.ioctl(conn, termios.FIONREAD, bytes(4)))[0]",            \
	  "int n; ioctl(fd, FIONREAD, &n);")                                                      \
	X(SP_CALL_GETPEERNAME,                                                                    \
	  N_("getpeername() asked the kernel for the address and port of the socket's peer; "     \
	     "nothing was sent. A connected socket, and each one accept() returns, has one; a "    \
	     "socket that never connected, or whose connection is gone, fails with ENOTCONN."),    \
	  N_("getpeername() asked the kernel for the address this datagram socket was "           \
	     "connect()ed to; nothing was sent. Only a connected datagram socket has one: "        \
	     "sendto() and recvfrom() work without it, and getpeername() then fails with "         \
	     "ENOTCONN."),                                                                        \
	  "host, port = client_socket.getpeername()",                                             \
	  "struct sockaddr_in addr; socklen_t len = sizeof addr; getpeername(fd, (struct sockaddr *)&addr, &len);") \
	X(SP_CALL_SOCKETPAIR,                                                                     \
	  N_("socketpair() created two AF_UNIX sockets already connected to each other and "      \
	     "returned both descriptors. They have no name and nothing goes on any wire: what "    \
	     "one sends, the other receives, each is the other's peer. A program keeps one end "   \
	     "and gives the other to a child after fork(), or to another thread."),               \
	  N_("socketpair() created two AF_UNIX datagram sockets already connected to each other " \
	     "and returned both descriptors: each send() on one is one datagram the other "       \
	     "receives whole. They have no name and nothing goes on any wire."),                  \
	  "a, b = socket.socketpair()",                                                           \
	  "int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv);")                                  \
	X(SP_CALL_UNLINK,                                                                         \
	  N_("unlink() removed the socket's file from its directory, in the sandbox's own "       \
	     "filesystem. A socket bound to that path stays open and keeps its connections, but "  \
	     "no new connect() can find it, and bind() to the path works again. A path-bound "     \
	     "socket leaves its file behind when it is closed: servers unlink() it before bind()."), \
	  NULL,                                                                                   \
	  "os.unlink(\"/tmp/lab.sock\")",                                                         \
	  "unlink(\"/tmp/lab.sock\");")                                                          \
	X(SP_CALL_POLL,                                                                           \
	  N_("poll() asked the kernel which of these sockets are ready for the events each waits " \
	     "for (POLLIN: something to read or a connection to accept; POLLOUT: room to write), " \
	     "and, while none was, slept until one was or the timeout passed (with a timeout of 0 " \
	     "it only looked); nothing was sent. It returns how "                                   \
	     "many sockets have events, and revents says which; POLLERR and POLLHUP come whether " \
	     "asked for or not."),                                                                \
	  NULL,                                                                                   \
	  "events = poller.poll(1000)",                                                            \
	  "struct pollfd fds[] = { { fd, POLLIN, 0 } }; int n = poll(fds, 1, 1000);")             \
	X(SP_CALL_SELECT,                                                                         \
	  N_("select() asked the kernel which sockets of the read set have something to read (data, " \
	     "a FIN, a connection to accept, an error) and which of the write set have room to "  \
	     "write, and, while none was, slept until one was or the timeout passed (with a "      \
	     "timeout of 0 it only looked); nothing was sent. It returns "                          \
	     "how many are ready and leaves only those in the sets."),                            \
	  NULL,                                                                                   \
	  "readable, writable, _ = select.select([server_socket, conn], [], [])",                  \
	  "fd_set r; FD_ZERO(&r); FD_SET(fd, &r); int n = select(fd + 1, &r, NULL, NULL, NULL);")

/* X(errno, what it means) */
#define SP_EXPLAIN_ERRNOS(X)                                                                      \
	X(EACCES, N_("Permission denied: the kernel does not let this program do that, for "      \
		     "example bind a port below 1024 without privileges."))                          \
	X(EADDRINUSE, N_("The local address and port are already in use by another socket."))    \
	X(EADDRNOTAVAIL, N_("The address is not available here: it is not one of this "          \
			    "machine's own addresses, or no free local port was left."))             \
	X(EAFNOSUPPORT, N_("The address family is not supported, or the address does not "       \
			   "belong to the socket's family (an IPv6 address for an IPv4 socket)."))   \
	X(EAGAIN, N_("The call would have to wait, but the socket is nonblocking: nothing is "   \
		     "ready right now (no data, no pending connection, or a full send buffer). Or "  \
		     "it did wait, as long as SO_RCVTIMEO or SO_SNDTIMEO allows, and nothing came.")) \
	X(EALREADY, N_("A nonblocking connect() on this socket is already in progress."))        \
	X(EBADF, N_("The file descriptor is not open: it was closed, or it never referred to "   \
		    "anything."))                                                                    \
	X(EBUSY, N_("The resource is busy."))                                                     \
	X(ECONNABORTED, N_("A connection was aborted before accept() could return it: the "      \
			   "client reset it while it waited in the accept queue."))                  \
	X(ECONNREFUSED, N_("The connection was refused: the other side answered with RST "       \
			   "because nothing listens at that address and port."))                     \
	X(ECONNRESET, N_("The connection was reset: the peer sent RST, so the connection is "    \
			 "gone and data not yet read is lost."))                                     \
	X(EDESTADDRREQ, N_("The socket has no destination: it is not connected and no address "  \
			   "was given."))                                                            \
	X(EEXIST, N_("The AF_UNIX socket file already exists."))                                  \
	X(EFAULT, N_("An address passed to the kernel points outside the program's memory."))    \
	X(EHOSTDOWN, N_("The host is down."))                                                     \
	X(EHOSTUNREACH, N_("No route to that host: it cannot be reached from here."))            \
	X(EINPROGRESS, N_("The connection is being set up: a nonblocking connect() sent the SYN " \
			  "and returned before the handshake finished."))                            \
	X(EINTR, N_("A signal interrupted the call before it completed."))                       \
	X(EINVAL, N_("An argument is not valid for this socket in its current state."))          \
	X(EIO, N_("A low-level input/output error occurred."))                                    \
	X(EISCONN, N_("The socket is already connected."))                                        \
	X(ELOOP, N_("Too many symbolic links were met while resolving the AF_UNIX path."))       \
	X(EMFILE, N_("This process has reached its limit of open file descriptors."))            \
	X(EMSGSIZE, N_("The message is too large to be sent as one datagram."))                  \
	X(ENAMETOOLONG, N_("The AF_UNIX path is too long: it must fit in 107 bytes."))           \
	X(ENETDOWN, N_("The network interface is down."))                                         \
	X(ENETRESET, N_("The network dropped the connection."))                                   \
	X(ENETUNREACH, N_("The network is unreachable: there is no route to it from here."))     \
	X(ENFILE, N_("The whole system has reached its limit of open files."))                   \
	X(ENOBUFS, N_("The kernel ran out of buffer space for the socket."))                     \
	X(ENOENT, N_("No such file or directory: for AF_UNIX, no socket file exists at that "    \
		     "path."))                                                                       \
	X(EISDIR, N_("Is a directory: unlink() removes a file, such as a socket's, never a "      \
		     "directory."))                                                                  \
	X(ENOMEM, N_("The kernel ran out of memory."))                                            \
	X(ENOPROTOOPT, N_("That option does not exist at that level for this kind of socket."))  \
	X(ENOSPC, N_("No space is left on the device for the AF_UNIX socket file."))             \
	X(ENOTCONN, N_("The socket is not connected."))                                           \
	X(ENOTDIR, N_("A component of the AF_UNIX path is not a directory."))                    \
	X(ENOTSOCK, N_("The file descriptor is not a socket."))                                   \
	X(EOPNOTSUPP, N_("The operation is not supported by this kind of socket."))              \
	X(EPERM, N_("Operation not permitted: the kernel or a firewall rule refused it."))       \
	X(EPFNOSUPPORT, N_("The protocol family is not supported."))                              \
	X(EPIPE, N_("Broken pipe: this socket can no longer send, because its sending side "     \
		    "was shut down or the connection is gone. A program that does not ignore "       \
		    "SIGPIPE is also killed by that signal."))                                       \
	X(EPROTONOSUPPORT, N_("The protocol is not supported for this address family and "       \
			      "socket type."))                                                       \
	X(EPROTOTYPE, N_("The protocol or the other socket does not match this socket's type."))  \
	X(EROFS, N_("The AF_UNIX socket file would be on a read-only file system."))             \
	X(ESHUTDOWN, N_("The socket's sending side was shut down, so it cannot send any more.")) \
	X(ESOCKTNOSUPPORT, N_("The socket type is not supported in this address family."))       \
	X(ETIMEDOUT, N_("The connection timed out: the peer did not answer, though the kernel "  \
			"retransmitted until it gave up."))

/*
 * X(call, errno, the likely mistake). SP_CALL_NONE matches any call; an entry
 * for the very call is preferred to it.
 */
#define SP_EXPLAIN_MISTAKES(X)                                                                    \
	X(SP_CALL_CONNECT, ECONNREFUSED,                                                          \
	  N_("Nothing listens at that address and port: did the server call bind() and listen() " \
	     "first? Is the port right?"))                                                        \
	X(SP_CALL_NONE, ECONNREFUSED,                                                             \
	  N_("An earlier datagram reached a port where nothing listens (the kernel got ICMP "     \
	     "port unreachable back): start the receiver first and check the port."))             \
	X(SP_CALL_BIND, EADDRINUSE,                                                               \
	  N_("Another socket already holds this port: a listener (SO_REUSEADDR does not let two " \
	     "sockets listen on one port), or a TIME_WAIT connection left by an earlier run "     \
	     "(SO_REUSEADDR before bind() takes the port over). Otherwise choose another port. "  \
	     "For AF_UNIX, the socket file is still there: unlink() it first."))                  \
	X(SP_CALL_LISTEN, EADDRINUSE,                                                             \
	  N_("Another socket already listens on the same address and port (both were bound "      \
	     "with SO_REUSEADDR): only one of them may listen."))                                 \
	X(SP_CALL_NONE, EADDRINUSE,                                                               \
	  N_("The kernel found no free local port for this connection: too many sockets, "        \
	     "perhaps in TIME_WAIT, already use the same destination."))                          \
	X(SP_CALL_BIND, EADDRNOTAVAIL,                                                            \
	  N_("That IP address is not one of this machine's: bind to 127.0.0.1, to * (any "       \
	     "address), or to an address the host really has."))                                  \
	X(SP_CALL_NONE, EADDRNOTAVAIL,                                                            \
	  N_("The kernel found no free local port for this connection: too many sockets, "        \
	     "perhaps in TIME_WAIT, already use the same destination."))                          \
	X(SP_CALL_BIND, EINVAL,                                                                   \
	  N_("The socket is already bound: bind() works once per socket. Create a new socket "    \
	     "for another address."))                                                             \
	X(SP_CALL_LISTEN, EINVAL,                                                                 \
	  N_("listen() works only on a socket that is not connected: call it on the server's "    \
	     "own socket after bind(), not on one returned by accept() or connect()."))           \
	X(SP_CALL_ACCEPT, EINVAL,                                                                 \
	  N_("The socket is not listening: call listen() on it before accept()."))                \
	X(SP_CALL_SETSOCKOPT, EINVAL,                                                             \
	  N_("The option's value does not fit: it has the wrong size or is out of range."))       \
	X(SP_CALL_SHUTDOWN, ENOTCONN,                                                             \
	  N_("shutdown() needs a connected socket: there is no connection to shut down yet, or "  \
	     "this is the listening socket."))                                                    \
	X(SP_CALL_NONE, ENOTCONN,                                                                 \
	  N_("This socket is not connected: connect() it first, or on the server use the socket " \
	     "returned by accept(), not the listening one."))                                     \
	X(SP_CALL_NONE, EPIPE,                                                                    \
	  N_("Writing is not possible on this socket: it never connected (a listener: on the "    \
	     "server, send on the socket accept() returned), you shut down its sending side with " \
	     "shutdown(SHUT_WR), or the peer closed the connection and answered earlier data "    \
	     "with RST."))                                                                        \
	X(SP_CALL_NONE, ECONNRESET,                                                               \
	  N_("The peer reset the connection: it closed its socket while data was still unread, " \
	     "closed with SO_LINGER set to 0 seconds, or its process died. Either way the "       \
	     "kernel sent RST instead of FIN."))                                                  \
	X(SP_CALL_ACCEPT, EAGAIN,                                                                 \
	  N_("No connection waits in the accept queue and the socket is nonblocking: try again "  \
	     "after a client connects, or wait with poll() until the listener is readable. With "  \
	     "SO_RCVTIMEO set, accept() waited that long and no client came."))                   \
	X(SP_CALL_RECV, EAGAIN,                                                                   \
	  N_("No data has arrived and the socket is nonblocking (or MSG_DONTWAIT was given): "    \
	     "try again later, or wait with poll() until it is readable. With SO_RCVTIMEO set, "  \
	     "the call waited that long and nothing came."))                                      \
	X(SP_CALL_RECVFROM, EAGAIN,                                                               \
	  N_("No data has arrived and the socket is nonblocking (or MSG_DONTWAIT was given): "    \
	     "try again later, or wait with poll() until it is readable. With SO_RCVTIMEO set, "  \
	     "the call waited that long and nothing came."))                                      \
	X(SP_CALL_SEND, EAGAIN,                                                                   \
	  N_("The send buffer is full and the socket is nonblocking: the peer does not read as "  \
	     "fast as you write. Wait with poll() until the socket is writable. With SO_SNDTIMEO " \
	     "set, send() waited that long for room and none came."))                             \
	X(SP_CALL_NONE, EAGAIN,                                                                   \
	  N_("The socket is nonblocking and nothing is ready now: try again later, or wait with " \
	     "poll() until it is ready."))                                                        \
	X(SP_CALL_NONE, EINPROGRESS,                                                              \
	  N_("Not really an error: the socket is nonblocking, so connect() returned while the "   \
	     "handshake goes on. Wait with poll() until it is writable, then getsockopt() "       \
	     "SO_ERROR tells whether it succeeded."))                                             \
	X(SP_CALL_CONNECT, EALREADY,                                                              \
	  N_("A nonblocking connect() is still in progress: do not call connect() again; wait "   \
	     "with poll() until the socket is writable, then read SO_ERROR."))                    \
	X(SP_CALL_NONE, EISCONN,                                                                  \
	  N_("The socket is already connected: a TCP socket connects only once. Use send() and "  \
	     "recv() on it, or create a new socket for another connection."))                     \
	X(SP_CALL_NONE, EINTR,                                                                    \
	  N_("A signal interrupted the blocked call: here sockplay interrupted it. A C program "  \
	     "usually calls it again (connect() excepted: it goes on, and poll() tells when it "  \
	     "is done); Python does that for you since 3.5."))                                    \
	X(SP_CALL_NONE, EBADF,                                                                    \
	  N_("The descriptor is closed or was never valid: is the socket used after close()?"))   \
	X(SP_CALL_SOCKET, EAFNOSUPPORT,                                                           \
	  N_("This kernel does not support that address family (IPv6 may be disabled)."))         \
	X(SP_CALL_NONE, EAFNOSUPPORT,                                                             \
	  N_("The address's family differs from the socket's, for example an IPv6 address such " \
	     "as [::1] on an AF_INET socket: create the socket with the address's family."))      \
	X(SP_CALL_BIND, EACCES,                                                                   \
	  N_("Ports below 1024 need privileges on the host network: use a port such as 8888, or " \
	     "the sandbox."))                                                                     \
	X(SP_CALL_NONE, EACCES,                                                                   \
	  N_("The kernel refused permission: ports below 1024 need privileges on the host "       \
	     "network, and sending to a broadcast address needs SO_BROADCAST."))                  \
	X(SP_CALL_NONE, EMFILE,                                                                   \
	  N_("Too many descriptors are open: close() the sockets you no longer need. A loop that " \
	     "creates or accepts sockets without closing them runs out sooner or later."))        \
	X(SP_CALL_NONE, ENFILE,                                                                   \
	  N_("The system ran out of open files: close() the sockets you no longer need."))        \
	X(SP_CALL_ACCEPT, EOPNOTSUPP,                                                             \
	  N_("accept() works only on a listening TCP socket: UDP has no connections to accept. "  \
	     "Call recvfrom() on a UDP socket instead."))                                         \
	X(SP_CALL_LISTEN, EOPNOTSUPP,                                                             \
	  N_("A UDP socket cannot listen, because UDP has no connections: a UDP server only "     \
	     "binds and then calls recvfrom()."))                                                 \
	X(SP_CALL_SOCKETPAIR, EOPNOTSUPP,                                                         \
	  N_("Only AF_UNIX sockets come in connected pairs: for TCP or UDP, bind and listen on "  \
	     "one socket and connect another to it."))                                            \
	X(SP_CALL_UNLINK, ENOENT,                                                                 \
	  N_("No file is at that path: nothing was bound there, or it was removed already."))     \
	X(SP_CALL_NONE, EDESTADDRREQ,                                                             \
	  N_("This UDP socket has no destination: use sendto() with an address, or connect() it " \
	     "first."))                                                                           \
	X(SP_CALL_NONE, EMSGSIZE,                                                                 \
	  N_("A datagram must go out in one piece (a UDP datagram over IPv4 holds at most 65507 " \
	     "bytes): send less at once."))                                                       \
	X(SP_CALL_CONNECT, ETIMEDOUT,                                                             \
	  N_("The other host never answered the SYN: it is down, or a firewall drops packets "    \
	     "silently. Check the address."))                                                     \
	X(SP_CALL_CONNECT, ENETUNREACH,                                                           \
	  N_("There is no route to that address: the sandbox has only the loopback interface "    \
	     "(127.0.0.1, ::1). Use --host-net to reach other hosts."))                           \
	X(SP_CALL_CONNECT, EHOSTUNREACH,                                                          \
	  N_("There is no route to that address: the sandbox has only the loopback interface "    \
	     "(127.0.0.1, ::1). Use --host-net to reach other hosts."))                           \
	X(SP_CALL_CONNECT, ENOENT,                                                                \
	  N_("No socket file exists at that path: did the server bind() and listen() first? Is " \
	     "the path right?"))                                                                  \
	X(SP_CALL_BIND, ENOENT,                                                                   \
	  N_("A directory in the AF_UNIX path does not exist."))                                  \
	X(SP_CALL_ACCEPT, ECONNABORTED,                                                           \
	  N_("A client gave up while its connection waited in the accept queue: a server just "   \
	     "calls accept() again."))                                                            \
	X(SP_CALL_SOCKET, EPROTONOSUPPORT,                                                        \
	  N_("The protocol does not fit the socket type: use IPPROTO_TCP with SOCK_STREAM, "      \
	     "IPPROTO_UDP with SOCK_DGRAM, or 0 to let the kernel choose."))                      \
	X(SP_CALL_NONE, ENOPROTOOPT,                                                              \
	  N_("This option does not apply to this socket, for example TCP_NODELAY on a UDP "       \
	     "socket.")) \
	X(SP_CALL_GETPEERNAME, ENOTCONN,                                                          \
	  N_("This socket has no peer: it never connected (a listener has none; the sockets "     \
	     "accept() returns do), its connect() is still in SYN_SENT, or the connection is gone " \
	     "(CLOSED after a reset)."))                                                          \
	X(SP_CALL_IOCTL, EINVAL,                                                                  \
	  N_("A listening socket has no bytes to count: FIONREAD and SIOCOUTQ work on a "         \
	     "connection, such as the socket accept() returned, and fail with EINVAL on the "      \
	     "listener."))

/*
 * The labels explain_line() puts before the texts. They are labels, not
 * printf formats, so a translation can never break a format string.
 */
static const char *const label_likely = N_("Likely:");
static const char *const label_python = N_("Python:");
/* TRANSLATORS: the bytes send() took, then the bytes it was given. */
static const char *const text_partial_send =
	N_("Only %llu of the %llu bytes went into the send buffer: a blocking send() returns early "
	   "when a signal interrupts it (here, Ctrl-C or the end of the script), a nonblocking one "
	   "when the buffer is full. The rest was not sent: a program sends it again (Python's "
	   "sendall() does).");
static const char *const label_c = N_("C:");
/* TRANSLATORS: between an errno's name and its meaning ("EPIPE: Broken pipe ..."). */
static const char *const label_errno_sep = N_(": ");
static const char *const text_failed = N_("The call failed.");
static const char *const text_unknown = N_("Unknown error.");

static const struct {
	const char *kernel, *kernel_dgram, *python, *c;
} call_texts[SP_CALL_COUNT] = {
#define SP_X(call, kernel, dgram, py, c) [call] = { kernel, dgram, py, c },
	SP_EXPLAIN_CALLS(SP_X)
#undef SP_X
};

static const struct {
	int err;
	const char *meaning;
} errno_texts[] = {
#define SP_X(e, text) { e, text },
	SP_EXPLAIN_ERRNOS(SP_X)
#undef SP_X
};

static const struct {
	enum sp_call call;
	int err;
	const char *mistake;
} mistake_texts[] = {
#define SP_X(call, e, text) { call, e, text },
	SP_EXPLAIN_MISTAKES(SP_X)
#undef SP_X
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int call_ok(enum sp_call call)
{
	return call > SP_CALL_NONE && call < SP_CALL_COUNT;
}

static const char *tr_or_null(const char *s)
{
	return s ? tr(s) : NULL;
}

const char *explain_call_type(enum sp_call call, int socktype)
{
	if (!call_ok(call))
		return NULL;
	if (socktype == SOCK_DGRAM && call_texts[call].kernel_dgram)
		return tr(call_texts[call].kernel_dgram);
	return tr_or_null(call_texts[call].kernel);
}

const char *explain_call(enum sp_call call)
{
	return explain_call_type(call, SOCK_STREAM);
}

const char *explain_errno(int err)
{
	for (size_t i = 0; i < NELEM(errno_texts); i++)
		if (errno_texts[i].err == err)
			return tr(errno_texts[i].meaning);
	return NULL;
}

const char *explain_mistake(enum sp_call call, int err)
{
	const char *any = NULL;

	if (err == 0)
		return NULL;
	for (size_t i = 0; i < NELEM(mistake_texts); i++) {
		if (mistake_texts[i].err != err)
			continue;
		if (mistake_texts[i].call == call && call != SP_CALL_NONE)
			return tr(mistake_texts[i].mistake);
		if (mistake_texts[i].call == SP_CALL_NONE && !any)
			any = mistake_texts[i].mistake;
	}
	return tr_or_null(any);
}

const char *explain_python(enum sp_call call)
{
	return call_ok(call) ? call_texts[call].python : NULL;
}

const char *explain_c(enum sp_call call)
{
	return call_ok(call) ? call_texts[call].c : NULL;
}

/* A bounded writer: never more than size bytes, always NUL-terminated. */
struct out {
	char *buf;
	size_t size, len;
	int full;
};

/* Drop a UTF-8 sequence that the cut at o->len left incomplete. */
static void out_trim_utf8(struct out *o)
{
	size_t lead = o->len, back = 0;

	while (lead > 0 && back < 3 && ((unsigned char)o->buf[lead - 1] & 0xC0) == 0x80) {
		lead--;
		back++;
	}
	if (lead == 0)
		return;
	unsigned char c = (unsigned char)o->buf[lead - 1];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (need > 1 && back + 1 < need)
		o->len = lead - 1;
	else if (need == 1 && back > 0)
		o->len = lead; /* stray continuation bytes */
	o->buf[o->len] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	if (o->full || o->size == 0)
		return;
	size_t room = o->size - 1 - o->len, n = strlen(s);
	if (n > room) {
		n = room;
		o->full = 1;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	if (o->full)
		out_trim_utf8(o);
}

/* A new line made of LABEL (may be NULL), a separator and TEXT. */
static void out_line(struct out *o, const char *label, const char *sep, const char *text)
{
	if (o->len > 0)
		out_str(o, "\n");
	if (label) {
		out_str(o, label);
		/* no space after a label that ends in a full-width colon */
		if (!(sep[0] == ' ' && !sep[1] && *label && (unsigned char)label[strlen(label) - 1] >= 0x80))
			out_str(o, sep);
	}
	out_str(o, text);
}

/* ECONNREFUSED on a UDP socket: the meaning differs from TCP's. */
static const char *const text_udp_refused =
	N_("For UDP this means that an earlier datagram from this socket reached a port where "
	   "nothing is bound: that host answered with an ICMP port unreachable message, not an RST "
	   "(UDP has none), and the kernel reports it at this connected socket's next call. The "
	   "wire view shows the ICMP message.");

/* What ERR means for a socket of SOCKTYPE: never NULL. */
static const char *errno_meaning(int err, int socktype)
{
	if (err == ECONNREFUSED && socktype == SOCK_DGRAM)
		return tr(text_udp_refused);
	const char *m = explain_errno(err);
	if (!m) {
		const char *s = strerror(err);
		m = s && *s ? s : tr(text_unknown);
	}
	return m;
}

/* The errno's name ("ECONNREFUSED", "errno 4095" when it has none) into EX. */
static void errname(int err, struct explain *ex)
{
	const char *name = consts_errno_name(err);
	if (!name)
		name = strerrorname_np(err);
	if (name)
		snprintf(ex->errname, sizeof ex->errname, "%s", name);
	else
		snprintf(ex->errname, sizeof ex->errname, "errno %d", err);
}

/* A writer onto part BUF of an explanation, empty to begin with. */
#define OUT_PART(field) { (field), sizeof(field), 0, 0 }

void explain_result(enum sp_call call, int socktype, long long ret, int err, struct explain *ex)
{
	memset(ex, 0, sizeof *ex);
	if (err != 0) {
		struct out m = OUT_PART(ex->meaning), l = OUT_PART(ex->mistake);
		errname(err, ex);
		out_str(&m, errno_meaning(err, socktype));
		const char *mistake = explain_mistake(call, err);
		if (mistake)
			out_str(&l, mistake);
	} else if (ret < 0) {
		struct out w = OUT_PART(ex->what);
		out_str(&w, tr(text_failed));
	} else if (call_ok(call)) {
		struct out w = OUT_PART(ex->what);
		out_str(&w, explain_call_type(call, socktype));
	}
	if (call_ok(call)) {
		struct out py = OUT_PART(ex->python), c = OUT_PART(ex->c);
		out_str(&py, explain_python(call));
		out_str(&c, explain_c(call));
	}
}

/* Part P's text and its label (NULL: none) and the separator after the label. */
static const char *part_of(const struct explain *ex, enum explain_part p, const char **label, const char **sep)
{
	*label = NULL;
	*sep = " ";
	switch (p) {
	case EXPLAIN_MEANING:
		*label = ex->errname;
		*sep = tr(label_errno_sep);
		return ex->meaning[0] || ex->errname[0] ? ex->meaning : "";
	case EXPLAIN_MISTAKE: *label = tr(label_likely); return ex->mistake;
	case EXPLAIN_WHAT: return ex->what;
	case EXPLAIN_PARTIAL: return ex->partial;
	case EXPLAIN_PYTHON: *label = tr(label_python); return ex->python;
	case EXPLAIN_C: *label = tr(label_c); return ex->c;
	case EXPLAIN_PARTS: break;
	}
	return "";
}

/* Whether part P is shown: it has a text (the errno's line: a name). */
static int part_shown(const struct explain *ex, enum explain_part p)
{
	const char *label, *sep;
	const char *t = part_of(ex, p, &label, &sep);
	return t[0] || (p == EXPLAIN_MEANING && ex->errname[0]);
}

static void out_part(struct out *o, const struct explain *ex, enum explain_part p)
{
	const char *label, *sep;
	const char *t = part_of(ex, p, &label, &sep);
	out_line(o, label, sep, t);
}

size_t explain_line(const struct explain *ex, enum explain_part p, char *buf, size_t size)
{
	struct out o = { buf, buf ? size : 0, 0, 0 };
	if (o.size > 0)
		buf[0] = '\0';
	if (part_shown(ex, p))
		out_part(&o, ex, p);
	return o.len;
}

size_t explain_text(const struct explain *ex, char *buf, size_t size)
{
	struct out o = { buf, buf ? size : 0, 0, 0 };
	if (o.size > 0)
		buf[0] = '\0';
	for (int p = 0; p < EXPLAIN_PARTS; p++)
		if (part_shown(ex, (enum explain_part)p))
			out_part(&o, ex, (enum explain_part)p);
	return o.len;
}

/* ---- calls, segments and states together --------------------------------- */

/*
 * X(id, text): what a step did to a connection, from its states before and
 * after and the segments it caused (explain_join() picks one). {me} and
 * {peer} stand for the actors' names; they are words, not printf formats,
 * so a translation may move them freely.
 */
#define SP_EXPLAIN_JOINS(X)                                                                       \
	X(J_CONNECT,                                                                              \
	  N_("On the wire: the {me}'s SYN, the {peer}'s SYN,ACK and the {me}'s ACK. The {me} went " \
	     "from CLOSED through SYN_SENT to ESTABLISHED; on the {peer}'s side the kernel took "  \
	     "the connection from LISTEN through SYN_RECV to ESTABLISHED, and it waits in the "    \
	     "accept queue until accept()."))                                                     \
	X(J_CONNECT_REFUSED,                                                                      \
	  N_("The {me} sent SYN and got RST,ACK back, because nothing listens at that port: it "   \
	     "went from SYN_SENT straight back to CLOSED, and no connection was made."))          \
	X(J_CONNECT_WAIT,                                                                         \
	  N_("The {me} sent SYN and waits in SYN_SENT for a SYN,ACK. While none comes, the kernel " \
	     "sends the SYN again on a timer whose gaps grow (on recent kernels the first few "    \
	     "retries come 1 s apart, net.ipv4.tcp_syn_linear_timeouts setting how many, then the " \
	     "gaps double; older kernels double them from the start), until an answer comes or, "  \
	     "after "                                                                             \
	     "net.ipv4.tcp_syn_retries retries (about 2 minutes by default), connect() fails "    \
	     "with ETIMEDOUT."))                                                                  \
	X(J_LISTEN,                                                                               \
	  N_("Nothing went on the wire: the {me}'s socket went from CLOSED to LISTEN, and from "   \
	     "now on the kernel answers SYNs to its port by itself, even before accept()."))      \
	X(J_ACCEPT,                                                                               \
	  N_("Nothing went on the wire: the handshake had finished when the {peer}'s connect() "   \
	     "returned. accept() only took the connection, ESTABLISHED already, off the accept "  \
	     "queue."))                                                                           \
	X(J_SEND_ACKED,                                                                           \
	  N_("The bytes went out in a segment with PSH,ACK, and the {peer}'s kernel ACKed them at " \
	     "once, before any recv(): an ACK says that the data reached the receive buffer, not " \
	     "that the program read it."))                                                        \
	X(J_SEND,                                                                                 \
	  N_("The bytes went out in a segment with PSH,ACK; the {peer}'s kernel ACKs them when "   \
	     "they arrive, whether or not its program reads them."))                              \
	X(J_SEND_BLOCKED,                                                                         \
	  N_("send() waits: the {me}'s send buffer is full because the {peer}'s receive buffer "   \
	     "is full too, and the {peer}'s kernel announces a window of 0. It goes on once the "  \
	     "{peer} calls recv()."))                                                             \
	X(J_RECV,                                                                                 \
	  N_("Nothing went on the wire for this recv(): the bytes had arrived, and the kernel had " \
	     "ACKed them, before; recv() only copied them out of the receive buffer."))           \
	X(J_RECV_WINDOW,                                                                          \
	  N_("recv() made room in the receive buffer, so the kernel sent an ACK with a larger "    \
	     "window: the {peer} may send again."))                                               \
	X(J_RECV_EOF,                                                                             \
	  N_("recv() returned 0 because the {peer}'s FIN had arrived: no more data will come. "    \
	     "The {me} stays in CLOSE_WAIT until it calls close() too."))                         \
	X(J_CLOSE_FIN_WAIT1,                                                                      \
	  N_("close() sent FIN; the {me} is in FIN_WAIT1, FIN_WAIT2 once the ACK arrives; the "    \
	     "{peer} is in CLOSE_WAIT until it closes too."))                                     \
	X(J_CLOSE_FIN_WAIT2,                                                                      \
	  N_("close() sent FIN and the {peer}'s kernel ACKed it: the {me} went through FIN_WAIT1 " \
	     "to FIN_WAIT2, and the {peer} is in CLOSE_WAIT until it closes too."))               \
	X(J_SHUTDOWN,                                                                             \
	  N_("shutdown() sent FIN but kept the socket: the {me} is in FIN_WAIT2 once the ACK "     \
	     "arrives and can still receive, and the {peer} is in CLOSE_WAIT: its recv() returns " \
	     "0 once it has read everything."))                                                   \
	X(J_CLOSE_LAST_ACK,                                                                       \
	  N_("close() sent FIN from CLOSE_WAIT: the {me} is in LAST_ACK until the {peer}'s ACK "   \
	     "arrives, and the {peer} then waits in TIME_WAIT."))                                 \
	X(J_CLOSE_PASSIVE,                                                                        \
	  N_("close() sent FIN from CLOSE_WAIT; the {me} waited in LAST_ACK only until the "       \
	     "{peer}'s ACK came, and its socket is gone. The {peer} is in TIME_WAIT now, for 2MSL " \
	     "(60 s on Linux), so that stray segments of this connection die out before its "     \
	     "ports are used again."))                                                            \
	X(J_CLOSE_CLOSING,                                                                        \
	  N_("Both FINs crossed on the wire: each side closed before it saw the other's FIN, so "  \
	     "the {me} is in CLOSING until its FIN is ACKed, and then in TIME_WAIT."))            \
	X(J_CLOSE_LISTENER,                                                                       \
	  N_("Nothing went on the wire: the listener went from LISTEN to CLOSED. Connections "     \
	     "still waiting in its accept queue were reset, and new SYNs to the port get RST."))  \
	X(J_CLOSE_RST,                                                                            \
	  N_("close() sent RST instead of FIN: the connection ended at once, with no TIME_WAIT, "  \
	     "and the {peer} gets ECONNRESET."))                                                  \
	X(J_UDP_SEND,                                                                             \
	  N_("One datagram went on the wire as it was, with no handshake before it and no ACK "    \
	     "after it: UDP keeps no connection state like TCP's."))

enum join_id {
	J_NONE = -1,
#define SP_X(id, text) id,
	SP_EXPLAIN_JOINS(SP_X)
#undef SP_X
	J_COUNT
};

static const char *const join_texts[J_COUNT] = {
#define SP_X(id, text) [id] = text,
	SP_EXPLAIN_JOINS(SP_X)
#undef SP_X
};

/* Stands in for {peer} when the other end is no actor of the playground. */
static const char *const word_peer = N_("peer");

#define JF_RST 0x04
#define JF_ACK 0x10

/* The sentence joining a call to its segments and state changes, for each kind of TCP call. */
static enum join_id join_connect(const struct explain_conn *c, int ok)
{
	if (c->err == ECONNREFUSED)
		return J_CONNECT_REFUSED;
	if (c->after == SP_TCP_SYN_SENT)
		return J_CONNECT_WAIT;
	if ((ok || c->err == EINPROGRESS) && c->after == SP_TCP_ESTABLISHED)
		return J_CONNECT;
	return J_NONE;
}

static enum join_id join_listen(const struct explain_conn *c, int ok)
{
	return ok && c->after == SP_TCP_LISTEN && c->before != SP_TCP_LISTEN ? J_LISTEN : J_NONE;
}

static enum join_id join_accept(const struct explain_conn *c, int ok)
{
	return ok && c->after == SP_TCP_ESTABLISHED ? J_ACCEPT : J_NONE;
}

static enum join_id join_send(const struct explain_conn *c, int ok)
{
	if (c->blocked)
		return J_SEND_BLOCKED;
	if (!ok || c->ret == 0 || (c->after != SP_TCP_ESTABLISHED && c->after != SP_TCP_CLOSE_WAIT))
		return J_NONE;
	return (c->received & JF_ACK) && c->data_sent ? J_SEND_ACKED : J_SEND;
}

static enum join_id join_recv(const struct explain_conn *c, int ok)
{
	if (!ok)
		return J_NONE;
	if (c->ret == 0)
		return c->after == SP_TCP_CLOSE_WAIT ? J_RECV_EOF : J_NONE;
	return (c->sent & JF_ACK) && !c->data_sent ? J_RECV_WINDOW : J_RECV;
}

/* close() and shutdown(): the close-only sentences where the socket is gone (call_has CALL_F_CLOSES). */
static enum join_id join_close(const struct explain_conn *c, int ok)
{
	int closes = call_has(c->call, CALL_F_CLOSES);
	if (!ok)
		return J_NONE;
	if (c->sent & JF_RST)
		return closes ? J_CLOSE_RST : J_NONE;
	if (c->before == SP_TCP_LISTEN)
		return closes ? J_CLOSE_LISTENER : J_NONE;
	if (c->after == SP_TCP_CLOSING)
		return J_CLOSE_CLOSING;
	if (c->before == SP_TCP_ESTABLISHED && !closes && (c->after == SP_TCP_FIN_WAIT1 || c->after == SP_TCP_FIN_WAIT2))
		return J_SHUTDOWN;
	if (c->before == SP_TCP_ESTABLISHED && c->after == SP_TCP_FIN_WAIT1)
		return J_CLOSE_FIN_WAIT1;
	if (c->before == SP_TCP_ESTABLISHED && c->after == SP_TCP_FIN_WAIT2)
		return J_CLOSE_FIN_WAIT2;
	if (c->before == SP_TCP_CLOSE_WAIT && c->after == SP_TCP_LAST_ACK)
		return J_CLOSE_LAST_ACK;
	if (c->before == SP_TCP_CLOSE_WAIT && c->after == SP_TCP_CLOSE)
		return J_CLOSE_PASSIVE;
	return J_NONE;
}

/*
 * Per call: how its sentence joining it to the wire is picked (NULL: none)
 * and the state its general text names after success (-1: none).
 */
static const struct {
	enum join_id (*join)(const struct explain_conn *c, int ok);
	int named_state;
} call_joins[SP_CALL_COUNT] = {
	[SP_CALL_CONNECT] = { join_connect, SP_TCP_ESTABLISHED },
	[SP_CALL_LISTEN] = { join_listen, -1 },
	[SP_CALL_ACCEPT] = { join_accept, SP_TCP_ESTABLISHED },
	[SP_CALL_SEND] = { join_send, -1 },
	[SP_CALL_SENDTO] = { join_send, -1 },
	[SP_CALL_RECV] = { join_recv, -1 },
	[SP_CALL_RECVFROM] = { join_recv, -1 },
	[SP_CALL_SHUTDOWN] = { join_close, SP_TCP_FIN_WAIT1 },
	[SP_CALL_CLOSE] = { join_close, -1 },
};

static enum join_id join_pick(const struct explain_conn *c)
{
	int ok = c->err == 0 && c->ret >= 0 && !c->blocked;

	if (!call_ok(c->call))
		return J_NONE;
	if (c->socktype == SOCK_DGRAM)
		return ok && c->data_sent && call_has(c->call, CALL_F_SENDS) ? J_UDP_SEND : J_NONE;
	if (c->socktype != SOCK_STREAM || !call_joins[c->call].join)
		return J_NONE;
	return call_joins[c->call].join(c, ok);
}

size_t explain_join(const struct explain_conn *c, char *buf, size_t size)
{
	struct out o = { buf, buf ? size : 0, 0, 0 };

	if (o.size > 0)
		buf[0] = '\0';
	if (!c)
		return 0;
	enum join_id id = join_pick(c);
	if (id == J_NONE)
		return 0;
	const char *me = c->me && c->me[0] ? c->me : tr(word_peer);
	const char *peer = c->peer && c->peer[0] ? c->peer : tr(word_peer);
	const char *s = tr(join_texts[id]);
	while (*s && !o.full) {
		const char *brace = strchr(s, '{');
		const char *word = NULL;
		size_t skip = 0;
		if (brace && strncmp(brace, "{me}", 4) == 0)
			word = me, skip = 4;
		else if (brace && strncmp(brace, "{peer}", 6) == 0)
			word = peer, skip = 6;
		size_t n = brace ? (size_t)(brace - s) + (word ? 0 : 1) : strlen(s);
		/* "the server", but "client2": a side's own name takes no article */
		size_t article = 0;
		if (word && strcmp(word, tr(word_peer)) != 0 && strcmp(word, "server") != 0 && strcmp(word, "client") != 0 &&
		    n >= 4 && (strncmp(brace - 4, "the ", 4) == 0 || strncmp(brace - 4, "The ", 4) == 0))
			article = 4;
		n -= article;
		char piece[512];
		while (n > 0) { /* copy the text before the placeholder in pieces */
			size_t k = n < sizeof piece - 1 ? n : sizeof piece - 1;
			memcpy(piece, s, k);
			piece[k] = '\0';
			out_str(&o, piece);
			s += k;
			n -= k;
		}
		if (word) {
			s += article;
			out_str(&o, word);
			s += skip;
		}
	}
	return o.len;
}

/* ---- the statement itself in Python and in C --------------------------------- */

/*
 * Names a line cannot use as they are: the keywords of C and Python, the
 * functions and the variables the lines call or declare. A script's socket
 * called "send" or "buf" becomes send_, buf_ (as in --export); so does a
 * name in capitals, which C may have as a macro (AF_INET, EOF).
 */
static const char *const code_reserved[] = {
	/* C */
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
	"union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "errno",
	"ssize_t", "socklen_t", "size_t", "linger",
	/* Python */
	"None", "True", "False", "and", "as", "assert", "async", "await", "class", "def", "del", "elif", "except",
	"finally", "from", "global", "import", "in", "is", "lambda", "nonlocal", "not", "or",
	"pass", "raise", "try", "with", "yield",
	/* what the lines call and declare */
	"socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
	"shutdown", "setsockopt", "getsockopt", "fcntl", "close", "addr", "peer", "peerlen", "buf",
	"n", "value", "len", "l", "data", "getsockname", "getpeername", "ioctl", "poll", "select",
	"socketpair", "unlink", "termios", "os", "sv", "fds", "r", "w", "p", "events", "readable",
	"writable", "tv", "sec", "usec",
};

/* NAME as the lines spell it: NAME, or NAME_ where it is reserved. */
static void code_name(const char *name, char *out, size_t size)
{
	int clash = 0, lower = 0;
	for (const char *p = name; *p; p++)
		lower |= *p >= 'a' && *p <= 'z';
	for (size_t i = 0; i < sizeof code_reserved / sizeof code_reserved[0]; i++)
		clash |= strcmp(code_reserved[i], name) == 0;
	if ((!lower && strlen(name) > 1) || name[0] == '_')
		clash = 1;
	snprintf(out, size, clash ? "%s_" : "%s", name);
}

/* The socket an argument names: its script name, else "sock3" for a number. */
static void code_sock(const struct sp_arg *a, char *out, size_t size)
{
	if (a->kind == SP_ARG_SOCK && a->name[0])
		code_name(a->name, out, size);
	else
		snprintf(out, size, "sock%lld", a->num);
}

/* Where a literal goes: the two languages' strings escape differently, a C comment does not end. */
enum code_ctx { CODE_PY, CODE_C, CODE_C_COMMENT };

/*
 * Bytes as the body of a literal: printable ASCII as it is, \n \r \t, the
 * rest as \xHH in Python and \ooo in C (always three octal digits: a hex
 * escape would swallow the letters after it, as in "\x1bE"). C also keeps
 * "??" from making a trigraph; in a C comment no "* /" or "/ *" forms.
 */
static void code_bytes(struct text_buf *c, const unsigned char *p, size_t n, size_t max, enum code_ctx ctx)
{
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char b = p[i];
		if (b == '"' || b == '\\')
			text_buf_printf(c, "\\%c", b);
		else if (b == '\n')
			text_buf_printf(c, "\\n");
		else if (b == '\r')
			text_buf_printf(c, "\\r");
		else if (b == '\t')
			text_buf_printf(c, "\\t");
		else if (b == '?' && i > 0 && p[i - 1] == '?' && ctx != CODE_PY)
			text_buf_printf(c, "\\?");
		else if (b == '/' && ctx == CODE_C_COMMENT &&
			 ((i > 0 && p[i - 1] == '*') || (i + 1 < n && i + 1 < max && p[i + 1] == '*')))
			text_buf_printf(c, "\\057");
		else if (b >= 0x20 && b < 0x7f)
			text_buf_printf(c, "%c", b);
		else if (ctx == CODE_PY)
			text_buf_printf(c, "\\x%02x", b);
		else
			text_buf_printf(c, "\\%03o", b);
	}
	if (n > max)
		text_buf_printf(c, "...");
}

/* TEXT in a C comment: as it is, but never "* /" or "/ *", which would end or nest it. */
static void code_comment(struct text_buf *c, const char *text)
{
	for (const char *p = text; *p; p++) {
		text_buf_printf(c, "%c", *p);
		if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' && p[1] == '*'))
			text_buf_printf(c, " ");
	}
}

/* Python's (host, port) for an IP address as written, or the UNIX path. */
static void code_py_addr(struct text_buf *c, const struct sp_addr *a)
{
	const char *t = a->text ? a->text : "";
	switch (a->kind) {
	case SP_ADDR_IP: {
		const char *colon = strrchr(t, ':');
		size_t hl = colon ? (size_t)(colon - t) : strlen(t);
		if (hl >= 2 && t[0] == '[')
			text_buf_printf(c, "(\"%.*s\", %u)", (int)(hl - 2), t + 1, a->port);
		else
			text_buf_printf(c, "(\"%.*s\", %u)", (int)hl, t, a->port);
		break;
	}
	case SP_ADDR_ANY:
		text_buf_printf(c, "(\"\", %u)", a->port);
		break;
	case SP_ADDR_UNIX:
		text_buf_printf(c, a->abstract ? "\"\\x00" : "\"");
		code_bytes(c, (const unsigned char *)a->path, strlen(a->path), 108, CODE_PY);
		text_buf_printf(c, "\"");
		break;
	case SP_ADDR_OF: {
		char s[SP_NAME_MAX + 8];
		code_name(a->name, s, sizeof s);
		text_buf_printf(c, "%s.getsockname()", s);
		break;
	}
	case SP_ADDR_UNSPEC: /* the call's template writes the raw connect() itself */
		text_buf_printf(c, "struct.pack(\"H14x\", socket.AF_UNSPEC)");
		break;
	}
}

/* C's comment naming the address: " / * addr: 127.0.0.1:8888 * /". */
static void code_c_addr(struct text_buf *c, const struct sp_addr *a)
{
	text_buf_printf(c, " /* addr: ");
	code_comment(c, a->text ? a->text : "?");
	text_buf_printf(c, " */");
}

/* MSG_* flags: ", socket.MSG_PEEK" in Python, "MSG_PEEK" in C (0 when none). */
static void code_flags(struct text_buf *c, long long flags, int python)
{
	char fl[128];
	if (python && !flags)
		return;
	consts_msg_flags_join((int)flags, python ? "socket." : "", " | ", fl, sizeof fl);
	text_buf_printf(c, "%s%s", python ? ", " : "", fl);
}

/* The statement's data: b"..." (Python) or "..." (C), with "* N" in Python. */
static void code_data(struct text_buf *c, const struct sp_data *d, enum code_ctx ctx)
{
	int python = ctx == CODE_PY;
	text_buf_printf(c, python ? "b\"" : "\"");
	code_bytes(c, d->unit, d->unit_len, 40, ctx);
	text_buf_printf(c, "\"");
	if (python && d->count > 1)
		text_buf_printf(c, " * %llu", (unsigned long long)d->count);
}

static const char *code_level(int level)
{
	return level == SOL_SOCKET ? "SOL_SOCKET" : level == IPPROTO_TCP ? "IPPROTO_TCP"
		: level == IPPROTO_IPV6 ? "IPPROTO_IPV6" : "SOL_SOCKET";
}

/*
 * The sockets of a poll() or select() as its code template uses them ($0):
 * poll, Python "p.register(c, select.POLLIN); ..." and C "{ c, POLLIN }, ...";
 * select, Python "[s, c], [c], []" and C "FD_SET(s, &r); FD_SET(c, &w);".
 */
static void code_ready(struct text_buf *c, const struct sp_stmt *st, int python)
{
	const struct sp_ready *r = st->ready;
	for (int set = SP_SEL_READ; st->call == SP_CALL_SELECT && python && set <= SP_SEL_WRITE + 1; set++) {
		int first = 1;
		text_buf_printf(c, "%s[", set == SP_SEL_READ ? "" : ", ");
		for (int i = 0; r && i < r->n; i++) {
			char s[SP_NAME_MAX + 24];
			struct sp_arg a = { .kind = SP_ARG_SOCK, .num = r->s[i].fd };
			if (r->s[i].events != set)
				continue;
			snprintf(a.name, sizeof a.name, "%s", r->s[i].name);
			code_sock(&a, s, sizeof s);
			text_buf_printf(c, "%s%s", first ? "" : ", ", s);
			first = 0;
		}
		text_buf_printf(c, "]");
	}
	if (st->call == SP_CALL_SELECT && python)
		return;
	for (int i = 0; r && i < r->n; i++) {
		char s[SP_NAME_MAX + 24], ev[128];
		struct sp_arg a = { .kind = SP_ARG_SOCK, .num = r->s[i].fd };
		snprintf(a.name, sizeof a.name, "%s", r->s[i].name);
		code_sock(&a, s, sizeof s);
		if (st->call == SP_CALL_SELECT) {
			text_buf_printf(c, "%sFD_SET(%s, &%c);", i ? " " : "", s, r->s[i].events == SP_SEL_READ ? 'r' : 'w');
			continue;
		}
		consts_poll_join(r->s[i].events, python ? "select." : "", python ? " | " : "|", ev, sizeof ev);
		if (python)
			text_buf_printf(c, "%sp.register(%s, %s)", i ? "; " : "", s, ev);
		else
			text_buf_printf(c, "%s{ %s, %s, 0 }", i ? ", " : "", s, ev);
	}
}

/* Argument I of ST in Python or C, as the call's code template uses it ($N). */
static void code_arg(struct text_buf *c, const struct sp_stmt *st, int i, enum code_ctx ctx,
		     const struct sp_opt *opt)
{
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *a = &st->args[i];
	int python = ctx == CODE_PY;
	const char *n = NULL;
	switch (ci->args[i].sh) {
	case CALL_SH_DOMAIN:
		n = consts_name(SP_K_DOMAIN, (int)a->num);
		text_buf_printf(c, "%s", n ? n : "AF_INET");
		break;
	case CALL_SH_TYPE:
		n = consts_name(SP_K_TYPE, (int)a->num);
		text_buf_printf(c, "%s", n ? n : "SOCK_STREAM");
		break;
	case CALL_SH_SHUT:
		n = consts_name(SP_K_SHUT, (int)a->num);
		text_buf_printf(c, "%s", n ? n : "SHUT_WR");
		break;
	case CALL_SH_OPT:
		text_buf_printf(c, "%s", opt ? opt->name : "?");
		break;
	case CALL_SH_IOCTL:
		n = consts_name(SP_K_IOCTL, (int)a->num);
		text_buf_printf(c, "%s", n ? n : "FIONREAD");
		break;
	case CALL_SH_SOCK: {
		char s[SP_NAME_MAX + 24];
		code_sock(a, s, sizeof s);
		text_buf_printf(c, "%s", s);
		break;
	}
	case CALL_SH_ADDR:
		if (python)
			code_py_addr(c, &a->addr);
		else
			code_c_addr(c, &a->addr);
		break;
	case CALL_SH_DATA:
		code_data(c, &a->data, ctx);
		break;
	case CALL_SH_PATH: /* a string in either language */
		text_buf_printf(c, "\"");
		code_bytes(c, (const unsigned char *)a->addr.path, strlen(a->addr.path), 108, ctx);
		text_buf_printf(c, "\"");
		break;
	case CALL_SH_FLAGS:
		code_flags(c, a->num, python);
		break;
	case CALL_SH_PROTO:
	case CALL_SH_INT:
	case CALL_SH_LEN:
	case CALL_SH_BOOL:
	case CALL_SH_LINGER:
	case CALL_SH_IOVAL:
		text_buf_printf(c, "%lld", a->num);
		break;
	case CALL_SH_READY:
		code_ready(c, st, python);
		break;
	case CALL_SH_TIMEOUT:
		/* select: Python counts seconds, C a struct timeval, NULL to wait for ever */
		if (st->call != SP_CALL_SELECT)
			text_buf_printf(c, "%lld", a->num);
		else if (python)
			text_buf_printf(c, "%g", (double)a->num / 1000);
		else if (a->num < 0)
			text_buf_printf(c, "NULL");
		else
			text_buf_printf(c, "&(struct timeval){ %lld, %lld }", a->num / 1000, a->num % 1000 * 1000);
		break;
	case CALL_SH_NONE:
		break;
	}
}

/* Whether the condition at T (after "@{", up to ':') holds for ST. */
static int code_cond(const char *t, const struct sp_stmt *st, const struct sp_opt *opt)
{
	int i = t[1] >= '0' && t[1] < '0' + SP_MAX_ARGS ? t[1] - '0' : 0;
	const struct sp_arg *a = &st->args[i];
	int linger = opt && opt->kind == SP_OPT_LINGER;
	switch (t[0]) {
	case '?': return a->num != 0;
	case '!': return a->num == 0;
	case 'w': return i < st->nargs;
	case 'M': return a->data.count > 1;
	case 'm': return a->data.count <= 1;
	case 'L': return linger;
	case 'l': return !linger;
	case 'T': return opt && opt->kind == SP_OPT_TIME;
	case 'I': return !linger && !(opt && opt->kind == SP_OPT_TIME);
	case '-': return i >= st->nargs;
	case 'U': return a->kind == SP_ARG_ADDR && a->addr.kind == SP_ADDR_UNSPEC;
	case 'u': return !(a->kind == SP_ARG_ADDR && a->addr.kind == SP_ADDR_UNSPEC);
	default: return 0;
	}
}

size_t explain_code(const struct sp_stmt *st, int python, char *buf, size_t size)
{
	struct text_buf c = { buf, size, 0 };
	const struct call_info *ci = st && st->kind == SP_ST_CALL ? call_info(st->call) : NULL;
	const struct sp_opt *opt = NULL;
	if (size)
		buf[0] = 0;
	if (!ci || !size)
		return 0;
	if (ci->opt_arg >= 0 && !(opt = consts_opt_at((size_t)st->args[ci->opt_arg].num)))
		return 0;
	enum code_ctx ctx = python ? CODE_PY : CODE_C;
	int skip = 0; /* inside a @{COND:...@} whose condition does not hold */
	for (const char *t = python ? ci->py : ci->c; *t; t++) {
		if (t[0] == '@' && t[1] == '}') {
			skip = 0;
			t++;
		} else if (t[0] == '@' && t[1] == '{' && strncmp(t + 2, "as:", 3) == 0) {
			const char *e = strchr(t, '}');
			if (!skip && st->assign[0]) {
				char as[SP_NAME_MAX + 8];
				code_name(st->assign, as, sizeof as);
				text_buf_printf(&c, "%s", as);
			} else if (!skip) {
				text_buf_printf(&c, "%.*s", (int)(e - t - 5), t + 5);
			}
			t = e;
		} else if (t[0] == '@' && t[1] == '{' && strncmp(t + 2, "as2:", 4) == 0) {
			const char *e = strchr(t, '}');
			if (!skip && st->assign2[0]) {
				char as[SP_NAME_MAX + 8];
				code_name(st->assign2, as, sizeof as);
				text_buf_printf(&c, "%s", as);
			} else if (!skip) {
				text_buf_printf(&c, "%.*s", (int)(e - t - 6), t + 6);
			}
			t = e;
		} else if (t[0] == '@' && t[1] == '{') {
			skip = !code_cond(t + 2, st, opt);
			t = strchr(t, ':');
		} else if (skip) {
			continue;
		} else if (t[0] == '$' && t[1] == 's') {
			code_arg(&c, st, ci->fd_arg, ctx, opt);
			t++;
		} else if (t[0] == '$' && t[1] == 'L') {
			text_buf_printf(&c, "%s", code_level(opt ? opt->level : SOL_SOCKET));
			t++;
		} else if (t[0] == '$' && t[1] == 't' && t[2] >= '0' && t[2] < '0' + SP_MAX_ARGS) {
			long long ms = st->args[t[2] - '0'].num; /* a timeout: struct timeval's two fields */
			text_buf_printf(&c, "%lld, %lld", ms / 1000, ms % 1000 * 1000);
			t += 2;
		} else if (t[0] == '$' && t[1] == 'R') {
			/* Python's termios names the ioctl requests; SIOCOUTQ is TIOCOUTQ there (the same number) */
			const char *rn = consts_name(SP_K_IOCTL, (int)st->args[1].num);
			if (python)
				text_buf_printf(&c, "termios.%s", rn && strcmp(rn, "SIOCOUTQ") == 0 ? "TIOCOUTQ" : rn ? rn : "?");
			else
				text_buf_printf(&c, "%s", rn ? rn : "?");
			t++;
		} else if (t[0] == '$' && (t[1] == '#' || t[1] == '*' || t[1] == '/')) {
			const struct sp_data *d = &st->args[t[2] - '0'].data;
			if (t[1] == '#')
				text_buf_printf(&c, "%llu", (unsigned long long)d->unit_len * d->count);
			else if (t[1] == '*')
				text_buf_printf(&c, "%llu", (unsigned long long)d->count);
			else
				code_data(&c, d, CODE_C_COMMENT);
			t += 2;
		} else if (t[0] == '$' && t[1] >= '0' && t[1] < '0' + SP_MAX_ARGS) {
			code_arg(&c, st, t[1] - '0', ctx, opt);
			t++;
		} else {
			text_buf_printf(&c, "%c", *t);
		}
	}
	return text_buf_used(&c);
}

/* ---- explanations fitted to the case (explain_stmt) -------------------------- */

static int sandbox_on;

void explain_set_sandbox(int on)
{
	sandbox_on = on != 0;
}

/*
 * X(option, what setsockopt() did, what getsockopt() read): each option its
 * own text. SO_LINGER's setsockopt() text depends on its values (below).
 */
#define SP_EXPLAIN_OPTIONS(X)                                                                     \
	X("SO_REUSEADDR",                                                                         \
	  N_("setsockopt() changed SO_REUSEADDR, a flag the kernel keeps for this socket; nothing " \
	     "was sent. While it is on, bind() may take a port that a TIME_WAIT connection still " \
	     "holds (when that old socket had it on too), and two sockets may bind one port as "   \
	     "long as neither listens. It never lets two sockets listen on one port."),           \
	  N_("getsockopt() read the SO_REUSEADDR flag of this socket: 1 when on, 0 when off."))    \
	X("SO_REUSEPORT",                                                                         \
	  N_("setsockopt() changed SO_REUSEPORT; nothing was sent. While it is on, several "       \
	     "sockets of the same user may bind, and even listen on, one address and port, when "  \
	     "every one of them sets it before bind(): the kernel then spreads new connections, "  \
	     "or datagrams, among them."),                                                        \
	  N_("getsockopt() read the SO_REUSEPORT flag of this socket: 1 when on, 0 when off."))    \
	X("SO_KEEPALIVE",                                                                         \
	  N_("setsockopt() changed SO_KEEPALIVE; nothing was sent yet. While it is on, the "       \
	     "kernel probes a connection that has been idle for 2 hours "                         \
	     "(net.ipv4.tcp_keepalive_time) with empty segments the peer must ACK, every 75 s; "  \
	     "after 9 probes without an answer it resets the connection, and the next call fails " \
	     "with ETIMEDOUT."),                                                                  \
	  N_("getsockopt() read the SO_KEEPALIVE flag of this socket: 1 when the kernel probes "   \
	     "idle connections, 0 when not (the default)."))                                      \
	X("SO_LINGER",                                                                            \
	  NULL,                                                                                   \
	  N_("getsockopt() read SO_LINGER: whether close() lingers (on or off) and for how many "  \
	     "seconds. On with 0 seconds means close() resets the connection with RST."))          \
	X("SO_RCVBUF",                                                                            \
	  N_("setsockopt() asked for a receive buffer of that size; nothing was sent. Linux "      \
	     "doubles the value for its own bookkeeping (getsockopt() shows the double) and caps " \
	     "it at net.core.rmem_max. The receive buffer bounds the window the kernel announces " \
	     "to the peer."),                                                                     \
	  N_("getsockopt() read the size of the receive buffer in bytes, bookkeeping included: "  \
	     "after setsockopt(SO_RCVBUF) it is double the value asked for."))                    \
	X("SO_SNDBUF",                                                                            \
	  N_("setsockopt() asked for a send buffer of that size; nothing was sent. Linux doubles " \
	     "the value for its own bookkeeping (getsockopt() shows the double) and caps it at "   \
	     "net.core.wmem_max. send() blocks, or fails with EAGAIN, while the send buffer is "   \
	     "full."),                                                                            \
	  N_("getsockopt() read the size of the send buffer in bytes, bookkeeping included: "     \
	     "after setsockopt(SO_SNDBUF) it is double the value asked for."))                    \
	X("SO_RCVLOWAT",                                                                          \
	  N_("setsockopt() changed SO_RCVLOWAT; nothing was sent. A blocking recv() on this "      \
	     "socket now waits until at least that many bytes are in the receive buffer (or as "   \
	     "many as its buffer holds, if fewer), the connection ends or a signal comes, instead " \
	     "of returning with the first byte."),                                                \
	  N_("getsockopt() read SO_RCVLOWAT: how many bytes a blocking recv() waits for (1 by "    \
	     "default)."))                                                                        \
	X("TCP_NODELAY",                                                                          \
	  N_("setsockopt() changed TCP_NODELAY; nothing was sent. While it is on, Nagle's "        \
	     "algorithm is off: a small send() goes out at once instead of waiting while an "      \
	     "earlier small segment is not ACKed yet."),                                          \
	  N_("getsockopt() read the TCP_NODELAY flag of this socket: 1 when small segments go "    \
	     "out at once, 0 when Nagle's algorithm may hold them back (the default)."))          \
	X("SO_ERROR",                                                                             \
	  NULL,                                                                                   \
	  N_("getsockopt() read and cleared the socket's pending error: 0 when there is none, "   \
	     "else the errno a call would have reported. This is how a nonblocking connect() "     \
	     "tells whether it succeeded."))                                                      \
	X("SO_TYPE",                                                                              \
	  NULL,                                                                                   \
	  N_("getsockopt() read the socket's type: 1 for SOCK_STREAM, 2 for SOCK_DGRAM.")) \
	X("IPV6_V6ONLY",                                                                          \
	  N_("setsockopt() changed IPV6_V6ONLY; nothing was sent. While it is on, this IPv6 "      \
	     "socket handles IPv6 only: bound to [::] it no longer takes IPv4 too (as "            \
	     "::ffff:127.0.0.1), so an IPv4 socket may bind the same port. It must be set before " \
	     "bind(), else EINVAL."),                                                             \
	  N_("getsockopt() read IPV6_V6ONLY: 1 when this IPv6 socket handles IPv6 only, 0 when, "  \
	     "bound to [::], it takes IPv4 too (the default, net.ipv6.bindv6only = 0)."))          \
	X("TCP_CORK",                                                                             \
	  N_("setsockopt() changed TCP_CORK; nothing was sent yet. While it is on, the kernel "    \
	     "holds back segments that are not full, so that small writes go out together; "       \
	     "turning it off sends what is held at once, and Linux sends it anyway after 200 ms."), \
	  N_("getsockopt() read TCP_CORK: 1 while segments that are not full are held back, 0 "    \
	     "when not (the default)."))                                                          \
	X("TCP_KEEPIDLE",                                                                         \
	  N_("setsockopt() set TCP_KEEPIDLE, in seconds; nothing was sent. With SO_KEEPALIVE on, " \
	     "the kernel sends the first keepalive probe once the connection has been idle that "  \
	     "long (net.ipv4.tcp_keepalive_time, 7200 s, by default)."),                          \
	  N_("getsockopt() read TCP_KEEPIDLE: how many seconds a connection is idle before the "   \
	     "first keepalive probe (with SO_KEEPALIVE on; 7200 by default)."))                    \
	X("TCP_KEEPINTVL",                                                                        \
	  N_("setsockopt() set TCP_KEEPINTVL, in seconds; nothing was sent. With SO_KEEPALIVE on, " \
	     "a keepalive probe that gets no answer is followed by the next one after that long "  \
	     "(net.ipv4.tcp_keepalive_intvl, 75 s, by default)."),                                \
	  N_("getsockopt() read TCP_KEEPINTVL: the seconds between keepalive probes that get no "  \
	     "answer (75 by default)."))                                                          \
	X("TCP_KEEPCNT",                                                                          \
	  N_("setsockopt() set TCP_KEEPCNT; nothing was sent. With SO_KEEPALIVE on, the kernel "   \
	     "resets the connection after that many keepalive probes without an answer "           \
	     "(net.ipv4.tcp_keepalive_probes, 9, by default), and the next call fails with "       \
	     "ETIMEDOUT."),                                                                       \
	  N_("getsockopt() read TCP_KEEPCNT: how many unanswered keepalive probes end the "        \
	     "connection (9 by default)."))                                                       \
	X("TCP_MAXSEG",                                                                           \
	  N_("setsockopt() set TCP_MAXSEG, the largest segment this socket will send and the MSS " \
	     "its SYN announces; nothing was sent. It counts before connect() or listen(); the "   \
	     "other side's MSS may lower it further."),                                           \
	  N_("getsockopt() read TCP_MAXSEG: on a connection, the most data one segment carries "   \
	     "now, the TCP options' bytes taken off the MSS (988 for an MSS of 1000 with "          \
	     "timestamps) and at most half the largest window the peer offered (32768 on "         \
	     "loopback); before connecting, the value set, or 536."))                             \
	X("SO_RCVTIMEO",                                                                          \
	  N_("setsockopt() set a receive timeout, here in ms (0 turns it off); nothing was sent. " \
	     "A blocking recv(), recvfrom() or accept() on this socket now waits at most that "    \
	     "long, then fails with EAGAIN (or returns what it has read so far). The kernel "      \
	     "counts in clock ticks, so it may round the time up a little."),                     \
	  N_("getsockopt() read the receive timeout, shown in ms (0: none, the default), as the " \
	     "kernel keeps it in clock ticks: how long a blocking recv() or accept() waits before " \
	     "it fails with EAGAIN."))                                                            \
	X("SO_SNDTIMEO",                                                                          \
	  N_("setsockopt() set a send timeout, here in ms (0 turns it off); nothing was sent. A "  \
	     "blocking send() on this socket now waits at most that long for room in the send "    \
	     "buffer, then returns the bytes it took so far, or fails with EAGAIN; a blocking "    \
	     "connect() stops waiting after that long with EINPROGRESS while the handshake goes "  \
	     "on."),                                                                              \
	  N_("getsockopt() read the send timeout, shown in ms (0: none, the default), as the "    \
	     "kernel keeps it in clock ticks: how long a blocking send() waits for room."))        \
	X("SO_BROADCAST",                                                                         \
	  N_("setsockopt() changed SO_BROADCAST; nothing was sent. While it is on, this datagram " \
	     "socket may send to a broadcast address such as 255.255.255.255; without it the "     \
	     "kernel refuses with EACCES. The sandbox has only the loopback interface: there no "  \
	     "route leads to a broadcast address (ENETUNREACH)."),                                \
	  N_("getsockopt() read SO_BROADCAST: 1 when this socket may send to broadcast "           \
	     "addresses, 0 when not (the default)."))

static const struct {
	const char *name, *set, *get;
} option_texts[] = {
#define SP_X(name, set, get) { name, set, get },
	SP_EXPLAIN_OPTIONS(SP_X)
#undef SP_X
};

static const char *const text_linger_zero =
	N_("setsockopt() turned SO_LINGER on with a timeout of 0 seconds; nothing was sent yet. "
	   "close() on this socket will now abort the connection: it sends RST instead of FIN, "
	   "throws away data not sent yet and leaves no TIME_WAIT behind, and the peer's next call "
	   "fails with ECONNRESET.");
static const char *const text_linger_on =
	N_("setsockopt() turned SO_LINGER on with a timeout; nothing was sent yet. close() on this "
	   "socket will now block until its FIN has been ACKed (the data before it has reached the "
	   "peer's kernel) or the timeout runs out; the connection still ends with FIN.");
static const char *const text_linger_off =
	N_("setsockopt() turned SO_LINGER off, the default: close() returns at once, and the "
	   "kernel goes on sending what is left and ends the connection with FIN in the "
	   "background.");


static const char *const text_refused_sandbox =
	N_("sockplay runs in a private network of its own: programs outside it, such as a server "
	   "started in another terminal, cannot be reached on 127.0.0.1 from here. Start sockplay "
	   "with --host-net to reach them.");

/* {port}, {actor}, {sock} ("s (fd 3)"), {state} stand for the facts. */
static const char *const text_holder_listen =
	N_("Port {port} is taken by {actor}'s socket {sock}, which listens on it (LISTEN). Only one "
	   "socket may listen on a port, even with SO_REUSEADDR: close that one first, or choose "
	   "another port.");
static const char *const text_holder_bound =
	N_("Port {port} is taken by {actor}'s socket {sock}, which is only bound: bind() without "
	   "listen() or connect(). Two sockets may bind one port only when both set SO_REUSEADDR "
	   "before bind(): close that one first, or choose another port.");
static const char *const text_holder_conn =
	N_("Port {port} is taken by {actor}'s socket {sock}, a connection in {state} that uses it "
	   "as its local port. bind() may share the port with it only when both allow reuse "
	   "(SO_REUSEADDR before bind(); an accepted socket has its listener's): otherwise close "
	   "it first, or choose another port.");
static const char *const text_holder_udp =
	N_("Port {port} is taken by {actor}'s UDP socket {sock}. Two UDP sockets may bind one port "
	   "only when both set SO_REUSEADDR (or SO_REUSEPORT) before bind(): close that one "
	   "first, or choose another port.");
static const char *const text_holder_time_wait =
	N_("Port {port} is still held by a TIME_WAIT left by an earlier connection: {actor}'s "
	   "socket {sock}, closed by the program and kept by the kernel for 60 s after its active "
	   "close. Linux lets bind() take the port over only when that old socket and the new one "
	   "both set SO_REUSEADDR before bind(); otherwise wait, or choose another port.");
static const char *const text_holder_closed =
	N_("Port {port} is still held by {actor}'s socket {sock}, closed by the program but kept "
	   "by the kernel in {state} until its connection has ended: wait for that, or choose "
	   "another port.");
static const char *const text_holder_outside =
	N_("No socket of this session holds port {port}: a program outside sockplay does (this "
	   "session uses the host's network, --host-net). `ss -tulpn` names it: stop it, or "
	   "choose another port.");
static const char *const text_holder_outside_pid =
	N_("No socket of this session holds port {port}: {comm} (pid {pid}), a program outside "
	   "sockplay, does (this session uses the host's network, --host-net). Stop it, or choose "
	   "another port.");
static const char *const text_holder_listen_listen =
	N_("{actor}'s socket {sock} already listens on the same address and port: both were bound "
	   "with SO_REUSEADDR, but only one of them may listen.");

/* A send to a peer that had closed its socket. */
static const char *const text_send_closed_reset =
	N_("send() returned {ret}: the kernel took the bytes and sent them, as it does on a "
	   "half-closed connection. But the peer had closed its socket, so no program can read "
	   "them: its kernel answered with RST, the bytes are lost, and this socket is CLOSED now. "
	   "The next send() fails with EPIPE.");
static const char *const text_send_closed =
	N_("send() returned {ret}: the kernel took the bytes and sent them, as it does on a "
	   "half-closed connection. But the peer had closed its socket, so no program can read "
	   "them: its kernel answers with RST, the bytes are lost, and the next send() fails with "
	   "EPIPE.");
static const char *const text_send_closed_rows =
	N_("The RST also ended the peer's closed socket, which was waiting in FIN_WAIT2: the "
	   "kernel dropped it, which is why its row is gone.");

/* The FIN in the rq column. */
static const char *const text_rq_fin_sent =
	N_("The peer's rq (Recv-Q) now counts this FIN as one byte: it shows 1 more than the "
	   "bytes waiting (15 for 14 bytes, 1 for none) until its recv() reads the end of the "
	   "stream.");
static const char *const text_rq_fin_queued =
	N_("Its rq (Recv-Q) counts that FIN as one byte: 1 more than the bytes waiting, until "
	   "recv() reads the end of the stream.");
static const char *const text_rq_fin_read =
	N_("A FIN waiting in the receive buffer counts as one byte in rq (Recv-Q); the recv() that "
	   "reaches it steps over it, and that can be the one that reads the last bytes before it. "
	   "Now rq is 0.");
/* {before}: rq before the step. */
static const char *const text_rq_fin_alone =
	N_("rq (Recv-Q) was 1: the FIN alone, counted as one byte, since it came after the data had "
	   "been read. This recv() stepped over it, and rq is 0 now.");
static const char *const text_rq_fin_gone =
	N_("rq (Recv-Q) was 0 already: the recv() that read the last bytes also stepped over the "
	   "FIN queued right behind them. This one only reports the end of the stream, as every "
	   "recv() on this socket will now.");
static const char *const text_rq_fin_with_data =
	N_("The FIN was queued right behind these bytes, so this recv() stepped over it too: rq "
	   "(Recv-Q) went from {before} (the bytes and 1 for the FIN) to 0, not to 1. The next "
	   "recv() returns 0 at once.");
static const char *const text_rq_fin_left =
	N_("rq (Recv-Q) is 1 now: the FIN, counted as one byte, is still waiting; the next recv() "
	   "returns 0.");

/* recv() = 0 on a socket that was reset: no FIN came. */
static const char *const text_recv_eof_reset =
	N_("recv() returned 0, yet no FIN ever came: the connection was reset (RST) and the socket "
	   "is CLOSED. The kernel reports the reset once, as an error of one call; after that, "
	   "recv() on the dead socket returns 0, and data not read before the reset is lost.");

/* close() that sent RST, and close() of a socket already reset. */
static const char *const text_close_rst_linger =
	N_("close() released the descriptor and aborted the connection: SO_LINGER was on with 0 "
	   "seconds, so the kernel sent RST instead of FIN, threw away anything not sent yet and "
	   "kept nothing behind, no TIME_WAIT. The peer's next call fails with ECONNRESET.");
/* {n}: the bytes left unread. */
static const char *const text_close_rst_unread =
	N_("close() released the descriptor and aborted the connection: {n} bytes the program never "
	   "read were still in the receive buffer, so the kernel sent RST instead of FIN (data was "
	   "lost, and the peer must know) and kept nothing behind, no TIME_WAIT. The peer's next "
	   "call fails with ECONNRESET.");
static const char *const text_close_after_reset =
	N_("close() released the descriptor. The connection had been reset already (the socket was "
	   "CLOSED), so nothing was sent on the network, and nothing of it is left in the kernel.");

/* listen() again, and listen() on a socket never bound. */
static const char *const text_listen_again =
	N_("The socket was listening already: this listen() only changed its backlog to "
	   "{backlog}. Nothing was sent, and the connections in its accept queue stay there.");
static const char *const text_listen_autobind =
	N_("The socket was not bound, so listen() bound it first to a free port the kernel chose, "
	   "on every address: clients cannot guess that port. Call bind() before listen().");

/* connect(fd, AF_UNSPEC): what dissolving the association did, by the socket's kind. */
static const char *const text_unspec_dgram =
	N_("connect() with AF_UNSPEC dissolved the socket's association; nothing was sent. It has "
	   "no peer anymore: send() without an address fails (EDESTADDRREQ for UDP), and datagrams "
	   "from any sender are received again. A port the kernel picked at connect() is given back; "
	   "one set with bind() stays.");
static const char *const text_unspec_stream =
	N_("connect() with AF_UNSPEC aborted the TCP connection: the kernel sent RST to the peer "
	   "(whose next call fails with ECONNRESET) and the socket is CLOSED, free to connect() "
	   "again.");

/* Calls on AF_UNIX sockets with a connection (SOCK_STREAM, SOCK_SEQPACKET): no wire, no segments. */
static const char *const text_unix_listen =
	N_("listen() made the AF_UNIX socket a listener: other sockets' connect() to its name now "
	   "wait in its queue for accept(). There is no handshake on any wire: the kernel links "
	   "the two sockets itself.");
static const char *const text_unix_connect =
	N_("connect() linked this socket to the listener bound to that name, inside the kernel: "
	   "no packets, no handshake. The socket is connected at once; the server's end waits in "
	   "the listener's queue until accept().");
static const char *const text_unix_accept =
	N_("accept() took the first connection off the listener's queue and returned a new "
	   "socket, already connected to the client's. The listener stays ready for the next one.");
static const char *const text_unix_send =
	N_("send() copied the bytes straight into the peer socket's receive queue: AF_UNIX has no "
	   "wire and no segments, so they are there for its recv() at once. It is a byte stream: "
	   "the boundaries between sends are not kept. send() blocks while too much of what it "
	   "sent is still unread.");
static const char *const text_seqpacket_send =
	N_("send() put one message into the peer socket's receive queue: AF_UNIX has no wire, so "
	   "it is there for recv() at once. SOCK_SEQPACKET keeps message boundaries: the "
	   "receiver's recv() returns this message alone, never joined with the next.");
static const char *const text_unix_recv =
	N_("recv() copied up to your buffer's size of the bytes waiting in the socket's receive "
	   "queue, waiting while there were none; the boundaries between sends are not kept. 0 "
	   "means the peer closed its end (or shut it down for writing): no more data will come.");
static const char *const text_seqpacket_recv =
	N_("recv() took one whole message from the socket's receive queue, waiting while there was "
	   "none: SOCK_SEQPACKET keeps message boundaries. If the message was longer than your "
	   "buffer, the rest of it was discarded (recvmsg() says so with MSG_TRUNC in msg_flags). "
	   "0 means the peer closed its end, or sent an empty message.");
static const char *const text_unix_close =
	N_("close() released the descriptor; an AF_UNIX socket sends nothing on any wire. If it "
	   "was connected, the peer's recv() returns 0 once it has read what was queued for it "
	   "(ECONNRESET if this socket left data unread), and its send() fails with EPIPE. A socket "
	   "bound to a path leaves its file behind: unlink() it before binding that path again.");
/* AF_UNIX datagram sockets: no wire, no ports, nothing lost on the way. */
static const char *const text_unixd_connect =
	N_("connect() made that AF_UNIX datagram socket this one's default peer: send() without an "
	   "address goes there, and this socket now receives only from it (another sender gets "
	   "EPERM). Nothing was sent: AF_UNIX has no wire.");
static const char *const text_unixd_send =
	N_("send() put one datagram straight into the receiving socket's queue: AF_UNIX has no "
	   "wire, and nothing is lost on the way. The receiver's recv() returns it whole. When that "
	   "queue is full, send() waits (EAGAIN when nonblocking).");
static const char *const text_unixd_recv =
	N_("recv() took one whole datagram from the socket's queue, waiting while there was none; "
	   "bytes beyond your buffer were discarded (with MSG_TRUNC the call returns the real "
	   "length).");
static const char *const text_unixd_close =
	N_("close() released the descriptor and the socket is gone; an AF_UNIX socket sends nothing "
	   "on any wire. A datagram socket connected to this one gets ECONNREFUSED at its next "
	   "send(), and is connected to nothing after that (ENOTCONN). A socket bound to a path "
	   "leaves its file behind: unlink() it before binding that path again.");
/* ECONNREFUSED on an AF_UNIX socket: no ICMP, the kernel knows at once. */
static const char *const text_unix_refused =
	N_("Connection refused: no socket is bound to that name any more (the file may be left "
	   "over), or the socket this one is connected to was closed. AF_UNIX has no wire: the "
	   "kernel knows at once.");

static const char *const text_unix_shutdown =
	N_("shutdown() closed one or both directions but kept the descriptor; an AF_UNIX socket "
	   "sends nothing on any wire. After SHUT_WR the peer's recv() returns 0 once it has read "
	   "what came before.");

static const char *const text_unix_socket =
	N_("socket() created a new AF_UNIX socket and returned the lowest free file descriptor for "
	   "it. AF_UNIX sockets join programs on this machine through the kernel: names instead of "
	   "IP addresses and ports, and no wire. It has no name and no peer yet.");
static const char *const text_unix_bind_path =
	N_("bind() gave the socket a name: the kernel created a socket file at that path. Another "
	   "socket that binds the same path gets EADDRINUSE, even after this one is closed, until "
	   "the file is removed with unlink().");
static const char *const text_unix_bind_abstract =
	N_("bind() gave the socket an abstract name ('@'): it lives only in the kernel, with no "
	   "file, and goes away when the socket is closed. Another socket that binds it meanwhile "
	   "gets EADDRINUSE.");

/* The text of a call on an AF_UNIX connection, or of connect(fd, AF_UNSPEC): 1 when written. */
static int out_lab(struct out *o, const struct sp_stmt *st, int socktype, const struct explain_ctx *cx)
{
	const char *t = NULL;
	if (st->call == SP_CALL_CONNECT && st->args[1].kind == SP_ARG_ADDR &&
	    st->args[1].addr.kind == SP_ADDR_UNSPEC)
		t = socktype == SOCK_STREAM ? text_unspec_stream : text_unspec_dgram;
	else if (cx && cx->family == AF_UNIX && st->call == SP_CALL_SOCKET)
		t = text_unix_socket;
	else if (cx && cx->family == AF_UNIX && st->call == SP_CALL_BIND && st->args[1].kind == SP_ARG_ADDR &&
		 st->args[1].addr.kind == SP_ADDR_UNIX)
		t = st->args[1].addr.abstract ? text_unix_bind_abstract : text_unix_bind_path;
	else if (cx && cx->family == AF_UNIX && (socktype == SOCK_STREAM || socktype == SOCK_SEQPACKET)) {
		/* a call on an AF_UNIX connection: its text, SOCK_SEQPACKET's where it differs */
		static const struct {
			enum sp_call call;
			const char *const *stream, *const *seqpacket;
		} unix_texts[] = {
			{ SP_CALL_LISTEN, &text_unix_listen, &text_unix_listen },
			{ SP_CALL_CONNECT, &text_unix_connect, &text_unix_connect },
			{ SP_CALL_ACCEPT, &text_unix_accept, &text_unix_accept },
			{ SP_CALL_SEND, &text_unix_send, &text_seqpacket_send },
			{ SP_CALL_RECV, &text_unix_recv, &text_seqpacket_recv },
			{ SP_CALL_CLOSE, &text_unix_close, &text_unix_close },
			{ SP_CALL_SHUTDOWN, &text_unix_shutdown, &text_unix_shutdown },
		};
		for (size_t i = 0; i < NELEM(unix_texts) && !t; i++)
			if (unix_texts[i].call == st->call)
				t = *(socktype == SOCK_SEQPACKET ? unix_texts[i].seqpacket : unix_texts[i].stream);
	}
	else if (cx && cx->family == AF_UNIX && socktype == SOCK_DGRAM) {
		static const struct {
			enum sp_call call;
			const char *const *text;
		} unixd_texts[] = {
			{ SP_CALL_CONNECT, &text_unixd_connect }, { SP_CALL_SEND, &text_unixd_send },
			{ SP_CALL_SENDTO, &text_unixd_send },    { SP_CALL_RECV, &text_unixd_recv },
			{ SP_CALL_RECVFROM, &text_unixd_recv },  { SP_CALL_CLOSE, &text_unixd_close },
		};
		for (size_t i = 0; i < NELEM(unixd_texts) && !t; i++)
			if (unixd_texts[i].call == st->call)
				t = *unixd_texts[i].text;
	}
	if (!t)
		return 0;
	out_line(o, NULL, NULL, tr(t));
	return 1;
}

/* {actor}, {sock}: the socket bound to the port a refused connect() aimed at. */
static const char *const text_refused_bound =
	N_("{actor}'s socket {sock} is bound to that port but did not call listen(): a socket only "
	   "bound accepts no connections, so the kernel answered the SYN with RST. Call listen() on "
	   "it first.");

/* EPIPE fitted to the socket. */
static const char *const text_epipe_shut =
	N_("This socket shut down its sending side earlier (shutdown() sent its FIN): it may still "
	   "receive, but it can never send again.");
static const char *const text_epipe_unconnected =
	N_("This socket was never connected: bind() gives it only a local address, no peer to send "
	   "to. On the client, connect() it first; on the server, send on the socket accept() "
	   "returned.");
static const char *const text_epipe_listener =
	N_("This is a listening socket: it only accepts connections and never sends. Send on the "
	   "socket accept() returned.");

/* {n}: the Recv-Q of a UDP socket. */
static const char *const text_udp_rq_peer =
	N_("The receiving socket's rq (Recv-Q) now shows {n}: for UDP it counts the buffer memory "
	   "the queued datagrams take, each with the kernel's bookkeeping, not their bytes.");
static const char *const text_udp_rq =
	N_("This socket's rq (Recv-Q) shows {n}: for UDP it counts the buffer memory the datagrams "
	   "still queued take, each with the kernel's bookkeeping, not their bytes.");

/* The state after the step, when it is not the one the general text names. */
static const char *const text_connect_done =
	N_("connect() completed the three-way handshake (SYN, SYN,ACK, ACK) and returned 0.");
static const char *const text_accept_done =
	N_("accept() took the first connection off the listener's accept queue and returned a new "
	   "socket for it; the listening socket stays in LISTEN.");
static const char *const text_shutdown_done =
	N_("shutdown() closed one or both directions of the connection but kept the descriptor: "
	   "SHUT_WR sends FIN (the peer's recv() then returns 0), SHUT_RD only stops receiving.");
static const char *const text_state_not =
	N_("After this step the kernel reports the socket in {state}, not {named}.");

/* X(state number, what it means for the socket) */
#define SP_EXPLAIN_STATES(X)                                                                      \
	X(1, N_("The connection is open both ways."))                                             \
	X(2, N_("Its SYN is out and no answer has come yet."))                                    \
	X(3, N_("A SYN came in and the kernel answered with SYN,ACK; it waits for the final ACK.")) \
	X(4, N_("It sent its FIN, which is not ACKed yet."))                                      \
	X(5, N_("Its FIN is ACKed; it waits for the peer's FIN and can still receive."))          \
	X(6, N_("Both sides have closed; it waits 60 s before its ports are free again."))        \
	X(7, N_("The connection is gone already: it was reset (RST) or ended, and the socket can "  \
		"neither send nor receive."))                                                     \
	X(8, N_("The peer has closed its side already (its FIN arrived): recv() returns what is "  \
		"left and then 0. Sending is still allowed, but if the peer closed its socket "   \
		"rather than only shutting down its sending side, its kernel answers with RST."))  \
	X(9, N_("It sent its FIN after the peer's and waits for the ACK of it."))                 \
	X(10, N_("It waits for connections."))                                                    \
	X(11, N_("Both FINs crossed; it waits for the ACK of its own."))

static const char *const state_texts[12] = {
#define SP_X(n, text) [n] = text,
	SP_EXPLAIN_STATES(SP_X)
#undef SP_X
};

/* Between two sentences: a space after English, none after Chinese punctuation (or any non-ASCII). */
static void out_space(struct out *o)
{
	if (o->len > 0 && (unsigned char)o->buf[o->len - 1] < 0x80 && o->buf[o->len - 1] != '\n')
		out_str(o, " ");
}

/* TEMPLATE with {key} replaced by VALS[i] for KEYS[i]; other braces stay. */
static void out_subst(struct out *o, const char *tmpl, const char *const *keys, const char *const *vals,
		      size_t n)
{
	const char *s = tmpl;
	while (*s && !o->full) {
		const char *brace = strchr(s, '{');
		size_t k = 0, kl = 0;
		for (; brace && k < n; k++) {
			kl = strlen(keys[k]);
			if (strncmp(brace, keys[k], kl) == 0)
				break;
		}
		int hit = brace && k < n;
		size_t len = brace ? (size_t)(brace - s) + (hit ? 0 : 1) : strlen(s);
		while (len > 0 && !o->full) {
			char piece[256];
			size_t m = len < sizeof piece - 1 ? len : sizeof piece - 1;
			memcpy(piece, s, m);
			piece[m] = '\0';
			out_str(o, piece);
			s += m;
			len -= m;
		}
		if (hit) {
			out_str(o, vals[k]);
			s += kl;
		}
	}
}

/* The option of a setsockopt()/getsockopt() statement, or NULL. */
static const struct sp_opt *stmt_opt(const struct sp_stmt *st)
{
	if (!st || (st->call != SP_CALL_SETSOCKOPT && st->call != SP_CALL_GETSOCKOPT) || st->nargs < 2)
		return NULL;
	return consts_opt_at((size_t)st->args[1].num);
}

/* What setsockopt() or getsockopt() did with the statement's option, or NULL. */
static const char *option_text(const struct sp_stmt *st)
{
	const struct sp_opt *opt = stmt_opt(st);
	if (!opt)
		return NULL;
	if (st->call == SP_CALL_SETSOCKOPT && opt->kind == SP_OPT_LINGER) {
		long long on = st->args[2].num, secs = st->args[3].num; /* SO_LINGER: both written */
		return tr(!on ? text_linger_off : secs == 0 ? text_linger_zero : text_linger_on);
	}
	for (size_t i = 0; i < NELEM(option_texts); i++)
		if (strcmp(option_texts[i].name, opt->name) == 0) {
			const char *t = st->call == SP_CALL_SETSOCKOPT ? option_texts[i].set : option_texts[i].get;
			return t ? tr(t) : NULL;
		}
	return NULL;
}

/* Whether the statement connects to a loopback address (127.0.0.0/8, ::1) written as such or as localhost. */
static int stmt_to_loopback(const struct sp_stmt *st)
{
	if (!st || st->nargs < 2 || st->args[1].addr.kind != SP_ADDR_IP)
		return 0;
	const struct sp_addr *a = &st->args[1].addr;
	if (a->host[0]) /* a name, not looked up here: localhost names are loopback (RFC 6761) */
		return script_host_is_localhost(a->host);
	if (a->has_v4 && (ntohl(a->v4.s_addr) >> 24) == 127)
		return 1;
	return a->has_v6 && IN6_IS_ADDR_LOOPBACK(&a->v6);
}

static const char *state_name(int state)
{
	const char *n = consts_tcp_state_name(state);
	return n ? n : "?";
}

/* The holder of a taken port as a sentence, into O; 0 when there is nothing specific to say. */
static int out_holder(struct out *o, const struct sp_stmt *st, const struct explain_ctx *cx)
{
	if (!cx || cx->holder == EXPLAIN_HOLDER_UNKNOWN)
		return 0;
	char port[16], sock[SP_NAME_MAX + 24];
	snprintf(port, sizeof port, "%d", cx->port);
	if (cx->holder_name && cx->holder_name[0])
		snprintf(sock, sizeof sock, "%s (fd %d)", cx->holder_name, cx->holder_fd);
	else
		snprintf(sock, sizeof sock, "(fd %d)", cx->holder_fd);
	const char *t;
	if (cx->holder == EXPLAIN_HOLDER_OUTSIDE)
		t = cx->holder_pid > 0 && cx->holder_comm ? text_holder_outside_pid : text_holder_outside;
	else if (cx->holder == EXPLAIN_HOLDER_CLOSED)
		t = cx->holder_state == SP_TCP_TIME_WAIT ? text_holder_time_wait : text_holder_closed;
	else if (st && st->call == SP_CALL_LISTEN)
		t = text_holder_listen_listen;
	else if (cx->holder_type == SOCK_DGRAM)
		t = text_holder_udp;
	else if (cx->holder_state == SP_TCP_LISTEN)
		t = text_holder_listen;
	else if (cx->holder_state == SP_TCP_CLOSE || cx->holder_state < 0)
		t = text_holder_bound;
	else
		t = text_holder_conn;
	char pid[16];
	snprintf(pid, sizeof pid, "%d", cx->holder_pid);
	static const char *const keys[] = { "{port}", "{actor}", "{sock}", "{state}", "{pid}", "{comm}" };
	const char *vals[] = { port, cx->holder_actor ? cx->holder_actor : "?", sock,
			       state_name(cx->holder_state), pid, cx->holder_comm ? cx->holder_comm : "?" };
	out_subst(o, tr(t), keys, vals, NELEM(keys));
	return 1;
}

/* The state the general text of a call names for its socket after success, or -1 for none. */
static int named_state(const struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	if (!ci || !call_joins[st->call].named_state)
		return -1;
	/* shutdown(SHUT_RD) sends nothing: its text names no state */
	if (ci->num_arg >= 0 && ci->args[ci->num_arg].sh == CALL_SH_SHUT && st->args[ci->num_arg].num == SHUT_RD)
		return -1;
	return call_joins[st->call].named_state;
}

/* The likely cause of ERR when CX names it, into O; 0 when it does not. */
static int out_mistake_ctx(struct out *o, const struct sp_stmt *st, int socktype, int err,
			   const struct explain_ctx *cx)
{
	if (!cx || socktype != SOCK_STREAM)
		return 0;
	const char *t = NULL;
	if (st->call == SP_CALL_CONNECT && err == ECONNREFUSED && cx->bound_actor) {
		char sock[SP_NAME_MAX + 24];
		if (cx->bound_name && cx->bound_name[0])
			snprintf(sock, sizeof sock, "%s (fd %d)", cx->bound_name, cx->bound_fd);
		else
			snprintf(sock, sizeof sock, "(fd %d)", cx->bound_fd);
		static const char *const keys[] = { "{actor}", "{sock}" };
		const char *vals[] = { cx->bound_actor, sock };
		out_subst(o, tr(text_refused_bound), keys, vals, 2);
		return 1;
	}
	if (err == EPIPE && (st->call == SP_CALL_SEND || st->call == SP_CALL_SENDTO)) {
		int b = cx->state_before;
		if (b == SP_TCP_FIN_WAIT1 || b == SP_TCP_FIN_WAIT2 || b == SP_TCP_CLOSING || b == SP_TCP_TIME_WAIT ||
		    b == SP_TCP_LAST_ACK)
			t = text_epipe_shut;
		else if (b == SP_TCP_LISTEN)
			t = text_epipe_listener;
		else if (b == SP_TCP_CLOSE && cx->never_connected)
			t = text_epipe_unconnected;
	}
	if (!t)
		return 0;
	out_str(o, tr(t));
	return 1;
}

/* close() of a socket whose connection ended both ways while the program still had it. */
static const char *const text_close_time_wait =
	N_("close() released the descriptor. Its connection had already ended in both directions: "
	   "the kernel keeps it in TIME_WAIT, with or without a program, for 2MSL (60 s on Linux). "
	   "Nothing was sent on the network.");

/* What a successful call did, fitted to CX; 0 when the general text is the right one. */
static int out_success(struct out *o, const struct sp_stmt *st, int socktype, long long ret,
		       const struct explain_ctx *cx)
{
	const char *opt = option_text(st);
	if (opt) {
		out_line(o, NULL, NULL, opt);
		return 1;
	}
	if (!cx || socktype != SOCK_STREAM)
		return 0;
	char num[32];
	snprintf(num, sizeof num, "%lld", ret);
	/* CLOSED before and after: reset (a FIN would leave CLOSE_WAIT, or TIME_WAIT after a shutdown) */
	if (st->call == SP_CALL_RECV && ret == 0 && cx->state_after == SP_TCP_CLOSE && cx->state_before == SP_TCP_CLOSE) {
		out_line(o, NULL, NULL, tr(text_recv_eof_reset));
		return 1;
	}
	if (st->call == SP_CALL_CLOSE && cx->close_rst == EXPLAIN_RST_LINGER0) {
		out_line(o, NULL, NULL, tr(text_close_rst_linger));
		return 1;
	}
	if (st->call == SP_CALL_CLOSE && cx->close_rst == EXPLAIN_RST_UNREAD && cx->rq_known) {
		static const char *const keys[] = { "{n}" };
		char n[32];
		/* once the peer's FIN came (CLOSE_WAIT, LAST_ACK, CLOSING), rq counts it as one byte too */
		int b = cx->state_before;
		int fin = b == SP_TCP_CLOSE_WAIT || b == SP_TCP_LAST_ACK || b == SP_TCP_CLOSING;
		snprintf(n, sizeof n, "%u", cx->rq_before - (fin ? 1 : 0));
		const char *vals[] = { n };
		out_line(o, NULL, NULL, "");
		out_subst(o, tr(text_close_rst_unread), keys, vals, 1);
		return 1;
	}
	if (st->call == SP_CALL_CLOSE && cx->state_before == SP_TCP_TIME_WAIT) {
		out_line(o, NULL, NULL, tr(text_close_time_wait));
		return 1;
	}
	if (st->call == SP_CALL_CLOSE && cx->state_before == SP_TCP_CLOSE && !cx->never_connected) {
		out_line(o, NULL, NULL, tr(text_close_after_reset));
		return 1;
	}
	if (st->call == SP_CALL_LISTEN && cx->state_before == SP_TCP_LISTEN) {
		static const char *const keys[] = { "{backlog}" };
		char n[32];
		snprintf(n, sizeof n, "%lld", st->nargs > 1 ? st->args[1].num : 128);
		const char *vals[] = { n };
		out_line(o, NULL, NULL, "");
		out_subst(o, tr(text_listen_again), keys, vals, 1);
		return 1;
	}
	if (st->call == SP_CALL_SEND && cx->peer_closed && ret > 0) {
		static const char *const keys[] = { "{ret}" };
		const char *vals[] = { num };
		out_line(o, NULL, NULL, "");
		out_subst(o, tr(cx->state_after == SP_TCP_CLOSE ? text_send_closed_reset : text_send_closed), keys,
			  vals, 1);
		if (cx->state_after == SP_TCP_CLOSE) {
			out_space(o);
			out_str(o, tr(text_send_closed_rows));
		}
		return 1;
	}
	int named = named_state(st), now = cx->state_after;
	int fits = named < 0 || now < 0 || now == named ||
		   (named == SP_TCP_FIN_WAIT1 && (now == SP_TCP_FIN_WAIT2 || now == SP_TCP_CLOSING || now == SP_TCP_TIME_WAIT));
	if (fits)
		return 0;
	const char *lead = st->call == SP_CALL_CONNECT ? text_connect_done
			   : st->call == SP_CALL_ACCEPT ? text_accept_done : text_shutdown_done;
	static const char *const keys[] = { "{state}", "{named}" };
	const char *vals[] = { state_name(now), state_name(named) };
	out_line(o, NULL, NULL, tr(lead));
	out_space(o);
	out_subst(o, tr(text_state_not), keys, vals, 2);
	if (now > 0 && now < (int)NELEM(state_texts) && state_texts[now]) {
		out_space(o);
		out_str(o, tr(state_texts[now]));
	}
	return 1;
}

/* Sentences added after the call's text: the FIN counted in rq. */
static void out_extra(struct out *o, const struct sp_stmt *st, int socktype, long long ret,
		      const struct explain_ctx *cx)
{
	if (!cx || ret < 0)
		return;
	char n[32];
	static const char *const nkeys[] = { "{n}" };
	const char *nvals[] = { n };
	if (socktype == SOCK_DGRAM) {
		int is_send = st->call == SP_CALL_SEND || st->call == SP_CALL_SENDTO;
		int is_recv = st->call == SP_CALL_RECV || st->call == SP_CALL_RECVFROM;
		if (is_send && cx->peer_rq_known && cx->peer_rq > 0) {
			snprintf(n, sizeof n, "%u", cx->peer_rq);
			out_space(o);
			out_subst(o, tr(text_udp_rq_peer), nkeys, nvals, 1);
		} else if (is_recv && cx->rq_known && cx->rq_after > 0) {
			snprintf(n, sizeof n, "%u", cx->rq_after);
			out_space(o);
			out_subst(o, tr(text_udp_rq), nkeys, nvals, 1);
		}
		return;
	}
	if (socktype != SOCK_STREAM)
		return;
	if (st->call == SP_CALL_LISTEN && cx->unbound && cx->state_before != SP_TCP_LISTEN) {
		out_space(o);
		out_str(o, tr(text_listen_autobind));
		return;
	}
	if (st->call == SP_CALL_RECV && ret > 0 && cx->rq_known && cx->state_after == SP_TCP_CLOSE_WAIT) {
		if (cx->rq_after == 0 && cx->rq_before == (unsigned long long)ret + 1) {
			static const char *const keys[] = { "{before}" };
			snprintf(n, sizeof n, "%u", cx->rq_before);
			out_space(o);
			out_subst(o, tr(text_rq_fin_with_data), keys, nvals, 1);
		} else if (cx->rq_after == 1) {
			out_space(o);
			out_str(o, tr(text_rq_fin_left));
		}
		return;
	}
	int fin_call = st->call == SP_CALL_CLOSE ||
		       (st->call == SP_CALL_SHUTDOWN && st->args[1].num != SHUT_RD);
	if (fin_call && (cx->state_after == SP_TCP_FIN_WAIT1 || cx->state_after == SP_TCP_FIN_WAIT2)) {
		out_space(o);
		out_str(o, tr(text_rq_fin_sent));
	} else if (st->call == SP_CALL_ACCEPT && cx->state_after == SP_TCP_CLOSE_WAIT) {
		out_space(o);
		out_str(o, tr(text_rq_fin_queued));
	} else if (st->call == SP_CALL_RECV && ret == 0 && cx->state_after == SP_TCP_CLOSE_WAIT) {
		out_space(o);
		out_str(o, tr(!cx->rq_known ? text_rq_fin_read
			      : cx->rq_before == 0 ? text_rq_fin_gone : text_rq_fin_alone));
	}
}

/* poll() and select(): why each socket they reported was ready ({sock}: its name or fd). */
static const char *const text_ready_data =
	N_("{sock} is readable: {n} bytes wait in its receive queue, and recv() returns them at once.");
static const char *const text_ready_datagram =
	N_("{sock} is readable: data waits in its receive queue, and recv() returns it at once.");
static const char *const text_ready_fin =
	N_("{sock} is readable because the peer closed its side (its FIN came): recv() returns 0 at "
	   "once, the end of the stream.");
static const char *const text_ready_pending =
	N_("{sock} is a listener whose accept queue holds {n} connection(s): accept() returns one at "
	   "once.");
static const char *const text_ready_error =
	N_("{sock} has an error pending, such as a refused or reset connection: getsockopt(SO_ERROR) "
	   "reads it and clears it. It counts as readable and writable, since a call on it returns at "
	   "once (with the error).");
static const char *const text_ready_space =
	N_("{sock} is writable: there is room in its send buffer, so send() does not block.");
static const char *const text_ready_hup =
	N_("{sock} has hung up (POLLHUP): it has no connection in either direction, so a call on it returns at "
	   "once instead of waiting.");
static const char *const text_ready_nval =
	N_("{sock} is not an open descriptor (POLLNVAL): it was closed, so poll() has nothing to watch there.");
static const char *const text_ready_timeout =
	N_("No socket became ready before the timeout passed: the call returned 0.");

/* After a poll() or select() returned: what made each of its sockets ready. */
static void out_ready(struct out *o, long long ret, const struct explain_ctx *cx)
{
	static const char *const keys[] = { "{sock}", "{n}" };
	static const struct {
		unsigned why;
		const char *const *text;
	} order[] = {
		{ EXPLAIN_READY_PENDING, &text_ready_pending }, { EXPLAIN_READY_DATA, &text_ready_data },
		{ EXPLAIN_READY_FIN, &text_ready_fin },         { EXPLAIN_READY_ERROR, &text_ready_error },
		{ EXPLAIN_READY_HUP, &text_ready_hup },         { EXPLAIN_READY_SPACE, &text_ready_space },
		{ EXPLAIN_READY_NVAL, &text_ready_nval },
	};
	if (!cx || !cx->ready || ret < 0)
		return;
	if (ret == 0 && cx->ready->timeout_ms >= 0) {
		out_space(o);
		out_str(o, tr(text_ready_timeout));
		return;
	}
	for (int i = 0; i < cx->ready->n; i++) {
		const struct explain_ready_sock *e = &cx->ready->s[i];
		char n[32];
		const char *vals[] = { e->label, n };
		snprintf(n, sizeof n, "%u", e->rq);
		for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
			if (!(e->why & order[k].why))
				continue;
			const char *t = *order[k].text;
			if (order[k].why == EXPLAIN_READY_DATA && !e->rq)
				t = text_ready_datagram;
			out_space(o);
			out_subst(o, tr(t), keys, vals, 2);
		}
	}
}

/*
 * X(flag, socket type, what the flag did): a sentence added to a call's text
 * when it was given that flag and succeeded.
 */
#define SP_EXPLAIN_FLAGS(X)                                                                       \
	X(MSG_MORE, SOCK_STREAM,                                                                  \
	  N_("MSG_MORE said that more data follows: the kernel held these bytes back instead of "  \
	     "sending a small segment (SIOCOUTQ counts them), and the next send() without "        \
	     "MSG_MORE sends them together."))                                                    \
	X(MSG_MORE, SOCK_DGRAM,                                                                   \
	  N_("MSG_MORE kept the datagram open: the next send() adds its bytes to it, and the "     \
	     "first send() without MSG_MORE sends everything as one datagram."))                  \
	X(MSG_TRUNC, SOCK_STREAM,                                                                 \
	  N_("MSG_TRUNC on a TCP socket takes the bytes out of the receive buffer and throws them " \
	     "away instead of copying them into yours (an AF_UNIX stream socket copies them as "   \
	     "usual)."))                                                                          \
	X(MSG_TRUNC, SOCK_DGRAM,                                                                  \
	  N_("MSG_TRUNC made the call return the datagram's real length, which can be more than " \
	     "your buffer holds: only that many bytes were kept, and the rest of the datagram was " \
	     "discarded all the same."))

static const struct {
	int flag, socktype;
	const char *text;
} flag_texts[] = {
#define SP_X(flag, type, text) { flag, type, text },
	SP_EXPLAIN_FLAGS(SP_X)
#undef SP_X
};

/* What the flags of a successful call did, a sentence each, after its text. */
static void out_flags(struct out *o, const struct sp_stmt *st, int socktype, long long ret)
{
	const struct call_info *ci = call_info(st->call);
	if (!ci || ci->flags_arg < 0 || ret < 0)
		return;
	for (size_t i = 0; i < NELEM(flag_texts); i++)
		if ((st->args[ci->flags_arg].num & flag_texts[i].flag) && flag_texts[i].socktype == socktype) {
			out_space(o);
			out_str(o, tr(flag_texts[i].text));
		}
}

void explain_stmt(const struct sp_stmt *st, int socktype, long long ret, int err, const struct explain_ctx *cx,
		  struct explain *ex)
{
	if (!st || st->kind != SP_ST_CALL) {
		explain_result(SP_CALL_NONE, socktype, ret, err, ex);
		return;
	}
	memset(ex, 0, sizeof *ex);
	enum sp_call call = st->call;
	struct out m = OUT_PART(ex->meaning), l = OUT_PART(ex->mistake), w = OUT_PART(ex->what);
	char py[320], c[320];
	int code = explain_code(st, 1, py, sizeof py) && explain_code(st, 0, c, sizeof c);
	if (err != 0) {
		errname(err, ex);
		int unix_refused = err == ECONNREFUSED && cx && cx->family == AF_UNIX;
		out_str(&m, unix_refused ? tr(text_unix_refused) : errno_meaning(err, socktype));
		if (unix_refused) {
			/* the UDP texts of this errno speak of ICMP: none of it here */
		} else if (err == EADDRINUSE && cx && cx->holder != EXPLAIN_HOLDER_UNKNOWN) {
			out_holder(&l, st, cx);
		} else if (!out_mistake_ctx(&l, st, socktype, err, cx)) {
			const char *mistake = explain_mistake(call, err);
			if (mistake)
				out_str(&l, mistake);
		}
		if (call == SP_CALL_CONNECT && err == ECONNREFUSED && socktype != SOCK_DGRAM && sandbox_on &&
		    stmt_to_loopback(st) && !(cx && cx->bound_actor)) {
			struct out *last = l.len ? &l : &m; /* the sentence ends the last line */
			out_space(last);
			out_str(last, tr(text_refused_sandbox));
		}
	} else if (ret < 0) {
		out_str(&w, tr(text_failed));
	} else if (call_ok(call)) {
		if (!out_lab(&w, st, socktype, cx) && !out_success(&w, st, socktype, ret, cx))
			out_line(&w, NULL, NULL, explain_call_type(call, socktype));
		out_extra(&w, st, socktype, ret, cx);
		out_flags(&w, st, socktype, ret);
		out_ready(&w, ret, cx);
	}
	if ((call == SP_CALL_SEND || call == SP_CALL_SENDTO) && err == 0 && ret >= 0 && st->nargs > 1) {
		unsigned long long offered = (unsigned long long)st->args[1].data.unit_len * st->args[1].data.count;
		if ((unsigned long long)ret < offered)
			snprintf(ex->partial, sizeof ex->partial, tr(text_partial_send), (unsigned long long)ret,
				 offered);
	}
	if (call_ok(call)) {
		struct out po = OUT_PART(ex->python), co = OUT_PART(ex->c);
		out_str(&po, code ? py : explain_python(call));
		out_str(&co, code ? c : explain_c(call));
	}
}

void explain_event(const struct sp_event *ev, struct explain *ex)
{
	if (ev->stmt && ev->stmt->kind == SP_ST_CALL)
		explain_stmt(ev->stmt, ev->socktype, ev->ret, ev->err, ev->explain, ex);
	else
		explain_result(ev->call, ev->socktype, ev->ret, ev->err, ex);
}
