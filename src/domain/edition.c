/* Editions: the owner's plan (meetings, capacity, window, teachers, audience,
 * reservations) and reading it back with the seats left. The seat counter
 * itself moves only in enrol.c and edition_reserve(), each in a write
 * transaction keyed on the edition (db_tx_run_keyed). */
#include "domain/enrol.h"

#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/enrol_internal.h"
#include "domain/search.h"

#define HOUR 3600
#define OFFER_HOURS_MAX (14 * 24)

/* ---- statements ---- */

DB_STMT(stmt_ed_insert,
        "INSERT INTO editions (module_id, provider_id, code, always_open, capacity, "
        "min_participants, enrol_opens_at, enrol_closes_at, cancel_until, price_cents, audience, "
        "offer_hours, place, online_url, notes, starts_at, ends_at, created_by, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
        "$16, $17, $18, $19, $19) RETURNING id");
DB_STMT(stmt_ed_update,
        "UPDATE editions SET code = $2, always_open = $3, capacity = $4, min_participants = $5, "
        "enrol_opens_at = $6, enrol_closes_at = $7, cancel_until = $8, price_cents = $9, "
        "audience = $10, offer_hours = $11, place = $12, online_url = $13, notes = $14, "
        "starts_at = $15, ends_at = $16, updated_at = $17 WHERE id = $1");
DB_STMT(stmt_ed_meeting_insert,
        "INSERT INTO edition_meetings (edition_id, starts_at, ends_at, place, online_url) "
        "VALUES ($1, $2, $3, $4, $5)");
DB_STMT(stmt_ed_meeting_update,
        "UPDATE edition_meetings SET starts_at = $2, ends_at = $3, place = $4, online_url = $5 "
        "WHERE id = $1");
DB_STMT(stmt_ed_meeting_delete, "DELETE FROM edition_meetings WHERE id = $1");
DB_STMT(stmt_ed_meeting_attended, "SELECT COUNT(*) FROM attendance WHERE meeting_id = $1");
DB_STMT(stmt_ed_meeting_ids,
        "SELECT id FROM edition_meetings WHERE edition_id = $1 ORDER BY starts_at, id");
DB_STMT(stmt_ed_teachers_clear, "DELETE FROM edition_teachers WHERE edition_id = $1");
DB_STMT(stmt_ed_teacher_add,
        "INSERT INTO edition_teachers (edition_id, person_id) VALUES ($1, $2) "
        "ON CONFLICT (edition_id, person_id) DO NOTHING");
DB_STMT(stmt_ed_is_teacher,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND org_id = $2 "
        "AND ended_at IS NULL AND (roles & 8) <> 0");
DB_STMT(stmt_ed_audience_clear, "DELETE FROM edition_audience_orgs WHERE edition_id = $1");
DB_STMT(stmt_ed_audience_add,
        "INSERT INTO edition_audience_orgs (edition_id, org_id) VALUES ($1, $2) "
        "ON CONFLICT (edition_id, org_id) DO NOTHING");
DB_STMT(stmt_ed_org_exists, "SELECT COUNT(*) FROM organisations WHERE id = $1 AND kind <> 'campus'");
DB_STMT(stmt_ed_cancel,
        "UPDATE editions SET cancelled_at = $2, cancel_reason = $3, updated_at = $2 "
        "WHERE id = $1 AND cancelled_at IS NULL");

/* The effective plan: NULL columns fall back to the module's published
 * version (or the working one for an unpublished module). */
#define EDITION_SELECT                                                                             \
	"SELECT e.id, e.module_id, e.provider_id, v.title, o.name, o.slug, e.code, v.format, "         \
	"COALESCE(m.local_org_id, 0), e.always_open, e.cancelled_at IS NOT NULL, "                    \
	"COALESCE(e.capacity, 0), e.min_participants, COALESCE(e.enrol_opens_at, 0), "               \
	"COALESCE(e.enrol_closes_at, e.starts_at, 0), COALESCE(e.cancel_until, e.starts_at, 0), "     \
	"COALESCE(e.price_cents, v.price_cents), e.price_cents IS NOT NULL, "                          \
	"COALESCE(e.audience, v.audience), e.offer_hours, e.place, e.online_url, e.notes, "            \
	"e.cancel_reason, COALESCE(e.starts_at, 0), COALESCE(e.ends_at, 0), e.seats_taken "           \
	"FROM editions e JOIN modules m ON m.id = e.module_id "                                        \
	"JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "    \
	"JOIN organisations o ON o.id = e.provider_id "
DB_STMT(stmt_ed_get, EDITION_SELECT "WHERE e.id = $1");
DB_STMT(stmt_ed_counts,
        "SELECT state, COUNT(*) FROM enrolments WHERE edition_id = $1 AND state IN "
        "('requested', 'waitlisted', 'offered', 'enrolled', 'attended', 'completed', "
        "'not_completed', 'no_show') GROUP BY state");
DB_STMT(stmt_ed_meetings,
        "SELECT id, starts_at, ends_at, place, online_url FROM edition_meetings "
        "WHERE edition_id = $1 ORDER BY starts_at, id");
DB_STMT(stmt_ed_teachers,
        "SELECT p.id, p.name FROM edition_teachers t JOIN people p ON p.id = t.person_id "
        "WHERE t.edition_id = $1 ORDER BY p.name, p.id");
DB_STMT(stmt_ed_reservations,
        "SELECT r.id, r.org_id, o.name, r.seats, r.used FROM edition_reservations r "
        "JOIN organisations o ON o.id = r.org_id WHERE r.edition_id = $1 ORDER BY o.name, r.id");
