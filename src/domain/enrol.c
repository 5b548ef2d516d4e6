/* The enrolment state machine (see enrol.h for the states). Every change of
 * an enrolment is one call of transition(): the row, an enrolment_events
 * row and an audit row, in the write transaction of the step, which is keyed
 * on the edition so that steps on one edition queue in all processes.
 * Refusals are decided before anything is written. Seats move only through
 * take_seat()/free_seat() and fill_seats(); money only through the budget_*
 * helpers, each a guarded UPDATE. */
#include "domain/enrol.h"

#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "core/when.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/ctx.h"
#include "domain/enrol_internal.h"
#include "domain/notify.h"
#include "domain/progress.h"

#define HOUR 3600
#define DAY 86400
#define FILL_MAX 10000          /* seats given in one go: a bound, never reached */
#define APPROVERS_MAX 20        /* managers told of one request */
#define LIST_MAX 1000
#define START_REMINDER (2 * DAY)
#define CHECKIN_EARLY HOUR

static const char *const state_names[ENROL_STATE_COUNT] = {
    "requested", "refused",  "expired",   "waitlisted", "offered",      "enrolled",
    "cancelled", "attended", "no_show",   "completed",  "not_completed"};

static const char *const state_labels[ENROL_STATE_COUNT] = {
    N_("Aangevraagd"),  N_("Afgewezen"),   N_("Verlopen"),    N_("Op de wachtlijst"),
    N_("Plaats aangeboden"), N_("Ingeschreven"), N_("Geannuleerd"), N_("Aanwezig geweest"),
    N_("Niet verschenen"),   N_("Afgerond"),     N_("Niet afgerond")};

const char *enrol_state_name(enum enrol_state s)
{
	return (unsigned)s < ENROL_STATE_COUNT ? state_names[s] : "";
}

const char *enrol_state_label(enum enrol_state s)
{
	return (unsigned)s < ENROL_STATE_COUNT ? state_labels[s] : "";
}

int enrol_state_parse(const char *name, enum enrol_state *out)
{
	for (int i = 0; name && i < ENROL_STATE_COUNT; i++)
		if (!strcmp(name, state_names[i])) {
			*out = (enum enrol_state)i;
			return 0;
		}
	return CAMPUS_EINVAL;
}

/* ---- statements ---- */

DB_STMT(stmt_en_edition,
        "SELECT e.module_id, e.provider_id, COALESCE(m.local_org_id, 0), e.always_open, "
        "e.cancelled_at IS NOT NULL, m.published_version_id IS NOT NULL, COALESCE(e.capacity, 0), "
        "e.seats_taken, COALESCE(e.enrol_opens_at, 0), COALESCE(e.enrol_closes_at, e.starts_at, 0), "
        "COALESCE(e.cancel_until, e.starts_at, 0), COALESCE(e.price_cents, v.price_cents), "
        "COALESCE(e.audience, v.audience), e.offer_hours, COALESCE(e.starts_at, 0), "
        "COALESCE(e.ends_at, 0), v.title, e.place, e.online_url, "
        "EXISTS (SELECT 1 FROM edition_audience_orgs a WHERE a.edition_id = e.id) "
        "FROM editions e JOIN modules m ON m.id = e.module_id "
        "JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
        "WHERE e.id = $1");
DB_STMT(stmt_en_edition_of, "SELECT edition_id FROM enrolments WHERE id = $1");
DB_STMT(stmt_en_membership,
        "SELECT kind, roles FROM memberships WHERE person_id = $1 AND org_id = $2 "
        "AND ended_at IS NULL");
DB_STMT(stmt_en_org_slug, "SELECT slug FROM organisations WHERE id = $1");
DB_STMT(stmt_en_org_kind, "SELECT kind FROM organisations WHERE id = $1");
DB_STMT(stmt_en_live,
        "SELECT state FROM enrolments WHERE edition_id = $1 AND person_id = $2 AND state IN "
        "('requested', 'waitlisted', 'offered', 'enrolled', 'attended', 'completed', "
        "'not_completed', 'no_show')");
DB_STMT(stmt_en_policy,
        "SELECT approval, COALESCE(second_approver_id, 0), budgets, remind_days, expire_days "
        "FROM enrol_policies WHERE org_id = $1");
DB_STMT(stmt_en_policy_put,
        "INSERT INTO enrol_policies (org_id, approval, second_approver_id, budgets, remind_days, "
        "expire_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE "
        "SET approval = excluded.approval, second_approver_id = excluded.second_approver_id, "
        "budgets = excluded.budgets, remind_days = excluded.remind_days, "
        "expire_days = excluded.expire_days, updated_at = excluded.updated_at");
DB_STMT(stmt_en_insert,
        "INSERT INTO enrolments (edition_id, person_id, org_id, state, approval_step, waitlist_pos, "
        "offer_expires_at, reservation_id, price_cents, budget_year, budget_state, requested_at, "
        "enrolled_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
        "$12, $13, $12, $12) RETURNING id");
DB_STMT(stmt_en_update,
        "UPDATE enrolments SET state = $2, approval_step = $3, waitlist_pos = $4, "
        "offer_expires_at = $5, reservation_id = $6, budget_year = $7, budget_state = $8, "
        "grade = $9, reason = $10, decided_at = $11, reminded_at = $12, updated_at = $13 "
        "WHERE id = $1 AND state = $14");
/* editions.waiting follows every move onto or off the waitlist. */
DB_STMT(stmt_en_waiting_add, "UPDATE editions SET waiting = waiting + $2 WHERE id = $1");
DB_STMT(stmt_en_event,
        "INSERT INTO enrolment_events (enrolment_id, at, actor_id, from_state, to_state, reason) "
        "VALUES ($1, $2, $3, $4, $5, $6)");
/* The row as the state machine needs it, with the person for messages. */
DB_STMT(stmt_en_row,
        "SELECT x.id, x.edition_id, x.person_id, COALESCE(x.org_id, 0), x.state, x.approval_step, "
        "COALESCE(x.waitlist_pos, 0), COALESCE(x.offer_expires_at, 0), "
        "COALESCE(x.reservation_id, 0), x.price_cents, COALESCE(x.budget_year, 0), "
        "COALESCE(x.budget_state, ''), x.grade, x.reason, COALESCE(x.decided_at, 0), "
        "COALESCE(x.reminded_at, 0), x.requested_at, p.name, p.email FROM enrolments x "
        "JOIN people p ON p.id = x.person_id WHERE x.id = $1");
DB_STMT(stmt_en_reservation_take,
        "UPDATE edition_reservations SET used = used + 1 WHERE edition_id = $1 AND org_id = $2 "
        "AND used < seats RETURNING id");
DB_STMT(stmt_en_reservation_give, "UPDATE edition_reservations SET used = used - 1 WHERE id = $1 AND used > 0");
DB_STMT(stmt_en_seats_add,
        "UPDATE editions SET seats_taken = seats_taken + $2 WHERE id = $1 "
        "AND (capacity IS NULL OR seats_taken + $2 <= capacity) AND seats_taken + $2 >= 0");
DB_STMT(stmt_en_waitlist_next,
        "UPDATE editions SET waitlist_seq = waitlist_seq + 1 WHERE id = $1 RETURNING waitlist_seq");
/* Those waiting whose library holds a spare reserved seat go first to it. */
DB_STMT(stmt_en_next_reserved,
        "SELECT x.id FROM enrolments x JOIN edition_reservations r ON r.edition_id = x.edition_id "
        "AND r.org_id = x.org_id AND r.used < r.seats WHERE x.edition_id = $1 "
        "AND x.state = 'waitlisted' ORDER BY x.waitlist_pos, x.id LIMIT 1");
DB_STMT(stmt_en_next_waiting,
        "SELECT id FROM enrolments WHERE edition_id = $1 AND state = 'waitlisted' "
        "ORDER BY waitlist_pos, id LIMIT 1");
DB_STMT(stmt_en_seats,
        "SELECT COALESCE(capacity, 0), seats_taken, cancelled_at IS NOT NULL, "
        "always_open = $2 OR COALESCE(starts_at, 0) > $3 FROM editions WHERE id = $1");
DB_STMT(stmt_en_waiting_place,
        "SELECT COUNT(*) FROM enrolments WHERE edition_id = $1 AND state = 'waitlisted' "
        "AND waitlist_pos <= $2");
DB_STMT(stmt_en_live_of_edition,
        "SELECT id FROM enrolments WHERE edition_id = $1 AND state IN " ENROL_LIVE_SQL
        " ORDER BY id");
DB_STMT(stmt_en_meetings,
        "SELECT id, starts_at, ends_at, place, online_url FROM edition_meetings "
        "WHERE edition_id = $1 ORDER BY starts_at, id");
DB_STMT(stmt_en_managers,
        "SELECT person_id FROM memberships WHERE org_id = $1 AND ended_at IS NULL "
        "AND (roles & 2) <> 0 ORDER BY person_id LIMIT 20");
DB_STMT(stmt_en_conflicts,
        "SELECT x.id, x.edition_id, v.title, mo.starts_at, mo.ends_at FROM enrolments x "
        "JOIN edition_meetings mo ON mo.edition_id = x.edition_id "
        "JOIN edition_meetings mn ON mn.edition_id = $2 AND mo.starts_at < mn.ends_at "
        "AND mn.starts_at < mo.ends_at JOIN editions e ON e.id = x.edition_id "
        "JOIN modules m ON m.id = e.module_id "
        "JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
        "WHERE x.person_id = $1 AND x.edition_id <> $2 AND x.state IN "
        "('waitlisted', 'offered', 'enrolled', 'requested') ORDER BY mo.starts_at LIMIT 10");

/* Budgets. An account is made from the group default on first use. */
DB_STMT(stmt_bu_ensure,
        "INSERT INTO budget_accounts (org_id, person_id, year, amount_cents, updated_at) "
        "SELECT $1, $2, $3, COALESCE((SELECT d.amount_cents FROM budget_defaults d "
        "JOIN memberships ms ON ms.org_id = d.org_id AND ms.person_id = $2 AND ms.kind = d.member_kind "
        "WHERE d.org_id = $1 AND d.year = $3), 0), $4 "
        "ON CONFLICT (org_id, person_id, year) DO NOTHING");
DB_STMT(stmt_bu_left,
        "SELECT amount_cents - reserved_cents - spent_cents FROM budget_accounts "
        "WHERE org_id = $1 AND person_id = $2 AND year = $3");
DB_STMT(stmt_bu_reserve,
        "UPDATE budget_accounts SET reserved_cents = reserved_cents + $4, updated_at = $5 "
        "WHERE org_id = $1 AND person_id = $2 AND year = $3 "
        "AND amount_cents - reserved_cents - spent_cents >= $4");
DB_STMT(stmt_bu_release,
        "UPDATE budget_accounts SET reserved_cents = reserved_cents - $4, updated_at = $5 "
        "WHERE org_id = $1 AND person_id = $2 AND year = $3 AND reserved_cents >= $4");
DB_STMT(stmt_bu_settle,
        "UPDATE budget_accounts SET reserved_cents = reserved_cents - $4, "
        "spent_cents = spent_cents + $4, updated_at = $5 "
        "WHERE org_id = $1 AND person_id = $2 AND year = $3 AND reserved_cents >= $4");
DB_STMT(stmt_bu_default_put,
        "INSERT INTO budget_defaults (org_id, year, member_kind, amount_cents) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (org_id, year, member_kind) DO UPDATE SET amount_cents = excluded.amount_cents");
/* Accounts that follow the default move with it, never below what is committed. */
DB_STMT(stmt_bu_default_apply,
        "UPDATE budget_accounts SET amount_cents = CASE WHEN reserved_cents + spent_cents > $4 "
        "THEN reserved_cents + spent_cents ELSE $4 END, updated_at = $5 "
        "WHERE org_id = $1 AND year = $2 AND personal = $6 AND person_id IN (SELECT person_id "
        "FROM memberships WHERE org_id = $1 AND kind = $3)");
DB_STMT(stmt_bu_person_put,
        "INSERT INTO budget_accounts (org_id, person_id, year, amount_cents, personal, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, person_id, year) DO UPDATE "
        "SET amount_cents = excluded.amount_cents, personal = excluded.personal, "
        "updated_at = excluded.updated_at "
        "WHERE budget_accounts.reserved_cents + budget_accounts.spent_cents <= excluded.amount_cents");
#define BUDGET_SELECT                                                                              \
	"SELECT p.id, p.name, ms.kind, COALESCE(b.amount_cents, d.amount_cents, 0), "                 \
	"COALESCE(b.reserved_cents, 0), COALESCE(b.spent_cents, 0), COALESCE(b.personal, $4) "       \
	"FROM memberships ms JOIN people p ON p.id = ms.person_id "                                   \
	"LEFT JOIN budget_accounts b ON b.org_id = ms.org_id AND b.person_id = ms.person_id "         \
	"AND b.year = $2 LEFT JOIN budget_defaults d ON d.org_id = ms.org_id AND d.year = $2 "        \
	"AND d.member_kind = ms.kind WHERE ms.org_id = $1 AND ms.ended_at IS NULL "
DB_STMT(stmt_bu_list, BUDGET_SELECT "AND $3 = 0 ORDER BY p.name, p.id LIMIT 20000");
DB_STMT(stmt_bu_one, BUDGET_SELECT "AND ms.person_id = $3");

/* Attendance and results. */
DB_STMT(stmt_at_meeting,
        "SELECT mt.edition_id, mt.starts_at, mt.ends_at FROM edition_meetings mt WHERE mt.id = $1");
DB_STMT(stmt_at_by_email,
        "SELECT x.id FROM enrolments x JOIN people p ON p.id = x.person_id WHERE x.edition_id = $1 "
        "AND p.email = $2 AND x.state IN ('enrolled', 'attended', 'no_show', 'completed', "
        "'not_completed')");
DB_STMT(stmt_at_put,
        "INSERT INTO attendance (enrolment_id, meeting_id, present, method, registered_by, "
        "registered_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (enrolment_id, meeting_id) "
        "DO UPDATE SET present = excluded.present, method = excluded.method, "
        "registered_by = excluded.registered_by, registered_at = excluded.registered_at");
DB_STMT(stmt_at_token_set, "UPDATE edition_meetings SET checkin_token_hash = $2 WHERE id = $1");
DB_STMT(stmt_at_token_find,
        "SELECT id, edition_id, starts_at, ends_at FROM edition_meetings WHERE checkin_token_hash = $1");
DB_STMT(stmt_at_mine,
        "SELECT id FROM enrolments WHERE edition_id = $1 AND person_id = $2 "
        "AND state IN ('enrolled', 'attended')");
DB_STMT(stmt_at_grid,
        "SELECT a.enrolment_id, a.meeting_id, a.present FROM attendance a "
        "JOIN edition_meetings mt ON mt.id = a.meeting_id WHERE mt.edition_id = $1");

/* Reading: the columns of struct enrolment. */
#define ENROLMENT_SELECT                                                                           \
	"SELECT x.id, x.edition_id, e.module_id, x.person_id, COALESCE(x.org_id, 0), p.name, p.email, " \
	"COALESCE(o.name, ''), v.title, e.code, x.state, x.approval_step, "                           \
	"CASE WHEN x.state = 'waitlisted' THEN (SELECT COUNT(*) FROM enrolments w "                    \
	"WHERE w.edition_id = x.edition_id AND w.state = 'waitlisted' AND w.waitlist_pos <= x.waitlist_pos) " \
	"ELSE 0 END, COALESCE(x.offer_expires_at, 0), x.price_cents, COALESCE(x.budget_state, ''), "  \
	"x.grade, x.reason, x.requested_at, x.updated_at, COALESCE(e.starts_at, 0), "                 \
	"COALESCE(e.ends_at, 0), COALESCE(e.cancel_until, e.starts_at, 0), e.place, "                 \
	"(SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = x.id AND a.present), "        \
	"(SELECT COUNT(*) FROM edition_meetings mt WHERE mt.edition_id = x.edition_id), e.always_open, " \
	"e.provider_id FROM enrolments x JOIN people p ON p.id = x.person_id "                        \
	"JOIN editions e ON e.id = x.edition_id JOIN modules m ON m.id = e.module_id "                \
	"JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "    \
	"LEFT JOIN organisations o ON o.id = x.org_id "
#define LIVE_FIRST                                                                                 \
	"ORDER BY CASE WHEN x.state IN ('requested', 'waitlisted', 'offered', 'enrolled') THEN 0 "     \
	"ELSE 1 END, "
DB_STMT(stmt_rd_one, ENROLMENT_SELECT "WHERE x.id = $1");
DB_STMT(stmt_rd_mine,
        ENROLMENT_SELECT "WHERE x.person_id = $1 " LIVE_FIRST
                         "COALESCE(e.starts_at, 0) DESC, x.id DESC LIMIT 1000");
DB_STMT(stmt_rd_edition,
        ENROLMENT_SELECT "WHERE x.edition_id = $1 AND ($2 = 0 OR x.org_id = $2) "
                         "AND x.state NOT IN ('refused', 'expired') " LIVE_FIRST
                         "lower(p.name), x.id LIMIT 5000");
