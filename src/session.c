/* session.c -- runs statements on actors, tracks their sockets, checks expectations. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sockplay/actor.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/grow.h"
#include "sockplay/i18n.h"
#include "sockplay/kview.h"
#include "sockplay/sandbox.h"
#include "sockplay/session.h"
#include "sockplay/text.h"
#include "sockplay/trace.h"
#include "sockplay/transcript.h"
#include "sockplay/wire.h"

#define SESSION_MAX_ACTORS 16 /* actors and programs' processes (a forking server has a few) */
#define SESSION_MAX_PROGS 8
/* A program blocked in poll/select/epoll: settled once no event came for this long. */
#define PROG_QUIET_MS 30
/* A call seen asleep in the kernel at every look (this often) for this long is blocked ... */
#define BLOCK_LOOK_MS 10
#define BLOCK_ASLEEP_MS 30
/* ... or, where /proc cannot tell, one that has not returned after this long. */
#define BLOCK_AFTER_MS 100
/* How long a released call may take to report back. */
#define RELEASE_WAIT_MS 1000
/* How long past its SO_RCVTIMEO/SO_SNDTIMEO a blocked call may take to report back. */
#define TIMEOUT_SLACK_MS 500
/* How long an expect may wait for a state the kernel reaches on its own. */
#define EXPECT_WAIT_MS 1000

/* An address and its text: a snapshot formats an address again only when it changed. */
struct addr_text {
	struct sockaddr_storage ss;
	socklen_t len;
	int ok;
	char text[SNAP_ADDR_MAX];
};

/* A socket an actor made, known by fd while open and by cookie after. */
struct sess_sock {
	char name[SP_NAME_MAX];
	int fd;
	uint64_t cookie;
	int family, type;
	int closed;   /* close() returned 0 */
	int gone;     /* closed, and the kernel no longer lists it */
	struct sockaddr_storage local, peer;
	socklen_t local_len, peer_len;
	int state;    /* tcpi_state after the last call, -1 unknown */
	int in_kernel;
	struct kv_sock k;
	struct addr_text txt_local, txt_peer; /* the snapshot's texts of the addresses, kept */
	int had_peer, linger_zero; /* for explain_facts(): it was connected once; SO_LINGER {1, 0} set */
	int connect_tried;         /* ... connect() was called on it (a failure leaves no peer) */
	int pre_ok, pre_state;     /* explain_before(): the state as the call started (-1 unknown), pre_rq read */
	unsigned pre_rq;
};

/* The call an actor is making (at most one: an actor is a sequential program). */
struct pending {
	int active;
	uint32_t seq;
	enum sp_call call;
	int fd;
	int line;
	const struct sp_stmt *stmt;
	char assign[SP_NAME_MAX];
	char assign2[SP_NAME_MAX]; /* socketpair(): the second name */
	char text[SNAP_LINE_MAX];
	struct sp_expect expect; /* deep copy: typed statements may be gone */
	size_t sent_len;
	int family, type;        /* of the socket being made (socket, accept) */
	int blocked;
	int interrupted;
	struct timespec start;
	enum sp_block blocking;  /* <blocked> / <at once> written after the call */
	int block_failed;        /* <at once> that blocked: its failure is reported */
	/* poll(), select(): the sockets by their fds (names as the session knows them) */
	int has_ready, timeout;
	struct sp_ready ready;
	int ready_wire[SP_READY_MAX * 2];  /* fd, events: the request's data */
	char ready_text[SNAP_LINE_MAX];    /* "3 POLLIN, 4 POLLOUT" */
};

/* A program on stage (--run): one trace, one side per process. */
struct sess_prog {
	char side[SP_NAME_MAX];
	char command[SNAP_LINE_MAX];
	struct trace *t;
	int over;                /* the trace said all it had to say */
	long long last_event_ms; /* when its last event came */
	/* processes forked but not yet shown: a side is made at its first socket call or line
	   (a launcher's helpers that never touch a socket are not sides) */
	struct { char side[SP_NAME_MAX], parent[SP_NAME_MAX]; } forked[32];
	size_t nforked;
};

struct sess_actor {
	char name[SP_NAME_MAX];
	struct actor *a;         /* NULL for a program's side */
	/* a program's side: which program, its process, what it is doing */
	struct sess_prog *prog;
	pid_t ppid;
	int ended, failed;
	char how[SNAP_LINE_MAX];
	int held;
	pid_t held_tid;
	char next[SNAP_LINE_MAX];
	int free_run;
	int tblocked;
	pid_t btid;
	enum trace_call bcall;
	long long bfd;
	char btext[SNAP_LINE_MAX];
	struct timespec bstart;
	int pidfd;
	struct sess_sock *socks;
	size_t nsocks, cap;
	struct pending p;
	struct snap_line log[SNAP_LOG_KEEP]; /* a ring */
	size_t log_start, nlog;
};

struct session {
	struct session_opts o;
	struct sess_actor actors[SESSION_MAX_ACTORS];
	size_t nactors;
	struct sess_prog progs[SESSION_MAX_PROGS];
	size_t nprogs;
	uint32_t seq;
	unsigned steps;
	int failures;
	struct kv_table kv;
	/* snapshot storage */
	struct snapshot snap;
	struct snap_actor snap_actors[SESSION_MAX_ACTORS];
	struct snap_sock *snap_socks;
	size_t snap_socks_cap;
	struct snap_line *snap_log;
	size_t snap_log_cap;
	uint32_t last_seq;             /* the request number of the call above (numbers grow) */
	char holder_comm[132];         /* the explanation's outside holder of a port, by name, escaped */
	/* expect wire: the capture (the caller's) and where the most recent call began */
	struct {
		struct wire *w;
		char off[300];             /* why there is none */
		struct timespec call_rt;   /* CLOCK_REALTIME, as segments are stamped; 0: no call yet */
		char call_text[SNAP_LINE_MAX];
	} wire;
	struct explain_ready ready_facts; /* the last poll()'s or select()'s, for its explanation */
};

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000LL + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void emit(struct session *s, const struct sp_event *ev)
{
	if (s->o.on_event)
		s->o.on_event(s->o.ctx, ev);
}

static void log_line(struct sess_actor *act, enum snap_line_kind kind, const char *text)
{
	size_t i;
	if (act->nlog < SNAP_LOG_KEEP) {
		i = (act->log_start + act->nlog++) % SNAP_LOG_KEEP;
	} else {
		i = act->log_start;
		act->log_start = (act->log_start + 1) % SNAP_LOG_KEEP;
	}
	act->log[i].kind = kind;
	snprintf(act->log[i].text, sizeof act->log[i].text, "%s", text);
}

static void emit_error(struct session *s, const struct sp_stmt *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emit_error(struct session *s, const struct sp_stmt *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct sp_event ev = { .kind = SP_EV_ERROR, .stmt = st, .line = st ? st->line : 0,
			       .text = msg, .actor = st ? st->actor : NULL, .state = -1 };
	s->failures++;
	emit(s, &ev);
}

/* ---- actors and their sockets ----------------------------------------- */

static struct sess_actor *find_actor(const struct session *s, const char *name)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (strcmp(s->actors[i].name, name) == 0)
			return (struct sess_actor *)&s->actors[i];
	return NULL;
}

static struct sess_actor *get_actor(struct session *s, const char *name, char *err, size_t errlen)
{
	struct sess_actor *act = find_actor(s, name);
	if (act && act->prog) {
		snprintf(err, errlen, _("%s is a program (--run); a script drives only the other sides"), name);
		return NULL;
	}
	if (act)
		return act;
	if (session_is_program(s, name)) { /* a process of a program that has not forked it yet */
		snprintf(err, errlen, _("%s is a program (--run); a script drives only the other sides"), name);
		return NULL;
	}
	if (s->nactors == SESSION_MAX_ACTORS) {
		snprintf(err, errlen, _("too many actors (at most %d)"), SESSION_MAX_ACTORS);
		return NULL;
	}
	act = &s->actors[s->nactors];
	memset(act, 0, sizeof *act);
	snprintf(act->name, sizeof act->name, "%s", name);
	act->a = actor_spawn(name, err, errlen);
	if (!act->a)
		return NULL;
	act->pidfd = (int)syscall(SYS_pidfd_open, actor_pid(act->a), 0);
	s->nactors++;
	return act;
}

static struct sess_sock *sock_by_fd(struct sess_actor *act, int fd)
{
	for (size_t i = act->nsocks; i-- > 0;)
		if (!act->socks[i].closed && act->socks[i].fd == fd)
			return &act->socks[i];
	return NULL;
}

static struct sess_sock *sock_by_name(const struct sess_actor *act, const char *name)
{
	for (size_t i = act->nsocks; i-- > 0;)
		if (strcmp(act->socks[i].name, name) == 0)
			return &act->socks[i];
	return NULL;
}

static struct sess_sock *sock_add(struct sess_actor *act)
{
	struct sess_sock *v = grow_array(act->socks, act->nsocks, &act->cap, sizeof *v, 8);
	if (!v)
		return NULL;
	act->socks = v;
	struct sess_sock *ss = &act->socks[act->nsocks++];
	memset(ss, 0, sizeof *ss);
	ss->state = -1;
	return ss;
}

/* ---- resolving a statement into a request ------------------------------ */

static int arg_fd(struct sess_actor *act, const struct sp_arg *arg, struct sess_sock **sock)
{
	*sock = NULL;
	if (arg->name[0]) {
		struct sess_sock *ss = sock_by_name(act, arg->name);
		if (!ss)
			return -1;
		*sock = ss->closed ? NULL : ss;
		return ss->fd; /* a closed socket's old number: the kernel says EBADF, as in C */
	}
	*sock = sock_by_fd(act, (int)arg->num);
	return (int)arg->num;
}

static int resolve_addr(struct session *s, struct sess_actor *act, const struct sp_addr *a,
			int family, struct sockaddr_storage *out, socklen_t *len,
			char *err, size_t errlen)
{
	struct sp_addr named;
	memset(out, 0, sizeof *out);
	if (a->kind == SP_ADDR_IP && a->host[0]) { /* a name: looked up now, not when parsed */
		const char *why = "";
		named = *a;
		if (script_addr_resolve(&named, s->o.names_local_only, &why) < 0) {
			snprintf(err, errlen, _("cannot resolve '%s': %s"), a->host, why);
			return -1;
		}
		a = &named;
	}
	switch (a->kind) {
	case SP_ADDR_IP:
	case SP_ADDR_ANY: {
		int use6;
		if (a->kind == SP_ADDR_ANY)
			use6 = family == AF_INET6;
		else if (family == AF_INET6 && a->has_v6)
			use6 = 1;
		else if (family == AF_INET && a->has_v4)
			use6 = 0;
		else
			use6 = !a->has_v4; /* the spelling's own family: the kernel judges */
		if (use6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(a->port);
			if (a->kind == SP_ADDR_IP)
				in6->sin6_addr = a->v6;
			*len = sizeof *in6;
		} else {
			struct sockaddr_in *in = (struct sockaddr_in *)out;
			in->sin_family = AF_INET;
			in->sin_port = htons(a->port);
			in->sin_addr.s_addr = a->kind == SP_ADDR_IP ? a->v4.s_addr : htonl(INADDR_ANY);
			*len = sizeof *in;
		}
		return 0;
	}
	case SP_ADDR_UNIX: {
		struct sockaddr_un *un = (struct sockaddr_un *)out;
		un->sun_family = AF_UNIX;
		size_t n = strnlen(a->path, sizeof un->sun_path - 1);
		if (a->abstract) {
			if (n > sizeof un->sun_path - 1)
				n = sizeof un->sun_path - 1;
			memcpy(un->sun_path + 1, a->path, n);
			*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
		} else {
			memcpy(un->sun_path, a->path, n);
			*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
		}
		return 0;
	}
	case SP_ADDR_UNSPEC: /* a sockaddr of no family: connect() dissolves the association with it */
		out->ss_family = AF_UNSPEC;
		*len = sizeof(struct sockaddr);
		return 0;
	case SP_ADDR_OF: {
		struct sess_actor *owner = a->actor[0] ? find_actor(s, a->actor) : act;
		struct sess_sock *ss = owner ? sock_by_name(owner, a->name) : NULL;
		if (!ss) {
			snprintf(err, errlen, _("%s has no socket '%s' yet"), a->actor[0] ? a->actor : act->name,
				 a->name);
			return -1;
		}
		if (ss->local_len == 0) {
			snprintf(err, errlen, _("socket '%s' of %s has no address yet"), a->name, owner->name);
			return -1;
		}
		*out = ss->local;
		*len = ss->local_len;
		return 0;
	}
	}
	snprintf(err, errlen, _("bad address"));
	return -1;
}

static void dup_expect(struct sp_expect *dst, const struct sp_expect *src)
{
	*dst = *src;
	dst->data.unit = NULL;
	if (src->has_data && src->data.unit_len) {
		dst->data.unit = malloc(src->data.unit_len);
		if (dst->data.unit)
			memcpy(dst->data.unit, src->data.unit, src->data.unit_len);
		else
			dst->data.unit_len = 0;
	}
}

