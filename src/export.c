/*
 * export.c -- a script as a standalone C or Python program that makes the
 * same calls in the same order and prints the same transcript lines as
 * `sockplay --batch` (ports the kernel picks aside).
 *
 * The program, in either language, reads top-down:
 *   1. a short list of the helpers the sides call (step, done, check ...);
 *   2. one function per side: that side's calls in the script's order, each
 *      with its explanation (explain.h) and the same line in the other
 *      language as a comment, repeat blocks as loops;
 *   3. script(): whose turn it is, step by step, and title/say/expect/sleep;
 *   4. the machinery, copied from the chunks below as the script needs them
 *      (C with -Wall -Wextra -Werror refuses unused helpers).
 *
 * How it runs: each side is a process forked at the start, with its pipes
 * moved to the highest descriptors, so that its first socket is fd 3 as in
 * sockplay. The parent gives a side its turn (a byte on a pipe); the side
 * reports "call\tTEXT" before the call and "done\tRET\tERRNO\tLINE\tRESULT\t
 * MESSAGE" after it (LINE: an expectation failed there). The rules are
 * sockplay's (session.c): a call that has not returned after 100 ms and is
 * not on a CPU (/proc/PID/stat) is printed <blocked>; after each step every
 * blocked side is waited for (up to 1 s, 20 ms for a send) unless it is
 * still asleep with nothing reported, so a resumed call is printed right
 * after the step that released it; a side whose next step is due waits up
 * to 5 s, then the script stops as stuck; at the end, blocked calls are
 * interrupted with SIGUSR1 (no SA_RESTART) and only a real EINTR is shown
 * <interrupted>.
 *
 * expect ACTOR NAME STATE reads the kernel's tables in /proc/net, where
 * `netstat` looks (sock_diag would be too much for a student's program): a
 * socket is found by its inode (from /proc/PID/fd/N when it is made), and
 * once the kernel has handed its connection to a TIME_WAIT or orphaned
 * entry, which has no inode, by the addresses it was listed under before
 * the step (the parent notes them before every step, for the sockets an
 * expect asks about). addr(s) is getsockname() in place; another side's
 * server.addr(s) goes through a table in shared memory that the owner
 * updates after each call on that socket.
 *
 * Known differences: sockplay matches a socket by SO_COOKIE, so it knows a
 * socket that an expect asks about even when its number was reused; Python
 * raises EBADF on a closed socket object where C (and sockplay) pass the old
 * number to the kernel; expect on an AF_UNIX socket tells LISTEN,
 * ESTABLISHED (connected) or CLOSED only, from /proc/net/unix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/export.h"
#include "sockplay/transcript.h"
#include "sockplay/text.h"

/* ---- the runtime that every exported program carries (C) ---- */

static const char *const c_head[] = {
	"/* ==== How the sides take turns (you may skip this part) ================== */",
	"/*",
	" * Each side runs in a process of its own. The parent gives it a turn (one",
	" * byte on a pipe); the side says which call it makes, makes it and reports",
	" * the result (lines on another pipe); the parent prints them. A call that",
	" * has not returned after BLOCK_AFTER_MS is shown <blocked>: it goes on",
	" * waiting in the kernel while the script goes on, and its result is printed",
	" * right after the step that released it.",
	" */",
	NULL,
};

static const char *const c_core[] = {
	"#define BLOCK_AFTER_MS 100   /* a call asleep in the kernel longer is shown <blocked> */",
	"#define RELEASE_WAIT_MS 1000 /* how long a call released by a step may take to report */",
	"#define TIMEOUT_MS 5000      /* how long a blocked side may hold up the script */",
	"",
	"static long long ms_since(const struct timespec *t0)",
	"{",
	"\tstruct timespec now;",
	"\tclock_gettime(CLOCK_MONOTONIC, &now);",
	"\treturn (now.tv_sec - t0->tv_sec) * 1000LL + (now.tv_nsec - t0->tv_nsec) / 1000000;",
	"}",
	"",
	"static const char *errno_name(int err)",
	"{",
	"\tint n = (int)(sizeof errno_names / sizeof errno_names[0]);",
	"\treturn err > 0 && err < n && errno_names[err] ? errno_names[err] : \"E?\";",
	"}",
	NULL,
};

static const char *const c_escape[] = {
	"/* Bytes as text: printable ASCII as is, the rest escaped (\\n, \\x1b). */",
	"static size_t escape(const void *data, size_t len, size_t maxshow, char *out, size_t size)",
	"{",
	"\tconst unsigned char *p = data;",
	"\tsize_t o = 0, show = len < maxshow ? len : maxshow;",
	"\tfor (size_t i = 0; i < show; i++) {",
	"\t\tchar tmp[5];",
	"\t\tunsigned char c = p[i];",
	"\t\tif (c == '\\n' || c == '\\r' || c == '\\t' || c == '\"' || c == '\\\\')",
	"\t\t\tsnprintf(tmp, sizeof tmp, \"\\\\%c\",",
	"\t\t\t\t c == '\\n' ? 'n' : c == '\\r' ? 'r' : c == '\\t' ? 't' : c);",
	"\t\telse if (c >= 0x20 && c < 0x7f)",
	"\t\t\tsnprintf(tmp, sizeof tmp, \"%c\", c);",
	"\t\telse",
	"\t\t\tsnprintf(tmp, sizeof tmp, \"\\\\x%02x\", c);",
	"\t\tsize_t tl = strlen(tmp);",
	"\t\tif (o + tl + 4 >= size) {",
	"\t\t\tshow = i;",
	"\t\t\tbreak;",
	"\t\t}",
	"\t\tmemcpy(out + o, tmp, tl);",
	"\t\to += tl;",
	"\t}",
	"\tif (show < len && o + 3 < size) {",
	"\t\tmemcpy(out + o, \"...\", 3);",
	"\t\to += 3;",
	"\t}",
	"\tout[o] = 0;",
	"\treturn o;",
	"}",
	NULL,
};

static const char *const c_addr_text[] = {
	"/* An address as sockplay shows it: 127.0.0.1:8888, [::1]:8888, *:8888, /path, @name. */",
	"static const char *addr_text(const struct sockaddr_storage *ss, socklen_t len)",
	"{",
	"\tstatic char text[2][300];",
	"\tstatic int k;",
	"\tchar *out = text[k++ % 2], host[INET6_ADDRSTRLEN], esc[256];",
	"\tconst struct sockaddr_in *in = (const struct sockaddr_in *)ss;",
	"\tconst struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;",
	"\tconst struct sockaddr_un *un = (const struct sockaddr_un *)ss;",
	"\tsize_t off = offsetof(struct sockaddr_un, sun_path);",
	"",
	"\tif (len == 0)",
	"\t\treturn \"-\";",
	"\tif (ss->ss_family == AF_INET && in->sin_addr.s_addr == htonl(INADDR_ANY))",
	"\t\tsnprintf(out, sizeof text[0], \"*:%u\", ntohs(in->sin_port));",
	"\telse if (ss->ss_family == AF_INET)",
	"\t\tsnprintf(out, sizeof text[0], \"%s:%u\",",
	"\t\t\t inet_ntop(AF_INET, &in->sin_addr, host, sizeof host), ntohs(in->sin_port));",
	"\telse if (ss->ss_family == AF_INET6)",
	"\t\tsnprintf(out, sizeof text[0], \"[%s]:%u\",",
	"\t\t\t inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host), ntohs(in6->sin6_port));",
	"\telse if (ss->ss_family == AF_UNIX && len <= off)",
	"\t\tsnprintf(out, sizeof text[0], \"(unnamed)\");",
	"\telse if (ss->ss_family == AF_UNIX && un->sun_path[0] == 0) {",
	"\t\tescape(un->sun_path + 1, len - off - 1, 100, esc, sizeof esc);",
	"\t\tsnprintf(out, sizeof text[0], \"@%s\", esc);",
	"\t} else if (ss->ss_family == AF_UNIX) {",
	"\t\tescape(un->sun_path, strnlen(un->sun_path, len - off), 100, esc, sizeof esc);",
	"\t\tsnprintf(out, sizeof text[0], \"%s\", esc);",
	"\t} else",
	"\t\treturn \"-\";",
	"\treturn out;",
	"}",
	NULL,
};

static const char *const c_ip_addr[] = {
	"/* An IPv4 or IPv6 address and port, ready for bind(), connect() or sendto(). */",
	"static socklen_t ip_addr(struct sockaddr_storage *ss, int family, const char *host, int port)",
	"{",
	"\tmemset(ss, 0, sizeof *ss);",
	"\tif (family == AF_INET6) {",
	"\t\tstruct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;",
	"\t\tin6->sin6_family = AF_INET6;",
	"\t\tin6->sin6_port = htons(port);",
	"\t\tinet_pton(AF_INET6, host, &in6->sin6_addr);",
	"\t\treturn sizeof *in6;",
	"\t}",
	"\tstruct sockaddr_in *in = (struct sockaddr_in *)ss;",
	"\tin->sin_family = AF_INET;",
	"\tin->sin_port = htons(port);",
	"\tinet_pton(AF_INET, host, &in->sin_addr);",
	"\treturn sizeof *in;",
	"}",
	NULL,
};

static const char *const c_unix_addr[] = {
	"/* A Unix domain address: a file name, or (ABSTRACT) a name in no file system. */",
	"static socklen_t unix_addr(struct sockaddr_storage *ss, const char *path, int abstract)",
	"{",
	"\tstruct sockaddr_un *un = (struct sockaddr_un *)ss;",
	"\tsize_t n = strlen(path), max = sizeof un->sun_path - 1;",
	"\tmemset(ss, 0, sizeof *ss);",
	"\tun->sun_family = AF_UNIX;",
	"\tif (n > max)",
	"\t\tn = max;",
	"\tmemcpy(un->sun_path + (abstract ? 1 : 0), path, n);",
	"\treturn (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);",
	"}",
	NULL,
};

static const char *const c_family_of[] = {
	"/* The address family of socket FD (AF_INET, AF_INET6 ...), -1 if it is not open. */",
	"static int family_of(int fd)",
	"{",
	"\tint family = -1;",
	"\tsocklen_t len = sizeof family;",
	"\tif (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)",
	"\t\treturn -1;",
	"\treturn family;",
	"}",
	NULL,
};

static const char *const c_repeat[] = {
	"/* UNIT repeated COUNT times (\"x\" * 100000 in the script); free() it after. */",
	"static char *repeat(const char *unit, size_t len, size_t count)",
	"{",
	"\tchar *p = malloc(len * count + 1);",
	"\tif (!p) {",
	"\t\tperror(\"malloc\");",
	"\t\texit(1);",
	"\t}",
	"\tfor (size_t i = 0; i < count; i++)",
	"\t\tmemcpy(p + i * len, unit, len);",
	"\treturn p;",
	"}",
	NULL,
};

static const char *const c_same[] = {
	"/* Whether the N bytes of BUF are UNIT repeated COUNT times. */",
	"static int same(const char *buf, long long n, const char *unit, size_t len, size_t count)",
	"{",
	"\tif (n < 0 || (size_t)n != len * count)",
	"\t\treturn 0;",
	"\tfor (size_t i = 0; i < count; i++)",
	"\t\tif (memcmp(buf + i * len, unit, len) != 0)",
	"\t\t\treturn 0;",
	"\treturn 1;",
	"}",
	NULL,
};

static const char *const c_actor[] = {
	"/* ---- in a side's process ---- */",
	"",
	"static int turn_fd = -1, report_fd = -1; /* our ends of the pipes to the parent */",
	"static volatile sig_atomic_t interrupted; /* the parent interrupted our blocked call */",
	"static char call_text[1024];             /* the call being made */",
	"static char result[1024];                /* \" = 14 ...\" once it returned, not yet sent */",
	"static long long last_ret;",
	"static int last_err;",
	"static const char *last_data;            /* what recv() received */",
	"static int fail_line;                    /* the script's expectation did not hold */",
	"static char fail_msg[1200];",
	"",
	"static void on_interrupt(int sig)",
	"{",
	"\t(void)sig;",
	"\tinterrupted = 1;",
	"}",
	"",
	"static void send_line(const char *line)",
	"{",
	"\tchar buf[4096];",
	"\tint n = snprintf(buf, sizeof buf, \"%s\\n\", line);",
	"\tif (n >= (int)sizeof buf) {",
	"\t\tn = (int)sizeof buf;",
	"\t\tbuf[n - 1] = '\\n';",
	"\t}",
	"\tif (write(report_fd, buf, (size_t)n) != n)",
	"\t\t_exit(1);",
	"}",
	"",
	"/* Send the parent the last call's result (and whether its expectation failed). */",
	"static void send_result(void)",
	"{",
	"\tchar line[4096];",
	"\tif (!result[0])",
	"\t\treturn;",
	"\tsnprintf(line, sizeof line, \"done\\t%lld\\t%d\\t%d\\t%s\\t%s\", last_ret, last_err, fail_line,",
	"\t\t result, fail_msg);",
	"\tsend_line(line);",
	"\tresult[0] = 0;",
	"\tfail_line = 0;",
	"\tfail_msg[0] = 0;",
	"}",
	"",
	"/* Wait until the script gets to our next step. */",
	"static void turn(void)",
	"{",
	"\tchar c;",
	"\tssize_t n;",
	"\tsend_result();",
	"\twhile ((n = read(turn_fd, &c, 1)) < 0 && errno == EINTR)",
	"\t\t;",
	"\tif (n != 1)",
	"\t\t_exit(0); /* the parent is gone */",
	"\tinterrupted = 0;",
	"}",
	"",
	"/* Say which call we are about to make (the parent shows it if it blocks). */",
	"static void vcall(const char *fmt, va_list ap)",
	"{",
	"\tchar line[2048];",
	"\tvsnprintf(call_text, sizeof call_text, fmt, ap);",
	"\tsnprintf(line, sizeof line, \"call\\t%s\", call_text);",
	"\tsend_line(line);",
	"}",
	NULL,
};

static const char *const c_call[] = {
	"static void call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));",
	"static void call(const char *fmt, ...)",
	"{",
	"\tva_list ap;",
	"\tva_start(ap, fmt);",
	"\tvcall(fmt, ap);",
	"\tva_end(ap);",
	"}",
	NULL,
};

static const char *const c_step[] = {
	"/* Wait for our turn, then say which call we make. */",
	"static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));",
	"static void step(const char *fmt, ...)",
	"{",
	"\tva_list ap;",
	"\tturn();",
	"\tva_start(ap, fmt);",
	"\tvcall(fmt, ap);",
	"\tva_end(ap);",
	"}",
	NULL,
};

static const char *const c_keep_result[] = {
	"/* The call returned RET (and set errno if RET is -1): keep \" = RET (NOTE)\". */",
	"static void keep_result(long long ret, int err, const char *note)",
	"{",
	"\tif (ret < 0)",
	"\t\tsnprintf(result, sizeof result, \" = -1 %s (%s)\", errno_name(err), strerror(err));",
	"\telse if (note && note[0])",
	"\t\tsnprintf(result, sizeof result, \" = %lld (%s)\", ret, note);",
	"\telse",
	"\t\tsnprintf(result, sizeof result, \" = %lld\", ret);",
	"\tlast_ret = ret;",
	"\tlast_err = ret < 0 ? err : 0;",
	"\tlast_data = NULL;",
	"}",
	NULL,
};

