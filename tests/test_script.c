/* test_script.c -- the .sp parser, its diagnostics, the formatter and the cursor. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/grow.h"
#include "sockplay/script.h"
#include "sockplay/text.h"
#include "sockplay/wire.h"

/* ---------------------------------------------------------------- helpers */

/* Parse TEXT, which must be valid; prints the diagnostics when it is not. */
static struct sp_script *parse_ok(const char *text)
{
	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	int r = script_parse("t.sp", text, strlen(text), &s, &d);
	if (r != 0)
		script_diags_print(stderr, "t.sp", &d);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_non_null(s);
	script_diags_clear(&d);
	return s;
}

/* Parse TEXT (LEN bytes), which must fail; the first diagnostic must match. */
static void parse_bad_n(const char *text, size_t len, int line, int col, const char *msg)
{
	struct sp_script *s = (struct sp_script *)0x1;
	struct sp_diags d = { 0 };
	int r = script_parse("t.sp", text, len, &s, &d);
	assert_int_equal(r, -1);
	assert_ptr_equal(s, (struct sp_script *)0x1); /* untouched */
	assert_true(d.n >= 1);
	if (strstr(d.v[0].msg, msg) == NULL || d.v[0].line != line || d.v[0].col != col) {
		fprintf(stderr, "want %d:%d: %s\n", line, col, msg);
		script_diags_print(stderr, "t.sp", &d);
	}
	assert_int_equal(d.v[0].line, line);
	assert_int_equal(d.v[0].col, col);
	assert_non_null(strstr(d.v[0].msg, msg));
	script_diags_clear(&d);
}

static void parse_bad(const char *text, int line, int col, const char *msg)
{
	parse_bad_n(text, strlen(text), line, col, msg);
}

/* The message of the first error in TEXT, whose whole text must be MSG. */
static void parse_bad_exact(const char *text, int line, int col, const char *msg)
{
	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("t.sp", text, strlen(text), &s, &d), -1);
	assert_true(d.n >= 1);
	assert_string_equal(d.v[0].msg, msg);
	assert_int_equal(d.v[0].line, line);
	assert_int_equal(d.v[0].col, col);
	script_diags_clear(&d);
}

/* A server with s, conn and a client with c: the usual prelude. */
#define PRELUDE                                            \
	"server: s = socket(AF_INET, SOCK_STREAM)\n"       \
	"server: conn = accept(s)\n"                       \
	"client: c = socket(AF_INET, SOCK_STREAM)\n"

static struct sp_scope *prelude_scope(void)
{
	struct sp_scope *sc = script_scope_new();
	assert_non_null(sc);
	script_scope_define(sc, "server", "s");
	script_scope_define(sc, "server", "conn");
	script_scope_define(sc, "client", "c");
	return sc;
}

/* ------------------------------------------------------------- call table */

static void test_call_table(void **state)
{
	(void)state;
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		const char *n = call_name((enum sp_call)c);
		assert_non_null(n);
		assert_int_equal(call_from_name(n), c);
		assert_true(call_min_args((enum sp_call)c) >= 1);
		assert_true(call_max_args((enum sp_call)c) <= SP_MAX_ARGS);
		assert_true(call_min_args((enum sp_call)c) <= call_max_args((enum sp_call)c));
	}
	assert_null(call_name(SP_CALL_NONE));
	assert_null(call_name(SP_CALL_COUNT));
	assert_int_equal(call_from_name("lisen"), SP_CALL_NONE);
	assert_int_equal(call_from_name(""), SP_CALL_NONE);
	assert_int_equal(call_from_name("LISTEN"), SP_CALL_NONE);
	assert_string_equal(call_name(SP_CALL_SETSOCKOPT), "setsockopt");
	assert_int_equal(call_min_args(SP_CALL_LISTEN), 1);
	assert_int_equal(call_max_args(SP_CALL_LISTEN), 2);
	assert_int_equal(call_max_args(SP_CALL_SENDTO), 4);
	assert_int_equal(call_min_args(SP_CALL_NONE), 0);
	assert_true(call_may_block(SP_CALL_ACCEPT));
	assert_true(call_may_block(SP_CALL_CONNECT));
	assert_true(call_may_block(SP_CALL_RECV));
	assert_true(call_may_block(SP_CALL_RECVFROM));
	assert_true(call_may_block(SP_CALL_SEND));
	assert_true(call_may_block(SP_CALL_SENDTO));
	assert_false(call_may_block(SP_CALL_CLOSE));
	assert_false(call_may_block(SP_CALL_LISTEN));
	assert_false(call_may_block(SP_CALL_NONE));
	assert_false(call_takes_fd(SP_CALL_SOCKET));
	assert_true(call_takes_fd(SP_CALL_CLOSE));
	assert_true(call_takes_fd(SP_CALL_NONBLOCK));
	assert_false(call_takes_fd(SP_CALL_NONE));
}

/* Every row of the call table is whole: its template names only its arguments, its positions fit. */
static void call_table_rows_are_whole(void **state)
{
	(void)state;
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		const struct call_info *ci = call_info((enum sp_call)c);
		assert_non_null(ci);
		assert_non_null(ci->text);
		assert_int_equal(strncmp(ci->text, ci->name, strlen(ci->name)), 0);
		for (const char *t = ci->text; *t; t++)
			if (*t == '$')
				assert_true(t[1] >= '0' && t[1] < '0' + ci->max);
		for (int i = 0; i < ci->max; i++)
			assert_int_not_equal(ci->args[i].sh, CALL_SH_NONE);
		assert_int_equal(ci->fd_arg >= 0, call_takes_fd((enum sp_call)c));
		if ((ci->flags & CALL_F_BLOCKS) && !(ci->flags & CALL_F_READY)) /* poll, select: their list's */
			assert_int_not_equal(ci->poll, 0);
		const signed char pos[] = { ci->fd_arg, ci->addr_arg, ci->data_arg, ci->flags_arg, ci->num_arg,
					    ci->opt_arg };
		for (size_t i = 0; i < sizeof pos; i++)
			assert_true(pos[i] < ci->max);
	}
	assert_null(call_info(SP_CALL_NONE));
	assert_null(call_info(SP_CALL_COUNT));
}

/* The parser gives unwritten arguments their defaults; the statement still reads as written. */
static void defaults_are_filled(void **state)
{
	(void)state;
	static const struct { const char *line; int i; long long def; const char *text, *back; } cases[] = {
		{ "server: listen(s)", 1, 128, "listen(3, 128)", "server: listen(s)" },
		{ "server: nonblock(s)", 1, 1, "nonblock(3, 1)", "server: nonblock(s)" },
		{ "server: send(s, \"hi\")", 2, 0, "send(3, \"hi\", 2)", "server: send(s, \"hi\")" },
		{ "server: recv(s, 10)", 2, 0, "recv(3, 10)", "server: recv(s, 10)" },
		{ "server: getsockname(s)", 1, 0, "getsockname(3)", "server: getsockname(s)" },
		{ "server: t = socket(AF_INET, SOCK_DGRAM)", 2, 0, "socket(AF_INET, SOCK_DGRAM, 0)",
		  "server: t = socket(AF_INET, SOCK_DGRAM)" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct sp_scope *sc = script_scope_new();
		script_scope_define(sc, "server", "s");
		struct sp_stmt st;
		struct sp_diag dg;
		assert_int_equal(script_parse_line(cases[k].line, sc, &st, &dg), 0);
		assert_int_equal(st.nargs, cases[k].i);
		assert_int_equal(st.args[cases[k].i].num, cases[k].def);
		char buf[256];
		struct call_text_in in = { .fd = "3", .addr = "-" };
		call_format(&st, &in, buf, sizeof buf);
		assert_string_equal(buf, cases[k].text);
		script_stmt_format(&st, buf, sizeof buf);
		assert_string_equal(buf, cases[k].back);
		script_stmt_clear(&st);
		script_scope_free(sc);
	}
}

/* ------------------------------------------------------------ valid input */

static const char hello[] =
	"# The tutorial's server and client, step by step.\n"
	"title \"Hello, client!\"\n"
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: setsockopt(s, SO_REUSEADDR, 1)\n"
	"server: bind(s, 127.0.0.1:8888)\n"
	"server: listen(s, 5)\n"
	"client: c = socket(AF_INET, SOCK_STREAM)\n"
	"say \"The client connects: watch the three-way handshake on the wire.\"\n"
	"client: connect(c, 127.0.0.1:8888) = 0\n"
	"server: conn = accept(s)\n"
	"server: send(conn, \"Hello, client!\")\n"
	"client: recv(c, 1024) = 14 \"Hello, client!\"\n"
	"client: close(c)\n"
	"server: recv(conn, 1024) = 0\n"
	"expect server conn CLOSE_WAIT\n"
	"server: close(conn)\n"
	"server: close(s)\n";

static void test_hello(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(hello);
	assert_string_equal(s->file, "t.sp");
	assert_string_equal(s->title, "Hello, client!");
	assert_int_equal(s->n, 16);
	assert_int_equal(s->nsteps, 16);

	const struct sp_stmt *st = &s->stmts[0];
	assert_int_equal(st->kind, SP_ST_TITLE);
	assert_int_equal(st->line, 2);
	assert_string_equal(st->source, "title \"Hello, client!\"");

	st = &s->stmts[1];
	assert_int_equal(st->kind, SP_ST_CALL);
	assert_int_equal(st->line, 3);
	assert_int_equal(st->col, 1);
	assert_string_equal(st->actor, "server");
	assert_string_equal(st->assign, "s");
	assert_int_equal(st->call, SP_CALL_SOCKET);
	assert_int_equal(st->nargs, 2);
	assert_int_equal(st->args[0].kind, SP_ARG_CONST);
	assert_int_equal(st->args[0].num, AF_INET);
	assert_string_equal(st->args[0].name, "AF_INET");
	assert_int_equal(st->args[0].line, 3);
	assert_int_equal(st->args[0].col, 20);
	assert_int_equal(st->args[1].num, SOCK_STREAM);
	assert_int_equal(st->args[1].col, 29);
	assert_false(st->expect.present);
	assert_string_equal(st->source, "server: s = socket(AF_INET, SOCK_STREAM)");

	st = &s->stmts[2];
	assert_int_equal(st->call, SP_CALL_SETSOCKOPT);
	assert_int_equal(st->args[0].kind, SP_ARG_SOCK);
	assert_string_equal(st->args[0].name, "s");
	assert_int_equal(st->args[1].kind, SP_ARG_CONST);
	assert_string_equal(st->args[1].name, "SO_REUSEADDR");
	assert_int_equal(consts_opt_at((size_t)st->args[1].num)->optname, SO_REUSEADDR);
	assert_int_equal(st->args[2].kind, SP_ARG_INT);
	assert_int_equal(st->args[2].num, 1);

	st = &s->stmts[3];
	assert_int_equal(st->call, SP_CALL_BIND);
	assert_int_equal(st->args[1].kind, SP_ARG_ADDR);
	assert_int_equal(st->args[1].addr.kind, SP_ADDR_IP);
	assert_true(st->args[1].addr.has_v4);
	assert_false(st->args[1].addr.has_v6);
	assert_int_equal(st->args[1].addr.v4.s_addr, htonl(0x7f000001));
	assert_int_equal(st->args[1].addr.port, 8888);
	assert_string_equal(st->args[1].addr.text, "127.0.0.1:8888");

	st = &s->stmts[4];
	assert_int_equal(st->call, SP_CALL_LISTEN);
	assert_int_equal(st->args[1].kind, SP_ARG_INT);
	assert_int_equal(st->args[1].num, 5);

	st = &s->stmts[6];
	assert_int_equal(st->kind, SP_ST_SAY);
	assert_string_equal(st->text, "The client connects: watch the three-way handshake on the wire.");

	st = &s->stmts[7];
	assert_true(st->expect.present);
	assert_int_equal(st->expect.ret, 0);
	assert_false(st->expect.any_error);
	assert_int_equal(st->expect.err, 0);

	st = &s->stmts[8];
	assert_string_equal(st->assign, "conn");
	assert_int_equal(st->call, SP_CALL_ACCEPT);

	st = &s->stmts[9];
	assert_int_equal(st->call, SP_CALL_SEND);
	assert_int_equal(st->nargs, 2);
	assert_int_equal(st->args[1].kind, SP_ARG_DATA);
	assert_int_equal(st->args[1].data.unit_len, 14);
	assert_int_equal(st->args[1].data.count, 1);
	assert_memory_equal(st->args[1].data.unit, "Hello, client!", 14);

	st = &s->stmts[10];
	assert_int_equal(st->call, SP_CALL_RECV);
	assert_string_equal(st->actor, "client");
	assert_int_equal(st->args[1].kind, SP_ARG_INT);
	assert_int_equal(st->args[1].num, 1024);
	assert_int_equal(st->expect.ret, 14);
	assert_true(st->expect.has_data);
	assert_int_equal(st->expect.data.unit_len, 14);
	assert_memory_equal(st->expect.data.unit, "Hello, client!", 14);

	st = &s->stmts[13];
	assert_int_equal(st->kind, SP_ST_EXPECT);
	assert_string_equal(st->actor, "server");
	assert_string_equal(st->name, "conn");
	assert_int_equal(st->state, 8); /* TCP_CLOSE_WAIT */
	script_free(s);
}

static void test_socket_forms(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(
		"server: a = socket(AF_INET6, SOCK_DGRAM)\n"
		"server: b = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)\n"
		"server: c = socket(AF_INET, SOCK_STREAM, 0)\n"
		"server: d = socket(AF_INET, SOCK_DGRAM, 17)\n"
		"server: e = socket(AF_UNIX, SOCK_STREAM)\n"
		"server:f=socket( AF_INET ,SOCK_DGRAM , IPPROTO_UDP )\n");
	assert_int_equal(s->n, 6);
	assert_int_equal(s->stmts[0].args[0].num, AF_INET6);
	assert_int_equal(s->stmts[0].args[1].num, SOCK_DGRAM);
	assert_int_equal(s->stmts[1].nargs, 3);
	assert_int_equal(s->stmts[1].args[2].kind, SP_ARG_CONST);
	assert_int_equal(s->stmts[1].args[2].num, 6);
	assert_int_equal(s->stmts[2].args[2].kind, SP_ARG_INT);
	assert_int_equal(s->stmts[2].args[2].num, 0);
	assert_int_equal(s->stmts[3].args[2].num, 17);
	assert_int_equal(s->stmts[4].args[0].num, AF_UNIX);
	assert_string_equal(s->stmts[5].assign, "f");
	assert_int_equal(s->stmts[5].args[2].num, 17);
	assert_int_equal(s->stmts[5].args[0].col, 18);
	script_free(s);
}

static void test_calls_all(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"server: listen(s)\n"                                  /* 3 */
		"server: listen(s, 0)\n"
		"server: listen(s, -1)\n"
		"client: connect(c, [::1]:8888)\n"
		"client: send(c, \"x\", MSG_DONTWAIT)\n"               /* 7 */
		"client: recv(c, 0)\n"
		"client: recv(c, 100, MSG_PEEK|MSG_DONTWAIT)\n"
		"client: sendto(c, \"hi\", 127.0.0.1:53)\n"            /* 10 */
		"client: sendto(c, \"hi\", 127.0.0.1:53, 0)\n"
		"client: recvfrom(c, 512)\n"
		"client: recvfrom(c, 512, MSG_WAITALL)\n"
		"server: shutdown(conn, SHUT_WR)\n"                    /* 14 */
		"server: shutdown(conn, SHUT_RD)\n"
		"server: shutdown(conn, SHUT_RDWR)\n"
		"server: setsockopt(s, SO_LINGER, 1, 0)\n"             /* 17 */
		"server: setsockopt(s, SO_RCVBUF, 65536)\n"
		"server: setsockopt(s, TCP_NODELAY, 1)\n"
		"server: getsockopt(s, SO_ERROR)\n"                    /* 20 */
		"server: getsockopt(s, SO_TYPE)\n"
		"server: nonblock(s)\n"                                /* 22 */
		"server: nonblock(s, 0)\n"
		"server: nonblock(s, 1)\n"
		"server: close(3)\n"                                   /* 25 */
		"client: close(c)\n");
	const struct sp_stmt *v = s->stmts;
	assert_int_equal(s->n, 27);
	assert_int_equal(v[3].nargs, 1);
	assert_int_equal(v[4].args[1].num, 0);
	assert_int_equal(v[5].args[1].num, -1);
	assert_int_equal(v[6].args[1].addr.kind, SP_ADDR_IP);
	assert_true(v[6].args[1].addr.has_v6);
	assert_false(v[6].args[1].addr.has_v4);
	assert_true(IN6_IS_ADDR_LOOPBACK(&v[6].args[1].addr.v6));
	assert_int_equal(v[7].args[2].kind, SP_ARG_FLAGS);
	assert_int_equal(v[7].args[2].num, MSG_DONTWAIT);
	assert_int_equal(v[8].args[1].num, 0);
	assert_int_equal(v[9].args[2].num, MSG_PEEK | MSG_DONTWAIT);
	assert_int_equal(v[10].call, SP_CALL_SENDTO);
	assert_int_equal(v[10].nargs, 3);
	assert_int_equal(v[10].args[2].addr.port, 53);
	assert_int_equal(v[11].args[3].kind, SP_ARG_FLAGS);
	assert_int_equal(v[11].args[3].num, 0);
	assert_int_equal(v[12].call, SP_CALL_RECVFROM);
	assert_int_equal(v[13].args[2].num, MSG_WAITALL);
	assert_int_equal(v[14].args[1].kind, SP_ARG_CONST);
	assert_int_equal(v[14].args[1].num, SHUT_WR);
	assert_string_equal(v[14].args[1].name, "SHUT_WR");
	assert_int_equal(v[15].args[1].num, SHUT_RD);
	assert_int_equal(v[16].args[1].num, SHUT_RDWR);
	assert_int_equal(v[17].nargs, 4);
	assert_int_equal(consts_opt_at((size_t)v[17].args[1].num)->kind, SP_OPT_LINGER);
	assert_int_equal(v[17].args[2].num, 1);
	assert_int_equal(v[17].args[3].num, 0);
	assert_int_equal(v[18].args[2].num, 65536);
	assert_string_equal(consts_opt_at((size_t)v[19].args[1].num)->name, "TCP_NODELAY");
	assert_string_equal(consts_opt_at((size_t)v[20].args[1].num)->name, "SO_ERROR");
	assert_int_equal(v[20].call, SP_CALL_GETSOCKOPT);
	assert_string_equal(v[21].args[1].name, "SO_TYPE");
	assert_int_equal(v[22].nargs, 1);
	assert_int_equal(v[23].args[1].num, 0);
	assert_int_equal(v[24].args[1].num, 1);
	assert_int_equal(v[25].args[0].kind, SP_ARG_SOCK);
	assert_string_equal(v[25].args[0].name, "");
	assert_int_equal(v[25].args[0].num, 3);
	assert_string_equal(v[26].args[0].name, "c");
	script_free(s);
}

