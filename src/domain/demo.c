/* The demo sector: organisations, people and memberships from a seed.
 *
 * Everything is drawn from one splitmix64 stream seeded with the seed, in a
 * fixed order (organisations, then the people of the campus organisation, the
 * libraries, the POIs and the providers), so the same seed gives the same
 * rows. The whole sector goes in one write transaction with three cached
 * statements; db_tx_run() may run it again after contention, so build_tx()
 * starts from scratch each time (stream, arena, e-mail set, counters). */
#include "domain/demo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/demo_catalog.h"
#include "domain/demo_data.h"
#include "domain/demo_enrol.h"
#include "domain/demo_points.h"
#include "domain/people.h"
#include "domain/settings.h"

#define DAY 86400
#define SECTOR_PAYROLL_CENTS 26380000000ULL /* 2019: EUR 263.8 million */
#define SECTOR_EMPLOYEES 8000u
#define SECTOR_VOLUNTEERS 22000u
#define DEMO_LIBRARY "De Bibliotheek Utrecht" /* manager, employee and volunteer log-ins */
#define DEMO_PROVIDER 0                       /* GO Opleidingen: provider log-ins */
#define EMAIL_MAX 128
#define NAME_MAX_ 160

DB_STMT(stmt_demo_people_count, "SELECT COUNT(*) FROM people");
DB_STMT(stmt_demo_org_insert,
        "INSERT INTO organisations (slug, name, kind, place, province, brand_color, payroll_cents,"
        " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id");
DB_STMT(stmt_demo_person_insert,
        "INSERT INTO people (email, name, lang, password_hash, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id");
/* PostgreSQL only (SQLite has no INSERT inside WITH): both rows in one round
 * trip, which halves the build time there. */
DB_STMT(stmt_demo_person_member_pg,
        "WITH p AS (INSERT INTO people (email, name, lang, password_hash, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id)"
        " INSERT INTO memberships (person_id, org_id, kind, roles, started_at)"
        " SELECT id, $6, $7, $8, $9 FROM p RETURNING person_id");
DB_STMT(stmt_demo_member_insert,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at)"
        " VALUES ($1, $2, $3, $4, $5)");

/* ---- the seven log-ins --------------------------------------------------------- */

enum {
	L_ADMIN,
	L_COMMITTEE,
	L_MANAGER,
	L_EMPLOYEE,
	L_VOLUNTEER,
	L_PROVIDER_ADMIN,
	L_TEACHER,
	L_COUNT
};

static const struct fixed_login {
	const char *label;
	const char *local; /* e-mail: <local>@<org slug>.demo */
	const char *name;
	const char *kind;
	unsigned roles;
} fixed_logins[L_COUNT] = {
    [L_ADMIN] = {"campusbeheerder", "beheerder", "Karin Hoekstra", "employee", ROLE_CAMPUS_ADMIN},
    [L_COMMITTEE] = {"lid toetsingscommissie", "commissie", "Ruud van Ommeren", "external",
                     ROLE_COMMITTEE},
    [L_MANAGER] = {"manager (HR/L&D)", "manager", "Saskia Verbeek", "employee",
                   ROLE_LEARNER | ROLE_MANAGER},
    [L_EMPLOYEE] = {"medewerker", "medewerker", "Daan Kuijpers", "employee", ROLE_LEARNER},
    [L_VOLUNTEER] = {"vrijwilliger", "vrijwilliger", "Fatima El Khatib", "volunteer", ROLE_LEARNER},
    [L_PROVIDER_ADMIN] = {"opleidingsaanbieder", "aanbieder", "Joost Mertens", "employee",
                          ROLE_PROVIDER_ADMIN},
    [L_TEACHER] = {"docent", "docent", "Ingrid Bosma", "employee", ROLE_TEACHER},
};

/* ---- deterministic random numbers ---------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0..n-1 (n > 0). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static bool rng_permille(struct rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

/* ---- text ------------------------------------------------------------------------ */

