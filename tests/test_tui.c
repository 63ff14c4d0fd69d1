/* test_tui.c -- golden frames: the TUI drawn from hand-made snapshots onto a screen with no tty, compared whole with tests/golden/tui/. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <wchar.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"
#include "sockplay/wire.h"

/* ---- a screen without a terminal ------------------------------------------------ */

static SCREEN *scr;
static FILE *devnull_out, *devnull_in;

static int screen_up(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	devnull_out = fopen("/dev/null", "w");
	devnull_in = fopen("/dev/null", "r");
	assert_non_null(devnull_out);
	assert_non_null(devnull_in);
	scr = newterm("dumb", devnull_out, devnull_in); /* no colours: the monochrome attributes */
	assert_non_null(scr);
	set_term(scr);
	return 0;
}

static int screen_down(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(devnull_out);
	fclose(devnull_in);
	return 0;
}

/* Row Y of the screen as UTF-8, trailing blanks removed. */
static const char *row(int y)
{
	static char out[4][1024];
	static int k;
	wchar_t w[512];
	char *o = out[k++ % 4];
	int n = mvinnwstr(y, 0, w, COLS < 511 ? COLS : 511);
	if (n < 0)
		n = 0;
	w[n] = 0;
	size_t len = wcstombs(o, w, 1023);
	if (len == (size_t)-1)
		len = 0;
	o[len] = 0;
	while (len > 0 && o[len - 1] == ' ')
		o[--len] = 0;
	return o;
}

/* The first row containing every one of the NULL-terminated strings, or -1. */
static int find_row(const char *first, ...)
{
	for (int y = 0; y < LINES; y++) {
		const char *r = row(y);
		va_list ap;
		va_start(ap, first);
		int all = 1;
		for (const char *s = first; s; s = va_arg(ap, const char *))
			if (!strstr(r, s))
				all = 0;
		va_end(ap);
		if (all)
			return y;
	}
	return -1;
}

static void dump_screen(void)
{
	for (int y = 0; y < LINES; y++)
		print_message("%2d|%s\n", y, row(y));
}

/* ---- golden frames ------------------------------------------------------------------ */

/* The screen as text: each row, trailing blanks removed, then a newline. */
static char *frame_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	for (int y = 0; y < LINES; y++)
		fprintf(fp, "%s\n", row(y));
	fclose(fp);
	return buf;
}

/* Line N (from 0) of TEXT, without its newline, into OUT; "" past the end. */
static const char *frame_line(const char *text, int n, char *out, size_t size)
{
	for (; n > 0 && text && *text; n--) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	snprintf(out, size, "%.*s", text ? (int)strcspn(text, "\n") : 0, text ? text : "");
	return out;
}

/*
 * The whole screen must be tests/golden/tui/NAME.txt (row for row, trailing
 * blanks dropped). A screen that differs is printed with the rows that
 * differ marked, - the golden row and + the drawn one; with
 * SOCKPLAY_UPDATE_GOLDEN=1 the file is written from the screen instead.
 */
static void assert_frame(const char *name)
{
	char path[256], *want = NULL, *got = frame_text();
	const char *update = getenv("SOCKPLAY_UPDATE_GOLDEN");
	size_t wlen = 0;
	snprintf(path, sizeof path, "tests/golden/tui/%s.txt", name);
	if (update && strcmp(update, "1") == 0) {
		FILE *fp = fopen(path, "w");
		if (!fp || fputs(got, fp) < 0 || fclose(fp) != 0)
			fail_msg("%s: cannot write it: %s", path, strerror(errno));
		print_message("wrote %s (%dx%d)\n", path, COLS, LINES);
		free(got);
		return;
	}
	FILE *fp = fopen(path, "r"), *mem = open_memstream(&want, &wlen);
	assert_non_null(mem);
	for (int c; fp && (c = fgetc(fp)) != EOF;)
		fputc(c, mem);
	fclose(mem);
	if (!fp)
		fail_msg("%s: no golden frame (%s): SOCKPLAY_UPDATE_GOLDEN=1 writes it", path, strerror(errno));
	fclose(fp);
	if (strcmp(want, got) != 0) {
		print_message("%s: the %dx%d screen differs (- golden, + drawn):\n", path, COLS, LINES);
		int rows = 0;
		for (const char *p = want; *p; p++)
			rows += *p == '\n';
		for (int y = 0; y < (rows > LINES ? rows : LINES); y++) {
			char w[2048], g[2048];
			frame_line(want, y, w, sizeof w);
			frame_line(got, y, g, sizeof g);
			if (strcmp(w, g) == 0) {
				print_message("  %2d|%s\n", y, g);
			} else {
				print_message("- %2d|%s\n", y, w);
				print_message("+ %2d|%s\n", y, g);
			}
		}
		free(want);
		free(got);
		fail_msg("%s: the screen differs from its golden frame; if the change is meant, "
			 "SOCKPLAY_UPDATE_GOLDEN=1 build/tests/test_tui rewrites it", path);
	}
	free(want);
	free(got);
}

/* Column (in cells) where S starts on row Y, or -1. */
static int find_col(int y, const char *s)
{
	const char *r = row(y), *p = strstr(r, s);
	if (!p)
		return -1;
	char head[1024];
	snprintf(head, sizeof head, "%.*s", (int)(p - r), r);
	return tui_width(head);
}

/* ---- hand-made snapshots ---------------------------------------------------------- */

static struct snap_sock server_socks[3], client_socks[2];
static struct snap_line server_log[8], client_log[8];
static struct snap_actor actors[2];
static struct snapshot snap;
static struct tui_view view;

/* "127.0.0.1:8888" as the snapshot's sockaddr (its length), 0 for "-". */
static socklen_t sock_addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	char host[32];
	unsigned port;
	memset(ss, 0, sizeof *ss);
	if (sscanf(text, "%31[0-9.]:%u", host, &port) != 2 || inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return 0;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	return sizeof *in;
}

static void sock(struct snap_sock *k, const char *name, int fd, int state, const char *local,
		 const char *peer, unsigned rq, unsigned wq)
{
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->fd = fd;
	k->family = AF_INET;
	k->type = SOCK_STREAM;
	k->in_kernel = 1;
	k->state = state;
	snprintf(k->local, sizeof k->local, "%s", local);
	snprintf(k->peer, sizeof k->peer, "%s", peer);
	k->local_len = sock_addr(local, &k->local_sa);
	k->peer_len = sock_addr(peer, &k->peer_sa);
	k->has_peer = k->peer_len && ((struct sockaddr_in *)&k->peer_sa)->sin_port != 0;
	k->rq = rq;
	k->wq = wq;
}

static void logline(struct snap_actor *a, struct snap_line *v, enum snap_line_kind kind, const char *text)
{
	a->log = v;
	v[a->nlog].kind = kind;
	snprintf(v[a->nlog].text, sizeof v[a->nlog].text, "%s", text);
	a->nlog++;
}

/* The tutorial half way: the server listens and accepted one connection. */
static void make_snapshot(void)
{
	memset(&snap, 0, sizeof snap);
	memset(actors, 0, sizeof actors);
	snprintf(actors[0].name, sizeof actors[0].name, "server");
	actors[0].pid = 4121;
	sock(&server_socks[0], "s", 3, SP_TCP_LISTEN, "127.0.0.1:8888", "-", 0, 5);
	sock(&server_socks[1], "conn", 4, SP_TCP_ESTABLISHED, "127.0.0.1:8888", "127.0.0.1:49152", 0, 0);
	actors[0].socks = server_socks;
	actors[0].nsocks = 2;
	logline(&actors[0], server_log, SNAP_LINE_OK, "socket(AF_INET, SOCK_STREAM, 0) = 3");
	logline(&actors[0], server_log, SNAP_LINE_OK, "bind(3, 127.0.0.1:8888) = 0");
	logline(&actors[0], server_log, SNAP_LINE_OK, "listen(3, 5) = 0");
	logline(&actors[0], server_log, SNAP_LINE_OK, "accept(3) = 4 (peer 127.0.0.1:49152)");
	snprintf(actors[1].name, sizeof actors[1].name, "client");
	actors[1].pid = 4122;
	sock(&client_socks[0], "c", 3, SP_TCP_ESTABLISHED, "127.0.0.1:49152", "127.0.0.1:8888", 0, 0);
	actors[1].socks = client_socks;
	actors[1].nsocks = 1;
	logline(&actors[1], client_log, SNAP_LINE_OK, "socket(AF_INET, SOCK_STREAM, 0) = 3");
	logline(&actors[1], client_log, SNAP_LINE_ERR,
		"connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)");
	logline(&actors[1], client_log, SNAP_LINE_OK, "connect(3, 127.0.0.1:8888) = 0");
	logline(&actors[1], client_log, SNAP_LINE_OK, "recv(3, 1024) = 14 \"Hello, client!\"");
	snap.actors = actors;
	snap.nactors = 2;
	snap.net_label = "sandbox netns";

	memset(&view, 0, sizeof view);
	view.last.call = SP_CALL_RECV;
	view.last.ret = 14;
	snprintf(view.last.actor, sizeof view.last.actor, "client");
	snprintf(view.last.text, sizeof view.last.text, "recv(3, 1024) = 14 \"Hello, client!\"");
	view.net_label = "sandbox netns";
	view.lang = "en";
	view.panes[0] = "server";
	view.panes[1] = "client";
	view.npanes = 2;
	view.utf8 = 1;
}

