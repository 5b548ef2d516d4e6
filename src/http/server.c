#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/apitoken.h"
#include "domain/auth.h"
#include "domain/authz.h"
#include "domain/totp.h"
#include "http/form.h"
#include "http/headers.h"
#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"

/* A request's arena may grow to this much; beyond it the request fails softly. */
#define REQ_ARENA_CAP ((size_t)32 << 20)
#define SHUTDOWN_GRACE_SECONDS 30

enum body_parser_kind { PARSER_NONE, PARSER_URLENC, PARSER_MULTIPART, PARSER_JSON };

/* Counters for /metrics. Relaxed atomics: they are statistics, not locks. */
static const double duration_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                          0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof duration_buckets / sizeof duration_buckets[0])
static struct {
	atomic_ulong by_class[6]; /* 1xx..5xx, index 1..5 */
	atomic_ulong buckets[NBUCKETS + 1];
	atomic_ulong duration_us;
	atomic_long in_flight;
	atomic_ulong bytes_out;
	double started_at;
} metrics;

static double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Arenas are recycled per worker thread: a request usually fits in the first
 * block, so a warm request costs no malloc for its arena. The spare is kept
 * in a thread key whose destructor frees it when the worker thread ends. */
static pthread_key_t spare_arena_key;
static pthread_once_t spare_arena_once = PTHREAD_ONCE_INIT;

static void spare_arena_free(void *a) { arena_free(a); }
static void spare_arena_init(void) { pthread_key_create(&spare_arena_key, spare_arena_free); }

static struct arena *arena_take(void)
{
	pthread_once(&spare_arena_once, spare_arena_init);
	struct arena *a = pthread_getspecific(spare_arena_key);
	if (a) {
		pthread_setspecific(spare_arena_key, NULL);
		return a;
	}
	return arena_new(REQ_ARENA_CAP);
}

static void arena_give_back(struct arena *a)
{
	if (pthread_getspecific(spare_arena_key) || arena_used(a) > 256 * 1024) {
		arena_free(a);
		return;
	}
	arena_reset(a);
	pthread_setspecific(spare_arena_key, a);
}

/* ---- request creation: libmicrohttpd calls this with the raw URI, before it
 * unescapes anything, so we route on exactly the bytes the client sent. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct app *app = cls;
	struct arena *a = arena_take();
	struct req *r = arena_zalloc(a, sizeof *r);
	r->app = app;
	r->arena = a;
	r->conn = conn;
	r->started = now_monotonic();
	unsigned char rnd[REQ_ID_LEN / 2];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(r->id, sizeof r->id, rnd, sizeof rnd);
	const char *q = strchr(uri, '?');
	r->path = q ? arena_strndup(a, uri, (size_t)(q - uri)) : arena_strdup(a, uri);
	r->query_string = q ? arena_strdup(a, q + 1) : "";
	buf_init(&r->body, a, 0);
	r->lang = LANG_NL;
	atomic_fetch_add_explicit(&metrics.in_flight, 1, memory_order_relaxed);
	return r;
}

const char *req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Language: the "taal" cookie chosen with the switch, else Accept-Language, else Dutch. */
static enum lang pick_language(struct req *r)
{
	const char *chosen = req_cookie(r, "taal");
	if (chosen) {
		int l = i18n_lang_from_code(chosen);
		if (l >= 0)
			return (enum lang)l;
	}
	const char *al = req_header(r, "Accept-Language");
	if (al) {
		int l = http_accept_language(al, i18n_lang_codes, LANG_COUNT);
		if (l >= 0)
			return (enum lang)l;
	}
	return LANG_NL;
}

/* The double-submit CSRF token: a random value in a cookie that every form
 * repeats in a hidden field. Later the log-in session binds it as well. */