DB_STMT(stmt_ed_audience,
        "SELECT o.id, o.name FROM edition_audience_orgs a JOIN organisations o ON o.id = a.org_id "
        "WHERE a.edition_id = $1 ORDER BY o.name, o.id");

/* Lists: the live counts come from one grouped pass over the edition's rows. */
#define SUMMARY_SELECT                                                                             \
	"SELECT e.id, e.module_id, v.title, e.code, e.place, e.always_open, "                         \
	"e.cancelled_at IS NOT NULL, COALESCE(e.enrol_opens_at, 0), "                                 \
	"COALESCE(e.enrol_closes_at, e.starts_at, 0), COALESCE(e.starts_at, 0), "                     \
	"COALESCE(e.ends_at, 0), (SELECT COUNT(*) FROM edition_meetings mt WHERE mt.edition_id = e.id), " \
	"COALESCE(e.capacity, 0), e.seats_taken, "                                                    \
	"(SELECT COUNT(*) FROM enrolments x WHERE x.edition_id = e.id AND x.state IN "                \
	"('enrolled', 'offered', 'attended', 'completed', 'not_completed', 'no_show')), "            \
	"e.waiting, "                                                                                  \
	"(SELECT COUNT(*) FROM enrolments x WHERE x.edition_id = e.id AND x.state = 'requested'), "   \
	"COALESCE(e.price_cents, v.price_cents) "                                                      \
	"FROM editions e JOIN modules m ON m.id = e.module_id "                                        \
	"JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
DB_STMT(stmt_ed_list_module,
        SUMMARY_SELECT "WHERE e.module_id = $1 AND e.cancelled_at IS NULL "
                       "AND (e.always_open = $2 OR e.ends_at > $3) "
                       "ORDER BY e.always_open DESC, e.starts_at, e.id LIMIT 200");
#define PROVIDER_WHERE                                                                             \
	"WHERE e.provider_id = $1 AND (e.always_open = $4 OR "                                        \
	"(e.starts_at >= $2 AND e.starts_at < $3)) AND ($5 = 0 OR e.module_id = $5) "
DB_STMT(stmt_ed_list_provider,
        SUMMARY_SELECT PROVIDER_WHERE
        "ORDER BY e.always_open DESC, e.starts_at, e.id LIMIT $6 OFFSET $7");
DB_STMT(stmt_ed_count_provider, "SELECT COUNT(*) FROM editions e " PROVIDER_WHERE);
/* Running in [from, to): ending at or after $3, starting before $4. */
#define TEACHER_WHERE                                                                              \
	"WHERE e.id IN (SELECT edition_id FROM edition_teachers WHERE person_id = $1) "                \
	"AND e.provider_id = $2 AND (e.always_open = $5 OR "                                          \
	"(e.ends_at >= $3 AND e.starts_at < $4)) AND ($6 = 0 OR e.module_id = $6) "
/* always_open first: starts_at is NULL there, which SQLite sorts first and PostgreSQL last. */
DB_STMT(stmt_ed_list_teacher,
        SUMMARY_SELECT TEACHER_WHERE
        "ORDER BY e.always_open DESC, e.starts_at, e.id LIMIT $7 OFFSET $8");
DB_STMT(stmt_ed_count_teacher, "SELECT COUNT(*) FROM editions e " TEACHER_WHERE);

DB_STMT(stmt_ed_reserve_get,
        "SELECT id, seats, used FROM edition_reservations WHERE edition_id = $1 AND org_id = $2");
DB_STMT(stmt_ed_reserve_insert,
        "INSERT INTO edition_reservations (edition_id, org_id, seats, made_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5)");
DB_STMT(stmt_ed_reserve_set, "UPDATE edition_reservations SET seats = $2 WHERE id = $1");
DB_STMT(stmt_ed_reserve_delete, "DELETE FROM edition_reservations WHERE id = $1");
/* Guarded: the counter moves only while the edition has room for it. */
DB_STMT(stmt_ed_seats_add,
        "UPDATE editions SET seats_taken = seats_taken + $2 WHERE id = $1 "
        "AND (capacity IS NULL OR seats_taken + $2 <= capacity) AND seats_taken + $2 >= 0");

/* ---- helpers ---- */

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

static struct db_param text_or_empty(const char *s)
{
	return (struct db_param)DBP_TEXT(s ? s : "");
}

static struct db_param int_or_null(int64_t v)
{
	return v ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL;
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	return n <= max && (n == 0 || utf8_valid(s, n));
}

static bool url_ok(const char *s)
{
	if (!s || !*s)
		return true;
	return text_ok(s, EDITION_URL_MAX) &&
	       (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7)) && !strpbrk(s, " \t\r\n\"<>");
}

static int count(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params, int64_t *n)
{
	return db_query_row(ctx->db, stmt, params, (const struct db_col[]){DBC_INT(n), DBC_END},
	                    ctx->arena);
}

