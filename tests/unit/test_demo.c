/* demo: the demo sector on the database named by CAMPUS_TEST_DB (SQLite in
 * memory when unset). The database is emptied first: an SQLite file is
 * deleted, a PostgreSQL database loses its public schema. The full sector is
 * built once and inspected; the determinism check builds three small
 * sectors more, on SQLite only (it runs last).
 *
 * With CAMPUS_TEST_DEMO_BUILT naming the output of the `campus demo` (default
 * seed) that filled CAMPUS_TEST_DB, the sector there is inspected instead of
 * built: scripts/test.sh builds it once per run for the other suites anyway,
 * and building it again here was the longest job of the run. demo_build's
 * result comes from that output, its clock from the build's audit row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/auth.h"
#include "domain/catalog.h"
#include "domain/ctx.h"
#include "domain/demo.h"
#include "domain/review.h"
#include "domain/settings.h"

#define SEED 2021UL

static int64_t fixed_now(void)
{
	return 1795000000;
} /* 2026-11-18 */

/* The clock the full sector was built at: fixed_now(), or `campus demo`'s. */
static int64_t demo_now;

static int64_t demo_clock(void)
{
	return demo_now;
}

DB_STMT(stmt_drop_schema, "DROP SCHEMA public CASCADE");
DB_STMT(stmt_create_schema, "CREATE SCHEMA public");
DB_STMT(stmt_analyze, "ANALYZE");
DB_STMT(stmt_count_orgs_kind, "SELECT COUNT(*) FROM organisations WHERE kind = $1");
DB_STMT(stmt_count_orgs, "SELECT COUNT(*) FROM organisations");
DB_STMT(stmt_count_people, "SELECT COUNT(*) FROM people");
DB_STMT(stmt_count_members, "SELECT COUNT(*) FROM memberships");
DB_STMT(stmt_count_library_kind,
        "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " WHERE o.kind = 'library' AND m.kind = $1");
DB_STMT(stmt_libraries_without_manager,
        "SELECT COUNT(*) FROM organisations o WHERE o.kind = 'library' AND NOT EXISTS"
        " (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND (m.roles & 2) <> 0)");
DB_STMT(stmt_libraries_many_managers,
        "SELECT COUNT(*) FROM (SELECT m.org_id FROM memberships m"
        " JOIN organisations o ON o.id = m.org_id WHERE o.kind = 'library' AND (m.roles & 2) <> 0"
        " GROUP BY m.org_id HAVING COUNT(*) > 3) t");
DB_STMT(stmt_providers_without,
        "SELECT COUNT(*) FROM organisations o WHERE o.kind = 'provider' AND NOT EXISTS"
        " (SELECT 1 FROM memberships m WHERE m.org_id = o.id AND (m.roles & $1) <> 0)");
DB_STMT(stmt_count_role, "SELECT COUNT(*) FROM memberships WHERE (roles & $1) <> 0");
DB_STMT(stmt_committee_where,
        "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id"
        " WHERE (m.roles & 16) <> 0 AND o.kind NOT IN ('campus', 'poi')");
DB_STMT(stmt_two_orgs, "SELECT COUNT(*) FROM (SELECT person_id FROM memberships GROUP BY person_id"
                       " HAVING COUNT(*) > 1) t");
DB_STMT(stmt_provinces,
        "SELECT COUNT(DISTINCT province) FROM organisations WHERE kind = 'library'");
DB_STMT(stmt_payroll, "SELECT SUM(payroll_cents) FROM organisations WHERE kind = 'library'");
DB_STMT(stmt_with_password, "SELECT COUNT(*) FROM people WHERE password_hash IS NOT NULL");
DB_STMT(stmt_lang_nl, "SELECT COUNT(*) FROM people WHERE lang = 'nl'");
DB_STMT(stmt_login,
        "SELECT p.password_hash, m.roles, m.kind, o.name FROM people p"
        " JOIN memberships m ON m.person_id = p.id JOIN organisations o ON o.id = m.org_id"
        " WHERE p.email = $1 AND o.name = $2");
DB_STMT(stmt_login_orgs,
        "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = $1");
DB_STMT(stmt_orgs, "SELECT slug, name, brand_color, created_at FROM organisations ORDER BY id");
DB_STMT(stmt_emails, "SELECT email FROM people ORDER BY id");
DB_STMT(stmt_audit_demo, "SELECT COUNT(*) FROM audit_log WHERE action = 'demo.build'");
DB_STMT(stmt_audit_demo_detail, "SELECT detail FROM audit_log WHERE action = 'demo.build'");

/* ---- the catalogue ---- */
DB_STMT(stmt_count_modules, "SELECT COUNT(*) FROM modules");
DB_STMT(stmt_count_local_modules, "SELECT COUNT(*) FROM modules WHERE local_org_id IS NOT NULL");
DB_STMT(stmt_count_reviews, "SELECT COUNT(*) FROM reviews");
DB_STMT(stmt_national_owners,
        "SELECT COUNT(DISTINCT m.provider_id) FROM modules m JOIN organisations o"
        " ON o.id = m.provider_id WHERE m.local_org_id IS NULL AND o.kind = 'provider'");
DB_STMT(stmt_national_not_provider,
        "SELECT COUNT(*) FROM modules m JOIN organisations o ON o.id = m.provider_id"
        " WHERE m.local_org_id IS NULL AND o.kind <> 'provider'");
DB_STMT(stmt_local_not_library,
        "SELECT COUNT(*) FROM modules m JOIN organisations o ON o.id = m.local_org_id"
        " WHERE o.kind <> 'library' OR m.provider_id <> m.local_org_id");
DB_STMT(stmt_local_libraries,
        "SELECT COUNT(*) FROM (SELECT local_org_id FROM modules WHERE local_org_id IS NOT NULL"
        " GROUP BY local_org_id HAVING COUNT(*) BETWEEN 1 AND 5) t");
DB_STMT(stmt_modules_bad_versions,
        "SELECT COUNT(*) FROM modules m WHERE m.working_version_id IS NULL"
        " OR NOT EXISTS (SELECT 1 FROM module_versions v WHERE v.id = m.working_version_id"
        " AND v.module_id = m.id)"
        " OR (m.published_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM module_versions v"
        " WHERE v.id = m.published_version_id AND v.module_id = m.id))");
/* every version names one domain, a role of it and a competency of that role (or two) */
DB_STMT(stmt_versions_without_tag,
        "SELECT COUNT(*) FROM module_versions v WHERE NOT EXISTS (SELECT 1 FROM"
        " module_version_tags t WHERE t.version_id = v.id AND t.kind = $1)");
DB_STMT(stmt_competency_outside_role,
        "SELECT COUNT(*) FROM module_version_tags t LEFT JOIN tax_competencies c ON c.id = t.tag_id"
        " WHERE t.kind = 'competency' AND (c.id IS NULL OR NOT EXISTS (SELECT 1 FROM"
        " module_version_tags r WHERE r.version_id = t.version_id AND r.kind = 'role'"
        " AND r.tag_id = c.role_id))");
DB_STMT(stmt_role_outside_domain,
        "SELECT COUNT(*) FROM module_version_tags t LEFT JOIN tax_roles r ON r.id = t.tag_id"
        " WHERE t.kind = 'role' AND (r.id IS NULL OR NOT EXISTS (SELECT 1 FROM"
        " module_version_tags d WHERE d.version_id = t.version_id AND d.kind = 'domain'"
        " AND d.tag_id = r.domain_id))");
DB_STMT(stmt_domain_unknown,
        "SELECT COUNT(*) FROM module_version_tags t LEFT JOIN tax_domains d ON d.id = t.tag_id"
        " WHERE t.kind = 'domain' AND d.id IS NULL");
DB_STMT(stmt_tagged_competencies,
        "SELECT COUNT(DISTINCT tag_id) FROM module_version_tags WHERE kind = 'competency'");
DB_STMT(stmt_all_competencies, "SELECT COUNT(*) FROM tax_competencies");
DB_STMT(stmt_review_states, "SELECT COUNT(DISTINCT state) FROM reviews");
DB_STMT(stmt_version_states, "SELECT COUNT(DISTINCT state) FROM module_versions");
DB_STMT(stmt_reviews_in_state, "SELECT COUNT(*) FROM reviews WHERE state = $1");
DB_STMT(stmt_reviews_flagged, "SELECT COUNT(*) FROM reviews WHERE light = $1 AND rereview = $2");
DB_STMT(stmt_reviewer_in_owner,
        "SELECT COUNT(*) FROM review_assignments a JOIN reviews r ON r.id = a.review_id"
        " JOIN modules m ON m.id = r.module_id JOIN memberships ms"
        " ON ms.person_id = a.reviewer_id AND ms.org_id = m.provider_id");
DB_STMT(stmt_reviewer_not_committee,
        "SELECT COUNT(*) FROM review_assignments a WHERE NOT EXISTS (SELECT 1 FROM memberships"
        " ms WHERE ms.person_id = a.reviewer_id AND (ms.roles & 16) <> 0)");
DB_STMT(stmt_recognised_bad,
        "SELECT COUNT(*) FROM modules m JOIN module_versions v ON v.id = m.recognised_version_id"
        " WHERE v.state <> 'recognised' OR v.points_tenths IS NULL OR v.points_tenths <= 0"
        " OR v.recognised_load_tenths IS NULL OR v.recognised_at IS NULL"
        " OR v.valid_until <= $1 OR m.published_version_id IS NULL"
        " OR m.published_version_id <> m.recognised_version_id"
        " OR NOT EXISTS (SELECT 1 FROM reviews r WHERE r.version_id = v.id"
        " AND r.state = 'recognised')");
DB_STMT(stmt_recognised_modules,
        "SELECT COUNT(*) FROM modules WHERE recognised_version_id IS NOT NULL");
DB_STMT(stmt_points_off,
        "SELECT COUNT(*) FROM module_versions WHERE state = 'recognised'"
        " AND (points_tenths * 2 < load_tenths OR points_tenths > load_tenths * 2)");
DB_STMT(
    stmt_expired_bad,
    "SELECT COUNT(*) FROM module_versions v JOIN modules m ON m.id = v.module_id"
    " WHERE v.state = 'expired' AND (v.valid_until > $1 OR m.recognised_version_id IS NOT NULL)");
DB_STMT(stmt_newer_under_review,
        "SELECT COUNT(*) FROM modules m JOIN module_versions w ON w.id = m.working_version_id"
        " JOIN module_versions p ON p.id = m.published_version_id"
        " WHERE m.recognised_version_id = p.id AND w.number > p.number"
        " AND w.state IN ('submitted', 'in_review')");
DB_STMT(stmt_published_unrecognised,
        "SELECT COUNT(*) FROM modules WHERE published_version_id IS NOT NULL"
        " AND recognised_version_id IS NULL");
DB_STMT(stmt_scores_incomplete,
        "SELECT COUNT(*) FROM review_assignments a JOIN reviews r ON r.id = a.review_id"
        " WHERE r.state IN ('recognised', 'rejected') AND (a.completed_at IS NULL OR"
        " (SELECT COUNT(*) FROM review_scores s WHERE s.review_id = a.review_id"
        " AND s.reviewer_id = a.reviewer_id) <> 4)");
DB_STMT(stmt_scores_partial,
        "SELECT COUNT(*) FROM reviews r WHERE r.state = 'assigned'"
        " AND EXISTS (SELECT 1 FROM review_scores s WHERE s.review_id = r.id)"
        " AND EXISTS (SELECT 1 FROM review_assignments a WHERE a.review_id = r.id"
        " AND a.completed_at IS NULL)");
DB_STMT(stmt_scores_criteria, "SELECT COUNT(DISTINCT criterion_id) FROM review_scores");
DB_STMT(stmt_decided_not_chair,
        "SELECT COUNT(*) FROM reviews r WHERE r.state IN ('recognised', 'rejected')"
        " AND r.decided_by <> (SELECT id FROM people WHERE email = 'commissie@campus.demo')");
DB_STMT(stmt_reason_missing,
        "SELECT COUNT(*) FROM reviews WHERE state IN ('returned', 'rejected') AND reason = ''");
DB_STMT(stmt_trusted, "SELECT COUNT(*) FROM trusted_providers");
/* the version's state follows its review as review.c moves them */
DB_STMT(stmt_review_version_mismatch,
        "SELECT COUNT(*) FROM reviews r JOIN module_versions v ON v.id = r.version_id"
        " WHERE r.rereview = $1 AND NOT ("
        " (r.state IN ('submitted', 'checked') AND v.state = 'submitted')"
        " OR (r.state = 'assigned' AND v.state = 'in_review')"
        " OR (r.state = 'returned' AND v.state = 'returned')"
        " OR (r.state = 'rejected' AND v.state = 'rejected')"
        " OR (r.state = 'recognised' AND v.state IN ('recognised', 'superseded', 'expired'))"
        " OR (r.state = 'withdrawn' AND v.state = 'draft'))");
/* re-reviews: of the module's recognition (or the one that just ran out), due within 60 days */
DB_STMT(stmt_rereview_bad,
        "SELECT COUNT(*) FROM reviews r JOIN module_versions v ON v.id = r.version_id"
        " WHERE r.rereview = $1 AND (v.state NOT IN ('recognised', 'expired')"
        " OR v.valid_until > $2 OR r.state NOT IN ('submitted', 'checked', 'assigned'))");
DB_STMT(stmt_withdrawn_unsigned,
        "SELECT COUNT(*) FROM reviews WHERE state = 'withdrawn'"
        " AND (decided_by IS NULL OR decided_at IS NULL)");
DB_STMT(stmt_light_untrusted,
        "SELECT COUNT(*) FROM reviews r JOIN modules m ON m.id = r.module_id WHERE r.light = $1"
        " AND EXISTS (SELECT 1 FROM trusted_providers t WHERE t.org_id = m.provider_id) <> $1");
DB_STMT(stmt_times_bad,
        "SELECT (SELECT COUNT(*) FROM module_versions WHERE created_at > updated_at"
        " OR updated_at > $1 OR recognised_at > valid_until)"
        " + (SELECT COUNT(*) FROM reviews WHERE submitted_at > $1"
        " OR checked_at < submitted_at OR decided_at < submitted_at OR decided_at > $1)"
        " + (SELECT COUNT(*) FROM review_assignments WHERE completed_at < assigned_at"
        " OR completed_at > $1)"
        " + (SELECT COUNT(*) FROM modules WHERE created_at > updated_at OR updated_at > $1)");
DB_STMT(stmt_distinct_titles, "SELECT COUNT(DISTINCT v.title) FROM modules m JOIN module_versions v"
                              " ON v.id = m.working_version_id");
DB_STMT(stmt_title_like, "SELECT COUNT(*) FROM module_versions WHERE lower(title) LIKE $1");
DB_STMT(stmt_versions_where,
        "SELECT COUNT(*) FROM module_versions WHERE"
        " load_tenths < 10 OR load_tenths > 400 OR (price_cents <> 0 AND (price_cents < 4500"
        " OR price_cents > 125000)) OR vat NOT IN ('crkbo', '21') OR language NOT IN ('nl', 'en')"
        " OR description LIKE '%<%' OR description NOT LIKE $1"
        " OR (format IN ('classroom', 'blended') AND (place = '' OR province = ''))"
        " OR (format IN ('online_live', 'elearning') AND place <> '')");
DB_STMT(stmt_goal_lines,
        "SELECT COUNT(*) FROM module_versions WHERE length(goals) - length(replace(goals, $1, ''))"
        " NOT BETWEEN 2 AND 4");
DB_STMT(stmt_contact_elsewhere,
        "SELECT COUNT(*) FROM module_versions v JOIN modules m ON m.id = v.module_id"
        " JOIN organisations o ON o.id = m.provider_id WHERE v.contact_email NOT LIKE"
        " '%@' || o.slug || '.demo%'");
DB_STMT(stmt_distinct_values, "SELECT (SELECT COUNT(DISTINCT format) FROM module_versions)"
                              " + 10 * (SELECT COUNT(DISTINCT level) FROM module_versions)"
                              " + 100 * (SELECT COUNT(DISTINCT audience) FROM module_versions)");
DB_STMT(stmt_count_versions_all, "SELECT COUNT(*) FROM module_versions");
DB_STMT(stmt_lang_versions, "SELECT COUNT(*) FROM module_versions WHERE language = $1");
DB_STMT(stmt_free_versions, "SELECT COUNT(*) FROM module_versions WHERE price_cents = 0");
DB_STMT(stmt_vat21_versions, "SELECT COUNT(*) FROM module_versions WHERE vat = '21'");
DB_STMT(stmt_module_ids, "SELECT id FROM modules ORDER BY id");
/* an open review of the demo with a reviewer still at work */
DB_STMT(stmt_open_review,
        "SELECT r.id, r.module_id, r.version_id, v.load_tenths FROM reviews r"
        " JOIN module_versions v ON v.id = r.version_id WHERE r.state = 'assigned'"
        " AND r.light = $1 AND r.rereview = $1 AND EXISTS (SELECT 1 FROM review_assignments a"
        " WHERE a.review_id = r.id AND a.completed_at IS NULL) ORDER BY r.id LIMIT 1");
DB_STMT(stmt_pending_reviewers,
        "SELECT a.reviewer_id, MIN(ms.org_id) FROM review_assignments a JOIN memberships ms"
        " ON ms.person_id = a.reviewer_id AND (ms.roles & 16) <> 0 WHERE a.review_id = $1"
        " AND a.completed_at IS NULL GROUP BY a.reviewer_id ORDER BY a.reviewer_id");
DB_STMT(stmt_chair, "SELECT p.id, m.org_id FROM people p JOIN memberships m ON m.person_id = p.id"
                    " WHERE p.email = 'commissie@campus.demo'");
DB_STMT(stmt_version_domains,
        "SELECT tag_id FROM module_version_tags WHERE version_id = $1 AND kind = 'domain'"
        " ORDER BY tag_id");
DB_STMT(stmt_module_recognised,
        "SELECT COUNT(*) FROM modules m JOIN reviews r ON r.module_id = m.id WHERE r.id = $1"
        " AND r.state = 'recognised' AND m.recognised_version_id = r.version_id"
        " AND m.published_version_id = r.version_id");
DB_STMT(stmt_catalog_rows,
        "SELECT v.title, v.state, v.load_tenths, v.price_cents, COALESCE(v.points_tenths, 0)"
        " FROM module_versions v ORDER BY v.id");

/* ---- editions and enrolments (demo_enrol.c): an independent recount ---- */
DB_STMT(stmt_count_editions, "SELECT COUNT(*) FROM editions");
DB_STMT(stmt_count_enrolments, "SELECT COUNT(*) FROM enrolments");
DB_STMT(stmt_count_enrol_rows,
        "SELECT (SELECT COUNT(*) FROM edition_meetings) + (SELECT COUNT(*) FROM enrolment_events)"
        " + (SELECT COUNT(*) FROM attendance)");
DB_STMT(stmt_cancelled_editions, "SELECT COUNT(*) FROM editions WHERE cancelled_at IS NOT NULL");
DB_STMT(stmt_enrolments_in_state, "SELECT COUNT(*) FROM enrolments WHERE state = $1");
/* seats_taken: seat-holding enrolments plus unused reserved seats; 0 once cancelled */
DB_STMT(stmt_seats_wrong,
        "SELECT COUNT(*) FROM editions e WHERE e.seats_taken <> CASE WHEN e.cancelled_at IS NOT NULL"
        " THEN 0 ELSE (SELECT COUNT(*) FROM enrolments n WHERE n.edition_id = e.id AND n.state IN"
        " ('enrolled', 'offered', 'attended', 'completed', 'not_completed', 'no_show'))"
        " + COALESCE((SELECT SUM(r.seats - r.used) FROM edition_reservations r"
        " WHERE r.edition_id = e.id), 0) END");
/* a coming edition: exactly enrolled + offered + unused reserved seats */
DB_STMT(stmt_coming_seats_wrong,
        "SELECT COUNT(*) FROM editions e WHERE e.starts_at > $1 AND e.cancelled_at IS NULL"
        " AND e.seats_taken <> (SELECT COUNT(*) FROM enrolments n WHERE n.edition_id = e.id"
        " AND n.state IN ('enrolled', 'offered')) + COALESCE((SELECT SUM(r.seats - r.used)"
        " FROM edition_reservations r WHERE r.edition_id = e.id), 0)");
/* waiting: the number on the edition's waitlist */
DB_STMT(stmt_waiting_wrong,
        "SELECT COUNT(*) FROM editions e WHERE e.waiting <> (SELECT COUNT(*) FROM enrolments n"
        " WHERE n.edition_id = e.id AND n.state = 'waitlisted')");
DB_STMT(stmt_over_capacity,
        "SELECT COUNT(*) FROM editions WHERE capacity IS NOT NULL AND seats_taken > capacity");
DB_STMT(stmt_reservation_used_wrong,
        "SELECT COUNT(*) FROM edition_reservations r WHERE r.used > r.seats OR r.used <>"
        " (SELECT COUNT(*) FROM enrolments n WHERE n.reservation_id = r.id AND n.state IN"
        " ('enrolled', 'offered', 'attended', 'completed', 'not_completed', 'no_show'))");
/* the waitlist in the order people joined it (their event to 'waitlisted') */
DB_STMT(stmt_waitlist_out_of_order,
        "SELECT COUNT(*) FROM enrolments a JOIN enrolments b ON b.edition_id = a.edition_id"
        " AND b.state = 'waitlisted' AND a.waitlist_pos < b.waitlist_pos WHERE a.state = 'waitlisted'"
        " AND (SELECT MAX(v.id) FROM enrolment_events v WHERE v.enrolment_id = a.id"
        " AND v.to_state = 'waitlisted') > (SELECT MAX(v.id) FROM enrolment_events v"
        " WHERE v.enrolment_id = b.id AND v.to_state = 'waitlisted')");
DB_STMT(stmt_waitlist_bad,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " WHERE n.state = 'waitlisted' AND (n.waitlist_pos IS NULL OR n.waitlist_pos < 1"
        " OR n.waitlist_pos > e.waitlist_seq OR e.seats_taken < e.capacity OR e.starts_at <= $1"
        " OR EXISTS (SELECT 1 FROM enrolments m WHERE m.edition_id = n.edition_id"
        " AND m.id <> n.id AND m.state = 'waitlisted' AND m.waitlist_pos = n.waitlist_pos)"
        " OR EXISTS (SELECT 1 FROM edition_reservations r WHERE r.edition_id = n.edition_id"
        " AND r.org_id = n.org_id AND r.used < r.seats))");
DB_STMT(stmt_live_twice,
        "SELECT COUNT(*) FROM (SELECT edition_id, person_id FROM enrolments WHERE state IN"
        " ('requested', 'waitlisted', 'offered', 'enrolled', 'attended', 'completed',"
        " 'not_completed', 'no_show') GROUP BY edition_id, person_id HAVING COUNT(*) > 1) t");
/* every enrolment's events: a chain from '' to its state, in time order, none ahead */
DB_STMT(stmt_events_last_wrong,
        "SELECT COUNT(*) FROM enrolments n WHERE n.state <> COALESCE((SELECT v.to_state FROM"
        " enrolment_events v WHERE v.enrolment_id = n.id ORDER BY v.id DESC LIMIT 1), '')");
DB_STMT(stmt_events_chain_broken,
        "SELECT COUNT(*) FROM (SELECT from_state, to_state, at, LAG(to_state, 1, '') OVER"
        " (PARTITION BY enrolment_id ORDER BY id) AS prev, LAG(at, 1, 0) OVER"
        " (PARTITION BY enrolment_id ORDER BY id) AS prev_at FROM enrolment_events) t"
        " WHERE from_state <> prev OR at < prev_at OR at > $1"
        " OR (from_state = to_state AND to_state <> 'requested')");
DB_STMT(stmt_events_before_request,
        "SELECT COUNT(*) FROM enrolment_events v JOIN enrolments n ON n.id = v.enrolment_id"
        " WHERE v.at < n.requested_at OR n.updated_at > $1 OR n.requested_at > n.updated_at");
DB_STMT(stmt_requests_bad,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " LEFT JOIN enrol_policies p ON p.org_id = n.org_id WHERE n.state = 'requested'"
        " AND (p.org_id IS NULL OR n.approval_step NOT IN (1, 2) OR (n.approval_step = 2"
        " AND p.second_approver_id IS NULL) OR e.starts_at <= $1"
        " OR n.requested_at < $1 - p.expire_days * 86400)");
DB_STMT(stmt_offers_bad,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " WHERE n.state = 'offered' AND (n.offer_expires_at IS NULL OR n.offer_expires_at <= $1"
        " OR e.offer_hours = 0 OR e.starts_at <= $1)");
DB_STMT(stmt_budget_sums_wrong,
        "SELECT COUNT(*) FROM budget_accounts b WHERE b.reserved_cents <> COALESCE((SELECT"
        " SUM(n.price_cents) FROM enrolments n WHERE n.org_id = b.org_id AND n.person_id ="
        " b.person_id AND n.budget_year = b.year AND n.budget_state = 'reserved'), 0)"
        " OR b.spent_cents <> COALESCE((SELECT SUM(n.price_cents) FROM enrolments n"
        " WHERE n.org_id = b.org_id AND n.person_id = b.person_id AND n.budget_year = b.year"
        " AND n.budget_state = 'settled'), 0) OR b.reserved_cents + b.spent_cents > b.amount_cents");
DB_STMT(stmt_budget_without_account,
        "SELECT COUNT(*) FROM enrolments n WHERE n.budget_state IN ('reserved', 'settled')"
        " AND NOT EXISTS (SELECT 1 FROM budget_accounts b WHERE b.org_id = n.org_id"
        " AND b.person_id = n.person_id AND b.year = n.budget_year)");
/* reserved: approved and still to come; settled: a result; none for free editions */
DB_STMT(stmt_budget_state_wrong,
        "SELECT COUNT(*) FROM enrolments n WHERE (n.budget_state = 'reserved' AND n.state NOT IN"
        " ('enrolled', 'waitlisted', 'offered', 'attended'))"
        " OR (n.budget_state = 'settled' AND n.state NOT IN ('completed', 'not_completed',"
        " 'no_show')) OR (n.budget_state IS NOT NULL AND (n.price_cents = 0"
        " OR n.budget_year IS NULL)) OR (n.state IN ('cancelled', 'refused', 'expired')"
        " AND n.budget_state IN ('reserved', 'settled'))");
DB_STMT(stmt_budget_library_off,
        "SELECT COUNT(*) FROM budget_accounts b WHERE NOT EXISTS (SELECT 1 FROM enrol_policies p"
        " WHERE p.org_id = b.org_id AND p.budgets)");
DB_STMT(stmt_attendance_bad,
        "SELECT COUNT(*) FROM attendance a JOIN enrolments n ON n.id = a.enrolment_id"
        " JOIN edition_meetings m ON m.id = a.meeting_id WHERE m.edition_id <> n.edition_id"
        " OR n.state NOT IN ('enrolled', 'attended', 'completed', 'not_completed', 'no_show')"
        " OR a.registered_at > $1 OR a.registered_at < m.starts_at"
        " OR (n.state IN ('enrolled', 'no_show') AND a.present)");
DB_STMT(stmt_attended_without_presence,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " WHERE NOT e.always_open AND n.state IN ('attended', 'completed', 'not_completed')"
        " AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.enrolment_id = n.id AND a.present)");
DB_STMT(stmt_editions_shape_bad,
        "SELECT COUNT(*) FROM editions e JOIN modules m ON m.id = e.module_id"
        " JOIN module_versions v ON v.id = m.published_version_id WHERE e.provider_id <> m.provider_id"
        " OR (v.format = 'elearning') <> (e.always_open = TRUE)"
        " OR (e.always_open AND (e.capacity IS NOT NULL OR e.starts_at IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM edition_meetings x WHERE x.edition_id = e.id)))"
        " OR (NOT e.always_open AND ((SELECT COUNT(*) FROM edition_meetings x WHERE x.edition_id ="
        " e.id) NOT BETWEEN 1 AND 4 OR e.starts_at <> (SELECT MIN(x.starts_at) FROM"
        " edition_meetings x WHERE x.edition_id = e.id) OR e.ends_at <> (SELECT MAX(x.ends_at)"
        " FROM edition_meetings x WHERE x.edition_id = e.id) OR e.enrol_opens_at >= e.enrol_closes_at"
        " OR e.enrol_closes_at > e.starts_at OR e.created_at > e.enrol_opens_at))"
        " OR (v.format IN ('classroom', 'blended') AND (e.capacity NOT BETWEEN 12 AND 24"
        " OR e.place NOT LIKE '%, %'))"
        " OR (v.format = 'online_live' AND (e.online_url NOT LIKE 'https://%' OR e.place <> ''))");
DB_STMT(stmt_elearning_editions,
        "SELECT (SELECT COUNT(*) FROM modules m JOIN module_versions v ON v.id ="
        " m.published_version_id WHERE v.format = 'elearning') - (SELECT COUNT(DISTINCT module_id)"
        " FROM editions WHERE always_open) + (SELECT COUNT(*) FROM (SELECT module_id FROM editions"
        " WHERE always_open GROUP BY module_id HAVING COUNT(*) > 1) t)");
DB_STMT(stmt_unpublished_editions,
        "SELECT COUNT(*) FROM editions e JOIN modules m ON m.id = e.module_id"
        " WHERE m.published_version_id IS NULL");
DB_STMT(stmt_editions_in_window,
        "SELECT COUNT(*) FROM editions WHERE starts_at >= $1 AND starts_at < $2");
DB_STMT(stmt_teachers_bad,
        "SELECT COUNT(*) FROM edition_teachers t JOIN editions e ON e.id = t.edition_id"
        " WHERE NOT EXISTS (SELECT 1 FROM memberships ms WHERE ms.person_id = t.person_id"
        " AND ms.org_id = e.provider_id AND (ms.roles & 8) <> 0)");
DB_STMT(stmt_outsiders,
        "SELECT COUNT(*) FROM enrolments n JOIN edition_audience_orgs a ON a.edition_id ="
        " n.edition_id WHERE n.org_id <> a.org_id");
DB_STMT(stmt_wrong_audience,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " JOIN modules m ON m.id = e.module_id JOIN module_versions v ON v.id ="
        " m.published_version_id JOIN memberships ms ON ms.person_id = n.person_id"
        " AND ms.org_id = n.org_id WHERE (v.audience = 'employees' AND ms.kind <> 'employee')"
        " OR (v.audience = 'volunteers' AND ms.kind <> 'volunteer')");
DB_STMT(stmt_meeting_times,
        "SELECT m.starts_at, m.ends_at FROM edition_meetings m ORDER BY m.id");
DB_STMT(stmt_policies, "SELECT COUNT(*) FROM enrol_policies");
DB_STMT(stmt_policies_with, "SELECT COUNT(*) FROM enrol_policies WHERE approval = $1");
DB_STMT(stmt_policies_second,
        "SELECT COUNT(*) FROM enrol_policies WHERE second_approver_id IS NOT NULL");
/* the second step is another manager of the library, as the budget page offers it */
DB_STMT(stmt_second_not_manager,
        "SELECT COUNT(*) FROM enrol_policies p WHERE p.second_approver_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM memberships ms WHERE ms.person_id = p.second_approver_id"
        " AND ms.org_id = p.org_id AND (ms.roles & 2) <> 0)");
/* a request reminded once its policy's reminder time had passed, with the event to show it */
DB_STMT(stmt_reminders_bad,
        "SELECT COUNT(*) FROM enrolments n JOIN enrol_policies p ON p.org_id = n.org_id"
        " WHERE n.reminded_at IS NOT NULL AND (n.reminded_at < n.requested_at + p.remind_days * 86400"
        " OR NOT EXISTS (SELECT 1 FROM enrolment_events v WHERE v.enrolment_id = n.id"
        " AND v.from_state = 'requested' AND v.to_state = 'requested' AND v.at = n.reminded_at))");
DB_STMT(stmt_defaults_bad,
        "SELECT COUNT(*) FROM budget_defaults WHERE (member_kind = 'employee' AND amount_cents"
        " NOT BETWEEN 60000 AND 125000) OR (member_kind = 'volunteer' AND amount_cents NOT BETWEEN"
        " 10000 AND 35000)");
DB_STMT(stmt_personal_accounts, "SELECT COUNT(*) FROM budget_accounts WHERE personal");
DB_STMT(stmt_accounts, "SELECT COUNT(*) FROM budget_accounts");
/* the demo log-ins */
DB_STMT(stmt_login_enrolments,
        "SELECT COUNT(*) FROM enrolments n JOIN people p ON p.id = n.person_id"
        " JOIN editions e ON e.id = n.edition_id WHERE p.email = $1 AND n.state = $2"
        " AND (e.starts_at > $3) = ($4 = 1)");
DB_STMT(stmt_login_request_step1,
        "SELECT COUNT(*) FROM enrolments n JOIN people p ON p.id = n.person_id"
        " JOIN organisations o ON o.id = n.org_id WHERE p.email = $1 AND n.state = 'requested'"
        " AND n.approval_step = 1 AND o.slug = 'bibliotheek-utrecht'");
DB_STMT(stmt_manager_inbox,
        "SELECT COUNT(*) FROM enrolments n JOIN memberships ms ON ms.org_id = n.org_id"
        " AND (ms.roles & 2) <> 0 JOIN people p ON p.id = ms.person_id WHERE p.email = $1"
        " AND n.state = 'requested' AND n.approval_step = 1 AND n.person_id <> p.id");
DB_STMT(stmt_manager_budgets,
        "SELECT COUNT(*) FROM budget_accounts b JOIN enrol_policies pol ON pol.org_id = b.org_id"
        " AND pol.budgets JOIN memberships ms ON ms.org_id = b.org_id AND (ms.roles & 2) <> 0"
        " JOIN people p ON p.id = ms.person_id WHERE p.email = $1 AND b.year = $2"
        " AND pol.approval <> 'none' AND pol.second_approver_id IS NOT NULL");
DB_STMT(stmt_provider_planning,
        "SELECT COUNT(*) FROM enrolments n JOIN editions e ON e.id = n.edition_id"
        " JOIN memberships ms ON ms.org_id = e.provider_id AND (ms.roles & 4) <> 0"
        " JOIN people p ON p.id = ms.person_id WHERE p.email = $1 AND e.starts_at > $2"
        " AND n.state = 'enrolled'");
DB_STMT(stmt_teacher_editions,
        "SELECT COUNT(*) FROM edition_teachers t JOIN people p ON p.id = t.person_id"
        " JOIN editions e ON e.id = t.edition_id WHERE p.email = $1 AND (e.starts_at > $2) = ($3 = 1)"
        " AND EXISTS (SELECT 1 FROM enrolments n WHERE n.edition_id = e.id)");
DB_STMT(stmt_enrol_rows,
        "SELECT e.code, n.state, n.person_id, n.price_cents FROM enrolments n"
        " JOIN editions e ON e.id = n.edition_id ORDER BY n.id");

/* ---- points (demo_points.c) ---- */

/* The Amsterdam year of an instant, computed here and not by progress.c: at
 * New Year Amsterdam is UTC+1. */
#define YEAR_PG(t) "CAST(EXTRACT(YEAR FROM to_timestamp(" t " + 3600) AT TIME ZONE 'UTC') AS BIGINT)"
#define YEAR_SQ(t) "CAST(strftime('%Y', " t " + 3600, 'unixepoch') AS INTEGER)"
/* The version recognised on c.completed_at, by the catalogue's dates and
 * the periods re-reviews replaced. */
#define RECOGNISED_PTS                                                                             \
	"(SELECT x.p FROM (SELECT v.points_tenths AS p, v.recognised_at AS s, v.id AS i"              \
	" FROM module_versions v WHERE v.module_id = c.module_id"                                    \
	" AND v.recognised_at <= c.completed_at AND v.valid_until >= c.completed_at"                 \
	" AND v.state IN ('recognised', 'superseded', 'expired')"                                    \
	" UNION ALL SELECT h.points_tenths, h.recognised_at, h.version_id"                          \
	" FROM module_recognition_history h JOIN module_versions hv ON hv.id = h.version_id"        \
	" WHERE hv.module_id = c.module_id AND h.recognised_at <= c.completed_at"                    \
	" AND h.valid_until >= c.completed_at) x ORDER BY x.s DESC, x.i DESC LIMIT 1)"
/* What every person should have per year and kind, recomputed from the
 * evidence: the first completion per person, module and year of a module
 * recognised on its date earns that version's points; an approved claim
 * its granted points (EVC pe, other study) in the year it was learned; a
 * reversal takes back the completion's points. Subtracted from the ledger:
 * every group must come to zero. */
#define RECOMPUTE(Y)                                                                               \
	"WITH rec AS (SELECT c.id, c.person_id, c.module_id, c.completed_at, " Y("c.completed_at")     \
	" AS yr, " RECOGNISED_PTS " AS pts FROM completions c WHERE c.module_id IS NOT NULL),"          \
	" firsts AS (SELECT person_id, yr, pts, ROW_NUMBER() OVER (PARTITION BY person_id,"            \
	" module_id, yr ORDER BY completed_at, id) AS rn FROM rec WHERE pts IS NOT NULL AND pts > 0),"  \
	" diff AS (SELECT person_id, yr, 'pe' AS kind, -pts AS p FROM firsts WHERE rn = 1"             \
	" UNION ALL SELECT person_id, " Y("learned_at") ", CASE kind WHEN 'evc' THEN 'pe'"              \
	" ELSE 'study' END, -points_tenths FROM learning_claims WHERE state = 'approved'"              \
	" UNION ALL SELECT c.person_id, " Y("c.completed_at") ", o.kind, c.points_tenths"              \
	" FROM points_ledger r JOIN points_ledger o ON o.id = r.reverses_id"                          \
	" JOIN completions c ON c.id = o.completion_id"                                               \
	" UNION ALL SELECT person_id, year, kind, points_tenths FROM points_ledger)"                  \
	" SELECT COUNT(*), COALESCE(SUM(bad), 0) FROM (SELECT CASE WHEN SUM(p) <> 0 THEN 1 ELSE 0"    \
	" END AS bad FROM diff GROUP BY person_id, yr, kind) t"
DB_STMT2(stmt_pt_recompute, RECOMPUTE(YEAR_PG), RECOMPUTE(YEAR_SQ));
DB_STMT(stmt_pt_completed_enrolments,
        "SELECT COUNT(*) FROM enrolments WHERE state = 'completed'");
DB_STMT(stmt_pt_demo_completions,
        "SELECT COUNT(*) FROM completions c JOIN enrolments e ON e.id = c.enrolment_id"
        " WHERE c.source = 'demo' AND e.state = 'completed' AND c.person_id = e.person_id"
        " AND c.evidence_key = 'enrolment:' || CAST(e.id AS TEXT)");
DB_STMT(stmt_pt_completions, "SELECT COUNT(*) FROM completions");
DB_STMT(stmt_pt_with_points, "SELECT COUNT(*) FROM completions WHERE points_tenths > 0");
DB_STMT(stmt_pt_ledger_originals,
        "SELECT COUNT(*) FROM points_ledger WHERE reverses_id IS NULL");
DB_STMT(stmt_pt_ledger_years,
        "SELECT COUNT(DISTINCT year) FROM points_ledger WHERE kind = 'pe' AND year >= $1");
DB_STMT(stmt_pt_certificate_missing,
        "SELECT COUNT(*) FROM completions c WHERE c.points_tenths > 0 AND c.module_id IS NOT NULL"
        " AND (SELECT COUNT(*) FROM credentials x WHERE x.completion_id = c.id"
        " AND x.kind = 'certificate' AND x.person_id = c.person_id) <> 1");
DB_STMT(stmt_pt_certificates, "SELECT COUNT(*) FROM credentials WHERE kind = 'certificate'");
DB_STMT(stmt_pt_certificate_bad_revocation,
        "SELECT COUNT(*) FROM credentials x JOIN points_ledger l ON l.completion_id = x.completion_id"
        " AND l.reverses_id IS NULL WHERE (x.revoked_at IS NOT NULL) <>"
        " EXISTS (SELECT 1 FROM points_ledger r WHERE r.reverses_id = l.id)");
DB_STMT(stmt_pt_unrecognised_ledger,
        "SELECT COUNT(*) FROM points_ledger l JOIN completions c ON c.id = l.completion_id"
        " WHERE c.module_id IS NOT NULL AND " RECOGNISED_PTS " IS NULL");
DB_STMT(stmt_pt_unrecognised_without_points,
        "SELECT COUNT(*) FROM completions c WHERE c.module_id IS NOT NULL AND c.points_tenths = 0"
        " AND c.no_points_reason <> '' AND " RECOGNISED_PTS " IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.completion_id = c.id)");
DB_STMT(stmt_pt_reversals,
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.reason = '' OR r.points_tenths <> -o.points_tenths"
        " OR r.year <> o.year OR r.person_id <> o.person_id THEN 1 ELSE 0 END), 0)"
        " FROM points_ledger r JOIN points_ledger o ON o.id = r.reverses_id");
DB_STMT(stmt_pt_jobs,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'diploma.evaluate' "
        "AND payload LIKE '{\"person_id\":%'");
/* What the first server would find to do: nothing (demo_points_settle). */
DB_STMT(stmt_pt_jobs_open, "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL");
DB_STMT(stmt_pt_outbox_unsent, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
DB_STMT(stmt_pt_diplomas, "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'");
DB_STMT(stmt_pt_claims, "SELECT COUNT(*) FROM learning_claims WHERE kind = $1 AND state = $2");
/* approved: one completion with the granted points and a ledger row; refused:
 * a reason; neither refused, open nor withdrawn has a completion. The
 * subqueries are not correlated: completions has no index on claim_id, and
 * a scan of it per claim took a minute on SQLite. */
DB_STMT(stmt_pt_claims_bad,
        "SELECT COUNT(*) FROM learning_claims k WHERE CASE k.state"
        " WHEN 'approved' THEN k.id NOT IN (SELECT c.claim_id FROM completions c"
        " JOIN points_ledger l ON l.completion_id = c.id AND l.reverses_id IS NULL"
        " JOIN learning_claims a ON a.id = c.claim_id"
        " WHERE c.points_tenths = a.points_tenths AND c.person_id = a.person_id"
        " AND c.source = CASE a.kind WHEN 'evc' THEN 'evc' ELSE 'self_report' END"
        " GROUP BY c.claim_id HAVING COUNT(*) = 1)"
        " OR k.decided_by IS NULL"
        " WHEN 'refused' THEN k.reason = '' OR k.decided_by IS NULL"
        " OR k.id IN (SELECT claim_id FROM completions WHERE claim_id IS NOT NULL)"
        " ELSE k.id IN (SELECT claim_id FROM completions WHERE claim_id IS NOT NULL) END");
/* external claims are decided by a manager of the library, EVC by the committee */
DB_STMT(stmt_pt_claims_wrong_decider,
        "SELECT COUNT(*) FROM learning_claims k WHERE k.decided_by IS NOT NULL AND NOT EXISTS"
        " (SELECT 1 FROM memberships m WHERE m.person_id = k.decided_by AND m.person_id <> k.person_id"
        " AND CASE k.kind WHEN 'evc' THEN (m.roles & 16) <> 0"
        " ELSE m.org_id = k.org_id AND (m.roles & 2) <> 0 END)");
DB_STMT(stmt_pt_open_at,
        "SELECT COUNT(*) FROM learning_claims k JOIN organisations o ON o.id = k.org_id"
        " WHERE o.slug = $1 AND k.kind = 'external' AND k.state = 'submitted'");
DB_STMT(stmt_pt_claim_files_missing,
        "SELECT COUNT(*) FROM learning_claims k WHERE k.state <> 'withdrawn' AND NOT EXISTS"
        " (SELECT 1 FROM learning_claim_files f WHERE f.claim_id = k.id"
        " AND f.content_type = 'application/pdf' AND f.size > 0)");
DB_STMT(stmt_pt_sector_norm,
        "SELECT COUNT(*) FROM pe_norms n JOIN organisations o ON o.id = n.org_id"
        " WHERE o.kind = 'campus' AND n.year = $1 AND n.points_tenths > 0");
/* a library's own norm is above the sector's */
DB_STMT(stmt_pt_norm_not_higher,
        "SELECT COUNT(*) FROM pe_norms n JOIN organisations o ON o.id = n.org_id"
        " JOIN pe_norms s ON s.year = n.year AND s.member_kind = n.member_kind"
        " JOIN organisations c ON c.id = s.org_id AND c.kind = 'campus'"
        " WHERE o.kind <> 'campus' AND n.points_tenths < s.points_tenths");
DB_STMT(stmt_pt_norm_libraries,
        "SELECT COUNT(DISTINCT n.org_id) FROM pe_norms n JOIN organisations o ON o.id = n.org_id"
        " WHERE o.kind = 'library' AND n.year = $1");
/* Utrecht's employees this year: how many have pe + study up to the cap
 * within [lo, hi) of the library's norm (in permille of it) */
DB_STMT(stmt_pt_utrecht_norm_band,
        "SELECT COUNT(*) FROM (SELECT norm, pe + CASE WHEN study > cap THEN cap ELSE study END"
        " AS earned FROM (SELECT n.points_tenths AS norm, n.study_max_tenths AS cap,"
        " COALESCE((SELECT SUM(l.points_tenths) FROM points_ledger l WHERE l.person_id = m.person_id"
        " AND l.year = $1 AND l.kind = 'pe'), 0) AS pe,"
        " COALESCE((SELECT SUM(l.points_tenths) FROM points_ledger l WHERE l.person_id = m.person_id"
        " AND l.year = $1 AND l.kind = 'study'), 0) AS study"
        " FROM memberships m JOIN organisations o ON o.id = m.org_id AND o.slug = 'bibliotheek-utrecht'"
        " JOIN pe_norms n ON n.org_id = o.id AND n.year = $1 AND n.member_kind = m.kind"
        " WHERE m.kind = 'employee') t) u WHERE earned * 1000 >= norm * $2 AND earned * 1000 < norm * $3");
DB_STMT(stmt_pt_login_years,
        "SELECT COUNT(DISTINCT l.year) FROM points_ledger l JOIN people p ON p.id = l.person_id"
        " WHERE p.email = $1 AND l.points_tenths > 0");
DB_STMT(stmt_pt_login_certificates,
        "SELECT COUNT(*) FROM credentials x JOIN people p ON p.id = x.person_id WHERE p.email = $1");
DB_STMT(stmt_pt_login_pe,
        "SELECT COALESCE(SUM(l.points_tenths), 0) FROM points_ledger l JOIN people p"
        " ON p.id = l.person_id WHERE p.email = $1 AND l.kind = 'pe'");

static const char *base_url; /* CAMPUS_TEST_DB or sqlite::memory: */
static bool pg;
static bool built; /* CAMPUS_TEST_DEMO_BUILT: `campus demo` built the sector */

struct dbh {
	struct db_conn *db;
	struct arena *arena; /* scratch for the test's queries, reset often */
	struct arena *keep;  /* ctx->arena: demo_build's results live here */
	struct ctx ctx;
};

static struct dbh main_db; /* the full sector, built once */
static struct demo_result main_result;
static uint64_t main_hash;    /* of the e-mails in id order */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* An empty, migrated database. slot 0 is CAMPUS_TEST_DB itself; for an SQLite
 * file slot 1 is a second file next to it; PostgreSQL empties the same one. */
static void open_fresh(int slot, struct dbh *h)
{
	char url[PATH_MAX + 32];
	struct buf err;
	buf_init(&err, NULL, 0);
	if (pg) {
		struct db_conn *c;
		if (db_open(base_url, 0, &c, &err) != 0)
			fail_msg("open: %s", buf_cstr(&err));
		assert_int_equal(
		    db_exec(c, &stmt_drop_schema, (const struct db_param[]){DBP_END}, NULL), 0);
		assert_int_equal(
		    db_exec(c, &stmt_create_schema, (const struct db_param[]){DBP_END}, NULL), 0);
		db_close(c); /* fresh connection: no statements prepared against the old schema */
		snprintf(url, sizeof url, "%s", base_url);
	} else if (strcmp(base_url, "sqlite::memory:") == 0) {
		snprintf(url, sizeof url, "%s", base_url);
	} else {
		const char *path = base_url + strlen("sqlite:");
		char file[PATH_MAX + 16];
		snprintf(file, sizeof file, "%s%s", path, slot ? ".2" : "");
		static const char *const suffixes[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			char f[PATH_MAX + 32];
			snprintf(f, sizeof f, "%s%s", file, suffixes[i]);
			unlink(f);
		}
		snprintf(url, sizeof url, "sqlite:%s", file);
	}
	if (db_open(url, DB_OPEN_CREATE, &h->db, &err) != 0 || db_migrate(h->db, &err) != 0)
		fail_msg("fresh database: %s %s", buf_cstr(&err), h->db ? db_errmsg(h->db) : "");
	buf_fini(&err);
	h->arena = arena_new(0);
	h->keep = arena_new(0);
	ctx_init_system(&h->ctx, h->db, h->keep);
	h->ctx.now = fixed_now;
}

static void close_db(struct dbh *h)
{
	if (h->arena)
		arena_free(h->arena);
	if (h->keep)
		arena_free(h->keep);
	if (h->db)
		db_close(h->db);
	memset(h, 0, sizeof *h);
}

static int64_t count(struct dbh *h, struct db_stmt *stmt, const struct db_param *params)
{
	int64_t n = -1;
	int rc = db_query_row(h->db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                      h->arena);
	if (rc)
		fail_msg("%s: %d %s", stmt->name, rc, db_errmsg(h->db));
	return n;
}

#define COUNT(h, stmt, ...) count(h, &stmt, (const struct db_param[]){__VA_ARGS__ DBP_END})

/* FNV-1a over the e-mails in id order; also checks each is lower-case ASCII. */
struct email_walk {
	const char *email;
	uint64_t hash;
	int64_t n;
	int64_t bad;
};

static int email_row(void *cls)
{
	struct email_walk *w = cls;
	const char *at = strchr(w->email, '@');
	if (!at || at == w->email || strchr(at + 1, '@'))
		w->bad++;
	for (const char *s = w->email; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == '@'))
			w->bad++;
		w->hash = (w->hash ^ c) * 1099511628211ULL;
	}
	w->hash = (w->hash ^ '\n') * 1099511628211ULL;
	w->n++;
	return 0;
}

