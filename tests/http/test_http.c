/* The HTTP suite: starts the real server ($CAMPUS_BIN serve) on a free
 * loopback port and checks its replies with libcurl and raw sockets: status,
 * headers and body of every case. It runs once per database (CAMPUS_TEST_DB:
 * sqlite:PATH or postgres://...), from the repository root so templates/ and
 * static/ are found. The server's log goes to var/test/http-server-<dialect>.log.
 *
 * Every reply fetched through fetch() is also checked for the security headers
 * (CSP, nosniff, Referrer-Policy, X-Request-Id, no HSTS on plain HTTP). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <zlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "view/i18n.h"

extern char **environ;

/* ---- checks with a message (cmocka's own macros print only the expression) */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

#define SERVER_START_TIMEOUT_MS 20000
#define SERVER_STOP_TIMEOUT_MS 35000

/* ---- the server under test */

struct server {
	pid_t pid;
	unsigned port;
	bool running;
};

static const char *campus_bin;
static const char *test_db;
static const char *dialect; /* "sqlite" or "postgres" */
static char log_path[256];
static struct server srv;
static struct server srv2; /* the graceful-shutdown case's own server */
static char *theme_before; /* /theme.css right after start, to see nothing changed */
static char *css_on_disk;  /* static/campus.css as the server should send it */
static size_t css_on_disk_len;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	unsigned port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Starts argv with stdin from /dev/null and stdout + stderr appended to the log. */
static int spawn(char *const argv[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	int rc = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		fprintf(stderr, "# cannot start %s: %s\n", argv[0], strerror(rc));
	return rc;
}

/* A marker line in the server log, so each start can be told apart. */
static void log_note(const char *what, const char *arg)
{
	FILE *f = fopen(log_path, "a");
	if (!f)
		return;
	fprintf(f, "# test_http: campus %s %s\n", what, arg);
	fclose(f);
}

/* Runs `campus --db DB <cmd>` to completion; its exit status, or -1. */
static int run_cli(const char *cmd)
{
	log_note(cmd, "");
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)cmd, NULL};
	pid_t pid;
	if (spawn(argv, &pid) != 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Waits for the server to exit: its exit status, 128+signal, or -1 on timeout
 * (the process is then killed so nothing outlives the suite). */
static int server_wait(struct server *s, double timeout_ms)
{
	if (!s->running)
		return -1;
	double deadline = now_ms() + timeout_ms;
	int status;
	for (;;) {
		pid_t r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid)
			break;
		if (r < 0 && errno != EINTR) {
			s->running = false;
			return -1;
		}
		if (now_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			s->running = false;
			fprintf(stderr, "# server did not exit within %.0f ms; killed\n",
			        timeout_ms);
			return -1;
		}
		sleep_ms(10);
	}
	s->running = false;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

static int server_stop(struct server *s)
{
	if (!s->running)
		return -1;
	kill(s->pid, SIGTERM);
	return server_wait(s, SERVER_STOP_TIMEOUT_MS);
}

static size_t discard_cb(char *p, size_t size, size_t n, void *cls)
{
	(void)p, (void)cls;
	return size * n;
}

static long probe_healthz(unsigned port)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", port);
	CURL *c = curl_easy_init();
	if (!c)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 500L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

/* Starts `campus serve` on a free port and waits until /healthz says 200. */
static int server_start(struct server *s)
{
	s->port = free_port();
	if (!s->port)
		return -1;
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", s->port);
	log_note("serve --listen", listen);
	char *argv[] = {(char *)campus_bin,
	                (char *)"--db",
	                (char *)test_db,
	                (char *)"serve",
	                (char *)"--listen",
	                listen,
	                NULL};
	if (spawn(argv, &s->pid) != 0)
		return -1;
	s->running = true;
	double deadline = now_ms() + SERVER_START_TIMEOUT_MS;
	while (now_ms() < deadline) {
		int status;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->running = false;
			fprintf(stderr, "# server exited at start (status %d); see %s\n", status,
			        log_path);
			return -1;
		}
		if (probe_healthz(s->port) == 200)
			return 0;
		sleep_ms(20);
	}
	fprintf(stderr, "# server gave no 200 on /healthz within %d ms; see %s\n",
	        SERVER_START_TIMEOUT_MS, log_path);
	server_stop(s);
	return -1;
}

/* ---- HTTP client */

#define MAX_HEADERS 64

struct resp {
	CURLcode rc;
	long status;
	struct arena *arena;
	struct buf body;
	unsigned nheaders;
	const char *hname[MAX_HEADERS];
	const char *hvalue[MAX_HEADERS];
	char curl_error[CURL_ERROR_SIZE];
};

struct rq {
	const char *method; /* NULL: GET, or POST when there is a body or a form */
	const char *path;
	const char *hdr[12]; /* extra request headers, "Name: value" */
	const char *cookie;  /* Cookie header value */
	const char *body;    /* sent as is */
	size_t body_len;     /* 0: strlen(body) */
	curl_mime *mime;     /* multipart/form-data body */
	bool path_as_is;     /* do not let curl squash "/../" */
	unsigned port;       /* 0: the suite's server */
	bool no_common_checks;
};

static size_t body_cb(char *p, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	buf_append(&r->body, p, size * n);
	return size * n;
}

/* One header line of the reply; a status line starts over (100 Continue). */
static size_t header_cb(char *p, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	size_t len = size * n;
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		r->nheaders = 0;
		return size * n;
	}
	const char *colon = memchr(p, ':', len);
	if (!colon || r->nheaders == MAX_HEADERS)
		return size * n;
	const char *v = colon + 1;
	const char *end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	r->hname[r->nheaders] = arena_strndup(r->arena, p, (size_t)(colon - p));
	r->hvalue[r->nheaders] = arena_strndup(r->arena, v, (size_t)(end - v));
	r->nheaders++;
	return size * n;
}

static const char *header(const struct resp *r, const char *name)
{
	for (unsigned i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hvalue[i];
	return NULL;
}

static unsigned header_count(const struct resp *r, const char *name)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->nheaders; i++)
		n += strcasecmp(r->hname[i], name) == 0;
	return n;
}

/* Value of a cookie set by the reply (NULL when not set); *max_age gets its
 * Max-Age or -1. */
static const char *set_cookie(const struct resp *r, const char *name, long *max_age)
{
	size_t nlen = strlen(name);
	for (unsigned i = 0; i < r->nheaders; i++) {
		const char *v = r->hvalue[i];
		if (strcasecmp(r->hname[i], "Set-Cookie") != 0 || strncmp(v, name, nlen) != 0 ||
		    v[nlen] != '=')
			continue;
		const char *val = v + nlen + 1;
		const char *semi = strchr(val, ';');
		if (max_age) {
			const char *ma = strcasestr(v, "Max-Age=");
			*max_age = ma ? strtol(ma + 8, NULL, 10) : -1;
		}
		return arena_strndup(r->arena, val, semi ? (size_t)(semi - val) : strlen(val));
	}
	return NULL;
}

static const char *body(const struct resp *r)
{
	return buf_cstr(&r->body);
}

static bool has(const struct resp *r, const char *needle)
{
	return r->body.len && memmem(r->body.data, r->body.len, needle, strlen(needle)) != NULL;
}

static void resp_fini(struct resp *r)
{
	buf_fini(&r->body);
	if (r->arena)
		arena_free(r->arena);
	memset(r, 0, sizeof *r);
}

