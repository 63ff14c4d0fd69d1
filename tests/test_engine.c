/* test_engine.c -- the engine on real sockets: actors, the session, the batch transcript. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockplay/actor.h"
#include "sockplay/batch.h"
#include "sockplay/consts.h"
#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/step.h"
#include "sockplay/wire.h"

static int run_explain; /* run() prints --explain lines too */
static int run_full_data; /* run() prints every received byte (--full-data) */

/* Run TEXT as a script; the transcript goes to *OUT (malloc'd). Returns the verdict. */
static int run(const char *text, char **out)
{
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	if (script_parse("t.sp", text, strlen(text), &sc, &d) < 0) {
		script_diags_print(stderr, "t.sp", &d);
		script_diags_clear(&d);
		fail_msg("script did not parse");
	}
	size_t len = 0;
	FILE *fp = open_memstream(out, &len);
	assert_non_null(fp);
	struct batch_opts bo = { .script = sc, .format = TRANSCRIPT_TEXT, .timeout_ms = 3000,
				 .out = fp, .net_label = "test", .explain = run_explain,
				 .full_data = run_full_data };
	int rc = batch_run(&bo);
	fclose(fp);
	script_free(sc);
	return rc;
}

/* Assert that the transcript has LINE (a whole line, or a prefix when it ends with '*'). */
static void has_line(const char *t, const char *line)
{
	size_t n = strlen(line);
	int prefix = n && line[n - 1] == '*';
	if (prefix)
		n--;
	for (const char *p = t; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if ((prefix ? l >= n : l == n) && memcmp(p, line, n) == 0)
			return;
		p = e ? e + 1 : NULL;
	}
	fail_msg("transcript lacks line: %s\n--- transcript ---\n%s", line, t);
}

static void hello_flow(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: setsockopt(s, SO_REUSEADDR, 1)\n"
		     "server: bind(s, 127.0.0.1:8888)\n"
		     "server: listen(s, 5)\n"
		     "expect server s LISTEN\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8888) = 0\n"
		     "expect client c ESTABLISHED\n"
		     "server: conn = accept(s)\n"
		     "expect server conn ESTABLISHED\n"
		     "server: send(conn, \"Hello, client!\")\n"
		     "client: recv(c, 1024) = 14 \"Hello, client!\"\n"
		     "client: close(c)\n"
		     "expect client c FIN_WAIT2\n"
		     "expect server conn CLOSE_WAIT\n"
		     "server: recv(conn, 1024) = 0\n"
		     "server: close(conn)\n"
		     "expect client c TIME_WAIT\n"
		     "server: close(s)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] socket(AF_INET, SOCK_STREAM, 0) = 3");
	has_line(t, "[server] setsockopt(3, SO_REUSEADDR, 1) = 0");
	has_line(t, "[server] bind(3, 127.0.0.1:8888) = 0");
	has_line(t, "[server] listen(3, 5) = 0");
	has_line(t, "[server] state(s) = LISTEN");
	has_line(t, "[client] socket(AF_INET, SOCK_STREAM, 0) = 3");
	has_line(t, "[client] connect(3, 127.0.0.1:8888) = 0");
	has_line(t, "[server] accept(3) = 4 (peer 127.0.0.1:*");
	has_line(t, "[server] send(4, \"Hello, client!\", 14) = 14");
	has_line(t, "[client] recv(3, 1024) = 14 \"Hello, client!\"");
	has_line(t, "[client] state(c) = FIN_WAIT2");
	has_line(t, "[server] state(conn) = CLOSE_WAIT");
	has_line(t, "[server] recv(4, 1024) = 0");
	has_line(t, "[client] state(c) = TIME_WAIT");
	free(t);
}

static void refused_and_inuse(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9) = -1 ECONNREFUSED\n"
		     "server: a = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(a, 127.0.0.1:7000) = 0\n"
		     "server: listen(a) = 0\n"
		     "server: b = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(b, 127.0.0.1:7000) = -1 EADDRINUSE\n"
		     "server: bind(a, 127.0.0.1:7001) = -1 EINVAL\n"
		     "server: accept(b) = -1 EINVAL\n"
		     "server: send(b, \"x\") = -1 EPIPE\n"
		     "server: recv(b, 10) = -1 ENOTCONN\n"
		     "server: close(b)\n"
		     "server: close(b) = -1 EBADF\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)");
	has_line(t, "[server] bind(4, 127.0.0.1:7000) = -1 EADDRINUSE (Address already in use)");
	has_line(t, "[server] listen(3, 128) = 0");
	has_line(t, "[server] close(4) = -1 EBADF (Bad file descriptor)");
	free(t);
}

static void failed_expectation_names_line(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "\n"
		     "client: connect(c, 127.0.0.1:9) = 0\n"
		     "client: close(c) = 0\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:3: expectation failed: expected 0, got -1 ECONNREFUSED");
	has_line(t, "[client] close(3) = 0"); /* the script goes on */
	free(t);
}

static void blocking_accept_released_by_connect(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8890)\n"
		     "server: listen(s, 5)\n"
		     "server: conn = accept(s) = 4\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8890) = 0\n"
		     "server: send(conn, \"hi\") = 2\n"
		     "client: recv(c, 10) = 2 \"hi\"\n", &t);
	assert_int_equal(rc, 0);
	/* The resumed accept is reported right after the connect that released it. */
	const char *blocked = strstr(t, "[server] accept(3) <blocked>\n");
	const char *conn = strstr(t, "[client] connect(3, 127.0.0.1:8890) = 0\n");
	const char *resumed = strstr(t, "[server] accept(3) <resumed> = 4 (peer 127.0.0.1:");
	const char *send = strstr(t, "[server] send(4, \"hi\", 2) = 2\n");
	assert_non_null(blocked);
	assert_non_null(conn);
	assert_non_null(resumed);
	assert_non_null(send);
	assert_true(blocked < conn && conn < resumed && resumed < send);
	free(t);
}

static void blocked_recv_is_interrupted_at_end(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(s, 127.0.0.1:5000)\n"
		     "server: recvfrom(s, 100)\n", &t);
	assert_int_equal(rc, 0); /* no result was expected from it */
	has_line(t, "[server] recvfrom(3, 100) <blocked>");
	has_line(t, "[server] recvfrom(3, 100) <interrupted> = -1 EINTR (Interrupted system call)");
	free(t);

	rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		 "server: bind(s, 127.0.0.1:5000)\n"
		 "server: recvfrom(s, 100) = 5\n", &t);
	assert_int_equal(rc, 1); /* this one expected a result */
	free(t);
}

static void stuck_actor_times_out(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8891)\n"
		     "server: listen(s, 5)\n"
		     "server: accept(s)\n"
		     "server: close(s)\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:4: server is stuck: accept(3) still blocked after *");
	assert_null(strstr(t, "close(3)"));
	free(t);
}

static void udp_keeps_boundaries(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(s, 127.0.0.1:5353)\n"
		     "client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: sendto(c, \"one\", server.addr(s)) = 3\n"
		     "client: sendto(c, \"two!\", 127.0.0.1:5353) = 4\n"
		     "server: recvfrom(s, 100) = 3 \"one\"\n"
		     "server: recv(s, 100) = 4 \"two!\"\n"
		     "client: send(c, \"x\") = -1 EDESTADDRREQ\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] sendto(3, \"one\", 3, 127.0.0.1:5353) = 3");
	has_line(t, "[server] recvfrom(3, 100) = 3 \"one\" (from 127.0.0.1:*");
	free(t);
}

/* "abc" * 7 arrives as 21 bytes of abc, whatever way the actor builds it. */
static void repeated_data_is_exact(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(s, 127.0.0.1:5001)\n"
		     "client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: sendto(c, \"abc\" * 7, 127.0.0.1:5001) = 21\n"
		     "server: recv(s, 100) = 21 \"abcabcabcabcabcabcabc\"\n"
		     "client: sendto(c, \"\\x00z\" * 3, 127.0.0.1:5001) = 6\n"
		     "server: recv(s, 100) = 6 \"\\x00z\\x00z\\x00z\"\n", &t);
	assert_int_equal(rc, 0);
	free(t);
}

static void nonblocking_and_so_error(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8892)\n"
		     "server: listen(s, 5)\n"
		     "server: nonblock(s)\n"
		     "server: accept(s) = -1 EAGAIN\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: recv(c, 10, MSG_DONTWAIT) = -1 ENOTCONN\n"
		     "client: nonblock(c, 1)\n"
		     "client: connect(c, 127.0.0.1:8892)\n"
		     "client: getsockopt(c, SO_ERROR) = 0\n"
		     "server: conn = accept(s) = 4\n"
		     "server: recv(conn, 10, MSG_DONTWAIT) = -1 EAGAIN\n"
		     "server: getsockopt(conn, SO_RCVBUF) = 0\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] nonblock(3, 1) = 0");
	has_line(t, "[server] accept(3) = -1 EAGAIN (Resource temporarily unavailable)");
	has_line(t, "[client] getsockopt(3, SO_ERROR) = 0 (value 0)");
	has_line(t, "[server] getsockopt(4, SO_RCVBUF) = 0 (value *");
	free(t);
}

static void linger_zero_resets(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8893)\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8893) = 0\n"
		     "server: conn = accept(s)\n"
		     "client: setsockopt(c, SO_LINGER, 1, 0) = 0\n"
		     "client: getsockopt(c, SO_LINGER) = 0\n"
		     "client: close(c) = 0\n"
		     "server: recv(conn, 10) = -1 ECONNRESET\n"
		     "expect server conn CLOSED\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] getsockopt(3, SO_LINGER) = 0 (value on, 0 s)");
	has_line(t, "[server] recv(4, 10) = -1 ECONNRESET (Connection reset by peer)");
	free(t);
}

static void ipv6_and_unix(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET6, SOCK_STREAM)\n"
		     "server: bind(s, [::1]:8894) = 0\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET6, SOCK_STREAM)\n"
		     "client: connect(c, server.addr(s)) = 0\n"
		     "client: c4 = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c4, [::1]:8894) = -1\n"
		     "server: u = socket(AF_UNIX, SOCK_STREAM)\n"
		     "server: bind(u, @sockplay-test) = 0\n"
		     "server: listen(u, 1) = 0\n"
		     "client: cu = socket(AF_UNIX, SOCK_STREAM)\n"
		     "client: connect(cu, @sockplay-test) = 0\n"
		     "server: uc = accept(u)\n"
		     "client: send(cu, \"\\x1b[2J\\r\\n\") = 6\n"
		     "server: recv(uc, 100) = 6 \"\\x1b[2J\\r\\n\"\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] bind(3, [::1]:8894) = 0");
	has_line(t, "[client] connect(3, [::1]:8894) = 0");
	has_line(t, "[server] bind(4, @sockplay-test) = 0");
	/* received bytes never reach the terminal raw */
	has_line(t, "[server] recv(5, 100) = 6 \"\\x1b[2J\\r\\n\"");
	free(t);
}

