/* E-mail end to end over HTTP and SMTP: the real server ($CAMPUS_BIN serve)
 * on a free loopback port, a database filled by `campus demo`, and the SMTP
 * sink tests/smtp-sink.mjs, which writes every message it receives to a
 * directory. Cases, in order:
 *   forgotten-password page and the link on the log-in page;
 *   reset end to end: request -> e-mail with the link -> new password ->
 *   logged in -> old password refused -> link refused the second time; the
 *   token is in no log and no audit row;
 *   a second request within the interval is limited (429, no e-mail);
 *   an unknown address gets the same page and no e-mail;
 *   an expired link (inserted through the db layer) and an unknown one;
 *   `campus user invite` -> e-mail -> accept (name corrected) -> logged in;
 *   SMTP down: the message stays queued with attempts and last_error, and is
 *   delivered once a sink listens on that port.
 *
 * Env: CAMPUS_TEST_DB (sqlite:PATH or postgres://...), CAMPUS_BIN,
 * CAMPUS_LOCALE_DIR; CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR name a running sink
 * and its directory (scripts/test.sh starts one); without them this program
 * starts its own (node tests/smtp-sink.mjs). Run from the repository root.
 * The server's log: var/test/mail-server-<dialect>.log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/auth.h"

#include "harness.h"

#define PASSWORD "Campus-demo-2026"
#define NEW_PASSWORD "Een nieuw wachtwoord voor de test"
#define RESET_EMAIL "medewerker@bibliotheek-utrecht.demo"
#define EXPIRED_EMAIL "vrijwilliger@bibliotheek-utrecht.demo"
#define MSG_WRONG "Het e-mailadres of het wachtwoord klopt niet."
#define MAIL_TIMEOUT_MS 20000

/* ---- the server under test */

static const char *dialect;

/* `campus --db DB args...` (NULL-terminated); its exit status, -1 when it did not run. */
static int campus_run(const char *first, ...)
{
	char *argv[16] = {(char *)campus_bin, (char *)"--db", (char *)test_db};
	int n = 3;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && n < 15; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	char out_path[300];
	snprintf(out_path, sizeof out_path, "var/test/mail-cli-%s.out", dialect);
	pid_t pid;
	if (start_process(argv, out_path, &pid))
		return -1;
	return wait_exit(pid);
}

/* The server with CAMPUS_SMTP_URL=smtp_url and CAMPUS_BASE_URL at its own port. */
static int start_with_smtp(const char *smtp_url)
{
	unsigned port = pick_port();
	if (!port)
		return -1;
	char base[80];
	snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
	setenv("CAMPUS_SMTP_URL", smtp_url, 1);
	setenv("CAMPUS_BASE_URL", base, 1);
	return server_start(port);
}

/* ---- the SMTP sink */

static char mail_dir[300];
static char smtp_url[80];
static pid_t sink_pid;
static bool sink_running;

/* node tests/smtp-sink.mjs PORT DIR; waits until it listens. */
static int sink_start(unsigned port, const char *dir, pid_t *pid)
{
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%u", port);
	char *argv[] = {(char *)"/usr/bin/env", (char *)"node", (char *)"tests/smtp-sink.mjs", port_text,
	                (char *)dir, NULL};
	if (start_process(argv, NULL, pid))
		return -1;
	for (double end = now_ms() + 10000; now_ms() < end; sleep_ms(50)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
		close(fd);
		if (ok)
			return 0;
	}
	fprintf(stderr, "# the SMTP sink did not listen on %u; see %s\n", port, log_path);
	return -1;
}

static const char *mail_text(struct arena *a, const char *msg);

/* Files in dir seen before (names), so each case only looks at new mail. */
#define MAX_SEEN 512
static char *seen[MAX_SEEN];
static unsigned nseen;

static bool was_seen(const char *name)
{
	for (unsigned i = 0; i < nseen; i++)
		if (!strcmp(seen[i], name))
			return true;
	return false;
}

static void mark_seen(const char *name)
{
	if (nseen < MAX_SEEN)
		seen[nseen++] = xstrdup(name);
}

/* The next new message in dir whose envelope names `to` (malloc'd), within
 * timeout_ms; NULL if none. Other new messages are left for later calls. */
