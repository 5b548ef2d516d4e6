/* Every route: methods, pattern, handler, body kind and cap, flags, name and
 * the authorization policy the server checks before the handler runs. A new
 * route is added here and nowhere else; router_check() validates the table at
 * start and tests/unit/test_authz.c fails until the route has its row there. */
#include "web/web.h"

#include "domain/authz.h"
#include "http/req.h"
#include "http/router.h"
#include "http/static.h"

#define KB ((size_t)1024)
#define STATELESS ROUTE_STATELESS
#define SECOND_FACTOR ROUTE_SECOND_FACTOR
/* API routes: a bearer token, no cookies, so no CSRF. */
#define API_TOKEN (ROUTE_TOKEN | ROUTE_NO_CSRF | ROUTE_STATELESS)
/* Module texts (4 x 20 kB), a 1 MB image and multipart overhead. */
#define MODULE_FORM_MAX (1200 * KB)

const struct route web_routes[] = {
    {HTTP_GET, "/", page_home, BODY_NONE, 0, 0, "home", AZ_PUBLIC},
    {HTTP_GET, "/toegankelijkheid", page_accessibility, BODY_NONE, 0, 0, "accessibility", AZ_PUBLIC},
    {HTTP_POST, "/taal", page_language, BODY_FORM, 4 * KB, 0, "language", AZ_PUBLIC},
    {HTTP_GET, "/inloggen", page_login_form, BODY_NONE, 0, 0, "login_form", AZ_PUBLIC},
    {HTTP_POST, "/inloggen", page_login, BODY_FORM, 8 * KB, 0, "login", AZ_PUBLIC},
    {HTTP_GET, "/wachtwoord-vergeten", page_forgot_form, BODY_NONE, 0, 0, "forgot_form", AZ_PUBLIC},
    {HTTP_POST, "/wachtwoord-vergeten", page_forgot, BODY_FORM, 4 * KB, 0, "forgot", AZ_PUBLIC},
    {HTTP_GET, "/wachtwoord-herstellen/:token", page_reset_form, BODY_NONE, 0, ROUTE_SECRET_PATH,
     "reset_form", AZ_PUBLIC},
    {HTTP_POST, "/wachtwoord-herstellen/:token", page_reset, BODY_FORM, 4 * KB, ROUTE_SECRET_PATH,
     "reset", AZ_PUBLIC},
    {HTTP_GET, "/uitnodiging/:token", page_invite_form, BODY_NONE, 0, ROUTE_SECRET_PATH,
     "invite_form", AZ_PUBLIC},
    {HTTP_POST, "/uitnodiging/:token", page_invite, BODY_FORM, 4 * KB, ROUTE_SECRET_PATH, "invite",
     AZ_PUBLIC},
    {HTTP_POST, "/uitloggen", page_logout, BODY_FORM, 4 * KB, SECOND_FACTOR, "logout", AZ_PUBLIC},
    {HTTP_GET, "/inloggen/code", page_login_code_form, BODY_NONE, 0, SECOND_FACTOR,
     "login_code_form", AZ_PUBLIC},
    {HTTP_POST, "/inloggen/code", page_login_code, BODY_FORM, 4 * KB, SECOND_FACTOR, "login_code",
     AZ_PUBLIC},
    {HTTP_GET, "/mijn/tweestaps", page_totp, BODY_NONE, 0, SECOND_FACTOR, "totp", AZ_PERSON},
    {HTTP_POST, "/mijn/tweestaps", page_totp_confirm, BODY_FORM, 4 * KB, SECOND_FACTOR,
     "totp_confirm", AZ_PERSON},
    {HTTP_POST, "/mijn/tweestaps/uit", page_totp_disable, BODY_FORM, 4 * KB, 0, "totp_disable",
     AZ_PERSON},
    {HTTP_GET, "/mijn", page_me, BODY_NONE, 0, 0, "me", AZ_PERSON},
    {HTTP_POST, "/mijn/gegevens", page_profile_update, BODY_FORM, 4 * KB, 0, "profile_update",
     AZ_PERSON},
    {HTTP_POST, "/mijn/wachtwoord", page_password_change, BODY_FORM, 4 * KB, 0, "password_change",
     AZ_PERSON},
    {HTTP_POST, "/organisatie", page_switch_org, BODY_FORM, 4 * KB, 0, "switch_org", AZ_PERSON},
    {HTTP_GET, "/b/:slug", page_org_home, BODY_NONE, 0, 0, "org_home", AZ_PUBLIC},
    {HTTP_GET, "/b/:slug/", page_org_home, BODY_NONE, 0, 0, "org_home_dir", AZ_PUBLIC},
    {HTTP_GET, "/b/:slug/theme.css", page_org_theme, BODY_NONE, 0, STATELESS, "org_theme", AZ_PUBLIC},
    {HTTP_GET, "/b/:slug/logo", page_org_logo, BODY_NONE, 0, STATELESS, "org_logo", AZ_PUBLIC},
    {HTTP_GET | HTTP_POST, "/b/:slug/instellingen", page_org_settings, BODY_FORM, 640 * KB, 0,
     "org_settings", AZ_ORG_MANAGER},
    {HTTP_GET, "/b/:slug/leden", page_members, BODY_NONE, 0, 0, "members", AZ_ORG_MANAGER},
    {HTTP_GET | HTTP_POST, "/b/:slug/leden/nieuw", page_member_new, BODY_FORM, 8 * KB, 0,
     "member_new", AZ_ORG_MANAGER},
    {HTTP_GET | HTTP_POST, "/b/:slug/leden/importeren", page_member_import, BODY_FORM,
     5 * 1024 * KB + 64 * KB, 0, "member_import", AZ_ORG_MANAGER},
    {HTTP_POST, "/b/:slug/leden/importeren/bevestigen", page_member_import_confirm, BODY_FORM,
     16 * KB, 0, "member_import_confirm", AZ_ORG_MANAGER},
    {HTTP_GET, "/b/:slug/leden/:id", page_member, BODY_NONE, 0, 0, "member", AZ_ORG_MANAGER},
    {HTTP_POST, "/b/:slug/leden/:id/rollen", page_member_roles, BODY_FORM, 4 * KB, 0,
     "member_roles", AZ_ORG_MANAGER},
    {HTTP_POST, "/b/:slug/leden/:id/beeindigen", page_member_end, BODY_FORM, 4 * KB, 0,
     "member_end", AZ_ORG_MANAGER},
    {HTTP_GET, "/aanbod/:id", page_module, BODY_NONE, 0, 0, "module", AZ_PUBLIC},
    {HTTP_GET, "/aanbod/:id/afbeelding", page_module_image, BODY_NONE, 0, 0, "module_image",
     AZ_PUBLIC},
    {HTTP_GET, "/b/:slug/modules", page_offering, BODY_NONE, 0, 0, "offering", AZ_ORG_OFFERING},
    {HTTP_GET | HTTP_POST, "/b/:slug/modules/nieuw", page_offering_new, BODY_FORM,
     MODULE_FORM_MAX, 0, "offering_new", AZ_ORG_OFFERING},
    {HTTP_GET | HTTP_POST, "/b/:slug/modules/:id", page_offering_edit, BODY_FORM, MODULE_FORM_MAX,
     0, "offering_edit", AZ_ORG_OFFERING},
    {HTTP_POST, "/b/:slug/modules/:id/publiceren", page_offering_publish, BODY_FORM, 4 * KB, 0,
     "offering_publish", AZ_ORG_OFFERING},
    {HTTP_GET, "/b/:slug/modules/:id/afbeelding", page_offering_image, BODY_NONE, 0, 0,
     "offering_image", AZ_ORG_OFFERING},
    {HTTP_GET | HTTP_POST, "/beheer/taxonomie", page_taxonomy, BODY_FORM, 8 * KB, 0, "taxonomy",
     AZ_CAMPUS_ADMIN},
    {HTTP_GET, "/beheer/organisaties", page_admin_orgs, BODY_NONE, 0, 0, "admin_orgs",
     AZ_CAMPUS_ADMIN},
    {HTTP_GET | HTTP_POST, "/beheer/organisaties/nieuw", page_admin_org_new, BODY_FORM, 8 * KB, 0,
     "admin_org_new", AZ_CAMPUS_ADMIN},
    {HTTP_GET, "/beheer/personen", page_admin_people, BODY_NONE, 0, 0, "admin_people",
     AZ_CAMPUS_ADMIN},
    {HTTP_GET | HTTP_POST, "/sjablonen/voorbeeld", page_template_preview, BODY_FORM, 512 * KB, 0,
     "template_preview", AZ_PUBLIC},
    {HTTP_GET, "/theme.css", page_theme_css, BODY_NONE, 0, STATELESS, "theme", AZ_PUBLIC},
    {HTTP_GET, "/static/*path", static_handler, BODY_NONE, 0, STATELESS, "static", AZ_PUBLIC},
    {HTTP_GET, "/healthz", ops_healthz, BODY_NONE, 0, STATELESS, "healthz", AZ_PUBLIC},
    {HTTP_GET, "/metrics", ops_metrics, BODY_NONE, 0, STATELESS, "metrics", AZ_PUBLIC},
    {HTTP_GET, "/api/v1/status", api_status, BODY_NONE, 0, STATELESS, "api_status", AZ_PUBLIC},
    {HTTP_POST, "/api/v1/templates/render", api_template_render, BODY_JSON, 512 * KB,
     ROUTE_NO_CSRF | STATELESS, "api_template_render", AZ_PUBLIC},
    {HTTP_GET, "/api/v1/openapi.json", api_openapi, BODY_NONE, 0, STATELESS, "api_openapi",
     AZ_PUBLIC},
    {HTTP_GET, "/api/v1/taxonomy", api_taxonomy, BODY_NONE, 0, STATELESS, "api_taxonomy", AZ_PUBLIC},
    {HTTP_GET, "/api/v1/provider/modules", api_provider_modules, BODY_NONE, 0, API_TOKEN,
     "api_provider_modules", AZ_API_READ},
    {HTTP_POST, "/api/v1/provider/modules", api_provider_modules, BODY_JSON, 128 * KB, API_TOKEN,
     "api_provider_module_create", AZ_API_WRITE},
    {HTTP_GET, "/api/v1/provider/modules/:id", api_provider_module, BODY_NONE, 0, API_TOKEN,
     "api_provider_module", AZ_API_READ},
    {HTTP_PUT, "/api/v1/provider/modules/:id", api_provider_module, BODY_JSON, 128 * KB, API_TOKEN,
     "api_provider_module_update", AZ_API_WRITE},
    {HTTP_POST, "/api/v1/provider/modules/:id/:action", api_provider_module_publish, BODY_NONE, 0,
     API_TOKEN, "api_provider_module_publish", AZ_API_WRITE},
    {HTTP_GET | HTTP_POST, "/b/:slug/api-sleutels", page_api_tokens, BODY_FORM, 4 * KB, 0,
     "api_tokens", AZ_ORG_OFFERING},
    {HTTP_POST, "/b/:slug/api-sleutels/:id/intrekken", page_api_token_revoke, BODY_FORM, 4 * KB, 0,
     "api_token_revoke", AZ_ORG_OFFERING},
};

const size_t web_routes_count = sizeof web_routes / sizeof web_routes[0];