/*
 * poll(), select(): each socket's fd (a closed one keeps its old number: the
 * kernel says POLLNVAL or EBADF, as in C), the request's data (fd, events
 * pairs), the list as the call's text shows it, and the expected sockets by fd.
 */
static int ready_request(struct sess_actor *act, const struct sp_stmt *st, struct actor_req *rq,
			 struct pending *p, char *err, size_t errlen)
{
	const struct sp_ready *r = st->ready;
	struct sp_ready_sock shown[SP_READY_MAX];
	if (!r) {
		snprintf(err, errlen, _("not a call"));
		return -1;
	}
	p->has_ready = 1;
	p->ready = *r;
	for (int pass = 0; pass < 2; pass++) {
		struct sp_ready_sock *v = pass ? p->ready.exp : p->ready.s;
		int n = pass ? p->ready.nexp : p->ready.n;
		for (int i = 0; i < n; i++) {
			struct sp_arg a = { .kind = SP_ARG_SOCK, .num = v[i].fd };
			struct sess_sock *unused;
			snprintf(a.name, sizeof a.name, "%s", v[i].name);
			int fd = arg_fd(act, &a, &unused);
			if (fd < 0) {
				snprintf(err, errlen, _("'%s' is not defined for actor %s"), v[i].name, act->name);
				return -1;
			}
			v[i].fd = fd; /* shown as written: by its name, or by its number */
		}
	}
	for (int i = 0; i < p->ready.n; i++) {
		shown[i] = p->ready.s[i];
		shown[i].name[0] = 0;
		p->ready_wire[2 * i] = p->ready.s[i].fd;
		p->ready_wire[2 * i + 1] = p->ready.s[i].events;
	}
	script_ready_format(st->call, shown, p->ready.n, p->ready_text, sizeof p->ready_text);
	rq->fd = p->ready.n ? p->ready.s[0].fd : -1;
	rq->unit = (const unsigned char *)p->ready_wire;
	rq->unit_len = (size_t)p->ready.n * 2 * sizeof(int);
	rq->count = 1;
	p->timeout = -1;
	return 0;
}

/* Build the request and its text for a CALL statement, from the call's row in the table. */
static int build_request(struct session *s, struct sess_actor *act, const struct sp_stmt *st,
			 struct actor_req *rq, struct pending *p, char *err, size_t errlen)
{
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *av = st->args;
	struct sess_sock *sock = NULL;
	const struct sp_opt *opt = NULL;
	char fdt[16] = "", addrt[160] = "";
	int fd = -1, family = 0;

	if (!ci) {
		snprintf(err, errlen, _("not a call"));
		return -1;
	}
	memset(rq, 0, sizeof *rq);
	rq->call = st->call;
	rq->count = 1;
	if (ci->fd_arg >= 0) {
		fd = arg_fd(act, &av[ci->fd_arg], &sock);
		if (fd < 0) {
			snprintf(err, errlen, _("'%s' is not defined for actor %s"), av[ci->fd_arg].name, act->name);
			return -1;
		}
		family = sock ? sock->family : 0;
		snprintf(fdt, sizeof fdt, "%d", fd);
	}
	rq->fd = fd;
	p->family = family;
	p->type = sock ? sock->type : 0;
	for (int i = 0; i < ci->max; i++) {
		const struct sp_arg *a = &av[i];
		switch (ci->args[i].sh) {
		case CALL_SH_DOMAIN:
			rq->domain = p->family = (int)a->num;
			break;
		case CALL_SH_TYPE:
			rq->type = p->type = (int)a->num;
			break;
		case CALL_SH_PROTO:
			rq->proto = (int)a->num;
			break;
		case CALL_SH_ADDR:
		case CALL_SH_PATH:
			if (resolve_addr(s, act, &a->addr, family, &rq->addr, &rq->addrlen, err, errlen) < 0)
				return -1;
			if (a->addr.kind == SP_ADDR_UNSPEC)
				snprintf(addrt, sizeof addrt, "AF_UNSPEC");
			else
				text_addr(&rq->addr, rq->addrlen, addrt, sizeof addrt);
			break;
		case CALL_SH_DATA:
			rq->unit = a->data.unit;
			rq->unit_len = a->data.unit_len;
			rq->count = a->data.count;
			p->sent_len = a->data.unit_len * a->data.count;
			break;
		case CALL_SH_FLAGS:
			rq->flags = (int)a->num;
			break;
		case CALL_SH_OPT:
			opt = consts_opt_at((size_t)a->num);
			if (!opt) {
				snprintf(err, errlen, _("unknown option"));
				return -1;
			}
			rq->opt_level = opt->level;
			rq->opt_name = opt->optname;
			rq->opt_kind = opt->kind;
			break;
		case CALL_SH_INT:
		case CALL_SH_LINGER:
		case CALL_SH_LEN:
		case CALL_SH_BOOL:
		case CALL_SH_SHUT:
			if (i == ci->num_arg)
				rq->num = (int)a->num;
			else if (ci->opt_arg >= 0 && i > ci->opt_arg && i - ci->opt_arg - 1 < 2)
				rq->opt_vals[i - ci->opt_arg - 1] = (int)a->num; /* setsockopt's values */
			break;
		case CALL_SH_IOCTL:
			rq->num = (int)a->num; /* the request */
			break;
		case CALL_SH_IOVAL:
			rq->opt_vals[0] = (int)a->num;
			break;
		case CALL_SH_READY:
			if (ready_request(act, st, rq, p, err, errlen) < 0)
				return -1;
			break;
		case CALL_SH_TIMEOUT:
			rq->num = p->timeout = (int)a->num;
			break;
		case CALL_SH_SOCK:
		case CALL_SH_NONE:
			break;
		}
	}
	struct call_text_in in = { .fd = fdt, .addr = addrt };
	in.ready = p->has_ready ? p->ready_text : NULL;
	call_format(st, &in, p->text, sizeof p->text);
	p->call = st->call;
	p->fd = fd;
	if (p->has_ready) /* poll(), select(): the first socket of the list */
		p->fd = rq->fd;
	p->line = st->line;
	p->stmt = st;
	snprintf(p->assign, sizeof p->assign, "%s", st->assign);
	snprintf(p->assign2, sizeof p->assign2, "%s", st->assign2);
	dup_expect(&p->expect, &st->expect);
	return 0;
}

/* ---- results ----------------------------------------------------------- */


static void got_text(long long ret, int err, const unsigned char *data, size_t len, int with_data,
		     char *out, size_t size)
{
	if (ret < 0)
		snprintf(out, size, "-1 %s", consts_errno_name(err) ? consts_errno_name(err) : "?");
	else
		snprintf(out, size, "%lld", ret);
	if (with_data && ret >= 0) {
		char esc[200];
		size_t n = strlen(out);
		text_escape_utf8(data, len, 60, esc, sizeof esc);
		snprintf(out + n, size - n, " \"%s\"", esc);
	}
}

/* Whether the value a getsockopt() or ioctl() reported is the one E expects ("(value X)"). */
static int value_matches(const struct sp_expect *e, const struct actor_res *r)
{
	if (e->value_onoff && (r->opt_vals[0] != 0) != (e->value != 0))
		return 0;
	if (!e->value_onoff && r->opt_vals[0] != e->value)
		return 0;
	return e->value_secs < 0 || r->opt_vals[1] == e->value_secs; /* SO_LINGER's seconds */
}

/* Whether the result matches; MSG says how not (NOTE: what the transcript noted of the result). */
static int check_expect(const struct sp_expect *e, const struct actor_res *r, const char *note, char *msg,
			size_t size)
{
	if (!e->present)
		return 1;
	int ok;
	if (e->any_error)
		ok = r->ret == -1;
	else if (e->ret == -1 && e->err)
		ok = r->ret == -1 && r->err == e->err;
	else
		ok = r->ret == e->ret;
	if (ok && e->has_data) {
		size_t want = e->data.unit_len * e->data.count;
		ok = r->data_len == want;
		for (size_t i = 0; ok && i < want; i++)
			ok = r->data[i] == e->data.unit[i % e->data.unit_len];
	}
	if (ok && e->has_value)
		ok = r->ret >= 0 && value_matches(e, r);
	if (!ok) {
		char a[256], b[256];
		transcript_expect_text(e, a, sizeof a);
		got_text(r->ret, r->err, r->data, r->data_len, e->has_data, b, sizeof b);
		if (e->has_value && r->ret >= 0 && note && note[0]) {
			size_t n = strlen(b);
			snprintf(b + n, sizeof b - n, " (%s)", note);
		}
		snprintf(msg, size, "expected %s, got %s", a, b);
	}
	return ok;
}

/* ---- blocking asserted per call (<blocked>, <at once>) ------------------ */

/* Before a call is sent: what blocking it must show, and where it began for expect wire. */
static void note_call_start(struct session *s, struct pending *p, const struct sp_stmt *st)
{
	p->blocking = st->blocking;
	clock_gettime(CLOCK_REALTIME, &s->wire.call_rt);
	snprintf(s->wire.call_text, sizeof s->wire.call_text, "%s", p->text);
}

/* "<blocked> = 4", "= 4 \"abcd\" <at once>": the expectation as the script wrote it. */
static void block_want_text(const struct pending *p, char *out, size_t size)
{
	char e[SNAP_LINE_MAX] = "";
	if (p->expect.present)
		transcript_expect_text(&p->expect, e, sizeof e);
	if (p->expect.present && p->has_ready && p->ready.expect) { /* poll(), select(): "1 (conn POLLIN)" */
		size_t n = strlen(e);
		snprintf(e + n, sizeof e - n, " (");
		n = strlen(e);
		script_ready_format(p->call, p->ready.exp, p->ready.nexp, e + n, sizeof e - n - 1);
		strcat(e, ")");
	}
	if (p->blocking == SP_BLOCK_BLOCKED)
		snprintf(out, size, "<blocked>%s%s", e[0] ? " = " : "", e);
	else
		snprintf(out, size, "%s%s%s<at once>", e[0] ? "= " : "", e, e[0] ? " " : "");
}

/* An expectation on ACT's call did not hold: counted, logged in its pane, reported (MSG says how). */
static void call_failed(struct session *s, struct sess_actor *act, const char *msg)
{
	char line[SNAP_LINE_MAX];
	s->failures++;
	struct sp_event fe = { .kind = SP_EV_FAIL, .actor = act->name, .stmt = act->p.stmt,
			       .line = act->p.line, .text = msg, .state = -1 };
	snprintf(line, sizeof line, "expectation failed: %s", msg);
	log_line(act, SNAP_LINE_ERR, line);
	emit(s, &fe);
}

/* A call just seen blocked: an <at once> one fails now, not when it ends. */
static void block_blocked_check(struct session *s, struct sess_actor *act)
{
	struct pending *p = &act->p;
	if (p->blocking != SP_BLOCK_AT_ONCE || p->block_failed)
		return;
	char want[SNAP_LINE_MAX], msg[SNAP_LINE_MAX + 64];
	block_want_text(p, want, sizeof want);
	snprintf(msg, sizeof msg, "expected %s, got <blocked>", want);
	p->block_failed = 1;
	call_failed(s, act, msg);
}

static void ready_note(const struct pending *p, const struct actor_res *r, char *out, size_t size);

/* A call that ended: a <blocked> one that returned at once fails (MSG says how). */
static int block_result_ok(const struct pending *p, const struct actor_res *r, int ok, char *msg,
			   size_t size)
{
	if (p->blocking != SP_BLOCK_BLOCKED || p->blocked)
		return ok;
	char want[SNAP_LINE_MAX], got[SNAP_LINE_MAX], ready[SNAP_LINE_MAX] = "";
	block_want_text(p, want, sizeof want);
	got_text(r->ret, r->err, r->data, r->data_len, p->expect.has_data, got, sizeof got);
	if (p->has_ready) /* poll(), select(): "1 (s POLLIN)" */
		ready_note(p, r, ready, sizeof ready);
	if (ready[0]) {
		size_t n = strlen(got);
		snprintf(got + n, sizeof got - n, " (%s)", ready);
	}
	snprintf(msg, size, "expected %s, got = %s at once", want, got);
	return 0;
}

/* The sockets a poll() or select() found ready, with their revents (select: by set); N of them. */
static int ready_got(const struct pending *p, const struct actor_res *r, struct sp_ready_sock *v)
{
	const int *rev = (const int *)r->data;
	int n = 0;
	if (r->ret <= 0 || !rev || r->data_len < (size_t)p->ready.n * sizeof(int))
		return 0;
	for (int i = 0; i < p->ready.n; i++) {
		if (!rev[i])
			continue;
		v[n] = p->ready.s[i];
		if (p->call == SP_CALL_POLL)
			v[n].events = rev[i];
		n++;
	}
	return n;
}

/* "c POLLIN, s POLLOUT" / "r: s, w: c": what a poll() or select() reported. */
static void ready_note(const struct pending *p, const struct actor_res *r, char *out, size_t size)
{
	struct sp_ready_sock got[SP_READY_MAX];
	int n = ready_got(p, r, got);
	if (n)
		script_ready_format(p->call, got, n, out, size);
}

