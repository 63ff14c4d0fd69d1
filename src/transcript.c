/*
 * transcript.c -- what --batch prints: strace-like lines, or one JSON object per event.
 *
 * Languages: what graders and golden files read is the same in every language.
 * A call line ("[client] connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection
 * refused)") keeps the C library's C-locale wording of the errno, state lines,
 * the "FILE:LINE: expectation failed:" and "FILE:LINE: error:" prefixes and all
 * JSON keys and values but "explain" stay as they are. Only prose for people
 * is translated: the --explain lines (and the "explain" value) and the note
 * about segments the capture missed. Script text (title, say) is the author's.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/explain.h"
#include "sockplay/i18n.h"
#include "sockplay/text.h"
#include "sockplay/transcript.h"

#define DATA_SHOW 64         /* received bytes shown in a line (--full-data: all) */
#define JSON_DATA_SHOW 4096  /* ... in a JSON event, marked "data_cut" when more came */

/* strerror() in the C locale's words, whatever the user's language. */
static const char *c_strerror(int err)
{
	static locale_t c_locale;
	if (!c_locale)
		c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c_locale ? strerror_l(err, c_locale) : strerror(err);
}

void transcript_expect_text(const struct sp_expect *e, char *out, size_t size)
{
	if (e->any_error)
		snprintf(out, size, "-1 (an error)");
	else if (e->ret == -1 && e->err)
		snprintf(out, size, "-1 %s", consts_errno_name(e->err) ? consts_errno_name(e->err) : "?");
	else
		snprintf(out, size, "%lld", e->ret);
	if (e->has_data) { /* as the script wrote it: "abc" * 40, nothing dropped without a mark */
		char esc[300];
		size_t n = strlen(out), el = text_escape_utf8(e->data.unit, e->data.unit_len, 60, esc, sizeof esc);
		int cut = e->data.unit_len > 60 && el >= 3;
		if (cut)
			esc[el - 3] = 0;
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, " \"%s\"%s", esc, cut ? "..." : "");
		if (e->data.count > 1 && n < size)
			snprintf(out + n, size - n, " * %llu", (unsigned long long)e->data.count);
	}
	if (e->has_value) { /* as the transcript notes it: "0 (value ECONNREFUSED)" */
		size_t n = strlen(out);
		snprintf(out + n, n < size ? size - n : 0, " (value %s)", e->value_text);
	}
}

/* transcript_call_text() showing at most SHOW bytes of received data. */
static size_t call_text(const struct sp_event *ev, size_t show, char *buf, size_t size)
{
	size_t o = 0;
#define PUT(...) (o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__))
	if (size)
		buf[0] = 0;
	PUT("%s", ev->text ? ev->text : "?");
	if (ev->kind == SP_EV_BLOCKED) {
		PUT(" <blocked>");
		return o < size ? o : size - 1;
	}
	if (ev->interrupted)
		PUT(" <interrupted>");
	else if (ev->resumed)
		PUT(" <resumed>");
	if (ev->ret < 0) {
		const char *en = consts_errno_name(ev->err);
		PUT(" = -1 %s (%s)", en ? en : "E?", c_strerror(ev->err));
		return o < size ? o : size - 1;
	}
	PUT(" = %lld", ev->ret);
	if (call_has(ev->call, CALL_F_READS)) {
		/* the text straight into BUF: at most 4 characters a byte, and "..." */
		char *esc = o + 3 < size ? buf + o + 2 : NULL;
		if (esc) {
			/* SHOW bytes escaped, "..." and the end: text_escape_utf8() wants that room */
			size_t room = size - o - 3;
			if (show * 4 + 5 > room) /* a short buffer shows fewer bytes, marked as cut */
				show = room > 5 ? (room - 5) / 4 : 0;
			size_t el = text_escape_utf8(ev->data, ev->data_len, show, esc, show * 4 + 5);
			int cut = el >= 3 && ev->data_len > show && strcmp(esc + el - 3, "...") == 0;
			if (cut)
				el -= 3;
			/* a program's read returns more than the tracer kept of it: cut too */
			int more = cut || ev->ret > (long long)ev->data_len;
			if (ev->ret > 0 || cut) {
				memmove(buf + o + 2, esc, el);
				buf[o] = ' ';
				buf[o + 1] = '"';
				o += 2 + el;
				buf[o] = 0;
				PUT("\"%s", more ? "..." : "");
			} else {
				buf[o] = 0;
			}
		}
	}
	if (ev->note)
		PUT(" (%s)", ev->note);
#undef PUT
	return o < size ? o : size - 1;
}

