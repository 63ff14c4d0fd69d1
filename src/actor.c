/* actor.c -- actor processes: each side is a real program making real calls. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sockplay/actor.h"
#include "sockplay/consts.h"
#include "sockplay/sandbox.h"

/* Where the actor keeps its end of the channel: the highest fd it may have,
 * so that its sockets start at 3 as in a fresh program. */
static int chan_fd_slot(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1024)
		return 1023;
	return rl.rlim_cur > 4 ? (int)rl.rlim_cur - 1 : 3; /* dup2() refuses a number past the limit */
}

struct actor {
	char name[32];
	pid_t pid;
	int fd;   /* our end of the channel (SOCK_STREAM socketpair) */
	int chan; /* the actor's end: its descriptor number there */
};

/* The request as it crosses the channel: no pointers; unit bytes follow. */
struct wire_req {
	uint32_t magic, seq, call;
	int32_t fd, domain, type, proto, num, flags;
	int32_t opt_level, opt_name, opt_kind, opt_vals[2];
	struct sockaddr_storage addr;
	uint32_t addrlen;
	uint64_t unit_len, count;
};

/* The result as it crosses the channel; data bytes follow. */
struct wire_res {
	uint32_t magic, seq, kind;
	int32_t err, fd, tcp_state, opt_vals[2], have_names, interrupted;
	int64_t ret, elapsed_ns;
	uint64_t cookie;
	struct sockaddr_storage local, peer;
	uint32_t local_len, peer_len;
	uint64_t data_len;
	int32_t fd2;      /* socketpair(): the second socket */
	uint64_t cookie2;
};

#define WIRE_MAGIC 0x53504c59u
/* How long an idle actor, and a parent awaiting a result, spin before sleeping. */
#define ACTOR_SPIN_US 200

/* Both ends of the channel are sockets: MSG_NOSIGNAL, so a side that died is EPIPE, not SIGPIPE. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write a header and a payload with one syscall where the channel takes them at once. */
static int write2(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
	struct iovec iov[2] = { { (void *)a, alen }, { (void *)b, blen } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = blen ? 2 : 1 };
	ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
	if (n < 0 && errno != EINTR)
		return -1;
	if (n < 0)
		n = 0;
	size_t done = (size_t)n;
	if (done < alen)
		return write_all(fd, (const char *)a + done, alen - done) < 0 ||
			       (blen && write_all(fd, b, blen) < 0) ? -1 : 0;
	done -= alen;
	return done < blen ? write_all(fd, (const char *)b + done, blen - done) : 0;
}

/* 1 when LEN bytes were read, 0 on EOF before the first byte, -1 otherwise. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/* The actor's reads: buffered, so a request and its data usually take one read(). */
static struct {
	char buf[1 << 16];
	size_t off, len;
} rbuf;

static int read_buffered(int fd, void *dst, size_t n)
{
	char *d = dst;
	int first = 1;
	while (n > 0) {
		if (rbuf.off == rbuf.len) {
			if (n >= sizeof rbuf.buf) { /* large data: straight in */
				int r = read_all(fd, d, n);
				return r == 0 && !first ? -1 : r;
			}
			ssize_t got;
			do
				got = read(fd, rbuf.buf, sizeof rbuf.buf);
			while (got < 0 && errno == EINTR);
			if (got <= 0)
				return got == 0 && first ? 0 : -1;
			rbuf.off = 0;
			rbuf.len = (size_t)got;
		}
		size_t take = rbuf.len - rbuf.off < n ? rbuf.len - rbuf.off : n;
		memcpy(d, rbuf.buf + rbuf.off, take);
		rbuf.off += take;
		d += take;
		n -= take;
		first = 0;
	}
	return 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


/* ---- the child ---------------------------------------------------------- */

/*
 * What the actor remembers of its descriptors, to spare a syscall or two per
 * step: the socket type (0 unknown) and whether O_NONBLOCK is set. Reset when
 * a number is (re)used by socket()/accept() or closed.
 */
#define FD_CACHE 1024
static struct { unsigned char type, nonblock, known; } fdc[FD_CACHE];

static void fdc_forget(int fd)
{
	if (fd >= 0 && fd < FD_CACHE)
		fdc[fd].known = 0;
}

static int fd_nonblocking(int fd)
{
	if (fd >= 0 && fd < FD_CACHE && fdc[fd].known)
		return fdc[fd].nonblock;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	int type = 0;
	socklen_t tl = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
		type = 0;
	if (fd >= 0 && fd < FD_CACHE) {
		fdc[fd].known = 1;
		fdc[fd].nonblock = (fl & O_NONBLOCK) != 0;
		fdc[fd].type = (unsigned char)type;
	}
	return (fl & O_NONBLOCK) != 0;
}

static int fd_type(int fd)
{
	if (fd_nonblocking(fd) < 0)
		return 0;
	return fd >= 0 && fd < FD_CACHE ? fdc[fd].type : 0;
}

/* The actor's root is the sandbox's private filesystem: unlink() may remove files there. */
static int own_files;

/* Set by SIGUSR1: sockplay interrupted the call (cleared before each one). */
static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig; /* makes the blocked call return: EINTR, or what it had done so far */
	usr1_seen = 1;
}

