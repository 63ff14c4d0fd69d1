/* tui_draw.c -- one frame of the TUI from a snapshot and the UI's state: curses calls only, no syscalls. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <wchar.h>

#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/text.h"
#include "sockplay/tui_draw.h"

/* ---- looks ------------------------------------------------------------- */

struct glyphs {
	const char *h, *v, *tl, *tr, *bl, *br, *lt, *rt, *tt, *bt, *sel, *arrow, *ell, *dots;
	const char *head_r, *head_l, *head_u, *head_d, *to; /* arrowheads; "to" joins two states */
};

static const struct glyphs glyphs_utf8 = {
	"\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u251c", "\u2524",
	"\u252c", "\u2534", "\u25b6", "\u2192", "\u2026", "\u2504",
	"\u25b6", "\u25c0", "\u25b2", "\u25bc", "\u2192",
};
static const struct glyphs glyphs_ascii = {
	"-", "|", "+", "+", "+", "+", "+", "+", "+", "+", ">", "->", "~", "-",
	">", "<", "^", "v", "->",
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
	int wire_y, wire_h;         /* the wire pane under its border */
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
	/* nothing that moves the cursor, reorders the row or hides in it is drawn as it is */
	uint32_t cp = (uint32_t)*wc;
	if (text_cp_unsafe(cp) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x200b && cp <= 0x200d) ||
	    cp == 0x2060 || cp == 0xfeff) {
		*wc = L'?';
		return 1;
	}
	int cw = text_cp_cells(cp);
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
	if (maxw > 500) /* what BUF holds: more is cut with the mark, never silently */
		maxw = 500;
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

/* Characters a row must not start with: closing brackets and quotes, stops, commas, colons. */
static int no_row_start(wchar_t c)
{
	static const wchar_t set[] = L"\uff09\uff0c\u3002\uff1a\u3001\uff1b\uff01\uff1f\u300d\u300f\u300b"
				     L"\u3009\u3011\uff3d\uff5d\u3015\u3017\u3019\u2026\u2025\u30fb\u30fc"
				     L"\uff5e\u3005\uff0e\uff05\u2019\u201d),.:;!?%]}";
	return c && wcschr(set, c) != NULL;
}

/* Characters a row must not end with: opening brackets and quotes. */
static int no_row_end(wchar_t c)
{
	static const wchar_t set[] = L"\uff08\u300c\u300e\u300a\u3008\u3010\uff3b\uff5b\u3014\u3016\u3018"
				     L"\u2018\u201c([{";
	return c && wcschr(set, c) != NULL;
}

/*
 * Whether a row may break between A and B (widths AW, BW) where there is no
 * space: next to a wide (CJK) character, unless that would start a row with
 * closing punctuation or end one with opening punctuation. Latin words are
 * never split.
 */
static int may_break(wchar_t a, int aw, wchar_t b, int bw)
{
	if (aw < 2 && bw < 2)
		return 0;
	return !no_row_start(b) && !no_row_end(a);
}

/* Whether the space at Q joins a number to its unit ("1.0 s", "12 ms"): no row breaks there. */
static int unit_space(const char *q, wchar_t prev)
{
	if (prev > 0x7f || !isdigit((int)prev))
		return 0;
	int n = 0;
	while (isalpha((unsigned char)q[1 + n]))
		n++;
	return n >= 1 && n <= 2 && (q[1 + n] == 0 || q[1 + n] == ' ' || q[1 + n] == '\n' || ispunct((unsigned char)q[1 + n]));
}

/* Split S into rows of at most WIDTH cells (REST after the first), at spaces and allowed places. */
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
		int cells = 0, prev_cw = 0;
		wchar_t prev = 0;
		while (*q && *q != '\n') {
			size_t b;
			wchar_t wc;
			int cw = char_cells(q, &b, &wc);
			if (q > s && prev != L' ' && wc != L' ' && may_break(prev, prev_cw, wc, cw))
				brk = q;
			if (cells + cw > width)
				break;
			cells += cw;
			q += b;
			prev = wc;
			prev_cw = cw;
			if (*q == ' ' && !unit_space(q, wc))
				brk = q;
		}
		const char *end = (*q && *q != '\n' && brk) ? brk : q;
		if (end == s) { /* a character wider than the row: alone on it, whole */
			size_t b;
			wchar_t wc;
			char_cells(s, &b, &wc);
			end = s + b;
		}
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

/* The same for the first N bytes of S. */
static int wrap_n(const char *s, size_t n, int width, struct span *out, int max)
{
	int rows = wrap(s, width, out, max), k = 0;
	for (; k < rows && out[k].p < s + n; k++)
		if (out[k].p + out[k].n > s + n)
			out[k].n = (size_t)(s + n - out[k].p);
	return k;
}

/* ---- layout ---------------------------------------------------------------- */

static void layout(const struct dc *d, struct layout *L)
{
	const struct tui_view *v = d->v;
	int H = d->H, W = d->W;
	/* top down: header, panes, script strip, wire, explain area, bottom rule, key bar */
	L->strip_h = v->script ? (H >= 36 ? 5 : H >= 28 ? 3 : 2) : 0;
	L->explain_h = H >= 36 ? 8 : H >= 28 ? 6 : 4;
	L->bar_y = H - 1;
	L->bottom_y = H - 2;
	L->explain_y = L->bottom_y - L->explain_h;
	int rest = H - 5 - (L->strip_h ? 1 : 0) - L->explain_h - L->strip_h; /* panes and wire */
	L->wire_h = rest * 2 / 5;
	if (L->wire_h < 5)
		L->wire_h = 5; /* the ends and four arrows */
	if (L->wire_h > 16)
		L->wire_h = 16;
	if (v->wire.off) { /* no ladder: the reason, and the room to the panes */
		struct span sp[6];
		int rows = wrap(v->wire.off, W - 4, sp, 6);
		L->wire_h = rows < 2 ? 2 : rows;
	}
	L->wire_y = L->explain_y - 1 - L->wire_h;
	L->strip_y = L->strip_h ? L->wire_y - 1 - L->strip_h : L->wire_y;
	L->pane_y = 1;
	L->pane_h = (L->strip_h ? L->strip_y - 1 : L->wire_y - 1) - L->pane_y;
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
	const char *title = v->title && v->title[0] ? v->title : v->said_title;
	char name[200], tail[120];
	snprintf(name, sizeof name, "sockplay %s %s%s%s", v->utf8 ? "\u2014" : "-", file, title[0] ? ": " : "",
		 title);
	snprintf(tail, sizeof tail, "%s%s%s%s", step[0] ? "  " : "", step, play[0] ? "  " : "", play);
	snprintf(right, sizeof right, "%s%s%s", v->net_label ? v->net_label : "",
		 v->lang ? "  " : "", v->lang ? v->lang : "");
	/* the step counter and the play state stay: a long title gives way, cut with the mark */
	int room = d->W - 7 - tui_width(right) - 2 - tui_width(tail);
	if (tui_width(name) > room && room > 1) {
		size_t o = 0;
		int cells = 0;
		for (const char *q = name; *q;) {
			size_t b;
			wchar_t wc;
			int cw = char_cells(q, &b, &wc);
			if (cells + cw > room - 1 || o + b + 4 > sizeof name)
				break;
			cells += cw;
			o += b;
			q += b;
		}
		snprintf(name + o, sizeof name - o, "%s", d->g->ell);
	}
	snprintf(left, sizeof left, "%s%s", name, tail);
	border_row(d, 0, d->g->tl, d->g->tr, left, right, pen(d, C_HEADER), d->g->tt);
}

/* ---- panes ----------------------------------------------------------------- */

const char *tui_state_text(const struct snap_sock *k)
{
	if (k->state < 0)
		return "-";
	if (k->type == SOCK_DGRAM && k->state == SP_TCP_CLOSE)
		return "UNCONN";
	const char *n = consts_tcp_state_name(k->state);
	return n ? n : "-";
}

