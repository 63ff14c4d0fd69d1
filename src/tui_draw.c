/* tui_draw.c -- one frame of the TUI from a snapshot and the UI's state: curses calls only, no syscalls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <wchar.h>

#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/text.h"
#include "sockplay/tui_draw.h"

/* ---- looks ------------------------------------------------------------- */

struct glyphs {
	const char *h, *v, *tl, *tr, *bl, *br, *lt, *rt, *tt, *bt, *sel, *arrow, *ell, *dots;
};

static const struct glyphs glyphs_utf8 = {
	"\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u251c", "\u2524",
	"\u252c", "\u2534", "\u25b6", "\u2192", "\u2026", "\u2504",
};
static const struct glyphs glyphs_ascii = {
	"-", "|", "+", "+", "+", "+", "+", "+", "+", "+", ">", "->", "~", "-",
};

/* X(name, foreground, attributes with colour, attributes without) */
#define TUI_COLORS(X)                                            \
	X(C_NORMAL, -1, A_NORMAL, A_NORMAL)                          \
	X(C_BORDER, COLOR_BLUE, A_NORMAL, A_NORMAL)                  \
	X(C_FOCUS, COLOR_CYAN, A_BOLD, A_BOLD)                       \
	X(C_HEADER, -1, A_BOLD, A_BOLD)                              \
	X(C_PANE, -1, A_BOLD, A_BOLD)                                \
	X(C_PANE_FOCUS, COLOR_CYAN, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD) \
	X(C_ERR, COLOR_RED, A_BOLD, A_BOLD)                          \
	X(C_BLOCKED, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE)     \
	X(C_INFO, COLOR_CYAN, A_NORMAL, A_NORMAL)                    \
	X(C_VALUE, COLOR_GREEN, A_BOLD, A_BOLD)                      \
	X(C_STATE_OPEN, COLOR_GREEN, A_NORMAL, A_NORMAL)             \
	X(C_STATE_WAIT, COLOR_YELLOW, A_NORMAL, A_NORMAL)            \
	X(C_STATE_END, COLOR_MAGENTA, A_NORMAL, A_NORMAL)            \
	X(C_DIM, -1, A_DIM, A_DIM)                                   \
	X(C_SEL, COLOR_CYAN, A_BOLD, A_BOLD)                         \
	X(C_KEY, COLOR_CYAN, A_REVERSE | A_BOLD, A_REVERSE)          \
	X(C_SAY, COLOR_MAGENTA, A_BOLD, A_BOLD)                      \
	X(C_PROMPT, -1, A_BOLD, A_BOLD)

enum tui_color {
#define TUI_X(c, fg, a, m) c,
	TUI_COLORS(TUI_X)
#undef TUI_X
	C_COUNT
};

static const short color_fg[C_COUNT] = {
#define TUI_X(c, fg, a, m) [c] = fg,
	TUI_COLORS(TUI_X)
#undef TUI_X
};
static const attr_t color_attr[C_COUNT] = {
#define TUI_X(c, fg, a, m) [c] = a,
	TUI_COLORS(TUI_X)
#undef TUI_X
};
static const attr_t mono_attr[C_COUNT] = {
#define TUI_X(c, fg, a, m) [c] = m,
	TUI_COLORS(TUI_X)
#undef TUI_X
};

void tui_draw_init_colors(void)
{
	use_default_colors();
	for (int c = 1; c < C_COUNT; c++)
		init_pair((short)c, color_fg[c], -1);
}

struct layout {
	int pane_y, pane_h;         /* rows of the panes, title included */
	int strip_y, strip_h;       /* script strip (0 rows without a script) */
	int explain_y, explain_h;
	int bottom_y, bar_y;
	int first, nvis;            /* visible panes */
	int x[TUI_MAX_PANES + 1];   /* border columns: x[0] = 0 ... x[nvis] = W-1 */
};

/* Everything a drawing function needs. */
struct dc {
	WINDOW *w;
	const struct tui_view *v;
	const struct snapshot *sn;
	const struct glyphs *g;
	int colors;
	int W, H;
	const struct layout *L;     /* set once the layout is made */
};

static attr_t pen(const struct dc *d, enum tui_color c)
{
	if (!d->colors)
		return mono_attr[c];
	return color_attr[c] | (c != C_NORMAL && color_fg[c] >= 0 ? COLOR_PAIR(c) : 0);
}

/* ---- text measured in cells ---------------------------------------------- */

/* Width and byte length of the character at S (invalid bytes count as one '?'). */
static int char_cells(const char *s, size_t *bytes, wchar_t *wc)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*bytes = 1;
		*wc = L'?';
		return 1;
	}
	*bytes = n;
	int cw = wcwidth(*wc);
	if (cw < 0) {
		*wc = L'?';
		cw = 1;
	}
	return cw;
}

