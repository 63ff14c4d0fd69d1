/* step.c -- one step, run once for --batch and the TUI: statement, drain, settle, and what it changed. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/grow.h"
#include "sockplay/step.h"

/* A TCP socket as it was before the step. */
struct step_was {
	char actor[SP_NAME_MAX];
	char name[SP_NAME_MAX];
	uint64_t cookie;             /* 0 when not known */
	int fd, closed, state;
	int seen;                    /* still listed after the step */
	struct sockaddr_storage local, peer;
	socklen_t local_len, peer_len;
};

void step_init(struct step *r, struct session *s, struct wire *w, const struct step_hooks *h)
{
	memset(r, 0, sizeof *r);
	r->s = s;
	r->w = w;
	if (h)
		r->h = *h;
	r->call.fd = -1;
}

void step_free(struct step *r)
{
	free(r->was);
	r->was = NULL;
	r->nwas = r->capwas = 0;
}

/* ---- addresses ------------------------------------------------------------------------- */

int step_endpoint(const struct sockaddr_storage *sa, socklen_t len, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (!len)
		return -1;
	if (sa->ss_family == AF_INET) {
		struct sockaddr_in *o = (struct sockaddr_in *)out;
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		o->sin_family = AF_INET;
		o->sin_addr = in->sin_addr;
		o->sin_port = in->sin_port;
	} else if (sa->ss_family == AF_INET6) {
		struct sockaddr_in6 *o = (struct sockaddr_in6 *)out;
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		o->sin6_family = AF_INET6;
		o->sin6_addr = in6->sin6_addr;
		o->sin6_port = in6->sin6_port;
	} else {
		return -1;
	}
	return (int)session_endpoint_port(out);
}

int step_same_addr(const struct sockaddr_storage *a, socklen_t alen, const struct sockaddr_storage *b,
		   socklen_t blen)
{
	if (!alen || !blen)
		return !alen && !blen;
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET || a->ss_family == AF_INET6)
		return session_endpoint_is(a, b, 0);
	if (a->ss_family != AF_UNIX)
		return 1;
	const struct sockaddr_un *x = (const void *)a, *y = (const void *)b;
	size_t off = offsetof(struct sockaddr_un, sun_path), max = sizeof x->sun_path;
	size_t xn = alen > off ? alen - off : 0, yn = blen > off ? blen - off : 0;
	xn = xn < max ? xn : max;
	yn = yn < max ? yn : max;
	if (!xn || !yn) /* unnamed */
		return !xn && !yn;
	if ((x->sun_path[0] == 0) != (y->sun_path[0] == 0))
		return 0;
	if (x->sun_path[0] == 0) /* abstract: every byte of the name counts */
		return xn == yn && memcmp(x->sun_path, y->sun_path, xn) == 0;
	xn = strnlen(x->sun_path, xn);
	yn = strnlen(y->sun_path, yn);
	return xn == yn && memcmp(x->sun_path, y->sun_path, xn) == 0;
}

/* ---- the step's call ------------------------------------------------------------------- */

/* Which socket the statement's call is about, as far as the statement says (the events add the rest). */
static void call_of(struct step *r, const struct sp_stmt *st)
{
	memset(&r->call, 0, sizeof r->call);
	r->call.fd = -1;
	if (st->kind != SP_ST_CALL)
		return;
	snprintf(r->call.actor, sizeof r->call.actor, "%s", st->actor);
	if (st->call == SP_CALL_SOCKET || st->call == SP_CALL_ACCEPT)
		snprintf(r->call.name, sizeof r->call.name, "%s", st->assign);
	else if (call_takes_fd(st->call) && st->nargs > 0 && st->args[0].kind == SP_ARG_SOCK) {
		snprintf(r->call.name, sizeof r->call.name, "%s", st->args[0].name);
		if (!st->args[0].name[0])
			r->call.fd = (int)st->args[0].num;
	}
}

void step_event(struct step *r, const struct sp_event *ev)
{
	if (!r->stmt || ev->stmt != r->stmt || !ev->actor)
		return;
	if (ev->kind == SP_EV_CALL) {
		r->call.set = 1;
		r->call.blocked = 0;
		if ((ev->call == SP_CALL_SOCKET || ev->call == SP_CALL_ACCEPT) && ev->ret >= 0) {
			r->call.fd = ev->fd >= 0 ? ev->fd : (int)ev->ret; /* the new socket */
			if (!r->call.name[0] && ev->sock_name)
				snprintf(r->call.name, sizeof r->call.name, "%s", ev->sock_name);
		}
		r->call.socktype = ev->socktype;
		r->call.call = ev->call;
		r->call.ret = ev->ret;
		r->call.err = ev->err;
	} else if (ev->kind == SP_EV_BLOCKED) {
		r->call.set = r->call.blocked = 1;
		r->call.socktype = 0;
		r->call.call = ev->call;
		r->call.ret = -1;
		r->call.err = 0;
	}
}

