/* /api/v1/provider/...: a provider's (or library's) own systems place and
 * change their modules and read the committee's verdict, with an API token
 * of that organisation (Authorization: Bearer). The route policy checks the
 * token's scope; each handler checks that the module is the token's
 * organisation's, and answers 404 otherwise. Documented in
 * static/openapi.json (served at /api/v1/openapi.json). */
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/catalog.h"
#include "domain/review.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

/* Form field names (what the domain reports) to the API's. */
static const struct {
	const char *form, *api;
} field_names[] = {
    {"titel", "title"},         {"samenvatting", "summary"},    {"beschrijving", "description"},
    {"leerdoelen", "goals"},    {"voorkennis", "prerequisites"}, {"niveau", "level"},
    {"vorm", "format"},         {"taal", "language"},           {"btw", "vat"},
    {"doelgroep", "audience"},  {"studielast", "study_load_hours"}, {"prijs", "price_cents"},
    {"plaats", "place"},        {"provincie", "province"},      {"contactpersoon", "contact.name"},
    {"contactemail", "contact.email"}, {"domein", "domains"},    {"rol", "roles"},
    {"competentie", "competencies"}, {"afbeelding", "image"},
};

static const char *api_field(const char *form)
{
	for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
		if (!strcmp(field_names[i].form, form))
			return field_names[i].api;
	return form;
}

/* from_domain: the fields are the domain's (form) names, to be mapped;
 * read_body's problems already carry the API's names. */
static int reply_problems(struct req *r, unsigned status, const struct module_problems *pr,
                          bool from_domain)
{
	json_t *list = json_array();
	for (size_t i = 0; i < pr->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "field",
		                                      from_domain ? api_field(pr->items[i].field)
		                                                  : pr->items[i].field,
		                                      "message", req_tr(r, pr->items[i].msgid)));
	r->error = CAMPUS_EINVAL;
	return reply_json(r, status,
	                  json_pack("{s:{s:s, s:s, s:o, s:s}}", "error", "code",
	                            status == 409 ? "conflict" : "invalid", "message",
	                            req_tr(r, "De module is niet opgeslagen. Verbeter de gemarkeerde velden."),
	                            "problems", list, "request_id", r->id));
}

static void add_problem(struct module_problems *pr, const char *field, const char *msgid)
{
	if (pr->n < MODULE_PROBLEMS_MAX)
		pr->items[pr->n++] = (struct module_problem){field, msgid};
}

/* ---- JSON in ---- */

static const char *const known_fields[] = {
    "title", "summary", "description", "goals", "prerequisites", "level", "format", "language",
    "vat", "audience", "place", "province", "contact", "study_load_hours", "price_cents",
    "domains", "roles", "competencies"};

static const char *str_field(json_t *body, const char *key, const char *form,
                             struct module_problems *pr)
{
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		add_problem(pr, form, N_("Dit veld moet tekst zijn."));
		return NULL;
	}
	return json_string_value(v);
}

/* An array of strings as lines of text. */
static const char *lines_field(struct req *r, json_t *body, const char *key, const char *form,
                               struct module_problems *pr)
{
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_array(v)) {
		add_problem(pr, form, N_("Dit veld moet een lijst van teksten zijn."));
		return NULL;
	}
	struct buf b;
	buf_init(&b, r->arena, MODULE_TEXT_MAX + 1);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		const char *line = json_string_value(item);
		if (!line || strchr(line, '\n')) {
			add_problem(pr, form, N_("Dit veld moet een lijst van teksten zijn."));
			return NULL;
		}
		if (i)
			buf_putc(&b, '\n');
		buf_puts(&b, line);
	}
	if (b.overflow) {
		add_problem(pr, form, N_("Deze tekst is te lang."));
		return NULL;
	}
	return buf_cstr(&b);
}