/* The socket's addresses (when CALL may have moved them) and TCP state after the call. */
static void fill_names(int fd, enum sp_call call, struct wire_res *rs, int want_peer)
{
	socklen_t len;
	if (call_has(call, CALL_F_NAMES)) {
		rs->have_names = 1;
		len = sizeof rs->local;
		memset(&rs->local, 0, sizeof rs->local);
		if (getsockname(fd, (struct sockaddr *)&rs->local, &len) == 0)
			rs->local_len = len;
		if (want_peer) {
			len = sizeof rs->peer;
			if (getpeername(fd, (struct sockaddr *)&rs->peer, &len) == 0)
				rs->peer_len = len;
			else
				memset(&rs->peer, 0, sizeof rs->peer);
		}
	}
	struct tcp_info ti;
	len = sizeof ti;
	rs->tcp_state = -1;
	if (fd_type(fd) == SOCK_STREAM && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		rs->tcp_state = ti.tcpi_state; /* fails with EOPNOTSUPP on AF_UNIX: -1 */
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof c;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) < 0)
		return 0;
	return c;
}

/* The actor's end of the channel: a script's poll() or select() may not watch it. */
static int chan_self = -1;

/*
 * poll() and select() on the (fd, events) pairs in UNIT, timeout rq->num ms
 * (-1: for ever). *DATA gets one int per pair: poll's revents, or select's 1
 * when the socket is ready in that pair's set. The channel is as if not open.
 */
static long long run_ready(const struct wire_req *rq, const unsigned char *unit, struct wire_res *rs,
			   unsigned char **data)
{
	size_t n = rq->unit_len / (2 * sizeof(int));
	int pairs[2 * 16], *out;
	long long ret;
	if (n == 0 || n > 16) {
		errno = EINVAL;
		return -1;
	}
	memcpy(pairs, unit, n * 2 * sizeof(int));
	out = calloc(n, sizeof *out);
	if (!out) {
		errno = ENOMEM;
		return -1;
	}
	if (rq->call == SP_CALL_POLL) {
		struct pollfd pf[16];
		for (size_t i = 0; i < n; i++) {
			/* the channel's number reads as one not open: POLLNVAL */
			pf[i].fd = pairs[2 * i] == chan_self ? INT_MAX : pairs[2 * i];
			pf[i].events = (short)pairs[2 * i + 1];
			pf[i].revents = 0;
		}
		ret = poll(pf, (nfds_t)n, rq->num < 0 ? -1 : rq->num);
		for (size_t i = 0; ret > 0 && i < n; i++)
			out[i] = (unsigned short)pf[i].revents;
	} else {
		fd_set r, w;
		int maxfd = -1;
		FD_ZERO(&r);
		FD_ZERO(&w);
		for (size_t i = 0; i < n; i++) {
			int fd = pairs[2 * i];
			if (fd < 0 || fd >= FD_SETSIZE || fd == chan_self) {
				free(out);
				errno = fd >= FD_SETSIZE ? EINVAL : EBADF;
				return -1;
			}
			FD_SET(fd, pairs[2 * i + 1] == 1 ? &r : &w);
			if (fd > maxfd)
				maxfd = fd;
		}
		struct timeval tv = { rq->num / 1000, rq->num % 1000 * 1000 };
		ret = select(maxfd + 1, &r, &w, NULL, rq->num < 0 ? NULL : &tv);
		for (size_t i = 0; ret > 0 && i < n; i++)
			out[i] = FD_ISSET(pairs[2 * i], pairs[2 * i + 1] == 1 ? &r : &w) ? 1 : 0;
	}
	if (ret > 0) {
		*data = (unsigned char *)out;
		rs->data_len = n * sizeof *out;
	} else {
		int e = errno;
		free(out);
		errno = e;
	}
	return ret;
}

