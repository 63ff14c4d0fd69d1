/* tui.c -- the interactive front end: one poll loop; keys, the prompt and scripts all become statements. */
#include <arpa/inet.h>
#include <errno.h>
#include <langinfo.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/grow.h"
#include "sockplay/i18n.h"
#include "sockplay/session.h"
#include "sockplay/step.h"
#include "sockplay/text.h"
#include "sockplay/transcript.h"
#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"
#include "sockplay/wire.h"

#define TUI_FDS 16
#define TICK_MS 1000 /* the "blocked for N s" clock and the kernel view while something changes */
/*
 * The wire: while segments pour in, the screen is drawn at most this often:
 * a 100 MB transfer must not keep the loop from the keys. (A step's late
 * segments are waited for by the step runner, as --batch does.)
 */
#define WIRE_FRAME_MS 50

/* What a key handler asks the loop to do. */
enum tui_res {
	TUI_R_NONE,
	TUI_R_REDRAW,
	TUI_R_QUIT,
};

/* A connection as its two ends (ports in network order, as the capture has them). */
struct tui_conn {
	struct sockaddr_storage a, b;
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
	char new_side_ok[TUI_LINE_MAX * 4]; /* a statement for a new side, confirmed by Enter again */
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
	/* programs on stage: which panes step on their own (p under --play), and when next */
	int prog_auto[TUI_MAX_PANES];
	long long prog_next;
	/* the wire */
	struct wire *wire;           /* the capture, NULL when it is off */
	char wire_off[300];          /* why it is off */
	uint32_t wstep;              /* the step running: segments are tagged with it */
	uint32_t typed_steps;        /* statements typed beside a script */
	uint64_t wire_anchor;        /* number of the newest segment shown; 0: follow new ones */
	int wire_all;                /* W: every connection */
	int wire_dirty;              /* segments came since the last frame */
	int kv_stale;                /* segments came since the kernel's view was read */
	unsigned long long wire_lost;
	uint32_t *wmatch;            /* ring indexes of the segments the pane follows */
	size_t wn, wcap, wend;       /* how many; the newest shown */
	struct tui_wire_row wrows[TUI_WIRE_ROWS];
	char wnames[TUI_WIRE_ROWS][2][64];
	char wleft[128], wright[128], wnone[300];
	unsigned char ports[65536 / 8]; /* ports the playground's sockets ever had (W hides the rest) */
	long long last_frame;
	unsigned long frames;
	long long frame_gap;         /* the longest time between two frames, after the first */
	/* the step runner: the step being run, and what it changed */
	struct step r;
	char join[1024];             /* explain_join() of the last call that returned */
	unsigned char *data;         /* the bytes the last call that returned received, all of them (e) */
	size_t data_len;
	long long data_ret;          /* what that call returned (a program's read may keep less) */
	char join_for[SNAP_LINE_MAX + SP_NAME_MAX]; /* that call, as the explain area shows it */
	char join_wait[1024];        /* ... of the last call that blocked, while it is shown as such */
	int join_type;               /* the socket type of the call JOIN_FOR names */
};

/* ---- time, signals, the terminal ------------------------------------------------ */

static volatile sig_atomic_t tui_signal;
static volatile sig_atomic_t tui_active;

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

/*
 * A fatal signal (SIGSEGV, SIGABRT ...) must not leave the terminal raw and
 * on the alternate screen. endwin() is not async-signal-safe, so what it
 * would do is prepared while the UI starts: the terminal modes from before
 * curses, and the bytes that end mouse reports, show the cursor, reset
 * attributes and leave the alternate screen. The handler writes those,
 * puts the modes back, and lets the signal go on as it would have.
 */
static const int tui_fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGSYS };
#define TUI_NFATAL (sizeof tui_fatal_sigs / sizeof tui_fatal_sigs[0])
static struct sigaction tui_fatal_old[TUI_NFATAL];
static struct termios tui_tio;
static int tui_tio_fd = -1;
static char tui_reset_seq[256];
static size_t tui_reset_len;

static void tui_reset_add(const char *cap)
{
	if (!cap || cap == (const char *)-1)
		return;
	size_t n = strlen(cap);
	if (tui_reset_len + n < sizeof tui_reset_seq) {
		memcpy(tui_reset_seq + tui_reset_len, cap, n);
		tui_reset_len += n;
	}
}

static void tui_on_fatal(int sig)
{
	int saved = errno;
	if (tui_active) {
		tui_active = 0;
		if (tui_reset_len) {
			ssize_t w = write(STDOUT_FILENO, tui_reset_seq, tui_reset_len);
			(void)w;
		}
		if (tui_tio_fd >= 0)
			tcsetattr(tui_tio_fd, TCSANOW, &tui_tio);
	}
	for (size_t i = 0; i < TUI_NFATAL; i++)
		if (tui_fatal_sigs[i] == sig) {
			sigaction(sig, &tui_fatal_old[i], NULL);
			break;
		}
	/* a fault happens again on return, now to the old handler; a sent signal is sent again */
	sigset_t un;
	sigemptyset(&un);
	sigaddset(&un, sig);
	sigprocmask(SIG_UNBLOCK, &un, NULL);
	raise(sig);
	errno = saved;
}

/* Before curses changes the terminal: what the fatal-signal handler puts back. */
static void tui_fatal_prepare(void)
{
	if (tcgetattr(STDIN_FILENO, &tui_tio) == 0)
		tui_tio_fd = STDIN_FILENO;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (size_t i = 0; i < TUI_NFATAL; i++)
		sigaction(tui_fatal_sigs[i], &sa, &tui_fatal_old[i]);
}

