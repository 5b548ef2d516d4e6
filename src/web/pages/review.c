/* The review committee's pages: a provider's view of its module's review
 * (/b/<slug>/modules/:id/toetsing), the committee's inbox and review pages
 * (/commissie), trusted providers, and the public register (/register).
 * Every step is checked again by domain/review.c; a refusal re-renders the
 * page with its Dutch reason and changes nothing. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/catalog.h"
#include "domain/people.h"
#include "domain/review.h"
#include "domain/taxonomy.h"
#include "http/req.h"
#include "web/web.h"

#define REGISTER_PER_PAGE 25

static const char *date_iso(struct req *r, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t || !gmtime_r(&tt, &tm))
		return "";
	return arena_printf(r->arena, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* "2027-03-01" -> the end of that day (UTC); false for anything else. */
static bool date_parse(const char *s, int64_t *out)
{
	struct tm tm = {0};
	if (!s || strlen(s) != 10)
		return false;
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t + 86400 - 1;
	return true;
}

static unsigned status_of(int rc)
{
	return rc == CAMPUS_EFORBIDDEN ? 403 : rc == CAMPUS_ECONFLICT ? 409 : rc == CAMPUS_ENOTFOUND ? 404 : 400;
}

static const char *state_text(struct req *r, const char *state)
{
	const char *label = review_state_label(state);
	return label ? req_tr(r, label) : state;
}

/* A review as a table row. */
static json_t *review_row_json(struct req *r, const struct review *v)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:b, s:s}", "id", (json_int_t)v->id,
	                 "module_id", (json_int_t)v->module_id, "title", v->title, "provider",
	                 v->provider_name, "number", (json_int_t)v->version_number, "state",
	                 state_text(r, v->state), "submitted", date_iso(r, v->submitted_at), "decided",
	                 date_iso(r, v->decided_at), "light", v->light, "rereview", v->rereview, "reason",
	                 v->reason);
}

/* Average score per criterion over the reviewers, "3,5" style. */
static json_t *criteria_json(const struct review *v, const struct review_criterion *c,
                             size_t nc, bool with_comments)
{
	json_t *list = json_array();
	for (size_t i = 0; i < nc; i++) {
		int64_t sum = 0, n = 0;
		json_t *scores = json_array();
		for (size_t k = 0; k < v->nscores; k++) {
			if (v->scores[k].criterion_id != c[i].id)
				continue;
			sum += v->scores[k].score;
			n++;
			const char *who = "";
			for (size_t j = 0; j < v->nreviewers; j++)
				if (v->reviewers[j].person_id == v->scores[k].reviewer_id)
					who = v->reviewers[j].name;
			if (with_comments)
				json_array_append_new(scores, json_pack("{s:s, s:I, s:s}", "reviewer", who, "score",
				                                        (json_int_t)v->scores[k].score, "comment",
				                                        v->scores[k].comment));
		}
		char avg[24] = "";
		if (n)
			tenths_format((sum * 10 + n / 2) / n, avg, sizeof avg);
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)c[i].id,
		                                      "name", c[i].name, "description", c[i].description,
		                                      "average", avg, "scores", scores));
	}
	return list;
}

/* ---- the provider's side ---- */

/* The module of :id, of this organisation only (else 404). */
static int own_module(struct req *r, struct ctx *ctx, struct module *m)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	req_ctx(r, ctx);
	if ((rc = module_get(ctx, id, MODULE_WORKING, m)))
		return rc;
	return m->provider_id == r->org.id ? 0 : CAMPUS_ENOTFOUND;
}

