/* event.h -- what a session reports as it runs: one struct sp_event per call, line and check. */
#ifndef SOCKPLAY_EVENT_H
#define SOCKPLAY_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sockplay/call.h"

struct sp_stmt;

enum sp_event_kind {
	SP_EV_CALL,      /* a call returned (at once, or resumed after blocking) */
	SP_EV_BLOCKED,   /* a call blocked; its SP_EV_CALL comes later */
	SP_EV_TITLE,     /* title "..." */
	SP_EV_SAY,       /* say "..." */
	SP_EV_EXPECT,    /* expect ACTOR NAME STATE was checked (ok says how) */
	SP_EV_FAIL,      /* an expectation on a call failed; text is the message */
	SP_EV_STUCK,     /* an actor stayed blocked past the timeout */
	SP_EV_ERROR,     /* a step could not run (text says why) */
	SP_EV_OUTPUT,    /* a program (--run) wrote a line: text, escaped; fd 1 stdout, 2 stderr */
	SP_EV_PROCESS,   /* a program's process started or ended: text "exited 0", "forked by server" */
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
	int shown;                  /* CALL: the newest call that returned is now this one (an older
	                               call resumed after a newer one returned is not) */
	const struct explain_ctx *explain; /* CALL: facts for its explanation (explain_stmt()), or NULL */
	/* a program's call (--run) */
	const char *call_label;     /* CALL, BLOCKED: the call's name where call is SP_CALL_NONE ("poll") */
	int libc;                   /* CALL, BLOCKED: made by the C library on its own behalf */
};

#endif