static void test_addresses(void **state)
{
	(void)state;
	char path107[200], abs107[200];
	memset(path107, 'p', 107);
	path107[0] = '/';
	path107[107] = '\0';
	abs107[0] = '@';
	memset(abs107 + 1, 'a', 107);
	abs107[108] = '\0';
	char text[2048];
	snprintf(text, sizeof text,
		 "server: s = socket(AF_INET, SOCK_STREAM)\n"
		 "server: bind(s, 0.0.0.0:0)\n"             /* 1 */
		 "server: bind(s, 255.255.255.255:65535)\n"
		 "server: bind(s, [::]:80)\n"
		 "server: bind(s, [fe80::1:2]:1)\n"
		 "server: bind(s, *:8888)\n"                 /* 5 */
		 "server: bind(s, :0)\n"
		 "server: bind(s, /tmp/sp.sock)\n"
		 "server: bind(s, @hidden)\n"
		 "server: bind(s, %s)\n"                     /* 9 */
		 "server: bind(s, %s)\n"
		 "server: connect(s, addr(s))\n"             /* 11 */
		 "client: c = socket(AF_INET, SOCK_STREAM)\n"
		 "client: connect(c, server.addr(s))\n"      /* 13 */
		 "client: connect(c, client.addr( c ))\n"
		 "client: connect(c, localhost:8888)\n",     /* 15 */
		 path107, abs107);
	struct sp_script *sc = parse_ok(text);
	const struct sp_stmt *v = sc->stmts;
	const struct sp_addr *a;

	a = &v[1].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_IP);
	assert_int_equal(a->v4.s_addr, htonl(0));
	assert_int_equal(a->port, 0);
	a = &v[2].args[1].addr;
	assert_int_equal(a->v4.s_addr, htonl(0xffffffff));
	assert_int_equal(a->port, 65535);
	a = &v[3].args[1].addr;
	assert_true(a->has_v6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&a->v6));
	assert_int_equal(a->port, 80);
	a = &v[4].args[1].addr;
	assert_int_equal(a->v6.s6_addr[0], 0xfe);
	assert_int_equal(a->v6.s6_addr[13], 1);
	assert_int_equal(a->v6.s6_addr[15], 2);
	a = &v[5].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_ANY);
	assert_int_equal(a->port, 8888);
	assert_string_equal(a->text, "*:8888");
	a = &v[6].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_ANY);
	assert_int_equal(a->port, 0);
	a = &v[7].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_UNIX);
	assert_false(a->abstract);
	assert_string_equal(a->path, "/tmp/sp.sock");
	a = &v[8].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_UNIX);
	assert_true(a->abstract);
	assert_string_equal(a->path, "hidden");
	assert_string_equal(a->text, "@hidden");
	assert_int_equal(strlen(v[9].args[1].addr.path), 107);
	assert_int_equal(strlen(v[10].args[1].addr.path), 107);
	assert_true(v[10].args[1].addr.abstract);
	a = &v[11].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_OF);
	assert_string_equal(a->actor, "");
	assert_string_equal(a->name, "s");
	assert_string_equal(a->text, "addr(s)");
	a = &v[13].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_OF);
	assert_string_equal(a->actor, "server");
	assert_string_equal(a->name, "s");
	a = &v[14].args[1].addr;
	assert_string_equal(a->actor, "client");
	assert_string_equal(a->name, "c");
	a = &v[15].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_IP);
	assert_int_equal(a->port, 8888);
	assert_string_equal(a->host, "localhost"); /* kept as written: resolved when it runs */
	assert_false(a->has_v4 || a->has_v6);
	assert_string_equal(a->text, "localhost:8888");
	script_free(sc);
}

/* Parsing looks up no name: one that cannot resolve parses, kept as written, in a script and at the prompt. */
static void test_names_unresolved(void **state)
{
	(void)state;
	struct sp_script *sc = parse_ok(PRELUDE "client: connect(c, nosuchhost:80)\n"
					"server: bind(s, foo.invalid:8888)\n");
	const struct sp_addr *a = &sc->stmts[3].args[1].addr;
	assert_int_equal(a->kind, SP_ADDR_IP);
	assert_string_equal(a->host, "nosuchhost");
	assert_int_equal(a->port, 80);
	assert_false(a->has_v4 || a->has_v6);
	a = &sc->stmts[4].args[1].addr;
	assert_string_equal(a->host, "foo.invalid");
	assert_false(a->has_v4 || a->has_v6);
	/* numeric addresses are no names */
	struct sp_script *num = parse_ok(PRELUDE "server: bind(s, 127.0.0.1:80)\nserver: bind(s, [::1]:80)\n");
	assert_string_equal(num->stmts[3].args[1].addr.host, "");
	assert_true(num->stmts[3].args[1].addr.has_v4);
	assert_string_equal(num->stmts[4].args[1].addr.host, "");
	assert_true(num->stmts[4].args[1].addr.has_v6);
	script_free(num);

	struct sp_scope *scope = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	assert_int_equal(script_parse_line("client: c = socket(AF_INET, SOCK_STREAM)", scope, &st, &dg), 0);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("client: connect(c, lab-server.example:80)", scope, &st, &dg), 0);
	assert_string_equal(st.args[1].addr.host, "lab-server.example");
	assert_false(st.args[1].addr.has_v4 || st.args[1].addr.has_v6);
	char line[128];
	script_stmt_format(&st, line, sizeof line);
	assert_string_equal(line, "client: connect(c, lab-server.example:80)");
	script_stmt_clear(&st);
	script_scope_free(scope);
	script_free(sc);
}

/* The lookup the session makes when the call runs: the sandbox's rule, .invalid answered without asking. */
static void test_addr_resolve(void **state)
{
	(void)state;
	struct sp_script *sc = parse_ok(PRELUDE "client: connect(c, LocalHost.:80)\n"
					"client: connect(c, lab-server.example:80)\n"
					"client: connect(c, foo.invalid:80)\n"
					"client: connect(c, 10.0.0.1:80)\n");
	struct sp_addr a = sc->stmts[3].args[1].addr;
	const char *why = NULL;
	assert_int_equal(script_addr_resolve(&a, 1, &why), 0);
	assert_true(a.has_v4 && a.has_v6);
	assert_int_equal(a.v4.s_addr, htonl(INADDR_LOOPBACK));
	assert_true(IN6_IS_ADDR_LOOPBACK(&a.v6));
	a = sc->stmts[4].args[1].addr;
	assert_int_equal(script_addr_resolve(&a, 1, &why), -1);
	assert_non_null(strstr(why, "the sandbox has only lo"));
	a = sc->stmts[5].args[1].addr;
	assert_int_equal(script_addr_resolve(&a, 0, &why), -1);
	assert_string_equal(why, "Name or service not known");
	a = sc->stmts[6].args[1].addr; /* nothing to look up: unchanged */
	assert_int_equal(script_addr_resolve(&a, 1, &why), 0);
	assert_true(a.has_v4 && !a.has_v6);
	assert_int_equal(a.v4.s_addr, htonl(0x0a000001));
	assert_true(script_host_is_localhost("localhost"));
	assert_true(script_host_is_localhost("a.localhost."));
	assert_false(script_host_is_localhost("localhost.example"));
	assert_false(script_host_is_localhost("xlocalhost"));
	script_free(sc);
}

/* The one cell measure (the caret line's and the screen's), by its table outside a UTF-8 locale. */
static void test_text_cells(void **state)
{
	(void)state;
	assert_int_equal(text_cells("abc", 3), 3);
	assert_int_equal(text_cells("a\xe4\xb8\xad\xe6\x96\x87" "b", 8), 6); /* a中文b */
	assert_int_equal(text_cells("e\xcc\x81", 3), 1);                 /* e + combining acute */
	assert_int_equal(text_cells("\xff\xfe", 2), 2);                   /* invalid bytes: 1 each */
	assert_int_equal(text_cells("ab\0cd", 5), 2);                      /* up to a NUL */
	assert_int_equal(text_cp_cells(0x1b), -1);
	assert_int_equal(text_cp_cells(0x200b), 0);
	assert_int_equal(text_cp_cells(0xff01), 2);
}

/* The bounded writer the formatter and the explanation's code lines share: snprintf's contract. */
static void test_text_buf(void **state)
{
	(void)state;
	char buf[8];
	struct text_buf b = { buf, sizeof buf, 0 };
	text_buf_puts(&b, "abc");
	text_buf_printf(&b, "%d", 42);
	assert_string_equal(buf, "abc42");
	assert_int_equal(text_buf_used(&b), 5);
	text_buf_printf(&b, "%s", "xyz-more");
	assert_string_equal(buf, "abc42xy"); /* cut, NUL-terminated, never past SIZE */
	assert_int_equal(b.len, 13);         /* the length it needed */
	assert_int_equal(text_buf_used(&b), 7);
	text_buf_put(&b, "q", 1);
	assert_string_equal(buf, "abc42xy");
	struct text_buf none = { NULL, 0, 0 };
	text_buf_printf(&none, "%s", "count only");
	assert_int_equal(none.len, 10);
	assert_int_equal(text_buf_used(&none), 0);
}

/* The array-growth helper: room when full, doubling, and an overflow refused with the array kept. */
static void test_grow_array(void **state)
{
	(void)state;
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 100; i++) {
		int *nv = grow_array(v, n, &cap, sizeof *v, 4);
		assert_non_null(nv);
		v = nv;
		v[n++] = i;
		assert_true(n <= cap);
	}
	assert_int_equal(cap, 128); /* 4, 8, ..., 128 */
	for (int i = 0; i < 100; i++)
		assert_int_equal(v[i], i);
	assert_ptr_equal(grow_array(v, 100, &cap, sizeof *v, 4), v); /* room left: no realloc */
	size_t big = SIZE_MAX / 2 + 1;
	assert_null(grow_array(v, big, &big, sizeof *v, 4));     /* the doubled size overflows */
	assert_int_equal(big, SIZE_MAX / 2 + 1);
	assert_int_equal(v[99], 99);
	free(v);
}

static void test_bad_addresses(void **state)
{
	(void)state;
	char line[400];
	parse_bad(PRELUDE "server: bind(s, 999.1.1.1:80)\n", 4, 17, "invalid IPv4 address '999.1.1.1'");
	parse_bad(PRELUDE "server: bind(s, 1.2.3:80)\n", 4, 17, "invalid IPv4 address '1.2.3'");
	parse_bad(PRELUDE "server: bind(s, 1.2.3.4.5:80)\n", 4, 17, "invalid IPv4 address");
	parse_bad(PRELUDE "server: bind(s, 01.2.3.4:80)\n", 4, 17, "invalid IPv4 address");
	parse_bad(PRELUDE "server: bind(s, 1..3.4:80)\n", 4, 17, "invalid IPv4 address");
	parse_bad(PRELUDE "server: bind(s, 1234:80)\n", 4, 17, "invalid IPv4 address");
	parse_bad_exact(PRELUDE "server: bind(s, 127.0.0.1:70000)\n", 4, 27,
			"port 70000 out of range 0-65535");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1:99999999999999999999)\n", 4, 27,
		  "out of range 0-65535");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1:8a)\n", 4, 27, "invalid port '8a'");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1:-1)\n", 4, 27, "invalid port '-1'");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1:)\n", 4, 27, "missing port after ':'");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1)\n", 4, 26, "missing port: write 127.0.0.1:PORT");
	parse_bad(PRELUDE "server: bind(s, localhost)\n", 4, 26, "missing port");
	parse_bad(PRELUDE "server: bind(s, [::1)\n", 4, 17, "missing ']'");
	parse_bad(PRELUDE "server: bind(s, [::1])\n", 4, 22, "missing port after ']'");
	parse_bad(PRELUDE "server: bind(s, [::1]8888)\n", 4, 22, "missing port after ']'");
	parse_bad(PRELUDE "server: bind(s, [::zz]:80)\n", 4, 18, "invalid IPv6 address '::zz'");
	parse_bad(PRELUDE "server: bind(s, [1.2.3.4]:80)\n", 4, 18, "invalid IPv6 address");
	parse_bad(PRELUDE "server: bind(s, ::1:80)\n", 4, 17, "goes in brackets");
	parse_bad(PRELUDE "server: bind(s, *8888)\n", 4, 18, "expected ':PORT' after '*'");
	parse_bad(PRELUDE "server: bind(s, *:x)\n", 4, 19, "invalid port 'x'");
	parse_bad(PRELUDE "server: bind(s, @)\n", 4, 17, "empty abstract socket name");
	parse_bad(PRELUDE "server: bind(s, 127.0.0.1 :80)\n", 4, 26, "unexpected space");
	parse_bad(PRELUDE "server: bind(s, ho$t:80)\n", 4, 19, "invalid host name 'ho$t'");
	parse_bad(PRELUDE "server: bind(s, \"127.0.0.1:80\")\n", 4, 17,
		  "bind() takes an address as argument 2; write it without quotes");
	parse_bad(PRELUDE "server: connect(s, s)\n", 4, 20,
		  "'s' is a socket; for the address it is bound to write addr(s)");
	parse_bad(PRELUDE "server: connect(s, addr(x))\n", 4, 25, "'x' is not defined for actor server");
	parse_bad(PRELUDE "client: connect(c, addr(s))\n", 4, 25,
		  "'s' is not defined for actor client; it belongs to actor server");
	parse_bad(PRELUDE "client: connect(c, server.addr(c))\n", 4, 32,
		  "'c' is not defined for actor server; it belongs to actor client");
	parse_bad(PRELUDE "client: connect(c, addr(s, c))\n", 4, 26, "expected ')'");
	parse_bad(PRELUDE "client: connect(c, addr(c)x)\n", 4, 27, "unexpected 'x' after addr()");

	/* UNIX paths: 107 bytes fit sun_path, 108 do not */
	memset(line, 0, sizeof line);
	strcpy(line, PRELUDE "server: bind(s, /");
	memset(line + strlen(line), 'p', 107);
	strcat(line, ")\n");
	parse_bad(line, 4, 17, "UNIX socket path too long: 108 bytes (at most 107)");
	memset(line, 0, sizeof line);
	strcpy(line, PRELUDE "server: bind(s, @");
	memset(line + strlen(line), 'a', 108);
	strcat(line, ")\n");
	parse_bad(line, 4, 17, "abstract socket name too long: 108 bytes");
}

static void test_data(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"server: send(conn, \"a\\n\\r\\t\\0\\\\\\\"\\x41\\xfF'\\'\")\n"
		"server: send(conn, \"x\" * 100000)\n"
		"server: send(conn, \"\")\n"
		"server: send(conn, \"ab\"*3)\n"
		"server: send(conn, \"\\x00\\x00\" * 2, 0)\n"
		"server: send(conn, \"a#b, c) d\") # a comment, with \"quotes\"\n"
		"server: send(conn, \"\xe4\xbd\xa0\xe5\xa5\xbd\")\n"
		"server: send(conn, \"x\" * 268435456)\n"
		"server: send(conn, \"ab\" * 134217728)\n");
	const struct sp_data *d = &s->stmts[3].args[1].data;
	assert_int_equal(d->unit_len, 11);
	assert_memory_equal(d->unit, "a\n\r\t\0\\\"A\xff''", 11);
	assert_int_equal(d->count, 1);
	d = &s->stmts[4].args[1].data;
	assert_int_equal(d->unit_len, 1);
	assert_int_equal(d->count, 100000);
	d = &s->stmts[5].args[1].data;
	assert_int_equal(d->unit_len, 0);
	assert_int_equal(d->count, 1);
	d = &s->stmts[6].args[1].data;
	assert_int_equal(d->count, 3);
	assert_memory_equal(d->unit, "ab", 2);
	d = &s->stmts[7].args[1].data;
	assert_int_equal(d->unit_len, 2);
	assert_memory_equal(d->unit, "\0\0", 2);
	assert_int_equal(d->count, 2);
	d = &s->stmts[8].args[1].data;
	assert_int_equal(d->unit_len, 9);
	assert_memory_equal(d->unit, "a#b, c) d", 9);
	assert_int_equal(s->stmts[8].nargs, 2);
	d = &s->stmts[9].args[1].data;
	assert_int_equal(d->unit_len, 6); /* UTF-8 bytes as written */
	assert_int_equal(s->stmts[10].args[1].data.count, 268435456);
	assert_int_equal(s->stmts[11].args[1].data.count, 134217728);
	script_free(s);
}

