/* test_wire.c -- segment decoding on hand-built frames, the numbering, the ring, and a real capture on lo. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockplay/sandbox.h"
#include "sockplay/transcript.h"
#include "sockplay/wire.h"

static int capture_ok; /* main(): whether the sandbox (or root) makes capture possible */

/* ---- building frames ------------------------------------------------------ */

/* The SYN options Linux sends: MSS, SACK permitted, timestamps, NOP, window scale. */
static const unsigned char syn_opts[] = {
	2, 4, 0xff, 0xd7,                /* mss 65495 */
	4, 2,                            /* sackOK */
	8, 10, 0, 0, 0, 1, 0, 0, 0, 0,   /* TS val 1 ecr 0 */
	1,                               /* nop */
	3, 3, 7,                         /* wscale 7 */
};

struct seg_spec {
	int v6;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const unsigned char *opts;
	size_t optlen;               /* a multiple of 4 after padding (done here) */
	size_t payload;
};

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* An IP header for PROTO carrying L4LEN bytes, after a zero Ethernet header. Returns its length. */
static size_t ip_header(unsigned char *f, int v6, const char *src, const char *dst, int proto,
			size_t l4len)
{
	memset(f, 0, 14);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	unsigned char *ip = f + 14;
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = (unsigned char)proto;
		ip[7] = 64;
		assert_int_equal(inet_pton(AF_INET6, src, ip + 8), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, ip + 24), 1);
		return 14 + 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = (unsigned char)proto;
	assert_int_equal(inet_pton(AF_INET, src, ip + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, ip + 16), 1);
	return 14 + 20;
}

/* A whole TCP frame into F (payload bytes 'x'). Returns its length. */
static size_t tcp_frame(unsigned char *f, const struct seg_spec *s)
{
	size_t optlen = (s->optlen + 3) & ~(size_t)3;
	size_t thl = 20 + optlen;
	size_t off = ip_header(f, s->v6, s->src, s->dst, IPPROTO_TCP, thl + s->payload);
	unsigned char *t = f + off;
	memset(t, 0, thl);
	put16(t, s->sport);
	put16(t + 2, s->dport);
	put32(t + 4, s->seq);
	put32(t + 8, s->ack);
	t[12] = (unsigned char)((thl / 4) << 4);
	t[13] = s->flags;
	put16(t + 14, s->win);
	if (s->optlen)
		memcpy(t + 20, s->opts, s->optlen);
	for (size_t i = s->optlen; i < optlen; i++)
		t[20 + i] = 0; /* EOL padding */
	memset(t + thl, 'x', s->payload);
	return off + thl + s->payload;
}

static size_t udp_frame(unsigned char *f, int v6, const char *src, uint16_t sport, const char *dst,
			uint16_t dport, size_t payload)
{
	size_t off = ip_header(f, v6, src, dst, IPPROTO_UDP, 8 + payload);
	unsigned char *u = f + off;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + payload));
	put16(u + 6, 0);
	memset(u + 8, 'u', payload);
	return off + 8 + payload;
}

/*
 * An ICMP (V6: ICMPv6) error of TYPE/CODE from FROM back to the sender of a
 * UDP datagram (or a TCP segment, when TCP) from SRC:SPORT to DST:DPORT with
 * PAYLOAD bytes, quoting its IP header and its first 8 transport bytes.
 */
static size_t icmp_frame(unsigned char *f, int v6, uint8_t type, uint8_t code, const char *from,
			 int tcp, const char *src, uint16_t sport, const char *dst, uint16_t dport,
			 size_t payload)
{
	size_t qip = v6 ? 40 : 20, l4len = 8 + qip + 8;
	size_t off = ip_header(f, v6, from, src, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, l4len);
	unsigned char *icmp = f + off;
	memset(icmp, 0, l4len);
	icmp[0] = type;
	icmp[1] = code;
	/* the packet quoted, built in a scratch frame and copied without its Ethernet header */
	unsigned char q[256];
	size_t qlen = tcp ? tcp_frame(q, &(struct seg_spec){ v6, src, dst, sport, dport, 1000, 0, WIRE_SYN, 100,
							      NULL, 0, 0 })
			  : udp_frame(q, v6, src, sport, dst, dport, payload);
	(void)qlen;
	memcpy(icmp + 8, q + 14, qip + 8);
	return off + l4len;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* ---- decoding ------------------------------------------------------------- */

static void decode_ipv4_syn(void **state)
{
	unsigned char f[256];
	struct seg_spec sp = { 0, "127.0.0.1", "127.0.0.1", 49152, 8888, 123456789, 0, WIRE_SYN, 65495,
			       syn_opts, sizeof syn_opts, 0 };
	size_t n = tcp_frame(f, &sp);
	struct wire_seg s;
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.proto, IPPROTO_TCP);
	assert_int_equal(s.src.ss_family, AF_INET);
	assert_int_equal(port_of(&s.src), 49152);
	assert_int_equal(port_of(&s.dst), 8888);
	assert_int_equal(((struct sockaddr_in *)&s.src)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(s.flags, WIRE_SYN);
	assert_int_equal(s.raw_seq, 123456789);
	assert_int_equal(s.seq, 123456789); /* alone, numbers stay as on the wire */
	assert_int_equal(s.win, 65495);
	assert_int_equal(s.len, 0);
	assert_true(s.has_mss);
	assert_int_equal(s.mss, 65495);
	assert_true(s.sack_ok);
	assert_true(s.has_ts);
	assert_true(s.has_wscale);
	assert_int_equal(s.wscale, 7);
	/* the same packet without its Ethernet header */
	struct wire_seg s2;
	assert_int_equal(wire_decode(f + 14, n - 14, &s2), 0);
	assert_memory_equal(&s, &s2, sizeof s);
}

static void decode_ipv6_data(void **state)
{
	unsigned char f[256];
	struct seg_spec sp = { 1, "::1", "::1", 8888, 40000, 1000, 2000, WIRE_PSH | WIRE_ACK, 512,
			       NULL, 0, 14 };
	size_t n = tcp_frame(f, &sp);
	struct wire_seg s;
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.src.ss_family, AF_INET6);
	assert_int_equal(port_of(&s.src), 8888);
	assert_int_equal(port_of(&s.dst), 40000);
	assert_true(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&s.dst)->sin6_addr));
	assert_int_equal(s.flags, WIRE_PSH | WIRE_ACK);
	assert_int_equal(s.raw_seq, 1000);
	assert_int_equal(s.raw_ack, 2000);
	assert_int_equal(s.len, 14);
	assert_int_equal(s.win, 512);
	assert_false(s.has_mss); /* options only matter on a SYN */
}

