/* test_i18n.c -- English and Simplified Chinese: the catalogue is found, every explanation the demos need is translated, and machine-read text stays the same. */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"
#include "sockplay/transcript.h"
#include "sockplay/tui_draw.h"

/* The explanation of CALL as one text, as --batch --explain prints it. */
static size_t explain_step(enum sp_call call, long long ret, int err, char *buf, size_t size)
{
	struct explain ex;
	explain_result(call, SOCK_STREAM, ret, err, &ex);
	return explain_text(&ex, buf, size);
}

/* The tests run from the top of the tree (tests/run.sh). */
#define TREE_MO "build/locale/zh_CN/LC_MESSAGES/sockplay.mo"
#define MAX_TEXTS 4096

static int have_catalogue(void)
{
	struct stat st;
	return stat(TREE_MO, &st) == 0;
}

static void use(const char *lang)
{
	char msg[256];
	int rc = i18n_init(lang, msg, sizeof msg);
	if (rc < 0)
		fail_msg("i18n_init(%s): %s", lang, msg);
	assert_string_equal(i18n_lang(), lang);
}

static int has_cjk(const char *s)
{
	/* a 3-byte UTF-8 sequence in U+4E00..U+9FFF starts with 0xE4..0xE9 */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0xE4 && *p <= 0xE9)
			return 1;
	return 0;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, hay ? hay : "(null)");
}

static int is_upper_tok(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * What a translation must leave as it is: C and errno names, TCP states and
 * flags (SO_REUSEADDR, EADDRINUSE, TIME_WAIT, SYN), calls ("listen()") and
 * numbers of two digits or more (1024, 8888).
 */
static void assert_terms_kept(const char *en, const char *zh)
{
	for (const char *p = en; *p;) {
		const char *q = p;
		char tok[64];
		if (*p >= 'A' && *p <= 'Z') {
			while (is_upper_tok((unsigned char)*q))
				q++;
			if (q - p >= 3 && (*q < 'a' || *q > 'z') && (p == en || p[-1] < 'a' || p[-1] > 'z')) {
				snprintf(tok, sizeof tok, "%.*s", (int)(q - p), p);
				if (!strstr(zh, tok))
					fail_msg("\"%s\" lost in the translation of\n  %s\n  %s", tok, en, zh);
			}
		} else if (*p >= 'a' && *p <= 'z' && (p == en || !is_upper_tok((unsigned char)p[-1]))) {
			while ((*q >= 'a' && *q <= 'z') || *q == '_')
				q++;
			if (q[0] == '(' && q[1] == ')') {
				snprintf(tok, sizeof tok, "%.*s()", (int)(q - p), p);
				if (!strstr(zh, tok))
					fail_msg("\"%s\" lost in the translation of\n  %s\n  %s", tok, en, zh);
			}
		} else if (*p >= '0' && *p <= '9' && (p == en || !is_upper_tok((unsigned char)p[-1]))) {
			while (*q >= '0' && *q <= '9')
				q++;
			if (q - p >= 2 && !is_upper_tok((unsigned char)*q)) {
				snprintf(tok, sizeof tok, "%.*s", (int)(q - p), p);
				if (!strstr(zh, tok))
					fail_msg("\"%s\" lost in the translation of\n  %s\n  %s", tok, en, zh);
			}
		}
		p = q > p ? q : p + 1;
	}
}

/* ---- what the demos produce: calls and errnos, from the golden transcripts and the scripts ---- */

struct produced {
	int call[SP_CALL_COUNT];
	int err[256];
	int pair[SP_CALL_COUNT][256]; /* call failed with errno */
	int nfiles;
};

static int errno_at(const char *s)
{
	char name[32];
	size_t n = 0;
	while (n < sizeof name - 1 && is_upper_tok((unsigned char)s[n]))
		n++;
	snprintf(name, sizeof name, "%.*s", (int)n, s);
	return consts_errno_from_name(name);
}

static void scan_golden(struct produced *pr, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	assert_non_null(fp);
	pr->nfiles++;
	while (fgets(line, sizeof line, fp)) {
		if (line[0] != '[' || strncmp(line, "[wire]", 6) == 0)
			continue;
		char *sp = strchr(line, ' '), *open = sp ? strchr(sp, '(') : NULL;
		if (!open)
			continue;
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)(open - sp - 1), sp + 1);
		enum sp_call call = call_from_name(name);
		if (call == SP_CALL_NONE)
			continue; /* state(s) = ... */
		pr->call[call] = 1;
		const char *r = strstr(line, " = -1 E");
		if (r) {
			int e = errno_at(r + 6);
			assert_true(e > 0 && e < 256);
			pr->err[e] = 1;
			pr->pair[call][e] = 1;
		}
		const char *v = strstr(line, "(value E");
		if (v) {
			int e = errno_at(v + 7);
			assert_true(e > 0 && e < 256);
			pr->err[e] = 1;
			pr->pair[SP_CALL_CONNECT][e] = 1; /* SO_ERROR reports how a connect() ended */
		}
	}
	fclose(fp);
}

