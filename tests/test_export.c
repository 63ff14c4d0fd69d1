/* test_export.c -- scripts exported as C and Python programs: the calls, the comments, what compiles. */
#include <stdarg.h>
#include <stddef.h>
#include <glob.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockplay/call.h"
#include "sockplay/explain.h"
#include "sockplay/export.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"

static const char hello[] =
	"# The tutorial's server and client, step by step.\n"
	"title \"Hello, client!\"\n"
	"say \"The server listens.\"\n"
	"server: s = socket(AF_INET, SOCK_STREAM) = 3\n"
	"server: setsockopt(s, SO_REUSEADDR, 1)\n"
	"server: bind(s, 127.0.0.1:8888)\n"
	"server: listen(s, 5)\n"
	"expect server s LISTEN\n"
	"client: c = socket(AF_INET, SOCK_STREAM)\n"
	"client: connect(c, 127.0.0.1:8888) = 0\n"
	"server: conn = accept(s)\n"
	"server: send(conn, \"Hello, client!\")\n"
	"client: recv(c, 1024) = 14 \"Hello, client!\"\n"
	"client: close(c)\n"
	"server: recv(conn, 1024) = 0\n"
	"expect server conn CLOSE_WAIT\n"
	"server: close(conn)\n"
	"expect client c TIME_WAIT\n"
	"server: close(s)\n";