static void test_bad_data(void **state)
{
	(void)state;
	parse_bad_exact(PRELUDE "server: send(conn, \"ab\\qc\")\n", 4, 23,
			"unknown escape '\\q'; use \\n \\r \\t \\0 \\\\ \\\" or \\xHH");
	parse_bad(PRELUDE "server: send(conn, \"\\x4\")\n", 4, 21, "'\\x' needs two hex digits");
	parse_bad(PRELUDE "server: send(conn, \"\\xg1\")\n", 4, 21, "'\\x' needs two hex digits");
	parse_bad(PRELUDE "server: send(conn, \"abc)\n", 4, 20, "unterminated string");
	parse_bad(PRELUDE "server: send(conn, \"abc\\\")\n", 4, 20, "unterminated string");
	parse_bad(PRELUDE "server: send(conn, \"x\" * 0)\n", 4, 26, "must be at least 1");
	parse_bad(PRELUDE "server: send(conn, \"x\" *)\n", 4, 25, "expected a count after '*'");
	parse_bad(PRELUDE "server: send(conn, \"x\" * y)\n", 4, 26, "expected a count after '*'");
	parse_bad_exact(PRELUDE "server: send(conn, \"x\" * 10000000000)\n", 4, 26,
			"data too large: 10000000000 bytes (limit 256 MiB)");
	parse_bad(PRELUDE "server: send(conn, \"x\" * 268435457)\n", 4, 26,
		  "data too large: 268435457 bytes");
	parse_bad(PRELUDE "server: send(conn, \"abcd\" * 4611686018427387904)\n", 4, 29,
		  "data too large: more than 18446744073709551615 bytes (limit 256 MiB)");
	parse_bad(PRELUDE "server: send(conn, \"x\" * 99999999999999999999999)\n", 4, 26,
		  "data too large");
	parse_bad(PRELUDE "server: send(conn, \"x\" y)\n", 4, 24, "unexpected 'y' after the data");
	parse_bad(PRELUDE "server: send(conn, \"a\x01\")\n", 4, 22, "control character U+0001");
	parse_bad(PRELUDE "server: send(conn, \"a\x1b[2J\")\n", 4, 22, "control character U+001B");
	parse_bad(PRELUDE "server: send(conn, \"\xc2\x9b\")\n", 4, 21, "control character U+009B");
	parse_bad_exact(PRELUDE "server: send(conn, 5)\n", 4, 20,
			"send() takes data (a \"string\") as argument 2");
}

static void test_flags(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"client: recv(c, 10, MSG_OOB | MSG_WAITALL)\n"
		"client: recv(c, 10, 0)\n"
		"client: recv(c, 10, MSG_PEEK|MSG_PEEK)\n");
	assert_int_equal(s->stmts[3].args[2].num, MSG_OOB | MSG_WAITALL);
	assert_int_equal(s->stmts[4].args[2].kind, SP_ARG_FLAGS);
	assert_int_equal(s->stmts[4].args[2].num, 0);
	assert_int_equal(s->stmts[5].args[2].num, MSG_PEEK);
	script_free(s);

	parse_bad_exact(PRELUDE "client: recv(c, 10, MSG_PEK)\n", 4, 21,
			"unknown flag 'MSG_PEK'; did you mean 'MSG_PEEK'?");
	parse_bad(PRELUDE "client: recv(c, 10, MSG_XYZZY)\n", 4, 21,
		  "unknown flag 'MSG_XYZZY' (expected MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_OOB, MSG_MORE or MSG_TRUNC)");
	parse_bad(PRELUDE "client: recv(c, 10, MSG_PEEK|)\n", 4, 30, "expected a flag after '|'");
	parse_bad(PRELUDE "client: recv(c, 10, MSG_PEEK MSG_OOB)\n", 4, 30, "join flags with '|'");
	parse_bad(PRELUDE "client: recv(c, 10, \"x\")\n", 4, 21, "recv() takes flags");
	parse_bad(PRELUDE "client: recv(c, 10, -1)\n", 4, 21, "recv() takes flags");
}

static void test_int_args(void **state)
{
	(void)state;
	char text[200];
	parse_bad_exact(PRELUDE "server: listen(s, \"x\")\n", 4, 19,
			"listen() takes a backlog number as argument 2");
	parse_bad(PRELUDE "server: listen(s, conn)\n", 4, 19, "listen() takes a backlog number as argument 2");
	parse_bad(PRELUDE "server: listen(s, 5x)\n", 4, 19, "listen() takes a backlog number");
	parse_bad(PRELUDE "server: listen(s, 99999999999)\n", 4, 19, "out of range for an int");
	parse_bad(PRELUDE "client: recv(c, -1)\n", 4, 17, "recv() length -1 out of range 0-67108864");
	snprintf(text, sizeof text, PRELUDE "client: recv(c, %u)\n", SP_RECV_MAX + 1);
	parse_bad(text, 4, 17, "recv() length 67108865 out of range");
	snprintf(text, sizeof text, PRELUDE "client: recvfrom(c, %u)\n", SP_RECV_MAX);
	script_free(parse_ok(text));
	parse_bad(PRELUDE "client: recv(c, x)\n", 4, 17, "recv() takes a length as argument 2");
	parse_bad_exact(PRELUDE "server: nonblock(s, 2)\n", 4, 21, "nonblock() takes 0 or 1 as argument 2");
	parse_bad(PRELUDE "server: setsockopt(s, SO_RCVBUF, big)\n", 4, 34,
		  "setsockopt() takes an option value as argument 3");
	parse_bad(PRELUDE "server: close(-1)\n", 4, 15, "a socket number must be 0 to 2147483647");
	parse_bad(PRELUDE "server: close(99999999999)\n", 4, 15, "a socket number must be 0");
	parse_bad(PRELUDE "server: close(\"s\")\n", 4, 15, "close() takes a socket as argument 1");
	parse_bad(PRELUDE "server: close(3x)\n", 4, 15, "close() takes a socket as argument 1");
}

static void test_constants(void **state)
{
	(void)state;
	parse_bad_exact("server: s = socket(AF_INT, SOCK_STREAM)\n", 1, 20,
			"unknown constant 'AF_INT'; did you mean 'AF_INET'?");
	parse_bad("server: s = socket(af_inet, SOCK_STREAM)\n", 1, 20, "did you mean 'AF_INET'?");
	parse_bad("server: s = socket(AF_INET, SOCK_STEAM)\n", 1, 29,
		  "unknown constant 'SOCK_STEAM'; did you mean 'SOCK_STREAM'?");
	parse_bad("server: s = socket(AF_PACKET, SOCK_STREAM)\n", 1, 20,
		  "unknown constant 'AF_PACKET' (expected AF_INET, AF_INET6 or AF_UNIX)");
	parse_bad_exact("server: s = socket(SOCK_STREAM, AF_INET)\n", 1, 20,
			"socket() takes an address family as argument 1, not SOCK_STREAM");
	parse_bad("server: s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCB)\n", 1, 42,
		  "did you mean 'IPPROTO_TCP'?");
	parse_bad("server: s = socket(AF_INET, SOCK_STREAM, -6)\n", 1, 42,
		  "socket() takes a protocol as argument 3");
	parse_bad("server: s = socket(2, SOCK_STREAM)\n", 1, 20,
		  "socket() takes an address family as argument 1");
	parse_bad(PRELUDE "server: shutdown(conn, SHUT_WT)\n", 4, 24, "did you mean 'SHUT_WR'?");
	parse_bad(PRELUDE "server: shutdown(conn, 1)\n", 4, 24,
		  "shutdown() takes SHUT_RD, SHUT_WR or SHUT_RDWR as argument 2");
	parse_bad(PRELUDE "server: shutdown(conn, MSG_PEEK)\n", 4, 24, "as argument 2, not MSG_PEEK");
	parse_bad(PRELUDE "server: shutdown(conn, SHUT_XYZZY)\n", 4, 24,
		  "(expected SHUT_RD, SHUT_WR or SHUT_RDWR)");
}

static void test_sockopts(void **state)
{
	(void)state;
	parse_bad_exact(PRELUDE "server: setsockopt(s, SO_ERROR, 1)\n", 4, 23,
			"SO_ERROR is read-only; read it with getsockopt()");
	parse_bad(PRELUDE "server: setsockopt(s, SO_TYPE, 1)\n", 4, 23, "SO_TYPE is read-only");
	parse_bad(PRELUDE "server: setsockopt(s, SO_LINGER, 1)\n", 4, 35, "SO_LINGER takes two values");
	parse_bad_exact(PRELUDE "server: setsockopt(s, SO_RCVBUF, 1, 2)\n", 4, 37,
			"SO_RCVBUF takes one value, got 2");
	parse_bad_exact(PRELUDE "server: setsockopt(s, SO_REUSEADR, 1)\n", 4, 23,
			"unknown socket option 'SO_REUSEADR'; did you mean 'SO_REUSEADDR'?");
	parse_bad(PRELUDE "server: getsockopt(s, SO_FROB)\n", 4, 23, "unknown socket option 'SO_FROB'");
	parse_bad(PRELUDE "server: getsockopt(s, AF_INET)\n", 4, 23,
		  "getsockopt() takes a socket option as argument 2, not AF_INET");
	parse_bad(PRELUDE "server: getsockopt(s, 4)\n", 4, 23, "getsockopt() takes a socket option");
}

static void test_arity(void **state)
{
	(void)state;
	parse_bad_exact(PRELUDE "server: listen(s, 5, 6)\n", 4, 22, "listen() takes 1 to 2 arguments, got 3");
	parse_bad_exact(PRELUDE "server: accept(s, s)\n", 4, 19, "accept() takes 1 argument, got 2");
	parse_bad_exact(PRELUDE "server: bind(s)\n", 4, 15, "bind() takes 2 arguments, got 1");
	parse_bad_exact(PRELUDE "server: close()\n", 4, 15, "close() takes 1 argument, got 0");
	parse_bad_exact(PRELUDE "server: getsockname(s, s)\n", 4, 24, "getsockname() takes 1 argument, got 2");
	parse_bad_exact(PRELUDE "server: getsockname()\n", 4, 21, "getsockname() takes 1 argument, got 0");
	parse_bad(PRELUDE "server: getsockname(\"s\")\n", 4, 21, "getsockname() takes a socket as argument 1");
	parse_bad(PRELUDE "server: getsocknam(s)\n", 4, 9, "unknown call 'getsocknam'; did you mean 'getsockname'?");
	parse_bad(PRELUDE "server: close( )\n", 4, 16, "close() takes 1 argument, got 0");
	parse_bad(PRELUDE "client: sendto(c, \"x\", :1, 0, 1, 2)\n", 4, 31,
		  "sendto() takes 3 to 4 arguments, got 6");
	parse_bad(PRELUDE "server: listen(s,)\n", 4, 18, "missing argument 2");
	parse_bad(PRELUDE "server: listen(,s)\n", 4, 16, "missing argument 1");
	parse_bad(PRELUDE "server: listen(s, 5\n", 4, 20, "missing ')' to close 'listen('");
	parse_bad(PRELUDE "server: listen(s, 5 # no\n", 4, 21, "missing ')'");
	parse_bad(PRELUDE "server: listen s\n", 4, 16, "expected '(' after 'listen'");
}

static void test_calls_and_names(void **state)
{
	(void)state;
	parse_bad_exact(PRELUDE "server: lisen(s, 5)\n", 4, 9, "unknown call 'lisen'; did you mean 'listen'?");
	parse_bad(PRELUDE "server: Listen(s, 5)\n", 4, 9, "did you mean 'listen'?");
	parse_bad(PRELUDE "server: conect(s, :1)\n", 4, 9, "did you mean 'connect'?");
	parse_bad_exact(PRELUDE "server: frobnicate(s)\n", 4, 9, "unknown call 'frobnicate'");
	/* what someone who knows Python's socket module types first */
	parse_bad_exact(PRELUDE "server: s.listen(5)\n", 4, 9,
			"'s.listen()' is Python; here the socket is the first argument: listen(s, ...)");
	parse_bad_exact(PRELUDE "client: c.connect(('127.0.0.1', 8888))\n", 4, 9,
			"'c.connect()' is Python; here the socket is the first argument: connect(c, ...)");
	parse_bad_exact(PRELUDE "server: c2, addr = accept(s)\n", 4, 9,
			"one name takes the result here: 'conn = accept(s)' (the peer's address is shown with it)");
	parse_bad_exact(PRELUDE "client: receive(c, 10)\n", 4, 9, "unknown call 'receive'; did you mean 'recv'?");
	parse_bad_exact(PRELUDE "client: sendall(c, \"x\")\n", 4, 9, "unknown call 'sendall'; did you mean 'send'?");
	parse_bad_exact(PRELUDE "client: s.frob()\n", 4, 9, "unknown call 's'");
	parse_bad_exact(PRELUDE "server: x = close(s)\n", 4, 9,
			"only socket() and accept() return a socket to name");
	parse_bad_exact(PRELUDE "server: listen(x)\n", 4, 16, "'x' is not defined for actor server");
	parse_bad_exact(PRELUDE "server: listen(c)\n", 4, 16,
			"'c' is not defined for actor server; it belongs to actor client "
			"(names are per actor)");
	parse_bad_exact(PRELUDE "server: close(con)\n", 4, 15,
			"'con' is not defined for actor server; did you mean 'conn'?");
	parse_bad("server: listen(s)\nserver: s = socket(AF_INET, SOCK_STREAM)\n", 1, 16,
		  "'s' is not defined for actor server");
	/* a name is defined by its statement, not before: s = accept(s) needs an earlier s */
	parse_bad("server: s = accept(s)\n", 1, 20, "'s' is not defined");

	/* names are per actor; reassigning is fine */
	struct sp_script *s = parse_ok(
		"server: s = socket(AF_INET, SOCK_STREAM)\n"
		"client: s = socket(AF_INET, SOCK_STREAM)\n"
		"server: s = socket(AF_INET6, SOCK_STREAM)\n"
		"client2: s = socket(AF_INET, SOCK_STREAM)\n"
		"client2: connect(s, server.addr(s))\n"
		"server: close(s)\n");
	assert_int_equal(s->n, 6);
	assert_string_equal(s->stmts[3].actor, "client2");
	script_free(s);

	char name32[100];
	snprintf(name32, sizeof name32, "server: %s = socket(AF_INET, SOCK_STREAM)\n",
		 "abcdefghijklmnopqrstuvwxyz012345");
	parse_bad(name32, 1, 9, "is too long (at most 31 characters)");
	snprintf(name32, sizeof name32, "%s: s = socket(AF_INET, SOCK_STREAM)\n",
		 "abcdefghijklmnopqrstuvwxyz012345");
	parse_bad(name32, 1, 1, "is too long");
	snprintf(name32, sizeof name32, "server: %s = socket(AF_INET, SOCK_STREAM)\n",
		 "abcdefghijklmnopqrstuvwxyz01234");
	script_free(parse_ok(name32));
}

static void test_statement_shapes(void **state)
{
	(void)state;
	parse_bad_exact("socket(AF_INET, SOCK_STREAM)\n", 1, 1,
			"a call needs an actor, as in 'server: socket(...)'");
	parse_bad_exact("s = socket(AF_INET, SOCK_STREAM)\n", 1, 1,
			"a call needs an actor, as in 'server: s = socket(...)'");
	parse_bad_exact("server socket(AF_INET, SOCK_STREAM)\n", 1, 8, "missing ':' after actor 'server'");
	parse_bad_exact("titel \"x\"\n", 1, 1, "unknown statement 'titel'; did you mean 'title'?");
	parse_bad("hello\n", 1, 1, "unknown statement 'hello'; expected 'ACTOR: call(...)'");
	parse_bad("server:\n", 1, 8, "expected a call after 'server:'");
	parse_bad("server: s =\n", 1, 12, "expected a call after 's ='");
	parse_bad("server: 5\n", 1, 9, "unexpected '5' where a call belongs");
	parse_bad("  (x)\n", 1, 3, "unexpected '(' at the start of a statement");
	parse_bad("\xc3\xa9t\xc3\xa9\n", 1, 1, "unexpected U+00E9 at the start of a statement");
	parse_bad(PRELUDE "server: close(s) close(s)\n", 4, 18, "unexpected 'c' after the call");
	parse_bad("server: s = socket(AF_INET, SOCK_STREAM)\r\r\n", 1, 41, "unexpected U+000D");
}