static const char *const c_done[] = {
	"/* The call returned RET (and set errno if RET is -1): keep \" = RET\" or \" = -1 ENAME (text)\". */",
	"static void done(long long ret)",
	"{",
	"\tint err = errno;",
	"\tkeep_result(ret, err, NULL);",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_done_addr[] = {
	"/* accept() and recvfrom() tell who the peer is: \" = 4 (peer 127.0.0.1:40000)\". */",
	"static void done_addr(long long ret, const char *what, const struct sockaddr_storage *ss,",
	"\t\t      socklen_t len)",
	"{",
	"\tint err = errno;",
	"\tchar note[300] = \"\";",
	"\tif (ret >= 0 && len > 0)",
	"\t\tsnprintf(note, sizeof note, \"%s %s\", what, addr_text(ss, len));",
	"\tkeep_result(ret, err, note);",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_done_data[] = {
	"/* recv() and recvfrom(): what came, escaped: \" = 14 \\\"Hello, client!\\\"\". */",
	"static void done_data(long long ret, const char *buf, const struct sockaddr_storage *from,",
	"\t\t      socklen_t fromlen)",
	"{",
	"\tint err = errno;",
	"\tchar esc[64 * 4 + 8], note[300] = \"\";",
	"\tsize_t n = ret > 0 ? (size_t)ret : 0;",
	"\tescape(buf, n, 64, esc, sizeof esc);",
	"\tkeep_result(ret, err, NULL);",
	"\tif (ret > 0) {",
	"\t\tsize_t len = strlen(result), el = strlen(esc);",
	"\t\tif (n > 64 && el >= 3 && strcmp(esc + el - 3, \"...\") == 0) {",
	"\t\t\tesc[el - 3] = 0;",
	"\t\t\tsnprintf(result + len, sizeof result - len, \" \\\"%s\\\"...\", esc);",
	"\t\t} else {",
	"\t\t\tsnprintf(result + len, sizeof result - len, \" \\\"%s\\\"\", esc);",
	"\t\t}",
	"\t}",
	"\tif (ret >= 0 && from && fromlen > 0) {",
	"\t\tsize_t len = strlen(result);",
	"\t\tsnprintf(note, sizeof note, \" (from %s)\", addr_text(from, fromlen));",
	"\t\tsnprintf(result + len, sizeof result - len, \"%s\", note);",
	"\t}",
	"\tlast_data = buf;",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_done_value[] = {
	"/* getsockopt(): the value read, \" = 0 (value 1)\". */",
	"static void done_value(long long ret, int value)",
	"{",
	"\tint err = errno;",
	"\tchar note[64];",
	"\tsnprintf(note, sizeof note, \"value %d\", value);",
	"\tkeep_result(ret, err, note);",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_done_error[] = {
	"/* getsockopt(SO_ERROR): the pending error by name, \" = 0 (value ECONNREFUSED)\". */",
	"static void done_error(long long ret, int value)",
	"{",
	"\tint err = errno;",
	"\tchar note[64];",
	"\tif (value)",
	"\t\tsnprintf(note, sizeof note, \"value %s\", errno_name(value));",
	"\telse",
	"\t\tsnprintf(note, sizeof note, \"value 0\");",
	"\tkeep_result(ret, err, note);",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_done_linger[] = {
	"/* getsockopt(SO_LINGER): \" = 0 (value on, 5 s)\". */",
	"static void done_linger(long long ret, const struct linger *lg)",
	"{",
	"\tint err = errno;",
	"\tchar note[64];",
	"\tsnprintf(note, sizeof note, \"value %s, %d s\", lg->l_onoff ? \"on\" : \"off\", lg->l_linger);",
	"\tkeep_result(ret, err, note);",
	"\terrno = err;",
	"}",
	NULL,
};

static const char *const c_check[] = {
	"/*",
	" * The script's expectation (\"= 0\", \"= -1 ECONNREFUSED\", \"= 14 \\\"...\\\"\") on the",
	" * call that just returned: OK says whether it held, WANT is how the script",
	" * wrote it. DATA: the received bytes are part of it.",
	" */",
	"static void check(int line, int ok, const char *want, int data)",
	"{",
	"\tchar got[256];",
	"\tif (ok)",
	"\t\treturn;",
	"\tfail_line = line;",
	"\tif (interrupted && last_ret == -1 && last_err == EINTR) {",
	"\t\tsnprintf(fail_msg, sizeof fail_msg, \"%s was still blocked and was interrupted\",",
	"\t\t\t call_text);",
	"\t\treturn;",
	"\t}",
	"\tif (last_ret < 0)",
	"\t\tsnprintf(got, sizeof got, \"-1 %s\", errno_name(last_err));",
	"\telse",
	"\t\tsnprintf(got, sizeof got, \"%lld\", last_ret);",
	"\tif (data && last_ret >= 0) {",
	"\t\tchar esc[200];",
	"\t\tsize_t n = strlen(got);",
	"\t\tescape(last_data, last_data ? (size_t)last_ret : 0, 60, esc, sizeof esc);",
	"\t\tsnprintf(got + n, sizeof got - n, \" \\\"%s\\\"\", esc);",
	"\t}",
	"\tsnprintf(fail_msg, sizeof fail_msg, \"expected %s, got %s\", want, got);",
	"}",
	NULL,
};

static const char *const c_shared[] = {
	"/*",
	" * Where the sockets that another side names (server.addr(s)) are bound: a",
	" * table in memory that all the processes share. The owner writes it after",
	" * each call on the socket; the others read it when their turn comes.",
	" */",
	"static struct shared_addr {",
	"\tstruct sockaddr_storage addr;",
	"\tsocklen_t len;",
	"} *shared;",
	"",
	"static int shared_slot(const char *name)",
	"{",
	"\tint n = (int)(sizeof shared_names / sizeof shared_names[0]);",
	"\tfor (int i = 0; i < n; i++)",
	"\t\tif (strcmp(shared_names[i], name) == 0)",
	"\t\t\treturn i;",
	"\treturn 0;",
	"}",
	"",
	"static void share_addr(const char *name, int fd)",
	"{",
	"\tstruct sockaddr_storage ss;",
	"\tsocklen_t len = sizeof ss;",
	"\tif (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {",
	"\t\tshared[shared_slot(name)].addr = ss;",
	"\t\tshared[shared_slot(name)].len = len;",
	"\t}",
	"}",
	"",
	"static socklen_t shared_addr(const char *name, struct sockaddr_storage *ss)",
	"{",
	"\t*ss = shared[shared_slot(name)].addr;",
	"\treturn shared[shared_slot(name)].len;",
	"}",
	NULL,
};

static const char *const c_track[] = {
	"/*",
	" * expect ACTOR NAME STATE asks the kernel for the socket's TCP state, as",
	" * `ss` or `netstat` would: from its tables in /proc/net. A socket is found",
	" * by its inode; when the kernel has handed its connection over to an entry",
	" * of its own (TIME_WAIT, or FIN_WAIT2 after close()), which has no inode, by",
	" * the addresses it was last listed under: the parent notes them before",
	" * every step.",
	" */",
	"#define EXPECT_WAIT_MS 1000 /* how long the kernel may take to get there */",
	"",
	"static struct tracked {",
	"\tint side;",
	"\tconst char *name;",
	"\tunsigned long inode;",
	"\tint open;",
	"\tint file;                   /* which /proc/net table it was last listed in, */",
	"\tchar local[80], remote[80]; /* and under which addresses */",
	"} tracked[MAX_SOCKETS];",
	"static int ntracked;",
	"",
	"static struct tracked *tracked_socket(int side, const char *name, int add)",
	"{",
	"\tfor (int i = 0; i < ntracked; i++)",
	"\t\tif (tracked[i].side == side && strcmp(tracked[i].name, name) == 0)",
	"\t\t\treturn &tracked[i];",
	"\tif (!add || ntracked == MAX_SOCKETS)",
	"\t\treturn NULL;",
	"\ttracked[ntracked].side = side;",
	"\ttracked[ntracked].name = name;",
	"\treturn &tracked[ntracked++];",
	"}",
	"",
	"/* After a call returned: a socket made, or one closed. */",
	"static void track(int side, int what, const char *name, long long ret)",
	"{",
	"\tchar path[64], link[64];",
	"\tstruct tracked *t;",
	"\tif (what == MAKES && ret >= 0 && (t = tracked_socket(side, name, 1)) != NULL) {",
	"\t\t/* its inode, from the side's descriptor table: \"socket:[12345]\" */",
	"\t\tsnprintf(path, sizeof path, \"/proc/%d/fd/%lld\", (int)sides[side].pid, ret);",
	"\t\tssize_t n = readlink(path, link, sizeof link - 1);",
	"\t\tlink[n > 0 ? n : 0] = 0;",
	"\t\tt->inode = strtoul(link + strcspn(link, \"0123456789\"), NULL, 10);",
	"\t\tt->open = 1;",
	"\t\tt->file = -1;",
	"\t} else if (what == CLOSES && ret == 0 && (t = tracked_socket(side, name, 0)) != NULL) {",
	"\t\tt->open = 0;",
	"\t}",
	"}",
	"",
	"static const char *const net_files[] = { \"/proc/net/tcp\", \"/proc/net/tcp6\", \"/proc/net/udp\",",
	"\t\t\t\t\t \"/proc/net/udp6\", \"/proc/net/unix\" };",
	"",
	"/* Socket T's state in the kernel's tables (TCP_CLOSE if the kernel has forgotten it). */",
	"static int kernel_state(struct tracked *t)",
	"{",
	"\tint by_addr = -1;",
	"\tfor (int f = 0; f < 5; f++) {",
	"\t\tFILE *fp = fopen(net_files[f], \"r\");",
	"\t\tchar row[512], local[80] = \"\", remote[80] = \"\";",
	"\t\tunsigned flags, type, st;",
	"\t\tunsigned long inode;",
	"\t\tif (!fp)",
	"\t\t\tcontinue;",
	"\t\tif (!fgets(row, sizeof row, fp)) /* the header */",
	"\t\t\trow[0] = 0;",
	"\t\twhile (fgets(row, sizeof row, fp)) {",
	"\t\t\tint state;",
	"\t\t\tif (f == 4) { /* unix: Num RefCount Protocol Flags Type St Inode Path */",
	"\t\t\t\tif (sscanf(row, \"%*s %*s %*s %x %x %x %lu\", &flags, &type, &st,",
	"\t\t\t\t\t   &inode) != 4)",
	"\t\t\t\t\tcontinue;",
	"\t\t\t\tstate = flags & 0x10000 ? TCP_LISTEN",
	"\t\t\t\t\t: st == 3 /* connected */ ? TCP_ESTABLISHED : TCP_CLOSE;",
	"\t\t\t} else { /* sl local_address rem_address st ... inode */",
	"\t\t\t\tif (sscanf(row, \"%*s %79s %79s %x %*s %*s %*s %*s %*s %lu\", local,",
	"\t\t\t\t\t   remote, &st, &inode) != 4)",
	"\t\t\t\t\tcontinue;",
	"\t\t\t\tstate = (int)st;",
	"\t\t\t}",
	"\t\t\tif (t->open && inode == t->inode) {",
	"\t\t\t\tif (f < 4) { /* note where it is listed */",
	"\t\t\t\t\tt->file = f;",
	"\t\t\t\t\tsnprintf(t->local, sizeof t->local, \"%s\", local);",
	"\t\t\t\t\tsnprintf(t->remote, sizeof t->remote, \"%s\", remote);",
	"\t\t\t\t}",
	"\t\t\t\tfclose(fp);",
	"\t\t\t\treturn state;",
	"\t\t\t}",
	"\t\t\tif (inode == 0 && f == t->file && strcmp(local, t->local) == 0 &&",
	"\t\t\t    strcmp(remote, t->remote) == 0)",
	"\t\t\t\tby_addr = state;",
	"\t\t}",
	"\t\tfclose(fp);",
	"\t}",
	"\treturn by_addr >= 0 ? by_addr : TCP_CLOSE;",
	"}",
	"",
	"/* Before a step: note where the kernel lists the sockets we will ask about. */",
	"static void remember_rows(void)",
	"{",
	"\tfor (int i = 0; i < ntracked; i++)",
	"\t\tif (tracked[i].open)",
	"\t\t\tkernel_state(&tracked[i]);",
	"}",
	"",
	"/* expect ACTOR NAME STATE */",
	"static void expect(void (*side)(void), const char *name, int want, int line)",
	"{",
	"\tint i = side_index(side), state;",
	"\tstruct timespec t0;",
	"\tif (sides[i].busy && sides[i].what == MAKES && strcmp(sides[i].name, name) == 0)",
	"\t\twait_side(i); /* the call that makes it has not returned yet */",
	"\tstruct tracked *t = tracked_socket(i, name, 0);",
	"\tif (!t)",
	"\t\tscript_error(line, \"%s has no socket '%s' yet\", actor_names[i], name);",
	"\tclock_gettime(CLOCK_MONOTONIC, &t0);",
	"\twhile ((state = kernel_state(t)) != want && ms_since(&t0) < EXPECT_WAIT_MS) {",
	"\t\tstruct timespec ts = { 0, 10 * 1000000 };",
	"\t\tnanosleep(&ts, NULL);",
	"\t}",
	"\tprintf(\"[%s] state(%s) = %s\\n\", actor_names[i], name, state_names[state]);",
	"\tif (state != want) {",
	"\t\tprintf(\"%s:%d: expectation failed: expected %s, got %s (%s %s)\\n\", script_file, line,",
	"\t\t       state_names[want], state_names[state], actor_names[i], name);",
	"\t\tfailures++;",
	"\t}",
	"}",
	NULL,
};

static const char *const c_parent[] = {
	"/* ---- in the parent ---- */",
	"",
	"static struct side {",
	"\tpid_t pid;",
	"\tint turn, reports;  /* our ends of its pipes */",
	"\tint busy;           /* it has a call that has not returned yet */",
	"\tint blocked;        /* ... shown as <blocked> */",
	"\tint interrupted;    /* ... which we interrupted */",
	"\tint line;           /* the call's line in the script */",
	"\tint what;           /* the call MAKES or CLOSES a socket, or 0 */",
	"\tconst char *name;   /* ... this one */",
	"\tchar call[2048];    /* the call's text */",
	"\tstruct timespec since;",
	"} sides[NACTORS];",
	"static int failures;",
	"",
	"/* Read one line from FD, waiting at most MS for it (-1: no limit): 1, 0 timed out, -1 EOF. */",
	"static int read_line(int fd, char *buf, size_t size, long long ms)",
	"{",
	"\tstruct pollfd pf = { .fd = fd, .events = POLLIN };",
	"\tsize_t n = 0;",
	"\tint r;",
	"\twhile ((r = poll(&pf, 1, ms < 0 ? -1 : (int)ms)) < 0 && errno == EINTR)",
	"\t\t;",
	"\tif (r == 0)",
	"\t\treturn 0;",
	"\tfor (;;) { /* the whole line is there: it was written at once */",
	"\t\tchar c;",
	"\t\tssize_t got = read(fd, &c, 1);",
	"\t\tif (got < 0 && errno == EINTR)",
	"\t\t\tcontinue;",
	"\t\tif (got <= 0)",
	"\t\t\treturn -1;",
	"\t\tif (c == '\\n')",
	"\t\t\tbreak;",
	"\t\tif (n + 1 < size)",
	"\t\t\tbuf[n++] = c;",
	"\t}",
	"\tbuf[n] = 0;",
	"\treturn 1;",
	"}",
	"",
	"static void end_script(int aborted) __attribute__((noreturn));",
	"",
	"static void script_error(int line, const char *fmt, ...)",
	"\t__attribute__((format(printf, 2, 3), noreturn));",
	"static void script_error(int line, const char *fmt, ...)",
	"{",
	"\tva_list ap;",
	"\tprintf(\"%s:%d: error: \", script_file, line);",
	"\tva_start(ap, fmt);",
	"\tvprintf(fmt, ap);",
	"\tva_end(ap);",
	"\tprintf(\"\\n\");",
	"\tfailures++;",
	"\tend_script(1);",
	"}",
	"",
	"static void wait_side(int i);",
	"",
	"static int side_index(void (*side)(void))",
	"{",
	"\tint i = 0;",
	"\twhile (i + 1 < NACTORS && actors[i] != side)",
	"\t\ti++;",
	"\treturn i;",
	"}",
	NULL,
};

static const char *const c_wait[] = {
	"/* Wait at most MS for side I's result, and print it: 1 printed, 0 not yet. */",
	"static int wait_result(int i, long long ms)",
	"{",
	"\tstruct side *a = &sides[i];",
	"\tchar line[4096], *f[6];",
	"\tint r = read_line(a->reports, line, sizeof line, ms);",
	"\tif (r == 0)",
	"\t\treturn 0;",
	"\tif (r < 0 || strncmp(line, \"done\\t\", 5) != 0) {",
	"\t\ta->busy = 0;",
	"\t\tscript_error(a->line, \"actor %s died during %s\", actor_names[i], a->call);",
	"\t}",
	"\t/* \"done\", the return value, errno, the line of a failed expectation, the result, the message */",
	"\tf[0] = line;",
	"\tfor (int k = 1; k < 6; k++) {",
	"\t\tf[k] = strchr(f[k - 1], '\\t');",
	"\t\tif (f[k])",
	"\t\t\t*f[k]++ = 0;",
	"\t\telse",
	"\t\t\tf[k] = \"\";",
	"\t}",
	"\t/* a call that returned its own result despite the signal was not interrupted */",
	"\ta->interrupted = a->interrupted && atoll(f[1]) == -1 && atoi(f[2]) == EINTR;",
	"\tprintf(\"[%s] %s%s%s\\n\", actor_names[i], a->call,",
	"\t       a->interrupted ? \" <interrupted>\" : a->blocked ? \" <resumed>\" : \"\", f[4]);",
	"\tif (atoi(f[3]) > 0) {",
	"\t\tprintf(\"%s:%s: expectation failed: %s\\n\", script_file, f[3], f[5]);",
	"\t\tfailures++;",
	"\t}",
	"\ta->busy = a->blocked = a->interrupted = 0;",
	NULL,
};

static const char *const c_wait_track[] = {
	"\ttrack(i, a->what, a->name, atoll(f[1]));",
	NULL,
};

static const char *const c_wait_end[] = {
	"\treturn 1;",
	"}",
	"",
	"/* Whether side I is on a CPU or about to be (or briefly in D, a page fault while it",
	" * copies): its call is making progress. A call that waits sleeps in S. */",
	"static int running(int i)",
	"{",
	"\tchar path[64], stat[512];",
	"\tsnprintf(path, sizeof path, \"/proc/%d/stat\", (int)sides[i].pid);",
	"\tFILE *fp = fopen(path, \"r\");",
	"\tsize_t n = fp ? fread(stat, 1, sizeof stat - 1, fp) : 0;",
	"\tif (fp)",
	"\t\tfclose(fp);",
	"\tstat[n] = 0;",
	"\tchar *p = strrchr(stat, ')'); /* \"PID (NAME) STATE ...\" */",
	"\treturn p && p[1] == ' ' && (p[2] == 'R' || p[2] == 'D');",
	"}",
	"",
	"/*",
	" * After a step: the result of side I's blocked call if the step released it.",
	" * The side is waited for unless it is still asleep in its call.",
	" */",
	"static void settle_one(int i)",
	"{",
	"\tstruct timespec t0;",
	"\t/* a send woken by room for more may go back to sleep: do not wait long for it */",
	"\tlong long limit = strncmp(sides[i].call, \"send\", 4) == 0 ? 20 : RELEASE_WAIT_MS;",
	"\tclock_gettime(CLOCK_MONOTONIC, &t0);",
	"\twhile (sides[i].busy && wait_result(i, 0) == 0 && ms_since(&t0) < limit) {",
	"\t\tif (!running(i) && wait_result(i, 0) == 0)",
	"\t\t\treturn; /* asleep, and nothing reported: still blocked */",
	"\t\twait_result(i, 1);",
	"\t}",
	"}",
	"",
	"/* After a step: the results it released, side by side. */",
	"static void settle(int except)",
	"{",
	"\tfor (int i = 0; i < NACTORS; i++)",
	"\t\tif (i != except && sides[i].busy)",
	"\t\t\tsettle_one(i);",
	"}",
	"",
	"/* Side I's next call is due: if it is still blocked in its last one, wait, up to TIMEOUT_MS. */",
	"static void wait_side(int i)",
	"{",
	"\tstruct side *a = &sides[i];",
	"\tif (a->busy && wait_result(i, TIMEOUT_MS - ms_since(&a->since)) == 0) {",
	"\t\tprintf(\"%s:%d: %s is stuck: %s still blocked after %.1f s\\n\", script_file, a->line,",
	"\t\t       actor_names[i], a->call, ms_since(&a->since) / 1000.0);",
	"\t\tfailures++;",
	"\t\tend_script(1);",
	"\t}",
	"}",
	"",
	"/* Give side I its turn for the script's line LINE; print the call's result, or <blocked>. */",
	"static void give_turn(int i, int line)",
	"{",
	"\tstruct side *a = &sides[i];",
	"\ta->busy = 1;",
	"\ta->line = line;",
	"\tclock_gettime(CLOCK_MONOTONIC, &a->since);",
	"\tif (write(a->turn, \"\", 1) != 1 || read_line(a->reports, a->call, sizeof a->call, -1) != 1 ||",
	"\t    strncmp(a->call, \"call\\t\", 5) != 0) {",
	"\t\ta->busy = 0;",
	"\t\tscript_error(line, \"actor %s is gone\", actor_names[i]);",
	"\t}",
	"\tmemmove(a->call, a->call + 5, strlen(a->call + 5) + 1);",
	"\tint done = wait_result(i, BLOCK_AFTER_MS);",
	"\t/* slow is not blocked: a call still on a CPU (copying a megabyte) is waited for */",
	"\twhile (!done && running(i) && ms_since(&a->since) < TIMEOUT_MS)",
	"\t\tdone = wait_result(i, 20);",
	"\tif (!done) {",
	"\t\ta->blocked = 1;",
	"\t\tprintf(\"[%s] %s <blocked>\\n\", actor_names[i], a->call);",
	"\t}",
	"\tsettle(i);",
	"}",
	NULL,
};

static const char *const c_run[] = {
	"/* Let SIDE make its next call, the script's line LINE. */",
	"static void run(void (*side)(void), int line)",
	"{",
	"\tint i = side_index(side);",
	"\twait_side(i);",
	"\tgive_turn(i, line);",
	"}",
	NULL,
};

static const char *const c_run_track[] = {
	"/* Let SIDE make its next call, the script's line LINE; it MAKES or CLOSES socket NAME (or 0). */",
	"static void run(void (*side)(void), int line, int what, const char *name)",
	"{",
	"\tint i = side_index(side);",
	"\twait_side(i);",
	"\tremember_rows();",
	"\tsides[i].what = what;",
	"\tsides[i].name = name;",
	"\tgive_turn(i, line);",
	"}",
	NULL,
};

static const char *const c_title[] = {
	"static void title(const char *text)",
	"{",
	"\tfor (const char *e; (e = strchr(text, '\\n')); text = e + 1) /* each line keeps its mark */",
	"\t\tprintf(\"## %.*s\\n\", (int)(e - text), text);",
	"\tprintf(\"## %s\\n\", text);",
	"}",
	NULL,
};

static const char *const c_say[] = {
	"static void say(const char *text)",
	"{",
	"\tfor (const char *e; (e = strchr(text, '\\n')); text = e + 1) /* each line keeps its mark */",
	"\t\tprintf(\"# %.*s\\n\", (int)(e - text), text);",
	"\tprintf(\"# %s\\n\", text);",
	"}",
	NULL,
};

static const char *const c_sleep[] = {
	"static void sleep_ms(long ms)",
	"{",
	"\tstruct timespec ts = { ms / 1000, ms % 1000 * 1000000 };",
	"\twhile (nanosleep(&ts, &ts) < 0 && errno == EINTR)",
	"\t\t;",
	"\tsettle(-1);",
	"}",
	NULL,
};

static const char *const c_main[] = {
	"/* The end of the script: interrupt the calls still blocked, stop the sides. */",
	"static void end_script(int aborted)",
	"{",
	"\tsettle(-1);",
	"\tfor (int i = 0; i < NACTORS; i++) {",
	"\t\tstruct side *a = &sides[i];",
	"\t\tif (a->busy)",
	"\t\t\tsettle_one(i); /* it may have returned already: that is a result */",
	"\t\tif (!a->busy)",
	"\t\t\tcontinue;",
	"\t\ta->interrupted = 1;",
	"\t\t/* again and again: a signal that comes just before the call is lost */",
	"\t\tfor (int tries = 0; a->busy && tries < 40; tries++) {",
	"\t\t\tkill(a->pid, SIGUSR1);",
	"\t\t\twait_result(i, 50);",
	"\t\t}",
	"\t\tif (a->busy) {",
	"\t\t\tprintf(\"%s:%d: error: %s did not return after being interrupted\\n\",",
	"\t\t\t       script_file, a->line, a->call);",
	"\t\t\tfailures++;",
	"\t\t}",
	"\t}",
	"\tfor (int i = 0; i < NACTORS; i++) {",
	"\t\tclose(sides[i].turn); /* a side reads the end of its pipe and exits */",
	"\t\tif (sides[i].busy)",
	"\t\t\tkill(sides[i].pid, SIGKILL);",
	"\t}",
	"\tfor (int i = 0; i < NACTORS; i++)",
	"\t\twaitpid(sides[i].pid, NULL, 0);",
	"\tfflush(stdout);",
	"\texit(failures || aborted ? 1 : 0);",
	"}",
	"",
	"/* Start side I: a process whose sockets start at 3, as in any fresh program. */",
	"static void start(int i)",
	"{",
	"\tint go[2], back[2];",
	"\tif (pipe(go) < 0 || pipe(back) < 0) {",
	"\t\tperror(\"pipe\");",
	"\t\texit(1);",
	"\t}",
	"\tfflush(stdout);",
	"\tsides[i].pid = fork();",
	"\tif (sides[i].pid < 0) {",
	"\t\tperror(\"fork\");",
	"\t\texit(1);",
	"\t}",
	"\tif (sides[i].pid > 0) {",
	"\t\tclose(go[0]);",
	"\t\tclose(back[1]);",
	"\t\tsides[i].turn = go[1];",
	"\t\tsides[i].reports = back[0];",
	"\t\treturn;",
	"\t}",
	"\t/* the side: keep its pipes out of the way, at the highest numbers */",
	"\tstruct rlimit rl;",
	"\tint top = 1023;",
	"\tif (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&",
	"\t    rl.rlim_cur <= 1024)",
	"\t\ttop = (int)rl.rlim_cur - 1;",
	"\tturn_fd = dup2(go[0], top - 1);",
	"\treport_fd = dup2(back[1], top);",
	"\tclose_range(3, (unsigned)top - 2, 0);",
	"\tprctl(PR_SET_PDEATHSIG, SIGKILL); /* die with the parent */",
	"\tstruct sigaction sa;",
	"\tmemset(&sa, 0, sizeof sa);",
	"\tsa.sa_handler = on_interrupt; /* no SA_RESTART: a blocked call returns EINTR */",
	"\tsigaction(SIGUSR1, &sa, NULL);",
	"\tactors[i]();",
	"\tsend_result();",
	"\tchar c; /* keep our sockets open until the script ends */",
	"\tssize_t n;",
	"\twhile ((n = read(turn_fd, &c, 1)) > 0 || (n < 0 && errno == EINTR))",
	"\t\t;",
	"\t_exit(0);",
	"}",
	"",
	"int main(void)",
	"{",
	"\tsetvbuf(stdout, NULL, _IOLBF, 0);",
	"\tsignal(SIGPIPE, SIG_IGN); /* a write to a closed connection fails with EPIPE instead */",
	NULL,
};

static const char *const c_main_shared[] = {
	"\tshared = mmap(NULL, sizeof shared_names / sizeof shared_names[0] * sizeof *shared,",
	"\t\t      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);",
	"\tif (shared == MAP_FAILED) {",
	"\t\tperror(\"mmap\");",
	"\t\treturn 1;",
	"\t}",
	NULL,
};

static const char *const c_main_end[] = {
	"\tfor (int i = 0; i < NACTORS; i++)",
	"\t\tstart(i);",
	"\tscript();",
	"\tend_script(0);",
	"}",
	NULL,
};

/* ---- the runtime that every exported program carries (Python) ---- */

static const char *const py_head[] = {
	"# ==== How the sides take turns (you may skip this part) =====================",
	"#",
	"# Each side runs in a process of its own. The parent gives it a turn (one",
	"# byte on a pipe); the side says which call it makes, makes it and reports",
	"# the result (lines on another pipe); the parent prints them. A call that",
	"# has not returned after BLOCK_AFTER seconds is shown <blocked>: it goes on",
	"# waiting in the kernel while the script goes on, and its result is printed",
	"# right after the step that released it.",
	NULL,
};

static const char *const py_core[] = {
	"BLOCK_AFTER = 0.100    # a call asleep in the kernel longer is shown <blocked>",
	"RELEASE_WAIT = 1.0     # how long a call released by a step may take to report",
	"TIMEOUT = 5.0          # how long a blocked side may hold up the script",
	"",
	"",
	"def errno_name(err):",
	"    return ERRNO_NAMES.get(err, \"E?\")",
	"",
	"",
	"def escape(data, maxshow, size=1 << 30):",
	"    \"\"\"Bytes as text: printable ASCII as is, the rest escaped (\\\\n, \\\\x1b).\"\"\"",
	"    out = []",
	"    n = 0",
	"    shown = 0",
	"    for c in data[:maxshow]:",
	"        if c in b\"\\n\\r\\t\\\"\\\\\":",
	"            t = \"\\\\\" + {10: \"n\", 13: \"r\", 9: \"t\"}.get(c, chr(c))",
	"        elif 0x20 <= c < 0x7F:",
	"            t = chr(c)",
	"        else:",
	"            t = \"\\\\x%02x\" % c",
	"        if n + len(t) + 4 >= size:",
	"            break",
	"        out.append(t)",
	"        n += len(t)",
	"        shown += 1",
	"    if shown < len(data) and n + 3 < size:",
	"        out.append(\"...\")",
	"    return \"\".join(out)",
	NULL,
};

static const char *const py_show[] = {
	"def show(addr):",
	"    \"\"\"An address as sockplay shows it: 127.0.0.1:8888, [::1]:8888, *:8888, /path, @name.\"\"\"",
	"    if isinstance(addr, tuple):",
	"        host, port = addr[0], addr[1]",
	"        if \":\" in host:",
	"            return \"[%s]:%d\" % (host, port)",
	"        return \"*:%d\" % port if host == \"0.0.0.0\" else \"%s:%d\" % (host, port)",
	"    if isinstance(addr, bytes) and addr[:1] == b\"\\0\":",
	"        return \"@\" + escape(addr[1:], 100, 256)",
	"    if isinstance(addr, bytes):",
	"        addr = addr.split(b\"\\0\")[0].decode(\"utf-8\", \"surrogateescape\")",
	"    if not addr:",
	"        return \"(unnamed)\"",
	"    return escape(addr.encode(\"utf-8\", \"surrogateescape\"), 100, 256)",
	"",
	"",
	"def note(what, addr):",
	"    \"\"\"accept() and recvfrom() tell who the peer is: \"peer 127.0.0.1:40000\".\"\"\"",
	"    return None if addr is None else \"%s %s\" % (what, show(addr))",
	NULL,
};

static const char *const py_actor[] = {
	"# ---- in a side's process ----",
	"",
	"turn_fd = report_fd = -1  # our ends of the pipes to the parent",
	"interrupted = False       # the parent interrupted our blocked call",
	"in_call = False",
	"pending = None            # the last call's result, not yet sent",
	"last = None               # the last call's result, for check()",
	"sockets = []              # every socket we made: kept open until the script ends",
	"fds = {}                  # their descriptors, still known after close()",
	"",
	"",
	"def on_interrupt(sig, frame):",
	"    global interrupted",
	"    interrupted = True",
	"    if in_call:  # make the blocked call fail with EINTR, as in C",
	"        raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR))",
	"",
	"",
	"def send_line(line):",
	"    os.write(report_fd, (line + \"\\n\").encode(\"utf-8\", \"surrogateescape\")[:4096])",
	"",
	"",
	"def send_result():",
	"    \"\"\"Send the parent the last call's result (and whether its expectation failed).\"\"\"",
	"    global pending",
	"    if pending:",
	"        r = pending",
	"        send_line(\"done\\t%d\\t%d\\t%d\\t%s\\t%s\" % (r.ret, r.err, r.fail_line, r.text(), r.fail_msg))",
	"        pending = None",
	"",
	"",
	"def turn():",
	"    \"\"\"Wait until the script gets to our next step.\"\"\"",
	"    global interrupted",
	"    send_result()",
	"    if os.read(turn_fd, 1) != b\"\\0\":",
	"        os._exit(0)  # the parent is gone",
	"    interrupted = False",
	"",
	"",
	"class Result:",
	"    \"\"\"What a call did: the return value as in C (-1 and errno when it failed).\"\"\"",
	"",
	"    def __init__(self, text):",
	"        self.call, self.ret, self.err, self.data, self.note = text, 0, 0, None, None",
	"        self.fail_line, self.fail_msg = 0, \"\"",
	"",
	"    def __enter__(self):",
	"        global in_call",
	"        in_call = True",
	"        return self",
	"",
	"    def __exit__(self, kind, e, tb):",
	"        global in_call, pending, last",
	"        in_call = False",
	"        if e is not None and not isinstance(e, OSError):",
	"            return False",
	"        if e is not None:  # Python raises what C returns as -1 and errno",
	"            self.ret, self.err, self.data, self.note = -1, e.errno, None, None",
	"        pending = last = self",
	"        return True",
	"",
	"    def text(self):",
	"        if self.ret < 0:",
	"            return \" = -1 %s (%s)\" % (errno_name(self.err), os.strerror(self.err))",
	"        t = \" = %d\" % self.ret",
	"        if self.data is not None:  # recv(), recvfrom(): what came, escaped",
	"            esc = escape(self.data, 64, 64 * 4 + 8)",
	"            if len(self.data) > 64 and esc.endswith(\"...\"):",
	"                t += ' \"%s\"...' % esc[:-3]",
	"            elif self.ret > 0:",
	"                t += ' \"%s\"' % esc",
	"        if self.note:",
	"            t += \" (%s)\" % self.note",
	"        return t",
	"",
	"",
	"def call(text):",
	"    \"\"\"Say which call we are about to make (the parent shows it if it blocks).\"\"\"",
	"    send_line(\"call\\t\" + text)",
	"    return Result(text)",
	"",
	"",
	"def step(text):",
	"    \"\"\"Wait for our turn, then say which call we make.\"\"\"",
	"    turn()",
	"    return call(text)",
	"",
	"",
	"def keep(sock):",
	"    \"\"\"Keep SOCK open (as a C program keeps its descriptors) and remember its number.\"\"\"",
	"    sockets.append(sock)",
	"    fds[sock] = sock.fileno()",
	"    return sock",
	"",
	"",
	"def fd(sock):",
	"    \"\"\"The socket's descriptor, as C would print it (still its old number after close()).\"\"\"",
	"    return fds.get(sock, sock.fileno())",
	"",
	"",
	"def close(sock):",
	"    \"\"\"sock.close(), except that closing twice fails with EBADF, as close() does in C.\"\"\"",
	"    if sock.fileno() < 0:",
	"        raise OSError(errno.EBADF, os.strerror(errno.EBADF))",
	"    sock.close()",
	"",
	"",
	"def wait_for_end():",
	"    \"\"\"Keep our sockets open until the whole script has run.\"\"\"",
	"    send_result()",
	"    while os.read(turn_fd, 1):",
	"        pass",
	"    os._exit(0)",
	NULL,
};

static const char *const py_by_number[] = {
	"def by_number(n):",
	"    \"\"\"The socket with descriptor N, as a C program names it by number.\"\"\"",
	"    for sock in sockets:",
	"        if sock.fileno() == n:",
	"            return sock",
	"    return keep(socket.socket(fileno=n))  # fails with EBADF when there is none",
	NULL,
};

static const char *const py_family_of[] = {
	"def family_of(sock):",
	"    \"\"\"The socket's address family (AF_INET, AF_INET6 ...), None once it is closed.\"\"\"",
	"    return sock.family if sock.fileno() >= 0 else None",
	NULL,
};

static const char *const py_raw[] = {
	"libc = ctypes.CDLL(None, use_errno=True)",
	"",
	"",
	"def raw(name, sock, family, addr, data=None, flags=0):",
	"    \"\"\"bind(), connect() or sendto() with an address of another family than the",
	"    socket's. Python refuses such an address itself; C hands it to the kernel,",
	"    which answers EAFNOSUPPORT or EINVAL: do as C does, through libc.\"\"\"",
	"    if family == socket.AF_UNIX:",
	"        path = addr.encode() if isinstance(addr, str) else addr",
	"        sa = struct.pack(\"H\", family) + path + b\"\\0\" * (108 - len(path))",
	"        salen = 2 + len(path) + (0 if path[:1] == b\"\\0\" else 1)",
	"    elif family == socket.AF_INET6:",
	"        sa = (struct.pack(\"=H\", family) + struct.pack(\"!HI\", addr[1], 0)",
	"              + socket.inet_pton(family, addr[0]) + bytes(4))",
	"        salen = 28",
	"    else:",
	"        sa = (struct.pack(\"=H\", family) + struct.pack(\"!H\", addr[1])",
	"              + socket.inet_pton(family, addr[0]) + bytes(8))",
	"        salen = 16",
	"    fileno = sock.fileno() if sock.fileno() >= 0 else fd(sock)",
	"    if name == \"sendto\":",
	"        ret = libc.sendto(fileno, data, len(data), flags, sa, salen)",
	"    else:",
	"        ret = getattr(libc, name)(fileno, sa, salen)",
	"    if ret < 0:",
	"        e = ctypes.get_errno()",
	"        raise OSError(e, os.strerror(e))",
	"    return ret",
	NULL,
};

static const char *const py_check[] = {
	"def check(line, ok, want, data=False):",
	"    \"\"\"The script's expectation (\"= 0\", \"= -1 ECONNREFUSED\") on the call that just returned.\"\"\"",
	"    r = last",
	"    if ok:",
	"        return",
	"    r.fail_line = line",
	"    if interrupted and r.ret == -1 and r.err == errno.EINTR:",
	"        r.fail_msg = \"%s was still blocked and was interrupted\" % r.call",
	"        return",
	"    got = \"-1 \" + errno_name(r.err) if r.ret < 0 else \"%d\" % r.ret",
	"    if data and r.ret >= 0:",
	"        got += ' \"%s\"' % escape(r.data or b\"\", 60, 200)",
	"    r.fail_msg = \"expected %s, got %s\" % (want, got)",
	NULL,
};

static const char *const py_shared[] = {
	"# Where the sockets that another side names (server.addr(s)) are bound: a",
	"# block of memory that all the processes share. The owner writes it after",
	"# each call on the socket; the others read it when their turn comes.",
	"shared = mmap.mmap(-1, 256 * len(SHARED_NAMES))",
	"",
	"",
	"def share_addr(name, sock):",
	"    try:",
	"        data = repr(sock.getsockname()).encode()",
	"    except OSError:",
	"        return",
	"    i = SHARED_NAMES.index(name) * 256",
	"    shared[i:i + 2 + len(data)] = struct.pack(\"H\", len(data)) + data",
	"",
	"",
	"def shared_addr(name):",
	"    i = SHARED_NAMES.index(name) * 256",
	"    (n,) = struct.unpack(\"H\", shared[i:i + 2])",
	"    return ast.literal_eval(shared[i + 2:i + 2 + n].decode())",
	NULL,
};

static const char *const py_parent[] = {
	"# ---- in the parent ----",
	"",
	"",
	"class Side:",
	"    def __init__(self, name, program):",
	"        self.name, self.program = name, program",
	"        self.pid = self.turn = self.reports = -1",
	"        self.busy = self.blocked = self.interrupted = False",
	"        self.line, self.makes, self.closes, self.call = 0, None, None, \"\"",
	"        self.since = 0.0",
	"",
	"",
	"failures = 0",
	"",
	"",
	"def read_line(fd, timeout):",
	"    \"\"\"One line from FD, waiting at most TIMEOUT seconds (None: no limit); \"\" if none came.\"\"\"",
	"    poller = select.poll()",
	"    poller.register(fd, select.POLLIN)",
	"    if not poller.poll(None if timeout is None else max(0, int(timeout * 1000))):",
	"        return \"\"",
	"    line = b\"\"",
	"    while not line.endswith(b\"\\n\"):  # the whole line is there: it was written at once",
	"        c = os.read(fd, 1)",
	"        if not c:",
	"            return None",
	"        line += c",
	"    return line[:-1].decode(\"utf-8\", \"surrogateescape\")",
	"",
	"",
	"def script_error(line, message):",
	"    global failures",
	"    print(\"%s:%d: error: %s\" % (SCRIPT_FILE, line, message))",
	"    failures += 1",
	"    end_script(True)",
	"",
	"",
	"def wait_result(a, timeout):",
	"    \"\"\"Wait at most TIMEOUT for side A's result; print it. True printed, False not yet.\"\"\"",
	"    global failures",
	"    line = read_line(a.reports, timeout)",
	"    if line == \"\":",
	"        return False",
	"    if line is None or not line.startswith(\"done\\t\"):",
	"        a.busy = False",
	"        script_error(a.line, \"%s died during %s\" % (a.name, a.call))",
	"    _, ret, err, fail_line, text, message = line.split(\"\\t\", 5)",
	"    # a call that returned its own result despite the signal was not interrupted",
	"    a.interrupted = a.interrupted and int(ret) == -1 and int(err) == errno.EINTR",
	"    mark = \" <interrupted>\" if a.interrupted else \" <resumed>\" if a.blocked else \"\"",
	"    print(\"[%s] %s%s%s\" % (a.name, a.call, mark, text))",
	"    if int(fail_line):",
	"        print(\"%s:%s: expectation failed: %s\" % (SCRIPT_FILE, fail_line, message))",
	"        failures += 1",
	"    a.busy = a.blocked = a.interrupted = False",
	"    track(a, int(ret))",
	"    return True",
	"",
	"",
	"def running(a):",
	"    \"\"\"Whether side A is on a CPU or about to be (or briefly in D, a page fault while it",
	"    copies): its call is making progress. A call that waits sleeps in S.\"\"\"",
	"    try:",
	"        stat = open(\"/proc/%d/stat\" % a.pid).read()",
	"    except OSError:",
	"        return False",
	"    return stat[stat.rindex(\")\") + 2] in \"RD\"  # \"PID (NAME) STATE ...\"",
	"",
	"",
	"def settle_one(a):",
	"    \"\"\"After a step: the result of side A's blocked call if the step released it.",
	"    The side is waited for unless it is still asleep in its call.\"\"\"",
	"    t0 = time.monotonic()",
	"    # a send woken by room for more may go back to sleep: do not wait long for it",
	"    limit = 0.020 if a.call.startswith(\"send\") else RELEASE_WAIT",
	"    while a.busy and not wait_result(a, 0) and time.monotonic() - t0 < limit:",
	"        if not running(a) and not wait_result(a, 0):",
	"            return  # asleep, and nothing reported: still blocked",
	"        wait_result(a, 0.001)",
	"",
	"",
	"def settle(skip=None):",
	"    \"\"\"After a step: the results it released, side by side.\"\"\"",
	"    for a in SIDES:",
	"        if a is not skip and a.busy:",
	"            settle_one(a)",
	"",
	"",
	"def side_of(program):",
	"    return next(a for a in SIDES if a.program is program)",
	"",
	"",
	"def wait_side(a):",
	"    \"\"\"Side A's next call is due: if it is still blocked in its last one, wait, up to TIMEOUT.\"\"\"",
	"    global failures",
	"    if a.busy and not wait_result(a, TIMEOUT - (time.monotonic() - a.since)):",
	"        print(\"%s:%d: %s is stuck: %s still blocked after %.1f s\"",
	"              % (SCRIPT_FILE, a.line, a.name, a.call, time.monotonic() - a.since))",
	"        failures += 1",
	"        end_script(True)",
	"",
	"",
	"def run(program, line, makes=None, closes=None):",
	"    \"\"\"Let a side make its next call, the script's line LINE (which MAKES or CLOSES a socket).",
	"    A side still blocked in its previous call is waited for first, up to TIMEOUT.\"\"\"",
	"    a = side_of(program)",
	"    wait_side(a)",
	"    remember_rows()",
	"    a.busy, a.line, a.makes, a.closes = True, line, makes, closes",
	"    a.since = time.monotonic()",
	"    try:",
	"        os.write(a.turn, b\"\\0\")",
	"        text = read_line(a.reports, None)",
	"    except OSError:",
	"        text = None",
	"    if not text or not text.startswith(\"call\\t\"):",
	"        a.busy = False",
	"        script_error(line, \"%s is gone\" % a.name)",
	"    a.call = text[5:]",
	"    done = wait_result(a, BLOCK_AFTER)",
	"    # slow is not blocked: a call still on a CPU (copying a megabyte) is waited for",
	"    while not done and running(a) and time.monotonic() - a.since < TIMEOUT:",
	"        done = wait_result(a, 0.020)",
	"    if not done:",
	"        a.blocked = True",
	"        print(\"[%s] %s <blocked>\" % (a.name, a.call))",
	"    settle(a)",
	"",
	"",
	"def title(text):",
	"    for line in text.split(\"\\n\"):  # each line keeps its mark",
	"        print(\"## \" + line)",
	"",
	"",
	"def say(text):",
	"    for line in text.split(\"\\n\"):  # each line keeps its mark",
	"        print(\"# \" + line)",
	"",
	"",
	"def sleep(ms):",
	"    time.sleep(ms / 1000)",
	"    settle()",
	NULL,
};

static const char *const py_track_none[] = {
	"def track(a, ret):",
	"    pass",
	"",
	"",
	"def remember_rows():",
	"    pass",
	NULL,
};

static const char *const py_track[] = {
	"# expect ACTOR NAME STATE asks the kernel for the socket's TCP state, as",
	"# `ss` or `netstat` would: from its tables in /proc/net. A socket is found",
	"# by its inode; when the kernel has handed its connection over to an entry",
	"# of its own (TIME_WAIT, or FIN_WAIT2 after close()), which has no inode, by",
	"# the addresses it was last listed under: the parent notes them before",
	"# every step.",
	"",
	"EXPECT_WAIT = 1.0  # how long the kernel may take to get there",
	"TCP_CLOSE = 7",
	"NET_FILES = [\"tcp\", \"tcp6\", \"udp\", \"udp6\", \"unix\"]",
	"tracked = {}  # (side, name) -> {\"inode\": ..., \"open\": ..., \"row\": (file, local, remote)}",
	"",
	"",
	"def track(a, ret):",
	"    \"\"\"After a call returned: a socket made, or one closed.\"\"\"",
	"    if a.makes and ret >= 0:  # its inode, from the side's descriptor table: \"socket:[12345]\"",
	"        link = os.readlink(\"/proc/%d/fd/%d\" % (a.pid, ret))",
	"        inode = int(link.strip(\"socket:[]\"))",
	"        tracked[a.name, a.makes] = {\"inode\": inode, \"open\": True, \"row\": None}",
	"    elif a.closes and ret == 0 and (a.name, a.closes) in tracked:",
	"        tracked[a.name, a.closes][\"open\"] = False",
	"",
	"",
	"def kernel_state(t):",
	"    \"\"\"Socket T's state in the kernel's tables (TCP_CLOSE if the kernel has forgotten it).\"\"\"",
	"    by_addr = None",
	"    for f in NET_FILES:",
	"        try:",
	"            rows = open(\"/proc/net/\" + f).read().splitlines()[1:]",
	"        except OSError:",
	"            continue",
	"        for row in rows:",
	"            col = row.split()",
	"            if f == \"unix\":  # Num RefCount Protocol Flags Type St Inode Path",
	"                inode, local, remote = int(col[6]), \"\", \"\"",
	"                flags, st = int(col[3], 16), int(col[5], 16)",
	"                state = LISTEN if flags & 0x10000 else ESTABLISHED if st == 3 else TCP_CLOSE",
	"            else:  # sl local_address rem_address st ... inode",
	"                inode, local, remote, state = int(col[9]), col[1], col[2], int(col[3], 16)",
	"            if t[\"open\"] and inode == t[\"inode\"]:",
	"                if f != \"unix\":  # note where it is listed",
	"                    t[\"row\"] = (f, local, remote)",
	"                return state",
	"            if inode == 0 and t[\"row\"] == (f, local, remote):",
	"                by_addr = state",
	"    return TCP_CLOSE if by_addr is None else by_addr",
	"",
	"",
	"def remember_rows():",
	"    \"\"\"Before a step: note where the kernel lists the sockets we will ask about.\"\"\"",
	"    for t in tracked.values():",
	"        if t[\"open\"]:",
	"            kernel_state(t)",
	"",
	"",
	"def expect(program, name, want, line):",
	"    \"\"\"expect ACTOR NAME STATE\"\"\"",
	"    global failures",
	"    a = side_of(program)",
	"    if a.busy and a.makes == name:",
	"        wait_side(a)  # the call that makes it has not returned yet",
	"    t = tracked.get((a.name, name))",
	"    if t is None:",
	"        script_error(line, \"%s has no socket '%s' yet\" % (a.name, name))",
	"    t0 = time.monotonic()",
	"    state = kernel_state(t)",
	"    while state != want and time.monotonic() - t0 < EXPECT_WAIT:",
	"        time.sleep(0.010)",
	"        state = kernel_state(t)",
	"    print(\"[%s] state(%s) = %s\" % (a.name, name, STATE_NAMES[state]))",
	"    if state != want:",
	"        print(\"%s:%d: expectation failed: expected %s, got %s (%s %s)\"",
	"              % (SCRIPT_FILE, line, STATE_NAMES[want], STATE_NAMES[state], a.name, name))",
	"        failures += 1",
	NULL,
};

static const char *const py_main[] = {
	"def end_script(aborted=False):",
	"    \"\"\"The end of the script: interrupt the calls still blocked, stop the sides.\"\"\"",
	"    global failures",
	"    settle()",
	"    for a in SIDES:",
	"        if a.busy:",
	"            settle_one(a)  # it may have returned already: that is a result",
	"        if not a.busy:",
	"            continue",
	"        a.interrupted = True",
	"        for _ in range(40):  # again and again: a signal that comes just before the call is lost",
	"            os.kill(a.pid, signal.SIGUSR1)",
	"            if wait_result(a, 0.050):",
	"                break",
	"        if a.busy:",
	"            print(\"%s:%d: error: %s did not return after being interrupted\"",
	"                  % (SCRIPT_FILE, a.line, a.call))",
	"            failures += 1",
	"    for a in SIDES:",
	"        os.close(a.turn)  # a side reads the end of its pipe and exits",
	"        if a.busy:",
	"            os.kill(a.pid, signal.SIGKILL)",
	"    for a in SIDES:",
	"        os.waitpid(a.pid, 0)",
	"    sys.stdout.flush()",
	"    os._exit(1 if failures or aborted else 0)",
	"",
	"",
	"def start(a):",
	"    \"\"\"Start side A: a process whose sockets start at 3, as in any fresh program.\"\"\"",
	"    global turn_fd, report_fd",
	"    go_r, go_w = os.pipe()",
	"    back_r, back_w = os.pipe()",
	"    sys.stdout.flush()",
	"    a.pid = os.fork()",
	"    if a.pid > 0:",
	"        os.close(go_r)",
	"        os.close(back_w)",
	"        a.turn, a.reports = go_w, back_r",
	"        return",
	"    # the side: keep its pipes out of the way, at the highest numbers",
	"    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]",
	"    top = 1023 if top == resource.RLIM_INFINITY or top > 1024 else top - 1",
	"    turn_fd, report_fd = os.dup2(go_r, top - 1), os.dup2(back_w, top)",
	"    os.closerange(3, top - 1)",
	"    signal.signal(signal.SIGUSR1, on_interrupt)  # a blocked call fails with EINTR",
	"    try:",
	"        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent",
	"    except (OSError, AttributeError):",
	"        pass",
	"    a.program()",
	"    os._exit(0)",
	"",
	"",
	"def main():",
	"    sys.stdout.reconfigure(line_buffering=True)",
	"    for a in SIDES:",
	"        start(a)",
	"    script()",
	"    end_script()",
	"",
	"",
	"if __name__ == \"__main__\":",
	"    main()",
	NULL,
};
/* ---- growing strings ---------------------------------------------------- */

struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sb_putn(b, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, big, (size_t)n);
	free(big);
}

/* ---- what the script needs ---------------------------------------------- */

/* A socket name of one side. */
struct ex_sock {
	char name[SP_NAME_MAX];
	char var[SP_NAME_MAX + 8]; /* its variable in the program */
	int family, type;          /* of every socket the name gets; 0 none yet, -1 it varies */
	int read;                  /* the program reads the variable */
	int shared;                /* another side names its address: server.addr(s) */
	int checked;               /* an expect asks for its TCP state */
};

struct ex_actor {
	char name[SP_NAME_MAX];
	char fn[SP_NAME_MAX + 8]; /* its function in the program */
	struct ex_sock *socks;
	size_t nsocks, cap;
	long long bufsize;        /* the largest recv(), 0 when none */
	int addr, peer, data, optval, optlen, linger; /* the C locals it needs */
};

struct ex {
	const struct sp_script *sc;
	enum export_lang lang;
	struct sb o;
	struct ex_actor actors[SP_ACTORS_MAX];
	size_t nactors;
	char (*shared)[2 * SP_NAME_MAX + 1]; /* "server.s" */
	size_t nshared;
	int nchecked;             /* sockets an expect asks about */
	/* the runtime parts the program uses */
	int expect, title, say, sleep, step, call, done, done_addr, done_data, done_value,
	    done_error, done_linger, check, ip, unix_addr, family_of, repeat, same, addr_text,
	    escape, by_number, raw, struct_;
	char err[200];
};

static struct ex_actor *find_actor(struct ex *ex, const char *name)
{
	for (size_t i = 0; i < ex->nactors; i++)
		if (strcmp(ex->actors[i].name, name) == 0)
			return &ex->actors[i];
	return NULL;
}

static struct ex_sock *find_sock(struct ex_actor *a, const char *name)
{
	if (!a || !name[0])
		return NULL;
	for (size_t i = 0; i < a->nsocks; i++)
		if (strcmp(a->socks[i].name, name) == 0)
			return &a->socks[i];
	return NULL;
}

/* ---- names that a program cannot use ------------------------------------- */

static const char *const c_reserved[] = {
	/* C */
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
	"typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
	"main", "errno", "stdin", "stdout", "stderr", "socklen_t", "size_t", "ssize_t", "pid_t",
	"FILE", "va_list", "sig_atomic_t", "offsetof",
	/* the C library functions the program calls */
	"socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
	"shutdown", "setsockopt", "getsockopt", "getsockname", "fcntl", "close", "read", "write",
	"pipe", "dup2", "fork", "kill", "waitpid", "exit", "_exit", "prctl", "sigaction", "signal",
	"poll", "nanosleep", "clock_gettime", "getrlimit", "close_range", "readlink", "mmap",
	"malloc", "free", "memcmp", "memcpy", "memmove", "memset", "strcmp", "strncmp", "strlen",
	"strnlen", "strchr", "strrchr", "strcspn", "strerror", "strtoul", "atoi", "atoll",
	"printf", "vprintf", "snprintf", "vsnprintf", "perror", "setvbuf", "fopen", "fclose",
	"fgets", "fread", "sscanf", "htons", "ntohs", "inet_ntop", "inet_pton", "linger",
	/* the program's own */
	"ret", "addr", "addrlen", "peer", "peerlen", "buf", "data", "optval", "optlen", "lg",
	"step", "turn", "call", "vcall", "done", "done_addr", "done_data", "done_value",
	"done_error", "done_linger", "keep_result", "check", "same", "repeat", "escape",
	"ip_addr", "unix_addr", "addr_text", "family_of", "share_addr", "shared_addr", "shared",
	"shared_slot", "shared_names", "run", "expect", "say", "title", "sleep_ms", "script",
	"start", "side", "sides", "side_index", "actors", "actor_names", "script_file",
	"errno_names", "errno_name", "state_names", "tracked", "tracked_socket", "ntracked",
	"track", "net_files", "kernel_state", "remember_rows", "end_script", "script_error",
	"wait_result", "wait_side", "give_turn", "settle", "settle_one", "running", "read_line",
	"send_line", "send_result", "on_interrupt", "ms_since", "turn_fd", "report_fd",
	"interrupted", "call_text", "result", "last_ret", "last_err", "last_data", "fail_line",
	"fail_msg", "failures",
	NULL,
};

static const char *const py_reserved[] = {
	/* Python */
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
	"continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
	"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
	"return", "try", "while", "with", "yield", "match", "case", "type", "len", "range",
	"print", "int", "str", "bytes", "open", "next", "isinstance", "repr", "max", "object",
	"ast", "ctypes", "errno", "mmap", "os", "resource", "select", "signal", "socket",
	"struct", "sys", "time", "main",
	/* the program's own */
	"r", "addr", "peer", "accepted", "value", "on", "secs", "fd", "fds", "keep", "close",
	"show", "note", "step", "turn", "call", "check", "run", "expect", "say", "title", "sleep",
	"settle", "settle_one", "script", "start", "raw", "libc", "by_number", "family_of",
	"share_addr", "shared_addr", "shared", "escape", "sockets", "last", "pending", "tracked",
	"track", "end_script", "script_error", "wait_result", "wait_side", "read_line",
	"send_line", "send_result", "wait_for_end", "on_interrupt", "errno_name", "kernel_state",
	"remember_rows", "running", "side_of", "interrupted", "in_call", "turn_fd", "report_fd",
	"failures", "Result", "Side",
	NULL,
};

/*
 * NAME as an identifier of the program: a name that the language or the
 * program keeps for itself gets a '_' ("int" -> "int_"); so does one in
 * capitals, which looks like a constant (EOF, AF_INET, TIME_WAIT), and
 * i1, i2 ... (the loops' counters). A leading '_' is the system's: "_x" -> "s_x".
 */
static void mangle(const struct ex *ex, const char *name, char *out, size_t size)
{
	const char *const *list = ex->lang == EXPORT_C ? c_reserved : py_reserved;
	int clash = 0, lower = 0;
	if (name[0] == '_') {
		snprintf(out, size, "s%s", name);
		return;
	}
	for (const char *p = name; *p; p++)
		lower |= *p >= 'a' && *p <= 'z';
	for (size_t i = 0; list[i]; i++)
		clash |= strcmp(list[i], name) == 0;
	if (!lower && strlen(name) > 1)
		clash = 1;
	if (name[0] == 'i' && name[1] >= '0' && name[1] <= '9')
		clash = 1;
	snprintf(out, size, clash ? "%s_" : "%s", name);
}

static struct ex_actor *add_actor(struct ex *ex, const char *name)
{
	struct ex_actor *a = find_actor(ex, name);
	if (a || ex->nactors == SP_ACTORS_MAX)
		return a;
	a = &ex->actors[ex->nactors++];
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	mangle(ex, name, a->fn, sizeof a->fn);
	/* a side's function must not be called like another's */
	for (size_t i = 0; i + 1 < ex->nactors; i++)
		if (strcmp(ex->actors[i].fn, a->fn) == 0)
			snprintf(a->fn + strlen(a->fn), sizeof a->fn - strlen(a->fn), "_");
	return a;
}

static struct ex_sock *add_sock(struct ex *ex, struct ex_actor *a, const char *name)
{
	struct ex_sock *s = find_sock(a, name);
	if (s)
		return s;
	if (a->nsocks == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct ex_sock *v = realloc(a->socks, cap * sizeof *v);
		if (!v)
			return NULL;
		a->socks = v;
		a->cap = cap;
	}
	s = &a->socks[a->nsocks++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	mangle(ex, name, s->var, sizeof s->var);
	for (int again = 1; again;) { /* two names mangled alike */
		again = 0;
		for (size_t i = 0; i + 1 < a->nsocks; i++)
			if (strcmp(a->socks[i].var, s->var) == 0) {
				size_t n = strlen(s->var);
				if (n + 1 < sizeof s->var) {
					s->var[n] = '_';
					s->var[n + 1] = 0;
					again = 1;
				}
			}
		for (size_t i = 0; i < ex->nactors && !again; i++)
			if (strcmp(ex->actors[i].fn, s->var) == 0 && ex->lang == EXPORT_PYTHON) {
				size_t n = strlen(s->var);
				if (n + 1 < sizeof s->var) {
					s->var[n] = '_';
					s->var[n + 1] = 0;
					again = 1;
				}
			}
	}
	return s;
}

static void merge(int *have, int v)
{
	if (*have == 0)
		*have = v;
	else if (*have != v)
		*have = -1;
}

static void add_shared(struct ex *ex, const char *actor, const char *name)
{
	char key[2 * SP_NAME_MAX + 1];
	snprintf(key, sizeof key, "%s.%s", actor, name);
	for (size_t i = 0; i < ex->nshared; i++)
		if (strcmp(ex->shared[i], key) == 0)
			return;
	void *v = realloc(ex->shared, (ex->nshared + 1) * sizeof *ex->shared);
	if (!v)
		return;
	ex->shared = v;
	snprintf(ex->shared[ex->nshared++], sizeof *ex->shared, "%s", key);
}

/* The socket an address addr(s) / server.addr(s) names, or NULL. */
static struct ex_sock *addr_owner(struct ex *ex, struct ex_actor *a, const struct sp_addr *ad,
				  struct ex_actor **owner)
{
	struct ex_actor *o = ad->actor[0] ? find_actor(ex, ad->actor) : a;
	if (owner)
		*owner = o;
	return o ? find_sock(o, ad->name) : NULL;
}

static void analyze_addr(struct ex *ex, struct ex_actor *a, const struct sp_addr *ad)
{
	struct ex_actor *owner;
	struct ex_sock *s;
	switch (ad->kind) {
	case SP_ADDR_IP:
	case SP_ADDR_ANY:
		ex->ip = 1;
		break;
	case SP_ADDR_UNIX:
		ex->unix_addr = 1;
		break;
	case SP_ADDR_OF:
		s = addr_owner(ex, a, ad, &owner);
		if (s && owner != a) {
			s->shared = 1;
			s->read = 1;
			add_shared(ex, owner->name, s->name);
		} else if (s) {
			s->read = 1;
		}
		break;
	}
}

static void analyze_call(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st)
{
	const struct sp_arg *av = st->args;
	struct ex_sock *fs = NULL, *ns;
	if (call_takes_fd(st->call)) {
		if (av[0].name[0]) {
			fs = find_sock(a, av[0].name);
			if (fs)
				fs->read = 1;
		} else {
			ex->by_number = 1;
		}
	}
	switch (st->call) {
	case SP_CALL_SOCKET:
		ex->step = ex->done = 1;
		if (st->assign[0] && (ns = add_sock(ex, a, st->assign)) != NULL) {
			merge(&ns->family, (int)av[0].num);
			merge(&ns->type, (int)av[1].num);
		}
		break;
	case SP_CALL_ACCEPT:
		ex->step = ex->done_addr = ex->addr_text = ex->escape = 1;
		a->peer = 1;
		if (st->assign[0] && (ns = add_sock(ex, a, st->assign)) != NULL) {
			merge(&ns->family, fs && fs->family > 0 ? fs->family : -1);
			merge(&ns->type, fs && fs->type > 0 ? fs->type : -1);
		}
		break;
	case SP_CALL_BIND:
	case SP_CALL_CONNECT:
		ex->call = ex->done = ex->addr_text = ex->escape = 1;
		a->addr = 1;
		analyze_addr(ex, a, &av[1].addr);
		break;
	case SP_CALL_SENDTO:
		ex->call = ex->done = ex->addr_text = ex->escape = 1;
		a->addr = 1;
		analyze_addr(ex, a, &av[2].addr);
		/* fall through */
	case SP_CALL_SEND:
		if (st->call == SP_CALL_SEND)
			ex->step = ex->done = 1;
		if (av[1].data.count > 1) {
			ex->repeat = 1;
			a->data = 1;
		}
		break;
	case SP_CALL_RECV:
	case SP_CALL_RECVFROM:
		ex->step = ex->done_data = ex->addr_text = ex->escape = 1;
		if (av[1].num > a->bufsize)
			a->bufsize = av[1].num;
		if (a->bufsize < 1)
			a->bufsize = 1;
		if (st->call == SP_CALL_RECVFROM)
			a->peer = 1;
		break;
	case SP_CALL_SETSOCKOPT:
	case SP_CALL_GETSOCKOPT: {
		const struct sp_opt *opt = consts_opt_at((size_t)av[1].num);
		ex->step = 1;
		if (opt && opt->kind == SP_OPT_LINGER) {
			a->linger = 1;
			ex->struct_ = 1;
		} else {
			a->optval = 1;
		}
		if (st->call == SP_CALL_SETSOCKOPT) {
			ex->done = 1;
			break;
		}
		a->optlen = 1;
		if (opt && opt->kind == SP_OPT_LINGER)
			ex->done_linger = 1;
		else if (opt && opt->kind == SP_OPT_ERROR)
			ex->done_error = 1;
		else
			ex->done_value = 1;
		break;
	}
	default:
		ex->step = ex->done = 1;
		break;
	}
	if (st->expect.present) {
		ex->check = ex->escape = 1;
		if (st->expect.has_data && st->expect.data.count > 1)
			ex->same = 1;
	}
}

static void analyze(struct ex *ex, const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		switch (st->kind) {
		case SP_ST_REPEAT:
			analyze(ex, st->body, st->nbody);
			break;
		case SP_ST_CALL: {
			struct ex_actor *a = add_actor(ex, st->actor);
			if (a)
				analyze_call(ex, a, st);
			break;
		}
		case SP_ST_EXPECT: {
			struct ex_sock *s = find_sock(find_actor(ex, st->actor), st->name);
			ex->expect = 1;
			if (s && !s->checked) {
				s->checked = 1;
				ex->nchecked++;
			}
			break;
		}
		case SP_ST_TITLE:
			ex->title = 1;
			break;
		case SP_ST_SAY:
			ex->say = 1;
			break;
		case SP_ST_SLEEP:
			ex->sleep = 1;
			break;
		case SP_ST_PAUSE:
			break;
		}
	}
}

/* Second pass, once every name's family is known: where an address depends
 * on the family at run time, and where Python needs the raw call. */
static int socket_family(struct ex_actor *a, const struct sp_stmt *st)
{
	struct ex_sock *s = call_takes_fd(st->call) ? find_sock(a, st->args[0].name) : NULL;
	return s && s->family > 0 ? s->family : -1;
}

static int socket_type(struct ex_actor *a, const struct sp_stmt *st)
{
	if (st->call == SP_CALL_SOCKET)
		return (int)st->args[1].num;
	struct ex_sock *s = call_takes_fd(st->call) ? find_sock(a, st->args[0].name) : NULL;
	if (st->call == SP_CALL_ACCEPT && st->assign[0]) /* the new socket's, which is the listener's */
		s = s ? s : find_sock(a, st->assign);
	return s && s->type > 0 ? s->type : SOCK_STREAM;
}

/* How an address is made: one way, or two depending on the socket's family. */
struct pick {
	int family;                  /* AF_INET, AF_INET6, AF_UNIX */
	char host[INET6_ADDRSTRLEN]; /* IP */
};

static int pick_addr(const struct sp_addr *ad, int fam, struct pick p[2])
{
	memset(p, 0, 2 * sizeof *p);
	if (ad->kind == SP_ADDR_UNIX) {
		p[0].family = AF_UNIX;
		return 1;
	}
	if (ad->kind == SP_ADDR_ANY) {
		p[0].family = AF_INET6;
		snprintf(p[0].host, sizeof p[0].host, "::");
		p[1].family = AF_INET;
		snprintf(p[1].host, sizeof p[1].host, "0.0.0.0");
		if (fam == AF_INET6)
			return 1;
		if (fam > 0) {
			p[0] = p[1];
			return 1;
		}
		return 2;
	}
	p[0].family = AF_INET6;
	inet_ntop(AF_INET6, &ad->v6, p[0].host, sizeof p[0].host);
	p[1].family = AF_INET;
	inet_ntop(AF_INET, &ad->v4, p[1].host, sizeof p[1].host);
	if (ad->has_v4 && ad->has_v6) {
		if (fam == AF_INET6)
			return 1;
		if (fam > 0) {
			p[0] = p[1];
			return 1;
		}
		return 2;
	}
	if (ad->has_v4)
		p[0] = p[1];
	return 1;
}

static void analyze_picks(struct ex *ex, const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		if (st->kind == SP_ST_REPEAT)
			analyze_picks(ex, st->body, st->nbody);
		if (st->kind != SP_ST_CALL)
			continue;
		int k = st->call == SP_CALL_SENDTO ? 2
			: st->call == SP_CALL_BIND || st->call == SP_CALL_CONNECT ? 1 : 0;
		if (!k || st->args[k].addr.kind == SP_ADDR_OF)
			continue;
		struct ex_actor *a = find_actor(ex, st->actor);
		struct pick p[2];
		int fam = socket_family(a, st);
		if (pick_addr(&st->args[k].addr, fam, p) == 2)
			ex->family_of = 1;
		else if (fam > 0 && p[0].family != fam)
			ex->raw = 1;
	}
}

/* ---- writing code --------------------------------------------------------- */

static void indent(struct ex *ex, int depth)
{
	for (int i = 0; i < depth; i++)
		sb_puts(&ex->o, ex->lang == EXPORT_C ? "\t" : "    ");
}

/*
 * A string literal holding P[0..N): C or Python, FMT doubles '%' (a printf
 * or %-format), BYTES makes a Python bytes literal, TEXT keeps UTF-8 as it is.
 */
static void lit(struct ex *ex, const void *data, size_t n, int fmt, int bytes, int text)
{
	const unsigned char *p = data;
	struct sb *b = &ex->o;
	char q = '"';
	if (ex->lang == EXPORT_PYTHON && memchr(p, '"', n) && !memchr(p, '\'', n))
		q = '\'';
	if (ex->lang == EXPORT_PYTHON && bytes)
		sb_putc(b, 'b');
	sb_putc(b, q);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == q || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_puts(b, "\\n");
		else if (c == '\t')
			sb_puts(b, "\\t");
		else if (c == '\r')
			sb_puts(b, "\\r");
		else if (c == '%' && fmt)
			sb_puts(b, "%%");
		else if (c == '?' && i > 0 && p[i - 1] == '?' && ex->lang == EXPORT_C)
			sb_puts(b, "\\?"); /* no trigraphs */
		else if ((c >= 0x20 && c < 0x7f) || (c >= 0x80 && text))
			sb_putc(b, (char)c);
		else if (ex->lang == EXPORT_C)
			sb_printf(b, "\\%03o", c); /* octal: a digit after it cannot join it */
		else
			sb_printf(b, "\\x%02x", c);
	}
	sb_putc(b, q);
}

static void lit_str(struct ex *ex, const char *s, int fmt)
{
	lit(ex, s, strlen(s), fmt, 0, 1);
}

/* Comment text: one line, nothing that could end the comment. */
static void comment_text(struct ex *ex, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = ' ';
		if (ex->lang == EXPORT_C && c == '/' && i > 0 && s[i - 1] == '*')
			sb_putc(&ex->o, ' ');
		if (ex->lang == EXPORT_C && c == '?' && i > 0 && s[i - 1] == '?')
			sb_putc(&ex->o, ' ');
		sb_putc(&ex->o, c);
	}
}

/* The code point of the UTF-8 character at P, and its length in *N. */
static unsigned utf8_at(const char *p, size_t *n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	unsigned cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) { /* cut short: take the byte alone */
			*n = 1;
			return s[0];
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*n = len;
	return cp;
}

/* Whether a character takes two columns (CJK); a line may break next to it. */
static int wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6);
}

