/* test_sandbox.c -- each recipe of the sandbox really isolates, and where none works the process is left as it was and told why. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "sockplay/kview.h"
#include "sockplay/sandbox.h"

#define FIXED_PORT 8888

/*
 * Entering a namespace cannot be undone, so every test that may enter one
 * runs in a forked child. The child's verdict comes back through a pipe:
 * nothing for success, "skip: ..." or a failure message.
 */
typedef void (*child_fn)(char *why, size_t len);

#define CHECK(cond, ...)                                          \
	do {                                                          \
		if (!(cond)) {                                            \
			int n_ = snprintf(why, len, "line %d: ", __LINE__);   \
			snprintf(why + n_, len - n_, __VA_ARGS__);            \
			return;                                               \
		}                                                         \
	} while (0)

static void in_child(child_fn fn)
{
	char why[512] = "";
	int p[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		fn(why, sizeof(why));
		if (write(p[1], why, strlen(why)) < 0)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], why + got, sizeof(why) - 1 - got)) > 0)
		got += (size_t)n;
	why[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child died (status %#x) %s", status, why);
	if (strncmp(why, "skip: ", 6) == 0) {
		fprintf(stderr, "%s\n", why);
		skip();
	}
	if (why[0])
		fail_msg("%s", why);
}

static ino_t netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

static ino_t userns(void)
{
	struct stat st;

	return stat("/proc/self/ns/user", &st) == 0 ? st.st_ino : 0;
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) < 0)
		return 0;
	return c;
}

/* A socket bound to 127.0.0.1:PORT (0: the kernel picks), or -1 with errno. */
static int bind_lo(int type, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), saved;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	return ntohs(sin.sin_port);
}

/* A TCP connection over 127.0.0.1 works here: listener, connect, accept, one byte. */
static int loopback_works(char *err, size_t errlen)
{
	int l = bind_lo(SOCK_STREAM, 0), c = -1, a = -1, ok = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char b;

	if (l < 0 || listen(l, 1) < 0)
		goto end;
	sin.sin_port = htons(port_of(l));
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto end;
	a = accept(l, NULL, NULL);
	if (a < 0 || send(c, "x", 1, 0) != 1 || recv(a, &b, 1, 0) != 1)
		goto end;
	ok = 1;
end:
	if (!ok)
		snprintf(err, errlen, "loopback TCP failed: %s", strerror(errno));
	if (a >= 0)
		close(a);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return ok;
}

static int lo_is_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), up;

	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	close(fd);
	return up;
}

/* --host-net: nothing happens, nothing is said. */
static void test_off(void **state)
{
	char msg[64] = "garbage";
	ino_t before = netns();
	(void)state;

	assert_int_equal(sandbox_enter(SANDBOX_OFF, msg, sizeof(msg)), SANDBOX_HOST);
	assert_string_equal(msg, "");
	assert_true(netns() == before);
}

/* Held on the host while the child runs: the fixed port and one the kernel picked. */
static int host_fixed = -1, host_any = -1, host_any_port;
static uint64_t host_cookie;
static ino_t host_netns;

