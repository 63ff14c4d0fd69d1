/* sandbox.c -- a private user + network namespace, so fixed ports never collide and nothing is reachable from outside. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "sockplay/i18n.h"
#include "sockplay/sandbox.h"

/*
 * Why this is done twice: a process cannot leave a user namespace. Where the
 * kernel makes one but gives it no rights over its network (Ubuntu's
 * restricted user namespaces: EPERM on lo), a process that went in would be
 * stuck without any network. So a forked child tries the whole recipe first,
 * and the process itself follows only when the child succeeded.
 *
 * unshare(CLONE_NEWUSER) refuses a process with more than one thread
 * (EINVAL): call sandbox_enter() before anything starts a thread.
 */

enum sandbox_step {
	SB_DONE,
	SB_PROBE,     /* the probe child died without a word */
	SB_FORK,
	SB_UNSHARE,
	SB_SETGROUPS,
	SB_UID_MAP,
	SB_GID_MAP,
	SB_LO,
	SB_FILES,     /* the network is made; AF_UNIX paths still reach the host's files */
};

struct sandbox_report {
	int step; /* enum sandbox_step: where it failed, SB_DONE when it did not */
	int err;  /* errno there */
};

/*
 * TCP's established-connection hash is shared by every namespace unless the
 * creating one asks for a private table; dumping the shared one walks all of
 * its buckets (hundreds of thousands on a big machine) on every step.
 */
#define SANDBOX_EHASH_SYSCTL "/proc/sys/net/ipv4/tcp_child_ehash_entries"
#define SANDBOX_EHASH_SIZE "16384" /* room for 8192 TIME_WAIT sockets (half the table) */

static int sandbox_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n < 0 ? saved : EIO;
	return -1;
}

