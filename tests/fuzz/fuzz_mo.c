/* Translation catalogues: a corrupt .mo image must be refused, never read
 * out of bounds; a loaded one must answer lookups safely. */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "view/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err;
	buf_init(&err, NULL, 1024);
	if (i18n_load_mo(LANG_EN, data, size, &err) == 0) {
		i18n_gettext(LANG_EN, "Welkom bij Campus");
		i18n_gettext(LANG_EN, "");
		i18n_gettext(LANG_EN, "zzzz");
	}
	i18n_unload();
	buf_fini(&err);
	return 0;
}
