/*
 * trace.c -- a real program as a side: a tracer process follows it with ptrace and a seccomp
 * filter, decodes its socket calls into the actors' shapes and holds them for stepping.
 *
 * Two processes take part: the caller (sockplay's single loop) and the tracer, a fork of it
 * that owns every traced process. They speak over a SOCK_SEQPACKET pair: one event or one
 * command per message. The design and the names used are in include/sockplay/trace.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/grow.h"
#include "sockplay/text.h"
#include "sockplay/sandbox.h"
#include "sockplay/trace.h"
#include "sockplay/transcript.h"

#if defined(__x86_64__)
#define TRACE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TRACE_ARCH AUDIT_ARCH_AARCH64
#endif

#define PREVIEW_SHOW 32       /* bytes of sent data shown in a call's text */
#define POLL_SHOW 16          /* pollfds / epoll events decoded */
#define START_TIMEOUT_MS 10000

/* ---- names -------------------------------------------------------------- */

static const char *const call_names[] = {
	[TRACE_NONE] = NULL,
#define TRACE_X(e, n) [e] = n,
	TRACE_CALLS(TRACE_X)
#undef TRACE_X
};

const char *trace_call_name(enum trace_call c)
{
	return c > TRACE_NONE && c < TRACE_CALL_COUNT ? call_names[c] : NULL;
}

/* The system call number of each traced call; -1 where this machine has none. */
static int call_nr(enum trace_call c)
{
	switch (c) {
	case TRACE_SOCKET: return SYS_socket;
	case TRACE_SOCKETPAIR: return SYS_socketpair;
	case TRACE_BIND: return SYS_bind;
	case TRACE_LISTEN: return SYS_listen;
	case TRACE_CONNECT: return SYS_connect;
#ifdef SYS_accept
	case TRACE_ACCEPT: return SYS_accept;
#endif
	case TRACE_ACCEPT4: return SYS_accept4;
	case TRACE_SENDTO: return SYS_sendto;
	case TRACE_SENDMSG: return SYS_sendmsg;
	case TRACE_RECVFROM: return SYS_recvfrom;
	case TRACE_RECVMSG: return SYS_recvmsg;
	case TRACE_READ: return SYS_read;
	case TRACE_WRITE: return SYS_write;
	case TRACE_CLOSE: return SYS_close;
	case TRACE_SHUTDOWN: return SYS_shutdown;
	case TRACE_SETSOCKOPT: return SYS_setsockopt;
	case TRACE_GETSOCKOPT: return SYS_getsockopt;
	case TRACE_GETSOCKNAME: return SYS_getsockname;
	case TRACE_GETPEERNAME: return SYS_getpeername;
	case TRACE_FCNTL: return SYS_fcntl;
	case TRACE_IOCTL: return SYS_ioctl;
#ifdef SYS_poll
	case TRACE_POLL: return SYS_poll;
#endif
	case TRACE_PPOLL: return SYS_ppoll;
#ifdef SYS_select
	case TRACE_SELECT: return SYS_select;
#endif
	case TRACE_PSELECT6: return SYS_pselect6;
#ifdef SYS_epoll_wait
	case TRACE_EPOLL_WAIT: return SYS_epoll_wait;
#endif
	case TRACE_EPOLL_PWAIT: return SYS_epoll_pwait;
	default: return -1;
	}
}

/* Calls stopped only to void the descriptor cache: dup2, dup3, close_range (not shown). */
static const long forget_nrs[] = {
#ifdef SYS_dup2
	SYS_dup2,
#endif
	SYS_dup3, SYS_close_range,
};

static int is_forget_nr(long nr)
{
	for (size_t i = 0; i < sizeof forget_nrs / sizeof forget_nrs[0]; i++)
		if (forget_nrs[i] == nr)
			return 1;
	return 0;
}

static enum trace_call call_of_nr(long nr)
{
	for (int c = TRACE_NONE + 1; c < TRACE_CALL_COUNT; c++)
		if (call_nr((enum trace_call)c) == nr)
			return (enum trace_call)c;
	return TRACE_NONE;
}

static const char *domain_name(int d)
{
	const char *n = consts_name(SP_K_DOMAIN, d);
	if (n)
		return n;
	switch (d) {
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_UNSPEC: return "AF_UNSPEC";
	}
	return NULL;
}

/* "|SOCK_NONBLOCK|SOCK_CLOEXEC" for the flag bits of a type (socket) or of accept4's flags. */
static void sock_flags_text(int flags, char *out, size_t size)
{
	snprintf(out, size, "%s%s", flags & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "",
		 flags & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "");
}

/* "SOCK_STREAM|SOCK_CLOEXEC" */
static void type_text(int type, char *out, size_t size)
{
	int base = type & 0xf;
	char fl[40];
	const char *n = consts_name(SP_K_TYPE, base);
	if (!n)
		n = base == SOCK_RAW ? "SOCK_RAW" : base == SOCK_SEQPACKET ? "SOCK_SEQPACKET" : NULL;
	sock_flags_text(type, fl, sizeof fl);
	if (n)
		snprintf(out, size, "%s%s", n, fl);
	else
		snprintf(out, size, "%d%s", base, fl);
}

/* MSG_* flags: the script's names, then the ones only programs use. */
static void msg_flags_text(int flags, char *out, size_t size)
{
	static const struct { int bit; const char *name; } more[] = {
		{ MSG_NOSIGNAL, "MSG_NOSIGNAL" }, { MSG_TRUNC, "MSG_TRUNC" },
		{ MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC" }, { MSG_MORE, "MSG_MORE" },
	};
	char extra[96] = "";
	size_t o = 0;
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		if (flags & more[i].bit) {
			flags &= ~more[i].bit;
			o += (size_t)snprintf(extra + o, o < sizeof extra ? sizeof extra - o : 0, "|%s", more[i].name);
		}
	consts_msg_flags_text(flags, out, size);
	if (o) {
		if (strcmp(out, "0") == 0)
			snprintf(out, size, "%s", extra + 1);
		else
			snprintf(out + strlen(out), size - strlen(out), "%s", extra);
	}
}

static void events_text(int ev, char *out, size_t size)
{
	static const struct { int bit; const char *name; } bits[] = {
		{ POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" }, { POLLERR, "ERR" },
		{ POLLHUP, "HUP" }, { POLLNVAL, "NVAL" }, { POLLRDHUP, "RDHUP" },
	};
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
		if (ev & bits[i].bit)
			o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", o ? "|" : "", bits[i].name);
	if (!o)
		snprintf(out, size, "0");
}

/* ---- splitting a command ------------------------------------------------ */

void trace_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

char **trace_split(const char *command, int *shell, char *err, size_t errlen)
{
	size_t len = strlen(command), nw = 0;
	char **argv = calloc(len / 2 + 2, sizeof *argv);
	char *word = malloc(len + 1);
	int sh = 0;
	if (!argv || !word) {
		free(argv);
		free(word);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const char *p = command;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t wl = 0;
		int first = 1, assign_ok = 1;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			char c = *p;
			if (c == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e) {
					snprintf(err, errlen, "unmatched ' in the command");
					goto fail;
				}
				memcpy(word + wl, p + 1, (size_t)(e - p - 1));
				wl += (size_t)(e - p - 1);
				p = e + 1;
				assign_ok = 0;
			} else if (c == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '$' || *p == '`')
						sh = 1;
					if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
						if (p[1] != '\n')
							word[wl++] = p[1];
						p += 2;
						continue;
					}
					word[wl++] = *p++;
				}
				if (*p != '"') {
					snprintf(err, errlen, "unmatched \" in the command");
					goto fail;
				}
				p++;
				assign_ok = 0;
			} else if (c == '\\') {
				if (!p[1]) {
					snprintf(err, errlen, "the command ends with a backslash");
					goto fail;
				}
				if (p[1] != '\n')
					word[wl++] = p[1];
				p += 2;
				assign_ok = 0;
			} else {
				if (strchr("$`|&;<>()*?[]", c) || (c == '#' && first) || (c == '~' && first))
					sh = 1;
				/* VAR=value before the command is an assignment for the shell to make */
				if (c == '=' && nw == 0 && assign_ok && wl > 0)
					sh = 1;
				if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				      (c >= '0' && c <= '9' && wl > 0)))
					assign_ok = 0;
				word[wl++] = c;
				p++;
			}
			first = 0;
		}
		word[wl] = 0;
		argv[nw] = strdup(word);
		if (!argv[nw]) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		nw++;
	}
	free(word);
	if (nw == 0) {
		free(argv);
		snprintf(err, errlen, "the command is empty");
		return NULL;
	}
	argv[nw] = NULL;
	if (shell)
		*shell = sh;
	return argv;
fail:
	free(word);
	trace_argv_free(argv);
	return NULL;
}

/* ---- the wire between the caller and the tracer ------------------------- */

enum cmd_op { CMD_STEP = 1, CMD_RUN, CMD_SIGNAL, CMD_QUIT };

struct cmd {
	int op;
	pid_t id;
	int arg;
};

struct start_msg {
	int magic;
	int ok;
	pid_t pid;
	char err[256];
};
#define START_MAGIC 0x54524331

/* An event travels as the struct (pointers cleared) then its data then res.data. */
#define MSG_MAX (sizeof(struct trace_event) + 2 * TRACE_DATA_MAX + TRACE_LINE_MAX)
/*
 * Results of a free program's calls travel in batches: a message holds records
 * one after another, each an event and its bytes. A record that matters at once
 * (a held call, a blocked one, output, a new or ended process) goes at once with
 * those before it; plain results wait at most FLUSH_MS. Waking the caller for
 * each call of a busy program would cost more than tracing it.
 */
#define BATCH_MAX (4 * MSG_MAX)
#define FLUSH_MS 2
#define TICK_MS 5     /* a busy tracer looks up from waitpid() this often */

/* ---- the caller's side -------------------------------------------------- */

