/*
 * i18n.c -- gettext for sockplay: which language, and where its catalogue is.
 *
 * The catalogue is looked up first in the source tree the executable sits in
 * (its build/locale, found from /proc/self/exe, so `./sockplay` run from a
 * checkout shows that checkout's translations, whatever is installed), then
 * in the LOCALEDIR the binary was built for (`make install` puts it there).
 *
 * --lang zh sets LANGUAGE=zh_CN, which gettext honours under any locale but C
 * and POSIX: there (LANG unset, LANG=C) the messages locale is switched to
 * C.UTF-8 first, so no zh_CN locale needs to be generated. The same happens
 * when the environment asks for Chinese (LANG=zh_CN.UTF-8) but that locale
 * does not exist on the machine. --lang en sets LANGUAGE=en.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockplay/i18n.h"

#ifndef SP_LOCALEDIR
#define SP_LOCALEDIR "/usr/local/share/locale"
#endif

#define TREE_LOCALE "build/locale"
#define TREE_PO "assets/po"
#define TREE_UP_MAX 2 /* ./sockplay, build/tests/x, build-asan/tests/x */

static const char *shown = "en";
static char dir[PATH_MAX] = SP_LOCALEDIR;

const char *i18n_lang_name(const char *lang)
{
	if (!lang)
		return NULL;
	if (strcmp(lang, "en") == 0 || strncmp(lang, "en_", 3) == 0 || strncmp(lang, "en-", 3) == 0)
		return "en";
	if (strcmp(lang, "zh") == 0 || strcmp(lang, "zh_CN") == 0 || strcmp(lang, "zh-CN") == 0 ||
	    strcmp(lang, "zh_Hans") == 0 || strcmp(lang, "zh-Hans") == 0 || strcmp(lang, "zh_SG") == 0)
		return "zh";
	return NULL;
}

/* A locale name that gettext treats as "no translation". */
static int is_c_locale(const char *name)
{
	return !name || !*name || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0;
}

/* Whether a locale name (zh_CN.UTF-8, zh_SG, zh) is Simplified Chinese. */
static int is_simplified(const char *name)
{
	if (!name || strncmp(name, "zh", 2) != 0)
		return 0;
	if (name[2] == '\0' || name[2] == '.' || name[2] == '@')
		return 1;
	return strncmp(name + 2, "_CN", 3) == 0 || strncmp(name + 2, "_SG", 3) == 0 ||
	       strncmp(name + 2, "_Hans", 5) == 0;
}

/* The messages locale the environment asks for, as setlocale() reads it. */
static const char *env_messages_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/*
 * Messages need a locale other than C/POSIX, and characters a UTF-8 one:
 * take C.UTF-8 for what is C (everything, when LC_CTYPE is C too).
 */
static int leave_c_locale(void)
{
	static const char *const utf8[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	if (!is_c_locale(setlocale(LC_MESSAGES, NULL)))
		return 0;
	int cat = is_c_locale(setlocale(LC_CTYPE, NULL)) ? LC_ALL : LC_MESSAGES;
	for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++)
		if (setlocale(cat, utf8[i]))
			return 0;
	return -1;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * build/locale of the source tree the executable lives in, or a level or two
 * below (build/tests/...), into OUT. A tree is where assets/po sits beside it.
 */
static int tree_localedir(char *out, size_t size)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up <= TREE_UP_MAX; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0'; /* exe is now the directory to look in */
		snprintf(cand, sizeof cand, "%s/" TREE_PO, exe);
		if (!is_dir(cand))
			continue;
		snprintf(cand, sizeof cand, "%s/" TREE_LOCALE, exe);
		if (!is_dir(cand) || !realpath(cand, real) || strlen(real) >= size)
			return -1;
		memcpy(out, real, strlen(real) + 1);
		return 0;
	}
	return -1;
}

static const char *catalogue_lang(void)
{
	/* The empty msgid (not a literal, so xgettext passes it by) is the catalogue's header. */
	const char *header = "";
	const char *h = gettext(header);
	return h && *h && strstr(h, "Language: zh") ? "zh" : "en";
}

int i18n_init(const char *lang, char *msg, size_t size)
{
	const char *want = i18n_lang_name(lang);
	int rc = 0;

	if (msg && size)
		msg[0] = '\0';
	if (tree_localedir(dir, sizeof dir) < 0)
		snprintf(dir, sizeof dir, "%s", SP_LOCALEDIR);
	if (!want) {
		/* A Chinese environment without its locale generated still gets Chinese. */
		if (is_c_locale(setlocale(LC_MESSAGES, NULL)) && is_simplified(env_messages_locale()))
			want = "zh";
	}
	if (want && strcmp(want, "zh") == 0) {
		if (leave_c_locale() < 0) {
			if (msg && size)
				snprintf(msg, size, "no UTF-8 locale for Chinese messages; showing English");
			want = "en";
			rc = -1;
		} else {
			setenv("LANGUAGE", "zh_CN", 1);
		}
	}
	if (want && strcmp(want, "en") == 0)
		setenv("LANGUAGE", "en", 1);
	bindtextdomain(I18N_DOMAIN, dir);
	textdomain(I18N_DOMAIN); /* also drops translations cached for another language */
	shown = catalogue_lang();
	if (rc == 0 && want && strcmp(want, "zh") == 0 && strcmp(shown, "zh") != 0) {
		if (msg && size)
			snprintf(msg, size, "no Chinese catalogue in %s; showing English", dir);
		rc = -1;
	}
	return rc;
}

const char *i18n_lang(void)
{
	return shown;
}

const char *i18n_localedir(void)
{
	return dir;
}
