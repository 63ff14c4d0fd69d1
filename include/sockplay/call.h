/* call.h -- the socket calls a script can make: one table of what each call takes, does and prints. */
#ifndef SOCKPLAY_CALL_H
#define SOCKPLAY_CALL_H

#include <stddef.h>

/* X(enum, name): the calls, in the order of the table (src/call.c holds one row for each). */
#define SP_CALLS(X)                             \
	X(SP_CALL_SOCKET, "socket")             \
	X(SP_CALL_BIND, "bind")                 \
	X(SP_CALL_LISTEN, "listen")             \
	X(SP_CALL_CONNECT, "connect")           \
	X(SP_CALL_ACCEPT, "accept")             \
	X(SP_CALL_SEND, "send")                 \
	X(SP_CALL_RECV, "recv")                 \
	X(SP_CALL_SENDTO, "sendto")             \
	X(SP_CALL_RECVFROM, "recvfrom")         \
	X(SP_CALL_SHUTDOWN, "shutdown")         \
	X(SP_CALL_SETSOCKOPT, "setsockopt")     \
	X(SP_CALL_GETSOCKOPT, "getsockopt")     \
	X(SP_CALL_NONBLOCK, "nonblock")         \
	X(SP_CALL_CLOSE, "close")               \
	X(SP_CALL_GETSOCKNAME, "getsockname")   \
	X(SP_CALL_IOCTL, "ioctl")               \
	X(SP_CALL_GETPEERNAME, "getpeername")   \
	X(SP_CALL_SOCKETPAIR, "socketpair")     \
	X(SP_CALL_UNLINK, "unlink")             \
	X(SP_CALL_POLL, "poll")                 \
	X(SP_CALL_SELECT, "select")

enum sp_call {
	SP_CALL_NONE = 0,
#define SP_X(e, n) e,
	SP_CALLS(SP_X)
#undef SP_X
	SP_CALL_COUNT
};

#define CALL_MAX_ARGS 4

/* How an argument is written in a script, read by the parser and shown in texts. */
enum call_shape {
	CALL_SH_NONE,
	CALL_SH_SOCK,    /* a socket name or number */
	CALL_SH_DOMAIN,  /* AF_* */
	CALL_SH_TYPE,    /* SOCK_* */
	CALL_SH_PROTO,   /* IPPROTO_* or a number */
	CALL_SH_SHUT,    /* SHUT_* */
	CALL_SH_INT,     /* a number (listen's backlog, an option value) */
	CALL_SH_LEN,     /* a length, 0 to SP_RECV_MAX */
	CALL_SH_BOOL,    /* 0 or 1 */
	CALL_SH_ADDR,    /* an address */
	CALL_SH_DATA,    /* "bytes" [* N] */
	CALL_SH_FLAGS,   /* MSG_* joined with '|', or 0 */
	CALL_SH_OPT,     /* a socket option (SO_*, TCP_*) */
	CALL_SH_LINGER,  /* a number; shown only when the option is SO_LINGER (its seconds) */
	CALL_SH_IOCTL,   /* an ioctl request: FIONREAD, SIOCOUTQ, FIONBIO */
	CALL_SH_IOVAL,   /* a number; written and shown only for a request that takes one (FIONBIO) */
	CALL_SH_PATH,    /* a file's path: /tmp/lab.sock (an address of kind SP_ADDR_UNIX, not abstract) */
	CALL_SH_READY,   /* poll: sockets with their events, "c POLLIN, s POLLOUT"; select: its
	                    sets, "r: s c, w: c" (struct sp_ready of the statement) */
	CALL_SH_TIMEOUT, /* milliseconds, -1 (the default) to wait for ever; shown when not -1 */
};

struct call_arg_spec {
	enum call_shape sh;
	const char *what;   /* "a backlog number": "listen() takes a backlog number as argument 2" (msgid) */
	long long def;      /* the value when not written (optional arguments only) */
};