DB_STMT(stmt_rd_org,
        ENROLMENT_SELECT "WHERE x.org_id = $1 AND ((CAST($2 AS TEXT) IS NULL AND x.state IN "
                         "('requested', 'waitlisted', 'offered', 'enrolled', 'attended')) "
                         "OR x.state = $2) " LIVE_FIRST
                         "COALESCE(e.starts_at, 0), lower(p.name), x.id LIMIT 1000");
DB_STMT(stmt_rd_approvals,
        ENROLMENT_SELECT "WHERE x.state = 'requested' AND ((x.approval_step = 1 AND x.org_id = $1 "
                         "AND $2 = 1) OR (x.approval_step = 2 AND x.org_id IN (SELECT org_id FROM "
                         "enrol_policies WHERE second_approver_id = $3))) "
                         "ORDER BY x.requested_at, x.id LIMIT 1000");
DB_STMT(stmt_rd_events,
        "SELECT ev.at, COALESCE(p.name, ''), ev.from_state, ev.to_state, ev.reason "
        "FROM enrolment_events ev LEFT JOIN people p ON p.id = ev.actor_id "
        "WHERE ev.enrolment_id = $1 ORDER BY ev.at, ev.id");
DB_STMT(stmt_rd_teaches,
        "SELECT COUNT(*) FROM edition_teachers WHERE edition_id = $1 AND person_id = $2");

/* Time-driven work. */
DB_STMT(stmt_tk_offers,
        "SELECT id, edition_id FROM enrolments WHERE state = 'offered' AND offer_expires_at <= $1 "
        "ORDER BY offer_expires_at, id LIMIT 1000");
DB_STMT(stmt_tk_requests,
        "SELECT x.id, x.edition_id, x.requested_at, COALESCE(x.reminded_at, 0), "
        "COALESCE(pl.remind_days, 3), COALESCE(pl.expire_days, 14) FROM enrolments x "
        "LEFT JOIN enrol_policies pl ON pl.org_id = x.org_id WHERE x.state = 'requested' "
        "ORDER BY x.requested_at, x.id LIMIT 5000");
DB_STMT(stmt_tk_starting,
        "SELECT x.id, mt.id FROM edition_meetings mt JOIN enrolments x ON x.edition_id = mt.edition_id "
        "AND x.state = 'enrolled' WHERE mt.starts_at > $1 AND mt.starts_at <= $2 "
        "AND NOT EXISTS (SELECT 1 FROM meeting_reminders r WHERE r.enrolment_id = x.id "
        "AND r.meeting_id = mt.id) ORDER BY mt.starts_at, x.id LIMIT 5000");
DB_STMT(stmt_tk_reminded,
        "INSERT INTO meeting_reminders (enrolment_id, meeting_id, sent_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (enrolment_id, meeting_id) DO NOTHING");

/* ---- rows in memory ---- */

/* What a step needs of the edition (the effective plan). */
struct ed {
	int64_t id, module_id, provider_id, local_org_id;
	bool always_open, cancelled, published, has_audience_orgs;
	int64_t capacity, seats_taken, opens, closes, cancel_until, price, offer_hours, starts, ends;
	const char *audience, *title, *place, *online_url;
	/* The meetings as calendar events, once read (a batch reads them once
	 * for all its bookings). */
	bool events_read;
	struct notify_event *events;
	size_t nevents;
};

struct en {
	int64_t id, edition_id, person_id, org_id;
	enum enrol_state state;
	int64_t approval_step, waitlist_pos, offer_expires_at, reservation_id, price, budget_year;
	const char *budget_state, *grade, *reason;
	int64_t decided_at, reminded_at, requested_at;
	const char *person_name, *person_email;
	const char *person_lang; /* NULL: not read (notify_person reads it) */
	/* Read in the same transaction just before (new_one), so take_seat can
	 * skip an UPDATE that could not change a row: a round trip less per
	 * enrolment on PostgreSQL in a storm. False: try. */
	bool no_spare_reservation, known_full;
};

struct policy {
	const char *approval;
	int64_t second_approver_id, remind_days, expire_days;
	bool budgets;
};

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

static struct db_param int_or_null(int64_t v)
{
	return v ? (struct db_param)DBP_INT(v) : (struct db_param)DBP_NULL;
}

static int count(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params, int64_t *n)
{
	return db_query_row(ctx->db, stmt, params, (const struct db_col[]){DBC_INT(n), DBC_END},
	                    ctx->arena);
}

static int refuse(const char **why, const char *msgid, int rc)
{
	*why = msgid;
	return rc;
}

static bool blank(const char *s)
{
	return !s || strspn(s, " \t\r\n") == strlen(s);
}

static bool reason_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n <= ENROL_REASON_MAX && (n == 0 || utf8_valid(s, n));
}

static int load_edition(struct ctx *ctx, int64_t id, struct ed *e)
{
	memset(e, 0, sizeof *e);
	e->id = id;
	return db_query_row(
	    ctx->db, &stmt_en_edition, (const struct db_param[]){DBP_INT(id), DBP_END},
	    (const struct db_col[]){DBC_INT(&e->module_id), DBC_INT(&e->provider_id),
	                            DBC_INT(&e->local_org_id), DBC_BOOL(&e->always_open),
	                            DBC_BOOL(&e->cancelled), DBC_BOOL(&e->published),
	                            DBC_INT(&e->capacity), DBC_INT(&e->seats_taken), DBC_INT(&e->opens),
	                            DBC_INT(&e->closes), DBC_INT(&e->cancel_until), DBC_INT(&e->price),
	                            DBC_TEXT(&e->audience), DBC_INT(&e->offer_hours),
	                            DBC_INT(&e->starts), DBC_INT(&e->ends), DBC_TEXT(&e->title),
	                            DBC_TEXT(&e->place), DBC_TEXT(&e->online_url),
	                            DBC_BOOL(&e->has_audience_orgs), DBC_END},
	    ctx->arena);
}

static int load_enrolment(struct ctx *ctx, int64_t id, struct en *x)
{
	memset(x, 0, sizeof *x);
	const char *state;
	int rc = db_query_row(
	    ctx->db, &stmt_en_row, (const struct db_param[]){DBP_INT(id), DBP_END},
	    (const struct db_col[]){
	        DBC_INT(&x->id), DBC_INT(&x->edition_id), DBC_INT(&x->person_id), DBC_INT(&x->org_id),
	        DBC_TEXT(&state), DBC_INT(&x->approval_step), DBC_INT(&x->waitlist_pos),
	        DBC_INT(&x->offer_expires_at), DBC_INT(&x->reservation_id), DBC_INT(&x->price),
	        DBC_INT(&x->budget_year), DBC_TEXT(&x->budget_state), DBC_TEXT(&x->grade),
	        DBC_TEXT(&x->reason), DBC_INT(&x->decided_at), DBC_INT(&x->reminded_at),
	        DBC_INT(&x->requested_at), DBC_TEXT(&x->person_name), DBC_TEXT(&x->person_email),
	        DBC_END},
	    ctx->arena);
	if (!rc)
		rc = enrol_state_parse(state, &x->state) ? CAMPUS_EDB : 0;
	return rc;
}

static int load_policy(struct ctx *ctx, int64_t org_id, struct policy *p)
{
	*p = (struct policy){.approval = "none", .remind_days = 3, .expire_days = 14};
	if (!org_id)
		return 0;
	int rc = db_query_row(ctx->db, &stmt_en_policy, (const struct db_param[]){DBP_INT(org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&p->approval),
	                                              DBC_INT(&p->second_approver_id),
	                                              DBC_BOOL(&p->budgets), DBC_INT(&p->remind_days),
	                                              DBC_INT(&p->expire_days), DBC_END},
	                      ctx->arena);
	return rc == CAMPUS_ENOTFOUND ? 0 : rc;
}

/* ---- messages ---- */

static int edition_events(struct ctx *ctx, const struct ed *e, struct notify_event **out,
                          size_t *n)
{
	if (e->events_read) {
		*out = e->events;
		*n = e->nevents;
		return 0;
	}
	struct edition_meeting mt;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof mt, .cur = &mt};
	int rc = db_query(ctx->db, &stmt_en_meetings, (const struct db_param[]){DBP_INT(e->id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&mt.id), DBC_INT(&mt.starts_at),
	                                          DBC_INT(&mt.ends_at), DBC_TEXT(&mt.place),
	                                          DBC_TEXT(&mt.online_url), DBC_END},
	                  ctx->arena, db_rows_collect, &rows);
	*out = NULL;
	*n = 0;
	if (rc || !rows.n)
		return rc;
	struct notify_event *ev = arena_zalloc(ctx->arena, rows.n * sizeof *ev);
	if (!ev)
		return CAMPUS_ENOMEM;
	const struct edition_meeting *m = rows.data;
	for (size_t i = 0; i < rows.n; i++) {
		const char *place = m[i].place[0] ? m[i].place : e->place;
		const char *link = m[i].online_url[0] ? m[i].online_url : e->online_url;
		ev[i] = (struct notify_event){
		    .uid = arena_printf(ctx->arena, "meeting-%lld@campus", (long long)m[i].id),
		    .starts_at = m[i].starts_at,
		    .ends_at = m[i].ends_at,
		    .summary = e->title,
		    .location = place[0] ? place : link,
		    .description = link,
		    .url = arena_printf(ctx->arena, "/uitvoeringen/%lld", (long long)e->id),
		};
		if (!ev[i].uid || !ev[i].url)
			return CAMPUS_ENOMEM;
	}
	*out = ev;
	*n = rows.n;
	return 0;
}

enum tell_events { NO_EVENTS, WITH_EVENTS, CANCEL_EVENTS };

/* One message to one person about an edition: {naam}, {titel}, {wanneer},
 * {reden}, {deadline} and {persoon} (the learner, in messages to approvers)
 * are filled in. The message lives in ctx's arena: told at once (tell) or
 * with the rest of a batch (notify_people). */
static int tell_msg(struct ctx *ctx, int64_t to, const char *to_name, const struct ed *e,
                    const struct en *x, const char *kind, const char *subject, const char *body,
                    const char *link, enum tell_events events, struct notify_msg *m)
{
	const char **vars = arena_alloc(ctx->arena, 13 * sizeof *vars);
	if (!vars)
		return CAMPUS_ENOMEM;
	const char *v[] = {"naam",     to_name,
	                   "titel",    e->title,
	                   "wanneer",  e->always_open ? "" : when_text(ctx->arena, e->starts, "nl", WHEN_DATE_TIME),
	                   "reden",    x && x->reason ? x->reason : "",
	                   "deadline", x ? when_text(ctx->arena, x->offer_expires_at, "nl", WHEN_DATE_TIME) : "",
	                   "persoon",  x ? x->person_name : "",
	                   NULL};
	memcpy(vars, v, sizeof v);
	*m = (struct notify_msg){.kind = kind, .subject = subject, .body = body, .link = link,
	                         .vars = vars, .cancel = events == CANCEL_EVENTS, .mail = true};
	if (x && to == x->person_id && x->person_lang) {
		m->to_email = x->person_email;
		m->to_lang = x->person_lang;
	}
	if (events != NO_EVENTS && !e->always_open) {
		struct notify_event *ev;
		int rc = edition_events(ctx, e, &ev, &m->nevents);
		if (rc)
			return rc;
		m->events = ev;
	}
	return 0;
}

static int tell(struct ctx *ctx, int64_t to, const char *to_name, const struct ed *e,
                const struct en *x, const char *kind, const char *subject, const char *body,
                const char *link, enum tell_events events)
{
	struct notify_msg m;
	int rc = tell_msg(ctx, to, to_name, e, x, kind, subject, body, link, events, &m);
	return rc ? rc : notify_person(ctx, to, &m);
}

/* The learner's message; item NULL: told at once, else made for a batch. */
static int tell_learner_to(struct ctx *ctx, const struct ed *e, const struct en *x,
                           const char *kind, const char *subject, const char *body,
                           enum tell_events events, struct notify_item *item)
{
	const char *link = arena_printf(ctx->arena, "/mijn/leren#inschrijving-%lld", (long long)x->id);
	if (!link)
		return CAMPUS_ENOMEM;
	if (!item)
		return tell(ctx, x->person_id, x->person_name, e, x, kind, subject, body, link, events);
	*item = (struct notify_item){.ctx = ctx, .person_id = x->person_id};
	return tell_msg(ctx, x->person_id, x->person_name, e, x, kind, subject, body, link, events,
	                &item->msg);
}

static int tell_learner(struct ctx *ctx, const struct ed *e, const struct en *x, const char *kind,
                        const char *subject, const char *body, enum tell_events events)
{
	return tell_learner_to(ctx, e, x, kind, subject, body, events, NULL);
}

/* The learner hears what their enrolment became: told at once (item NULL)
 * or made for a batch's notify_people. */
static int tell_state_to(struct ctx *ctx, const struct ed *e, const struct en *x,
                         struct notify_item *item)
{
	switch (x->state) {
	case ENROL_ENROLLED:
		return tell_learner_to(ctx, e, x, "enrol.enrolled", N_("Ingeschreven: {titel}"),
		                    N_("Beste {naam},\n\nJe bent ingeschreven voor {titel}. De eerste "
		                       "bijeenkomst is {wanneer}. De agenda-uitnodiging zit bij dit "
		                       "bericht.\n\nJe inschrijvingen staan op Mijn leren."),
		                    WITH_EVENTS, item);
	case ENROL_WAITLISTED:
		return tell_learner_to(ctx, e, x, "enrol.waitlisted", N_("Op de wachtlijst: {titel}"),
		                    N_("Beste {naam},\n\n{titel} is vol. Je staat op de wachtlijst; "
		                       "komt er een plaats vrij, dan krijg je die op volgorde van "
		                       "aanmelding en hoor je het meteen."),
		                    NO_EVENTS, item);
	case ENROL_OFFERED:
		return tell_learner_to(ctx, e, x, "enrol.offered", N_("Er is een plaats vrij: {titel}"),
		                    N_("Beste {naam},\n\nEr is een plaats vrijgekomen bij {titel}. Neem "
		                       "hem aan op Mijn leren vóór {deadline}; daarna gaat de plaats naar "
		                       "de volgende op de wachtlijst."),
		                    NO_EVENTS, item);
	case ENROL_REQUESTED:
		return tell_learner_to(ctx, e, x, "enrol.requested", N_("Aanvraag verstuurd: {titel}"),
		                    N_("Beste {naam},\n\nJe aanvraag voor {titel} is verstuurd ter "
		                       "goedkeuring. Je hoort het zodra er een besluit is."),
		                    NO_EVENTS, item);
	case ENROL_REFUSED:
		return tell_learner_to(ctx, e, x, "enrol.refused", N_("Aanvraag afgewezen: {titel}"),
		                    N_("Beste {naam},\n\nJe aanvraag voor {titel} is afgewezen.\n\n"
		                       "Reden: {reden}"),
		                    NO_EVENTS, item);
	case ENROL_CANCELLED:
		return tell_learner_to(ctx, e, x, "enrol.cancelled", N_("Inschrijving geannuleerd: {titel}"),
		                    N_("Beste {naam},\n\nJe inschrijving voor {titel} is geannuleerd.\n\n"
		                       "{reden}"),
		                    CANCEL_EVENTS, item);
	case ENROL_EXPIRED:
		return tell_learner_to(ctx, e, x, "enrol.expired", N_("Verlopen: {titel}"),
		                    N_("Beste {naam},\n\nJe aanvraag of de aangeboden plaats voor "
		                       "{titel} is verlopen. Je kunt je opnieuw aanmelden zolang de "
		                       "inschrijving open is."),
		                    NO_EVENTS, item);
	default: /* nothing to say; a batch asking for an item would be left without one */
		return item ? CAMPUS_EINTERNAL : 0;
	}
}

static int tell_state(struct ctx *ctx, const struct ed *e, const struct en *x)
{
	return tell_state_to(ctx, e, x, NULL);
}

/* Those who decide a request: the library's managers (step 1) or the
 * second approver (step 2). */
