/* test_trace.c -- real programs traced on loopback: their calls, results, children, stepping, end. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "sockplay/sandbox.h"
#include "sockplay/trace.h"

#define PORT 8888

static int sandboxed;        /* our own network namespace: port 8888 is ours */
static char untraceable[300]; /* why programs cannot be traced here ("" when they can) */
static char python[256];     /* a python3 that is an executable, not a shell wrapper */
static char tmpdir[64];
static char fork_server[128]; /* assets/programs/fork_server.c, compiled */

/* ---- helpers ------------------------------------------------------------- */

struct log {
	char *text; /* "[server] accept(3) = 4 (peer 127.0.0.1:41234)\n" ... */
	size_t len, cap;
	pid_t pids[16]; /* every process seen */
	int npids;
	int ended;      /* END events of the first process */
};

static void log_add(struct log *l, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (l->len + (size_t)n + 2 > l->cap) {
		l->cap = (l->cap + (size_t)n + 2) * 2;
		l->text = realloc(l->text, l->cap);
		assert_non_null(l->text);
	}
	memcpy(l->text + l->len, line, (size_t)n);
	l->len += (size_t)n;
	l->text[l->len++] = '\n';
	l->text[l->len] = 0;
}

/* One event into the log, as the transcript will show it. */
static void log_event(struct log *l, const struct trace_event *ev)
{
	char buf[2048];
	trace_format(ev, buf, sizeof buf);
	switch (ev->kind) {
	case TRACE_EV_CALL:
	case TRACE_EV_BLOCKED:
		log_add(l, "[%s] %s", ev->side, buf);
		break;
	case TRACE_EV_OUTPUT:
		log_add(l, "[%s] %s %s", ev->side, ev->stream == 1 ? ">" : "!", buf);
		break;
	case TRACE_EV_END:
		log_add(l, "[%s] %s", ev->side, buf);
		break;
	case TRACE_EV_SPAWN:
		if (ev->pid == ev->tid && l->npids < 16)
			l->pids[l->npids++] = ev->pid;
		log_add(l, "[%s] started (child of %s)", ev->side, ev->parent_side);
		break;
	case TRACE_EV_ENTER:
		break;
	}
}

/* Read events into L until STOP says so (or the trace ends, or TIMEOUT_MS). Returns 1 when STOP did. */
static int pump(struct trace *t, struct log *l, int (*stop)(const struct trace_event *, void *), void *arg,
		int timeout_ms)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= timeout_ms)
			return 0;
		struct trace_event ev;
		int rc = trace_wait(t, &ev, (int)(timeout_ms - el));
		if (rc < 0)
			return 0;
		if (rc == 0)
			continue;
		log_event(l, &ev);
		int done = stop && stop(&ev, arg);
		trace_event_clear(&ev);
		if (done)
			return 1;
	}
}

/* Stop at the CALL event of a call named ARG ("listen"). */
static int at_call(const struct trace_event *ev, void *arg)
{
	return ev->kind == TRACE_EV_CALL && strncmp(ev->text, arg, strlen(arg)) == 0 &&
	       ev->text[strlen(arg)] == '(';
}

static int at_end(const struct trace_event *ev, void *arg)
{
	return ev->kind == TRACE_EV_END && strcmp(ev->side, arg) == 0;
}

static int at_blocked(const struct trace_event *ev, void *arg)
{
	return ev->kind == TRACE_EV_BLOCKED && strncmp(ev->text, arg, strlen(arg)) == 0;
}

/* Assert that the log has LINE (whole, or a prefix when it ends with '*'). */
static void has_line(const char *t, const char *line)
{
	size_t n = strlen(line);
	int prefix = n && line[n - 1] == '*';
	if (prefix)
		n--;
	for (const char *p = t; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if ((prefix ? len >= n : len == n) && memcmp(p, line, n) == 0)
			return;
		p = e ? e + 1 : NULL;
	}
	fail_msg("log lacks line: %s\n--- log ---\n%s", line, t ? t : "");
}

static int count_prefix(const char *t, const char *prefix)
{
	int n = 0;
	size_t pl = strlen(prefix);
	for (const char *p = t; p && *p;) {
		if (strncmp(p, prefix, pl) == 0)
			n++;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

/* A client on loopback: connect to PORT, read what comes until EOF (or MAX), close. */
static int client_get(char *buf, size_t max)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	size_t got = 0;
	ssize_t n;
	while (got < max - 1 && (n = recv(s, buf + got, max - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	close(s);
	return (int)got;
}

/* Whether process PID is gone (or a zombie nobody needs: it runs no more). */
static int proc_gone(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *rp = strrchr(buf, ')');
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

static int wait_gone(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (proc_gone(pid))
			return 1;
		usleep(10000);
	}
	return proc_gone(pid);
}

static int tcp_state_of_listener(void)
{
	/* LISTEN on PORT seen from a netlink-free place: /proc/net/tcp (state 0A) */
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256];
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned lport, st;
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lport, &st) == 2 && lport == PORT && st == 0x0A)
			found = 1;
	}
	fclose(f);
	return found;
}

/*
 * A fresh network namespace for the next test: the tutorial's server does not set
 * SO_REUSEADDR, so the TIME_WAIT a test leaves on port 8888 would fail the next bind.
 */