static bool is_hex(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* What every reply carries, errors and static files included. */
static void check_common(const struct rq *q, const char *method, const struct resp *r)
{
	const char *csp = header(r, "Content-Security-Policy");
	CHECK(csp != NULL, "%s %s: no Content-Security-Policy", method, q->path);
	CHECK(strstr(csp, "frame-ancestors 'none'") != NULL,
	      "%s %s: CSP without frame-ancestors 'none': %s", method, q->path, csp);
	CHECK(strstr(csp, "default-src") != NULL, "%s %s: CSP without default-src: %s", method,
	      q->path, csp);
	CHECK(strstr(csp, "unsafe-inline") == NULL && strstr(csp, "unsafe-eval") == NULL,
	      "%s %s: CSP allows unsafe-*: %s", method, q->path, csp);
	const char *xcto = header(r, "X-Content-Type-Options");
	CHECK(xcto && strcasecmp(xcto, "nosniff") == 0, "%s %s: X-Content-Type-Options is %s",
	      method, q->path, xcto ? xcto : "(absent)");
	const char *rp = header(r, "Referrer-Policy");
	CHECK(rp && *rp, "%s %s: no Referrer-Policy", method, q->path);
	const char *id = header(r, "X-Request-Id");
	CHECK(is_hex(id, 16), "%s %s: X-Request-Id is %s, not 16 hex digits", method, q->path,
	      id ? id : "(absent)");
	CHECK(header(r, "Strict-Transport-Security") == NULL,
	      "%s %s: Strict-Transport-Security on plain HTTP", method, q->path);
}

static void fetch(struct resp *r, const struct rq *q)
{
	memset(r, 0, sizeof *r);
	r->arena = arena_new(0);
	buf_init(&r->body, NULL, 0);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	char url[4096];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", q->port ? q->port : srv.port, q->path);
	size_t body_len = q->body ? (q->body_len ? q->body_len : strlen(q->body)) : 0;
	const char *method = q->method ? q->method : (q->body || q->mime) ? "POST" : "GET";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->curl_error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (q->path_as_is)
		curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (q->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (q->mime)
		curl_easy_setopt(c, CURLOPT_MIMEPOST, q->mime);
	if (strcmp(method, "POST") != 0 || (!q->body && !q->mime))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	struct curl_slist *hl = NULL;
	for (size_t i = 0; i < sizeof q->hdr / sizeof q->hdr[0] && q->hdr[i]; i++)
		hl = curl_slist_append(hl, q->hdr[i]);
	if (q->cookie) {
		char *ch = arena_printf(r->arena, "Cookie: %s", q->cookie);
		hl = curl_slist_append(hl, ch);
	}
	if (q->body && !q->mime) {
		/* No default form type: every case names its Content-Type. */
		bool typed = false;
		for (size_t i = 0; i < sizeof q->hdr / sizeof q->hdr[0] && q->hdr[i]; i++)
			typed = typed || strncasecmp(q->hdr[i], "Content-Type:", 13) == 0;
		if (!typed)
			hl = curl_slist_append(hl,
			                       "Content-Type: application/x-www-form-urlencoded");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	CHECK(r->rc == CURLE_OK, "%s %s: %s (%s)", method, q->path, curl_easy_strerror(r->rc),
	      r->curl_error);
	if (!q->no_common_checks)
		check_common(q, method, r);
}

#define GET(r, p) fetch((r), &(struct rq){.path = (p)})

static void expect_status(const struct resp *r, long status, const char *what)
{
	CHECK(r->status == status, "%s: status %ld, expected %ld; body: %.300s", what, r->status,
	      status, body(r));
}

static void expect_type(const struct resp *r, const char *prefix, const char *what)
{
	const char *ct = header(r, "Content-Type");
	CHECK(ct && strncasecmp(ct, prefix, strlen(prefix)) == 0,
	      "%s: Content-Type %s, expected %s", what, ct ? ct : "(absent)", prefix);
}

/* The reply's JSON body (caller decrefs). */
static json_t *json_body(const struct resp *r, const char *what)
{
	expect_type(r, "application/json", what);
	json_error_t jerr;
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &jerr);
	CHECK(j != NULL, "%s: body is not JSON (%s): %.300s", what, jerr.text, body(r));
	return j;
}

static const char *jstr(json_t *obj, const char *path_a, const char *path_b)
{
	json_t *v = json_object_get(obj, path_a);
	if (path_b)
		v = json_object_get(v, path_b);
	return json_string_value(v);
}

/* {"error": {"code": code, "message": "...", "request_id": X-Request-Id}}; returns the object. */
static json_t *expect_json_error(const struct resp *r, long status, const char *code,
                                 const char *what)
{
	expect_status(r, status, what);
	json_t *j = json_body(r, what);
	const char *got = jstr(j, "error", "code");
	CHECK(got && strcmp(got, code) == 0, "%s: error.code %s, expected %s", what,
	      got ? got : "(none)", code);
	const char *msg = jstr(j, "error", "message");
	CHECK(msg && *msg, "%s: error.message missing", what);
	const char *rid = jstr(j, "error", "request_id");
	CHECK(rid && strcmp(rid, header(r, "X-Request-Id")) == 0,
	      "%s: error.request_id %s differs from X-Request-Id", what, rid ? rid : "(none)");
	return j;
}

/* An HTML page in the given language. */
static void expect_page(const struct resp *r, long status, const char *lang, const char *what)
{
	expect_status(r, status, what);
	expect_type(r, "text/html", what);
	char attr[32];
	snprintf(attr, sizeof attr, "<html lang=\"%s\"", lang);
	CHECK(has(r, attr), "%s: page is not %s", what, attr);
}

/* Contains the text as is or HTML-escaped (an apostrophe may come as &#39;). */
static bool has_text(const struct resp *r, const char *text)
{
	if (has(r, text))
		return true;
	struct buf esc;
	buf_init(&esc, NULL, 0);
	buf_html_escape(&esc, text, strlen(text));
	bool found = has(r, buf_cstr(&esc));
	buf_fini(&esc);
	return found;
}

/* The English for a Dutch msgid; fails when the catalogue has none (an
 * "English" page that is still Dutch would pass otherwise). */
static const char *english(const char *msgid)
{
	const char *en = i18n_gettext(LANG_EN, msgid);
	CHECK(en && strcmp(en, msgid) != 0, "no English translation of \"%s\" in the catalogue",
	      msgid);
	return en;
}

/* ---- a browser's cookie jar, as far as the suite needs one */

#define JAR_MAX 8

struct jar {
	unsigned n;
	char name[JAR_MAX][32];
	char value[JAR_MAX][128];
	char header[JAR_MAX * 164];
};

static void jar_set(struct jar *j, const char *name, const char *value, bool remove)
{
	unsigned i = 0;
	while (i < j->n && strcmp(j->name[i], name) != 0)
		i++;
	if (remove) {
		if (i < j->n) {
			j->n--;
			memmove(&j->name[i], &j->name[i + 1], (j->n - i) * sizeof j->name[0]);
			memmove(&j->value[i], &j->value[i + 1], (j->n - i) * sizeof j->value[0]);
		}
		return;
	}
	if (i == j->n) {
		assert_true(j->n < JAR_MAX);
		j->n++;
		assert_true(str_copy(j->name[i], sizeof j->name[i], name));
	}
	assert_true(str_copy(j->value[i], sizeof j->value[i], value));
}

static void jar_update(struct jar *j, const struct resp *r)
{
	for (unsigned i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->hname[i], "Set-Cookie") != 0)
			continue;
		const char *v = r->hvalue[i];
		const char *eq = strchr(v, '=');
		assert_non_null(eq);
		char name[32];
		assert_true((size_t)(eq - v) < sizeof name);
		memcpy(name, v, (size_t)(eq - v));
		name[eq - v] = '\0';
		long max_age;
		const char *value = set_cookie(r, name, &max_age);
		jar_set(j, name, value, max_age == 0);
	}
}

static const char *jar_cookie(struct jar *j)
{
	j->header[0] = '\0';
	for (unsigned i = 0; i < j->n; i++) {
		size_t len = strlen(j->header);
		snprintf(j->header + len, sizeof j->header - len, "%s%s=%s", i ? "; " : "",
		         j->name[i], j->value[i]);
	}
	return j->n ? j->header : NULL;
}

static const char *jar_get(const struct jar *j, const char *name)
{
	for (unsigned i = 0; i < j->n; i++)
		if (strcmp(j->name[i], name) == 0)
			return j->value[i];
	return NULL;
}

/* A fresh browser: GET path, keep its cookies; returns the CSRF token, which
 * must also be the one in the page's forms. */
static const char *browse(struct jar *j, const char *path)
{
	memset(j, 0, sizeof *j);
	struct resp r;
	GET(&r, path);
	expect_status(&r, 200, path);
	jar_update(j, &r);
	const char *tok = jar_get(j, "campus_csrf");
	CHECK(tok && strlen(tok) == 43, "GET %s: no campus_csrf cookie of 43 characters", path);
	char field[128];
	snprintf(field, sizeof field, "name=\"csrf_token\" value=\"%s\"", tok);
	CHECK(has(&r, field), "GET %s: the form's csrf_token is not the cookie's", path);
	resp_fini(&r);
	return tok;
}

/* ---- raw sockets, for what curl will not send */