/* Latin letters with diacritics that occur in the name lists, folded to ASCII. */
static const struct {
	const char *utf8;
	char ascii;
} fold_map[] = {
    {"à", 'a'}, {"á", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"å", 'a'}, {"ą", 'a'}, {"ç", 'c'},
    {"Ç", 'c'}, {"ć", 'c'}, {"č", 'c'}, {"è", 'e'}, {"é", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"ę", 'e'},
    {"É", 'e'}, {"ğ", 'g'}, {"ì", 'i'}, {"í", 'i'}, {"î", 'i'}, {"ï", 'i'}, {"ı", 'i'}, {"İ", 'i'},
    {"ł", 'l'}, {"ñ", 'n'}, {"ń", 'n'}, {"ò", 'o'}, {"ó", 'o'}, {"ô", 'o'}, {"ö", 'o'}, {"õ", 'o'},
    {"Ö", 'o'}, {"ş", 's'}, {"Ş", 's'}, {"ś", 's'}, {"š", 's'}, {"ù", 'u'}, {"ú", 'u'}, {"û", 'u'},
    {"ü", 'u'}, {"Ü", 'u'}, {"ý", 'y'}, {"ź", 'z'}, {"ż", 'z'}, {"ž", 'z'},
};

enum fold_mode { FOLD_SLUG, FOLD_EMAIL };

/* Lower-case ASCII letters and digits of s appended at dst[*len]. FOLD_SLUG
 * turns every run of other characters into one '-'; FOLD_EMAIL keeps '-' and
 * drops spaces, apostrophes and the rest. Characters it cannot fold are
 * dropped. Returns false when dst is too small. */
static bool fold_append(char *dst, size_t size, size_t *len, const char *s, enum fold_mode mode)
{
	size_t n = *len;
	bool gap = false;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		char out = 0;
		size_t used = 1;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out = (char)c;
		} else if (c >= 'A' && c <= 'Z') {
			out = (char)(c - 'A' + 'a');
		} else if (c >= 0x80) {
			used = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			for (size_t i = 0; i < sizeof fold_map / sizeof fold_map[0]; i++) {
				size_t ul = strlen(fold_map[i].utf8);
				if (strncmp(s, fold_map[i].utf8, ul) == 0) {
					out = fold_map[i].ascii;
					used = ul;
					break;
				}
			}
			for (size_t i = 1; i < used; i++)
				if (s[i] == '\0')
					used = i;
		} else if (c == '-' && mode == FOLD_EMAIL) {
			out = '-';
		}
		s += used;
		if (!out) {
			gap = true;
			continue;
		}
		if (mode == FOLD_SLUG && gap && n > 0 && dst[n - 1] != '-') {
			if (n + 1 >= size)
				return false;
			dst[n++] = '-';
		}
		gap = false;
		if (n + 1 >= size)
			return false;
		dst[n++] = out;
	}
	dst[n] = '\0';
	*len = n;
	return true;
}

/* "De Bibliotheek Utrecht" -> "bibliotheek-utrecht". */
static bool slug_from_name(const char *name, char *dst, size_t size)
{
	if (strncmp(name, "De ", 3) == 0)
		name += 3;
	size_t len = 0;
	dst[0] = '\0';
	if (!fold_append(dst, size, &len, name, FOLD_SLUG))
		return false;
	while (len > 0 && dst[len - 1] == '-')
		dst[--len] = '\0';
	return len > 0;
}

/* ---- the build -------------------------------------------------------------------- */

enum org_kind { ORG_CAMPUS, ORG_LIBRARY, ORG_POI, ORG_PROVIDER };

struct demo_org {
	const struct demo_org_def *def;
	enum org_kind kind;
	int64_t id;
	const char *slug;
	unsigned employees, volunteers, managers; /* libraries */
	uint64_t payroll_cents;
};

struct build {
	struct ctx *ctx;
	struct db_conn *db;
	struct arena *tmp;
	unsigned long seed;
	unsigned permille;
	bool pg;
	int64_t now;
	char hashes[L_COUNT][AUTH_HASH_MAX];