static void fresh_net(void)
{
	if (!sandboxed)
		return;
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

static struct trace *start_or_fail(const char *cmd, int stepping)
{
	char err[300];
	struct trace_opts o = { .side = "server", .stepping = stepping };
	struct trace *t = trace_start(cmd, &o, err, sizeof err);
	if (!t)
		fail_msg("trace_start(%s): %s", cmd, err);
	return t;
}

#define NEED_SANDBOX()                                                                    \
	do {                                                                              \
		NEED_TRACE();                                                             \
		if (!sandboxed) {                                                         \
			fprintf(stderr, "skip: no private network namespace here\n"); \
			skip();                                                           \
		}                                                                         \
	} while (0)
#define NEED_TRACE()                                                          \
	do {                                                                  \
		if (untraceable[0]) {                                         \
			fprintf(stderr, "skip: %s\n", untraceable);      \
			skip();                                               \
		}                                                             \
	} while (0)
#define NEED_PYTHON()                                                   \
	do {                                                            \
		NEED_TRACE();                                           \
		if (!python[0]) {                                       \
			fprintf(stderr, "skip: no python3 here\n"); \
			skip();                                         \
		}                                                       \
	} while (0)

/* ---- splitting ----------------------------------------------------------- */

static void split_words(void **state)
{
	(void)state;
	char err[128];
	int sh = -1;
	char **v = trace_split("  python3 'my server.py'  \"a b\\\"c\" x\\ y ''", &sh, err, sizeof err);
	assert_non_null(v);
	assert_int_equal(sh, 0);
	assert_string_equal(v[0], "python3");
	assert_string_equal(v[1], "my server.py");
	assert_string_equal(v[2], "a b\"c");
	assert_string_equal(v[3], "x y");
	assert_string_equal(v[4], "");
	assert_null(v[5]);
	trace_argv_free(v);

	static const char *const shelly[] = { "a | b", "a; b", "a && b", "a > f", "echo $HOME", "echo `id`",
					      "ls *.py", "PORT=1 ./s", "(cd x)", "~/bin/s", "a \"$X\"", "a # c" };
	for (size_t i = 0; i < sizeof shelly / sizeof shelly[0]; i++) {
		v = trace_split(shelly[i], &sh, err, sizeof err);
		assert_non_null(v);
		if (!sh)
			fail_msg("not seen as shell syntax: %s", shelly[i]);
		trace_argv_free(v);
	}
	static const char *const plain[] = { "python3 server.py", "./a.out --port=8888", "a 'x|y' \"*\"",
					     "a b\\;c" };
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		v = trace_split(plain[i], &sh, err, sizeof err);
		assert_non_null(v);
		if (sh)
			fail_msg("seen as shell syntax: %s", plain[i]);
		trace_argv_free(v);
	}
	assert_null(trace_split("a 'b", &sh, err, sizeof err));
	assert_non_null(strstr(err, "unmatched"));
	assert_null(trace_split("   ", &sh, err, sizeof err));
	assert_non_null(strstr(err, "empty"));
}

/* ---- programs ------------------------------------------------------------ */

static void missing_command_is_named(void **state)
{
	(void)state;
	NEED_TRACE();
	char err[300];
	struct trace_opts o = { .side = "server" };
	struct trace *t = trace_start("no-such-program-here --x", &o, err, sizeof err);
	assert_null(t);
	assert_non_null(strstr(err, "no-such-program-here"));
	assert_non_null(strstr(err, "No such file or directory"));
	/* through sh -c the shell says it; the program is still named and it ends, with 127 */
	t = trace_start("no-such-program-here | cat", &o, err, sizeof err);
	assert_non_null(t);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_end, "server", 5000));
	assert_non_null(strstr(l.text, "no-such-program-here: not found"));
	trace_free(t);
	free(l.text);
}

/* The tutorial's server, free running, against a client of ours. */
static void python_server_against_client(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512], buf[256];
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_call, "listen", 10000));
	assert_int_equal(client_get(buf, sizeof buf), 14);
	assert_string_equal(buf, "Hello, client!");
	assert_true(pump(t, &l, at_call, "close", 5000));
	/* the next accept sleeps: known as blocked */
	assert_true(pump(t, &l, at_blocked, "accept", 5000));
	has_line(l.text, "[server] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3");
	has_line(l.text, "[server] bind(3, 127.0.0.1:8888) = 0");
	has_line(l.text, "[server] listen(3, 128) = 0");
	has_line(l.text, "[server] accept4(3, SOCK_CLOEXEC) = 4 (peer 127.0.0.1:*");
	has_line(l.text, "[server] send(4, \"Hello, client!\", 14) = 14");
	has_line(l.text, "[server] close(4) = 0");
	has_line(l.text, "[server] accept4(3, SOCK_CLOEXEC) <blocked>");
	/* the C library's name service probe for "localhost" is marked */
	has_line(l.text, "[server] socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = 4 (by the C library)");
	has_line(l.text, "[server] connect(4, /var/run/nscd/socket) = -1 ENOENT (No such file or directory) "
			 "(by the C library)");
	has_line(l.text, "[server] close(4) = 0 (by the C library)");
	/* the program's output, line by line */
	has_line(l.text, "[server] > connection from 127.0.0.1 *");
	trace_free(t);
	free(l.text);
}

