/* tui_line.c -- the prompt's line editor: wide characters, cursor, kill, history. */
#include <stdlib.h>
#include <string.h>

#include "sockplay/tui_draw.h"

#define CTRL(c) ((c) & 0x1f)

void tui_line_set(struct tui_line *l, const char *text)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const char *p = text;
	size_t n = mbsrtowcs(l->buf, &p, TUI_LINE_MAX - 1, &st);
	if (n == (size_t)-1) { /* not valid in this locale: keep the ASCII */
		n = 0;
		for (const char *q = text; *q && n < TUI_LINE_MAX - 1; q++)
			l->buf[n++] = (unsigned char)*q < 0x80 ? (wchar_t)*q : L'?';
	}
	l->buf[n] = 0;
	l->len = l->cur = n;
}

void tui_line_get(const struct tui_line *l, char *buf, size_t size)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	const wchar_t *p = l->buf;
	size_t n = wcsrtombs(buf, &p, size - 1, &st);
	if (n == (size_t)-1)
		n = 0;
	buf[n] = 0;
}

static void line_insert(struct tui_line *l, wchar_t c)
{
	if (l->len + 1 >= TUI_LINE_MAX)
		return;
	memmove(&l->buf[l->cur + 1], &l->buf[l->cur], (l->len - l->cur + 1) * sizeof(wchar_t));
	l->buf[l->cur++] = c;
	l->len++;
}

static void line_delete(struct tui_line *l, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(&l->buf[from], &l->buf[to], (l->len - to + 1) * sizeof(wchar_t));
	l->len -= to - from;
	l->cur = from;
}

static void line_history(struct tui_line *l, int dir)
{
	if (l->nhist == 0)
		return;
	if (dir < 0 && l->hpos > 0)
		l->hpos--;
	else if (dir > 0 && l->hpos < l->nhist)
		l->hpos++;
	else
		return;
	tui_line_set(l, l->hpos < l->nhist ? l->history[l->hpos] : "");
}

int tui_line_key(struct tui_line *l, int key, int is_char)
{
	if (is_char && key >= 0x20 && key != 0x7f) {
		line_insert(l, (wchar_t)key);
		return 1;
	}
	switch (key) {
	case KEY_LEFT: if (l->cur > 0) l->cur--; return 1;
	case KEY_RIGHT: if (l->cur < l->len) l->cur++; return 1;
	case KEY_HOME: case CTRL('a'): l->cur = 0; return 1;
	case KEY_END: case CTRL('e'): l->cur = l->len; return 1;
	case CTRL('u'): line_delete(l, 0, l->cur); return 1;
	case CTRL('k'): line_delete(l, l->cur, l->len); return 1;
	case KEY_BACKSPACE: case 0x7f: case CTRL('h'):
		if (l->cur > 0)
			line_delete(l, l->cur - 1, l->cur);
		return 1;
	case KEY_DC: case CTRL('d'):
		if (l->cur < l->len)
			line_delete(l, l->cur, l->cur + 1);
		return 1;
	case KEY_UP: case CTRL('p'): line_history(l, -1); return 1;
	case KEY_DOWN: case CTRL('n'): line_history(l, 1); return 1;
	default: return 0;
	}
}

void tui_line_remember(struct tui_line *l, const char *text)
{
	if (!text[0] || (l->nhist && strcmp(l->history[l->nhist - 1], text) == 0)) {
		l->hpos = l->nhist;
		return;
	}
	char *copy = strdup(text);
	if (!copy)
		return;
	if (l->nhist == TUI_HISTORY) {
		free(l->history[0]);
		memmove(&l->history[0], &l->history[1], (TUI_HISTORY - 1) * sizeof l->history[0]);
		l->nhist--;
	}
	l->history[l->nhist++] = copy;
	l->hpos = l->nhist;
}

void tui_line_free(struct tui_line *l)
{
	for (size_t i = 0; i < l->nhist; i++)
		free(l->history[i]);
	l->nhist = l->hpos = 0;
}
