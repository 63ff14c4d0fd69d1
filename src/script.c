/* script.c -- the .sp language: parser, checks, diagnostics, formatter and cursor. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockplay/call.h"
#include "sockplay/consts.h"
#include "sockplay/grow.h"
#include "sockplay/i18n.h"
#include "sockplay/script.h"
#include "sockplay/text.h"
#include "sockplay/wire.h"

#define DIAGS_MAX 20
#define FILE_MAX (16u << 20)
#define SLEEP_MAX_MS 60000L
#define STEPS_CAP ((size_t)-1 / 2)
#define UNIX_PATH_MAX 107 /* sun_path holds 108 bytes with the NUL */

/* ------------------------------------------------------------------ scope */

struct scope_ent {
	char actor[SP_NAME_MAX];
	char name[SP_NAME_MAX];
};

/* Names per actor, with an open-addressing hash so big scripts stay linear. */
struct sp_scope {
	struct scope_ent *v;
	size_t n, cap;
	size_t *slot; /* index + 1 into v, 0 when empty */
	size_t nslot; /* a power of two */
};

static size_t scope_hash(const char *actor, const char *name)
{
	size_t h = 2166136261u;
	for (const char *s = actor; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t *scope_find_slot(const struct sp_scope *sc, const char *actor, const char *name)
{
	size_t i = scope_hash(actor, name) & (sc->nslot - 1);
	for (;; i = (i + 1) & (sc->nslot - 1)) {
		size_t k = sc->slot[i];
		if (k == 0)
			return &sc->slot[i];
		const struct scope_ent *e = &sc->v[k - 1];
		if (strcmp(e->actor, actor) == 0 && strcmp(e->name, name) == 0)
			return &sc->slot[i];
	}
}

struct sp_scope *script_scope_new(void)
{
	return calloc(1, sizeof(struct sp_scope));
}

void script_scope_free(struct sp_scope *scope)
{
	if (!scope)
		return;
	free(scope->v);
	free(scope->slot);
	free(scope);
}

int script_scope_has(const struct sp_scope *scope, const char *actor, const char *name)
{
	if (!scope || scope->n == 0)
		return 0;
	return *scope_find_slot(scope, actor, name) != 0;
}

/* Returns 0, or -1 when out of memory (or a name does not fit). */
static int scope_add(struct sp_scope *sc, const char *actor, const char *name)
{
	if (strlen(actor) >= SP_NAME_MAX || strlen(name) >= SP_NAME_MAX)
		return -1;
	if (script_scope_has(sc, actor, name))
		return 0;
	struct scope_ent *v = grow_array(sc->v, sc->n, &sc->cap, sizeof *v, 16);
	if (!v)
		return -1;
	sc->v = v;
	if ((sc->n + 1) * 2 > sc->nslot) {
		size_t nslot = sc->nslot ? sc->nslot * 2 : 64;
		size_t *slot = calloc(nslot, sizeof *slot);
		if (!slot)
			return -1;
		free(sc->slot);
		sc->slot = slot;
		sc->nslot = nslot;
		for (size_t i = 0; i < sc->n; i++)
			*scope_find_slot(sc, sc->v[i].actor, sc->v[i].name) = i + 1;
	}
	struct scope_ent *e = &sc->v[sc->n];
	snprintf(e->actor, sizeof e->actor, "%s", actor);
	snprintf(e->name, sizeof e->name, "%s", name);
	*scope_find_slot(sc, actor, name) = ++sc->n;
	return 0;
}

void script_scope_define(struct sp_scope *scope, const char *actor, const char *name)
{
	if (scope)
		scope_add(scope, actor, name);
}

/* ------------------------------------------------------------ utf-8 text */

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len;
	uint32_t min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Offset of the first invalid UTF-8 sequence in S, or N when all is valid. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	while (i < n) {
		size_t k = utf8_seq(s + i, n - i, &cp);
		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

/* ------------------------------------------------------------ diagnostics */

/* Copy the line into DG->source, as a window around COL when the line is long. */
static void diag_source(struct sp_diag *dg, const char *src, int col)
{
	size_t len = strlen(src), max = sizeof dg->source - 1;
	size_t off = col > 0 ? (size_t)col - 1 : 0, start = 0, n;
	const char *pre = "";

	dg->caret = 0;
	if (len > max && off + 40 > max) {
		start = off > 80 ? off - 80 : 0;
		while (start < len && ((unsigned char)src[start] & 0xc0) == 0x80)
			start++;
		pre = "...";
		max -= 3;
		dg->caret = (int)(3 + off - start + 1);
	}
	n = len - start < max ? len - start : max;
	while (n > 0 && start + n < len && ((unsigned char)src[start + n] & 0xc0) == 0x80)
		n--;
	snprintf(dg->source, sizeof dg->source, "%s%.*s", pre, (int)n, src + start);
}

/* Replace, in place, what must not reach a terminal raw (and invalid UTF-8) with '?'. */
static void safe_text(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_seq(u + i, n - i, &cp);
		if (k == 0 || text_cp_unsafe(cp)) {
			u[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		memmove(u + o, u + i, k);
		o += k;
		i += k;
	}
	u[o] = 0;
}

static void diags_vadd(struct sp_diags *d, int line, int col, const char *src,
		       const char *fmt, va_list ap)
{
	if (d->n >= DIAGS_MAX) {
		d->truncated = 1;
		return;
	}
	struct sp_diag *v = grow_array(d->v, d->n, &d->cap, sizeof *v, 8);
	if (!v) {
		d->truncated = 1;
		return;
	}
	d->v = v;
	struct sp_diag *dg = &d->v[d->n++];
	memset(dg, 0, sizeof *dg);
	dg->line = line;
	dg->col = line > 0 ? col : 0;
	vsnprintf(dg->msg, sizeof dg->msg, fmt, ap);
	safe_text(dg->msg); /* messages quote the script's text (and file names) */
	if (line > 0 && src)
		diag_source(dg, src, col);
}

static void diags_add(struct sp_diags *d, int line, int col, const char *src, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void diags_add(struct sp_diags *d, int line, int col, const char *src, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_vadd(d, line, col, src, fmt, ap);
	va_end(ap);
}

void script_diags_clear(struct sp_diags *diags)
{
	free(diags->v);
	memset(diags, 0, sizeof *diags);
}

/* Print SRC with unsafe bytes as '?'; with CARET, the caret line under byte CARET-1. */
static void print_source(FILE *fp, const char *src, size_t caret)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), i = 0;
	uint32_t cp;

	while (i < n) {
		size_t k = utf8_seq(s + i, n - i, &cp);
		if (k == 0 || text_cp_unsafe(cp))
			fputc('?', fp);
		else
			fwrite(s + i, 1, k, fp);
		i += k ? k : 1;
	}
	fputc('\n', fp);
	for (i = 0; i < n && i + 1 < caret;) {
		size_t k = utf8_seq(s + i, n - i, &cp);
		if (k == 1 && cp == '\t')
			fputc('\t', fp);
		else
			for (int w = (k == 0 || text_cp_unsafe(cp) || text_cp_cells(cp) < 0) ? 1 : text_cp_cells(cp);
			     w > 0; w--)
				fputc(' ', fp);
		i += k ? k : 1;
	}
	fputs("^\n", fp);
}

void script_diags_print(FILE *fp, const char *file, const struct sp_diags *diags)
{
	char name[512];
	snprintf(name, sizeof name, "%s", file ? file : "<input>");
	safe_text(name);
	file = name;
	for (size_t i = 0; i < diags->n; i++) {
		const struct sp_diag *d = &diags->v[i];
		if (d->line <= 0) {
			fprintf(fp, "%s: error: %s\n", file, d->msg);
			continue;
		}
		fprintf(fp, "%s:%d:%d: error: %s\n", file, d->line, d->col, d->msg);
		print_source(fp, d->source, (size_t)(d->caret > 0 ? d->caret : d->col));
	}
	if (diags->truncated) { /* "error:" and "note:" stay, as editors look for them */
		fprintf(fp, "%s: note: ", file);
		fprintf(fp, _("too many errors, stopped after %d\n"), DIAGS_MAX);
	}
}

/* ----------------------------------------------------------------- parser */

struct parser {
	struct sp_diags *diags;
	struct sp_scope *scope;
	int prompt;                                /* a line typed at the prompt */
	int line;                                  /* current line number */
	const char *src;                           /* current line */
	char actors[SP_ACTORS_MAX][SP_NAME_MAX];   /* actors seen, for the limit */
	int nactors;
};

/* A stretch of the current line; positions are byte offsets into the line. */
struct cur {
	const char *s;
	size_t pos, end;
};

static const char *const keywords[] = {
	"title", "say", "pause", "sleep", "repeat", "end", "expect",
};

static unsigned shape_kind(enum call_shape sh)
{
	switch (sh) {
	case CALL_SH_DOMAIN: return SP_K_DOMAIN;
	case CALL_SH_TYPE: return SP_K_TYPE;
	case CALL_SH_PROTO: return SP_K_PROTO;
	case CALL_SH_SHUT: return SP_K_SHUT;
	case CALL_SH_FLAGS: return SP_K_MSG;
	case CALL_SH_IOCTL: return SP_K_IOCTL;
	default: return 0;
	}
}

static int err(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_vadd(p->diags, p->line, (int)pos + 1, p->src, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int at(const struct cur *c)
{
	return c->pos < c->end ? (unsigned char)c->s[c->pos] : 0;
}

static void skip_ws(struct cur *c)
{
	while (c->pos < c->end && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
		c->pos++;
}

/* Whether only blanks and a comment are left. */
static int at_eol(struct cur *c)
{
	skip_ws(c);
	return c->pos >= c->end || c->s[c->pos] == '#';
}

static size_t ident_len(const struct cur *c)
{
	size_t n = 0;
	if (!is_ident_start(at(c)))
		return 0;
	while (c->pos + n < c->end && is_ident_char((unsigned char)c->s[c->pos + n]))
		n++;
	return n;
}

/* Describe the character at POS for a message: 'x', U+00A0, or end of line. */
static const char *show_char(const struct cur *c, size_t pos, char buf[24])
{
	uint32_t cp;
	if (pos >= c->end || c->s[pos] == '\0')
		return _("end of line");
	unsigned char ch = (unsigned char)c->s[pos];
	if (ch > 0x20 && ch < 0x7f) {
		snprintf(buf, 24, "'%c'", ch);
		return buf;
	}
	size_t k = utf8_seq((const unsigned char *)c->s + pos, strlen(c->s + pos), &cp);
	snprintf(buf, 24, "U+%04X", k ? (unsigned)cp : ch);
	return buf;
}

/* "unexpected 'x' AFTER": AFTER (a translated phrase, or NULL) says where. */
static int unexpected(struct parser *p, const struct cur *c, const char *after)
{
	char b[24];
	if (!after)
		return err(p, c->pos, _("unexpected %s"), show_char(c, c->pos, b));
	/* TRANSLATORS: the second %s is a phrase such as "after the data". */
	return err(p, c->pos, _("unexpected %s %s"), show_char(c, c->pos, b), after);
}

/* Best "did you mean" candidate, compared without case. */
struct suggest {
	char word[64];
	size_t len;
	const char *best;
	size_t bestd;
};

static void suggest_init(struct suggest *sg, const char *word)
{
	size_t i;
	for (i = 0; word[i] && i < sizeof sg->word - 1; i++)
		sg->word[i] = (char)((word[i] >= 'A' && word[i] <= 'Z') ? word[i] + 32 : word[i]);
	sg->word[i] = '\0';
	sg->len = word[i] ? 0 : i; /* too long to be a typo of anything */
	sg->best = NULL;
	sg->bestd = (size_t)-1;
}

static void suggest_try(struct suggest *sg, const char *cand)
{
	char low[64];
	size_t i;
	if (!cand || sg->len == 0)
		return;
	for (i = 0; cand[i] && i < sizeof low - 1; i++)
		low[i] = (char)((cand[i] >= 'A' && cand[i] <= 'Z') ? cand[i] + 32 : cand[i]);
	low[i] = '\0';
	size_t d = consts_distance(sg->word, low);
	size_t max = sg->len <= 2 ? 0 : sg->len <= 4 ? 1 : 2;
	if (d <= max && d < sg->bestd) {
		sg->best = cand;
		sg->bestd = d;
	}
}

/* Bytes of a token to quote in a message: at most 40. */
static int tok_len(size_t pos, size_t end)
{
	return (int)(end - pos > 40 ? 40 : end - pos);
}

static int copy_name(struct parser *p, const struct cur *c, size_t pos, size_t n,
		     char out[SP_NAME_MAX])
{
	if (n >= SP_NAME_MAX)
		return err(p, pos, _("name '%.*s...' is too long (at most %d characters)"), 20,
			   c->s + pos, SP_NAME_MAX - 1);
	memcpy(out, c->s + pos, n);
	out[n] = '\0';
	return 0;
}

static int undefined(struct parser *p, size_t pos, const char *actor, const char *name)
{
	const struct sp_scope *sc = p->scope;
	struct suggest sg;

	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].name, name) == 0 && strcmp(sc->v[i].actor, actor) != 0)
			return err(p, pos,
				   _("'%s' is not defined for actor %s; it belongs to actor %s "
				   "(names are per actor)"),
				   name, actor, sc->v[i].actor);
	suggest_init(&sg, name);
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->v[i].actor, actor) == 0)
			suggest_try(&sg, sc->v[i].name);
	if (sg.best)
		return err(p, pos, _("'%s' is not defined for actor %s; did you mean '%s'?"), name,
			   actor, sg.best);
	return err(p, pos, _("'%s' is not defined for actor %s"), name, actor);
}

/* An integer spelled in S[a,b): 0, -1 not a number, -2 out of range of long long. */
static int span_number(const char *s, size_t a, size_t b, long long *v)
{
	int neg = 0;
	unsigned long long x = 0;
	if (a < b && s[a] == '-')
		neg = 1, a++;
	if (a >= b)
		return -1;
	for (size_t i = a; i < b; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (ULLONG_MAX - d) / 10)
			return -2;
		x = x * 10 + d;
	}
	if (x > (unsigned long long)LLONG_MAX + neg)
		return -2;
	*v = neg ? (x == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)x) : (long long)x;
	return 0;
}

