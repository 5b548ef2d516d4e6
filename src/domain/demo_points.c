/* The demo's points history: see demo_points.h and docs/internals/demo.md.
 *
 * Everything goes through progress_record_completion(), so the demo's ledger
 * is what the real path writes. To give each row a believable registration
 * time, the calls run with a clock of their own (demo_clock) that is set
 * per row: a provider registers results a few days after the edition ends,
 * a manager's approval is registered when it was decided. */
#include "domain/demo_points.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/diploma.h"
#include "domain/jobs.h"
#include "domain/norm.h"
#include "domain/progress.h"

#define DAY 86400
#define HOUR 3600
#define YEARS 3            /* this year and the two before */
#define ARENA_RESET 2000   /* calls between resets of the scratch arena */
#define UTRECHT "bibliotheek-utrecht"
#define EMPLOYEE_LOGIN "medewerker@bibliotheek-utrecht.demo"
#define VOLUNTEER_LOGIN "vrijwilliger@bibliotheek-utrecht.demo"
#define MANAGER_LOGIN "manager@bibliotheek-utrecht.demo"

/* SQLite: as in demo_enrol.c, a big page cache while the rows go in. */
DB_STMT2(stmt_dp_cache_big, "SELECT 1", "PRAGMA cache_size = -131072");
DB_STMT2(stmt_dp_cache_default, "SELECT 1", "PRAGMA cache_size = -2000");

DB_STMT(stmt_dp_recognitions,
        "SELECT module_id, id, recognised_at FROM module_versions WHERE recognised_at IS NOT NULL"
        " ORDER BY module_id, recognised_at, id");
/* The recognition a module had in the register before Campus: a copy of its
 * first recognised version, number 0, superseded by it. */
/* Modules the employee and volunteer log-ins completed: their history is
 * never left out, so their dossiers show points. */
DB_STMT(stmt_dp_login_modules,
        "SELECT DISTINCT ed.module_id FROM enrolments e JOIN editions ed ON ed.id = e.edition_id"
        " JOIN people p ON p.id = e.person_id WHERE e.state = 'completed' AND p.email IN ($1, $2)"
        " ORDER BY ed.module_id");
DB_STMT(stmt_dp_history_insert,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals,"
        " level, format, load_tenths, language, price_cents, vat, prerequisites, audience, place,"
        " province, contact_name, contact_email, points_tenths, recognised_load_tenths,"
        " recognised_at, valid_until, created_by, created_at, updated_at)"
        " SELECT module_id, 0, 'superseded', title, summary, description, goals, level, format,"
        " load_tenths, language, price_cents, vat, prerequisites, audience, place, province,"
        " contact_name, contact_email, points_tenths, recognised_load_tenths, $2, $3, NULL, $4, $3"
        " FROM module_versions WHERE id = $1 RETURNING id");
DB_STMT(stmt_dp_history_tags,
        "INSERT INTO module_version_tags (version_id, kind, tag_id)"
        " SELECT $2, kind, tag_id FROM module_version_tags WHERE version_id = $1");

DB_STMT(stmt_dp_completed,
        "SELECT e.id, e.person_id, COALESCE(e.org_id, 0), e.edition_id, ed.module_id, e.grade,"
        " ed.always_open,"
        " COALESCE(CASE WHEN ed.always_open THEN (SELECT MAX(x.at) FROM enrolment_events x"
        " WHERE x.enrolment_id = e.id AND x.to_state = 'completed') ELSE ed.ends_at END,"
        " e.updated_at) AS done"
        " FROM enrolments e JOIN editions ed ON ed.id = e.edition_id"
        " WHERE e.state = 'completed' ORDER BY done, e.id");

DB_STMT(stmt_dp_members,
        "SELECT m.person_id, m.org_id, m.kind = 'employee', m.roles, m.started_at, p.email, o.slug"
        " FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " JOIN people p ON p.id = m.person_id"
        " WHERE o.kind = 'library' AND m.kind IN ('employee', 'volunteer') ORDER BY m.id");
DB_STMT(stmt_dp_role_people,
        "SELECT DISTINCT person_id FROM memberships WHERE (roles & $1) <> 0 ORDER BY person_id");
DB_STMT(stmt_dp_first_admin,
        "SELECT MIN(person_id) FROM memberships WHERE (roles & 32) <> 0");
DB_STMT(stmt_dp_campus, "SELECT id FROM organisations WHERE kind = 'campus' ORDER BY id LIMIT 1");
DB_STMT(stmt_dp_domains,
        "SELECT id FROM tax_domains WHERE retired_at IS NULL ORDER BY position, id");

DB_STMT(stmt_dp_norm_insert,
        "INSERT INTO pe_norms (org_id, year, member_kind, points_tenths, study_max_tenths,"
        " mandatory, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7)");