static void draw(int lines, int cols, struct tui_hits *hits)
{
	resize_term(lines, cols);
	tui_draw(stdscr, &snap, &view, hits);
}

/* ---- frames ------------------------------------------------------------------------ */

static void listener_row_shows_accept_queue(void **state)
{
	(void)state;
	make_snapshot();
	draw(30, 100, NULL);
	assert_frame("tutorial-100x30");
}

static void wide_panes_have_one_row_per_socket(void **state)
{
	(void)state;
	make_snapshot();
	draw(40, 160, NULL);
	assert_frame("tutorial-160x40");
}

static void blocked_call_shows_its_time(void **state)
{
	(void)state;
	make_snapshot();
	actors[0].blocked = 1;
	snprintf(actors[0].blocked_call, sizeof actors[0].blocked_call, "accept(3)");
	actors[0].blocked_ns = 2300000000LL;
	logline(&actors[0], server_log, SNAP_LINE_BLOCKED, "accept(3) <blocked>");
	draw(30, 100, NULL);
	/* the live line "accept(3) blocked 2.3 s" replaces the log's <blocked> line */
	assert_frame("blocked-100x30");
}

static void failed_call_is_an_error_line(void **state)
{
	(void)state;
	make_snapshot();
	draw(24, 80, NULL);
	assert_frame("tutorial-80x24");
	int y = find_row("ECONNREFUSED", NULL);
	assert_true(y > 0);
	int x = find_col(y, "connect(3, 127.0.0.1:9)");
	if (x < 0) { /* wrapped: the call is on the row above */
		y--;
		x = find_col(y, "connect(3, 127.0.0.1:9)");
	}
	assert_true(mvinch(y, x) & A_BOLD); /* the error look without colours */
}

static void closed_socket_is_dimmed(void **state)
{
	(void)state;
	make_snapshot();
	sock(&client_socks[1], "c2", 4, SP_TCP_TIME_WAIT, "127.0.0.1:49153", "127.0.0.1:8888", 0, 0);
	client_socks[1].closed = 1;
	actors[1].nsocks = 2;
	draw(30, 100, NULL);
	int y = find_row("c2", "TIME_WAIT", NULL);
	assert_true(y > 0);
	assert_true(mvinch(y, find_col(y, "TIME_WAIT")) & A_DIM);
}

static void too_small_screen(void **state)
{
	(void)state;
	make_snapshot();
	draw(15, 60, NULL);
	assert_frame("too-small-60x15");
	draw(24, 79, NULL);
	assert_true(find_row("have 79x24", NULL) > 0);
	draw(24, 80, NULL);
	assert_int_equal(find_row("too small", NULL), -1);
}

static void help_screen_is_the_keymap(void **state)
{
	(void)state;
	make_snapshot();
	view.help = 1;
	draw(60, 100, NULL);
	size_t n;
	const struct tui_key *km = tui_keymap(&n);
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		char first[40];
		snprintf(first, sizeof first, "%.30s", tui_action_help(km[i].act));
		int y = find_row(km[i].label, first, NULL);
		if (y < 0)
			print_message("missing: %s %s\n", km[i].label, first);
		assert_true(y > 0);
	}
	assert_true(find_row("sockplay keys", NULL) == 0);
	/* at 80x24 it does not fit: it says how to scroll */
	struct tui_hits hits;
	draw(24, 80, &hits);
	assert_true(hits.help_rows > hits.help_page);
	assert_frame("help-80x24");
	view.help_top = hits.help_rows - hits.help_page;
	draw(24, 80, &hits);
	assert_true(find_row("Mouse:", NULL) > 0);
}

static void key_bar_comes_from_the_keymap(void **state)
{
	(void)state;
	/* the bar itself: the last row of tutorial-100x30 */
	assert_int_equal(tui_key_action('s'), TUI_A_SOCKET);
	assert_int_equal(tui_key_action('\t'), TUI_A_NEXT_PANE);
	assert_int_equal(tui_key_action(KEY_F(1)), TUI_A_HELP);
	assert_int_equal(tui_key_action(KEY_F(10)), TUI_A_QUIT);
	assert_int_equal(tui_key_action(3), TUI_A_INTERRUPT);
	assert_int_equal(tui_key_action(' '), TUI_A_STEP);
	assert_int_equal(tui_key_action('Z'), TUI_A_NONE);
}

/* At 80 columns the key bar drops words before keys: x close and d states stay, every key stays. */
static void key_bar_at_80_keeps_every_key(void **state)
{
	(void)state;
	make_snapshot();
	draw(24, 80, NULL);
	const char *bar = row(23);
	if (!strstr(bar, "x close") || !strstr(bar, "d states"))
		print_message("bar: %s\n", bar);
	assert_true(tui_width(bar) <= 80);
	assert_non_null(strstr(bar, "x close"));
	assert_non_null(strstr(bar, "d states"));
	assert_non_null(strstr(bar, "s socket"));
	assert_non_null(strstr(bar, "c connect"));
	assert_non_null(strstr(bar, "a accept"));
	assert_non_null(strstr(bar, "w send"));
	assert_non_null(strstr(bar, "r recv"));
	size_t n;
	const struct tui_key *km = tui_keymap(&n);
	for (size_t i = 0; i < n; i++) { /* every key of the bar, with or without its word */
		if (!km[i].bar_rank)
			continue;
		char key[20];
		snprintf(key, sizeof key, " %.*s", (int)strcspn(km[i].label, " "), km[i].label);
		char padded[1100];
		snprintf(padded, sizeof padded, " %s ", bar);
		key[strlen(key) + 1] = 0;
		key[strlen(key)] = ' ';
		if (!strstr(padded, key))
			fail_msg("key '%s' missing from the bar: %s", key, bar);
	}
	/* where there is room, every word */
	draw(30, 100, NULL);
	assert_non_null(strstr(row(29), "Tab side"));
	assert_non_null(strstr(row(29), "q quit"));
}

static void readme_key_table(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	tui_print_keys(fp);
	fclose(fp);
	assert_non_null(strstr(buf, "| Key | What it does |\n| --- | --- |\n"));
	assert_non_null(strstr(buf, "| `s` | create a socket"));
	assert_non_null(strstr(buf, "| `n` `Space` | run the next step"));
	assert_non_null(strstr(buf, "| `q` `F10` | quit"));
	assert_non_null(strstr(buf, "| `Esc` |"));
	free(buf);
}

static struct sp_stmt strip_stmts[4];
static struct sp_script strip_script;

static void script_strip_marks_the_next_step(void **state)
{
	(void)state;
	static const char *src[] = { "server: s = socket(AF_INET, SOCK_STREAM)", "server: bind(s, 127.0.0.1:8888)",
				     "server: listen(s, 5)", "client: c = socket(AF_INET, SOCK_STREAM)" };
	for (int i = 0; i < 4; i++) {
		memset(&strip_stmts[i], 0, sizeof strip_stmts[i]);
		strip_stmts[i].kind = SP_ST_CALL;
		strip_stmts[i].line = 3 + i;
		strip_stmts[i].source = (char *)src[i];
	}
	strip_script.stmts = strip_stmts;
	strip_script.n = strip_script.nsteps = 4;
	make_snapshot();
	view.script = &strip_script;
	view.file = "demos/hello.sp";
	view.step = 2;
	view.nsteps = 4;
	view.next_line = 5;
	draw(24, 80, NULL);
	/* numbered by step, as the title counts them (step 2/4: the next is step 3), not by line */
	assert_frame("script-80x24");
	view.next_line = 0; /* at the end */
	draw(24, 80, NULL);
	assert_frame("script-end-80x24");
}

