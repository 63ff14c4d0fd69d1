/* call.h -- the socket calls a script can make: one table, one enum. */
#ifndef SOCKPLAY_CALL_H
#define SOCKPLAY_CALL_H

/*
 * X(enum, name, min args, max args)
 * Argument shapes are checked by the parser (script.c); the actor runs them.
 */
#define SP_CALLS(X)                        \
	X(SP_CALL_SOCKET, "socket", 2, 3)      \
	X(SP_CALL_BIND, "bind", 2, 2)          \
	X(SP_CALL_LISTEN, "listen", 1, 2)      \
	X(SP_CALL_CONNECT, "connect", 2, 2)    \
	X(SP_CALL_ACCEPT, "accept", 1, 1)      \
	X(SP_CALL_SEND, "send", 2, 3)          \
	X(SP_CALL_RECV, "recv", 2, 3)          \
	X(SP_CALL_SENDTO, "sendto", 3, 4)      \
	X(SP_CALL_RECVFROM, "recvfrom", 2, 3)  \
	X(SP_CALL_SHUTDOWN, "shutdown", 2, 2)  \
	X(SP_CALL_SETSOCKOPT, "setsockopt", 3, 4) \
	X(SP_CALL_GETSOCKOPT, "getsockopt", 2, 2) \
	X(SP_CALL_NONBLOCK, "nonblock", 1, 2)  \
	X(SP_CALL_CLOSE, "close", 1, 1)

enum sp_call {
	SP_CALL_NONE = 0,
#define SP_X(e, n, lo, hi) e,
	SP_CALLS(SP_X)
#undef SP_X
	SP_CALL_COUNT
};

/* "listen" for SP_CALL_LISTEN; NULL for SP_CALL_NONE or out of range. */
const char *call_name(enum sp_call call);
/* SP_CALL_LISTEN for "listen"; SP_CALL_NONE when unknown. */
enum sp_call call_from_name(const char *name);
/* Bounds on the number of arguments in a script. */
int call_min_args(enum sp_call call);
int call_max_args(enum sp_call call);
/* Whether the call may block (accept, connect, recv, recvfrom, send, sendto). */
int call_may_block(enum sp_call call);
/* Whether the call's first argument is a socket (all but socket()). */
int call_takes_fd(enum sp_call call);

#endif