static int raw_connect(unsigned port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void raw_send(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the server may close first: what it answered is what counts */
		data += n;
		len -= (size_t)n;
	}
}

/* Reads until the server closes or timeout_ms passes. */
static void raw_read(int fd, struct buf *out, int timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	char chunk[8192];
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left <= 0)
			return;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = poll(&p, 1, left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return;
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf_append(out, chunk, (size_t)n);
	}
}

/* Sends bytes on a new connection and returns what came back (heap buf). */
static void raw_exchange(const char *data, size_t len, struct buf *out)
{
	buf_init(out, NULL, 0);
	int fd = raw_connect(srv.port);
	assert_true(fd >= 0);
	raw_send(fd, data, len);
	raw_read(fd, out, 5000);
	close(fd);
}

static long raw_status(const struct buf *b)
{
	const char *s = buf_cstr(b);
	if (strncmp(s, "HTTP/1.", 7) != 0 || strlen(s) < 12)
		return 0;
	return strtol(s + 9, NULL, 10);
}

static void expect_healthy(const char *after)
{
	struct resp r;
	GET(&r, "/healthz");
	CHECK(r.status == 200, "server not healthy after %s: %ld", after, r.status);
	resp_fini(&r);
}

/* ---- helpers for bodies */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, NULL, 0);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data ? b.data : xstrdup("");
}

static int gunzip(const void *in, size_t len, struct buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	unsigned char chunk[16384];
	int rc;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		buf_append(out, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

/* A value of a metric line "name value" in a /metrics body; -1 when absent. */
static double metric(const struct resp *r, const char *name)
{
	const char *b = body(r);
	size_t n = strlen(name);
	for (const char *p = b; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* ---- cases: pages and languages */

static void test_home_dutch_by_default(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/");
	expect_page(&r, 200, "nl", "GET /");
	CHECK(has(&r, "Welkom bij Campus"), "GET /: no \"Welkom bij Campus\"");
	const char *cc = header(&r, "Cache-Control");
	CHECK(cc && strstr(cc, "no-store"),
	      "GET /: a page with a CSRF token must not be cached (%s)",
	      cc ? cc : "no Cache-Control");
	long max_age;
	const char *tok = set_cookie(&r, "campus_csrf", &max_age);
	CHECK(tok && strlen(tok) == 43, "GET /: no campus_csrf cookie for a new browser");
	resp_fini(&r);
}

static void expect_english_home(const struct resp *r, const char *what)
{
	expect_page(r, 200, "en", what);
	const char *welcome = english("Welkom bij Campus");
	CHECK(has_text(r, welcome), "%s: no \"%s\"", what, welcome);
	CHECK(!has(r, "Welkom bij Campus"), "%s: Dutch heading on the English page", what);
}

static void test_home_english_by_accept_language(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = "/", .hdr = {"Accept-Language: en-GB,en;q=0.9"}});
	expect_english_home(&r, "GET / (Accept-Language: en-GB,en;q=0.9)");
	resp_fini(&r);
	/* Dutch preferred over English stays Dutch. */
	fetch(&r, &(struct rq){.path = "/", .hdr = {"Accept-Language: nl-NL,nl;q=0.9,en;q=0.8"}});
	expect_page(&r, 200, "nl", "GET / (Accept-Language: nl-NL,nl;q=0.9,en;q=0.8)");
	resp_fini(&r);
}

static void test_home_english_by_cookie(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = "/", .cookie = "taal=en"});
	expect_english_home(&r, "GET / (Cookie: taal=en)");
	resp_fini(&r);
	/* The chosen language beats the browser's. */
	fetch(&r, &(struct rq){.path = "/", .cookie = "taal=nl", .hdr = {"Accept-Language: en"}});
	expect_page(&r, 200, "nl", "GET / (Cookie: taal=nl, Accept-Language: en)");
	resp_fini(&r);
}

static void test_security_headers(void **state)
{
	(void)state;
	/* fetch() checks every reply; here a page, an API reply, a static file and
	 * errors in a row, and that request ids are not reused. */
	static const char *const paths[] = {"/",          "/api/v1/status", "/static/campus.css",
	                                    "/theme.css", "/bestaat-niet",  "/api/v1/bestaat-niet"};
	char seen[6][17];
	for (size_t i = 0; i < 6; i++) {
		struct resp r;
		GET(&r, paths[i]);
		str_copy(seen[i], sizeof seen[i], header(&r, "X-Request-Id"));
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(seen[k], seen[i]) != 0, "X-Request-Id %s reused", seen[i]);
		resp_fini(&r);
	}
	struct resp r;
	GET(&r, "/");
	const char *xfo = header(&r, "X-Frame-Options");
	CHECK(xfo && strcasecmp(xfo, "DENY") == 0, "GET /: X-Frame-Options %s",
	      xfo ? xfo : "(absent)");
	const char *csp = header(&r, "Content-Security-Policy");
	CHECK(strstr(csp, "object-src 'none'") && strstr(csp, "base-uri"),
	      "GET /: CSP lacks object-src 'none' or base-uri: %s", csp);
	resp_fini(&r);
	/* A client's X-Forwarded-Proto does not switch HSTS on (trust_proxy is off). */
	fetch(&r, &(struct rq){.path = "/", .hdr = {"X-Forwarded-Proto: https"}});
	expect_status(&r, 200, "GET / (X-Forwarded-Proto: https)");
	resp_fini(&r);
}

static void test_language_switch(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/toegankelijkheid");
	char form[256];
	snprintf(form, sizeof form, "csrf_token=%s&taal=en&terug=%%2Ftoegankelijkheid", tok);
	struct resp r;
	fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
	expect_status(&r, 303, "POST /taal");
	const char *loc = header(&r, "Location");
	CHECK(loc && strcmp(loc, "/toegankelijkheid") == 0, "POST /taal: Location %s",
	      loc ? loc : "(absent)");
	long max_age;
	const char *taal = set_cookie(&r, "taal", &max_age);
	CHECK(taal && strcmp(taal, "en") == 0, "POST /taal: no Set-Cookie taal=en");
	CHECK(max_age > 0, "POST /taal: the language cookie should outlive the session");
	const char *sc = NULL;
	for (unsigned i = 0; i < r.nheaders; i++)
		if (strcasecmp(r.hname[i], "Set-Cookie") == 0 &&
		    strncmp(r.hvalue[i], "taal=", 5) == 0)
			sc = r.hvalue[i];
	CHECK(strcasestr(sc, "HttpOnly") && strcasestr(sc, "SameSite=Lax") &&
	          strcasestr(sc, "Path=/"),
	      "POST /taal: taal cookie attributes: %s", sc);
	CHECK(!strcasestr(sc, "Secure"), "POST /taal: Secure cookie on plain HTTP: %s", sc);
	jar_update(&jar, &r);
	resp_fini(&r);

	/* The redirect target, in English, with the message once. */
	fetch(&r, &(struct rq){.path = "/toegankelijkheid", .cookie = jar_cookie(&jar)});
	expect_page(&r, 200, "en", "GET /toegankelijkheid after the switch");
	const char *flash = english("De taal is gewijzigd.");
	CHECK(has_text(&r, flash), "GET /toegankelijkheid after the switch: no flash \"%s\"",
	      flash);
	CHECK(has(&r, "campus-flash"), "GET /toegankelijkheid after the switch: no flash block");
	const char *heading = english("Toegankelijkheidsverklaring");
	CHECK(has_text(&r, heading), "GET /toegankelijkheid after the switch: no \"%s\"", heading);
	jar_update(&jar, &r);
	resp_fini(&r);
	CHECK(jar_get(&jar, "flash") == NULL,
	      "the flash cookie was not cleared after it was shown");
	fetch(&r, &(struct rq){.path = "/toegankelijkheid", .cookie = jar_cookie(&jar)});
	expect_page(&r, 200, "en", "GET /toegankelijkheid again");
	CHECK(!has(&r, "campus-flash"), "GET /toegankelijkheid again: the flash is shown twice");
	resp_fini(&r);
}

static void expect_csrf_refused(const struct resp *r, const char *what)
{
	expect_page(r, 403, "nl", what);
	CHECK(has(r, "Het formulier is verlopen"), "%s: the page does not say the form expired",
	      what);
	CHECK(set_cookie(r, "taal", NULL) == NULL, "%s: the language was changed anyway", what);
	CHECK(set_cookie(r, "flash", NULL) == NULL, "%s: a flash was set anyway", what);
	CHECK(header(r, "Location") == NULL, "%s: redirected anyway", what);
}

