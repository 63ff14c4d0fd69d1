/* main.c -- options, the sandbox, then the batch runner or the TUI. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "sockplay/batch.h"
#include "sockplay/explain.h"
#include "sockplay/export.h"
#include "sockplay/i18n.h"
#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/tui.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_ENV = 3 };

/* The options for --help: one msgid a line, so that a new option leaves the others translated. */
static const struct {
	const char *opt, *help; /* opt: only "(no script)" is a msgid */
} usage_opts[] = {
	{ N_("(no script)"), N_("interactive playground, empty") },
	{ "SCRIPT.sp", N_("playground with the script loaded; Space/n runs the next step") },
	{ "--play", N_("advance automatically (see --delay)") },
	{ "--delay DUR", N_("pause between automatic steps (default 1s; 0 = no pause)") },
	{ "--batch", N_("no UI: run the script, print the transcript, exit with its verdict") },
	{ "--format text|json", N_("transcript format for --batch (json: one object a line)") },
	{ "--record FILE", N_("write what the session did as a script") },
	{ "--export c|python", N_("print the script as a standalone C or Python program") },
	{ "--wire", N_("with --batch: print the segments each step put on the wire") },
	{ "--explain", N_("with --batch: print what each call did, in Python and C too") },
	{ "--full-data", N_("with --batch: print every received byte (else the first 64, marked ...)") },
	{ "--host-net", N_("use the host's network instead of the private sandbox") },
	{ "--sandbox", N_("insist on the sandbox: exit 3 where it cannot be made") },
	{ "--timeout DUR", N_("how long a blocked actor may hold up a script (default 5s)") },
	{ "--lang en|zh", N_("language of the UI and the explanations (default: from LANG)") },
	{ "--no-color", N_("no colours (NO_COLOR is honoured too)") },
	{ "-h, --help", N_("this help") },
	{ "-V, --version", N_("the version") },
};

/* Terminal cells of S (CJK counts 2), for lining up the help. */
static int cells(const char *s)
{
	wchar_t w[128];
	size_t n = mbstowcs(w, s, sizeof w / sizeof w[0]);
	int c = n == (size_t)-1 || n >= sizeof w / sizeof w[0] ? -1 : wcswidth(w, n);
	return c < 0 ? (int)strlen(s) : c;
}

