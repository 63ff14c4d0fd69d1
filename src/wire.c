/* wire.c -- the segments on lo: a filtered packet capture, decoded and numbered like a textbook ladder. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h> /* packet parsing lives here: it clashes with the <linux/tcp.h> of kview.c */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "sockplay/text.h"
#include "sockplay/wire.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 /* Linux 4.20 */
#endif

#define WIRE_SNAP 256       /* bytes kept of a frame: every header fits, payloads are only counted */
#define WIRE_RCVBUF (8 << 20) /* without the mapped ring */
/*
 * The kernel copies the headers of each frame into a ring shared with us
 * (PACKET_RX_RING): nothing else is held per frame, so a 100 MB transfer
 * (some 2,000 frames of 64 KiB on lo) fits while sockplay waits for a call,
 * where a socket buffer, charged the whole frame, overflows after ~100.
 */
#define WIRE_FRAME_SIZE 512
#define WIRE_BLOCK_SIZE (1 << 16)
#define WIRE_BLOCK_NR 32    /* 2 MiB: 4096 frames */
#define WIRE_CONN_MAX 1024  /* connections numbered at once; the least recently seen goes first */
#define WIRE_RING_MIN 256

/* One side of a connection, as the key of the numbering table. */
struct wire_ep {
	uint8_t addr[16];
	uint16_t port;
};

struct wire_conn {
	int family;            /* AF_INET or AF_INET6 */
	struct wire_ep ep[2];  /* ep[0] sent the first segment seen */
	uint32_t isn[2];       /* the sequence number each side counts from */
	uint8_t known[2];
	/* what a side sent that the other must acknowledge: data and FIN */
	uint32_t end[2];       /* raw sequence number just after the last of it */
	uint32_t end_step[2];  /* the step that sent it */
	uint32_t acked[2];     /* the highest ack the other side sent for it */
	uint8_t has_end[2], has_acked[2];
	uint8_t reset;         /* an RST ended it: nothing more is owed */
	/* the window scale each side announced in its SYN */
	uint8_t syn_seen[2], ws_ok[2], ws[2];
	uint64_t used;         /* when last seen, for eviction */
};

struct wire {
	int fd;                    /* the packet socket, -1 for a fed ring */
	unsigned char *rx;         /* the kernel's ring, or NULL: read with recvmsg() */
	size_t rx_len;
	unsigned rx_frames, rx_next;
	struct wire_seg *ring;
	size_t cap, head, count;   /* head: the oldest */
	uint64_t total, dropped, clock;
	struct wire_conn conns[WIRE_CONN_MAX];
	size_t nconns;
};

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- decoding ------------------------------------------------------------ */

/* The options of a SYN. A malformed list ends the parse; the segment stays. */
static void decode_tcp_options(const unsigned char *o, size_t n, struct wire_seg *out)
{
	size_t i = 0;
	while (i < n) {
		uint8_t kind = o[i];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		size_t l = o[i + 1];
		if (l < 2 || l > n - i)
			break;
		if (kind == TCPOPT_MAXSEG && l == TCPOLEN_MAXSEG) {
			out->has_mss = 1;
			out->mss = be16(o + i + 2);
		} else if (kind == TCPOPT_WINDOW && l == TCPOLEN_WINDOW) {
			out->has_wscale = 1;
			out->wscale = o[i + 2];
		} else if (kind == TCPOPT_SACK_PERMITTED && l == TCPOLEN_SACK_PERMITTED) {
			out->sack_ok = 1;
		} else if (kind == TCPOPT_TIMESTAMP && l == TCPOLEN_TIMESTAMP) {
			out->has_ts = 1;
		}
		i += l;
	}
}

/* Sin_port and sin6_port: the same field for each family. */
static void set_ports(struct wire_seg *out, const unsigned char *l4)
{
	uint16_t sp = htons(be16(l4)), dp = htons(be16(l4 + 2));
	if (out->src.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&out->src)->sin6_port = sp;
		((struct sockaddr_in6 *)&out->dst)->sin6_port = dp;
	} else {
		((struct sockaddr_in *)&out->src)->sin_port = sp;
		((struct sockaddr_in *)&out->dst)->sin_port = dp;
	}
}