static char *mail_wait(const char *dir, const char *to, long timeout_ms)
{
	char needle[200];
	snprintf(needle, sizeof needle, "\"%s\"", to);
	for (double end = now_ms() + (double)timeout_ms;; sleep_ms(100)) {
		DIR *d = opendir(dir);
		struct dirent *e;
		char *found = NULL;
		while (d && !found && (e = readdir(d)) != NULL) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".eml") != 0 || was_seen(e->d_name))
				continue;
			char path[600];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			char *text = slurp(path);
			const char *nl = strstr(text, "\r\n");
			/* Only mail with links to this run's server (a shared sink may hold others'). */
			struct arena *scratch = arena_new(0);
			char origin[64];
			snprintf(origin, sizeof origin, "http://127.0.0.1:%u/", srv_port);
			bool ours = strstr(mail_text(scratch, text), origin) != NULL;
			arena_free(scratch);
			if (ours && nl && memmem(text, (size_t)(nl - text), needle, strlen(needle))) {
				mark_seen(e->d_name);
				found = text;
			} else {
				free(text);
			}
		}
		if (d)
			closedir(d);
		if (found || now_ms() > end)
			return found;
	}
}

/* Marks everything in dir as seen (a shared sink may hold earlier runs' mail). */
static void mail_skip_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (!was_seen(e->d_name))
			mark_seen(e->d_name);
	if (d)
		closedir(d);
}

/* A header's value (unfolded), in the arena; NULL if absent. */
static const char *mail_header(struct arena *a, const char *msg, const char *name)
{
	char needle[64];
	snprintf(needle, sizeof needle, "\r\n%s: ", name);
	const char *p = strstr(msg, needle);
	const char *head_end = strstr(msg, "\r\n\r\n");
	if (!p || (head_end && p > head_end))
		return NULL;
	p += strlen(needle);
	struct buf b;
	buf_init(&b, a, 0);
	for (;;) {
		const char *end = strstr(p, "\r\n");
		buf_append(&b, p, (size_t)(end - p));
		if (end[2] != ' ' && end[2] != '\t')
			break;
		p = end + 3;
	}
	return buf_cstr(&b);
}

/* The body, quoted-printable decoded, "\n" line ends. */
static const char *mail_text(struct arena *a, const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	struct buf b;
	buf_init(&b, a, 0);
	for (p = p ? p + 4 : ""; *p; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (p[0] == '=' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], 0};
			buf_putc(&b, (char)strtol(hex, NULL, 16));
			p += 2;
		} else if (p[0] == '\r' && p[1] == '\n') {
			buf_putc(&b, '\n');
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	return buf_cstr(&b);
}

/* The path of the link base_url + prefix + 43 token characters in text. */
static const char *mail_link(struct arena *a, const char *text, const char *prefix)
{
	char base[200];
	snprintf(base, sizeof base, "http://127.0.0.1:%u%s", srv_port, prefix);
	const char *p = strstr(text, base);
	if (!p)
		return NULL;
	p += strlen(base) - strlen(prefix);
	size_t n = strlen(prefix);
	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_')
		n++;
	return n == strlen(prefix) + 43 ? arena_strndup(a, p, n) : NULL;
}

/* Every line of a message ends in CRLF and is at most 78 characters. */
static bool mail_lines_ok(const char *msg)
{
	for (const char *p = msg; *p;) {
		const char *end = strstr(p, "\r\n");
		if (!end || end - p > 78)
			return false;
		p = end + 2;
	}
	return true;
}

/* ---- the database, for what the pages do not show */

DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");
DB_STMT(stmt_audit_like, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1 OR user_agent LIKE $1 OR object_id LIKE $1");
DB_STMT(stmt_outbox_count, "SELECT COUNT(*) FROM outbox WHERE to_addr = $1");
DB_STMT(stmt_outbox_state,
        "SELECT attempts, sent_at IS NOT NULL, COALESCE(last_error, '') FROM outbox "
        "WHERE to_addr = $1 ORDER BY id DESC LIMIT 1");
DB_STMT(stmt_person_id, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_link_insert,
        "INSERT INTO one_time_links (token_hash, person_id, purpose, created_at, expires_at) "
        "VALUES ($1, $2, 'reset', $3, $4)");
DB_STMT(stmt_password_hash, "SELECT COALESCE(password_hash, '') FROM people WHERE email = $1");
static int64_t audit_mentions(const char *text)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	char *pattern = arena_printf(a, "%%%s%%", text);
	int64_t n = -1;
	if (db_query_row(db, &stmt_audit_like, (const struct db_param[]){DBP_TEXT(pattern), DBP_END},
	                 (const struct db_col[]){DBC_INT(&n), DBC_END}, a) != 0)
		n = -1;
	arena_free(a);
	db_close(db);
	return n;
}