/* Read a string literal at C->pos into a malloc'd buffer (NUL-terminated too). */
static int lex_string(struct parser *p, struct cur *c, unsigned char **out, size_t *outlen, int text)
{
	size_t open = c->pos, i = c->pos + 1, n = 0, cap = 64;
	unsigned char *buf = malloc(cap);

	if (!buf)
		return err(p, open, _("out of memory"));
	for (;;) {
		if (i >= c->end) {
			free(buf);
			return err(p, open, _("unterminated string"));
		}
		unsigned char ch = (unsigned char)c->s[i];
		size_t at_pos = i;
		int v;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (i + 1 >= c->end) {
				free(buf);
				return err(p, open, _("unterminated string"));
			}
			char e = c->s[i + 1];
			i += 2;
			switch (e) {
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case '0': v = 0; break;
			case '\\': v = '\\'; break;
			case '"': v = '"'; break;
			case '\'': v = '\''; break;
			case 'x': {
				int hv = 0;
				for (int k = 0; k < 2; k++, i++) {
					char h = i < c->end ? c->s[i] : 0;
					int d = is_digit((unsigned char)h) ? h - '0'
						: (h >= 'a' && h <= 'f') ? h - 'a' + 10
						: (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
					if (d < 0) {
						free(buf);
						return err(p, at_pos, _("'\\x' needs two hex digits, as in \\x1b"));
					}
					hv = hv * 16 + d;
				}
				v = hv;
				break;
			}
			default: {
				char b[24];
				free(buf);
				if (e > 0x20 && e < 0x7f)
					return err(p, at_pos, _("unknown escape '\\%c'; use \\n \\r \\t \\0 "
						   "\\\\ \\\" or \\xHH"), e);
				return err(p, at_pos, _("unknown escape: '\\' followed by %s"),
					   show_char(c, at_pos + 1, b));
			}
			}
			if (text && (v == 0 || (v < 0x20 && v != '\n' && v != '\t') || v == 0x7f)) {
				free(buf);
				return err(p, at_pos, _("text may not hold control characters other than "
					   "\\n and \\t"));
			}
		} else {
			uint32_t cp;
			size_t k = utf8_seq((const unsigned char *)c->s + i, c->end - i, &cp);
			if (k == 0)
				k = 1, cp = ch; /* lines are checked before; be safe anyway */
			if (text_cp_unsafe(cp) && cp != '\t') {
				free(buf);
				return err(p, at_pos, _("control character U+%04X in a string; write it "
					   "as an escape"), (unsigned)cp);
			}
			if (n + k + 1 > cap) {
				while (n + k + 1 > cap)
					cap *= 2;
				unsigned char *nb = realloc(buf, cap);
				if (!nb) {
					free(buf);
					return err(p, open, _("out of memory"));
				}
				buf = nb;
			}
			memcpy(buf + n, c->s + i, k);
			n += k;
			i += k;
			continue;
		}
		if (n + 2 > cap) {
			cap *= 2;
			unsigned char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return err(p, open, _("out of memory"));
			}
			buf = nb;
		}
		buf[n++] = (unsigned char)v;
	}
	buf[n] = '\0';
	if (text) {
		int bad = utf8_check(buf, n) < n;
		for (size_t k = 0; !bad && k < n;) {
			uint32_t cp;
			size_t m = utf8_seq(buf + k, n - k, &cp);
			bad = text_cp_unsafe(cp) && cp != '\t' && cp != '\n';
			k += m;
		}
		if (bad) {
			free(buf);
			return err(p, open, _("text is not printable UTF-8 (check its \\x escapes)"));
		}
	}
	c->pos = i + 1;
	*out = buf;
	*outlen = n;
	return 0;
}

/* A data string with an optional "* N"; leaves C after it. */
static int parse_data(struct parser *p, struct cur *c, struct sp_data *d)
{
	memset(d, 0, sizeof *d);
	if (lex_string(p, c, &d->unit, &d->unit_len, 0) < 0)
		return -1;
	d->count = 1;
	struct cur t = *c;
	skip_ws(&t);
	if (at(&t) != '*')
		return 0;
	t.pos++;
	skip_ws(&t);
	size_t npos = t.pos;
	uint64_t n = 0;
	int over = 0;
	if (!is_digit(at(&t))) {
		free(d->unit);
		d->unit = NULL;
		return err(p, t.pos, _("expected a count after '*'"));
	}
	for (; is_digit(at(&t)); t.pos++) {
		unsigned dg = (unsigned)(at(&t) - '0');
		if (n > (UINT64_MAX - dg) / 10)
			over = 1;
		else
			n = n * 10 + dg;
	}
	int bad = 0;
	if (n == 0 && !over)
		bad = err(p, npos, _("the count after '*' must be at least 1"));
	else if (over || (d->unit_len && n > UINT64_MAX / d->unit_len))
		bad = err(p, npos, _("data too large: more than %llu bytes (limit %u MiB)"),
			  (unsigned long long)UINT64_MAX, SP_DATA_MAX >> 20);
	else if (d->unit_len * n > SP_DATA_MAX)
		bad = err(p, npos, _("data too large: %llu bytes (limit %u MiB)"),
			  (unsigned long long)(d->unit_len * n), SP_DATA_MAX >> 20);
	if (bad) {
		free(d->unit);
		d->unit = NULL;
		return -1;
	}
	d->count = n;
	c->pos = t.pos;
	return 0;
}

/* A port: digits in 0..65535. */
static int parse_port(struct parser *p, const struct cur *c, size_t a, size_t b, uint16_t *port)
{
	long long v;
	if (a >= b)
		return err(p, a, _("missing port after ':'"));
	int r = c->s[a] == '-' ? -1 : span_number(c->s, a, b, &v);
	if (r == -1)
		return err(p, a, _("invalid port '%.*s'"), tok_len(a, b), c->s + a);
	if (r == -2 || v > 65535)
		return err(p, a, _("port %.*s out of range 0-65535"), tok_len(a, b), c->s + a);
	*port = (uint16_t)v;
	return 0;
}

/* Dotted-quad IPv4, strictly: four decimal parts 0..255, no leading zeros. */
static int parse_ipv4(const char *s, size_t a, size_t b, struct in_addr *out)
{
	unsigned char q[4];
	int part = 0;
	size_t i = a;

	while (part < 4) {
		size_t st = i;
		unsigned v = 0;
		while (i < b && is_digit((unsigned char)s[i]) && i - st < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == st || i - st > 3 || v > 255 || (i - st > 1 && s[st] == '0'))
			return -1;
		q[part++] = (unsigned char)v;
		if (part < 4) {
			if (i >= b || s[i] != '.')
				return -1;
			i++;
		}
	}
	if (i != b)
		return -1;
	memcpy(&out->s_addr, q, 4);
	return 0;
}