/*
 * The "( ... )" of a poll() or select(): exactly these sockets ready, with
 * exactly these events. OK: whether "= N" held; the message, when either did
 * not, shows both lists.
 */
static int check_ready(const struct pending *p, const struct actor_res *r, int ok, char *msg, size_t size)
{
	struct sp_ready_sock got[SP_READY_MAX];
	int n = ready_got(p, r, got);
	if (!p->ready.expect)
		return ok;
	ok = ok && r->ret >= 0 && n == p->ready.nexp;
	for (int i = 0; ok && i < p->ready.nexp; i++) {
		int k = 0;
		while (k < n && !(got[k].fd == p->ready.exp[i].fd &&
				  (p->call == SP_CALL_POLL || got[k].events == p->ready.exp[i].events)))
			k++;
		ok = k < n && got[k].events == p->ready.exp[i].events;
	}
	if (!ok) {
		char a[SNAP_LINE_MAX], b[SNAP_LINE_MAX];
		script_ready_format(p->call, p->ready.exp, p->ready.nexp, a, sizeof a);
		if (r->ret < 0)
			snprintf(b, sizeof b, "-1 %s", consts_errno_name(r->err) ? consts_errno_name(r->err) : "?");
		else
			script_ready_format(p->call, got, n, b + snprintf(b, sizeof b, "%lld (", r->ret),
					    sizeof b - 40);
		if (r->ret >= 0)
			strcat(b, ")");
		snprintf(msg, size, "expected %lld (%s), got %s", p->expect.ret, a, b);
	}
	return ok;
}

static void note_for(const struct pending *p, const struct actor_res *r, char *out, size_t size)
{
	const struct call_info *ci = call_info(p->call);
	char a[SNAP_ADDR_MAX];
	out[0] = 0;
	if (r->ret < 0 || !ci)
		return;
	switch (ci->note) {
	case CALL_NOTE_PEER:
	case CALL_NOTE_FROM:
		if (r->peer_len) {
			text_addr(&r->peer, r->peer_len, a, sizeof a);
			snprintf(out, size, "%s %s", ci->note == CALL_NOTE_PEER ? "peer" : "from", a);
		}
		break;
	case CALL_NOTE_NAME:
		if (r->local_len) {
			text_addr(&r->local, r->local_len, a, sizeof a);
			snprintf(out, size, "%s", a);
		}
		break;
	case CALL_NOTE_PEERNAME:
		if (r->peer_len) {
			text_addr(&r->peer, r->peer_len, a, sizeof a);
			snprintf(out, size, "%s", a);
		}
		break;
	case CALL_NOTE_VALUE: {
		if (p->call == SP_CALL_IOCTL && p->stmt && call_ioctl_takes_value((int)p->stmt->args[1].num))
			break; /* FIONBIO sets a value and reports none */
		const struct sp_opt *opt = p->stmt && ci->opt_arg >= 0
					   ? consts_opt_at((size_t)p->stmt->args[ci->opt_arg].num) : NULL;
		if (opt && opt->kind == SP_OPT_LINGER)
			snprintf(out, size, "value %s, %d s", r->opt_vals[0] ? "on" : "off", r->opt_vals[1]);
		else if (opt && opt->kind == SP_OPT_ERROR && r->opt_vals[0])
			snprintf(out, size, "value %s", consts_errno_name(r->opt_vals[0])
							 ? consts_errno_name(r->opt_vals[0]) : "?");
		else
			snprintf(out, size, "value %d", r->opt_vals[0]);
		break;
	}
	case CALL_NOTE_FDS: /* as the trace of a program's socketpair() says it */
		snprintf(out, size, "fds %d, %d", r->fd, r->fd2);
		break;
	case CALL_NOTE_READY:
		ready_note(p, r, out, size);
		break;
	case CALL_NOTE_NONE:
		break;
	}
}

/* The addresses and state a call's result reports for socket SS. */
static void sock_take_result(struct sess_sock *ss, const struct actor_res *r)
{
	if (r->have_names) {
		if (r->local_len) {
			ss->local = r->local;
			ss->local_len = r->local_len;
		}
		ss->peer = r->peer;
		ss->peer_len = r->peer_len;
	}
	ss->state = r->tcp_state;
}

/* socketpair(): two sockets, named as the statement says, each the other's peer. */
static void add_pair(struct sess_actor *act, const struct pending *p, const struct actor_res *r)
{
	const int fds[2] = { r->fd, r->fd2 };
	const uint64_t cookies[2] = { r->cookie, r->cookie2 };
	const char *names[2] = { p->assign, p->assign2 };
	for (int k = 0; k < 2; k++) {
		struct sess_sock *old = sock_by_fd(act, fds[k]);
		if (old)
			old->closed = 1;
		struct sess_sock *ss = sock_add(act);
		if (!ss)
			return;
		snprintf(ss->name, sizeof ss->name, "%s", names[k]);
		ss->fd = fds[k];
		ss->cookie = cookies[k];
		ss->family = p->family;
		ss->type = p->type;
		ss->state = -1;
	}
}

static void update_sockets(struct sess_actor *act, const struct pending *p, const struct actor_res *r)
{
	if (p->call == SP_CALL_SOCKETPAIR) {
		if (r->ret == 0 && r->fd >= 0 && r->fd2 >= 0)
			add_pair(act, p, r);
		return;
	}
	if ((p->call == SP_CALL_SOCKET || p->call == SP_CALL_ACCEPT) && r->ret >= 0) {
		struct sess_sock *old = sock_by_fd(act, (int)r->ret);
		if (old)
			old->closed = 1; /* a number reused: that one was closed behind our back */
		struct sess_sock *ss = sock_add(act);
		if (!ss)
			return;
		snprintf(ss->name, sizeof ss->name, "%s", p->assign);
		ss->fd = (int)r->ret;
		ss->cookie = r->cookie;
		ss->family = p->family;
		ss->type = p->type;
		ss->local = r->local;
		ss->local_len = r->local_len;
		ss->peer = r->peer;
		ss->peer_len = r->peer_len;
		ss->state = r->tcp_state;
		return;
	}
	struct sess_sock *ss = sock_by_fd(act, p->fd);
	if (!ss)
		return;
	if (p->call == SP_CALL_CLOSE && r->ret == 0) {
		ss->closed = 1;
		ss->state = -1;
		return;
	}
	sock_take_result(ss, r);
}

/* ---- what the explanation of a step may say (explain.h) --------------------- */

static int sock_is_inet(const struct sess_sock *ss)
{
	return ss->family == AF_INET || ss->family == AF_INET6;
}

unsigned session_endpoint_port(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return 0;
}

/* Whether one socket bound at A and another at B clash: the same port, the same address or a wildcard. */
static int same_port(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return session_endpoint_is(a, b, 1) || session_endpoint_is(b, a, 1);
}

/* EADDRINUSE: which socket holds the port of ADDR that ME (of type TYPE) wanted. */
static void explain_holder(struct session *s, const struct sess_sock *me, const struct sockaddr_storage *addr,
			   int listen_only, struct explain_ctx *cx)
{
	struct kv_table kv = { 0 };
	char err[200];
	if (kview_dump(&kv, err, sizeof err) < 0)
		return;
	cx->port = session_endpoint_port(addr);
	int best = 0; /* 3 an open listener, 2 another open socket, 1 a closed one the kernel keeps */
	for (size_t i = 0; i < s->nactors; i++)
		for (size_t j = 0; j < s->actors[i].nsocks; j++) {
			const struct sess_sock *o = &s->actors[i].socks[j];
			if (o == me || o->type != me->type || !o->local_len || !same_port(&o->local, addr))
				continue;
			const struct kv_sock *k = o->cookie ? kview_find(&kv, o->cookie) : NULL;
			if (!k && o->closed)
				continue; /* gone (a socket only bound is open but not in the kernel's lists) */
			int state = k ? k->state : o->state;
			int rank = o->closed ? 1 : state == SP_TCP_LISTEN ? 3 : 2;
			if ((listen_only && state != SP_TCP_LISTEN) || rank <= best)
				continue;
			best = rank;
			cx->holder = o->closed ? EXPLAIN_HOLDER_CLOSED : EXPLAIN_HOLDER_SOCKET;
			cx->holder_actor = s->actors[i].name;
			cx->holder_name = o->name;
			cx->holder_fd = o->fd;
			cx->holder_state = state;
			cx->holder_type = o->type;
		}
	for (size_t i = 0; i < kv.n && !best; i++) { /* none of ours: someone else's, on the host network */
		const struct kv_sock *k = &kv.v[i];
		if (k->type == me->type && (k->family == AF_INET || k->family == AF_INET6) &&
		    same_port(&k->local, addr) && (!listen_only || k->state == SP_TCP_LISTEN)) {
			cx->holder = EXPLAIN_HOLDER_OUTSIDE;
			cx->holder_state = k->state;
			cx->holder_type = k->type;
			/* who, as `ss -p` tells: seen when that process is ours to look at */
			char comm[32]; /* any process names itself: escaped like peer data */
			if (kview_owner(k->inode, &cx->holder_pid, comm, sizeof comm) == 0) {
				text_escape((const unsigned char *)comm, strlen(comm), sizeof comm, s->holder_comm,
					    sizeof s->holder_comm);
				cx->holder_comm = s->holder_comm;
			}
			best = 1;
		}
	}
	kview_free(&kv);
}

/* The kernel's Recv-Q of the socket with COOKIE now, into *RQ; 0 when found. */
static int kernel_rq(uint64_t cookie, unsigned *rq)
{
	struct kv_table kv = { 0 };
	char err[200];
	int found = -1;
	if (cookie && kview_dump(&kv, err, sizeof err) == 0) {
		const struct kv_sock *k = kview_find(&kv, cookie);
		if (k) {
			*rq = k->rq;
			found = 0;
		}
	}
	kview_free(&kv);
	return found;
}

static int probe_tcp_state(const struct sess_actor *act, const struct sess_sock *ss);

/*
 * STATE, as the socket itself reported it, corrected for TIME_WAIT: when a
 * connection enters TIME_WAIT the kernel hands it to a smaller socket that
 * keeps the cookie, and the program's own socket (its descriptor still open)
 * reports CLOSE. The kernel's table then lists the cookie in TIME_WAIT.
 */
/* The kernel's state of the socket with COOKIE: CLOSE when it lists none, FALLBACK when it cannot be asked. */
static int kernel_state(uint64_t cookie, int fallback)
{
	struct kv_table kv = { 0 };
	char err[200];
	int state = fallback;
	if (kview_dump(&kv, err, sizeof err) == 0) {
		const struct kv_sock *k = kview_find(&kv, cookie);
		state = k ? k->state : SP_TCP_CLOSE;
	}
	kview_free(&kv);
	return state;
}

static int state_or_time_wait(const struct sess_sock *ss, int state)
{
	/* only a socket that was connected, or tried to be, can be in TIME_WAIT */
	if (state != SP_TCP_CLOSE || !ss->cookie || !(ss->had_peer || ss->connect_tried))
		return state;
	return kernel_state(ss->cookie, state);
}

/*
 * The TCP state of the socket of a recv(), send() or close() as the call
 * starts (from the socket itself: cheap), and its Recv-Q when it can matter
 * to the explanation (a FIN may wait in it, or a close() may find data
 * unread), for explain_facts(). Called before the call is pending.
 */
static void explain_before(struct sess_actor *act, const struct pending *p)
{
	struct sess_sock *me = sock_by_fd(act, p->fd);
	if (!me || !sock_is_inet(me) || me->type != SOCK_STREAM)
		return;
	me->pre_ok = 0;
	me->pre_state = -1;
	if (p->call != SP_CALL_RECV && p->call != SP_CALL_CLOSE && p->call != SP_CALL_SEND)
		return;
	int st = state_or_time_wait(me, probe_tcp_state(act, me));
	me->pre_state = st;
	int connected = st == SP_TCP_ESTABLISHED || st == SP_TCP_FIN_WAIT1 || st == SP_TCP_FIN_WAIT2 ||
			st == SP_TCP_CLOSE_WAIT || st == SP_TCP_LAST_ACK || st == SP_TCP_CLOSING;
	if (p->call == SP_CALL_SEND || !(p->call == SP_CALL_CLOSE ? connected : st == SP_TCP_CLOSE_WAIT))
		return;
	struct kv_table kv = { 0 };
	char err[200];
	if (me->cookie && kview_dump(&kv, err, sizeof err) == 0) {
		const struct kv_sock *k = kview_find(&kv, me->cookie);
		me->pre_ok = 1;
		me->pre_rq = k ? k->rq : 0; /* not listed: it holds nothing */
	}
	kview_free(&kv);
}

/*
 * Recv-Q before and after a recv() or close() of ME (before: the kernel view
 * of the last step; a socket not in the kernel's lists holds nothing), and a
 * UDP send's receiving socket's Recv-Q when it is one of the playground's.
 */