DB_STMT(stmt_dp_claim_insert,
        "INSERT INTO learning_claims (person_id, org_id, kind, title, provider_name, description,"
        " hours_tenths, domain_id, learned_at, state, points_tenths, decided_by, decided_at,"
        " reason, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        " RETURNING id");
DB_STMT(stmt_dp_claim_file,
        "INSERT INTO learning_claim_files (claim_id, name, content_type, size, data, created_at)"
        " VALUES ($1, $2, 'application/pdf', $3, $4, $5)");

DB_STMT(stmt_dp_reversible,
        "SELECT l.id, l.earned_at FROM points_ledger l WHERE l.reverses_id IS NULL"
        " AND l.module_id IS NOT NULL AND l.source = 'demo'"
        " AND NOT EXISTS (SELECT 1 FROM points_ledger r WHERE r.reverses_id = l.id) ORDER BY l.id");

/* ---- the clock the recording runs with ---------------------------------------- */

static _Thread_local int64_t demo_clock;

static int64_t demo_now(void)
{
	return demo_clock;
}

/* ---- deterministic random numbers (splitmix64, as the rest of the demo) -------- */

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

static int64_t rng_span(struct rng *r, int64_t lo, int64_t hi) /* lo..hi */
{
	return lo + (int64_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_permille(struct rng *r, unsigned p)
{
	return rng_below(r, 1000) < p;
}

/* ---- the generator ------------------------------------------------------------- */

struct member {
	int64_t person, org;
	bool employee;
	int64_t roles, started;
	const char *email, *slug;
};

struct gen {
	struct ctx *ctx; /* the caller's */
	struct ctx rec;  /* for the recording: demo_clock, scratch arena, actor per row */
	struct db_conn *db;
	struct arena *tmp, *scratch;
	struct rng rng;
	int64_t now;
	int year; /* this Amsterdam year */
	int64_t campus, admin;
	struct member *members;
	size_t nmembers;
	int64_t *committee;
	size_t ncommittee;
	int64_t *domains;
	size_t ndomains;
	unsigned calls;
	struct demo_points_result *out;
};

static int year_of(int64_t t)
{
	struct when_local l;
	when_to_local(t, &l);
	return l.year;
}

static int64_t local_instant(int year, int month, int day, int hour)
{
	int64_t t = 0;
	if (!when_from_local(year, month, day, hour, 0, &t))
		when_from_local(year, month, 28, hour, 0, &t);
	return t;
}

/* A day in year y between 15 January and 15 December at 'hour', never later
 * than 'latest' (then a day between the start and latest). */
static int64_t day_in_year(struct gen *g, int y, int hour, int64_t latest)
{
	int64_t from = local_instant(y, 1, 15, hour), to = local_instant(y, 12, 15, hour);
	if (to > latest)
		to = latest;
	if (to <= from)
		return from < latest ? from : latest - DAY;
	return from + (int64_t)rng_below(&g->rng, (uint32_t)((to - from) / DAY + 1)) * DAY;
}

static void scratch_tick(struct gen *g)
{
	if (++g->calls % ARENA_RESET == 0)
		arena_reset(g->scratch);
}

/* Records one piece of evidence as registered at 'at' by 'actor' (0: the system). */
static int record(struct gen *g, const struct completion_in *in, int64_t at, int64_t actor,
                  int64_t actor_org, unsigned roles, struct completion_out *res)
{
	demo_clock = at > g->now ? g->now : at;
	g->rec.actor = (struct actor){.person_id = actor, .org_id = actor_org, .roles = roles,
	                              .flags = actor ? 0 : ACTOR_SYSTEM};
	const char *why = NULL;
	scratch_tick(g);
	int rc = progress_record_completion(&g->rec, in, res, &why);
	if (rc == CAMPUS_EINVAL || rc == CAMPUS_ENOTFOUND) /* the demo asked something wrong */
		return CAMPUS_EINTERNAL;
	if (rc)
		return rc;
	if (res->certificate_id)
		g->out->certificates++;
	return 0;
}

/* ---- recognitions before Campus --------------------------------------------------- */

struct recog {
	int64_t module, version, at;
};

/* Campus is 400 days old; the sector's register is older. Most recognised
 * modules were recognised there for years before (a copy of the first Campus
 * recognition as version 0, valid until the day before it), so completions
 * of the past three years earn points; some only since a year or two, and
 * modules that Campus never recognised have none. */
static int recognition_history(struct gen *g)
{
	struct recog cur;
	struct db_rows rows = {.arena = g->tmp, .size = sizeof cur, .cur = &cur};
	int rc = db_query(g->db, &stmt_dp_recognitions, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.module), DBC_INT(&cur.version),
	                                          DBC_INT(&cur.at), DBC_END},
	                  g->tmp, db_rows_collect, &rows);
	int64_t mod;
	struct db_rows logins = {.arena = g->tmp, .size = sizeof mod, .cur = &mod};
	if (!rc)
		rc = db_query(g->db, &stmt_dp_login_modules,
		              (const struct db_param[]){DBP_TEXT(EMPLOYEE_LOGIN), DBP_TEXT(VOLUNTEER_LOGIN),
		                                        DBP_END},
		              (const struct db_col[]){DBC_INT(&mod), DBC_END}, g->tmp, db_rows_collect,
		              &logins);
	const struct recog *r = rows.data;
	const int64_t *lm = logins.data;
	for (size_t i = 0; !rc && i < rows.n; i++) {
		if (i > 0 && r[i - 1].module == r[i].module)
			continue; /* only the first recognition of each module */
		uint32_t x = rng_below(&g->rng, 1000);
		for (size_t k = 0; k < logins.n; k++)
			if (lm[k] == r[i].module && x < 280)
				x = 280 + x;
		if (x < 120)
			continue;
		int64_t start = g->now - (x < 280 ? rng_span(&g->rng, 420, 1000)
		                                  : rng_span(&g->rng, 3 * 365 + 10, 4 * 365)) *
		                             DAY;
		int64_t until = r[i].at - 1;
		if (start >= until - 30 * DAY)
			continue;
		int64_t id = 0;
		rc = db_query_row(g->db, &stmt_dp_history_insert,
		                  (const struct db_param[]){DBP_INT(r[i].version), DBP_INT(start),
		                                            DBP_INT(until), DBP_INT(start - 45 * DAY),
		                                            DBP_END},
		                  (const struct db_col[]){DBC_INT(&id), DBC_END}, g->tmp);
		if (!rc)
			rc = db_exec(g->db, &stmt_dp_history_tags,
			             (const struct db_param[]){DBP_INT(r[i].version), DBP_INT(id), DBP_END},
			             NULL);
		if (!rc)
			g->out->history_versions++;
	}
	return rc;
}

/* ---- completed enrolments ------------------------------------------------------------ */

struct done {
	int64_t enrolment, person, org, edition, module;
	const char *grade;
	bool open;
	int64_t at;
};

static int completions(struct gen *g)
{
	struct done cur;
	struct db_rows rows = {.arena = g->tmp, .size = sizeof cur, .cur = &cur};
	int rc = db_query(g->db, &stmt_dp_completed, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.enrolment), DBC_INT(&cur.person),
	                                          DBC_INT(&cur.org), DBC_INT(&cur.edition),
	                                          DBC_INT(&cur.module), DBC_TEXT(&cur.grade),
	                                          DBC_BOOL(&cur.open), DBC_INT(&cur.at), DBC_END},
	                  g->tmp, db_rows_collect, &rows);
	const struct done *d = rows.data;
	for (size_t i = 0; !rc && i < rows.n; i++) {
		if (d[i].at > g->now)
			continue;
		/* e-learning reports itself within minutes; a provider enters results
		 * within a week of the last meeting */
		int64_t at = d[i].at + (d[i].open ? rng_span(&g->rng, 10, 900)
		                                  : rng_span(&g->rng, 2 * HOUR, 6 * DAY));
		struct completion_in in = {
		    .person_id = d[i].person,
		    .module_id = d[i].module,
		    .edition_id = d[i].edition,
		    .enrolment_id = d[i].enrolment,
		    .org_id = d[i].org,
		    .source = EVIDENCE_DEMO,
		    .completed_at = d[i].at,
		    .grade = *d[i].grade ? d[i].grade : NULL,
		};
		struct completion_out res;
		rc = record(g, &in, at, 0, 0, 0, &res);
		if (!rc) {
			g->out->completions++;
			if (res.ledger_id)
				g->out->with_points++;
		}
	}
	return rc;
}