/* Flags of a call. */
#define CALL_F_FD       0x01u /* argument 0 is a socket (all but socket()) */
#define CALL_F_BLOCKS   0x02u /* may block: waits for the poll events in .poll */
#define CALL_F_NEWFD    0x04u /* returns a new socket (socket, accept) */
#define CALL_F_NAMES    0x08u /* may move (or reports) the socket's own or peer address */
#define CALL_F_FROM     0x10u /* returns where the peer is (accept, recvfrom): no getpeername() */
#define CALL_F_SENDS    0x20u /* sends the data argument */
#define CALL_F_READS    0x40u /* reads up to the length argument into a buffer */
#define CALL_F_CLOSES   0x80u /* the socket is gone after success */
#define CALL_F_PAIR     0x1000u /* returns two new sockets (socketpair): "a, b = ..." names both */
#define CALL_F_FILES    0x2000u /* changes files (unlink): only in the sandbox's private filesystem */
#define CALL_F_READY    0x100u /* waits on a list of sockets (poll, select): st->ready */

/* What the transcript notes after a call's result: "(peer 127.0.0.1:40000)". */
enum call_note {
	CALL_NOTE_NONE,
	CALL_NOTE_PEER,   /* "peer ADDR": who was accepted */
	CALL_NOTE_FROM,   /* "from ADDR": who sent the datagram */
	CALL_NOTE_VALUE,  /* "value N": an option's value */
	CALL_NOTE_NAME,   /* "ADDR": the socket's own address */
	CALL_NOTE_PEERNAME, /* "ADDR": the address of the socket's peer */
	CALL_NOTE_FDS,    /* "fds 3, 4": the two sockets socketpair() made */
	CALL_NOTE_READY,  /* "c POLLIN, s POLLOUT" / "r: s, w: c": the ready sockets */
};

/*
 * One call. Argument positions are -1 where the call has none. Templates:
 *   text   the transcript: "bind($0, $1)"; $N is argument N as the
 *          transcript shows it (call_format()).
 *   py, c  the line of Python and of C that makes the call (explain_code()):
 *          $N is argument N in that language, $s the socket, $L the option's
 *          level, $#N the length of data argument N, $*N its repeat count,
 *          $/N the data inside a C comment; @{as:NAME} is the name the result
 *          is assigned to, or NAME; @{as2:NAME} the second name of "a, b =";
 *          @{COND:...@} is kept only when COND holds:
 *          ?N argument N is not 0, !N it is 0, wN it was written, MN data N is
 *          repeated, mN it is not, L the option is SO_LINGER, l it is not,
 *          T the option is a timeout (SO_RCVTIMEO), I it is neither SO_LINGER
 *          nor a timeout; $tN is argument N, in ms, as a struct timeval's
 *          "seconds, microseconds"; $R is the ioctl request as the language
 *          spells it; UN address N is AF_UNSPEC, uN it is not.
 */
struct call_info {
	const char *name;
	int min, max;                 /* arguments written in a script */
	unsigned flags;               /* CALL_F_* */
	short poll;                   /* CALL_F_BLOCKS: the events that end the wait (POLLIN, POLLOUT) */
	enum call_note note;          /* what follows the result */
	signed char fd_arg, addr_arg, data_arg, flags_arg, num_arg, opt_arg;
	struct call_arg_spec args[CALL_MAX_ARGS];
	const char *text;
	const char *py, *c;
	const char *ex_c, *ex_py;     /* the statement in an exported program (see below) */
};