/* Punctuation that must not begin a line: ， 。 、 ； ： ！ ？ ） 」 』 */
static int closing(unsigned cp)
{
	return cp == 0xff0c || cp == 0x3002 || cp == 0x3001 || cp == 0xff1b || cp == 0xff1a ||
	       cp == 0xff01 || cp == 0xff1f || cp == 0xff09 || cp == 0x300d || cp == 0x300f;
}

/* How many bytes of P go on a line of WIDTH columns: up to a space, or next to a CJK character. */
static size_t line_cut(const char *p, int width)
{
	size_t i = 0, brk = 0, n;
	int cols = 0, prev_wide = 0;
	unsigned prev = 0;
	while (p[i]) {
		unsigned cp = utf8_at(p + i, &n);
		int w = wide(cp);
		/* ... nor may （ 「 『 end one */
		int opening = prev == 0xff08 || prev == 0x300c || prev == 0x300e;
		if (i > 0 && (p[i] == ' ' || ((w || prev_wide) && !closing(cp) && !opening))) {
			if (cols > width)
				return brk ? brk : i;
			brk = i;
		}
		cols += w ? 2 : 1;
		prev_wide = w;
		prev = cp;
		i += n;
	}
	return cols > width && brk ? brk : i;
}

/* TEXT as comment lines of at most about 78 columns. */
static void wrap(struct ex *ex, int depth, const char *text)
{
	const char *lead = ex->lang == EXPORT_C ? " * " : "# ";
	int width = 78 - depth * (ex->lang == EXPORT_C ? 8 : 4) - 3;
	if (width < 40)
		width = 40;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t cut = line_cut(p, width), len = cut;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		indent(ex, depth);
		sb_puts(&ex->o, lead);
		comment_text(ex, p, len);
		sb_putc(&ex->o, '\n');
		p += cut;
	}
}