/* ---- the PE norm ----------------------------------------------------------------------- */

/* The sector's advised norm (12 points a year for employees, 4 for
 * volunteers) for each of the three years, and a higher one of its own at
 * Utrecht and a few other libraries for this year and last. */
static int norms(struct gen *g)
{
	int rc = 0;
	for (int y = g->year - YEARS + 1; !rc && y <= g->year; y++) {
		int64_t at = local_instant(y - 1, 12, 10, 10);
		rc = db_exec(g->db, &stmt_dp_norm_insert,
		             (const struct db_param[]){DBP_INT(g->campus), DBP_INT(y), DBP_TEXT("employee"),
		                                       DBP_INT(120), DBP_INT(40), DBP_INT(g->admin),
		                                       DBP_INT(at), DBP_END},
		             NULL);
		if (!rc)
			rc = db_exec(g->db, &stmt_dp_norm_insert,
			             (const struct db_param[]){DBP_INT(g->campus), DBP_INT(y),
			                                       DBP_TEXT("volunteer"), DBP_INT(40),
			                                       DBP_INT(20), DBP_INT(g->admin), DBP_INT(at),
			                                       DBP_END},
			             NULL);
		if (!rc)
			g->out->norms += 2;
	}
	/* the first manager of each library, in membership order */
	int64_t last_org = 0;
	for (size_t i = 0; !rc && i < g->nmembers; i++) {
		const struct member *m = &g->members[i];
		if (!(m->roles & ROLE_MANAGER) || m->org == last_org)
			continue;
		last_org = m->org;
		bool utrecht = strcmp(m->slug, UTRECHT) == 0;
		if (!utrecht && !rng_permille(&g->rng, 70))
			continue;
		int64_t emp = utrecht ? 160 : 150 + 10 * rng_span(&g->rng, 0, 5);
		int64_t vol = utrecht ? 60 : rng_permille(&g->rng, 500) ? 40 : 60;
		for (int y = g->year - 1; !rc && y <= g->year; y++) {
			int64_t at = local_instant(y, 1, 20, 11);
			if (at > g->now)
				at = g->now;
			rc = db_exec(g->db, &stmt_dp_norm_insert,
			             (const struct db_param[]){DBP_INT(m->org), DBP_INT(y),
			                                       DBP_TEXT("employee"), DBP_INT(emp),
			                                       DBP_INT(60), DBP_INT(m->person),
			                                       DBP_INT(at), DBP_END},
			             NULL);
			if (!rc)
				rc = db_exec(g->db, &stmt_dp_norm_insert,
				             (const struct db_param[]){DBP_INT(m->org), DBP_INT(y),
				                                       DBP_TEXT("volunteer"), DBP_INT(vol),
				                                       DBP_INT(20), DBP_INT(m->person),
				                                       DBP_INT(at), DBP_END},
				             NULL);
			if (!rc)
				g->out->norms += 2;
		}
	}
	return rc;
}

