/* The review committee's state machine over reviews, review_assignments,
 * review_scores, trusted_providers and the version state / module pointers.
 * Each step is one write transaction: read, check, write, audit, queue mail;
 * a refusal returns before anything is written (and a forbidden attempt is
 * audited as denied afterwards, in a transaction of its own). */
#include "domain/review.h"
#include "domain/search.h"

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/settings.h"

#define OPEN_STATES "('submitted', 'checked', 'assigned')"
#define QUERY_MAX 100

/* ---- statements ---- */

DB_STMT(stmt_rv_module,
        "SELECT provider_id, local_org_id IS NOT NULL, COALESCE(working_version_id, 0), "
        "COALESCE(recognised_version_id, 0) FROM modules WHERE id = $1");
DB_STMT(stmt_rv_version,
        "SELECT state, format, title, summary, description, goals, COALESCE(level, ''), "
        "contact_email, COALESCE(recognised_at, 0) FROM module_versions WHERE id = $1");
DB_STMT(stmt_rv_version_domains,
        "SELECT COUNT(*) FROM module_version_tags WHERE version_id = $1 AND kind = 'domain'");
DB_STMT(stmt_rv_open_for_module,
        "SELECT COUNT(*) FROM reviews WHERE module_id = $1 AND state IN " OPEN_STATES);
DB_STMT(stmt_rv_trusted, "SELECT COUNT(*) FROM trusted_providers WHERE org_id = $1 AND valid_until > $2");
DB_STMT(stmt_rv_insert,
        "INSERT INTO reviews (module_id, version_id, state, light, rereview, submitted_by, submitted_at) "
        "VALUES ($1, $2, 'submitted', $3, $4, $5, $6) RETURNING id");
DB_STMT(stmt_rv_version_state, "UPDATE module_versions SET state = $2, updated_at = $3 WHERE id = $1");
DB_STMT(stmt_rv_get_state,
        "SELECT r.module_id, r.version_id, r.state, r.light, r.rereview, m.provider_id, "
        "m.local_org_id IS NOT NULL, v.state, v.format, v.title, o.slug "
        "FROM reviews r JOIN modules m ON m.id = r.module_id JOIN module_versions v ON v.id = r.version_id "
        "JOIN organisations o ON o.id = m.provider_id WHERE r.id = $1");
DB_STMT(stmt_rv_check,
        "UPDATE reviews SET state = $2, checked_by = $3, checked_at = $4, reason = $5 "
        "WHERE id = $1 AND state = 'submitted'");