bool enrol_actor_is_admin(const struct ctx *ctx)
{
	return (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
}

/* ---- validation ---- */

static bool any_problem(const struct edition_problems *pr)
{
	const char *const *p = (const char *const *)pr;
	for (size_t i = 0; i < sizeof *pr / sizeof *p; i++)
		if (p[i])
			return true;
	return false;
}

/* Checks the input against itself and the module; the teacher and
 * organisation ids against the database. */
static int edition_validate(struct ctx *ctx, const struct module *m,
                            const struct edition_input *in, struct edition_problems *pr)
{
	memset(pr, 0, sizeof *pr);
	if (!text_ok(in->code, EDITION_CODE_MAX))
		pr->code = N_("De code is te lang (hoogstens 40 tekens).");
	if (in->capacity < 0 || in->capacity > EDITION_CAPACITY_MAX)
		pr->capacity = N_("Het aantal plaatsen moet tussen 1 en 10.000 liggen, of leeg zijn.");
	if (in->min_participants < 0 ||
	    (in->capacity > 0 && in->min_participants > in->capacity))
		pr->min_participants = N_("Het minimum kan niet hoger zijn dan het aantal plaatsen.");
	if (in->price_cents > MODULE_PRICE_MAX_CENTS)
		pr->price = N_("De prijs is te hoog.");
	if (in->audience && strcmp(in->audience, "employees") && strcmp(in->audience, "volunteers") &&
	    strcmp(in->audience, "both"))
		pr->audience = N_("Kies voor wie deze uitvoering is.");
	if (in->offer_hours < 0 || in->offer_hours > OFFER_HOURS_MAX)
		pr->offer_hours = N_("De reactietijd voor een aangeboden plaats ligt tussen 0 en 336 uur.");
	if (!text_ok(in->place, EDITION_TEXT_MAX))
		pr->place = N_("De plaats is te lang.");
	if (!url_ok(in->online_url))
		pr->online_url = N_("Geef een volledige link die begint met https://.");
	if (!text_ok(in->notes, EDITION_TEXT_MAX))
		pr->notes = N_("De toelichting is te lang (hoogstens 2.000 tekens).");

	bool elearning = !strcmp(m->v.format, "elearning");
	if (in->always_open) {
		if (in->nmeetings)
			pr->meetings = N_("Een uitvoering die altijd open is heeft geen bijeenkomsten.");
		else if (!elearning)
			pr->meetings = N_("Alleen e-learning kan altijd open zijn; plan bijeenkomsten.");
	} else if (in->nmeetings == 0) {
		pr->meetings = N_("Plan ten minste één bijeenkomst.");
	} else if (in->nmeetings > EDITION_MEETINGS_MAX) {
		pr->meetings = N_("Een uitvoering heeft hoogstens 40 bijeenkomsten.");
	} else {
		for (size_t i = 0; i < in->nmeetings && !pr->meetings; i++) {
			const struct edition_meeting_input *mt = &in->meetings[i];
			if (mt->starts_at <= 0 || mt->ends_at <= mt->starts_at)
				pr->meetings = N_("Elke bijeenkomst heeft een datum, een begintijd en een "
				                  "eindtijd na de begintijd.");
			else if (mt->ends_at - mt->starts_at > 24 * HOUR)
				pr->meetings = N_("Een bijeenkomst duurt hoogstens een dag; plan er meer.");
			else if (!text_ok(mt->place, EDITION_TEXT_MAX) || !url_ok(mt->online_url))
				pr->meetings = N_("De plaats of link van een bijeenkomst klopt niet.");
		}
	}

	int64_t first = 0;
	for (size_t i = 0; i < in->nmeetings; i++)
		if (!first || in->meetings[i].starts_at < first)
			first = in->meetings[i].starts_at;
	if (in->enrol_opens_at < 0 || in->enrol_closes_at < 0 ||
	    (in->enrol_opens_at && in->enrol_closes_at && in->enrol_closes_at <= in->enrol_opens_at) ||
	    (first && in->enrol_closes_at > first))
		pr->enrol_window = N_("Inschrijven sluit na het openen en uiterlijk bij de eerste "
		                      "bijeenkomst.");
	if (in->cancel_until < 0 || (first && in->cancel_until > first))
		pr->cancel_until = N_("Kosteloos annuleren kan uiterlijk tot de eerste bijeenkomst.");

	if (in->nteachers > EDITION_TEACHERS_MAX) {
		pr->teachers = N_("Kies hoogstens 10 docenten.");
	} else {
		for (size_t i = 0; i < in->nteachers && !pr->teachers; i++) {
			int64_t n = 0;
			int rc = count(ctx, &stmt_ed_is_teacher,
			               (const struct db_param[]){DBP_INT(in->teachers[i]),
			                                         DBP_INT(m->provider_id), DBP_END},
			               &n);
			if (rc)
				return rc;
			if (!n)
				pr->teachers = N_("Een docent moet docent zijn bij de aanbieder.");
		}
	}
	if (in->naudience_orgs > EDITION_AUDIENCE_ORGS_MAX) {
		pr->audience_orgs = N_("Kies hoogstens 20 organisaties.");
	} else {
		for (size_t i = 0; i < in->naudience_orgs && !pr->audience_orgs; i++) {
			int64_t n = 0;
			int rc = count(ctx, &stmt_ed_org_exists,
			               (const struct db_param[]){DBP_INT(in->audience_orgs[i]), DBP_END}, &n);
			if (rc)
				return rc;
			if (!n)
				pr->audience_orgs = N_("Een van de gekozen organisaties bestaat niet.");
		}
	}
	return any_problem(pr) ? CAMPUS_EINVAL : 0;
}

static void span(const struct edition_input *in, int64_t *starts, int64_t *ends)
{
	*starts = *ends = 0;
	for (size_t i = 0; i < in->nmeetings; i++) {
		if (!*starts || in->meetings[i].starts_at < *starts)
			*starts = in->meetings[i].starts_at;
		if (in->meetings[i].ends_at > *ends)
			*ends = in->meetings[i].ends_at;
	}
}

static int write_lists(struct ctx *ctx, int64_t id, const struct edition_input *in)
{
	struct db_param idp[] = {DBP_INT(id), DBP_END};
	int rc = db_exec(ctx->db, &stmt_ed_teachers_clear, idp, NULL);
	for (size_t i = 0; !rc && i < in->nteachers; i++)
		rc = db_exec(ctx->db, &stmt_ed_teacher_add,
		             (const struct db_param[]){DBP_INT(id), DBP_INT(in->teachers[i]), DBP_END},
		             NULL);
	if (!rc)
		rc = db_exec(ctx->db, &stmt_ed_audience_clear, idp, NULL);
	for (size_t i = 0; !rc && i < in->naudience_orgs; i++)
		rc = db_exec(ctx->db, &stmt_ed_audience_add,
		             (const struct db_param[]){DBP_INT(id), DBP_INT(in->audience_orgs[i]), DBP_END},
		             NULL);
	return rc;
}

static int meeting_insert(struct ctx *ctx, int64_t id, const struct edition_meeting_input *mt)
{
	return db_exec(ctx->db, &stmt_ed_meeting_insert,
	               (const struct db_param[]){DBP_INT(id), DBP_INT(mt->starts_at),
	                                         DBP_INT(mt->ends_at), text_or_empty(mt->place),
	                                         text_or_empty(mt->online_url), DBP_END},
	               NULL);
}

/* ---- create ---- */

struct create_args {
	struct ctx *ctx;
	const struct module *m;
	const struct edition_input *in;
	int64_t *id;
};

static int create_tx(struct db_conn *db, void *cls)
{
	struct create_args *a = cls;
	struct ctx *ctx = a->ctx;
	const struct edition_input *in = a->in;
	int64_t now = ctx->now(), starts, ends;
	span(in, &starts, &ends);
	int rc = db_query_row(
	    db, &stmt_ed_insert,
	    (const struct db_param[]){
	        DBP_INT(a->m->id), DBP_INT(a->m->provider_id), text_or_empty(in->code),
	        DBP_BOOL(in->always_open), int_or_null(in->always_open ? 0 : in->capacity),
	        DBP_INT(in->min_participants), int_or_null(in->enrol_opens_at),
	        int_or_null(in->enrol_closes_at), int_or_null(in->cancel_until),
	        in->price_cents >= 0 ? (struct db_param)DBP_INT(in->price_cents)
	                             : (struct db_param)DBP_NULL,
	        DBP_TEXT(in->audience), DBP_INT(in->offer_hours), text_or_empty(in->place),
	        text_or_empty(in->online_url), text_or_empty(in->notes), int_or_null(starts),
	        int_or_null(ends), int_or_null(ctx->actor.person_id), DBP_INT(now), DBP_END},
	    (const struct db_col[]){DBC_INT(a->id), DBC_END}, ctx->arena);
	for (size_t i = 0; !rc && i < in->nmeetings; i++)
		rc = meeting_insert(ctx, *a->id, &in->meetings[i]);
	if (!rc)
		rc = write_lists(ctx, *a->id, in);
	/* "Starts soon" in the catalogue search follows the editions. */
	if (!rc)
		rc = catalog_search_index(ctx, a->m->id);
	if (!rc)
		rc = audit_record(ctx, "edition.create", "edition", id_text(ctx, *a->id), "ok",
		                  id_text(ctx, a->m->id));
	return rc;
}

int edition_create(struct ctx *ctx, int64_t module_id, const struct edition_input *in,
                   int64_t *id, struct edition_problems *pr)
{
	memset(pr, 0, sizeof *pr);
	struct module m;
	int rc = module_get(ctx, module_id, MODULE_WORKING, &m);
	if (rc)
		return rc;
	if (!catalog_may_edit(&ctx->actor, &m))
		return CAMPUS_EFORBIDDEN;
	if (!m.published_version_id) {
		pr->meetings = N_("Publiceer de module eerst; daarna kun je uitvoeringen plannen.");
		return CAMPUS_ECONFLICT;
	}
	rc = edition_validate(ctx, &m, in, pr);
	if (rc)
		return rc;
	struct create_args a = {ctx, &m, in, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, create_tx, &a);
}

/* ---- update ---- */

struct update_args {
	struct ctx *ctx;
	int64_t id;
	const struct edition_input *in;
	struct edition_problems *pr;
};

static int update_tx(struct db_conn *db, void *cls)
{
	struct update_args *a = cls;
	struct ctx *ctx = a->ctx;
	const struct edition_input *in = a->in;
	struct edition e;
	int rc = edition_get(ctx, a->id, &e);
	if (rc)
		return rc;
	if (e.cancelled) {
		a->pr->meetings = N_("Deze uitvoering is geannuleerd en kan niet meer worden gewijzigd.");
		return CAMPUS_ECONFLICT;
	}
	if (!e.always_open && in->capacity > 0 && in->capacity < e.seats_taken) {
		a->pr->capacity = N_("Er zijn al meer plaatsen bezet of gereserveerd dan dit aantal.");
		return CAMPUS_ECONFLICT;
	}
	if (e.always_open != in->always_open && (e.enrolled || e.waitlisted || e.offered)) {
		a->pr->meetings = N_("Er zijn al deelnemers: deze uitvoering kan niet van soort "
		                     "veranderen.");
		return CAMPUS_ECONFLICT;
	}
	/* Meetings are matched by position: the k-th stays the k-th (its
	 * attendance with it); a removed one must not have attendance. */
	int64_t cur;
	struct db_rows ids = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(db, &stmt_ed_meeting_ids, (const struct db_param[]){DBP_INT(a->id), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect, &ids);
	if (rc)
		return rc;
	const int64_t *old = ids.data;
	for (size_t i = in->nmeetings; i < ids.n; i++) {
		int64_t n = 0;
		rc = count(ctx, &stmt_ed_meeting_attended,
		           (const struct db_param[]){DBP_INT(old[i]), DBP_END}, &n);
		if (rc)
			return rc;
		if (n) {
			a->pr->meetings = N_("Een bijeenkomst met geregistreerde aanwezigheid kan niet "
			                     "worden verwijderd.");
			return CAMPUS_ECONFLICT;
		}
	}
	bool moved = ids.n != in->nmeetings || strcmp(e.place, in->place ? in->place : "") != 0;
	for (size_t i = 0; i < in->nmeetings && i < ids.n; i++) {
		const struct edition_meeting_input *mt = &in->meetings[i];
		const struct edition_meeting *was = i < e.nmeetings ? &e.meetings[i] : NULL;
		if (!was || was->starts_at != mt->starts_at || was->ends_at != mt->ends_at ||
		    strcmp(was->place, mt->place ? mt->place : ""))
			moved = true;
		rc = db_exec(db, &stmt_ed_meeting_update,
		             (const struct db_param[]){DBP_INT(old[i]), DBP_INT(mt->starts_at),
		                                       DBP_INT(mt->ends_at), text_or_empty(mt->place),
		                                       text_or_empty(mt->online_url), DBP_END},
		             NULL);
		if (rc)
			return rc;
	}
	for (size_t i = ids.n; i < in->nmeetings && !rc; i++)
		rc = meeting_insert(ctx, a->id, &in->meetings[i]);
	for (size_t i = in->nmeetings; i < ids.n && !rc; i++)
		rc = db_exec(db, &stmt_ed_meeting_delete,
		             (const struct db_param[]){DBP_INT(old[i]), DBP_END}, NULL);
	if (rc)
		return rc;
	int64_t starts, ends;
	span(in, &starts, &ends);
	rc = db_exec(db, &stmt_ed_update,
	             (const struct db_param[]){
	                 DBP_INT(a->id), text_or_empty(in->code), DBP_BOOL(in->always_open),
	                 int_or_null(in->always_open ? 0 : in->capacity),
	                 DBP_INT(in->min_participants), int_or_null(in->enrol_opens_at),
	                 int_or_null(in->enrol_closes_at), int_or_null(in->cancel_until),
	                 in->price_cents >= 0 ? (struct db_param)DBP_INT(in->price_cents)
	                                      : (struct db_param)DBP_NULL,
	                 DBP_TEXT(in->audience), DBP_INT(in->offer_hours), text_or_empty(in->place),
	                 text_or_empty(in->online_url), text_or_empty(in->notes),
	                 int_or_null(starts), int_or_null(ends), DBP_INT(ctx->now()), DBP_END},
	             NULL);
	if (!rc)
		rc = write_lists(ctx, a->id, in);
	/* More seats (or none limited now) may let people off the waitlist. */
	if (!rc)
		rc = enrol_fill_seats(ctx, a->id);
	if (!rc && moved)
		rc = enrol_tell_changed(ctx, a->id);
	if (!rc)
		rc = catalog_search_index(ctx, e.module_id);
	if (!rc)
		rc = audit_record(ctx, "edition.update", "edition", id_text(ctx, a->id), "ok", "");
	return rc;
}

int edition_update(struct ctx *ctx, int64_t edition_id, const struct edition_input *in,
                   struct edition_problems *pr)
{
	memset(pr, 0, sizeof *pr);
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc)
		return rc;
	if (!edition_may_manage(ctx, &e))
		return CAMPUS_EFORBIDDEN;
	struct module m;
	rc = module_get(ctx, e.module_id, MODULE_WORKING, &m);
	if (!rc)
		rc = edition_validate(ctx, &m, in, pr);
	if (rc)
		return rc;
	struct update_args a = {ctx, edition_id, in, pr};
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), update_tx, &a);
}