static int64_t count_where(struct db_stmt *stmt, const char *text)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int64_t n = -1;
	if (db_query_row(db, stmt, (const struct db_param[]){DBP_TEXT(text), DBP_END},
	                 (const struct db_col[]){DBC_INT(&n), DBC_END}, a) != 0)
		n = -1;
	arena_free(a);
	db_close(db);
	return n;
}

static int64_t outbox_count(const char *to) { return count_where(&stmt_outbox_count, to); }

/* The newest outbox row for to: attempts, sent, last_error (malloc'd). */
static bool outbox_state(const char *to, int64_t *attempts, bool *sent, char **error)
{
	struct db_conn *db = db_connect();
	if (!db)
		return false;
	struct arena *a = arena_new(0);
	char *e = NULL;
	bool ok = db_query_row(db, &stmt_outbox_state, (const struct db_param[]){DBP_TEXT(to), DBP_END},
	                       (const struct db_col[]){DBC_INT(attempts), DBC_BOOL(sent), DBC_TEXT(&e), DBC_END},
	                       a) == 0;
	*error = ok ? xstrdup(e) : NULL;
	arena_free(a);
	db_close(db);
	return ok;
}

static char *password_hash_of(const char *email)
{
	struct db_conn *db = db_connect();
	if (!db)
		return NULL;
	struct arena *a = arena_new(0);
	char *h = NULL;
	bool ok = db_query_row(db, &stmt_password_hash, (const struct db_param[]){DBP_TEXT(email), DBP_END},
	                       (const struct db_col[]){DBC_TEXT(&h), DBC_END}, a) == 0;
	char *out = ok ? xstrdup(h) : NULL;
	arena_free(a);
	db_close(db);
	return out;
}

/* Opens path in a fresh browser; returns the page's CSRF token (in a). */
static const char *open_form(struct browser *b, const char *path, struct arena *a)
{
	memset(b, 0, sizeof *b);
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "the form");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	return tok;
}

static void post_forgot(struct browser *b, struct resp *r, const char *token, const char *email)
{
	struct arena *a = arena_new(0);
	br_post(b, r, "/wachtwoord-vergeten",
	        form_of(a, "csrf_token", token, "email", email, (const char *)NULL));
	arena_free(a);
}

