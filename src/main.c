/* main.c -- options, the sandbox, then the batch runner or the TUI. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockplay/batch.h"
#include "sockplay/explain.h"
#include "sockplay/export.h"
#include "sockplay/i18n.h"
#include "sockplay/sandbox.h"
#include "sockplay/script.h"
#include "sockplay/session.h"
#include "sockplay/text.h"
#include "sockplay/trace.h"
#include "sockplay/tui.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_ENV = 3 };

/* The options for --help: one msgid a line, so that a new option leaves the others translated. */
static const struct {
	const char *opt, *help; /* opt: only "(no script)" is a msgid */
} usage_opts[] = {
	{ N_("(no script)"), N_("interactive playground, empty") },
	{ "SCRIPT.sp", N_("playground with the script loaded; Space/n runs the next step") },
	{ "--run NAME=CMD", N_("put a program on stage as side NAME (repeatable): its socket calls are\n"
				"                     traced and stepped; it runs in the sandbox's network, with your files") },
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

static void usage(FILE *fp)
{
	fputs(_("usage: sockplay [OPTIONS] [SCRIPT.sp]\n"
		"A terminal socket playground: real socket calls, the kernel's view of them.\n"), fp);
	fputc('\n', fp);
	for (size_t i = 0; i < sizeof usage_opts / sizeof usage_opts[0]; i++) {
		const char *opt = _(usage_opts[i].opt);
		int pad = 19 - text_cells(opt, strlen(opt));
		fprintf(fp, "  %s%*s%s\n", opt, pad > 1 ? pad : 1, "", _(usage_opts[i].help));
	}
	fputc('\n', fp);
	fputs(_("DUR is a number with ms or s (\"500ms\", \"2s\"); a bare number is seconds.\n"), fp);
	fputs(_("Exit status of --batch: 0 every expectation held; 1 one failed or an actor was\n"
		"stuck; 2 the command line or the script is wrong; 3 no sandbox could be made.\n"), fp);
}

#define MAX_RUNS 8

/* --run NAME=COMMAND: checks NAME and COMMAND; 0, or -1 with the message printed. */
static int parse_run(char *arg, struct session_run *runs, size_t *nruns)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr, _("sockplay: --run: '%s' is not NAME=COMMAND (as in --run server='python3 server.py')\n"),
			arg);
		return -1;
	}
	*eq = 0;
	const char *name = arg, *cmd = eq + 1;
	size_t n = strlen(name);
	int ok = n < SP_NAME_MAX - 8 && !(name[0] >= '0' && name[0] <= '9');
	for (size_t i = 0; ok && i < n; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		     (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
	if (!ok) {
		fprintf(stderr, _("sockplay: --run: '%s' is not a side name (letters, digits and _, as in server)\n"),
			name);
		return -1;
	}
	for (size_t i = 0; i < *nruns; i++)
		if (strcmp(runs[i].side, name) == 0) {
			fprintf(stderr, _("sockplay: --run: two programs for side %s\n"), name);
			return -1;
		}
	if (*nruns == MAX_RUNS) {
		fprintf(stderr, _("sockplay: --run: at most %d programs\n"), MAX_RUNS);
		return -1;
	}
	char err[256];
	int shell;
	char **argv = trace_split(cmd, &shell, err, sizeof err);
	if (!argv) {
		fprintf(stderr, "sockplay: --run %s: %s\n", name, err);
		return -1;
	}
	trace_argv_free(argv);
	runs[*nruns].side = name;
	runs[*nruns].command = cmd;
	(*nruns)++;
	return 0;
}

/* Whether SIDE is one of the programs' (or a process of one: server.1). */
static const struct session_run *run_of(const struct session_run *runs, size_t nruns, const char *side)
{
	for (size_t i = 0; i < nruns; i++) {
		size_t n = strlen(runs[i].side);
		if (strncmp(side, runs[i].side, n) == 0 && (side[n] == 0 || side[n] == '.'))
			return &runs[i];
	}
	return NULL;
}

/* The first statement that calls on a program's side: a script drives only the other sides. */
static const struct sp_stmt *drives_program(const struct sp_stmt *v, size_t n, const struct session_run *runs,
					    size_t nruns)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == SP_ST_CALL && run_of(runs, nruns, v[i].actor))
			return &v[i];
		if (v[i].kind == SP_ST_REPEAT) {
			const struct sp_stmt *st = drives_program(v[i].body, v[i].nbody, runs, nruns);
			if (st)
				return st;
		}
	}
	return NULL;
}

