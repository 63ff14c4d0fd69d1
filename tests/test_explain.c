/* test_explain.c -- every call and errno is explained, and explain_step() composes and bounds its text. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/script.h"

/*
 * The explanation as one text, as --batch --explain prints it (explain_text()):
 * of CALL in general, and of statement ST with the facts CX.
 */
static size_t explain_step_type(enum sp_call call, int socktype, long long ret, int err, char *buf, size_t size)
{
	struct explain ex;
	explain_result(call, socktype, ret, err, &ex);
	return explain_text(&ex, buf, size);
}

static size_t explain_step(enum sp_call call, long long ret, int err, char *buf, size_t size)
{
	return explain_step_type(call, SOCK_STREAM, ret, err, buf, size);
}

static size_t explain_step_ctx(const struct sp_stmt *st, int socktype, long long ret, int err,
			       const struct explain_ctx *cx, char *buf, size_t size)
{
	struct explain ex;
	explain_stmt(st, socktype, ret, err, cx, &ex);
	return explain_text(&ex, buf, size);
}

static size_t explain_step_stmt(const struct sp_stmt *st, int socktype, long long ret, int err, char *buf,
				size_t size)
{
	return explain_step_ctx(st, socktype, ret, err, NULL, buf, size);
}

/* The errnos a socket call can return in sockplay: each must have a meaning. */
static const int listed_errnos[] = {
	EACCES, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EALREADY, EBADF,
	ECONNABORTED, ECONNREFUSED, ECONNRESET, EDESTADDRREQ, EHOSTUNREACH,
	EINPROGRESS, EINTR, EINVAL, EISCONN, EMFILE, ENFILE, EMSGSIZE, ENETUNREACH,
	ENOBUFS, ENOENT, ENOMEM, ENOPROTOOPT, ENOTCONN, ENOTSOCK, EOPNOTSUPP, EPERM,
	EPIPE, EPROTONOSUPPORT, EPROTOTYPE, ETIMEDOUT, ENAMETOOLONG, ENOTDIR,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A msgid-ready sentence: one line of printable ASCII ending with '.' or '?'. */
static void assert_sentence(const char *s)
{
	assert_non_null(s);
	size_t n = strlen(s);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			fail_msg("not one line of printable ASCII: \"%s\"", s);
	if (s[n - 1] != '.' && s[n - 1] != '?')
		fail_msg("not a complete sentence: \"%s\"", s);
	if (s[0] >= 'a' && s[0] <= 'z' && strchr(s, '(') == NULL)
		fail_msg("starts in lower case but is no call: \"%s\"", s);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, hay ? hay : "(null)");
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle))
		fail_msg("\"%s\" unexpectedly in:\n%s", needle, hay);
}

static void test_every_call_explained(void **state)
{
	(void)state;
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++) {
		const char *name = call_name((enum sp_call)c);
		const char *k = explain_call((enum sp_call)c);
		const char *py = explain_python((enum sp_call)c);
		const char *cl = explain_c((enum sp_call)c);
		char called[32];

		assert_non_null(name);
		assert_sentence(k);
		assert_sentence(explain_call_type((enum sp_call)c, SOCK_DGRAM));
		/* The text names the function that really ran (nonblock is fcntl()). */
		snprintf(called, sizeof called, "%s()", c == SP_CALL_NONBLOCK ? "fcntl" : name);
		assert_contains(k, called);
		assert_contains(explain_call_type((enum sp_call)c, SOCK_DGRAM), called);

		assert_non_null(py);
		assert_true(strlen(py) > 0);
		assert_null(strchr(py, ';'));
		assert_null(strchr(py, '\n'));
		assert_non_null(cl);
		assert_true(strlen(cl) > 0);
		assert_int_equal(cl[strlen(cl) - 1], ';');
		assert_null(strchr(cl, '\n'));
		/* The C line calls the same function, the Python line a method. */
		assert_contains(cl, c == SP_CALL_NONBLOCK ? "fcntl(" : name);
		assert_contains(py, c == SP_CALL_NONBLOCK ? "setblocking(" : name);
	}
}

static void test_out_of_range_call(void **state)
{
	(void)state;
	const enum sp_call bad[] = { SP_CALL_NONE, SP_CALL_COUNT, (enum sp_call)-1,
				     (enum sp_call)1000 };
	for (size_t i = 0; i < NELEM(bad); i++) {
		assert_null(explain_call(bad[i]));
		assert_null(explain_call_type(bad[i], SOCK_DGRAM));
		assert_null(explain_python(bad[i]));
		assert_null(explain_c(bad[i]));
	}
}

static void test_tutorial_lines(void **state)
{
	(void)state;
	assert_string_equal(explain_python(SP_CALL_SOCKET),
			    "server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)");
	assert_string_equal(explain_python(SP_CALL_BIND), "server_socket.bind((\"localhost\", 8888))");
	assert_string_equal(explain_python(SP_CALL_ACCEPT), "conn, addr = server_socket.accept()");
	assert_string_equal(explain_python(SP_CALL_SEND), "conn.send(\"Hello, client!\".encode())");
	assert_string_equal(explain_python(SP_CALL_CONNECT),
			    "client_socket.connect((\"localhost\", 8888))");
	assert_string_equal(explain_python(SP_CALL_RECV), "data = client_socket.recv(1024).decode()");
	assert_string_equal(explain_python(SP_CALL_CLOSE), "client_socket.close()");
	assert_string_equal(explain_python(SP_CALL_SETSOCKOPT),
			    "server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
	assert_contains(explain_python(SP_CALL_NONBLOCK), ".setblocking(False)");

	assert_string_equal(explain_c(SP_CALL_LISTEN), "listen(fd, 5);");
	assert_string_equal(explain_c(SP_CALL_ACCEPT), "int conn = accept(fd, NULL, NULL);");
	assert_string_equal(explain_c(SP_CALL_SEND), "send(fd, \"Hello, client!\", 14, 0);");
	assert_string_equal(explain_c(SP_CALL_NONBLOCK),
			    "fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);");
	assert_string_equal(explain_c(SP_CALL_CLOSE), "close(fd);");
}

static void test_kernel_facts(void **state)
{
	(void)state;
	assert_contains(explain_call(SP_CALL_CONNECT), "SYN,ACK");
	assert_contains(explain_call(SP_CALL_CONNECT), "ESTABLISHED");
	assert_contains(explain_call(SP_CALL_CONNECT), "accept queue");
	assert_contains(explain_call(SP_CALL_LISTEN), "accept queue");
	assert_contains(explain_call(SP_CALL_LISTEN), "backlog");
	assert_contains(explain_call(SP_CALL_SEND), "send buffer");
	assert_contains(explain_call(SP_CALL_SEND), "not necessarily delivered");
	assert_contains(explain_call(SP_CALL_RECV), "0");
	assert_contains(explain_call(SP_CALL_RECV), "FIN");
	assert_contains(explain_call(SP_CALL_CLOSE), "FIN");
	assert_contains(explain_call(SP_CALL_CLOSE), "TIME_WAIT");
	assert_contains(explain_call(SP_CALL_SHUTDOWN), "FIN");

	/* UDP: no handshake, no FIN; calls without a UDP text share the TCP one. */
	assert_lacks(explain_call_type(SP_CALL_CONNECT, SOCK_DGRAM), "SYN");
	assert_lacks(explain_call_type(SP_CALL_CLOSE, SOCK_DGRAM), "FIN");
	assert_lacks(explain_call_type(SP_CALL_SEND, SOCK_DGRAM), "send buffer");
	assert_ptr_equal(explain_call_type(SP_CALL_BIND, SOCK_DGRAM), explain_call(SP_CALL_BIND));
	assert_ptr_equal(explain_call_type(SP_CALL_CONNECT, SOCK_STREAM),
			 explain_call(SP_CALL_CONNECT));
}

static void test_every_errno_explained(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(listed_errnos); i++) {
		const char *m = explain_errno(listed_errnos[i]);
		if (!m)
			fail_msg("no meaning for %s", consts_errno_name(listed_errnos[i]));
		assert_sentence(m);
	}
	/* Every errno a script may name has a meaning too (aliases included). */
	const char *name;
	for (size_t i = 0; (name = consts_errno_at(i)) != NULL; i++) {
		int e = consts_errno_from_name(name);
		assert_true(e > 0);
		if (!explain_errno(e))
			fail_msg("no meaning for %s", name);
		assert_sentence(explain_errno(e));
	}
	assert_ptr_equal(explain_errno(EWOULDBLOCK), explain_errno(EAGAIN));
	assert_null(explain_errno(0));
	assert_null(explain_errno(-1));
	assert_null(explain_errno(4095));
}

