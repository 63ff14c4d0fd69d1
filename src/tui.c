/* tui.c -- the interactive front end: one poll loop; keys, the prompt and scripts all become statements. */
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockplay/session.h"
#include "sockplay/text.h"
#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"

#define TUI_FDS 16
#define TICK_MS 1000 /* the "blocked for N s" clock and the kernel view while something changes */

/* What a key handler asks the loop to do. */
enum tui_res {
	TUI_R_NONE,
	TUI_R_REDRAW,
	TUI_R_QUIT,
};

/* Which socket a pane has selected, kept by identity across snapshots. */
struct tui_pick {
	int fd;
	char name[SP_NAME_MAX];
	int closed;
	int want_fd;   /* a new socket to select once the snapshot lists it, -1 none */
};

struct tui {
	const struct tui_opts *o;
	struct session *s;
	const struct snapshot *sn;
	struct tui_view v;
	struct tui_hits hits;
	char pane_names[TUI_MAX_PANES][SP_NAME_MAX];
	struct tui_pick pick[TUI_MAX_PANES];
	/* the script */
	struct sp_cursor cur;
	const struct sp_stmt *next;  /* the next step, NULL at the end */
	int steps_done;
	int step_wanted;             /* n/Space: run the next step as soon as it can */
	long long wait_deadline;     /* the next step waits for its blocked actor until then */
	long long next_auto;         /* auto-play: when the next step is due */
	long long sleep_until;       /* a sleep step: no step before then */
	int resume_after_pause;      /* a pause stopped auto-play: Space resumes it */
	/* the prompt */
	struct tui_line line;
	char prompt_err[300];
	/* status */
	char msg[600];
	int msg_err;
	int msg_blocked;             /* the message is a blocked call's hint */
	char confirm[300];
	/* typed statements live as long as a call of theirs may be pending */
	struct sp_stmt **typed;
	size_t ntyped, captyped;
	long long last_tick;
	int dirty;
	int quit;
};

/* ---- time, signals, the terminal ------------------------------------------------ */

static volatile sig_atomic_t tui_signal;
static int tui_active;

static void tui_on_signal(int sig)
{
	tui_signal = sig;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The one way the terminal is given back; safe to call twice, registered with atexit. */
static void tui_restore(void)
{
	if (!tui_active)
		return;
	tui_active = 0;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
}

/* Signals that end the UI set a flag; they are only let in while the loop sleeps. */
static void tui_signals(sigset_t *sleep_mask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, sleep_mask);
	sigdelset(sleep_mask, SIGTERM);
	sigdelset(sleep_mask, SIGHUP);
	sigdelset(sleep_mask, SIGINT);
	sigdelset(sleep_mask, SIGWINCH);
}

static int tui_start_curses(const struct tui_opts *o)
{
	static int registered;
	if (!newterm(NULL, stdout, stdin))
		return -1;
	tui_active = 1;
	if (!registered && atexit(tui_restore) == 0)
		registered = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (o->color && has_colors() && start_color() == OK)
		tui_draw_init_colors();
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	mouseinterval(0);
	return 0;
}

/* ---- messages -------------------------------------------------------------------- */

static void tui_msg(struct tui *t, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void tui_msg(struct tui *t, int err, const char *fmt, ...)
{
	if (t->msg_err && !err && t->msg[0])
		return; /* an error of this step stays */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_err = err;
	t->msg_blocked = 0;
	t->dirty = 1;
}

static void tui_msg_clear(struct tui *t)
{
	t->msg[0] = 0;
	t->msg_err = t->msg_blocked = 0;
}

/* ---- panes and selection ----------------------------------------------------------- */

static int tui_pane_of(const struct tui *t, const char *actor)
{
	for (int i = 0; i < t->v.npanes; i++)
		if (strcmp(t->pane_names[i], actor) == 0)
			return i;
	return -1;
}

static int tui_add_pane(struct tui *t, const char *actor)
{
	int i = tui_pane_of(t, actor);
	if (i >= 0 || t->v.npanes >= TUI_MAX_PANES)
		return i;
	i = t->v.npanes++;
	snprintf(t->pane_names[i], sizeof t->pane_names[i], "%s", actor);
	t->v.panes[i] = t->pane_names[i];
	t->pick[i].want_fd = -1;
	t->pick[i].fd = -1;
	return i;
}

/* Server and client, then every actor the script names, in order of appearance. */
static void tui_panes_from_script(struct tui *t, const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == SP_ST_CALL || v[i].kind == SP_ST_EXPECT)
			tui_add_pane(t, v[i].actor);
		if (v[i].kind == SP_ST_REPEAT)
			tui_panes_from_script(t, v[i].body, v[i].nbody);
	}
}

