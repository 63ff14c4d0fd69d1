/* batch.h -- run a script without a UI and print its transcript (--batch). */
#ifndef SOCKPLAY_BATCH_H
#define SOCKPLAY_BATCH_H

#include <stdio.h>

#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/transcript.h"

struct batch_opts {
	const struct sp_script *script;  /* NULL: only programs (runs) */
	const struct session_run *runs;  /* --run: programs on stage, run freely */
	size_t nruns;
	enum transcript_format format;
	int timeout_ms;      /* --timeout */
	FILE *out;           /* the transcript */
	FILE *record;        /* --record: every executed statement, or NULL */
	const char *net_label;
	int wire;            /* --wire: the segments each step put on the wire */
	int explain;         /* --explain */
	int full_data;       /* --full-data: every received byte in the transcript */
	int names_local_only; /* the sandbox: only localhost names resolve (session_opts) */
};

/*
 * Start the programs, run the whole script against them (before the first
 * statement and after each, the programs run until each is blocked in a call
 * or gone, at most --timeout). Returns the exit status: 0 all held, 1 a
 * failure (with no script: a program crashed or exited with a status other
 * than 0; with one: a program had done so before a later statement), 2 a
 * program could not be started.
 */
int batch_run(const struct batch_opts *o);

#endif
