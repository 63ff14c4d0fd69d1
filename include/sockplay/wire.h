/* wire.h -- real segments captured on lo (AF_PACKET), decoded for the ladder and --wire. */
#ifndef SOCKPLAY_WIRE_H
#define SOCKPLAY_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* TCP flags as in the header's flag byte. */
#define WIRE_FIN 0x01
#define WIRE_SYN 0x02
#define WIRE_RST 0x04
#define WIRE_PSH 0x08
#define WIRE_ACK 0x10
#define WIRE_URG 0x20
#define WIRE_ECE 0x40
#define WIRE_CWR 0x80

/* The ring keeps this many segments at most (376 bytes each on x86-64, allocated as it fills). */
#define WIRE_RING_MAX 65536

/*
 * One captured segment (TCP), datagram (UDP) or ICMP/ICMPv6 error about one
 * of them. An ICMP error (a port unreachable ...) quotes the header of the
 * packet it is about: its SRC and DST are that packet's endpoints swapped,
 * ports included (the error goes back to the sender, as an answer from the
 * address it was sent to), so it belongs to the same conversation and the
 * same sockets as that packet.
 */
struct wire_seg {
	uint64_t no;                   /* 1, 2, 3 ... in capture order */
	struct timespec ts;            /* when the kernel saw it */
	int proto;                     /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	struct sockaddr_storage src, dst; /* ports in network order, as in a sockaddr */
	uint8_t flags;                 /* TCP: WIRE_* */
	uint32_t seq, ack;             /* TCP: relative to each side's ISN (0 for the SYN; ack 0 without ACK);
	                                  wire_decode() alone leaves them as on the wire */
	uint32_t raw_seq, raw_ack;     /* TCP: as on the wire */
	uint16_t win;                  /* TCP: window field as sent (unscaled) */
	uint32_t window;               /* TCP: the window in bytes: WIN shifted by the window scale the
	                                  sender announced in its SYN (never on a SYN itself, nor when
	                                  either SYN lacked the option); valid when WINDOW_KNOWN */
	uint8_t window_known;          /* 0 when the SYNs were not seen: only WIN, the raw field, is known */
	uint32_t len;                  /* payload bytes (UDP: the datagram's, without its header;
	                                  ICMP: those of the UDP datagram it quotes, 0 for TCP) */
	/* ICMP and ICMPv6 errors */
	uint8_t icmp_type, icmp_code;  /* as in the ICMP header (ICMP 3/3, ICMPv6 1/4: port unreachable) */
	int icmp_about;                /* IPPROTO_UDP or IPPROTO_TCP: the protocol of the packet quoted */
	uint8_t icmp_from[16];         /* the error's own source address (4 or 16 bytes, SRC's family) */
	/* SYN options */
	int has_mss, has_wscale, sack_ok, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t step;                 /* the step that was running when it was seen (set by the caller) */
};

struct wire;

/*
 * Open the capture: AF_PACKET on lo, a kernel filter for TCP, UDP and ICMP
 * or ICMPv6 errors over IPv4/IPv6, each segment once (outgoing copies dropped). Returns NULL with a
 * message for people in ERR when the capture is impossible (no CAP_NET_RAW on
 * the host network ...), saying how to get it.
 */
struct wire *wire_open(char *err, size_t errlen);
void wire_close(struct wire *w);
/* The descriptor to poll (readable when segments wait). */
int wire_fd(const struct wire *w);
/*
 * Read every segment waiting (never blocks) into the ring; returns how many
 * were added. STEP is recorded in each. At most WIRE_DRAIN_MAX a call, so a
 * flood cannot hold up a caller: the descriptor stays readable for the rest.
 */
#define WIRE_DRAIN_MAX 4096
int wire_drain(struct wire *w, uint32_t step);
/*
 * Drain late segments (a peer's reply) as STEP until the wire has been quiet
 * for QUIET_US and no data or FIN sent during STEP waits for its ACK any more
 * (the kernel may delay that ACK by a few ms); at most MAX_US in all. Returns
 * how many were added.
 */
int wire_settle(struct wire *w, uint32_t step, long quiet_us, long max_us);
/* The ring: the last N segments, oldest first; index 0..wire_count()-1. */
size_t wire_count(const struct wire *w);
const struct wire_seg *wire_at(const struct wire *w, size_t i);
/* Segments ever captured (the ring keeps the last ones). */
uint64_t wire_total(const struct wire *w);
/* Segments the kernel dropped because sockplay read too slowly (socket buffer full). */
uint64_t wire_dropped(struct wire *w);

/*
 * A ring without a capture (wire_fd() is -1): frames come from wire_feed().
 * For tests, and for showing recorded frames.
 */
struct wire *wire_new(void);
/*
 * Add one frame as the capture reads it (a 14-byte Ethernet header first) to
 * the ring, making its numbers relative and scaling its window like a
 * captured one. 0, or -1 when it is not a TCP/UDP segment or an ICMP error
 * about one over IPv4/IPv6 (nothing is added).
 */
int wire_feed(struct wire *w, const unsigned char *frame, size_t len, uint32_t step);

/*
 * Decode one IP packet (starting at the IPv4 or IPv6 header). 0, or -1 for
 * anything that is not a whole TCP/UDP header over IP, nor an ICMP/ICMPv6
 * error (destination unreachable, time exceeded, parameter problem, ICMPv6
 * packet too big) quoting the IP header and the ports of a TCP/UDP packet;
 * every length is checked against LEN. Sequence numbers stay as on the
 * wire; the window is known only on a SYN (it is never scaled there).
 */
int wire_decode(const unsigned char *pkt, size_t len, struct wire_seg *out);
/* The same for a frame with its Ethernet header, as the capture reads it on lo. */
int wire_decode_frame(const unsigned char *frame, size_t len, struct wire_seg *out);

/*
 * One line for --wire, e.g.
 * "[wire] client 127.0.0.1:49152 > server 127.0.0.1:8888 [SYN] seq=0 win=65495 len=0 <mss 65495,sackOK,TS,wscale 7>"
 * win= is the window in bytes (scaled); where the SYNs were not seen it is
 * the raw field, marked "win_raw=". An ICMP error reads
 * "[wire] ? 127.0.0.1 > client 127.0.0.1 ICMP port unreachable for UDP 127.0.0.1:41000 > 127.0.0.1:9001 len=6":
 * from the host that reports it, about the datagram it quotes.
 * SRC_NAME/DST_NAME are the actors owning the endpoints ("?" when none).
 */
size_t wire_format(const struct wire_seg *s, const char *src_name, const char *dst_name,
		   char *buf, size_t size);
/* An ICMP error's name: "ICMP port unreachable", "ICMPv6 time exceeded" ... ("" when not ICMP). */
size_t wire_icmp_text(const struct wire_seg *s, char *buf, size_t size);
/* "TCP", "UDP", "ICMP", "ICMPv6". */
const char *wire_proto_name(const struct wire_seg *s);
/* "SYN,ACK", "PSH,ACK", "FIN,ACK", "RST" ... */
size_t wire_flags_text(uint8_t flags, char *buf, size_t size);
/* A flag's bit from its name as wire_flags_text() writes it ("SYN" -> WIRE_SYN), 0 for none. */
uint8_t wire_flag_bit(const char *name);
/* The I-th flag's name (0..7, in wire_flags_text()'s order), NULL past the last. */
const char *wire_flag_name_at(size_t i);

#endif
