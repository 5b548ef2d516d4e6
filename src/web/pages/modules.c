/* A module's public page: everything a learner needs to decide, for the
 * published version, to those who may see it (a library's local module only
 * for its own people; others get 404, as if it did not exist). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/catalog.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "view/markdown.h"
#include "web/web.h"

static const char *euros(struct req *r, int64_t cents)
{
	if (cents == 0)
		return req_tr(r, "Gratis");
	return cents % 100 ? arena_printf(r->arena, "€ %lld,%02lld", (long long)(cents / 100),
	                                  (long long)(cents % 100))
	                   : arena_printf(r->arena, "€ %lld", (long long)(cents / 100));
}

/* "12 januari 2027" in Amsterdam time. */
static const char *date_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_LONG_DATE); }

/* Lines of text as a list, blank lines left out. */
static json_t *lines(const char *text)
{
	json_t *list = json_array();
	const char *p = text;
	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t start = 0;
		while (start < n && (p[start] == ' ' || p[start] == '-' || p[start] == '*' || p[start] == '\r'))
			start++;
		while (n > start && (p[n - 1] == ' ' || p[n - 1] == '\r'))
			n--;
		if (n > start)
			json_array_append_new(list, json_stringn(p + start, n - start));
		p = end ? end + 1 : NULL;
	}
	return list;
}

/* NULL for "": a section in a template renders for "", so an empty fact
 * would show as a label without a value. */
static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

json_t *module_json(struct req *r, const struct module *m)
{
	const struct module_version *v = &m->v;
	char load[24], points[24], rload[24];
	json_t *tags = json_object();
	static const char *const tag_keys[] = {"domains", "roles", "competencies"};
	static const char tag_kinds[] = {'d', 'r', 'c'};
	for (size_t k = 0; k < 3; k++) {
		json_t *list = json_array();
		for (size_t i = 0; i < v->ntags; i++)
			if (v->tags[i].kind == tag_kinds[k])
				json_array_append_new(list, json_pack("{s:I, s:s}", "id", (json_int_t)v->tags[i].id,
				                                      "name", v->tags[i].name));
		json_object_set_new(tags, tag_keys[k], list);
	}
	const char *html = markdown_html(r->arena, v->description, strlen(v->description));
	json_t *data = json_pack(
	    "{s:I, s:I, s:I, s:s, s:s, s:s?, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?,"
	    " s:s?, s:s, s:b, s:o, s:b, s:s, s:s?}",
	    "id", (json_int_t)m->id, "version_id", (json_int_t)v->id, "number", (json_int_t)v->number,
	    "title", v->title, "summary", v->summary, "description_html", html, "goals", lines(v->goals),
	    "prerequisites", lines(v->prerequisites), "format", req_tr(r, module_format_label(v->format)),
	    "language", req_tr(r, module_language_label(v->language)), "audience",
	    req_tr(r, module_audience_label(v->audience)), "price", euros(r, v->price_cents), "vat",
	    req_tr(r, module_vat_label(v->vat)), "load", tenths_format(v->load_tenths, load, sizeof load),
	    "place", nonempty(v->place), "province", nonempty(v->province), "contact_name",
	    nonempty(v->contact_name), "contact_email", nonempty(v->contact_email), "state",
	    req_tr(r, module_state_label(v->state)),
	    "has_image", v->has_image, "tags", tags, "local", m->local_org_id != 0, "provider",
	    m->provider_name, "local_org", m->local_org_name);
	json_object_set_new(data, "image_src", json_sprintf("/aanbod/%lld/afbeelding", (long long)m->id));
	if (v->level)
		json_object_set_new(data, "level", json_string(req_tr(r, taxonomy_level_label(v->level))));
	if (v->has_points) {
		json_object_set_new(data, "recognition",
		                    json_pack("{s:s, s:s, s:s, s:s}", "points",
		                              tenths_format(v->points_tenths, points, sizeof points), "load",
		                              tenths_format(v->recognised_load_tenths, rload, sizeof rload),
		                              "since", date_text(r, v->recognised_at), "until",
		                              date_text(r, v->valid_until)));
	}
	return data;
}

/* The published module named by :id, if this visitor may see it. */
static int visible_module(struct req *r, struct module *m)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = module_get(&ctx, id, MODULE_PUBLISHED, m)))
		return rc;
	bool may;
	if ((rc = catalog_may_see(&ctx, m, &may)))
		return rc;
	return may ? 0 : CAMPUS_ENOTFOUND;
}

int page_module(struct req *r)
{
	struct module m;
	int rc = visible_module(r, &m);
	if (rc)
		return rc;
	json_t *data = json_pack("{s:o, s:[{s:s, s:s}]}", "module", module_json(r, &m), "breadcrumb",
	                         "href", "/aanbod", "label", req_tr(r, "Aanbod"));
	json_t *editions;
	if ((rc = module_editions_json(r, m.id, m.v.format, &editions))) {
		json_decref(data);
		return rc;
	}
	json_object_set_new(data, "editions", editions);
	if (catalog_may_edit(&r->actor, &m) && r->actor.org_id == m.provider_id)
		json_object_set_new(data, "manage",
		                    json_sprintf("/b/%s/modules/%lld", m.provider_slug, (long long)m.id));
	return reply_page(r, 200, "module", data);
}

int reply_module_image(struct req *r, int64_t version_id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const unsigned char *bytes;
	size_t len;
	const char *type;
	int rc = module_image(&ctx, version_id, &bytes, &len, &type);
	if (rc)
		return rc;
	/* No Cache-Control of its own: the server's no-store applies. Owners replace
	 * an image in place, there is no validator to revalidate with, and a local
	 * module's image is for its library's people only. */
	return reply_text(r, 200, type, (const char *)bytes, len);
}

int page_module_image(struct req *r)
{
	struct module m;
	int rc = visible_module(r, &m);
	return rc ? rc : reply_module_image(r, m.v.id);
}
