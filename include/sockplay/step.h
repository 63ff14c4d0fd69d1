/* step.h -- one step as --batch and the TUI run it: the statement, its segments, the states it changed. */
#ifndef SOCKPLAY_STEP_H
#define SOCKPLAY_STEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sockplay/event.h"
#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/snapshot.h"
#include "sockplay/wire.h"

/*
 * After a step that put segments on the wire, the peer's reply (the ACK of a
 * FIN ...) may reach the capture a moment after the call returned: the wire is
 * waited on until it has been quiet this long (at most STEP_SETTLE_MAX_US), so
 * each segment counts for the step that caused it, the same on every run.
 */
#define STEP_QUIET_US 200
#define STEP_SETTLE_MAX_US 50000
#define STEP_TRANS_MAX 8
#define STEP_JOIN_MAX 1024

/* A TCP socket whose state the step changed. */
struct step_trans {
	char actor[SP_NAME_MAX];
	char name[SP_NAME_MAX];     /* "" when unnamed: FD says which */
	int fd;
	int from, to;               /* enum sp_tcp_state; SP_TCP_CLOSE also for "gone" */
	int main;                   /* the socket the step's call was about */
	int reset;                  /* an RST went on its connection in the step */
};

/* What a runner's owner does at its moments; every hook may be NULL. */
struct step_hooks {
	void (*segments)(void *ctx);  /* segments of the step were read from the capture */
	void (*late)(void *ctx);      /* the result is known; late segments are waited for next */
	void (*changed)(void *ctx);   /* the kernel's view was read again and the step's changes worked out */
	void *ctx;
	int drain_max;                /* batches of segments read right after the step; 0: until none is left */
	int programs_ms;              /* >= 0: the programs on stage run until they settle, at most this long; -1 not */
	int track;                    /* work out the changes: state transitions and the joining sentence */
	int no_sleep;                 /* a sleep statement is not run (the caller keeps time itself) */
};

struct step_was;

struct step {
	struct session *s;
	struct wire *w;               /* the capture, NULL when it is off */
	struct step_hooks h;
	uint32_t id;                  /* the step the segments are tagged with */
	const struct sp_stmt *stmt;   /* the statement running */
	struct {                      /* its call, as the statement and its events tell it */
		int set, blocked;
		char actor[SP_NAME_MAX], name[SP_NAME_MAX];
		int fd, socktype, err;
		enum sp_call call;
		long long ret;
	} call;
	struct step_was *was;         /* TCP sockets before the step */
	size_t nwas, capwas, was_next;
	/* what the step changed (with h.track), worked out again when late segments came */
	struct step_trans trans[STEP_TRANS_MAX]; /* the call's socket first */
	int ntrans;
	char join[STEP_JOIN_MAX];     /* explain_join() of the call when it returned, "" none */
	char join_wait[STEP_JOIN_MAX]; /* ... when it blocked */
	int join_type;                /* the socket type of the call JOIN is about */
};

void step_init(struct step *r, struct session *s, struct wire *w, const struct step_hooks *h);
void step_free(struct step *r);

/*
 * Run ST as step ID (0: the session's step counter once it ran): the TCP
 * states before it are noted, the statement runs, the programs on stage run
 * on (h.programs_ms), the segments it caused are read; the kernel's view is
 * read and the changes worked out (h.track); if segments came, the late ones
 * are waited for and the changes worked out again.
 */
enum session_rc step_run(struct step *r, const struct sp_stmt *st, uint32_t id);

/* Pass every event of the session here: the step's own call is noted from them. */
void step_event(struct step *r, const struct sp_event *ev);

/* Read the segments of the current step from the capture; LATE: wait for late ones too. Whether any came. */
int step_drain(struct step *r, int late);

/* Read and drop what the capture holds from before the first step: it is not the playground's. */
void step_forget_wire(struct step *r);

/* The Internet endpoint of SA (LEN 0: none) into OUT: family, address, port. Its port, -1 when not Internet. */
int step_endpoint(const struct sockaddr_storage *sa, socklen_t len, struct sockaddr_storage *out);
/* Whether two snapshot addresses are the same one: both none, or equal (a Unix path by its bytes). */
int step_same_addr(const struct sockaddr_storage *a, socklen_t alen, const struct sockaddr_storage *b,
		   socklen_t blen);

#endif
