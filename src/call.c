/* call.c -- the table of socket calls: what each takes, does and how its text reads. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"
#include "sockplay/text.h"

#define A_SOCK { CALL_SH_SOCK, N_("a socket"), 0 }
#define A_ADDR { CALL_SH_ADDR, N_("an address"), 0 }
#define A_DATA { CALL_SH_DATA, N_("data (a \"string\")"), 0 }
#define A_FLAGS { CALL_SH_FLAGS, N_("flags (MSG_... joined with '|', or 0)"), 0 }
#define A_LEN { CALL_SH_LEN, N_("a length"), 0 }
#define A_OPT { CALL_SH_OPT, N_("a socket option"), 0 }

#define DEFAULT_BACKLOG 128 /* what Python's listen() uses */

/* fd, addr, data, flags, num, opt: the positions of those arguments, -1 for none */
#define POS(fd, addr, data, flags, num, opt) fd, addr, data, flags, num, opt
#define NO (-1)

static const struct call_info call_table[SP_CALL_COUNT] = {
	[SP_CALL_SOCKET] = {
		"socket", 2, 3, CALL_F_NEWFD | CALL_F_NAMES, 0, CALL_NOTE_NONE, POS(NO, NO, NO, NO, NO, NO),
		{ { CALL_SH_DOMAIN, N_("an address family"), 0 }, { CALL_SH_TYPE, N_("a socket type"), 0 },
		  { CALL_SH_PROTO, N_("a protocol"), 0 } },
		"socket($0, $1, $2)",
		"@{as:sock} = socket.socket(socket.$0, socket.$1@{?2:, $2@})",
		"int @{as:fd} = socket($0, $1, $2);",
		"ret = $=socket($0, $1, $2);\ndone(ret);",
		"@{N:@{as:s} = keep(socket.socket($0, $1, $2))\nr.ret = @{as:s}.fileno()@}"
		"@{n:r.ret = keep(socket.socket($0, $1, $2)).fileno()@}",
	},
	[SP_CALL_BIND] = {
		"bind", 2, 2, CALL_F_FD | CALL_F_NAMES, 0, CALL_NOTE_NONE, POS(0, 1, NO, NO, NO, NO),
		{ A_SOCK, A_ADDR },
		"bind($0, $1)",
		"$s.bind($1)",
		"bind($s, (struct sockaddr *)&addr, sizeof addr);$1",
		"ret = bind($s, (struct sockaddr *)&addr, addrlen);\ndone(ret);",
		"@{R:raw(\"bind\", $s, $F, addr)  # Python itself refuses an address of another family@}@{r:$s.bind(addr)@}",
	},
	[SP_CALL_LISTEN] = {
		"listen", 1, 2, CALL_F_FD | CALL_F_NAMES, 0, CALL_NOTE_NONE, POS(0, NO, NO, NO, 1, NO),
		{ A_SOCK, { CALL_SH_INT, N_("a backlog number"), DEFAULT_BACKLOG } },
		"listen($0, $1)",
		"$s.listen(@{w1:$1@})",
		"listen($s, $1);",
		"ret = listen($s, $1);\ndone(ret);",
		"$s.listen($1)",
	},
	[SP_CALL_CONNECT] = {
		"connect", 2, 2, CALL_F_FD | CALL_F_NAMES | CALL_F_BLOCKS, POLLOUT, CALL_NOTE_NONE, POS(0, 1, NO, NO, NO, NO),
		{ A_SOCK, A_ADDR },
		"connect($0, $1)",
		"@{u1:$s.connect($1)@}@{U1:ctypes.CDLL(None, use_errno=True).connect($s.fileno(), $1, 16)@}",
		"@{u1:connect($s, (struct sockaddr *)&addr, sizeof addr);$1@}"
		"@{U1:struct sockaddr sa = { .sa_family = AF_UNSPEC }; connect($s, &sa, sizeof sa);@}",
		"ret = connect($s, (struct sockaddr *)&addr, addrlen);\ndone(ret);",
		"@{U1:raw(\"connect\", $s, socket.AF_UNSPEC, None)@}"
		"@{u1:@{R:raw(\"connect\", $s, $F, addr)  # Python itself refuses an address of another family@}@{r:$s.connect(addr)@}@}",
	},
	[SP_CALL_ACCEPT] = {
		"accept", 1, 1, CALL_F_FD | CALL_F_NEWFD | CALL_F_NAMES | CALL_F_FROM | CALL_F_BLOCKS, POLLIN, CALL_NOTE_PEER,
		POS(0, NO, NO, NO, NO, NO),
		{ A_SOCK },
		"accept($0)",
		"@{as:conn}, addr = $s.accept()",
		"int @{as:conn} = accept($s, NULL, NULL);",
		"peerlen = sizeof peer;\nret = $=accept($s, (struct sockaddr *)&peer, &peerlen);\n"
		"done_addr(ret, \"peer\", &peer, peerlen);",
		"@{as:accepted}, peer = $s.accept()\n"
		"r.ret, r.note = keep(@{as:accepted}).fileno(), note(\"peer\", peer)",
	},
	[SP_CALL_SEND] = {
		/* send moves names: the autobind of a UDP socket */
		"send", 2, 3, CALL_F_FD | CALL_F_NAMES | CALL_F_SENDS | CALL_F_BLOCKS, POLLOUT, CALL_NOTE_NONE,
		POS(0, NO, 1, 2, NO, NO),
		{ A_SOCK, A_DATA, A_FLAGS },
		"send($0, $1$2)",
		"$s.send($1$2)",
		"send($s, @{M1:buf@}@{m1:$1@}, $#1, $2);@{M1: /* buf: $/1 $*1 times */@}",
		"ret = send($s, $1, $#1, $2);\ndone(ret);",
		"r.ret = $s.send($1@{?2:, $2@})",
	},
	[SP_CALL_RECV] = {
		"recv", 2, 3, CALL_F_FD | CALL_F_READS | CALL_F_BLOCKS, POLLIN, CALL_NOTE_NONE, POS(0, NO, NO, 2, 1, NO),
		{ A_SOCK, A_LEN, A_FLAGS },
		"recv($0, $1$2)",
		"data = $s.recv($1$2)",
		"@{?1:char buf[$1]; ssize_t n = recv($s, buf, sizeof buf, @}@{!1:char buf[1]; ssize_t n = recv($s, buf, 0, @}$2);",
		"ret = recv($s, buf, $1, $2);\n"
		"@{X2:done_trunc(ret, buf, @{P:0@}@{p:$1@}, NULL, 0);@}@{x2:done_data(ret, buf, NULL, 0);@}",
		"@{X2:r.data = bytearray($1)\nr.ret = $s.recv_into(r.data, $1, $2)\nr.data = bytes(r.data[:@{P:0@}@{p:r.ret@}])@}"
		"@{x2:r.data = $s.recv($1@{?2:, $2@})\nr.ret = len(r.data)@}",
	},
	[SP_CALL_SENDTO] = {
		"sendto", 3, 4, CALL_F_FD | CALL_F_NAMES | CALL_F_SENDS | CALL_F_BLOCKS, POLLOUT, CALL_NOTE_NONE,
		POS(0, 2, 1, 3, NO, NO),
		{ A_SOCK, A_DATA, A_ADDR, A_FLAGS },
		"sendto($0, $1$3, $2)",
		"$s.sendto($1$3, $2)",
		"sendto($s, @{M1:buf@}@{m1:$1@}, $#1, $3, (struct sockaddr *)&addr, sizeof addr);@{M1: /* buf: $/1 $*1 times */@}@{m1:$2@}",
		"ret = sendto($s, $1, $#1, $3, (struct sockaddr *)&addr, addrlen);\ndone(ret);",
		"@{R:r.ret = raw(\"sendto\", $s, $F, addr, $1, $3)  # Python itself refuses an address of another family@}"
		"@{r:r.ret = $s.sendto($1@{?3:, $3@}, addr)@}",
	},
	[SP_CALL_RECVFROM] = {
		"recvfrom", 2, 3, CALL_F_FD | CALL_F_FROM | CALL_F_READS | CALL_F_BLOCKS, POLLIN, CALL_NOTE_FROM,
		POS(0, NO, NO, 2, 1, NO),
		{ A_SOCK, A_LEN, A_FLAGS },
		"recvfrom($0, $1$2)",
		"data, addr = $s.recvfrom($1$2)",
		"@{?1:char buf[$1]; ssize_t n = recvfrom($s, buf, sizeof buf, @}@{!1:char buf[1]; ssize_t n = recvfrom($s, buf, 0, @}$2, (struct sockaddr *)&peer, &peerlen);",
		"peerlen = sizeof peer;\nret = recvfrom($s, buf, $1, $2, (struct sockaddr *)&peer, &peerlen);\n"
		"@{X2:done_trunc(ret, buf, @{P:0@}@{p:$1@}, &peer, peerlen);@}@{x2:done_data(ret, buf, &peer, peerlen);@}",
		"@{X2:r.data = bytearray($1)\nr.ret, peer = $s.recvfrom_into(r.data, $1, $2)\n"
		"r.data, r.note = bytes(r.data[:@{P:0@}@{p:r.ret@}]), note(\"from\", peer)@}"
		"@{x2:r.data, peer = $s.recvfrom($1@{?2:, $2@})\nr.ret, r.note = len(r.data), note(\"from\", peer)@}",
	},
	[SP_CALL_SHUTDOWN] = {
		/* shutdown moves names: a peer may be gone */
		"shutdown", 2, 2, CALL_F_FD | CALL_F_NAMES, 0, CALL_NOTE_NONE, POS(0, NO, NO, NO, 1, NO),
		{ A_SOCK, { CALL_SH_SHUT, N_("SHUT_RD, SHUT_WR or SHUT_RDWR"), 0 } },
		"shutdown($0, $1)",
		"$s.shutdown(socket.$1)",
		"shutdown($s, $1);",
		"ret = shutdown($s, $1);\ndone(ret);",
		"$s.shutdown($1)",
	},
	[SP_CALL_SETSOCKOPT] = {
		"setsockopt", 3, 4, CALL_F_FD, 0, CALL_NOTE_NONE, POS(0, NO, NO, NO, NO, 1),
		{ A_SOCK, A_OPT, { CALL_SH_INT, N_("an option value"), 1 },
		  { CALL_SH_LINGER, N_("an option value"), 0 } },
		"setsockopt($0, $1, $2$3)",
		"@{L:$s.setsockopt(socket.$L, socket.$1, struct.pack(\"ii\", $2, $3))@}"
		"@{T:$s.setsockopt(socket.$L, socket.$1, struct.pack(\"ll\", $t2))@}@{I:$s.setsockopt(socket.$L, socket.$1, $2)@}",
		"@{L:struct linger l = { $2, $3 }; setsockopt($s, $L, $1, &l, sizeof l);@}"
		"@{T:struct timeval tv = { $t2 }; setsockopt($s, $L, $1, &tv, sizeof tv);@}"
		"@{I:int value = $2; setsockopt($s, $L, $1, &value, sizeof value);@}",
		"@{L:lg.l_onoff = $2;\nlg.l_linger = $3;\nret = setsockopt($s, $L, $1, &lg, sizeof lg);@}"
		"@{T:tv.tv_sec = $S2;\ntv.tv_usec = $U2;\nret = setsockopt($s, $L, $1, &tv, sizeof tv);@}"
		"@{I:optval = $2;\nret = setsockopt($s, $L, $1, &optval, sizeof optval);@}\ndone(ret);",
		"@{L:$s.setsockopt($L, $1, struct.pack(\"ii\", $2, $3))@}@{T:$s.setsockopt($L, $1, struct.pack(\"ll\", $t2))@}"
		"@{I:$s.setsockopt($L, $1, $2)@}",
	},
	[SP_CALL_GETSOCKOPT] = {
		"getsockopt", 2, 2, CALL_F_FD, 0, CALL_NOTE_VALUE, POS(0, NO, NO, NO, NO, 1),
		{ A_SOCK, A_OPT },
		"getsockopt($0, $1)",
		"@{L:value = $s.getsockopt(socket.$L, socket.$1)@}@{I:value = $s.getsockopt(socket.$L, socket.$1)@}"
		"@{T:sec, usec = struct.unpack(\"ll\", $s.getsockopt(socket.$L, socket.$1, 16))@}",
		"@{L:int value; socklen_t len = sizeof value; getsockopt($s, $L, $1, &value, &len);@}"
		"@{I:int value; socklen_t len = sizeof value; getsockopt($s, $L, $1, &value, &len);@}"
		"@{T:struct timeval tv; socklen_t len = sizeof tv; getsockopt($s, $L, $1, &tv, &len);@}",
		"@{L:memset(&lg, 0, sizeof lg);\noptlen = sizeof lg;\nret = getsockopt($s, $L, $1, &lg, &optlen);\n"
		"done_linger(ret, &lg);@}"
		"@{T:memset(&tv, 0, sizeof tv);\noptlen = sizeof tv;\nret = getsockopt($s, $L, $1, &tv, &optlen);\n"
		"done_value(ret, (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000)); /* in ms */@}"
		"@{I:optval = 0;\noptlen = sizeof optval;\nret = getsockopt($s, $L, $1, &optval, &optlen);\n"
		"@{E:done_error@}@{e:done_value@}(ret, optval);@}",
		"@{L:on, secs = struct.unpack(\"ii\", $s.getsockopt($L, $1, 8))\n"
		"r.note = \"value %s, %d s\" % (\"on\" if on else \"off\", secs)@}"
		"@{T:sec, usec = struct.unpack(\"ll\", $s.getsockopt($L, $1, 16))\n"
		"value = sec * 1000 + usec // 1000  # in ms\nr.note = \"value %d\" % value@}"
		"@{I:value = $s.getsockopt($L, $1)\n"
		"@{E:r.note = \"value \" + (errno_name(value) if value else \"0\")@}@{e:r.note = \"value %d\" % value@}@}",
	},
	[SP_CALL_NONBLOCK] = {
		"nonblock", 1, 2, CALL_F_FD, 0, CALL_NOTE_NONE, POS(0, NO, NO, NO, 1, NO),
		{ A_SOCK, { CALL_SH_BOOL, N_("0 or 1"), 1 } },
		"nonblock($0, $1)",
		"$s.setblocking(@{?1:False@}@{!1:True@})",
		"fcntl($s, F_SETFL, fcntl($s, F_GETFL) @{?1:| O_NONBLOCK@}@{!1:& ~O_NONBLOCK@});",
		"ret = fcntl($s, F_SETFL, fcntl($s, F_GETFL) @{?1:| O_NONBLOCK@}@{!1:& ~O_NONBLOCK@});\ndone(ret);",
		"$s.setblocking(@{?1:False@}@{!1:True@})",
	},
	[SP_CALL_CLOSE] = {
		"close", 1, 1, CALL_F_FD | CALL_F_CLOSES, 0, CALL_NOTE_NONE, POS(0, NO, NO, NO, NO, NO),
		{ A_SOCK },
		"close($0)",
		"$s.close()",
		"close($s);",
		"ret = close($s);\ndone(ret);",
		"close($s)",
	},
	[SP_CALL_GETSOCKNAME] = {
		"getsockname", 1, 1, CALL_F_FD | CALL_F_NAMES, 0, CALL_NOTE_NAME, POS(0, NO, NO, NO, NO, NO),
		{ A_SOCK },
		"getsockname($0)",
		"addr = $s.getsockname()",
		"struct sockaddr_storage addr; socklen_t len = sizeof addr; "
		"getsockname($s, (struct sockaddr *)&addr, &len);",
		"addrlen = sizeof addr;\nret = getsockname($s, (struct sockaddr *)&addr, &addrlen);\n"
		"done_name(ret, &addr, addrlen);",
		"r.ret, r.note = 0, show($s.getsockname())",
	},
	[SP_CALL_IOCTL] = {
		"ioctl", 2, 3, CALL_F_FD, 0, CALL_NOTE_VALUE, POS(0, NO, NO, NO, NO, NO),
		{ A_SOCK, { CALL_SH_IOCTL, N_("FIONREAD, SIOCOUTQ or FIONBIO"), 0 },
		  { CALL_SH_IOVAL, N_("0 or 1"), 0 } },
		"ioctl($0, $1$2)",
		"@{w2:fcntl.ioctl($s, $R, struct.pack(\"i\", $2))@}"
		"@{-2:value = struct.unpack(\"i\", fcntl.ioctl($s, $R, bytes(4)))[0]@}",
		"@{w2:int value = $2; ioctl($s, $1, &value);@}@{-2:int value; ioctl($s, $1, &value);@}",
		"optval = $2;\nret = ioctl($s, $1, &optval);\n@{w2:done(ret);@}@{-2:done_value(ret, optval);@}",
		"@{w2:fcntl.ioctl(fd($s), $1, struct.pack(\"i\", $2))@}"
		"@{-2:value = struct.unpack(\"i\", fcntl.ioctl(fd($s), $1, bytes(4)))[0]@{Q1:  # $c1@}\nr.note = \"value %d\" % value@}",
	},
	[SP_CALL_GETPEERNAME] = {
		"getpeername", 1, 1, CALL_F_FD | CALL_F_NAMES, 0, CALL_NOTE_PEERNAME, POS(0, NO, NO, NO, NO, NO),
		{ A_SOCK },
		"getpeername($0)",
		"addr = $s.getpeername()",
		"struct sockaddr_storage addr; socklen_t len = sizeof addr; "
		"getpeername($s, (struct sockaddr *)&addr, &len);",
		"addrlen = sizeof addr;\nret = getpeername($s, (struct sockaddr *)&addr, &addrlen);\n"
		"done_name(ret, &addr, addrlen);",
		"r.ret, r.note = 0, show($s.getpeername())",
	},
	[SP_CALL_SOCKETPAIR] = {
		/* two connected sockets at once: "a, b = socketpair(AF_UNIX, SOCK_STREAM)" */
		"socketpair", 2, 3, CALL_F_PAIR | CALL_F_NAMES, 0, CALL_NOTE_FDS, POS(NO, NO, NO, NO, NO, NO),
		{ { CALL_SH_DOMAIN, N_("an address family"), 0 }, { CALL_SH_TYPE, N_("a socket type"), 0 },
		  { CALL_SH_PROTO, N_("a protocol"), 0 } },
		"socketpair($0, $1, $2)",
		"@{as:a}, @{as2:b} = socket.socketpair(socket.$0, socket.$1@{?2:, $2@})",
		"int sv[2]; socketpair($0, $1, $2, sv); int @{as:a} = sv[0], @{as2:b} = sv[1];",
		"ret = socketpair($0, $1, $2, sv);\n"
		"@{N:@{N2:if (ret == 0) { /* a failed call leaves @{as:a} and @{as2:b} as they were */\n"
		"\t@{as:a} = sv[0];\n\t@{as2:b} = sv[1];\n}\n@}@}done_fds(ret, sv);",
		"@{as:pair_a}, @{as2:pair_b} = socket.socketpair($0, $1, $2)\n"
		"r.ret, r.note = 0, \"fds %d, %d\" % (keep(@{as:pair_a}).fileno(), keep(@{as2:pair_b}).fileno())",
	},
	[SP_CALL_UNLINK] = {
		/* removes a socket's file, in the sandbox's own filesystem only (the session refuses it elsewhere) */
		"unlink", 1, 1, CALL_F_FILES, 0, CALL_NOTE_NONE, POS(NO, 0, NO, NO, NO, NO),
		{ { CALL_SH_PATH, N_("a file path (as in /tmp/lab.sock)"), 0 } },
		"unlink($0)",
		"os.unlink($0)",
		"unlink($0);",
		"ret = unlink(((struct sockaddr_un *)&addr)->sun_path);\ndone(ret);",
		"os.unlink(addr)",
	},
	[SP_CALL_POLL] = {
		/* the sockets are the statement's list (st->ready), not arguments */
		"poll", 1, 2, CALL_F_BLOCKS | CALL_F_READY, 0, CALL_NOTE_READY, POS(NO, NO, NO, NO, NO, NO),
		{ { CALL_SH_READY, N_("sockets with their events (c POLLIN)"), 0 },
		  { CALL_SH_TIMEOUT, N_("a timeout in milliseconds"), -1 } },
		"poll($0$1)",
		"p = select.poll(); $0; events = p.poll(@{w1:$1@})",
		"struct pollfd fds[] = { $0 }; int n = poll(fds, sizeof fds / sizeof fds[0], $1);",
		"{\n\tstruct pollfd pfd[] = { @{*:@{+:, @}{ $s, $e, 0 }@} };\n\tret = poll(pfd, $n, $1);\n"
		"\tdone_poll(ret, pfd, $n, (const char *const[]){ @{*:@{+:, @}$q@} });\n}",
		"poller = select.poll()\n@{*:poller.register($s, $e)\n@}"
		"@{<1:events = poller.poll()@}@{>1:events = poller.poll($1)@}\n"
		"r.ret, r.note = len(events), poll_note(events, (@{*:($s, $q), @}))",
	},
	[SP_CALL_SELECT] = {
		"select", 1, 2, CALL_F_BLOCKS | CALL_F_READY, 0, CALL_NOTE_READY, POS(NO, NO, NO, NO, NO, NO),
		{ { CALL_SH_READY, N_("socket sets (r: s c, w: c)"), 0 },
		  { CALL_SH_TIMEOUT, N_("a timeout in milliseconds"), -1 } },
		"select($0$1)",
		"readable, writable, _ = select.select($0@{w1:, $1@})",
		"fd_set r, w; FD_ZERO(&r); FD_ZERO(&w); $0 int n = select(FD_SETSIZE, &r, &w, NULL, $1);",
		"{\n\tfd_set rset, wset;\n@{>1:\tstruct timeval tv = { $t1 };\n@}"
		"\tconst int sel[] = { @{*:@{+:, @}$s@} };\n\tFD_ZERO(&rset);\n\tFD_ZERO(&wset);\n"
		"@{*:\tFD_SET($s, &$kset);\n@}"
		"\tret = select(nfds_of(sel, $n), &rset, &wset, NULL, @{>1:&tv@}@{<1:NULL@});\n"
		"\tdone_select(ret, &rset, &wset, sel, \"@{*:$k@}\", (const char *const[]){ @{*:@{+:, @}$q@} }, $n);\n}",
		"watched = (@{*:($K, $s, $q), @})\n"
		"ready = select.select([@{*r:@{+:, @}$s@}], [@{*w:@{+:, @}$s@}], []@{>1:, $g1@})\n"
		"r.ret, r.note = len(ready[0]) + len(ready[1]), select_note(ready, watched)",
	},
};

