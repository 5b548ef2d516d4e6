/* Catalogue search: see search.h and docs/internals/search.md. */
#include "domain/search.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/dutch.h"
#include "core/err.h"
#include "core/lru.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/people.h"

#define DEFAULT_LIMIT 20
#define QUERY_WORDS_MAX 16
#define FTS_MAX 10000      /* most matches the text part returns */
#define SNAPSHOT_CAP ((size_t)512 * 1024 * 1024)

const char *const search_facet_params[SF_COUNT] = {
    "domein", "rol", "competentie", "niveau", "vorm",   "aanbieder",
    "punten", "prijs", "provincie", "taal",  "erkend",    "start",
};
const char *const search_facet_names[SF_COUNT] = {
    N_("Domein"), N_("Rol"),    N_("Competentie"), N_("Niveau"),    N_("Vorm"),  N_("Aanbieder"),
    N_("Punten"), N_("Prijs"), N_("Provincie"),   N_("Taal"),      N_("Erkend"),
    N_("Start"),
};
const char *const search_sort_keys[5] = {"", "relevantie", "titel", "punten", "nieuw"};

bool search_sort_parse(const char *s, enum search_sort *out)
{
	for (int i = 0; i < 5; i++)
		if (s && strcmp(s, search_sort_keys[i]) == 0) {
			*out = (enum search_sort)i;
			return true;
		}
	return false;
}

/* ---- fixed values ------------------------------------------------------------ */

struct fixed {
	const char *key, *stored, *label;
};
static const struct fixed levels[] = {
    {"uitvoerend", "uitvoerend", N_("Uitvoerend")},
    {"tactisch", "tactisch", N_("Tactisch")},
    {"strategisch", "strategisch", N_("Strategisch")},
};
static const struct fixed formats[] = {
    {"klassikaal", "classroom", N_("Klassikaal")},
    {"online-live", "online_live", N_("Online live")},
    {"e-learning", "elearning", N_("E-learning")},
    {"blended", "blended", N_("Blended")},
};
static const struct fixed languages[] = {
    {"nl", "nl", N_("Nederlands")}, {"en", "en", N_("Engels")}, {"fy", "fy", N_("Fries")}, {"de", "de", N_("Duits")},
};
/* Points in tenths: (lo, hi]. */
static const struct {
	const char *key, *label;
	int64_t lo, hi;
} point_buckets[] = {
    {"0-2", N_("Tot en met 2 punten"), 0, 20},
    {"2-5", N_("Meer dan 2, tot en met 5 punten"), 20, 50},
    {"5-10", N_("Meer dan 5, tot en met 10 punten"), 50, 100},
    {"10-plus", N_("Meer dan 10 punten"), 100, INT64_MAX},
};
static const struct fixed prices[] = {{"gratis", NULL, N_("Gratis")}, {"betaald", NULL, N_("Betaald")}};
/* When one can begin: an edition starting within a month or three (from the
 * day the snapshot was made; the generation changes daily, see
 * catalog_search_generation), or one that is always open. */
static const struct fixed starts[] = {
    {"binnen-een-maand", NULL, N_("Binnen een maand")},
    {"binnen-drie-maanden", NULL, N_("Binnen drie maanden")},
    {"altijd", NULL, N_("Altijd te volgen")},
};
#define START_MONTH (31 * 86400)
#define START_QUARTER (92 * 86400)
static const struct fixed recognised_values[] = {{"ja", NULL, N_("Erkend")}, {"nee", NULL, N_("Niet erkend")}};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *fixed_label(const struct fixed *t, size_t n, const char *stored)
{
	for (size_t i = 0; stored && i < n; i++)
		if (strcmp(t[i].stored, stored) == 0)
			return t[i].label;
	return NULL;
}
const char *search_format_label(const char *format)
{
	return fixed_label(formats, COUNT_OF(formats), format);
}
const char *search_level_label(const char *level)
{
	return fixed_label(levels, COUNT_OF(levels), level);
}
const char *search_language_label(const char *language)
{
	return fixed_label(languages, COUNT_OF(languages), language);
}

/* ---- indexing ------------------------------------------------------------------ */

/* The text of a published version: title, summary, body (everything else a
 * learner reads, and the taxonomy it names), provider. */
#define TEXT_COLS                                                                                  \
	"SELECT m.id, v.title, v.summary, v.description || ' ' || v.goals || ' ' || v.prerequisites " \
	"|| ' ' || v.place || ' ' || v.province || ' ' || COALESCE((SELECT "
#define TEXT_TAGS                                                                                  \
	"(COALESCE(d.name, r.name, c.name), ' ') FROM module_version_tags t "                     \
	"LEFT JOIN tax_domains d ON t.kind = 'domain' AND d.id = t.tag_id "                        \
	"LEFT JOIN tax_roles r ON t.kind = 'role' AND r.id = t.tag_id "                            \
	"LEFT JOIN tax_competencies c ON t.kind = 'competency' AND c.id = t.tag_id "               \
	"WHERE t.version_id = v.id), ''), p.name FROM modules m "                                  \
	"JOIN module_versions v ON v.id = m.published_version_id "                                 \
	"JOIN organisations p ON p.id = m.provider_id"
DB_STMT2(stmt_text_one, TEXT_COLS "string_agg" TEXT_TAGS " WHERE m.id = $1",
         TEXT_COLS "group_concat" TEXT_TAGS " WHERE m.id = $1");
DB_STMT2(stmt_text_all, TEXT_COLS "string_agg" TEXT_TAGS " ORDER BY m.id",
         TEXT_COLS "group_concat" TEXT_TAGS " ORDER BY m.id");
DB_STMT(stmt_module_exists, "SELECT COUNT(*) FROM modules WHERE id = $1");
DB_STMT(stmt_sq_delete, "DELETE FROM module_search WHERE rowid = $1");
DB_STMT(stmt_sq_insert, "INSERT INTO module_search (rowid, title, summary, body, provider) "
                        "VALUES ($1, $2, $3, $4, $5)");
DB_STMT(stmt_pg_delete, "DELETE FROM module_search WHERE module_id = $1");
DB_STMT(stmt_pg_upsert,
        "INSERT INTO module_search (module_id, doc) VALUES ($1, "
        "setweight(to_tsvector('dutch', $2), 'A') || setweight(to_tsvector('simple', $3), 'A') || "
        "setweight(to_tsvector('dutch', $4), 'B') || setweight(to_tsvector('simple', $5), 'B') || "
        "setweight(to_tsvector('dutch', $6), 'C') || setweight(to_tsvector('simple', $7), 'C') || "
        "setweight(to_tsvector('dutch', $8), 'D') || setweight(to_tsvector('simple', $9), 'D')) "
        "ON CONFLICT (module_id) DO UPDATE SET doc = excluded.doc");