static void interrupt_blocked_accept(void **state)
{
	(void)state;
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	const char *text = "server: s = socket(AF_INET, SOCK_STREAM)\n"
			   "server: bind(s, 127.0.0.1:8895)\n"
			   "server: listen(s, 5)\n"
			   "server: accept(s)\n";
	assert_int_equal(script_parse("t.sp", text, strlen(text), &sc, &d), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	struct transcript tr = { .fp = fp, .file = "t.sp" };
	struct session_opts so = { .timeout_ms = 2000, .on_event = (session_event_fn)transcript_event,
				   .ctx = &tr };
	struct session *s = session_new(&so);
	struct sp_cursor cur;
	const struct sp_stmt *st;
	script_cursor_init(&cur, sc);
	while ((st = script_cursor_next(&cur)))
		assert_int_equal(session_exec(s, st), SESSION_OK);
	assert_true(session_any_blocked(s));
	const struct snapshot *sn = session_snapshot(s);
	assert_int_equal(sn->nactors, 1);
	assert_true(sn->actors[0].blocked);
	assert_string_equal(sn->actors[0].blocked_call, "accept(3)");
	assert_int_equal(session_interrupt(s, "server"), 1);
	assert_false(session_any_blocked(s));
	session_refresh(s);
	sn = session_snapshot(s);
	assert_int_equal(sn->actors[0].nsocks, 1);
	assert_int_equal(sn->actors[0].socks[0].state, 10 /* LISTEN */);
	assert_int_equal(sn->actors[0].socks[0].wq, 5);
	assert_string_equal(sn->actors[0].log[sn->actors[0].nlog - 1].text,
			    "accept(3) <interrupted> = -1 EINTR (Interrupted system call)");
	session_free(s);
	fclose(fp);
	free(out);
	script_free(sc);
}

static void actors_die_with_session(void **state)
{
	(void)state;
	char err[200];
	struct actor *a = actor_spawn("x", err, sizeof err);
	assert_non_null(a);
	pid_t pid = actor_pid(a);
	struct actor_req rq = { .call = SP_CALL_SOCKET, .domain = AF_INET, .type = SOCK_STREAM, .seq = 7 };
	assert_int_equal(actor_send(a, &rq), 0);
	struct actor_res res;
	assert_int_equal(actor_recv(a, &res), 1);
	assert_int_equal(res.seq, 7);
	assert_int_equal(res.ret, 3); /* the first socket of a fresh program */
	assert_true(res.cookie != 0);
	actor_res_clear(&res);
	actor_free(a);
	assert_int_equal(kill(pid, 0), -1); /* killed and reaped: no zombie */
	assert_int_equal(errno, ESRCH);
}

static void hostile_peer_bytes_are_escaped(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(s, 127.0.0.1:5000)\n"
		     "client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: sendto(c, \"\\x1b]0;pwn\\x07\\x9b\\x08\\xe2\\x80\\xae\", 127.0.0.1:5000)\n"
		     "server: recv(s, 100)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] recv(3, 100) = 13 \"\\x1b]0;pwn\\x07\\x9b\\x08\\xe2\\x80\\xae\"");
	for (const char *p = t; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	free(t);
}

/* ---- hostile peers, limits and scripts from strangers ------------------------------------ */

/* How many lines of T start with PREFIX. */
static int count_lines(const char *t, const char *prefix)
{
	int n = 0;
	size_t pl = strlen(prefix);
	for (const char *p = t; p && *p;) {
		if (strncmp(p, prefix, pl) == 0)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/*
 * The server drops a client in the middle of a transfer: it has read only part
 * of the request, sets SO_LINGER on with 0 s and closes. As Linux answers: the
 * client's next recv() is ECONNRESET (once), then 0; a send() after that EPIPE.
 */
static void reset_mid_transfer(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8896)\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8896) = 0\n"
		     "server: conn = accept(s)\n"
		     "client: send(c, \"request \" * 200) = 1600\n"
		     "server: recv(conn, 8) = 8 \"request \"\n"
		     "server: setsockopt(conn, SO_LINGER, 1, 0) = 0\n"
		     "server: close(conn) = 0\n"
		     "expect client c CLOSED\n"
		     "client: recv(c, 100) = -1 ECONNRESET\n"
		     "client: recv(c, 100) = 0\n"
		     "client: send(c, \"more\") = -1 EPIPE\n"
		     "client: send(c, \"more\") = -1 EPIPE\n"
		     "client: getsockopt(c, SO_ERROR) = 0\n"
		     "client: close(c) = 0\n"
		     /* the same, with the client sending first: that send() gets the reset */
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8896) = 0\n"
		     "server: conn = accept(s)\n"
		     "client: send(c, \"unread\") = 6\n"
		     "server: setsockopt(conn, SO_LINGER, 1, 0) = 0\n"
		     "server: close(conn) = 0\n"
		     "expect client c CLOSED\n"
		     "client: send(c, \"more\") = -1 ECONNRESET\n"
		     "client: send(c, \"more\") = -1 EPIPE\n"
		     "client: recv(c, 100) = 0\n", &t);
	if (rc != 0)
		fail_msg("verdict %d\n%s", rc, t);
	has_line(t, "[client] recv(3, 100) = -1 ECONNRESET (Connection reset by peer)");
	has_line(t, "[client] send(3, \"more\", 4) = -1 EPIPE (Broken pipe)");
	has_line(t, "[client] send(3, \"more\", 4) = -1 ECONNRESET (Connection reset by peer)");
	free(t);
}

/* A reset while the client is blocked in a big send(): the send returns what it had queued, the reset comes next. */
static void reset_releases_a_blocked_send(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8897)\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8897) = 0\n"
		     "server: conn = accept(s)\n"
		     "client: send(c, \"x\" * 20000000)\n"
		     "server: recv(conn, 10) = 10\n"
		     "server: setsockopt(conn, SO_LINGER, 1, 0) = 0\n"
		     "server: close(conn) = 0\n"
		     "client: send(c, \"more\") = -1 ECONNRESET\n"
		     "client: recv(c, 100) = 0\n"
		     "client: send(c, \"more\") = -1 EPIPE\n", &t);
	if (rc != 0)
		fail_msg("verdict %d\n%s", rc, t);
	has_line(t, "[client] send(3, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 20000000) <blocked>");
	const char *r = strstr(t, "[client] send(3, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 20000000) <resumed> = ");
	if (!r)
		fail_msg("the blocked send did not come back:\n%s", t);
	long long n = atoll(strstr(r, "<resumed> = ") + 12);
	assert_true(n > 10 && n < 20000000); /* what was queued before the reset: part of it */
	/* and it came back before the client's next call ran */
	assert_true(r < strstr(t, "[client] send(3, \"more\", 4) = -1 ECONNRESET"));
	free(t);
}

/* Set the soft RLIMIT_NOFILE to N for the actors spawned next; returns the old one. */
static rlim_t set_nofile(rlim_t n)
{
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rlim_t old = rl.rlim_cur;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n)
		n = rl.rlim_max;
	rl.rlim_cur = n;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	return old;
}

/* The step runner: the sockets whose states a step changed, the call's own first, matched by cookie. */
static void runner_event(void *ctx, const struct sp_event *ev)
{
	step_event(ctx, ev);
}

static const struct step_trans *trans_of(const struct step *r, const char *actor, const char *name)
{
	for (int i = 0; i < r->ntrans; i++)
		if (strcmp(r->trans[i].actor, actor) == 0 && strcmp(r->trans[i].name, name) == 0)
			return &r->trans[i];
	return NULL;
}

static void step_runner_finds_transitions(void **state)
{
	(void)state;
	static const char text[] = "server: s = socket(AF_INET, SOCK_STREAM)\n"
				   "server: setsockopt(s, SO_REUSEADDR, 1)\n"
				   "server: bind(s, 127.0.0.1:8889)\n"
				   "server: listen(s, 5)\n"
				   "client: c = socket(AF_INET, SOCK_STREAM)\n"
				   "client: connect(c, 127.0.0.1:8889) = 0\n"
				   "server: conn = accept(s)\n"
				   "client: close(c)\n";
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	assert_int_equal(script_parse("t.sp", text, strlen(text), &sc, &d), 0);
	static struct step r;
	struct session_opts so = { .timeout_ms = 2000, .net_label = "test", .on_event = runner_event, .ctx = &r };
	struct session *s = session_new(&so);
	assert_non_null(s);
	struct step_hooks h = { .programs_ms = -1, .track = 1 };
	step_init(&r, s, NULL, &h);
	struct sp_cursor cur;
	const struct sp_stmt *st;
	script_cursor_init(&cur, sc);
	const struct step_trans *x;
	while ((st = script_cursor_next(&cur))) {
		assert_int_equal(step_run(&r, st, 0), SESSION_OK);
		if (st->kind != SP_ST_CALL)
			continue;
		switch (st->call) {
		case SP_CALL_LISTEN:
			assert_int_equal(r.ntrans, 1);
			assert_string_equal(r.trans[0].name, "s");
			assert_int_equal(r.trans[0].from, SP_TCP_CLOSE);
			assert_int_equal(r.trans[0].to, SP_TCP_LISTEN);
			assert_true(r.trans[0].main);
			assert_non_null(strstr(r.join, "from CLOSED to LISTEN"));
			break;
		case SP_CALL_CONNECT:
			assert_true(r.trans[0].main);
			assert_string_equal(r.trans[0].actor, "client");
			assert_int_equal(r.trans[0].to, SP_TCP_ESTABLISHED);
			assert_null(trans_of(&r, "server", "s")); /* the listener stays in LISTEN */
			break;
		case SP_CALL_ACCEPT:
			assert_int_equal(r.ntrans, 1); /* the new socket: LISTEN -> ESTABLISHED, the listener unchanged */
			assert_string_equal(r.trans[0].name, "conn");
			assert_int_equal(r.trans[0].from, SP_TCP_LISTEN);
			assert_int_equal(r.trans[0].to, SP_TCP_ESTABLISHED);
			break;
		case SP_CALL_CLOSE:
			x = trans_of(&r, "client", "c");
			assert_non_null(x);
			assert_true(x->main);
			assert_int_equal(x->from, SP_TCP_ESTABLISHED);
			assert_true(x->to == SP_TCP_FIN_WAIT1 || x->to == SP_TCP_FIN_WAIT2);
			x = trans_of(&r, "server", "conn");
			assert_non_null(x);
			assert_false(x->main);
			assert_int_equal(x->to, SP_TCP_CLOSE_WAIT);
			break;
		default:
			break;
		}
	}
	step_free(&r);
	session_free(s);
	script_free(sc);
}