static uint64_t email_hash(struct dbh *h, int64_t *n, int64_t *bad)
{
	struct email_walk w = {.hash = 1469598103934665603ULL};
	int rc =
	    db_query(h->db, &stmt_emails, (const struct db_param[]){DBP_END},
	             (const struct db_col[]){DBC_TEXT(&w.email), DBC_END}, h->arena, email_row, &w);
	if (rc)
		fail_msg("emails: %d %s", rc, db_errmsg(h->db));
	arena_reset(h->arena);
	if (n)
		*n = w.n;
	if (bad)
		*bad = w.bad;
	return w.hash;
}

/* FNV-1a over the catalogue: title, state, load, price and points of every
 * version in id order. */
struct enrol_walk {
	const char *code, *state;
	int64_t person, price;
	uint64_t hash;
};

struct catalog_walk {
	const char *title, *state;
	int64_t load, price, points;
	uint64_t hash;
};

static void fnv_str(uint64_t *h, const char *s)
{
	for (; *s; s++)
		*h = (*h ^ (unsigned char)*s) * 1099511628211ULL;
	*h = (*h ^ '\n') * 1099511628211ULL;
}

static int catalog_row(void *cls)
{
	struct catalog_walk *w = cls;
	char nums[96];
	snprintf(nums, sizeof nums, "%lld %lld %lld", (long long)w->load, (long long)w->price,
	         (long long)w->points);
	fnv_str(&w->hash, w->title);
	fnv_str(&w->hash, w->state);
	fnv_str(&w->hash, nums);
	return 0;
}

