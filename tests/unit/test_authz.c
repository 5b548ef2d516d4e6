/* The authorization matrix: every route's policy is pinned here, and every
 * policy is walked with every kind of actor, in their own organisation and in
 * another one. A new route fails this test until it has its row. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "domain/authz.h"
#include "domain/ctx.h"
#include "http/router.h"
#include "web/web.h"

static const struct {
	const char *route;
	enum authz_policy policy;
} pinned[] = {
    {"home", AZ_PUBLIC},          {"accessibility", AZ_PUBLIC},
    {"language", AZ_PUBLIC},      {"login_form", AZ_PUBLIC},
    {"login", AZ_PUBLIC},
    {"forgot_form", AZ_PUBLIC},   {"forgot", AZ_PUBLIC},
    {"reset_form", AZ_PUBLIC},    {"reset", AZ_PUBLIC},
    {"invite_form", AZ_PUBLIC},   {"invite", AZ_PUBLIC},         {"logout", AZ_PUBLIC},
    {"login_code_form", AZ_PUBLIC}, {"login_code", AZ_PUBLIC}, /* the handler wants a pending session */
    {"totp", AZ_PERSON},          {"totp_confirm", AZ_PERSON},   {"totp_disable", AZ_PERSON},
    {"me", AZ_PERSON},            {"switch_org", AZ_PERSON},
    {"profile_update", AZ_PERSON}, {"password_change", AZ_PERSON},
    {"org_home", AZ_PUBLIC},      {"org_home_dir", AZ_PUBLIC},      {"org_theme", AZ_PUBLIC},
    {"org_logo", AZ_PUBLIC},      {"org_settings", AZ_ORG_MANAGER},
    {"members", AZ_ORG_MANAGER},  {"member_new", AZ_ORG_MANAGER},
    {"member", AZ_ORG_MANAGER},   {"member_roles", AZ_ORG_MANAGER},
    {"member_end", AZ_ORG_MANAGER},  {"member_import", AZ_ORG_MANAGER},
    {"member_import_confirm", AZ_ORG_MANAGER},  {"admin_orgs", AZ_CAMPUS_ADMIN},
    {"admin_people", AZ_CAMPUS_ADMIN}, {"admin_org_new", AZ_CAMPUS_ADMIN},
    {"template_preview", AZ_PUBLIC}, {"theme", AZ_PUBLIC},
    {"static", AZ_PUBLIC},        {"healthz", AZ_PUBLIC},
    {"metrics", AZ_PUBLIC},       /* the handler itself admits loopback only */
    {"module", AZ_PUBLIC},        {"module_image", AZ_PUBLIC}, /* the handler checks visibility */
    {"offering", AZ_ORG_OFFERING}, {"offering_new", AZ_ORG_OFFERING},
    {"offering_edit", AZ_ORG_OFFERING}, {"offering_publish", AZ_ORG_OFFERING},
    {"offering_image", AZ_ORG_OFFERING}, {"taxonomy", AZ_CAMPUS_ADMIN},
    {"api_openapi", AZ_PUBLIC},   {"api_taxonomy", AZ_PUBLIC},
    {"api_provider_modules", AZ_API_READ}, {"api_provider_module_create", AZ_API_WRITE},
    {"api_provider_module", AZ_API_READ},  {"api_provider_module_update", AZ_API_WRITE},
    {"api_provider_module_publish", AZ_API_WRITE},
    {"api_tokens", AZ_ORG_OFFERING}, {"api_token_revoke", AZ_ORG_OFFERING},
    {"criteria", AZ_PUBLIC},      {"admin_criteria", AZ_CAMPUS_ADMIN},
    {"api_status", AZ_PUBLIC},    {"api_template_render", AZ_PUBLIC},
    /* account self-service, recovery codes, import progress */
    {"totp_recovery", AZ_PERSON}, {"email_change", AZ_PERSON},
    {"email_confirm_form", AZ_PUBLIC}, {"email_confirm", AZ_PUBLIC}, /* the link's token decides */
    {"admin_totp_reset", AZ_CAMPUS_ADMIN},
    {"member_import_progress", AZ_ORG_MANAGER}, {"member_import_result", AZ_ORG_MANAGER},
    {"module_review", AZ_ORG_OFFERING}, {"module_review_submit", AZ_ORG_OFFERING},
    {"module_review_withdraw", AZ_ORG_OFFERING}, {"committee", AZ_COMMITTEE},
    {"committee_review", AZ_COMMITTEE}, {"committee_check", AZ_COMMITTEE},
    {"committee_assign", AZ_COMMITTEE}, {"committee_score", AZ_COMMITTEE},
    {"committee_decide", AZ_COMMITTEE}, {"committee_providers", AZ_COMMITTEE},
    {"register", AZ_PUBLIC},      {"register_csv", AZ_PUBLIC},
    {"catalog", AZ_PUBLIC},       {"org_catalog", AZ_PUBLIC},      {"api_modules", AZ_PUBLIC},
    /* notifications and the calendar feed (the feed's token decides) */
    {"notifications", AZ_PERSON}, {"notifications_read", AZ_PERSON},
    {"agenda", AZ_PERSON},        {"agenda_feed", AZ_PUBLIC},
    {"edition", AZ_PUBLIC},       {"edition_seats", AZ_PUBLIC},    {"edition_enrol", AZ_PERSON},
    {"learning", AZ_PERSON},      {"learning_cancel", AZ_PERSON},  {"learning_offer", AZ_PERSON},
    /* the library manager's side of enrolment */
    {"manager_approvals", AZ_ORG_MANAGER}, {"manager_decide", AZ_ORG_MANAGER},
    {"manager_team", AZ_ORG_MANAGER},      {"manager_enrol", AZ_ORG_MANAGER},
    {"manager_enrolment", AZ_ORG_MANAGER}, {"manager_cancel", AZ_ORG_MANAGER},
    {"manager_move", AZ_ORG_MANAGER},      {"manager_reserve", AZ_ORG_MANAGER},
    {"manager_budgets", AZ_ORG_MANAGER},   {"manager_budgets_csv", AZ_ORG_MANAGER},
    /* planning: the provider's editions; teachers reach only what they teach (handlers) */
    {"planning", AZ_ORG_TEACHING}, {"edition_new", AZ_ORG_OFFERING},
    {"edition_edit", AZ_ORG_OFFERING}, {"edition_cancel", AZ_ORG_OFFERING},
    {"edition_participants", AZ_ORG_TEACHING}, {"edition_participants_csv", AZ_ORG_TEACHING},
    {"edition_participants_xlsx", AZ_ORG_TEACHING}, {"edition_attendance", AZ_ORG_TEACHING},
    {"edition_attendance_csv", AZ_ORG_TEACHING}, {"edition_results", AZ_ORG_TEACHING},
    {"meeting_qr", AZ_ORG_TEACHING}, {"checkin", AZ_PERSON}, /* the token decides */
    {"api_provider_editions", AZ_API_READ}, {"api_provider_edition_create", AZ_API_WRITE},
    {"api_provider_edition", AZ_API_READ}, {"api_provider_edition_update", AZ_API_WRITE},
    {"api_provider_edition_participants", AZ_API_READ},
    {"api_provider_edition_attendance", AZ_API_WRITE},
    {"api_provider_edition_results", AZ_API_WRITE},
    /* diplomas: the rules and revocation are campus administrators' */
    {"admin_diplomas", AZ_CAMPUS_ADMIN}, {"admin_diploma_new", AZ_CAMPUS_ADMIN},
    {"admin_diploma", AZ_CAMPUS_ADMIN}, {"admin_diploma_revoke", AZ_CAMPUS_ADMIN},
    {"admin_points", AZ_CAMPUS_ADMIN}, {"admin_points_reverse", AZ_CAMPUS_ADMIN},
    {"my_credentials", AZ_PERSON},   {"my_credential_pdf", AZ_PERSON},
    {"my_credential_badge", AZ_PERSON}, {"verify_form", AZ_PUBLIC},
    {"verify", AZ_PUBLIC},           {"issuer", AZ_PUBLIC},
    {"jwks", AZ_PUBLIC},             {"admin_credential_revoke", AZ_CAMPUS_ADMIN},
    {"admin_norm", AZ_CAMPUS_ADMIN},
    {"admin_norm_report", AZ_CAMPUS_ADMIN},
    {"org_norm", AZ_ORG_MANAGER},
    {"org_norm_csv", AZ_ORG_MANAGER},
    /* claims: the learner's own (handlers), a library's managers, the committee */
    {"claims", AZ_PERSON}, {"claim_new", AZ_PERSON}, {"claim", AZ_PERSON},
    {"claim_file", AZ_PERSON}, {"claim_withdraw", AZ_PERSON},
    {"manager_claims", AZ_ORG_MANAGER}, {"manager_claim", AZ_ORG_MANAGER},
    {"committee_claims", AZ_COMMITTEE}, {"committee_claim", AZ_COMMITTEE},
    /* provider push of completions (results CSV, the completions API) */
    {"edition_results_csv", AZ_ORG_TEACHING},
    {"api_provider_completions", AZ_API_READ}, {"api_provider_completions_push", AZ_API_WRITE},
    /* the study dossier; a manager's view is limited by progress_window (handler) */
    {"dossier", AZ_PERSON}, {"dossier_json", AZ_PERSON}, {"dossier_pdf", AZ_PERSON},
    {"team_dossier", AZ_ORG_MANAGER},
};