/* TEXT exported in LANG; the caller frees the program. */
static char *export_text(const char *text, enum export_lang lang)
{
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	if (script_parse("t.sp", text, strlen(text), &sc, &d) != 0) {
		script_diags_print(stderr, "t.sp", &d);
		fail_msg("the test script does not parse");
	}
	char *buf = NULL, err[256] = "";
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	int rc = export_program(sc, lang, fp, err, sizeof err);
	fclose(fp);
	if (rc != 0)
		fail_msg("export_program: %s", err);
	script_free(sc);
	assert_non_null(buf);
	assert_true(len > 0);
	return buf;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" not found in the program", needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("\"%s\" unexpectedly in the program", needle);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The first words of TEXT (a comment is wrapped after them). */
static void first_words(const char *text, char *out, size_t size)
{
	snprintf(out, size, "%s", text);
	char *sp = out;
	for (int words = 0; sp && words < 4; words++)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = 0;
}

/* A command's exit status, or -1 when it could not run. */
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sockplay-export-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf '%s'", tmpdir);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The program compiles warning-free, as the tutorial's readers will build it. */
static void assert_c_compiles(const char *prog, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s.c", tmpdir, name);
	write_file(path, prog);
	if (run("command -v cc >/dev/null 2>&1") != 0)
		skip();
	int rc = run("cc -O2 -Wall -Wextra -Werror -o '%s/%s' '%s' 2>'%s/%s.err'", tmpdir, name, path, tmpdir,
		     name);
	if (rc != 0) {
		run("head -30 '%s/%s.err' >&2", tmpdir, name);
		fail_msg("%s.c does not compile with -Wall -Wextra -Werror", name);
	}
	rc = run("cc -std=c11 -Wall -Wextra -Wpedantic -Werror -o '%s/%s.11' '%s' 2>'%s/%s.err'", tmpdir, name,
		 path, tmpdir, name);
	if (rc != 0) {
		run("head -30 '%s/%s.err' >&2", tmpdir, name);
		fail_msg("%s.c does not compile with -std=c11 -Wpedantic -Werror", name);
	}
}

static void assert_py_compiles(const char *prog, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s.py", tmpdir, name);
	write_file(path, prog);
	if (run("command -v python3 >/dev/null 2>&1") != 0)
		skip();
	if (run("python3 -m py_compile '%s' 2>&1 >&2", path) != 0)
		fail_msg("%s.py is not valid Python", name);
}

/* ------------------------------------------------------------------- C */

static void test_c_hello_calls(void **state)
{
	(void)state;
	char *p = export_text(hello, EXPORT_C);
	/* the calls, in C, on the script's names */
	assert_contains(p, "ret = s = socket(AF_INET, SOCK_STREAM, 0);");
	assert_contains(p, "ret = setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &optval, sizeof optval);");
	assert_contains(p, "addrlen = ip_addr(&addr, AF_INET, \"127.0.0.1\", 8888);");
	assert_contains(p, "ret = bind(s, (struct sockaddr *)&addr, addrlen);");
	assert_contains(p, "ret = listen(s, 5);");
	assert_contains(p, "ret = conn = accept(s, (struct sockaddr *)&peer, &peerlen);");
	assert_contains(p, "ret = send(conn, \"Hello, client!\", 14, 0);");
	assert_contains(p, "ret = recv(c, buf, 1024, 0);");
	assert_contains(p, "ret = close(conn);");
	/* each printed in the transcript's shape */
	assert_contains(p, "step(\"listen(%d, 5)\", s);");
	assert_contains(p, "call(\"bind(%d, %s)\", s, addr_text(&addr, addrlen));");
	assert_contains(p, "step(\"send(%d, \\\"Hello, client!\\\", 14)\", conn);");
	assert_contains(p, "done_addr(ret, \"peer\", &peer, peerlen);");
	assert_contains(p, "done_data(ret, buf, NULL, 0);");
	/* the script's expectations */
	assert_contains(p, "check(4, ret == 3, \"3\", 0);");
	assert_contains(p, "check(10, ret == 0, \"0\", 0);");
	assert_contains(p, "check(13, ret == 14 && memcmp(buf, \"Hello, client!\", 14) == 0, "
			   "\"14 \\\"Hello, client!\\\"\", 1);");
	/* one function per side, in the order they first act, and the script's order */
	assert_contains(p, "static void server(void)\n{\n\tint s = -1, conn = -1;");
	assert_contains(p, "static void client(void)\n{\n\tint c = -1;");
	assert_true(strstr(p, "static void server(void)") < strstr(p, "static void client(void)"));
	assert_contains(p, "static void (*const actors[NACTORS])(void) = { server, client };");
	assert_contains(p, "title(\"Hello, client!\");");
	assert_contains(p, "say(\"The server listens.\");");
	assert_contains(p, "run(server, 4, MAKES, \"s\"); /* server: s = socket(AF_INET, SOCK_STREAM) = 3 */");
	assert_contains(p, "run(server, 7, 0, NULL); /* server: listen(s, 5) */");
	assert_contains(p, "run(client, 14, CLOSES, \"c\");");
	assert_contains(p, "expect(server, \"s\", TCP_LISTEN, 8); /* expect server s LISTEN */");
	assert_contains(p, "expect(client, \"c\", TCP_TIME_WAIT, 18);");
	assert_contains(p, "static const char script_file[] = \"t.sp\";");
	assert_true(strstr(p, "run(server, 7,") < strstr(p, "expect(server, \"s\"") &&
		    strstr(p, "expect(server, \"s\"") < strstr(p, "run(client, 9,"));
	/* errno names as sockplay prints them: EAGAIN, not EWOULDBLOCK */
	assert_contains(p, "[EAGAIN] = \"EAGAIN\"");
	assert_lacks(p, "EWOULDBLOCK");
	assert_contains(p, "[EOPNOTSUPP] = \"EOPNOTSUPP\"");
	free(p);
}

static void test_c_hello_comments(void **state)
{
	(void)state;
	char *p = export_text(hello, EXPORT_C);
	char words[128], line[256];
	/* every step: its line of the script, what it does, the same line in Python */
	assert_contains(p, "/* line 7: server: listen(s, 5)\n");
	assert_contains(p, "/* line 11: server: conn = accept(s)\n");
	first_words(explain_call_type(SP_CALL_LISTEN, SOCK_STREAM), words, sizeof words);
	assert_contains(p, words);
	first_words(explain_call_type(SP_CALL_ACCEPT, SOCK_STREAM), words, sizeof words);
	assert_contains(p, words);
	assert_contains(p, " * Python: s.listen(5)\n");
	assert_contains(p, " * Python: data = c.recv(1024)\n");
	(void)line;
	assert_int_equal(count(p, "/* line "), 13); /* thirteen calls */
	/* it says how to build it */
	assert_contains(p, "cc -Wall -Wextra -o t t.c && ./t");
	assert_contains(p, "\"Hello, client!\"");
	free(p);
}

static void test_c_hello_compiles(void **state)
{
	(void)state;
	char *p = export_text(hello, EXPORT_C);
	assert_c_compiles(p, "hello");
	free(p);
}

/* Only the helpers a program uses are in it: -Werror would refuse unused ones. */
static void test_c_minimal_compiles(void **state)
{
	(void)state;
	char *p = export_text("client: c = socket(AF_INET, SOCK_DGRAM)\nclient: close(c)\n", EXPORT_C);
	assert_lacks(p, "done_data");
	assert_lacks(p, "static const char *addr_text");
	assert_lacks(p, "expect(");
	assert_lacks(p, "title(");
	assert_contains(p, "static void run(void (*side)(void), int line);");
	assert_contains(p, "run(client, 1); /* client: c = socket(AF_INET, SOCK_DGRAM) */");
	assert_c_compiles(p, "minimal");
	free(p);
}

/*
 * Every step is commented with its own statement in the other language, as
 * --explain writes it, never with the tutorial's line: not "localhost",
 * 8888, "Hello, client!" or SO_REUSEADDR for a script that has none of them.
 */
static const char not_the_tutorial[] =
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: bind(s, 127.0.0.1:9000)\n"
	"server: listen(s, 3)\n"
	"client: c = socket(AF_INET, SOCK_STREAM)\n"
	"client: connect(c, 127.0.0.1:9000)\n"
	"server: conn = accept(s)\n"
	"client: send(c, \"ping\\n/*\")\n"
	"server: setsockopt(conn, SO_LINGER, 1, 0)\n"
	"server: recv(conn, 100)\n"
	"server: close(conn)\n";

static void test_comments_are_the_statement(void **state)
{
	(void)state;
	char *c = export_text(not_the_tutorial, EXPORT_C), *py = export_text(not_the_tutorial, EXPORT_PYTHON);
	assert_contains(c, " * Python: s.bind((\"127.0.0.1\", 9000))\n");
	assert_contains(c, " * Python: s.listen(3)\n");
	assert_contains(c, " * Python: c.send(b\"ping\\n/ *\")\n"); /* no comment opened inside one */
	assert_contains(c, " * Python: conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))\n");
	assert_contains(c, " * Python: data = conn.recv(100)\n");
	assert_contains(py, "    # C: bind(s, (struct sockaddr *)&addr, sizeof addr); /* addr: 127.0.0.1:9000 */\n");
	assert_contains(py, "    # C: send(c, \"ping\\n/*\", 7, 0);\n");
	assert_contains(py, "    # C: struct linger l = { 1, 0 }; setsockopt(conn, SOL_SOCKET, SO_LINGER, &l, sizeof l);\n");
	const char *progs[] = { c, py };
	for (int k = 0; k < 2; k++) {
		/* the sides' steps, without the helpers' own comments */
		char *p = strdup(strstr(progs[k], "==== The server"));
		assert_non_null(p);
		*strstr(p, "==== The script") = 0;
		assert_lacks(p, "localhost");
		assert_lacks(p, "8888");
		assert_lacks(p, "Hello, client!");
		assert_lacks(p, "server_socket");
		assert_lacks(p, "client_socket");
		assert_lacks(p, "SO_REUSEADDR, 1");
		free(p);
	}
	assert_c_compiles(c, "not_the_tutorial");
	assert_py_compiles(py, "not_the_tutorial");
	free(c);
	free(py);
}

static const char every_call[] =
	"title \"Every call: \\\"quotes\\\", 100% and ?\?/ */ in a title\"\n"
	"server: s = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)\n"
	"server: setsockopt(s, SO_LINGER, 1, 0)\n"
	"server: getsockopt(s, SO_LINGER)\n"
	"server: setsockopt(s, SO_RCVBUF, 65536)\n"
	"server: getsockopt(s, SO_RCVBUF)\n"
	"server: setsockopt(s, TCP_NODELAY, 1)\n"
	"server: bind(s, *:0)\n"
	"server: listen(s)\n"
	"server: nonblock(s)\n"
	"server: accept(s) = -1 EAGAIN\n"
	"server: nonblock(s, 0)\n"
	"client: c = socket(AF_INET6, SOCK_STREAM)\n"
	"client: connect(c, server.addr(s)) = 0\n"
	"client: getsockopt(c, SO_ERROR) = 0\n"
	"server: conn = accept(s)\n"
	"server: send(conn, \"a\\\"b\\\\c%d\\x00\\xff\\n?\?/\", MSG_DONTWAIT) = 13\n"
	"client: recv(c, 5, MSG_PEEK) = 5 \"a\\\"b\\\\c\"\n"
	"client: recv(c, 100, MSG_WAITALL|MSG_DONTWAIT)\n"
	"repeat 3\n"
	"  server: send(conn, \"xy\" * 1000)\n"
	"  client: recv(c, 2000, MSG_WAITALL) = 2000 \"xy\" * 1000\n"
	"  repeat 2\n"
	"    pause\n"
	"  end\n"
	"end\n"
	"sleep 10ms\n"
	"client: shutdown(c, SHUT_WR)\n"
	"server: recv(conn, 10) = 0\n"
	"client: u = socket(AF_UNIX, SOCK_DGRAM)\n"
	"client: bind(u, @sockplay-unit-test)\n"
	"client: connect(u, /tmp/no-such-socket-here) = -1 ENOENT\n"
	"server: d = socket(AF_INET, SOCK_DGRAM)\n"
	"server: bind(d, 127.0.0.1:0)\n"
	"server: sendto(d, \"ping\", addr(d)) = 4\n"
	"server: recvfrom(d, 10) = 4 \"ping\"\n"
	"client: v4 = socket(AF_INET, SOCK_STREAM)\n"
	"client: connect(v4, [::1]:9) = -1 EAFNOSUPPORT\n"
	"client: bind(3, *:0) = -1 EINVAL\n"
	"client: close(3)\n"
	"expect client c CLOSED\n";

static void test_c_every_call(void **state)
{
	(void)state;
	char *p = export_text(every_call, EXPORT_C);
	/* data escaped for C, and its text escaped as sockplay shows it */
	assert_contains(p, "ret = send(conn, \"a\\\"b\\\\c%d\\000\\377\\n?\\?/\", 13, MSG_DONTWAIT);");
	assert_contains(p, "step(\"send(%d, \\\"a\\\\\\\"b\\\\\\\\c%%d\\\\x00\\\\xff\\\\n?\\?/\\\", 13, MSG_DONTWAIT)\", conn);");
	assert_contains(p, "ret = recv(c, buf, 100, MSG_DONTWAIT|MSG_WAITALL);");
	assert_contains(p, "step(\"recv(%d, 100, MSG_DONTWAIT|MSG_WAITALL)\", c);");
	/* options */
	assert_contains(p, "lg.l_onoff = 1;\n\tlg.l_linger = 0;\n\tret = setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);");
	assert_contains(p, "ret = getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &optlen);\n\tdone_linger(ret, &lg);");
	assert_contains(p, "done_value(ret, optval);");
	assert_contains(p, "done_error(ret, optval);");
	assert_contains(p, "ret = setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &optval, sizeof optval);");
	assert_contains(p, "ret = fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);");
	assert_contains(p, "ret = fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);");
	assert_contains(p, "check(11, ret == -1 && errno == EAGAIN, \"-1 EAGAIN\", 0);");
	assert_contains(p, "ret = shutdown(c, SHUT_WR);");
	/* addresses: the wildcard of an IPv6 socket, another side's, one's own, Unix ones */
	assert_contains(p, "addrlen = ip_addr(&addr, AF_INET6, \"::\", 0);");
	assert_contains(p, "addrlen = shared_addr(\"server.s\", &addr);");
	assert_contains(p, "share_addr(\"server.s\", s);");
	assert_contains(p, "getsockname(d, (struct sockaddr *)&addr, &addrlen);");
	assert_contains(p, "addrlen = unix_addr(&addr, \"sockplay-unit-test\", 1);");
	assert_contains(p, "addrlen = unix_addr(&addr, \"/tmp/no-such-socket-here\", 0);");
	assert_contains(p, "ret = sendto(d, \"ping\", 4, 0, (struct sockaddr *)&addr, addrlen);");
	assert_contains(p, "ret = recvfrom(d, buf, 10, 0, (struct sockaddr *)&peer, &peerlen);");
	assert_contains(p, "done_data(ret, buf, &peer, peerlen);");
	/* an IPv6 address for an IPv4 socket goes to the kernel as it is */
	assert_contains(p, "addrlen = ip_addr(&addr, AF_INET6, \"::1\", 9);");
	/* a socket by number: its family is known only at run time */
	assert_contains(p, "addrlen = family_of(3) == AF_INET6 ? ip_addr(&addr, AF_INET6, \"::\", 0)");
	assert_contains(p, "ret = close(3);");
	/* repeated data, repeat blocks as loops, on both sides and in the script */
	assert_contains(p, "data = repeat(\"xy\", 2, 1000);");
	assert_contains(p, "ret = send(conn, data, 2000, 0);");
	assert_contains(p, "same(buf, ret, \"xy\", 2, 1000)");
	assert_true(count(p, "for (int i1 = 0; i1 < 3; i1++) { /* repeat 3 */") == 3);
	assert_contains(p, "for (int i2 = 0; i2 < 2; i2++) { /* repeat 2 */\n\t\t\t/* pause: sockplay waits for a key here */");
	assert_contains(p, "sleep_ms(10);");
	/* the title, safe in a string and in a comment */
	assert_contains(p, "title(\"Every call: \\\"quotes\\\", 100% and ?\\?/ */ in a title\");");
	assert_contains(p, "\"Every call: \"quotes\", 100% and ? ?/ * / in a title\"");
	assert_c_compiles(p, "every_call");
	free(p);
}

/* Script names that C and Python keep for themselves get a '_'. */
static const char names[] =
	"run: int = socket(AF_INET, SOCK_STREAM)\n"
	"run: ret = socket(AF_INET, SOCK_DGRAM)\n"
	"run: AF = socket(AF_INET6, SOCK_DGRAM)\n"
	"run: _x = socket(AF_UNIX, SOCK_DGRAM)\n"
	"run: i1 = socket(AF_INET, SOCK_STREAM)\n"
	"run: step = socket(AF_INET, SOCK_STREAM)\n"
	"run: None = socket(AF_INET, SOCK_STREAM)\n"
	"run: buf = socket(AF_INET, SOCK_STREAM)\n"
	"main: r = socket(AF_INET, SOCK_STREAM)\n"
	"main: close(r)\n"
	"run: recv(int, 10, MSG_DONTWAIT)\n"
	"run: close(ret)\n"
	"run: close(AF)\n"
	"run: close(_x)\n"
	"run: close(i1)\n"
	"run: close(step)\n"
	"run: close(None)\n"
	"run: close(buf)\n"
	"expect run int CLOSED\n";

static void test_names(void **state)
{
	(void)state;
	char *p = export_text(names, EXPORT_C);
	assert_contains(p, "static void run_(void)");
	assert_contains(p, "static void main_(void)");
	assert_contains(p, "int int_ = -1, ret_ = -1, AF_ = -1, s_x = -1, i1_ = -1, step_ = -1, None = -1, buf_ = -1;");
	assert_contains(p, "expect(run_, \"int\", TCP_CLOSE, 19);");
	assert_c_compiles(p, "names");
	free(p);
	p = export_text(names, EXPORT_PYTHON);
	assert_contains(p, "def run_():");
	assert_contains(p, "def main():\n");
	assert_contains(p, "def main_():");
	assert_contains(p, "int_ = ret = AF_ = s_x = i1_ = step_ = None_ = buf = NOT_MADE  # its sockets (none made yet)");
	assert_contains(p, "r_ = NOT_MADE  # its sockets (none made yet)");
	assert_contains(p, "SIDES = [Side(\"run\", run_), Side(\"main\", main_)]");
	assert_py_compiles(p, "names");
	free(p);
}

/* --------------------------------------------------------------- Python */

static void test_python_hello(void **state)
{
	(void)state;
	char *p = export_text(hello, EXPORT_PYTHON);
	char line[256];
	assert_contains(p, "#!/usr/bin/env python3\n");
	assert_contains(p, "s = keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0))");
	assert_contains(p, "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
	assert_contains(p, "    addr = (\"127.0.0.1\", 8888)\n    with call(\"bind(%d, %s)\" % (fd(s), show(addr))) as r:\n        s.bind(addr)\n");
	assert_contains(p, "with step(\"listen(%d, 5)\" % fd(s)) as r:\n        s.listen(5)\n");
	assert_contains(p, "conn, peer = s.accept()");
	assert_contains(p, "with step('send(%d, \"Hello, client!\", 14)' % fd(conn)) as r:\n"
			   "        r.ret = conn.send(b\"Hello, client!\")\n");
	assert_contains(p, "r.data = c.recv(1024)");
	assert_contains(p, "close(conn)");
	assert_contains(p, "check(13, r.ret == 14 and r.data == b\"Hello, client!\", '14 \"Hello, client!\"', data=True)");
	assert_contains(p, "check(10, r.ret == 0, \"0\")");
	assert_contains(p, "run(server, 4, makes=\"s\")  # server: s = socket(AF_INET, SOCK_STREAM) = 3");
	assert_contains(p, "run(client, 14, closes=\"c\")");
	assert_contains(p, "expect(server, \"conn\", CLOSE_WAIT, 16)  # expect server conn CLOSE_WAIT");
	assert_contains(p, "SCRIPT_FILE = \"t.sp\"");
	assert_contains(p, "errno.EAGAIN: \"EAGAIN\"");
	/* the comments: what the call does, the same line in C */
	assert_contains(p, "    # C: listen(s, 5);\n");
	(void)line;
	assert_contains(p, "    # line 7: server: listen(s, 5)\n");
	assert_int_equal(count(p, "    # line "), 13);
	assert_contains(p, "python3 t.py");
	assert_py_compiles(p, "hello");
	free(p);
}

static void test_python_every_call(void **state)
{
	(void)state;
	char *p = export_text(every_call, EXPORT_PYTHON);
	assert_contains(p, "r.ret = conn.send(b'a\"b\\\\c%d\\x00\\xff\\n?\?/', socket.MSG_DONTWAIT)");
	assert_contains(p, "with step('send(%d, \"a\\\\\"b\\\\\\\\c%%d\\\\x00\\\\xff\\\\n?\?/\", 13, MSG_DONTWAIT)' % fd(conn)) as r:");
	assert_contains(p, "r.data = c.recv(100, socket.MSG_DONTWAIT | socket.MSG_WAITALL)");
	assert_contains(p, "s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))");
	assert_contains(p, "on, secs = struct.unpack(\"ii\", s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))");
	assert_contains(p, "s.setblocking(False)");
	assert_contains(p, "s.setblocking(True)");
	assert_contains(p, "check(11, r.ret == -1 and r.err == errno.EAGAIN, \"-1 EAGAIN\")");
	assert_contains(p, "addr = (\"::\", 0)");
	assert_contains(p, "addr = shared_addr(\"server.s\")");
	assert_contains(p, "share_addr(\"server.s\", s)");
	assert_contains(p, "addr = d.getsockname()");
	assert_contains(p, "addr = b\"\\x00sockplay-unit-test\"");
	assert_contains(p, "addr = \"/tmp/no-such-socket-here\"");
	assert_contains(p, "r.data, peer = d.recvfrom(10)");
	/* Python refuses an IPv6 address for an IPv4 socket itself: the call goes through libc */
	assert_contains(p, "raw(\"connect\", v4, socket.AF_INET6, addr)");
	/* a socket by number */
	assert_contains(p, "with call(\"bind(%d, %s)\" % (3, show(addr))) as r:");
	assert_contains(p, "if family_of(by_number(3)) == socket.AF_INET6 else");
	assert_contains(p, "close(by_number(3))");
	assert_contains(p, "r.ret = conn.send(b\"xy\" * 1000)");
	assert_contains(p, "r.ret == 2000 and r.data == b\"xy\" * 1000");
	assert_true(count(p, "for _ in range(3):  # repeat 3") == 3);
	assert_contains(p, "        for _ in range(2):  # repeat 2\n            # pause: sockplay waits for a key here\n            pass\n");
	assert_contains(p, "sleep(10)");
	assert_contains(p, "title('Every call: \"quotes\", 100% and ?\?/ */ in a title')");
	assert_py_compiles(p, "every_call");
	free(p);
}

/* Columns a line takes: CJK characters two, others one (tabs as 8). */
static int columns(const char *s, size_t n)
{
	int cols = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			cols = (cols / 8 + 1) * 8;
			i++;
		} else if (c >= 0xe0) { /* three bytes and more: CJK in these texts */
			cols += 2;
			i += c >= 0xf0 ? 4 : 3;
		} else {
			cols += 1;
			i += c >= 0xc0 ? 2 : 1;
		}
	}
	return cols;
}