/* The transport header at L4: CAP bytes captured of the LEN the IP header gives it. */
static int decode_l4(int proto, const unsigned char *l4, size_t cap, size_t len, int jumbo,
		     struct wire_seg *out)
{
	if (cap > len)
		cap = len; /* what follows the IP packet (padding) is not part of it */
	if (proto == IPPROTO_TCP) {
		if (cap < sizeof(struct tcphdr))
			return -1;
		size_t doff = (size_t)(l4[12] >> 4) * 4;
		if (doff < sizeof(struct tcphdr) || doff > cap)
			return -1;
		out->proto = IPPROTO_TCP;
		set_ports(out, l4);
		out->raw_seq = out->seq = be32(l4 + 4);
		out->raw_ack = out->ack = be32(l4 + 8);
		out->flags = l4[13];
		out->win = be16(l4 + 14);
		out->len = (uint32_t)(len - doff);
		if (out->flags & WIRE_SYN) {
			decode_tcp_options(l4 + sizeof(struct tcphdr), doff - sizeof(struct tcphdr), out);
			out->window = out->win; /* a SYN's window is never scaled (RFC 7323) */
			out->window_known = 1;
		}
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		if (cap < 8)
			return -1;
		size_t ulen = be16(l4 + 4);
		if (ulen == 0 && jumbo)
			ulen = len;
		if (ulen < 8 || ulen > len)
			return -1;
		out->proto = IPPROTO_UDP;
		set_ports(out, l4);
		out->len = (uint32_t)(ulen - 8);
		return 0;
	}
	return -1;
}

/* ICMP types that are errors about a packet (and quote it): destination unreachable, time exceeded, parameter problem. */
static int icmp_is_error(int v6, uint8_t type)
{
	if (v6)
		return type >= 1 && type <= 4; /* ... and packet too big */
	return type == 3 || type == 11 || type == 12;
}

/*
 * An ICMP or ICMPv6 error at L (CAP bytes captured): the packet it quotes
 * must be one of the same family carrying TCP or UDP, whose ports are there
 * (RFC 792 quotes at least 8 bytes of it). SRC/DST of OUT hold the error's
 * own addresses when called.
 */
static int decode_icmp(int v6, const unsigned char *l, size_t cap, struct wire_seg *out)
{
	if (cap < 8 || !icmp_is_error(v6, l[0]))
		return -1;
	const unsigned char *q = l + 8; /* the packet quoted */
	size_t qcap = cap - 8, off;
	int proto;
	struct sockaddr_storage from = out->src;
	memset(&out->src, 0, sizeof out->src);
	memset(&out->dst, 0, sizeof out->dst);
	if (!v6) {
		if (qcap < 20 || (q[0] >> 4) != 4)
			return -1;
		off = (size_t)(q[0] & 0x0f) * 4;
		if (off < 20 || (be16(q + 6) & 0x1fff))
			return -1;
		proto = q[9];
		struct sockaddr_in *s = (struct sockaddr_in *)&out->src, *d = (struct sockaddr_in *)&out->dst;
		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, q + 16, 4); /* the error answers from where the packet went */
		memcpy(&d->sin_addr, q + 12, 4);
		memcpy(out->icmp_from, &((struct sockaddr_in *)&from)->sin_addr, 4);
	} else {
		if (qcap < 40 || (q[0] >> 4) != 6)
			return -1;
		off = 40;
		proto = q[6];
		for (int hops = 0; proto == 0 || proto == 43 || proto == 44 || proto == 60; hops++) {
			if (hops == 8 || off + 8 > qcap)
				return -1;
			if (proto == 44 && (be16(q + off + 2) & 0xfff8))
				return -1;
			size_t hl = proto == 44 ? 8 : ((size_t)q[off + 1] + 1) * 8;
			proto = q[off];
			off += hl;
		}
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&out->src, *d = (struct sockaddr_in6 *)&out->dst;
		s->sin6_family = d->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, q + 24, 16);
		memcpy(&d->sin6_addr, q + 8, 16);
		memcpy(out->icmp_from, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || off > qcap || qcap - off < 8)
		return -1;
	const unsigned char *t = q + off;
	/* swapped: the quoted destination answers its source */
	uint16_t sp = htons(be16(t + 2)), dp = htons(be16(t));
	if (v6) {
		((struct sockaddr_in6 *)&out->src)->sin6_port = sp;
		((struct sockaddr_in6 *)&out->dst)->sin6_port = dp;
	} else {
		((struct sockaddr_in *)&out->src)->sin_port = sp;
		((struct sockaddr_in *)&out->dst)->sin_port = dp;
	}
	out->proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	out->icmp_type = l[0];
	out->icmp_code = l[1];
	out->icmp_about = proto;
	if (proto == IPPROTO_UDP) {
		size_t ulen = be16(t + 4);
		out->len = ulen >= 8 ? (uint32_t)(ulen - 8) : 0;
	}
	return 0;
}