/* --explain: the sentence joining a call to the states it changed, the one the TUI shows, follows the call. */
static void explain_joins_call_and_states(void **state)
{
	(void)state;
	const char *script = "server: s = socket(AF_INET, SOCK_STREAM)\n"
			     "server: bind(s, 127.0.0.1:8894)\n"
			     "server: listen(s, 5)\n"
			     "client: c = socket(AF_INET, SOCK_STREAM)\n"
			     "client: connect(c, 127.0.0.1:8894) = 0\n"
			     "server: conn = accept(s)\n"
			     "server: close(s)\n";
	char *t = NULL;
	run_explain = 1;
	int rc = run(script, &t);
	run_explain = 0;
	if (rc != 0)
		fail_msg("the script failed:\n%s", t);
	has_line(t, "    Nothing went on the wire: the server's socket went from CLOSED to LISTEN, and from now on*");
	has_line(t, "    Nothing went on the wire: the handshake had finished when the client's connect() returned.*");
	has_line(t, "    Nothing went on the wire: the listener went from LISTEN to CLOSED.*");
	free(t);
	/* without --explain: none (a port of its own, the one above may linger in TIME_WAIT) */
	assert_int_equal(run("server: s = socket(AF_INET, SOCK_STREAM)\n"
			     "server: listen(s, 5)\n", &t), 0);
	assert_null(strstr(t, "Nothing went on the wire"));
	free(t);
}

/*
 * EMFILE: with 32 descriptors an actor has 3..30 for sockets (31 is its
 * channel to sockplay). The failures are explained, and the actor goes on.
 */
static void emfile_then_go_on(void **state)
{
	(void)state;
	char *t = NULL;
	rlim_t old = set_nofile(32);
	run_explain = 1;
	int rc = run("repeat 30\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "end\n"
		     "client: socket(AF_INET, SOCK_STREAM) = -1 EMFILE\n"
		     "client: close(3) = 0\n"
		     "client: d = socket(AF_INET, SOCK_STREAM) = 3\n"
		     "server: s = socket(AF_INET, SOCK_STREAM) = 3\n"
		     "server: bind(s, 127.0.0.1:8898) = 0\n"
		     "server: listen(s, 5) = 0\n"
		     "client: close(d) = 0\n"
		     "client: connect(c, 127.0.0.1:8898) = 0\n"
		     "server: conn = accept(s) = 4\n"
		     "client: send(c, \"still here\") = 10\n"
		     "server: recv(conn, 100) = 10 \"still here\"\n", &t);
	run_explain = 0;
	set_nofile(old);
	if (rc != 0)
		fail_msg("verdict %d\n%s", rc, t);
	assert_int_equal(count_lines(t, "[client] socket(AF_INET, SOCK_STREAM, 0) = -1 EMFILE (Too many open files)"),
			 3);
	has_line(t, "[client] socket(AF_INET, SOCK_STREAM, 0) = 30");
	has_line(t, "    EMFILE: This process has reached its limit of open file descriptors.");
	has_line(t, "    Likely: Too many descriptors are open: close() the sockets you no longer need.*");
	has_line(t, "[client] send(30, \"still here\", 10) = 10");
	free(t);
}

/*
 * A script names descriptors by number too. The only ones an actor has are
 * its sockets, /dev/null on 0-2 and its channel to sockplay, which must be out
 * of reach: a script that could write to it would forge results, one that
 * closed it would kill its actor.
 */
static void the_control_channel_is_out_of_reach(void **state)
{
	(void)state;
	char *text = NULL, *t = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	assert_non_null(fp);
	/* every number below the limit: none is a socket but the script's own */
	for (int fd = 0; fd < 64; fd++)
		fprintf(fp, "client: getsockopt(%d, SO_TYPE) = -1 %s\n", fd, fd < 3 ? "ENOTSOCK" : "EBADF");
	fputs("client: send(63, \"\\x53\\x50\\x4c\\x59 forged\") = -1 EBADF\n"
	      "client: recv(63, 100, MSG_DONTWAIT) = -1 EBADF\n"
	      "client: setsockopt(63, SO_SNDBUF, 1) = -1 EBADF\n"
	      "client: nonblock(63) = -1 EBADF\n"
	      "client: shutdown(63, SHUT_RDWR) = -1 EBADF\n"
	      "client: close(63) = -1 EBADF\n"
	      "client: c = socket(AF_INET, SOCK_DGRAM) = 3\n"
	      "client: bind(c, 127.0.0.1:0) = 0\n"
	      "client: sendto(c, \"alive\", addr(c)) = 5\n"
	      "client: recv(c, 100) = 5 \"alive\"\n"
	      "client: getsockopt(3, SO_TYPE) = 0\n", fp);
	fclose(fp);
	/* our stdin a socket, as under some supervisors: the actors' must be /dev/null all the same */
	int sv[2], saved_in = dup(0);
	assert_true(saved_in >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(dup2(sv[0], 0), 0);
	rlim_t old = set_nofile(64);
	int rc = run(text, &t);
	set_nofile(old);
	dup2(saved_in, 0);
	close(saved_in);
	close(sv[0]);
	close(sv[1]);
	if (rc != 0)
		fail_msg("verdict %d\n%s", rc, t);
	has_line(t, "[client] close(63) = -1 EBADF (Bad file descriptor)");
	has_line(t, "[client] getsockopt(3, SO_TYPE) = 0 (value 2)");
	assert_null(strstr(t, "error:"));
	free(text);
	free(t);
}

/* Flags may be written as a number: the transcript shows every bit the call was given. */
static void numeric_flags_are_shown(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: bind(c, 127.0.0.1:0) = 0\n"
		     "client: recv(c, 100, 64) = -1 EAGAIN\n"
		     "client: recv(c, 100, MSG_DONTWAIT|8192) = -1 EAGAIN\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] recv(3, 100, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)");
	has_line(t, "[client] recv(3, 100, MSG_DONTWAIT|8192) = -1 EAGAIN (Resource temporarily unavailable)");
	free(t);
}

/* Data that itself ends in "..." is shown whole, the ellipsis inside the quotes; only a cut adds one outside. */
static void sent_dots_are_data(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: sendto(c, \"wait...\", 127.0.0.1:9) = 7\n"
		     "client: sendto(c, \"x...\" * 20, 127.0.0.1:9) = 80\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] sendto(3, \"wait...\", 7, 127.0.0.1:9) = 7");
	has_line(t, "[client] sendto(3, \"x...x...x...x...x...x...x...x...\"..., 80, 127.0.0.1:9) = 80");
	free(t);
}

/* The port of the line "[ACTOR] CALL = R (... 127.0.0.1:PORT)" starting with PREFIX, or -1. */
static int port_in(const char *t, const char *prefix)
{
	const char *p = strstr(t, prefix);
	if (!p)
		return -1;
	const char *e = strchr(p, '\n'), *colon = NULL;
	for (const char *q = p; q < e; q++)
		if (*q == ':')
			colon = q;
	return colon ? atoi(colon + 1) : -1;
}

/* getsockname() reports what the kernel gave the socket: the wildcard, the bound address, a picked port. */
static void getsockname_tells_the_kernels_address(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: getsockname(s) = 0\n"
		     "server: bind(s, 127.0.0.1:8888)\n"
		     "server: getsockname(s) = 0\n"
		     "server: listen(s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8888)\n"
		     "client: getsockname(c) = 0\n"
		     "server: conn = accept(s)\n"
		     "server: getsockname(conn) = 0\n"
		     "server: close(conn)\n"
		     "server: getsockname(conn) = -1 EBADF\n"
		     "server: u = socket(AF_INET6, SOCK_DGRAM)\n"
		     "server: bind(u, [::1]:0)\n"
		     "server: getsockname(u) = 0\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] getsockname(3) = 0 (*:0)");
	has_line(t, "[server] getsockname(3) = 0 (127.0.0.1:8888)");
	has_line(t, "[server] getsockname(4) = 0 (127.0.0.1:8888)");
	has_line(t, "[server] getsockname(4) = -1 EBADF (Bad file descriptor)");
	has_line(t, "[server] getsockname(4) = 0 ([::1]:*");
	/* the client's port is the one the kernel picked at connect(): the server's accept() saw it */
	int mine = port_in(t, "[client] getsockname(3) = 0 (127.0.0.1:");
	int seen = port_in(t, "[server] accept(3) = 4 (peer 127.0.0.1:");
	assert_true(mine > 0);
	assert_int_equal(mine, seen);
	/* the UDP socket's port 0 became a real one */
	assert_true(port_in(t, "[server] getsockname(4) = 0 ([::1]:") > 0);
	free(t);
}

/* socketpair(): two connected sockets from one call, both ways; the transcript names both fds. */
static void socketpair_both_ways(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: a, b = socketpair(AF_UNIX, SOCK_STREAM) = 0\n"
		     "server: send(a, \"ping\") = 4\n"
		     "server: recv(b, 100) = 4 \"ping\"\n"
		     "server: send(b, \"pong!\") = 5\n"
		     "server: recv(a, 100) = 5 \"pong!\"\n"
		     "server: d, e = socketpair(AF_UNIX, SOCK_DGRAM)\n"
		     "server: send(e, \"one\") = 3\n"
		     "server: send(e, \"two\") = 3\n"
		     "server: recv(d, 100) = 3 \"one\"\n"
		     "server: close(a) = 0\n"
		     "server: recv(b, 100) = 0\n"
		     "server: send(b, \"x\") = -1 EPIPE\n"
		     "server: socketpair(AF_INET, SOCK_STREAM) = -1 EOPNOTSUPP\n"
		     "client: x, y = socketpair(AF_UNIX, SOCK_SEQPACKET)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] socketpair(AF_UNIX, SOCK_STREAM, 0) = 0 (fds 3, 4)");
	has_line(t, "[server] recv(3, 100) = 5 \"pong!\"");
	has_line(t, "[server] socketpair(AF_UNIX, SOCK_DGRAM, 0) = 0 (fds 5, 6)");
	has_line(t, "[server] recv(5, 100) = 3 \"one\"");
	has_line(t, "[client] socketpair(AF_UNIX, SOCK_SEQPACKET, 0) = 0 (fds 3, 4)");
	free(t);
}