static int enrol_row(void *cls)
{
	struct enrol_walk *w = cls;
	char nums[64];
	snprintf(nums, sizeof nums, "%lld %lld", (long long)w->person, (long long)w->price);
	fnv_str(&w->hash, w->code);
	fnv_str(&w->hash, w->state);
	fnv_str(&w->hash, nums);
	return 0;
}

/* Of the module versions and of the enrolments, in id order. */
static uint64_t catalog_hash(struct dbh *h)
{
	struct catalog_walk w = {.hash = 1469598103934665603ULL};
	int rc = db_query(h->db, &stmt_catalog_rows, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&w.title), DBC_TEXT(&w.state),
	                                          DBC_INT(&w.load), DBC_INT(&w.price),
	                                          DBC_INT(&w.points), DBC_END},
	                  h->arena, catalog_row, &w);
	if (rc)
		fail_msg("catalogue: %d %s", rc, db_errmsg(h->db));
	struct enrol_walk ew = {.hash = w.hash};
	rc = db_query(h->db, &stmt_enrol_rows, (const struct db_param[]){DBP_END},
	              (const struct db_col[]){DBC_TEXT(&ew.code), DBC_TEXT(&ew.state),
	                                      DBC_INT(&ew.person), DBC_INT(&ew.price), DBC_END},
	              h->arena, enrol_row, &ew);
	if (rc)
		fail_msg("enrolments: %d %s", rc, db_errmsg(h->db));
	arena_reset(h->arena);
	return ew.hash;
}