static int decode_ipv4(const unsigned char *p, size_t cap, size_t wirelen, struct wire_seg *out)
{
	if (cap < 20)
		return -1;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t tot = be16(p + 2);
	if (tot == 0)
		tot = wirelen; /* a segment larger than 64 KiB (BIG TCP) leaves it 0 */
	if (ihl < 20 || ihl > cap || tot < ihl || tot > wirelen)
		return -1;
	if (be16(p + 6) & 0x1fff)
		return -1; /* a later fragment: no transport header */
	struct sockaddr_in *s = (struct sockaddr_in *)&out->src, *d = (struct sockaddr_in *)&out->dst;
	s->sin_family = d->sin_family = AF_INET;
	memcpy(&s->sin_addr, p + 12, 4);
	memcpy(&d->sin_addr, p + 16, 4);
	if (p[9] == IPPROTO_ICMP)
		return decode_icmp(0, p + ihl, (cap < tot ? cap : tot) - ihl, out);
	return decode_l4(p[9], p + ihl, cap - ihl, tot - ihl, 0, out);
}

static int decode_ipv6(const unsigned char *p, size_t cap, size_t wirelen, struct wire_seg *out)
{
	if (cap < 40 || wirelen < 40)
		return -1;
	size_t plen = be16(p + 4);
	int jumbo = plen == 0;
	if (jumbo)
		plen = wirelen - 40;
	if (plen > wirelen - 40)
		return -1;
	size_t end = 40 + plen, off = 40;
	int nh = p[6];
	/* extension headers: hop-by-hop, routing, fragment, destination options */
	for (int hops = 0; nh == 0 || nh == 43 || nh == 44 || nh == 60; hops++) {
		if (hops == 8 || off + 8 > cap || off + 8 > end)
			return -1;
		size_t hl = nh == 44 ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (nh == 44 && (be16(p + off + 2) & 0xfff8))
			return -1; /* a later fragment */
		if (hl > end - off)
			return -1;
		nh = p[off];
		off += hl;
	}
	if (off > cap)
		return -1;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&out->src, *d = (struct sockaddr_in6 *)&out->dst;
	s->sin6_family = d->sin6_family = AF_INET6;
	memcpy(&s->sin6_addr, p + 8, 16);
	memcpy(&d->sin6_addr, p + 24, 16);
	if (nh == IPPROTO_ICMPV6)
		return decode_icmp(1, p + off, (cap < end ? cap : end) - off, out);
	return decode_l4(nh, p + off, cap - off, end - off, jumbo, out);
}

/* CAP bytes captured of an IP packet WIRELEN long. */
static int decode_ip(const unsigned char *p, size_t cap, size_t wirelen, struct wire_seg *out)
{
	memset(out, 0, sizeof *out);
	if (!p || cap == 0)
		return -1;
	if (wirelen < cap)
		wirelen = cap;
	int rc = -1;
	switch (p[0] >> 4) {
	case 4: rc = decode_ipv4(p, cap, wirelen, out); break;
	case 6: rc = decode_ipv6(p, cap, wirelen, out); break;
	}
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

int wire_decode(const unsigned char *pkt, size_t len, struct wire_seg *out)
{
	return decode_ip(pkt, len, len, out);
}

static int decode_frame(const unsigned char *f, size_t cap, size_t wirelen, struct wire_seg *out)
{
	memset(out, 0, sizeof *out);
	if (!f || cap < ETH_HLEN)
		return -1;
	uint16_t type = be16(f + 12);
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return -1;
	if (cap > ETH_HLEN && (f[ETH_HLEN] >> 4) != (type == ETH_P_IP ? 4 : 6))
		return -1;
	return decode_ip(f + ETH_HLEN, cap - ETH_HLEN, wirelen > ETH_HLEN ? wirelen - ETH_HLEN : 0, out);
}

int wire_decode_frame(const unsigned char *frame, size_t len, struct wire_seg *out)
{
	return decode_frame(frame, len, len, out);
}

/* ---- numbering and the ring --------------------------------------------- */

static void endpoint(const struct sockaddr_storage *ss, struct wire_ep *ep)
{
	memset(ep, 0, sizeof *ep);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		memcpy(ep->addr, &in->sin_addr, 4);
		ep->port = in->sin_port;
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		memcpy(ep->addr, &in6->sin6_addr, 16);
		ep->port = in6->sin6_port;
	}
}