	/* reset by every attempt */
	struct rng rng;
	struct demo_org *orgs; /* campus, libraries, POIs, providers */
	size_t norgs, lib0, poi0, prov0, demo_library;
	const char **emails; /* open addressing, size email_cap (a power of two) */
	size_t email_cap;
	unsigned n_orgs, n_people, n_members;
	const struct demo_org *login_org[L_COUNT];
	struct demo_catalog_result catalog;
	struct demo_enrol_result enrol;
	struct demo_points_result points;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Adds email to the set: false when it was there already. */
static bool email_claim(struct build *b, const char *email, bool *nomem)
{
	size_t mask = b->email_cap - 1;
	size_t i = (size_t)hash_str(email) & mask;
	while (b->emails[i]) {
		if (strcmp(b->emails[i], email) == 0)
			return false;
		i = (i + 1) & mask;
	}
	b->emails[i] = arena_strdup(b->tmp, email);
	if (!b->emails[i])
		*nomem = true;
	return true;
}

/* Splits total into n parts proportional to w, each at least min, summing to
 * total exactly (largest remainders get the rounding). rem is scratch. */
static void apportion(const uint64_t *w, size_t n, uint64_t total, uint64_t min, uint64_t *out,
                      uint64_t *rem)
{
	uint64_t wsum = 0;
	for (size_t i = 0; i < n; i++)
		wsum += w[i];
	uint64_t spread = total > min * n ? total - min * n : 0;
	uint64_t given = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t p = wsum ? spread * w[i] : 0;
		out[i] = min + (wsum ? p / wsum : 0);
		rem[i] = wsum ? p % wsum : 0;
		given += wsum ? p / wsum : 0;
	}
	for (uint64_t left = wsum ? spread - given : 0; left > 0; left--) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (rem[i] != UINT64_MAX && (best == n || rem[i] > rem[best]))
				best = i;
		if (best == n)
			break;
		out[best]++;
		rem[best] = UINT64_MAX;
	}
}

static const char *kind_name(enum org_kind k)
{
	switch (k) {
	case ORG_CAMPUS:
		return "campus";
	case ORG_LIBRARY:
		return "library";
	case ORG_POI:
		return "poi";
	case ORG_PROVIDER:
		return "provider";
	}
	return "library";
}

/* Sizes per library: employees and volunteers scaled to the sector's totals,
 * payroll proportional to FTE. */
static int plan_libraries(struct build *b)
{
	size_t n = demo_nlibraries;
	uint64_t *w = arena_alloc(b->tmp, 4 * n * sizeof *w);
	if (!w)
		return CAMPUS_ENOMEM;
	uint64_t *out = w + n, *rem = w + 2 * n, *wv = w + 3 * n;
	for (size_t i = 0; i < n; i++) {
		w[i] = demo_libraries[i].size;
		/* some libraries lean on volunteers twice as much as others */
		wv[i] = w[i] * (200 + rng_below(&b->rng, 201));
	}
	struct demo_org *libs = b->orgs + b->lib0;
	apportion(w, n, SECTOR_PAYROLL_CENTS, 0, out, rem);
	for (size_t i = 0; i < n; i++)
		libs[i].payroll_cents = out[i];
	apportion(w, n, (uint64_t)SECTOR_EMPLOYEES * b->permille / 1000, 0, out, rem);
	for (size_t i = 0; i < n; i++) {
		unsigned fte10 = demo_libraries[i].size;
		libs[i].managers = fte10 < 100 ? 1 : fte10 < 500 ? 2 : 3;
		libs[i].employees = (unsigned)out[i];
		if (libs[i].employees < libs[i].managers + 1)
			libs[i].employees = libs[i].managers + 1;
	}
	apportion(wv, n, (uint64_t)SECTOR_VOLUNTEERS * b->permille / 1000, 2, out, rem);
	for (size_t i = 0; i < n; i++)
		libs[i].volunteers = (unsigned)out[i];
	return 0;
}

static int insert_org(struct build *b, struct demo_org *o, size_t index)
{
	const char *color = NULL;
	if (o->kind != ORG_CAMPUS)
		color = demo_colors[(hash_str(o->slug) >> 7) % demo_ncolors];
	/* created a bit more than a year ago, in a fixed order */
	int64_t created = o->kind == ORG_CAMPUS ? b->now - 3 * 365 * DAY
	                                        : b->now - 400 * DAY + (int64_t)index * 60;
	struct db_param p[] = {
	    DBP_TEXT(o->slug),         DBP_TEXT(o->def->name),     DBP_TEXT(kind_name(o->kind)),
	    DBP_TEXT(o->def->place),   DBP_TEXT(o->def->province), DBP_TEXT(color),
	    DBP_INT(o->payroll_cents), DBP_INT(created),           DBP_END};
	struct db_col c[] = {DBC_INT(&o->id), DBC_END};
	int rc = db_query_row(b->db, &stmt_demo_org_insert, p, c, b->tmp);
	if (!rc)
		b->n_orgs++;
	return rc;
}