DB_STMT(stmt_rv_member,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND ended_at IS NULL AND (roles & 16) <> 0");
DB_STMT(stmt_rv_conflict,
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND org_id = $2 AND ended_at IS NULL");
DB_STMT(stmt_rv_assign,
        "INSERT INTO review_assignments (review_id, reviewer_id, assigned_by, assigned_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (review_id, reviewer_id) DO NOTHING");
DB_STMT(stmt_rv_assigned_count, "SELECT COUNT(*) FROM review_assignments WHERE review_id = $1");
DB_STMT(stmt_rv_is_assigned,
        "SELECT COUNT(*) FROM review_assignments WHERE review_id = $1 AND reviewer_id = $2");
DB_STMT(stmt_rv_set_assigned, "UPDATE reviews SET state = 'assigned' WHERE id = $1 AND state IN ('submitted', 'checked', 'assigned')");
DB_STMT(stmt_rv_criteria,
        "SELECT id, slug, name, description FROM review_criteria WHERE retired_at IS NULL "
        "ORDER BY position, id");
DB_STMT(stmt_rv_score_put,
        "INSERT INTO review_scores (review_id, reviewer_id, criterion_id, score, comment) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (review_id, reviewer_id, criterion_id) "
        "DO UPDATE SET score = excluded.score, comment = excluded.comment");
DB_STMT(stmt_rv_completed,
        "UPDATE review_assignments SET completed_at = $3 WHERE review_id = $1 AND reviewer_id = $2");
/* Assigned reviewers who scored every current criterion. */
DB_STMT(stmt_rv_complete_count,
        "SELECT COUNT(*) FROM review_assignments a WHERE a.review_id = $1 AND "
        "(SELECT COUNT(*) FROM review_scores s JOIN review_criteria c ON c.id = s.criterion_id "
        " AND c.retired_at IS NULL WHERE s.review_id = a.review_id AND s.reviewer_id = a.reviewer_id) "
        ">= (SELECT COUNT(*) FROM review_criteria WHERE retired_at IS NULL)");
DB_STMT(stmt_rv_decide,
        "UPDATE reviews SET state = $2, decided_by = $3, decided_at = $4, reason = $5 "
        "WHERE id = $1 AND state = 'assigned'");
DB_STMT(stmt_rv_withdraw,
        "UPDATE reviews SET state = 'withdrawn', decided_by = $2, decided_at = $3 "
        "WHERE id = $1 AND state IN " OPEN_STATES);
DB_STMT(stmt_rv_domain_ok, "SELECT COUNT(*) FROM tax_domains WHERE id = $1 AND retired_at IS NULL");
DB_STMT(stmt_rv_recognise_version,
        "UPDATE module_versions SET state = 'recognised', points_tenths = $2, "
        "recognised_load_tenths = $3, recognised_at = $4, valid_until = $5, updated_at = $4 WHERE id = $1");
DB_STMT(stmt_rv_domains_clear,
        "DELETE FROM module_version_tags WHERE version_id = $1 AND kind = 'domain'");
DB_STMT(stmt_rv_domain_add,
        "INSERT INTO module_version_tags (version_id, kind, tag_id) VALUES ($1, 'domain', $2) "
        "ON CONFLICT (version_id, kind, tag_id) DO NOTHING");
DB_STMT(stmt_rv_module_recognised,
        "UPDATE modules SET recognised_version_id = $2, published_version_id = $2, updated_at = $3 "
        "WHERE id = $1");
DB_STMT(stmt_rv_module_unrecognise,
        "UPDATE modules SET recognised_version_id = NULL, updated_at = $3 "
        "WHERE id = $1 AND recognised_version_id = $2");
/* The version's current recognition, kept before a decision replaces or
 * ends it, cut at that decision (0013_recognition_history.sql). */
DB_STMT(stmt_rv_keep_recognition,
        "INSERT INTO module_recognition_history (version_id, points_tenths, recognised_at, "
        "valid_until, review_id) SELECT id, points_tenths, recognised_at, "
        "CASE WHEN valid_until < $2 THEN valid_until ELSE $2 END, $3 FROM module_versions "
        "WHERE id = $1 AND points_tenths IS NOT NULL AND recognised_at <= $2 AND valid_until IS NOT NULL "
        "RETURNING id");
/* ... with the domains it was recognised under (0014). */
DB_STMT(stmt_rv_keep_domains,
        "INSERT INTO module_recognition_history_domains (history_id, domain_id) "
        "SELECT $2, tag_id FROM module_version_tags WHERE version_id = $1 AND kind = 'domain'");
DB_STMT(stmt_rv_expired,
        "SELECT m.id, v.id FROM modules m JOIN module_versions v ON v.id = m.recognised_version_id "
        "WHERE v.valid_until <= $1 ORDER BY m.id");
DB_STMT(stmt_rv_expiring,
        "SELECT m.id, v.id, m.provider_id FROM modules m "
        "JOIN module_versions v ON v.id = m.recognised_version_id "
        "WHERE v.valid_until > $1 AND v.valid_until <= $2 AND NOT EXISTS (SELECT 1 FROM reviews r "
        "WHERE r.module_id = m.id AND (r.state IN " OPEN_STATES " OR (r.version_id = v.id "
        "AND r.rereview = $3 AND r.submitted_at >= v.recognised_at))) ORDER BY m.id");
DB_STMT(stmt_rv_owner_people,
        "SELECT p.email, p.name, p.lang FROM memberships ms JOIN people p ON p.id = ms.person_id "
        "WHERE ms.org_id = $1 AND ms.ended_at IS NULL AND (ms.roles & $2) <> 0 ORDER BY p.id");
DB_STMT(stmt_rv_person, "SELECT email, name, lang FROM people WHERE id = $1");
DB_STMT(stmt_rv_org_slug, "SELECT slug FROM organisations WHERE id = $1");
DB_STMT(stmt_rv_org_kind, "SELECT kind FROM organisations WHERE id = $1");
DB_STMT(stmt_rv_trust_put,
        "INSERT INTO trusted_providers (org_id, since, valid_until, decided_by) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (org_id) DO UPDATE SET valid_until = excluded.valid_until, "
        "decided_by = excluded.decided_by, since = CASE WHEN trusted_providers.valid_until > $2 "
        "THEN trusted_providers.since ELSE excluded.since END");
DB_STMT(stmt_rv_trust_end,
        "UPDATE trusted_providers SET valid_until = $2, decided_by = $3 WHERE org_id = $1 AND valid_until > $2");
DB_STMT(stmt_rv_trusted_list,
        "SELECT t.org_id, o.name, o.slug, t.since, t.valid_until FROM trusted_providers t "
        "JOIN organisations o ON o.id = t.org_id WHERE t.valid_until > $1 ORDER BY o.name, o.id");
/* IN, not EXISTS per person: one pass over memberships instead of a probe for
 * each of the sector's people (80 ms -> 2 ms on the demo, SQLite). */
DB_STMT(stmt_rv_committee,
        "SELECT p.id, p.name, p.email, EXISTS (SELECT 1 FROM memberships c WHERE c.person_id = p.id "
        "AND c.org_id = $1 AND c.ended_at IS NULL) FROM people p WHERE p.id IN (SELECT ms.person_id "
        "FROM memberships ms WHERE ms.ended_at IS NULL AND (ms.roles & 16) <> 0) "
        "ORDER BY p.name, p.id");

/* The columns of struct review, for the single and the list queries. */
#define REVIEW_SELECT                                                                              \
	"SELECT r.id, r.module_id, r.version_id, v.number, r.state, v.state, r.light, r.rereview, "    \
	"m.provider_id, o.name, o.slug, m.local_org_id IS NOT NULL, v.title, v.format, v.load_tenths, " \
	"r.submitted_at, COALESCE(r.checked_at, 0), COALESCE(r.decided_at, 0), COALESCE(ps.name, ''), " \
	"COALESCE(pc.name, ''), COALESCE(pd.name, ''), r.reason FROM reviews r "                      \
	"JOIN modules m ON m.id = r.module_id JOIN module_versions v ON v.id = r.version_id "         \
	"JOIN organisations o ON o.id = m.provider_id LEFT JOIN people ps ON ps.id = r.submitted_by " \
	"LEFT JOIN people pc ON pc.id = r.checked_by LEFT JOIN people pd ON pd.id = r.decided_by "
DB_STMT(stmt_rv_get, REVIEW_SELECT "WHERE r.id = $1");
DB_STMT(stmt_rv_history, REVIEW_SELECT "WHERE r.module_id = $1 ORDER BY r.submitted_at DESC, r.id DESC");
DB_STMT(stmt_rv_box_check,
        REVIEW_SELECT "WHERE r.state = 'submitted' AND r.light = $1 ORDER BY r.submitted_at, r.id");
DB_STMT(stmt_rv_box_assign,
        REVIEW_SELECT "WHERE r.state = 'checked' OR (r.state = 'submitted' AND r.light = $1) "
                      "ORDER BY r.submitted_at, r.id");
DB_STMT(stmt_rv_box_mine,
        REVIEW_SELECT "WHERE r.state = 'assigned' AND EXISTS (SELECT 1 FROM review_assignments a "
                      "WHERE a.review_id = r.id AND a.reviewer_id = $1) ORDER BY r.submitted_at, r.id");
DB_STMT(stmt_rv_box_assigned, REVIEW_SELECT "WHERE r.state = 'assigned' ORDER BY r.submitted_at, r.id");
DB_STMT(stmt_rv_box_decided,
        REVIEW_SELECT "WHERE r.state IN ('recognised', 'returned', 'rejected') "
                      "ORDER BY r.decided_at DESC, r.id DESC LIMIT 20");
DB_STMT(stmt_rv_reviewers,
        "SELECT a.reviewer_id, p.name, a.assigned_at, COALESCE(a.completed_at, 0) FROM review_assignments a "
        "JOIN people p ON p.id = a.reviewer_id WHERE a.review_id = $1 ORDER BY a.assigned_at, a.reviewer_id");
DB_STMT(stmt_rv_scores,
        "SELECT reviewer_id, criterion_id, score, comment FROM review_scores WHERE review_id = $1 "
        "ORDER BY reviewer_id, criterion_id");

#define REGISTER_FROM                                                                              \
	"FROM modules m JOIN module_versions v ON v.id = m.recognised_version_id "                     \
	"JOIN organisations o ON o.id = m.provider_id WHERE m.local_org_id IS NULL AND v.valid_until > $1 " \
	"AND (CAST($2 AS TEXT) IS NULL OR lower(v.title) LIKE $2 ESCAPE '\\' OR lower(o.name) LIKE $2 ESCAPE '\\') "
DB_STMT(stmt_rv_register,
        "SELECT m.id, v.id, v.title, o.name, v.points_tenths, v.recognised_load_tenths, v.valid_until "
        REGISTER_FROM "ORDER BY lower(v.title), m.id LIMIT $3 OFFSET $4");
DB_STMT(stmt_rv_register_count, "SELECT COUNT(*) " REGISTER_FROM);
DB_STMT(stmt_rv_version_domain_names,
        "SELECT d.name FROM module_version_tags t JOIN tax_domains d ON d.id = t.tag_id "
        "WHERE t.version_id = $1 AND t.kind = 'domain' ORDER BY d.position, d.id");

/* ---- small helpers ---- */

static const char *id_text(struct ctx *ctx, int64_t id)
{
	const char *s = arena_printf(ctx->arena, "%lld", (long long)id);
	return s ? s : "";
}

static struct db_param person_param(int64_t id)
{
	return id ? (struct db_param)DBP_INT(id) : (struct db_param)DBP_NULL;
}

static int count(struct db_conn *db, struct db_stmt *stmt, const struct db_param *params,
                 struct arena *arena, int64_t *n)
{
	return db_query_row(db, stmt, params, (const struct db_col[]){DBC_INT(n), DBC_END}, arena);
}

static bool is_admin(const struct ctx *ctx)
{
	return (ctx->actor.flags & ACTOR_SYSTEM) || (ctx->actor.roles & ROLE_CAMPUS_ADMIN);
}

bool review_may_own(const struct ctx *ctx, int64_t owner_org_id)
{
	if (is_admin(ctx))
		return true;
	return ctx->actor.person_id && ctx->actor.org_id == owner_org_id &&
	       (ctx->actor.roles & (ROLE_PROVIDER_ADMIN | ROLE_MANAGER));
}

bool review_is_member(struct ctx *ctx, int64_t person_id)
{
	int64_t n = 0;
	return person_id &&
	       count(ctx->db, &stmt_rv_member, (const struct db_param[]){DBP_INT(person_id), DBP_END},
	             ctx->arena, &n) == 0 &&
	       n > 0;
}

bool review_has_conflict(struct ctx *ctx, int64_t person_id, int64_t org_id)
{
	int64_t n = 1; /* a failed query counts as a conflict: refuse rather than allow */
	count(ctx->db, &stmt_rv_conflict,
	      (const struct db_param[]){DBP_INT(person_id), DBP_INT(org_id), DBP_END}, ctx->arena, &n);
	return n > 0;
}

bool review_is_chair(struct ctx *ctx, int64_t person_id)
{
	const char *v;
	int64_t chair;
	if (!person_id || settings_get(ctx, SETTING_REVIEW_CHAIR, &v) != 0 || !v[0] ||
	    !str_to_int64(v, strlen(v), &chair))
		return false;
	return chair == person_id && review_is_member(ctx, person_id);
}

bool review_is_trusted(struct ctx *ctx, int64_t org_id)
{
	int64_t n = 0;
	return count(ctx->db, &stmt_rv_trusted,
	             (const struct db_param[]){DBP_INT(org_id), DBP_INT(ctx->now()), DBP_END}, ctx->arena,
	             &n) == 0 &&
	       n > 0;
}

int review_points_range(struct ctx *ctx, int64_t *min, int64_t *max)
{
	int rc = settings_get_tenths(ctx, SETTING_REVIEW_POINTS_MIN, min);
	if (!rc)
		rc = settings_get_tenths(ctx, SETTING_REVIEW_POINTS_MAX, max);
	return rc;
}

static bool valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	return n <= max && (n == 0 || utf8_valid(s, n));
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* A refusal: why is set and nothing was written. */
static int refuse(const char **why, const char *msgid, int rc)
{
	*why = msgid;
	return rc;
}

/* A forbidden attempt leaves a trace; the refused transaction rolled back. */
static int finish(struct ctx *ctx, int rc, const char *action, int64_t id, const char *why)
{
	if (rc == CAMPUS_EFORBIDDEN && why)
		audit_record(ctx, action, "review", id_text(ctx, id), "denied", why);
	return rc;
}


/* A db_rows collecting copies of *cur_. */
#define ROWS(arena_, cur_) {.arena = (arena_), .size = sizeof *(cur_), .cur = (cur_)}

/* ---- e-mail ---- */

struct recipient {
	const char *email, *name, *lang;
};

/* The module owner's provider administrators (and a library's managers for
 * its own module). */
static int owner_people(struct ctx *ctx, int64_t org_id, bool local, struct recipient **out,
                        size_t *n)
{
	unsigned mask = ROLE_PROVIDER_ADMIN | (local ? ROLE_MANAGER : 0);
	struct recipient cur;
	struct db_rows r = ROWS(ctx->arena, &cur);
	struct db_col cols[] = {DBC_TEXT(&cur.email), DBC_TEXT(&cur.name), DBC_TEXT(&cur.lang), DBC_END};
	int rc = db_query(ctx->db, &stmt_rv_owner_people,
	                  (const struct db_param[]){DBP_INT(org_id), DBP_INT(mask), DBP_END}, cols,
	                  ctx->arena, db_rows_collect, &r);
	*out = r.data;
	*n = rc ? 0 : r.n;
	return rc;
}

static int person_recipient(struct ctx *ctx, int64_t person_id, struct recipient *r)
{
	return db_query_row(ctx->db, &stmt_rv_person,
	                    (const struct db_param[]){DBP_INT(person_id), DBP_END},
	                    (const struct db_col[]){DBC_TEXT(&r->email), DBC_TEXT(&r->name),
	                                            DBC_TEXT(&r->lang), DBC_END},
	                    ctx->arena);
}

static int send_one(struct ctx *ctx, const struct recipient *to, const char *subject_id,
                    const char *body_id, const char *title, const char *reason, const char *link)
{
	const char *subject = mail_fill(ctx->arena, mail_tr(to->lang, subject_id), "titel", title,
	                                (const char *)NULL);
	const char *body = mail_fill(ctx->arena, mail_tr(to->lang, body_id), "naam", to->name, "titel",
	                             title, "reden", reason ? reason : "", "link", link,
	                             (const char *)NULL);
	if (!subject || !body)
		return CAMPUS_ENOMEM;
	/* A long title must not make the subject unsendable. */
	if (strlen(subject) > MAIL_SUBJECT_MAX)
		subject = mail_tr(to->lang, N_("Bericht van de toetsingscommissie"));
	return mail_queue(ctx, to->email, subject, body);
}

static int mail_owner(struct ctx *ctx, int64_t org_id, bool local, const char *slug, int64_t module_id,
                      const char *title, const char *subject_id, const char *body_id,
                      const char *reason)
{
	struct recipient *to;
	size_t n;
	int rc = owner_people(ctx, org_id, local, &to, &n);
	const char *link = arena_printf(ctx->arena, "%s/b/%s/modules/%lld/toetsing", mail_base_url(),
	                                slug, (long long)module_id);
	if (!rc && !link)
		rc = CAMPUS_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++)
		rc = send_one(ctx, &to[i], subject_id, body_id, title, reason, link);
	return rc;
}

static const char *review_link(struct ctx *ctx, int64_t review_id)
{
	return arena_printf(ctx->arena, "%s/commissie/toetsingen/%lld", mail_base_url(),
	                    (long long)review_id);
}

/* ---- the review as the steps see it ---- */

struct state {
	int64_t module_id, version_id, provider_id;
	char *state, *version_state, *format, *title, *slug;
	bool light, rereview, local;
};

static int load_state(struct ctx *ctx, int64_t review_id, struct state *s)
{
	return db_query_row(
	    ctx->db, &stmt_rv_get_state, (const struct db_param[]){DBP_INT(review_id), DBP_END},
	    (const struct db_col[]){DBC_INT(&s->module_id), DBC_INT(&s->version_id), DBC_TEXT(&s->state),
	                            DBC_BOOL(&s->light), DBC_BOOL(&s->rereview),
	                            DBC_INT(&s->provider_id), DBC_BOOL(&s->local),
	                            DBC_TEXT(&s->version_state), DBC_TEXT(&s->format),
	                            DBC_TEXT(&s->title), DBC_TEXT(&s->slug), DBC_END},
	    ctx->arena);
}

/* The review's state; an unknown id is refused with a reason. */
static int load_review(struct ctx *ctx, int64_t id, struct state *s, const char **why)
{
	int rc = load_state(ctx, id, s);
	return rc == CAMPUS_ENOTFOUND ? refuse(why, N_("Deze toetsing bestaat niet."), rc) : rc;
}

static bool is_open(const char *state)
{
	return !strcmp(state, "submitted") || !strcmp(state, "checked") || !strcmp(state, "assigned");
}

static int set_version_state(struct ctx *ctx, int64_t version_id, const char *state)
{
	return db_exec(ctx->db, &stmt_rv_version_state,
	               (const struct db_param[]){DBP_INT(version_id), DBP_TEXT(state),
	                                         DBP_INT(ctx->now()), DBP_END},
	               NULL);
}

/* Whether the scores allow a decision: every assigned reviewer is done, or
 * on the light path one is. */
static int scores_ready(struct ctx *ctx, int64_t review_id, bool light, bool *ready)
{
	int64_t assigned = 0, complete = 0;
	struct db_param p[] = {DBP_INT(review_id), DBP_END};
	int rc = count(ctx->db, &stmt_rv_assigned_count, p, ctx->arena, &assigned);
	if (!rc)
		rc = count(ctx->db, &stmt_rv_complete_count, p, ctx->arena, &complete);
	*ready = assigned > 0 && (light ? complete >= 1 : complete >= assigned);
	return rc;
}

/* ---- submit ---- */

struct submit_args {
	struct ctx *ctx;
	int64_t module_id, *review_id;
	const char *why;
};

/* The first thing missing for the committee to judge the version, or NULL. */
static int completeness(struct ctx *ctx, int64_t version_id, const char **missing)
{
	char *state, *format, *title, *summary, *description, *goals, *level, *contact;
	int64_t recognised_at, domains = 0;
	int rc = db_query_row(
	    ctx->db, &stmt_rv_version, (const struct db_param[]){DBP_INT(version_id), DBP_END},
	    (const struct db_col[]){DBC_TEXT(&state), DBC_TEXT(&format), DBC_TEXT(&title),
	                            DBC_TEXT(&summary), DBC_TEXT(&description), DBC_TEXT(&goals),
	                            DBC_TEXT(&level), DBC_TEXT(&contact), DBC_INT(&recognised_at), DBC_END},
	    ctx->arena);
	if (!rc)
		rc = count(ctx->db, &stmt_rv_version_domains,
		           (const struct db_param[]){DBP_INT(version_id), DBP_END}, ctx->arena, &domains);
	if (rc)
		return rc;
	*missing = blank(title)         ? N_("De module is niet compleet: de titel ontbreekt.")
	           : blank(summary)     ? N_("De module is niet compleet: de samenvatting ontbreekt.")
	           : blank(description) ? N_("De module is niet compleet: de beschrijving ontbreekt.")
	           : blank(goals)       ? N_("De module is niet compleet: de leerdoelen ontbreken.")
	           : blank(level)       ? N_("De module is niet compleet: het niveau ontbreekt.")
	           : domains == 0       ? N_("De module is niet compleet: kies ten minste één domein.")
	           : blank(contact)     ? N_("De module is niet compleet: het e-mailadres voor contact ontbreekt.")
	                                : NULL;
	return 0;
}

static int submit_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct submit_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	int64_t provider_id, working, recognised;
	bool local;
	int rc = db_query_row(ctx->db, &stmt_rv_module,
	                      (const struct db_param[]){DBP_INT(a->module_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&provider_id), DBC_BOOL(&local),
	                                              DBC_INT(&working), DBC_INT(&recognised), DBC_END},
	                      ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(&a->why, N_("Deze module bestaat niet."), CAMPUS_ENOTFOUND);
	if (rc)
		return rc;
	if (!review_may_own(ctx, provider_id))
		return refuse(&a->why, N_("Alleen de aanbieder van de module kan haar ter toetsing aanbieden."),
		              CAMPUS_EFORBIDDEN);
	if (!working)
		return refuse(&a->why, N_("Deze module heeft nog geen versie."), CAMPUS_ECONFLICT);
	char *state, *format, *title, *summary, *description, *goals, *level, *contact;
	int64_t recognised_at, open = 0;
	rc = db_query_row(
	    ctx->db, &stmt_rv_version, (const struct db_param[]){DBP_INT(working), DBP_END},
	    (const struct db_col[]){DBC_TEXT(&state), DBC_TEXT(&format), DBC_TEXT(&title),
	                            DBC_TEXT(&summary), DBC_TEXT(&description), DBC_TEXT(&goals),
	                            DBC_TEXT(&level), DBC_TEXT(&contact), DBC_INT(&recognised_at), DBC_END},
	    ctx->arena);
	if (!rc)
		rc = count(ctx->db, &stmt_rv_open_for_module,
		           (const struct db_param[]){DBP_INT(a->module_id), DBP_END}, ctx->arena, &open);
	if (rc)
		return rc;
	if (!strcmp(state, "submitted") || !strcmp(state, "in_review"))
		return refuse(&a->why, N_("Deze versie ligt al bij de toetsingscommissie."), CAMPUS_ECONFLICT);
	if (strcmp(state, "draft") && strcmp(state, "returned"))
		return refuse(&a->why,
		              N_("Alleen een concept of een teruggestuurde versie kan ter toetsing worden aangeboden."),
		              CAMPUS_ECONFLICT);
	/* A re-review of the recognised version may be running; the new version waits for it. */
	if (open)
		return refuse(&a->why, N_("Er loopt al een toetsing voor deze module."), CAMPUS_ECONFLICT);
	bool light = review_is_trusted(ctx, provider_id);
	if (!light) {
		const char *missing;
		rc = completeness(ctx, working, &missing);
		if (rc)
			return rc;
		if (missing)
			return refuse(&a->why, missing, CAMPUS_EINVAL);
	}
	int64_t now = ctx->now();
	rc = db_query_row(ctx->db, &stmt_rv_insert,
	                  (const struct db_param[]){DBP_INT(a->module_id), DBP_INT(working), DBP_BOOL(light),
	                                            DBP_BOOL(false), person_param(ctx->actor.person_id),
	                                            DBP_INT(now), DBP_END},
	                  (const struct db_col[]){DBC_INT(a->review_id), DBC_END}, ctx->arena);
	if (!rc)
		rc = set_version_state(ctx, working, "submitted");
	if (!rc)
		rc = audit_record(ctx, "review.submit", "review", id_text(ctx, *a->review_id), "ok",
		                  arena_printf(ctx->arena, "module=%lld version=%lld light=%d",
		                               (long long)a->module_id, (long long)working, light));
	char *slug = NULL;
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_rv_org_slug, (const struct db_param[]){DBP_INT(provider_id), DBP_END},
		                  (const struct db_col[]){DBC_TEXT(&slug), DBC_END}, ctx->arena);
	if (!rc)
		rc = mail_owner(ctx, provider_id, local, slug, a->module_id, title,
		                N_("Ter toetsing aangeboden: {titel}"),
		                N_("Beste {naam},\n\nDe module \"{titel}\" is aangeboden aan de "
		                   "toetsingscommissie. U krijgt bericht zodra er iets verandert. De stand "
		                   "van zaken ziet u hier:\n\n{link}\n"),
		                NULL);
	return rc;
}

