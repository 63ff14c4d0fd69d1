/* test_consts.c -- the constants, options, errno and TCP state tables. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include <cmocka.h>

#include "sockplay/consts.h"

static void test_lookup_by_kind(void **state)
{
	(void)state;
	const struct sp_const *c = consts_lookup("AF_INET", SP_K_DOMAIN);
	assert_non_null(c);
	assert_int_equal(c->value, AF_INET);
	assert_int_equal(c->kind, SP_K_DOMAIN);
	assert_int_equal(consts_lookup("AF_INET6", SP_K_DOMAIN)->value, AF_INET6);
	assert_int_equal(consts_lookup("AF_UNIX", SP_K_DOMAIN)->value, AF_UNIX);
	assert_int_equal(consts_lookup("SOCK_STREAM", SP_K_TYPE)->value, SOCK_STREAM);
	assert_int_equal(consts_lookup("SOCK_DGRAM", SP_K_TYPE)->value, SOCK_DGRAM);
	assert_int_equal(consts_lookup("IPPROTO_TCP", SP_K_PROTO)->value, IPPROTO_TCP);
	assert_int_equal(consts_lookup("IPPROTO_UDP", SP_K_PROTO)->value, IPPROTO_UDP);
	assert_int_equal(consts_lookup("SHUT_RD", SP_K_SHUT)->value, SHUT_RD);
	assert_int_equal(consts_lookup("SHUT_WR", SP_K_SHUT)->value, SHUT_WR);
	assert_int_equal(consts_lookup("SHUT_RDWR", SP_K_SHUT)->value, SHUT_RDWR);
	assert_int_equal(consts_lookup("MSG_PEEK", SP_K_MSG)->value, MSG_PEEK);
	assert_int_equal(consts_lookup("MSG_DONTWAIT", SP_K_MSG)->value, MSG_DONTWAIT);
	assert_int_equal(consts_lookup("MSG_WAITALL", SP_K_MSG)->value, MSG_WAITALL);
	assert_int_equal(consts_lookup("MSG_OOB", SP_K_MSG)->value, MSG_OOB);
}

static void test_lookup_masks(void **state)
{
	(void)state;
	/* the wrong kind finds nothing; a mask of several kinds finds each */
	assert_null(consts_lookup("AF_INET", SP_K_TYPE));
	assert_null(consts_lookup("SOCK_STREAM", SP_K_DOMAIN | SP_K_MSG));
	assert_non_null(consts_lookup("SOCK_STREAM", SP_K_DOMAIN | SP_K_TYPE));
	assert_non_null(consts_lookup("MSG_OOB", ~0u));
	assert_null(consts_lookup("AF_PACKET", ~0u));
	assert_null(consts_lookup("af_inet", ~0u));
	assert_null(consts_lookup("", ~0u));
	assert_null(consts_lookup("SO_REUSEADDR", ~0u)); /* options live in their own table */
}

static void test_name(void **state)
{
	(void)state;
	assert_string_equal(consts_name(SP_K_DOMAIN, AF_INET6), "AF_INET6");
	assert_string_equal(consts_name(SP_K_TYPE, SOCK_DGRAM), "SOCK_DGRAM");
	assert_string_equal(consts_name(SP_K_SHUT, SHUT_RDWR), "SHUT_RDWR");
	assert_string_equal(consts_name(SP_K_PROTO, IPPROTO_UDP), "IPPROTO_UDP");
	assert_string_equal(consts_name(SP_K_MSG, MSG_WAITALL), "MSG_WAITALL");
	/* SHUT_WR and SOCK_STREAM are both 1: the kind decides */
	assert_string_equal(consts_name(SP_K_SHUT, 1), "SHUT_WR");
	assert_string_equal(consts_name(SP_K_TYPE, 1), "SOCK_STREAM");
	assert_string_equal(consts_name(SP_K_TYPE, SOCK_SEQPACKET), "SOCK_SEQPACKET");
	assert_null(consts_name(SP_K_DOMAIN, 12345));
	assert_string_equal(consts_name(SP_K_MSG, MSG_TRUNC), "MSG_TRUNC");
	assert_string_equal(consts_name(SP_K_IOCTL, FIONREAD), "FIONREAD");
	assert_ptr_equal(consts_lookup("SIOCOUTQ", SP_K_MSG), NULL);
	assert_int_equal(consts_lookup("SIOCOUTQ", SP_K_IOCTL)->value, SIOCOUTQ);
	char fl[64];
	consts_msg_flags_text(MSG_MORE | MSG_DONTWAIT, fl, sizeof fl);
	assert_string_equal(fl, "MSG_DONTWAIT|MSG_MORE");
}