/* With --lang zh the explanations are Chinese: wrapped between characters, within 80 columns. */
static void test_chinese_comments(void **state)
{
	(void)state;
	char msg[256];
	if (i18n_init("zh", msg, sizeof msg) < 0 || strcmp(i18n_lang(), "zh") != 0) {
		i18n_init("en", msg, sizeof msg);
		skip();
	}
	char *c = export_text(hello, EXPORT_C), *py = export_text(hello, EXPORT_PYTHON);
	i18n_init("en", msg, sizeof msg);
	assert_true(strstr(c, "\xe5\xa5\x97\xe6\x8e\xa5\xe5\xad\x97") != NULL); /* 套接字 */
	/* the sides, up to the machinery (whose comments are the runtime's, in English) */
	const char *progs[] = { c, py };
	for (int k = 0; k < 2; k++) {
		const char *p = progs[k];
		const char *end = strstr(p, "==== How the sides take turns");
		assert_non_null(end);
		while (*p && p < end) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			int is_comment = strstr(p, " * ") == p + 1 || (strncmp(p, "    # ", 6) == 0);
			/* "Python: ..." and "C: ..." are code: never cut */
			int code = memmem(p, n, "Python: ", 8) || memmem(p, n, "# C: ", 5);
			if (is_comment && !code && columns(p, n) > 80)
				fail_msg("a comment line of %d columns: %.*s", columns(p, n), (int)n, p);
			p += n + (e ? 1 : 0);
		}
	}
	assert_c_compiles(c, "chinese");
	assert_py_compiles(py, "chinese");
	free(c);
	free(py);
}

