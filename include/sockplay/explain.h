/* explain.h -- what each call did in the kernel, what an errno means, the same line in Python and C. */
#ifndef SOCKPLAY_EXPLAIN_H
#define SOCKPLAY_EXPLAIN_H

#include <stddef.h>

#include "sockplay/call.h"
#include "sockplay/script.h"

/* What CALL does in the kernel when it succeeds (one or two sentences). */
const char *explain_call(enum sp_call call);
/* What ERR means ("nothing listens at that address and port"), or NULL. */
const char *explain_errno(int err);
/* The likely mistake when CALL fails with ERR ("did the server call listen()?"), or NULL. */
const char *explain_mistake(enum sp_call call, int err);
/* The equivalent line of Python, in the tutorial's style ("server_socket.listen(5)"). */
const char *explain_python(enum sp_call call);
/* The equivalent line of C ("listen(fd, 5);"). */
const char *explain_c(enum sp_call call);

/*
 * The explanation of one step, part by part; a part that does not apply is "".
 * A call that failed with an errno has ERRNAME, MEANING and maybe MISTAKE; any
 * other has WHAT (and PARTIAL when send() took only part of its bytes). A
 * call has PYTHON and C. Texts are cut at a UTF-8 character boundary.
 */
#define EXPLAIN_TEXT_MAX 2048
#define EXPLAIN_CODE_MAX 512
struct explain {
	char errname[32];                   /* the errno's name: "ECONNREFUSED" */
	char meaning[EXPLAIN_TEXT_MAX];     /* what the errno means ("nothing listens at ...") */
	char mistake[EXPLAIN_TEXT_MAX];     /* the likely mistake ("did the server call listen()?") */
	char what[EXPLAIN_TEXT_MAX];        /* what happened in the kernel */
	char partial[EXPLAIN_TEXT_MAX];     /* send(): the bytes it did not take */
	char python[EXPLAIN_CODE_MAX];      /* the line of Python ("s.listen(5)") */
	char c[EXPLAIN_CODE_MAX];           /* the line of C ("listen(s, 5);") */
};

/* The parts in the order they are read, each one line when shown. */
enum explain_part {
	EXPLAIN_MEANING,  /* "ECONNREFUSED: Connection refused: ..." */
	EXPLAIN_MISTAKE,  /* "Likely: ..." */
	EXPLAIN_WHAT,
	EXPLAIN_PARTIAL,
	EXPLAIN_PYTHON,   /* "Python: ..." */
	EXPLAIN_C,        /* "C: ..." */
	EXPLAIN_PARTS
};

/* The general explanation of CALL on a socket of SOCKTYPE that returned RET (ERR when it failed). */
void explain_result(enum sp_call call, int socktype, long long ret, int err, struct explain *ex);

/* Part P of EX with its label, into BUF (bounded, NUL-terminated); 0 when the part is empty. */
size_t explain_line(const struct explain *ex, enum explain_part p, char *buf, size_t size);

/*
 * Every part of EX with its label, one line each, joined with '\n': the text
 * --batch --explain prints. Returns the length written, never writes more than
 * SIZE bytes (NUL included), always NUL-terminates when SIZE > 0 and never cuts
 * a UTF-8 character in two.
 */
size_t explain_text(const struct explain *ex, char *buf, size_t size);

/*
 * What CALL does on a socket of type SOCKTYPE (SOCK_STREAM, SOCK_DGRAM): a
 * datagram socket gets the UDP text where UDP behaves differently (connect()
 * sends no SYN, close() no FIN). explain_call() is it for SOCK_STREAM.
 */
const char *explain_call_type(enum sp_call call, int socktype);

/*
 * What one step did to a TCP connection, for explain_join(): the call and its
 * result, the TCP states before and after of the caller's socket and of the
 * socket at the other end (the kernel's numbers: TCP_ESTABLISHED = 1 ...
 * TCP_CLOSING = 11; TCP_CLOSE = 7 also for a socket that is gone; -1 when
 * unknown), and the flags of the segments the step put on the wire.
 */
struct explain_conn {
	enum sp_call call;
	int socktype;                 /* SOCK_STREAM, SOCK_DGRAM */
	long long ret;
	int err;
	int blocked;                  /* the call has not returned yet */
	int before, after;            /* the caller's socket */
	int peer_before, peer_after;  /* the other end, -1 when not one of the playground's */
	unsigned sent, received;      /* TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08,
	                                 ACK 0x10) of what the caller's socket sent / received */
	int data_sent;                /* a segment or datagram it sent carried data */
	const char *me, *peer;        /* the actors ("client", "server"); PEER NULL when unknown */
};

/*
 * Sentences that join the call, the segments and the states ("close() sent
 * FIN; the client is in FIN_WAIT1, FIN_WAIT2 once the ACK arrives; the server
 * is in CLOSE_WAIT until it closes too.") into BUF; "" (returns 0) when there
 * is nothing to add to the call's own explanation. The texts are whole sentences in
 * explain.c's table; {me} and {peer} in them stand for the actors' names.
 */
size_t explain_join(const struct explain_conn *c, char *buf, size_t size);

struct sp_stmt;

/* Who holds the port that a bind() or listen() found taken (EADDRINUSE). */
enum explain_holder {
	EXPLAIN_HOLDER_UNKNOWN = 0,
	EXPLAIN_HOLDER_SOCKET,  /* an open socket of the session */
	EXPLAIN_HOLDER_CLOSED,  /* a socket of the session that was closed and lives on in the kernel */
	EXPLAIN_HOLDER_OUTSIDE, /* no socket of the session: a program outside sockplay (host network) */
};

