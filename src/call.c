/* call.c -- names and argument bounds of the socket calls, from the SP_CALLS table. */
#include <string.h>

#include "sockplay/call.h"

static const struct {
	const char *name;
	int min, max;
} call_table[SP_CALL_COUNT] = {
	[SP_CALL_NONE] = { NULL, 0, 0 },
#define SP_X(e, n, lo, hi) [e] = { n, lo, hi },
	SP_CALLS(SP_X)
#undef SP_X
};

static int call_valid(enum sp_call call)
{
	return call > SP_CALL_NONE && call < SP_CALL_COUNT;
}

const char *call_name(enum sp_call call)
{
	return call_valid(call) ? call_table[call].name : NULL;
}

enum sp_call call_from_name(const char *name)
{
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++)
		if (strcmp(call_table[c].name, name) == 0)
			return (enum sp_call)c;
	return SP_CALL_NONE;
}

int call_min_args(enum sp_call call)
{
	return call_valid(call) ? call_table[call].min : 0;
}

int call_max_args(enum sp_call call)
{
	return call_valid(call) ? call_table[call].max : 0;
}

int call_may_block(enum sp_call call)
{
	switch (call) {
	case SP_CALL_ACCEPT:
	case SP_CALL_CONNECT:
	case SP_CALL_RECV:
	case SP_CALL_RECVFROM:
	case SP_CALL_SEND:
	case SP_CALL_SENDTO:
		return 1;
	default:
		return 0;
	}
}

int call_takes_fd(enum sp_call call)
{
	return call_valid(call) && call != SP_CALL_SOCKET;
}