static const struct snap_actor *tui_actor(const struct tui *t, int pane)
{
	if (!t->sn || pane < 0 || pane >= t->v.npanes)
		return NULL;
	for (size_t i = 0; i < t->sn->nactors; i++)
		if (strcmp(t->sn->actors[i].name, t->pane_names[pane]) == 0)
			return &t->sn->actors[i];
	return NULL;
}

static void tui_pick_remember(struct tui *t, int pane, const struct snap_actor *sa, int idx)
{
	struct tui_pick *p = &t->pick[pane];
	t->v.sel[pane] = idx;
	if (!sa || idx < 0 || (size_t)idx >= sa->nsocks)
		return;
	p->fd = sa->socks[idx].fd;
	p->closed = sa->socks[idx].closed;
	snprintf(p->name, sizeof p->name, "%s", sa->socks[idx].name);
}

/* Keep each pane's selection on the same socket as the list changes. */
static void tui_resolve_picks(struct tui *t)
{
	for (int i = 0; i < t->v.npanes; i++) {
		const struct snap_actor *sa = tui_actor(t, i);
		struct tui_pick *p = &t->pick[i];
		int idx = -1;
		if (!sa || sa->nsocks == 0) {
			t->v.sel[i] = 0;
			continue;
		}
		for (size_t k = 0; k < sa->nsocks && idx < 0; k++) {
			const struct snap_sock *so = &sa->socks[k];
			if (p->want_fd >= 0 ? (!so->closed && so->fd == p->want_fd)
					    : (so->fd == p->fd && so->closed == p->closed &&
					       strcmp(so->name, p->name) == 0))
				idx = (int)k;
		}
		if (idx >= 0)
			p->want_fd = -1;
		else
			idx = t->v.sel[i] < (int)sa->nsocks ? t->v.sel[i] : (int)sa->nsocks - 1;
		tui_pick_remember(t, i, sa, idx);
	}
}

static void tui_snapshot(struct tui *t)
{
	t->sn = session_snapshot(t->s);
	for (size_t i = 0; i < t->sn->nactors; i++)
		tui_add_pane(t, t->sn->actors[i].name);
	tui_resolve_picks(t);
}

static const struct snap_sock *tui_selected(const struct tui *t)
{
	const struct snap_actor *sa = tui_actor(t, t->v.focus);
	int sel = t->v.sel[t->v.focus];
	if (!sa || sel < 0 || (size_t)sel >= sa->nsocks)
		return NULL;
	return &sa->socks[sel];
}

/* ---- events from the session ------------------------------------------------------------ */

static const char *tui_wait_text(enum sp_call call)
{
	switch (call) {
	case SP_CALL_ACCEPT: return tui_text(TX_WAIT_ACCEPT);
	case SP_CALL_CONNECT: return tui_text(TX_WAIT_CONNECT);
	case SP_CALL_RECV: case SP_CALL_RECVFROM: return tui_text(TX_WAIT_RECV);
	default: return tui_text(TX_WAIT_SEND);
	}
}

static void tui_on_event(void *ctx, const struct sp_event *ev)
{
	struct tui *t = ctx;
	t->dirty = 1;
	switch (ev->kind) {
	case SP_EV_CALL: {
		int pane = ev->actor ? tui_add_pane(t, ev->actor) : -1;
		if (pane >= 0 && ev->ret >= 0 && (ev->call == SP_CALL_SOCKET || ev->call == SP_CALL_ACCEPT))
			t->pick[pane].want_fd = ev->fd >= 0 ? ev->fd : (int)ev->ret;
		if (ev->resumed && t->msg_blocked)
			tui_msg_clear(t);
		break;
	}
	case SP_EV_BLOCKED:
		tui_msg(t, 0, "%s: %s", ev->actor, tui_wait_text(ev->call));
		t->msg_blocked = 1;
		break;
	case SP_EV_EXPECT:
		if (ev->ok)
			tui_msg(t, 0, tui_text(TX_EXPECT_OK), ev->text);
		break;
	case SP_EV_FAIL:
	case SP_EV_STUCK:
	case SP_EV_ERROR:
		if (ev->line > 0)
			tui_msg(t, 1, tui_text(TX_AT_LINE), ev->line, ev->text);
		else
			tui_msg(t, 1, "%s", ev->text);
		if (ev->kind != SP_EV_FAIL)
			t->v.playing = 0;
		break;
	default:
		break;
	}
}

