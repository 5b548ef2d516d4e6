/* The offering: search and filters over the catalogue, at /aanbod and in a
 * library's own environment at /b/<slug>/aanbod, and the same search as JSON
 * at /api/v1/modules. Every choice is a query parameter (shareable URL); the
 * form works without JavaScript, and with htmx the server answers only the
 * search area (form and results) when the HX-Request header is present. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/lru.h"
#include "core/str.h"
#include "domain/catalog.h"
#include "domain/search.h"
#include "http/req.h"
#include "web/web.h"

#define PER_PAGE 20

/* The search asked for in the query string; *why (a Dutch msgid) says what
 * is wrong when CAMPUS_EINVAL. Unknown parameters are ignored. */
static int parse_search(struct req *r, struct search_query *q, unsigned *page, const char **why)
{
	*q = (struct search_query){.limit = PER_PAGE};
	for (const struct form_field *f = r->query.first; f; f = f->next) {
		if (!f->value)
			continue;
		if (strcmp(f->name, "q") == 0) {
			if (f->value_len > SEARCH_TEXT_MAX) {
				*why = N_("De zoekvraag is te lang: gebruik ten hoogste 200 tekens.");
				return CAMPUS_EINVAL;
			}
			q->text = f->value;
			continue;
		}
		if (strcmp(f->name, "sortering") == 0) {
			if (!search_sort_parse(f->value, &q->sort)) {
				*why = N_("Onbekende sortering.");
				return CAMPUS_EINVAL;
			}
			continue;
		}
		for (int k = 0; k < SF_COUNT; k++) {
			if (strcmp(f->name, search_facet_params[k]) != 0 || !*f->value)
				continue;
			if (q->nvalues[k] == SEARCH_VALUES_MAX) {
				*why = N_("Te veel waarden gekozen voor één filter.");
				return CAMPUS_EINVAL;
			}
			q->values[k][q->nvalues[k]++] = f->value;
		}
	}
	if (page_param(r, page) != 0) {
		*why = N_("Ongeldig paginanummer.");
		return CAMPUS_EINVAL;
	}
	q->offset = (size_t)(*page - 1) * PER_PAGE;
	return 0;
}

/* base?q=..&facet=..&sortering=..&pagina=N, from what was parsed. */
static const char *search_url(struct req *r, const char *base, const struct search_query *q,
                              unsigned page)
{
	struct buf b;
	buf_init(&b, r->arena, 8192);
	buf_puts(&b, base);
	char sep = '?';
	if (q->text && *q->text) {
		buf_printf(&b, "%cq=", sep);
		buf_url_encode(&b, q->text, strlen(q->text));
		sep = '&';
	}
	for (int k = 0; k < SF_COUNT; k++)
		for (size_t i = 0; i < q->nvalues[k]; i++) {
			buf_printf(&b, "%c%s=", sep, search_facet_params[k]);
			buf_url_encode(&b, q->values[k][i], strlen(q->values[k][i]));
			sep = '&';
		}
	if (q->sort != SEARCH_SORT_DEFAULT) {
		buf_printf(&b, "%csortering=%s", sep, search_sort_keys[q->sort]);
		sep = '&';
	}
	if (page > 1)
		buf_printf(&b, "%cpagina=%u", sep, page);
	return b.overflow ? base : b.data;
}

struct search_link {
	struct req *r;
	const char *base;
	const struct search_query *q;
};

static const char *search_link_to(void *cls, unsigned page)
{
	const struct search_link *l = cls;
	return search_url(l->r, l->base, l->q, page);
}

static const char *price(struct req *r, int64_t cents)
{
	if (cents == 0)
		return req_tr(r, "Gratis");
	return arena_printf(r->arena, "€ %lld,%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static const char *label_of(struct req *r, const struct search_value *v)
{
	return v->label_msgid ? req_tr(r, v->label) : v->label;
}

static json_t *hit_json(struct req *r, const struct search_hit *h)
{
	const char *fmt = search_format_label(h->format), *lvl = search_level_label(h->level),
	           *lang = search_language_label(h->language);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)h->id,
	                      "title", h->title, "summary", h->summary, "provider", h->provider_name,
	                      "format", fmt ? req_tr(r, fmt) : h->format, "language",
	                      lang ? req_tr(r, lang) : h->language, "price", price(r, h->price_cents),
	                      "recognised", h->recognised, "load", tenths_text(r, h->load_tenths));
	if (lvl)
		json_object_set_new(o, "level", json_string(req_tr(r, lvl)));
	if (h->has_points)
		json_object_set_new(o, "points", json_string(tenths_text(r, h->points_tenths)));
	const char *where = *h->place && *h->province
	                        ? arena_printf(r->arena, "%s (%s)", h->place, h->province)
	                        : *h->place ? h->place : h->province;
	if (where && *where)
		json_object_set_new(o, "place", json_string(where));
	if (h->local_org_name)
		json_object_set_new(o, "local_org", json_string(h->local_org_name));
	return o;
}

