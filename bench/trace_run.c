/* trace_run.c -- PROG traced by sockplay's tracer, not stepped, every event read and formatted
 * as the transcript would (and dropped). Usage: trace_run PROG [ARGS...]; PROG's stdout lines
 * are printed, its socket calls counted on stderr. */
#include <stdio.h>
#include <string.h>

#include "sockplay/trace.h"

int main(int argc, char **argv)
{
	char err[300], line[1024];
	if (argc < 2) {
		fprintf(stderr, "usage: trace_run PROG [ARGS...]\n");
		return 2;
	}
	struct trace_opts o = { .side = "bench", .stepping = 0 };
	struct trace *t = trace_start_argv(argv + 1, &o, err, sizeof err);
	if (!t) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 2;
	}
	struct trace_event ev;
	long calls = 0;
	int rc = 1;
	while (trace_wait(t, &ev, -1) > 0) {
		trace_format(&ev, line, sizeof line);
		if (ev.kind == TRACE_EV_CALL)
			calls++;
		else if (ev.kind == TRACE_EV_OUTPUT && ev.stream == 1)
			printf("%s\n", line);
		else if (ev.kind == TRACE_EV_END && ev.pid == trace_pid(t))
			rc = ev.signaled ? 128 + ev.status : ev.status;
		trace_event_clear(&ev);
	}
	trace_free(t);
	fprintf(stderr, "trace_run: %ld socket calls traced\n", calls);
	return rc;
}