DB_STMT(stmt_bump, "UPDATE catalog_search_state SET generation = generation + 1 WHERE id = 1");
DB_STMT(stmt_all_modules, "SELECT id FROM modules ORDER BY id");

struct text_row {
	int64_t id;
	char *title, *summary, *body, *provider;
};

static int join_term(void *cls, const struct dutch_token *t)
{
	struct buf *b = cls;
	if (b->len)
		buf_putc(b, ' ');
	return buf_append(b, t->term, t->term_len);
}

/* Our analyser's terms of text, space-separated, in the arena. */
static const char *folded(struct ctx *ctx, struct dutch *d, const char *text)
{
	struct buf b;
	buf_init(&b, ctx->arena, 256 * 1024);
	dutch_analyse(d, text, strlen(text), 0, join_term, &b);
	return b.overflow ? "" : buf_cstr(&b);
}

static int index_row(struct ctx *ctx, const struct text_row *t)
{
	if (db_dialect(ctx->db) == DB_SQLITE) {
		int rc = db_exec(ctx->db, &stmt_sq_delete, (const struct db_param[]){DBP_INT(t->id), DBP_END},
		                 NULL);
		if (rc || !t->title)
			return rc;
		return db_exec(ctx->db, &stmt_sq_insert,
		               (const struct db_param[]){DBP_INT(t->id), DBP_TEXT(t->title), DBP_TEXT(t->summary),
		                                         DBP_TEXT(t->body), DBP_TEXT(t->provider), DBP_END},
		               NULL);
	}
	if (!t->title)
		return db_exec(ctx->db, &stmt_pg_delete, (const struct db_param[]){DBP_INT(t->id), DBP_END},
		               NULL);
	struct dutch *d = dutch_new();
	const char *ft = folded(ctx, d, t->title), *fs = folded(ctx, d, t->summary),
	           *fb = folded(ctx, d, t->body), *fp = folded(ctx, d, t->provider);
	dutch_free(d);
	return db_exec(ctx->db, &stmt_pg_upsert,
	               (const struct db_param[]){DBP_INT(t->id), DBP_TEXT(t->title), DBP_TEXT(ft),
	                                         DBP_TEXT(t->summary), DBP_TEXT(fs), DBP_TEXT(t->body),
	                                         DBP_TEXT(fb), DBP_TEXT(t->provider), DBP_TEXT(fp), DBP_END},
	               NULL);
}

int catalog_search_index(struct ctx *ctx, int64_t module_id)
{
	int64_t n = 0;
	int rc = db_query_row(ctx->db, &stmt_module_exists,
	                      (const struct db_param[]){DBP_INT(module_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (!n)
		return CAMPUS_ENOTFOUND;
	struct text_row t = {0};
	rc = db_query_row(ctx->db, &stmt_text_one, (const struct db_param[]){DBP_INT(module_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&t.id), DBC_TEXT(&t.title), DBC_TEXT(&t.summary),
	                                          DBC_TEXT(&t.body), DBC_TEXT(&t.provider), DBC_END},
	                  ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) { /* not published: out of the index */
		t = (struct text_row){.id = module_id};
		rc = 0;
	}
	if (!rc)
		rc = index_row(ctx, &t);
	if (!rc)
		rc = db_exec(ctx->db, &stmt_bump, (const struct db_param[]){DBP_END}, NULL);
	return rc;
}

struct id_list {
	int64_t cur;
	int64_t *v;
	size_t n, cap;
};

static int id_collect(void *cls)
{
	struct id_list *l = cls;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = l->cur;
	return 0;
}

static int reindex_tx(struct db_conn *db, void *cls)
{
	struct ctx c = *(struct ctx *)cls;
	c.db = db;
	struct id_list l = {0};
	int rc = db_query(db, &stmt_all_modules, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&l.cur), DBC_END}, c.arena, id_collect, &l);
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = catalog_search_index(&c, l.v[i]);
	free(l.v);
	return rc;
}

int catalog_search_reindex_all(struct ctx *ctx)
{
	return db_tx_run(ctx->db, DB_TX_WRITE, reindex_tx, ctx);
}

/* ---- the snapshot ---------------------------------------------------------------- */

struct snap_value {
	const char *key, *label;
	bool msgid;
	bool national; /* data-driven values: some national module has it */
	int64_t id;    /* taxonomy id, provider id */
};

struct snap_facet {
	struct snap_value *v;
	size_t n, cap;
};

struct snap_module {
	int64_t id, provider_id, local_org_id, points_tenths, price_cents, load_tenths, updated_at;
	bool has_points, recognised;
	const char *title, *summary, *provider_name, *local_org_name, *level, *format, *language,
	    *province, *place, *sortkey;
	uint32_t title_rank; /* position in title order, so sorting compares integers */
	uint16_t *vals[SF_COUNT];
	uint8_t nvals[SF_COUNT];
};

struct vocab_term {
	const char *term, *word;
	uint32_t len, df;
	size_t last; /* module index + 1 that counted it last */
};

struct snapshot {
	int64_t generation;
	unsigned refs;
	struct arena *arena;
	struct snap_module *m; /* by id */
	size_t n, cap;
	struct snap_facet f[SF_COUNT];
	struct vocab_term *vocab; /* hash table while loading, then sorted by term */
	size_t nvocab, vocab_cap;
};

static void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	arena_free(s->arena);
	free(s->m);
	for (int f = 0; f < SF_COUNT; f++)
		free(s->f[f].v);
	free(s->vocab);
	free(s);
}

static uint16_t facet_add(struct snap_facet *f, const char *key, const char *label, bool msgid,
                          int64_t id)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n] = (struct snap_value){key, label, msgid, false, id};
	return (uint16_t)f->n++;
}

/* Index of the value with this key, adding it when new (data-driven facets). */
static uint16_t facet_intern(struct snapshot *s, int facet, const char *key, const char *label,
                             bool msgid, int64_t id)
{
	struct snap_facet *f = &s->f[facet];
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return (uint16_t)i;
	return facet_add(f, key, label, msgid, id);
}

