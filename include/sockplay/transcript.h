/* transcript.h -- the strace-like record of a run: text lines or JSON objects. */
#ifndef SOCKPLAY_TRANSCRIPT_H
#define SOCKPLAY_TRANSCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include "sockplay/session.h"

enum transcript_format {
	TRANSCRIPT_TEXT,
	TRANSCRIPT_JSON,
};

struct transcript {
	FILE *fp;
	enum transcript_format format;
	const char *file;   /* the script, for "FILE:LINE:" prefixes */
};

/* Print one event in the chosen format. */
void transcript_event(struct transcript *t, const struct sp_event *ev);

/*
 * The call part of a text line, without "[actor] ": "bind(3, 127.0.0.1:8888) = 0",
 * "accept(3) <blocked>", "accept(3) <resumed> = 4 (peer 127.0.0.1:49152)",
 * "connect(3, 127.0.0.1:9) = -1 ECONNREFUSED (Connection refused)".
 * Shared by the TUI's call log. Returns the length.
 */
size_t transcript_call_text(const struct sp_event *ev, char *buf, size_t size);

#endif