static void test_expectations(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"client: connect(c, 127.0.0.1:9) = -1 ECONNREFUSED\n"
		"client: connect(c, 127.0.0.1:9) = -1\n"
		"client: recv(c, 10, MSG_DONTWAIT) = -1 EWOULDBLOCK\n"
		"client: recv(c, 100) = 6 \"ab\" * 3 # comment\n"
		"client: recvfrom(c, 100) = 0 \"\"\n"
		"server: accept(s)=4\n"
		"client: recv(c, 3) = 3\n");
	const struct sp_expect *e = &s->stmts[3].expect;
	assert_true(e->present);
	assert_int_equal(e->ret, -1);
	assert_int_equal(e->err, ECONNREFUSED);
	assert_false(e->any_error);
	e = &s->stmts[4].expect;
	assert_int_equal(e->ret, -1);
	assert_true(e->any_error);
	assert_int_equal(e->err, 0);
	assert_int_equal(s->stmts[5].expect.err, EAGAIN);
	e = &s->stmts[6].expect;
	assert_int_equal(e->ret, 6);
	assert_true(e->has_data);
	assert_int_equal(e->data.unit_len, 2);
	assert_int_equal(e->data.count, 3);
	e = &s->stmts[7].expect;
	assert_true(e->has_data);
	assert_int_equal(e->data.unit_len, 0);
	assert_int_equal(s->stmts[8].expect.ret, 4);
	script_free(s);

	parse_bad_exact(PRELUDE "client: connect(c, :9) = -1 ECONNREFUSE\n", 4, 29,
			"unknown errno 'ECONNREFUSE'; did you mean 'ECONNREFUSED'?");
	parse_bad(PRELUDE "client: connect(c, :9) = -1 EWOULDBLOK\n", 4, 29, "did you mean 'EWOULDBLOCK'?");
	parse_bad(PRELUDE "client: connect(c, :9) = -1 EXYZZY\n", 4, 29, "unknown errno 'EXYZZY'");
	parse_bad(PRELUDE "client: connect(c, :9) = 0 ECONNREFUSED\n", 4, 28, "an errno name only follows -1");
	parse_bad(PRELUDE "client: connect(c, :9) = -2\n", 4, 26, "a call returns -1 or a number >= 0");
	parse_bad(PRELUDE "client: connect(c, :9) =\n", 4, 25, "expected a return value after '='");
	parse_bad(PRELUDE "client: connect(c, :9) = x\n", 4, 26, "unexpected 'x' after '='");
	parse_bad(PRELUDE "client: connect(c, :9) = 0 0\n", 4, 28, "unexpected '0' after the call");
	parse_bad(PRELUDE "client: connect(c, :9) = 99999999999999999999\n", 4, 26, "a call returns -1");
	parse_bad(PRELUDE "client: send(c, \"ab\") = 2 \"ab\"\n", 4, 27,
		  "only recv() and recvfrom() return data to compare");
	parse_bad(PRELUDE "client: recv(c, 10) = -1 \"ab\"\n", 4, 26, "a call that fails returns no data");
	parse_bad_exact(PRELUDE "client: recv(c, 10) = 3 \"ab\"\n", 4, 25,
			"the expected data is 2 bytes but the count says 3");
	parse_bad_exact(PRELUDE "client: recv(c, 10) = 14\n", 4, 23,
			"recv() of at most 10 bytes cannot return 14");
	parse_bad(PRELUDE "client: recv(c, 10) = 2 \"a\\q\"\n", 4, 27, "unknown escape");
}

static void test_directives(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"title \"First \\\"one\\\"\"\n"
		"title \"Second\"\n"
		"say \"\xe4\xb8\x89\xe6\xac\xa1\xe6\x8f\xa1\xe6\x89\x8b\\nline two\\t# not a comment\" # one\n"
		"pause\n"
		"pause # why\n"
		"sleep 500ms\n"
		"sleep 1.5s\n"
		"sleep 2s\n"
		"sleep 250\n"
		"sleep 0\n"
		"sleep 60s\n"
		"sleep 60000 ms\n"
		"sleep 0.001s\n"
		"expect server conn ESTABLISHED\n"
		"expect client c CLOSED\n"
		"expect client c CLOSE\n"
		"expect server s LISTEN # a listener\n");
	const struct sp_stmt *v = s->stmts;
	assert_string_equal(s->title, "First \"one\"");
	assert_int_equal(v[3].kind, SP_ST_TITLE);
	assert_string_equal(v[4].text, "Second");
	assert_int_equal(v[5].kind, SP_ST_SAY);
	assert_string_equal(v[5].text, "\xe4\xb8\x89\xe6\xac\xa1\xe6\x8f\xa1\xe6\x89\x8b\nline two\t# not a comment");
	assert_int_equal(v[6].kind, SP_ST_PAUSE);
	assert_int_equal(v[7].kind, SP_ST_PAUSE);
	assert_int_equal(v[8].kind, SP_ST_SLEEP);
	assert_int_equal(v[8].sleep_ms, 500);
	assert_int_equal(v[9].sleep_ms, 1500);
	assert_int_equal(v[10].sleep_ms, 2000);
	assert_int_equal(v[11].sleep_ms, 250);
	assert_int_equal(v[12].sleep_ms, 0);
	assert_int_equal(v[13].sleep_ms, 60000);
	assert_int_equal(v[14].sleep_ms, 60000);
	assert_int_equal(v[15].sleep_ms, 1);
	assert_int_equal(v[16].kind, SP_ST_EXPECT);
	assert_int_equal(v[16].state, 1);
	assert_int_equal(v[17].state, 7);
	assert_int_equal(v[18].state, 7);
	assert_int_equal(v[19].state, 10);
	assert_string_equal(v[19].actor, "server");
	assert_string_equal(v[19].name, "s");
	script_free(s);

	parse_bad("title x\n", 1, 7, "title takes a \"string\"");
	parse_bad("say\n", 1, 4, "say takes a \"string\"");
	parse_bad("say \"a\" b\n", 1, 9, "unexpected 'b' after the string");
	parse_bad("say \"a\\x1b[2J\"\n", 1, 7, "text may not hold control characters");
	parse_bad("say \"a\\0\"\n", 1, 7, "text may not hold control characters");
	parse_bad("say \"\\xff\"\n", 1, 5, "text is not printable UTF-8");
	parse_bad("say \"\\xc2\\x9b\"\n", 1, 5, "text is not printable UTF-8");
	parse_bad("pause now\n", 1, 7, "unexpected 'n' after pause");
	parse_bad("sleep\n", 1, 6, "sleep takes a duration");
	parse_bad("sleep fast\n", 1, 7, "sleep takes a duration");
	parse_bad("sleep 61s\n", 1, 7, "sleep of 61s is longer than the limit of 60 s");
	parse_bad("sleep 60001ms\n", 1, 7, "longer than the limit of 60 s");
	parse_bad("sleep 99999999999999999999s\n", 1, 7, "longer than the limit");
	parse_bad("sleep 1.5\n", 1, 7, "sleep counts whole milliseconds; write 1.5s");
	parse_bad("sleep 1.5ms\n", 1, 7, "sleep counts whole milliseconds");
	parse_bad("sleep 1.0001s\n", 1, 12, "sleep counts whole milliseconds");
	parse_bad("sleep 1.s\n", 1, 9, "expected digits after '.'");
	parse_bad_exact("sleep 5min\n", 1, 8, "unknown unit 'min' (use ms or s)");
	parse_bad("sleep 5s later\n", 1, 10, "unexpected 'l' after the duration");
	parse_bad("expect\n", 1, 7, "expect takes ACTOR NAME STATE");
	parse_bad(PRELUDE "expect server\n", 4, 14, "expect takes ACTOR NAME STATE");
	parse_bad(PRELUDE "expect server conn\n", 4, 19, "expect takes ACTOR NAME STATE");
	parse_bad_exact(PRELUDE "expect server c CLOSED\n", 4, 15,
			"'c' is not defined for actor server; it belongs to actor client "
			"(names are per actor)");
	parse_bad_exact(PRELUDE "expect server conn CLOSE_WAT\n", 4, 20,
			"unknown TCP state 'CLOSE_WAT'; did you mean 'CLOSE_WAIT'?");
	parse_bad(PRELUDE "expect server conn ESTABLISH\n", 4, 20, "did you mean 'ESTABLISHED'?");
	parse_bad(PRELUDE "expect server conn HAPPY\n", 4, 20, "unknown TCP state 'HAPPY'");
	parse_bad(PRELUDE "expect server conn LISTEN now\n", 4, 27, "unexpected 'n' after the state");
	/* a slip of a side's name in expect ACTOR blocked|free: the side would not exist */
	parse_bad(PRELUDE "expect sevrer free\n", 4, 8, "no side 'sevrer' made a call before this line; "
		  "did you mean 'server'?");
	parse_bad(PRELUDE "expect severs blocked\n", 4, 8, "did you mean 'server'?");
	/* a wait with a timeout of 0 only looks: it cannot block */
	parse_bad(PRELUDE "server: poll(conn POLLIN, 0) <blocked> = 0 ()\n", 4, 30,
		  "poll() with a timeout of 0 returns at once; <blocked> cannot hold");
	parse_bad(PRELUDE "server: select(r: s, 0) <blocked>\n", 4, 25, "select() with a timeout of 0 returns at once");
}

static void test_repeat(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(
		"server: s = socket(AF_INET, SOCK_STREAM)\n"
		"repeat 3\n"
		"  client: c = socket(AF_INET, SOCK_STREAM)\n"
		"  repeat 2 # inner\n"
		"    say \"x\"\n"
		"  end\n"
		"  client: close(c)\n"
		"end\n"
		"client: close(c)\n");
	assert_int_equal(s->n, 3);
	assert_int_equal(s->nsteps, 1 + 3 * (1 + 2 + 1) + 1);
	const struct sp_stmt *r = &s->stmts[1];
	assert_int_equal(r->kind, SP_ST_REPEAT);
	assert_int_equal(r->repeat, 3);
	assert_int_equal(r->line, 2);
	assert_string_equal(r->source, "repeat 3");
	assert_int_equal(r->nbody, 3);
	assert_int_equal(r->body[0].col, 3);
	assert_int_equal(r->body[1].kind, SP_ST_REPEAT);
	assert_int_equal(r->body[1].nbody, 1);
	assert_string_equal(r->body[1].body[0].text, "x");
	assert_int_equal(r->body[1].body[0].line, 5);
	script_free(s);

	/* eight levels nest; nine do not */
	char text[1024] = "";
	for (int i = 0; i < 8; i++)
		strcat(text, "repeat 2\n");
	strcat(text, "pause\n");
	for (int i = 0; i < 8; i++)
		strcat(text, "end\n");
	s = parse_ok(text);
	assert_int_equal(s->nsteps, 256);
	script_free(s);
	strcpy(text, "");
	for (int i = 0; i < 9; i++)
		strcat(text, "repeat 2\n");
	strcat(text, "pause\n");
	for (int i = 0; i < 9; i++)
		strcat(text, "end\n");
	parse_bad(text, 9, 1, "repeat blocks nest at most 8 deep");
	/* errors in a repeat line do not make its end an error too */
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("t.sp", text, strlen(text), &s, &d), -1);
	assert_int_equal(d.n, 1);
	script_diags_clear(&d);
	const char *zero = "repeat 0\n  pause\nend\nrepeat x\nend\n";
	assert_int_equal(script_parse("t.sp", zero, strlen(zero), &s, &d), -1);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].line, 1);
	assert_int_equal(d.v[1].line, 4);
	script_diags_clear(&d);

	parse_bad_exact("pause\nrepeat 3\n  pause\n", 2, 1, "'repeat' without 'end'");
	parse_bad_exact("pause\nend\n", 2, 1, "'end' without 'repeat'");
	parse_bad("repeat 2\nend\n", 1, 1, "empty repeat block");
	parse_bad("repeat 0\npause\nend\n", 1, 8, "repeat count must be 1 to 1000000");
	parse_bad("repeat -3\npause\nend\n", 1, 8, "repeat count must be 1 to 1000000");
	parse_bad("repeat 1000001\npause\nend\n", 1, 8, "repeat count must be 1 to 1000000");
	parse_bad("repeat\npause\nend\n", 1, 7, "repeat takes a count");
	parse_bad("repeat many\npause\nend\n", 1, 8, "repeat takes a count");
	parse_bad("repeat 2 3\npause\nend\n", 1, 10, "unexpected '3' after the count");
	parse_bad("repeat 2\npause\nend now\nend\n", 3, 5, "unexpected 'n' after end");
	s = parse_ok("repeat 1000000\npause\nend\n");
	assert_int_equal(s->nsteps, 1000000);
	script_free(s);
}

static void test_actor_limit(void **state)
{
	(void)state;
	const char *ok8 =
		"server: s = socket(AF_INET, SOCK_STREAM)\n"
		"a3: s = socket(AF_INET, SOCK_STREAM)\n"
		"a4: s = socket(AF_INET, SOCK_STREAM)\n"
		"a5: s = socket(AF_INET, SOCK_STREAM)\n"
		"a6: s = socket(AF_INET, SOCK_STREAM)\n"
		"a7: s = socket(AF_INET, SOCK_STREAM)\n"
		"a8: s = socket(AF_INET, SOCK_STREAM)\n"
		"a8: close(s)\n";
	struct sp_script *s = parse_ok(ok8);
	script_free(s);
	char text[1024];
	snprintf(text, sizeof text, "%sa9: s = socket(AF_INET, SOCK_STREAM)\n", ok8);
	parse_bad(text, 9, 1, "too many actors: a script has at most 8, server and client included");
}

static void test_whole_file(void **state)
{
	(void)state;
	/* comments, blank lines, CRLF, a byte-order mark */
	struct sp_script *s = parse_ok("\xef\xbb\xbf# c\r\n\r\n   \t\r\nserver: s = socket(AF_INET, SOCK_STREAM)\r\npause");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->stmts[0].line, 4);
	assert_string_equal(s->stmts[0].source, "server: s = socket(AF_INET, SOCK_STREAM)");
	assert_int_equal(s->stmts[1].line, 5);
	assert_null(s->title);
	script_free(s);

	parse_bad_n("pause\nsay \"a\0b\"\n", 16, 2, 7, "NUL byte in the script");
	parse_bad_n("pause\n\0", 7, 2, 1, "NUL byte");
	parse_bad("pause\nsay \"caf\xe9\"\n", 2, 9, "invalid UTF-8 byte 0xe9");
	parse_bad("say \"\xc0\x80\"\n", 1, 6, "invalid UTF-8 byte 0xc0");     /* overlong */
	parse_bad("say \"\xed\xa0\x80\"\n", 1, 6, "invalid UTF-8 byte 0xed"); /* surrogate */
	parse_bad("say \"\xf4\x90\x80\x80\"\n", 1, 6, "invalid UTF-8");       /* > U+10FFFF */
	parse_bad("say \"\xe4\xb8\"\n", 1, 6, "invalid UTF-8");               /* truncated */

	parse_bad_exact("", 0, 0, "empty script: nothing to run");
	parse_bad_exact("# only a comment\n\n", 0, 0, "empty script: nothing to run");

	/* every error is reported, in line order, not only the first */
	struct sp_diags d = { 0 };
	const char *many = "lisen\nrepeat 2\npause\nserver: close(x)\nsleep 99s\n";
	assert_int_equal(script_parse("t.sp", many, strlen(many), &s, &d), -1);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[0].line, 1);
	assert_int_equal(d.v[1].line, 2);
	assert_string_equal(d.v[1].msg, "'repeat' without 'end'");
	assert_int_equal(d.v[2].line, 4);
	assert_int_equal(d.v[3].line, 5);
	assert_false(d.truncated);
	script_diags_clear(&d);

	/* at most 20 are kept */
	char text[2000] = "";
	for (int i = 0; i < 25; i++)
		strcat(text, "oops\n");
	assert_int_equal(script_parse("t.sp", text, strlen(text), &s, &d), -1);
	assert_int_equal(d.n, 20);
	assert_true(d.truncated);
	assert_int_equal(d.v[19].line, 20);
	script_diags_clear(&d);

	/* an error in a definition does not cascade into "not defined" later */
	const char *cascade = "server: s = socket(AF_INT, SOCK_STREAM)\nserver: close(s)\n";
	assert_int_equal(script_parse("t.sp", cascade, strlen(cascade), &s, &d), -1);
	assert_int_equal(d.n, 1);
	script_diags_clear(&d);
}

static void test_big_script(void **state)
{
	(void)state;
	/* many distinct names stay fast (the scope is hashed) */
	size_t n = 20000, cap = n * 64, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"server: s%zu = socket(AF_INET, SOCK_STREAM)\n", i);
	len += (size_t)snprintf(text + len, cap - len, "server: close(s0)\nserver: close(s19999)\n");
	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("big.sp", text, len, &s, &d), 0);
	assert_int_equal(s->n, n + 2);
	script_free(s);
	free(text);
}

/* --------------------------------------------------------- the prompt line */