int review_submit(struct ctx *ctx, int64_t module_id, int64_t *review_id, const char **why)
{
	int64_t id = 0;
	struct submit_args a = {ctx, module_id, review_id ? review_id : &id, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, submit_tx, &a);
	*why = rc ? a.why : NULL;
	if (rc == CAMPUS_EFORBIDDEN && a.why)
		audit_record(ctx, "review.submit", "module", id_text(ctx, module_id), "denied", a.why);
	return rc;
}

/* ---- check ---- */

struct check_args {
	struct ctx *ctx;
	int64_t id;
	bool complete;
	const char *reasons, *why;
};

static int check_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct check_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	struct state s;
	int rc = load_review(ctx, a->id, &s, &a->why);
	if (rc)
		return rc;
	if (!is_admin(ctx))
		return refuse(&a->why, N_("Alleen een campusbeheerder controleert op volledigheid."),
		              CAMPUS_EFORBIDDEN);
	if (strcmp(s.state, "submitted") || s.light)
		return refuse(&a->why, N_("Deze toetsing wacht niet op een controle op volledigheid."),
		              CAMPUS_ECONFLICT);
	if (!a->complete && blank(a->reasons))
		return refuse(&a->why, N_("Geef aan wat er ontbreekt."), CAMPUS_EINVAL);
	if (!valid_text(a->reasons, REVIEW_REASON_MAX))
		return refuse(&a->why, N_("De toelichting is te lang (hoogstens 4000 tekens)."), CAMPUS_EINVAL);
	int64_t changes = 0;
	rc = db_exec(ctx->db, &stmt_rv_check,
	             (const struct db_param[]){DBP_INT(a->id), DBP_TEXT(a->complete ? "checked" : "returned"),
	                                       person_param(ctx->actor.person_id), DBP_INT(ctx->now()),
	                                       DBP_TEXT(a->complete ? "" : a->reasons), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_EBUSY;
	if (!rc && !a->complete && !s.rereview)
		rc = set_version_state(ctx, s.version_id, "returned");
	if (!rc)
		rc = audit_record(ctx, a->complete ? "review.check" : "review.return", "review",
		                  id_text(ctx, a->id), "ok", a->complete ? "complete" : "incomplete");
	if (!rc && !a->complete)
		rc = mail_owner(ctx, s.provider_id, s.local, s.slug, s.module_id, s.title,
		                N_("Teruggestuurd door de toetsingscommissie: {titel}"),
		                N_("Beste {naam},\n\nDe toetsingscommissie heeft de module \"{titel}\" "
		                   "teruggestuurd. De reden:\n\n{reden}\n\nPas de module aan en bied haar "
		                   "opnieuw aan:\n\n{link}\n"),
		                a->reasons);
	return rc;
}

int review_check(struct ctx *ctx, int64_t review_id, bool complete, const char *reasons,
                 const char **why)
{
	struct check_args a = {ctx, review_id, complete, reasons, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, check_tx, &a);
	*why = rc ? a.why : NULL;
	return finish(ctx, rc, "review.check", review_id, a.why);
}

/* ---- assign ---- */

struct assign_args {
	struct ctx *ctx;
	int64_t id;
	const int64_t *reviewers;
	size_t n;
	const char *why;
};

static int assign_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct assign_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	struct state s;
	int rc = load_review(ctx, a->id, &s, &a->why);
	if (rc)
		return rc;
	if (!is_admin(ctx) && !review_is_chair(ctx, ctx->actor.person_id))
		return refuse(&a->why, N_("Alleen de voorzitter van de commissie wijst beoordelaars toe."),
		              CAMPUS_EFORBIDDEN);
	bool may = !strcmp(s.state, "checked") || !strcmp(s.state, "assigned") ||
	           (!strcmp(s.state, "submitted") && s.light);
	if (!may)
		return refuse(&a->why,
		              !strcmp(s.state, "submitted")
		                  ? N_("Deze toetsing moet eerst op volledigheid worden gecontroleerd.")
		                  : N_("Aan deze toetsing kunnen geen beoordelaars meer worden toegewezen."),
		              CAMPUS_ECONFLICT);
	if (a->n == 0)
		return refuse(&a->why, N_("Kies ten minste één beoordelaar."), CAMPUS_EINVAL);
	int64_t assigned = 0;
	rc = count(ctx->db, &stmt_rv_assigned_count, (const struct db_param[]){DBP_INT(a->id), DBP_END},
	           ctx->arena, &assigned);
	if (rc)
		return rc;
	if ((size_t)assigned + a->n > REVIEW_REVIEWERS_MAX)
		return refuse(&a->why, N_("Een toetsing heeft hoogstens vijf beoordelaars."), CAMPUS_EINVAL);
	for (size_t i = 0; i < a->n; i++) {
		if (!review_is_member(ctx, a->reviewers[i]))
			return refuse(&a->why, N_("Een beoordelaar moet lid zijn van de toetsingscommissie."),
			              CAMPUS_EINVAL);
		if (review_has_conflict(ctx, a->reviewers[i], s.provider_id))
			return refuse(&a->why,
			              N_("Deze beoordelaar werkt bij de aanbieder van de module (belangenverstrengeling) "
			                 "en kan haar niet beoordelen."),
			              CAMPUS_EINVAL);
	}
	int64_t now = ctx->now();
	for (size_t i = 0; !rc && i < a->n; i++) {
		int64_t changes = 0;
		rc = db_exec(ctx->db, &stmt_rv_assign,
		             (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->reviewers[i]),
		                                       person_param(ctx->actor.person_id), DBP_INT(now), DBP_END},
		             &changes);
		if (rc || changes == 0)
			continue; /* already assigned: no second e-mail */
		rc = audit_record(ctx, "review.assign", "review", id_text(ctx, a->id), "ok",
		                  arena_printf(ctx->arena, "reviewer=%lld", (long long)a->reviewers[i]));
		struct recipient to;
		if (!rc)
			rc = person_recipient(ctx, a->reviewers[i], &to);
		const char *link = review_link(ctx, a->id);
		if (!rc && !link)
			rc = CAMPUS_ENOMEM;
		if (!rc)
			rc = send_one(ctx, &to, N_("Toetsing toegewezen: {titel}"),
			              N_("Beste {naam},\n\nU bent gevraagd de module \"{titel}\" te beoordelen "
			                 "voor de toetsingscommissie. U vindt de module en het "
			                 "beoordelingsformulier hier:\n\n{link}\n"),
			              s.title, NULL, link);
	}
	if (!rc)
		rc = db_exec(ctx->db, &stmt_rv_set_assigned, (const struct db_param[]){DBP_INT(a->id), DBP_END},
		             NULL);
	if (!rc && !s.rereview && strcmp(s.version_state, "in_review"))
		rc = set_version_state(ctx, s.version_id, "in_review");
	return rc;
}