static json_t *facets_json(struct req *r, const struct search_result *res)
{
	json_t *list = json_array();
	for (int k = 0; k < SF_COUNT; k++) {
		const struct search_facet_out *f = &res->facets[k];
		if (!f->n)
			continue;
		json_t *vals = json_array();
		for (size_t i = 0; i < f->n; i++)
			json_array_append_new(
			    vals, json_pack("{s:s, s:s, s:I, s:b, s:s}", "key", f->values[i].key, "label",
			                    label_of(r, &f->values[i]), "count", (json_int_t)f->values[i].count,
			                    "selected", f->values[i].selected, "id",
			                    arena_printf(r->arena, "f-%s-%zu", search_facet_params[k], i)));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "param", search_facet_params[k],
		                                      "name", req_tr(r, search_facet_names[k]), "values",
		                                      vals));
	}
	return list;
}

static const char *const sort_labels[] = {
    N_("Standaard"), N_("Best passend"), N_("Titel (A-Z)"), N_("Meeste punten"), N_("Nieuwste"),
};

/* The search area (form, facets, results, pager) as HTML; *status 400
 * with the reason when the query is malformed. */
static int search_area(struct req *r, const char *base, struct buf *out)
{
	struct search_query q;
	unsigned page;
	const char *why = NULL;
	int rc = parse_search(r, &q, &page, &why);
	if (rc)
		return reply_error(r, rc, why ? req_tr(r, why) : NULL);
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct search_result res;
	rc = catalog_search(&ctx, &q, &res);
	if (rc)
		return rc;
	json_t *hits = json_array();
	for (size_t i = 0; i < res.nhits; i++)
		json_array_append_new(hits, hit_json(r, &res.hits[i]));
	json_t *sorts = json_array();
	for (int s = 0; s < 5; s++)
		json_array_append_new(sorts, json_pack("{s:s, s:s, s:b}", "key", search_sort_keys[s],
		                                       "label", req_tr(r, sort_labels[s]), "selected",
		                                       (int)q.sort == s));
	/* The pager keeps every choice: links from the parsed query. */
	struct search_link link = {r, base, &q};
	json_t *pager = pager_json_links(page, PER_PAGE, res.total, search_link_to, &link);
	bool filtered = false;
	for (int k = 0; k < SF_COUNT; k++)
		filtered |= q.nvalues[k] > 0;
	json_t *data = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:b, s:b, s:b, s:s}", "base", base,
	                         "q", q.text ? q.text : "", "hits", hits, "facets", facets_json(r, &res),
	                         "sorts", sorts, "pager", pager, "total", (json_int_t)res.total, "one",
	                         res.total == 1, "filtered", filtered, "beyond",
	                         res.total > 0 && res.nhits == 0, "clear", base);
	if (res.corrected)
		json_object_set_new(data, "corrected", json_string(res.corrected));
	if (res.nignored)
		json_object_set_new(data, "ignored", json_true());
	rc = req_render(r, "partials/aanbod-zoeken", data, out);
	json_decref(data);
	return rc ? CAMPUS_EINTERNAL : 0;
}

/* Visitors without a log-in all see the same national catalogue, so their
 * search areas are kept per (language, address) until the catalogue
 * changes; logged-in people may see local modules and get theirs fresh. */
static struct lru anonymous_areas = LRU_INIT;

static int search_page(struct req *r, const char *base)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t generation = 0;
	bool shared = !r->actor.person_id && catalog_search_generation(&ctx, &generation) == 0;
	const char *key = arena_printf(r->arena, "%d %s?%s", (int)r->lang, base, r->query_string);
	void *html = NULL;
	size_t len = 0;
	if (!key)
		return CAMPUS_ENOMEM;
	if (!shared || !lru_get(&anonymous_areas, key, generation, r->arena, &html, &len)) {
		struct buf area;
		buf_init(&area, r->arena, 0);
		int rc = search_area(r, base, &area);
		if (rc || r->status) /* an error page is already the reply */
			return rc;
		html = area.data;
		len = area.len;
		if (shared)
			lru_put(&anonymous_areas, key, generation, html, len);
	}
	req_add_header(r, "Vary", "HX-Request");
	/* htmx asks for the search area only; a history restore wants the page. */
	const char *hx = req_header(r, "HX-Request");
	const char *restore = req_header(r, "HX-History-Restore-Request");
	if (hx && !strcmp(hx, "true") && !(restore && !strcmp(restore, "true")))
		return reply_text(r, 200, "text/html; charset=utf-8", html, len);
	json_t *data = json_pack("{s:[{s:s, s:s}]}", "breadcrumb", "href",
	                         r->org.id ? arena_printf(r->arena, "/b/%s", r->org.slug) : "/",
	                         "label", r->org.id ? r->org.name : req_tr(r, "Campus"));
	/* Our own rendering, valid UTF-8: no need for jansson to scan 50 kB again. */
	json_object_set_new(data, "search_html", json_stringn_nocheck(html, len));
	if (r->org.id)
		json_object_set_new(data, "org_name", json_string(r->org.name));
	return reply_page(r, 200, "aanbod", data);
}

