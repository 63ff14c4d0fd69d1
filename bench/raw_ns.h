/* raw_ns.h -- the raw baselines' private network namespace, made as sockplay makes its sandbox
 * (a user + network namespace with lo up), so that both sides of a comparison pay the same. */
#ifndef RAW_NS_H
#define RAW_NS_H

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void raw_ns_put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror(path);
		close(fd);
	}
}

/* 0 in a new namespace with lo up; -1 when none could be made (the host's loopback then). */
static int raw_netns(void)
{
	char m[64];
	unsigned uid = getuid(), gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -1;
	raw_ns_put("/proc/self/setgroups", "deny");
	snprintf(m, sizeof m, "0 %u 1", uid);
	raw_ns_put("/proc/self/uid_map", m);
	snprintf(m, sizeof m, "0 %u 1", gid);
	raw_ns_put("/proc/self/gid_map", m);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	int rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return rc;
}

#endif