static enum tui_color state_color(int state)
{
	switch (state) {
	case SP_TCP_ESTABLISHED:
	case SP_TCP_LISTEN:
		return C_STATE_OPEN;
	case SP_TCP_SYN_SENT:
	case SP_TCP_SYN_RECV:
	case SP_TCP_NEW_SYN_RECV:
		return C_STATE_WAIT;
	case SP_TCP_FIN_WAIT1:
	case SP_TCP_FIN_WAIT2:
	case SP_TCP_TIME_WAIT:
	case SP_TCP_CLOSE_WAIT:
	case SP_TCP_LAST_ACK:
	case SP_TCP_CLOSING:
		return C_STATE_END;
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

/* "127.0.0.1:8888 -> 127.0.0.1:49152", or the local address alone. */
static void sock_addrs(const struct dc *d, const struct snap_sock *k, char *out, size_t size)
{
	if (k->peer[0] && strcmp(k->peer, "-") != 0)
		snprintf(out, size, "%s %s %s", k->local[0] ? k->local : "-", d->g->arrow, k->peer);
	else
		snprintf(out, size, "%s", k->local[0] ? k->local : "-");
}

/*
 * One socket: one row when wide, else a second row with the addresses
 * (COMPACT: none, the rule under the table shows the selected one's). Returns rows used.
 */
static int sock_rows(const struct dc *d, int y, int x, int w, const struct cols *c,
		     const struct snap_sock *k, int selected, int focused, int compact)
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
	if (c->wide || compact)
		return 1;
	sock_addrs(d, k, addr, sizeof addr);
	put(d, y + 1, x + 1 + c->fd, w - 1 - c->fd, addr, base);
	return 2;
}

/*
 * A line of the call log as the session keeps it: SNAP_LINE_MAX bytes at most,
 * so a longer one (a recv of binary data) arrives cut. Such a line gets a
 * visible mark at its end, the ellipsis, instead of ending mid-escape; an
 * incomplete UTF-8 character at the cut goes. Returns TEXT itself or BUF.
 */
static const char *line_marked(const struct dc *d, const char *text, char *buf, size_t size)
{
	size_t n = strlen(text);
	if (n < SNAP_LINE_MAX - 1)
		return text;
	size_t keep = n, lead = n;
	while (lead > 0 && ((unsigned char)text[lead - 1] & 0xc0) == 0x80) /* back to the last lead byte */
		lead--;
	if (lead > 0 && (unsigned char)text[lead - 1] >= 0xc0) {
		unsigned char c = (unsigned char)text[lead - 1];
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n - (lead - 1) < want)
			keep = lead - 1;
	}
	snprintf(buf, size, "%.*s%s", (int)keep, text, d->g->ell);
	return buf;
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

/* Draw one wrapped row (SP, within TEXT) of a log line; the result part of an OK call in bold colour. */
static void log_row(const struct dc *d, int y, int x, int w, const struct snap_line *ln, const char *text,
		    struct span sp)
{
	attr_t a = pen(d, line_color(ln->kind));
	const char *res = ln->kind == SNAP_LINE_OK ? result_part(text) : NULL;
	if (!res || res >= sp.p + sp.n) {
		put_n(d, y, x, w, sp.p, sp.n, res && res < sp.p ? pen(d, C_VALUE) : a);
		return;
	}
	size_t head = res > sp.p ? (size_t)(res - sp.p) : 0;
	int n = put_n(d, y, x, w, sp.p, head, a);
	put_n(d, y, x + n, w - n, sp.p + head, sp.n - head, pen(d, C_VALUE));
}

#define WRAP_MAX 16 /* rows of one wrapped log line at most: SNAP_LINE_MAX bytes take fewer in a pane */

/* Rows the newest log lines from line N down take, up to H. */
static int log_rows(const struct dc *d, const struct snap_actor *sa, size_t n, int w, int h, size_t *first)
{
	int rows = 0;
	*first = n;
	while (*first > 0) {
		struct span sp[WRAP_MAX];
		char buf[SNAP_LINE_MAX + 8];
		int r = wrap2(line_marked(d, sa->log[*first - 1].text, buf, sizeof buf), w, w - 2, sp, WRAP_MAX);
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
	/* the blocked call is wrapped like the others: its "blocked 2.3 s" must show */
	char line[SNAP_LINE_MAX + 64];
	struct span bsp[WRAP_MAX];
	int brows = 0;
	int bcolor = C_BLOCKED;
	if (sa->blocked) {
		char dur[32];
		text_duration(sa->blocked_ns, dur, sizeof dur);
		snprintf(line, sizeof line, tui_text(TX_BLOCKED), sa->blocked_call, dur);
		brows = wrap2(line, w, w - 2, bsp, WRAP_MAX);
		if (brows > h)
			brows = h;
	} else if (sa->program && sa->held && sa->next_call[0]) { /* a program waits before its call */
		snprintf(line, sizeof line, tui_text(TX_PROG_NEXT), sa->next_call);
		brows = wrap2(line, w, w - 2, bsp, WRAP_MAX);
		if (brows > h)
			brows = h;
		bcolor = C_VALUE;
	}
	int y = y0, rows = log_rows(d, sa, n, w, h - brows, &first);
	if (first == n && n > 0 && h - brows > 0) {
		/* the newest line alone is taller than the room: its head, marked as cut (e shows it all) */
		struct span sp[WRAP_MAX];
		char buf[SNAP_LINE_MAX + 8];
		const char *text = line_marked(d, sa->log[n - 1].text, buf, sizeof buf);
		int r = wrap2(text, w, w - 2, sp, WRAP_MAX);
		int room = h - brows;
		for (int k = 0; k < r && k < room; k++) {
			int xk = x + (k ? 2 : 0), wk = w - (k ? 2 : 0), last = k == room - 1 && r > room;
			struct span part = sp[k];
			if (last) { /* room for the mark: the row's text cut one cell short */
				int cells = 0;
				size_t used = 0;
				while (used < part.n) {
					size_t b;
					wchar_t wc;
					int cw = char_cells(part.p + used, &b, &wc);
					if (cells + cw > wk - 1)
						break;
					cells += cw;
					used += b;
				}
				part.n = used;
			}
			log_row(d, y, xk, wk, &sa->log[n - 1], text, part);
			if (last)
				put(d, y, xk + span_width(part.p, part.n), 1, d->g->ell, pen(d, line_color(sa->log[n - 1].kind)));
			y++;
		}
		rows = r < room ? r : room;
	}
	for (size_t i = first; i < n; i++) {
		struct span sp[WRAP_MAX];
		char buf[SNAP_LINE_MAX + 8];
		const char *text = line_marked(d, sa->log[i].text, buf, sizeof buf);
		int r = wrap2(text, w, w - 2, sp, WRAP_MAX);
		for (int k = 0; k < r; k++)
			log_row(d, y++, x + (k ? 2 : 0), w - (k ? 2 : 0), &sa->log[i], text, sp[k]);
	}
	for (int k = 0; k < brows; k++)
		put_n(d, y++, x + (k ? 2 : 0), w - (k ? 2 : 0), bsp[k].p, bsp[k].n, pen(d, bcolor));
	return rows + brows;
}

/* Whether the socket's local address names a port (an Internet socket after bind() or connect()). */
static int is_bound(const struct snap_sock *k)
{
	if (!k->local_len)
		return 0;
	if (k->local_sa.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&k->local_sa)->sin_port != 0;
	if (k->local_sa.ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)&k->local_sa)->sin6_port != 0;
	return 0;
}

/* What to do next on this side, judged from its selected socket. */
static const char *pane_hint(const struct snap_actor *sa, int sel, int is_server)
{
	if (sa && sa->program) { /* its calls are its own: the keys step it */
		if (sa->ended)
			return NULL;
		if (sa->blocked)
			return tui_text(TX_PROG_HINT_BLOCKED);
		if (sa->held)
			return tui_text(TX_PROG_HINT_HELD);
		return tui_text(sa->free_run ? TX_PROG_HINT_FREE : TX_PROG_HINT_START);
	}
	if (!sa || sa->nsocks == 0)
		return tui_text(TX_HINT_SOCKET);
	if (sa->blocked)
		return tui_text(TX_HINT_BLOCKED);
	const struct snap_sock *k = &sa->socks[sel >= 0 && (size_t)sel < sa->nsocks ? sel : 0];
	if (k->type == SOCK_DGRAM)
		return k->closed ? NULL : tui_text(TX_HINT_UDP);
	switch (k->state) {
	case SP_TCP_LISTEN: return tui_text(k->rq ? TX_HINT_PENDING : TX_HINT_LISTEN);
	case SP_TCP_ESTABLISHED: return tui_text(TX_HINT_ESTAB);
	case SP_TCP_CLOSE_WAIT: return tui_text(TX_HINT_CLOSE_WAIT);
	case SP_TCP_CLOSE:
		if (k->closed)
			return NULL;
		if (!is_server)
			return tui_text(TX_HINT_CLIENT_NEW);
		return tui_text(is_bound(k) ? TX_HINT_BOUND : TX_HINT_SERVER_NEW);
	default: return NULL;
	}
}

static void draw_pane_title(const struct dc *d, const struct layout *L, int i, int pane,
			    const struct snap_actor *sa)
{
	const struct tui_view *v = d->v;
	int x = L->x[i] + 1, w = L->x[i + 1] - x, focused = pane == v->focus;
	attr_t a = pen(d, focused ? C_PANE_FOCUS : C_PANE);
	char title[300], up[40], pid[32];
	size_t k = 0;
	for (const char *p = v->panes[pane]; *p && k < sizeof up - 1; p++)
		up[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
	up[k] = 0;
	if (sa && sa->pid > 0)
		snprintf(pid, sizeof pid, tui_text(TX_PID), (int)sa->pid);
	else
		snprintf(pid, sizeof pid, "%s", tui_text(TX_NOT_STARTED));
	if (sa && sa->program) /* "SERVER  pid 4121  program: exited 0" */
		snprintf(title, sizeof title, " %s  %s  %s%s%s", up, pid, tui_text(TX_PROG_TAG),
			 sa->ended ? ": " : "", sa->ended ? sa->how : "");
	else
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
	/* sockets, then a rule and at least two rows of the call log; when two sockets with their
	   address rows leave no room for that, one row each and the selected one's addresses on the rule */
	int body = bottom - y, compact = !c.wide && (body - 3) / 2 < 2;
	int sh = c.wide || compact ? 1 : 2;
	size_t nsocks = sa ? sa->nsocks : 0;
	int sock_room = (body - 3) / sh;
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
		put(d, y++, x + 1, w - 2, tui_text(sa && sa->program ? TX_PROG_NO_SOCKETS : TX_NO_SOCKETS),
		    pen(d, C_DIM));
	for (size_t k = first; k < nsocks && k < first + (size_t)sock_room; k++) {
		if (hits && hits->pane[i].nsock < 32) {
			hits->pane[i].sock_y[hits->pane[i].nsock] = y;
			hits->pane[i].sock_idx[hits->pane[i].nsock++] = (int)k;
		}
		y += sock_rows(d, y, x, w - 1, &c, &sa->socks[k], (int)k == sel, focused, compact);
	}
	/* the call log below a thin rule */
	rule(d, y, x + 1, w - 2, d->g->dots, pen(d, C_DIM));
	char calls[SNAP_ADDR_MAX * 2 + 16], addrs[SNAP_ADDR_MAX * 2 + 8];
	if (compact && sel >= 0 && (size_t)sel < nsocks) {
		sock_addrs(d, &sa->socks[sel], addrs, sizeof addrs);
		snprintf(calls, sizeof calls, " %s ", addrs);
	} else
		snprintf(calls, sizeof calls, " %s ", tui_text(TX_CALLS));
	put(d, y, x + 2, w - 4, calls, pen(d, C_DIM));
	y++;
	int used = sa ? draw_log(d, y, bottom - y, x + 1, w - 2, sa) : 0;
	const char *hint = focused ? pane_hint(sa, sel, strcmp(v->panes[pane], "server") == 0) : NULL;
	if (hint && y + used < bottom) {
		struct span sp[4];
		int rows = wrap(hint, w - 2, sp, 4), room = bottom - (y + used);
		for (int r = 0; r < rows && r < room; r++) { /* short of rows: the last one says it goes on */
			int last = r == room - 1 && rows > room;
			int n = put_n(d, y + used + r, x + 1, w - 2 - last, sp[r].p, sp[r].n, pen(d, C_INFO));
			if (last && span_width(sp[r].p, sp[r].n) <= w - 3)
				put(d, y + used + r, x + 1 + n, 1, d->g->ell, pen(d, C_INFO));
		}
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
	long step;   /* the step's number, as the title and the ladder count (first round of a repeat); 0: none */
	int loop;    /* the row of the innermost repeat holding it, -1: none */
};

static int collect_lines(const struct sp_stmt *v, size_t n, struct strip_line *out, int k, int max,
			 long *ord, int loop)
{
	for (size_t i = 0; i < n && k < max; i++) {
		out[k].line = v[i].line;
		out[k].src = v[i].source ? v[i].source : "";
		out[k].loop = loop;
		out[k].step = v[i].kind == SP_ST_REPEAT ? 0 : ++*ord;
		int row = k++;
		if (v[i].kind == SP_ST_REPEAT) {
			long first = *ord;
			k = collect_lines(v[i].body, v[i].nbody, out, k, max, ord, row);
			long body = *ord - first, times = v[i].repeat > 0 ? v[i].repeat : 0;
			*ord = body && times > (1L << 40) / body ? 1L << 40 : first + body * times;
		}
	}
	return k;
}

static void draw_strip(const struct dc *d, const struct layout *L)
{
	const struct tui_view *v = d->v;
	border_row(d, L->strip_y - 1, d->g->lt, d->g->rt, tui_text(TX_SCRIPT),
		   tui_text(TX_SCRIPT_KEYS), pen(d, C_HEADER), d->g->bt);
	static struct strip_line lines[4096];
	long ord = 0;
	int n = collect_lines(v->script->stmts, v->script->n, lines, 0, 4096, &ord, -1);
	int cur = n; /* index of the next step; n at the end */
	for (int i = 0; i < n; i++)
		if (lines[i].line == v->next_line) {
			cur = i;
			break;
		}
	/* inside a repeat, its lines are numbered for the round being run */
	long round = cur < n && lines[cur].loop >= 0 && lines[cur].step ? v->step + 1 - lines[cur].step : 0;
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
		char num[24] = "";
		if (lines[i].step) /* the step's number, as in the title and the ladder */
			snprintf(num, sizeof num, "%4ld",
				 lines[i].step + (cur < n && lines[i].loop == lines[cur].loop && lines[i].loop >= 0
							  ? round : 0));
		attr_t a = i == cur ? pen(d, C_SEL) : i < cur ? pen(d, C_DIM) : pen(d, C_NORMAL);
		if (i == cur)
			put(d, y, 1, 1, d->g->sel, a);
		put(d, y, 2, 5, num, a);
		put(d, y, 8, d->W - 10, lines[i].src, a);
	}
}

/* ---- wire pane ---------------------------------------------------------------- */

/* What an arrow says: flags, relative seq/ack, length; LEVEL drops details to fit. */
static void seg_label(const struct wire_seg *s, int level, char *out, size_t size)
{
	if (wire_icmp_text(s, out, size) > 0)
		return; /* "ICMP port unreachable" */
	if (s->proto != IPPROTO_TCP) {
		snprintf(out, size, "UDP len=%u", s->len);
		return;
	}
	char fl[48], seq[24] = "", ack[24] = "", len[24] = "";
	wire_flags_text(s->flags, fl, sizeof fl);
	if (level < 2)
		snprintf(seq, sizeof seq, " seq=%u", s->seq);
	if (level < 1 && (s->flags & WIRE_ACK))
		snprintf(ack, sizeof ack, " ack=%u", s->ack);
	if (s->len && level < 3)
		snprintf(len, sizeof len, " len=%u", s->len);
	snprintf(out, size, "%s%s%s%s%s", fl, seq, ack, len,
		 level < 1 && s->win == 0 && !(s->flags & WIRE_RST) ? " win=0" : "");
}

static enum tui_color seg_color(const struct wire_seg *s)
{
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)
		return C_ERR;
	if (s->proto != IPPROTO_TCP)
		return C_INFO;
	if (s->flags & WIRE_RST)
		return C_ERR;
	if (s->flags & WIRE_SYN)
		return C_STATE_WAIT;
	if (s->flags & WIRE_FIN)
		return C_STATE_END;
	return s->len ? C_VALUE : C_NORMAL;
}

/* One arrow over cells X .. X+N-1, its head at the right end (TO_RIGHT) or the left one. */
static void draw_arrow(const struct dc *d, int y, int x, int n, int to_right, const struct wire_seg *s,
		       attr_t a)
{
	char label[96];
	int level = 0, lw;
	for (;; level++) {
		seg_label(s, level, label, sizeof label);
		lw = tui_width(label);
		if (lw + 6 <= n || level == 3)
			break;
	}
	if (n < 3)
		return;
	rule(d, y, x, n, d->g->h, a);
	glyph(d, y, to_right ? x + n - 1 : x, to_right ? d->g->head_r : d->g->head_l, a);
	int room = n - 4; /* a dash and a space on each side */
	if (room < 1)
		return;
	if (lw > room)
		lw = room;
	int lx = x + 2 + (room - lw) / 2;
	put(d, y, lx - 1, 1, " ", a);
	int used = put(d, y, lx, room, label, a);
	put(d, y, lx + used, 1, " ", a);
}

/*
 * The step number at the left margin: on a step's first row and on the top
 * row; a dot on every segment seen between steps (an outside client, a
 * timer: no row of them reads as part of a step above), a colon for a
 * statement typed (or keyed) beside a script.
 */
static void wire_margin(const struct dc *d, int y, int w, const struct tui_wire_row *r,
			const struct tui_wire_row *prev)
{
	if (prev && prev->seg->step == r->seg->step && !(r->seg->step & TUI_WIRE_BETWEEN))
		return;
	char num[16];
	if (r->seg->step & TUI_WIRE_BETWEEN)
		snprintf(num, sizeof num, "%s", d->v->utf8 ? "\u00b7" : "-");
	else if (r->seg->step & TUI_WIRE_TYPED)
		snprintf(num, sizeof num, ":");
	else
		snprintf(num, sizeof num, "%u", r->seg->step);
	int nw = tui_width(num);
	put(d, y, 1 + (w - nw > 0 ? w - nw : 0), w, num,
	    r->seg->step == d->v->wire.last_step ? pen(d, C_SEL) : pen(d, C_DIM));
}

static void wire_note(const struct dc *d, int y, int h, const char *text, enum tui_color c)
{
	struct span sp[8];
	int rows = wrap(text, d->W - 4, sp, 8);
	for (int r = 0; r < rows && r < h; r++)
		put_n(d, y + r, 2, d->W - 4, sp[r].p, sp[r].n, pen(d, c));
}

static void draw_wire(const struct dc *d, const struct layout *L, struct tui_hits *hits)
{
	const struct tui_wire *w = &d->v->wire;
	int y0 = L->wire_y, h = L->wire_h, margin = 5;
	int one = !w->all && !w->off && !w->none; /* a ladder with its two ends on top */
	int arrows = one ? h - 1 : h;
	int shown = w->nrows < arrows ? w->nrows : arrows;
	int first = w->nrows - shown;
	unsigned long older = w->older + (unsigned long)first;
	char right[200] = "", part[64];
	if (w->lost) {
		snprintf(part, sizeof part, tui_text(TX_WIRE_LOST), w->lost);
		snprintf(right + strlen(right), sizeof right - strlen(right), "%s  ", part);
	}
	if (older) {
		snprintf(part, sizeof part, tui_text(TX_WIRE_OLDER), older);
		snprintf(right + strlen(right), sizeof right - strlen(right), "%s  ", part);
	}
	if (w->newer) {
		snprintf(part, sizeof part, tui_text(TX_WIRE_NEWER), w->newer);
		snprintf(right + strlen(right), sizeof right - strlen(right), "%s  ", part);
	}
	if (!w->off)
		snprintf(right + strlen(right), sizeof right - strlen(right), "%s",
			 tui_text(w->all ? TX_WIRE_KEYS_ALL : TX_WIRE_KEYS));
	border_row(d, y0 - 1, d->g->lt, d->g->rt, tui_text(w->all ? TX_WIRE_ALL : TX_WIRE), right,
		   pen(d, C_HEADER), d->v->script ? NULL : d->g->bt);
	for (int r = y0; r < y0 + h; r++) {
		glyph(d, r, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, r, d->W - 1, d->g->v, pen(d, C_BORDER));
	}
	if (hits)
		hits->wire_rows = arrows;
	if (w->off) {
		wire_note(d, y0, h, w->off, C_INFO);
		return;
	}
	if (w->none) {
		wire_note(d, y0, h, w->none, C_DIM);
		return;
	}
	int avail = d->W - 4 - margin; /* lifeline to lifeline, at most */
	if (!one) {
		if (w->nrows == 0) {
			wire_note(d, y0, h, tui_text(TX_WIRE_EMPTY), C_DIM);
			return;
		}
		int lw = 8, most = (avail - 30) / 2; /* as wide as the longest name shown, the arrows get the rest */
		if (most > TUI_LADDER_END_MAX)
			most = TUI_LADDER_END_MAX;
		for (int i = 0; i < shown; i++) {
			const struct tui_wire_row *r = &w->rows[first + i];
			int a = tui_width(r->left ? r->left : "?"), b = tui_width(r->right ? r->right : "?");
			if (a > lw)
				lw = a;
			if (b > lw)
				lw = b;
		}
		if (lw > most)
			lw = most;
		if (lw < 8)
			lw = 8;
		int ax = 1 + margin + lw + 1, an = avail - 2 * lw - 2;
		for (int i = 0; i < shown; i++) {
			const struct tui_wire_row *r = &w->rows[first + i];
			int y = y0 + i;
			attr_t a = pen(d, seg_color(r->seg)) | (r->seg->step == w->last_step ? A_BOLD : 0);
			wire_margin(d, y, margin - 1, r, i ? r - 1 : NULL);
			const char *l = r->left ? r->left : "?", *rt = r->right ? r->right : "?";
			int llw = tui_width(l);
			put(d, y, 1 + margin + (llw < lw ? lw - llw : 0), lw, l, pen(d, C_PANE));
			draw_arrow(d, y, ax, an, r->to_right, r->seg, a);
			put(d, y, ax + an + 1, lw, rt, pen(d, C_PANE));
		}
		return;
	}
	int span = avail > TUI_LADDER_MAX ? TUI_LADDER_MAX : avail; /* wide terminals: a wider ladder */
	int xl = 1 + margin + (avail - span) / 2, xr = xl + span;
	/* the ends: the left one over its lifeline, the right one ending over its own */
	put(d, y0, 1, margin - 1, tui_text(TX_WIRE_STEP), pen(d, C_DIM));
	int half = span / 2 - 1, rw = tui_width(w->right ? w->right : "");
	put(d, y0, xl, half, w->left ? w->left : "", pen(d, C_PANE));
	if (rw > half)
		rw = half;
	put(d, y0, xr + 1 - rw, half, w->right ? w->right : "", pen(d, C_PANE));
	for (int i = 0; i < arrows; i++) {
		glyph(d, y0 + 1 + i, xl, d->g->v, pen(d, C_DIM));
		glyph(d, y0 + 1 + i, xr, d->g->v, pen(d, C_DIM));
	}
	if (w->nrows == 0) {
		put(d, y0 + 1, xl + 2, span - 3, tui_text(TX_WIRE_QUIET), pen(d, C_DIM));
		return;
	}
	for (int i = 0; i < shown; i++) {
		const struct tui_wire_row *r = &w->rows[first + i];
		int y = y0 + 1 + i;
		attr_t a = pen(d, seg_color(r->seg)) | (r->seg->step == w->last_step ? A_BOLD : 0);
		wire_margin(d, y, margin - 1, r, i ? r - 1 : NULL);
		draw_arrow(d, y, xl + 1, span - 1, r->to_right, r->seg, a);
	}
}

/* ---- explain area ----------------------------------------------------------- */

struct para {
	const char *text;
	size_t len;                /* bytes of TEXT to show */
	enum tui_color color;
	int rank;                  /* 1 is kept longest when the area is too small for all */
};

/* Cells of an explain row: the area's width, but no wider than a comfortable line to read. */
static int explain_width(const struct dc *d)
{
	return d->W - 4 < TUI_EXPLAIN_MAX ? d->W - 4 : TUI_EXPLAIN_MAX;
}

/* The explain area's paragraphs, most important first by rank; every text NUL-terminated. */
struct paras {
	struct para p[12];
	int np;
	char head[SNAP_LINE_MAX + 96];
	char what[4 * EXPLAIN_TEXT_MAX];  /* the errno and the likely mistake, or what happened: a line each */
	char code[2 * EXPLAIN_CODE_MAX + 32]; /* the Python line and the C line */
};

/* Parts FROM..TO of EX with their labels, a line each, into BUF; its length. */
static size_t explain_parts(const struct explain *ex, enum explain_part from, enum explain_part to, char *buf,
			    size_t size)
{
	static char line[EXPLAIN_TEXT_MAX + 64];
	size_t len = 0;
	buf[0] = 0;
	for (int p = from; p <= (int)to && len + 1 < size; p++)
		if (explain_line(ex, (enum explain_part)p, line, sizeof line))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "\n" : "", line);
	return len < size ? len : size - 1;
}

