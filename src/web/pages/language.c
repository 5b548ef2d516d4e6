/* The language switch on every page: a small form, so it works without
 * JavaScript and changes the preference only with a valid CSRF token. */
#include <string.h>

#include "core/err.h"
#include "http/req.h"
#include "view/i18n.h"
#include "web/web.h"

#define ONE_YEAR (365L * 24 * 3600)

int page_language(struct req *r)
{
	const char *code = req_form(r, "taal");
	int lang = code ? i18n_lang_from_code(code) : -1;
	if (lang < 0 || strlen(code) != 2)
		return CAMPUS_EINVAL;
	int rc = req_set_cookie(r, "taal", i18n_lang_codes[lang], ONE_YEAR);
	if (rc)
		return rc;
	r->lang = (enum lang)lang;
	req_flash(r, "taal");
	/* Back to where the switch was pressed; reply_redirect keeps it local. */
	const char *back = req_form(r, "terug");
	return reply_redirect(r, back ? back : "/");
}
