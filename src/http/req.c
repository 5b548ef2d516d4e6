/* Request accessors and replies. Everything allocates in the request arena. */
#include "http/req.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/notify.h"
#include "http/headers.h"
#include "http/server.h"
#include "view/tmpl.h"

/* Messages shown once on the next page; the cookie carries only the key. */
static const struct {
	const char *key;
	const char *msgid;
} flash_table[] = {
	{"taal", N_("De taal is gewijzigd.")},
	{"organisatie", N_("U werkt nu in een andere organisatie.")},
	{"uitgelogd", N_("U bent uitgelogd.")},
	{"tweestaps_aan", N_("Inloggen in twee stappen staat nu aan.")},
	{"tweestaps_uit", N_("Inloggen in twee stappen staat nu uit.")},
	{"gegevens", N_("Uw gegevens zijn opgeslagen.")},
	{"instellingen", N_("De instellingen zijn opgeslagen.")},
	{"organisatie_nieuw", N_("De organisatie is aangemaakt. Geef haar hier een kleur en logo.")},
	{"lid_nieuw", N_("De persoon is toegevoegd en krijgt een e-mail met een uitnodiging om een wachtwoord te kiezen.")},
	{"module_nieuw", N_("De module is opgeslagen als concept. Publiceer haar wanneer ze klaar is, of dien haar in bij de toetsingscommissie.")},
	{"module_opgeslagen", N_("De wijzigingen zijn opgeslagen.")},
	{"module_nieuwe_versie", N_("De wijzigingen staan in een nieuwe versie. De erkende versie blijft zichtbaar tot de commissie de nieuwe versie heeft erkend.")},
	{"module_gepubliceerd", N_("De module is gepubliceerd en staat in het aanbod.")},
	{"module_verborgen", N_("De module is uit het aanbod gehaald.")},
	{"taxonomie", N_("Het beroepsprofiel is bijgewerkt.")},
	{"criteria", N_("De toetsingscriteria zijn bijgewerkt.")},
	{"sleutel_ingetrokken", N_("De API-sleutel is ingetrokken; hij werkt niet meer.")},
	{"lid_toegevoegd", N_("De persoon had al een account en is nu lid van uw organisatie.")},
	{"lid_gewijzigd", N_("Het lidmaatschap is gewijzigd.")},
	{"lid_beeindigd", N_("Het lidmaatschap is beëindigd. De leergeschiedenis blijft van de persoon.")},
	{"wachtwoord", N_("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.")},
	{"welkom", N_("Welkom bij Campus. U bent ingelogd met uw nieuwe wachtwoord.")},
	{"tweestaps_hersteld", N_("Inloggen in twee stappen is hersteld. De persoon stelt het opnieuw in bij de volgende keer inloggen.")},
	{"email_link", N_("Wij hebben een e-mail met een bevestigingslink naar uw nieuwe adres gestuurd. Uw e-mailadres verandert pas als u die link volgt.")},
	{"email_gewijzigd", N_("Uw e-mailadres is gewijzigd. Op andere apparaten bent u uitgelogd.")},
	{"toetsing_aangeboden", N_("De module is aangeboden aan de toetsingscommissie.")},
	{"toetsing_ingetrokken", N_("De module is teruggetrokken; zij is weer een concept.")},
	{"toetsing_bijgewerkt", N_("De toetsing is bijgewerkt.")},
	{"inschrijving_geannuleerd", N_("Je inschrijving is geannuleerd.")},
	{"aanbod_aangenomen", N_("Je hebt het aanbod aangenomen: je bent ingeschreven.")},
	{"aanbod_afgewezen", N_("Je hebt het aanbod afgewezen; de plaats gaat naar de volgende op de wachtlijst.")},
	{"uitvoering_nieuw", N_("De uitvoering is gepland. Zij staat in het aanbod zodra de module gepubliceerd is.")},
	{"uitvoering_opgeslagen", N_("Het plan van de uitvoering is opgeslagen.")},
	{"uitvoering_geannuleerd", N_("De uitvoering is geannuleerd; de deelnemers krijgen bericht.")},
	{"aanwezigheid", N_("De aanwezigheid is opgeslagen.")},
	{"resultaten", N_("De resultaten zijn opgeslagen.")},
	{"punten_teruggedraaid", N_("De correctie is geregistreerd.")},
};

