/* The demo catalogue: modules of the demo providers and of some libraries,
 * their versions, tags and the review committee's work, from a seed.
 *
 * It runs inside demo.c's write transaction, after the people, and reads
 * what it needs back from the database (organisations, provider
 * administrators, library managers, the committee, the taxonomy, the review
 * criteria) in id order, so the same seed gives the same catalogue. It has
 * its own random stream: adding or changing modules never changes the
 * people of a seed. Plain cached statements, a handful per module. */
#include "domain/search.h"
#include "domain/demo_catalog.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/demo_catalog_data.h"

#define DAY 86400
#define HISTORY_DAYS 399 /* the demo organisations are 400 days old */
#define TEXT_MAX 8192
#define NCRIT 4 /* the sector's own review criteria */

/* ---- reading what is there ----------------------------------------------------- */

DB_STMT(stmt_dc_orgs,
        "SELECT id, kind, name, slug, place, province FROM organisations ORDER BY id");
/* Provider administrators and library managers: contacts, authors, submitters. */
DB_STMT(stmt_dc_staff,
        "SELECT m.org_id, m.person_id, p.name, p.email FROM memberships m"
        " JOIN people p ON p.id = m.person_id"
        " WHERE m.kind = 'employee' AND (m.roles & 6) <> 0 ORDER BY m.org_id, m.person_id");
/* Every membership of every member of the review committee. */
DB_STMT(stmt_dc_committee,
        "SELECT m.person_id, m.org_id, p.email, (m.roles & 16) FROM memberships m"
        " JOIN people p ON p.id = m.person_id WHERE m.person_id IN"
        " (SELECT person_id FROM memberships WHERE (roles & 16) <> 0)"
        " ORDER BY m.person_id, m.org_id");
DB_STMT(stmt_dc_checkers,
        "SELECT m.person_id FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " WHERE o.kind = 'campus' AND (m.roles & 32) <> 0 ORDER BY m.person_id");
DB_STMT(stmt_dc_taxonomy,
        "SELECT c.id, c.slug, r.id, r.domain_id FROM tax_competencies c"
        " JOIN tax_roles r ON r.id = c.role_id JOIN tax_domains d ON d.id = r.domain_id"
        " WHERE c.retired_at IS NULL AND r.retired_at IS NULL AND d.retired_at IS NULL"
        " ORDER BY c.id");
DB_STMT(stmt_dc_criteria,
        "SELECT id FROM review_criteria WHERE retired_at IS NULL ORDER BY position, id");

/* ---- writing -------------------------------------------------------------------- */

DB_STMT(stmt_dc_module, "INSERT INTO modules (provider_id, local_org_id, created_at, updated_at)"
                        " VALUES ($1, $2, $3, $4) RETURNING id");
DB_STMT(stmt_dc_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description,"
        " goals, level, format, load_tenths, language, price_cents, vat, prerequisites, audience,"
        " place, province, contact_name, contact_email, points_tenths, recognised_load_tenths,"
        " recognised_at, valid_until, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4,"
        " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,"
        " $23, $24, $25, $26) RETURNING id");
/* PostgreSQL: module, first version and tags in one round trip; a later
 * version and its tags in one. Parameters as stmt_dc_version, then (first
 * only) local_org_id, then domain, role, competency and a second competency
 * (NULL: none). */
DB_STMT(stmt_dc_first_pg,
        "WITH m AS (INSERT INTO modules (provider_id, local_org_id, created_at, updated_at)"
        " VALUES ($1, $27, $25, $25) RETURNING id),"
        " v AS (INSERT INTO module_versions (module_id, number, state, title, summary, description,"
        " goals, level, format, load_tenths, language, price_cents, vat, prerequisites, audience,"
        " place, province, contact_name, contact_email, points_tenths, recognised_load_tenths,"
        " recognised_at, valid_until, created_by, created_at, updated_at) SELECT m.id, $2, $3, $4,"
        " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,"
        " $23, $24, $25, $26 FROM m RETURNING id, module_id),"
        " t AS (INSERT INTO module_version_tags (version_id, kind, tag_id) SELECT v.id, x.k, x.t"
        " FROM v CROSS JOIN (VALUES ('domain', $28::bigint), ('role', $29::bigint),"
        " ('competency', $30::bigint), ('competency', $31::bigint)) AS x (k, t)"
        " WHERE x.t IS NOT NULL)"
        " SELECT module_id, id FROM v");
DB_STMT(stmt_dc_version_pg,
        "WITH v AS (INSERT INTO module_versions (module_id, number, state, title, summary,"
        " description, goals, level, format, load_tenths, language, price_cents, vat,"
        " prerequisites, audience, place, province, contact_name, contact_email, points_tenths,"
        " recognised_load_tenths, recognised_at, valid_until, created_by, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
        " $19, $20, $21, $22, $23, $24, $25, $26) RETURNING id, module_id),"
        " t AS (INSERT INTO module_version_tags (version_id, kind, tag_id) SELECT v.id, x.k, x.t"
        " FROM v CROSS JOIN (VALUES ('domain', $27::bigint), ('role', $28::bigint),"
        " ('competency', $29::bigint), ('competency', $30::bigint)) AS x (k, t)"
        " WHERE x.t IS NOT NULL)"
        " SELECT module_id, id FROM v");
DB_STMT(stmt_dc_tags3, "INSERT INTO module_version_tags (version_id, kind, tag_id) VALUES"
                       " ($1, 'domain', $2), ($1, 'role', $3), ($1, 'competency', $4)");
DB_STMT(stmt_dc_tags4, "INSERT INTO module_version_tags (version_id, kind, tag_id) VALUES"
                       " ($1, 'domain', $2), ($1, 'role', $3), ($1, 'competency', $4),"
                       " ($1, 'competency', $5)");
DB_STMT(stmt_dc_module_versions,
        "UPDATE modules SET working_version_id = $2, published_version_id = $3,"
        " recognised_version_id = $4, updated_at = $5 WHERE id = $1");
DB_STMT(stmt_dc_review,
        "INSERT INTO reviews (module_id, version_id, state, light, rereview, submitted_by,"
        " submitted_at, checked_by, checked_at, decided_by, decided_at, reason) VALUES ($1, $2,"
        " $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id");
DB_STMT(stmt_dc_assign,
        "INSERT INTO review_assignments (review_id, reviewer_id, assigned_by, assigned_at,"
        " completed_at) VALUES ($1, $2, $3, $4, $5)");
/* PostgreSQL: an assignment and its scores (NULL criterion: none) in one. */
DB_STMT(stmt_dc_assign_pg,
        "WITH a AS (INSERT INTO review_assignments (review_id, reviewer_id, assigned_by,"
        " assigned_at, completed_at) VALUES ($1, $2, $3, $4, $5) RETURNING review_id, reviewer_id)"
        " INSERT INTO review_scores (review_id, reviewer_id, criterion_id, score, comment)"
        " SELECT a.review_id, a.reviewer_id, x.c, x.s, x.m FROM a CROSS JOIN (VALUES"
        " ($6::bigint, $7::bigint, $8::text), ($9::bigint, $10::bigint, $11::text),"
        " ($12::bigint, $13::bigint, $14::text), ($15::bigint, $16::bigint, $17::text))"
        " AS x (c, s, m) WHERE x.c IS NOT NULL");
DB_STMT(stmt_dc_scores4,
        "INSERT INTO review_scores (review_id, reviewer_id, criterion_id, score, comment) VALUES"
        " ($1, $2, $3, $4, $5), ($1, $2, $6, $7, $8), ($1, $2, $9, $10, $11),"
        " ($1, $2, $12, $13, $14)");
DB_STMT(stmt_dc_scores2,
        "INSERT INTO review_scores (review_id, reviewer_id, criterion_id, score, comment) VALUES"
        " ($1, $2, $3, $4, $5), ($1, $2, $6, $7, $8)");
DB_STMT(stmt_dc_trusted, "INSERT INTO trusted_providers (org_id, since, valid_until, decided_by)"
                         " VALUES ($1, $2, $3, $4)");

/* ---- random numbers (the same generator as demo.c, another seed) ---------------- */

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

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi) /* lo..hi */
{
	return lo + rng_below(r, hi - lo + 1);
}

