/* What the HTTP suites (test_auth, test_mail, ...) share: the `campus serve`
 * process they drive, a libcurl client with a cookie-keeping browser, and
 * the HTML helpers for reading pages and filling in forms.
 *
 * Each suite is its own program, so the harness keeps the suite's server in
 * a few globals that group_setup fills in (campus_bin, test_db, log_path)
 * and server_start sets (srv_port). Include after cmocka.h's prerequisites;
 * this header includes them itself. */
#ifndef CAMPUS_TESTS_HTTP_HARNESS_H
#define CAMPUS_TESTS_HTTP_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"

/* A failed check with a message, so a failure says what and where. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

#define START_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 35000

/* ---- the server under test (set by the suite before server_start) */

extern const char *suite_name; /* "test_auth": marks each command in the log */
extern const char *campus_bin;
extern const char *test_db;
extern char log_path[256]; /* the server's log; every child's stderr goes there */
extern unsigned srv_port;  /* set by server_start; fetch() talks to it */

double now_ms(void);
void sleep_ms(long ms);
/* A free loopback port (0 if none): bound and released, so the child can take it. */
unsigned pick_port(void);
/* The whole file (malloc'd); "" when it cannot be read. */
char *slurp(const char *path);

/* argv with stdin from /dev/null, stdout to out_path (the log when NULL)
 * and stderr to the log. */
int start_process(char *const argv[], const char *out_path, pid_t *pid);
/* Waits for pid: its exit status, -1 when it did not exit normally. */
int wait_exit(pid_t pid);
/* SIGTERM and wait: the exit status, 128+signal, or -1 (killed after the timeout). */
int stop_child(pid_t pid, bool *running);

/* The status of GET /healthz on the port (0: no answer). */
long healthz(unsigned port);
/* `campus --db test_db serve` on port (0: a free one), once /healthz says
 * 200. A port given lets the caller point the server's environment at it
 * first (test_mail's CAMPUS_BASE_URL). */
int server_start(unsigned port);
int server_stop(void);

/* ---- the database, for what the pages do not show */

struct db_conn *db_connect(void);
/* A count from the audit log; -1 when it cannot be read. */
int64_t audit_count(const char *action, const char *result);

/* ---- HTTP */

#define MAX_HEADERS 64

struct resp {
	long status;
	struct arena *arena;
	struct buf body;
	unsigned nheaders;
	const char *hname[MAX_HEADERS];
	const char *hvalue[MAX_HEADERS];
	const char *what; /* "GET /path", for messages */
};

const char *header(const struct resp *r, const char *name);
const char *body(const struct resp *r);
bool has(const struct resp *r, const char *needle);
/* The text as is or as the templates escape it. */
bool has_text(const struct resp *r, const char *text);
void resp_fini(struct resp *r);

/* The last Set-Cookie for name (what a browser ends up with): its whole
 * header value, or NULL. */
const char *set_cookie_line(const struct resp *r, const char *name);
/* The value of a Set-Cookie line (in the reply's arena). */
const char *cookie_value(const struct resp *r, const char *line);
bool cookie_deleted(const char *line);

/* A browser: its cookies, in the order they were set. */
#define JAR 12
struct browser {
	unsigned n;
	char name[JAR][32];
	char value[JAR][160];
	char cookie_header[JAR * 200];
};

void br_set(struct browser *b, const char *name, const char *value);
/* Every Set-Cookie in order, as a browser applies them. */
void br_update(struct browser *b, const struct resp *r);
/* The Cookie header for the next request; NULL when there are none. */
const char *br_header(struct browser *b);

/* One request to srv_port. method NULL: GET, or POST with a form body.
 * Checks that it got an answer with Cache-Control: no-store. */
void fetch(struct resp *r, const char *method, const char *path, const char *cookie,
           const char *form);
/* An API request with a bearer token (NULL: none) and a JSON body (NULL:
 * none; method NULL: GET, or POST with a body). */
void fetch_api(struct resp *r, const char *method, const char *path, const char *token,
               const char *json);
void br_get(struct browser *b, struct resp *r, const char *path);
void br_post(struct browser *b, struct resp *r, const char *path, const char *form);

/* A multipart/form-data POST (what a form with a file input sends): fields
 * as name/value pairs; a part with a filename carries len bytes of data. */
struct part {
	const char *name, *value;
	const char *filename, *type; /* a file part: value holds len bytes */
	size_t len;
};
void br_post_parts(struct browser *b, struct resp *r, const char *path, const struct part *parts,
                   size_t nparts);

/* The text of a page's <main> (or the start of the body), tags dropped, for messages. */
const char *summary(const struct resp *r);
void expect_status(const struct resp *r, long status, const char *why);
/* An HTML page in Dutch with this status. */
void expect_page(const struct resp *r, long status, const char *why);
void expect_redirect(const struct resp *r, const char *location, const char *why);

/* ---- HTML and forms */

/* HTML text to plain text (the entities the templates write). */
char *unescape(struct arena *a, const char *s, size_t n);
/* The value="..." of the first input named name, unescaped; NULL if none. */
const char *input_value(const struct resp *r, const char *name);
/* The (unescaped) attribute value that ends where `after` starts, or NULL. */
const char *value_before(const struct resp *r, const char *after);
/* The value of the line "name value" in a /metrics body; -1 when absent. */
double metric(const struct resp *r, const char *name);
/* The href of the page's link with rel ("next", "prev"), unescaped, or NULL. */
const char *link_rel(const struct resp *r, const char *rel);
/* The CSRF token of the page's forms (all of them carry the same one). */
const char *page_token(const struct resp *r);
/* Percent-encoding as in a form or a query (RFC 3986 unreserved kept). */
char *enc(struct arena *a, const char *s);
/* "k1=v1&k2=v2..." from NULL-terminated pairs; a NULL value leaves the field out. */
char *form_of(struct arena *a, ...);

#endif
