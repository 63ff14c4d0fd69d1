/*
 * runtime.c -- the machinery that every C program of "sockplay --export c"
 * carries: how its sides take turns, report and print their results.
 *
 * A program is cut from this file. A line that is only a comment "@ NAME"
 * starts the chunk NAME, "@ end" ends it, and "@ = NAME" marks where export.c
 * writes the part of the program that is the script's own (its sides, the
 * script, its tables). Only chunks go into a program, and only those its
 * script needs: export.c says which, one row per helper. The lines outside
 * the chunks are here so that the build can compile this file as it is,
 * warning-free, with and without RT_EXPECT (for a script with "expect"
 * lines): one side that calls every helper, and its script.
 */
#ifndef RT_EXPECT
#define RT_EXPECT 1
#endif

/*@ includes */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/*@ end */
/*@ include_mman */
#include <sys/mman.h>
/*@ end */
/*@ include_ioctl */
#include <sys/ioctl.h>
#include <linux/sockios.h>
/*@ end */
/*@ include_time */
#include <sys/time.h>
/*@ end */
/*@ include_select */
#include <sys/select.h>
/*@ end */
/*@ includes_end */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*@ end */
/*@ protos */
/*
 * Helpers, defined at the end of the file with the machinery that keeps the
 * sides in the script's order (you may skip that part):
 */
/*@ end */
/*@ proto_step */
/* wait for this side's turn in the script, and say which call it makes */
static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*@ end */
/*@ proto_call */
/* the same in two halves, for a call whose address is made in between */
static void turn(void);
static void call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*@ end */
/*@ protos_report */
/* report the call's result as sockplay prints it: " = 3", " = -1 ECONNREFUSED (...)" */
/*@ end */
/*@ proto_done */
static void done(long long ret);
/*@ end */
/*@ proto_done_addr */
static void done_addr(long long ret, const char *what, const struct sockaddr_storage *ss,
		      socklen_t len); /* accept(): " = 4 (peer 127.0.0.1:40000)" */
/*@ end */
/*@ proto_done_name */
static void done_name(long long ret, const struct sockaddr_storage *ss,
		      socklen_t len); /* getsockname(): " = 0 (127.0.0.1:8888)" */
/*@ end */
/*@ proto_done_data */
static void done_data(long long ret, const char *buf, const struct sockaddr_storage *from,
		      socklen_t fromlen); /* recv(): " = 14 \"Hello, client!\"" */
/*@ end */
/*@ proto_done_fds */
static void done_fds(long long ret, const int sv[2]); /* socketpair(): " = 0 (fds 3, 4)" */
/*@ end */
/*@ proto_done_value */
static void done_value(long long ret, int value); /* getsockopt(): " = 0 (value 1)" */
/*@ end */
/*@ proto_done_error */
static void done_error(long long ret, int value); /* SO_ERROR: " = 0 (value ECONNREFUSED)" */
/*@ end */
/*@ proto_done_trunc */
static void done_trunc(long long ret, const char *buf, size_t len, const struct sockaddr_storage *from,
		       socklen_t fromlen); /* recv(MSG_TRUNC): " = 11 \"hel\"..." */
/*@ end */
/*@ proto_done_linger */
static void done_linger(long long ret, const struct linger *lg); /* " = 0 (value on, 5 s)" */
/*@ end */
/*@ proto_check */
/* the script's expectation on that result ("= 0"): OK says whether it held */
static void check(int line, int ok, const char *want, int data);
/*@ end */
/*@ proto_ready_poll */
/* poll(): " = 2 (a POLLIN, d POLLIN)" */
static void done_poll(long long ret, const struct pollfd *pfd, int n, const char *const *names);
/*@ end */
/*@ proto_ready_select */
/* select(): " = 2 (r: s, w: c)" */
static int nfds_of(const int *fds, int n);
static void done_select(long long ret, const fd_set *r, const fd_set *w, const int *fds, const char *sets,
			const char *const *names, int n);
/*@ end */
/*@ proto_ready_check */
/* poll(), select(): the script's "= N ( ... )" */
static int ready_is(const char *want);
static void check_ready(int line, int ok, const char *want);
/*@ end */
/*@ protos_addresses */
/* addresses */
/*@ end */
/*@ proto_ip_addr */
static socklen_t ip_addr(struct sockaddr_storage *ss, int family, const char *host, int port);
/*@ end */
/*@ proto_unix_addr */
static socklen_t unix_addr(struct sockaddr_storage *ss, const char *path, int abstract);
/*@ end */
/*@ proto_addr_text */
static const char *addr_text(const struct sockaddr_storage *ss, socklen_t len);
/*@ end */
/*@ proto_family_of */
static int family_of(int fd);
/*@ end */
/*@ proto_shared */
/* where another side's socket is bound (server.addr(s)): shared memory */
static void share_addr(const char *name, int fd);
static socklen_t shared_addr(const char *name, struct sockaddr_storage *ss);
/*@ end */
/*@ protos_data */
/* data such as "x" * 100000 */
/*@ end */
/*@ proto_repeat */
static char *repeat(const char *unit, size_t len, size_t count);
/*@ end */
/*@ proto_same */
static int same(const char *buf, long long n, const char *unit, size_t len, size_t count);
/*@ end */
#if RT_EXPECT
/*@ proto_expect */
/* the parent: let a side make its next call; ask the kernel for a socket's TCP state */
static void run(void (*side)(void), int line, int what, const char *name);
static void expect(void (*side)(void), const char *name, int want, int line);
enum { MAKES = 1, CLOSES = 2 }; /* what a step does to a socket */
/*@ end */
#else
/*@ proto_run */
/* the parent: let a side make its next call */
static void run(void (*side)(void), int line);
/*@ end */
#endif
/*@ proto_title */
static void title(const char *text);
/*@ end */
/*@ proto_say */
static void say(const char *text);
/*@ end */
/*@ proto_sleep */
static void sleep_ms(long ms);
/*@ end */
/*@ protos_end */

