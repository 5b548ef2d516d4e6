/* The study dossier (R16): the person's own page, its portable JSON export
 * and PDF, and a library manager's view of one member's dossier. What may be
 * seen is decided in domain/dossier.c (progress_window); these handlers
 * shape it. The export's schema is docs/internals/dossier.md and
 * static/dossier.schema.json. */
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/dossier.h"
#include "domain/mail.h"
#include "domain/people.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

#define DOSSIER_SCHEMA_VERSION 1

/* "dinsdag 12 januari 2027" in Amsterdam time. */
static const char *date_text(struct req *r, int64_t t) { return req_when(r, t, WHEN_DATE); }

/* "3,5" for 35 tenths. */
/* "2026-05-12T08:00:00Z"; null for 0 (not set). */
static json_t *iso(int64_t t)
{
	if (!t)
		return json_null();
	struct tm tm;
	time_t tt = (time_t)t;
	char b[32];
	if (!gmtime_r(&tt, &tm) || !strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(b);
}

static json_t *str_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

static const char *kind_name(enum points_kind k) { return k == POINTS_PE ? "pe" : "study"; }

/* Domain names by id (retired ones too: old rows keep theirs). */
struct names {
	struct tax_entry *tax;
	size_t n;
};

static const char *domain_name(const struct names *nm, int64_t id)
{
	for (size_t i = 0; i < nm->n; i++)
		if (nm->tax[i].kind == TAX_DOMAIN && nm->tax[i].id == id)
			return nm->tax[i].name;
	return "";
}

static json_t *domain_list(const struct names *nm, const int64_t *ids, size_t n, bool with_ids)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, with_ids ? json_pack("{s:I, s:s}", "id", (json_int_t)ids[i],
		                                              "name", domain_name(nm, ids[i]))
		                                  : json_string(domain_name(nm, ids[i])));
	return a;
}

/* The ledger row that gave a completion its points (NULL: none). */
static const struct points_row *row_of(const struct dossier *d, int64_t completion_id)
{
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].completion_id == completion_id && !d->rows[i].reverses_id)
			return &d->rows[i];
	return NULL;
}

static const char *verify_url(struct req *r, const char *code)
{
	return arena_printf(r->arena, "%s/verify/%s", mail_base_url(), code);
}

/* ---- the portable export */