/* call_text() with the mark of a program's call the C library made on its own behalf. */
static size_t call_text_marked(const struct sp_event *ev, size_t show, char *buf, size_t size)
{
	size_t n = call_text(ev, show, buf, size);
	if (ev->libc && n + 1 < size)
		n += (size_t)snprintf(buf + n, size - n, " (by the C library)");
	return n < size ? n : size ? size - 1 : 0;
}

size_t transcript_call_text(const struct sp_event *ev, char *buf, size_t size)
{
	return call_text_marked(ev, DATA_SHOW, buf, size);
}

static void json_kv_str(FILE *fp, const char *key, const char *val)
{
	char small[2048], *buf = small;
	size_t len = strlen(val), need = len * 6 + 3; /* \u00XX at worst, and the quotes */
	if (need > sizeof small && !(buf = malloc(need)))
		buf = small; /* out of memory: as much as fits */
	text_json_string(val, len, buf, buf == small ? sizeof small : need);
	fprintf(fp, ",\"%s\":%s", key, buf);
	if (buf != small)
		free(buf);
}

static const char *kind_name(enum sp_event_kind k)
{
	switch (k) {
	case SP_EV_CALL: return "call";
	case SP_EV_BLOCKED: return "blocked";
	case SP_EV_TITLE: return "title";
	case SP_EV_SAY: return "say";
	case SP_EV_EXPECT: return "expect";
	case SP_EV_FAIL: return "fail";
	case SP_EV_STUCK: return "stuck";
	case SP_EV_ERROR: return "error";
	case SP_EV_OUTPUT: return "output";
	case SP_EV_PROCESS: return "process";
	}
	return "?";
}

/* expect ACTOR blocked|free and expect [no] wire: what was seen is in NOTE. */
static int expect_more(const struct sp_event *ev)
{
	return ev->stmt && (ev->stmt->kind == SP_ST_EXPECT_SIDE || ev->stmt->kind == SP_ST_EXPECT_WIRE);
}

/* "seen", "not seen", "none seen", "unable to check" */
static const char *wire_verdict(const struct sp_event *ev)
{
	if (ev->note && strcmp(ev->note, "unable to check") == 0)
		return ev->note;
	if (ev->stmt->wire.negate)
		return ev->ok ? "none seen" : "seen";
	return ev->ok ? "seen" : "not seen";
}

/*
 * "[server] blocked in accept(3)", "[server] free": what the side is doing;
 * "[expect] wire client > server [FIN,ACK]: seen", "[expect] no wire [RST]: none seen".
 */
static void text_expect_more(FILE *fp, const struct sp_event *ev)
{
	if (ev->stmt->kind == SP_ST_EXPECT_SIDE)
		fprintf(fp, "[%s] %s\n", ev->actor ? ev->actor : "?", ev->note ? ev->note : "?");
	else
		fprintf(fp, "[expect] %s: %s\n", ev->text ? ev->text : "?", wire_verdict(ev));
}

/* {"event":"expect","actor":"server","line":7,"text":"server blocked","expected":"blocked","seen":"blocked in accept(3)","ok":true} */
static void json_expect_more(FILE *fp, const struct sp_event *ev)
{
	const struct sp_stmt *st = ev->stmt;
	json_kv_str(fp, "text", ev->text ? ev->text : "");
	if (st->kind == SP_ST_EXPECT_SIDE) {
		json_kv_str(fp, "expected", st->side_blocked ? "blocked" : "free");
	} else {
		const char *w = ev->text ? ev->text : "";
		json_kv_str(fp, "expected", strncmp(w, "no wire ", 8) == 0 ? w + 8 : strncmp(w, "wire ", 5) == 0 ? w + 5 : w);
		fprintf(fp, ",\"negate\":%s", st->wire.negate ? "true" : "false");
		json_kv_str(fp, "verdict", wire_verdict(ev));
	}
	json_kv_str(fp, "seen", ev->note ? ev->note : "");
	fprintf(fp, ",\"ok\":%s", ev->ok ? "true" : "false");
}