struct trace {
	int fd;               /* our end of the pair */
	pid_t tracer;         /* the tracer process */
	int tracer_pidfd;
	pid_t pid;            /* the program's first process */
	int over;             /* the tracer said all it had to say */
	unsigned char *buf;   /* the last batch received */
	size_t len, off;      /* its length, and where its next record starts */
	/* what --batch waits on: threads known and what each is doing */
	struct tstate { pid_t pid, tid; int what; } *threads;
	size_t nthreads, cap;
};

enum { TS_RUNNING, TS_HELD, TS_BLOCKED, TS_GONE };

pid_t trace_pid(const struct trace *t)
{
	return t->pid;
}

int trace_fd(const struct trace *t)
{
	return t->fd;
}

void trace_event_clear(struct trace_event *ev)
{
	free(ev->data);
	actor_res_clear(&ev->res);
	memset(ev, 0, sizeof *ev);
}

static void track(struct trace *t, pid_t pid, pid_t tid, int what)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid) {
			t->threads[i].what = what;
			return;
		}
	if (what == TS_GONE)
		return;
	struct tstate *n = grow_array(t->threads, t->nthreads, &t->cap, sizeof *n, 8);
	if (!n)
		return;
	t->threads = n;
	t->threads[t->nthreads].pid = pid;
	t->threads[t->nthreads].tid = tid;
	t->threads[t->nthreads].what = what;
	t->nthreads++;
}

int trace_settled(const struct trace *t)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].what == TS_RUNNING)
			return 0;
	return 1;
}

int trace_next(struct trace *t, struct trace_event *ev)
{
	memset(ev, 0, sizeof *ev);
	if (t->over)
		return -1;
	if (t->off >= t->len) {
		ssize_t n = recv(t->fd, t->buf, BATCH_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			t->over = 1;
			return -1;
		}
		t->len = (size_t)n;
		t->off = 0;
	}
	const unsigned char *rec = t->buf + t->off;
	if (t->len - t->off < sizeof *ev)
		goto bad;
	memcpy(ev, rec, sizeof *ev);
	size_t dl = ev->data_len, rl = ev->res.data_len;
	ev->data = NULL;
	ev->res.data = NULL;
	ev->req.unit = NULL;
	if (dl > MSG_MAX || rl > MSG_MAX || t->len - t->off < sizeof *ev + dl + rl)
		goto bad;
	t->off += sizeof *ev + dl + rl;
	if (dl) {
		ev->data = malloc(dl);
		if (ev->data)
			memcpy(ev->data, rec + sizeof *ev, dl);
		else
			ev->data_len = 0;
	}
	if (rl) {
		ev->res.data = malloc(rl);
		if (ev->res.data)
			memcpy(ev->res.data, rec + sizeof *ev + dl, rl);
		else
			ev->res.data_len = 0;
	}
	if (ev->req.unit_len && ev->data)
		ev->req.unit = ev->data;
	switch (ev->kind) {
	case TRACE_EV_ENTER: track(t, ev->pid, ev->tid, ev->held ? TS_HELD : TS_RUNNING); break;
	case TRACE_EV_BLOCKED: track(t, ev->pid, ev->tid, TS_BLOCKED); break;
	case TRACE_EV_CALL: track(t, ev->pid, ev->tid, TS_RUNNING); break;
	case TRACE_EV_SPAWN: track(t, ev->pid, ev->tid, TS_RUNNING); break;
	case TRACE_EV_END:
		for (size_t i = 0; i < t->nthreads; i++) /* a process ends with all its threads */
			if (t->threads[i].pid == ev->pid)
				t->threads[i].what = TS_GONE;
		break;
	default: break;
	}
	return 1;
bad:
	memset(ev, 0, sizeof *ev);
	t->over = 1;
	return -1;
}

int trace_wait(struct trace *t, struct trace_event *ev, int timeout_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int left = -1;
		if (timeout_ms >= 0) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			long long el = (now.tv_sec - t0.tv_sec) * 1000LL + (now.tv_nsec - t0.tv_nsec) / 1000000;
			if (el >= timeout_ms)
				return 0;
			left = (int)(timeout_ms - el);
		}
		struct pollfd pf = { .fd = t->fd, .events = POLLIN };
		/* records left from the last batch first; else poll first: no read that finds nothing */
		int pr = t->off < t->len ? 1 : poll(&pf, 1, left);
		if (pr < 0 && errno != EINTR)
			return -1;
		if (pr > 0) {
			int rc = trace_next(t, ev);
			if (rc != 0)
				return rc;
		} else if (pr == 0 && timeout_ms >= 0) {
			memset(ev, 0, sizeof *ev);
			return 0;
		}
	}
}

static int send_cmd(struct trace *t, int op, pid_t id, int arg)
{
	struct cmd c = { .op = op, .id = id, .arg = arg };
	if (t->over)
		return -1;
	return send(t->fd, &c, sizeof c, MSG_NOSIGNAL) == (ssize_t)sizeof c ? 0 : -1;
}

int trace_step(struct trace *t, pid_t tid)
{
	int rc = send_cmd(t, CMD_STEP, tid, 0);
	for (size_t i = 0; rc == 0 && i < t->nthreads; i++)
		if (t->threads[i].tid == tid && t->threads[i].what == TS_HELD)
			t->threads[i].what = TS_RUNNING;
	return rc;
}

int trace_run(struct trace *t, pid_t pid, int free_run)
{
	int rc = send_cmd(t, CMD_RUN, pid, free_run);
	if (rc == 0 && free_run)
		for (size_t i = 0; i < t->nthreads; i++)
			if (t->threads[i].what == TS_HELD)
				t->threads[i].what = TS_RUNNING;
	return rc;
}

int trace_interrupt(struct trace *t, pid_t pid, int sig)
{
	return send_cmd(t, CMD_SIGNAL, pid ? pid : t->pid, sig);
}

/* ---- the tracer --------------------------------------------------------- */

struct tproc {
	pid_t pid;
	int pidfd;
	char side[TRACE_SIDE_MAX];
	int nchild;            /* children forked so far: the next is side.(nchild+1) */
	int free_run;
	int ended;
	char last_err[TRACE_NOTE_MAX]; /* the last line it wrote to stderr */
	unsigned char libc_fds[1024 / 8]; /* sockets the C library opened for itself */
	struct fdcache { uint64_t cookie; int type, proto, state; } fds[256]; /* by fd: what sock_info saw */
	struct tproc *next;
};

struct tthread {
	pid_t tid;
	struct tproc *p;          /* NULL until the fork event names its process */
	int stopped_new;          /* a new thread whose first stop came before its parent's event */
	int expect_sigstop;       /* a new thread: its first SIGSTOP is ours to swallow */
	int in_call;              /* between the seccomp stop and the exit stop */
	int held;
	int blocked;
	long long t0, next_look;  /* ns: when the call started, when to look at it next */
	struct trace_event ev;    /* the call in progress */
	unsigned char sdata[TRACE_DATA_MAX]; /* send-like: the bytes offered */
	struct tthread *next;
};