/* On a very wide terminal a text longer than a row's buffer is cut with the mark too, never silently. */
static void very_wide_rows_are_not_cut_silently(void **state)
{
	(void)state;
	static char longsrc[700];
	memset(longsrc, 'x', 600);
	memcpy(longsrc + 596, "TAIL", 5);
	static struct sp_stmt st;
	static struct sp_script sc;
	memset(&st, 0, sizeof st);
	st.kind = SP_ST_SAY;
	st.line = 3;
	st.source = longsrc;
	sc.stmts = &st;
	sc.n = sc.nsteps = 1;
	make_snapshot();
	view.script = &sc;
	view.next_line = 3;
	resize_term(40, 700);
	tui_draw(stdscr, &snap, &view, NULL);
	int found = 0;
	for (int y = 0; y < LINES && !found; y++) {
		wchar_t w[800];
		int n = mvinnwstr(y, 0, w, 700);
		if (n <= 0)
			continue;
		w[n] = 0;
		if (!wcsstr(w, L"xxxxxxxxxxxxxxxxxxxx"))
			continue;
		found = 1;
		/* the whole source, or a part of it ending with the ellipsis */
		assert_true(wcsstr(w, L"TAIL") != NULL || wcsstr(w, L"x\u2026") != NULL);
	}
	assert_true(found);
	view.script = NULL;
}

static void layout_fits_80x24(void **state)
{
	(void)state;
	make_snapshot();
	view.message = "server: accept() waits until a client connects";
	snprintf(view.say, sizeof view.say, "The client connects: watch the three-way handshake.");
	draw(24, 80, NULL);
	assert_frame("explain-80x24");
}

static void ascii_without_utf8(void **state)
{
	(void)state;
	make_snapshot();
	view.utf8 = 0;
	draw(24, 80, NULL);
	/* 80x24 has no room for address rows: the selected socket's are on the rule under the table */
	assert_frame("ascii-80x24");
	for (int y = 0; y < LINES; y++)
		for (const unsigned char *p = (const unsigned char *)row(y); *p; p++)
			assert_true(*p < 0x80);
}

static void prompt_shows_parse_error_with_caret(void **state)
{
	(void)state;
	struct tui_line line;
	memset(&line, 0, sizeof line);
	tui_line_set(&line, "server: lisen(s, 5)");
	make_snapshot();
	view.prompt = 1;
	view.line = &line;
	view.prompt_error = "unknown call 'lisen'; did you mean 'listen'?";
	view.prompt_error_col = 8;
	struct tui_hits hits;
	draw(24, 80, &hits);
	assert_frame("prompt-error-80x24");
	assert_int_equal(hits.prompt_y, 22);
	assert_int_equal(hits.prompt_x, 2 + 19);
	view.prompt_error = NULL;
	draw(24, 80, NULL);
	assert_frame("prompt-80x24");
}

static void confirm_quit_question(void **state)
{
	(void)state;
	make_snapshot();
	view.confirm = "server is blocked in accept(3). Quit anyway? (y/n)";
	draw(24, 80, NULL);
	assert_frame("confirm-quit-80x24");
}

static void clicks_hit_panes_and_sockets(void **state)
{
	(void)state;
	make_snapshot();
	struct tui_hits hits;
	draw(30, 100, &hits);
	int sock, y = find_row("conn", "ESTABLISHED", NULL);
	assert_int_equal(tui_hit(&hits, y, 10, &sock), 0);
	assert_int_equal(sock, 1);
	assert_int_equal(tui_hit(&hits, y + 1, 10, &sock), 0); /* its address row */
	assert_int_equal(sock, 1);
	assert_int_equal(tui_hit(&hits, 10, 70, &sock), 1);
	assert_int_equal(sock, -1);
	assert_int_equal(tui_hit(&hits, 29, 70, &sock), -1);
}

static void third_actor_gets_a_column_when_wide(void **state)
{
	(void)state;
	make_snapshot();
	view.panes[2] = "client2";
	view.npanes = 3;
	draw(30, 100, NULL);
	assert_frame("three-sides-100x30"); /* "+1 more: Tab" */
	view.focus = 2;
	draw(30, 100, NULL);
	assert_frame("three-sides-focus-100x30");
	draw(30, 130, NULL);
	assert_frame("three-sides-130x30");
}

static void cjk_text_is_measured_in_cells(void **state)
{
	(void)state;
	assert_int_equal(tui_width("abc"), 3);
	assert_int_equal(tui_width("\u4f60\u597d"), 4);
	make_snapshot();
	snprintf(view.say, sizeof view.say, "\u5ba2\u6237\u7aef\u8fde\u63a5\u670d\u52a1\u5668");
	draw(24, 80, NULL);
	assert_frame("cjk-say-80x24");
}

/* A row (between borders) that starts with closing punctuation or a part that ends with an opening one; -1 if none. */
static int bad_cjk_break(void)
{
	static const wchar_t no_start[] = L"\uff09\uff0c\u3002\uff1a\u3001\uff1b\uff01\uff1f\u300d\u300f\u300b";
	static const wchar_t no_end[] = L"\uff08\u300c\u300e\u300a";
	for (int y = 0; y < LINES; y++) {
		wchar_t w[512];
		int n = mvinnwstr(y, 0, w, COLS < 511 ? COLS : 511);
		if (n < 0)
			continue;
		w[n] = 0;
		/* each part between vertical borders, blanks around it dropped */
		for (wchar_t *part = w, *next; part; part = next) {
			next = wcschr(part, L'\u2502');
			if (next)
				*next++ = 0;
			while (*part == L' ')
				part++;
			size_t len = wcslen(part);
			while (len > 0 && part[len - 1] == L' ')
				part[--len] = 0;
			if (len && (wcschr(no_start, part[0]) || wcschr(no_end, part[len - 1])))
				return y;
		}
	}
	return -1;
}

/* Rows 0 .. LINES-2 are closed by the right border at the last column. */
static void borders_aligned(void)
{
	for (int y = 0; y < LINES - 1; y++) {
		const char *r = row(y);
		size_t len = strlen(r);
		const char *end = len >= 3 ? r + len - 3 : r;
		if (tui_width(r) != COLS || (strcmp(end, "\u2502") && strcmp(end, "\u2524") &&
					     strcmp(end, "\u2510") && strcmp(end, "\u2518"))) {
			dump_screen();
			fail_msg("row %d is %d cells, not closed by the border at %d", y, tui_width(r), COLS);
		}
	}
}

/* Chinese rows break at allowed places: never before "\u3002" or "\uff09", never after "\uff08"; no Latin word split. */
static void cjk_rows_break_at_allowed_places(void **state)
{
	(void)state;
	make_snapshot();
	char say[512] = "";
	for (int i = 0; i < 38; i++) /* 76 cells: one explain row at 80 columns */
		strcat(say, "\u5b57");
	strcat(say, "\u3002"); /* a stop right after the row's last character */
	for (int i = 0; i < 37; i++)
		strcat(say, "\u5b57");
	strcat(say, "\uff08accept\uff09"); /* an opening bracket at a row's end */
	strcat(say, "\u8fd4\u56de ESTABLISHED");
	snprintf(view.say, sizeof view.say, "%s", say);
	draw(30, 80, NULL);
	int y = bad_cjk_break();
	if (y >= 0) {
		dump_screen();
		fail_msg("row %d breaks at a forbidden place", y);
	}
	borders_aligned();
	assert_frame("cjk-breaks-80x30");
}

/* A long title gives way to the step counter, cut with the mark, at 80 columns. */
static void title_keeps_the_step_counter(void **state)
{
	(void)state;
	make_snapshot();
	view.file = "assets/demos/half-close.sp";
	view.title = "Half-close with shutdown(): the server answers after the client's FIN";
	view.step = 12;
	view.nsteps = 33;
	draw(24, 80, NULL);
	assert_frame("long-title-80x24");
}

/* A number and its unit stay on one row ("1.0 s", "12 ms"), in Chinese as in English. */
static void numbers_keep_their_units(void **state)
{
	(void)state;
	make_snapshot();
	char say[512] = "";
	for (int i = 0; i < 36; i++) /* 72 cells, then " 1.0" ends at 76: the explain row's width at 80 */
		strcat(say, "\u5b57");
	strcat(say, " 1.0 s \u5df2\u963b\u585e 12 ms");
	snprintf(view.say, sizeof view.say, "%s", say);
	draw(30, 80, NULL);
	assert_frame("cjk-units-80x30"); /* "1.0 s" and "12 ms" each on one row */
	borders_aligned();
}