static void json_event(struct transcript *t, const struct sp_event *ev)
{
	FILE *fp = t->fp;
	fprintf(fp, "{\"event\":\"%s\"", kind_name(ev->kind));
	if (ev->actor)
		json_kv_str(fp, "actor", ev->actor);
	fprintf(fp, ",\"line\":%d", ev->line);
	if (ev->kind == SP_EV_CALL || ev->kind == SP_EV_BLOCKED) {
		char line[512];
		json_kv_str(fp, "call", ev->call_label ? ev->call_label
					: call_name(ev->call) ? call_name(ev->call) : "?");
		if (ev->libc)
			fprintf(fp, ",\"libc\":true");
		/* the arguments as shown: what stands between the call's parentheses */
		const char *open = ev->text ? strchr(ev->text, '(') : NULL;
		const char *close = ev->text ? strrchr(ev->text, ')') : NULL;
		char args[512] = "";
		if (open && close && close > open)
			snprintf(args, sizeof args, "%.*s", (int)(close - open - 1), open + 1);
		json_kv_str(fp, "args", args);
		fprintf(fp, ",\"fd\":%d", ev->fd);
		if (ev->sock_name)
			json_kv_str(fp, "name", ev->sock_name);
		if (ev->kind == SP_EV_CALL) {
			fprintf(fp, ",\"ret\":%lld", ev->ret);
			if (ev->ret < 0) {
				const char *en = consts_errno_name(ev->err);
				json_kv_str(fp, "errno", en ? en : "E?");
				json_kv_str(fp, "strerror", c_strerror(ev->err));
			} else {
				fprintf(fp, ",\"errno\":null");
			}
			if (call_has(ev->call, CALL_F_READS)) {
				size_t show = t->full_data ? ev->data_len : JSON_DATA_SHOW;
				if (show > ev->data_len)
					show = ev->data_len;
				size_t cap = show * 4 + 8;
				char *esc = malloc(cap);
				if (esc) {
					size_t el = text_escape_utf8(ev->data, ev->data_len, show, esc, cap);
					int cut = ev->data_len > show;
					if (cut && el >= 3)
						esc[el - 3] = 0; /* the mark is data_cut, not dots in the data */
					json_kv_str(fp, "data", esc);
					cut |= ev->ret > (long long)ev->data_len; /* a program's read, kept in part */
					fprintf(fp, ",\"data_cut\":%s", cut ? "true" : "false");
					free(esc);
				}
			}
			if (ev->note)
				json_kv_str(fp, "note", ev->note);
			const char *sn = ev->state >= 0 ? consts_tcp_state_name(ev->state) : NULL;
			if (sn)
				json_kv_str(fp, "state", sn);
			else
				fprintf(fp, ",\"state\":null");
			if (t->explain) { /* what the call did, and the statement itself in Python and in C */
				struct explain ex;
				char text[2048];
				explain_event(ev, &ex);
				explain_text(&ex, text, sizeof text);
				json_kv_str(fp, "explain", text);
			}
			fprintf(fp, ",\"resumed\":%s,\"interrupted\":%s,\"elapsed_us\":%lld,\"ok\":%s",
				ev->resumed ? "true" : "false", ev->interrupted ? "true" : "false",
				(long long)(ev->elapsed_ns / 1000), ev->ok ? "true" : "false");
		}
		transcript_call_text(ev, line, sizeof line);
		json_kv_str(fp, "text", line);
	} else if (ev->kind == SP_EV_EXPECT && expect_more(ev)) {
		json_expect_more(fp, ev);
	} else if (ev->kind == SP_EV_EXPECT) {
		json_kv_str(fp, "text", ev->text ? ev->text : "");
		json_kv_str(fp, "state", consts_tcp_state_name(ev->state) ? consts_tcp_state_name(ev->state) : "?");
		json_kv_str(fp, "expected", consts_tcp_state_name(ev->want_state) ? consts_tcp_state_name(ev->want_state) : "?");
		fprintf(fp, ",\"ok\":%s", ev->ok ? "true" : "false");
	} else if (ev->kind == SP_EV_OUTPUT) {
		json_kv_str(fp, "stream", ev->fd == 2 ? "stderr" : "stdout");
		json_kv_str(fp, "text", ev->text ? ev->text : "");
	} else {
		json_kv_str(fp, "text", ev->text ? ev->text : "");
	}
	fputs("}\n", fp);
}