/* ---- cancel ---- */

struct cancel_args {
	struct ctx *ctx;
	int64_t id, module_id;
	const char *reason;
	const char **why;
};

static int cancel_tx(struct db_conn *db, void *cls)
{
	struct cancel_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t changed = 0;
	int rc = db_exec(db, &stmt_ed_cancel,
	                 (const struct db_param[]){DBP_INT(a->id), DBP_INT(ctx->now()),
	                                           DBP_TEXT(a->reason), DBP_END},
	                 &changed);
	if (rc)
		return rc;
	if (!changed) {
		*a->why = N_("Deze uitvoering is al geannuleerd.");
		return CAMPUS_ECONFLICT;
	}
	rc = enrol_cancel_all(ctx, a->id, a->reason);
	if (!rc)
		rc = catalog_search_index(ctx, a->module_id);
	if (!rc)
		rc = audit_record(ctx, "edition.cancel", "edition", id_text(ctx, a->id), "ok", a->reason);
	return rc;
}

int edition_cancel(struct ctx *ctx, int64_t edition_id, const char *reason, const char **why)
{
	*why = NULL;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc)
		return rc;
	if (!edition_may_manage(ctx, &e))
		return CAMPUS_EFORBIDDEN;
	size_t n = reason ? strlen(reason) : 0;
	if (n == 0 || strspn(reason, " \t\r\n") == n) {
		*why = N_("Geef een reden; de deelnemers krijgen die te zien.");
		return CAMPUS_EINVAL;
	}
	if (n > ENROL_REASON_MAX || !utf8_valid(reason, n)) {
		*why = N_("De reden is te lang (hoogstens 1.000 tekens).");
		return CAMPUS_EINVAL;
	}
	if (e.ends_at && e.ends_at < ctx->now()) {
		*why = N_("Deze uitvoering is al voorbij.");
		return CAMPUS_ECONFLICT;
	}
	struct cancel_args a = {ctx, edition_id, e.module_id, reason, why};
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), cancel_tx, &a);
}