static int tell_approvers(struct ctx *ctx, const struct ed *e, const struct en *x,
                          const struct policy *pol, bool reminder)
{
	const char *subject = reminder ? N_("Herinnering: aanvraag wacht op je besluit")
	                               : N_("Aanvraag om goedkeuring: {titel}");
	const char *body = N_("{persoon} vraagt om goedkeuring voor {titel} ({wanneer}). "
	                      "Besluit in je overzicht van aanvragen.");
	const char *slug = "";
	int rc = db_query_row(ctx->db, &stmt_en_org_slug, (const struct db_param[]){DBP_INT(x->org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&slug), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	const char *link = arena_printf(ctx->arena, "/b/%s/goedkeuringen", slug);
	if (!link)
		return CAMPUS_ENOMEM;
	if (x->approval_step == 2 && pol->second_approver_id)
		return tell(ctx, pol->second_approver_id, "", e, x, "enrol.approve", subject, body, link,
		            NO_EVENTS);
	int64_t cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_en_managers, (const struct db_param[]){DBP_INT(x->org_id), DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect,
	                  &rows);
	const int64_t *ids = rows.data;
	for (size_t i = 0; !rc && i < rows.n && i < APPROVERS_MAX; i++)
		if (ids[i] != x->person_id)
			rc = tell(ctx, ids[i], "", e, x, "enrol.approve", subject, body, link, NO_EVENTS);
	return rc;
}

/* ---- the one transition ---- */

static int waiting_add(struct ctx *ctx, int64_t edition_id, int64_t delta)
{
	return db_exec_later(ctx->db, &stmt_en_waiting_add,
	                     (const struct db_param[]){DBP_INT(edition_id), DBP_INT(delta), DBP_END});
}

static int transition(struct ctx *ctx, struct en *x, enum enrol_state to, const char *why_text)
{
	enum enrol_state from = x->state;
	int64_t now = ctx->now(), changed = 0;
	x->state = to;
	int rc = db_exec(
	    ctx->db, &stmt_en_update,
	    (const struct db_param[]){
	        DBP_INT(x->id), DBP_TEXT(state_names[to]), DBP_INT(x->approval_step),
	        int_or_null(x->waitlist_pos), int_or_null(x->offer_expires_at),
	        int_or_null(x->reservation_id), int_or_null(x->budget_year),
	        x->budget_state && x->budget_state[0] ? (struct db_param)DBP_TEXT(x->budget_state)
	                                              : (struct db_param)DBP_NULL,
	        DBP_TEXT(x->grade ? x->grade : ""), DBP_TEXT(x->reason ? x->reason : ""),
	        int_or_null(x->decided_at), int_or_null(x->reminded_at), DBP_INT(now),
	        DBP_TEXT(state_names[from]), DBP_END},
	    &changed);
	if (!rc && changed != 1)
		rc = CAMPUS_EBUSY; /* moved under us: run the step again */
	if (!rc && (from == ENROL_WAITLISTED) != (to == ENROL_WAITLISTED))
		rc = waiting_add(ctx, x->edition_id, to == ENROL_WAITLISTED ? 1 : -1);
	if (!rc)
		rc = db_exec_later(ctx->db, &stmt_en_event,
		                   (const struct db_param[]){DBP_INT(x->id), DBP_INT(now),
		                                             int_or_null(ctx->actor.person_id),
		                                             DBP_TEXT(state_names[from]),
		                                             DBP_TEXT(state_names[to]),
		                                             DBP_TEXT(why_text ? why_text : ""), DBP_END});
	if (!rc) {
		const char *action = arena_printf(ctx->arena, "enrol.%s", state_names[to]);
		const char *detail = arena_printf(ctx->arena, "%s->%s", state_names[from], state_names[to]);
		rc = action && detail ? audit_record(ctx, action, "enrolment", id_text(ctx, x->id), "ok",
		                                     detail)
		                      : CAMPUS_ENOMEM;
	}
	return rc;
}

/* The audit row of a row just inserted (x->id, x->state set). */
static int created_audit(struct ctx *ctx, const struct en *x)
{
	const char *action = arena_printf(ctx->arena, "enrol.%s", state_names[x->state]);
	const char *detail = arena_printf(ctx->arena, "edition=%lld person=%lld",
	                                  (long long)x->edition_id, (long long)x->person_id);
	return action && detail
	           ? audit_record(ctx, action, "enrolment", id_text(ctx, x->id), "ok", detail)
	           : CAMPUS_ENOMEM;
}

/* The first event and audit row of a row just inserted (x->id, x->state,
 * x->requested_at set): from "" to its state. */
static int created(struct ctx *ctx, const struct en *x)
{
	int rc = db_exec_later(ctx->db, &stmt_en_event,
	                       (const struct db_param[]){DBP_INT(x->id), DBP_INT(x->requested_at),
	                                                 int_or_null(ctx->actor.person_id), DBP_TEXT(""),
	                                                 DBP_TEXT(state_names[x->state]), DBP_TEXT(""),
	                                                 DBP_END});
	return rc ? rc : created_audit(ctx, x);
}

/* A new row: its first transition is from "" to state. */
static int create(struct ctx *ctx, struct en *x, enum enrol_state state)
{
	int64_t now = ctx->now();
	x->state = state;
	x->requested_at = now;
	int rc = db_query_row(
	    ctx->db, &stmt_en_insert,
	    (const struct db_param[]){
	        DBP_INT(x->edition_id), DBP_INT(x->person_id), int_or_null(x->org_id),
	        DBP_TEXT(state_names[state]), DBP_INT(x->approval_step), int_or_null(x->waitlist_pos),
	        int_or_null(x->offer_expires_at), int_or_null(x->reservation_id), DBP_INT(x->price),
	        int_or_null(x->budget_year),
	        x->budget_state && x->budget_state[0] ? (struct db_param)DBP_TEXT(x->budget_state)
	                                              : (struct db_param)DBP_NULL,
	        DBP_INT(now), int_or_null(ctx->actor.person_id), DBP_END},
	    (const struct db_col[]){DBC_INT(&x->id), DBC_END}, ctx->arena);
	if (!rc && state == ENROL_WAITLISTED)
		rc = waiting_add(ctx, x->edition_id, 1);
	return rc ? rc : created(ctx, x);
}

/* ---- money ---- */

static int budget_year_of(const struct ed *e, int64_t now)
{
	struct when_local l;
	when_to_local(e->starts && !e->always_open ? e->starts : now, &l);
	return l.year;
}

static int budget_ensure(struct ctx *ctx, int64_t org, int64_t person, int year)
{
	return db_exec(ctx->db, &stmt_bu_ensure,
	               (const struct db_param[]){DBP_INT(org), DBP_INT(person), DBP_INT(year),
	                                         DBP_INT(ctx->now()), DBP_END},
	               NULL);
}

static int budget_left(struct ctx *ctx, int64_t org, int64_t person, int year, int64_t *left)
{
	int rc = budget_ensure(ctx, org, person, year);
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_bu_left,
		                  (const struct db_param[]){DBP_INT(org), DBP_INT(person), DBP_INT(year),
		                                            DBP_END},
		                  (const struct db_col[]){DBC_INT(left), DBC_END}, ctx->arena);
	return rc;
}

/* Reserves the price; *ok false (nothing written) when too little is left. */
static int budget_reserve(struct ctx *ctx, const struct ed *e, struct en *x, bool *ok)
{
	int year = budget_year_of(e, ctx->now());
	int64_t changed = 0;
	int rc = budget_ensure(ctx, x->org_id, x->person_id, year);
	if (!rc)
		rc = db_exec(ctx->db, &stmt_bu_reserve,
		             (const struct db_param[]){DBP_INT(x->org_id), DBP_INT(x->person_id),
		                                       DBP_INT(year), DBP_INT(x->price),
		                                       DBP_INT(ctx->now()), DBP_END},
		             &changed);
	*ok = !rc && changed == 1;
	if (*ok) {
		x->budget_year = year;
		x->budget_state = "reserved";
	}
	return rc;
}

static int budget_finish(struct ctx *ctx, struct en *x, bool settle)
{
	if (!x->budget_state || strcmp(x->budget_state, "reserved"))
		return 0;
	int64_t changed = 0;
	int rc = db_exec(ctx->db, settle ? &stmt_bu_settle : &stmt_bu_release,
	                 (const struct db_param[]){DBP_INT(x->org_id), DBP_INT(x->person_id),
	                                           DBP_INT(x->budget_year), DBP_INT(x->price),
	                                           DBP_INT(ctx->now()), DBP_END},
	                 &changed);
	if (!rc && changed != 1)
		return CAMPUS_EINTERNAL; /* the reservation must be there */
	x->budget_state = settle ? "settled" : "released";
	return rc;
}

/* ---- seats ---- */

/* A seat for x: from its library's reservation if one is spare, else a
 * free one. *got false when the edition is full. */
static int take_seat(struct ctx *ctx, struct en *x, bool *got)
{
	*got = false;
	if (x->org_id && !x->no_spare_reservation) {
		int64_t rid = 0;
		int rc = db_query_row(ctx->db, &stmt_en_reservation_take,
		                      (const struct db_param[]){DBP_INT(x->edition_id), DBP_INT(x->org_id),
		                                                DBP_END},
		                      (const struct db_col[]){DBC_INT(&rid), DBC_END}, ctx->arena);
		if (rc != CAMPUS_ENOTFOUND) {
			if (!rc) {
				x->reservation_id = rid;
				*got = true;
			}
			return rc;
		}
	}
	if (x->known_full)
		return 0;
	int64_t changed = 0;
	int rc = db_exec(ctx->db, &stmt_en_seats_add,
	                 (const struct db_param[]){DBP_INT(x->edition_id), DBP_INT(1), DBP_END}, &changed);
	*got = !rc && changed == 1;
	return rc;
}

/* The seat goes back where it came from: a reserved seat to the library. */
static int free_seat(struct ctx *ctx, struct en *x)
{
	int64_t changed = 0;
	int rc;
	if (x->reservation_id) {
		rc = db_exec(ctx->db, &stmt_en_reservation_give,
		             (const struct db_param[]){DBP_INT(x->reservation_id), DBP_END}, &changed);
		x->reservation_id = 0;
	} else {
		rc = db_exec(ctx->db, &stmt_en_seats_add,
		             (const struct db_param[]){DBP_INT(x->edition_id), DBP_INT(-1), DBP_END},
		             &changed);
	}
	return rc ? rc : changed == 1 ? 0 : CAMPUS_EINTERNAL;
}

static int waitlist_position(struct ctx *ctx, struct en *x)
{
	return db_query_row(ctx->db, &stmt_en_waitlist_next,
	                    (const struct db_param[]){DBP_INT(x->edition_id), DBP_END},
	                    (const struct db_col[]){DBC_INT(&x->waitlist_pos), DBC_END}, ctx->arena);
}

/* Approved (or needing no approval): a seat, else the waitlist. The budget
 * is reserved first; *why set (nothing written) when it does not reach. */
static int place(struct ctx *ctx, const struct ed *e, const struct policy *pol, struct en *x,
                 bool fresh, const char **why)
{
	if (pol->budgets && x->price > 0 && x->org_id &&
	    (!x->budget_state || strcmp(x->budget_state, "reserved"))) {
		bool ok;
		int rc = budget_reserve(ctx, e, x, &ok);
		if (rc)
			return rc;
		if (!ok)
			return refuse(why, N_("Het resterende opleidingsbudget van deze persoon is te laag "
			                      "voor deze uitvoering. Verhoog eerst het budget of wijs af."),
			              CAMPUS_ECONFLICT);
	}
	bool got;
	int rc = take_seat(ctx, x, &got);
	if (!rc && !got)
		rc = waitlist_position(ctx, x);
	if (rc)
		return rc;
	enum enrol_state to = got ? ENROL_ENROLLED : ENROL_WAITLISTED;
	x->approval_step = 0;
	rc = fresh ? create(ctx, x, to) : transition(ctx, x, to, "");
	if (!rc)
		rc = tell_state(ctx, e, x);
	return rc;
}

int enrol_fill_seats(struct ctx *ctx, int64_t edition_id)
{
	struct ed e;
	int rc = load_edition(ctx, edition_id, &e);
	if (rc)
		return rc;
	if (e.cancelled || (!e.always_open && e.starts <= ctx->now()))
		return 0; /* nobody is moved into an edition that has begun */
	for (int i = 0; i < FILL_MAX; i++) {
		int64_t id = 0;
		struct db_param p[] = {DBP_INT(edition_id), DBP_END};
		struct db_col c[] = {DBC_INT(&id), DBC_END};
		rc = db_query_row(ctx->db, &stmt_en_next_reserved, p, c, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND) {
			int64_t cap = 0, taken = 0;
			bool cancelled, ahead;
			rc = db_query_row(ctx->db, &stmt_en_seats,
			                  (const struct db_param[]){DBP_INT(edition_id), DBP_BOOL(true),
			                                            DBP_INT(ctx->now()), DBP_END},
			                  (const struct db_col[]){DBC_INT(&cap), DBC_INT(&taken),
			                                          DBC_BOOL(&cancelled), DBC_BOOL(&ahead),
			                                          DBC_END},
			                  ctx->arena);
			if (rc || (cap && taken >= cap))
				return rc;
			rc = db_query_row(ctx->db, &stmt_en_next_waiting, p, c, ctx->arena);
		}
		if (rc == CAMPUS_ENOTFOUND)
			return 0;
		if (rc)
			return rc;
		struct en x;
		bool got;
		rc = load_enrolment(ctx, id, &x);
		if (!rc)
			rc = take_seat(ctx, &x, &got);
		if (rc)
			return rc;
		if (!got)
			return 0;
		if (e.offer_hours > 0) {
			x.offer_expires_at = ctx->now() + e.offer_hours * HOUR;
			rc = transition(ctx, &x, ENROL_OFFERED, "");
		} else {
			rc = transition(ctx, &x, ENROL_ENROLLED, "");
		}
		if (!rc)
			rc = tell_state(ctx, &e, &x);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- enrolling ---- */

struct new_args {
	struct ctx *ctx;
	int64_t edition_id, person_id, org_id;
	bool by_manager;
	struct enrol_result *out;
	const char **why;
};

static const char *live_refusal(const char *state)
{
	if (!strcmp(state, "requested"))
		return N_("Je aanvraag voor deze uitvoering loopt al.");
	if (!strcmp(state, "waitlisted"))
		return N_("Je staat al op de wachtlijst van deze uitvoering.");
	if (!strcmp(state, "offered"))
		return N_("Er staat al een plaats voor je klaar; neem hem aan op Mijn leren.");
	if (!strcmp(state, "enrolled") || !strcmp(state, "attended"))
		return N_("Je bent al ingeschreven voor deze uitvoering.");
	return N_("Je hebt deze uitvoering al gevolgd.");
}

/* Everything a new enrolment is decided on, in one round trip: the
 * edition's effective plan, the person, their membership, a live enrolment
 * they may already have, the library's policy and a spare reserved seat.
 * ORG is the library (an SQL expression); the edition is e, the person p,
 * the policy pl (joined by the caller). */
#define NEW_COLS(ORG)                                                                              \
	"e.module_id, e.provider_id, COALESCE(m.local_org_id, 0), e.always_open, "                     \
	"e.cancelled_at IS NOT NULL, m.published_version_id IS NOT NULL, COALESCE(e.capacity, 0), "    \
	"e.seats_taken, COALESCE(e.enrol_opens_at, 0), COALESCE(e.enrol_closes_at, e.starts_at, 0), "  \
	"COALESCE(e.cancel_until, e.starts_at, 0), COALESCE(e.price_cents, v.price_cents), "           \
	"COALESCE(e.audience, v.audience), e.offer_hours, COALESCE(e.starts_at, 0), "                  \
	"COALESCE(e.ends_at, 0), v.title, e.place, e.online_url, FALSE, "                              \
	"p.name, p.email, p.lang, "                                                                    \
	"COALESCE((SELECT ms.kind FROM memberships ms WHERE ms.person_id = p.id AND ms.org_id = " ORG  \
	" AND ms.ended_at IS NULL), ''), "                                                             \
	"m.local_org_id IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.person_id = p.id "    \
	"AND ms.org_id = m.local_org_id AND ms.ended_at IS NULL), "                                    \
	"NOT EXISTS (SELECT 1 FROM edition_audience_orgs a WHERE a.edition_id = e.id) OR EXISTS "      \
	"(SELECT 1 FROM edition_audience_orgs a WHERE a.edition_id = e.id AND a.org_id = " ORG "), "   \
	"COALESCE((SELECT x.state FROM enrolments x WHERE x.edition_id = e.id AND x.person_id = p.id " \
	"AND x.state IN ('requested', 'waitlisted', 'offered', 'enrolled', 'attended', "               \
	"'completed', 'not_completed', 'no_show')), ''), "                                             \
	"COALESCE(pl.approval, 'none'), COALESCE(pl.second_approver_id, 0), "                          \
	"COALESCE(pl.budgets, FALSE), COALESCE(pl.remind_days, 3), COALESCE(pl.expire_days, 14), "     \
	"EXISTS (SELECT 1 FROM edition_reservations r WHERE r.edition_id = e.id AND r.org_id = " ORG   \
	" AND r.used < r.seats) "
#define NEW_FROM                                                                                   \
	"FROM editions e JOIN modules m ON m.id = e.module_id "                                        \
	"JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
DB_STMT(stmt_en_new, "SELECT " NEW_COLS("$3") NEW_FROM "JOIN people p ON p.id = $2 "
                     "LEFT JOIN enrol_policies pl ON pl.org_id = $3 WHERE e.id = $1");

struct pre {
	const char *person_name, *person_email, *person_lang;
	const char *kind;      /* membership kind in the library, "" none */
	bool may_see_local;    /* national, or a member of the module's library */
	bool audience_org_ok;  /* no organisations named, or the library is one */
	const char *live;      /* state of a live enrolment, "" none */
	struct policy pol;
	bool spare_reservation; /* the library holds an unused reserved seat */
};

static int load_new(struct ctx *ctx, int64_t edition_id, int64_t person, int64_t org,
                    struct ed *e, struct pre *p)
{
	memset(e, 0, sizeof *e);
	memset(p, 0, sizeof *p);
	e->id = edition_id;
	return db_query_row(
	    ctx->db, &stmt_en_new,
	    (const struct db_param[]){DBP_INT(edition_id), DBP_INT(person), DBP_INT(org), DBP_END},
	    (const struct db_col[]){
	        DBC_INT(&e->module_id), DBC_INT(&e->provider_id), DBC_INT(&e->local_org_id),
	        DBC_BOOL(&e->always_open), DBC_BOOL(&e->cancelled), DBC_BOOL(&e->published),
	        DBC_INT(&e->capacity), DBC_INT(&e->seats_taken), DBC_INT(&e->opens),
	        DBC_INT(&e->closes), DBC_INT(&e->cancel_until), DBC_INT(&e->price),
	        DBC_TEXT(&e->audience), DBC_INT(&e->offer_hours), DBC_INT(&e->starts),
	        DBC_INT(&e->ends), DBC_TEXT(&e->title), DBC_TEXT(&e->place), DBC_TEXT(&e->online_url),
	        DBC_BOOL(&e->has_audience_orgs), DBC_TEXT(&p->person_name),
	        DBC_TEXT(&p->person_email), DBC_TEXT(&p->person_lang), DBC_TEXT(&p->kind),
	        DBC_BOOL(&p->may_see_local),
	        DBC_BOOL(&p->audience_org_ok), DBC_TEXT(&p->live), DBC_TEXT(&p->pol.approval),
	        DBC_INT(&p->pol.second_approver_id), DBC_BOOL(&p->pol.budgets),
	        DBC_INT(&p->pol.remind_days), DBC_INT(&p->pol.expire_days),
	        DBC_BOOL(&p->spare_reservation), DBC_END},
	    ctx->arena);
}

/* May the person (in org) take part in e at all? */
static int check_audience(const struct ed *e, const struct pre *p, int64_t org, const char **why)
{
	if (!p->may_see_local)
		return refuse(why, N_("Deze uitvoering bestaat niet."), CAMPUS_ENOTFOUND);
	if (org && !p->kind[0])
		return refuse(why, N_("Deze persoon is geen lid van de bibliotheek."), CAMPUS_EFORBIDDEN);
	const char *kind = org ? p->kind : "external";
	if ((!strcmp(e->audience, "employees") && strcmp(kind, "employee")) ||
	    (!strcmp(e->audience, "volunteers") && strcmp(kind, "volunteer")))
		return refuse(why,
		              !strcmp(e->audience, "employees")
		                  ? N_("Deze uitvoering is alleen voor medewerkers.")
		                  : N_("Deze uitvoering is alleen voor vrijwilligers."),
		              CAMPUS_EFORBIDDEN);
	if (!p->audience_org_ok)
		return refuse(why, N_("Deze uitvoering is voor andere organisaties georganiseerd."),
		              CAMPUS_EFORBIDDEN);
	return 0;
}

/* The refusals of a new enrolment, all decided on what load_new read. */
static int new_refusal(const struct ed *e, const struct pre *p, int64_t org, bool by_manager,
                       int64_t now, const char **why)
{
	if (!e->published)
		return refuse(why, N_("Deze uitvoering bestaat niet."), CAMPUS_ENOTFOUND);
	int rc = check_audience(e, p, org, why);
	if (rc)
		return rc;
	if (e->cancelled)
		return refuse(why, N_("Deze uitvoering is geannuleerd."), CAMPUS_ECONFLICT);
	if (!e->always_open && e->starts <= now)
		return refuse(why, N_("Deze uitvoering is al begonnen of voorbij."), CAMPUS_ECONFLICT);
	if (!by_manager && !e->always_open && e->opens && now < e->opens)
		return refuse(why, N_("Inschrijven voor deze uitvoering is nog niet open."),
		              CAMPUS_ECONFLICT);
	if (!by_manager && !e->always_open && e->closes && now >= e->closes)
		return refuse(why, N_("De inschrijving voor deze uitvoering is gesloten."),
		              CAMPUS_ECONFLICT);
	if (p->live[0])
		return refuse(why, live_refusal(p->live), CAMPUS_ECONFLICT);
	return 0;
}

/* Approval, a budget or a reserved seat: more than a plain seat or waitlist
 * place (new_one decides those; a batch runs such a request alone). */
static bool policy_asks(const struct policy *pol, bool costs)
{
	return !strcmp(pol->approval, "always") || (!strcmp(pol->approval, "cost") && costs);
}

/* One new enrolment inside the caller's keyed transaction on ctx->db. A
 * refusal (*why set) is decided before anything is written, except the
 * budget account made from the default on first use (budget_left), which
 * changes no amount. */
static int new_one(const struct new_args *a)
{
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now();
	*a->why = NULL;
	memset(a->out, 0, sizeof *a->out);
	struct ed e;
	struct pre p;
	int rc = load_new(ctx, a->edition_id, a->person_id, a->org_id, &e, &p);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(a->why, N_("Deze uitvoering bestaat niet."), CAMPUS_ENOTFOUND);
	if (!rc)
		rc = new_refusal(&e, &p, a->org_id, a->by_manager, now, a->why);
	if (rc)
		return rc;

	const struct policy *pol = &p.pol;
	bool costs = e.price > 0;
	bool asks = policy_asks(pol, costs);
	bool short_budget = false;
	if (pol->budgets && costs && a->org_id) {
		int64_t left = 0;
		rc = budget_left(ctx, a->org_id, a->person_id, budget_year_of(&e, now), &left);
		if (rc)
			return rc;
		short_budget = left < e.price;
	}
	struct en x = {.edition_id = e.id, .person_id = a->person_id, .org_id = a->org_id,
	               .price = e.price, .reason = "", .grade = "",
	               .person_name = p.person_name, .person_email = p.person_email,
	               .person_lang = p.person_lang, .no_spare_reservation = !p.spare_reservation,
	               .known_full = e.capacity && e.seats_taken >= e.capacity};
	if (a->by_manager) {
		if (short_budget)
			return refuse(a->why, N_("Het resterende opleidingsbudget van deze persoon is te "
			                         "laag voor deze uitvoering."),
			              CAMPUS_ECONFLICT);
		if (asks && pol->second_approver_id && pol->second_approver_id != ctx->actor.person_id)
			x.approval_step = 2;
	} else if (asks || short_budget) {
		x.approval_step = 1;
	}
	if (x.approval_step) {
		rc = create(ctx, &x, ENROL_REQUESTED);
		if (!rc)
			rc = tell_approvers(ctx, &e, &x, pol, false);
		if (!rc)
			rc = tell_state(ctx, &e, &x);
	} else {
		rc = place(ctx, &e, pol, &x, true, a->why);
	}
	if (!rc) {
		a->out->enrolment_id = x.id;
		a->out->state = x.state;
		a->out->waitlist_pos = x.waitlist_pos; /* turned into a place after commit */
	}
	return rc;
}

static int new_tx(struct db_conn *db, void *cls)
{
	(void)db;
	return new_one(cls);
}

/* After the commit, outside the edition's lock: where in the queue, and
 * which of the person's other bookings overlap. */
static int describe(struct ctx *ctx, int64_t person_id, int64_t edition_id,
                    struct enrol_result *out, bool placed, bool overlap)
{
	int rc = 0;
	if (placed)
		; /* waitlist_pos is the place already (batch_tx) */
	else if (out->state == ENROL_WAITLISTED)
		rc = count(ctx, &stmt_en_waiting_place,
		           (const struct db_param[]){DBP_INT(edition_id), DBP_INT(out->waitlist_pos),
		                                     DBP_END},
		           &out->waitlist_pos);
	else
		out->waitlist_pos = 0;
	struct enrol_conflict c;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof c, .cur = &c};
	if (!rc && overlap)
		rc = db_query(ctx->db, &stmt_en_conflicts,
		              (const struct db_param[]){DBP_INT(person_id), DBP_INT(edition_id), DBP_END},
		              (const struct db_col[]){DBC_INT(&c.enrolment_id), DBC_INT(&c.edition_id),
		                                      DBC_TEXT(&c.module_title), DBC_INT(&c.starts_at),
		                                      DBC_INT(&c.ends_at), DBC_END},
		              ctx->arena, db_rows_collect, &rows);
	out->conflicts = rows.data;
	out->nconflicts = rc ? 0 : rows.n;
	return 0; /* the enrolment stands; a failed description is not a failed enrolment */
}

static int enrol_new(struct ctx *ctx, int64_t edition_id, int64_t person_id, int64_t org_id,
                     bool by_manager, struct enrol_result *out, const char **why)
{
	memset(out, 0, sizeof *out);
	*why = NULL;
	struct new_args a = {ctx, edition_id, person_id, org_id, by_manager, out, why};
	int rc = db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), new_tx, &a);
	if (!rc)
		describe(ctx, person_id, edition_id, out, false, true);
	return rc;
}

