/* Translations. Dutch is the source language: msgids in C code and templates
 * are Dutch, and po/en.po carries the English. Catalogues are the .mo files
 * that msgfmt (GNU gettext) builds; we read them ourselves because glibc's
 * gettext picks the language per process (LANGUAGE/locale), while a server
 * answers every request in that request's language. */
#ifndef CAMPUS_VIEW_I18N_H
#define CAMPUS_VIEW_I18N_H

#include <stddef.h>

#include "core/err.h" /* N_() */

struct buf;

enum lang { LANG_NL = 0, LANG_EN = 1, LANG_COUNT };

/* "nl", "en". */
extern const char *const i18n_lang_codes[LANG_COUNT];
/* Name of each language in itself: "Nederlands", "English". */
extern const char *const i18n_lang_names[LANG_COUNT];

/* Load <dir>/<code>/LC_MESSAGES/campus.mo for every language but Dutch.
 * A missing file is an error: an English page full of Dutch is a bug. */
int i18n_load(const char *locale_dir, struct buf *err);
/* Load one catalogue from a .mo file in memory (tests, fuzzing). */
int i18n_load_mo(enum lang lang, const void *data, size_t len, struct buf *err);
void i18n_unload(void);

/* Translation of msgid, or msgid itself when there is none. */
const char *i18n_gettext(enum lang lang, const char *msgid);
/* Language for a code such as "en" or "en-GB"; -1 when unsupported. */
int i18n_lang_from_code(const char *code);


#endif
