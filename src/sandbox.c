/* sandbox.c -- a private network namespace (through a user namespace, or directly with CAP_SYS_ADMIN), so fixed ports never collide and nothing is reachable from outside. */
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>

#include "sockplay/i18n.h"
#include "sockplay/sandbox.h"

/*
 * The recipes, in the order sandbox_enter() tries them, and why:
 *
 *  1. "user namespace": a user namespace owning new network and mount
 *     namespaces. Any user, no privilege; the actors keep the user's ids.
 *     Refused by a container runtime's seccomp filter (EPERM), in a chroot
 *     (the kernel refuses CLONE_NEWUSER to a chrooted process), by sysctls
 *     (user.max_user_namespaces=0), and made powerless by Ubuntu's AppArmor
 *     rule (kernel.apparmor_restrict_unprivileged_userns=1: the namespace is
 *     made but holds no rights over its network). First, because it needs
 *     nothing and changes nobody's identity.
 *  2. "network namespace as root": the network and mount namespaces made
 *     directly, which needs CAP_SYS_ADMIN (root in a chroot, a VM, a
 *     privileged container, a lab machine's root account). The actors drop
 *     to the user who ran sudo (SUDO_UID, SUDO_GID), else stay as they are.
 *
 * Why the first is tried twice: a process cannot leave a user namespace.
 * Where the kernel makes one but gives it no rights over its network, a
 * process that went in would be stuck without any network. So where that may
 * happen (sandbox_needs_probe()) a forked child tries the whole recipe first,
 * and the process itself follows only when the child succeeded. The second
 * needs no trial: with CAP_SYS_ADMIN the process can go back where it was.
 *
 * unshare(CLONE_NEWUSER) refuses a process with more than one thread (EINVAL),
 * and the second recipe would move only the calling thread: call
 * sandbox_enter() before anything starts one.
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
	SB_MOUNTNS,   /* direct: unshare(CLONE_NEWNS) */
	SB_NETNS,     /* direct: unshare(CLONE_NEWNET) */
};

struct sandbox_report {
	int step; /* enum sandbox_step: where it failed, SB_DONE when it did not */
	int err;  /* errno there */
	int stuck; /* the process is in a namespace that does not work and cannot leave */
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
 * of them and gone with the session, held by a descriptor and mounted nowhere
 * this process (which writes --record files) or the host would see it; each
 * actor changes its root to it (sandbox_confine()).
 */
static int sandbox_root_fd = -1;
/* The ids the actors take in sandbox_confine(); -1: they keep theirs. */
static uid_t sandbox_uid = (uid_t)-1;
static gid_t sandbox_gid = (gid_t)-1;

static void sandbox_files_close(void)
{
	if (sandbox_root_fd >= 0)
		close(sandbox_root_fd);
	sandbox_root_fd = -1;
}

static int sandbox_files_hold(int fd)
{
	/* 1777 whatever the umask: actors may run as the user who ran sudo */
	if (mkdirat(fd, "tmp", 0700) < 0 || fchmodat(fd, "tmp", 01777, 0) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	sandbox_root_fd = fd;
	atexit(sandbox_files_close);
	return 0;
}

/* In a user namespace's private mount namespace: mounted on /tmp for a moment, then detached. */
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
	if (fd < 0 || umount2(at, MNT_DETACH) < 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		umount2(at, MNT_DETACH);
		errno = saved;
		return -1;
	}
	return sandbox_files_hold(fd);
}

/*
 * Outside a user namespace, "/" may be no mount point at all (a chroot) and
 * the mounts may propagate to the host's: the tmpfs is made as a mount that
 * is attached nowhere (fsopen/fsmount, Linux 5.2), so nothing can propagate.
 */
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif

static int sandbox_files_detached(void)
{
#if defined(SYS_fsopen) && defined(SYS_fsconfig) && defined(SYS_fsmount)
	static const char *const opts[][2] = { { "size", "1m" }, { "nr_inodes", "65536" },
					       { "mode", "0755" } };
	int fs, fd, saved;

	fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, opts[i][0], opts[i][1], 0) < 0)
			goto fail;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (fd < 0)
		goto fail;
	close(fs);
	return sandbox_files_hold(fd);
fail:
	saved = errno;
	close(fs);
	errno = saved;
	return -1;