/* Only libraries and POIs have a policy and budgets; someone working in a
 * provider or the campus enrols for no library. */
int64_t enrol_library_of(struct ctx *ctx, int64_t org_id)
{
	const char *kind = NULL;
	if (!org_id ||
	    db_query_row(ctx->db, &stmt_en_org_kind, (const struct db_param[]){DBP_INT(org_id), DBP_END},
	                 (const struct db_col[]){DBC_TEXT(&kind), DBC_END}, ctx->arena))
		return 0;
	return !strcmp(kind, "library") || !strcmp(kind, "poi") ? org_id : 0;
}

/* ---- enrolling together (enrol_self; the queue is enrol_queue.c) ----
 *
 * A batch is a handful of statements whatever its size: one read for all
 * its learners (stmt_en_batch_new), then, for each run of plain requests (no
 * approval, no budget, no reserved seat of their library, nobody twice), one
 * guarded UPDATE of the edition's seats and waitlist counter and one
 * multi-row INSERT of the enrolments; their events, audit rows,
 * notifications and mails are sent ahead (db_exec_later). Anyone needing
 * more runs alone in order through new_one, in the same transaction. */

/* The learners as one JSON parameter, [[person, library], ...] in arrival
 * order; a row per learner who exists, with their place in that order. */
#define BATCH_TAIL                                                                                 \
	", COALESCE(lo.id, 0), e.waitlist_seq, e.waiting, "                                            \
	"EXISTS (SELECT 1 FROM enrolments x JOIN edition_meetings mo ON mo.edition_id = x.edition_id " \
	"JOIN edition_meetings mn ON mn.edition_id = e.id AND mo.starts_at < mn.ends_at "              \
	"AND mn.starts_at < mo.ends_at WHERE x.person_id = p.id AND x.edition_id <> e.id "             \
	"AND x.state NOT IN ('refused', 'expired', 'cancelled', 'attended', 'no_show', 'completed', "  \
	"'not_completed')) "
/* The library (the second number, the actor's organisation when it is a
 * library or POI: enrol_library_of) is resolved here too, and whether the
 * learner has bookings that could overlap (else describe asks nothing).
 * Those bookings are the states other than the seven written out (the
 * CHECK of enrolments.state leaves waitlisted, offered, enrolled and
 * requested): so written, PostgreSQL looks them up by person
 * (enrolments_person) instead of walking all of enrolments_live, whose
 * partial condition an IN list of those four implies (0.05-0.15 ms per
 * learner in the storm against 0.002 ms). */
DB_STMT2(stmt_en_batch_new,
         "SELECT j.i - 1, " NEW_COLS("COALESCE(lo.id, 0)") BATCH_TAIL
         "FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS j(v, i) "
         "JOIN people p ON p.id = (j.v->>0)::bigint "
         "JOIN editions e ON e.id = $1 JOIN modules m ON m.id = e.module_id "
         "JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
         "LEFT JOIN organisations lo ON lo.id = (j.v->>1)::bigint AND lo.kind IN ('library', 'poi') "
         "LEFT JOIN enrol_policies pl ON pl.org_id = lo.id ORDER BY j.i",
         "SELECT j.key, " NEW_COLS("COALESCE(lo.id, 0)") BATCH_TAIL
         "FROM json_each($2) AS j "
         "JOIN people p ON p.id = j.value->>0 "
         "JOIN editions e ON e.id = $1 JOIN modules m ON m.id = e.module_id "
         "JOIN module_versions v ON v.id = COALESCE(m.published_version_id, m.working_version_id) "
         "LEFT JOIN organisations lo ON lo.id = j.value->>1 AND lo.kind IN ('library', 'poi') "
         "LEFT JOIN enrol_policies pl ON pl.org_id = lo.id ORDER BY j.key");
/* A run's first events at once: [[enrolment, at, actor|null, state], ...]. */
DB_STMT2(stmt_en_event_run,
         "INSERT INTO enrolment_events (enrolment_id, at, actor_id, from_state, to_state, reason) "
         "SELECT (j->>0)::bigint, (j->>1)::bigint, (j->>2)::bigint, '', j->>3, '' "
         "FROM jsonb_array_elements($1::jsonb) AS j",
         "INSERT INTO enrolment_events (enrolment_id, at, actor_id, from_state, to_state, reason) "
         "SELECT j.value->>0, j.value->>1, j.value->>2, '', j.value->>3, '' FROM json_each($1) AS j");
/* After someone ran alone in the batch: where the counters stand now. */
DB_STMT(stmt_en_counters,
        "SELECT COALESCE(capacity, 0), seats_taken, waitlist_seq FROM editions WHERE id = $1");
/* A run's seats and waitlist places at once: guarded by the counters the
 * run was decided on (they cannot move under the edition's lock; if they
 * did, nothing changes and the batch runs again) and by the capacity. */
DB_STMT(stmt_en_seats_run,
        "UPDATE editions SET seats_taken = seats_taken + $2, waitlist_seq = waitlist_seq + $3, "
        "waiting = waiting + $3 WHERE id = $1 AND seats_taken = $4 AND waitlist_seq = $5 "
        "AND (capacity IS NULL OR seats_taken + $2 <= capacity)");
/* [[person, library|null, state, waitlist_pos|null, price, now, enrolled_by|null], ...];
 * the ids come back with their person (RETURNING's order is not promised). */
DB_STMT2(stmt_en_insert_run,
         "INSERT INTO enrolments (edition_id, person_id, org_id, state, approval_step, "
         "waitlist_pos, price_cents, requested_at, enrolled_by, created_at, updated_at) "
         "SELECT $1::bigint, (j.v->>0)::bigint, (j.v->>1)::bigint, j.v->>2, 0, (j.v->>3)::bigint, "
         "(j.v->>4)::bigint, (j.v->>5)::bigint, (j.v->>6)::bigint, (j.v->>5)::bigint, "
         "(j.v->>5)::bigint FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS j(v, i) "
         "ORDER BY j.i RETURNING id, person_id",
         "INSERT INTO enrolments (edition_id, person_id, org_id, state, approval_step, "
         "waitlist_pos, price_cents, requested_at, enrolled_by, created_at, updated_at) "
         "SELECT $1, j.value->>0, j.value->>1, j.value->>2, 0, j.value->>3, j.value->>4, "
         "j.value->>5, j.value->>6, j.value->>5, j.value->>5 FROM json_each($2) AS j "
         "ORDER BY j.key RETURNING id, person_id");

#define BATCH_JSON_MAX (ENROL_BATCH_MAX * 160) /* a learner's row is under 160 bytes */

struct batch_row {
	int64_t idx; /* place in the batch */
	struct ed e;
	struct pre p;
	int64_t library, waitlist_seq, waiting;
	bool overlap; /* bookings that may overlap this edition */
};

struct batch {
	struct enrol_req **reqs;
	size_t n, max;
	enrol_batch_take *take; /* NULL: reqs[0..n) are given */
	void *take_cls;
	/* while it runs */
	struct db_conn *db;
	struct arena *arena; /* the first request's: lives until all are answered */
	struct ed e;         /* as read; only requests with a row (q->row) use it */
	bool stale;          /* someone ran alone since the counters were read */
	int64_t capacity, taken, seq, waiting;
	size_t run[ENROL_BATCH_MAX]; /* indexes of the plain requests not yet written */
	int64_t run_now[ENROL_BATCH_MAX];
	size_t nrun;
};

static struct new_args req_args(const struct enrol_req *q)
{
	return (struct new_args){q->ctx, q->edition_id, q->ctx->actor.person_id, q->org_id, false,
	                         q->out, q->why};
}

static int batch_read(struct batch *b, struct batch_row **rows, size_t *n)
{
	struct buf js;
	buf_init(&js, b->arena, BATCH_JSON_MAX);
	buf_putc(&js, '[');
	for (size_t i = 0; i < b->n; i++)
		buf_printf(&js, "%s[%lld,%lld]", i ? "," : "",
		           (long long)b->reqs[i]->ctx->actor.person_id, (long long)b->reqs[i]->org_id);
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	const char *json = buf_cstr(&js);
	struct batch_row r;
	struct ed *e = &r.e;
	struct pre *p = &r.p;
	memset(&r, 0, sizeof r);
	e->id = b->reqs[0]->edition_id;
	struct db_rows all = {.arena = b->arena, .size = sizeof r, .cur = &r};
	int rc = db_query(
	    b->db, &stmt_en_batch_new,
	    (const struct db_param[]){DBP_INT(e->id), DBP_TEXT(json), DBP_END},
	    (const struct db_col[]){
	        DBC_INT(&r.idx), DBC_INT(&e->module_id), DBC_INT(&e->provider_id),
	        DBC_INT(&e->local_org_id), DBC_BOOL(&e->always_open), DBC_BOOL(&e->cancelled),
	        DBC_BOOL(&e->published), DBC_INT(&e->capacity), DBC_INT(&e->seats_taken),
	        DBC_INT(&e->opens), DBC_INT(&e->closes), DBC_INT(&e->cancel_until), DBC_INT(&e->price),
	        DBC_TEXT(&e->audience), DBC_INT(&e->offer_hours), DBC_INT(&e->starts),
	        DBC_INT(&e->ends), DBC_TEXT(&e->title), DBC_TEXT(&e->place), DBC_TEXT(&e->online_url),
	        DBC_BOOL(&e->has_audience_orgs), DBC_TEXT(&p->person_name),
	        DBC_TEXT(&p->person_email), DBC_TEXT(&p->person_lang), DBC_TEXT(&p->kind),
	        DBC_BOOL(&p->may_see_local), DBC_BOOL(&p->audience_org_ok), DBC_TEXT(&p->live),
	        DBC_TEXT(&p->pol.approval), DBC_INT(&p->pol.second_approver_id),
	        DBC_BOOL(&p->pol.budgets), DBC_INT(&p->pol.remind_days),
	        DBC_INT(&p->pol.expire_days), DBC_BOOL(&p->spare_reservation),
	        DBC_INT(&r.library), DBC_INT(&r.waitlist_seq), DBC_INT(&r.waiting),
	        DBC_BOOL(&r.overlap), DBC_END},
	    b->arena, db_rows_collect, &all);
	*rows = all.data;
	*n = all.n;
	return rc;
}