/* ---- running statements -------------------------------------------------------------------- */

static void tui_record(struct tui *t, const struct sp_stmt *st)
{
	if (!t->o->record)
		return;
	char line[8192];
	script_stmt_format(st, line, sizeof line);
	fprintf(t->o->record, "%s\n", line);
	fflush(t->o->record);
}

static void tui_refresh_kernel(struct tui *t)
{
	session_refresh(t->s);
	t->last_tick = now_ms();
	t->dirty = 1;
}

/* Whether the statement's actor is blocked; says so when it is. */
static int tui_busy(struct tui *t, const struct sp_stmt *st, int say)
{
	if (!session_stmt_waits(t->s, st))
		return 0;
	if (say) {
		tui_snapshot(t);
		const struct snap_actor *sa = tui_actor(t, tui_pane_of(t, st->actor));
		tui_msg_clear(t);
		tui_msg(t, 1, tui_text(TX_BUSY), st->actor, sa ? sa->blocked_call : "?");
	}
	return 1;
}

/* The one path of every statement: keys, the prompt and the script. */
static enum session_rc tui_exec(struct tui *t, const struct sp_stmt *st)
{
	if (tui_busy(t, st, 1))
		return SESSION_BUSY;
	tui_msg_clear(t);
	if (st->kind == SP_ST_CALL || st->kind == SP_ST_EXPECT) {
		int pane = tui_add_pane(t, st->actor);
		if (pane >= 0)
			t->v.focus = pane;
	}
	/* sleep is the loop's timer here, so the screen stays live */
	enum session_rc rc = st->kind == SP_ST_SLEEP ? SESSION_OK : session_exec(t->s, st);
	if (rc == SESSION_OK)
		tui_record(t, st);
	tui_refresh_kernel(t);
	return rc;
}

/* Parse TEXT; when it names no actor, try again on the focused side. */
static int tui_parse(struct tui *t, const char *text, struct sp_stmt *st, struct sp_diag *dg, int *shift)
{
	struct sp_scope *sc = script_scope_new();
	if (!sc)
		return -1;
	session_seed_scope(t->s, sc);
	*shift = 0;
	int rc = script_parse_line(text, sc, st, dg);
	const char *p = text + strspn(text, " \t");
	size_t id = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	const char *after = p + id + strspn(p + id, " \t");
	static const char *const words[] = { "title", "say", "pause", "sleep", "expect", "repeat", "end" };
	int keyword = 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (id == strlen(words[i]) && strncmp(p, words[i], id) == 0)
			keyword = 1;
	if (rc < 0 && id > 0 && *after != ':' && !keyword) {
		char with[TUI_LINE_MAX * 4 + 64];
		const char *actor = t->pane_names[t->v.focus];
		int n = snprintf(with, sizeof with, "%s: %s", actor, text);
		struct sp_diag d2;
		rc = script_parse_line(with, sc, st, &d2); /* a failed parse leaves ST and SC as they were */
		if (rc < 0) {
			*dg = d2;
			*shift = n - (int)strlen(text);
		}
	}
	script_scope_free(sc);
	return rc;
}

/* Keep a typed statement alive: a blocked call still points at it. */
static void tui_keep(struct tui *t, struct sp_stmt *st)
{
	if (t->ntyped == t->captyped) {
		size_t cap = t->captyped ? t->captyped * 2 : 32;
		struct sp_stmt **v = realloc(t->typed, cap * sizeof *v);
		if (!v) {
			script_stmt_clear(st);
			free(st);
			return;
		}
		t->typed = v;
		t->captyped = cap;
	}
	t->typed[t->ntyped++] = st;
}