/* A second (third) value of a facet for a module. */
static int add_one(struct snapshot *s, struct snap_module *m, int facet, uint16_t v)
{
	uint16_t *p = arena_alloc(s->arena, (m->nvals[facet] + 1u) * sizeof *p);
	if (!p)
		return CAMPUS_ENOMEM;
	for (unsigned i = 0; i < m->nvals[facet]; i++)
		p[i] = m->vals[facet][i];
	p[m->nvals[facet]] = v;
	m->vals[facet] = p;
	m->nvals[facet]++;
	return 0;
}

static int set_one(struct snapshot *s, struct snap_module *m, int facet, uint16_t v)
{
	uint16_t *p = arena_alloc(s->arena, sizeof *p);
	if (!p)
		return CAMPUS_ENOMEM;
	*p = v;
	m->vals[facet] = p;
	m->nvals[facet] = 1;
	return 0;
}

DB_STMT(stmt_snap_modules,
        "SELECT m.id, m.provider_id, COALESCE(m.local_org_id, 0), p.name, p.slug, "
        "COALESCE(l.name, ''), v.title, v.summary, v.level, v.format, v.language, v.province, "
        "v.place, v.points_tenths, v.price_cents, v.load_tenths, v.updated_at, "
        "CASE WHEN m.recognised_version_id = m.published_version_id THEN 1 ELSE 0 END "
        "FROM modules m JOIN module_versions v ON v.id = m.published_version_id "
        "JOIN organisations p ON p.id = m.provider_id "
        "LEFT JOIN organisations l ON l.id = m.local_org_id ORDER BY m.id");
DB_STMT(stmt_snap_tags,
        "SELECT m.id, CASE t.kind WHEN 'domain' THEN 0 WHEN 'role' THEN 1 ELSE 2 END, t.tag_id "
        "FROM modules m JOIN module_version_tags t ON t.version_id = m.published_version_id "
        "ORDER BY m.id, t.kind, t.tag_id");
/* Per published module: its soonest edition still to start, and whether
 * one is always open. */
DB_STMT(stmt_snap_starts,
        "SELECT e.module_id, COALESCE(MIN(CASE WHEN e.always_open = $2 THEN NULL ELSE e.starts_at END), 0), "
        "MAX(CASE WHEN e.always_open = $2 THEN 1 ELSE 0 END) FROM editions e "
        "JOIN modules m ON m.id = e.module_id AND m.published_version_id IS NOT NULL "
        "WHERE e.cancelled_at IS NULL AND (e.always_open = $2 OR e.starts_at > $1) "
        "GROUP BY e.module_id ORDER BY e.module_id");
DB_STMT(stmt_snap_domains, "SELECT id, slug, name FROM tax_domains ORDER BY position, id");
DB_STMT(stmt_snap_roles, "SELECT r.id, r.slug, r.name FROM tax_roles r "
                         "JOIN tax_domains d ON d.id = r.domain_id "
                         "ORDER BY d.position, r.position, r.id");
DB_STMT(stmt_snap_competencies, "SELECT c.id, c.slug, c.name FROM tax_competencies c "
                                "JOIN tax_roles r ON r.id = c.role_id "
                                "JOIN tax_domains d ON d.id = r.domain_id "
                                "ORDER BY d.position, r.position, c.position, c.id");

struct load {
	struct snapshot *s;
	struct dutch *d;
	int rc;
	/* row buffers */
	int64_t id, provider_id, local_org_id, points, price, load, updated, recognised, kind, tag;
	char *provider_name, *provider_slug, *local_name, *title, *summary, *level, *format, *language,
	    *province, *place, *slug, *name, *body;
	bool level_null, points_null;
	int64_t now, first_start, always;
	int facet;
	struct arena *scratch;
	size_t module_at; /* tags: index of the current module */
	uint16_t tagbuf[3][64];
	uint8_t ntags[3];
};

static int sortkey_word(void *cls, const struct dutch_token *t)
{
	struct buf *b = cls;
	if (b->len)
		buf_putc(b, ' ');
	return buf_append(b, t->word, t->word_len);
}

static int module_row(void *cls)
{
	struct load *L = cls;
	struct snapshot *s = L->s;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->m = xrealloc(s->m, s->cap * sizeof *s->m);
	}
	struct snap_module *m = &s->m[s->n];
	*m = (struct snap_module){
	    .id = L->id,
	    .provider_id = L->provider_id,
	    .local_org_id = L->local_org_id,
	    .points_tenths = L->points_null ? 0 : L->points,
	    .has_points = !L->points_null,
	    .price_cents = L->price,
	    .load_tenths = L->load,
	    .updated_at = L->updated,
	    .recognised = L->recognised != 0,
	    .title = L->title,
	    .summary = L->summary,
	    .provider_name = L->provider_name,
	    .local_org_name = L->local_org_id ? L->local_name : NULL,
	    .level = L->level_null ? NULL : L->level,
	    .format = L->format,
	    .language = L->language,
	    .province = L->province,
	    .place = L->place,
	};
	struct buf b;
	buf_init(&b, s->arena, 1024);
	dutch_analyse(L->d, m->title, strlen(m->title), 1, sortkey_word, &b);
	m->sortkey = b.overflow || !b.data ? "" : b.data;
	int rc = 0;
	for (size_t i = 0; !rc && i < COUNT_OF(levels); i++)
		if (m->level && strcmp(m->level, levels[i].stored) == 0)
			rc = set_one(s, m, SF_LEVEL, (uint16_t)i);
	for (size_t i = 0; !rc && i < COUNT_OF(formats); i++)
		if (strcmp(m->format, formats[i].stored) == 0)
			rc = set_one(s, m, SF_FORMAT, (uint16_t)i);
	for (size_t i = 0; !rc && m->has_points && i < COUNT_OF(point_buckets); i++)
		if (m->points_tenths > point_buckets[i].lo && m->points_tenths <= point_buckets[i].hi)
			rc = set_one(s, m, SF_POINTS, (uint16_t)i);
	if (!rc)
		rc = set_one(s, m, SF_PRICE, m->price_cents > 0 ? 1 : 0);
	if (!rc)
		rc = set_one(s, m, SF_RECOGNISED, m->recognised ? 0 : 1);
	if (!rc)
		rc = set_one(s, m, SF_PROVIDER,
		             facet_intern(s, SF_PROVIDER, L->provider_slug, m->provider_name, false,
		                          m->provider_id));
	if (!rc && *m->province)
		rc = set_one(s, m, SF_PROVINCE,
		             facet_intern(s, SF_PROVINCE, m->province, m->province, false, 0));
	if (!rc) {
		const char *label = search_language_label(m->language);
		rc = set_one(s, m, SF_LANGUAGE,
		             facet_intern(s, SF_LANGUAGE, m->language, label ? label : m->language,
		                          label != NULL, 0));
	}
	/* Values only a library's own modules have stay unknown to others. */
	int data_facets[] = {SF_PROVIDER, SF_PROVINCE, SF_LANGUAGE};
	for (size_t i = 0; !rc && !m->local_org_id && i < COUNT_OF(data_facets); i++)
		if (m->nvals[data_facets[i]])
			s->f[data_facets[i]].v[m->vals[data_facets[i]][0]].national = true;
	s->n++;
	return rc;
}