int review_assign(struct ctx *ctx, int64_t review_id, const int64_t *reviewers, size_t n,
                  const char **why)
{
	struct assign_args a = {ctx, review_id, reviewers, n, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, assign_tx, &a);
	*why = rc ? a.why : NULL;
	return finish(ctx, rc, "review.assign", review_id, a.why);
}

/* ---- criteria and scores ---- */

int review_criteria(struct ctx *ctx, struct review_criterion **out, size_t *n)
{
	struct review_criterion cur;
	struct db_rows r = ROWS(ctx->arena, &cur);
	struct db_col cols[] = {DBC_INT(&cur.id), DBC_TEXT(&cur.slug), DBC_TEXT(&cur.name),
	                        DBC_TEXT(&cur.description), DBC_END};
	int rc = db_query(ctx->db, &stmt_rv_criteria, (const struct db_param[]){DBP_END}, cols,
	                  ctx->arena, db_rows_collect, &r);
	*out = r.data;
	*n = rc ? 0 : r.n;
	return rc;
}

struct score_args {
	struct ctx *ctx;
	int64_t id;
	const int64_t *criteria, *scores;
	const char *const *comments;
	size_t n;
	const char *why;
};

static int score_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct score_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	int64_t me = ctx->actor.person_id;
	struct state s;
	int rc = load_review(ctx, a->id, &s, &a->why);
	if (rc)
		return rc;
	int64_t mine = 0;
	rc = count(ctx->db, &stmt_rv_is_assigned,
	           (const struct db_param[]){DBP_INT(a->id), DBP_INT(me), DBP_END}, ctx->arena, &mine);
	if (rc)
		return rc;
	if (!mine || !review_is_member(ctx, me))
		return refuse(&a->why, N_("Alleen een toegewezen beoordelaar kan deze module beoordelen."),
		              CAMPUS_EFORBIDDEN);
	if (review_has_conflict(ctx, me, s.provider_id))
		return refuse(&a->why,
		              N_("U werkt bij de aanbieder van deze module (belangenverstrengeling) en kunt haar "
		                 "niet beoordelen."),
		              CAMPUS_EFORBIDDEN);
	if (strcmp(s.state, "assigned"))
		return refuse(&a->why, N_("Over deze toetsing is al besloten."), CAMPUS_ECONFLICT);
	struct review_criterion *crit;
	size_t ncrit;
	rc = review_criteria(ctx, &crit, &ncrit);
	if (rc)
		return rc;
	/* Every current criterion exactly once. */
	if (a->n != ncrit)
		return refuse(&a->why, N_("Geef voor elk criterium een score."), CAMPUS_EINVAL);
	for (size_t i = 0; i < a->n; i++) {
		size_t k = 0, seen = 0;
		for (; k < ncrit && crit[k].id != a->criteria[i]; k++)
			;
		for (size_t j = 0; j < a->n; j++)
			seen += a->criteria[j] == a->criteria[i];
		if (k == ncrit || seen != 1)
			return refuse(&a->why, N_("Geef voor elk criterium een score."), CAMPUS_EINVAL);
		if (a->scores[i] < 1 || a->scores[i] > 5)
			return refuse(&a->why, N_("Een score is een getal van 1 tot en met 5."), CAMPUS_EINVAL);
		const char *c = a->comments ? a->comments[i] : NULL;
		if (!valid_text(c, REVIEW_COMMENT_MAX))
			return refuse(&a->why, N_("Een toelichting is hoogstens 2000 tekens."), CAMPUS_EINVAL);
	}
	bool ready_before, ready_after;
	rc = scores_ready(ctx, a->id, s.light, &ready_before);
	for (size_t i = 0; !rc && i < a->n; i++) {
		const char *c = a->comments && a->comments[i] ? a->comments[i] : "";
		rc = db_exec(ctx->db, &stmt_rv_score_put,
		             (const struct db_param[]){DBP_INT(a->id), DBP_INT(me), DBP_INT(a->criteria[i]),
		                                       DBP_INT(a->scores[i]), DBP_TEXT(c), DBP_END},
		             NULL);
	}
	if (!rc)
		rc = db_exec(ctx->db, &stmt_rv_completed,
		             (const struct db_param[]){DBP_INT(a->id), DBP_INT(me), DBP_INT(ctx->now()), DBP_END},
		             NULL);
	if (!rc)
		rc = audit_record(ctx, "review.score", "review", id_text(ctx, a->id), "ok",
		                  arena_printf(ctx->arena, "criteria=%zu", a->n));
	if (!rc)
		rc = scores_ready(ctx, a->id, s.light, &ready_after);
	/* The chair hears once, when the last scores come in. */
	if (!rc && ready_after && !ready_before) {
		const char *v;
		int64_t chair;
		rc = settings_get(ctx, SETTING_REVIEW_CHAIR, &v);
		struct recipient to;
		if (!rc && v[0] && str_to_int64(v, strlen(v), &chair) &&
		    person_recipient(ctx, chair, &to) == 0) {
			const char *link = review_link(ctx, a->id);
			rc = link ? send_one(ctx, &to, N_("Klaar voor een besluit: {titel}"),
			                     N_("Beste {naam},\n\nAlle beoordelingen van de module \"{titel}\" zijn "
			                        "binnen. De commissie kan nu besluiten:\n\n{link}\n"),
			                     s.title, NULL, link)
			          : CAMPUS_ENOMEM;
		}
	}
	return rc;
}

