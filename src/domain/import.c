#include "domain/import.h"

#include <string.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/people.h"

#define NAME_MAX_BYTES 120 /* as people.c */
#define TOKEN_MAX 40

/* ---- the mapping ------------------------------------------------------------------ */

static const char *const field_keys[IMPORT_NFIELDS] = {"email", "naam", "soort", "rollen"};

const char *import_field_key(enum import_field f) { return f < IMPORT_NFIELDS ? field_keys[f] : ""; }

const char *import_field_label(enum import_field f)
{
	switch (f) {
	case IMPORT_EMAIL: return N_("E-mailadres");
	case IMPORT_NAME: return N_("Naam");
	case IMPORT_KIND: return N_("Soort");
	case IMPORT_ROLES: return N_("Rollen");
	default: return "";
	}
}

static const char *const synonyms[IMPORT_NFIELDS][9] = {
    {"e-mail", "e-mailadres", "email", "emailadres", "e-mail address", "email address", "mail",
     "e-mail adres", NULL},
    {"naam", "name", "volledige naam", "full name", NULL},
    {"soort", "kind", "type", "soort lid", "member type", NULL},
    {"rollen", "roles", "rol", "role", NULL},
};

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

/* s[0..n) equals word, ignoring ASCII case. */
static bool word_ieq(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	if (k != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != word[i])
			return false;
	return true;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

void import_map_guess(const struct csv_table *t, struct import_map *map)
{
	for (int f = 0; f < IMPORT_NFIELDS; f++)
		map->col[f] = -1;
	if (!t->nrows)
		return;
	const struct csv_row *h = &t->rows[0];
	for (unsigned c = 0; c < h->n; c++) {
		const char *s = h->cells[c].s;
		size_t n = h->cells[c].len;
		trim(&s, &n);
		for (int f = 0; f < IMPORT_NFIELDS; f++) {
			if (map->col[f] >= 0)
				continue;
			bool hit = false;
			for (int k = 0; synonyms[f][k] && !hit; k++)
				hit = word_ieq(s, n, synonyms[f][k]);
			if (hit) {
				map->col[f] = (int)c;
				break;
			}
		}
	}
}

const char *import_map_check(const struct csv_table *t, const struct import_map *map)
{
	for (int f = 0; f < IMPORT_NFIELDS; f++) {
		if (map->col[f] < -1 || map->col[f] >= (int)t->max_n)
			return N_("Deze kolom bestaat niet in het bestand.");
		for (int g = 0; g < f; g++)
			if (map->col[f] >= 0 && map->col[f] == map->col[g])
				return N_("Twee velden gebruiken dezelfde kolom; kies voor elk veld een eigen kolom.");
	}
	if (map->col[IMPORT_EMAIL] < 0)
		return N_("Kies de kolom met het e-mailadres.");
	return NULL;
}

/* ---- checking rows without the database ----------------------------------------- */

static const struct {
	const char *word, *kind;
} kind_words[] = {
    {"medewerker", "employee"}, {"employee", "employee"}, {"vrijwilliger", "volunteer"},
    {"volunteer", "volunteer"}, {"extern", "external"},   {"external", "external"},
};

static const struct {
	const char *word;
	unsigned bit;
} role_words[] = {
    {"lerende", ROLE_LEARNER},
    {"learner", ROLE_LEARNER},
    {"manager", ROLE_MANAGER},
    {"docent", ROLE_TEACHER},
    {"teacher", ROLE_TEACHER},
    {"aanbieder", ROLE_PROVIDER_ADMIN},
    {"opleidingsaanbieder", ROLE_PROVIDER_ADMIN},
    {"provider_admin", ROLE_PROVIDER_ADMIN},
    {"commissie", ROLE_COMMITTEE},
    {"committee", ROLE_COMMITTEE},
    {"beheerder", ROLE_CAMPUS_ADMIN},
    {"campusbeheerder", ROLE_CAMPUS_ADMIN},
    {"campus_admin", ROLE_CAMPUS_ADMIN},
};

struct checker {
	struct ctx *ctx;
	struct import_plan *plan;
	/* e-mail addresses seen: open addressing, record numbers alongside */
	const char **seen;
	unsigned *seen_record;
	size_t seen_cap;
};

static void problem(struct checker *ck, struct import_row *row, enum import_field f, const char *value,
                    const char *msgid, unsigned other)
{
	struct import_plan *p = ck->plan;
	row->bad = true;
	p->problems_total++;
	if (p->nproblems < IMPORT_PROBLEMS_KEPT)
		p->problems[p->nproblems++] = (struct import_problem){row->record, f, value, msgid, other};
}

static const struct csv_cell *cell(const struct csv_row *r, const struct import_map *map,
                                   enum import_field f)
{
	int c = map->col[f];
	return c >= 0 && (unsigned)c < r->n ? &r->cells[c] : NULL;
}

/* The cell of field f, trimmed, as UTF-8 text; NULL for empty or absent; *bad for not UTF-8. */
static const char *text_of(struct checker *ck, const struct csv_row *r, const struct import_map *map,
                           enum import_field f, struct import_row *row)
{
	const struct csv_cell *c = cell(r, map, f);
	if (!c)
		return NULL;
	const char *s = c->s;
	size_t n = c->len;
	trim(&s, &n);
	if (!n)
		return NULL;
	if (!utf8_valid(s, n)) {
		problem(ck, row, f, NULL, N_("Ongeldige tekens: de tekst is geen UTF-8."), 0);
		return NULL;
	}
	return arena_strndup(ck->ctx->arena, s, n);
}

static size_t hash_text(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* 0 when new; else the record that had it first. */
static unsigned seen_before(struct checker *ck, const char *email, unsigned record)
{
	size_t i = hash_text(email) & (ck->seen_cap - 1);
	while (ck->seen[i]) {
		if (!strcmp(ck->seen[i], email))
			return ck->seen_record[i];
		i = (i + 1) & (ck->seen_cap - 1);
	}
	ck->seen[i] = email;
	ck->seen_record[i] = record;
	return 0;
}

static void check_roles(struct checker *ck, struct import_row *row, const char *text)
{
	const struct ctx *ctx = ck->ctx;
	bool admin = (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
	const char *p = text;
	while (*p) {
		while (*p == ',' || *p == ';' || *p == '|' || *p == '/' || *p == ' ' || *p == '\t' ||
		       *p == '\n' || *p == '\r')
			p++;
		const char *start = p;
		while (*p && !(*p == ',' || *p == ';' || *p == '|' || *p == '/' || *p == ' ' ||
		               *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		size_t n = (size_t)(p - start);
		if (!n)
			continue;
		size_t k = 0;
		while (k < sizeof role_words / sizeof role_words[0] && !word_ieq(start, n, role_words[k].word))
			k++;
		const char *shown = arena_strndup(ctx->arena, start, n < TOKEN_MAX ? n : TOKEN_MAX);
		if (k == sizeof role_words / sizeof role_words[0]) {
			problem(ck, row, IMPORT_ROLES, shown,
			        N_("Onbekende rol; gebruik lerende, manager of docent."), 0);
			continue;
		}
		if (!admin && !(role_words[k].bit & ROLES_MANAGER_GRANTS)) {
			problem(ck, row, IMPORT_ROLES, shown,
			        N_("Deze rol kan alleen een campusbeheerder toekennen."), 0);
			continue;
		}
		row->roles |= role_words[k].bit;
	}
}

static bool blank_row(const struct csv_row *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		const char *s = r->cells[i].s;
		size_t n = r->cells[i].len;
		trim(&s, &n);
		if (n)
			return false;
	}
	return true;
}

/* Checks that need no database; fills plan->rows. */
static int check_rows(struct ctx *ctx, const struct csv_table *t, const struct import_map *map,
                      struct import_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	size_t n = t->nrows ? t->nrows - 1 : 0;
	plan->rows = arena_zalloc(ctx->arena, (n ? n : 1) * sizeof *plan->rows);
	plan->problems = arena_zalloc(ctx->arena, IMPORT_PROBLEMS_KEPT * sizeof *plan->problems);
	struct checker ck = {.ctx = ctx, .plan = plan};
	ck.seen_cap = 16;
	while (ck.seen_cap < 2 * n)
		ck.seen_cap *= 2;
	ck.seen = arena_zalloc(ctx->arena, ck.seen_cap * sizeof *ck.seen);
	ck.seen_record = arena_zalloc(ctx->arena, ck.seen_cap * sizeof *ck.seen_record);
	if (!plan->rows || !plan->problems || !ck.seen || !ck.seen_record)
		return CAMPUS_ENOMEM;
	for (size_t i = 1; i < t->nrows; i++) {
		const struct csv_row *r = &t->rows[i];
		if (blank_row(r))
			continue;
		struct import_row *row = &plan->rows[plan->nrows++];
		row->record = r->record;
		/* Any mapped cell that is not text. */
		const char *email_text = text_of(&ck, r, map, IMPORT_EMAIL, row);
		const struct csv_cell *ec = cell(r, map, IMPORT_EMAIL);
		if (!email_text) {
			if (!row->bad || !ec)
				problem(&ck, row, IMPORT_EMAIL, NULL, N_("Het e-mailadres ontbreekt."), 0);
		} else {
			row->email = email_normalise(ctx, email_text);
			if (!row->email) {
				size_t len = strlen(email_text);
				problem(&ck, row, IMPORT_EMAIL,
				        arena_strndup(ctx->arena, email_text, len < 80 ? len : 80),
				        N_("Dit is geen geldig e-mailadres."), 0);
			} else {
				unsigned first = seen_before(&ck, row->email, row->record);
				if (first)
					problem(&ck, row, IMPORT_EMAIL, row->email,
					        N_("Dit e-mailadres staat al in een eerdere rij van het bestand."),
					        first);
			}
		}
		row->name = text_of(&ck, r, map, IMPORT_NAME, row);
		if (row->name) /* a line break or tab in a quoted name becomes a space */
			for (char *c = (char *)row->name; *c; c++)
				if (*c == '\n' || *c == '\r' || *c == '\t')
					*c = ' ';
		if (row->name && strlen(row->name) > NAME_MAX_BYTES)
			problem(&ck, row, IMPORT_NAME, NULL, N_("De naam is te lang (hoogstens 120 tekens)."), 0);
		const char *kind = text_of(&ck, r, map, IMPORT_KIND, row);
		if (kind) {
			size_t k = 0;
			while (k < sizeof kind_words / sizeof kind_words[0] &&
			       !word_ieq(kind, strlen(kind), kind_words[k].word))
				k++;
			if (k == sizeof kind_words / sizeof kind_words[0]) {
				size_t len = strlen(kind);
				problem(&ck, row, IMPORT_KIND, arena_strndup(ctx->arena, kind, len < TOKEN_MAX ? len : TOKEN_MAX),
				        N_("Onbekende soort; gebruik medewerker, vrijwilliger of extern."), 0);
			} else {
				row->kind = kind_words[k].kind;
			}
		}
		const char *roles = text_of(&ck, r, map, IMPORT_ROLES, row);
		if (roles)
			check_roles(&ck, row, roles);
	}
	return 0;
}

/* ---- what each row does: reading (and writing) the database ---------------------- */

DB_STMT(stmt_import_lookup,
        "SELECT p.id, m.kind, m.roles, (m.person_id IS NOT NULL AND m.ended_at IS NULL) "
        "FROM people p LEFT JOIN memberships m ON m.person_id = p.id AND m.org_id = $2 "
        "WHERE p.email = $1");
DB_STMT(stmt_import_person_insert,
        "INSERT INTO people (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id");
DB_STMT(stmt_import_membership_upsert,
        "INSERT INTO memberships (person_id, org_id, kind, roles, started_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (person_id, org_id) DO UPDATE SET kind = excluded.kind, roles = excluded.roles, "
        "ended_at = NULL");
DB_STMT(stmt_import_membership_update,
        "UPDATE memberships SET kind = $3, roles = $4 "
        "WHERE org_id = $1 AND person_id = $2 AND ended_at IS NULL");
DB_STMT(stmt_import_sessions_end, "DELETE FROM sessions WHERE person_id = $1 AND org_id = $2");

static const char *static_kind(const char *kind)
{
	if (!kind)
		return NULL;
	if (!strcmp(kind, "volunteer"))
		return "volunteer";
	if (!strcmp(kind, "external"))
		return "external";
	return "employee";
}

struct run {
	struct ctx *ctx;
	int64_t org_id;
	const struct csv_table *t;
	const struct import_map *map;
	const char *source;
	struct import_plan *plan;
	bool write;
	const struct import_progress *progress;
	struct arena *scratch;
	/* the rows as checked without the database, restored before each attempt
	 * (db_tx_run may run the transaction again) */
	size_t nproblems0, problems_total0;
	bool *bad0;
	const char **kind0;
	unsigned *roles0;
};

static const char *id_text(struct arena *a, int64_t id)
{
	const char *s = arena_printf(a, "%lld", (long long)id);
	return s ? s : "";
}

static int audit_membership(struct ctx *c, const char *action, int64_t org_id, int64_t person_id,
                            const char *kind, unsigned roles)
{
	const char *detail =
	    arena_printf(c->arena, "organisation %lld, %s, roles %u", (long long)org_id, kind, roles);
	return audit_record(c, action, "person", id_text(c->arena, person_id), "ok", detail ? detail : "");
}

static int apply_row(struct run *run, struct db_conn *db, struct ctx *c, struct import_row *row,
                     int64_t person_id)
{
	int rc = 0;
	int64_t now = c->now();
	if (row->action == IMPORT_CREATE) {
		rc = db_query_row(db, &stmt_import_person_insert,
		                  (const struct db_param[]){DBP_TEXT(row->email), DBP_TEXT(row->name),
		                                            DBP_INT(now), DBP_END},
		                  (const struct db_col[]){DBC_INT(&person_id), DBC_END}, c->arena);
		if (!rc)
			rc = audit_record(c, "person.create", "person", id_text(c->arena, person_id), "ok", "");
	}
	if (!rc && (row->action == IMPORT_CREATE || row->action == IMPORT_ADD)) {
		rc = db_exec(db, &stmt_import_membership_upsert,
		             (const struct db_param[]){DBP_INT(person_id), DBP_INT(run->org_id),
		                                       DBP_TEXT(row->kind), DBP_INT(row->roles), DBP_INT(now),
		                                       DBP_END},
		             NULL);
		if (!rc)
			rc = audit_membership(c, "membership.add", run->org_id, person_id, row->kind, row->roles);
	}
	if (!rc && row->action == IMPORT_UPDATE) {
		rc = db_exec(db, &stmt_import_membership_update,
		             (const struct db_param[]){DBP_INT(run->org_id), DBP_INT(person_id),
		                                       DBP_TEXT(row->kind), DBP_INT(row->roles), DBP_END},
		             NULL);
		/* Sessions in this organisation carry the old roles: they end (as member_change). */
		if (!rc)
			rc = db_exec(db, &stmt_import_sessions_end,
			             (const struct db_param[]){DBP_INT(person_id), DBP_INT(run->org_id), DBP_END},
			             NULL);
		if (!rc)
			rc = audit_membership(c, "membership.roles", run->org_id, person_id, row->kind, row->roles);
	}
	return rc;
}

static int run_tx(struct db_conn *db, void *cls)
{
	struct run *run = cls;
	struct import_plan *plan = run->plan;
	plan->nproblems = run->nproblems0;
	plan->problems_total = run->problems_total0;
	memset(plan->count, 0, sizeof plan->count);
	for (size_t i = 0; i < plan->nrows; i++) {
		plan->rows[i].bad = run->bad0[i];
		plan->rows[i].kind = run->kind0[i];
		plan->rows[i].roles = run->roles0[i];
	}
	struct ctx c = *run->ctx;
	c.db = db;
	c.arena = run->scratch;
	struct checker ck = {.ctx = run->ctx, .plan = plan};
	bool writing = run->write && plan->problems_total == 0;
	const struct import_progress *pr = run->progress;
	for (size_t i = 0; i < plan->nrows; i++) {
		struct import_row *row = &plan->rows[i];
		if (pr && pr->fn && i % IMPORT_PROGRESS_EVERY == 0)
			pr->fn(pr->cls, i, plan->nrows);
		if (!row->email)
			continue;
		arena_reset(run->scratch);
		int64_t person_id = 0, roles = 0;
		const char *kind = NULL;
		bool kind_null = true, roles_null = true, current = false;
		int rc = db_query_row(db, &stmt_import_lookup,
		                      (const struct db_param[]){DBP_TEXT(row->email), DBP_INT(run->org_id), DBP_END},
		                      (const struct db_col[]){DBC_INT(&person_id), DBC_TEXT_OPT(&kind, &kind_null),
		                                              DBC_INT_OPT(&roles, &roles_null), DBC_BOOL(&current),
		                                              DBC_END},
		                      c.arena);
		if (rc && rc != CAMPUS_ENOTFOUND)
			return rc;
		bool found = rc == 0;
		/* Empty cells keep what the membership has; a new one is an employee and learner. */
		const char *old_kind = current ? static_kind(kind) : NULL;
		unsigned old_roles = current ? (unsigned)roles & ROLE_ALL : 0;
		const char *new_kind = row->kind ? row->kind : old_kind ? old_kind : "employee";
		unsigned new_roles = row->roles ? row->roles : current ? old_roles : ROLE_LEARNER;
		if (!found) {
			row->action = IMPORT_CREATE;
			const struct csv_cell *nc = cell(&run->t->rows[row->record - 1], run->map, IMPORT_NAME);
			const char *ns = nc ? nc->s : "";
			size_t nn = nc ? nc->len : 0;
			trim(&ns, &nn);
			if (!nn) /* (a name that is not UTF-8 has its problem already) */
				problem(&ck, row, IMPORT_NAME, NULL,
				        N_("De naam ontbreekt; die is nodig voor een nieuw account."), 0);
		} else if (!current) {
			row->action = IMPORT_ADD;
		} else if (!strcmp(new_kind, old_kind) && new_roles == old_roles) {
			row->action = IMPORT_UNCHANGED;
		} else {
			row->action = IMPORT_UPDATE;
			if (person_id == run->ctx->actor.person_id)
				problem(&ck, row, IMPORT_ROLES, NULL,
				        N_("Uw eigen lidmaatschap kunt u hier niet wijzigen; vraag een andere manager."),
				        0);
		}
		if (!row->bad) {
			row->kind = new_kind;
			row->roles = new_roles;
		}
		plan->count[row->action]++;
		if (plan->problems_total)
			writing = false;
		if (writing) {
			rc = apply_row(run, db, &c, row, person_id);
			if (rc)
				return rc;
		}
	}
	if (pr && pr->fn)
		pr->fn(pr->cls, plan->nrows, plan->nrows);
	if (!run->write)
		return 0;
	if (plan->problems_total)
		return CAMPUS_EINVAL; /* rolls back whatever was written */
	arena_reset(run->scratch);
	const char *detail = arena_printf(
	    c.arena, "%s: %zu rows, %zu created, %zu added, %zu updated, %zu unchanged",
	    run->source ? run->source : "csv", plan->nrows, plan->count[IMPORT_CREATE],
	    plan->count[IMPORT_ADD], plan->count[IMPORT_UPDATE], plan->count[IMPORT_UNCHANGED]);
	return audit_record(&c, "members.import", "organisation", id_text(c.arena, run->org_id), "ok",
	                    detail ? detail : "");
}

static int run_import(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                      const struct import_map *map, const char *source, struct import_plan *out,
                      const char **why, bool write, const struct import_progress *progress)
{
	*why = import_map_check(t, map);
	if (*why) {
		memset(out, 0, sizeof *out);
		return CAMPUS_EINVAL;
	}
	int rc = check_rows(ctx, t, map, out);
	if (rc)
		return rc;
	if (out->nrows == 0) {
		*why = N_("Het bestand bevat geen leden: alleen een kopregel of lege rijen.");
		return CAMPUS_EINVAL;
	}
	/* An audit detail is at most 2000 bytes. */
	char src[200];
	if (source) {
		size_t n = strlen(source);
		if (n >= sizeof src)
			n = sizeof src - 1;
		while (n && !utf8_valid(source, n))
			n--;
		memcpy(src, source, n);
		src[n] = '\0';
	}
	struct run run = {.ctx = ctx, .org_id = org_id, .t = t, .map = map,
	                  .source = source ? src : NULL, .plan = out, .write = write,
	                  .progress = progress,
	                  .scratch = arena_new(0), .nproblems0 = out->nproblems,
	                  .problems_total0 = out->problems_total};
	size_t n = out->nrows;
	run.bad0 = arena_alloc(ctx->arena, n * sizeof *run.bad0);
	run.kind0 = arena_alloc(ctx->arena, n * sizeof *run.kind0);
	run.roles0 = arena_alloc(ctx->arena, n * sizeof *run.roles0);
	if (!run.scratch || !run.bad0 || !run.kind0 || !run.roles0) {
		arena_free(run.scratch);
		return CAMPUS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		run.bad0[i] = out->rows[i].bad;
		run.kind0[i] = out->rows[i].kind;
		run.roles0[i] = out->rows[i].roles;
	}
	rc = db_tx_run(ctx->db, write ? DB_TX_WRITE : DB_TX_READ, run_tx, &run);
	arena_free(run.scratch);
	return rc;
}

int import_plan(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                const struct import_map *map, struct import_plan *out, const char **why)
{
	return run_import(ctx, org_id, t, map, NULL, out, why, false, NULL);
}

int import_apply(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                 const struct import_map *map, const char *source, struct import_plan *out,
                 const char **why)
{
	return run_import(ctx, org_id, t, map, source, out, why, true, NULL);
}

int import_apply_progress(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                          const struct import_map *map, const char *source,
                          struct import_plan *out, const char **why,
                          const struct import_progress *progress)
{
	return run_import(ctx, org_id, t, map, source, out, why, true, progress);
}
