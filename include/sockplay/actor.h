/* actor.h -- one child process per side, making real socket calls on request. */
#ifndef SOCKPLAY_ACTOR_H
#define SOCKPLAY_ACTOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "sockplay/call.h"

/* A call, fully resolved: numbers and sockaddrs, no names. */
struct actor_req {
	uint32_t seq;
	enum sp_call call;
	int fd;                        /* the socket, for every call but socket() */
	int domain, type, proto;       /* socket() */
	int num;                       /* listen backlog, recv length, shutdown how, nonblock on/off */
	int flags;                     /* MSG_* for send/recv/sendto/recvfrom */
	int opt_level, opt_name;       /* setsockopt/getsockopt */
	int opt_kind;                  /* enum sp_opt_kind */
	int opt_vals[2];               /* setsockopt values (SO_LINGER: on, seconds) */
	struct sockaddr_storage addr;  /* bind, connect, sendto; unlink: the path, as a sockaddr_un */
	socklen_t addrlen;
	const unsigned char *unit;     /* send/sendto data: UNIT repeated COUNT times */
	size_t unit_len;
	uint64_t count;
};

enum actor_res_kind {
	ACTOR_RES_DONE = 1,     /* the call returned (whether it blocked is seen from outside: actor_activity()) */
};

/* What a call did. */
struct actor_res {
	uint32_t seq;
	enum actor_res_kind kind;
	long long ret;                 /* the syscall's return value */
	int err;                       /* errno when ret == -1, else 0 */
	int64_t elapsed_ns;            /* time spent in the call */
	int interrupted;               /* an actor_interrupt() signal came during the call */
	int fd;                        /* the socket the result is about (the new one for socket/accept), -1 if none */
	uint64_t cookie;               /* SO_COOKIE of a new socket (socket, accept), else 0 */
	int tcp_state;                 /* TCP state of fd after the call (tcpi_state), -1 when not TCP or closed */
	int have_names;                /* local/peer below are filled: the call may have moved them */
	struct sockaddr_storage local; /* getsockname(fd) after the call; family AF_UNSPEC if none */
	socklen_t local_len;
	struct sockaddr_storage peer;  /* accept/recvfrom: the peer; others: getpeername(fd) if connected */
	socklen_t peer_len;
	int opt_vals[2];               /* getsockopt result (SO_LINGER: on, seconds) */
	unsigned char *data;           /* recv/recvfrom: the bytes read (malloc'd, owned by the result) */
	size_t data_len;
	int fd2;                       /* socketpair(): the second socket (fd is the first), -1 if none */
	uint64_t cookie2;              /* its SO_COOKIE */
};

struct actor;

/*
 * Fork an actor called NAME. Its first socket gets fd 3, as in a fresh
 * program; it dies with its parent (PR_SET_PDEATHSIG). Returns NULL with a
 * message in ERR on failure.
 */
struct actor *actor_spawn(const char *name, char *err, size_t errlen);
const char *actor_name(const struct actor *a);
pid_t actor_pid(const struct actor *a);
/* The descriptor to poll for results (readable when one is complete or EOF). */
int actor_result_fd(const struct actor *a);
/* Send a request. 0 or -1 (the actor died). */
int actor_send(struct actor *a, const struct actor_req *req);
/*
 * Read one result; blocks until a whole message is there (poll first).
 * Returns 1 with *RES filled, 0 at EOF (the actor died), -1 on error.
 */
int actor_recv(struct actor *a, struct actor_res *res);
enum actor_activity {
	ACTOR_UNKNOWN,
	ACTOR_RUNNING,  /* on a CPU or about to be: a call is making progress */
	ACTOR_IN_CALL,  /* asleep inside a socket call: blocked */
	ACTOR_BETWEEN,  /* reading its next request or writing a result: the last call returned */
};
/* What the actor is doing right now, from /proc (we are its parent). */
enum actor_activity actor_activity(const struct actor *a);
/* Interrupt a blocked call: SIGUSR1, whose handler has no SA_RESTART (-> EINTR). */
int actor_interrupt(struct actor *a);
/* Kill (SIGKILL) and reap the actor, free it. NULL is fine. */
void actor_free(struct actor *a);
void actor_res_clear(struct actor_res *res);

#endif