struct run_id {
	int64_t id, person_id;
};

/* Writes the run of plain requests: seats for the first while any are
 * free, waitlist places for the rest, in arrival order. */
static int batch_flush(struct batch *b)
{
	size_t m = b->nrun;
	if (!m)
		return 0;
	b->nrun = 0;
	int rc = 0;
	if (b->stale) {
		rc = db_query_row(b->db, &stmt_en_counters,
		                  (const struct db_param[]){DBP_INT(b->e.id), DBP_END},
		                  (const struct db_col[]){DBC_INT(&b->capacity), DBC_INT(&b->taken),
		                                          DBC_INT(&b->seq), DBC_END},
		                  b->arena);
		if (rc)
			return rc;
		b->stale = false;
	}
	int64_t left = b->capacity ? (b->capacity > b->taken ? b->capacity - b->taken : 0) : (int64_t)m;
	size_t seats = (int64_t)m < left ? m : (size_t)left;
	int64_t changed = 0;
	rc = db_exec(b->db, &stmt_en_seats_run,
	             (const struct db_param[]){DBP_INT(b->e.id), DBP_INT((int64_t)seats),
	                                       DBP_INT((int64_t)(m - seats)), DBP_INT(b->taken),
	                                       DBP_INT(b->seq), DBP_END},
	             &changed);
	if (rc)
		return rc;
	if (changed != 1)
		return CAMPUS_EBUSY; /* moved under us: run the batch again */
	struct buf js;
	buf_init(&js, b->arena, BATCH_JSON_MAX);
	buf_putc(&js, '[');
	for (size_t k = 0; k < m; k++) {
		const struct enrol_req *q = b->reqs[b->run[k]];
		int64_t org = q->org_id, by = q->ctx->actor.person_id;
		buf_printf(&js, "%s[%lld,", k ? "," : "", (long long)by);
		if (org)
			buf_printf(&js, "%lld,", (long long)org);
		else
			buf_puts(&js, "null,");
		if (k < seats)
			buf_puts(&js, "\"enrolled\",null,");
		else
			buf_printf(&js, "\"waitlisted\",%lld,", (long long)(b->seq + (int64_t)(k - seats) + 1));
		buf_printf(&js, "%lld,%lld,%lld]", (long long)b->e.price, (long long)b->run_now[k],
		           (long long)by);
	}
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	const char *json = buf_cstr(&js);
	struct run_id cur;
	struct db_rows ids = {.arena = b->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(b->db, &stmt_en_insert_run,
	              (const struct db_param[]){DBP_INT(b->e.id), DBP_TEXT(json), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.id), DBC_INT(&cur.person_id), DBC_END},
	              b->arena, db_rows_collect, &ids);
	if (rc)
		return rc;
	if (ids.n != m)
		return CAMPUS_EINTERNAL;
	if (seats && !b->e.always_open && !b->e.events_read) {
		/* One read of the meetings for every booking's invitation. */
		struct ctx *c0 = b->reqs[b->run[0]]->ctx;
		struct db_conn *own = c0->db;
		c0->db = b->db;
		rc = edition_events(c0, &b->e, &b->e.events, &b->e.nevents);
		c0->db = own;
		if (rc)
			return rc;
		b->e.events_read = true;
	}
	const struct run_id *got = ids.data;
	buf_clear(&js);
	buf_putc(&js, '[');
	for (size_t k = 0; k < m; k++) {
		const struct enrol_req *q = b->reqs[b->run[k]];
		int64_t id = 0, by = q->ctx->actor.person_id;
		for (size_t t = 0; t < m; t++)
			if (got[t].person_id == by)
				id = got[t].id;
		if (!id)
			return CAMPUS_EINTERNAL;
		buf_printf(&js, "%s[%lld,%lld,%lld,\"%s\"]", k ? "," : "", (long long)id,
		           (long long)b->run_now[k], (long long)by, k < seats ? "enrolled" : "waitlisted");
	}
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	rc = db_exec_later(b->db, &stmt_en_event_run,
	                   (const struct db_param[]){DBP_TEXT(buf_cstr(&js)), DBP_END});
	/* The run's audit rows, notifications and mails: each made as its own
	 * request's (actor, origin, clock, language), all written by one
	 * statement per table. */
	struct audit_entry *audits = arena_alloc(b->arena, m * sizeof *audits);
	struct notify_item *tells = arena_alloc(b->arena, m * sizeof *tells);
	struct db_conn *own[ENROL_BATCH_MAX];
	if (!rc && (!audits || !tells))
		rc = CAMPUS_ENOMEM;
	for (size_t k = 0; k < m; k++) {
		struct ctx *ctx = b->reqs[b->run[k]]->ctx;
		own[k] = ctx->db;
		ctx->db = b->db;
	}
	for (size_t k = 0; k < m && !rc; k++) {
		struct enrol_req *q = b->reqs[b->run[k]];
		struct ctx *ctx = q->ctx;
		const struct batch_row *row = (const struct batch_row *)q->row;
		struct en x = {.edition_id = b->e.id, .person_id = ctx->actor.person_id,
		               .org_id = q->org_id, .price = b->e.price, .reason = "", .grade = "",
		               .requested_at = b->run_now[k], .person_name = row->p.person_name,
		               .person_email = row->p.person_email, .person_lang = row->p.person_lang};
		for (size_t t = 0; t < m; t++)
			if (got[t].person_id == x.person_id)
				x.id = got[t].id;
		if (!x.id) {
			rc = CAMPUS_EINTERNAL;
			break;
		}
		if (k < seats) {
			x.state = ENROL_ENROLLED;
		} else {
			x.state = ENROL_WAITLISTED;
			x.waitlist_pos = b->seq + (int64_t)(k - seats) + 1;
		}
		audits[k] = (struct audit_entry){
		    .ctx = ctx, .action = arena_printf(ctx->arena, "enrol.%s", state_names[x.state]),
		    .object_type = "enrolment", .object_id = id_text(ctx, x.id), .result = "ok",
		    .detail = arena_printf(ctx->arena, "edition=%lld person=%lld",
		                           (long long)x.edition_id, (long long)x.person_id)};
		if (!audits[k].action || !audits[k].detail)
			rc = CAMPUS_ENOMEM;
		if (!rc)
			rc = tell_state_to(ctx, &b->e, &x, &tells[k]);
		q->out->enrolment_id = x.id;
		q->out->state = x.state;
		/* A new place on the waitlist is the last one: its place among
		 * those waiting is their number (editions.waiting, read with the batch). */
		q->placed = x.state == ENROL_WAITLISTED;
		q->out->waitlist_pos = q->placed ? ++b->waiting : 0;
		q->no_overlap = !row->overlap;
	}
	if (!rc)
		rc = audit_record_many(b->db, b->arena, audits, m);
	if (!rc)
		rc = notify_people(tells, m);
	for (size_t k = 0; k < m; k++)
		b->reqs[b->run[k]]->ctx->db = own[k];
	b->taken += (int64_t)seats;
	b->seq += (int64_t)(m - seats);
	return rc;
}

/* One request on its own through new_one, in its place in the batch. */
static int batch_alone(struct batch *b, struct enrol_req *q)
{
	int rc = batch_flush(b);
	if (rc)
		return rc;
	struct db_conn *own = q->ctx->db;
	q->ctx->db = b->db;
	if (q->org_raw) {
		q->org_id = enrol_library_of(q->ctx, q->org_id);
		q->org_raw = false;
	}
	struct new_args a = req_args(q);
	q->rc = new_one(&a);
	q->ctx->db = own;
	if (q->rc && !*q->why)
		return q->rc;
	b->stale = true;
	q->placed = !q->rc && q->out->state == ENROL_WAITLISTED;
	if (q->placed)
		q->out->waitlist_pos = ++b->waiting;
	return 0;
}

/* The requests in arrival order on the batch's connection, each as its own
 * actor with its own clock and arena. A refusal is that request's answer
 * and leaves the others alone (nothing of it was written); any other
 * failure ends the whole transaction, and on CAMPUS_EBUSY db_tx_run runs
 * the batch again from the first request. */
static int batch_tx(struct db_conn *db, void *cls)
{
	struct batch *b = cls;
	if (b->take) {
		/* Once the edition's lock is ours: those who queued while we waited
		 * for it come along. A retry runs the same requests again. */
		b->n = b->take(b->take_cls, b->reqs, b->max);
		b->take = NULL;
	}
	b->db = db;
	b->stale = false;
	b->nrun = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct enrol_req *q = b->reqs[i];
		q->rc = 0;
		q->placed = q->no_overlap = false;
		q->row = NULL;
		*q->why = NULL;
		memset(q->out, 0, sizeof *q->out);
	}
	if (!b->n)
		return 0;
	b->arena = b->reqs[0]->ctx->arena;
	struct batch_row *rows;
	size_t nrows;
	int rc = batch_read(b, &rows, &nrows);
	if (rc)
		return rc;
	for (size_t r = 0; r < nrows; r++)
		if (rows[r].idx >= 0 && (size_t)rows[r].idx < b->n) {
			struct enrol_req *q = b->reqs[rows[r].idx];
			q->row = &rows[r];
			q->org_id = rows[r].library;
			q->org_raw = false;
		}
	if (nrows) {
		b->e = rows[0].e;
		b->e.id = b->reqs[0]->edition_id;
		b->capacity = rows[0].e.capacity;
		b->taken = rows[0].e.seats_taken;
		b->seq = rows[0].waitlist_seq;
		b->waiting = rows[0].waiting;
	}
	for (size_t i = 0; i < b->n && !rc; i++) {
		struct enrol_req *q = b->reqs[i];
		const struct batch_row *row = q->row;
		bool twice = false;
		for (size_t k = 0; k < i && !twice; k++)
			twice = b->reqs[k]->ctx->actor.person_id == q->ctx->actor.person_id;
		if (!row || twice) {
			rc = batch_alone(b, q);
			continue;
		}
		int64_t now = q->ctx->now();
		q->rc = new_refusal(&b->e, &row->p, q->org_id, false, now, q->why);
		if (q->rc)
			continue; /* refused: nothing written */
		const struct policy *pol = &row->p.pol;
		if (policy_asks(pol, b->e.price > 0) || (pol->budgets && b->e.price > 0 && q->org_id) ||
		    row->p.spare_reservation) {
			rc = batch_alone(b, q);
			continue;
		}
		b->run_now[b->nrun] = now;
		b->run[b->nrun++] = i;
	}
	if (!rc)
		rc = batch_flush(b);
	return rc;
}

int enrol_batch_run(struct db_conn *db, struct enrol_req **reqs, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (reqs[i]->edition_id != reqs[0]->edition_id)
			return CAMPUS_EINTERNAL;
	if (n > ENROL_BATCH_MAX)
		return CAMPUS_EINVAL;
	struct batch b = {.reqs = reqs, .n = n, .max = n};
	return db_tx_run_keyed(db, EDITION_LOCK_KEY(reqs[0]->edition_id), batch_tx, &b);
}

int enrol_batch_run_taking(struct db_conn *db, int64_t edition_id, enrol_batch_take *take,
                           void *cls, struct enrol_req **reqs, size_t max, size_t *n)
{
	struct batch b = {.reqs = reqs, .max = max < ENROL_BATCH_MAX ? max : ENROL_BATCH_MAX,
	                  .take = take, .take_cls = cls};
	int rc = db_tx_run_keyed(db, EDITION_LOCK_KEY(edition_id), batch_tx, &b);
	if (b.take) /* never began: take them anyway, so they get an answer */
		b.n = take(cls, reqs, max);
	*n = b.n;
	return rc;
}

int enrol_one(struct enrol_req *q)
{
	if (q->org_raw) {
		q->org_id = enrol_library_of(q->ctx, q->org_id);
		q->org_raw = false;
	}
	struct new_args a = req_args(q);
	q->placed = false;
	q->rc = db_tx_run_keyed(q->ctx->db, EDITION_LOCK_KEY(q->edition_id), new_tx, &a);
	return q->rc;
}

int enrol_self(struct ctx *ctx, int64_t edition_id, struct enrol_result *out, const char **why)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	/* The batch resolves the library with its read (enrol_library_of). */
	struct enrol_req q = {.ctx = ctx, .edition_id = edition_id, .org_id = ctx->actor.org_id,
	                      .org_raw = true, .out = out, .why = why};
	int rc = enrol_queue_submit(&q);
	if (!rc)
		describe(ctx, ctx->actor.person_id, edition_id, out, q.placed, !q.no_overlap);
	return rc;
}

int enrol_for_member(struct ctx *ctx, int64_t edition_id, int64_t person_id,
                     struct enrol_result *out, const char **why)
{
	*why = NULL;
	memset(out, 0, sizeof *out);
	int64_t org = enrol_library_of(ctx, ctx->actor.org_id);
	if (!ctx->actor.person_id || !org || !(ctx->actor.roles & ROLE_MANAGER))
		return CAMPUS_EFORBIDDEN;
	return enrol_new(ctx, edition_id, person_id, org, true, out, why);
}

/* ---- steps on an existing enrolment ---- */

enum who { WHO_NOBODY, WHO_PERSON, WHO_MANAGER, WHO_OWNER, WHO_ADMIN };

/* The actor's standing toward the enrolment, strongest first. */
static enum who standing(struct ctx *ctx, const struct en *x, const struct ed *e)
{
	if (enrol_actor_is_admin(ctx))
		return WHO_ADMIN;
	if (ctx->actor.person_id && ctx->actor.org_id == e->provider_id &&
	    (ctx->actor.roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER)))
		return WHO_OWNER;
	if (ctx->actor.person_id && x->org_id && ctx->actor.org_id == x->org_id &&
	    (ctx->actor.roles & ROLE_MANAGER))
		return WHO_MANAGER;
	if (ctx->actor.person_id && ctx->actor.person_id == x->person_id)
		return WHO_PERSON;
	return WHO_NOBODY;
}

struct step_args {
	struct ctx *ctx;
	int64_t id;
	int (*step)(struct step_args *a, struct ed *e, struct en *x);
	bool flag;          /* accept / approve */
	const char *text;   /* reason */
	int64_t target;     /* enrol_move: the edition; reminders: the meeting */
	int done;           /* enrol_tick: what the step did */
	struct enrol_result *out;
	const char **why;
};

static int step_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct step_args *a = cls;
	*a->why = NULL;
	struct en x;
	struct ed e;
	int rc = load_enrolment(a->ctx, a->id, &x);
	if (!rc)
		rc = load_edition(a->ctx, x.edition_id, &e);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(a->why, N_("Deze inschrijving bestaat niet."), rc);
	if (rc)
		return rc;
	if (standing(a->ctx, &x, &e) == WHO_NOBODY && a->ctx->actor.person_id != x.person_id) {
		/* Approvers of step 2 are not managers of the library: let the step decide. */
		struct policy pol;
		rc = load_policy(a->ctx, x.org_id, &pol);
		if (rc)
			return rc;
		if (!(x.state == ENROL_REQUESTED && x.approval_step == 2 &&
		      pol.second_approver_id == a->ctx->actor.person_id && a->ctx->actor.person_id))
			return refuse(a->why, N_("Deze inschrijving bestaat niet."), CAMPUS_ENOTFOUND);
	}
	return a->step(a, &e, &x);
}

/* Runs a step in a write transaction keyed on the enrolment's edition. */
static int run_step(struct ctx *ctx, int64_t id, struct step_args *a)
{
	*a->why = NULL;
	int64_t edition_id = 0;
	int rc = db_query_row(ctx->db, &stmt_en_edition_of, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&edition_id), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(a->why, N_("Deze inschrijving bestaat niet."), rc);
	if (rc)
		return rc;
	rc = db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(a->target ? a->target : edition_id), step_tx, a);
	if (rc == CAMPUS_EFORBIDDEN && *a->why)
		audit_record(ctx, "enrol.denied", "enrolment", id_text(ctx, id), "denied", *a->why);
	return rc;
}

