/* batch.c -- --batch: the script runs to its end, the transcript is printed, the verdict returned. */
#include <stdio.h>

#include "sockplay/batch.h"
#include "sockplay/session.h"

static void on_event(void *ctx, const struct sp_event *ev)
{
	transcript_event(ctx, ev);
}

int batch_run(const struct batch_opts *o)
{
	struct transcript t = { .fp = o->out, .format = o->format, .file = o->script->file };
	struct session_opts so = { .timeout_ms = o->timeout_ms, .on_event = on_event, .ctx = &t,
				   .net_label = o->net_label };
	struct session *s = session_new(&so);
	if (!s) {
		fprintf(stderr, "sockplay: out of memory\n");
		return 1;
	}
	struct sp_cursor cur;
	const struct sp_stmt *st;
	int aborted = 0;
	script_cursor_init(&cur, o->script);
	while (!aborted && (st = script_cursor_next(&cur))) {
		/* An actor is a sequential program: its next call waits for the last one. */
		if (session_stmt_waits(s, st) && session_wait_actor(s, st->actor, o->timeout_ms) < 0) {
			aborted = 1;
			break;
		}
		if (o->record) {
			char line[4096];
			script_stmt_format(st, line, sizeof line);
			fprintf(o->record, "%s\n", line);
		}
		if (session_exec(s, st) == SESSION_ERROR)
			aborted = 1;
	}
	session_interrupt_all(s);
	int rc = session_failures(s) > 0 || aborted ? 1 : 0;
	session_free(s);
	fflush(o->out);
	return rc;
}