void transcript_diags(struct transcript *t, const struct sp_diags *diags)
{
	const char *file = t->file ? t->file : "<input>";
	if (t->format != TRANSCRIPT_JSON) {
		script_diags_print(t->fp, file, diags);
		return;
	}
	for (size_t i = 0; i < diags->n; i++) {
		const struct sp_diag *d = &diags->v[i];
		char text[1024];
		if (d->line > 0)
			snprintf(text, sizeof text, "%s:%d:%d: error: %s", file, d->line, d->col, d->msg);
		else
			snprintf(text, sizeof text, "%s: error: %s", file, d->msg);
		fputs("{\"event\":\"error\"", t->fp);
		json_kv_str(t->fp, "file", file);
		fprintf(t->fp, ",\"line\":%d,\"column\":%d", d->line > 0 ? d->line : 0, d->line > 0 ? d->col : 0);
		json_kv_str(t->fp, "message", d->msg);
		json_kv_str(t->fp, "text", text);
		fputs("}\n", t->fp);
	}
	if (diags->truncated) {
		fputs("{\"event\":\"note\"", t->fp);
		json_kv_str(t->fp, "file", file);
		json_kv_str(t->fp, "text", "too many errors: the rest were not reported");
		fputs("}\n", t->fp);
	}
	fflush(t->fp);
}

void transcript_event(struct transcript *t, const struct sp_event *ev)
{
	char line[1024];
	const char *file = t->file ? t->file : "-";
	if (t->format == TRANSCRIPT_JSON) {
		json_event(t, ev);
		return;
	}
	switch (ev->kind) {
	case SP_EV_CALL:
	case SP_EV_BLOCKED:
		if (t->full_data && ev->data_len > DATA_SHOW) { /* --full-data: every byte */
			size_t size = ev->data_len * 4 + sizeof line;
			char *big = malloc(size);
			if (big) {
				call_text_marked(ev, ev->data_len, big, size);
				fprintf(t->fp, "[%s] %s\n", ev->actor, big);
				free(big);
			} else {
				fprintf(t->fp, "[%s] ", ev->actor);
				fputs("(out of memory)\n", t->fp);
			}
		} else {
			transcript_call_text(ev, line, sizeof line);
			fprintf(t->fp, "[%s] %s\n", ev->actor, line);
		}
		if (t->explain && ev->kind == SP_EV_CALL) {
			struct explain ex;
			char text[2048];
			explain_event(ev, &ex);
			for (int p = 0; p < EXPLAIN_PARTS; p++)
				if (explain_line(&ex, (enum explain_part)p, text, sizeof text))
					fprintf(t->fp, "    %s\n", text);
		}
		break;
	case SP_EV_TITLE:
	case SP_EV_SAY: {
		/* every line of the text keeps its mark: narration never passes for a call line */
		const char *mark = ev->kind == SP_EV_TITLE ? "##" : "#", *p = ev->text ? ev->text : "";
		for (const char *e;; p = e + 1) {
			e = strchr(p, '\n');
			fprintf(t->fp, "%s %.*s\n", mark, e ? (int)(e - p) : (int)strlen(p), p);
			if (!e)
				break;
		}
		break;
	}
	case SP_EV_EXPECT: {
		if (expect_more(ev)) {
			text_expect_more(t->fp, ev);
			break;
		}
		const char *name = ev->stmt ? ev->stmt->name : "?";
		fprintf(t->fp, "[%s] state(%s) = %s\n", ev->actor, name,
			consts_tcp_state_name(ev->state) ? consts_tcp_state_name(ev->state) : "?");
		break;
	}
	case SP_EV_FAIL:
		fprintf(t->fp, "%s:%d: expectation failed: %s\n", file, ev->line, ev->text);
		break;
	case SP_EV_STUCK:
		fprintf(t->fp, "%s:%d: %s\n", file, ev->line, ev->text);
		break;
	case SP_EV_ERROR:
		fprintf(t->fp, "%s:%d: error: %s\n", file, ev->line, ev->text);
		break;
	case SP_EV_OUTPUT: /* a program's line, as a shell would redirect it */
		fprintf(t->fp, "[%s] %s %s\n", ev->actor, ev->fd == 2 ? "2>" : ">", ev->text);
		break;
	case SP_EV_PROCESS:
		fprintf(t->fp, "[%s] %s\n", ev->actor, ev->text);
		break;
	}
}