/* Leaving: the seat is freed and the money released. */
static int leave(struct ctx *ctx, struct ed *e, struct en *x, enum enrol_state to,
                 const char *reason)
{
	bool held = x->state == ENROL_ENROLLED || x->state == ENROL_OFFERED;
	int rc = held ? free_seat(ctx, x) : 0;
	if (!rc)
		rc = budget_finish(ctx, x, false);
	x->reason = reason ? reason : "";
	x->offer_expires_at = 0;
	if (!rc)
		rc = transition(ctx, x, to, reason);
	if (!rc)
		rc = tell_state(ctx, e, x);
	if (!rc && held)
		rc = enrol_fill_seats(ctx, e->id);
	return rc;
}

static int cancel_step(struct step_args *a, struct ed *e, struct en *x)
{
	struct ctx *ctx = a->ctx;
	int64_t now = ctx->now();
	enum who w = standing(ctx, x, e);
	bool live = x->state == ENROL_REQUESTED || x->state == ENROL_WAITLISTED ||
	            x->state == ENROL_OFFERED || x->state == ENROL_ENROLLED;
	if (!live)
		return refuse(a->why, N_("Deze inschrijving kan niet meer worden geannuleerd."),
		              CAMPUS_ECONFLICT);
	if (!e->always_open && e->ends && e->ends <= now)
		return refuse(a->why, N_("Deze uitvoering is al voorbij."), CAMPUS_ECONFLICT);
	if (w == WHO_PERSON) {
		bool seat = x->state == ENROL_ENROLLED;
		if (seat && !e->always_open && e->cancel_until && now >= e->cancel_until)
			return refuse(a->why, N_("De termijn om zelf te annuleren is voorbij. Neem contact "
			                         "op met je leidinggevende of de aanbieder."),
			              CAMPUS_ECONFLICT);
		return leave(ctx, e, x, ENROL_CANCELLED, blank(a->text) ? "" : a->text);
	}
	if (blank(a->text))
		return refuse(a->why, N_("Geef een reden voor de annulering; de deelnemer krijgt die te "
		                         "zien."),
		              CAMPUS_EINVAL);
	return leave(ctx, e, x, ENROL_CANCELLED, a->text);
}

int enrol_cancel(struct ctx *ctx, int64_t enrolment_id, const char *reason, const char **why)
{
	*why = NULL;
	if (!reason_ok(reason))
		return refuse(why, N_("De reden is te lang (hoogstens 1.000 tekens)."), CAMPUS_EINVAL);
	struct step_args a = {.ctx = ctx, .id = enrolment_id, .step = cancel_step, .text = reason,
	                      .why = why};
	return run_step(ctx, enrolment_id, &a);
}

static int offer_step(struct step_args *a, struct ed *e, struct en *x)
{
	struct ctx *ctx = a->ctx;
	if (ctx->actor.person_id != x->person_id)
		return refuse(a->why, N_("Alleen de deelnemer zelf kan een aangeboden plaats aannemen."),
		              CAMPUS_EFORBIDDEN);
	if (x->state != ENROL_OFFERED)
		return refuse(a->why, N_("Er staat geen plaats voor je klaar bij deze uitvoering."),
		              CAMPUS_ECONFLICT);
	if (ctx->now() >= x->offer_expires_at)
		return refuse(a->why, N_("Het aanbod is verlopen."), CAMPUS_ECONFLICT);
	if (!a->flag)
		return leave(ctx, e, x, ENROL_CANCELLED, N_("Aangeboden plaats afgeslagen."));
	x->offer_expires_at = 0;
	int rc = transition(ctx, x, ENROL_ENROLLED, "");
	if (!rc)
		rc = tell_state(ctx, e, x);
	return rc;
}

int enrol_offer_answer(struct ctx *ctx, int64_t enrolment_id, bool accept, const char **why)
{
	struct step_args a = {.ctx = ctx, .id = enrolment_id, .step = offer_step, .flag = accept,
	                      .why = why};
	return run_step(ctx, enrolment_id, &a);
}

static int decide_step(struct step_args *a, struct ed *e, struct en *x)
{
	struct ctx *ctx = a->ctx;
	if (x->state != ENROL_REQUESTED)
		return refuse(a->why, N_("Over deze aanvraag is al besloten."), CAMPUS_ECONFLICT);
	struct policy pol;
	int rc = load_policy(ctx, x->org_id, &pol);
	if (rc)
		return rc;
	enum who w = standing(ctx, x, e);
	bool may = w == WHO_ADMIN ||
	           (x->approval_step == 1 && w == WHO_MANAGER) ||
	           (x->approval_step == 2 && ctx->actor.person_id &&
	            ctx->actor.person_id == pol.second_approver_id);
	if (!may)
		return refuse(a->why, N_("Je mag over deze aanvraag niet besluiten."), CAMPUS_EFORBIDDEN);
	if (ctx->actor.person_id == x->person_id && w != WHO_ADMIN)
		return refuse(a->why, N_("Je kunt niet over je eigen aanvraag besluiten."),
		              CAMPUS_EFORBIDDEN);
	x->decided_at = ctx->now();
	if (!a->flag) {
		if (blank(a->text))
			return refuse(a->why, N_("Geef een reden bij een afwijzing."), CAMPUS_EINVAL);
		x->reason = a->text;
		rc = transition(ctx, x, ENROL_REFUSED, a->text);
		if (!rc)
			rc = tell_state(ctx, e, x);
		return rc;
	}
	if (e->cancelled || (!e->always_open && e->starts <= ctx->now()))
		return refuse(a->why, N_("Deze uitvoering is geannuleerd of al begonnen; wijs de "
		                         "aanvraag af."),
		              CAMPUS_ECONFLICT);
	if (x->approval_step == 1 && pol.second_approver_id &&
	    pol.second_approver_id != ctx->actor.person_id && w != WHO_ADMIN) {
		x->approval_step = 2;
		x->reminded_at = 0;
		rc = transition(ctx, x, ENROL_REQUESTED, N_("Goedgekeurd door de leidinggevende."));
		if (!rc)
			rc = tell_approvers(ctx, e, x, &pol, false);
		return rc;
	}
	return place(ctx, e, &pol, x, false, a->why);
}

int enrol_decide(struct ctx *ctx, int64_t enrolment_id, bool approve, const char *reason,
                 const char **why)
{
	*why = NULL;
	if (!reason_ok(reason))
		return refuse(why, N_("De reden is te lang (hoogstens 1.000 tekens)."), CAMPUS_EINVAL);
	struct step_args a = {.ctx = ctx, .id = enrolment_id, .step = decide_step, .flag = approve,
	                      .text = reason, .why = why};
	return run_step(ctx, enrolment_id, &a);
}

static int move_step(struct step_args *a, struct ed *e, struct en *x)
{
	struct ctx *ctx = a->ctx;
	enum who w = standing(ctx, x, e);
	if (w != WHO_ADMIN && w != WHO_OWNER && w != WHO_MANAGER)
		return refuse(a->why, N_("Alleen een leidinggevende of de aanbieder kan een inschrijving "
		                         "verplaatsen."),
		              CAMPUS_EFORBIDDEN);
	if (x->state != ENROL_REQUESTED && x->state != ENROL_WAITLISTED &&
	    x->state != ENROL_OFFERED && x->state != ENROL_ENROLLED)
		return refuse(a->why, N_("Deze inschrijving kan niet meer worden verplaatst."),
		              CAMPUS_ECONFLICT);
	struct ed to;
	int rc = load_edition(ctx, a->target, &to);
	if (rc == CAMPUS_ENOTFOUND || (!rc && to.module_id != e->module_id) ||
	    (!rc && to.id == e->id))
		return refuse(a->why, N_("Kies een andere uitvoering van dezelfde module."),
		              CAMPUS_EINVAL);
	if (rc)
		return rc;
	if (to.cancelled || (!to.always_open && to.starts <= ctx->now()))
		return refuse(a->why, N_("Die uitvoering is geannuleerd of al begonnen."), CAMPUS_ECONFLICT);
	const char *state = NULL;
	rc = db_query_row(ctx->db, &stmt_en_live,
	                  (const struct db_param[]){DBP_INT(to.id), DBP_INT(x->person_id), DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&state), DBC_END}, ctx->arena);
	if (!rc)
		return refuse(a->why, N_("Deze persoon staat al bij die uitvoering."), CAMPUS_ECONFLICT);
	if (rc != CAMPUS_ENOTFOUND)
		return rc;
	struct en old = *x;
	bool was_requested = x->state == ENROL_REQUESTED;
	int64_t step = x->approval_step;
	const char *why_move = arena_printf(ctx->arena, "%s #%lld", N_("Verplaatst naar uitvoering"),
	                                    (long long)to.id);
	rc = why_move ? leave(ctx, e, &old, ENROL_CANCELLED, why_move) : CAMPUS_ENOMEM;
	if (rc)
		return rc;
	struct en fresh = {.edition_id = to.id, .person_id = x->person_id, .org_id = x->org_id,
	                   .price = to.price, .reason = "", .grade = "",
	                   .person_name = x->person_name, .person_email = x->person_email};
	struct policy pol;
	rc = load_policy(ctx, x->org_id, &pol);
	if (rc)
		return rc;
	if (was_requested) {
		fresh.approval_step = step;
		rc = create(ctx, &fresh, ENROL_REQUESTED);
		if (!rc)
			rc = tell_state(ctx, &to, &fresh);
	} else {
		rc = place(ctx, &to, &pol, &fresh, true, a->why);
	}
	if (!rc && a->out) {
		a->out->enrolment_id = fresh.id;
		a->out->state = fresh.state;
		a->out->waitlist_pos = fresh.waitlist_pos;
	}
	return rc;
}

int enrol_move(struct ctx *ctx, int64_t enrolment_id, int64_t to_edition_id,
               struct enrol_result *out, const char **why)
{
	memset(out, 0, sizeof *out);
	struct step_args a = {.ctx = ctx, .id = enrolment_id, .step = move_step,
	                      .target = to_edition_id, .out = out, .why = why};
	int rc = run_step(ctx, enrolment_id, &a);
	if (!rc) {
		struct en x;
		if (!load_enrolment(ctx, out->enrolment_id, &x))
			describe(ctx, x.person_id, to_edition_id, out, false, true);
	}
	return rc;
}

/* ---- edition-wide steps (edition.c) ---- */

/* The edition and the ids of its live enrolments. */
static int live_enrolments(struct ctx *ctx, int64_t edition_id, struct ed *e, const int64_t **ids,
                           size_t *n)
{
	int64_t cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = load_edition(ctx, edition_id, e);
	if (!rc)
		rc = db_query(ctx->db, &stmt_en_live_of_edition,
		              (const struct db_param[]){DBP_INT(edition_id), DBP_END},
		              (const struct db_col[]){DBC_INT(&cur), DBC_END}, ctx->arena, db_rows_collect,
		              &rows);
	*ids = rows.data;
	*n = rc ? 0 : rows.n;
	return rc;
}

int enrol_cancel_all(struct ctx *ctx, int64_t edition_id, const char *reason)
{
	struct ed e;
	const int64_t *ids;
	size_t n;
	int rc = live_enrolments(ctx, edition_id, &e, &ids, &n);
	/* leave() gives no seat on: the edition is cancelled already. */
	for (size_t i = 0; !rc && i < n; i++) {
		struct en x;
		rc = load_enrolment(ctx, ids[i], &x);
		if (!rc)
			rc = leave(ctx, &e, &x, ENROL_CANCELLED, reason);
	}
	return rc;
}

int enrol_tell_changed(struct ctx *ctx, int64_t edition_id)
{
	struct ed e;
	const int64_t *ids;
	size_t n;
	int rc = live_enrolments(ctx, edition_id, &e, &ids, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct en x;
		rc = load_enrolment(ctx, ids[i], &x);
		if (!rc && (x.state == ENROL_ENROLLED || x.state == ENROL_OFFERED))
			rc = tell_learner(ctx, &e, &x, "enrol.changed", N_("Gewijzigd: {titel}"),
			                  N_("Beste {naam},\n\nDe planning van {titel} is gewijzigd. De "
			                     "eerste bijeenkomst is nu {wanneer}. De bijgewerkte "
			                     "agenda-uitnodiging zit bij dit bericht."),
			                  WITH_EVENTS);
	}
	return rc;
}

/* ---- attendance and results ---- */

struct mark_args {
	struct ctx *ctx;
	int64_t edition_id, meeting_id;
	int64_t module_id, ends_at;       /* results: for the completion */
	const struct attendance_mark *marks;
	const struct enrol_result_mark *results;
	size_t n;
	enum attendance_method method;
	struct attendance_outcome *outcomes;
	const char **why;
};

static const char *const method_names[] = {"web", "csv", "api", "qr"};

/* The enrolment a row means: by id on this edition, or by e-mail address. */
static int resolve(struct ctx *ctx, int64_t edition_id, int64_t id, const char *email, struct en *x,
                   const char **bad)
{
	*bad = NULL;
	if (!id) {
		if (!email || !*email) {
			*bad = N_("Geen deelnemer opgegeven.");
			return 0;
		}
		char *lower = arena_strdup(ctx->arena, email);
		if (!lower)
			return CAMPUS_ENOMEM;
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		int rc = db_query_row(ctx->db, &stmt_at_by_email,
		                      (const struct db_param[]){DBP_INT(edition_id), DBP_TEXT(lower), DBP_END},
		                      (const struct db_col[]){DBC_INT(&id), DBC_END}, ctx->arena);
		if (rc == CAMPUS_ENOTFOUND) {
			*bad = N_("Deze persoon is niet ingeschreven voor deze uitvoering.");
			return 0;
		}
		if (rc)
			return rc;
	}
	int rc = load_enrolment(ctx, id, x);
	if (rc == CAMPUS_ENOTFOUND || (!rc && x->edition_id != edition_id)) {
		*bad = N_("Deze persoon is niet ingeschreven voor deze uitvoering.");
		return 0;
	}
	if (rc)
		return rc;
	if (x->state != ENROL_ENROLLED && x->state != ENROL_ATTENDED && x->state != ENROL_NO_SHOW &&
	    x->state != ENROL_COMPLETED && x->state != ENROL_NOT_COMPLETED)
		*bad = N_("Deze persoon heeft geen plaats in deze uitvoering.");
	return 0;
}

static int note_bad(struct mark_args *a, size_t i, const char *bad, bool *any)
{
	if (a->outcomes)
		a->outcomes[i].why = bad;
	if (bad)
		*any = true;
	return 0;
}

static int put_presence(struct ctx *ctx, struct en *x, int64_t meeting_id, bool present,
                        enum attendance_method method)
{
	int rc = db_exec(ctx->db, &stmt_at_put,
	                 (const struct db_param[]){DBP_INT(x->id), DBP_INT(meeting_id), DBP_BOOL(present),
	                                           DBP_TEXT(method_names[method]),
	                                           int_or_null(ctx->actor.person_id),
	                                           DBP_INT(ctx->now()), DBP_END},
	                 NULL);
	if (!rc && present && (x->state == ENROL_ENROLLED || x->state == ENROL_NO_SHOW))
		rc = transition(ctx, x, ENROL_ATTENDED, method_names[method]);
	return rc;
}

static int attendance_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct mark_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct en *rows = arena_zalloc(ctx->arena, (a->n ? a->n : 1) * sizeof *rows);
	if (!rows)
		return CAMPUS_ENOMEM;
	bool any = false;
	for (size_t i = 0; i < a->n; i++) {
		const char *bad;
		int rc = resolve(ctx, a->edition_id, a->marks[i].enrolment_id, a->marks[i].person_email,
		                 &rows[i], &bad);
		if (rc)
			return rc;
		for (size_t j = 0; !bad && j < i; j++)
			if (rows[j].id == rows[i].id)
				bad = N_("Deze persoon staat twee keer in de lijst.");
		note_bad(a, i, bad, &any);
	}
	if (any)
		return refuse(a->why, N_("Niets opgeslagen: een of meer regels kloppen niet."),
		              CAMPUS_EINVAL);
	for (size_t i = 0; i < a->n; i++) {
		int rc = put_presence(ctx, &rows[i], a->meeting_id, a->marks[i].present, a->method);
		if (rc)
			return rc;
	}
	const char *detail = arena_printf(ctx->arena, "meeting=%lld rows=%zu method=%s",
	                                  (long long)a->meeting_id, a->n, method_names[a->method]);
	return audit_record(ctx, "enrol.attendance", "edition", id_text(ctx, a->edition_id), "ok",
	                    detail ? detail : "");
}