/* Both sockets of a pair are the actor's, with their names, in the kernel, each the other's peer. */
static void socketpair_rows_in_the_snapshot(void **state)
{
	(void)state;
	struct session_opts o = { .timeout_ms = 3000 };
	struct session *s = session_new(&o);
	assert_non_null(s);
	struct sp_stmt st;
	struct sp_diag dg;
	assert_int_equal(script_parse_line("server: a, b = socketpair(AF_UNIX, SOCK_STREAM)", NULL, &st, &dg), 0);
	assert_int_equal(session_exec(s, &st), SESSION_OK);
	session_collect(s);
	assert_int_equal(session_refresh(s), 0);
	const struct snapshot *sn = session_snapshot(s);
	assert_int_equal(sn->nactors, 1);
	assert_int_equal(sn->actors[0].nsocks, 2);
	const struct snap_sock *a = &sn->actors[0].socks[0], *b = &sn->actors[0].socks[1];
	assert_string_equal(a->name, "a");
	assert_string_equal(b->name, "b");
	assert_int_equal(a->fd, 3);
	assert_int_equal(b->fd, 4);
	assert_true(a->in_kernel && b->in_kernel);
	assert_int_equal(a->family, AF_UNIX);
	assert_int_equal(a->type, SOCK_STREAM);
	assert_int_equal(a->state, SP_TCP_ESTABLISHED);
	assert_int_equal(b->state, SP_TCP_ESTABLISHED);
	assert_true(a->has_peer && b->has_peer);
	/* no name: each end's peer is shown as the other end */
	assert_string_equal(a->local, "(unnamed)");
	assert_string_equal(a->peer, "fd 4 (b)");
	assert_string_equal(b->peer, "fd 3 (a)");
	script_stmt_clear(&st);
	session_free(s);
}

/* SOCK_SEQPACKET: listen, accept; each recv() one message; a short buffer loses the rest of its message. */
static void seqpacket_keeps_boundaries(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_UNIX, SOCK_SEQPACKET)\n"
		     "server: bind(s, @sockplay-test-seqpacket) = 0\n"
		     "server: listen(s) = 0\n"
		     "expect server s LISTEN\n"
		     "client: c = socket(AF_UNIX, SOCK_SEQPACKET)\n"
		     "client: connect(c, @sockplay-test-seqpacket) = 0\n"
		     "server: conn = accept(s) = 4\n"
		     "expect server conn ESTABLISHED\n"
		     "client: send(c, \"one\") = 3\n"
		     "client: send(c, \"two\") = 3\n"
		     "client: send(c, \"three\") = 5\n"
		     "server: recv(conn, 100) = 3 \"one\"\n"
		     "server: recv(conn, 100) = 3 \"two\"\n"
		     "server: recv(conn, 2) = 2 \"th\"\n"
		     "server: recv(conn, 100, MSG_DONTWAIT) = -1 EAGAIN\n"
		     "client: send(c, \"\") = 0\n"
		     "server: recv(conn, 100) = 0\n"
		     "client: send(c, \"last\") = 4\n"
		     "server: recv(conn, 100) = 4 \"last\"\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] socket(AF_UNIX, SOCK_SEQPACKET, 0) = 3");
	has_line(t, "[server] recv(4, 2) = 2 \"th\"");
	free(t);
}

/* connect(u, AF_UNSPEC) dissolves a UDP association: the next send() has no destination. */
static void unspec_dissolves(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: r = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(r, 127.0.0.1:9100)\n"
		     "client: u = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: connect(u, 127.0.0.1:9100) = 0\n"
		     "client: send(u, \"a\") = 1\n"
		     "client: connect(u, AF_UNSPEC) = 0\n"
		     "client: getsockname(u) = 0\n"
		     "client: send(u, \"b\") = -1 EDESTADDRREQ\n"
		     "client: sendto(u, \"c\", 127.0.0.1:9100) = 1\n"
		     "server: recv(r, 10) = 1 \"a\"\n"
		     "server: recv(r, 10) = 1 \"c\"\n"
		     /* TCP: the connection is aborted with RST */
		     "server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:9101)\n"
		     "server: listen(s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9101) = 0\n"
		     "server: conn = accept(s)\n"
		     "client: connect(c, AF_UNSPEC) = 0\n"
		     "expect client c CLOSED\n"
		     "server: recv(conn, 10) = -1 ECONNRESET\n"
		     "client: connect(c, 127.0.0.1:9101) = 0\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] connect(3, AF_UNSPEC) = 0");
	has_line(t, "[client] send(3, \"b\", 1) = -1 EDESTADDRREQ (Destination address required)");
	/* the port the kernel picked at connect() was given back */
	has_line(t, "[client] getsockname(3) = 0 (*:0)");
	free(t);
}

/* unlink(PATH): only in the sandbox's own filesystem; there, a second bind() of the path succeeds. */
static void unlink_frees_the_path(void **state)
{
	(void)state;
	char *t = NULL;
	const char *script = "server: s = socket(AF_UNIX, SOCK_STREAM)\n"
			     "server: bind(s, /tmp/sockplay-test-unlink.sock) = 0\n"
			     "server: close(s)\n"
			     "server: s2 = socket(AF_UNIX, SOCK_STREAM)\n"
			     "server: bind(s2, /tmp/sockplay-test-unlink.sock) = -1 EADDRINUSE\n"
			     "server: unlink(/tmp/sockplay-test-unlink.sock) = 0\n"
			     "server: bind(s2, /tmp/sockplay-test-unlink.sock) = 0\n"
			     "server: unlink(/tmp/sockplay-test-unlink.sock) = 0\n"
			     "server: unlink(/tmp/sockplay-test-unlink.sock) = -1 ENOENT\n"
			     "server: unlink(/etc/passwd) = -1 ENOENT\n";
	if (!sandbox_files_private()) { /* the host's files: refused, nothing removed */
		int rc = run("server: unlink(/tmp/sockplay-test-unlink.sock)\n", &t);
		assert_int_equal(rc, 1);
		has_line(t, "t.sp:1: error: unlink() refused: a script removes files only in the sandbox's own "
			    "filesystem, and this session uses the host's*");
		free(t);
		skip();
	}
	int rc = run(script, &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] unlink(/tmp/sockplay-test-unlink.sock) = 0");
	has_line(t, "[server] bind(3, /tmp/sockplay-test-unlink.sock) = -1 EADDRINUSE (Address already in use)");
	free(t);
	/* nothing happened to the host's /tmp */
	assert_int_equal(access("/tmp/sockplay-test-unlink.sock", F_OK), -1);
}

