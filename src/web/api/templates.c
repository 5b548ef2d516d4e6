/* POST /api/v1/templates/render
 *   {"template": "...", "data": {...}, "partials": {"name": "..."}}
 * -> 200 {"output": "..."} or 400 {"error": {"code": "template_error", ...}} */
#include <string.h>

#include "core/err.h"
#include "http/req.h"
#include "web/web.h"

int api_template_render(struct req *r)
{
	json_t *tmpl = json_object_get(r->json, "template");
	json_t *data = json_object_get(r->json, "data");
	json_t *partials = json_object_get(r->json, "partials");
	if (!json_is_object(r->json) || !json_is_string(tmpl) || (data && !json_is_object(data)) ||
	    (partials && !json_is_object(partials)))
		return reply_error(r, CAMPUS_EINVAL,
		                   "expected {\"template\": string, \"data\": object, \"partials\": object}");
	struct buf out, err;
	buf_init(&out, r->arena, (size_t)1 << 20);
	buf_init(&err, r->arena, 4096);
	json_t *empty = json_object();
	int rc = template_tool_render(json_string_value(tmpl), json_string_length(tmpl),
	                              data ? data : empty, partials ? partials : empty, &out, &err);
	json_decref(empty);
	if (rc == CAMPUS_EINVAL) {
		json_t *e = json_pack("{s:s, s:s, s:s, s:s}", "code", "template_error", "message",
		                      req_tr(r, "Het sjabloon bevat een fout."), "detail",
		                      buf_cstr(&err), "request_id", r->id);
		r->error = rc;
		return reply_json(r, 400, json_pack("{s:o}", "error", e));
	}
	if (rc)
		return rc;
	return reply_json(r, 200, json_pack("{s:s%}", "output", out.data ? out.data : "", out.len));
}