static void csrf_prepare(struct req *r)
{
	const char *tok = req_cookie(r, "campus_csrf");
	if (tok && strlen(tok) == 43) {
		r->csrf_token = tok;
		return;
	}
	unsigned char rnd[32];
	randombytes_buf(rnd, sizeof rnd);
	char *b64 = arena_alloc(r->arena, 45);
	if (!b64)
		return;
	sodium_bin2base64(b64, 45, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r->csrf_token = b64;
	r->csrf_cookie_new = true;
}

static bool csrf_valid(struct req *r)
{
	if (r->csrf_cookie_new || !r->csrf_token)
		return false;
	const char *sent = form_get(&r->form, "csrf_token");
	if (!sent)
		sent = req_header(r, "X-CSRF-Token");
	size_t n = strlen(r->csrf_token);
	return sent && strlen(sent) == n && sodium_memcmp(sent, r->csrf_token, n) == 0;
}

static void fail_early(struct req *r, int err, const char *detail)
{
	if (!r->pending_error) {
		r->pending_error = err;
		r->pending_detail = detail;
	}
}

/* First call for a request: route it and decide how its body will be read. */
static void request_begin(struct req *r, const char *method, const char *version)
{
	r->lang = pick_language(r);
	r->secure = r->app->cfg->hsts;
	if (r->app->cfg->trust_proxy) {
		const char *proto = req_header(r, "X-Forwarded-Proto");
		if (proto && strcmp(proto, "https") == 0)
			r->secure = true;
	}
	/* RFC 9112 3.2: an HTTP/1.1 request without Host is a 400. */
	if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !req_header(r, MHD_HTTP_HEADER_HOST)) {
		fail_early(r, CAMPUS_EINVAL, "Host");
		return;
	}
	if (http_method_parse(method, &r->method) != 0) {
		fail_early(r, CAMPUS_EMETHOD, NULL);
		return;
	}
	int rc = router_match(r->app->routes, r->app->nroutes, r->method, r->path, strlen(r->path),
	                      &r->match);
	if (rc) {
		fail_early(r, rc, NULL);
		return;
	}
	struct form_limits limits = form_limits_default();
	limits.tmp_dir = r->app->cfg->tmp_dir;
	if (form_parse_query(r->arena, r->query_string, strlen(r->query_string), &limits, &r->query)) {
		fail_early(r, CAMPUS_EINVAL, "query");
		return;
	}
	csrf_prepare(r);

	const struct route *route = r->match.route;
	const char *len_hdr = req_header(r, "Content-Length");
	const char *te = req_header(r, "Transfer-Encoding");
	bool has_body = te != NULL;
	if (len_hdr) {
		unsigned long n;
		if (!str_to_uint(len_hdr, strlen(len_hdr), (unsigned long)-1, &n)) {
			fail_early(r, CAMPUS_EINVAL, "Content-Length");
			return;
		}
		if (n > route->body_max) {
			fail_early(r, CAMPUS_ETOOBIG, NULL);
			return;
		}
		has_body = has_body || n > 0;
	}
	if (!has_body || route->body == BODY_NONE) {
		if (has_body)
			fail_early(r, CAMPUS_ETOOBIG, NULL);
		return;
	}
	const char *ctype = req_header(r, "Content-Type");
	struct str media = STR_NULL;
	if (!ctype || http_content_type(ctype, &media) != 0) {
		fail_early(r, CAMPUS_EMEDIA, NULL);
		return;
	}
	if (route->body == BODY_JSON && str_ieq_cstr(media, "application/json")) {
		r->body_parser_kind = PARSER_JSON;
		buf_init(&r->json_body, r->arena, route->body_max);
	} else if (route->body == BODY_FORM && str_ieq_cstr(media, "application/x-www-form-urlencoded")) {
		r->body_parser_kind = PARSER_URLENC;
		limits.max_value = route->body_max;
		r->body_parser = urlenc_new(r->arena, &limits, &r->form);
	} else if (route->body == BODY_FORM && str_ieq_cstr(media, "multipart/form-data")) {
		const char *boundary;
		if (multipart_boundary(ctype, r->arena, &boundary) != 0) {
			fail_early(r, CAMPUS_EINVAL, "multipart boundary");
			return;
		}
		limits.max_file = route->body_max;
		r->body_parser_kind = PARSER_MULTIPART;
		r->body_parser = multipart_new(r->arena, boundary, &limits, &r->form);
	} else {
		fail_early(r, CAMPUS_EMEDIA, NULL);
		return;
	}
	if (r->body_parser_kind != PARSER_JSON && !r->body_parser)
		fail_early(r, CAMPUS_ENOMEM, NULL);
}