/* The edition a meeting belongs to, if the actor teaches or runs it. */
static int meeting_edition(struct ctx *ctx, int64_t meeting_id, int64_t *edition_id,
                           const char **why)
{
	int64_t starts, ends;
	int rc = db_query_row(ctx->db, &stmt_at_meeting,
	                      (const struct db_param[]){DBP_INT(meeting_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(edition_id), DBC_INT(&starts),
	                                              DBC_INT(&ends), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(why, N_("Deze bijeenkomst bestaat niet."), rc);
	if (rc)
		return rc;
	struct edition e;
	rc = edition_get(ctx, *edition_id, &e);
	if (rc == CAMPUS_ENOTFOUND || (!rc && !edition_may_teach(ctx, &e)))
		return refuse(why, N_("Deze bijeenkomst bestaat niet."), CAMPUS_ENOTFOUND);
	if (!rc && e.cancelled)
		return refuse(why, N_("Deze uitvoering is geannuleerd."), CAMPUS_ECONFLICT);
	return rc;
}

int enrol_attendance_set(struct ctx *ctx, int64_t meeting_id, const struct attendance_mark *marks,
                         size_t n, enum attendance_method method,
                         struct attendance_outcome *outcomes, const char **why)
{
	*why = NULL;
	if ((unsigned)method > ATTEND_QR)
		return CAMPUS_EINVAL;
	struct mark_args a = {.ctx = ctx, .meeting_id = meeting_id, .marks = marks, .n = n,
	                      .method = method, .outcomes = outcomes, .why = why};
	int rc = meeting_edition(ctx, meeting_id, &a.edition_id, why);
	if (rc)
		return rc;
	if (n == 0)
		return refuse(why, N_("Er is niets om op te slaan."), CAMPUS_EINVAL);
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(a.edition_id), attendance_tx, &a);
}

static void checkin_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

int enrol_checkin_token(struct ctx *ctx, int64_t meeting_id,
                        char token[ENROL_CHECKIN_TOKEN_LEN + 1], const char **why)
{
	*why = NULL;
	int64_t edition_id;
	int rc = meeting_edition(ctx, meeting_id, &edition_id, why);
	if (rc)
		return rc;
	unsigned char raw[32], hash[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, ENROL_CHECKIN_TOKEN_LEN + 1, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	checkin_hash(token, hash);
	rc = db_exec(ctx->db, &stmt_at_token_set,
	             (const struct db_param[]){DBP_INT(meeting_id), DBP_BLOB(hash, sizeof hash), DBP_END},
	             NULL);
	if (!rc)
		rc = audit_record(ctx, "enrol.checkin_token", "meeting", id_text(ctx, meeting_id), "ok", "");
	return rc;
}

struct checkin_args {
	struct ctx *ctx;
	int64_t meeting_id, edition_id;
	const char **why;
};

static int checkin_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct checkin_args *a = cls;
	struct ctx *ctx = a->ctx;
	int64_t id = 0;
	int rc = db_query_row(ctx->db, &stmt_at_mine,
	                      (const struct db_param[]){DBP_INT(a->edition_id),
	                                                DBP_INT(ctx->actor.person_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&id), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(a->why, N_("Je bent niet ingeschreven voor deze bijeenkomst."),
		              CAMPUS_EFORBIDDEN);
	struct en x;
	if (!rc)
		rc = load_enrolment(ctx, id, &x);
	if (!rc)
		rc = put_presence(ctx, &x, a->meeting_id, true, ATTEND_QR);
	return rc;
}

int enrol_checkin(struct ctx *ctx, const char *token, int64_t *meeting_id, const char **why)
{
	*why = NULL;
	*meeting_id = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	if (!token || strlen(token) != ENROL_CHECKIN_TOKEN_LEN)
		return refuse(why, N_("Deze QR-code is ongeldig of verlopen."), CAMPUS_ENOTFOUND);
	unsigned char hash[32];
	checkin_hash(token, hash);
	int64_t edition_id, starts, ends;
	int rc = db_query_row(ctx->db, &stmt_at_token_find,
	                      (const struct db_param[]){DBP_BLOB(hash, sizeof hash), DBP_END},
	                      (const struct db_col[]){DBC_INT(meeting_id), DBC_INT(&edition_id),
	                                              DBC_INT(&starts), DBC_INT(&ends), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(why, N_("Deze QR-code is ongeldig of verlopen."), rc);
	if (rc)
		return rc;
	int64_t now = ctx->now();
	if (now < starts - CHECKIN_EARLY || now > ends)
		return refuse(why, N_("Inchecken kan vanaf een uur voor de bijeenkomst tot het einde."),
		              CAMPUS_ECONFLICT);
	struct checkin_args a = {ctx, *meeting_id, edition_id, why};
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), checkin_tx, &a);
}

/* A completion is the evidence the points ledger takes: the same result
 * through the web, a CSV or the API has one key, so it counts once. */
static const enum evidence_source method_sources[] = {EVIDENCE_WEB, EVIDENCE_CSV, EVIDENCE_API,
                                                     EVIDENCE_QR};

static int record_completion(struct ctx *ctx, const struct mark_args *a, const struct en *x)
{
	int64_t now = ctx->now();
	struct completion_in in = {
	    .person_id = x->person_id,
	    .module_id = a->module_id,
	    .edition_id = a->edition_id,
	    .enrolment_id = x->id,
	    .org_id = x->org_id,
	    .source = method_sources[a->method],
	    .completed_at = a->ends_at && a->ends_at < now ? a->ends_at : now,
	    .grade = *x->grade ? x->grade : NULL,
	};
	struct completion_out out;
	const char *why;
	int rc = progress_record_completion(ctx, &in, &out, &why);
	return rc == CAMPUS_EINVAL || rc == CAMPUS_ENOTFOUND ? CAMPUS_EINTERNAL : rc;
}

static int results_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct mark_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct en *rows = arena_zalloc(ctx->arena, (a->n ? a->n : 1) * sizeof *rows);
	if (!rows)
		return CAMPUS_ENOMEM;
	bool any = false;
	for (size_t i = 0; i < a->n; i++) {
		const struct enrol_result_mark *m = &a->results[i];
		const char *bad;
		int rc = resolve(ctx, a->edition_id, m->enrolment_id, m->person_email, &rows[i], &bad);
		if (rc)
			return rc;
		size_t glen = m->grade ? strlen(m->grade) : 0;
		if (!bad && rows[i].state == ENROL_COMPLETED && m->outcome != RESULT_COMPLETED)
			bad = N_("Deze deelnemer heeft al afgerond; een correctie loopt via de "
			         "puntenregistratie.");
		else if (!bad && (glen > ENROL_GRADE_MAX || (glen && !utf8_valid(m->grade, glen))))
			bad = N_("Het cijfer is te lang (hoogstens 20 tekens).");
		else if (!bad && (unsigned)m->outcome > RESULT_NO_SHOW)
			bad = N_("Kies afgerond, niet afgerond of niet verschenen.");
		for (size_t j = 0; !bad && j < i; j++)
			if (rows[j].id == rows[i].id)
				bad = N_("Deze persoon staat twee keer in de lijst.");
		note_bad(a, i, bad, &any);
	}
	if (any)
		return refuse(a->why, N_("Niets opgeslagen: een of meer regels kloppen niet."),
		              CAMPUS_EINVAL);
	static const enum enrol_state to[] = {ENROL_COMPLETED, ENROL_NOT_COMPLETED, ENROL_NO_SHOW};
	for (size_t i = 0; i < a->n; i++) {
		struct en *x = &rows[i];
		const struct enrol_result_mark *m = &a->results[i];
		const char *grade = m->grade ? m->grade : "";
		/* The same completion again (a form saved twice): nothing to do. */
		if (x->state == ENROL_COMPLETED && !strcmp(x->grade ? x->grade : "", grade))
			continue;
		x->grade = grade;
		/* The course was given: the library pays whatever the outcome. */
		int rc = budget_finish(ctx, x, true);
		if (!rc && x->state != to[m->outcome])
			rc = transition(ctx, x, to[m->outcome], method_names[a->method]);
		else if (!rc)
			rc = transition(ctx, x, x->state, method_names[a->method]); /* a new grade */
		if (!rc && m->outcome == RESULT_COMPLETED)
			rc = record_completion(ctx, a, x);
		if (rc)
			return rc;
	}
	return 0;
}

int enrol_results_set(struct ctx *ctx, int64_t edition_id, const struct enrol_result_mark *marks,
                      size_t n, enum attendance_method method,
                      struct attendance_outcome *outcomes, const char **why)
{
	*why = NULL;
	if ((unsigned)method > ATTEND_QR)
		return CAMPUS_EINVAL;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc == CAMPUS_ENOTFOUND || (!rc && !edition_may_teach(ctx, &e)))
		return refuse(why, N_("Deze uitvoering bestaat niet."), CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	if (e.cancelled)
		return refuse(why, N_("Deze uitvoering is geannuleerd."), CAMPUS_ECONFLICT);
	if (n == 0)
		return refuse(why, N_("Er is niets om op te slaan."), CAMPUS_EINVAL);
	struct mark_args a = {.ctx = ctx, .edition_id = edition_id, .module_id = e.module_id,
	                      .ends_at = e.ends_at, .results = marks, .n = n, .method = method,
	                      .outcomes = outcomes, .why = why};
	return db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(edition_id), results_tx, &a);
}

int enrol_result_one(struct ctx *ctx, int64_t edition_id, int64_t module_id,
                     const struct enrol_result_mark *m, enum attendance_method method,
                     int64_t completed_at, struct progress_memo *memo,
                     struct enrol_result_done *out, const char **bad)
{
	memset(out, 0, sizeof *out);
	*bad = NULL;
	if ((unsigned)method > ATTEND_QR)
		return CAMPUS_EINVAL;
	struct en x;
	int rc = resolve(ctx, edition_id, m->enrolment_id, m->person_email, &x, bad);
	if (rc || *bad)
		return rc;
	out->enrolment_id = x.id;
	out->person_id = x.person_id;
	size_t glen = m->grade ? strlen(m->grade) : 0;
	if ((unsigned)m->outcome > RESULT_NO_SHOW)
		*bad = N_("Kies afgerond, niet afgerond of niet verschenen.");
	else if (glen > ENROL_GRADE_MAX || (glen && !utf8_valid(m->grade, glen)))
		*bad = N_("Het cijfer is te lang (hoogstens 20 tekens).");
	else if (x.state == ENROL_COMPLETED && m->outcome != RESULT_COMPLETED)
		*bad = N_("Deze deelnemer heeft al afgerond; een correctie loopt via de "
		          "puntenregistratie.");
	if (*bad)
		return 0;
	if (m->outcome == RESULT_COMPLETED) {
		struct completion_in in = {.person_id = x.person_id, .module_id = module_id,
		                           .edition_id = edition_id, .enrolment_id = x.id,
		                           .org_id = x.org_id, .source = method_sources[method],
		                           .completed_at = completed_at ? completed_at : ctx->now(),
		                           .grade = glen ? m->grade : NULL,
		                           .memo = memo};
		rc = progress_record_completion(ctx, &in, &out->completion, bad);
		if (rc && *bad)
			return 0; /* refused: nothing written */
		if (rc)
			return rc;
		out->recorded = true;
		if (x.state == ENROL_COMPLETED)
			return 0; /* the same result again */
	}
	static const enum enrol_state to[] = {ENROL_COMPLETED, ENROL_NOT_COMPLETED, ENROL_NO_SHOW};
	x.grade = glen ? m->grade : "";
	rc = budget_finish(ctx, &x, true);
	if (!rc)
		rc = transition(ctx, &x, to[m->outcome], method_names[method]);
	return rc;
}

/* ---- reading ---- */

struct read_rows {
	struct ctx *ctx;
	struct db_rows rows;
	struct enrolment cur;
	const char *state;
	int64_t provider_id, step;
};

static bool may_cancel(struct ctx *ctx, const struct enrolment *x, int64_t provider_id)
{
	bool live = x->state == ENROL_REQUESTED || x->state == ENROL_WAITLISTED ||
	            x->state == ENROL_OFFERED || x->state == ENROL_ENROLLED;
	int64_t now = ctx->now();
	if (!live || (!x->always_open && x->ends_at && x->ends_at <= now))
		return false;
	if (enrol_actor_is_admin(ctx) ||
	    (ctx->actor.org_id == provider_id &&
	     (ctx->actor.roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER))) ||
	    (x->org_id && ctx->actor.org_id == x->org_id && (ctx->actor.roles & ROLE_MANAGER)))
		return true;
	if (ctx->actor.person_id != x->person_id)
		return false;
	return x->state != ENROL_ENROLLED || x->always_open || !x->cancel_until ||
	       now < x->cancel_until;
}

static int read_row(void *cls)
{
	struct read_rows *r = cls;
	struct enrolment *x = &r->cur;
	if (enrol_state_parse(r->state, &x->state))
		return CAMPUS_EDB;
	if (!x->budget_state[0])
		x->budget_state = NULL;
	x->approval_step = (int)r->step;
	x->may_cancel = may_cancel(r->ctx, x, r->provider_id);
	return db_rows_collect(&r->rows);
}

static int read_enrolments(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                           struct enrolment **out, size_t *n)
{
	struct read_rows r = {.ctx = ctx};
	r.rows = (struct db_rows){.arena = ctx->arena, .size = sizeof r.cur, .cur = &r.cur};
	struct enrolment *x = &r.cur;
	struct db_col cols[] = {
	    DBC_INT(&x->id),           DBC_INT(&x->edition_id),     DBC_INT(&x->module_id),
	    DBC_INT(&x->person_id),    DBC_INT(&x->org_id),         DBC_TEXT(&x->person_name),
	    DBC_TEXT(&x->person_email), DBC_TEXT(&x->org_name),     DBC_TEXT(&x->module_title),
	    DBC_TEXT(&x->edition_code), DBC_TEXT(&r.state),         DBC_INT(&r.step),
	    DBC_INT(&x->waitlist_pos), DBC_INT(&x->offer_expires_at), DBC_INT(&x->price_cents),
	    DBC_TEXT(&x->budget_state), DBC_TEXT(&x->grade),        DBC_TEXT(&x->reason),
	    DBC_INT(&x->requested_at), DBC_INT(&x->updated_at),     DBC_INT(&x->starts_at),
	    DBC_INT(&x->ends_at),      DBC_INT(&x->cancel_until),   DBC_TEXT(&x->place),
	    DBC_INT(&x->meetings_attended), DBC_INT(&x->meetings_total), DBC_BOOL(&x->always_open),
	    DBC_INT(&r.provider_id),   DBC_END};
	int rc = db_query(ctx->db, stmt, params, cols, ctx->arena, read_row, &r);
	*out = r.rows.data;
	*n = rc ? 0 : r.rows.n;
	return rc;
}

int enrol_get(struct ctx *ctx, int64_t enrolment_id, struct enrolment *out)
{
	struct enrolment *rows;
	size_t n;
	int rc = read_enrolments(ctx, &stmt_rd_one,
	                         (const struct db_param[]){DBP_INT(enrolment_id), DBP_END}, &rows, &n);
	if (rc)
		return rc;
	if (n != 1)
		return CAMPUS_ENOTFOUND;
	*out = rows[0];
	struct en x = {.person_id = out->person_id, .org_id = out->org_id};
	struct ed e;
	rc = load_edition(ctx, out->edition_id, &e);
	if (rc)
		return rc;
	if (standing(ctx, &x, &e) != WHO_NOBODY)
		return 0;
	int64_t teaches = 0;
	rc = count(ctx, &stmt_rd_teaches,
	           (const struct db_param[]){DBP_INT(out->edition_id), DBP_INT(ctx->actor.person_id),
	                                     DBP_END},
	           &teaches);
	if (rc)
		return rc;
	return teaches && ctx->actor.person_id ? 0 : CAMPUS_ENOTFOUND;
}

int enrol_list_mine(struct ctx *ctx, struct enrolment **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	return read_enrolments(ctx, &stmt_rd_mine,
	                       (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END}, out, n);
}

int enrol_list_edition(struct ctx *ctx, int64_t edition_id, struct enrolment **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc)
		return rc;
	int64_t only_org = 0;
	if (!edition_may_teach(ctx, &e)) {
		if (!(ctx->actor.roles & ROLE_MANAGER) || !ctx->actor.org_id)
			return CAMPUS_EFORBIDDEN;
		only_org = ctx->actor.org_id;
	}
	return read_enrolments(ctx, &stmt_rd_edition,
	                       (const struct db_param[]){DBP_INT(edition_id), DBP_INT(only_org), DBP_END},
	                       out, n);
}

int enrol_list_org(struct ctx *ctx, int64_t org_id, const char *state, struct enrolment **out,
                   size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!enrol_actor_is_admin(ctx) &&
	    !(ctx->actor.org_id == org_id && (ctx->actor.roles & ROLE_MANAGER)))
		return CAMPUS_EFORBIDDEN;
	enum enrol_state s;
	if (state && enrol_state_parse(state, &s))
		return CAMPUS_EINVAL;
	return read_enrolments(ctx, &stmt_rd_org,
	                       (const struct db_param[]){DBP_INT(org_id), DBP_TEXT(state), DBP_END},
	                       out, n);
}

int enrol_list_approvals(struct ctx *ctx, struct enrolment **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	bool manager = (ctx->actor.roles & ROLE_MANAGER) != 0;
	struct enrolment *rows;
	size_t k;
	int rc = read_enrolments(ctx, &stmt_rd_approvals,
	                         (const struct db_param[]){DBP_INT(ctx->actor.org_id),
	                                                   DBP_INT(manager ? 1 : 0),
	                                                   DBP_INT(ctx->actor.person_id), DBP_END},
	                         &rows, &k);
	if (rc)
		return rc;
	/* Nobody decides their own request. */
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		if (rows[i].person_id != ctx->actor.person_id)
			rows[m++] = rows[i];
	*out = rows;
	*n = m;
	return 0;
}

