/* batch.h -- run a script without a UI and print its transcript (--batch). */
#ifndef SOCKPLAY_BATCH_H
#define SOCKPLAY_BATCH_H

#include <stdio.h>

#include "sockplay/script.h"
#include "sockplay/transcript.h"

struct batch_opts {
	const struct sp_script *script;
	enum transcript_format format;
	int timeout_ms;      /* --timeout */
	FILE *out;           /* the transcript */
	FILE *record;        /* --record: every executed statement, or NULL */
	const char *net_label;
	int wire;            /* --wire: the segments each step put on the wire */
	int explain;         /* --explain */
	int full_data;       /* --full-data: every received byte in the transcript */
};

/* Run the whole script. Returns the exit status: 0 all held, 1 a failure. */
int batch_run(const struct batch_opts *o);

#endif
