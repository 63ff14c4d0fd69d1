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
 * This file keeps the logic: which sockets a side has, which helpers and
 * locals its code uses (scan_code() reads the code written), how each
 * statement is made. The text is elsewhere: each call's own lines are its
 * row of the call table (ex_c, ex_py in src/call.c), the rest of the
 * script's own part is export_rt/texts.txt, filled by text().
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
	const char *name;   /* what the program calls: the words scan_code() looks for */
	const char *proto;  /* its declaration in runtime.c */
	const char *c, *py; /* its chunks of runtime.c and runtime.py */
	unsigned long long needs; /* the helpers it calls: H() bits */
} helpers[H_COUNT] = {
	[H_BASE] = { "(the machinery)", "protos protos_report protos_end",
		     "includes includes_end script_begin script_end head core actor keep_result parent "
		     "wait wait_end main main_end",
		     "top imports imports_os imports_end helpers helpers_end script_begin script_end head "
		     "core actor check parent main", 0 },
	[H_STEP] = { "step", "proto_step", "step", NULL, 0 },
	[H_CALL] = { "turn call", "proto_call", "call", NULL, 0 },
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
	[H_ADDR_TEXT] = { "addr_text show note", "proto_addr_text", "addr_text", "show",
			  H(H_ESCAPE) | H(H_ADDRESSES) },
	[H_IP] = { "ip_addr", "proto_ip_addr", "ip_addr", NULL, H(H_ADDRESSES) },
	[H_UNIX_ADDR] = { "unix_addr", "proto_unix_addr", "unix_addr", NULL, H(H_ADDRESSES) },
	[H_FAMILY_OF] = { "family_of", "proto_family_of", "family_of", "family_of", H(H_ADDRESSES) },
	[H_DATA] = { "(their heading)", "protos_data", NULL, NULL, 0 },
	[H_REPEAT] = { "repeat", "proto_repeat", "repeat", NULL, H(H_DATA) },
	[H_SAME] = { "same", "proto_same", "same", NULL, H(H_DATA) },
	[H_SHARED] = { "share_addr shared_addr", "proto_shared", "include_mman shared main_shared",
		       "import_ast import_mmap shared", H(H_STRUCT) },
	[H_STRUCT] = { "struct.pack struct.unpack", NULL, NULL, "import_struct", 0 },
	[H_BY_NUMBER] = { "by_number", NULL, NULL, "by_number", 0 },
	[H_RAW] = { "raw", NULL, NULL, "raw", H(H_STRUCT) | H(H_ADDR_TEXT) },
	[H_RUN] = { "run", "proto_run", "run", "track_none", 0 },
	[H_EXPECT] = { "expect", "proto_expect", "track wait_track run_track", "helpers_expect track", 0 },
	[H_TITLE] = { "title", "proto_title", "title", NULL, 0 },
	[H_SAY] = { "say", "proto_say", "say", NULL, 0 },
	[H_SLEEP] = { "sleep_ms", "proto_sleep", "sleep", NULL, 0 },
	[H_IOCTL] = { "ioctl fcntl.ioctl", NULL, "include_ioctl", "import_ioctl", H(H_STRUCT) },
	[H_TIMEVAL] = { "(struct timeval: the local tv)", NULL, "include_time", NULL, H(H_STRUCT) },
	[H_DONE_TRUNC] = { "done_trunc", "proto_done_trunc", "done_trunc", NULL, H(H_ESCAPE) },
	[H_DONE_FDS] = { "done_fds", "proto_done_fds", "done_fds", NULL, 0 },
	[H_READY] = { "(what poll and select found: ready_note)", NULL, "ready", "ready", 0 },
	[H_READY_POLL] = { "done_poll poll_note", "proto_ready_poll", "ready_poll", NULL, H(H_READY) },
	[H_READY_SELECT] = { "nfds_of done_select select_note", "proto_ready_select", "include_select ready_select",
			     NULL, H(H_READY) },
	[H_READY_CHECK] = { "ready_is check_ready", "proto_ready_check", "ready_check", NULL, H(H_READY) },
};

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

static void sb_vprintf(struct sb *b, const char *fmt, va_list ap)
{
	char small[512];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		sb_putn(b, small, (size_t)n);
	} else if (n >= 0) {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, again);
			sb_putn(b, big, (size_t)n);
		}
		b->oom |= !big;
		free(big);
	}
	va_end(again);
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
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
	unsigned uses;            /* the C locals its code uses: U() bits */
};