/* The character index of byte column COL (1-based) of TEXT. */
static int tui_char_col(const char *text, int col)
{
	mbstate_t ms;
	memset(&ms, 0, sizeof ms);
	int chars = 0;
	for (int i = 0; i < col - 1 && text[i];) {
		size_t n = mbrlen(text + i, MB_CUR_MAX, &ms);
		i += (n == (size_t)-1 || n == (size_t)-2 || n == 0) ? 1 : (int)n;
		chars++;
	}
	return chars;
}

/* Enter at the prompt: parse, and run or show the error. Returns 1 when the prompt may close. */
static int tui_submit(struct tui *t)
{
	char text[TUI_LINE_MAX * 4];
	tui_line_get(&t->line, text, sizeof text);
	if (!text[strspn(text, " \t")])
		return 1;
	struct sp_stmt *st = calloc(1, sizeof *st);
	struct sp_diag dg;
	int shift = 0;
	if (!st)
		return 1;
	memset(&dg, 0, sizeof dg);
	if (tui_parse(t, text, st, &dg, &shift) < 0) {
		snprintf(t->prompt_err, sizeof t->prompt_err, "%s", dg.msg);
		int col = dg.col - shift;
		t->v.prompt_error_col = tui_char_col(text, col > 0 ? col : 1);
		free(st);
		return 0;
	}
	tui_line_remember(&t->line, text);
	tui_exec(t, st);
	tui_keep(t, st);
	return 1;
}

/* ---- the script ------------------------------------------------------------------------------ */

static void tui_script_advance(struct tui *t)
{
	t->next = script_cursor_next(&t->cur);
	t->v.next_line = t->next ? t->next->line : 0;
}

/* Run the next step if one is due and its actor is free. */
static void tui_engine(struct tui *t)
{
	if (!t->next)
		return;
	long long now = now_ms();
	if (!(t->step_wanted || (t->v.playing && now >= t->next_auto)) || now < t->sleep_until)
		return;
	const struct sp_stmt *st = t->next;
	if (tui_busy(t, st, 0)) {
		if (!t->wait_deadline) {
			tui_snapshot(t);
			const struct snap_actor *sa = tui_actor(t, tui_pane_of(t, st->actor));
			t->wait_deadline = now + t->o->timeout_ms;
			tui_msg(t, 0, tui_text(TX_WAITING), st->actor, sa ? sa->blocked_call : "");
		} else if (now >= t->wait_deadline) {
			session_wait_actor(t->s, st->actor, 0); /* reports it stuck */
			t->wait_deadline = 0;
			t->step_wanted = t->v.playing = 0;
		}
		return;
	}
	t->wait_deadline = 0;
	t->step_wanted = 0;
	tui_exec(t, st);
	t->steps_done++;
	tui_script_advance(t);
	now = now_ms();
	if (st->kind == SP_ST_SLEEP)
		t->sleep_until = now + st->sleep_ms;
	if (st->kind == SP_ST_PAUSE && t->v.playing) {
		t->v.playing = 0;
		t->resume_after_pause = 1;
		tui_msg(t, 0, "%s", tui_text(TX_PAUSED));
	}
	t->next_auto = now + t->v.delay_ms;
	if (!t->next) {
		t->v.playing = 0;
		tui_msg(t, 0, "%s", tui_text(TX_END));
		if (t->o->quit_at_end)
			t->quit = 1;
	}
}

/* ---- keys ------------------------------------------------------------------------------------ */

/* NAME, NAME2, NAME3 ...: the first one the actor has not used. */
static void tui_fresh_name(struct tui *t, const char *actor, const char *base, char *out, size_t size)
{
	struct sp_scope *sc = script_scope_new();
	if (sc)
		session_seed_scope(t->s, sc);
	snprintf(out, size, "%s", base);
	for (int i = 2; sc && script_scope_has(sc, actor, out) && i < 1000; i++)
		snprintf(out, size, "%s%d", base, i);
	script_scope_free(sc);
}

/* The socket a call key should use: the selected one, or a better fit for accept/send/recv. */
static const struct snap_sock *tui_target(const struct tui *t, enum tui_action act)
{
	const struct snap_sock *k = tui_selected(t);
	const struct snap_actor *sa = tui_actor(t, t->v.focus);
	if (!sa || !k)
		return k;
	int want_listen = act == TUI_A_ACCEPT;
	int want_conn = act == TUI_A_SEND || act == TUI_A_RECV;
	if (!(want_listen && k->state != 10) && !(want_conn && k->state == 10))
		return k;
	for (size_t i = sa->nsocks; i-- > 0;) {
		const struct snap_sock *c = &sa->socks[i];
		if (!c->closed && (want_listen ? c->state == 10 : c->state != 10))
			return c;
	}
	return k;
}

