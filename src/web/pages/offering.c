/* An organisation's own offering (/b/<slug>/modules): providers place their
 * national modules, libraries their local ones. The route policy admits the
 * organisation's provider administrators and managers; each handler also
 * checks that the module named in the URL belongs to that organisation. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "domain/catalog.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

static bool is_library(const struct req *r)
{
	return !strcmp(r->org.kind, "library") || !strcmp(r->org.kind, "poi");
}

static json_t *page_base(struct req *r)
{
	const char *list = arena_printf(r->arena, "/b/%s/modules", r->org.slug);
	return json_pack("{s:s, s:s, s:b, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name,
	                 "org_slug", r->org.slug, "library", is_library(r), "breadcrumb", "href", "/mijn",
	                 "label", req_tr(r, "Mijn Campus"), "href", list ? list : "/mijn", "label",
	                 req_tr(r, "Eigen aanbod"));
}

static const char *date_short(struct req *r, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return "";
	return arena_printf(r->arena, "%02d-%02d-%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

int page_offering(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct module_summary *rows;
	size_t n;
	int rc = module_list_by_owner(&ctx, r->org.id, &rows, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:I, s:s, s:b, s:b, s:s}", "id", (json_int_t)rows[i].id,
		                    "title", rows[i].title, "number", (json_int_t)rows[i].number, "state",
		                    req_tr(r, module_state_label(rows[i].state)), "published",
		                    rows[i].published, "recognised", rows[i].recognised, "updated",
		                    date_short(r, rows[i].updated_at)));
	json_t *data = page_base(r);
	json_object_set_new(data, "modules", list);
	json_object_set_new(data, "count", json_integer((json_int_t)n));
	return reply_page(r, 200, "aanbod-beheer", data);
}

/* ---- the form ---- */

/* Choices for a <select> or radio group: {value, label, selected}. */
static json_t *choices(struct req *r, const char *const *values, size_t n,
                       const char *(*label)(const char *), const char *current)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", values[i], "label",
		                                      req_tr(r, label(values[i])), "selected",
		                                      current && !strcmp(current, values[i])));
	return list;
}

static bool in_list(int64_t id, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static json_t *tax_choice(const struct tax_entry *e, void *cls)
{
	const struct module_input *in = cls;
	bool checked = e->kind == TAX_DOMAIN ? in_list(e->id, in->domains, in->ndomains)
	               : e->kind == TAX_ROLE ? in_list(e->id, in->roles, in->nroles)
	                                     : in_list(e->id, in->competencies, in->ncompetencies);
	return json_pack("{s:I, s:s, s:b}", "id", (json_int_t)e->id, "name", e->name, "checked", checked);
}

/* The taxonomy as nested fieldsets, with the ticked entries. */
static int taxonomy_choices(struct req *r, const struct module_input *in, json_t **out)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct tax_entry *all;
	size_t n;
	int rc = taxonomy_list(&ctx, false, &all, &n);
	if (rc)
		return rc;
	*out = taxonomy_tree_json(all, n, tax_choice, (void *)in);
	/* A role's <details> stays open while anything in it is ticked. */
	size_t d, k, c;
	json_t *domain, *role, *comp;
	json_array_foreach(*out, d, domain) {
		json_array_foreach(json_object_get(domain, "roles"), k, role) {
			bool open = json_is_true(json_object_get(role, "checked"));
			json_array_foreach(json_object_get(role, "competencies"), c, comp)
				open = open || json_is_true(json_object_get(comp, "checked"));
			json_object_set_new(role, "open", json_boolean(open));
		}
	}
	return 0;
}