/* Make the call; fill RS (and *DATA for recv). */
static void run_call(const struct wire_req *rq, const unsigned char *unit,
		     struct wire_res *rs, unsigned char **data)
{
	long long ret = -1;
	int fd = rq->fd, newfd = -1;
	unsigned char *buf = NULL;
	size_t buflen = 0;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;

	memset(&from, 0, sizeof from);
	if (call_has(rq->call, CALL_F_SENDS)) {
		buflen = rq->unit_len * rq->count;
		if (rq->count == 1) {
			buf = (unsigned char *)unit;
		} else if (buflen > 0) {
			buf = malloc(buflen);
			if (!buf) {
				rs->ret = -1;
				rs->err = ENOMEM;
				return;
			}
			/* "x" * 100000000: one copy, then double what is there */
			memcpy(buf, unit, rq->unit_len);
			for (size_t have = rq->unit_len; have < buflen; have *= 2)
				memcpy(buf + have, buf, have < buflen - have ? have : buflen - have);
		}
	} else if (call_has(rq->call, CALL_F_READS)) {
		buflen = rq->num > 0 ? (size_t)rq->num : 0;
		buf = calloc(1, buflen ? buflen : 1);
		if (!buf) {
			rs->ret = -1;
			rs->err = ENOMEM;
			return;
		}
	}