int review_score(struct ctx *ctx, int64_t review_id, const int64_t *criteria, const int64_t *scores,
                 const char *const *comments, size_t n, const char **why)
{
	struct score_args a = {ctx, review_id, criteria, scores, comments, n, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, score_tx, &a);
	*why = rc ? a.why : NULL;
	return finish(ctx, rc, "review.score", review_id, a.why);
}

/* ---- decide ---- */

/* A recognition being replaced (a re-review) goes to the history first;
 * a version never recognised has nothing to keep. */
static int keep_recognition(struct ctx *ctx, int64_t version_id, int64_t review_id, int64_t now)
{
	int64_t kept;
	int rc = db_query_row(ctx->db, &stmt_rv_keep_recognition,
	                      (const struct db_param[]){DBP_INT(version_id), DBP_INT(now), DBP_INT(review_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(&kept), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND) /* not recognised until now: nothing to keep */
		return 0;
	if (rc)
		return rc;
	return db_exec(ctx->db, &stmt_rv_keep_domains,
	               (const struct db_param[]){DBP_INT(version_id), DBP_INT(kept), DBP_END}, NULL);
}

struct decide_args {
	struct ctx *ctx;
	int64_t id;
	const struct review_decision *d;
	const char *why;
	int64_t module_id;
	bool learners_see;
};

static const char *outcome_state(enum review_outcome o)
{
	return o == REVIEW_RECOGNISED ? "recognised" : o == REVIEW_RETURNED ? "returned" : "rejected";
}

/* The recognition's own checks; *why on refusal. */
static int check_recognition(struct ctx *ctx, const struct review_decision *d, const char **why)
{
	int64_t min, max;
	int rc = review_points_range(ctx, &min, &max);
	if (rc)
		return rc;
	if (d->points_tenths < min || d->points_tenths > max)
		return refuse(why, N_("Het aantal punten valt buiten het toegestane bereik."), CAMPUS_EINVAL);
	if (d->load_tenths <= 0 || d->load_tenths > MODULE_LOAD_MAX_TENTHS)
		return refuse(why, N_("De studielast moet tussen 0,1 en 1000 uur liggen."), CAMPUS_EINVAL);
	if (d->ndomains == 0)
		return refuse(why, N_("Kies ten minste één domein."), CAMPUS_EINVAL);
	if (d->ndomains > MODULE_TAGS_MAX)
		return refuse(why, N_("Kies hoogstens 24 domeinen."), CAMPUS_EINVAL);
	for (size_t i = 0; i < d->ndomains; i++) {
		int64_t ok = 0;
		rc = count(ctx->db, &stmt_rv_domain_ok, (const struct db_param[]){DBP_INT(d->domains[i]), DBP_END},
		           ctx->arena, &ok);
		if (rc)
			return rc;
		if (!ok)
			return refuse(why, N_("Een gekozen domein bestaat niet (meer)."), CAMPUS_EINVAL);
	}
	int64_t now = ctx->now();
	if (d->valid_until && (d->valid_until <= now ||
	                       d->valid_until > now + (int64_t)REVIEW_VALID_MAX_DAYS * REVIEW_DAY))
		return refuse(why, N_("De geldigheid moet in de toekomst liggen en hoogstens vijf jaar duren."),
		              CAMPUS_EINVAL);
	return 0;
}

static int decide_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct decide_args *a = cls;
	struct ctx *ctx = a->ctx;
	const struct review_decision *d = a->d;
	a->why = NULL;
	a->learners_see = false;
	int64_t me = ctx->actor.person_id;
	struct state s;
	int rc = load_review(ctx, a->id, &s, &a->why);
	if (rc)
		return rc;
	a->module_id = s.module_id;
	if (!review_is_member(ctx, me))
		return refuse(&a->why, N_("Alleen een lid van de toetsingscommissie kan besluiten."),
		              CAMPUS_EFORBIDDEN);
	if (review_has_conflict(ctx, me, s.provider_id))
		return refuse(&a->why,
		              N_("U werkt bij de aanbieder van deze module (belangenverstrengeling) en kunt niet "
		                 "over haar besluiten."),
		              CAMPUS_EFORBIDDEN);
	if (!strcmp(s.state, "submitted") || !strcmp(s.state, "checked"))
		return refuse(&a->why, N_("Er zijn nog geen beoordelaars toegewezen."), CAMPUS_ECONFLICT);
	if (strcmp(s.state, "assigned"))
		return refuse(&a->why, N_("Over deze toetsing is al besloten."), CAMPUS_ECONFLICT);
	bool ready;
	rc = scores_ready(ctx, a->id, s.light, &ready);
	if (rc)
		return rc;
	if (!ready)
		return refuse(&a->why, N_("Nog niet alle beoordelaars hebben hun scores gegeven."),
		              CAMPUS_ECONFLICT);
	if (d->outcome != REVIEW_RECOGNISED && blank(d->reasons))
		return refuse(&a->why, N_("Geef de redenen voor dit besluit."), CAMPUS_EINVAL);
	if (!valid_text(d->reasons, REVIEW_REASON_MAX))
		return refuse(&a->why, N_("De toelichting is te lang (hoogstens 4000 tekens)."), CAMPUS_EINVAL);
	if (d->outcome == REVIEW_RECOGNISED) {
		rc = check_recognition(ctx, d, &a->why);
		if (rc)
			return rc;
	}
	/* A re-review only counts while its version is still the module's latest recognition. */
	if (s.rereview && strcmp(s.version_state, "recognised") && strcmp(s.version_state, "expired"))
		return refuse(&a->why, N_("Inmiddels is een nieuwere versie van deze module erkend."),
		              CAMPUS_ECONFLICT);
	if (!s.rereview && strcmp(s.version_state, "in_review"))
		return CAMPUS_EINTERNAL;

	int64_t now = ctx->now(), changes = 0;
	rc = db_exec(ctx->db, &stmt_rv_decide,
	             (const struct db_param[]){DBP_INT(a->id), DBP_TEXT(outcome_state(d->outcome)),
	                                       person_param(me), DBP_INT(now),
	                                       DBP_TEXT(d->reasons ? d->reasons : ""), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_EBUSY;
	int64_t previous = 0;
	if (!rc)
		rc = db_query_row(ctx->db, &stmt_rv_module, (const struct db_param[]){DBP_INT(s.module_id), DBP_END},
		                  (const struct db_col[]){DBC_SKIP, DBC_SKIP, DBC_SKIP, DBC_INT(&previous),
		                                          DBC_END},
		                  ctx->arena);
	const char *detail = outcome_state(d->outcome);
	if (!rc && d->outcome == REVIEW_RECOGNISED) {
		int64_t until = d->valid_until ? d->valid_until
		                               : now + (int64_t)(strcmp(s.format, "elearning") ? 365 : 730) *
		                                           REVIEW_DAY;
		rc = keep_recognition(ctx, s.version_id, a->id, now);
		if (!rc)
			rc = db_exec(ctx->db, &stmt_rv_recognise_version,
			             (const struct db_param[]){DBP_INT(s.version_id), DBP_INT(d->points_tenths),
			                                       DBP_INT(d->load_tenths), DBP_INT(now),
			                                       DBP_INT(until), DBP_END},
			             NULL);
		if (!rc)
			rc = db_exec(ctx->db, &stmt_rv_domains_clear,
			             (const struct db_param[]){DBP_INT(s.version_id), DBP_END}, NULL);
		for (size_t i = 0; !rc && i < d->ndomains; i++)
			rc = db_exec(ctx->db, &stmt_rv_domain_add,
			             (const struct db_param[]){DBP_INT(s.version_id), DBP_INT(d->domains[i]), DBP_END},
			             NULL);
		if (!rc && previous && previous != s.version_id)
			rc = set_version_state(ctx, previous, "superseded");
		if (!rc)
			rc = db_exec(ctx->db, &stmt_rv_module_recognised,
			             (const struct db_param[]){DBP_INT(s.module_id), DBP_INT(s.version_id),
			                                       DBP_INT(now), DBP_END},
			             NULL);
		detail = arena_printf(ctx->arena, "recognised points_tenths=%lld load_tenths=%lld valid_until=%lld",
		                      (long long)d->points_tenths, (long long)d->load_tenths, (long long)until);
		a->learners_see = true;
	} else if (!rc && !s.rereview) {
		rc = set_version_state(ctx, s.version_id, outcome_state(d->outcome));
	} else if (!rc && d->outcome == REVIEW_REJECTED) {
		/* A re-review that fails ends the recognition now; the module stays published. */
		rc = keep_recognition(ctx, s.version_id, a->id, now);
		if (!rc)
			rc = set_version_state(ctx, s.version_id, "rejected");
		if (!rc)
			rc = db_exec(ctx->db, &stmt_rv_module_unrecognise,
			             (const struct db_param[]){DBP_INT(s.module_id), DBP_INT(s.version_id),
			                                       DBP_INT(now), DBP_END},
			             NULL);
		a->learners_see = true;
	}
	if (!rc)
		rc = audit_record(ctx, "review.decide", "review", id_text(ctx, a->id), "ok", detail);
	if (!rc && a->learners_see) /* what learners see changed: the search index follows */
		rc = catalog_search_index(ctx, s.module_id);
	if (!rc) {
		if (d->outcome == REVIEW_RECOGNISED)
			rc = mail_owner(ctx, s.provider_id, s.local, s.slug, s.module_id, s.title,
			                N_("Erkend door de toetsingscommissie: {titel}"),
			                N_("Beste {naam},\n\nDe toetsingscommissie heeft de module \"{titel}\" "
			                   "erkend. Studielast, punten, domeinen en de geldigheid ziet u hier:\n\n{link}\n"),
			                NULL);
		else if (d->outcome == REVIEW_RETURNED)
			rc = mail_owner(ctx, s.provider_id, s.local, s.slug, s.module_id, s.title,
			                N_("Teruggestuurd door de toetsingscommissie: {titel}"),
			                N_("Beste {naam},\n\nDe toetsingscommissie heeft de module \"{titel}\" "
			                   "teruggestuurd. De reden:\n\n{reden}\n\nPas de module aan en bied haar "
			                   "opnieuw aan:\n\n{link}\n"),
			                d->reasons);
		else
			rc = mail_owner(ctx, s.provider_id, s.local, s.slug, s.module_id, s.title,
			                N_("Afgewezen door de toetsingscommissie: {titel}"),
			                N_("Beste {naam},\n\nDe toetsingscommissie heeft de module \"{titel}\" "
			                   "afgewezen. De reden:\n\n{reden}\n\nMeer informatie:\n\n{link}\n"),
			                d->reasons);
	}
	return rc;
}

int review_decide(struct ctx *ctx, int64_t review_id, const struct review_decision *d,
                  const char **why)
{
	struct decide_args a = {.ctx = ctx, .id = review_id, .d = d};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, decide_tx, &a);
	*why = rc ? a.why : NULL;
	return finish(ctx, rc, "review.decide", review_id, a.why);
}

/* ---- withdraw ---- */

struct withdraw_args {
	struct ctx *ctx;
	int64_t id;
	const char *why;
};

static int withdraw_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct withdraw_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	struct state s;
	int rc = load_review(ctx, a->id, &s, &a->why);
	if (rc)
		return rc;
	if (!review_may_own(ctx, s.provider_id))
		return refuse(&a->why, N_("Alleen de aanbieder van de module kan haar terugtrekken."),
		              CAMPUS_EFORBIDDEN);
	if (!is_open(s.state))
		return refuse(&a->why, N_("Over deze toetsing is al besloten; terugtrekken kan niet meer."),
		              CAMPUS_ECONFLICT);
	int64_t changes = 0;
	rc = db_exec(ctx->db, &stmt_rv_withdraw,
	             (const struct db_param[]){DBP_INT(a->id), person_param(ctx->actor.person_id),
	                                       DBP_INT(ctx->now()), DBP_END},
	             &changes);
	if (!rc && changes != 1)
		rc = CAMPUS_EBUSY;
	if (!rc && !s.rereview)
		rc = set_version_state(ctx, s.version_id, "draft");
	if (!rc)
		rc = audit_record(ctx, "review.withdraw", "review", id_text(ctx, a->id), "ok", "");
	return rc;
}

int review_withdraw(struct ctx *ctx, int64_t review_id, const char **why)
{
	struct withdraw_args a = {ctx, review_id, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, withdraw_tx, &a);
	*why = rc ? a.why : NULL;
	return finish(ctx, rc, "review.withdraw", review_id, a.why);
}

/* ---- expiry ---- */

struct pair {
	int64_t module_id, version_id, provider_id;
};

struct expire_args {
	struct ctx *ctx;
	int64_t now;
	struct pair cur_expired, cur_started;
	struct db_rows expired, started;
};

static int expire_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct expire_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->expired = (struct db_rows)ROWS(ctx->arena, &a->cur_expired);
	a->started = (struct db_rows)ROWS(ctx->arena, &a->cur_started);
	int rc = db_query(ctx->db, &stmt_rv_expired, (const struct db_param[]){DBP_INT(a->now), DBP_END},
	                  (const struct db_col[]){DBC_INT(&a->cur_expired.module_id),
	                                          DBC_INT(&a->cur_expired.version_id), DBC_END},
	                  ctx->arena, db_rows_collect, &a->expired);
	const struct pair *expired = a->expired.data;
	for (size_t i = 0; !rc && i < a->expired.n; i++) {
		const struct pair *p = &expired[i];
		rc = set_version_state(ctx, p->version_id, "expired");
		if (!rc)
			rc = db_exec(ctx->db, &stmt_rv_module_unrecognise,
			             (const struct db_param[]){DBP_INT(p->module_id), DBP_INT(p->version_id),
			                                       DBP_INT(a->now), DBP_END},
			             NULL);
		if (!rc) /* what learners see changed: the search index follows */
			rc = catalog_search_index(ctx, p->module_id);
		if (!rc)
			rc = audit_record(ctx, "review.expire", "module", id_text(ctx, p->module_id), "ok",
			                  arena_printf(ctx->arena, "version=%lld", (long long)p->version_id));
	}
	if (!rc)
		rc = db_query(ctx->db, &stmt_rv_expiring,
		              (const struct db_param[]){DBP_INT(a->now),
		                                        DBP_INT(a->now + (int64_t)REVIEW_RENEW_DAYS * REVIEW_DAY),
		                                        DBP_BOOL(true), DBP_END},
		              (const struct db_col[]){DBC_INT(&a->cur_started.module_id),
		                                      DBC_INT(&a->cur_started.version_id),
		                                      DBC_INT(&a->cur_started.provider_id), DBC_END},
		              ctx->arena, db_rows_collect, &a->started);
	const struct pair *started = a->started.data;
	for (size_t i = 0; !rc && i < a->started.n; i++) {
		const struct pair *p = &started[i];
		int64_t id = 0, trusted = 0;
		rc = count(ctx->db, &stmt_rv_trusted,
		           (const struct db_param[]){DBP_INT(p->provider_id), DBP_INT(a->now), DBP_END},
		           ctx->arena, &trusted);
		if (!rc)
			rc = db_query_row(ctx->db, &stmt_rv_insert,
			                  (const struct db_param[]){DBP_INT(p->module_id), DBP_INT(p->version_id),
			                                            DBP_BOOL(trusted > 0), DBP_BOOL(true), DBP_NULL,
			                                            DBP_INT(a->now), DBP_END},
			                  (const struct db_col[]){DBC_INT(&id), DBC_END}, ctx->arena);
		if (!rc)
			rc = audit_record(ctx, "review.rereview", "review", id_text(ctx, id), "ok",
			                  arena_printf(ctx->arena, "module=%lld version=%lld",
			                               (long long)p->module_id, (long long)p->version_id));
	}
	return rc;
}