/* ------------------------------------------- the lines --explain prints */

/* Data and addresses that need escaping in every way: control bytes before letters and digits, quotes, trigraphs, comment marks. */
static const char hostile[] =
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: int = socket(AF_INET, SOCK_STREAM)\n"
	"server: send = socket(AF_INET, SOCK_DGRAM)\n"
	"server: AF_INET6 = socket(AF_INET6, SOCK_STREAM)\n"
	"server: bind(int, 127.0.0.1:8888)\n"
	"server: listen(AF_INET6)\n"
	"server: buf = accept(s)\n"
	"server: send(buf, \"\\x0dabc\\x1bEdge\")\n"
	"server: send(buf, \"\\x00" "123\\x01" "7\\xff\\x7f\\t\\\\\\\"'?\?/?\?=*/ /*%s%d\")\n"
	"server: send(buf, \"*/\" * 3)\n"
	"server: send(buf, \"\\x1b[31mred\\x1b[0m\\r\\n\" * 1000, MSG_DONTWAIT)\n"
	"server: sendto(send, \"?\?/\\x07" "8\", 127.0.0.1:9)\n"
	"server: recv(buf, 0)\n"
	"server: recvfrom(send, 5, MSG_PEEK)\n"
	"server: u = socket(AF_UNIX, SOCK_STREAM)\n"
	"server: bind(u, @a*/b)\n"
	"server: connect(u, /tmp/x/*y)\n"
	"server: setsockopt(buf, SO_LINGER, 1, 0)\n"
	"server: getsockopt(send, SO_ERROR)\n"
	"server: nonblock(int, 0)\n"
	"server: shutdown(buf, SHUT_RDWR)\n"
	"server: close(7)\n";