static int plan_and_insert_orgs(struct build *b)
{
	b->norgs = 1 + demo_nlibraries + demo_npois + demo_nproviders;
	b->orgs = arena_zalloc(b->tmp, b->norgs * sizeof *b->orgs);
	if (!b->orgs)
		return CAMPUS_ENOMEM;
	b->lib0 = 1;
	b->poi0 = b->lib0 + demo_nlibraries;
	b->prov0 = b->poi0 + demo_npois;
	b->demo_library = 0;
	for (size_t i = 0; i < b->norgs; i++) {
		struct demo_org *o = &b->orgs[i];
		if (i == 0) {
			o->def = &demo_campus;
			o->kind = ORG_CAMPUS;
		} else if (i < b->poi0) {
			o->def = &demo_libraries[i - b->lib0];
			o->kind = ORG_LIBRARY;
			if (strcmp(o->def->name, DEMO_LIBRARY) == 0)
				b->demo_library = i;
		} else if (i < b->prov0) {
			o->def = &demo_pois[i - b->poi0];
			o->kind = ORG_POI;
		} else {
			o->def = &demo_providers[i - b->prov0];
			o->kind = ORG_PROVIDER;
		}
		if (o->def->slug) {
			o->slug = o->def->slug;
		} else {
			char slug[96];
			if (!slug_from_name(o->def->name, slug, sizeof slug))
				return CAMPUS_EINTERNAL;
			o->slug = arena_strdup(b->tmp, slug);
			if (!o->slug)
				return CAMPUS_ENOMEM;
		}
	}
	if (!b->demo_library)
		return CAMPUS_EINTERNAL;
	int rc = plan_libraries(b);
	for (size_t i = 0; !rc && i < b->norgs; i++)
		rc = insert_org(b, &b->orgs[i], i);
	return rc;
}

static const struct demo_name_pool *pick_pool(struct rng *r)
{
	unsigned total = 0;
	for (size_t i = 0; i < demo_nname_pools; i++)
		total += demo_name_pools[i].weight;
	unsigned x = rng_below(r, total);
	for (size_t i = 0; i < demo_nname_pools; i++) {
		if (x < demo_name_pools[i].weight)
			return &demo_name_pools[i];
		x -= demo_name_pools[i].weight;
	}
	return &demo_name_pools[0];
}

/* A realistic name and the local part of its e-mail address. */
static int make_name(struct build *b, char *name, size_t nsize, char *local, size_t lsize)
{
	const struct demo_name_pool *pool = pick_pool(&b->rng);
	const char *first = pool->first[rng_below(&b->rng, (uint32_t)pool->nfirst)];
	const struct demo_name_pool *lpool = rng_permille(&b->rng, 900) ? pool : pick_pool(&b->rng);
	const char *last = lpool->last[rng_below(&b->rng, (uint32_t)lpool->nlast)];
	const char *second = NULL; /* a double surname, "Jansen-de Vries" */
	if (rng_permille(&b->rng, 30))
		second =
		    demo_name_pools[0].last[rng_below(&b->rng, (uint32_t)demo_name_pools[0].nlast)];
	int n = snprintf(name, nsize, "%s %s%s%s", first, last, second ? "-" : "",
	                 second ? second : "");
	if (n < 0 || (size_t)n >= nsize)
		return CAMPUS_EINTERNAL;
	size_t len = 0;
	local[0] = '\0';
	bool ok = fold_append(local, lsize, &len, first, FOLD_EMAIL);
	if (ok && len + 1 < lsize) {
		local[len++] = '.';
		local[len] = '\0';
	}
	ok = ok && fold_append(local, lsize, &len, last, FOLD_EMAIL);
	if (ok && second && len + 1 < lsize) {
		local[len++] = '-';
		local[len] = '\0';
		ok = fold_append(local, lsize, &len, second, FOLD_EMAIL);
	}
	return ok ? 0 : CAMPUS_EINTERNAL;
}

