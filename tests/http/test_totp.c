/* Two-step log-in over HTTP: starts the real server ($CAMPUS_BIN serve) on a
 * free loopback port on a database filled by `campus demo`, whose campus
 * administrator and committee member have DEMO_TOTP_SECRET. Walks the code
 * page (a session waiting for its code reaches nothing else), wrong and right
 * codes, the forced enrolment of a committee member without two-step log-in,
 * a learner switching it on and off, and the refusal to switch it off for a
 * role that requires it. Codes are computed here with liboath (totp_code).
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. A SQLite
 * file under var/test/ is removed first; the server's log goes to
 * var/test/totp-server-<dialect>.log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/totp.h"

extern char **environ;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

#define PASSWORD "Campus-demo-2026"
#define ADMIN "beheerder@campus.demo"
#define COMMITTEE "commissie@campus.demo"
#define LEARNER "medewerker@bibliotheek-utrecht.demo"
#define MSG_WRONG_CODE "Die code klopt niet."

static const char *campus_bin, *test_db, *dialect;
static char log_path[256];
static pid_t srv_pid;
static bool srv_running;
static unsigned srv_port;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static unsigned pick_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	unsigned port = 0;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int run(char *const argv[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int rc = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* ---- a browser: one curl handle with its own cookie jar, no redirects followed */

struct page {
	long status;
	char location[512];
	struct buf body;
};

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	buf_append(cls, p, size * n);
	return size * n;
}

static CURL *browser_new(void)
{
	CURL *c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	return c;
}

/* GET (form NULL) or POST a form; p->body is reset first. */
static void go(CURL *c, struct page *p, const char *path, const char *form)
{
	char url[1024];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", srv_port, path);
	buf_clear(&p->body);
	p->location[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &p->body);
	if (form) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, form);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	CURLcode rc = curl_easy_perform(c);
	CHECK(rc == CURLE_OK, "%s: %s", path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &p->status);
	char *loc = NULL;
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
	if (loc) {
		const char *path_part = strstr(loc, "://") ? strchr(strstr(loc, "://") + 3, '/') : loc;
		str_copy(p->location, sizeof p->location, path_part ? path_part : loc);
	}
}

static bool has(const struct page *p, const char *s) { return strstr(buf_cstr(&p->body), s) != NULL; }

static void expect_redirect(const struct page *p, const char *to, const char *what)
{
	CHECK(p->status == 303 && strcmp(p->location, to) == 0, "%s: status %ld to %s, expected 303 to %s",
	      what, p->status, p->location, to);
}

/* The page's CSRF token (43 characters) into out. */
static void token_of(const struct page *p, char out[64])
{
	const char *t = strstr(buf_cstr(&p->body), "name=\"csrf_token\" value=\"");
	CHECK(t != NULL, "no csrf_token on the page");
	t += strlen("name=\"csrf_token\" value=\"");
	memcpy(out, t, 43);
	out[43] = '\0';
}