static int ep_eq(const struct wire_ep *a, const struct wire_ep *b)
{
	return a->port == b->port && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

/* The connection of a segment from SRC to DST (created if new); *DIR: which side sent it. */
static struct wire_conn *conn_get(struct wire *w, int family, const struct wire_ep *src,
				  const struct wire_ep *dst, int *dir)
{
	struct wire_conn *lru = NULL;
	for (size_t i = 0; i < w->nconns; i++) {
		struct wire_conn *c = &w->conns[i];
		if (c->family == family && ep_eq(&c->ep[0], src) && ep_eq(&c->ep[1], dst)) {
			*dir = 0;
			return c;
		}
		if (c->family == family && ep_eq(&c->ep[1], src) && ep_eq(&c->ep[0], dst)) {
			*dir = 1;
			return c;
		}
		if (!lru || c->used < lru->used)
			lru = c;
	}
	struct wire_conn *c = w->nconns < WIRE_CONN_MAX ? &w->conns[w->nconns++] : lru;
	memset(c, 0, sizeof *c);
	c->family = family;
	c->ep[0] = *src;
	c->ep[1] = *dst;
	*dir = 0;
	return c;
}

/* Serial-number order (RFC 1982): whether A comes after B. */
static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Sequence and acknowledgement numbers relative to each side's ISN; what is owed an ACK. */
static void relate(struct wire *w, struct wire_seg *s, uint32_t step)
{
	if (s->proto != IPPROTO_TCP)
		return;
	struct wire_ep src, dst;
	endpoint(&s->src, &src);
	endpoint(&s->dst, &dst);
	int d;
	struct wire_conn *c = conn_get(w, s->src.ss_family, &src, &dst, &d);
	int o = !d;
	if (s->flags & WIRE_SYN) {
		/* a fresh SYN on a known 4-tuple is a new connection reusing the ports */
		if (!(s->flags & WIRE_ACK) && c->known[d] && c->isn[d] != s->raw_seq) {
			struct wire_conn fresh = { .family = c->family, .ep = { c->ep[0], c->ep[1] } };
			*c = fresh;
		}
		c->isn[d] = s->raw_seq;
		c->known[d] = 1;
		c->syn_seen[d] = 1;
		c->ws_ok[d] = (uint8_t)s->has_wscale;
		c->ws[d] = s->wscale > 14 ? 14 : s->wscale; /* RFC 7323: larger shifts count as 14 */
	} else if (!c->known[d]) {
		c->isn[d] = s->raw_seq; /* the SYN was missed: count from the first seen */
		c->known[d] = 1;
	}
	s->seq = s->raw_seq - c->isn[d];
	if (s->flags & WIRE_SYN) {
		s->window = s->win;
		s->window_known = 1;
	} else if (c->syn_seen[0] && c->syn_seen[1]) {
		/* scaling is on only when both SYNs carried the option */
		s->window = (uint32_t)s->win << (c->ws_ok[0] && c->ws_ok[1] ? c->ws[d] : 0);
		s->window_known = 1;
	} else {
		s->window_known = 0;
	}
	if (s->flags & WIRE_ACK) {
		if (!c->known[o]) {
			/* the other side's numbers seen first here: its SYN counts one */
			c->isn[o] = s->raw_ack - ((s->flags & WIRE_SYN) ? 1 : 0);
			c->known[o] = 1;
		}
		s->ack = s->raw_ack - c->isn[o];
		if (!c->has_acked[o] || seq_after(s->raw_ack, c->acked[o])) {
			c->acked[o] = s->raw_ack;
			c->has_acked[o] = 1;
		}
	} else {
		s->ack = 0;
	}
	if (s->flags & WIRE_RST) {
		c->reset = 1;
	} else if (s->len || (s->flags & WIRE_FIN)) {
		uint32_t e = s->raw_seq + s->len + !!(s->flags & WIRE_FIN) + !!(s->flags & WIRE_SYN);
		if (!c->has_end[d] || seq_after(e, c->end[d])) {
			c->end[d] = e;
			c->has_end[d] = 1;
		}
		c->end_step[d] = step;
	}
	c->used = ++w->clock;
}

/* Whether data or a FIN sent during STEP still waits for its ACK. */
static int awaiting_ack(const struct wire *w, uint32_t step)
{
	for (size_t i = 0; i < w->nconns; i++) {
		const struct wire_conn *c = &w->conns[i];
		if (c->reset)
			continue;
		for (int d = 0; d < 2; d++)
			if (c->has_end[d] && c->end_step[d] == step &&
			    (!c->has_acked[d] || seq_after(c->end[d], c->acked[d])))
				return 1;
	}
	return 0;
}

static void ring_push(struct wire *w, const struct wire_seg *s)
{
	if (w->count == w->cap && w->cap < WIRE_RING_MAX && w->head == 0) {
		/* grows until its largest, then wraps (or wraps smaller when memory ran out) */
		size_t ncap = w->cap ? w->cap * 2 : WIRE_RING_MIN;
		if (ncap > WIRE_RING_MAX)
			ncap = WIRE_RING_MAX;
		struct wire_seg *n = realloc(w->ring, ncap * sizeof *n);
		if (n) {
			w->ring = n;
			w->cap = ncap;
		}
	}
	if (w->cap == 0)
		return; /* out of memory before the first one: count it, keep nothing */
	if (w->count < w->cap) {
		w->ring[(w->head + w->count) % w->cap] = *s;
		w->count++;
	} else {
		w->ring[w->head] = *s;
		w->head = (w->head + 1) % w->cap;
	}
}

static void add(struct wire *w, struct wire_seg *s, uint32_t step)
{
	relate(w, s, step);
	s->no = ++w->total;
	s->step = step;
	ring_push(w, s);
}

struct wire *wire_new(void)
{
	struct wire *w = calloc(1, sizeof *w);
	if (w)
		w->fd = -1;
	return w;
}

int wire_feed(struct wire *w, const unsigned char *frame, size_t len, uint32_t step)
{
	struct wire_seg s;
	if (decode_frame(frame, len, len, &s) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &s.ts);
	add(w, &s, step);
	return 0;
}

size_t wire_count(const struct wire *w)
{
	return w ? w->count : 0;
}

const struct wire_seg *wire_at(const struct wire *w, size_t i)
{
	if (!w || i >= w->count)
		return NULL;
	return &w->ring[(w->head + i) % w->cap];
}

uint64_t wire_total(const struct wire *w)
{
	return w ? w->total : 0;
}

/* ---- capture ------------------------------------------------------------- */

/*
 * The kernel filter, on frames with their Ethernet header: IPv4 carrying TCP,
 * UDP or an ICMP error (destination unreachable, time exceeded, parameter
 * problem); IPv6 carrying TCP, UDP, a hop-by-hop header (the decoder looks
 * behind it) or an ICMPv6 error (types below 128): keep WIRE_SNAP bytes;
 * anything else (echo requests, neighbour discovery ...): drop.
 */
static struct sock_filter wire_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                  /* 0: ethertype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 1, 0),     /* 1: -> 3 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 9, 17),  /* 2: -> 12, else 20 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN + 9),        /* 3: IPv4 protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 14, 0), /* 4: -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 13, 0), /* 5: -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 13), /* 6: -> 7, else 20 */
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ETH_HLEN),           /* 7: X = IPv4 header length */
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, ETH_HLEN),            /* 8: ICMP type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 9, 0),            /* 9: unreachable -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 11, 8, 0),           /* 10: time exceeded -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 12, 7, 8),           /* 11: parameter problem -> 19, else 20 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN + 6),        /* 12: IPv6 next header */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 5, 0),  /* 13: -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 4, 0),  /* 14: -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),            /* 15: hop-by-hop -> 19 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 3), /* 16: -> 17, else 20 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN + 40),       /* 17: ICMPv6 type */
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 127, 1, 0),          /* 18: informational -> 20, else 19 */
	BPF_STMT(BPF_RET | BPF_K, WIRE_SNAP),                    /* 19: keep the headers */
	BPF_STMT(BPF_RET | BPF_K, 0),                            /* 20: not ours */
};