/* A unique address <local>[N]@<slug>.demo.campus.nl. */
static int make_email(struct build *b, const char *local, const char *slug, char *email,
                      size_t size)
{
	bool nomem = false;
	for (unsigned k = 1; k < 100000; k++) {
		int n = k == 1 ? snprintf(email, size, "%s@%s.demo.campus.nl", local, slug)
		               : snprintf(email, size, "%s%u@%s.demo.campus.nl", local, k, slug);
		if (n < 0 || (size_t)n >= size)
			return CAMPUS_EINTERNAL;
		if (email_claim(b, email, &nomem))
			return nomem ? CAMPUS_ENOMEM : 0;
	}
	return CAMPUS_EINTERNAL;
}

static int add_membership(struct build *b, int64_t person, const struct demo_org *o,
                          const char *kind, unsigned roles, int64_t started)
{
	struct db_param p[] = {DBP_INT(person), DBP_INT(o->id),   DBP_TEXT(kind),
	                       DBP_INT(roles),  DBP_INT(started), DBP_END};
	int rc = db_exec(b->db, &stmt_demo_member_insert, p, NULL);
	if (!rc)
		b->n_members++;
	return rc;
}

/* Years of service: employees up to 30, volunteers up to 12, others up to 15. */
static int64_t started_at(struct build *b, const char *kind)
{
	uint32_t days = strcmp(kind, "employee") == 0    ? 30 * 365
	                : strcmp(kind, "volunteer") == 0 ? 12 * 365
	                                                 : 15 * 365;
	return b->now - (int64_t)(30 + rng_below(&b->rng, days)) * DAY;
}

/* One person with one membership. fixed >= 0: that demo log-in. */
static int add_person(struct build *b, const struct demo_org *o, const char *kind, unsigned roles,
                      int fixed, int64_t *person_out)
{
	char name[NAME_MAX_], email[EMAIL_MAX];
	const char *lang = "nl", *hash = NULL;
	int64_t created, started;
	int rc;
	if (fixed >= 0) {
		const struct fixed_login *f = &fixed_logins[fixed];
		int n = snprintf(email, sizeof email, "%s@%s.demo", f->local, o->slug);
		if (n < 0 || (size_t)n >= sizeof email || !str_copy(name, sizeof name, f->name))
			return CAMPUS_EINTERNAL;
		bool nomem = false;
		if (!email_claim(b, email, &nomem))
			return CAMPUS_EINTERNAL;
		if (nomem)
			return CAMPUS_ENOMEM;
		kind = f->kind;
		roles = f->roles;
		b->login_org[fixed] = o;
		hash = b->hashes[fixed];
		created = b->now - 30 * DAY;
		started = b->now - 3 * 365 * DAY;
	} else {
		char local[EMAIL_MAX];
		rc = make_name(b, name, sizeof name, local, sizeof local);
		if (!rc)
			rc = make_email(b, local, o->slug, email, sizeof email);
		if (rc)
			return rc;
		if (rng_permille(&b->rng, 30))
			lang = "en";
		created = b->now - (int64_t)(1 + rng_below(&b->rng, 365)) * DAY;
		started = started_at(b, kind);
	}
	int64_t id = 0;
	struct db_col c[] = {DBC_INT(&id), DBC_END};
	if (b->pg) { /* person and membership in one round trip */
		struct db_param p[] = {DBP_TEXT(email), DBP_TEXT(name),   DBP_TEXT(lang),
		                       DBP_TEXT(hash),  DBP_INT(created), DBP_INT(o->id),
		                       DBP_TEXT(kind),  DBP_INT(roles),   DBP_INT(started),
		                       DBP_END};
		rc = db_query_row(b->db, &stmt_demo_person_member_pg, p, c, b->tmp);
		if (rc)
			return rc;
		b->n_people++;
		b->n_members++;
		if (person_out)
			*person_out = id;
		return 0;
	}
	struct db_param p[] = {DBP_TEXT(email), DBP_TEXT(name),   DBP_TEXT(lang),
	                       DBP_TEXT(hash),  DBP_INT(created), DBP_END};
	rc = db_query_row(b->db, &stmt_demo_person_insert, p, c, b->tmp);
	if (rc)
		return rc;
	b->n_people++;
	if (person_out)
		*person_out = id;
	return add_membership(b, id, o, kind, roles, started);
}