struct tracer {
	int sock;                 /* to the caller */
	int sigfd;
	int out[2];               /* the program's stdout and stderr (read ends), -1 when closed */
	char line[2][TRACE_LINE_MAX];
	size_t linelen[2];
	struct tproc *procs;
	struct tthread *threads;
	int default_free;
	int enter_events;
	size_t data_max;
	unsigned char batch[BATCH_MAX]; /* records not sent yet */
	size_t outlen;
	long long out_since;          /* when the first of them was queued (ns) */
	int quit;
	struct tproc *writer[2];      /* the process last seen writing to stdout, stderr */
	int out_pending;              /* it wrote since the pipes were last read */
};

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void tr_flush(struct tracer *tr)
{
	if (!tr->outlen)
		return;
	/* blocking: a caller that does not read holds the program back rather than losing calls */
	while (send(tr->sock, tr->batch, tr->outlen, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		tr->quit = 1; /* the caller is gone */
		break;
	}
	tr->outlen = 0;
}

static void tr_send(struct tracer *tr, const struct trace_event *ev, const unsigned char *data, size_t dl,
		    const unsigned char *rdata, size_t rl)
{
	struct trace_event copy = *ev;
	copy.data = NULL;
	copy.res.data = NULL;
	copy.req.unit = NULL;
	copy.data_len = dl;
	copy.res.data_len = rl;
	if (tr->outlen + sizeof copy + dl + rl > sizeof tr->batch)
		tr_flush(tr);
	if (!tr->outlen)
		tr->out_since = now_ns();
	unsigned char *o = tr->batch + tr->outlen;
	memcpy(o, &copy, sizeof copy);
	if (dl)
		memcpy(o + sizeof copy, data, dl);
	if (rl)
		memcpy(o + sizeof copy + dl, rdata, rl);
	tr->outlen += sizeof copy + dl + rl;
	/* a call that had been reported blocked is news too: whoever waits on it (--batch
	   settling after a step) must not take it for still blocked */
	if (ev->kind != TRACE_EV_CALL || ev->resumed)
		tr_flush(tr);
}

static struct tthread *thread_find(struct tracer *tr, pid_t tid)
{
	for (struct tthread *th = tr->threads; th; th = th->next)
		if (th->tid == tid)
			return th;
	return NULL;
}

static struct tthread *thread_add(struct tracer *tr, pid_t tid)
{
	struct tthread *th = calloc(1, sizeof *th);
	if (!th)
		return NULL;
	th->tid = tid;
	th->next = tr->threads;
	tr->threads = th;
	return th;
}

static void thread_del(struct tracer *tr, struct tthread *th)
{
	for (struct tthread **pp = &tr->threads; *pp; pp = &(*pp)->next)
		if (*pp == th) {
			*pp = th->next;
			free(th);
			return;
		}
}

static struct tproc *proc_add(struct tracer *tr, pid_t pid, const char *side, int free_run)
{
	struct tproc *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->pid = pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	snprintf(p->side, sizeof p->side, "%s", side);
	p->free_run = free_run;
	p->next = tr->procs;
	tr->procs = p;
	return p;
}

static struct tproc *proc_find(struct tracer *tr, pid_t pid)
{
	for (struct tproc *p = tr->procs; p; p = p->next)
		if (p->pid == pid && !p->ended)
			return p;
	return NULL;
}

static void resume(struct tthread *th, int sig)
{
	ptrace(th->in_call ? PTRACE_SYSCALL : PTRACE_CONT, th->tid, 0, (void *)(long)sig);
}

/* Read LEN bytes at ADDR in the program; how many could be read. */
static size_t peek(pid_t pid, unsigned long long addr, void *buf, size_t len)
{
	if (!addr || !len)
		return 0;
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n > 0 ? (size_t)n : 0;
}

static int fd_is_socket(pid_t pid, long long fd)
{
	char path[64], link[64];
	if (fd < 0 || fd > 1 << 20)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/fd/%lld", (int)pid, fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return strncmp(link, "socket:", 7) == 0;
}

static int libc_fd(const struct tproc *p, long long fd)
{
	return fd >= 0 && fd < 1024 && (p->libc_fds[fd / 8] >> (fd % 8) & 1);
}

static void set_libc_fd(struct tproc *p, long long fd, int on)
{
	if (fd < 0 || fd >= 1024)
		return;
	if (on)
		p->libc_fds[fd / 8] |= (unsigned char)(1 << (fd % 8));
	else
		p->libc_fds[fd / 8] &= (unsigned char)~(1 << (fd % 8));
}

static int nscd_addr(const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
	if (ss->ss_family != AF_UNIX || len <= offsetof(struct sockaddr_un, sun_path))
		return 0;
	return strcmp(un->sun_path, "/var/run/nscd/socket") == 0 || strcmp(un->sun_path, "/run/nscd/socket") == 0;
}

/* A sockaddr from the program's memory. */
static socklen_t peek_addr(pid_t pid, unsigned long long addr, long long len, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (!addr || len <= 0)
		return 0;
	size_t n = (size_t)len < sizeof *ss ? (size_t)len : sizeof *ss;
	n = peek(pid, addr, ss, n);
	if (n < sizeof(sa_family_t))
		return 0;
	if (ss->ss_family == AF_UNIX && n < sizeof *ss)
		((char *)ss)[n] = 0; /* a path not terminated in the program's buffer */
	return (socklen_t)n;
}

/* The bytes described by an iovec array in the program, up to MAX; the total offered. */
static size_t peek_iov(pid_t pid, unsigned long long iov, unsigned long long iovlen, unsigned char *buf,
		       size_t max, size_t limit, size_t *total)
{
	struct iovec v[16];
	size_t n = iovlen < 16 ? (size_t)iovlen : 16, got = 0;
	*total = 0;
	n = peek(pid, iov, v, n * sizeof v[0]) / sizeof v[0];
	for (size_t i = 0; i < n; i++) {
		*total += v[i].iov_len;
		size_t want = v[i].iov_len;
		if (got + want > max)
			want = max - got;
		if (got + want > limit)
			want = limit > got ? limit - got : 0;
		if (want)
			got += peek(pid, (uintptr_t)v[i].iov_base, buf + got, want);
	}
	return got;
}

/* Whether a call may move a socket's addresses (the others leave getsockname/getpeername alone). */
static int moves_names(enum trace_call c, const struct actor_req *rq)
{
	return c == TRACE_SOCKET || c == TRACE_BIND || c == TRACE_CONNECT || c == TRACE_LISTEN ||
	       c == TRACE_ACCEPT || c == TRACE_ACCEPT4 || c == TRACE_SHUTDOWN ||
	       ((c == TRACE_SENDTO || c == TRACE_SENDMSG) && rq->addrlen); /* a UDP socket binds itself */
}

/*
 * The socket's identity and state after call C, read through a duplicate of the
 * program's descriptor: its cookie always (so a descriptor number reused for
 * another socket is never mistaken), its type from the cache while the cookie is
 * the same, its addresses when C may have moved them, its TCP state.
 */
static void sock_info(struct tproc *p, enum trace_call c, const struct actor_req *rq, long long fd,
		      struct actor_res *res, int *socktype)
{
	res->tcp_state = -1;
	if (p->pidfd < 0 || fd < 0)
		return;
	int d = (int)syscall(SYS_pidfd_getfd, p->pidfd, (int)fd, 0);
	if (d < 0)
		return;
	socklen_t len = sizeof res->cookie;
	if (getsockopt(d, SOL_SOCKET, SO_COOKIE, &res->cookie, &len) < 0)
		res->cookie = 0;
	struct fdcache fc = { 0 }, *cache = fd < 256 ? &p->fds[fd] : &fc;
	if (!res->cookie || cache->cookie != res->cookie) {
		cache->cookie = res->cookie;
		len = sizeof cache->type;
		if (getsockopt(d, SOL_SOCKET, SO_TYPE, &cache->type, &len) < 0)
			cache->type = 0;
		len = sizeof cache->proto;
		if (getsockopt(d, SOL_SOCKET, SO_PROTOCOL, &cache->proto, &len) < 0)
			cache->proto = 0;
	}
	*socktype = cache->type;
	if (moves_names(c, rq)) {
		res->have_names = 1;
		len = sizeof res->local;
		if (getsockname(d, (struct sockaddr *)&res->local, &len) == 0)
			res->local_len = len;
		len = sizeof res->peer;
		if (getpeername(d, (struct sockaddr *)&res->peer, &len) == 0)
			res->peer_len = len;
		else
			memset(&res->peer, 0, sizeof res->peer);
	}
	struct tcp_info ti;
	len = sizeof ti;
	if (cache->type == SOCK_STREAM && cache->proto == IPPROTO_TCP &&
	    getsockopt(d, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0)
		res->tcp_state = ti.tcpi_state;
	cache->state = res->tcp_state;
	close(d);
}

/* The descriptors from A to B are closed or replaced: what the cache knew of them is void. */
static void forget_fds(struct tproc *p, unsigned long long a, unsigned long long b)
{
	for (unsigned long long fd = a; fd <= b && fd < 1024; fd++) {
		if (fd < 256)
			memset(&p->fds[fd], 0, sizeof p->fds[fd]);
		set_libc_fd(p, (long long)fd, 0);
	}
}

static void poll_text(pid_t pid, unsigned long long addr, unsigned long long n, int revents, char *out,
		      size_t size)
{
	struct pollfd pf[POLL_SHOW];
	size_t k = n < POLL_SHOW ? (size_t)n : POLL_SHOW, o = 0;
	k = peek(pid, addr, pf, k * sizeof pf[0]) / sizeof pf[0];
	out[0] = 0;
	for (size_t i = 0; i < k; i++) {
		char e[64];
		if (revents && !pf[i].revents)
			continue;
		consts_poll_text(revents ? pf[i].revents : pf[i].events, e, sizeof e); /* as a script writes it */
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%d %s", o ? ", " : "", pf[i].fd, e);
	}
	if (k < n)
		snprintf(out + o, o < size ? size - o : 0, "%s...", o ? ", " : "");
}

/* A set of select() as a script writes it: "r: 3 4" after SEP; nothing for an empty or NULL set. */
static size_t fdset_text(pid_t pid, unsigned long long addr, long long nfds, const char *tag, char *out,
			 size_t size, size_t o)
{
	fd_set set;
	int first = 1;
	if (!addr)
		return o;
	if (nfds > FD_SETSIZE)
		nfds = FD_SETSIZE;
	if (nfds < 0)
		nfds = 0;
	memset(&set, 0, sizeof set);
	peek(pid, addr, &set, ((size_t)nfds + 7) / 8);
	for (int fd = 0; fd < nfds; fd++)
		if (FD_ISSET(fd, &set)) {
			o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s%d", first ? o ? ", " : "" : " ",
					      first ? tag : "", fd);
			first = 0;
		}
	return o;
}

static void timeout_text(pid_t pid, unsigned long long addr, int is_timespec, char *out, size_t size)
{
	if (!addr) {
		snprintf(out, size, "NULL");
		return;
	}
	long long v[2] = { 0, 0 };
	if (peek(pid, addr, v, sizeof v) != sizeof v) {
		snprintf(out, size, "?");
		return;
	}
	long long ms = v[0] * 1000 + (is_timespec ? v[1] / 1000000 : v[1] / 1000);
	snprintf(out, size, "%lld", ms); /* milliseconds, as a script writes them */
}

/*
 * Decode a call at its entry: the text, the request in the actors' shape and
 * the bytes a send offers. 0 when it is to be shown, -1 when it is none of
 * our business (read, write, close, fcntl, ioctl on something else).
 */
static int decode_entry(struct tracer *tr, struct tthread *th, enum trace_call c, const long long *a)
{
	struct trace_event *ev = &th->ev;
	struct tproc *p = th->p;
	pid_t pid = p->pid;
	char t1[160], t2[160], t3[160];
	struct actor_req *rq = &ev->req;
	size_t n;

	memset(ev, 0, sizeof *ev);
	ev->tcall = c;
	for (int i = 0; i < 6; i++)
		ev->args[i] = a[i];
	rq->fd = c == TRACE_SOCKET || c == TRACE_SOCKETPAIR || c == TRACE_POLL || c == TRACE_PPOLL ||
				 c == TRACE_SELECT || c == TRACE_PSELECT6
			 ? -1
			 : (int)a[0];
	rq->count = 1;
	switch (c) {
	case TRACE_READ:
	case TRACE_WRITE:
	case TRACE_CLOSE:
		if (!fd_is_socket(pid, a[0]))
			return -1;
		break;
	case TRACE_FCNTL:
		if (a[1] != F_SETFL || !fd_is_socket(pid, a[0]))
			return -1;
		break;
	case TRACE_IOCTL:
		if ((unsigned long)a[1] != FIONBIO || !fd_is_socket(pid, a[0]))
			return -1;
		break;
	default: break;
	}
	ev->libc = libc_fd(p, rq->fd);

	switch (c) {
	case TRACE_SOCKET:
	case TRACE_SOCKETPAIR: {
		rq->call = c == TRACE_SOCKET ? SP_CALL_SOCKET : SP_CALL_NONE;
		rq->domain = (int)a[0];
		rq->type = (int)a[1];
		rq->proto = (int)a[2];
		const char *dn = domain_name(rq->domain), *pn = rq->proto ? consts_name(SP_K_PROTO, rq->proto) : NULL;
		if (dn)
			snprintf(t1, sizeof t1, "%s", dn);
		else
			snprintf(t1, sizeof t1, "%d", rq->domain);
		type_text(rq->type, t2, sizeof t2);
		if (pn)
			snprintf(t3, sizeof t3, "%s", pn);
		else
			snprintf(t3, sizeof t3, "%d", rq->proto);
		snprintf(ev->text, sizeof ev->text, "%s(%s, %s, %s)", call_names[c], t1, t2, t3);
		/* the C library's own: getaddrinfo's netlink probe, the name service cache probe */
		if (rq->domain == AF_NETLINK ||
		    (rq->domain == AF_UNIX && (rq->type & 0xf) == SOCK_STREAM && (rq->type & SOCK_NONBLOCK) &&
		     (rq->type & SOCK_CLOEXEC)))
			ev->libc = 1;
		break;
	}
	case TRACE_BIND:
	case TRACE_CONNECT:
		rq->call = c == TRACE_BIND ? SP_CALL_BIND : SP_CALL_CONNECT;
		rq->addrlen = peek_addr(pid, (unsigned long long)a[1], a[2], &rq->addr);
		if (rq->addrlen)
			text_addr(&rq->addr, rq->addrlen, t1, sizeof t1);
		else
			snprintf(t1, sizeof t1, "%s", a[1] ? "?" : "NULL");
		snprintf(ev->text, sizeof ev->text, "%s(%d, %s)", call_names[c], rq->fd, t1);
		if (c == TRACE_CONNECT && nscd_addr(&rq->addr, rq->addrlen))
			ev->libc = 1;
		break;
	case TRACE_LISTEN:
		rq->call = SP_CALL_LISTEN;
		rq->num = (int)a[1];
		snprintf(ev->text, sizeof ev->text, "listen(%d, %d)", rq->fd, rq->num);
		break;
	case TRACE_ACCEPT:
	case TRACE_ACCEPT4:
		rq->call = SP_CALL_ACCEPT;
		rq->flags = c == TRACE_ACCEPT4 ? (int)a[3] : 0;
		sock_flags_text(rq->flags, t1, sizeof t1);
		if (t1[0]) {
			snprintf(ev->text, sizeof ev->text, "accept4(%d, %s)", rq->fd, t1 + 1);
		} else if (rq->flags) {
			snprintf(ev->text, sizeof ev->text, "accept4(%d, %#x)", rq->fd, (unsigned)rq->flags);
		} else {
			snprintf(ev->text, sizeof ev->text, "accept(%d)", rq->fd);
		}
		break;
	case TRACE_SENDTO:
	case TRACE_WRITE:
	case TRACE_SENDMSG: {
		size_t total;
		rq->flags = c == TRACE_WRITE ? 0 : (int)a[c == TRACE_SENDMSG ? 2 : 3];
		if (c == TRACE_SENDMSG) {
			struct msghdr mh;
			memset(&mh, 0, sizeof mh);
			peek(pid, (unsigned long long)a[1], &mh, sizeof mh);
			n = peek_iov(pid, (uintptr_t)mh.msg_iov, mh.msg_iovlen, th->sdata, sizeof th->sdata, tr->data_max,
				     &total);
			rq->addrlen = peek_addr(pid, (uintptr_t)mh.msg_name, mh.msg_namelen, &rq->addr);
		} else {
			total = (size_t)a[2];
			n = peek(pid, (unsigned long long)a[1], th->sdata,
				 total < tr->data_max ? total : tr->data_max);
			if (c == TRACE_SENDTO)
				rq->addrlen = peek_addr(pid, (unsigned long long)a[4], a[5], &rq->addr);
		}
		rq->call = rq->addrlen ? SP_CALL_SENDTO : SP_CALL_SEND;
		rq->unit_len = n;
		ev->data_len = n;
		ev->sent_len = total;
		text_data_preview(th->sdata, n, total, PREVIEW_SHOW, t1, sizeof t1);
		t2[0] = 0;
		if (rq->flags) {
			char f[96];
			msg_flags_text(rq->flags, f, sizeof f);
			snprintf(t2, sizeof t2, ", %s", f);
		}
		const char *name = c == TRACE_SENDTO ? (rq->addrlen ? "sendto" : "send") : call_names[c];
		if (rq->addrlen) {
			text_addr(&rq->addr, rq->addrlen, t3, sizeof t3);
			snprintf(ev->text, sizeof ev->text, "%s(%d, %s, %zu%s, %s)", name, rq->fd, t1, total, t2, t3);
		} else {
			snprintf(ev->text, sizeof ev->text, "%s(%d, %s, %zu%s)", name, rq->fd, t1, total, t2);
		}
		break;
	}
	case TRACE_RECVFROM:
	case TRACE_READ:
	case TRACE_RECVMSG: {
		size_t want = (size_t)a[2];
		int from = 0;
		rq->flags = c == TRACE_READ ? 0 : (int)a[c == TRACE_RECVMSG ? 2 : 3];
		if (c == TRACE_RECVMSG) {
			struct msghdr mh;
			struct iovec v[16];
			memset(&mh, 0, sizeof mh);
			peek(pid, (unsigned long long)a[1], &mh, sizeof mh);
			size_t k = mh.msg_iovlen < 16 ? mh.msg_iovlen : 16;
			k = peek(pid, (uintptr_t)mh.msg_iov, v, k * sizeof v[0]) / sizeof v[0];
			want = 0;
			for (size_t i = 0; i < k; i++)
				want += v[i].iov_len;
			from = mh.msg_name != NULL;
		} else if (c == TRACE_RECVFROM) {
			from = a[4] != 0;
		}
		rq->call = from ? SP_CALL_RECVFROM : SP_CALL_RECV;
		rq->num = (int)want;
		t2[0] = 0;
		if (rq->flags) {
			char f[96];
			msg_flags_text(rq->flags, f, sizeof f);
			snprintf(t2, sizeof t2, ", %s", f);
		}
		const char *name = c == TRACE_RECVFROM ? (from ? "recvfrom" : "recv") : call_names[c];
		snprintf(ev->text, sizeof ev->text, "%s(%d, %zu%s)", name, rq->fd, want, t2);
		break;
	}
	case TRACE_CLOSE:
		rq->call = SP_CALL_CLOSE;
		snprintf(ev->text, sizeof ev->text, "close(%d)", rq->fd);
		break;
	case TRACE_SHUTDOWN: {
		rq->call = SP_CALL_SHUTDOWN;
		rq->num = (int)a[1];
		const char *hn = consts_name(SP_K_SHUT, rq->num);
		if (hn)
			snprintf(ev->text, sizeof ev->text, "shutdown(%d, %s)", rq->fd, hn);
		else
			snprintf(ev->text, sizeof ev->text, "shutdown(%d, %d)", rq->fd, rq->num);
		break;
	}
	case TRACE_SETSOCKOPT:
	case TRACE_GETSOCKOPT: {
		rq->call = c == TRACE_SETSOCKOPT ? SP_CALL_SETSOCKOPT : SP_CALL_GETSOCKOPT;
		rq->opt_level = (int)a[1];
		rq->opt_name = (int)a[2];
		const struct sp_opt *opt = consts_opt_by_value(rq->opt_level, rq->opt_name);
		rq->opt_kind = opt ? (int)opt->kind : SP_OPT_INT;
		if (opt)
			snprintf(t1, sizeof t1, "%s", opt->name);
		else
			snprintf(t1, sizeof t1, "%d, %d", rq->opt_level, rq->opt_name);
		if (c == TRACE_GETSOCKOPT) {
			snprintf(ev->text, sizeof ev->text, "getsockopt(%d, %s)", rq->fd, t1);
			break;
		}
		int v[2] = { 0, 0 };
		size_t got = peek(pid, (unsigned long long)a[3], v, a[4] >= 8 ? 8 : a[4] >= 4 ? 4 : 0);
		rq->opt_vals[0] = v[0];
		rq->opt_vals[1] = v[1];
		if (opt && opt->kind == SP_OPT_LINGER && got == 8)
			snprintf(ev->text, sizeof ev->text, "setsockopt(%d, %s, %d, %d)", rq->fd, t1, v[0], v[1]);
		else if (got >= 4 && a[4] == 4)
			snprintf(ev->text, sizeof ev->text, "setsockopt(%d, %s, %d)", rq->fd, t1, v[0]);
		else
			snprintf(ev->text, sizeof ev->text, "setsockopt(%d, %s, %lld bytes)", rq->fd, t1, a[4]);
		break;
	}
	case TRACE_GETSOCKNAME:
	case TRACE_GETPEERNAME:
		rq->call = SP_CALL_NONE;
		snprintf(ev->text, sizeof ev->text, "%s(%d)", call_names[c], rq->fd);
		break;
	case TRACE_FCNTL: {
		rq->call = SP_CALL_NONBLOCK;
		rq->num = (a[2] & O_NONBLOCK) != 0;
		long long rest = a[2] & ~(long long)(O_NONBLOCK | O_ACCMODE);
		const char *acc = (a[2] & O_ACCMODE) == O_RDWR ? "O_RDWR" : (a[2] & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY";
		if (rest)
			snprintf(t1, sizeof t1, "%s%s|%#llx", acc, rq->num ? "|O_NONBLOCK" : "", rest);
		else
			snprintf(t1, sizeof t1, "%s%s", acc, rq->num ? "|O_NONBLOCK" : "");
		snprintf(ev->text, sizeof ev->text, "fcntl(%d, F_SETFL, %s)", rq->fd, t1);
		break;
	}
	case TRACE_IOCTL: {
		int on = 0;
		rq->call = SP_CALL_NONBLOCK;
		peek(pid, (unsigned long long)a[2], &on, sizeof on);
		rq->num = on != 0;
		snprintf(ev->text, sizeof ev->text, "ioctl(%d, FIONBIO, %d)", rq->fd, on);
		break;
	}
	case TRACE_POLL:
	case TRACE_PPOLL:
		rq->call = SP_CALL_NONE;
		/* as a script writes it: poll(3 POLLIN, 4 POLLOUT, 1000), no timeout when it waits for ever */
		poll_text(pid, (unsigned long long)a[0], (unsigned long long)a[1], 0, t1, sizeof t1);
		if (c == TRACE_POLL)
			snprintf(t2, sizeof t2, "%lld", (long long)(int)a[2]);
		else
			timeout_text(pid, (unsigned long long)a[2], 1, t2, sizeof t2);
		if ((c == TRACE_POLL && (int)a[2] < 0) || strcmp(t2, "NULL") == 0)
			t2[0] = 0;
		snprintf(ev->text, sizeof ev->text, "%s(%s%s%s)", call_names[c], t1, t1[0] && t2[0] ? ", " : "", t2);
		break;
	case TRACE_SELECT:
	case TRACE_PSELECT6: {
		/* as a script writes it: select(r: 3 4, w: 4, 1000); x: the exception set, nfds left out */
		size_t o = 0;
		rq->call = SP_CALL_NONE;
		o = fdset_text(pid, (unsigned long long)a[1], a[0], "r: ", t1, sizeof t1, o);
		o = fdset_text(pid, (unsigned long long)a[2], a[0], "w: ", t1, sizeof t1, o);
		o = fdset_text(pid, (unsigned long long)a[3], a[0], "x: ", t1, sizeof t1, o);
		timeout_text(pid, (unsigned long long)a[4], c == TRACE_PSELECT6, t2, sizeof t2);
		if (strcmp(t2, "NULL") == 0)
			t2[0] = 0;
		snprintf(ev->text, sizeof ev->text, "%s(%s%s%s)", c == TRACE_SELECT ? "select" : "pselect", t1,
			 o && t2[0] ? ", " : "", t2);
		break;
	}
	case TRACE_EPOLL_WAIT:
	case TRACE_EPOLL_PWAIT:
		rq->call = SP_CALL_NONE;
		if ((int)a[3] < 0)
			snprintf(t1, sizeof t1, "-1");
		else
			snprintf(t1, sizeof t1, "%d ms", (int)a[3]);
		snprintf(ev->text, sizeof ev->text, "%s(%d, %lld, %s)", call_names[c], rq->fd, a[2], t1);
		break;
	default:
		return -1;
	}
	return 0;
}

/* Decode a call's results at its exit into th->ev.res and ev.note. */
static void decode_exit(struct tracer *tr, struct tthread *th, long long rval, int is_error)
{
	struct trace_event *ev = &th->ev;
	struct actor_res *res = &ev->res;
	struct tproc *p = th->p;
	pid_t pid = p->pid;
	const long long *a = ev->args;
	enum trace_call c = ev->tcall;
	char t1[200], t2[200];
	int socktype = 0;

	res->ret = is_error ? -1 : rval;
	res->err = is_error ? (int)-rval : 0;
	/* a call a signal cut short: the kernel restarts it or the program gets EINTR */
	if (is_error && res->err >= 512 && res->err <= 516)
		res->err = EINTR;
	res->elapsed_ns = now_ns() - th->t0;
	res->fd = ev->req.fd;
	res->tcp_state = -1;
	ev->note[0] = 0;

	if (!is_error && (c == TRACE_SOCKET || c == TRACE_ACCEPT || c == TRACE_ACCEPT4))
		res->fd = (int)rval;
	int data = c == TRACE_SENDTO || c == TRACE_SENDMSG || c == TRACE_RECVFROM || c == TRACE_RECVMSG ||
		   c == TRACE_READ || c == TRACE_WRITE;
	if (data && !is_error && rval > 0 && res->fd < 256 && p->fds[res->fd].cookie && !moves_names(c, &ev->req)) {
		/* bytes moved: the same socket as at its last call (the cache is voided whenever the
		   number could have changed hands), in the state seen then; this keeps a busy
		   program's calls cheap, and the kernel view has the live state */
		res->cookie = p->fds[res->fd].cookie;
		res->tcp_state = p->fds[res->fd].state;
		socktype = p->fds[res->fd].type;
	} else if (c != TRACE_CLOSE && res->fd >= 0 &&
		   !(is_error && (c == TRACE_SOCKET || c == TRACE_ACCEPT || c == TRACE_ACCEPT4))) {
		sock_info(p, c, &ev->req, res->fd, res, &socktype);
	}
	if (c == TRACE_CLOSE && !is_error)
		res->tcp_state = -1;
	ev->socktype = socktype;

	/* the C library's sockets stay marked until closed */
	if (!is_error && c == TRACE_SOCKET)
		set_libc_fd(p, rval, ev->libc);
	if (c == TRACE_CONNECT && ev->libc)
		set_libc_fd(p, a[0], 1);
	if (!is_error && c == TRACE_CLOSE)
		forget_fds(p, (unsigned long long)a[0], (unsigned long long)a[0]);

	if (!is_error) {
		switch (c) {
		case TRACE_ACCEPT:
		case TRACE_ACCEPT4:
			if (res->peer_len) {
				text_addr(&res->peer, res->peer_len, t1, sizeof t1);
				snprintf(ev->note, sizeof ev->note, "peer %s", t1);
			}
			break;
		case TRACE_RECVFROM:
		case TRACE_READ:
		case TRACE_RECVMSG: {
			size_t want = rval > 0 ? (size_t)rval : 0;
			if (want > tr->data_max)
				want = tr->data_max;
			res->data = want ? malloc(want) : NULL;
			struct sockaddr_storage from;
			socklen_t fl = 0;
			if (c == TRACE_RECVMSG) {
				struct msghdr mh;
				size_t total;
				memset(&mh, 0, sizeof mh);
				peek(pid, (unsigned long long)a[1], &mh, sizeof mh);
				if (res->data)
					res->data_len = peek_iov(pid, (uintptr_t)mh.msg_iov, mh.msg_iovlen, res->data,
								 want, want, &total);
				if (mh.msg_name)
					fl = peek_addr(pid, (uintptr_t)mh.msg_name, mh.msg_namelen, &from);
			} else {
				if (res->data)
					res->data_len = peek(pid, (unsigned long long)a[1], res->data, want);
				if (c == TRACE_RECVFROM && a[4]) {
					socklen_t alen = 0;
					peek(pid, (unsigned long long)a[5], &alen, sizeof alen);
					fl = peek_addr(pid, (unsigned long long)a[4], alen, &from);
				}
			}
			if (fl) {
				res->peer = from;
				res->peer_len = fl;
				text_addr(&from, fl, t1, sizeof t1);
				snprintf(ev->note, sizeof ev->note, "from %s", t1);
			}
			break;
		}
		case TRACE_GETSOCKOPT: {
			int v[2] = { 0, 0 };
			socklen_t ol = 0;
			peek(pid, (unsigned long long)a[4], &ol, sizeof ol);
			peek(pid, (unsigned long long)a[3], v, ol >= 8 ? 8 : ol >= 4 ? 4 : 0);
			res->opt_vals[0] = v[0];
			res->opt_vals[1] = v[1];
			if (ev->req.opt_kind == SP_OPT_LINGER && ol >= 8)
				snprintf(ev->note, sizeof ev->note, "value %s, %d s", v[0] ? "on" : "off", v[1]);
			else if (ev->req.opt_kind == SP_OPT_ERROR && v[0])
				snprintf(ev->note, sizeof ev->note, "value %s",
					 consts_errno_name(v[0]) ? consts_errno_name(v[0]) : "?");
			else if (ol == 4)
				snprintf(ev->note, sizeof ev->note, "value %d", v[0]);
			else
				snprintf(ev->note, sizeof ev->note, "%u bytes", (unsigned)ol);
			break;
		}
		case TRACE_GETSOCKNAME:
		case TRACE_GETPEERNAME: {
			socklen_t alen = 0;
			struct sockaddr_storage ss;
			peek(pid, (unsigned long long)a[2], &alen, sizeof alen);
			socklen_t got = peek_addr(pid, (unsigned long long)a[1], alen, &ss);
			text_addr(&ss, got, t1, sizeof t1);
			snprintf(ev->note, sizeof ev->note, "%s %s", c == TRACE_GETSOCKNAME ? "local" : "peer", t1);
			break;
		}
		case TRACE_SOCKETPAIR: {
			int sv[2] = { -1, -1 };
			peek(pid, (unsigned long long)a[3], sv, sizeof sv);
			snprintf(ev->note, sizeof ev->note, "fds %d, %d", sv[0], sv[1]);
			break;
		}
		case TRACE_POLL:
		case TRACE_PPOLL:
			if (rval > 0) {
				poll_text(pid, (unsigned long long)a[0], (unsigned long long)a[1], 1, t1, sizeof t1);
				snprintf(ev->note, sizeof ev->note, "%s", t1);
			}
			break;
		case TRACE_SELECT:
		case TRACE_PSELECT6:
			if (rval > 0) { /* the sets as select() left them: "r: 4, w: 5" */
				size_t o = 0;
				t1[0] = 0;
				o = fdset_text(pid, (unsigned long long)a[1], a[0], "r: ", t1, sizeof t1, o);
				o = fdset_text(pid, (unsigned long long)a[2], a[0], "w: ", t1, sizeof t1, o);
				fdset_text(pid, (unsigned long long)a[3], a[0], "x: ", t1, sizeof t1, o);
				snprintf(ev->note, sizeof ev->note, "%s", t1);
			}
			break;
		case TRACE_EPOLL_WAIT:
		case TRACE_EPOLL_PWAIT:
			if (rval > 0) {
				struct epoll_event ee[POLL_SHOW];
				size_t k = rval < POLL_SHOW ? (size_t)rval : POLL_SHOW, o = 0;
				k = peek(pid, (unsigned long long)a[1], ee, k * sizeof ee[0]) / sizeof ee[0];
				t1[0] = 0;
				for (size_t i = 0; i < k; i++) {
					events_text((int)ee[i].events, t2, sizeof t2);
					o += (size_t)snprintf(t1 + o, o < sizeof t1 ? sizeof t1 - o : 0, "%sdata %llu:%s",
							      o ? ", " : "", (unsigned long long)ee[i].data.u64, t2);
				}
				snprintf(ev->note, sizeof ev->note, "%s", t1);
			}
			break;
		default: break;
		}
	}
}

static void output_read(struct tracer *tr, int s);
static void output_flush(struct tracer *tr, int s);

/* Read what the program wrote to its output so far (the pipes hold it all). */
static void drain_output(struct tracer *tr)
{
	tr->out_pending = 0;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < 64 && tr->out[s] >= 0; i++) {
			struct pollfd pf = { .fd = tr->out[s], .events = POLLIN };
			if (poll(&pf, 1, 0) <= 0)
				break;
			output_read(tr, s);
		}
}

/* A call stopped at its entry (the seccomp stop). */
static void on_entry(struct tracer *tr, struct tthread *th)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, (void *)sizeof si, &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(th, 0);
		return;
	}
	long long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = (long long)si.seccomp.args[i];
	long nr = (long)si.seccomp.nr;
	if (tr->out_pending)
		drain_output(tr);
	if (nr == SYS_write && (a[0] == 1 || a[0] == 2) && th->p) {
		/* the program writes to its stdout or stderr (pipes, unless it moved them): its
		   lines are read at its next stop, to come before the calls that follow them */
		struct tproc *old = tr->writer[a[0] - 1];
		if (old != th->p && tr->linelen[a[0] - 1])
			output_flush(tr, (int)a[0] - 1); /* a line begun by another process is its own */
		tr->writer[a[0] - 1] = th->p;
		tr->out_pending = 1;
	}
	if (th->p && is_forget_nr(nr)) {
		/* a descriptor number may change hands: not shown, only noted */
		if (nr == SYS_close_range)
			forget_fds(th->p, (unsigned long long)a[0], (unsigned long long)a[1]);
		else
			forget_fds(th->p, (unsigned long long)a[1], (unsigned long long)a[1]);
		resume(th, 0);
		return;
	}
	enum trace_call c = call_of_nr(nr);
	if (c == TRACE_NONE || !th->p || decode_entry(tr, th, c, a) < 0) {
		resume(th, 0);
		return;
	}
	struct trace_event *ev = &th->ev;
	ev->kind = TRACE_EV_ENTER;
	ev->nr = (int)si.seccomp.nr;
	ev->pid = th->p->pid;
	ev->tid = th->tid;
	snprintf(ev->side, sizeof ev->side, "%s", th->p->side);
	ev->held = !ev->libc && !th->p->free_run;
	th->in_call = 1;
	th->blocked = 0;
	th->held = ev->held;
	if (ev->held || tr->enter_events)
		tr_send(tr, ev, th->sdata, ev->data_len, NULL, 0);
	th->t0 = now_ns();
	th->next_look = th->t0 + TRACE_BLOCK_MS * 1000000LL;
	if (!th->held)
		resume(th, 0);
}