/* What sockplay shows of data sent: at most 32 bytes, then "...". (session.c's rule) */
static void data_preview(const struct sp_data *d, char *out, size_t size)
{
	unsigned char head[48];
	size_t n = 0;
	uint64_t total = d->unit_len * d->count;
	for (uint64_t i = 0; i < d->count && n < sizeof head; i++)
		for (size_t j = 0; j < d->unit_len && n < sizeof head; j++)
			head[n++] = d->unit[j];
	char esc[256];
	text_escape(head, n, 32, esc, sizeof esc);
	if (total > n && !strstr(esc, "...")) {
		snprintf(out, size, "\"%s\"...", esc);
	} else if (strstr(esc, "...")) {
		esc[strlen(esc) - 3] = 0;
		snprintf(out, size, "\"%s\"...", esc);
	} else {
		snprintf(out, size, "\"%s\"", esc);
	}
}

/* MSG_* flags as sockplay shows them: "MSG_PEEK|MSG_DONTWAIT". LANG: Python spells socket.MSG_*. */
static void flags_text(int flags, char *out, size_t size, int python)
{
	static const int all[] = { MSG_OOB, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL };
	size_t o = 0;
	int rest = flags;
	out[0] = 0;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (!(flags & all[i]))
			continue;
		rest &= ~all[i];
		const char *n = consts_name(SP_K_MSG, all[i]);
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s%s",
				      o ? (python ? " | " : "|") : "", python ? "socket." : "", n ? n : "?");
	}
	if (rest) /* a script may give flags as a number: the bits without a name stay */
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%d", o ? (python ? " | " : "|") : "",
				      rest);
	if (!o)
		snprintf(out, size, "0");
}