/* Another library in the same province (none: NULL). */
static const struct demo_org *neighbour(struct build *b, const struct demo_org *o)
{
	for (int tries = 0; tries < 40; tries++) {
		const struct demo_org *x =
		    &b->orgs[b->lib0 + rng_below(&b->rng, (uint32_t)demo_nlibraries)];
		if (x != o && strcmp(x->def->province, o->def->province) == 0)
			return x;
	}
	return NULL;
}

static int people_campus(struct build *b)
{
	const struct demo_org *campus = &b->orgs[0];
	int rc = add_person(b, campus, NULL, 0, L_ADMIN, NULL);
	for (unsigned i = 1; !rc && i < campus->def->size; i++)
		rc = add_person(b, campus, "employee", i == 1 ? ROLE_CAMPUS_ADMIN : ROLE_LEARNER,
		                -1, NULL);
	/* independent members of the review committee: the demo one and two more */
	if (!rc)
		rc = add_person(b, campus, NULL, 0, L_COMMITTEE, NULL);
	for (unsigned i = 0; !rc && i < 2; i++)
		rc = add_person(b, campus, "external", ROLE_COMMITTEE, -1, NULL);
	return rc;
}

static int people_libraries(struct build *b)
{
	int rc = 0;
	for (size_t li = b->lib0; !rc && li < b->poi0; li++) {
		const struct demo_org *o = &b->orgs[li];
		bool demo = li == b->demo_library;
		for (unsigned i = 0; !rc && i < o->employees; i++) {
			int fixed = !demo              ? -1
			            : i == 0           ? L_MANAGER
			            : i == o->managers ? L_EMPLOYEE
			                               : -1;
			unsigned roles =
			    i < o->managers ? ROLE_LEARNER | ROLE_MANAGER : ROLE_LEARNER;
			int64_t id;
			rc = add_person(b, o, "employee", roles, fixed, &id);
			/* The demo employee also volunteers at a neighbouring library, so the
			 * organisation switcher can be tried with a printed log-in. */
			if (!rc && fixed == L_EMPLOYEE) {
				const struct demo_org *x = NULL;
				for (size_t k = b->lib0; !x && k < b->poi0; k++)
					if (&b->orgs[k] != o &&
					    strcmp(b->orgs[k].def->province, o->def->province) == 0)
						x = &b->orgs[k];
				if (x)
					rc = add_membership(b, id, x, "volunteer", ROLE_LEARNER,
					                    started_at(b, "volunteer"));
			}
			if (rc || fixed >= 0)
				continue;
			/* ~2% also teach for a provider, ~1% also work for a neighbouring library
			 */
			uint32_t r = rng_below(&b->rng, 1000);
			if (r < 20) {
				const struct demo_org *p =
				    &b->orgs[b->prov0 +
				             rng_below(&b->rng, (uint32_t)demo_nproviders)];
				rc = add_membership(b, id, p, "external", ROLE_TEACHER,
				                    started_at(b, "external"));
			} else if (r < 30) {
				const struct demo_org *x = neighbour(b, o);
				if (x)
					rc = add_membership(b, id, x, "employee", ROLE_LEARNER,
					                    started_at(b, "employee"));
			}
		}
		for (unsigned i = 0; !rc && i < o->volunteers; i++) {
			int fixed = demo && i == 0 ? L_VOLUNTEER : -1;
			int64_t id;
			rc = add_person(b, o, "volunteer", ROLE_LEARNER, fixed, &id);
			if (rc || fixed >= 0)
				continue;
			if (rng_permille(&b->rng, 30)) { /* volunteers at a second library nearby */
				const struct demo_org *x = neighbour(b, o);
				if (x)
					rc = add_membership(b, id, x, "volunteer", ROLE_LEARNER,
					                    started_at(b, "volunteer"));
			}
		}
	}
	return rc;
}

/* POI staff: one provider administrator, two teachers (POIs train too) and,
 * in the first seven POIs, one member of the review committee. */