/* Once curses knows the terminal: the bytes that undo what the UI set. */
static void tui_fatal_sequence(void)
{
	tui_reset_len = 0;
	tui_reset_add("\033[?1000l\033[?1002l\033[?1006l"); /* mouse reports off: harmless where unknown */
	tui_reset_add(tigetstr("sgr0"));
	tui_reset_add(tigetstr("cnorm"));
	tui_reset_add(tigetstr("rmkx"));
	tui_reset_add(tigetstr("rmcup"));
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
	tui_fatal_prepare();
	if (!newterm(NULL, stdout, stdin))
		return -1;
	tui_fatal_sequence();
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
	case SP_CALL_POLL: return tui_text(TX_WAIT_POLL);
	case SP_CALL_SELECT: return tui_text(TX_WAIT_SELECT);
	default: return tui_text(TX_WAIT_SEND);
	}
}

void tui_note_call(struct tui_view *v, const struct sp_event *ev)
{
	struct tui_last *l = &v->last;
	if (ev->kind != SP_EV_CALL || !ev->shown)
		return;
	struct sp_event e = *ev;
	e.err = ev->ret < 0 ? ev->err : 0;
	l->call = e.call;
	l->err = e.err;
	l->ret = e.ret;
	snprintf(l->actor, sizeof l->actor, "%s", e.actor ? e.actor : "");
	transcript_call_text(&e, l->text, sizeof l->text);
	l->has_ex = e.call != SP_CALL_NONE;
	if (l->has_ex)
		explain_event(&e, &l->ex);
}