static const char *level_name(int level)
{
	return level == SOL_SOCKET ? "SOL_SOCKET" : level == IPPROTO_TCP ? "IPPROTO_TCP" : NULL;
}

/* The C name of a kernel TCP state, as <netinet/tcp.h> spells it. */
static const char *c_state(int state)
{
	static const char *const names[] = {
		"TCP_CLOSE", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1",
		"TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK",
		"TCP_LISTEN", "TCP_CLOSING", "TCP_SYN_RECV", "TCP_CLOSE",
	};
	return state >= 0 && state < (int)(sizeof names / sizeof names[0]) ? names[state] : "TCP_CLOSE";
}

/* Copy a part of the runtime (CHUNK: and an empty line after it). */
static void chunk_part(struct ex *ex, const char *const *lines)
{
	for (size_t i = 0; lines[i]; i++) {
		sb_puts(&ex->o, lines[i]);
		sb_putc(&ex->o, '\n');
	}
}

static void chunk(struct ex *ex, const char *const *lines)
{
	chunk_part(ex, lines);
	sb_putc(&ex->o, '\n');
}

/* ---- one step of a side ----------------------------------------------------- */

/* The socket argument: its variable, or the number written in the script. */
static void fd_expr(struct ex *ex, struct ex_actor *a, const struct sp_arg *arg, char *out, size_t size)
{
	struct ex_sock *s = find_sock(a, arg->name);
	if (s)
		snprintf(out, size, "%s", s->var);
	else if (ex->lang == EXPORT_PYTHON)
		snprintf(out, size, "by_number(%lld)", arg->num);
	else
		snprintf(out, size, "%lld", arg->num);
}

