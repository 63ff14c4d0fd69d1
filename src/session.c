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
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sockplay/actor.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/i18n.h"
#include "sockplay/kview.h"
#include "sockplay/session.h"
#include "sockplay/text.h"
#include "sockplay/transcript.h"

#define SESSION_MAX_ACTORS 8
/* A call seen asleep in the kernel at every look (this often) for this long is blocked ... */
#define BLOCK_LOOK_MS 10
#define BLOCK_ASLEEP_MS 30
/* ... or, where /proc cannot tell, one that has not returned after this long. */
#define BLOCK_AFTER_MS 100
/* How long a released call may take to report back. */
#define RELEASE_WAIT_MS 1000
/* How long an expect may wait for a state the kernel reaches on its own. */
#define EXPECT_WAIT_MS 1000
#define DEFAULT_BACKLOG 128 /* what Python's listen() uses */

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
	char text[SNAP_LINE_MAX];
	struct sp_expect expect; /* deep copy: typed statements may be gone */
	size_t sent_len;
	int family, type;        /* of the socket being made (socket, accept) */
	int blocked;
	int interrupted;
	struct timespec start;
};

struct sess_actor {
	char name[SP_NAME_MAX];
	struct actor *a;
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
	/* for the explain area */
	int last_call, last_err;
	long long last_ret;
	char last_actor[SP_NAME_MAX];
	char last_text[SNAP_LINE_MAX];
	char last_explain[SNAP_EXPLAIN_MAX];
	char say[512];
	char title[128];
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
	if (act)
		return act;
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
	if (act->nsocks == act->cap) {
		size_t cap = act->cap ? act->cap * 2 : 8;
		struct sess_sock *v = realloc(act->socks, cap * sizeof *v);
		if (!v)
			return NULL;
		act->socks = v;
		act->cap = cap;
	}
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
	memset(out, 0, sizeof *out);
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

/* The first bytes of UNIT repeated COUNT times, escaped, for the call's text. */
static void data_preview(const struct sp_data *d, char *out, size_t size)
{
	unsigned char head[48];
	size_t total = d->unit_len * d->count, n = 0;
	for (uint64_t i = 0; i < d->count && n < sizeof head; i++)
		for (size_t j = 0; j < d->unit_len && n < sizeof head; j++)
			head[n++] = d->unit[j];
	char esc[256];
	text_escape_utf8(head, n, 32, esc, sizeof esc);
	if (total > n && !strstr(esc, "..."))
		snprintf(out, size, "\"%s\"...", esc);
	else if (strstr(esc, "...")) {
		/* move the ellipsis outside the quotes, like strace */
		esc[strlen(esc) - 3] = 0;
		snprintf(out, size, "\"%s\"...", esc);
	} else
		snprintf(out, size, "\"%s\"", esc);
}

static void flags_text(int flags, char *out, size_t size)
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
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", o ? "|" : "", n ? n : "?");
	}
	if (rest) /* a script may give flags as a number: the bits without a name stay */
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%d", o ? "|" : "", rest);
	if (!o)
		snprintf(out, size, "0");
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

/* Build the request and its text for a CALL statement. */
static int build_request(struct session *s, struct sess_actor *act, const struct sp_stmt *st,
			 struct actor_req *rq, struct pending *p, char *err, size_t errlen)
{
	char buf[SNAP_LINE_MAX], a2[160], a3[160];
	const struct sp_arg *av = st->args;
	struct sess_sock *sock = NULL;
	int fd = -1, family = 0;

	memset(rq, 0, sizeof *rq);
	rq->call = st->call;
	rq->count = 1;
	if (call_takes_fd(st->call)) {
		fd = arg_fd(act, &av[0], &sock);
		if (fd < 0) {
			snprintf(err, errlen, _("'%s' is not defined for actor %s"), av[0].name, act->name);
			return -1;
		}
		family = sock ? sock->family : 0;
	}
	rq->fd = fd;
	p->family = family;
	p->type = sock ? sock->type : 0;