/* Without the sandbox's own filesystem (--host-net), a child refuses unlink(); the session says why. */
static void unlink_refused_on_the_host(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a new process that never entered the sandbox: as sockplay --host-net is */
		execl("/proc/self/exe", "test_engine", "--host-unlink", (char *)NULL);
		_exit(99);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Narration with line breaks: each line keeps its mark, so a script cannot print a call line it did not make. */
static void narration_cannot_forge_a_line(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("title \"Lab 3\\n[server] listen(3, 5) = 0\"\n"
		     "say \"all good\\n[client] connect(3, 127.0.0.1:8888) = 0\\nt.sp:9: expectation failed\"\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "## Lab 3");
	has_line(t, "## [server] listen(3, 5) = 0");
	has_line(t, "# all good");
	has_line(t, "# [client] connect(3, 127.0.0.1:8888) = 0");
	has_line(t, "# t.sp:9: expectation failed");
	assert_int_equal(count_lines(t, "[client]"), 1);
	assert_int_equal(count_lines(t, "[server]"), 0);
	assert_int_equal(count_lines(t, "t.sp:"), 0);
	free(t);
}

/* A session running the statements of TEXT one by one; events go to TR. */
struct stepper {
	struct sp_script *sc;
	struct sp_cursor cur;
	struct session *s;
	struct transcript tr;
	char *out;
	size_t len;
	char shown[512]; /* the newest call that returned, as its event said (ev->shown) */
};

static void stepper_event(void *ctx, const struct sp_event *ev)
{
	struct stepper *p = ctx;
	transcript_event(&p->tr, ev);
	if (ev->kind == SP_EV_CALL && ev->shown)
		transcript_call_text(ev, p->shown, sizeof p->shown);
}

static void stepper_start(struct stepper *p, const char *text)
{
	struct sp_diags d = { 0 };
	memset(p, 0, sizeof *p);
	if (script_parse("t.sp", text, strlen(text), &p->sc, &d) < 0) {
		script_diags_print(stderr, "t.sp", &d);
		fail_msg("script did not parse");
	}
	p->tr.fp = open_memstream(&p->out, &p->len);
	p->tr.file = "t.sp";
	struct session_opts so = { .timeout_ms = 2000, .on_event = stepper_event, .ctx = p };
	p->s = session_new(&so);
	assert_non_null(p->s);
	script_cursor_init(&p->cur, p->sc);
}

/* Run the next N statements (all: -1). */
static void stepper_run(struct stepper *p, int n)
{
	const struct sp_stmt *st;
	while (n-- != 0 && (st = script_cursor_next(&p->cur))) {
		if (session_stmt_waits(p->s, st))
			session_wait_actor(p->s, st->actor, 2000);
		assert_int_equal(session_exec(p->s, st), SESSION_OK);
	}
	fflush(p->tr.fp);
}

static void stepper_end(struct stepper *p)
{
	session_free(p->s);
	fclose(p->tr.fp);
	free(p->out);
	script_free(p->sc);
}

/* The state the snapshot shows for ACTOR's socket NAME, -2 when not listed. */
static int snap_state(struct session *s, const char *actor, const char *name)
{
	const struct snapshot *sn = session_snapshot(s);
	for (size_t i = 0; i < sn->nactors; i++) {
		if (strcmp(sn->actors[i].name, actor) != 0)
			continue;
		for (size_t j = sn->actors[i].nsocks; j-- > 0;)
			if (strcmp(sn->actors[i].socks[j].name, name) == 0)
				return sn->actors[i].socks[j].state;
	}
	return -2;
}

/* The other side's call changes a socket: its row says so at once, not at its next call. */
static void snapshot_follows_the_peers_reset(void **state)
{
	(void)state;
	struct stepper p;
	stepper_start(&p, "server: s = socket(AF_INET, SOCK_STREAM)\n"
			  "server: bind(s, 127.0.0.1:8896)\n"
			  "server: listen(s, 5)\n"
			  "client: c = socket(AF_INET, SOCK_STREAM)\n"
			  "client: connect(c, 127.0.0.1:8896) = 0\n"
			  "server: conn = accept(s)\n"
			  "client: c2 = socket(AF_INET, SOCK_STREAM)\n"
			  "client: connect(c2, 127.0.0.1:8896) = 0\n"
			  "server: setsockopt(conn, SO_LINGER, 1, 0)\n"
			  "server: close(conn)\n");
	stepper_run(&p, 8);
	session_refresh(p.s);
	assert_int_equal(snap_state(p.s, "client", "c"), 1 /* ESTABLISHED */);
	const struct snapshot *sn = session_snapshot(p.s);
	assert_int_equal(sn->actors[0].socks[0].rq, 1); /* c2 waits in the accept queue */
	stepper_run(&p, -1); /* the server resets c; the client makes no call */
	session_refresh(p.s);
	assert_int_equal(snap_state(p.s, "client", "c"), 7 /* CLOSE: reset by the peer */);
	assert_int_equal(snap_state(p.s, "client", "c2"), 1);
	stepper_end(&p);
}

/* ACTOR's socket NAME in the snapshot, or NULL. */
static const struct snap_sock *snap_find(struct session *s, const char *actor, const char *name)
{
	const struct snapshot *sn = session_snapshot(s);
	for (size_t i = 0; i < sn->nactors; i++)
		for (size_t j = 0; strcmp(sn->actors[i].name, actor) == 0 && j < sn->actors[i].nsocks; j++)
			if (strcmp(sn->actors[i].socks[j].name, name) == 0)
				return &sn->actors[i].socks[j];
	return NULL;
}

/* Each snapshot socket carries its cookie, its addresses as sockaddrs and whether it has a peer. */
static void snapshot_sockets_are_typed(void **state)
{
	(void)state;
	struct stepper p;
	stepper_start(&p, "server: s = socket(AF_INET, SOCK_STREAM)\n"
			  "server: bind(s, 127.0.0.1:8902)\n"
			  "server: listen(s, 5)\n"
			  "client: c = socket(AF_INET, SOCK_STREAM)\n"
			  "client: connect(c, 127.0.0.1:8902) = 0\n"
			  "server: conn = accept(s)\n");
	stepper_run(&p, -1);
	session_refresh(p.s);
	const struct snap_sock *ls = snap_find(p.s, "server", "s");
	const struct snap_sock *conn = snap_find(p.s, "server", "conn");
	const struct snap_sock *c = snap_find(p.s, "client", "c");
	assert_non_null(ls);
	assert_non_null(conn);
	assert_non_null(c);
	assert_int_equal(ls->state, SP_TCP_LISTEN);
	assert_int_equal(c->state, SP_TCP_ESTABLISHED);
	assert_true(ls->cookie && conn->cookie && c->cookie);
	assert_true(ls->cookie != conn->cookie && conn->cookie != c->cookie);
	assert_false(ls->has_peer);
	assert_true(conn->has_peer);
	assert_true(c->has_peer);
	assert_int_equal(ls->local_sa.ss_family, AF_INET);
	assert_true(ls->local_len >= sizeof(struct sockaddr_in));
	const struct sockaddr_in *l = (const void *)&ls->local_sa;
	assert_int_equal(ntohs(l->sin_port), 8902);
	assert_int_equal(ntohl(l->sin_addr.s_addr), INADDR_LOOPBACK);
	/* the two ends of the connection, each the other's peer */
	assert_true(session_endpoint_is(&c->peer_sa, &conn->local_sa, 0));
	assert_true(session_endpoint_is(&conn->peer_sa, &c->local_sa, 0));
	assert_true(session_endpoint_is(&c->peer_sa, &ls->local_sa, 0));
	/* the text forms say the same */
	assert_string_equal(ls->local, "127.0.0.1:8902");
	assert_string_equal(ls->peer, "-");
	assert_int_equal(ls->peer_len, 0);
	assert_string_equal(c->peer, "127.0.0.1:8902");
	stepper_end(&p);
}

/* A call resumed after a newer one returned shows in its pane; the explain area keeps the newer call. */
static void resumed_older_call_keeps_out_of_the_explain_area(void **state)
{
	(void)state;
	struct stepper p;
	stepper_start(&p, "server: s = socket(AF_INET, SOCK_STREAM)\n"
			  "server: bind(s, 127.0.0.1:8901)\n"
			  "server: listen(s, 5)\n"
			  "client: c = socket(AF_INET, SOCK_STREAM)\n"
			  "client: connect(c, 127.0.0.1:8901) = 0\n"
			  "server: conn = accept(s)\n"
			  "server: recv(conn, 100)\n"
			  "client: c2 = socket(AF_INET, SOCK_STREAM)\n"
			  "client: send(c, \"hi\")\n");
	stepper_run(&p, 7); /* the server's recv blocks */
	stepper_run(&p, 1); /* socket(): the newest call */
	assert_non_null(strstr(p.shown, "socket(AF_INET, SOCK_STREAM, 0) = 4"));
	stepper_run(&p, 1); /* send(): it releases the server's recv, sent two calls before it */
	session_wait_actor(p.s, "server", 2000);
	if (!strstr(p.shown, "send(3, \"hi\", 2) = 2"))
		fail_msg("the explain area shows \"%s\", not the step's send", p.shown);
	has_line(p.out, "[server] recv(4, 100) <resumed> = 2 \"hi\"");
	stepper_end(&p);
}

/* Count the lines of T that contain S. */
static int lines_with(const char *t, const char *s)
{
	int n = 0;
	for (const char *p = t; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

/* <blocked> is what the actor did: calls that return at once never show it, whatever poll() says. */
static void blocked_only_when_it_waits(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8897)\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8897) = 0\n"
		     "server: conn = accept(s)\n"
		     "server: setsockopt(conn, SO_RCVLOWAT, 10) = 0\n"
		     "client: send(c, \"abcd\") = 4\n"
		     "server: recv(conn, 4) = 4 \"abcd\"\n"
		     "server: recv(conn, 10, MSG_OOB) = -1 EINVAL\n"
		     "client: send(c, \"!\", MSG_OOB) = 1\n"
		     "server: recv(conn, 1, MSG_OOB) = 1 \"!\"\n"
		     "server: recv(conn, 100)\n"
		     "client: send(c, \"0123456789\") = 10\n"
		     "server: recv(conn, 100) = 0\n"
		     "client: close(c)\n", &t);
	has_line(t, "[server] recv(4, 4) = 4 \"abcd\"");
	has_line(t, "[server] recv(4, 10, MSG_OOB) = -1 EINVAL (Invalid argument)");
	has_line(t, "[server] recv(4, 1, MSG_OOB) = 1 \"!\"");
	/* under SO_RCVLOWAT 10 with nothing queued it really waits, until 10 bytes come */
	has_line(t, "[server] recv(4, 100) <blocked>");
	has_line(t, "[server] recv(4, 100) <resumed> = 10 \"0123456789\"");
	assert_int_equal(lines_with(t, "recv(4, 4) <"), 0);
	assert_int_equal(lines_with(t, "MSG_OOB) <"), 0);
	/* recv() returning 0 waits for the client's FIN */
	has_line(t, "[server] recv(4, 100) <resumed> = 0");
	assert_int_equal(lines_with(t, "<blocked>"), 2);
	assert_int_equal(lines_with(t, "<resumed>"), 2);
	assert_int_equal(rc, 0);
	free(t);
}


#define CONNECTED(port)                                                 \
	"server: s = socket(AF_INET, SOCK_STREAM)\n"                    \
	"server: setsockopt(s, SO_REUSEADDR, 1)\n"                      \
	"server: bind(s, 127.0.0.1:" port ")\n"                         \
	"server: listen(s, 5)\n"                                        \
	"client: c = socket(AF_INET, SOCK_STREAM)\n"                    \
	"client: connect(c, 127.0.0.1:" port ") = 0\n"                  \
	"server: conn = accept(s)\n"

/*
 * A call cut short by sockplay at the end is <interrupted> whatever it
 * returned (a count, 0), and an expectation on it fails.
 */
static void cut_short_calls_are_interrupted(void **state)
{
	(void)state;
	char *t = NULL;
	/* recv(MSG_WAITALL) with 80 of 1000 bytes there */
	int rc = run(CONNECTED("8899") "client: send(c, \"n\" * 80) = 80\n"
		     "server: recv(conn, 1000, MSG_WAITALL)\n", &t);
	has_line(t, "[server] recv(4, 1000, MSG_WAITALL) <blocked>");
	has_line(t, "[server] recv(4, 1000, MSG_WAITALL) <interrupted> = 80 \"nnnnnnnn*");
	assert_int_equal(rc, 0); /* no result was expected of it */
	free(t);
	rc = run(CONNECTED("8899") "client: send(c, \"n\" * 80) = 80\n"
		 "server: recv(conn, 1000, MSG_WAITALL) = 80\n", &t);
	has_line(t, "[server] recv(4, 1000, MSG_WAITALL) <interrupted> = 80 \"nnnnnnnn*");
	has_line(t, "t.sp:9: expectation failed: recv(4, 1000, MSG_WAITALL) was still blocked and was interrupted");
	assert_int_equal(rc, 1);
	free(t);
	/* an explicit -1 EINTR is what an interrupt gives; a call cut short with bytes gave those */
	rc = run(CONNECTED("8899") "client: send(c, \"n\" * 80) = 80\n"
		 "server: recv(conn, 1000, MSG_WAITALL) = -1 EINTR\n"
		 "client: c2 = socket(AF_INET, SOCK_STREAM)\n"
		 "client: connect(c2, 127.0.0.1:8899) = 0\n"
		 "client: recv(c2, 10) = -1 EINTR\n", &t);
	has_line(t, "[client] recv(4, 10) <interrupted> = -1 EINTR (Interrupted system call)");
	assert_int_equal(lines_with(t, "expectation failed"), 1);
	has_line(t, "t.sp:9: expectation failed: recv(4, 1000, MSG_WAITALL) was still blocked and was interrupted");
	assert_int_equal(rc, 1);
	free(t);
	/* recv under SO_RCVLOWAT 10 with 4 bytes there */
	rc = run(CONNECTED("8899") "server: setsockopt(conn, SO_RCVLOWAT, 10)\n"
		 "client: send(c, \"abcd\") = 4\n"
		 "server: recv(conn, 100) = 4\n", &t);
	has_line(t, "[server] recv(4, 100) <blocked>");
	has_line(t, "[server] recv(4, 100) <interrupted> = 4 \"abcd\"");
	has_line(t, "t.sp:10: expectation failed: recv(4, 100) was still blocked and was interrupted");
	assert_int_equal(rc, 1);
	free(t);
	/* a send bigger than both buffers, the peer not reading */
	rc = run(CONNECTED("8899") "server: send(conn, \"x\" * 50000000) = 50000000\n", &t);
	has_line(t, "[server] send(4, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 50000000) <blocked>");
	has_line(t, "[server] send(4, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 50000000) <interrupted> = *");
	assert_int_equal(lines_with(t, "<resumed>"), 0);
	assert_int_equal(rc, 1);
	free(t);
	/* a lingering close with data the peer's full window holds back */
	rc = run(CONNECTED("8899") "server: send(conn, \"x\" * 10000000, MSG_DONTWAIT)\n"
		 "server: setsockopt(conn, SO_LINGER, 1, 30) = 0\n"
		 "server: close(conn) = 0\n", &t);
	has_line(t, "[server] close(4) <blocked>");
	has_line(t, "[server] close(4) <interrupted> = 0");
	has_line(t, "t.sp:10: expectation failed: close(4) was still blocked and was interrupted");
	assert_int_equal(rc, 1);
	free(t);
}


/* Received text: UTF-8 shown as such, unsafe code points escaped; long data cut with a mark, or all of it. */
/* A program's read keeps only part of what it returned: the transcript marks the cut. */
static void partly_kept_read_is_marked(void **state)
{
	(void)state;
	char line[512];
	struct sp_event ev = { .kind = SP_EV_CALL, .actor = "server", .call = SP_CALL_RECV,
			       .text = "recv(4, 20000)", .ret = 10000, .data = (const unsigned char *)"abcd",
			       .data_len = 4, .state = -1, .ok = 1, .fd = 4 };
	transcript_call_text(&ev, line, sizeof line);
	assert_string_equal(line, "recv(4, 20000) = 10000 \"abcd\"...");
	ev.ret = 4;
	transcript_call_text(&ev, line, sizeof line);
	assert_string_equal(line, "recv(4, 20000) = 4 \"abcd\"");
}

/* Bytes that each escape to four characters: all of them shown, and no dots inside the quotes. */
static void escaped_data_keeps_its_last_byte(void **state)
{
	(void)state;
	char *t = NULL, want[600];
	const char *sp = "server: s = socket(AF_INET, SOCK_DGRAM)\n"
			 "server: bind(s, 127.0.0.1:5002)\n"
			 "client: c = socket(AF_INET, SOCK_DGRAM)\n"
			 "client: sendto(c, \"\\x01\" * 64, 127.0.0.1:5002)\n"
			 "server: recv(s, 100)\n";
	assert_int_equal(run(sp, &t), 0);
	int n = snprintf(want, sizeof want, "[server] recv(3, 100) = 64 \"");
	for (int i = 0; i < 64; i++)
		n += snprintf(want + n, sizeof want - (size_t)n, "\\x01");
	snprintf(want + n, sizeof want - (size_t)n, "\"");
	has_line(t, want);
	free(t);
}

static void received_text_is_shown_not_cut_silently(void **state)
{
	(void)state;
	char *t = NULL;
	const char *sp = "server: s = socket(AF_INET, SOCK_DGRAM)\n"
			 "server: bind(s, 127.0.0.1:5001)\n"
			 "client: c = socket(AF_INET, SOCK_DGRAM)\n"
			 "client: sendto(c, \"\xe4\xbd\xa0\xe5\xa5\xbd caf\xc3\xa9 \\xe2\\x80\\xae|\\xe2\\x80\\x8b|\\xc2\\x9b|\\xef\\xbb\\xbf|\\xc3|\\xed\\xa0\\x80|\\x1b[2J\", 127.0.0.1:5001)\n"
			 "server: recv(s, 100)\n"
			 "client: sendto(c, \"\xc3\xa9\" * 40, 127.0.0.1:5001)\n"
			 "server: recv(s, 100)\n";
	int rc = run(sp, &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] recv(3, 100) = 38 \"\xe4\xbd\xa0\xe5\xa5\xbd caf\xc3\xa9 "
		    "\\xe2\\x80\\xae|\\xe2\\x80\\x8b|\\xc2\\x9b|\\xef\\xbb\\xbf|\\xc3|\\xed\\xa0\\x80|\\x1b[2J\"");
	/* 80 bytes: the first 64 (32 whole characters), then the mark */
	char want[256] = "[server] recv(3, 100) = 80 \"";
	for (int i = 0; i < 32; i++)
		strcat(want, "\xc3\xa9");
	strcat(want, "\"...");
	has_line(t, want);
	free(t);
	run_full_data = 1;
	rc = run(sp, &t);
	run_full_data = 0;
	assert_int_equal(rc, 0);
	strcpy(want, "[server] recv(3, 100) = 80 \"");
	for (int i = 0; i < 40; i++)
		strcat(want, "\xc3\xa9");
	strcat(want, "\"");
	has_line(t, want);
	free(t);
}


