/* Campus administrators keep the diploma rules (/beheer/diplomas): the list,
 * a new rule, a rule's edit page with the diplomas issued under it, and the
 * revocation of one with a reason. A change re-evaluates everyone in the
 * background (diploma.h). */
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "domain/catalog.h"
#include "domain/credential.h"
#include "domain/diploma.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

#define ISSUED_PER_PAGE 50
#define MODULES_TEXT_MAX 400

static const char *const kinds[] = {"all", "employee", "volunteer"};

static const char *kind_label(const char *kind)
{
	if (!strcmp(kind, "employee"))
		return N_("Medewerkers");
	if (!strcmp(kind, "volunteer"))
		return N_("Vrijwilligers");
	return N_("Iedereen");
}

static const char *period_text(struct req *r, int64_t months)
{
	if (!months)
		return req_tr(r, "altijd");
	return arena_printf(r->arena, "%lld %s", (long long)months,
	                    req_tr(r, months == 1 ? "maand" : "maanden"));
}

static json_t *breadcrumb(struct req *r, bool to_list)
{
	json_t *b = json_pack("[{s:s, s:s}]", "href", "/mijn", "label", req_tr(r, "Mijn Campus"));
	if (to_list)
		json_array_append_new(b, json_pack("{s:s, s:s}", "href", "/beheer/diplomas", "label",
		                                   req_tr(r, "Diploma's")));
	return b;
}

int page_admin_diplomas(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct diploma_rule *rules;
	size_t n;
	int rc = diploma_rules_list(&ctx, &rules, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct diploma_rule *d = &rules[i];
		json_t *domains = json_array();
		for (size_t k = 0; k < d->ndomains; k++)
			json_array_append_new(domains,
			                      json_pack("{s:s, s:s}", "name", d->domains[k].name, "points",
			                                tenths_text(r, d->domains[k].min_points_tenths)));
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:I}", "id", (json_int_t)d->id,
		                    "name", d->name, "points", tenths_text(r, d->min_points_tenths),
		                    "period", period_text(r, d->period_months), "for",
		                    req_tr(r, kind_label(d->for_kind)), "active", d->active, "issued",
		                    (json_int_t)d->issued, "domains", domains, "modules",
		                    (json_int_t)d->nmodules));
	}
	return reply_page(r, 200, "beheer-diplomas",
	                  json_pack("{s:o, s:o}", "rules", list, "breadcrumb", breadcrumb(r, false)));
}

/* ---- the form ---- */

/* What the form shows: the rule's values, or what was posted. */
struct form_state {
	const char *name, *description, *points, *period, *for_kind, *modules;
	bool active;
	const struct diploma_rule *rule; /* domain minimums when not posted */
	bool posted;
};

static json_t *form_json(struct req *r, const struct form_state *s)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct tax_entry *tax;
	size_t ntax;
	json_t *domains = json_array();
	if (taxonomy_list(&ctx, false, &tax, &ntax) == 0) {
		/* Posted minimums come back in the order the form listed them. */
		size_t posted_i = 0;
		for (size_t i = 0; i < ntax; i++) {
			if (tax[i].kind != TAX_DOMAIN)
				continue;
			const char *value = "";
			if (s->posted) {
				size_t k = 0;
				for (const struct form_field *f = r->form.first; f; f = f->next)
					if (!strcmp(f->name, "domein_punten") && k++ == posted_i)
						value = f->value ? f->value : "";
				posted_i++;
			} else if (s->rule) {
				for (size_t k = 0; k < s->rule->ndomains; k++)
					if (s->rule->domains[k].domain_id == tax[i].id)
						value = tenths_text(r, s->rule->domains[k].min_points_tenths);
			}
			json_array_append_new(domains, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)tax[i].id,
			                                         "name", tax[i].name, "value", value));
		}
	}
	json_t *fk = json_array();
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		json_array_append_new(fk, json_pack("{s:s, s:s, s:b}", "key", kinds[i], "label",
		                                    req_tr(r, kind_label(kinds[i])), "checked",
		                                    !strcmp(s->for_kind ? s->for_kind : "all", kinds[i])));
	/* The saved rule's mandatory modules by title, so the numbers mean something. */
	json_t *chosen = json_array();
	for (size_t i = 0; s->rule && i < s->rule->nmodules; i++)
		json_array_append_new(chosen, json_pack("{s:I, s:s}", "id",
		                                        (json_int_t)s->rule->modules[i].module_id, "title",
		                                        s->rule->modules[i].title));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "name", s->name ? s->name : "",
	                 "description", s->description ? s->description : "", "points",
	                 s->points ? s->points : "", "period", s->period ? s->period : "0", "modules",
	                 s->modules ? s->modules : "", "active", s->active, "domains", domains, "kinds",
	                 fk, "chosen", chosen);
}