static json_t *export_json(struct req *r, const struct dossier *d, const struct names *nm)
{
	json_t *years = json_array();
	for (size_t i = 0; i < d->nyears; i++)
		json_array_append_new(years, json_pack("{s:i, s:I, s:I}", "year", d->years[i].year,
		                                       "pe_points_tenths", (json_int_t)d->years[i].pe_tenths,
		                                       "study_points_tenths",
		                                       (json_int_t)d->years[i].study_tenths));
	json_t *domains = json_array();
	for (size_t i = 0; i < d->ndomains; i++)
		json_array_append_new(domains, json_pack("{s:I, s:s, s:I}", "id",
		                                         (json_int_t)d->domains[i].domain_id, "name",
		                                         d->domains[i].name ? d->domains[i].name : "",
		                                         "pe_points_tenths",
		                                         (json_int_t)d->domains[i].pe_tenths));
	json_t *completions = json_array();
	for (size_t i = 0; i < d->ncompletions; i++) {
		const struct completion *c = &d->completions[i];
		const struct points_row *row = row_of(d, c->id);
		json_t *o = json_pack(
		    "{s:I, s:o, s:s, s:o, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->id,
		    "module",
		    c->module_id ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c->module_id, "title",
		                             c->title ? c->title : "", "url",
		                             arena_printf(r->arena, "%s/aanbod/%lld", mail_base_url(),
		                                          (long long)c->module_id))
		                 : json_null(),
		    "title", c->title ? c->title : "", "provider", str_or_null(c->provider_name),
		    "points_tenths", (json_int_t)c->points_tenths, "source", c->source ? c->source : "",
		    "domains", row ? domain_list(nm, row->domains, row->ndomains, true) : json_array(),
		    "grade", str_or_null(c->grade), "no_points_reason", str_or_null(c->no_points_why),
		    "completed_at", iso(c->completed_at), "registered_at", iso(c->registered_at),
		    "claim_id", c->claim_id ? json_integer(c->claim_id) : json_null());
		json_array_append_new(completions, o);
	}
	json_t *ledger = json_array();
	for (size_t i = 0; i < d->nrows; i++) {
		const struct points_row *p = &d->rows[i];
		json_array_append_new(
		    ledger,
		    json_pack("{s:I, s:s, s:I, s:i, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		              "id", (json_int_t)p->id, "kind", kind_name(p->kind), "points_tenths",
		              (json_int_t)p->points_tenths, "year", p->year, "title",
		              p->title ? p->title : "", "module_id",
		              p->module_id ? json_integer(p->module_id) : json_null(), "completion_id",
		              p->completion_id ? json_integer(p->completion_id) : json_null(), "source",
		              p->source ? p->source : "", "registered_by", str_or_null(p->registered_by_name),
		              "earned_at", iso(p->earned_at), "registered_at", iso(p->registered_at),
		              "reverses_id", p->reverses_id ? json_integer(p->reverses_id) : json_null(),
		              "reversed_by_id",
		              p->reversed_by_id ? json_integer(p->reversed_by_id) : json_null(), "reason",
		              str_or_null(p->reason), "domains",
		              domain_list(nm, p->domains, p->ndomains, true)));
	}
	json_t *credentials = json_array();
	for (size_t i = 0; i < d->ncredentials; i++) {
		const struct credential *c = &d->credentials[i];
		char code[CREDENTIAL_CODE_LEN + 4];
		credential_code_display(c->code, code);
		json_t *lines = json_array();
		for (size_t k = 0; k < c->nlines; k++)
			json_array_append_new(lines, json_pack("{s:s, s:I, s:o}", "title",
			                                       c->lines[k].title ? c->lines[k].title : "",
			                                       "points_tenths",
			                                       (json_int_t)c->lines[k].points_tenths,
			                                       "completed_at", iso(c->lines[k].completed_at)));
		json_array_append_new(
		    credentials,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		              (json_int_t)c->id, "kind",
		              c->kind == CREDENTIAL_DIPLOMA ? "diploma" : "certificate", "code", code,
		              "verification_url", verify_url(r, c->code), "title", c->title ? c->title : "",
		              "provider", str_or_null(c->provider_name), "issuer", str_or_null(c->org_name),
		              "points_tenths", (json_int_t)c->points_tenths, "achieved_at",
		              iso(c->achieved_at), "issued_at", iso(c->issued_at), "revoked_at",
		              iso(c->revoked_at), "revoke_reason", str_or_null(c->revoke_reason),
		              "completion_id", c->completion_id ? json_integer(c->completion_id) : json_null(),
		              "lines", lines));
	}
	json_t *diplomas = json_array();
	for (size_t i = 0; i < d->ndiplomas; i++) {
		const struct diploma_progress *p = &d->diplomas[i];
		json_t *doms = json_array(), *mods = json_array();
		for (size_t k = 0; k < p->ndomains; k++)
			json_array_append_new(doms, json_pack("{s:I, s:s, s:I, s:I}", "id",
			                                      (json_int_t)p->domains[k].domain_id, "name",
			                                      p->domains[k].name ? p->domains[k].name : "",
			                                      "points_tenths",
			                                      (json_int_t)p->domains[k].points_tenths,
			                                      "min_points_tenths",
			                                      (json_int_t)p->domains[k].min_points_tenths));
		for (size_t k = 0; k < p->nmodules; k++)
			json_array_append_new(mods, json_pack("{s:I, s:s, s:b}", "id",
			                                      (json_int_t)p->modules[k].module_id, "title",
			                                      p->modules[k].title ? p->modules[k].title : "",
			                                      "done", p->modules[k].done));
		json_array_append_new(diplomas,
		                      json_pack("{s:I, s:s, s:I, s:I, s:o, s:o, s:b, s:o}", "rule_id",
		                                (json_int_t)p->rule_id, "name", p->name ? p->name : "",
		                                "points_tenths", (json_int_t)p->points_tenths,
		                                "min_points_tenths", (json_int_t)p->min_points_tenths,
		                                "domains", doms, "modules", mods, "met", p->met,
		                                "credential_id",
		                                p->credential_id ? json_integer(p->credential_id)
		                                                 : json_null()));
	}
	json_t *norms = json_array();
	for (size_t i = 0; i < d->nnorms; i++) {
		const struct norm_status *n = &d->norms[i];
		static const char *const states[] = {"none", "met", "on_track", "behind"};
		json_array_append_new(
		    norms, json_pack("{s:i, s:I, s:s, s:I, s:I, s:b, s:s}", "year", n->year, "org_id",
		                     (json_int_t)n->org_id, "member_kind",
		                     n->member_kind ? n->member_kind : "", "required_points_tenths",
		                     (json_int_t)n->required_tenths, "earned_points_tenths",
		                     (json_int_t)n->earned_tenths, "mandatory", n->mandatory, "state",
		                     n->state <= NORM_BEHIND ? states[n->state] : "none"));
	}
	return json_pack(
	    "{s:s, s:i, s:o, s:{s:s, s:s}, s:{s:o, s:o}, s:{s:i, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o}",
	    "$schema", arena_printf(r->arena, "%s/static/dossier.schema.json", mail_base_url()),
	    "version", DOSSIER_SCHEMA_VERSION, "exported_at", iso(clock_now_real()),
	    "person", "name", d->name ? d->name : "", "email", d->email ? d->email : "", "window",
	    "from", d->whole ? json_null() : iso(d->since), "until",
	    d->whole || d->until == INT64_MAX ? json_null() : iso(d->until), "totals", "year", d->year,
	    "year_pe_points_tenths", (json_int_t)d->year_pe_tenths, "year_study_points_tenths",
	    (json_int_t)d->year_study_tenths, "pe_points_tenths", (json_int_t)d->total_pe_tenths,
	    "study_points_tenths", (json_int_t)d->total_study_tenths, "years", years, "domains", domains,
	    "completions", completions, "ledger", ledger, "credentials", credentials,
	    "diploma_progress", diplomas, "norms", norms);
}