const struct call_info *call_info(enum sp_call call)
{
	return call > SP_CALL_NONE && call < SP_CALL_COUNT ? &call_table[call] : NULL;
}

const char *call_name(enum sp_call call)
{
	const struct call_info *ci = call_info(call);
	return ci ? ci->name : NULL;
}

enum sp_call call_from_name(const char *name)
{
	for (int c = SP_CALL_NONE + 1; c < SP_CALL_COUNT; c++)
		if (strcmp(call_table[c].name, name) == 0)
			return (enum sp_call)c;
	return SP_CALL_NONE;
}

int call_min_args(enum sp_call call)
{
	const struct call_info *ci = call_info(call);
	return ci ? ci->min : 0;
}

int call_max_args(enum sp_call call)
{
	const struct call_info *ci = call_info(call);
	return ci ? ci->max : 0;
}

int call_has(enum sp_call call, unsigned flags)
{
	const struct call_info *ci = call_info(call);
	return ci && (ci->flags & flags) == flags;
}

int call_may_block(enum sp_call call)
{
	return call_has(call, CALL_F_BLOCKS);
}

int call_ioctl_takes_value(int request)
{
	return request == FIONBIO;
}

int call_takes_fd(enum sp_call call)
{
	return call_has(call, CALL_F_FD);
}

