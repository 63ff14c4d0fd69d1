/* raw_conns.c -- N connections (default 1 000) made directly on loopback and all kept open: for each,
 * socket() and connect() on the client side and accept() on the server's (backlog 1024), the calls
 * of the "1 000 connections" benchmark, as its baseline. One process, no drawing.
 * Like sockplay it first makes a private network namespace (unless given --host-net, or where it
 * cannot), so the connections and their TIME_WAIT remains go with it.
 * Prints nanoseconds per call (3 calls a connection), the microseconds of the whole loop and the
 * process's peak memory in KiB (ru_maxrss). */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "raw_ns.h"

int main(int argc, char **argv)
{
	int host = argc > 1 && strcmp(argv[1], "--host-net") == 0;
	long n = argc > 1 + host ? atol(argv[1 + host]) : 1000;
	if (n < 1 || n > 100000)
		return 2;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(2 * n + 16)) {
		rl.rlim_cur = (rlim_t)(2 * n + 16) < rl.rlim_max ? (rlim_t)(2 * n + 16) : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!host)
		(void)raw_netns(); /* else the host's loopback */
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1024) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0) {
		perror("bind/listen");
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0 || accept(s, NULL, NULL) < 0) {
			perror("socket/connect/accept");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%.0f %.0f %ld\n", ns / (3.0 * n), ns / 1000.0, ru.ru_maxrss);
	return 0; /* every connection is still open here */
}