struct ex {
	const struct sp_script *sc;
	enum export_lang lang;
	struct sb o;
	struct sb sides;          /* the sides' functions (render_sides()) */
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

/* ---- the texts of the program's own parts (export_rt/texts.txt) ---------- */

/* Text NAME in the program's language: c_NAME or py_NAME. */
#define TX(name) (ex->lang == EXPORT_C ? rt_txt_c_##name : rt_txt_py_##name)

/* Whether W is one of the words of the text LINES. */
static int in_words(const char *const *lines, const char *w)
{
	for (; *lines; lines++)
		if (has_word(*lines, w))
			return 1;
	return 0;
}

/* Word N of the text LINES, or its first one. */
static void nth_word(const char *const *lines, int n, char *out, size_t size)
{
	for (int pass = 0; pass < 2; pass++, n = 0)
		for (const char *const *l = lines; *l; l++)
			for (const char *p = *l; *p; p += *p == ' ') {
				size_t k = strcspn(p, " ");
				if (n-- == 0) {
					snprintf(out, size, "%.*s", (int)k, p);
					return;
				}
				p += k;
			}
	snprintf(out, size, "?");
}

/* ---- names that a program cannot use ------------------------------------- */

/*
 * NAME as an identifier of the program: a name that the language or the
 * program keeps for itself gets a '_' ("int" -> "int_"); so does one in
 * capitals, which looks like a constant (EOF, AF_INET, TIME_WAIT), and
 * i1, i2 ... (the loops' counters). A leading '_' is the system's: "_x" -> "s_x".
 */
static void mangle(const struct ex *ex, const char *name, char *out, size_t size)
{
	int clash = in_words(TX(reserved), name), lower = 0;
	if (name[0] == '_') {
		snprintf(out, size, "s%s", name);
		return;
	}
	for (const char *p = name; *p; p++)
		lower |= *p >= 'a' && *p <= 'z';
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

/* An address addr(s) / server.addr(s): its socket is read, by another side through shared memory. */
static void analyze_addr(struct ex *ex, struct ex_actor *a, const struct sp_addr *ad)
{
	struct ex_actor *owner;
	struct ex_sock *s = ad->kind == SP_ADDR_OF ? addr_owner(ex, a, ad, &owner) : NULL;
	if (s)
		s->read = 1;
	if (s && owner != a) {
		s->shared = 1;
		add_shared(ex, owner->name, s->name);
	}
}

/* What a call tells of its side's sockets and buffer (the helpers it needs: scan_code()). */
static void analyze_call(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *av = st->args;
	struct ex_sock *fs = NULL, *ns;
	if (!ci)
		return;
	if (ci->fd_arg >= 0 && (fs = find_sock(a, av[ci->fd_arg].name)) != NULL)
		fs->read = 1;
	if (ci->addr_arg >= 0)
		analyze_addr(ex, a, &av[ci->addr_arg].addr);
	if ((ci->flags & CALL_F_READS) && ci->num_arg >= 0) {
		if (av[ci->num_arg].num > a->bufsize)
			a->bufsize = av[ci->num_arg].num;
		if (a->bufsize < 1)
			a->bufsize = 1;
	}
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
	for (int i = 0; st->ready && i < st->ready->n; i++) /* poll(), select(): the sockets of its list */
		if ((ns = find_sock(a, st->ready->s[i].name)) != NULL)
			ns->read = 1;
	if (ci->flags & CALL_F_PAIR) { /* socketpair(): two sockets, named as the statement says */
		const char *names[2] = { st->assign, st->assign2 };
		for (int k = 0; k < 2; k++) {
			if (!names[k][0] || !(ns = add_sock(ex, a, names[k])))
				continue;
			ns->assigned += ex->repeating ? 2 : 1;
			merge(&ns->family, (int)av[0].num);
			merge(&ns->type, (int)av[1].num);
		}
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
		case SP_ST_EXPECT_SIDE:
		case SP_ST_EXPECT_WIRE:
			break; /* pause and what only sockplay sees: comments */
		}
	}
}

/* The family of the socket a call is given, -1 when not known before it runs. */
static int socket_family(struct ex_actor *a, const struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	struct ex_sock *s = ci && ci->fd_arg >= 0 ? find_sock(a, st->args[ci->fd_arg].name) : NULL;
	return s && s->family > 0 ? s->family : -1;
}

/* The type of the socket a call is about: the one it is given, or makes. */
static int socket_type(struct ex_actor *a, const struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	struct ex_sock *s = ci && ci->fd_arg >= 0 ? find_sock(a, st->args[ci->fd_arg].name) : NULL;
	for (int i = 0; ci && (ci->flags & CALL_F_NEWFD) && i < ci->max; i++)
		if (ci->args[i].sh == CALL_SH_TYPE) /* socket(): as the call says */
			return (int)st->args[i].num;
	if (!s && ci && (ci->flags & CALL_F_NEWFD) && st->assign[0])
		s = find_sock(a, st->assign);
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

/* From sub_begin() to sub_end(), the program is written into a string of its own (the caller frees it). */
static struct sb sub_begin(struct ex *ex)
{
	struct sb saved = ex->o;
	memset(&ex->o, 0, sizeof ex->o);
	return saved;
}

static char *sub_end(struct ex *ex, struct sb saved)
{
	struct sb b = ex->o;
	ex->o = saved;
	if (!b.p && !b.oom)
		b.p = calloc(1, 1);
	ex->o.oom |= b.oom || !b.p;
	return b.p;
}

/* S as a string literal of the program, in a string of its own. */
static char *lit_dup(struct ex *ex, const char *s)
{
	struct sb saved = sub_begin(ex);
	lit_str(ex, s, 0);
	return sub_end(ex, saved);
}

/*
 * The text LINES, a printf format, filled with the rest: each line after the
 * indentation of DEPTH (but an empty one) and followed by a newline; with
 * DEPTH -1 the lines joined by newlines, in the middle of a line.
 */
static void vtext(struct ex *ex, int depth, const char *const *lines, va_list ap)
{
	struct sb fmt = { 0 };
	for (size_t i = 0; lines[i]; i++) {
		if (depth < 0 && i)
			sb_putc(&fmt, '\n');
		for (int d = 0; d < depth && lines[i][0]; d++)
			sb_puts(&fmt, ex->lang == EXPORT_C ? "\t" : "    ");
		sb_puts(&fmt, lines[i]);
		if (depth >= 0)
			sb_putc(&fmt, '\n');
	}
	ex->o.oom |= fmt.oom;
	if (fmt.p)
		sb_vprintf(&ex->o, fmt.p, ap);
	free(fmt.p);
}

static void text(struct ex *ex, int depth, const char *const *lines, ...)
{
	va_list ap;
	va_start(ap, lines);
	vtext(ex, depth, lines, ap);
	va_end(ap);
}

/* The text LINES filled with the rest, in a string of its own (the caller frees it). */
static char *text_dup(struct ex *ex, const char *const *lines, ...)
{
	struct sb saved = sub_begin(ex);
	va_list ap;
	va_start(ap, lines);
	vtext(ex, -1, lines, ap);
	va_end(ap);
	return sub_end(ex, saved);
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

/* The value of an address for pick P (or the UNIX address AD), in a string of its own. */
static char *addr_value(struct ex *ex, const struct sp_addr *ad, const struct pick *p)
{
	struct sb saved = sub_begin(ex);
	unsigned char tmp[sizeof ad->path + 1];
	size_t n = strnlen(ad->path, sizeof ad->path);
	if (p->family == AF_UNIX) { /* Python: an abstract name is bytes with a 0 first */
		tmp[0] = 0;
		memcpy(tmp + 1, ad->path, n);
		int abstract = ad->abstract && ex->lang == EXPORT_PYTHON;
		lit(ex, abstract ? tmp : (const unsigned char *)ad->path, n + abstract, 0, abstract, !abstract);
	} else {
		lit_str(ex, p->host, 0);
	}
	char *v = sub_end(ex, saved), *made = NULL;
	if (ex->lang == EXPORT_PYTHON && p->family == AF_UNIX)
		return v;
	if (p->family == AF_UNIX)
		made = text_dup(ex, rt_txt_c_unix, v ? v : "", ad->abstract ? 1 : 0);
	else if (ex->lang == EXPORT_PYTHON)
		made = text_dup(ex, rt_txt_py_ip, v ? v : "", ad->port);
	else
		made = text_dup(ex, p->family == AF_INET6 ? rt_txt_c_ip6 : rt_txt_c_ip4, v ? v : "", ad->port);
	free(v);
	return made;
}

/*
 * Make the address of a bind/connect/sendto step (after the side's turn:
 * another side's socket may have been bound since). Sets *RAW_FAMILY when
 * Python must make the call itself through libc (an address of another
 * family than the socket's, which Python refuses before the kernel sees it).
 */
static void emit_addr(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st,
		      const struct sp_addr *ad, const char *fd, int depth, int *raw_family)
{
	struct ex_actor *owner;
	*raw_family = 0;
	if (ad->kind == SP_ADDR_UNSPEC) { /* no address, only a family of 0 */
		text(ex, depth, TX(unspec_addr));
		return;
	}
	if (ad->kind == SP_ADDR_OF) {
		struct ex_sock *s = addr_owner(ex, a, ad, &owner);
		if (owner == a)
			text(ex, depth, TX(own_addr), s ? s->var : fd, ad->text ? ad->text : "addr()");
		else
			text(ex, depth, TX(shared_addr), owner ? owner->name : "?", ad->name);
		return;
	}
	struct pick p[2];
	int fam = socket_family(a, st);
	int n = pick_addr(ad, fam, p);
	char *v0 = addr_value(ex, ad, &p[0]), *v1 = n == 2 ? addr_value(ex, ad, &p[1]) : NULL;
	text(ex, depth, n == 2 ? TX(addr_either) : TX(addr), fd, v0 ? v0 : "", v1 ? v1 : "");
	free(v0);
	free(v1);
	if (n == 1 && fam > 0 && p[0].family != fam)
		*raw_family = p[0].family;
}

static const char *py_family(int family)
{
	return family == AF_INET6 ? "socket.AF_INET6" : family == AF_UNIX ? "socket.AF_UNIX" : "socket.AF_INET";
}

/* The variable of socket RS of a poll()'s or select()'s list, or its number (fd_expr()). */
static void list_var(struct ex *ex, struct ex_actor *a, const struct sp_ready_sock *rs, char *out, size_t size)
{
	struct sp_arg arg = { .kind = SP_ARG_SOCK, .num = rs->fd };
	memcpy(arg.name, rs->name, sizeof arg.name); /* both SP_NAME_MAX */
	fd_expr(ex, a, &arg, out, size);
}

/*
 * A poll()'s or select()'s list as the step shows it, each socket a %d
 * (%d POLLIN, %d POLLOUT; r: %d %d, w: %d), into LIST; the sockets'
 * arguments, in the order the text shows them, written after the others.
 */
static void list_format(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, char *list, size_t size)
{
	struct sp_ready_sock v[SP_READY_MAX];
	int n = st->ready->n;
	memcpy(v, st->ready->s, (size_t)n * sizeof v[0]);
	for (int i = 0; i < n; i++) { /* each name a mark of two bytes, the size of the %d it becomes */
		v[i].name[0] = 1;
		v[i].name[1] = (char)('a' + i);
		v[i].name[2] = 0;
	}
	script_ready_format(st->call, v, n, list, size);
	for (char *p = strchr(list, 1); p && p[1]; p = strchr(p + 2, 1)) {
		const struct sp_ready_sock *rs = &st->ready->s[p[1] - 'a'];
		char var[SP_NAME_MAX + 32];
		list_var(ex, a, rs, var, sizeof var);
		if (rs->name[0])
			text(ex, -1, TX(fd_arg), var);
		else /* by number: as written */
			text(ex, -1, rt_txt_fd_number, (long long)rs->fd);
		p[0] = '%';
		p[1] = 'd';
	}
}

/* The step's format ("bind(%d, %s)", the call's text as sockplay shows it) and its arguments (", s, addr_text(...)"). */
static void step_format(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, const char *fd, int has_addr,
			struct sb *fmt, struct sb *args)
{
	char buf[1024], list[512];
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *sock = ci && ci->fd_arg >= 0 ? &st->args[ci->fd_arg] : NULL;
	struct call_text_in in = { .fd = "%d", .addr = "%s", .printf_fmt = 1 };
	struct sb out = ex->o;
	ex->o = *args;
	if (sock && ex->lang == EXPORT_PYTHON && !sock->name[0])
		text(ex, -1, rt_txt_fd_number, sock->num); /* by number: as written */
	else if (sock)
		text(ex, -1, TX(fd_arg), fd);
	if (has_addr)
		text(ex, -1, TX(shown_addr));
	if (st->ready) {
		list_format(ex, a, st, list, sizeof list);
		in.ready = list;
	}
	*args = ex->o;
	ex->o = out;
	call_format(st, &in, buf, sizeof buf);
	sb_puts(fmt, buf);
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
static void expect_cond(struct ex *ex, const struct sp_expect *e)
{
	const char *en = consts_errno_name(e->err);
	if (e->any_error)
		text(ex, -1, TX(any_error));
	else if (e->ret == -1 && e->err)
		text(ex, -1, TX(error), en ? en : "?");
	else
		text(ex, -1, TX(ret), e->ret);
	if (!e->has_data)
		return;
	/* the data: the bytes expected, UNIT repeated COUNT times */
	struct sb saved = sub_begin(ex);
	if (ex->lang == EXPORT_PYTHON)
		data_expr(ex, &e->data);
	else
		lit(ex, e->data.unit, e->data.unit_len, 0, 1, 0);
	char *unit = sub_end(ex, saved);
	uint64_t total = e->data.unit_len * e->data.count;
	if (ex->lang == EXPORT_PYTHON)
		text(ex, -1, rt_txt_py_data_is, unit ? unit : "");
	else if (e->data.count > 1 || (long long)total > e->ret) /* MSG_TRUNC: ret may be more */
		text(ex, -1, rt_txt_c_data_same, unit ? unit : "", e->data.unit_len, (unsigned long long)e->data.count);
	else
		text(ex, -1, rt_txt_c_data_is, unit ? unit : "", e->data.unit_len);
	free(unit);
}

/*
 * C: a name given a socket more than once keeps the one it has when the call
 * fails, as in sockplay (and Python, where the failed call raises before the
 * assignment): ret is -1 then, not a socket.
 */
static void keep_if_made(struct ex *ex, int depth, const struct ex_sock *s)
{
	text(ex, depth, rt_txt_c_keep, s->var);
}

/* What the marks of a call's ex_c / ex_py template stand for in one statement (call.h). */
struct stmt_out {
	const struct sp_stmt *st;
	const struct call_info *ci;
	const struct sp_opt *opt;  /* the option argument's, or NULL */
	const char *fd;            /* $s */
	const struct ex_sock *as;  /* the socket the result is given, or NULL */
	const struct ex_sock *as2; /* socketpair(): the second one */
	int raw_family;            /* Python: the family raw() is given (R), 0 when the call is Python's */
	int tcp;                   /* the socket is TCP's (P) */
	struct ex_actor *a;        /* the side: whose the sockets of a list are */
	int item, nth;             /* in @{*:...@}: the socket of the list (-1 outside), how many came before it */
};

/* Whether Python spells the constant NAME otherwise: its name there into OUT. */
static int py_spelling(const char *name, char *out, size_t size)
{
	for (const char *const *l = rt_txt_py_spelled; *l; l++) {
		char c[64], p[64];
		if (sscanf(*l, "%63s %63s", c, p) == 2 && strcmp(c, name) == 0) {
			snprintf(out, size, "%s", p);
			return 1;
		}
	}
	return 0;
}

/* Argument I as the program writes it ($N). */
static void out_arg(struct ex *ex, const struct stmt_out *x, int i)
{
	const struct sp_arg *av = &x->st->args[i];
	int py = ex->lang == EXPORT_PYTHON;
	const char *name = NULL;
	char fl[128];
	switch (x->ci->args[i].sh) {
	case CALL_SH_SOCK:
		sb_puts(&ex->o, x->fd);
		return;
	case CALL_SH_ADDR: /* made before the call by emit_addr() */
	case CALL_SH_PATH:
		sb_puts(&ex->o, "addr");
		return;
	case CALL_SH_DATA:
		data_expr(ex, &av->data);
		return;
	case CALL_SH_FLAGS:
		flags_text((int)av->num, fl, sizeof fl, py);
		sb_puts(&ex->o, fl);
		return;
	case CALL_SH_DOMAIN: name = consts_name(SP_K_DOMAIN, (int)av->num); break;
	case CALL_SH_TYPE: name = consts_name(SP_K_TYPE, (int)av->num); break;
	case CALL_SH_SHUT: name = consts_name(SP_K_SHUT, (int)av->num); break;
	case CALL_SH_PROTO: name = av->num ? consts_name(SP_K_PROTO, (int)av->num) : NULL; break;
	case CALL_SH_OPT: name = x->opt ? x->opt->name : "?"; break;
	case CALL_SH_IOCTL: name = consts_name(SP_K_IOCTL, (int)av->num); break;
	default: break; /* a number */
	}
	char spelled[64]; /* Python's name, where it differs (termios' TIOCOUTQ for SIOCOUTQ) */
	if (name && py && py_spelling(name, spelled, sizeof spelled))
		name = spelled;
	if (name)
		sb_printf(&ex->o, "%s%s", py ? (x->ci->args[i].sh == CALL_SH_IOCTL ? "termios." : "socket.") : "", name);
	else
		sb_printf(&ex->o, "%lld", av->num);
}

/* Whether the condition COND (with its argument I) of @{COND:...@} holds. */
static int out_cond(const struct stmt_out *x, char cond, int i)
{
	const struct sp_arg *a = &x->st->args[i];
	int linger = x->opt && x->opt->kind == SP_OPT_LINGER, error = x->opt && x->opt->kind == SP_OPT_ERROR;
	int timeout = x->opt && x->opt->kind == SP_OPT_TIME, yes = cond >= 'A' && cond <= 'Z';
	const char *name = x->ci->args[i].sh == CALL_SH_IOCTL ? consts_name(SP_K_IOCTL, (int)a->num) : NULL;
	char spelled[64];
	switch (cond | 0x20) { /* a capital: the case holds; a small letter: it does not */
	case 'm': return (a->data.count > 1) == yes;
	case 'l': return linger == yes;
	case 'e': return error == yes;
	case 't': return timeout == yes;
	case 'i': return (!linger && !timeout) == yes;
	case 'r': return (x->raw_family != 0) == yes;
	case 'n': return ((i == 2 ? x->as2 : x->as) != NULL) == yes;
	case 'u': return (x->ci->args[i].sh == CALL_SH_ADDR && a->addr.kind == SP_ADDR_UNSPEC) == yes;
	case 'x': return ((a->num & MSG_TRUNC) != 0) == yes;
	case 'p': return x->tcp == yes;
	case 'q': return (name && py_spelling(name, spelled, sizeof spelled)) == yes;
	default:
		return cond == '?' ? a->num != 0 : cond == '!' ? a->num == 0 : cond == 'w' ? i < x->st->nargs
			: cond == '-' ? i >= x->st->nargs : cond == '<' ? a->num < 0 : cond == '>' ? a->num >= 0
			: cond == '+' ? x->nth > 0 : 0;
	}
}

/* Where the template writer is: at a line's start, its extra tabs, keep_if_made() after it. */
struct out_line {
	int depth, start, more, keep;
};

/* Whether T is @{as:NAME} or @{as2:NAME}, which has no @}. */
static int out_is_as(const char *t)
{
	return t[0] == '@' && t[1] == '{' && t[2] == 'a' && t[3] == 's' && (t[4] == ':' || t[4] == '2');
}

/* The @} that closes the @{ whose text begins at T. */
static const char *out_close(const char *t)
{
	for (int open = 1; *t; t++)
		if (t[0] == '@' && t[1] == '}' && --open == 0)
			return t;
		else if (t[0] == '@' && t[1] == '{' && !out_is_as(t))
			open++;
	return t;
}

/*
 * The socket of the statement's list that @{*:...@} is at, as mark M writes
 * it (call.h): $s $q $e $k $K; 0 when M is none of them.
 */
static int out_list_mark(struct ex *ex, const struct stmt_out *x, char m)
{
	const struct sp_ready_sock *rs = &x->st->ready->s[x->item];
	char var[SP_NAME_MAX + 32], ev[160], *number = NULL;
	int py = ex->lang == EXPORT_PYTHON, w = rs->events == SP_SEL_WRITE;
	if (m == 's' && rs->name[0]) {
		list_var(ex, x->a, rs, var, sizeof var);
		text(ex, -1, TX(list_fd), var);
	} else if (m == 's') { /* by number: as written */
		text(ex, -1, rt_txt_number, rs->fd);
	} else if (m == 'q') { /* its name as a string literal (4 when by number) */
		number = rs->name[0] ? NULL : text_dup(ex, rt_txt_number, rs->fd);
		lit_str(ex, number ? number : rs->name, 0);
		free(number);
	} else if (m == 'e') {
		consts_poll_join(rs->events, py ? "select." : "", py ? " | " : "|", ev, sizeof ev);
		sb_puts(&ex->o, ev);
	} else if (m == 'k' || m == 'K') { /* select's set: r or w, 0 or 1 */
		sb_putc(&ex->o, m == 'k' ? (w ? 'w' : 'r') : (w ? '1' : '0'));
	} else {
		return 0;
	}
	return 1;
}

/* The template from T to END (its first NUL when NULL), with the marks of call.h. */
static void out_span(struct ex *ex, struct stmt_out *x, const char *t, const char *end, struct out_line *w)
{
	int open = 0, skip = 0; /* @{ nesting; the level whose condition failed */
	for (; *t && (!end || t < end); t++) {
		if (t[0] == '@' && t[1] == '}') {
			skip = skip == open ? 0 : skip;
			open--;
			t++;
			continue;
		}
		int as = out_is_as(t);
		if (t[0] == '@' && t[1] == '{' && t[2] == '*' && !skip && x->st->ready) { /* @{*:...@}: each socket */
			const char *body = strchr(t, ':') + 1, *close = out_close(body);
			int want = t[3] == 'r' ? SP_SEL_READ : t[3] == 'w' ? SP_SEL_WRITE : 0;
			x->nth = 0;
			for (x->item = 0; x->item < x->st->ready->n; x->item++)
				if (!want || x->st->ready->s[x->item].events == want) {
					out_span(ex, x, body, close, w);
					x->nth++;
				}
			x->item = -1;
			t = *close ? close + 1 : close - 1;
			continue;
		}
		if (t[0] == '@' && t[1] == '{' && !as) {
			open++;
			if (!skip && !out_cond(x, t[2], t[3] >= '0' && t[3] <= '9' ? t[3] - '0' : 0))
				skip = open;
			t = strchr(t, ':');
			continue;
		}
		if (skip)
			continue;
		if (*t == '\t' && w->start) {
			w->more++;
			continue;
		}
		if (*t == '\n') {
			if (!w->start)
				sb_putc(&ex->o, '\n');
			if (!w->start && w->keep)
				keep_if_made(ex, w->depth, x->as);
			w->start = 1;
			w->more = w->keep = 0;
			continue;
		}
		if (w->start)
			indent(ex, w->depth + w->more);
		w->start = 0;
		if (as) { /* @{as:NAME}, @{as2:NAME} */
			const char *e = strchr(t, '}'), *name = strchr(t, ':') + 1;
			const struct ex_sock *to = t[4] == '2' ? x->as2 : x->as;
			if (to)
				sb_puts(&ex->o, to->var);
			else
				sb_printf(&ex->o, "%.*s", (int)(e - name), name);
			t = e;
		} else if (t[0] == '$' && x->item >= 0 && out_list_mark(ex, x, t[1])) {
			t++;
		} else if (t[0] == '$' && t[1] == 'n' && x->st->ready) {
			text(ex, -1, rt_txt_number, x->st->ready->n);
			t++;
		} else if (t[0] == '$' && t[1] == 's') {
			sb_puts(&ex->o, x->fd);
			t++;
		} else if (t[0] == '$' && t[1] == 'L') {
			const char *lv = x->opt ? level_name(x->opt->level) : NULL;
			if (lv)
				sb_printf(&ex->o, "%s%s", ex->lang == EXPORT_PYTHON ? "socket." : "", lv);
			else
				sb_printf(&ex->o, "%d", x->opt ? x->opt->level : 0);
			t++;
		} else if (t[0] == '$' && t[1] == 'F') {
			sb_puts(&ex->o, py_family(x->raw_family));
			t++;
		} else if (t[0] == '$' && t[1] == '=') {
			if (x->as && x->as->assigned > 1)
				w->keep = 1;
			else if (x->as)
				sb_printf(&ex->o, "%s = ", x->as->var);
			t++;
		} else if (t[0] == '$' && (t[1] == 'S' || t[1] == 'U' || t[1] == 't')) { /* ms as a struct timeval */
			int ms = (int)x->st->args[t[2] - '0'].num;
			if (t[1] != 'U')
				sb_printf(&ex->o, "%d", ms / 1000);
			if (t[1] == 't')
				sb_puts(&ex->o, ", ");
			if (t[1] != 'S')
				sb_printf(&ex->o, "%d", ms % 1000 * 1000);
			t += 2;
		} else if (t[0] == '$' && t[1] == 'g') { /* ms as Python's seconds */
			text(ex, -1, rt_txt_py_seconds, (double)x->st->args[t[2] - '0'].num / 1000);
			t += 2;
		} else if (t[0] == '$' && t[1] == 'c') { /* argument N as C spells it */
			enum export_lang lang = ex->lang;
			ex->lang = EXPORT_C;
			out_arg(ex, x, t[2] - '0');
			ex->lang = lang;
			t += 2;
		} else if (t[0] == '$' && t[1] == '#') {
			const struct sp_data *d = &x->st->args[t[2] - '0'].data;
			sb_printf(&ex->o, "%llu", (unsigned long long)(d->unit_len * d->count));
			t += 2;
		} else if (t[0] == '$' && t[1] >= '0' && t[1] < '0' + CALL_MAX_ARGS) {
			out_arg(ex, x, t[1] - '0');
			t++;
		} else {
			sb_putc(&ex->o, *t);
		}
	}
}

/* The call's template in the program's language at DEPTH, one line per '\n' (call.h). */
static void out_template(struct ex *ex, struct stmt_out *x, const char *t, int depth)
{
	struct out_line w = { .depth = depth, .start = 1 };
	x->item = -1;
	out_span(ex, x, t, NULL, &w);
	if (!w.start)
		sb_putc(&ex->o, '\n');
	if (!w.start && w.keep)
		keep_if_made(ex, depth, x->as);
}

/*
 * "(value X)": a condition on what the call left, optval (lg, tv) in C and
 * value (on, secs) in Python, after the result's condition.
 */
static void value_cond(struct ex *ex, const struct sp_stmt *st)
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
		sb_printf(&ex->o, "%s(%s != 0) == %s", and, v, e->value ? (py ? "True" : "1") : (py ? "False" : "0"));
	else if (en)
		sb_printf(&ex->o, "%s%s == %s%s", and, v, py ? "errno." : "", en);
	else
		sb_printf(&ex->o, "%s%s == %lld", and, v, e->value);
	if (e->value_secs >= 0)
		sb_printf(&ex->o, "%s%s == %lld", and, py ? "secs" : "lg.l_linger", e->value_secs);
}

static void emit_step(struct ex *ex, struct ex_actor *a, const struct sp_stmt *st, int depth)
{
	const struct call_info *ci = call_info(st->call);
	int py = ex->lang == EXPORT_PYTHON, c = !py;
	char fd[SP_NAME_MAX + 32] = "";
	struct sb fmt = { 0 }, args = { 0 };
	if (!ci)
		return;
	int has_addr = ci->addr_arg >= 0;
	const struct sp_data *data = ci->data_arg >= 0 ? &st->args[ci->data_arg].data : NULL;
	struct stmt_out x = { .st = st, .ci = ci, .fd = fd, .a = a };
	x.as = st->assign[0] ? find_sock(a, st->assign) : NULL;
	x.as2 = st->assign2[0] ? find_sock(a, st->assign2) : NULL;
	x.opt = ci->opt_arg >= 0 ? consts_opt_at((size_t)st->args[ci->opt_arg].num) : NULL;
	int family = socket_family(a, st);
	x.tcp = socket_type(a, st) == SOCK_STREAM && (family == AF_INET || family == AF_INET6);

	if (ci->fd_arg >= 0)
		fd_expr(ex, a, &st->args[ci->fd_arg], fd, sizeof fd);
	step_comment(ex, a, st, depth);

	/* data sent more than once: made before the turn, as a program would */
	if (c && data && data->count > 1) {
		struct sb saved = sub_begin(ex);
		lit(ex, data->unit, data->unit_len, 0, 1, 0);
		char *unit = sub_end(ex, saved);
		text(ex, depth, rt_txt_c_data_repeat, unit ? unit : "", data->unit_len, (unsigned long long)data->count);
		free(unit);
	}
	/* wait for the turn, then say which call is made */
	step_format(ex, a, st, fd, has_addr, &fmt, &args);
	if (has_addr) {
		text(ex, depth, TX(turn));
		emit_addr(ex, a, st, &st->args[ci->addr_arg].addr, fd, depth, &x.raw_family);
	}
	struct sb saved = sub_begin(ex);
	lit(ex, fmt.p ? fmt.p : "", fmt.n, 0, 0, 1); /* its '%' are the format's */
	char *format = sub_end(ex, saved), *after = NULL;
	if (args.n && py) /* Python: FORMAT % ARG, or FORMAT % (ARG, ...) */
		after = text_dup(ex, strchr(args.p + 2, ',') ? rt_txt_py_args_n : rt_txt_py_args_1, args.p + 2);
	text(ex, depth, has_addr ? TX(call) : TX(step), format ? format : "", after ? after : args.n ? args.p : "");
	free(format);
	free(after);
	free(fmt.p);
	free(args.p);

	/* the call itself, as the table writes it */
	out_template(ex, &x, c ? ci->ex_c : ci->ex_py, py ? depth + 1 : depth);
	if (c && data && data->count > 1)
		text(ex, depth, rt_txt_c_free_data);

	/* the script's expectation */
	if (st->expect.present && st->ready && st->ready->expect) { /* = N ( ... ): which sockets were ready, too */
		char list[512];
		script_ready_format(st->call, st->ready->exp, st->ready->nexp, list, sizeof list);
		char *want = text_dup(ex, rt_txt_ready_want, st->expect.ret, list);
		char *l1 = lit_dup(ex, list), *l2 = want ? lit_dup(ex, want) : NULL;
		if (l1 && l2) /* else out of memory, which sub_end() noted */
			text(ex, depth, TX(check_ready), st->line, st->expect.ret, l1, l2);
		free(want);
		free(l1);
		free(l2);
	} else if (st->expect.present) {
		char want[512];
		transcript_expect_text(&st->expect, want, sizeof want);
		saved = sub_begin(ex);
		expect_cond(ex, &st->expect);
		if (st->expect.has_value)
			value_cond(ex, st);
		char *cond = sub_end(ex, saved), *wanted = lit_dup(ex, want);
		saved = sub_begin(ex); /* Python: what the check compares besides the result */
		if (st->expect.has_data)
			text(ex, -1, rt_txt_py_check_data);
		if (st->expect.has_value)
			text(ex, -1, rt_txt_py_check_value);
		char *also = sub_end(ex, saved);
		if (py)
			text(ex, depth, rt_txt_py_check, st->line, cond ? cond : "", wanted ? wanted : "", also ? also : "");
		else
			text(ex, depth, rt_txt_c_check, st->line, cond ? cond : "", wanted ? wanted : "",
			     (st->expect.has_data ? 1 : 0) | (st->expect.has_value ? 2 : 0));
		free(cond);
		free(wanted);
		free(also);
	}
	/* where another side will look for this socket's address */
	struct ex_sock *fs = ci->fd_arg >= 0 ? find_sock(a, st->args[ci->fd_arg].name) : NULL;
	struct ex_sock *sh = x.as && x.as->shared ? (struct ex_sock *)x.as : fs && fs->shared ? fs : NULL;
	if (sh)
		text(ex, depth, TX(share), a->name, sh->name, sh->var);
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

/* Not two newlines at the end of what is written. */
static void no_empty_line(struct ex *ex)
{
	if (ex->o.n >= 2 && ex->o.p[ex->o.n - 1] == '\n' && ex->o.p[ex->o.n - 2] == '\n')
		ex->o.p[--ex->o.n] = 0;
}

static void emit_body(struct ex *ex, struct ex_actor *a, const struct sp_stmt *v, size_t n, int depth)
{
	for (size_t i = 0; i < n; i++) {
		const struct sp_stmt *st = &v[i];
		if (st->kind == SP_ST_REPEAT && st->repeat > 0 && has_calls(st->body, st->nbody, a)) {
			if (depth > 8) /* the parser allows no deeper nesting */
				continue;
			text(ex, depth, TX(repeat), st->repeat, depth);
			emit_body(ex, a, st->body, st->nbody, depth + 1);
			if (ex->lang == EXPORT_C) {
				no_empty_line(ex); /* before the brace */
				text(ex, depth, rt_txt_c_repeat_end);
				sb_putc(&ex->o, '\n');
			}
		} else if (st->kind == SP_ST_CALL && strcmp(st->actor, a->name) == 0) {
			emit_step(ex, a, st, depth);
		}
	}
}

/* The C locals a side declares when its code uses one of their names. */
enum local { L_ADDR, L_PEER, L_DATA, L_OPTVAL, L_OPTLEN, L_LG, L_TV, L_SV, L_COUNT };
static const char *const local_names[L_COUNT] = {
	"addr addrlen", "peer peerlen", "data", "optval", "optlen", "lg", "tv", "sv",
};
static const enum helper local_needs[L_COUNT] = { [L_TV] = H_TIMEVAL }; /* its header; H_BASE: none */
static const char *const *const local_decl[L_COUNT] = { /* addr and peer: rt_txt_c_names */
	[L_DATA] = rt_txt_c_data, [L_OPTVAL] = rt_txt_c_optval, [L_OPTLEN] = rt_txt_c_optlen, [L_LG] = rt_txt_c_lg,
	[L_TV] = rt_txt_c_tv, [L_SV] = rt_txt_c_sv,
};
#define U(l) (1u << (l))

/*
 * What the code P of side A (C when C, else Python) calls and uses, comments
 * and strings aside: the helpers, by the words of their rows, each followed
 * by '('; and in C the locals of local_names[], but where a block declares
 * one of those names itself (a word before it: struct timeval tv = ...), up
 * to the block's end.
 */
static void scan_code(struct ex *ex, struct ex_actor *a, const char *p, int c)
{
	int depth = 0, typed = 0;  /* C: braces open; a word (a type) just before */
	int own[L_COUNT] = { 0 };  /* the depth of the block that declared the local, plus 1; 0 none */
	while (*p) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
		if (c && p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			typed = 0;
		} else if (!c && *p == '#') {
			p += strcspn(p, "\n");
		} else if (*p == '"' || *p == '\'') {
			char q = *p++;
			for (; *p && *p != q; p++)
				p += *p == '\\' && p[1];
			p += *p == q;
			typed = 0;
		} else if (n && !(*p >= '0' && *p <= '9')) {
			char w[64];
			snprintf(w, sizeof w, "%.*s", (int)n, p);
			for (int h = 0; h < H_COUNT && p[n] == '('; h++)
				if (has_word(helpers[h].name, w))
					ex->need |= H(h);
			w[strcspn(w, ".")] = 0; /* lg.l_onoff: lg */
			for (int l = 0; l < L_COUNT && c; l++) {
				if (!has_word(local_names[l], w) || own[l])
					continue;
				if (typed) { /* declared here, the block's own */
					own[l] = depth + 1;
					continue;
				}
				a->uses |= U(l);
				ex->need |= H(local_needs[l]);
			}
			typed = !in_words(rt_txt_c_used_after, w);
			p += n;
		} else {
			depth += (*p == '{') - (*p == '}');
			for (int l = 0; l < L_COUNT && *p == '}'; l++)
				own[l] = own[l] > depth + 1 ? 0 : own[l];
			typed = typed && (*p == ' ' || *p == '*');
			p += n ? n : 1;
		}
	}
}

static void emit_actor(struct ex *ex, struct ex_actor *a)
{
	const struct sp_script *sc = ex->sc;
	int c = ex->lang == EXPORT_C;
	struct sb out = ex->o, body = { 0 };
	/* the body first: the declarations are of what it uses */
	ex->o = body;
	emit_body(ex, a, sc->stmts, sc->n, 1);
	body = ex->o;
	ex->o = out;
	ex->o.oom |= body.oom;
	scan_code(ex, a, body.p ? body.p : "", c);
	int addr = !!(a->uses & U(L_ADDR)), peer = !!(a->uses & U(L_PEER));
	char rule[40] = ""; /* the heading's rule, to column 79 */
	size_t width = c ? 25 : 26, len = strlen(a->name);
	memset(rule, '=', len < width ? width - len : 0);
	text(ex, 0, TX(side), a->name, rule, a->fn);
	struct sb saved = sub_begin(ex);
	for (size_t i = 0; i < a->nsocks; i++)
		text(ex, -1, TX(socket), a->socks[i].var, i ? ", " : "");
	char *socks = sub_end(ex, saved);
	if (a->nsocks)
		text(ex, 0, TX(sockets), socks);
	free(socks);
	/* C: the locals the side's code uses */
	saved = sub_begin(ex);
	if (c && (addr || peer)) {
		char names[2][32];
		for (int w = 0; w < 2; w++)
			snprintf(names[w], sizeof names[w], "%s%s%s", addr ? (w ? "addrlen" : "addr") : "",
				 addr && peer ? ", " : "", peer ? (w ? "peerlen" : "peer") : "");
		text(ex, 0, rt_txt_c_names, names[0], names[1]);
	}
	if (c && a->bufsize)
		text(ex, 0, a->bufsize > 65536 ? rt_txt_c_static_buf : rt_txt_c_buf, a->bufsize);
	for (int l = 0; l < L_COUNT && c; l++)
		if ((a->uses & U(l)) && local_decl[l])
			text(ex, 0, local_decl[l]);
	for (size_t i = 0; i < a->nsocks && c; i++)
		if (!a->socks[i].read)
			text(ex, 0, rt_txt_c_unused, a->socks[i].var);
	char *locals = sub_end(ex, saved);
	if (c)
		text(ex, 0, rt_txt_c_locals, locals); /* and the empty line after them */
	free(locals);
	if (body.p)
		sb_putn(&ex->o, body.p, body.n);
	free(body.p);
	if (c)
		no_empty_line(ex);
	text(ex, 0, TX(side_end));
}

/* Every side's function, into ex->sides: what the program calls is known then. */
static void render_sides(struct ex *ex)
{
	struct sb out = ex->o;
	ex->o = (struct sb){ 0 };
	for (size_t i = 0; i < ex->nactors; i++)
		emit_actor(ex, &ex->actors[i]);
	ex->sides = ex->o;
	ex->o = out;
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
		struct ex_actor *a = find_actor(ex, st->actor);
		const char *fn = a ? a->fn : "?";
		struct sb saved = sub_begin(ex); /* the statement, in a comment after the code */
		comment_text(ex, src, strlen(src));
		char *comment = sub_end(ex, saved), *l1 = NULL, *l2 = NULL;
		switch (st->kind) {
		case SP_ST_REPEAT:
			if (st->repeat <= 0 || depth > 8)
				break;
			text(ex, depth, TX(repeat), st->repeat, depth);
			emit_script_body(ex, st->body, st->nbody, depth + 1);
			if (c)
				text(ex, depth, rt_txt_c_repeat_end);
			break;
		case SP_ST_TITLE:
		case SP_ST_SAY:
			l1 = lit_dup(ex, st->text ? st->text : "");
			text(ex, depth, st->kind == SP_ST_TITLE ? TX(title_st) : TX(say), l1);
			break;
		case SP_ST_PAUSE:
			text(ex, depth, TX(pause));
			if (!c && i + 1 == n) /* a block must hold a statement */
				text(ex, depth, rt_txt_py_pass);
			break;
		case SP_ST_SLEEP:
			text(ex, depth, TX(sleep), st->sleep_ms);
			break;
		case SP_ST_EXPECT_SIDE: /* what sockplay sees and a plain program does not: a comment */
		case SP_ST_EXPECT_WIRE:
			text(ex, depth, TX(sockplay_only), comment, st->line,
			     st->kind == SP_ST_EXPECT_SIDE ? rt_txt_side_now[0] : rt_txt_wire_last[0]);
			if (!c && depth > 0) /* a block must hold a statement */
				text(ex, depth, rt_txt_py_pass);
			break;
		case SP_ST_EXPECT: {
			const char *sn = consts_tcp_state_name(st->state);
			char state[32];
			if (c)
				nth_word(rt_txt_c_tcp_states, st->state, state, sizeof state);
			else
				snprintf(state, sizeof state, "%s", sn ? sn : "CLOSED");
			l1 = lit_dup(ex, st->name);
			text(ex, depth, TX(expect), fn, l1, state, st->line, comment);
			break;
		}
		case SP_ST_CALL: {
			const struct call_info *ci = call_info(st->call);
			struct ex_sock *fs = ci && ci->fd_arg >= 0 ? find_sock(a, st->args[ci->fd_arg].name) : NULL;
			struct ex_sock *as = st->assign[0] ? find_sock(a, st->assign) : NULL;
			saved = sub_begin(ex); /* what the step does to a socket an expect asks about */
			if (as && as->checked) {
				l1 = lit_dup(ex, st->assign);
				text(ex, -1, TX(makes), l1);
			} else if (call_has(st->call, CALL_F_CLOSES) && fs && fs->checked) {
				l1 = lit_dup(ex, fs->name);
				text(ex, -1, TX(closes), l1);
			} else if (ex->need & H(H_EXPECT)) {
				text(ex, -1, TX(no_socket));
			}
			l2 = sub_end(ex, saved);
			text(ex, depth, TX(run), fn, st->line, l2, comment);
			break;
		}
		}
		free(comment);
		free(l1);
		free(l2);
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

/* TEXT as comment lines (wrap()), in a string of its own; its newlines are spaces. */
static char *wrapped(struct ex *ex, char *text)
{
	for (char *p = text; p && *p; p++)
		*p = *p == '\n' ? ' ' : *p;
	struct sb saved = sub_begin(ex);
	wrap(ex, 0, text ? text : "");
	free(text);
	return sub_end(ex, saved);
}

static void emit_header(struct ex *ex)
{
	const struct sp_script *sc = ex->sc;
	const char *file = sc->file ? sc->file : "script.sp", *b = strrchr(file, '/');
	char base[128];
	struct sb names = { 0 };
	base_name(file, base, sizeof base);
	for (size_t i = 0; i < ex->nactors; i++)
		sb_printf(&names, "%s%s()", i == 0 ? "" : i + 1 == ex->nactors ? " and " : ", ", ex->actors[i].fn);
	char *titled = sc->title ? text_dup(ex, rt_txt_titled, sc->title) : NULL;
	char *title = wrapped(ex, text_dup(ex, TX(title), b ? b + 1 : file, titled ? titled : ""));
	char *about = wrapped(ex, text_dup(ex, rt_txt_about, names.p ? names.p : ""));
	char *network = wrapped(ex, text_dup(ex, rt_txt_network, 0));
	text(ex, 0, TX(header), title, base, about, network);
	free(titled);
	free(title);
	free(about);
	free(network);
	free(names.p);
}

/* The items of a table, ITEM filled with each word of WORDS, at most 92 columns a line (BREAK: a line each N items). */
static char *table_items(struct ex *ex, const char *const *item, const char *const *words, int n, int every)
{
	struct sb saved = sub_begin(ex);
	int col = 100, c = ex->lang == EXPORT_C;
	for (int i = 0; i < n; i++) {
		char word[64];
		nth_word(words, i, word, sizeof word);
		struct sb s2 = sub_begin(ex);
		text(ex, -1, item, word);
		char *it = sub_end(ex, s2);
		int len = it ? (int)strlen(it) + 1 : 0;
		if (every ? i % every == 0 : col + len > 92) {
			sb_putc(&ex->o, '\n');
			indent(ex, 1);
			col = c ? 8 : 4;
		} else {
			sb_putc(&ex->o, ' ');
		}
		sb_puts(&ex->o, it ? it : "");
		col += len;
		free(it);
	}
	return sub_end(ex, saved);
}

static void emit_tables(struct ex *ex)
{
	const struct sp_script *sc = ex->sc;
	struct sb fns = { 0 }, names = { 0 }, shared = { 0 }, errnos = { 0 }, states = { 0 };
	for (size_t i = 0; i < ex->nactors; i++) {
		char *l = lit_dup(ex, ex->actors[i].name);
		sb_printf(&fns, "%s%s", i ? ", " : "", ex->actors[i].fn);
		sb_printf(&names, "%s%s", i ? ", " : "", l ? l : "");
		free(l);
	}
	for (size_t i = 0; i < ex->nshared; i++) {
		char *l = lit_dup(ex, ex->shared[i]);
		sb_printf(&shared, "%s%s", i ? ", " : "", l ? l : "");
		free(l);
	}
	char *file = lit_dup(ex, sc->file ? sc->file : "script.sp");
	text(ex, 0, TX(tables), file, ex->nactors, fns.p ? fns.p : "", names.p ? names.p : "");
	if (ex->nshared)
		text(ex, 0, TX(shared_names), shared.p ? shared.p : "");
	if (ex->need & H(H_EXPECT))
		text(ex, 0, TX(max_sockets), ex->nchecked > 0 ? ex->nchecked : 1);
	/* errno names: the first name of each value (no aliases) */
	int n = 0;
	for (size_t i = 0; consts_errno_at(i); i++) {
		const char *name = consts_errno_at(i);
		int v = consts_errno_from_name(name);
		if (v && consts_errno_name(v) && strcmp(consts_errno_name(v), name) == 0)
			sb_printf(&errnos, "%s%s", n++ ? " " : "", name);
	}
	const char *const errno_words[] = { errnos.p ? errnos.p : "", NULL };
	char *items = table_items(ex, TX(errno), errno_words, n, 0);
	text(ex, 0, TX(errnos), items ? items : "");
	free(items);
	if (ex->need & H(H_EXPECT)) {
		for (n = 0; consts_tcp_state_name(n); n++)
			sb_printf(&states, "%s%s", n ? " " : "", consts_tcp_state_name(n));
		const char *const state_words[] = { states.p ? states.p : "", NULL };
		items = table_items(ex, rt_txt_state, state_words, n, 7);
		text(ex, 0, TX(states), items ? items : "");
		free(items);
	}
	sb_putc(&ex->o, '\n');
	free(file);
	free(fns.p);
	free(names.p);
	free(shared.p);
	free(errnos.p);
	free(states.p);
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
	if (strcmp(name, "sides") == 0 && ex->sides.p) {
		sb_putn(&ex->o, ex->sides.p, ex->sides.n);
	} else if (strcmp(name, "script") == 0) {
		emit_script_body(ex, ex->sc->stmts, ex->sc->n, 1);
	} else if (strcmp(name, "tables") == 0) {
		emit_tables(ex);
	} else if (strcmp(name, "side_list") == 0) {
		struct sb saved = sub_begin(ex);
		for (size_t i = 0; i < ex->nactors; i++) {
			char *l = lit_dup(ex, ex->actors[i].name);
			text(ex, -1, rt_txt_side_item, i ? ", " : "", l ? l : "", ex->actors[i].fn);
			free(l);
		}
		char *items = sub_end(ex, saved);
		text(ex, 0, rt_txt_side_list, items ? items : "");
		free(items);
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

static void ex_free(struct ex *ex)
{
	for (size_t i = 0; ex && i < ex->nactors; i++)
		free(ex->actors[i].socks);
	if (ex) {
		free(ex->shared);
		free(ex->sides.p);
		free(ex->o.p);
	}
	free(ex);
}

/* The script analyzed, its sides written, in LANG; NULL when out of memory. */
static struct ex *ex_new(const struct sp_script *script, enum export_lang lang)
{
	struct ex *ex = calloc(1, sizeof *ex);
	if (!ex)
		return NULL;
	ex->sc = script;
	ex->lang = lang;
	analyze(ex, script->stmts, script->n);
	render_sides(ex);
	return ex;
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
	if (check_names(script->stmts, script->n, script->file, err, errlen) < 0)
		return -1;
	/* the program has the helpers its sides call in either language: C and Python carry the same */
	struct ex *ex = ex_new(script, lang), *other = ex_new(script, lang == EXPORT_C ? EXPORT_PYTHON : EXPORT_C);
	int rc = 0;
	if (!ex || !other || ex->sides.oom || other->sides.oom) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	} else if (ex->nactors == 0) {
		snprintf(err, errlen, "the script makes no call: there is nothing to export");
		rc = -1;
	} else {
		ex->need |= other->need;
		close_needs(ex);
		emit_program(ex);
		if (ex->o.oom) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (fwrite(ex->o.p, 1, ex->o.n, fp) != ex->o.n || fflush(fp) != 0 || ferror(fp)) {
			snprintf(err, errlen, "cannot write the program: %s", strerror(errno));
			rc = -1;
		}
	}
	ex_free(ex);
	ex_free(other);
	return rc;
}