static void tui_sock_ref(const struct snap_sock *k, char *out, size_t size)
{
	if (k->name[0])
		snprintf(out, size, "%s", k->name);
	else
		snprintf(out, size, "%d", k->fd);
}

/* The statement a call key proposes, or -1 (with a message) when it cannot. */
static int tui_prefill(struct tui *t, enum tui_action act, char *buf, size_t size)
{
	const char *actor = t->pane_names[t->v.focus];
	char name[SP_NAME_MAX], ref[SP_NAME_MAX];
	if (act == TUI_A_SOCKET) {
		tui_fresh_name(t, actor, strcmp(actor, "server") == 0 ? "s" : "c", name, sizeof name);
		snprintf(buf, size, "%s: %s = socket(AF_INET, SOCK_STREAM)", actor, name);
		return 0;
	}
	const struct snap_sock *k = tui_target(t, act);
	if (!k) {
		tui_msg(t, 1, tui_text(TX_NEEDS_SOCKET), tui_action_bar(act) ? tui_action_bar(act)
					   : tui_action_help(act));
		return -1;
	}
	tui_sock_ref(k, ref, sizeof ref);
	switch (act) {
	case TUI_A_BIND: snprintf(buf, size, "%s: bind(%s, 127.0.0.1:8888)", actor, ref); break;
	case TUI_A_LISTEN: snprintf(buf, size, "%s: listen(%s, 5)", actor, ref); break;
	case TUI_A_CONNECT: snprintf(buf, size, "%s: connect(%s, 127.0.0.1:8888)", actor, ref); break;
	case TUI_A_ACCEPT:
		tui_fresh_name(t, actor, "conn", name, sizeof name);
		snprintf(buf, size, "%s: %s = accept(%s)", actor, name, ref);
		break;
	case TUI_A_SEND: snprintf(buf, size, "%s: send(%s, \"Hello, client!\")", actor, ref); break;
	case TUI_A_RECV: snprintf(buf, size, "%s: recv(%s, 1024)", actor, ref); break;
	case TUI_A_CLOSE: snprintf(buf, size, "%s: close(%s)", actor, ref); break;
	case TUI_A_SHUTDOWN: snprintf(buf, size, "%s: shutdown(%s, SHUT_WR)", actor, ref); break;
	case TUI_A_SETSOCKOPT: snprintf(buf, size, "%s: setsockopt(%s, SO_REUSEADDR, 1)", actor, ref); break;
	default: return -1;
	}
	return 0;
}

static void tui_open_prompt(struct tui *t, const char *text)
{
	tui_line_set(&t->line, text);
	t->line.hpos = t->line.nhist;
	t->prompt_err[0] = 0;
	t->v.prompt = 1;
}

/* A call key: refuse on a blocked side, else open the prompt prefilled. */
static enum tui_res tui_call_key(struct tui *t, enum tui_action act)
{
	const struct snap_actor *sa = tui_actor(t, t->v.focus);
	if (sa && sa->blocked) {
		tui_msg_clear(t);
		tui_msg(t, 1, tui_text(TX_BUSY), sa->name, sa->blocked_call);
		return TUI_R_REDRAW;
	}
	char buf[256];
	if (tui_prefill(t, act, buf, sizeof buf) == 0)
		tui_open_prompt(t, buf);
	return TUI_R_REDRAW;
}

static void tui_move_sel(struct tui *t, int dir)
{
	const struct snap_actor *sa = tui_actor(t, t->v.focus);
	if (!sa || sa->nsocks == 0)
		return;
	int i = t->v.sel[t->v.focus] + dir;
	if (i < 0 || (size_t)i >= sa->nsocks)
		return;
	tui_pick_remember(t, t->v.focus, sa, i);
}