/* ---- reading ---- */

struct counts_cls {
	struct edition *e;
	const char *state;
	int64_t n;
};

static int count_state(void *cls)
{
	struct counts_cls *c = cls;
	if (!strcmp(c->state, "waitlisted"))
		c->e->waitlisted = c->n;
	else if (!strcmp(c->state, "requested"))
		c->e->requested = c->n;
	else if (!strcmp(c->state, "offered"))
		c->e->offered = c->n;
	else
		c->e->enrolled += c->n; /* enrolled and those who went on to a result */
	return 0;
}

static int load_lists(struct ctx *ctx, struct edition *e)
{
	struct db_param idp[] = {DBP_INT(e->id), DBP_END};
	struct counts_cls cc = {.e = e};
	int rc = db_query(ctx->db, &stmt_ed_counts, idp,
	                  (const struct db_col[]){DBC_TEXT(&cc.state), DBC_INT(&cc.n), DBC_END},
	                  ctx->arena, count_state, &cc);
	struct edition_meeting mt;
	struct db_rows rm = {.arena = ctx->arena, .size = sizeof mt, .cur = &mt};
	if (!rc)
		rc = db_query(ctx->db, &stmt_ed_meetings, idp,
		              (const struct db_col[]){DBC_INT(&mt.id), DBC_INT(&mt.starts_at),
		                                      DBC_INT(&mt.ends_at), DBC_TEXT(&mt.place),
		                                      DBC_TEXT(&mt.online_url), DBC_END},
		              ctx->arena, db_rows_collect, &rm);
	struct edition_person p;
	struct db_rows rt = {.arena = ctx->arena, .size = sizeof p, .cur = &p};
	if (!rc)
		rc = db_query(ctx->db, &stmt_ed_teachers, idp,
		              (const struct db_col[]){DBC_INT(&p.id), DBC_TEXT(&p.name), DBC_END},
		              ctx->arena, db_rows_collect, &rt);
	struct edition_reservation r;
	struct db_rows rr = {.arena = ctx->arena, .size = sizeof r, .cur = &r};
	if (!rc)
		rc = db_query(ctx->db, &stmt_ed_reservations, idp,
		              (const struct db_col[]){DBC_INT(&r.id), DBC_INT(&r.org_id),
		                                      DBC_TEXT(&r.org_name), DBC_INT(&r.seats),
		                                      DBC_INT(&r.used), DBC_END},
		              ctx->arena, db_rows_collect, &rr);
	struct edition_person o;
	struct db_rows ra = {.arena = ctx->arena, .size = sizeof o, .cur = &o};
	if (!rc)
		rc = db_query(ctx->db, &stmt_ed_audience, idp,
		              (const struct db_col[]){DBC_INT(&o.id), DBC_TEXT(&o.name), DBC_END},
		              ctx->arena, db_rows_collect, &ra);
	e->meetings = rm.data;
	e->nmeetings = rm.n;
	e->teachers = rt.data;
	e->nteachers = rt.n;
	e->reservations = rr.data;
	e->nreservations = rr.n;
	e->audience_orgs = ra.data;
	e->naudience_orgs = ra.n;
	return rc;
}