/* A call returned (the syscall-exit stop). */
static void on_exit_stop(struct tracer *tr, struct tthread *th)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof si);
	if (!th->in_call || ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, (void *)sizeof si, &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_EXIT) {
		th->in_call = 0;
		resume(th, 0);
		return;
	}
	struct trace_event *ev = &th->ev;
	if (tr->out_pending)
		drain_output(tr);
	decode_exit(tr, th, si.exit.rval, si.exit.is_error);
	ev->kind = TRACE_EV_CALL;
	ev->resumed = th->blocked;
	ev->held = 0;
	tr_send(tr, ev, th->sdata, ev->data_len, ev->res.data, ev->res.data_len);
	actor_res_clear(&ev->res);
	th->in_call = 0;
	th->blocked = 0;
	resume(th, 0);
}

static void proc_end(struct tracer *tr, struct tproc *p, int status)
{
	struct trace_event ev;
	drain_output(tr); /* what it wrote before it ended comes before its end */
	for (int s = 0; s < 2; s++)
		if (tr->writer[s] == p) {
			if (tr->linelen[s])
				output_flush(tr, s); /* its last line, even without a newline */
			tr->writer[s] = NULL;
		}
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_END;
	ev.pid = ev.tid = p->pid;
	snprintf(ev.side, sizeof ev.side, "%s", p->side);
	if (WIFSIGNALED(status)) {
		ev.signaled = 1;
		ev.status = WTERMSIG(status);
		const char *sn = sigabbrev_np(ev.status);
		if (sn)
			snprintf(ev.how, sizeof ev.how, "killed by SIG%s%s", sn, WCOREDUMP(status) ? " (core dumped)" : "");
		else
			snprintf(ev.how, sizeof ev.how, "killed by signal %d", ev.status);
	} else {
		ev.status = WEXITSTATUS(status);
		snprintf(ev.how, sizeof ev.how, "exited %d", ev.status);
	}
	size_t ll = strlen(p->last_err);
	tr_send(tr, &ev, (const unsigned char *)p->last_err, ll, NULL, 0);
	p->ended = 1;
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
}