static enum tui_res tui_interrupt(struct tui *t)
{
	const struct snap_actor *sa = tui_actor(t, t->v.focus);
	const char *actor = t->pane_names[t->v.focus];
	if (!sa || !sa->blocked) {
		tui_msg_clear(t);
		tui_msg(t, 0, tui_text(TX_NOTHING_BLOCKED), actor);
		return TUI_R_REDRAW;
	}
	if (t->o->record) {
		fprintf(t->o->record, tui_text(TX_INTERRUPTED_REC), actor, sa->blocked_call);
		fputc('\n', t->o->record);
		fflush(t->o->record);
	}
	tui_msg_clear(t);
	session_interrupt(t->s, actor);
	tui_refresh_kernel(t);
	return TUI_R_REDRAW;
}

static const int speeds[] = { 0, 100, 250, 500, 1000, 2000, 4000 };

static void tui_speed(struct tui *t, int faster)
{
	int n = (int)(sizeof speeds / sizeof speeds[0]), i = 0;
	while (i < n - 1 && speeds[i] < t->v.delay_ms)
		i++;
	i += faster ? -1 : (speeds[i] > t->v.delay_ms ? 0 : 1);
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	t->v.delay_ms = speeds[i];
	char dur[32];
	text_duration((long long)speeds[i] * 1000000, dur, sizeof dur);
	tui_msg_clear(t);
	tui_msg(t, 0, tui_text(TX_SPEED), speeds[i] ? dur : "0 s");
}

static enum tui_res tui_script_key(struct tui *t, enum tui_action act)
{
	if (!t->o->script || !t->next) {
		tui_msg_clear(t);
		tui_msg(t, 0, "%s", tui_text(t->o->script ? TX_END : TX_NO_SCRIPT));
		return TUI_R_REDRAW;
	}
	if (act == TUI_A_PLAY || t->resume_after_pause) {
		t->v.playing = act == TUI_A_PLAY ? !t->v.playing : 1;
		t->resume_after_pause = 0;
		t->next_auto = now_ms();
		if (t->msg_err == 0)
			tui_msg_clear(t);
	} else
		t->step_wanted = 1;
	return TUI_R_REDRAW;
}

static enum tui_res tui_quit_key(struct tui *t)
{
	for (int i = 0; i < t->v.npanes; i++) {
		const struct snap_actor *sa = tui_actor(t, i);
		if (sa && sa->blocked) {
			snprintf(t->confirm, sizeof t->confirm, tui_text(TX_CONFIRM_QUIT), sa->name,
				 sa->blocked_call);
			t->v.confirm = t->confirm;
			return TUI_R_REDRAW;
		}
	}
	return TUI_R_QUIT;
}

static enum tui_res tui_action(struct tui *t, enum tui_action act)
{
	switch (act) {
	case TUI_A_SOCKET: case TUI_A_BIND: case TUI_A_LISTEN: case TUI_A_CONNECT:
	case TUI_A_ACCEPT: case TUI_A_SEND: case TUI_A_RECV: case TUI_A_CLOSE:
	case TUI_A_SHUTDOWN: case TUI_A_SETSOCKOPT:
		return tui_call_key(t, act);
	case TUI_A_PROMPT: {
		char buf[64];
		snprintf(buf, sizeof buf, "%s: ", t->pane_names[t->v.focus]);
		tui_open_prompt(t, buf);
		return TUI_R_REDRAW;
	}
	case TUI_A_NEXT_PANE: t->v.focus = (t->v.focus + 1) % t->v.npanes; return TUI_R_REDRAW;
	case TUI_A_PREV_PANE: t->v.focus = (t->v.focus + t->v.npanes - 1) % t->v.npanes; return TUI_R_REDRAW;
	case TUI_A_SEL_UP: tui_move_sel(t, -1); return TUI_R_REDRAW;
	case TUI_A_SEL_DOWN: tui_move_sel(t, 1); return TUI_R_REDRAW;
	case TUI_A_STEP: case TUI_A_PLAY: return tui_script_key(t, act);
	case TUI_A_FASTER: tui_speed(t, 1); return TUI_R_REDRAW;
	case TUI_A_SLOWER: tui_speed(t, 0); return TUI_R_REDRAW;
	case TUI_A_INTERRUPT: return tui_interrupt(t);
	case TUI_A_REDRAW: clearok(curscr, TRUE); return TUI_R_REDRAW;
	case TUI_A_HELP: t->v.help = 1; t->v.help_top = 0; return TUI_R_REDRAW;
	case TUI_A_QUIT: return tui_quit_key(t);
	default: return TUI_R_NONE;
	}
}