/* ---- the page */

static json_t *row_json(struct req *r, const struct points_row *p, const struct names *nm)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id,
	                      "title", p->title ? p->title : "", "points",
	                      tenths_text(r, p->points_tenths), "kind",
	                      req_tr(r, p->kind == POINTS_PE ? N_("erkend (PE)") : N_("overig leren")),
	                      "earned", date_text(r, p->earned_at), "registered",
	                      date_text(r, p->registered_at), "source",
	                      req_tr(r, dossier_source_label(p->source)), "domains",
	                      domain_list(nm, p->domains, p->ndomains, false));
	json_object_set_new(o, "who", json_string(p->registered_by_name && *p->registered_by_name
	                                              ? p->registered_by_name
	                                              : req_tr(r, "Campus (automatisch)")));
	if (p->module_id)
		json_object_set_new(o, "module_id", json_integer(p->module_id));
	if (p->ndomains)
		json_object_set_new(o, "has_domains", json_true());
	if (p->reverses_id) {
		json_object_set_new(o, "reversal", json_true());
		json_object_set_new(o, "reason", str_or_null(p->reason));
	}
	if (p->reversed_by_id)
		json_object_set_new(o, "reversed", json_true());
	return o;
}

/* The reason of the reversal that undoes row id ("" when none is visible). */
static const char *reversal_reason(const struct dossier *d, int64_t id)
{
	for (size_t i = 0; i < d->nrows; i++)
		if (d->rows[i].reverses_id == id)
			return d->rows[i].reason ? d->rows[i].reason : "";
	return "";
}