/* A new thread or process (the fork/vfork/clone event of its parent). */
static void on_new(struct tracer *tr, struct tthread *parent, pid_t tid)
{
	struct tthread *th = thread_find(tr, tid);
	int existed = th != NULL;
	if (!th && !(th = thread_add(tr, tid)))
		return;
	/* a thread when it shares its parent's thread group */
	char path[64], line[128];
	pid_t tgid = tid;
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "Tgid: %d", &tgid) == 1)
				break;
		fclose(f);
	}
	struct tproc *pp = parent->p;
	struct trace_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_SPAWN;
	ev.tid = tid;
	if (pp && tgid == pp->pid) {
		th->p = pp;
		ev.pid = pp->pid;
		snprintf(ev.side, sizeof ev.side, "%s", pp->side);
		snprintf(ev.parent_side, sizeof ev.parent_side, "%s", pp->side);
	} else if (pp) {
		char side[TRACE_SIDE_MAX + 16];
		snprintf(side, sizeof side, "%s.%d", pp->side, ++pp->nchild);
		th->p = proc_add(tr, tid, side, pp->free_run);
		if (th->p)
		{
			memcpy(th->p->libc_fds, pp->libc_fds, sizeof pp->libc_fds);
			memcpy(th->p->fds, pp->fds, sizeof pp->fds);
		}
		ev.pid = tid;
		snprintf(ev.side, sizeof ev.side, "%s", th->p ? th->p->side : "?");
		snprintf(ev.parent_side, sizeof ev.parent_side, "%s", pp->side);
	}
	tr_send(tr, &ev, NULL, 0, NULL, 0);
	if (existed && th->stopped_new) {
		th->stopped_new = 0;
		resume(th, 0);
	} else {
		th->expect_sigstop = 1;
	}
}