int script_host_is_localhost(const char *host)
{
	size_t n = strlen(host), k = n && host[n - 1] == '.' ? n - 1 : n;
	return (k == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	       (k > 10 && strncasecmp(host + k - 10, ".localhost", 10) == 0);
}

int script_addr_resolve(struct sp_addr *a, int local_only, const char **why)
{
	const char *host = a->host;
	size_t n = strlen(host);
	struct addrinfo hints, *res = NULL;

	if (a->kind != SP_ADDR_IP || !host[0])
		return 0;
	a->has_v4 = a->has_v6 = 0;
	if (local_only) { /* RFC 6761: localhost names are loopback, without asking */
		if (!script_host_is_localhost(host)) {
			*why = _("the sandbox has only lo and looks up no names but localhost (--host-net "
				 "looks them up)");
			return -1;
		}
		a->v4.s_addr = htonl(INADDR_LOOPBACK);
		a->v6 = in6addr_loopback;
		a->has_v4 = a->has_v6 = 1;
		return 0;
	}
	/* RFC 6761: names under .invalid never resolve; answer without asking. */
	if (strcasecmp(host, "invalid") == 0 ||
	    (n > 8 && strcasecmp(host + n - 8, ".invalid") == 0) ||
	    (n > 9 && strcasecmp(host + n - 9, ".invalid.") == 0)) {
		*why = gai_strerror(EAI_NONAME);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int r = getaddrinfo(host, NULL, &hints, &res);
	if (r != 0) {
		*why = r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET && !a->has_v4) {
			a->v4 = ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
			a->has_v4 = 1;
		} else if (ai->ai_family == AF_INET6 && !a->has_v6) {
			a->v6 = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
			a->has_v6 = 1;
		}
	}
	freeaddrinfo(res);
	if (!a->has_v4 && !a->has_v6) {
		*why = _("no IPv4 or IPv6 address");
		return -1;
	}
	return 0;
}

/* addr(NAME) or ACTOR.addr(NAME), starting at C->pos. */
static int parse_addr_of(struct parser *p, struct cur *c, const char *own, struct sp_addr *a)
{
	size_t n = ident_len(c), npos;
	char first[SP_NAME_MAX] = "";

	if (n >= SP_NAME_MAX)
		return copy_name(p, c, c->pos, n, first);
	memcpy(first, c->s + c->pos, n);
	first[n] = '\0';
	if (c->s[c->pos + n] == '.') {
		memcpy(a->actor, first, n + 1);
		c->pos += n + 1; /* now at "addr" */
	}
	c->pos += 4;
	c->pos++; /* '(' */
	skip_ws(c);
	npos = c->pos;
	n = ident_len(c);
	if (n == 0)
		return err(p, c->pos, _("expected a socket name in addr()"));
	if (copy_name(p, c, c->pos, n, a->name) < 0)
		return -1;
	c->pos += n;
	skip_ws(c);
	if (at(c) != ')')
		return at(c) ? unexpected(p, c, _("in addr(); expected ')'"))
			     : err(p, c->pos, _("missing ')' after addr(%s"), a->name);
	c->pos++;
	const char *actor = a->actor[0] ? a->actor : own;
	if (!script_scope_has(p->scope, actor, a->name))
		return undefined(p, npos, actor, a->name);
	a->kind = SP_ADDR_OF;
	return 0;
}

/* Whether the text at C->pos is addr( or IDENT.addr( -- not a host name. */
static int looks_addr_of(const struct cur *c)
{
	size_t n = ident_len(c), i = c->pos + n;
	if (n == 4 && memcmp(c->s + c->pos, "addr", 4) == 0 && i < c->end && c->s[i] == '(')
		return 1;
	if (n > 0 && i < c->end && c->s[i] == '.')
		return c->end - (i + 1) >= 5 && memcmp(c->s + i + 1, "addr(", 5) == 0;
	return 0;
}

/* An address argument in S[a,b). */
static int parse_addr(struct parser *p, const struct cur *span, const char *own,
		      struct sp_addr *a)
{
	struct cur c = *span;
	const char *s = c.s;
	size_t b = c.end, colon = 0, ncolon = 0;

	memset(a, 0, sizeof *a);
	if (looks_addr_of(&c)) {
		if (parse_addr_of(p, &c, own, a) < 0)
			return -1;
		if (c.pos < b)
			return unexpected(p, &c, _("after addr()"));
		goto done;
	}
	/* a path or a name may hold any text, but nothing a terminal acts on (--record writes it) */
	for (size_t i = c.pos, k; i < b; i += k) {
		uint32_t cp;
		k = utf8_seq((const unsigned char *)s + i, b - i, &cp);
		if (k == 0 || text_cp_unsafe(cp)) {
			struct cur at = { s, i, b };
			return unexpected(p, &at, NULL);
		}
	}
	for (size_t i = c.pos; i < b; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			return err(p, i, _("unexpected space in an address"));
		if (s[i] == ':')
			colon = i, ncolon++;
	}
	switch (s[c.pos]) {
	case '/':
		if (b - c.pos > UNIX_PATH_MAX)
			return err(p, c.pos, _("UNIX socket path too long: %zu bytes (at most %d)"),
				   b - c.pos, UNIX_PATH_MAX);
		memcpy(a->path, s + c.pos, b - c.pos);
		a->kind = SP_ADDR_UNIX;
		break;
	case '@':
		if (b - c.pos == 1)
			return err(p, c.pos, _("empty abstract socket name after '@'"));
		if (b - c.pos - 1 > UNIX_PATH_MAX)
			return err(p, c.pos, _("abstract socket name too long: %zu bytes (at most %d)"),
				   b - c.pos - 1, UNIX_PATH_MAX);
		memcpy(a->path, s + c.pos + 1, b - c.pos - 1);
		a->abstract = 1;
		a->kind = SP_ADDR_UNIX;
		break;
	case '[': {
		const char *close = memchr(s + c.pos, ']', b - c.pos);
		char buf[INET6_ADDRSTRLEN + 1];
		if (!close)
			return err(p, c.pos, _("missing ']' after the IPv6 address"));
		size_t len = (size_t)(close - (s + c.pos)) - 1, after = (size_t)(close - s) + 1;
		if (len < sizeof buf) {
			memcpy(buf, s + c.pos + 1, len);
			buf[len] = '\0';
		}
		if (len >= sizeof buf || inet_pton(AF_INET6, buf, &a->v6) != 1)
			return err(p, c.pos + 1, _("invalid IPv6 address '%.*s'"), tok_len(0, len),
				   s + c.pos + 1);
		if (after >= b || s[after] != ':')
			return err(p, after, _("missing port after ']' (as in [::1]:8888)"));
		if (parse_port(p, &c, after + 1, b, &a->port) < 0)
			return -1;
		a->has_v6 = 1;
		a->kind = SP_ADDR_IP;
		break;
	}
	case '*':
		if (c.pos + 1 >= b || s[c.pos + 1] != ':')
			return err(p, c.pos + 1, _("expected ':PORT' after '*' (as in *:8888)"));
		/* fall through */
	case ':':
		if (ncolon > 1)
			return err(p, c.pos, _("an IPv6 address goes in brackets, as in [::1]:8888"));
		if (parse_port(p, &c, colon + 1, b, &a->port) < 0)
			return -1;
		a->kind = SP_ADDR_ANY;
		break;
	case '"':
		return -2; /* the caller says what belongs here */
	default: {
		if (b - c.pos == 9 && memcmp(s + c.pos, "AF_UNSPEC", 9) == 0) {
			a->kind = SP_ADDR_UNSPEC; /* the address of no family: connect() dissolves the association */
			break;
		}
		if (ncolon == 0) {
			size_t n = ident_len(&c);
			char name[SP_NAME_MAX];
			if (n == b - c.pos && n < SP_NAME_MAX) {
				memcpy(name, s + c.pos, n);
				name[n] = '\0';
				if (script_scope_has(p->scope, own, name))
					return err(p, c.pos, _("'%s' is a socket; for the address it is "
						   "bound to write addr(%s)"), name, name);
				if (n > 3 && memcmp(name, "AF_", 3) == 0)
					return err(p, c.pos, _("unknown address '%s'; did you mean 'AF_UNSPEC' "
						   "(connect() only)?"), name);
			}
			return err(p, b, _("missing port: write %.*s:PORT"), tok_len(c.pos, b),
				   s + c.pos);
		}
		if (ncolon > 1)
			return err(p, c.pos, _("an IPv6 address goes in brackets, as in [::1]:8888"));
		size_t hlen = colon - c.pos;
		int numeric = 1;
		for (size_t i = c.pos; i < colon; i++)
			if (!is_digit((unsigned char)s[i]) && s[i] != '.')
				numeric = 0;
		if (numeric && parse_ipv4(s, c.pos, colon, &a->v4) < 0)
			return err(p, c.pos, _("invalid IPv4 address '%.*s'"), tok_len(c.pos, colon),
				   s + c.pos);
		for (size_t i = c.pos; !numeric && i < colon; i++)
			if (!is_ident_char((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
				return err(p, i, _("invalid host name '%.*s'"), tok_len(c.pos, colon),
					   s + c.pos);
		if (hlen > SP_HOST_MAX)
			return err(p, c.pos, _("host name too long (at most 253 bytes)"));
		if (parse_port(p, &c, colon + 1, b, &a->port) < 0)
			return -1;
		if (numeric) {
			a->has_v4 = 1;
		} else { /* a name: the session looks it up when the call runs */
			memcpy(a->host, s + c.pos, hlen);
			a->host[hlen] = '\0';
		}
		a->kind = SP_ADDR_IP;
		break;
	}
	}
done:
	a->text = strndup(s + span->pos, b - span->pos);
	if (!a->text)
		return err(p, span->pos, _("out of memory"));
	return 0;
}

/* MSG_PEEK|MSG_DONTWAIT, or 0. Returns -2 when it does not look like flags at all. */
static int parse_flags(struct parser *p, const struct cur *span, long long *out)
{
	struct cur c = *span;
	long long v = 0;

	if (!is_ident_start(at(&c)) && !is_digit(at(&c)))
		return -2;
	for (;;) {
		skip_ws(&c);
		size_t st = c.pos, n = ident_len(&c);
		if (n) {
			char name[64];
			const struct sp_const *k;
			snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c.s + st);
			if (!(k = consts_lookup(name, SP_K_MSG))) {
				struct suggest sg;
				size_t nall;
				const struct sp_const *all = consts_all(&nall);
				suggest_init(&sg, name);
				for (size_t i = 0; i < nall; i++)
					if (all[i].kind == SP_K_MSG)
						suggest_try(&sg, all[i].name);
				if (sg.best)
					return err(p, st, _("unknown flag '%s'; did you mean '%s'?"), name,
						   sg.best);
				return err(p, st, _("unknown flag '%s' (expected MSG_PEEK, MSG_DONTWAIT, "
					   "MSG_WAITALL, MSG_OOB, MSG_MORE or MSG_TRUNC)"), name);
			}
			v |= k->value;
			c.pos += n;
		} else if (is_digit(at(&c))) {
			long long x;
			while (is_digit(at(&c)))
				c.pos++;
			if (span_number(c.s, st, c.pos, &x) < 0 || x > INT_MAX)
				return err(p, st, _("flags value out of range"));
			v |= x;
		} else {
			return at(&c) ? unexpected(p, &c, _("in flags"))
				      : err(p, c.pos, _("expected a flag after '|'"));
		}
		skip_ws(&c);
		if (c.pos >= c.end)
			break;
		if (at(&c) != '|')
			return unexpected(p, &c, _("in flags; join flags with '|'"));
		c.pos++;
	}
	*out = v;
	return 0;
}

static int mismatch(struct parser *p, size_t pos, enum sp_call call, int i, const char *hint)
{
	return err(p, pos, _("%s() takes %s as argument %d%s"), call_name(call),
		   _(call_info(call)->args[i].what), i + 1, hint ? hint : "");
}

/* Whether argument I of ST is the value of a timeout option (SO_RCVTIMEO, SO_SNDTIMEO). */
static int arg_is_timeout(const struct sp_stmt *st, int i)
{
	const struct call_info *ci = call_info(st->call);
	if (!ci || ci->opt_arg < 0 || i != ci->opt_arg + 1)
		return 0;
	const struct sp_opt *o = consts_opt_at((size_t)st->args[ci->opt_arg].num);
	return o && o->kind == SP_OPT_TIME;
}

/*
 * A duration in S[a,b): "500" or "500ms" (milliseconds), "1.5s", a space
 * allowed before the unit, at most MAX ms. 0 with *MS; -2 when it does not
 * start as a number; -1 after an error.
 */
static int parse_duration(struct parser *p, const char *s, size_t a, size_t b, long long *ms, long long max)
{
	size_t i = a;
	long long ip = 0, frac = 0;
	int fdigits = 0;

	if (i >= b || !is_digit((unsigned char)s[i]))
		return -2;
	for (; i < b && is_digit((unsigned char)s[i]); i++)
		ip = ip > max ? ip : ip * 10 + (s[i] - '0');
	if (i < b && s[i] == '.') {
		i++;
		if (i >= b || !is_digit((unsigned char)s[i]))
			return err(p, i, _("expected digits after '.'"));
		for (; i < b && is_digit((unsigned char)s[i]); i++, fdigits++)
			if (fdigits < 3)
				frac = frac * 10 + (s[i] - '0');
			else if (s[i] != '0')
				return err(p, i, _("a duration counts whole milliseconds"));
	}
	while (i < b && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (b - i == 2 && memcmp(s + i, "ms", 2) == 0) {
		if (fdigits && frac)
			return err(p, a, _("a duration counts whole milliseconds"));
		*ms = ip;
	} else if (b - i == 1 && s[i] == 's') {
		while (fdigits < 3)
			frac *= 10, fdigits++;
		*ms = ip > max ? ip : ip * 1000 + frac;
	} else if (i == b) {
		if (fdigits && frac)
			return err(p, a, _("a duration counts whole milliseconds; write 1.5s, not 1.5"));
		*ms = ip;
	} else {
		return err(p, i, _("unknown unit '%.*s' (use ms or s)"), tok_len(i, b), s + i);
	}
	if (*ms > max)
		return err(p, a, _("%.*s is too long: at most %lld ms"), tok_len(a, b), s + a, max);
	return 0;
}

/* A timeout option's value, in ms: setsockopt(s, SO_RCVTIMEO, 500ms). */
static int parse_timeout_arg(struct parser *p, const struct cur *c, enum sp_call call, int i, struct sp_arg *arg)
{
	long long ms = 0;
	int r = parse_duration(p, c->s, c->pos, c->end, &ms, INT_MAX);
	if (r == -2)
		return err(p, c->pos, _("%s() takes a duration as argument %d, as in 500ms or 1.5s (0: no timeout)"),
			   call_name(call), i + 1);
	if (r < 0)
		return -1;
	arg->kind = SP_ARG_INT;
	arg->num = ms;
	return 0;
}

/* A word of a value ("on", "ECONNREFUSED", "SOCK_STREAM") that is none of CANDS: with a suggestion. */
static int unknown_value(struct parser *p, size_t pos, const char *word, const char *what,
			 const char *const *cands, size_t ncands)
{
	struct suggest sg;
	suggest_init(&sg, word);
	for (size_t k = 0; k < ncands; k++)
		suggest_try(&sg, cands[k]);
	if (sg.best)
		return err(p, pos, _("unknown value '%s'; did you mean '%s'?"), word, sg.best);
	/* TRANSLATORS: the second %s says what is expected, as "on, off or a number". */
	return err(p, pos, _("unknown value '%s' (expected %s)"), word, what);
}

/* "(value X)" after a getsockopt() or ioctl() result; C is at '('. */
static int parse_value(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	struct sp_expect *e = &st->expect;
	const struct call_info *ci = call_info(st->call);
	size_t open = c->pos, n, vpos, vend;
	char word[64];

	c->pos++;
	skip_ws(c);
	n = ident_len(c);
	snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), c->s + c->pos);
	if (n != 5 || strcmp(word, "value") != 0) {
		static const char *const value_word[] = { "value" };
		struct suggest sg;
		suggest_init(&sg, word);
		suggest_try(&sg, value_word[0]);
		if (n && sg.best)
			return err(p, c->pos, _("unknown word '%s'; did you mean 'value'?"), word);
		return err(p, c->pos, _("expected 'value' after '(', as in (value 1)"));
	}
	if (!ci || ci->note != CALL_NOTE_VALUE)
		return err(p, open, _("only getsockopt() and ioctl() report a value to compare; %s() reports none"),
			   call_name(st->call));
	if (e->ret < 0)
		return err(p, open, _("a call that fails reports no value"));
	if (st->call == SP_CALL_IOCTL && call_ioctl_takes_value((int)st->args[1].num))
		return err(p, open, _("ioctl(%s) sets a value and reports none"), st->args[1].name);
	c->pos += n;
	skip_ws(c);
	vpos = c->pos;
	const char *close = memchr(c->s + vpos, ')', c->end - vpos);
	if (!close)
		return err(p, c->end, _("missing ')' after the value"));
	vend = (size_t)(close - c->s);
	while (vend > vpos && (c->s[vend - 1] == ' ' || c->s[vend - 1] == '\t'))
		vend--;
	if (vend == vpos)
		return err(p, vpos, _("expected a value after 'value', as in (value 1)"));

	const struct sp_opt *opt = ci->opt_arg >= 0 ? consts_opt_at((size_t)st->args[ci->opt_arg].num) : NULL;
	enum sp_opt_kind kind = opt ? opt->kind : SP_OPT_INT;
	int is_type = opt && opt->level == SOL_SOCKET && opt->optname == SO_TYPE;
	struct cur v = { c->s, vpos, vend };
	size_t wn = ident_len(&v);
	long long num = 0;
	int numr = span_number(c->s, vpos, vend, &num);
	char vw[64];
	snprintf(vw, sizeof vw, "%.*s", (int)(wn < 63 ? wn : 63), c->s + vpos);
	static const char *const onoff[] = { "on", "off" };
	e->value_secs = -1;
	switch (kind) {
	case SP_OPT_TIME: {
		long long ms = 0;
		int r = parse_duration(p, c->s, vpos, vend, &ms, INT_MAX);
		if (r == -2)
			return err(p, vpos, _("%s's value is a duration, as in (value 500ms)"), opt->name);
		if (r < 0)
			return -1;
		e->value = ms;
		snprintf(e->value_text, sizeof e->value_text, "%lld", ms);
		break;
	}
	case SP_OPT_ERROR:
		if (numr == 0 && num == 0) {
			snprintf(e->value_text, sizeof e->value_text, "0");
			break;
		}
		if (wn != vend - vpos)
			return err(p, vpos, _("%s's value is 0 or an errno name, as in (value ECONNREFUSED)"),
				   opt ? opt->name : "SO_ERROR");
		e->value = consts_errno_from_name(vw);
		if (!e->value) {
			const char *cands[64];
			size_t k = 0;
			for (; k < 64 && consts_errno_at(k); k++)
				cands[k] = consts_errno_at(k);
			return unknown_value(p, vpos, vw, _("0 or an errno name"), cands, k);
		}
		snprintf(e->value_text, sizeof e->value_text, "%s", consts_errno_name((int)e->value));
		break;
	case SP_OPT_BOOL:
	case SP_OPT_LINGER: {
		size_t end = vpos + wn;
		if (wn) {
			if (strcmp(vw, "on") != 0 && strcmp(vw, "off") != 0)
				return unknown_value(p, vpos, vw, _("on, off or a number"), onoff, 2);
			e->value = vw[1] == 'n';
			e->value_onoff = 1;
			snprintf(e->value_text, sizeof e->value_text, "%s", vw);
		} else {
			end = vpos;
			if (c->s[end] == '-')
				end++;
			while (end < vend && is_digit((unsigned char)c->s[end]))
				end++;
			if (span_number(c->s, vpos, end, &num) != 0 || num < INT_MIN || num > INT_MAX)
				return err(p, vpos, _("%s's value is on, off or a number, as in (value 1)"), opt->name);
			e->value = num;
			snprintf(e->value_text, sizeof e->value_text, "%lld", num);
		}
		struct cur t = { c->s, end, vend };
		skip_ws(&t);
		if (t.pos < vend && kind == SP_OPT_LINGER && c->s[t.pos] == ',') {
			t.pos++;
			skip_ws(&t);
			size_t spos = t.pos, send = spos;
			while (send < vend && is_digit((unsigned char)c->s[send]))
				send++;
			if (span_number(c->s, spos, send, &e->value_secs) != 0 || e->value_secs > INT_MAX)
				return err(p, spos, _("expected the seconds after ',', as in (value on, 5 s)"));
			t.pos = send;
			skip_ws(&t);
			if (t.pos < vend && c->s[t.pos] == 's')
				t.pos++;
			size_t k = strlen(e->value_text);
			snprintf(e->value_text + k, sizeof e->value_text - k, ", %lld s", e->value_secs);
		}
		if (t.pos < vend)
			return unexpected(p, &t, _("in the value"));
		break;
	}
	case SP_OPT_INT:
		if (is_type && wn == vend - vpos) {
			const struct sp_const *k = consts_lookup(vw, SP_K_TYPE);
			if (!k) {
				const char *cands[8];
				size_t nc = 0, nall;
				const struct sp_const *all = consts_all(&nall);
				for (size_t i = 0; i < nall && nc < 8; i++)
					if (all[i].kind == SP_K_TYPE)
						cands[nc++] = all[i].name;
				return unknown_value(p, vpos, vw, _("a socket type or a number"), cands, nc);
			}
			e->value = k->value;
			snprintf(e->value_text, sizeof e->value_text, "%s", k->name);
			break;
		}
		if (numr != 0 || num < INT_MIN || num > INT_MAX)
			return err(p, vpos, _("the value is a number here, as in (value %s)"),
				   st->call == SP_CALL_IOCTL ? "3" : "131072");
		e->value = num;
		snprintf(e->value_text, sizeof e->value_text, "%lld", num);
		break;
	}
	e->has_value = 1;
	c->pos = (size_t)(close - c->s) + 1;
	return 0;
}

static int unknown_const(struct parser *p, size_t pos, const char *name, enum sp_call call,
			 int i, unsigned kinds)
{
	size_t nall;
	const struct sp_const *all = consts_all(&nall);
	const struct sp_const *other = consts_lookup(name, ~0u);
	struct suggest sg;

	if (other || consts_opt(name))
		return err(p, pos, _("%s() takes %s as argument %d, not %s"), call_name(call),
			   _(call_info(call)->args[i].what), i + 1, name);
	suggest_init(&sg, name);
	for (size_t k = 0; k < nall; k++)
		if (all[k].kind & kinds)
			suggest_try(&sg, all[k].name);
	if (sg.best)
		return err(p, pos, _("unknown constant '%s'; did you mean '%s'?"), name, sg.best);
	char list[160] = "";
	size_t len = 0, cnt = 0, seen = 0;
	for (size_t k = 0; k < nall; k++)
		cnt += !!(all[k].kind & kinds);
	for (size_t k = 0; k < nall && len < sizeof list; k++) {
		if (!(all[k].kind & kinds))
			continue;
		seen++;
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
					seen == 1 ? "" : seen == cnt ? _(" or ") : _(", "), all[k].name);
	}
	return err(p, pos, _("unknown constant '%s' (expected %s)"), name, list);
}

/* Argument I of ST, written in S[a,b). */
static int parse_arg(struct parser *p, const struct cur *line, struct sp_stmt *st, int i,
		     size_t a, size_t b)
{
	struct sp_arg *arg = &st->args[i];
	const struct call_arg_spec *spec = &call_info(st->call)->args[i];
	struct cur c = { line->s, a, b };
	size_t n = ident_len(&c);
	int whole_ident = n > 0 && n == b - a;
	long long v = 0;
	int r = span_number(c.s, a, b, &v);
	char name[64] = "";

	arg->line = p->line;
	arg->col = (int)a + 1;
	if (whole_ident)
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c.s + a);
	switch (spec->sh) {
	case CALL_SH_SOCK:
		arg->kind = SP_ARG_SOCK;
		if (whole_ident) {
			if (copy_name(p, &c, a, n, arg->name) < 0)
				return -1;
			if (!script_scope_has(p->scope, st->actor, arg->name))
				return undefined(p, a, st->actor, arg->name);
			return 0;
		}
		if (r == 0 && v >= 0 && v <= INT_MAX) {
			arg->num = v;
			return 0;
		}
		if (r != -1)
			return err(p, a, _("a socket number must be 0 to %d"), INT_MAX);
		return mismatch(p, a, st->call, i, NULL);
	case CALL_SH_PROTO:
		if (r == 0 && v >= 0 && v <= INT_MAX) {
			arg->kind = SP_ARG_INT;
			arg->num = v;
			return 0;
		}
		/* fall through */
	case CALL_SH_DOMAIN:
	case CALL_SH_TYPE:
	case CALL_SH_SHUT:
	case CALL_SH_IOCTL: {
		if (!whole_ident)
			return mismatch(p, a, st->call, i, NULL);
		const struct sp_const *k = consts_lookup(name, shape_kind(spec->sh));
		if (!k)
			return unknown_const(p, a, name, st->call, i, shape_kind(spec->sh));
		arg->kind = SP_ARG_CONST;
		arg->num = k->value;
		snprintf(arg->name, sizeof arg->name, "%s", k->name);
		return 0;
	}
	case CALL_SH_INT:
	case CALL_SH_LINGER:
	case CALL_SH_LEN:
	case CALL_SH_BOOL:
	case CALL_SH_IOVAL:
		if (arg_is_timeout(st, i)) /* SO_RCVTIMEO's value: 500, 500ms, 1.5s */
			return parse_timeout_arg(p, &c, st->call, i, arg);
		if (r == -1)
			return mismatch(p, a, st->call, i, NULL);
		arg->kind = SP_ARG_INT;
		if (spec->sh == CALL_SH_LEN && (r == -2 || v < 0 || v > SP_RECV_MAX))
			return err(p, a, _("%s() length %.*s out of range 0-%u"), call_name(st->call),
				   tok_len(a, b), c.s + a, SP_RECV_MAX);
		if ((spec->sh == CALL_SH_BOOL || spec->sh == CALL_SH_IOVAL) && (r != 0 || (v != 0 && v != 1)))
			return mismatch(p, a, st->call, i, NULL);
		if (r == -2 || v < INT_MIN || v > INT_MAX)
			return err(p, a, _("%.*s is out of range for an int"), tok_len(a, b), c.s + a);
		arg->num = v;
		return 0;
	case CALL_SH_OPT: {
		if (!whole_ident)
			return mismatch(p, a, st->call, i, NULL);
		for (size_t k = 0; consts_opt_at(k); k++) {
			if (strcmp(consts_opt_at(k)->name, name) == 0) {
				arg->kind = SP_ARG_CONST;
				arg->num = (long long)k;
				snprintf(arg->name, sizeof arg->name, "%s", consts_opt_at(k)->name);
				return 0;
			}
		}
		if (consts_lookup(name, ~0u))
			return err(p, a, _("%s() takes a socket option as argument %d, not %s"),
				   call_name(st->call), i + 1, name);
		struct suggest sg;
		suggest_init(&sg, name);
		for (size_t k = 0; consts_opt_at(k); k++)
			suggest_try(&sg, consts_opt_at(k)->name);
		if (sg.best)
			return err(p, a, _("unknown socket option '%s'; did you mean '%s'?"), name, sg.best);
		return err(p, a, _("unknown socket option '%s'"), name);
	}
	case CALL_SH_FLAGS:
		arg->kind = SP_ARG_FLAGS;
		r = parse_flags(p, &c, &arg->num);
		return r == -2 ? mismatch(p, a, st->call, i, NULL) : r;
	case CALL_SH_ADDR:
		arg->kind = SP_ARG_ADDR;
		r = parse_addr(p, &c, st->actor, &arg->addr);
		if (r == -2)
			return mismatch(p, a, st->call, i, _("; write it without quotes"));
		if (r == 0 && arg->addr.kind == SP_ADDR_UNSPEC && st->call != SP_CALL_CONNECT)
			return err(p, a, _("AF_UNSPEC as an address goes only to connect(), where it dissolves "
				   "the association: connect(u, AF_UNSPEC)"));
		return r;
	case CALL_SH_PATH:
		arg->kind = SP_ARG_ADDR;
		if (whole_ident) /* a socket's name, or a word: no path */
			return mismatch(p, a, st->call, i, NULL);
		r = parse_addr(p, &c, st->actor, &arg->addr);
		if (r == -2)
			return mismatch(p, a, st->call, i, _("; write it without quotes"));
		if (r < 0)
			return r;
		if (arg->addr.kind == SP_ADDR_UNIX && arg->addr.abstract)
			return err(p, a, _("'%s' is an abstract name, not a file: it goes away with its socket, "
				   "and %s() takes a path such as /tmp/lab.sock"), arg->addr.text, call_name(st->call));
		if (arg->addr.kind != SP_ADDR_UNIX)
			return mismatch(p, a, st->call, i, NULL);
		return 0;
	case CALL_SH_DATA:
		arg->kind = SP_ARG_DATA;
		if (c.s[a] != '"')
			return mismatch(p, a, st->call, i, NULL);
		if (parse_data(p, &c, &arg->data) < 0)
			return -1;
		skip_ws(&c);
		if (c.pos < b)
			return unexpected(p, &c, _("after the data"));
		return 0;
	case CALL_SH_READY:   /* parse_ready() reads these */
	case CALL_SH_TIMEOUT:
	case CALL_SH_NONE:
		break;
	}
	return err(p, a, _("internal error: no argument %d for %s()"), i + 1, call_name(st->call));
}