/* A log-in attempt in a fresh browser: the status of the answer. */
static long try_login(const char *email, const char *password)
{
	struct arena *a = arena_new(0);
	struct browser b;
	const char *tok = open_form(&b, "/inloggen", a);
	struct resp r;
	br_post(&b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", password, (const char *)NULL));
	long status = r.status;
	if (status == 400)
		CHECK(has_text(&r, MSG_WRONG), "%s: refused without the message", r.what);
	resp_fini(&r);
	arena_free(a);
	return status;
}

static void test_forgot_page(void **state)
{
	(void)state;
	struct browser b = {0};
	struct resp r;
	br_get(&b, &r, "/inloggen");
	expect_page(&r, 200, "log-in page");
	CHECK(has(&r, "href=\"/wachtwoord-vergeten\""), "no link to /wachtwoord-vergeten on the log-in page");
	CHECK(has_text(&r, "Wachtwoord vergeten?"), "no \"Wachtwoord vergeten?\"");
	resp_fini(&r);
	br_get(&b, &r, "/wachtwoord-vergeten");
	expect_page(&r, 200, "forgotten-password page");
	CHECK(has(&r, "action=\"/wachtwoord-vergeten\""), "no form");
	CHECK(has(&r, "type=\"email\""), "no e-mail field");
	const char *tok = arena_strdup(r.arena, page_token(&r));
	struct resp e;
	post_forgot(&b, &e, tok, "geen adres");
	expect_page(&e, 400, "not an address");
	CHECK(has(&e, "role=\"alert\""), "no alert for a malformed address");
	resp_fini(&e);
	/* Without the CSRF token: refused, nothing queued. */
	int64_t before = outbox_count(RESET_EMAIL);
	fetch(&e, "POST", "/wachtwoord-vergeten", br_header(&b), "email=" RESET_EMAIL);
	CHECK(e.status == 403 || e.status == 400, "POST without csrf_token: status %ld", e.status);
	CHECK(outbox_count(RESET_EMAIL) == before, "a message was queued without a CSRF token");
	resp_fini(&e);
	resp_fini(&r);
}

static char reset_token[64];

static void test_reset_flow(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct browser b;
	const char *tok = open_form(&b, "/wachtwoord-vergeten", a);
	struct resp r;
	post_forgot(&b, &r, tok, "  Medewerker@Bibliotheek-Utrecht.demo ");
	expect_page(&r, 200, "reset requested");
	CHECK(has(&r, "id=\"link-verstuurd\""), "no confirmation: %s", summary(&r));
	resp_fini(&r);

	char *msg = mail_wait(mail_dir, RESET_EMAIL, MAIL_TIMEOUT_MS);
	CHECK(msg, "no e-mail to %s within %d ms in %s", RESET_EMAIL, MAIL_TIMEOUT_MS, mail_dir);
	CHECK(mail_lines_ok(msg + (strstr(msg, "\r\n") - msg) + 2), "a line over 78 characters or without CRLF");
	const char *subject = mail_header(a, msg, "Subject");
	CHECK(subject && !strcmp(subject, "Nieuw wachtwoord voor Campus"), "Subject %s", subject ? subject : "-");
	const char *to = mail_header(a, msg, "To");
	CHECK(to && !strcmp(to, RESET_EMAIL), "To %s", to ? to : "-");
	const char *ct = mail_header(a, msg, "Content-Type");
	CHECK(ct && strstr(ct, "charset=utf-8"), "Content-Type %s", ct ? ct : "-");
	CHECK(mail_header(a, msg, "Date") && mail_header(a, msg, "Message-ID"), "no Date or Message-ID");
	const char *text = mail_text(a, msg);
	CHECK(strstr(text, "een uur geldig"), "the text does not say how long the link holds: %s", text);
	const char *path = mail_link(a, text, "/wachtwoord-herstellen/");
	CHECK(path, "no link in the e-mail: %s", text);
	free(msg);
	str_copy(reset_token, sizeof reset_token, path + strlen("/wachtwoord-herstellen/"));

	/* The form, then two refusals that change nothing. */
	br_get(&b, &r, path);
	expect_page(&r, 200, "the reset form");
	CHECK(has_text(&r, RESET_EMAIL), "the form does not name the account");
	tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	char *hash0 = password_hash_of(RESET_EMAIL);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "nieuw", NEW_PASSWORD, "herhaling", "iets anders dan dat", (const char *)NULL));
	expect_page(&r, 400, "passwords differ");
	CHECK(has_text(&r, "De twee wachtwoorden zijn niet gelijk."), "no message for different passwords");
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "nieuw", "kort", "herhaling", "kort", (const char *)NULL));
	expect_page(&r, 400, "too short");
	CHECK(has(&r, "role=\"alert\""), "no alert for a short password");
	resp_fini(&r);
	char *hash1 = password_hash_of(RESET_EMAIL);
	CHECK(hash0 && hash1 && !strcmp(hash0, hash1), "a refused form changed the password");
	free(hash1);

	/* The new password: logged in, on /mijn. */
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "nieuw", NEW_PASSWORD, "herhaling", NEW_PASSWORD, (const char *)NULL));
	expect_redirect(&r, "/mijn", "password set");
	const char *line = set_cookie_line(&r, "campus_sessie");
	CHECK(line && !cookie_deleted(line), "no session cookie after the reset");
	resp_fini(&r);
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "logged in after the reset");
	resp_fini(&r);
	hash1 = password_hash_of(RESET_EMAIL);
	CHECK(hash0 && hash1 && strcmp(hash0, hash1) != 0, "the password hash did not change");
	free(hash0);
	free(hash1);

	CHECK(try_login(RESET_EMAIL, PASSWORD) == 400, "the old password still works");
	CHECK(try_login(RESET_EMAIL, NEW_PASSWORD) == 303, "the new password does not work");

	/* Single use. */
	br_get(&b, &r, path);
	expect_page(&r, 410, "link used");
	CHECK(has_text(&r, "Deze link is al gebruikt"), "no clear message for a used link: %s", summary(&r));
	tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "nieuw", "Nog een ander wachtwoord", "herhaling", "Nog een ander wachtwoord", (const char *)NULL));
	expect_page(&r, 410, "link used, posted");
	resp_fini(&r);
	CHECK(try_login(RESET_EMAIL, "Nog een ander wachtwoord") == 400, "a used link set a password");

	CHECK(audit_count("person.password_reset_requested", "ok") >= 1, "no audit row for the request");
	CHECK(audit_count("person.password_reset", "ok") == 1, "no (or more than one) audit row for the reset");
	CHECK(audit_mentions(reset_token) == 0, "the token is in the audit log");
	char *log = slurp(log_path);
	CHECK(!strstr(log, reset_token), "the token is in the server log");
	CHECK(strstr(log, "path=/wachtwoord-herstellen/:token"), "the log does not show the route pattern");
	free(log);
	arena_free(a);
}