/* ---- claims: self-reported learning and EVC ------------------------------------------------ */

static const struct ext {
	const char *title, *provider;
	int64_t hours_lo, hours_hi; /* tenths */
} externals[] = {
    {"Cursus Nederlandse Gebarentaal 1", "Gebarencentrum", 200, 400},
    {"Workshop Canva voor sociale media", "Online Academie", 30, 60},
    {"Nederlands Bibliotheek Congres", "KB en VOB", 60, 80},
    {"Webinar AI en auteursrecht", "KNVI", 10, 20},
    {"Herhaling BHV en EHBO", "Rode Kruis", 40, 80},
    {"Training Omgaan met agressie aan de balie", "Veiligheidstraining Nederland", 60, 80},
    {"Masterclass Jeugdliteratuur", "Stichting Lezen", 60, 120},
    {"Studiedag Laaggeletterdheid herkennen", "Stichting Lezen & Schrijven", 40, 60},
    {"Cursus Projectmatig werken", "NTI", 120, 240},
    {"Leergang Mediacoach", "Mediawijsheid Academie", 160, 320},
    {"Taalcoach-training", "Het Begint met Taal", 60, 120},
    {"Cursus Digisterker voor docenten", "Stichting Digisterker", 40, 80},
    {"Congres Leesbevordering in de wijk", "Kunst van Lezen", 50, 70},
    {"E-learning Privacy en AVG in de praktijk", "LOI", 20, 40},
    {"Voorlezen aan peuters", "BoekStart", 30, 60},
};
#define NEXTERNALS (sizeof externals / sizeof externals[0])

static const char *const evc_titles[] = {
    "EVC Informatiedienstverlener (mbo 4)",
    "EVC Medewerker informatiedienstverlening (mbo 3)",
    "Ervaringscertificaat Leesbevordering en educatie",
    "EVC Mediacoach",
    "Ervaringscertificaat Klantcontact en dienstverlening",
};
#define NEVC (sizeof evc_titles / sizeof evc_titles[0])

static const char *const refusals[] = {
    "Er zit geen bewijs van deelname bij; lever het certificaat aan en meld het opnieuw.",
    "Deze scholing heeft geen verband met je werk in de bibliotheek.",
    "Deze cursus staat al als module in Campus en is daar al geregistreerd.",
    "Het bewijsstuk is niet leesbaar; stuur een scan van het certificaat.",
};
static const char *const evc_refusals[] = {
    "Het portfolio laat de competenties van het domein onvoldoende zien.",
    "De werkervaring is te kort voor erkenning; kom over een jaar terug.",
    "De verklaring van de werkgever ontbreekt.",
};

/* A small valid PDF: the evidence file of a claim. */
static const char evidence_pdf[] =
    "%PDF-1.4\n"
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    "/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    "4 0 obj<</Length 52>>stream\n"
    "BT /F1 18 Tf 72 760 Td (Bewijs van deelname) Tj ET\n"
    "endstream endobj\n"
    "5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    "trailer<</Root 1 0 R>>\n"
    "%%EOF\n";

enum claim_state { C_OPEN, C_APPROVED, C_REFUSED, C_WITHDRAWN };
static const char *const claim_states[] = {"submitted", "approved", "refused", "withdrawn"};

struct claim {
	const struct member *m;
	bool evc;
	const char *title, *provider;
	int64_t hours, learned, created;
	enum claim_state state;
	int64_t decided, decider, points, domain;
	const char *reason;
};

/* A manager of m's library other than m (0: none). */
static int64_t decider_for(const struct gen *g, const struct member *m)
{
	for (size_t i = 0; i < g->nmembers; i++) {
		const struct member *x = &g->members[i];
		if (x->org == m->org && (x->roles & ROLE_MANAGER) && x->person != m->person)
			return x->person;
	}
	return 0;
}

