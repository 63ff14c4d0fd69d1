/* batch.c -- --batch: the script runs to its end, the transcript is printed, the verdict returned. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sockplay/batch.h"
#include "sockplay/session.h"
#include "sockplay/step.h"
#include "sockplay/wire.h"

#define BATCH_ACTORS 16 /* blocked calls remembered (more than a session runs) */

struct batch_wire {
	struct wire *w;      /* NULL: neither --wire nor --explain, or no capture */
	int print;           /* --wire: the segments are printed */
	uint64_t shown;      /* wire_total() when last printed */
	uint64_t lost;       /* wire_dropped() when last reported */
};

struct batch {
	struct transcript t;
	struct batch_wire bw;
	struct session *s;
	struct step r;               /* the step runner */
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
	step_event(&b->r, ev);
	transcript_event(&b->t, ev);
}

/* Print the segments captured since last time. */
static void wire_print(struct batch_wire *bw, struct session *s, struct transcript *t, int line)
{
	uint64_t total = wire_total(bw->w);
	size_t count = wire_count(bw->w);
	size_t fresh = total - bw->shown < count ? (size_t)(total - bw->shown) : count;
	for (size_t i = count - fresh; i < count && bw->print; i++) {
		const struct wire_seg *seg = wire_at(bw->w, i);
		const char *src = session_addr_owner(s, &seg->src);
		const char *dst = session_addr_owner(s, &seg->dst);
		if (src || dst) /* neither: someone else's traffic on a host's lo */
			transcript_segment(t, seg, src, dst, line);
	}
	bw->shown = total;
	uint64_t lost = wire_dropped(bw->w);
	if (lost > bw->lost && bw->print)
		transcript_wire_lost(t, session_steps(s), lost - bw->lost, line);
	bw->lost = lost;
}

/* The step runner read segments: print them. */
static void on_segments(void *ctx)
{
	struct batch *b = ctx;
	wire_print(&b->bw, b->s, &b->t, b->line);
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
				step_drain(&b->r, 0);
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
	/* --explain: the segments tell what joins a call to the states; expect wire is checked against them */
	if (o->wire || o->explain || expect_wire) {
		bw->w = wire_open(wire_err, sizeof wire_err);
		bw->print = o->wire;
		if (!bw->w && (o->wire || expect_wire))
			fprintf(stderr, "sockplay: %s\n", wire_err);
	}
	struct session *s = b.s = session_new(&so);
	if (!s) {
		fprintf(stderr, "sockplay: out of memory\n");
		wire_close(bw->w);
		return 1;
	}
	session_set_wire(s, bw->w, wire_err);
	struct step_hooks hooks = { .segments = on_segments, .ctx = &b, .programs_ms = o->timeout_ms,
				    .track = o->explain };
	step_init(&b.r, s, bw->w, &hooks);
	if (bw->w) { /* what was on lo before the script is not part of it */
		step_forget_wire(&b.r);
		bw->shown = wire_total(bw->w);
		bw->lost = wire_dropped(bw->w);
	}
	for (size_t i = 0; i < o->nruns; i++) {
		char err[512];
		if (session_add_program(s, o->runs[i].side, o->runs[i].command, 0, err, sizeof err) < 0) {
			fprintf(stderr, "sockplay: --run %s: %s\n", o->runs[i].side, err);
			step_free(&b.r);
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
			step_drain(&b.r, 0);
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
		b.line = st->line; /* the segments printed from here on are this step's */
		if (step_run(&b.r, st, 0) == SESSION_ERROR)
			aborted = 1;
		if (b.r.call.set) /* --explain: what joins the call to its segments and states */
			transcript_join(t, st->actor, st->line, b.r.call.blocked ? b.r.join_wait : b.r.join);
	}
	if (!o->script && session_programs_failed(s))
		crashed = 1;
	session_wait_timeouts(s, o->timeout_ms); /* a call its SO_RCVTIMEO ends is not interrupted */
	session_interrupt_all(s);
	step_drain(&b.r, 1); /* what the interrupts caused belongs to the last step */
	int rc = session_failures(s) > 0 || aborted || crashed ? 1 : 0;
	step_free(&b.r);
	session_free(s);
	wire_close(bw->w);
	fflush(o->out);
	return rc;
}