static void test_language_switch_without_csrf(void **state)
{
	(void)state;
	struct resp r;
	/* No cookie, no field. */
	fetch(&r, &(struct rq){.path = "/taal", .body = "taal=en&terug=%2F"});
	expect_csrf_refused(&r, "POST /taal without token");
	resp_fini(&r);
	/* A field but no cookie (the double submit needs both). */
	struct jar jar;
	const char *tok = browse(&jar, "/");
	char form[256];
	snprintf(form, sizeof form, "csrf_token=%s&taal=en&terug=%%2F", tok);
	fetch(&r, &(struct rq){.path = "/taal", .body = form});
	expect_csrf_refused(&r, "POST /taal with a token field but no cookie");
	resp_fini(&r);
	/* The cookie but no field. */
	fetch(&r, &(struct rq){
	              .path = "/taal", .body = "taal=en&terug=%2F", .cookie = jar_cookie(&jar)});
	expect_csrf_refused(&r, "POST /taal with the cookie but no field");
	resp_fini(&r);
}

static void test_language_switch_wrong_csrf(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/");
	char wrong[44];
	str_copy(wrong, sizeof wrong, tok);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	char form[256];
	snprintf(form, sizeof form, "csrf_token=%s&taal=en&terug=%%2F", wrong);
	struct resp r;
	fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
	expect_csrf_refused(&r, "POST /taal with a wrong token");
	resp_fini(&r);
	/* A shorter prefix of the right token is wrong too. */
	snprintf(form, sizeof form, "csrf_token=%.20s&taal=en&terug=%%2F", tok);
	fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
	expect_csrf_refused(&r, "POST /taal with a truncated token");
	resp_fini(&r);
}

static void test_language_switch_no_open_redirect(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/");
	static const char *const targets[] = {"%2F%2Fevil.example", "https%3A%2F%2Fevil.example%2F",
	                                      "%2F%5Cevil.example", "evil.example"};
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char form[256];
		snprintf(form, sizeof form, "csrf_token=%s&taal=en&terug=%s", tok, targets[i]);
		struct resp r;
		fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
		expect_status(&r, 303, form);
		const char *loc = header(&r, "Location");
		CHECK(loc && strcmp(loc, "/") == 0, "POST /taal terug=%s: Location %s, expected /",
		      targets[i], loc ? loc : "(absent)");
		resp_fini(&r);
	}
}

/* What a browser makes of a Location: the URL parser drops tabs and newlines
 * first, so "/\t/evil.example" is "//evil.example", another site. */
static bool location_is_local(const char *loc)
{
	char clean[512];
	size_t n = 0;
	for (const char *p = loc; *p && n < sizeof clean - 1; p++)
		if (*p != '\t' && *p != '\r' && *p != '\n')
			clean[n++] = *p;
	clean[n] = '\0';
	return clean[0] == '/' && clean[1] != '/' && clean[1] != '\\';
}

static void test_language_switch_control_chars_in_terug(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/");
	static const char *const targets[] = {"%2F%09%2Fevil.example", "%2F%0A%2Fevil.example",
	                                      "%2F%0D%0ASet-Cookie%3A%20taal%3Dnl",
	                                      "%09%2F%2Fevil.example"};
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char form[256];
		snprintf(form, sizeof form, "csrf_token=%s&taal=en&terug=%s", tok, targets[i]);
		struct resp r;
		fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
		const char *loc = header(&r, "Location");
		/* Either refused, or sent somewhere on this site: never a 303 to
		 * nowhere, never to another host once the browser has cleaned it. */
		CHECK(r.status == 400 || (r.status == 303 && loc && location_is_local(loc)),
		      "POST /taal terug=%s: status %ld, Location %s", targets[i], r.status,
		      loc ? loc : "(absent)");
		for (unsigned k = 0; k < r.nheaders; k++)
			CHECK(!(strcasecmp(r.hname[k], "Set-Cookie") == 0 &&
			        strncmp(r.hvalue[k], "taal=nl", 7) == 0),
			      "POST /taal terug=%s: header injected", targets[i]);
		resp_fini(&r);
	}
}

/* ---- cases: errors and routing */

static void test_not_found_page(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/bestaat-niet");
	expect_page(&r, 404, "nl", "GET /bestaat-niet");
	CHECK(has(&r, "Pagina niet gevonden") && has(&r, "Deze pagina bestaat niet."),
	      "GET /bestaat-niet: not the Dutch 404 page");
	CHECK(has(&r, header(&r, "X-Request-Id")),
	      "GET /bestaat-niet: the page does not show the request id");
	resp_fini(&r);
	fetch(&r, &(struct rq){.path = "/bestaat-niet", .cookie = "taal=en"});
	expect_page(&r, 404, "en", "GET /bestaat-niet in English");
	CHECK(has_text(&r, english("Deze pagina bestaat niet.")),
	      "GET /bestaat-niet: not in English");
	resp_fini(&r);
}

static void test_not_found_api(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/api/v1/x");
	json_decref(expect_json_error(&r, 404, "not_found", "GET /api/v1/x"));
	resp_fini(&r);
}

static void test_method_not_allowed(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.method = "DELETE", .path = "/"});
	expect_page(&r, 405, "nl", "DELETE /");
	const char *allow = header(&r, "Allow");
	CHECK(allow && strstr(allow, "GET"), "DELETE /: Allow %s", allow ? allow : "(absent)");
	CHECK(!strstr(allow, "DELETE") && !strstr(allow, "POST"), "DELETE /: Allow %s", allow);
	resp_fini(&r);
	/* The API answers in JSON, with Allow too. */
	GET(&r, "/api/v1/templates/render");
	json_decref(
	    expect_json_error(&r, 405, "method_not_allowed", "GET /api/v1/templates/render"));
	allow = header(&r, "Allow");
	CHECK(allow && strstr(allow, "POST") && !strstr(allow, "GET"),
	      "GET /api/v1/templates/render: Allow %s", allow ? allow : "(absent)");
	resp_fini(&r);
	/* A method the server does not know at all. */
	fetch(&r, &(struct rq){.method = "BREW", .path = "/"});
	CHECK(r.status == 405 || r.status == 501 || r.status == 400, "BREW /: status %ld",
	      r.status);
	resp_fini(&r);
}

static void test_path_traversal(void **state)
{
	(void)state;
	static const char *const paths[] = {
	    "/static/../meson.build",
	    "/static/%2e%2e/meson.build",
	    "/static/%2E%2E/meson.build",
	    "/static/..%2fmeson.build",
	    "/static/..%5cmeson.build",
	    "//etc/passwd",
	    "/static//etc/passwd",
	    "/static/./campus.css/../../meson.build",
	    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
	    "/static/..",
	    "/static/%00campus.css",
	    "/static/campus.css%00.txt",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct resp r;
		fetch(&r, &(struct rq){.path = paths[i], .path_as_is = true});
		CHECK(r.status == 400 || r.status == 404, "GET %s: status %ld, expected 400 or 404",
		      paths[i], r.status);
		CHECK(!has(&r, "project('campus'") && !has(&r, "root:x:0:0") &&
		          !has(&r, ".campus-"),
		      "GET %s: file contents in the reply", paths[i]);
		expect_type(&r, "text/html", paths[i]);
		resp_fini(&r);
	}
	expect_healthy("path traversal attempts");
}

/* ---- cases: static files */

static void test_static_file(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/static/campus.css");
	expect_status(&r, 200, "GET /static/campus.css");
	expect_type(&r, "text/css", "GET /static/campus.css");
	const char *etag = header(&r, "ETag");
	CHECK(etag && strlen(etag) > 2 && etag[0] == '"' && etag[strlen(etag) - 1] == '"',
	      "GET /static/campus.css: ETag %s", etag ? etag : "(absent)");
	const char *cc = header(&r, "Cache-Control");
	CHECK(cc && strstr(cc, "max-age=") && !strstr(cc, "no-store"),
	      "GET /static/campus.css: Cache-Control %s", cc ? cc : "(absent)");
	CHECK(header_count(&r, "Cache-Control") == 1,
	      "GET /static/campus.css: %u Cache-Control headers",
	      header_count(&r, "Cache-Control"));
	CHECK(header(&r, "Content-Encoding") == NULL,
	      "GET /static/campus.css: encoded without being asked");
	CHECK(r.body.len == css_on_disk_len &&
	          memcmp(r.body.data, css_on_disk, css_on_disk_len) == 0,
	      "GET /static/campus.css: %zu bytes, not the %zu of static/campus.css", r.body.len,
	      css_on_disk_len);
	resp_fini(&r);
	GET(&r, "/static/bestaat-niet.css");
	expect_page(&r, 404, "nl", "GET /static/bestaat-niet.css");
	resp_fini(&r);
}