static int write_claim(struct gen *g, struct claim *c)
{
	if (c->state == C_APPROVED || c->state == C_REFUSED) {
		c->decider = c->evc ? g->committee[rng_below(&g->rng, (uint32_t)g->ncommittee)]
		                    : decider_for(g, c->m);
		if (!c->decider)
			c->state = C_OPEN;
	}
	bool decided = c->state == C_APPROVED || c->state == C_REFUSED;
	if (c->state == C_REFUSED && !c->reason)
		c->reason = c->evc ? evc_refusals[rng_below(&g->rng, sizeof evc_refusals /
		                                                         sizeof evc_refusals[0])]
		                   : refusals[rng_below(&g->rng, sizeof refusals / sizeof refusals[0])];
	if (c->state == C_APPROVED && !c->points) {
		int64_t p = c->evc ? rng_span(&g->rng, 8, 30) * 5 : (c->hours + 5) / 10 * 10;
		c->points = p < 5 ? 5 : p;
	}
	if (!c->domain && g->ndomains && rng_permille(&g->rng, 800))
		c->domain = g->domains[rng_below(&g->rng, (uint32_t)g->ndomains)];
	int64_t updated = decided ? c->decided : c->state == C_WITHDRAWN ? c->decided : c->created;
	const char *desc = c->evc ? "Portfolio met werkervaring, verklaring van de werkgever en"
	                            " een reflectieverslag."
	                          : "Bewijs van deelname bijgevoegd.";
	int64_t id = 0;
	int rc = db_query_row(
	    g->db, &stmt_dp_claim_insert,
	    (const struct db_param[]){
	        DBP_INT(c->m->person), DBP_INT(c->m->org), DBP_TEXT(c->evc ? "evc" : "external"),
	        DBP_TEXT(c->title), DBP_TEXT(c->provider), DBP_TEXT(desc), DBP_INT(c->hours),
	        c->domain ? (struct db_param)DBP_INT(c->domain) : (struct db_param)DBP_NULL,
	        DBP_INT(c->learned), DBP_TEXT(claim_states[c->state]),
	        c->state == C_APPROVED ? (struct db_param)DBP_INT(c->points)
	                               : (struct db_param)DBP_NULL,
	        decided ? (struct db_param)DBP_INT(c->decider) : (struct db_param)DBP_NULL,
	        decided ? (struct db_param)DBP_INT(c->decided) : (struct db_param)DBP_NULL,
	        DBP_TEXT(c->state == C_REFUSED ? c->reason : ""), DBP_INT(c->created),
	        DBP_INT(updated), DBP_END},
	    (const struct db_col[]){DBC_INT(&id), DBC_END}, g->tmp);
	if (!rc && c->state != C_WITHDRAWN)
		rc = db_exec(g->db, &stmt_dp_claim_file,
		             (const struct db_param[]){
		                 DBP_INT(id), DBP_TEXT(c->evc ? "portfolio.pdf" : "certificaat.pdf"),
		                 DBP_INT(sizeof evidence_pdf - 1),
		                 DBP_BLOB(evidence_pdf, sizeof evidence_pdf - 1), DBP_INT(c->created),
		                 DBP_END},
		             NULL);
	if (rc)
		return rc;
	if (c->evc) {
		g->out->evc++;
		g->out->evc_open += c->state == C_OPEN;
	} else {
		g->out->claims++;
		g->out->claims_open += c->state == C_OPEN;
	}
	if (c->state != C_APPROVED)
		return 0;
	struct completion_in in = {
	    .person_id = c->m->person,
	    .claim_id = id,
	    .title = c->title,
	    .provider_name = c->provider,
	    .points_tenths = c->points,
	    .kind = c->evc ? POINTS_PE : POINTS_STUDY,
	    .domains = c->domain ? &c->domain : NULL,
	    .ndomains = c->domain ? 1 : 0,
	    .org_id = c->m->org,
	    .source = c->evc ? EVIDENCE_EVC : EVIDENCE_SELF_REPORT,
	    .completed_at = c->learned,
	};
	struct completion_out res;
	return record(g, &in, c->decided, c->decider, c->evc ? g->campus : c->m->org,
	              c->evc ? ROLE_COMMITTEE : ROLE_MANAGER, &res);
}

/* A claim of m learned at 'learned'; its state follows from the time gone by. */
static struct claim draw_claim(struct gen *g, const struct member *m, bool evc, int64_t learned)
{
	struct claim c = {.m = m, .evc = evc, .learned = learned};
	if (evc) {
		c.title = evc_titles[rng_below(&g->rng, NEVC)];
		c.provider = "EVC-centrum Bibliotheekwerk";
		c.hours = rng_span(&g->rng, 20, 120) * 10;
	} else {
		const struct ext *e = &externals[rng_below(&g->rng, NEXTERNALS)];
		c.title = e->title;
		c.provider = e->provider;
		c.hours = rng_span(&g->rng, e->hours_lo / 5, e->hours_hi / 5) * 5;
	}
	c.created = learned + rng_span(&g->rng, 1, evc ? 10 : 40) * DAY;
	if (c.created > g->now - HOUR)
		c.created = g->now - HOUR;
	c.decided = c.created + rng_span(&g->rng, evc ? 20 : 1, evc ? 60 : 14) * DAY +
	            rng_span(&g->rng, 0, 8 * HOUR);
	uint32_t x = rng_below(&g->rng, 1000);
	c.state = c.decided > g->now          ? C_OPEN
	          : x < (evc ? 650u : 780u)   ? C_APPROVED
	          : x < (evc ? 900u : 930u)   ? C_REFUSED
	                                      : C_WITHDRAWN;
	return c;
}