static void ids_field(struct req *r, json_t *body, const char *key, const char *form,
                      const int64_t **ids, size_t *n, struct module_problems *pr)
{
	*ids = NULL;
	*n = 0;
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > MODULE_TAGS_MAX) {
		add_problem(pr, form, N_("Dit veld moet een lijst van hoogstens 24 nummers zijn."));
		return;
	}
	int64_t *out = arena_alloc(r->arena, (json_array_size(v) + 1) * sizeof *out);
	if (!out)
		return;
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (!json_is_integer(item) || json_integer_value(item) <= 0) {
			add_problem(pr, form, N_("Dit veld moet een lijst van hoogstens 24 nummers zijn."));
			return;
		}
		out[i] = json_integer_value(item);
	}
	*ids = out;
	*n = json_array_size(v);
}

/* The request body as module input; problems for wrong types and unknown fields. */
static void read_body(struct req *r, struct module_input *in, struct module_problems *pr)
{
	memset(in, 0, sizeof *in);
	pr->n = 0;
	json_t *body = r->json;
	if (!json_is_object(body)) {
		add_problem(pr, "", N_("De inhoud moet een JSON-object zijn."));
		return;
	}
	const char *key;
	json_t *value;
	json_object_foreach(body, key, value) {
		size_t i = 0;
		while (i < sizeof known_fields / sizeof known_fields[0] && strcmp(known_fields[i], key))
			i++;
		if (i == sizeof known_fields / sizeof known_fields[0]) {
			/* A typo must not pass silently as "field left out". */
			add_problem(pr, key, N_("Onbekend veld."));
			return;
		}
	}
	in->title = str_field(body, "title", "title", pr);
	in->summary = str_field(body, "summary", "summary", pr);
	in->description = str_field(body, "description", "description", pr);
	in->goals = lines_field(r, body, "goals", "goals", pr);
	in->prerequisites = lines_field(r, body, "prerequisites", "prerequisites", pr);
	in->level = str_field(body, "level", "level", pr);
	in->format = str_field(body, "format", "format", pr);
	in->language = str_field(body, "language", "language", pr);
	in->vat = str_field(body, "vat", "vat", pr);
	in->audience = str_field(body, "audience", "audience", pr);
	in->place = str_field(body, "place", "place", pr);
	in->province = str_field(body, "province", "province", pr);
	json_t *contact = json_object_get(body, "contact");
	if (contact && !json_is_null(contact)) {
		if (!json_is_object(contact) || json_object_size(contact) >
		                                    (size_t)(json_object_get(contact, "name") != NULL) +
		                                        (json_object_get(contact, "email") != NULL))
			add_problem(pr, "contact.name", N_("Geef contact als object met name en email."));
		else {
			in->contact_name = str_field(contact, "name", "contact.name", pr);
			in->contact_email = str_field(contact, "email", "contact.email", pr);
		}
	}
	json_t *load = json_object_get(body, "study_load_hours");
	if (!json_is_number(load)) {
		add_problem(pr, "study_load_hours", N_("Geef de studielast in uren als getal, bijvoorbeeld 2.5."));
	} else {
		/* Whole tenths of an hour only: 2.5 yes, 2.55 no. */
		double hours = json_number_value(load);
		double tenths = (double)(int64_t)(hours * 10 + 0.5);
		double off = tenths - hours * 10;
		if (!(hours > 0) || hours > MODULE_LOAD_MAX_TENTHS / 10.0 || off > 1e-6 || off < -1e-6)
			add_problem(pr, "study_load_hours", N_("Vul een studielast in tussen 0,1 en 1000 uur."));
		else
			in->load_tenths = (int64_t)tenths;
	}
	json_t *price = json_object_get(body, "price_cents");
	if (price && !json_is_null(price)) {
		if (!json_is_integer(price))
			add_problem(pr, "price_cents", N_("Geef de prijs in eurocenten als geheel getal."));
		else
			in->price_cents = json_integer_value(price);
	}
	ids_field(r, body, "domains", "domains", &in->domains, &in->ndomains, pr);
	ids_field(r, body, "roles", "roles", &in->roles, &in->nroles, pr);
	ids_field(r, body, "competencies", "competencies", &in->competencies, &in->ncompetencies, pr);
}

/* ---- JSON out ---- */

static json_t *iso_date(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char text[16];
	if (!gmtime_r(&tt, &tm) || !strftime(text, sizeof text, "%Y-%m-%d", &tm))
		return json_null();
	return json_string(text);
}