static void test_static_gzip(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = "/static/campus.css",
	                       .hdr = {"Accept-Encoding: gzip, deflate, br"}});
	expect_status(&r, 200, "GET /static/campus.css (gzip)");
	expect_type(&r, "text/css", "GET /static/campus.css (gzip)");
	const char *ce = header(&r, "Content-Encoding");
	CHECK(ce && strcmp(ce, "gzip") == 0, "GET /static/campus.css: Content-Encoding %s",
	      ce ? ce : "(absent)");
	const char *vary = header(&r, "Vary");
	CHECK(vary && strcasestr(vary, "Accept-Encoding"), "GET /static/campus.css (gzip): Vary %s",
	      vary ? vary : "(absent)");
	CHECK(r.body.len < css_on_disk_len, "gzip body (%zu) is not smaller than the file (%zu)",
	      r.body.len, css_on_disk_len);
	struct buf plain;
	buf_init(&plain, NULL, 0);
	CHECK(gunzip(r.body.data, r.body.len, &plain) == 0,
	      "GET /static/campus.css: body does not gunzip");
	CHECK(plain.len == css_on_disk_len && memcmp(plain.data, css_on_disk, plain.len) == 0,
	      "gunzipped body (%zu bytes) differs from static/campus.css (%zu bytes)", plain.len,
	      css_on_disk_len);
	buf_fini(&plain);
	resp_fini(&r);
	/* gzip;q=0 refuses it. */
	fetch(&r, &(struct rq){.path = "/static/campus.css",
	                       .hdr = {"Accept-Encoding: gzip;q=0, identity"}});
	expect_status(&r, 200, "GET /static/campus.css (gzip;q=0)");
	CHECK(header(&r, "Content-Encoding") == NULL, "gzip sent although gzip;q=0");
	CHECK(r.body.len == css_on_disk_len, "gzip;q=0: %zu bytes", r.body.len);
	resp_fini(&r);
}

static void test_static_not_modified(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/static/campus.css");
	char etag[128];
	CHECK(header(&r, "ETag") && str_copy(etag, sizeof etag, header(&r, "ETag")), "no ETag");
	resp_fini(&r);
	char inm[160];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	fetch(&r, &(struct rq){.path = "/static/campus.css", .hdr = {inm}});
	expect_status(&r, 304, "GET /static/campus.css (If-None-Match)");
	CHECK(r.body.len == 0, "304 with a body of %zu bytes", r.body.len);
	const char *e2 = header(&r, "ETag");
	CHECK(e2 && strcmp(e2, etag) == 0, "304: ETag %s, expected %s", e2 ? e2 : "(absent)", etag);
	resp_fini(&r);
	/* Weak comparison and lists. */
	snprintf(inm, sizeof inm, "If-None-Match: \"nope\", W/%s", etag);
	fetch(&r, &(struct rq){.path = "/static/campus.css", .hdr = {inm}});
	expect_status(&r, 304, "GET /static/campus.css (If-None-Match list with W/)");
	resp_fini(&r);
	/* Another tag: the full file. */
	fetch(&r, &(struct rq){.path = "/static/campus.css", .hdr = {"If-None-Match: \"0000\""}});
	expect_status(&r, 200, "GET /static/campus.css (other ETag)");
	CHECK(r.body.len == css_on_disk_len, "other ETag: %zu bytes", r.body.len);
	resp_fini(&r);
}

/* ---- cases: operations and small endpoints */

static void test_healthz(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/healthz");
	expect_status(&r, 200, "GET /healthz");
	json_t *j = json_body(&r, "GET /healthz");
	const char *status = jstr(j, "status", NULL), *db = jstr(j, "database", NULL);
	CHECK(status && strcmp(status, "ok") == 0, "GET /healthz: status %s",
	      status ? status : "(none)");
	CHECK(db && strcmp(db, "ok") == 0, "GET /healthz: database %s", db ? db : "(none)");
	json_decref(j);
	resp_fini(&r);
}

static void test_metrics(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/metrics");
	expect_status(&r, 200, "GET /metrics");
	expect_type(&r, "text/plain", "GET /metrics");
	CHECK(has(&r, "campus_http_requests_total"), "GET /metrics: no campus_http_requests_total");
	CHECK(has(&r, "campus_http_request_duration_seconds_bucket"),
	      "GET /metrics: no campus_http_request_duration_seconds_bucket");
	double ok = metric(&r, "campus_http_requests_total{code=\"2xx\"}");
	CHECK(ok >= 5, "GET /metrics: only %.0f 2xx requests counted", ok);
	double inf = metric(&r, "campus_http_request_duration_seconds_bucket{le=\"+Inf\"}");
	double count = metric(&r, "campus_http_request_duration_seconds_count");
	CHECK(inf > 0 && inf == count, "GET /metrics: +Inf bucket %.0f, count %.0f", inf, count);
	resp_fini(&r);
}

static void test_theme_css(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/theme.css");
	expect_status(&r, 200, "GET /theme.css");
	expect_type(&r, "text/css", "GET /theme.css");
	const char *p = strstr(body(&r), "--campus-brand-color:");
	CHECK(p != NULL, "GET /theme.css: no --campus-brand-color: %s", body(&r));
	p += strlen("--campus-brand-color:");
	while (*p == ' ')
		p++;
	CHECK(p[0] == '#' && is_hex(arena_strndup(r.arena, p + 1, 6), 6) && p[7] == ';',
	      "GET /theme.css: brand colour is not #rrggbb: %.20s", p);
	/* Revalidated on every page, so a new colour shows at once: one
	 * Cache-Control (no-cache), an ETag, and 304 while it is unchanged. */
	const char *cc = header(&r, "Cache-Control");
	CHECK(header_count(&r, "Cache-Control") == 1 && cc && strstr(cc, "no-cache"),
	      "GET /theme.css: %u Cache-Control headers, first %s",
	      header_count(&r, "Cache-Control"), cc ? cc : "(absent)");
	const char *etag = header(&r, "ETag");
	CHECK(etag && etag[0] == '"', "GET /theme.css: ETag %s", etag ? etag : "(absent)");
	char inm[128];
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	resp_fini(&r);
	fetch(&r, &(struct rq){.path = "/theme.css", .hdr = {inm}});
	expect_status(&r, 304, "GET /theme.css (If-None-Match)");
	CHECK(r.body.len == 0, "304 with a body of %zu bytes", r.body.len);
	resp_fini(&r);
}

static void test_api_status(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/api/v1/status");
	expect_status(&r, 200, "GET /api/v1/status");
	json_t *j = json_body(&r, "GET /api/v1/status");
	const char *service = jstr(j, "service", NULL), *version = jstr(j, "version", NULL),
	           *api = jstr(j, "api", NULL);
	CHECK(service && strcmp(service, "campus") == 0, "status: service %s",
	      service ? service : "(none)");
	CHECK(version && *version, "status: no version");
	CHECK(api && strcmp(api, "v1") == 0, "status: api %s", api ? api : "(none)");
	json_decref(j);
	resp_fini(&r);
}

/* ---- cases: the template API */

#define RENDER_PATH "/api/v1/templates/render"
#define JSON_TYPE "Content-Type: application/json"