static const struct member *member_by_email(const struct gen *g, const char *email, bool employee)
{
	for (size_t i = 0; i < g->nmembers; i++)
		if (g->members[i].employee == employee && strcmp(g->members[i].email, email) == 0)
			return &g->members[i];
	return NULL;
}

/* The demo log-ins' own claims: the employee's dossier spans three years
 * (an EVC recognition, courses elsewhere, one refused) with one claim in
 * the manager's inbox; the volunteer has one approved and one refused. */
static int login_claims(struct gen *g)
{
	const struct member *emp = member_by_email(g, EMPLOYEE_LOGIN, true);
	const struct member *vol = member_by_email(g, VOLUNTEER_LOGIN, false);
	if (!emp || !vol)
		return CAMPUS_EINTERNAL;
	int y = g->year;
	struct claim cs[] = {
	    {.m = emp, .evc = true, .title = evc_titles[0], .provider = "EVC-centrum Bibliotheekwerk",
	     .hours = 600, .learned = local_instant(y - 2, 3, 14, 16), .state = C_APPROVED,
	     .points = 150},
	    {.m = emp, .title = externals[2].title, .provider = externals[2].provider, .hours = 70,
	     .learned = local_instant(y - 2, 6, 9, 17), .state = C_APPROVED, .points = 70},
	    {.m = emp, .title = externals[9].title, .provider = externals[9].provider, .hours = 240,
	     .learned = local_instant(y - 1, 4, 18, 17), .state = C_APPROVED, .points = 20},
	    {.m = emp, .title = externals[1].title, .provider = externals[1].provider, .hours = 40,
	     .learned = local_instant(y - 1, 10, 2, 17), .state = C_REFUSED,
	     .reason = refusals[0]},
	    {.m = emp, .title = externals[3].title, .provider = externals[3].provider, .hours = 20,
	     .learned = local_instant(y, 3, 12, 17), .state = C_APPROVED, .points = 20},
	    {.m = emp, .title = externals[6].title, .provider = externals[6].provider, .hours = 80,
	     .learned = g->now - 9 * DAY, .state = C_OPEN},
	    {.m = vol, .title = externals[14].title, .provider = externals[14].provider,
	     .hours = 40, .learned = local_instant(y - 1, 5, 22, 16), .state = C_APPROVED,
	     .points = 40},
	    {.m = vol, .title = externals[3].title, .provider = externals[3].provider, .hours = 15,
	     .learned = local_instant(y, 2, 5, 16), .state = C_REFUSED, .reason = refusals[1]},
	};
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof cs / sizeof cs[0]; i++) {
		struct claim *c = &cs[i];
		if (c->learned > g->now - DAY)
			c->learned = g->now - 2 * DAY;
		c->created = c->learned + (c->state == C_OPEN ? 2 : 8) * DAY;
		c->decided = c->created + (c->evc ? 35 : 4) * DAY;
		if (c->decided > g->now)
			c->state = C_OPEN;
		rc = write_claim(g, c);
	}
	return rc;
}

static int claims(struct gen *g)
{
	int rc = login_claims(g);
	unsigned utrecht_open = 0, evc_open_libraries = 0;
	int64_t last_org = 0;
	for (size_t i = 0; !rc && i < g->nmembers; i++) {
		const struct member *m = &g->members[i];
		if ((m->roles & ROLE_MANAGER) || strcmp(m->email, EMPLOYEE_LOGIN) == 0 ||
		    strcmp(m->email, VOLUNTEER_LOGIN) == 0)
			continue;
		bool new_org = m->org != last_org;
		last_org = m->org;
		/* open work for the inboxes: three at Utrecht, EVC requests from three libraries */
		if (m->employee && strcmp(m->slug, UTRECHT) == 0 && utrecht_open < 3) {
			utrecht_open++;
			struct claim c = draw_claim(g, m, false, g->now - (int64_t)(4 + utrecht_open) * DAY);
			c.created = g->now - (int64_t)utrecht_open * DAY;
			c.state = C_OPEN;
			rc = write_claim(g, &c);
			continue;
		}
		if (m->employee && new_org && evc_open_libraries < 3 && m->org % 7 == 3) {
			evc_open_libraries++;
			struct claim c = draw_claim(g, m, true, g->now - 20 * DAY);
			c.created = g->now - (int64_t)(2 + evc_open_libraries) * DAY;
			c.state = C_OPEN;
			rc = write_claim(g, &c);
			continue;
		}
		for (int y = g->year - YEARS + 1; !rc && y <= g->year; y++) {
			if (rng_permille(&g->rng, m->employee ? 40 : 12)) {
				struct claim c = draw_claim(g, m, false, day_in_year(g, y, 17, g->now - 2 * DAY));
				rc = write_claim(g, &c);
			}
			if (!rc && m->employee && rng_permille(&g->rng, 4)) {
				struct claim c = draw_claim(g, m, true, day_in_year(g, y, 16, g->now - 2 * DAY));
				rc = write_claim(g, &c);
			}
		}
	}
	return rc;
}