	int64_t t0 = now_ns();
	usr1_seen = 0;
	errno = 0;
	switch (rq->call) {
	case SP_CALL_SOCKET:
		ret = newfd = socket(rq->domain, rq->type, rq->proto);
		break;
	case SP_CALL_BIND:
		ret = bind(fd, (const struct sockaddr *)&rq->addr, rq->addrlen);
		break;
	case SP_CALL_LISTEN:
		ret = listen(fd, rq->num);
		break;
	case SP_CALL_CONNECT:
		ret = connect(fd, (const struct sockaddr *)&rq->addr, rq->addrlen);
		break;
	case SP_CALL_ACCEPT:
		ret = newfd = accept(fd, (struct sockaddr *)&from, &fromlen);
		break;
	case SP_CALL_SEND:
		ret = send(fd, buf, buflen, rq->flags | MSG_NOSIGNAL);
		break;
	case SP_CALL_SENDTO:
		ret = sendto(fd, buf, buflen, rq->flags | MSG_NOSIGNAL,
			     (const struct sockaddr *)&rq->addr, rq->addrlen);
		break;
	case SP_CALL_RECV:
		ret = recv(fd, buf, buflen, rq->flags);
		break;
	case SP_CALL_RECVFROM:
		ret = recvfrom(fd, buf, buflen, rq->flags, (struct sockaddr *)&from, &fromlen);
		break;
	case SP_CALL_SHUTDOWN:
		ret = shutdown(fd, rq->num);
		break;
	case SP_CALL_SETSOCKOPT:
		if (rq->opt_kind == SP_OPT_LINGER) {
			struct linger lg = { .l_onoff = rq->opt_vals[0], .l_linger = rq->opt_vals[1] };
			ret = setsockopt(fd, rq->opt_level, rq->opt_name, &lg, sizeof lg);
		} else if (rq->opt_kind == SP_OPT_TIME) { /* the value in ms */
			struct timeval tv = { .tv_sec = rq->opt_vals[0] / 1000, .tv_usec = rq->opt_vals[0] % 1000 * 1000 };
			ret = setsockopt(fd, rq->opt_level, rq->opt_name, &tv, sizeof tv);
		} else {
			int v = rq->opt_vals[0];
			ret = setsockopt(fd, rq->opt_level, rq->opt_name, &v, sizeof v);
		}
		break;
	case SP_CALL_GETSOCKOPT:
		if (rq->opt_kind == SP_OPT_LINGER) {
			struct linger lg = { 0 };
			socklen_t l = sizeof lg;
			ret = getsockopt(fd, rq->opt_level, rq->opt_name, &lg, &l);
			rs->opt_vals[0] = lg.l_onoff;
			rs->opt_vals[1] = lg.l_linger;
		} else if (rq->opt_kind == SP_OPT_TIME) { /* in ms, as the kernel's ticks give it back */
			struct timeval tv = { 0 };
			socklen_t l = sizeof tv;
			ret = getsockopt(fd, rq->opt_level, rq->opt_name, &tv, &l);
			rs->opt_vals[0] = (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
		} else {
			int v = 0;
			socklen_t l = sizeof v;
			ret = getsockopt(fd, rq->opt_level, rq->opt_name, &v, &l);
			rs->opt_vals[0] = v;
		}
		break;
	case SP_CALL_NONBLOCK: {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0) {
			ret = -1;
			break;
		}
		fl = rq->num ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
		ret = fcntl(fd, F_SETFL, fl);
		fdc_forget(fd);
		break;
	}
	case SP_CALL_CLOSE:
		ret = close(fd);
		break;
	case SP_CALL_GETSOCKNAME: { /* the address itself is reported as every call's (fill_names) */
		struct sockaddr_storage ss;
		socklen_t l = sizeof ss;
		ret = getsockname(fd, (struct sockaddr *)&ss, &l);
		break;
	}
	case SP_CALL_IOCTL: { /* FIONREAD, SIOCOUTQ report a count; FIONBIO sets O_NONBLOCK */
		int v = rq->opt_vals[0];
		ret = ioctl(fd, (unsigned long)(unsigned)rq->num, &v);
		if (rq->num == FIONBIO)
			fdc_forget(fd);
		else
			rs->opt_vals[0] = v;
		break;
	}
	case SP_CALL_GETPEERNAME: { /* the address itself is reported as every call's (fill_names) */
		struct sockaddr_storage ss;
		socklen_t l = sizeof ss;
		ret = getpeername(fd, (struct sockaddr *)&ss, &l);
		break;
	}
	case SP_CALL_SOCKETPAIR: {
		int sv[2];
		ret = socketpair(rq->domain, rq->type, rq->proto, sv);
		if (ret == 0) {
			newfd = sv[0];
			rs->fd2 = sv[1];
			fdc_forget(sv[1]);
			rs->cookie2 = cookie_of(sv[1]);
		}
		break;
	}
	case SP_CALL_UNLINK: {
		/* a script never touches the host's files: only under the sandbox's own root */
		const struct sockaddr_un *un = (const struct sockaddr_un *)&rq->addr;
		if (!own_files || rq->addr.ss_family != AF_UNIX || un->sun_path[0] != '/')
			errno = EPERM;
		else if (memchr(un->sun_path, 0, sizeof un->sun_path))
			ret = unlink(un->sun_path);
		else
			errno = ENAMETOOLONG;
		break;
	}
	case SP_CALL_POLL:
	case SP_CALL_SELECT:
		ret = run_ready(rq, unit, rs, data);
		break;
	default:
		errno = ENOSYS;
		break;
	}
	int err = ret < 0 ? errno : 0;
	/* a recv(MSG_WAITALL), a big send, a lingering close cut short return a count or 0, not EINTR */
	rs->interrupted = usr1_seen;
	rs->elapsed_ns = now_ns() - t0;
	rs->ret = ret;
	rs->err = err;
	rs->fd = newfd >= 0 ? newfd : fd;
	rs->tcp_state = -1;
	if (rq->call == SP_CALL_SOCKETPAIR && ret != 0)
		rs->fd2 = -1;

