/* kview.c -- socket states as the kernel reports them (sock_diag, like `ss`), so the model never guesses one. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h> /* the kernel's struct tcp_info; glibc's stops short. Never with <netinet/tcp.h>. */
#include <linux/unix_diag.h>

#include "sockplay/grow.h"
#include "sockplay/consts.h"
#include "sockplay/kview.h"

/*
 * A dump reply is at most 32 KiB per datagram (the kernel's cap for dumps);
 * twice that leaves room. Static so every dump reuses it (a step dumps every
 * time); sockplay is single-threaded by design (see sandbox.h).
 */
#define KV_BUFLEN 65536
static union {
	struct nlmsghdr h;
	char b[KV_BUFLEN];
} kv_buf;

/* A unix connection not accepted yet: its client and the listener it waits on. */
struct kv_pending {
	uint32_t client, listener;
};

struct kv_dump {
	int fd;
	uint32_t seq;
	struct kv_table *t;
	char *err;
	size_t errlen;
	struct kv_pending *pend; /* from the listeners' UNIX_DIAG_ICONS */
	size_t npend, cappend;
};

typedef int (*kv_row_fn)(struct kv_dump *d, const struct nlmsghdr *h);

static int kview_fail(struct kv_dump *d, const char *fmt, ...)
{
	va_list ap;

	if (d->err && d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A fresh zeroed row at the end of the table, or NULL when memory ran out. */
static struct kv_sock *kview_row_new(struct kv_dump *d)
{
	struct kv_table *t = d->t;
	struct kv_sock *s;

	struct kv_sock *v = grow_array(t->v, t->n, &t->cap, sizeof(*v), 64);

	if (!v) {
		kview_fail(d, "sock_diag: out of memory for %zu sockets", t->cap ? t->cap * 2 : 64);
		return NULL;
	}
	t->v = v;
	s = &t->v[t->n++];
	memset(s, 0, sizeof(*s));
	return s;
}

/* Walk the netlink attributes that follow a message header of HDRLEN bytes. */
#define KV_FOR_ATTR(a, h, hdrlen)                                                  \
	for (const struct nlattr *a = (const void *)((const char *)NLMSG_DATA(h) +     \
						     NLMSG_ALIGN(hdrlen));                \
	     (const char *)a + NLA_HDRLEN <= (const char *)(h) + (h)->nlmsg_len &&    \
	     a->nla_len >= NLA_HDRLEN &&                                                \
	     (const char *)a + a->nla_len <= (const char *)(h) + (h)->nlmsg_len;      \
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))

#define KV_ATTR_DATA(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define KV_ATTR_LEN(a) ((size_t)(a)->nla_len - NLA_HDRLEN)

static void kview_inet_addr(struct sockaddr_storage *ss, int family, const __be32 *addr,
			    __be16 port, uint32_t ifindex)
{
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = ifindex;
	}
}