/*@ end */
/*@ = sides */

/* ---- (not in a program) a side that calls every helper, for the build's check ---- */

static void server(void)
{
	int s = -1;
	long long ret;
	struct sockaddr_storage addr, peer;
	socklen_t addrlen, peerlen = sizeof peer, optlen;
	static char buf[64];
	char *data;
	int optval = 0;
	struct linger lg;
	int sv[2] = { -1, -1 };

	step("socket(AF_INET, SOCK_STREAM, 0)");
	ret = s = socket(AF_INET, SOCK_STREAM, 0);
	done(ret);
	check(1, ret == 3, "3", 0);
	turn();
	addrlen = family_of(s) == AF_INET6 ? ip_addr(&addr, AF_INET6, "::1", 7000)
		: ip_addr(&addr, AF_INET, "127.0.0.1", 7000);
	call("bind(%d, %s)", s, addr_text(&addr, addrlen));
	ret = bind(s, (struct sockaddr *)&addr, addrlen);
	done(ret);
	share_addr("server.s", s);
	addrlen = shared_addr("server.s", &addr);
	addrlen = unix_addr(&addr, "sockplay", 1);
	step("accept(%d)", s);
	ret = accept(s, (struct sockaddr *)&peer, &peerlen);
	done_addr(ret, "peer", &peer, peerlen);
	step("getsockname(%d)", s);
	addrlen = sizeof addr;
	ret = getsockname(s, (struct sockaddr *)&addr, &addrlen);
	done_name(ret, &addr, addrlen);
	step("socketpair(AF_UNIX, SOCK_STREAM, 0)");
	ret = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	done_fds(ret, sv);
	step("recv(%d, 64)", s);
	ret = recv(s, buf, sizeof buf, 0);
	done_data(ret, buf, NULL, 0);
	check(2, same(buf, ret, "xy", 2, 3), "6 \"xy\" * 3", 1);
	data = repeat("xy", 2, 3);
	step("send(%d, \"xyxyxy\", 6)", s);
	ret = send(s, data, 6, 0);
	done(ret);
	free(data);
	step("getsockopt(%d, SO_RCVBUF)", s);
	optlen = sizeof optval;
	ret = getsockopt(s, SOL_SOCKET, SO_RCVBUF, &optval, &optlen);
	done_value(ret, optval);
	step("getsockopt(%d, SO_ERROR)", s);
	ret = getsockopt(s, SOL_SOCKET, SO_ERROR, &optval, &optlen);
	done_error(ret, optval);
	step("getsockopt(%d, SO_LINGER)", s);
	memset(&lg, 0, sizeof lg);
	optlen = sizeof lg;
	ret = getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &optlen);
	done_linger(ret, &lg);
	step("ioctl(%d, FIONREAD)", s);
	ret = ioctl(s, FIONREAD, &optval);
	done_value(ret, optval);
	check(3, ret == 0 && optval == 0, "0 (value 0)", 2);
	step("recv(%d, 3, MSG_TRUNC)", s);
	ret = recv(s, buf, 3, MSG_TRUNC);
	done_trunc(ret, buf, 3, NULL, 0);
	step("poll(%d POLLIN)", s);
	{
		struct pollfd pfd[] = { { s, POLLIN, 0 } };
		ret = poll(pfd, 1, 0);
		done_poll(ret, pfd, 1, (const char *const[]){ "s" });
	}
	check_ready(3, ret == 0 && ready_is(""), "0 ()");
	step("select(r: %d, w: %d, 0)", s, s);
	{
		fd_set rset, wset;
		struct timeval tv = { 0, 0 };
		const int sel[] = { s, s };
		FD_ZERO(&rset);
		FD_ZERO(&wset);
		FD_SET(s, &rset);
		FD_SET(s, &wset);
		ret = select(nfds_of(sel, 2), &rset, &wset, NULL, &tv);
		done_select(ret, &rset, &wset, sel, "rw", (const char *const[]){ "s", "s" }, 2);
	}
}
/*@ script_begin */
/* ==== The script: whose turn it is, step by step ======================== */

static void script(void)
{
/*@ end */
/*@ = script */
	title("runtime.c");
	say("every helper once");
#if RT_EXPECT
	run(server, 1, MAKES, "s");
	expect(server, "s", TCP_LISTEN, 2);
#else
	run(server, 1);
#endif
	sleep_ms(1);
/*@ script_end */
}

/*@ end */
/*@ head */
/* ==== How the sides take turns (you may skip this part) ================== */
/*
 * Each side runs in a process of its own. The parent gives it a turn (one
 * byte on a pipe); the side says which call it makes, makes it and reports
 * the result (lines on another pipe); the parent prints them. A call that
 * has not returned after BLOCK_AFTER_MS is shown <blocked>: it goes on
 * waiting in the kernel while the script goes on, and its result is printed
 * right after the step that released it.
 */