	switch (st->call) {
	case SP_CALL_SOCKET: {
		rq->domain = (int)av[0].num;
		rq->type = (int)av[1].num;
		rq->proto = st->nargs > 2 ? (int)av[2].num : 0;
		const char *pn = rq->proto ? consts_name(SP_K_PROTO, rq->proto) : NULL;
		const char *dn = consts_name(SP_K_DOMAIN, rq->domain);
		const char *tn = consts_name(SP_K_TYPE, rq->type);
		if (pn)
			snprintf(a3, sizeof a3, "%s", pn);
		else
			snprintf(a3, sizeof a3, "%d", rq->proto);
		snprintf(buf, sizeof buf, "socket(%s, %s, %s)", dn ? dn : "?", tn ? tn : "?", a3);
		p->family = rq->domain;
		p->type = rq->type;
		break;
	}
	case SP_CALL_BIND:
	case SP_CALL_CONNECT:
		if (resolve_addr(s, act, &av[1].addr, family, &rq->addr, &rq->addrlen, err, errlen) < 0)
			return -1;
		text_addr(&rq->addr, rq->addrlen, a2, sizeof a2);
		snprintf(buf, sizeof buf, "%s(%d, %s)", call_name(st->call), fd, a2);
		break;
	case SP_CALL_LISTEN:
		rq->num = st->nargs > 1 ? (int)av[1].num : DEFAULT_BACKLOG;
		snprintf(buf, sizeof buf, "listen(%d, %d)", fd, rq->num);
		break;
	case SP_CALL_ACCEPT:
	case SP_CALL_CLOSE:
		snprintf(buf, sizeof buf, "%s(%d)", call_name(st->call), fd);
		break;
	case SP_CALL_SEND:
	case SP_CALL_SENDTO: {
		const struct sp_data *d = &av[1].data;
		rq->unit = d->unit;
		rq->unit_len = d->unit_len;
		rq->count = d->count;
		p->sent_len = d->unit_len * d->count;
		int fi = st->call == SP_CALL_SEND ? 2 : 3;
		rq->flags = st->nargs > fi ? (int)av[fi].num : 0;
		data_preview(d, a2, sizeof a2);
		char fl[96] = "";
		if (rq->flags) {
			char f[80];
			flags_text(rq->flags, f, sizeof f);
			snprintf(fl, sizeof fl, ", %s", f);
		}
		if (st->call == SP_CALL_SEND) {
			snprintf(buf, sizeof buf, "send(%d, %s, %zu%s)", fd, a2, p->sent_len, fl);
		} else {
			if (resolve_addr(s, act, &av[2].addr, family, &rq->addr, &rq->addrlen, err, errlen) < 0)
				return -1;
			text_addr(&rq->addr, rq->addrlen, a3, sizeof a3);
			snprintf(buf, sizeof buf, "sendto(%d, %s, %zu%s, %s)", fd, a2, p->sent_len, fl, a3);
		}
		break;
	}
	case SP_CALL_RECV:
	case SP_CALL_RECVFROM: {
		rq->num = (int)av[1].num;
		rq->flags = st->nargs > 2 ? (int)av[2].num : 0;
		char fl[96] = "";
		if (rq->flags) {
			char f[80];
			flags_text(rq->flags, f, sizeof f);
			snprintf(fl, sizeof fl, ", %s", f);
		}
		snprintf(buf, sizeof buf, "%s(%d, %d%s)", call_name(st->call), fd, rq->num, fl);
		break;
	}
	case SP_CALL_SHUTDOWN: {
		rq->num = (int)av[1].num;
		const char *hn = consts_name(SP_K_SHUT, rq->num);
		snprintf(buf, sizeof buf, "shutdown(%d, %s)", fd, hn ? hn : "?");
		break;
	}
	case SP_CALL_SETSOCKOPT:
	case SP_CALL_GETSOCKOPT: {
		const struct sp_opt *opt = consts_opt_at((size_t)av[1].num);
		if (!opt) {
			snprintf(err, errlen, _("unknown option"));
			return -1;
		}
		rq->opt_level = opt->level;
		rq->opt_name = opt->optname;
		rq->opt_kind = opt->kind;
		if (st->call == SP_CALL_GETSOCKOPT) {
			snprintf(buf, sizeof buf, "getsockopt(%d, %s)", fd, opt->name);
			break;
		}
		rq->opt_vals[0] = st->nargs > 2 ? (int)av[2].num : 1;
		rq->opt_vals[1] = st->nargs > 3 ? (int)av[3].num : 0;
		if (opt->kind == SP_OPT_LINGER)
			snprintf(buf, sizeof buf, "setsockopt(%d, %s, %d, %d)", fd, opt->name,
				 rq->opt_vals[0], rq->opt_vals[1]);
		else
			snprintf(buf, sizeof buf, "setsockopt(%d, %s, %d)", fd, opt->name, rq->opt_vals[0]);
		break;
	}
	case SP_CALL_NONBLOCK:
		rq->num = st->nargs > 1 ? (int)av[1].num : 1;
		snprintf(buf, sizeof buf, "nonblock(%d, %d)", fd, rq->num);
		break;
	default:
		snprintf(err, errlen, _("not a call"));
		return -1;
	}
	snprintf(p->text, sizeof p->text, "%s", buf);
	p->call = st->call;
	p->fd = fd;
	p->line = st->line;
	p->stmt = st;
	snprintf(p->assign, sizeof p->assign, "%s", st->assign);
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

/* Whether the result matches; MSG says how not. */
static int check_expect(const struct sp_expect *e, const struct actor_res *r, char *msg, size_t size)
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
	if (!ok) {
		char a[256], b[256];
		transcript_expect_text(e, a, sizeof a);
		got_text(r->ret, r->err, r->data, r->data_len, e->has_data, b, sizeof b);
		snprintf(msg, size, "expected %s, got %s", a, b);
	}
	return ok;
}