static void explain_rq(struct session *s, struct sess_actor *act, const struct pending *p,
		       const struct actor_res *r, struct sess_sock *me, struct explain_ctx *cx)
{
	int is_recv = p->call == SP_CALL_RECV || p->call == SP_CALL_RECVFROM;
	if (me->type == SOCK_STREAM && r->ret >= 0 && me->pre_ok) {
		/* before: a FIN could wait (CLOSE_WAIT), or a close() found data unread */
		cx->rq_before = me->pre_rq;
		cx->rq_known = p->call == SP_CALL_CLOSE || (is_recv && kernel_rq(me->cookie, &cx->rq_after) == 0);
	} else if (me->type == SOCK_DGRAM && is_recv && r->ret >= 0) {
		cx->rq_known = kernel_rq(me->cookie, &cx->rq_after) == 0; /* only the rq left matters */
	}
	me->pre_ok = 0;
	if (me->type != SOCK_DGRAM || r->ret < 0 || (p->call != SP_CALL_SEND && p->call != SP_CALL_SENDTO))
		return;
	struct sockaddr_storage dest = me->peer;
	socklen_t dlen = me->peer_len;
	char err[256];
	if (p->call == SP_CALL_SENDTO &&
	    (!p->stmt || p->stmt->nargs < 3 ||
	     resolve_addr(s, act, &p->stmt->args[2].addr, me->family, &dest, &dlen, err, sizeof err) < 0))
		return;
	if (!dlen)
		return;
	for (size_t i = 0; i < s->nactors; i++)
		for (size_t j = 0; j < s->actors[i].nsocks; j++) {
			const struct sess_sock *o = &s->actors[i].socks[j];
			if (o != me && o->type == SOCK_DGRAM && !o->closed && o->local_len &&
			    same_port(&o->local, &dest) && kernel_rq(o->cookie, &cx->peer_rq) == 0) {
				cx->peer_rq_known = 1;
				return;
			}
		}
}

/* ECONNREFUSED: a socket of the playground bound to the port connect() aimed at, not listening. */
static void explain_refuser(struct session *s, struct sess_actor *act, const struct sess_sock *me,
			    const struct sp_stmt *st, struct explain_ctx *cx)
{
	struct sockaddr_storage a;
	socklen_t alen;
	char err[256];
	if (resolve_addr(s, act, &st->args[1].addr, me->family, &a, &alen, err, sizeof err) < 0)
		return;
	for (size_t i = 0; i < s->nactors; i++)
		for (size_t j = 0; j < s->actors[i].nsocks; j++) {
			const struct sess_sock *o = &s->actors[i].socks[j];
			if (o == me || o->closed || o->type != SOCK_STREAM || !o->local_len ||
			    !session_endpoint_port(&o->local) || o->state == SP_TCP_LISTEN || !same_port(&o->local, &a))
				continue;
			cx->bound_actor = s->actors[i].name;
			cx->bound_name = o->name;
			cx->bound_fd = o->fd;
			return;
		}
}

/*
 * Why each socket a poll() or select() reported was ready, from its revents
 * and the kernel's view of it now: a listener's accept queue, the bytes in a
 * receive queue (a TCP FIN counts one in the kernel's rq), a FIN, an error.
 */
static void ready_facts(struct session *s, struct sess_actor *act, const struct pending *p,
			const struct actor_res *r, struct explain_ctx *cx)
{
	struct explain_ready *er = &s->ready_facts;
	struct sp_ready_sock got[SP_READY_MAX];
	struct kv_table kv = { 0 };
	char kerr[200];
	int n = ready_got(p, r, got), have_kv;

	memset(er, 0, sizeof *er);
	er->timeout_ms = p->timeout;
	cx->ready = er;
	if (!n)
		return;
	have_kv = kview_dump(&kv, kerr, sizeof kerr) == 0;
	for (int i = 0; i < n; i++) {
		struct sess_sock *ss = sock_by_fd(act, got[i].fd);
		const struct kv_sock *k = have_kv && ss && ss->cookie ? kview_find(&kv, ss->cookie) : NULL;
		int poll_call = p->call == SP_CALL_POLL, ev = got[i].events;
		int readable = poll_call ? ev & (POLLIN | POLLPRI | POLLRDHUP) : ev == SP_SEL_READ;
		int writable = poll_call ? ev & POLLOUT : ev == SP_SEL_WRITE;
		int j = 0;
		while (j < er->n && strcmp(er->s[j].label, got[i].name[0] ? got[i].name : "") != 0)
			j++;
		if (!got[i].name[0] || j == er->n) {
			j = er->n++;
			if (got[i].name[0])
				snprintf(er->s[j].label, sizeof er->s[j].label, "%s", got[i].name);
			else
				snprintf(er->s[j].label, sizeof er->s[j].label, "%d", got[i].fd);
		}
		struct explain_ready_sock *e = &er->s[j];
		if (poll_call && (ev & POLLERR))
			e->why |= EXPLAIN_READY_ERROR;
		if (poll_call && (ev & POLLHUP))
			e->why |= EXPLAIN_READY_HUP;
		if (poll_call && (ev & POLLNVAL))
			e->why |= EXPLAIN_READY_NVAL;
		if (poll_call && (ev & POLLRDHUP))
			e->why |= EXPLAIN_READY_FIN;
		if (readable && k && k->state == SP_TCP_LISTEN) {
			e->why |= EXPLAIN_READY_PENDING;
			e->rq = k->rq;
		} else if (readable && k && k->type == SOCK_STREAM) {
			int fin = k->family != AF_UNIX &&
				  (k->state == SP_TCP_CLOSE_WAIT || k->state == SP_TCP_LAST_ACK || k->state == SP_TCP_CLOSING);
			unsigned data = k->rq > (unsigned)fin ? k->rq - (unsigned)fin : 0;
			if (data) {
				e->why |= EXPLAIN_READY_DATA;
				e->rq = data;
			}
			if (fin || (!data && !(e->why & (EXPLAIN_READY_ERROR | EXPLAIN_READY_HUP))))
				e->why |= EXPLAIN_READY_FIN;
		} else if (readable && !(e->why & (EXPLAIN_READY_ERROR | EXPLAIN_READY_HUP))) {
			e->why |= EXPLAIN_READY_DATA; /* a datagram: the kernel's rq counts memory, not bytes */
		}
		if (writable && !(e->why & (EXPLAIN_READY_ERROR | EXPLAIN_READY_HUP))) /* else a send fails at once */
			e->why |= EXPLAIN_READY_SPACE;
		if (!poll_call && readable && ss && ss->type == SOCK_STREAM && k && k->state == SP_TCP_CLOSE &&
		    !(e->why & (EXPLAIN_READY_DATA | EXPLAIN_READY_PENDING))) {
			e->why &= ~EXPLAIN_READY_FIN; /* select() cannot tell: a failed or reset connection */
			e->why |= EXPLAIN_READY_ERROR;
		}
		if (!poll_call && !k && ss && ss->type == SOCK_STREAM && sock_is_inet(ss) && !ss->closed) {
			/*
			 * Not in the kernel's table: CLOSE, with no connection. select()
			 * has no POLLERR to tell a failed connect (an error pending) from
			 * a socket that never connected (hung up): neither has data or room.
			 */
			e->why = ss->had_peer || ss->connect_tried ? EXPLAIN_READY_ERROR : EXPLAIN_READY_HUP;
		}
	}
	kview_free(&kv);
}

/*
 * The facts of a step that its explanation names (explain_ctx), gathered after
 * the call returned and before the session's bookkeeping of it: the state the
 * kernel has the socket in, whether the peer had closed, who holds a port.
 * Strings point into S, valid until the next step.
 */
static void explain_facts(struct session *s, struct sess_actor *act, const struct pending *p,
			  const struct actor_res *r, struct explain_ctx *cx)
{
	memset(cx, 0, sizeof *cx);
	cx->state_after = r->tcp_state;
	cx->holder_state = -1;
	cx->family = p->family;
	if (p->has_ready) {
		ready_facts(s, act, p, r, cx);
		return;
	}
	if (p->call == SP_CALL_SOCKET || p->call == SP_CALL_ACCEPT)
		return;
	struct sess_sock *me = sock_by_fd(act, p->fd);
	if (!me || !sock_is_inet(me))
		return;
	me->connect_tried |= p->call == SP_CALL_CONNECT;
	me->had_peer |= me->peer_len != 0 || (r->have_names && r->peer_len != 0);
	cx->never_connected = !me->had_peer;
	int before = me->pre_state > 0 ? me->pre_state : me->in_kernel ? me->k.state : me->state;
	cx->state_before = before > 0 ? before : 0;
	cx->unbound = !me->local_len || session_endpoint_port(&me->local) == 0;
	if (p->call == SP_CALL_SETSOCKOPT && r->ret == 0 && p->stmt && p->stmt->nargs > 1) {
		const struct sp_opt *o = consts_opt_at((size_t)p->stmt->args[1].num);
		if (o && o->kind == SP_OPT_LINGER)
			me->linger_zero = p->stmt->nargs > 3 && p->stmt->args[2].num && !p->stmt->args[3].num;
	}
	if (me->type == SOCK_STREAM && p->call != SP_CALL_CLOSE)
		cx->state_after = state_or_time_wait(me, cx->state_after);
	explain_rq(s, act, p, r, me, cx);
	if (me->type == SOCK_STREAM && p->call == SP_CALL_SEND && r->ret > 0 && me->peer_len) {
		for (size_t i = 0; i < s->nactors; i++)
			for (size_t j = 0; j < s->actors[i].nsocks; j++) {
				const struct sess_sock *o = &s->actors[i].socks[j];
				if (o != me && o->peer_len && session_endpoint_is(&o->local, &me->peer, 0) &&
				    session_endpoint_is(&o->peer, &me->local, 0))
					cx->peer_closed = o->closed;
			}
	}
	if (me->type == SOCK_STREAM && p->call == SP_CALL_CLOSE && r->ret == 0 && me->cookie) {
		/* the descriptor is gone: the kernel still knows the socket by its cookie */
		cx->state_after = kernel_state(me->cookie, cx->state_after);
		/*
		 * tcp_close(): a connection with data unread is reset (the FIN that
		 * CLOSE_WAIT's rq counts is no data); one lingering 0 s is reset by
		 * tcp_disconnect() in ESTABLISHED, CLOSE_WAIT, FIN_WAIT1 and FIN_WAIT2.
		 */
		int b = cx->state_before;
		if (b == SP_TCP_ESTABLISHED || b == SP_TCP_FIN_WAIT1 || b == SP_TCP_FIN_WAIT2 ||
		    b == SP_TCP_CLOSE_WAIT || b == SP_TCP_LAST_ACK || b == SP_TCP_CLOSING) {
			/* the peer's FIN, in rq: no data */
			unsigned fin = b == SP_TCP_CLOSE_WAIT || b == SP_TCP_LAST_ACK || b == SP_TCP_CLOSING ? 1 : 0;
			if (cx->rq_known && cx->rq_before > fin)
				cx->close_rst = EXPLAIN_RST_UNREAD;
			else if (me->linger_zero && b != SP_TCP_LAST_ACK && b != SP_TCP_CLOSING)
				cx->close_rst = EXPLAIN_RST_LINGER0;
		}
	}
	if (me->type == SOCK_STREAM && p->call == SP_CALL_CONNECT && r->ret < 0 && r->err == ECONNREFUSED &&
	    p->stmt && p->stmt->nargs > 1)
		explain_refuser(s, act, me, p->stmt, cx);
	if (r->ret < 0 && r->err == EADDRINUSE) {
		struct sockaddr_storage a;
		socklen_t alen;
		char err[256];
		if (p->call == SP_CALL_BIND && p->stmt &&
		    resolve_addr(s, act, &p->stmt->args[1].addr, me->family, &a, &alen, err, sizeof err) == 0)
			explain_holder(s, me, &a, 0, cx);
		else if (p->call == SP_CALL_LISTEN && me->local_len)
			explain_holder(s, me, &me->local, 1, cx);
	}
}