/* ---- reading the sector ------------------------------------------------------------------- */

static int take_id(void *cls)
{
	struct db_rows *rows = cls;
	return db_rows_collect(rows);
}

static int load(struct gen *g)
{
	struct member cur;
	struct db_rows rows = {.arena = g->tmp, .size = sizeof cur, .cur = &cur};
	int rc = db_query(g->db, &stmt_dp_members, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.person), DBC_INT(&cur.org),
	                                          DBC_BOOL(&cur.employee), DBC_INT(&cur.roles),
	                                          DBC_INT(&cur.started), DBC_TEXT(&cur.email),
	                                          DBC_TEXT(&cur.slug), DBC_END},
	                  g->tmp, db_rows_collect, &rows);
	g->members = rows.data;
	g->nmembers = rows.n;

	int64_t id;
	struct db_rows ids = {.arena = g->tmp, .size = sizeof id, .cur = &id};
	if (!rc)
		rc = db_query(g->db, &stmt_dp_role_people,
		              (const struct db_param[]){DBP_INT(ROLE_COMMITTEE), DBP_END},
		              (const struct db_col[]){DBC_INT(&id), DBC_END}, g->tmp, take_id, &ids);
	g->committee = ids.data;
	g->ncommittee = ids.n;
	struct db_rows admins = {.arena = g->tmp, .size = sizeof id, .cur = &id};
	if (!rc)
		rc = db_query(g->db, &stmt_dp_role_people,
		              (const struct db_param[]){DBP_INT(ROLE_CAMPUS_ADMIN), DBP_END},
		              (const struct db_col[]){DBC_INT(&id), DBC_END}, g->tmp, take_id, &admins);
	struct db_rows doms = {.arena = g->tmp, .size = sizeof id, .cur = &id};
	if (!rc)
		rc = db_query(g->db, &stmt_dp_domains, (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&id), DBC_END}, g->tmp, take_id, &doms);
	g->domains = doms.data;
	g->ndomains = doms.n;
	if (!rc)
		rc = db_query_row(g->db, &stmt_dp_campus, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&g->campus), DBC_END}, g->tmp);
	if (rc)
		return rc;
	if (!g->ncommittee || !admins.n || !g->nmembers)
		return CAMPUS_EINTERNAL;
	g->admin = ((const int64_t *)admins.data)[0];
	return 0;
}

static void gen_init(struct gen *g, struct ctx *ctx, struct db_conn *db, unsigned long seed,
                     int64_t now, struct demo_points_result *out)
{
	memset(g, 0, sizeof *g);
	g->ctx = ctx;
	g->db = db;
	g->now = now;
	g->year = year_of(now);
	g->out = out;
	g->rng.s = 0x506f696e74734e4cULL ^ (uint64_t)seed; /* "PointsNL" */
	g->rec = *ctx;
	g->rec.db = db;
	g->rec.now = demo_now;
}

int demo_points_build(struct ctx *ctx, struct db_conn *db, unsigned long seed, int64_t now,
                      struct demo_points_result *out)
{
	memset(out, 0, sizeof *out);
	struct gen g;
	gen_init(&g, ctx, db, seed, now, out);
	g.tmp = arena_new(0);
	g.scratch = arena_new(0);
	if (!g.tmp || !g.scratch) {
		arena_free(g.tmp);
		arena_free(g.scratch);
		return CAMPUS_ENOMEM;
	}
	g.rec.arena = g.scratch;
	int rc = db_exec(db, &stmt_dp_cache_big, (const struct db_param[]){DBP_END}, NULL);
	if (!rc)
		rc = load(&g);
	if (!rc)
		rc = norms(&g);
	if (!rc)
		rc = recognition_history(&g);
	if (!rc)
		rc = completions(&g);
	if (!rc)
		rc = claims(&g);
	int rc2 = db_exec(db, &stmt_dp_cache_default, (const struct db_param[]){DBP_END}, NULL);
	arena_free(g.tmp);
	arena_free(g.scratch);
	return rc ? rc : rc2;
}

/* ---- after the commit: reversals ------------------------------------------------------------- */

static const char *const reversal_reasons[] = {
    "Dubbel geregistreerd: de aanbieder heeft de deelname twee keer doorgegeven.",
    "Deelnemer was bij de laatste bijeenkomst niet aanwezig; afronding ten onrechte gemeld.",
    "Verkeerde uitvoering opgegeven door de aanbieder.",
    "Op verzoek van de deelnemer: de module is niet gevolgd.",
};

struct rev {
	int64_t id, earned;
};

