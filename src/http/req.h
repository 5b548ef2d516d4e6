/* The request as handlers see it: parsed input, the per-request arena, and the
 * reply functions. Handlers (src/web) include this header only, never
 * libmicrohttpd: parse and validate input, call the domain, reply. */
#ifndef CAMPUS_HTTP_REQ_H
#define CAMPUS_HTTP_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/str.h"
#include "domain/ctx.h"
#include "domain/people.h"
#include "http/form.h"
#include "http/router.h"
#include "view/i18n.h"

struct app;
struct arena;
struct db_conn;

/* Route flags (struct route.flags). */
enum {
	ROUTE_NO_CSRF = 1,   /* state-changing route that authenticates by token, not cookie */
	ROUTE_STATELESS = 2, /* no session lookup (static files, health, metrics) */
	ROUTE_SECOND_FACTOR = 4, /* reachable by a session still waiting for its second factor */
	ROUTE_SECRET_PATH = 8, /* the path carries a secret (one-time link): logs show the pattern */
	ROUTE_TOKEN = 16,      /* an API route: an "Authorization: Bearer" token names the actor */
};

struct req_header {
	const char *name;
	const char *value;
	struct req_header *next;
};

#define REQ_ID_LEN 16
#define SESSION_COOKIE "campus_sessie"

struct req {
	struct app *app;
	struct arena *arena;         /* freed once, when the request completes */
	void *conn;                  /* the server's connection handle (opaque) */
	char id[REQ_ID_LEN + 1];     /* request id, also in the access log and X-Request-Id */
	enum http_method method;
	const char *path;            /* raw path, still percent-encoded; never logged with its query */
	const char *query_string;    /* raw, after '?', or "" */
	struct route_match match;
	struct form query;           /* decoded query parameters */
	struct form form;            /* decoded body of BODY_FORM routes */
	json_t *json;                /* body of BODY_JSON routes (owned by the request) */
	enum lang lang;
	const char *csrf_token;      /* this browser's CSRF token */
	bool csrf_cookie_new;        /* token was made for this request: send the cookie */
	bool secure;                 /* served over TLS (directly or behind a trusted proxy) */
	struct actor actor;          /* who is logged in (person_id 0: nobody) */
	const char *person_name;
	const char *session_token;   /* the cookie's token, when logged in */
	int second_factor;           /* the session waits for a code (1) or enrolment (2); see
	                              * domain/totp.h. Its person is in actor only on routes
	                              * flagged ROUTE_SECOND_FACTOR. */
	struct org org;              /* the organisation of a /b/:slug/ route (org.id 0: none) */

	/* Reply under construction. */
	unsigned status;
	const char *content_type;
	struct buf body;
	const void *body_static;     /* immortal bytes (static files) instead of body */
	size_t body_static_len;
	struct req_header *headers;  /* extra reply headers, in order */
	int error;                   /* CAMPUS_E* that produced the reply, for the log */

	/* Server bookkeeping (server.c only). */
	struct db_conn *db;
	double started;
	bool started_routing;
	size_t body_seen;
	int pending_error;
	const char *pending_detail;
	void *body_parser;
	int body_parser_kind;
	struct buf json_body;
};

/* Input. Returned strings live in the request arena. */
const char *req_header(const struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
const char *req_query(const struct req *r, const char *name);
const char *req_form(const struct req *r, const char *name);
/* A path parameter, percent-decoded and UTF-8 checked; NULL when malformed. */
const char *req_param(struct req *r, const char *name);
/* The client's address, for audit and rate limits (honours trust_proxy). */
const char *req_client_ip(struct req *r);
/* A database connection for the rest of the request (released at completion). */
struct db_conn *req_db(struct req *r);
/* A domain context for this request: its connection, arena, actor and origin. */
void req_ctx(struct req *r, struct ctx *ctx);
/* Start a log-in session: sets the session cookie; the CSRF token changes with it. */
int req_session_start(struct req *r, const char *token, const char *csrf_token);
void req_session_end(struct req *r);
/* msgid translated into the request's language. */
const char *req_tr(const struct req *r, const char *msgid);
const char *http_method_name(enum http_method m);
/* JSON API paths (/api/...) answer errors in JSON, others with an HTML page. */
bool is_api_path(const char *path);

/* Show a message on the next page (after a redirect). key names an entry of
 * the flash table in req.c; only known keys are accepted. */
int req_flash(struct req *r, const char *key);

/* Replies: each returns 0, or a CAMPUS_E* that the caller can return as is. */
int req_add_header(struct req *r, const char *name, const char *value);
int req_set_cookie(struct req *r, const char *name, const char *value, long max_age);
/* Render templates/<page>.html inside the base layout. `data` is stolen. */
int reply_page(struct req *r, unsigned status, const char *page, json_t *data);
int reply_json(struct req *r, unsigned status, json_t *data); /* data is stolen */
int reply_text(struct req *r, unsigned status, const char *content_type, const char *text, size_t len);
/* 303 See Other to a local path (never an absolute URL from input). */
int reply_redirect(struct req *r, const char *location);
/* The error page (HTML) or error object (JSON under /api/) for err. */
int reply_error(struct req *r, int err, const char *detail);

#endif