static json_t *page_json(struct req *r, struct ctx *ctx, const struct dossier *d,
                         const struct names *nm, bool own)
{
	/* Years with their rows: "why do I have 37 points" answered per year. */
	json_t *years = json_array();
	for (size_t i = 0; i < d->nyears; i++) {
		json_t *rows = json_array();
		for (size_t k = 0; k < d->nrows; k++) {
			if (d->rows[k].year != d->years[i].year)
				continue;
			json_t *o = row_json(r, &d->rows[k], nm);
			if (d->rows[k].reversed_by_id && *reversal_reason(d, d->rows[k].id))
				json_object_set_new(o, "reversed_reason",
				                    json_string(reversal_reason(d, d->rows[k].id)));
			json_array_append_new(rows, o);
		}
		json_array_append_new(
		    years, json_pack("{s:i, s:s, s:s, s:b, s:o}", "year", d->years[i].year, "pe",
		                     tenths_text(r, d->years[i].pe_tenths), "study",
		                     tenths_text(r, d->years[i].study_tenths), "has_study",
		                     d->years[i].study_tenths != 0, "rows", rows));
	}
	json_t *domains = json_array();
	for (size_t i = 0; i < d->ndomains; i++)
		json_array_append_new(domains, json_pack("{s:s, s:s}", "name",
		                                         d->domains[i].name ? d->domains[i].name : "",
		                                         "points", tenths_text(r, d->domains[i].pe_tenths)));
	json_t *completions = json_array();
	for (size_t i = 0; i < d->ncompletions; i++) {
		const struct completion *c = &d->completions[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", c->title ? c->title : "",
		                      "provider", c->provider_name ? c->provider_name : "", "points",
		                      tenths_text(r, c->points_tenths), "date",
		                      date_text(r, c->completed_at), "source",
		                      req_tr(r, dossier_source_label(c->source)));
		if (c->module_id)
			json_object_set_new(o, "module_id", json_integer(c->module_id));
		if (c->no_points_why && *c->no_points_why)
			json_object_set_new(o, "no_points", json_string(req_tr(r, c->no_points_why)));
		json_array_append_new(completions, o);
	}
	json_t *credentials = json_array();
	for (size_t i = 0; i < d->ncredentials; i++) {
		const struct credential *c = &d->credentials[i];
		char code[CREDENTIAL_CODE_LEN + 4];
		credential_code_display(c->code, code);
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id,
		                      "kind",
		                      req_tr(r, c->kind == CREDENTIAL_DIPLOMA ? N_("Diploma") : N_("Certificaat")),
		                      "title", c->title ? c->title : "", "code", code, "verify",
		                      arena_printf(r->arena, "/verify/%s", c->code), "date",
		                      date_text(r, c->achieved_at), "points",
		                      tenths_text(r, c->points_tenths));
		if (c->revoked_at) {
			json_object_set_new(o, "revoked", json_true());
			json_object_set_new(o, "revoke_reason", str_or_null(c->revoke_reason));
		}
		if (own)
			json_object_set_new(o, "own", json_true());
		json_array_append_new(credentials, o);
	}
	json_t *diplomas = json_array();
	for (size_t i = 0; i < d->ndiplomas; i++) {
		const struct diploma_progress *p = &d->diplomas[i];
		json_t *needs = json_array();
		for (size_t k = 0; k < p->ndomains; k++)
			json_array_append_new(needs, json_pack("{s:s, s:s, s:s, s:b}", "name",
			                                       p->domains[k].name ? p->domains[k].name : "",
			                                       "points", tenths_text(r, p->domains[k].points_tenths),
			                                       "min", tenths_text(r, p->domains[k].min_points_tenths),
			                                       "met", p->domains[k].points_tenths >=
			                                                  p->domains[k].min_points_tenths));
		json_t *mods = json_array();
		for (size_t k = 0; k < p->nmodules; k++)
			json_array_append_new(mods, json_pack("{s:I, s:s, s:b}", "id",
			                                      (json_int_t)p->modules[k].module_id, "title",
			                                      p->modules[k].title ? p->modules[k].title : "",
			                                      "done", p->modules[k].done));
		int64_t shown = p->points_tenths < p->min_points_tenths ? p->points_tenths
		                                                        : p->min_points_tenths;
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:o}", "id",
		                      (json_int_t)p->rule_id, "name", p->name ? p->name : "",
		                      "description", p->description ? p->description : "", "points",
		                      tenths_text(r, p->points_tenths), "min",
		                      tenths_text(r, p->min_points_tenths), "value",
		                      (json_int_t)(shown > 0 ? shown : 0), "max",
		                      (json_int_t)p->min_points_tenths, "met", p->met, "domains", needs,
		                      "modules", mods);
		if (p->ndomains)
			json_object_set_new(o, "has_domains", json_true());
		if (p->nmodules)
			json_object_set_new(o, "has_modules", json_true());
		if (p->credential_id)
			json_object_set_new(o, "issued", json_true());
		json_array_append_new(diplomas, o);
	}
	json_t *norms = json_array();
	for (size_t i = 0; i < d->nnorms; i++) {
		const struct norm_status *n = &d->norms[i];
		struct org o;
		const char *org_name = org_get(ctx, n->org_id, &o) == 0 ? o.name : "";
		json_t *no = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "org", org_name, "kind",
		                       req_tr(r, membership_kind_label(n->member_kind)), "required",
		                       tenths_text(r, n->required_tenths), "earned",
		                       tenths_text(r, n->earned_tenths), "state",
		                       req_tr(r, norm_state_label(n->state)), "mandatory", n->mandatory);
		json_object_set_new(no, "state_key", json_string(n->state == NORM_MET        ? "met"
		                                                 : n->state == NORM_ON_TRACK ? "on-track"
		                                                 : n->state == NORM_BEHIND   ? "behind"
		                                                                             : "none"));
		if (n->state == NORM_NONE)
			json_object_set_new(no, "no_norm", json_true());
		json_array_append_new(norms, no);
	}
	json_t *suggestions = json_array();
	for (size_t i = 0; i < d->nsuggestions; i++) {
		const struct dossier_suggestion *s = &d->suggestions[i];
		json_t *mods = json_array();
		for (size_t k = 0; k < s->nmodules; k++)
			json_array_append_new(mods, json_pack("{s:I, s:s, s:s, s:s}", "id",
			                                      (json_int_t)s->modules[k].id, "title",
			                                      s->modules[k].title ? s->modules[k].title : "",
			                                      "provider",
			                                      s->modules[k].provider_name
			                                          ? s->modules[k].provider_name
			                                          : "",
			                                      "points",
			                                      tenths_text(r, s->modules[k].points_tenths)));
		json_array_append_new(suggestions,
		                      json_pack("{s:s, s:s, s:s, s:o}", "domain", s->domain_name, "points",
		                                tenths_text(r, s->points_tenths), "href",
		                                arena_printf(r->arena, "/aanbod?domein=%s&erkend=ja",
		                                             s->domain_slug),
		                                "modules", mods));
	}
	json_t *data = json_pack(
	    "{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
	    d->name ? d->name : "", "year", d->year, "year_pe", tenths_text(r, d->year_pe_tenths),
	    "year_study", tenths_text(r, d->year_study_tenths), "total_pe",
	    tenths_text(r, d->total_pe_tenths), "total_study", tenths_text(r, d->total_study_tenths),
	    "has_study", d->total_study_tenths != 0, "years", years, "domains", domains, "completions",
	    completions, "credentials", credentials, "diplomas", diplomas, "norms", norms,
	    "suggestions", suggestions);
	json_object_set_new(data, "has_year_study", json_boolean(d->year_study_tenths != 0));
	if (!d->whole) {
		json_object_set_new(data, "limited", json_true());
		json_object_set_new(data, "since", json_string(date_text(r, d->since)));
		if (d->until != INT64_MAX)
			json_object_set_new(data, "until", json_string(date_text(r, d->until)));
	}
	return data;
}

