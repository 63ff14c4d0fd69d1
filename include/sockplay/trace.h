/* trace.h -- a real program as a side: its socket calls traced, decoded and stepped one at a time. */
#ifndef SOCKPLAY_TRACE_H
#define SOCKPLAY_TRACE_H

/*
 * Programs on stage (--run): this module traces a program; the session
 * (session.c) adopts it as a side, as described under "Integration" below.
 *
 * How it works. trace_start() forks a small tracer process (a fork of
 * sockplay, no exec) and returns at once with the program started under it.
 * The tracer forks the program, which asks to be traced (PTRACE_TRACEME),
 * installs a seccomp filter and execs COMMAND. The filter answers
 * SECCOMP_RET_TRACE for the socket-related system calls only (the list is
 * enum trace_call) and SECCOMP_RET_ALLOW for every other, so a program that
 * computes or reads files runs at full speed. ptrace (not
 * SECCOMP_RET_USER_NOTIF) because a user notification only lets the
 * supervisor allow a call or make it itself: it never sees the result the
 * program gets, while ptrace stops the program before the call (the seccomp
 * stop) and after it (the syscall-exit stop) with the result in its registers
 * and the data still in its memory; it also follows forks and threads
 * (PTRACE_O_TRACEFORK/VFORK/CLONE) and kills every traced process if the
 * tracer dies (PTRACE_O_EXITKILL). The program inherits the caller's network
 * namespace (sockplay's sandbox is made before anything forks) and sees the
 * host's files; it runs with no_new_privs (needed to install the filter
 * without privileges), so set-uid programs do not gain privileges.
 *
 * read, write and close are handed to the tracer for every descriptor (a
 * filter cannot see what a descriptor is); the tracer lets those on
 * non-sockets go at once, without an exit stop and without an event. fcntl is
 * stopped only for F_SETFL and ioctl only for FIONBIO: the two ways to change
 * blocking.
 *
 * The caller (the UI's single loop) polls trace_fd() and reads events with
 * trace_next(); it sends commands (trace_step, trace_run, trace_interrupt)
 * that the tracer carries out. No threads, no busy waiting: the tracer sleeps
 * in poll() on a signalfd for SIGCHLD, the command socket and the program's
 * output; while the program's calls come one after another it waits in a
 * blocking waitpid() instead, cut every 5 ms by SIGALRM to serve the rest,
 * back to poll() at the first tick without a call. It looks at a call that
 * has not returned after TRACE_BLOCK_MS and reports it blocked once the
 * thread sleeps in it (/proc state S). Results of a free program's calls
 * reach the caller in batches, within 2 ms; anything else (a held or blocked
 * call, a blocked call returning, output, a process starting or ending) at
 * once, with those before it:
 * the order of events is always the order things happened in.
 *
 * Costs (bench/run.sh, 10 000 send/recv pairs, not stepped): about 1.4x the
 * time of a bare tracer stopping the same calls and doing nothing else.
 *
 * Sides. The program is side NAME; each process it forks becomes side
 * NAME.1, NAME.2 ... numbered per parent in creation order (a child of
 * server.1 is server.1.1). Threads share their process's side; each call
 * carries the thread id.
 *
 * Names in the text (trace_format): the call is named as the C library
 * function a program would write for it, where the system call says which:
 * sendto with no address is "send", recvfrom with no address is "recv",
 * accept4 with no flags is "accept" (with flags "accept4(3, SOCK_CLOEXEC)");
 * every other call keeps its system call's name (read, write, sendmsg,
 * recvmsg, pselect6 is "pselect", ppoll, epoll_pwait ...). Compared with
 * `strace -e trace=network,close`: the same calls in the same order, with
 * those names mapped, plus read/write/poll/select/fcntl/ioctl on sockets
 * (not in strace's network class) and minus close of non-sockets.
 *
 * Results. A call a signal cuts short (the kernel's ERESTART* codes) is
 * reported as -1 EINTR; if the kernel restarts it (SA_RESTART), the restarted
 * call comes as a new call. The socket's cookie, type, TCP state and addresses
 * are read after each call through pidfd_getfd(); after a send or receive that
 * moved bytes, from what the socket's last other call saw (a busy program's
 * calls stay cheap; the descriptor cache is voided by close, dup2, dup3,
 * close_range and exec, so the identity is never another socket's); the
 * kernel view has the live state.
 *
 * Calls the C library makes on its own behalf are marked (ev->libc): a
 * netlink socket (getaddrinfo's interface probe) and the name service cache
 * probe (socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK) and a
 * connect to /var/run/nscd/socket or /run/nscd/socket), and every later call
 * on such a socket. They are reported but never held for a step.
 *
 * Integration: the session keeps one struct trace per --run
 * side, adds trace_fd() to its poll set, turns TRACE_EV_CALL and
 * TRACE_EV_BLOCKED into struct sp_event with trace_sp_event() and prints them
 * through transcript_event() like an actor's (the JSON "call" then needs
 * trace_call_name(tcall) where req.call is SP_CALL_NONE: poll, select,
 * epoll, socketpair, getsockname, getpeername); the kernel view matches
 * res.cookie like an actor's socket. The TUI shows the held TRACE_EV_ENTER as
 * "next: accept(3)" and answers n/Space with trace_step(tid), p with
 * trace_run(pid, 1), i with trace_interrupt(pid, SIGINT). --batch runs with
 * stepping off and waits on trace_settled(), and, since a result may still be
 * on its way when a step has just woken a blocked call, on the woken thread
 * and its socket too (session_settle_programs()).
 */

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sockplay/actor.h"
#include "sockplay/event.h"