/* How explain_code() spells socket ARG (a name or a number): the fd of "close(ARG);". */
static void code_spelling(const struct sp_stmt *st, const struct sp_arg *arg, char *out, size_t size)
{
	struct sp_stmt t = *st;
	char line[256];
	t.call = SP_CALL_CLOSE;
	t.nargs = 1;
	t.assign[0] = 0;
	t.args[0] = *arg;
	explain_code(&t, 0, line, sizeof line);
	assert_true(strncmp(line, "close(", 6) == 0);
	snprintf(out, size, "%.*s", (int)strcspn(line + 6, ")"), line + 6);
}

/* Every call's C line into C (each in a block of its own), its Python line into PY; its names into NAMES. */
static void code_lines(const char *file, const struct sp_stmt *v, size_t n, FILE *c, FILE *py, FILE *names)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		char line[1024], name[64];
		if (st->kind == SP_ST_REPEAT)
			code_lines(file, st->body, st->nbody, c, py, names);
		if (st->kind != SP_ST_CALL)
			continue;
		assert_true(explain_code(st, 0, line, sizeof line) > 0);
		fprintf(c, "\t{ /* %s:%d */\n\t\t%s\n\t}\n", file, st->line, line);
		assert_true(explain_code(st, 1, line, sizeof line) > 0);
		fprintf(py, "%s\n", line);
		if (st->assign[0]) {
			struct sp_arg made = { .kind = SP_ARG_SOCK };
			snprintf(made.name, sizeof made.name, "%s", st->assign);
			code_spelling(st, &made, name, sizeof name);
			fprintf(names, "%s\n", name);
		}
		if (call_takes_fd(st->call)) {
			code_spelling(st, &st->args[0], name, sizeof name);
			fprintf(names, "%s\n", name);
		}
	}
}

/*
 * The C and Python lines that --explain prints for the demos, the export
 * tests and hostile data: every C line compiles (strict C11), every Python
 * line parses.
 */