/* The Chinese catalogue's own texts, at 80x24, 100x30 and 200x50: allowed breaks, borders aligned. */
static void chinese_frames_break_well_and_align(void **state)
{
	(void)state;
	char msg[256];
	if (i18n_init("zh", msg, sizeof msg) < 0 || strcmp(i18n_lang(), "zh") != 0) {
		i18n_init("en", msg, sizeof msg);
		skip(); /* no catalogue built */
	}
	static const int sizes[][2] = { { 24, 80 }, { 30, 100 }, { 50, 200 } };
	static const enum sp_call calls[] = { SP_CALL_SEND, SP_CALL_RECV, SP_CALL_CONNECT, SP_CALL_CLOSE };
	for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++)
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			make_snapshot();
			view.lang = "zh";
			view.last.call = calls[c];
			view.last.err = calls[c] == SP_CALL_CONNECT ? ECONNREFUSED : 0;
			view.last.ret = calls[c] == SP_CALL_CONNECT ? -1 : 0;
			explain_result(calls[c], SOCK_STREAM, view.last.ret, view.last.err, &view.last.ex);
			view.last.has_ex = 1;
			snprintf(view.say, sizeof view.say, "%s", tui_text(TX_WELCOME));
			view.explain_full = 0;
			draw(sizes[k][0], sizes[k][1], NULL);
			int y = bad_cjk_break();
			if (y >= 0) {
				dump_screen();
				i18n_init("en", msg, sizeof msg);
				fail_msg("%dx%d: row %d breaks at a forbidden place", sizes[k][1], sizes[k][0], y);
			}
			borders_aligned();
			view.explain_full = 1;
			draw(sizes[k][0], sizes[k][1], NULL);
			y = bad_cjk_break();
			if (y >= 0) {
				dump_screen();
				i18n_init("en", msg, sizeof msg);
				fail_msg("e at %dx%d: row %d breaks at a forbidden place", sizes[k][1], sizes[k][0], y);
			}
		}
	i18n_init("en", msg, sizeof msg);
}

/* A say belongs to its step: news at its step, dimmed after later steps, gone once a later call ran. */
static void say_belongs_to_its_step(void **state)
{
	(void)state;
	make_snapshot();
	snprintf(view.say, sizeof view.say, "SO_LINGER on, with 0 seconds: close() will reset.");
	view.call_at = 13;
	view.say_at = 14;
	view.now_at = 14; /* the say is the newest step */
	draw(30, 100, NULL);
	int y = find_row("SO_LINGER on", NULL);
	assert_true(y > 0);
	attr_t a = mvinch(y, find_col(y, "SO_LINGER on")) & A_ATTRIBUTES;
	assert_true(a & A_BOLD);
	assert_false(a & A_DIM);
	assert_true(y < find_row("client: recv(3, 1024)", NULL));
	view.now_at = 15; /* an expect ran after it: the say still holds, dimmed */
	draw(30, 100, NULL);
	y = find_row("SO_LINGER on", NULL);
	assert_true(y > 0);
	a = mvinch(y, find_col(y, "SO_LINGER on")) & A_ATTRIBUTES;
	assert_true(a & A_DIM);
	view.call_at = view.now_at = 16; /* a call ran after it: the say no longer describes the step */
	draw(30, 100, NULL);
	if (find_row("SO_LINGER on", NULL) >= 0)
		dump_screen();
	assert_int_equal(find_row("SO_LINGER on", NULL), -1);
	assert_true(find_row("client: recv(3, 1024)", NULL) > 0);
}

/* Received data is never cut silently in the panes: a log line the session had to cut ends with a mark. */
static void pane_marks_cut_data(void **state)
{
	(void)state;
	make_snapshot();
	/* what the session keeps of a recv of 64 binary bytes: SNAP_LINE_MAX - 1 bytes, cut mid-escape */
	char line[SNAP_LINE_MAX * 2] = "recv(3, 1024) = 64 \"";
	for (int i = 0; strlen(line) < sizeof line - 8; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), "\\x%02x", 0x80 + i % 64);
	client_log[3].kind = SNAP_LINE_OK;
	snprintf(client_log[3].text, sizeof client_log[3].text, "%s", line);
	assert_int_equal(strlen(client_log[3].text), SNAP_LINE_MAX - 1);
	/* 100x30: the whole line fits in the pane, wrapped; its last row ends with the mark */
	draw(30, 100, NULL);
	assert_frame("cut-data-100x30");
	/* 80x24: the line is taller than the room left for the log: its head shows, marked, not nothing */
	draw(24, 80, NULL);
	assert_frame("cut-data-80x24");
}

/* A hint with fewer rows than it needs says that it goes on. */
static void cut_hint_is_marked(void **state)
{
	(void)state;
	make_snapshot();
	client_socks[0].type = SOCK_DGRAM; /* the UDP hint: two rows in a narrow pane */
	client_socks[0].state = SP_TCP_CLOSE;
	view.focus = 1;
	for (int lines = 24; lines <= 30; lines++) {
		draw(lines, 80, NULL);
		int y = find_row("UDP: no listen", NULL);
		if (y < 0)
			continue; /* no room for it at all */
		if (find_row("one.", NULL) >= 0)
			continue; /* the whole hint */
		int marked = 0;
		for (int k = y; k < LINES && !strstr(row(k), "\u2534"); k++)
			marked |= strstr(row(k), "\u2026") != NULL;
		if (!marked)
			dump_screen();
		assert_true(marked);
	}
	view.focus = 0;
}

/* e shows the last call's received data, all of it, and scrolls when it is taller than the screen. */
static void e_shows_all_received_data(void **state)
{
	(void)state;
	make_snapshot();
	static unsigned char data[3000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)('a' + i % 26);
	memcpy(data + sizeof data - 7, "THE-END", 7);
	data[100] = 0x1b; /* still escaped */
	view.data = data;
	view.data_len = sizeof data;
	view.last.ret = sizeof data;
	snprintf(view.last.text, sizeof view.last.text, "recv(3, 4096) = 3000 \"abcdefgh\"...");
	view.explain_full = 1;
	struct tui_hits hits;
	draw(24, 80, &hits);
	assert_frame("e-data-80x24"); /* its first page, THE-END further down */
	assert_true(hits.explain_rows > hits.explain_page);
	view.explain_top = hits.explain_rows - hits.explain_page;
	draw(24, 80, &hits);
	assert_frame("e-data-end-80x24");
	/* every byte is there: the rows of data add up to 3000 characters plus the escape's three */
	view.explain_top = 0;
	size_t chars = 0;
	for (int top = 0; top < hits.explain_rows; top += hits.explain_page) {
		view.explain_top = top;
		draw(24, 80, &hits);
		for (int y = 1; y < 23 && top + y - 1 < hits.explain_rows; y++) {
			const char *r = row(y);
			for (const char *p = r; *p; p++)
				if ((*p >= 'a' && *p <= 'z') || *p == '\\')
					chars++;
		}
	}
	assert_true(chars >= 3000);
	assert_true(find_row("\\x1b", NULL) >= 0 || chars > 0);
	view.explain_top = 0;
	draw(24, 80, &hits);
	assert_true(find_row("\\x1b", NULL) > 0);
	/* a program's read returned more than was kept of it: e says so, not "All" */
	view.data_ret = 10000;
	draw(24, 80, &hits);
	assert_int_equal(find_row("All 3000 bytes received:", NULL), -1);
	assert_true(find_row("The first 3000 of the 10000 bytes received", NULL) > 0);
	view.data_ret = 0;
	view.data = NULL;
	view.data_len = 0;
	view.explain_full = 0;
}

/* With a colour terminal: errors in the error colour; --no-color gives the monochrome look. */
static void colours_and_no_color(void **state)
{
	(void)state;
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *cs = newterm("xterm-256color", out, in);
	if (!cs) {
		fclose(out);
		fclose(in);
		skip();
	}
	set_term(cs);
	assert_true(has_colors());
	start_color();
	tui_draw_init_colors();
	make_snapshot();
	view.color = 1;
	draw(24, 80, NULL);
	int y = find_row("ECONNREFUSED", NULL);
	assert_true(y > 0);
	int x = find_col(y, "ECONNREFUSED");
	chtype c = mvinch(y, x);
	assert_true(PAIR_NUMBER(c & A_COLOR) != 0);
	view.color = 0;
	draw(24, 80, NULL);
	c = mvinch(y, x);
	assert_int_equal(PAIR_NUMBER(c & A_COLOR), 0);
	assert_true(c & A_BOLD);
	endwin();
	delscreen(cs);
	fclose(out);
	fclose(in);
	/* delscreen() leaves the first screen without its stdscr: a fresh one for the tests after this */
	delscreen(scr);
	scr = newterm("dumb", devnull_out, devnull_in);
	assert_non_null(scr);
	set_term(scr);
}