static void on_wait(struct tracer *tr, pid_t tid, int st)
{
	struct tthread *th = thread_find(tr, tid);
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		struct tproc *p = th ? th->p : proc_find(tr, tid);
		if (p && p->pid == tid && !p->ended)
			proc_end(tr, p, st);
		if (th)
			thread_del(tr, th);
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	if (!th) {
		/* a new thread stopped before its parent's event told us whose it is: wait for that */
		th = thread_add(tr, tid);
		if (th)
			th->stopped_new = 1;
		return;
	}
	int sig = WSTOPSIG(st), event = st >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		on_exit_stop(tr, th);
	} else if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
		on_entry(tr, th);
	} else if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
				      event == PTRACE_EVENT_CLONE)) {
		unsigned long msg = 0;
		ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
		on_new(tr, th, (pid_t)msg);
		resume(th, 0);
	} else if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
		if (th->p) /* close-on-exec descriptors are gone */
			forget_fds(th->p, 0, 1023);
		resume(th, 0);
	} else if (sig == SIGTRAP && event) {
		resume(th, 0); /* the others: nothing to show */
	} else if (sig == SIGSTOP && th->expect_sigstop) {
		th->expect_sigstop = 0;
		resume(th, 0);
	} else {
		resume(th, sig); /* the program's own signal: deliver it */
	}
}

/*
 * Collect the stops and ends SIGCHLD announced (read from the signalfd just
 * before). With one traced thread, once its stop is handled nothing else can be
 * pending: its next stop comes after the resume and raises SIGCHLD anew, so the
 * wait that would find nothing is spared (half the waits of a busy program).
 */
static int reap_all(struct tracer *tr)
{
	int st, n = 0;
	pid_t tid;
	while ((tid = waitpid(-1, &st, __WALL | WNOHANG)) > 0) {
		on_wait(tr, tid, st);
		n++;
		if (tr->threads && !tr->threads->next && tr->threads->tid == tid && !tr->threads->stopped_new)
			break;
	}
	return n;
}

static int reap_all_full(struct tracer *tr)
{
	int st, n = 0;
	pid_t tid;
	while ((tid = waitpid(-1, &st, __WALL | WNOHANG)) > 0) {
		on_wait(tr, tid, st);
		n++;
	}
	return n;
}

/* Calls running for a while: asleep in the kernel means blocked. */
static long long look_at_calls(struct tracer *tr)
{
	long long now = now_ns(), next = -1;
	for (struct tthread *th = tr->threads; th; th = th->next) {
		if (!th->in_call || th->held || th->blocked || !th->p)
			continue;
		if (now >= th->next_look) {
			char path[64], buf[512];
			snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)th->p->pid, (int)th->tid);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
			if (fd >= 0)
				close(fd);
			char state = 0;
			if (n > 0) {
				buf[n] = 0;
				char *rp = strrchr(buf, ')');
				if (rp && rp[1] == ' ')
					state = rp[2];
			}
			if (state == 'S') {
				th->blocked = 1;
				struct trace_event ev = th->ev;
				ev.kind = TRACE_EV_BLOCKED;
				ev.held = 0;
				memset(&ev.res, 0, sizeof ev.res);
				ev.res.elapsed_ns = now - th->t0; /* in the call so far: "blocked 2.1 s" counts it */
				tr_send(tr, &ev, th->sdata, ev.data_len, NULL, 0);
				continue;
			}
			th->next_look = now + TRACE_BLOCK_MS * 1000000LL;
		}
		if (next < 0 || th->next_look < next)
			next = th->next_look;
	}
	return next < 0 ? -1 : (next - now) / 1000000 + 1;
}

