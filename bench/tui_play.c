/* tui_play.c -- `--play --delay 0` of a script to its end with every frame drawn, timed from
 * process start. bench/run.sh runs it in tmux; the microseconds go to the file named by argv[2]. */
#include <stdio.h>
#include <time.h>

#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/tui.h"

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	char msg[256];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc < 3)
		return 2;
	enum sandbox_result sb = sandbox_enter(SANDBOX_AUTO, msg, sizeof msg);
	struct sp_script *sc = NULL;
	struct sp_diags d = { 0 };
	if (script_load(argv[1], &sc, &d) < 0)
		return 2;
	struct tui_opts o = { .script = sc, .script_file = argv[1], .play = 1, .delay_ms = 0,
			      .timeout_ms = 5000, .net_label = sb == SANDBOX_MADE ? "sandbox netns" : "host network",
			      .net_note = msg, .color = 1, .quit_at_end = 1 };
	int rc = tui_run(&o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	FILE *fp = fopen(argv[2], "w");
	if (fp) {
		fprintf(fp, "%ld\n", (long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000));
		fclose(fp);
	}
	script_free(sc);
	return rc;
}