/* Whether this process runs in a user namespace of its own (the sandbox). */
static int in_user_namespace(void)
{
	FILE *fp = fopen("/proc/self/uid_map", "r");
	if (!fp)
		return 0;
	unsigned long inside = 0, outside = 0, count = 0;
	int n = fscanf(fp, "%lu %lu %lu", &inside, &outside, &count);
	fclose(fp);
	return n == 3 && !(inside == 0 && outside == 0 && count == 4294967295UL);
}

static void open_error(int e, const char *what, char *err, size_t errlen)
{
	if (e == EPERM || e == EACCES) {
		if (in_user_namespace())
			snprintf(err, errlen, "wire view off: this system gives the sandbox no capabilities "
				 "(user namespaces are restricted), so it cannot capture; run as root "
				 "with --host-net to see the wire");
		else
			/* said the same whether --host-net was asked for or the sandbox fell back */
			snprintf(err, errlen, "wire view off: capturing needs CAP_NET_RAW on the host network "
				 "(run as root, or in the sandbox: without --host-net, where this system "
				 "allows one)");
	} else if (e == EAFNOSUPPORT) {
		snprintf(err, errlen, "wire view off: this kernel has no packet sockets (AF_PACKET)");
	} else {
		snprintf(err, errlen, "wire view off: %s: %s", what, strerror(e));
	}
}

