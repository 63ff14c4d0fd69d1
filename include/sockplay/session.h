/* session.h -- the executor: statements in, actors' results and the kernel's view out. */
#ifndef SOCKPLAY_SESSION_H
#define SOCKPLAY_SESSION_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sockplay/event.h"
#include "sockplay/script.h"
#include "sockplay/snapshot.h"

typedef void (*session_event_fn)(void *ctx, const struct sp_event *ev);

struct session_opts {
	int timeout_ms;             /* how long a blocked actor may hold up a script */
	session_event_fn on_event;
	void *ctx;
	const char *net_label;      /* "sandbox netns" or "host network", for the snapshot */
	int names_local_only;       /* the sandbox: host names other than localhost do not resolve */
};

struct session;

struct session *session_new(const struct session_opts *opts);
/* Interrupts blocked calls, kills and reaps every actor, frees. */
void session_free(struct session *s);

enum session_rc {
	SESSION_OK = 0,      /* ran (a call may have blocked: see the events) */
	SESSION_BUSY = 1,    /* the statement's actor is blocked: wait, then try again */
	SESSION_ERROR = -1,  /* could not run (an SP_EV_ERROR was emitted) */
};

/*
 * Run one statement (not REPEAT). A call waits at most a moment for its
 * result; if it does not come it is reported blocked and the session goes on.
 * Results that other actors' blocked calls get because of this step are
 * reported right after it. PAUSE does nothing here; SLEEP sleeps.
 */
enum session_rc session_exec(struct session *s, const struct sp_stmt *st);

/* Whether the statement's actor (if any) is blocked in a call. */
int session_stmt_waits(const struct session *s, const struct sp_stmt *st);
/*
 * Wait up to TIMEOUT_MS for ACTOR's blocked call to finish (reporting it).
 * Returns 0 when the actor is free, -1 when it is still blocked (an
 * SP_EV_STUCK was emitted).
 */
int session_wait_actor(struct session *s, const char *actor, int timeout_ms);

/* Descriptors to poll for results of blocked calls; returns how many (<= MAX). */
int session_pollfds(const struct session *s, struct pollfd *fds, int max);
/* Read and report whatever results are ready (after poll). */
void session_collect(struct session *s);

/* Interrupt ACTOR's blocked call (-> -1 EINTR), waiting until it returns. */
int session_interrupt(struct session *s, const char *actor);
/*
 * At the end of a script, before the interrupts: wait for the blocked calls
 * that a receive or send timeout (SO_RCVTIMEO, SO_SNDTIMEO) ends by itself
 * within MAX_MS, so that they report what the kernel says (-1 EAGAIN), not an
 * interrupt. Returns how many ended.
 */
int session_wait_timeouts(struct session *s, int max_ms);
/* At the end of a script: interrupt every blocked call. Returns how many were. */
int session_interrupt_all(struct session *s);
/* Whether any actor is blocked. */
int session_any_blocked(const struct session *s);

/* Number of failed expectations and stuck actors so far. */
int session_failures(const struct session *s);

/* Names defined so far per actor, for checking typed statements. */
void session_seed_scope(const struct session *s, struct sp_scope *scope);

/*
 * The actor owning a socket bound or connected at ADDR (as it appears on
 * the wire: local address of one of its sockets), or NULL.
 */
const char *session_addr_owner(const struct session *s, const struct sockaddr_storage *addr);
/* Whether endpoint A is B (family, port, address); WILD: A's address may be the wildcard. */
int session_endpoint_is(const struct sockaddr_storage *a, const struct sockaddr_storage *b, int wild);
/* The port of an AF_INET or AF_INET6 endpoint (host order), 0 for any other. */
unsigned session_endpoint_port(const struct sockaddr_storage *a);
/* Number of statements run so far (the step counter segments are linked to). */
unsigned session_steps(const struct session *s);

/*
 * Programs on stage (--run). A program is a side like an actor, but its calls
 * are its own: traced (trace.h), reported as SP_EV_CALL/SP_EV_BLOCKED like an
 * actor's, its lines as SP_EV_OUTPUT, its processes' start and end as
 * SP_EV_PROCESS; each process it forks is a side NAME.1, NAME.2 ... No
 * statement may call on a program's side (SP_EV_ERROR); expect may look at its
 * sockets, by fd number.
 */
/* A program to put on stage: --run SIDE=COMMAND. */
struct session_run {
	const char *side;
	const char *command;
};
/* Start COMMAND as side SIDE; STEPPING: hold it before each socket call. 0, or -1 with ERR. */
int session_add_program(struct session *s, const char *side, const char *command, int stepping,
			char *err, size_t errlen);
/* Whether SIDE is a program's (or one of its processes'). */
int session_is_program(const struct session *s, const char *side);
/*
 * Read the programs' events until every program is held, blocked in a call
 * whose socket is not ready, or gone, for at most TIMEOUT_MS; then report what
 * actors' calls that released. 0 settled, -1 a program was still running.
 */
int session_settle_programs(struct session *s, int timeout_ms);
/* Let SIDE's held call run (it stops again before its next one). 1 done, 0 nothing held, -1 error. */
int session_program_step(struct session *s, const char *side);
/* FREE 1: SIDE's process runs without stops; 0: held again before its next call. */
int session_program_run(struct session *s, const char *side, int free_run);
/* Interrupt SIDE's blocked call as Ctrl-C would (SIGINT). 1 sent, 0 nothing blocked, -1 error. */
int session_program_interrupt(struct session *s, const char *side);
/* Whether program side SIDE is held before a call (for stepping at the --play pace). */
int session_program_held(const struct session *s, const char *side);
/* Number of program sides whose process crashed or exited with a status other than 0. */
int session_programs_failed(const struct session *s);

/*
 * The capture expect wire reads (the caller's, drained and settled by it after
 * each step), or NULL with WHY_OFF saying why there is none: then every expect
 * wire fails with that reason, as nothing could be checked.
 */
struct wire;
void session_set_wire(struct session *s, struct wire *w, const char *why_off);

/* Re-read the kernel's view (sock_diag) of every socket. */
int session_refresh(struct session *s);
/* A snapshot for drawing; valid until the next call on the session. */
const struct snapshot *session_snapshot(struct session *s);

#endif