static void test_all(void **state)
{
	(void)state;
	size_t n = 0;
	const struct sp_const *all = consts_all(&n);
	assert_int_equal(n, 20);
	assert_null(all[n].name);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(all[i].name);
		assert_ptr_equal(consts_lookup(all[i].name, all[i].kind), &all[i]);
		assert_string_equal(consts_name(all[i].kind, all[i].value), all[i].name);
	}
	assert_ptr_equal(consts_all(NULL), all);
}

static void test_options(void **state)
{
	(void)state;
	const struct sp_opt *o = consts_opt("SO_REUSEADDR");
	assert_non_null(o);
	assert_int_equal(o->level, SOL_SOCKET);
	assert_int_equal(o->optname, SO_REUSEADDR);
	assert_int_equal(o->kind, SP_OPT_BOOL);
	assert_true(o->settable);

	o = consts_opt("SO_LINGER");
	assert_int_equal(o->kind, SP_OPT_LINGER);
	assert_true(o->settable);
	o = consts_opt("TCP_NODELAY");
	assert_int_equal(o->level, IPPROTO_TCP);
	assert_int_equal(o->optname, TCP_NODELAY);
	o = consts_opt("SO_ERROR");
	assert_int_equal(o->kind, SP_OPT_ERROR);
	assert_false(o->settable);
	o = consts_opt("SO_TYPE");
	assert_false(o->settable);
	assert_int_equal(consts_opt("SO_RCVBUF")->kind, SP_OPT_INT);
	assert_int_equal(consts_opt("SO_SNDBUF")->optname, SO_SNDBUF);
	assert_int_equal(consts_opt("SO_KEEPALIVE")->optname, SO_KEEPALIVE);
	assert_int_equal(consts_opt("SO_REUSEPORT")->optname, SO_REUSEPORT);
	assert_int_equal(consts_opt("SO_RCVLOWAT")->optname, SO_RCVLOWAT);
	/* each at its own level; a timeout is a struct timeval */
	assert_int_equal(consts_opt("IPV6_V6ONLY")->level, IPPROTO_IPV6);
	assert_int_equal(consts_opt("IPV6_V6ONLY")->kind, SP_OPT_BOOL);
	assert_int_equal(consts_opt("TCP_CORK")->level, IPPROTO_TCP);
	assert_int_equal(consts_opt("TCP_KEEPCNT")->optname, TCP_KEEPCNT);
	assert_int_equal(consts_opt("TCP_MAXSEG")->kind, SP_OPT_INT);
	assert_int_equal(consts_opt("SO_RCVTIMEO")->kind, SP_OPT_TIME);
	assert_int_equal(consts_opt("SO_SNDTIMEO")->optname, SO_SNDTIMEO);
	assert_true(consts_opt("SO_BROADCAST")->settable);
	assert_null(consts_opt("SO_NOPE"));
	assert_null(consts_opt("AF_INET"));

	size_t i;
	for (i = 0; consts_opt_at(i); i++) {
		const struct sp_opt *x = consts_opt_at(i);
		assert_ptr_equal(consts_opt(x->name), x);
		assert_ptr_equal(consts_opt_by_value(x->level, x->optname), x);
	}
	assert_int_equal(i, 19);
	assert_null(consts_opt_by_value(SOL_SOCKET, -1));
	/* TCP_NODELAY (1) at SOL_SOCKET is SO_DEBUG: not ours */
	assert_null(consts_opt_by_value(SOL_SOCKET, TCP_NODELAY));
}