static void child_require(char *why, size_t len)
{
	char msg[256] = "garbage";
	enum sandbox_result r = sandbox_enter(SANDBOX_REQUIRE, msg, sizeof(msg));
	int fixed, any, c, a, u, sv[2];
	uint64_t mine[8];
	size_t nmine = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct kv_table t = { 0 };
	char err[256];

	if (r == SANDBOX_FAILED && strstr(msg, "user namespaces are not allowed")) {
		snprintf(why, len, "skip: %s", msg);
		return;
	}
	CHECK(r == SANDBOX_MADE, "result %d, message '%s'", r, msg);
	CHECK(msg[0] == '\0', "message '%s'", msg);
	CHECK(netns() != host_netns, "still in the host's network namespace");
	CHECK(getuid() == 0, "uid %ld inside, not 0", (long)getuid());
	CHECK(lo_is_up(), "lo is down");

	/* Ports the host holds are free in here. */
	fixed = bind_lo(SOCK_STREAM, FIXED_PORT);
	CHECK(fixed >= 0, "bind 127.0.0.1:%d: %s", FIXED_PORT, strerror(errno));
	any = bind_lo(SOCK_STREAM, host_any_port);
	CHECK(any >= 0, "bind 127.0.0.1:%d: %s", host_any_port, strerror(errno));

	/* The kernel view here lists this namespace's sockets only. */
	CHECK(listen(fixed, 5) == 0, "listen: %s", strerror(errno));
	sin.sin_port = htons(FIXED_PORT);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(c >= 0 && connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0, "connect: %s",
	      strerror(errno));
	a = accept(fixed, NULL, NULL);
	CHECK(a >= 0, "accept: %s", strerror(errno));
	u = bind_lo(SOCK_DGRAM, 0);
	CHECK(u >= 0, "udp: %s", strerror(errno));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %s",
	      strerror(errno));
	mine[nmine++] = cookie_of(fixed);
	mine[nmine++] = cookie_of(any);
	mine[nmine++] = cookie_of(c);
	mine[nmine++] = cookie_of(a);
	mine[nmine++] = cookie_of(u);
	mine[nmine++] = cookie_of(sv[0]);
	mine[nmine++] = cookie_of(sv[1]);

	CHECK(kview_dump(&t, err, sizeof(err)) == 0, "kview_dump: %s", err);
	for (size_t i = 0; i < nmine; i++) /* "any" (1) is only bound: not dumped */
		CHECK(i == 1 || kview_find(&t, mine[i]), "socket %zu of the sandbox not listed", i);
	CHECK(!kview_find(&t, host_cookie), "the host's socket is listed in the sandbox");
	for (size_t i = 0; i < t.n; i++) {
		size_t j = 0;

		while (j < nmine && mine[j] != t.v[i].cookie)
			j++;
		/* "any" is only bound: kview does not ask for such sockets, but a kernel
		 * before 6.8 may report it as CLOSE among the others. */
		CHECK(j < nmine, "a socket not made here is listed (family %d, state %d)",
		      t.v[i].family, t.v[i].state);
	}
	CHECK(kview_find(&t, cookie_of(fixed))->state == 10, "listener not LISTEN");
	kview_free(&t);
	CHECK(loopback_works(err, sizeof(err)), "%s", err);
	close(sv[0]);
	close(sv[1]);
	close(u);
	close(a);
	close(c);
	close(any);
	close(fixed);
}

/* --sandbox: a private network with lo up, where the host's ports are free. */
static void test_require_isolates(void **state)
{
	(void)state;

	host_netns = netns();
	/* Taken already by someone else on the host serves as well. */
	host_fixed = bind_lo(SOCK_STREAM, FIXED_PORT);
	if (host_fixed < 0)
		assert_int_equal(errno, EADDRINUSE);
	host_any = bind_lo(SOCK_STREAM, 0);
	assert_true(host_any >= 0);
	assert_int_equal(listen(host_any, 1), 0);
	host_any_port = port_of(host_any);
	host_cookie = cookie_of(host_any);

	in_child(child_require);

	close(host_any);
	if (host_fixed >= 0)
		close(host_fixed);
	assert_true(netns() == host_netns);
}

static void child_auto(char *why, size_t len)
{
	char msg[256], err[128];
	ino_t before = netns();
	enum sandbox_result r = sandbox_enter(SANDBOX_AUTO, msg, sizeof(msg));

	CHECK(r == SANDBOX_MADE || r == SANDBOX_HOST, "result %d, message '%s'", r, msg);
	if (r == SANDBOX_HOST) {
		CHECK(strncmp(msg, "no sandbox (", 12) == 0, "message '%s'", msg);
		CHECK(netns() == before, "moved, yet on the host network");
		snprintf(why, len, "skip: %s", msg);
		return;
	}
	CHECK(msg[0] == '\0', "message '%s'", msg);
	CHECK(netns() != before, "not moved");
	CHECK(lo_is_up(), "lo is down");
	CHECK(loopback_works(err, sizeof(err)), "%s", err);
}

static void test_auto(void **state)
{
	(void)state;
	in_child(child_auto);
}