enum { LIB_A = 10, LIB_B = 11, PROVIDER = 20, CAMPUS = 1 };

static const struct {
	const char *who;
	struct actor actor;
} actors[] = {
    {"anonymous", {0, 0, 0, 0}},
    {"volunteer of A", {101, LIB_A, ROLE_LEARNER, 0}},
    {"manager of A", {102, LIB_A, ROLE_LEARNER | ROLE_MANAGER, 0}},
    {"provider administrator", {103, PROVIDER, ROLE_PROVIDER_ADMIN, 0}},
    {"teacher", {104, PROVIDER, ROLE_TEACHER, 0}},
    {"committee member", {105, CAMPUS, ROLE_COMMITTEE, 0}},
    {"campus administrator", {106, CAMPUS, ROLE_CAMPUS_ADMIN, 0}},
    /* The same manager after switching to B, where they only volunteer. */
    {"manager of A, working in B", {102, LIB_B, ROLE_LEARNER, 0}},
};
#define NACTORS (sizeof actors / sizeof actors[0])

/* Expected outcome per policy and actor, for the actor's own organisation
 * (A for the first columns) and for another library (B): 'y' allowed,
 * 'l' log in first (401/redirect), 'n' forbidden. Columns follow actors[]. */
static const struct {
	enum authz_policy policy;
	const char *own;   /* resource in library A */
	const char *other; /* resource in library B */
} matrix[] = {
    {AZ_PUBLIC,       "yyyyyyyy", "yyyyyyyy"},
    {AZ_PERSON,       "lyyyyyyy", "lyyyyyyy"},
    {AZ_ORG_MANAGER,  "lnynnnyn", "lnnnnnyn"},
    {AZ_CAMPUS_ADMIN, "lnnnnnyn", "lnnnnnyn"},
    {AZ_ORG_OFFERING, "lnynnnyn", "lnnnnnyn"},
    {AZ_COMMITTEE,    "lnnnnyyn", "lnnnnyyn"},
    {AZ_API_READ,     "llllllll", "llllllll"},
    {AZ_API_WRITE,    "llllllll", "llllllll"},
    {AZ_ORG_TEACHING, "lnynnnyn", "lnnnnnyn"},
};