/* Map the kernel's ring of frames; -1 leaves the socket to recvmsg(). */
static int rx_ring(struct wire *w)
{
	int v = TPACKET_V2;
	struct tpacket_req req = { .tp_block_size = WIRE_BLOCK_SIZE, .tp_block_nr = WIRE_BLOCK_NR,
				   .tp_frame_size = WIRE_FRAME_SIZE,
				   .tp_frame_nr = WIRE_BLOCK_SIZE / WIRE_FRAME_SIZE * WIRE_BLOCK_NR };
	if (setsockopt(w->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0 ||
	    setsockopt(w->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0)
		return -1;
	size_t len = (size_t)req.tp_block_size * req.tp_block_nr;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
	if (m == MAP_FAILED) {
		struct tpacket_req none = { 0 };
		(void)setsockopt(w->fd, SOL_PACKET, PACKET_RX_RING, &none, sizeof none);
		return -1;
	}
	w->rx = m;
	w->rx_len = len;
	w->rx_frames = req.tp_frame_nr;
	return 0;
}

struct wire *wire_open(char *err, size_t errlen)
{
	const char *what = "socket(AF_PACKET)";
	struct wire *w = wire_new();
	if (!w) {
		snprintf(err, errlen, "wire view off: out of memory");
		return NULL;
	}
	/* protocol 0: nothing arrives before the filter is on and the socket bound */
	w->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		goto error;
	struct sock_fprog prog = { .len = sizeof wire_bpf / sizeof wire_bpf[0], .filter = wire_bpf };
	what = "SO_ATTACH_FILTER";
	if (setsockopt(w->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
		goto error;
	/* lo hands every frame to taps twice, going out and coming in: keep one */
	int one = 1;
	(void)setsockopt(w->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
	(void)setsockopt(w->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);
	(void)setsockopt(w->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
	if (rx_ring(w) < 0) {
		int rcvbuf = WIRE_RCVBUF;
		if (setsockopt(w->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
			(void)setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	}
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(w->fd, SIOCGIFINDEX, &ifr) < 0) {
		snprintf(err, errlen, "wire view off: there is no loopback interface (lo)");
		wire_close(w);
		return NULL;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = ifr.ifr_ifindex };
	what = "bind(lo)";
	if (bind(w->fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		goto error;
	return w;
error:
	open_error(errno, what, err, errlen);
	wire_close(w);
	return NULL;
}

void wire_close(struct wire *w)
{
	if (!w)
		return;
	if (w->rx)
		munmap(w->rx, w->rx_len);
	if (w->fd >= 0)
		close(w->fd);
	free(w->ring);
	free(w);
}

int wire_fd(const struct wire *w)
{
	return w ? w->fd : -1;
}

/* One frame read from the capture: CAP bytes of a frame WIRELEN long. 1 when added. */
static int take(struct wire *w, const unsigned char *f, size_t cap, size_t wirelen, int pkttype,
		const struct timespec *ts, uint32_t step)
{
	if (pkttype == PACKET_OUTGOING)
		return 0; /* kernels before 4.20 ignore PACKET_IGNORE_OUTGOING */
	struct wire_seg s;
	if (decode_frame(f, cap, wirelen, &s) < 0)
		return 0;
	if (ts)
		s.ts = *ts;
	else
		clock_gettime(CLOCK_REALTIME, &s.ts);
	add(w, &s, step);
	return 1;
}

/* The frames the kernel put in the mapped ring, in order. */
static int drain_ring(struct wire *w, uint32_t step)
{
	int added = 0;
	for (int n = 0; n < WIRE_DRAIN_MAX; n++) {
		unsigned char *f = w->rx + (size_t)w->rx_next * WIRE_FRAME_SIZE;
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)f;
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		const struct sockaddr_ll *sll = (const struct sockaddr_ll *)(f + TPACKET_ALIGN(sizeof *h));
		if (h->tp_mac <= WIRE_FRAME_SIZE && h->tp_snaplen <= WIRE_FRAME_SIZE - (unsigned)h->tp_mac) {
			struct timespec ts = { .tv_sec = h->tp_sec, .tv_nsec = h->tp_nsec };
			added += take(w, f + h->tp_mac, h->tp_snaplen, h->tp_len, sll->sll_pkttype, &ts, step);
		}
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		w->rx_next = (w->rx_next + 1) % w->rx_frames;
	}
	return added;
}

int wire_drain(struct wire *w, uint32_t step)
{
	if (!w || w->fd < 0)
		return 0;
	if (w->rx)
		return drain_ring(w, step);
	int added = 0;
	for (int reads = 0; reads < WIRE_DRAIN_MAX; reads++) {
		unsigned char buf[WIRE_SNAP];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct tpacket_auxdata)) + CMSG_SPACE(sizeof(struct timespec))];
		} ctl;
		struct sockaddr_ll sll = { 0 };
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
		struct msghdr mh = { .msg_name = &sll, .msg_namelen = sizeof sll, .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
		ssize_t n = recvmsg(w->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break; /* EAGAIN: all read */
		}
		size_t cap = (size_t)n < sizeof buf ? (size_t)n : sizeof buf;
		size_t wirelen = cap;
		struct timespec ts;
		int have_ts = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
				struct tpacket_auxdata aux;
				memcpy(&aux, CMSG_DATA(c), sizeof aux);
				if (aux.tp_len > wirelen)
					wirelen = aux.tp_len; /* the frame's length before the filter cut it */
			} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
				   c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
				memcpy(&ts, CMSG_DATA(c), sizeof ts);
				have_ts = 1;
			}
		}
		added += take(w, buf, cap, wirelen, sll.sll_pkttype, have_ts ? &ts : NULL, step);
	}
	return added;
}

static long long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int wire_settle(struct wire *w, uint32_t step, long quiet_us, long max_us)
{
	if (!w || w->fd < 0)
		return 0;
	int added = 0;
	long long end = now_us() + max_us;
	for (;;) {
		long long left = end - now_us();
		if (left <= 0)
			break;
		/* an ACK the kernel delays (a few ms; 40 ms on older kernels) is worth the wait */
		if (left > quiet_us && !awaiting_ack(w, step))
			left = quiet_us;
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		struct timespec to = { .tv_sec = left / 1000000, .tv_nsec = (left % 1000000) * 1000 };
		int r = ppoll(&pfd, 1, &to, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		added += wire_drain(w, step);
	}
	return added;
}

uint64_t wire_dropped(struct wire *w)
{
	if (!w)
		return 0;
	if (w->fd >= 0) {
		struct tpacket_stats st;
		socklen_t l = sizeof st;
		/* the kernel resets its counters on every read: keep the sum */
		if (getsockopt(w->fd, SOL_PACKET, PACKET_STATISTICS, &st, &l) == 0)
			w->dropped += st.tp_drops;
	}
	return w->dropped;
}

/* ---- text ----------------------------------------------------------------- */

static const struct {
	uint8_t bit;
	const char *name;
} flag_names[] = {
	{ WIRE_SYN, "SYN" }, { WIRE_FIN, "FIN" }, { WIRE_RST, "RST" }, { WIRE_PSH, "PSH" },
	{ WIRE_URG, "URG" }, { WIRE_ACK, "ACK" }, { WIRE_ECE, "ECE" }, { WIRE_CWR, "CWR" },
};

uint8_t wire_flag_bit(const char *name)
{
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (strcmp(flag_names[i].name, name) == 0)
			return flag_names[i].bit;
	return 0;
}

const char *wire_flag_name_at(size_t i)
{
	return i < sizeof flag_names / sizeof flag_names[0] ? flag_names[i].name : NULL;
}

size_t wire_flags_text(uint8_t flags, char *buf, size_t size)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ WIRE_SYN, "SYN" }, { WIRE_FIN, "FIN" }, { WIRE_RST, "RST" }, { WIRE_PSH, "PSH" },
		{ WIRE_URG, "URG" }, { WIRE_ACK, "ACK" }, { WIRE_ECE, "ECE" }, { WIRE_CWR, "CWR" },
	};
	size_t o = 0;
	if (size)
		buf[0] = 0;
#define PUT(...) (o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__))
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit)
			PUT("%s%s", o ? "," : "", names[i].name);
	if (!flags)
		PUT("none");