static void scan_demo(struct produced *pr, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	assert_non_null(fp);
	pr->nfiles++;
	while (fgets(line, sizeof line, fp)) {
		const char *colon = strchr(line, ':'), *open = colon ? strchr(colon, '(') : NULL;
		if (line[0] == '#' || !open)
			continue;
		const char *name = open;
		while (name > colon + 1 && ((name[-1] >= 'a' && name[-1] <= 'z') || name[-1] == '_'))
			name--;
		char buf[32];
		snprintf(buf, sizeof buf, "%.*s", (int)(open - name), name);
		enum sp_call call = call_from_name(buf);
		if (call == SP_CALL_NONE)
			continue;
		pr->call[call] = 1;
		const char *r = strstr(line, "= -1 E");
		if (r) {
			int e = errno_at(r + 5);
			assert_true(e > 0 && e < 256);
			pr->err[e] = 1;
			pr->pair[call][e] = 1;
		}
	}
	fclose(fp);
}

static void scan_all(struct produced *pr)
{
	glob_t g;
	memset(pr, 0, sizeof *pr);
	assert_int_equal(glob("tests/golden/*.txt", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		scan_golden(pr, g.gl_pathv[i]);
	globfree(&g);
	assert_int_equal(glob("assets/demos/*.sp", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		scan_demo(pr, g.gl_pathv[i]);
	globfree(&g);
	assert_true(pr->nfiles >= 24); /* twelve demos, each with its transcript */
}

/* ---- the whole explanation table, in one language ---- */

/* Every text of the table in a fixed order (NULL where there is none), copied. */
static size_t collect(char **out)
{
	size_t n = 0;
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		const char *k = explain_call_type((enum sp_call)c, SOCK_STREAM);
		const char *d = explain_call_type((enum sp_call)c, SOCK_DGRAM);
		out[n++] = k ? strdup(k) : NULL;
		out[n++] = d ? strdup(d) : NULL;
	}
	for (size_t i = 0; consts_errno_at(i); i++) {
		int e = consts_errno_from_name(consts_errno_at(i));
		const char *m = explain_errno(e);
		out[n++] = m ? strdup(m) : NULL;
		for (int c = SP_CALL_NONE; c < SP_CALL_COUNT && n < MAX_TEXTS; c++) {
			const char *l = explain_mistake((enum sp_call)c, e);
			out[n++] = l ? strdup(l) : NULL;
		}
	}
	assert_true(n < MAX_TEXTS);
	return n;
}

static void free_texts(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

/* ---- tests ---- */

static void test_lang_names(void **state)
{
	(void)state;
	assert_string_equal(i18n_lang_name("en"), "en");
	assert_string_equal(i18n_lang_name("en_US"), "en");
	assert_string_equal(i18n_lang_name("zh"), "zh");
	assert_string_equal(i18n_lang_name("zh_CN"), "zh");
	assert_string_equal(i18n_lang_name("zh-CN"), "zh");
	assert_null(i18n_lang_name("fr"));
	assert_null(i18n_lang_name("zh_TW")); /* there is no Traditional catalogue */
	assert_null(i18n_lang_name(""));
	assert_null(i18n_lang_name(NULL));
}

static void test_catalogue_found_in_tree(void **state)
{
	(void)state;
	char real[PATH_MAX];
	if (!have_catalogue())
		skip(); /* built without msgfmt */
	use("zh");
	assert_non_null(realpath("build/locale", real));
	assert_string_equal(i18n_localedir(), real);
	use("en");
	assert_string_equal(i18n_localedir(), real);
}

static void test_default_from_environment(void **state)
{
	(void)state;
	char msg[256];
	if (!have_catalogue())
		skip();
	/* LANG=zh_CN.UTF-8, whether or not that locale is generated here */
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "zh_CN.UTF-8", 1);
	setlocale(LC_ALL, "C");
	if (!setlocale(LC_ALL, ""))
		setlocale(LC_ALL, "C");
	assert_int_equal(i18n_init(NULL, msg, sizeof msg), 0);
	assert_string_equal(i18n_lang(), "zh");
	assert_true(has_cjk(explain_call(SP_CALL_LISTEN)));

	/* LANG=C: English, the LANGUAGE gettext would ignore there as well */
	unsetenv("LANGUAGE");
	setenv("LANG", "C", 1);
	setlocale(LC_ALL, "C");
	assert_int_equal(i18n_init(NULL, msg, sizeof msg), 0);
	assert_string_equal(i18n_lang(), "en");
	assert_false(has_cjk(explain_call(SP_CALL_LISTEN)));

	/* --lang zh under LANG=C: works without a zh_CN locale */
	use("zh");
	assert_true(has_cjk(explain_call(SP_CALL_LISTEN)));
	use("en");
	assert_false(has_cjk(explain_call(SP_CALL_LISTEN)));
}

/* Every call and errno the demos produce has its text in English and in Chinese. */
static void test_demos_explained_in_both(void **state)
{
	(void)state;
	struct produced pr;
	char en[2048], zh[2048];
	int calls = 0, errs = 0;

	if (!have_catalogue())
		skip();
	scan_all(&pr);
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		if (!pr.call[c])
			continue;
		calls++;
		for (int t = 0; t < 2; t++) {
			int type = t ? SOCK_DGRAM : SOCK_STREAM;
			use("en");
			snprintf(en, sizeof en, "%s", explain_call_type((enum sp_call)c, type));
			use("zh");
			snprintf(zh, sizeof zh, "%s", explain_call_type((enum sp_call)c, type));
			if (!has_cjk(zh) || strcmp(en, zh) == 0)
				fail_msg("%s() is not explained in Chinese: %s", call_name((enum sp_call)c), zh);
			assert_terms_kept(en, zh);
		}
	}
	for (int e = 1; e < 256; e++) {
		if (!pr.err[e])
			continue;
		errs++;
		use("en");
		const char *m = explain_errno(e);
		if (!m)
			fail_msg("%s has no English explanation", consts_errno_name(e));
		snprintf(en, sizeof en, "%s", m);
		use("zh");
		m = explain_errno(e);
		if (!m || !has_cjk(m) || strcmp(m, en) == 0)
			fail_msg("%s is not explained in Chinese: %s", consts_errno_name(e), m ? m : "(null)");
		assert_terms_kept(en, m);
		/* the likely mistake behind each failure the demos show */
		for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
			if (!pr.pair[c][e])
				continue;
			use("en");
			const char *l = explain_mistake((enum sp_call)c, e);
			snprintf(en, sizeof en, "%s", l ? l : "");
			use("zh");
			l = explain_mistake((enum sp_call)c, e);
			if (en[0] && (!l || !has_cjk(l) || strcmp(l, en) == 0))
				fail_msg("%s() %s: the likely mistake is not in Chinese", call_name((enum sp_call)c),
					 consts_errno_name(e));
			/* and the whole step, as the TUI and --explain show it */
			explain_step((enum sp_call)c, -1, e, zh, sizeof zh);
			assert_contains(zh, consts_errno_name(e));
			assert_contains(zh, "Python: ");
			assert_contains(zh, "\nC: ");
			if (en[0])
				assert_contains(zh, "可能原因");
		}
	}
	/* what the demos teach: the tutorial's calls and the classic failures */
	assert_true(calls >= 10);
	assert_true(errs >= 6);
	assert_true(pr.err[ECONNREFUSED] && pr.err[EADDRINUSE] && pr.err[EAGAIN] && pr.err[EINPROGRESS]);
	use("en");
}

/* The whole table: where English has a text, Chinese has its own, with the same C names. */
static void test_table_translated(void **state)
{
	(void)state;
	static char *en[MAX_TEXTS], *zh[MAX_TEXTS];
	if (!have_catalogue())
		skip();
	use("en");
	size_t n = collect(en);
	use("zh");
	assert_int_equal(collect(zh), n);
	size_t texts = 0;
	for (size_t i = 0; i < n; i++) {
		if (!en[i]) {
			assert_null(zh[i]);
			continue;
		}
		texts++;
		assert_non_null(zh[i]);
		if (!has_cjk(zh[i]) || strcmp(en[i], zh[i]) == 0)
			fail_msg("untranslated: %s", en[i]);
		assert_terms_kept(en[i], zh[i]);
	}
	assert_true(texts > 100);
	free_texts(en, n);
	free_texts(zh, n);
	use("en");
}

/* The Python and C lines are code: the same in every language. */
static void test_code_untranslated(void **state)
{
	(void)state;
	char en[2048], zh[2048];
	if (!have_catalogue())
		skip();
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		use("en");
		explain_step((enum sp_call)c, 0, 0, en, sizeof en);
		use("zh");
		explain_step((enum sp_call)c, 0, 0, zh, sizeof zh);
		const char *pe = strstr(en, "\nPython: "), *pz = strstr(zh, "\nPython: ");
		assert_non_null(pe);
		assert_non_null(pz);
		assert_string_equal(pe, pz);
	}
	use("en");
}