static int render_module_review(struct req *r, struct ctx *ctx, const struct module *m,
                                unsigned status, const char *error)
{
	struct review *hist;
	size_t n;
	int rc = review_history(ctx, m->id, &hist, &n);
	if (rc)
		return rc;
	struct review_criterion *crit;
	size_t nc;
	if ((rc = review_criteria(ctx, &crit, &nc)))
		return rc;
	const char *edit = arena_printf(r->arena, "/b/%s/modules/%lld", r->org.slug, (long long)m->id);
	json_t *data = json_pack(
	    "{s:s, s:s, s:I, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name,
	    "org_slug", r->org.slug, "module_id", (json_int_t)m->id, "title", m->v.title, "version_state",
	    state_text(r, m->v.state), "edit", edit ? edit : "/mijn", "breadcrumb", "href", "/mijn",
	    "label", req_tr(r, "Mijn Campus"), "href",
	    arena_printf(r->arena, "/b/%s/modules", r->org.slug), "label", req_tr(r, "Eigen aanbod"),
	    "href", edit ? edit : "/mijn", "label", m->v.title);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, review_row_json(r, &hist[i]));
	json_object_set_new(data, "history", rows);
	if (n) {
		json_t *cur = review_row_json(r, &hist[0]);
		bool open = !strcmp(hist[0].state, "submitted") || !strcmp(hist[0].state, "checked") ||
		            !strcmp(hist[0].state, "assigned");
		json_object_set_new(cur, "open", json_boolean(open));
		json_object_set_new(cur, "has_reason", json_boolean(hist[0].reason[0] != '\0'));
		/* Scores only once decided: reviewers work independently until then. */
		if (hist[0].decided_at && strcmp(hist[0].state, "withdrawn")) {
			struct review full;
			if ((rc = review_get(ctx, hist[0].id, &full)))
				return rc;
			json_object_set_new(cur, "criteria", criteria_json(&full, crit, nc, false));
		}
		json_object_set_new(data, "current", cur);
	}
	bool may_submit = !strcmp(m->v.state, "draft") || !strcmp(m->v.state, "returned");
	json_object_set_new(data, "may_submit", json_boolean(may_submit));
	json_object_set_new(data, "trusted", json_boolean(review_is_trusted(ctx, m->provider_id)));
	if (m->v.has_points) {
		char p[24], l[24];
		json_object_set_new(data, "recognition",
		                    json_pack("{s:s, s:s, s:s}", "points",
		                              tenths_format(m->v.points_tenths, p, sizeof p), "load",
		                              tenths_format(m->v.recognised_load_tenths, l, sizeof l), "until",
		                              date_iso(r, m->v.valid_until)));
	}
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "toetsing", data);
}

int page_module_review(struct req *r)
{
	struct ctx ctx;
	struct module m;
	int rc = own_module(r, &ctx, &m);
	return rc ? rc : render_module_review(r, &ctx, &m, 200, NULL);
}