static void test_parse_line(void **state)
{
	(void)state;
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;

	assert_int_equal(script_parse_line("server: s = socket(AF_INET, SOCK_STREAM)\n", sc, &st, &dg), 0);
	assert_int_equal(st.kind, SP_ST_CALL);
	assert_int_equal(st.line, 1);
	assert_string_equal(st.source, "server: s = socket(AF_INET, SOCK_STREAM)");
	assert_true(script_scope_has(sc, "server", "s"));
	assert_false(script_scope_has(sc, "client", "s"));
	script_stmt_clear(&st);

	/* a failed statement does not define its name */
	assert_int_equal(script_parse_line("client: c = socket(AF_INT, SOCK_STREAM)", sc, &st, &dg), -1);
	assert_false(script_scope_has(sc, "client", "c"));
	assert_int_equal(dg.line, 1);
	assert_int_equal(dg.col, 20);
	assert_string_equal(dg.msg, "unknown constant 'AF_INT'; did you mean 'AF_INET'?");
	assert_string_equal(dg.source, "client: c = socket(AF_INT, SOCK_STREAM)");
	assert_null(st.source);

	assert_int_equal(script_parse_line("server: listen(s, 5)", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("expect server s LISTEN", sc, &st, &dg), 0);
	assert_int_equal(st.kind, SP_ST_EXPECT);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("say \"hi\"", sc, &st, &dg), 0);
	assert_string_equal(st.text, "hi");
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("sleep 1s", sc, &st, &dg), 0);
	assert_int_equal(st.sleep_ms, 1000);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("pause", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("title \"T\"", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	/* no actor limit at the prompt: the session has the last word */
	assert_int_equal(script_parse_line("a9: x = socket(AF_INET, SOCK_STREAM)", sc, &st, &dg), 0);
	script_stmt_clear(&st);

	assert_int_equal(script_parse_line("repeat 3", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "repeat ... end only works in a script file");
	assert_int_equal(script_parse_line("end", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "repeat ... end only works in a script file");
	assert_int_equal(script_parse_line("", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "empty statement");
	assert_int_equal(script_parse_line("   # just a comment", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "empty statement");
	assert_int_equal(script_parse_line("pause\npause", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "one statement at a time");
	assert_int_equal(dg.col, 6);
	assert_int_equal(script_parse_line("say \"\xff\"", sc, &st, &dg), -1);
	assert_int_equal(dg.col, 6);
	assert_string_equal(dg.msg, "invalid UTF-8 byte 0xff");
	assert_int_equal(script_parse_line("client: connect(c, :1)", sc, &st, &dg), -1);
	assert_string_equal(dg.msg, "'c' is not defined for actor client");

	/* a seeded scope, as the TUI makes from its session */
	script_scope_define(sc, "client", "c");
	script_scope_define(sc, "client", "c"); /* twice is fine */
	assert_int_equal(script_parse_line("client: connect(c, server.addr(s)) = 0", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	script_scope_free(sc);

	/* without a scope, nothing is defined */
	assert_int_equal(script_parse_line("server: close(s)", NULL, &st, &dg), -1);
	assert_int_equal(script_parse_line("server: close(3)", NULL, &st, &dg), 0);
	script_stmt_clear(&st);
	script_scope_free(NULL);
	script_stmt_clear(NULL);
}

/* -------------------------------------------------------------- formatting */

/* Parse LINE at the prompt, format it, and expect WANT (LINE when NULL). */
static void roundtrip(struct sp_scope *sc, const char *line, const char *want)
{
	struct sp_stmt a, b;
	struct sp_diag dg;
	char buf[1024], buf2[1024];

	if (script_parse_line(line, sc, &a, &dg) != 0)
		fprintf(stderr, "%s\n%d: %s\n", line, dg.col, dg.msg);
	assert_int_equal(dg.msg[0], 0);
	int n = script_stmt_format(&a, buf, sizeof buf);
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, want ? want : line);
	/* and the formatted line parses back to the same statement */
	assert_int_equal(script_parse_line(buf, sc, &b, &dg), 0);
	assert_int_equal(script_stmt_format(&b, buf2, sizeof buf2), n);
	assert_string_equal(buf, buf2);
	assert_int_equal(a.kind, b.kind);
	assert_int_equal(a.call, b.call);
	assert_string_equal(a.assign, b.assign);
	assert_string_equal(a.assign2, b.assign2);
	assert_int_equal(a.nargs, b.nargs);
	for (int i = 0; i < a.nargs; i++) {
		assert_int_equal(a.args[i].kind, b.args[i].kind);
		assert_int_equal(a.args[i].num, b.args[i].num);
		assert_string_equal(a.args[i].name, b.args[i].name);
		assert_int_equal(a.args[i].data.unit_len, b.args[i].data.unit_len);
		assert_int_equal(a.args[i].data.count, b.args[i].data.count);
		if (a.args[i].data.unit_len)
			assert_memory_equal(a.args[i].data.unit, b.args[i].data.unit, a.args[i].data.unit_len);
		assert_int_equal(a.args[i].addr.kind, b.args[i].addr.kind);
		assert_int_equal(a.args[i].addr.port, b.args[i].addr.port);
	}
	assert_int_equal(a.expect.present, b.expect.present);
	assert_int_equal(a.expect.ret, b.expect.ret);
	assert_int_equal(a.expect.err, b.expect.err);
	assert_int_equal(a.expect.any_error, b.expect.any_error);
	assert_int_equal(a.sleep_ms, b.sleep_ms);
	assert_int_equal(a.state, b.state);
	if (a.text)
		assert_string_equal(a.text, b.text);
	script_stmt_clear(&a);
	script_stmt_clear(&b);
}

static void test_format_roundtrip(void **state)
{
	(void)state;
	struct sp_scope *sc = prelude_scope();
	roundtrip(sc, "server: s = socket(AF_INET, SOCK_STREAM)", NULL);
	roundtrip(sc, "server:s=socket(AF_INET6,SOCK_DGRAM,IPPROTO_UDP)",
		  "server: s = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)");
	roundtrip(sc, "server: s = socket(AF_UNIX, SOCK_STREAM, 0)", NULL);
	roundtrip(sc, "server: bind(s, 127.0.0.1:8888)", NULL);
	roundtrip(sc, "server: bind(s, [::1]:8888)", NULL);
	roundtrip(sc, "server: bind(s, *:0)", NULL);
	roundtrip(sc, "server: bind(s, :0)", NULL);
	roundtrip(sc, "server: bind(s, localhost:80)", NULL);
	roundtrip(sc, "server: bind(s, /tmp/x)", NULL);
	roundtrip(sc, "server: bind(s, @x)", NULL);
	roundtrip(sc, "client: connect(c, server.addr(s)) = -1 ECONNREFUSED", NULL);
	roundtrip(sc, "server: connect(s, addr(conn)) = -1", NULL);
	roundtrip(sc, "server: listen(s, 5)   # comment", "server: listen(s, 5)");
	roundtrip(sc, "server: conn = accept(s) = 4", NULL);
	roundtrip(sc, "server: send(conn, \"Hello, client!\\n\")", NULL);
	roundtrip(sc, "server: send(conn, \"x\" * 100000, MSG_DONTWAIT|MSG_OOB)",
		  "server: send(conn, \"x\" * 100000, MSG_DONTWAIT|MSG_OOB)");
	roundtrip(sc, "server: send(conn, \"\\0\\x7f\\\"\\\\\\r\\t'\\x1B\")",
		  "server: send(conn, \"\\x00\\x7f\\\"\\\\\\r\\t'\\x1b\")");
	roundtrip(sc, "server: send(conn, \"x\" * 1)", "server: send(conn, \"x\")");
	roundtrip(sc, "client: recv(c, 1024, MSG_PEEK) = 14 \"Hello, client!\"", NULL);
	roundtrip(sc, "client: recv(c, 10, 0) = -1 EWOULDBLOCK", "client: recv(c, 10, 0) = -1 EAGAIN");
	roundtrip(sc, "client: recvfrom(c, 9) = 9 \"abc\" * 3", NULL);
	roundtrip(sc, "client: sendto(c, \"q\", 127.0.0.1:53, 0)", NULL);
	roundtrip(sc, "server: shutdown(conn, SHUT_RDWR)", NULL);
	roundtrip(sc, "server: setsockopt(s, SO_LINGER, 1, 0)", NULL);
	roundtrip(sc, "server: setsockopt(s, SO_RCVBUF, -5)", NULL);
	roundtrip(sc, "server: getsockopt(s, SO_ERROR) = 0", NULL);
	roundtrip(sc, "server: nonblock(s, 0)", NULL);
	roundtrip(sc, "server: close(7)", NULL);
	roundtrip(sc, "server: getsockname(s) = 0", NULL);
	roundtrip(sc, "server:getsockname( 9 )=-1 EBADF", "server: getsockname(9) = -1 EBADF");
	roundtrip(sc, "expect client c TIME_WAIT", NULL);
	roundtrip(sc, "expect client c CLOSE", "expect client c CLOSED");
	roundtrip(sc, "title \"Hello \\\"world\\\"\"", NULL);
	roundtrip(sc, "say \"\xe4\xbd\xa0\xe5\xa5\xbd\\n\\ttab\\\\\"", NULL);
	roundtrip(sc, "say \"\\xe4\\xbd\\xa0\"", "say \"\xe4\xbd\xa0\"");
	roundtrip(sc, "pause", NULL);
	roundtrip(sc, "sleep 500ms", NULL);
	roundtrip(sc, "sleep 1.5s", "sleep 1500ms");
	roundtrip(sc, "sleep 2s", NULL);
	roundtrip(sc, "sleep 0", "sleep 0ms");
	script_scope_free(sc);
}

/* "(value X)" after getsockopt() and ioctl(): parsed by the option's kind, errors placed and suggested. */
static void test_values(void **state)
{
	(void)state;
	struct sp_script *sc = parse_ok(PRELUDE
		"client: getsockopt(c, SO_ERROR) = 0 (value ECONNREFUSED)\n"
		"client: getsockopt(c, SO_ERROR) = 0 (value 0)\n"
		"server: getsockopt(s, SO_RCVBUF) = 0 (value 131072)\n"
		"server: getsockopt(s, SO_REUSEADDR) = 0 (value on)\n"
		"server: getsockopt(s, SO_REUSEADDR) = 0 (value 0)\n"
		"server: getsockopt(s, SO_TYPE) = 0 (value SOCK_STREAM)\n"
		"server: getsockopt(s, SO_LINGER) = 0 (value on, 5 s)\n"
		"server: getsockopt(s, SO_RCVTIMEO) = 0 (value 1.5s)\n"
		"server: ioctl(conn, FIONREAD) = 0 (value 3)\n"
		"client: ioctl(c, SIOCOUTQ) = 0 ( value 0 )\n"
		"server: ioctl(conn, FIONBIO, 1) = 0\n"
		"server: setsockopt(s, SO_RCVTIMEO, 250ms)\n"
		"server: setsockopt(s, SO_SNDTIMEO, 2 s)\n"
		"server: setsockopt(s, IPV6_V6ONLY, 1)\n"
		"client: getpeername(c) = -1 ENOTCONN\n"
		"client: recv(c, 3, MSG_TRUNC) = 11 \"hel\"\n"
		"client: send(c, \"ab\", MSG_MORE)\n");
	const struct sp_stmt *v = sc->stmts;
	assert_true(v[3].expect.has_value);
	assert_int_equal(v[3].expect.value, ECONNREFUSED);
	assert_string_equal(v[3].expect.value_text, "ECONNREFUSED");
	assert_int_equal(v[4].expect.value, 0);
	assert_int_equal(v[5].expect.value, 131072);
	assert_true(v[6].expect.value_onoff);
	assert_int_equal(v[6].expect.value, 1);
	assert_false(v[7].expect.value_onoff);
	assert_int_equal(v[8].expect.value, SOCK_STREAM);
	assert_int_equal(v[9].expect.value, 1);
	assert_int_equal(v[9].expect.value_secs, 5);
	assert_string_equal(v[9].expect.value_text, "on, 5 s");
	assert_int_equal(v[10].expect.value, 1500);
	assert_int_equal(v[11].call, SP_CALL_IOCTL);
	assert_int_equal(v[11].args[1].num, FIONREAD);
	assert_int_equal(v[11].expect.value, 3);
	assert_int_equal(v[12].args[1].num, SIOCOUTQ);
	assert_int_equal(v[13].args[2].num, 1);
	assert_false(v[13].expect.has_value);
	assert_int_equal(v[14].args[2].num, 250);
	assert_int_equal(v[15].args[2].num, 2000);
	assert_int_equal(v[17].call, SP_CALL_GETPEERNAME);
	assert_int_equal(v[17].expect.err, ENOTCONN);
	assert_int_equal(v[18].args[2].num, MSG_TRUNC);
	assert_int_equal(v[19].args[2].num, MSG_MORE);
	script_free(sc);

	/* where each error is, and what was probably meant */
	parse_bad_exact(PRELUDE "client: getsockopt(c, SO_ERROR) = 0 (value ECONNREFUSD)\n", 4, 44,
			"unknown value 'ECONNREFUSD'; did you mean 'ECONNREFUSED'?");
	parse_bad_exact(PRELUDE "server: getsockopt(s, SO_REUSEADDR) = 0 (value onn)\n", 4, 48,
			"unknown value 'onn'; did you mean 'on'?");
	parse_bad_exact(PRELUDE "server: getsockopt(s, SO_TYPE) = 0 (value SOCK_STRAEM)\n", 4, 43,
			"unknown value 'SOCK_STRAEM'; did you mean 'SOCK_STREAM'?");
	parse_bad_exact(PRELUDE "server: getsockopt(s, SO_RCVBUF) = 0 (valeu 1)\n", 4, 39,
			"unknown word 'valeu'; did you mean 'value'?");
	parse_bad(PRELUDE "server: getsockopt(s, SO_RCVBUF) = 0 (1)\n", 4, 39, "expected 'value' after '('");
	parse_bad(PRELUDE "server: getsockopt(s, SO_RCVBUF) = 0 (value big)\n", 4, 45, "the value is a number here");
	parse_bad(PRELUDE "server: getsockopt(s, SO_RCVBUF) = 0 (value 1\n", 4, 46, "missing ')' after the value");
	parse_bad(PRELUDE "server: getsockopt(s, SO_RCVBUF) = 0 (value )\n", 4, 45, "expected a value after 'value'");
	parse_bad_exact(PRELUDE "server: getsockopt(s, SO_RCVBUF) = -1 EBADF (value 1)\n", 4, 45,
			"a call that fails reports no value");
	parse_bad_exact(PRELUDE "server: listen(s) = 0 (value 1)\n", 4, 23,
			"only getsockopt() and ioctl() report a value to compare; listen() reports none");
	parse_bad_exact(PRELUDE "server: ioctl(conn, FIONBIO, 1) = 0 (value 1)\n", 4, 37,
			"ioctl(FIONBIO) sets a value and reports none");
	parse_bad_exact(PRELUDE "server: ioctl(conn, FIONREED)\n", 4, 21,
			"unknown constant 'FIONREED'; did you mean 'FIONREAD'?");
	parse_bad(PRELUDE "server: ioctl(conn, FIONBIO)\n", 4, 28, "FIONBIO takes a value");
	parse_bad(PRELUDE "server: ioctl(conn, FIONREAD, 1)\n", 4, 31, "FIONREAD takes no value");
	parse_bad(PRELUDE "server: ioctl(conn, FIONBIO, 2)\n", 4, 30, "ioctl() takes 0 or 1 as argument 3");
	/* ioctl() asks only what a socket answers: no terminal's, no device's request */
	parse_bad(PRELUDE "server: ioctl(conn, TIOCSTI)\n", 4, 21, "unknown constant 'TIOCSTI'");
	parse_bad(PRELUDE "server: ioctl(conn, 21522)\n", 4, 21, "ioctl() takes FIONREAD, SIOCOUTQ or FIONBIO");
	parse_bad(PRELUDE "server: ioctl(conn, SO_ERROR)\n", 4, 21, "ioctl() takes FIONREAD, SIOCOUTQ or FIONBIO");
	parse_bad_exact(PRELUDE "server: setsockopt(s, SO_RCVTIMEO, 5min)\n", 4, 37, "unknown unit 'min' (use ms or s)");
	parse_bad(PRELUDE "server: setsockopt(s, SO_RCVTIMEO, -1)\n", 4, 36, "setsockopt() takes a duration as argument 3");
	parse_bad(PRELUDE "server: setsockopt(s, SO_RCVTIMEO, 1.5)\n", 4, 36, "a duration counts whole milliseconds");
	parse_bad(PRELUDE "server: setsockopt(s, IPV6_V6ONY, 1)\n", 4, 23, "did you mean 'IPV6_V6ONLY'?");
	parse_bad(PRELUDE "client: recv(c, 10, MSG_TRUC)\n", 4, 21, "unknown flag 'MSG_TRUC'; did you mean 'MSG_TRUNC'?");
	parse_bad(PRELUDE "client: getpeernam(c)\n", 4, 9, "did you mean 'getpeername'?");
	parse_bad(PRELUDE "client: recv(c, 3) = 11 \"hel\"\n", 4, 25, "the expected data is 3 bytes but the count says 11");
	parse_bad(PRELUDE "server: getsockopt(s, SO_LINGER) = 0 (value on, x)\n", 4, 49, "expected the seconds after ','");
}

/* Values, ioctl(), getpeername() and the new options survive format then parse. */
static void test_format_values(void **state)
{
	(void)state;
	struct sp_scope *sc = prelude_scope();
	roundtrip(sc, "client: getsockopt(c, SO_ERROR) = 0 (value ECONNREFUSED)", NULL);
	roundtrip(sc, "client: getsockopt(c, SO_ERROR) = 0 (value EWOULDBLOCK)",
		  "client: getsockopt(c, SO_ERROR) = 0 (value EAGAIN)");
	roundtrip(sc, "server: getsockopt(s, SO_RCVBUF) = 0 (value 131072)", NULL);
	roundtrip(sc, "server: getsockopt(s, SO_KEEPALIVE) = 0 (value off)", NULL);
	roundtrip(sc, "server: getsockopt(s, TCP_CORK)=0(value   1)", "server: getsockopt(s, TCP_CORK) = 0 (value 1)");
	roundtrip(sc, "server: getsockopt(s, SO_TYPE) = 0 (value SOCK_DGRAM)", NULL);
	roundtrip(sc, "server: getsockopt(s, SO_LINGER) = 0 (value on, 5s)",
		  "server: getsockopt(s, SO_LINGER) = 0 (value on, 5 s)");
	roundtrip(sc, "server: getsockopt(s, SO_RCVTIMEO) = 0 (value 1.5s)",
		  "server: getsockopt(s, SO_RCVTIMEO) = 0 (value 1500)");
	roundtrip(sc, "server: setsockopt(s, SO_SNDTIMEO, 250ms)", "server: setsockopt(s, SO_SNDTIMEO, 250)");
	roundtrip(sc, "server: setsockopt(s, IPV6_V6ONLY, 1)", NULL);
	roundtrip(sc, "server: setsockopt(s, TCP_KEEPIDLE, 30)", NULL);
	roundtrip(sc, "server: ioctl(conn, FIONREAD) = 0 (value 3)", NULL);
	roundtrip(sc, "server: ioctl(conn, SIOCOUTQ)", NULL);
	roundtrip(sc, "server: ioctl(conn, FIONBIO, 0) = 0", NULL);
	roundtrip(sc, "client: getpeername(c) = -1 ENOTCONN", NULL);
	roundtrip(sc, "client: recv(c, 3, MSG_TRUNC) = 11 \"hel\"", NULL);
	roundtrip(sc, "client: send(c, \"ab\", MSG_MORE|MSG_DONTWAIT)", "client: send(c, \"ab\", MSG_DONTWAIT|MSG_MORE)");
	script_scope_free(sc);
}

/* ------------------------------------------- blocking and segments asserted */

/* <blocked> / <at once>, expect ACTOR blocked|free, expect [no] wire: parsed, formatted back, refused clearly. */
static void test_block_and_wire(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(PRELUDE
		"server: conn = accept(s) <blocked>\n"
		"server: conn = accept(s) <blocked> = 4\n"
		"server: recv(conn, 4) = 4 \"abcd\" <at once>\n"
		"server: recv(conn, 4) <at once>\n"
		"client: connect(c, 127.0.0.1:9) = 0   <  blocked >  # a comment\n"
		"expect server blocked\n"
		"expect client free\n"
		"expect wire client > server [FIN,ACK]\n"
		"expect wire server > client [PSH, ACK] len=14\n"
		"expect no wire [RST]\n"
		"expect no wire client > server [RST]\n"
		"expect wire [SYN]\n");
	const struct sp_stmt *v = s->stmts;
	assert_int_equal(v[3].blocking, SP_BLOCK_BLOCKED);
	assert_false(v[3].expect.present);
	assert_int_equal(v[4].blocking, SP_BLOCK_BLOCKED);
	assert_int_equal(v[4].expect.ret, 4);
	assert_int_equal(v[5].blocking, SP_BLOCK_AT_ONCE);
	assert_true(v[5].expect.has_data);
	assert_int_equal(v[6].blocking, SP_BLOCK_AT_ONCE);
	assert_int_equal(v[7].blocking, SP_BLOCK_BLOCKED); /* after the value too */
	assert_int_equal(v[0].blocking, SP_BLOCK_ANY);
	assert_int_equal(v[8].kind, SP_ST_EXPECT_SIDE);
	assert_string_equal(v[8].actor, "server");
	assert_true(v[8].side_blocked);
	assert_int_equal(v[9].kind, SP_ST_EXPECT_SIDE);
	assert_false(v[9].side_blocked);
	assert_int_equal(v[10].kind, SP_ST_EXPECT_WIRE);
	assert_false(v[10].wire.negate);
	assert_string_equal(v[10].wire.from, "client");
	assert_string_equal(v[10].wire.to, "server");
	assert_int_equal(v[10].wire.flags, WIRE_FIN | WIRE_ACK);
	assert_false(v[10].wire.has_len);
	assert_int_equal(v[11].wire.flags, WIRE_PSH | WIRE_ACK);
	assert_true(v[11].wire.has_len);
	assert_int_equal(v[11].wire.len, 14);
	assert_true(v[12].wire.negate);
	assert_string_equal(v[12].wire.from, "");
	assert_int_equal(v[12].wire.flags, WIRE_RST);
	assert_true(v[13].wire.negate);
	assert_string_equal(v[13].wire.to, "server");
	assert_int_equal(v[14].wire.flags, WIRE_SYN);
	assert_int_equal(s->nsteps, 15);
	script_free(s);

	/* an actor may still be called wire, no, blocked; a socket blocked has a state */
	s = parse_ok("wire: w = socket(AF_INET, SOCK_STREAM)\n"
		     "expect wire w CLOSED\n"
		     "no: blocked = socket(AF_INET, SOCK_STREAM)\n"
		     "expect no blocked CLOSED\n");
	assert_int_equal(s->stmts[1].kind, SP_ST_EXPECT);
	assert_int_equal(s->stmts[3].kind, SP_ST_EXPECT);
	assert_string_equal(s->stmts[3].name, "blocked");
	script_free(s);

	parse_bad_exact(PRELUDE "server: conn = accept(s) <blokced>\n", 4, 27,
			"unknown mark '<blokced>'; did you mean '<blocked>'?");
	parse_bad_exact(PRELUDE "server: recv(conn, 4) <at_once>\n", 4, 24,
			"unknown mark '<at_once>'; did you mean '<at once>'?");
	parse_bad(PRELUDE "server: recv(conn, 4) <later>\n", 4, 24, "expected <blocked> or <at once>");
	parse_bad(PRELUDE "server: conn = accept(s) <resumed> = 4\n", 4, 27, "a script writes <blocked> = N");
	parse_bad(PRELUDE "server: conn = accept(s) <blocked\n", 4, 26, "missing '>' to close '<'");
	parse_bad(PRELUDE "server: conn = accept(s) <blocked> = 4 <at once>\n", 4, 40, "a call takes one mark");
	parse_bad_exact(PRELUDE "server: listen(s, 5) <blocked>\n", 4, 22, "listen() never blocks; <blocked> cannot hold");
	parse_bad(PRELUDE "server: conn = accept(s) <blocked> x\n", 4, 36, "unexpected 'x' after the call");
	parse_bad_exact(PRELUDE "expect server blokced\n", 4, 15,
			"unknown word 'blokced' after expect server; did you mean 'blocked'? "
			"(expect ACTOR blocked|free, or expect ACTOR NAME STATE)");
	parse_bad(PRELUDE "expect server fre\n", 4, 15, "did you mean 'free'?");
	parse_bad(PRELUDE "expect server conn\n", 4, 19, "expect takes ACTOR NAME STATE");
	parse_bad(PRELUDE "expect server blocked now\n", 4, 15, "'blocked' is not defined");
	parse_bad_exact(PRELUDE "expect wire client > server [FIN,AKC]\n", 4, 34,
			"unknown TCP flag 'AKC'; did you mean 'ACK'?");
	parse_bad(PRELUDE "expect wire client > server [FINN]\n", 4, 30, "did you mean 'FIN'?");
	parse_bad(PRELUDE "expect wire client > server [XYZZY]\n", 4, 30, "unknown TCP flag 'XYZZY' (expected SYN");
	parse_bad_exact(PRELUDE "expect wire client > sever [FIN]\n", 4, 22,
			"no side 'sever' made a call before this line; did you mean 'server'?");
	parse_bad(PRELUDE "expect wire client server [FIN]\n", 4, 20, "expected '>' after 'client'");
	parse_bad(PRELUDE "expect wire client > server\n", 4, 28, "expected the segment's flags");
	parse_bad(PRELUDE "expect wire client > [FIN]\n", 4, 22, "where a side belongs");
	parse_bad(PRELUDE "expect wire client > server []\n", 4, 30, "expected a flag");
	parse_bad(PRELUDE "expect wire client > server [FIN,]\n", 4, 34, "unexpected ']' in the flags");
	parse_bad(PRELUDE "expect wire client > server [FIN ACK]\n", 4, 34, "join flags with ','");
	parse_bad(PRELUDE "expect wire client > server [FIN\n", 4, 33, "missing ']'");
	parse_bad(PRELUDE "expect wire client > server [FIN,FIN]\n", 4, 34, "flag FIN is written twice");
	parse_bad(PRELUDE "expect wire client > server [FIN] len 3\n", 4, 38, "expected '=' after len");
	parse_bad(PRELUDE "expect wire client > server [FIN] len=\n", 4, 39, "expected a number of bytes");
	parse_bad(PRELUDE "expect wire client > server [FIN] len=70000\n", 4, 39, "at most 65535 bytes");
	parse_bad(PRELUDE "expect wire client > server [FIN] len=3x\n", 4, 40, "unexpected 'x' in the length");
	parse_bad(PRELUDE "expect no wire [RST] now\n", 4, 22, "unexpected 'n' after the flags");

	/* the formatter writes each form back, in one spelling */
	struct sp_scope *sc = prelude_scope();
	roundtrip(sc, "server: conn = accept(s) <blocked>", NULL);
	roundtrip(sc, "server: conn = accept(s) <blocked> = 4", NULL);
	roundtrip(sc, "server: conn = accept(s) = 4 <blocked>", "server: conn = accept(s) <blocked> = 4");
	roundtrip(sc, "server: recv(conn, 4) = 4 \"abcd\" <at once>", NULL);
	roundtrip(sc, "server: recv(conn, 4) <at   once>", "server: recv(conn, 4) <at once>");
	roundtrip(sc, "server: recv(conn, 4) <at once> = -1 EAGAIN", "server: recv(conn, 4) = -1 EAGAIN <at once>");
	roundtrip(sc, "expect server blocked", NULL);
	roundtrip(sc, "expect  client   free # now", "expect client free");
	roundtrip(sc, "expect wire client > server [FIN,ACK]", NULL);
	roundtrip(sc, "expect wire client>server [ ACK , FIN ]", "expect wire client > server [FIN,ACK]");
	roundtrip(sc, "expect wire server > client [PSH,ACK] len=14", NULL);
	roundtrip(sc, "expect no wire [RST]", NULL);
	roundtrip(sc, "expect no wire client > server [RST,ACK]", NULL);
	roundtrip(sc, "expect wire [SYN]", NULL);
	script_scope_free(sc);

	/* a statement typed at the prompt: any side may be named */
	struct sp_stmt st;
	struct sp_diag dg;
	sc = prelude_scope();
	assert_int_equal(script_parse_line("expect wire web > db [SYN]", sc, &st, &dg), 0);
	assert_string_equal(st.wire.from, "web");
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("expect server blokced", sc, &st, &dg), -1);
	assert_non_null(strstr(dg.msg, "did you mean 'blocked'?"));
	assert_int_equal(dg.col, 15);
	script_scope_free(sc);
}

static void test_format_all_bytes(void **state)
{
	(void)state;
	/* every byte value survives format then parse */
	struct sp_stmt st, back;
	struct sp_diag dg;
	unsigned char bytes[256];
	char buf[2048];
	struct sp_scope *sc = prelude_scope();

	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	memset(&st, 0, sizeof st);
	st.kind = SP_ST_CALL;
	strcpy(st.actor, "server");
	st.call = SP_CALL_SEND;
	st.nargs = 2;
	st.args[0].kind = SP_ARG_SOCK;
	strcpy(st.args[0].name, "conn");
	st.args[1].kind = SP_ARG_DATA;
	st.args[1].data.unit = bytes;
	st.args[1].data.unit_len = 256;
	st.args[1].data.count = 2;
	int n = script_stmt_format(&st, buf, sizeof buf);
	assert_true(n > 256 && n < (int)sizeof buf);
	for (int i = 0; i < n; i++) /* only printable ASCII comes out */
		assert_true(buf[i] >= 0x20 && buf[i] < 0x7f);
	assert_int_equal(script_parse_line(buf, sc, &back, &dg), 0);
	assert_int_equal(back.args[1].data.unit_len, 256);
	assert_int_equal(back.args[1].data.count, 2);
	assert_memory_equal(back.args[1].data.unit, bytes, 256);
	script_stmt_clear(&back);
	script_scope_free(sc);
}

static void test_format_built(void **state)
{
	(void)state;
	/* statements built by hand (as the TUI does) have no address text */
	struct sp_stmt st;
	char buf[256];

	memset(&st, 0, sizeof st);
	st.kind = SP_ST_CALL;
	strcpy(st.actor, "client");
	st.call = SP_CALL_CONNECT;
	st.nargs = 2;
	st.args[0].kind = SP_ARG_SOCK;
	st.args[0].num = 3;
	st.args[1].kind = SP_ARG_ADDR;
	st.args[1].addr.kind = SP_ADDR_IP;
	st.args[1].addr.has_v4 = 1;
	st.args[1].addr.v4.s_addr = htonl(0x7f000001);
	st.args[1].addr.port = 8888;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "client: connect(3, 127.0.0.1:8888)");

	st.args[1].addr.has_v4 = 0;
	st.args[1].addr.has_v6 = 1;
	st.args[1].addr.v6 = in6addr_loopback;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "client: connect(3, [::1]:8888)");
	st.args[1].addr.kind = SP_ADDR_ANY;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "client: connect(3, *:8888)");
	st.args[1].addr.kind = SP_ADDR_UNIX;
	strcpy(st.args[1].addr.path, "sock");
	st.args[1].addr.abstract = 1;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "client: connect(3, @sock)");
	st.args[1].addr.kind = SP_ADDR_OF;
	strcpy(st.args[1].addr.actor, "server");
	strcpy(st.args[1].addr.name, "s");
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "client: connect(3, server.addr(s))");

	/* constants without their spelling are named from the call's table */
	memset(&st, 0, sizeof st);
	st.kind = SP_ST_CALL;
	strcpy(st.actor, "server");
	strcpy(st.assign, "s");
	st.call = SP_CALL_SOCKET;
	st.nargs = 2;
	st.args[0].kind = SP_ARG_CONST;
	st.args[0].num = AF_INET6;
	st.args[1].kind = SP_ARG_CONST;
	st.args[1].num = SOCK_DGRAM;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "server: s = socket(AF_INET6, SOCK_DGRAM)");
	st.call = SP_CALL_GETSOCKOPT;
	st.assign[0] = '\0';
	st.args[0].kind = SP_ARG_SOCK;
	st.args[0].num = 3;
	st.args[1].num = (long long)(consts_opt("SO_ERROR") - consts_opt_at(0));
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "server: getsockopt(3, SO_ERROR)");
	st.call = SP_CALL_RECV;
	st.nargs = 3;
	st.args[1].kind = SP_ARG_INT;
	st.args[1].num = 5;
	st.args[2].kind = SP_ARG_FLAGS;
	st.args[2].num = MSG_PEEK | 0x4000000;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "server: recv(3, 5, MSG_PEEK|67108864)");

	/* a small buffer gets a truncated, terminated line and the full length */
	memset(&st, 0, sizeof st);
	st.kind = SP_ST_SAY;
	st.text = "a long narration line";
	char small[8];
	int n = script_stmt_format(&st, small, sizeof small);
	assert_int_equal(n, (int)strlen("say \"a long narration line\""));
	assert_string_equal(small, "say \"a ");
	assert_int_equal(script_stmt_format(&st, NULL, 0), n);

	memset(&st, 0, sizeof st);
	st.kind = SP_ST_REPEAT;
	st.repeat = 100;
	script_stmt_format(&st, buf, sizeof buf);
	assert_string_equal(buf, "repeat 100");
}