static void test_reset_rate_limited(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	struct browser b;
	const char *tok = open_form(&b, "/wachtwoord-vergeten", a);
	int64_t before = outbox_count(RESET_EMAIL);
	struct resp r;
	post_forgot(&b, &r, tok, RESET_EMAIL);
	expect_page(&r, 429, "second request within the interval");
	CHECK(has_text(&r, "net al een link aangevraagd"), "no clear message: %s", summary(&r));
	resp_fini(&r);
	CHECK(outbox_count(RESET_EMAIL) == before, "a second e-mail was queued");
	CHECK(audit_count("person.password_reset_requested", "denied") >= 1, "the limited request is not audited");
	arena_free(a);
}

static void test_unknown_address(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *nobody = arena_printf(a, "niemand-%s@example.org", dialect);
	struct browser b;
	const char *tok = open_form(&b, "/wachtwoord-vergeten", a);
	struct resp r;
	post_forgot(&b, &r, tok, nobody);
	expect_page(&r, 200, "unknown address");
	CHECK(has(&r, "id=\"link-verstuurd\""), "an unknown address gets another page: %s", summary(&r));
	resp_fini(&r);
	CHECK(outbox_count(nobody) == 0, "mail queued for an unknown address");
	char *msg = mail_wait(mail_dir, nobody, 2500);
	CHECK(!msg, "an e-mail went to an unknown address");
	free(msg);
	CHECK(audit_count("person.password_reset_requested", "failed") >= 1, "not audited");
	arena_free(a);
}

static void test_expired_and_unknown_link(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	/* A link that expired a minute ago, stored as the server stores one. */
	char token[AUTH_TOKEN_LEN + 1];
	unsigned char hash[32];
	auth_token_new(token);
	auth_token_hash(token, hash);
	struct db_conn *db = db_connect();
	assert_non_null(db);
	int64_t person = 0, now = (int64_t)time(NULL);
	assert_int_equal(db_query_row(db, &stmt_person_id, (const struct db_param[]){DBP_TEXT(EXPIRED_EMAIL), DBP_END},
	                              (const struct db_col[]){DBC_INT(&person), DBC_END}, a), 0);
	assert_int_equal(db_exec(db, &stmt_link_insert,
	                         (const struct db_param[]){DBP_BLOB(hash, 32), DBP_INT(person), DBP_INT(now - 3700),
	                                                   DBP_INT(now - 100), DBP_END}, NULL), 0);
	db_close(db);
	char *hash0 = password_hash_of(EXPIRED_EMAIL);
	const char *path = arena_printf(a, "/wachtwoord-herstellen/%s", token);
	struct browser b = {0};
	struct resp r;
	br_get(&b, &r, path);
	expect_page(&r, 410, "expired link");
	CHECK(has_text(&r, "Deze link is verlopen"), "no clear message: %s", summary(&r));
	CHECK(has(&r, "href=\"/wachtwoord-vergeten\""), "no way to ask for a new link");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "nieuw", NEW_PASSWORD, "herhaling", NEW_PASSWORD, (const char *)NULL));
	expect_page(&r, 410, "expired link, posted");
	CHECK(!set_cookie_line(&r, "campus_sessie"), "a session from an expired link");
	resp_fini(&r);
	char *hash1 = password_hash_of(EXPIRED_EMAIL);
	CHECK(hash0 && hash1 && !strcmp(hash0, hash1), "an expired link changed the password");
	free(hash0);
	free(hash1);
	/* Unknown, and malformed. */
	br_get(&b, &r, "/wachtwoord-herstellen/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_page(&r, 400, "unknown link");
	CHECK(has_text(&r, "Deze link kennen wij niet"), "no clear message: %s", summary(&r));
	resp_fini(&r);
	br_get(&b, &r, "/wachtwoord-herstellen/kort");
	expect_page(&r, 400, "malformed link");
	resp_fini(&r);
	/* A reset token is no invitation. */
	br_get(&b, &r, arena_printf(a, "/uitnodiging/%s", reset_token));
	expect_page(&r, 400, "reset token as invitation");
	resp_fini(&r);
	arena_free(a);
}