static void finish_call(struct session *s, struct sess_actor *act, struct actor_res *r)
{
	struct pending *p = &act->p;
	char note[128], msg[600], line[SNAP_LINE_MAX];
	struct explain_ctx cx;
	explain_facts(s, act, p, r, &cx);
	update_sockets(act, p, r);
	note_for(p, r, note, sizeof note);
	/*
	 * Interrupted: the signal came while the call was in progress, whatever
	 * it returned (a recv(MSG_WAITALL), a big send, a lingering close cut
	 * short return a count or 0, not EINTR). One that returned its own result
	 * before the signal came was not.
	 */
	p->interrupted = p->interrupted && (r->interrupted || (r->ret == -1 && r->err == EINTR));
	int ok = check_expect(&p->expect, r, note, msg, sizeof msg);
	if (p->has_ready)
		ok = check_ready(p, r, ok, msg, sizeof msg);
	/* what it returned is not the result the script expected of it, unless that was the interrupt */
	int want_eintr = p->expect.ret == -1 && p->expect.err == EINTR && !p->expect.any_error;
	if (p->interrupted && p->expect.present && !(want_eintr && ok)) {
		ok = 0;
		snprintf(msg, sizeof msg, "%s was still blocked and was interrupted", p->text);
	}
	ok = block_result_ok(p, r, ok, msg, sizeof msg);
	const char *sname = "";
	int socktype = p->type;
	struct sess_sock *ss = (p->call == SP_CALL_SOCKET || p->call == SP_CALL_ACCEPT) && r->ret >= 0
				       ? sock_by_fd(act, (int)r->ret) : sock_by_fd(act, p->fd);
	if (p->call == SP_CALL_SOCKETPAIR && r->ret == 0)
		ss = sock_by_fd(act, r->fd); /* the first of the two: its name, as for socket() */
	if (ss) {
		sname = ss->name;
		socktype = ss->type;
	}
	struct sp_event ev = {
		.kind = SP_EV_CALL, .actor = act->name, .stmt = p->stmt, .line = p->line,
		.call = p->call, .text = p->text, .resumed = p->blocked,
		.interrupted = p->interrupted, .ret = r->ret, .err = r->err, .data = r->data,
		.data_len = r->data_len, .sent_len = p->sent_len, .note = note[0] ? note : NULL,
		.fd = r->fd, .socktype = socktype, .sock_name = sname, .state = r->tcp_state,
		.ok = ok && !p->block_failed,
		.elapsed_ns = r->elapsed_ns, .explain = &cx,
	};
	transcript_call_text(&ev, line, sizeof line);
	log_line(act, r->ret < 0 ? SNAP_LINE_ERR : SNAP_LINE_OK, line);
	/*
	 * The explain area is about the newest call that returned: a call sent
	 * earlier that returns later (the connect a full queue held, resumed
	 * after the accept that made room; a send the peer's reset ended) shows
	 * in its pane, and does not take the place of the newer step's
	 * explanation; unless sockplay interrupted it, at the user's word.
	 */
	ev.shown = p->seq >= s->last_seq || p->interrupted; /* an interrupt is the user's own step */
	if (ev.shown && p->seq > s->last_seq)
		s->last_seq = p->seq;
	emit(s, &ev);
	if (!ok)
		call_failed(s, act, msg);
	free(p->expect.data.unit);
	memset(p, 0, sizeof *p);
}

/*
 * A connect() that blocks has its port already (the kernel picked it when it
 * sent the SYN), but the actor reports names only when the call returns: read
 * it now through a duplicate, so that the SYNs it retries are the socket's
 * on the wire and not a stranger's.
 */
static void learn_local(struct sess_actor *act, int fd)
{
	struct sess_sock *ss = sock_by_fd(act, fd);
	if (!ss || act->pidfd < 0 || (ss->local_len && session_endpoint_port(&ss->local)))
		return;
	int dup = (int)syscall(SYS_pidfd_getfd, act->pidfd, fd, 0);
	if (dup < 0)
		return;
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	if (getsockname(dup, (struct sockaddr *)&a, &al) == 0 && session_endpoint_port(&a)) {
		ss->local = a;
		ss->local_len = al;
	}
	close(dup);
}

static void mark_blocked(struct session *s, struct sess_actor *act)
{
	struct pending *p = &act->p;
	char line[SNAP_LINE_MAX];
	if (p->blocked)
		return;
	p->blocked = 1;
	if (p->call == SP_CALL_CONNECT)
		learn_local(act, p->fd);
	struct sp_event ev = { .kind = SP_EV_BLOCKED, .actor = act->name, .stmt = p->stmt,
			       .line = p->line, .call = p->call, .text = p->text, .fd = p->fd,
			       .state = -1, .ok = 1 };
	transcript_call_text(&ev, line, sizeof line);
	log_line(act, SNAP_LINE_BLOCKED, line);
	emit(s, &ev);
}

/* Handle one message from ACT; 1 when its call finished, 0 blocked, -1 died. */
static int read_one(struct session *s, struct sess_actor *act)
{
	struct actor_res r;
	int rc = actor_recv(act->a, &r);
	if (rc <= 0) {
		if (act->p.active) {
			/* named by the line of the call it died in, not line 0 */
			char msg[SNAP_LINE_MAX + 64];
			snprintf(msg, sizeof msg, _("actor %s died during %s"), act->name, act->p.text);
			struct sp_event ev = { .kind = SP_EV_ERROR, .line = act->p.line, .text = msg,
					       .actor = act->name, .state = -1 };
			s->failures++;
			emit(s, &ev);
			free(act->p.expect.data.unit);
			memset(&act->p, 0, sizeof act->p);
		}
		return -1;
	}
	if (!act->p.active || r.seq != act->p.seq) {
		actor_res_clear(&r);
		return 0;
	}
	finish_call(s, act, &r);
	actor_res_clear(&r);
	return 1;
}

/* Wait up to MS for ACT's call to finish. 1 finished, 0 not yet, -1 actor died. */
static int wait_done(struct session *s, struct sess_actor *act, long long ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (act->p.active) {
		long long left = ms - ms_since(&t0);
		if (left < 0)
			left = 0;
		struct pollfd pf = { .fd = actor_result_fd(act->a), .events = POLLIN };
		int n = poll(&pf, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0) {
			if (read_one(s, act) < 0)
				return -1;
			continue;
		}
		if (left == 0)
			return 0;
	}
	return 1;
}

/* released() for a poll() or select(): whether any of its sockets is ready now. */
static int ready_released(struct sess_actor *act)
{
	struct pollfd pf[SP_READY_MAX];
	int n = 0, got;
	for (int i = 0; i < act->p.ready.n; i++) {
		const struct sp_ready_sock *rs = &act->p.ready.s[i];
		int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, rs->fd, 0);
		if (fd < 0)
			continue;
		pf[n].fd = fd;
		pf[n].events = (short)(act->p.call == SP_CALL_POLL ? rs->events
					: rs->events == SP_SEL_READ ? POLLIN : POLLOUT);
		pf[n++].revents = 0;
	}
	got = n ? poll(pf, (nfds_t)n, 0) : -1;
	for (int i = 0; i < n; i++)
		close(pf[i].fd);
	return got < 0 ? -1 : got > 0;
}

/*
 * Whether ACT's blocked call has been released: look at the socket it is
 * blocked on, through a duplicate taken from the actor (pidfd_getfd), and
 * see whether it is ready now. -1 when we cannot tell.
 */
static int released(struct sess_actor *act)
{
	if (act->pidfd < 0)
		return -1;
	if (act->p.has_ready)
		return ready_released(act);
	int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, act->p.fd, 0);
	if (fd < 0)
		return -1;
	const struct call_info *ci = call_info(act->p.call);
	struct pollfd pf = { .fd = fd, .events = ci && ci->poll ? ci->poll : POLLOUT };
	int n = poll(&pf, 1, 0);
	close(fd);
	return n > 0 ? 1 : 0;
}

/*
 * After a step: report the results it released, in actor order, so that a
 * resumed call is printed right after the step that released it on every
 * run. A blocked actor is waited for unless it is still asleep in its call
 * with its socket not ready (then the step did not release it).
 */
static void settle_one(struct session *s, struct sess_actor *act)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* a send woken by room for more may go back to sleep: do not wait long for it */
	int sends = call_has(act->p.call, CALL_F_SENDS);
	long long limit = sends ? 20 : RELEASE_WAIT_MS;
	while (act->p.active) {
		if (wait_done(s, act, 0) != 0)
			return;
		long long waited = ms_since(&t0);
		if (waited >= limit)
			return;
		enum actor_activity a = actor_activity(act->a);
		if (a == ACTOR_IN_CALL || a == ACTOR_UNKNOWN) {
			int rel = released(act);
			if (rel == 0 || (rel < 0 && waited >= 20))
				return; /* still blocked: this step did not release it */
		}
		wait_done(s, act, 1);
	}
}

static void settle(struct session *s, struct sess_actor *except)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (&s->actors[i] != except && s->actors[i].p.active)
			settle_one(s, &s->actors[i]);
}

/* ---- statements -------------------------------------------------------- */

static enum session_rc exec_call(struct session *s, const struct sp_stmt *st)
{
	char err[256];
	if (session_is_program(s, st->actor)) {
		emit_error(s, st, _("%s is a program (--run); a script drives only the other sides"), st->actor);
		return SESSION_ERROR;
	}
	if (call_has(st->call, CALL_F_FILES) && !sandbox_files_private()) {
		emit_error(s, st, _("%s() refused: a script removes files only in the sandbox's own "
				    "filesystem, and this session uses the host's (--host-net, or no sandbox); "
				    "use an abstract name (@name) instead of a path"), call_name(st->call));
		return SESSION_ERROR;
	}
	struct sess_actor *act = get_actor(s, st->actor, err, sizeof err);
	if (!act) {
		emit_error(s, st, _("cannot start actor %s: %s"), st->actor, err);
		return SESSION_ERROR;
	}
	if (act->p.active)
		return SESSION_BUSY;
	struct actor_req rq;
	struct pending *p = &act->p;
	memset(p, 0, sizeof *p);
	if (build_request(s, act, st, &rq, p, err, sizeof err) < 0) {
		free(p->expect.data.unit);
		memset(p, 0, sizeof *p);
		emit_error(s, st, "%s", err);
		return SESSION_ERROR;
	}
	p->seq = rq.seq = ++s->seq;
	explain_before(act, p);
	note_call_start(s, p, st);
	p->active = 1;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	if (actor_send(act->a, &rq) < 0) {
		emit_error(s, st, _("actor %s is gone"), act->name);
		free(p->expect.data.unit);
		memset(p, 0, sizeof *p);
		return SESSION_ERROR;
	}
	/*
	 * Blocked is what the actor does, not a guess: a call found asleep in
	 * the kernel at every look (one each BLOCK_LOOK_MS) for BLOCK_ASLEEP_MS
	 * is blocked (a loaded machine may let a call doze a moment). A call that
	 * returns at once never is. Slow is not blocked: a call still on a CPU
	 * (copying a megabyte on a busy machine) is waited for. Where /proc
	 * cannot tell, a call that has not returned after BLOCK_AFTER_MS is.
	 */
	int rc = wait_done(s, act, BLOCK_LOOK_MS);
	long long asleep_since = -1;
	while (rc == 0) {
		enum actor_activity a = actor_activity(act->a);
		long long waited = ms_since(&p->start);
		if (a != ACTOR_IN_CALL)
			asleep_since = -1;
		else if (asleep_since < 0)
			asleep_since = waited;
		if ((asleep_since >= 0 && waited - asleep_since >= BLOCK_ASLEEP_MS) ||
		    (a == ACTOR_UNKNOWN && waited >= BLOCK_AFTER_MS) || waited >= s->o.timeout_ms)
			break;
		rc = wait_done(s, act, BLOCK_LOOK_MS);
	}
	if (rc == 0) {
		mark_blocked(s, act);
		block_blocked_check(s, act);
	}
	settle(s, act);
	return rc < 0 ? SESSION_ERROR : SESSION_OK;
}

static void apply_kview(struct session *s);