#define TRACE_SIDE_MAX 48    /* "server.1.2" */
#define TRACE_TEXT_MAX 512   /* the call as text: "send(4, \"Hello\", 5)" */
#define TRACE_NOTE_MAX 256   /* decoded results: "peer 127.0.0.1:41234" */
#define TRACE_DATA_MAX 4096  /* bytes of data read from the program per call */
#define TRACE_LINE_MAX 1024  /* an output line longer than this comes in pieces */
#define TRACE_BLOCK_MS 20    /* a call running this long is looked at: asleep means blocked */

/* The system calls handed to the tracer. */
#define TRACE_CALLS(X)                \
	X(TRACE_SOCKET, "socket")             \
	X(TRACE_SOCKETPAIR, "socketpair")     \
	X(TRACE_BIND, "bind")                 \
	X(TRACE_LISTEN, "listen")             \
	X(TRACE_CONNECT, "connect")           \
	X(TRACE_ACCEPT, "accept")             \
	X(TRACE_ACCEPT4, "accept4")           \
	X(TRACE_SENDTO, "sendto")             \
	X(TRACE_SENDMSG, "sendmsg")           \
	X(TRACE_RECVFROM, "recvfrom")         \
	X(TRACE_RECVMSG, "recvmsg")           \
	X(TRACE_READ, "read")                 \
	X(TRACE_WRITE, "write")               \
	X(TRACE_CLOSE, "close")               \
	X(TRACE_SHUTDOWN, "shutdown")         \
	X(TRACE_SETSOCKOPT, "setsockopt")     \
	X(TRACE_GETSOCKOPT, "getsockopt")     \
	X(TRACE_GETSOCKNAME, "getsockname")   \
	X(TRACE_GETPEERNAME, "getpeername")   \
	X(TRACE_FCNTL, "fcntl")               \
	X(TRACE_IOCTL, "ioctl")               \
	X(TRACE_POLL, "poll")                 \
	X(TRACE_PPOLL, "ppoll")               \
	X(TRACE_SELECT, "select")             \
	X(TRACE_PSELECT6, "pselect6")         \
	X(TRACE_EPOLL_WAIT, "epoll_wait")     \
	X(TRACE_EPOLL_PWAIT, "epoll_pwait")

enum trace_call {
	TRACE_NONE = 0,
#define TRACE_X(e, n) e,
	TRACE_CALLS(TRACE_X)
#undef TRACE_X
	TRACE_CALL_COUNT
};

enum trace_ev_kind {
	TRACE_EV_ENTER = 1,  /* a call is about to run (held: the program waits for trace_step);
	                        sent for held calls, or for all with opts.enter_events */
	TRACE_EV_BLOCKED,    /* the call is asleep in the kernel */
	TRACE_EV_CALL,       /* the call returned: res holds the result */
	TRACE_EV_OUTPUT,     /* one line the program wrote (stream 1 or 2), raw bytes, no newline */
	TRACE_EV_SPAWN,      /* a new process: side NAME.N (parent_side says whose child) */
	TRACE_EV_END,        /* a process ended: how says "exited 0" or "killed by SIGSEGV" */
};

struct trace_event {
	enum trace_ev_kind kind;
	char side[TRACE_SIDE_MAX];   /* the process's side: "server", "server.1" */
	pid_t pid, tid;              /* its process and the thread that made the call */
	/* ENTER, BLOCKED, CALL */
	enum trace_call tcall;       /* the system call */
	int nr;                      /* its number */
	long long args[6];           /* its raw arguments */
	int held;                    /* ENTER: the thread waits for trace_step() */
	int libc;                    /* made by the C library on its own behalf */
	int resumed;                 /* CALL: it had been reported blocked */
	char text[TRACE_TEXT_MAX];   /* the call as the transcript writes it: "accept(3)" */
	struct actor_req req;        /* the call in the actors' shape; req.call is the nearest
	                                script call (SP_CALL_NONE for poll, select, ...);
	                                req.unit points into data for send-like calls */
	struct actor_res res;        /* CALL: the result in the actors' shape (cookie, tcp_state,
	                                local, peer from the program's socket; res.data: bytes read) */
	size_t sent_len;             /* send-like calls: bytes offered */
	int socktype;                /* CALL: the socket's SO_TYPE (SOCK_STREAM ...), 0 unknown */
	char note[TRACE_NOTE_MAX];   /* CALL: decoded results: "peer 127.0.0.1:41234", "value 1" */
	/* OUTPUT */
	int stream;                  /* 1 stdout, 2 stderr */
	/* END */
	int status;                  /* exit code, or the signal that killed it */
	int signaled;
	char how[64];                /* "exited 0", "killed by SIGSEGV" */
	/* SPAWN */
	char parent_side[TRACE_SIDE_MAX];
	/* OUTPUT: the line; send-like ENTER/CALL: the first bytes offered (req.unit);
	   END: the last line the process wrote to stderr (a traceback's last line), raw */
	unsigned char *data;         /* malloc'd, owned by the event */
	size_t data_len;
};