/* Domain names for the rows; the page does without them when unreadable. */
static void names_load(struct ctx *ctx, struct names *nm)
{
	if (taxonomy_list(ctx, true, &nm->tax, &nm->n) != 0)
		*nm = (struct names){0};
}

int page_dossier(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct dossier d;
	int rc = dossier_get(&ctx, r->actor.person_id, &d);
	if (rc)
		return rc;
	struct names nm;
	names_load(&ctx, &nm);
	json_t *data = page_json(r, &ctx, &d, &nm, true);
	json_object_set_new(data, "own", json_true());
	json_object_set_new(data, "breadcrumb", json_pack("[{s:s, s:s}]", "href", "/mijn", "label",
	                                                  req_tr(r, "Mijn Campus")));
	return reply_page(r, 200, "mijn-dossier", data);
}

int page_dossier_json(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct dossier d;
	int rc = dossier_get(&ctx, r->actor.person_id, &d);
	if (rc)
		return rc;
	struct names nm;
	names_load(&ctx, &nm);
	if ((rc = req_add_header(r, "Content-Disposition",
	                         "attachment; filename=\"studiedossier.json\"")))
		return rc;
	return reply_json(r, 200, export_json(r, &d, &nm));
}

/* The same dossier as a PDF to keep or hand over (Dutch, like the certificates). */
int page_dossier_pdf(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct dossier d;
	int rc = dossier_get(&ctx, r->actor.person_id, &d);
	if (rc)
		return rc;
	struct buf pdf;
	buf_init(&pdf, r->arena, 32 * 1024 * 1024);
	if ((rc = dossier_pdf(&ctx, &d, &pdf)) ||
	    (rc = req_add_header(r, "Content-Disposition", "attachment; filename=\"studiedossier.pdf\"")))
		return rc;
	return reply_text(r, 200, "application/pdf", pdf.data, pdf.len);
}

/* A library's manager: one member's dossier, as far as their membership of
 * this library reaches. Someone who was never a member here answers 404, as
 * does an unknown id. */
int page_team_dossier(struct req *r)
{
	int64_t person_id;
	int rc = path_id(r, "person_id", &person_id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct dossier d;
	if ((rc = dossier_member_get(&ctx, r->org.id, person_id, &d)))
		return rc == CAMPUS_EFORBIDDEN ? CAMPUS_ENOTFOUND : rc;
	struct names nm;
	names_load(&ctx, &nm);
	json_t *data = page_json(r, &ctx, &d, &nm, false);
	json_object_set_new(data, "org_name", json_string(r->org.name));
	json_object_set_new(data, "org_slug", json_string(r->org.slug));
	json_object_set_new(data, "breadcrumb",
	                    json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", "/mijn", "label",
	                              req_tr(r, "Mijn Campus"), "href",
	                              arena_printf(r->arena, "/b/%s/team", r->org.slug), "label",
	                              req_tr(r, "Team")));
	return reply_page(r, 200, "mijn-dossier", data);
}