/* An expectation is quoted as the script wrote it: a repeat count is not dropped. */
/* <blocked>, <at once>, expect ACTOR blocked|free on real calls; a wrong one fails the run with what happened. */
static void blocking_asserted_per_call(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8893)\n"
		     "server: listen(s, 5)\n"
		     "server: conn = accept(s) <blocked> = 4\n"
		     "expect server blocked\n"
		     "expect client free\n"
		     "client: c = socket(AF_INET, SOCK_STREAM) <at once>\n"
		     "client: connect(c, 127.0.0.1:8893) = 0 <at once>\n"
		     "expect server free\n"
		     "client: send(c, \"abcd\")\n"
		     "server: recv(conn, 4) = 4 \"abcd\" <at once>\n"
		     "server: recv(conn, 4) <blocked>\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] blocked in accept(3)");
	has_line(t, "[client] free");
	has_line(t, "[server] free");
	has_line(t, "[server] recv(4, 4) <interrupted> = -1 EINTR (Interrupted system call)");
	free(t);

	rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		 "server: bind(s, 127.0.0.1:8895)\n"
		 "server: listen(s, 5)\n"
		 "client: c = socket(AF_INET, SOCK_STREAM)\n"
		 "client: connect(c, 127.0.0.1:8895) = 0 <blocked>\n"
		 "server: conn = accept(s)\n"
		 "server: recv(conn, 4) <at once>\n"
		 "expect server free\n"
		 "client: send(c, \"x\")\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:5: expectation failed: expected <blocked> = 0, got = 0 at once");
	has_line(t, "t.sp:7: expectation failed: expected <at once>, got <blocked>");
	has_line(t, "t.sp:8: expectation failed: expected free, got blocked in recv(4, 4) (server)");
	has_line(t, "[server] recv(4, 4) <resumed> = 1 \"x\"");
	assert_int_equal(count_lines(t, "t.sp:"), 3); /* each once, the <at once> not again when it returns */
	free(t);
}

/* expect wire against the capture (the script's expect wire starts it without --wire). */
static void segments_asserted(void **state)
{
	(void)state;
	char err[256];
	struct wire *w = wire_open(err, sizeof err);
	if (!w) {
		fprintf(stderr, "segments_asserted: %s\n", err);
		skip();
	}
	wire_close(w);
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:8903)\n"
		     "server: listen(s, 5)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:8903) = 0\n"
		     "expect wire client > server [SYN]\n"
		     "expect wire server > client [SYN,ACK] len=0\n"
		     "expect wire client > server [ACK]\n"
		     "server: conn = accept(s)\n"
		     "expect no wire [SYN]\n"
		     "client: close(c)\n"
		     "expect wire client > server [FIN,ACK]\n"
		     "expect wire server > client [ACK]\n"
		     "expect no wire [RST]\n"
		     "expect wire client > server [RST]\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "[expect] wire client > server [SYN]: seen");
	has_line(t, "[expect] wire server > client [SYN,ACK] len=0: seen");
	has_line(t, "[expect] no wire [SYN]: none seen");
	has_line(t, "[expect] wire client > server [FIN,ACK]: seen");
	has_line(t, "[expect] no wire [RST]: none seen");
	has_line(t, "[expect] wire client > server [RST]: not seen");
	has_line(t, "t.sp:15: expectation failed: expected a segment client > server [RST]; close(3) put on the "
		    "wire: client > server [FIN,ACK] len=0, server > client [ACK] len=0");
	assert_int_equal(count_lines(t, "[wire] "), 0); /* checked, not printed: no --wire */
	free(t);
}

static void on_event_keep(void *ctx, const struct sp_event *ev)
{
	char *out = ctx;
	if (ev->kind == SP_EV_FAIL || ev->kind == SP_EV_EXPECT)
		snprintf(out + strlen(out), 1024 - strlen(out), "%d %s|%s\n", ev->kind, ev->text,
			 ev->note ? ev->note : "");
}

/* Where nothing captures, an expect wire fails, saying it could not check and why. */
static void wire_expectation_without_capture(void **state)
{
	(void)state;
	char seen[1024] = "";
	struct session_opts so = { .timeout_ms = 1000, .on_event = on_event_keep, .ctx = seen,
				   .net_label = "test" };
	struct session *s = session_new(&so);
	assert_non_null(s);
	session_set_wire(s, NULL, "wire view off: capturing needs CAP_NET_RAW on the host network");
	struct sp_stmt st;
	struct sp_diag dg;
	struct sp_scope *sc = script_scope_new();
	assert_int_equal(script_parse_line("expect no wire [RST]", sc, &st, &dg), 0);
	assert_int_equal(session_exec(s, &st), SESSION_OK);
	assert_int_equal(session_failures(s), 1);
	char want[512];
	snprintf(want, sizeof want, "%d no wire [RST]|unable to check\n%d cannot check no wire [RST]: capturing "
		 "needs CAP_NET_RAW on the host network|\n", SP_EV_EXPECT, SP_EV_FAIL);
	assert_string_equal(seen, want);
	script_stmt_clear(&st);
	script_scope_free(sc);
	session_free(s);
}

static void expectation_text_keeps_the_count(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(s, 127.0.0.1:5003)\n"
		     "client: c = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: sendto(c, \"abc\" * 3, 127.0.0.1:5003)\n"
		     "server: recv(s, 100) = 9 \"abd\" * 3\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:5: expectation failed: expected 9 \"abd\" * 3, got 9 \"abcabcabc\"");
	free(t);
}


/* "(value X)" is checked against what the kernel said: a wrong value fails as expected vs got. */
static void values_are_expectations(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("client: bad = socket(AF_INET, SOCK_STREAM)\n"
		     "client: nonblock(bad)\n"
		     "client: connect(bad, 127.0.0.1:9) = -1 EINPROGRESS\n"
		     "expect client bad CLOSED\n"
		     "client: getsockopt(bad, SO_ERROR) = 0 (value ECONNREFUSED)\n"
		     "client: getsockopt(bad, SO_ERROR) = 0 (value 0)\n"
		     "client: getsockopt(bad, SO_TYPE) = 0 (value SOCK_STREAM)\n"
		     "client: setsockopt(bad, SO_RCVBUF, 65536)\n"
		     "client: getsockopt(bad, SO_RCVBUF) = 0 (value 131072)\n"
		     "client: setsockopt(bad, SO_KEEPALIVE, 1)\n"
		     "client: getsockopt(bad, SO_KEEPALIVE) = 0 (value on)\n"
		     "client: setsockopt(bad, SO_LINGER, 1, 5)\n"
		     "client: getsockopt(bad, SO_LINGER) = 0 (value on, 5 s)\n"
		     "client: setsockopt(bad, TCP_KEEPIDLE, 30)\n"
		     "client: getsockopt(bad, TCP_KEEPIDLE) = 0 (value 30)\n"
		     "client: setsockopt(bad, TCP_MAXSEG, 1000)\n"
		     "client: getsockopt(bad, TCP_MAXSEG) = 0 (value 1000)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] getsockopt(3, SO_ERROR) = 0 (value ECONNREFUSED)");
	has_line(t, "[client] getsockopt(3, SO_RCVBUF) = 0 (value 131072)");
	free(t);
	/* a value other than the one expected: exit 1, and what was expected against what came */
	rc = run("client: c = socket(AF_INET, SOCK_STREAM)\n"
		 "client: getsockopt(c, SO_KEEPALIVE) = 0 (value on)\n"
		 "client: getsockopt(c, SO_ERROR) = 0 (value ECONNREFUSED)\n"
		 "client: getsockopt(c, SO_RCVBUF) = 0 (value 1)\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:2: expectation failed: expected 0 (value on), got 0 (value 0)");
	has_line(t, "t.sp:3: expectation failed: expected 0 (value ECONNREFUSED), got 0 (value 0)");
	has_line(t, "t.sp:4: expectation failed: expected 0 (value 1), got 0 (value *");
	free(t);
}