/*@ end */
/*@ = tables */
static const char script_file[] = "runtime.sp";
#define NACTORS 1
static void (*const actors[NACTORS])(void) = { server };
static const char *const actor_names[NACTORS] = { "server" };
static const char *const shared_names[] = { "server.s" };
static const char *const errno_names[] = { [EAGAIN] = "EAGAIN", [EINTR] = "EINTR" };
#if RT_EXPECT
#define MAX_SOCKETS 1
static const char *const state_names[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
	"FIN_WAIT2", "TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };
#endif
/*@ core */
#define BLOCK_AFTER_MS 100   /* a call asleep in the kernel longer is shown <blocked> */
#define RELEASE_WAIT_MS 1000 /* how long a call released by a step may take to report */
#define TIMEOUT_MS 5000      /* how long a blocked side may hold up the script */

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000LL + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char *errno_name(int err)
{
	int n = (int)(sizeof errno_names / sizeof errno_names[0]);
	return err > 0 && err < n && errno_names[err] ? errno_names[err] : "E?";
}

/*@ end */
/*@ escape */
/* Bytes as text: printable ASCII as is, the rest escaped (\n, \x1b). */
static size_t escape(const void *data, size_t len, size_t maxshow, char *out, size_t size)
{
	const unsigned char *p = data;
	size_t o = 0, show = len < maxshow ? len : maxshow;
	for (size_t i = 0; i < show; i++) {
		char tmp[5];
		unsigned char c = p[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c",
				 c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c);
		else if (c >= 0x20 && c < 0x7f)
			snprintf(tmp, sizeof tmp, "%c", c);
		else
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		size_t tl = strlen(tmp);
		if (o + tl + 4 >= size) {
			show = i;
			break;
		}
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	if (show < len && o + 3 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return o;
}

/*@ end */
/*@ addr_text */
/* An address as sockplay shows it: 127.0.0.1:8888, [::1]:8888, *:8888, /path, @name. */
static const char *addr_text(const struct sockaddr_storage *ss, socklen_t len)
{
	static char text[2][300];
	static int k;
	char *out = text[k++ % 2], host[INET6_ADDRSTRLEN], esc[256];
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (len == 0)
		return "-";
	if (ss->ss_family == AF_INET && in->sin_addr.s_addr == htonl(INADDR_ANY))
		snprintf(out, sizeof text[0], "*:%u", ntohs(in->sin_port));
	else if (ss->ss_family == AF_INET)
		snprintf(out, sizeof text[0], "%s:%u",
			 inet_ntop(AF_INET, &in->sin_addr, host, sizeof host), ntohs(in->sin_port));
	else if (ss->ss_family == AF_INET6)
		snprintf(out, sizeof text[0], "[%s]:%u",
			 inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host), ntohs(in6->sin6_port));
	else if (ss->ss_family == AF_UNSPEC)
		snprintf(out, sizeof text[0], "AF_UNSPEC");
	else if (ss->ss_family == AF_UNIX && len <= off)
		snprintf(out, sizeof text[0], "(unnamed)");
	else if (ss->ss_family == AF_UNIX && un->sun_path[0] == 0) {
		escape(un->sun_path + 1, len - off - 1, 100, esc, sizeof esc);
		snprintf(out, sizeof text[0], "@%s", esc);
	} else if (ss->ss_family == AF_UNIX) {
		escape(un->sun_path, strnlen(un->sun_path, len - off), 100, esc, sizeof esc);
		snprintf(out, sizeof text[0], "%s", esc);
	} else
		return "-";
	return out;
}

/*@ end */
/*@ ip_addr */
/* An IPv4 or IPv6 address and port, ready for bind(), connect() or sendto(). */
static socklen_t ip_addr(struct sockaddr_storage *ss, int family, const char *host, int port)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, host, &in6->sin6_addr);
		return sizeof *in6;
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, host, &in->sin_addr);
	return sizeof *in;
}

/*@ end */
/*@ unix_addr */
/* A Unix domain address: a file name, or (ABSTRACT) a name in no file system. */
static socklen_t unix_addr(struct sockaddr_storage *ss, const char *path, int abstract)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	size_t n = strlen(path), max = sizeof un->sun_path - 1;
	memset(ss, 0, sizeof *ss);
	un->sun_family = AF_UNIX;
	if (n > max)
		n = max;
	memcpy(un->sun_path + (abstract ? 1 : 0), path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/*@ end */
/*@ family_of */
/* The address family of socket FD (AF_INET, AF_INET6 ...), -1 if it is not open. */
static int family_of(int fd)
{
	int family = -1;
	socklen_t len = sizeof family;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)
		return -1;
	return family;
}

/*@ end */
/*@ repeat */
/* UNIT repeated COUNT times ("x" * 100000 in the script); free() it after. */
static char *repeat(const char *unit, size_t len, size_t count)
{
	char *p = malloc(len * count + 1);
	if (!p) {
		perror("malloc");
		exit(1);
	}
	for (size_t i = 0; i < count; i++)
		memcpy(p + i * len, unit, len);
	return p;
}

/*@ end */
/*@ same */
/* Whether the N bytes of BUF are UNIT repeated COUNT times. */
static int same(const char *buf, long long n, const char *unit, size_t len, size_t count)
{
	if (n < 0 || (size_t)n != len * count)
		return 0;
	for (size_t i = 0; i < count; i++)
		if (memcmp(buf + i * len, unit, len) != 0)
			return 0;
	return 1;
}

/*@ end */
/*@ actor */
/* ---- in a side's process ---- */

static int turn_fd = -1, report_fd = -1; /* our ends of the pipes to the parent */
static volatile sig_atomic_t interrupted; /* the parent interrupted our blocked call */
static char call_text[1024];             /* the call being made */
static char result[1024];                /* " = 14 ..." once it returned, not yet sent */
static long long last_ret;
static int last_err;
static const char *last_data;            /* what recv() received */
static int fail_line;                    /* the script's expectation did not hold */
static char fail_msg[1200];

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void send_line(const char *line)
{
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "%s\n", line);
	if (n >= (int)sizeof buf) {
		n = (int)sizeof buf;
		buf[n - 1] = '\n';
	}
	if (write(report_fd, buf, (size_t)n) != n)
		_exit(1);
}

