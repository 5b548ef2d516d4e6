/* Catalogue search: Dutch full text (the database's FTS over text analysed
 * by core/dutch.h), typo tolerance, facets with counts, filters, visibility
 * and sorting. The text part runs in the database and is cached per
 * (query, generation); everything else runs in memory over a snapshot of the
 * published modules that is reloaded when the catalogue generation (one row
 * in the database, bumped by catalog_search_index) changes. Thread-safe.
 * See docs/internals/search.md. */
#ifndef CAMPUS_DOMAIN_SEARCH_H
#define CAMPUS_DOMAIN_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

enum search_facet {
	SF_DOMAIN,
	SF_ROLE,
	SF_COMPETENCY,
	SF_LEVEL,
	SF_FORMAT,
	SF_PROVIDER,
	SF_POINTS,
	SF_PRICE,
	SF_PROVINCE,
	SF_LANGUAGE,
	SF_RECOGNISED,
	SF_START, /* editions: soon, or always open (e-learning) */
	SF_COUNT
};
/* The query parameter of each facet (domein, rol, ...) and its name (a Dutch msgid). */
extern const char *const search_facet_params[SF_COUNT];
extern const char *const search_facet_names[SF_COUNT];

enum search_sort {
	SEARCH_SORT_DEFAULT, /* relevance with a query, title without */
	SEARCH_SORT_RELEVANCE,
	SEARCH_SORT_TITLE,
	SEARCH_SORT_POINTS, /* most points first */
	SEARCH_SORT_NEWEST,
};
/* "relevantie", "titel", "punten", "nieuw" ("" is the default); false for others. */
bool search_sort_parse(const char *s, enum search_sort *out);
extern const char *const search_sort_keys[5];

#define SEARCH_TEXT_MAX 200  /* bytes of the query text */
#define SEARCH_VALUES_MAX 32 /* values chosen in one facet */
#define SEARCH_LIMIT_MAX 100

struct search_query {
	const char *text; /* NULL or "": everything */
	/* Chosen values per facet (their keys: slugs, codes, ja/nee...); several
	 * values in one facet mean any of them, facets combine with AND. */
	const char *values[SF_COUNT][SEARCH_VALUES_MAX];
	size_t nvalues[SF_COUNT];
	enum search_sort sort;
	size_t offset, limit;
	bool national_only; /* the anonymous API: never a library's local module */
};

struct search_value {
	const char *key;
	const char *label;
	bool label_msgid; /* label is a Dutch msgid to translate; else a name */
	int64_t count;    /* results with this value, other facets' filters applied */
	bool selected;
};

struct search_facet_out {
	struct search_value *values; /* those with results, and the chosen ones */
	size_t n;
};

struct search_hit {
	int64_t id;
	const char *title, *summary, *provider_name;
	const char *level;    /* NULL: none */
	const char *format, *language, *province, *place;
	const char *local_org_name; /* NULL: national */
	bool recognised, has_points;
	int64_t points_tenths, price_cents, load_tenths, updated_at;
};

struct search_result {
	struct search_hit *hits;
	size_t nhits;
	int64_t total; /* all results, not just this page */
	struct search_facet_out facets[SF_COUNT];
	/* The query as searched after typo correction (for "Resultaten voor
	 * ..."); NULL when nothing was corrected. */
	const char *corrected;
	/* Chosen values that do not exist (any more): ignored, "param=value". */
	const char **ignored;
	size_t nignored;
};

/* (Re)indexes the module's published version, or removes it from the index
 * when nothing is published, and bumps the catalogue generation. Runs in
 * the caller's write transaction. CAMPUS_ENOTFOUND for an unknown module. */
int catalog_search_index(struct ctx *ctx, int64_t module_id);
/* The catalogue's generation now: anything made from the published
 * catalogue (a rendered result page) is current while this stays the same. */
int catalog_search_generation(struct ctx *ctx, int64_t *generation);
/* Every module again, in its own write transaction (CLI, after bulk loads). */
int catalog_search_reindex_all(struct ctx *ctx);

/* Results visible to ctx->actor: national modules, and a library's local
 * modules for its current members (campus administrators see all).
 * CAMPUS_EINVAL for a text over SEARCH_TEXT_MAX bytes or not UTF-8, too
 * many values in a facet or a limit over SEARCH_LIMIT_MAX. Results live in
 * ctx->arena. */
int catalog_search(struct ctx *ctx, const struct search_query *q, struct search_result *out);

/* Labels (Dutch msgids) of fixed values; NULL for an unknown one. */
const char *search_format_label(const char *format);
const char *search_level_label(const char *level);
const char *search_language_label(const char *language);

#endif