static void request_body(struct req *r, const char *data, size_t len)
{
	if (r->pending_error)
		return; /* the reply is decided; drain what the client still sends */
	r->body_seen += len;
	if (r->body_seen > r->match.route->body_max) {
		fail_early(r, CAMPUS_ETOOBIG, NULL);
		return;
	}
	int rc = 0;
	switch (r->body_parser_kind) {
	case PARSER_URLENC: rc = urlenc_feed(r->body_parser, data, len); break;
	case PARSER_MULTIPART: rc = multipart_feed(r->body_parser, data, len); break;
	case PARSER_JSON: rc = buf_append(&r->json_body, data, len); break;
	default: rc = CAMPUS_ETOOBIG; break;
	}
	if (rc)
		fail_early(r, rc, "body");
}

static int request_body_finish(struct req *r)
{
	switch (r->body_parser_kind) {
	case PARSER_URLENC: return urlenc_finish(r->body_parser);
	case PARSER_MULTIPART: return multipart_finish(r->body_parser);
	case PARSER_JSON: {
		json_error_t jerr;
		r->json = json_loadb(r->json_body.data ? r->json_body.data : "", r->json_body.len,
		                     JSON_REJECT_DUPLICATES, &jerr);
		if (!r->json) {
			r->pending_detail = arena_printf(r->arena, "%s %d, %s %d: %s",
			                                 req_tr(r, "JSON, regel"), jerr.line,
			                                 req_tr(r, "kolom"), jerr.column, jerr.text);
			return CAMPUS_EINVAL;
		}
		return 0;
	}
	default: return 0;
	}
}

/* Who is asking: the session cookie, resolved in the database. A session
 * brings its own CSRF token, which replaces the anonymous one. */
static int resolve_session(struct req *r)
{
	const char *token = req_cookie(r, SESSION_COOKIE);
	if (!token)
		return 0;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (!ctx.db)
		return CAMPUS_EUNAVAIL;
	struct auth_session s;
	int rc = auth_session_resume(&ctx, token, &s);
	if (rc == CAMPUS_EUNAUTH) {
		req_session_end(r); /* expired or unknown: drop the cookie */
		return 0;
	}
	if (rc)
		return rc;
	/* Half logged in (password right, second factor missing): the person is
	 * known only to the routes that finish the log-in; elsewhere they are
	 * anonymous, and pages behind a log-in send them to the next step. */
	r->second_factor = s.second_factor;
	if (!s.second_factor || (r->match.route->flags & ROUTE_SECOND_FACTOR)) {
		r->actor = ctx.actor;
		r->person_name = s.person_name;
	}
	r->session_token = arena_strdup(r->arena, token);
	r->csrf_token = arena_strdup(r->arena, s.csrf_token);
	r->csrf_cookie_new = false;
	return 0;
}

/* An organisation's system on a ROUTE_TOKEN route: "Authorization: Bearer
 * <token>" makes the token's actor; without the header the request stays
 * anonymous and the route's policy answers 401. */
static int resolve_token(struct req *r)
{
	const char *auth = req_header(r, "Authorization");
	if (!auth)
		return 0;
	if (strncasecmp(auth, "Bearer ", 7) != 0)
		return CAMPUS_EUNAUTH;
	struct ctx ctx;
	req_ctx(r, &ctx);
	if (!ctx.db)
		return CAMPUS_EUNAVAIL;
	return apitoken_authenticate(&ctx, auth + 7, &r->actor);
}

/* The organisation of a /b/:slug/ route; unknown slugs are 404. */
static int resolve_org(struct req *r)
{
	struct str raw = route_param(&r->match, "slug");
	if (!raw.ptr)
		return 0;
	const char *slug = req_param(r, "slug");
	if (!slug)
		return CAMPUS_ENOTFOUND;
	struct ctx ctx;
	req_ctx(r, &ctx);
	return org_get_by_slug(&ctx, slug, &r->org);
}

