/* tui_scale.c -- the TUI playing a script with `--play --delay 0`, every frame drawn, timed step by
 * step. bench/run.sh runs it in tmux on a script that opens 1 000 connections and then makes a few
 * hundred steps with all of them open.
 *
 * It is the real tui_run(); the Makefile links it with -Wl,--wrap for the calls below, so each is
 * timed where the TUI makes it (nothing in src/ knows about this):
 *   session_exec     a step starts (its call runs in the actor)
 *   session_refresh  the kernel view is re-read (sock_diag)
 *   wire_drain, wire_settle   segments read, and the wait for the step's late ones
 *   tui_draw         the frame is drawn from the snapshot (curses, in memory)
 *   doupdate         the frame goes to the terminal; its end ends the step
 *   session_snapshot the actors' pids and the number of sockets the kernel listed
 *   session_free     the actors' peak memory (VmHWM), read just before they are killed
 *
 * One step = from the end of the frame before the step to the end of the first frame after it: the
 * loop's poll, the step, the kernel view, the wire, the redraw. The last TAIL steps (default 200)
 * are the ones measured: the script's work at scale, after its set-up. "work" is a step without the
 * time in wire_drain/wire_settle, which is mostly the TUI waiting on purpose for the peer's late
 * segments (a delayed ACK), whatever the scale.
 *
 * usage: tui_scale SCRIPT.sp OUT [TAIL]; OUT gets "key value" lines. With TUI_SCALE_CSV=FILE,
 * every step goes to FILE too.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sockplay/call.h"
#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/snapshot.h"
#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"
#include "sockplay/wire.h"

#define MAX_STEPS 20000
#define PARTS 7
enum { P_EXEC, P_WIRE, P_REFRESH, P_SNAP, P_DRAW, P_UPDATE, P_ALL };
static const char *part_name[PARTS] = { "exec", "wire", "refresh", "snapshot", "draw", "update", "step" };

struct step {
	int64_t ns[PARTS];
	int socks;               /* in the kernel view at its frame */
	int call;                /* enum sp_call of its statement, 0 when not a call */
	int refreshes, snapshots; /* how often the kernel view was read and a snapshot made */
};

static struct step *steps;
static int nsteps;
static int pending;          /* a step ran and its frame is not out yet */
static int64_t pending_start;
static int64_t last_frame_end;
static int64_t acc[PARTS];   /* time in each part since the last frame */
static int cur_socks, max_socks;
static int cur_call, n_refresh, n_snapshot;

struct actor_mem {
	char name[32];
	pid_t pid;
	long hwm_kib;
};
static struct actor_mem actors[SP_ACTORS_MAX];
static int nactors;

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static long status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	if (pid)
		snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof path, "/proc/self/status");
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	fclose(fp);
	return v;
}

/* ---- the wrapped calls ---- */

enum session_rc __real_session_exec(struct session *s, const struct sp_stmt *st);
int __real_session_refresh(struct session *s);
const struct snapshot *__real_session_snapshot(struct session *s);
void __real_session_free(struct session *s);
int __real_wire_drain(struct wire *w, uint32_t step);
int __real_wire_settle(struct wire *w, uint32_t step, long quiet_us, long max_us);
void __real_tui_draw(WINDOW *w, const struct snapshot *sn, const struct tui_view *v, struct tui_hits *hits);
int __real_doupdate(void);

enum session_rc __wrap_session_exec(struct session *s, const struct sp_stmt *st)
{
	int64_t t0 = now_ns();
	if (!pending) {
		pending = 1;
		pending_start = last_frame_end ? last_frame_end : t0;
		cur_call = st && st->kind == SP_ST_CALL ? (int)st->call : 0;
	}
	enum session_rc rc = __real_session_exec(s, st);
	acc[P_EXEC] += now_ns() - t0;
	return rc;
}

int __wrap_session_refresh(struct session *s)
{
	int64_t t0 = now_ns();
	int rc = __real_session_refresh(s);
	acc[P_REFRESH] += now_ns() - t0;
	n_refresh++;
	return rc;
}