static void note_for(const struct pending *p, const struct actor_res *r, char *out, size_t size)
{
	char a[SNAP_ADDR_MAX];
	out[0] = 0;
	if (r->ret < 0)
		return;
	if (p->call == SP_CALL_ACCEPT && r->peer_len) {
		text_addr(&r->peer, r->peer_len, a, sizeof a);
		snprintf(out, size, "peer %s", a);
	} else if (p->call == SP_CALL_RECVFROM && r->peer_len) {
		text_addr(&r->peer, r->peer_len, a, sizeof a);
		snprintf(out, size, "from %s", a);
	} else if (p->call == SP_CALL_GETSOCKOPT) {
		if (p->stmt && consts_opt_at((size_t)p->stmt->args[1].num) &&
		    consts_opt_at((size_t)p->stmt->args[1].num)->kind == SP_OPT_LINGER)
			snprintf(out, size, "value %s, %d s", r->opt_vals[0] ? "on" : "off", r->opt_vals[1]);
		else if (p->stmt && consts_opt_at((size_t)p->stmt->args[1].num) &&
			 consts_opt_at((size_t)p->stmt->args[1].num)->kind == SP_OPT_ERROR && r->opt_vals[0])
			snprintf(out, size, "value %s", consts_errno_name(r->opt_vals[0])
							 ? consts_errno_name(r->opt_vals[0]) : "?");
		else
			snprintf(out, size, "value %d", r->opt_vals[0]);
	}
}