static int render_form(struct req *r, unsigned status, const struct module_input *in,
                       const char *load, const char *price, const struct module *m,
                       const struct module_problems *pr, const char *error)
{
	json_t *data = page_base(r);
	json_t *tax;
	int rc = taxonomy_choices(r, in, &tax);
	if (rc) {
		json_decref(data);
		return rc;
	}
	json_t *levels = json_array();
	json_array_append_new(levels, json_pack("{s:s, s:s, s:b}", "value", "", "label",
	                                        req_tr(r, "Geen niveau"), "selected",
	                                        !in->level || !*in->level));
	json_array_extend(levels, choices(r, taxonomy_levels, 3, taxonomy_level_label, in->level));
	json_t *form = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "title", in->title ? in->title : "", "summary", in->summary ? in->summary : "",
	    "description", in->description ? in->description : "", "goals", in->goals ? in->goals : "",
	    "prerequisites", in->prerequisites ? in->prerequisites : "", "place",
	    in->place ? in->place : "", "province", in->province ? in->province : "", "contact_name",
	    in->contact_name ? in->contact_name : "", "contact_email",
	    in->contact_email ? in->contact_email : "", "load", load ? load : "", "price",
	    price ? price : "", "levels", levels, "formats",
	    choices(r, module_formats, 4, module_format_label, in->format), "languages",
	    choices(r, module_languages, 4, module_language_label, in->language), "vats",
	    choices(r, module_vats, 4, module_vat_label, in->vat), "audiences",
	    choices(r, module_audiences, 3, module_audience_label, in->audience), "taxonomy", tax);
	if (pr && pr->n) {
		json_t *errors = json_array();
		for (size_t i = 0; i < pr->n; i++) {
			json_array_append_new(errors, json_pack("{s:s, s:s}", "field", pr->items[i].field,
			                                        "message", req_tr(r, pr->items[i].msgid)));
			/* The field's own message, next to it (aria-describedby). */
			if (*pr->items[i].field)
				json_object_set_new(form, arena_printf(r->arena, "error_%s", pr->items[i].field),
				                    json_string(req_tr(r, pr->items[i].msgid)));
			/* Domain, role and competency share one fieldset and one message block. */
			if (!strcmp(pr->items[i].field, "domein") || !strcmp(pr->items[i].field, "rol") ||
			    !strcmp(pr->items[i].field, "competentie"))
				json_object_set_new(form, "error_tax", json_true());
		}
		json_object_set_new(data, "errors", errors);
	}
	if (error)
		json_object_set_new(data, "error", json_string(error));
	json_object_set_new(data, "form", form);
	json_object_set_new(data, "form_action",
	                    m ? json_sprintf("/b/%s/modules/%lld", r->org.slug, (long long)m->id)
	                      : json_sprintf("/b/%s/modules/nieuw", r->org.slug));
	if (m) {
		json_t *module = module_json(r, m);
		json_object_set_new(module, "image_src",
		                    json_sprintf("/b/%s/modules/%lld/afbeelding", r->org.slug, (long long)m->id));
		json_object_set_new(data, "module", module);
		json_object_set_new(data, "published", json_boolean(m->published_version_id != 0));
		json_object_set_new(data, "working_is_published",
		                    json_boolean(m->published_version_id == m->working_version_id));
		json_object_set_new(data, "recognised", json_boolean(m->recognised_version_id != 0));
		json_object_set_new(data, "has_image", json_boolean(m->v.has_image));
	}
	return reply_page(r, status, m ? "module-bewerken" : "module-nieuw", data);
}

/* The form's fields as a module_input; CAMPUS_EINVAL with *why for a field
 * that is malformed before validation (numbers, ids, the image). */
