/* test_tui.c -- golden frames: the TUI drawn from hand-made snapshots onto a screen with no tty, read back as text. */
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

#include "sockplay/script.h"
#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"

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
	sock(&server_socks[0], "s", 3, 10, "127.0.0.1:8888", "-", 0, 5);
	sock(&server_socks[1], "conn", 4, 1, "127.0.0.1:8888", "127.0.0.1:49152", 0, 0);
	actors[0].socks = server_socks;
	actors[0].nsocks = 2;
	logline(&actors[0], server_log, SNAP_LINE_OK, "socket(AF_INET, SOCK_STREAM, 0) = 3");
	logline(&actors[0], server_log, SNAP_LINE_OK, "bind(3, 127.0.0.1:8888) = 0");
	logline(&actors[0], server_log, SNAP_LINE_OK, "listen(3, 5) = 0");
	logline(&actors[0], server_log, SNAP_LINE_OK, "accept(3) = 4 (peer 127.0.0.1:49152)");
	snprintf(actors[1].name, sizeof actors[1].name, "client");
	actors[1].pid = 4122;
	sock(&client_socks[0], "c", 3, 1, "127.0.0.1:49152", "127.0.0.1:8888", 0, 0);
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
	snap.last_call = SP_CALL_RECV;
	snap.last_ret = 14;
	snprintf(snap.last_actor, sizeof snap.last_actor, "client");
	snprintf(snap.last_text, sizeof snap.last_text, "recv(3, 1024) = 14 \"Hello, client!\"");

	memset(&view, 0, sizeof view);
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
	int y = find_row("\u25b6", "s ", "TCP", "LISTEN", "0/5", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	assert_true(find_col(y, "LISTEN") < 50); /* the server's pane is on the left */
	assert_true(find_row("conn", "ESTABLISHED", NULL) > 0);
	assert_true(find_row("127.0.0.1:8888 \u2192 127.0.0.1:49152", NULL) > 0);
	int cy = find_row("ESTABLISHED", NULL);
	assert_true(cy > 0);
	assert_true(find_row("SERVER", "pid 4121", "CLIENT", "pid 4122", NULL) == 1);
	assert_true(strstr(row(0), "sockplay") && strstr(row(0), "sandbox netns"));
}