/* "= N", "= -1 ERRNO", "= -1", "= N \"data\"" after a call; C is at '='. */
static int parse_expect(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	struct sp_expect *e = &st->expect;
	const struct call_info *ci = call_info(st->call);
	size_t st_pos;
	long long v;
	/* recv(MSG_TRUNC) on a datagram socket returns the datagram's length, more than it read */
	int truncating = ci && ci->flags_arg >= 0 && (ci->flags & CALL_F_READS) &&
			 (st->args[ci->flags_arg].num & MSG_TRUNC);

	c->pos++;
	skip_ws(c);
	st_pos = c->pos;
	if (at(c) == '-')
		c->pos++;
	while (is_digit(at(c)))
		c->pos++;
	int r = span_number(c->s, st_pos, c->pos, &v);
	if (r == -1) {
		c->pos = st_pos;
		if (at_eol(c))
			return err(p, c->pos, _("expected a return value after '='"));
		return unexpected(p, c, _("after '='; expected a return value"));
	}
	if (r == -2 || v < -1)
		return err(p, st_pos, _("a call returns -1 or a number >= 0, not %.*s"),
			   tok_len(st_pos, c->pos), c->s + st_pos);
	if (is_ident_char(at(c)))
		return unexpected(p, c, _("in the return value"));
	e->present = 1;
	e->ret = v;
	skip_ws(c);
	size_t n = ident_len(c);
	if (n) {
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c->s + c->pos);
		if (v != -1)
			return err(p, c->pos, _("an errno name only follows -1 (as in = -1 %s)"), name);
		e->err = consts_errno_from_name(name);
		if (!e->err) {
			struct suggest sg;
			suggest_init(&sg, name);
			for (size_t k = 0; consts_errno_at(k); k++)
				suggest_try(&sg, consts_errno_at(k));
			if (sg.best)
				return err(p, c->pos, _("unknown errno '%s'; did you mean '%s'?"), name,
					   sg.best);
			return err(p, c->pos, _("unknown errno '%s'"), name);
		}
		c->pos += n;
	} else if (v == -1) {
		e->any_error = 1;
	}
	skip_ws(c);
	if (at(c) == '"') {
		size_t dpos = c->pos;
		if (st->call != SP_CALL_RECV && st->call != SP_CALL_RECVFROM)
			return err(p, dpos, _("only recv() and recvfrom() return data to compare"));
		if (v < 0)
			return err(p, dpos, _("a call that fails returns no data"));
		if (parse_data(p, c, &e->data) < 0)
			return -1;
		e->has_data = 1;
		uint64_t total = e->data.unit_len * e->data.count;
		/* MSG_TRUNC: the datagram's length, of which the buffer got the first bytes */
		uint64_t kept = truncating && v > st->args[1].num ? (uint64_t)st->args[1].num : (uint64_t)v;
		if (total != kept)
			return err(p, dpos, _("the expected data is %llu bytes but the count says %lld"),
				   (unsigned long long)total, (long long)kept);
	}
	skip_ws(c);
	if (at(c) == '(' && !call_has(st->call, CALL_F_READY) && parse_value(p, c, st) < 0)
		return -1; /* poll(), select(): their "( ... )" is the ready sockets (ready_expect) */
	if ((st->call == SP_CALL_RECV || st->call == SP_CALL_RECVFROM) && st->nargs >= 2 &&
	    st->args[1].kind == SP_ARG_INT && v > st->args[1].num && !truncating)
		return err(p, st_pos, _("%s() of at most %lld bytes cannot return %lld"),
			   call_name(st->call), st->args[1].num, v);
	return 0;
}

/* ---- blocking and segments as expectations ---------------------------- */

/* "<blocked>" or "<at once>" after a call, before or after its "= ..."; C is at '<'. */
static int parse_block_mark(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	size_t lt = c->pos, q = c->pos + 1;
	while (q < c->end && c->s[q] != '>' && c->s[q] != '<' && c->s[q] != '=' && c->s[q] != '#')
		q++;
	if (q >= c->end || c->s[q] != '>')
		return err(p, lt, _("missing '>' to close '<'; a call may end with <blocked> or <at once>"));
	char w[32];
	size_t n = 0;
	int blank = 0;
	for (size_t i = lt + 1; i < q; i++) { /* the words inside, blanks folded to one */
		char ch = c->s[i];
		if (ch == ' ' || ch == '\t') {
			blank = n > 0;
			continue;
		}
		if (blank && n < sizeof w - 1)
			w[n++] = ' ';
		blank = 0;
		if (n < sizeof w - 1)
			w[n++] = ch;
	}
	w[n] = '\0';
	enum sp_block b = strcmp(w, "blocked") == 0 ? SP_BLOCK_BLOCKED
			  : strcmp(w, "at once") == 0 ? SP_BLOCK_AT_ONCE : SP_BLOCK_ANY;
	if (b == SP_BLOCK_ANY) {
		if (strcmp(w, "resumed") == 0)
			return err(p, lt + 1, _("<resumed> is what the transcript prints; a script writes "
						"<blocked> = N"));
		struct suggest sg;
		suggest_init(&sg, w);
		suggest_try(&sg, "blocked");
		suggest_try(&sg, "at once");
		if (!sg.best && (strcmp(w, "atonce") == 0 || strcmp(w, "at_once") == 0 ||
				 strcmp(w, "at-once") == 0 || strcmp(w, "immediate") == 0))
			sg.best = "at once";
		if (sg.best)
			return err(p, lt + 1, _("unknown mark '<%s>'; did you mean '<%s>'?"), w, sg.best);
		return err(p, lt + 1, _("unknown mark '<%s>' (expected <blocked> or <at once>)"), w);
	}
	if (st->blocking != SP_BLOCK_ANY)
		return err(p, lt, _("a call takes one mark, <blocked> or <at once>"));
	if (b == SP_BLOCK_BLOCKED && !call_may_block(st->call) && st->call != SP_CALL_CLOSE)
		return err(p, lt, _("%s() never blocks; <blocked> cannot hold"), call_name(st->call));
	if (b == SP_BLOCK_BLOCKED && call_has(st->call, CALL_F_READY) && st->args[1].num == 0)
		return err(p, lt, _("%s() with a timeout of 0 returns at once; <blocked> cannot hold"),
			   call_name(st->call));
	st->blocking = b;
	c->pos = q + 1;
	return 0;
}

/* Whether the ident at C is WORD. */
static int ident_is(const struct cur *c, const char *word)
{
	size_t n = ident_len(c);
	return n == strlen(word) && memcmp(c->s + c->pos, word, n) == 0;
}

/* After "expect": "wire FROM > TO [...]", "wire [...]" or "no wire ...", as opposed to an actor named wire. */
static int expect_is_wire(const struct cur *c)
{
	struct cur k = *c;
	if (ident_is(&k, "no")) {
		k.pos += 2;
		skip_ws(&k);
		return ident_is(&k, "wire");
	}
	if (!ident_is(&k, "wire"))
		return 0;
	k.pos += 4;
	skip_ws(&k);
	if (at(&k) == '[')
		return 1;
	size_t n = ident_len(&k);
	if (!n)
		return 0;
	k.pos += n;
	skip_ws(&k);
	if (at(&k) == '>')
		return 1;
	for (; k.pos < k.end && k.s[k.pos] != '#'; k.pos++) /* "wire client server [FIN]": a '>' missing */
		if (k.s[k.pos] == '[')
			return 1;
	return 0;
}

/* Whether A and B hold the same letters ("AKC", "ACK"): a flag's letters swapped. */
static int same_letters(const char *a, const char *b)
{
	int count[128] = { 0 };
	if (strlen(a) != strlen(b))
		return 0;
	for (; *a; a++, b++) {
		count[*a & 127]++;
		count[*b & 127]--;
	}
	for (int i = 0; i < 128; i++)
		if (count[i])
			return 0;
	return 1;
}