static enum tui_res tui_prompt_key(struct tui *t, int key, int is_char)
{
	if ((is_char && (key == 27 || key == 3 || key == 7)) || (!is_char && key == KEY_EXIT)) {
		t->v.prompt = 0; /* Esc, Ctrl-C, Ctrl-G */
		return TUI_R_REDRAW;
	}
	if ((is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER)) {
		if (tui_submit(t))
			t->v.prompt = 0;
		return TUI_R_REDRAW;
	}
	if (tui_line_key(&t->line, key, is_char))
		t->prompt_err[0] = 0;
	return TUI_R_REDRAW;
}

static enum tui_res tui_help_key(struct tui *t, int key)
{
	int page = t->hits.help_page > 1 ? t->hits.help_page - 1 : 1;
	int max = t->hits.help_rows - page;
	switch (key) {
	case KEY_UP: case 'k': t->v.help_top--; break;
	case KEY_DOWN: case 'j': t->v.help_top++; break;
	case KEY_PPAGE: t->v.help_top -= page; break;
	case KEY_NPAGE: case ' ': t->v.help_top += page; break;
	default: t->v.help = 0; return TUI_R_REDRAW;
	}
	if (t->v.help_top > max)
		t->v.help_top = max;
	if (t->v.help_top < 0)
		t->v.help_top = 0;
	return TUI_R_REDRAW;
}