/* Open the log-in form and post the password; the reply is in p. */
static void login(CURL *c, struct page *p, const char *email)
{
	char tok[64], form[256];
	go(c, p, "/inloggen", NULL);
	CHECK(p->status == 200, "GET /inloggen: %ld", p->status);
	token_of(p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&email=%s&wachtwoord=%s", tok, email, PASSWORD);
	go(c, p, "/inloggen", form);
}

/* Post code to path with the token of the page currently in p. */
static void post_code(CURL *c, struct page *p, const char *path, const char *code)
{
	char tok[64], form[160];
	token_of(p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&code=%s", tok, code);
	go(c, p, path, form);
}

/* Codes: each secret's next unused step, at least now-1. When every step the
 * server accepts now (now-1, now, now+1) is used, the server forgets the
 * person's used steps (people.totp_last_step), as it would by itself a
 * minute later, instead of this program waiting for the next step: the
 * refusal of a code used twice is checked within each case, not by this. */
struct secret {
	unsigned char key[TOTP_SECRET_LEN];
	int64_t used;
	const char *email; /* whose secret */
};

/* now-1 only with this many seconds of its window left: the server checks
 * the code a moment later, maybe in the next step. */
#define STEP_MARGIN_S 3

static void forget_steps(const char *email, int64_t last_step);

static void next_code(struct secret *s, char out[TOTP_DIGITS + 1])
{
	int64_t t = time(NULL), now = t / TOTP_STEP;
	int64_t oldest = (now + 1) * TOTP_STEP - t <= STEP_MARGIN_S ? now : now - 1;
	int64_t step = s->used + 1 > oldest ? s->used + 1 : oldest;
	if (step > now + 1) {
		assert_non_null(s->email);
		forget_steps(s->email, oldest - 1);
		step = oldest;
	}
	s->used = step;
	assert_int_equal(totp_code(s->key, TOTP_SECRET_LEN, step, out), 0);
}

static struct secret demo_secret;

/* ---- the database */

DB_STMT(stmt_count, "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = $2");
DB_STMT(stmt_unenrol,
        "UPDATE people SET totp_secret = NULL, totp_enabled = $2 WHERE email = $1");
DB_STMT(stmt_enabled, "SELECT totp_enabled FROM people WHERE email = $1");
DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_forget_steps, "UPDATE people SET totp_last_step = $2 WHERE email = $1");

static struct db_conn *db_connect(void)
{
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db = NULL;
	if (db_open(test_db, 0, &db, &err) != 0)
		db = NULL;
	buf_fini(&err);
	assert_non_null(db);
	return db;
}

static void forget_steps(const char *email, int64_t last_step)
{
	struct db_conn *db = db_connect();
	assert_int_equal(db_exec(db, &stmt_forget_steps,
	                         (const struct db_param[]){DBP_TEXT(email), DBP_INT(last_step), DBP_END}, NULL),
	                 0);
	db_close(db);
}

static int64_t audit_count(const char *action, const char *result)
{
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	int64_t n = -1;
	db_query_row(db, &stmt_count,
	             (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(result), DBP_END},
	             (const struct db_col[]){DBC_INT(&n), DBC_END}, a);
	arena_free(a);
	db_close(db);
	return n;
}

static bool enabled(const char *email)
{
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	bool on = false;
	assert_int_equal(db_query_row(db, &stmt_enabled, (const struct db_param[]){DBP_TEXT(email), DBP_END},
	                              (const struct db_col[]){DBC_BOOL(&on), DBC_END}, a),
	                 0);
	arena_free(a);
	db_close(db);
	return on;
}

/* ---- cases */

/* The recovery codes (xxxx-xxxx-xxxx-xxxx) of a codes page; how many. */
static char committee_codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SHOWN + 1];
static struct secret committee_secret;

static int recovery_codes_of(const struct page *p, char out[][TOTP_RECOVERY_SHOWN + 1])
{
	int n = 0;
	const char *needle = "<li><code class=\"campus-secret\">";
	for (const char *s = strstr(buf_cstr(&p->body), needle); s && n < TOTP_RECOVERY_CODES;
	     s = strstr(s, needle)) {
		s += strlen(needle);
		const char *end = strchr(s, '<');
		if (!end || end - s != TOTP_RECOVERY_SHOWN)
			break;
		memcpy(out[n], s, TOTP_RECOVERY_SHOWN);
		out[n++][TOTP_RECOVERY_SHOWN] = '\0';
	}
	return n;
}

