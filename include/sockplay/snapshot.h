/* snapshot.h -- plain data that the UI draws: no pointers into the session's innards. */
#ifndef SOCKPLAY_SNAPSHOT_H
#define SOCKPLAY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define SNAP_ADDR_MAX 64
#define SNAP_LINE_MAX 200

/* One socket of an actor: what the program knows merged with what the kernel says. */
struct snap_sock {
	char name[32];          /* "s", "conn", "" when unnamed */
	int fd;
	int closed;             /* close() returned: listed while the kernel still has it */
	int family, type;       /* AF_*, SOCK_* */
	uint64_t cookie;        /* SO_COOKIE, 0 when not known */
	struct sockaddr_storage local_sa, peer_sa; /* the addresses; length 0 when not known */
	socklen_t local_len, peer_len;
	int has_peer;           /* connected: PEER_SA is a peer (TCP, connected UDP, Unix) */
	char local[SNAP_ADDR_MAX]; /* LOCAL_SA and PEER_SA as text, for drawing: "127.0.0.1:8888", "-" */
	char peer[SNAP_ADDR_MAX];
	int in_kernel;          /* the kernel listed it at the last refresh */
	int state;              /* enum sp_tcp_state (UDP, Unix: ESTABLISHED or CLOSE); -1 unknown */
	uint32_t rq, wq;        /* for a listener: accept queue / backlog */
	uint32_t rtt_us, cwnd, unacked, retrans;
	int has_info;
	uint32_t timer_ms;      /* TIME_WAIT etc.: time left */
};

enum snap_line_kind {
	SNAP_LINE_OK,       /* a call that returned >= 0 */
	SNAP_LINE_ERR,      /* a call that returned -1, a failed expectation */
	SNAP_LINE_BLOCKED,  /* "accept(3) <blocked>" */
	SNAP_LINE_INFO,     /* say, expect ok ... */
};

struct snap_line {
	enum snap_line_kind kind;
	char text[SNAP_LINE_MAX]; /* as in the transcript, without the [actor] prefix */
};

struct snap_actor {
	char name[32];
	pid_t pid;
	int blocked;                /* a call is in the kernel */
	char blocked_call[SNAP_LINE_MAX]; /* "accept(3)" */
	long long blocked_ns;       /* for how long */
	struct snap_sock *socks;
	size_t nsocks;
	struct snap_line *log;      /* oldest first, the last SNAP_LOG_KEEP */
	size_t nlog;
	/* a program's side (--run) */
	int program;                /* 1: its calls are a real program's, not statements */
	int held;                   /* it waits before NEXT_CALL for a step */
	char next_call[SNAP_LINE_MAX]; /* "accept(3)" */
	int free_run;               /* it runs without stops */
	int ended;                  /* the process is gone: HOW says how */
	char how[SNAP_LINE_MAX];    /* "exited 0", "killed by SIGSEGV" */
	char command[SNAP_LINE_MAX]; /* the command line, on the program's first side */
};

#define SNAP_LOG_KEEP 200

struct snapshot {
	struct snap_actor *actors;
	size_t nactors;
	const char *net_label;      /* "sandbox netns", "host network" */
	int failures;
};

#endif