static void test_mistakes(void **state)
{
	(void)state;
	static const struct {
		enum sp_call call;
		int err;
		const char *needle;
	} cases[] = {
		{ SP_CALL_CONNECT, ECONNREFUSED, "listen()" },
		{ SP_CALL_BIND, EADDRINUSE, "SO_REUSEADDR" },
		{ SP_CALL_BIND, EADDRINUSE, "TIME_WAIT" },
		{ SP_CALL_BIND, EINVAL, "already bound" },
		{ SP_CALL_ACCEPT, EINVAL, "listen()" },
		{ SP_CALL_LISTEN, EINVAL, "not connected" },
		{ SP_CALL_SEND, ENOTCONN, "accept()" },
		{ SP_CALL_RECV, ENOTCONN, "connect()" },
		{ SP_CALL_SEND, EPIPE, "shutdown" },
		{ SP_CALL_RECV, ECONNRESET, "RST" },
		{ SP_CALL_SEND, ECONNRESET, "SO_LINGER" },
		{ SP_CALL_RECV, EAGAIN, "poll()" },
		{ SP_CALL_ACCEPT, EAGAIN, "accept queue" },
		{ SP_CALL_SEND, EAGAIN, "send buffer" },
		{ SP_CALL_CONNECT, EINPROGRESS, "SO_ERROR" },
		{ SP_CALL_CONNECT, EALREADY, "SO_ERROR" },
		{ SP_CALL_ACCEPT, EINTR, "sockplay interrupted" },
		{ SP_CALL_RECV, EINTR, "sockplay interrupted" },
		{ SP_CALL_SEND, EBADF, "close()" },
		{ SP_CALL_CONNECT, EISCONN, "already connected" },
		{ SP_CALL_CONNECT, EAFNOSUPPORT, "AF_INET" },
		{ SP_CALL_BIND, EAFNOSUPPORT, "IPv6" },
		{ SP_CALL_BIND, EACCES, "1024" },
		{ SP_CALL_SOCKET, EMFILE, "close()" },
		{ SP_CALL_ACCEPT, EMFILE, "close()" },
		{ SP_CALL_ACCEPT, EOPNOTSUPP, "UDP" },
		{ SP_CALL_LISTEN, EOPNOTSUPP, "UDP" },
		{ SP_CALL_SEND, EDESTADDRREQ, "sendto()" },
		{ SP_CALL_SENDTO, EMSGSIZE, "65507" },
		{ SP_CALL_RECV, ECONNREFUSED, "ICMP" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *m = explain_mistake(cases[i].call, cases[i].err);
		if (!m)
			fail_msg("no mistake for %s %s", call_name(cases[i].call),
				 consts_errno_name(cases[i].err));
		assert_sentence(m);
		assert_contains(m, cases[i].needle);
	}
	/* A call's own entry wins over the one for any call. */
	assert_ptr_not_equal(explain_mistake(SP_CALL_CONNECT, ECONNREFUSED),
			     explain_mistake(SP_CALL_RECV, ECONNREFUSED));
	assert_string_equal(explain_mistake(SP_CALL_CONNECT, ECONNREFUSED),
			    "Nothing listens at that address and port: did the server call bind() "
			    "and listen() first? Is the port right?");
	/* No guess where there is none. */
	assert_null(explain_mistake(SP_CALL_CONNECT, 0));
	assert_null(explain_mistake(SP_CALL_GETSOCKOPT, ENOMEM));
	assert_null(explain_mistake(SP_CALL_CONNECT, 4095));
}

static void test_step_success(void **state)
{
	(void)state;
	char buf[2048];
	size_t n = explain_step(SP_CALL_CONNECT, 0, 0, buf, sizeof buf);

	assert_int_equal(n, strlen(buf));
	assert_true(strncmp(buf, explain_call(SP_CALL_CONNECT), strlen(explain_call(SP_CALL_CONNECT))) == 0);
	assert_contains(buf, "\nPython: client_socket.connect((\"localhost\", 8888))\n");
	assert_contains(buf, "\nC: connect(fd, ");
	assert_lacks(buf, "Likely:");
	assert_true(buf[n - 1] == ';'); /* the C line ends it, no trailing newline */

	/* Exactly three lines: kernel, Python, C. */
	size_t lines = 1;
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);

	n = explain_step(SP_CALL_ACCEPT, 4, 0, buf, sizeof buf);
	assert_contains(buf, "\nPython: conn, addr = server_socket.accept()\nC: int conn = accept(fd, NULL, NULL);");
	assert_int_equal(n, strlen(buf));
}

static void test_step_connect_refused(void **state)
{
	(void)state;
	char buf[2048];
	size_t n = explain_step(SP_CALL_CONNECT, -1, ECONNREFUSED, buf, sizeof buf);

	assert_int_equal(n, strlen(buf));
	assert_true(strncmp(buf, "ECONNREFUSED: ", 14) == 0);
	assert_contains(buf, explain_errno(ECONNREFUSED));
	assert_contains(buf, "\nLikely: Nothing listens at that address and port: did the server "
			     "call bind() and listen() first? Is the port right?\n");
	assert_contains(buf, "\nPython: client_socket.connect((\"localhost\", 8888))\n");
	assert_contains(buf, "\nC: connect(");
	/* A failure does not claim the call did its work. */
	assert_lacks(buf, "three-way handshake completed");
}

static void test_step_other_failures(void **state)
{
	(void)state;
	char buf[2048];

	/* A meaning without a known mistake: no "Likely:" line. */
	explain_step(SP_CALL_GETSOCKOPT, -1, ENOMEM, buf, sizeof buf);
	assert_true(strncmp(buf, "ENOMEM: ", 8) == 0);
	assert_lacks(buf, "Likely:");
	assert_contains(buf, "\nPython: ");

	/* EWOULDBLOCK prints under its canonical name. */
	explain_step(SP_CALL_RECV, -1, EWOULDBLOCK, buf, sizeof buf);
	assert_true(strncmp(buf, "EAGAIN: ", 8) == 0);
	assert_contains(buf, "\nLikely: ");

	/* An errno nobody listed still yields a line, with its number. */
	explain_step(SP_CALL_SEND, -1, 4095, buf, sizeof buf);
	assert_contains(buf, "4095");
	assert_contains(buf, "\nC: send(");

	/* -1 without an errno still reads as a failure. */
	explain_step(SP_CALL_SEND, -1, 0, buf, sizeof buf);
	assert_lacks(buf, "send buffer");
	assert_contains(buf, "failed");

	/* No call: just the errno part, or nothing. */
	assert_true(explain_step(SP_CALL_NONE, 0, 0, buf, sizeof buf) == 0);
	assert_string_equal(buf, "");
	explain_step(SP_CALL_NONE, -1, EBADF, buf, sizeof buf);
	assert_true(strncmp(buf, "EBADF: ", 7) == 0);
	assert_lacks(buf, "Python:");
}

static void test_step_udp(void **state)
{
	(void)state;
	char buf[2048];

	explain_step_type(SP_CALL_CONNECT, SOCK_DGRAM, 0, 0, buf, sizeof buf);
	assert_true(strncmp(buf, explain_call_type(SP_CALL_CONNECT, SOCK_DGRAM), 20) == 0);
	assert_lacks(buf, "SYN");
	explain_step_type(SP_CALL_CONNECT, SOCK_STREAM, 0, 0, buf, sizeof buf);
	assert_contains(buf, "SYN");
}