/* Results in the actors' shape: cookies and TCP states from the program's own sockets. */
static void results_carry_socket_identity(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512], buf[64];
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	struct trace *t = start_or_fail(cmd, 0);
	struct trace_event ev;
	uint64_t listen_cookie = 0, conn_cookie = 0;
	int listen_state = -1, accepted = 0, sent_state = -1;
	pid_t client = -1;
	for (int i = 0; i < 200 && !(accepted && sent_state >= 0); i++) {
		int rc = trace_wait(t, &ev, 5000);
		assert_int_equal(rc, 1);
		if (ev.kind == TRACE_EV_CALL && ev.req.call == SP_CALL_LISTEN) {
			listen_cookie = ev.res.cookie;
			listen_state = ev.res.tcp_state;
			assert_int_equal(ev.res.fd, 3);
			assert_int_equal(ev.socktype, SOCK_STREAM);
			client = fork();
			if (client == 0)
				_exit(client_get(buf, sizeof buf) == 14 ? 0 : 1);
		}
		if (ev.kind == TRACE_EV_CALL && ev.req.call == SP_CALL_ACCEPT) {
			accepted = 1;
			conn_cookie = ev.res.cookie;
			assert_int_equal(ev.res.ret, 4);
			assert_int_equal(ev.res.fd, 4);
			assert_int_equal(ev.res.tcp_state, TCP_ESTABLISHED);
			assert_int_equal(ev.res.local.ss_family, AF_INET);
			assert_int_equal(ntohs(((struct sockaddr_in *)&ev.res.local)->sin_port), PORT);
			assert_true(ev.res.peer_len > 0);
		}
		if (ev.kind == TRACE_EV_CALL && ev.req.call == SP_CALL_SEND) {
			assert_int_equal(ev.res.ret, 14);
			assert_int_equal(ev.sent_len, 14);
			assert_memory_equal(ev.req.unit, "Hello, client!", 14);
			sent_state = ev.res.tcp_state;
		}
		trace_event_clear(&ev);
	}
	assert_int_equal(listen_state, TCP_LISTEN);
	assert_true(listen_cookie != 0);
	assert_true(conn_cookie != 0 && conn_cookie != listen_cookie);
	assert_true(sent_state == TCP_ESTABLISHED || sent_state == TCP_CLOSE_WAIT);
	int st;
	assert_int_equal(waitpid(client, &st, 0), client);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	trace_free(t);
}

/* Both sides real programs: the tutorial's server and client. */
static void python_both_sides(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512], err[300];
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	struct trace *srv = start_or_fail(cmd, 0);
	struct log ls = { 0 }, lc = { 0 };
	assert_true(pump(srv, &ls, at_call, "listen", 10000));
	snprintf(cmd, sizeof cmd, "%s assets/programs/client.py", python);
	struct trace_opts o = { .side = "client" };
	struct trace *cli = trace_start(cmd, &o, err, sizeof err);
	assert_non_null(cli);
	assert_true(pump(cli, &lc, at_end, "client", 10000));
	assert_true(pump(srv, &ls, at_call, "close", 5000));
	has_line(lc.text, "[client] connect(3, 127.0.0.1:8888) = 0");
	has_line(lc.text, "[client] recv(3, 1024) = 14 \"Hello, client!\"");
	has_line(lc.text, "[client] close(3) = 0");
	has_line(lc.text, "[client] > Hello, client!");
	has_line(lc.text, "[client] exited 0");
	has_line(ls.text, "[server] send(4, \"Hello, client!\", 14) = 14");
	trace_free(cli);
	trace_free(srv);
	free(ls.text);
	free(lc.text);
}

/* The C fork-per-client server with two clients: each child is its own side. */
static void fork_server_children_are_sides(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	if (!fork_server[0]) {
		fprintf(stderr, "skip: no C compiler for assets/programs/fork_server.c\n");
		skip();
	}
	struct trace *t = start_or_fail(fork_server, 0);
	struct log l = { 0 };
	char buf[64];
	assert_true(pump(t, &l, at_call, "listen", 5000));
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
		assert_int_equal(recv(s, buf, sizeof buf, 0), 14);
		assert_int_equal(send(s, "ping", 4, 0), 4);
		assert_int_equal(recv(s, buf, sizeof buf, 0), 4);
		close(s);
		char side[32];
		snprintf(side, sizeof side, "server.%d", i + 1);
		assert_true(pump(t, &l, at_end, side, 5000));
	}
	has_line(l.text, "[server] socket(AF_INET, SOCK_STREAM, 0) = 3");
	has_line(l.text, "[server] setsockopt(3, SO_REUSEADDR, 1) = 0");
	has_line(l.text, "[server] listen(3, 5) = 0");
	has_line(l.text, "[server] > listening on 127.0.0.1:8888");
	has_line(l.text, "[server.1] started (child of server)");
	has_line(l.text, "[server.2] started (child of server)");
	for (int i = 1; i <= 2; i++) {
		char p[64];
		snprintf(p, sizeof p, "[server.%d] close(3) = 0", i);
		has_line(l.text, p);
		snprintf(p, sizeof p, "[server.%d] send(4, \"Hello, client!\", 14) = 14", i);
		has_line(l.text, p);
		snprintf(p, sizeof p, "[server.%d] recv(4, 1024) = 4 \"ping\"", i);
		has_line(l.text, p);
		snprintf(p, sizeof p, "[server.%d] recv(4, 1024) = 0", i);
		has_line(l.text, p);
		snprintf(p, sizeof p, "[server.%d] exited 0", i);
		has_line(l.text, p);
	}
	assert_int_equal(count_prefix(l.text, "[server] accept(3) = 4 (peer 127.0.0.1:"), 2);
	assert_int_equal(count_prefix(l.text, "[server] close(4) = 0"), 2);
	assert_int_equal(l.npids, 2);
	trace_free(t);
	for (int i = 0; i < l.npids; i++)
		assert_true(proc_gone(l.pids[i]));
	free(l.text);
}