const char *http_method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET: return "GET";
	case HTTP_HEAD: return "HEAD";
	case HTTP_POST: return "POST";
	case HTTP_PUT: return "PUT";
	case HTTP_PATCH: return "PATCH";
	case HTTP_DELETE: return "DELETE";
	case HTTP_OPTIONS: return "OPTIONS";
	}
	return "-";
}

bool is_api_path(const char *path) { return strncmp(path, "/api/", 5) == 0; }

const char *req_cookie(struct req *r, const char *name)
{
	const char *header = req_header(r, "Cookie");
	struct str value;
	if (!header || cookie_get(header, name, &value) != 0)
		return NULL;
	return arena_strndup(r->arena, value.ptr, value.len);
}

const char *req_query(const struct req *r, const char *name) { return form_get(&r->query, name); }

const char *req_form(const struct req *r, const char *name) { return form_get(&r->form, name); }

const char *req_param(struct req *r, const char *name)
{
	char *out;
	size_t len;
	struct str raw = route_param(&r->match, name);
	if (!raw.ptr || http_percent_decode(r->arena, raw, false, &out, &len) != 0)
		return NULL;
	return out;
}

const char *req_client_ip(struct req *r)
{
	if (r->app->cfg->trust_proxy) {
		/* The proxy appends the address it saw: the last entry is the one we trust. */
		const char *xff = req_header(r, "X-Forwarded-For");
		if (xff) {
			const char *last = strrchr(xff, ',');
			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			return arena_strdup(r->arena, last);
		}
	}
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char *ip = arena_alloc(r->arena, INET6_ADDRSTRLEN);
	if (!ci || !ci->client_addr || !ip)
		return "-";
	const struct sockaddr *sa = ci->client_addr;
	const void *addr = sa->sa_family == AF_INET6
	                       ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr
	                       : (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	if (!inet_ntop(sa->sa_family, addr, ip, INET6_ADDRSTRLEN))
		return "-";
	return ip;
}

struct db_conn *req_db(struct req *r)
{
	if (!r->db)
		r->db = db_pool_acquire(r->app->db);
	return r->db;
}

const char *req_tr(const struct req *r, const char *msgid) { return i18n_gettext(r->lang, msgid); }

void req_ctx(struct req *r, struct ctx *ctx)
{
	ctx_init_for_request(ctx, req_db(r), r->arena);
	ctx->actor = r->actor;
	const char *ua = req_header(r, "User-Agent");
	ctx->origin = (struct origin){req_client_ip(r), ua ? ua : ""};
}

int req_session_start(struct req *r, const char *token, const char *csrf_token)
{
	r->session_token = arena_strdup(r->arena, token);
	r->csrf_token = arena_strdup(r->arena, csrf_token);
	r->csrf_cookie_new = false;
	/* A session cookie without Max-Age: it ends with the browser, the server
	 * ends it earlier when idle or old. */
	return req_set_cookie(r, SESSION_COOKIE, token, 0);
}

void req_session_end(struct req *r)
{
	r->session_token = NULL;
	r->actor = (struct actor){0};
	req_set_cookie(r, SESSION_COOKIE, "", COOKIE_DELETE);
}

int req_add_header(struct req *r, const char *name, const char *value)
{
	struct req_header *h = arena_alloc(r->arena, sizeof *h);
	if (!h)
		return CAMPUS_ENOMEM;
	h->name = name;
	h->value = value;
	h->next = NULL;
	struct req_header **tail = &r->headers;
	while (*tail)
		tail = &(*tail)->next;
	*tail = h;
	return 0;
}

int req_set_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	struct buf b;
	buf_init(&b, r->arena, 4096);
	struct cookie_opts opts = {
	    .path = "/",
	    .max_age = max_age,
	    .http_only = true,
	    .secure = r->secure,
	    .same_site = COOKIE_SAMESITE_LAX,
	};
	int rc = cookie_format(&b, name, value, &opts);
	if (rc)
		return rc;
	/* One Set-Cookie per cookie name (RFC 6265 4.1.1): a later one replaces it,
	 * e.g. a log-in right after an expired session's cookie was dropped. */
	size_t n = strlen(name);
	for (struct req_header *h = r->headers; h; h = h->next)
		if (strcmp(h->name, MHD_HTTP_HEADER_SET_COOKIE) == 0 && strncmp(h->value, name, n) == 0 &&
		    h->value[n] == '=') {
			h->value = b.data;
			return 0;
		}
	return req_add_header(r, MHD_HTTP_HEADER_SET_COOKIE, b.data);
}