/*
 * Whether the first recipe meets something here that the test did not
 * arrange: a seccomp filter or AppArmor's rule already (a trial child then
 * makes the attempt), or no user namespaces at all.
 */
static int userns_refused_here(void)
{
	FILE *fp = fopen("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "r");
	char line[256];
	int restricted = 0, status;
	pid_t pid;

	if (fp) {
		restricted = fgetc(fp) == '1';
		fclose(fp);
	}
	fp = fopen("/proc/self/status", "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (strncmp(line, "Seccomp:", 8) == 0 && atoi(line + 8) != 0)
			restricted = 1;
	if (fp)
		fclose(fp);
	if (restricted)
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	return pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	       WEXITSTATUS(status) != 0;
}

/*
 * Whether this process may make namespaces directly: CAP_SYS_ADMIN in its
 * effective set (root, unless a container or the tests took it away).
 */
static int has_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (d[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

/* What the second recipe says when CAP_SYS_ADMIN is missing. */
#define NO_SYS_ADMIN "needs CAP_SYS_ADMIN, which this process does not have"

/*
 * Both modes where no recipe may work; the process must be where it was.
 * USER and DIRECT: what each recipe must say ("WHY: ERROR"), NULL for USER:
 * whatever it says (it depends on the host, and is not what is tested).
 */
static void expect_refusal(char *why, size_t len, const char *user, const char *direct)
{
	char msg[1024], want[512], err[128];
	ino_t net = netns(), user_ns = userns();
	enum sandbox_result r;
	const char *mode[2] = { "AUTO", "REQUIRE" };

	for (int i = 0; i < 2; i++) {
		const char *pre = i ? "cannot make the sandbox: " : "no sandbox (";
		const char *post = i ? "" : "); using the host network";
		size_t lm, lw;

		r = sandbox_enter(i ? SANDBOX_REQUIRE : SANDBOX_AUTO, msg, sizeof(msg));
		CHECK(r == (i ? SANDBOX_FAILED : SANDBOX_HOST), "%s: result %d, message '%s'",
		      mode[i], r, msg);
		if (user) {
			snprintf(want, sizeof(want), "%suser namespace: %s; network namespace as root: %s%s",
				 pre, user, direct, post);
			CHECK(strcmp(msg, want) == 0, "%s: message '%s', not '%s'", mode[i], msg, want);
		} else {
			snprintf(want, sizeof(want), "; network namespace as root: %s%s", direct, post);
			lm = strlen(msg);
			lw = strlen(want);
			CHECK(strncmp(msg, pre, strlen(pre)) == 0 &&
			      strncmp(msg + strlen(pre), "user namespace: ", 16) == 0 &&
			      lm > lw && strcmp(msg + lm - lw, want) == 0,
			      "%s: message '%s', not '%suser namespace: ...%s'", mode[i], msg, pre, want);
		}
		CHECK(netns() == net && userns() == user_ns, "%s moved the process", mode[i]);
	}
	CHECK(loopback_works(err, sizeof(err)), "%s", err);
}

static int drop_sys_admin(void);

/* A user whose id has no mapping may not make a user namespace: the kernel says EPERM. */
static void child_userns_refused(char *why, size_t len)
{
	char reason[128], direct[128];

	if (unshare(CLONE_NEWUSER) < 0) {
		snprintf(why, len, "skip: no user namespaces to test with: %s", strerror(errno));
		return;
	}
	/* No uid_map written: this process is now unmapped. It holds CAP_SYS_ADMIN over
	 * namespaces it would make from here, though: without it, no recipe is left. */
	CHECK(drop_sys_admin() == 0, "cannot drop CAP_SYS_ADMIN: %s", strerror(errno));
	snprintf(reason, sizeof(reason), "user namespaces are not allowed here: %s",
		 strerror(EPERM));
	snprintf(direct, sizeof(direct), NO_SYS_ADMIN ": %s", strerror(EPERM));
	expect_refusal(why, len, reason, direct);
}

static void test_fallback_userns_refused(void **state)
{
	(void)state;
	in_child(child_userns_refused);
}

/*
 * A namespace that holds no rights over its network (as under Ubuntu's
 * restricted user namespaces): here a seccomp filter makes SIOCSIFFLAGS fail
 * with EPERM. The process must not be left inside it.
 */
#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static void child_lo_refused(char *why, size_t len)
{
#ifdef TEST_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIOCSIFFLAGS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	char reason[128], direct[128];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		snprintf(why, len, "skip: no seccomp to test with: %s", strerror(errno));
		return;
	}
	if (!lo_is_up()) {
		snprintf(why, len, "skip: lo is not up on this host");
		return;
	}
	snprintf(reason, sizeof(reason), "the namespace is granted no rights over its network: %s",
		 strerror(EPERM));
	/* With CAP_SYS_ADMIN the second recipe goes in, finds lo refused too, and comes back out. */
	snprintf(direct, sizeof(direct), "%s: %s",
		 has_sys_admin() ? "the namespace is granted no rights over its network" : NO_SYS_ADMIN,
		 strerror(EPERM));
	expect_refusal(why, len, userns_refused_here() ? NULL : reason, direct);
#else
	snprintf(why, len, "skip: seccomp filter written for x86_64 and aarch64 only");
#endif
}

static void test_fallback_lo_refused(void **state)
{
	(void)state;
	in_child(child_lo_refused);
}

/*
 * As a container runtime does: a seccomp filter that refuses new user
 * namespaces (EPERM from unshare and clone; clone3, whose flags a filter
 * cannot read, says ENOSYS so that the C library falls back to clone).
 */
static int refuse_userns(void)
{
#ifdef TEST_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 0, 9),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 3),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -1;
	return 0;
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* As a default container does: no CAP_SYS_ADMIN, not even in the bounding set. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int i = CAP_SYS_ADMIN / 32;
	unsigned bit = 1u << (CAP_SYS_ADMIN % 32);

	/* Only a process with CAP_SETPCAP may shrink the bounding set; others have nothing to drop. */
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0 && errno != EPERM)
		return -1;
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[i].effective &= ~bit;
	d[i].permitted &= ~bit;
	d[i].inheritable &= ~bit;
	return (int)syscall(SYS_capset, &h, d);
}

/*
 * The second recipe: user namespaces refused (as in a container, or a
 * chroot), CAP_SYS_ADMIN kept (root in a chroot, a privileged container).
 * The sandbox is made without a user namespace, isolates as the first does,
 * and the actors take the ids of the user who ran sudo.
 */
static void child_direct(char *why, size_t len)
{
	char msg[1024] = "garbage", err[256];
	ino_t user_ns = userns();
	enum sandbox_result r;
	int fixed, status, p[2];
	pid_t pid;

	if (!has_sys_admin()) {
		snprintf(why, len, "skip: needs CAP_SYS_ADMIN (root)");
		return;
	}
	if (refuse_userns() < 0) {
		snprintf(why, len, "skip: no seccomp to test with: %s", strerror(errno));
		return;
	}
	CHECK(unshare(CLONE_NEWUSER) < 0 && errno == EPERM, "the filter lets user namespaces through");
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65533", 1);
	r = sandbox_enter(SANDBOX_REQUIRE, msg, sizeof(msg));
	CHECK(r == SANDBOX_MADE, "result %d, message '%s'", r, msg);
	CHECK(msg[0] == '\0', "message '%s'", msg);
	CHECK(netns() != host_netns, "still in the host's network namespace");
	CHECK(userns() == user_ns, "a user namespace was made after all");
	CHECK(getuid() == 0, "this process is uid %ld, not root any more", (long)getuid());
	CHECK(lo_is_up(), "lo is down");
	fixed = bind_lo(SOCK_STREAM, FIXED_PORT);
	CHECK(fixed >= 0, "bind 127.0.0.1:%d (held on the host): %s", FIXED_PORT, strerror(errno));
	close(fixed);
	CHECK(loopback_works(err, sizeof(err)), "%s", err);

	/* An actor: the private files as its root, the sudo user's ids. */
	CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		char got[160];
		int n;

		if (sandbox_confine() < 0)
			n = snprintf(got, sizeof(got), "sandbox_confine: %s", strerror(errno));
		else
			n = snprintf(got, sizeof(got), "%ld %ld %d %d", (long)getuid(), (long)getgid(),
				     access("/tmp", W_OK) == 0, access("/proc", F_OK) == 0);
		if (write(p[1], got, (size_t)n) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	memset(err, 0, sizeof(err));
	CHECK(read(p[0], err, sizeof(err) - 1) > 0, "the actor said nothing");
	close(p[0]);
	waitpid(pid, &status, 0);
	CHECK(strcmp(err, "65534 65533 1 0") == 0,
	      "actor: '%s', not uid 65534, gid 65533, /tmp writable, no /proc", err);
}

static void test_direct(void **state)
{
	(void)state;

	host_netns = netns();
	host_fixed = bind_lo(SOCK_STREAM, FIXED_PORT);
	in_child(child_direct);
	if (host_fixed >= 0)
		close(host_fixed);
	assert_true(netns() == host_netns);
}

/*
 * No recipe: user namespaces refused and no CAP_SYS_ADMIN (a default
 * container). --sandbox says what each recipe met; the advice names the way out.
 */
static void child_none(char *why, size_t len)
{
	char user[128], direct[128];
	const char *advice;

	if (refuse_userns() < 0) {
		snprintf(why, len, "skip: no seccomp to test with: %s", strerror(errno));
		return;
	}
	CHECK(drop_sys_admin() == 0, "cannot drop CAP_SYS_ADMIN: %s", strerror(errno));
	CHECK(!has_sys_admin(), "CAP_SYS_ADMIN still there");
	snprintf(user, sizeof(user), "user namespaces are not allowed here: %s", strerror(EPERM));
	snprintf(direct, sizeof(direct), NO_SYS_ADMIN ": %s", strerror(EPERM));
	expect_refusal(why, len, user, direct);
	if (why[0])
		return;
	advice = sandbox_advice();
	CHECK(advice && (strstr(advice, "--privileged") || strstr(advice, "apparmor_restrict")),
	      "advice '%s'", advice ? advice : "(none)");
}

static void test_none(void **state)
{
	(void)state;
	in_child(child_none);
}

static void *idle_thread(void *arg)
{
	int fd = *(int *)arg;
	char b;

	while (read(fd, &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Called too late, after a thread started: the kernel refuses, the process stays on the host. */
static void child_threaded(char *why, size_t len)
{
	int p[2];
	pthread_t th;
	char reason[160], direct[128];

	/* Recipe 2 does not mind threads (the calling thread moves): this is about recipe 1. */
	CHECK(drop_sys_admin() == 0, "cannot drop CAP_SYS_ADMIN: %s", strerror(errno));
	CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
	CHECK(pthread_create(&th, NULL, idle_thread, &p[0]) == 0, "pthread_create");
	snprintf(reason, sizeof(reason),
		 "not with threads running (it must happen before any thread starts): %s",
		 strerror(EINVAL));
	snprintf(direct, sizeof(direct), NO_SYS_ADMIN ": %s", strerror(EPERM));
	/* Where a trial child makes the attempt (seccomp, AppArmor), it has one thread. */
	expect_refusal(why, len, userns_refused_here() ? NULL : reason, direct);
	if (write(p[1], "x", 1) == 1)
		pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
}

static void test_fallback_threaded(void **state)
{
	(void)state;
	in_child(child_threaded);
}

/* A message buffer of any size, even none, is safe. */
static void test_short_message(void **state)
{
	char msg[8];
	(void)state;

	assert_int_equal(sandbox_enter(SANDBOX_OFF, NULL, 0), SANDBOX_HOST);
	assert_int_equal(sandbox_enter(SANDBOX_OFF, msg, sizeof(msg)), SANDBOX_HOST);
	assert_string_equal(msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_short_message),
		cmocka_unit_test(test_require_isolates),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_fallback_userns_refused),
		cmocka_unit_test(test_fallback_lo_refused),
		cmocka_unit_test(test_fallback_threaded),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