static void output_flush(struct tracer *tr, int s)
{
	struct trace_event ev;
	size_t n = tr->linelen[s];
	memset(&ev, 0, sizeof ev);
	ev.kind = TRACE_EV_OUTPUT;
	ev.stream = s + 1;
	struct tproc *by = tr->writer[s];
	if (!by && tr->procs) {
		by = tr->procs;
		while (by->next)
			by = by->next; /* not seen writing: the program's first process */
	}
	if (by) {
		ev.pid = ev.tid = by->pid;
		snprintf(ev.side, sizeof ev.side, "%s", by->side);
		if (s == 1 && n) /* raw bytes: trace_format escapes them */
			snprintf(by->last_err, sizeof by->last_err, "%.*s", (int)n, tr->line[s]);
	}
	if (n && tr->line[s][n - 1] == '\r')
		n--; /* a DOS line end */
	tr_send(tr, &ev, (unsigned char *)tr->line[s], n, NULL, 0);
	tr->linelen[s] = 0;
}

static void output_read(struct tracer *tr, int s)
{
	char buf[4096];
	ssize_t n = read(tr->out[s], buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* EOF (a pseudo terminal says EIO once every writer is gone) */
		if (tr->linelen[s])
			output_flush(tr, s);
		close(tr->out[s]);
		tr->out[s] = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			output_flush(tr, s);
			continue;
		}
		tr->line[s][tr->linelen[s]++] = buf[i];
		if (tr->linelen[s] == TRACE_LINE_MAX)
			output_flush(tr, s);
	}
}

static void kill_all(struct tracer *tr)
{
	for (struct tproc *p = tr->procs; p; p = p->next)
		if (!p->ended)
			kill(p->pid, SIGKILL);
	/* every traced process, and whatever was orphaned to us (we are the subreaper) */
	int st;
	pid_t tid;
	while ((tid = waitpid(-1, &st, __WALL)) > 0 || errno == EINTR)
		if (tid > 0) {
			struct tthread *th = thread_find(tr, tid);
			if (th)
				thread_del(tr, th);
		}
}

static void on_cmd(struct tracer *tr)
{
	struct cmd c;
	ssize_t n = recv(tr->sock, &c, sizeof c, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof c || c.op == CMD_QUIT) {
		tr->quit = 1;
		return;
	}
	switch (c.op) {
	case CMD_STEP: {
		struct tthread *th = thread_find(tr, c.id);
		if (th && th->held) {
			th->held = 0;
			th->t0 = now_ns();
			th->next_look = th->t0 + TRACE_BLOCK_MS * 1000000LL;
			resume(th, 0);
		}
		break;
	}
	case CMD_RUN:
		if (c.id == 0)
			tr->default_free = c.arg;
		for (struct tproc *p = tr->procs; p; p = p->next)
			if (c.id == 0 || p->pid == c.id)
				p->free_run = c.arg;
		if (c.arg)
			for (struct tthread *th = tr->threads; th; th = th->next)
				if (th->held && th->p && th->p->free_run) {
					th->held = 0;
					th->t0 = now_ns();
					th->next_look = th->t0 + TRACE_BLOCK_MS * 1000000LL;
					resume(th, 0);
				}
		break;
	case CMD_SIGNAL: {
		struct tproc *p = proc_find(tr, c.id);
		if (p) /* not yet reaped: the number is still this process's */
			kill(p->pid, c.arg);
		break;
	}
	}
}

static int all_ended(const struct tracer *tr)
{
	for (const struct tproc *p = tr->procs; p; p = p->next)
		if (!p->ended)
			return 0;
	return 1;
}

static void on_tick(int sig)
{
	(void)sig; /* only here to cut a blocking waitpid() short */
}

/*
 * Serve the signalfd (collect stops), the commands and the program's output,
 * waiting up to TIMEOUT_MS (-1: as long as the blocked-call check and the
 * batch allow). Returns how many stops were collected, -1 when poll failed.
 */
static int serve(struct tracer *tr, int timeout_ms)
{
	struct pollfd pf[4] = {
		{ .fd = tr->sigfd, .events = POLLIN },
		{ .fd = tr->sock, .events = POLLIN },
		{ .fd = tr->out[0], .events = POLLIN },
		{ .fd = tr->out[1], .events = POLLIN },
	};
	long long wait_ms = look_at_calls(tr);
	if (tr->outlen) {
		long long age = (now_ns() - tr->out_since) / 1000000;
		if (age >= FLUSH_MS)
			tr_flush(tr);
		else if (wait_ms < 0 || wait_ms > FLUSH_MS - age)
			wait_ms = FLUSH_MS - age;
	}
	/* a safety net under reap_all's shortcut: now and then a full collection */
	if (wait_ms < 0 || wait_ms > 500)
		wait_ms = 500;
	if (timeout_ms >= 0 && timeout_ms < wait_ms)
		wait_ms = timeout_ms;
	int pr = poll(pf, 4, (int)wait_ms), stops = 0;
	if (pr < 0 && errno != EINTR) {
		tr->quit = 1;
		return -1;
	}
	if (pr == 0)
		stops += reap_all_full(tr);
	if (pr > 0 && pf[0].revents) {
		struct signalfd_siginfo si[4]; /* SIGCHLD does not queue: one read empties it */
		if (read(tr->sigfd, si, sizeof si) < 0 && errno != EAGAIN && errno != EINTR)
			tr->quit = 1;
		stops += reap_all(tr);
	}
	if (pr > 0 && pf[1].revents)
		on_cmd(tr);
	for (int s = 0; pr > 0 && s < 2; s++)
		if (tr->out[s] >= 0 && (pf[2 + s].revents & (POLLIN | POLLHUP | POLLERR)))
			output_read(tr, s);
	return stops;
}

/* The seccomp filter: the traced calls stop for the tracer, everything else runs. */
static int install_filter(void)
{
	struct sock_filter f[64];
	size_t n = 0;
	long plain[TRACE_CALL_COUNT + 8];
	size_t np = 0;
	for (int c = TRACE_NONE + 1; c < TRACE_CALL_COUNT; c++)
		if (call_nr((enum trace_call)c) >= 0 && c != TRACE_FCNTL && c != TRACE_IOCTL)
			plain[np++] = call_nr((enum trace_call)c);
	for (size_t i = 0; i < sizeof forget_nrs / sizeof forget_nrs[0]; i++)
		plain[np++] = forget_nrs[i];
#define STMT(code, k) (f[n++] = (struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) (f[n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf))
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, TRACE_ARCH, 1, 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* each plain call: equal -> the TRACE at the end */
	size_t first_plain = n;
	for (size_t i = 0; i < np; i++)
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)plain[i], 0, 0);
	/* fcntl(fd, F_SETFL, ...) and ioctl(fd, FIONBIO, ...) only */
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)call_nr(TRACE_FCNTL), 0, 3);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_SETFL, 4, 5);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW); /* unreachable filler: keeps the offsets simple */
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)call_nr(TRACE_IOCTL), 0, 3);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, FIONBIO, 0, 1);
	size_t trace_at = n;
	STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
#undef STMT
#undef JUMP
	/* fix the plain calls' jumps to the TRACE */
	for (size_t i = 0; i < np; i++)
		f[first_plain + i].jt = (unsigned char)(trace_at - (first_plain + i) - 1);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* In the program's process, before exec: never returns. */
static void program_child(char *const argv[], int out, int err, int errpipe, pid_t tracer)
{
	int e;
	sigset_t none;
	sigemptyset(&none); /* whatever sockplay blocks, the program starts as from a shell */
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != tracer) /* the tracer died before PR_SET_PDEATHSIG: nobody would trace it */
		_exit(127);
	setpgid(0, 0); /* Ctrl-C in sockplay's terminal is sockplay's, not the program's */
	if (sandbox_drop_ids() < 0) /* a student's program never runs as root through sudo */
		goto fail;
	int nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	/* nothing of sockplay's reaches the program: all but 0-2 close on exec */
	if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0)
		for (int fd = 3; fd < 1024; fd++)
			if (fd != errpipe)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
	setenv("PYTHONUNBUFFERED", "1", 1);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		goto fail;
	raise(SIGSTOP); /* the tracer sets its options now */
	if (install_filter() < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof e) < 0) {
		/* nothing more to say */
	}
	_exit(127);
}

static void start_fail(int sock, const char *fmt, const char *what, int e)
{
	struct start_msg m = { .magic = START_MAGIC, .ok = 0 };
	snprintf(m.err, sizeof m.err, fmt, what, strerror(e));
	if (send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0) {
		/* the caller is gone */
	}
	_exit(1);
}