/* A side named in expect wire: one of the script's actors so far, or a program's (--run) side. */
static int wire_side(struct parser *p, struct cur *c, char out[SP_NAME_MAX])
{
	size_t pos = c->pos, n = ident_len(c);
	if (!n)
		return at_eol(c) ? err(p, c->pos, _("expected a side after '>', as in expect wire client > "
					       "server [FIN,ACK]"))
				 : unexpected(p, c, _("where a side belongs"));
	if (copy_name(p, c, pos, n, out) < 0)
		return -1;
	c->pos += n;
	if (p->prompt)
		return 0;
	struct suggest sg;
	suggest_init(&sg, out);
	for (int i = 0; i < p->nactors; i++) {
		if (strcmp(p->actors[i], out) == 0)
			return 0;
		suggest_try(&sg, p->actors[i]);
	}
	if (sg.best) /* not a side yet, and a slip of one: a program's side would be spelt apart */
		return err(p, pos, _("no side '%s' made a call before this line; did you mean '%s'?"), out,
			   sg.best);
	return 0;
}

/* expect [no] wire [FROM > TO] [FLAG,FLAG] [len=N]; C is at "wire" or "no". */
static int parse_expect_wire(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	struct sp_wire_want *w = &st->wire;
	st->kind = SP_ST_EXPECT_WIRE;
	memset(w, 0, sizeof *w);
	if (ident_is(c, "no")) {
		w->negate = 1;
		c->pos += 2;
		skip_ws(c);
	}
	c->pos += 4; /* "wire" */
	skip_ws(c);
	if (ident_len(c)) {
		if (wire_side(p, c, w->from) < 0)
			return -1;
		skip_ws(c);
		if (at(c) != '>')
			return err(p, c->pos, _("expected '>' after '%s': FROM > TO, as in expect wire "
						"client > server [FIN,ACK]"), w->from);
		c->pos++;
		skip_ws(c);
		if (wire_side(p, c, w->to) < 0)
			return -1;
		skip_ws(c);
	}
	if (at(c) != '[')
		return at_eol(c) ? err(p, c->pos, _("expected the segment's flags, as in [FIN,ACK]"))
				 : unexpected(p, c, _("; expected the segment's flags, as in [FIN,ACK]"));
	c->pos++;
	for (;;) {
		skip_ws(c);
		size_t fpos = c->pos, n = ident_len(c);
		if (!n)
			return at(c) == ']' && !w->flags ? err(p, c->pos, _("expected a flag: SYN, ACK, FIN, RST, "
									  "PSH, URG, ECE or CWR"))
				: at(c) ? unexpected(p, c, _("in the flags; expected SYN, ACK, FIN, RST, PSH ..."))
					: err(p, c->pos, _("missing ']' to close the flags"));
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c->s + fpos);
		uint8_t bit = n < 63 ? wire_flag_bit(name) : 0;
		if (!bit) {
			struct suggest sg;
			suggest_init(&sg, name);
			for (size_t k = 0; wire_flag_name_at(k); k++) {
				suggest_try(&sg, wire_flag_name_at(k));
				if (!sg.best && same_letters(name, wire_flag_name_at(k)))
					sg.best = wire_flag_name_at(k);
			}
			if (sg.best)
				return err(p, fpos, _("unknown TCP flag '%s'; did you mean '%s'?"), name, sg.best);
			return err(p, fpos, _("unknown TCP flag '%s' (expected SYN, ACK, FIN, RST, PSH, URG, "
					      "ECE or CWR)"), name);
		}
		if (w->flags & bit)
			return err(p, fpos, _("flag %s is written twice"), name);
		w->flags |= bit;
		c->pos += n;
		skip_ws(c);
		if (at(c) == ']')
			break;
		if (at(c) != ',')
			return at(c) ? unexpected(p, c, _("in the flags; join flags with ','"))
				     : err(p, c->pos, _("missing ']' to close the flags"));
		c->pos++;
	}
	c->pos++; /* ']' */
	skip_ws(c);
	if (ident_is(c, "len")) {
		c->pos += 3;
		if (at(c) != '=')
			return err(p, c->pos, _("expected '=' after len, as in len=14"));
		c->pos++;
		size_t npos = c->pos;
		long long v;
		while (is_digit(at(c)))
			c->pos++;
		int r = span_number(c->s, npos, c->pos, &v);
		if (r == -1)
			return err(p, npos, _("expected a number of bytes after len="));
		if (r == -2 || v > 65535)
			return err(p, npos, _("a segment carries at most 65535 bytes, not %.*s"),
				   tok_len(npos, c->pos), c->s + npos);
		if (is_ident_char(at(c)))
			return unexpected(p, c, _("in the length"));
		w->has_len = 1;
		w->len = (long)v;
	}
	if (!at_eol(c))
		return unexpected(p, c, w->has_len ? _("after the length") : _("after the flags"));
	return 0;
}

/*
 * After "expect ACTOR": a word alone that is "blocked" or "free", or a slip of
 * one ("blokced"), makes expect ACTOR blocked|free; C is at that word (N bytes),
 * APOS at the actor's name.
 * 1 when it is one (ST filled, or an error given: *RC), 0 for expect ACTOR NAME STATE.
 */
static int parse_expect_side(struct parser *p, struct cur *c, struct sp_stmt *st, size_t n, size_t apos,
			     int *rc)
{
	struct cur k = *c;
	k.pos += n;
	if (!at_eol(&k))
		return 0;
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), c->s + c->pos);
	*rc = 0;
	if (strcmp(word, "blocked") == 0 || strcmp(word, "free") == 0) {
		st->kind = SP_ST_EXPECT_SIDE;
		st->side_blocked = word[0] == 'b';
		c->pos += n;
		/* a slip of a side's name would check a side that does not exist */
		int known = p->prompt;
		struct suggest sg;
		suggest_init(&sg, st->actor);
		for (int i = 0; i < p->nactors && !known; i++) {
			known = strcmp(p->actors[i], st->actor) == 0;
			suggest_try(&sg, p->actors[i]);
			if (!sg.best && same_letters(p->actors[i], st->actor))
				sg.best = p->actors[i];
		}
		if (!known && sg.best)
			*rc = err(p, apos, _("no side '%s' made a call before this line; did you mean '%s'?"),
				  st->actor, sg.best);
		return 1;
	}
	if (script_scope_has(p->scope, st->actor, word))
		return 0; /* a socket: its state is missing */
	struct suggest sg;
	suggest_init(&sg, word);
	suggest_try(&sg, "blocked");
	suggest_try(&sg, "free");
	if (!sg.best && strcmp(word, "busy") == 0)
		sg.best = "blocked";
	if (!sg.best)
		return 0;
	*rc = err(p, c->pos, _("unknown word '%s' after expect %s; did you mean '%s'? (expect ACTOR "
			       "blocked|free, or expect ACTOR NAME STATE)"), word, st->actor, sg.best);
	return 1;
}

/* The line of an expect wire, after "expect ". */
static void out_wire_want(struct text_buf *o, const struct sp_wire_want *w)
{
	char fl[64];
	text_buf_puts(o, w->negate ? "no wire" : "wire");
	if (w->from[0])
		text_buf_printf(o, " %s > %s", w->from, w->to);
	wire_flags_text((uint8_t)w->flags, fl, sizeof fl);
	text_buf_printf(o, " [%s]", fl);
	if (w->has_len)
		text_buf_printf(o, " len=%ld", w->len);
}

/* ---- poll() and select(): the sockets they watch ---------------------------------- */

/* One socket at C: a name defined for the actor, or a number. */
static int ready_sock(struct parser *p, struct cur *c, const struct sp_stmt *st, struct sp_ready_sock *rs)
{
	size_t a = c->pos, n = ident_len(c), b = a;
	long long v = 0;

	memset(rs, 0, sizeof *rs);
	rs->line = p->line;
	rs->col = (int)a + 1;
	if (n) {
		if (copy_name(p, c, a, n, rs->name) < 0)
			return -1;
		if (!script_scope_has(p->scope, st->actor, rs->name))
			return undefined(p, a, st->actor, rs->name);
		c->pos += n;
		return 0;
	}
	while (b < c->end && is_digit((unsigned char)c->s[b]))
		b++;
	if (b == a || (b < c->end && is_ident_char((unsigned char)c->s[b])))
		return at(c) ? unexpected(p, c, _("where a socket belongs")) : err(p, a, _("expected a socket"));
	if (span_number(c->s, a, b, &v) != 0 || v > INT_MAX)
		return err(p, a, _("a socket number must be 0 to %d"), INT_MAX);
	rs->fd = (int)v;
	c->pos = b;
	return 0;
}

static int ready_same(const struct sp_ready_sock *x, const struct sp_ready_sock *y)
{
	return x->name[0] || y->name[0] ? strcmp(x->name, y->name) == 0 : x->fd == y->fd;
}

/* "c" or "3", for messages. */
static const char *ready_label(const struct sp_ready_sock *rs, char buf[SP_NAME_MAX + 12])
{
	if (rs->name[0])
		snprintf(buf, SP_NAME_MAX + 12, "%s", rs->name);
	else
		snprintf(buf, SP_NAME_MAX + 12, "%d", rs->fd);
	return buf;
}

/* POLL* joined with '|' at C, up to END; ASK: events a poll() may ask for (not POLLERR ...). */
static int ready_events(struct parser *p, struct cur *c, int ask, int *out)
{
	int v = 0;
	for (;;) {
		skip_ws(c);
		size_t a = c->pos, n = ident_len(c);
		if (!n)
			return at(c) && at(c) != ',' && at(c) != ')'
				       ? unexpected(p, c, _("where a POLL... event belongs"))
				       : err(p, a, v ? _("expected an event after '|'")
						     : _("expected events after the socket, as in POLLIN or "
							 "POLLIN|POLLOUT"));
		char name[64];
		int asked = 0, e;
		snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c->s + a);
		e = n < 63 ? consts_poll_from_name(name, &asked) : 0;
		if (!e) {
			struct suggest sg;
			suggest_init(&sg, name);
			for (size_t k = 0; consts_poll_at(k); k++)
				suggest_try(&sg, consts_poll_at(k));
			if (sg.best)
				return err(p, a, _("unknown poll event '%s'; did you mean '%s'?"), name, sg.best);
			return err(p, a, _("unknown poll event '%s' (expected POLLIN, POLLOUT, POLLPRI or "
					   "POLLRDHUP)"), name);
		}
		if (ask && !asked)
			return err(p, a, _("%s is reported without being asked for; ask for POLLIN, POLLOUT, "
					   "POLLPRI or POLLRDHUP"), name);
		v |= e;
		c->pos += n;
		skip_ws(c);
		if (at(c) != '|')
			break;
		c->pos++;
	}
	*out = v;
	return 0;
}

/* "r:" or "w:" at C: the set, 0 when none is there. */
static int select_set(const struct cur *c)
{
	if (c->pos + 1 < c->end && c->s[c->pos + 1] == ':' && (c->s[c->pos] == 'r' || c->s[c->pos] == 'w'))
		return c->s[c->pos] == 'r' ? SP_SEL_READ : SP_SEL_WRITE;
	return 0;
}

/*
 * One entry of a list: poll "SOCK EVENTS"; select "r: SOCK SOCK ...". Adds to V
 * (at most SP_READY_MAX); ASK: the call's list (events asked), else its "( ... )".
 */
static int ready_entry(struct parser *p, struct cur *c, const struct sp_stmt *st, struct sp_ready_sock *v,
		       int *n, int ask)
{
	const char *name = call_name(st->call);
	if (st->call == SP_CALL_POLL) {
		struct sp_ready_sock rs;
		size_t a = c->pos;
		if (ready_sock(p, c, st, &rs) < 0)
			return -1;
		skip_ws(c);
		if (c->pos >= c->end || at(c) == ',' || at(c) == ')') {
			char b[SP_NAME_MAX + 12];
			return err(p, c->pos, ask ? _("poll() takes each socket with the events it waits for, "
						      "as in poll(%s POLLIN)")
						  : _("a ready socket is written with what poll() reported, "
						      "as in (%s POLLIN)"), ready_label(&rs, b));
		}
		if (ready_events(p, c, ask, &rs.events) < 0)
			return -1;
		for (int i = 0; i < *n; i++)
			if (ready_same(&v[i], &rs)) {
				char b[SP_NAME_MAX + 12];
				return err(p, a, _("%s is in this list twice; join its events with '|'"),
					   ready_label(&rs, b));
			}
		if (*n == SP_READY_MAX)
			return err(p, a, _("%s() watches at most %d sockets here"), name, SP_READY_MAX);
		v[(*n)++] = rs;
		return 0;
	}
	int set = select_set(c);
	if (!set) {
		size_t k = ident_len(c);
		if (k && c->pos + k < c->end && c->s[c->pos + k] == ':')
			return err(p, c->pos, _("select() takes the sets 'r:' (read) and 'w:' (write)"));
		return err(p, c->pos, _("write the set before the sockets, as in select(r: s c, w: c)"));
	}
	for (int i = 0; i < *n; i++)
		if (v[i].events == set)
			return err(p, c->pos, _("the %s set is written twice; list its sockets once"),
				   set == SP_SEL_READ ? "r:" : "w:");
	c->pos += 2;
	for (;;) {
		skip_ws(c);
		if (c->pos >= c->end || at(c) == ',' || at(c) == ')')
			return 0;
		struct sp_ready_sock rs;
		size_t a = c->pos;
		if (ready_sock(p, c, st, &rs) < 0)
			return -1;
		rs.events = set;
		for (int i = 0; i < *n; i++)
			if (v[i].events == set && ready_same(&v[i], &rs)) {
				char b[SP_NAME_MAX + 12];
				return err(p, a, _("%s is in this set twice"), ready_label(&rs, b));
			}
		if (*n == SP_READY_MAX)
			return err(p, a, _("%s() watches at most %d sockets here"), name, SP_READY_MAX);
		v[(*n)++] = rs;
		if (c->pos < c->end && at(c) != ' ' && at(c) != '\t' && at(c) != ',' && at(c) != ')')
			return unexpected(p, c, _("in a set; separate its sockets with spaces"));
	}
}