/* ----------------------------------------------------------------- cursor */

static void test_cursor(void **state)
{
	(void)state;
	struct sp_script *s = parse_ok(
		"say \"a\"\n"
		"repeat 2\n"
		"  say \"b\"\n"
		"  repeat 3\n"
		"    say \"c\"\n"
		"  end\n"
		"end\n"
		"say \"d\"\n");
	const char *want = "abcccbcccd";
	struct sp_cursor cur;
	const struct sp_stmt *st;
	size_t i = 0;
	script_cursor_init(&cur, s);
	while ((st = script_cursor_next(&cur))) {
		assert_true(i < strlen(want));
		assert_int_equal(st->kind, SP_ST_SAY);
		assert_int_equal(st->text[0], want[i]);
		i++;
	}
	assert_int_equal(i, strlen(want));
	assert_int_equal(cur.done, strlen(want));
	assert_int_equal(s->nsteps, strlen(want));
	assert_null(script_cursor_next(&cur));
	assert_int_equal(cur.done, strlen(want));
	script_free(s);

	script_cursor_init(&cur, NULL);
	assert_null(script_cursor_next(&cur));
}

static void test_cursor_large(void **state)
{
	(void)state;
	/* eight nested repeats of a million: the count saturates, nothing overflows */
	char text[1024] = "";
	for (int i = 0; i < 8; i++)
		strcat(text, "repeat 1000000\n");
	strcat(text, "pause\n");
	for (int i = 0; i < 8; i++)
		strcat(text, "end\n");
	struct sp_script *s = parse_ok(text);
	assert_int_equal(s->nsteps, (size_t)-1 / 2);
	struct sp_cursor cur;
	script_cursor_init(&cur, s);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(script_cursor_next(&cur)->kind, SP_ST_PAUSE);
	script_free(s);

	/* a hand-built script with empty repeat blocks ends at once */
	struct sp_stmt inner[1], outer[2];
	memset(inner, 0, sizeof inner);
	memset(outer, 0, sizeof outer);
	inner[0].kind = SP_ST_REPEAT;
	inner[0].repeat = 1000000;
	outer[0].kind = SP_ST_REPEAT;
	outer[0].repeat = 1000000;
	outer[0].body = inner;
	outer[0].nbody = 1;
	outer[1].kind = SP_ST_PAUSE;
	struct sp_script fake = { .stmts = outer, .n = 2 };
	script_cursor_init(&cur, &fake);
	assert_ptr_equal(script_cursor_next(&cur), &outer[1]);
	assert_null(script_cursor_next(&cur));
}

