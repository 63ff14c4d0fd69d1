/* sandbox.h -- a private network namespace with lo up, made the way this system allows. */
#ifndef SOCKPLAY_SANDBOX_H
#define SOCKPLAY_SANDBOX_H

#include <stddef.h>

enum sandbox_mode {
	SANDBOX_AUTO,    /* try, fall back to the host network */
	SANDBOX_REQUIRE, /* --sandbox: fail when it cannot be made */
	SANDBOX_OFF,     /* --host-net */
};

enum sandbox_result {
	SANDBOX_FAILED = -1, /* required and not made: MSG says why */
	SANDBOX_HOST = 0,    /* host network; MSG says why when the sandbox was tried */
	SANDBOX_MADE = 1,    /* private namespace, lo up */
};

/*
 * Enter the sandbox. Must run first thing, while the process has one thread
 * and before actors are forked. MSG gets one line for the user ("" when
 * nothing is worth saying).
 */
enum sandbox_result sandbox_enter(enum sandbox_mode mode, char *msg, size_t msglen);

/*
 * After sandbox_enter() left the process on the host network (or failed):
 * one line saying how to get the sandbox on this system, or NULL when there
 * is nothing better to say than the reasons the message gave.
 */
const char *sandbox_advice(void);

/*
 * In a freshly forked actor: make the sandbox's private, empty filesystem
 * its root, so AF_UNIX paths name files of the session only, and take the
 * ids of the user who ran sudo when the sandbox was made as root. 0 when done
 * or when there is nothing to do (--host-net), -1 with errno when it failed.
 */
int sandbox_confine(void);

/*
 * Whether the actors get the sandbox's private filesystem (sandbox_confine()
 * will change their root to it, or an actor, before that): only then may a
 * script remove a file (unlink), which is then the session's own.
 */
int sandbox_files_private(void);

/*
 * Only the second half of that: take the ids of the user who ran sudo (for a
 * program on stage, which keeps the host's files). 0 done or nothing to do.
 */
int sandbox_drop_ids(void);

#endif
