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
 *   4. the machinery: the chunks of the runtime (export_rt/runtime.c or
 *      runtime.py, real files that the build compiles) that the script
 *      needs, by the table of helpers below (C with -Wall -Wextra -Werror
 *      refuses unused helpers).
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
 * ESTABLISHED (connected) or CLOSED only, from /proc/net/unix. A name whose
 * socket was never made (every call that would have made it failed) stops
 * sockplay's script with an error; the programs go on with -1 (C) or
 * NOT_MADE (Python), on which every call fails with EBADF.
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
#include "sockplay/grow.h"
#include "sockplay/text.h"
#include "sockplay/transcript.h"

/* ---- the runtime: its chunks, and the helpers they make ------------------- */

#include "export_rt/runtime.h" /* rt_c[], rt_py[]: generated from export_rt/runtime.{c,py} */

/*
 * The helpers a program may need, one row each: the chunks of runtime.c
 * (its declaration, then its code) and of runtime.py it is made of, and the
 * helpers it calls. analyze() notes which helpers the script calls; the
 * program is the runtime's chunks, in the order of their file, that belong
 * to the helpers needed. A chunk belongs to one row (test_export checks).
 */
enum helper {
	H_BASE, H_STEP, H_CALL, H_DONE, H_DONE_ADDR, H_DONE_NAME, H_DONE_DATA, H_DONE_VALUE, H_DONE_ERROR,
	H_DONE_LINGER, H_CHECK, H_ESCAPE, H_ADDRESSES, H_ADDR_TEXT, H_IP, H_UNIX_ADDR, H_FAMILY_OF,
	H_DATA, H_REPEAT, H_SAME, H_SHARED, H_STRUCT, H_BY_NUMBER, H_RAW, H_RUN, H_EXPECT, H_TITLE,
	H_SAY, H_SLEEP, H_IOCTL, H_TIMEVAL, H_DONE_TRUNC, H_DONE_FDS, H_READY, H_READY_POLL, H_READY_SELECT,
	H_READY_CHECK, H_COUNT
};

#define H(h) (1ull << (h))

static const struct helper_row {
	const char *name;   /* what the program calls */
	const char *proto;  /* its declaration in runtime.c */
	const char *c, *py; /* its chunks of runtime.c and runtime.py */
	unsigned long long needs; /* the helpers it calls: H() bits */
} helpers[H_COUNT] = {
	[H_BASE] = { "the machinery", "protos protos_report protos_end",
		     "includes includes_end script_begin script_end head core actor keep_result parent "
		     "wait wait_end main main_end",
		     "top imports imports_os imports_end helpers helpers_end script_begin script_end head "
		     "core actor check parent main", 0 },
	[H_STEP] = { "step", "proto_step", "step", NULL, 0 },
	[H_CALL] = { "turn, call", "proto_call", "call", NULL, 0 },
	[H_DONE] = { "done", "proto_done", "done", NULL, 0 },
	[H_DONE_ADDR] = { "done_addr", "proto_done_addr", "done_addr", NULL, H(H_ADDR_TEXT) },
	[H_DONE_NAME] = { "done_name", "proto_done_name", "done_name", NULL, H(H_ADDR_TEXT) },
	[H_DONE_DATA] = { "done_data", "proto_done_data", "done_data", NULL, H(H_ADDR_TEXT) },
	[H_DONE_VALUE] = { "done_value", "proto_done_value", "done_value", NULL, 0 },
	[H_DONE_ERROR] = { "done_error", "proto_done_error", "done_error", NULL, 0 },
	[H_DONE_LINGER] = { "done_linger", "proto_done_linger", "done_linger", NULL, 0 },
	[H_CHECK] = { "check", "proto_check", "check", NULL, H(H_ESCAPE) },
	[H_ESCAPE] = { "escape", NULL, "escape", NULL, 0 },
	[H_ADDRESSES] = { "(their heading)", "protos_addresses", NULL, NULL, 0 },
	[H_ADDR_TEXT] = { "addr_text, show", "proto_addr_text", "addr_text", "show",
			  H(H_ESCAPE) | H(H_ADDRESSES) },
	[H_IP] = { "ip_addr", "proto_ip_addr", "ip_addr", NULL, H(H_ADDRESSES) },
	[H_UNIX_ADDR] = { "unix_addr", "proto_unix_addr", "unix_addr", NULL, H(H_ADDRESSES) },
	[H_FAMILY_OF] = { "family_of", "proto_family_of", "family_of", "family_of", H(H_ADDRESSES) },
	[H_DATA] = { "(their heading)", "protos_data", NULL, NULL, 0 },
	[H_REPEAT] = { "repeat", "proto_repeat", "repeat", NULL, H(H_DATA) },
	[H_SAME] = { "same", "proto_same", "same", NULL, H(H_DATA) },
	[H_SHARED] = { "share_addr, shared_addr", "proto_shared", "include_mman shared main_shared",
		       "import_ast import_mmap shared", H(H_STRUCT) },
	[H_STRUCT] = { "struct (Python)", NULL, NULL, "import_struct", 0 },
	[H_BY_NUMBER] = { "by_number", NULL, NULL, "by_number", 0 },
	[H_RAW] = { "raw", NULL, NULL, "raw", H(H_STRUCT) | H(H_ADDR_TEXT) },
	[H_RUN] = { "run", "proto_run", "run", "track_none", 0 },
	[H_EXPECT] = { "run, expect", "proto_expect", "track wait_track run_track", "helpers_expect track", 0 },
	[H_TITLE] = { "title", "proto_title", "title", NULL, 0 },
	[H_SAY] = { "say", "proto_say", "say", NULL, 0 },
	[H_SLEEP] = { "sleep_ms", "proto_sleep", "sleep", NULL, 0 },
	[H_IOCTL] = { "ioctl (its headers)", NULL, "include_ioctl", "import_ioctl", H(H_STRUCT) },
	[H_TIMEVAL] = { "struct timeval (its header)", NULL, "include_time", NULL, H(H_STRUCT) },
	[H_DONE_TRUNC] = { "done_trunc", "proto_done_trunc", "done_trunc", NULL, H(H_ESCAPE) },
	[H_DONE_FDS] = { "done_fds", "proto_done_fds", "done_fds", NULL, 0 },
	[H_READY] = { "ready_note (poll, select)", NULL, "ready", "ready", 0 },
	[H_READY_POLL] = { "done_poll", "proto_ready_poll", "ready_poll", NULL, H(H_READY) },
	[H_READY_SELECT] = { "nfds_of, done_select", "proto_ready_select", "include_select ready_select", NULL,
			     H(H_READY) },
	[H_READY_CHECK] = { "ready_is, check_ready", "proto_ready_check", "ready_check", NULL, H(H_READY) },
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
	int assigned;              /* calls that give it a socket (2: more than one) */
};