static bool window_open(int64_t now, bool always_open, bool cancelled, int64_t opens,
                        int64_t closes)
{
	if (cancelled)
		return false;
	if (always_open)
		return true;
	return (!opens || now >= opens) && (!closes || now < closes);
}

/* The edition without the visibility check, for enrol.c and edition_get. */
static int edition_load(struct ctx *ctx, int64_t edition_id, struct edition *e)
{
	memset(e, 0, sizeof *e);
	int rc = db_query_row(
	    ctx->db, &stmt_ed_get, (const struct db_param[]){DBP_INT(edition_id), DBP_END},
	    (const struct db_col[]){
	        DBC_INT(&e->id), DBC_INT(&e->module_id), DBC_INT(&e->provider_id),
	        DBC_TEXT(&e->module_title), DBC_TEXT(&e->provider_name), DBC_TEXT(&e->provider_slug),
	        DBC_TEXT(&e->code), DBC_TEXT(&e->format), DBC_INT(&e->local_org_id),
	        DBC_BOOL(&e->always_open), DBC_BOOL(&e->cancelled), DBC_INT(&e->capacity),
	        DBC_INT(&e->min_participants), DBC_INT(&e->enrol_opens_at),
	        DBC_INT(&e->enrol_closes_at), DBC_INT(&e->cancel_until), DBC_INT(&e->price_cents),
	        DBC_BOOL(&e->price_overridden), DBC_TEXT(&e->audience), DBC_INT(&e->offer_hours),
	        DBC_TEXT(&e->place), DBC_TEXT(&e->online_url), DBC_TEXT(&e->notes),
	        DBC_TEXT(&e->cancel_reason), DBC_INT(&e->starts_at), DBC_INT(&e->ends_at),
	        DBC_INT(&e->seats_taken), DBC_END},
	    ctx->arena);
	if (rc)
		return rc;
	e->seats_left = e->capacity ? e->capacity - e->seats_taken : -1;
	if (e->seats_left < -1)
		e->seats_left = 0;
	e->open_now = window_open(ctx->now(), e->always_open, e->cancelled, e->enrol_opens_at,
	                          e->enrol_closes_at);
	return load_lists(ctx, e);
}