static struct snap_module *find_module(struct snapshot *s, int64_t id);

static int start_row(void *cls)
{
	struct load *L = cls;
	struct snap_module *m = find_module(L->s, L->id);
	int rc = 0;
	if (!m)
		return 0;
	if (L->first_start && L->first_start - L->now <= START_MONTH)
		rc = add_one(L->s, m, SF_START, 0);
	if (!rc && L->first_start && L->first_start - L->now <= START_QUARTER)
		rc = add_one(L->s, m, SF_START, 1);
	if (!rc && L->always)
		rc = add_one(L->s, m, SF_START, 2);
	return rc;
}

static int taxonomy_row(void *cls)
{
	struct load *L = cls;
	facet_add(&L->s->f[L->facet], L->slug, L->name, false, L->id);
	return 0;
}

static struct snap_module *find_module(struct snapshot *s, int64_t id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->m[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->m[lo].id == id ? &s->m[lo] : NULL;
}

static int find_value_by_id(const struct snap_facet *f, int64_t id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].id == id)
			return (int)i;
	return -1;
}

static int tag_row(void *cls)
{
	struct load *L = cls;
	struct snap_module *m = find_module(L->s, L->id);
	int k = (int)L->kind;
	if (!m || k < 0 || k > 2)
		return 0;
	int v = find_value_by_id(&L->s->f[SF_DOMAIN + k], L->tag);
	if (v < 0 || m->nvals[SF_DOMAIN + k] >= 64)
		return 0;
	/* Rows come ordered by module: grow the module's list in place. */
	uint16_t *p = arena_alloc(L->s->arena, (m->nvals[SF_DOMAIN + k] + 1u) * sizeof *p);
	if (!p)
		return CAMPUS_ENOMEM;
	if (m->nvals[SF_DOMAIN + k])
		memcpy(p, m->vals[SF_DOMAIN + k], m->nvals[SF_DOMAIN + k] * sizeof *p);
	p[m->nvals[SF_DOMAIN + k]++] = (uint16_t)v;
	m->vals[SF_DOMAIN + k] = p;
	return 0;
}

/* ---- vocabulary (typo tolerance) ---- */

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static void vocab_grow(struct snapshot *s)
{
	size_t cap = s->vocab_cap ? 2 * s->vocab_cap : 4096;
	struct vocab_term *t = xcalloc(cap, sizeof *t);
	for (size_t i = 0; i < s->vocab_cap; i++) {
		if (!s->vocab[i].term)
			continue;
		size_t h = hash_str(s->vocab[i].term, s->vocab[i].len) & (cap - 1);
		while (t[h].term)
			h = (h + 1) & (cap - 1);
		t[h] = s->vocab[i];
	}
	free(s->vocab);
	s->vocab = t;
	s->vocab_cap = cap;
}

static int vocab_add(void *cls, const struct dutch_token *tk)
{
	struct load *L = cls;
	struct snapshot *s = L->s;
	if (2 * (s->nvocab + 1) > s->vocab_cap)
		vocab_grow(s);
	size_t h = hash_str(tk->term, tk->term_len) & (s->vocab_cap - 1);
	while (s->vocab[h].term) {
		struct vocab_term *v = &s->vocab[h];
		if (v->len == tk->term_len && memcmp(v->term, tk->term, tk->term_len) == 0) {
			if (v->last != L->module_at) {
				v->last = L->module_at;
				v->df++;
			}
			return 0;
		}
		h = (h + 1) & (s->vocab_cap - 1);
	}
	const char *term = arena_strndup(s->arena, tk->term, tk->term_len);
	const char *word = arena_strndup(s->arena, tk->word, tk->word_len);
	if (!term || !word)
		return CAMPUS_ENOMEM;
	s->vocab[h] = (struct vocab_term){term, word, (uint32_t)tk->term_len, 1, L->module_at};
	s->nvocab++;
	return 0;
}

static int text_row(void *cls)
{
	struct load *L = cls;
	struct snap_module *m = find_module(L->s, L->id);
	if (!m)
		return 0;
	L->module_at = (size_t)(m - L->s->m) + 1;
	const char *parts[] = {L->title, L->summary, L->body, L->provider_name};
	int rc = 0;
	for (size_t i = 0; !rc && i < COUNT_OF(parts); i++)
		rc = dutch_analyse(L->d, parts[i], strlen(parts[i]), 0, vocab_add, L);
	arena_reset(L->scratch);
	return rc;
}

static int vocab_cmp(const void *a, const void *b)
{
	const struct vocab_term *x = a, *y = b;
	if (!x->term || !y->term)
		return !x->term - !y->term; /* empty slots last */
	return strcmp(x->term, y->term);
}