static int span_width(const char *s, size_t n)
{
	int cells = 0;
	for (size_t i = 0; i < n && s[i];) {
		size_t b;
		wchar_t wc;
		cells += char_cells(s + i, &b, &wc);
		i += b;
	}
	return cells;
}

int tui_width(const char *s)
{
	return span_width(s, strlen(s));
}

/* Write N bytes of S at Y,X in at most MAXW cells (an ellipsis marks a cut). Returns cells used. */
static int put_n(const struct dc *d, int y, int x, int maxw, const char *s, size_t n, attr_t a)
{
	if (maxw <= 0 || y < 0 || y >= d->H)
		return 0;
	int total = span_width(s, n), room = total > maxw ? maxw - 1 : maxw, cells = 0;
	wchar_t buf[512];
	int k = 0;
	for (size_t i = 0; i < n && s[i] && k < 510;) {
		size_t b;
		wchar_t wc;
		int cw = char_cells(s + i, &b, &wc);
		if (cells + cw > room)
			break;
		buf[k++] = wc;
		cells += cw;
		i += b;
	}
	buf[k] = 0;
	wattrset(d->w, a);
	mvwaddnwstr(d->w, y, x, buf, k);
	if (total > maxw) {
		waddstr(d->w, d->g->ell);
		cells++;
	}
	wattrset(d->w, A_NORMAL);
	return cells;
}

static int put(const struct dc *d, int y, int x, int maxw, const char *s, attr_t a)
{
	return put_n(d, y, x, maxw, s, strlen(s), a);
}

/* A glyph repeated N times. */
static void rule(const struct dc *d, int y, int x, int n, const char *glyph, attr_t a)
{
	wattrset(d->w, a);
	wmove(d->w, y, x);
	for (int i = 0; i < n; i++)
		waddstr(d->w, glyph);
	wattrset(d->w, A_NORMAL);
}

static void glyph(const struct dc *d, int y, int x, const char *g, attr_t a)
{
	wattrset(d->w, a);
	mvwaddstr(d->w, y, x, g);
	wattrset(d->w, A_NORMAL);
}

struct span {
	const char *p;
	size_t n;
};

/* Split S into rows of at most WIDTH cells (REST after the first), at spaces where possible. */
static int wrap2(const char *s, int width, int rest, struct span *out, int max)
{
	int n = 0;
	if (rest < 1)
		rest = 1;
	while (*s && n < max) {
		if (n == 1)
			width = rest;
		if (width < 1)
			width = 1;
		const char *q = s, *brk = NULL;
		int cells = 0;
		while (*q && *q != '\n') {
			size_t b;
			wchar_t wc;
			int cw = char_cells(q, &b, &wc);
			if (cells + cw > width)
				break;
			cells += cw;
			q += b;
			if (*q == ' ')
				brk = q;
		}
		const char *end = (*q && *q != '\n' && brk) ? brk : q;
		if (end == s) /* a character wider than the row */
			end = s + 1;
		out[n].p = s;
		out[n].n = (size_t)(end - s);
		n++;
		s = end;
		if (*s == '\n')
			s++;
		else
			while (*s == ' ')
				s++;
	}
	return n;
}

static int wrap(const char *s, int width, struct span *out, int max)
{
	return wrap2(s, width, width, out, max);
}

/* ---- layout ---------------------------------------------------------------- */

static void layout(const struct dc *d, struct layout *L)
{
	const struct tui_view *v = d->v;
	int H = d->H, W = d->W;
	L->strip_h = v->script ? (H >= 36 ? 5 : 3) : 0;
	L->explain_h = H >= 36 ? 8 : H >= 28 ? 6 : 4;
	L->bar_y = H - 1;
	L->bottom_y = H - 2;
	L->explain_y = L->bottom_y - L->explain_h;
	L->strip_y = L->strip_h ? L->explain_y - 1 - L->strip_h : L->explain_y;
	L->pane_y = 1;
	L->pane_h = (L->strip_h ? L->strip_y - 1 : L->explain_y - 1) - L->pane_y;
	int fit = (W - 1) / (TUI_PANE_MIN_W + 1);
	L->nvis = v->npanes < fit ? v->npanes : fit;
	if (L->nvis < 1)
		L->nvis = 1;
	L->first = v->focus >= L->nvis ? v->focus - L->nvis + 1 : 0;
	for (int i = 0; i <= L->nvis; i++)
		L->x[i] = i * (W - 1) / L->nvis;
}

/* ---- frame ----------------------------------------------------------------- */

