/* kview.h -- the kernel's view of sockets, read with sock_diag as `ss` does. */
#ifndef SOCKPLAY_KVIEW_H
#define SOCKPLAY_KVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* One socket as the kernel reports it. */
struct kv_sock {
	uint64_t cookie;               /* SO_COOKIE: how rows are matched to the actors' sockets */
	int family;                    /* AF_INET, AF_INET6, AF_UNIX */
	int type;                      /* SOCK_STREAM, SOCK_DGRAM */
	int state;                     /* TCP state number (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11);
	                                  UDP: TCP_ESTABLISHED when connected, TCP_CLOSE otherwise;
	                                  UNIX: the kernel's unix state, mapped the same way (LISTEN,
	                                  ESTABLISHED, CLOSE) */
	struct sockaddr_storage local; /* AF_UNIX: sun_path, abstract with a leading NUL */
	struct sockaddr_storage peer;  /* family AF_UNSPEC when none */
	uint32_t rq, wq;               /* Recv-Q / Send-Q; for a listener: accept queue / backlog */
	uint32_t inode;                /* 0 for closed or not-yet-accepted sockets */
	uint32_t timer_ms;             /* time left on the socket's timer (TIME_WAIT ...), 0 if none */
	int timer;                     /* which timer runs: 0 none, 1 retransmit, 2 keepalive,
	                                  3 TIME_WAIT, 4 zero-window probe (as the kernel numbers them) */
	uint32_t peer_inode;           /* AF_UNIX: the peer socket's inode; 0 when unconnected or
	                                  while the server end is not accepted yet */
	int has_info;                  /* TCP: the figures below are filled */
	uint32_t rtt_us, rttvar_us;
	uint32_t snd_cwnd;
	uint32_t unacked;              /* for a listener: accept queue length */
	uint32_t retrans;              /* retransmits of the current segment */
	uint32_t total_retrans;
	uint32_t snd_mss, rcv_mss;
};

struct kv_table {
	struct kv_sock *v;
	size_t n, cap;
};

/*
 * Dump every TCP, UDP (IPv4 and IPv6) and Unix socket of the current network
 * namespace into T (replacing its rows). Returns 0, or -1 with a message in ERR.
 */
int kview_dump(struct kv_table *t, char *err, size_t errlen);
/* The row with this cookie, or NULL. */
const struct kv_sock *kview_find(const struct kv_table *t, uint64_t cookie);
void kview_free(struct kv_table *t);
/*
 * The process that holds the socket with inode INO open, found as `ss -p`
 * finds it: a /proc/PID/fd/N link to "socket:[INO]". Fills *PID and COMM (its
 * command name) and returns 0, or -1 when no process we may look at has it
 * (another user's processes are hidden from an unprivileged caller).
 */
int kview_owner(uint32_t ino, int *pid, char *comm, size_t commlen);

#endif