static int title_cmp(const void *x, const void *y)
{
	const struct snap_module *a = *(struct snap_module *const *)x, *b = *(struct snap_module *const *)y;
	int c = strcmp(a->sortkey, b->sortkey);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

static int snapshot_load(struct ctx *ctx, int64_t generation, struct snapshot **out)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	s->generation = generation;
	s->arena = arena_new(SNAPSHOT_CAP);
	struct load L = {.s = s, .d = dutch_new(), .scratch = arena_new(0)};
	for (size_t i = 0; i < COUNT_OF(levels); i++)
		facet_add(&s->f[SF_LEVEL], levels[i].key, levels[i].label, true, 0);
	for (size_t i = 0; i < COUNT_OF(formats); i++)
		facet_add(&s->f[SF_FORMAT], formats[i].key, formats[i].label, true, 0);
	for (size_t i = 0; i < COUNT_OF(point_buckets); i++)
		facet_add(&s->f[SF_POINTS], point_buckets[i].key, point_buckets[i].label, true, 0);
	for (size_t i = 0; i < COUNT_OF(prices); i++)
		facet_add(&s->f[SF_PRICE], prices[i].key, prices[i].label, true, 0);
	for (size_t i = 0; i < COUNT_OF(recognised_values); i++)
		facet_add(&s->f[SF_RECOGNISED], recognised_values[i].key, recognised_values[i].label, true,
		          0);
	for (size_t i = 0; i < COUNT_OF(starts); i++)
		facet_add(&s->f[SF_START], starts[i].key, starts[i].label, true, 0);
	/* Known languages first, in their order. */
	for (size_t i = 0; i < COUNT_OF(languages); i++)
		facet_add(&s->f[SF_LANGUAGE], languages[i].key, languages[i].label, true, 0);

	struct db_stmt *tax[] = {&stmt_snap_domains, &stmt_snap_roles, &stmt_snap_competencies};
	int rc = 0;
	for (int k = 0; !rc && k < 3; k++) {
		L.facet = SF_DOMAIN + k;
		rc = db_query(ctx->db, tax[k], (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&L.id), DBC_TEXT(&L.slug), DBC_TEXT(&L.name),
		                                      DBC_END},
		              s->arena, taxonomy_row, &L);
	}
	if (!rc)
		rc = db_query(ctx->db, &stmt_snap_modules, (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&L.id), DBC_INT(&L.provider_id),
		                                      DBC_INT(&L.local_org_id), DBC_TEXT(&L.provider_name),
		                                      DBC_TEXT(&L.provider_slug), DBC_TEXT(&L.local_name),
		                                      DBC_TEXT(&L.title), DBC_TEXT(&L.summary),
		                                      DBC_TEXT_OPT(&L.level, &L.level_null),
		                                      DBC_TEXT(&L.format), DBC_TEXT(&L.language),
		                                      DBC_TEXT(&L.province), DBC_TEXT(&L.place),
		                                      DBC_INT_OPT(&L.points, &L.points_null),
		                                      DBC_INT(&L.price), DBC_INT(&L.load),
		                                      DBC_INT(&L.updated), DBC_INT(&L.recognised), DBC_END},
		              s->arena, module_row, &L);
	L.now = ctx->now();
	if (!rc)
		rc = db_query(ctx->db, &stmt_snap_starts,
		              (const struct db_param[]){DBP_INT(L.now), DBP_BOOL(true), DBP_END},
		              (const struct db_col[]){DBC_INT(&L.id), DBC_INT(&L.first_start),
		                                      DBC_INT(&L.always), DBC_END},
		              L.scratch, start_row, &L);
	if (!rc)
		rc = db_query(ctx->db, &stmt_snap_tags, (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&L.id), DBC_INT(&L.kind), DBC_INT(&L.tag),
		                                      DBC_END},
		              L.scratch, tag_row, &L);
	if (!rc)
		rc = db_query(ctx->db, &stmt_text_all, (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&L.id), DBC_TEXT(&L.title),
		                                      DBC_TEXT(&L.summary), DBC_TEXT(&L.body),
		                                      DBC_TEXT(&L.provider_name), DBC_END},
		              L.scratch, text_row, &L);
	dutch_free(L.d);
	arena_free(L.scratch);
	if (rc) {
		snapshot_free(s);
		return rc;
	}
	if (s->vocab)
		qsort(s->vocab, s->vocab_cap, sizeof *s->vocab, vocab_cmp);
	struct snap_module **order = xmalloc((s->n + 1) * sizeof *order);
	for (size_t i = 0; i < s->n; i++)
		order[i] = &s->m[i];
	qsort(order, s->n, sizeof *order, title_cmp);
	for (size_t i = 0; i < s->n; i++)
		order[i]->title_rank = (uint32_t)i;
	free(order);
	*out = s;
	return 0;
}

static pthread_mutex_t snap_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *snap_cur;

static void snapshot_put(struct snapshot *s)
{
	pthread_mutex_lock(&snap_mu);
	bool last = --s->refs == 0;
	pthread_mutex_unlock(&snap_mu);
	if (last)
		snapshot_free(s);
}

static struct snapshot *snapshot_try(int64_t generation)
{
	struct snapshot *s = NULL;
	pthread_mutex_lock(&snap_mu);
	if (snap_cur && snap_cur->generation == generation) {
		s = snap_cur;
		s->refs++;
	}
	pthread_mutex_unlock(&snap_mu);
	return s;
}

/* The snapshot for this generation, loading it once when it is new. */
static int snapshot_get(struct ctx *ctx, int64_t generation, struct snapshot **out)
{
	if ((*out = snapshot_try(generation)))
		return 0;
	pthread_mutex_lock(&load_mu);
	int rc = 0;
	if (!(*out = snapshot_try(generation))) {
		struct snapshot *s;
		rc = snapshot_load(ctx, generation, &s);
		if (!rc) {
			s->refs = 2; /* snap_cur's and the caller's */
			pthread_mutex_lock(&snap_mu);
			struct snapshot *old = snap_cur;
			snap_cur = s;
			bool last = old && --old->refs == 0;
			pthread_mutex_unlock(&snap_mu);
			if (last)
				snapshot_free(old);
			*out = s;
		}
	}
	pthread_mutex_unlock(&load_mu);
	return rc;
}

/* ---- the text part: words, typo correction, database FTS, cache ---------------- */

/* Words too common to narrow a search; dropped from a query that has others. */
static const char *const stopwords[] = {
    "aan", "als", "bij", "dat", "de", "die", "door", "een", "en", "er", "het", "in", "is",
    "met", "naar", "of", "om", "op", "over", "te", "tot", "uit", "van", "voor", "zijn",
};

static bool is_stopword(const char *w)
{
	for (size_t i = 0; i < COUNT_OF(stopwords); i++)
		if (strcmp(w, stopwords[i]) == 0)
			return true;
	return false;
}

struct qword {
	char word[DUTCH_WORD_MAX + 1];
	char term[DUTCH_WORD_MAX + 1];
	bool stop, corrected;
	const char *shown; /* the word as the user sees it after correction */
};

struct qwords {
	struct qword w[QUERY_WORDS_MAX];
	size_t n;
};

static int qword_add(void *cls, const struct dutch_token *t)
{
	struct qwords *q = cls;
	if (q->n == QUERY_WORDS_MAX)
		return 0;
	struct qword *w = &q->w[q->n++];
	memcpy(w->word, t->word, t->word_len);
	w->word[t->word_len] = '\0';
	memcpy(w->term, t->term, t->term_len);
	w->term[t->term_len] = '\0';
	w->stop = is_stopword(w->word);
	w->shown = NULL;
	return 0;
}