int enrol_events(struct ctx *ctx, int64_t enrolment_id, struct enrol_event **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct enrolment x;
	int rc = enrol_get(ctx, enrolment_id, &x);
	if (rc)
		return rc;
	struct enrol_event cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_rd_events, (const struct db_param[]){DBP_INT(enrolment_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.at), DBC_TEXT(&cur.actor_name),
	                                      DBC_TEXT(&cur.from_state), DBC_TEXT(&cur.to_state),
	                                      DBC_TEXT(&cur.reason), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	*out = rows.data;
	*n = rc ? 0 : rows.n;
	return rc;
}

struct grid_cls {
	const struct enrolment *people;
	size_t n;
	const struct edition *e;
	int *present;
	int64_t enrolment_id, meeting_id;
	bool here;
};

static int grid_row(void *cls)
{
	struct grid_cls *g = cls;
	size_t m;
	for (m = 0; m < g->e->nmeetings && g->e->meetings[m].id != g->meeting_id; m++)
		;
	if (m == g->e->nmeetings)
		return 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->people[i].id == g->enrolment_id)
			g->present[i * g->e->nmeetings + m] = g->here ? 1 : 0;
	return 0;
}

int enrol_attendance_grid(struct ctx *ctx, int64_t edition_id, const struct enrolment *people,
                          size_t n, int **present)
{
	*present = NULL;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc)
		return rc;
	if (!edition_may_teach(ctx, &e))
		return CAMPUS_EFORBIDDEN;
	size_t cells = n * e.nmeetings;
	int *grid = arena_alloc(ctx->arena, (cells ? cells : 1) * sizeof *grid);
	if (!grid)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < cells; i++)
		grid[i] = -1;
	struct grid_cls g = {people, n, &e, grid, 0, 0, false};
	rc = db_query(ctx->db, &stmt_at_grid, (const struct db_param[]){DBP_INT(edition_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&g.enrolment_id), DBC_INT(&g.meeting_id),
	                                      DBC_BOOL(&g.here), DBC_END},
	              ctx->arena, grid_row, &g);
	*present = grid;
	return rc;
}

/* ---- policy and budgets ---- */

static bool may_manage_org(const struct ctx *ctx, int64_t org_id)
{
	return enrol_actor_is_admin(ctx) ||
	       (ctx->actor.person_id && ctx->actor.org_id == org_id && (ctx->actor.roles & ROLE_MANAGER));
}

int enrol_policy_get(struct ctx *ctx, int64_t org_id, struct enrol_policy *out)
{
	struct policy p;
	int rc = load_policy(ctx, org_id, &p);
	*out = (struct enrol_policy){p.approval, p.second_approver_id, p.budgets, p.remind_days,
	                             p.expire_days};
	return rc;
}

struct policy_args {
	struct ctx *ctx;
	int64_t org_id;
	const struct enrol_policy *in;
};

static int policy_tx(struct db_conn *db, void *cls)
{
	struct policy_args *a = cls;
	struct ctx *ctx = a->ctx;
	int rc = db_exec(db, &stmt_en_policy_put,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_TEXT(a->in->approval),
	                                           int_or_null(a->in->second_approver_id),
	                                           DBP_BOOL(a->in->budgets),
	                                           DBP_INT(a->in->remind_days),
	                                           DBP_INT(a->in->expire_days), DBP_INT(ctx->now()),
	                                           DBP_END},
	                 NULL);
	if (!rc) {
		const char *detail = arena_printf(
		    ctx->arena, "approval=%s second=%lld budgets=%d remind=%lld expire=%lld",
		    a->in->approval, (long long)a->in->second_approver_id, a->in->budgets ? 1 : 0,
		    (long long)a->in->remind_days, (long long)a->in->expire_days);
		rc = audit_record(ctx, "enrol.policy", "organisation", id_text(ctx, a->org_id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

int enrol_policy_set(struct ctx *ctx, int64_t org_id, const struct enrol_policy *in,
                     const char **why)
{
	*why = NULL;
	if (!may_manage_org(ctx, org_id))
		return CAMPUS_EFORBIDDEN;
	if (!in->approval || (strcmp(in->approval, "none") && strcmp(in->approval, "cost") &&
	                      strcmp(in->approval, "always")))
		return refuse(why, N_("Kies wanneer goedkeuring nodig is."), CAMPUS_EINVAL);
	if (in->remind_days < 1 || in->remind_days > 60 || in->expire_days < 1 ||
	    in->expire_days > 120 || in->remind_days >= in->expire_days)
		return refuse(why, N_("Herinneren na 1 tot 60 dagen, verlopen na 1 tot 120 dagen, en "
		                      "herinneren vóór verlopen."),
		              CAMPUS_EINVAL);
	if (in->second_approver_id) {
		const char *kind;
		int64_t roles;
		int rc = db_query_row(ctx->db, &stmt_en_membership,
		                      (const struct db_param[]){DBP_INT(in->second_approver_id),
		                                                DBP_INT(org_id), DBP_END},
		                      (const struct db_col[]){DBC_TEXT(&kind), DBC_INT(&roles), DBC_END},
		                      ctx->arena);
		/* The second step is an HR, L&D or budget role: a manager of the
		 * library, who then finds the requests in the library's inbox. */
		if (rc == CAMPUS_ENOTFOUND || (!rc && !(roles & ROLE_MANAGER)))
			return refuse(why, N_("De tweede beoordelaar moet leidinggevende (HR of L&D) van de "
			                      "bibliotheek zijn."),
			              CAMPUS_EINVAL);
		if (rc)
			return rc;
	}
	struct policy_args a = {ctx, org_id, in};
	return db_tx_run(ctx->db, DB_TX_WRITE, policy_tx, &a);
}

struct budget_args {
	struct ctx *ctx;
	int64_t org_id, person_id, amount;
	int year;
	const char *kind;
	const char **why;
};

static int budget_default_tx(struct db_conn *db, void *cls)
{
	struct budget_args *a = cls;
	struct ctx *ctx = a->ctx;
	int rc = db_exec(db, &stmt_bu_default_put,
	                 (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->year),
	                                           DBP_TEXT(a->kind), DBP_INT(a->amount), DBP_END},
	                 NULL);
	if (!rc)
		rc = db_exec(db, &stmt_bu_default_apply,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->year),
		                                       DBP_TEXT(a->kind), DBP_INT(a->amount),
		                                       DBP_INT(ctx->now()), DBP_BOOL(false), DBP_END},
		             NULL);
	if (!rc) {
		const char *detail = arena_printf(ctx->arena, "year=%d kind=%s cents=%lld", a->year,
		                                  a->kind, (long long)a->amount);
		rc = audit_record(ctx, "budget.default", "organisation", id_text(ctx, a->org_id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

static int budget_check(struct ctx *ctx, int64_t org_id, int year, int64_t amount,
                        const char **why)
{
	*why = NULL;
	if (!may_manage_org(ctx, org_id))
		return CAMPUS_EFORBIDDEN;
	if (year < 2000 || year > 2200)
		return refuse(why, N_("Kies een geldig jaar."), CAMPUS_EINVAL);
	if (amount < 0 || amount > 100000000)
		return refuse(why, N_("Het bedrag moet tussen € 0 en € 1.000.000 liggen."), CAMPUS_EINVAL);
	return 0;
}

int budget_set_default(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                       int64_t amount_cents, const char **why)
{
	int rc = budget_check(ctx, org_id, year, amount_cents, why);
	if (rc)
		return rc;
	if (!member_kind || (strcmp(member_kind, "employee") && strcmp(member_kind, "volunteer")))
		return refuse(why, N_("Kies medewerkers of vrijwilligers."), CAMPUS_EINVAL);
	struct budget_args a = {ctx, org_id, 0, amount_cents, year, member_kind, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, budget_default_tx, &a);
}

static int budget_person_tx(struct db_conn *db, void *cls)
{
	struct budget_args *a = cls;
	struct ctx *ctx = a->ctx;
	const char *kind;
	int64_t roles;
	int rc = db_query_row(db, &stmt_en_membership,
	                      (const struct db_param[]){DBP_INT(a->person_id), DBP_INT(a->org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&kind), DBC_INT(&roles), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(a->why, N_("Deze persoon is geen lid van de bibliotheek."), CAMPUS_ENOTFOUND);
	int64_t changed = 0;
	if (!rc)
		rc = db_exec(db, &stmt_bu_person_put,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(a->person_id),
		                                       DBP_INT(a->year), DBP_INT(a->amount), DBP_BOOL(true),
		                                       DBP_INT(ctx->now()), DBP_END},
		             &changed);
	if (!rc && changed != 1)
		return refuse(a->why, N_("Dit bedrag is lager dan wat al is gereserveerd of uitgegeven."),
		              CAMPUS_ECONFLICT);
	if (!rc) {
		const char *detail = arena_printf(ctx->arena, "person=%lld year=%d cents=%lld",
		                                  (long long)a->person_id, a->year, (long long)a->amount);
		rc = audit_record(ctx, "budget.person", "organisation", id_text(ctx, a->org_id), "ok",
		                  detail ? detail : "");
	}
	return rc;
}

int budget_set_person(struct ctx *ctx, int64_t org_id, int64_t person_id, int year,
                      int64_t amount_cents, const char **why)
{
	int rc = budget_check(ctx, org_id, year, amount_cents, why);
	if (rc)
		return rc;
	struct budget_args a = {ctx, org_id, person_id, amount_cents, year, NULL, why};
	return db_tx_run(ctx->db, DB_TX_WRITE, budget_person_tx, &a);
}

struct budget_rows {
	struct db_rows rows;
	struct budget_row cur, *totals;
};

static int budget_row_done(void *cls)
{
	struct budget_rows *b = cls;
	struct budget_row *r = &b->cur;
	r->left_cents = r->amount_cents - r->reserved_cents - r->spent_cents;
	if (b->totals) {
		b->totals->amount_cents += r->amount_cents;
		b->totals->reserved_cents += r->reserved_cents;
		b->totals->spent_cents += r->spent_cents;
		b->totals->left_cents += r->left_cents;
	}
	return db_rows_collect(&b->rows);
}

static int budget_read(struct ctx *ctx, struct db_stmt *stmt, int64_t org_id, int year,
                       int64_t person_id, struct budget_rows *b)
{
	struct budget_row *r = &b->cur;
	b->rows = (struct db_rows){.arena = ctx->arena, .size = sizeof *r, .cur = r};
	return db_query(ctx->db, stmt,
	                (const struct db_param[]){DBP_INT(org_id), DBP_INT(year), DBP_INT(person_id),
	                                          DBP_BOOL(false), DBP_END},
	                (const struct db_col[]){DBC_INT(&r->person_id), DBC_TEXT(&r->name),
	                                        DBC_TEXT(&r->member_kind), DBC_INT(&r->amount_cents),
	                                        DBC_INT(&r->reserved_cents), DBC_INT(&r->spent_cents),
	                                        DBC_BOOL(&r->personal), DBC_END},
	                ctx->arena, budget_row_done, b);
}

int budget_list(struct ctx *ctx, int64_t org_id, int year, struct budget_row **out, size_t *n,
                struct budget_row *totals)
{
	*out = NULL;
	*n = 0;
	memset(totals, 0, sizeof *totals);
	totals->name = "";
	totals->member_kind = "";
	if (!may_manage_org(ctx, org_id))
		return CAMPUS_EFORBIDDEN;
	struct budget_rows b = {.totals = totals};
	int rc = budget_read(ctx, &stmt_bu_list, org_id, year, 0, &b);
	*out = b.rows.data;
	*n = rc ? 0 : b.rows.n;
	return rc;
}

int budget_get(struct ctx *ctx, int64_t org_id, int64_t person_id, int year,
               struct budget_row *out)
{
	if (!may_manage_org(ctx, org_id) && ctx->actor.person_id != person_id)
		return CAMPUS_EFORBIDDEN;
	struct budget_rows b = {0};
	int rc = budget_read(ctx, &stmt_bu_one, org_id, year, person_id, &b);
	if (rc)
		return rc;
	if (b.rows.n != 1)
		return CAMPUS_ENOTFOUND;
	*out = *(struct budget_row *)b.rows.data;
	return 0;
}

/* ---- time-driven work ---- */

struct pair {
	int64_t a, b;
};

static int lapse_step(struct step_args *a, struct ed *e, struct en *x)
{
	if (x->state != ENROL_OFFERED || x->offer_expires_at > a->ctx->now())
		return 0; /* answered meanwhile */
	return leave(a->ctx, e, x, ENROL_EXPIRED, N_("Niet op tijd gereageerd op de aangeboden plaats."));
}

enum { TICK_EXPIRED = 1, TICK_REMINDED };

struct request_row {
	int64_t id, edition_id, requested_at, reminded_at, remind_days, expire_days;
};

static int request_step(struct step_args *a, struct ed *e, struct en *x)
{
	struct ctx *ctx = a->ctx;
	if (x->state != ENROL_REQUESTED)
		return 0;
	struct policy pol;
	int rc = load_policy(ctx, x->org_id, &pol);
	if (rc)
		return rc;
	int64_t now = ctx->now();
	if (now >= x->requested_at + pol.expire_days * DAY ||
	    (!e->always_open && e->starts <= now)) {
		x->reason = N_("Er is niet op tijd over de aanvraag besloten.");
		rc = transition(ctx, x, ENROL_EXPIRED, x->reason);
		if (!rc)
			rc = tell_state(ctx, e, x);
		a->done = TICK_EXPIRED;
		return rc;
	}
	if (!x->reminded_at && now >= x->requested_at + pol.remind_days * DAY) {
		x->reminded_at = now;
		rc = transition(ctx, x, ENROL_REQUESTED, N_("Herinnering verstuurd."));
		if (!rc)
			rc = tell_approvers(ctx, e, x, &pol, true);
		a->done = TICK_REMINDED;
	}
	return rc;
}

static int reminder_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct step_args *a = cls;
	struct ctx *ctx = a->ctx;
	struct en x;
	struct ed e;
	int rc = load_enrolment(ctx, a->id, &x);
	if (!rc)
		rc = load_edition(ctx, x.edition_id, &e);
	int64_t changed = 0;
	if (!rc)
		rc = db_exec(ctx->db, &stmt_tk_reminded,
		             (const struct db_param[]){DBP_INT(x.id), DBP_INT(a->target), DBP_INT(ctx->now()),
		                                       DBP_END},
		             &changed);
	if (!rc && changed == 1)
		rc = tell_learner(ctx, &e, &x, "enrol.reminder", N_("Herinnering: {titel}"),
		                  N_("Beste {naam},\n\n{titel} begint binnenkort: {wanneer}. Tot dan!"),
		                  NO_EVENTS);
	return rc;
}

int enrol_tick(struct ctx *ctx, struct enrol_tick_counts *counts)
{
	struct enrol_tick_counts c = {0};
	int64_t now = ctx->now();
	const char *why = NULL;
	struct pair cur;
	struct db_rows offers = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	int rc = db_query(ctx->db, &stmt_tk_offers, (const struct db_param[]){DBP_INT(now), DBP_END},
	                  (const struct db_col[]){DBC_INT(&cur.a), DBC_INT(&cur.b), DBC_END}, ctx->arena,
	                  db_rows_collect, &offers);
	const struct pair *op = offers.data;
	for (size_t i = 0; !rc && i < offers.n; i++) {
		struct step_args a = {.ctx = ctx, .id = op[i].a, .step = lapse_step, .why = &why};
		rc = db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(op[i].b), step_tx, &a);
		if (!rc)
			c.offers_lapsed++;
	}
	struct request_row rr;
	struct db_rows reqs = {.arena = ctx->arena, .size = sizeof rr, .cur = &rr};
	if (!rc)
		rc = db_query(ctx->db, &stmt_tk_requests, (const struct db_param[]){DBP_END},
		              (const struct db_col[]){DBC_INT(&rr.id), DBC_INT(&rr.edition_id),
		                                      DBC_INT(&rr.requested_at), DBC_INT(&rr.reminded_at),
		                                      DBC_INT(&rr.remind_days), DBC_INT(&rr.expire_days),
		                                      DBC_END},
		              ctx->arena, db_rows_collect, &reqs);
	const struct request_row *rq = reqs.data;
	for (size_t i = 0; !rc && i < reqs.n; i++) {
		bool due = now >= rq[i].requested_at + rq[i].expire_days * DAY ||
		           (!rq[i].reminded_at && now >= rq[i].requested_at + rq[i].remind_days * DAY);
		if (!due)
			continue;
		struct step_args a = {.ctx = ctx, .id = rq[i].id, .step = request_step, .why = &why};
		rc = db_tx_run_keyed(ctx->db, EDITION_LOCK_KEY(rq[i].edition_id), step_tx, &a);
		if (!rc && a.done == TICK_EXPIRED)
			c.requests_expired++;
		else if (!rc && a.done == TICK_REMINDED)
			c.requests_reminded++;
	}
	struct db_rows starting = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	if (!rc)
		rc = db_query(ctx->db, &stmt_tk_starting,
		              (const struct db_param[]){DBP_INT(now), DBP_INT(now + START_REMINDER), DBP_END},
		              (const struct db_col[]){DBC_INT(&cur.a), DBC_INT(&cur.b), DBC_END}, ctx->arena,
		              db_rows_collect, &starting);
	const struct pair *sp = starting.data;
	for (size_t i = 0; !rc && i < starting.n; i++) {
		struct step_args a = {.ctx = ctx, .id = sp[i].a, .target = sp[i].b, .why = &why};
		rc = db_tx_run(ctx->db, DB_TX_WRITE, reminder_tx, &a);
		if (!rc)
			c.start_reminders++;
	}
	if (counts)
		*counts = c;
	return rc;
}
