/* text.c -- escaping and formatting shared by the transcript and the TUI. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <sys/un.h>

#include "sockplay/text.h"

int text_cp_unsafe(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int text_cp_hidden(uint32_t cp)
{
	return cp == 0xad || cp == 0x34f || cp == 0x61c || cp == 0x115f || cp == 0x1160 || cp == 0x180e ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0x3164 || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       cp == 0xfeff || cp == 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb) ||
	       (cp >= 0xe0000 && cp <= 0xe0fff) || (cp & 0xfffe) == 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef);
}

/* The length of the well-formed UTF-8 sequence at P (at most LEN bytes) with its code point; 0 if none. */
static size_t utf8_at(const unsigned char *p, size_t len, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Cells by a table, where the C library has no Unicode widths (outside a UTF-8 locale). */
static int cp_cells_table(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return -1;
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200d) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
	    (cp >= 0x3041 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
	    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ||
	    (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

int text_cp_cells(uint32_t cp)
{
	if (MB_CUR_MAX > 1) /* wchar_t holds the code point (ISO 10646) */
		return wcwidth((wchar_t)cp);
	return cp_cells_table(cp);
}

int text_cells(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int cells = 0;
	for (size_t i = 0; i < n && p[i];) {
		uint32_t cp = p[i];
		size_t k = cp < 0x80 ? 1 : utf8_at(p + i, n - i, &cp);
		int w = k ? text_cp_cells(cp) : 1;
		cells += w < 0 ? 1 : w;
		i += k ? k : 1;
	}
	return cells;
}

void text_buf_put(struct text_buf *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - 1 - b->len, k = n < room ? n : room;
		memcpy(b->buf + b->len, s, k);
		b->buf[b->len + k] = '\0';
	}
	b->len += n;
}

void text_buf_puts(struct text_buf *b, const char *s)
{
	text_buf_put(b, s, strlen(s));
}

void text_buf_printf(struct text_buf *b, const char *fmt, ...)
{
	size_t room = b->len < b->size ? b->size - b->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

size_t text_buf_used(const struct text_buf *b)
{
	return b->len < b->size ? b->len : b->size ? b->size - 1 : 0;
}

static size_t escape(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size, int utf8)
{
	size_t o = 0;
	if (size == 0)
		return 0;
	size_t show = len < maxshow ? len : maxshow, i;
	for (i = 0; i < show;) {
		char tmp[8];
		unsigned char c = p[i];
		size_t take = 1;
		uint32_t cp;
		switch (c) {
		case '\n': strcpy(tmp, "\\n"); break;
		case '\r': strcpy(tmp, "\\r"); break;
		case '\t': strcpy(tmp, "\\t"); break;
		case '"': strcpy(tmp, "\\\""); break;
		case '\\': strcpy(tmp, "\\\\"); break;
		default:
			if (c >= 0x20 && c < 0x7f) {
				tmp[0] = (char)c;
				tmp[1] = 0;
			} else if (utf8 && c >= 0x80 && (take = utf8_at(p + i, len - i, &cp)) > 0 &&
				   !text_cp_unsafe(cp) && !text_cp_hidden(cp)) {
				if (i + take > show) { /* a character is shown whole or not at all */
					show = i;
					continue;
				}
				memcpy(tmp, p + i, take);
				tmp[take] = 0;
			} else {
				take = 1;
				snprintf(tmp, sizeof tmp, "\\x%02x", c);
			}
		}
		size_t tl = strlen(tmp);
		if (o + tl + 4 >= size) { /* keep room for "..." */
			show = i;
			break;
		}
		memcpy(out + o, tmp, tl);
		o += tl;
		i += take;
	}
	if (show < len && o + 3 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return o;
}

size_t text_escape(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size)
{
	return escape(p, len, maxshow, out, size, 0);
}

size_t text_escape_utf8(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size)
{
	return escape(p, len, maxshow, out, size, 1);
}

static void data_preview(const unsigned char *p, size_t shown, size_t total, size_t maxshow, int utf8,
			 char *out, size_t size)
{
	char esc[256];
	if (maxshow > 60)
		maxshow = 60; /* 60 bytes escape to at most 240 characters: ESC holds them */
	size_t el = escape(p, shown, maxshow, esc, sizeof esc, utf8);
	int more = total > shown;
	if (el >= 3 && shown > maxshow && strcmp(esc + el - 3, "...") == 0) {
		esc[el - 3] = 0; /* the ellipsis goes outside the quotes, as strace writes it */
		more = 1;
	}
	snprintf(out, size, "\"%s\"%s", esc, more ? "..." : "");
}

void text_data_preview(const unsigned char *p, size_t shown, size_t total, size_t maxshow, char *out,
		       size_t size)
{
	data_preview(p, shown, total, maxshow, 0, out, size);
}

void text_data_preview_utf8(const unsigned char *p, size_t shown, size_t total, size_t maxshow, char *out,
			    size_t size)
{
	data_preview(p, shown, total, maxshow, 1, out, size);
}

void text_addr(const struct sockaddr_storage *ss, socklen_t len, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	if (!ss || len == 0) {
		snprintf(out, size, "-");
		return;
	}
	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			snprintf(out, size, "*:%u", ntohs(in->sin_port));
		else
			snprintf(out, size, "%s:%u", inet_ntop(AF_INET, &in->sin_addr, host, sizeof host),
				 ntohs(in->sin_port));
		return;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			snprintf(out, size, "[::]:%u", ntohs(in6->sin6_port));
		else
			snprintf(out, size, "[%s]:%u",
				 inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host),
				 ntohs(in6->sin6_port));
		return;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		if (len <= off) {
			snprintf(out, size, "(unnamed)");
			return;
		}
		size_t n = len - off;
		if (n > sizeof un->sun_path)
			n = sizeof un->sun_path;
		if (un->sun_path[0] == 0) {
			char esc[256];
			text_escape((const unsigned char *)un->sun_path + 1, n - 1, 100, esc, sizeof esc);
			snprintf(out, size, "@%s", esc);
		} else {
			char esc[256];
			size_t pl = strnlen(un->sun_path, n);
			text_escape((const unsigned char *)un->sun_path, pl, 100, esc, sizeof esc);
			snprintf(out, size, "%s", esc);
		}
		return;
	}
	default:
		snprintf(out, size, "-");
	}
}

size_t text_json_string(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;
	if (size < 3) {
		if (size)
			out[0] = 0;
		return 0;
	}
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		char tmp[8];
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c", c);
		else if (c == '\n')
			strcpy(tmp, "\\n");
		else if (c == '\t')
			strcpy(tmp, "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(tmp, sizeof tmp, "\\u%04x", c);
		else {
			tmp[0] = (char)c;
			tmp[1] = 0;
		}
		size_t tl = strlen(tmp);
		if (o + tl + 2 > size)
			break;
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	out[o++] = '"';
	out[o] = 0;
	return o;
}

void text_duration(long long ns, char *out, size_t size)
{
	if (ns < 1000000)
		snprintf(out, size, "%lld us", ns / 1000);
	else if (ns < 1000000000)
		snprintf(out, size, "%lld ms", ns / 1000000);
	else
		snprintf(out, size, "%.1f s", (double)ns / 1e9);
}
