/* text.c -- escaping and formatting shared by the transcript and the TUI. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "sockplay/text.h"

int text_cp_unsafe(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t text_escape(const unsigned char *p, size_t len, size_t maxshow, char *out, size_t size)
{
	size_t o = 0;
	if (size == 0)
		return 0;
	size_t show = len < maxshow ? len : maxshow;
	for (size_t i = 0; i < show; i++) {
		char tmp[5];
		unsigned char c = p[i];
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
			} else {
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
	}
	if (show < len && o + 3 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return o;
}

void text_data_preview(const unsigned char *p, size_t shown, size_t total, size_t maxshow, char *out,
		       size_t size)
{
	char esc[256];
	if (maxshow > 60)
		maxshow = 60; /* 60 bytes escape to at most 240 characters: ESC holds them */
	size_t el = text_escape(p, shown, maxshow, esc, sizeof esc);
	int more = total > shown;
	if (el >= 3 && shown > maxshow && strcmp(esc + el - 3, "...") == 0) {
		esc[el - 3] = 0; /* the ellipsis goes outside the quotes, as strace writes it */
		more = 1;
	}
	snprintf(out, size, "\"%s\"%s", esc, more ? "..." : "");
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