static int read_form(struct req *r, struct module_input *in, struct module_problems *pr)
{
	memset(in, 0, sizeof *in);
	pr->n = 0;
	in->title = req_form(r, "titel");
	in->summary = req_form(r, "samenvatting");
	in->description = req_form(r, "beschrijving");
	in->goals = req_form(r, "leerdoelen");
	in->prerequisites = req_form(r, "voorkennis");
	in->level = req_form(r, "niveau");
	in->format = req_form(r, "vorm");
	in->language = req_form(r, "taal");
	in->vat = req_form(r, "btw");
	in->audience = req_form(r, "doelgroep");
	in->place = req_form(r, "plaats");
	in->province = req_form(r, "provincie");
	in->contact_name = req_form(r, "contactpersoon");
	in->contact_email = req_form(r, "contactemail");
	const char *load = req_form(r, "studielast");
	if (!tenths_parse(load, &in->load_tenths))
		pr->items[pr->n++] = (struct module_problem){"studielast", N_("Schrijf de studielast in uren, bijvoorbeeld 4 of 2,5.")};
	const char *price = req_form(r, "prijs");
	if (!price || !*price)
		in->price_cents = 0;
	else if (!euros_parse(price, &in->price_cents))
		pr->items[pr->n++] = (struct module_problem){"prijs", N_("Schrijf de prijs als een bedrag in euro, bijvoorbeeld 145 of 89,50.")};
	int64_t *ids;
	size_t n;
	int rc = form_ids(r, "domein", MODULE_TAGS_MAX, &ids, &n);
	in->domains = ids, in->ndomains = n;
	if (!rc)
		rc = form_ids(r, "rol", MODULE_TAGS_MAX, &ids, &n), in->roles = ids, in->nroles = n;
	if (!rc)
		rc = form_ids(r, "competentie", MODULE_TAGS_MAX, &ids, &n), in->competencies = ids,
		in->ncompetencies = n;
	if (rc == CAMPUS_EINVAL)
		pr->items[pr->n++] = (struct module_problem){"domein", N_("De keuze uit het beroepsprofiel is ongeldig of te groot (hoogstens 24 per soort).")};
	else if (rc)
		return rc;
	unsigned char *image;
	size_t image_len;
	rc = form_file_read(r, "afbeelding", MODULE_IMAGE_MAX_BYTES, &image, &image_len);
	if (rc == CAMPUS_ETOOBIG)
		pr->items[pr->n++] = (struct module_problem){"afbeelding", N_("De afbeelding is te groot (hoogstens 1 MB).")};
	else if (rc)
		return rc;
	in->image = image;
	in->image_len = image_len;
	in->remove_image = req_form(r, "afbeelding_weg") != NULL;
	return pr->n ? CAMPUS_EINVAL : 0;
}

/* After read_form found malformed fields, the other fields are checked too,
 * so that one answer names every problem; a field keeps its first message. */
static int add_other_problems(struct req *r, const struct module_input *in,
                              struct module_problems *pr)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct module_problems more = {0};
	int rc = module_validate(&ctx, in, &more);
	if (rc && rc != CAMPUS_EINVAL)
		return rc;
	for (size_t i = 0; i < more.n && pr->n < MODULE_PROBLEMS_MAX; i++) {
		bool named = false;
		for (size_t k = 0; k < pr->n && !named; k++)
			named = !strcmp(pr->items[k].field, more.items[i].field);
		if (!named)
			pr->items[pr->n++] = more.items[i];
	}
	return CAMPUS_EINVAL;
}

static unsigned problem_status(int rc)
{
	return rc == CAMPUS_ECONFLICT ? 409 : 400;
}

int page_offering_new(struct req *r)
{
	struct module_input in;
	struct module_problems pr = {0};
	if (r->method != HTTP_POST) {
		memset(&in, 0, sizeof in);
		in.format = "classroom";
		in.language = "nl";
		in.vat = "crkbo";
		in.audience = "both";
		in.place = r->org.place;
		in.province = r->org.province;
		return render_form(r, 200, &in, "", "", NULL, NULL, NULL);
	}
	int rc = read_form(r, &in, &pr);
	if (rc == CAMPUS_EINVAL)
		rc = add_other_problems(r, &in, &pr);
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id = 0;
	if (!rc)
		rc = module_create(&ctx, r->org.id, is_library(r) ? r->org.id : 0, &in, &id, &pr);
	if (rc == CAMPUS_EINVAL) {
		r->error = rc;
		return render_form(r, 400, &in, req_form(r, "studielast"), req_form(r, "prijs"), NULL, &pr,
		                   req_tr(r, "De module is niet opgeslagen. Verbeter de gemarkeerde velden."));
	}
	if (rc)
		return rc;
	req_flash(r, "module_nieuw");
	const char *to = arena_printf(r->arena, "/b/%s/modules/%lld", r->org.slug, (long long)id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

/* The module of :id, of this organisation only (else 404). */
static int own_module(struct req *r, struct module *m)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = module_get(&ctx, id, MODULE_WORKING, m)))
		return rc;
	return m->provider_id == r->org.id ? 0 : CAMPUS_ENOTFOUND;
}