/* The comment above a step: the script's line, what the call does, the other language. */
static void step_comment(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int depth)
{
	const char *src = st->source ? st->source : "";
	while (*src == ' ' || *src == '\t')
		src++;
	int type = socket_type(a, st);
	const char *what = explain_call_type(st->call, type);
	const char *other = ex->lang == EXPORT_C ? explain_python(st->call) : explain_c(st->call);
	indent(ex, depth);
	sb_puts(&ex->o, ex->lang == EXPORT_C ? "/* " : "# ");
	sb_printf(&ex->o, "line %d: ", st->line);
	comment_text(ex, src, strlen(src));
	sb_putc(&ex->o, '\n');
	/* what the call does; when the script expects it to fail, why it fails instead */
	if (what && !(st->expect.present && st->expect.err))
		wrap(ex, depth, what);
	if (st->expect.present && st->expect.err) {
		const char *meaning = explain_errno(st->expect.err);
		const char *mistake = explain_mistake(st->call, st->expect.err);
		char buf[1024];
		snprintf(buf, sizeof buf, "%s: %s%s%s", consts_errno_name(st->expect.err) ? consts_errno_name(st->expect.err) : "?",
			 meaning ? meaning : "", mistake ? " " : "", mistake ? mistake : "");
		wrap(ex, depth, buf);
	}
	if (other) {
		char buf[512];
		snprintf(buf, sizeof buf, "%s %s", ex->lang == EXPORT_C ? "Python:" : "C:", other);
		indent(ex, depth);
		sb_puts(&ex->o, ex->lang == EXPORT_C ? " * " : "# ");
		comment_text(ex, buf, strlen(buf));
		sb_putc(&ex->o, '\n');
	}
	if (ex->lang == EXPORT_C) {
		indent(ex, depth);
		sb_puts(&ex->o, " */\n");
	}
}

/* A line of code at DEPTH: printf-like. */
static void line(struct ex *ex, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line(struct ex *ex, int depth, const char *fmt, ...)
{
	char small[1024];
	va_list ap;
	indent(ex, depth);
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		sb_puts(&ex->o, small);
	} else if (n >= 0) {
		char *big = malloc((size_t)n + 1);
		if (!big) {
			ex->o.oom = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sb_puts(&ex->o, big);
		free(big);
	}
	sb_putc(&ex->o, '\n');
}

/* Python: an address as Python takes it, for pick P (or the UNIX address AD). */
static void py_addr_value(struct ex *ex, const struct sp_addr *ad, const struct pick *p)
{
	if (p->family == AF_UNIX) {
		if (ad->abstract) {
			unsigned char tmp[sizeof ad->path + 1];
			size_t n = strnlen(ad->path, sizeof ad->path);
			tmp[0] = 0;
			memcpy(tmp + 1, ad->path, n);
			lit(ex, tmp, n + 1, 0, 1, 0);
		} else {
			lit(ex, ad->path, strnlen(ad->path, sizeof ad->path), 0, 0, 1);
		}
		return;
	}
	sb_puts(&ex->o, "(");
	lit_str(ex, p->host, 0);
	sb_printf(&ex->o, ", %u)", ad->port);
}

/* C: fill addr/addrlen for pick P (or the UNIX address AD). */
static void c_addr_value(struct ex *ex, const struct sp_addr *ad, const struct pick *p)
{
	if (p->family == AF_UNIX) {
		sb_puts(&ex->o, "unix_addr(&addr, ");
		lit(ex, ad->path, strnlen(ad->path, sizeof ad->path), 0, 0, 1);
		sb_printf(&ex->o, ", %d)", ad->abstract ? 1 : 0);
		return;
	}
	sb_printf(&ex->o, "ip_addr(&addr, %s, ", p->family == AF_INET6 ? "AF_INET6" : "AF_INET");
	lit_str(ex, p->host, 0);
	sb_printf(&ex->o, ", %u)", ad->port);
}

/*
 * Make the address of a bind/connect/sendto step (after the side's turn:
 * another side's socket may have been bound since). Returns whether Python
 * must make the call itself through libc (an address of another family than
 * the socket's, which Python refuses before the kernel sees it).
 */
static int emit_addr(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st,
		     const struct sp_addr *ad, const char *fd, int depth, int *raw_family)
{
	struct ex_actor *owner;
	struct ex_sock *s;
	*raw_family = 0;
	if (ad->kind == SP_ADDR_OF) {
		s = addr_owner(ex, a, ad, &owner);
		if (ex->lang == EXPORT_C && owner == a) {
			line(ex, depth, "addrlen = sizeof addr;");
			line(ex, depth, "getsockname(%s, (struct sockaddr *)&addr, &addrlen); /* %s */", s ? s->var : fd,
			     ad->text ? ad->text : "addr()");
		} else if (ex->lang == EXPORT_C) {
			line(ex, depth, "addrlen = shared_addr(\"%s.%s\", &addr);", owner ? owner->name : "?", ad->name);
		} else if (owner == a) {
			line(ex, depth, "addr = %s.getsockname()", s ? s->var : fd);
		} else {
			line(ex, depth, "addr = shared_addr(\"%s.%s\")", owner ? owner->name : "?", ad->name);
		}
		return 0;
	}
	struct pick p[2];
	int fam = socket_family(a, st);
	int n = pick_addr(ad, fam, p);
	indent(ex, depth);
	if (ex->lang == EXPORT_C) {
		sb_puts(&ex->o, "addrlen = ");
		if (n == 2) {
			sb_printf(&ex->o, "family_of(%s) == AF_INET6 ? ", fd);
			c_addr_value(ex, ad, &p[0]);
			sb_puts(&ex->o, "\n");
			indent(ex, depth + 2);
			sb_puts(&ex->o, ": ");
			c_addr_value(ex, ad, &p[1]);
		} else {
			c_addr_value(ex, ad, &p[0]);
		}
		sb_puts(&ex->o, ";\n");
		return 0;
	}
	sb_puts(&ex->o, "addr = ");
	py_addr_value(ex, ad, &p[0]);
	if (n == 2) {
		sb_printf(&ex->o, " if family_of(%s) == socket.AF_INET6 else ", fd);
		py_addr_value(ex, ad, &p[1]);
	}
	sb_putc(&ex->o, '\n');
	if (n == 1 && fam > 0 && p[0].family != fam) {
		*raw_family = p[0].family;
		return 1;
	}
	return 0;
}

static const char *py_family(int family)
{
	return family == AF_INET6 ? "socket.AF_INET6" : family == AF_UNIX ? "socket.AF_UNIX" : "socket.AF_INET";
}

/* The step's format ("bind(%d, %s)") and its arguments (", s, addr_text(...)"). */
static void call_text(struct ex *ex, const struct sp_stmt *st, const char *fd, int has_addr, struct sb *fmt,
		      struct sb *args)
{
	const struct sp_arg *av = st->args;
	char buf[512], fl[128];
	const char *name = call_name(st->call);
	int py = ex->lang == EXPORT_PYTHON;
	const char *addr = py ? "show(addr)" : "addr_text(&addr, addrlen)";
	if (call_takes_fd(st->call) && py && !st->args[0].name[0])
		sb_printf(args, ", %lld", st->args[0].num); /* by number: as written */
	else if (call_takes_fd(st->call))
		sb_printf(args, py ? ", fd(%s)" : ", %s", fd);
	switch (st->call) {
	case SP_CALL_SOCKET: {
		const char *dn = consts_name(SP_K_DOMAIN, (int)av[0].num);
		const char *tn = consts_name(SP_K_TYPE, (int)av[1].num);
		int proto = st->nargs > 2 ? (int)av[2].num : 0;
		const char *pn = proto ? consts_name(SP_K_PROTO, proto) : NULL;
		if (pn)
			snprintf(buf, sizeof buf, "socket(%s, %s, %s)", dn ? dn : "?", tn ? tn : "?", pn);
		else
			snprintf(buf, sizeof buf, "socket(%s, %s, %d)", dn ? dn : "?", tn ? tn : "?", proto);
		sb_puts(fmt, buf);
		return;
	}
	case SP_CALL_BIND:
	case SP_CALL_CONNECT:
		sb_printf(fmt, "%s(%%d, %%s)", name);
		break;
	case SP_CALL_LISTEN:
		sb_printf(fmt, "listen(%%d, %lld)", st->nargs > 1 ? av[1].num : 128);
		break;
	case SP_CALL_ACCEPT:
	case SP_CALL_CLOSE:
		sb_printf(fmt, "%s(%%d)", name);
		break;
	case SP_CALL_SEND:
	case SP_CALL_SENDTO: {
		int fi = st->call == SP_CALL_SEND ? 2 : 3;
		int flags = st->nargs > fi ? (int)av[fi].num : 0;
		data_preview(&av[1].data, buf, sizeof buf);
		sb_printf(fmt, "%s(%%d, ", name);
		for (const char *p = buf; *p; p++) /* the preview is shown as it is: double its % */
			sb_puts(fmt, *p == '%' ? "%%" : (char[]){ *p, 0 });
		sb_printf(fmt, ", %llu", (unsigned long long)(av[1].data.unit_len * av[1].data.count));
		if (flags) {
			flags_text(flags, fl, sizeof fl, 0);
			sb_printf(fmt, ", %s", fl);
		}
		if (st->call == SP_CALL_SENDTO)
			sb_puts(fmt, ", %s");
		sb_puts(fmt, ")");
		break;
	}
	case SP_CALL_RECV:
	case SP_CALL_RECVFROM: {
		int flags = st->nargs > 2 ? (int)av[2].num : 0;
		sb_printf(fmt, "%s(%%d, %lld", name, av[1].num);
		if (flags) {
			flags_text(flags, fl, sizeof fl, 0);
			sb_printf(fmt, ", %s", fl);
		}
		sb_puts(fmt, ")");
		break;
	}
	case SP_CALL_SHUTDOWN: {
		const char *hn = consts_name(SP_K_SHUT, (int)av[1].num);
		sb_printf(fmt, "shutdown(%%d, %s)", hn ? hn : "?");
		break;
	}
	case SP_CALL_SETSOCKOPT:
	case SP_CALL_GETSOCKOPT: {
		const struct sp_opt *opt = consts_opt_at((size_t)av[1].num);
		const char *on = opt ? opt->name : "?";
		if (st->call == SP_CALL_GETSOCKOPT)
			sb_printf(fmt, "getsockopt(%%d, %s)", on);
		else if (opt && opt->kind == SP_OPT_LINGER)
			sb_printf(fmt, "setsockopt(%%d, %s, %d, %d)", on, st->nargs > 2 ? (int)av[2].num : 1,
				  st->nargs > 3 ? (int)av[3].num : 0);
		else
			sb_printf(fmt, "setsockopt(%%d, %s, %d)", on, st->nargs > 2 ? (int)av[2].num : 1);
		break;
	}
	case SP_CALL_NONBLOCK:
		sb_printf(fmt, "nonblock(%%d, %d)", st->nargs > 1 ? (int)av[1].num : 1);
		break;
	default:
		break;
	}
	if (has_addr)
		sb_printf(args, ", %s", addr);
}

/* The data a send step sends, as an expression (C: a literal or `data`). */
static void data_expr(struct ex *ex, const struct sp_data *d)
{
	if (ex->lang == EXPORT_C) {
		if (d->count > 1)
			sb_puts(&ex->o, "data");
		else
			lit(ex, d->unit, d->unit_len, 0, 1, 0);
		return;
	}
	lit(ex, d->unit, d->unit_len, 0, 1, 0);
	if (d->count > 1)
		sb_printf(&ex->o, " * %llu", (unsigned long long)d->count);
}

/* The condition of a check: whether the result is what the script expects. */
static void expect_cond(struct ex *ex, const struct sp_expect *e, struct sb *b)
{
	int py = ex->lang == EXPORT_PYTHON;
	const char *ret = py ? "r.ret" : "ret";
	const char *and = py ? " and " : " && ";
	if (e->any_error) {
		sb_printf(b, "%s == -1", ret);
	} else if (e->ret == -1 && e->err) {
		const char *en = consts_errno_name(e->err);
		if (py)
			sb_printf(b, "r.ret == -1 and r.err == errno.%s", en ? en : "?");
		else
			sb_printf(b, "ret == -1 && errno == %s", en ? en : "?");
	} else {
		sb_printf(b, "%s == %lld", ret, e->ret);
	}
	if (!e->has_data)
		return;
	/* the data: the bytes expected, UNIT repeated COUNT times */
	struct sb saved = ex->o;
	ex->o = *b;
	sb_puts(&ex->o, and);
	uint64_t total = e->data.unit_len * e->data.count;
	if (py) {
		sb_puts(&ex->o, "r.data == ");
		lit(ex, e->data.unit, e->data.unit_len, 0, 1, 0);
		if (e->data.count > 1)
			sb_printf(&ex->o, " * %llu", (unsigned long long)e->data.count);
	} else if (e->data.count > 1 || (long long)total != e->ret) {
		sb_puts(&ex->o, "same(buf, ret, ");
		lit(ex, e->data.unit, e->data.unit_len, 0, 1, 0);
		sb_printf(&ex->o, ", %zu, %llu)", e->data.unit_len, (unsigned long long)e->data.count);
	} else {
		sb_puts(&ex->o, "memcmp(buf, ");
		lit(ex, e->data.unit, e->data.unit_len, 0, 1, 0);
		sb_printf(&ex->o, ", %zu) == 0", e->data.unit_len);
	}
	*b = ex->o;
	ex->o = saved;
}

static void emit_step(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int depth)
{
	const struct sp_arg *av = st->args;
	int py = ex->lang == EXPORT_PYTHON, c = !py;
	char fd[SP_NAME_MAX + 32] = "", fl[128];
	struct ex_sock *as = st->assign[0] ? find_sock(a, st->assign) : NULL;
	const char *var = as ? as->var : NULL;
	struct sb fmt = { 0 }, args = { 0 };
	int has_addr = st->call == SP_CALL_BIND || st->call == SP_CALL_CONNECT || st->call == SP_CALL_SENDTO;
	int raw = 0, raw_family = 0;
	const struct sp_addr *ad = has_addr ? &av[st->call == SP_CALL_SENDTO ? 2 : 1].addr : NULL;

	if (call_takes_fd(st->call))
		fd_expr(ex, a, &av[0], fd, sizeof fd);
	step_comment(ex, a, st, depth);

	/* data sent more than once: made before the turn, as a program would */
	if (c && (st->call == SP_CALL_SEND || st->call == SP_CALL_SENDTO) && av[1].data.count > 1) {
		indent(ex, depth);
		sb_puts(&ex->o, "data = repeat(");
		lit(ex, av[1].data.unit, av[1].data.unit_len, 0, 1, 0);
		sb_printf(&ex->o, ", %zu, %llu);\n", av[1].data.unit_len, (unsigned long long)av[1].data.count);
	}
	/* wait for the turn, then say which call is made */
	call_text(ex, st, fd, has_addr, &fmt, &args);
	if (has_addr) {
		line(ex, depth, c ? "turn();" : "turn()");
		raw = emit_addr(ex, a, st, ad, fd, depth, &raw_family);
	}
	indent(ex, depth);
	if (py)
		sb_puts(&ex->o, "with ");
	sb_puts(&ex->o, has_addr ? "call(" : "step(");
	lit(ex, fmt.p ? fmt.p : "", fmt.n, 0, 0, 1); /* its '%' are the format's */
	if (args.n && c) {
		sb_puts(&ex->o, args.p);
	} else if (args.n) {
		int many = strchr(args.p + 2, ',') != NULL;
		sb_printf(&ex->o, " %% %s%s%s", many ? "(" : "", args.p + 2, many ? ")" : "");
	}
	sb_puts(&ex->o, py ? ") as r:\n" : ");\n");
	free(fmt.p);
	free(args.p);

	/* the call itself */
	int d = py ? depth + 1 : depth;
	switch (st->call) {
	case SP_CALL_SOCKET: {
		const char *dn = consts_name(SP_K_DOMAIN, (int)av[0].num);
		const char *tn = consts_name(SP_K_TYPE, (int)av[1].num);
		int proto = st->nargs > 2 ? (int)av[2].num : 0;
		const char *pn = proto ? consts_name(SP_K_PROTO, proto) : NULL;
		char ps[64];
		if (pn)
			snprintf(ps, sizeof ps, "%s%s", py ? "socket." : "", pn);
		else
			snprintf(ps, sizeof ps, "%d", proto);
		if (c) {
			line(ex, d, "ret = %s%ssocket(%s, %s, %s);", var ? var : "", var ? " = " : "", dn, tn, ps);
			line(ex, d, "done(ret);");
		} else if (var) {
			line(ex, d, "%s = keep(socket.socket(socket.%s, socket.%s, %s))", var, dn, tn, ps);
			line(ex, d, "r.ret = %s.fileno()", var);
		} else {
			line(ex, d, "r.ret = keep(socket.socket(socket.%s, socket.%s, %s)).fileno()", dn, tn, ps);
		}
		break;
	}
	case SP_CALL_BIND:
	case SP_CALL_CONNECT:
		if (c) {
			line(ex, d, "ret = %s(%s, (struct sockaddr *)&addr, addrlen);", call_name(st->call), fd);
			line(ex, d, "done(ret);");
		} else if (raw) {
			line(ex, d, "raw(\"%s\", %s, %s, addr)  # Python itself refuses an address of another family",
			     call_name(st->call), fd, py_family(raw_family));
		} else {
			line(ex, d, "%s.%s(addr)", fd, call_name(st->call));
		}
		break;
	case SP_CALL_LISTEN:
		line(ex, d, c ? "ret = listen(%s, %lld);" : "%s.listen(%lld)", fd, st->nargs > 1 ? av[1].num : 128);
		if (c)
			line(ex, d, "done(ret);");
		break;
	case SP_CALL_ACCEPT:
		if (c) {
			line(ex, d, "peerlen = sizeof peer;");
			line(ex, d, "ret = %s%saccept(%s, (struct sockaddr *)&peer, &peerlen);", var ? var : "",
			     var ? " = " : "", fd);
			line(ex, d, "done_addr(ret, \"peer\", &peer, peerlen);");
		} else {
			line(ex, d, "%s, peer = %s.accept()", var ? var : "accepted", fd);
			line(ex, d, "r.ret, r.note = keep(%s).fileno(), note(\"peer\", peer)", var ? var : "accepted");
		}
		break;
	case SP_CALL_SEND:
	case SP_CALL_SENDTO: {
		int fi = st->call == SP_CALL_SEND ? 2 : 3;
		int flags = st->nargs > fi ? (int)av[fi].num : 0;
		flags_text(flags, fl, sizeof fl, py);
		unsigned long long len = (unsigned long long)(av[1].data.unit_len * av[1].data.count);
		indent(ex, d);
		if (c) {
			sb_printf(&ex->o, "ret = %s(%s, ", call_name(st->call), fd);
			data_expr(ex, &av[1].data);
			sb_printf(&ex->o, ", %llu, %s", len, fl);
			if (st->call == SP_CALL_SENDTO)
				sb_puts(&ex->o, ", (struct sockaddr *)&addr, addrlen");
			sb_puts(&ex->o, ");\n");
			line(ex, d, "done(ret);");
			if (av[1].data.count > 1)
				line(ex, d, "free(data);");
		} else if (raw) {
			sb_printf(&ex->o, "r.ret = raw(\"sendto\", %s, %s, addr, ", fd, py_family(raw_family));
			data_expr(ex, &av[1].data);
			sb_printf(&ex->o, ", %s)  # Python itself refuses an address of another family\n", fl);
		} else {
			sb_printf(&ex->o, "r.ret = %s.%s(", fd, call_name(st->call));
			data_expr(ex, &av[1].data);
			if (flags)
				sb_printf(&ex->o, ", %s", fl);
			sb_puts(&ex->o, st->call == SP_CALL_SENDTO ? ", addr)\n" : ")\n");
		}
		break;
	}
	case SP_CALL_RECV:
	case SP_CALL_RECVFROM: {
		int flags = st->nargs > 2 ? (int)av[2].num : 0;
		flags_text(flags, fl, sizeof fl, py);
		if (c && st->call == SP_CALL_RECV) {
			line(ex, d, "ret = recv(%s, buf, %lld, %s);", fd, av[1].num, fl);
			line(ex, d, "done_data(ret, buf, NULL, 0);");
		} else if (c) {
			line(ex, d, "peerlen = sizeof peer;");
			line(ex, d, "ret = recvfrom(%s, buf, %lld, %s, (struct sockaddr *)&peer, &peerlen);", fd,
			     av[1].num, fl);
			line(ex, d, "done_data(ret, buf, &peer, peerlen);");
		} else if (st->call == SP_CALL_RECV) {
			line(ex, d, "r.data = %s.recv(%lld%s%s)", fd, av[1].num, flags ? ", " : "", flags ? fl : "");
			line(ex, d, "r.ret = len(r.data)");
		} else {
			line(ex, d, "r.data, peer = %s.recvfrom(%lld%s%s)", fd, av[1].num, flags ? ", " : "",
			     flags ? fl : "");
			line(ex, d, "r.ret, r.note = len(r.data), note(\"from\", peer)");
		}
		break;
	}
	case SP_CALL_SHUTDOWN: {
		const char *hn = consts_name(SP_K_SHUT, (int)av[1].num);
		char how[32];
		if (hn)
			snprintf(how, sizeof how, "%s%s", py ? "socket." : "", hn);
		else
			snprintf(how, sizeof how, "%lld", av[1].num);
		line(ex, d, c ? "ret = shutdown(%s, %s);" : "%s.shutdown(%s)", fd, how);
		if (c)
			line(ex, d, "done(ret);");
		break;
	}
	case SP_CALL_SETSOCKOPT:
	case SP_CALL_GETSOCKOPT: {
		const struct sp_opt *opt = consts_opt_at((size_t)av[1].num);
		const char *on = opt ? opt->name : "?";
		char lv[32];
		if (opt && level_name(opt->level))
			snprintf(lv, sizeof lv, "%s%s", py ? "socket." : "", level_name(opt->level));
		else
			snprintf(lv, sizeof lv, "%d", opt ? opt->level : 0);
		int linger = opt && opt->kind == SP_OPT_LINGER;
		int v1 = st->nargs > 2 ? (int)av[2].num : 1, v2 = st->nargs > 3 ? (int)av[3].num : 0;
		if (st->call == SP_CALL_SETSOCKOPT && c && linger) {
			line(ex, d, "lg.l_onoff = %d;", v1);
			line(ex, d, "lg.l_linger = %d;", v2);
			line(ex, d, "ret = setsockopt(%s, %s, %s, &lg, sizeof lg);", fd, lv, on);
			line(ex, d, "done(ret);");
		} else if (st->call == SP_CALL_SETSOCKOPT && c) {
			line(ex, d, "optval = %d;", v1);
			line(ex, d, "ret = setsockopt(%s, %s, %s, &optval, sizeof optval);", fd, lv, on);
			line(ex, d, "done(ret);");
		} else if (st->call == SP_CALL_SETSOCKOPT && linger) {
			line(ex, d, "%s.setsockopt(%s, socket.%s, struct.pack(\"ii\", %d, %d))", fd, lv, on, v1, v2);
		} else if (st->call == SP_CALL_SETSOCKOPT) {
			line(ex, d, "%s.setsockopt(%s, socket.%s, %d)", fd, lv, on, v1);
		} else if (c && linger) {
			line(ex, d, "memset(&lg, 0, sizeof lg);");
			line(ex, d, "optlen = sizeof lg;");
			line(ex, d, "ret = getsockopt(%s, %s, %s, &lg, &optlen);", fd, lv, on);
			line(ex, d, "done_linger(ret, &lg);");
		} else if (c) {
			line(ex, d, "optval = 0;");
			line(ex, d, "optlen = sizeof optval;");
			line(ex, d, "ret = getsockopt(%s, %s, %s, &optval, &optlen);", fd, lv, on);
			line(ex, d, opt && opt->kind == SP_OPT_ERROR ? "done_error(ret, optval);" : "done_value(ret, optval);");
		} else if (linger) {
			line(ex, d, "on, secs = struct.unpack(\"ii\", %s.getsockopt(%s, socket.%s, 8))", fd, lv, on);
			line(ex, d, "r.note = \"value %%s, %%d s\" %% (\"on\" if on else \"off\", secs)");
		} else {
			line(ex, d, "value = %s.getsockopt(%s, socket.%s)", fd, lv, on);
			if (opt && opt->kind == SP_OPT_ERROR)
				line(ex, d, "r.note = \"value \" + (errno_name(value) if value else \"0\")");
			else
				line(ex, d, "r.note = \"value %%d\" %% value");
		}
		break;
	}
	case SP_CALL_NONBLOCK: {
		int on = st->nargs > 1 ? (int)av[1].num : 1;
		if (c) {
			line(ex, d, "ret = fcntl(%s, F_SETFL, fcntl(%s, F_GETFL) %s);", fd, fd,
			     on ? "| O_NONBLOCK" : "& ~O_NONBLOCK");
			line(ex, d, "done(ret);");
		} else {
			line(ex, d, "%s.setblocking(%s)", fd, on ? "False" : "True");
		}
		break;
	}
	case SP_CALL_CLOSE:
		line(ex, d, c ? "ret = close(%s);" : "close(%s)", fd);
		if (c)
			line(ex, d, "done(ret);");
		break;
	default:
		break;
	}

	/* the script's expectation */
	if (st->expect.present) {
		struct sb cond = { 0 };
		char want[512];
		expect_cond(ex, &st->expect, &cond);
		transcript_expect_text(&st->expect, want, sizeof want);
		indent(ex, depth);
		sb_printf(&ex->o, "check(%d, %s, ", st->line, cond.p ? cond.p : "1");
		lit_str(ex, want, 0);
		if (c)
			sb_printf(&ex->o, ", %d);\n", st->expect.has_data ? 1 : 0);
		else
			sb_puts(&ex->o, st->expect.has_data ? ", data=True)\n" : ")\n");
		free(cond.p);
	}
	/* where another side will look for this socket's address */
	struct ex_sock *fs = call_takes_fd(st->call) ? find_sock(a, av[0].name) : NULL;
	struct ex_sock *sh = as && as->shared ? as : fs && fs->shared ? fs : NULL;
	if (sh)
		line(ex, depth, c ? "share_addr(\"%s.%s\", %s);" : "share_addr(\"%s.%s\", %s)", a->name, sh->name,
		     sh->var);
	sb_putc(&ex->o, '\n');
}

/* Whether the statements V hold a call of side A. */
static int has_calls(const struct sp_stmt *v, size_t n, const struct ex_actor *a)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == SP_ST_CALL && strcmp(v[i].actor, a->name) == 0)
			return 1;
		if (v[i].kind == SP_ST_REPEAT && v[i].repeat > 0 && has_calls(v[i].body, v[i].nbody, a))
			return 1;
	}
	return 0;
}