void transcript_join(struct transcript *t, const char *actor, int line, const char *text)
{
	if (!t->explain || !text || !text[0])
		return;
	if (t->format == TRANSCRIPT_JSON) {
		fputs("{\"event\":\"join\"", t->fp);
		json_kv_str(t->fp, "actor", actor);
		fprintf(t->fp, ",\"line\":%d", line);
		json_kv_str(t->fp, "text", text);
		fputs("}\n", t->fp);
	} else {
		fprintf(t->fp, "    %s\n", text);
	}
}

void transcript_segment(struct transcript *t, const struct wire_seg *seg, const char *src_actor,
			const char *dst_actor, int line)
{
	char text[512];
	wire_format(seg, src_actor, dst_actor, text, sizeof text);
	if (t->format != TRANSCRIPT_JSON) {
		fprintf(t->fp, "%s\n", text);
		return;
	}
	FILE *fp = t->fp;
	char addr[64];
	socklen_t alen = seg->src.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	fprintf(fp, "{\"event\":\"segment\",\"step\":%u,\"line\":%d", seg->step, line);
	json_kv_str(fp, "proto", wire_proto_name(seg));
	text_addr(&seg->src, alen, addr, sizeof addr);
	json_kv_str(fp, "src", addr);
	text_addr(&seg->dst, alen, addr, sizeof addr);
	json_kv_str(fp, "dst", addr);
	json_kv_str(fp, "src_actor", src_actor ? src_actor : "?");
	json_kv_str(fp, "dst_actor", dst_actor ? dst_actor : "?");
	if (seg->proto == IPPROTO_ICMP || seg->proto == IPPROTO_ICMPV6) {
		char what[64];
		wire_icmp_text(seg, what, sizeof what);
		json_kv_str(fp, "icmp", what);
		json_kv_str(fp, "about", seg->icmp_about == IPPROTO_UDP ? "UDP" : "TCP");
	}
	if (seg->proto == IPPROTO_TCP) {
		char fl[64];
		wire_flags_text(seg->flags, fl, sizeof fl);
		json_kv_str(fp, "flags", fl);
		fprintf(fp, ",\"seq\":%u", seg->seq);
		if (seg->flags & WIRE_ACK)
			fprintf(fp, ",\"ack\":%u", seg->ack);
		else
			fprintf(fp, ",\"ack\":null");
		fprintf(fp, ",\"win\":%u", seg->win);
		if (seg->window_known) /* the window in bytes, scaled as the SYNs said */
			fprintf(fp, ",\"window\":%u", seg->window);
		else
			fprintf(fp, ",\"window\":null");
	}
	fprintf(fp, ",\"len\":%u", seg->len);
	if (seg->proto == IPPROTO_TCP && (seg->flags & WIRE_SYN)) {
		const char *sep = "";
		fputs(",\"options\":{", fp);
		if (seg->has_mss) {
			fprintf(fp, "\"mss\":%u", seg->mss);
			sep = ",";
		}
		if (seg->sack_ok) {
			fprintf(fp, "%s\"sack_ok\":true", sep);
			sep = ",";
		}
		if (seg->has_ts) {
			fprintf(fp, "%s\"timestamps\":true", sep);
			sep = ",";
		}
		if (seg->has_wscale)
			fprintf(fp, "%s\"wscale\":%u", sep, seg->wscale);
		fputc('}', fp);
	}
	/* the text line without its "[wire] " */
	json_kv_str(fp, "text", strncmp(text, "[wire] ", 7) == 0 ? text + 7 : text);
	fputs("}\n", fp);
}

void transcript_wire_lost(struct transcript *t, unsigned step, uint64_t count, int line)
{
	if (t->format == TRANSCRIPT_JSON)
		fprintf(t->fp, "{\"event\":\"wire_lost\",\"step\":%u,\"line\":%d,\"count\":%llu}\n", step,
			line, (unsigned long long)count);
	else { /* "[wire] " stays, as on every line of the wire view */
		fputs("[wire] ", t->fp);
		fprintf(t->fp,
			ngettext("%llu segment not captured: the capture fell behind\n",
				 "%llu segments not captured: the capture fell behind\n",
				 (unsigned long)count),
			(unsigned long long)count);
	}
}