int demo_points_after(struct ctx *ctx, unsigned long seed, int64_t now,
                      struct demo_points_result *out)
{
	struct gen g;
	struct demo_points_result ignored = *out;
	gen_init(&g, ctx, ctx->db, seed, now, &ignored);
	g.rng.s ^= 0x52657665727365ULL; /* "Reverse": a stream of its own */
	g.tmp = arena_new(0);
	if (!g.tmp)
		return CAMPUS_ENOMEM;
	g.rec.arena = g.tmp;
	struct rev cur;
	struct db_rows rows = {.arena = g.tmp, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_dp_reversible, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.id), DBC_INT(&cur.earned), DBC_END},
	                  g.tmp, db_rows_collect, &rows);
	int64_t admin = 0, campus = 0;
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_dp_first_admin, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&admin), DBC_END}, g.tmp);
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_dp_campus, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&campus), DBC_END}, g.tmp);
	const struct rev *r = rows.data;
	/* about one row in 700, spread over the years */
	for (size_t i = 0; !rc && i < rows.n; i++) {
		if (rng_below(&g.rng, 700) != 0)
			continue;
		demo_clock = r[i].earned + rng_span(&g.rng, 10, 80) * DAY;
		if (demo_clock > now)
			demo_clock = now;
		g.rec.actor = (struct actor){.person_id = admin, .org_id = campus,
		                             .roles = ROLE_CAMPUS_ADMIN};
		const char *why = NULL;
		const char *reason = reversal_reasons[rng_below(
		    &g.rng, sizeof reversal_reasons / sizeof reversal_reasons[0])];
		rc = progress_reverse(&g.rec, r[i].id, reason, NULL, &why);
		if (!rc)
			out->reversals++;
	}
	arena_free(g.tmp);
	return rc;
}

/* ---- settling: the work a running server would have done ---- */

DB_STMT(stmt_dp_jobs_done,
        "UPDATE jobs SET done_at = $1 WHERE done_at IS NULL AND kind = $2");
DB_STMT(stmt_dp_rules_active, "SELECT id FROM diploma_rules WHERE active ORDER BY id");
DB_STMT(stmt_dp_diplomas, "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'");
DB_STMT(stmt_dp_outbox_sent, "UPDATE outbox SET sent_at = created_at WHERE sent_at IS NULL");

struct settle_args {
	struct ctx *ctx;
	struct db_rows *rules;
};

/* One evaluation per rule instead of one per ledger row. */
static int settle_queue_tx(struct db_conn *db, void *cls)
{
	struct settle_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now();
	int rc = db_exec(db, &stmt_dp_jobs_done,
	                 (const struct db_param[]){DBP_INT(now), DBP_TEXT(DIPLOMA_JOB_KIND), DBP_END},
	                 NULL);
	const int64_t *rule = a->rules->data;
	for (size_t i = 0; !rc && i < a->rules->n; i++) {
		char payload[48];
		snprintf(payload, sizeof payload, "{\"rule_id\":%lld}", (long long)rule[i]);
		int64_t id;
		rc = jobs_enqueue(ctx, DIPLOMA_JOB_KIND, payload, now, &id);
	}
	return rc;
}

static int settle_done_tx(struct db_conn *db, void *cls)
{
	struct ctx *ctx = cls;
	int rc = db_exec(db, &stmt_dp_jobs_done,
	                 (const struct db_param[]){DBP_INT(ctx->now()), DBP_TEXT(DIPLOMA_MAIL_JOB_KIND),
	                                           DBP_END},
	                 NULL);
	return rc ? rc : db_exec(db, &stmt_dp_outbox_sent, (const struct db_param[]){DBP_END}, NULL);
}

int demo_points_settle(struct ctx *ctx, struct demo_points_result *out)
{
	int64_t rule;
	struct db_rows rules = {.arena = ctx->arena, .size = sizeof rule, .cur = &rule};
	int rc = db_query(ctx->db, &stmt_dp_rules_active, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_INT(&rule), DBC_END}, ctx->arena,
	                  db_rows_collect, &rules);
	struct settle_args a = {ctx, &rules};
	if (!rc)
		rc = db_tx_run(ctx->db, DB_TX_WRITE, settle_queue_tx, &a);
	/* A rule's job queues its candidates in jobs of 100: run until none is due. */
	for (;;) {
		struct jobs_counts c = {0};
		if (rc || (rc = jobs_run_kind(ctx, "demo", DIPLOMA_JOB_KIND, 1000, &c)) != 0)
			break;
		if (c.gave_up)
			return CAMPUS_EINTERNAL; /* a rule the demo's data cannot evaluate: a bug */
		if (!c.done && !c.failed)
			break;
	}
	struct norm_tick_counts reminded;
	if (!rc)
		rc = norm_tick(ctx, &reminded);
	if (!rc)
		rc = db_tx_run(ctx->db, DB_TX_WRITE, settle_done_tx, ctx);
	int64_t n = 0;
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_dp_diplomas, (const struct db_param[]){DBP_END},
		                  (const struct db_col[]){DBC_INT(&n), DBC_END}, ctx->arena);
	out->diplomas = (unsigned)n;
	return rc;
}