static void emit_body(struct ex *ex, struct ex_actor *a, const struct sp_stmt *v, size_t n, int depth)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		if (st->kind == SP_ST_REPEAT && st->repeat > 0 && has_calls(st->body, st->nbody, a)) {
			if (depth > 8) /* the parser allows no deeper nesting */
				continue;
			if (ex->lang == EXPORT_C)
				line(ex, depth, "for (int i%d = 0; i%d < %ld; i%d++) { /* repeat %ld */", depth, depth,
				     st->repeat, depth, st->repeat);
			else
				line(ex, depth, "for _ in range(%ld):  # repeat %ld", st->repeat, st->repeat);
			emit_body(ex, a, st->body, st->nbody, depth + 1);
			if (ex->lang == EXPORT_C) {
				/* no empty line before the brace */
				if (ex->o.n >= 2 && ex->o.p[ex->o.n - 1] == '\n' && ex->o.p[ex->o.n - 2] == '\n')
					ex->o.p[--ex->o.n] = 0;
				line(ex, depth, "}");
				sb_putc(&ex->o, '\n');
			}
		} else if (st->kind == SP_ST_CALL && strcmp(st->actor, a->name) == 0) {
			emit_step(ex, a, st, depth);
		}
	}
}

static void emit_actor(struct ex *ex, struct ex_actor *a)
{
	const struct sp_script *sc = ex->sc;
	int c = ex->lang == EXPORT_C;
	if (c) {
		sb_printf(&ex->o, "/* ==== The %s: one process, one call after another ", a->name);
		for (size_t k = strlen(a->name); k < 25; k++)
			sb_putc(&ex->o, '=');
		sb_puts(&ex->o, " */\n\n");
		sb_printf(&ex->o, "static void %s(void)\n{\n", a->fn);
		if (a->nsocks) {
			indent(ex, 1);
			sb_puts(&ex->o, "int ");
			for (size_t i = 0; i < a->nsocks; i++)
				sb_printf(&ex->o, "%s%s = -1", i ? ", " : "", a->socks[i].var);
			sb_puts(&ex->o, "; /* its sockets */\n");
		}
		line(ex, 1, "long long ret;");
		if (a->addr || a->peer) {
			line(ex, 1, "struct sockaddr_storage %s%s%s;", a->addr ? "addr" : "", a->addr && a->peer ? ", " : "",
			     a->peer ? "peer" : "");
			line(ex, 1, "socklen_t %s%s%s;", a->addr ? "addrlen" : "", a->addr && a->peer ? ", " : "",
			     a->peer ? "peerlen" : "");
		}
		if (a->bufsize)
			line(ex, 1, "%schar buf[%lld];", a->bufsize > 65536 ? "static " : "", a->bufsize);
		if (a->data)
			line(ex, 1, "char *data;");
		if (a->optval)
			line(ex, 1, "int optval;");
		if (a->optlen)
			line(ex, 1, "socklen_t optlen;");
		if (a->linger)
			line(ex, 1, "struct linger lg;");
		for (size_t i = 0; i < a->nsocks; i++)
			if (!a->socks[i].read)
				line(ex, 1, "(void)%s; /* made, never used again */", a->socks[i].var);
		sb_putc(&ex->o, '\n');
	} else {
		sb_printf(&ex->o, "# ==== The %s: one process, one call after another ", a->name);
		for (size_t k = strlen(a->name); k < 26; k++)
			sb_putc(&ex->o, '=');
		sb_puts(&ex->o, "\n\n\n");
		sb_printf(&ex->o, "def %s():\n", a->fn);
		if (a->nsocks) {
			indent(ex, 1);
			for (size_t i = 0; i < a->nsocks; i++)
				sb_printf(&ex->o, "%s = ", a->socks[i].var);
			sb_puts(&ex->o, "None  # its sockets\n\n");
		}
	}
	emit_body(ex, a, sc->stmts, sc->n, 1);
	if (c) {
		if (ex->o.n >= 2 && ex->o.p[ex->o.n - 1] == '\n' && ex->o.p[ex->o.n - 2] == '\n')
			ex->o.p[--ex->o.n] = 0;
		sb_puts(&ex->o, "}\n\n");
	} else {
		line(ex, 1, "wait_for_end()");
		sb_puts(&ex->o, "\n\n");
	}
}

/* ---- the order of the script ------------------------------------------------- */

static void emit_script_body(struct ex *ex, const struct sp_stmt *v, size_t n, int depth)
{
	int c = ex->lang == EXPORT_C;
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		const char *src = st->source ? st->source : "";
		while (*src == ' ' || *src == '\t')
			src++;
		switch (st->kind) {
		case SP_ST_REPEAT:
			if (st->repeat <= 0 || depth > 8)
				break;
			if (c)
				line(ex, depth, "for (int i%d = 0; i%d < %ld; i%d++) { /* repeat %ld */", depth, depth,
				     st->repeat, depth, st->repeat);
			else
				line(ex, depth, "for _ in range(%ld):  # repeat %ld", st->repeat, st->repeat);
			emit_script_body(ex, st->body, st->nbody, depth + 1);
			if (c)
				line(ex, depth, "}");
			break;
		case SP_ST_TITLE:
		case SP_ST_SAY:
			indent(ex, depth);
			sb_puts(&ex->o, st->kind == SP_ST_TITLE ? "title(" : "say(");
			lit_str(ex, st->text ? st->text : "", 0);
			sb_puts(&ex->o, c ? ");\n" : ")\n");
			break;
		case SP_ST_PAUSE:
			line(ex, depth, c ? "/* pause: sockplay waits for a key here */" : "# pause: sockplay waits for a key here");
			if (!c && i + 1 == n) /* a block must hold a statement */
				line(ex, depth, "pass");
			break;
		case SP_ST_SLEEP:
			line(ex, depth, c ? "sleep_ms(%ld);" : "sleep(%ld)", st->sleep_ms);
			break;
		case SP_ST_EXPECT: {
			struct ex_actor *a = find_actor(ex, st->actor);
			const char *sn = consts_tcp_state_name(st->state);
			indent(ex, depth);
			sb_printf(&ex->o, "expect(%s, ", a ? a->fn : "?");
			lit_str(ex, st->name, 0);
			if (c)
				sb_printf(&ex->o, ", %s, %d); /* ", c_state(st->state), st->line);
			else
				sb_printf(&ex->o, ", %s, %d)  # ", sn ? sn : "CLOSED", st->line);
			comment_text(ex, src, strlen(src));
			sb_puts(&ex->o, c ? " */\n" : "\n");
			break;
		}
		case SP_ST_CALL: {
			struct ex_actor *a = find_actor(ex, st->actor);
			struct ex_sock *fs = call_takes_fd(st->call) ? find_sock(a, st->args[0].name) : NULL;
			indent(ex, depth);
			sb_printf(&ex->o, "run(%s, %d", a ? a->fn : "?", st->line);
			struct ex_sock *as = st->assign[0] ? find_sock(a, st->assign) : NULL;
			if (as && as->checked) {
				sb_puts(&ex->o, c ? ", MAKES, " : ", makes=");
				lit_str(ex, st->assign, 0);
			} else if (st->call == SP_CALL_CLOSE && fs && fs->checked) {
				sb_puts(&ex->o, c ? ", CLOSES, " : ", closes=");
				lit_str(ex, fs->name, 0);
			} else if (c && ex->expect) {
				sb_puts(&ex->o, ", 0, NULL");
			}
			sb_puts(&ex->o, c ? "); /* " : ")  # ");
			comment_text(ex, src, strlen(src));
			sb_puts(&ex->o, c ? " */\n" : "\n");
			break;
		}
		}
	}
}

/* ---- the whole program -------------------------------------------------------- */