static int render_form(struct req *r, unsigned status, const struct diploma_rule *rule,
                       const struct form_state *s, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	json_t *data = json_pack("{s:o, s:o}", "form", form_json(r, s), "breadcrumb",
	                         breadcrumb(r, true));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (!rule)
		return reply_page(r, status, "beheer-diploma-nieuw", data);
	json_object_set_new(data, "rule",
	                    json_pack("{s:I, s:s, s:I, s:b, s:I}", "id", (json_int_t)rule->id, "name",
	                              rule->name, "revision", (json_int_t)rule->revision, "active",
	                              rule->active, "issued", (json_int_t)rule->issued));
	unsigned page;
	int rc = page_param(r, &page);
	if (rc)
		return rc;
	struct diploma_issued *issued;
	size_t n;
	int64_t total;
	rc = diploma_issued_list(&ctx, rule->id, (size_t)(page - 1) * ISSUED_PER_PAGE, ISSUED_PER_PAGE,
	                         &issued, &n, &total);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		char code[CREDENTIAL_CODE_LEN + 4];
		credential_code_display(issued[i].code, code);
		json_t *o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)issued[i].credential_id, "holder",
		    issued[i].holder_name, "code", code, "points", tenths_text(r, issued[i].points_tenths),
		    "issued_at", req_when(r, issued[i].issued_at, WHEN_SHORT), "revoked",
		    issued[i].revoked_at != 0);
		if (issued[i].revoked_at) {
			json_object_set_new(o, "revoked_at",
			                    json_string(req_when(r, issued[i].revoked_at, WHEN_SHORT)));
			json_object_set_new(o, "reason", json_string(issued[i].revoke_reason));
		}
		json_array_append_new(list, o);
	}
	json_object_set_new(data, "issued", list);
	char *path = arena_printf(r->arena, "/beheer/diplomas/%lld", (long long)rule->id);
	json_object_set_new(data, "pager",
	                    pager_json(r, path, (const char *const[]){NULL}, page, ISSUED_PER_PAGE,
	                               total));
	return reply_page(r, status, "beheer-diploma", data);
}

static void state_of_rule(struct req *r, const struct diploma_rule *d, struct form_state *s)
{
	*s = (struct form_state){.name = d->name,
	                         .description = d->description,
	                         .points = tenths_text(r, d->min_points_tenths),
	                         .period = arena_printf(r->arena, "%lld", (long long)d->period_months),
	                         .for_kind = d->for_kind,
	                         .active = d->active,
	                         .rule = d};
	char *mods = arena_strdup(r->arena, "");
	for (size_t i = 0; mods && i < d->nmodules; i++)
		mods = arena_printf(r->arena, "%s%s%lld", mods, i ? ", " : "",
		                    (long long)d->modules[i].module_id);
	s->modules = mods;
}

/* "12, 40 7": module numbers separated by commas or spaces. */
static int parse_modules(struct req *r, const char *text, int64_t **ids, size_t *n)
{
	*n = 0;
	*ids = arena_alloc(r->arena, (DIPLOMA_MODULES_MAX + 1) * sizeof **ids);
	if (!*ids)
		return CAMPUS_ENOMEM;
	if (!text)
		return 0;
	if (strlen(text) > MODULES_TEXT_MAX)
		return CAMPUS_EINVAL;
	const char *p = text;
	while (*p) {
		size_t skip = strspn(p, ", \t\r\n");
		p += skip;
		if (!*p)
			break;
		size_t len = strcspn(p, ", \t\r\n");
		int64_t id;
		if (!str_to_int64(p, len, &id) || id <= 0 || *n == DIPLOMA_MODULES_MAX)
			return CAMPUS_EINVAL;
		(*ids)[(*n)++] = id;
		p += len;
	}
	return 0;
}

