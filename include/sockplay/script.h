/* script.h -- the .sp script language: statements, parser and diagnostics. */
#ifndef SOCKPLAY_SCRIPT_H
#define SOCKPLAY_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "sockplay/call.h"

#define SP_NAME_MAX 32          /* actor and socket names, including NUL */
#define SP_MAX_ARGS CALL_MAX_ARGS
#define SP_DATA_MAX (256u << 20) /* largest data a step may send, after "* N" */
#define SP_REPEAT_MAX 1000000
#define SP_RECV_MAX (64u << 20)  /* largest N of recv(fd, N) */
#define SP_ACTORS_MAX 8          /* actors in a script, server and client included */
#define SP_REPEAT_NEST 8         /* deepest nesting of repeat blocks */
#define SP_HOST_MAX 253          /* longest host name */

/* An address as written; resolved to a sockaddr when the call runs. */
enum sp_addr_kind {
	SP_ADDR_IP,      /* a numeric address or a host name: 127.0.0.1:8888, [::1]:80, localhost:8888 */
	SP_ADDR_ANY,     /* *:8888, :0 -- the wildcard address of the socket's family */
	SP_ADDR_UNIX,    /* /path or @abstract */
	SP_ADDR_OF,      /* addr(s) or server.addr(s): where that socket is bound */
	SP_ADDR_UNSPEC,  /* AF_UNSPEC: connect() to it dissolves the association (connect() only) */
};

struct sp_addr {
	enum sp_addr_kind kind;
	uint16_t port;             /* host order; IP and ANY */
	int has_v4, has_v6;        /* IP: which of v4/v6 are filled (none for a name until resolved) */
	struct in_addr v4;         /* IP: the IPv4 address (the first one of a resolved name) */
	struct in6_addr v6;        /* IP: the IPv6 address (the first one of a resolved name) */
	char host[SP_HOST_MAX + 1]; /* IP: the host name as written, "" for a numeric address */
	char path[108];            /* UNIX: path, without the leading '@' when abstract */
	int abstract;              /* UNIX: 1 for @name */
	char actor[SP_NAME_MAX];   /* OF: actor as written, "" for addr(s): the statement's own */
	char name[SP_NAME_MAX];    /* OF: socket name */
	char *text;                /* the spelling in the script, for messages */
};

/* Bytes to send: UNIT repeated COUNT times ("x" * 100000). */
struct sp_data {
	unsigned char *unit; /* may hold NUL bytes; malloc'd */
	size_t unit_len;
	uint64_t count;      /* 1 without "* N" */
};

enum sp_arg_kind {
	SP_ARG_SOCK,  /* a socket: NAME (defined earlier for this actor) or a number (fd) */
	SP_ARG_INT,   /* a number: backlog, length, option value */
	SP_ARG_CONST, /* a constant: AF_INET, SHUT_WR, SO_REUSEADDR ... (value in .num) */
	SP_ARG_FLAGS, /* MSG_* joined with '|' (value in .num), or 0 */
	SP_ARG_ADDR,
	SP_ARG_DATA,
};

/*
 * How each argument is represented (the parser checks shapes per call):
 * socket DOMAIN, TYPE, SHUT_*: CONST; PROTO: CONST (IPPROTO_*) or INT (0, 17);
 * OPTION: CONST with .num the index for consts_opt_at() and .name its
 * spelling; FLAGS: FLAGS, .num the OR of MSG_* (0 allowed); backlog, length,
 * option values and nonblock's 0|1: INT.
 */
struct sp_arg {
	enum sp_arg_kind kind;
	long long num;            /* INT, CONST, FLAGS, SOCK given as a number (name is "") */
	char name[SP_NAME_MAX];   /* SOCK by name; CONST: its spelling */
	struct sp_addr addr;      /* ADDR */
	struct sp_data data;      /* DATA */
	int line, col;            /* where it was written */
};

/* "= ..." after a call. */
struct sp_expect {
	int present;
	int any_error;      /* "= -1" with no errno name */
	long long ret;      /* the value expected */
	int err;            /* errno expected with -1 (0 when any_error) */
	int has_data;       /* recv: a data string after the count */
	struct sp_data data;
	/* getsockopt, ioctl: "(value X)" after the result, as the transcript notes it */
	int has_value;
	long long value;    /* X: an errno (SO_ERROR), a number, 1/0 for on/off, ms for a timeout */
	int value_onoff;    /* X was written on/off: any value other than 0 is on */
	long long value_secs; /* SO_LINGER: the seconds in "(value on, 5 s)", -1 when not written */
	char value_text[40]; /* X as the formatter and messages write it: "ECONNREFUSED", "on, 5 s" */
};