/* Before the checks, however the sector came about. */
static int after_build(void)
{
	fflush(stdout);
	main_hash = email_hash(&main_db, NULL, NULL);
	/* Fresh statistics, or the checks' first plans come from the empty
	 * tables autovacuum last saw (PostgreSQL: a join over the ledger ran for
	 * minutes) or from none (SQLite: the budget sums went through every
	 * enrolment of the library per account, 25 s) */
	if (db_exec(main_db.db, &stmt_analyze, (const struct db_param[]){DBP_END}, NULL))
		return -1;
	return 0;
}

/* The sector `campus demo` built at CAMPUS_TEST_DB: its clock and seed from
 * the audit row, demo_build's result from what the command printed (log is
 * its output). Returns 0, or -1 with a reason on stderr. */
static int open_built(const char *log)
{
	struct buf err;
	buf_init(&err, NULL, 0);
	if (db_open(base_url, 0, &main_db.db, &err) != 0) {
		fprintf(stderr, "open %s: %s\n", base_url, buf_cstr(&err));
		buf_fini(&err);
		return -1;
	}
	buf_fini(&err);
	main_db.arena = arena_new(0);
	main_db.keep = arena_new(0);
	ctx_init_system(&main_db.ctx, main_db.db, main_db.keep);
	main_db.ctx.now = demo_clock;

	const char *detail = NULL;
	unsigned long seed = 0, permille = 0;
	long long now = 0;
	if (db_query_row(main_db.db, &stmt_audit_demo_detail, (const struct db_param[]){DBP_END},
	                 (const struct db_col[]){DBC_TEXT(&detail), DBC_END}, main_db.arena) != 0 ||
	    sscanf(detail, "seed=%lu permille=%lu now=%lld ", &seed, &permille, &now) != 3 ||
	    seed != SEED || permille != 1000) {
		fprintf(stderr, "no full demo build with seed %lu in the audit log: %s\n", SEED,
		        detail ? detail : db_errmsg(main_db.db));
		return -1;
	}
	demo_now = now;

	FILE *f = fopen(log, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot read\n", log);
		return -1;
	}
	struct demo_result *r = &main_result;
	char line[512], password[128];
	unsigned printed_seed = 0, with_points = 0, ncounts = 0;
	bool logins = false, have_password = false;
	while (fgets(line, sizeof line, f)) {
		char email[128], rest[256];
		if (sscanf(
		        line,
		        "Demo sector ready (seed %u): %u organisations, %u people, %u memberships.",
		        &printed_seed, &r->organisations, &r->people, &r->memberships) == 4)
			ncounts++;
		else if (sscanf(line,
		                "Demo catalogue: %u modules (%u local to a library), %u reviews.",
		                &r->modules, &r->local_modules, &r->reviews) == 3)
			ncounts++;
		else if (sscanf(line,
		                "Demo history: %u editions, %u enrolments, %u completions"
		                " (%u with points), %u certificates, %u diplomas, %u claims,"
		                " %u reversals.",
		                &r->editions, &r->enrolments, &r->completions, &with_points,
		                &r->certificates, &r->diplomas, &r->claims, &r->reversals) == 8)
			ncounts++;
		else if (sscanf(line, "Demo log-ins (password %127[^)]):", password) == 1)
			logins = have_password = true;
		else if (logins && line[0] == ' ' && r->nlogins < DEMO_LOGINS_MAX &&
		         sscanf(line, " %127s %255[^\n]", email, rest) == 2) {
			/* "  e-mail  name, organisation", in the order demo_build made them */
			const char *org = strstr(rest, ", ");
			struct demo_login *l = &r->logins[r->nlogins++];
			l->email = arena_strdup(main_db.keep, email);
			l->org_name = arena_strdup(main_db.keep, org ? org + 2 : "");
		} else
			logins = false;
	}
	fclose(f);
	r->completions_with_points = with_points;
	r->password = have_password ? arena_strdup(main_db.keep, password) : NULL;
	if (ncounts != 3 || printed_seed != SEED) {
		fprintf(stderr, "%s: not the output of a demo build with seed %lu\n", log, SEED);
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	base_url = getenv("CAMPUS_TEST_DB");
	if (!base_url || !*base_url)
		base_url = "sqlite::memory:";
	enum db_dialect d;
	if (db_url_dialect(base_url, &d) != 0)
		return -1;
	pg = d == DB_POSTGRES;
	const char *log = getenv("CAMPUS_TEST_DEMO_BUILT");
	built = log && *log;
	if (built) {
		if (open_built(log) != 0)
			return -1;
		printf("# demo built by campus demo (%s): %u people (%s; %u organisations,"
		       " %u memberships, %u modules)\n",
		       log, main_result.people, pg ? "PostgreSQL" : "SQLite",
		       main_result.organisations, main_result.memberships, main_result.modules);
		return after_build();
	}
	demo_now = fixed_now();
	open_fresh(0, &main_db);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = demo_build(&main_db.ctx, SEED, &main_result);
	double secs = seconds_since(&t0);
	if (rc) {
		fprintf(stderr, "demo_build: %d %s\n", rc, db_errmsg(main_db.db));
		return -1;
	}
	printf("# demo_build: %u people in %.1f s (%s; %u organisations, %u memberships,"
	       " %u modules)\n",
	       main_result.people, secs, pg ? "PostgreSQL" : "SQLite", main_result.organisations,
	       main_result.memberships, main_result.modules);
	return after_build();
}

static int group_teardown(void **state)
{
	(void)state;
	close_db(&main_db);
	if (!pg && strcmp(base_url, "sqlite::memory:") != 0) {
		char f[PATH_MAX + 32];
		static const char *const suffixes[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(f, sizeof f, "%s.2%s", base_url + strlen("sqlite:"), suffixes[i]);
			unlink(f);
		}
	}
	return 0;
}

/* ---- the shape of the sector ---------------------------------------------------- */

static void counts_in_range(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t libraries = COUNT(h, stmt_count_orgs_kind, DBP_TEXT("library"), );
	assert_in_range(libraries, 133, 160);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("poi"), ), 9);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("provider"), ), 10);
	assert_int_equal(COUNT(h, stmt_count_orgs_kind, DBP_TEXT("campus"), ), 1);
	int64_t people = COUNT(h, stmt_count_people, );
	assert_in_range(people, 28000, 32000);
	assert_in_range(COUNT(h, stmt_count_library_kind, DBP_TEXT("employee"), ), 7500, 8600);
	assert_in_range(COUNT(h, stmt_count_library_kind, DBP_TEXT("volunteer"), ), 20000, 24000);
	/* the result tells the truth */
	assert_int_equal(main_result.organisations, COUNT(h, stmt_count_orgs, ));
	assert_int_equal(main_result.people, people);
	assert_int_equal(main_result.memberships, COUNT(h, stmt_count_members, ));
	/* ~3% belong to two organisations */
	int64_t two = COUNT(h, stmt_two_orgs, );
	assert_in_range(two * 1000 / people, 20, 45);
	/* mostly Dutch-speaking */
	assert_in_range(COUNT(h, stmt_lang_nl, ) * 100 / people, 90, 100);
}