#else
	errno = ENOSYS;
	return -1;
#endif
}

int sandbox_confine(void)
{
	if (sandbox_root_fd >= 0) {
		if (fchdir(sandbox_root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
			return -1;
		close(sandbox_root_fd);
		sandbox_root_fd = -1;
	}
	return sandbox_drop_ids();
}

int sandbox_files_private(void)
{
	return sandbox_root_fd >= 0;
}

int sandbox_drop_ids(void)
{
	if (sandbox_gid != (gid_t)-1 &&
	    (setgroups(1, &sandbox_gid) < 0 || setresgid(sandbox_gid, sandbox_gid, sandbox_gid) < 0))
		return -1;
	if (sandbox_uid != (uid_t)-1 && setresuid(sandbox_uid, sandbox_uid, sandbox_uid) < 0)
		return -1;
	return 0;
}

static int sandbox_fail(struct sandbox_report *r, int step)
{
	r->step = step;
	r->err = errno;
	return -1;
}

/*
 * Recipe 1, in the calling process. NEST: also move into a nested namespace
 * with a small TCP table (the trial skips it: the nested namespace belongs to
 * the same user namespace, so it grants the same rights).
 */
static int sandbox_userns(int nest, struct sandbox_report *r)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return sandbox_fail(r, SB_UNSHARE);
	r->stuck = 1; /* from here on, a failure leaves the process in there */
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
	r->stuck = 0;
	if (sandbox_files() < 0)
		return sandbox_fail(r, SB_FILES);
	r->step = SB_DONE;
	r->err = 0;
	return 0;
}

/* The ids of the user who ran sudo, for the actors; none when not run through sudo as root. */
static void sandbox_sudo_ids(void)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char *end;
	unsigned long uid, gid;

	sandbox_uid = (uid_t)-1;
	sandbox_gid = (gid_t)-1;
	if (getuid() != 0 || !u || !g || !*u || !*g)
		return;
	errno = 0;
	uid = strtoul(u, &end, 10);
	if (errno || *end || uid == 0 || uid >= (uid_t)-1)
		return;
	gid = strtoul(g, &end, 10);
	if (errno || *end || gid >= (gid_t)-1)
		return;
	sandbox_uid = (uid_t)uid;
	sandbox_gid = (gid_t)gid;
}

/*
 * Recipe 2: the namespaces made directly (CAP_SYS_ADMIN). The mount namespace
 * and the private files first: a failure there leaves the network as it was
 * (a private copy of the mount table changes nothing this process sees). A
 * failure with the network returns to the host's namespace, so it needs no
 * trial.
 */
static int sandbox_direct(int nest, struct sandbox_report *r)
{
	int host = -1, files_err = 0;

	if (unshare(CLONE_NEWNS) < 0)
		return sandbox_fail(r, SB_MOUNTNS);
	if (sandbox_files_detached() < 0)
		files_err = errno;
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (unshare(CLONE_NEWNET) < 0) {
		sandbox_fail(r, SB_NETNS);
		goto undo;
	}
	if (nest && sandbox_write(SANDBOX_EHASH_SYSCTL, SANDBOX_EHASH_SIZE) == 0)
		(void)unshare(CLONE_NEWNET);
	if (sandbox_lo_up() < 0) {
		sandbox_fail(r, SB_LO);
		if (host < 0 || setns(host, CLONE_NEWNET) < 0)
			r->stuck = 1;
		goto undo;
	}
	if (host >= 0)
		close(host);
	sandbox_sudo_ids();
	if (files_err) {
		errno = files_err;
		return sandbox_fail(r, SB_FILES);
	}
	r->step = SB_DONE;
	r->err = 0;
	return 0;
undo:
	if (host >= 0)
		close(host);
	sandbox_files_close();
	return -1;
}

/* Run recipe 1 in a throwaway child: what would happen here, without the risk. */
static void sandbox_probe(struct sandbox_report *out)
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
	shared->stuck = 0;
	pid = fork();
	if (pid == 0) {
		sandbox_userns(0, shared);
		sandbox_files_close();
		_exit(0);
	}
	if (pid < 0) {
		sandbox_fail(out, SB_FORK);
	} else {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*out = *shared;
		out->stuck = 0; /* the child was, not this process */
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
		if (r->err == EINVAL)
			return _("not with threads running (it must happen before any thread starts)");
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
	case SB_MOUNTNS:
	case SB_NETNS:
		if (r->err == EPERM)
			return _("needs CAP_SYS_ADMIN, which this process does not have");
		return _("cannot make the namespace");
	}
	return _("unknown failure");
}