/*
 * poll() and select(): the sockets a readiness call watches, and the "( ... )"
 * after its result. poll: each socket once, with the POLL* events asked for
 * (revents in the expectation). select: each socket once per set it is in,
 * events SP_SEL_READ or SP_SEL_WRITE, in the order written.
 */
#define SP_READY_MAX 16   /* sockets one poll() or select() may watch (entries) */
#define SP_SEL_READ 1
#define SP_SEL_WRITE 2
struct sp_ready_sock {
	char name[SP_NAME_MAX];  /* the socket's name, "" when written as a number */
	int fd;                  /* the number, when name is "" */
	int events;              /* poll: POLL* ; select: SP_SEL_READ or SP_SEL_WRITE */
	int line, col;
};
struct sp_ready {
	int n;
	struct sp_ready_sock s[SP_READY_MAX];
	int expect;              /* "( ... )" was written after "= N" */
	int nexp;
	struct sp_ready_sock exp[SP_READY_MAX]; /* the sockets that must be ready, and how */
};

enum sp_stmt_kind {
	SP_ST_CALL,      /* ACTOR: [NAME =] CALL(ARGS) [= EXPECTED] */
	SP_ST_EXPECT,    /* expect ACTOR NAME STATE */
	SP_ST_TITLE,     /* title "..." */
	SP_ST_SAY,       /* say "..." */
	SP_ST_PAUSE,     /* pause */
	SP_ST_SLEEP,     /* sleep 500ms */
	SP_ST_REPEAT,    /* repeat N ... end */
	SP_ST_EXPECT_SIDE, /* expect ACTOR blocked|free */
	SP_ST_EXPECT_WIRE, /* expect [no] wire [FROM > TO] [FLAGS] [len=N] */
};

/* <blocked> / <at once> after a call: whether it must block. */
enum sp_block {
	SP_BLOCK_ANY = 0,  /* neither written */
	SP_BLOCK_BLOCKED,  /* <blocked>: the actor is seen asleep in the call */
	SP_BLOCK_AT_ONCE,  /* <at once>: it returns without blocking */
};

/*
 * expect wire FROM > TO [FLAGS] len=N: among the segments put on the wire
 * since the most recent call began, one went from a socket of FROM to a socket
 * of TO with exactly FLAGS (and N bytes of payload). expect no wire ...: none
 * of them had every flag of FLAGS (and the length, and the direction, when
 * given). Only TCP segments count.
 */
struct sp_wire_want {
	int negate;              /* "no wire" */
	char from[SP_NAME_MAX];  /* "" : any side */
	char to[SP_NAME_MAX];
	unsigned flags;          /* WIRE_* bits, never 0 */
	int has_len;
	long len;
};

struct sp_stmt {
	enum sp_stmt_kind kind;
	int line, col;                 /* 1-based position of the statement */
	char *source;                  /* the statement's line as written, without the newline */
	char actor[SP_NAME_MAX];       /* CALL, EXPECT */
	char assign[SP_NAME_MAX];      /* CALL: "" or the name that takes the result */
	char assign2[SP_NAME_MAX];     /* CALL: "" or the second name of "a, b = socketpair(...)" */
	enum sp_call call;             /* CALL */
	int nargs;                     /* CALL */
	struct sp_arg args[SP_MAX_ARGS];
	struct sp_expect expect;       /* CALL */
	char name[SP_NAME_MAX];        /* EXPECT: the socket */
	int state;                     /* EXPECT: kernel TCP state number (consts_tcp_state_from_name) */
	char *text;                    /* TITLE, SAY: unescaped UTF-8 */
	long sleep_ms;                 /* SLEEP */
	long repeat;                   /* REPEAT: count */
	struct sp_stmt *body;          /* REPEAT: statements up to "end" */
	size_t nbody;
	enum sp_block blocking;        /* CALL: <blocked> or <at once>, SP_BLOCK_ANY without */
	int side_blocked;              /* EXPECT_SIDE: 1 blocked, 0 free (ACTOR in actor) */
	struct sp_wire_want wire;      /* EXPECT_WIRE */
	struct sp_ready *ready;        /* CALL poll/select: its sockets (malloc'd), else NULL */
};