static void wide_panes_have_one_row_per_socket(void **state)
{
	(void)state;
	make_snapshot();
	draw(40, 160, NULL);
	int y = find_row("s ", "127.0.0.1:8888", "LISTEN", "0/5", NULL);
	assert_true(y > 0);
	assert_true(find_row("conn", "127.0.0.1:8888", "127.0.0.1:49152", "ESTABLISHED", NULL) == y + 1);
	assert_true(find_row("local", "peer", "state", "rq/sq", NULL) > 0);
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
	int y = find_row("accept(3) blocked 2.3 s", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	assert_int_equal(find_row("accept(3) <blocked>", NULL), -1); /* the live line replaces it */
	/* the newest line of the log is at the bottom of it */
	assert_true(find_row("accept(3) = 4", NULL) < y);
}

static void failed_call_is_an_error_line(void **state)
{
	(void)state;
	make_snapshot();
	draw(24, 80, NULL);
	int y = find_row("ECONNREFUSED", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	int x = find_col(y, "connect(3, 127.0.0.1:9)");
	if (x < 0) { /* wrapped: the call is on the row above */
		y--;
		x = find_col(y, "connect(3, 127.0.0.1:9)");
	}
	assert_true(x > 40); /* in the client's pane */
	assert_true(mvinch(y, x) & A_BOLD); /* the error look without colours */
	assert_true(find_row("= 14 \"Hello, client!\"", NULL) > 0);
}

static void closed_socket_is_dimmed(void **state)
{
	(void)state;
	make_snapshot();
	sock(&client_socks[1], "c2", 4, 6, "127.0.0.1:49153", "127.0.0.1:8888", 0, 0);
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
	const char *msg = "terminal too small (need 80x24, have 60x15)";
	int y = find_row(msg, NULL);
	assert_int_equal(y, 6);
	assert_int_equal(find_col(y, msg), (60 - (int)strlen(msg)) / 2);
	assert_int_equal(find_row("SERVER", NULL), -1);
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
	assert_true(find_row("scroll", NULL) == 23);
	view.help_top = hits.help_rows - hits.help_page;
	draw(24, 80, &hits);
	assert_true(find_row("Mouse:", NULL) > 0);
}

static void key_bar_comes_from_the_keymap(void **state)
{
	(void)state;
	make_snapshot();
	draw(30, 100, NULL);
	const char *bar = row(29);
	assert_non_null(strstr(bar, "s socket"));
	assert_non_null(strstr(bar, "b bind"));
	assert_non_null(strstr(bar, "l listen"));
	assert_non_null(strstr(bar, "c connect"));
	assert_non_null(strstr(bar, "a accept"));
	assert_non_null(strstr(bar, "w send"));
	assert_non_null(strstr(bar, "r recv"));
	assert_non_null(strstr(bar, "x close"));
	assert_non_null(strstr(bar, "Tab side"));
	assert_non_null(strstr(bar, "? help"));
	assert_non_null(strstr(bar, "q quit"));
	assert_int_equal(tui_key_action('s'), TUI_A_SOCKET);
	assert_int_equal(tui_key_action('\t'), TUI_A_NEXT_PANE);
	assert_int_equal(tui_key_action(KEY_F(1)), TUI_A_HELP);
	assert_int_equal(tui_key_action(KEY_F(10)), TUI_A_QUIT);
	assert_int_equal(tui_key_action(3), TUI_A_INTERRUPT);
	assert_int_equal(tui_key_action(' '), TUI_A_STEP);
	assert_int_equal(tui_key_action('Z'), TUI_A_NONE);
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
	int y = find_row("\u25b6", "5  server: listen(s, 5)", NULL);
	if (y < 0)
		dump_screen();
	assert_true(y > 0);
	assert_true(find_row("4  server: bind(s, 127.0.0.1:8888)", NULL) == y - 1);
	assert_int_equal(find_row("\u25b6", "4  server", NULL), -1);
	assert_true(find_row("script", "n/Space next step", NULL) == y - 2);
	assert_true(strstr(row(0), "hello.sp") && strstr(row(0), "step 2/4"));
	view.next_line = 0; /* at the end */
	draw(24, 80, NULL);
	assert_true(find_row("(end of script)", NULL) > 0);
}

static void layout_fits_80x24(void **state)
{
	(void)state;
	make_snapshot();
	view.message = "server: accept() waits until a client connects";
	snprintf(snap.say, sizeof snap.say, "The client connects: watch the three-way handshake.");
	draw(24, 80, NULL);
	if (strncmp(row(0), "\u250c sockplay", 12) != 0)
		dump_screen();
	assert_int_equal(strncmp(row(0), "\u250c sockplay", 12), 0);
	assert_int_equal(strncmp(row(22), "\u2514", 3), 0);
	for (int y = 1; y < 22; y++) { /* every row is closed by the right border */
		const char *r = row(y);
		size_t len = strlen(r);
		assert_true(len >= 3);
		const char *end = r + len - 3;
		if (strcmp(end, "\u2502") != 0 && strcmp(end, "\u2524") != 0) {
			dump_screen();
			fail_msg("row %d does not end with the border", y);
		}
	}
	assert_non_null(strstr(row(23), "s socket"));
	assert_true(tui_width(row(23)) <= 80);
	assert_true(find_row("explain", NULL) > 0);
	assert_true(find_row("accept() waits", NULL) > 0);
	assert_true(find_row("three-way handshake", NULL) > 0);
	assert_true(find_row("client: recv(3, 1024) = 14", NULL) > 0);
}

static void ascii_without_utf8(void **state)
{
	(void)state;
	make_snapshot();
	view.utf8 = 0;
	draw(24, 80, NULL);
	assert_int_equal(strncmp(row(0), "+ sockplay - playground", 23), 0);
	assert_true(find_row(">3  s", "LISTEN", NULL) > 0);
	assert_true(find_row("127.0.0.1:8888 -> 127.0.0.1:49152", NULL) > 0);
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
	assert_string_equal(row(22), "> server: lisen(s, 5)");
	assert_string_equal(row(23), "          ^ unknown call 'lisen'; did you mean 'listen'?");
	assert_int_equal(hits.prompt_y, 22);
	assert_int_equal(hits.prompt_x, 2 + 19);
	view.prompt_error = NULL;
	draw(24, 80, NULL);
	assert_non_null(strstr(row(23), "Enter runs"));
}

static void confirm_quit_question(void **state)
{
	(void)state;
	make_snapshot();
	view.confirm = "server is blocked in accept(3). Quit anyway? (y/n)";
	draw(24, 80, NULL);
	assert_true(find_row("Quit anyway? (y/n)", NULL) == 22);
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
	assert_int_equal(tui_hit(&hits, 20, 70, &sock), 1);
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
	assert_int_equal(find_row("CLIENT2", NULL), -1);
	assert_true(find_row("+1 more: Tab", NULL) == 1);
	view.focus = 2;
	draw(30, 100, NULL);
	assert_true(find_row("CLIENT ", "CLIENT2", "no process yet", NULL) == 1);
	draw(30, 130, NULL);
	assert_true(find_row("SERVER", "CLIENT ", "CLIENT2", NULL) == 1);
}

static void cjk_text_is_measured_in_cells(void **state)
{
	(void)state;
	assert_int_equal(tui_width("abc"), 3);
	assert_int_equal(tui_width("\u4f60\u597d"), 4);
	make_snapshot();
	snprintf(snap.say, sizeof snap.say, "\u5ba2\u6237\u7aef\u8fde\u63a5\u670d\u52a1\u5668");
	draw(24, 80, NULL);
	int y = find_row("\u5ba2\u6237\u7aef", NULL);
	assert_true(y > 0);
	const char *r = row(y);
	assert_true(tui_width(r) <= 80);
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
	set_term(scr);
	delscreen(cs);
	fclose(out);
	fclose(in);
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
		cmocka_unit_test(readme_key_table),
		cmocka_unit_test(script_strip_marks_the_next_step),
		cmocka_unit_test(layout_fits_80x24),
		cmocka_unit_test(ascii_without_utf8),
		cmocka_unit_test(prompt_shows_parse_error_with_caret),
		cmocka_unit_test(confirm_quit_question),
		cmocka_unit_test(clicks_hit_panes_and_sockets),
		cmocka_unit_test(third_actor_gets_a_column_when_wide),
		cmocka_unit_test(cjk_text_is_measured_in_cells),
		cmocka_unit_test(colours_and_no_color),
		cmocka_unit_test(line_editor_edits_and_remembers),
	};
	return cmocka_run_group_tests(tests, screen_up, screen_down);
}