static void explain_paras(const struct dc *d, struct paras *P)
{
	const struct tui_view *v = d->v;
	const struct snapshot *sn = d->sn;
	struct para *p = P->p;
	int np = 0;
#define PARA(t, n, c, r) (p[np++] = (struct para){ (t), (n), (c), (r) })
	if (v->message && v->message[0])
		PARA(v->message, strlen(v->message), v->message_err ? C_ERR : C_INFO, 1);
	if (v->join_wait && v->join_wait[0])
		PARA(v->join_wait, strlen(v->join_wait), C_INFO, 2);
	if (v->say[0] && !(v->say_at && v->call_at > v->say_at)) { /* a later call replaced it */
		if (v->say_at && v->now_at > v->say_at) /* later steps ran: still true, no longer news */
			PARA(v->say, strlen(v->say), C_DIM, 5);
		else
			PARA(v->say, strlen(v->say), C_SAY, 2);
	}
	const struct tui_last *l = &v->last;
	if (l->call) {
		char text[SNAP_LINE_MAX + 8];
		snprintf(P->head, sizeof P->head, "%s: %s", l->actor, line_marked(d, l->text, text, sizeof text));
		PARA(P->head, strlen(P->head), l->err ? C_ERR : C_HEADER, 3);
		static struct explain general;
		const struct explain *ex = &l->ex;
		if (!l->has_ex) {
			explain_result((enum sp_call)l->call, v->last_socktype ? v->last_socktype : SOCK_STREAM, l->ret,
				       l->err, &general);
			ex = &general;
		}
		size_t what = explain_parts(ex, EXPLAIN_MEANING, EXPLAIN_PARTIAL, P->what, sizeof P->what);
		size_t code = explain_parts(ex, EXPLAIN_PYTHON, EXPLAIN_C, P->code, sizeof P->code);
		PARA(P->what, what, C_NORMAL, l->err ? 4 : 6);
		if (v->join && v->join[0])
			PARA(v->join, strlen(v->join), C_INFO, 5);
		if (code)
			PARA(P->code, code, C_NORMAL, 7);
	} else {
		int program = 0;
		for (size_t i = 0; i < sn->nactors; i++)
			program |= sn->actors[i].program;
		const char *w = tui_text(program ? TX_WELCOME_PROGRAM : v->script ? TX_WELCOME_SCRIPT : TX_WELCOME);
		PARA(w, strlen(w), C_NORMAL, 3);
		if (v->net_note && v->net_note[0])
			PARA(v->net_note, strlen(v->net_note), C_INFO, 4);
	}
#undef PARA
	P->np = np;
}