static enum tui_res tui_mouse(struct tui *t)
{
	MEVENT me;
	if (getmouse(&me) != OK || !(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return TUI_R_NONE;
	int sock, pane = tui_hit(&t->hits, me.y, me.x, &sock);
	if (pane < 0)
		return TUI_R_NONE;
	t->v.focus = pane;
	if (sock >= 0)
		tui_pick_remember(t, pane, tui_actor(t, pane), sock);
	return TUI_R_REDRAW;
}

static enum tui_res tui_key(struct tui *t, int key, int is_char)
{
	if (!is_char && key == KEY_RESIZE)
		return TUI_R_REDRAW;
	if (t->v.confirm) {
		t->v.confirm = NULL;
		return is_char && (key == 'y' || key == 'Y') ? TUI_R_QUIT : TUI_R_REDRAW;
	}
	if (t->v.prompt)
		return tui_prompt_key(t, key, is_char);
	if (t->v.help)
		return tui_help_key(t, key);
	if (!is_char && key == KEY_MOUSE)
		return tui_mouse(t);
	if (is_char && key == 27)
		return TUI_R_NONE;
	return tui_action(t, tui_key_action(key));
}

static void tui_read_keys(struct tui *t)
{
	wint_t ch;
	int r;
	while ((r = wget_wch(stdscr, &ch)) != ERR) {
		tui_snapshot(t); /* handlers read the session's state: a fresh one */
		enum tui_res res = tui_key(t, (int)ch, r == OK);
		if (res == TUI_R_QUIT)
			t->quit = 1;
		if (res != TUI_R_NONE)
			t->dirty = 1;
	}
}

/* ---- the loop ------------------------------------------------------------------------------------ */

static void tui_fill_view(struct tui *t)
{
	t->v.step = t->steps_done;
	t->v.message = t->msg[0] ? t->msg : NULL;
	t->v.message_err = t->msg_err;
	t->v.line = &t->line;
	t->v.prompt_error = t->prompt_err[0] ? t->prompt_err : NULL;
}

static void tui_redraw(struct tui *t)
{
	tui_snapshot(t);
	tui_fill_view(t);
	tui_draw(stdscr, t->sn, &t->v, &t->hits);
	curs_set(t->v.prompt || t->v.confirm ? 1 : 0);
	wnoutrefresh(stdscr);
	doupdate();
	t->dirty = 0;
}

/* Whether the screen changes on its own: a blocked call's clock, sockets on their way out. */
static int tui_live(const struct tui *t)
{
	if (!t->sn)
		return 0;
	for (size_t i = 0; i < t->sn->nactors; i++) {
		const struct snap_actor *sa = &t->sn->actors[i];
		if (sa->blocked)
			return 1;
		for (size_t k = 0; k < sa->nsocks; k++) {
			int st = sa->socks[k].state;
			if ((sa->socks[k].closed && sa->socks[k].in_kernel) || st == 2 || st == 3 ||
			    st == 4 || st == 5 || st == 6 || st == 9 || st == 11)
				return 1;
		}
	}
	return 0;
}

static long long min_pos(long long a, long long b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* How long the loop may sleep: -1 (until something happens) unless a timer runs. */
static int tui_timeout(const struct tui *t)
{
	long long now = now_ms(), wait = -1;
	if (t->next && (t->step_wanted || t->v.playing)) {
		long long due = t->step_wanted ? now : t->next_auto;
		if (t->sleep_until > due)
			due = t->sleep_until;
		if (t->wait_deadline)
			due = t->wait_deadline;
		wait = due > now ? due - now : 0;
	}
	if (tui_live(t)) {
		long long tick = t->last_tick + TICK_MS - now;
		wait = min_pos(wait, tick > 0 ? tick : 0);
	}
	return wait > 1000000 ? 1000000 : (int)wait;
}

static void tui_tick(struct tui *t)
{
	if (tui_live(t) && now_ms() - t->last_tick >= TICK_MS)
		tui_refresh_kernel(t);
}

static int tui_loop(struct tui *t, const sigset_t *sleep_mask)
{
	while (!tui_signal) {
		tui_engine(t);
		if (t->dirty)
			tui_redraw(t);
		if (t->quit)
			break;
		struct pollfd fds[TUI_FDS];
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		int n = 1 + session_pollfds(t->s, fds + 1, TUI_FDS - 1);
		int ms = tui_timeout(t);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		int r = ppoll(fds, (nfds_t)n, ms < 0 ? NULL : &ts, sleep_mask);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r < 0) {
			tui_read_keys(t); /* a resize arrives as KEY_RESIZE */
			continue;
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		if (fds[0].revents & POLLIN)
			tui_read_keys(t);
		for (int i = 1; i < n; i++)
			if (fds[i].revents) {
				session_collect(t->s);
				tui_refresh_kernel(t);
				break;
			}
		tui_tick(t);
	}
	return 0;
}

static void tui_init_view(struct tui *t, const struct tui_opts *o)
{
	t->o = o;
	t->v.file = o->script_file;
	t->v.title = o->script && o->script->title ? o->script->title : NULL;
	t->v.net_label = o->net_label;
	t->v.net_note = o->net_note;
	t->v.lang = "en";
	t->v.delay_ms = o->delay_ms;
	t->v.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	t->v.color = o->color;
	t->v.script = o->script;
	t->v.nsteps = o->script ? (int)o->script->nsteps : 0;
	t->dirty = 1;
	tui_add_pane(t, "server");
	tui_add_pane(t, "client");
	if (o->script) {
		tui_panes_from_script(t, o->script->stmts, o->script->n);
		script_cursor_init(&t->cur, o->script);
		tui_script_advance(t);
		t->v.playing = o->play && t->next;
		t->next_auto = now_ms();
	}
}

static void tui_free(struct tui *t)
{
	session_free(t->s); /* kills the actors */
	t->s = NULL;
	for (size_t i = 0; i < t->ntyped; i++) {
		script_stmt_clear(t->typed[i]);
		free(t->typed[i]);
	}
	free(t->typed);
	tui_line_free(&t->line);
}

int tui_run(const struct tui_opts *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "sockplay: %s\n", tui_text(TX_NO_TTY));
		return 2;
	}
	static struct tui t; /* big; one per process */
	memset(&t, 0, sizeof t);
	tui_init_view(&t, o);
	struct session_opts so = { .timeout_ms = o->timeout_ms, .on_event = tui_on_event, .ctx = &t,
				   .net_label = o->net_label };
	sigset_t sleep_mask;
	tui_signals(&sleep_mask);
	t.s = session_new(&so);
	if (!t.s) {
		fprintf(stderr, "sockplay: out of memory\n");
		return 1;
	}
	if (tui_start_curses(o) < 0) {
		fprintf(stderr, "sockplay: %s\n", tui_text(TX_NO_CURSES));
		tui_free(&t);
		return 1;
	}
	int rc = tui_loop(&t, &sleep_mask), err = errno;
	tui_free(&t);
	tui_restore();
	sigprocmask(SIG_SETMASK, &sleep_mask, NULL);
	if (rc < 0) {
		fprintf(stderr, "sockplay: %s\n", strerror(err));
		return 1;
	}
	return tui_signal ? 128 + tui_signal : 0;
}
