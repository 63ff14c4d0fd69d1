/* transcript.h -- the strace-like record of a run: text lines or JSON objects. */
#ifndef SOCKPLAY_TRANSCRIPT_H
#define SOCKPLAY_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sockplay/event.h"
#include "sockplay/script.h"
#include "sockplay/wire.h"

enum transcript_format {
	TRANSCRIPT_TEXT,
	TRANSCRIPT_JSON,
};

struct transcript {
	FILE *fp;
	enum transcript_format format;
	const char *file;   /* the script, for "FILE:LINE:" prefixes */
	int explain;        /* --explain: what each call did, errno meaning, Python and C */
	int full_data;      /* --full-data: every received byte, not the first 64 (JSON: 4096) */
};

/*
 * A script's diagnostics, before anything runs: in JSON one
 * {"event":"error","file":F,"line":L,"column":C,"message":M,"text":...} per
 * diagnostic (line 0: about the whole file); as text, as script_diags_print().
 */
void transcript_diags(struct transcript *t, const struct sp_diags *diags);

/* Print one event in the chosen format. */
void transcript_event(struct transcript *t, const struct sp_event *ev);

/*
 * --explain: TEXT (explain_join()) joins the call of ACTOR's statement at LINE
 * to the segments it caused and the states it changed; "" prints nothing. As
 * text an indented line like the call's explanation, in JSON
 * {"event":"join","actor":...,"line":L,"text":...}.
 */
void transcript_join(struct transcript *t, const char *actor, int line, const char *text);

/* An expectation as failure messages write it: "0", "-1 ECONNREFUSED", "14 \"Hello\"". */
void transcript_expect_text(const struct sp_expect *e, char *out, size_t size);

/*
 * The call part of a text line, without "[actor] ": "bind(3, 127.0.0.1:8888) = 0",
 * "accept(3) <blocked>", "accept(3) <resumed> = 4 (peer 127.0.0.1:49152)",
 * "connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)".
 * Shared by the TUI's call log. The same in every language: the errno's words
 * are the C locale's, so graders and golden files read one text. Returns the length.
 */
size_t transcript_call_text(const struct sp_event *ev, char *buf, size_t size);

/*
 * One captured segment (--wire): the wire_format() line, or in JSON an object
 * {"event":"segment","step":N,"line":L,"src":...,"src_actor":...,"flags":"SYN,ACK",...}.
 * SRC_ACTOR/DST_ACTOR own the endpoints (NULL: "?"); LINE is the script line
 * of the step it belongs to (0: none).
 */
void transcript_segment(struct transcript *t, const struct wire_seg *seg, const char *src_actor,
			const char *dst_actor, int line);
/* COUNT segments the capture missed (it fell behind) during STEP: said, not hidden. */
void transcript_wire_lost(struct transcript *t, unsigned step, uint64_t count, int line);

#endif
