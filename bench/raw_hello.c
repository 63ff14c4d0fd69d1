/* raw_hello.c -- the hello demo's calls made directly, as the baseline for `make bench`.
 * Like sockplay it first makes a private network namespace (unless given --host-net). */

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "raw_ns.h"

int main(int argc, char **argv)
{
	if (!(argc > 1 && strcmp(argv[1], "--host-net") == 0) && raw_netns() < 0) {
		perror("sandbox");
		return 1;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8888) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char buf[1024];
	int one = 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 5) < 0) {
		perror("bind/listen");
		return 1;
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	int conn = accept(s, NULL, NULL);
	send(conn, "Hello, client!", 14, 0);
	ssize_t n = recv(c, buf, sizeof buf, 0);
	close(c);
	ssize_t z = recv(conn, buf, sizeof buf, 0);
	close(conn);
	close(s);
	return n == 14 && z == 0 ? 0 : 1;
}