/* "( ... )" after a readiness call's result; C is at '('. */
static int ready_expect(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	struct sp_ready *r = st->ready;
	const char *name = call_name(st->call);
	size_t open = c->pos;

	c->pos++;
	r->expect = 1;
	skip_ws(c);
	while (at(c) != ')') {
		if (c->pos >= c->end || at(c) == '#')
			return err(p, c->pos, _("missing ')' to close the ready sockets"));
		if (ready_entry(p, c, st, r->exp, &r->nexp, 0) < 0)
			return -1;
		skip_ws(c);
		if (at(c) == ',') {
			c->pos++;
			skip_ws(c);
		} else if (at(c) != ')') {
			return c->pos >= c->end ? err(p, c->pos, _("missing ')' to close the ready sockets"))
						: unexpected(p, c, _("in the ready sockets"));
		}
	}
	c->pos++;
	/* each one must be watched (select: in that set), and poll() reports only what it may */
	for (int i = 0; i < r->nexp; i++) {
		const struct sp_ready_sock *e = &r->exp[i];
		int k = 0;
		char b[SP_NAME_MAX + 12];
		while (k < r->n && !(ready_same(&r->s[k], e) && (st->call == SP_CALL_POLL || r->s[k].events == e->events)))
			k++;
		if (k == r->n) {
			if (st->call == SP_CALL_POLL)
				return err(p, (size_t)e->col - 1, _("%s is not among the sockets this poll() watches"),
					   ready_label(e, b));
			return err(p, (size_t)e->col - 1, _("%s is not in the %s set of this select()"),
				   ready_label(e, b), e->events == SP_SEL_READ ? "r:" : "w:");
		}
		int may = r->s[k].events | POLLERR | POLLHUP | POLLNVAL;
		if (st->call == SP_CALL_POLL && (e->events & ~may)) {
			char ev[96];
			consts_poll_text(e->events & ~may, ev, sizeof ev);
			return err(p, (size_t)e->col - 1, _("poll() does not report %s for %s: it was not asked for"),
				   ev, ready_label(e, b));
		}
	}
	if (st->expect.ret == -1)
		return err(p, open, _("a call that fails reports no ready sockets"));
	if (st->expect.ret != r->nexp)
		return err(p, open, _("%s() = %lld says %lld sockets are ready, but %d are listed"), name,
			   st->expect.ret, st->expect.ret, r->nexp);
	return 0;
}

/*
 * What follows a call's ")": [<blocked>] [= EXPECTED [( READY )]] [<at once>];
 * the "( ... )" of the ready sockets only after poll() and select().
 */
static int parse_call_end(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	skip_ws(c);
	if (at(c) == '<' && parse_block_mark(p, c, st) < 0)
		return -1;
	skip_ws(c);
	if (at(c) == '=') {
		if (parse_expect(p, c, st) < 0)
			return -1;
		skip_ws(c);
		if (at(c) == '(' && call_has(st->call, CALL_F_READY) && ready_expect(p, c, st) < 0)
			return -1;
	}
	skip_ws(c);
	if (at(c) == '<' && parse_block_mark(p, c, st) < 0)
		return -1;
	if (!at_eol(c))
		return unexpected(p, c, _("after the call"));
	return 0;
}

/*
 * The arguments of poll() or select() in the line's [A, B) (within the
 * parentheses), then "= N ( ... )"; C is after ')'.
 */
static int parse_ready(struct parser *p, struct cur *c, struct sp_stmt *st, size_t a, size_t b)
{
	const char *name = call_name(st->call);
	struct cur in = { c->s, a, b };
	struct sp_ready *r = calloc(1, sizeof *r);
	if (!r)
		return err(p, a, _("out of memory"));
	st->ready = r;
	st->nargs = 1;
	for (;;) {
		skip_ws(&in);
		size_t x = in.pos;
		if (in.pos >= b)
			break;
		if (is_digit(at(&in)) || at(&in) == '-') {
			size_t y = x + 1;
			long long v = 0;
			while (y < b && (is_digit((unsigned char)in.s[y])))
				y++;
			if (y < b && is_ident_char((unsigned char)in.s[y])) {
				if (st->call == SP_CALL_SELECT)
					return err(p, x, _("write the set before the sockets, as in select(r: s c, w: c)"));
				in.pos = y;
				return unexpected(p, &in, _("in a socket number"));
			}
			int rn = span_number(in.s, x, y, &v);
			in.pos = y;
			skip_ws(&in);
			if (rn == 0 && st->call == SP_CALL_POLL && at(&in) != ',' && in.pos < b) {
				/* "3 POLLIN": a socket by number */
				in.pos = x;
			} else {
				if (rn != 0 || v < (st->call == SP_CALL_POLL ? -1 : 0) || v > INT_MAX)
					return err(p, x, st->call == SP_CALL_POLL
							 ? _("poll() takes a timeout of -1 (wait for ever) to %d ms")
							 : _("select() takes a timeout of 0 to %d ms; leave it out to wait "
							     "for ever"), INT_MAX);
				if (in.pos < b)
					return err(p, x, _("the timeout comes last in %s()"), name);
				st->args[1].kind = SP_ARG_INT;
				st->args[1].num = v;
				st->args[1].line = p->line;
				st->args[1].col = (int)x + 1;
				st->nargs = 2;
				break;
			}
		}
		if (ready_entry(p, &in, st, r->s, &r->n, 1) < 0)
			return -1;
		skip_ws(&in);
		if (in.pos >= b)
			break;
		if (at(&in) != ',')
			return unexpected(p, &in, st->call == SP_CALL_POLL
						  ? _("after the events; separate sockets with ','")
						  : _("in a set; separate its sockets with spaces"));
		in.pos++;
		skip_ws(&in);
		if (in.pos >= b)
			return err(p, in.pos, _("missing argument after ','"));
	}
	if (r->n == 0)
		return err(p, b, st->call == SP_CALL_POLL ? _("poll() takes at least one socket, as in poll(s POLLIN)")
							  : _("select() takes at least one socket, as in select(r: s)"));
	st->args[0].kind = SP_ARG_INT;
	st->args[0].line = p->line;
	st->args[0].col = (int)a + 1;
	call_fill_defaults(st);
	return parse_call_end(p, c, st);
}

/* ACTOR: [NAME =] CALL(ARGS) [= EXPECTED]; C is at ':' after the actor. */
static int parse_call(struct parser *p, struct cur *c, struct sp_stmt *st, size_t apos, size_t alen)
{
	size_t spans[SP_MAX_ARGS][2];
	int nargs = 0;

	if (copy_name(p, c, apos, alen, st->actor) < 0)
		return -1;
	st->kind = SP_ST_CALL;
	if (!p->prompt) {
		int known = 0;
		for (int i = 0; i < p->nactors; i++)
			known |= strcmp(p->actors[i], st->actor) == 0;
		if (!known && p->nactors == SP_ACTORS_MAX)
			return err(p, apos, _("too many actors: a script has at most %d, server and "
				   "client included"), SP_ACTORS_MAX);
		if (!known)
			memcpy(p->actors[p->nactors++], st->actor, sizeof st->actor);
	}
	c->pos++; /* ':' */
	skip_ws(c);
	size_t cpos = c->pos, n = ident_len(c);
	if (n == 0)
		return at_eol(c) ? err(p, c->pos, _("expected a call after '%s:'"), st->actor)
				 : unexpected(p, c, _("where a call belongs"));
	c->pos += n;
	skip_ws(c);
	size_t apos2 = cpos, pos2 = 0;
	if (at(c) == ',') { /* "a, b = socketpair(...)": two names take the two sockets */
		struct cur m = *c;
		m.pos++;
		skip_ws(&m);
		size_t n2 = ident_len(&m);
		pos2 = m.pos;
		m.pos += n2;
		skip_ws(&m);
		if (n2 && at(&m) == '=') {
			if (copy_name(p, &m, pos2, n2, st->assign2) < 0)
				return -1;
			c->pos = m.pos;
		}
	}
	if (at(c) == '=') {
		if (copy_name(p, c, cpos, n, st->assign) < 0)
			return -1;
		c->pos++;
		skip_ws(c);
		cpos = c->pos;
		n = ident_len(c);
		if (n == 0)
			return at_eol(c) ? err(p, c->pos, _("expected a call after '%s ='"), st->assign)
					 : unexpected(p, c, _("where a call belongs"));
		c->pos += n;
		skip_ws(c);
	}
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), c->s + cpos);
	st->call = n < 63 ? call_from_name(name) : SP_CALL_NONE;
	if (st->call == SP_CALL_NONE) {
		/* what someone who knows Python's socket module types first */
		if (at(c) == '.') {
			struct cur m = *c;
			m.pos++;
			size_t mn = ident_len(&m);
			char meth[64];
			snprintf(meth, sizeof meth, "%.*s", (int)(mn < 63 ? mn : 63), m.s + m.pos);
			if (mn && mn < 63 && call_from_name(meth) != SP_CALL_NONE)
				return err(p, cpos, _("'%s.%s()' is Python; here the socket is the first "
						      "argument: %s(%s, ...)"), name, meth, meth, name);
		}
		if (at(c) == ',')
			return err(p, cpos, _("one name takes the result here: 'conn = accept(s)' (the "
					      "peer's address is shown with it)"));
		static const char *const alias[][2] = {
			{ "receive", "recv" }, { "recieve", "recv" }, { "read", "recv" },
			{ "sendall", "send" }, { "write", "send" }, { "setblocking", "nonblock" },
		};
		for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
			if (strcmp(name, alias[i][0]) == 0)
				return err(p, cpos, _("unknown call '%s'; did you mean '%s'?"), name,
					   alias[i][1]);
		struct suggest sg;
		suggest_init(&sg, name);
		for (int k = SP_CALL_NONE + 1; k < SP_CALL_COUNT; k++)
			suggest_try(&sg, call_name((enum sp_call)k));
		if (sg.best)
			return err(p, cpos, _("unknown call '%s'; did you mean '%s'?"), name, sg.best);
		return err(p, cpos, _("unknown call '%s'"), name);
	}
	if (st->assign2[0] && st->call == SP_CALL_ACCEPT)
		return err(p, apos2, _("one name takes the result here: 'conn = accept(s)' (the "
				       "peer's address is shown with it)"));
	if (st->assign2[0] && !call_has(st->call, CALL_F_PAIR))
		return err(p, apos2, _("only socketpair() returns two sockets to name: "
				       "'a, b = socketpair(AF_UNIX, SOCK_STREAM)'"));
	if (st->assign2[0] && strcmp(st->assign, st->assign2) == 0)
		return err(p, pos2, _("the two sockets of socketpair() need two different names"));
	if (st->assign[0] && !st->assign2[0] && call_has(st->call, CALL_F_PAIR))
		return err(p, apos2, _("%s() returns two sockets: name both, as in "
				       "'a, b = socketpair(AF_UNIX, SOCK_STREAM)'"), name);
	if (st->assign[0] && !st->assign2[0] && st->call != SP_CALL_SOCKET && st->call != SP_CALL_ACCEPT)
		return err(p, apos2, _("only socket() and accept() return a socket to name"));
	if (at(c) != '(')
		return err(p, c->pos, _("expected '(' after '%s'"), name);
	c->pos++;
	size_t lpar = c->pos; /* poll() and select() read their list themselves */

	/* Split the arguments at top-level commas, minding strings and parentheses. */
	size_t a = c->pos;
	int depth = 0, count = 0;
	size_t extra = 0;
	for (;;) {
		int ch = at(c);
		if (ch == 0 || (ch == '#' && depth == 0))
			return err(p, c->pos, _("missing ')' to close '%s('"), name);
		if (ch == '"') {
			size_t q = c->pos++;
			while (c->pos < c->end && c->s[c->pos] != '"')
				c->pos += (c->s[c->pos] == '\\' && c->pos + 1 < c->end) ? 2 : 1;
			if (c->pos >= c->end)
				return err(p, q, _("unterminated string"));
			c->pos++;
			continue;
		}
		if (ch == '(') {
			depth++;
		} else if (ch == ')' && depth > 0) {
			depth--;
		} else if ((ch == ',' || ch == ')') && depth == 0) {
			size_t x = a, y = c->pos;
			while (x < y && (c->s[x] == ' ' || c->s[x] == '\t'))
				x++;
			while (y > x && (c->s[y - 1] == ' ' || c->s[y - 1] == '\t'))
				y--;
			if (ch == ')' && count == 0 && x == y)
				break; /* f() */
			if (x == y)
				return err(p, x, _("missing argument %d"), count + 1);
			if (count < SP_MAX_ARGS) {
				spans[count][0] = x;
				spans[count][1] = y;
			} else if (count == SP_MAX_ARGS) {
				extra = x;
			}
			count++;
			if (ch == ')')
				break;
			a = c->pos + 1;
		}
		c->pos++;
	}
	size_t close = c->pos++;
	if (call_has(st->call, CALL_F_READY))
		return parse_ready(p, c, st, lpar, close);
	int lo = call_min_args(st->call), hi = call_max_args(st->call);
	if (count < lo || count > hi) {
		size_t where = count > hi ? (count > SP_MAX_ARGS ? extra : spans[hi][0]) : close;
		if (lo == hi)
			return err(p, where, ngettext("%s() takes %d argument, got %d",
						      "%s() takes %d arguments, got %d", (unsigned long)lo),
				   name, lo, count);
		return err(p, where, _("%s() takes %d to %d arguments, got %d"), name, lo, hi, count);
	}
	st->nargs = count;
	for (nargs = 0; nargs < count; nargs++)
		if (parse_arg(p, c, st, nargs, spans[nargs][0], spans[nargs][1]) < 0)
			return -1;
	call_fill_defaults(st);

	if (st->call == SP_CALL_SETSOCKOPT) {
		const struct sp_opt *o = consts_opt_at((size_t)st->args[1].num);
		if (!o->settable)
			return err(p, spans[1][0], _("%s is read-only; read it with getsockopt()"), o->name);
		if (o->kind == SP_OPT_LINGER && count != 4)
			return err(p, close, _("SO_LINGER takes two values: on (0 or 1) and seconds, "
				   "as in setsockopt(s, SO_LINGER, 1, 0)"));
		if (o->kind != SP_OPT_LINGER && count != 3)
			return err(p, spans[3][0], _("%s takes one value, got 2"), o->name);
	}
	if (st->call == SP_CALL_IOCTL) {
		int takes = call_ioctl_takes_value((int)st->args[1].num);
		if (takes && count != 3)
			return err(p, close, _("%s takes a value: 1 sets nonblocking mode, 0 clears it, as in "
					       "ioctl(s, FIONBIO, 1)"), st->args[1].name);
		if (!takes && count != 2)
			return err(p, spans[2][0], _("%s takes no value: it reports one, as in ioctl(s, %s) = 0 "
						     "(value 3)"), st->args[1].name, st->args[1].name);
	}

	return parse_call_end(p, c, st);
}