static bool rng_permille(struct rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

static size_t count_of(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

static const char *pick(struct rng *r, const char *const *list)
{
	return list[rng_below(r, (uint32_t)count_of(list))];
}

/* ---- the providers' profiles ------------------------------------------------------- */

enum { FMT_CLASSROOM, FMT_ONLINE_LIVE, FMT_ELEARNING, FMT_BLENDED, FMT_N };
static const char *const format_names[FMT_N] = {"classroom", "online_live", "elearning", "blended"};

struct profile {
	const char *slug;
	unsigned weight;         /* share of the national modules */
	unsigned formats[FMT_N]; /* weights */
	unsigned free_permille;  /* modules without a price */
	unsigned vat21_permille; /* the rest: CRKBO-registered or not */
	unsigned en_permille;    /* English-language modules */
	unsigned euro_per_hour;
	bool trusted;         /* instellingsaccreditatie */
	const char *focus[9]; /* competency slugs they are known for; NULL-terminated */
};

// clang-format off
static const struct profile profiles[] = {
    {"go-opleidingen", 14, {50, 20, 10, 20}, 30, 80, 30, 38, false,
     {"klantgericht-ontvangen-en-doorvragen", "doorverwijzen-naar-diensten-en-partners",
      "vrijwilligers-coordineren", "werken-met-vrijwilligers", "projectmatig-werken",
      "bouwt-deskundigheid-op", "gesprek-faciliteren", NULL}},
    {"nbd-biblion", 13, {35, 20, 35, 10}, 60, 100, 20, 35, true,
     {"bouwstenen-collectioneren", "processen-en-systemen", "trends-in-collecties",
      "interpreteren-en-ordenen", "ontsluiten-en-presenteren", "collectiebeleid",
      "zoekvaardigheden", NULL}},
    {"kunst-van-lezen", 8, {45, 25, 20, 10}, 450, 0, 0, 25, false,
     {"leesbevordering", "samenwerken-met-school-en-leescoordinator",
      "dbos-monitor-en-activiteitenplan", "taalontwikkeling-0-6-jaar", "ouderbetrokkenheid",
      NULL}},
    {"ido", 7, {30, 40, 25, 5}, 650, 0, 0, 20, false,
     {"digitale-overheid", "privacy-en-veilig-online", "digitale-basisvaardigheden",
      "doorverwijzen-naar-diensten-en-partners", NULL}},
    {"avans-plus", 10, {40, 15, 5, 40}, 0, 120, 60, 55, true,
     {"community-en-behoeften-in-kaart-brengen", "sociaal-contract", "stakeholders-betrekken",
      "politiek-strategisch-handelen", "programma-s-ontwikkelen", "ondernemerschap",
      "educatief-programma-ontwerp", "netwerken-met-onderwijs-en-sociaal-domein", NULL}},
    {"goodhabitz", 12, {0, 5, 90, 5}, 40, 900, 200, 20, false,
     {"digitale-vaardigheden", "informatiebeveiliging-en-avg", "bouwt-deskundigheid-op",
      "projectmatig-werken", "ondernemerschap", "privacy-en-veilig-online", NULL}},
    {"leeslamp-academie", 9, {50, 20, 15, 15}, 120, 60, 0, 30, false,
     {"leesbevordering", "taalontwikkeling-0-6-jaar", "ouderbetrokkenheid",
      "mediawijsheid-en-informatievaardigheden", "laaggeletterdheid-herkennen-en-doorverwijzen",
      NULL}},
    {"kaft-en-kennis", 9, {45, 20, 20, 15}, 80, 100, 30, 32, false,
     {"collectiebeleid", "zoekvaardigheden", "bronnenkritiek", "verzamelen-opslaan-en-conserveren",
      "ontsluiten-en-presenteren-van-informatie", "trends-in-collecties", NULL}},
    {"bureau-buurtverhaal", 8, {55, 15, 5, 25}, 100, 150, 0, 40, false,
     {"community-en-behoeften-in-kaart-brengen", "gezamenlijke-activiteit", "kenniscreatie",
      "gedeeld-eigenaarschap", "gesprek-faciliteren", "doelgroepen-bepalen", NULL}},
    {"zoeklicht-trainingen", 9, {40, 30, 20, 10}, 150, 80, 40, 30, false,
     {"zoekvaardigheden-voor-klanten", "bronnenkritiek", "mediawijsheid-en-informatievaardigheden",
      "laaggeletterdheid-herkennen-en-doorverwijzen", "digitale-basisvaardigheden",
      "vrijwilligers-coordineren", NULL}},
};
static const struct profile default_profile = {
    NULL, 9, {40, 20, 25, 15}, 150, 100, 50, 30, false, {NULL}};
// clang-format on

/* ---- what each module becomes ------------------------------------------------------ */

enum plan {
	P_RECOGNISED,      /* v1 recognised and published (some with a v1 superseded by v2) */
	P_REC_REREVIEW,    /* recognised, recognition ends soon: a re-review is under way */
	P_REC_V2_REVIEW,   /* v1 recognised and published, v2 with the committee */
	P_REC_V2_RETURNED, /* v1 recognised and published, v2 returned to the provider */
	P_EXPIRED,         /* recognition ran out (some with a re-review under way) */
	P_PUBLISHED,       /* published, never submitted: shows as not recognised */
	P_DRAFT,           /* not published, never submitted */
	P_SUBMITTED,
	P_CHECKED,  /* complete; waits for reviewers (light path: assigned) */
	P_ASSIGNED, /* reviewers at work, partial scores */
	P_RETURNED,
	P_REJECTED,
	P_WITHDRAWN,
	P_COUNT
};

/* Permille per plan: national modules, local modules. */
static const unsigned plan_national[P_COUNT] = {480, 40, 80, 30, 40, 110, 50,
                                                40,  30, 40, 30, 20, 10};
static const unsigned plan_local[P_COUNT] = {130, 0, 0, 0, 0, 550, 200, 40, 0, 40, 20, 0, 20};

/* ---- state ------------------------------------------------------------------------- */

struct org {
	int64_t id;
	const char *kind, *name, *slug, *place, *province;
	size_t staff0, nstaff; /* into catalog.staff */
	const struct profile *prof;
};

struct staff {
	int64_t org_id, person_id;
	const char *name, *email;
};

struct member {
	int64_t person_id, org_id;
	const char *email;
	int64_t committee;
};

struct comp {
	int64_t id, role_id, domain_id;
	const struct demo_comp_text *t;
};

struct cat {
	struct ctx *ctx;
	struct db_conn *db;
	struct arena *tmp;
	bool pg;
	struct rng rng;
	int64_t now, floor;

	struct org *orgs;
	size_t norgs, orgs_cap;
	struct staff *staff;
	size_t nstaff, staff_cap;
	struct member *members; /* memberships of committee members */
	size_t nmembers, members_cap;
	int64_t committee[64];
	size_t ncommittee;
	int64_t chair;
	int64_t checkers[16];
	size_t ncheckers;
	struct comp *comps;
	size_t ncomps, comps_cap;
	int64_t criteria[NCRIT];
	size_t ncriteria;

	const char **titles; /* open addressing, for title variety */
	size_t titles_cap;

	struct buf title, summary, desc, goals;
	struct demo_catalog_result res;

	/* row buffers for the readers */
	struct org row_org;
	struct staff row_staff;
	struct member row_member;
	struct comp row_comp;
	const char *row_slug;
	int64_t row_id;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* ---- readers ----------------------------------------------------------------------- */

static int org_row(void *cls)
{
	struct cat *c = cls;
	if (c->norgs == c->orgs_cap)
		return CAMPUS_EINTERNAL;
	c->orgs[c->norgs++] = c->row_org;
	return 0;
}

static int staff_row(void *cls)
{
	struct cat *c = cls;
	if (c->nstaff == c->staff_cap)
		return CAMPUS_EINTERNAL;
	c->staff[c->nstaff++] = c->row_staff;
	return 0;
}

static int member_row(void *cls)
{
	struct cat *c = cls;
	if (c->nmembers == c->members_cap)
		return CAMPUS_EINTERNAL;
	c->members[c->nmembers++] = c->row_member;
	return 0;
}

static int checker_row(void *cls)
{
	struct cat *c = cls;
	if (c->ncheckers < sizeof c->checkers / sizeof c->checkers[0])
		c->checkers[c->ncheckers++] = c->row_id;
	return 0;
}

static int criterion_row(void *cls)
{
	struct cat *c = cls;
	if (c->ncriteria < NCRIT)
		c->criteria[c->ncriteria++] = c->row_id;
	return 0;
}

static int comp_row(void *cls)
{
	struct cat *c = cls;
	for (size_t i = 0; i < demo_ncomp_texts; i++) {
		if (strcmp(demo_comp_texts[i].slug, c->row_slug) != 0)
			continue;
		if (c->ncomps == c->comps_cap)
			return CAMPUS_EINTERNAL;
		c->row_comp.t = &demo_comp_texts[i];
		c->comps[c->ncomps++] = c->row_comp;
		break;
	}
	return 0; /* a competency without phrases (added later) gets no demo modules */
}

static int load(struct cat *c)
{
	const struct db_param none[] = {DBP_END};
	c->orgs_cap = 4096;
	c->staff_cap = 16384;
	c->members_cap = 1024;
	c->comps_cap = 512;
	c->orgs = arena_alloc(c->tmp, c->orgs_cap * sizeof *c->orgs);
	c->staff = arena_alloc(c->tmp, c->staff_cap * sizeof *c->staff);
	c->members = arena_alloc(c->tmp, c->members_cap * sizeof *c->members);
	c->comps = arena_alloc(c->tmp, c->comps_cap * sizeof *c->comps);
	if (!c->orgs || !c->staff || !c->members || !c->comps)
		return CAMPUS_ENOMEM;
	struct org *o = &c->row_org;
	int rc =
	    db_query(c->db, &stmt_dc_orgs, none,
	             (const struct db_col[]){DBC_INT(&o->id), DBC_TEXT(&o->kind),
	                                     DBC_TEXT(&o->name), DBC_TEXT(&o->slug),
	                                     DBC_TEXT(&o->place), DBC_TEXT(&o->province), DBC_END},
	             c->tmp, org_row, c);
	struct staff *s = &c->row_staff;
	if (!rc)
		rc = db_query(c->db, &stmt_dc_staff, none,
		              (const struct db_col[]){DBC_INT(&s->org_id), DBC_INT(&s->person_id),
		                                      DBC_TEXT(&s->name), DBC_TEXT(&s->email),
		                                      DBC_END},
		              c->tmp, staff_row, c);
	struct member *m = &c->row_member;
	if (!rc)
		rc = db_query(c->db, &stmt_dc_committee, none,
		              (const struct db_col[]){DBC_INT(&m->person_id), DBC_INT(&m->org_id),
		                                      DBC_TEXT(&m->email), DBC_INT(&m->committee),
		                                      DBC_END},
		              c->tmp, member_row, c);
	if (!rc)
		rc = db_query(c->db, &stmt_dc_checkers, none,
		              (const struct db_col[]){DBC_INT(&c->row_id), DBC_END}, c->tmp,
		              checker_row, c);
	if (!rc)
		rc = db_query(c->db, &stmt_dc_criteria, none,
		              (const struct db_col[]){DBC_INT(&c->row_id), DBC_END}, c->tmp,
		              criterion_row, c);
	struct comp *k = &c->row_comp;
	if (!rc)
		rc = db_query(c->db, &stmt_dc_taxonomy, none,
		              (const struct db_col[]){DBC_INT(&k->id), DBC_TEXT(&c->row_slug),
		                                      DBC_INT(&k->role_id), DBC_INT(&k->domain_id),
		                                      DBC_END},
		              c->tmp, comp_row, c);
	if (rc)
		return rc;

	/* staff per organisation (both lists are in org id order) */
	size_t si = 0;
	for (size_t i = 0; i < c->norgs; i++) {
		struct org *x = &c->orgs[i];
		while (si < c->nstaff && c->staff[si].org_id < x->id)
			si++;
		x->staff0 = si;
		while (si < c->nstaff && c->staff[si].org_id == x->id)
			si++;
		x->nstaff = si - x->staff0;
		x->prof = NULL;
		if (strcmp(x->kind, "provider") == 0) {
			x->prof = &default_profile;
			for (size_t p = 0; p < sizeof profiles / sizeof profiles[0]; p++)
				if (strcmp(profiles[p].slug, x->slug) == 0)
					x->prof = &profiles[p];
		}
	}
	/* the committee: distinct people with the role; the demo log-in chairs it */
	c->chair = 0;
	for (size_t i = 0; i < c->nmembers; i++) {
		const struct member *mm = &c->members[i];
		if (!mm->committee)
			continue;
		bool seen = false;
		for (size_t j = 0; j < c->ncommittee; j++)
			seen = seen || c->committee[j] == mm->person_id;
		if (!seen && c->ncommittee < sizeof c->committee / sizeof c->committee[0])
			c->committee[c->ncommittee++] = mm->person_id;
		if (strcmp(mm->email, "commissie@campus.demo") == 0)
			c->chair = mm->person_id;
	}
	if (c->ncommittee < 3 || c->ncheckers == 0 || c->ncriteria < NCRIT || c->ncomps == 0)
		return CAMPUS_EINTERNAL; /* not the demo sector demo.c just wrote */
	if (!c->chair)
		c->chair = c->committee[0];
	return 0;
}

static bool is_member(const struct cat *c, int64_t person, int64_t org)
{
	for (size_t i = 0; i < c->nmembers; i++)
		if (c->members[i].person_id == person && c->members[i].org_id == org)
			return true;
	return false;
}

/* n distinct reviewers, none a member of the owner. false when too few. */
static bool pick_reviewers(struct cat *c, int64_t owner, int64_t *out, size_t n)
{
	int64_t pool[64];
	size_t np = 0;
	for (size_t i = 0; i < c->ncommittee; i++)
		if (!is_member(c, c->committee[i], owner))
			pool[np++] = c->committee[i];
	if (np < n)
		return false;
	for (size_t i = 0; i < n; i++) { /* partial Fisher-Yates */
		size_t j = i + rng_below(&c->rng, (uint32_t)(np - i));
		int64_t t = pool[i];
		pool[i] = pool[j];
		pool[j] = t;
		out[i] = pool[i];
	}
	return true;
}

/* ---- text ---------------------------------------------------------------------------- */

static void put_cap(struct buf *b, const char *s)
{
	if (*s >= 'a' && *s <= 'z') {
		buf_putc(b, (char)(*s - 'a' + 'A'));
		s++;
	}
	buf_puts(b, s);
}

static const char *const format_heads[FMT_N][6] = {
    {"Training", "Workshop", "Praktijkdag", "Cursus", "Masterclass", NULL},
    {"Webinar:", "Online training", "Online workshop", "Live online:", NULL},
    {"E-learning:", "Online cursus", "Zelfstudie:", NULL},
    {"Leergang", "Blended training", "Opleiding", "Traject", NULL},
};
static const char *const format_nouns[FMT_N] = {"training", "online training", "e-learning",
                                                "leergang"};
static const char *const qualifiers[] = {" in de praktijk",
                                         " voor beginners",
                                         " voor gevorderden",
                                         ": de basis",
                                         ": verdieping",
                                         " in kleine bibliotheken",
                                         " in de wijk",
                                         " stap voor stap",
                                         " voor vrijwilligers",
                                         " voor teamleiders",
                                         NULL};
static const char *const tails[] = {
    "wat werkt?",        "zo pak je het aan",       "van theorie naar praktijk",
    "tips en valkuilen", "een praktische aanpak",   "kansen voor de bibliotheek",
    "de volgende stap",  "ervaringen uit het land", NULL};
/* English titles: before and after the topic */
static const char *const en_forms[][2] = {
    {"", ": an introduction"}, {"", " for library professionals"}, {"Masterclass: ", ""},
    {"", " in practice"},      {"", ": the essentials"},           {"", ": advanced course"},
};
#define N_EN_FORMS (sizeof en_forms / sizeof en_forms[0])
static const char *const generic_items[] = {
    "Praktijkopdracht in je eigen bibliotheek", "Intervisie met collega's",
    "Terugkomdag met casussen van deelnemers",  "Persoonlijk actieplan",
    "Korte kennistoets en certificaat",         NULL};
static const char *const generic_goals[] = {
    "wat je geleerd hebt vertalen naar een concreet plan voor je eigen bibliotheek",
    "je aanpak bespreken en verbeteren met feedback van collega's",
    "uitleggen hoe dit onderwerp bijdraagt aan de doelen van de bibliotheek", NULL};
static const char *const level_text[] = {
    "uitvoerend: je past het direct toe in je dagelijkse werk",
    "tactisch: je vertaalt beleid naar een aanpak voor je team of vestiging",
    "strategisch: je werkt aan visie, koers en keuzes voor de organisatie"};
static const char *const level_names[] = {"uitvoerend", "tactisch", "strategisch"};

/* Adds title to the set; false when it is there already. */
static bool title_claim(struct cat *c, const char *title)
{
	size_t mask = c->titles_cap - 1;
	size_t i = (size_t)hash_str(title) & mask;
	while (c->titles[i]) {
		if (strcmp(c->titles[i], title) == 0)
			return false;
		i = (i + 1) & mask;
	}
	c->titles[i] = arena_strdup(c->tmp, title);
	return true;
}

static void make_title(struct cat *c, const struct comp *k, int fmt, bool en, const char **subject,
                       const char **qualifier)
{
	const struct demo_comp_text *t = k->t;
	struct buf *b = &c->title;
	buf_clear(b);
	*qualifier = "";
	*subject = pick(&c->rng, t->subjects);
	if (en) {
		const char *const *f = en_forms[rng_below(&c->rng, N_EN_FORMS)];
		buf_printf(b, "%s%s%s", f[0], t->en, f[1]);
		return;
	}
	uint32_t form = rng_below(&c->rng, 100);
	if (form < 30) {
		buf_printf(b, "%s: %s", pick(&c->rng, t->hooks), *subject);
	} else if (form < 50) {
		put_cap(b, *subject);
		if (rng_permille(&c->rng, 600)) {
			*qualifier = pick(&c->rng, qualifiers);
			buf_puts(b, *qualifier);
		}
	} else if (form < 70) {
		/* "Workshop: de collectie ...", not "Workshop de collectie ..." */
		const char *head = pick(&c->rng, format_heads[fmt]);
		bool article = !strncmp(*subject, "de ", 3) || !strncmp(*subject, "het ", 4) ||
		               !strncmp(*subject, "een ", 4);
		bool colon = head[strlen(head) - 1] == ':';
		buf_printf(b, "%s%s %s", head, article && !colon ? ":" : "", *subject);
	} else if (form < 85) {
		*qualifier = pick(&c->rng, qualifiers);
		buf_printf(b, "%s: %s%s", pick(&c->rng, t->hooks), *subject, *qualifier);
	} else {
		put_cap(b, *subject);
		buf_printf(b, ": %s", pick(&c->rng, tails));
	}
}

struct mod {
	const struct org *owner;
	bool local, en, light;
	enum plan plan;
	const struct comp *comp, *comp2;
	int fmt, level; /* level -1: none */
	int64_t load, price;
	const char *vat, *audience, *place, *province, *prerequisites;
	const struct staff *contact, *author;
	const char *subject;
};

static void make_texts(struct cat *c, const struct mod *m, const char *subject)
{
	const struct demo_comp_text *t = m->comp->t;
	struct buf *s = &c->summary, *d = &c->desc, *g = &c->goals;
	buf_clear(s);
	buf_clear(d);
	buf_clear(g);
	unsigned hours = (unsigned)((m->load + 5) / 10);
	if (hours < 1)
		hours = 1;
	if (m->en) {
		buf_printf(s, "An English-language %s on %s for library professionals.",
		           m->fmt == FMT_ELEARNING ? "e-learning course" : "course", t->en);
		buf_printf(d,
		           "This course is taught in English. It covers %s and how it helps "
		           "public libraries serve their communities.\n\n"
		           "You work with cases from Dutch libraries and colleagues from other "
		           "countries.\n\n**Programme**\n\n- Key ideas and recent research\n"
		           "- Cases from practice\n- Your own action plan",
		           t->en);
		buf_printf(g,
		           "You can explain the key ideas of %s.\nYou can apply them in your own "
		           "library.\nYou can plan a next step with your team.",
		           t->en);
		return;
	}
	buf_printf(s, "%s In deze %s werk je aan %s.", t->context, format_nouns[m->fmt], subject);

	/* description: context, approach, programme, closing */
	buf_printf(d, "%s Deze %s van %s gaat over %s", t->context, format_nouns[m->fmt],
	           m->owner->name, subject);
	if (strcmp(m->audience, "volunteers") == 0)
		buf_puts(d, " en is bedoeld voor vrijwilligers in de bibliotheek.\n\n");
	else if (strcmp(m->audience, "both") == 0)
		buf_puts(d, " en is bedoeld voor medewerkers en vrijwilligers.\n\n");
	else
		buf_puts(d, ".\n\n");
	switch (m->fmt) {
	case FMT_CLASSROOM:
		buf_printf(d,
		           "De training bestaat uit %u %s in %s. Je oefent met situaties uit je "
		           "eigen werk en krijgt tussendoor een praktijkopdracht.\n\n",
		           hours / 4 + 1, hours / 4 + 1 == 1 ? "bijeenkomst" : "bijeenkomsten",
		           m->place && *m->place ? m->place : "de bibliotheek");
		break;
	case FMT_ONLINE_LIVE:
		buf_printf(d,
		           "Je volgt %u live online %s van anderhalf uur in een kleine groep. "
		           "Tussen de sessies werk je aan een korte opdracht.\n\n",
		           hours / 3 + 1, hours / 3 + 1 == 1 ? "sessie" : "sessies");
		break;
	case FMT_ELEARNING:
		buf_printf(
		    d,
		    "Je werkt in je eigen tempo, wanneer het jou uitkomt. De e-learning "
		    "bestaat uit korte lessen met video's, oefeningen en een eindtoets; reken "
		    "op ongeveer %u uur.\n\n",
		    hours);
		break;
	default:
		buf_printf(d,
		           "Deze leergang combineert %u bijeenkomsten in %s met online lessen en "
		           "opdrachten in je eigen werkpraktijk.\n\n",
		           hours / 8 + 2, m->place && *m->place ? m->place : "de regio");
		break;
	}
	buf_puts(d, "**Programma**\n\n");
	size_t nitems = count_of(t->items);
	size_t first = rng_below(&c->rng, (uint32_t)nitems);
	size_t take = 3 + rng_below(&c->rng, 2);
	for (size_t i = 0; i < take && i < nitems; i++)
		buf_printf(d, "- %s\n", t->items[(first + i) % nitems]);
	buf_printf(d, "- %s\n\n", pick(&c->rng, generic_items));
	if (m->level >= 0)
		buf_printf(d, "Het niveau is %s.", level_text[m->level]);
	else
		buf_puts(d, "Geschikt voor iedereen die met dit onderwerp aan de slag wil.");
	if (t->link && rng_permille(&c->rng, 600))
		buf_printf(d, " Meer achtergrond vind je bij %s.", t->link);

	/* 3-5 learning goals, one per line */
	size_t ngoals = count_of(t->goals);
	size_t want = 3 + rng_below(&c->rng, 3);
	size_t start = rng_below(&c->rng, (uint32_t)ngoals);
	for (size_t i = 0; i < want; i++) {
		const char *goal = i < ngoals
		                       ? t->goals[(start + i) % ngoals]
		                       : generic_goals[(i - ngoals) % count_of(generic_goals)];
		buf_printf(g, "%sJe kunt %s.", i ? "\n" : "", goal);
	}
}

/* ---- writing one module ------------------------------------------------------------------- */

struct times {
	int64_t created, submitted, checked, assigned, decided;
};

static int64_t clampf(const struct cat *c, int64_t t)
{
	return t < c->floor ? c->floor : t;
}

/* The steps before a decision at `decided`, each a few days earlier. */
static struct times times_before(struct cat *c, int64_t decided)
{
	struct times t;
	t.decided = clampf(c, decided);
	t.assigned = clampf(c, t.decided - (int64_t)rng_range(&c->rng, 7, 30) * DAY);
	t.checked = clampf(c, t.assigned - (int64_t)rng_range(&c->rng, 1, 6) * DAY);
	t.submitted = clampf(c, t.checked - (int64_t)rng_range(&c->rng, 1, 5) * DAY);
	t.created = clampf(c, t.submitted - (int64_t)rng_range(&c->rng, 1, 40) * DAY -
	                          (int64_t)rng_below(&c->rng, DAY));
	return t;
}

struct vrec { /* recognition of a version */
	bool on;
	int64_t points, load, at, until;
};

/* A version with its tags; *module_id 0: the module too (created with its
 * first version). PostgreSQL does it in one round trip, SQLite (no INSERT
 * inside WITH) in three or four. */
static int insert_version(struct cat *c, const struct mod *m, int64_t *module_id, int number,
                          const char *state, const struct vrec *r, int64_t created, int64_t updated,
                          int64_t load, int64_t *version_id)
{
	const char *level = m->level >= 0 ? level_names[m->level] : NULL;
	const struct db_param null = DBP_NULL;
	const struct db_param fields[] = {
	    /* $2..$26 of the version */
	    DBP_INT(number),
	    DBP_TEXT(state),
	    DBP_TEXT(buf_cstr(&c->title)),
	    DBP_TEXT(buf_cstr(&c->summary)),
	    DBP_TEXT(buf_cstr(&c->desc)),
	    DBP_TEXT(buf_cstr(&c->goals)),
	    DBP_TEXT(level),
	    DBP_TEXT(format_names[m->fmt]),
	    DBP_INT(load),
	    DBP_TEXT(m->en ? "en" : "nl"),
	    DBP_INT(m->price),
	    DBP_TEXT(m->vat),
	    DBP_TEXT(m->prerequisites),
	    DBP_TEXT(m->audience),
	    DBP_TEXT(m->place),
	    DBP_TEXT(m->province),
	    DBP_TEXT(m->contact ? m->contact->name : ""),
	    DBP_TEXT(m->contact ? m->contact->email : ""),
	    r->on ? (struct db_param)DBP_INT(r->points) : null,
	    r->on ? (struct db_param)DBP_INT(r->load) : null,
	    r->on ? (struct db_param)DBP_INT(r->at) : null,
	    r->on ? (struct db_param)DBP_INT(r->until) : null,
	    m->author ? (struct db_param)DBP_INT(m->author->person_id) : null,
	    DBP_INT(created),
	    DBP_INT(updated),
	};
	const size_t nf = sizeof fields / sizeof fields[0];
	const struct db_param tags[] = {DBP_INT(m->comp->domain_id), DBP_INT(m->comp->role_id),
	                                DBP_INT(m->comp->id),
	                                m->comp2 ? (struct db_param)DBP_INT(m->comp2->id) : null};
	struct db_param p[40];
	size_t n = 0;
	bool first = *module_id == 0;
	p[n++] = (struct db_param)DBP_INT(first ? m->owner->id : *module_id);
	memcpy(p + n, fields, sizeof fields);
	n += nf;
	int rc;
	if (c->pg) {
		if (first)
			p[n++] = m->local ? (struct db_param)DBP_INT(m->owner->id) : null;
		memcpy(p + n, tags, sizeof tags);
		n += 4;
		p[n] = (struct db_param)DBP_END;
		int64_t mid = 0;
		rc = db_query_row(
		    c->db, first ? &stmt_dc_first_pg : &stmt_dc_version_pg, p,
		    (const struct db_col[]){DBC_INT(&mid), DBC_INT(version_id), DBC_END}, c->tmp);
		if (!rc)
			*module_id = mid;
	} else {
		rc = 0;
		if (first) {
			struct db_param mp[] = {DBP_INT(m->owner->id),
			                        m->local ? (struct db_param)DBP_INT(m->owner->id)
			                                 : null,
			                        DBP_INT(created), DBP_INT(created), DBP_END};
			rc = db_query_row(c->db, &stmt_dc_module, mp,
			                  (const struct db_col[]){DBC_INT(module_id), DBC_END},
			                  c->tmp);
			p[0] = (struct db_param)DBP_INT(*module_id);
		}
		p[n] = (struct db_param)DBP_END;
		if (!rc)
			rc = db_query_row(c->db, &stmt_dc_version, p,
			                  (const struct db_col[]){DBC_INT(version_id), DBC_END},
			                  c->tmp);
		if (!rc && m->comp2)
			rc = db_exec(c->db, &stmt_dc_tags4,
			             (const struct db_param[]){DBP_INT(*version_id), tags[0],
			                                       tags[1], tags[2], tags[3], DBP_END},
			             NULL);
		else if (!rc)
			rc = db_exec(c->db, &stmt_dc_tags3,
			             (const struct db_param[]){DBP_INT(*version_id), tags[0],
			                                       tags[1], tags[2], DBP_END},
			             NULL);
	}
	if (rc)
		return rc;
	if (first) {
		c->res.modules++;
		if (m->local)
			c->res.local_modules++;
	}
	c->res.versions++;
	return 0;
}

static const char *const comments[NCRIT][3][2] = {
    {{"Leerdoelen zijn concreet en goed toetsbaar.", ""},
     {"Leerdoelen kunnen concreter; nu vooral kennisdoelen.",
      "Niet alle leerdoelen komen terug in het programma."},
     {"Leerdoelen ontbreken of zijn niet toetsbaar.",
      "Leerdoelen passen niet bij het gekozen niveau."}},
    {{"Afwisselende werkvormen die goed aansluiten bij de doelgroep.", ""},
     {"Weinig ruimte om te oefenen.", "Toetsing is summier beschreven."},
     {"Eén lezing zonder verwerking of toetsing.", "Opbouw en werkvormen zijn niet beschreven."}},
    {{"Ervaren docenten met kennis van de bibliotheekpraktijk.", ""},
     {"Deskundigheid van de tweede docent is niet toegelicht.",
      "Docenten kennen het onderwijs, minder de bibliotheek."},
     {"Geen informatie over de docenten.",
      "Docent is niet aantoonbaar deskundig in dit onderwerp."}},
    {{"Aanbieder biedt dit al jaren betrouwbaar aan.", ""},
     {"Planning na dit jaar is nog onzeker.", "Afhankelijk van één docent."},
     {"Continuïteit niet aangetoond.", "Geen planning of vervanging geregeld."}},
};
static const char *const returned_reasons[] = {
    "De leerdoelen zijn nog te algemeen. Maak per bijeenkomst duidelijk wat deelnemers na "
    "afloop kunnen.",
    "De opgegeven studielast past niet bij het programma. Graag onderbouwen of aanpassen.",
    "Informatie over de docenten ontbreekt. Voeg een korte beschrijving van hun deskundigheid "
    "toe.",
    "De beschrijving noemt geen toetsing of afronding. Beschrijf hoe deelnemers laten zien dat "
    "ze de leerdoelen beheersen.",
    "Graag toelichten hoe de module bijdraagt aan de gekozen competentie; dat is nu niet "
    "duidelijk.",
    NULL};
static const char *const incomplete_reasons[] = {
    "De aanvraag is niet volledig: de contactgegevens van de aanbieder ontbreken.",
    "De aanvraag is niet volledig: het programma en de verdeling van de studielast ontbreken.",
    "De aanvraag is niet volledig: er zijn geen leerdoelen opgegeven.", NULL};
static const char *const rejected_reasons[] = {
    "De module is vooral een productpresentatie en draagt niet bij aan de competenties uit het "
    "beroepsprofiel.",
    "De inhoud overlapt grotendeels met een al erkende module van dezelfde aanbieder; de "
    "commissie ziet geen nieuwe leerwinst.",
    "De commissie mist een didactische opzet: de module bestaat uit één lezing zonder "
    "verwerking of toetsing.",
    "De aanbieder kan de continuïteit niet aantonen: er is één docent en geen planning na dit "
    "jaar.",
    NULL};

enum score_mood { GOOD, MIXED, POOR };

/* A reviewer on a review with nscores scores (0, 2 or 4): one statement on
 * PostgreSQL, two on SQLite. */
static int add_assignment(struct cat *c, int64_t review, int64_t reviewer, int64_t assigned,
                          int64_t completed, enum score_mood mood, size_t nscores)
{
	const struct db_param null = DBP_NULL;
	struct db_param s[3 * NCRIT];
	for (size_t i = 0; i < NCRIT; i++) {
		uint32_t x = rng_below(&c->rng, 10);
		int64_t sc = mood == GOOD    ? (x < 2   ? 3
		                                : x < 7 ? 4
		                                        : 5)
		             : mood == MIXED ? (x < 3   ? 2
		                                : x < 8 ? 3
		                                        : 4)
		                             : (x < 4   ? 1
		                                : x < 8 ? 2
		                                        : 3);
		int lvl = sc >= 4 ? 0 : sc == 3 ? 1 : 2;
		const char *cm = comments[i][lvl][rng_below(&c->rng, 2)];
		bool on = i < nscores;
		s[3 * i] = on ? (struct db_param)DBP_INT(c->criteria[i]) : null;
		s[3 * i + 1] = on ? (struct db_param)DBP_INT(sc) : null;
		s[3 * i + 2] = on ? (struct db_param)DBP_TEXT(cm) : null;
	}
	struct db_param p[5 + 3 * NCRIT + 1] = {
	    DBP_INT(review), DBP_INT(reviewer), DBP_INT(c->chair), DBP_INT(assigned),
	    completed ? (struct db_param)DBP_INT(completed) : null};
	if (c->pg) {
		memcpy(p + 5, s, sizeof s);
		p[5 + 3 * NCRIT] = (struct db_param)DBP_END;
		return db_exec(c->db, &stmt_dc_assign_pg, p, NULL);
	}
	p[5] = (struct db_param)DBP_END;
	int rc = db_exec(c->db, &stmt_dc_assign, p, NULL);
	if (rc || nscores == 0)
		return rc;
	struct db_param q[2 + 3 * NCRIT + 1] = {DBP_INT(review), DBP_INT(reviewer)};
	memcpy(q + 2, s, 3 * nscores * sizeof *s);
	q[2 + 3 * nscores] = (struct db_param)DBP_END;
	return db_exec(c->db, nscores == NCRIT ? &stmt_dc_scores4 : &stmt_dc_scores2, q, NULL);
}

/* One review of a version in the given state, with its assignments and scores.
 * Times come from t; reviewers are drawn so that none belongs to the owner. */
static int add_review(struct cat *c, const struct mod *m, int64_t module_id, int64_t version_id,
                      const char *state, bool rereview, const struct times *t)
{
	bool light = m->light;
	bool checked = !light && strcmp(state, "submitted") != 0;
	bool assigned = strcmp(state, "assigned") == 0 || strcmp(state, "recognised") == 0 ||
	                strcmp(state, "rejected") == 0;
	bool returned = strcmp(state, "returned") == 0;
	bool incomplete = returned && !light && rng_permille(&c->rng, 400);
	if (returned && !incomplete)
		assigned = true;
	if (strcmp(state, "withdrawn") == 0)
		checked = false;
	int64_t checker = c->checkers[rng_below(&c->rng, (uint32_t)c->ncheckers)];
	int64_t decider = 0, decided_at = 0;
	const char *reason = "";
	if (strcmp(state, "recognised") == 0 || strcmp(state, "rejected") == 0 ||
	    (returned && !incomplete)) {
		decider = c->chair;
		decided_at = t->decided;
	} else if (strcmp(state, "withdrawn") == 0 && m->author) {
		decider = m->author->person_id; /* review.c records who withdrew */
		decided_at = t->decided;
	} /* returned as incomplete: only checked_by and the reason, as review_check */
	if (incomplete)
		reason = pick(&c->rng, incomplete_reasons);
	else if (returned)
		reason = pick(&c->rng, returned_reasons);
	else if (strcmp(state, "rejected") == 0)
		reason = pick(&c->rng, rejected_reasons);
	const struct staff *sub = m->author;
	int64_t review = 0;
	struct db_param p[] = {
	    DBP_INT(module_id),
	    DBP_INT(version_id),
	    DBP_TEXT(state),
	    DBP_BOOL(light),
	    DBP_BOOL(rereview),
	    sub ? (struct db_param)DBP_INT(sub->person_id) : (struct db_param)DBP_NULL,
	    DBP_INT(t->submitted),
	    checked ? (struct db_param)DBP_INT(checker) : (struct db_param)DBP_NULL,
	    checked ? (struct db_param)DBP_INT(t->checked) : (struct db_param)DBP_NULL,
	    decider ? (struct db_param)DBP_INT(decider) : (struct db_param)DBP_NULL,
	    decided_at ? (struct db_param)DBP_INT(decided_at) : (struct db_param)DBP_NULL,
	    DBP_TEXT(reason),
	    DBP_END};
	int rc = db_query_row(c->db, &stmt_dc_review, p,
	                      (const struct db_col[]){DBC_INT(&review), DBC_END}, c->tmp);
	if (rc)
		return rc;
	c->res.reviews++;
	if (!assigned)
		return 0;
	size_t n = light ? 1 : strcmp(state, "rejected") == 0 && rng_permille(&c->rng, 300) ? 3 : 2;
	int64_t who[3];
	if (!pick_reviewers(c, m->owner->id, who, n))
		return CAMPUS_EINTERNAL;
	bool in_progress = strcmp(state, "assigned") == 0;
	enum score_mood mood = strcmp(state, "recognised") == 0 ? GOOD
	                       : strcmp(state, "rejected") == 0 ? POOR
	                       : returned                       ? MIXED
	                                  : (rng_permille(&c->rng, 700) ? GOOD : MIXED);
	for (size_t i = 0; !rc && i < n; i++) {
		/* in progress: the first reviewer is done, the next half-way or not started */
		bool done = !in_progress || (i == 0 && n > 1);
		bool half = in_progress && !done && rng_permille(&c->rng, 500);
		int64_t completed = t->assigned + (int64_t)rng_range(&c->rng, 2, 6) * DAY;
		if (completed > t->decided && !in_progress)
			completed = t->decided;
		if (completed > c->now)
			completed = c->now - 3600;
		rc = add_assignment(c, review, who[i], t->assigned, done ? completed : 0, mood,
		                    done   ? NCRIT
		                    : half ? 2
		                           : 0);
	}
	return rc;
}

static int64_t round5(int64_t tenths)
{
	int64_t r = (tenths + 2) / 5 * 5;
	return r < 5 ? 5 : r;
}

static struct vrec recognition(struct cat *c, const struct mod *m, int64_t load, int64_t at)
{
	struct vrec r = {.on = true, .at = at};
	r.load = rng_permille(&c->rng, 750)
	             ? load
	             : round5(load * (int64_t)rng_range(&c->rng, 70, 110) / 100);
	r.points = rng_permille(&c->rng, 700)
	               ? r.load
	               : round5(r.load * (int64_t)rng_range(&c->rng, 80, 100) / 100);
	r.until = at + (m->fmt == FMT_ELEARNING ? 2 * 365 : 365) * (int64_t)DAY;
	return r;
}

static int set_versions(struct cat *c, int64_t module_id, int64_t working, int64_t published,
                        int64_t recognised, int64_t updated)
{
	struct db_param p[] = {
	    DBP_INT(module_id),
	    DBP_INT(working),
	    published ? (struct db_param)DBP_INT(published) : (struct db_param)DBP_NULL,
	    recognised ? (struct db_param)DBP_INT(recognised) : (struct db_param)DBP_NULL,
	    DBP_INT(updated),
	    DBP_END};
	return db_exec(c->db, &stmt_dc_module_versions, p, NULL);
}

static int64_t days_ago(struct cat *c, uint32_t lo, uint32_t hi)
{
	return clampf(c, c->now - (int64_t)rng_range(&c->rng, lo, hi) * DAY -
	                     (int64_t)rng_below(&c->rng, DAY));
}

/* The module's versions and reviews as its plan says. */
static int write_module(struct cat *c, struct mod *m)
{
	const enum plan plan = m->plan;
	struct times t;
	int64_t last; /* the module's last change */
	struct vrec none = {0};
	/* time line first: everything else hangs off it */
	switch (plan) {
	case P_RECOGNISED:
	case P_REC_V2_REVIEW:
	case P_REC_V2_RETURNED:
		t = times_before(c, days_ago(c, 5, 330));
		break;
	case P_REC_REREVIEW:
		t = times_before(c, days_ago(c, 306, 340)); /* ends within 60 days */
		break;
	case P_EXPIRED:
		t = times_before(c, days_ago(c, 366, HISTORY_DAYS));
		break;
	case P_SUBMITTED:
		t = times_before(c, c->now);
		t.submitted = days_ago(c, 0, 14);
		break;
	case P_CHECKED:
		t = times_before(c, c->now);
		t.checked = days_ago(c, 0, 8);
		t.submitted = clampf(c, t.checked - (int64_t)rng_range(&c->rng, 1, 5) * DAY);
		break;
	case P_ASSIGNED:
		t = times_before(c, c->now + 20 * DAY);
		t.assigned = days_ago(c, 1, 20);
		t.checked = clampf(c, t.assigned - (int64_t)rng_range(&c->rng, 1, 5) * DAY);
		t.submitted = clampf(c, t.checked - (int64_t)rng_range(&c->rng, 1, 5) * DAY);
		break;
	case P_RETURNED:
	case P_REJECTED:
	case P_WITHDRAWN:
		t = times_before(c, days_ago(c, 3, 200));
		break;
	default:
		t = times_before(c, days_ago(c, 1, 300));
		break;
	}
	if (t.created > t.submitted)
		t.created = t.submitted;

	int64_t module_id = 0; /* the first insert_version() makes the module */
	int rc = 0;

	int64_t v1 = 0, v2 = 0, working, published = 0, recognised = 0;
	switch (plan) {
	case P_PUBLISHED:
	case P_DRAFT:
		last = t.created + (int64_t)rng_range(&c->rng, 0, 20) * DAY;
		if (last > c->now)
			last = c->now;
		rc = insert_version(c, m, &module_id, 1, "draft", &none, t.created, last, m->load,
		                    &v1);
		working = v1;
		published = plan == P_PUBLISHED ? v1 : 0;
		break;
	case P_SUBMITTED:
	case P_CHECKED:
	case P_ASSIGNED:
	case P_RETURNED:
	case P_REJECTED:
	case P_WITHDRAWN: {
		static const char *const vstate[P_COUNT] = {
		    [P_SUBMITTED] = "submitted", [P_CHECKED] = "submitted",
		    [P_ASSIGNED] = "in_review",  [P_RETURNED] = "returned",
		    [P_REJECTED] = "rejected",   [P_WITHDRAWN] = "draft"};
		static const char *const rstate[P_COUNT] = {
		    [P_SUBMITTED] = "submitted", [P_CHECKED] = "checked",
		    [P_ASSIGNED] = "assigned",   [P_RETURNED] = "returned",
		    [P_REJECTED] = "rejected",   [P_WITHDRAWN] = "withdrawn"};
		const char *rs = rstate[plan];
		const char *vs = vstate[plan];
		if (plan == P_CHECKED && m->light) { /* the light path has no completeness step */
			rs = "assigned";
			vs = "in_review";
		}
		last = plan == P_SUBMITTED  ? t.submitted
		       : plan == P_CHECKED  ? t.checked
		       : plan == P_ASSIGNED ? t.assigned
		                            : t.decided;
		rc = insert_version(c, m, &module_id, 1, vs, &none, t.created, last, m->load, &v1);
		if (!rc)
			rc = add_review(c, m, module_id, v1, rs, false, &t);
		working = v1;
		/* some owners publish before the committee has spoken (not recognised) */
		if (plan != P_REJECTED && rng_permille(&c->rng, 250))
			published = v1;
		break;
	}
	case P_RECOGNISED:
	case P_REC_REREVIEW:
	case P_EXPIRED: {
		bool history = plan == P_RECOGNISED && rng_permille(&c->rng, 150) &&
		               t.decided > c->floor + 150 * DAY;
		if (history) { /* v1 recognised before, superseded by v2 */
			struct times t1 = times_before(
			    c, t.submitted - (int64_t)rng_range(&c->rng, 20, 60) * DAY);
			int64_t load1 =
			    round5(m->load * (int64_t)rng_range(&c->rng, 70, 100) / 100);
			if (load1 < 10) /* at least an hour */
				load1 = 10;
			struct vrec r1 = recognition(c, m, load1, t1.decided);
			rc = insert_version(c, m, &module_id, 1, "superseded", &r1, t1.created,
			                    t.decided, load1, &v1);
			if (!rc)
				rc = add_review(c, m, module_id, v1, "recognised", false, &t1);
			if (rc)
				return rc;
		}
		struct vrec r = recognition(c, m, m->load, t.decided);
		const char *vs = plan == P_EXPIRED ? "expired" : "recognised";
		int64_t vid = 0;
		last = plan == P_EXPIRED ? r.until : t.decided;
		rc = insert_version(c, m, &module_id, history ? 2 : 1, vs, &r, t.created, last,
		                    m->load, &vid);
		if (!rc)
			rc = add_review(c, m, module_id, vid, "recognised", false, &t);
		working = vid;
		published = plan == P_EXPIRED && rng_permille(&c->rng, 400) ? 0 : vid;
		recognised = plan == P_EXPIRED ? 0 : vid;
		/* re-review: the recognition runs out within weeks (or already has) */
		if (!rc &&
		    (plan == P_REC_REREVIEW || (plan == P_EXPIRED && rng_permille(&c->rng, 350)))) {
			struct times rt = times_before(c, c->now + 30 * DAY);
			rt.assigned = days_ago(c, 1, 10);
			rt.checked = clampf(c, rt.assigned - 2 * DAY);
			rt.submitted =
			    clampf(c, rt.checked - (int64_t)rng_range(&c->rng, 1, 5) * DAY);
			uint32_t x = rng_below(&c->rng, 3);
			rc = add_review(c, m, module_id, vid,
			                x == 0                ? "submitted"
			                : x == 1 && !m->light ? "checked"
			                                      : "assigned",
			                true, &rt);
			last = rt.submitted > last ? rt.submitted : last;
		}
		break;
	}
	case P_REC_V2_REVIEW:
	case P_REC_V2_RETURNED: {
		struct vrec r = recognition(c, m, m->load, t.decided);
		rc = insert_version(c, m, &module_id, 1, "recognised", &r, t.created, t.decided,
		                    m->load, &v1);
		if (!rc)
			rc = add_review(c, m, module_id, v1, "recognised", false, &t);
		if (rc)
			return rc;
		/* a substantive change: new goals and load, back to the committee */
		int64_t load2 = round5(m->load * (int64_t)rng_range(&c->rng, 90, 140) / 100);
		if (load2 > 400) /* at most 40 hours, like the first */
			load2 = 400;
		buf_printf(
		    &c->desc,
		    "\n\n**Vernieuwd:** het programma is uitgebreid met een extra praktijkdeel "
		    "en de studielast is aangepast.");
		struct times t2 = times_before(c, c->now);
		const char *vs, *rs;
		if (plan == P_REC_V2_RETURNED) {
			t2 = times_before(c, days_ago(c, 2, 40));
			vs = "returned";
			rs = "returned";
			last = t2.decided;
		} else {
			uint32_t x = rng_below(&c->rng, 3);
			t2.assigned = days_ago(c, 1, 12);
			t2.checked =
			    clampf(c, t2.assigned - (int64_t)rng_range(&c->rng, 1, 3) * DAY);
			t2.submitted =
			    clampf(c, t2.checked - (int64_t)rng_range(&c->rng, 1, 4) * DAY);
			/* as review.c: the version is in review once reviewers are assigned */
			rs = x == 0 ? "submitted" : x == 1 && !m->light ? "checked" : "assigned";
			vs = strcmp(rs, "assigned") == 0 ? "in_review" : "submitted";
			last = x == 0 ? t2.submitted : x == 1 ? t2.checked : t2.assigned;
		}
		if (t2.submitted < t.decided) /* the change came after the recognition */
			t2.submitted = t.decided + DAY;
		if (t2.checked < t2.submitted)
			t2.checked = t2.submitted;
		if (t2.assigned < t2.checked)
			t2.assigned = t2.checked;
		if (t2.decided < t2.assigned)
			t2.decided = t2.assigned;
		if (last < t2.submitted)
			last = t2.submitted;
		if (last > c->now)
			last = c->now;
		rc = insert_version(c, m, &module_id, 2, vs, &none, t2.submitted - DAY, last, load2,
		                    &v2);
		if (!rc)
			rc = add_review(c, m, module_id, v2, rs, false, &t2);
		working = v2;
		published = recognised = v1;
		break;
	}
	default:
		return CAMPUS_EINTERNAL;
	}
	if (last > c->now)
		last = c->now;
	if (last < t.created)
		last = t.created;
	if (!rc)
		rc = set_versions(c, module_id, working, published, recognised, last);
	return rc;
}

/* ---- planning ------------------------------------------------------------------------------ */

static enum plan draw_plan(struct cat *c, const unsigned *table)
{
	uint32_t x = rng_below(&c->rng, 1000);
	for (int p = 0; p < P_COUNT; p++) {
		if (x < table[p])
			return (enum plan)p;
		x -= table[p];
	}
	return P_PUBLISHED;
}

static const struct comp *comp_by_slug(const struct cat *c, const char *slug)
{
	for (size_t i = 0; i < c->ncomps; i++)
		if (strcmp(c->comps[i].t->slug, slug) == 0)
			return &c->comps[i];
	return NULL;
}

static const struct comp *draw_comp(struct cat *c, const struct profile *prof)
{
	if (prof && prof->focus[0] && rng_permille(&c->rng, 650)) {
		const struct comp *k = comp_by_slug(c, pick(&c->rng, prof->focus));
		if (k)
			return k;
	}
	return &c->comps[rng_below(&c->rng, (uint32_t)c->ncomps)];
}

/* Another competency of the same role, sometimes. */
static const struct comp *draw_comp2(struct cat *c, const struct comp *k)
{
	if (!rng_permille(&c->rng, 200))
		return NULL;
	const struct comp *same[32];
	size_t n = 0;
	for (size_t i = 0; i < c->ncomps && n < 32; i++)
		if (c->comps[i].role_id == k->role_id && c->comps[i].id != k->id)
			same[n++] = &c->comps[i];
	return n ? same[rng_below(&c->rng, (uint32_t)n)] : NULL;
}

static int draw_format(struct cat *c, const struct profile *prof)
{
	unsigned total = 0;
	for (int i = 0; i < FMT_N; i++)
		total += prof->formats[i];
	uint32_t x = rng_below(&c->rng, total);
	for (int i = 0; i < FMT_N; i++) {
		if (x < prof->formats[i])
			return i;
		x -= prof->formats[i];
	}
	return FMT_CLASSROOM;
}

static int64_t draw_load(struct cat *c, int fmt)
{
	static const uint32_t lo[FMT_N] = {30, 15, 10, 80}, hi[FMT_N] = {240, 120, 80, 400};
	int64_t v = rng_range(&c->rng, lo[fmt], hi[fmt]);
	return rng_permille(&c->rng, 800) ? round5(v) : v; /* mostly whole and half hours */
}

static const char *draw_audience(struct cat *c, enum demo_audience_bias bias)
{
	static const unsigned w[3][3] = {{750, 30, 220}, {400, 150, 450}, {100, 500, 400}};
	uint32_t x = rng_below(&c->rng, 1000);
	const unsigned *p = w[bias];
	return x < p[0] ? "employees" : x < p[0] + p[1] ? "volunteers" : "both";
}

static const struct org *random_library(struct cat *c)
{
	for (int tries = 0; tries < 1000; tries++) {
		const struct org *o = &c->orgs[rng_below(&c->rng, (uint32_t)c->norgs)];
		if (strcmp(o->kind, "library") == 0)
			return o;
	}
	return NULL;
}

static const struct staff *draw_staff(struct cat *c, const struct org *o)
{
	if (!o->nstaff)
		return NULL;
	return &c->staff[o->staff0 + rng_below(&c->rng, (uint32_t)o->nstaff)];
}

/* Everything about one module but its versions and reviews. */
static int plan_module(struct cat *c, struct mod *m, const struct org *owner, bool local)
{
	const struct profile *prof = local ? &default_profile : owner->prof;
	memset(m, 0, sizeof *m);
	m->owner = owner;
	m->local = local;
	m->light = prof->trusted;
	m->plan = draw_plan(c, local ? plan_local : plan_national);
	m->comp = draw_comp(c, local ? NULL : prof);
	m->comp2 = draw_comp2(c, m->comp);
	m->fmt = local ? (rng_permille(&c->rng, 800) ? FMT_CLASSROOM : FMT_BLENDED)
	               : draw_format(c, prof);
	/* e-learning is recognised for two years: not expired nor due yet */
	if ((m->plan == P_EXPIRED || m->plan == P_REC_REREVIEW) && m->fmt == FMT_ELEARNING)
		m->fmt = FMT_ONLINE_LIVE;
	m->en = !local && rng_permille(&c->rng, prof->en_permille);
	uint32_t lv = rng_below(&c->rng, 100);
	m->level = lv < 5 ? -1 : lv < 55 ? 0 : lv < 88 ? 1 : 2;
	m->load = draw_load(c, m->fmt);
	if (local || rng_permille(&c->rng, prof->free_permille)) {
		m->price = 0;
		m->vat = "crkbo";
	} else {
		int64_t hours = (m->load + 5) / 10;
		int64_t euro =
		    m->fmt == FMT_ELEARNING ? 45 + hours * 12 : 45 + hours * prof->euro_per_hour;
		euro = (euro + 2) / 5 * 5;
		if (euro > 1250)
			euro = 1250;
		m->price = euro * 100;
		m->vat = rng_permille(&c->rng, prof->vat21_permille) ? "21" : "crkbo";
	}
	m->audience = draw_audience(c, m->comp->t->bias);
	m->place = "";
	m->province = "";
	if (m->fmt == FMT_CLASSROOM || m->fmt == FMT_BLENDED) {
		const struct org *at = owner;
		if (local || !*owner->place || rng_permille(&c->rng, 450))
			at = local ? owner : random_library(c); /* in company, at a library */
		if (at) {
			m->place = at->place;
			m->province = at->province;
		}
	}
	m->prerequisites = m->level == 2 && rng_permille(&c->rng, 400)
	                       ? "Je hebt minstens twee jaar werkervaring in een bibliotheek."
	                       : "";
	m->author = draw_staff(c, owner);
	m->contact = draw_staff(c, owner);

	/* a title nobody else has, when a few draws can find one */
	const char *qualifier = "";
	for (int tries = 0; tries < 8; tries++) {
		make_title(c, m->comp, m->fmt, m->en, &m->subject, &qualifier);
		if (local && !m->en && rng_permille(&c->rng, 400))
			buf_printf(&c->title, " bij %s", owner->name);
		if (c->title.overflow)
			return CAMPUS_ENOMEM;
		if (title_claim(c, buf_cstr(&c->title)))
			break;
	}
	if (strstr(qualifier, "vrijwilligers") && strcmp(m->audience, "employees") == 0)
		m->audience = "both";
	make_texts(c, m, m->subject);
	if (c->summary.overflow || c->desc.overflow || c->goals.overflow)
		return CAMPUS_ENOMEM;
	return 0;
}

static int build(struct cat *c)
{
	int rc = load(c);
	if (rc)
		return rc;
	c->titles_cap = 8192;
	c->titles = arena_zalloc(c->tmp, c->titles_cap * sizeof *c->titles);
	if (!c->titles)
		return CAMPUS_ENOMEM;

	/* the providers' share of the national modules, in proportion to their weight */
	const struct org *prov[64];
	size_t nprov = 0;
	unsigned wsum = 0;
	for (size_t i = 0; i < c->norgs && nprov < 64; i++)
		if (c->orgs[i].prof) {
			prov[nprov++] = &c->orgs[i];
			wsum += c->orgs[i].prof->weight;
		}
	if (!nprov)
		return CAMPUS_EINTERNAL;
	unsigned given = 0;
	struct mod m;
	for (size_t p = 0; !rc && p < nprov; p++) {
		unsigned n = p + 1 == nprov ? DEMO_NATIONAL_MODULES - given
		                            : DEMO_NATIONAL_MODULES * prov[p]->prof->weight / wsum;
		given += n;
		for (unsigned i = 0; !rc && i < n; i++) {
			rc = plan_module(c, &m, prov[p], false);
			if (!rc)
				rc = write_module(c, &m);
		}
	}

	/* two providers are trusted as a whole: their submissions take the light path */
	for (size_t p = 0; !rc && p < nprov; p++)
		if (prov[p]->prof->trusted) {
			int64_t since = c->now - (int64_t)rng_range(&c->rng, 120, 300) * DAY;
			rc = db_exec(
			    c->db, &stmt_dc_trusted,
			    (const struct db_param[]){DBP_INT(prov[p]->id), DBP_INT(since),
			                              DBP_INT(since + 3 * 365 * (int64_t)DAY),
			                              DBP_INT(c->chair), DBP_END},
			    NULL);
		}

	/* local modules: 40 libraries with a manager, 1-5 each */
	size_t *libs = arena_alloc(c->tmp, c->norgs * sizeof *libs);
	if (!libs)
		return CAMPUS_ENOMEM;
	size_t nlibs = 0;
	for (size_t i = 0; i < c->norgs; i++)
		if (strcmp(c->orgs[i].kind, "library") == 0 && c->orgs[i].nstaff)
			libs[nlibs++] = i;
	for (size_t i = 0; i + 1 < nlibs; i++) {
		size_t j = i + rng_below(&c->rng, (uint32_t)(nlibs - i));
		size_t x = libs[i];
		libs[i] = libs[j];
		libs[j] = x;
	}
	for (size_t i = 0; !rc && i < nlibs && i < DEMO_LOCAL_LIBRARIES; i++) {
		unsigned n = rng_range(&c->rng, 1, 5);
		for (unsigned k = 0; !rc && k < n; k++) {
			rc = plan_module(c, &m, &c->orgs[libs[i]], true);
			if (!rc)
				rc = write_module(c, &m);
		}
	}
	return rc;
}

int demo_catalog_build(struct ctx *ctx, struct db_conn *db, struct arena *tmp, unsigned long seed,
                       int64_t now, struct demo_catalog_result *out)
{
	struct cat *c = arena_zalloc(tmp, sizeof *c);
	if (!c)
		return CAMPUS_ENOMEM;
	c->ctx = ctx;
	c->db = db;
	c->tmp = tmp;
	c->pg = db_dialect(db) == DB_POSTGRES;
	c->now = now;
	c->floor = now - HISTORY_DAYS * (int64_t)DAY;
	c->rng.s = 0x436174616c6f6721ULL ^ (uint64_t)seed; /* "Catalog!" */
	buf_init(&c->title, NULL, TEXT_MAX);
	buf_init(&c->summary, NULL, TEXT_MAX);
	buf_init(&c->desc, NULL, TEXT_MAX);
	buf_init(&c->goals, NULL, TEXT_MAX);
	int rc = build(c);
	buf_fini(&c->title);
	buf_fini(&c->summary);
	buf_fini(&c->desc);
	buf_fini(&c->goals);
	if (!rc && out)
		*out = c->res;
	return rc;
}

/* The demo's modules into the search index (catalog_search_reindex_all:
 * each module in its own write transaction, as for any bulk load). */
int demo_catalog_index_all(struct ctx *ctx)
{
	return catalog_search_reindex_all(ctx);
}