int page_module_review_submit(struct req *r)
{
	struct ctx ctx;
	struct module m;
	int rc = own_module(r, &ctx, &m);
	if (rc)
		return rc;
	const char *why;
	int64_t id;
	rc = review_submit(&ctx, m.id, &id, &why);
	if (why) {
		r->error = rc;
		if (module_get(&ctx, m.id, MODULE_WORKING, &m))
			return rc;
		return render_module_review(r, &ctx, &m, status_of(rc), req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "toetsing_aangeboden");
	const char *to = arena_printf(r->arena, "/b/%s/modules/%lld/toetsing", r->org.slug, (long long)m.id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

int page_module_review_withdraw(struct req *r)
{
	struct ctx ctx;
	struct module m;
	int rc = own_module(r, &ctx, &m);
	if (rc)
		return rc;
	struct review *hist;
	size_t n;
	if ((rc = review_history(&ctx, m.id, &hist, &n)))
		return rc;
	const char *why = N_("Er is geen toetsing om terug te trekken.");
	rc = CAMPUS_ECONFLICT;
	if (n)
		rc = review_withdraw(&ctx, hist[0].id, &why);
	if (rc && why) {
		r->error = rc;
		if (module_get(&ctx, m.id, MODULE_WORKING, &m))
			return rc;
		return render_module_review(r, &ctx, &m, status_of(rc), req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "toetsing_ingetrokken");
	const char *to = arena_printf(r->arena, "/b/%s/modules/%lld/toetsing", r->org.slug, (long long)m.id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

/* ---- the committee ---- */

static json_t *committee_base(struct req *r)
{
	return json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "breadcrumb", "href", "/mijn", "label",
	                 req_tr(r, "Mijn Campus"), "href", "/commissie", "label",
	                 req_tr(r, "Toetsingscommissie"));
}

static int box_json(struct req *r, struct ctx *ctx, enum review_box box, json_t *data, const char *key)
{
	struct review *list;
	size_t n;
	int rc = review_inbox(ctx, box, &list, &n);
	if (rc)
		return rc;
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, review_row_json(r, &list[i]));
	json_object_set_new(data, key, rows);
	return 0;
}

int page_committee(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	bool admin = (r->actor.roles & ROLE_CAMPUS_ADMIN) != 0;
	bool chair = review_is_chair(&ctx, r->actor.person_id);
	json_t *data = committee_base(r);
	json_object_set_new(data, "admin", json_boolean(admin));
	json_object_set_new(data, "chair", json_boolean(chair));
	int rc = 0;
	if (admin)
		rc = box_json(r, &ctx, REVIEW_BOX_CHECK, data, "to_check");
	if (!rc && (admin || chair))
		rc = box_json(r, &ctx, REVIEW_BOX_ASSIGN, data, "to_assign");
	if (!rc)
		rc = box_json(r, &ctx, REVIEW_BOX_MINE, data, "mine");
	if (!rc)
		rc = box_json(r, &ctx, REVIEW_BOX_READY, data, "ready");
	if (!rc)
		rc = box_json(r, &ctx, REVIEW_BOX_DECIDED, data, "decided");
	if (rc) {
		json_decref(data);
		return rc;
	}
	return reply_page(r, 200, "commissie", data);
}

static int load_review(struct req *r, struct ctx *ctx, struct review *v)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	req_ctx(r, ctx);
	return review_get(ctx, id, v);
}

static int render_review(struct req *r, struct ctx *ctx, const struct review *v, unsigned status,
                         const char *error)
{
	struct module m;
	int rc = module_get_version(ctx, v->module_id, v->version_id, &m);
	if (rc)
		return rc;
	struct review_criterion *crit;
	size_t nc;
	if ((rc = review_criteria(ctx, &crit, &nc)))
		return rc;
	int64_t me = r->actor.person_id;
	bool admin = (r->actor.roles & ROLE_CAMPUS_ADMIN) != 0;
	bool chair = review_is_chair(ctx, me);
	bool member = review_is_member(ctx, me);
	bool conflict = review_has_conflict(ctx, me, v->provider_id);
	bool assigned = false;
	for (size_t i = 0; i < v->nreviewers; i++)
		assigned |= v->reviewers[i].person_id == me;
	bool open = !strcmp(v->state, "submitted") || !strcmp(v->state, "checked") ||
	            !strcmp(v->state, "assigned");
	bool decided = !open && strcmp(v->state, "withdrawn");

	json_t *data = committee_base(r);
	json_object_set_new(data, "module", module_json(r, &m));
	json_object_set_new(data, "review", review_row_json(r, v));
	json_object_set_new(data, "conflict", json_boolean(conflict));
	json_object_set_new(data, "checked_by", json_string(v->checked_by_name));
	json_object_set_new(data, "decided_by", json_string(v->decided_by_name));
	json_object_set_new(data, "submitted_by", json_string(v->submitted_by_name));
	/* Scores and comments: for the committee, shown to a reviewer once their own are in. */
	bool own_done = false;
	for (size_t i = 0; i < v->nreviewers; i++)
		if (v->reviewers[i].person_id == me && v->reviewers[i].completed_at)
			own_done = true;
	bool see_scores = !conflict && (decided || !assigned || own_done);
	json_object_set_new(data, "criteria", criteria_json(v, crit, nc, see_scores));
	json_object_set_new(data, "see_scores", json_boolean(see_scores));
	json_t *reviewers = json_array();
	for (size_t i = 0; i < v->nreviewers; i++)
		json_array_append_new(reviewers, json_pack("{s:s, s:b}", "name", v->reviewers[i].name, "done",
		                                           v->reviewers[i].completed_at != 0));
	json_object_set_new(data, "reviewers", reviewers);

	if (admin && !strcmp(v->state, "submitted") && !v->light)
		json_object_set_new(data, "may_check", json_true());
	bool assignable = !strcmp(v->state, "checked") || !strcmp(v->state, "assigned") ||
	                  (!strcmp(v->state, "submitted") && v->light);
	if ((admin || chair) && assignable) {
		struct review_member *members;
		size_t nm;
		if ((rc = review_committee(ctx, v->provider_id, &members, &nm))) {
			json_decref(data);
			return rc;
		}
		json_t *list = json_array();
		for (size_t i = 0; i < nm; i++) {
			bool already = false;
			for (size_t j = 0; j < v->nreviewers; j++)
				already |= v->reviewers[j].person_id == members[i].person_id;
			if (!already)
				json_array_append_new(list, json_pack("{s:I, s:s, s:b}", "id",
				                                      (json_int_t)members[i].person_id, "name",
				                                      members[i].name, "conflict", members[i].conflict));
		}
		json_object_set_new(data, "may_assign", json_true());
		json_object_set_new(data, "members", list);
	}
	if (assigned && !conflict && !strcmp(v->state, "assigned")) {
		json_t *form = json_array();
		for (size_t i = 0; i < nc; i++) {
			int64_t mine = 0;
			const char *comment = "";
			for (size_t k = 0; k < v->nscores; k++)
				if (v->scores[k].reviewer_id == me && v->scores[k].criterion_id == crit[i].id) {
					mine = v->scores[k].score;
					comment = v->scores[k].comment;
				}
			json_t *options = json_array();
			for (int s = 1; s <= 5; s++)
				json_array_append_new(options, json_pack("{s:i, s:b}", "value", s, "selected", mine == s));
			json_array_append_new(form, json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)crit[i].id,
			                                      "name", crit[i].name, "description",
			                                      crit[i].description, "options", options, "comment",
			                                      comment));
		}
		json_object_set_new(data, "score_form", form);
	}
	if (member && !conflict && !strcmp(v->state, "assigned")) {
		struct tax_entry *tax = NULL;
		size_t nt = 0;
		json_t *dl = json_array();
		for (size_t i = 0; i < m.v.ntags; i++)
			if (m.v.tags[i].kind == 'd')
				json_array_append_new(dl, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)m.v.tags[i].id,
				                                    "name", m.v.tags[i].name, "checked", true));
		if (taxonomy_list(ctx, false, &tax, &nt) == 0) {
			for (size_t i = 0; i < nt; i++) {
				if (tax[i].kind != TAX_DOMAIN)
					continue;
				bool have = false;
				for (size_t k = 0; k < m.v.ntags; k++)
					have |= m.v.tags[k].kind == 'd' && m.v.tags[k].id == tax[i].id;
				if (!have)
					json_array_append_new(dl, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)tax[i].id,
					                                    "name", tax[i].name, "checked", false));
			}
		}
		char load[24], pmin[24], pmax[24];
		int64_t lo = 5, hi = 1000;
		review_points_range(ctx, &lo, &hi);
		json_object_set_new(data, "decide",
		                    json_pack("{s:o, s:s, s:s, s:s}", "domains", dl, "load",
		                              tenths_format(m.v.load_tenths, load, sizeof load), "points_min",
		                              tenths_format(lo, pmin, sizeof pmin), "points_max",
		                              tenths_format(hi, pmax, sizeof pmax)));
	}
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "commissie-toetsing", data);
}