/* ioctl(): FIONREAD counts what waits (not the FIN), SIOCOUTQ what is not acknowledged, FIONBIO as nonblock(). */
static void ioctl_counts_bytes(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:7431)\n"
		     "server: listen(s)\n"
		     "server: ioctl(s, FIONREAD) = -1 EINVAL\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: getpeername(c) = -1 ENOTCONN\n"
		     "client: connect(c, 127.0.0.1:7431)\n"
		     "client: getpeername(c) = 0\n"
		     "server: conn = accept(s)\n"
		     "server: ioctl(conn, FIONREAD) = 0 (value 0)\n"
		     "client: setsockopt(c, TCP_CORK, 1)\n"
		     "client: send(c, \"abc\") = 3\n"
		     "client: ioctl(c, SIOCOUTQ) = 0 (value 3)\n"
		     "client: setsockopt(c, TCP_CORK, 0)\n"
		     "client: close(c)\n"
		     "expect server conn CLOSE_WAIT\n"
		     "server: ioctl(conn, FIONREAD) = 0 (value 3)\n"
		     "server: ioctl(conn, FIONBIO, 1) = 0\n"
		     "server: recv(conn, 10) = 3 \"abc\"\n"
		     "server: ioctl(conn, FIONREAD) = 0 (value 0)\n"
		     "server: recv(conn, 10) = 0\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] ioctl(3, FIONREAD) = -1 EINVAL (Invalid argument)");
	has_line(t, "[client] getpeername(3) = -1 ENOTCONN (Transport endpoint is not connected)");
	has_line(t, "[client] getpeername(3) = 0 (127.0.0.1:7431)");
	has_line(t, "[client] ioctl(3, SIOCOUTQ) = 0 (value 3)");
	has_line(t, "[server] ioctl(4, FIONREAD) = 0 (value 3)");
	has_line(t, "[server] ioctl(4, FIONBIO, 1) = 0");
	free(t);
	rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		 "server: bind(s, 127.0.0.1:7432)\n"
		 "server: listen(s)\n"
		 "server: ioctl(s, FIONBIO, 1) = 0\n"
		 "server: accept(s) = -1 EAGAIN\n"
		 "server: ioctl(s, FIONBIO, 0) = 0\n"
		 "server: nonblock(s, 1)\n"
		 "server: accept(s) = -1 EAGAIN\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] accept(3) = -1 EAGAIN (Resource temporarily unavailable)");
	free(t);
}

/* An IPv6 socket with IPV6_V6ONLY leaves the port's IPv4 side to an IPv4 socket; without it, EADDRINUSE. */
static void v6only_shares_the_port(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s6 = socket(AF_INET6, SOCK_STREAM)\n"
		     "server: setsockopt(s6, IPV6_V6ONLY, 1) = 0\n"
		     "server: getsockopt(s6, IPV6_V6ONLY) = 0 (value on)\n"
		     "server: bind(s6, [::]:7433) = 0\n"
		     "server: s4 = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s4, 0.0.0.0:7433) = 0\n"
		     "server: t6 = socket(AF_INET6, SOCK_STREAM)\n"
		     "server: getsockopt(t6, IPV6_V6ONLY) = 0 (value off)\n"
		     "server: bind(t6, [::]:7434) = 0\n"
		     "server: setsockopt(t6, IPV6_V6ONLY, 1) = -1 EINVAL\n"
		     "server: t4 = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(t4, 0.0.0.0:7434) = -1 EADDRINUSE\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] bind(4, *:7433) = 0");
	has_line(t, "[server] bind(6, *:7434) = -1 EADDRINUSE (Address already in use)");
	free(t);
}

/* SO_RCVTIMEO: a blocking recv() is blocked, then ends by itself with EAGAIN, shown as resumed. */
static void receive_timeout_blocks_then_eagain(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: u = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(u, 127.0.0.1:7435)\n"
		     "server: setsockopt(u, SO_RCVTIMEO, 300ms)\n"
		     "server: getsockopt(u, SO_RCVTIMEO) = 0 (value 300)\n"
		     "server: recv(u, 10) = -1 EAGAIN\n"
		     "server: close(u)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] setsockopt(3, SO_RCVTIMEO, 300) = 0");
	has_line(t, "[server] recv(3, 10) <blocked>");
	has_line(t, "[server] recv(3, 10) <resumed> = -1 EAGAIN (Resource temporarily unavailable)");
	free(t);
	/* the last statement: its timeout ends it, not the interrupt at the end of the script */
	rc = run("client: u = socket(AF_INET, SOCK_DGRAM)\n"
		 "client: bind(u, 127.0.0.1:7437)\n"
		 "client: setsockopt(u, SO_RCVTIMEO, 200)\n"
		 "client: recv(u, 10) = -1 EAGAIN\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] recv(3, 10) <resumed> = -1 EAGAIN (Resource temporarily unavailable)");
	free(t);
	/* ... but one that would outlast --timeout (3 s here) is interrupted as any */
	rc = run("client: u = socket(AF_INET, SOCK_DGRAM)\n"
		 "client: bind(u, 127.0.0.1:7438)\n"
		 "client: setsockopt(u, SO_RCVTIMEO, 60s)\n"
		 "client: recv(u, 10)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] recv(3, 10) <interrupted> = -1 EINTR (Interrupted system call)");
	free(t);
}

/* MSG_TRUNC: recv() on UDP returns the datagram's real length, and the buffer holds its first bytes. */
static void msg_trunc_tells_the_real_length(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: d = socket(AF_INET, SOCK_DGRAM)\n"
		     "server: bind(d, 127.0.0.1:7436)\n"
		     "client: u = socket(AF_INET, SOCK_DGRAM)\n"
		     "client: connect(u, 127.0.0.1:7436)\n"
		     "client: getpeername(u) = 0\n"
		     "client: send(u, \"hello world\")\n"
		     "client: send(u, \"xy\", MSG_MORE)\n"
		     "client: send(u, \"z\")\n"
		     "server: ioctl(d, FIONREAD) = 0 (value 11)\n"
		     "server: recv(d, 3, MSG_TRUNC) = 11 \"hel\"\n"
		     "server: ioctl(d, FIONREAD) = 0 (value 3)\n"
		     "server: recv(d, 10) = 3 \"xyz\"\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] getpeername(3) = 0 (127.0.0.1:7436)");
	has_line(t, "[server] recv(3, 3, MSG_TRUNC) = 11 \"hel\"...");
	has_line(t, "[client] send(3, \"xy\", 2, MSG_MORE) = 2");
	free(t);
}

/* SO_SNDTIMEO ends a connect() that waits (the accept queue is full) with EINPROGRESS; the SYNs go on. */
static void send_timeout_ends_a_connect(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: bind(s, 127.0.0.1:7439)\n"
		     "server: listen(s, 0)\n"
		     "client: a = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(a, 127.0.0.1:7439) = 0\n"
		     "client: b = socket(AF_INET, SOCK_STREAM)\n"
		     "client: setsockopt(b, SO_SNDTIMEO, 300)\n"
		     "client: connect(b, 127.0.0.1:7439) = -1 EINPROGRESS\n"
		     "expect client b SYN_SENT\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[client] connect(4, 127.0.0.1:7439) <blocked>");
	has_line(t, "[client] connect(4, 127.0.0.1:7439) <resumed> = -1 EINPROGRESS (Operation now in progress)");
	free(t);
}

/* test_engine --host-unlink: run unlink() with no sandbox at all; 0 when it was refused and nothing removed. */
static int host_unlink(void)
{
	char path[] = "/tmp/sockplay-test-host-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 2;
	close(fd);
	char text[200];
	snprintf(text, sizeof text, "server: unlink(%s)\n", path);
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	if (script_parse("t.sp", text, strlen(text), &sc, &d) < 0)
		return 3;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	struct batch_opts bo = { .script = sc, .format = TRANSCRIPT_TEXT, .timeout_ms = 3000, .out = fp,
				 .net_label = "test" };
	int rc = batch_run(&bo);
	fclose(fp);
	script_free(sc);
	int kept = access(path, F_OK) == 0;
	unlink(path);
	int said = out && strstr(out, "unlink() refused: a script removes files only in the sandbox's own") != NULL;
	if (!said || !kept || rc != 1)
		fprintf(stderr, "host_unlink: rc %d, file kept %d, transcript:\n%s", rc, kept, out ? out : "");
	free(out);
	return said && kept && rc == 1 ? 0 : 1;
}

