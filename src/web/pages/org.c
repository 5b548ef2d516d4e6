/* A library's own environment: its front page, theme and logo (public), and
 * its settings (branding for its managers, details for campus administrators). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"
#include "domain/people.h"
#include "domain/settings.h"
#include "http/headers.h"
#include "http/req.h"
#include "web/web.h"

int page_org_home(struct req *r)
{
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:b}", "org_name", r->org.name, "org_slug",
	                         r->org.slug, "place", r->org.place, "province", r->org.province,
	                         "member", r->actor.person_id && r->actor.org_id == r->org.id);
	if (r->actor.person_id && r->actor.org_id == r->org.id && (r->actor.roles & ROLE_MANAGER)) {
		json_object_set_new(data, "manager", json_true());
		json_object_set_new(data, "waiting",
		                    json_integer((json_int_t)manager_waiting_count(r, r->org.id)));
	}
	return reply_page(r, 200, "organisatie", data);
}

int page_org_theme(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *color = r->org.brand_color;
	if (!color && settings_get(&ctx, SETTING_BRAND_COLOR, &color) != 0)
		color = "#00689e";
	return reply_theme_css(r, color);
}

int page_org_logo(struct req *r)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	const unsigned char *data;
	size_t len;
	const char *type;
	int64_t updated;
	int rc = org_logo(&ctx, r->org.slug, &data, &len, &type, &updated);
	if (rc)
		return rc;
	char *etag = arena_printf(r->arena, "\"logo-%lld-%zu\"", (long long)updated, len);
	req_add_header(r, "ETag", etag);
	/* Revalidated every time: a new logo shows at once, and an unchanged one
	 * costs a 304. */
	req_add_header(r, "Cache-Control", "no-cache");
	const char *inm = req_header(r, "If-None-Match");
	r->content_type = type;
	if (inm && etag && http_etag_match(inm, etag)) {
		r->status = 304;
		return 0;
	}
	r->status = 200;
	return buf_append(&r->body, data, len);
}

static int render_settings(struct req *r, unsigned status, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	bool admin = (r->actor.roles & ROLE_CAMPUS_ADMIN) != 0;
	char payroll[32];
	int64_t cents = admin ? org_payroll(&ctx, r->org.id) : 0;
	snprintf(payroll, sizeof payroll, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:[{s:s, s:s}]}", "org_name",
	                         r->org.name, "org_slug", r->org.slug, "place", r->org.place,
	                         "province", r->org.province, "color",
	                         r->org.brand_color ? r->org.brand_color : "", "payroll", payroll,
	                         "admin", admin, "name", r->org.name, "breadcrumb", "href", "/mijn",
	                         "label", req_tr(r, "Mijn Campus"));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	return reply_page(r, status, "organisatie-instellingen", data);
}

int page_org_settings(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_settings(r, 200, NULL);
	struct ctx ctx;
	req_ctx(r, &ctx);
	const char *why = NULL;
	unsigned char *logo = NULL;
	size_t logo_len = 0;
	int rc = form_file_read(r, "logo", LOGO_MAX_BYTES, &logo, &logo_len);
	if (rc == CAMPUS_ETOOBIG)
		why = N_("Het logo moet een PNG- of JPEG-afbeelding zijn van hoogstens 512 kB en 4000 pixels breed en hoog.");
	else if (rc)
		return rc;
	rc = why ? CAMPUS_EINVAL : 0;
	if (!rc && (r->actor.roles & ROLE_CAMPUS_ADMIN)) {
		int64_t cents = 0;
		const char *payroll = req_form(r, "loonsom");
		if (payroll && *payroll && !euros_parse(payroll, &cents)) {
			why = N_("Schrijf de loonsom als een bedrag in euro, bijvoorbeeld 1250000,00.");
			rc = CAMPUS_EINVAL;
		} else {
			rc = org_set_details(&ctx, r->org.id, req_form(r, "naam"), req_form(r, "plaats"),
			                     req_form(r, "provincie"), cents, &why);
		}
	}
	/* Details and branding are two steps; a refused logo after saved details
	 * is reported, and the details stay saved (each step is whole on its own). */
	if (!rc)
		rc = org_set_branding(&ctx, r->org.id, req_form(r, "kleur"), logo, logo_len, &why);
	if (why) {
		r->error = rc;
		return render_settings(r, 400, req_tr(r, why));
	}
	if (rc)
		return rc;
	req_flash(r, "instellingen");
	const char *to = arena_printf(r->arena, "/b/%s/instellingen", r->org.slug);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}