#undef PUT
	return size && o >= size ? size - 1 : o;
}

/* The name of an ICMP error of TYPE and CODE (ICMPv6 when V6). */
static const char *icmp_name(int v6, uint8_t type, uint8_t code)
{
	if (v6) {
		switch (type) {
		case 1:
			switch (code) {
			case 0: return "no route";
			case 1: return "administratively prohibited";
			case 3: return "address unreachable";
			case 4: return "port unreachable";
			default: return "destination unreachable";
			}
		case 2: return "packet too big";
		case 3: return "time exceeded";
		case 4: return "parameter problem";
		}
		return "error";
	}
	switch (type) {
	case 3:
		switch (code) {
		case 0: return "net unreachable";
		case 1: return "host unreachable";
		case 2: return "protocol unreachable";
		case 3: return "port unreachable";
		case 4: return "fragmentation needed";
		case 13: return "administratively prohibited";
		default: return "destination unreachable";
		}
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	}
	return "error";
}

static int is_icmp(const struct wire_seg *s)
{
	return s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6;
}

const char *wire_proto_name(const struct wire_seg *s)
{
	switch (s->proto) {
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_ICMP: return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	default: return "TCP";
	}
}

size_t wire_icmp_text(const struct wire_seg *s, char *buf, size_t size)
{
	if (!is_icmp(s)) {
		if (size)
			buf[0] = 0;
		return 0;
	}
	int n = snprintf(buf, size, "%s %s", wire_proto_name(s),
			 icmp_name(s->proto == IPPROTO_ICMPV6, s->icmp_type, s->icmp_code));
	return size && (size_t)n >= size ? size - 1 : (size_t)n;
}