static void tui_on_event(void *ctx, const struct sp_event *ev)
{
	struct tui *t = ctx;
	t->dirty = 1;
	step_event(&t->r, ev);
	switch (ev->kind) {
	case SP_EV_CALL: {
		int pane = ev->actor ? tui_add_pane(t, ev->actor) : -1;
		tui_note_call(&t->v, ev);
		if (ev->shown) {
			/* the explain area's call (not an older one resumed since): e shows its data whole */
			free(t->data);
			t->data = ev->data_len ? malloc(ev->data_len) : NULL;
			t->data_len = t->data ? ev->data_len : 0;
			t->data_ret = ev->ret;
			if (t->data)
				memcpy(t->data, ev->data, ev->data_len);
		}
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
	case SP_EV_SAY:
		snprintf(t->v.say, sizeof t->v.say, "%s", ev->text ? ev->text : "");
		break;
	case SP_EV_TITLE:
		snprintf(t->v.said_title, sizeof t->v.said_title, "%s", ev->text ? ev->text : "");
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

/* ---- the wire: capture, the connection followed, the ladder's rows ---------------------------- */

static int tui_seg_in(const struct wire_seg *g, const struct tui_conn *c)
{
	return (session_endpoint_is(&c->a, &g->src, 0) && session_endpoint_is(&c->b, &g->dst, 0)) ||
	       (session_endpoint_is(&c->a, &g->dst, 0) && session_endpoint_is(&c->b, &g->src, 0));
}

static void tui_wire_lost(struct tui *t)
{
	t->wire_lost = wire_dropped(t->wire);
}

static int tui_port_known(const struct tui *t, unsigned p);

/*
 * Read what the capture holds (one bounded batch) between steps: labelled as
 * such, not as the last step's. The kernel's view is read again soon after.
 */
static void tui_wire_pull(struct tui *t)
{
	if (!t->wire)
		return;
	int n = wire_drain(t->wire, t->wstep | TUI_WIRE_BETWEEN);
	if (n > 0) {
		t->wire_dirty = 1;
		/* someone else's traffic on a host's lo changes none of ours */
		size_t count = wire_count(t->wire);
		for (size_t i = count > (size_t)n ? count - (size_t)n : 0; i < count && !t->kv_stale; i++) {
			const struct wire_seg *g = wire_at(t->wire, i);
			if (tui_port_known(t, session_endpoint_port(&g->src)) || tui_port_known(t, session_endpoint_port(&g->dst)))
				t->kv_stale = 1;
		}
	}
	tui_wire_lost(t);
}

/* Remember the ports of the playground's sockets: "every connection" means theirs. */
static void tui_note_ports(struct tui *t)
{
	for (size_t i = 0; t->sn && i < t->sn->nactors; i++)
		for (size_t k = 0; k < t->sn->actors[i].nsocks; k++) {
			const struct snap_sock *so = &t->sn->actors[i].socks[k];
			struct sockaddr_storage ss;
			int p = step_endpoint(&so->local_sa, so->local_len, &ss);
			if (p > 0)
				t->ports[p / 8] |= (unsigned char)(1u << (p % 8));
		}
}

static int tui_port_known(const struct tui *t, unsigned p)
{
	return p && (t->ports[p / 8] >> (p % 8)) & 1;
}

/* Who owns endpoint E of a connection whose other end is O: pane index (or TUI_MAX_PANES), actor, socket. */
static int tui_owner(const struct tui *t, const struct sockaddr_storage *e, const struct sockaddr_storage *o,
		     const char **actor, const char **sock)
{
	*actor = *sock = NULL;
	for (int pass = 0; pass < 2 && t->sn; pass++)
		for (size_t i = 0; i < t->sn->nactors; i++) {
			const struct snap_actor *sa = &t->sn->actors[i];
			for (size_t k = 0; k < sa->nsocks; k++) {
				const struct snap_sock *so = &sa->socks[k];
				struct sockaddr_storage l, p;
				if (step_endpoint(&so->local_sa, so->local_len, &l) < 0)
					continue;
				int connected = so->has_peer && step_endpoint(&so->peer_sa, so->peer_len, &p) > 0;
				/* first the connection's own socket, then a listener it is queued on */
				if (pass == 0 ? (connected && session_endpoint_is(&l, e, 0) && session_endpoint_is(&p, o, 0))
					      : (!connected && session_endpoint_is(&l, e, 1))) {
					*actor = sa->name;
					*sock = pass == 0 || sa->socks[k].state != SP_TCP_LISTEN ? sa->socks[k].name : NULL;
					int pane = tui_pane_of(t, sa->name);
					return pane >= 0 ? pane : TUI_MAX_PANES;
				}
			}
		}
	*actor = session_addr_owner(t->s, e);
	int pane = *actor ? tui_pane_of(t, *actor) : -1;
	return pane >= 0 ? pane : TUI_MAX_PANES + 1;
}

/*
 * What the segments IDX[0..N) between ends A and B say: which end the first of
 * them went to (the passive end, where the server is), and whether an end sent
 * nothing but RSTs -- the kernel answering for a port that no socket takes
 * (nothing listens there, or only a bound socket that does not listen).
 */
struct tui_ends {
	int a_passive, b_passive;
	int a_kernel, b_kernel;
};

static void tui_conn_facts(const struct tui *t, const struct sockaddr_storage *a, const struct sockaddr_storage *b,
			   const uint32_t *idx, size_t n, struct tui_ends *f)
{
	int a_rst = 0, a_other = 0, b_rst = 0, b_other = 0, first = 1;
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < n; i++) {
		const struct wire_seg *g = wire_at(t->wire, idx[i]);
		int ab = session_endpoint_is(a, &g->src, 0) && session_endpoint_is(b, &g->dst, 0);
		int ba = !ab && session_endpoint_is(b, &g->src, 0) && session_endpoint_is(a, &g->dst, 0);
		if (!ab && !ba)
			continue;
		if (first) {
			f->b_passive = ab;
			f->a_passive = ba;
			first = 0;
		}
		int rst = g->proto == IPPROTO_TCP && (g->flags & WIRE_RST);
		if (ab) {
			a_rst |= rst;
			a_other |= !rst;
		} else {
			b_rst |= rst;
			b_other |= !rst;
		}
	}
	f->a_kernel = a_rst && !a_other;
	f->b_kernel = b_rst && !b_other;
}

/*
 * Whether endpoint A goes on the left: the server's side. Both ends in panes:
 * in pane order (the server's first). One end in no pane (the kernel, or a
 * program outside on --host-net): the end the connection was opened to, so
 * the server stays on the left before it has a socket. Else the lower port.
 */
static int tui_left_first(const struct tui *t, const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b, const struct tui_ends *f)
{
	const char *x, *y;
	int pa = tui_owner(t, a, b, &x, &y), pb = tui_owner(t, b, a, &x, &y);
	if ((pa >= TUI_MAX_PANES) != (pb >= TUI_MAX_PANES)) {
		if (f->a_passive || f->b_passive)
			return f->a_passive;
		/* nothing on the wire yet (a UDP socket's connect() sends nothing): the end outside
		   the panes is the one the socket was connected to, as its first segment will say */
		return pa >= TUI_MAX_PANES;
	}
	if (pa != pb)
		return pa < pb;
	return session_endpoint_port(a) <= session_endpoint_port(b);
}

/* Whether a connected socket of the playground is endpoint E of the connection to O. */
static int tui_conn_socket(const struct tui *t, const struct sockaddr_storage *e, const struct sockaddr_storage *o)
{
	for (size_t i = 0; t->sn && i < t->sn->nactors; i++)
		for (size_t k = 0; k < t->sn->actors[i].nsocks; k++) {
			const struct snap_sock *so = &t->sn->actors[i].socks[k];
			struct sockaddr_storage l, p;
			if (step_endpoint(&so->local_sa, so->local_len, &l) >= 0 && so->has_peer &&
			    step_endpoint(&so->peer_sa, so->peer_len, &p) > 0 && session_endpoint_is(&l, e, 0) &&
			    session_endpoint_is(&p, o, 0))
				return 1;
		}
	return 0;
}

/* "server conn 127.0.0.1:8888" (LONG) or "server :8888"; "kernel ..." for an end that only sent RSTs (KERNEL). */
static void tui_end_name(const struct tui *t, const struct sockaddr_storage *e, const struct sockaddr_storage *o,
			 int lng, int kernel, char *out, size_t size)
{
	const char *actor, *sock;
	char addr[SNAP_ADDR_MAX];
	socklen_t len = e->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	text_addr(e, len, addr, sizeof addr);
	if (kernel && !tui_conn_socket(t, e, o)) { /* no socket took the segment: the kernel answered it */
		if (lng)
			snprintf(out, size, "%s %s", tui_text(TX_WIRE_KERNEL), addr);
		else
			snprintf(out, size, "%s :%u", tui_text(TX_WIRE_KERNEL), session_endpoint_port(e));
		return;
	}
	tui_owner(t, e, o, &actor, &sock);
	if (!actor)
		snprintf(out, size, "%s", addr);
	else if (!lng)
		snprintf(out, size, "%s :%u", actor, session_endpoint_port(e));
	else if (sock && sock[0])
		snprintf(out, size, "%s %s %s", actor, sock, addr);
	else
		snprintf(out, size, "%s %s", actor, addr);
}

/* The connection of the selected socket; -1 with a reason in t->wnone when there is none. */
static int tui_wire_conn(struct tui *t, struct tui_conn *c)
{
	const struct snap_sock *k = tui_selected(t);
	const char *actor = t->pane_names[t->v.focus];
	if (!k) { /* this side has no socket (left): the playground's newest connection */
		for (size_t i = wire_count(t->wire); i-- > 0;) {
			const struct wire_seg *g = wire_at(t->wire, i);
			if (tui_port_known(t, session_endpoint_port(&g->src)) || tui_port_known(t, session_endpoint_port(&g->dst))) {
				c->a = g->src;
				c->b = g->dst;
				return 0;
			}
		}
		snprintf(t->wnone, sizeof t->wnone, "%s", tui_text(TX_WIRE_NO_SOCKET));
		return -1;
	}
	char ref[SP_NAME_MAX + 16];
	if (k->name[0])
		snprintf(ref, sizeof ref, "%s", k->name);
	else
		snprintf(ref, sizeof ref, "fd %d", k->fd);
	if (k->family == AF_UNIX) {
		snprintf(t->wnone, sizeof t->wnone, tui_text(TX_WIRE_UNIX), actor, ref);
		return -1;
	}
	if (step_endpoint(&k->local_sa, k->local_len, &c->a) > 0 && k->has_peer &&
	    step_endpoint(&k->peer_sa, k->peer_len, &c->b) > 0)
		return 0;
	/* a listener or an unconnected UDP socket: its most recent connection */
	if (step_endpoint(&k->local_sa, k->local_len, &c->a) > 0) {
		const struct wire_seg *best = NULL;
		for (size_t i = wire_count(t->wire); i-- > 0;) {
			const struct wire_seg *g = wire_at(t->wire, i);
			int in = session_endpoint_is(&c->a, &g->dst, 1), out = session_endpoint_is(&c->a, &g->src, 1);
			if (!in && !out)
				continue;
			if (!best)
				best = g;
			if (k->state != SP_TCP_LISTEN || (in && (g->flags & (WIRE_SYN | WIRE_ACK)) == WIRE_SYN)) {
				best = g;
				break;
			}
		}
		if (best) {
			int in = session_endpoint_is(&c->a, &best->dst, 1);
			c->a = in ? best->dst : best->src;
			c->b = in ? best->src : best->dst;
			return 0;
		}
	}
	snprintf(t->wnone, sizeof t->wnone, tui_text(TX_WIRE_NO_CONN), actor, ref);
	return -1;
}

/* The segments to draw, from the capture's ring: the followed connection's, or every one. */
static void tui_wire_build(struct tui *t)
{
	struct tui_wire *w = &t->v.wire;
	memset(w, 0, sizeof *w);
	w->all = t->wire_all;
	w->last_step = t->wstep;
	w->lost = t->wire_lost;
	t->wn = t->wend = 0;
	if (!t->wire) {
		w->off = t->wire_off;
		return;
	}
	tui_note_ports(t);
	struct tui_conn c;
	int one = !t->wire_all, ours = 0;
	for (size_t i = wire_count(t->wire); i-- > 0 && !ours;) {
		const struct wire_seg *g = wire_at(t->wire, i);
		ours = tui_port_known(t, session_endpoint_port(&g->src)) || tui_port_known(t, session_endpoint_port(&g->dst));
	}
	if (!ours) { /* nothing of the playground's on the wire yet */
		w->none = tui_text(TX_WIRE_EMPTY);
		return;
	}
	if (one && tui_wire_conn(t, &c) < 0) {
		w->none = t->wnone;
		return;
	}
	size_t count = wire_count(t->wire);
	if (count > t->wcap) {
		uint32_t *v = realloc(t->wmatch, count * sizeof *v);
		if (!v)
			return;
		t->wmatch = v;
		t->wcap = count;
	}
	for (size_t i = 0; i < count; i++) {
		const struct wire_seg *g = wire_at(t->wire, i);
		if (one ? tui_seg_in(g, &c) : (tui_port_known(t, session_endpoint_port(&g->src)) ||
					       tui_port_known(t, session_endpoint_port(&g->dst))))
			t->wmatch[t->wn++] = (uint32_t)i;
	}
	if (one) {
		struct tui_ends f;
		tui_conn_facts(t, &c.a, &c.b, t->wmatch, t->wn, &f);
		if (!tui_left_first(t, &c.a, &c.b, &f)) {
			struct sockaddr_storage x = c.a;
			c.a = c.b;
			c.b = x;
			int k = f.a_kernel;
			f.a_kernel = f.b_kernel;
			f.b_kernel = k;
		}
		tui_end_name(t, &c.a, &c.b, 1, f.a_kernel, t->wleft, sizeof t->wleft);
		tui_end_name(t, &c.b, &c.a, 1, f.b_kernel, t->wright, sizeof t->wright);
		w->left = t->wleft;
		w->right = t->wright;
	}
	if (t->wn == 0)
		return;
	size_t end = t->wn - 1;
	if (t->wire_anchor) {
		while (end > 0 && wire_at(t->wire, t->wmatch[end])->no > t->wire_anchor)
			end--;
		size_t page = t->hits.wire_rows > 0 ? (size_t)t->hits.wire_rows : 1;
		if (end + 1 < page)
			end = (page < t->wn ? page : t->wn) - 1; /* a full page at the top */
	}
	t->wend = end;
	size_t start = end + 1 > TUI_WIRE_ROWS ? end + 1 - TUI_WIRE_ROWS : 0;
	w->older = start;
	w->newer = t->wn - 1 - end;
	for (size_t j = start; j <= end; j++) {
		struct tui_wire_row *r = &t->wrows[w->nrows];
		const struct wire_seg *g = wire_at(t->wire, t->wmatch[j]);
		r->seg = g;
		if (one) {
			r->to_right = session_endpoint_is(&c.a, &g->src, 0);
		} else {
			struct tui_ends f; /* what the rows handed to the drawing say of this connection */
			tui_conn_facts(t, &g->src, &g->dst, t->wmatch + start, end + 1 - start, &f);
			int lf = tui_left_first(t, &g->src, &g->dst, &f);
			const struct sockaddr_storage *l = lf ? &g->src : &g->dst, *rt = lf ? &g->dst : &g->src;
			r->to_right = lf;
			tui_end_name(t, l, rt, 0, lf ? f.a_kernel : f.b_kernel, t->wnames[w->nrows][0],
				     sizeof t->wnames[w->nrows][0]);
			tui_end_name(t, rt, l, 0, lf ? f.b_kernel : f.a_kernel, t->wnames[w->nrows][1],
				     sizeof t->wnames[w->nrows][1]);
			r->left = t->wnames[w->nrows][0];
			r->right = t->wnames[w->nrows][1];
		}
		w->nrows++;
	}
	w->rows = t->wrows;
}

/* [ and ]: a page of the pane back or forth; at the newest end the pane follows new segments. */
static void tui_wire_scroll(struct tui *t, int dir)
{
	if (t->wn == 0)
		return;
	size_t page = t->hits.wire_rows > 1 ? (size_t)t->hits.wire_rows - 1 : 1;
	size_t vis = t->hits.wire_rows > 0 ? (size_t)t->hits.wire_rows : 1, end = t->wend;
	if (dir < 0) {
		size_t low = (vis < t->wn ? vis : t->wn) - 1;
		end = end >= low + page ? end - page : low;
		t->wire_anchor = wire_at(t->wire, t->wmatch[end])->no;
	} else if (end + page >= t->wn - 1) {
		t->wire_anchor = 0;
	} else {
		t->wire_anchor = wire_at(t->wire, t->wmatch[end + page])->no;
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
	t->kv_stale = 0;
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

/* ---- what a step changed, from the step runner ----------------------------------------------- */

static void tui_on_segments(void *ctx)
{
	struct tui *t = ctx;
	t->wire_dirty = 1;
	tui_wire_lost(t);
}

/* The result on screen at once; the late segments, and what they change, a moment after. */
static void tui_redraw(struct tui *t);
static void tui_on_late(void *ctx)
{
	tui_redraw(ctx);
}

/* The kernel's view was read again: the states the step changed and the sentence joining them. */
static void tui_on_changed(void *ctx)
{
	struct tui *t = ctx;
	const struct step *r = &t->r;
	t->last_tick = now_ms();
	t->kv_stale = 0;
	t->dirty = 1;
	tui_snapshot(t);
	if (!r->call.set)
		return;
	t->v.ntrans = 0;
	for (int i = 0; i < r->ntrans && t->v.ntrans < TUI_TRANS_MAX; i++) {
		const struct step_trans *x = &r->trans[i];
		struct tui_trans *tr = &t->v.trans[t->v.ntrans++];
		if (x->name[0])
			snprintf(tr->who, sizeof tr->who, "%s %s", x->actor, x->name);
		else
			snprintf(tr->who, sizeof tr->who, "%s fd %d", x->actor, x->fd);
		tr->from = x->from;
		tr->to = x->to;
		tr->main = x->main;
		tr->reset = x->reset;
	}
	if (r->call.blocked) {
		snprintf(t->join_wait, sizeof t->join_wait, "%s", r->join_wait);
	} else {
		snprintf(t->join, sizeof t->join, "%s", r->join);
		snprintf(t->join_for, sizeof t->join_for, "%s", t->v.last.text);
		t->join_type = r->join_type;
	}
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
	tui_wire_pull(t); /* what came before came between steps */
	tui_snapshot(t);
	/*
	 * One number everywhere: a script's step is numbered as the title and the
	 * strip count it; a statement typed beside a script is not one of its
	 * steps and is marked so; without a script every statement is a step.
	 */
	if (t->o->script && st == t->next)
		t->wstep = (uint32_t)t->steps_done + 1;
	else if (t->o->script)
		t->wstep = TUI_WIRE_TYPED | ++t->typed_steps;
	else
		t->wstep++;
	t->v.now_at = t->wstep; /* which step the explain area's say and call belong to */
	if (st->kind == SP_ST_SAY)
		t->v.say_at = t->wstep;
	else if (st->kind == SP_ST_CALL)
		t->v.call_at = t->wstep;
	/* sleep is the loop's timer here, so the screen stays live (the runner skips it) */
	enum session_rc rc = step_run(&t->r, st, t->wstep);
	if (rc == SESSION_OK)
		tui_record(t, st);
	return rc;
}

#define TUI_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* Whether the N bytes at P are a statement's keyword (expect, say ...), which no call is named. */
static int tui_keyword_at(const char *p, size_t n)
{
	static const char *const kw[] = { "expect", "say", "title", "sleep", "pause" };
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (n == strlen(kw[i]) && memcmp(p, kw[i], n) == 0 && (p[n] == ' ' || p[n] == '\t' || !p[n]))
			return 1;
	return 0;
}

/*
 * ":" opens the prompt with "server: " when the server has the focus; one
 * who types "client: send(...)" after it means the client. TEXT past such
 * a prefilled name, when a side's name follows it, else TEXT.
 */
static const char *tui_past_prefill(const char *text)
{
	const char *p = text + strspn(text, " \t");
	size_t id = strspn(p, TUI_ID_CHARS);
	if (id == 0 || p[id] != ':')
		return text;
	const char *q = p + id + 1;
	q += strspn(q, " \t");
	size_t id2 = strspn(q, TUI_ID_CHARS);
	if (tui_keyword_at(q, id2))
		return q; /* "server: expect client free": a statement of its own after the prefill */
	if (id2 == 0 || q[id2 + strspn(q + id2, " \t")] != ':')
		return text;
	return q; /* "A: B: ..." is never a statement: B is the side meant, a new one or not */
}

/* Parse TEXT; when it names no actor, try again on the focused side. */
static int tui_parse(struct tui *t, const char *text, struct sp_stmt *st, struct sp_diag *dg, int *shift)
{
	struct sp_scope *sc = script_scope_new();
	if (!sc)
		return -1;
	session_seed_scope(t->s, sc);
	const char *full = text;
	text = tui_past_prefill(text);
	*shift = -(int)(text - full);
	int rc = script_parse_line(text, sc, st, dg);
	const char *p = text + strspn(text, " \t");
	size_t id = strspn(p, TUI_ID_CHARS);
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
			*shift = n - (int)strlen(text) - (int)(text - full);
		}
	}
	script_scope_free(sc);
	return rc;
}

/* Keep a typed statement alive: a blocked call still points at it. */
static void tui_keep(struct tui *t, struct sp_stmt *st)
{
	struct sp_stmt **v = grow_array(t->typed, t->ntyped, &t->captyped, sizeof *v, 32);
	if (!v) {
		script_stmt_clear(st);
		free(st);
		return;
	}
	t->typed = v;
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

/*
 * A statement for a side that does not exist yet, whose name is a slip of an
 * existing one's ("clinet", "sever"): that side's name, else NULL. Names
 * that only add to one ("client2", "server_b") are meant as new sides.
 */
static const char *tui_near_side(const struct tui *t, const struct sp_stmt *st)
{
	if (st->kind != SP_ST_CALL && st->kind != SP_ST_EXPECT)
		return NULL;
	for (int i = 0; i < t->v.npanes; i++)
		if (strcmp(t->pane_names[i], st->actor) == 0)
			return NULL;
	for (int i = 0; i < t->v.npanes; i++) {
		const char *p = t->pane_names[i];
		size_t n = strlen(p);
		if (strncmp(st->actor, p, n) == 0)
			continue; /* an existing name and more */
		if (strlen(st->actor) >= 3 && consts_distance(st->actor, p) <= 2)
			return p;
	}
	return NULL;
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
	const char *like = tui_near_side(t, st);
	if (like && strcmp(t->new_side_ok, text) != 0) {
		/* "clinet: ..." would start a third process: ask first; Enter again starts it */
		snprintf(t->prompt_err, sizeof t->prompt_err, tui_text(TX_NEW_SIDE), st->actor, like);
		t->v.prompt_error_col = tui_char_col(text, 1);
		snprintf(t->new_side_ok, sizeof t->new_side_ok, "%s", text);
		script_stmt_clear(st);
		free(st);
		return 0;
	}
	t->new_side_ok[0] = 0;
	tui_line_remember(&t->line, text);
	t->v.prompt = 0; /* before the step: its first frame shows the result, not the prompt */
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
static void tui_program_auto(struct tui *t);

static void tui_engine(struct tui *t)
{
	tui_program_auto(t);
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
	if (!(want_listen && k->state != SP_TCP_LISTEN) && !(want_conn && k->state == SP_TCP_LISTEN))
		return k;
	for (size_t i = sa->nsocks; i-- > 0;) {
		const struct snap_sock *c = &sa->socks[i];
		if (!c->closed && (want_listen ? c->state == SP_TCP_LISTEN : c->state != SP_TCP_LISTEN))
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
/* Whether the socket has a peer (connected TCP, or UDP after connect()). */
static int tui_has_peer(const struct snap_sock *k)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)&k->peer_sa;
	return k->has_peer && !(in->sin_family == AF_INET && in->sin_addr.s_addr == htonl(INADDR_ANY));
}

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
	case TUI_A_SEND:
		if (k->type == SOCK_DGRAM && !tui_has_peer(k)) /* UDP without connect(): say where to */
			snprintf(buf, size, "%s: sendto(%s, \"Hello, server!\", 127.0.0.1:8888)", actor, ref);
		else
			snprintf(buf, size, "%s: send(%s, \"Hello, client!\")", actor, ref);
		break;
	case TUI_A_RECV:
		if (k->type == SOCK_DGRAM && !tui_has_peer(k)) /* and see who sent it */
			snprintf(buf, size, "%s: recvfrom(%s, 1024)", actor, ref);
		else
			snprintf(buf, size, "%s: recv(%s, 1024)", actor, ref);
		break;
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
		if (sa && sa->blocked && !sa->program) { /* a program just ends with sockplay */
			snprintf(t->confirm, sizeof t->confirm, tui_text(TX_CONFIRM_QUIT), sa->name,
				 sa->blocked_call);
			t->v.confirm = t->confirm;
			return TUI_R_REDRAW;
		}
	}
	return TUI_R_QUIT;
}

/* n, p, i and the call keys on a program's pane: the program makes its own calls. */
static enum tui_res tui_program_key(struct tui *t, const struct snap_actor *sa, enum tui_action act)
{
	const char *side = sa->name;
	int pane = t->v.focus;
	tui_msg_clear(t);
	if (sa->ended && (act == TUI_A_STEP || act == TUI_A_PLAY || act == TUI_A_INTERRUPT)) {
		tui_msg(t, 0, tui_text(TX_PROG_GONE), side, sa->how);
		return TUI_R_REDRAW;
	}
	switch (act) {
	case TUI_A_STEP:
		if (session_program_step(t->s, side) <= 0)
			tui_msg(t, 0, tui_text(TX_PROG_NOT_HELD), side);
		break;
	case TUI_A_PLAY:
		if (t->o->play) { /* at the --delay pace: stepped by the loop */
			t->prog_auto[pane] = !t->prog_auto[pane];
			t->prog_next = now_ms();
			tui_msg(t, 0, tui_text(t->prog_auto[pane] ? TX_PROG_AUTO : TX_PROG_HELD), side);
		} else {
			int free_run = !sa->free_run;
			session_program_run(t->s, side, free_run);
			tui_msg(t, 0, tui_text(free_run ? TX_PROG_FREE : TX_PROG_HELD), side);
		}
		break;
	case TUI_A_INTERRUPT:
		if (session_program_interrupt(t->s, side) <= 0)
			tui_msg(t, 0, tui_text(TX_NOTHING_BLOCKED), side);
		break;
	default:
		tui_msg(t, 1, tui_text(TX_PROG_KEYS), side);
		break;
	}
	t->dirty = 1;
	return TUI_R_REDRAW;
}

/* Panes stepping on their own (p under --play): one call each at the --delay pace. */
static void tui_program_auto(struct tui *t)
{
	long long now = now_ms();
	if (now < t->prog_next)
		return;
	int any = 0;
	for (int i = 0; i < t->v.npanes; i++)
		if (t->prog_auto[i] && session_program_step(t->s, t->pane_names[i]) > 0)
			any = 1;
	if (any) /* the pace runs from a call made; a pane with nothing held waits for its next one */
		t->prog_next = now + t->v.delay_ms;
}

static enum tui_res tui_action(struct tui *t, enum tui_action act)
{
	const struct snap_actor *fsa = tui_actor(t, t->v.focus);
	if (fsa && fsa->program) {
		switch (act) {
		case TUI_A_SOCKET: case TUI_A_BIND: case TUI_A_LISTEN: case TUI_A_CONNECT:
		case TUI_A_ACCEPT: case TUI_A_SEND: case TUI_A_RECV: case TUI_A_CLOSE:
		case TUI_A_SHUTDOWN: case TUI_A_SETSOCKOPT: case TUI_A_PROMPT:
		case TUI_A_STEP: case TUI_A_PLAY: case TUI_A_INTERRUPT:
			return tui_program_key(t, fsa, act);
		default:
			break;
		}
	}
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
	case TUI_A_NEXT_PANE:
		t->v.focus = (t->v.focus + 1) % t->v.npanes;
		t->wire_anchor = 0;
		return TUI_R_REDRAW;
	case TUI_A_PREV_PANE:
		t->v.focus = (t->v.focus + t->v.npanes - 1) % t->v.npanes;
		t->wire_anchor = 0;
		return TUI_R_REDRAW;
	case TUI_A_SEL_UP: tui_move_sel(t, -1); t->wire_anchor = 0; return TUI_R_REDRAW;
	case TUI_A_SEL_DOWN: tui_move_sel(t, 1); t->wire_anchor = 0; return TUI_R_REDRAW;
	case TUI_A_STEP: case TUI_A_PLAY: return tui_script_key(t, act);
	case TUI_A_FASTER: tui_speed(t, 1); return TUI_R_REDRAW;
	case TUI_A_SLOWER: tui_speed(t, 0); return TUI_R_REDRAW;
	case TUI_A_INTERRUPT: return tui_interrupt(t);
	case TUI_A_REDRAW: clearok(curscr, TRUE); return TUI_R_REDRAW;
	case TUI_A_HELP: t->v.help = 1; t->v.help_top = 0; return TUI_R_REDRAW;
	case TUI_A_QUIT: return tui_quit_key(t);
	case TUI_A_DIAGRAM: t->v.diagram = 1; return TUI_R_REDRAW;
	case TUI_A_EXPLAIN: t->v.explain_full = 1; t->v.explain_top = 0; return TUI_R_REDRAW;
	case TUI_A_WIRE_ALL: t->wire_all = !t->wire_all; t->wire_anchor = 0; return TUI_R_REDRAW;
	case TUI_A_WIRE_OLDER: tui_wire_scroll(t, -1); return TUI_R_REDRAW;
	case TUI_A_WIRE_NEWER: tui_wire_scroll(t, 1); return TUI_R_REDRAW;
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

/* Over the state diagram: d, Esc or q close it; the script's keys go on working. */
static enum tui_res tui_diagram_key(struct tui *t, int key, int is_char)
{
	enum tui_action act = tui_key_action(key);
	if ((is_char && key == 27) || act == TUI_A_DIAGRAM || act == TUI_A_QUIT) {
		t->v.diagram = 0;
		return TUI_R_REDRAW;
	}
	switch (act) {
	case TUI_A_STEP: case TUI_A_PLAY: case TUI_A_FASTER: case TUI_A_SLOWER:
	case TUI_A_INTERRUPT: case TUI_A_REDRAW:
		return tui_action(t, act);
	default:
		return TUI_R_NONE;
	}
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
	t->wire_anchor = 0;
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
	if (t->v.diagram)
		return tui_diagram_key(t, key, is_char);
	if (t->v.explain_full) {
		enum tui_action act = tui_key_action(key);
		if ((is_char && key == 27) || act == TUI_A_EXPLAIN || act == TUI_A_QUIT) {
			t->v.explain_full = 0;
			return TUI_R_REDRAW;
		}
		if (act == TUI_A_STEP || act == TUI_A_PLAY || act == TUI_A_INTERRUPT || act == TUI_A_REDRAW)
			return tui_action(t, act); /* read each step's whole explanation as it runs */
		if (!is_char) { /* taller than the screen (a long recv's data): it scrolls */
			int page = t->hits.explain_page > 1 ? t->hits.explain_page - 1 : 1;
			switch (key) {
			case KEY_UP: t->v.explain_top--; break;
			case KEY_DOWN: t->v.explain_top++; break;
			case KEY_PPAGE: t->v.explain_top -= page; break;
			case KEY_NPAGE: t->v.explain_top += page; break;
			case KEY_HOME: t->v.explain_top = 0; break;
			case KEY_END: t->v.explain_top = t->hits.explain_rows; break;
			default: return TUI_R_NONE;
			}
			int max = t->hits.explain_rows - t->hits.explain_page;
			if (t->v.explain_top > max)
				t->v.explain_top = max;
			if (t->v.explain_top < 0)
				t->v.explain_top = 0;
			return TUI_R_REDRAW;
		}
		return TUI_R_NONE;
	}
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
	/* the joined explanation belongs to the call the explain area shows */
	int same = t->join_for[0] && strcmp(t->join_for, t->v.last.text) == 0;
	t->v.join = same && t->join[0] ? t->join : NULL;
	t->v.last_socktype = same ? t->join_type : 0;
	t->v.join_wait = t->msg_blocked && t->join_wait[0] ? t->join_wait : NULL;
	t->v.data = t->data;
	t->v.data_len = t->data_len;
	t->v.data_ret = t->data_ret;
	tui_wire_build(t);
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
	t->wire_dirty = 0;
	long long now = now_ms();
	if (t->frames && now - t->last_frame > t->frame_gap)
		t->frame_gap = now - t->last_frame;
	t->last_frame = now;
	t->frames++;
}

/*
 * Whether the screen changes on its own: a blocked call's clock, and the
 * kernel's view, which may change with no step and no segment to say so:
 * a call is blocked, a socket is in a state the kernel leaves on its own
 * (SYN_SENT, SYN_RECV, FIN_WAIT1/2, TIME_WAIT, LAST_ACK, CLOSING, closed but
 * still listed) or has bytes queued. Without the capture nothing tells of an
 * outside peer either: then every listener and connection is watched.
 */
static int tui_live(const struct tui *t)
{
	if (!t->sn)
		return 0;
	for (size_t i = 0; i < t->sn->nactors; i++) {
		const struct snap_actor *sa = &t->sn->actors[i];
		if (sa->blocked)
			return 1;
		for (size_t k = 0; k < sa->nsocks; k++) {
			const struct snap_sock *so = &sa->socks[k];
			int st = so->state;
			if ((so->closed && so->in_kernel) || st == SP_TCP_SYN_SENT || st == SP_TCP_SYN_RECV ||
			    st == SP_TCP_FIN_WAIT1 || st == SP_TCP_FIN_WAIT2 || st == SP_TCP_TIME_WAIT ||
			    st == SP_TCP_LAST_ACK || st == SP_TCP_CLOSING)
				return 1;
			if (so->in_kernel && (so->rq > 0 || (st != SP_TCP_LISTEN && so->wq > 0)))
				return 1; /* a listener's wq is its backlog */
			if (!t->wire && so->in_kernel &&
			    (st == SP_TCP_LISTEN || st == SP_TCP_ESTABLISHED || st == SP_TCP_CLOSE_WAIT))
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
	/* only a program held before a call is due a step: one blocked, running or ended is not
	   (its next call wakes the loop through the session's descriptors) */
	for (int i = 0; i < t->v.npanes; i++)
		if (t->prog_auto[i] && session_program_held(t->s, t->pane_names[i])) {
			long long due = t->prog_next - now;
			wait = min_pos(wait, due > 0 ? due : 0);
		}
	if (tui_live(t)) {
		long long tick = t->last_tick + TICK_MS - now;
		wait = min_pos(wait, tick > 0 ? tick : 0);
	}
	if (t->wire_dirty) {
		long long frame = t->last_frame + WIRE_FRAME_MS - now;
		wait = min_pos(wait, frame > 0 ? frame : 0);
	}
	if (t->kv_stale) {
		long long again = t->last_tick + WIRE_FRAME_MS - now;
		wait = min_pos(wait, again > 0 ? again : 0);
	}
	return wait > 1000000 ? 1000000 : (int)wait;
}

/*
 * The kernel's view between steps: after segments came (at most once a
 * frame, so a flood does not turn into a dump per packet), and once a
 * second while something may change on its own.
 */
static void tui_tick(struct tui *t)
{
	long long since = now_ms() - t->last_tick;
	if ((t->kv_stale && since >= WIRE_FRAME_MS) || (tui_live(t) && since >= TICK_MS))
		tui_refresh_kernel(t);
}

static int tui_loop(struct tui *t, const sigset_t *sleep_mask)
{
	while (!tui_signal) {
		tui_engine(t);
		if (t->wire_dirty && now_ms() - t->last_frame >= WIRE_FRAME_MS)
			t->dirty = 1;
		if (t->dirty)
			tui_redraw(t);
		if (t->quit)
			break;
		struct pollfd fds[TUI_FDS];
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = wire_fd(t->wire); /* -1 when the capture is off: poll skips it */
		fds[1].events = POLLIN;
		int n = 2 + session_pollfds(t->s, fds + 2, TUI_FDS - 2);
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
		if (fds[1].revents & POLLIN)
			tui_wire_pull(t);
		for (int i = 2; i < n; i++)
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
	t->v.lang = i18n_lang();
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
	wire_close(t->wire);
	t->wire = NULL;
	free(t->wmatch);
	step_free(&t->r);
	free(t->data);
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
				   .net_label = o->net_label, .names_local_only = o->names_local_only };
	sigset_t sleep_mask;
	tui_signals(&sleep_mask);
	t.wire = wire_open(t.wire_off, sizeof t.wire_off);
	t.s = session_new(&so);
	if (!t.s) {
		fprintf(stderr, "sockplay: out of memory\n");
		return 1;
	}
	session_set_wire(t.s, t.wire, t.wire_off); /* expect wire reads the same capture */
	struct step_hooks hooks = { .segments = tui_on_segments, .late = tui_on_late, .changed = tui_on_changed,
				    .ctx = &t, .drain_max = 8, .programs_ms = -1, .track = 1, .no_sleep = 1 };
	step_init(&t.r, t.s, t.wire, &hooks);
	step_forget_wire(&t.r); /* what was on lo before is not the playground's */
	for (size_t i = 0; i < o->nruns; i++) { /* held before their first socket call */
		char err[512];
		if (session_add_program(t.s, o->runs[i].side, o->runs[i].command, 1, err, sizeof err) < 0) {
			fprintf(stderr, "sockplay: --run %s: %s\n", o->runs[i].side, err);
			tui_free(&t);
			return 2;
		}
		tui_add_pane(&t, o->runs[i].side);
	}
	if (tui_start_curses(o) < 0) {
		fprintf(stderr, "sockplay: %s\n", tui_text(TX_NO_CURSES));
		tui_free(&t);
		return 1;
	}
	int rc = tui_loop(&t, &sleep_mask), err = errno;
	unsigned long frames = t.frames;
	long long gap = t.frame_gap;
	unsigned long long captured = wire_total(t.wire), lost = t.wire_lost;
	tui_free(&t);
	tui_restore();
	if (o->quit_at_end) { /* benchmarks: how the screen kept up */
		fprintf(stderr, "sockplay: ");
		fprintf(stderr, tui_text(TX_STATS), frames, gap, captured, lost);
		fputc('\n', stderr);
	}
	sigprocmask(SIG_SETMASK, &sleep_mask, NULL);
	if (rc < 0) {
		fprintf(stderr, "sockplay: %s\n", strerror(err));
		return 1;
	}
	return tui_signal ? 128 + tui_signal : 0;
}