static void update_sockets(struct sess_actor *act, const struct pending *p, const struct actor_res *r)
{
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

/* ---- what the explanation of a step may say (explain.h) --------------------- */

static int sock_is_inet(const struct sess_sock *ss)
{
	return ss->family == AF_INET || ss->family == AF_INET6;
}

static uint16_t addr_port(const struct sockaddr_storage *a)
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
	cx->port = addr_port(addr);
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
			int rank = o->closed ? 1 : state == 10 ? 3 : 2;
			if ((listen_only && state != 10) || rank <= best)
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
		    same_port(&k->local, addr) && (!listen_only || k->state == 10)) {
			cx->holder = EXPLAIN_HOLDER_OUTSIDE;
			cx->holder_state = k->state;
			cx->holder_type = k->type;
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
	int st = probe_tcp_state(act, me);
	me->pre_state = st;
	int connected = st == 1 || st == 4 || st == 5 || st == 8 || st == 9 || st == 11;
	if (p->call == SP_CALL_SEND || !(p->call == SP_CALL_CLOSE ? connected : st == 8))
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
			    !addr_port(&o->local) || o->state == 10 || !same_port(&o->local, &a))
				continue;
			cx->bound_actor = s->actors[i].name;
			cx->bound_name = o->name;
			cx->bound_fd = o->fd;
			return;
		}
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
	if (p->call == SP_CALL_SOCKET || p->call == SP_CALL_ACCEPT)
		return;
	struct sess_sock *me = sock_by_fd(act, p->fd);
	if (!me || !sock_is_inet(me))
		return;
	me->had_peer |= me->peer_len != 0 || (r->have_names && r->peer_len != 0);
	cx->never_connected = !me->had_peer;
	int before = me->pre_state > 0 ? me->pre_state : me->in_kernel ? me->k.state : me->state;
	cx->state_before = before > 0 ? before : 0;
	cx->unbound = !me->local_len || addr_port(&me->local) == 0;
	if (p->call == SP_CALL_SETSOCKOPT && r->ret == 0 && p->stmt && p->stmt->nargs > 1) {
		const struct sp_opt *o = consts_opt_at((size_t)p->stmt->args[1].num);
		if (o && o->kind == SP_OPT_LINGER)
			me->linger_zero = p->stmt->nargs > 3 && p->stmt->args[2].num && !p->stmt->args[3].num;
	}
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
		struct kv_table kv = { 0 };
		char err[200];
		if (kview_dump(&kv, err, sizeof err) == 0) {
			const struct kv_sock *k = kview_find(&kv, me->cookie);
			cx->state_after = k ? k->state : 7;
		}
		kview_free(&kv);
		/*
		 * tcp_close(): a connection with data unread is reset (the FIN that
		 * CLOSE_WAIT's rq counts is no data); one lingering 0 s is reset by
		 * tcp_disconnect() in ESTABLISHED, CLOSE_WAIT, FIN_WAIT1 and FIN_WAIT2.
		 */
		int b = cx->state_before;
		if (b == 1 || (b >= 4 && b <= 5) || b == 8 || b == 9 || b == 11) {
			unsigned fin = b == 8 ? 1 : 0;
			if (cx->rq_known && cx->rq_before > fin)
				cx->close_rst = EXPLAIN_RST_UNREAD;
			else if (me->linger_zero && b != 9 && b != 11)
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
	int ok = check_expect(&p->expect, r, msg, sizeof msg);
	/* what it returned is not the result the script expected of it, unless that was the interrupt */
	int want_eintr = p->expect.ret == -1 && p->expect.err == EINTR && !p->expect.any_error;
	if (p->interrupted && p->expect.present && !(want_eintr && ok)) {
		ok = 0;
		snprintf(msg, sizeof msg, "%s was still blocked and was interrupted", p->text);
	}
	const char *sname = "";
	int socktype = p->type;
	struct sess_sock *ss = (p->call == SP_CALL_SOCKET || p->call == SP_CALL_ACCEPT) && r->ret >= 0
				       ? sock_by_fd(act, (int)r->ret) : sock_by_fd(act, p->fd);
	if (ss) {
		sname = ss->name;
		socktype = ss->type;
	}
	struct sp_event ev = {
		.kind = SP_EV_CALL, .actor = act->name, .stmt = p->stmt, .line = p->line,
		.call = p->call, .text = p->text, .resumed = p->blocked,
		.interrupted = p->interrupted, .ret = r->ret, .err = r->err, .data = r->data,
		.data_len = r->data_len, .sent_len = p->sent_len, .note = note[0] ? note : NULL,
		.fd = r->fd, .socktype = socktype, .sock_name = sname, .state = r->tcp_state, .ok = ok,
		.elapsed_ns = r->elapsed_ns, .explain = &cx,
	};
	transcript_call_text(&ev, line, sizeof line);
	log_line(act, r->ret < 0 ? SNAP_LINE_ERR : SNAP_LINE_OK, line);
	s->last_call = p->call;
	if (p->stmt && s->o.explain)
		explain_step_ctx(p->stmt, socktype, r->ret, r->ret < 0 ? r->err : 0, &cx, s->last_explain,
				 sizeof s->last_explain);
	else
		s->last_explain[0] = 0;
	s->last_err = r->ret < 0 ? r->err : 0;
	s->last_ret = r->ret;
	snprintf(s->last_actor, sizeof s->last_actor, "%s", act->name);
	snprintf(s->last_text, sizeof s->last_text, "%s", line);
	emit(s, &ev);
	if (!ok) {
		s->failures++;
		struct sp_event fe = { .kind = SP_EV_FAIL, .actor = act->name, .stmt = p->stmt,
				       .line = p->line, .text = msg, .state = -1 };
		snprintf(line, sizeof line, "expectation failed: %s", msg);
		log_line(act, SNAP_LINE_ERR, line);
		emit(s, &fe);
	}
	free(p->expect.data.unit);
	memset(p, 0, sizeof *p);
}