struct sandbox_recipe {
	const char *name; /* N_(): how the messages name it */
	int (*make)(int nest, struct sandbox_report *r);
	int (*needs_trial)(void); /* whether a failure could leave the process stuck */
};

static int sandbox_no_trial(void)
{
	return 0;
}

/* In the order they are tried; the comment at the top of the file says why. */
static const struct sandbox_recipe sandbox_recipes[] = {
	{ N_("user namespace"), sandbox_userns, sandbox_needs_probe },
	{ N_("network namespace as root"), sandbox_direct, sandbox_no_trial },
};

#define SANDBOX_NRECIPES (sizeof(sandbox_recipes) / sizeof(sandbox_recipes[0]))

static struct sandbox_report sandbox_last[SANDBOX_NRECIPES]; /* of the last sandbox_enter() */
static int sandbox_tried;

/* "RECIPE: WHY: ERROR; RECIPE: ...", each recipe tried and why it failed. */
static void sandbox_reasons(char *buf, size_t len)
{
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < sandbox_tried && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s%s: %s: %s", i ? "; " : "",
				 _(sandbox_recipes[i].name), sandbox_why(&sandbox_last[i]),
				 strerror(sandbox_last[i].err));
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

const char *sandbox_advice(void)
{
	if (sandbox_tried < 1 || sandbox_last[0].step == SB_DONE)
		return NULL;
	if (sandbox_peek("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", NULL, '0') == '1')
		return _("this system's AppArmor rule refuses user namespaces to programs without a "
			 "profile: run `sudo make install` and start the installed sockplay (its profile "
			 "allows them), or lift the rule for every program with `sudo sysctl "
			 "kernel.apparmor_restrict_unprivileged_userns=0` (it weakens a defence against "
			 "kernel exploits)");
	if (sandbox_tried > 1 && sandbox_last[1].err == EPERM &&
	    (sandbox_last[1].step == SB_MOUNTNS || sandbox_last[1].step == SB_NETNS) &&
	    sandbox_peek("/proc/self/status", "Seccomp:", '0') != '0')
		return _("in a container the runtime refuses namespaces: start the container with "
			 "--privileged to get the sandbox, or run sockplay on the host");
	return NULL;
}

enum sandbox_result sandbox_enter(enum sandbox_mode mode, char *msg, size_t msglen)
{
	char why[640];

	if (msglen)
		msg[0] = '\0';
	sandbox_tried = 0;
	if (mode == SANDBOX_OFF)
		return SANDBOX_HOST;

	for (size_t i = 0; i < SANDBOX_NRECIPES; i++) {
		const struct sandbox_recipe *rc = &sandbox_recipes[i];
		struct sandbox_report *r = &sandbox_last[i];

		*r = (struct sandbox_report){ SB_DONE, 0, 0 };
		sandbox_tried = (int)i + 1;
		if (rc->needs_trial()) {
			sandbox_probe(r);
			if (r->step != SB_DONE && r->step != SB_FILES)
				continue;
		}
		if (rc->make(1, r) == 0)
			return SANDBOX_MADE;
		if (r->step == SB_FILES) { /* the network is private; say what is not */
			snprintf(msg, msglen, _("sandbox without private files: AF_UNIX paths reach the "
						"host's (%s)"), strerror(r->err));
			return SANDBOX_MADE;
		}
		if (r->stuck) {
			/* Inside a namespace that does not work, and no way out. */
			snprintf(msg, msglen, _("sandbox half made, no network (%s: %s)"),
				 sandbox_why(r), strerror(r->err));
			return SANDBOX_FAILED;
		}
	}
	sandbox_reasons(why, sizeof(why));
	if (mode == SANDBOX_REQUIRE) {
		snprintf(msg, msglen, _("cannot make the sandbox: %s"), why);
		return SANDBOX_FAILED;
	}
	snprintf(msg, msglen, _("no sandbox (%s); using the host network"), why);
	return SANDBOX_HOST;
}