/* Stepping: nothing happens before the first step; after socket, bind, listen the kernel says LISTEN. */
static void stepping_holds_each_call(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	if (!fork_server[0])
		skip();
	struct trace *t = start_or_fail(fork_server, 1);
	struct trace_event ev;
	/* the first call is held at its entry: socket() */
	assert_int_equal(trace_wait(t, &ev, 5000), 1);
	assert_int_equal(ev.kind, TRACE_EV_ENTER);
	assert_int_equal(ev.held, 1);
	assert_string_equal(ev.text, "socket(AF_INET, SOCK_STREAM, 0)");
	assert_true(trace_settled(t));
	pid_t tid = ev.tid;
	trace_event_clear(&ev);
	/* held means held: a while later still nothing, no socket in the program */
	assert_int_equal(trace_wait(t, &ev, 300), 0);
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/%d/fd/3", (int)trace_pid(t));
	assert_true(readlink(path, link, sizeof link) < 0);
	static const char *const want[] = { "socket", "setsockopt", "bind", "listen" };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(trace_step(t, tid), 0);
		assert_int_equal(trace_wait(t, &ev, 5000), 1);
		assert_int_equal(ev.kind, TRACE_EV_CALL);
		assert_int_equal(strncmp(ev.text, want[i], strlen(want[i])), 0);
		assert_int_equal(ev.res.ret, i == 0 ? 3 : 0);
		/* the kernel's table has the listener once listen() ran, not before */
		assert_int_equal(tcp_state_of_listener(), i == 3);
		assert_int_equal(ev.res.tcp_state, i == 3 ? TCP_LISTEN : TCP_CLOSE);
		trace_event_clear(&ev);
		/* the next one is held again (the program's output may come first) */
		do {
			if (ev.kind)
				trace_event_clear(&ev);
			assert_int_equal(trace_wait(t, &ev, 5000), 1);
		} while (ev.kind == TRACE_EV_OUTPUT);
		assert_int_equal(ev.kind, TRACE_EV_ENTER);
		assert_int_equal(ev.held, 1);
		if (i == 3)
			assert_string_equal(ev.text, "accept(3)");
		trace_event_clear(&ev);
	}
	/* let it go: the accept blocks, and a run lets it run on its own */
	assert_int_equal(trace_step(t, tid), 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_blocked, "accept", 5000));
	assert_true(trace_settled(t));
	assert_int_equal(trace_run(t, 0, 1), 0);
	char buf[64];
	assert_int_equal(client_get(buf, 15), 14);
	assert_true(pump(t, &l, at_end, "server.1", 5000));
	has_line(l.text, "[server] accept(3) <blocked>");
	has_line(l.text, "[server.1] exited 0");
	trace_free(t);
	free(l.text);
}

static void crashing_program(void **state)
{
	(void)state;
	NEED_PYTHON();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s -c 'import os, signal, socket; s = socket.socket(); os.kill(os.getpid(), "
		 "signal.SIGSEGV)'", python);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_end, "server", 5000));
	has_line(l.text, "[server] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3");
	has_line(l.text, "[server] killed by SIGSEGV*");
	trace_free(t);
	free(l.text);

	/* a traceback: stderr lines, the last one says why; exit 1 */
	snprintf(cmd, sizeof cmd, "%s -c 'import socket; socket.socket().connect((\"127.0.0.1\", 9))'", python);
	t = start_or_fail(cmd, 0);
	memset(&l, 0, sizeof l);
	assert_true(pump(t, &l, at_end, "server", 5000));
	has_line(l.text, "[server] connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)");
	has_line(l.text, "[server] ! ConnectionRefusedError: [Errno 111] Connection refused");
	has_line(l.text, "[server] exited 1");
	trace_free(t);
	free(l.text);

	/* the end carries the last line the process wrote to stderr: what a pane shows */
	snprintf(cmd, sizeof cmd, "%s -c 'import sys; print(\"first\", file=sys.stderr); raise SystemExit(\"bye\")'",
		 python);
	t = start_or_fail(cmd, 0);
	struct trace_event ev;
	int rc;
	while ((rc = trace_wait(t, &ev, 5000)) > 0 && ev.kind != TRACE_EV_END)
		trace_event_clear(&ev);
	assert_int_equal(rc, 1);
	assert_string_equal(ev.how, "exited 1");
	assert_int_equal(ev.data_len, 3);
	assert_memory_equal(ev.data, "bye", 3);
	trace_event_clear(&ev);
	trace_free(t);
}

/*
 * A port for the fork server: its own fixed one in the private namespace, one
 * the kernel says is free on the host network (no clash with anything there).
 */
static int test_port(int fixed)
{
	if (sandboxed)
		return fixed;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* Nothing traced outlives trace_free, children included. */
static void nothing_left_after_free(void **state)
{
	(void)state;
	NEED_TRACE();
	if (!fork_server[0])
		skip();
	char cmd[300];
	int port = test_port(8889);
	snprintf(cmd, sizeof cmd, "%s %d", fork_server, port);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_call, "listen", 5000));
	/* a child, held in recv by a client that says nothing */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_true(pump(t, &l, at_blocked, "recv", 5000));
	assert_int_equal(l.npids, 1);
	pid_t main_pid = trace_pid(t), child = l.pids[0];
	assert_false(proc_gone(main_pid));
	assert_false(proc_gone(child));
	trace_free(t);
	assert_true(proc_gone(main_pid));
	assert_true(wait_gone(child, 2000));
	close(s);
	free(l.text);
}

/* SIGKILL of the process holding the trace: its program and their children die too. */
static void nothing_left_after_sigkill(void **state)
{
	(void)state;
	NEED_TRACE();
	if (!fork_server[0])
		skip();
	int pp[2];
	int port = test_port(8890);
	assert_int_equal(pipe(pp), 0);
	pid_t holder = fork();
	if (holder == 0) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "%s %d", fork_server, port);
		struct trace_opts o = { .side = "server" };
		char err[300];
		struct trace *t = trace_start(cmd, &o, err, sizeof err);
		if (!t)
			_exit(1);
		struct log l = { 0 };
		pump(t, &l, at_call, "listen", 5000);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
			_exit(1);
		pump(t, &l, at_blocked, "recv", 5000);
		pid_t pids[2] = { trace_pid(t), l.npids ? l.pids[0] : 0 };
		if (write(pp[1], pids, sizeof pids) != sizeof pids)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pp[1]);
	pid_t pids[2];
	assert_int_equal(read(pp[0], pids, sizeof pids), sizeof pids);
	close(pp[0]);
	assert_true(pids[0] > 0 && pids[1] > 0);
	assert_false(proc_gone(pids[0]));
	assert_false(proc_gone(pids[1]));
	kill(holder, SIGKILL);
	int st;
	assert_int_equal(waitpid(holder, &st, 0), holder);
	assert_true(wait_gone(pids[0], 3000));
	assert_true(wait_gone(pids[1], 3000));
}