static void decode_ipv6_extension_header(void **state)
{
	unsigned char f[256];
	size_t off = ip_header(f, 1, "::1", "::1", 0 /* hop-by-hop */, 8 + 20 + 3);
	unsigned char *h = f + off;
	memset(h, 0, 8);
	h[0] = IPPROTO_TCP; /* next header */
	h[1] = 0;           /* 8 bytes */
	h[2] = 1;           /* PadN */
	h[3] = 4;
	unsigned char *t = h + 8;
	memset(t, 0, 20);
	put16(t, 1234);
	put16(t + 2, 80);
	t[12] = 5 << 4;
	t[13] = WIRE_ACK | WIRE_FIN;
	memcpy(t + 20, "abc", 3);
	struct wire_seg s;
	assert_int_equal(wire_decode_frame(f, off + 8 + 20 + 3, &s), 0);
	assert_int_equal(port_of(&s.src), 1234);
	assert_int_equal(s.flags, WIRE_ACK | WIRE_FIN);
	assert_int_equal(s.len, 3);
	/* the same behind a fragment header: a later fragment has no transport header */
	f[14 + 6] = 44;
	h[0] = IPPROTO_TCP;
	h[1] = 0;
	put16(h + 2, 8 << 3); /* fragment offset 8 (in 8-byte units) */
	assert_int_equal(wire_decode_frame(f, off + 8 + 20 + 3, &s), -1);
	put16(h + 2, 0);      /* the first fragment: decodable */
	assert_int_equal(wire_decode_frame(f, off + 8 + 20 + 3, &s), 0);
	assert_int_equal(s.len, 3);
}

static void decode_udp(void **state)
{
	unsigned char f[256];
	struct wire_seg s;
	size_t n = udp_frame(f, 0, "127.0.0.1", 5000, "127.0.0.1", 5353, 3);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.proto, IPPROTO_UDP);
	assert_int_equal(port_of(&s.src), 5000);
	assert_int_equal(port_of(&s.dst), 5353);
	assert_int_equal(s.len, 3);
	n = udp_frame(f, 1, "::1", 6000, "::1", 53, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.proto, IPPROTO_UDP);
	assert_int_equal(s.len, 0);
	/* a length below the header's or past the packet's end */
	n = udp_frame(f, 0, "127.0.0.1", 5000, "127.0.0.1", 5353, 3);
	put16(f + 34 + 4, 7);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	put16(f + 34 + 4, 12);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
}

/* Every prefix of a frame shorter than its headers is refused; none crashes. */
static void truncated_frames(void **state)
{
	unsigned char f[256];
	struct wire_seg s;
	struct seg_spec v4 = { 0, "127.0.0.1", "127.0.0.1", 1, 2, 3, 4, WIRE_SYN, 5, syn_opts,
			       sizeof syn_opts, 0 };
	struct seg_spec v6 = v4;
	v6.v6 = 1;
	v6.src = v6.dst = "::1";
	const struct seg_spec *specs[] = { &v4, &v6 };
	for (size_t k = 0; k < 2; k++) {
		size_t n = tcp_frame(f, specs[k]);
		for (size_t cut = 0; cut < n; cut++) {
			unsigned char *copy = malloc(cut ? cut : 1); /* exact size: ASan sees overreads */
			memcpy(copy, f, cut);
			assert_int_equal(wire_decode_frame(copy, cut, &s), -1);
			free(copy);
		}
		assert_int_equal(wire_decode_frame(f, n, &s), 0);
	}
	size_t n = udp_frame(f, 0, "127.0.0.1", 1, "127.0.0.1", 2, 5);
	for (size_t cut = 0; cut < 14 + 20 + 8; cut++)
		assert_int_equal(wire_decode_frame(f, cut, &s), -1);
	/* payload cut off by the capture: the IP header's length counts */
	assert_int_equal(wire_decode_frame(f, n - 5, &s), -1); /* tot_len says more than LEN */
	assert_int_equal(wire_decode(NULL, 0, &s), -1);
}