static void pending_session_reaches_only_the_code_page(void **state)
{
	(void)state;
	CURL *c = browser_new();
	struct page p = {0};
	buf_init(&p.body, NULL, 0);
	login(c, &p, ADMIN);
	expect_redirect(&p, "/inloggen/code", "the administrator's password");
	/* Everything behind a log-in leads to the code page, GET or POST. */
	static const char *const closed[] = {"/mijn", "/beheer/organisaties", "/beheer/personen",
	                                     "/b/bibliotheek-utrecht/leden", "/mijn/tweestaps"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		go(c, &p, closed[i], NULL);
		expect_redirect(&p, "/inloggen/code", closed[i]);
	}
	go(c, &p, "/inloggen/code", NULL);
	CHECK(p.status == 200 && has(&p, "<h1 class=\"utrecht-heading-1\">Code invullen</h1>"),
	      "GET /inloggen/code: %ld", p.status);
	CHECK(has(&p, "autocomplete=\"one-time-code\"") && has(&p, "<label class=\"utrecht-form-label\" for=\"code\">"),
	      "the code field has no label or autocomplete");
	char tok[64], form[200];
	token_of(&p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&naam=Hacker&taal=nl", tok);
	go(c, &p, "/mijn/gegevens", form);
	expect_redirect(&p, "/inloggen/code", "POST /mijn/gegevens while waiting for the code");
	/* Public pages see a visitor, not the person. */
	go(c, &p, "/", NULL);
	CHECK(p.status == 200 && !has(&p, "Karin Hoekstra"), "/ shows the pending person");

	/* Wrong and malformed codes: the form again with a Dutch message. */
	int64_t failed0 = audit_count("login.second_factor", "failed");
	go(c, &p, "/inloggen/code", NULL);
	char code[TOTP_DIGITS + 1];
	next_code(&demo_secret, code);
	char wrong[TOTP_DIGITS + 1];
	str_copy(wrong, sizeof wrong, code);
	wrong[5] = wrong[5] == '0' ? '1' : '0';
	post_code(c, &p, "/inloggen/code", wrong);
	CHECK(p.status == 400 && has(&p, MSG_WRONG_CODE) && has(&p, "role=\"alert\""),
	      "a wrong code: %ld", p.status);
	post_code(c, &p, "/inloggen/code", "12ab");
	CHECK(p.status == 400 && has(&p, "zes cijfers"), "a malformed code: %ld", p.status);
	CHECK(audit_count("login.second_factor", "failed") == failed0 + 1,
	      "the wrong code is not audited once");
	go(c, &p, "/mijn", NULL);
	expect_redirect(&p, "/inloggen/code", "/mijn after a wrong code");

	/* The right code: a new session; everything opens. */
	int64_t ok0 = audit_count("login.second_factor", "ok");
	go(c, &p, "/inloggen/code", NULL);
	post_code(c, &p, "/inloggen/code", code);
	expect_redirect(&p, "/mijn", "the right code");
	CHECK(audit_count("login.second_factor", "ok") == ok0 + 1, "the code is not audited");
	go(c, &p, "/mijn", NULL);
	CHECK(p.status == 200 && has(&p, "Karin Hoekstra"), "/mijn after the code: %ld", p.status);
	CHECK(has(&p, "href=\"/mijn/tweestaps\""), "/mijn has no link to two-step log-in");
	go(c, &p, "/beheer/organisaties", NULL);
	CHECK(p.status == 200, "/beheer/organisaties after the code: %ld", p.status);
	go(c, &p, "/inloggen/code", NULL);
	expect_redirect(&p, "/mijn", "the code page once logged in");
	/* The same code again, in a new log-in: refused (used once). */
	CURL *c2 = browser_new();
	login(c2, &p, ADMIN);
	go(c2, &p, "/inloggen/code", NULL);
	post_code(c2, &p, "/inloggen/code", code);
	CHECK(p.status == 400 && has(&p, MSG_WRONG_CODE), "a code used twice: %ld", p.status);
	curl_easy_cleanup(c2);

	/* Required for the administrator: the page offers no switch-off, a post is refused. */
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(p.status == 200 && has(&p, "verplicht") && !has(&p, "action=\"/mijn/tweestaps/uit\""),
	      "the administrator's two-step page: %ld", p.status);
	next_code(&demo_secret, code);
	post_code(c, &p, "/mijn/tweestaps/uit", code);
	CHECK(p.status == 403 && has(&p, "verplicht"), "switching off for an administrator: %ld", p.status);
	CHECK(enabled(ADMIN), "the administrator's two-step log-in went off");
	buf_fini(&p.body);
	curl_easy_cleanup(c);
}

static void committee_without_totp_must_enrol(void **state)
{
	(void)state;
	struct db_conn *db = db_connect();
	assert_int_equal(db_exec(db, &stmt_unenrol,
	                         (const struct db_param[]){DBP_TEXT(COMMITTEE), DBP_BOOL(false), DBP_END}, NULL),
	                 0);
	db_close(db);
	CURL *c = browser_new();
	struct page p = {0};
	buf_init(&p.body, NULL, 0);
	login(c, &p, COMMITTEE);
	expect_redirect(&p, "/mijn/tweestaps", "a committee member without two-step log-in");
	go(c, &p, "/mijn", NULL);
	expect_redirect(&p, "/mijn/tweestaps", "/mijn before enrolment");
	go(c, &p, "/inloggen/code", NULL);
	expect_redirect(&p, "/mijn/tweestaps", "the code page before enrolment");
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(p.status == 200 && has(&p, "verplicht") && has(&p, "<svg") && has(&p, "campus-secret"),
	      "the enrolment page: %ld", p.status);
	/* The secret from the page. */
	const char *s = strstr(buf_cstr(&p.body), "class=\"campus-secret\">");
	assert_non_null(s);
	s += strlen("class=\"campus-secret\">");
	char b32[64];
	size_t n = 0;
	while (*s && *s != '<' && n < sizeof b32 - 1)
		b32[n++] = *s++;
	b32[n] = '\0';
	struct secret mine = {.email = COMMITTEE};
	size_t len = 0;
	assert_int_equal(totp_base32_decode(b32, mine.key, sizeof mine.key, &len), 0);
	assert_int_equal(len, TOTP_SECRET_LEN);
	char code[TOTP_DIGITS + 1];
	post_code(c, &p, "/mijn/tweestaps", "000");
	CHECK(p.status == 400 && has(&p, "zes cijfers"), "a malformed code: %ld", p.status);
	CHECK(!enabled(COMMITTEE), "a malformed code switched it on");
	next_code(&mine, code);
	post_code(c, &p, "/mijn/tweestaps", code);
	/* The recovery codes, shown once, instead of a redirect. */
	CHECK(p.status == 200 && has(&p, "Inloggen in twee stappen staat nu aan.") &&
	          has(&p, "id=\"herstelcodes\""),
	      "confirming the enrolment: %ld", p.status);
	CHECK(recovery_codes_of(&p, committee_codes) == TOTP_RECOVERY_CODES,
	      "not %d recovery codes on the page", TOTP_RECOVERY_CODES);
	committee_secret = mine;
	CHECK(enabled(COMMITTEE), "not switched on after the confirmation");
	go(c, &p, "/mijn", NULL);
	CHECK(p.status == 200, "/mijn after enrolment: %ld", p.status);
	/* The next log-in asks for a code. */
	CURL *c2 = browser_new();
	login(c2, &p, COMMITTEE);
	expect_redirect(&p, "/inloggen/code", "the committee member's next log-in");
	go(c2, &p, "/inloggen/code", NULL);
	next_code(&mine, code);
	post_code(c2, &p, "/inloggen/code", code);
	expect_redirect(&p, "/mijn", "the committee member's code");
	committee_secret = mine;
	curl_easy_cleanup(c2);
	buf_fini(&p.body);
	curl_easy_cleanup(c);
}

static void learner_switches_it_on_and_off(void **state)
{
	(void)state;
	CURL *c = browser_new();
	struct page p = {0};
	buf_init(&p.body, NULL, 0);
	login(c, &p, LEARNER);
	expect_redirect(&p, "/mijn", "a learner without two-step log-in");
	go(c, &p, "/mijn", NULL);
	CHECK(p.status == 200 && has(&p, "Inloggen in twee stappen instellen"), "/mijn: %ld", p.status);
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(p.status == 200 && !has(&p, "verplicht") && has(&p, "<svg"), "enrolment page: %ld",
	      p.status);
	const char *s = strstr(buf_cstr(&p.body), "class=\"campus-secret\">") + strlen("class=\"campus-secret\">");
	char b32[64];
	size_t n = 0;
	while (*s && *s != '<' && n < sizeof b32 - 1)
		b32[n++] = *s++;
	b32[n] = '\0';
	struct secret mine = {.email = LEARNER};
	size_t len = 0;
	assert_int_equal(totp_base32_decode(b32, mine.key, sizeof mine.key, &len), 0);
	/* The same secret on a second visit (the enrolment is the session's). */
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(has(&p, b32), "the secret changed on a second visit");
	char code[TOTP_DIGITS + 1], wrong[TOTP_DIGITS + 1];
	next_code(&mine, code);
	str_copy(wrong, sizeof wrong, code);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	post_code(c, &p, "/mijn/tweestaps", wrong);
	CHECK(p.status == 400 && has(&p, MSG_WRONG_CODE), "a wrong code at enrolment: %ld", p.status);
	CHECK(!enabled(LEARNER), "a wrong code switched it on");
	int64_t on0 = audit_count("person.totp_enabled", "ok");
	post_code(c, &p, "/mijn/tweestaps", code);
	CHECK(p.status == 200 && has(&p, "id=\"herstelcodes\""), "the learner's confirmation: %ld",
	      p.status);
	CHECK(enabled(LEARNER) && audit_count("person.totp_enabled", "ok") == on0 + 1,
	      "not on, or not audited");
	/* Switching off: a wrong code is refused, the right one works. */
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(has(&p, "action=\"/mijn/tweestaps/uit\""), "no switch-off form for a learner");
	next_code(&mine, code);
	str_copy(wrong, sizeof wrong, code);
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	post_code(c, &p, "/mijn/tweestaps/uit", wrong);
	CHECK(p.status == 400 && has(&p, MSG_WRONG_CODE), "a wrong code to switch off: %ld", p.status);
	CHECK(enabled(LEARNER), "a wrong code switched it off");
	int64_t off0 = audit_count("person.totp_disabled", "ok");
	go(c, &p, "/mijn/tweestaps", NULL);
	post_code(c, &p, "/mijn/tweestaps/uit", code);
	expect_redirect(&p, "/mijn", "switching off");
	CHECK(!enabled(LEARNER) && audit_count("person.totp_disabled", "ok") == off0 + 1,
	      "still on, or not audited");
	/* The wrong codes counted toward the throttle; free the account for others. */
	struct db_conn *db = db_connect();
	db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	db_close(db);
	buf_fini(&p.body);
	curl_easy_cleanup(c);
}

DB_STMT(stmt_recovery_left,
        "SELECT COUNT(*) FROM recovery_codes r JOIN people p ON p.id = r.person_id "
        "WHERE p.email = $1 AND r.used_at IS NULL");
DB_STMT(stmt_person_id, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_audit_detail,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = 'ok' AND detail LIKE $2");

static int64_t query_int(struct db_stmt *stmt, const char *a, const char *b)
{
	struct db_conn *db = db_connect();
	struct arena *ar = arena_new(0);
	int64_t n = -1;
	struct db_param one[] = {DBP_TEXT(a), DBP_END}, two[] = {DBP_TEXT(a), DBP_TEXT(b), DBP_END};
	db_query_row(db, stmt, b ? two : one, (const struct db_col[]){DBC_INT(&n), DBC_END}, ar);
	arena_free(ar);
	db_close(db);
	return n;
}

/* Log in as email up to the code page, then post a recovery code. */
static void login_with_recovery(CURL *c, struct page *p, const char *email, const char *code)
{
	char tok[64], form[200];
	login(c, p, email);
	expect_redirect(p, "/inloggen/code", "the password");
	go(c, p, "/inloggen/code", NULL);
	CHECK(has(p, "name=\"herstelcode\""), "the code page has no recovery-code form");
	token_of(p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&herstelcode=%s", tok, code); /* form-encoded */
	go(c, p, "/inloggen/code", form);
}

static void recovery_code_logs_in_once(void **state)
{
	(void)state;
	CHECK(committee_codes[0][0], "no recovery codes from the enrolment case");
	struct page p = {0};
	buf_init(&p.body, NULL, 0);
	int64_t ok0 = audit_count("login.recovery_code", "ok");
	int64_t failed0 = audit_count("login.recovery_code", "failed");
	/* Case and dashes do not matter: upper case, spaces ('+') instead of dashes. */
	char typed[40];
	str_copy(typed, sizeof typed, committee_codes[0]);
	for (char *q = typed; *q; q++)
		*q = *q == '-' ? '+' : (*q >= 'a' && *q <= 'z') ? (char)(*q - 32) : *q;
	CURL *c = browser_new();
	login_with_recovery(c, &p, COMMITTEE, typed);
	expect_redirect(&p, "/mijn", "a recovery code");
	go(c, &p, "/mijn", NULL);
	CHECK(p.status == 200, "/mijn after a recovery code: %ld", p.status);
	CHECK(audit_count("login.recovery_code", "ok") == ok0 + 1, "the recovery code is not audited");
	CHECK(query_int(&stmt_recovery_left, COMMITTEE, NULL) == TOTP_RECOVERY_CODES - 1,
	      "the code is not used up");
	CHECK(query_int(&stmt_audit_detail, "login.recovery_code", "%9 left%") >= 1,
	      "the audit row does not say how many are left");
	curl_easy_cleanup(c);
	/* The same code again: refused, counted as a failure. */
	c = browser_new();
	login_with_recovery(c, &p, COMMITTEE, committee_codes[0]);
	CHECK(p.status == 400 && has(&p, "al gebruikt") && has(&p, "role=\"alert\""),
	      "a used recovery code: %ld", p.status);
	CHECK(audit_count("login.recovery_code", "failed") == failed0 + 1, "the refusal is not audited");
	go(c, &p, "/mijn", NULL);
	expect_redirect(&p, "/inloggen/code", "/mijn after a used recovery code");
	/* Not a recovery code at all: a message, not counted. */
	go(c, &p, "/inloggen/code", NULL);
	char tok[64], form[200];
	token_of(&p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&herstelcode=abc", tok);
	go(c, &p, "/inloggen/code", form);
	CHECK(p.status == 400 && has(&p, "16 letters"), "a malformed recovery code: %ld", p.status);
	CHECK(audit_count("login.recovery_code", "failed") == failed0 + 1, "a malformed code was counted");
	/* The app's code still works in that session. */
	char code[TOTP_DIGITS + 1];
	next_code(&committee_secret, code);
	post_code(c, &p, "/inloggen/code", code);
	expect_redirect(&p, "/mijn", "the app's code after a refused recovery code");

	/* New codes need a current code from the app; the old ones stop working. */
	go(c, &p, "/mijn/tweestaps", NULL);
	CHECK(p.status == 200 && has(&p, "action=\"/mijn/tweestaps/herstelcodes\"") &&
	          has(&p, "Ongebruikte herstelcodes: 9."),
	      "the two-step page offers no new codes: %ld", p.status);
	post_code(c, &p, "/mijn/tweestaps/herstelcodes", "000000");
	CHECK(p.status == 400 && has(&p, MSG_WRONG_CODE), "new codes with a wrong code: %ld", p.status);
	go(c, &p, "/mijn/tweestaps", NULL);
	next_code(&committee_secret, code);
	int64_t regen0 = audit_count("person.recovery_codes", "ok");
	post_code(c, &p, "/mijn/tweestaps/herstelcodes", code);
	char fresh[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SHOWN + 1];
	CHECK(p.status == 200 && recovery_codes_of(&p, fresh) == TOTP_RECOVERY_CODES,
	      "new recovery codes: %ld", p.status);
	CHECK(audit_count("person.recovery_codes", "ok") == regen0 + 1, "new codes not audited");
	CHECK(strcmp(fresh[0], committee_codes[1]) != 0, "the same codes again");
	curl_easy_cleanup(c);
	c = browser_new();
	login_with_recovery(c, &p, COMMITTEE, committee_codes[1]);
	CHECK(p.status == 400, "an old code after new ones were made: %ld", p.status);
	curl_easy_cleanup(c);
	c = browser_new();
	login_with_recovery(c, &p, COMMITTEE, fresh[5]);
	expect_redirect(&p, "/mijn", "a new recovery code");
	curl_easy_cleanup(c);
	struct db_conn *db = db_connect();
	db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	db_close(db);
	buf_fini(&p.body);
}

static void admin_resets_second_factor(void **state)
{
	(void)state;
	struct page p = {0};
	buf_init(&p.body, NULL, 0);
	/* The committee member is logged in somewhere (with the app's code). */
	CURL *member = browser_new();
	char code[TOTP_DIGITS + 1];
	login(member, &p, COMMITTEE);
	go(member, &p, "/inloggen/code", NULL);
	next_code(&committee_secret, code);
	post_code(member, &p, "/inloggen/code", code);
	expect_redirect(&p, "/mijn", "the committee member's log-in");
	/* The administrator. */
	CURL *c = browser_new();
	login(c, &p, ADMIN);
	go(c, &p, "/inloggen/code", NULL);
	next_code(&demo_secret, code);
	post_code(c, &p, "/inloggen/code", code);
	expect_redirect(&p, "/mijn", "the administrator's code");
	int64_t id = query_int(&stmt_person_id, COMMITTEE, NULL);
	char path[80], list_link[120];
	snprintf(path, sizeof path, "/beheer/personen/%lld/tweestaps", (long long)id);
	snprintf(list_link, sizeof list_link, "href=\"%s\"", path);
	go(c, &p, "/beheer/personen?q=commissie", NULL);
	CHECK(p.status == 200 && has(&p, list_link), "the people list has no reset action: %ld", p.status);
	go(c, &p, path, NULL);
	CHECK(p.status == 200 && has(&p, "name=\"reden\"") && has(&p, COMMITTEE),
	      "the confirmation page: %ld", p.status);
	char tok[64], form[300];
	token_of(&p, tok);
	snprintf(form, sizeof form, "csrf_token=%s&reden=", tok);
	go(c, &p, path, form);
	CHECK(p.status == 400 && has(&p, "role=\"alert\""), "a reset without a reason: %ld", p.status);
	CHECK(enabled(COMMITTEE), "reset without a reason");
	/* Without the CSRF token: refused. */
	go(c, &p, path, "reden=zomaar");
	CHECK(p.status == 403 || p.status == 400, "a reset without CSRF: %ld", p.status);
	CHECK(enabled(COMMITTEE), "reset without CSRF");
	/* One's own: refused. */
	char own[80];
	snprintf(own, sizeof own, "/beheer/personen/%lld/tweestaps", (long long)query_int(&stmt_person_id, ADMIN, NULL));
	snprintf(form, sizeof form, "csrf_token=%s&reden=eigen", tok);
	go(c, &p, own, form);
	CHECK(p.status == 403, "resetting one's own second factor: %ld", p.status);
	int64_t reset0 = audit_count("person.totp_reset", "ok");
	snprintf(form, sizeof form, "csrf_token=%s&reden=Telefoon+kwijt%%2C+teruggebeld", tok);
	go(c, &p, path, form);
	expect_redirect(&p, "/beheer/personen?q=commissie%40campus.demo", "the reset");
	CHECK(!enabled(COMMITTEE), "still on after the reset");
	CHECK(audit_count("person.totp_reset", "ok") == reset0 + 1 &&
	          query_int(&stmt_audit_detail, "person.totp_reset", "%Telefoon kwijt, teruggebeld%") >= 1,
	      "the reset is not audited with its reason");
	CHECK(query_int(&stmt_recovery_left, COMMITTEE, NULL) == 0, "recovery codes survived the reset");
	go(c, &p, "/beheer/personen?q=commissie", NULL);
	CHECK(has(&p, "Inloggen in twee stappen is hersteld."), "no message after the reset");
	/* The person's session ended; the next log-in sets it up again. */
	go(member, &p, "/mijn", NULL);
	CHECK(p.status == 303 && strncmp(p.location, "/inloggen", 9) == 0,
	      "the committee member is still logged in: %ld %s", p.status, p.location);
	curl_easy_cleanup(member);
	member = browser_new();
	login(member, &p, COMMITTEE);
	expect_redirect(&p, "/mijn/tweestaps", "the log-in after a reset");
	curl_easy_cleanup(member);
	curl_easy_cleanup(c);
	buf_fini(&p.body);
}

/* ---- setup */

static long healthz(void)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", srv_port);
	CURL *c = curl_easy_init();
	struct buf b;
	buf_init(&b, NULL, 0);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	buf_fini(&b);
	return status;
}

static int group_setup(void **state)
{
	(void)state;
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/totp.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/totp-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (!strcmp(dialect, "sqlite") && strstr(test_db, "var/test/")) {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		for (size_t i = 0; i < 3; i++) {
			char path[512];
			snprintf(path, sizeof path, "%s%s", test_db + 7, suffix[i]);
			unlink(path);
		}
	}
	size_t n = 0;
	demo_secret.email = ADMIN;
	if (totp_base32_decode(DEMO_TOTP_SECRET, demo_secret.key, sizeof demo_secret.key, &n) != 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	char *demo[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"demo", NULL};
	pid_t pid;
	int status;
	if (run(demo, &pid) || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "# campus demo failed; see %s\n", log_path);
		return -1;
	}
	srv_port = pick_port();
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", srv_port);
	char *serve[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"serve",
	                 (char *)"--listen", listen, NULL};
	if (run(serve, &srv_pid))
		return -1;
	srv_running = true;
	for (int i = 0; i < 1000; i++) {
		if (healthz() == 200)
			return 0;
		if (waitpid(srv_pid, &status, WNOHANG) == srv_pid) {
			srv_running = false;
			break;
		}
		sleep_ms(20);
	}
	fprintf(stderr, "# the server did not start; see %s\n", log_path);
	return -1;
}

static int group_teardown(void **state)
{
	(void)state;
	if (srv_running) {
		kill(srv_pid, SIGTERM);
		int status;
		waitpid(srv_pid, &status, 0);
	}
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pending_session_reaches_only_the_code_page),
	    cmocka_unit_test(committee_without_totp_must_enrol),
	    cmocka_unit_test(learner_switches_it_on_and_off),
	    cmocka_unit_test(recovery_code_logs_in_once),
	    cmocka_unit_test(admin_resets_second_factor),
	};
	return cmocka_run_group_tests_name("totp", tests, group_setup, group_teardown);
}