int review_expire_due(struct ctx *ctx, int64_t now, unsigned *started, unsigned *expired)
{
	if (!is_admin(ctx))
		return CAMPUS_EFORBIDDEN;
	struct expire_args a = {.ctx = ctx, .now = now};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, expire_tx, &a);
	if (rc)
		return rc;
	if (started)
		*started = (unsigned)a.started.n;
	if (expired)
		*expired = (unsigned)a.expired.n;
	return 0;
}

/* ---- trusted providers ---- */

struct trust_args {
	struct ctx *ctx;
	int64_t org_id, valid_until;
	bool end;
	const char *why;
};

static int trust_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct trust_args *a = cls;
	struct ctx *ctx = a->ctx;
	a->why = NULL;
	if (!is_admin(ctx) && !review_is_member(ctx, ctx->actor.person_id))
		return refuse(&a->why,
		              N_("Alleen een campusbeheerder of de toetsingscommissie erkent een aanbieder als geheel."),
		              CAMPUS_EFORBIDDEN);
	char *kind;
	int rc = db_query_row(ctx->db, &stmt_rv_org_kind, (const struct db_param[]){DBP_INT(a->org_id), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&kind), DBC_END}, ctx->arena);
	if (rc == CAMPUS_ENOTFOUND)
		return refuse(&a->why, N_("Deze organisatie bestaat niet."), rc);
	if (rc)
		return rc;
	if (strcmp(kind, "provider") && strcmp(kind, "poi"))
		return refuse(&a->why, N_("Alleen een opleider of POI kan als geheel worden erkend."),
		              CAMPUS_EINVAL);
	int64_t now = ctx->now(), changes = 0;
	if (a->end) {
		rc = db_exec(ctx->db, &stmt_rv_trust_end,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(now),
		                                       person_param(ctx->actor.person_id), DBP_END},
		             &changes);
		if (!rc && changes == 0)
			return refuse(&a->why, N_("Deze aanbieder is niet als geheel erkend."), CAMPUS_ECONFLICT);
	} else {
		if (a->valid_until <= now || a->valid_until > now + (int64_t)REVIEW_VALID_MAX_DAYS * REVIEW_DAY)
			return refuse(&a->why,
			              N_("De geldigheid moet in de toekomst liggen en hoogstens vijf jaar duren."),
			              CAMPUS_EINVAL);
		rc = db_exec(ctx->db, &stmt_rv_trust_put,
		             (const struct db_param[]){DBP_INT(a->org_id), DBP_INT(now), DBP_INT(a->valid_until),
		                                       person_param(ctx->actor.person_id), DBP_END},
		             NULL);
	}
	if (!rc)
		rc = audit_record(ctx, a->end ? "provider.trust_end" : "provider.trust", "organisation",
		                  id_text(ctx, a->org_id), "ok",
		                  a->end ? "" : arena_printf(ctx->arena, "valid_until=%lld", (long long)a->valid_until));
	return rc;
}