static void draw_explain(const struct dc *d, const struct layout *L)
{
	const struct tui_view *v = d->v;
	border_row(d, L->explain_y - 1, d->g->lt, d->g->rt, tui_text(TX_EXPLAIN), NULL, pen(d, C_HEADER),
		   NULL);
	static struct paras P;
	explain_paras(d, &P);
	const struct para *p = P.p;
	int np = P.np;
	int y = L->explain_y, end = L->explain_y + L->explain_h;
	for (int r = y; r < end; r++) {
		glyph(d, r, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, r, d->W - 1, d->g->v, pen(d, C_BORDER));
	}
	/* when everything does not fit, leave out the least important paragraphs first */
	struct span sp[12][16];
	int rows[12], total = 0, keep[12], tw = explain_width(d);
	for (int i = 0; i < np; i++) {
		rows[i] = wrap_n(p[i].text, p[i].len, tw, sp[i], 16);
		total += rows[i];
		keep[i] = 1;
	}
	for (int rank = 7; rank > 1 && total > L->explain_h; rank--)
		for (int i = 0; i < np; i++)
			if (keep[i] && p[i].rank == rank && total > L->explain_h) {
				keep[i] = 0;
				total -= rows[i];
			}
	/* rows left over go to what was left out, the most important first, cut with an ellipsis */
	int free = L->explain_h - total, cut[12] = { 0 };
	for (int rank = 2; rank <= 7 && free > 0; rank++)
		for (int i = 0; i < np && free > 0; i++)
			if (!keep[i] && p[i].rank == rank && rows[i] > 0) {
				keep[i] = 1;
				if (rows[i] > free) {
					rows[i] = free;
					cut[i] = 1;
				}
				free -= rows[i];
			}
	int omitted = 0;
	for (int i = 0; i < np; i++)
		omitted |= !keep[i] || cut[i];
	if (omitted && !v->explain_full) /* say where the rest is */
		border_row(d, L->explain_y - 1, d->g->lt, d->g->rt, tui_text(TX_EXPLAIN), tui_text(TX_EXPLAIN_MORE),
			   pen(d, C_HEADER), NULL);
	for (int i = 0; i < np && y < end; i++) {
		if (!keep[i])
			continue;
		for (int r = 0; r < rows[i] && y < end; r++) {
			int last = cut[i] && r == rows[i] - 1;
			int n = put_n(d, y, 2, tw - last, sp[i][r].p, sp[i][r].n, pen(d, p[i].color));
			if (last && span_width(sp[i][r].p, sp[i][r].n) <= tw - 1) /* else put_n cut it */
				put(d, y, 2 + n, 1, d->g->ell, pen(d, p[i].color));
			y++;
		}
	}
}

