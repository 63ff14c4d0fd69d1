/* batch.c -- --batch: the script runs to its end, the transcript is printed, the verdict returned. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sockplay/batch.h"
#include "sockplay/session.h"
#include "sockplay/wire.h"

/*
 * After a step that put segments on the wire, the peer's reply (the ACK of a
 * FIN ...) may reach the capture a moment after the call returned: wait until
 * the wire has been quiet this long, so each segment is printed after the step
 * that caused it, the same on every run.
 */
#define WIRE_QUIET_US 200
#define WIRE_SETTLE_MAX_US 50000

#define BATCH_ACTORS 16 /* blocked calls remembered (more than a session runs) */

struct batch_wire {
	struct wire *w;      /* NULL: no --wire, or no capture */
	uint64_t shown;      /* wire_total() when last printed */
	uint64_t lost;       /* wire_dropped() when last reported */
	int quiet;           /* captured for expect wire only: nothing printed */
};

struct batch {
	struct transcript t;
	struct batch_wire bw;
	int line;                    /* the script line of the step last run */
	struct {
		char actor[SP_NAME_MAX];
		long long since_ms;  /* when its call blocked */
	} blocked[BATCH_ACTORS];
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_event(void *ctx, const struct sp_event *ev)
{
	struct batch *b = ctx;
	if (ev->kind == SP_EV_BLOCKED && ev->actor) {
		size_t i, free_slot = BATCH_ACTORS;
		for (i = 0; i < BATCH_ACTORS; i++) {
			if (strcmp(b->blocked[i].actor, ev->actor) == 0)
				break;
			if (!b->blocked[i].actor[0] && free_slot == BATCH_ACTORS)
				free_slot = i;
		}
		if (i == BATCH_ACTORS)
			i = free_slot;
		if (i < BATCH_ACTORS) {
			snprintf(b->blocked[i].actor, sizeof b->blocked[i].actor, "%s", ev->actor);
			b->blocked[i].since_ms = now_ms();
		}
	}
	transcript_event(&b->t, ev);
}

/* Print the segments captured since last time. */
static void wire_print(struct batch_wire *bw, struct session *s, struct transcript *t, int line)
{
	if (bw->quiet) {
		bw->shown = wire_total(bw->w);
		return;
	}
	uint64_t total = wire_total(bw->w);
	size_t count = wire_count(bw->w);
	size_t fresh = total - bw->shown < count ? (size_t)(total - bw->shown) : count;
	for (size_t i = count - fresh; i < count; i++) {
		const struct wire_seg *seg = wire_at(bw->w, i);
		const char *src = session_addr_owner(s, &seg->src);
		const char *dst = session_addr_owner(s, &seg->dst);
		if (src || dst) /* neither: someone else's traffic on a host's lo */
			transcript_segment(t, seg, src, dst, line);
	}
	bw->shown = total;
	uint64_t lost = wire_dropped(bw->w);
	if (lost > bw->lost)
		transcript_wire_lost(t, session_steps(s), lost - bw->lost, line);
	bw->lost = lost;
}

/* The segments of the step last run (at LINE of the script); SETTLE: wait for late ones. */
static void wire_step(struct batch_wire *bw, struct session *s, struct transcript *t, int line,
		      int settle)
{
	if (!bw->w)
		return;
	uint32_t step = session_steps(s);
	int n, any = 0;
	do {
		n = wire_drain(bw->w, step);
		any += n;
		wire_print(bw, s, t, line);
	} while (n == WIRE_DRAIN_MAX);
	if (settle && any) {
		wire_settle(bw->w, step, WIRE_QUIET_US, WIRE_SETTLE_MAX_US);
		wire_print(bw, s, t, line);
	}
}

/*
 * Wait for ST's actor to finish its blocked call, as session_wait_actor()
 * does, reading the capture meanwhile (a long transfer would overflow it):
 * segments and results are printed in the order they come.
 */
static int wait_actor(struct batch *b, struct session *s, const struct sp_stmt *st, int timeout_ms)
{
	if (b->bw.w) {
		long long end = now_ms() + timeout_ms;
		for (size_t i = 0; i < BATCH_ACTORS; i++)
			if (strcmp(b->blocked[i].actor, st->actor) == 0)
				end = b->blocked[i].since_ms + timeout_ms;
		while (session_stmt_waits(s, st)) {
			long long left = end - now_ms();
			if (left <= 0)
				break;
			struct pollfd fds[BATCH_ACTORS + 1];
			int n = session_pollfds(s, fds, BATCH_ACTORS);
			fds[n] = (struct pollfd){ .fd = wire_fd(b->bw.w), .events = POLLIN };
			if (poll(fds, (nfds_t)n + 1, left > 1000 ? 1000 : (int)left) < 0)
				continue;
			if (fds[n].revents)
				wire_step(&b->bw, s, &b->t, b->line, 0);
			session_collect(s);
		}
	}
	return session_wait_actor(s, st->actor, timeout_ms);
}

/* Whether V holds an expect wire: the capture runs for it, printed or not. */
static int wants_wire(const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == SP_ST_EXPECT_WIRE || (v[i].kind == SP_ST_REPEAT && wants_wire(v[i].body, v[i].nbody)))
			return 1;
	return 0;
}