static json_t *text_lines(const char *text)
{
	json_t *list = json_array();
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			json_array_append_new(list, json_stringn(p, n));
		p += n;
		if (*p)
			p++;
	}
	return list;
}

static json_t *version_json(const struct module_version *v)
{
	json_t *tags[3] = {json_array(), json_array(), json_array()};
	for (size_t i = 0; i < v->ntags; i++)
		json_array_append_new(tags[v->tags[i].kind == 'd' ? 0 : v->tags[i].kind == 'r' ? 1 : 2],
		                      json_integer(v->tags[i].id));
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s?, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:{s:s, s:s}, s:f, s:I, s:o, s:o, s:o, s:b}",
	    "number", (json_int_t)v->number, "state", v->state, "title", v->title, "summary",
	    v->summary, "description", v->description, "goals", text_lines(v->goals), "prerequisites",
	    text_lines(v->prerequisites), "level", v->level, "format", v->format, "language",
	    v->language, "vat", v->vat, "audience", v->audience, "place", v->place, "province",
	    v->province, "contact", "name", v->contact_name, "email", v->contact_email,
	    "study_load_hours", (double)v->load_tenths / 10.0, "price_cents",
	    (json_int_t)v->price_cents, "domains", tags[0], "roles", tags[1], "competencies", tags[2],
	    "has_image", v->has_image);
	if (v->has_points)
		json_object_set_new(o, "recognition",
		                    json_pack("{s:f, s:f, s:o, s:o}", "points",
		                              (double)v->points_tenths / 10.0, "study_load_hours",
		                              (double)v->recognised_load_tenths / 10.0, "recognised_on",
		                              iso_date(v->recognised_at), "valid_until",
		                              iso_date(v->valid_until)));
	return o;
}

static int module_reply(struct req *r, unsigned status, int64_t id)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct module m;
	int rc = module_get(&ctx, id, MODULE_WORKING, &m);
	if (rc)
		return rc;
	json_t *o = json_pack("{s:I, s:s, s:b, s:o, s:b, s:b, s:o}", "id", (json_int_t)m.id, "url",
	                      "", "local", m.local_org_id != 0, "working_version", version_json(&m.v),
	                      "published", m.published_version_id != 0, "recognised",
	                      m.recognised_version_id != 0, "review", json_null());
	json_object_set_new(o, "url", json_sprintf("/aanbod/%lld", (long long)m.id));
	if (m.published_version_id && m.published_version_id != m.working_version_id) {
		struct module pub;
		if ((rc = module_get(&ctx, id, MODULE_PUBLISHED, &pub))) {
			json_decref(o);
			return rc;
		}
		json_object_set_new(o, "published_version", version_json(&pub.v));
	}
	struct review_brief rv;
	rc = module_latest_review(&ctx, id, &rv);
	if (rc == 0)
		json_object_set_new(o, "review",
		                    json_pack("{s:s, s:I, s:o, s:o, s:s}", "state", rv.state, "version",
		                              (json_int_t)rv.version_number, "submitted_on",
		                              iso_date(rv.submitted_at), "decided_on",
		                              rv.decided_at ? iso_date(rv.decided_at) : json_null(),
		                              "reason", rv.reason));
	else if (rc != CAMPUS_ENOTFOUND) {
		json_decref(o);
		return rc;
	}
	if (status == 201)
		req_add_header(r, "Location",
		               arena_printf(r->arena, "/api/v1/provider/modules/%lld", (long long)id));
	return reply_json(r, status, o);
}