/* A horizontal border row with a title at the left and a label at the right. */
static void border_row(const struct dc *d, int y, const char *left_g, const char *right_g,
		       const char *title, const char *right, attr_t ta, const char *tee)
{
	attr_t b = pen(d, C_BORDER);
	glyph(d, y, 0, left_g, b);
	rule(d, y, 1, d->W - 2, d->g->h, b);
	glyph(d, y, d->W - 1, right_g, b);
	for (int i = 1; tee && d->L && i < d->L->nvis; i++) /* where pane borders meet the rule */
		glyph(d, y, d->L->x[i], tee, b);
	int rw = right && right[0] ? tui_width(right) + 2 : 0;
	if (rw) {
		int rx = d->W - 2 - rw;
		if (rx > 4 + (title ? tui_width(title) : 0) || rx > d->W / 2) {
			put(d, y, rx, rw, " ", b);
			put(d, y, rx + 1, rw - 2, right, pen(d, C_HEADER));
			put(d, y, rx + rw - 1, 1, " ", b);
		} else
			rw = 0;
	}
	if (title && title[0]) {
		int room = d->W - 4 - (rw ? rw + 2 : 0);
		put(d, y, 1, 1, " ", b);
		int n = put(d, y, 2, room - 1, title, ta);
		put(d, y, 2 + n, 1, " ", b);
	}
}

static void draw_header(const struct dc *d)
{
	const struct tui_view *v = d->v;
	char left[256], right[160], step[48] = "", play[64] = "";
	const char *file = v->file ? v->file : tui_text(TX_PLAYGROUND);
	const char *slash = v->file ? strrchr(v->file, '/') : NULL;
	if (slash && slash[1])
		file = slash + 1;
	if (v->nsteps > 0)
		snprintf(step, sizeof step, tui_text(TX_STEP), v->step, v->nsteps);
	if (v->playing) {
		char dur[32];
		text_duration((long long)v->delay_ms * 1000000, dur, sizeof dur);
		snprintf(play, sizeof play, tui_text(TX_PLAYING), v->delay_ms ? dur : "0 s");
	}
	const char *title = v->title && v->title[0] ? v->title : d->sn->title;
	snprintf(left, sizeof left, "sockplay %s %s%s%s%s%s%s%s", v->utf8 ? "\u2014" : "-", file,
		 title[0] ? ": " : "", title, step[0] ? "  " : "", step, play[0] ? "  " : "", play);
	snprintf(right, sizeof right, "%s%s%s", v->net_label ? v->net_label : "",
		 v->lang ? "  " : "", v->lang ? v->lang : "");
	border_row(d, 0, d->g->tl, d->g->tr, left, right, pen(d, C_HEADER), d->g->tt);
}

/* ---- panes ----------------------------------------------------------------- */

const char *tui_state_text(const struct snap_sock *k)
{
	if (k->state < 0)
		return "-";
	if (k->type == SOCK_DGRAM && k->state == 7)
		return "UNCONN";
	const char *n = consts_tcp_state_name(k->state);
	return n ? n : "-";
}

static enum tui_color state_color(int state)
{
	switch (state) {
	case 1: case 10: return C_STATE_OPEN;              /* ESTABLISHED, LISTEN */
	case 2: case 3: case 12: return C_STATE_WAIT;      /* SYN_SENT, SYN_RECV, NEW_SYN_RECV */
	case 4: case 5: case 6: case 8: case 9: case 11: return C_STATE_END; /* closing */
	default: return C_NORMAL;
	}
}

static const char *type_text(const struct snap_sock *k)
{
	if (k->family == AF_UNIX)
		return "UNIX";
	return k->type == SOCK_DGRAM ? "UDP" : k->type == SOCK_STREAM ? "TCP" : "?";
}

static const struct snap_actor *find_actor(const struct snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->nactors; i++)
		if (strcmp(sn->actors[i].name, name) == 0)
			return &sn->actors[i];
	return NULL;
}

/* Column widths of the socket table: mark, fd, name, type, [local, peer,] state, queue. */
struct cols {
	int wide;
	int fd, name, type, addr, state;
};

static void table_cols(int w, struct cols *c)
{
	c->fd = 3;
	c->name = 6;
	c->type = 5;
	c->state = 12;
	int fixed = 1 + c->fd + c->name + c->type + c->state + 7;
	c->addr = (w - fixed) / 2;
	c->wide = c->addr >= 16;
	if (c->addr > 24)
		c->addr = 24;
}

static void table_header(const struct dc *d, int y, int x, int w, const struct cols *c)
{
	attr_t a = pen(d, C_DIM);
	int cx = x + 1;
	put(d, y, cx, c->fd, tui_text(TX_COL_FD), a), cx += c->fd;
	put(d, y, cx, c->name, tui_text(TX_COL_NAME), a), cx += c->name;
	put(d, y, cx, c->type, tui_text(TX_COL_TYPE), a), cx += c->type;
	if (c->wide) {
		put(d, y, cx, c->addr, tui_text(TX_COL_LOCAL), a), cx += c->addr;
		put(d, y, cx, c->addr, tui_text(TX_COL_PEER), a), cx += c->addr;
	}
	put(d, y, cx, c->state, tui_text(TX_COL_STATE), a), cx += c->state;
	put(d, y, cx, x + w - cx, tui_text(TX_COL_QUEUE), a);
}

