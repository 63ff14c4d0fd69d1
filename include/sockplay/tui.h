/* tui.h -- the interactive ncurses front end. */
#ifndef SOCKPLAY_TUI_H
#define SOCKPLAY_TUI_H

#include <stdio.h>

#include "sockplay/script.h"
#include "sockplay/session.h"

struct tui_opts {
	const struct sp_script *script; /* loaded script, or NULL for an empty playground */
	const char *script_file;        /* its name, for the header */
	int play;                       /* --play: advance on its own */
	int delay_ms;                   /* --delay between auto steps */
	int timeout_ms;                 /* --timeout */
	FILE *record;                   /* --record, or NULL */
	const char *net_label;          /* "sandbox netns" / "host network" */
	const char *net_note;           /* why there is no sandbox, or "" */
	int color;                      /* 0 with --no-color or NO_COLOR */
	const struct session_run *runs; /* --run: programs on stage, stepped one socket call at a time */
	size_t nruns;
	int names_local_only;           /* the sandbox: only localhost names resolve (session_opts) */
	int quit_at_end;                /* leave once the script has run to its end (benchmarks, kiosks) */
};

/* Run the UI until the user quits. Returns the exit status. */
int tui_run(const struct tui_opts *o);

struct tui_view;
/*
 * The explain area's call from EV: when EV is a call that returned and is now
 * the newest (ev->shown), V's last call becomes it, with its explanation.
 */
void tui_note_call(struct tui_view *v, const struct sp_event *ev);

/* Print the keys as a Markdown table, from the same keymap as the key bar and help screen. */
void tui_print_keys(FILE *fp);

#endif