int review_trust_set(struct ctx *ctx, int64_t org_id, int64_t valid_until, const char **why)
{
	struct trust_args a = {ctx, org_id, valid_until, false, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, trust_tx, &a);
	*why = rc ? a.why : NULL;
	return rc;
}

int review_trust_end(struct ctx *ctx, int64_t org_id, const char **why)
{
	struct trust_args a = {ctx, org_id, 0, true, NULL};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, trust_tx, &a);
	*why = rc ? a.why : NULL;
	return rc;
}

int review_trusted_list(struct ctx *ctx, struct review_trusted **out, size_t *n)
{
	struct review_trusted cur;
	struct db_rows r = ROWS(ctx->arena, &cur);
	struct db_col cols[] = {DBC_INT(&cur.org_id), DBC_TEXT(&cur.name), DBC_TEXT(&cur.slug),
	                        DBC_INT(&cur.since), DBC_INT(&cur.valid_until), DBC_END};
	int rc = db_query(ctx->db, &stmt_rv_trusted_list, (const struct db_param[]){DBP_INT(ctx->now()), DBP_END},
	                  cols, ctx->arena, db_rows_collect, &r);
	*out = r.data;
	*n = rc ? 0 : r.n;
	return rc;
}

/* ---- reading reviews ---- */

static int review_query(struct ctx *ctx, struct db_stmt *stmt, const struct db_param *params,
                        struct review **out, size_t *n)
{
	struct review c = {0};
	struct db_rows r = ROWS(ctx->arena, &c);
	struct db_col cols[] = {
	    DBC_INT(&c.id),           DBC_INT(&c.module_id),         DBC_INT(&c.version_id),
	    DBC_INT(&c.version_number), DBC_TEXT(&c.state),          DBC_TEXT(&c.version_state),
	    DBC_BOOL(&c.light),       DBC_BOOL(&c.rereview),         DBC_INT(&c.provider_id),
	    DBC_TEXT(&c.provider_name), DBC_TEXT(&c.provider_slug),  DBC_BOOL(&c.local),
	    DBC_TEXT(&c.title),       DBC_TEXT(&c.format),           DBC_INT(&c.load_tenths),
	    DBC_INT(&c.submitted_at), DBC_INT(&c.checked_at),        DBC_INT(&c.decided_at),
	    DBC_TEXT(&c.submitted_by_name), DBC_TEXT(&c.checked_by_name),
	    DBC_TEXT(&c.decided_by_name), DBC_TEXT(&c.reason),       DBC_END};
	int rc = db_query(ctx->db, stmt, params, cols, ctx->arena, db_rows_collect, &r);
	*out = r.data;
	*n = rc ? 0 : r.n;
	return rc;
}