int batch_run(const struct batch_opts *o)
{
	struct batch b = { .t = { .fp = o->out, .format = o->format, .file = o->script ? o->script->file : NULL,
				  .explain = o->explain, .full_data = o->full_data } };
	struct transcript *t = &b.t;
	struct batch_wire *bw = &b.bw;
	struct session_opts so = { .timeout_ms = o->timeout_ms, .on_event = on_event, .ctx = &b,
				   .net_label = o->net_label, .names_local_only = o->names_local_only };
	char wire_err[256] = "";
	int expect_wire = o->script && wants_wire(o->script->stmts, o->script->n);
	if (o->wire || expect_wire) {
		bw->w = wire_open(wire_err, sizeof wire_err);
		if (!bw->w)
			fprintf(stderr, "sockplay: %s\n", wire_err);
		bw->quiet = !o->wire;
	}
	struct session *s = session_new(&so);
	if (!s) {
		fprintf(stderr, "sockplay: out of memory\n");
		wire_close(bw->w);
		return 1;
	}
	session_set_wire(s, bw->w, wire_err);
	if (bw->w) { /* what was on lo before the script is not part of it */
		while (wire_drain(bw->w, 0) == WIRE_DRAIN_MAX)
			;
		bw->shown = wire_total(bw->w);
		bw->lost = wire_dropped(bw->w);
	}
	for (size_t i = 0; i < o->nruns; i++) {
		char err[512];
		if (session_add_program(s, o->runs[i].side, o->runs[i].command, 0, err, sizeof err) < 0) {
			fprintf(stderr, "sockplay: --run %s: %s\n", o->runs[i].side, err);
			session_free(s);
			wire_close(bw->w);
			return 2;
		}
		/* each program starts once those before it wait (a server in accept() before its client) */
		session_settle_programs(s, o->timeout_ms);
	}
	struct sp_cursor cur;
	const struct sp_stmt *st;
	int aborted = 0, crashed = 0;
	if (o->script)
		script_cursor_init(&cur, o->script);
	while (!aborted && o->script && (st = script_cursor_next(&cur))) {
		/* a program that crashed or gave up before this statement: the script needed it */
		if (session_programs_failed(s))
			crashed = 1;
		/* An actor is a sequential program: its next call waits for the last one. */
		if (session_stmt_waits(s, st)) {
			int rc = wait_actor(&b, s, st, o->timeout_ms);
			wire_step(bw, s, t, b.line, 0);
			if (rc < 0) {
				aborted = 1;
				break;
			}
		}
		if (o->record) {
			char line[4096];
			script_stmt_format(st, line, sizeof line);
			fprintf(o->record, "%s\n", line);
		}
		if (session_exec(s, st) == SESSION_ERROR)
			aborted = 1;
		b.line = st->line;
		session_settle_programs(s, o->timeout_ms); /* what the step set going in the programs */
		wire_step(bw, s, t, b.line, 1);
	}
	if (!o->script && session_programs_failed(s))
		crashed = 1;
	session_wait_timeouts(s, o->timeout_ms); /* a call its SO_RCVTIMEO ends is not interrupted */
	session_interrupt_all(s);
	wire_step(bw, s, t, b.line, 1); /* what the interrupts caused belongs to the last step */
	int rc = session_failures(s) > 0 || aborted || crashed ? 1 : 0;
	session_free(s);
	wire_close(bw->w);
	fflush(o->out);
	return rc;
}
