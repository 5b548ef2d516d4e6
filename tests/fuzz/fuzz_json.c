/* JSON bodies as the API receives them: parse with the server's flags, then,
 * when the shape fits, run the template-render endpoint's work on them. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!body)
		return 0;
	json_t *tmpl = json_object_get(body, "template");
	json_t *vars = json_object_get(body, "data");
	json_t *partials = json_object_get(body, "partials");
	if (json_is_string(tmpl) && (!vars || json_is_object(vars)) &&
	    (!partials || json_is_object(partials))) {
		json_t *empty = json_object();
		struct buf out, err;
		buf_init(&out, NULL, 1 << 20);
		buf_init(&err, NULL, 4096);
		template_tool_render(json_string_value(tmpl), json_string_length(tmpl),
		                     vars ? vars : empty, partials ? partials : empty, &out, &err);
		buf_fini(&out);
		buf_fini(&err);
		json_decref(empty);
	}
	json_decref(body);
	return 0;
}