/* sleep 500ms | 1.5s | 200 (ms); C is after "sleep". */
static int parse_sleep(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	size_t npos, ipos;
	long long ip = 0, frac = 0;
	int fdigits = 0;

	skip_ws(c);
	npos = c->pos;
	if (!is_digit(at(c)))
		return at_eol(c) ? err(p, c->pos, _("sleep takes a duration, as in sleep 500ms"))
				 : unexpected(p, c, _("; sleep takes a duration, as in sleep 500ms"));
	for (; is_digit(at(c)); c->pos++)
		ip = ip > 1000000000 ? ip : ip * 10 + (at(c) - '0');
	if (at(c) == '.') {
		c->pos++;
		if (!is_digit(at(c)))
			return err(p, c->pos, _("expected digits after '.'"));
		for (; is_digit(at(c)); c->pos++, fdigits++)
			if (fdigits < 3)
				frac = frac * 10 + (at(c) - '0');
			else if (at(c) != '0')
				return err(p, c->pos, _("sleep counts whole milliseconds"));
	}
	skip_ws(c);
	ipos = c->pos;
	size_t n = ident_len(c);
	long ms;
	if (n == 2 && memcmp(c->s + ipos, "ms", 2) == 0) {
		if (fdigits && frac)
			return err(p, npos, _("sleep counts whole milliseconds"));
		ms = ip > 1000000000 ? LONG_MAX : (long)ip;
	} else if (n == 1 && c->s[ipos] == 's') {
		while (fdigits < 3)
			frac *= 10, fdigits++;
		ms = ip > 1000000 ? LONG_MAX : (long)(ip * 1000 + frac);
	} else if (n == 0) {
		if (fdigits && frac)
			return err(p, npos, _("sleep counts whole milliseconds; write 1.5s, not 1.5"));
		ms = ip > 1000000000 ? LONG_MAX : (long)ip;
	} else {
		return err(p, ipos, _("unknown unit '%.*s' (use ms or s)"), tok_len(ipos, ipos + n),
			   c->s + ipos);
	}
	c->pos += n;
	if (ms > SLEEP_MAX_MS)
		return err(p, npos, _("sleep of %.*s is longer than the limit of 60 s"),
			   tok_len(npos, c->pos), c->s + npos);
	if (!at_eol(c))
		return unexpected(p, c, _("after the duration"));
	st->kind = SP_ST_SLEEP;
	st->sleep_ms = ms;
	return 0;
}

/* expect ACTOR NAME STATE */
static int parse_expect_state(struct parser *p, struct cur *c, struct sp_stmt *st)
{
	const char *usage = _("expect takes ACTOR NAME STATE, as in expect server conn CLOSE_WAIT");
	size_t n, npos;
	char state[64];

	st->kind = SP_ST_EXPECT;
	skip_ws(c);
	if (expect_is_wire(c))
		return parse_expect_wire(p, c, st);
	if (!(n = ident_len(c)))
		return err(p, c->pos, "%s", usage);
	size_t apos = c->pos;
	if (copy_name(p, c, c->pos, n, st->actor) < 0)
		return -1;
	c->pos += n;
	skip_ws(c);
	npos = c->pos;
	/* a descriptor number: a program's (--run) sockets have no names; the session looks it up */
	size_t digits = 0;
	while (c->pos + digits < c->end && c->s[c->pos + digits] >= '0' && c->s[c->pos + digits] <= '9')
		digits++;
	if (digits && digits < 8 && c->pos + digits < c->end &&
	    (c->s[c->pos + digits] == ' ' || c->s[c->pos + digits] == '\t')) {
		snprintf(st->name, sizeof st->name, "%.*s", (int)digits, c->s + c->pos);
		c->pos += digits;
	} else {
		int side_rc;
		if (!(n = ident_len(c)))
			return err(p, c->pos, "%s", usage);
		if (parse_expect_side(p, c, st, n, apos, &side_rc))
			return side_rc;
		if (copy_name(p, c, c->pos, n, st->name) < 0)
			return -1;
		c->pos += n;
		if (!script_scope_has(p->scope, st->actor, st->name))
			return undefined(p, npos, st->actor, st->name);
	}
	skip_ws(c);
	npos = c->pos;
	if (!(n = ident_len(c)))
		return err(p, c->pos, "%s", usage);
	snprintf(state, sizeof state, "%.*s", (int)(n < 63 ? n : 63), c->s + npos);
	st->state = consts_tcp_state_from_name(state);
	if (st->state < 0) {
		struct suggest sg;
		suggest_init(&sg, state);
		for (int k = 1; k <= 11; k++)
			suggest_try(&sg, consts_tcp_state_name(k));
		if (sg.best)
			return err(p, npos, _("unknown TCP state '%s'; did you mean '%s'?"), state, sg.best);
		return err(p, npos, _("unknown TCP state '%s'"), state);
	}
	c->pos += n;
	if (!at_eol(c))
		return unexpected(p, c, _("after the state"));
	return 0;
}

enum parsed { P_ERR = -1, P_NONE, P_STMT, P_END };

/* One statement from the current line into ST (whose source is set). */
static enum parsed parse_stmt(struct parser *p, struct sp_stmt *st)
{
	struct cur c = { p->src, 0, strlen(p->src) };
	size_t start, n;
	char word[64];

	skip_ws(&c);
	if (c.pos >= c.end || at(&c) == '#')
		return P_NONE;
	start = c.pos;
	st->line = p->line;
	st->col = (int)start + 1;
	n = ident_len(&c);
	if (n == 0)
		return (enum parsed)unexpected(p, &c, _("at the start of a statement"));
	snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), c.s + start);
	c.pos += n;
	skip_ws(&c);
	if (at(&c) == ':')
		return parse_call(p, &c, st, start, n) < 0 ? P_ERR : P_STMT;

	if (strcmp(word, "title") == 0 || strcmp(word, "say") == 0) {
		size_t len;
		unsigned char *text;
		st->kind = word[0] == 't' ? SP_ST_TITLE : SP_ST_SAY;
		if (at(&c) != '"')
			return (enum parsed)err(p, c.pos, _("%s takes a \"string\""), word);
		if (lex_string(p, &c, &text, &len, 1) < 0)
			return P_ERR;
		st->text = (char *)text;
		if (!at_eol(&c))
			return (enum parsed)unexpected(p, &c, _("after the string"));
		return P_STMT;
	}
	if (strcmp(word, "pause") == 0 || strcmp(word, "end") == 0) {
		if (!at_eol(&c))
			return (enum parsed)unexpected(p, &c, word[0] == 'p' ? _("after pause") : _("after end"));
		if (word[0] == 'p') {
			st->kind = SP_ST_PAUSE;
			return P_STMT;
		}
		if (p->prompt)
			return (enum parsed)err(p, start, _("repeat ... end only works in a script file"));
		return P_END;
	}
	if (strcmp(word, "sleep") == 0)
		return parse_sleep(p, &c, st) < 0 ? P_ERR : P_STMT;
	if (strcmp(word, "expect") == 0)
		return parse_expect_state(p, &c, st) < 0 ? P_ERR : P_STMT;
	if (strcmp(word, "repeat") == 0) {
		size_t npos = c.pos;
		long long v;
		if (p->prompt)
			return (enum parsed)err(p, start, _("repeat ... end only works in a script file"));
		st->kind = SP_ST_REPEAT; /* even when wrong, its "end" still closes it */
		st->repeat = 0;
		if (at(&c) == '-')
			c.pos++;
		while (is_digit(at(&c)))
			c.pos++;
		int r = span_number(c.s, npos, c.pos, &v);
		if (r == -1)
			return (enum parsed)err(p, npos, _("repeat takes a count, as in repeat 10"));
		if (r == -2 || v < 1 || v > SP_REPEAT_MAX)
			return (enum parsed)err(p, npos, _("repeat count must be 1 to %d"), SP_REPEAT_MAX);
		if (!at_eol(&c))
			return (enum parsed)unexpected(p, &c, _("after the count"));
		st->repeat = (long)v;
		return P_STMT;
	}

	/* Not a statement: say what was probably meant. */
	if (at(&c) == '=')
		return (enum parsed)err(p, start, _("a call needs an actor, as in 'server: %s = "
					"socket(...)'"), word);
	if (at(&c) == '(' || call_from_name(word) != SP_CALL_NONE)
		return (enum parsed)err(p, start, _("a call needs an actor, as in 'server: %s(...)'"),
					word);
	if (ident_len(&c))
		return (enum parsed)err(p, c.pos, _("missing ':' after actor '%s'"), word);
	struct suggest sg;
	suggest_init(&sg, word);
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
		suggest_try(&sg, keywords[k]);
	if (sg.best)
		return (enum parsed)err(p, start, _("unknown statement '%s'; did you mean '%s'?"), word,
					sg.best);
	return (enum parsed)err(p, start, _("unknown statement '%s'; expected 'ACTOR: call(...)' or "
				"title, say, pause, sleep, repeat, end, expect"), word);
}

/* ------------------------------------------------------------ statements */

void script_stmt_clear(struct sp_stmt *st)
{
	if (!st)
		return;
	free(st->source);
	free(st->text);
	for (int i = 0; i < SP_MAX_ARGS; i++) {
		free(st->args[i].addr.text);
		free(st->args[i].data.unit);
	}
	free(st->expect.data.unit);
	free(st->ready);
	for (size_t i = 0; i < st->nbody; i++)
		script_stmt_clear(&st->body[i]);
	free(st->body);
	memset(st, 0, sizeof *st);
}

static void stmts_free(struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		script_stmt_clear(&v[i]);
	free(v);
}

void script_free(struct sp_script *script)
{
	if (!script)
		return;
	stmts_free(script->stmts, script->n);
	free(script->file);
	free(script->title);
	free(script);
}

struct block {
	struct sp_stmt *v;
	size_t n, cap;
	struct sp_stmt head; /* the repeat statement that opened the block */
};

static int block_push(struct block *b, struct sp_stmt *st)
{
	struct sp_stmt *v = grow_array(b->v, b->n, &b->cap, sizeof *v, 16);
	if (!v)
		return -1;
	b->v = v;
	b->v[b->n++] = *st;
	memset(st, 0, sizeof *st);
	return 0;
}

static size_t count_steps(const struct sp_stmt *v, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 1;
		if (v[i].kind == SP_ST_REPEAT) {
			size_t inner = count_steps(v[i].body, v[i].nbody);
			size_t r = v[i].repeat > 0 ? (size_t)v[i].repeat : 0;
			k = (inner && r > STEPS_CAP / inner) ? STEPS_CAP : inner * r;
		}
		total = total > STEPS_CAP - k ? STEPS_CAP : total + k;
	}
	return total;
}

/* Check a line for NUL bytes and invalid UTF-8; report with a printable copy. */
static int line_valid(struct parser *p, const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);
	size_t bad = utf8_check((const unsigned char *)s, len);
	if (!nul && bad == len)
		return 1;
	char *copy = malloc(len + 1);
	if (copy) {
		for (size_t i = 0; i < len; i++)
			copy[i] = s[i] ? s[i] : '?';
		copy[len] = '\0';
	}
	if (nul && (size_t)(nul - s) <= bad)
		diags_add(p->diags, p->line, (int)(nul - s) + 1, copy ? copy : "",
			  _("NUL byte in the script"));
	else
		diags_add(p->diags, p->line, (int)bad + 1, copy ? copy : "",
			  _("invalid UTF-8 byte 0x%02x"), (unsigned char)s[bad]);
	free(copy);
	return 0;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct sp_diag *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->col > y->col) - (x->col < y->col);
}

int script_parse(const char *file, const char *text, size_t len,
		 struct sp_script **out, struct sp_diags *diags)
{
	struct parser p;
	struct block stack[SP_REPEAT_NEST + 1];
	int depth = 0, too_deep = 0; /* too_deep: repeats past the limit, awaiting their end */
	size_t before = diags->n, pos = 0;
	struct sp_script *sc = NULL;
	char *title = NULL;

	memset(&p, 0, sizeof p);
	memset(stack, 0, sizeof stack);
	p.diags = diags;
	p.scope = script_scope_new();
	strcpy(p.actors[0], "server");
	strcpy(p.actors[1], "client");
	p.nactors = 2;
	if (!p.scope) {
		diags_add(diags, 0, 0, NULL, _("out of memory"));
		return -1;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3; /* a byte-order mark */

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) : len - pos;
		pos += ll + (nl != NULL);
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		p.line++;
		if (p.line == INT_MAX)
			break;
		if (!line_valid(&p, s, ll))
			continue;
		char *line = strndup(s, ll);
		struct sp_stmt st;
		memset(&st, 0, sizeof st);
		if (!line) {
			diags_add(diags, p.line, 1, "", _("out of memory"));
			break;
		}
		p.src = line;
		st.source = line;
		enum parsed r = parse_stmt(&p, &st);
		if (st.kind == SP_ST_CALL && st.assign[0] && st.actor[0] &&
		    scope_add(p.scope, st.actor, st.assign) < 0)
			r = (enum parsed)err(&p, 0, _("out of memory"));
		if (st.kind == SP_ST_CALL && st.assign2[0] && st.actor[0] &&
		    scope_add(p.scope, st.actor, st.assign2) < 0)
			r = (enum parsed)err(&p, 0, _("out of memory"));
		if (r == P_ERR && st.kind == SP_ST_REPEAT && !p.prompt)
			r = P_STMT; /* reported already; keep the block so its end matches */
		if (r == P_NONE || r == P_ERR) {
			script_stmt_clear(&st);
		} else if (r == P_END) {
			if (too_deep > 0) {
				too_deep--;
			} else if (depth == 0) {
				err(&p, (size_t)st.col - 1, _("'end' without 'repeat'"));
			} else {
				struct block *b = &stack[depth--];
				struct sp_stmt head = b->head;
				if (b->n == 0 && head.repeat > 0)
					diags_add(diags, head.line, head.col, head.source,
						  _("empty repeat block"));
				head.body = b->v;
				head.nbody = b->n;
				memset(b, 0, sizeof *b);
				if (block_push(&stack[depth], &head) < 0) {
					script_stmt_clear(&head);
					err(&p, 0, _("out of memory"));
				}
			}
			script_stmt_clear(&st);
		} else if (st.kind == SP_ST_REPEAT) {
			if (depth == SP_REPEAT_NEST) {
				if (too_deep++ == 0)
					err(&p, (size_t)st.col - 1, _("repeat blocks nest at most %d deep"),
					    SP_REPEAT_NEST);
				script_stmt_clear(&st);
			} else {
				stack[++depth].head = st;
			}
		} else {
			if (st.kind == SP_ST_TITLE && !title)
				title = strdup(st.text);
			if (block_push(&stack[depth], &st) < 0) {
				script_stmt_clear(&st);
				err(&p, 0, _("out of memory"));
			}
		}
	}
	while (depth > 0) {
		struct block *b = &stack[depth--];
		diags_add(diags, b->head.line, b->head.col, b->head.source,
			  _("'repeat' without 'end'"));
		script_stmt_clear(&b->head);
		stmts_free(b->v, b->n);
	}
	script_scope_free(p.scope);
	if (diags->n == before && !diags->truncated && stack[0].n == 0)
		diags_add(diags, 0, 0, NULL, _("empty script: nothing to run"));
	if (diags->n > before || diags->truncated) {
		qsort(diags->v + before, diags->n - before, sizeof *diags->v, diag_cmp);
		stmts_free(stack[0].v, stack[0].n);
		free(title);
		return -1;
	}
	sc = calloc(1, sizeof *sc);
	if (!sc || !(sc->file = strdup(file ? file : "<input>"))) {
		free(sc);
		stmts_free(stack[0].v, stack[0].n);
		free(title);
		diags_add(diags, 0, 0, NULL, _("out of memory"));
		return -1;
	}
	safe_text(sc->file); /* for messages: a file name may hold anything */
	sc->title = title;
	sc->stmts = stack[0].v;
	sc->n = stack[0].n;
	sc->nsteps = count_steps(sc->stmts, sc->n);
	*out = sc;
	return 0;
}