static void test_code_lines_compile(void **state)
{
	(void)state;
	if (run("command -v cc >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1") != 0)
		skip();
	char cpath[128], pypath[128], namepath[128];
	snprintf(cpath, sizeof cpath, "%s/lines.c", tmpdir);
	snprintf(pypath, sizeof pypath, "%s/lines.py", tmpdir);
	snprintf(namepath, sizeof namepath, "%s/names", tmpdir);
	FILE *body = tmpfile(), *py = fopen(pypath, "w"), *names = fopen(namepath, "w");
	assert_non_null(body);
	assert_non_null(py);
	assert_non_null(names);
	glob_t g;
	assert_int_equal(glob("assets/demos/*.sp", 0, NULL, &g), 0);
	assert_int_equal(glob("tests/export/*.sp", GLOB_APPEND, NULL, &g), 0);
	size_t scripts = 0;
	for (size_t i = 0; i <= g.gl_pathc; i++) {
		const char *file = i < g.gl_pathc ? g.gl_pathv[i] : "hostile.sp";
		struct sp_script *sc = NULL;
		struct sp_diags d = { 0 };
		int rc = i < g.gl_pathc ? script_load(file, &sc, &d)
					: script_parse(file, hostile, strlen(hostile), &sc, &d);
		if (rc != 0) {
			script_diags_print(stderr, file, &d);
			fail_msg("%s does not parse", file);
		}
		code_lines(file, sc->stmts, sc->n, body, py, names);
		script_free(sc);
		scripts++;
	}
	globfree(&g);
	assert_true(scripts > 10);
	fclose(py);
	fclose(names);

	/* the file: the names the lines use declared, then each line in a block */
	FILE *c = fopen(cpath, "w");
	assert_non_null(c);
	fputs("#define _GNU_SOURCE\n#include <fcntl.h>\n#include <netinet/in.h>\n#include <netinet/tcp.h>\n"
	      "#include <poll.h>\n#include <sys/ioctl.h>\n#include <sys/select.h>\n#include <sys/socket.h>\n"
	      "#include <sys/time.h>\n#include <unistd.h>\n#include <linux/sockios.h>\n\nvoid lines(void);\n"
	      "void lines(void)\n{\n"
	      "\tstruct sockaddr_storage addr, peer;\n\tsocklen_t peerlen = sizeof peer;\n\tchar buf[1];\n",
	      c);
	fclose(c);
	assert_int_equal(run("sort -u '%s' | grep -vx buf | sed 's/.*/\\tint & = 3;/' >>'%s'", namepath, cpath), 0);
	c = fopen(cpath, "a");
	assert_non_null(c);
	rewind(body);
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, body)) > 0)
		fwrite(chunk, 1, got, c);
	fputs("}\n", c);
	fclose(c);
	fclose(body);
	if (run("cc -std=c11 -Wall -Wextra -Wpedantic -Wno-unused -Werror -fsyntax-only '%s' 2>'%s.err'", cpath,
		cpath) != 0) {
		run("head -30 '%s.err' >&2", cpath);
		fail_msg("a C line of --explain does not compile");
	}
	if (run("python3 -c 'import ast, sys\n"
		"for n, line in enumerate(open(sys.argv[1]), 1):\n"
		"    try:\n"
		"        ast.parse(line)\n"
		"    except SyntaxError as e:\n"
		"        sys.exit(\"line %%d: %%s: %%s\" %% (n, e, line))' '%s' >&2",
		pypath) != 0)
		fail_msg("a Python line of --explain does not parse");
}

/* The table of helpers and the runtime files agree: no chunk left out, none shared, none missing. */
static void test_runtime_chunks(void **state)
{
	(void)state;
	char err[256] = "";
	if (export_runtime_check(err, sizeof err) != 0)
		fail_msg("%s", err);
}

/* Every call of the table says how an exported program makes it, in C and in Python. */
static void test_every_call_has_export_lines(void **state)
{
	(void)state;
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		const struct call_info *ci = call_info((enum sp_call)c);
		assert_non_null(ci);
		if (!ci->ex_c || !ci->ex_py || !ci->ex_c[0] || !ci->ex_py[0])
			fail_msg("%s(): no ex_c or ex_py in its row of src/call.c", ci->name);
	}
}

/*
 * A name whose socket was never made (its accept() failed) is -1 in C and
 * NOT_MADE in Python: calls on it fail with EBADF in both, where the Python
 * program used to die on None. A name made twice keeps its socket when the
 * second call fails, as in sockplay.
 */
static const char not_made[] =
	"server: s = socket(AF_UNIX, SOCK_STREAM)\n"
	"server: bind(s, @sockplay-test-export-not-made)\n"
	"server: listen(s)\n"
	"server: nonblock(s)\n"
	"server: conn = accept(s) = -1 EAGAIN\n"
	"server: send(conn, \"hi\") = -1 EBADF\n"
	"server: close(conn) = -1 EBADF\n"
	"server: t = socket(AF_UNIX, SOCK_STREAM) = 4\n"
	"server: t = socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) = -1 EPROTONOSUPPORT\n"
	"server: close(t) = 0\n";

static void test_not_made(void **state)
{
	(void)state;
	char *c = export_text(not_made, EXPORT_C), *py = export_text(not_made, EXPORT_PYTHON);
	assert_contains(py, "s = conn = t = NOT_MADE  # its sockets (none made yet)");
	assert_contains(c, "ret = socket(AF_INET, SOCK_STREAM, IPPROTO_UDP);\n\tif (ret >= 0) /* a failed call leaves t as it was */\n"
			   "\t\tt = (int)ret;\n");
	assert_contains(c, "ret = conn = accept(s, ");
	assert_c_compiles(c, "not_made");
	assert_py_compiles(py, "not_made");
	if (run("command -v python3 >/dev/null 2>&1") != 0)
		skip();
	/* both run to the end, print the same lines, and every expectation holds */
	assert_int_equal(run("cd '%s' && timeout 20 ./not_made >c.out 2>c.err", tmpdir), 0);
	assert_int_equal(run("cd '%s' && timeout 20 python3 not_made.py >py.out 2>py.err", tmpdir), 0);
	assert_int_equal(run("cd '%s' && cmp -s c.out py.out && ! test -s py.err && ! test -s c.err", tmpdir), 0);
	assert_int_equal(run("grep -qxF '[server] send(-1, \"hi\", 2) = -1 EBADF (Bad file descriptor)' '%s/py.out'",
			     tmpdir), 0);
	free(c);
	free(py);
}

