/* static/openapi.json and the route table agree: every /api/v1 route is
 * documented with its method, and every documented operation exists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "http/router.h"
#include "web/web.h"

#define PREFIX "/api/v1"

/* "/api/v1/provider/modules/:id" -> "/provider/modules/{id}" */
static void openapi_path(const char *pattern, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = pattern + strlen(PREFIX); *p && n + 2 < size; p++) {
		if (*p == ':') {
			out[n++] = '{';
			while (p[1] && p[1] != '/' && n + 2 < size)
				out[n++] = *++p;
			out[n++] = '}';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = 0;
}

static const struct {
	unsigned bit;
	const char *name;
} methods[] = {{HTTP_GET, "get"}, {HTTP_POST, "post"}, {HTTP_PUT, "put"}, {HTTP_DELETE, "delete"}};

static json_t *load(void)
{
	json_error_t err;
	json_t *doc = json_load_file("static/openapi.json", 0, &err);
	if (!doc)
		print_error("static/openapi.json:%d: %s\n", err.line, err.text);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	return doc;
}

static void every_api_route_is_documented(void **state)
{
	(void)state;
	json_t *doc = load();
	json_t *paths = json_object_get(doc, "paths");
	int missing = 0;
	for (size_t i = 0; i < web_routes_count; i++) {
		const struct route *rt = &web_routes[i];
		if (strncmp(rt->pattern, PREFIX "/", strlen(PREFIX) + 1) != 0)
			continue;
		char path[256];
		openapi_path(rt->pattern, path, sizeof path);
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
			if (!(rt->methods & methods[m].bit))
				continue;
			if (!json_object_get(json_object_get(paths, path), methods[m].name)) {
				print_error("%s %s is not in static/openapi.json\n", methods[m].name, path);
				missing++;
			}
		}
	}
	json_decref(doc);
	assert_int_equal(missing, 0);
}

static void every_documented_operation_exists(void **state)
{
	(void)state;
	json_t *doc = load();
	const char *path;
	json_t *item;
	int extra = 0;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
			if (!json_object_get(item, methods[m].name))
				continue;
			size_t i = 0;
			for (; i < web_routes_count; i++) {
				char p[256];
				if (strncmp(web_routes[i].pattern, PREFIX "/", strlen(PREFIX) + 1) != 0)
					continue;
				openapi_path(web_routes[i].pattern, p, sizeof p);
				if (!strcmp(p, path) && (web_routes[i].methods & methods[m].bit))
					break;
			}
			if (i == web_routes_count) {
				print_error("static/openapi.json documents %s %s, which no route answers\n",
				            methods[m].name, path);
				extra++;
			}
		}
	}
	json_decref(doc);
	assert_int_equal(extra, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_api_route_is_documented),
	    cmocka_unit_test(every_documented_operation_exists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