/* Why close() sent RST instead of FIN. */
enum explain_rst {
	EXPLAIN_RST_UNKNOWN = 0, /* not known, or no RST */
	EXPLAIN_RST_LINGER0,     /* SO_LINGER was on with 0 seconds */
	EXPLAIN_RST_UNREAD,      /* bytes were left unread in the receive buffer (rq_before of them) */
};

/* Why a socket that a poll() or select() reported was ready (explain_ctx.ready). */
#define EXPLAIN_READY_DATA    0x01u /* bytes wait in its receive queue (rq of them; 0: a count unknown) */
#define EXPLAIN_READY_FIN     0x02u /* the peer closed its side (a FIN came): recv() returns 0 */
#define EXPLAIN_READY_PENDING 0x04u /* a listener: connections wait in its accept queue (rq of them) */
#define EXPLAIN_READY_ERROR   0x08u /* an error is pending on it (POLLERR) */
#define EXPLAIN_READY_SPACE   0x10u /* there is room in its send buffer */
#define EXPLAIN_READY_HUP     0x20u /* no connection in either direction any more (POLLHUP) */
#define EXPLAIN_READY_NVAL    0x40u /* not an open descriptor (POLLNVAL): closed, or never opened */
struct explain_ready_sock {
	char label[SP_NAME_MAX + 12]; /* "c", or "4" for a socket without a name */
	unsigned why;                 /* EXPLAIN_READY_* */
	unsigned rq;
};
struct explain_ready {
	int n;                        /* the sockets that were ready, each once */
	int timeout_ms;               /* the call's timeout, -1 none */
	struct explain_ready_sock s[SP_READY_MAX];
};

/*
 * What the session knows about a step beyond its call and result, for
 * explain_stmt(). A field left unknown (-1, 0, NULL) is not used: the
 * text is then the general one.
 */
struct explain_ctx {
	int state_after;        /* the kernel's TCP state of the caller's socket after the step
	                           (TCP_CLOSE, 7, also when the kernel no longer has it); -1 unknown */
	int peer_closed;        /* TCP: the program at the other end had closed its socket before the step */
	int port;               /* EADDRINUSE: the port that is taken (host order); 0 unknown */
	enum explain_holder holder;          /* EADDRINUSE: who holds it */
	const char *holder_actor;            /* "server" */
	const char *holder_name;             /* "s", "" when unnamed */
	int holder_fd;                       /* its descriptor (before close() for a closed one) */
	int holder_state;                    /* the kernel's TCP state of it, -1 unknown */
	int holder_type;                     /* SOCK_STREAM, SOCK_DGRAM */
	int holder_pid;                      /* OUTSIDE: the process that has it open, 0 unknown */
	const char *holder_comm;             /* OUTSIDE: that process's command name */
	/* The fields below are unknown when 0 (so a zeroed context says nothing). */
	int state_before;       /* the kernel's TCP state of the caller's socket before the step */
	int rq_known;           /* rq_before and rq_after are the kernel's Recv-Q of the caller's socket */
	unsigned rq_before, rq_after;
	enum explain_rst close_rst;          /* close(): why it sent RST instead of FIN */
	int unbound;            /* the socket had no local address before the step (listen() binds it) */
	int never_connected;    /* the socket never had a peer (send() on it: EPIPE) */
	const char *bound_actor;             /* ECONNREFUSED: the actor whose socket is bound to that */
	const char *bound_name;              /*   port but does not listen, its name ("" unnamed) */
	int bound_fd;                        /*   and descriptor */
	int peer_rq_known;      /* UDP send: peer_rq is the kernel's Recv-Q of the receiving socket */
	unsigned peer_rq;
	int family;             /* the caller's socket's address family (AF_UNIX ...), 0 unknown */
	const struct explain_ready *ready;   /* poll(), select(): why each ready socket was ready */
};

/*
 * The explanation of the call ST, its Python and C lines those of
 * explain_code(), fitted to the case with what CX says (NULL: nothing more is
 * known): the option setsockopt() changed, the state the socket is really in
 * after the step, the RST a send to a closed peer draws, the socket that
 * holds a port, the ICMP behind a UDP ECONNREFUSED, the FIN that the rq column
 * counts.
 */
void explain_stmt(const struct sp_stmt *st, int socktype, long long ret, int err, const struct explain_ctx *cx,
		  struct explain *ex);

struct sp_event;
/*
 * The explanation of a call event (SP_EV_CALL): explain_stmt() with its facts
 * when it is a statement's, else explain_result() (a program's call).
 */
void explain_event(const struct sp_event *ev, struct explain *ex);

/*
 * Whether the session runs in sockplay's private network (set once at
 * start): then a refused connect to 127.0.0.1 says that programs outside
 * cannot be reached from it. Off by default.
 */
void explain_set_sandbox(int on);

/*
 * The statement ST itself as one line of Python (PYTHON 1) or C, with the
 * script's names, address, data and flags: "c.send(b\"x\" * 10000000)",
 * "send(c, buf, 10000000, 0); ...". Returns the length, 0 when ST is not a
 * call (BUF is then "").
 */
size_t explain_code(const struct sp_stmt *st, int python, char *buf, size_t size);

#endif