/* COMMAND in single quotes, as a shell reads it back. */
static void shell_quote(FILE *fp, const char *command)
{
	fputc('\'', fp);
	for (const char *p = command; *p; p++)
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fputc(*p, fp);
	fputc('\'', fp);
}

/* "# server: --run 'python3 server.py'": the programs a recording or an export leaves out. */
static void runs_comment(FILE *fp, const struct session_run *runs, size_t nruns, int c_style)
{
	for (size_t i = 0; i < nruns; i++) {
		if (c_style) { /* the command may hold the comment's end: spelled apart */
			fprintf(fp, "/* %s: --run '", runs[i].side);
			for (const char *p = runs[i].command; *p; p++)
				if (p[0] == '*' && p[1] == '/')
					fputs("* ", fp);
				else
					fputc(*p, fp);
			fputs("' */\n", fp);
		} else {
			fprintf(fp, "# %s: --run ", runs[i].side);
			shell_quote(fp, runs[i].command);
			fputc('\n', fp);
		}
	}
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
	       OPT_LANG, OPT_FULL_DATA, OPT_RUN };
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
		{ "run", required_argument, NULL, OPT_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int play = 0, batch = 0, color = 1, wire = 0, explain = 0, export = -1, full_data = 0;
	long delay_ms = 1000, timeout_ms = 5000;
	enum transcript_format format = TRANSCRIPT_TEXT;
	enum sandbox_mode sbmode = SANDBOX_AUTO;
	const char *record_file = NULL;
	struct session_run runs[MAX_RUNS];
	size_t nruns = 0;

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
		case OPT_RUN:
			if (parse_run(optarg, runs, &nruns) < 0)
				return EXIT_USAGE;
			break;
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
	if (batch && !file && !nruns) {
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
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = nruns ? open_memstream(&buf, &len) : NULL;
		int rc = export_program(sc, (enum export_lang)export, mem ? mem : stdout, err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "sockplay: --export: %s\n", err);
		if (mem) { /* the programs are not exported: a comment names them, under a #! line */
			fclose(mem);
			const char *body = buf ? buf : "";
			if (rc >= 0 && strncmp(body, "#!", 2) == 0) {
				const char *nl = strchr(body, '\n');
				size_t head = nl ? (size_t)(nl - body) + 1 : strlen(body);
				fwrite(body, 1, head, stdout);
				body += head;
			}
			if (rc >= 0)
				runs_comment(stdout, runs, nruns, export == EXPORT_C);
			fputs(body, stdout);
			free(buf);
		}
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
		const struct sp_stmt *st = drives_program(script->stmts, script->n, runs, nruns);
		if (st) {
			struct sp_diag d = { .line = st->line, .col = st->col };
			snprintf(d.msg, sizeof d.msg, _("%s is a program (--run); a script drives only the other sides"),
				 st->actor);
			snprintf(d.source, sizeof d.source, "%s", st->source ? st->source : "");
			struct sp_diags dg = { .v = &d, .n = 1, .cap = 1 };
			script_diags_print(stderr, file, &dg);
			if (batch && format == TRANSCRIPT_JSON) {
				struct transcript jt = { .fp = stdout, .format = format, .file = file };
				transcript_diags(&jt, &dg);
			}
			script_free(script);
			return EXIT_USAGE;
		}
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
		runs_comment(record, runs, nruns, 0); /* their calls are theirs: not statements */
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
		struct batch_opts bo = { .script = script, .runs = runs, .nruns = nruns, .format = format, .timeout_ms = (int)timeout_ms,
					 .out = stdout, .record = record, .net_label = net_label,
					 .wire = wire, .explain = explain, .full_data = full_data,
					 .names_local_only = sb == SANDBOX_MADE };
		rc = batch_run(&bo);
	} else {
		if (sbmsg[0] && sbadvice) /* the TUI shows the sandbox's note as one paragraph */
			snprintf(sbmsg + strlen(sbmsg), sizeof sbmsg - strlen(sbmsg), " %s", sbadvice);
		struct tui_opts to = { .script = script, .script_file = file, .play = play,
				       .delay_ms = (int)delay_ms, .timeout_ms = (int)timeout_ms,
				       .record = record, .net_label = net_label, .net_note = sbmsg,
				       .runs = runs, .nruns = nruns,
				       .color = color, .names_local_only = sb == SANDBOX_MADE };
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
