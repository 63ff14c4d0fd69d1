/* raw_steps.c -- N send/recv pairs made directly on a loopback connection: the
 * per-step baseline for sockplay's repeat benchmark. Prints nanoseconds per call. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long pairs = argc > 1 ? atol(argv[1]) : 5000;
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 5) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &al) < 0)
		return 1;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		return 1;
	int conn = accept(s, NULL, NULL);
	char b;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < pairs; i++) {
		if (send(c, "x", 1, 0) != 1 || recv(conn, &b, 1, 0) != 1)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("%.0f\n", ns / (2.0 * pairs));
	return 0;
}