size_t wire_format(const struct wire_seg *s, const char *src_name, const char *dst_name,
		   char *buf, size_t size)
{
	char src[64], dst[64];
	socklen_t alen = s->src.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	text_addr(&s->src, alen, src, sizeof src);
	text_addr(&s->dst, alen, dst, sizeof dst);
	size_t o = 0;
	if (size)
		buf[0] = 0;
#define PUT(...) (o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__))
	if (is_icmp(s)) {
		/* an error goes from a host to a host: addresses without ports, then the packet it is about */
		char from[INET6_ADDRSTRLEN] = "?", to[INET6_ADDRSTRLEN] = "?", what[64];
		int fam = s->src.ss_family == AF_INET6 ? AF_INET6 : AF_INET;
		const void *to_addr = fam == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)&s->dst)->sin6_addr
						      : (const void *)&((const struct sockaddr_in *)&s->dst)->sin_addr;
		inet_ntop(fam, s->icmp_from, from, sizeof from);
		inet_ntop(fam, to_addr, to, sizeof to);
		wire_icmp_text(s, what, sizeof what);
		PUT("[wire] %s %s > %s %s %s for %s %s > %s", src_name ? src_name : "?", from,
		    dst_name ? dst_name : "?", to, what, s->icmp_about == IPPROTO_UDP ? "UDP" : "TCP", dst, src);
		if (s->icmp_about == IPPROTO_UDP)
			PUT(" len=%u", s->len);
	} else if (s->proto == IPPROTO_UDP) {
		PUT("[wire] %s %s > %s %s", src_name ? src_name : "?", src, dst_name ? dst_name : "?", dst);
		PUT(" UDP len=%u", s->len);
	} else {
		char fl[64];
		PUT("[wire] %s %s > %s %s", src_name ? src_name : "?", src, dst_name ? dst_name : "?", dst);
		wire_flags_text(s->flags, fl, sizeof fl);
		PUT(" [%s] seq=%u", fl, s->seq);
		if (s->flags & WIRE_ACK)
			PUT(" ack=%u", s->ack);
		/* the window in bytes; the raw field, marked, where the SYNs' scale is not known */
		if (s->window_known)
			PUT(" win=%u len=%u", s->window, s->len);
		else
			PUT(" win_raw=%u len=%u", s->win, s->len);
		if ((s->flags & WIRE_SYN) && (s->has_mss || s->sack_ok || s->has_ts || s->has_wscale)) {
			const char *sep = "";
			PUT(" <");
			if (s->has_mss) {
				PUT("mss %u", s->mss);
				sep = ",";
			}
			if (s->sack_ok) {
				PUT("%ssackOK", sep);
				sep = ",";
			}
			if (s->has_ts) {
				PUT("%sTS", sep);
				sep = ",";
			}
			if (s->has_wscale)
				PUT("%swscale %u", sep, s->wscale);
			PUT(">");
		}
	}
#undef PUT
	return size && o >= size ? size - 1 : o;
}
