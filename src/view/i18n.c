#include "view/i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

const char *const i18n_lang_codes[LANG_COUNT] = {"nl", "en"};
const char *const i18n_lang_names[LANG_COUNT] = {"Nederlands", "English"};

#define MO_MAGIC 0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_MAX_SIZE ((size_t)16 << 20)

/* A catalogue: the .mo image and its two string tables. msgfmt writes the
 * original strings sorted, which makes a binary search enough. */
struct catalog {
	unsigned char *image;
	size_t size;
	uint32_t count;
	uint32_t orig_off;
	uint32_t trans_off;
	int swapped;
};

static struct catalog catalogs[LANG_COUNT];

static uint32_t mo_u32(const struct catalog *c, size_t off)
{
	uint32_t v;
	memcpy(&v, c->image + off, 4);
	return c->swapped ? __builtin_bswap32(v) : v;
}

/* String i of a table at `table`: checks it lies inside the image and is
 * NUL-terminated, so a corrupt file cannot make us read out of bounds. */
static const char *mo_string(const struct catalog *c, uint32_t table, uint32_t i)
{
	size_t entry = (size_t)table + (size_t)i * 8;
	uint32_t len = mo_u32(c, entry);
	uint32_t off = mo_u32(c, entry + 4);
	if ((size_t)off + len >= c->size || c->image[(size_t)off + len] != '\0')
		return NULL;
	return (const char *)c->image + off;
}

static int catalog_check(const struct catalog *c, struct buf *err)
{
	for (uint32_t i = 0; i < c->count; i++) {
		const char *o = mo_string(c, c->orig_off, i);
		const char *t = mo_string(c, c->trans_off, i);
		if (!o || !t) {
			buf_printf(err, "catalogue entry %u points outside the file", i);
			return CAMPUS_EINVAL;
		}
		if (i > 0 && strcmp(mo_string(c, c->orig_off, i - 1), o) >= 0) {
			buf_printf(err, "catalogue is not sorted at entry %u", i);
			return CAMPUS_EINVAL;
		}
	}
	return 0;
}

int i18n_load_mo(enum lang lang, const void *data, size_t len, struct buf *err)
{
	if (lang <= LANG_NL || lang >= LANG_COUNT)
		return CAMPUS_EINVAL;
	struct catalog c = {0};
	if (len < 28 || len > MO_MAX_SIZE) {
		buf_puts(err, "not a .mo catalogue (size)");
		return CAMPUS_EINVAL;
	}
	c.image = xmalloc(len);
	memcpy(c.image, data, len);
	c.size = len;
	uint32_t magic;
	memcpy(&magic, c.image, 4);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED) {
		buf_puts(err, "not a .mo catalogue (magic)");
		free(c.image);
		return CAMPUS_EINVAL;
	}
	c.swapped = magic == MO_MAGIC_SWAPPED;
	c.count = mo_u32(&c, 8);
	c.orig_off = mo_u32(&c, 12);
	c.trans_off = mo_u32(&c, 16);
	size_t table_bytes = (size_t)c.count * 8;
	if (c.count > len / 16 || c.orig_off > len || c.trans_off > len ||
	    len - c.orig_off < table_bytes || len - c.trans_off < table_bytes) {
		buf_puts(err, "not a .mo catalogue (tables)");
		free(c.image);
		return CAMPUS_EINVAL;
	}
	int rc = catalog_check(&c, err);
	if (rc) {
		free(c.image);
		return rc;
	}
	free(catalogs[lang].image);
	catalogs[lang] = c;
	return 0;
}

int i18n_load(const char *locale_dir, struct buf *err)
{
	for (int lang = LANG_NL + 1; lang < LANG_COUNT; lang++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/campus.mo", locale_dir,
		         i18n_lang_codes[lang]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			buf_printf(err, "%s: cannot open translation catalogue", path);
			return CAMPUS_EIO;
		}
		struct buf data;
		buf_init(&data, NULL, MO_MAX_SIZE);
		char chunk[8192];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_append(&data, chunk, n);
		int io_error = ferror(f);
		fclose(f);
		int rc = io_error ? CAMPUS_EIO : data.overflow ? CAMPUS_ETOOBIG : 0;
		if (!rc) {
			struct buf why;
			buf_init(&why, NULL, 512);
			rc = i18n_load_mo((enum lang)lang, data.data, data.len, &why);
			if (rc)
				buf_printf(err, "%s: %s", path, buf_cstr(&why));
			buf_fini(&why);
		} else {
			buf_printf(err, "%s: cannot read translation catalogue", path);
		}
		buf_fini(&data);
		if (rc)
			return rc;
	}
	return 0;
}

void i18n_unload(void)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		free(catalogs[i].image);
		memset(&catalogs[i], 0, sizeof catalogs[i]);
	}
}

const char *i18n_gettext(enum lang lang, const char *msgid)
{
	if (lang <= LANG_NL || lang >= LANG_COUNT || !msgid || !*msgid)
		return msgid;
	const struct catalog *c = &catalogs[lang];
	uint32_t lo = 0, hi = c->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(msgid, mo_string(c, c->orig_off, mid));
		if (cmp == 0) {
			const char *t = mo_string(c, c->trans_off, mid);
			return *t ? t : msgid;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}

int i18n_lang_from_code(const char *code)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		size_t n = strlen(i18n_lang_codes[i]);
		if (strncmp(code, i18n_lang_codes[i], n) == 0 && (code[n] == '\0' || code[n] == '-'))
			return i;
	}
	return -1;
}