/* First vocabulary index whose term is >= prefix. */
static size_t vocab_lower(const struct snapshot *s, const char *prefix)
{
	size_t lo = 0, hi = s->nvocab;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->vocab[mid].term, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool vocab_has_prefix(const struct snapshot *s, const char *prefix)
{
	size_t i = vocab_lower(s, prefix);
	return i < s->nvocab && strncmp(s->vocab[i].term, prefix, strlen(prefix)) == 0;
}

/* Optimal string alignment distance (adjacent transpositions count once),
 * or cap + 1 once it is certain to exceed cap. */
static int osa(const char *a, size_t n, const char *b, size_t m, int cap)
{
	if ((n > m ? n - m : m - n) > (size_t)cap)
		return cap + 1;
	int d[3][DUTCH_WORD_MAX + 2];
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		int *cur = d[i % 3], *prev = d[(i - 1) % 3], *pp = d[(i + 1) % 3];
		cur[0] = (int)i;
		int best = cur[0];
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return d[n % 3][m];
}

/* The closest indexed term to a term that matches nothing: edit distance 1
 * for 4-7 letters, 2 for longer, to the whole term or to its start (the
 * search is by prefix). Ties go to the term in most modules. */
static const struct vocab_term *closest(const struct snapshot *s, const char *term)
{
	size_t n = strlen(term);
	int cap = n < 4 ? 0 : n <= 7 ? 1 : 2;
	if (!cap)
		return NULL;
	const struct vocab_term *best = NULL;
	int best_d = cap + 1;
	for (size_t i = 0; i < s->nvocab; i++) {
		const struct vocab_term *v = &s->vocab[i];
		int d = osa(term, n, v->term, v->len, cap);
		if (v->len > n) {
			int dp = osa(term, n, v->term, n, cap);
			if (dp < d)
				d = dp;
		}
		if (d < best_d || (d == best_d && best && v->df > best->df)) {
			best = v;
			best_d = d;
		}
	}
	return best_d <= cap ? best : NULL;
}

DB_STMT(stmt_fts_sqlite, "SELECT rowid FROM module_search WHERE module_search MATCH $1 "
                         "ORDER BY bm25(module_search, 10.0, 4.0, 1.0, 2.0), rowid LIMIT 10000");
DB_STMT(stmt_fts_pg, "SELECT module_id FROM module_search, "
                     "(SELECT to_tsquery('simple', $1) || to_tsquery('dutch', $2) AS q) x "
                     "WHERE doc @@ x.q ORDER BY ts_rank(doc, x.q) DESC, module_id LIMIT 10000");

/* Text queries already run, per generation: the matching ids in rank order. */
static struct lru text_cache = LRU_INIT;

static bool cache_get(struct ctx *ctx, int64_t gen, const char *key, int64_t **ids, size_t *n)
{
	void *data;
	size_t len;
	if (!lru_get(&text_cache, key, gen, ctx->arena, &data, &len))
		return false;
	*ids = data;
	*n = len / sizeof **ids;
	return true;
}

static void cache_put(int64_t gen, const char *key, const int64_t *ids, size_t n)
{
	lru_put(&text_cache, key, gen, ids, n * sizeof *ids);
}

struct fts_rows {
	struct ctx *ctx;
	int64_t cur;
	int64_t *v;
	size_t n, cap;
};

static int fts_row(void *cls)
{
	struct fts_rows *r = cls;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		int64_t *v = arena_alloc(r->ctx->arena, cap * sizeof *v);
		if (!v)
			return CAMPUS_ENOMEM;
		if (r->n)
			memcpy(v, r->v, r->n * sizeof *v);
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = r->cur;
	return 0;
}

static struct snap_module *find_module(struct snapshot *s, int64_t id);

/* Snapshot indices of the modules matching every term (as a prefix), best
 * first. The cache keeps indices: a generation has exactly one snapshot. */
static int fts_ids(struct ctx *ctx, struct snapshot *s, int64_t gen, const struct qwords *q,
                   int64_t **ids, size_t *n)
{
	struct buf key, dutch;
	buf_init(&key, ctx->arena, 4096);
	buf_init(&dutch, ctx->arena, 4096);
	bool sqlite = db_dialect(ctx->db) == DB_SQLITE;
	for (size_t i = 0; i < q->n; i++) {
		const struct qword *w = &q->w[i];
		if (w->stop)
			continue;
		/* Terms hold letters, digits and non-ASCII letters only: no syntax. */
		if (sqlite)
			buf_printf(&key, "%s\"%s\"*", key.len ? " " : "", w->term);
		else
			buf_printf(&key, "%s%s:*", key.len ? " & " : "", w->term);
		if (!w->corrected)
			buf_printf(&dutch, "%s%s:*", dutch.len ? " & " : "", w->word);
	}
	if (key.overflow || dutch.overflow)
		return CAMPUS_ENOMEM;
	if (cache_get(ctx, gen, buf_cstr(&key), ids, n))
		return 0;
	struct fts_rows rows = {.ctx = ctx};
	int rc = sqlite ? db_query(ctx->db, &stmt_fts_sqlite,
	                           (const struct db_param[]){DBP_TEXT(buf_cstr(&key)), DBP_END},
	                           (const struct db_col[]){DBC_INT(&rows.cur), DBC_END}, ctx->arena,
	                           fts_row, &rows)
	                : db_query(ctx->db, &stmt_fts_pg,
	                           (const struct db_param[]){DBP_TEXT(buf_cstr(&key)),
	                                                     DBP_TEXT(dutch.len ? buf_cstr(&dutch)
	                                                                        : buf_cstr(&key)),
	                                                     DBP_END},
	                           (const struct db_col[]){DBC_INT(&rows.cur), DBC_END}, ctx->arena,
	                           fts_row, &rows);
	if (rc)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < rows.n; i++) {
		const struct snap_module *m = find_module(s, rows.v[i]);
		if (m) /* indexed after this snapshot was taken: the next one has it */
			rows.v[k++] = m - s->m;
	}
	cache_put(gen, buf_cstr(&key), rows.v, k);
	*ids = rows.v;
	*n = k;
	return 0;
}

/* ---- facets, visibility, sorting --------------------------------------------------- */

struct visibility {
	bool all;
	int64_t *orgs;
	size_t n;
};