/*
 * e: the whole explanation on the whole screen, nothing left out, and the
 * bytes the last call received, all of them (the panes and the transcript
 * show a part); it scrolls when taller than the screen.
 */
static void draw_explain_full(const struct dc *d, struct tui_hits *hits)
{
	const struct tui_view *v = d->v;
	static struct paras P;
	explain_paras(d, &P);
	char dhead[192];
	char *esc = NULL;
	if (v->data && v->data_len && v->last.call && P.np + 2 <= (int)(sizeof P.p / sizeof P.p[0])) {
		if (v->data_ret > (long long)v->data_len)
			snprintf(dhead, sizeof dhead, tui_text(TX_DATA_PART), v->data_len, v->data_ret);
		else
			snprintf(dhead, sizeof dhead, tui_text(TX_DATA_ALL), v->data_len);
		P.p[P.np++] = (struct para){ dhead, strlen(dhead), C_HEADER, 8 };
		size_t cap = v->data_len * 4 + 8; /* \xHH for every byte at worst */
		esc = malloc(cap + 3);
		if (esc) {
			esc[0] = '"';
			size_t n = text_escape(v->data, v->data_len, v->data_len, esc + 1, cap);
			esc[1 + n] = '"';
			esc[2 + n] = 0;
			P.p[P.np++] = (struct para){ esc, n + 2, C_VALUE, 8 };
		}
	}
	/* every paragraph wrapped whole: rows as many as it takes */
	int tw = explain_width(d), nrows = 0, cap = 0;
	struct xrow {
		struct span s;
		enum tui_color c;
	} *rows = NULL;
	for (int i = 0; i < P.np; i++) {
		const char *s = P.p[i].text;
		while (*s) {
			struct span sp[64];
			int n = wrap(s, tw, sp, 64);
			if (nrows + n > cap) {
				int nc = cap ? cap * 2 : 256;
				while (nc < nrows + n)
					nc *= 2;
				struct xrow *r = realloc(rows, (size_t)nc * sizeof *r);
				if (!r)
					break;
				rows = r;
				cap = nc;
			}
			for (int k = 0; k < n; k++)
				rows[nrows++] = (struct xrow){ sp[k], P.p[i].color };
			if (n < 64)
				break;
			s = sp[63].p + sp[63].n;
			if (*s == '\n')
				s++;
			else
				while (*s == ' ')
					s++;
		}
	}
	int page = d->H - 2, top = v->explain_top;
	if (top > nrows - page)
		top = nrows - page;
	if (top < 0)
		top = 0;
	char where[64] = "";
	if (nrows > page)
		snprintf(where, sizeof where, "%d-%d/%d", top + 1, top + page < nrows ? top + page : nrows, nrows);
	border_row(d, 0, d->g->tl, d->g->tr, tui_text(TX_EXPLAIN), where, pen(d, C_HEADER), NULL);
	for (int r = 1; r < d->H - 1; r++) {
		glyph(d, r, 0, d->g->v, pen(d, C_BORDER));
		glyph(d, r, d->W - 1, d->g->v, pen(d, C_BORDER));
	}
	for (int r = 0; r < page && top + r < nrows; r++)
		put_n(d, 1 + r, 2, tw, rows[top + r].s.p, rows[top + r].s.n, pen(d, rows[top + r].c));
	border_row(d, d->H - 1, d->g->bl, d->g->br, tui_text(nrows > page ? TX_EXPLAIN_SCROLL : TX_EXPLAIN_CLOSE),
		   NULL, pen(d, C_DIM), NULL);
	if (hits) {
		hits->explain_rows = nrows;
		hits->explain_page = page;
	}
	free(rows);
	free(esc);
}