static int kview_inet_row(struct kv_dump *d, const struct nlmsghdr *h, int type)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct inet_diag_sockid *id = &m->id;
	struct kv_sock *s;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return kview_fail(d, "sock_diag: short inet_diag message");
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return 0;
	if (!(s = kview_row_new(d)))
		return -1;

	s->cookie = id->idiag_cookie[0] | (uint64_t)id->idiag_cookie[1] << 32;
	s->family = m->idiag_family;
	s->type = type;
	s->state = m->idiag_state;
	if (s->state == SP_TCP_NEW_SYN_RECV)
		s->state = SP_TCP_SYN_RECV;
	else if (s->state == SP_TCP_BOUND_INACTIVE)
		s->state = SP_TCP_CLOSE;
	s->rq = m->idiag_rqueue;
	s->wq = m->idiag_wqueue;
	s->inode = m->idiag_inode;
	s->timer = m->idiag_timer;
	s->timer_ms = m->idiag_timer ? m->idiag_expires : 0;

	kview_inet_addr(&s->local, s->family, id->idiag_src, id->idiag_sport, id->idiag_if);
	/* A listener or an unconnected UDP socket has 0.0.0.0:0 (or [::]:0) there: no peer. */
	if (id->idiag_dport || id->idiag_dst[0] || id->idiag_dst[1] || id->idiag_dst[2] ||
	    id->idiag_dst[3])
		kview_inet_addr(&s->peer, s->family, id->idiag_dst, id->idiag_dport, id->idiag_if);

	if (type != SOCK_STREAM)
		return 0;
	KV_FOR_ATTR(a, h, sizeof(*m)) {
		struct tcp_info ti;
		size_t n = KV_ATTR_LEN(a);

		if ((a->nla_type & NLA_TYPE_MASK) != INET_DIAG_INFO)
			continue;
		/* Older kernels send a shorter struct, newer ones a longer one. */
		memset(&ti, 0, sizeof(ti));
		memcpy(&ti, KV_ATTR_DATA(a), n < sizeof(ti) ? n : sizeof(ti));
		s->has_info = 1;
		s->rtt_us = ti.tcpi_rtt;
		s->rttvar_us = ti.tcpi_rttvar;
		s->snd_cwnd = ti.tcpi_snd_cwnd;
		s->unacked = ti.tcpi_unacked;
		s->retrans = ti.tcpi_retransmits;
		s->total_retrans = ti.tcpi_total_retrans;
		s->snd_mss = ti.tcpi_snd_mss;
		s->rcv_mss = ti.tcpi_rcv_mss;
	}
	return 0;
}

static int kview_tcp_row(struct kv_dump *d, const struct nlmsghdr *h)
{
	return kview_inet_row(d, h, SOCK_STREAM);
}

static int kview_udp_row(struct kv_dump *d, const struct nlmsghdr *h)
{
	return kview_inet_row(d, h, SOCK_DGRAM);
}

static int kview_pending_add(struct kv_dump *d, uint32_t client, uint32_t listener)
{
	struct kv_pending *p = grow_array(d->pend, d->npend, &d->cappend, sizeof(*p), 16);

	if (!p)
		return kview_fail(d, "sock_diag: out of memory");
	d->pend = p;
	d->pend[d->npend++] = (struct kv_pending){ client, listener };
	return 0;
}

static int kview_unix_row(struct kv_dump *d, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	struct sockaddr_un *sun;
	struct kv_sock *s;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return kview_fail(d, "sock_diag: short unix_diag message");
	if (!(s = kview_row_new(d)))
		return -1;

	s->cookie = m->udiag_cookie[0] | (uint64_t)m->udiag_cookie[1] << 32;
	s->family = AF_UNIX;
	s->type = m->udiag_type;
	s->state = m->udiag_state;
	s->inode = m->udiag_ino;
	sun = (struct sockaddr_un *)&s->local;
	sun->sun_family = AF_UNIX; /* unnamed: an empty sun_path */

	KV_FOR_ATTR(a, h, sizeof(*m)) {
		size_t n = KV_ATTR_LEN(a);

		switch (a->nla_type & NLA_TYPE_MASK) {
		case UNIX_DIAG_NAME:
			/* Raw bytes: a path, or NUL and an abstract name. The storage
			 * is longer than sun_path, so a NUL always follows. */
			if (n > sizeof(sun->sun_path))
				n = sizeof(sun->sun_path);
			memcpy(sun->sun_path, KV_ATTR_DATA(a), n);
			break;
		case UNIX_DIAG_PEER:
			/* Named later from the peer's row; 0 when the peer has no file yet. */
			s->peer.ss_family = AF_UNIX;
			if (n >= sizeof(uint32_t))
				memcpy(&s->peer_inode, KV_ATTR_DATA(a), sizeof(uint32_t));
			break;
		case UNIX_DIAG_ICONS:
			/* The clients queued on this listener, by inode. */
			for (size_t i = 0; i + sizeof(uint32_t) <= n; i += sizeof(uint32_t)) {
				uint32_t ino;

				memcpy(&ino, (const char *)KV_ATTR_DATA(a) + i, sizeof(ino));
				if (ino && kview_pending_add(d, ino, s->inode) < 0)
					return -1;
			}
			break;
		case UNIX_DIAG_RQLEN:
			if (n >= sizeof(struct unix_diag_rqlen)) {
				struct unix_diag_rqlen q;

				memcpy(&q, KV_ATTR_DATA(a), sizeof(q));
				s->rq = q.udiag_rqueue;
				s->wq = q.udiag_wqueue;
			}
			break;
		}
	}
	/* The kernel already uses TCP numbers for unix sockets, but connect() on a
	 * datagram socket marks both ends ESTABLISHED, the receiver too: only the
	 * end that has a peer is connected. */
	if (s->type == SOCK_DGRAM)
		s->state = s->peer.ss_family == AF_UNIX ? SP_TCP_ESTABLISHED : SP_TCP_CLOSE;
	return 0;
}