static enum session_rc exec_expect(struct session *s, const struct sp_stmt *st)
{
	struct sess_actor *act = find_actor(s, st->actor);
	struct sess_sock *ss = act ? sock_by_name(act, st->name) : NULL;
	char text[160], msg[300], kerr[200];
	if (act && !ss && st->name[0] && strspn(st->name, "0123456789") == strlen(st->name)) {
		/* a program's sockets have numbers, not names: the open one, else the last closed */
		int fd = atoi(st->name);
		ss = sock_by_fd(act, fd);
		for (size_t i = act->nsocks; !ss && i-- > 0;)
			if (act->socks[i].fd == fd)
				ss = &act->socks[i];
	}
	snprintf(text, sizeof text, "%s %s %s", st->actor, st->name,
		 consts_tcp_state_name(st->state) ? consts_tcp_state_name(st->state) : "?");
	if (!ss) {
		emit_error(s, st, _("%s has no socket '%s' yet"), st->actor, st->name);
		return SESSION_ERROR;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int state;
	for (;;) {
		if (kview_dump(&s->kv, kerr, sizeof kerr) < 0) {
			emit_error(s, st, _("cannot read the kernel's sockets: %s"), kerr);
			return SESSION_ERROR;
		}
		apply_kview(s); /* the snapshot after the expect says what it saw */
		const struct kv_sock *k = kview_find(&s->kv, ss->cookie);
		state = k ? k->state : SP_TCP_CLOSE; /* the kernel has forgotten it */
		if (state == st->state || ms_since(&t0) >= EXPECT_WAIT_MS)
			break;
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	}
	int ok = state == st->state;
	struct sp_event ev = { .kind = SP_EV_EXPECT, .actor = st->actor, .stmt = st, .line = st->line,
			       .text = text, .state = state, .want_state = st->state, .ok = ok };
	snprintf(msg, sizeof msg, "state(%s) = %s", st->name, consts_tcp_state_name(state));
	log_line(act, ok ? SNAP_LINE_INFO : SNAP_LINE_ERR, msg);
	emit(s, &ev);
	if (!ok) {
		s->failures++;
		snprintf(msg, sizeof msg, "expected %s, got %s (%s %s)", consts_tcp_state_name(st->state),
			 consts_tcp_state_name(state), st->actor, st->name);
		struct sp_event fe = { .kind = SP_EV_FAIL, .actor = st->actor, .stmt = st,
				       .line = st->line, .text = msg, .state = -1 };
		emit(s, &fe);
	}
	return SESSION_OK;
}

/* ---- expect ACTOR blocked|free, expect [no] wire ... --------------------- */

/* Whether a side is in a call now, and which: "accept(3)". */
static int side_in_call(const struct sess_actor *act, const char **what)
{
	if (act->a && act->p.active) {
		*what = act->p.text;
		return 1;
	}
	if (act->prog && act->tblocked && !act->ended) {
		*what = act->btext;
		return 1;
	}
	return 0;
}

static enum session_rc exec_expect_side(struct session *s, const struct sp_stmt *st)
{
	struct sess_actor *act = find_actor(s, st->actor);
	const char *what = "";
	int blocked = act && side_in_call(act, &what);
	/*
	 * free may take a moment, as a state may: the step that released the call is
	 * still reporting. Only a released call is waited for, not one that would end
	 * later on its own (a timeout).
	 */
	if (blocked && !st->side_blocked && act->a && released(act) != 0) {
		wait_done(s, act, EXPECT_WAIT_MS);
		blocked = side_in_call(act, &what);
	}
	char text[SP_NAME_MAX + 16], seen[SNAP_LINE_MAX + 16], msg[SNAP_LINE_MAX + 96];
	snprintf(text, sizeof text, "%s %s", st->actor, st->side_blocked ? "blocked" : "free");
	/* server and client always exist; any other side once it made a call (or a program's) */
	int exists = act || strcmp(st->actor, "server") == 0 || strcmp(st->actor, "client") == 0 ||
		     session_is_program(s, st->actor);
	if (!exists)
		snprintf(seen, sizeof seen, "no side %s", st->actor);
	else if (blocked)
		snprintf(seen, sizeof seen, "blocked in %s", what);
	else
		snprintf(seen, sizeof seen, "free");
	int ok = exists && blocked == st->side_blocked;
	struct sp_event ev = { .kind = SP_EV_EXPECT, .actor = st->actor, .stmt = st, .line = st->line,
			       .text = text, .note = seen, .state = -1, .want_state = -1, .ok = ok };
	if (act)
		log_line(act, ok ? SNAP_LINE_INFO : SNAP_LINE_ERR, seen);
	emit(s, &ev);
	if (!ok) {
		s->failures++;
		snprintf(msg, sizeof msg, "expected %s, got %s (%s)", st->side_blocked ? "blocked" : "free",
			 seen, st->actor);
		struct sp_event fe = { .kind = SP_EV_FAIL, .actor = st->actor, .stmt = st,
				       .line = st->line, .text = msg, .state = -1 };
		emit(s, &fe);
	}
	return SESSION_OK;
}

void session_set_wire(struct session *s, struct wire *w, const char *why_off)
{
	s->wire.w = w;
	if (why_off && strncmp(why_off, "wire view off: ", 15) == 0)
		why_off += 15; /* the capture's message for the wire pane */
	snprintf(s->wire.off, sizeof s->wire.off, "%s", why_off && why_off[0] ? why_off : "the capture is off");
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * The segments put on the wire since the most recent call began, of the
 * playground's sockets: does one match W (all of its flags and, for a
 * positive one, exactly them)? SEEN lists them all ("client > server
 * [FIN,ACK] len=0, ..."); returns how many matched.
 */
static int wire_matches(const struct session *s, const struct sp_wire_want *w, char *seen, size_t size)
{
	size_t o = 0, listed = 0, count = wire_count(s->wire.w);
	int hits = 0;
	seen[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		const struct wire_seg *g = wire_at(s->wire.w, i);
		if (g->proto != IPPROTO_TCP || ts_before(&g->ts, &s->wire.call_rt))
			continue;
		const char *src = session_addr_owner(s, &g->src), *dst = session_addr_owner(s, &g->dst);
		if (!src && !dst) /* someone else's traffic on a host's lo */
			continue;
		int dir = !w->from[0] || (src && dst && strcmp(src, w->from) == 0 && strcmp(dst, w->to) == 0);
		int flags = w->negate ? (g->flags & w->flags) == w->flags : g->flags == w->flags;
		int len = !w->has_len || (long)g->len == w->len;
		hits += dir && flags && len;
		char fl[64];
		wire_flags_text(g->flags, fl, sizeof fl);
		if (listed++ < 12 && o < size)
			o += (size_t)snprintf(seen + o, size - o, "%s%s > %s [%s] len=%u", listed > 1 ? ", " : "",
					      src ? src : "?", dst ? dst : "?", fl, g->len);
		else if (listed == 13 && o < size)
			o += (size_t)snprintf(seen + o, size - o, ", ...");
	}
	return hits;
}

static enum session_rc exec_expect_wire(struct session *s, const struct sp_stmt *st)
{
	const struct sp_wire_want *w = &st->wire;
	char text[160], want[160], seen[1024], msg[1400];
	script_stmt_format(st, text, sizeof text);
	const char *t = strncmp(text, "expect ", 7) == 0 ? text + 7 : text; /* "wire client > server [FIN,ACK]" */
	snprintf(want, sizeof want, "%s", strncmp(t, "no wire ", 8) == 0 ? t + 8 : strncmp(t, "wire ", 5) == 0 ? t + 5 : t);
	const char *call = s->wire.call_rt.tv_sec ? s->wire.call_text : "the script so far";
	int ok;
	if (!s->wire.w) {
		ok = 0;
		snprintf(seen, sizeof seen, "unable to check");
		snprintf(msg, sizeof msg, "cannot check %s: %s", t, s->wire.off);
	} else {
		int hits = wire_matches(s, w, seen, sizeof seen);
		ok = w->negate ? hits == 0 : hits > 0;
		if (!seen[0])
			snprintf(msg, sizeof msg, "expected %s %s, but %s put nothing on the wire",
				 w->negate ? "no segment" : "a segment", want, call);
		else
			snprintf(msg, sizeof msg, "expected %s %s; %s put on the wire: %s",
				 w->negate ? "no segment" : "a segment", want, call, seen);
		if (!seen[0])
			snprintf(seen, sizeof seen, "nothing");
	}
	struct sp_event ev = { .kind = SP_EV_EXPECT, .stmt = st, .line = st->line, .text = t,
			       .note = seen, .state = -1, .want_state = -1, .ok = ok };
	emit(s, &ev);
	if (!ok) {
		s->failures++;
		struct sp_event fe = { .kind = SP_EV_FAIL, .stmt = st, .line = st->line, .text = msg, .state = -1 };
		emit(s, &fe);
	}
	return SESSION_OK;
}

enum session_rc session_exec(struct session *s, const struct sp_stmt *st)
{
	if (session_stmt_waits(s, st))
		return SESSION_BUSY;
	s->steps++;
	switch (st->kind) {
	case SP_ST_CALL:
		return exec_call(s, st);
	case SP_ST_EXPECT:
		return exec_expect(s, st);
	case SP_ST_EXPECT_SIDE:
		return exec_expect_side(s, st);
	case SP_ST_EXPECT_WIRE:
		return exec_expect_wire(s, st);
	case SP_ST_TITLE:
	case SP_ST_SAY: {
		struct sp_event ev = { .kind = st->kind == SP_ST_SAY ? SP_EV_SAY : SP_EV_TITLE,
				       .stmt = st, .line = st->line, .text = st->text, .state = -1 };
		emit(s, &ev);
		return SESSION_OK;
	}
	case SP_ST_SLEEP: {
		struct timespec ts = { st->sleep_ms / 1000, (st->sleep_ms % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		settle(s, NULL);
		return SESSION_OK;
	}
	case SP_ST_PAUSE:
	case SP_ST_REPEAT:
		return SESSION_OK;
	}
	return SESSION_OK;
}

int session_stmt_waits(const struct session *s, const struct sp_stmt *st)
{
	if (st->kind != SP_ST_CALL && st->kind != SP_ST_EXPECT)
		return 0;
	const struct sess_actor *act = find_actor(s, st->actor);
	if (!act || !act->p.active)
		return 0;
	/* a call waits for the actor's last one; an expect only for the call that
	 * defines its name (the state of a socket blocked in connect() is a lesson) */
	return st->kind == SP_ST_CALL || strcmp(act->p.assign, st->name) == 0;
}

int session_wait_actor(struct session *s, const char *actor, int timeout_ms)
{
	struct sess_actor *act = find_actor(s, actor);
	if (!act || !act->p.active)
		return 0;
	long long waited = ms_since(&act->p.start);
	long long left = timeout_ms - waited;
	if (wait_done(s, act, left > 0 ? left : 0) != 0)
		return 0;
	char msg[400], t[32];
	text_duration((long long)ms_since(&act->p.start) * 1000000, t, sizeof t);
	snprintf(msg, sizeof msg, "%s is stuck: %s still blocked after %s", act->name, act->p.text, t);
	s->failures++;
	struct sp_event ev = { .kind = SP_EV_STUCK, .actor = act->name, .stmt = act->p.stmt,
			       .line = act->p.line, .text = msg, .state = -1 };
	log_line(act, SNAP_LINE_ERR, msg);
	emit(s, &ev);
	return -1;
}

int session_pollfds(const struct session *s, struct pollfd *fds, int max)
{
	int n = 0;
	for (size_t i = 0; i < s->nprogs && n < max; i++) {
		if (s->progs[i].over)
			continue;
		fds[n].fd = trace_fd(s->progs[i].t);
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	for (size_t i = 0; i < s->nactors && n < max; i++) {
		if (!s->actors[i].p.active)
			continue;
		fds[n].fd = actor_result_fd(s->actors[i].a);
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static void prog_drain(struct session *s);

void session_collect(struct session *s)
{
	prog_drain(s);
	for (size_t i = 0; i < s->nactors; i++)
		if (s->actors[i].p.active)
			wait_done(s, &s->actors[i], 0);
}

int session_interrupt(struct session *s, const char *actor)
{
	struct sess_actor *act = find_actor(s, actor);
	if (!act || !act->p.active)
		return 0;
	settle_one(s, act); /* it may have returned already: that is a result, not an interrupt */
	if (!act->p.active)
		return 0;
	act->p.interrupted = 1;
	/* Re-send: a signal that lands just before the syscall is lost. */
	for (int tries = 0; act->p.active && tries < 40; tries++) {
		actor_interrupt(act->a);
		if (wait_done(s, act, 50) != 0)
			break;
	}
	if (act->p.active) {
		emit_error(s, act->p.stmt, _("%s did not return after being interrupted"), act->p.text);
		return -1;
	}
	return 1;
}

/* The timeout (SO_RCVTIMEO, SO_SNDTIMEO) that ends ACT's blocked call by itself, in ms; 0 when none. */
static long long pending_timeout_ms(const struct sess_actor *act)
{
	if (act->pidfd < 0 || !act->p.active)
		return 0;
	if (act->p.has_ready) /* poll(), select(): their own timeout, not the sockets' */
		return act->p.timeout > 0 ? act->p.timeout : 0;
	int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, act->p.fd, 0);
	if (fd < 0)
		return 0;
	const struct call_info *ci = call_info(act->p.call);
	struct timeval tv = { 0 };
	socklen_t len = sizeof tv;
	long long ms = 0;
	/* a call waiting to read (recv, accept) ends with SO_RCVTIMEO; one waiting to write with SO_SNDTIMEO */
	if (getsockopt(fd, SOL_SOCKET, ci && ci->poll == POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, &len) == 0)
		ms = tv.tv_sec * 1000LL + (tv.tv_usec + 999) / 1000;
	close(fd);
	return ms;
}

int session_wait_timeouts(struct session *s, int max_ms)
{
	int n = 0;
	for (size_t i = 0; i < s->nactors; i++) {
		struct sess_actor *act = &s->actors[i];
		long long ms = act->a && act->p.active && act->p.blocked ? pending_timeout_ms(act) : 0;
		if (ms <= 0)
			continue;
		long long left = ms - ms_since(&act->p.start) + TIMEOUT_SLACK_MS;
		if (left > max_ms)
			continue; /* it would not end in time: interrupted like any other */
		if (wait_done(s, act, left < 0 ? 0 : left) == 1)
			n++;
	}
	return n;
}

int session_interrupt_all(struct session *s)
{
	int n = 0;
	settle(s, NULL);
	for (size_t i = 0; i < s->nactors; i++)
		if (s->actors[i].p.active && session_interrupt(s, s->actors[i].name) != 0)
			n++;
	return n;
}

int session_any_blocked(const struct session *s)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (s->actors[i].p.active)
			return 1;
	return 0;
}

int session_failures(const struct session *s)
{
	return s->failures;
}

void session_seed_scope(const struct session *s, struct sp_scope *scope)
{
	for (size_t i = 0; i < s->nactors; i++)
		for (size_t j = 0; j < s->actors[i].nsocks; j++)
			if (s->actors[i].socks[j].name[0])
				script_scope_define(scope, s->actors[i].name, s->actors[i].socks[j].name);
}

unsigned session_steps(const struct session *s)
{
	return s->steps;
}

int session_endpoint_is(const struct sockaddr_storage *a, const struct sockaddr_storage *b, int wild)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		       (x->sin_addr.s_addr == y->sin_addr.s_addr ||
			(wild && x->sin_addr.s_addr == htonl(INADDR_ANY)));
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       (memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0 ||
			(wild && IN6_IS_ADDR_UNSPECIFIED(&x->sin6_addr)));
	}
	return 0;
}

const char *session_addr_owner(const struct session *s, const struct sockaddr_storage *addr)
{
	/* exact matches first: a listener on *:8888 and its accepted sockets share the port */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->nactors; i++)
			for (size_t j = s->actors[i].nsocks; j-- > 0;) {
				const struct sess_sock *ss = &s->actors[i].socks[j];
				if (!ss->local_len)
					continue;
				if (session_endpoint_is(&ss->local, addr, pass))
					return s->actors[i].name;
			}
	return NULL;
}

/* ---- programs on stage (--run) ------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int session_is_program(const struct session *s, const char *side)
{
	for (size_t i = 0; i < s->nprogs; i++) {
		size_t n = strlen(s->progs[i].side);
		if (strncmp(side, s->progs[i].side, n) == 0 && (side[n] == 0 || side[n] == '.'))
			return 1;
	}
	return 0;
}

/* The side of PG's process PID called NAME, made when first seen; NULL when there is no room. */
static struct sess_actor *prog_side(struct session *s, struct sess_prog *pg, const char *name, pid_t pid)
{
	if (s->nactors == SESSION_MAX_ACTORS)
		return NULL;
	/* a name cut to SP_NAME_MAX (deep forks) may be taken: then the pid tells them apart */
	int taken = find_actor(s, name) != NULL || strlen(name) >= SP_NAME_MAX;
	struct sess_actor *act = &s->actors[s->nactors++];
	memset(act, 0, sizeof *act);
	if (taken)
		snprintf(act->name, sizeof act->name, "%.*s#%d", (int)(SP_NAME_MAX - 1 - 12), name, (int)pid);
	else
		snprintf(act->name, sizeof act->name, "%s", name);
	act->prog = pg;
	act->ppid = pid;
	act->pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	return act;
}

/* What the program's call TE did to the side's sockets: made, closed, moved one. */
static void prog_sockets(struct sess_actor *act, const struct trace_event *te)
{
	const struct actor_res *r = &te->res;
	if (r->ret < 0)
		return;
	if (te->tcall == TRACE_CLOSE) {
		struct sess_sock *ss = sock_by_fd(act, te->req.fd);
		if (ss) {
			ss->closed = 1;
			ss->state = -1;
		}
		return;
	}
	if (te->tcall == TRACE_SOCKETPAIR) {
		int fds[2];
		if (sscanf(te->note, "fds %d, %d", &fds[0], &fds[1]) != 2)
			return;
		for (int k = 0; k < 2; k++) {
			struct sess_sock *ss = sock_add(act);
			if (!ss)
				return;
			ss->fd = fds[k];
			ss->family = te->req.domain;
			ss->type = te->req.type & 0xf;
		}
		return;
	}
	if (r->fd < 0 || !r->cookie)
		return; /* not a socket (or gone before it could be looked at) */
	struct sess_sock *ss = sock_by_fd(act, r->fd);
	if (ss && ss->cookie && ss->cookie != r->cookie) {
		ss->closed = 1; /* the number now names another socket (dup2, a close not seen) */
		ss = NULL;
	}
	if (!ss) { /* a new socket, or one a forked process inherited */
		ss = sock_add(act);
		if (!ss)
			return;
		ss->fd = r->fd;
		ss->cookie = r->cookie;
		ss->family = te->tcall == TRACE_SOCKET ? te->req.domain
			   : r->local_len ? r->local.ss_family : r->peer.ss_family;
		ss->type = te->socktype ? te->socktype : te->tcall == TRACE_SOCKET ? te->req.type & 0xf : 0;
	}
	if (!ss->cookie)
		ss->cookie = r->cookie;
	if (!ss->family && r->local_len)
		ss->family = r->local.ss_family;
	if (!ss->type)
		ss->type = te->socktype;
	sock_take_result(ss, r);
}

/* One event of PG's trace: the side's state, its log, the transcript. */
static void prog_event(struct session *s, struct sess_prog *pg, const struct trace_event *te)
{
	char line[SNAP_LINE_MAX];
	pg->last_event_ms = now_ms();
	if (te->kind == TRACE_EV_SPAWN) {
		if (te->pid == te->tid && te->parent_side[0] && pg->nforked < sizeof pg->forked / sizeof pg->forked[0]) {
			snprintf(pg->forked[pg->nforked].side, SP_NAME_MAX, "%s", te->side);
			snprintf(pg->forked[pg->nforked].parent, SP_NAME_MAX, "%s", te->parent_side);
			pg->nforked++;
		}
		return; /* a thread shares its process's side */
	}
	/* by process, not by name: a deep fork's name may be cut to SP_NAME_MAX and match another's */
	struct sess_actor *act = NULL;
	for (size_t i = 0; i < s->nactors && !act; i++)
		if (s->actors[i].prog == pg && s->actors[i].ppid == te->pid)
			act = &s->actors[i];
	if (!act && te->kind == TRACE_EV_END)
		return; /* a process that never made a socket call nor wrote a line */
	if (!act) {
		act = prog_side(s, pg, te->side, te->pid);
		if (!act)
			return; /* more processes than sides: the first ones are shown */
		for (size_t i = 0; i < pg->nforked; i++) {
			if (strcmp(pg->forked[i].side, act->name) != 0)
				continue;
			char what[SNAP_LINE_MAX];
			snprintf(what, sizeof what, "forked by %s", pg->forked[i].parent); /* the transcript: one language */
			struct sp_event ev = { .kind = SP_EV_PROCESS, .actor = act->name, .text = what, .fd = -1,
					       .state = -1, .ok = 1 };
			log_line(act, SNAP_LINE_INFO, what);
			emit(s, &ev);
			pg->forked[i] = pg->forked[--pg->nforked];
			break;
		}
	}
	if (act->prog != pg)
		return;
	switch (te->kind) {
	case TRACE_EV_ENTER:
		if (te->held) {
			act->held = 1;
			act->held_tid = te->tid;
			snprintf(act->next, sizeof act->next, "%s", te->text);
		}
		break;
	case TRACE_EV_BLOCKED:
	case TRACE_EV_CALL: {
		struct sp_event ev;
		trace_sp_event(te, &ev);
		ev.actor = act->name;
		if (act->held && act->held_tid == te->tid)
			act->held = 0;
		if (te->kind == TRACE_EV_BLOCKED) {
			act->tblocked = 1;
			act->btid = te->tid;
			act->bcall = te->tcall;
			act->bfd = te->args[0];
			snprintf(act->btext, sizeof act->btext, "%s", te->text);
			clock_gettime(CLOCK_MONOTONIC, &act->bstart); /* when the call began */
			long long ns = act->bstart.tv_nsec - te->res.elapsed_ns % 1000000000LL;
			act->bstart.tv_sec -= (time_t)(te->res.elapsed_ns / 1000000000LL) + (ns < 0);
			act->bstart.tv_nsec = ns < 0 ? ns + 1000000000LL : ns;
		} else {
			if (act->tblocked && act->btid == te->tid)
				act->tblocked = 0;
			prog_sockets(act, te);
			struct sess_sock *ss = sock_by_fd(act, te->res.fd);
			ev.sock_name = ss ? ss->name : "";
		}
		transcript_call_text(&ev, line, sizeof line);
		log_line(act, te->kind == TRACE_EV_BLOCKED ? SNAP_LINE_BLOCKED
			 : te->res.ret < 0 ? SNAP_LINE_ERR : SNAP_LINE_OK, line);
		if (te->kind == TRACE_EV_CALL && !te->libc)
			ev.shown = 1; /* the program's own call: the newest */
		emit(s, &ev);
		break;
	}
	case TRACE_EV_OUTPUT: {
		char esc[TRACE_LINE_MAX * 4 + 8];
		trace_format(te, esc, sizeof esc);
		struct sp_event ev = { .kind = SP_EV_OUTPUT, .actor = act->name, .text = esc, .fd = te->stream,
				       .state = -1, .ok = 1 };
		snprintf(line, sizeof line, "%s %s", te->stream == 2 ? "2>" : ">", esc);
		log_line(act, SNAP_LINE_INFO, line);
		emit(s, &ev);
		break;
	}
	case TRACE_EV_SPAWN:
		break;
	case TRACE_EV_END: {
		act->ended = 1;
		act->held = act->tblocked = 0;
		act->failed = te->signaled || te->status != 0;
		if (act->failed && te->data_len) { /* a traceback's last line says why */
			char esc[TRACE_LINE_MAX];
			text_escape(te->data, te->data_len, 120, esc, sizeof esc);
			snprintf(act->how, sizeof act->how, "%s (%s)", te->how, esc);
		} else {
			snprintf(act->how, sizeof act->how, "%s", te->how);
		}
		struct sp_event ev = { .kind = SP_EV_PROCESS, .actor = act->name, .text = act->how, .fd = -1,
				       .state = -1, .ok = !act->failed };
		log_line(act, act->failed ? SNAP_LINE_ERR : SNAP_LINE_INFO, act->how);
		emit(s, &ev);
		break;
	}
	}
}

/* Read and report every event the programs have sent. */
static void prog_drain(struct session *s)
{
	for (size_t i = 0; i < s->nprogs; i++) {
		struct sess_prog *pg = &s->progs[i];
		struct trace_event te;
		int rc;
		while (!pg->over && (rc = trace_next(pg->t, &te)) != 0) {
			if (rc < 0) {
				pg->over = 1;
				break;
			}
			prog_event(s, pg, &te);
			trace_event_clear(&te);
		}
	}
}

/* Whether thread TID of PID is asleep (in a call): 1, 0 running or stopped, -1 cannot tell. */
static int thread_asleep(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] == 'S' : -1;
}

/* Whether ACT's blocked call could return now: 1 its socket is ready, 0 not, -1 cannot tell. */
static int prog_released(const struct sess_actor *act)
{
	/* woken (the result is on its way): not blocked any more, whatever the socket says now */
	if (thread_asleep(act->ppid, act->btid) == 0)
		return 1;
	short want;
	switch (act->bcall) {
	case TRACE_ACCEPT: case TRACE_ACCEPT4: case TRACE_RECVFROM: case TRACE_RECVMSG: case TRACE_READ:
		want = POLLIN;
		break;
	case TRACE_CONNECT: case TRACE_SENDTO: case TRACE_SENDMSG: case TRACE_WRITE:
		want = POLLOUT;
		break;
	default:
		return -1; /* poll, select, epoll: many descriptors */
	}
	if (act->pidfd < 0 || act->bfd < 0 || act->bfd > 65535)
		return -1;
	int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, (int)act->bfd, 0);
	if (fd < 0)
		return -1;
	struct pollfd pf = { .fd = fd, .events = want };
	int n = poll(&pf, 1, 0);
	close(fd);
	return n > 0 ? 1 : 0;
}