static void mark_blocked(struct session *s, struct sess_actor *act)
{
	struct pending *p = &act->p;
	char line[SNAP_LINE_MAX];
	if (p->blocked)
		return;
	p->blocked = 1;
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

/*
 * Whether ACT's blocked call has been released: look at the socket it is
 * blocked on, through a duplicate taken from the actor (pidfd_getfd), and
 * see whether it is ready now. -1 when we cannot tell.
 */
static int released(struct sess_actor *act)
{
	if (act->pidfd < 0)
		return -1;
	int fd = (int)syscall(SYS_pidfd_getfd, act->pidfd, act->p.fd, 0);
	if (fd < 0)
		return -1;
	short ev = (act->p.call == SP_CALL_ACCEPT || act->p.call == SP_CALL_RECV ||
		    act->p.call == SP_CALL_RECVFROM) ? POLLIN : POLLOUT;
	struct pollfd pf = { .fd = fd, .events = ev };
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
	int sends = act->p.call == SP_CALL_SEND || act->p.call == SP_CALL_SENDTO;
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
	if (rc == 0)
		mark_blocked(s, act);
	settle(s, act);
	return rc < 0 ? SESSION_ERROR : SESSION_OK;
}

static void apply_kview(struct session *s);

static enum session_rc exec_expect(struct session *s, const struct sp_stmt *st)
{
	struct sess_actor *act = find_actor(s, st->actor);
	struct sess_sock *ss = act ? sock_by_name(act, st->name) : NULL;
	char text[160], msg[300], kerr[200];
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
		state = k ? k->state : 7 /* TCP_CLOSE: the kernel has forgotten it */;
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
	case SP_ST_TITLE:
	case SP_ST_SAY: {
		struct sp_event ev = { .kind = st->kind == SP_ST_SAY ? SP_EV_SAY : SP_EV_TITLE,
				       .stmt = st, .line = st->line, .text = st->text, .state = -1 };
		if (st->kind == SP_ST_SAY)
			snprintf(s->say, sizeof s->say, "%s", st->text ? st->text : "");
		else
			snprintf(s->title, sizeof s->title, "%s", st->text ? st->text : "");
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

void session_collect(struct session *s)
{
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
				   (was_listed || ss->state != TCP_CLOSE)) {
				int st = probe_tcp_state(act, ss);
				ss->state = st >= 0 ? st : TCP_CLOSE;
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
		sa->pid = actor_pid(act->a);
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
			if (ss->in_kernel) {
				snap_addr(&ss->txt_local, &ss->k.local, sizeof ss->k.local, o->local, sizeof o->local);
				snap_addr(&ss->txt_peer, &ss->k.peer, ss->k.peer.ss_family ? sizeof ss->k.peer : 0,
					  o->peer, sizeof o->peer);
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
	sn->last_call = s->last_call;
	sn->last_err = s->last_err;
	sn->last_ret = s->last_ret;
	snprintf(sn->last_actor, sizeof sn->last_actor, "%s", s->last_actor);
	snprintf(sn->last_text, sizeof sn->last_text, "%s", s->last_text);
	memcpy(sn->last_explain, s->last_explain, sizeof sn->last_explain);
	snprintf(sn->say, sizeof sn->say, "%s", s->say);
	snprintf(sn->title, sizeof sn->title, "%s", s->title);
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