int page_catalog(struct req *r)
{
	return search_page(r, "/aanbod");
}

int page_org_catalog(struct req *r)
{
	const char *base = arena_printf(r->arena, "/b/%s/aanbod", r->org.slug);
	return base ? search_page(r, base) : CAMPUS_ENOMEM;
}

/* The API answer as JSON text; the caller caches it. */
static int api_modules_json(struct req *r, struct buf *text)
{
	struct search_query q;
	unsigned page;
	const char *why = NULL;
	int rc = parse_search(r, &q, &page, &why);
	if (rc)
		return reply_error(r, rc, why);
	q.national_only = true; /* no session on the API: never a library's own module */
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct search_result res;
	rc = catalog_search(&ctx, &q, &res);
	if (rc)
		return rc;
	json_t *results = json_array();
	for (size_t i = 0; i < res.nhits; i++) {
		const struct search_hit *h = &res.hits[i];
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:s, s:s}", "id",
		                      (json_int_t)h->id, "title", h->title, "summary", h->summary,
		                      "provider", h->provider_name, "format", h->format, "language",
		                      h->language, "price_cents", (json_int_t)h->price_cents,
		                      "load_tenths", (json_int_t)h->load_tenths, "recognised",
		                      h->recognised, "province", h->province, "place", h->place, "url",
		                      arena_printf(r->arena, "/aanbod/%lld", (long long)h->id));
		json_object_set_new(o, "level", h->level ? json_string(h->level) : json_null());
		json_object_set_new(o, "points_tenths",
		                    h->has_points ? json_integer(h->points_tenths) : json_null());
		json_array_append_new(results, o);
	}
	json_t *facets = json_object();
	for (int k = 0; k < SF_COUNT; k++) {
		json_t *vals = json_array();
		for (size_t i = 0; i < res.facets[k].n; i++) {
			const struct search_value *v = &res.facets[k].values[i];
			json_array_append_new(vals, json_pack("{s:s, s:s, s:I, s:b}", "key", v->key, "label",
			                                      label_of(r, v), "count", (json_int_t)v->count,
			                                      "selected", v->selected));
		}
		json_object_set_new(facets, search_facet_params[k], vals);
	}
	json_t *ignored = json_array();
	for (size_t i = 0; i < res.nignored; i++)
		json_array_append_new(ignored, json_string(res.ignored[i]));
	unsigned pages = res.total > 0 ? (unsigned)((res.total + PER_PAGE - 1) / PER_PAGE) : 1;
	json_t *out = json_pack("{s:I, s:i, s:i, s:i, s:o, s:o, s:o}", "total", (json_int_t)res.total,
	                        "page", (int)page, "pages", (int)pages, "per_page", PER_PAGE, "results",
	                        results, "facets", facets, "ignored", ignored);
	json_object_set_new(out, "corrected", res.corrected ? json_string(res.corrected) : json_null());
	char *dumped = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(out);
	if (!dumped)
		return CAMPUS_ENOMEM;
	rc = buf_puts(text, dumped);
	free(dumped);
	return rc ? rc : buf_putc(text, '\n');
}

/* The API carries no session: every caller sees the national catalogue,
 * so answers are kept per (language, query) until the catalogue changes. */
static struct lru api_answers = LRU_INIT;

int api_modules(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t generation = 0;
	bool cacheable = catalog_search_generation(&ctx, &generation) == 0;
	const char *key = arena_printf(r->arena, "%d ?%s", (int)r->lang, r->query_string);
	void *json = NULL;
	size_t len = 0;
	if (!key)
		return CAMPUS_ENOMEM;
	if (!cacheable || !lru_get(&api_answers, key, generation, r->arena, &json, &len)) {
		struct buf text;
		buf_init(&text, r->arena, 0);
		int rc = api_modules_json(r, &text);
		if (rc || r->status) /* an error reply is already made */
			return rc;
		json = text.data;
		len = text.len;
		if (cacheable)
			lru_put(&api_answers, key, generation, json, len);
	}
	return reply_text(r, 200, "application/json", json, len);
}