int session_settle_programs(struct session *s, int timeout_ms)
{
	if (!s->nprogs)
		return 0;
	long long end = now_ms() + timeout_ms;
	int settled;
	for (;;) {
		prog_drain(s);
		settled = 1;
		int quiet = 1;
		for (size_t i = 0; i < s->nprogs && settled; i++) {
			if (s->progs[i].over)
				continue;
			struct pollfd pf = { .fd = trace_fd(s->progs[i].t), .events = POLLIN };
			if (!trace_settled(s->progs[i].t) || poll(&pf, 1, 0) > 0)
				settled = 0; /* running, or news not read yet */
		}
		for (size_t i = 0; i < s->nactors && settled; i++) {
			const struct sess_actor *act = &s->actors[i];
			if (!act->prog || act->ended || !act->tblocked)
				continue;
			int r = prog_released(act);
			if (r > 0)
				settled = 0;
			else if (r < 0 && now_ms() - act->prog->last_event_ms < PROG_QUIET_MS)
				quiet = 0;
		}
		if (settled && quiet)
			break;
		long long left = end - now_ms();
		if (left <= 0)
			break;
		struct pollfd fds[SESSION_MAX_PROGS];
		int n = 0;
		for (size_t i = 0; i < s->nprogs; i++)
			if (!s->progs[i].over)
				fds[n++] = (struct pollfd){ .fd = trace_fd(s->progs[i].t), .events = POLLIN };
		poll(fds, (nfds_t)n, left < 5 ? (int)left : 5);
	}
	settle(s, NULL); /* what the programs' calls released of the actors' */
	return settled ? 0 : -1;
}

int session_add_program(struct session *s, const char *side, const char *command, int stepping,
			char *err, size_t errlen)
{
	if (s->nprogs == SESSION_MAX_PROGS || s->nactors == SESSION_MAX_ACTORS) {
		snprintf(err, errlen, _("too many programs (at most %d)"), SESSION_MAX_PROGS);
		return -1;
	}
	if (find_actor(s, side) || session_is_program(s, side)) {
		snprintf(err, errlen, _("side %s is taken"), side);
		return -1;
	}
	struct sess_prog *pg = &s->progs[s->nprogs];
	memset(pg, 0, sizeof *pg);
	struct trace_opts o = { .side = side, .stepping = stepping };
	pg->t = trace_start(command, &o, err, errlen);
	if (!pg->t)
		return -1;
	snprintf(pg->side, sizeof pg->side, "%s", side);
	snprintf(pg->command, sizeof pg->command, "%s", command);
	pg->last_event_ms = now_ms();
	s->nprogs++;
	struct sess_actor *act = prog_side(s, pg, side, trace_pid(pg->t));
	if (act)
		act->free_run = !stepping;
	return 0;
}

