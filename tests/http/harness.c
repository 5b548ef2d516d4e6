/* The shared part of the HTTP suites; see harness.h. Copied from what
 * test_auth and test_mail each carried, unchanged in behaviour. */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/str.h"
#include "db/db.h"

extern char **environ;

const char *suite_name = "test";
const char *campus_bin;
const char *test_db;
char log_path[256];
unsigned srv_port;

static pid_t srv_pid;
static bool srv_running;

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

unsigned pick_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	unsigned port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* argv with stdin from /dev/null, stdout to out_path (the server log when
 * NULL) and stderr to the server log. */
int start_process(char *const argv[], const char *out_path, pid_t *pid)
{
	FILE *f = fopen(log_path, "a");
	if (f) {
		fprintf(f, "# %s:", suite_name);
		for (int i = 0; argv[i]; i++)
			fprintf(f, " %s", argv[i]);
		fputc('\n', f);
		fclose(f);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : log_path,
	                                 O_WRONLY | O_CREAT | (out_path ? O_TRUNC : O_APPEND), 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int rc = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		fprintf(stderr, "# cannot start %s: %s\n", argv[0], strerror(rc));
	return rc;
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return xstrdup("");
	struct buf b;
	buf_init(&b, NULL, 0);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	char *s = xstrdup(buf_cstr(&b));
	buf_fini(&b);
	return s;
}


int wait_exit(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* SIGTERM and wait: the exit status, or -1 (killed after the timeout). */
int stop_child(pid_t pid, bool *running)
{
	if (!*running)
		return -1;
	kill(pid, SIGTERM);
	*running = false;
	int status;
	for (double end = now_ms() + STOP_TIMEOUT_MS; now_ms() < end; sleep_ms(10)) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fprintf(stderr, "# pid %d did not stop within %d ms; killed\n", (int)pid, STOP_TIMEOUT_MS);
	return -1;
}

/* healthz() wants the status only. */
static size_t sink(char *p, size_t size, size_t n, void *cls)
{
	(void)p, (void)cls;
	return size * n;
}

long healthz(unsigned port)
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
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

int server_start(unsigned port)
{
	srv_port = port ? port : pick_port();
	if (!srv_port)
		return -1;
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", srv_port);
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"serve",
	                (char *)"--listen", listen, NULL};
	if (start_process(argv, NULL, &srv_pid))
		return -1;
	srv_running = true;
	for (double end = now_ms() + START_TIMEOUT_MS; now_ms() < end; sleep_ms(20)) {
		int status;
		if (waitpid(srv_pid, &status, WNOHANG) == srv_pid) {
			srv_running = false;
			fprintf(stderr, "# the server exited at start (status %d); see %s\n", status,
			        log_path);
			return -1;
		}
		if (healthz(srv_port) == 200)
			return 0;
	}
	fprintf(stderr, "# no 200 from /healthz within %d ms; see %s\n", START_TIMEOUT_MS, log_path);
	return -1;
}

int server_stop(void) { return stop_child(srv_pid, &srv_running); }

/* ---- the database */

DB_STMT(stmt_audit_count, "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = $2");

struct db_conn *db_connect(void)
{
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db = NULL;
	if (db_open(test_db, 0, &db, &err) != 0) {
		fprintf(stderr, "# cannot open %s: %s\n", test_db, buf_cstr(&err));
		db = NULL;
	}
	buf_fini(&err);
	return db;
}

/* A count from the audit log; -1 when it cannot be read. */
int64_t audit_count(const char *action, const char *result)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int64_t n = -1;
	if (db_query_row(db, &stmt_audit_count,
	                 (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(result), DBP_END},
	                 (const struct db_col[]){DBC_INT(&n), DBC_END}, a) != 0)
		n = -1;
	arena_free(a);
	db_close(db);
	return n;
}

/* ---- HTTP */

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	struct resp *r = cls;
	buf_append(&r->body, p, size * n);
	return size * n;
}