/* getsockname(): its note is the socket's own address, in C (done_name) and in Python (show). */
static const char own_name[] =
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: getsockname(s) = 0\n"
	"server: x = socket(AF_UNIX, SOCK_STREAM)\n"
	"server: bind(x, @sockplay-unit-getsockname)\n"
	"server: getsockname(x) = 0\n"
	"server: getsockname(9) = -1 EBADF\n";

static void test_getsockname(void **state)
{
	(void)state;
	char *c = export_text(own_name, EXPORT_C), *py = export_text(own_name, EXPORT_PYTHON);
	assert_contains(c, "step(\"getsockname(%d)\", s);\n\taddrlen = sizeof addr;\n"
			   "\tret = getsockname(s, (struct sockaddr *)&addr, &addrlen);\n\tdone_name(ret, &addr, addrlen);");
	assert_contains(c, "static void done_name(long long ret, const struct sockaddr_storage *ss,");
	assert_contains(py, "with step(\"getsockname(%d)\" % fd(s)) as r:\n        r.ret, r.note = 0, show(s.getsockname())");
	assert_c_compiles(c, "own_name");
	assert_py_compiles(py, "own_name");
	/* a script without getsockname() has no done_name() */
	char *hello = export_text("server: s = socket(AF_INET, SOCK_STREAM)\nserver: close(s)\n", EXPORT_C);
	assert_lacks(hello, "done_name");
	free(hello);
	if (run("command -v python3 >/dev/null 2>&1") != 0)
		skip();
	assert_int_equal(run("cd '%s' && timeout 20 ./own_name >c.out 2>c.err", tmpdir), 0);
	assert_int_equal(run("cd '%s' && timeout 20 python3 own_name.py >py.out 2>py.err", tmpdir), 0);
	assert_int_equal(run("cd '%s' && cmp -s c.out py.out && ! test -s py.err && ! test -s c.err", tmpdir), 0);
	assert_int_equal(run("grep -qxF '[server] getsockname(3) = 0 (*:0)' '%s/c.out'", tmpdir), 0);
	assert_int_equal(run("grep -qxF '[server] getsockname(4) = 0 (@sockplay-unit-getsockname)' '%s/c.out'",
			     tmpdir), 0);
	assert_int_equal(run("grep -qxF '[server] getsockname(9) = -1 EBADF (Bad file descriptor)' '%s/py.out'",
			     tmpdir), 0);
	free(c);
	free(py);
}

/* The text a program prints for a send is the transcript's: UTF-8 kept, dots in the data inside the quotes. */
static void test_send_text_is_the_transcripts(void **state)
{
	(void)state;
	static const char script[] = "client: c = socket(AF_INET, SOCK_DGRAM)\n"
				     "client: sendto(c, \"h\xc3\xa9llo...\", 127.0.0.1:9)\n";
	char *c = export_text(script, EXPORT_C), *py = export_text(script, EXPORT_PYTHON);
	assert_contains(c, "call(\"sendto(%d, \\\"h\xc3\xa9llo...\\\", 9, %s)\", c, addr_text(&addr, addrlen));");
	assert_contains(py, "with call('sendto(%d, \"h\xc3\xa9llo...\", 9, %s)' % (fd(c), show(addr))) as r:");
	free(c);
	free(py);
}

/* ------------------------------------------------------------ failures */

static void test_errors(void **state)
{
	(void)state;
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	char err[256] = "";
	const char *text = "say \"nothing but words\"\n";
	assert_int_equal(script_parse("t.sp", text, strlen(text), &sc, &d), 0);
	FILE *fp = fopen("/dev/null", "w");
	assert_non_null(fp);
	assert_int_equal(export_program(sc, EXPORT_C, fp, err, sizeof err), -1);
	assert_non_null(strstr(err, "no call"));
	fclose(fp);
	script_free(sc);

	/* a program that cannot be written says so */
	assert_int_equal(script_parse("t.sp", hello, strlen(hello), &sc, &d), 0);
	fp = fopen("/dev/full", "w");
	if (fp) {
		err[0] = 0;
		assert_int_equal(export_program(sc, EXPORT_PYTHON, fp, err, sizeof err), -1);
		assert_non_null(strstr(err, "cannot write"));
		fclose(fp);
	}
	err[0] = 0;
	assert_int_equal(export_program(sc, (enum export_lang)7, stdout, err, sizeof err), -1);
	assert_true(err[0] != 0);
	assert_int_equal(export_program(NULL, EXPORT_C, stdout, err, sizeof err), -1);
	script_free(sc);

	/* an expect on a socket of a pair: not exported, and said where */
	text = "server: a, b = socketpair(AF_UNIX, SOCK_STREAM)\nrepeat 2\n  server: send(a, \"x\")\nend\n"
	       "expect server b ESTABLISHED\n";
	assert_int_equal(script_parse("t.sp", text, strlen(text), &sc, &d), 0);
	fp = fopen("/dev/null", "w");
	assert_non_null(fp);
	err[0] = 0;
	assert_int_equal(export_program(sc, EXPORT_PYTHON, fp, err, sizeof err), -1);
	assert_string_equal(err, "t.sp:5: expect on 'b', a socket socketpair() made, cannot be exported "
			    "(sockplay --batch checks it)");
	fclose(fp);
	script_free(sc);
}

/* Values, ioctl(), timeouts and MSG_TRUNC: the calls in C and Python, "(value X)" part of the check. */
static const char values[] =
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: getsockopt(s, SO_ERROR) = 0 (value ECONNREFUSED)\n"
	"server: getsockopt(s, SO_REUSEADDR) = 0 (value off)\n"
	"server: setsockopt(s, SO_RCVTIMEO, 1.5s)\n"
	"server: getsockopt(s, SO_RCVTIMEO) = 0 (value 1500)\n"
	"server: ioctl(s, FIONREAD) = 0 (value 3)\n"
	"server: ioctl(s, SIOCOUTQ)\n"
	"server: ioctl(s, FIONBIO, 1)\n"
	"server: getpeername(s) = -1 ENOTCONN\n"
	"server: u = socket(AF_INET, SOCK_DGRAM)\n"
	"server: recv(u, 3, MSG_TRUNC) = 11 \"hel\"\n";