int script_load(const char *file, struct sp_script **out, struct sp_diags *diags)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0) {
		diags_add(diags, 0, 0, NULL, _("cannot read '%s': %s"), file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		diags_add(diags, 0, 0, NULL, _("cannot read '%s': %s"), file, strerror(EISDIR));
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64 * 1024;
			if (cap > FILE_MAX + 1)
				cap = FILE_MAX + 1;
			if (len == cap) {
				diags_add(diags, 0, 0, NULL, _("cannot read '%s': larger than %u MiB"), file,
					  FILE_MAX >> 20);
				goto fail;
			}
			char *nb = realloc(buf, cap);
			if (!nb) {
				diags_add(diags, 0, 0, NULL, _("cannot read '%s': %s"), file, strerror(ENOMEM));
				goto fail;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diags_add(diags, 0, 0, NULL, _("cannot read '%s': %s"), file, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	int rc = script_parse(file, buf ? buf : "", len, out, diags);
	free(buf);
	return rc;
fail:
	close(fd);
	free(buf);
	return -1;
}

int script_parse_line(const char *text, struct sp_scope *scope, struct sp_stmt *out,
		      struct sp_diag *diag)
{
	struct sp_diags ds = { 0 };
	struct parser p;
	struct sp_scope *own = NULL;
	size_t len = strlen(text);
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(diag, 0, sizeof *diag);
	memset(&p, 0, sizeof p);
	if (!scope && !(scope = own = script_scope_new())) {
		snprintf(diag->msg, sizeof diag->msg, "%s", _("out of memory"));
		return -1;
	}
	p.diags = &ds;
	p.scope = scope;
	p.prompt = 1;
	p.line = 1;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	const char *nl = memchr(text, '\n', len);
	char *line = strndup(text, len);
	if (!line) {
		snprintf(diag->msg, sizeof diag->msg, "%s", _("out of memory"));
		goto done;
	}
	p.src = line;
	if (nl) {
		err(&p, (size_t)(nl - text), _("one statement at a time"));
		free(line);
	} else if (line_valid(&p, line, len)) {
		out->source = line;
		enum parsed r = parse_stmt(&p, out);
		if (r == P_NONE)
			err(&p, 0, _("empty statement"));
		if (r == P_STMT) {
			if (out->kind == SP_ST_CALL && ((out->assign[0] &&
			    scope_add(scope, out->actor, out->assign) < 0) || (out->assign2[0] &&
			    scope_add(scope, out->actor, out->assign2) < 0)))
				err(&p, 0, _("out of memory"));
			else
				rc = 0;
		}
		if (rc < 0)
			script_stmt_clear(out);
	} else {
		free(line);
	}
	if (rc < 0 && ds.n > 0)
		*diag = ds.v[0];
done:
	script_diags_clear(&ds);
	script_scope_free(own);
	return rc;
}

/* --------------------------------------------------------------- formatter */

/* A quoted string: printable ASCII as is, escapes for the rest; TEXT keeps UTF-8. */
static void out_quoted(struct text_buf *o, const unsigned char *s, size_t n, int text)
{
	text_buf_puts(o, "\"");
	for (size_t i = 0; i < n;) {
		unsigned char ch = s[i];
		uint32_t cp;
		size_t k;
		if (ch == '\\' || ch == '"') {
			char e[3] = { '\\', (char)ch, 0 };
			text_buf_puts(o, e);
		} else if (ch == '\n') {
			text_buf_puts(o, "\\n");
		} else if (ch == '\r') {
			text_buf_puts(o, "\\r");
		} else if (ch == '\t') {
			text_buf_puts(o, "\\t");
		} else if (ch >= 0x20 && ch < 0x7f) {
			text_buf_put(o, (const char *)&ch, 1);
		} else if (text && ch >= 0x80 && (k = utf8_seq(s + i, n - i, &cp)) && !text_cp_unsafe(cp)) {
			text_buf_put(o, (const char *)s + i, k);
			i += k;
			continue;
		} else {
			text_buf_printf(o, "\\x%02x", ch);
		}
		i++;
	}
	text_buf_puts(o, "\"");
}

static void out_data(struct text_buf *o, const struct sp_data *d)
{
	out_quoted(o, d->unit, d->unit_len, 0);
	if (d->count > 1)
		text_buf_printf(o, " * %llu", (unsigned long long)d->count);
}

static void out_addr(struct text_buf *o, const struct sp_addr *a)
{
	char b[INET6_ADDRSTRLEN];
	if (a->text) {
		text_buf_puts(o, a->text);
		return;
	}
	switch (a->kind) {
	case SP_ADDR_IP:
		if (a->has_v4)
			text_buf_printf(o, "%s:%u", inet_ntop(AF_INET, &a->v4, b, sizeof b), a->port);
		else
			text_buf_printf(o, "[%s]:%u", inet_ntop(AF_INET6, &a->v6, b, sizeof b), a->port);
		break;
	case SP_ADDR_ANY:
		text_buf_printf(o, "*:%u", a->port);
		break;
	case SP_ADDR_UNIX:
		if (a->abstract)
			text_buf_puts(o, "@");
		text_buf_puts(o, a->path);
		break;
	case SP_ADDR_OF:
		if (a->actor[0]) {
			text_buf_puts(o, a->actor);
			text_buf_puts(o, ".");
		}
		text_buf_puts(o, "addr(");
		text_buf_puts(o, a->name);
		text_buf_puts(o, ")");
		break;
	case SP_ADDR_UNSPEC:
		text_buf_puts(o, "AF_UNSPEC");
		break;
	}
}

/* A readiness list: poll "c POLLIN, s POLLOUT"; select "r: s c, w: c" (sets in that order, empty ones left out). */
static void out_ready_list(struct text_buf *o, enum sp_call call, const struct sp_ready_sock *v, int n)
{
	int first = 1;
	if (call == SP_CALL_POLL) {
		for (int i = 0; i < n; i++) {
			char ev[96];
			consts_poll_text(v[i].events, ev, sizeof ev);
			if (v[i].name[0])
				text_buf_printf(o, "%s%s %s", first ? "" : ", ", v[i].name, ev);
			else
				text_buf_printf(o, "%s%d %s", first ? "" : ", ", v[i].fd, ev);
			first = 0;
		}
		return;
	}
	for (int set = SP_SEL_READ; set <= SP_SEL_WRITE; set++) {
		int any = 0;
		for (int i = 0; i < n; i++) {
			if (v[i].events != set)
				continue;
			if (!any)
				text_buf_printf(o, "%s%s", first ? "" : ", ", set == SP_SEL_READ ? "r:" : "w:");
			if (v[i].name[0])
				text_buf_printf(o, " %s", v[i].name);
			else
				text_buf_printf(o, " %d", v[i].fd);
			any = 1;
			first = 0;
		}
	}
}

static void out_arg(struct text_buf *o, const struct sp_stmt *st, int i)
{
	if (st->ready && call_info(st->call) && call_info(st->call)->args[i].sh == CALL_SH_READY) {
		out_ready_list(o, st->call, st->ready->s, st->ready->n);
		return;
	}
	const struct sp_arg *a = &st->args[i];
	enum call_shape sh = call_info(st->call) ? call_info(st->call)->args[i].sh : CALL_SH_NONE;
	switch (a->kind) {
	case SP_ARG_SOCK:
		if (a->name[0])
			text_buf_puts(o, a->name);
		else
			text_buf_printf(o, "%lld", a->num);
		break;
	case SP_ARG_INT:
		text_buf_printf(o, "%lld", a->num);
		break;
	case SP_ARG_CONST: {
		const char *name = a->name[0] ? a->name : NULL;
		if (!name && sh == CALL_SH_OPT && a->num >= 0 && consts_opt_at((size_t)a->num))
			name = consts_opt_at((size_t)a->num)->name;
		if (!name && shape_kind(sh))
			name = consts_name((enum sp_const_kind)shape_kind(sh), (int)a->num);
		if (name)
			text_buf_puts(o, name);
		else
			text_buf_printf(o, "%lld", a->num);
		break;
	}
	case SP_ARG_FLAGS: {
		long long left = a->num;
		size_t n;
		const struct sp_const *all = consts_all(&n);
		int first = 1;
		if (left == 0) {
			text_buf_puts(o, "0");
			break;
		}
		for (size_t k = 0; k < n; k++) {
			if (all[k].kind != SP_K_MSG || !all[k].value || (left & all[k].value) != all[k].value)
				continue;
			text_buf_printf(o, "%s%s", first ? "" : "|", all[k].name);
			left &= ~(long long)all[k].value;
			first = 0;
		}
		if (left)
			text_buf_printf(o, "%s%lld", first ? "" : "|", left);
		break;
	}
	case SP_ARG_ADDR:
		out_addr(o, &a->addr);
		break;
	case SP_ARG_DATA:
		out_data(o, &a->data);
		break;
	}
}

int script_stmt_format(const struct sp_stmt *st, char *buf, size_t size)
{
	struct text_buf o = { buf, size, 0 };
	if (size > 0)
		buf[0] = '\0';
	switch (st->kind) {
	case SP_ST_CALL: {
		const char *name = call_name(st->call);
		text_buf_printf(&o, "%s: ", st->actor);
		if (st->assign[0] && st->assign2[0])
			text_buf_printf(&o, "%s, %s = ", st->assign, st->assign2);
		else if (st->assign[0])
			text_buf_printf(&o, "%s = ", st->assign);
		text_buf_puts(&o, name ? name : "?");
		text_buf_puts(&o, "(");
		for (int i = 0; i < st->nargs && i < SP_MAX_ARGS; i++) {
			if (i)
				text_buf_puts(&o, ", ");
			out_arg(&o, st, i);
		}
		text_buf_puts(&o, ")");
		if (st->blocking == SP_BLOCK_BLOCKED)
			text_buf_puts(&o, " <blocked>");
		if (st->expect.present) {
			const char *en = consts_errno_name(st->expect.err);
			text_buf_printf(&o, " = %lld", st->expect.ret);
			if (st->expect.ret == -1 && !st->expect.any_error && en)
				text_buf_printf(&o, " %s", en);
			if (st->expect.has_data) {
				text_buf_puts(&o, " ");
				out_data(&o, &st->expect.data);
			}
			if (st->expect.has_value)
				text_buf_printf(&o, " (value %s)", st->expect.value_text);
			if (st->ready && st->ready->expect) {
				text_buf_puts(&o, " (");
				out_ready_list(&o, st->call, st->ready->exp, st->ready->nexp);
				text_buf_puts(&o, ")");
			}
		}
		if (st->blocking == SP_BLOCK_AT_ONCE)
			text_buf_puts(&o, " <at once>");
		break;
	}
	case SP_ST_EXPECT: {
		const char *state = consts_tcp_state_name(st->state);
		text_buf_printf(&o, "expect %s %s %s", st->actor, st->name, state ? state : "CLOSED");
		break;
	}
	case SP_ST_TITLE:
	case SP_ST_SAY:
		text_buf_puts(&o, st->kind == SP_ST_TITLE ? "title " : "say ");
		out_quoted(&o, (const unsigned char *)(st->text ? st->text : ""),
			   st->text ? strlen(st->text) : 0, 1);
		break;
	case SP_ST_PAUSE:
		text_buf_puts(&o, "pause");
		break;
	case SP_ST_SLEEP:
		if (st->sleep_ms > 0 && st->sleep_ms % 1000 == 0)
			text_buf_printf(&o, "sleep %lds", st->sleep_ms / 1000);
		else
			text_buf_printf(&o, "sleep %ldms", st->sleep_ms);
		break;
	case SP_ST_REPEAT:
		text_buf_printf(&o, "repeat %ld", st->repeat);
		break;
	case SP_ST_EXPECT_SIDE:
		text_buf_printf(&o, "expect %s %s", st->actor, st->side_blocked ? "blocked" : "free");
		break;
	case SP_ST_EXPECT_WIRE:
		text_buf_puts(&o, "expect ");
		out_wire_want(&o, &st->wire);
		break;
	}
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

int script_ready_format(enum sp_call call, const struct sp_ready_sock *v, int n, char *buf, size_t size)
{
	struct text_buf o = { buf, size, 0 };
	if (size > 0)
		buf[0] = '\0';
	out_ready_list(&o, call, v, n);
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

/* ------------------------------------------------------------------ cursor */

/* Whether running V would execute any statement (an empty repeat would not). */
static int has_steps(const struct sp_stmt *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind != SP_ST_REPEAT || (v[i].repeat > 0 && has_steps(v[i].body, v[i].nbody)))
			return 1;
	return 0;
}

void script_cursor_init(struct sp_cursor *cur, const struct sp_script *script)
{
	memset(cur, 0, sizeof *cur);
	if (!script)
		return;
	cur->stack[0].v = script->stmts;
	cur->stack[0].n = script->n;
	cur->stack[0].left = 1;
	cur->depth = 1;
}

const struct sp_stmt *script_cursor_next(struct sp_cursor *cur)
{
	const int maxdepth = (int)(sizeof cur->stack / sizeof cur->stack[0]);
	while (cur->depth > 0) {
		int d = cur->depth - 1;
		if (cur->stack[d].i >= cur->stack[d].n) {
			if (--cur->stack[d].left > 0)
				cur->stack[d].i = 0;
			else
				cur->depth--;
			continue;
		}
		const struct sp_stmt *st = &cur->stack[d].v[cur->stack[d].i++];
		if (st->kind == SP_ST_REPEAT) {
			if (st->repeat > 0 && cur->depth < maxdepth && has_steps(st->body, st->nbody)) {
				d = cur->depth++;
				cur->stack[d].v = st->body;
				cur->stack[d].n = st->nbody;
				cur->stack[d].i = 0;
				cur->stack[d].left = st->repeat;
			}
			continue;
		}
		cur->done++;
		return st;
	}
	return NULL;
}