int review_get(struct ctx *ctx, int64_t review_id, struct review *out)
{
	struct review *found;
	size_t n;
	int rc = review_query(ctx, &stmt_rv_get, (const struct db_param[]){DBP_INT(review_id), DBP_END},
	                      &found, &n);
	if (rc)
		return rc;
	if (n != 1)
		return CAMPUS_ENOTFOUND;
	*out = found[0];
	struct review_reviewer rv;
	struct db_rows rr = ROWS(ctx->arena, &rv);
	rc = db_query(ctx->db, &stmt_rv_reviewers, (const struct db_param[]){DBP_INT(review_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&rv.person_id), DBC_TEXT(&rv.name),
	                                      DBC_INT(&rv.assigned_at), DBC_INT(&rv.completed_at), DBC_END},
	              ctx->arena, db_rows_collect, &rr);
	if (rc)
		return rc;
	out->reviewers = rr.data;
	out->nreviewers = rr.n;
	struct review_score_row sc;
	struct db_rows rs = ROWS(ctx->arena, &sc);
	rc = db_query(ctx->db, &stmt_rv_scores, (const struct db_param[]){DBP_INT(review_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&sc.reviewer_id), DBC_INT(&sc.criterion_id),
	                                      DBC_INT(&sc.score), DBC_TEXT(&sc.comment), DBC_END},
	              ctx->arena, db_rows_collect, &rs);
	out->scores = rs.data;
	out->nscores = rc ? 0 : rs.n;
	return rc;
}

int review_history(struct ctx *ctx, int64_t module_id, struct review **out, size_t *n)
{
	return review_query(ctx, &stmt_rv_history, (const struct db_param[]){DBP_INT(module_id), DBP_END},
	                    out, n);
}

int review_inbox(struct ctx *ctx, enum review_box box, struct review **out, size_t *n)
{
	int rc;
	*out = NULL;
	*n = 0;
	switch (box) {
	case REVIEW_BOX_CHECK:
		return review_query(ctx, &stmt_rv_box_check,
		                    (const struct db_param[]){DBP_BOOL(false), DBP_END}, out, n);
	case REVIEW_BOX_ASSIGN:
		return review_query(ctx, &stmt_rv_box_assign,
		                    (const struct db_param[]){DBP_BOOL(true), DBP_END}, out, n);
	case REVIEW_BOX_MINE:
		return review_query(ctx, &stmt_rv_box_mine,
		                    (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END}, out, n);
	case REVIEW_BOX_READY:
		rc = review_query(ctx, &stmt_rv_box_assigned, (const struct db_param[]){DBP_END}, out, n);
		/* Few reviews wait at a time: keep those whose scores are in. */
		size_t k = 0;
		for (size_t i = 0; !rc && i < *n; i++) {
			bool ready;
			rc = scores_ready(ctx, (*out)[i].id, (*out)[i].light, &ready);
			if (!rc && ready)
				(*out)[k++] = (*out)[i];
		}
		*n = rc ? 0 : k;
		return rc;
	case REVIEW_BOX_DECIDED:
		return review_query(ctx, &stmt_rv_box_decided, (const struct db_param[]){DBP_END}, out, n);
	}
	return CAMPUS_EINVAL;
}

int review_committee(struct ctx *ctx, int64_t owner_org_id, struct review_member **out, size_t *n)
{
	struct review_member cur;
	struct db_rows r = ROWS(ctx->arena, &cur);
	struct db_col cols[] = {DBC_INT(&cur.person_id), DBC_TEXT(&cur.name), DBC_TEXT(&cur.email),
	                        DBC_BOOL(&cur.conflict), DBC_END};
	int rc = db_query(ctx->db, &stmt_rv_committee,
	                  (const struct db_param[]){DBP_INT(owner_org_id), DBP_END}, cols, ctx->arena,
	                  db_rows_collect, &r);
	*out = r.data;
	*n = rc ? 0 : r.n;
	return rc;
}

/* ---- the public register ---- */


/* A register row with the version its domains come from. */
struct register_item {
	struct review_register_row row;
	int64_t version_id;
};

struct names {
	struct buf b;
	const char *cur;
};

static int name_row(void *cls)
{
	struct names *nm = cls;
	if (nm->b.len)
		buf_puts(&nm->b, ", ");
	buf_puts(&nm->b, nm->cur);
	return nm->b.overflow ? CAMPUS_ENOMEM : 0;
}

int review_register(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
                    struct review_register_row **out, size_t *n, int64_t *total)
{
	*out = NULL;
	*n = 0;
	*total = 0;
	if (limit == 0 || limit > REVIEW_REGISTER_PAGE_MAX)
		return CAMPUS_EINVAL;
	int rc;
	const char *pattern = db_like_pattern(ctx->arena, query, QUERY_MAX, &rc);
	if (rc)
		return rc;
	int64_t now = ctx->now();
	rc = count(ctx->db, &stmt_rv_register_count,
	           (const struct db_param[]){DBP_INT(now), DBP_TEXT(pattern), DBP_END}, ctx->arena, total);
	if (rc)
		return rc;
	struct register_item cur;
	struct db_rows r = ROWS(ctx->arena, &cur);
	struct db_col cols[] = {DBC_INT(&cur.row.module_id), DBC_INT(&cur.version_id),
	                        DBC_TEXT(&cur.row.title), DBC_TEXT(&cur.row.provider),
	                        DBC_INT(&cur.row.points_tenths), DBC_INT(&cur.row.load_tenths),
	                        DBC_INT(&cur.row.valid_until), DBC_END};
	rc = db_query(ctx->db, &stmt_rv_register,
	              (const struct db_param[]){DBP_INT(now), DBP_TEXT(pattern), DBP_INT(limit),
	                                        DBP_INT(offset), DBP_END},
	              cols, ctx->arena, db_rows_collect, &r);
	struct register_item *items = r.data;
	struct review_register_row *rows = arena_alloc(ctx->arena, (r.n ? r.n : 1) * sizeof *rows);
	if (!rc && !rows)
		rc = CAMPUS_ENOMEM;
	for (size_t i = 0; !rc && i < r.n; i++) {
		struct names nm;
		buf_init(&nm.b, ctx->arena, 4096);
		rc = db_query(ctx->db, &stmt_rv_version_domain_names,
		              (const struct db_param[]){DBP_INT(items[i].version_id), DBP_END},
		              (const struct db_col[]){DBC_TEXT(&nm.cur), DBC_END}, ctx->arena, name_row, &nm);
		rows[i] = items[i].row;
		rows[i].domains = nm.b.len ? buf_cstr(&nm.b) : "";
	}
	if (rc)
		return rc;
	*out = rows;
	*n = r.n;
	return 0;
}

const char *review_state_label(const char *state)
{
	static const struct {
		const char *state, *label;
	} labels[] = {
	    {"submitted", N_("Aangeboden")},   {"checked", N_("Compleet, wacht op beoordelaars")},
	    {"assigned", N_("In beoordeling")}, {"recognised", N_("Erkend")},
	    {"returned", N_("Teruggestuurd")}, {"rejected", N_("Afgewezen")},
	    {"withdrawn", N_("Teruggetrokken")}, {"draft", N_("Concept")},
	    {"in_review", N_("In beoordeling")}, {"superseded", N_("Vervangen door een nieuwere versie")},
	    {"expired", N_("Erkenning verlopen")},
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(labels[i].state, state))
			return labels[i].label;
	return NULL;
}