static void garbage_frames(void **state)
{
	unsigned char f[256];
	struct wire_seg s;
	struct seg_spec sp = { 0, "127.0.0.1", "127.0.0.1", 1, 2, 3, 4, WIRE_ACK, 5, NULL, 0, 10 };
	size_t n;
#define BROKEN(edit)                                              \
	do {                                                      \
		n = tcp_frame(f, &sp);                            \
		edit;                                             \
		assert_int_equal(wire_decode_frame(f, n, &s), -1); \
	} while (0)
	BROKEN(put16(f + 12, 0x0806));                 /* ARP */
	BROKEN(f[14] = 0x65);                          /* IPv6 version under an IPv4 ethertype */
	BROKEN(f[14] = 0x44);                          /* IHL 16 bytes */
	BROKEN(f[14] = 0x4f);                          /* IHL 60: past the packet */
	BROKEN(put16(f + 16, 10));                     /* total length below the header */
	BROKEN(put16(f + 16, 2000));                   /* total length past the frame */
	BROKEN(put16(f + 20, 0x0010));                 /* a later fragment */
	BROKEN(f[23] = 1);                             /* ICMP */
	BROKEN(f[34 + 12] = 4 << 4);                   /* TCP data offset 16 bytes */
	BROKEN(f[34 + 12] = 15 << 4);                  /* TCP data offset 60: past the packet */
	BROKEN(put16(f + 16, 20 + 12));                /* IP length too short for the TCP header */
#undef BROKEN
	/* options that lie about their lengths end the parse, not the program */
	static const unsigned char bad_opts[] = { 2, 0, 3, 40 };
	struct seg_spec syn = { 0, "127.0.0.1", "127.0.0.1", 1, 2, 3, 0, WIRE_SYN, 5, bad_opts,
				sizeof bad_opts, 0 };
	n = tcp_frame(f, &syn);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_false(s.has_mss);
	assert_false(s.has_wscale);
	/* IPv6: an endless chain of extension headers, a payload length past the frame */
	size_t off = ip_header(f, 1, "::1", "::1", 60, 100);
	for (size_t i = 0; i < 12; i++) {
		if (off + 8 > sizeof f)
			break;
		memset(f + off, 0, 8);
		f[off] = 60;
		off += 8;
	}
	assert_int_equal(wire_decode_frame(f, off, &s), -1);
	n = udp_frame(f, 1, "::1", 1, "::1", 2, 3);
	put16(f + 14 + 4, 200);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	/* random bytes, with and without a plausible start: never a crash */
	srand(42);
	for (int i = 0; i < 200000; i++) {
		size_t len = (size_t)rand() % 200;
		unsigned char *p = malloc(len ? len : 1);
		for (size_t j = 0; j < len; j++)
			p[j] = (unsigned char)rand();
		if (len > 14 && (i & 1)) {
			p[12] = (i & 2) ? 0x86 : 0x08;
			p[13] = (i & 2) ? 0xdd : 0x00;
			p[14] = (unsigned char)(((i & 2) ? 0x60 : 0x40) | (p[14] & 0x0f));
		}
		if (wire_decode_frame(p, len, &s) == 0)
			assert_true(s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP);
		(void)wire_decode(p, len, &s);
		free(p);
	}
}

/* ---- numbering -------------------------------------------------------------- */

static const struct wire_seg *feed(struct wire *w, const struct seg_spec *sp)
{
	unsigned char f[256];
	size_t n = tcp_frame(f, sp);
	assert_int_equal(wire_feed(w, f, n, 1), 0);
	return wire_at(w, wire_count(w) - 1);
}

static void relative_numbers(void **state)
{
	struct wire *w = wire_new();
	assert_non_null(w);
	assert_int_equal(wire_fd(w), -1);
	const uint32_t c = 4000000000u, v = 0xfffffff0u; /* the server's numbers wrap */
	const char *A = "127.0.0.1";
	struct seg_spec syn = { 0, A, A, 40000, 8888, c, 0, WIRE_SYN, 65495, syn_opts, sizeof syn_opts, 0 };
	struct seg_spec synack = { 0, A, A, 8888, 40000, v, c + 1, WIRE_SYN | WIRE_ACK, 65483, syn_opts,
				   sizeof syn_opts, 0 };
	struct seg_spec ack = { 0, A, A, 40000, 8888, c + 1, v + 1, WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec data = { 0, A, A, 8888, 40000, v + 1, c + 1, WIRE_PSH | WIRE_ACK, 512, NULL, 0, 30 };
	struct seg_spec dack = { 0, A, A, 40000, 8888, c + 1, v + 31, WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec fin = { 0, A, A, 40000, 8888, c + 1, v + 31, WIRE_FIN | WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec finack = { 0, A, A, 8888, 40000, v + 31, c + 2, WIRE_FIN | WIRE_ACK, 512, NULL, 0, 0 };
	const struct wire_seg *s;
	s = feed(w, &syn);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->no, 1);
	assert_int_equal(s->step, 1);
	s = feed(w, &synack);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, 1);
	s = feed(w, &ack);
	assert_int_equal(s->seq, 1);
	assert_int_equal(s->ack, 1);
	s = feed(w, &data);
	assert_int_equal(s->seq, 1);
	assert_int_equal(s->ack, 1);
	assert_int_equal(s->len, 30);
	s = feed(w, &dack);
	assert_int_equal(s->ack, 31);
	assert_int_equal(s->raw_ack, v + 31); /* wrapped past zero on the wire */
	s = feed(w, &fin);
	assert_int_equal(s->seq, 1);
	s = feed(w, &finack);
	assert_int_equal(s->seq, 31);
	assert_int_equal(s->ack, 2);
	/* the same ports again with a new SYN: a new connection, counted afresh */
	syn.seq = 17;
	s = feed(w, &syn);
	assert_int_equal(s->seq, 0);
	synack.seq = 99;
	synack.ack = 18;
	s = feed(w, &synack);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, 1);
	/* IPv6 and UDP are numbered apart; UDP not at all */
	unsigned char f[256];
	size_t n = udp_frame(f, 1, "::1", 5000, "::1", 5353, 3);
	assert_int_equal(wire_feed(w, f, n, 2), 0);
	s = wire_at(w, wire_count(w) - 1);
	assert_int_equal(s->proto, IPPROTO_UDP);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->step, 2);
	assert_int_equal(wire_feed(w, f, 10, 2), -1);
	assert_int_equal(wire_total(w), 10);
	wire_close(w);
}

