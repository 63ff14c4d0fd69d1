/* fuzz_wire.c -- libFuzzer target: the segment decoder, the ring's numbering and the --wire line, on any bytes. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockplay/text.h"
#include "sockplay/wire.h"

/*
 * An input is one IP packet or one frame (both decoders try it), or, when it
 * starts with "RING", frames for the ring: each a 2-byte big-endian length
 * and that many bytes.
 */
#define RING_MAGIC "RING"

/* Only printable ASCII may leave the text functions: nothing raw reaches a terminal. */
static void printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			fprintf(stderr, "byte 0x%02x at %zu in \"%s\"\n", (unsigned char)s[i], i, s);
			abort();
		}
}

/* wire_format at full size, then into exact and short buffers: the same text, cut, always terminated. */
static void format(const struct wire_seg *s)
{
	char full[1024];
	size_t n = wire_format(s, "client", "server", full, sizeof full);
	if (n != strlen(full) || n + 1 >= sizeof full)
		abort();
	printable(full, n);
	size_t sizes[] = { n + 1, n, n / 2 + 1, 1 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t sz = sizes[i] ? sizes[i] : 1;
		char *buf = malloc(sz); /* exactly SZ: ASan sees a byte too far */
		if (!buf)
			abort();
		size_t m = wire_format(s, "client", "server", buf, sz);
		size_t want = n < sz ? n : sz - 1;
		if (m != want || strlen(buf) != want || memcmp(buf, full, want) != 0)
			abort();
		free(buf);
	}
	char none = 'x';
	wire_format(s, NULL, NULL, &none, 0); /* size 0: nothing written */
	if (none != 'x')
		abort();

	char fl[8];
	size_t k = wire_flags_text(s->flags, fl, sizeof fl);
	if (k != strlen(fl))
		abort();
}

/* The payload as the transcript and the TUI show bytes from a peer. */
static void escape(const uint8_t *data, size_t size)
{
	size_t sizes[] = { 256, 17, 5, 1 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *out = malloc(sizes[i]);
		if (!out)
			abort();
		size_t n = text_escape(data, size, 60, out, sizes[i]);
		if (n >= sizes[i] || strlen(out) != n)
			abort();
		printable(out, n);
		free(out);
	}
}

static void ring(const uint8_t *data, size_t size)
{
	struct wire *w = wire_new();
	size_t pos = 0;
	uint32_t step = 0;
	if (!w)
		abort();
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		uint8_t *frame = malloc(len ? len : 1); /* exactly LEN: reads past it are caught */
		if (!frame)
			abort();
		memcpy(frame, data + pos, len);
		pos += len;
		size_t before = wire_count(w);
		if (wire_feed(w, frame, len, ++step) == 0) {
			const struct wire_seg *s = wire_at(w, wire_count(w) - 1);
			if (wire_count(w) != before + 1 || !s || s->step != step || s->no != wire_total(w))
				abort();
			format(s);
		} else if (wire_count(w) != before) {
			abort();
		}
		free(frame);
	}
	for (size_t i = 0; i < wire_count(w); i++)
		if (!wire_at(w, i) || wire_at(w, i)->no != i + 1)
			abort();
	if (wire_at(w, wire_count(w)) != NULL || wire_fd(w) != -1 || wire_dropped(w) != 0)
		abort();
	wire_close(w);
}

/* What the decoder may report: TCP, UDP, or an ICMP/ICMPv6 error about one of theirs. */
static int known_proto(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_seg s;

	if (size >= 4 && memcmp(data, RING_MAGIC, 4) == 0) {
		ring(data + 4, size - 4);
		return 0;
	}
	/* a copy of exactly SIZE bytes, so that a read one byte too far is caught */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (wire_decode(copy, size, &s) == 0) {
		if (!known_proto(s.proto))
			abort();
		/* a TCP or UDP payload is within what was captured; an ICMP error's len is the quoted
		   datagram's own claim, never read */
		if ((s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP) && s.len > size)
			abort();
		format(&s);
	}
	if (wire_decode_frame(copy, size, &s) == 0) {
		if (!known_proto(s.proto))
			abort();
		format(&s);
	}
	escape(copy, size);
	free(copy);
	return 0;
}