/* Every size from 0 to past the full length: never a byte beyond SIZE, always a prefix, always terminated. */
static void check_truncation(enum sp_call call, long long ret, int err)
{
	char full[2048], buf[2048 + 16];
	size_t len = explain_step(call, ret, err, full, sizeof full);

	assert_true(len > 0 && len < sizeof full - 1);
	assert_int_equal(explain_step(call, ret, err, NULL, 0), 0);
	for (size_t size = 0; size <= len + 2; size++) {
		memset(buf, 0x5a, sizeof buf);
		size_t n = explain_step(call, ret, err, buf, size);
		for (size_t i = size; i < sizeof buf; i++)
			if (buf[i] != 0x5a)
				fail_msg("size %zu: byte %zu written", size, i);
		if (size == 0) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, strlen(buf));
		assert_true(n < size);
		assert_int_equal(n, size - 1 < len ? size - 1 : len);
		assert_memory_equal(buf, full, n);
	}
}

static void test_step_truncation(void **state)
{
	(void)state;
	check_truncation(SP_CALL_CONNECT, 0, 0);
	check_truncation(SP_CALL_CONNECT, -1, ECONNREFUSED);
	check_truncation(SP_CALL_CLOSE, 0, 0);
	check_truncation(SP_CALL_SEND, -1, 4095);

	char tiny[1] = { 'x' };
	assert_int_equal(explain_step(SP_CALL_LISTEN, 0, 0, tiny, 1), 0);
	assert_int_equal(tiny[0], '\0');
	char four[4];
	assert_int_equal(explain_step(SP_CALL_LISTEN, -1, EOPNOTSUPP, four, sizeof four), 3);
	assert_string_equal(four, "EOP");
}

/* The statement itself as one line of Python and of C, with its own names, address and data. */
static void code_of(const char *text, const char *py, const char *c)
{
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	char buf[400];
	assert_non_null(sc);
	/* names the statements use must be defined for their actor first */
	static const char *const defs[] = { "server: s = socket(AF_INET, SOCK_STREAM)",
					    "server: conn = accept(s)",
					    "client: c = socket(AF_INET, SOCK_STREAM)",
					    "client: u = socket(AF_INET, SOCK_DGRAM)" };
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		assert_int_equal(script_parse_line(defs[i], sc, &st, &dg), 0);
		script_stmt_clear(&st);
	}
	if (script_parse_line(text, sc, &st, &dg) != 0)
		fail_msg("%s: %s", text, dg.msg);
	explain_code(&st, 1, buf, sizeof buf);
	assert_string_equal(buf, py);
	explain_code(&st, 0, buf, sizeof buf);
	assert_string_equal(buf, c);
	script_stmt_clear(&st);
	script_scope_free(sc);
}

static void test_code_is_the_statement(void **state)
{
	(void)state;
	code_of("client: c2 = socket(AF_INET6, SOCK_DGRAM)",
		"c2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)", "int c2 = socket(AF_INET6, SOCK_DGRAM, 0);");
	code_of("server: bind(s, 127.0.0.1:8888)", "s.bind((\"127.0.0.1\", 8888))",
		"bind(s, (struct sockaddr *)&addr, sizeof addr); /* addr: 127.0.0.1:8888 */");
	code_of("server: bind(s, *:0)", "s.bind((\"\", 0))",
		"bind(s, (struct sockaddr *)&addr, sizeof addr); /* addr: *:0 */");
	code_of("client: connect(c, [::1]:80)", "c.connect((\"::1\", 80))",
		"connect(c, (struct sockaddr *)&addr, sizeof addr); /* addr: [::1]:80 */");
	code_of("client: connect(c, server.addr(s))", "c.connect(s.getsockname())",
		"connect(c, (struct sockaddr *)&addr, sizeof addr); /* addr: server.addr(s) */");
	code_of("server: listen(s)", "s.listen()", "listen(s, 128);");
	code_of("server: listen(s, 5)", "s.listen(5)", "listen(s, 5);");
	code_of("server: c3 = accept(s)", "c3, addr = s.accept()", "int c3 = accept(s, NULL, NULL);");
	code_of("server: send(conn, \"Hi\\n\\x1b\")", "conn.send(b\"Hi\\n\\x1b\")", "send(conn, \"Hi\\n\\033\", 4, 0);");
	code_of("client: send(c, \"x\" * 10000000, MSG_DONTWAIT)",
		"c.send(b\"x\" * 10000000, socket.MSG_DONTWAIT)",
		"send(c, buf, 10000000, MSG_DONTWAIT); /* buf: \"x\" 10000000 times */");
	code_of("client: recv(c, 1024, MSG_PEEK|MSG_WAITALL)", "data = c.recv(1024, socket.MSG_PEEK | socket.MSG_WAITALL)",
		"char buf[1024]; ssize_t n = recv(c, buf, sizeof buf, MSG_PEEK | MSG_WAITALL);");
	code_of("client: sendto(u, \"ping\", 127.0.0.1:9999)", "u.sendto(b\"ping\", (\"127.0.0.1\", 9999))",
		"sendto(u, \"ping\", 4, 0, (struct sockaddr *)&addr, sizeof addr); /* addr: 127.0.0.1:9999 */");
	code_of("client: recvfrom(u, 100)", "data, addr = u.recvfrom(100)",
		"char buf[100]; ssize_t n = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&peer, &peerlen);");
	code_of("client: shutdown(c, SHUT_WR)", "c.shutdown(socket.SHUT_WR)", "shutdown(c, SHUT_WR);");
	code_of("server: setsockopt(conn, SO_LINGER, 1, 0)",
		"conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))",
		"struct linger l = { 1, 0 }; setsockopt(conn, SOL_SOCKET, SO_LINGER, &l, sizeof l);");
	code_of("client: setsockopt(c, TCP_NODELAY, 1)", "c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)",
		"int value = 1; setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value);");
	code_of("client: getsockopt(c, SO_ERROR)", "value = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",
		"int value; socklen_t len = sizeof value; getsockopt(c, SOL_SOCKET, SO_ERROR, &value, &len);");
	code_of("client: nonblock(c)", "c.setblocking(False)", "fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);");
	code_of("client: close(3)", "sock3.close()", "close(sock3);");
	code_of("client: getsockname(c)", "addr = c.getsockname()",
		"struct sockaddr_storage addr; socklen_t len = sizeof addr; "
		"getsockname(c, (struct sockaddr *)&addr, &len);");
	/* values, ioctl(), getpeername(), timeouts, another level */
	code_of("client: getpeername(c) = -1 ENOTCONN", "addr = c.getpeername()",
		"struct sockaddr_storage addr; socklen_t len = sizeof addr; "
		"getpeername(c, (struct sockaddr *)&addr, &len);");
	code_of("server: ioctl(conn, FIONREAD) = 0 (value 3)",
		"value = struct.unpack(\"i\", fcntl.ioctl(conn, termios.FIONREAD, bytes(4)))[0]",
		"int value; ioctl(conn, FIONREAD, &value);");
	code_of("client: ioctl(c, SIOCOUTQ)", "value = struct.unpack(\"i\", fcntl.ioctl(c, termios.TIOCOUTQ, bytes(4)))[0]",
		"int value; ioctl(c, SIOCOUTQ, &value);");
	code_of("client: ioctl(c, FIONBIO, 0)", "fcntl.ioctl(c, termios.FIONBIO, struct.pack(\"i\", 0))",
		"int value = 0; ioctl(c, FIONBIO, &value);");
	code_of("server: setsockopt(s, SO_RCVTIMEO, 1.5s)",
		"s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack(\"ll\", 1, 500000))",
		"struct timeval tv = { 1, 500000 }; setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);");
	code_of("server: getsockopt(s, SO_SNDTIMEO) = 0 (value 0)",
		"sec, usec = struct.unpack(\"ll\", s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, 16))",
		"struct timeval tv; socklen_t len = sizeof tv; getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len);");
	code_of("server: setsockopt(s, IPV6_V6ONLY, 1)", "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)",
		"int value = 1; setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &value, sizeof value);");
	code_of("client: send(c, \"ab\", MSG_MORE)", "c.send(b\"ab\", socket.MSG_MORE)", "send(c, \"ab\", 2, MSG_MORE);");
}