/* Where LINE (a prefix) is in the log: its line number, -1 when absent. */
static int line_at(const char *t, const char *prefix)
{
	int n = 0;
	for (const char *p = t; p && *p; n++) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return n;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

/* The select() server: select decoded, the echo, output lines in their place among the calls. */
static void select_server_echo(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512], buf[16];
	snprintf(cmd, sizeof cmd, "%s assets/programs/select_server.py", python);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_call, "listen", 10000));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(send(s, "ping", 4, 0), 4);
	assert_int_equal(recv(s, buf, sizeof buf, 0), 4);
	close(s);
	assert_true(pump(t, &l, at_call, "close", 5000));
	/* glibc makes select() with pselect6: either name, the same decoding, in the script's syntax */
	int sel = line_at(l.text, "[server] pselect(r: 3)");
	if (sel < 0)
		sel = line_at(l.text, "[server] select(r: 3)");
	assert_true(sel >= 0);
	assert_true(strstr(l.text, "select(r: 3 4) = 1 (r: 4)") != NULL);
	int acc = line_at(l.text, "[server] accept4(3, SOCK_CLOEXEC) = 4 (peer 127.0.0.1:");
	int out = line_at(l.text, "[server] > connection from 127.0.0.1 ");
	int rcv = line_at(l.text, "[server] recv(4, 1024) = 4 \"ping\"");
	int snd = line_at(l.text, "[server] send(4, \"ping\", 4) = 4");
	int eof = line_at(l.text, "[server] recv(4, 1024) = 0");
	int left = line_at(l.text, "[server] > client left");
	int cls = line_at(l.text, "[server] close(4) = 0");
	if (!(sel < acc && acc < out && out < rcv && rcv < snd && snd < eof && eof < left && left < cls))
		fail_msg("calls and output out of order:\n%s", l.text);
	trace_free(t);
	free(l.text);
}

/* Threads share their process's side; each call names its thread. */
static void threads_share_the_side(void **state)
{
	(void)state;
	NEED_PYTHON();
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s -c 'import socket, threading\n"
		 "def hit(port):\n"
		 "    s = socket.socket()\n"
		 "    try:\n"
		 "        s.connect((\"127.0.0.1\", port))\n"
		 "    except OSError:\n"
		 "        pass\n"
		 "    s.close()\n"
		 "ts = [threading.Thread(target=hit, args=(p,)) for p in (9, 10)]\n"
		 "[t.start() for t in ts]\n"
		 "[t.join() for t in ts]\n'",
		 python);
	struct trace *t = start_or_fail(cmd, 0);
	struct trace_event ev;
	pid_t tids[2] = { 0, 0 };
	int connects = 0, threads = 0, rc;
	while ((rc = trace_wait(t, &ev, 5000)) > 0) {
		assert_string_equal(ev.side, "server");
		assert_int_equal(ev.pid, trace_pid(t));
		if (ev.kind == TRACE_EV_SPAWN) {
			assert_true(ev.tid != ev.pid); /* a thread, not a new side */
			threads++;
		}
		if (ev.kind == TRACE_EV_CALL && ev.req.call == SP_CALL_CONNECT) {
			assert_true(ev.tid != trace_pid(t));
			assert_int_equal(ev.res.ret, -1);
			assert_int_equal(ev.res.err, ECONNREFUSED);
			tids[connects++ % 2] = ev.tid;
		}
		trace_event_clear(&ev);
	}
	assert_int_equal(threads, 2);
	assert_int_equal(connects, 2);
	assert_true(tids[0] != tids[1]);
	trace_free(t);
}

/* An interrupt ends a blocked call as Ctrl-C would: EINTR, then the program's reaction. */
static void interrupt_a_blocked_call(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	/* a UI blocks signals of its own: the program does not inherit that */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct trace *t = start_or_fail(cmd, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_blocked, "accept", 10000));
	assert_true(trace_settled(t));
	assert_int_equal(trace_interrupt(t, 0, SIGINT), 0);
	assert_true(pump(t, &l, at_end, "server", 5000));
	has_line(l.text, "[server] accept4(3, SOCK_CLOEXEC) <resumed> = -1 EINTR (Interrupted system call)");
	has_line(l.text, "[server] ! KeyboardInterrupt");
	has_line(l.text, "[server] killed by SIGINT");
	assert_true(trace_settled(t));
	trace_free(t);
	free(l.text);
}


