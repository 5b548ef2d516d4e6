/* /theme.css: the organisation's colours as CSS custom properties, so
 * branding needs no inline style (our CSP forbids it). */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/ctx.h"
#include "domain/settings.h"
#include "http/headers.h"
#include "http/req.h"
#include "web/web.h"

int reply_theme_css(struct req *r, const char *color)
{
	buf_printf(&r->body, ":root {\n  --campus-brand-color: %s;\n}\n", color);
	if (r->body.overflow)
		return CAMPUS_ETOOBIG;
	/* Revalidated on every page: a changed colour shows at once, an unchanged
	 * one costs a 304 of a few bytes. */
	char *etag = arena_printf(r->arena, "\"%.7s\"", color + 1);
	req_add_header(r, "Cache-Control", "no-cache");
	req_add_header(r, "ETag", etag);
	r->content_type = "text/css; charset=utf-8";
	const char *inm = req_header(r, "If-None-Match");
	if (etag && inm && http_etag_match(inm, etag)) {
		buf_clear(&r->body);
		r->status = 304;
		return 0;
	}
	r->status = 200;
	return 0;
}

int page_theme_css(struct req *r)
{
	struct ctx ctx;
	ctx_init_for_request(&ctx, req_db(r), r->arena);
	const char *color;
	int rc = settings_get(&ctx, SETTING_BRAND_COLOR, &color);
	if (rc)
		return rc;
	return reply_theme_css(r, color);
}