/* Each new option says what it does, each flag too; a timeout's EAGAIN is not only nonblocking's. */
static void test_values_explained(void **state)
{
	(void)state;
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	char buf[2048];
	assert_int_equal(script_parse_line("client: u = socket(AF_INET, SOCK_DGRAM)", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	static const struct { const char *stmt, *text; int type; long long ret; int err; } cases[] = {
		{ "client: setsockopt(u, IPV6_V6ONLY, 1)", "It must be set before bind(), else EINVAL.", SOCK_DGRAM, 0, 0 },
		{ "client: setsockopt(u, SO_RCVTIMEO, 300)", "then fails with EAGAIN", SOCK_DGRAM, 0, 0 },
		{ "client: setsockopt(u, SO_SNDTIMEO, 300)", "with EINPROGRESS", SOCK_STREAM, 0, 0 },
		{ "client: getsockopt(u, TCP_MAXSEG)", "before connecting, the value set, or 536", SOCK_STREAM, 0, 0 },
		{ "client: setsockopt(u, TCP_CORK, 1)", "Linux sends it anyway after 200 ms", SOCK_STREAM, 0, 0 },
		{ "client: setsockopt(u, SO_BROADCAST, 1)", "refuses with EACCES", SOCK_DGRAM, 0, 0 },
		{ "client: ioctl(u, FIONREAD)", "the size of the next datagram waiting", SOCK_DGRAM, 0, 0 },
		{ "client: ioctl(u, FIONREAD)", "(a FIN that came is not counted)", SOCK_STREAM, 0, 0 },
		{ "client: ioctl(u, FIONREAD)", "Likely: A listening socket has no bytes to count", SOCK_STREAM, -1, EINVAL },
		{ "client: getpeername(u)", "Likely: This socket has no peer", SOCK_STREAM, -1, ENOTCONN },
		{ "client: getpeername(u)", "connect()ed to", SOCK_DGRAM, 0, 0 },
		{ "client: recv(u, 3, MSG_TRUNC)", "return the datagram's real length", SOCK_DGRAM, 11, 0 },
		{ "client: recv(u, 3, MSG_TRUNC)", "throws them away", SOCK_STREAM, 3, 0 },
		{ "client: send(u, \"x\", MSG_MORE)", "as one datagram", SOCK_DGRAM, 1, 0 },
		{ "client: recv(u, 3)", "With SO_RCVTIMEO set, the call waited that long", SOCK_DGRAM, -1, EAGAIN },
		{ "client: send(u, \"x\")", "With SO_SNDTIMEO set", SOCK_STREAM, -1, EAGAIN },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (script_parse_line(cases[i].stmt, sc, &st, &dg) != 0)
			fail_msg("%s: %s", cases[i].stmt, dg.msg);
		explain_step_stmt(&st, cases[i].type, cases[i].ret, cases[i].err, buf, sizeof buf);
		if (!strstr(buf, cases[i].text))
			fail_msg("%s: lacks \"%s\":\n%s", cases[i].stmt, cases[i].text, buf);
		script_stmt_clear(&st);
	}
	/* without the flag, no flag's sentence */
	assert_int_equal(script_parse_line("client: recv(u, 3)", sc, &st, &dg), 0);
	explain_step_stmt(&st, SOCK_DGRAM, 3, 0, buf, sizeof buf);
	assert_null(strstr(buf, "MSG_TRUNC"));
	script_stmt_clear(&st);
	script_scope_free(sc);
}

/* explain_step_stmt(): the call's explanation, ending with those two lines. */
static void test_step_stmt_ends_with_the_statement(void **state)
{
	(void)state;
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	char buf[2048];
	assert_int_equal(script_parse_line("client: c = socket(AF_INET, SOCK_STREAM)", sc, &st, &dg), 0);
	script_stmt_clear(&st);
	assert_int_equal(script_parse_line("client: connect(c, 127.0.0.1:8888)", sc, &st, &dg), 0);
	explain_step_stmt(&st, SOCK_STREAM, -1, ECONNREFUSED, buf, sizeof buf);
	assert_non_null(strstr(buf, "ECONNREFUSED: "));
	assert_non_null(strstr(buf, "\nPython: c.connect((\"127.0.0.1\", 8888))\nC: connect(c, "));
	assert_null(strstr(buf, "client_socket"));
	explain_code(NULL, 1, buf, sizeof buf);
	assert_string_equal(buf, "");
	script_stmt_clear(&st);
	/* a send that took part of its bytes says so, before the code */
	assert_int_equal(script_parse_line("client: send(c, \"x\" * 10000000)", sc, &st, &dg), 0);
	explain_step_stmt(&st, SOCK_STREAM, 3919467, 0, buf, sizeof buf);
	assert_non_null(strstr(buf, "Only 3919467 of the 10000000 bytes went into the send buffer"));
	assert_non_null(strstr(buf, "sendall() does).\nPython: c.send(b\"x\" * 10000000)\nC: "));
	explain_step_stmt(&st, SOCK_STREAM, 10000000, 0, buf, sizeof buf);
	assert_null(strstr(buf, "Only "));
	script_stmt_clear(&st);
	script_scope_free(sc);
}

/* ---- explanations fitted to the case ------------------------------------------ */

static void step_of(const char *const *setup, const char *line, int socktype, long long ret, int err,
		    const struct explain_ctx *cx, char *buf, size_t size);

/* The sockets labs use: their Python and C lines, and texts true to the kernel. */
static void test_lab_sockets(void **state)
{
	(void)state;
	char buf[2048];
	code_of("server: a, b = socketpair(AF_UNIX, SOCK_STREAM)",
		"a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)",
		"int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv); int a = sv[0], b = sv[1];");
	code_of("server: socketpair(AF_UNIX, SOCK_SEQPACKET)",
		"a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)",
		"int sv[2]; socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv); int a = sv[0], b = sv[1];");
	code_of("client: connect(u, AF_UNSPEC)",
		"ctypes.CDLL(None, use_errno=True).connect(u.fileno(), struct.pack(\"H14x\", socket.AF_UNSPEC), 16)",
		"struct sockaddr sa = { .sa_family = AF_UNSPEC }; connect(u, &sa, sizeof sa);");
	code_of("server: unlink(/tmp/lab.sock)", "os.unlink(\"/tmp/lab.sock\")", "unlink(\"/tmp/lab.sock\");");
	code_of("server: unlink(/tmp/a\\b)", "os.unlink(\"/tmp/a\\\\b\")", "unlink(\"/tmp/a\\\\b\");");

	static const char *const udp[] = { "client: u = socket(AF_INET, SOCK_DGRAM)", NULL };
	static const char *const tcp[] = { "client: c = socket(AF_INET, SOCK_STREAM)", NULL };
	step_of(udp, "client: connect(u, AF_UNSPEC)", SOCK_DGRAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "dissolved the socket's association");
	assert_contains(buf, "EDESTADDRREQ");
	step_of(tcp, "client: connect(c, AF_UNSPEC)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "RST");
	assert_lacks(buf, "SYN");
	/* AF_UNIX connections have no wire: no SYN, no FIN, no segments */
	struct explain_ctx unix_cx = { .family = AF_UNIX, .state_after = -1 };
	static const char *const seq[] = { "server: s = socket(AF_UNIX, SOCK_SEQPACKET)",
					   "server: conn = accept(s)", NULL };
	step_of(seq, "server: recv(conn, 2)", SOCK_SEQPACKET, 2, 0, &unix_cx, buf, sizeof buf);
	assert_contains(buf, "keeps message boundaries");
	assert_contains(buf, "the rest of it was discarded");
	step_of(seq, "server: send(conn, \"x\")", SOCK_SEQPACKET, 1, 0, &unix_cx, buf, sizeof buf);
	assert_contains(buf, "one message");
	static const char *const *setups[] = { seq, seq, seq, seq, seq };
	static const char *const calls[] = { "server: listen(s)", "server: conn = accept(s)", "server: close(conn)",
					     "server: shutdown(conn, SHUT_WR)", "server: recv(conn, 10)" };
	for (size_t i = 0; i < NELEM(calls); i++) {
		step_of(setups[i], calls[i], SOCK_STREAM, 0, 0, &unix_cx, buf, sizeof buf);
		assert_lacks(buf, "SYN");
		assert_lacks(buf, "FIN");
		assert_lacks(buf, "segment");
	}
	step_of(seq, "server: bind(s, @lab)", SOCK_SEQPACKET, 0, 0, &unix_cx, buf, sizeof buf);
	assert_contains(buf, "abstract name");
	assert_lacks(buf, "port");
	step_of(seq, "server: bind(s, /tmp/lab.sock)", SOCK_SEQPACKET, 0, 0, &unix_cx, buf, sizeof buf);
	assert_contains(buf, "unlink()");
	/* the calls' own texts, and the likely mistakes */
	step_of(NULL, "server: socketpair(AF_UNIX, SOCK_DGRAM)", SOCK_DGRAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "datagram");
	step_of(NULL, "server: socketpair(AF_INET, SOCK_STREAM)", SOCK_STREAM, -1, EOPNOTSUPP, NULL, buf, sizeof buf);
	assert_contains(buf, "Only AF_UNIX sockets come in connected pairs");
	step_of(NULL, "server: unlink(/tmp/lab.sock)", 0, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "sandbox's own filesystem");
	step_of(NULL, "server: unlink(/tmp/lab.sock)", 0, -1, ENOENT, NULL, buf, sizeof buf);
	assert_contains(buf, "No file is at that path");
}

/* The explanation of LINE (after the statements of SETUP, NULL-terminated, define its names). */
static void step_of(const char *const *setup, const char *line, int socktype, long long ret, int err,
		    const struct explain_ctx *cx, char *buf, size_t size)
{
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	for (; setup && *setup; setup++) {
		if (script_parse_line(*setup, sc, &st, &dg) != 0)
			fail_msg("setup '%s': %s", *setup, dg.msg);
		script_stmt_clear(&st);
	}
	if (script_parse_line(line, sc, &st, &dg) != 0)
		fail_msg("'%s': %s", line, dg.msg);
	explain_step_ctx(&st, socktype, ret, err, cx, buf, size);
	script_stmt_clear(&st);
	script_scope_free(sc);
}

static const char *const tcp_c[] = { "client: c = socket(AF_INET, SOCK_STREAM)", NULL };

/* The first line of an explanation (what happened), without the code lines. */
static void first_line(const char *buf, char *out, size_t size)
{
	size_t n = strcspn(buf, "\n");
	snprintf(out, size, "%.*s", (int)n, buf);
}

/* setsockopt() and getsockopt() explain the option they were given, each its own text. */
static void test_each_option_its_text(void **state)
{
	(void)state;
	static const char *const opts[] = { "SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "SO_RCVBUF",
					    "SO_SNDBUF", "SO_RCVLOWAT", "TCP_NODELAY" };
	char seen[NELEM(opts) * 2][1024], buf[2048], line[128];
	for (size_t i = 0; i < NELEM(opts); i++) {
		snprintf(line, sizeof line, "client: setsockopt(c, %s, 1)", opts[i]);
		step_of(tcp_c, line, SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
		first_line(buf, seen[2 * i], sizeof seen[0]);
		assert_sentence(seen[2 * i]);
		assert_contains(seen[2 * i], "setsockopt()");
		snprintf(line, sizeof line, "client: getsockopt(c, %s)", opts[i]);
		step_of(tcp_c, line, SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
		first_line(buf, seen[2 * i + 1], sizeof seen[0]);
		assert_sentence(seen[2 * i + 1]);
		assert_contains(seen[2 * i + 1], "getsockopt()");
		/* the option's own name, and no other option's (SO_RCVBUF's text names getsockopt, SO_RCVLOWAT none) */
		if (strcmp(opts[i], "SO_RCVBUF") && strcmp(opts[i], "SO_SNDBUF"))
			assert_contains(seen[2 * i], opts[i]);
		for (size_t j = 0; j < NELEM(opts); j++)
			if (j != i && !strstr(opts[i], opts[j]) && !strstr(opts[j], opts[i]))
				assert_lacks(seen[2 * i], opts[j]);
	}
	for (size_t i = 0; i < NELEM(seen); i++)
		for (size_t j = i + 1; j < NELEM(seen); j++)
			if (strcmp(seen[i], seen[j]) == 0)
				fail_msg("the same text twice: %s", seen[i]);
	/* SO_LINGER: what close() will do, by its values; never SO_REUSEADDR's text */
	step_of(tcp_c, "client: setsockopt(c, SO_LINGER, 1, 0)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "SO_LINGER on with a timeout of 0 seconds");
	assert_contains(buf, "RST instead of FIN");
	assert_contains(buf, "no TIME_WAIT");
	assert_lacks(buf, "SO_REUSEADDR");
	step_of(tcp_c, "client: setsockopt(c, SO_LINGER, 1, 5)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "close() on this socket will now block until its FIN has been ACKed");
	assert_lacks(buf, "RST");
	step_of(tcp_c, "client: setsockopt(c, SO_LINGER, 0, 0)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "SO_LINGER off");
	step_of(tcp_c, "client: getsockopt(c, SO_LINGER)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "getsockopt() read SO_LINGER");
	step_of(tcp_c, "client: getsockopt(c, SO_ERROR)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "read and cleared the socket's pending error");
	step_of(tcp_c, "client: getsockopt(c, SO_TYPE)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_contains(buf, "1 for SOCK_STREAM, 2 for SOCK_DGRAM");
	/* the statement's own code still ends it */
	assert_contains(buf, "\nPython: value = c.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)\nC: ");
}

/* The first send to a peer that has closed: the RST it draws, the EPIPE after, the rows that go. */
static void test_send_to_closed_peer(void **state)
{
	(void)state;
	char buf[2048];
	struct explain_ctx cx = { .state_after = 7, .peer_closed = 1, .holder_state = -1 };
	step_of(tcp_c, "client: send(c, \"Hello, client!\")", SOCK_STREAM, 14, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "send() returned 14");
	assert_contains(buf, "the peer had closed its socket");
	assert_contains(buf, "answered with RST");
	assert_contains(buf, "this socket is CLOSED now");
	assert_contains(buf, "The next send() fails with EPIPE.");
	assert_contains(buf, "which is why its row is gone");
	assert_lacks(buf, "not necessarily delivered"); /* the general text */
	/* the RST not back yet when the call returned */
	cx.state_after = 8;
	step_of(tcp_c, "client: send(c, \"Hello, client!\")", SOCK_STREAM, 14, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "answers with RST");
	assert_lacks(buf, "CLOSED now");
	assert_lacks(buf, "row is gone");
	/* a peer that only half-closed (or nothing known): the general text */
	cx.peer_closed = 0;
	step_of(tcp_c, "client: send(c, \"Hello, client!\")", SOCK_STREAM, 14, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "not necessarily delivered");
	step_of(tcp_c, "client: send(c, \"Hello, client!\")", SOCK_STREAM, 14, 0, NULL, buf, sizeof buf);
	assert_lacks(buf, "RST");
}

/* EADDRINUSE names the socket that holds the port. */
static void test_addrinuse_names_the_holder(void **state)
{
	(void)state;
	static const char *const s2[] = { "server2: s = socket(AF_INET, SOCK_STREAM)", NULL };
	char buf[2048];
	struct explain_ctx cx = { .state_after = 7, .port = 8888, .holder = EXPLAIN_HOLDER_SOCKET,
				  .holder_actor = "server", .holder_name = "s", .holder_fd = 3, .holder_state = 7,
				  .holder_type = SOCK_STREAM };
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "EADDRINUSE: ");
	assert_contains(buf, "\nLikely: Port 8888 is taken by server's socket s (fd 3), which is only bound");
	assert_lacks(buf, "For AF_UNIX"); /* the general text */
	cx.holder_state = 10;
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "server's socket s (fd 3), which listens on it (LISTEN)");
	cx.holder_state = 1;
	cx.holder_name = "";
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "server's socket (fd 3), a connection in ESTABLISHED");
	cx.holder = EXPLAIN_HOLDER_CLOSED;
	cx.holder_name = "conn";
	cx.holder_fd = 4;
	cx.holder_state = 6;
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "Port 8888 is still held by a TIME_WAIT left by an earlier connection: server's socket conn (fd 4)");
	assert_contains(buf, "both set SO_REUSEADDR before bind()");
	cx.holder_state = 5;
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "kept by the kernel in FIN_WAIT2");
	cx.holder = EXPLAIN_HOLDER_OUTSIDE;
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "No socket of this session holds port 8888: a program outside sockplay does");
	cx.holder_pid = 4242; /* seen in /proc, as `ss -p` sees it */
	cx.holder_comm = "nginx";
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "No socket of this session holds port 8888: nginx (pid 4242), a program outside sockplay, does");
	cx.holder_pid = 0;
	cx.holder_comm = NULL;
	cx.holder = EXPLAIN_HOLDER_SOCKET;
	cx.holder_type = SOCK_DGRAM;
	cx.holder_name = "u";
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_DGRAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "server's UDP socket u (fd 4)");
	cx.holder_type = SOCK_STREAM;
	cx.holder_state = 10;
	step_of(s2, "server2: listen(s, 5)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "server's socket u (fd 4) already listens on the same address and port");
	/* nobody found: the general text */
	cx.holder = EXPLAIN_HOLDER_UNKNOWN;
	step_of(s2, "server2: bind(s, 127.0.0.1:8888)", SOCK_STREAM, -1, EADDRINUSE, &cx, buf, sizeof buf);
	assert_contains(buf, "Likely: Another socket already holds this port");
}

/* A refused connect to loopback in the sandbox: programs outside cannot be reached from it. */
static void test_refused_in_the_sandbox(void **state)
{
	(void)state;
	char buf[2048];
	static const char *const tcp6[] = { "client: c = socket(AF_INET6, SOCK_STREAM)", NULL };
	explain_set_sandbox(1);
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, -1, ECONNREFUSED, NULL, buf, sizeof buf);
	assert_contains(buf, "cannot be reached on 127.0.0.1 from here");
	assert_contains(buf, "--host-net");
	step_of(tcp6, "client: connect(c, [::1]:8888)", SOCK_STREAM, -1, ECONNREFUSED, NULL, buf, sizeof buf);
	assert_contains(buf, "--host-net");
	step_of(tcp_c, "client: connect(c, 10.1.2.3:8888)", SOCK_STREAM, -1, ECONNREFUSED, NULL, buf, sizeof buf);
	assert_lacks(buf, "--host-net");
	explain_set_sandbox(0);
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, -1, ECONNREFUSED, NULL, buf, sizeof buf);
	assert_lacks(buf, "--host-net");
	assert_contains(buf, "did the server call bind() and listen() first?");
}

/* UDP's ECONNREFUSED comes from an ICMP port unreachable, not an RST. */
static void test_udp_refused_is_icmp(void **state)
{
	(void)state;
	char buf[2048];
	static const char *const udp[] = { "client: u = socket(AF_INET, SOCK_DGRAM)", NULL };
	step_of(udp, "client: recv(u, 100)", SOCK_DGRAM, -1, ECONNREFUSED, NULL, buf, sizeof buf);
	assert_contains(buf, "ECONNREFUSED: For UDP this means");
	assert_contains(buf, "ICMP port unreachable message, not an RST");
	assert_lacks(buf, "answered with RST");
	explain_step_type(SP_CALL_SEND, SOCK_DGRAM, -1, ECONNREFUSED, buf, sizeof buf);
	assert_contains(buf, "ICMP port unreachable");
	explain_step_type(SP_CALL_CONNECT, SOCK_STREAM, -1, ECONNREFUSED, buf, sizeof buf);
	assert_contains(buf, "answered with RST");
}

/* rq counts the FIN: said where the pane shows it. */
static void test_rq_counts_the_fin(void **state)
{
	(void)state;
	char buf[2048];
	struct explain_ctx cx = { .state_after = 5, .holder_state = -1 };
	step_of(tcp_c, "client: close(c)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "The peer's rq (Recv-Q) now counts this FIN as one byte");
	assert_contains(buf, "15 for 14 bytes");
	step_of(tcp_c, "client: shutdown(c, SHUT_WR)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "counts this FIN as one byte");
	cx.state_after = 7; /* closed with RST (linger 0, unread data): no FIN */
	step_of(tcp_c, "client: close(c)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "rq (Recv-Q)");
	cx.state_after = 8;
	step_of(tcp_c, "client: recv(c, 1024)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "A FIN waiting in the receive buffer counts as one byte in rq (Recv-Q)");
	assert_contains(buf, "Now rq is 0.");
	step_of(tcp_c, "client: recv(c, 1024)", SOCK_STREAM, 14, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "rq (Recv-Q)");
	step_of(tcp_c, "client: close(c)", SOCK_STREAM, 0, 0, NULL, buf, sizeof buf);
	assert_lacks(buf, "rq (Recv-Q)");
}

/* A text that names a state names the kernel's state after the step. */
static void test_state_after_the_step(void **state)
{
	(void)state;
	char buf[2048];
	static const char *const srv[] = { "server: s = socket(AF_INET, SOCK_STREAM)", NULL };
	struct explain_ctx cx = { .state_after = 8, .holder_state = -1 };
	step_of(srv, "server: conn = accept(s)", SOCK_STREAM, 4, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "After this step the kernel reports the socket in CLOSE_WAIT, not ESTABLISHED.");
	assert_contains(buf, "The peer has closed its side already");
	assert_contains(buf, "Its rq (Recv-Q) counts that FIN as one byte");
	assert_lacks(buf, "new ESTABLISHED socket");
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "connect() completed the three-way handshake");
	assert_contains(buf, "in CLOSE_WAIT, not ESTABLISHED");
	assert_lacks(buf, "the socket is ESTABLISHED");
	cx.state_after = 7;
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "in CLOSED, not ESTABLISHED. The connection is gone already");
	cx.state_after = 9;
	step_of(tcp_c, "client: shutdown(c, SHUT_WR)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "in LAST_ACK, not FIN_WAIT1. It sent its FIN after the peer's");
	/* the state the text names: the general text */
	cx.state_after = 1;
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "the socket is ESTABLISHED");
	assert_lacks(buf, "After this step");
	cx.state_after = 5;
	step_of(tcp_c, "client: shutdown(c, SHUT_WR)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "After this step");
	/* UDP names no TCP state */
	static const char *const udp[] = { "client: u = socket(AF_INET, SOCK_DGRAM)", NULL };
	cx.state_after = 7;
	step_of(udp, "client: connect(u, 127.0.0.1:8888)", SOCK_DGRAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "After this step");
}

/* The blocked connect's SYN retries: a timer whose gaps grow, bounded by tcp_syn_retries, no fixed schedule. */
static void test_syn_retries(void **state)
{
	(void)state;
	char buf[2048];
	struct explain_conn c = { .call = SP_CALL_CONNECT, .socktype = SOCK_STREAM, .blocked = 1,
				  .before = 7, .after = 2, .peer_before = -1, .peer_after = -1,
				  .me = "client2", .peer = "server" };
	assert_true(explain_join(&c, buf, sizeof buf) > 0);
	assert_contains(buf, "waits in SYN_SENT");
	assert_contains(buf, "timer whose gaps grow");
	assert_contains(buf, "the first few retries come 1 s apart, net.ipv4.tcp_syn_linear_timeouts setting how "
			     "many, then the gaps double");
	assert_contains(buf, "net.ipv4.tcp_syn_retries retries (about 2 minutes by default)");
	assert_contains(buf, "ETIMEDOUT");
	assert_lacks(buf, "later and later");
}

/* rq and the FIN: what the kernel really did, from rq before and after the recv(). */
static void test_rq_fin_before_after(void **state)
{
	(void)state;
	char buf[2048];
	/* data and FIN queued together: the recv() of the data steps over the FIN too */
	struct explain_ctx cx = { .state_after = 8, .holder_state = -1, .state_before = 8, .rq_known = 1,
				  .rq_before = 11, .rq_after = 0 };
	step_of(tcp_c, "client: recv(c, 1024)", SOCK_STREAM, 10, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "rq (Recv-Q) went from 11 (the bytes and 1 for the FIN) to 0, not to 1");
	assert_contains(buf, "The next recv() returns 0 at once.");
	/* then recv() = 0: rq was 0 already, not 1 */
	cx.rq_before = 0;
	step_of(tcp_c, "client: recv(c, 1024)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "rq (Recv-Q) was 0 already: the recv() that read the last bytes also stepped over");
	assert_lacks(buf, "1 for the FIN alone");
	assert_lacks(buf, "was 1");
	/* the FIN came alone, after the data was read */
	cx.rq_before = 1;
	step_of(tcp_c, "client: recv(c, 1024)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "rq (Recv-Q) was 1: the FIN alone");
	assert_lacks(buf, "was 0 already");
	/* a recv() that left the FIN counted */
	cx.rq_before = 6;
	cx.rq_after = 1;
	step_of(tcp_c, "client: recv(c, 5)", SOCK_STREAM, 5, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "rq (Recv-Q) is 1 now: the FIN");
	/* more data left: nothing about the FIN */
	cx.rq_before = 11;
	cx.rq_after = 6;
	step_of(tcp_c, "client: recv(c, 5)", SOCK_STREAM, 5, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "rq (Recv-Q)");
}

/* close() that sent RST names its one reason and does not say it sent FIN. */
static void test_close_rst_reason(void **state)
{
	(void)state;
	char buf[2048];
	static const char *const srv[] = { "server: conn = socket(AF_INET, SOCK_STREAM)", NULL };
	struct explain_ctx cx = { .state_after = 7, .holder_state = -1, .state_before = 1, .rq_known = 1,
				  .close_rst = EXPLAIN_RST_LINGER0 };
	step_of(srv, "server: close(conn)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "SO_LINGER was on with 0 seconds, so the kernel sent RST instead of FIN");
	assert_lacks(buf, "unread");
	assert_lacks(buf, "kernel sends FIN");
	assert_lacks(buf, "normally sends FIN");
	cx.close_rst = EXPLAIN_RST_UNREAD;
	cx.rq_before = 11;
	step_of(srv, "server: close(conn)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "11 bytes the program never read were still in the receive buffer, so the kernel "
			     "sent RST instead of FIN");
	assert_lacks(buf, "SO_LINGER");
	assert_lacks(buf, "normally sends FIN");
	cx.state_before = 8; /* CLOSE_WAIT: rq counts the FIN too */
	cx.rq_before = 12;
	step_of(srv, "server: close(conn)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "11 bytes the program never read");
	/* a socket reset already: nothing about FIN */
	struct explain_ctx gone = { .state_after = 7, .holder_state = -1, .state_before = 7 };
	step_of(tcp_c, "client: close(c)", SOCK_STREAM, 0, 0, &gone, buf, sizeof buf);
	assert_contains(buf, "The connection had been reset already");
	assert_lacks(buf, "FIN");
	/* a socket never connected: the general text */
	gone.never_connected = 1;
	step_of(tcp_c, "client: close(c)", SOCK_STREAM, 0, 0, &gone, buf, sizeof buf);
	assert_lacks(buf, "reset already");
	/* the general text does not state FIN as a fact */
	assert_lacks(explain_call(SP_CALL_CLOSE), "the kernel sends FIN");
	assert_contains(explain_call(SP_CALL_CLOSE), "normally sends FIN (RST if data was left unread or SO_LINGER is 0 s)");
}

/* recv() = 0 on a socket that was reset: no FIN came. */
static void test_recv_zero_after_reset(void **state)
{
	(void)state;
	char buf[2048];
	struct explain_ctx cx = { .state_after = 7, .holder_state = -1, .state_before = 7 };
	step_of(tcp_c, "client: recv(c, 100)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "recv() returned 0, yet no FIN ever came: the connection was reset (RST)");
	assert_lacks(buf, "it sent FIN");
	/* a FIN after shutdown(): TIME_WAIT's socket is CLOSE to TCP_INFO, but that was no reset */
	cx.state_before = 5;
	step_of(tcp_c, "client: recv(c, 100)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "no FIN ever came");
	cx.state_before = 7;
	cx.state_after = 8;
	step_of(tcp_c, "client: recv(c, 100)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "no FIN ever came");
}

/* listen(): backlog + 1, a second listen(), the port it binds by itself. */
static void test_listen_texts(void **state)
{
	(void)state;
	char buf[2048];
	static const char *const srv[] = { "server: s = socket(AF_INET, SOCK_STREAM)", NULL };
	assert_contains(explain_call(SP_CALL_LISTEN), "up to backlog + 1 of them");
	assert_lacks(explain_call(SP_CALL_LISTEN), "up to backlog of them");
	struct explain_ctx cx = { .state_after = 10, .holder_state = -1, .state_before = 10 };
	step_of(srv, "server: listen(s, 2)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "The socket was listening already: this listen() only changed its backlog to 2.");
	assert_lacks(buf, "made the socket a listener");
	cx.state_before = 7;
	cx.unbound = 1;
	step_of(srv, "server: listen(s, 1)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "made the socket a listener");
	assert_contains(buf, "The socket was not bound, so listen() bound it first to a free port");
	cx.unbound = 0;
	step_of(srv, "server: listen(s, 1)", SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_lacks(buf, "was not bound");
}

/* Errors whose cause the session knows: named, not listed among possibilities. */
static void test_errors_with_known_cause(void **state)
{
	(void)state;
	char buf[2048];
	struct explain_ctx cx = { .state_after = 7, .holder_state = -1, .bound_actor = "server",
				  .bound_name = "s", .bound_fd = 3 };
	explain_set_sandbox(1);
	step_of(tcp_c, "client: connect(c, 127.0.0.1:8888)", SOCK_STREAM, -1, ECONNREFUSED, &cx, buf, sizeof buf);
	explain_set_sandbox(0);
	assert_contains(buf, "Likely: server's socket s (fd 3) is bound to that port but did not call listen()");
	assert_lacks(buf, "private network"); /* the cause is known: not an outside program */
	assert_lacks(buf, "did the server call bind() and listen() first?");
	/* EPIPE after this socket's own shutdown(SHUT_WR) */
	struct explain_ctx ep = { .state_after = 5, .holder_state = -1, .state_before = 5 };
	step_of(tcp_c, "client: send(c, \"more?\")", SOCK_STREAM, -1, EPIPE, &ep, buf, sizeof buf);
	assert_contains(buf, "Likely: This socket shut down its sending side earlier");
	assert_lacks(buf, "a listener");
	assert_lacks(buf, "it never connected");
	/* EPIPE on a socket only bound */
	ep.state_before = ep.state_after = 7;
	ep.never_connected = 1;
	step_of(tcp_c, "client: send(c, \"x\")", SOCK_STREAM, -1, EPIPE, &ep, buf, sizeof buf);
	assert_contains(buf, "Likely: This socket was never connected: bind() gives it only a local address");
	assert_lacks(buf, "a listener");
	/* nothing known: the list */
	step_of(tcp_c, "client: send(c, \"x\")", SOCK_STREAM, -1, EPIPE, NULL, buf, sizeof buf);
	assert_contains(buf, "shutdown(SHUT_WR)");
	/* bind(): EADDRINUSE unless both reuse and neither listens */
	assert_contains(explain_call(SP_CALL_BIND), "gets EADDRINUSE, unless both set SO_REUSEADDR before bind() "
						    "and neither listens");
}

/* UDP: its own socket() text; rq is buffer memory, not bytes. */
static void test_udp_rq_and_socket(void **state)
{
	(void)state;
	char buf[2048];
	assert_lacks(explain_call_type(SP_CALL_SOCKET, SOCK_DGRAM), "TCP socket starts CLOSED");
	assert_contains(explain_call_type(SP_CALL_SOCKET, SOCK_DGRAM), "UNCONN");
	static const char *const udp[] = { "client: c = socket(AF_INET, SOCK_DGRAM)", NULL };
	struct explain_ctx cx = { .state_after = 7, .holder_state = -1, .peer_rq_known = 1, .peer_rq = 832 };
	step_of(udp, "client: sendto(c, \"one\", 127.0.0.1:9000)", SOCK_DGRAM, 3, 0, &cx, buf, sizeof buf);
	assert_contains(buf, "The receiving socket's rq (Recv-Q) now shows 832: for UDP it counts the buffer "
			     "memory");
	assert_contains(buf, "not their bytes");
	struct explain_ctx rx = { .state_after = 7, .holder_state = -1, .rq_known = 1, .rq_before = 1664,
				  .rq_after = 832 };
	step_of(udp, "client: recvfrom(c, 100)", SOCK_DGRAM, 3, 0, &rx, buf, sizeof buf);
	assert_contains(buf, "This socket's rq (Recv-Q) shows 832");
	rx.rq_after = 0;
	step_of(udp, "client: recvfrom(c, 100)", SOCK_DGRAM, 4, 0, &rx, buf, sizeof buf);
	assert_lacks(buf, "rq (Recv-Q)");
}

/* The explanation comes in parts, each its own text: no caller splits lines again. */
static void test_explain_parts(void **state)
{
	(void)state;
	struct explain ex;
	char line[512], all[4096], joined[4096];
	explain_result(SP_CALL_CONNECT, SOCK_STREAM, -1, ECONNREFUSED, &ex);
	assert_string_equal(ex.errname, "ECONNREFUSED");
	assert_string_equal(ex.meaning, explain_errno(ECONNREFUSED));
	assert_string_equal(ex.mistake, explain_mistake(SP_CALL_CONNECT, ECONNREFUSED));
	assert_string_equal(ex.what, "");
	assert_string_equal(ex.python, explain_python(SP_CALL_CONNECT));
	assert_string_equal(ex.c, explain_c(SP_CALL_CONNECT));
	assert_true(explain_line(&ex, EXPLAIN_MISTAKE, line, sizeof line) > 0);
	assert_true(strncmp(line, "Likely: ", 8) == 0);
	assert_int_equal(explain_line(&ex, EXPLAIN_WHAT, line, sizeof line), 0);
	assert_string_equal(line, "");
	/* the lines, one per part, are the text explain_step() gives */
	explain_step(SP_CALL_CONNECT, -1, ECONNREFUSED, all, sizeof all);
	explain_text(&ex, joined, sizeof joined);
	assert_string_equal(all, joined);
	assert_non_null(strchr(all, '\n'));
	for (int p = 0; p < EXPLAIN_PARTS; p++)
		if (explain_line(&ex, (enum explain_part)p, line, sizeof line))
			assert_null(strchr(line, '\n'));
	/* a success has what happened and no errno */
	explain_result(SP_CALL_LISTEN, SOCK_STREAM, 0, 0, &ex);
	assert_string_equal(ex.what, explain_call(SP_CALL_LISTEN));
	assert_string_equal(ex.errname, "");
	assert_int_equal(explain_line(&ex, EXPLAIN_MEANING, line, sizeof line), 0);
}

/* poll() and select() as one line of Python and of C; what made each socket ready. */
static void test_ready_code_and_reasons(void **state)
{
	(void)state;
	code_of("server: poll(s POLLIN, conn POLLIN|POLLRDHUP, 1000)",
		"p = select.poll(); p.register(s, select.POLLIN); p.register(conn, select.POLLIN | select.POLLRDHUP); "
		"events = p.poll(1000)",
		"struct pollfd fds[] = { { s, POLLIN, 0 }, { conn, POLLIN|POLLRDHUP, 0 } }; "
		"int n = poll(fds, sizeof fds / sizeof fds[0], 1000);");
	code_of("client: poll(3 POLLOUT)", "p = select.poll(); p.register(sock3, select.POLLOUT); events = p.poll()",
		"struct pollfd fds[] = { { sock3, POLLOUT, 0 } }; int n = poll(fds, sizeof fds / sizeof fds[0], -1);");
	code_of("server: select(r: s conn, w: conn, 1500)",
		"readable, writable, _ = select.select([s, conn], [conn], [], 1.5)",
		"fd_set r, w; FD_ZERO(&r); FD_ZERO(&w); FD_SET(s, &r); FD_SET(conn, &r); FD_SET(conn, &w); "
		"int n = select(FD_SETSIZE, &r, &w, NULL, &(struct timeval){ 1, 500000 });");
	code_of("server: select(w: conn)", "readable, writable, _ = select.select([], [conn], [])",
		"fd_set r, w; FD_ZERO(&r); FD_ZERO(&w); FD_SET(conn, &w); int n = select(FD_SETSIZE, &r, &w, NULL, NULL);");

	/* the reasons, from what the session saw, in a fixed order for each socket */
	struct sp_scope *sc = script_scope_new();
	struct sp_stmt st;
	struct sp_diag dg;
	char buf[2000];
	script_scope_define(sc, "server", "s");
	script_scope_define(sc, "server", "conn");
	assert_int_equal(script_parse_line("server: poll(s POLLIN, conn POLLIN|POLLOUT, 1000)", sc, &st, &dg), 0);
	struct explain_ready er = { .n = 2, .timeout_ms = 1000 };
	snprintf(er.s[0].label, sizeof er.s[0].label, "s");
	er.s[0].why = EXPLAIN_READY_PENDING;
	er.s[0].rq = 2;
	snprintf(er.s[1].label, sizeof er.s[1].label, "conn");
	er.s[1].why = EXPLAIN_READY_SPACE | EXPLAIN_READY_DATA | EXPLAIN_READY_FIN;
	er.s[1].rq = 5;
	struct explain_ctx cx = { .state_after = -1, .holder_state = -1, .ready = &er };
	explain_step_ctx(&st, SOCK_STREAM, 2, 0, &cx, buf, sizeof buf);
	const char *a = strstr(buf, "s is a listener whose accept queue holds 2 connection(s)");
	const char *b = strstr(buf, "conn is readable: 5 bytes wait in its receive queue");
	const char *c = strstr(buf, "conn is readable because the peer closed its side");
	const char *d = strstr(buf, "conn is writable: there is room in its send buffer");
	assert_true(a && b && c && d && a < b && b < c && c < d);
	assert_null(strstr(buf, "No socket became ready"));
	/* nothing ready: the timeout passed */
	er.n = 0;
	explain_step_ctx(&st, SOCK_STREAM, 0, 0, &cx, buf, sizeof buf);
	assert_non_null(strstr(buf, "No socket became ready before the timeout passed: the call returned 0."));
	/* a failed call says its errno, no reason */
	explain_step_ctx(&st, SOCK_STREAM, -1, EINTR, &cx, buf, sizeof buf);
	assert_null(strstr(buf, "became ready"));
	script_stmt_clear(&st);
	script_scope_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_call_explained),
		cmocka_unit_test(test_out_of_range_call),
		cmocka_unit_test(test_tutorial_lines),
		cmocka_unit_test(test_kernel_facts),
		cmocka_unit_test(test_every_errno_explained),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_step_success),
		cmocka_unit_test(test_step_connect_refused),
		cmocka_unit_test(test_step_other_failures),
		cmocka_unit_test(test_step_udp),
		cmocka_unit_test(test_step_truncation),
		cmocka_unit_test(test_code_is_the_statement),
		cmocka_unit_test(test_values_explained),
		cmocka_unit_test(test_lab_sockets),
		cmocka_unit_test(test_ready_code_and_reasons),
		cmocka_unit_test(test_step_stmt_ends_with_the_statement),
		cmocka_unit_test(test_each_option_its_text),
		cmocka_unit_test(test_send_to_closed_peer),
		cmocka_unit_test(test_addrinuse_names_the_holder),
		cmocka_unit_test(test_refused_in_the_sandbox),
		cmocka_unit_test(test_udp_refused_is_icmp),
		cmocka_unit_test(test_rq_counts_the_fin),
		cmocka_unit_test(test_state_after_the_step),
		cmocka_unit_test(test_syn_retries),
		cmocka_unit_test(test_rq_fin_before_after),
		cmocka_unit_test(test_close_rst_reason),
		cmocka_unit_test(test_recv_zero_after_reset),
		cmocka_unit_test(test_listen_texts),
		cmocka_unit_test(test_errors_with_known_cause),
		cmocka_unit_test(test_udp_rq_and_socket),
		cmocka_unit_test(test_explain_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