/* ---- the sockets before and after ------------------------------------------------------ */

static int is_tcp(const struct snap_sock *k)
{
	return k->type == SOCK_STREAM && (k->family == AF_INET || k->family == AF_INET6);
}

/* The TCP sockets and their states, before the step runs. */
static void states_before(struct step *r)
{
	const struct snapshot *sn = session_snapshot(r->s);
	r->nwas = 0;
	for (size_t i = 0; sn && i < sn->nactors; i++) {
		const struct snap_actor *sa = &sn->actors[i];
		for (size_t k = 0; k < sa->nsocks; k++) {
			const struct snap_sock *so = &sa->socks[k];
			if (!is_tcp(so))
				continue;
			struct step_was *v = grow_array(r->was, r->nwas, &r->capwas, sizeof *v, 16);
			if (!v)
				return;
			r->was = v;
			struct step_was *w = &r->was[r->nwas++];
			snprintf(w->actor, sizeof w->actor, "%s", sa->name);
			snprintf(w->name, sizeof w->name, "%s", so->name);
			w->cookie = so->cookie;
			w->fd = so->fd;
			w->closed = so->closed;
			w->state = so->state;
			w->seen = 0;
			w->local = so->local_sa;
			w->local_len = so->local_len;
			w->peer = so->peer_sa;
			w->peer_len = so->peer_len;
		}
	}
}

/* Whether record W before the step is socket SO of ACTOR now: by cookie, else by descriptor and name. */
static int was_is(const struct step_was *w, const char *actor, const struct snap_sock *so)
{
	if (w->cookie && so->cookie)
		return w->cookie == so->cookie;
	return w->fd == so->fd && strcmp(w->actor, actor) == 0 && strcmp(w->name, so->name) == 0 &&
	       (!w->closed || so->closed) &&
	       (!w->closed || step_same_addr(&w->local, w->local_len, &so->local_sa, so->local_len));
}

/* The record of socket SO of ACTOR before the step, or NULL (a new one). */
static struct step_was *was_of(struct step *r, const char *actor, const struct snap_sock *so)
{
	/*
	 * The list was taken in the snapshot's order, and is asked in that order:
	 * start after the last match, so that thousands of sockets (a repeat
	 * leaving TIME_WAITs behind) cost one comparison each, not the whole list.
	 */
	for (size_t j = 0; j < r->nwas; j++) {
		size_t i = (r->was_next + j) % r->nwas;
		if (was_is(&r->was[i], actor, so)) {
			r->was_next = i + 1;
			return &r->was[i];
		}
	}
	return NULL;
}

/* Whether socket NAME/FD of ACTOR is the one the step's call was about. */
static int is_called(const struct step *r, const char *actor, const char *name, int fd)
{
	if (!r->call.set || strcmp(actor, r->call.actor) != 0)
		return 0;
	return r->call.name[0] ? strcmp(name, r->call.name) == 0 : fd == r->call.fd;
}

/* TCP flags that LOCAL sent to / received from PEER (snapshot addresses) in the step; data: whether it sent bytes. */
static void step_flags(const struct step *r, const struct sockaddr_storage *local, socklen_t local_len,
		       const struct sockaddr_storage *peer, socklen_t peer_len, int socktype, unsigned *sent,
		       unsigned *rcvd, int *data, int *reset)
{
	struct sockaddr_storage a, b;
	*sent = *rcvd = 0;
	*data = *reset = 0;
	if (!r->w || step_endpoint(local, local_len, &a) <= 0)
		return;
	int has_peer = step_endpoint(peer, peer_len, &b) > 0;
	for (size_t i = wire_count(r->w); i-- > 0;) {
		const struct wire_seg *g = wire_at(r->w, i);
		if (g->step != r->id)
			break;
		int out = session_endpoint_is(&a, &g->src, 1) && (!has_peer || session_endpoint_is(&b, &g->dst, 0));
		int in = session_endpoint_is(&a, &g->dst, 1) && (!has_peer || session_endpoint_is(&b, &g->src, 0));
		if (socktype == SOCK_DGRAM && out && g->proto == IPPROTO_UDP && g->len)
			*data = 1;
		if (g->proto != IPPROTO_TCP)
			continue;
		if (out) {
			*sent |= g->flags;
			if (g->len)
				*data = 1;
		}
		if (in)
			*rcvd |= g->flags;
		if ((in || out) && (g->flags & WIRE_RST))
			*reset = 1;
	}
}