/* ------------------------------------------------------------ diagnostics */

/* What script_diags_print writes, as a malloc'd string. */
static char *print_diags(const char *file, const struct sp_diags *d)
{
	FILE *fp = tmpfile();
	assert_non_null(fp);
	script_diags_print(fp, file, d);
	long len = ftell(fp);
	assert_true(len >= 0);
	char *out = malloc((size_t)len + 1);
	assert_non_null(out);
	rewind(fp);
	assert_int_equal(fread(out, 1, (size_t)len, fp), (size_t)len);
	out[len] = '\0';
	fclose(fp);
	return out;
}

static char *diag_text_n(const char *text, size_t len)
{
	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("lab.sp", text, len, &s, &d), -1);
	char *out = print_diags("lab.sp", &d);
	script_diags_clear(&d);
	return out;
}

static char *diag_text(const char *text)
{
	return diag_text_n(text, strlen(text));
}

static void test_diag_print(void **state)
{
	(void)state;
	char *out = diag_text("server: s = socket(AF_INET, SOCK_STREAM)\nserver: lisen(s, 5)\n");
	assert_string_equal(out,
		"lab.sp:2:9: error: unknown call 'lisen'; did you mean 'listen'?\n"
		"server: lisen(s, 5)\n"
		"        ^\n");
	free(out);

	/* tabs stay tabs in the caret line; wide characters take two cells */
	out = diag_text("\tsay \"\xe4\xbd\xa0\xe5\xa5\xbd \\q\"\n");
	assert_string_equal(out,
		"lab.sp:1:14: error: unknown escape '\\q'; use \\n \\r \\t \\0 \\\\ \\\" or \\xHH\n"
		"\tsay \"\xe4\xbd\xa0\xe5\xa5\xbd \\q\"\n"
		"\t          ^\n");
	free(out);

	/* control bytes and invalid UTF-8 never reach the terminal raw */
	out = diag_text("say \"\x1b]0;pwned\x07\"\n");
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	free(out);
	out = diag_text("oops \xff\x1b\n");
	assert_string_equal(out,
		"lab.sp:1:6: error: invalid UTF-8 byte 0xff\n"
		"oops ??\n"
		"     ^\n");
	free(out);
	out = diag_text_n("say \"\0\"\n", 8);
	assert_string_equal(out, "lab.sp:1:6: error: NUL byte in the script\nsay \"?\"\n     ^\n");
	free(out);

	/* a file-level error has no line */
	out = diag_text("# nothing\n");
	assert_string_equal(out, "lab.sp: error: empty script: nothing to run\n");
	free(out);

	/* too many errors ends with a note */
	char text[200] = "";
	for (int i = 0; i < 21; i++)
		strcat(text, "x\n");
	out = diag_text(text);
	assert_non_null(strstr(out, "lab.sp:20:1: error: unknown statement 'x'"));
	assert_null(strstr(out, "lab.sp:21:"));
	assert_non_null(strstr(out, "lab.sp: note: too many errors, stopped after 20\n"));
	free(out);
}

static void test_diag_long_line(void **state)
{
	(void)state;
	/* a caret far into a long line is shown in a window of the line */
	char text[2000];
	strcpy(text, "server: s = socket(AF_INET, SOCK_STREAM)\nserver: send(s, \"");
	size_t n = strlen(text);
	memset(text + n, 'x', 1000);
	strcpy(text + n + 1000, "\" * 0)\n");
	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("t.sp", text, strlen(text), &s, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].col, 1022);
	assert_true(d.v[0].caret > 0);
	assert_int_equal(strncmp(d.v[0].source, "...", 3), 0);
	assert_int_equal(d.v[0].source[d.v[0].caret - 1], '0');
	char *out = print_diags("t.sp", &d);
	char *caret = strrchr(out, '^');
	char *line2 = strchr(strchr(out, '\n') + 1, '\n') + 1; /* the caret line */
	assert_int_equal(caret - line2, d.v[0].caret - 1);
	free(out);
	script_diags_clear(&d);

	/* an error at the start of a long line keeps the start */
	memset(text, 0, sizeof text);
	strcpy(text, "say ");
	memset(text + 4, 'y', 600);
	assert_int_equal(script_parse("t.sp", text, strlen(text), &s, &d), -1);
	assert_int_equal(d.v[0].col, 5);
	assert_int_equal(d.v[0].caret, 0);
	assert_int_equal(strlen(d.v[0].source), 255);
	assert_int_equal(strncmp(d.v[0].source, "say yyy", 7), 0);
	script_diags_clear(&d);
}

/* ------------------------------------------------------------------- load */

static void test_load(void **state)
{
	(void)state;
	char path[] = "/tmp/sockplay-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hello, strlen(hello)), (ssize_t)strlen(hello));
	close(fd);

	struct sp_script *s = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_load(path, &s, &d), 0);
	assert_int_equal(s->n, 16);
	assert_string_equal(s->file, path);
	script_free(s);

	/* too large */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	s = NULL;
	assert_int_equal(script_load(path, &s, &d), -1);
	assert_null(s);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 0);
	assert_non_null(strstr(d.v[0].msg, "larger than 16 MiB"));
	script_diags_clear(&d);
	unlink(path);

	assert_int_equal(script_load(path, &s, &d), -1);
	assert_int_equal(d.v[0].line, 0);
	char want[200];
	snprintf(want, sizeof want, "cannot read '%s': No such file or directory", path);
	assert_string_equal(d.v[0].msg, want);
	script_diags_clear(&d);

	assert_int_equal(script_load("/tmp", &s, &d), -1);
	assert_string_equal(d.v[0].msg, "cannot read '/tmp': Is a directory");
	char *out = print_diags("/tmp", &d);
	assert_string_equal(out, "/tmp: error: cannot read '/tmp': Is a directory\n");
	free(out);
	script_diags_clear(&d);

	/* an empty file is an empty script */
	strcpy(path, "/tmp/sockplay-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(script_load(path, &s, &d), -1);
	assert_string_equal(d.v[0].msg, "empty script: nothing to run");
	script_diags_clear(&d);
	unlink(path);
}

/* ---------------------------------------------------- scripts from strangers */

/* Whether S holds anything a terminal acts on or reorders: C0 but \n and \t, DEL, C1, bidi controls, invalid UTF-8. */
static int has_unsafe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p, n = 0;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return 1;
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return 1; /* a raw C1 byte, or not UTF-8 */
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 1;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069))
			return 1;
		p += n + 1;
	}
	return 0;
}

/* A script makes socket calls and nothing else: no command, no file, no other kind of socket. */
static void test_no_escape_hatches(void **state)
{
	(void)state;
	/* the calls are the socket calls; a new one is a decision to review */
	static const char *const calls[] = { "socket", "bind", "listen", "connect", "accept", "send", "recv",
					     "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt",
					     "nonblock", "close", "getsockname", "ioctl", "getpeername", "socketpair", "unlink",
					     "poll", "select" };
	assert_int_equal(SP_CALL_COUNT - 1, (int)(sizeof calls / sizeof calls[0]));
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		assert_int_not_equal(call_from_name(calls[i]), SP_CALL_NONE);
	static const char *const others[] = { "system", "exec", "execve", "popen", "spawn", "open", "openat",
					      "creat", "read", "write", "sendfile", "splice", "sendmsg",
					      "recvmsg", "dup", "dup2", "fork", "kill", "fcntl",
					      "mkdir", "chdir", "mount", "mmap", "ptrace", "include" };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		char text[200], msg[64];
		assert_int_equal(call_from_name(others[i]), SP_CALL_NONE);
		snprintf(text, sizeof text, "client: c = socket(AF_INET, SOCK_STREAM)\nclient: %s(c, \"/etc/passwd\")\n",
			 others[i]);
		snprintf(msg, sizeof msg, "unknown call '%s'", others[i]);
		parse_bad(text, 2, 9, msg);
	}
	/* unlink() takes one path and nothing else; it runs only under the sandbox's own root (test_engine) */
	parse_bad("client: unlink(\"/etc/passwd\")\n", 1, 16, "unlink() takes a file path (as in /tmp/lab.sock) "
		  "as argument 1; write it without quotes");
	parse_bad("client: unlink(127.0.0.1:80)\n", 1, 16, "unlink() takes a file path");
	/* no statement, directive or shell syntax runs anything */
	parse_bad("system \"ls\"\n", 1, 1, "unknown statement 'system'");
	parse_bad("exec \"/bin/sh\"\n", 1, 1, "unknown statement 'exec'");
	parse_bad("include \"other.sp\"\n", 1, 1, "unknown statement 'include'");
	parse_bad("!ls\n", 1, 1, "unexpected '!'");
	parse_bad("`ls`\n", 1, 1, "unexpected '`'");
	parse_bad("$(ls)\n", 1, 1, "unexpected '$'");
	parse_bad("client: $(ls)\n", 1, 9, "unexpected '$'");
	/* sockets of the playground's kinds only: no raw, packet or netlink socket */
	parse_bad("client: c = socket(AF_PACKET, SOCK_DGRAM)\n", 1, 20, "unknown constant 'AF_PACKET'");
	parse_bad("client: c = socket(AF_NETLINK, SOCK_DGRAM)\n", 1, 20, "unknown constant 'AF_NETLINK'");
	parse_bad("client: c = socket(AF_INET, SOCK_RAW)\n", 1, 29, "unknown constant 'SOCK_RAW'");
	parse_bad("client: c = socket(17, SOCK_DGRAM)\n", 1, 20, "address family");
	parse_bad("client: c = socket(AF_INET, 3)\n", 1, 29, "socket type");
	parse_bad("client: c = socket(AF_INET, SOCK_STREAM)\nclient: setsockopt(c, SO_BINDTODEVICE, 1)\n", 2, 23,
		  "unknown socket option 'SO_BINDTODEVICE'");
	parse_bad("client: c = socket(AF_INET, SOCK_STREAM)\nclient: setsockopt(c, 25, 1)\n", 2, 23,
		  "takes a socket option");
	/* what looks like shell in data and addresses is bytes and a bad host name */
	struct sp_script *sc = parse_ok("client: c = socket(AF_INET, SOCK_STREAM)\nclient: send(c, \"$(id) `ls`\")\n");
	assert_int_equal(sc->stmts[1].args[1].data.unit_len, 10);
	assert_memory_equal(sc->stmts[1].args[1].data.unit, "$(id) `ls`", 10);
	script_free(sc);
	parse_bad("client: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, `ls`:80)\n", 2, 20,
		  "invalid host name");
	parse_bad("client: c = socket(AF_INET, SOCK_STREAM)\nclient: connect(c, $HOME:80)\n", 2, 20,
		  "invalid host name");
}

/* Text a terminal would act on, in places a message quotes: refused, and never echoed raw. */
static void test_hostile_text_in_messages(void **state)
{
	(void)state;
	/* addresses: AF_UNIX names are written back by --record, IP ones quoted in messages */
	parse_bad(PRELUDE "client: connect(c, 127.0.0.1:8\x1b[2J)\n", 4, 31, "unexpected U+001B");
	parse_bad(PRELUDE "client: connect(c, 1.2.3.4\x1b]0;x\x07:80)\n", 4, 27, "unexpected U+001B");
	parse_bad(PRELUDE "client: connect(c, [::1\x1b[2J]:80)\n", 4, 24, "unexpected U+001B");
	parse_bad(PRELUDE "client: connect(c, ho\xe2\x80\xaest:80)\n", 4, 22, "unexpected U+202E");
	parse_bad(PRELUDE "client: connect(c, ho\xe2\x81\xa6st:80)\n", 4, 22, "unexpected U+2066");
	parse_bad(PRELUDE "client: connect(c, @a\xc2\x9b" "b)\n", 4, 22, "unexpected U+009B");
	parse_bad(PRELUDE "client: connect(c, @a\xc2\x85" "b)\n", 4, 22, "unexpected U+0085");
	parse_bad(PRELUDE "server: bind(s, /tmp/x\x07y)\n", 4, 23, "unexpected U+0007");
	parse_bad(PRELUDE "server: bind(s, /tmp/x\ry)\n", 4, 23, "unexpected U+000D");
	parse_bad(PRELUDE "server: bind(s, /tmp/x\x7fy)\n", 4, 23, "unexpected U+007F");
	/* printable text beyond ASCII is still a name */
	struct sp_script *sc = parse_ok(PRELUDE "server: bind(s, @caf\xc3\xa9)\nclient: connect(c, /tmp/\xe4\xbd\xa0.sock)\n");
	assert_string_equal(sc->stmts[3].args[1].addr.path, "caf\xc3\xa9");
	assert_string_equal(sc->stmts[4].args[1].addr.path, "/tmp/\xe4\xbd\xa0.sock");
	script_free(sc);

	/* whatever the error, its message and the printed diagnostic carry nothing raw */
	static const char *const bad[] = {
		PRELUDE "client: connect(c, 127.0.0.1:8\x1b[2J)\n",
		PRELUDE "client: connect(c, ho\xe2\x80\xaest:80)\n",
		PRELUDE "client: connect(c, no\x1b" "dot:80)\n",
		PRELUDE "client: recv(c, 1\x1b[2J)\n",
		PRELUDE "client: close(c) = 5\x9b\n",
		PRELUDE "client: send(c, \"\x1b]0;x\x07\")\n",
		PRELUDE "client: lis\x1b[2Jten(c)\n",
		"say \"\xe2\x80\xae\"\n",
		"sleep 5\x1b[2Jms\n",
		"repeat 3\x08\x08\n",
		"expect server s LIS\x1b[2J\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sp_script *s = NULL;
		struct sp_diags d = { 0 };
		assert_int_equal(script_parse("lab.sp", bad[i], strlen(bad[i]), &s, &d), -1);
		for (size_t k = 0; k < d.n; k++)
			if (has_unsafe(d.v[k].msg))
				fail_msg("message of case %zu carries a control: %s", i, d.v[k].msg);
		char *out = print_diags("lab.sp", &d);
		if (has_unsafe(out))
			fail_msg("diagnostic of case %zu carries a control:\n%s", i, out);
		free(out);
		script_diags_clear(&d);
	}

	/* a file name is text from outside too */
	struct sp_diags d = { 0 };
	assert_int_equal(script_load("/nonexistent/lab\x1b[2J\xe2\x80\xae.sp", &sc, &d), -1);
	assert_string_equal(d.v[0].msg, "cannot read '/nonexistent/lab?[2J?.sp': No such file or directory");
	char *out = print_diags("/nonexistent/lab\x1b[2J\xe2\x80\xae.sp", &d);
	assert_false(has_unsafe(out));
	assert_non_null(strstr(out, "/nonexistent/lab?[2J?.sp: error: "));
	free(out);
	script_diags_clear(&d);
	sc = NULL;
	assert_int_equal(script_parse("lab\x1b]0;x\x07.sp", "pause\n", 6, &sc, &d), 0);
	assert_string_equal(sc->file, "lab?]0;x?.sp"); /* what transcripts print in FILE:LINE: */
	script_free(sc);
}