/* Every kind of call a program makes, decoded in the transcript's shape. */
static void every_call_decoded(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char path[128], cmd[512];
	snprintf(path, sizeof path, "%s/many.py", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("import socket, select, fcntl, os, struct\n"
	      "a, b = socket.socketpair()\n"
	      "a.setblocking(False)\n"
	      "fcntl.fcntl(b, fcntl.F_SETFL, fcntl.fcntl(b, fcntl.F_GETFL) | os.O_NONBLOCK)\n"
	      "a.send(b'hi')\n"
	      "p = select.poll(); p.register(b, select.POLLIN); p.poll(1000)\n"
	      "b.recv(10, socket.MSG_PEEK)\n"
	      "b.recv(10)\n"
	      "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 40000))\n"
	      "v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(('127.0.0.1', 40001))\n"
	      "v.sendto(b'x', ('127.0.0.1', 40000))\n"
	      "u.recvfrom(10)\n"
	      "u.sendmsg([b'ab', b'cd'], [], 0, ('127.0.0.1', 40001))\n"
	      "v.recvmsg(10)\n"
	      "u.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 5))\n"
	      "u.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)\n"
	      "u.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)\n"
	      "ep = select.epoll(); ep.register(u.fileno(), select.EPOLLOUT); ep.poll(1)\n"
	      "a.shutdown(socket.SHUT_WR)\n"
	      "os.write(b.fileno(), b'w')\n"
	      "os.read(a.fileno(), 5)\n"
	      "os.write(1, b'done\\n')\n",
	      f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "%s %s", python, path);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_end, "server", 10000));
	static const char *const want[] = {
		"[server] socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 0 (fds 3, 4)",
		"[server] ioctl(3, FIONBIO, 1) = 0",
		"[server] fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
		"[server] send(3, \"hi\", 2) = 2",
		"[server] poll(4 POLLIN, 1000) = 1 (4 POLLIN)",
		"[server] recv(4, 10, MSG_PEEK) = 2 \"hi\"",
		"[server] recv(4, 10) = 2 \"hi\"",
		"[server] socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 5",
		"[server] sendto(6, \"x\", 1, 127.0.0.1:40000) = 1",
		"[server] recvfrom(5, 10) = 1 \"x\" (from 127.0.0.1:40001)",
		"[server] sendmsg(5, \"abcd\", 4, 127.0.0.1:40001) = 4",
		"[server] recvmsg(6, 10) = 4 \"abcd\" (from 127.0.0.1:40000)",
		"[server] setsockopt(5, SO_LINGER, 1, 5) = 0",
		"[server] getsockopt(5, SO_LINGER) = 0 (value on, 5 s)",
		"[server] getsockopt(5, SO_REUSEADDR) = 0 (value 0)",
		"[server] epoll_wait(7, 1023, 1000 ms) = 1 (data 5:OUT)",
		"[server] shutdown(3, SHUT_WR) = 0",
		"[server] write(4, \"w\", 1) = 1",
		"[server] read(3, 5) = 1 \"w\"",
		"[server] > done", /* in its place: before the calls Python makes at its exit */
		"[server] getsockname(5) = 0 (local 127.0.0.1:40000)",
		"[server] getpeername(5) = -1 ENOTCONN (Transport endpoint is not connected)",
		"[server] close(6) = 0",
		"[server] exited 0",
	};
	int last = -1;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int at = line_at(l.text, want[i]);
		if (at < 0 || at < last)
			fail_msg("missing or out of order: %s\n--- log ---\n%s", want[i], l.text);
		last = at;
	}
	/* writes to the output are not socket calls */
	assert_int_equal(count_prefix(l.text, "[server] write(1"), 0);
	trace_free(t);
	free(l.text);
}


/* Stepping the tutorial's server: its own calls are steps, the C library's lookup probe is not. */
static void library_calls_are_not_steps(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	char cmd[512], held[8][TRACE_TEXT_MAX];
	int nheld = 0, libc_calls = 0, libc_held = 0;
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	struct trace *t = start_or_fail(cmd, 1);
	struct trace_event ev;
	for (int i = 0; i < 100 && nheld < 4; i++) {
		assert_int_equal(trace_wait(t, &ev, 10000), 1);
		if (ev.kind == TRACE_EV_ENTER) {
			assert_true(ev.held);
			libc_held += ev.libc;
			snprintf(held[nheld++], sizeof held[0], "%s", ev.text);
			if (nheld < 4)
				assert_int_equal(trace_step(t, ev.tid), 0);
		}
		if (ev.kind == TRACE_EV_CALL && ev.libc)
			libc_calls++;
		trace_event_clear(&ev);
	}
	assert_int_equal(nheld, 4);
	assert_string_equal(held[0], "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)");
	assert_string_equal(held[1], "bind(3, 127.0.0.1:8888)");
	assert_string_equal(held[2], "listen(3, 128)");
	assert_string_equal(held[3], "accept4(3, SOCK_CLOEXEC)");
	assert_int_equal(libc_held, 0);
	assert_int_equal(libc_calls, 6); /* twice: socket, connect to nscd, close */
	trace_free(t);
}