static void test_values_exported(void **state)
{
	(void)state;
	char *c = export_text(values, EXPORT_C), *py = export_text(values, EXPORT_PYTHON);
	assert_contains(c, "#include <sys/ioctl.h>\n#include <linux/sockios.h>\n");
	assert_contains(c, "check(2, ret == 0 && optval == ECONNREFUSED, \"0 (value ECONNREFUSED)\", 2);");
	assert_contains(c, "check(3, ret == 0 && (optval != 0) == 0, \"0 (value off)\", 2);");
	assert_contains(c, "tv.tv_sec = 1;\n\ttv.tv_usec = 500000;\n\tret = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);");
	assert_contains(c, "done_value(ret, (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000));");
	assert_contains(c, "ret = ioctl(s, FIONREAD, &optval);\n\tdone_value(ret, optval);");
	assert_contains(c, "optval = 1;\n\tret = ioctl(s, FIONBIO, &optval);\n\tdone(ret);");
	assert_contains(c, "ret = getpeername(s, (struct sockaddr *)&addr, &addrlen);");
	assert_contains(c, "ret = recv(u, buf, 3, MSG_TRUNC);\n\tdone_trunc(ret, buf, 3, NULL, 0);");
	assert_contains(c, "memcmp(buf, \"hel\", 3) == 0");
	assert_contains(py, "import fcntl\nimport termios\n");
	assert_contains(py, "check(2, r.ret == 0 and value == errno.ECONNREFUSED, \"0 (value ECONNREFUSED)\", value=True)");
	assert_contains(py, "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack(\"ll\", 1, 500000))");
	assert_contains(py, "value = struct.unpack(\"i\", fcntl.ioctl(fd(s), termios.TIOCOUTQ, bytes(4)))[0]  # SIOCOUTQ");
	assert_contains(py, "fcntl.ioctl(fd(s), termios.FIONBIO, struct.pack(\"i\", 1))");
	assert_contains(py, "r.ret = u.recv_into(r.data, 3, socket.MSG_TRUNC)");
	assert_c_compiles(c, "values");
	assert_py_compiles(py, "values");
	free(c);
	free(py);
}

/* poll() and select(): each socket of the list by its variable or number, select's own struct timeval. */
static const char lists[] =
	"server: s = socket(AF_INET, SOCK_STREAM)\n"
	"server: setsockopt(s, SO_RCVTIMEO, 1500)\n"
	"server: c = socket(AF_INET, SOCK_STREAM)\n"
	"server: poll(s POLLIN, 7 POLLIN|POLLOUT, 0) = 1 (7 POLLNVAL)\n"
	"server: select(w: c, r: s 7, 1500)\n"
	"server: select(r: s)\n";

static void test_lists_exported(void **state)
{
	(void)state;
	char *c = export_text(lists, EXPORT_C), *py = export_text(lists, EXPORT_PYTHON);
	assert_contains(c, "step(\"poll(%d POLLIN, %d POLLIN|POLLOUT, 0)\", s, 7);\n\t{\n"
			   "\t\tstruct pollfd pfd[] = { { s, POLLIN, 0 }, { 7, POLLIN|POLLOUT, 0 } };\n"
			   "\t\tret = poll(pfd, 2, 0);\n"
			   "\t\tdone_poll(ret, pfd, 2, (const char *const[]){ \"s\", \"7\" });\n\t}\n");
	assert_contains(c, "check_ready(4, ret == 1 && ready_is(\"7 POLLNVAL\"), \"1 (7 POLLNVAL)\");");
	/* the text shows the read set first; the sets are made in the list's order */
	assert_contains(c, "step(\"select(r: %d %d, w: %d, 1500)\", s, 7, c);");
	assert_contains(c, "\t\tstruct timeval tv = { 1, 500000 };\n\t\tconst int sel[] = { c, s, 7 };\n");
	assert_contains(c, "\t\tFD_SET(c, &wset);\n\t\tFD_SET(s, &rset);\n\t\tFD_SET(7, &rset);\n");
	assert_contains(c, "done_select(ret, &rset, &wset, sel, \"wrr\", (const char *const[]){ \"c\", \"s\", \"7\" }, 3);");
	assert_contains(c, "ret = select(nfds_of(sel, 1), &rset, &wset, NULL, NULL);");
	assert_contains(c, "\tstruct timeval tv;\n"); /* the side's own, for SO_RCVTIMEO */
	assert_int_equal(count(c, "struct timeval tv"), 2); /* and select's own, in its block */
	assert_contains(py, "poller.register(fd(s), select.POLLIN)\n        poller.register(7, select.POLLIN | select.POLLOUT)\n");
	assert_contains(py, "r.ret, r.note = len(events), poll_note(events, ((fd(s), \"s\"), (7, \"7\"), ))");
	assert_contains(py, "watched = ((1, fd(c), \"c\"), (0, fd(s), \"s\"), (0, 7, \"7\"), )\n"
			    "        ready = select.select([fd(s), 7], [fd(c)], [], 1.5)\n");
	assert_contains(py, "ready = select.select([fd(s)], [], [])\n");
	assert_contains(py, "check_ready(4, r.ret == 1 and ready_is(r, \"7 POLLNVAL\"), \"1 (7 POLLNVAL)\")");
	assert_lacks(py, "def by_number("); /* the lists name sockets by number themselves */
	assert_c_compiles(c, "lists");
	assert_py_compiles(py, "lists");
	free(c);
	free(py);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_hello_calls),
		cmocka_unit_test(test_c_hello_comments),
		cmocka_unit_test(test_c_hello_compiles),
		cmocka_unit_test(test_c_minimal_compiles),
		cmocka_unit_test(test_comments_are_the_statement),
		cmocka_unit_test(test_c_every_call),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_python_hello),
		cmocka_unit_test(test_python_every_call),
		cmocka_unit_test(test_chinese_comments),
		cmocka_unit_test(test_code_lines_compile),
		cmocka_unit_test(test_not_made),
		cmocka_unit_test(test_getsockname),
		cmocka_unit_test(test_send_text_is_the_transcripts),
		cmocka_unit_test(test_runtime_chunks),
		cmocka_unit_test(test_every_call_has_export_lines),
		cmocka_unit_test(test_values_exported),
		cmocka_unit_test(test_lists_exported),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
