/* main.c -- options, the sandbox, then the batch runner or the TUI. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockplay/batch.h"
#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/tui.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_ENV = 3 };

static const char usage_text[] =
	"usage: sockplay [OPTIONS] [SCRIPT.sp]\n"
	"A terminal socket playground: real socket calls, the kernel's view of them.\n"
	"\n"
	"  (no script)        interactive playground, empty\n"
	"  SCRIPT.sp          playground with the script loaded; Space/n runs the next step\n"
	"  --play             advance automatically (see --delay)\n"
	"  --delay DUR        pause between automatic steps (default 1s; 0 = no pause)\n"
	"  --batch            no UI: run the script, print the transcript, exit with its verdict\n"
	"  --format text|json transcript format for --batch (json: one object a line)\n"
	"  --record FILE      write what the session did as a script\n"
	"  --host-net         use the host's network instead of the private sandbox\n"
	"  --sandbox          insist on the sandbox: exit 3 where it cannot be made\n"
	"  --timeout DUR      how long a blocked actor may hold up a script (default 5s)\n"
	"  --no-color         no colours (NO_COLOR is honoured too)\n"
	"  -h, --help         this help\n"
	"  -V, --version      the version\n"
	"\n"
	"DUR is a number with ms or s (\"500ms\", \"2s\"); a bare number is seconds.\n"
	"Exit status of --batch: 0 every expectation held; 1 one failed or an actor was\n"
	"stuck; 2 the command line or the script is wrong; 3 no sandbox could be made.\n";

/* "500ms", "2s", "1.5s", "3" (seconds) -> milliseconds; -1 when malformed. */
static long parse_duration(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		;
	else if (strcmp(end, "s") == 0 || *end == 0)
		v *= 1000;
	else
		return -1;
	if (v > 3600 * 1000.0)
		return -1;
	return (long)v;
}

int main(int argc, char **argv)
{
	enum { OPT_PLAY = 256, OPT_DELAY, OPT_BATCH, OPT_FORMAT, OPT_RECORD, OPT_HOSTNET,
	       OPT_SANDBOX, OPT_TIMEOUT, OPT_NOCOLOR };
	static const struct option longopts[] = {
		{ "play", no_argument, NULL, OPT_PLAY },
		{ "delay", required_argument, NULL, OPT_DELAY },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "host-net", no_argument, NULL, OPT_HOSTNET },
		{ "sandbox", no_argument, NULL, OPT_SANDBOX },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "no-color", no_argument, NULL, OPT_NOCOLOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int play = 0, batch = 0, color = 1;
	long delay_ms = 1000, timeout_ms = 5000;
	enum transcript_format format = TRANSCRIPT_TEXT;
	enum sandbox_mode sbmode = SANDBOX_AUTO;
	const char *record_file = NULL;

	setlocale(LC_ALL, "");
	int c;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLAY: play = 1; break;
		case OPT_BATCH: batch = 1; break;
		case OPT_DELAY:
			if ((delay_ms = parse_duration(optarg)) < 0) {
				fprintf(stderr, "sockplay: --delay: bad duration '%s' (try 500ms or 1s)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TIMEOUT:
			if ((timeout_ms = parse_duration(optarg)) <= 0) {
				fprintf(stderr, "sockplay: --timeout: bad duration '%s' (try 500ms or 5s)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				format = TRANSCRIPT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				format = TRANSCRIPT_JSON;
			else {
				fprintf(stderr, "sockplay: --format: '%s' is neither text nor json\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RECORD: record_file = optarg; break;
		case OPT_HOSTNET:
			if (sbmode == SANDBOX_REQUIRE)
				goto both;
			sbmode = SANDBOX_OFF;
			break;
		case OPT_SANDBOX:
			if (sbmode == SANDBOX_OFF)
				goto both;
			sbmode = SANDBOX_REQUIRE;
			break;
		case OPT_NOCOLOR: color = 0; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		case 'V': printf("sockplay %s\n", SP_VERSION); return EXIT_OK;
		default:
			fprintf(stderr, "Try 'sockplay --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "sockplay: one script at a time (got %d)\nTry 'sockplay --help'.\n", argc - optind);
		return EXIT_USAGE;
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	if (batch && !file) {
		fprintf(stderr, "sockplay: --batch needs a script: sockplay --batch FILE.sp\n");
		return EXIT_USAGE;
	}
	if (getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		color = 0;

	/* First thing: the namespace refuses a process with threads or children. */
	char sbmsg[256] = "";
	enum sandbox_result sb = sandbox_enter(sbmode, sbmsg, sizeof sbmsg);
	if (sb == SANDBOX_FAILED) {
		fprintf(stderr, "sockplay: %s\n", sbmsg);
		return EXIT_ENV;
	}
	const char *net_label = sb == SANDBOX_MADE ? "sandbox netns" : "host network";

	struct sp_script *script = NULL;
	if (file) {
		struct sp_diags diags = { 0 };
		if (script_load(file, &script, &diags) < 0) {
			script_diags_print(stderr, file, &diags);
			script_diags_clear(&diags);
			return EXIT_USAGE;
		}
		script_diags_clear(&diags);
	}

	FILE *record = NULL;
	if (record_file) {
		record = fopen(record_file, "w");
		if (!record) {
			fprintf(stderr, "sockplay: --record: cannot write '%s': %s\n", record_file, strerror(errno));
			script_free(script);
			return EXIT_USAGE;
		}
		fprintf(record, "# recorded by sockplay %s\n", SP_VERSION);
	}

	int rc;
	if (batch) {
		if (sbmsg[0])
			fprintf(stderr, "sockplay: %s\n", sbmsg);
		/* Line by line for a person or a pipe being watched; in blocks into a file. */
		if (isatty(STDOUT_FILENO))
			setvbuf(stdout, NULL, _IOLBF, 0);
		struct batch_opts bo = { .script = script, .format = format, .timeout_ms = (int)timeout_ms,
					 .out = stdout, .record = record, .net_label = net_label };
		rc = batch_run(&bo);
	} else {
		struct tui_opts to = { .script = script, .script_file = file, .play = play,
				       .delay_ms = (int)delay_ms, .timeout_ms = (int)timeout_ms,
				       .record = record, .net_label = net_label, .net_note = sbmsg,
				       .color = color };
		rc = tui_run(&to);
	}
	if (record && fclose(record) != 0) {
		fprintf(stderr, "sockplay: --record: writing '%s' failed: %s\n", record_file, strerror(errno));
		rc = rc ? rc : EXIT_FAILED;
	}
	script_free(script);
	return rc;

both:
	fprintf(stderr, "sockplay: --host-net and --sandbox contradict each other\n");
	return EXIT_USAGE;
}