static void every_library_has_managers(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_libraries_without_manager, ), 0);
	assert_int_equal(COUNT(h, stmt_libraries_many_managers, ), 0);
	assert_int_equal(COUNT(h, stmt_providers_without, DBP_INT(ROLE_PROVIDER_ADMIN), ), 0);
	assert_int_equal(COUNT(h, stmt_providers_without, DBP_INT(ROLE_TEACHER), ), 0);
	assert_int_equal(COUNT(h, stmt_count_role, DBP_INT(ROLE_CAMPUS_ADMIN), ), 2);
	assert_in_range(COUNT(h, stmt_count_role, DBP_INT(ROLE_COMMITTEE), ), 8, 12);
	assert_int_equal(COUNT(h, stmt_committee_where, ), 0);
}

struct org_walk {
	const char *slug, *name, *color;
	bool color_null;
	int64_t created_at;
	char **slugs;
	size_t n;
};

static int org_row(void *cls)
{
	struct org_walk *w = cls;
	size_t len = strlen(w->slug);
	assert_true(len > 0 && len <= 64);
	assert_true(w->slug[0] != '-' && w->slug[len - 1] != '-');
	for (const char *s = w->slug; *s; s++)
		assert_true((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-');
	assert_null(strstr(w->slug, "--"));
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->slugs[i], w->slug) == 0)
			fail_msg("slug %s twice", w->slug);
	w->slugs[w->n++] = strdup(w->slug);
	if (!w->color_null) {
		assert_int_equal(strlen(w->color), 7);
		assert_int_equal(settings_validate(SETTING_BRAND_COLOR, w->color), 0);
	}
	assert_true(w->created_at < demo_now && w->created_at > demo_now - 4 * 365 * 86400);
	assert_true(strlen(w->name) > 2);
	return 0;
}