/* Whether T has a line that starts with HEAD and ends with TAIL. */
static int ends_with_line(const char *t, const char *head, const char *tail)
{
	size_t h = strlen(head), k = strlen(tail);
	for (const char *p = t; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l >= h + k && memcmp(p, head, h) == 0 && memcmp(p + l - k, tail, k) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* poll() against the kernel: a pending connection, data, a FIN, a refused connect, a timeout. */
static void poll_reports_what_the_kernel_says(void **state)
{
	(void)state;
	char *t = NULL;
	run_explain = 1;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: setsockopt(s, SO_REUSEADDR, 1)\n"
		     "server: bind(s, 127.0.0.1:9911)\n"
		     "server: listen(s)\n"
		     "server: poll(s POLLIN, 200) = 0\n"
		     "server: getsockname(s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9911) = 0\n"
		     "server: poll(s POLLIN, 0) = 1 (s POLLIN)\n"
		     "server: conn = accept(s)\n"
		     "server: poll(s POLLIN, conn POLLIN|POLLOUT, 0) = 1 (conn POLLOUT)\n"
		     "client: send(c, \"abc\")\n"
		     "server: poll(conn POLLIN, 1000) = 1 (conn POLLIN)\n"
		     "server: recv(conn, 10) = 3 \"abc\"\n"
		     "client: shutdown(c, SHUT_WR)\n"
		     "server: poll(conn POLLIN|POLLRDHUP, 1000) = 1 (conn POLLIN|POLLRDHUP)\n"
		     "client: d = socket(AF_INET, SOCK_STREAM)\n"
		     "client: nonblock(d)\n"
		     "client: connect(d, 127.0.0.1:9) = -1 EINPROGRESS\n"
		     "client: poll(d POLLOUT, 1000) = 1 (d POLLOUT|POLLERR|POLLHUP)\n"
		     "client: getsockopt(d, SO_ERROR)\n"
		     "client: close(d)\n"
		     "client: poll(d POLLIN, 0) = 1 (d POLLNVAL)\n", &t);
	run_explain = 0;
	assert_int_equal(rc, 0);
	/* a timeout: waited for (blocked, on any machine but a very busy one), then 0 */
	assert_true(ends_with_line(t, "[server] poll(3 POLLIN, 200) ", " = 0"));
	has_line(t, "[server] poll(3 POLLIN, 0) = 1 (s POLLIN)");
	has_line(t, "[server] poll(3 POLLIN, 4 POLLIN|POLLOUT, 0) = 1 (conn POLLOUT)");
	has_line(t, "[server] poll(4 POLLIN, 1000) = 1 (conn POLLIN)");
	has_line(t, "[server] poll(4 POLLIN|POLLRDHUP, 1000) = 1 (conn POLLIN|POLLRDHUP)");
	has_line(t, "[client] poll(4 POLLOUT, 1000) = 1 (d POLLOUT|POLLERR|POLLHUP)");
	has_line(t, "[client] getsockopt(4, SO_ERROR) = 0 (value ECONNREFUSED)");
	has_line(t, "[client] poll(4 POLLIN, 0) = 1 (d POLLNVAL)");
	/* what made each one ready, from the kernel's view */
	assert_non_null(strstr(t, "No socket became ready before the timeout passed"));
	assert_non_null(strstr(t, "s is a listener whose accept queue holds 1 connection(s)"));
	assert_non_null(strstr(t, "conn is writable: there is room in its send buffer"));
	assert_non_null(strstr(t, "conn is readable: 3 bytes wait in its receive queue"));
	assert_non_null(strstr(t, "conn is readable because the peer closed its side"));
	assert_non_null(strstr(t, "d has an error pending"));
	assert_non_null(strstr(t, "Python: p = select.poll(); p.register(conn, select.POLLIN); events = p.poll(1000)"));
	assert_non_null(strstr(t, "C: struct pollfd fds[] = { { d, POLLOUT, 0 } }; int n = poll(fds, sizeof fds / sizeof fds[0], 1000);"));
	free(t);
}

/* select() likewise; a socket in both sets counts twice. */
static void select_reports_what_the_kernel_says(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: setsockopt(s, SO_REUSEADDR, 1)\n"
		     "server: bind(s, 127.0.0.1:9912)\n"
		     "server: listen(s)\n"
		     "server: select(r: s, 200) = 0\n"
		     "server: getsockname(s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9912) = 0\n"
		     "server: select(r: s, 0) = 1 (r: s)\n"
		     "server: conn = accept(s)\n"
		     "server: select(r: s conn, w: conn, 0) = 1 (w: conn)\n"
		     "client: send(c, \"abc\")\n"
		     "server: select(r: s conn, w: conn, 1000) = 2 (r: conn, w: conn)\n"
		     "server: recv(conn, 10) = 3 \"abc\"\n"
		     "client: close(c)\n"
		     "server: select(r: conn, 1000) = 1 (r: conn)\n"
		     "server: recv(conn, 10) = 0\n"
		     "client: d = socket(AF_INET, SOCK_STREAM)\n"
		     "client: nonblock(d)\n"
		     "client: connect(d, 127.0.0.1:9) = -1 EINPROGRESS\n"
		     "client: select(r: d, w: d, 1000) = 2 (r: d, w: d)\n"
		     "client: close(d)\n"
		     "client: select(r: d, 0) = -1 EBADF\n", &t);
	assert_int_equal(rc, 0);
	assert_true(ends_with_line(t, "[server] select(r: 3, 200) ", " = 0"));
	has_line(t, "[server] select(r: 3, 0) = 1 (r: s)");
	has_line(t, "[server] select(r: 3 4, w: 4, 0) = 1 (w: conn)");
	has_line(t, "[server] select(r: 3 4, w: 4, 1000) = 2 (r: conn, w: conn)");
	has_line(t, "[server] select(r: 4, 1000) = 1 (r: conn)");
	has_line(t, "[client] select(r: 3, w: 3, 1000) = 2 (r: d, w: d)");
	has_line(t, "[client] select(r: 3, 0) = -1 EBADF (Bad file descriptor)");
	free(t);
}

/* A poll() or select() that waits is a blocked call: the other actor's step releases it. */
static void ready_calls_block_until_released(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: setsockopt(s, SO_REUSEADDR, 1)\n"
		     "server: bind(s, 127.0.0.1:9913)\n"
		     "server: listen(s)\n"
		     "server: select(r: s) = 1 (r: s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9913) = 0\n"
		     "server: conn = accept(s)\n"
		     "server: poll(s POLLIN, conn POLLIN) = 1 (conn POLLIN)\n"
		     "client: send(c, \"x\")\n"
		     "server: recv(conn, 1) = 1 \"x\"\n"
		     "server: poll(conn POLLIN)\n", &t);
	assert_int_equal(rc, 0);
	has_line(t, "[server] select(r: 3) <blocked>");
	has_line(t, "[server] select(r: 3) <resumed> = 1 (r: s)");
	has_line(t, "[server] poll(3 POLLIN, 4 POLLIN) <blocked>");
	has_line(t, "[server] poll(3 POLLIN, 4 POLLIN) <resumed> = 1 (conn POLLIN)");
	/* the release comes right after the step that caused it */
	const char *a = strstr(t, "[client] connect(3, 127.0.0.1:9913) = 0");
	const char *b = strstr(t, "[server] select(r: 3) <resumed>");
	const char *c = strstr(t, "[client] send(3, \"x\", 1) = 1");
	const char *d = strstr(t, "[server] poll(3 POLLIN, 4 POLLIN) <resumed>");
	assert_true(a && b && c && d && a < b && c < d);
	/* the last one, never released, is interrupted at the end of the script */
	has_line(t, "[server] poll(4 POLLIN) <blocked>");
	has_line(t, "[server] poll(4 POLLIN) <interrupted> = -1 EINTR*");
	free(t);
}

/* A wrong "( ... )" fails the run like any expectation, and says what came. */
static void ready_expectation_fails(void **state)
{
	(void)state;
	char *t = NULL;
	int rc = run("server: s = socket(AF_INET, SOCK_STREAM)\n"
		     "server: setsockopt(s, SO_REUSEADDR, 1)\n"
		     "server: bind(s, 127.0.0.1:9914)\n"
		     "server: listen(s)\n"
		     "client: c = socket(AF_INET, SOCK_STREAM)\n"
		     "client: connect(c, 127.0.0.1:9914) = 0\n"
		     "server: conn = accept(s)\n"
		     "server: poll(conn POLLIN|POLLOUT, 0) = 1 (conn POLLIN|POLLOUT)\n"
		     "server: select(r: conn, w: conn, 0) = 1 (r: conn)\n"
		     "server: poll(conn POLLOUT, 0) = 1 (conn POLLOUT)\n", &t);
	assert_int_equal(rc, 1);
	has_line(t, "t.sp:8: expectation failed: expected 1 (conn POLLIN|POLLOUT), got 1 (conn POLLOUT)");
	has_line(t, "t.sp:9: expectation failed: expected 1 (r: conn), got 1 (w: conn)");
	assert_int_equal(count_lines(t, "t.sp:10:"), 0);
	free(t);
}

int main(int argc, char **argv)
{
	char msg[256];
	if (argc > 1 && strcmp(argv[1], "--host-unlink") == 0)
		return host_unlink();
	/* 0-2 open, as sockplay's main() makes them: a test swaps our stdin for a socket */
	for (int fd; (fd = open("/dev/null", O_RDWR)) >= 0;)
		if (fd > 2) {
			close(fd);
			break;
		}
	/* Our own network: fixed ports never collide with the host or a parallel run. */
	if (sandbox_enter(SANDBOX_AUTO, msg, sizeof msg) != SANDBOX_MADE)
		fprintf(stderr, "test_engine: %s\n", msg);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_flow),
		cmocka_unit_test(refused_and_inuse),
		cmocka_unit_test(failed_expectation_names_line),
		cmocka_unit_test(blocking_accept_released_by_connect),
		cmocka_unit_test(blocked_recv_is_interrupted_at_end),
		cmocka_unit_test(stuck_actor_times_out),
		cmocka_unit_test(udp_keeps_boundaries),
		cmocka_unit_test(repeated_data_is_exact),
		cmocka_unit_test(nonblocking_and_so_error),
		cmocka_unit_test(linger_zero_resets),
		cmocka_unit_test(ipv6_and_unix),
		cmocka_unit_test(interrupt_blocked_accept),
		cmocka_unit_test(actors_die_with_session),
		cmocka_unit_test(hostile_peer_bytes_are_escaped),
		cmocka_unit_test(reset_mid_transfer),
		cmocka_unit_test(reset_releases_a_blocked_send),
		cmocka_unit_test(step_runner_finds_transitions),
		cmocka_unit_test(explain_joins_call_and_states),
		cmocka_unit_test(emfile_then_go_on),
		cmocka_unit_test(the_control_channel_is_out_of_reach),
		cmocka_unit_test(numeric_flags_are_shown),
		cmocka_unit_test(sent_dots_are_data),
		cmocka_unit_test(getsockname_tells_the_kernels_address),
		cmocka_unit_test(socketpair_both_ways),
		cmocka_unit_test(socketpair_rows_in_the_snapshot),
		cmocka_unit_test(seqpacket_keeps_boundaries),
		cmocka_unit_test(unspec_dissolves),
		cmocka_unit_test(unlink_frees_the_path),
		cmocka_unit_test(unlink_refused_on_the_host),
		cmocka_unit_test(poll_reports_what_the_kernel_says),
		cmocka_unit_test(select_reports_what_the_kernel_says),
		cmocka_unit_test(ready_calls_block_until_released),
		cmocka_unit_test(ready_expectation_fails),
		cmocka_unit_test(narration_cannot_forge_a_line),
		cmocka_unit_test(snapshot_sockets_are_typed),
		cmocka_unit_test(snapshot_follows_the_peers_reset),
		cmocka_unit_test(resumed_older_call_keeps_out_of_the_explain_area),
		cmocka_unit_test(blocked_only_when_it_waits),
		cmocka_unit_test(cut_short_calls_are_interrupted),
		cmocka_unit_test(received_text_is_shown_not_cut_silently),
		cmocka_unit_test(escaped_data_keeps_its_last_byte),
		cmocka_unit_test(partly_kept_read_is_marked),
		cmocka_unit_test(expectation_text_keeps_the_count),
		cmocka_unit_test(values_are_expectations),
		cmocka_unit_test(ioctl_counts_bytes),
		cmocka_unit_test(v6only_shares_the_port),
		cmocka_unit_test(receive_timeout_blocks_then_eagain),
		cmocka_unit_test(send_timeout_ends_a_connect),
		cmocka_unit_test(msg_trunc_tells_the_real_length),
		cmocka_unit_test(blocking_asserted_per_call),
		cmocka_unit_test(segments_asserted),
		cmocka_unit_test(wire_expectation_without_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
