/* API keys of an organisation (/b/<slug>/api-sleutels): its provider
 * administrators (or a library's managers) make keys for their own systems,
 * see when each was last used, and revoke them. A new key is shown once. */
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/apitoken.h"
#include "http/req.h"
#include "web/web.h"

static const char *when(struct req *r, int64_t t)
{
	if (!t)
		return req_tr(r, "nog niet");
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return "";
	return arena_printf(r->arena, "%02d-%02d-%04d %02d:%02d UTC", tm.tm_mday, tm.tm_mon + 1,
	                    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

static int render(struct req *r, unsigned status, const char *new_token, const char *error)
{
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct apitoken_row *rows;
	size_t n;
	int rc = apitoken_list(&ctx, r->org.id, &rows, &n);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)rows[i].id,
		                    "name", rows[i].name, "scopes", api_scopes_text(rows[i].scopes),
		                    "created", when(r, rows[i].created_at), "created_by",
		                    rows[i].created_by, "last_used", when(r, rows[i].last_used_at),
		                    "revoked", rows[i].revoked));
	const char *back = arena_printf(r->arena, "/b/%s/modules", r->org.slug);
	json_t *data = json_pack("{s:s, s:s, s:o, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name,
	                         "org_slug", r->org.slug, "tokens", list, "breadcrumb", "href", "/mijn",
	                         "label", req_tr(r, "Mijn Campus"), "href", back ? back : "/mijn",
	                         "label", req_tr(r, "Eigen aanbod"));
	if (new_token)
		json_object_set_new(data, "new_token", json_string(new_token));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	/* A new key must not linger in caches or history. */
	req_add_header(r, "Cache-Control", "no-store");
	return reply_page(r, status, "api-sleutels", data);
}

int page_api_tokens(struct req *r)
{
	if (r->method != HTTP_POST)
		return render(r, 200, NULL, NULL);
	unsigned scopes = 0;
	if (req_form(r, "lezen"))
		scopes |= API_SCOPE_MODULES_READ;
	if (req_form(r, "wijzigen"))
		scopes |= API_SCOPE_MODULES_WRITE;
	struct ctx ctx;
	req_ctx(r, &ctx);
	int64_t id;
	const char *token, *why;
	int rc = apitoken_create(&ctx, r->org.id, req_form(r, "naam"), scopes, &id, &token, &why);
	if (why) {
		r->error = rc;
		return render(r, 400, NULL, req_tr(r, why));
	}
	if (rc)
		return rc;
	/* Shown in this reply only; a reload does not post again (no redirect on purpose). */
	return render(r, 201, token, NULL);
}

int page_api_token_revoke(struct req *r)
{
	int64_t id;
	int rc = path_id(r, "id", &id);
	if (rc)
		return rc;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if ((rc = apitoken_revoke(&ctx, r->org.id, id)))
		return rc;
	req_flash(r, "sleutel_ingetrokken");
	const char *to = arena_printf(r->arena, "/b/%s/api-sleutels", r->org.slug);
	return to ? reply_redirect(r, to) : CAMPUS_ENOMEM;
}