struct trace_opts {
	const char *side;      /* the program's side: "server" */
	int stepping;          /* 1: hold every call (but the C library's) until trace_step() */
	int enter_events;      /* 1: an ENTER event for every call; 0: only for held ones (a free
	                          program's CALL carries the call too, BLOCKED says it is pending) */
	size_t data_max;       /* bytes read from the program per call (0: TRACE_DATA_MAX) */
};

struct trace;

/*
 * Split COMMAND into words as a shell does (spaces, 'single' and "double"
 * quotes, backslashes). Returns a NULL-terminated malloc'd vector (free with
 * trace_argv_free) or NULL with the reason in ERR (an unmatched quote, empty
 * command). *SHELL is set to 1 when COMMAND uses shell syntax a split cannot
 * carry out ($, `, |, &, ;, <, >, (, ), globs, ~, a leading VAR=value, #):
 * run it as sh -c COMMAND then.
 */
char **trace_split(const char *command, int *shell, char *err, size_t errlen);
void trace_argv_free(char **argv);

/*
 * Start COMMAND (split by trace_split; through "sh -c" when it has shell
 * syntax) as a traced program. Returns NULL with one line in ERR naming the
 * command and the reason when it cannot be started (not found, not
 * executable, ptrace or seccomp refused). The program's stdout and stderr
 * are pipes, its stdin /dev/null; it gets PYTHONUNBUFFERED=1 (C's stdio
 * buffers a pipe fully: a C program's lines come when it flushes or ends).
 * Its lines are read at its next stop after it wrote them, so they come in
 * their place among its calls, on the side of the process that wrote them.
 */
struct trace *trace_start(const char *command, const struct trace_opts *o, char *err, size_t errlen);
/* The same with ARGV as is (ARGV[0] searched in PATH). */
struct trace *trace_start_argv(char *const argv[], const struct trace_opts *o, char *err, size_t errlen);
/* The program's process id (its first process). */
pid_t trace_pid(const struct trace *t);
/* The descriptor to poll (POLLIN: an event is ready, or the tracer is done). */
int trace_fd(const struct trace *t);
/*
 * Read one event without blocking. 1: *EV filled (clear it with
 * trace_event_clear); 0: none ready; -1: the trace is over (every process
 * ended, all output read).
 */
int trace_next(struct trace *t, struct trace_event *ev);
/* The same, waiting up to TIMEOUT_MS (-1 forever) for one. */
int trace_wait(struct trace *t, struct trace_event *ev, int timeout_ms);
void trace_event_clear(struct trace_event *ev);

/* Let thread TID's held call run; it stops again before its next socket call. 0 or -1. */
int trace_step(struct trace *t, pid_t tid);
/* FREE 1: process PID (0: all, and those forked later) runs without being held; 0: held again. */
int trace_run(struct trace *t, pid_t pid, int free);
/* Send SIG to process PID (0: the first): SIGINT interrupts a blocked call as Ctrl-C would. */
int trace_interrupt(struct trace *t, pid_t pid, int sig);
/*
 * Whether nothing is running any more: every thread is held, blocked in a
 * call, or gone (what --batch waits for before a statement). 1 or 0, from the
 * events read so far.
 */
int trace_settled(const struct trace *t);
/* Kill every traced process (and their children), reap them and the tracer, free. NULL is fine. */
void trace_free(struct trace *t);

/* "accept4" for TRACE_ACCEPT4; NULL when out of range. */
const char *trace_call_name(enum trace_call c);

/*
 * A CALL or BLOCKED event as struct sp_event, to go through the transcript
 * and the panes like an actor's call: ev->text, note and data point into TE;
 * ev->libc carries the C library's mark (transcript_call_text() writes it) and
 * ev->call_label the call's name where ev->call is SP_CALL_NONE ("poll").
 */
void trace_sp_event(const struct trace_event *te, struct sp_event *ev);
/*
 * The transcript line's call part (what transcript_call_text writes for an
 * actor): "accept(3) = 4 (peer 127.0.0.1:41234)", "accept(3) <blocked>",
 * then " (by the C library)" for the C library's own calls. An
 * ENTER event gives the call alone; OUTPUT the escaped line; END its how.
 */
size_t trace_format(const struct trace_event *te, char *buf, size_t size);

#endif
