/* i18n.h -- the language sockplay speaks: gettext set up from --lang or the locale. */
#ifndef SOCKPLAY_I18N_H
#define SOCKPLAY_I18N_H

#include <libintl.h>
#include <stddef.h>

/* A message in the user's language; N_() only marks a msgid for xgettext. */
#define _(s) gettext(s)
#define N_(s) s

#define I18N_DOMAIN "sockplay"

/*
 * Whether LANG is a value --lang accepts: "en" or "zh" (also "zh_CN", "zh-CN",
 * "en_US" and the like). Returns the canonical "en"/"zh", or NULL.
 */
const char *i18n_lang_name(const char *lang);

/*
 * Set up the messages, after setlocale(LC_ALL, "") and before anything is
 * printed. LANG is "en", "zh" or NULL for the locale's language. Asking for
 * Chinese works under a C or POSIX locale too (the messages then need a
 * UTF-8 locale, so C.UTF-8 is taken). Returns 0, or -1 with a warning in MSG
 * when Chinese was asked for but cannot be shown (English is then used).
 * May be called again to switch languages.
 */
int i18n_init(const char *lang, char *msg, size_t size);

/* The language messages are shown in: "en" or "zh" (what the catalogue really is). */
const char *i18n_lang(void);

/* The directory the catalogue is looked up in: the build tree's or the installed one. */
const char *i18n_localedir(void);

#endif