static void test_api_render(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {JSON_TYPE},
	                       .body = "{\"template\":\"Beste {{naam}}, {{{html}}}\","
	                               "\"data\":{\"naam\":\"<Fatima>\",\"html\":\"<b>\"}}"});
	expect_status(&r, 200, "POST " RENDER_PATH);
	json_t *j = json_body(&r, "POST " RENDER_PATH);
	const char *out = jstr(j, "output", NULL);
	CHECK(out && strcmp(out, "Beste &lt;Fatima&gt;, <b>") == 0, "render: output %s",
	      out ? out : "(none)");
	json_decref(j);
	resp_fini(&r);
	/* Partials and a charset parameter on the type. */
	fetch(&r,
	      &(struct rq){
	          .path = RENDER_PATH,
	          .hdr = {"Content-Type: application/json; charset=utf-8"},
	          .body = "{\"template\":\"{{#items}}{{>rij}}{{/items}}\","
	                  "\"data\":{\"items\":[{\"n\":\"\xc3\xa9\xc3\xa9n\"},{\"n\":\"twee\"}]},"
	                  "\"partials\":{\"rij\":\"[{{n}}]\"}}"});
	expect_status(&r, 200, "POST " RENDER_PATH " (partials)");
	j = json_body(&r, "POST " RENDER_PATH " (partials)");
	out = jstr(j, "output", NULL);
	CHECK(out && strcmp(out, "[\xc3\xa9\xc3\xa9n][twee]") == 0,
	      "render with partials: output %s", out ? out : "(none)");
	json_decref(j);
	resp_fini(&r);
	/* No CSRF needed on the API, and a wrong shape is invalid_input. */
	fetch(&r,
	      &(struct rq){.path = RENDER_PATH, .hdr = {JSON_TYPE}, .body = "{\"template\":42}"});
	json_decref(expect_json_error(&r, 400, "invalid_input", "render {\"template\":42}"));
	resp_fini(&r);
}

static void test_api_render_template_error(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {JSON_TYPE},
	                       .body = "{\"template\":\"Hallo\\n{{#items}}x\",\"data\":{}}"});
	json_t *j = expect_json_error(&r, 400, "template_error", "render with an unclosed section");
	const char *detail = jstr(j, "error", "detail");
	CHECK(detail && strncmp(detail, "sjabloon:", 9) == 0 && isdigit((unsigned char)detail[9]),
	      "unclosed section: detail %s, expected sjabloon:LINE: ...",
	      detail ? detail : "(none)");
	char *end;
	long line = strtol(detail + 9, &end, 10);
	CHECK(line == 2 && *end == ':', "unclosed section on line 2: detail %s", detail);
	CHECK(strlen(end) > 2, "unclosed section: detail says nothing after the line: %s", detail);
	json_decref(j);
	resp_fini(&r);
}

static void test_api_malformed_json(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {JSON_TYPE},
	                       .body = "{\"template\": \"x\",\n \"data\": {\"a\": }}"});
	json_t *j = expect_json_error(&r, 400, "invalid_input", "render with malformed JSON");
	const char *detail = jstr(j, "error", "detail");
	CHECK(detail && (strstr(detail, "regel 2") || strstr(detail, "line 2")) &&
	          (strstr(detail, "kolom") || strstr(detail, "column")),
	      "malformed JSON: detail %s should name line 2 and the column",
	      detail ? detail : "(none)");
	json_decref(j);
	resp_fini(&r);
	/* Duplicate keys and an empty body are malformed too. */
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {JSON_TYPE},
	                       .body = "{\"template\":\"a\",\"template\":\"b\"}"});
	json_decref(expect_json_error(&r, 400, "invalid_input", "render with a duplicate key"));
	resp_fini(&r);
	fetch(&r, &(struct rq){.path = RENDER_PATH, .hdr = {JSON_TYPE}, .body = ""});
	json_decref(expect_json_error(&r, 400, "invalid_input", "render with an empty body"));
	resp_fini(&r);
}

static void test_api_wrong_content_type(void **state)
{
	(void)state;
	struct resp r;
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {"Content-Type: text/plain"},
	                       .body = "{\"template\":\"x\"}"});
	json_decref(expect_json_error(&r, 415, "unsupported_media_type", "render as text/plain"));
	resp_fini(&r);
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {"Content-Type: application/x-www-form-urlencoded"},
	                       .body = "template=x"});
	json_decref(expect_json_error(&r, 415, "unsupported_media_type", "render as a form"));
	resp_fini(&r);
}

static void test_api_body_too_large(void **state)
{
	(void)state;
	size_t n = 600 * 1024;
	char *big = xmalloc(n + 64);
	int len = snprintf(big, 64, "{\"template\":\"");
	memset(big + len, 'a', n);
	memcpy(big + len + n, "\"}", 3);
	struct resp r;
	fetch(&r, &(struct rq){.path = RENDER_PATH, .hdr = {JSON_TYPE}, .body = big});
	json_decref(expect_json_error(&r, 413, "too_large", "render with a 600 KiB body"));
	resp_fini(&r);
	/* Chunked (no Content-Length): the cap holds while the body streams in. */
	fetch(&r, &(struct rq){.path = RENDER_PATH,
	                       .hdr = {JSON_TYPE, "Transfer-Encoding: chunked"},
	                       .body = big});
	json_decref(expect_json_error(&r, 413, "too_large", "render with a 600 KiB chunked body"));
	resp_fini(&r);
	free(big);
	expect_healthy("an oversized JSON body");
}

/* ---- cases: forms */

static void test_form_body_too_large(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/");
	struct buf form;
	buf_init(&form, NULL, 0);
	buf_printf(&form, "csrf_token=%s&taal=en&terug=%%2F", tok);
	while (form.len <= 5000)
		buf_puts(&form, "a");
	struct resp r;
	fetch(&r, &(struct rq){.path = "/taal", .body = form.data, .cookie = jar_cookie(&jar)});
	expect_page(&r, 413, "nl", "POST /taal with a 5 KB form");
	CHECK(has(&r, "Wat u verstuurde is te groot."), "POST /taal 5 KB: not the Dutch message");
	CHECK(set_cookie(&r, "taal", NULL) == NULL,
	      "POST /taal 5 KB: the language was changed anyway");
	resp_fini(&r);
	buf_fini(&form);
	expect_healthy("an oversized form");
}

static void test_form_invalid_utf8(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/");
	static const char *const bad[] = {"taal=%FF&terug=%2F", "taal=en&terug=%2F%FF",
	                                  "taal=en&%FF=1", "taal=en&terug=%C0%AF",
	                                  "taal=en&terug=%2F%00"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char form[256];
		snprintf(form, sizeof form, "csrf_token=%s&%s", tok, bad[i]);
		struct resp r;
		fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
		expect_page(&r, 400, "nl", bad[i]);
		CHECK(set_cookie(&r, "taal", NULL) == NULL,
		      "POST /taal %s: the language was changed", bad[i]);
		resp_fini(&r);
	}
	/* A query string is checked as well. */
	struct resp r;
	GET(&r, "/?q=%FF");
	expect_page(&r, 400, "nl", "GET /?q=%FF");
	resp_fini(&r);
	/* An unknown language is refused. */
	char form[256];
	snprintf(form, sizeof form, "csrf_token=%s&taal=de&terug=%%2F", tok);
	fetch(&r, &(struct rq){.path = "/taal", .body = form, .cookie = jar_cookie(&jar)});
	expect_page(&r, 400, "nl", "POST /taal taal=de");
	CHECK(set_cookie(&r, "taal", NULL) == NULL,
	      "POST /taal taal=de: a language cookie was set");
	resp_fini(&r);
}

/* ---- cases: the template preview page */

static void test_template_preview_page(void **state)
{
	(void)state;
	struct resp r;
	GET(&r, "/sjablonen/voorbeeld");
	expect_page(&r, 200, "nl", "GET /sjablonen/voorbeeld");
	CHECK(has(&r, "<form") && has(&r, "action=\"/sjablonen/voorbeeld\"") &&
	          has(&r, "enctype=\"multipart/form-data\""),
	      "GET /sjablonen/voorbeeld: no multipart form");
	CHECK(has(&r, "name=\"sjabloon_bestand\"") && has(&r, "name=\"gegevens\""),
	      "GET /sjablonen/voorbeeld: form fields missing");
	CHECK(has(&r, "name=\"csrf_token\""), "GET /sjablonen/voorbeeld: no CSRF field");
	resp_fini(&r);
}

static curl_mime *preview_form(CURL **easy, const char *tok, const char *tmpl, const char *data)
{
	*easy = curl_easy_init();
	curl_mime *m = curl_mime_init(*easy);
	curl_mimepart *p = curl_mime_addpart(m);
	curl_mime_name(p, "csrf_token");
	curl_mime_data(p, tok, CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "sjabloon");
	curl_mime_data(p, "", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "sjabloon_bestand");
	curl_mime_filename(p, "brief.mustache");
	curl_mime_type(p, "text/plain");
	curl_mime_data(p, tmpl, CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "gegevens");
	curl_mime_data(p, data, CURL_ZERO_TERMINATED);
	return m;
}