struct sp_script {
	char *file;             /* as given, for messages */
	char *title;            /* the first title, or NULL */
	struct sp_stmt *stmts;  /* top level */
	size_t n;
	size_t nsteps;          /* statements a full run executes, repeats unrolled; saturates */
};

/* One error: FILE:LINE:COL: error: MESSAGE, with the line and a caret. */
struct sp_diag {
	int line, col;       /* col counts bytes, as clang does; line 0: about the whole file */
	int caret;           /* where the caret goes in SOURCE when that is a window of a
	                        long line (1-based); 0: at col */
	char msg[256];       /* "unknown call 'lisen'; did you mean 'listen'?" */
	char source[256];    /* the offending line, truncated */
};

struct sp_diags {
	struct sp_diag *v;
	size_t n, cap;
	int truncated;       /* more errors were found than kept */
};

/*
 * Names defined so far, per actor. The parser checks that a socket name is
 * defined for its actor before use, and that addr(s) / server.addr(s) name a
 * defined socket. A scope may be seeded (the TUI seeds it from the session).
 */
struct sp_scope;
struct sp_scope *script_scope_new(void);
void script_scope_free(struct sp_scope *scope);
void script_scope_define(struct sp_scope *scope, const char *actor, const char *name);
int script_scope_has(const struct sp_scope *scope, const char *actor, const char *name);

/*
 * Parse a whole script. The file is checked entirely before anything runs:
 * on any error returns -1 with every error found in DIAGS (at most 20) and
 * *OUT untouched; on success returns 0 and *OUT. TEXT need not be
 * NUL-terminated; NUL bytes and invalid UTF-8 are errors, as is a file with
 * no statement.
 */
int script_parse(const char *file, const char *text, size_t len,
		 struct sp_script **out, struct sp_diags *diags);

/*
 * The parser looks up no name: a host name stays in the address (A->host)
 * and is resolved when its call runs. script_addr_resolve fills A's v4/v6
 * from A->host (nothing to do for any other address): 0, or -1 with *WHY
 * saying why. LOCAL_ONLY is the sandbox's rule, which has only lo: nothing
 * outside is asked (a resolver, through the network or a local socket), only
 * "localhost" and names under ".localhost" resolve, to 127.0.0.1 and ::1.
 */
int script_addr_resolve(struct sp_addr *a, int local_only, const char **why);
/* Whether HOST is "localhost" or a name under ".localhost" (RFC 6761), a trailing dot allowed. */
int script_host_is_localhost(const char *host);

/* Read FILE and parse it; a missing file, a directory etc. is a diagnostic at line 0. */
int script_load(const char *file, struct sp_script **out, struct sp_diags *diags);

/*
 * Parse one statement typed at the prompt (no repeat). SCOPE is read and,
 * on success, extended by the statement's assignment. Returns 0 or -1 with
 * one diagnostic in DIAG (line 1).
 */
int script_parse_line(const char *text, struct sp_scope *scope,
		      struct sp_stmt *out, struct sp_diag *diag);

void script_free(struct sp_script *script);
void script_stmt_clear(struct sp_stmt *stmt); /* frees what a stmt owns */
void script_diags_clear(struct sp_diags *diags);

/* Print DIAGS as "FILE:LINE:COL: error: MSG", the line, and a caret line. */
#include <stdio.h>
void script_diags_print(FILE *fp, const char *file, const struct sp_diags *diags);

/*
 * Write STMT back as a script line (without newline) into BUF: the recording
 * of a session is these lines. Returns the length (as snprintf).
 */
int script_stmt_format(const struct sp_stmt *stmt, char *buf, size_t size);

/*
 * A poll() or select() list as a script writes it: "c POLLIN, 3 POLLOUT"
 * (poll) or "r: s c, w: c" (select); entries with a name show the name, the
 * others their fd. Returns the length, as snprintf.
 */
int script_ready_format(enum sp_call call, const struct sp_ready_sock *v, int n, char *buf, size_t size);

/* Walks a script's statements in execution order, unrolling repeat blocks. */
struct sp_cursor {
	struct {
		const struct sp_stmt *v;
		size_t n, i;
		long left;   /* iterations left of this block (1 for the top level) */
	} stack[16];
	int depth;
	size_t done;     /* statements returned so far */
};
void script_cursor_init(struct sp_cursor *cur, const struct sp_script *script);
/* The next statement (never a REPEAT itself), or NULL at the end. */
const struct sp_stmt *script_cursor_next(struct sp_cursor *cur);

#endif
