/* tui_text.c -- the keymap and every sentence of the TUI: one table feeds the key bar, the help screen and the README. */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "sockplay/tui.h"
#include "sockplay/tui_draw.h"

#define CTRL(c) ((c) & 0x1f)

/* In help order. The first word of a label is what the key bar shows. */
static const struct tui_key keymap[] = {
	{ TUI_A_SOCKET, { 's' }, "s", 1, 1 },
	{ TUI_A_BIND, { 'b' }, "b", 1, 2 },
	{ TUI_A_LISTEN, { 'l' }, "l", 1, 1 },
	{ TUI_A_CONNECT, { 'c' }, "c", 1, 1 },
	{ TUI_A_ACCEPT, { 'a' }, "a", 1, 1 },
	{ TUI_A_SEND, { 'w' }, "w", 1, 1 },
	{ TUI_A_RECV, { 'r' }, "r", 1, 1 },
	{ TUI_A_CLOSE, { 'x' }, "x", 1, 1 },
	{ TUI_A_SHUTDOWN, { 'h' }, "h", 0, 0 },
	{ TUI_A_SETSOCKOPT, { 'o' }, "o", 0, 0 },
	{ TUI_A_PROMPT, { ':' }, ":", 0, 0 },
	{ TUI_A_NEXT_PANE, { '\t', KEY_RIGHT }, "Tab Right", 2, 3 },
	{ TUI_A_PREV_PANE, { KEY_BTAB, KEY_LEFT }, "Shift-Tab Left", 0, 0 },
	{ TUI_A_SEL_UP, { KEY_UP, 'k' }, "Up k", 0, 0 },
	{ TUI_A_SEL_DOWN, { KEY_DOWN, 'j' }, "Down j", 0, 0 },
	{ TUI_A_STEP, { 'n', ' ' }, "n Space", 0, 0 },
	{ TUI_A_PLAY, { 'p' }, "p", 0, 0 },
	{ TUI_A_FASTER, { '+', '=' }, "+", 0, 0 },
	{ TUI_A_SLOWER, { '-', '_' }, "-", 0, 0 },
	{ TUI_A_INTERRUPT, { CTRL('c'), 'i' }, "Ctrl-C i", 0, 0 },
	{ TUI_A_DIAGRAM, { 'd' }, "d", 1, 1 },
	{ TUI_A_EXPLAIN, { 'e' }, "e", 0, 0 },
	{ TUI_A_WIRE_ALL, { 'W' }, "W", 0, 0 },
	{ TUI_A_WIRE_OLDER, { '[', KEY_PPAGE }, "[ PgUp", 0, 0 },
	{ TUI_A_WIRE_NEWER, { ']', KEY_NPAGE }, "] PgDn", 0, 0 },
	{ TUI_A_REDRAW, { CTRL('l') }, "Ctrl-L", 0, 0 },
	{ TUI_A_HELP, { '?', KEY_F(1) }, "? F1", 1, 3 },
	{ TUI_A_QUIT, { 'q', KEY_F(10) }, "q F10", 1, 3 },
};

static const char *const action_bar[TUI_A_COUNT] = {
#define TUI_X(a, bar, help) [a] = bar,
	TUI_ACTIONS(TUI_X)
#undef TUI_X
};

static const char *const action_help[TUI_A_COUNT] = {
#define TUI_X(a, bar, help) [a] = help,
	TUI_ACTIONS(TUI_X)
#undef TUI_X
};

static const char *const texts[TX_COUNT] = {
#define TUI_X(id, s) [id] = s,
	TUI_TEXTS(TUI_X)
#undef TUI_X
};

const struct tui_key *tui_keymap(size_t *n)
{
	*n = sizeof keymap / sizeof keymap[0];
	return keymap;
}

enum tui_action tui_key_action(int key)
{
	for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++)
		for (size_t k = 0; k < 4 && keymap[i].keys[k]; k++)
			if (keymap[i].keys[k] == key)
				return keymap[i].act;
	return TUI_A_NONE;
}

/* In the user's language (`make pot` extracts the tables from tui_draw.h); "" is no msgid. */
static const char *tr(const char *s)
{
	return s && *s ? gettext(s) : s;
}

const char *tui_action_bar(enum tui_action act)
{
	return act > TUI_A_NONE && act < TUI_A_COUNT ? tr(action_bar[act]) : NULL;
}

const char *tui_action_help(enum tui_action act)
{
	return act > TUI_A_NONE && act < TUI_A_COUNT ? tr(action_help[act]) : "";
}

const char *tui_text(enum tui_text id)
{
	return id < TX_COUNT && texts[id] ? tr(texts[id]) : "";
}

/* Markdown: `s` for one key, `n` `Space` for several. */
static void print_label(FILE *fp, const char *label)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s", label);
	int first = 1;
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
		fprintf(fp, "%s`%s`", first ? "" : " ", tok);
		first = 0;
	}
}

void tui_print_keys(FILE *fp)
{
	fprintf(fp, "| Key | What it does |\n| --- | --- |\n");
	for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++) {
		fprintf(fp, "| ");
		print_label(fp, keymap[i].label);
		fprintf(fp, " | %s |\n", action_help[keymap[i].act]);
	}
	fprintf(fp, "| `Esc` | %s |\n", tui_text(TX_KEY_ESC));
	fprintf(fp, "| mouse | %s |\n", tui_text(TX_KEY_MOUSE));
}