int page_committee_review(struct req *r)
{
	struct ctx ctx;
	struct review v;
	int rc = load_review(r, &ctx, &v);
	return rc ? rc : render_review(r, &ctx, &v, 200, NULL);
}

/* After a step: back to the review with a message, or the page again with why. */
static int after_step(struct req *r, struct ctx *ctx, int64_t id, int rc, const char *why)
{
	if (why) {
		r->error = rc;
		struct review v;
		int rc2 = review_get(ctx, id, &v);
		return rc2 ? rc2 : render_review(r, ctx, &v, status_of(rc), req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "toetsing_bijgewerkt");
	const char *to = arena_printf(r->arena, "/commissie/toetsingen/%lld", (long long)id);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}

int page_committee_check(struct req *r)
{
	struct ctx ctx;
	struct review v;
	int rc = load_review(r, &ctx, &v);
	if (rc)
		return rc;
	const char *outcome = req_form(r, "uitkomst");
	if (!outcome || (strcmp(outcome, "compleet") && strcmp(outcome, "onvolledig")))
		return after_step(r, &ctx, v.id, CAMPUS_EINVAL, N_("Kies of de aanvraag compleet is."));
	const char *why;
	rc = review_check(&ctx, v.id, !strcmp(outcome, "compleet"), req_form(r, "reden"), &why);
	return after_step(r, &ctx, v.id, rc, why);
}

int page_committee_assign(struct req *r)
{
	struct ctx ctx;
	struct review v;
	int rc = load_review(r, &ctx, &v);
	if (rc)
		return rc;
	int64_t *ids;
	size_t n;
	if (form_ids(r, "beoordelaar", REVIEW_REVIEWERS_MAX, &ids, &n))
		return after_step(r, &ctx, v.id, CAMPUS_EINVAL, N_("Een toetsing heeft hoogstens vijf beoordelaars."));
	const char *why;
	rc = review_assign(&ctx, v.id, ids, n, &why);
	return after_step(r, &ctx, v.id, rc, why);
}

int page_committee_score(struct req *r)
{
	struct ctx ctx;
	struct review v;
	int rc = load_review(r, &ctx, &v);
	if (rc)
		return rc;
	struct review_criterion *crit;
	size_t nc;
	if ((rc = review_criteria(&ctx, &crit, &nc)))
		return rc;
	int64_t *ids = arena_alloc(r->arena, (nc + 1) * sizeof *ids);
	int64_t *scores = arena_alloc(r->arena, (nc + 1) * sizeof *scores);
	const char **comments = arena_alloc(r->arena, (nc + 1) * sizeof *comments);
	if (!ids || !scores || !comments)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < nc; i++) {
		char key[48];
		snprintf(key, sizeof key, "score_%lld", (long long)crit[i].id);
		const char *s = req_form(r, key);
		ids[i] = crit[i].id;
		scores[i] = 0;
		if (s && !str_to_int64(s, strlen(s), &scores[i]))
			scores[i] = 0;
		snprintf(key, sizeof key, "toelichting_%lld", (long long)crit[i].id);
		comments[i] = req_form(r, key);
	}
	const char *why;
	rc = review_score(&ctx, v.id, ids, scores, comments, nc, &why);
	return after_step(r, &ctx, v.id, rc, why);
}

