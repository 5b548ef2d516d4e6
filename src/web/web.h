/* The web layer: every route Campus answers, in one static table. */
#ifndef CAMPUS_WEB_WEB_H
#define CAMPUS_WEB_WEB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

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
/* Where a log-in goes when the session still waits for its second factor. */
const char *second_factor_location(struct req *r, int state, const char *back);
int page_me(struct req *r);
int page_switch_org(struct req *r);
int page_profile_update(struct req *r);
int page_password_change(struct req *r);
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
int page_member(struct req *r);
int page_member_roles(struct req *r);
int page_member_end(struct req *r);
int page_admin_orgs(struct req *r);
int page_admin_people(struct req *r);
int page_admin_org_new(struct req *r);
int ops_healthz(struct req *r);
int ops_metrics(struct req *r);
int api_status(struct req *r);
int api_template_render(struct req *r);
/* The offering: search and filters (pages/catalog.c). */
int page_catalog(struct req *r);
int page_org_catalog(struct req *r);
int api_modules(struct req *r);

/* ?pagina=N (1 when absent); CAMPUS_EINVAL when malformed. */
int page_param(struct req *r, unsigned *page);
/* {page, pages, total, prev, next} with links that keep the query parameters named in keep. */
json_t *pager_json(struct req *r, const char *path, const char *const *keep, unsigned page,
                   unsigned per_page, int64_t total);

struct buf;
/* Render a template given as text (plain Mustache) with partials {name: text}. */
int template_tool_render(const char *src, size_t len, const json_t *data, const json_t *partials,
                         struct buf *out, struct buf *err);

#endif