	if (newfd >= 0)
		fdc_forget(newfd);
	if (call_has(rq->call, CALL_F_CLOSES)) {
		fdc_forget(fd);
		if (ret == 0)
			rs->fd = -1;
	} else if (rs->fd >= 0 && !(ret < 0 && (err == EBADF || err == ENOTSOCK))) {
		fill_names(rs->fd, rq->call, rs, !call_has(rq->call, CALL_F_FROM));
		if (newfd >= 0)
			rs->cookie = cookie_of(newfd);
	}
	if (call_has(rq->call, CALL_F_FROM) && ret >= 0 &&
	    fromlen > 0 && fromlen <= sizeof from) {
		rs->peer = from;
		rs->peer_len = fromlen;
	}
	if (call_has(rq->call, CALL_F_READS)) {
		int proto = 0;
		socklen_t pl = sizeof proto;
		/* TCP's MSG_TRUNC takes the bytes and copies none: there is nothing to show */
		if ((rq->flags & MSG_TRUNC) && getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) == 0 &&
		    proto == IPPROTO_TCP)
			buflen = 0;
		if (ret > 0) {
			size_t n = (size_t)ret;
			if (n > buflen) /* MSG_TRUNC-style lengths: show what we have */
				n = buflen;
			rs->data_len = n;
			*data = buf;
			buf = NULL;
		}
		free(buf);
	} else if (buf && buf != unit) {
		free(buf);
	}
}

static void send_res(int chan, struct wire_res *rs, const unsigned char *data)
{
	rs->magic = WIRE_MAGIC;
	if (write2(chan, rs, sizeof *rs, data, rs->data_len) < 0)
		_exit(0); /* the parent is gone */
}

static void actor_main(int chan)
{
	chan_self = chan;
	for (;;) {
		struct wire_req rq;
		int r = read_buffered(chan, &rq, sizeof rq);
		if (r <= 0 || rq.magic != WIRE_MAGIC)
			_exit(0);
		unsigned char *unit = NULL;
		if (rq.unit_len) {
			unit = malloc(rq.unit_len);
			if (!unit || read_buffered(chan, unit, rq.unit_len) != 1)
				_exit(0);
		}
		struct wire_res rs;
		memset(&rs, 0, sizeof rs);
		rs.seq = rq.seq;
		if (call_takes_fd((enum sp_call)rq.call) && rq.fd == chan) {
			/* the channel is sockplay's, not the script's: as if that number were not open */
			rs.kind = ACTOR_RES_DONE;
			rs.ret = -1;
			rs.err = EBADF;
			rs.fd = rq.fd;
			rs.tcp_state = -1;
			send_res(chan, &rs, NULL);
			free(unit);
			continue;
		}
		unsigned char *data = NULL;
		rs.kind = ACTOR_RES_DONE;
		run_call(&rq, unit, &rs, &data);
		send_res(chan, &rs, data);
		free(data);
		free(unit);
	}
}

/* ---- the parent --------------------------------------------------------- */

struct actor *actor_spawn(const char *name, char *err, size_t errlen)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return NULL;
	}
	struct actor *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	snprintf(a->name, sizeof a->name, "%s", name);
	pid_t parent = getpid();
	a->chan = chan_fd_slot(); /* the child computes the same: same limits */
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(a);
		return NULL;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		/* Start clean: default signals, nothing inherited but the channel. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = SIG_DFL;
		static const int reset[] = { SIGHUP, SIGQUIT, SIGTERM, SIGALRM, SIGCHLD, SIGWINCH,
					     SIGTSTP, SIGCONT, SIGTTIN, SIGTTOU, SIGUSR2 };
		for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
			sigaction(reset[i], &sa, NULL);
		sa.sa_handler = on_usr1; /* no SA_RESTART: a blocked call returns EINTR */
		sigaction(SIGUSR1, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGINT, &sa, NULL); /* Ctrl-C belongs to the UI */
		sigaction(SIGPIPE, &sa, NULL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int chan = a->chan;
		if (dup2(sv[1], chan) < 0)
			_exit(1);
		/* sockplay's own stdin, stdout and stderr (sockets, under some supervisors) must be
		 * out of a script's reach: /dev/null, opened before the sandbox's root hides it, and
		 * put in place after (one of 0-2 may hold that root when sockplay had them closed) */
		int devnull = open("/dev/null", O_RDWR);
		own_files = sandbox_files_private();
		if (sandbox_confine() < 0)
			_exit(1);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		close_range(3, (unsigned)chan - 1, 0);
		close_range((unsigned)chan + 1, ~0u, 0);
		prctl(PR_SET_NAME, a->name);
		actor_main(chan);
		_exit(0);
	}
	close(sv[1]);
	a->pid = pid;
	a->fd = sv[0];
	return a;
}

