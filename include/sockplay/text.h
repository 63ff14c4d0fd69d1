/* text.h -- the one way bytes and addresses become text on screen or in a transcript. */
#ifndef SOCKPLAY_TEXT_H
#define SOCKPLAY_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Whether code point CP must not reach a terminal raw: C0 controls but tab,
 * DEL and C1, and the bidirectional marks, embeddings, overrides and isolates
 * that reorder what follows them.
 */
int text_cp_unsafe(uint32_t cp);

/*
 * Write LEN bytes as a C string literal body into OUT (NUL-terminated, never
 * more than SIZE): printable ASCII as is, '"' and '\\' escaped, \n \r \t as
 * such, everything else \xHH. At most MAXSHOW input bytes are shown; when
 * more, "..." ends the text. Returns the length written. Nothing a peer sends
 * can reach a terminal raw through this.
 */
size_t text_escape(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size);

/*
 * Whether code point CP is invisible or a line break that a reader cannot
 * see: zero-width characters, joiners, the line and paragraph separators,
 * variation selectors, the BOM, tags, fillers, noncharacters.
 */
int text_cp_hidden(uint32_t cp);

/*
 * text_escape(), but well-formed UTF-8 text (Chinese, accents) is kept as
 * such; a code point that text_cp_unsafe() or text_cp_hidden() names, and any
 * byte that is not part of a well-formed sequence, is still \xHH. A character
 * is never cut in two by MAXSHOW. For received data in transcripts and panes.
 */
size_t text_escape_utf8(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size);

/*
 * The data a call offers, as its text shows it: the first bytes of P (SHOWN
 * of them, out of TOTAL offered) escaped and quoted, at most MAXSHOW shown,
 * with "..." after the closing quote when there is more: "\"Hello\"",
 * "\"xxxx\""...
 */
void text_data_preview(const unsigned char *p, size_t shown, size_t total, size_t maxshow, char *out,
		       size_t size);
/* text_data_preview() keeping well-formed UTF-8 text, as text_escape_utf8() does. */
void text_data_preview_utf8(const unsigned char *p, size_t shown, size_t total, size_t maxshow, char *out,
			    size_t size);

/*
 * Terminal cells code point CP takes: 0 for combining marks and zero-width
 * characters, 2 for wide ones (CJK, fullwidth forms, emoji), 1 else, -1 for
 * one a terminal does not print. In a UTF-8 locale this is the C library's
 * count, which the terminal and curses use too; in any other, a built-in
 * table that is enough for CJK text. The one measure of text on a screen.
 */
int text_cp_cells(uint32_t cp);
/* Cells of the UTF-8 text S[0..N) (up to a NUL): what cannot be printed or decoded counts 1. */
int text_cells(const char *s, size_t n);

/*
 * A bounded writer into a caller's buffer, as snprintf: BUF is always
 * NUL-terminated and never written past SIZE bytes; LEN counts everything
 * written to it, what did not fit included (the length a caller would need).
 */
struct text_buf {
	char *buf;
	size_t size, len;
};
void text_buf_put(struct text_buf *b, const char *s, size_t n);
void text_buf_puts(struct text_buf *b, const char *s);
void text_buf_printf(struct text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The bytes BUF holds: LEN, or SIZE - 1 when not all fitted. */
size_t text_buf_used(const struct text_buf *b);

/* "127.0.0.1:8888", "[::1]:8888", "*:8888", "/tmp/s", "@name", "-" when unset. */
void text_addr(const struct sockaddr_storage *ss, socklen_t len, char *out, size_t size);

/* Append S to OUT as a JSON string (with quotes), escaping as JSON requires. */
size_t text_json_string(const char *s, size_t len, char *out, size_t size);

/* A duration for people: "850 us", "12 ms", "2.3 s". */
void text_duration(long long ns, char *out, size_t size);

#endif