static int visibility_for(struct ctx *ctx, bool national_only, struct visibility *v)
{
	*v = (struct visibility){0};
	if (national_only)
		return 0;
	if (ctx->actor.flags & ACTOR_SYSTEM) {
		v->all = true;
		return 0;
	}
	if (!ctx->actor.person_id)
		return 0;
	struct membership *ms;
	size_t n;
	int rc = person_memberships(ctx, ctx->actor.person_id, &ms, &n);
	if (rc)
		return rc;
	v->orgs = arena_alloc(ctx->arena, (n + 1) * sizeof *v->orgs);
	if (!v->orgs)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (ms[i].roles & ROLE_CAMPUS_ADMIN)
			v->all = true;
		v->orgs[v->n++] = ms[i].org_id;
	}
	return 0;
}

static bool visible(const struct visibility *v, const struct snap_module *m)
{
	if (!m->local_org_id || v->all)
		return true;
	for (size_t i = 0; i < v->n; i++)
		if (v->orgs[i] == m->local_org_id)
			return true;
	return false;
}

/* Whether the actor may know that a value exists: fixed and taxonomy values
 * always; a provider, province or language when a visible module has it. */
static bool known_to(const struct snapshot *s, const struct visibility *v, int f, size_t k)
{
	if (f != SF_PROVIDER && f != SF_PROVINCE && f != SF_LANGUAGE)
		return true;
	if (s->f[f].v[k].national || v->all)
		return true;
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].nvals[f] && s->m[i].vals[f][0] == k && visible(v, &s->m[i]))
			return true;
	return false;
}

struct sorter {
	const struct snapshot *s;
	enum search_sort sort;
};

struct cand {
	uint32_t idx;  /* into snapshot.m */
	uint32_t rank; /* position in the text results */
};

static int by_title(const struct snap_module *a, const struct snap_module *b)
{
	return (a->title_rank > b->title_rank) - (a->title_rank < b->title_rank);
}

static int cand_cmp(const void *x, const void *y, void *cls)
{
	const struct sorter *so = cls;
	const struct cand *ca = x, *cb = y;
	const struct snap_module *a = &so->s->m[ca->idx], *b = &so->s->m[cb->idx];
	switch (so->sort) {
	case SEARCH_SORT_RELEVANCE:
		return (ca->rank > cb->rank) - (ca->rank < cb->rank);
	case SEARCH_SORT_POINTS: {
		int64_t pa = a->has_points ? a->points_tenths : -1, pb = b->has_points ? b->points_tenths : -1;
		if (pa != pb)
			return pa < pb ? 1 : -1;
		return by_title(a, b);
	}
	case SEARCH_SORT_NEWEST:
		if (a->updated_at != b->updated_at)
			return a->updated_at < b->updated_at ? 1 : -1;
		return (a->id < b->id) - (a->id > b->id);
	case SEARCH_SORT_TITLE:
	case SEARCH_SORT_DEFAULT:
	default:
		return by_title(a, b);
	}
}

static bool module_in(const struct snap_module *m, int f, const bool *sel)
{
	for (uint8_t i = 0; i < m->nvals[f]; i++)
		if (sel[m->vals[f][i]])
			return true;
	return false;
}

static const char *astr(struct ctx *ctx, const char *s)
{
	return s ? arena_strdup(ctx->arena, s) : NULL;
}

static int value_label_cmp(const void *x, const void *y, void *cls)
{
	const struct snap_facet *f = cls;
	const uint16_t *a = x, *b = y;
	return strcoll(f->v[*a].label, f->v[*b].label);
}

static int fill_facets(struct ctx *ctx, const struct snapshot *s, int64_t *const counts[SF_COUNT],
                       bool *const sel[SF_COUNT], struct search_result *out)
{
	for (int f = 0; f < SF_COUNT; f++) {
		const struct snap_facet *sf = &s->f[f];
		uint16_t *order = arena_alloc(ctx->arena, (sf->n + 1) * sizeof *order);
		struct search_value *vals = arena_alloc(ctx->arena, (sf->n + 1) * sizeof *vals);
		if (!order || !vals)
			return CAMPUS_ENOMEM;
		size_t n = 0;
		for (size_t i = 0; i < sf->n; i++)
			if (counts[f][i] || sel[f][i])
				order[n++] = (uint16_t)i;
		/* Data-driven facets read best in alphabetical order; the rest
		 * keep their own (taxonomy position, fixed order). */
		if (f == SF_PROVIDER || f == SF_PROVINCE)
			qsort_r(order, n, sizeof *order, value_label_cmp, (void *)sf);
		for (size_t i = 0; i < n; i++) {
			const struct snap_value *v = &sf->v[order[i]];
			vals[i] = (struct search_value){astr(ctx, v->key), astr(ctx, v->label), v->msgid,
			                                counts[f][order[i]], sel[f][order[i]]};
		}
		out->facets[f] = (struct search_facet_out){vals, n};
	}
	return 0;
}

DB_STMT(stmt_gen_read, "SELECT generation FROM catalog_search_state WHERE id = 1");

int catalog_search_generation(struct ctx *ctx, int64_t *generation)
{
	int64_t g = 0;
	int rc = db_query_row(ctx->db, &stmt_gen_read, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&g), DBC_END}, ctx->arena);
	/* The day is part of it: "starts within a month" moves with the calendar
	 * even when nothing is published (stored generations stay below 10^15). */
	*generation = g % 1000000000000000 * 1000 + ctx->now() / 86400 % 1000;
	return rc;
}