static void test_invitation(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *email = arena_printf(a, "nieuwe-collega-%s@example.org", dialect);
	CHECK(campus_run("user", "add", email, "Nieuwe Colega", "--org", "bibliotheek-utrecht", (const char *)NULL) == 0,
	      "campus user add failed; see %s", log_path);
	CHECK(campus_run("user", "invite", email, (const char *)NULL) == 0, "campus user invite failed; see %s", log_path);
	CHECK(campus_run("user", "invite", "niemand@example.org", (const char *)NULL) == 1, "invite of an unknown address did not fail");
	char *msg = mail_wait(mail_dir, email, MAIL_TIMEOUT_MS);
	CHECK(msg, "no invitation e-mail within %d ms", MAIL_TIMEOUT_MS);
	const char *subject = mail_header(a, msg, "Subject");
	CHECK(subject && strstr(subject, "U bent uitgenodigd voor Campus door "), "Subject %s", subject ? subject : "-");
	const char *text = mail_text(a, msg);
	const char *path = mail_link(a, text, "/uitnodiging/");
	CHECK(path, "no link in the invitation: %s", text);
	free(msg);
	struct browser b = {0};
	struct resp r;
	br_get(&b, &r, path);
	expect_page(&r, 200, "invitation form");
	CHECK(has(&r, "value=\"Nieuwe Colega\""), "the name is not filled in");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "naam", "", "nieuw", NEW_PASSWORD, "herhaling", NEW_PASSWORD, (const char *)NULL));
	expect_page(&r, 400, "empty name");
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, "naam", "Nieuwe Collega", "nieuw", NEW_PASSWORD, "herhaling", NEW_PASSWORD, (const char *)NULL));
	expect_redirect(&r, "/mijn", "invitation accepted");
	resp_fini(&r);
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "logged in after the invitation");
	CHECK(has(&r, "Nieuwe Collega"), "the corrected name is not there");
	resp_fini(&r);
	br_get(&b, &r, path);
	expect_page(&r, 410, "invitation used");
	CHECK(has_text(&r, "Deze uitnodiging is al gebruikt"), "no clear message: %s", summary(&r));
	resp_fini(&r);
	CHECK(try_login(email, NEW_PASSWORD) == 303, "cannot log in with the chosen password");
	CHECK(audit_count("person.invited", "ok") >= 1 && audit_count("person.invite_accepted", "ok") >= 1,
	      "invitation not audited");
	arena_free(a);
}

/* A fresh browser logged in as email with password (303 expected). */
static void log_in(struct browser *b, const char *email, const char *password)
{
	struct arena *a = arena_new(0);
	const char *tok = open_form(b, "/inloggen", a);
	struct resp r;
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", password, (const char *)NULL));
	expect_status(&r, 303, "log-in");
	resp_fini(&r);
	arena_free(a);
}

/* POST /mijn/emailadres from /mijn in b; the reply in r. */
static void post_email_change(struct browser *b, struct resp *r, const char *fresh, const char *password)
{
	struct arena *a = arena_new(0);
	struct resp page;
	br_get(b, &page, "/mijn");
	expect_page(&page, 200, "/mijn");
	CHECK(has(&page, "action=\"/mijn/emailadres\""), "no e-mail change form on /mijn");
	const char *tok = arena_strdup(a, page_token(&page));
	resp_fini(&page);
	br_post(b, r, "/mijn/emailadres",
	        form_of(a, "csrf_token", tok, "nieuw_email", fresh, "wachtwoord_email", password,
	                (const char *)NULL));
	arena_free(a);
}

DB_STMT(stmt_email_of, "SELECT COUNT(*) FROM people WHERE email = $1");