/* Whether an RST went between LOCAL and PEER in the step. */
static int step_reset(const struct step *r, const struct sockaddr_storage *local, socklen_t local_len,
		      const struct sockaddr_storage *peer, socklen_t peer_len)
{
	unsigned sent, rcvd;
	int data, reset;
	step_flags(r, local, local_len, peer, peer_len, SOCK_STREAM, &sent, &rcvd, &data, &reset);
	return reset;
}

static void add_trans(struct step *r, const char *actor, const char *name, int fd, int from, int to, int main,
		      int reset)
{
	if (r->ntrans >= STEP_TRANS_MAX)
		return;
	struct step_trans *tr = &r->trans[r->ntrans++];
	snprintf(tr->actor, sizeof tr->actor, "%s", actor);
	snprintf(tr->name, sizeof tr->name, "%s", name);
	tr->fd = fd;
	tr->from = from;
	tr->to = to;
	tr->main = main;
	tr->reset = reset;
	if (main && r->ntrans > 1) { /* the call's socket first */
		struct step_trans x = *tr;
		memmove(&r->trans[1], &r->trans[0], (size_t)(r->ntrans - 1) * sizeof x);
		r->trans[0] = x;
	}
}

/* The state of a socket after a step: the kernel's, TCP_CLOSE when it is gone. */
static int state_now(const struct snap_sock *so)
{
	if (so->closed && !so->in_kernel)
		return SP_TCP_CLOSE;
	return so->state;
}

/* After the call: which sockets changed state, and the sentence that joins the call, segments and states. */
static void after_step(struct step *r)
{
	if (!r->call.set)
		return;
	for (size_t i = 0; i < r->nwas; i++) /* it may run twice for a step: before and after the late segments */
		r->was[i].seen = 0;
	r->was_next = 0;
	const struct snapshot *sn = session_snapshot(r->s);
	r->ntrans = 0;
	const struct snap_sock *me = NULL, *peer = NULL;
	const char *me_actor = r->call.actor, *peer_actor = NULL;
	const struct step_was *me_was = NULL, *peer_was = NULL;
	/* the sockets still there */
	for (size_t i = 0; i < sn->nactors; i++) {
		const struct snap_actor *sa = &sn->actors[i];
		for (size_t k = 0; k < sa->nsocks; k++) {
			const struct snap_sock *so = &sa->socks[k];
			int called = is_called(r, sa->name, so->name, so->fd) &&
				     (r->call.call == SP_CALL_CLOSE ? so->closed : !so->closed);
			if (called)
				me = so; /* the last one: a name may have been used before */
			if (!is_tcp(so))
				continue;
			struct step_was *w = was_of(r, sa->name, so);
			if (called)
				me_was = w;
			int from = w ? w->state : called && r->call.call == SP_CALL_ACCEPT ? SP_TCP_LISTEN : -1;
			int to = state_now(so);
			if (from >= 0 && to >= 0 && from != to)
				add_trans(r, sa->name, so->name, so->fd, from, to, called,
					  step_reset(r, &so->local_sa, so->local_len, &so->peer_sa, so->peer_len));
			if (w)
				w->seen = 1;
		}
	}
	/* the sockets the kernel dropped during the step */
	for (size_t i = 0; i < r->nwas; i++) {
		struct step_was *w = &r->was[i];
		if (w->seen)
			continue;
		int called = is_called(r, w->actor, w->name, w->fd);
		if (called)
			me_was = w;
		if (w->state != SP_TCP_CLOSE)
			add_trans(r, w->actor, w->name, w->fd, w->state, SP_TCP_CLOSE, called,
				  step_reset(r, &w->local, w->local_len, &w->peer, w->peer_len));
	}
	/* the other end of the call's connection */
	static const struct sockaddr_storage none;
	int known = me || me_was;
	const struct sockaddr_storage *local = me ? &me->local_sa : me_was ? &me_was->local : &none;
	const struct sockaddr_storage *rem = me ? &me->peer_sa : me_was ? &me_was->peer : &none;
	socklen_t local_len = me ? me->local_len : me_was ? me_was->local_len : 0;
	socklen_t rem_len = me ? me->peer_len : me_was ? me_was->peer_len : 0;
	for (size_t i = 0; i < sn->nactors && known; i++)
		for (size_t k = 0; k < sn->actors[i].nsocks; k++) {
			const struct snap_sock *so = &sn->actors[i].socks[k];
			if (so != me && step_same_addr(&so->local_sa, so->local_len, rem, rem_len) &&
			    step_same_addr(&so->peer_sa, so->peer_len, local, local_len)) {
				peer = so;
				peer_actor = sn->actors[i].name;
				peer_was = was_of(r, peer_actor, so);
			}
		}
	for (size_t i = 0; i < r->nwas && !peer && known; i++)
		if (&r->was[i] != me_was && step_same_addr(&r->was[i].local, r->was[i].local_len, rem, rem_len) &&
		    step_same_addr(&r->was[i].peer, r->was[i].peer_len, local, local_len)) {
			peer_was = &r->was[i];
			peer_actor = peer_was->actor;
		}
	struct sockaddr_storage ra;
	if (!peer_actor && step_endpoint(rem, rem_len, &ra) >= 0)
		peer_actor = session_addr_owner(r->s, &ra);
	struct explain_conn ec = {
		.call = r->call.call, .socktype = r->call.socktype ? r->call.socktype : SOCK_STREAM,
		.ret = r->call.ret, .err = r->call.err, .blocked = r->call.blocked,
		.before = me_was ? me_was->state : r->call.call == SP_CALL_ACCEPT ? SP_TCP_LISTEN : -1,
		.after = me ? state_now(me) : me_was ? SP_TCP_CLOSE : -1,
		.peer_before = peer_was ? peer_was->state : -1,
		.peer_after = peer ? state_now(peer) : peer_was ? SP_TCP_CLOSE : -1,
		.me = me_actor, .peer = peer_actor,
	};
	if (me && (me->type == SOCK_DGRAM || me->type == SOCK_STREAM))
		ec.socktype = me->type;
	if (me ? me->family != AF_INET && me->family != AF_INET6 : !me_was)
		ec.socktype = 0; /* AF_UNIX, or not known: nothing on the wire to tell about */
	int reset;
	step_flags(r, local, local_len, rem, rem_len, ec.socktype, &ec.sent, &ec.received, &ec.data_sent, &reset);
	if (r->call.blocked) {
		explain_join(&ec, r->join_wait, sizeof r->join_wait);
	} else {
		explain_join(&ec, r->join, sizeof r->join);
		r->join_type = me ? me->type : r->call.socktype;
	}
}

