/* /theme.css: the organisation's colours as CSS custom properties, so
 * branding needs no inline style (our CSP forbids it). */
#include "core/buf.h"
#include "core/err.h"
#include "domain/ctx.h"
#include "domain/settings.h"
#include "http/req.h"
#include "web/web.h"

int page_theme_css(struct req *r)
{
	struct ctx ctx;
	ctx_init_for_request(&ctx, req_db(r), r->arena);
	const char *color;
	int rc = settings_get(&ctx, SETTING_BRAND_COLOR, &color);
	if (rc)
		return rc;
	struct buf *b = &r->body;
	buf_printf(b, ":root {\n  --campus-brand-color: %s;\n}\n", color);
	r->status = 200;
	r->content_type = "text/css; charset=utf-8";
	req_add_header(r, "Cache-Control", "public, max-age=300");
	return b->overflow ? CAMPUS_ETOOBIG : 0;
}