/* Transcript call lines are read by graders: identical in every language, strerror included. */
static void test_transcript_same_in_every_language(void **state)
{
	(void)state;
	struct sp_event ev = { .kind = SP_EV_CALL, .actor = "client", .call = SP_CALL_CONNECT,
			       .text = "connect(3, 127.0.0.1:9)", .ret = -1, .err = ECONNREFUSED,
			       .fd = 3, .socktype = SOCK_STREAM, .state = -1, .ok = 1 };
	char line[256], *buf = NULL;
	size_t len = 0;
	const char *want = "connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)";

	if (!have_catalogue())
		skip();
	use("en");
	transcript_call_text(&ev, line, sizeof line);
	assert_string_equal(line, want);
	use("zh");
	transcript_call_text(&ev, line, sizeof line);
	assert_string_equal(line, want);

	/* with --explain the call line stays, the explanation under it is Chinese */
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	struct transcript t = { .fp = fp, .format = TRANSCRIPT_TEXT, .file = "x.sp", .explain = 1 };
	transcript_event(&t, &ev);
	struct sp_event fail = { .kind = SP_EV_FAIL, .line = 7, .text = "expected 0, got -1 ECONNREFUSED" };
	transcript_event(&t, &fail);
	fclose(fp);
	assert_contains(buf, "[client] connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)\n");
	assert_contains(buf, "    ECONNREFUSED：");
	assert_contains(buf, "连接被拒绝");
	assert_contains(buf, "x.sp:7: expectation failed: ");
	free(buf);

	/* JSON: keys, errno and strerror as in English */
	buf = NULL;
	fp = open_memstream(&buf, &len);
	t.fp = fp;
	t.format = TRANSCRIPT_JSON;
	t.explain = 0;
	transcript_event(&t, &ev);
	fclose(fp);
	assert_contains(buf, "\"errno\":\"ECONNREFUSED\",\"strerror\":\"Connection refused\"");
	free(buf);
	use("en");
}

