/* The web layer: every route Campus answers, in one static table. */
#ifndef CAMPUS_WEB_WEB_H
#define CAMPUS_WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/when.h"
#include "http/router.h"

struct req;

extern const struct route web_routes[];
extern const size_t web_routes_count;

/* Handlers, one file per area. */
int page_home(struct req *r);
int page_accessibility(struct req *r);
int page_language(struct req *r);
int page_theme_css(struct req *r);
int page_template_preview(struct req *r);
int page_login_form(struct req *r);
int page_login(struct req *r);
int page_logout(struct req *r);
int page_forgot_form(struct req *r);
int page_forgot(struct req *r);
int page_reset_form(struct req *r);
int page_reset(struct req *r);
int page_invite_form(struct req *r);
int page_invite(struct req *r);
int page_login_code_form(struct req *r);
int page_login_code(struct req *r);
int page_totp(struct req *r);
int page_totp_confirm(struct req *r);
int page_totp_disable(struct req *r);
int page_totp_recovery(struct req *r);
/* Where a log-in goes when the session still waits for its second factor. */
const char *second_factor_location(struct req *r, int state, const char *back);
int page_me(struct req *r);
int page_switch_org(struct req *r);
int page_profile_update(struct req *r);
int page_password_change(struct req *r);
int page_email_change(struct req *r);
int page_email_confirm_form(struct req *r);
int page_email_confirm(struct req *r);
int page_members(struct req *r);
int page_org_home(struct req *r);
int page_org_theme(struct req *r);
int page_org_logo(struct req *r);
int page_org_settings(struct req *r);
/* The theme stylesheet for a brand colour (#rrggbb), with ETag revalidation. */
int reply_theme_css(struct req *r, const char *color);
int page_member_new(struct req *r);
int page_member_import(struct req *r);
int page_member_import_confirm(struct req *r);
int page_member_import_progress(struct req *r);
int page_member_import_result(struct req *r);
/* Waits for background member imports to finish (before the pool closes). */
void web_import_drain(void);
int page_member(struct req *r);
int page_member_roles(struct req *r);
int page_member_end(struct req *r);
int page_admin_orgs(struct req *r);
int page_admin_people(struct req *r);
int page_admin_org_new(struct req *r);
int page_module(struct req *r);
int page_module_image(struct req *r);
int page_offering(struct req *r);
int page_offering_new(struct req *r);
int page_offering_edit(struct req *r);
int page_offering_publish(struct req *r);
int page_offering_image(struct req *r);
int page_taxonomy(struct req *r);
int page_criteria(struct req *r);
int page_admin_criteria(struct req *r);
struct tax_entry;
/* The taxonomy (from taxonomy_list) as nested JSON: domains with "roles",
 * roles with "competencies"; node() makes each entry's object. */
json_t *taxonomy_tree_json(const struct tax_entry *all, size_t n,
                           json_t *(*node)(const struct tax_entry *e, void *cls), void *cls);
struct module;
/* A module's version as template data (src/web/pages/modules.c). */
json_t *module_json(struct req *r, const struct module *m);
/* The image of a module version (never cached: see modules.c). */
int reply_module_image(struct req *r, int64_t version_id);
int page_admin_totp_reset(struct req *r);
/* The review committee (src/web/pages/review.c). */
int page_module_review(struct req *r);
int page_module_review_submit(struct req *r);
int page_module_review_withdraw(struct req *r);
int page_committee(struct req *r);
int page_committee_review(struct req *r);
int page_committee_check(struct req *r);
int page_committee_assign(struct req *r);
int page_committee_score(struct req *r);
int page_committee_decide(struct req *r);
int page_committee_providers(struct req *r);
int page_register(struct req *r);
int page_register_csv(struct req *r);
int ops_healthz(struct req *r);
int ops_metrics(struct req *r);
int api_status(struct req *r);
int api_template_render(struct req *r);
int api_provider_modules(struct req *r);
int api_provider_module(struct req *r);
int api_provider_module_publish(struct req *r);
int api_taxonomy(struct req *r);
int api_openapi(struct req *r);
int page_api_tokens(struct req *r);
int page_api_token_revoke(struct req *r);
/* The offering: search and filters (pages/catalog.c). */
int page_catalog(struct req *r);
int page_org_catalog(struct req *r);
int api_modules(struct req *r);
/* The learner's side of enrolment (pages/learning.c). */
int page_edition(struct req *r);
int page_edition_seats(struct req *r);
int page_edition_enrol(struct req *r);
int page_learning(struct req *r);
int page_learning_cancel(struct req *r);
int page_learning_offer(struct req *r);
/* A module's editions for its public page: a list for the template. */
int module_editions_json(struct req *r, int64_t module_id, const char *format, json_t **out);
/* The library manager's side of enrolment (pages/manager.c, pages/budgets.c). */
int page_manager_approvals(struct req *r);
int page_manager_decide(struct req *r);
int page_manager_team(struct req *r);
int page_manager_enrol(struct req *r);
int page_manager_enrolment(struct req *r);
int page_manager_cancel(struct req *r);
int page_manager_move(struct req *r);
int page_manager_reserve(struct req *r);
int page_manager_budgets(struct req *r);
int page_manager_budgets_csv(struct req *r);
/* Requests waiting for the actor's decision in org_id (0 when unreadable). */
size_t manager_waiting_count(struct req *r, int64_t org_id);

