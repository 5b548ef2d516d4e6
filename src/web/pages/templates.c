/* Template preview: the people who adapt e-mail and certificate templates try
 * a template against sample data, in the browser (this page) or through the
 * API, with the same plain Mustache semantics as `campus template render`. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "http/req.h"
#include "view/tmpl.h"
#include "web/web.h"

#define TEMPLATE_MAX ((size_t)256 * 1024)
#define OUTPUT_MAX ((size_t)1024 * 1024)

int template_tool_render(const char *src, size_t len, const json_t *data, const json_t *partials,
                         struct buf *out, struct buf *err)
{
	struct tmpl_set *set = tmpl_set_new(TMPL_PLAIN);
	int rc = 0;
	const char *name;
	json_t *value;
	json_object_foreach((json_t *)partials, name, value)
	{
		if (!json_is_string(value)) {
			buf_printf(err, "partial \"%s\" is not a string", name);
			rc = CAMPUS_EINVAL;
			break;
		}
		rc = tmpl_set_add(set, name, json_string_value(value), json_string_length(value), name, err);
		if (rc)
			break;
	}
	if (!rc)
		rc = tmpl_set_add(set, "sjabloon", src, len, "sjabloon", err);
	if (!rc)
		rc = tmpl_set_link(set, err);
	if (!rc)
		rc = tmpl_render(set, "sjabloon", data, NULL, out, err);
	tmpl_set_free(set);
	return rc ? (rc == CAMPUS_ETOOBIG ? rc : CAMPUS_EINVAL) : 0;
}

/* A field typed in the textarea, or else the uploaded file of the same purpose. */
static int form_text(struct req *r, const char *field, const char *file_field, const char **out,
                     size_t *len)
{
	const struct form_field *f = form_get_field(&r->form, file_field);
	if (f && f->tmp_path && f->size > 0) {
		if (f->size > TEMPLATE_MAX)
			return CAMPUS_ETOOBIG;
		FILE *fp = fopen(f->tmp_path, "rb");
		char *data = arena_alloc(r->arena, f->size + 1);
		if (!fp || !data) {
			if (fp)
				fclose(fp);
			return fp ? CAMPUS_ENOMEM : CAMPUS_EIO;
		}
		size_t n = fread(data, 1, f->size, fp);
		fclose(fp);
		data[n] = '\0';
		if (!utf8_valid(data, n))
			return CAMPUS_EINVAL;
		*out = data;
		*len = n;
		return 0;
	}
	const char *v = req_form(r, field);
	*out = v ? v : "";
	*len = strlen(*out);
	return 0;
}

int page_template_preview(struct req *r)
{
	json_t *page = json_pack("{s:[{s:s, s:s}]}", "breadcrumb", "href", "/", "label", req_tr(r, "Startpagina"));
	if (r->method != HTTP_POST) {
		json_object_set_new(page, "data_text", json_string("{\n  \"naam\": \"Fatima\"\n}"));
		json_object_set_new(page, "template_text", json_string("Beste {{naam}},"));
		return reply_page(r, 200, "sjablonen", page);
	}
	const char *src, *data_text;
	size_t src_len, data_len;
	int rc = form_text(r, "sjabloon", "sjabloon_bestand", &src, &src_len);
	if (!rc)
		rc = form_text(r, "gegevens", "gegevens_bestand", &data_text, &data_len);
	if (rc) {
		json_decref(page);
		return rc;
	}
	json_object_set_new(page, "template_text", json_stringn(src, src_len));
	json_object_set_new(page, "data_text", json_stringn(data_text, data_len));

	struct buf err, out;
	buf_init(&err, r->arena, 4096);
	buf_init(&out, r->arena, OUTPUT_MAX);
	json_error_t jerr;
	json_t *data = json_loadb(data_text, data_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!data) {
		buf_printf(&err, "%s %d, %s %d: %s", req_tr(r, "gegevens, regel"), jerr.line,
		           req_tr(r, "kolom"), jerr.column, jerr.text);
		rc = CAMPUS_EINVAL;
	} else {
		rc = template_tool_render(src, src_len, data, NULL, &out, &err);
		json_decref(data);
	}
	unsigned status = 200;
	if (rc) {
		status = rc == CAMPUS_ETOOBIG ? 413 : 400;
		r->error = rc; /* for the access log */
		json_object_set_new(page, "error", json_string(buf_cstr(&err)));
	} else {
		json_object_set_new(page, "output", json_stringn(out.data ? out.data : "", out.len));
	}
	return reply_page(r, status, "sjablonen", page);
}