/* Script errors: the message in the user's language, "FILE:LINE:COL: error:" and the names as they are. */
static void test_script_diagnostics(void **state)
{
	(void)state;
	struct sp_stmt st;
	struct sp_diag dg;
	struct sp_scope *scope = script_scope_new();
	assert_non_null(scope);
	if (!have_catalogue()) {
		script_scope_free(scope);
		skip();
	}
	script_scope_define(scope, "server", "s");

	use("zh");
	memset(&st, 0, sizeof st);
	assert_int_equal(script_parse_line("server: lisen(s, 5)", scope, &st, &dg), -1);
	assert_string_equal(dg.msg, "未知的调用 'lisen'；你是指 'listen' 吗？");
	assert_int_equal(script_parse_line("server: listen(s, 5, 6)", scope, &st, &dg), -1);
	assert_string_equal(dg.msg, "listen() 需要 1 到 2 个参数，实际给了 3 个");
	assert_int_equal(script_parse_line("server: listen(s, conn)", scope, &st, &dg), -1);
	assert_contains(dg.msg, "listen() 的第 2 个参数应为");
	assert_int_equal(script_parse_line("client: close(s)", scope, &st, &dg), -1);
	assert_string_equal(dg.msg, "角色 client 没有定义 's'；它属于角色 server（名字按角色区分）");

	char *buf = NULL;
	size_t len = 0;
	struct sp_script *sc = NULL;
	struct sp_diags diags = { 0 };
	const char *text = "server: s = socket(AF_INET, SOCK_STREAM)\nserver: bind(s, \"127.0.0.1:80\")\n";
	assert_int_equal(script_parse("lab.sp", text, strlen(text), &sc, &diags), -1);
	FILE *fp = open_memstream(&buf, &len);
	script_diags_print(fp, "lab.sp", &diags);
	fclose(fp);
	assert_contains(buf, "lab.sp:2:17: error: bind() 的第 2 个参数应为一个地址；写的时候不要加引号\n");
	free(buf);
	script_diags_clear(&diags);

	use("en");
	assert_int_equal(script_parse_line("server: lisen(s, 5)", scope, &st, &dg), -1);
	assert_string_equal(dg.msg, "unknown call 'lisen'; did you mean 'listen'?");
	script_scope_free(scope);
}