/* The stored version as form input, for showing the edit form. */
static void input_from(const struct module *m, struct module_input *in, struct arena *arena)
{
	const struct module_version *v = &m->v;
	*in = (struct module_input){
	    .title = v->title, .summary = v->summary, .description = v->description,
	    .goals = v->goals, .prerequisites = v->prerequisites, .level = v->level,
	    .format = v->format, .language = v->language, .vat = v->vat, .audience = v->audience,
	    .place = v->place, .province = v->province, .contact_name = v->contact_name,
	    .contact_email = v->contact_email, .load_tenths = v->load_tenths,
	    .price_cents = v->price_cents};
	int64_t *ids = arena_alloc(arena, (v->ntags + 1) * sizeof *ids);
	if (!ids)
		return;
	size_t k = 0;
	const char kinds[] = {'d', 'r', 'c'};
	const int64_t **lists[] = {&in->domains, &in->roles, &in->competencies};
	size_t *counts[] = {&in->ndomains, &in->nroles, &in->ncompetencies};
	for (size_t t = 0; t < 3; t++) {
		*lists[t] = ids + k;
		for (size_t i = 0; i < v->ntags; i++)
			if (v->tags[i].kind == kinds[t])
				ids[k++] = v->tags[i].id;
		*counts[t] = (size_t)(ids + k - *lists[t]);
	}
}

/* The edit form filled with the stored working version. */
static int render_stored(struct req *r, unsigned status, const struct module *m, const char *error)
{
	struct module_input in;
	char load[24], price[32];
	input_from(m, &in, r->arena);
	tenths_format(m->v.load_tenths, load, sizeof load);
	snprintf(price, sizeof price, "%lld,%02lld", (long long)(m->v.price_cents / 100),
	         (long long)(m->v.price_cents % 100));
	return render_form(r, status, &in, load, price, m, NULL, error);
}

int page_offering_edit(struct req *r)
{
	struct module m;
	int rc = own_module(r, &m);
	if (rc)
		return rc;
	if (r->method != HTTP_POST)
		return render_stored(r, 200, &m, NULL);
	struct module_input in;
	struct module_problems pr = {0};
	bool new_version = false;
	rc = read_form(r, &in, &pr);
	if (rc == CAMPUS_EINVAL)
		rc = add_other_problems(r, &in, &pr);
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (!rc)
		rc = module_update(&ctx, m.id, &in, &new_version, &pr);
	if (rc == CAMPUS_EINVAL || (rc == CAMPUS_ECONFLICT && pr.n)) {
		r->error = rc;
		return render_form(r, problem_status(rc), &in, req_form(r, "studielast"),
		                   req_form(r, "prijs"), &m, &pr,
		                   req_tr(r, "De wijzigingen zijn niet opgeslagen."));
	}
	if (rc)
		return rc;
	req_flash(r, new_version ? "module_nieuwe_versie" : "module_opgeslagen");
	const char *to = arena_printf(r->arena, "/b/%s/modules/%lld", r->org.slug, (long long)m.id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

int page_offering_publish(struct req *r)
{
	struct module m;
	int rc = own_module(r, &m);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *action = req_form(r, "actie");
	const char *why = NULL;
	if (action && !strcmp(action, "publiceren"))
		rc = module_publish(&ctx, m.id, &why);
	else if (action && !strcmp(action, "verbergen"))
		rc = module_unpublish(&ctx, m.id);
	else
		return CAMPUS_EINVAL;
	if (rc == CAMPUS_ECONFLICT && why) {
		r->error = rc;
		return render_stored(r, 409, &m, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, !strcmp(action, "publiceren") ? "module_gepubliceerd" : "module_verborgen");
	const char *to = arena_printf(r->arena, "/b/%s/modules/%lld", r->org.slug, (long long)m.id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

int page_offering_image(struct req *r)
{
	struct module m;
	int rc = own_module(r, &m);
	return rc ? rc : reply_module_image(r, m.v.id);
}
