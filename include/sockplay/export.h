/* export.h -- a script (or a session) as a standalone C or Python program making the same calls. */
#ifndef SOCKPLAY_EXPORT_H
#define SOCKPLAY_EXPORT_H

#include <stdio.h>

#include "sockplay/script.h"

enum export_lang {
	EXPORT_C,
	EXPORT_PYTHON,
};

/*
 * Write SCRIPT as a program in LANG to FP: the same calls in the same order,
 * each actor a process (or thread where the blocking order requires it), the
 * explanations as comments, every result printed in the transcript's shape
 * ("[server] bind(3, 127.0.0.1:8888) = 0"). Returns 0, or -1 with ERR.
 */
int export_program(const struct sp_script *script, enum export_lang lang, FILE *fp,
		   char *err, size_t errlen);

/*
 * Whether the table of helpers and the runtimes (src/export_rt/runtime.c and
 * runtime.py) agree: every chunk belongs to exactly one helper, every chunk
 * a helper names exists. Returns 0, or -1 with ERR naming the first that
 * does not.
 */
int export_runtime_check(char *err, size_t errlen);

#endif
