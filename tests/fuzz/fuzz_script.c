/* fuzz_script.c -- libFuzzer target: the script parser, the formatter's round trip and the prompt's parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockplay/explain.h"
#include "sockplay/script.h"

#define LINES_MAX 64    /* prompt lines tried per input */
#define WALK_MAX 4096   /* cursor steps walked per script */

struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (t->len + n + 1 > cap)
			cap *= 2;
		t->s = realloc(t->s, cap);
		if (!t->s)
			abort();
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* One statement as the formatter writes it, checked against the length it returns. */
static char *format(const struct sp_stmt *st)
{
	int n = script_stmt_format(st, NULL, 0);
	if (n < 0)
		abort();
	char *line = malloc((size_t)n + 1);
	if (!line)
		abort();
	if (script_stmt_format(st, line, (size_t)n + 1) != n || strlen(line) != (size_t)n) {
		fprintf(stderr, "script_stmt_format: length %d, wrote %zu: %s\n", n, strlen(line), line);
		abort();
	}
	/* a short buffer gets a NUL-terminated prefix */
	if (n > 1) {
		size_t half = (size_t)n / 2;
		char *part = malloc(half);
		if (!part)
			abort();
		if (script_stmt_format(st, part, half) != n || strlen(part) != half - 1 ||
		    memcmp(part, line, half - 1) != 0)
			abort();
		free(part);
	}
	return line;
}

/* The script as the formatter writes it back, repeat blocks included. */
static void format_block(struct text *t, const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *line = format(&v[i]);
		text_add(t, line, strlen(line));
		text_add(t, "\n", 1);
		free(line);
		if (v[i].kind == SP_ST_REPEAT) {
			format_block(t, v[i].body, v[i].nbody);
			text_add(t, "end\n", 4);
		}
	}
}

static FILE *devnull(void)
{
	static FILE *fp;
	if (!fp && !(fp = fopen("/dev/null", "w")))
		abort();
	return fp;
}

/* The statement as Python and C (the explain area's lines): bounded, terminated, nothing raw. */
static void check_code(const struct sp_stmt *st)
{
	char buf[320];
	for (int python = 0; python < 2; python++) {
		memset(buf, 'Z', sizeof buf);
		size_t n = explain_code(st, python, buf, sizeof buf);
		if (n >= sizeof buf || strlen(buf) != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
				abort();
	}
}

/* The parser looks up no name: a host name is kept as written, with no address. */
static void check_unresolved(const struct sp_stmt *st)
{
	for (int k = 0; k < st->nargs; k++) {
		const struct sp_addr *a = &st->args[k].addr;
		if (st->args[k].kind == SP_ARG_ADDR && a->kind == SP_ADDR_IP && a->host[0] &&
		    (a->has_v4 || a->has_v6 || !a->text || strncmp(a->text, a->host, strlen(a->host)) != 0))
			abort();
	}
}

/* A parsed script, written back, must parse again to the same text. */
static void round_trip(const struct sp_script *sc)
{
	struct text once = { 0 }, twice = { 0 };
	struct sp_script *again = NULL;
	struct sp_diags d = { 0 };

	format_block(&once, sc->stmts, sc->n);
	if (script_parse("again.sp", once.s, once.len, &again, &d) != 0) {
		fprintf(stderr, "the formatted script does not parse:\n%s", once.s);
		script_diags_print(stderr, "again.sp", &d);
		abort();
	}
	format_block(&twice, again->stmts, again->n);
	if (once.len != twice.len || memcmp(once.s, twice.s, once.len) != 0 ||
	    again->nsteps != sc->nsteps || (!again->title) != (!sc->title) ||
	    (sc->title && strcmp(sc->title, again->title) != 0)) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", once.s, twice.s);
		abort();
	}

	struct sp_cursor cur;
	const struct sp_stmt *st;
	size_t walked = 0;
	script_cursor_init(&cur, sc);
	while (walked < WALK_MAX && (st = script_cursor_next(&cur)) != NULL) {
		if (st->kind == SP_ST_REPEAT)
			abort();
		check_code(st);
		check_unresolved(st);
		walked++;
	}
	if (walked < WALK_MAX && walked != sc->nsteps) {
		fprintf(stderr, "cursor walked %zu statements, nsteps says %zu\n", walked, sc->nsteps);
		abort();
	}
	script_free(again);
	script_diags_clear(&d);
	free(once.s);
	free(twice.s);
}

static struct sp_scope *seeded_scope(void)
{
	struct sp_scope *sc = script_scope_new();
	if (!sc)
		abort();
	script_scope_define(sc, "server", "s");
	script_scope_define(sc, "server", "conn");
	script_scope_define(sc, "client", "c");
	return sc;
}

/* Each line at the prompt, with a scope that grows as in a session. */
static void prompt_lines(const uint8_t *data, size_t size)
{
	struct sp_scope *a = seeded_scope(), *b = seeded_scope();
	size_t pos = 0;
	for (int n = 0; n < LINES_MAX && pos < size; n++) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t ll = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *line = strndup((const char *)data + pos, ll);
		struct sp_stmt st, st2;
		struct sp_diag dg;
		pos += ll + 1;
		if (!line)
			abort();
		if (script_parse_line(line, a, &st, &dg) == 0) {
			char *text = format(&st);
			/* the same statement typed again, in the scope it was typed in */
			if (script_parse_line(text, b, &st2, &dg) != 0) {
				fprintf(stderr, "the formatted line does not parse: %s\n%d:%d: %s\n",
					text, dg.line, dg.col, dg.msg);
				abort();
			}
			char *text2 = format(&st2);
			if (strcmp(text, text2) != 0) {
				fprintf(stderr, "line round trip differs:\n%s\n%s\n", text, text2);
				abort();
			}
			if (st.kind == SP_ST_CALL && st.assign[0])
				script_scope_define(b, st.actor, st.assign);
			if (st.kind == SP_ST_CALL && st.assign2[0]) /* a, b = socketpair(...) */
				script_scope_define(b, st.actor, st.assign2);
			free(text);
			free(text2);
			script_stmt_clear(&st);
			script_stmt_clear(&st2);
		} else {
			struct sp_diags one = { &dg, 1, 1, 0 };
			if (dg.line != 1 || dg.msg[0] == '\0')
				abort();
			script_diags_print(devnull(), "prompt", &one);
		}
		free(line);
	}
	script_scope_free(a);
	script_scope_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };

	if (script_parse("fuzz.sp", (const char *)data, size, &sc, &d) == 0) {
		if (d.n != 0 || !sc || sc->n == 0)
			abort();
		round_trip(sc);
		script_free(sc);
	} else {
		if (sc || d.n == 0 || d.n > 20)
			abort();
		script_diags_print(devnull(), "fuzz.sp", &d);
	}
	script_diags_clear(&d);
	prompt_lines(data, size);
	return 0;
}