int __wrap_wire_drain(struct wire *w, uint32_t step)
{
	int64_t t0 = now_ns();
	int rc = __real_wire_drain(w, step);
	acc[P_WIRE] += now_ns() - t0;
	return rc;
}

int __wrap_wire_settle(struct wire *w, uint32_t step, long quiet_us, long max_us)
{
	int64_t t0 = now_ns();
	int rc = __real_wire_settle(w, step, quiet_us, max_us);
	acc[P_WIRE] += now_ns() - t0;
	return rc;
}

const struct snapshot *__wrap_session_snapshot(struct session *s)
{
	int64_t t0 = now_ns();
	const struct snapshot *sn = __real_session_snapshot(s);
	n_snapshot++;
	acc[P_SNAP] += now_ns() - t0; /* the counting below is the benchmark's, not the TUI's */
	if (!sn)
		return sn;
	int n = 0;
	for (size_t i = 0; i < sn->nactors; i++) {
		const struct snap_actor *sa = &sn->actors[i];
		for (size_t k = 0; k < sa->nsocks; k++)
			n += sa->socks[k].in_kernel;
		int j;
		for (j = 0; j < nactors && strcmp(actors[j].name, sa->name) != 0; j++)
			;
		if (j == nactors && nactors < SP_ACTORS_MAX)
			nactors++;
		if (j < nactors && sa->pid > 0) {
			snprintf(actors[j].name, sizeof actors[j].name, "%s", sa->name);
			actors[j].pid = sa->pid;
		}
	}
	cur_socks = n;
	if (n > max_socks)
		max_socks = n;
	return sn;
}

void __wrap_session_free(struct session *s)
{
	for (int j = 0; j < nactors; j++)
		if (actors[j].pid > 0)
			actors[j].hwm_kib = status_kib(actors[j].pid, "VmHWM");
	__real_session_free(s);
}

void __wrap_tui_draw(WINDOW *w, const struct snapshot *sn, const struct tui_view *v, struct tui_hits *hits)
{
	int64_t t0 = now_ns();
	__real_tui_draw(w, sn, v, hits);
	acc[P_DRAW] += now_ns() - t0;
}

int __wrap_doupdate(void)
{
	int64_t t0 = now_ns();
	int rc = __real_doupdate();
	int64_t t1 = now_ns();
	acc[P_UPDATE] += t1 - t0;
	if (pending && steps && nsteps < MAX_STEPS) {
		struct step *p = &steps[nsteps++];
		memcpy(p->ns, acc, sizeof p->ns);
		p->ns[P_ALL] = t1 - pending_start;
		p->socks = cur_socks;
		p->call = cur_call;
		p->refreshes = n_refresh;
		p->snapshots = n_snapshot;
	}
	pending = 0;
	n_refresh = n_snapshot = 0;
	memset(acc, 0, sizeof acc);
	last_frame_end = t1;
	return rc;
}

/* ---- figures ---- */

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t work_ns(const struct step *p)
{
	return p->ns[P_ALL] - p->ns[P_WIRE];
}

/* Mean, median, p99 and max of the steps FROM..TO-1: the whole step, its work, and each part's mean. */
static void figures(FILE *fp, const char *prefix, int from, int to)
{
	int n = to - from;
	if (n <= 0)
		return;
	int64_t *v = malloc(sizeof *v * (size_t)n);
	if (!v)
		return;
	for (int what = 0; what < 2; what++) {
		int64_t sum = 0;
		for (int i = 0; i < n; i++)
			sum += v[i] = what ? work_ns(&steps[from + i]) : steps[from + i].ns[P_ALL];
		qsort(v, (size_t)n, sizeof *v, cmp64);
		const char *w = what ? "work" : "step";
		fprintf(fp, "%s_%s_mean_us %.0f\n%s_%s_p50_us %.0f\n%s_%s_p99_us %.0f\n%s_%s_max_us %.0f\n",
			prefix, w, sum / 1000.0 / n, prefix, w, v[n / 2] / 1000.0, prefix, w,
			v[(size_t)((n - 1) * 0.99 + 0.5)] / 1000.0, prefix, w, v[n - 1] / 1000.0);
	}
	for (int p = 0; p < P_ALL; p++) {
		int64_t sum = 0;
		for (int i = from; i < to; i++)
			sum += steps[i].ns[p];
		fprintf(fp, "%s_%s_mean_us %.0f\n", prefix, part_name[p], sum / 1000.0 / n);
	}
	int lo = steps[from].socks, hi = lo;
	for (int i = from; i < to; i++) {
		lo = steps[i].socks < lo ? steps[i].socks : lo;
		hi = steps[i].socks > hi ? steps[i].socks : hi;
	}
	fprintf(fp, "%s_steps %d\n%s_socks_min %d\n%s_socks_max %d\n", prefix, n, prefix, lo, prefix, hi);
	free(v);
}