/* ?pagina=N (1 when absent); CAMPUS_EINVAL when malformed. */
int page_param(struct req *r, unsigned *page);
/* path?k=v&...&param=page: the request's values of the parameters named in
 * keep (NULL-terminated; empty ones left out), param only past page 1, in
 * the request arena; path alone when it does not fit. */
const char *page_link(struct req *r, const char *path, const char *const *keep, const char *param,
                      unsigned page);
/* {page, pages, total, prev, next} with links that keep the query parameters
 * named in keep; past the last page {beyond, last} instead of prev and next. */
json_t *pager_json(struct req *r, const char *path, const char *const *keep, unsigned page,
                   unsigned per_page, int64_t total);
/* The same with links from link(cls, page), for a list whose links keep
 * more than single query parameters (/aanbod's facets). */
json_t *pager_json_links(unsigned page, unsigned per_page, int64_t total,
                         const char *(*link)(void *cls, unsigned page), void *cls);

/* Form input (src/web/input.c). */
/* "1250", "1250,50" or "1250.5" euro -> cents; false when malformed. */
bool euros_parse(const char *s, int64_t *cents);
/* The bytes of an uploaded file field, in the request arena; *data NULL when
 * none was chosen; CAMPUS_ETOOBIG over max. */
int form_file_read(struct req *r, const char *name, size_t max, unsigned char **data, size_t *len);
/* A repeated field of positive ids (checkboxes); CAMPUS_EINVAL for a
 * malformed one or more than max. */
int form_ids(struct req *r, const char *name, size_t max, int64_t **ids, size_t *n);
/* A positive id from the path parameter name; CAMPUS_ENOTFOUND otherwise. */
int path_id(struct req *r, const char *name, int64_t *id);
/* Tenths of a point as a page shows them ("2", "2,5"; tenths_format), in
 * the request arena; "" when it is full. */
const char *tenths_text(struct req *r, int64_t tenths);
/* A moment in the reader's language (when_text in the request's arena);
 * "" for 0. */
const char *req_when(struct req *r, int64_t t, enum when_style style);

/* Planning of editions (pages/planning.c), their participants, attendance
 * and results (pages/attendance.c), the API (api/editions.c). */
int page_planning(struct req *r);
int page_edition_new(struct req *r);
int page_edition_edit(struct req *r);
int page_edition_cancel(struct req *r);
int page_edition_participants(struct req *r);
int page_edition_participants_csv(struct req *r);
int page_edition_participants_xlsx(struct req *r);
int page_edition_attendance(struct req *r);
int page_edition_attendance_csv(struct req *r);
int page_edition_results(struct req *r);
int page_edition_results_csv(struct req *r);
int page_meeting_qr(struct req *r);
int page_checkin(struct req *r);
int api_provider_editions(struct req *r);
int api_provider_edition(struct req *r);
int api_provider_edition_participants(struct req *r);
int api_provider_edition_attendance(struct req *r);
int api_provider_edition_results(struct req *r);
int api_provider_completions(struct req *r);
struct edition;
/* The edition of the path's :id, of the route's organisation only (else
 * CAMPUS_ENOTFOUND), that the actor may manage (manage) or also teach
 * (else CAMPUS_EFORBIDDEN). */
int edition_of_path(struct req *r, bool manage, struct edition *e);

struct buf;
/* Render a template given as text (plain Mustache) with partials {name: text}. */
int template_tool_render(const char *src, size_t len, const json_t *data, const json_t *partials,
                         struct buf *out, struct buf *err);

/* Notifications and the calendar feed (pages/notify.c). */
int page_notifications(struct req *r);
int page_notifications_read(struct req *r);
int page_agenda(struct req *r);
int page_agenda_feed(struct req *r);

/* Diploma rules and issued diplomas (pages/diplomas.c). */
int page_admin_diplomas(struct req *r);
int page_admin_diploma_new(struct req *r);
int page_admin_diploma(struct req *r);
int page_admin_diploma_revoke(struct req *r);
/* points.c: a person's ledger for campus administrators. */
int page_admin_points(struct req *r);
int page_admin_points_reverse(struct req *r);
/* Certificates, diplomas and their verification (pages/credentials.c). */
int page_my_credentials(struct req *r);
int page_my_credential_pdf(struct req *r);
int page_my_credential_badge(struct req *r);
int page_verify_form(struct req *r);
int page_verify(struct req *r);
int page_issuer(struct req *r);
int page_jwks(struct req *r);
int page_admin_credential_revoke(struct req *r);
/* The annual PE norm (pages/norm.c). */
int page_admin_norm(struct req *r);
int page_admin_norm_report(struct req *r);
int page_org_norm(struct req *r);
int page_org_norm_csv(struct req *r);
/* Self-reported learning and EVC (pages/claims.c). */
int page_claims(struct req *r);
int page_claim_new(struct req *r);
int page_claim(struct req *r);
int page_claim_file(struct req *r);
int page_claim_withdraw(struct req *r);
int page_manager_claims(struct req *r);
int page_manager_claim(struct req *r);
int page_committee_claims(struct req *r);
int page_committee_claim(struct req *r);
/* The study dossier (pages/dossier.c). */
int page_dossier(struct req *r);
int page_dossier_json(struct req *r);
int page_dossier_pdf(struct req *r);
int page_team_dossier(struct req *r);

#endif