static void line_editor_edits_and_remembers(void **state)
{
	(void)state;
	struct tui_line l;
	char buf[256];
	memset(&l, 0, sizeof l);
	tui_line_set(&l, "listen(s, 5)");
	tui_line_key(&l, KEY_LEFT, 0);
	tui_line_key(&l, KEY_BACKSPACE, 0);
	tui_line_key(&l, '9', 1);
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "listen(s, 9)");
	tui_line_key(&l, 1, 1); /* Ctrl-A */
	tui_line_key(&l, 's', 1);
	tui_line_key(&l, ':', 1);
	tui_line_key(&l, ' ', 1);
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "s: listen(s, 9)");
	tui_line_key(&l, 5, 1); /* Ctrl-E */
	tui_line_key(&l, 21, 1); /* Ctrl-U */
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "");
	tui_line_remember(&l, "server: listen(s, 5)");
	tui_line_remember(&l, "client: recv(c, 1024)");
	tui_line_key(&l, KEY_UP, 0);
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "client: recv(c, 1024)");
	tui_line_key(&l, KEY_UP, 0);
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "server: listen(s, 5)");
	tui_line_key(&l, KEY_DOWN, 0);
	tui_line_key(&l, KEY_DOWN, 0);
	tui_line_get(&l, buf, sizeof buf);
	assert_string_equal(buf, "");
	tui_line_set(&l, "say \"\u4f60\"");
	assert_int_equal((int)l.len, 7);
	tui_line_free(&l);
}

/* The README's key list is the keymap's own table, word for word. */
static void readme_lists_the_keymap(void **state)
{
	(void)state;
	char *keys = NULL, *readme = NULL;
	size_t klen = 0, rlen = 0;
	FILE *fp = open_memstream(&keys, &klen);
	tui_print_keys(fp);
	fclose(fp);
	FILE *rd = fopen("README.md", "r");
	assert_non_null(rd);
	fp = open_memstream(&readme, &rlen);
	int c;
	while ((c = fgetc(rd)) != EOF)
		fputc(c, fp);
	fclose(fp);
	fclose(rd);
	const char *start = strstr(readme, "<!-- keys -->\n");
	assert_non_null(start);
	start += strlen("<!-- keys -->\n");
	const char *end = strstr(start, "<!-- /keys -->");
	assert_non_null(end);
	if ((size_t)(end - start) != klen || memcmp(start, keys, klen) != 0)
		fail_msg("README.md's key list differs from the keymap; it should read:\n%s", keys);
	free(keys);
	free(readme);
}


/* ---- the wire pane ------------------------------------------------------------------ */

static struct wire_seg segs[12];
static struct tui_wire_row wrows[12];