static void test_email_change(void **state)
{
	(void)state;
	struct arena *a = arena_new(0);
	const char *old = "docent@go-opleidingen.demo";
	const char *fresh = arena_printf(a, "docent-nieuw-%s@example.org", dialect);
	struct browser b = {0}, other = {0};
	log_in(&b, old, PASSWORD);
	log_in(&other, old, PASSWORD);
	struct resp r;
	/* Refusals: nothing changes, nothing is sent. */
	post_email_change(&b, &r, "geen adres", PASSWORD);
	expect_page(&r, 400, "not an address");
	CHECK(has_text(&r, "Vul een geldig e-mailadres in"), "no message for a malformed address: %s", summary(&r));
	resp_fini(&r);
	post_email_change(&b, &r, "Manager@Bibliotheek-Utrecht.demo", PASSWORD);
	expect_page(&r, 409, "an address in use");
	CHECK(has_text(&r, "Dit e-mailadres is al in gebruik"), "no message for an address in use: %s", summary(&r));
	resp_fini(&r);
	post_email_change(&b, &r, fresh, "een verkeerd wachtwoord");
	expect_page(&r, 400, "wrong password");
	CHECK(has_text(&r, "Het wachtwoord klopt niet."), "no message for a wrong password: %s", summary(&r));
	resp_fini(&r);
	CHECK(outbox_count(fresh) == 0, "a refused request sent mail");
	CHECK(audit_count("person.email_change_requested", "failed") >= 1, "the wrong password is not audited");

	/* The request: a link to the new address, a notice to the old one; nothing changed yet. */
	post_email_change(&b, &r, fresh, PASSWORD);
	expect_redirect(&r, "/mijn", "e-mail change requested");
	resp_fini(&r);
	br_get(&b, &r, "/mijn");
	CHECK(has_text(&r, "Wij hebben een e-mail met een bevestigingslink naar uw nieuwe adres gestuurd."),
	      "no message after the request: %s", summary(&r));
	resp_fini(&r);
	CHECK(count_where(&stmt_email_of, old) == 1 && count_where(&stmt_email_of, fresh) == 0,
	      "the address changed before the link was followed");
	char *msg = mail_wait(mail_dir, fresh, MAIL_TIMEOUT_MS);
	CHECK(msg, "no e-mail to the new address %s within %d ms", fresh, MAIL_TIMEOUT_MS);
	const char *subject = mail_header(a, msg, "Subject");
	CHECK(subject && !strcmp(subject, "Bevestig uw nieuwe e-mailadres voor Campus"), "Subject %s",
	      subject ? subject : "-");
	const char *text = mail_text(a, msg);
	const char *path = mail_link(a, text, "/emailadres-bevestigen/");
	CHECK(path, "no link in the e-mail: %s", text);
	free(msg);
	msg = mail_wait(mail_dir, old, MAIL_TIMEOUT_MS);
	CHECK(msg, "no notice to the old address within %d ms", MAIL_TIMEOUT_MS);
	subject = mail_header(a, msg, "Subject");
	CHECK(subject && !strcmp(subject, "Uw e-mailadres voor Campus wordt mogelijk gewijzigd"), "Subject %s",
	      subject ? subject : "-");
	text = mail_text(a, msg);
	CHECK(strstr(text, fresh) && !strstr(text, "/emailadres-bevestigen/"),
	      "the notice does not name the new address, or carries the link: %s", text);
	free(msg);

	/* Following the link: a page, then a POST with the CSRF token. */
	br_get(&b, &r, path);
	expect_page(&r, 200, "the confirmation page");
	CHECK(has_text(&r, fresh) && has_text(&r, old), "the page does not name both addresses");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	fetch(&r, "POST", path, br_header(&b), "");
	CHECK(r.status == 403 || r.status == 400, "a confirmation without CSRF: %ld", r.status);
	resp_fini(&r);
	CHECK(count_where(&stmt_email_of, fresh) == 0, "changed without a CSRF token");
	int64_t changed0 = audit_count("person.email_changed", "ok");
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_redirect(&r, "/mijn", "confirmed");
	resp_fini(&r);
	br_get(&b, &r, "/mijn");
	expect_page(&r, 200, "/mijn after the change (this session stays)");
	CHECK(has_text(&r, fresh) && has_text(&r, "Uw e-mailadres is gewijzigd."), "/mijn: %s", summary(&r));
	resp_fini(&r);
	CHECK(audit_count("person.email_changed", "ok") == changed0 + 1, "the change is not audited");
	/* Other sessions ended; the old address no longer logs in. */
	br_get(&other, &r, "/mijn");
	CHECK(r.status == 303, "the other session is still logged in: %ld", r.status);
	resp_fini(&r);
	CHECK(try_login(old, PASSWORD) == 400, "the old address still logs in");
	CHECK(try_login(fresh, PASSWORD) == 303, "the new address does not log in");
	/* Single use. */
	br_get(&b, &r, path);
	expect_page(&r, 410, "link used");
	CHECK(has_text(&r, "Deze link is al gebruikt"), "no message for a used link: %s", summary(&r));
	resp_fini(&r);

	/* An address taken between the request and the link: refused, nothing changes. */
	const char *third = arena_printf(a, "docent-derde-%s@example.org", dialect);
	post_email_change(&b, &r, third, PASSWORD);
	expect_redirect(&r, "/mijn", "second request");
	resp_fini(&r);
	msg = mail_wait(mail_dir, third, MAIL_TIMEOUT_MS);
	CHECK(msg, "no e-mail to %s", third);
	path = mail_link(a, mail_text(a, msg), "/emailadres-bevestigen/");
	free(msg);
	msg = mail_wait(mail_dir, fresh, MAIL_TIMEOUT_MS); /* the notice to the current address */
	free(msg);
	CHECK(campus_run("user", "add", third, "Iemand Anders", (const char *)NULL) == 0, "campus user add failed");
	br_get(&b, &r, path);
	tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(&b, &r, path, form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_page(&r, 409, "address taken since the request");
	CHECK(has_text(&r, "Dit e-mailadres is al in gebruik"), "no message: %s", summary(&r));
	resp_fini(&r);
	CHECK(count_where(&stmt_email_of, fresh) == 1, "the address changed although the new one was taken");
	arena_free(a);
}

/* SMTP down: the message waits with attempts and last_error; a sink on that
 * port later gets it. Runs last: it restarts the server. */
static void test_smtp_down(void **state)
{
	(void)state;
	assert_int_equal(server_stop(), 0);
	unsigned port = pick_port();
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%u", port);
	assert_int_equal(start_with_smtp(url), 0);
	struct arena *a = arena_new(0);
	const char *email = arena_printf(a, "later-%s@example.org", dialect);
	CHECK(campus_run("user", "add", email, "Later Lid", "--org", "bibliotheek-utrecht", (const char *)NULL) == 0, "user add");
	CHECK(campus_run("user", "invite", email, (const char *)NULL) == 0, "user invite");
	int64_t attempts = 0;
	bool sent = false;
	char *error = NULL;
	for (double end = now_ms() + 15000; now_ms() < end; sleep_ms(200)) {
		free(error);
		error = NULL;
		if (outbox_state(email, &attempts, &sent, &error) && attempts >= 1)
			break;
	}
	CHECK(attempts >= 1 && !sent && error && *error, "no failed attempt recorded (attempts %lld, sent %d, error %s)",
	      (long long)attempts, sent, error ? error : "-");
	CHECK(!strstr(error, "uitnodiging"), "last_error holds the message: %s", error);
	free(error);
	char dir[400];
	snprintf(dir, sizeof dir, "%s-later", mail_dir);
	pid_t pid;
	assert_int_equal(sink_start(port, dir, &pid), 0);
	bool running = true;
	char *msg = mail_wait(dir, email, 30000);
	CHECK(msg, "the queued message did not arrive once the sink was up");
	free(msg);
	error = NULL;
	for (double end = now_ms() + 5000; now_ms() < end && !sent; sleep_ms(100)) {
		free(error);
		error = NULL;
		outbox_state(email, &attempts, &sent, &error);
	}
	CHECK(sent && attempts >= 2 && error && !*error, "not marked sent (attempts %lld, error %s)", (long long)attempts,
	      error ? error : "-");
	free(error);
	stop_child(pid, &running);
	arena_free(a);
}

static bool fresh_sqlite_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return strstr(path, "var/test/") != NULL || strncmp(base, "mail-test", 9) == 0;
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_mail";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/mail.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/mail-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/inloggen.html", R_OK) != 0) {
		fprintf(stderr, "# run from the repository root (templates/)\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	const char *url = getenv("CAMPUS_SMTP_URL"), *dir = getenv("CAMPUS_MAIL_DIR");
	if (url && *url && dir && *dir) {
		str_copy(smtp_url, sizeof smtp_url, url);
		str_copy(mail_dir, sizeof mail_dir, dir);
	} else {
		unsigned port = pick_port();
		snprintf(smtp_url, sizeof smtp_url, "smtp://127.0.0.1:%u", port);
		snprintf(mail_dir, sizeof mail_dir, "var/test/mail-sink-%s", dialect);
		if (sink_start(port, mail_dir, &sink_pid) != 0)
			return -1;
		sink_running = true;
	}
	mail_skip_all(mail_dir);
	char later[400];
	snprintf(later, sizeof later, "%s-later", mail_dir);
	mail_skip_all(later);

	if (!strcmp(dialect, "sqlite") && fresh_sqlite_file(test_db + 7)) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s%s", test_db + 7, suffix[i]);
			unlink(p);
		}
	}
	int rc = campus_run("demo", (const char *)NULL);
	if (rc != 0) {
		fprintf(stderr, "# campus demo exited %d on %s; see %s\n", rc, test_db, log_path);
		return -1;
	}
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	db_close(db);
	if (rc)
		return -1;
	return start_with_smtp(smtp_url);
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	if (status != 0)
		fprintf(stderr, "# the server exited with %d after SIGTERM; see %s\n", status, log_path);
	if (sink_running)
		stop_child(sink_pid, &sink_running);
	for (unsigned i = 0; i < nseen; i++)
		free(seen[i]);
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forgot_page),
	    cmocka_unit_test(test_reset_flow),
	    cmocka_unit_test(test_reset_rate_limited),
	    cmocka_unit_test(test_unknown_address),
	    cmocka_unit_test(test_expired_and_unknown_link),
	    cmocka_unit_test(test_invitation),
	    cmocka_unit_test(test_email_change),
	    cmocka_unit_test(test_smtp_down),
	};
	return cmocka_run_group_tests_name("mail", tests, group_setup, group_teardown);
}
