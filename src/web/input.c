/* Reading typed values out of forms, shared by the page handlers. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "http/req.h"
#include "view/i18n.h"
#include "web/web.h"

/* "263800000.00" or "263800000,00" euro -> cents; false when malformed. */
bool euros_parse(const char *s, int64_t *cents)
{
	char digits[32];
	size_t n = 0;
	int decimals = -1;
	for (const char *p = s; *p; p++) {
		if ((*p == '.' || *p == ',') && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || n + 1 >= sizeof digits || decimals >= 2)
			return false;
		digits[n++] = *p;
		if (decimals >= 0)
			decimals++;
	}
	for (; decimals < 2; decimals = decimals < 0 ? 1 : decimals + 1)
		if (n + 1 < sizeof digits)
			digits[n++] = '0';
	return n > 0 && str_to_int64(digits, n, cents);
}

int form_file_read(struct req *r, const char *name, size_t max, unsigned char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	const struct form_field *f = form_get_field(&r->form, name);
	if (!f || !f->tmp_path || f->size == 0)
		return 0;
	if (f->size > max)
		return CAMPUS_ETOOBIG;
	unsigned char *bytes = arena_alloc(r->arena, f->size);
	FILE *fp = fopen(f->tmp_path, "rb");
	if (!fp || !bytes) {
		if (fp)
			fclose(fp);
		return fp ? CAMPUS_ENOMEM : CAMPUS_EIO;
	}
	size_t got = fread(bytes, 1, f->size, fp);
	fclose(fp);
	if (got != f->size)
		return CAMPUS_EIO;
	*data = bytes;
	*len = got;
	return 0;
}

int form_ids(struct req *r, const char *name, size_t max, int64_t **ids, size_t *n)
{
	*n = 0;
	*ids = NULL;
	unsigned count = form_count(&r->form, name);
	if (count == 0)
		return 0;
	if (count > max)
		return CAMPUS_EINVAL;
	int64_t *out = arena_alloc(r->arena, count * sizeof *out);
	if (!out)
		return CAMPUS_ENOMEM;
	for (const struct form_field *f = r->form.first; f; f = f->next) {
		if (strcmp(f->name, name) != 0)
			continue;
		int64_t id;
		if (!f->value || !str_to_int64(f->value, strlen(f->value), &id) || id <= 0)
			return CAMPUS_EINVAL;
		out[(*n)++] = id;
	}
	*ids = out;
	return 0;
}

int path_id(struct req *r, const char *name, int64_t *id)
{
	const char *text = req_param(r, name);
	if (!text || !str_to_int64(text, strlen(text), id) || *id <= 0)
		return CAMPUS_ENOTFOUND;
	return 0;
}

const char *req_when(struct req *r, int64_t t, enum when_style style)
{
	return when_text(r->arena, t, i18n_lang_codes[r->lang], style);
}

const char *tenths_text(struct req *r, int64_t tenths)
{
	char text[24];
	const char *s = arena_strdup(r->arena, tenths_format(tenths, text, sizeof text));
	return s ? s : "";
}