/* The set-up's steps by how many sockets the kernel listed: how a step grows with them. */
static void growth(FILE *fp, int to)
{
	for (int b = 0; b < 4; b++) {
		int lo = b * 500, hi = b == 3 ? 1 << 30 : (b + 1) * 500, n = 0;
		int64_t sum = 0;
		for (int i = 0; i < to; i++)
			if (steps[i].socks >= lo && steps[i].socks < hi) {
				sum += steps[i].ns[P_ALL];
				n++;
			}
		if (n)
			fprintf(fp, "setup_socks_%d_step_mean_us %.0f\n", lo, sum / 1000.0 / n);
	}
}

int main(int argc, char **argv)
{
	char msg[256];
	int64_t t0 = now_ns();
	if (argc < 3)
		return 2;
	int tail = argc > 3 ? atoi(argv[3]) : 200;
	/* 1 000 connections are 2 000 descriptors in the actors (they inherit this limit) */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	steps = calloc(MAX_STEPS, sizeof *steps);
	enum sandbox_result sb = sandbox_enter(SANDBOX_AUTO, msg, sizeof msg);
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	if (!steps || script_load(argv[1], &sc, &d) < 0)
		return 2;
	struct tui_opts o = { .script = sc, .script_file = argv[1], .play = 1, .delay_ms = 0,
			      .timeout_ms = 5000, .net_label = sb == SANDBOX_MADE ? "sandbox netns" : "host network",
			      .net_note = msg, .color = 1, .quit_at_end = 1 };
	int rc = tui_run(&o);
	int64_t t1 = now_ns();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.part", argv[2]); /* renamed when complete: run.sh waits for OUT */
	FILE *fp = fopen(tmp, "w");
	if (fp) {
		fprintf(fp, "total_us %lld\n", (long long)((t1 - t0) / 1000));
		fprintf(fp, "cpu_us %lld\n", (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
						    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
		fprintf(fp, "max_kernel_socks %d\n", max_socks);
		int from = tail > 0 && tail < nsteps ? nsteps - tail : 0;
		fprintf(fp, "steps %d\n", nsteps);
		figures(fp, "setup", 0, from);
		figures(fp, "tail", from, nsteps);
		growth(fp, from);
		fprintf(fp, "ui_hwm_kib %ld\n", status_kib(0, "VmHWM"));
		for (int j = 0; j < nactors; j++)
			fprintf(fp, "actor_%s_hwm_kib %ld\n", actors[j].name, actors[j].hwm_kib);
		if (fclose(fp) == 0)
			rename(tmp, argv[2]);
	}
	const char *csv = getenv("TUI_SCALE_CSV"); /* every step, for a closer look */
	if (csv && (fp = fopen(csv, "w"))) {
		fprintf(fp, "step,call,socks,refreshes,snapshots");
		for (int p = 0; p < PARTS; p++)
			fprintf(fp, ",%s_us", part_name[p]);
		fputc('\n', fp);
		for (int i = 0; i < nsteps; i++) {
			fprintf(fp, "%d,%s,%d,%d,%d", i + 1, steps[i].call ? call_name(steps[i].call) : "-",
				steps[i].socks, steps[i].refreshes, steps[i].snapshots);
			for (int p = 0; p < PARTS; p++)
				fprintf(fp, ",%.0f", steps[i].ns[p] / 1000.0);
			fputc('\n', fp);
		}
		fclose(fp);
	}
	script_free(sc);
	free(steps);
	return rc;
}