/* The sockets labs use: socketpair's two names, SOCK_SEQPACKET, connect(fd, AF_UNSPEC), unlink(PATH). */
static void test_lab_sockets(void **state)
{
	(void)state;
	struct sp_script *sc = parse_ok("server: a, b = socketpair(AF_UNIX, SOCK_STREAM) = 0\n"
					"server: send(a, \"x\")\n"
					"server: recv(b, 1) = 1 \"x\"\n"
					"server:p,q=socketpair(AF_UNIX,SOCK_SEQPACKET,0)\n"
					"server: socketpair(AF_UNIX, SOCK_DGRAM)\n"
					"server: s = socket(AF_UNIX, SOCK_SEQPACKET)\n"
					"client: u = socket(AF_INET, SOCK_DGRAM)\n"
					"client: connect(u, AF_UNSPEC) = 0\n"
					"server: unlink(/tmp/lab.sock) = 0\n");
	const struct sp_stmt *st = sc->stmts;
	assert_int_equal(st[0].call, SP_CALL_SOCKETPAIR);
	assert_string_equal(st[0].assign, "a");
	assert_string_equal(st[0].assign2, "b");
	assert_int_equal(st[0].nargs, 2);
	assert_int_equal(st[0].args[0].num, AF_UNIX);
	assert_int_equal(st[0].args[1].num, SOCK_STREAM);
	assert_int_equal(st[0].args[2].num, 0); /* the protocol's default */
	assert_string_equal(st[3].assign, "p");
	assert_string_equal(st[3].assign2, "q");
	assert_int_equal(st[3].args[1].num, SOCK_SEQPACKET);
	assert_string_equal(st[4].assign, "");
	assert_string_equal(st[4].assign2, "");
	assert_int_equal(st[5].args[1].num, SOCK_SEQPACKET);
	assert_int_equal(st[7].args[1].kind, SP_ARG_ADDR);
	assert_int_equal(st[7].args[1].addr.kind, SP_ADDR_UNSPEC);
	assert_int_equal(st[8].call, SP_CALL_UNLINK);
	assert_int_equal(st[8].args[0].addr.kind, SP_ADDR_UNIX);
	assert_int_equal(st[8].args[0].addr.abstract, 0);
	assert_string_equal(st[8].args[0].addr.path, "/tmp/lab.sock");
	script_free(sc);

	/* the format: what --record writes, parsed back the same */
	struct sp_scope *scope = prelude_scope();
	roundtrip(scope, "server: a, b = socketpair(AF_UNIX, SOCK_STREAM) = 0", NULL);
	roundtrip(scope, "server:a ,b=socketpair( AF_UNIX,SOCK_SEQPACKET )", "server: a, b = socketpair(AF_UNIX, SOCK_SEQPACKET)");
	roundtrip(scope, "server: socketpair(AF_UNIX, SOCK_DGRAM, 0) = -1 EMFILE", NULL);
	roundtrip(scope, "server: socketpair(AF_INET, SOCK_STREAM) = -1 EOPNOTSUPP", NULL);
	roundtrip(scope, "server: t = socket(AF_UNIX, SOCK_SEQPACKET)", NULL);
	roundtrip(scope, "client: connect(c, AF_UNSPEC) = 0", NULL);
	roundtrip(scope, "client:connect(c,AF_UNSPEC)", "client: connect(c, AF_UNSPEC)");
	roundtrip(scope, "server: unlink(/tmp/lab.sock) = 0", NULL);
	roundtrip(scope, "server: unlink( /tmp/lab.sock )=-1 ENOENT", "server: unlink(/tmp/lab.sock) = -1 ENOENT");
	/* both names are defined for the actor, and usable at once */
	assert_true(script_scope_has(scope, "server", "a"));
	assert_true(script_scope_has(scope, "server", "b"));
	assert_false(script_scope_has(scope, "client", "a"));
	script_scope_free(scope);
	sc = parse_ok("server: x, y = socketpair(AF_UNIX, SOCK_STREAM)\nserver: close(y)\nserver: close(x)\n");
	script_free(sc);

	/* errors: where, why, and what to write instead */
	parse_bad_exact(PRELUDE "server: a = socketpair(AF_UNIX, SOCK_STREAM)\n", 4, 9,
			"socketpair() returns two sockets: name both, as in 'a, b = socketpair(AF_UNIX, SOCK_STREAM)'");
	parse_bad_exact(PRELUDE "server: a, b = socket(AF_UNIX, SOCK_STREAM)\n", 4, 9,
			"only socketpair() returns two sockets to name: 'a, b = socketpair(AF_UNIX, SOCK_STREAM)'");
	parse_bad_exact(PRELUDE "server: a, a = socketpair(AF_UNIX, SOCK_STREAM)\n", 4, 12,
			"the two sockets of socketpair() need two different names");
	parse_bad(PRELUDE "server: a, b = socketpair(AF_UNIX)\n", 4, 34, "socketpair() takes 2 to 3 arguments, got 1");
	parse_bad(PRELUDE "server: a, b = socketpair(AF_UNIX, SOCK_STREM)\n", 4, 36,
		  "unknown constant 'SOCK_STREM'; did you mean 'SOCK_STREAM'?");
	parse_bad(PRELUDE "server: a, b = socketpair(AF_UNIX, SOCK_SEQPAKET)\n", 4, 36, "did you mean 'SOCK_SEQPACKET'?");
	parse_bad(PRELUDE "server: a, b = socketpar(AF_UNIX, SOCK_STREAM)\n", 4, 16,
		  "unknown call 'socketpar'; did you mean 'socketpair'?");
	parse_bad(PRELUDE "server: a, b = socketpair(AF_UNIX, SOCK_STREAM)\nserver: send(c, \"x\")\n", 5, 14,
		  "'c' is not defined for actor server");
	parse_bad_exact(PRELUDE "client: connect(c, AF_UNSPE)\n", 4, 20,
			"unknown address 'AF_UNSPE'; did you mean 'AF_UNSPEC' (connect() only)?");
	parse_bad_exact(PRELUDE "server: bind(s, AF_UNSPEC)\n", 4, 17,
			"AF_UNSPEC as an address goes only to connect(), where it dissolves the association: "
			"connect(u, AF_UNSPEC)");
	parse_bad(PRELUDE "client: sendto(c, \"x\", AF_UNSPEC)\n", 4, 24, "AF_UNSPEC as an address goes only to connect()");
	parse_bad_exact(PRELUDE "server: unlink(@lab)\n", 4, 16,
			"'@lab' is an abstract name, not a file: it goes away with its socket, and unlink() takes a "
			"path such as /tmp/lab.sock");
	parse_bad(PRELUDE "server: unlink(s)\n", 4, 16, "unlink() takes a file path (as in /tmp/lab.sock) as argument 1");
	parse_bad_exact(PRELUDE "server: unlink()\n", 4, 16, "unlink() takes 1 argument, got 0");
	parse_bad_exact(PRELUDE "server: unlink(/a, /b)\n", 4, 20, "unlink() takes 1 argument, got 2");
	parse_bad(PRELUDE "server: x = unlink(/tmp/lab.sock)\n", 4, 9, "only socket() and accept() return a socket to name");
	parse_bad(PRELUDE "server: unlnk(/tmp/lab.sock)\n", 4, 9, "unknown call 'unlnk'; did you mean 'unlink'?");
}

/* The lists, the timeout and the "( ... )" are read into the statement; the call's text shows fds. */
static void test_ready_parse(void **state)
{
	(void)state;
	struct sp_scope *sc = prelude_scope();
	struct sp_stmt st;
	struct sp_diag dg;
	char buf[256];

	assert_int_equal(script_parse_line("server: poll(s POLLIN, conn POLLIN|POLLRDHUP, 1000) = 1 "
					   "(conn POLLIN|POLLRDHUP)", sc, &st, &dg), 0);
	assert_int_equal(st.call, SP_CALL_POLL);
	assert_non_null(st.ready);
	assert_int_equal(st.ready->n, 2);
	assert_string_equal(st.ready->s[0].name, "s");
	assert_int_equal(st.ready->s[0].events, POLLIN);
	assert_string_equal(st.ready->s[1].name, "conn");
	assert_int_equal(st.ready->s[1].events, POLLIN | POLLRDHUP);
	assert_int_equal(st.nargs, 2);
	assert_int_equal(st.args[1].num, 1000);
	assert_true(st.expect.present);
	assert_int_equal(st.expect.ret, 1);
	assert_true(st.ready->expect);
	assert_int_equal(st.ready->nexp, 1);
	assert_int_equal(st.ready->exp[0].events, POLLIN | POLLRDHUP);
	struct call_text_in in = { .fd = "?", .addr = "-", .ready = "3 POLLIN, 4 POLLIN|POLLRDHUP" };
	call_format(&st, &in, buf, sizeof buf);
	assert_string_equal(buf, "poll(3 POLLIN, 4 POLLIN|POLLRDHUP, 1000)");
	script_stmt_clear(&st);

	/* a socket by number; no timeout: wait for ever (-1), not shown */
	assert_int_equal(script_parse_line("client: poll(3 POLLOUT)", sc, &st, &dg), 0);
	assert_int_equal(st.ready->n, 1);
	assert_string_equal(st.ready->s[0].name, "");
	assert_int_equal(st.ready->s[0].fd, 3);
	assert_int_equal(st.nargs, 1);
	assert_int_equal(st.args[1].num, -1);
	assert_false(st.ready->expect);
	in.ready = "3 POLLOUT";
	call_format(&st, &in, buf, sizeof buf);
	assert_string_equal(buf, "poll(3 POLLOUT)");
	script_stmt_clear(&st);

	/* select: one entry per socket and set, in the order written */
	assert_int_equal(script_parse_line("server: select(r: s conn, w: conn, 0) = 2 (r: s, w: conn)", sc, &st,
					   &dg), 0);
	assert_int_equal(st.call, SP_CALL_SELECT);
	assert_int_equal(st.ready->n, 3);
	assert_int_equal(st.ready->s[0].events, SP_SEL_READ);
	assert_int_equal(st.ready->s[1].events, SP_SEL_READ);
	assert_int_equal(st.ready->s[2].events, SP_SEL_WRITE);
	assert_string_equal(st.ready->s[2].name, "conn");
	assert_int_equal(st.args[1].num, 0);
	assert_int_equal(st.ready->nexp, 2);
	in.ready = "r: 3 4, w: 4";
	call_format(&st, &in, buf, sizeof buf);
	assert_string_equal(buf, "select(r: 3 4, w: 4, 0)");
	assert_int_equal(script_ready_format(SP_CALL_SELECT, st.ready->exp, st.ready->nexp, buf, sizeof buf),
			 (int)strlen("r: s, w: conn"));
	assert_string_equal(buf, "r: s, w: conn");
	script_stmt_clear(&st);
	assert_null(st.ready);

	/* in a script, the sockets must be defined for the actor by then */
	struct sp_script *s = parse_ok(PRELUDE "server: poll(s POLLIN, conn POLLIN)\n"
					       "repeat 2\nserver: select(r: s, 1000) = 0 ()\nend\n");
	assert_int_equal(s->n, 5);
	assert_int_equal(s->stmts[4].body[0].ready->n, 1);
	assert_true(s->stmts[4].body[0].ready->expect);
	script_free(s);
	script_scope_free(sc);
}

static void test_ready_errors(void **state)
{
	(void)state;
	parse_bad_exact(PRELUDE "server: poll(s)\n", 4, 15,
			"poll() takes each socket with the events it waits for, as in poll(s POLLIN)");
	parse_bad_exact(PRELUDE "server: poll(s POLLINN)\n", 4, 16, "unknown poll event 'POLLINN'; did you mean 'POLLIN'?");
	parse_bad(PRELUDE "server: poll(s POLLIN|)\n", 4, 23, "expected an event after '|'");
	parse_bad(PRELUDE "server: poll(s POLLERR)\n", 4, 16, "POLLERR is reported without being asked for");
	parse_bad(PRELUDE "server: poll(s POLLIN, s POLLOUT)\n", 4, 24, "s is in this list twice; join its events");
	parse_bad_exact(PRELUDE "server: poll(1000, s POLLIN)\n", 4, 14, "the timeout comes last in poll()");
	parse_bad(PRELUDE "server: poll(s POLLIN, -2)\n", 4, 24, "poll() takes a timeout of -1 (wait for ever)");
	parse_bad(PRELUDE "server: poll(x POLLIN)\n", 4, 14, "'x' is not defined for actor server");
	parse_bad(PRELUDE "server: poll(c POLLIN)\n", 4, 14, "it belongs to actor client");
	parse_bad(PRELUDE "server: poll()\n", 4, 14, "poll() takes at least one socket");
	parse_bad(PRELUDE "server: poll(s POLLIN 3)\n", 4, 23, "after the events; separate sockets with ','");
	parse_bad(PRELUDE "server: polll(s POLLIN)\n", 4, 9, "unknown call 'polll'; did you mean 'poll'?");
	parse_bad(PRELUDE "server: p = poll(s POLLIN)\n", 4, 9, "only socket() and accept() return a socket");
	/* the expectation */
	parse_bad_exact(PRELUDE "server: poll(s POLLIN) = 1 (conn POLLIN)\n", 4, 29,
			"conn is not among the sockets this poll() watches");
	parse_bad_exact(PRELUDE "server: poll(s POLLIN) = 1 (s POLLOUT)\n", 4, 29,
			"poll() does not report POLLOUT for s: it was not asked for");
	parse_bad_exact(PRELUDE "server: poll(s POLLIN) = 2 (s POLLIN)\n", 4, 28,
			"poll() = 2 says 2 sockets are ready, but 1 are listed");
	parse_bad_exact(PRELUDE "server: poll(s POLLIN) = -1 (s POLLIN)\n", 4, 29,
			"a call that fails reports no ready sockets");
	parse_bad(PRELUDE "server: poll(s POLLIN) = 1 (s POLLIN\n", 4, 37, "missing ')' to close the ready sockets");
	parse_bad(PRELUDE "server: poll(s POLLIN) = 1 (s)\n", 4, 30, "a ready socket is written with what poll() reported");
	parse_bad(PRELUDE "server: poll(s POLLIN) = 1 (s POLLIN) x\n", 4, 39, "after the call");
	/* select */
	parse_bad(PRELUDE "server: select(s)\n", 4, 16, "write the set before the sockets, as in select(r: s c, w: c)");
	parse_bad(PRELUDE "server: select(x: s)\n", 4, 16, "select() takes the sets 'r:' (read) and 'w:' (write)");
	parse_bad(PRELUDE "server: select(r: s, r: conn)\n", 4, 22, "the r: set is written twice");
	parse_bad(PRELUDE "server: select(r: s s)\n", 4, 21, "s is in this set twice");
	parse_bad(PRELUDE "server: select(r: s, -1)\n", 4, 22, "select() takes a timeout of 0 to");
	parse_bad(PRELUDE "server: select(r:)\n", 4, 18, "select() takes at least one socket");
	parse_bad_exact(PRELUDE "server: select(r: s) = 1 (w: s)\n", 4, 30, "s is not in the w: set of this select()");
	parse_bad(PRELUDE "server: select(r: s) = 1 (s)\n", 4, 27, "write the set before the sockets");
}

static void test_ready_roundtrip(void **state)
{
	(void)state;
	struct sp_scope *sc = prelude_scope();
	roundtrip(sc, "server: poll(s POLLIN, conn POLLIN|POLLOUT, 1000) = 1 (conn POLLOUT)", NULL);
	roundtrip(sc, "server:poll( s  POLLIN | POLLRDHUP ,7 POLLPRI)=0",
		  "server: poll(s POLLIN|POLLRDHUP, 7 POLLPRI) = 0");
	roundtrip(sc, "server: poll(s POLLIN, -1)", NULL);
	roundtrip(sc, "client: poll(c POLLOUT, 1000) = 1 (c POLLOUT|POLLERR|POLLHUP)", NULL);
	roundtrip(sc, "server: poll(conn POLLIN) = -1 EINTR", NULL);
	roundtrip(sc, "server: select(w: conn, r: s conn, 0) = 1 (r: s)", "server: select(r: s conn, w: conn, 0) = 1 (r: s)");
	roundtrip(sc, "server: select(r: s, w:) = 0 ()", "server: select(r: s) = 0 ()");
	roundtrip(sc, "server: select(r: 5 s)", NULL);
	roundtrip(sc, "client: select(r: c, w: c, 1000) = 2 (r: c, w: c)", NULL);
	/* blocking asserted on a wait, before and after its result */
	roundtrip(sc, "server: poll(s POLLIN) <blocked> = 1 (s POLLIN)", NULL);
	roundtrip(sc, "server: poll(s POLLIN, 100) = 1 (s POLLIN) <at once>", NULL);
	roundtrip(sc, "server: select(r: s, 100)<blocked>", "server: select(r: s, 100) <blocked>");
	script_scope_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(call_table_rows_are_whole),
		cmocka_unit_test(defaults_are_filled),
		cmocka_unit_test(test_call_table),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_socket_forms),
		cmocka_unit_test(test_calls_all),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_names_unresolved),
		cmocka_unit_test(test_addr_resolve),
		cmocka_unit_test(test_text_cells),
		cmocka_unit_test(test_grow_array),
		cmocka_unit_test(test_text_buf),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_bad_data),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_int_args),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_sockopts),
		cmocka_unit_test(test_arity),
		cmocka_unit_test(test_calls_and_names),
		cmocka_unit_test(test_statement_shapes),
		cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_actor_limit),
		cmocka_unit_test(test_whole_file),
		cmocka_unit_test(test_big_script),
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_block_and_wire),
		cmocka_unit_test(test_lab_sockets),
		cmocka_unit_test(test_format_all_bytes),
		cmocka_unit_test(test_format_built),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_cursor_large),
		cmocka_unit_test(test_diag_print),
		cmocka_unit_test(test_diag_long_line),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_no_escape_hatches),
		cmocka_unit_test(test_hostile_text_in_messages),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_format_values),
		cmocka_unit_test(test_ready_parse),
		cmocka_unit_test(test_ready_errors),
		cmocka_unit_test(test_ready_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