static void test_template_preview_multipart(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/sjablonen/voorbeeld");
	CURL *easy;
	curl_mime *m =
	    preview_form(&easy, tok, "Beste {{naam}}!\n{{#boeken}}- {{titel}}\n{{/boeken}}",
	                 "{\"naam\": \"<Fatima>\", \"boeken\": [{\"titel\": \"Max & Moritz\"}]}");
	struct resp r;
	fetch(&r,
	      &(struct rq){.path = "/sjablonen/voorbeeld", .mime = m, .cookie = jar_cookie(&jar)});
	expect_page(&r, 200, "nl", "POST /sjablonen/voorbeeld (multipart)");
	/* The output is "Beste &lt;Fatima&gt;!" and the page shows it as text. */
	CHECK(has(&r, "Beste &amp;lt;Fatima&amp;gt;!"), "preview: escaped output missing: %s",
	      strstr(body(&r), "<pre") ? strstr(body(&r), "<pre") : body(&r));
	CHECK(has(&r, "- Max &amp;amp; Moritz"), "preview: section output missing");
	CHECK(!has(&r, "<Fatima>"), "preview: unescaped input on the page");
	resp_fini(&r);
	curl_mime_free(m);
	curl_easy_cleanup(easy);

	/* Without the CSRF token: refused. */
	m = preview_form(&easy, "", "Beste {{naam}}", "{}");
	fetch(&r,
	      &(struct rq){.path = "/sjablonen/voorbeeld", .mime = m, .cookie = jar_cookie(&jar)});
	expect_page(&r, 403, "nl", "POST /sjablonen/voorbeeld without a token");
	resp_fini(&r);
	curl_mime_free(m);
	curl_easy_cleanup(easy);

	/* A template error is shown on the page as 400, with the line. */
	m = preview_form(&easy, tok, "Hallo {{#x}}", "{}");
	fetch(&r,
	      &(struct rq){.path = "/sjablonen/voorbeeld", .mime = m, .cookie = jar_cookie(&jar)});
	expect_page(&r, 400, "nl", "POST /sjablonen/voorbeeld with a broken template");
	CHECK(has(&r, "sjabloon:1:"), "preview: the error does not name sjabloon:1:");
	resp_fini(&r);
	curl_mime_free(m);
	curl_easy_cleanup(easy);
}

static void test_multipart_broken(void **state)
{
	(void)state;
	struct jar jar;
	const char *tok = browse(&jar, "/sjablonen/voorbeeld");
	char raw[1024];
	snprintf(
	    raw, sizeof raw,
	    "--XyZzy\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n"
	    "--XyZzy\r\nContent-Disposition: form-data; name=\"sjabloon\"\r\n\r\nHallo {{naam}}\r\n"
	    "--XyZzy\r\nContent-Disposition: form-data; name=\"gegevens\"\r\n\r\n{}",
	    tok);
	struct resp r;
	fetch(&r, &(struct rq){.path = "/sjablonen/voorbeeld",
	                       .body = raw,
	                       .cookie = jar_cookie(&jar),
	                       .hdr = {"Content-Type: multipart/form-data; boundary=XyZzy"}});
	expect_page(&r, 400, "nl", "POST /sjablonen/voorbeeld, multipart without closing boundary");
	resp_fini(&r);
	/* No boundary parameter at all. */
	fetch(&r, &(struct rq){.path = "/sjablonen/voorbeeld",
	                       .body = raw,
	                       .cookie = jar_cookie(&jar),
	                       .hdr = {"Content-Type: multipart/form-data"}});
	expect_page(&r, 400, "nl", "POST /sjablonen/voorbeeld, multipart without boundary");
	resp_fini(&r);
	expect_healthy("broken multipart bodies");
}

/* ---- cases: the connection level */

static void test_raw_malformed_requests(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nThis is not a header\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12abc\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct buf out;
		raw_exchange(bad[i], strlen(bad[i]), &out);
		long status = raw_status(&out);
		CHECK(status == 400, "raw request %zu: answer %.80s, expected 400", i,
		      buf_cstr(&out));
		buf_fini(&out);
		expect_healthy("a malformed request");
	}
	/* A request line that is not HTTP at all: libmicrohttpd may answer 400 or just close. */
	static const char garbage[] =
	    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 GARBAGE\r\n\r\n";
	struct buf out;
	raw_exchange(garbage, sizeof garbage - 1, &out);
	long status = raw_status(&out);
	CHECK(out.len == 0 || status == 400 || status == 505,
	      "TLS-looking garbage: answer %.80s, expected 400 or a closed connection",
	      buf_cstr(&out));
	buf_fini(&out);
	/* A request line longer than the connection's memory. */
	struct buf huge;
	buf_init(&huge, NULL, 0);
	buf_puts(&huge, "GET /");
	for (int i = 0; i < 100 * 1024; i++)
		buf_putc(&huge, 'a');
	buf_puts(&huge, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	raw_exchange(huge.data, huge.len, &out);
	status = raw_status(&out);
	CHECK(out.len == 0 || (status >= 400 && status < 500),
	      "100 KiB request line: answer %.80s, expected 4xx or a closed connection",
	      buf_cstr(&out));
	buf_fini(&out);
	buf_fini(&huge);
	expect_healthy("an oversized request line");
}

/* RFC 9112 3.2: "A server MUST respond with a 400 (Bad Request) status code to
 * any HTTP/1.1 request message that lacks a Host header field". */
static void test_raw_missing_host(void **state)
{
	(void)state;
	static const char req[] = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
	struct buf out;
	raw_exchange(req, sizeof req - 1, &out);
	CHECK(raw_status(&out) == 400, "HTTP/1.1 without Host: answer %.80s, expected 400",
	      buf_cstr(&out));
	buf_fini(&out);
	/* HTTP/1.0 needs no Host. */
	static const char req10[] = "GET /healthz HTTP/1.0\r\n\r\n";
	raw_exchange(req10, sizeof req10 - 1, &out);
	CHECK(raw_status(&out) == 200, "HTTP/1.0 without Host: answer %.80s, expected 200",
	      buf_cstr(&out));
	buf_fini(&out);
	expect_healthy("a request without Host");
}

static void test_upload_to_get_route(void **state)
{
	(void)state;
	char *big = xmalloc(256 * 1024 + 1);
	memset(big, 'x', 256 * 1024);
	big[256 * 1024] = '\0';
	struct resp r;
	/* POST to a GET-only route. */
	fetch(&r, &(struct rq){.path = "/healthz",
	                       .body = big,
	                       .hdr = {"Content-Type: application/octet-stream"}});
	CHECK(r.status == 405 || r.status == 413, "POST /healthz with 256 KiB: status %ld",
	      r.status);
	resp_fini(&r);
	/* GET with a body on a route that takes none. */
	fetch(&r, &(struct rq){.method = "GET",
	                       .path = "/",
	                       .body = big,
	                       .hdr = {"Content-Type: application/octet-stream"}});
	CHECK(r.status == 413 || r.status == 405 || r.status == 400,
	      "GET / with 256 KiB: status %ld", r.status);
	CHECK(!has(&r, "Welkom bij Campus"), "GET / with a body was answered as a normal page");
	resp_fini(&r);
	/* A file upload to the static route. */
	CURL *easy = curl_easy_init();
	curl_mime *m = curl_mime_init(easy);
	curl_mimepart *p = curl_mime_addpart(m);
	curl_mime_name(p, "bestand");
	curl_mime_filename(p, "evil.css");
	curl_mime_data(p, big, CURL_ZERO_TERMINATED);
	fetch(&r, &(struct rq){.method = "PUT", .path = "/static/evil.css", .mime = m});
	CHECK(r.status == 405 || r.status == 413, "PUT /static/evil.css: status %ld", r.status);
	resp_fini(&r);
	curl_mime_free(m);
	curl_easy_cleanup(easy);
	free(big);
	GET(&r, "/static/evil.css");
	expect_status(&r, 404, "GET /static/evil.css after the upload");
	resp_fini(&r);
	expect_healthy("uploads to routes without a body");
}