static void endpoint(struct sockaddr_storage *ss, unsigned port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	memset(ss, 0, sizeof *ss);
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Segment I of the tutorial's connection: the server (left) on 8888, the client (right) on 49152. */
static void seg(int i, int from_client, unsigned flags, uint32_t seq, uint32_t ack, uint32_t len, uint32_t step)
{
	struct wire_seg *g = &segs[i];
	memset(g, 0, sizeof *g);
	g->no = (uint64_t)i + 1;
	g->proto = IPPROTO_TCP;
	endpoint(&g->src, from_client ? 49152 : 8888);
	endpoint(&g->dst, from_client ? 8888 : 49152);
	g->flags = (uint8_t)flags;
	g->seq = seq;
	g->ack = ack;
	g->len = len;
	g->win = 512;
	g->step = step;
	wrows[i].seg = g;
	wrows[i].to_right = !from_client;
	wrows[i].left = "server :8888";
	wrows[i].right = "client :49152";
}

/* hello.sp on the wire: handshake (step 10), the data and its ACK (14), both closes (17, 20). */
static void hello_wire(void)
{
	seg(0, 1, WIRE_SYN, 0, 0, 0, 10);
	seg(1, 0, WIRE_SYN | WIRE_ACK, 0, 1, 0, 10);
	seg(2, 1, WIRE_ACK, 1, 1, 0, 10);
	seg(3, 0, WIRE_PSH | WIRE_ACK, 1, 1, 14, 14);
	seg(4, 1, WIRE_ACK, 1, 15, 0, 14);
	seg(5, 1, WIRE_FIN | WIRE_ACK, 1, 15, 0, 17);
	seg(6, 0, WIRE_ACK, 15, 2, 0, 17);
	seg(7, 0, WIRE_FIN | WIRE_ACK, 15, 2, 0, 20);
	seg(8, 1, WIRE_ACK, 2, 16, 0, 20);
	view.wire.left = "server conn 127.0.0.1:8888";
	view.wire.right = "client c 127.0.0.1:49152";
	view.wire.rows = wrows;
	view.wire.nrows = 9;
	view.wire.last_step = 20;
}

/* Every segment seen between steps has its dot: two SYN retries in one gap are not one step's rows. */
static void segments_between_steps_each_have_a_dot(void **state)
{
	(void)state;
	make_snapshot();
	seg(0, 1, WIRE_SYN, 0, 0, 0, 10);
	seg(1, 1, WIRE_SYN, 0, 0, 0, 10 | TUI_WIRE_BETWEEN);
	seg(2, 1, WIRE_SYN, 0, 0, 0, 10 | TUI_WIRE_BETWEEN);
	view.wire.left = "server 127.0.0.1:8888";
	view.wire.right = "client c 127.0.0.1:49152";
	view.wire.rows = wrows;
	view.wire.nrows = 3;
	view.wire.last_step = 10;
	draw(30, 100, NULL);
	assert_frame("ladder-retries-100x30");
	int first = find_row("SYN seq=0", NULL);
	assert_true(first > 0);
	int dots = 0;
	for (int y = first; y < first + 3; y++)
		if (strstr(row(y), "\u2502   \u00b7 "))
			dots++;
	if (dots != 2) {
		dump_screen();
		fail_msg("%d rows of the two retries seen between steps have a dot", dots);
	}
}

static void ladder_arrows_point_both_ways(void **state)
{
	(void)state;
	make_snapshot();
	hello_wire();
	struct tui_hits hits;
	draw(40, 100, &hits);
	/* the server's end on the left: what the client sends goes right to left; the ends over their
	 * lifelines, the step at the left margin on each step's first row */
	assert_frame("ladder-100x40");
	assert_int_equal(hits.wire_rows, 9);
	/* the last step's segments stand out */
	int fin = find_row("FIN,ACK seq=15", NULL);
	assert_true(mvinch(fin, find_col(fin, "FIN,ACK seq=15")) & A_BOLD);
	int old = find_row("SYN,ACK seq=0", NULL);
	assert_false(mvinch(old, find_col(old, "SYN,ACK seq=0")) & A_BOLD);

	/* 100x30: the newest arrows, and how many are above */
	draw(30, 100, &hits);
	assert_true(hits.wire_rows >= 4 && hits.wire_rows <= 6);
	assert_frame("ladder-100x30");
	/* 80x24, with a script strip: four arrows, all of them readable */
	view.script = &strip_script;
	draw(24, 80, &hits);
	assert_int_equal(hits.wire_rows, 4);
	assert_frame("ladder-script-80x24");
}

/* Cells between the ladder's lifelines on the row showing LABEL (head to tail), or -1. */
static int arrow_span(const char *label)
{
	int y = find_row(label, NULL);
	if (y < 0)
		return -1;
	int r = find_col(y, "\u25b6"), l = find_col(y, "\u25c0");
	const char *rw = row(y);
	const char *first = strstr(rw, "\u2500"), *last = NULL;
	for (const char *p = rw; (p = strstr(p, "\u2500")); p += 3)
		last = p;
	if (!first || (r < 0 && l < 0))
		return -1;
	char head[1024];
	snprintf(head, sizeof head, "%.*s", (int)(first - rw), rw);
	int x0 = tui_width(head);
	snprintf(head, sizeof head, "%.*s", (int)(last - rw), rw);
	int x1 = tui_width(head);
	if (r > x1)
		x1 = r;
	if (l >= 0 && l < x0)
		x0 = l;
	return x1 - x0 + 1;
}

/* Wide terminals use the room: a wider ladder, and an explain area that wraps at a readable width. */
static void wide_terminal_uses_the_room(void **state)
{
	(void)state;
	make_snapshot();
	hello_wire();
	char say[512] = "";
	while (strlen(say) < 400)
		strcat(say, "The client connects and the server accepts. ");
	snprintf(view.say, sizeof view.say, "%s", say);
	draw(30, 100, NULL);
	int narrow = arrow_span("ACK seq=2 ack=16");
	draw(50, 200, NULL);
	int wide = arrow_span("ACK seq=2 ack=16");
	if (wide <= 100)
		dump_screen();
	assert_true(narrow > 0);
	assert_true(wide > 100);
	assert_true(wide > narrow);
	/* the ends stay over their lifelines: the right one ends where its lifeline is */
	int top = find_row("step", "server conn", "client c", NULL);
	assert_true(top > 0);
	/* the explain area: no row of the say longer than the readable width */
	int rows = 0;
	for (int y = 0; y < LINES; y++) {
		const char *r = row(y);
		if (!strstr(r, "The client connects") && !strstr(r, "server accepts"))
			continue;
		const char *in = strstr(r, "\u2502 ");
		assert_non_null(in);
		char text[1024];
		snprintf(text, sizeof text, "%s", in + 4);
		size_t len = strlen(text); /* the right border and the blanks before it */
		while (len > 0 && (text[len - 1] == ' ' || (unsigned char)text[len - 1] >= 0x80))
			text[--len] = 0;
		if (tui_width(text) > TUI_EXPLAIN_MAX)
			fail_msg("row %d is %d cells wide: %s", y, tui_width(text), text);
		rows++;
	}
	assert_true(rows >= 4); /* 400 characters at 100 a row */
}

static void ladder_scrolled_up_says_what_is_below(void **state)
{
	(void)state;
	make_snapshot();
	hello_wire();
	view.wire.nrows = 4; /* the loop handed the rows up to the FIN of step 17 */
	view.wire.newer = 4;
	view.wire.older = 0;
	draw(30, 100, NULL);
	assert_frame("ladder-newer-100x30");
}

static void every_connection_names_both_ends(void **state)
{
	(void)state;
	make_snapshot();
	hello_wire();
	view.wire.all = 1;
	view.wire.left = view.wire.right = NULL;
	draw(30, 100, NULL);
	assert_frame("ladder-all-100x30"); /* the top row names its step */
	int y = find_row("ACK seq=2 ack=16", NULL);
	/* short names leave the arrows the room: as much as the old fixed columns did, and more when wide */
	int at100 = find_col(y, "client :49152") - find_col(y, "server :8888");
	assert_true(at100 >= 12 + 45);
	draw(50, 200, NULL);
	y = find_row("ACK seq=2 ack=16", NULL);
	assert_true(find_col(y, "client :49152") - find_col(y, "server :8888") > at100 + 50);
	draw(30, 100, NULL);
	/* UDP: a datagram's length */
	segs[8].proto = IPPROTO_UDP;
	segs[8].len = 6;
	draw(30, 100, NULL);
	assert_frame("ladder-all-udp-100x30");
}

static void ladder_in_ascii(void **state)
{
	(void)state;
	make_snapshot();
	hello_wire();
	view.utf8 = 0;
	draw(40, 100, NULL);
	assert_frame("ladder-ascii-100x40");
	for (int r = 0; r < LINES; r++)
		for (const unsigned char *p = (const unsigned char *)row(r); *p; p++)
			assert_true(*p < 0x80);
}

static void wire_off_says_why(void **state)
{
	(void)state;
	make_snapshot();
	view.wire.off = "wire view off: capturing needs CAP_NET_RAW on the host network "
			"(run without --host-net, or as root)";
	draw(24, 80, NULL);
	assert_frame("wire-off-80x24"); /* and everything else is there */
	/* no connection to follow */
	view.wire.off = NULL;
	view.wire.none = "server s has no connection on the wire yet (W shows every connection).";
	draw(24, 80, NULL);
	assert_frame("wire-none-80x24");
}

/* ---- the state diagram ------------------------------------------------------------------ */

static void state_diagram_marks_every_socket(void **state)
{
	(void)state;
	make_snapshot();
	view.diagram = 1;
	view.ntrans = 1;
	snprintf(view.trans[0].who, sizeof view.trans[0].who, "client c");
	view.trans[0].from = 7; /* CLOSED */
	view.trans[0].to = 1;   /* ESTABLISHED */
	view.trans[0].main = 1;
	draw(24, 80, NULL);
	/* every state, the kernel's edges, who is where, the last step */
	assert_frame("states-80x24");
	assert_true(mvinch(find_row("LISTEN server s", NULL), find_col(find_row("LISTEN server s", NULL), "LISTEN")) &
		    A_REVERSE);
	int fw = find_row("FIN_WAIT2", NULL);
	assert_false(mvinch(fw, find_col(fw, "FIN_WAIT2")) & A_REVERSE);
	/* the transition just taken: CLOSED -> SYN_SENT -> ESTABLISHED lit, the rest not */
	int y = find_row("connect() / send SYN", NULL);
	assert_true(mvinch(y, find_col(y, "connect()")) & A_UNDERLINE);
	y = find_row("recv SYN,ACK / send ACK", NULL);
	assert_true(mvinch(y, find_col(y, "recv SYN,ACK")) & A_UNDERLINE);
	y = find_row("listen()", NULL);
	assert_false(mvinch(y, find_col(y, "listen()")) & A_UNDERLINE);
	/* the client closes first: two sockets moved, its own lit first */
	client_socks[0].state = SP_TCP_FIN_WAIT2;
	client_socks[0].closed = 1;
	server_socks[1].state = SP_TCP_CLOSE_WAIT;
	view.ntrans = 2;
	view.trans[0].from = 1;
	view.trans[0].to = 5;
	snprintf(view.trans[1].who, sizeof view.trans[1].who, "server conn");
	view.trans[1].from = 1;
	view.trans[1].to = 8;
	view.trans[1].main = 0;
	draw(24, 80, NULL);
	assert_frame("states-closing-80x24");
	y = find_row("close() / send FIN", NULL);
	assert_true(mvinch(y, find_col(y, "close() / send FIN")) & A_UNDERLINE);
	/* bigger screens: the diagram grows with them, centred */
	draw(40, 120, NULL);
	assert_true(find_row("FIN_WAIT2 client c", NULL) > 0);
	int top = find_row("TCP states", NULL);
	assert_true(find_col(top, "d, Esc or q closes") - find_col(top, "TCP states") > 90);
}

/* A grid of the diagram as drawn: the row of STATE and the column it starts at. */
static int state_at(const char *state, int *col)
{
	for (int y = 0; y < LINES; y++) {
		const char *r = row(y), *p = strstr(r, state);
		/* the name itself, not a longer one (FIN_WAIT1 in "FIN_WAIT1 server s") */
		if (p && (p == r || p[-1] == ' ' || (unsigned char)p[-1] >= 0x80)) {
			*col = find_col(y, state);
			return y;
		}
	}
	return -1;
}

/* The glyph at Y, X as UTF-8 (one character). */
static const char *cell(int y, int x)
{
	static char out[8];
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1] = { 0 };
	attr_t a;
	short pair;
	out[0] = 0;
	if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
		return out;
	wctomb(NULL, 0);
	int n = wctomb(out, wc[0]);
	out[n > 0 ? n : 0] = 0;
	return out;
}