/* "hello" for "assets/demos/hello.sp" */
static void base_name(const char *file, char *out, size_t size)
{
	const char *b = strrchr(file, '/');
	b = b ? b + 1 : file;
	size_t n = strlen(b);
	if (n > 3 && strcmp(b + n - 3, ".sp") == 0)
		n -= 3;
	snprintf(out, size, "%.*s", (int)n, b);
	for (char *p = out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			*p = '_';
	if (!out[0] || out[0] == '-' || out[0] == '.')
		snprintf(out, size, "script");
}

static void emit_header(struct ex *ex)
{
	const struct sp_script *sc = ex->sc;
	int c = ex->lang == EXPORT_C;
	char base[128];
	base_name(sc->file ? sc->file : "script.sp", base, sizeof base);
	const char *file = sc->file ? sc->file : "script.sp";
	const char *b = strrchr(file, '/');
	b = b ? b + 1 : file;
	struct sb t = { 0 };
	sb_printf(&t, "%s as a %s program", b, c ? "C" : "Python");
	if (sc->title)
		sb_printf(&t, ": \"%s\"", sc->title);
	sb_puts(&t, ". Exported by sockplay.");
	if (c) {
		sb_puts(&ex->o, "/*\n");
		wrap(ex, 0, t.p ? t.p : "");
		sb_printf(&ex->o, " *\n *     cc -Wall -Wextra -o %s %s.c && ./%s\n *\n", base, base, base);
	} else {
		sb_puts(&ex->o, "#!/usr/bin/env python3\n");
		wrap(ex, 0, t.p ? t.p : "");
		sb_printf(&ex->o, "#\n#     python3 %s.py\n#\n", base);
	}
	free(t.p);
	struct sb names = { 0 };
	for (size_t i = 0; i < ex->nactors; i++)
		sb_printf(&names, "%s%s%s()", i == 0 ? "" : i + 1 == ex->nactors ? " and " : ", ",
			  ex->actors[i].fn, "");
	struct sb p = { 0 };
	sb_printf(&p, "Each side of the script is a process of its own, as in sockplay: a plain sequential "
		      "program (%s below) making that side's calls. The parent keeps the script's order: it "
		      "gives each step its turn, waits at most 100 ms for the call to return (otherwise the call "
		      "is <blocked> until a later step of another side releases it) and prints every result as "
		      "`sockplay --batch` does. The exit status is 0 when every expectation held.",
		  names.p ? names.p : "");
	wrap(ex, 0, p.p ? p.p : "");
	free(p.p);
	free(names.p);
	sb_puts(&ex->o, c ? " *\n" : "#\n");
	wrap(ex, 0, "It uses this machine's network, so the script's fixed ports must be free. sockplay runs "
		    "scripts in a private network namespace; so can you:");
	sb_printf(&ex->o, "%s    unshare -rn sh -c 'ip link set lo up; %s%s%s'\n", c ? " * " : "# ",
		  c ? "./" : "python3 ", base, c ? "" : ".py");
	if (c)
		sb_puts(&ex->o, " */\n");
	sb_putc(&ex->o, '\n');
}

static void emit_tables(struct ex *ex)
{
	int c = ex->lang == EXPORT_C;
	const struct sp_script *sc = ex->sc;
	if (c) {
		sb_puts(&ex->o, "static const char script_file[] = ");
		lit_str(ex, sc->file ? sc->file : "script.sp", 0);
		sb_puts(&ex->o, ";\n\n");
		sb_puts(&ex->o, "/* The sides, in the order they first act. */\n");
		sb_printf(&ex->o, "#define NACTORS %zu\n", ex->nactors);
		sb_puts(&ex->o, "static void (*const actors[NACTORS])(void) = { ");
		for (size_t i = 0; i < ex->nactors; i++)
			sb_printf(&ex->o, "%s%s", i ? ", " : "", ex->actors[i].fn);
		sb_puts(&ex->o, " };\nstatic const char *const actor_names[NACTORS] = { ");
		for (size_t i = 0; i < ex->nactors; i++) {
			sb_puts(&ex->o, i ? ", " : "");
			lit_str(ex, ex->actors[i].name, 0);
		}
		sb_puts(&ex->o, " };\n");
		if (ex->nshared) {
			sb_puts(&ex->o, "\n/* Sockets whose address another side uses. */\nstatic const char *const shared_names[] = { ");
			for (size_t i = 0; i < ex->nshared; i++) {
				sb_puts(&ex->o, i ? ", " : "");
				lit_str(ex, ex->shared[i], 0);
			}
			sb_puts(&ex->o, " };\n");
		}
		if (ex->expect)
			sb_printf(&ex->o, "#define MAX_SOCKETS %d /* that an expect asks about */\n",
				  ex->nchecked > 0 ? ex->nchecked : 1);
		sb_puts(&ex->o, "\n/* errno names, as sockplay prints them */\nstatic const char *const errno_names[] = {");
	} else {
		sb_puts(&ex->o, "SCRIPT_FILE = ");
		lit_str(ex, sc->file ? sc->file : "script.sp", 0);
		sb_puts(&ex->o, "\n");
		if (ex->nshared) {
			sb_puts(&ex->o, "SHARED_NAMES = [");  /* sockets whose address another side uses */
			for (size_t i = 0; i < ex->nshared; i++) {
				sb_puts(&ex->o, i ? ", " : "");
				lit_str(ex, ex->shared[i], 0);
			}
			sb_puts(&ex->o, "]  # sockets whose address another side uses\n");
		}
		sb_puts(&ex->o, "\n# errno names, as sockplay prints them\nERRNO_NAMES = {");
	}
	/* errno names: the first name of each value (no aliases) */
	int col = 100;
	for (size_t i = 0; consts_errno_at(i); i++) {
		const char *name = consts_errno_at(i);
		int v = consts_errno_from_name(name);
		if (!v || !consts_errno_name(v) || strcmp(consts_errno_name(v), name) != 0)
			continue;
		char item[96];
		if (c)
			snprintf(item, sizeof item, "[%s] = \"%s\",", name, name);
		else
			snprintf(item, sizeof item, "errno.%s: \"%s\",", name, name);
		int len = (int)strlen(item) + 1;
		if (col + len > 92) {
			sb_puts(&ex->o, c ? "\n\t" : "\n    ");
			col = c ? 8 : 4;
		} else {
			sb_putc(&ex->o, ' ');
		}
		sb_puts(&ex->o, item);
		col += len;
	}
	sb_puts(&ex->o, c ? "\n};\n" : "\n}\n");
	if (ex->expect) {
		sb_puts(&ex->o, c ? "\n/* TCP states by the kernel's numbers */\nstatic const char *const state_names[] = {"
				  : "\n# TCP states, numbered as the kernel does\n"
				    "ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSED, CLOSE_WAIT, "
				    "LAST_ACK, LISTEN, CLOSING = range(1, 12)\nSTATE_NAMES = [");
		for (int s = 0; consts_tcp_state_name(s); s++) {
			if (s % 7 == 0)
				sb_puts(&ex->o, c ? "\n\t" : "\n    ");
			else
				sb_putc(&ex->o, ' ');
			sb_printf(&ex->o, "\"%s\",", consts_tcp_state_name(s));
		}
		sb_puts(&ex->o, c ? "\n};\n" : "\n]\n");
	}
	sb_putc(&ex->o, '\n');
}

/* The helpers that the sides and the script call, declared before them. */
static void c_prototypes(struct ex *ex)
{
	struct sb *o = &ex->o;
	sb_puts(o, "/*\n"
		   " * Helpers, defined at the end of the file with the machinery that keeps the\n"
		   " * sides in the script's order (you may skip that part):\n"
		   " */\n");
	if (ex->step)
		sb_puts(o, "/* wait for this side's turn in the script, and say which call it makes */\n"
			   "static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));\n");
	if (ex->call)
		sb_puts(o, "/* the same in two halves, for a call whose address is made in between */\n"
			   "static void turn(void);\n"
			   "static void call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));\n");
	sb_puts(o, "/* report the call's result as sockplay prints it: \" = 3\", \" = -1 ECONNREFUSED (...)\" */\n");
	if (ex->done)
		sb_puts(o, "static void done(long long ret);\n");
	if (ex->done_addr)
		sb_puts(o, "static void done_addr(long long ret, const char *what, const struct sockaddr_storage *ss,\n"
			   "\t\t      socklen_t len); /* accept(): \" = 4 (peer 127.0.0.1:40000)\" */\n");
	if (ex->done_data)
		sb_puts(o, "static void done_data(long long ret, const char *buf, const struct sockaddr_storage *from,\n"
			   "\t\t      socklen_t fromlen); /* recv(): \" = 14 \\\"Hello, client!\\\"\" */\n");
	if (ex->done_value)
		sb_puts(o, "static void done_value(long long ret, int value); /* getsockopt(): \" = 0 (value 1)\" */\n");
	if (ex->done_error)
		sb_puts(o, "static void done_error(long long ret, int value); /* SO_ERROR: \" = 0 (value ECONNREFUSED)\" */\n");
	if (ex->done_linger)
		sb_puts(o, "static void done_linger(long long ret, const struct linger *lg); /* \" = 0 (value on, 5 s)\" */\n");
	if (ex->check)
		sb_puts(o, "/* the script's expectation on that result (\"= 0\"): OK says whether it held */\n"
			   "static void check(int line, int ok, const char *want, int data);\n");
	if (ex->ip || ex->unix_addr || ex->addr_text || ex->family_of)
		sb_puts(o, "/* addresses */\n");
	if (ex->ip)
		sb_puts(o, "static socklen_t ip_addr(struct sockaddr_storage *ss, int family, const char *host, int port);\n");
	if (ex->unix_addr)
		sb_puts(o, "static socklen_t unix_addr(struct sockaddr_storage *ss, const char *path, int abstract);\n");
	if (ex->addr_text)
		sb_puts(o, "static const char *addr_text(const struct sockaddr_storage *ss, socklen_t len);\n");
	if (ex->family_of)
		sb_puts(o, "static int family_of(int fd);\n");
	if (ex->nshared)
		sb_puts(o, "/* where another side's socket is bound (server.addr(s)): shared memory */\n"
			   "static void share_addr(const char *name, int fd);\n"
			   "static socklen_t shared_addr(const char *name, struct sockaddr_storage *ss);\n");
	if (ex->repeat || ex->same)
		sb_puts(o, "/* data such as \"x\" * 100000 */\n");
	if (ex->repeat)
		sb_puts(o, "static char *repeat(const char *unit, size_t len, size_t count);\n");
	if (ex->same)
		sb_puts(o, "static int same(const char *buf, long long n, const char *unit, size_t len, size_t count);\n");
	sb_puts(o, "/* the parent: let a side make its next call");
	sb_puts(o, ex->expect ? "; ask the kernel for a socket's TCP state */\n" : " */\n");
	if (ex->expect)
		sb_puts(o, "static void run(void (*side)(void), int line, int what, const char *name);\n"
			   "static void expect(void (*side)(void), const char *name, int want, int line);\n"
			   "enum { MAKES = 1, CLOSES = 2 }; /* what a step does to a socket */\n");
	else
		sb_puts(o, "static void run(void (*side)(void), int line);\n");
	if (ex->title)
		sb_puts(o, "static void title(const char *text);\n");
	if (ex->say)
		sb_puts(o, "static void say(const char *text);\n");
	if (ex->sleep)
		sb_puts(o, "static void sleep_ms(long ms);\n");
	sb_putc(o, '\n');
}

static void emit_c(struct ex *ex)
{
	emit_header(ex);
	sb_puts(&ex->o, "#define _GNU_SOURCE\n");
	static const char *const includes[] = {
		"arpa/inet.h", "errno.h", "fcntl.h", "netinet/in.h", "netinet/tcp.h", "poll.h", "signal.h",
		"stdarg.h", "stddef.h", "stdio.h", "stdlib.h", "string.h", "sys/mman.h", "sys/prctl.h",
		"sys/resource.h", "sys/socket.h", "sys/un.h", "sys/wait.h", "time.h", "unistd.h",
	};
	for (size_t i = 0; i < sizeof includes / sizeof includes[0]; i++) {
		if (strcmp(includes[i], "sys/mman.h") == 0 && !ex->nshared)
			continue;
		sb_printf(&ex->o, "#include <%s>\n", includes[i]);
	}
	sb_putc(&ex->o, '\n');
	c_prototypes(ex);
	for (size_t i = 0; i < ex->nactors; i++)
		emit_actor(ex, &ex->actors[i]);
	sb_puts(&ex->o, "/* ==== The script: whose turn it is, step by step ======================== */\n\n");
	sb_puts(&ex->o, "static void script(void)\n{\n");
	emit_script_body(ex, ex->sc->stmts, ex->sc->n, 1);
	sb_puts(&ex->o, "}\n\n");

	chunk(ex, c_head);
	emit_tables(ex);
	chunk(ex, c_core);
	if (ex->escape)
		chunk(ex, c_escape);
	if (ex->addr_text)
		chunk(ex, c_addr_text);
	if (ex->ip)
		chunk(ex, c_ip_addr);
	if (ex->unix_addr)
		chunk(ex, c_unix_addr);
	if (ex->family_of)
		chunk(ex, c_family_of);
	if (ex->repeat)
		chunk(ex, c_repeat);
	if (ex->same)
		chunk(ex, c_same);
	chunk(ex, c_actor);
	if (ex->call)
		chunk(ex, c_call);
	if (ex->step)
		chunk(ex, c_step);
	chunk(ex, c_keep_result);
	if (ex->done)
		chunk(ex, c_done);
	if (ex->done_addr)
		chunk(ex, c_done_addr);
	if (ex->done_data)
		chunk(ex, c_done_data);
	if (ex->done_value)
		chunk(ex, c_done_value);
	if (ex->done_error)
		chunk(ex, c_done_error);
	if (ex->done_linger)
		chunk(ex, c_done_linger);
	if (ex->check)
		chunk(ex, c_check);
	if (ex->nshared)
		chunk(ex, c_shared);
	chunk(ex, c_parent);
	if (ex->expect)
		chunk(ex, c_track);
	chunk_part(ex, c_wait);
	if (ex->expect)
		chunk_part(ex, c_wait_track);
	chunk(ex, c_wait_end);
	chunk(ex, ex->expect ? c_run_track : c_run);
	if (ex->title)
		chunk(ex, c_title);
	if (ex->say)
		chunk(ex, c_say);
	if (ex->sleep)
		chunk(ex, c_sleep);
	chunk_part(ex, c_main);
	if (ex->nshared)
		chunk_part(ex, c_main_shared);
	chunk_part(ex, c_main_end);
}

static void emit_python(struct ex *ex)
{
	struct sb *o = &ex->o;
	emit_header(ex);
	sb_puts(o, "\n");
	if (ex->nshared)
		sb_puts(o, "import ast\n");
	sb_puts(o, "import ctypes\nimport errno\n");
	if (ex->nshared)
		sb_puts(o, "import mmap\n");
	sb_puts(o, "import os\nimport resource\nimport select\nimport signal\nimport socket\n");
	if (ex->nshared || ex->struct_ || ex->raw)
		sb_puts(o, "import struct\n");
	sb_puts(o, "import sys\nimport time\n\n");
	sb_puts(o, "# Helpers, defined at the end of the file with the machinery that keeps the\n"
		   "# sides in the script's order (you may skip that part):\n"
		   "#   with step(TEXT) as r:  wait for this side's turn in the script, say which\n"
		   "#                          call it makes, and record in r what the call did:\n"
		   "#                          r.ret as C returns it (-1 and r.err where Python\n"
		   "#                          raises OSError), r.data received, r.note\n"
		   "#   turn(); call(TEXT)     the same in two halves, for a call whose address is\n"
		   "#                          made in between\n"
		   "#   check(LINE, OK, WANT)  the script's expectation (\"= 0\") on that result\n"
		   "#   keep(sock), fd(sock)   keep a socket open, as a C program keeps its\n"
		   "#                          descriptors; the descriptor's number\n"
		   "#   run(side, line)        the parent: let a side make its next call\n");
	if (ex->expect)
		sb_puts(o, "#   expect(side, name, STATE, line)  ask the kernel for a socket's TCP state\n");
	sb_puts(o, "\n\n");
	for (size_t i = 0; i < ex->nactors; i++)
		emit_actor(ex, &ex->actors[i]);
	sb_puts(o, "# ==== The script: whose turn it is, step by step ==========================\n\n\n");
	sb_puts(o, "def script():\n");
	emit_script_body(ex, ex->sc->stmts, ex->sc->n, 1);
	sb_puts(o, "\n\n");
	chunk(ex, py_head);
	emit_tables(ex);
	sb_putc(o, '\n');
	chunk(ex, py_core);
	if (ex->addr_text || ex->raw)
		chunk(ex, py_show);
	chunk(ex, py_actor);
	if (ex->by_number)
		chunk(ex, py_by_number);
	if (ex->family_of)
		chunk(ex, py_family_of);
	if (ex->raw)
		chunk(ex, py_raw);
	chunk(ex, py_check);
	if (ex->nshared)
		chunk(ex, py_shared);
	chunk(ex, py_parent);
	chunk(ex, ex->expect ? py_track : py_track_none);
	sb_puts(o, "SIDES = [");
	for (size_t i = 0; i < ex->nactors; i++) {
		sb_printf(o, "%sSide(", i ? ", " : "");
		lit_str(ex, ex->actors[i].name, 0);
		sb_printf(o, ", %s)", ex->actors[i].fn);
	}
	sb_puts(o, "]  # in the order they first act\n\n\n");
	chunk_part(ex, py_main);
}

int export_program(const struct sp_script *script, enum export_lang lang, FILE *fp,
		   char *err, size_t errlen)
{
	if (!script || !fp || (lang != EXPORT_C && lang != EXPORT_PYTHON)) {
		snprintf(err, errlen, "nothing to export");
		return -1;
	}
	struct ex *ex = calloc(1, sizeof *ex);
	if (!ex) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ex->sc = script;
	ex->lang = lang;
	analyze(ex, script->stmts, script->n);
	analyze_picks(ex, script->stmts, script->n);
	int rc = 0;
	if (ex->nactors == 0) {
		snprintf(err, errlen, "the script makes no call: there is nothing to export");
		rc = -1;
	} else {
		if (lang == EXPORT_C)
			emit_c(ex);
		else
			emit_python(ex);
		if (ex->o.oom) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (fwrite(ex->o.p, 1, ex->o.n, fp) != ex->o.n || fflush(fp) != 0 || ferror(fp)) {
			snprintf(err, errlen, "cannot write the program: %s", strerror(errno));
			rc = -1;
		}
	}
	for (size_t i = 0; i < ex->nactors; i++)
		free(ex->actors[i].socks);
	free(ex->shared);
	free(ex->o.p);
	free(ex);
	return rc;
}
