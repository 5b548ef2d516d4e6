/* The personal study dossier: one read of everything the actor may see of a
 * person's learning. The visibility rule lives in progress_window() and the
 * readers of progress.h and credential.h apply it; this module only adds what
 * those cannot know (which parts make sense in a limited view). */
#include "domain/dossier.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "domain/search.h"
#include "domain/taxonomy.h"

const char *dossier_source_label(const char *source)
{
	static const struct {
		const char *key, *label;
	} labels[] = {
	    {"web", N_("de aanbieder (website)")},   {"csv", N_("de aanbieder (CSV-bestand)")},
	    {"api", N_("de aanbieder (koppeling)")}, {"qr", N_("inchecken met QR-code")},
	    {"elearning", N_("e-learning")},          {"connector", N_("een externe aanbieder")},
	    {"self_report", N_("eigen melding, goedgekeurd")}, {"evc", N_("EVC-besluit van de commissie")},
	    {"demo", N_("demonstratiegegevens")},
	};
	for (size_t i = 0; source && i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(labels[i].key, source))
			return labels[i].label;
	return source ? source : "";
}

DB_STMT(stmt_member_ever,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND org_id = $2");

static int by_points_desc(const void *a, const void *b)
{
	const struct points_domain *x = a, *y = b;
	if (x->pe_tenths != y->pe_tenths)
		return x->pe_tenths < y->pe_tenths ? 1 : -1;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* A domain's pe points in the dossier (0 when it has none). */
static int64_t domain_points(const struct dossier *d, int64_t domain_id)
{
	for (size_t i = 0; i < d->ndomains; i++)
		if (d->domains[i].domain_id == domain_id)
			return d->domains[i].pe_tenths;
	return 0;
}

/* How far a domain falls short of the diploma minimums not yet met (0: it
 * does not); domains a diploma asks for go first. */
static int64_t diploma_shortfall(const struct dossier *d, int64_t domain_id)
{
	int64_t most = 0;
	for (size_t i = 0; i < d->ndiplomas; i++) {
		if (d->diplomas[i].met)
			continue;
		for (size_t k = 0; k < d->diplomas[i].ndomains; k++) {
			const struct diploma_domain_need *need = &d->diplomas[i].domains[k];
			int64_t short_by = need->min_points_tenths - need->points_tenths;
			if (need->domain_id == domain_id && short_by > most)
				most = short_by;
		}
	}
	return most;
}

static bool completed(const struct dossier *d, int64_t module_id)
{
	for (size_t i = 0; i < d->ncompletions; i++)
		if (d->completions[i].module_id == module_id)
			return true;
	return false;
}

/* The domains the person is shortest in and a few recognised modules there
 * they have not followed: a start, not advice (the catalogue does the rest). */
static int suggestions(struct ctx *ctx, struct dossier *d)
{
	struct tax_entry *tax;
	size_t ntax;
	int rc = taxonomy_list(ctx, false, &tax, &ntax);
	if (rc)
		return rc;
	size_t ndom = 0;
	for (size_t i = 0; i < ntax; i++)
		ndom += tax[i].kind == TAX_DOMAIN;
	if (!ndom)
		return 0;
	struct cand {
		const struct tax_entry *e;
		int64_t shortfall, points;
	} *c = arena_alloc(ctx->arena, ndom * sizeof *c);
	if (!c)
		return CAMPUS_ENOMEM;
	size_t nc = 0;
	for (size_t i = 0; i < ntax; i++)
		if (tax[i].kind == TAX_DOMAIN)
			c[nc++] = (struct cand){&tax[i], diploma_shortfall(d, tax[i].id),
			                        domain_points(d, tax[i].id)};
	/* A selection, not a sort: ndom is a handful. */
	d->suggestions = arena_zalloc(ctx->arena, DOSSIER_SUGGEST_DOMAINS * sizeof *d->suggestions);
	if (!d->suggestions)
		return CAMPUS_ENOMEM;
	for (size_t pick = 0; pick < DOSSIER_SUGGEST_DOMAINS && pick < nc; pick++) {
		size_t best = pick;
		for (size_t i = pick + 1; i < nc; i++)
			if (c[i].shortfall > c[best].shortfall ||
			    (c[i].shortfall == c[best].shortfall && c[i].points < c[best].points))
				best = i;
		struct cand t = c[pick];
		c[pick] = c[best];
		c[best] = t;
		struct dossier_suggestion *s = &d->suggestions[d->nsuggestions++];
		*s = (struct dossier_suggestion){.domain_id = c[pick].e->id,
		                                 .domain_slug = c[pick].e->slug,
		                                 .domain_name = c[pick].e->name,
		                                 .points_tenths = c[pick].points};
		struct search_query q = {.sort = SEARCH_SORT_POINTS, .limit = 12};
		q.values[SF_DOMAIN][0] = c[pick].e->slug;
		q.nvalues[SF_DOMAIN] = 1;
		q.values[SF_RECOGNISED][0] = "ja";
		q.nvalues[SF_RECOGNISED] = 1;
		struct search_result res;
		rc = catalog_search(ctx, &q, &res);
		if (rc)
			return rc;
		for (size_t i = 0; i < res.nhits && s->nmodules < DOSSIER_SUGGEST_MODULES; i++)
			if (!completed(d, res.hits[i].id))
				s->modules[s->nmodules++] = (struct dossier_module){
				    res.hits[i].id, res.hits[i].title, res.hits[i].provider_name,
				    res.hits[i].points_tenths};
	}
	return 0;
}

int dossier_get(struct ctx *ctx, int64_t person_id, struct dossier *out)
{
	*out = (struct dossier){.person_id = person_id};
	int rc = progress_window(ctx, person_id, &out->since, &out->until);
	if (rc)
		return rc;
	struct person p;
	rc = person_get(ctx, person_id, &p);
	if (rc)
		return rc;
	out->name = p.name;
	out->email = p.email;
	out->whole = out->since == 0 && out->until == INT64_MAX;
	struct when_local now;
	when_to_local(ctx->now(), &now);
	out->year = now.year;

	if ((rc = progress_balances(ctx, person_id, &out->years, &out->nyears, &out->domains,
	                            &out->ndomains)) ||
	    (rc = progress_rows(ctx, person_id, 0, &out->rows, &out->nrows)) ||
	    (rc = progress_completions(ctx, person_id, &out->completions, &out->ncompletions)) ||
	    (rc = credential_list(ctx, person_id, &out->credentials, &out->ncredentials)))
		return rc;
	if (out->ndomains > 1)
		qsort(out->domains, out->ndomains, sizeof *out->domains, by_points_desc);
	for (size_t i = 0; i < out->nyears; i++) {
		out->total_pe_tenths += out->years[i].pe_tenths;
		out->total_study_tenths += out->years[i].study_tenths;
		if (out->years[i].year == out->year) {
			out->year_pe_tenths = out->years[i].pe_tenths;
			out->year_study_tenths = out->years[i].study_tenths;
		}
	}

	struct norm_status *norms;
	size_t nnorms;
	if ((rc = norm_status_for(ctx, person_id, out->year, &norms, &nnorms)))
		return rc;
	out->norms = norms;
	if (out->whole) {
		out->nnorms = nnorms;
	} else {
		/* A library's manager sees its own norm, not the person's other libraries. */
		for (size_t i = 0; i < nnorms; i++)
			if (norms[i].org_id == ctx->actor.org_id)
				out->norms[out->nnorms++] = norms[i];
		return 0;
	}
	if ((rc = diploma_progress_for(ctx, person_id, &out->diplomas, &out->ndiplomas)))
		return rc;
	/* Suggestions are the person's own: what they could follow next. */
	if (ctx->actor.person_id == person_id)
		return suggestions(ctx, out);
	return 0;
}

int dossier_member_get(struct ctx *ctx, int64_t org_id, int64_t person_id, struct dossier *out)
{
	int64_t n = 0;
	int rc = db_query_row(ctx->db, &stmt_member_ever,
	                      (const struct db_param[]){DBP_INT(person_id), DBP_INT(org_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (!n)
		return CAMPUS_ENOTFOUND;
	return dossier_get(ctx, person_id, out);
}