/* After all the bad input: still healthy, nothing stored, no 5xx. */
static void test_state_unchanged(void **state)
{
	(void)state;
	expect_healthy("the bad-input cases");
	struct resp r;
	GET(&r, "/theme.css");
	expect_status(&r, 200, "GET /theme.css");
	CHECK(theme_before && strcmp(body(&r), theme_before) == 0,
	      "settings changed: /theme.css was\n%s\nis\n%s",
	      theme_before ? theme_before : "(none)", body(&r));
	resp_fini(&r);
	/* Every earlier request has completed (a request the server forgot would
	 * also hold up shutdown); completion may trail the reply by a moment. */
	double in_flight = -1, err5 = -1;
	for (double deadline = now_ms() + 2000; now_ms() < deadline; sleep_ms(10)) {
		GET(&r, "/metrics");
		expect_status(&r, 200, "GET /metrics");
		err5 = metric(&r, "campus_http_requests_total{code=\"5xx\"}");
		in_flight = metric(&r, "campus_http_in_flight");
		resp_fini(&r);
		if (in_flight == 1)
			break;
	}
	CHECK(err5 == 0, "bad input produced %.0f server errors (5xx); see %s", err5, log_path);
	CHECK(in_flight == 1, "campus_http_in_flight %.0f with only /metrics under way", in_flight);
	/* A fresh browser is still Dutch: no language leaked from earlier cases. */
	GET(&r, "/");
	expect_page(&r, 200, "nl", "GET / at the end");
	resp_fini(&r);
}

/* ---- graceful shutdown, in a server of its own */

static void test_graceful_shutdown(void **state)
{
	(void)state;
	struct server *s = &srv2;
	assert_int_equal(server_start(s), 0);
	static const char payload[] =
	    "{\"template\":\"Tot ziens, {{naam}}.\",\"data\":{\"naam\":\"Fatima & co\"}}";
	size_t plen = sizeof payload - 1, half = plen / 2;
	char head[512];
	int hlen = snprintf(head, sizeof head,
	                    "POST " RENDER_PATH " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	                    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	                    "Connection: close\r\n\r\n",
	                    s->port, plen);
	int fd = raw_connect(s->port);
	assert_true(fd >= 0);
	raw_send(fd, head, (size_t)hlen);
	raw_send(fd, payload, half);

	/* Wait until the server counts the request as under way (the /metrics
	 * request itself is the other one). */
	double deadline = now_ms() + 5000;
	double in_flight = 0;
	while (now_ms() < deadline) {
		struct resp r;
		fetch(&r, &(struct rq){.path = "/metrics", .port = s->port});
		in_flight = metric(&r, "campus_http_in_flight");
		resp_fini(&r);
		if (in_flight >= 2)
			break;
		sleep_ms(10);
	}
	CHECK(in_flight >= 2, "the half-sent request never showed as in flight (%.0f)", in_flight);

	assert_int_equal(kill(s->pid, SIGTERM), 0);
	/* The server has taken the signal when it stops accepting connections. */
	deadline = now_ms() + 5000;
	bool refused = false;
	while (!refused && now_ms() < deadline) {
		int probe = raw_connect(s->port);
		if (probe < 0)
			refused = true;
		else {
			close(probe);
			sleep_ms(10);
		}
	}
	CHECK(refused, "the server still accepts connections 5 s after SIGTERM");
	CHECK(waitpid(s->pid, NULL, WNOHANG) == 0, "the server exited with a request under way");

	raw_send(fd, payload + half, plen - half);
	struct buf out;
	buf_init(&out, NULL, 0);
	raw_read(fd, &out, 10000);
	close(fd);
	const char *reply = buf_cstr(&out);
	CHECK(raw_status(&out) == 200, "request under way at SIGTERM: answer %.200s", reply);
	const char *sep = strstr(reply, "\r\n\r\n");
	CHECK(sep != NULL, "no end of headers in %.200s", reply);
	const char *cl = strcasestr(reply, "\r\nContent-Length:");
	CHECK(cl && cl < sep, "no Content-Length in %.200s", reply);
	size_t want = strtoul(cl + 17, NULL, 10);
	size_t got = out.len - (size_t)(sep + 4 - reply);
	CHECK(got == want, "body cut short: %zu of %zu bytes", got, want);
	json_error_t jerr;
	json_t *j = json_loads(sep + 4, 0, &jerr);
	CHECK(j != NULL, "reply body is not JSON: %s", sep + 4);
	const char *o = jstr(j, "output", NULL);
	CHECK(o && strcmp(o, "Tot ziens, Fatima &amp; co.") == 0, "output %s", o ? o : "(none)");
	json_decref(j);
	buf_fini(&out);

	int status = server_wait(s, SERVER_STOP_TIMEOUT_MS);
	CHECK(status == 0, "server exited with %d after SIGTERM, expected 0; see %s", status,
	      log_path);
}

/* ---- group setup and teardown */

static int group_setup(void **state)
{
	(void)state;
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	const char *locale_dir = getenv("CAMPUS_LOCALE_DIR");
	if (!locale_dir || !*locale_dir) {
		locale_dir = "build/po";
		setenv("CAMPUS_LOCALE_DIR", locale_dir, 1);
	}
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/http.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	/* The server's own settings from the environment would change what we test. */
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_HSTS");
	unsetenv("CAMPUS_TRUST_PROXY");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/http-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;

	struct buf err;
	buf_init(&err, NULL, 0);
	int rc = i18n_load(locale_dir, &err);
	if (rc)
		fprintf(stderr, "# %s\n", buf_cstr(&err));
	buf_fini(&err);
	css_on_disk = read_file("static/campus.css", &css_on_disk_len);
	if (rc || !css_on_disk) {
		fprintf(stderr, "# run from the repository root (static/campus.css)\n");
		return -1;
	}

	if (run_cli("migrate") != 0 || run_cli("demo") != 0) {
		fprintf(stderr, "# campus migrate/demo failed on %s; see %s\n", test_db, log_path);
		return -1;
	}
	if (server_start(&srv) != 0)
		return -1;
	struct resp r;
	memset(&r, 0, sizeof r);
	r.arena = arena_new(0);
	buf_init(&r.body, NULL, 0);
	CURL *c = curl_easy_init();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/theme.css", srv.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_cleanup(c);
	if (r.status == 200)
		theme_before = xstrdup(body(&r));
	resp_fini(&r);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (srv2.running)
		server_stop(&srv2);
	int status = srv.running ? server_stop(&srv) : 0;
	if (status != 0)
		fprintf(stderr, "# server exited with %d after SIGTERM, expected 0; see %s\n",
		        status, log_path);
	free(theme_before);
	free(css_on_disk);
	i18n_unload();
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_home_dutch_by_default),
	    cmocka_unit_test(test_home_english_by_accept_language),
	    cmocka_unit_test(test_home_english_by_cookie),
	    cmocka_unit_test(test_security_headers),
	    cmocka_unit_test(test_language_switch),
	    cmocka_unit_test(test_language_switch_without_csrf),
	    cmocka_unit_test(test_language_switch_wrong_csrf),
	    cmocka_unit_test(test_language_switch_no_open_redirect),
	    cmocka_unit_test(test_language_switch_control_chars_in_terug),
	    cmocka_unit_test(test_not_found_page),
	    cmocka_unit_test(test_not_found_api),
	    cmocka_unit_test(test_method_not_allowed),
	    cmocka_unit_test(test_path_traversal),
	    cmocka_unit_test(test_static_file),
	    cmocka_unit_test(test_static_gzip),
	    cmocka_unit_test(test_static_not_modified),
	    cmocka_unit_test(test_healthz),
	    cmocka_unit_test(test_metrics),
	    cmocka_unit_test(test_theme_css),
	    cmocka_unit_test(test_api_status),
	    cmocka_unit_test(test_api_render),
	    cmocka_unit_test(test_api_render_template_error),
	    cmocka_unit_test(test_api_malformed_json),
	    cmocka_unit_test(test_api_wrong_content_type),
	    cmocka_unit_test(test_api_body_too_large),
	    cmocka_unit_test(test_form_body_too_large),
	    cmocka_unit_test(test_form_invalid_utf8),
	    cmocka_unit_test(test_template_preview_page),
	    cmocka_unit_test(test_template_preview_multipart),
	    cmocka_unit_test(test_multipart_broken),
	    cmocka_unit_test(test_raw_malformed_requests),
	    cmocka_unit_test(test_raw_missing_host),
	    cmocka_unit_test(test_upload_to_get_route),
	    cmocka_unit_test(test_state_unchanged),
	    cmocka_unit_test(test_graceful_shutdown),
	};
	return cmocka_run_group_tests_name("http", tests, group_setup, group_teardown);
}