/* ---- the sequence ---------------------------------------------------------------------- */

/* The peer's late answers (a delayed ACK: tens of ms) are waited for, so that they count for this step. */
static void settle(struct step *r)
{
	wire_settle(r->w, r->id, STEP_QUIET_US, STEP_SETTLE_MAX_US);
	if (r->h.segments)
		r->h.segments(r->h.ctx);
}

void step_forget_wire(struct step *r)
{
	if (r->w)
		while (wire_drain(r->w, 0) == WIRE_DRAIN_MAX)
			;
}

int step_drain(struct step *r, int late)
{
	if (!r->w)
		return 0;
	int n, any = 0, batches = 0;
	do { /* a flood may go on after the step: with drain_max, the owner reads the rest later */
		n = wire_drain(r->w, r->id);
		any += n;
		if (r->h.segments)
			r->h.segments(r->h.ctx);
	} while (n == WIRE_DRAIN_MAX && (!r->h.drain_max || ++batches < r->h.drain_max));
	if (late && any)
		settle(r);
	return any > 0;
}

/* The kernel's view read again, and what the step changed worked out from it. */
static void step_changes(struct step *r)
{
	if (!r->h.track)
		return;
	session_refresh(r->s);
	after_step(r);
	if (r->h.changed)
		r->h.changed(r->h.ctx);
}

enum session_rc step_run(struct step *r, const struct sp_stmt *st, uint32_t id)
{
	r->id = id;
	if (r->h.track)
		states_before(r);
	call_of(r, st);
	r->join[0] = r->join_wait[0] = 0;
	r->stmt = st;
	enum session_rc rc = r->h.no_sleep && st->kind == SP_ST_SLEEP ? SESSION_OK : session_exec(r->s, st);
	r->stmt = NULL;
	if (!id)
		r->id = session_steps(r->s);
	if (r->h.programs_ms >= 0)
		session_settle_programs(r->s, r->h.programs_ms); /* what the step set going in the programs */
	int late = step_drain(r, 0);
	step_changes(r);
	if (late) {
		if (r->h.late) /* the result first, then the late segments */
			r->h.late(r->h.ctx);
		settle(r);
		step_changes(r);
	}
	return rc;
}