static struct sess_actor *prog_find(struct session *s, const char *side)
{
	struct sess_actor *act = find_actor(s, side);
	return act && act->prog && !act->ended ? act : NULL;
}

int session_program_step(struct session *s, const char *side)
{
	struct sess_actor *act = prog_find(s, side);
	if (!act || !act->held)
		return 0;
	if (trace_step(act->prog->t, act->held_tid) < 0)
		return -1;
	act->held = 0;
	s->steps++;
	return 1;
}

int session_program_run(struct session *s, const char *side, int free_run)
{
	struct sess_actor *act = prog_find(s, side);
	if (!act)
		return -1;
	if (trace_run(act->prog->t, act->ppid, free_run) < 0)
		return -1;
	act->free_run = free_run;
	if (free_run)
		act->held = 0;
	return 0;
}

int session_program_interrupt(struct session *s, const char *side)
{
	struct sess_actor *act = prog_find(s, side);
	if (!act || !act->tblocked)
		return 0;
	return trace_interrupt(act->prog->t, act->ppid, SIGINT) < 0 ? -1 : 1;
}

int session_program_held(const struct session *s, const char *side)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (s->actors[i].prog && s->actors[i].held && !s->actors[i].ended &&
		    strcmp(s->actors[i].name, side) == 0)
			return 1;
	return 0;
}

int session_programs_failed(const struct session *s)
{
	int n = 0;
	for (size_t i = 0; i < s->nactors; i++)
		n += s->actors[i].prog && s->actors[i].failed;
	return n;
}

/* ---- kernel view and snapshot ------------------------------------------ */

/*
 * The TCP state of ACT's open socket SS, read from a duplicate of it taken
 * from the actor (pidfd_getfd), its cookie checked; -1 when it cannot be read.
 */
static int probe_tcp_state(const struct sess_actor *act, const struct sess_sock *ss)
{
	/* not while a call of the actor's is on it: were that a close(), ours would be the last one */
	if (act->pidfd < 0 || (act->p.active && act->p.fd == ss->fd))
		return -1;
	int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, ss->fd, 0);
	if (fd < 0)
		return -1;
	uint64_t cookie = 0;
	socklen_t len = sizeof cookie;
	struct tcp_info ti;
	int state = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0 && cookie == ss->cookie) {
		len = sizeof ti;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
			state = ti.tcpi_state;
	}
	close(fd);
	return state;
}

/*
 * Merge the kernel's table (just dumped into S->kv) into every actor's
 * sockets: the snapshot after a step shows what the kernel says, also for a
 * socket the other side's call changed. An open TCP socket the table does not
 * list has left every hashed state (a reset, a refused connect): the kernel
 * lists TCP sockets in every state but CLOSE. Its state is read from the socket
 * itself when it was listed or last seen in another state.
 */
static void apply_kview(struct session *s)
{
	for (size_t i = 0; i < s->nactors; i++) {
		struct sess_actor *act = &s->actors[i];
		for (size_t j = 0; j < act->nsocks; j++) {
			struct sess_sock *ss = &act->socks[j];
			const struct kv_sock *k = ss->cookie ? kview_find(&s->kv, ss->cookie) : NULL;
			int was_listed = ss->in_kernel;
			ss->in_kernel = k != NULL;
			if (k) {
				ss->k = *k;
				if (ss->type == SOCK_STREAM && (ss->family == AF_INET || ss->family == AF_INET6))
					ss->state = k->state;
			} else if (ss->closed) {
				ss->gone = 1;
			} else if (ss->type == SOCK_STREAM && (ss->family == AF_INET || ss->family == AF_INET6) &&
				   (was_listed || ss->state != SP_TCP_CLOSE)) {
				int st = probe_tcp_state(act, ss);
				ss->state = st >= 0 ? st : SP_TCP_CLOSE;
			}
		}
	}
}

int session_refresh(struct session *s)
{
	char err[200];
	if (kview_dump(&s->kv, err, sizeof err) < 0)
		return -1;
	apply_kview(s);
	return 0;
}

/* text_addr(SS, LEN) into OUT, through the cache C (thousands of sockets, several snapshots a step). */
static void snap_addr(struct addr_text *c, const struct sockaddr_storage *ss, socklen_t len, char *out,
		      size_t size)
{
	if (!c->ok || c->len != len || memcmp(&c->ss, ss, sizeof c->ss) != 0) {
		c->ss = *ss;
		c->len = len;
		text_addr(ss, len, c->text, sizeof c->text);
		c->ok = 1;
	}
	size_t n = strnlen(c->text, sizeof c->text - 1);
	if (n >= size)
		n = size - 1;
	memcpy(out, c->text, n);
	out[n] = 0;
}

/*
 * The length of a Unix address from the kernel's table, which gives the name's
 * bytes in a zeroed storage: a path up to its NUL, an abstract name up to its
 * last byte that is not NUL, and no name at all (socketpair(), a client that did
 * not bind) as "(unnamed)". Other families: the storage's size.
 */
static socklen_t kv_addr_len(const struct sockaddr_storage *ss)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
	size_t off = offsetof(struct sockaddr_un, sun_path), n = sizeof un->sun_path;
	if (ss->ss_family != AF_UNIX)
		return ss->ss_family ? sizeof *ss : 0;
	if (un->sun_path[0])
		return (socklen_t)(off + strnlen(un->sun_path, n) + 1);
	while (n > 1 && !un->sun_path[n - 1])
		n--;
	return (socklen_t)(off + (n > 1 ? n : 0));
}

/* The addresses of a snapshot socket, and whether the peer is one: a port (Internet), any address (Unix). */
static void snap_sa(struct snap_sock *o, const struct sockaddr_storage *local, socklen_t local_len,
		    const struct sockaddr_storage *peer, socklen_t peer_len)
{
	if (local_len && local->ss_family != AF_UNSPEC) {
		o->local_sa = *local;
		o->local_len = local_len;
	}
	if (peer_len && peer->ss_family != AF_UNSPEC) {
		o->peer_sa = *peer;
		o->peer_len = peer_len;
	}
	o->has_peer = o->peer_len && (o->peer_sa.ss_family == AF_UNIX || session_endpoint_port(&o->peer_sa) != 0);
}

/*
 * An unnamed Unix peer (the other end of a socketpair(), a client that did
 * not bind) is shown as the session's socket it is, when it is one: "fd 4 (b)",
 * "client fd 3 (c)". 0 when the kernel's peer is no socket of the session.
 */
static int unix_peer_text(const struct session *s, const struct sess_actor *me, uint32_t ino, char *out,
			  size_t size)
{
	for (size_t i = 0; ino && i < s->nactors; i++) {
		const struct sess_actor *act = &s->actors[i];
		for (size_t j = 0; j < act->nsocks; j++) {
			const struct sess_sock *o = &act->socks[j];
			if (!o->in_kernel || o->closed || o->k.inode != ino)
				continue;
			snprintf(out, size, "%s%sfd %d%s%s%s", act == me ? "" : act->name, act == me ? "" : " ", o->fd,
				 o->name[0] ? " (" : "", o->name, o->name[0] ? ")" : "");
			return 1;
		}
	}
	return 0;
}

const struct snapshot *session_snapshot(struct session *s)
{
	size_t nsocks = 0;
	for (size_t i = 0; i < s->nactors; i++)
		nsocks += s->actors[i].nsocks;
	if (nsocks > s->snap_socks_cap) {
		struct snap_sock *v = realloc(s->snap_socks, nsocks * sizeof *v);
		if (v) {
			s->snap_socks = v;
			s->snap_socks_cap = nsocks;
		}
	}
	size_t nlog = s->nactors * SNAP_LOG_KEEP;
	if (nlog > s->snap_log_cap) {
		struct snap_line *v = realloc(s->snap_log, nlog * sizeof *v);
		if (v) {
			s->snap_log = v;
			s->snap_log_cap = nlog;
		}
	}
	struct snapshot *sn = &s->snap;
	memset(sn, 0, sizeof *sn);
	sn->actors = s->snap_actors;
	sn->nactors = s->nactors;
	sn->net_label = s->o.net_label ? s->o.net_label : "";
	size_t si = 0, li = 0;
	for (size_t i = 0; i < s->nactors; i++) {
		struct sess_actor *act = &s->actors[i];
		struct snap_actor *sa = &s->snap_actors[i];
		memset(sa, 0, sizeof *sa);
		snprintf(sa->name, sizeof sa->name, "%s", act->name);
		sa->pid = act->a ? actor_pid(act->a) : act->ppid;
		if (act->prog) {
			sa->program = 1;
			sa->held = act->held && !act->ended;
			snprintf(sa->next_call, sizeof sa->next_call, "%s", act->next);
			sa->free_run = act->free_run;
			sa->ended = act->ended;
			snprintf(sa->how, sizeof sa->how, "%s", act->how);
			if (strcmp(act->name, act->prog->side) == 0)
				snprintf(sa->command, sizeof sa->command, "%s", act->prog->command);
			if (act->tblocked && !act->ended) {
				sa->blocked = 1;
				snprintf(sa->blocked_call, sizeof sa->blocked_call, "%s", act->btext);
				sa->blocked_ns = ms_since(&act->bstart) * 1000000;
			}
		}
		if (act->p.active && act->p.blocked) {
			sa->blocked = 1;
			snprintf(sa->blocked_call, sizeof sa->blocked_call, "%s", act->p.text);
			sa->blocked_ns = ms_since(&act->p.start) * 1000000;
		}
		sa->socks = s->snap_socks ? &s->snap_socks[si] : NULL;
		for (size_t j = 0; j < act->nsocks && si < s->snap_socks_cap; j++) {
			struct sess_sock *ss = &act->socks[j];
			if (ss->gone)
				continue;
			struct snap_sock *o = &s->snap_socks[si++];
			memset(o, 0, sizeof *o);
			size_t nl = strnlen(ss->name, sizeof ss->name); /* snprintf's "%s", without its cost */
			if (nl >= sizeof o->name)
				nl = sizeof o->name - 1;
			memcpy(o->name, ss->name, nl);
			o->name[nl] = 0;
			o->fd = ss->fd;
			o->closed = ss->closed;
			o->family = ss->family;
			o->type = ss->type;
			o->in_kernel = ss->in_kernel;
			o->cookie = ss->cookie;
			if (ss->in_kernel) {
				socklen_t ll = kv_addr_len(&ss->k.local), pl = kv_addr_len(&ss->k.peer);
				snap_sa(o, &ss->k.local, ll, &ss->k.peer, pl);
				snap_addr(&ss->txt_local, &ss->k.local, ll, o->local, sizeof o->local);
				snap_addr(&ss->txt_peer, &ss->k.peer, pl, o->peer, sizeof o->peer);
				if (ss->k.family == AF_UNIX && pl == offsetof(struct sockaddr_un, sun_path))
					unix_peer_text(s, act, ss->k.peer_inode, o->peer, sizeof o->peer);
				o->state = ss->k.state;
				o->rq = ss->k.rq;
				o->wq = ss->k.wq;
				o->has_info = ss->k.has_info;
				o->rtt_us = ss->k.rtt_us;
				o->cwnd = ss->k.snd_cwnd;
				o->unacked = ss->k.unacked;
				o->retrans = ss->k.retrans;
				o->timer_ms = ss->k.timer_ms;
			} else {
				snap_sa(o, &ss->local, ss->local_len, &ss->peer, ss->peer_len);
				snap_addr(&ss->txt_local, &ss->local, ss->local_len, o->local, sizeof o->local);
				snap_addr(&ss->txt_peer, &ss->peer, ss->peer_len, o->peer, sizeof o->peer);
				o->state = ss->state;
			}
			sa->nsocks++;
		}
		sa->log = s->snap_log ? &s->snap_log[li] : NULL;
		for (size_t j = 0; j < act->nlog && li < s->snap_log_cap; j++)
			s->snap_log[li++] = act->log[(act->log_start + j) % SNAP_LOG_KEEP];
		sa->nlog = act->nlog;
	}
	sn->failures = s->failures;
	return sn;
}

/* ---- life -------------------------------------------------------------- */

struct session *session_new(const struct session_opts *opts)
{
	struct session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *opts;
	if (s->o.timeout_ms <= 0)
		s->o.timeout_ms = 5000;
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nprogs; i++)
		trace_free(s->progs[i].t); /* kills and reaps every process of it */
	for (size_t i = 0; i < s->nactors; i++) {
		struct sess_actor *act = &s->actors[i];
		actor_free(act->a);
		if (act->pidfd >= 0)
			close(act->pidfd);
		free(act->p.expect.data.unit);
		free(act->socks);
	}
	kview_free(&s->kv);
	free(s->snap_socks);
	free(s->snap_log);
	free(s);
}