int req_flash(struct req *r, const char *key)
{
	for (size_t i = 0; i < sizeof flash_table / sizeof flash_table[0]; i++)
		if (strcmp(flash_table[i].key, key) == 0)
			return req_set_cookie(r, "flash", key, 60);
	return CAMPUS_EINVAL;
}

static const char *flash_take(struct req *r)
{
	const char *key = req_cookie(r, "flash");
	if (!key)
		return NULL;
	req_set_cookie(r, "flash", "", COOKIE_DELETE);
	for (size_t i = 0; i < sizeof flash_table / sizeof flash_table[0]; i++)
		if (strcmp(flash_table[i].key, key) == 0)
			return req_tr(r, flash_table[i].msgid);
	return NULL;
}

static const char *translate_cb(void *cls, const char *msgid)
{
	return i18n_gettext(*(const enum lang *)cls, msgid);
}

/* What every page's layout needs: language, switch, CSRF token, flash. */
static void add_layout_data(struct req *r, json_t *data)
{
	enum lang other = r->lang == LANG_NL ? LANG_EN : LANG_NL;
	json_object_set_new(data, "lang", json_string(i18n_lang_codes[r->lang]));
	json_object_set_new(data, "other_lang", json_string(i18n_lang_codes[other]));
	json_object_set_new(data, "other_lang_name", json_string(i18n_lang_names[other]));
	/* The switch comes back here; after a POST the page is not at its own URL. */
	json_object_set_new(data, "path", json_string(r->method == HTTP_GET ? r->path : "/"));
	if (r->csrf_token)
		json_object_set_new(data, "csrf_token", json_string(r->csrf_token));
	const char *flash = flash_take(r);
	if (flash)
		json_object_set_new(data, "flash", json_string(flash));
	json_object_set_new(data, "version", json_string(r->app->version));
	if (r->org.id)
		json_object_set_new(data, "org", json_pack("{s:s, s:s, s:b}", "slug", r->org.slug, "name",
		                                           r->org.name, "has_logo", r->org.has_logo));
	if (r->actor.person_id && r->person_name) {
		json_t *user = json_pack("{s:s}", "name", r->person_name);
		/* One indexed count, only for a logged-in person: anonymous pages stay
		 * free of per-person data (and cacheable). */
		struct ctx ctx;
		req_ctx(r, &ctx);
		int64_t unread = ctx.db ? notify_unread(&ctx) : 0;
		/* Always set: a missing key would be looked up in the page's data. */
		json_object_set_new(user, "unread",
		                    unread > 0 ? json_integer((json_int_t)unread) : json_false());
		json_object_set_new(data, "user", user);
	}
}

int req_render(struct req *r, const char *template_name, json_t *data, struct buf *out)
{
	struct tmpl_render_opts opts = {.translate = translate_cb, .translate_cls = &r->lang};
	struct buf err;
	buf_init(&err, r->arena, 2048);
	int rc = tmpl_render(r->app->tmpl, template_name, data, &opts, out, &err);
	if (rc)
		log_error("msg=\"render failed\" id=%s template=%s error=\"%s\"", r->id, template_name,
		          buf_cstr(&err));
	return rc;
}