/* The TUI's words: call names stay, the rest is Chinese; format strings keep their conversions. */
static void test_tui_texts(void **state)
{
	(void)state;
	if (!have_catalogue())
		skip();
	use("zh");
	assert_string_equal(tui_action_bar(TUI_A_SOCKET), "socket");
	assert_string_equal(tui_action_bar(TUI_A_ACCEPT), "accept");
	assert_true(has_cjk(tui_action_bar(TUI_A_HELP)));
	assert_true(has_cjk(tui_action_help(TUI_A_LISTEN)));
	assert_contains(tui_action_help(TUI_A_LISTEN), "listen(s, 5)");
	assert_string_equal(tui_text(TX_EXPLAIN), "讲解");
	for (int id = 0; id < TX_COUNT; id++) {
		const char *zh = tui_text((enum tui_text)id);
		assert_true(zh[0] != '\0');
		assert_null(strstr(zh, "Project-Id-Version")); /* never the catalogue's header */
	}
	/* a recorded interruption stays a comment of the script */
	assert_true(tui_text(TX_INTERRUPTED_REC)[0] == '#');
	use("en");
	assert_string_equal(tui_text(TX_EXPLAIN), "explain");
	assert_string_equal(tui_action_bar(TUI_A_HELP), "help");
}

/* Without a catalogue: English, and a warning when Chinese was asked for. */
static void test_english_without_catalogue(void **state)
{
	(void)state;
	char msg[256];
	assert_int_equal(i18n_init("en", msg, sizeof msg), 0);
	assert_string_equal(msg, "");
	assert_string_equal(i18n_lang(), "en");
	assert_string_equal(explain_errno(ECONNREFUSED),
			    "The connection was refused: the other side answered with RST because nothing "
			    "listens at that address and port.");
	if (have_catalogue())
		return;
	assert_int_equal(i18n_init("zh", msg, sizeof msg), -1);
	assert_contains(msg, "English");
	assert_string_equal(i18n_lang(), "en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_names),
		cmocka_unit_test(test_catalogue_found_in_tree),
		cmocka_unit_test(test_default_from_environment),
		cmocka_unit_test(test_demos_explained_in_both),
		cmocka_unit_test(test_table_translated),
		cmocka_unit_test(test_code_untranslated),
		cmocka_unit_test(test_transcript_same_in_every_language),
		cmocka_unit_test(test_script_diagnostics),
		cmocka_unit_test(test_tui_texts),
		cmocka_unit_test(test_english_without_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