/* One header line of the reply; a status line starts over (100 Continue). */
static size_t on_header(char *p, size_t size, size_t n, void *cls)
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
	while (v < p + len && (*v == ' ' || *v == '\t'))
		v++;
	r->hname[r->nheaders] = arena_strndup(r->arena, p, (size_t)(colon - p));
	r->hvalue[r->nheaders] = arena_strndup(r->arena, v, (size_t)(p + len - v));
	r->nheaders++;
	return size * n;
}

const char *header(const struct resp *r, const char *name)
{
	for (unsigned i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hvalue[i];
	return NULL;
}

const char *body(const struct resp *r) { return buf_cstr(&r->body); }

bool has(const struct resp *r, const char *needle)
{
	return r->body.len && memmem(r->body.data, r->body.len, needle, strlen(needle)) != NULL;
}

/* The text as is or as the templates escape it. */
bool has_text(const struct resp *r, const char *text)
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

void resp_fini(struct resp *r)
{
	buf_fini(&r->body);
	if (r->arena)
		arena_free(r->arena);
	memset(r, 0, sizeof *r);
}

/* The last Set-Cookie for name (what a browser ends up with): its whole
 * header value, or NULL. */
const char *set_cookie_line(const struct resp *r, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (unsigned i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->hname[i], "Set-Cookie") == 0 && strncmp(r->hvalue[i], name, n) == 0 &&
		    r->hvalue[i][n] == '=')
			found = r->hvalue[i];
	return found;
}

/* The value of a Set-Cookie line (in the reply's arena). */
const char *cookie_value(const struct resp *r, const char *line)
{
	if (!line)
		return NULL;
	const char *v = strchr(line, '=') + 1;
	const char *semi = strchr(v, ';');
	return arena_strndup(r->arena, v, semi ? (size_t)(semi - v) : strlen(v));
}


bool cookie_deleted(const char *line)
{
	return line && (strcasestr(line, "Max-Age=0") || strstr(line, "=;") == strchr(line, '='));
}

void br_set(struct browser *b, const char *name, const char *value)
{
	unsigned i = 0;
	while (i < b->n && strcmp(b->name[i], name) != 0)
		i++;
	if (!value) {
		if (i < b->n) {
			b->n--;
			memmove(b->name[i], b->name[i + 1], (b->n - i) * sizeof b->name[0]);
			memmove(b->value[i], b->value[i + 1], (b->n - i) * sizeof b->value[0]);
		}
		return;
	}
	if (i == b->n) {
		assert_true(b->n < JAR);
		assert_true(str_copy(b->name[b->n++], sizeof b->name[0], name));
	}
	assert_true(str_copy(b->value[i], sizeof b->value[0], value));
}

/* Every Set-Cookie in order, as a browser applies them. */
void br_update(struct browser *b, const struct resp *r)
{
	for (unsigned i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->hname[i], "Set-Cookie") != 0)
			continue;
		const char *line = r->hvalue[i];
		const char *eq = strchr(line, '=');
		if (!eq || (size_t)(eq - line) >= sizeof b->name[0])
			continue;
		char name[32];
		memcpy(name, line, (size_t)(eq - line));
		name[eq - line] = '\0';
		br_set(b, name, cookie_deleted(line) ? NULL : cookie_value(r, line));
	}
}

const char *br_header(struct browser *b)
{
	b->cookie_header[0] = '\0';
	for (unsigned i = 0; i < b->n; i++) {
		size_t len = strlen(b->cookie_header);
		snprintf(b->cookie_header + len, sizeof b->cookie_header - len, "%s%s=%s",
		         i ? "; " : "", b->name[i], b->value[i]);
	}
	return b->n ? b->cookie_header : NULL;
}

/* One request. method NULL: GET, or POST with a form body. */
/* One request: body (with its content type) posted when not NULL; extra
 * headers in hl (freed here). */