static void test_errno(void **state)
{
	(void)state;
	static const char *const wanted[] = {
		"EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
		"EBADF", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDESTADDRREQ", "EFAULT",
		"EHOSTUNREACH", "EINPROGRESS", "EINTR", "EINVAL", "EISCONN", "EMFILE", "EMSGSIZE",
		"ENETUNREACH", "ENFILE", "ENOBUFS", "ENOENT", "ENOMEM", "ENOPROTOOPT", "ENOTCONN",
		"ENOTSOCK", "EOPNOTSUPP", "EPERM", "EPIPE", "EPROTONOSUPPORT", "EPROTOTYPE",
		"ETIMEDOUT", "ENOTDIR", "EROFS", "ENAMETOOLONG", "ESOCKTNOSUPPORT",
	};
	for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
		int e = consts_errno_from_name(wanted[i]);
		assert_true(e > 0);
		assert_string_equal(consts_errno_name(e), wanted[i]);
	}
	assert_int_equal(consts_errno_from_name("ECONNREFUSED"), ECONNREFUSED);
	assert_string_equal(consts_errno_name(ECONNREFUSED), "ECONNREFUSED");
	/* aliases are accepted but never printed */
	assert_int_equal(consts_errno_from_name("EWOULDBLOCK"), EAGAIN);
	assert_string_equal(consts_errno_name(EWOULDBLOCK), "EAGAIN");
	assert_int_equal(consts_errno_from_name("ENOTSUP"), EOPNOTSUPP);
	assert_string_equal(consts_errno_name(ENOTSUP), "EOPNOTSUPP");
	assert_int_equal(consts_errno_from_name("ENOPE"), 0);
	assert_int_equal(consts_errno_from_name(""), 0);
	assert_int_equal(consts_errno_from_name("econnrefused"), 0);
	assert_null(consts_errno_name(0));
	assert_null(consts_errno_name(99999));
}

static void test_errno_at(void **state)
{
	(void)state;
	size_t i, alias_at = 0;
	for (i = 0; consts_errno_at(i); i++) {
		const char *name = consts_errno_at(i);
		assert_true(consts_errno_from_name(name) > 0);
		if (strcmp(name, "EWOULDBLOCK") == 0)
			alias_at = i;
	}
	assert_true(i >= 40);
	assert_true(alias_at > 0);
	/* every canonical name comes before the aliases */
	for (size_t k = 0; k < alias_at; k++)
		assert_string_equal(consts_errno_name(consts_errno_from_name(consts_errno_at(k))),
				    consts_errno_at(k));
}

static void test_tcp_states(void **state)
{
	(void)state;
	static const char *const names[] = {
		"CLOSED", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
	};
	for (int i = 0; i <= 11; i++)
		assert_string_equal(consts_tcp_state_name(i), names[i]);
	assert_int_equal(TCP_ESTABLISHED, 1);
	assert_int_equal(TCP_LISTEN, 10);
	assert_string_equal(consts_tcp_state_name(TCP_CLOSE), "CLOSED");
	assert_string_equal(consts_tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT");
	assert_null(consts_tcp_state_name(-1));
	assert_null(consts_tcp_state_name(100));

	for (int i = 1; i <= 11; i++)
		if (i != TCP_CLOSE)
			assert_int_equal(consts_tcp_state_from_name(names[i]), i);
	assert_int_equal(consts_tcp_state_from_name("CLOSED"), TCP_CLOSE);
	assert_int_equal(consts_tcp_state_from_name("CLOSE"), TCP_CLOSE);
	assert_int_equal(consts_tcp_state_from_name("CLOSE_WAIT"), TCP_CLOSE_WAIT);
	assert_int_equal(consts_tcp_state_from_name("LISTEN"), TCP_LISTEN);
	assert_int_equal(consts_tcp_state_from_name("listen"), -1);
	assert_int_equal(consts_tcp_state_from_name("NEW_SYN_RECV"), -1);
	assert_int_equal(consts_tcp_state_from_name(""), -1);
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(consts_distance("", ""), 0);
	assert_int_equal(consts_distance("abc", ""), 3);
	assert_int_equal(consts_distance("", "abcd"), 4);
	assert_int_equal(consts_distance("listen", "listen"), 0);
	assert_int_equal(consts_distance("lisen", "listen"), 1);
	assert_int_equal(consts_distance("listen", "lisen"), 1);
	assert_int_equal(consts_distance("AF_INT", "AF_INET"), 1);
	assert_int_equal(consts_distance("kitten", "sitting"), 3);
	assert_int_equal(consts_distance("sitting", "kitten"), 3);
	assert_int_equal(consts_distance("flaw", "lawn"), 2);
	assert_int_equal(consts_distance("recv", "send"), 3);
	assert_int_equal(consts_distance("ab", "ba"), 2); /* no transpositions */

	/* long words take the heap path */
	char a[201], b[201];
	memset(a, 'a', 200);
	a[200] = '\0';
	memcpy(b, a, sizeof b);
	b[100] = 'b';
	assert_int_equal(consts_distance(a, b), 1);
	b[199] = '\0';
	assert_int_equal(consts_distance(a, b), 2);
	assert_int_equal(consts_distance("x", a), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_by_kind),
		cmocka_unit_test(test_lookup_masks),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_errno_at),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