static int search_in(struct ctx *ctx, const struct search_query *q, struct snapshot *s,
                     int64_t gen, struct search_result *out)
{
	struct visibility vis;
	int rc = visibility_for(ctx, q->national_only, &vis);
	if (rc)
		return rc;

	/* Chosen values; unknown ones are ignored and reported. */
	bool *sel[SF_COUNT];
	int64_t *counts[SF_COUNT];
	bool active[SF_COUNT] = {0};
	out->ignored = arena_alloc(ctx->arena, (SF_COUNT * SEARCH_VALUES_MAX + 1) * sizeof(char *));
	if (!out->ignored)
		return CAMPUS_ENOMEM;
	for (int f = 0; f < SF_COUNT; f++) {
		sel[f] = arena_zalloc(ctx->arena, s->f[f].n + 1);
		counts[f] = arena_zalloc(ctx->arena, (s->f[f].n + 1) * sizeof(int64_t));
		if (!sel[f] || !counts[f])
			return CAMPUS_ENOMEM;
		for (size_t i = 0; i < q->nvalues[f]; i++) {
			const char *want = q->values[f][i];
			size_t k = 0;
			while (k < s->f[f].n && strcmp(s->f[f].v[k].key, want) != 0)
				k++;
			if (k < s->f[f].n && !known_to(s, &vis, f, k))
				k = s->f[f].n;
			if (k < s->f[f].n) {
				sel[f][k] = true;
				active[f] = true;
			} else {
				out->ignored[out->nignored++] =
				    arena_printf(ctx->arena, "%s=%s", search_facet_params[f], want);
			}
		}
	}

	/* The text part. */
	struct qwords words = {.n = 0};
	bool text = false;
	if (q->text && *q->text) {
		struct dutch *d = dutch_new();
		dutch_analyse(d, q->text, strlen(q->text), 0, qword_add, &words);
		dutch_free(d);
		bool others = false;
		for (size_t i = 0; i < words.n; i++)
			others |= !words.w[i].stop;
		bool corrected = false;
		for (size_t i = 0; i < words.n; i++) {
			struct qword *w = &words.w[i];
			w->stop = w->stop && others;
			if (w->stop || vocab_has_prefix(s, w->term))
				continue;
			const struct vocab_term *c = closest(s, w->term);
			if (c) {
				str_copy(w->term, sizeof w->term, c->term);
				w->shown = c->word;
				w->corrected = corrected = true;
			}
		}
		text = words.n > 0;
		if (corrected) {
			struct buf b;
			buf_init(&b, ctx->arena, 4096);
			for (size_t i = 0; i < words.n; i++)
				buf_printf(&b, "%s%s", i ? " " : "",
				           words.w[i].shown ? words.w[i].shown : words.w[i].word);
			out->corrected = b.overflow ? NULL : b.data;
		}
	}
	struct cand *cands;
	size_t ncand = 0;
	if (text) {
		int64_t *ids;
		size_t nids;
		rc = fts_ids(ctx, s, gen, &words, &ids, &nids);
		if (rc)
			return rc;
		cands = arena_alloc(ctx->arena, (nids + 1) * sizeof *cands);
		if (!cands)
			return CAMPUS_ENOMEM;
		for (size_t i = 0; i < nids; i++)
			if (ids[i] >= 0 && (size_t)ids[i] < s->n && visible(&vis, &s->m[ids[i]]))
				cands[ncand++] = (struct cand){(uint32_t)ids[i], (uint32_t)i};
	} else {
		cands = arena_alloc(ctx->arena, (s->n + 1) * sizeof *cands);
		if (!cands)
			return CAMPUS_ENOMEM;
		for (size_t i = 0; i < s->n; i++)
			if (visible(&vis, &s->m[i]))
				cands[ncand++] = (struct cand){(uint32_t)i, 0};
	}
	if (out->corrected && ncand == 0)
		out->corrected = NULL; /* a correction that finds nothing visible helps no one */

	/* Filters and disjunctive counts in one pass: a module that fails no
	 * facet is a result and counts everywhere; one that fails exactly one
	 * facet counts only there (what choosing that value would add). */
	int act[SF_COUNT], nact = 0;
	for (int f = 0; f < SF_COUNT; f++)
		if (active[f])
			act[nact++] = f;
	size_t nres = 0;
	for (size_t c = 0; c < ncand; c++) {
		const struct snap_module *m = &s->m[cands[c].idx];
		int fails = 0, failed = -1;
		for (int a = 0; a < nact && fails < 2; a++)
			if (!module_in(m, act[a], sel[act[a]])) {
				fails++;
				failed = act[a];
			}
		if (fails == 0) {
			for (int f = 0; f < SF_COUNT; f++)
				for (uint8_t i = 0; i < m->nvals[f]; i++)
					counts[f][m->vals[f][i]]++;
			cands[nres++] = cands[c];
		} else if (fails == 1) {
			for (uint8_t i = 0; i < m->nvals[failed]; i++)
				counts[failed][m->vals[failed][i]]++;
		}
	}
	out->total = (int64_t)nres;
	rc = fill_facets(ctx, s, counts, sel, out);
	if (rc)
		return rc;

	struct sorter so = {s, q->sort};
	if (so.sort == SEARCH_SORT_DEFAULT)
		so.sort = text ? SEARCH_SORT_RELEVANCE : SEARCH_SORT_TITLE;
	if (so.sort == SEARCH_SORT_RELEVANCE && !text)
		so.sort = SEARCH_SORT_TITLE;
	qsort_r(cands, nres, sizeof *cands, cand_cmp, &so);

	size_t limit = q->limit ? q->limit : DEFAULT_LIMIT;
	size_t from = q->offset < nres ? q->offset : nres;
	size_t to = nres - from > limit ? from + limit : nres;
	out->hits = arena_alloc(ctx->arena, (to - from + 1) * sizeof *out->hits);
	if (!out->hits)
		return CAMPUS_ENOMEM;
	for (size_t i = from; i < to; i++) {
		const struct snap_module *m = &s->m[cands[i].idx];
		out->hits[out->nhits++] = (struct search_hit){
		    .id = m->id,
		    .title = astr(ctx, m->title),
		    .summary = astr(ctx, m->summary),
		    .provider_name = astr(ctx, m->provider_name),
		    .level = astr(ctx, m->level),
		    .format = astr(ctx, m->format),
		    .language = astr(ctx, m->language),
		    .province = astr(ctx, m->province),
		    .place = astr(ctx, m->place),
		    .local_org_name = astr(ctx, m->local_org_name),
		    .recognised = m->recognised,
		    .has_points = m->has_points,
		    .points_tenths = m->points_tenths,
		    .price_cents = m->price_cents,
		    .load_tenths = m->load_tenths,
		    .updated_at = m->updated_at,
		};
	}
	return 0;
}

int catalog_search(struct ctx *ctx, const struct search_query *q, struct search_result *out)
{
	*out = (struct search_result){0};
	size_t tlen = q->text ? strlen(q->text) : 0;
	if (tlen > SEARCH_TEXT_MAX || (tlen && !utf8_valid(q->text, tlen)) ||
	    q->limit > SEARCH_LIMIT_MAX)
		return CAMPUS_EINVAL;
	for (int f = 0; f < SF_COUNT; f++)
		if (q->nvalues[f] > SEARCH_VALUES_MAX)
			return CAMPUS_EINVAL;
	int64_t gen;
	int rc = catalog_search_generation(ctx, &gen);
	if (rc)
		return rc;
	struct snapshot *s;
	rc = snapshot_get(ctx, gen, &s);
	if (rc)
		return rc;
	rc = search_in(ctx, q, s, gen, out);
	snapshot_put(s);
	return rc;
}