static void dispatch(struct req *r)
{
	const struct route *route = r->match.route;
	int rc = r->pending_error;
	if (!rc && r->body_parser_kind)
		rc = request_body_finish(r);
	if (!rc && !(route->flags & ROUTE_STATELESS))
		rc = resolve_session(r);
	if (!rc && (route->flags & ROUTE_TOKEN))
		rc = resolve_token(r);
	if (!rc && (r->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)) &&
	    !(route->flags & ROUTE_NO_CSRF) && !csrf_valid(r))
		rc = CAMPUS_EBADCSRF;
	if (!rc)
		rc = resolve_org(r);
	if (!rc)
		rc = authz_check(&r->actor, (enum authz_policy)route->policy, r->org.id);
	if (rc == CAMPUS_EUNAUTH && (route->flags & ROUTE_TOKEN))
		req_add_header(r, "WWW-Authenticate", "Bearer realm=\"campus\"");
	if (rc == CAMPUS_EUNAUTH && r->second_factor && !is_api_path(r->path)) {
		rc = reply_redirect(r, r->second_factor == SF_ENROL ? "/mijn/tweestaps" : "/inloggen/code");
		if (!rc)
			return;
	}
	if (rc == CAMPUS_EUNAUTH && !is_api_path(r->path) && r->method == HTTP_GET) {
		/* A page that needs a log-in: go there, and come back afterwards. */
		struct buf to;
		buf_init(&to, r->arena, 4096);
		buf_puts(&to, "/inloggen?terug=");
		buf_url_encode(&to, r->path, strlen(r->path));
		rc = to.overflow ? CAMPUS_ENOMEM : reply_redirect(r, to.data);
		if (!rc)
			return;
	}
	if (!rc)
		rc = route->handler(r);
	if (rc) {
		r->body.overflow = false;
		buf_clear(&r->body);
		r->body_static = NULL;
		reply_error(r, rc, r->pending_detail);
	}
}

static void add_security_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'self'; script-src 'self'; style-src 'self'; "
	                        "img-src 'self' data:; font-src 'self'; object-src 'none'; "
	                        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
	if (r->secure)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		                        "max-age=31536000; includeSubDomains");
}