static void sock_queue(const struct snap_sock *k, char *out, size_t size)
{
	if (!k->in_kernel)
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%u/%u", k->rq, k->wq);
}

/* One socket: one row when wide, else a second row with the addresses. Returns rows used. */
static int sock_rows(const struct dc *d, int y, int x, int w, const struct cols *c,
		     const struct snap_sock *k, int selected, int focused)
{
	attr_t base = k->closed ? pen(d, C_DIM) : pen(d, C_NORMAL);
	attr_t sa = k->closed ? base : pen(d, state_color(k->state));
	char fd[16], q[32], addr[160];
	snprintf(fd, sizeof fd, k->closed ? "-" : "%d", k->fd);
	sock_queue(k, q, sizeof q);
	if (selected)
		put(d, y, x, 1, d->g->sel, focused ? pen(d, C_SEL) : base);
	int cx = x + 1;
	put(d, y, cx, c->fd - 1, fd, selected ? base | A_BOLD : base), cx += c->fd;
	put(d, y, cx, c->name - 1, k->name[0] ? k->name : "-", selected ? base | A_BOLD : base), cx += c->name;
	put(d, y, cx, c->type - 1, type_text(k), base), cx += c->type;
	if (c->wide) {
		put(d, y, cx, c->addr - 1, k->local[0] ? k->local : "-", base), cx += c->addr;
		put(d, y, cx, c->addr - 1, k->peer[0] ? k->peer : "-", base), cx += c->addr;
	}
	put(d, y, cx, c->state - 1, tui_state_text(k), sa), cx += c->state;
	put(d, y, cx, x + w - cx, q, base);
	if (c->wide)
		return 1;
	if (k->peer[0] && strcmp(k->peer, "-") != 0)
		snprintf(addr, sizeof addr, "%s %s %s", k->local[0] ? k->local : "-", d->g->arrow, k->peer);
	else
		snprintf(addr, sizeof addr, "%s", k->local[0] ? k->local : "-");
	put(d, y + 1, x + 1 + c->fd, w - 1 - c->fd, addr, base);
	return 2;
}