/* The token's organisation's module of :id; 404 for anyone else's. */
static int own_module_id(struct req *r, int64_t *id)
{
	int rc = path_id(r, "id", id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct module m;
	if ((rc = module_get(&ctx, *id, MODULE_WORKING, &m)))
		return rc;
	return m.provider_id == r->actor.org_id && catalog_may_edit(&r->actor, &m) ? 0 : CAMPUS_ENOTFOUND;
}

/* ---- handlers ---- */

int api_provider_modules(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (r->method == HTTP_POST) {
		if (!(r->actor.flags & ACTOR_API_WRITE))
			return CAMPUS_EFORBIDDEN;
		struct module_input in;
		struct module_problems pr;
		read_body(r, &in, &pr);
		if (pr.n)
			return reply_problems(r, 400, &pr, false);
		struct org owner;
		int rc = org_get(&ctx, r->actor.org_id, &owner);
		if (rc)
			return rc;
		bool library = !strcmp(owner.kind, "library") || !strcmp(owner.kind, "poi");
		int64_t id;
		rc = module_create(&ctx, owner.id, library ? owner.id : 0, &in, &id, &pr);
		if (rc == CAMPUS_EINVAL)
			return reply_problems(r, 400, &pr, true);
		return rc ? rc : module_reply(r, 201, id);
	}
	struct module_summary *rows;
	size_t n;
	int rc = module_list_by_owner(&ctx, r->actor.org_id, &rows, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:s, s:b, s:b}", "id",
		                                      (json_int_t)rows[i].id, "title", rows[i].title,
		                                      "version", (json_int_t)rows[i].number, "state",
		                                      rows[i].state, "published", rows[i].published,
		                                      "recognised", rows[i].recognised));
	return reply_json(r, 200, json_pack("{s:o, s:I}", "modules", list, "count", (json_int_t)n));
}

int api_provider_module(struct req *r)
{
	int64_t id;
	int rc = own_module_id(r, &id);
	if (rc)
		return rc;
	if (r->method != HTTP_PUT)
		return module_reply(r, 200, id);
	if (!(r->actor.flags & ACTOR_API_WRITE))
		return CAMPUS_EFORBIDDEN;
	struct module_input in;
	struct module_problems pr;
	read_body(r, &in, &pr);
	if (pr.n)
		return reply_problems(r, 400, &pr, false);
	struct ctx ctx;
	req_ctx(r, &ctx);
	bool new_version;
	rc = module_update(&ctx, id, &in, &new_version, &pr);
	if (rc == CAMPUS_EINVAL || (rc == CAMPUS_ECONFLICT && pr.n))
		return reply_problems(r, rc == CAMPUS_ECONFLICT ? 409 : 400, &pr, true);
	return rc ? rc : module_reply(r, 200, id);
}

int api_provider_module_publish(struct req *r)
{
	int64_t id;
	int rc = own_module_id(r, &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *action = req_param(r, "action");
	const char *why = NULL;
	int64_t review_id;
	struct review_brief latest;
	if (action && !strcmp(action, "publish"))
		rc = module_publish(&ctx, id, &why);
	else if (action && !strcmp(action, "unpublish"))
		rc = module_unpublish(&ctx, id);
	else if (action && !strcmp(action, "submit"))
		rc = review_submit(&ctx, id, &review_id, &why);
	else if (action && !strcmp(action, "withdraw")) {
		rc = module_latest_review(&ctx, id, &latest);
		if (rc == CAMPUS_ENOTFOUND) {
			why = N_("Deze module ligt niet bij de toetsingscommissie.");
			rc = CAMPUS_ECONFLICT;
		} else if (!rc) {
			rc = review_withdraw(&ctx, latest.id, &why);
		}
	} else
		return CAMPUS_ENOTFOUND;
	if (why)
		return reply_error(r, rc ? rc : CAMPUS_ECONFLICT, req_tr(r, why));
	return rc ? rc : module_reply(r, 200, id);
}

static json_t *tax_node(const struct tax_entry *e, void *cls)
{
	(void)cls;
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)e->id, "slug", e->slug, "name", e->name);
}

int api_taxonomy(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct tax_entry *all;
	size_t n;
	int rc = taxonomy_list(&ctx, false, &all, &n);
	if (rc)
		return rc;
	json_t *domains = taxonomy_tree_json(all, n, tax_node, NULL);
	return reply_json(r, 200, json_pack("{s:o, s:[s,s,s]}", "domains", domains, "levels",
	                                    taxonomy_levels[0], taxonomy_levels[1], taxonomy_levels[2]));
}