/* Send the parent the last call's result (and whether its expectation failed). */
static void send_result(void)
{
	char line[4096];
	if (!result[0])
		return;
	snprintf(line, sizeof line, "done\t%lld\t%d\t%d\t%s\t%s", last_ret, last_err, fail_line,
		 result, fail_msg);
	send_line(line);
	result[0] = 0;
	fail_line = 0;
	fail_msg[0] = 0;
}

/* Wait until the script gets to our next step. */
static void turn(void)
{
	char c;
	ssize_t n;
	send_result();
	while ((n = read(turn_fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(0); /* the parent is gone */
	interrupted = 0;
}

/* Say which call we are about to make (the parent shows it if it blocks). */
static void vcall(const char *fmt, va_list ap)
{
	char line[2048];
	vsnprintf(call_text, sizeof call_text, fmt, ap);
	snprintf(line, sizeof line, "call\t%s", call_text);
	send_line(line);
}

/*@ end */
/*@ call */
static void call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void call(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcall(fmt, ap);
	va_end(ap);
}

/*@ end */
/*@ step */
/* Wait for our turn, then say which call we make. */
static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void step(const char *fmt, ...)
{
	va_list ap;
	turn();
	va_start(ap, fmt);
	vcall(fmt, ap);
	va_end(ap);
}

/*@ end */
/*@ keep_result */
/* The call returned RET (and set errno if RET is -1): keep " = RET (NOTE)". */
static void keep_result(long long ret, int err, const char *note)
{
	if (ret < 0)
		snprintf(result, sizeof result, " = -1 %s (%s)", errno_name(err), strerror(err));
	else if (note && note[0])
		snprintf(result, sizeof result, " = %lld (%s)", ret, note);
	else
		snprintf(result, sizeof result, " = %lld", ret);
	last_ret = ret;
	last_err = ret < 0 ? err : 0;
	last_data = NULL;
}

/*@ end */
/*@ done */
/* The call returned RET (and set errno if RET is -1): keep " = RET" or " = -1 ENAME (text)". */
static void done(long long ret)
{
	int err = errno;
	keep_result(ret, err, NULL);
	errno = err;
}

/*@ end */
/*@ done_addr */
/* accept() and recvfrom() tell who the peer is: " = 4 (peer 127.0.0.1:40000)". */
static void done_addr(long long ret, const char *what, const struct sockaddr_storage *ss,
		      socklen_t len)
{
	int err = errno;
	char note[300] = "";
	if (ret >= 0 && len > 0)
		snprintf(note, sizeof note, "%s %s", what, addr_text(ss, len));
	keep_result(ret, err, note);
	errno = err;
}

/*@ end */
/*@ done_name */
/* getsockname() tells the socket's own address: " = 0 (127.0.0.1:8888)". */
static void done_name(long long ret, const struct sockaddr_storage *ss, socklen_t len)
{
	int err = errno;
	keep_result(ret, err, ret >= 0 && len > 0 ? addr_text(ss, len) : NULL);
	errno = err;
}

/*@ end */
/*@ done_fds */
/* socketpair() made two sockets: " = 0 (fds 3, 4)". */
static void done_fds(long long ret, const int sv[2])
{
	int err = errno;
	char note[64];
	snprintf(note, sizeof note, "fds %d, %d", sv[0], sv[1]);
	keep_result(ret, err, note);
	errno = err;
}

/*@ end */
/*@ done_data */
/* recv() and recvfrom(): what came, escaped: " = 14 \"Hello, client!\"". */
static void done_data(long long ret, const char *buf, const struct sockaddr_storage *from,
		      socklen_t fromlen)
{
	int err = errno;
	char esc[64 * 4 + 8], note[300] = "";
	size_t n = ret > 0 ? (size_t)ret : 0;
	escape(buf, n, 64, esc, sizeof esc);
	keep_result(ret, err, NULL);
	if (ret > 0) {
		size_t len = strlen(result), el = strlen(esc);
		if (n > 64 && el >= 3 && strcmp(esc + el - 3, "...") == 0) {
			esc[el - 3] = 0;
			snprintf(result + len, sizeof result - len, " \"%s\"...", esc);
		} else {
			snprintf(result + len, sizeof result - len, " \"%s\"", esc);
		}
	}
	if (ret >= 0 && from && fromlen > 0) {
		size_t len = strlen(result);
		snprintf(note, sizeof note, " (from %s)", addr_text(from, fromlen));
		snprintf(result + len, sizeof result - len, "%s", note);
	}
	last_data = buf;
	errno = err;
}

/*@ end */
/*@ done_value */
/* getsockopt(): the value read, " = 0 (value 1)". */
static void done_value(long long ret, int value)
{
	int err = errno;
	char note[64];
	snprintf(note, sizeof note, "value %d", value);
	keep_result(ret, err, note);
	errno = err;
}

/*@ end */
/*@ done_error */
/* getsockopt(SO_ERROR): the pending error by name, " = 0 (value ECONNREFUSED)". */
static void done_error(long long ret, int value)
{
	int err = errno;
	char note[64];
	if (value)
		snprintf(note, sizeof note, "value %s", errno_name(value));
	else
		snprintf(note, sizeof note, "value 0");
	keep_result(ret, err, note);
	errno = err;
}

/*@ end */
/*@ done_trunc */
/* recv(MSG_TRUNC) on a datagram socket: the datagram's length, of which BUF holds LEN bytes. */
static void done_trunc(long long ret, const char *buf, size_t len, const struct sockaddr_storage *from,
		       socklen_t fromlen)
{
	int err = errno;
	char esc[64 * 4 + 8];
	size_t n = ret > 0 ? ((unsigned long long)ret < len ? (size_t)ret : len) : 0, el;
	escape(buf, n, 64, esc, sizeof esc);
	keep_result(ret, err, NULL);
	if (ret > 0) {
		size_t rl = strlen(result);
		int cut = (el = strlen(esc)) >= 3 && n > 64 && strcmp(esc + el - 3, "...") == 0;
		if (cut)
			esc[el - 3] = 0;
		snprintf(result + rl, sizeof result - rl, " \"%s\"%s", esc, cut || (size_t)ret > n ? "..." : "");
	}
	if (ret >= 0 && from && fromlen > 0) {
		size_t rl = strlen(result);
		snprintf(result + rl, sizeof result - rl, " (from %s)", addr_text(from, fromlen));
	}
	last_data = buf;
	errno = err;
}

/*@ end */
/*@ done_linger */
/* getsockopt(SO_LINGER): " = 0 (value on, 5 s)". */
static void done_linger(long long ret, const struct linger *lg)
{
	int err = errno;
	char note[64];
	snprintf(note, sizeof note, "value %s, %d s", lg->l_onoff ? "on" : "off", lg->l_linger);
	keep_result(ret, err, note);
	errno = err;
}

/*@ end */
/*@ check */
/*
 * The script's expectation ("= 0", "= -1 ECONNREFUSED", "= 14 \"...\"") on the
 * call that just returned: OK says whether it held, WANT is how the script
 * wrote it. DATA: the received bytes are part of it.
 */
static void check(int line, int ok, const char *want, int data)
{
	char got[256];
	if (ok)
		return;
	fail_line = line;
	if (interrupted && last_ret == -1 && last_err == EINTR) {
		snprintf(fail_msg, sizeof fail_msg, "%s was still blocked and was interrupted",
			 call_text);
		return;
	}
	if (last_ret < 0)
		snprintf(got, sizeof got, "-1 %s", errno_name(last_err));
	else
		snprintf(got, sizeof got, "%lld", last_ret);
	if ((data & 2) && last_ret >= 0) /* "(value X)": what the call noted is part of it */
		snprintf(got, sizeof got, "%.200s", result + 3);
	if ((data & 1) && last_ret >= 0) {
		char esc[200];
		size_t n = strlen(got);
		escape(last_data, last_data ? (size_t)last_ret : 0, 60, esc, sizeof esc);
		snprintf(got + n, sizeof got - n, " \"%s\"", esc);
	}
	snprintf(fail_msg, sizeof fail_msg, "expected %s, got %s", want, got);
}

/*@ end */
/*@ ready */
/* What poll() and select() found ready, as sockplay shows it ("a POLLIN, d POLLIN", "r: s, w: c"). */
static char ready_note[512];

static void ready_add(const char *item)
{
	size_t n = strlen(ready_note);
	snprintf(ready_note + n, sizeof ready_note - n, "%s%s", n ? ", " : "", item);
}

/*@ end */
/*@ ready_poll */
/* poll() returned RET: the sockets with events, each with its revents ("POLLIN|POLLOUT"). */
static void done_poll(long long ret, const struct pollfd *pfd, int n, const char *const *names)
{
	static const struct {
		int bit;
		const char *name;
	} events[] = {
		{ POLLIN, "POLLIN" },   { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" }, { POLLRDHUP, "POLLRDHUP" },
		{ POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
	};
	int err = errno;
	ready_note[0] = 0;
	for (int i = 0; ret > 0 && i < n; i++) {
		char item[256];
		size_t o;
		if (!pfd[i].revents)
			continue;
		o = (size_t)snprintf(item, sizeof item, "%s ", names[i]);
		for (size_t k = 0; k < sizeof events / sizeof events[0]; k++)
			if ((pfd[i].revents & events[k].bit) && o < sizeof item)
				o += (size_t)snprintf(item + o, sizeof item - o, "%s%s",
						      item[o - 1] == ' ' ? "" : "|", events[k].name);
		ready_add(item);
	}
	keep_result(ret, err, ready_note);
	errno = err;
}

/*@ end */
/*@ ready_select */
/* select()'s first argument: the highest descriptor watched, plus one. */
static int nfds_of(const int *fds, int n)
{
	int max = -1;
	for (int i = 0; i < n; i++)
		if (fds[i] > max)
			max = fds[i];
	return max + 1;
}

/* select() returned RET: the sockets left in each set ('r' or 'w' in SETS), "r: s, w: c". */
static void done_select(long long ret, const fd_set *r, const fd_set *w, const int *fds, const char *sets,
			const char *const *names, int n)
{
	int err = errno;
	ready_note[0] = 0;
	for (int k = 0; ret > 0 && k < 2; k++) {
		char item[256] = "";
		size_t o = 0;
		for (int i = 0; i < n; i++)
			if (sets[i] == "rw"[k] && fds[i] >= 0 && fds[i] < FD_SETSIZE && FD_ISSET(fds[i], k ? w : r) &&
			    o < sizeof item)
				o += (size_t)snprintf(item + o, sizeof item - o, "%s%s", o ? " " : k ? "w: " : "r: ",
						      names[i]);
		if (o)
			ready_add(item);
	}
	keep_result(ret, err, ready_note);
	errno = err;
}

/*@ end */
/*@ ready_check */
/* The items of a list: "a POLLIN" each, or "r:s" for each socket of a set. */
static int ready_items(const char *list, char items[][64], int max)
{
	int n = 0;
	while (*list && n < max) {
		size_t len = strcspn(list, ",");
		char part[256], *tok, *save = NULL;
		snprintf(part, sizeof part, "%.*s", (int)len, list);
		if ((part[0] == 'r' || part[0] == 'w') && part[1] == ':') {
			for (tok = strtok_r(part + 2, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
				snprintf(items[n++], 64, "%c:%.61s", part[0], tok);
		} else {
			snprintf(items[n++], 64, "%.63s", part);
		}
		list += len;
		while (*list == ',' || *list == ' ')
			list++;
	}
	return n;
}

/* Whether the sockets found ready are those of WANT, in any order. */
static int ready_is(const char *want)
{
	char a[32][64], b[32][64];
	int na = ready_items(want, a, 32), nb = ready_items(ready_note, b, 32);
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++) {
		int found = 0;
		for (int j = 0; j < nb && !found; j++)
			found = strcmp(a[i], b[j]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* The script's "= N ( ... )" on a poll() or select() that just returned. */
static void check_ready(int line, int ok, const char *want)
{
	char got[600];
	if (ok)
		return;
	fail_line = line;
	if (interrupted && last_ret == -1 && last_err == EINTR) {
		snprintf(fail_msg, sizeof fail_msg, "%s was still blocked and was interrupted", call_text);
		return;
	}
	if (last_ret < 0)
		snprintf(got, sizeof got, "-1 %s", errno_name(last_err));
	else
		snprintf(got, sizeof got, "%lld (%s)", last_ret, ready_note);
	snprintf(fail_msg, sizeof fail_msg, "expected %s, got %s", want, got);
}

/*@ end */
/*@ shared */
/*
 * Where the sockets that another side names (server.addr(s)) are bound: a
 * table in memory that all the processes share. The owner writes it after
 * each call on the socket; the others read it when their turn comes.
 */
static struct shared_addr {
	struct sockaddr_storage addr;
	socklen_t len;
} *shared;

static int shared_slot(const char *name)
{
	int n = (int)(sizeof shared_names / sizeof shared_names[0]);
	for (int i = 0; i < n; i++)
		if (strcmp(shared_names[i], name) == 0)
			return i;
	return 0;
}

static void share_addr(const char *name, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		shared[shared_slot(name)].addr = ss;
		shared[shared_slot(name)].len = len;
	}
}

static socklen_t shared_addr(const char *name, struct sockaddr_storage *ss)
{
	*ss = shared[shared_slot(name)].addr;
	return shared[shared_slot(name)].len;
}

/*@ end */
/*@ parent */
/* ---- in the parent ---- */

static struct side {
	pid_t pid;
	int turn, reports;  /* our ends of its pipes */
	int busy;           /* it has a call that has not returned yet */
	int blocked;        /* ... shown as <blocked> */
	int interrupted;    /* ... which we interrupted */
	int line;           /* the call's line in the script */
	int what;           /* the call MAKES or CLOSES a socket, or 0 */
	const char *name;   /* ... this one */
	char call[2048];    /* the call's text */
	struct timespec since;
} sides[NACTORS];
static int failures;

/* Read one line from FD, waiting at most MS for it (-1: no limit): 1, 0 timed out, -1 EOF. */
static int read_line(int fd, char *buf, size_t size, long long ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	int r;
	while ((r = poll(&pf, 1, ms < 0 ? -1 : (int)ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	for (;;) { /* the whole line is there: it was written at once */
		char c;
		ssize_t got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = 0;
	return 1;
}

static void end_script(int aborted) __attribute__((noreturn));

static void script_error(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void script_error(int line, const char *fmt, ...)
{
	va_list ap;
	printf("%s:%d: error: ", script_file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
	end_script(1);
}

static void wait_side(int i);

static int side_index(void (*side)(void))
{
	int i = 0;
	while (i + 1 < NACTORS && actors[i] != side)
		i++;
	return i;
}

/*@ end */
#if RT_EXPECT
/*@ track */
/*
 * expect ACTOR NAME STATE asks the kernel for the socket's TCP state, as
 * `ss` or `netstat` would: from its tables in /proc/net. A socket is found
 * by its inode; when the kernel has handed its connection over to an entry
 * of its own (TIME_WAIT, or FIN_WAIT2 after close()), which has no inode, by
 * the addresses it was last listed under: the parent notes them before
 * every step.
 */
#define EXPECT_WAIT_MS 1000 /* how long the kernel may take to get there */

static struct tracked {
	int side;
	const char *name;
	unsigned long inode;
	int open;
	int file;                   /* which /proc/net table it was last listed in, */
	char local[80], remote[80]; /* and under which addresses */
} tracked[MAX_SOCKETS];
static int ntracked;

static struct tracked *tracked_socket(int side, const char *name, int add)
{
	for (int i = 0; i < ntracked; i++)
		if (tracked[i].side == side && strcmp(tracked[i].name, name) == 0)
			return &tracked[i];
	if (!add || ntracked == MAX_SOCKETS)
		return NULL;
	tracked[ntracked].side = side;
	tracked[ntracked].name = name;
	return &tracked[ntracked++];
}

/* After a call returned: a socket made, or one closed. */
static void track(int side, int what, const char *name, long long ret)
{
	char path[64], link[64];
	struct tracked *t;
	if (what == MAKES && ret >= 0 && (t = tracked_socket(side, name, 1)) != NULL) {
		/* its inode, from the side's descriptor table: "socket:[12345]" */
		snprintf(path, sizeof path, "/proc/%d/fd/%lld", (int)sides[side].pid, ret);
		ssize_t n = readlink(path, link, sizeof link - 1);
		link[n > 0 ? n : 0] = 0;
		t->inode = strtoul(link + strcspn(link, "0123456789"), NULL, 10);
		t->open = 1;
		t->file = -1;
	} else if (what == CLOSES && ret == 0 && (t = tracked_socket(side, name, 0)) != NULL) {
		t->open = 0;
	}
}

static const char *const net_files[] = { "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp",
					 "/proc/net/udp6", "/proc/net/unix" };

/* Socket T's state in the kernel's tables (TCP_CLOSE if the kernel has forgotten it). */
static int kernel_state(struct tracked *t)
{
	int by_addr = -1;
	for (int f = 0; f < 5; f++) {
		FILE *fp = fopen(net_files[f], "r");
		char row[512], local[80] = "", remote[80] = "";
		unsigned flags, type, st;
		unsigned long inode;
		if (!fp)
			continue;
		if (!fgets(row, sizeof row, fp)) /* the header */
			row[0] = 0;
		while (fgets(row, sizeof row, fp)) {
			int state;
			if (f == 4) { /* unix: Num RefCount Protocol Flags Type St Inode Path */
				if (sscanf(row, "%*s %*s %*s %x %x %x %lu", &flags, &type, &st,
					   &inode) != 4)
					continue;
				state = flags & 0x10000 ? TCP_LISTEN
					: st == 3 /* connected */ ? TCP_ESTABLISHED : TCP_CLOSE;
			} else { /* sl local_address rem_address st ... inode */
				if (sscanf(row, "%*s %79s %79s %x %*s %*s %*s %*s %*s %lu", local,
					   remote, &st, &inode) != 4)
					continue;
				state = (int)st;
			}
			if (t->open && inode == t->inode) {
				if (f < 4) { /* note where it is listed */
					t->file = f;
					snprintf(t->local, sizeof t->local, "%s", local);
					snprintf(t->remote, sizeof t->remote, "%s", remote);
				}
				fclose(fp);
				return state;
			}
			if (inode == 0 && f == t->file && strcmp(local, t->local) == 0 &&
			    strcmp(remote, t->remote) == 0)
				by_addr = state;
		}
		fclose(fp);
	}
	return by_addr >= 0 ? by_addr : TCP_CLOSE;
}

/* Before a step: note where the kernel lists the sockets we will ask about. */
static void remember_rows(void)
{
	for (int i = 0; i < ntracked; i++)
		if (tracked[i].open)
			kernel_state(&tracked[i]);
}

/* expect ACTOR NAME STATE */
static void expect(void (*side)(void), const char *name, int want, int line)
{
	int i = side_index(side), state;
	struct timespec t0;
	if (sides[i].busy && sides[i].what == MAKES && strcmp(sides[i].name, name) == 0)
		wait_side(i); /* the call that makes it has not returned yet */
	struct tracked *t = tracked_socket(i, name, 0);
	if (!t)
		script_error(line, "%s has no socket '%s' yet", actor_names[i], name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((state = kernel_state(t)) != want && ms_since(&t0) < EXPECT_WAIT_MS) {
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	}
	printf("[%s] state(%s) = %s\n", actor_names[i], name, state_names[state]);
	if (state != want) {
		printf("%s:%d: expectation failed: expected %s, got %s (%s %s)\n", script_file, line,
		       state_names[want], state_names[state], actor_names[i], name);
		failures++;
	}
}

/*@ end */
#endif
/*@ wait */
/* Wait at most MS for side I's result, and print it: 1 printed, 0 not yet. */
static int wait_result(int i, long long ms)
{
	struct side *a = &sides[i];
	char line[4096], *f[6];
	int r = read_line(a->reports, line, sizeof line, ms);
	if (r == 0)
		return 0;
	if (r < 0 || strncmp(line, "done\t", 5) != 0) {
		a->busy = 0;
		script_error(a->line, "actor %s died during %s", actor_names[i], a->call);
	}
	/* "done", the return value, errno, the line of a failed expectation, the result, the message */
	f[0] = line;
	for (int k = 1; k < 6; k++) {
		f[k] = strchr(f[k - 1], '\t');
		if (f[k])
			*f[k]++ = 0;
		else
			f[k] = "";
	}
	/* a call that returned its own result despite the signal was not interrupted */
	a->interrupted = a->interrupted && atoll(f[1]) == -1 && atoi(f[2]) == EINTR;
	printf("[%s] %s%s%s\n", actor_names[i], a->call,
	       a->interrupted ? " <interrupted>" : a->blocked ? " <resumed>" : "", f[4]);
	if (atoi(f[3]) > 0) {
		printf("%s:%s: expectation failed: %s\n", script_file, f[3], f[5]);
		failures++;
	}
	a->busy = a->blocked = a->interrupted = 0;
/*@ end */
#if RT_EXPECT
/*@ wait_track */
	track(i, a->what, a->name, atoll(f[1]));
/*@ end */
#endif
/*@ wait_end */
	return 1;
}

/* Whether side I is on a CPU or about to be (or briefly in D, a page fault while it
 * copies): its call is making progress. A call that waits sleeps in S. */
static int running(int i)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)sides[i].pid);
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(stat, 1, sizeof stat - 1, fp) : 0;
	if (fp)
		fclose(fp);
	stat[n] = 0;
	char *p = strrchr(stat, ')'); /* "PID (NAME) STATE ..." */
	return p && p[1] == ' ' && (p[2] == 'R' || p[2] == 'D');
}

/*
 * After a step: the result of side I's blocked call if the step released it.
 * The side is waited for unless it is still asleep in its call.
 */
static void settle_one(int i)
{
	struct timespec t0;
	/* a send woken by room for more may go back to sleep: do not wait long for it */
	long long limit = strncmp(sides[i].call, "send", 4) == 0 ? 20 : RELEASE_WAIT_MS;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sides[i].busy && wait_result(i, 0) == 0 && ms_since(&t0) < limit) {
		if (!running(i) && wait_result(i, 0) == 0)
			return; /* asleep, and nothing reported: still blocked */
		wait_result(i, 1);
	}
}

/* After a step: the results it released, side by side. */
static void settle(int except)
{
	for (int i = 0; i < NACTORS; i++)
		if (i != except && sides[i].busy)
			settle_one(i);
}

/* Side I's next call is due: if it is still blocked in its last one, wait, up to TIMEOUT_MS. */
static void wait_side(int i)
{
	struct side *a = &sides[i];
	if (a->busy && wait_result(i, TIMEOUT_MS - ms_since(&a->since)) == 0) {
		printf("%s:%d: %s is stuck: %s still blocked after %.1f s\n", script_file, a->line,
		       actor_names[i], a->call, ms_since(&a->since) / 1000.0);
		failures++;
		end_script(1);
	}
}

/* Give side I its turn for the script's line LINE; print the call's result, or <blocked>. */
static void give_turn(int i, int line)
{
	struct side *a = &sides[i];
	a->busy = 1;
	a->line = line;
	clock_gettime(CLOCK_MONOTONIC, &a->since);
	if (write(a->turn, "", 1) != 1 || read_line(a->reports, a->call, sizeof a->call, -1) != 1 ||
	    strncmp(a->call, "call\t", 5) != 0) {
		a->busy = 0;
		script_error(line, "actor %s is gone", actor_names[i]);
	}
	memmove(a->call, a->call + 5, strlen(a->call + 5) + 1);
	int done = wait_result(i, BLOCK_AFTER_MS);
	/* slow is not blocked: a call still on a CPU (copying a megabyte) is waited for */
	while (!done && running(i) && ms_since(&a->since) < TIMEOUT_MS)
		done = wait_result(i, 20);
	if (!done) {
		a->blocked = 1;
		printf("[%s] %s <blocked>\n", actor_names[i], a->call);
	}
	settle(i);
}

/*@ end */
#if RT_EXPECT
/*@ run_track */
/* Let SIDE make its next call, the script's line LINE; it MAKES or CLOSES socket NAME (or 0). */
static void run(void (*side)(void), int line, int what, const char *name)
{
	int i = side_index(side);
	wait_side(i);
	remember_rows();
	sides[i].what = what;
	sides[i].name = name;
	give_turn(i, line);
}

/*@ end */
#else
/*@ run */
/* Let SIDE make its next call, the script's line LINE. */
static void run(void (*side)(void), int line)
{
	int i = side_index(side);
	wait_side(i);
	give_turn(i, line);
}

/*@ end */
#endif
/*@ title */
static void title(const char *text)
{
	for (const char *e; (e = strchr(text, '\n')); text = e + 1) /* each line keeps its mark */
		printf("## %.*s\n", (int)(e - text), text);
	printf("## %s\n", text);
}

/*@ end */
/*@ say */
static void say(const char *text)
{
	for (const char *e; (e = strchr(text, '\n')); text = e + 1) /* each line keeps its mark */
		printf("# %.*s\n", (int)(e - text), text);
	printf("# %s\n", text);
}

/*@ end */
/*@ sleep */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	settle(-1);
}

/*@ end */
/*@ main */
/* The end of the script: interrupt the calls still blocked, stop the sides. */
static void end_script(int aborted)
{
	settle(-1);
	for (int i = 0; i < NACTORS; i++) {
		struct side *a = &sides[i];
		if (a->busy)
			settle_one(i); /* it may have returned already: that is a result */
		if (!a->busy)
			continue;
		a->interrupted = 1;
		/* again and again: a signal that comes just before the call is lost */
		for (int tries = 0; a->busy && tries < 40; tries++) {
			kill(a->pid, SIGUSR1);
			wait_result(i, 50);
		}
		if (a->busy) {
			printf("%s:%d: error: %s did not return after being interrupted\n",
			       script_file, a->line, a->call);
			failures++;
		}
	}
	for (int i = 0; i < NACTORS; i++) {
		close(sides[i].turn); /* a side reads the end of its pipe and exits */
		if (sides[i].busy)
			kill(sides[i].pid, SIGKILL);
	}
	for (int i = 0; i < NACTORS; i++)
		waitpid(sides[i].pid, NULL, 0);
	fflush(stdout);
	exit(failures || aborted ? 1 : 0);
}

/* Start side I: a process whose sockets start at 3, as in any fresh program. */
static void start(int i)
{
	int go[2], back[2];
	if (pipe(go) < 0 || pipe(back) < 0) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	sides[i].pid = fork();
	if (sides[i].pid < 0) {
		perror("fork");
		exit(1);
	}
	if (sides[i].pid > 0) {
		close(go[0]);
		close(back[1]);
		sides[i].turn = go[1];
		sides[i].reports = back[0];
		return;
	}
	/* the side: keep its pipes out of the way, at the highest numbers */
	struct rlimit rl;
	int top = 1023;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= 1024)
		top = (int)rl.rlim_cur - 1;
	turn_fd = dup2(go[0], top - 1);
	report_fd = dup2(back[1], top);
	close_range(3, (unsigned)top - 2, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* die with the parent */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt; /* no SA_RESTART: a blocked call returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	actors[i]();
	send_result();
	char c; /* keep our sockets open until the script ends */
	ssize_t n;
	while ((n = read(turn_fd, &c, 1)) > 0 || (n < 0 && errno == EINTR))
		;
	_exit(0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN); /* a write to a closed connection fails with EPIPE instead */
/*@ end */
/*@ main_shared */
	shared = mmap(NULL, sizeof shared_names / sizeof shared_names[0] * sizeof *shared,
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
/*@ end */
/*@ main_end */
	for (int i = 0; i < NACTORS; i++)
		start(i);
	script();
	end_script(0);
}
/*@ end */