static void organisations_look_right(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_provinces, ), 12);
	assert_int_equal(COUNT(h, stmt_payroll, ), INT64_C(26380000000));
	struct org_walk w = {.slugs = calloc(512, sizeof(char *))};
	int rc = db_query(h->db, &stmt_orgs, (const struct db_param[]){DBP_END},
	                  (const struct db_col[]){DBC_TEXT(&w.slug), DBC_TEXT(&w.name),
	                                          DBC_TEXT_OPT(&w.color, &w.color_null),
	                                          DBC_INT(&w.created_at), DBC_END},
	                  h->arena, org_row, &w);
	assert_int_equal(rc, 0);
	assert_int_equal(w.n, main_result.organisations);
	for (size_t i = 0; i < w.n; i++)
		free(w.slugs[i]);
	free(w.slugs);
	arena_reset(h->arena);
}

/* ---- log-ins ------------------------------------------------------------------- */

static const struct {
	const char *email;
	unsigned role;
	const char *kind;
	const char *org;
	const char *label;
} expected_logins[] = {
    {"beheerder@campus.demo", ROLE_CAMPUS_ADMIN, "employee", "Campus Bibliotheekbranche",
     "campusbeheerder"},
    {"commissie@campus.demo", ROLE_COMMITTEE, "external", "Campus Bibliotheekbranche",
     "lid toetsingscommissie"},
    {"manager@bibliotheek-utrecht.demo", ROLE_LEARNER | ROLE_MANAGER, "employee",
     "De Bibliotheek Utrecht", "manager (HR/L&D)"},
    {"medewerker@bibliotheek-utrecht.demo", ROLE_LEARNER, "employee", "De Bibliotheek Utrecht",
     "medewerker"},
    {"vrijwilliger@bibliotheek-utrecht.demo", ROLE_LEARNER, "volunteer", "De Bibliotheek Utrecht",
     "vrijwilliger"},
    {"aanbieder@go-opleidingen.demo", ROLE_PROVIDER_ADMIN, "employee", "GO Opleidingen",
     "opleidingsaanbieder"},
    {"docent@go-opleidingen.demo", ROLE_TEACHER, "employee", "GO Opleidingen", "docent"},
};
#define NLOGINS (sizeof expected_logins / sizeof expected_logins[0])

/* The log-ins a result names. labels: `campus demo` does not print them, so
 * with CAMPUS_TEST_DEMO_BUILT the small builds' results show them. */
static void result_logins_right(const struct demo_result *r, bool labels)
{
	assert_int_equal(r->nlogins, NLOGINS);
	assert_non_null(r->password);
	assert_true(strlen(r->password) >= AUTH_PASSWORD_MIN);
	assert_string_equal(r->password, DEMO_PASSWORD);
	for (size_t i = 0; i < NLOGINS; i++) {
		assert_string_equal(r->logins[i].email, expected_logins[i].email);
		if (labels)
			assert_string_equal(r->logins[i].role_label, expected_logins[i].label);
		assert_string_equal(r->logins[i].org_name, expected_logins[i].org);
	}
}

static void demo_logins(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	result_logins_right(&main_result, !built);
	for (size_t i = 0; i < NLOGINS; i++) {
		const struct demo_login *l = &main_result.logins[i];
		char *hash = NULL, *kind = NULL, *org = NULL;
		int64_t roles = 0;
		int rc = db_query_row(
		    h->db, &stmt_login,
		    (const struct db_param[]){DBP_TEXT(l->email), DBP_TEXT(expected_logins[i].org), DBP_END},
		    (const struct db_col[]){DBC_TEXT(&hash), DBC_INT(&roles), DBC_TEXT(&kind),
		                            DBC_TEXT(&org), DBC_END},
		    h->arena);
		if (rc)
			fail_msg("%s: %d %s", l->email, rc, db_errmsg(h->db));
		assert_int_equal(roles, expected_logins[i].role);
		/* The employee also volunteers elsewhere (for the switcher); the others work in one place. */
		int64_t norgs = 0;
		assert_int_equal(db_query_row(h->db, &stmt_login_orgs,
		                              (const struct db_param[]){DBP_TEXT(l->email), DBP_END},
		                              (const struct db_col[]){DBC_INT(&norgs), DBC_END}, h->arena),
		                 0);
		assert_int_equal(norgs, strncmp(l->email, "medewerker@", 11) == 0 ? 2 : 1);
		assert_string_equal(kind, expected_logins[i].kind);
		assert_string_equal(org, expected_logins[i].org);
		assert_true(auth_password_verify(hash, DEMO_PASSWORD));
		assert_false(auth_password_verify(hash, "Campus-demo-2025"));
	}
	/* nobody else has a password: they have not accepted their invitation */
	assert_int_equal(COUNT(h, stmt_with_password, ), NLOGINS);
	arena_reset(h->arena);
}

static void emails_unique_and_lower_case(void **state)
{
	(void)state;
	int64_t n = 0, bad = -1;
	assert_int_equal(email_hash(&main_db, &n, &bad), main_hash);
	assert_int_equal(bad, 0);
	assert_int_equal(n, main_result.people);
	/* the schema's UNIQUE holds them apart; the walk above saw every row */
}

static void settings_and_audit(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	const char *v = NULL;
	assert_int_equal(settings_get(&h->ctx, SETTING_SECTOR_NAME, &v), 0);
	assert_string_equal(v, "Campus");
	assert_int_equal(settings_get(&h->ctx, SETTING_BRAND_COLOR, &v), 0);
	assert_string_equal(v, "#00689e");
	assert_int_equal(COUNT(h, stmt_audit_demo, ), 1);
}

/* ---- the catalogue ---------------------------------------------------------------- */

static void catalogue_counts(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t modules = COUNT(h, stmt_count_modules, );
	assert_in_range(modules, 1900, 2150);
	assert_int_equal(main_result.modules, modules);
	int64_t local = COUNT(h, stmt_count_local_modules, );
	assert_int_equal(main_result.local_modules, local);
	assert_in_range(local, 40, 200);
	assert_int_equal(main_result.reviews, COUNT(h, stmt_count_reviews, ));
	/* national: all ten providers, and only providers */
	assert_int_equal(COUNT(h, stmt_national_owners, ), 10);
	assert_int_equal(COUNT(h, stmt_national_not_provider, ), 0);
	/* local: owned by the library itself, 40 libraries with 1-5 each */
	assert_int_equal(COUNT(h, stmt_local_not_library, ), 0);
	assert_int_equal(COUNT(h, stmt_local_libraries, ), 40);
	assert_int_equal(COUNT(h, stmt_modules_bad_versions, ), 0);
	/* the mix of values */
	int64_t versions = COUNT(h, stmt_count_versions_all, );
	assert_int_equal(COUNT(h, stmt_distinct_values, ),
	                 334); /* 4 formats, 3 levels, 3 audiences */
	int64_t nl = COUNT(h, stmt_lang_versions, DBP_TEXT("nl"), );
	int64_t en = COUNT(h, stmt_lang_versions, DBP_TEXT("en"), );
	assert_int_equal(nl + en, versions);
	assert_in_range(nl * 100 / versions, 85, 98);
	int64_t free_ = COUNT(h, stmt_free_versions, );
	assert_in_range(free_ * 100 / versions, 5, 40);
	int64_t vat21 = COUNT(h, stmt_vat21_versions, );
	assert_in_range(vat21 * 100 / versions, 3, 35);
}

static void catalogue_texts(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	/* loads 1-40 h, prices 0 or 45-1,250 euro, places where people meet, no HTML, a list */
	assert_int_equal(COUNT(h, stmt_versions_where, DBP_TEXT("%\n- %"), ), 0);
	assert_int_equal(COUNT(h, stmt_goal_lines, DBP_TEXT("\n"), ), 0); /* 3-5 goals */
	assert_int_equal(COUNT(h, stmt_contact_elsewhere, ), 0);
	assert_true(COUNT(h, stmt_distinct_titles, ) >= 1500);
	/* the words search tests and the bench look for */
	static const char *const words[] = {"%voorleesexpert%",  "%voorlezen%",
	                                    "%leesbevordering%", "%mediawijsheid%",
	                                    "%digid%",           "%laaggeletterdheid%"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (COUNT(h, stmt_title_like, DBP_TEXT(words[i]), ) < 2)
			fail_msg("no titles with %s", words[i]);
	assert_int_equal(COUNT(h, stmt_times_bad, DBP_INT(demo_now), ), 0);
}

static void catalogue_taxonomy(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_versions_without_tag, DBP_TEXT("domain"), ), 0);
	assert_int_equal(COUNT(h, stmt_versions_without_tag, DBP_TEXT("role"), ), 0);
	assert_int_equal(COUNT(h, stmt_versions_without_tag, DBP_TEXT("competency"), ), 0);
	assert_int_equal(COUNT(h, stmt_competency_outside_role, ), 0);
	assert_int_equal(COUNT(h, stmt_role_outside_domain, ), 0);
	assert_int_equal(COUNT(h, stmt_domain_unknown, ), 0);
	/* the whole taxonomy is covered */
	assert_int_equal(COUNT(h, stmt_tagged_competencies, ), COUNT(h, stmt_all_competencies, ));
}

static void catalogue_reviews(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_review_states, ), 7);
	assert_int_equal(COUNT(h, stmt_version_states, ), 8);
	static const char *const states[] = {"submitted", "checked",  "assigned", "recognised",
	                                     "returned",  "rejected", "withdrawn"};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (COUNT(h, stmt_reviews_in_state, DBP_TEXT(states[i]), ) < 5)
			fail_msg("few reviews %s", states[i]);
	/* light reviews (trusted providers) and re-reviews, both ways */
	assert_true(COUNT(h, stmt_reviews_flagged, DBP_BOOL(true), DBP_BOOL(false), ) > 0);
	assert_true(COUNT(h, stmt_reviews_flagged, DBP_BOOL(false), DBP_BOOL(true), ) > 0);
	assert_int_equal(COUNT(h, stmt_trusted, ), 2);
	assert_int_equal(COUNT(h, stmt_light_untrusted, DBP_BOOL(true), ), 0);
	assert_int_equal(COUNT(h, stmt_light_untrusted, DBP_BOOL(false), ), 0);
	/* the committee reviews, never its own organisation's modules */
	assert_int_equal(COUNT(h, stmt_reviewer_in_owner, ), 0);
	assert_int_equal(COUNT(h, stmt_reviewer_not_committee, ), 0);
	/* finished reviews have all four scores; some open ones have a part */
	assert_int_equal(COUNT(h, stmt_scores_incomplete, ), 0);
	assert_true(COUNT(h, stmt_scores_partial, ) > 0);
	assert_int_equal(COUNT(h, stmt_scores_criteria, ), 4);
	assert_int_equal(COUNT(h, stmt_decided_not_chair, ), 0);
	assert_int_equal(COUNT(h, stmt_reason_missing, ), 0);
	assert_int_equal(COUNT(h, stmt_withdrawn_unsigned, ), 0);
	assert_int_equal(COUNT(h, stmt_review_version_mismatch, DBP_BOOL(false), ), 0);
	assert_int_equal(
	    COUNT(h, stmt_rereview_bad, DBP_BOOL(true), DBP_INT(demo_now + 60 * 86400), ), 0);
}

static void catalogue_recognition(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t modules = COUNT(h, stmt_count_modules, );
	int64_t recognised = COUNT(h, stmt_recognised_modules, );
	assert_in_range(recognised * 100 / modules, 45, 75);
	/* recognised: points, a valid recognition, published, a review that says so */
	assert_int_equal(COUNT(h, stmt_recognised_bad, DBP_INT(demo_now), ), 0);
	assert_int_equal(COUNT(h, stmt_points_off, ), 0);
	assert_int_equal(COUNT(h, stmt_expired_bad, DBP_INT(demo_now), ), 0);
	/* version 2 with the committee while version 1 stays published */
	assert_true(COUNT(h, stmt_newer_under_review, ) >= 20);
	assert_true(COUNT(h, stmt_published_unrecognised, ) >= 100);
}

/* Every module as demo_catalog.c wrote it passes catalog.c's own checks, so
 * an owner can open and save any of them unchanged. */
struct id_walk {
	int64_t id;
	int64_t *ids;
	size_t n, cap;
};

static int id_row(void *cls)
{
	struct id_walk *w = cls;
	if (w->n < w->cap)
		w->ids[w->n++] = w->id;
	return 0;
}

