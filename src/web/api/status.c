/* GET /api/v1/status: which service and version answers. */
#include "http/req.h"
#include "http/server.h"
#include "http/static.h"
#include "web/web.h"

int api_status(struct req *r)
{
	return reply_json(r, 200, json_pack("{s:s, s:s, s:s}", "service", "campus", "version",
	                                    r->app->version, "api", "v1"));
}

/* GET /api/v1/openapi.json: the API's description (static/openapi.json). */
int api_openapi(struct req *r)
{
	return static_reply(r, "openapi.json");
}