/*
 * ex_c, ex_py: how a program that --export writes (src/export.c) makes the
 * call and reports its result, in C and in Python: one line per '\n' (a
 * leading '\t' indents the line once more), written after the step has been
 * announced. The marks of py and c, with these meanings and more:
 *   $N     argument N as the program writes it: a constant by its name
 *          (Python: socket.NAME), flags joined with '|' (Python: " | ", 0
 *          when none), the data as a literal (C: `data` when repeated, made
 *          by repeat() before the turn), an address as `addr` (already made)
 *   $s     the socket; $L the option's level; $#N the length of data N
 *   $SN $UN $tN  argument N (in ms) as a struct timeval's seconds, its
 *          microseconds, or both ("1, 500000"); $cN argument N as C spells it
 *   $=     C: "NAME = " when the result is given to a socket name (a name
 *          given sockets more than once keeps its socket when the call fails)
 *   $F     Python: the family of the address for raw() (see R)
 *   @{as:NAME}  the variable the result is given, or NAME; @{as2:NAME}
 *          the second one of "a, b = socketpair(...)"
 *   @{COND:...@} kept only when COND holds (they nest): ?N !N argument N is
 *          (not) 0, wN -N it was (not) written, UN uN address N is (not)
 *          AF_UNSPEC, MN mN data N is (not)
 *          repeated, XN xN flags N hold (not) MSG_TRUNC, QN qN Python spells
 *          argument N otherwise (or not), L l the option is (not) SO_LINGER,
 *          T t it is (not) a timeout, I i it is neither (or one of them),
 *          E e it is (not) SO_ERROR, N n the result is (not) given to a
 *          name (N2 n2: the second one), P p the socket is (not) TCP's, R r Python must (not) make
 *          the call through libc (an address of another family than the
 *          socket's); <N >N argument N is negative (a timeout that
 *          waits for ever), or not.
 *   @{*:...@}  the text once for each socket of the statement's list (poll,
 *          select: CALL_SH_READY); @{*r:...@} @{*w:...@} for those of
 *          select's read set, or write set, only. In it, $s is the socket as
 *          a descriptor (C: its variable or the number written; Python:
 *          fd(VAR) or the number), $q its name as a string ("c", "4"), $e
 *          the events poll() waits for (POLLIN|POLLOUT; Python:
 *          select.POLLIN | select.POLLOUT), $k its set of select(), r or w,
 *          $K the same as 0 or 1; @{+:...@} is kept but for the loop's
 *          first socket. $n is the number of sockets in the list; $gN
 *          argument N (in ms) as Python's seconds (0.5).
 * C has `ret`, the locals addr/addrlen, peer/peerlen, buf (of the largest
 * CALL_F_READS length), optval, optlen and lg (struct linger) declared when
 * used (but where a block of the template declares the name itself, as
 * select's { struct timeval tv = ... }); the helpers it calls (done,
 * done_addr, done_data ...) come with it. Python writes into r (r.ret,
 * r.data, r.note); a failure raises. The script's expectation follows the
 * lines: check(), or check_ready() for "= N ( ... )", the sockets found ready.
 */

/* The row of CALL; NULL for SP_CALL_NONE or out of range. */
const struct call_info *call_info(enum sp_call call);
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
/* Whether ioctl() REQUEST takes a value argument (FIONBIO) rather than reporting one. */
int call_ioctl_takes_value(int request);
/* Whether CALL has every flag in FLAGS. */
int call_has(enum sp_call call, unsigned flags);

struct sp_stmt;
struct sp_data;

/*
 * Give the optional arguments ST did not write (from st->nargs to the
 * call's max) their defaults: listen's backlog 128, nonblock 1, flags 0...
 * st->nargs stays the number written, for messages and the script's own text.
 */
void call_fill_defaults(struct sp_stmt *st);

/* What a call's text is made of beyond the statement: the socket and the address as shown. */
struct call_text_in {
	const char *fd;    /* "3"; "%d" in an exported program's format */
	const char *addr;  /* "127.0.0.1:8888"; "%s" in an exported program's format */
	int printf_fmt;    /* the text is a printf format: '%' in the rest is doubled */
	const char *ready; /* poll, select: the sockets as shown, "3 POLLIN, 4 POLLOUT" */
};

/*
 * The transcript text of a call statement from its template: "send(4, \"hi\", 2)".
 * The statement's optional arguments hold their defaults (the parser fills them).
 * Returns the length, as snprintf.
 */
int call_format(const struct sp_stmt *st, const struct call_text_in *in, char *buf, size_t size);

/* The data a send shows: the first bytes escaped, "..." after the quote when there is more. */
void call_data_preview(const struct sp_data *d, char *out, size_t size);

#endif
