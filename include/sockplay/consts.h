/* consts.h -- names of the C constants a script may spell, and their values. */
#ifndef SOCKPLAY_CONSTS_H
#define SOCKPLAY_CONSTS_H

#include <stddef.h>

/* What a constant is used for; a lookup names the kinds it accepts. */
enum sp_const_kind {
	SP_K_DOMAIN = 1 << 0, /* AF_INET, AF_INET6, AF_UNIX */
	SP_K_TYPE = 1 << 1,   /* SOCK_STREAM, SOCK_DGRAM */
	SP_K_PROTO = 1 << 2,  /* IPPROTO_TCP, IPPROTO_UDP */
	SP_K_SHUT = 1 << 3,   /* SHUT_RD, SHUT_WR, SHUT_RDWR */
	SP_K_MSG = 1 << 4,    /* MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_OOB */
	SP_K_IOCTL = 1 << 5,  /* FIONREAD, SIOCOUTQ, FIONBIO: what ioctl() asks */
};

struct sp_const {
	const char *name;
	int value;
	enum sp_const_kind kind;
};

/* How a socket option's value is spelled and passed. */
enum sp_opt_kind {
	SP_OPT_BOOL,   /* int 0/1 */
	SP_OPT_INT,    /* int, e.g. a buffer size */
	SP_OPT_LINGER, /* struct linger: on, seconds */
	SP_OPT_ERROR,  /* read-only int holding an errno (SO_ERROR) */
	SP_OPT_TIME,   /* struct timeval, written and shown in ms (SO_RCVTIMEO, SO_SNDTIMEO) */
};

struct sp_opt {
	const char *name; /* "SO_REUSEADDR" */
	int level;        /* SOL_SOCKET, IPPROTO_TCP */
	int optname;
	enum sp_opt_kind kind;
	int settable; /* 0 for read-only options */
};

/* The constant called NAME among KINDS (a mask), or NULL. */
const struct sp_const *consts_lookup(const char *name, unsigned kinds);
/* The name of VALUE among constants of KIND, or NULL. */
const char *consts_name(enum sp_const_kind kind, int value);
/*
 * MSG_* flags as a script writes them: "MSG_PEEK|MSG_DONTWAIT", bits without
 * a name as a number ("MSG_PEEK|64"), "0" for none.
 */
void consts_msg_flags_text(int flags, char *out, size_t size);
/* The same with each name after PREFIX and SEP between them: ("socket.", " | ") for Python. */
void consts_msg_flags_join(int flags, const char *prefix, const char *sep, char *out, size_t size);
/* Every constant, NULL-terminated by name (for suggestions). */
const struct sp_const *consts_all(size_t *n);

/* The option called NAME, or NULL; by index for iteration (NULL past the end). */
const struct sp_opt *consts_opt(const char *name);
const struct sp_opt *consts_opt_at(size_t i);
/* The option with this level and optname, or NULL. */
const struct sp_opt *consts_opt_by_value(int level, int optname);

/* "ECONNREFUSED" for ECONNREFUSED, NULL when unknown. */
const char *consts_errno_name(int err);
/* ECONNREFUSED for "ECONNREFUSED", 0 when unknown. */
int consts_errno_from_name(const char *name);
/* The errno name at index I (NULL past the end), for suggestions. */
const char *consts_errno_at(size_t i);

/* TCP states as the kernel numbers them (include/net/tcp_states.h); UDP and Unix
 * sockets are reported in the same numbers (ESTABLISHED when connected, CLOSE otherwise). */
enum sp_tcp_state {
	SP_TCP_ESTABLISHED = 1,
	SP_TCP_SYN_SENT,
	SP_TCP_SYN_RECV,
	SP_TCP_FIN_WAIT1,
	SP_TCP_FIN_WAIT2,
	SP_TCP_TIME_WAIT,
	SP_TCP_CLOSE,
	SP_TCP_CLOSE_WAIT,
	SP_TCP_LAST_ACK,
	SP_TCP_LISTEN,
	SP_TCP_CLOSING,
	SP_TCP_NEW_SYN_RECV,    /* a request socket; reported as SYN_RECV */
	SP_TCP_BOUND_INACTIVE,  /* bound, neither listening nor connected: really CLOSE */
};
/* "ESTABLISHED"; "CLOSED" for 0 or TCP_CLOSE; NULL when out of range. */
const char *consts_tcp_state_name(int state);
/* The kernel's number for "TIME_WAIT" etc. (also "CLOSED"), -1 when unknown. */
int consts_tcp_state_from_name(const char *name);

/* poll() events: POLLIN for "POLLIN" (0 when unknown); *ASKED: whether a script may ask for it
 * (POLLERR, POLLHUP and POLLNVAL are reported whether asked or not). */
int consts_poll_from_name(const char *name, int *asked);
/* The event name at index I (NULL past the end), for suggestions. */
const char *consts_poll_at(size_t i);
/* Events as a script writes them: "POLLOUT|POLLERR|POLLHUP", "0" for none. */
void consts_poll_text(int events, char *out, size_t size);
/* The same with each name after PREFIX and SEP between them: ("select.", " | ") for Python. */
void consts_poll_join(int events, const char *prefix, const char *sep, char *out, size_t size);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t consts_distance(const char *a, const char *b);

#endif
