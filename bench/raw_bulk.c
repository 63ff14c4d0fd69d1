/* raw_bulk.c -- the "100 MB through one connection" benchmark's calls made directly, as its baseline:
 * a child process sends 100 000 000 bytes with one send(), the parent receives them with ten
 * recv(10 000 000, MSG_WAITALL), both on loopback, two processes as sockplay's two actors.
 * Like sockplay it first makes a private network namespace (unless given --host-net, or where it
 * cannot). Prints the microseconds from connect() to the last byte received. */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw_ns.h"

#define TOTAL 100000000L
#define CHUNK 10000000L

int main(int argc, char **argv)
{
	if (!(argc > 1 && strcmp(argv[1], "--host-net") == 0))
		(void)raw_netns(); /* else the host's loopback */
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 5) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0) {
		perror("bind/listen");
		return 1;
	}
	char *buf = malloc(TOTAL); /* the sender's bytes, and the receiver's buffer after the fork */
	if (!buf)
		return 1;
	memset(buf, 'x', TOTAL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof a) < 0 || send(c, buf, TOTAL, 0) != TOTAL)
			_exit(1);
		close(c);
		_exit(0);
	}
	int conn = accept(s, NULL, NULL);
	long got = 0;
	for (int i = 0; i < TOTAL / CHUNK; i++) {
		ssize_t r = recv(conn, buf, CHUNK, MSG_WAITALL);
		if (r != CHUNK)
			break;
		got += r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int st = 1;
	waitpid(pid, &st, 0);
	if (got != TOTAL || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "raw_bulk: %ld bytes received\n", got);
		return 1;
	}
	printf("%.0f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000.0);
	return 0;
}