void call_fill_defaults(struct sp_stmt *st)
{
	const struct call_info *ci = call_info(st->call);
	for (int i = st->nargs; ci && i < ci->max; i++) {
		struct sp_arg *a = &st->args[i];
		memset(a, 0, sizeof *a);
		a->kind = ci->args[i].sh == CALL_SH_FLAGS ? SP_ARG_FLAGS : SP_ARG_INT;
		a->num = ci->args[i].def;
		a->line = st->line;
	}
}

void call_data_preview(const struct sp_data *d, char *out, size_t size)
{
	unsigned char head[48];
	size_t n = 0;
	for (uint64_t i = 0; i < d->count && n < sizeof head; i++)
		for (size_t j = 0; j < d->unit_len && n < sizeof head; j++)
			head[n++] = d->unit[j];
	text_data_preview_utf8(head, n, d->unit_len * d->count, 32, out, size);
}

/* Append S to BUF at *O, doubling '%' when PCT. */
static void put(char *buf, size_t size, size_t *o, const char *s, int pct)
{
	for (; *s; s++) {
		if (pct && *s == '%') {
			if (*o + 1 < size)
				buf[*o] = '%';
			(*o)++;
		}
		if (*o + 1 < size)
			buf[*o] = *s;
		(*o)++;
	}
	if (size)
		buf[*o < size ? *o : size - 1] = 0;
}