/* Stepping a forking server: the child is held too, on its own side, each stepped apart. */
static void stepping_follows_children(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	if (!fork_server[0])
		skip();
	struct trace *t = start_or_fail(fork_server, 1);
	struct trace_event ev;
	pid_t parent_tid = 0, child_tid = 0;
	int client = -1;
	char parent_next[TRACE_TEXT_MAX] = "", child_next[TRACE_TEXT_MAX] = "";
	for (int i = 0; i < 200 && !(parent_next[0] && child_next[0]); i++) {
		assert_int_equal(trace_wait(t, &ev, 5000), 1);
		if (ev.kind == TRACE_EV_ENTER && strcmp(ev.side, "server") == 0) {
			parent_tid = ev.tid;
			if (strcmp(ev.text, "accept(3)") == 0 && client < 0) {
				struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
				a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
				client = socket(AF_INET, SOCK_STREAM, 0);
				assert_int_equal(connect(client, (struct sockaddr *)&a, sizeof a), 0);
			}
			if (strcmp(ev.text, "close(4)") == 0)
				snprintf(parent_next, sizeof parent_next, "%s", ev.text); /* after its fork */
			else
				trace_step(t, ev.tid);
		}
		if (ev.kind == TRACE_EV_ENTER && strcmp(ev.side, "server.1") == 0) {
			assert_true(ev.held);
			child_tid = ev.tid;
			snprintf(child_next, sizeof child_next, "%s", ev.text);
		}
		trace_event_clear(&ev);
	}
	assert_string_equal(parent_next, "close(4)");
	assert_string_equal(child_next, "close(3)");
	assert_true(child_tid != parent_tid && child_tid > 0);
	assert_true(trace_settled(t));
	/* the child's step moves the child only */
	assert_int_equal(trace_step(t, child_tid), 0);
	int got_child_close = 0;
	for (int i = 0; i < 10 && !got_child_close; i++) {
		assert_int_equal(trace_wait(t, &ev, 5000), 1);
		if (ev.kind == TRACE_EV_CALL) {
			assert_string_equal(ev.side, "server.1");
			assert_string_equal(ev.text, "close(3)");
			got_child_close = 1;
		}
		trace_event_clear(&ev);
	}
	assert_true(got_child_close);
	/* its next call is held: the greeting, not sent yet */
	do {
		assert_int_equal(trace_wait(t, &ev, 5000), 1);
		if (ev.kind != TRACE_EV_ENTER)
			trace_event_clear(&ev);
	} while (ev.kind != TRACE_EV_ENTER);
	assert_string_equal(ev.side, "server.1");
	assert_string_equal(ev.text, "send(4, \"Hello, client!\", 14)");
	trace_event_clear(&ev);
	char buf[32];
	assert_int_equal(recv(client, buf, sizeof buf, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(trace_step(t, child_tid), 0);
	assert_int_equal(recv(client, buf, sizeof buf, 0), 14);
	close(client);
	trace_free(t);
}

/* ---- against strace ------------------------------------------------------ */

/*
 * strace's line "accept4(3, {sa_family=AF_INET, ...}, [16], SOCK_CLOEXEC) = 4" as
 * "accept4 3 = 4"; ours "[server] accept4(3, SOCK_CLOEXEC) = 4 (peer ...)" the
 * same way after the documented names: send/recv are sendto/recvfrom without an
 * address; accept and accept4 are one (accept is accept4 without flags). Close lines of strace count
 * only for descriptors that are sockets at the time (strace's own socket/accept results).
 */
/* The result in a call line: after the last "= " that follows the call's closing parenthesis. */
static const char *result_of(const char *line, const char *end)
{
	const char *r = NULL;
	for (const char *p = line; p + 1 < end; p++)
		if (p[0] == '=' && p[1] == ' ') {
			const char *b = p;
			while (b > line && b[-1] == ' ')
				b--;
			if (b > line && (b[-1] == ')' || strncmp(b - 10, " <resumed>", 10) == 0))
				r = p + 2;
		}
	return r;
}

static void strace_key(const char *name, const char *rest, const char *end, char *out, size_t size)
{
	const char *n = strcmp(name, "send") == 0 ? "sendto" : strcmp(name, "recv") == 0 ? "recvfrom"
			: strcmp(name, "accept4") == 0 ? "accept" : name;
	int fd = atoi(rest);
	const char *r = result_of(rest, end);
	if (!r) {
		snprintf(out, size, "%s %d = ?", n, fd);
		return;
	}
	long long ret = atoll(r);
	const char *e = strchr(r, ' ');
	char en[32] = "";
	if (ret < 0 && e && e < end)
		sscanf(e + 1, "%31[A-Z]", en);
	snprintf(out, size, "%s %d = %lld%s%s", n, fd, ret, en[0] ? " " : "", en);
}

static void strace_matches(void **state)
{
	(void)state;
	NEED_SANDBOX();
	fresh_net();
	NEED_PYTHON();
	if (system("strace -V >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skip: strace is not installed\n");
		skip();
	}
	char cmd[700], path[128], line[1024], buf[64];
	/* the program under strace: a client, then it is stopped */
	snprintf(path, sizeof path, "%s/strace.out", tmpdir);
	pid_t sp = fork();
	if (sp == 0) {
		setpgid(0, 0); /* strace and the program: one group, ended together */
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 1);
		/* only 0-2 open, as the tracer leaves the program: the same descriptor numbers */
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execlp("strace", "strace", "-f", "-qq", "-e", "trace=network,close", "-o", path, python,
		       "assets/programs/server.py", (char *)NULL);
		_exit(127);
	}
	setpgid(sp, sp);
	int ok = -1;
	for (int i = 0; i < 500 && ok < 0; i++) {
		usleep(20000);
		if (tcp_state_of_listener())
			ok = client_get(buf, sizeof buf);
	}
	assert_int_equal(ok, 14);
	usleep(300000); /* it is back in accept */
	kill(-sp, SIGTERM);
	int st;
	waitpid(sp, &st, 0);

	/* strace's calls on sockets */
	char keys_s[64][96];
	int ns = 0;
	int sockfd[256] = { 0 };
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) && ns < 64) {
		char name[32];
		const char *l0 = line + strspn(line, "0123456789"); /* -f: each line starts with the pid */
		l0 += strspn(l0, " ");
		if (sscanf(l0, "%31[a-z0-9_](", name) != 1)
			continue;
		const char *rest = l0 + strlen(name) + 1, *end = rest + strlen(rest);
		const char *r = result_of(rest, end);
		if (!r || *r == '?')
			continue; /* the accept it was stopped in */
		char k[96];
		strace_key(name, rest, end, k, sizeof k);
		long long ret = atoll(r);
		int fd = atoi(rest);
		if (strcmp(name, "close") == 0) {
			if (fd < 0 || fd >= 256 || !sockfd[fd])
				continue;
			sockfd[fd] = 0;
		}
		if ((strcmp(name, "socket") == 0 || strncmp(name, "accept", 6) == 0) && ret >= 0 && ret < 256)
			sockfd[ret] = 1;
		snprintf(keys_s[ns++], sizeof keys_s[0], "%s", k);
	}
	fclose(f);

	/* ours: the same program, the same client, a fresh network (no TIME_WAIT on the port) */
	fresh_net();
	snprintf(cmd, sizeof cmd, "%s assets/programs/server.py", python);
	struct trace *t = start_or_fail(cmd, 0);
	struct log l = { 0 };
	assert_true(pump(t, &l, at_call, "listen", 10000));
	assert_int_equal(client_get(buf, sizeof buf), 14);
	/* the connection's close, then the next accept: the first accept may have been seen blocked too */
	assert_true(pump(t, &l, at_call, "close", 5000));
	assert_true(pump(t, &l, at_blocked, "accept", 5000));
	trace_free(t);
	char keys_o[64][96];
	int no = 0;
	for (const char *p = l.text; p && *p && no < 64;) {
		const char *e = strchr(p, '\n');
		char name[32];
		const char *le = e ? e : p + strlen(p);
		if (sscanf(p, "[server] %31[a-z0-9_](", name) == 1 && result_of(p, le)) {
			const char *rest = strchr(p, '(') + 1;
			char k[96];
			strace_key(name, rest, le, k, sizeof k);
			snprintf(keys_o[no++], sizeof keys_o[0], "%s", k);
		}
		p = e ? e + 1 : NULL;
	}
	char both[8192];
	size_t o = 0;
	for (int i = 0; i < ns || i < no; i++)
		o += (size_t)snprintf(both + o, o < sizeof both ? sizeof both - o : 0, "%-28s | %s\n",
				      i < ns ? keys_s[i] : "", i < no ? keys_o[i] : "");
	if (ns != no)
		fail_msg("strace saw %d socket calls, sockplay %d:\n%s\n--- ours ---\n%s", ns, no, both, l.text);
	for (int i = 0; i < ns; i++)
		if (strcmp(keys_s[i], keys_o[i]) != 0)
			fail_msg("call %d differs (strace | sockplay):\n%s", i + 1, both);
	assert_true(ns >= 8); /* socket, connect, close (probe), socket, bind, listen, accept, send, close */
	free(l.text);
}