static int sandbox_lo_up(void)
{
	struct ifreq ifr;
	int fd, ret = -1, saved;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

/*
 * AF_UNIX sockets bound to a path are files: the network namespace does not
 * hide the host's (a desktop's session bus, a container daemon's socket), and
 * bind() would create files wherever the user may write. The actors get a
 * filesystem of their own instead: an empty tmpfs with a /tmp, shared by all
 * of them and gone with the session. It is mounted in a private mount
 * namespace, held by a descriptor and unmounted again at once, so this
 * process (which writes --record files) keeps seeing the host's files; each
 * actor changes its root to it (sandbox_confine()).
 */
static int sandbox_root_fd = -1;

static void sandbox_files_close(void)
{
	if (sandbox_root_fd >= 0)
		close(sandbox_root_fd);
	sandbox_root_fd = -1;
}

static int sandbox_files(void)
{
	static const char at[] = "/tmp"; /* any directory: the mount is only passing through */
	int fd;

	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	if (mount("sockplay", at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=1m,nr_inodes=65536,mode=0755") < 0)
		return -1;
	fd = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mkdirat(fd, "tmp", 01777) < 0 || umount2(at, MNT_DETACH) < 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		umount2(at, MNT_DETACH);
		errno = saved;
		return -1;
	}
	sandbox_root_fd = fd;
	atexit(sandbox_files_close);
	return 0;
}

int sandbox_confine(void)
{
	if (sandbox_root_fd < 0)
		return 0;
	if (fchdir(sandbox_root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return -1;
	close(sandbox_root_fd);
	sandbox_root_fd = -1;
	return 0;
}

static int sandbox_fail(struct sandbox_report *r, int step)
{
	r->step = step;
	r->err = errno;
	return -1;
}

/*
 * The whole recipe, in the calling process. UID and GID: the ids from outside.
 * NEST: also move into a nested namespace with a small TCP table (the trial
 * skips it: the nested namespace belongs to the same user namespace, so it
 * grants the same rights).
 */
static int sandbox_make(uid_t uid, gid_t gid, int nest, struct sandbox_report *r)
{
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return sandbox_fail(r, SB_UNSHARE);
	/* Unprivileged gid_map needs setgroups denied first; kernels before 3.19 lack the file. */
	if (sandbox_write("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return sandbox_fail(r, SB_SETGROUPS);
	snprintf(map, sizeof(map), "0 %lu 1", (unsigned long)uid);
	if (sandbox_write("/proc/self/uid_map", map) < 0)
		return sandbox_fail(r, SB_UID_MAP);
	snprintf(map, sizeof(map), "0 %lu 1", (unsigned long)gid);
	if (sandbox_write("/proc/self/gid_map", map) < 0)
		return sandbox_fail(r, SB_GID_MAP);
	/* Best effort: a nested namespace with a small private TCP table keeps
	 * every sock_diag dump cheap; without it (kernel < 6.1) the first one does. */
	if (nest && sandbox_write(SANDBOX_EHASH_SYSCTL, SANDBOX_EHASH_SIZE) == 0)
		(void)unshare(CLONE_NEWNET);
	if (sandbox_lo_up() < 0)
		return sandbox_fail(r, SB_LO);
	if (sandbox_files() < 0)
		return sandbox_fail(r, SB_FILES);
	r->step = SB_DONE;
	r->err = 0;
	return 0;
}

/* Run the recipe in a throwaway child: what would happen here, without the risk. */
static void sandbox_probe(uid_t uid, gid_t gid, struct sandbox_report *out)
{
	struct sandbox_report *shared;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED) {
		sandbox_fail(out, SB_FORK);
		return;
	}
	shared->step = SB_PROBE;
	shared->err = ECHILD;
	pid = fork();
	if (pid == 0) {
		sandbox_make(uid, gid, 0, shared);
		sandbox_files_close();
		_exit(0);
	}
	if (pid < 0) {
		sandbox_fail(out, SB_FORK);
	} else {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*out = *shared;
	}
	munmap(shared, sizeof(*shared));
}

/* The first byte of a small /proc file, or DEFAULT when it cannot be read. */
static char sandbox_peek(const char *path, const char *after, char dflt)
{
	char buf[2048];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = '\0';
	if (after) {
		char *p = strstr(buf, after);
		if (!p)
			return dflt;
		p += strlen(after);
		while (*p == ' ' || *p == '\t')
			p++;
		return *p ? *p : dflt;
	}
	return buf[0];
}

/*
 * Whether a namespace might be made without rights over its network: where
 * the kernel restricts unprivileged user namespaces (Ubuntu's AppArmor
 * setting), or a seccomp filter (a container) may refuse what the recipe
 * needs. Elsewhere the trial is skipped: it costs a fork and a whole extra
 * namespace, most of sockplay's start-up.
 */
static int sandbox_needs_probe(void)
{
	if (sandbox_peek("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", NULL, '0') != '0')
		return 1;
	return sandbox_peek("/proc/self/status", "Seccomp:", '0') != '0';
}

static const char *sandbox_why(const struct sandbox_report *r)
{
	switch (r->step) {
	case SB_PROBE:
		return _("the trial process died");
	case SB_FORK:
		return _("cannot start a trial process");
	case SB_UNSHARE:
		return _("user namespaces are not allowed here");
	case SB_SETGROUPS:
	case SB_UID_MAP:
	case SB_GID_MAP:
		return _("cannot map the user into the namespace");
	case SB_LO:
		if (r->err == EPERM || r->err == EACCES)
			return _("the namespace is granted no rights over its network");
		return _("cannot bring lo up in the namespace");
	case SB_FILES:
		return _("no private files for AF_UNIX paths");
	}
	return _("unknown failure");
}

enum sandbox_result sandbox_enter(enum sandbox_mode mode, char *msg, size_t msglen)
{
	struct sandbox_report r = { SB_DONE, 0 };
	uid_t uid = getuid();
	gid_t gid = getgid();
	char why[160];

	if (msglen)
		msg[0] = '\0';
	if (mode == SANDBOX_OFF)
		return SANDBOX_HOST;

	if (sandbox_needs_probe())
		sandbox_probe(uid, gid, &r);
	if (r.step != SB_DONE && r.step != SB_FILES) {
		snprintf(why, sizeof(why), "%s: %s", sandbox_why(&r), strerror(r.err));
		goto host;
	}
	if (sandbox_make(uid, gid, 1, &r) == 0)
		return SANDBOX_MADE;
	if (r.step == SB_FILES) { /* the network is private; say what is not */
		snprintf(msg, msglen, _("sandbox without private files: AF_UNIX paths reach the "
					"host's (%s)"), strerror(r.err));
		return SANDBOX_MADE;
	}
	if (r.step == SB_UNSHARE) {
		/* Nothing changed. The trial child had one thread; EINVAL means we do not. */
		snprintf(why, sizeof(why), "%s: %s%s",
			 r.err == EINVAL ? "unshare" : sandbox_why(&r), strerror(r.err),
			 r.err == EINVAL ? _(" (it must happen before any thread starts)") : "");
		goto host;
	}
	/* Inside a namespace that does not work, and no way out. */
	snprintf(msg, msglen, _("sandbox half made, no network (%s: %s)"), sandbox_why(&r),
		 strerror(r.err));
	return SANDBOX_FAILED;

host:
	if (mode == SANDBOX_REQUIRE) {
		snprintf(msg, msglen, _("cannot make the sandbox: %s"), why);
		return SANDBOX_FAILED;
	}
	snprintf(msg, msglen, _("no sandbox (%s); using the host network"), why);
	return SANDBOX_HOST;
}