int page_committee_decide(struct req *r)
{
	struct ctx ctx;
	struct review v;
	int rc = load_review(r, &ctx, &v);
	if (rc)
		return rc;
	const char *outcome = req_form(r, "besluit");
	struct review_decision d = {.reasons = req_form(r, "reden")};
	if (outcome && !strcmp(outcome, "erkend"))
		d.outcome = REVIEW_RECOGNISED;
	else if (outcome && !strcmp(outcome, "teruggestuurd"))
		d.outcome = REVIEW_RETURNED;
	else if (outcome && !strcmp(outcome, "afgewezen"))
		d.outcome = REVIEW_REJECTED;
	else
		return after_step(r, &ctx, v.id, CAMPUS_EINVAL, N_("Kies een besluit."));
	if (d.outcome == REVIEW_RECOGNISED) {
		const char *until = req_form(r, "geldig_tot");
		int64_t *domains;
		if (!tenths_parse(req_form(r, "punten") ? req_form(r, "punten") : "", &d.points_tenths))
			return after_step(r, &ctx, v.id, CAMPUS_EINVAL,
			                  N_("Vul het aantal punten in als getal, bijvoorbeeld 2 of 1,5."));
		if (!tenths_parse(req_form(r, "studielast") ? req_form(r, "studielast") : "", &d.load_tenths))
			return after_step(r, &ctx, v.id, CAMPUS_EINVAL,
			                  N_("Vul de studielast in uren in, bijvoorbeeld 8 of 7,5."));
		if (form_ids(r, "domein", MODULE_TAGS_MAX, &domains, &d.ndomains))
			return after_step(r, &ctx, v.id, CAMPUS_EINVAL, N_("Kies hoogstens 24 domeinen."));
		d.domains = domains;
		if (until && *until && !date_parse(until, &d.valid_until))
			return after_step(r, &ctx, v.id, CAMPUS_EINVAL,
			                  N_("Vul de geldigheid in als datum (jjjj-mm-dd) of laat het veld leeg."));
	}
	const char *why;
	rc = review_decide(&ctx, v.id, &d, &why);
	return after_step(r, &ctx, v.id, rc, why);
}

/* ---- trusted providers ---- */

static int render_providers(struct req *r, struct ctx *ctx, unsigned status, const char *error)
{
	struct review_trusted *list;
	size_t n;
	int rc = review_trusted_list(ctx, &list, &n);
	if (rc)
		return rc;
	json_t *data = committee_base(r);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)list[i].org_id,
		                                      "name", list[i].name, "since", date_iso(r, list[i].since),
		                                      "until", date_iso(r, list[i].valid_until)));
	json_object_set_new(data, "trusted", rows);
	struct org *orgs;
	size_t no;
	int64_t total;
	if ((rc = org_search(ctx, NULL, 0, 500, &orgs, &no, &total))) {
		json_decref(data);
		return rc;
	}
	json_t *choices = json_array();
	for (size_t i = 0; i < no; i++)
		if (!strcmp(orgs[i].kind, "provider") || !strcmp(orgs[i].kind, "poi"))
			json_array_append_new(choices, json_pack("{s:I, s:s}", "id", (json_int_t)orgs[i].id, "name",
			                                         orgs[i].name));
	json_object_set_new(data, "providers", choices);
	json_object_set_new(data, "default_until", json_string(date_iso(r, ctx->now() + 3 * 365 * 86400LL)));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "commissie-aanbieders", data);
}