/* ---- bottom: border or prompt, key bar ----------------------------------- */

/*
 * The key bar: every key with its word when there is room; short of room the
 * words go first (word_rank 3, then 2, then 1), the keys themselves only after
 * that (bar_rank 3, then 2).
 */
static int keybar_width(const struct tui_key *km, size_t n, int words, int keys)
{
	int total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!km[i].bar_rank || km[i].bar_rank > keys)
			continue;
		char key[16];
		sscanf(km[i].label, "%15s", key);
		total += (total ? 1 : 0) + tui_width(key);
		if (km[i].word_rank < words)
			total += 1 + tui_width(tui_action_bar(km[i].act));
	}
	return total;
}

static void draw_keybar(const struct dc *d, int y)
{
	size_t n;
	const struct tui_key *km = tui_keymap(&n);
	int words = 4, keys = 3; /* words of word_rank < WORDS shown, keys of bar_rank <= KEYS */
	while (keybar_width(km, n, words, keys) > d->W) {
		if (words > 1)
			words--;
		else if (keys > 1)
			keys--;
		else
			break;
	}
	int x = 0;
	for (size_t i = 0; i < n && x < d->W; i++) {
		if (!km[i].bar_rank || km[i].bar_rank > keys)
			continue;
		char key[16];
		sscanf(km[i].label, "%15s", key);
		if (x)
			x++;
		x += put(d, y, x, d->W - x, key, pen(d, C_KEY));
		if (km[i].word_rank >= words)
			continue;
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
		int cw = text_cp_cells((uint32_t)l->buf[i]);
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
			int cw = text_cp_cells((uint32_t)l->buf[i]);
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

/* ---- the TCP state diagram ------------------------------------------------------ */

#define DG_W 80
#define DG_H 21

/*
 * The diagram's lines on an 80x21 grid: - | for lines, r q L J for the
 * corners (as in box drawing: ┌ ┐ └ ┘), v ^ > for arrowheads. The states and
 * the labels are drawn over it from the tables below. dg_mask names the
 * transition ('a'..'p', as in dg_edges) each line cell belongs to, so the
 * one just taken can be lit.
 */
static const char *const dg_art[DG_H] = {
	"                               v-----------------------------------------------q",
	"r-------------------------->                                                   |",
	"|   r------          -------J^^  L---------------------q                       |",
	"|   v                        ||                        v                       |",
	"|                            ||                                                |",
	"|   |   L-----         ------JL--                    -J      |                 |",
	"|   v                                                        |                 |",
	"|                                                            |                 |",
	"|   L------          --------q        r----------------------J                 |",
	"|                            v        v                                        |",
	"|                                                                              |",
	"|   r--                    --J       L-----------------q                       |",
	"|   v                                                  v                       |",
	"| r                                                                            |",
	"| | |    L-                     -q                     |                       |",
	"| | v                            v                     v                       |",
	"| |                                                                            |",
	"| |     L---------------------q  |                     |                       |",
	"| |                           v  v                     L-----          --------J",
	"| L-------------------------->",
	"L--------              --------J",
};

static const char *const dg_mask[DG_H] = {
	"                               ppppppppppppppppppppppppppppppppppppppppppppppppp",
	"oooooooooooooooooooooooooooo                                                   p",
	"o   aaaaaaa          aaaaaaaacd  bbbbbbbbbbbbbbbbbbbbbbb                       p",
	"o   a                        cd                        b                       p",
	"o                            cd                                                p",
	"o   e   cccccc         cccccccddd                    dd      f                 p",
	"o   e                                                        f                 p",
	"o                                                            f                 p",
	"o   ggggggg          ggggggggg        ffffffffffffffffffffffff                 p",
	"o                            g        f                                        p",
	"o                                                                              p",
	"o   hhh                    hhh       iiiiiiiiiiiiiiiiiii                       p",
	"o   h                                                  i                       p",
	"o q                                                                            p",
	"o q j    kk                     kk                     l                       p",
	"o q j                            k                     l                       p",
	"o q                                                                            p",
	"o q     mmmmmmmmmmmmmmmmmmmmmmm  n                     p                       p",
	"o q                           m  n                     pppppp          ppppppppp",
	"o qqqqqqqqqqqqqqqqqqqqqqqqqqqq",
	"ooooooooo              ooooooooo",
};

/* The states: kernel number, row and column on the grid, room for the marks after the name. */
static const struct {
	int state, y, x, markw;
} dg_states[] = {
	{ SP_TCP_CLOSE, 1, 28, 43 },
	{ SP_TCP_LISTEN, 4, 3, 18 },
	{ SP_TCP_SYN_SENT, 4, 54, 15 },
	{ SP_TCP_SYN_RECV, 7, 3, 24 },
	{ SP_TCP_ESTABLISHED, 10, 28, 38 },
	{ SP_TCP_FIN_WAIT1, 13, 3, 40 },
	{ SP_TCP_CLOSE_WAIT, 13, 54, 13 },
	{ SP_TCP_FIN_WAIT2, 16, 3, 18 },
	{ SP_TCP_CLOSING, 16, 32, 13 },
	{ SP_TCP_LAST_ACK, 16, 54, 15 },
	{ SP_TCP_TIME_WAIT, 19, 30, 39 },
};

/*
 * The transitions the kernel takes, with what triggers them: label text, where
 * it goes, whether it sits in a line. 'q' is FIN_WAIT1 -> TIME_WAIT when one
 * segment carries the peer's FIN and the ACK of ours (tcp_rcv_state_process()
 * moves to FIN_WAIT2 on the ACK, tcp_fin() on to TIME_WAIT). 'r' is the RST
 * that takes any synchronized state to CLOSED, received or sent by an abortive
 * close(): a legend with no line (FROM 0: no path goes through it).
 */
static const struct {
	char id;
	int from, to;
	enum tui_text label;
	int y, x, w, in_line;
} dg_edges[] = {
	{ 'a', SP_TCP_CLOSE, SP_TCP_LISTEN, TX_DG_LISTEN, 2, 12, 8, 1 },
	{ 'b', SP_TCP_CLOSE, SP_TCP_SYN_SENT, TX_DG_CONNECT, 3, 57, 20, 0 },
	{ 'c', SP_TCP_LISTEN, SP_TCP_CLOSE, TX_DG_CLOSE, 5, 15, 7, 1 },
	{ 'd', SP_TCP_SYN_SENT, SP_TCP_CLOSE, TX_DG_CLOSE_RST, 5, 34, 18, 1 },
	{ 'e', SP_TCP_LISTEN, SP_TCP_SYN_RECV, TX_DG_RECV_SYN, 6, 6, 23, 0 },
	{ 'f', SP_TCP_SYN_SENT, SP_TCP_ESTABLISHED, TX_DG_RECV_SYNACK, 7, 37, 23, 0 },
	{ 'g', SP_TCP_SYN_RECV, SP_TCP_ESTABLISHED, TX_DG_RECV_ACK, 8, 12, 8, 1 },
	{ 'h', SP_TCP_ESTABLISHED, SP_TCP_FIN_WAIT1, TX_DG_CLOSE_FIN, 11, 8, 18, 1 },
	{ 'i', SP_TCP_ESTABLISHED, SP_TCP_CLOSE_WAIT, TX_DG_RECV_FIN, 12, 57, 19, 0 },
	{ 'j', SP_TCP_FIN_WAIT1, SP_TCP_FIN_WAIT2, TX_DG_RECV_ACK, 15, 6, 8, 0 },
	{ 'k', SP_TCP_FIN_WAIT1, SP_TCP_CLOSING, TX_DG_RECV_FIN, 14, 12, 19, 1 },
	{ 'l', SP_TCP_CLOSE_WAIT, SP_TCP_LAST_ACK, TX_DG_CLOSE_FIN, 15, 57, 18, 0 },
	{ 'm', SP_TCP_FIN_WAIT2, SP_TCP_TIME_WAIT, TX_DG_RECV_FIN, 17, 10, 19, 1 },
	{ 'n', SP_TCP_CLOSING, SP_TCP_TIME_WAIT, TX_DG_RECV_ACK, 17, 35, 8, 0 },
	{ 'o', SP_TCP_TIME_WAIT, SP_TCP_CLOSE, TX_DG_TIMEOUT, 20, 10, 12, 1 },
	{ 'p', SP_TCP_LAST_ACK, SP_TCP_CLOSE, TX_DG_RECV_ACK, 18, 62, 8, 1 },
	{ 'q', SP_TCP_FIN_WAIT1, SP_TCP_TIME_WAIT, TX_DG_RECV_FINACK, 19, 4, 24, 1 },
	{ 'r', 0, SP_TCP_CLOSE, TX_DG_RST, 20, 33, 47, 0 },
};

#define DG_NSTATES (sizeof dg_states / sizeof dg_states[0])
#define DG_NEDGES (sizeof dg_edges / sizeof dg_edges[0])

/* The state as the diagram shows it: NEW_SYN_RECV is SYN_RECV, "none" is CLOSED. */
static int dg_state(int st)
{
	if (st == SP_TCP_NEW_SYN_RECV)
		return SP_TCP_SYN_RECV;
	if (st < SP_TCP_ESTABLISHED || st > SP_TCP_CLOSING)
		return SP_TCP_CLOSE;
	return st;
}

/* The edges (bits 0.. for 'a'..) of the shortest way FROM -> TO, up to 3 steps, never through CLOSED. */
static unsigned dg_path(int from, int to)
{
	from = dg_state(from);
	to = dg_state(to);
	if (from == to)
		return 0;
	int queue[16], prev_edge[SP_TCP_CLOSING + 1], head = 0, tail = 0, depth[SP_TCP_CLOSING + 1];
	for (int i = 0; i <= SP_TCP_CLOSING; i++)
		prev_edge[i] = -2, depth[i] = 0;
	prev_edge[from] = -1;
	queue[tail++] = from;
	while (head < tail) {
		int s = queue[head++];
		if (s == to)
			break;
		if ((s == SP_TCP_CLOSE && s != from) || depth[s] >= 3)
			continue;
		for (size_t e = 0; e < DG_NEDGES; e++)
			if (dg_edges[e].from == s && prev_edge[dg_edges[e].to] == -2 && tail < 16) {
				prev_edge[dg_edges[e].to] = (int)e;
				depth[dg_edges[e].to] = depth[s] + 1;
				queue[tail++] = dg_edges[e].to;
			}
	}
	if (prev_edge[to] < 0)
		return 0;
	unsigned bits = 0;
	for (int s = to; prev_edge[s] >= 0; s = dg_edges[prev_edge[s]].from)
		bits |= 1u << prev_edge[s];
	return bits;
}

static unsigned popcount16(unsigned v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

static const char *dg_glyph(const struct dc *d, char c)
{
	switch (c) {
	case '-': return d->g->h;
	case '|': return d->g->v;
	case 'r': return d->g->tl;
	case 'q': return d->g->tr;
	case 'L': return d->g->bl;
	case 'J': return d->g->br;
	case 'v': return d->g->head_d;
	case '^': return d->g->head_u;
	case '>': return d->g->head_r;
	default: return d->g->head_l;
	}
}

/* Who is in STATE: "server s, client c", cut to MAXW cells with "+N" for the rest. */
static void dg_marks(const struct dc *d, int state, int maxw, char *out, size_t size)
{
	char who[16][2 * SP_NAME_MAX + 8];
	int n = 0, total = 0;
	out[0] = 0;
	for (size_t i = 0; i < d->sn->nactors; i++) {
		const struct snap_actor *sa = &d->sn->actors[i];
		for (size_t k = 0; k < sa->nsocks; k++) {
			const struct snap_sock *so = &sa->socks[k];
			if (so->type != SOCK_STREAM || (so->family != AF_INET && so->family != AF_INET6))
				continue;
			if ((so->closed && !so->in_kernel) || dg_state(so->state) != state)
				continue;
			if (n < 16) {
				if (so->name[0])
					snprintf(who[n], sizeof who[n], "%s %s", sa->name, so->name);
				else
					snprintf(who[n], sizeof who[n], "%s fd %d", sa->name, so->fd);
				n++;
			}
			total++;
		}
	}
	size_t o = 0;
	int shown = 0;
	for (int i = 0; i < n; i++) {
		int w = tui_width(out) + (shown ? 2 : 0) + tui_width(who[i]);
		if (w + (total - shown - 1 > 0 ? 4 : 0) > maxw)
			break;
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", shown ? ", " : "", who[i]);
		shown++;
	}
	if (total > shown && o < size)
		snprintf(out + o, size - o, "%s+%d", shown ? " " : "", total - shown);
}

/* Whether a TCP state is synchronized (an RST there ends the connection: CLOSED). */
static int dg_synchronized(int st)
{
	st = dg_state(st);
	return st != SP_TCP_CLOSE && st != SP_TCP_LISTEN && st != SP_TCP_SYN_SENT;
}

/*
 * Where the grid goes on a screen of any size: the diagram grows with the
 * terminal (to twice its size), the state names' columns and rows staying one
 * cell each and the room between them stretching, so that arrows still point
 * into the names and the marks after them get more room. xs[x] and ys[y] are
 * the first cell of grid column x and row y; xs[DG_W] and ys[DG_H] the ends.
 */
struct dg_map {
	int ox, oy;
	int xs[DG_W + 1], ys[DG_H + 1];
};

static void dg_layout(const struct dc *d, struct dg_map *m)
{
	int w = d->W - 2 < 2 * DG_W ? d->W - 2 : 2 * DG_W, h = d->H - 4 < 2 * DG_H ? d->H - 4 : 2 * DG_H;
	if (w < DG_W)
		w = DG_W;
	if (h < DG_H)
		h = DG_H;
	int fixed_x[DG_W] = { 0 }, fixed_y[DG_H] = { 0 }, nx = DG_W, ny = DG_H;
	fixed_y[0] = 1; /* the top row's line turns down into CLOSED at once */
	for (size_t i = 0; i < DG_NSTATES; i++) {
		fixed_y[dg_states[i].y] = 1;
		int len = (int)strlen(consts_tcp_state_name(dg_states[i].state));
		for (int x = dg_states[i].x; x < dg_states[i].x + len && x < DG_W; x++)
			fixed_x[x] = 1;
	}
	for (int x = 0; x < DG_W; x++)
		nx -= fixed_x[x];
	for (int y = 0; y < DG_H; y++)
		ny -= fixed_y[y];
	int k = 0;
	for (int x = 0; x <= DG_W; x++) {
		m->xs[x] = x + (nx ? (w - DG_W) * k / nx : 0);
		if (x < DG_W && !fixed_x[x])
			k++;
	}
	k = 0;
	for (int y = 0; y <= DG_H; y++) {
		m->ys[y] = y + (ny ? (h - DG_H) * k / ny : 0);
		if (y < DG_H && !fixed_y[y])
			k++;
	}
	m->ox = (d->W - w) / 2;
	m->oy = (d->H - (h + 3)) / 2 + 1;
}

/* One cell of the grid's lines, stretched over the cells it covers on screen. */
static void dg_line_cell(const struct dc *d, const struct dg_map *m, int y, int x, char c, attr_t a)
{
	int X = m->ox + m->xs[x], X1 = m->ox + m->xs[x + 1], Y = m->oy + m->ys[y], Y1 = m->oy + m->ys[y + 1];
	switch (c) {
	case '-':
		rule(d, Y, X, X1 - X, d->g->h, a);
		return;
	case '|':
		for (int r = Y; r < Y1; r++)
			glyph(d, r, X, d->g->v, a);
		return;
	case 'r': case 'L': case 'q': case 'J': case '^':
		glyph(d, Y, X, dg_glyph(d, c), a);
		if (c == 'r' || c == 'L')
			rule(d, Y, X + 1, X1 - X - 1, d->g->h, a);
		if (c == 'r' || c == 'q' || c == '^')
			for (int r = Y + 1; r < Y1; r++)
				glyph(d, r, X, d->g->v, a);
		return;
	case 'v':
		for (int r = Y; r < Y1 - 1; r++)
			glyph(d, r, X, d->g->v, a);
		glyph(d, Y1 - 1, X, d->g->head_d, a);
		return;
	case '>':
		rule(d, Y, X, X1 - X - 1, d->g->h, a);
		glyph(d, Y, X1 - 1, d->g->head_r, a);
		return;
	default:
		glyph(d, Y, X, dg_glyph(d, c), a);
	}
}

static void draw_diagram(const struct dc *d)
{
	const struct tui_view *v = d->v;
	struct dg_map m;
	dg_layout(d, &m);
	int ox = m.ox, oy = m.oy, wd = m.xs[DG_W];
	unsigned lit_main = 0, lit_other = 0;
	for (int i = 0; i < v->ntrans; i++) {
		unsigned path = dg_path(v->trans[i].from, v->trans[i].to);
		if (v->trans[i].reset && dg_state(v->trans[i].to) == SP_TCP_CLOSE && dg_synchronized(v->trans[i].from))
			path = 1u << ('r' - 'a'); /* the RST edge, not a path through the closing states */
		else if (v->trans[i].reset && popcount16(path) > 1)
			path = 0;
		else if (popcount16(path) > 1 && (path >> ('o' - 'a')) & 1)
			path = 0; /* not through TIME_WAIT's 2MSL in one step: an orphan FIN_WAIT2 timing out goes to CLOSED at once */
		if (v->trans[i].main)
			lit_main |= path;
		else
			lit_other |= path;
	}
	attr_t a_main = pen(d, C_BLOCKED), a_other = pen(d, C_STATE_OPEN) | A_BOLD;
#define EDGE_ATTR(bit, plain) \
	((lit_main >> (bit)) & 1 ? a_main : (lit_other >> (bit)) & 1 ? a_other : (plain))
	/* title and keys */
	put(d, oy - 1, ox + 1, wd / 2, tui_text(TX_DG_TITLE), pen(d, C_HEADER));
	const char *keys = tui_text(TX_DG_KEYS);
	int kw = tui_width(keys);
	put(d, oy - 1, ox + wd - 1 - kw, kw, keys, pen(d, C_DIM));
	/* lines */
	for (int y = 0; y < DG_H; y++)
		for (int x = 0; dg_art[y][x] && dg_mask[y][x]; x++) {
			char c = dg_art[y][x], e = dg_mask[y][x];
			if (c == ' ' || e < 'a' || e > 'r')
				continue;
			dg_line_cell(d, &m, y, x, c, EDGE_ATTR(e - 'a', pen(d, C_BORDER)));
		}
	/* what triggers each transition */
	for (size_t i = 0; i < DG_NEDGES; i++) {
		const char *text = tui_text(dg_edges[i].label);
		int bit = dg_edges[i].id - 'a', y = oy + m.ys[dg_edges[i].y], x = ox + m.xs[dg_edges[i].x];
		int xe = dg_edges[i].x + dg_edges[i].w, w = ox + m.xs[xe < DG_W ? xe : DG_W] - x;
		attr_t a = EDGE_ATTR(bit, pen(d, C_NORMAL));
		if (dg_edges[i].in_line) { /* in the gap of a line: centred, the line closing up around it */
			int tw = tui_width(text);
			if (tw > w)
				tw = w;
			int x0 = ox + m.xs[dg_edges[i].x - 1], x1 = ox + m.xs[xe + 1];
			rule(d, y, x0, x1 - x0, d->g->h, EDGE_ATTR(bit, pen(d, C_BORDER)));
			int lx = x + (w - tw) / 2;
			put(d, y, lx - 1, 1, " ", a);
			int used = put(d, y, lx, tw, text, a);
			put(d, y, lx + used, 1, " ", a);
		} else
			put(d, y, x, w, text, a);
	}
	/* the states, each with who is there */
	for (size_t i = 0; i < DG_NSTATES; i++) {
		int st = dg_states[i].state, y = oy + m.ys[dg_states[i].y], x = ox + m.xs[dg_states[i].x];
		const char *name = consts_tcp_state_name(st);
		int nw = tui_width(name), me = dg_states[i].x + nw + 1 + dg_states[i].markw;
		int room = ox + m.xs[me < DG_W ? me : DG_W] - (x + nw + 1);
		char marks[512];
		dg_marks(d, st, room, marks, sizeof marks);
		nw = put(d, y, x, 12, name, marks[0] ? pen(d, C_PANE_FOCUS) : pen(d, C_HEADER));
		if (marks[0])
			put(d, y, x + nw + 1, room, marks, pen(d, C_SEL));
	}
#undef EDGE_ATTR
	/* the last step's transitions, spelled out */
	int y = oy + m.ys[DG_H], x = ox + 1, end = ox + wd - 1;
	x += put(d, y, x, end - x, tui_text(TX_DG_LAST), pen(d, C_DIM)) + 1;
	if (v->ntrans == 0)
		put(d, y, x, end - x, tui_text(TX_DG_NONE), pen(d, C_DIM));
	for (int i = 0; i < v->ntrans && y < oy + m.ys[DG_H] + 2; i++) {
		const struct tui_trans *t = &v->trans[i];
		char line[200];
		snprintf(line, sizeof line, "%s: %s %s %s%s%s", t->who, consts_tcp_state_name(dg_state(t->from)),
			 d->g->to, consts_tcp_state_name(dg_state(t->to)), t->reset ? " " : "",
			 t->reset ? tui_text(TX_DG_RESET) : "");
		int lw = tui_width(line);
		if (x + lw > end && x > ox + 12) {
			y++;
			x = ox + 12;
		}
		if (y >= oy + m.ys[DG_H] + 2)
			break;
		x += put(d, y, x, end - x, line, t->main ? a_main : a_other) + 3;
	}
}

/* ---- whole screens ----------------------------------------------------------- */

static void draw_too_small(const struct dc *d)
{
	char line[128];
	snprintf(line, sizeof line, tui_text(TX_TOO_SMALL), TUI_MIN_COLS, TUI_MIN_LINES, d->W, d->H);
	/* however small: both messages whole, wrapped and centred, as far as rows go */
	struct span a[WRAP_MAX], b[WRAP_MAX];
	int na = wrap(line, d->W, a, WRAP_MAX), nb = wrap(tui_text(TX_TOO_SMALL2), d->W, b, WRAP_MAX);
	int y = (d->H - na - nb) / 2;
	if (y < 0)
		y = 0;
	for (int k = 0; k < na + nb && y < d->H; k++, y++) {
		const struct span *sp = k < na ? &a[k] : &b[k - na];
		int cw = span_width(sp->p, sp->n);
		put_n(d, y, cw < d->W ? (d->W - cw) / 2 : 0, d->W, sp->p, sp->n, pen(d, k < na ? C_ERR : C_NORMAL));
	}
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
	if (v->diagram) {
		draw_diagram(&d);
		return;
	}
	if (v->explain_full) { /* the explain area, as tall as the screen: nothing left out */
		draw_explain_full(&d, hits);
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
	draw_wire(&d, &L, hits);
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
