/* Campus administrators keep the sector's taxonomy (/beheer/taxonomie): add,
 * rename, reorder, retire and restore domains, roles and competencies. One
 * page; every change is a small form posting an action. */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

static const struct {
	const char *key;
	enum tax_kind kind;
} kinds[] = {{"domein", TAX_DOMAIN}, {"rol", TAX_ROLE}, {"competentie", TAX_COMPETENCY}};

json_t *taxonomy_tree_json(const struct tax_entry *all, size_t n,
                           json_t *(*node)(const struct tax_entry *e, void *cls), void *cls)
{
	json_t *domains = json_array();
	for (size_t d = 0; d < n; d++) {
		if (all[d].kind != TAX_DOMAIN)
			continue;
		json_t *roles = json_array();
		for (size_t k = 0; k < n; k++) {
			if (all[k].kind != TAX_ROLE || all[k].parent_id != all[d].id)
				continue;
			json_t *comps = json_array();
			for (size_t c = 0; c < n; c++)
				if (all[c].kind == TAX_COMPETENCY && all[c].parent_id == all[k].id)
					json_array_append_new(comps, node(&all[c], cls));
			json_t *role = node(&all[k], cls);
			json_object_set_new(role, "competencies", comps);
			json_array_append_new(roles, role);
		}
		json_t *domain = node(&all[d], cls);
		json_object_set_new(domain, "roles", roles);
		json_array_append_new(domains, domain);
	}
	return domains;
}

static json_t *entry_json(const struct tax_entry *e, void *cls)
{
	(void)cls;
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)e->id, "name", e->name, "kind",
	                 kinds[e->kind].key, "retired", e->retired);
}

static int render(struct req *r, unsigned status, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct tax_entry *all;
	size_t n;
	int rc = taxonomy_list(&ctx, true, &all, &n);
	if (rc)
		return rc;
	json_t *domains = taxonomy_tree_json(all, n, entry_json, NULL);
	json_t *data = json_pack("{s:o, s:[{s:s, s:s}]}", "domains", domains, "breadcrumb", "href",
	                         "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "taxonomie", data);
}

static int form_int(struct req *r, const char *name, int64_t *out)
{
	const char *text = req_form(r, name);
	*out = 0;
	if (!text || !*text)
		return 0;
	return str_to_int64(text, strlen(text), out) && *out > 0 ? 0 : CAMPUS_EINVAL;
}

int page_taxonomy(struct req *r)
{
	if (r->method != HTTP_POST)
		return render(r, 200, NULL);
	const char *action = req_form(r, "actie");
	const char *kind_key = req_form(r, "soort");
	size_t k = 0;
	while (kind_key && k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].key, kind_key))
		k++;
	int64_t id, parent;
	if (!action || !kind_key || k == sizeof kinds / sizeof kinds[0] || form_int(r, "id", &id) ||
	    form_int(r, "ouder", &parent))
		return CAMPUS_EINVAL;
	enum tax_kind kind = kinds[k].kind;
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	int64_t new_id;
	int rc;
	if (!strcmp(action, "toevoegen"))
		rc = taxonomy_add(&ctx, kind, parent, req_form(r, "naam"), &new_id, &why);
	else if (!strcmp(action, "hernoemen"))
		rc = taxonomy_rename(&ctx, kind, id, req_form(r, "naam"), &why);
	else if (!strcmp(action, "omhoog") || !strcmp(action, "omlaag"))
		rc = taxonomy_move(&ctx, kind, id, !strcmp(action, "omhoog") ? -1 : 1);
	else if (!strcmp(action, "intrekken") || !strcmp(action, "terugzetten"))
		rc = taxonomy_retire(&ctx, kind, id, !strcmp(action, "intrekken"));
	else
		return CAMPUS_EINVAL;
	if (why) {
		r->error = rc;
		return render(r, 400, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "taxonomie");
	return reply_redirect(r, "/beheer/taxonomie");
}