/* Reads the form into in; *why for input the form itself gets wrong. */
static int read_form(struct req *r, struct form_state *s, struct diploma_rule_in *in,
                     const char **why)
{
	*why = NULL;
	*s = (struct form_state){.name = req_form(r, "naam"),
	                         .description = req_form(r, "beschrijving"),
	                         .points = req_form(r, "punten"),
	                         .period = req_form(r, "periode"),
	                         .for_kind = req_form(r, "voor"),
	                         .modules = req_form(r, "modules"),
	                         .active = req_form(r, "actief") != NULL,
	                         .posted = true};
	*in = (struct diploma_rule_in){.name = s->name ? s->name : "",
	                               .description = s->description ? s->description : "",
	                               .for_kind = s->for_kind ? s->for_kind : "",
	                               .active = s->active};
	if (!s->points || !tenths_parse(s->points, &in->min_points_tenths)) {
		*why = N_("Vul het aantal punten in, bijvoorbeeld 40 of 12,5.");
		return CAMPUS_EINVAL;
	}
	int64_t months;
	if (!s->period || !str_to_int64(s->period, strlen(s->period), &months)) {
		*why = N_("De periode is 0 (altijd) of 1 tot en met 240 maanden.");
		return CAMPUS_EINVAL;
	}
	in->period_months = months;
	/* domein and domein_punten come in pairs, in the order of the form; an
	 * empty minimum means no requirement for that domain. */
	unsigned nd = form_count(&r->form, "domein"), np = form_count(&r->form, "domein_punten");
	if (nd != np || nd > 2 * DIPLOMA_DOMAINS_MAX)
		return CAMPUS_EINVAL;
	int64_t *dids = arena_alloc(r->arena, (nd + 1) * sizeof *dids);
	int64_t *dmins = arena_alloc(r->arena, (nd + 1) * sizeof *dmins);
	if (!dids || !dmins)
		return CAMPUS_ENOMEM;
	const struct form_field *fd = r->form.first, *fp = r->form.first;
	for (unsigned i = 0; i < nd; i++) {
		while (strcmp(fd->name, "domein"))
			fd = fd->next;
		while (strcmp(fp->name, "domein_punten"))
			fp = fp->next;
		int64_t id, min;
		if (!fd->value || !str_to_int64(fd->value, strlen(fd->value), &id) || id <= 0)
			return CAMPUS_EINVAL;
		const char *v = fp->value ? fp->value : "";
		fd = fd->next;
		fp = fp->next;
		if (!*v)
			continue;
		if (!tenths_parse(v, &min)) {
			*why = N_("Vul het aantal punten in, bijvoorbeeld 40 of 12,5.");
			return CAMPUS_EINVAL;
		}
		dids[in->ndomains] = id;
		dmins[in->ndomains++] = min;
	}
	in->domain_ids = dids;
	in->domain_min_tenths = dmins;
	int64_t *mids;
	if (parse_modules(r, s->modules, &mids, &in->nmodules) != 0) {
		*why = N_("Schrijf de verplichte modules als nummers, gescheiden door komma's "
		          "(hoogstens 20).");
		return CAMPUS_EINVAL;
	}
	in->module_ids = mids;
	return 0;
}

static unsigned status_of(int rc)
{
	return rc == CAMPUS_ECONFLICT ? 409 : rc == CAMPUS_EFORBIDDEN ? 403 : 400;
}

int page_admin_diploma_new(struct req *r)
{
	if (r->method != HTTP_POST) {
		struct form_state s = {.active = true, .period = "0", .for_kind = "all"};
		return render_form(r, 200, NULL, &s, NULL);
	}
	struct form_state s;
	struct diploma_rule_in in;
	const char *why;
	int rc = read_form(r, &s, &in, &why);
	if (!rc) {
		struct ctx ctx;
		req_ctx(r, &ctx);
		int64_t id;
		rc = diploma_rule_save(&ctx, 0, &in, &id, &why);
		if (!rc) {
			req_flash(r, "diploma_opgeslagen");
			return reply_redirect(r, arena_printf(r->arena, "/beheer/diplomas/%lld", (long long)id));
		}
	}
	if (!why)
		return rc;
	r->error = rc;
	return render_form(r, status_of(rc), NULL, &s, req_tr(r, why));
}

int page_admin_diploma(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct diploma_rule rule;
	if ((rc = diploma_rule_get(&ctx, id, &rule)) != 0)
		return rc;
	struct form_state s;
	if (r->method != HTTP_POST) {
		state_of_rule(r, &rule, &s);
		return render_form(r, 200, &rule, &s, NULL);
	}
	struct diploma_rule_in in;
	const char *why;
	rc = read_form(r, &s, &in, &why);
	if (!rc)
		rc = diploma_rule_save(&ctx, id, &in, NULL, &why);
	if (!rc) {
		req_flash(r, "diploma_opgeslagen");
		return reply_redirect(r, arena_printf(r->arena, "/beheer/diplomas/%lld", (long long)id));
	}
	if (!why)
		return rc;
	r->error = rc;
	return render_form(r, status_of(rc), &rule, &s, req_tr(r, why));
}

int page_admin_diploma_revoke(struct req *r)
{
	int64_t id, cid;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	const char *cid_text = req_form(r, "diploma");
	if (!cid_text || !str_to_int64(cid_text, strlen(cid_text), &cid) || cid <= 0)
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct diploma_rule rule;
	if ((rc = diploma_rule_get(&ctx, id, &rule)) != 0)
		return rc;
	const char *reason = req_form(r, "reden");
	const char *why = NULL;
	if (!reason || !*reason || strspn(reason, " \t\r\n") == strlen(reason)) {
		why = N_("Geef een reden voor de intrekking.");
		rc = CAMPUS_EINVAL;
	} else if (strlen(reason) > CREDENTIAL_REASON_MAX) {
		why = N_("De reden is te lang (hoogstens 500 tekens).");
		rc = CAMPUS_EINVAL;
	} else {
		rc = diploma_revoke(&ctx, id, cid, reason, &why);
	}
	if (!rc) {
		req_flash(r, "diploma_ingetrokken");
		return reply_redirect(r, arena_printf(r->arena, "/beheer/diplomas/%lld", (long long)id));
	}
	if (!why)
		return rc;
	r->error = rc;
	struct form_state s;
	state_of_rule(r, &rule, &s);
	return render_form(r, status_of(rc), &rule, &s, req_tr(r, why));
}