static int people_pois(struct build *b)
{
	int rc = 0;
	for (size_t pi = b->poi0; !rc && pi < b->prov0; pi++) {
		const struct demo_org *o = &b->orgs[pi];
		for (unsigned i = 0; !rc && i < o->def->size; i++) {
			unsigned roles = i == 0   ? ROLE_LEARNER | ROLE_PROVIDER_ADMIN
			                 : i <= 2 ? ROLE_LEARNER | ROLE_TEACHER
			                 : i == 3 && pi - b->poi0 < 7 ? ROLE_COMMITTEE
			                                              : ROLE_LEARNER;
			rc = add_person(b, o, "employee", roles, -1, NULL);
		}
	}
	return rc;
}

/* Provider staff: administrators (two where the staff is 8 or more) and teachers. */
static int people_providers(struct build *b)
{
	int rc = 0;
	for (size_t pi = b->prov0; !rc && pi < b->norgs; pi++) {
		const struct demo_org *o = &b->orgs[pi];
		bool demo = pi - b->prov0 == DEMO_PROVIDER;
		unsigned admins = o->def->size >= 8 ? 2 : 1;
		for (unsigned i = 0; !rc && i < o->def->size; i++) {
			int fixed = !demo         ? -1
			            : i == 0      ? L_PROVIDER_ADMIN
			            : i == admins ? L_TEACHER
			                          : -1;
			unsigned roles = i < admins ? ROLE_PROVIDER_ADMIN : ROLE_TEACHER;
			rc = add_person(b, o, "employee", roles, fixed, NULL);
		}
	}
	return rc;
}

static int build_tx(struct db_conn *db, void *cls)
{
	struct build *b = cls;
	/* a fresh start on every attempt */
	arena_reset(b->tmp);
	b->db = db;
	b->rng.s = 0x43616d7075734e4cULL ^ (uint64_t)b->seed; /* "CampusNL" */
	b->n_orgs = b->n_people = b->n_members = 0;
	memset(b->login_org, 0, sizeof b->login_org);
	memset(&b->catalog, 0, sizeof b->catalog);
	memset(&b->enrol, 0, sizeof b->enrol);
	memset(&b->points, 0, sizeof b->points);
	uint64_t expect = (uint64_t)(SECTOR_EMPLOYEES + SECTOR_VOLUNTEERS) * b->permille / 1000 +
	                  4 * demo_nlibraries + 1024;
	b->email_cap = 1024;
	while (b->email_cap < 2 * expect)
		b->email_cap *= 2;
	b->emails = arena_zalloc(b->tmp, b->email_cap * sizeof *b->emails);
	if (!b->emails)
		return CAMPUS_ENOMEM;

	int64_t people = 0;
	int rc = db_query_row(db, &stmt_demo_people_count, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&people), DBC_END}, b->tmp);
	if (rc)
		return rc;
	if (people > 0)
		return CAMPUS_ECONFLICT;
	rc = plan_and_insert_orgs(b);
	if (!rc)
		rc = people_campus(b);
	if (!rc)
		rc = people_libraries(b);
	if (!rc)
		rc = people_pois(b);
	if (!rc)
		rc = people_providers(b);
	for (int i = 0; !rc && i < L_COUNT; i++)
		if (!b->login_org[i])
			rc = CAMPUS_EINTERNAL; /* the tables lost a demo log-in's place */
	/* the catalogue: its own stream from the seed, after the people it refers to */
	if (!rc)
		rc = demo_catalog_build(b->ctx, db, b->tmp, b->seed, b->now, &b->catalog);
	/* editions and enrolments: their own stream too, after the modules */
	if (!rc)
		rc = demo_enrol_build(b->ctx, db, b->seed, b->now, &b->enrol);
	/* three years of evidence and points through progress.h, after the enrolments;
	 * not in the small sectors test_demo builds to check determinism (their
	 * editions are not scaled down, so the history would cost as much as the
	 * full sector's) */
	if (!rc && b->permille == 1000)
		rc = demo_points_build(b->ctx, db, b->seed, b->now, &b->points);
	if (rc)
		return rc;
	/* One audit row for the whole build (none per row: 30,000 would be noise). now= is
	 * the clock every row is dated from: test_demo checks a built sector against it. */
	char detail[300];
	int n = snprintf(detail, sizeof detail,
	                 "seed=%lu permille=%u now=%lld organisations=%u people=%u memberships=%u"
	                 " modules=%u editions=%u enrolments=%u completions=%u claims=%u",
	                 b->seed, b->permille, (long long)b->now, b->n_orgs, b->n_people,
	                 b->n_members, b->catalog.modules, b->enrol.editions, b->enrol.enrolments,
	                 b->points.completions, b->points.claims + b->points.evc);
	if (n < 0 || (size_t)n >= sizeof detail)
		return CAMPUS_EINTERNAL;
	return audit_record(b->ctx, "demo.build", "sector", "", "ok", detail);
}