int reply_page(struct req *r, unsigned status, const char *page, json_t *data)
{
	if (!data)
		data = json_object();
	add_layout_data(r, data);
	char name[128];
	snprintf(name, sizeof name, "pages/%s", page);
	buf_clear(&r->body);
	int rc = req_render(r, name, data, &r->body);
	json_decref(data);
	if (rc)
		return rc == CAMPUS_ETOOBIG ? CAMPUS_ETOOBIG : CAMPUS_EINTERNAL;
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	return 0;
}

int reply_json(struct req *r, unsigned status, json_t *data)
{
	buf_clear(&r->body);
	char *s = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(data);
	if (!s)
		return CAMPUS_EINTERNAL;
	int rc = buf_puts(&r->body, s);
	free(s);
	if (rc)
		return rc;
	buf_putc(&r->body, '\n');
	r->status = status;
	r->content_type = "application/json";
	return 0;
}

int reply_text(struct req *r, unsigned status, const char *content_type, const char *text, size_t len)
{
	buf_clear(&r->body);
	int rc = buf_append(&r->body, text, len);
	if (rc)
		return rc;
	r->status = status;
	r->content_type = content_type;
	return 0;
}

int reply_redirect(struct req *r, const char *location)
{
	/* Only local paths: "/x" but not "//host" or "/\host", which browsers treat as
	 * absolute, and no control characters: browsers drop tabs and newlines from
	 * URLs, so "/<TAB>/host" would become "//host". */
	bool local = location[0] == '/' && location[1] != '/' && location[1] != '\\';
	for (const char *p = location; local && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			local = false;
	if (!local)
		location = "/";
	req_add_header(r, "Location", location);
	buf_clear(&r->body);
	r->status = 303;
	r->content_type = "text/plain; charset=utf-8";
	return buf_puts(&r->body, "See Other\n");
}

static const char *status_title(unsigned status)
{
	switch (status) {
	case 400: return N_("Ongeldige aanvraag");
	case 401: return N_("Niet ingelogd");
	case 403: return N_("Geen toegang");
	case 404: return N_("Pagina niet gevonden");
	case 405: return N_("Actie niet toegestaan");
	case 409: return N_("Conflict");
	case 413: return N_("Te groot");
	case 415: return N_("Soort inhoud niet ondersteund");
	case 503: return N_("Tijdelijk niet beschikbaar");
	default: return N_("Er ging iets mis");
	}
}

static void add_allow_header(struct req *r)
{
	struct buf allow;
	buf_init(&allow, r->arena, 128);
	if (http_methods_format(&allow, r->match.allowed) == 0 && allow.len)
		req_add_header(r, "Allow", allow.data);
}

int reply_error(struct req *r, int err, const char *detail)
{
	unsigned status = (unsigned)campus_err_status(err);
	const char *message = req_tr(r, campus_err_msgid(err));
	r->error = err;
	if (err == CAMPUS_EMETHOD)
		add_allow_header(r);
	if (is_api_path(r->path) || !r->app->tmpl) {
		json_t *e = json_pack("{s:s, s:s, s:s}", "code", campus_err_code(err), "message",
		                      message, "request_id", r->id);
		if (detail)
			json_object_set_new(e, "detail", json_string(detail));
		int rc = reply_json(r, status, json_pack("{s:o}", "error", e));
		if (!rc)
			return 0;
	} else {
		json_t *data = json_pack("{s:i, s:s, s:s, s:s}", "status", (int)status, "title",
		                         req_tr(r, status_title(status)), "message", message,
		                         "request_id", r->id);
		if (detail)
			json_object_set_new(data, "detail", json_string(detail));
		if (reply_page(r, status, "error", data) == 0)
			return 0;
	}
	/* Last resort when even the error page cannot be made. */
	r->status = status;
	static const char fallback[] = "Er ging iets mis. / Something went wrong.\n";
	r->body_static = fallback;
	r->body_static_len = sizeof fallback - 1;
	r->content_type = "text/plain; charset=utf-8";
	return 0;
}
