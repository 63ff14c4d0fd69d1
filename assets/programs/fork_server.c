/* fork_server.c -- the classic fork-per-client TCP server: each client gets its own process.
 *
 * Build and run on stage:
 *   cc -o fork_server fork_server.c
 *   sockplay --run server=./fork_server
 * Each child is a side of its own (server.1, server.2 ...). It greets its client, then echoes
 * what the client sends until the client closes. The parent only accepts. Port: 8888, or argv[1].
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void serve(int conn)
{
	const char hello[] = "Hello, client!";
	char buf[1024];
	ssize_t n;
	if (send(conn, hello, strlen(hello), 0) < 0)
		perror("send");
	/* recv returns 0 once the client has closed its side */
	while ((n = recv(conn, buf, sizeof buf, 0)) > 0)
		if (send(conn, buf, (size_t)n, 0) < 0)
			break;
	close(conn);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8888, on = 1;
	struct sockaddr_in addr;
	/* children that end are reaped by the kernel: no zombies, no SIGCHLD handler */
	signal(SIGCHLD, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 5) < 0) {
		perror("bind/listen");
		return 1;
	}
	printf("listening on 127.0.0.1:%d\n", port);
	for (;;) {
		int conn = accept(s, NULL, NULL);
		if (conn < 0) {
			perror("accept");
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) { /* the child: serves this client only */
			close(s);
			serve(conn);
			_exit(0);
		}
		if (pid < 0)
			perror("fork");
		close(conn); /* the parent: the child has its own copy of the connection */
	}
}