/* Send one dump request and feed every reply to ROW until NLMSG_DONE. */
static int kview_dump_one(struct kv_dump *d, struct nlmsghdr *req, kv_row_fn row, const char *what)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov = { req, req->nlmsg_len };
	struct msghdr mh = { .msg_name = &kernel, .msg_namelen = sizeof(kernel),
			     .msg_iov = &iov, .msg_iovlen = 1 };

	req->nlmsg_seq = ++d->seq;
	while (sendmsg(d->fd, &mh, 0) < 0) {
		if (errno != EINTR)
			return kview_fail(d, "sock_diag %s: send: %s", what, strerror(errno));
	}

	for (;;) {
		struct sockaddr_nl from;
		ssize_t got;
		int len; /* signed: NLMSG_NEXT may take it below zero after a ragged last message */

		iov.iov_base = kv_buf.b;
		iov.iov_len = sizeof(kv_buf.b);
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_flags = 0;
		got = recvmsg(d->fd, &mh, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return kview_fail(d, "sock_diag %s: recv: %s", what, strerror(errno));
		}
		if (got == 0)
			return kview_fail(d, "sock_diag %s: the kernel closed the dump", what);
		if (mh.msg_flags & MSG_TRUNC)
			return kview_fail(d, "sock_diag %s: reply truncated", what);
		if (from.nl_pid != 0)
			continue; /* not from the kernel */

		len = (int)got;
		for (const struct nlmsghdr *h = &kv_buf.h; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != d->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&e, NLMSG_DATA(h), sizeof(e));
				if (e < 0)
					return kview_fail(d, "sock_diag %s: %s", what, strerror(-e));
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *ne = NLMSG_DATA(h);
				int e;

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ne)))
					return kview_fail(d, "sock_diag %s: short error message", what);
				e = -ne->error;
				if (e == 0)
					continue; /* an acknowledgement */
				/* A kernel without this family or protocol (no IPv6, no
				 * udp_diag): there is nothing of it to list. */
				if (e == ENOENT || e == EAFNOSUPPORT || e == EPROTONOSUPPORT ||
				    e == EOPNOTSUPP)
					return 0;
				return kview_fail(d, "sock_diag %s: %s", what, strerror(e));
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			if (row(d, h) < 0)
				return -1;
		}
	}
}

static int kview_dump_inet(struct kv_dump *d, int family, int proto)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = family, .sdiag_protocol = proto,
		       /* every state: TIME_WAIT, FIN_WAIT2, SYN_RECV ... but bound-only
		        * ones, whose scan walks the host-wide bind table and costs more
		        * than all the rest (their state, CLOSE, the actor reports) */
		       .idiag_states = ~0U & ~(1U << SP_TCP_BOUND_INACTIVE),
		       .idiag_ext = proto == IPPROTO_TCP ? 1 << (INET_DIAG_INFO - 1) : 0 },
	};
	char what[16];

	snprintf(what, sizeof(what), "%s%s", proto == IPPROTO_TCP ? "tcp" : "udp",
		 family == AF_INET ? "" : "6");
	return kview_dump_one(d, &req.h, proto == IPPROTO_TCP ? kview_tcp_row : kview_udp_row, what);
}

static int kview_by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct kv_sock *)a)->inode, y = ((const struct kv_sock *)b)->inode;

	return (x > y) - (x < y);
}

static int kview_by_cookie(const void *a, const void *b)
{
	uint64_t x = ((const struct kv_sock *)a)->cookie, y = ((const struct kv_sock *)b)->cookie;

	return (x > y) - (x < y);
}