/* The edges the kernel takes: RST from any synchronized state to CLOSED, FIN_WAIT1 to TIME_WAIT on FIN+ACK. */
static void state_diagram_has_the_kernels_edges(void **state)
{
	(void)state;
	make_snapshot();
	view.diagram = 1;
	view.ntrans = 1;
	snprintf(view.trans[0].who, sizeof view.trans[0].who, "client c");
	view.trans[0].from = 1; /* ESTABLISHED, reset by the peer's RST */
	view.trans[0].to = 7;
	view.trans[0].main = 1;
	view.trans[0].reset = 1;
	draw(24, 80, NULL);
	int y = find_row("send/recv RST: any synchronized state -> CLOSED", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	assert_true(mvinch(y, find_col(y, "send/recv RST")) & A_UNDERLINE); /* lit: the step's reset */
	y = find_row("close() / send FIN", NULL); /* not a path through the closing states */
	assert_false(mvinch(y, find_col(y, "close() / send FIN")) & A_UNDERLINE);
	/* FIN_WAIT1 -> TIME_WAIT in one segment: its own edge, lit */
	view.trans[0].from = 4;
	view.trans[0].to = 6;
	view.trans[0].reset = 0;
	draw(24, 80, NULL);
	y = find_row("recv FIN,ACK / send ACK", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	assert_true(mvinch(y, find_col(y, "recv FIN,ACK")) & A_UNDERLINE);
	/* an orphan FIN_WAIT2 that timed out went to CLOSED at once, not through TIME_WAIT's 2MSL */
	view.trans[0].from = 5;
	view.trans[0].to = 7;
	draw(24, 80, NULL);
	y = find_row("2MSL timeout", NULL);
	assert_false(mvinch(y, find_col(y, "2MSL timeout")) & A_UNDERLINE);
	view.trans[0].from = 6; /* TIME_WAIT's own timeout is lit */
	draw(24, 80, NULL);
	assert_true(mvinch(y, find_col(y, "2MSL timeout")) & A_UNDERLINE);
	view.trans[0].from = 4;
	view.trans[0].to = 6;
	draw(24, 80, NULL);
	int fw2x, fw2 = state_at("FIN_WAIT2", &fw2x);
	assert_true(fw2 > 0);
	assert_false(mvinch(fw2 - 1, fw2x + 1) & A_UNDERLINE); /* not through FIN_WAIT2 */
	for (int r = 0; r < LINES; r++)
		assert_true(tui_width(row(r)) <= 80);
}

/* Wide terminals: the diagram grows, arrows still end at the state names, and marks get the room. */
static void state_diagram_grows_with_the_terminal(void **state)
{
	(void)state;
	make_snapshot();
	static struct snap_sock many[6];
	for (int i = 0; i < 6; i++) {
		char name[8];
		snprintf(name, sizeof name, "t%d", i);
		sock(&many[i], name, 5 + i, 6, "127.0.0.1:8888", "127.0.0.1:40000", 0, 0);
		many[i].closed = 1;
	}
	actors[1].socks = many;
	actors[1].nsocks = 6;
	view.diagram = 1;
	draw(24, 80, NULL);
	int x80, y80 = state_at("TIME_WAIT", &x80);
	assert_true(y80 > 0);
	assert_non_null(strstr(row(y80), "+")); /* six sockets do not fit in 80 columns */
	int wx, wy = state_at("ESTABLISHED", &wx);
	int lx, ly = state_at("LISTEN", &lx);
	int w80 = wx - lx, h80 = wy - ly;
	draw(50, 200, NULL);
	int x200, y200 = state_at("TIME_WAIT", &x200);
	wy = state_at("ESTABLISHED", &wx);
	ly = state_at("LISTEN", &lx);
	if (wx - lx <= w80 || wy - ly <= h80)
		dump_screen();
	assert_true(wx - lx > w80);
	assert_true(wy - ly > h80);
	assert_non_null(strstr(row(y200), "client t5")); /* all of them now */
	assert_null(strstr(row(y200), "+"));
	/* the arrows still end at the names they point to */
	int cx, cy = state_at("CLOSED", &cx);
	assert_string_equal(cell(cy - 1, cx + 3), "\u25bc"); /* from LAST_ACK, over the top */
	int sx, sy = state_at("SYN_SENT", &sx);
	assert_string_equal(cell(sy - 1, sx + 1), "\u25bc"); /* connect() */
	assert_string_equal(cell(y200, x200 - 1), "\u25b6");    /* FIN_WAIT2 / FIN_WAIT1 into TIME_WAIT */
	assert_string_equal(cell(cy + 1, cx + 1), "\u25b2"); /* LISTEN close() up into CLOSED */
	for (int r = 0; r < LINES; r++)
		assert_true(tui_width(row(r)) <= 200);
}

/* ---- the explanation that joins calls, segments and states ------------------------------- */

static void explain_joins_call_segments_and_states(void **state)
{
	(void)state;
	char buf[1024];
	struct explain_conn c = { .call = SP_CALL_CLOSE, .socktype = SOCK_STREAM, .before = 1, .after = 4,
				  .peer_before = 1, .peer_after = 8, .sent = WIRE_FIN | WIRE_ACK,
				  .me = "client", .peer = "server" };
	explain_join(&c, buf, sizeof buf);
	assert_string_equal(buf, "close() sent FIN; the client is in FIN_WAIT1, FIN_WAIT2 once the ACK arrives; "
				 "the server is in CLOSE_WAIT until it closes too.");
	c.after = 5;
	explain_join(&c, buf, sizeof buf);
	assert_non_null(strstr(buf, "the client went through FIN_WAIT1 to FIN_WAIT2"));
	/* the passive close: gone after LAST_ACK, the peer in TIME_WAIT */
	struct explain_conn p = { .call = SP_CALL_CLOSE, .socktype = SOCK_STREAM, .before = 8, .after = 7,
				  .peer_before = 5, .peer_after = 6, .me = "server", .peer = "client" };
	explain_join(&p, buf, sizeof buf);
	assert_non_null(strstr(buf, "the server waited in LAST_ACK"));
	assert_non_null(strstr(buf, "The client is in TIME_WAIT now"));
	/* an abortive close */
	p.before = 1;
	p.sent = WIRE_RST | WIRE_ACK;
	explain_join(&p, buf, sizeof buf);
	assert_non_null(strstr(buf, "close() sent RST instead of FIN"));
	assert_non_null(strstr(buf, "the client gets ECONNRESET"));
	/* connect refused, a handshake, data ACKed by the kernel */
	struct explain_conn r = { .call = SP_CALL_CONNECT, .socktype = SOCK_STREAM, .ret = -1, .err = ECONNREFUSED,
				  .before = 7, .after = 7, .me = "client" };
	explain_join(&r, buf, sizeof buf);
	assert_non_null(strstr(buf, "The client sent SYN and got RST,ACK back"));
	struct explain_conn h = { .call = SP_CALL_CONNECT, .socktype = SOCK_STREAM, .before = 7, .after = 1,
				  .me = "client", .peer = "server" };
	explain_join(&h, buf, sizeof buf);
	assert_non_null(strstr(buf, "the client's SYN, the server's SYN,ACK and the client's ACK"));
	struct explain_conn d = { .call = SP_CALL_SEND, .socktype = SOCK_STREAM, .ret = 14, .before = 1, .after = 1,
				  .sent = WIRE_PSH | WIRE_ACK, .received = WIRE_ACK, .data_sent = 1,
				  .me = "server", .peer = "client" };
	explain_join(&d, buf, sizeof buf);
	assert_non_null(strstr(buf, "the client's kernel ACKed them at once"));
	/* nothing to add: socket(), and an unknown peer is "the peer" */
	struct explain_conn s = { .call = SP_CALL_SOCKET, .socktype = SOCK_STREAM, .ret = 3, .before = -1,
				  .after = 7, .me = "client" };
	assert_int_equal(explain_join(&s, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	h.peer = NULL;
	explain_join(&h, buf, sizeof buf);
	assert_non_null(strstr(buf, "the peer's SYN,ACK"));
	/* bounded, NUL-terminated */
	char small[24];
	size_t n = explain_join(&c, small, sizeof small);
	assert_true(n < sizeof small);
	assert_int_equal(strlen(small), n);
	/* in the explain area: after the call's own explanation, before Python and C */
	make_snapshot();
	view.last.call = SP_CALL_CLOSE;
	view.last.ret = 0;
	snprintf(view.last.text, sizeof view.last.text, "close(3) = 0");
	c.after = 4;
	explain_join(&c, buf, sizeof buf);
	view.join = buf;
	draw(40, 120, NULL);
	int head = find_row("client: close(3) = 0", NULL), join = find_row("close() sent FIN; the client", NULL);
	int own = find_row("close() released the descriptor", NULL), py = find_row("Python:", NULL);
	if (head < 0 || join < 0 || own < 0 || py < 0)
		dump_screen();
	assert_true(head < own && own < join && join < py);
	/* 80x24 keeps the joined sentences rather than the general text */
	draw(24, 80, NULL);
	assert_true(find_row("close() sent FIN; the client", NULL) > 0);
}

/* ---- hostile bytes never reach the terminal ------------------------------------------- */

/* What a terminal acts on or reorders: C0 controls, DEL, C1, bidi and zero-width characters. */
static int wc_unsafe(wchar_t wc)
{
	return wc < 0x20 || (wc >= 0x7f && wc <= 0x9f) || (wc >= 0x200b && wc <= 0x200f) ||
	       (wc >= 0x2028 && wc <= 0x202e) || (wc >= 0x2060 && wc <= 0x2069) || wc == 0xfeff;
}

/* Fail when any cell of the screen holds such a character (spacing or not). */
static void assert_screen_safe(const char *what)
{
	for (int y = 0; y < LINES; y++)
		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t attrs;
			short pair;
			if (mvin_wch(y, x, &cc) == ERR)
				continue;
			memset(wch, 0, sizeof wch);
			if (getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
				continue;
			for (int i = 0; i < CCHARW_MAX && wch[i]; i++)
				if (wc_unsafe(wch[i])) {
					dump_screen();
					fail_msg("%s: U+%04X drawn raw at row %d, column %d", what, (unsigned)wch[i], y,
						 x);
				}
		}
}

static void note_call(void *ctx, const struct sp_event *ev)
{
	tui_note_call(ctx, ev);
}

/*
 * The program's own path: a peer sends escape sequences, C1 controls, bidi
 * overrides, \r, \b, DEL and NUL; the session receives them for real; the
 * snapshot of that session is drawn. The screen shows the bytes escaped.
 */
static void hostile_peer_bytes_are_drawn_escaped(void **state)
{
	(void)state;
	static const char text[] =
		"server: s = socket(AF_INET, SOCK_DGRAM)\n"
		"server: bind(s, 127.0.0.1:0)\n"
		"client: c = socket(AF_INET, SOCK_DGRAM)\n"
		"client: sendto(c, \"\\x1b[2J\\x1b]0;x\\x07\\x9b\\x85\\x9d\\xe2\\x80\\xae\\xe2\\x81\\xa6"
		"\\r\\x08\\x7f\\x00!\", server.addr(s)) = 24\n"
		"server: recv(s, 100) = 24\n";
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("t.sp", text, strlen(text), &sc, &d), 0);
	static struct tui_view seen; /* the explain area's call, from the session's events */
	struct session_opts so = { .timeout_ms = 2000, .net_label = "test", .on_event = note_call, .ctx = &seen };
	struct session *s = session_new(&so);
	assert_non_null(s);
	struct sp_cursor cur;
	const struct sp_stmt *st;
	script_cursor_init(&cur, sc);
	while ((st = script_cursor_next(&cur)))
		assert_int_equal(session_exec(s, st), SESSION_OK);
	assert_int_equal(session_failures(s), 0);
	session_refresh(s);
	const struct snapshot *sn = session_snapshot(s);

	memset(&view, 0, sizeof view);
	view.net_label = "test";
	view.lang = "en";
	view.panes[0] = "server";
	view.panes[1] = "client";
	view.npanes = 2;
	view.utf8 = 1;
	view.last_socktype = SOCK_DGRAM;
	view.last = seen.last;
	static const int sizes[][2] = { { 40, 140 }, { 30, 100 }, { 24, 80 } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		resize_term(sizes[i][0], sizes[i][1]);
		tui_draw(stdscr, sn, &view, NULL);
		assert_screen_safe("a peer's bytes");
		if (i == 0) { /* wide enough for the whole line: every byte shown escaped */
			int y = find_row("server: recv(3, 100) = 24", NULL);
			int e = find_row("\"\\x1b[2J\\x1b]0;x\\x07\\x9b\\x85\\x9d\\xe2\\x80\\xae\\xe2\\x81\\xa6"
					 "\\r\\x08\\x7f\\x00!\"", NULL);
			if (y < 0 || e < 0)
				dump_screen();
			assert_true(y > 0 && e >= y && e <= y + 1); /* the explain area's head */
		}
		/* the log and the explain area show it escaped, however they wrap it */
		if (find_row("\"\\x1b[2J\\x1b]0;x\\x07", NULL) < 0)
			dump_screen();
		assert_true(find_row("\"\\x1b[2J\\x1b]0;x\\x07", NULL) > 0);
		assert_true(find_row("recv(3, 100) = 24", NULL) > 0);
	}
	session_free(s);
	script_free(sc);
}

/* Put TEXT raw into every text a snapshot and a view carry, and draw at two sizes. */
static void draw_raw_everywhere(const char *text)
{
	make_snapshot();
	logline(&actors[0], server_log, SNAP_LINE_OK, text);
	logline(&actors[1], client_log, SNAP_LINE_ERR, text);
	snprintf(view.last.text, sizeof view.last.text, "%s", text);
	snprintf(view.say, sizeof view.say, "%s", text);
	snprintf(server_socks[1].peer, sizeof server_socks[1].peer, "%s", text);
	view.message = text;
	view.join = text;
	view.title = text;
	draw(40, 160, NULL);
}

/* Controls put raw into a snapshot (nothing in sockplay does: text_escape() comes first) are not drawn raw either. */
static void raw_control_text_is_not_drawn(void **state)
{
	(void)state;
	static const char hostile[] = "A\x1b[2JB\x1b]0;x\x07" "C\xc2\x9b" "D\xc2\x85" "E\xc2\x9d"
				      "H\rI\bJ\x7fK\x9bL";
	draw_raw_everywhere(hostile);
	assert_screen_safe("raw controls in a snapshot");
	/* what is printable around them is still there */
	if (find_row("A?[2JB?]0;x?C?D?E?H?I?J?K?L", NULL) < 0)
		dump_screen();
	assert_true(find_row("A?[2JB?]0;x?C?D?E?H?I?J?K?L", NULL) >= 0);
	resize_term(24, 80);
	tui_draw(stdscr, &snap, &view, NULL);
	assert_screen_safe("raw controls in a snapshot at 80x24");
}

/*
 * Bidi and zero-width characters put raw into a snapshot (nothing in sockplay
 * does: the parser rejects them in text, addresses are escaped) are drawn as
 * '?': wcwidth() says 0, so they would ride on the cell before, reorder the
 * row or push its right border out.
 */
static void raw_bidi_text_is_not_drawn(void **state)
{
	(void)state;
	static const char hostile[] = "F\xe2\x80\xae" "G\xe2\x81\xa6" "H\xe2\x80\x8b" "I\xe2\x80\xa8" "J";
	draw_raw_everywhere(hostile);
	assert_screen_safe("raw bidi text in a snapshot");
	if (find_row("F?G?H?I?J", NULL) < 0)
		dump_screen();
	assert_true(find_row("F?G?H?I?J", NULL) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listener_row_shows_accept_queue),
		cmocka_unit_test(wide_panes_have_one_row_per_socket),
		cmocka_unit_test(blocked_call_shows_its_time),
		cmocka_unit_test(failed_call_is_an_error_line),
		cmocka_unit_test(closed_socket_is_dimmed),
		cmocka_unit_test(too_small_screen),
		cmocka_unit_test(help_screen_is_the_keymap),
		cmocka_unit_test(key_bar_comes_from_the_keymap),
		cmocka_unit_test(key_bar_at_80_keeps_every_key),
		cmocka_unit_test(readme_key_table),
		cmocka_unit_test(script_strip_marks_the_next_step),
		cmocka_unit_test(very_wide_rows_are_not_cut_silently),
		cmocka_unit_test(layout_fits_80x24),
		cmocka_unit_test(ascii_without_utf8),
		cmocka_unit_test(prompt_shows_parse_error_with_caret),
		cmocka_unit_test(confirm_quit_question),
		cmocka_unit_test(clicks_hit_panes_and_sockets),
		cmocka_unit_test(third_actor_gets_a_column_when_wide),
		cmocka_unit_test(cjk_text_is_measured_in_cells),
		cmocka_unit_test(cjk_rows_break_at_allowed_places),
		cmocka_unit_test(numbers_keep_their_units),
		cmocka_unit_test(title_keeps_the_step_counter),
		cmocka_unit_test(segments_between_steps_each_have_a_dot),
		cmocka_unit_test(chinese_frames_break_well_and_align),
		cmocka_unit_test(say_belongs_to_its_step),
		cmocka_unit_test(pane_marks_cut_data),
		cmocka_unit_test(cut_hint_is_marked),
		cmocka_unit_test(e_shows_all_received_data),
		cmocka_unit_test(colours_and_no_color),
		cmocka_unit_test(line_editor_edits_and_remembers),
		cmocka_unit_test(readme_lists_the_keymap),
		cmocka_unit_test(ladder_arrows_point_both_ways),
		cmocka_unit_test(wide_terminal_uses_the_room),
		cmocka_unit_test(ladder_scrolled_up_says_what_is_below),
		cmocka_unit_test(every_connection_names_both_ends),
		cmocka_unit_test(ladder_in_ascii),
		cmocka_unit_test(wire_off_says_why),
		cmocka_unit_test(state_diagram_marks_every_socket),
		cmocka_unit_test(state_diagram_has_the_kernels_edges),
		cmocka_unit_test(state_diagram_grows_with_the_terminal),
		cmocka_unit_test(explain_joins_call_segments_and_states),
		cmocka_unit_test(hostile_peer_bytes_are_drawn_escaped),
		cmocka_unit_test(raw_control_text_is_not_drawn),
		cmocka_unit_test(raw_bidi_text_is_not_drawn),
	};
	return cmocka_run_group_tests(tests, screen_up, screen_down);
}