/* ---- rendering without a program ---------------------------------------- */

static void format_matches_transcript_shape(void **state)
{
	(void)state;
	struct trace_event ev;
	char buf[512];
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_CALL;
	snprintf(ev.side, sizeof ev.side, "server");
	snprintf(ev.text, sizeof ev.text, "accept(3)");
	ev.req.call = SP_CALL_ACCEPT;
	ev.res.ret = 4;
	ev.res.fd = 4;
	snprintf(ev.note, sizeof ev.note, "peer 127.0.0.1:41234");
	trace_format(&ev, buf, sizeof buf);
	assert_string_equal(buf, "accept(3) = 4 (peer 127.0.0.1:41234)");
	ev.kind = TRACE_EV_BLOCKED;
	trace_format(&ev, buf, sizeof buf);
	assert_string_equal(buf, "accept(3) <blocked>");
	ev.kind = TRACE_EV_CALL;
	ev.resumed = 1;
	ev.res.ret = -1;
	ev.res.err = EINTR;
	ev.note[0] = 0;
	trace_format(&ev, buf, sizeof buf);
	assert_string_equal(buf, "accept(3) <resumed> = -1 EINTR (Interrupted system call)");
	/* read() on a socket shows its data like recv() */
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_CALL;
	snprintf(ev.text, sizeof ev.text, "read(5, 100)");
	ev.req.call = SP_CALL_RECV;
	ev.res.ret = 3;
	ev.res.data = (unsigned char *)"a\x1b\n";
	ev.res.data_len = 3;
	trace_format(&ev, buf, sizeof buf);
	assert_string_equal(buf, "read(5, 100) = 3 \"a\\x1b\\n\"");
	/* output lines reach a terminal escaped */
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_OUTPUT;
	ev.data = (unsigned char *)"\x1b[2Jhi";
	ev.data_len = 6;
	trace_format(&ev, buf, sizeof buf);
	assert_string_equal(buf, "\\x1b[2Jhi");
	assert_string_equal(trace_call_name(TRACE_ACCEPT4), "accept4");
	assert_null(trace_call_name(TRACE_CALL_COUNT));
}

int main(void)
{
	char msg[256];
	for (int fd; (fd = open("/dev/null", O_RDWR)) >= 0;)
		if (fd > 2) {
			close(fd);
			break;
		}
	if (sandbox_enter(SANDBOX_AUTO, msg, sizeof msg) == SANDBOX_MADE)
		sandboxed = 1;
	else
		fprintf(stderr, "test_trace: %s (tests on fixed ports are skipped)\n", msg);
	/* a real python3 binary: a shell wrapper in PATH would fork sides of its own */
	FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
	if (p) {
		if (fgets(python, sizeof python, p))
			python[strcspn(python, "\n")] = 0;
		pclose(p);
	}
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_trace.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	char cc[512];
	snprintf(fork_server, sizeof fork_server, "%s/fork_server", tmpdir);
	snprintf(cc, sizeof cc, "cc -O2 -o %s assets/programs/fork_server.c 2>&1", fork_server);
	if (system(cc) != 0)
		fork_server[0] = 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_words),
		cmocka_unit_test(format_matches_transcript_shape),
		cmocka_unit_test(missing_command_is_named),
		cmocka_unit_test(python_server_against_client),
		cmocka_unit_test(results_carry_socket_identity),
		cmocka_unit_test(python_both_sides),
		cmocka_unit_test(fork_server_children_are_sides),
		cmocka_unit_test(stepping_holds_each_call),
		cmocka_unit_test(crashing_program),
		cmocka_unit_test(nothing_left_after_free),
		cmocka_unit_test(nothing_left_after_sigkill),
		cmocka_unit_test(select_server_echo),
		cmocka_unit_test(threads_share_the_side),
		cmocka_unit_test(interrupt_a_blocked_call),
		cmocka_unit_test(stepping_follows_children),
		cmocka_unit_test(every_call_decoded),
		cmocka_unit_test(library_calls_are_not_steps),
		cmocka_unit_test(strace_matches),
	};
	/* can programs be traced here at all (ptrace and seccomp allowed)? */
	char *probe[] = { "true", NULL };
	struct trace_opts po = { .side = "probe" };
	struct trace *pt = trace_start_argv(probe, &po, untraceable, sizeof untraceable);
	if (pt) {
		untraceable[0] = 0;
		trace_free(pt);
	}
	if (getenv("TRACE_TEST"))
		cmocka_set_test_filter(getenv("TRACE_TEST")); /* one test by name, while working on it */
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char rm[128];
	snprintf(rm, sizeof rm, "rm -rf %s", tmpdir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