static void every_route_is_pinned(void **state)
{
	(void)state;
	int missing = 0;
	for (size_t i = 0; i < web_routes_count; i++) {
		const struct route *rt = &web_routes[i];
		size_t k = 0;
		while (k < sizeof pinned / sizeof pinned[0] && strcmp(pinned[k].route, rt->name) != 0)
			k++;
		if (k == sizeof pinned / sizeof pinned[0]) {
			print_error("route %s (%s) has no row in tests/unit/test_authz.c\n", rt->name,
			            rt->pattern);
			missing++;
		} else if ((enum authz_policy)rt->policy != pinned[k].policy) {
			print_error("route %s: policy %s, the test expects %s\n", rt->name,
			            authz_policy_name((enum authz_policy)rt->policy),
			            authz_policy_name(pinned[k].policy));
			missing++;
		}
	}
	for (size_t k = 0; k < sizeof pinned / sizeof pinned[0]; k++) {
		size_t i = 0;
		while (i < web_routes_count && strcmp(web_routes[i].name, pinned[k].route) != 0)
			i++;
		if (i == web_routes_count) {
			print_error("the test names route %s, which does not exist\n", pinned[k].route);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

static char outcome(int rc)
{
	return rc == 0 ? 'y' : rc == CAMPUS_EUNAUTH ? 'l' : rc == CAMPUS_EFORBIDDEN ? 'n' : '?';
}

static void every_route_with_every_actor(void **state)
{
	(void)state;
	int wrong = 0, checked = 0;
	for (size_t i = 0; i < web_routes_count; i++) {
		const struct route *rt = &web_routes[i];
		size_t m = 0;
		while (m < sizeof matrix / sizeof matrix[0] && matrix[m].policy != (enum authz_policy)rt->policy)
			m++;
		assert_true(m < sizeof matrix / sizeof matrix[0]); /* every policy has a matrix row */
		for (size_t a = 0; a < NACTORS; a++) {
			char own = outcome(authz_check(&actors[a].actor, (enum authz_policy)rt->policy, LIB_A));
			char other = outcome(authz_check(&actors[a].actor, (enum authz_policy)rt->policy, LIB_B));
			checked += 2;
			if (own != matrix[m].own[a] || other != matrix[m].other[a]) {
				print_error("route %s, %s: got %c/%c, expected %c/%c\n", rt->name, actors[a].who,
				            own, other, matrix[m].own[a], matrix[m].other[a]);
				wrong++;
			}
		}
	}
	assert_int_equal(wrong, 0);
	assert_true(checked >= 2 * (int)NACTORS * (int)web_routes_count);
}

static void system_actor_and_unknown_policy(void **state)
{
	(void)state;
	struct actor system = {0, 0, 0, ACTOR_SYSTEM};
	assert_int_equal(authz_check(&system, AZ_CAMPUS_ADMIN, LIB_B), 0);
	struct actor admin = {106, CAMPUS, ROLE_ALL, 0};
	assert_int_equal(authz_check(&admin, AZ_POLICY_COUNT, LIB_A), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&admin, (enum authz_policy)99, LIB_A), CAMPUS_EFORBIDDEN);
	/* A manager role without an organisation in question grants nothing. */
	struct actor manager = {102, LIB_A, ROLE_MANAGER, 0};
	assert_int_equal(authz_check(&manager, AZ_ORG_MANAGER, 0), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&manager, AZ_ORG_OFFERING, 0), CAMPUS_EFORBIDDEN);
	/* A provider's administrators manage its offering, and only theirs. */
	struct actor provider = {103, PROVIDER, ROLE_PROVIDER_ADMIN, 0};
	assert_int_equal(authz_check(&provider, AZ_ORG_OFFERING, PROVIDER), 0);
	assert_int_equal(authz_check(&provider, AZ_ORG_OFFERING, PROVIDER + 1), CAMPUS_EFORBIDDEN);
	/* A token: only API routes, only with its scope; never as its maker. */
	struct actor reader = {103, PROVIDER, ROLE_PROVIDER_ADMIN, ACTOR_API | ACTOR_API_READ};
	assert_int_equal(authz_check(&reader, AZ_API_READ, 0), 0);
	assert_int_equal(authz_check(&reader, AZ_API_WRITE, 0), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&reader, AZ_PUBLIC, 0), 0);
	assert_int_equal(authz_check(&reader, AZ_PERSON, 0), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&reader, AZ_ORG_OFFERING, PROVIDER), CAMPUS_EFORBIDDEN);
	struct actor writer = {103, PROVIDER, ROLE_PROVIDER_ADMIN, ACTOR_API | ACTOR_API_READ | ACTOR_API_WRITE};
	assert_int_equal(authz_check(&writer, AZ_API_WRITE, 0), 0);
	assert_int_equal(authz_check(&writer, AZ_CAMPUS_ADMIN, 0), CAMPUS_EFORBIDDEN);
	struct actor teacher = {104, PROVIDER, ROLE_TEACHER, 0};
	assert_int_equal(authz_check(&teacher, AZ_ORG_OFFERING, PROVIDER), CAMPUS_EFORBIDDEN);
	/* Teachers run their provider's editions (attendance, results), and only there. */
	assert_int_equal(authz_check(&teacher, AZ_ORG_TEACHING, PROVIDER), 0);
	assert_int_equal(authz_check(&teacher, AZ_ORG_TEACHING, PROVIDER + 1), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&provider, AZ_ORG_TEACHING, PROVIDER), 0);
	assert_int_equal(authz_check(&provider, AZ_ORG_TEACHING, PROVIDER + 1), CAMPUS_EFORBIDDEN);
	struct actor learner = {107, PROVIDER, ROLE_LEARNER, 0};
	assert_int_equal(authz_check(&learner, AZ_ORG_TEACHING, PROVIDER), CAMPUS_EFORBIDDEN);
	assert_int_equal(authz_check(&reader, AZ_ORG_TEACHING, PROVIDER), CAMPUS_EFORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_route_is_pinned),
	    cmocka_unit_test(every_route_with_every_actor),
	    cmocka_unit_test(system_actor_and_unknown_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