static enum MHD_Result queue_reply(struct req *r)
{
	const void *body = r->body_static ? r->body_static : r->body.data;
	size_t len = r->body_static ? r->body_static_len : r->body.len;
	/* The bytes live in the request arena or in the static table; both outlive
	 * the response, which is gone before the completion callback frees the arena. */
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	add_security_headers(r, resp);
	bool cache_set = false;
	for (struct req_header *h = r->headers; h; h = h->next)
		cache_set = cache_set || strcasecmp(h->name, "Cache-Control") == 0;
	if (!cache_set)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (r->csrf_cookie_new && r->csrf_token && !r->body_static)
		req_set_cookie(r, "campus_csrf", r->csrf_token, 0);
	for (struct req_header *h = r->headers; h; h = h->next)
		MHD_add_response_header(resp, h->name, h->value);
	if (r->pending_error && r->match.route && r->match.route->body != BODY_NONE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(r->conn, r->status ? r->status : 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	(void)cls, (void)url, (void)conn;
	struct req *r = *con_cls;
	if (!r)
		return MHD_NO; /* cannot happen: on_uri always makes one */
	if (!r->started_routing) {
		r->started_routing = true;
		request_begin(r, method, version);
		/* A body we will refuse is not read: answer now (the connection closes). */
		if (r->pending_error && *upload_data_size == 0 &&
		    (req_header(r, "Content-Length") || req_header(r, "Transfer-Encoding"))) {
			dispatch(r);
			return queue_reply(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		request_body(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	dispatch(r);
	return queue_reply(r);
}

static const char *error_code_for_log(const struct req *r)
{
	return r->error ? campus_err_code(r->error) : "-";
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)conn, (void)toe;
	struct app *app = cls;
	struct req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	double dur = now_monotonic() - r->started;
	unsigned status = r->status ? r->status : 0;
	size_t bytes = r->body_static ? r->body_static_len : r->body.len;
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&metrics.by_class[status / 100], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NBUCKETS && dur > duration_buckets[b])
		b++;
	atomic_fetch_add_explicit(&metrics.buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics.duration_us, (unsigned long)(dur * 1e6), memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics.bytes_out, bytes, memory_order_relaxed);
	/* The path only: query strings may carry tokens, and they never reach a log. */
	/* A one-time link's token is in its path: log the route's pattern instead. */
	const char *logged_path = r->match.route && (r->match.route->flags & ROUTE_SECRET_PATH)
	                              ? r->match.route->pattern
	                              : r->path;
	log_info("msg=request id=%s method=%s path=%.200s route=%s status=%u bytes=%zu dur_ms=%.3f err=%s%s",
	         r->id, http_method_name(r->method), logged_path,
	         r->match.route ? r->match.route->name : "-", status, bytes, dur * 1000.0,
	         error_code_for_log(r),
	         toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	if (r->db)
		db_pool_release(app->db, r->db);
	multipart_cleanup(&r->form);
	if (r->json)
		json_decref(r->json);
	arena_give_back(r->arena);
	atomic_fetch_sub_explicit(&metrics.in_flight, 1, memory_order_relaxed);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_warn("msg=\"%s\" source=libmicrohttpd", line);
}

static unsigned core_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* The workers and who hands them connections. libmicrohttpd's own thread
 * pool lets whichever worker wakes first accept a burst of new connections
 * (up to ten in a row), so a burst lands on a few threads while the rest
 * idle; a request that blocks (an enrolment waiting for its batch, a slow
 * query) then holds up every other connection of its thread: measured in
 * the enrolment storm, 23 of 32 workers sat idle. Here one thread accepts
 * and gives each connection to the worker with the fewest (ties in turn);
 * each worker is a single-threaded daemon (epoll) with no listening socket
 * of its own. */
struct workers {
	struct MHD_Daemon **d;
	unsigned n, next;
	int lsock;
	atomic_bool stopping;
	pthread_t thread;
};

static struct MHD_Daemon *least_busy(struct workers *w)
{
	unsigned best = w->next % w->n, fewest = UINT_MAX;
	for (unsigned k = 0; k < w->n; k++) {
		unsigned i = (w->next + k) % w->n;
		const union MHD_DaemonInfo *info =
		    MHD_get_daemon_info(w->d[i], MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		unsigned c = info ? info->num_connections : 0;
		if (c < fewest) {
			best = i;
			fewest = c;
		}
	}
	w->next = best + 1;
	return w->d[best];
}

static void *accept_loop(void *cls)
{
	struct workers *w = cls;
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof addr;
		int fd = accept4(w->lsock, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (atomic_load(&w->stopping))
				break;
			if (errno != EINTR && errno != ECONNABORTED) {
				/* Out of descriptors or memory: wait rather than spin. */
				log_warn("msg=\"accept failed\" errno=%d", errno);
				struct timespec ts = {0, 50 * 1000 * 1000};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		/* On failure libmicrohttpd closes the socket itself. */
		MHD_add_connection(least_busy(w), fd, (struct sockaddr *)&addr, len);
	}
	return NULL;
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	/* SO_REUSEPORT: two processes may share the port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on)) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, SOMAXCONN)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void workers_stop(struct workers *w)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->d[i])
			MHD_stop_daemon(w->d[i]);
	free(w->d);
	w->d = NULL;
}

int server_run(struct app *app, struct buf *err)
{
	const struct config *cfg = app->cfg;
	char host[256];
	unsigned port;
	if (config_parse_listen(cfg->listen, host, sizeof host, &port)) {
		buf_printf(err, "listen: \"%s\" is not ADDR:PORT", cfg->listen);
		return CAMPUS_EINVAL;
	}
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
	                 MHD_USE_NO_LISTEN_SOCKET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sslen = sizeof *sin;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sslen = sizeof *sin6;
		flags |= MHD_USE_IPv6;
	} else {
		buf_printf(err, "listen: \"%s\" is not a numeric IP address", host);
		return CAMPUS_EINVAL;
	}
	unsigned threads = cfg->threads ? cfg->threads : core_count();

	/* Signals are taken by sigwait() below; worker threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	metrics.started_at = (double)time(NULL);
	struct workers w = {.n = threads, .lsock = listen_on(&ss, sslen)};
	w.d = xcalloc(threads, sizeof *w.d);
	bool up = w.lsock >= 0;
	for (unsigned i = 0; up && i < threads; i++) {
		w.d[i] = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, app,
		    MHD_OPTION_URI_LOG_CALLBACK, on_uri, app,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
		    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024,
		    /* 4096 in all, as before */
		    MHD_OPTION_CONNECTION_LIMIT, (4096u + threads - 1) / threads,
		    MHD_OPTION_END);
		up = w.d[i] != NULL;
	}
	if (up)
		up = pthread_create(&w.thread, NULL, accept_loop, &w) == 0;
	if (!up) {
		buf_printf(err, "cannot listen on %s (in use, or not an address of this machine)",
		           cfg->listen);
		if (w.lsock >= 0)
			close(w.lsock);
		workers_stop(&w);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return CAMPUS_EIO;
	}
	log_info("msg=listening listen=%s threads=%u version=%s", cfg->listen, threads, app->version);

	int sig = 0;
	sigwait(&set, &sig);
	log_info("msg=stopping signal=%s in_flight=%ld", sig == SIGTERM ? "TERM" : "INT",
	         atomic_load(&metrics.in_flight));
	/* Stop accepting, then give requests under way time to finish. Idle
	 * keep-alive connections do not count: they have no request. */
	atomic_store(&w.stopping, true);
	shutdown(w.lsock, SHUT_RDWR); /* wakes accept() */
	pthread_join(w.thread, NULL);
	close(w.lsock);
	double deadline = now_monotonic() + SHUTDOWN_GRACE_SECONDS;
	while (atomic_load(&metrics.in_flight) > 0 && now_monotonic() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	workers_stop(&w);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	log_info("msg=stopped");
	return 0;
}

void server_metrics_write(const struct app *app, struct buf *out)
{
	buf_printf(out, "# HELP campus_build_info Campus version.\n# TYPE campus_build_info gauge\n"
	                "campus_build_info{version=\"%s\"} 1\n", app->version);
	buf_printf(out, "# HELP campus_start_time_seconds Start of this process (epoch).\n"
	                "# TYPE campus_start_time_seconds gauge\ncampus_start_time_seconds %.0f\n",
	           metrics.started_at);
	buf_puts(out, "# HELP campus_http_requests_total Requests answered, by status class.\n"
	              "# TYPE campus_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		buf_printf(out, "campus_http_requests_total{code=\"%dxx\"} %lu\n", c,
		           atomic_load(&metrics.by_class[c]));
	buf_puts(out, "# HELP campus_http_request_duration_seconds Time to answer a request.\n"
	              "# TYPE campus_http_request_duration_seconds histogram\n");
	unsigned long cum = 0;
	for (size_t b = 0; b <= NBUCKETS; b++) {
		cum += atomic_load(&metrics.buckets[b]);
		if (b < NBUCKETS)
			buf_printf(out, "campus_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
			           duration_buckets[b], cum);
		else
			buf_printf(out, "campus_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	}
	buf_printf(out, "campus_http_request_duration_seconds_sum %.6f\n",
	           (double)atomic_load(&metrics.duration_us) / 1e6);
	buf_printf(out, "campus_http_request_duration_seconds_count %lu\n", cum);
	buf_printf(out, "# HELP campus_http_in_flight Requests being answered now.\n"
	                "# TYPE campus_http_in_flight gauge\ncampus_http_in_flight %ld\n",
	           atomic_load(&metrics.in_flight));
	buf_printf(out, "# HELP campus_http_response_bytes_total Body bytes sent.\n"
	                "# TYPE campus_http_response_bytes_total counter\n"
	                "campus_http_response_bytes_total %lu\n", atomic_load(&metrics.bytes_out));
}