bool edition_may_manage(struct ctx *ctx, const struct edition *e)
{
	if (enrol_actor_is_admin(ctx))
		return true;
	return (ctx->actor.person_id || (ctx->actor.flags & ACTOR_API)) &&
	       ctx->actor.org_id == e->provider_id &&
	       (ctx->actor.roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER));
}

bool edition_may_teach(struct ctx *ctx, const struct edition *e)
{
	if (edition_may_manage(ctx, e))
		return true;
	for (size_t i = 0; i < e->nteachers; i++)
		if (e->teachers[i].id == ctx->actor.person_id && ctx->actor.person_id)
			return true;
	return false;
}

/* Visibility: the module's readers, its owner and its teachers. */
static int may_see(struct ctx *ctx, const struct edition *e, bool *may)
{
	*may = edition_may_teach(ctx, e);
	if (*may)
		return 0;
	struct module m;
	int rc = module_get(ctx, e->module_id, MODULE_PUBLISHED, &m);
	if (rc == CAMPUS_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	return catalog_may_see(ctx, &m, may);
}

int edition_get(struct ctx *ctx, int64_t edition_id, struct edition *out)
{
	int rc = edition_load(ctx, edition_id, out);
	if (rc)
		return rc;
	bool may = false;
	rc = may_see(ctx, out, &may);
	if (rc)
		return rc;
	return may ? 0 : CAMPUS_ENOTFOUND;
}

struct summary_rows {
	struct db_rows rows;
	struct edition_summary cur;
	int64_t opens, closes, seats_taken, now;
};

static int summary_row(void *cls)
{
	struct summary_rows *s = cls;
	struct edition_summary *e = &s->cur;
	e->seats_left = e->capacity ? e->capacity - s->seats_taken : -1;
	if (e->seats_left < -1)
		e->seats_left = 0;
	e->open_now = window_open(s->now, e->always_open, e->cancelled, s->opens, s->closes);
	return db_rows_collect(&s->rows);
}

static int summaries(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                     struct edition_summary **out, size_t *n)
{
	struct summary_rows s = {.now = ctx->now()};
	s.rows = (struct db_rows){.arena = ctx->arena, .size = sizeof s.cur, .cur = &s.cur};
	struct edition_summary *e = &s.cur;
	struct db_col cols[] = {DBC_INT(&e->id),          DBC_INT(&e->module_id),
	                        DBC_TEXT(&e->module_title), DBC_TEXT(&e->code),
	                        DBC_TEXT(&e->place),      DBC_BOOL(&e->always_open),
	                        DBC_BOOL(&e->cancelled),  DBC_INT(&s.opens),
	                        DBC_INT(&s.closes),       DBC_INT(&e->starts_at),
	                        DBC_INT(&e->ends_at),     DBC_INT(&e->nmeetings),
	                        DBC_INT(&e->capacity),    DBC_INT(&s.seats_taken),
	                        DBC_INT(&e->enrolled),    DBC_INT(&e->waitlisted),
	                        DBC_INT(&e->requested),   DBC_INT(&e->price_cents),
	                        DBC_END};
	int rc = db_query(ctx->db, stmt, params, cols, ctx->arena, summary_row, &s);
	*out = s.rows.data;
	*n = rc ? 0 : s.rows.n;
	return rc;
}

int edition_list_for_module(struct ctx *ctx, int64_t module_id, struct edition_summary **out,
                            size_t *n)
{
	*out = NULL;
	*n = 0;
	struct module m;
	int rc = module_get(ctx, module_id, MODULE_WORKING, &m);
	if (rc)
		return rc;
	bool may = catalog_may_edit(&ctx->actor, &m);
	if (!may) {
		struct module pub;
		rc = module_get(ctx, module_id, MODULE_PUBLISHED, &pub);
		if (!rc)
			rc = catalog_may_see(ctx, &pub, &may);
		if (rc)
			return rc;
	}
	if (!may)
		return CAMPUS_ENOTFOUND;
	return summaries(ctx, &stmt_ed_list_module,
	                 (const struct db_param[]){DBP_INT(module_id), DBP_BOOL(true),
	                                           DBP_INT(ctx->now()), DBP_END},
	                 out, n);
}

/* A page of a list whose statement takes the filters (at most 6) as its
 * first parameters, then limit + 1 rows (whether another page follows) and
 * the offset; counter counts over the same filters. */
static int summaries_page(struct ctx *ctx, struct db_stmt *list, struct db_stmt *counter,
                          const struct db_param *filters, size_t offset, size_t limit,
                          struct edition_summary **out, size_t *n, bool *more, int64_t *total)
{
	if (!limit || limit > EDITION_LIST_PAGE || offset > INT64_MAX - EDITION_LIST_PAGE)
		return CAMPUS_EINVAL;
	struct db_param p[9];
	size_t k = 0;
	for (; filters[k].type != DB_END; k++) {
		if (k == 6)
			return CAMPUS_EINVAL;
		p[k] = filters[k];
	}
	p[k++] = (struct db_param)DBP_INT((int64_t)limit + 1);
	p[k++] = (struct db_param)DBP_INT((int64_t)offset);
	p[k] = (struct db_param)DBP_END;
	int rc = summaries(ctx, list, p, out, n);
	if (!rc && *n > limit) {
		*n = limit;
		*more = true;
	}
	if (!rc && total)
		rc = count(ctx, counter, filters, total);
	return rc;
}

int edition_list_for_provider(struct ctx *ctx, int64_t provider_id, int64_t module_id,
                              int64_t from, int64_t to, size_t offset, size_t limit,
                              struct edition_summary **out, size_t *n, bool *more, int64_t *total)
{
	*out = NULL;
	*n = 0;
	*more = false;
	if (total)
		*total = 0;
	bool owner = enrol_actor_is_admin(ctx) ||
	             (ctx->actor.org_id == provider_id &&
	              (ctx->actor.roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER | ROLE_TEACHER)));
	if (!owner)
		return CAMPUS_EFORBIDDEN;
	return summaries_page(ctx, &stmt_ed_list_provider, &stmt_ed_count_provider,
	                      (const struct db_param[]){DBP_INT(provider_id), DBP_INT(from),
	                                                DBP_INT(to), DBP_BOOL(true),
	                                                DBP_INT(module_id), DBP_END},
	                      offset, limit, out, n, more, total);
}

