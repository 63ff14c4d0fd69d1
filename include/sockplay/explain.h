/* explain.h -- what each call did in the kernel, what an errno means, the same line in Python and C. */
#ifndef SOCKPLAY_EXPLAIN_H
#define SOCKPLAY_EXPLAIN_H

#include <stddef.h>

#include "sockplay/call.h"

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
 * The whole explanation of a step into BUF, lines separated by '\n':
 * what happened (success text, or errno meaning and likely mistake), then
 * "Python: ..." and "C: ...". RESULT_LINE is the transcript line of the call.
 */
size_t explain_step(enum sp_call call, long long ret, int err, char *buf, size_t size);

/*
 * The same for a socket of type SOCKTYPE (SOCK_STREAM, SOCK_DGRAM): a datagram
 * socket gets the UDP text where UDP behaves differently (connect() sends no
 * SYN, close() no FIN). explain_call() and explain_step() use SOCK_STREAM.
 * explain_step*() return the length written, never write more than SIZE bytes
 * (NUL included), always NUL-terminate when SIZE > 0 and never cut a UTF-8
 * character in two.
 */
const char *explain_call_type(enum sp_call call, int socktype);
size_t explain_step_type(enum sp_call call, int socktype, long long ret, int err, char *buf,
			 size_t size);

#endif