static void catalogue_modules_valid(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	struct id_walk w = {.cap = 4096};
	w.ids = calloc(w.cap, sizeof *w.ids);
	assert_int_equal(db_query(h->db, &stmt_module_ids, (const struct db_param[]){DBP_END},
	                          (const struct db_col[]){DBC_INT(&w.id), DBC_END}, h->arena,
	                          id_row, &w),
	                 0);
	assert_int_equal(w.n, main_result.modules);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, h->db, a);
	ctx.now = demo_clock;
	size_t bad = 0;
	for (size_t i = 0; i < w.n; i++) {
		arena_reset(a);
		struct module m;
		int rc = module_get(&ctx, w.ids[i], MODULE_WORKING, &m);
		if (rc)
			fail_msg("module %lld: %d %s", (long long)w.ids[i], rc, db_errmsg(h->db));
		int64_t ids[3][MODULE_TAGS_MAX];
		size_t n[3] = {0, 0, 0};
		for (size_t k = 0; k < m.v.ntags; k++) {
			int kind = m.v.tags[k].kind == 'd' ? 0 : m.v.tags[k].kind == 'r' ? 1 : 2;
			if (n[kind] < MODULE_TAGS_MAX)
				ids[kind][n[kind]++] = m.v.tags[k].id;
		}
		struct module_input in = {.title = m.v.title,
		                          .summary = m.v.summary,
		                          .description = m.v.description,
		                          .goals = m.v.goals,
		                          .prerequisites = m.v.prerequisites,
		                          .level = m.v.level,
		                          .format = m.v.format,
		                          .language = m.v.language,
		                          .vat = m.v.vat,
		                          .audience = m.v.audience,
		                          .place = m.v.place,
		                          .province = m.v.province,
		                          .contact_name = m.v.contact_name,
		                          .contact_email = m.v.contact_email,
		                          .load_tenths = m.v.load_tenths,
		                          .price_cents = m.v.price_cents,
		                          .domains = ids[0],
		                          .ndomains = n[0],
		                          .roles = ids[1],
		                          .nroles = n[1],
		                          .competencies = ids[2],
		                          .ncompetencies = n[2]};
		struct module_problems pr;
		rc = module_validate(&ctx, &in, &pr);
		if (rc && bad++ < 5)
			printf("# module %lld \"%s\": %s %s\n", (long long)m.id, m.v.title,
			       pr.n ? pr.items[0].field : "?", pr.n ? pr.items[0].msgid : "");
	}
	arena_free(a);
	free(w.ids);
	assert_int_equal(bad, 0);
}

/* The committee can carry on with the demo's reviews through review.c: the
 * chair has work in the inbox, a pending reviewer scores, the chair decides. */
struct pending {
	int64_t person, org;
	int64_t people[4], orgs[4];
	size_t n;
};

static int pending_row(void *cls)
{
	struct pending *p = cls;
	if (p->n < 4) {
		p->people[p->n] = p->person;
		p->orgs[p->n++] = p->org;
	}
	return 0;
}

struct id_list1 {
	int64_t id;
	int64_t ids[MODULE_TAGS_MAX];
	size_t n;
};

static int id1_row(void *cls)
{
	struct id_list1 *l = cls;
	if (l->n < MODULE_TAGS_MAX)
		l->ids[l->n++] = l->id;
	return 0;
}

static void catalogue_reviews_carry_on(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t chair = 0, chair_org = 0;
	assert_int_equal(
	    db_query_row(h->db, &stmt_chair, (const struct db_param[]){DBP_END},
	                 (const struct db_col[]){DBC_INT(&chair), DBC_INT(&chair_org), DBC_END},
	                 h->arena),
	    0);
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, h->db, a);
	ctx.now = demo_clock;
	ctx.actor =
	    (struct actor){.person_id = chair, .org_id = chair_org, .roles = ROLE_COMMITTEE};
	struct review *box = NULL;
	size_t nbox = 0;
	assert_int_equal(review_inbox(&ctx, REVIEW_BOX_MINE, &box, &nbox), 0);
	assert_true(nbox > 0); /* the demo log-in has reviews to do */
	assert_int_equal(review_inbox(&ctx, REVIEW_BOX_ASSIGN, &box, &nbox), 0);
	assert_true(nbox > 0);

	int64_t review = 0, module = 0, version = 0, load = 0;
	assert_int_equal(
	    db_query_row(h->db, &stmt_open_review,
	                 (const struct db_param[]){DBP_BOOL(false), DBP_END},
	                 (const struct db_col[]){DBC_INT(&review), DBC_INT(&module),
	                                         DBC_INT(&version), DBC_INT(&load), DBC_END},
	                 h->arena),
	    0);
	struct pending p = {0};
	assert_int_equal(
	    db_query(h->db, &stmt_pending_reviewers,
	             (const struct db_param[]){DBP_INT(review), DBP_END},
	             (const struct db_col[]){DBC_INT(&p.person), DBC_INT(&p.org), DBC_END},
	             h->arena, pending_row, &p),
	    0);
	assert_true(p.n > 0);
	struct review_criterion *crit = NULL;
	size_t ncrit = 0;
	assert_int_equal(review_criteria(&ctx, &crit, &ncrit), 0);
	assert_int_equal(ncrit, 4);
	int64_t ids[4], scores[4] = {4, 4, 5, 3};
	for (size_t i = 0; i < ncrit; i++)
		ids[i] = crit[i].id;
	const char *why = NULL;
	for (size_t i = 0; i < p.n; i++) {
		ctx.actor = (struct actor){
		    .person_id = p.people[i], .org_id = p.orgs[i], .roles = ROLE_COMMITTEE};
		int rc = review_score(&ctx, review, ids, scores, NULL, ncrit, &why);
		if (rc)
			fail_msg("score review %lld: %d %s", (long long)review, rc, why ? why : "");
	}
	struct id_list1 domains = {0};
	assert_int_equal(db_query(h->db, &stmt_version_domains,
	                          (const struct db_param[]){DBP_INT(version), DBP_END},
	                          (const struct db_col[]){DBC_INT(&domains.id), DBC_END}, h->arena,
	                          id1_row, &domains),
	                 0);
	ctx.actor =
	    (struct actor){.person_id = chair, .org_id = chair_org, .roles = ROLE_COMMITTEE};
	struct review_decision d = {.outcome = REVIEW_RECOGNISED,
	                            .points_tenths = load,
	                            .load_tenths = load,
	                            .domains = domains.ids,
	                            .ndomains = domains.n};
	int rc = review_decide(&ctx, review, &d, &why);
	if (rc)
		fail_msg("decide review %lld: %d %s", (long long)review, rc, why ? why : "");
	assert_int_equal(COUNT(h, stmt_module_recognised, DBP_INT(review), ), 1);
	arena_free(a);
	arena_reset(h->arena);
}

/* ---- editions and enrolments -------------------------------------------------------- */

static void enrolment_counts(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t editions = COUNT(h, stmt_count_editions, ),
	        enrolments = COUNT(h, stmt_count_enrolments, );
	printf("# editions %lld (%lld cancelled), enrolments %lld, meetings + events + attendance"
	       " %lld, budget accounts %lld\n",
	       (long long)editions, (long long)COUNT(h, stmt_cancelled_editions, ),
	       (long long)enrolments, (long long)COUNT(h, stmt_count_enrol_rows, ),
	       (long long)COUNT(h, stmt_accounts, ));
	assert_int_equal(editions, main_result.editions);
	assert_int_equal(enrolments, main_result.enrolments);
	assert_in_range(editions, 7500, 12000);
	assert_in_range(enrolments, 60000, 120000);
	/* a few called off for too few participants */
	assert_in_range(COUNT(h, stmt_cancelled_editions, ) * 1000 / editions, 5, 60);
	/* three years back and one ahead, every year */
	int64_t now = demo_now;
	for (int y = -3; y <= 0; y++)
		assert_in_range(COUNT(h, stmt_editions_in_window, DBP_INT(now + y * 365 * 86400LL),
		                      DBP_INT(now + (y + 1) * 365 * 86400LL), ),
		                1000, 4000);
	/* every state of the machine, each more than a handful of times */
	static const char *const states[] = {"requested", "refused", "expired", "waitlisted",
	                                     "offered",   "enrolled", "cancelled", "attended",
	                                     "no_show",   "completed", "not_completed"};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		int64_t n = COUNT(h, stmt_enrolments_in_state, DBP_TEXT(states[i]), );
		if (n < (strcmp(states[i], "offered") == 0 ? 1 : 20))
			fail_msg("state %s: %lld enrolments", states[i], (long long)n);
	}
	assert_true(COUNT(h, stmt_enrolments_in_state, DBP_TEXT("completed"), ) > enrolments / 2);
}

static void enrolment_invariants(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t now = demo_now;
	assert_int_equal(COUNT(h, stmt_seats_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_coming_seats_wrong, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_waiting_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_over_capacity, ), 0);
	assert_int_equal(COUNT(h, stmt_reservation_used_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_waitlist_out_of_order, ), 0);
	assert_int_equal(COUNT(h, stmt_waitlist_bad, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_live_twice, ), 0);
	assert_int_equal(COUNT(h, stmt_events_last_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_events_chain_broken, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_events_before_request, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_requests_bad, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_offers_bad, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_budget_sums_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_budget_without_account, ), 0);
	assert_int_equal(COUNT(h, stmt_budget_state_wrong, ), 0);
	assert_int_equal(COUNT(h, stmt_budget_library_off, ), 0);
	assert_int_equal(COUNT(h, stmt_attendance_bad, DBP_INT(now), ), 0);
	assert_int_equal(COUNT(h, stmt_attended_without_presence, ), 0);
}

struct meeting_walk {
	int64_t starts_at, ends_at;
	unsigned n, bad;
};

static int meeting_row(void *cls)
{
	struct meeting_walk *w = cls;
	/* the Netherlands: UTC+1 or +2; working days, between 8:30 and 17:30 local */
	time_t t = (time_t)(w->starts_at + 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	int64_t len = w->ends_at - w->starts_at;
	if (tm.tm_wday == 0 || tm.tm_wday == 6 || tm.tm_hour < 7 || tm.tm_hour > 16 || len < 3600 ||
	    len > 8 * 3600)
		w->bad++;
	w->n++;
	return 0;
}

static void editions_look_right(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_editions_shape_bad, ), 0);
	assert_int_equal(COUNT(h, stmt_elearning_editions, ), 0);
	assert_int_equal(COUNT(h, stmt_unpublished_editions, ), 0);
	assert_int_equal(COUNT(h, stmt_teachers_bad, ), 0);
	assert_int_equal(COUNT(h, stmt_outsiders, ), 0);
	assert_int_equal(COUNT(h, stmt_wrong_audience, ), 0);
	struct meeting_walk w = {0};
	assert_int_equal(db_query(h->db, &stmt_meeting_times, (const struct db_param[]){DBP_END},
	                          (const struct db_col[]){DBC_INT(&w.starts_at), DBC_INT(&w.ends_at),
	                                                  DBC_END},
	                          h->arena, meeting_row, &w),
	                 0);
	arena_reset(h->arena);
	assert_true(w.n > 10000);
	assert_int_equal(w.bad, 0);
	/* about a third of the libraries decide on enrolments; budgets within the sector's range */
	int64_t libraries = COUNT(h, stmt_count_orgs_kind, DBP_TEXT("library"), ),
	        policies = COUNT(h, stmt_policies, );
	assert_in_range(policies * 100 / libraries, 22, 45);
	assert_true(COUNT(h, stmt_policies_with, DBP_TEXT("cost"), ) > 0);
	assert_true(COUNT(h, stmt_policies_with, DBP_TEXT("always"), ) > 0);
	assert_true(COUNT(h, stmt_policies_second, ) > 0);
	assert_int_equal(COUNT(h, stmt_second_not_manager, ), 0);
	assert_int_equal(COUNT(h, stmt_reminders_bad, ), 0);
	assert_int_equal(COUNT(h, stmt_defaults_bad, ), 0);
	int64_t accounts = COUNT(h, stmt_accounts, );
	assert_true(accounts > 1000);
	int64_t personal = COUNT(h, stmt_personal_accounts, );
	assert_true(personal > 0 && personal < accounts / 2);
}

/* The printed log-ins have something to show on every page of this issue. */
static void demo_logins_have_enrolments(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t now = demo_now;
	const char *emp = "medewerker@bibliotheek-utrecht.demo",
	           *vol = "vrijwilliger@bibliotheek-utrecht.demo",
	           *manager = "manager@bibliotheek-utrecht.demo";
#define LOGIN(email, st, coming)                                                                   \
	COUNT(h, stmt_login_enrolments, DBP_TEXT(email), DBP_TEXT(st), DBP_INT(now), DBP_INT(coming), )
	assert_true(LOGIN(emp, "enrolled", 1) >= 2);
	assert_true(LOGIN(emp, "waitlisted", 1) >= 1);
	assert_true(LOGIN(emp, "offered", 1) >= 1);
	assert_true(LOGIN(emp, "completed", 0) >= 3);
	assert_true(COUNT(h, stmt_login_request_step1, DBP_TEXT(emp), ) >= 1);
	assert_true(LOGIN(vol, "enrolled", 1) >= 1);
	assert_true(LOGIN(vol, "completed", 0) >= 1);
#undef LOGIN
	/* the manager: requests of colleagues (the employee's among them) and a budget table */
	assert_true(COUNT(h, stmt_manager_inbox, DBP_TEXT(manager), ) >= 3);
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	assert_true(COUNT(h, stmt_manager_budgets, DBP_TEXT(manager), DBP_INT(tm.tm_year + 1900), ) >
	            20);
	/* the provider: coming editions with participants; the teacher: past and coming */
	assert_true(COUNT(h, stmt_provider_planning, DBP_TEXT("aanbieder@go-opleidingen.demo"),
	                  DBP_INT(now), ) > 100);
	assert_true(COUNT(h, stmt_teacher_editions, DBP_TEXT("docent@go-opleidingen.demo"),
	                  DBP_INT(now), DBP_INT(1), ) >= 3);
	assert_true(COUNT(h, stmt_teacher_editions, DBP_TEXT("docent@go-opleidingen.demo"),
	                  DBP_INT(now), DBP_INT(0), ) >= 10);
}