const char *actor_name(const struct actor *a) { return a->name; }
pid_t actor_pid(const struct actor *a) { return a->pid; }
int actor_result_fd(const struct actor *a) { return a->fd; }

int actor_send(struct actor *a, const struct actor_req *req)
{
	struct wire_req w;
	memset(&w, 0, sizeof w);
	w.magic = WIRE_MAGIC;
	w.seq = req->seq;
	w.call = req->call;
	w.fd = req->fd;
	w.domain = req->domain;
	w.type = req->type;
	w.proto = req->proto;
	w.num = req->num;
	w.flags = req->flags;
	w.opt_level = req->opt_level;
	w.opt_name = req->opt_name;
	w.opt_kind = req->opt_kind;
	w.opt_vals[0] = req->opt_vals[0];
	w.opt_vals[1] = req->opt_vals[1];
	w.addr = req->addr;
	w.addrlen = req->addrlen;
	w.unit_len = req->unit ? req->unit_len : 0;
	w.count = req->count ? req->count : 1;
	return write2(a->fd, &w, sizeof w, req->unit, w.unit_len);
}

int actor_recv(struct actor *a, struct actor_res *res)
{
	struct wire_res w;
	memset(res, 0, sizeof *res);
	int r = read_all(a->fd, &w, sizeof w);
	if (r <= 0)
		return r;
	if (w.magic != WIRE_MAGIC)
		return -1;
	res->seq = w.seq;
	res->kind = (enum actor_res_kind)w.kind;
	res->ret = w.ret;
	res->err = w.err;
	res->elapsed_ns = w.elapsed_ns;
	res->fd = w.fd;
	res->cookie = w.cookie;
	res->tcp_state = w.tcp_state;
	res->have_names = w.have_names;
	res->interrupted = w.interrupted;
	res->local = w.local;
	res->local_len = w.local_len;
	res->peer = w.peer;
	res->peer_len = w.peer_len;
	res->opt_vals[0] = w.opt_vals[0];
	res->opt_vals[1] = w.opt_vals[1];
	res->fd2 = w.fd2;
	res->cookie2 = w.cookie2;
	if (w.data_len) {
		res->data = malloc(w.data_len);
		if (!res->data || read_all(a->fd, res->data, w.data_len) != 1) {
			free(res->data);
			res->data = NULL;
			return -1;
		}
		res->data_len = w.data_len;
	}
	return 1;
}

/* The first bytes of /proc/PID/FILE into BUF (NUL-terminated); -1 when unreadable. */
static int proc_read(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

enum actor_activity actor_activity(const struct actor *a)
{
	char buf[512];
	if (proc_read(a->pid, "syscall", buf, sizeof buf) < 0)
		return ACTOR_UNKNOWN;
	if (strncmp(buf, "running", 7) == 0)
		return ACTOR_RUNNING;
	/* "NR ARG1 ARG2 ...": the number, then the first argument in hex */
	char *end;
	long nr = strtol(buf, &end, 10);
	unsigned long arg1 = strtoul(end, NULL, 16);
	/* the state letter follows the command name in parentheses */
	if (proc_read(a->pid, "stat", buf, sizeof buf) < 0)
		return ACTOR_UNKNOWN;
	const char *p = strrchr(buf, ')');
	char state = p && p[1] == ' ' ? p[2] : '?';
	if (state == 'R')
		return ACTOR_RUNNING;
	/* reading its next request, or writing a result we have not read yet: the call returned */
	if (nr == SYS_read || arg1 == (unsigned long)a->chan)
		return ACTOR_BETWEEN;
	return state == 'S' || state == 'D' ? ACTOR_IN_CALL : ACTOR_UNKNOWN;
}

int actor_interrupt(struct actor *a)
{
	return kill(a->pid, SIGUSR1);
}

void actor_free(struct actor *a)
{
	if (!a)
		return;
	close(a->fd);
	kill(a->pid, SIGKILL);
	while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(a);
}

void actor_res_clear(struct actor_res *res)
{
	free(res->data);
	res->data = NULL;
	res->data_len = 0;
}