/* Argument I of ST as the transcript shows it. */
static void arg_text(const struct sp_stmt *st, int i, const struct call_text_in *in, char *buf, size_t size,
		     size_t *o)
{
	const struct call_info *ci = call_info(st->call);
	const struct sp_arg *a = &st->args[i];
	const struct sp_opt *opt = ci->opt_arg >= 0 ? consts_opt_at((size_t)st->args[ci->opt_arg].num) : NULL;
	const char *name = NULL;
	char tmp[256];
	int pct = in->printf_fmt;

	tmp[0] = 0;
	switch (ci->args[i].sh) {
	case CALL_SH_SOCK:
		put(buf, size, o, in->fd, 0);
		return;
	case CALL_SH_ADDR:
	case CALL_SH_PATH:
		put(buf, size, o, in->addr, 0);
		return;
	case CALL_SH_DOMAIN: name = consts_name(SP_K_DOMAIN, (int)a->num); break;
	case CALL_SH_TYPE: name = consts_name(SP_K_TYPE, (int)a->num); break;
	case CALL_SH_SHUT: name = consts_name(SP_K_SHUT, (int)a->num); break;
	case CALL_SH_PROTO:
		name = a->num ? consts_name(SP_K_PROTO, (int)a->num) : NULL;
		if (!name)
			snprintf(tmp, sizeof tmp, "%d", (int)a->num);
		break;
	case CALL_SH_OPT:
		name = opt ? opt->name : NULL;
		break;
	case CALL_SH_INT:
	case CALL_SH_LEN:
	case CALL_SH_BOOL:
		snprintf(tmp, sizeof tmp, "%d", (int)a->num);
		break;
	case CALL_SH_LINGER:
		if (opt && opt->kind == SP_OPT_LINGER)
			snprintf(tmp, sizeof tmp, ", %d", (int)a->num);
		break;
	case CALL_SH_IOCTL:
		name = consts_name(SP_K_IOCTL, (int)a->num);
		break;
	case CALL_SH_IOVAL:
		if (call_ioctl_takes_value((int)st->args[i - 1].num))
			snprintf(tmp, sizeof tmp, ", %d", (int)a->num);
		break;
	case CALL_SH_FLAGS:
		if (a->num) {
			char fl[96];
			consts_msg_flags_text((int)a->num, fl, sizeof fl);
			snprintf(tmp, sizeof tmp, ", %s", fl);
		}
		break;
	case CALL_SH_DATA: {
		char pv[200];
		call_data_preview(&a->data, pv, sizeof pv);
		snprintf(tmp, sizeof tmp, "%s, %llu", pv, (unsigned long long)(a->data.unit_len * a->data.count));
		break;
	}
	case CALL_SH_READY:
		put(buf, size, o, in->ready ? in->ready : "", 0);
		return;
	case CALL_SH_TIMEOUT:
		if (a->num != -1)
			snprintf(tmp, sizeof tmp, ", %lld", a->num);
		break;
	case CALL_SH_NONE:
		break;
	}
	if (!tmp[0] && ci->args[i].sh != CALL_SH_LINGER && ci->args[i].sh != CALL_SH_FLAGS &&
	    ci->args[i].sh != CALL_SH_IOVAL && ci->args[i].sh != CALL_SH_TIMEOUT)
		snprintf(tmp, sizeof tmp, "%s", name ? name : "?");
	put(buf, size, o, tmp, pct);
}

int call_format(const struct sp_stmt *st, const struct call_text_in *in, char *buf, size_t size)
{
	const struct call_info *ci = call_info(st->call);
	size_t o = 0;
	if (size)
		buf[0] = 0;
	if (!ci)
		return 0;
	for (const char *t = ci->text; *t; t++) {
		if (*t == '$' && t[1] >= '0' && t[1] < '0' + CALL_MAX_ARGS) {
			arg_text(st, t[1] - '0', in, buf, size, &o);
			t++;
		} else {
			char ch[2] = { *t, 0 };
			put(buf, size, &o, ch, 0);
		}
	}
	return (int)o;
}