/* The tracer process: never returns. */
static void tracer_main(int sock, char *const argv[], const struct trace_opts *o)
{
	struct tracer tr0, *tr = &tr0;
	memset(tr, 0, sizeof *tr);
	tr->sock = sock;
	tr->out[0] = tr->out[1] = -1;
	tr->default_free = !o->stepping;
	tr->enter_events = o->enter_events;
	tr->data_max = o->data_max && o->data_max < TRACE_DATA_MAX ? o->data_max : TRACE_DATA_MAX;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* nothing of sockplay's stays open here but our socket */
	if (sock != 3) {
		if (dup2(sock, 3) < 0)
			_exit(1);
		sock = tr->sock = 3;
	}
	if (syscall(SYS_close_range, 4, ~0U, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_SETMASK, &chld, NULL); /* only SIGCHLD, read from the signalfd */
	tr->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

	/*
	 * stdout and stderr: pipes. A pipe holds what was written the moment write()
	 * returns, so the lines can be put in their place among the calls (a pseudo
	 * terminal hands them on later, from a kernel worker). C's stdio buffers a
	 * pipe fully: a C program shows its lines when it flushes or ends.
	 */
	int outp[2], errp[2], ep[2];
	if (pipe2(outp, O_CLOEXEC) < 0)
		start_fail(sock, "%s: %s", argv[0], errno);
	if (tr->sigfd < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0)
		start_fail(sock, "%s: %s", argv[0], errno);

	pid_t self = getpid(), pid = fork();
	if (pid < 0)
		start_fail(sock, "%s: %s", argv[0], errno);
	if (pid == 0)
		program_child(argv, outp[1], errp[1], ep[1], self);
	close(outp[1]);
	close(errp[1]);
	close(ep[1]);
	tr->out[0] = outp[0];
	tr->out[1] = errp[0];
	fcntl(tr->out[0], F_SETFL, O_NONBLOCK);
	fcntl(tr->out[1], F_SETFL, O_NONBLOCK);

	/* the child's SIGSTOP: set the options, then follow it to its exec */
	int st, e = 0;
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		if (read(ep[0], &e, sizeof e) != sizeof e)
			e = ECHILD;
		start_fail(sock, "%s: cannot be traced: %s", argv[0], e);
	}
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)opts) < 0) {
		e = errno;
		kill(pid, SIGKILL);
		start_fail(sock, "%s: cannot be traced: %s", argv[0], e);
	}
	ptrace(PTRACE_CONT, pid, 0, 0);
	for (;;) {
		if (waitpid(pid, &st, __WALL) != pid)
			start_fail(sock, "%s: %s", argv[0], errno);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (read(ep[0], &e, sizeof e) != sizeof e)
				e = ECHILD;
			start_fail(sock, "cannot run '%s': %s", argv[0], e);
		}
		if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && (st >> 16) == PTRACE_EVENT_EXEC)
			break;
		/* before the exec: the filter's stops (its error report) and signals just go on */
		int sig = WSTOPSIG(st);
		ptrace(PTRACE_CONT, pid, 0, (void *)(long)(sig == SIGTRAP || sig == SIGSTOP ? 0 : sig));
	}
	close(ep[0]);
	struct tproc *p = proc_add(tr, pid, o->side && *o->side ? o->side : "program", tr->default_free);
	struct tthread *th = p ? thread_add(tr, pid) : NULL;
	if (!th) {
		kill(pid, SIGKILL);
		start_fail(sock, "%s: %s", argv[0], ENOMEM);
	}
	th->p = p;
	struct start_msg m = { .magic = START_MAGIC, .ok = 1, .pid = pid };
	if (send(sock, &m, sizeof m, MSG_NOSIGNAL) < 0)
		tr->quit = 1;
	ptrace(PTRACE_CONT, pid, 0, 0);

	/*
	 * Two ways to wait. Calm (every thread held, blocked or quiet): poll() on the
	 * signalfd, the commands and the output, sleeping as long as nothing happens.
	 * Busy (stops coming one after another): a blocking waitpid(), cut every
	 * TICK_MS by SIGALRM to serve the commands, the output and the blocked-call
	 * check; a tick with no stop since the last one goes back to calm. A busy
	 * program's stops thus cost a wait each, as under a bare tracer, instead of a
	 * poll, a read and a wait.
	 */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick; /* no SA_RESTART: the tick ends waitpid() with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	int busy = 0, stops = 0;
	while (!tr->quit) {
		if (all_ended(tr) && tr->out[0] < 0 && tr->out[1] < 0)
			break;
		if (busy) {
			int st;
			pid_t tid = waitpid(-1, &st, __WALL);
			if (tid > 0) {
				on_wait(tr, tid, st);
				stops++;
				if (tr->outlen && (now_ns() - tr->out_since) / 1000000 >= FLUSH_MS)
					tr_flush(tr);
				continue;
			}
			if (errno != EINTR || !stops) { /* ECHILD, or a quiet tick: calm again */
				struct itimerval off;
				memset(&off, 0, sizeof off);
				setitimer(ITIMER_REAL, &off, NULL);
				busy = 0;
			}
			stops = 0;
			serve(tr, 0);
			continue;
		}
		if (serve(tr, -1) > 0) { /* stops were collected: the program is busy */
			struct itimerval tick = { { 0, TICK_MS * 1000 }, { 0, TICK_MS * 1000 } };
			setitimer(ITIMER_REAL, &tick, NULL);
			busy = 1;
			stops = 0;
		}
	}
	tr_flush(tr);
	kill_all(tr);
	_exit(0);
}

static struct trace *start(char *const argv[], const struct trace_opts *o, char *err, size_t errlen)
{
#ifndef TRACE_ARCH
	(void)argv;
	(void)o;
	snprintf(err, errlen, "programs cannot be traced on this machine");
	return NULL;
#else
	int sv[2];
	struct trace *t = calloc(1, sizeof *t);
	if (!t || !(t->buf = malloc(BATCH_MAX))) {
		free(t);
		snprintf(err, errlen, "%s: out of memory", argv[0]);
		return NULL;
	}
	t->fd = t->tracer_pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		goto fail;
	}
	int sz = (int)BATCH_MAX * 4;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		tracer_main(sv[1], argv, o);
	}
	close(sv[1]);
	t->fd = sv[0];
	t->tracer = pid;
	t->tracer_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct start_msg m;
	struct pollfd pf = { .fd = t->fd, .events = POLLIN };
	int pr;
	while ((pr = poll(&pf, 1, START_TIMEOUT_MS)) < 0 && errno == EINTR) {
	}
	ssize_t n = pr > 0 ? recv(t->fd, &m, sizeof m, 0) : -1;
	if (n != (ssize_t)sizeof m || m.magic != START_MAGIC) {
		snprintf(err, errlen, "%s: the tracer did not start", argv[0]);
		trace_free(t);
		return NULL;
	}
	if (!m.ok) {
		snprintf(err, errlen, "%s", m.err);
		trace_free(t);
		return NULL;
	}
	t->pid = m.pid;
	track(t, m.pid, m.pid, TS_RUNNING);
	return t;
fail:
	free(t->buf);
	free(t);
	return NULL;
#endif
}

struct trace *trace_start_argv(char *const argv[], const struct trace_opts *o, char *err, size_t errlen)
{
	if (!argv || !argv[0] || !argv[0][0]) {
		snprintf(err, errlen, "the command is empty");
		return NULL;
	}
	return start(argv, o, err, errlen);
}

struct trace *trace_start(const char *command, const struct trace_opts *o, char *err, size_t errlen)
{
	int shell = 0;
	char e[200];
	char **argv = trace_split(command, &shell, e, sizeof e);
	if (!argv) {
		snprintf(err, errlen, "'%s': %s", command, e);
		return NULL;
	}
	struct trace *t;
	if (shell) {
		char *sh[] = { "sh", "-c", (char *)command, NULL };
		t = start(sh, o, err, errlen);
	} else {
		t = start(argv, o, err, errlen);
	}
	trace_argv_free(argv);
	return t;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	if (t->tracer > 0) {
		/* the tracer kills and reaps every traced process, then leaves */
		if (!t->over)
			send_cmd(t, CMD_QUIT, 0, 0);
		if (t->fd >= 0)
			shutdown(t->fd, SHUT_RDWR);
		int st;
		struct pollfd pf = { .fd = t->tracer_pidfd, .events = POLLIN };
		if (t->tracer_pidfd < 0 || poll(&pf, 1, 2000) <= 0)
			kill(t->tracer, SIGKILL); /* EXITKILL takes the traced processes with it */
		while (waitpid(t->tracer, &st, 0) < 0 && errno == EINTR) {
		}
	}
	if (t->tracer_pidfd >= 0)
		close(t->tracer_pidfd);
	if (t->fd >= 0)
		close(t->fd);
	free(t->threads);
	free(t->buf);
	free(t);
}

/* ---- rendering ---------------------------------------------------------- */

void trace_sp_event(const struct trace_event *te, struct sp_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = te->kind == TRACE_EV_BLOCKED ? SP_EV_BLOCKED : SP_EV_CALL;
	ev->actor = te->side;
	ev->call = te->req.call;
	ev->text = te->text;
	ev->resumed = te->resumed;
	ev->ret = te->res.ret;
	ev->err = te->res.err;
	ev->data = te->res.data;
	ev->data_len = te->res.data_len;
	ev->sent_len = te->sent_len;
	ev->note = te->note[0] ? te->note : NULL;
	ev->fd = te->res.fd;
	ev->socktype = te->socktype;
	ev->sock_name = "";
	ev->state = te->kind == TRACE_EV_CALL ? te->res.tcp_state : -1;
	ev->ok = 1;
	ev->elapsed_ns = te->res.elapsed_ns;
	ev->libc = te->libc;
	ev->call_label = te->req.call == SP_CALL_NONE ? trace_call_name(te->tcall) : NULL;
}

size_t trace_format(const struct trace_event *te, char *buf, size_t size)
{
	struct sp_event ev;
	if (size)
		buf[0] = 0;
	switch (te->kind) {
	case TRACE_EV_CALL:
	case TRACE_EV_BLOCKED:
	{
		trace_sp_event(te, &ev);
		return transcript_call_text(&ev, buf, size); /* with the C library's mark */
	}
	case TRACE_EV_ENTER:
		snprintf(buf, size, "%s", te->text);
		break;
	case TRACE_EV_OUTPUT:
		text_escape(te->data, te->data_len, TRACE_LINE_MAX, buf, size);
		break;
	case TRACE_EV_END:
		snprintf(buf, size, "%s", te->how);
		break;
	case TRACE_EV_SPAWN:
		snprintf(buf, size, "%s %d", te->pid == te->tid ? "process" : "thread", (int)te->tid);
		break;
	}
	return strlen(buf);
}