int edition_list_for_teacher(struct ctx *ctx, int64_t provider_id, int64_t module_id,
                             int64_t from, int64_t to, size_t offset, size_t limit,
                             struct edition_summary **out, size_t *n, bool *more, int64_t *total)
{
	*out = NULL;
	*n = 0;
	*more = false;
	if (total)
		*total = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	return summaries_page(ctx, &stmt_ed_list_teacher, &stmt_ed_count_teacher,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id),
	                                                DBP_INT(provider_id), DBP_INT(from),
	                                                DBP_INT(to), DBP_BOOL(true),
	                                                DBP_INT(module_id), DBP_END},
	                      offset, limit, out, n, more, total);
}

/* ---- reservations ---- */

struct reserve_args {
	struct ctx *ctx;
	int64_t id, org_id, seats;
	const char **why;
};

static int reserve_tx(struct db_conn *db, void *cls)
{
	struct reserve_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t rid = 0, seats = 0, used = 0;
	int rc = db_query_row(db, &stmt_ed_reserve_get,
	                      (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->org_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&rid), DBC_INT(&seats), DBC_INT(&used),
	                                              DBC_END},
	                      ctx->arena);
	if (rc && rc != CAMPUS_ENOTFOUND)
		return rc;
	int64_t want = a->seats;
	if (want && want < used) {
		*a->why = N_("Er zijn al meer gereserveerde plaatsen in gebruik dan dit aantal.");
		return CAMPUS_ECONFLICT;
	}
	if (!want)
		want = used; /* keep what is in use, give back the rest */
	/* The unused part of a reservation counts as taken. */
	int64_t delta = (want - used) - (seats - used);
	if (delta) {
		int64_t changed = 0;
		rc = db_exec(db, &stmt_ed_seats_add,
		             (const struct db_param[]){DBP_INT(a->id), DBP_INT(delta), DBP_END}, &changed);
		if (rc)
			return rc;
		if (!changed) {
			*a->why = N_("Er zijn niet genoeg vrije plaatsen om te reserveren.");
			return CAMPUS_ECONFLICT;
		}
	}
	if (!rid && want)
		rc = db_exec(db, &stmt_ed_reserve_insert,
		             (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->org_id), DBP_INT(want),
		                                       int_or_null(ctx->actor.person_id),
		                                       DBP_INT(ctx->now()), DBP_END},
		             NULL);
	else if (rid && want)
		rc = db_exec(db, &stmt_ed_reserve_set,
		             (const struct db_param[]){DBP_INT(rid), DBP_INT(want), DBP_END}, NULL);
	else if (rid)
		rc = db_exec(db, &stmt_ed_reserve_delete, (const struct db_param[]){DBP_INT(rid), DBP_END},
		             NULL);
	/* Seats given back go to those waiting. */
	if (!rc && delta < 0)
		rc = enrol_fill_seats(ctx, a->id);
	if (!rc) {
		const char *detail = arena_printf(ctx->arena, "org=%lld seats=%lld", (long long)a->org_id,
		                                  (long long)want);
		rc = audit_record(ctx, "edition.reserve", "edition", id_text(ctx, a->id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

int edition_reserve(struct ctx *ctx, int64_t edition_id, int64_t org_id, int64_t seats,
                    const char **why)
{
	*why = NULL;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc)
		return rc;
	bool library_manager = ctx->actor.person_id && ctx->actor.org_id == org_id &&
	                       (ctx->actor.roles & ROLE_MANAGER);
	if (!edition_may_manage(ctx, &e) && !library_manager)
		return CAMPUS_EFORBIDDEN;
	if (!enrol_library_of(ctx, org_id)) {
		*why = N_("Plaatsen kunnen alleen voor een bibliotheek worden gereserveerd.");
		return CAMPUS_EINVAL;
	}
	if (e.always_open || !e.capacity) {
		*why = N_("Deze uitvoering heeft geen beperkt aantal plaatsen; reserveren is niet nodig.");
		return CAMPUS_EINVAL;
	}
	if (e.cancelled || (e.starts_at && e.starts_at <= ctx->now())) {
		*why = N_("Voor deze uitvoering kan niet meer worden gereserveerd.");
		return CAMPUS_ECONFLICT;
	}
	if (seats < 0 || seats > e.capacity) {
		*why = N_("Het aantal plaatsen klopt niet.");
		return CAMPUS_EINVAL;
	}
	struct reserve_args a = {ctx, edition_id, org_id, seats, why};
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), reserve_tx, &a);
}