int demo_build_scaled(struct ctx *ctx, unsigned long seed, unsigned permille,
                      struct demo_result *out)
{
	memset(out, 0, sizeof *out);
	if (permille < 1 || permille > 10000)
		return CAMPUS_EINVAL;

	/* Cheap early refusal before the slow password hashing; build_tx checks again. */
	int64_t people = 0;
	int rc = db_query_row(ctx->db, &stmt_demo_people_count, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&people), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	if (people > 0)
		return CAMPUS_ECONFLICT;

	struct build *b = xcalloc(1, sizeof *b);
	b->ctx = ctx;
	b->seed = seed;
	b->permille = permille;
	b->pg = db_dialect(ctx->db) == DB_POSTGRES;
	b->now = ctx->now();
	for (int i = 0; !rc && i < L_COUNT; i++)
		rc = auth_password_hash(DEMO_PASSWORD, b->hashes[i]);
	b->tmp = arena_new(0);
	if (!rc)
		rc = db_tx_run(ctx->db, DB_TX_WRITE, build_tx, b);
	if (!rc)
		rc = settings_set(ctx, SETTING_SECTOR_NAME, "Campus");
	if (!rc)
		rc = settings_set(ctx, SETTING_BRAND_COLOR, "#00689e");
	if (!rc)
		rc = demo_catalog_index_all(ctx);
	/* reversals run in transactions of their own (progress_reverse) */
	if (!rc && permille == 1000)
		rc = demo_points_after(ctx, seed, b->now, &b->points);
	if (!rc && permille == 1000)
		rc = demo_points_settle(ctx, &b->points);
	if (!rc) {
		out->modules = b->catalog.modules;
		out->local_modules = b->catalog.local_modules;
		out->reviews = b->catalog.reviews;
		out->editions = b->enrol.editions;
		out->enrolments = b->enrol.enrolments;
		out->completions = b->points.completions;
		out->completions_with_points = b->points.with_points;
		out->certificates = b->points.certificates;
		out->diplomas = b->points.diplomas;
		out->claims = b->points.claims + b->points.evc;
		out->reversals = b->points.reversals;
		out->organisations = b->n_orgs;
		out->people = b->n_people;
		out->memberships = b->n_members;
		out->password = DEMO_PASSWORD;
		for (int i = 0; i < L_COUNT; i++) {
			const struct demo_org *o = b->login_org[i];
			struct demo_login *l = &out->logins[out->nlogins++];
			l->role_label = fixed_logins[i].label;
			l->email =
			    arena_printf(ctx->arena, "%s@%s.demo", fixed_logins[i].local, o->slug);
			l->org_name = o->def->name;
			if (!l->email)
				rc = CAMPUS_ENOMEM;
		}
	}
	/* The demo committee member chairs the committee, so the review pages have a chair. */
	for (unsigned i = 0; !rc && i < out->nlogins; i++) {
		if (fixed_logins[i].roles != ROLE_COMMITTEE)
			continue;
		struct person chair;
		rc = person_find_by_email(ctx, out->logins[i].email, &chair);
		char id[24];
		if (!rc && snprintf(id, sizeof id, "%lld", (long long)chair.id) > 0)
			rc = settings_set(ctx, SETTING_REVIEW_CHAIR, id);
	}
	arena_free(b->tmp);
	free(b);
	return rc;
}

int demo_build(struct ctx *ctx, unsigned long seed, struct demo_result *out)
{
	return demo_build_scaled(ctx, seed, 1000, out);
}
