/* session.h -- the executor: statements in, actors' results and the kernel's view out. */
#ifndef SOCKPLAY_SESSION_H
#define SOCKPLAY_SESSION_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sockplay/script.h"
#include "sockplay/snapshot.h"

enum sp_event_kind {
	SP_EV_CALL,      /* a call returned (at once, or resumed after blocking) */
	SP_EV_BLOCKED,   /* a call blocked; its SP_EV_CALL comes later */
	SP_EV_TITLE,     /* title "..." */
	SP_EV_SAY,       /* say "..." */
	SP_EV_EXPECT,    /* expect ACTOR NAME STATE was checked (ok says how) */
	SP_EV_FAIL,      /* an expectation on a call failed; text is the message */
	SP_EV_STUCK,     /* an actor stayed blocked past the timeout */
	SP_EV_ERROR,     /* a step could not run (text says why) */
};

struct explain_ctx;

/* What happened; pointers are valid only during the callback. */
struct sp_event {
	enum sp_event_kind kind;
	const char *actor;          /* CALL, BLOCKED, EXPECT, STUCK, FAIL */
	const struct sp_stmt *stmt; /* the statement (NULL for typed-in ones freed since) */
	int line;                   /* its line in the script, 0 when typed */
	enum sp_call call;          /* CALL, BLOCKED */
	const char *text;           /* CALL/BLOCKED: "bind(3, 127.0.0.1:8888)"; SAY/TITLE: the text;
	                               FAIL/STUCK/ERROR: the message; EXPECT: "client c TIME_WAIT" */
	int resumed;                /* CALL: it had blocked */
	int interrupted;            /* CALL: ended by an interrupt from sockplay */
	long long ret;
	int err;
	const unsigned char *data;  /* CALL: bytes received */
	size_t data_len;
	size_t sent_len;            /* CALL: send/sendto: bytes offered */
	const char *note;           /* CALL: "peer 127.0.0.1:49152", "value 1" ... or NULL */
	int fd;                     /* CALL: the socket concerned (new one for socket/accept) */
	int socktype;               /* CALL: its type (SOCK_STREAM, SOCK_DGRAM), 0 unknown */
	const char *sock_name;      /* CALL: its name, "" if none */
	int state;                  /* CALL: TCP state after; EXPECT: the state seen; -1 n/a */
	int want_state;             /* EXPECT: the state expected */
	int ok;                     /* EXPECT: held; CALL: its expectation held (1 when none) */
	int64_t elapsed_ns;         /* CALL */
	const struct explain_ctx *explain; /* CALL: facts for its explanation (explain_step_ctx()), or NULL */
};

typedef void (*session_event_fn)(void *ctx, const struct sp_event *ev);

struct session_opts {
	int timeout_ms;             /* how long a blocked actor may hold up a script */
	session_event_fn on_event;
	void *ctx;
	const char *net_label;      /* "sandbox netns" or "host network", for the snapshot */
	int explain;                /* the snapshot carries the last call's explanation (the TUI's) */
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
/* Number of statements run so far (the step counter segments are linked to). */
unsigned session_steps(const struct session *s);

/* Re-read the kernel's view (sock_diag) of every socket. */
int session_refresh(struct session *s);
/* A snapshot for drawing; valid until the next call on the session. */
const struct snapshot *session_snapshot(struct session *s);

#endif
