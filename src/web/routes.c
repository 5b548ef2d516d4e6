/* Every route, with its methods, body kind and body cap. A new route is added
 * here and nowhere else; router_check() validates the table at start. */
#include "web/web.h"

#include "http/req.h"
#include "http/router.h"
#include "http/static.h"

#define KB ((size_t)1024)

const struct route web_routes[] = {
    {HTTP_GET, "/", page_home, BODY_NONE, 0, 0, "home"},
    {HTTP_GET, "/toegankelijkheid", page_accessibility, BODY_NONE, 0, 0, "accessibility"},
    {HTTP_POST, "/taal", page_language, BODY_FORM, 4 * KB, 0, "language"},
    {HTTP_GET, "/theme.css", page_theme_css, BODY_NONE, 0, 0, "theme"},
    {HTTP_GET | HTTP_POST, "/sjablonen/voorbeeld", page_template_preview, BODY_FORM, 512 * KB, 0,
     "template_preview"},
    {HTTP_GET, "/static/*path", static_handler, BODY_NONE, 0, 0, "static"},
    {HTTP_GET, "/healthz", ops_healthz, BODY_NONE, 0, 0, "healthz"},
    {HTTP_GET, "/metrics", ops_metrics, BODY_NONE, 0, 0, "metrics"},
    {HTTP_GET, "/api/v1/status", api_status, BODY_NONE, 0, 0, "api_status"},
    {HTTP_POST, "/api/v1/templates/render", api_template_render, BODY_JSON, 512 * KB,
     ROUTE_NO_CSRF, "api_template_render"},
};

const size_t web_routes_count = sizeof web_routes / sizeof web_routes[0];