/* The part of an OK line from its " = " (outside quotes) on, for bold; NULL if none. */
static const char *result_part(const char *s)
{
	int inq = 0;
	for (const char *p = s; *p; p++) {
		if (inq && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			inq = !inq;
		else if (!inq && p[0] == ')' && strncmp(p + 1, " = ", 3) == 0)
			return p + 1;
	}
	return NULL;
}

static enum tui_color line_color(enum snap_line_kind k)
{
	switch (k) {
	case SNAP_LINE_ERR: return C_ERR;
	case SNAP_LINE_BLOCKED: return C_BLOCKED;
	case SNAP_LINE_INFO: return C_INFO;
	default: return C_NORMAL;
	}
}

/* Draw one wrapped row of a log line; the result part of an OK call in bold colour. */
static void log_row(const struct dc *d, int y, int x, int w, const struct snap_line *ln, struct span sp)
{
	attr_t a = pen(d, line_color(ln->kind));
	const char *res = ln->kind == SNAP_LINE_OK ? result_part(ln->text) : NULL;
	if (!res || res >= sp.p + sp.n) {
		put_n(d, y, x, w, sp.p, sp.n, res && res < sp.p ? pen(d, C_VALUE) : a);
		return;
	}
	size_t head = res > sp.p ? (size_t)(res - sp.p) : 0;
	int n = put_n(d, y, x, w, sp.p, head, a);
	put_n(d, y, x + n, w - n, sp.p + head, sp.n - head, pen(d, C_VALUE));
}

#define WRAP_MAX 8

/* Rows the newest log lines from line N down take, up to H. */
static int log_rows(const struct snap_actor *sa, size_t n, int w, int h, size_t *first)
{
	int rows = 0;
	*first = n;
	while (*first > 0) {
		struct span sp[WRAP_MAX];
		int r = wrap2(sa->log[*first - 1].text, w, w - 2, sp, WRAP_MAX);
		if (rows + r > h)
			break;
		rows += r;
		(*first)--;
	}
	return rows;
}

/* The call log under the table, newest at the bottom, a live "blocked" line last. Returns rows used. */
static int draw_log(const struct dc *d, int y0, int h, int x, int w, const struct snap_actor *sa)
{
	size_t n = sa->nlog, first;
	if (h <= 0)
		return 0;
	if (sa->blocked && n && sa->log[n - 1].kind == SNAP_LINE_BLOCKED)
		n--;
	int y = y0, rows = log_rows(sa, n, w, h - (sa->blocked ? 1 : 0), &first);
	for (size_t i = first; i < n; i++) {
		struct span sp[WRAP_MAX];
		int r = wrap2(sa->log[i].text, w, w - 2, sp, WRAP_MAX);
		for (int k = 0; k < r; k++)
			log_row(d, y++, x + (k ? 2 : 0), w - (k ? 2 : 0), &sa->log[i], sp[k]);
	}
	if (sa->blocked) {
		char dur[32], line[SNAP_LINE_MAX + 64];
		text_duration(sa->blocked_ns, dur, sizeof dur);
		snprintf(line, sizeof line, tui_text(TX_BLOCKED), sa->blocked_call, dur);
		put(d, y++, x, w, line, pen(d, C_BLOCKED));
		rows++;
	}
	return rows;
}

/* Whether an address as text names a port (not "-", not "*:0"). */
static int is_bound(const char *addr)
{
	const char *colon = strrchr(addr, ':');
	return colon && strcmp(colon, ":0") != 0;
}

/* What to do next on this side, judged from its selected socket. */
static const char *pane_hint(const struct snap_actor *sa, int sel, int is_server)
{
	if (!sa || sa->nsocks == 0)
		return tui_text(TX_HINT_SOCKET);
	if (sa->blocked)
		return tui_text(TX_HINT_BLOCKED);
	const struct snap_sock *k = &sa->socks[sel >= 0 && (size_t)sel < sa->nsocks ? sel : 0];
	switch (k->state) {
	case 10: return tui_text(k->rq ? TX_HINT_PENDING : TX_HINT_LISTEN);
	case 1: return tui_text(TX_HINT_ESTAB);
	case 8: return tui_text(TX_HINT_CLOSE_WAIT);
	case 7:
		if (k->closed)
			return NULL;
		if (!is_server)
			return tui_text(TX_HINT_CLIENT_NEW);
		return tui_text(is_bound(k->local) ? TX_HINT_BOUND : TX_HINT_SERVER_NEW);
	default: return NULL;
	}
}

static void draw_pane_title(const struct dc *d, const struct layout *L, int i, int pane,
			    const struct snap_actor *sa)
{
	const struct tui_view *v = d->v;
	int x = L->x[i] + 1, w = L->x[i + 1] - x, focused = pane == v->focus;
	attr_t a = pen(d, focused ? C_PANE_FOCUS : C_PANE);
	char title[96], up[40], pid[32];
	size_t k = 0;
	for (const char *p = v->panes[pane]; *p && k < sizeof up - 1; p++)
		up[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
	up[k] = 0;
	if (sa && sa->pid > 0)
		snprintf(pid, sizeof pid, tui_text(TX_PID), (int)sa->pid);
	else
		snprintf(pid, sizeof pid, "%s", tui_text(TX_NOT_STARTED));
	snprintf(title, sizeof title, " %s  %s", up, pid);
	rule(d, L->pane_y, x, w, " ", a);
	put(d, L->pane_y, x, w, title, a);
	int hidden = v->npanes - (L->first + L->nvis);
	if (i == L->nvis - 1 && (hidden > 0 || L->first > 0)) {
		char more[48];
		snprintf(more, sizeof more, tui_text(TX_MORE_PANES), hidden > 0 ? hidden : L->first);
		int mw = tui_width(more);
		if (mw + tui_width(title) + 2 < w)
			put(d, L->pane_y, x + w - mw - 1, mw, more, a);
	}
}

static void draw_pane(const struct dc *d, const struct layout *L, int i, struct tui_hits *hits)
{
	const struct tui_view *v = d->v;
	int pane = L->first + i;
	int x = L->x[i] + 1, w = L->x[i + 1] - x;
	const struct snap_actor *sa = find_actor(d->sn, v->panes[pane]);
	int focused = pane == v->focus, sel = v->sel[pane];
	draw_pane_title(d, L, i, pane, sa);
	struct cols c;
	table_cols(w - 1, &c);
	int y = L->pane_y + 1, bottom = L->pane_y + L->pane_h;
	table_header(d, y++, x, w - 1, &c);
	int sh = c.wide ? 1 : 2;
	size_t nsocks = sa ? sa->nsocks : 0;
	int body = bottom - y, sock_room = (body - 4) / sh;
	if (sock_room < 1)
		sock_room = 1;
	size_t first = 0;
	if (nsocks > (size_t)sock_room && sel >= sock_room)
		first = (size_t)(sel - sock_room + 1);
	if (hits) {
		hits->pane[i].pane = pane;
		hits->pane[i].x0 = x;
		hits->pane[i].x1 = x + w;
		hits->pane[i].y0 = L->pane_y;
		hits->pane[i].y1 = bottom;
		hits->pane[i].sock_h = sh;
		hits->pane[i].nsock = 0;
	}
	if (nsocks == 0)
		put(d, y++, x + 1, w - 2, tui_text(TX_NO_SOCKETS), pen(d, C_DIM));
	for (size_t k = first; k < nsocks && k < first + (size_t)sock_room; k++) {
		if (hits && hits->pane[i].nsock < 32) {
			hits->pane[i].sock_y[hits->pane[i].nsock] = y;
			hits->pane[i].sock_idx[hits->pane[i].nsock++] = (int)k;
		}
		y += sock_rows(d, y, x, w - 1, &c, &sa->socks[k], (int)k == sel, focused);
	}
	/* the call log below a thin rule */
	rule(d, y, x + 1, w - 2, d->g->dots, pen(d, C_DIM));
	char calls[64];
	snprintf(calls, sizeof calls, " %s ", tui_text(TX_CALLS));
	put(d, y, x + 2, w - 4, calls, pen(d, C_DIM));
	y++;
	int used = sa ? draw_log(d, y, bottom - y, x + 1, w - 2, sa) : 0;
	const char *hint = focused ? pane_hint(sa, sel, strcmp(v->panes[pane], "server") == 0) : NULL;
	if (hint && y + used < bottom) {
		struct span sp[4];
		int rows = wrap(hint, w - 2, sp, 4);
		for (int r = 0; r < rows && y + used + r < bottom; r++)
			put_n(d, y + used + r, x + 1, w - 2, sp[r].p, sp[r].n, pen(d, C_INFO));
	}
}

static void draw_pane_borders(const struct dc *d, const struct layout *L)
{
	attr_t b = pen(d, C_BORDER), f = pen(d, C_FOCUS);
	int focus_i = d->v->focus - L->first;
	for (int i = 0; i <= L->nvis; i++) {
		attr_t a = (i == focus_i || i == focus_i + 1) ? f : b;
		for (int y = L->pane_y; y < L->pane_y + L->pane_h; y++)
			glyph(d, y, L->x[i], d->g->v, a);
	}
}

/* ---- script strip -------------------------------------------------------- */

struct strip_line {
	int line;
	const char *src;
};

static int collect_lines(const struct sp_stmt *v, size_t n, struct strip_line *out, int k, int max)
{
	for (size_t i = 0; i < n && k < max; i++) {
		out[k].line = v[i].line;
		out[k++].src = v[i].source ? v[i].source : "";
		if (v[i].kind == SP_ST_REPEAT)
			k = collect_lines(v[i].body, v[i].nbody, out, k, max);
	}
	return k;
}

static void draw_strip(const struct dc *d, const struct layout *L)
{
	const struct tui_view *v = d->v;
	border_row(d, L->strip_y - 1, d->g->lt, d->g->rt, tui_text(TX_SCRIPT),
		   tui_text(TX_SCRIPT_KEYS), pen(d, C_HEADER), d->g->bt);
	static struct strip_line lines[4096];
	int n = collect_lines(v->script->stmts, v->script->n, lines, 0, 4096);
	int cur = n; /* index of the next step; n at the end */
	for (int i = 0; i < n; i++)
		if (lines[i].line == v->next_line) {
			cur = i;
			break;
		}
	int top = cur - L->strip_h / 2, rows = n + (v->next_line == 0); /* the end marker is a row */
	if (top > rows - L->strip_h)
		top = rows - L->strip_h;
	if (top < 0)
		top = 0;
	for (int r = 0; r < L->strip_h; r++) {
		int y = L->strip_y + r, i = top + r;
		glyph(d, y, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, y, d->W - 1, d->g->v, pen(d, C_BORDER));
		if (i > n - 1) {
			if (i == n && v->next_line == 0)
				put(d, y, 8, d->W - 10, tui_text(TX_SCRIPT_END), pen(d, C_DIM));
			continue;
		}
		char num[16];
		snprintf(num, sizeof num, "%4d", lines[i].line);
		attr_t a = i == cur ? pen(d, C_SEL) : i < cur ? pen(d, C_DIM) : pen(d, C_NORMAL);
		if (i == cur)
			put(d, y, 1, 1, d->g->sel, a);
		put(d, y, 2, 4, num, a);
		put(d, y, 8, d->W - 10, lines[i].src, a);
	}
}

/* ---- explain area ----------------------------------------------------------- */

struct para {
	const char *text;
	enum tui_color color;
};

static void draw_explain(const struct dc *d, const struct layout *L)
{
	const struct tui_view *v = d->v;
	const struct snapshot *sn = d->sn;
	border_row(d, L->explain_y - 1, d->g->lt, d->g->rt, tui_text(TX_EXPLAIN), NULL, pen(d, C_HEADER),
		   v->script ? NULL : d->g->bt);
	struct para p[8];
	int np = 0;
	char head[SNAP_LINE_MAX + 64], body[2048];
	if (v->message && v->message[0])
		p[np++] = (struct para){ v->message, v->message_err ? C_ERR : C_INFO };
	if (sn->say[0])
		p[np++] = (struct para){ sn->say, C_SAY };
	if (sn->last_call) {
		snprintf(head, sizeof head, "%s: %s", sn->last_actor, sn->last_text);
		p[np++] = (struct para){ head, sn->last_err ? C_ERR : C_HEADER };
		body[0] = 0;
		explain_step((enum sp_call)sn->last_call, sn->last_ret, sn->last_err, body, sizeof body);
		p[np++] = (struct para){ body, C_NORMAL };
	} else {
		p[np++] = (struct para){ tui_text(v->script ? TX_WELCOME_SCRIPT : TX_WELCOME), C_NORMAL };
		if (v->net_note && v->net_note[0])
			p[np++] = (struct para){ v->net_note, C_INFO };
	}
	int y = L->explain_y, end = L->explain_y + L->explain_h;
	for (int r = y; r < end; r++) {
		glyph(d, r, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, r, d->W - 1, d->g->v, pen(d, C_BORDER));
	}
	for (int i = 0; i < np && y < end; i++) {
		struct span sp[16];
		int rows = wrap(p[i].text, d->W - 4, sp, 16);
		for (int r = 0; r < rows && y < end; r++)
			put_n(d, y++, 2, d->W - 4, sp[r].p, sp[r].n, pen(d, p[i].color));
	}
}

/* ---- bottom: border or prompt, key bar ----------------------------------- */

static void draw_keybar(const struct dc *d, int y)
{
	size_t n;
	const struct tui_key *km = tui_keymap(&n);
	int rank = 3, total;
	for (;; rank--) {
		total = 0;
		for (size_t i = 0; i < n; i++) {
			if (!km[i].bar_rank || km[i].bar_rank > rank)
				continue;
			char key[16];
			sscanf(km[i].label, "%15s", key);
			total += (total ? 1 : 0) + tui_width(key) + 1 + tui_width(tui_action_bar(km[i].act));
		}
		if (total <= d->W || rank == 1)
			break;
	}
	int x = 0;
	for (size_t i = 0; i < n && x < d->W; i++) {
		if (!km[i].bar_rank || km[i].bar_rank > rank)
			continue;
		char key[16];
		sscanf(km[i].label, "%15s", key);
		if (x)
			x++;
		x += put(d, y, x, d->W - x, key, pen(d, C_KEY));
		x++;
		x += put(d, y, x, d->W - x, tui_action_bar(km[i].act), pen(d, C_NORMAL));
	}
}

static void draw_prompt(const struct dc *d, int y, struct tui_hits *hits)
{
	const struct tui_view *v = d->v;
	const struct tui_line *l = v->line;
	char text[TUI_LINE_MAX * 4];
	tui_line_get(l, text, sizeof text);
	int room = d->W - 3;
	/* cells before the cursor decide the scroll */
	int before = 0, shift = 0;
	for (size_t i = 0; i < l->cur; i++) {
		int cw = wcwidth(l->buf[i]);
		before += cw > 0 ? cw : 1;
	}
	if (before > room - 1)
		shift = before - (room - 1);
	const char *s = text;
	int skipped = 0;
	while (*s && skipped < shift) {
		size_t b;
		wchar_t wc;
		skipped += char_cells(s, &b, &wc);
		s += b;
	}
	put(d, y, 0, 2, "> ", pen(d, C_PROMPT));
	put(d, y, 2, room, s, pen(d, C_NORMAL));
	if (hits) {
		hits->prompt_y = y;
		hits->prompt_x = 2 + before - skipped;
	}
	if (v->prompt_error) {
		int col = 0;
		for (int i = 0; i < v->prompt_error_col && (size_t)i < l->len; i++) {
			int cw = wcwidth(l->buf[i]);
			col += cw > 0 ? cw : 1;
		}
		int cx = 2 + col - skipped, mw = tui_width(v->prompt_error);
		if (cx < 2)
			cx = 2;
		if (cx > d->W - 1)
			cx = d->W - 1;
		put(d, y + 1, cx, 1, "^", pen(d, C_ERR));
		if (cx + 2 + mw <= d->W || mw + 1 > cx)
			put(d, y + 1, cx + 2, d->W - cx - 2, v->prompt_error, pen(d, C_ERR));
		else
			put(d, y + 1, cx - 1 - mw, mw, v->prompt_error, pen(d, C_ERR));
	} else
		put(d, y + 1, 2, d->W - 2, tui_text(TX_PROMPT_HINT), pen(d, C_DIM));
}

static void draw_bottom(const struct dc *d, const struct layout *L, struct tui_hits *hits)
{
	const struct tui_view *v = d->v;
	if (v->prompt && v->line) {
		draw_prompt(d, L->bottom_y, hits);
		return;
	}
	if (v->confirm) {
		rule(d, L->bottom_y, 0, d->W, " ", pen(d, C_ERR));
		put(d, L->bottom_y, 1, d->W - 2, v->confirm, pen(d, C_ERR));
		if (hits) {
			hits->prompt_y = L->bottom_y;
			hits->prompt_x = 1 + tui_width(v->confirm) + 1 < d->W ? 1 + tui_width(v->confirm) + 1 : d->W - 1;
		}
	} else
		border_row(d, L->bottom_y, d->g->bl, d->g->br, NULL, NULL, 0, NULL);
	draw_keybar(d, L->bar_y);
}

/* ---- whole screens ----------------------------------------------------------- */

static void draw_too_small(const struct dc *d)
{
	char line[128];
	snprintf(line, sizeof line, tui_text(TX_TOO_SMALL), TUI_MIN_COLS, TUI_MIN_LINES, d->W, d->H);
	int y = d->H / 2 - 1, w = tui_width(line);
	put(d, y < 0 ? 0 : y, w < d->W ? (d->W - w) / 2 : 0, d->W, line, pen(d, C_ERR));
	const char *l2 = tui_text(TX_TOO_SMALL2);
	w = tui_width(l2);
	if (y + 1 < d->H)
		put(d, y + 1, w < d->W ? (d->W - w) / 2 : 0, d->W, l2, pen(d, C_NORMAL));
}

/* The help screen, from the keymap: label column, then the help text wrapped. */
static void draw_help(const struct dc *d, struct tui_hits *hits)
{
	size_t n;
	const struct tui_key *km = tui_keymap(&n);
	int lw = 16, tw = d->W - 4 - lw, y = 1, row = 0, top = d->v->help_top;
	int last = d->H - 2;
	werase(d->w);
	border_row(d, 0, d->g->tl, d->g->tr, tui_text(TX_HELP_TITLE), NULL, pen(d, C_HEADER), NULL);
	for (int r = 1; r < d->H - 1; r++) {
		glyph(d, r, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, r, d->W - 1, d->g->v, pen(d, C_BORDER));
	}
	const char *notes[] = { tui_text(TX_HELP_CALLS), tui_text(TX_HELP_PROMPT), tui_text(TX_HELP_MOUSE) };
	size_t nnotes = sizeof notes / sizeof notes[0];
	for (size_t i = 0; i < n + nnotes; i++) {
		struct span sp[6];
		const char *text = i < n ? tui_action_help(km[i].act) : notes[i - n];
		int rows = wrap(text, i < n ? tw : d->W - 4, sp, 6);
		if (i == n && row++ >= top)
			y++; /* a blank row before the notes */
		for (int r = 0; r < rows; r++, row++) {
			if (row < top || y > last)
				continue;
			if (r == 0 && i < n)
				put(d, y, 2, lw - 1, km[i].label, pen(d, C_KEY) & ~A_REVERSE);
			put_n(d, y++, i < n ? 2 + lw : 2, i < n ? tw : d->W - 4, sp[r].p, sp[r].n,
			      pen(d, C_NORMAL));
		}
	}
	const char *foot = tui_text(row > last ? TX_HELP_SCROLL : TX_HELP_CLOSE);
	border_row(d, d->H - 1, d->g->bl, d->g->br, foot, NULL, pen(d, C_DIM), NULL);
	if (hits) {
		hits->help_rows = row;
		hits->help_page = last;
	}
}

void tui_draw(WINDOW *w, const struct snapshot *sn, const struct tui_view *v, struct tui_hits *hits)
{
	struct dc d = { .w = w, .v = v, .sn = sn, .g = v->utf8 ? &glyphs_utf8 : &glyphs_ascii,
			.colors = v->color && has_colors() };
	getmaxyx(w, d.H, d.W);
	if (hits)
		memset(hits, 0, sizeof *hits);
	werase(w);
	if (d.W < TUI_MIN_COLS || d.H < TUI_MIN_LINES) {
		draw_too_small(&d);
		return;
	}
	if (v->help) {
		draw_help(&d, hits);
		return;
	}
	struct layout L;
	layout(&d, &L);
	d.L = &L;
	for (int i = 0; i < L.nvis; i++)
		draw_pane(&d, &L, i, hits);
	draw_header(&d);
	draw_pane_borders(&d, &L);
	if (hits)
		hits->npanes = L.nvis;
	if (v->script)
		draw_strip(&d, &L);
	draw_explain(&d, &L);
	draw_bottom(&d, &L, hits);
	if (hits && (v->prompt || v->confirm))
		wmove(w, hits->prompt_y, hits->prompt_x);
}

int tui_hit(const struct tui_hits *h, int y, int x, int *sock)
{
	*sock = -1;
	for (int i = 0; i < h->npanes; i++) {
		if (x < h->pane[i].x0 || x >= h->pane[i].x1 || y < h->pane[i].y0 || y >= h->pane[i].y1)
			continue;
		for (int k = 0; k < h->pane[i].nsock; k++)
			if (y >= h->pane[i].sock_y[k] && y < h->pane[i].sock_y[k] + h->pane[i].sock_h)
				*sock = h->pane[i].sock_idx[k];
		return h->pane[i].pane;
	}
	return -1;
}