static void request(struct resp *r, const char *method, const char *path, struct curl_slist *hl,
                    const char *body, const char *content_type)
{
	memset(r, 0, sizeof *r);
	r->arena = arena_new(0);
	buf_init(&r->body, NULL, 0);
	if (!method)
		method = body ? "POST" : "GET";
	r->what = arena_printf(r->arena, "%s %.200s", method, path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	char url[4200];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", srv_port, path);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		hl = curl_slist_append(hl, arena_printf(r->arena, "Content-Type: %s", content_type));
	}
	if (strcmp(method, body ? "POST" : "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	CHECK(rc == CURLE_OK, "%s: %s (%s)", r->what, curl_easy_strerror(rc), errbuf);
}

void fetch(struct resp *r, const char *method, const char *path, const char *cookie,
           const char *form)
{
	struct curl_slist *hl = NULL;
	if (cookie) {
		char line[JAR * 200 + 16];
		snprintf(line, sizeof line, "Cookie: %s", cookie);
		hl = curl_slist_append(hl, line);
	}
	request(r, method, path, hl, form, "application/x-www-form-urlencoded");
	/* Every reply of these pages is personal or carries a token: never cached. */
	const char *cc = header(r, "Cache-Control");
	CHECK(cc && strstr(cc, "no-store"), "%s: Cache-Control %s, expected no-store", r->what,
	      cc ? cc : "(absent)");
}

void fetch_api(struct resp *r, const char *method, const char *path, const char *token,
               const char *json)
{
	struct curl_slist *hl = NULL;
	if (token) {
		char line[256];
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, line);
	}
	request(r, method, path, hl, json, "application/json");
}

void br_get(struct browser *b, struct resp *r, const char *path)
{
	fetch(r, NULL, path, br_header(b), NULL);
	br_update(b, r);
}

void br_post(struct browser *b, struct resp *r, const char *path, const char *form)
{
	fetch(r, "POST", path, br_header(b), form);
	br_update(b, r);
}

/* The text of a page's <main> (or the start of the body), tags dropped, for messages. */
const char *summary(const struct resp *r)
{
	const char *p = strstr(body(r), "<main");
	if (!p)
		return arena_printf(r->arena, "%.300s", body(r));
	const char *end = strstr(p, "</main>");
	struct buf b;
	buf_init(&b, r->arena, 400);
	bool tag = false, space = false;
	for (; *p && p != end && b.len < 360; p++) {
		if (*p == '<')
			tag = true;
		else if (*p == '>')
			tag = false, space = true;
		else if (!tag && isspace((unsigned char)*p))
			space = true;
		else if (!tag) {
			if (space && b.len)
				buf_putc(&b, ' ');
			space = false;
			buf_putc(&b, *p);
		}
	}
	return buf_cstr(&b);
}

void expect_status(const struct resp *r, long status, const char *why)
{
	CHECK(r->status == status, "%s (%s): status %ld, expected %ld; Location %s; page: %s",
	      r->what, why, r->status, status, header(r, "Location") ? header(r, "Location") : "-",
	      summary(r));
}

/* An HTML page in Dutch with this status. */
void expect_page(const struct resp *r, long status, const char *why)
{
	expect_status(r, status, why);
	const char *ct = header(r, "Content-Type");
	CHECK(ct && strncasecmp(ct, "text/html", 9) == 0, "%s (%s): Content-Type %s", r->what, why,
	      ct ? ct : "(absent)");
	CHECK(has(r, "<html lang=\"nl\""), "%s (%s): not a Dutch page", r->what, why);
}

void expect_redirect(const struct resp *r, const char *location, const char *why)
{
	expect_status(r, 303, why);
	const char *loc = header(r, "Location");
	CHECK(loc && strcmp(loc, location) == 0, "%s (%s): Location %s, expected %s", r->what, why,
	      loc ? loc : "(absent)", location);
}

/* ---- HTML and forms */

/* HTML text to plain text (the entities the templates write). */
/* ---- HTML and forms */

/* HTML text to plain text (the entities the templates write). */
char *unescape(struct arena *a, const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, a, 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			buf_putc(&b, s[i]);
			continue;
		}
		const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
		if (!semi) {
			buf_putc(&b, '&');
			continue;
		}
		size_t len = (size_t)(semi - (s + i)) + 1;
		static const struct {
			const char *ent;
			char c;
		} named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
		bool done = false;
		for (size_t k = 0; k < sizeof named / sizeof named[0] && !done; k++)
			if (len == strlen(named[k].ent) && strncmp(s + i, named[k].ent, len) == 0) {
				buf_putc(&b, named[k].c);
				done = true;
			}
		if (!done && s[i + 1] == '#') {
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			unsigned long cp = strtoul(s + i + (hex ? 3 : 2), NULL, hex ? 16 : 10);
			if (cp > 0 && cp < 0x80) {
				buf_putc(&b, (char)cp);
				done = true;
			}
		}
		if (!done) {
			buf_putc(&b, '&');
			continue;
		}
		i += len - 1;
	}
	return (char *)buf_cstr(&b);
}