/* Capture began mid-connection: each side counts from the first number seen. */
static void missed_syn(void **state)
{
	struct wire *w = wire_new();
	const char *A = "127.0.0.1";
	struct seg_spec d1 = { 0, A, A, 5555, 80, 700000, 900000, WIRE_PSH | WIRE_ACK, 100, NULL, 0, 10 };
	struct seg_spec a1 = { 0, A, A, 80, 5555, 900000, 700010, WIRE_ACK, 100, NULL, 0, 0 };
	struct seg_spec rst = { 0, A, A, 80, 5555, 900000, 0, WIRE_RST, 0, NULL, 0, 0 };
	const struct wire_seg *s = feed(w, &d1);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, 0);
	s = feed(w, &a1);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, 10);
	s = feed(w, &rst);
	assert_int_equal(s->seq, 0);
	assert_int_equal(s->ack, 0); /* no ACK flag: no number shown */
	wire_close(w);
}

/* ICMP errors: the quoted header names the conversation, swapped so the error answers its sender. */
static void decode_icmp_errors(void **state)
{
	unsigned char f[256];
	struct wire_seg s;
	char b[256];
	/* port unreachable about a UDP datagram 127.0.0.1:41000 -> 127.0.0.1:9001 */
	size_t n = icmp_frame(f, 0, 3, 3, "127.0.0.1", 0, "127.0.0.1", 41000, "127.0.0.1", 9001, 6);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.proto, IPPROTO_ICMP);
	assert_int_equal(s.icmp_type, 3);
	assert_int_equal(s.icmp_code, 3);
	assert_int_equal(s.icmp_about, IPPROTO_UDP);
	assert_int_equal(s.src.ss_family, AF_INET);
	assert_int_equal(port_of(&s.src), 9001);  /* from where the datagram went */
	assert_int_equal(port_of(&s.dst), 41000); /* back to its sender */
	assert_int_equal(s.len, 6);
	wire_format(&s, NULL, "client", b, sizeof b);
	assert_string_equal(b, "[wire] ? 127.0.0.1 > client 127.0.0.1 ICMP port unreachable for UDP "
			       "127.0.0.1:41000 > 127.0.0.1:9001 len=6");
	wire_icmp_text(&s, b, sizeof b);
	assert_string_equal(b, "ICMP port unreachable");
	assert_string_equal(wire_proto_name(&s), "ICMP");
	/* the reporter may be another host (a router): its address, the ports of the quote */
	n = icmp_frame(f, 0, 3, 1, "10.0.0.1", 1, "10.0.0.2", 50000, "192.0.2.7", 80, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.icmp_about, IPPROTO_TCP);
	wire_format(&s, NULL, "client", b, sizeof b);
	assert_string_equal(b, "[wire] ? 10.0.0.1 > client 10.0.0.2 ICMP host unreachable for TCP "
			       "10.0.0.2:50000 > 192.0.2.7:80");
	/* ICMPv6 destination unreachable, port unreachable (1/4) */
	n = icmp_frame(f, 1, 1, 4, "::1", 0, "::1", 42561, "::1", 9002, 2);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(s.proto, IPPROTO_ICMPV6);
	assert_int_equal(s.src.ss_family, AF_INET6);
	assert_int_equal(port_of(&s.src), 9002);
	assert_int_equal(port_of(&s.dst), 42561);
	wire_format(&s, "?", "client", b, sizeof b);
	assert_string_equal(b, "[wire] ? ::1 > client ::1 ICMPv6 port unreachable for UDP [::1]:42561 > [::1]:9002 len=2");
	n = icmp_frame(f, 1, 3, 0, "::1", 0, "::1", 1, "::1", 2, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	wire_icmp_text(&s, b, sizeof b);
	assert_string_equal(b, "ICMPv6 time exceeded");
	/* not errors: echo request (8), ICMPv6 echo request (128) and neighbour solicitation (135) */
	n = icmp_frame(f, 0, 8, 0, "127.0.0.1", 0, "127.0.0.1", 1, "127.0.0.1", 2, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	n = icmp_frame(f, 1, 128, 0, "::1", 0, "::1", 1, "::1", 2, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	n = icmp_frame(f, 1, 135, 0, "::1", 0, "::1", 1, "::1", 2, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	/* a quote cut before its ports, or of another protocol: nothing to match it with */
	n = icmp_frame(f, 0, 3, 3, "127.0.0.1", 0, "127.0.0.1", 41000, "127.0.0.1", 9001, 6);
	for (size_t cut = 14 + 20; cut < n; cut++)
		assert_int_equal(wire_decode_frame(f, cut, &s), -1);
	f[14 + 20 + 8 + 9] = 47; /* GRE */
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	n = icmp_frame(f, 1, 1, 4, "::1", 0, "::1", 1, "::1", 2, 0);
	f[14 + 40 + 8] = 0x45; /* an IPv4 header quoted in ICMPv6 */
	assert_int_equal(wire_decode_frame(f, n, &s), -1);
	/* a TCP segment has no ICMP text */
	struct seg_spec sp = { 0, "127.0.0.1", "127.0.0.1", 1, 2, 0, 0, WIRE_ACK, 1, NULL, 0, 0 };
	n = tcp_frame(f, &sp);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	assert_int_equal(wire_icmp_text(&s, b, sizeof b), 0);
	assert_string_equal(b, "");
	assert_string_equal(wire_proto_name(&s), "TCP");
}

/* The window after the handshake is the field shifted by the sender's scale from its SYN. */
static void window_scaling(void **state)
{
	struct wire *w = wire_new();
	const char *A = "127.0.0.1";
	unsigned char wscale10[] = { 1, 3, 3, 10 }, f[256];
	struct seg_spec syn = { 0, A, A, 40000, 8888, 5, 0, WIRE_SYN, 65495, syn_opts, sizeof syn_opts, 0 };
	struct seg_spec synack = { 0, A, A, 8888, 40000, 77, 6, WIRE_SYN | WIRE_ACK, 65483, wscale10,
				   sizeof wscale10, 0 };
	struct seg_spec ack = { 0, A, A, 40000, 8888, 6, 78, WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec back = { 0, A, A, 8888, 40000, 78, 6, WIRE_ACK, 64, NULL, 0, 0 };
	const struct wire_seg *s = feed(w, &syn);
	assert_true(s->window_known);
	assert_int_equal(s->window, 65495); /* never scaled on a SYN */
	s = feed(w, &synack);
	assert_int_equal(s->window, 65483);
	s = feed(w, &ack);
	assert_true(s->window_known);
	assert_int_equal(s->window, 512 << 7); /* the client announced 7 */
	s = feed(w, &back);
	assert_int_equal(s->window, 64 << 10); /* the server 10 */
	char b[256];
	wire_format(s, "server", "client", b, sizeof b);
	assert_string_equal(b, "[wire] server 127.0.0.1:8888 > client 127.0.0.1:40000 [ACK] seq=1 ack=1 win=65536 len=0");
	/* one SYN without the option: no scaling either way */
	struct seg_spec syn2 = { 0, A, A, 40001, 8888, 5, 0, WIRE_SYN, 65495, NULL, 0, 0 };
	struct seg_spec synack2 = { 0, A, A, 8888, 40001, 77, 6, WIRE_SYN | WIRE_ACK, 65483, wscale10,
				    sizeof wscale10, 0 };
	struct seg_spec back2 = { 0, A, A, 8888, 40001, 78, 6, WIRE_ACK, 64, NULL, 0, 0 };
	feed(w, &syn2);
	feed(w, &synack2);
	s = feed(w, &back2);
	assert_true(s->window_known);
	assert_int_equal(s->window, 64);
	/* the SYNs were missed: the raw field, marked so */
	struct seg_spec mid = { 0, A, A, 7777, 8888, 1000, 2000, WIRE_ACK, 300, NULL, 0, 10 };
	s = feed(w, &mid);
	assert_false(s->window_known);
	wire_format(s, NULL, NULL, b, sizeof b);
	assert_string_equal(b, "[wire] ? 127.0.0.1:7777 > ? 127.0.0.1:8888 [ACK] seq=0 ack=0 win_raw=300 len=10");
	/* decoded alone (no SYNs before it): only a SYN's window is known */
	size_t n = tcp_frame(f, &ack);
	struct wire_seg one;
	assert_int_equal(wire_decode_frame(f, n, &one), 0);
	assert_false(one.window_known);
	n = tcp_frame(f, &syn);
	assert_int_equal(wire_decode_frame(f, n, &one), 0);
	assert_true(one.window_known);
	assert_int_equal(one.window, 65495);
	wire_close(w);
}

/* ---- text ------------------------------------------------------------------- */

static void format_lines(void **state)
{
	struct wire *w = wire_new();
	const char *A = "127.0.0.1";
	struct seg_spec syn = { 0, A, A, 49152, 8888, 5, 0, WIRE_SYN, 65495, syn_opts, sizeof syn_opts, 0 };
	struct seg_spec synack = { 0, A, A, 8888, 49152, 77, 6, WIRE_SYN | WIRE_ACK, 65483, syn_opts,
				   sizeof syn_opts, 0 };
	struct seg_spec ack = { 0, A, A, 49152, 8888, 6, 78, WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec psh = { 0, A, A, 8888, 49152, 78, 6, WIRE_PSH | WIRE_ACK, 512, NULL, 0, 14 };
	struct seg_spec fin = { 0, A, A, 49152, 8888, 6, 92, WIRE_FIN | WIRE_ACK, 512, NULL, 0, 0 };
	struct seg_spec rst = { 0, A, A, 8888, 49152, 92, 0, WIRE_RST, 0, NULL, 0, 0 };
	struct seg_spec rstack = { 0, A, A, 8888, 49152, 92, 7, WIRE_RST | WIRE_ACK, 0, NULL, 0, 0 };
	char b[256];
	wire_format(feed(w, &syn), "client", "server", b, sizeof b);
	assert_string_equal(b, "[wire] client 127.0.0.1:49152 > server 127.0.0.1:8888 [SYN] seq=0 win=65495 "
			       "len=0 <mss 65495,sackOK,TS,wscale 7>");
	wire_format(feed(w, &synack), "server", "client", b, sizeof b);
	assert_string_equal(b, "[wire] server 127.0.0.1:8888 > client 127.0.0.1:49152 [SYN,ACK] seq=0 ack=1 "
			       "win=65483 len=0 <mss 65495,sackOK,TS,wscale 7>");
	wire_format(feed(w, &ack), "client", "server", b, sizeof b);
	assert_string_equal(b, "[wire] client 127.0.0.1:49152 > server 127.0.0.1:8888 [ACK] seq=1 ack=1 win=65536 len=0");
	wire_format(feed(w, &psh), "server", NULL, b, sizeof b);
	assert_string_equal(b, "[wire] server 127.0.0.1:8888 > ? 127.0.0.1:49152 [PSH,ACK] seq=1 ack=1 win=65536 len=14");
	wire_format(feed(w, &fin), NULL, NULL, b, sizeof b);
	assert_string_equal(b, "[wire] ? 127.0.0.1:49152 > ? 127.0.0.1:8888 [FIN,ACK] seq=1 ack=15 win=65536 len=0");
	wire_format(feed(w, &rst), "server", "client", b, sizeof b);
	assert_string_equal(b, "[wire] server 127.0.0.1:8888 > client 127.0.0.1:49152 [RST] seq=15 win=0 len=0");
	wire_format(feed(w, &rstack), "server", "client", b, sizeof b);
	assert_string_equal(b, "[wire] server 127.0.0.1:8888 > client 127.0.0.1:49152 [RST,ACK] seq=15 ack=2 win=0 len=0");

	unsigned char f[256];
	struct wire_seg s;
	size_t n = udp_frame(f, 0, A, 5000, A, 5353, 3);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	wire_format(&s, "client", "server", b, sizeof b);
	assert_string_equal(b, "[wire] client 127.0.0.1:5000 > server 127.0.0.1:5353 UDP len=3");
	n = udp_frame(f, 1, "::1", 5000, "::1", 5353, 0);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	wire_format(&s, "client", "server", b, sizeof b);
	assert_string_equal(b, "[wire] client [::1]:5000 > server [::1]:5353 UDP len=0");
	/* a SYN without options shows none */
	struct seg_spec bare = { 1, "::1", "::1", 1, 2, 0, 0, WIRE_SYN, 10, NULL, 0, 0 };
	n = tcp_frame(f, &bare);
	assert_int_equal(wire_decode_frame(f, n, &s), 0);
	wire_format(&s, "a", "b", b, sizeof b);
	assert_string_equal(b, "[wire] a [::1]:1 > b [::1]:2 [SYN] seq=0 win=10 len=0");
	/* a small buffer: cut, terminated, the length within it */
	char small[12];
	size_t l = wire_format(&s, "a", "b", small, sizeof small);
	assert_true(l < sizeof small);
	assert_int_equal(strlen(small), l);
	assert_string_equal(small, "[wire] a [:");
	wire_close(w);
}

static void flags_text(void **state)
{
	char b[64];
	static const struct {
		uint8_t f;
		const char *t;
	} cases[] = {
		{ WIRE_SYN, "SYN" }, { WIRE_SYN | WIRE_ACK, "SYN,ACK" }, { WIRE_ACK, "ACK" },
		{ WIRE_PSH | WIRE_ACK, "PSH,ACK" }, { WIRE_FIN | WIRE_ACK, "FIN,ACK" }, { WIRE_RST, "RST" },
		{ WIRE_RST | WIRE_ACK, "RST,ACK" }, { WIRE_FIN | WIRE_PSH | WIRE_ACK, "FIN,PSH,ACK" },
		{ WIRE_URG | WIRE_ACK, "URG,ACK" }, { 0, "none" },
		{ 0xff, "SYN,FIN,RST,PSH,URG,ACK,ECE,CWR" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = wire_flags_text(cases[i].f, b, sizeof b);
		assert_string_equal(b, cases[i].t);
		assert_int_equal(n, strlen(cases[i].t));
	}
	char tiny[4];
	assert_int_equal(wire_flags_text(WIRE_SYN | WIRE_ACK, tiny, sizeof tiny), 3);
	assert_string_equal(tiny, "SYN");
}

static void transcript_lines(void **state)
{
	unsigned char f[256];
	struct wire *w = wire_new();
	struct seg_spec synack = { 0, "127.0.0.1", "127.0.0.1", 8888, 49152, 77, 6, WIRE_SYN | WIRE_ACK,
				   65483, syn_opts, sizeof syn_opts, 0 };
	size_t n = tcp_frame(f, &synack);
	assert_int_equal(wire_feed(w, f, n, 9), 0);
	n = udp_frame(f, 1, "::1", 5000, "::1", 5353, 3);
	assert_int_equal(wire_feed(w, f, n, 9), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	struct transcript t = { .fp = fp, .format = TRANSCRIPT_TEXT, .file = "t.sp" };
	transcript_segment(&t, wire_at(w, 0), "server", "client", 7);
	t.format = TRANSCRIPT_JSON;
	transcript_segment(&t, wire_at(w, 0), "server", NULL, 7);
	transcript_segment(&t, wire_at(w, 1), "client", "server", 7);
	fclose(fp);
	assert_string_equal(out,
		"[wire] server 127.0.0.1:8888 > client 127.0.0.1:49152 [SYN,ACK] seq=0 ack=1 win=65483 len=0 "
		"<mss 65495,sackOK,TS,wscale 7>\n"
		"{\"event\":\"segment\",\"step\":9,\"line\":7,\"proto\":\"TCP\",\"src\":\"127.0.0.1:8888\","
		"\"dst\":\"127.0.0.1:49152\",\"src_actor\":\"server\",\"dst_actor\":\"?\",\"flags\":\"SYN,ACK\","
		"\"seq\":0,\"ack\":1,\"win\":65483,\"window\":65483,\"len\":0,"
		"\"options\":{\"mss\":65495,\"sack_ok\":true,\"timestamps\":true,\"wscale\":7},"
		"\"text\":\"server 127.0.0.1:8888 > ? 127.0.0.1:49152 [SYN,ACK] seq=0 ack=1 win=65483 len=0 "
		"<mss 65495,sackOK,TS,wscale 7>\"}\n"
		"{\"event\":\"segment\",\"step\":9,\"line\":7,\"proto\":\"UDP\",\"src\":\"[::1]:5000\","
		"\"dst\":\"[::1]:5353\",\"src_actor\":\"client\",\"dst_actor\":\"server\",\"len\":3,"
		"\"text\":\"client [::1]:5000 > server [::1]:5353 UDP len=3\"}\n");
	free(out);
	wire_close(w);
}

/* ---- the ring ------------------------------------------------------------------ */

static void ring_is_bounded(void **state)
{
	struct wire *w = wire_new();
	unsigned char f[256];
	const size_t extra = 5000, fed = WIRE_RING_MAX + extra;
	for (size_t i = 0; i < fed; i++) {
		/* thousands of connections too: the numbering table stays bounded */
		struct seg_spec sp = { 0, "127.0.0.1", "127.0.0.1", (uint16_t)(1024 + i % 6000), 8888,
				       (uint32_t)i * 100, 1, WIRE_ACK, 100, NULL, 0, 100 };
		size_t n = tcp_frame(f, &sp);
		assert_int_equal(wire_feed(w, f, n, (uint32_t)(i / 1000)), 0);
		assert_true(wire_count(w) <= WIRE_RING_MAX);
	}
	assert_int_equal(wire_total(w), fed);
	assert_int_equal(wire_count(w), WIRE_RING_MAX);
	assert_int_equal(wire_at(w, 0)->no, extra + 1);
	assert_int_equal(wire_at(w, WIRE_RING_MAX - 1)->no, fed);
	for (size_t i = 1; i < WIRE_RING_MAX; i += 997)
		assert_int_equal(wire_at(w, i)->no, wire_at(w, i - 1)->no + 1);
	assert_null(wire_at(w, WIRE_RING_MAX));
	assert_int_equal(wire_dropped(w), 0);
	wire_close(w);
}

/* ---- a real capture on lo ---------------------------------------------------------- */

/* The segments of connections touching PORT, as "FLAGS seq/ack/len" words. */
static void collect(struct wire *w, uint16_t port, char *out, size_t size)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < wire_count(w); i++) {
		const struct wire_seg *s = wire_at(w, i);
		if (port_of(&s->src) != port && port_of(&s->dst) != port)
			continue;
		char fl[64];
		if (s->proto == IPPROTO_UDP)
			snprintf(fl, sizeof fl, "UDP");
		else
			wire_flags_text(s->flags, fl, sizeof fl);
		o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s %u/%u/%u", o ? " | " : "", fl,
				      s->seq, (s->flags & WIRE_ACK) ? s->ack : 0, s->len);
	}
}

static void real_capture(void **state)
{
	if (!capture_ok)
		skip();
	char err[256];
	struct wire *w = wire_open(err, sizeof err);
	if (!w)
		fail_msg("wire_open: %s", err);
	assert_true(wire_fd(w) >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	uint16_t port = ntohs(a.sin_port);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	wire_settle(w, 1, 2000, 200000);
	int s = accept(l, NULL, NULL);
	assert_true(s >= 0);
	assert_int_equal(send(c, "hello", 5, 0), 5);
	wire_settle(w, 2, 2000, 200000);
	char buf[16];
	assert_int_equal(recv(s, buf, sizeof buf, 0), 5);
	close(c);
	wire_settle(w, 3, 2000, 200000); /* waits for the server's delayed ACK of the FIN */
	close(s);
	wire_settle(w, 4, 2000, 200000);
	close(l);

	char got[1024];
	collect(w, port, got, sizeof got);
	assert_string_equal(got, "SYN 0/0/0 | SYN,ACK 0/1/0 | ACK 1/1/0 | PSH,ACK 1/1/5 | ACK 1/6/0"
				 " | FIN,ACK 6/1/0 | ACK 1/7/0 | FIN,ACK 1/7/0 | ACK 7/2/0");
	/* each segment belongs to the step it was drained in */
	int steps[5] = { 0 };
	for (size_t i = 0; i < wire_count(w); i++) {
		const struct wire_seg *g = wire_at(w, i);
		if (port_of(&g->src) == port || port_of(&g->dst) == port) {
			assert_true(g->step >= 1 && g->step <= 4);
			steps[g->step]++;
			assert_true(g->ts.tv_sec > 0);
		}
	}
	assert_int_equal(steps[1], 3);
	assert_int_equal(steps[2], 2);
	assert_int_equal(steps[3], 2);
	assert_int_equal(steps[4], 2);
	/* the SYN's options, as Linux sends them */
	for (size_t i = 0; i < wire_count(w); i++) {
		const struct wire_seg *g = wire_at(w, i);
		if (port_of(&g->dst) == port && g->flags == WIRE_SYN) {
			assert_true(g->has_mss && g->sack_ok && g->has_ts && g->has_wscale);
			assert_true(g->mss > 0);
			break;
		}
	}

	/* UDP: one datagram, seen once */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t ual = sizeof ua;
	assert_int_equal(bind(u, (struct sockaddr *)&ua, sizeof ua), 0);
	assert_int_equal(getsockname(u, (struct sockaddr *)&ua, &ual), 0);
	assert_int_equal(sendto(u, "abc", 3, 0, (struct sockaddr *)&ua, sizeof ua), 3);
	wire_settle(w, 5, 2000, 200000);
	collect(w, ntohs(ua.sin_port), got, sizeof got);
	assert_string_equal(got, "UDP 0/0/3");
	close(u);
	u = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 u6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t u6l = sizeof u6;
	assert_int_equal(bind(u, (struct sockaddr *)&u6, sizeof u6), 0);
	assert_int_equal(getsockname(u, (struct sockaddr *)&u6, &u6l), 0);
	assert_int_equal(sendto(u, "", 0, 0, (struct sockaddr *)&u6, sizeof u6), 0);
	wire_settle(w, 6, 2000, 200000);
	collect(w, ntohs(u6.sin6_port), got, sizeof got);
	assert_string_equal(got, "UDP 0/0/0");
	close(u);

	/* a datagram to a port nobody has: the kernel's ICMP port unreachable passes the filter */
	for (int v6 = 0; v6 < 2; v6++) {
		u = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_storage to;
		socklen_t tl;
		memset(&to, 0, sizeof to);
		if (v6) {
			struct sockaddr_in6 *t6 = (struct sockaddr_in6 *)&to;
			t6->sin6_family = AF_INET6;
			t6->sin6_addr = in6addr_loopback;
			t6->sin6_port = htons(9);
			tl = sizeof *t6;
		} else {
			struct sockaddr_in *t4 = (struct sockaddr_in *)&to;
			t4->sin_family = AF_INET;
			t4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			t4->sin_port = htons(9);
			tl = sizeof *t4;
		}
		assert_int_equal(connect(u, (struct sockaddr *)&to, tl), 0);
		struct sockaddr_storage me;
		socklen_t ml = sizeof me;
		assert_int_equal(getsockname(u, (struct sockaddr *)&me, &ml), 0);
		assert_int_equal(send(u, "knock", 5, 0), 5);
		wire_settle(w, 7, 2000, 200000);
		errno = 0;
		assert_int_equal(recv(u, got, sizeof got, MSG_DONTWAIT), -1);
		assert_int_equal(errno, ECONNREFUSED);
		const struct wire_seg *icmp = NULL;
		for (size_t i = 0; i < wire_count(w); i++) {
			const struct wire_seg *g = wire_at(w, i);
			if ((g->proto == IPPROTO_ICMP || g->proto == IPPROTO_ICMPV6) && port_of(&g->dst) == port_of(&me))
				icmp = g;
		}
		assert_non_null(icmp);
		assert_int_equal(icmp->proto, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
		assert_int_equal(icmp->icmp_type, v6 ? 1 : 3);
		assert_int_equal(icmp->icmp_code, v6 ? 4 : 3);
		assert_int_equal(port_of(&icmp->src), 9);
		assert_int_equal(icmp->len, 5);
		assert_int_equal(icmp->step, 7);
		close(u);
	}
	assert_int_equal(wire_dropped(w), 0);
	wire_close(w);
}

/* A close with linger 0 resets: one RST, and the peer gets ECONNRESET. */
static void real_capture_reset(void **state)
{
	if (!capture_ok)
		skip();
	char err[256];
	struct wire *w = wire_open(err, sizeof err);
	if (!w)
		fail_msg("wire_open: %s", err);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t al = sizeof a;
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	int s = accept(l, NULL, NULL);
	struct linger lg = { 1, 0 };
	assert_int_equal(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
	close(c);
	wire_settle(w, 1, 2000, 200000);
	char buf[4];
	errno = 0;
	assert_int_equal(recv(s, buf, sizeof buf, 0), -1);
	assert_int_equal(errno, ECONNRESET);
	char got[512];
	collect(w, ntohs(a.sin6_port), got, sizeof got);
	assert_string_equal(got, "SYN 0/0/0 | SYN,ACK 0/1/0 | ACK 1/1/0 | RST,ACK 1/1/0");
	close(s);
	close(l);
	wire_close(w);
}

int main(void)
{
	char msg[256];
	/* A private network: capture works without root, and only our own segments pass. */
	enum sandbox_result r = sandbox_enter(SANDBOX_AUTO, msg, sizeof msg);
	capture_ok = r == SANDBOX_MADE || geteuid() == 0;
	if (r != SANDBOX_MADE)
		fprintf(stderr, "test_wire: %s\n", msg);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_ipv4_syn),
		cmocka_unit_test(decode_ipv6_data),
		cmocka_unit_test(decode_ipv6_extension_header),
		cmocka_unit_test(decode_udp),
		cmocka_unit_test(truncated_frames),
		cmocka_unit_test(garbage_frames),
		cmocka_unit_test(relative_numbers),
		cmocka_unit_test(missed_syn),
		cmocka_unit_test(decode_icmp_errors),
		cmocka_unit_test(window_scaling),
		cmocka_unit_test(format_lines),
		cmocka_unit_test(flags_text),
		cmocka_unit_test(transcript_lines),
		cmocka_unit_test(ring_is_bounded),
		cmocka_unit_test(real_capture),
		cmocka_unit_test(real_capture_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