struct ex_actor {
	char name[SP_NAME_MAX];
	char fn[SP_NAME_MAX + 8]; /* its function in the program */
	struct ex_sock *socks;
	size_t nsocks, cap;
	long long bufsize;        /* the largest recv(), 0 when none */
	int addr, peer, data, optval, optlen, linger; /* the C locals it needs */
	int timeval;              /* ... a struct timeval (SO_RCVTIMEO, SO_SNDTIMEO) */
	int pair;                 /* socketpair(): int sv[2] */
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
	int repeating;            /* analyze(): inside a repeat block */
	unsigned long long need;  /* the helpers the program uses: H() bits */
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
	/* socketpair() and unlink() */
	"socketpair", "unlink", "sv", "done_fds",
	/* poll() and select() */
	"select", "pollfd", "pfd", "rset", "wset", "tv", "sel", "timeval", "fd_set", "done_poll",
	"done_select", "nfds_of", "ready_is", "ready_note", "ready_add", "ready_items", "check_ready",
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
	"failures", "Result", "Side", "NotMade",
	/* socketpair() without names */
	"pair_a", "pair_b",
	/* poll() and select() */
	"poller", "events", "ready", "watched", "poll_note", "select_note", "ready_is", "ready_items", "check_ready",
	"POLL_NAMES",
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
	struct ex_sock *v = grow_array(a->socks, a->nsocks, &a->cap, sizeof *v, 8);
	if (!v)
		return NULL;
	a->socks = v;
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
		ex->need |= H(H_IP);
		break;
	case SP_ADDR_UNIX:
		ex->need |= H(H_UNIX_ADDR);
		break;
	case SP_ADDR_UNSPEC: /* Python's connect() has no AF_UNSPEC: through libc */
		ex->need |= H(H_RAW);
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

/* poll(), select(): the sockets they watch are read, by name or by number. */
static void analyze_ready(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st)
{
	for (int i = 0; st->ready && i < st->ready->n; i++) {
		struct ex_sock *s = find_sock(a, st->ready->s[i].name);
		if (s)
			s->read = 1;
		else
			ex->need |= H(H_BY_NUMBER);
	}
}

static void analyze_call(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *av = st->args;
	struct ex_sock *fs = NULL, *ns;
	if (!ci)
		return;
	if (ci->fd_arg >= 0) {
		if (av[ci->fd_arg].name[0]) {
			fs = find_sock(a, av[ci->fd_arg].name);
			if (fs)
				fs->read = 1;
		} else {
			ex->need |= H(H_BY_NUMBER);
		}
	}
	/* a call given an address shows it: turn(), then call() once the address is made */
	if (ci->addr_arg >= 0) {
		ex->need |= H(H_CALL) | H(H_ADDR_TEXT);
		a->addr = 1;
		analyze_addr(ex, a, &av[ci->addr_arg].addr);
	} else {
		ex->need |= H(H_STEP);
	}
	if (ci->data_arg >= 0 && av[ci->data_arg].data.count > 1) {
		ex->need |= H(H_REPEAT);
		a->data = 1;
	}
	if ((ci->flags & CALL_F_READS) && ci->num_arg >= 0) {
		if (av[ci->num_arg].num > a->bufsize)
			a->bufsize = av[ci->num_arg].num;
		if (a->bufsize < 1)
			a->bufsize = 1;
	}
	if (ci->flags & CALL_F_FROM)
		a->peer = 1;
	if ((ci->flags & CALL_F_NEWFD) && st->assign[0] && (ns = add_sock(ex, a, st->assign)) != NULL) {
		int family = fs && fs->family > 0 ? fs->family : -1, type = fs && fs->type > 0 ? fs->type : -1;
		for (int i = 0; i < ci->max; i++) { /* socket(): as the call says */
			if (ci->args[i].sh == CALL_SH_DOMAIN)
				family = (int)av[i].num;
			else if (ci->args[i].sh == CALL_SH_TYPE)
				type = (int)av[i].num;
		}
		ns->assigned += ex->repeating ? 2 : 1;
		merge(&ns->family, family);
		merge(&ns->type, type);
	}
	if (ci->flags & CALL_F_PAIR) { /* socketpair(): two sockets, named as the statement says */
		const char *names[2] = { st->assign, st->assign2 };
		a->pair = 1;
		for (int k = 0; k < 2; k++) {
			if (!names[k][0] || !(ns = add_sock(ex, a, names[k])))
				continue;
			ns->assigned += ex->repeating ? 2 : 1;
			merge(&ns->family, (int)av[0].num);
			merge(&ns->type, (int)av[1].num);
		}
	}
	const struct sp_opt *opt = ci->opt_arg >= 0 ? consts_opt_at((size_t)av[ci->opt_arg].num) : NULL;
	if (ci->opt_arg >= 0 && opt && opt->kind == SP_OPT_LINGER) {
		a->linger = 1;
		ex->need |= H(H_STRUCT);
	} else if (ci->opt_arg >= 0 && opt && opt->kind == SP_OPT_TIME) {
		a->timeval = 1; /* a timeout is a struct timeval, its value shown in ms */
		ex->need |= H(H_TIMEVAL);
	} else if (ci->opt_arg >= 0) {
		a->optval = 1;
	}
	/* how the result is reported: with its note, its data, or alone */
	if (st->call == SP_CALL_IOCTL) { /* its value in optval; FIONBIO's too, reporting none */
		a->optval = 1;
		ex->need |= H(H_IOCTL) | (call_ioctl_takes_value((int)av[1].num) ? H(H_DONE) : H(H_DONE_VALUE));
	} else if ((ci->flags & CALL_F_READS) && ci->flags_arg >= 0 && (av[ci->flags_arg].num & MSG_TRUNC)) {
		ex->need |= H(H_DONE_TRUNC); /* the datagram's length, more than the buffer holds */
	} else if (ci->note == CALL_NOTE_PEER) {
		ex->need |= H(H_DONE_ADDR);
	} else if (ci->note == CALL_NOTE_NAME || ci->note == CALL_NOTE_PEERNAME) {
		ex->need |= H(H_DONE_NAME) | H(H_ADDR_TEXT);
		a->addr = 1;
	} else if (ci->flags & CALL_F_READS) {
		ex->need |= H(H_DONE_DATA);
	} else if (ci->note == CALL_NOTE_FDS) {
		ex->need |= H(H_DONE_FDS);
	} else if (ci->note == CALL_NOTE_READY) {
		ex->need |= H(H_READY) | H(st->call == SP_CALL_SELECT ? H_READY_SELECT : H_READY_POLL);
		if (st->ready && st->ready->expect && st->expect.present)
			ex->need |= H(H_READY_CHECK);
		analyze_ready(ex, a, st);
	} else if (ci->note == CALL_NOTE_VALUE) {
		a->optlen = 1;
		if (opt && opt->kind == SP_OPT_LINGER)
			ex->need |= H(H_DONE_LINGER);
		else if (opt && opt->kind == SP_OPT_ERROR)
			ex->need |= H(H_DONE_ERROR);
		else
			ex->need |= H(H_DONE_VALUE);
		if (opt && opt->kind == SP_OPT_TIME)
			a->optlen = 1;
	} else {
		ex->need |= H(H_DONE);
	}
	if (st->expect.present && !(st->ready && st->ready->expect)) {
		ex->need |= H(H_CHECK);
		if (st->expect.has_data && st->expect.data.count > 1)
			ex->need |= H(H_SAME);
	}
}

static void analyze(struct ex *ex, const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		switch (st->kind) {
		case SP_ST_REPEAT:
			ex->repeating++;
			analyze(ex, st->body, st->nbody);
			ex->repeating--;
			break;
		case SP_ST_CALL: {
			struct ex_actor *a = add_actor(ex, st->actor);
			if (a)
				analyze_call(ex, a, st);
			break;
		}
		case SP_ST_EXPECT: {
			struct ex_sock *s = find_sock(find_actor(ex, st->actor), st->name);
			ex->need |= H(H_EXPECT);
			if (s && !s->checked) {
				s->checked = 1;
				ex->nchecked++;
			}
			break;
		}
		case SP_ST_TITLE:
			ex->need |= H(H_TITLE);
			break;
		case SP_ST_SAY:
			ex->need |= H(H_SAY);
			break;
		case SP_ST_SLEEP:
			ex->need |= H(H_SLEEP);
			break;
		case SP_ST_PAUSE:
			break;
		case SP_ST_EXPECT_SIDE:
		case SP_ST_EXPECT_WIRE:
			break; /* kept as comments (emit_sockplay_only()) */
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
	struct sp_addr named;
	const char *why;
	memset(p, 0, 2 * sizeof *p);
	if (ad->kind == SP_ADDR_IP && ad->host[0]) { /* a name: the export writes what it resolves to here */
		named = *ad;
		if (script_addr_resolve(&named, 0, &why) == 0)
			ad = &named;
	}
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

/* The first host name of V[0..N) that does not resolve, as ERR; 0 when every one does. */
static int check_names(const struct sp_stmt *v, size_t n, const char *file, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		if (st->kind == SP_ST_REPEAT && check_names(st->body, st->nbody, file, err, errlen) < 0)
			return -1;
		for (int k = 0; st->kind == SP_ST_CALL && k < st->nargs; k++) {
			struct sp_addr named = st->args[k].addr;
			const char *why = "";
			if (st->args[k].kind == SP_ARG_ADDR && script_addr_resolve(&named, 0, &why) < 0) {
				snprintf(err, errlen, "%s:%d: cannot resolve '%s': %s", file ? file : "-", st->line,
					 named.host, why);
				return -1;
			}
		}
	}
	return 0;
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
		if (!k || st->args[k].addr.kind == SP_ADDR_OF || st->args[k].addr.kind == SP_ADDR_UNSPEC)
			continue;
		struct ex_actor *a = find_actor(ex, st->actor);
		struct pick p[2];
		int fam = socket_family(a, st);
		if (pick_addr(&st->args[k].addr, fam, p) == 2)
			ex->need |= H(H_FAMILY_OF);
		else if (fam > 0 && p[0].family != fam)
			ex->need |= H(H_RAW);
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
		if (ex->lang == EXPORT_C && ((c == '/' && i > 0 && s[i - 1] == '*') ||
					     (c == '*' && i > 0 && s[i - 1] == '/')))
			sb_putc(&ex->o, ' '); /* neither end the comment nor open one in it */
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

/* MSG_* flags as sockplay shows them: "MSG_PEEK|MSG_DONTWAIT"; Python spells "socket.MSG_PEEK | ...". */
static void flags_text(int flags, char *out, size_t size, int python)
{
	consts_msg_flags_join(flags, python ? "socket." : "", python ? " | " : "|", out, size);
}

static const char *level_name(int level)
{
	return level == SOL_SOCKET ? "SOL_SOCKET" : level == IPPROTO_TCP ? "IPPROTO_TCP"
		: level == IPPROTO_IPV6 ? "IPPROTO_IPV6" : NULL;
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

/* The comment above a step: the script's line, what the call does, the statement in the other language. */
static void step_comment(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int depth)
{
	const char *src = st->source ? st->source : "";
	while (*src == ' ' || *src == '\t')
		src++;
	int type = socket_type(a, st);
	const char *what = explain_call_type(st->call, type);
	char other[1024]; /* the statement in the other language, as --explain writes it */
	explain_code(st, ex->lang == EXPORT_C, other, sizeof other);
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
	if (other[0]) {
		char buf[1100];
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
	if (ad->kind == SP_ADDR_UNSPEC) {
		if (ex->lang == EXPORT_C) {
			line(ex, depth, "memset(&addr, 0, sizeof addr); /* AF_UNSPEC: a family of 0, no address */");
			line(ex, depth, "addrlen = sizeof(struct sockaddr);");
		} else {
			line(ex, depth, "addr = None  # AF_UNSPEC: no address, only a family of 0");
		}
		return 0;
	}
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

static void fd_expr(struct ex *ex, struct ex_actor *a, const struct sp_arg *arg, char *out, size_t size);

/* Socket I of a poll() or select() as the program names it: its variable, or its number. */
static void ready_fd(struct ex *ex, struct ex_actor *a, const struct sp_ready_sock *rs, char *out, size_t size)
{
	struct sp_arg arg = { .kind = SP_ARG_SOCK, .num = rs->fd };
	snprintf(arg.name, sizeof arg.name, "%s", rs->name);
	fd_expr(ex, a, &arg, out, size);
}

/* A poll()'s or select()'s list as a format ("%d POLLIN, %d POLLOUT"), its fds appended to ARGS. */
static const char *ready_format(struct ex *ex, const struct sp_stmt *st, char *buf, size_t size, struct sb *args)
{
	struct sp_ready_sock v[SP_READY_MAX];
	int n = st->ready->n;
	memcpy(v, st->ready->s, (size_t)n * sizeof v[0]);
	for (int i = 0; i < n; i++) /* each socket shown as its number, printed by the program */
		snprintf(v[i].name, sizeof v[i].name, "%%d");
	script_ready_format(st->call, v, n, buf, size);
	/* the numbers in the order the text shows them: select's by set */
	for (int set = 0; set < (st->call == SP_CALL_SELECT ? 2 : 1); set++)
		for (int i = 0; i < n; i++) {
			char fd[SP_NAME_MAX + 32];
			if (st->call == SP_CALL_SELECT && st->ready->s[i].events != (set ? SP_SEL_WRITE : SP_SEL_READ))
				continue;
			ready_fd(ex, find_actor(ex, st->actor), &st->ready->s[i], fd, sizeof fd);
			if (!st->ready->s[i].name[0]) /* by number: as written */
				sb_printf(args, ", %d", st->ready->s[i].fd);
			else
				sb_printf(args, ex->lang == EXPORT_PYTHON ? ", fd(%s)" : ", %s", fd);
		}
	return buf;
}

/* The step's format ("bind(%d, %s)", the call's text as sockplay shows it) and its arguments (", s, addr_text(...)"). */
static void step_format(struct ex *ex, const struct sp_stmt *st, const char *fd, int has_addr, struct sb *fmt,
			struct sb *args)
{
	char buf[1024];
	int py = ex->lang == EXPORT_PYTHON;
	const char *addr = py ? "show(addr)" : "addr_text(&addr, addrlen)";
	if (call_takes_fd(st->call) && py && !st->args[0].name[0])
		sb_printf(args, ", %lld", st->args[0].num); /* by number: as written */
	else if (call_takes_fd(st->call))
		sb_printf(args, py ? ", fd(%s)" : ", %s", fd);
	struct call_text_in in = { .fd = "%d", .addr = "%s", .printf_fmt = 1 };
	char ready[512];
	if (st->ready)
		in.ready = ready_format(ex, st, ready, sizeof ready, args);
	call_format(st, &in, buf, sizeof buf);
	sb_puts(fmt, buf);
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
	} else if (e->data.count > 1 || (long long)total > e->ret) { /* MSG_TRUNC: ret may be more */
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

/*
 * C: a name given a socket more than once keeps the one it has when the call
 * fails, as in sockplay (and Python, where the failed call raises before the
 * assignment): ret is -1 then, not a socket.
 */
static void keep_if_made(struct ex *ex, int depth, const struct ex_sock *s)
{
	line(ex, depth, "if (ret >= 0) /* a failed call leaves %s as it was */", s->var);
	line(ex, depth + 1, "%s = (int)ret;", s->var);
}

/*
 * "(value X)": a condition on what the call left, optval (lg, tv) in C and
 * value (on, secs) in Python, joined to the result's condition in B.
 */
static void value_cond(struct ex *ex, const struct sp_stmt *st, struct sb *b)
{
	const struct sp_expect *e = &st->expect;
	const struct call_info *ci = call_info(st->call);
	const struct sp_opt *opt = ci && ci->opt_arg >= 0 ? consts_opt_at((size_t)st->args[ci->opt_arg].num) : NULL;
	int py = ex->lang == EXPORT_PYTHON;
	const char *and = py ? " and " : " && ", *v = py ? "value" : "optval";
	const char *en = opt && opt->kind == SP_OPT_ERROR && e->value ? consts_errno_name((int)e->value) : NULL;
	if (opt && opt->kind == SP_OPT_LINGER)
		v = py ? "on" : "lg.l_onoff";
	else if (opt && opt->kind == SP_OPT_TIME && !py)
		v = "(tv.tv_sec * 1000 + tv.tv_usec / 1000)";
	if (e->value_onoff)
		sb_printf(b, "%s(%s != 0) == %s", and, v, e->value ? (py ? "True" : "1") : (py ? "False" : "0"));
	else if (en)
		sb_printf(b, "%s%s == %s%s", and, v, py ? "errno." : "", en);
	else
		sb_printf(b, "%s%s == %lld", and, v, e->value);
	if (e->value_secs >= 0)
		sb_printf(b, "%s%s == %lld", and, py ? "secs" : "lg.l_linger", e->value_secs);
}

/* ioctl(): FIONREAD and SIOCOUTQ report a count into optval (value), FIONBIO sets the mode. */
static void emit_ioctl(struct ex *ex, const struct sp_stmt *st, const char *fd, int d)
{
	const char *rn = consts_name(SP_K_IOCTL, (int)st->args[1].num);
	int setter = call_ioctl_takes_value((int)st->args[1].num);
	if (!rn)
		rn = "FIONREAD";
	if (ex->lang == EXPORT_C) {
		line(ex, d, "optval = %lld;", setter ? st->args[2].num : 0);
		line(ex, d, "ret = ioctl(%s, %s, &optval);", fd, rn);
		line(ex, d, setter ? "done(ret);" : "done_value(ret, optval);");
		return;
	}
	/* Python's termios names the requests; SIOCOUTQ is TIOCOUTQ there, the same number */
	int outq = strcmp(rn, "SIOCOUTQ") == 0;
	if (setter) {
		line(ex, d, "fcntl.ioctl(%s, termios.%s, struct.pack(\"i\", %lld))", fd, rn, st->args[2].num);
	} else {
		line(ex, d, "value = struct.unpack(\"i\", fcntl.ioctl(%s, termios.%s, bytes(4)))[0]%s", fd,
		     outq ? "TIOCOUTQ" : rn, outq ? "  # SIOCOUTQ" : "");
		line(ex, d, "r.note = \"value %%d\" %% value");
	}
}

/*
 * recv(MSG_TRUNC): the datagram's length, of which the buffer holds the first
 * bytes; TCP (TCP 1) takes the bytes and copies none, so none are shown.
 */
static void emit_recv_trunc(struct ex *ex, const struct sp_stmt *st, const char *fd, const char *fl, int tcp,
			    int d)
{
	long long len = st->args[1].num, keep = tcp ? 0 : len;
	int from = st->call == SP_CALL_RECVFROM;
	if (ex->lang == EXPORT_C) {
		if (from) {
			line(ex, d, "peerlen = sizeof peer;");
			line(ex, d, "ret = recvfrom(%s, buf, %lld, %s, (struct sockaddr *)&peer, &peerlen);", fd, len, fl);
			line(ex, d, "done_trunc(ret, buf, %lld, &peer, peerlen);", keep);
		} else {
			line(ex, d, "ret = recv(%s, buf, %lld, %s);", fd, len, fl);
			line(ex, d, "done_trunc(ret, buf, %lld, NULL, 0);", keep);
		}
		return;
	}
	/* recv_into(): Python's recv() would make a bytes object of the datagram's length */
	line(ex, d, "r.data = bytearray(%lld)", len);
	if (from) {
		line(ex, d, "r.ret, peer = %s.recvfrom_into(r.data, %lld, %s)", fd, len, fl);
		line(ex, d, "r.data, r.note = bytes(r.data[:%s]), note(\"from\", peer)", tcp ? "0" : "r.ret");
	} else {
		line(ex, d, "r.ret = %s.recv_into(r.data, %lld, %s)", fd, len, fl);
		line(ex, d, "r.data = bytes(r.data[:%s])", tcp ? "0" : "r.ret");
	}
}

/* connect(fd, AF_UNSPEC): an address of no family, which Python's connect() cannot make. */
static void emit_unspec(struct ex *ex, const char *fd, int d)
{
	if (ex->lang == EXPORT_C) {
		line(ex, d, "ret = connect(%s, (struct sockaddr *)&addr, addrlen);", fd);
		line(ex, d, "done(ret);");
	} else {
		line(ex, d, "raw(\"connect\", %s, socket.AF_UNSPEC, None)", fd);
	}
}

/* a, b = socketpair(...): two connected sockets; the note names both ("fds 3, 4"). */
static void emit_socketpair(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int d)
{
	const struct sp_arg *av = st->args;
	const char *dn = consts_name(SP_K_DOMAIN, (int)av[0].num);
	const char *tn = consts_name(SP_K_TYPE, (int)av[1].num);
	struct ex_sock *s1 = st->assign[0] ? find_sock(a, st->assign) : NULL;
	struct ex_sock *s2 = st->assign2[0] ? find_sock(a, st->assign2) : NULL;
	int proto = (int)av[2].num;
	const char *pn = proto ? consts_name(SP_K_PROTO, proto) : NULL;
	char ps[64];
	if (pn)
		snprintf(ps, sizeof ps, "%s%s", ex->lang == EXPORT_PYTHON ? "socket." : "", pn);
	else
		snprintf(ps, sizeof ps, "%d", proto);
	if (ex->lang == EXPORT_C) {
		line(ex, d, "ret = socketpair(%s, %s, %s, sv);", dn ? dn : "AF_UNIX", tn ? tn : "SOCK_STREAM", ps);
		if (s1 && s2) {
			line(ex, d, "if (ret == 0) { /* a failed call leaves %s and %s as they were */", s1->var, s2->var);
			line(ex, d + 1, "%s = sv[0];", s1->var);
			line(ex, d + 1, "%s = sv[1];", s2->var);
			line(ex, d, "}");
		}
		line(ex, d, "done_fds(ret, sv);");
		return;
	}
	line(ex, d, "%s, %s = socket.socketpair(socket.%s, socket.%s, %s)", s1 ? s1->var : "pair_a",
	     s2 ? s2->var : "pair_b", dn ? dn : "AF_UNIX", tn ? tn : "SOCK_STREAM", ps);
	line(ex, d, "r.ret, r.note = 0, \"fds %%d, %%d\" %% (keep(%s).fileno(), keep(%s).fileno())",
	     s1 ? s1->var : "pair_a", s2 ? s2->var : "pair_b");
}

/*
 * poll() and select(): the real call on the sockets of the statement's list,
 * then its result with the ready sockets as sockplay shows them, and the
 * script's "= N ( ... )" if any.
 */
static void emit_ready(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int d, int depth)
{
	const struct sp_ready *r = st->ready;
	int py = ex->lang == EXPORT_PYTHON, sel = st->call == SP_CALL_SELECT;
	long long timeout = st->args[1].num;
	char fd[SP_NAME_MAX + 32];
	struct sb names = { 0 }, fds = { 0 }, sets = { 0 };

	for (int i = 0; i < r->n; i++) {
		char label[SP_NAME_MAX + 12];
		if (r->s[i].name[0])
			snprintf(label, sizeof label, "%s", r->s[i].name);
		else
			snprintf(label, sizeof label, "%d", r->s[i].fd);
		ready_fd(ex, a, &r->s[i], fd, sizeof fd);
		if (py) { /* Python watches descriptors: a closed socket's old number, as C */
			char var[SP_NAME_MAX + 32];
			snprintf(var, sizeof var, "%s", fd);
			if (r->s[i].name[0])
				snprintf(fd, sizeof fd, "fd(%s)", var);
			else
				snprintf(fd, sizeof fd, "%d", r->s[i].fd);
		}
		sb_printf(&names, "%s\"%s\"", i ? ", " : "", label);
		sb_printf(&fds, "%s%s", i ? ", " : "", fd);
		if (sel)
			sb_putc(&sets, r->s[i].events == SP_SEL_READ ? 'r' : 'w');
		if (!sel && !py) {
			char ev[128];
			consts_poll_text(r->s[i].events, ev, sizeof ev);
			if (i == 0)
				indent(ex, d), sb_puts(&ex->o, "{\n"), indent(ex, d + 1),
					sb_puts(&ex->o, "struct pollfd pfd[] = { ");
			sb_printf(&ex->o, "%s{ %s, %s, 0 }", i ? ", " : "", fd, ev);
		} else if (!sel) {
			char ev[160];
			consts_poll_join(r->s[i].events, "select.", " | ", ev, sizeof ev);
			if (i == 0)
				line(ex, d, "poller = select.poll()");
			line(ex, d, "poller.register(%s, %s)", fd, ev);
		}
	}
	if (!sel && !py) {
		sb_puts(&ex->o, " };\n");
		line(ex, d + 1, "ret = poll(pfd, %d, %lld);", r->n, timeout);
		line(ex, d + 1, "done_poll(ret, pfd, %d, (const char *const[]){ %s });", r->n, names.p);
		line(ex, d, "}");
	} else if (!sel) {
		if (timeout < 0)
			line(ex, d, "events = poller.poll()");
		else
			line(ex, d, "events = poller.poll(%lld)", timeout);
		indent(ex, d);
		sb_puts(&ex->o, "r.ret, r.note = len(events), poll_note(events, (");
		for (char *fp = fds.p, *np = names.p; *fp && *np;) { /* (fd, name) pairs */
			size_t fl = strcspn(fp, ","), nl = strcspn(np, ",");
			sb_printf(&ex->o, "(%.*s, %.*s), ", (int)fl, fp, (int)nl, np);
			fp += fl + (fp[fl] ? 2 : 0);
			np += nl + (np[nl] ? 2 : 0);
		}
		sb_puts(&ex->o, "))\n");
	} else if (!py) {
		line(ex, d, "{");
		line(ex, d + 1, "fd_set rset, wset;");
		if (timeout >= 0)
			line(ex, d + 1, "struct timeval tv = { %lld, %lld };", timeout / 1000, timeout % 1000 * 1000);
		line(ex, d + 1, "const int sel[] = { %s };", fds.p);
		line(ex, d + 1, "FD_ZERO(&rset);");
		line(ex, d + 1, "FD_ZERO(&wset);");
		for (int i = 0; i < r->n; i++) {
			ready_fd(ex, a, &r->s[i], fd, sizeof fd);
			line(ex, d + 1, "FD_SET(%s, &%s);", fd, r->s[i].events == SP_SEL_READ ? "rset" : "wset");
		}
		line(ex, d + 1, "ret = select(nfds_of(sel, %d), &rset, &wset, NULL, %s);", r->n, timeout >= 0 ? "&tv" : "NULL");
		line(ex, d + 1, "done_select(ret, &rset, &wset, sel, \"%s\", (const char *const[]){ %s }, %d);", sets.p,
		     names.p, r->n);
		line(ex, d, "}");
	} else {
		struct sb lists[2] = { { 0 }, { 0 } };
		char *fp = fds.p, *np = names.p;
		indent(ex, d);
		sb_puts(&ex->o, "watched = (");
		for (int i = 0; i < r->n; i++) {
			size_t fl = strcspn(fp, ","), nl = strcspn(np, ",");
			int k = r->s[i].events == SP_SEL_READ ? 0 : 1;
			sb_printf(&lists[k], "%s%.*s", lists[k].n ? ", " : "", (int)fl, fp);
			sb_printf(&ex->o, "(%d, %.*s, %.*s), ", k, (int)fl, fp, (int)nl, np);
			fp += fl + (fp[fl] ? 2 : 0);
			np += nl + (np[nl] ? 2 : 0);
		}
		sb_puts(&ex->o, ")\n");
		if (timeout >= 0)
			line(ex, d, "ready = select.select([%s], [%s], [], %g)", lists[0].p ? lists[0].p : "",
			     lists[1].p ? lists[1].p : "", (double)timeout / 1000);
		else
			line(ex, d, "ready = select.select([%s], [%s], [])", lists[0].p ? lists[0].p : "",
			     lists[1].p ? lists[1].p : "");
		line(ex, d, "r.ret, r.note = len(ready[0]) + len(ready[1]), select_note(ready, watched)");
		free(lists[0].p);
		free(lists[1].p);
	}
	free(names.p);
	free(fds.p);
	free(sets.p);
	if (r->expect && st->expect.present) {
		char list[512], want[600];
		script_ready_format(st->call, r->exp, r->nexp, list, sizeof list);
		snprintf(want, sizeof want, "%lld (%s)", st->expect.ret, list);
		indent(ex, depth);
		sb_printf(&ex->o, py ? "check_ready(%d, r.ret == %lld and ready_is(r, " : "check_ready(%d, ret == %lld && ready_is(",
			  st->line, st->expect.ret);
		lit_str(ex, list, 0);
		sb_puts(&ex->o, "), ");
		lit_str(ex, want, 0);
		sb_puts(&ex->o, py ? ")\n" : ");\n");
	}
}

static void emit_step(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int depth)
{
	const struct sp_arg *av = st->args;
	int py = ex->lang == EXPORT_PYTHON, c = !py;
	char fd[SP_NAME_MAX + 32] = "", fl[128];
	struct ex_sock *as = st->assign[0] ? find_sock(a, st->assign) : NULL;
	const char *var = as ? as->var : NULL;
	struct sb fmt = { 0 }, args = { 0 };
	const struct call_info *ci = call_info(st->call);
	int has_addr = ci && ci->addr_arg >= 0;
	int raw = 0, raw_family = 0;
	const struct sp_addr *ad = has_addr ? &av[ci->addr_arg].addr : NULL;

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
	step_format(ex, st, fd, has_addr, &fmt, &args);
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
		int proto = (int)av[2].num;
		const char *pn = proto ? consts_name(SP_K_PROTO, proto) : NULL;
		char ps[64];
		if (pn)
			snprintf(ps, sizeof ps, "%s%s", py ? "socket." : "", pn);
		else
			snprintf(ps, sizeof ps, "%d", proto);
		if (c && as && as->assigned > 1) {
			line(ex, d, "ret = socket(%s, %s, %s);", dn, tn, ps);
			keep_if_made(ex, d, as);
			line(ex, d, "done(ret);");
		} else if (c) {
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
		if (ad && ad->kind == SP_ADDR_UNSPEC) {
			emit_unspec(ex, fd, d);
			break;
		}
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
		line(ex, d, c ? "ret = listen(%s, %lld);" : "%s.listen(%lld)", fd, av[1].num);
		if (c)
			line(ex, d, "done(ret);");
		break;
	case SP_CALL_ACCEPT:
		if (c) {
			line(ex, d, "peerlen = sizeof peer;");
			if (as && as->assigned > 1) {
				line(ex, d, "ret = accept(%s, (struct sockaddr *)&peer, &peerlen);", fd);
				keep_if_made(ex, d, as);
			} else {
				line(ex, d, "ret = %s%saccept(%s, (struct sockaddr *)&peer, &peerlen);", var ? var : "",
				     var ? " = " : "", fd);
			}
			line(ex, d, "done_addr(ret, \"peer\", &peer, peerlen);");
		} else {
			line(ex, d, "%s, peer = %s.accept()", var ? var : "accepted", fd);
			line(ex, d, "r.ret, r.note = keep(%s).fileno(), note(\"peer\", peer)", var ? var : "accepted");
		}
		break;
	case SP_CALL_SEND:
	case SP_CALL_SENDTO: {
		int flags = (int)av[ci->flags_arg].num;
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
		int flags = (int)av[ci->flags_arg].num;
		flags_text(flags, fl, sizeof fl, py);
		if (flags & MSG_TRUNC) {
			int fam = socket_family(a, st);
			emit_recv_trunc(ex, st, fd, fl, socket_type(a, st) == SOCK_STREAM && (fam == AF_INET || fam == AF_INET6),
					d);
		} else if (c && st->call == SP_CALL_RECV) {
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
		int v1 = (int)av[2].num, v2 = (int)av[3].num;
		int timeo = opt && opt->kind == SP_OPT_TIME; /* a struct timeval; the script's value is in ms */
		if (timeo && st->call == SP_CALL_SETSOCKOPT && c) {
			line(ex, d, "tv.tv_sec = %d;", v1 / 1000);
			line(ex, d, "tv.tv_usec = %d;", v1 % 1000 * 1000);
			line(ex, d, "ret = setsockopt(%s, %s, %s, &tv, sizeof tv);", fd, lv, on);
			line(ex, d, "done(ret);");
		} else if (timeo && st->call == SP_CALL_SETSOCKOPT) {
			line(ex, d, "%s.setsockopt(%s, socket.%s, struct.pack(\"ll\", %d, %d))", fd, lv, on, v1 / 1000,
			     v1 % 1000 * 1000);
		} else if (timeo && c) {
			line(ex, d, "memset(&tv, 0, sizeof tv);");
			line(ex, d, "optlen = sizeof tv;");
			line(ex, d, "ret = getsockopt(%s, %s, %s, &tv, &optlen);", fd, lv, on);
			line(ex, d, "done_value(ret, (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000)); /* in ms */");
		} else if (timeo) {
			line(ex, d, "sec, usec = struct.unpack(\"ll\", %s.getsockopt(%s, socket.%s, 16))", fd, lv, on);
			line(ex, d, "value = sec * 1000 + usec // 1000  # in ms");
			line(ex, d, "r.note = \"value %%d\" %% value");
		} else if (st->call == SP_CALL_SETSOCKOPT && c && linger) {
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
		int on = (int)av[1].num;
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
	case SP_CALL_SOCKETPAIR:
		emit_socketpair(ex, a, st, d);
		break;
	case SP_CALL_UNLINK:
		line(ex, d, c ? "ret = unlink(((struct sockaddr_un *)&addr)->sun_path);" : "os.unlink(addr)");
		if (c)
			line(ex, d, "done(ret);");
		break;
	case SP_CALL_POLL:
	case SP_CALL_SELECT:
		break; /* emit_ready(), below */
	case SP_CALL_GETSOCKNAME:
		if (c) {
			line(ex, d, "addrlen = sizeof addr;");
			line(ex, d, "ret = getsockname(%s, (struct sockaddr *)&addr, &addrlen);", fd);
			line(ex, d, "done_name(ret, &addr, addrlen);");
		} else {
			line(ex, d, "r.ret, r.note = 0, show(%s.getsockname())", fd);
		}
		break;
	case SP_CALL_GETPEERNAME:
		if (c) {
			line(ex, d, "addrlen = sizeof addr;");
			line(ex, d, "ret = getpeername(%s, (struct sockaddr *)&addr, &addrlen);", fd);
			line(ex, d, "done_name(ret, &addr, addrlen);");
		} else {
			line(ex, d, "r.ret, r.note = 0, show(%s.getpeername())", fd);
		}
		break;
	case SP_CALL_IOCTL:
		emit_ioctl(ex, st, fd, d);
		break;
	default:
		break;
	}

	if (st->ready)
		emit_ready(ex, a, st, d, depth);
	/* the script's expectation */
	if (st->expect.present && !(st->ready && st->ready->expect)) {
		struct sb cond = { 0 };
		char want[512];
		expect_cond(ex, &st->expect, &cond);
		if (st->expect.has_value)
			value_cond(ex, st, &cond);
		transcript_expect_text(&st->expect, want, sizeof want);
		indent(ex, depth);
		sb_printf(&ex->o, "check(%d, %s, ", st->line, cond.p ? cond.p : "1");
		lit_str(ex, want, 0);
		if (c)
			sb_printf(&ex->o, ", %d);\n", (st->expect.has_data ? 1 : 0) | (st->expect.has_value ? 2 : 0));
		else
			sb_printf(&ex->o, "%s%s)\n", st->expect.has_data ? ", data=True" : "",
				  st->expect.has_value ? ", value=True" : "");
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
		if (a->timeval)
			line(ex, 1, "struct timeval tv;");
		if (a->pair)
			line(ex, 1, "int sv[2] = { -1, -1 }; /* what socketpair() made */");
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
			sb_puts(&ex->o, "NOT_MADE  # its sockets (none made yet)\n\n");
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

/*
 * expect ACTOR blocked|free and expect [no] wire ...: what sockplay sees
 * (whether a side is asleep in a call, the segments on lo) and a plain
 * program does not; kept as a comment saying what sockplay checks there.
 * A call's <blocked> / <at once> stays in the call's own comment.
 */
static void emit_sockplay_only(struct ex *ex, int depth, const struct sp_stmt *st, const char *src)
{
	int c = ex->lang == EXPORT_C;
	indent(ex, depth);
	sb_puts(&ex->o, c ? "/* " : "# ");
	comment_text(ex, src, strlen(src));
	sb_printf(&ex->o, " -- checked by sockplay (line %d): %s%s\n", st->line,
		  st->kind == SP_ST_EXPECT_SIDE ? "whether the side is in a call now"
						 : "the segments the last call put on the wire",
		  c ? " */" : "");
	if (!c && depth > 0) /* a block must hold a statement */
		line(ex, depth, "pass");
}

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
		case SP_ST_EXPECT_SIDE:
		case SP_ST_EXPECT_WIRE:
			emit_sockplay_only(ex, depth, st, src);
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
			} else if (c && (ex->need & H(H_EXPECT))) {
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
		if (ex->need & H(H_EXPECT))
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
	if (ex->need & H(H_EXPECT)) {
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

/* Whether word W is one of the space-separated words of LIST. */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, w, n) == 0)
			return 1;
		p += k + (p[k] == ' ');
	}
	return 0;
}

/* The row whose chunk NAME is (of runtime.c, or runtime.py), or H_COUNT for none. */
static enum helper chunk_owner(const char *name, int python)
{
	for (int h = 0; h < H_COUNT; h++)
		if (python ? has_word(helpers[h].py, name)
			   : has_word(helpers[h].proto, name) || has_word(helpers[h].c, name))
			return (enum helper)h;
	return H_COUNT;
}

/* The helpers the script calls, with those they call in turn. */
static void close_needs(struct ex *ex)
{
	ex->need |= H(H_BASE);
	if (ex->nshared)
		ex->need |= H(H_SHARED);
	if (!(ex->need & H(H_EXPECT)))
		ex->need |= H(H_RUN);
	for (unsigned long long before = 0; before != ex->need;) {
		before = ex->need;
		for (int h = 0; h < H_COUNT; h++)
			if (ex->need & H(h))
				ex->need |= helpers[h].needs;
	}
}

/* A place of the runtime where the program is the script's own. */
static void emit_place(struct ex *ex, const char *name)
{
	if (strcmp(name, "sides") == 0) {
		for (size_t i = 0; i < ex->nactors; i++)
			emit_actor(ex, &ex->actors[i]);
	} else if (strcmp(name, "script") == 0) {
		emit_script_body(ex, ex->sc->stmts, ex->sc->n, 1);
	} else if (strcmp(name, "tables") == 0) {
		emit_tables(ex);
	} else if (strcmp(name, "side_list") == 0) {
		sb_puts(&ex->o, "SIDES = [");
		for (size_t i = 0; i < ex->nactors; i++) {
			sb_printf(&ex->o, "%sSide(", i ? ", " : "");
			lit_str(ex, ex->actors[i].name, 0);
			sb_printf(&ex->o, ", %s)", ex->actors[i].fn);
		}
		sb_puts(&ex->o, "]  # in the order they first act\n\n\n");
	}
}

/* The program: its header, then the runtime's chunks that it needs and its own places in them. */
static void emit_program(struct ex *ex)
{
	int python = ex->lang == EXPORT_PYTHON;
	emit_header(ex);
	for (const struct rt_chunk *ch = python ? rt_py : rt_c; ch->name; ch++) {
		if (!ch->lines) {
			emit_place(ex, ch->name);
			continue;
		}
		enum helper h = chunk_owner(ch->name, python);
		if (h == H_COUNT || !(ex->need & H(h)))
			continue;
		for (size_t i = 0; ch->lines[i]; i++) {
			sb_puts(&ex->o, ch->lines[i]);
			sb_putc(&ex->o, '\n');
		}
	}
}

/* Whether chunk NAME is in the runtime RT. */
static int rt_has(const struct rt_chunk *rt, const char *name)
{
	for (; rt->name; rt++)
		if (rt->lines && strcmp(rt->name, name) == 0)
			return 1;
	return 0;
}

/* Each word of LIST a chunk of RT: 0, or -1 with ERR. */
static int rt_all_in(const char *list, const struct rt_chunk *rt, const char *helper, char *err, size_t errlen)
{
	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, " ");
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)k, p);
		if (!rt_has(rt, name)) {
			snprintf(err, errlen, "helper %s: no chunk %s in the runtime", helper, name);
			return -1;
		}
		p += k + (p[k] == ' ');
	}
	return 0;
}

int export_runtime_check(char *err, size_t errlen)
{
	for (int python = 0; python < 2; python++)
		for (const struct rt_chunk *ch = python ? rt_py : rt_c; ch->name; ch++) {
			int rows = 0;
			for (int h = 0; h < H_COUNT && ch->lines; h++)
				rows += python ? has_word(helpers[h].py, ch->name)
					       : has_word(helpers[h].proto, ch->name) + has_word(helpers[h].c, ch->name);
			if (ch->lines && rows != 1) {
				snprintf(err, errlen, "chunk %s of runtime.%s belongs to %d helpers", ch->name,
					 python ? "py" : "c", rows);
				return -1;
			}
		}
	for (int h = 0; h < H_COUNT; h++)
		if (rt_all_in(helpers[h].proto, rt_c, helpers[h].name, err, errlen) < 0 ||
		    rt_all_in(helpers[h].c, rt_c, helpers[h].name, err, errlen) < 0 ||
		    rt_all_in(helpers[h].py, rt_py, helpers[h].name, err, errlen) < 0)
			return -1;
	return 0;
}

/*
 * The exported programs follow a socket for `expect` from the descriptor its
 * call returned; socketpair() returns 0 and two descriptors: an expect on one
 * of them is not exported (ERR says where), rather than checking another file.
 */
static int check_pair_expects(const struct sp_stmt *v, size_t n, const struct sp_stmt *const *pairs,
			      size_t npairs, const char *file, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		if (st->kind == SP_ST_REPEAT &&
		    check_pair_expects(st->body, st->nbody, pairs, npairs, file, err, errlen) < 0)
			return -1;
		for (size_t k = 0; st->kind == SP_ST_EXPECT && k < npairs; k++) {
			if (strcmp(pairs[k]->actor, st->actor) != 0 ||
			    (strcmp(pairs[k]->assign, st->name) != 0 && strcmp(pairs[k]->assign2, st->name) != 0))
				continue;
			snprintf(err, errlen, "%s:%d: expect on '%s', a socket socketpair() made, cannot be exported "
				 "(sockplay --batch checks it)", file ? file : "-", st->line, st->name);
			return -1;
		}
	}
	return 0;
}

/* The socketpair() statements of V[0..N) with names, into PAIRS (at most MAX); how many. */
static size_t find_pairs(const struct sp_stmt *v, size_t n, const struct sp_stmt **pairs, size_t have, size_t max)
{
	for (size_t i = 0; i < n && have < max; i++) {
		if (v[i].kind == SP_ST_REPEAT)
			have = find_pairs(v[i].body, v[i].nbody, pairs, have, max);
		else if (v[i].kind == SP_ST_CALL && call_has(v[i].call, CALL_F_PAIR) && v[i].assign[0])
			pairs[have++] = &v[i];
	}
	return have;
}

int export_program(const struct sp_script *script, enum export_lang lang, FILE *fp,
		   char *err, size_t errlen)
{
	if (script) {
		const struct sp_stmt *pairs[64];
		size_t np = find_pairs(script->stmts, script->n, pairs, 0, 64);
		if (np && check_pair_expects(script->stmts, script->n, pairs, np, script->file, err, errlen) < 0)
			return -1;
	}
	if (!script || !fp || (lang != EXPORT_C && lang != EXPORT_PYTHON)) {
		snprintf(err, errlen, "nothing to export");
		return -1;
	}
	struct ex *ex = calloc(1, sizeof *ex);
	if (!ex) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (check_names(script->stmts, script->n, script->file, err, errlen) < 0) {
		free(ex);
		return -1;
	}
	ex->sc = script;
	ex->lang = lang;
	analyze(ex, script->stmts, script->n);
	analyze_picks(ex, script->stmts, script->n);
	close_needs(ex);
	int rc = 0;
	if (ex->nactors == 0) {
		snprintf(err, errlen, "the script makes no call: there is nothing to export");
		rc = -1;
	} else {
		emit_program(ex);
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