/* ---- points -------------------------------------------------------------------------- */

static int64_t pair(struct dbh *h, struct db_stmt *stmt, int64_t *second)
{
	int64_t n = -1;
	int rc = db_query_row(h->db, stmt, (const struct db_param[]){DBP_END},
	                      (const struct db_col[]){DBC_INT(&n), DBC_INT(second), DBC_END},
	                      h->arena);
	if (rc)
		fail_msg("%s: %d %s", stmt->name, rc, db_errmsg(h->db));
	return n;
}

static void points_counts(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t completions = COUNT(h, stmt_pt_completions, ),
	        with_points = COUNT(h, stmt_pt_with_points, ),
	        ledger = COUNT(h, stmt_pt_ledger_originals, ),
	        certificates = COUNT(h, stmt_pt_certificates, );
	printf("# completions %lld (%lld with points), ledger rows %lld, certificates %lld,"
	       " claims %u, reversals %u\n",
	       (long long)completions, (long long)with_points, (long long)ledger,
	       (long long)certificates, main_result.claims, main_result.reversals);
	/* every completed enrolment recorded once, by its enrolment's key */
	assert_int_equal(COUNT(h, stmt_pt_demo_completions, ),
	                 COUNT(h, stmt_pt_completed_enrolments, ));
	assert_int_equal(main_result.completions, COUNT(h, stmt_pt_demo_completions, ));
	assert_in_range(completions, 40000, 120000);
	assert_true(with_points * 100 > completions * 50);
	assert_int_equal(ledger, with_points);
	assert_int_equal(certificates, main_result.certificates);
	/* points in each of the three years */
	time_t t = (time_t)demo_now;
	struct tm tm;
	gmtime_r(&t, &tm);
	assert_int_equal(COUNT(h, stmt_pt_ledger_years, DBP_INT(tm.tm_year + 1900 - 2), ), 3);
	/* every ledger row queued a diploma evaluation; the demo ran the rules
	 * instead, so no job is left and no e-mail waits */
	assert_int_equal(COUNT(h, stmt_pt_jobs, ), ledger);
	assert_int_equal(COUNT(h, stmt_pt_jobs_open, ), 0);
	assert_int_equal(COUNT(h, stmt_pt_outbox_unsent, ), 0);
	assert_int_equal(COUNT(h, stmt_pt_diplomas, ), main_result.diplomas);
	assert_true(main_result.diplomas > 1000);
}

static void points_match_recomputation(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t bad = -1, groups = pair(h, &stmt_pt_recompute, &bad);
	printf("# ledger per person, year and kind: %lld groups, %lld differ from the evidence\n",
	       (long long)groups, (long long)bad);
	assert_true(groups > 10000);
	assert_int_equal(bad, 0);
}

static void points_certificates_and_recognition(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	assert_int_equal(COUNT(h, stmt_pt_certificate_missing, ), 0);
	assert_int_equal(COUNT(h, stmt_pt_certificate_bad_revocation, ), 0);
	/* no points for a module that was not recognised on the day */
	assert_int_equal(COUNT(h, stmt_pt_unrecognised_ledger, ), 0);
	assert_true(COUNT(h, stmt_pt_unrecognised_without_points, ) > 1000);
	int64_t bad = -1, reversals = pair(h, &stmt_pt_reversals, &bad);
	assert_int_equal(reversals, main_result.reversals);
	assert_in_range(reversals, 10, 300);
	assert_int_equal(bad, 0);
}

static void points_claims(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	static const char *const kinds[] = {"external", "evc"};
	static const char *const states[] = {"submitted", "approved", "refused", "withdrawn"};
	for (size_t k = 0; k < 2; k++)
		for (size_t s = 0; s < 4; s++) {
			int64_t n = COUNT(h, stmt_pt_claims, DBP_TEXT(kinds[k]), DBP_TEXT(states[s]), );
			if (n < 3)
				fail_msg("%s claims %s: %lld", kinds[k], states[s], (long long)n);
		}
	assert_int_equal(COUNT(h, stmt_pt_claims_bad, ), 0);
	assert_int_equal(COUNT(h, stmt_pt_claims_wrong_decider, ), 0);
	assert_int_equal(COUNT(h, stmt_pt_claim_files_missing, ), 0);
	/* work in the demo manager's inbox */
	assert_true(COUNT(h, stmt_pt_open_at, DBP_TEXT("bibliotheek-utrecht"), ) >= 3);
}

static void points_norms(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	time_t t = (time_t)demo_now;
	struct tm tm;
	gmtime_r(&t, &tm);
	int year = tm.tm_year + 1900;
	for (int y = year - 2; y <= year; y++)
		assert_int_equal(COUNT(h, stmt_pt_sector_norm, DBP_INT(y), ), 2);
	assert_int_equal(COUNT(h, stmt_pt_norm_not_higher, ), 0);
	assert_in_range(COUNT(h, stmt_pt_norm_libraries, DBP_INT(year), ), 3, 30);
	/* Utrecht's employees on every side of the norm: nothing yet, part of it, met */
	assert_true(COUNT(h, stmt_pt_utrecht_norm_band, DBP_INT(year), DBP_INT(0), DBP_INT(1), ) >= 5);
	assert_true(COUNT(h, stmt_pt_utrecht_norm_band, DBP_INT(year), DBP_INT(1), DBP_INT(500), ) >=
	            5);
	assert_true(COUNT(h, stmt_pt_utrecht_norm_band, DBP_INT(year), DBP_INT(500), DBP_INT(1000), ) >=
	            5);
	assert_true(COUNT(h, stmt_pt_utrecht_norm_band, DBP_INT(year), DBP_INT(1000),
	                  DBP_INT(1000000), ) >= 5);
}

static void points_demo_logins(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	const char *emp = "medewerker@bibliotheek-utrecht.demo",
	           *vol = "vrijwilliger@bibliotheek-utrecht.demo";
	assert_int_equal(COUNT(h, stmt_pt_login_years, DBP_TEXT(emp), ), 3);
	assert_true(COUNT(h, stmt_pt_login_certificates, DBP_TEXT(emp), ) >= 3);
	assert_true(COUNT(h, stmt_pt_login_pe, DBP_TEXT(emp), ) >= 500);
	assert_true(COUNT(h, stmt_pt_login_years, DBP_TEXT(vol), ) >= 1);
	assert_true(COUNT(h, stmt_pt_login_pe, DBP_TEXT(vol), ) > 0);
}

static void second_build_refused(void **state)
{
	(void)state;
	struct dbh *h = &main_db;
	int64_t orgs = COUNT(h, stmt_count_orgs, ), people = COUNT(h, stmt_count_people, ),
	        members = COUNT(h, stmt_count_members, ), audit = COUNT(h, stmt_audit_demo, );
	struct demo_result r;
	assert_int_equal(demo_build(&h->ctx, SEED, &r), CAMPUS_ECONFLICT);
	assert_int_equal(demo_build(&h->ctx, 99, &r), CAMPUS_ECONFLICT);
	assert_int_equal(r.people, 0);
	assert_int_equal(r.nlogins, 0);
	assert_int_equal(demo_build_scaled(&h->ctx, SEED, 0, &r), CAMPUS_EINVAL);
	assert_int_equal(COUNT(h, stmt_count_orgs, ), orgs);
	assert_int_equal(COUNT(h, stmt_count_people, ), people);
	assert_int_equal(COUNT(h, stmt_count_members, ), members);
	assert_int_equal(COUNT(h, stmt_audit_demo, ), audit);
	assert_int_equal(email_hash(h, NULL, NULL), main_hash);
}

/* ---- determinism (last: on PostgreSQL it empties the database again) ------------ */

static uint64_t build_elsewhere(unsigned long seed, unsigned permille, unsigned *people,
                                uint64_t *catalog)
{
	struct dbh h = {0};
	if (pg) /* the same database: let go of it first */
		close_db(&main_db);
	open_fresh(1, &h);
	struct demo_result r;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = demo_build_scaled(&h.ctx, seed, permille, &r);
	if (rc)
		fail_msg("demo_build seed %lu: %d %s", seed, rc, db_errmsg(h.db));
	printf("# demo_build seed %lu at %u/1000: %u people in %.1f s\n", seed, permille, r.people,
	       seconds_since(&t0));
	/* its result tells the truth too (with CAMPUS_TEST_DEMO_BUILT the only
	 * result of demo_build this test sees in full) */
	assert_int_equal(r.organisations, COUNT(&h, stmt_count_orgs, ));
	assert_int_equal(r.people, COUNT(&h, stmt_count_people, ));
	assert_int_equal(r.memberships, COUNT(&h, stmt_count_members, ));
	assert_int_equal(r.modules, COUNT(&h, stmt_count_modules, ));
	assert_int_equal(r.local_modules, COUNT(&h, stmt_count_local_modules, ));
	assert_int_equal(r.reviews, COUNT(&h, stmt_count_reviews, ));
	assert_int_equal(r.editions, COUNT(&h, stmt_count_editions, ));
	assert_int_equal(r.enrolments, COUNT(&h, stmt_count_enrolments, ));
	result_logins_right(&r, true);
	uint64_t hash = email_hash(&h, NULL, NULL);
	*people = r.people;
	*catalog = catalog_hash(&h);
	close_db(&h);
	return hash;
}

/* Determinism on the small sector (the same code as the full one, which
 * the group set-up builds once: building 30,000 people twice more took
 * minutes on PostgreSQL for no further certainty). */
static void same_seed_same_people(void **state)
{
	(void)state;
	/* The generator does not depend on the database, and three more builds
	 * took minutes on PostgreSQL: SQLite checks it. */
	if (pg)
		skip();
	unsigned p1 = 0, p2 = 0, p3 = 0;
	uint64_t c1 = 0, c2 = 0, c3 = 0;
	uint64_t s1 = build_elsewhere(SEED, 50, &p1, &c1), s2 = build_elsewhere(SEED, 50, &p2, &c2);
	assert_int_equal(p1, p2);
	assert_true(s1 == s2);
	assert_true(c1 == c2); /* the same catalogue and enrolments too */
	assert_in_range(p1, 1000, 2500);
	uint64_t s3 = build_elsewhere(SEED + 1, 50, &p3, &c3);
	assert_true(s3 != s1);
	assert_true(c3 != c1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts_in_range),
	    cmocka_unit_test(every_library_has_managers),
	    cmocka_unit_test(organisations_look_right),
	    cmocka_unit_test(demo_logins),
	    cmocka_unit_test(emails_unique_and_lower_case),
	    cmocka_unit_test(settings_and_audit),
	    cmocka_unit_test(catalogue_counts),
	    cmocka_unit_test(catalogue_texts),
	    cmocka_unit_test(catalogue_taxonomy),
	    cmocka_unit_test(catalogue_reviews),
	    cmocka_unit_test(catalogue_recognition),
	    cmocka_unit_test(catalogue_modules_valid),
	    cmocka_unit_test(enrolment_counts),
	    cmocka_unit_test(enrolment_invariants),
	    cmocka_unit_test(editions_look_right),
	    cmocka_unit_test(demo_logins_have_enrolments),
	    cmocka_unit_test(points_counts),
	    cmocka_unit_test(points_match_recomputation),
	    cmocka_unit_test(points_certificates_and_recognition),
	    cmocka_unit_test(points_claims),
	    cmocka_unit_test(points_norms),
	    cmocka_unit_test(points_demo_logins),
	    cmocka_unit_test(catalogue_reviews_carry_on),
	    cmocka_unit_test(second_build_refused),
	    cmocka_unit_test(same_seed_same_people),
	};
	return cmocka_run_group_tests_name("demo", tests, group_setup, group_teardown);
}