static struct kv_sock *kview_by_ino(struct kv_sock *v, size_t n, uint32_t ino)
{
	struct kv_sock key = { .inode = ino };

	return ino ? bsearch(&key, v, n, sizeof(*v), kview_by_inode) : NULL;
}

/*
 * Unix rows name their peer only by inode: give each the peer's address. A
 * client whose connection is not accepted yet has a peer without a file (the
 * kernel lists neither it nor its inode); its listener names it instead.
 */
static void kview_unix_peers(struct kv_dump *d, struct kv_sock *v, size_t n)
{
	qsort(v, n, sizeof(*v), kview_by_inode);
	for (size_t i = 0; i < n; i++) {
		const struct kv_sock *p = kview_by_ino(v, n, v[i].peer_inode);

		if (p)
			v[i].peer = p->local;
	}
	for (size_t i = 0; i < d->npend; i++) {
		struct kv_sock *c = kview_by_ino(v, n, d->pend[i].client);
		const struct kv_sock *l = kview_by_ino(v, n, d->pend[i].listener);

		if (c && l && !c->peer_inode)
			c->peer = l->local;
	}
}

static int kview_dump_unix(struct kv_dump *d)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0U,
		       .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN |
				     UDIAG_SHOW_ICONS },
	};
	size_t first = d->t->n;

	if (kview_dump_one(d, &req.h, kview_unix_row, "unix") < 0)
		return -1;
	if (d->t->n > first) /* none at all leaves v NULL: no qsort(NULL, 0) */
		kview_unix_peers(d, d->t->v + first, d->t->n - first);
	return 0;
}

int kview_dump(struct kv_table *t, char *err, size_t errlen)
{
	/* A new netlink socket each time: a kept one would go on dumping the
	 * namespace it was made in, and leak into every forked actor. */
	struct kv_dump d = { .fd = -1, .t = t, .err = err, .errlen = errlen };
	int ret = -1;

	t->n = 0;
	d.fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (d.fd < 0)
		return kview_fail(&d, "sock_diag: socket: %s", strerror(errno));
	if (kview_dump_inet(&d, AF_INET, IPPROTO_TCP) < 0 ||
	    kview_dump_inet(&d, AF_INET6, IPPROTO_TCP) < 0 ||
	    kview_dump_inet(&d, AF_INET, IPPROTO_UDP) < 0 ||
	    kview_dump_inet(&d, AF_INET6, IPPROTO_UDP) < 0 || kview_dump_unix(&d) < 0)
		goto end;
	/* by cookie, for kview_find: a step looks up every socket, thousands at scale */
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), kview_by_cookie);
	ret = 0;
end:
	close(d.fd);
	free(d.pend);
	if (ret < 0)
		t->n = 0; /* never half a picture */
	return ret;
}

const struct kv_sock *kview_find(const struct kv_table *t, uint64_t cookie)
{
	struct kv_sock key = { .cookie = cookie };

	return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), kview_by_cookie) : NULL;
}

void kview_free(struct kv_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* Whether one of PID's descriptors is the socket "socket:[WANT]". */
static int kview_pid_has(const char *pid, const char *want)
{
	char dir[64], path[320], link[64];
	snprintf(dir, sizeof dir, "/proc/%s/fd", pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* gone, or another user's */
	int found = 0;
	for (struct dirent *e; !found && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n > 0) {
			link[n] = 0;
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

int kview_owner(uint32_t ino, int *pid, char *comm, size_t commlen)
{
	char want[48];
	if (!ino)
		return -1;
	snprintf(want, sizeof want, "socket:[%u]", ino);
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	int rc = -1;
	for (struct dirent *e; rc < 0 && (e = readdir(proc));) {
		if (!isdigit((unsigned char)e->d_name[0]) || !kview_pid_has(e->d_name, want))
			continue;
		*pid = atoi(e->d_name);
		char path[64];
		snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (commlen > 0)
			comm[0] = 0;
		if (f) {
			if (fgets(comm, (int)commlen, f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
		rc = 0;
	}
	closedir(proc);
	return rc;
}