static void usage(FILE *fp)
{
	fputs(_("usage: sockplay [OPTIONS] [SCRIPT.sp]\n"
		"A terminal socket playground: real socket calls, the kernel's view of them.\n"), fp);
	fputc('\n', fp);
	for (size_t i = 0; i < sizeof usage_opts / sizeof usage_opts[0]; i++) {
		const char *opt = _(usage_opts[i].opt);
		int pad = 19 - cells(opt);
		fprintf(fp, "  %s%*s%s\n", opt, pad > 1 ? pad : 1, "", _(usage_opts[i].help));
	}
	fputc('\n', fp);
	fputs(_("DUR is a number with ms or s (\"500ms\", \"2s\"); a bare number is seconds.\n"), fp);
	fputs(_("Exit status of --batch: 0 every expectation held; 1 one failed or an actor was\n"
		"stuck; 2 the command line or the script is wrong; 3 no sandbox could be made.\n"), fp);
}

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
	       OPT_SANDBOX, OPT_TIMEOUT, OPT_NOCOLOR, OPT_WIRE, OPT_EXPLAIN, OPT_EXPORT,
	       OPT_LANG, OPT_FULL_DATA };
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
		{ "wire", no_argument, NULL, OPT_WIRE },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "full-data", no_argument, NULL, OPT_FULL_DATA },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int play = 0, batch = 0, color = 1, wire = 0, explain = 0, export = -1, full_data = 0;
	long delay_ms = 1000, timeout_ms = 5000;
	enum transcript_format format = TRANSCRIPT_TEXT;
	enum sandbox_mode sbmode = SANDBOX_AUTO;
	const char *record_file = NULL;

	/* 0, 1 and 2 open whatever started us: else a socket or an actor's channel would take
	 * one of them, and the transcript would be written into it */
	for (int fd; (fd = open("/dev/null", O_RDWR)) >= 0;)
		if (fd > 2) {
			close(fd);
			break;
		}
	setlocale(LC_ALL, "");
	/* --lang first, wherever it stands, so that every message below is in that language. */
	const char *lang = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1)
		if (c == OPT_LANG)
			lang = optarg;
	opterr = 1;
	optind = 0; /* rescan from the start */
	char langmsg[256];
	if (lang && !i18n_lang_name(lang)) {
		i18n_init(NULL, langmsg, sizeof langmsg);
		fprintf(stderr, _("sockplay: --lang: '%s' is neither en nor zh\n"), lang);
		return EXIT_USAGE;
	}
	if (i18n_init(lang, langmsg, sizeof langmsg) < 0)
		fprintf(stderr, "sockplay: %s\n", langmsg);
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLAY: play = 1; break;
		case OPT_BATCH: batch = 1; break;
		case OPT_DELAY:
			if ((delay_ms = parse_duration(optarg)) < 0) {
				fprintf(stderr, _("sockplay: --delay: bad duration '%s' (try 500ms or 1s)\n"), optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TIMEOUT:
			if ((timeout_ms = parse_duration(optarg)) <= 0) {
				fprintf(stderr, _("sockplay: --timeout: bad duration '%s' (try 500ms or 5s)\n"), optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				format = TRANSCRIPT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				format = TRANSCRIPT_JSON;
			else {
				fprintf(stderr, _("sockplay: --format: '%s' is neither text nor json\n"), optarg);
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
		case OPT_WIRE: wire = 1; break;
		case OPT_EXPLAIN: explain = 1; break;
		case OPT_FULL_DATA: full_data = 1; break;
		case OPT_EXPORT:
			if (strcmp(optarg, "c") == 0)
				export = EXPORT_C;
			else if (strcmp(optarg, "python") == 0)
				export = EXPORT_PYTHON;
			else {
				fprintf(stderr, _("sockplay: --export: '%s' is neither c nor python\n"), optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_LANG: break; /* done above */
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("sockplay %s\n", SP_VERSION); return EXIT_OK;
		default:
			fprintf(stderr, _("Try 'sockplay --help'.\n"));
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, _("sockplay: one script at a time (got %d)\nTry 'sockplay --help'.\n"), argc - optind);
		return EXIT_USAGE;
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	if (batch && !file) {
		fprintf(stderr, _("sockplay: --batch needs a script: sockplay --batch FILE.sp\n"));
		return EXIT_USAGE;
	}
	if (export >= 0 && !file) {
		fprintf(stderr, _("sockplay: --export needs a script: sockplay --export c FILE.sp\n"));
		return EXIT_USAGE;
	}
	if ((wire || explain) && !batch) {
		fprintf(stderr, _("sockplay: --wire and --explain go with --batch (the playground shows both)\n"));
		return EXIT_USAGE;
	}
	if (full_data && !batch) {
		fprintf(stderr, _("sockplay: --full-data goes with --batch (the playground shows all with e)\n"));
		return EXIT_USAGE;
	}
	if (getenv("NO_COLOR") && getenv("NO_COLOR")[0])
		color = 0;

	if (export >= 0) { /* no sockets: just the script as a program */
		struct sp_script *sc = NULL;
		struct sp_diags diags = { 0 };
		char err[256];
		if (script_load(file, &sc, &diags) < 0) {
			script_diags_print(stderr, file, &diags);
			script_diags_clear(&diags);
			return EXIT_USAGE;
		}
		int rc = export_program(sc, (enum export_lang)export, stdout, err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "sockplay: --export: %s\n", err);
		script_free(sc);
		return rc < 0 ? EXIT_FAILED : EXIT_OK;
	}

	/* First thing: the namespace refuses a process with threads or children. */
	char sbmsg[1024] = "";
	enum sandbox_result sb = sandbox_enter(sbmode, sbmsg, sizeof sbmsg);
	const char *sbadvice = sb == SANDBOX_MADE ? NULL : sandbox_advice();
	if (sb == SANDBOX_FAILED) {
		fprintf(stderr, "sockplay: %s\n", sbmsg);
		if (sbadvice)
			fprintf(stderr, "sockplay: %s\n", sbadvice);
		return EXIT_ENV;
	}
	const char *net_label = sb == SANDBOX_MADE ? _("sandbox netns") : _("host network");
	script_names_local_only(sb == SANDBOX_MADE);
	explain_set_sandbox(sb == SANDBOX_MADE);

	struct sp_script *script = NULL;
	if (file) {
		struct sp_diags diags = { 0 };
		if (script_load(file, &script, &diags) < 0) {
			script_diags_print(stderr, file, &diags);
			if (batch && format == TRANSCRIPT_JSON) { /* an autograder reads stdout */
				struct transcript jt = { .fp = stdout, .format = format, .file = file };
				transcript_diags(&jt, &diags);
			}
			script_diags_clear(&diags);
			return EXIT_USAGE;
		}
		script_diags_clear(&diags);
	}

	FILE *record = NULL;
	if (record_file) {
		record = fopen(record_file, "w");
		if (!record) {
			fprintf(stderr, _("sockplay: --record: cannot write '%s': %s\n"), record_file, strerror(errno));
			script_free(script);
			return EXIT_USAGE;
		}
		fprintf(record, "# recorded by sockplay %s\n", SP_VERSION);
	}

	int rc;
	if (batch) {
		if (sbmsg[0])
			fprintf(stderr, "sockplay: %s\n", sbmsg);
		if (sbmsg[0] && sbadvice)
			fprintf(stderr, "sockplay: %s\n", sbadvice);
		/* Line by line for a person or a pipe being watched; in blocks into a file. */
		if (isatty(STDOUT_FILENO))
			setvbuf(stdout, NULL, _IOLBF, 0);
		struct batch_opts bo = { .script = script, .format = format, .timeout_ms = (int)timeout_ms,
					 .out = stdout, .record = record, .net_label = net_label,
					 .wire = wire, .explain = explain, .full_data = full_data };
		rc = batch_run(&bo);
	} else {
		if (sbmsg[0] && sbadvice) /* the TUI shows the sandbox's note as one paragraph */
			snprintf(sbmsg + strlen(sbmsg), sizeof sbmsg - strlen(sbmsg), " %s", sbadvice);
		struct tui_opts to = { .script = script, .script_file = file, .play = play,
				       .delay_ms = (int)delay_ms, .timeout_ms = (int)timeout_ms,
				       .record = record, .net_label = net_label, .net_note = sbmsg,
				       .color = color };
		rc = tui_run(&to);
	}
	if (record && fclose(record) != 0) {
		fprintf(stderr, _("sockplay: --record: writing '%s' failed: %s\n"), record_file, strerror(errno));
		rc = rc ? rc : EXIT_FAILED;
	}
	script_free(script);
	return rc;

both:
	fprintf(stderr, _("sockplay: --host-net and --sandbox contradict each other\n"));
	return EXIT_USAGE;
}