int page_committee_providers(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (r->method != HTTP_POST)
		return render_providers(r, &ctx, 200, NULL);
	const char *org_text = req_form(r, "aanbieder");
	const char *action = req_form(r, "actie");
	int64_t org_id;
	if (!org_text || !str_to_int64(org_text, strlen(org_text), &org_id) || org_id <= 0)
		return render_providers(r, &ctx, 400, req_tr(r, "Kies een aanbieder."));
	const char *why = NULL;
	int rc;
	if (action && !strcmp(action, "beeindigen")) {
		rc = review_trust_end(&ctx, org_id, &why);
	} else {
		int64_t until;
		if (!date_parse(req_form(r, "geldig_tot"), &until))
			return render_providers(r, &ctx, 400,
			                        req_tr(r, "Vul de geldigheid in als datum (jjjj-mm-dd)."));
		rc = review_trust_set(&ctx, org_id, until, &why);
	}
	if (why) {
		r->error = rc;
		return render_providers(r, &ctx, status_of(rc), req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "toetsing_bijgewerkt");
	return reply_redirect(r, "/commissie/aanbieders");
}

/* ---- the public register ---- */

int page_register(struct req *r)
{
	unsigned page;
	if (page_param(r, &page))
		return CAMPUS_EINVAL;
	const char *q = req_query(r, "q");
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct review_register_row *rows;
	size_t n;
	int64_t total;
	int rc = review_register(&ctx, q, (page - 1) * REGISTER_PER_PAGE, REGISTER_PER_PAGE, &rows, &n, &total);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		char p[24], l[24];
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		                                      (json_int_t)rows[i].module_id, "title", rows[i].title,
		                                      "provider", rows[i].provider, "points",
		                                      tenths_format(rows[i].points_tenths, p, sizeof p), "load",
		                                      tenths_format(rows[i].load_tenths, l, sizeof l), "domains",
		                                      rows[i].domains, "until", date_iso(r, rows[i].valid_until)));
	}
	static const char *const keep[] = {"q", NULL};
	struct buf csv;
	buf_init(&csv, r->arena, 512);
	buf_puts(&csv, "/register.csv");
	if (q && *q) {
		buf_puts(&csv, "?q=");
		buf_url_encode(&csv, q, strlen(q));
	}
	json_t *data = json_pack("{s:o, s:o, s:s, s:s, s:[{s:s, s:s}]}", "rows", list, "pager",
	                         pager_json(r, "/register", keep, page, REGISTER_PER_PAGE, total), "q",
	                         q ? q : "", "csv", csv.overflow ? "/register.csv" : buf_cstr(&csv),
	                         "breadcrumb", "href", "/", "label", req_tr(r, "Campus"));
	return reply_page(r, 200, "register", data);
}

/* One CSV cell: quoted, quotes doubled, and a leading = + - @ defused so a
 * spreadsheet does not run it as a formula. */
static void csv_cell(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_puts(b, last ? "\"\r\n" : "\";");
}

int page_register_csv(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct review_register_row *rows;
	size_t n;
	int64_t total;
	int rc = review_register(&ctx, req_query(r, "q"), 0, REVIEW_REGISTER_PAGE_MAX, &rows, &n, &total);
	if (rc)
		return rc;
	struct buf b;
	buf_init(&b, r->arena, 16 * 1024 * 1024);
	const char *head[] = {req_tr(r, "Titel"), req_tr(r, "Aanbieder"), req_tr(r, "Punten"),
	                      req_tr(r, "Studielast (uur)"), req_tr(r, "Domeinen"), req_tr(r, "Geldig tot")};
	for (size_t i = 0; i < 6; i++)
		csv_cell(&b, head[i], i == 5);
	for (size_t i = 0; i < n; i++) {
		char p[24], l[24];
		csv_cell(&b, rows[i].title, false);
		csv_cell(&b, rows[i].provider, false);
		csv_cell(&b, tenths_format(rows[i].points_tenths, p, sizeof p), false);
		csv_cell(&b, tenths_format(rows[i].load_tenths, l, sizeof l), false);
		csv_cell(&b, rows[i].domains, false);
		csv_cell(&b, date_iso(r, rows[i].valid_until), true);
	}
	if (b.overflow)
		return CAMPUS_ENOMEM;
	rc = req_add_header(r, "Content-Disposition", "attachment; filename=\"register.csv\"");
	return rc ? rc : reply_text(r, 200, "text/csv; charset=utf-8", b.data, b.len);
}