/* The value="..." of the first input named name, unescaped; NULL if none. */
const char *input_value(const struct resp *r, const char *name)
{
	char needle[96];
	snprintf(needle, sizeof needle, "name=\"%s\" value=\"", name);
	const char *p = strstr(body(r), needle);
	if (!p)
		return NULL;
	p += strlen(needle);
	const char *end = strchr(p, '"');
	return end ? unescape(r->arena, p, (size_t)(end - p)) : NULL;
}

/* The value of an input in the form posting to action; NULL if none. */
/* The CSRF token of the page's forms (all of them carry the same one). */
const char *page_token(const struct resp *r)
{
	const char *tok = input_value(r, "csrf_token");
	CHECK(tok && strlen(tok) == 43, "%s: no csrf_token of 43 characters in the page's forms",
	      r->what);
	static const char needle[] = "name=\"csrf_token\" value=\"";
	for (const char *p = strstr(body(r), needle); p; p = strstr(p + 1, needle))
		CHECK(strncmp(p + sizeof needle - 1, tok, 43) == 0 && p[sizeof needle - 1 + 43] == '"',
		      "%s: forms with different CSRF tokens", r->what);
	return tok;
}

const char *value_before(const struct resp *r, const char *after)
{
	const char *end = strstr(body(r), after);
	if (!end)
		return NULL;
	const char *start = end;
	while (start > body(r) && start[-1] != '"')
		start--;
	return unescape(r->arena, start, (size_t)(end - start));
}

double metric(const struct resp *r, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = body(r); p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

const char *link_rel(const struct resp *r, const char *rel)
{
	char needle[48];
	snprintf(needle, sizeof needle, "\" rel=\"%s\"", rel);
	return value_before(r, needle);
}

/* Percent-encoding as in a form or a query (RFC 3986 unreserved kept). */
char *enc(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, a, 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	return (char *)buf_cstr(&b);
}

/* "k1=v1&k2=v2..." from NULL-terminated pairs; a NULL value leaves the field out. */
char *form_of(struct arena *a, ...)
{
	struct buf b;
	buf_init(&b, a, 0);
	va_list ap;
	va_start(ap, a);
	for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue;
		buf_printf(&b, "%s%s=%s", b.len ? "&" : "", k, enc(a, v));
	}
	va_end(ap);
	return (char *)buf_cstr(&b);
}

void br_post_parts(struct browser *b, struct resp *r, const char *path, const struct part *parts,
                   size_t nparts)
{
	memset(r, 0, sizeof *r);
	r->arena = arena_new(0);
	buf_init(&r->body, NULL, 0);
	r->what = arena_printf(r->arena, "POST %.200s (multipart)", path);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	char url[4200];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", srv_port, path);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_mime *mime = curl_mime_init(c);
	for (size_t i = 0; i < nparts; i++) {
		curl_mimepart *part = curl_mime_addpart(mime);
		curl_mime_name(part, parts[i].name);
		if (parts[i].filename) {
			curl_mime_data(part, parts[i].value, parts[i].len);
			curl_mime_filename(part, parts[i].filename);
			curl_mime_type(part, parts[i].type ? parts[i].type : "application/octet-stream");
		} else {
			curl_mime_data(part, parts[i].value, CURL_ZERO_TERMINATED);
		}
	}
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	struct curl_slist *hl = NULL;
	const char *cookie = br_header(b);
	if (cookie)
		hl = curl_slist_append(hl, arena_printf(r->arena, "Cookie: %s", cookie));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_mime_free(mime);
	curl_slist_free_all(hl);
	CHECK(rc == CURLE_OK, "%s: %s (%s)", r->what, curl_easy_strerror(rc), errbuf);
	br_update(b, r);
}
