/* The review committee's pages end to end over HTTP: the real server on a
 * database filled by `campus demo`, with three committee members added with
 * the CLI (two reviewers, and one who also teaches at the provider: a
 * conflict of interest) who enrol in two-step log-in through the pages, and
 * a second provider. Cases, in order (they share the people's sessions):
 *   a provider places a module and submits it (e-mail, audit);
 *   CSRF token missing, another provider's module id, a non-committee
 *   person: refused, nothing changed;
 *   the campus administrator checks it, the chair sees the conflicted member
 *   blocked and a forged POST assigning them refused, assigns two reviewers
 *   (e-mail each), each scores every criterion, the chair recognises with
 *   points (out of range refused first) -> /aanbod/<id>, /register and
 *   /register.csv show it; the provider's page says "Erkend" (e-mail);
 *   a second module returned at the completeness check, resubmitted, and
 *   returned by the committee, and a third rejected: the provider's page
 *   shows each reason;
 *   an audit row for every step.
 *
 * Env: CAMPUS_TEST_DB (sqlite:PATH or postgres://..., fresh), CAMPUS_BIN,
 * CAMPUS_LOCALE_DIR; CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR name a running SMTP
 * sink and its directory (scripts/test.sh starts one); without them this
 * program starts its own (node tests/smtp-sink.mjs). Run from the repository
 * root. The server's log: var/test/review-server-<dialect>.log. */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "db/db.h"
#include "domain/totp.h"

#define DEMO_PASSWORD "Campus-demo-2026"
#define PASSWORD "Commissie-proef-wachtwoord-2026"
#define PROVIDER "aanbieder@go-opleidingen.demo"
#define PROVIDER_SLUG "go-opleidingen"
#define ADMIN "beheerder@campus.demo"
#define CHAIR "commissie@campus.demo"
#define OUTSIDER "medewerker@bibliotheek-utrecht.demo"
#define MAIL_TIMEOUT_MS 20000

static const char *dialect;
static struct arena *g; /* strings that live as long as the suite */
static char tag[40], reviewer1[128], reviewer2[128], conflicted[128], other_admin[128],
    other_slug[64];
static struct browser provider, admin, chair, rev1, rev2, conflict_b, outsider, other;
static int64_t rev1_id, rev2_id, conflict_id;

/* ---- the database, for what the pages do not show */

DB_STMT(stmt_person_id, "SELECT id FROM people WHERE email = $1");
DB_STMT(stmt_last_review, "SELECT COALESCE(MAX(id), 0) FROM reviews WHERE module_id = $1");
DB_STMT(stmt_review_count, "SELECT COUNT(*) FROM reviews WHERE module_id = $1");
DB_STMT(stmt_review_state, "SELECT state FROM reviews WHERE id = $1");
DB_STMT(stmt_assign_count, "SELECT COUNT(*) FROM review_assignments WHERE review_id = $1");
DB_STMT(stmt_version_state,
        "SELECT v.state FROM modules m JOIN module_versions v ON v.id = m.working_version_id "
        "WHERE m.id = $1");
DB_STMT(stmt_audit_review,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND result = $2 AND object_id = $3");

static int64_t int_of(struct db_stmt *stmt, const struct db_param *params)
{
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int64_t n = -1;
	if (db_query_row(db, stmt, params, (const struct db_col[]){DBC_INT(&n), DBC_END}, a) != 0)
		n = -1;
	arena_free(a);
	db_close(db);
	return n;
}

static const char *text_of(struct db_stmt *stmt, int64_t id)
{
	struct db_conn *db = db_connect();
	if (!db)
		return "";
	struct arena *a = arena_new(0);
	char *s = NULL;
	const char *out = "";
	if (db_query_row(db, stmt, (const struct db_param[]){DBP_INT(id), DBP_END},
	                 (const struct db_col[]){DBC_TEXT(&s), DBC_END}, a) == 0)
		out = arena_strdup(g, s);
	arena_free(a);
	db_close(db);
	return out;
}

static int64_t person_id(const char *email)
{
	return int_of(&stmt_person_id, (const struct db_param[]){DBP_TEXT(email), DBP_END});
}
static int64_t last_review(int64_t module)
{
	return int_of(&stmt_last_review, (const struct db_param[]){DBP_INT(module), DBP_END});
}
static int64_t review_count(int64_t module)
{
	return int_of(&stmt_review_count, (const struct db_param[]){DBP_INT(module), DBP_END});
}
static int64_t assign_count(int64_t review)
{
	return int_of(&stmt_assign_count, (const struct db_param[]){DBP_INT(review), DBP_END});
}
static const char *review_state(int64_t review) { return text_of(&stmt_review_state, review); }
static const char *version_state(int64_t module) { return text_of(&stmt_version_state, module); }

/* Audit rows of action with result for this review (or module) id. */
static int64_t audit_of(const char *action, const char *result, int64_t object)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)object);
	return int_of(&stmt_audit_review,
	              (const struct db_param[]){DBP_TEXT(action), DBP_TEXT(result), DBP_TEXT(id), DBP_END});
}

/* ---- the CLI */

/* `campus --db test_db ARGS...`; a "--password-stdin FILE" pair feeds FILE
 * on standard input (the arguments here are plain words, no quoting needed). */
static int cli(const char *const *args)
{
	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "'%s' --db '%s'", campus_bin, test_db);
	for (size_t i = 0; args[i] && n > 0 && (size_t)n < sizeof cmd; i++) {
		if (!strcmp(args[i], "--password-stdin") && args[i + 1]) {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " --password-stdin < '%s'", args[i + 1]);
			i++;
		} else {
			n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", args[i]);
		}
	}
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	pid_t pid;
	if (n <= 0 || (size_t)n >= sizeof cmd || start_process(argv, NULL, &pid))
		return -1;
	return wait_exit(pid);
}

/* ---- the SMTP sink (as in test_mail.c) */

static char mail_dir[300], smtp_url[80];
static pid_t sink_pid;
static bool sink_running;
#define MAX_SEEN 1024
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
		seen[nseen++] = arena_strdup(g, name);
}

static int sink_start(unsigned port, const char *dir)
{
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%u", port);
	char *argv[] = {(char *)"/usr/bin/env", (char *)"node", (char *)"tests/smtp-sink.mjs", port_text,
	                (char *)dir, NULL};
	if (start_process(argv, NULL, &sink_pid))
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
	return -1;
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

/* The text of the next new message to `to` whose body holds every one of
 * the NULL-terminated needles (in g), within MAIL_TIMEOUT_MS; NULL if none. */
static const char *mail_wait(const char *to, ...)
{
	const char *needles[8];
	size_t nn = 0;
	va_list ap;
	va_start(ap, to);
	for (const char *s = va_arg(ap, const char *); s && nn < 8; s = va_arg(ap, const char *))
		needles[nn++] = s;
	va_end(ap);
	char rcpt[200];
	snprintf(rcpt, sizeof rcpt, "\"%s\"", to);
	for (double end = now_ms() + MAIL_TIMEOUT_MS;; sleep_ms(100)) {
		DIR *d = opendir(mail_dir);
		struct dirent *e;
		const char *found = NULL;
		while (d && !found && (e = readdir(d)) != NULL) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".eml") != 0 || was_seen(e->d_name))
				continue;
			char path[600];
			snprintf(path, sizeof path, "%s/%s", mail_dir, e->d_name);
			char *raw = slurp(path);
			const char *nl = strstr(raw, "\r\n");
			const char *text = mail_text(g, raw);
			bool ok = nl && memmem(raw, (size_t)(nl - raw), rcpt, strlen(rcpt));
			for (size_t i = 0; ok && i < nn; i++)
				ok = strstr(text, needles[i]) != NULL;
			if (ok) {
				mark_seen(e->d_name);
				found = text;
			}
			free(raw);
		}
		if (d)
			closedir(d);
		if (found || now_ms() > end)
			return found;
	}
}

static void mail_skip_all(void)
{
	DIR *d = opendir(mail_dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (!was_seen(e->d_name))
			mark_seen(e->d_name);
	if (d)
		closedir(d);
}

/* ---- pages */

/* GET path in b, expecting 200: the page's CSRF token (in g). */
static const char *token_at(struct browser *b, const char *path)
{
	struct resp r;
	br_get(b, &r, path);
	expect_page(&r, 200, "a page with a form");
	const char *tok = arena_strdup(g, page_token(&r));
	resp_fini(&r);
	return tok;
}

/* The password step; the answer's Location (in g). */
static const char *password_step(struct browser *b, const char *email, const char *password)
{
	memset(b, 0, sizeof *b);
	const char *tok = token_at(b, "/inloggen");
	struct resp r;
	br_post(b, &r, "/inloggen",
	        form_of(g, "csrf_token", tok, "email", email, "wachtwoord", password, (const char *)NULL));
	expect_status(&r, 303, email);
	const char *to = arena_strdup(g, header(&r, "Location") ? header(&r, "Location") : "");
	resp_fini(&r);
	return to;
}

/* POSTs a code for secret to path (the step now, or the next one when now
 * was used already on this database). */
static void post_totp(struct browser *b, const char *path, const unsigned char *secret, size_t n,
                      const char *email, long ok_status)
{
	const char *tok = token_at(b, path);
	struct resp r;
	for (int k = 0; k < 3; k++) {
		char code[TOTP_DIGITS + 1];
		assert_int_equal(totp_code(secret, n, time(NULL) / TOTP_STEP + k, code), 0);
		br_post(b, &r, path, form_of(g, "csrf_token", tok, "code", code, (const char *)NULL));
		if (r.status == ok_status || k == 2)
			break;
		resp_fini(&r);
	}
	expect_status(&r, ok_status, email);
	resp_fini(&r);
}

static void login_plain(struct browser *b, const char *email)
{
	const char *to = password_step(b, email, DEMO_PASSWORD);
	CHECK(!strcmp(to, "/mijn"), "%s: after the password to %s", email, to);
}

/* A demo account with the demo's two-step secret. */
static void login_demo_two_step(struct browser *b, const char *email)
{
	const char *to = password_step(b, email, DEMO_PASSWORD);
	CHECK(!strcmp(to, "/inloggen/code"), "%s: after the password to %s", email, to);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t n = 0;
	assert_int_equal(totp_base32_decode(DEMO_TOTP_SECRET, secret, sizeof secret, &n), 0);
	post_totp(b, "/inloggen/code", secret, n, email, 303);
}

/* A committee member made with the CLI: the first log-in requires enrolment
 * in two-step log-in, with the secret the page shows. */
static void login_enrol(struct browser *b, const char *email)
{
	const char *to = password_step(b, email, PASSWORD);
	CHECK(!strcmp(to, "/mijn/tweestaps"), "%s: after the password to %s", email, to);
	struct resp r;
	br_get(b, &r, "/mijn/tweestaps");
	expect_page(&r, 200, "the enrolment page");
	const char *s = strstr(body(&r), "class=\"campus-secret\">");
	CHECK(s, "no secret on the enrolment page: %s", summary(&r));
	s += strlen("class=\"campus-secret\">");
	char b32[80];
	size_t n = 0;
	while (*s && *s != '<' && n < sizeof b32 - 1)
		b32[n++] = *s++;
	b32[n] = '\0';
	resp_fini(&r);
	unsigned char secret[TOTP_SECRET_LEN];
	size_t len = 0;
	assert_int_equal(totp_base32_decode(b32, secret, sizeof secret, &len), 0);
	post_totp(b, "/mijn/tweestaps", secret, len, email, 200);
	br_get(b, &r, "/mijn");
	expect_page(&r, 200, "/mijn after enrolment");
	resp_fini(&r);
}

/* GET path as b: the reply (the caller frees it). */
static void get(struct browser *b, struct resp *r, const char *path, long status)
{
	br_get(b, r, path);
	expect_page(r, status, path);
}

/* POST form (pairs, NULL-terminated) with the token of the page at from. */
static void post_form(struct browser *b, struct resp *r, const char *from, const char *path, ...)
{
	const char *tok = token_at(b, from);
	struct buf f;
	buf_init(&f, g, 256);
	buf_puts(&f, "csrf_token=");
	buf_puts(&f, enc(g, tok));
	va_list ap;
	va_start(ap, path);
	for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue;
		buf_putc(&f, '&');
		buf_puts(&f, enc(g, k));
		buf_putc(&f, '=');
		buf_puts(&f, enc(g, v));
	}
	va_end(ap);
	br_post(b, r, path, buf_cstr(&f));
}

static const char *review_path(int64_t review)
{
	return arena_printf(g, "/commissie/toetsingen/%lld", (long long)review);
}

static const char *own_path(int64_t module)
{
	return arena_printf(g, "/b/" PROVIDER_SLUG "/modules/%lld/toetsing", (long long)module);
}

/* A step on the review page that works: 303 back to the review. */
static void step_ok(struct browser *b, int64_t review, const char *what, const char *action, ...)
{
	const char *from = review_path(review);
	const char *tok = token_at(b, from);
	struct buf f;
	buf_init(&f, g, 512);
	buf_puts(&f, "csrf_token=");
	buf_puts(&f, enc(g, tok));
	va_list ap;
	va_start(ap, action);
	for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		buf_putc(&f, '&');
		buf_puts(&f, enc(g, k));
		buf_putc(&f, '=');
		buf_puts(&f, enc(g, v));
	}
	va_end(ap);
	struct resp r;
	br_post(b, &r, arena_printf(g, "%s/%s", from, action), buf_cstr(&f));
	expect_redirect(&r, from, what);
	resp_fini(&r);
}

/* Places a module through the form (the first domain of the taxonomy): its id. */
static int64_t place_module(struct browser *b, const char *slug, const char *title)
{
	const char *path = arena_printf(g, "/b/%s/modules/nieuw", slug);
	struct resp r;
	get(b, &r, path, 200);
	const char *d = strstr(body(&r), "name=\"domein\" value=\"");
	CHECK(d, "no domain on the module form");
	d += strlen("name=\"domein\" value=\"");
	char domain[24];
	size_t n = strspn(d, "0123456789");
	CHECK(n > 0 && n < sizeof domain, "domain id");
	memcpy(domain, d, n);
	domain[n] = 0;
	const char *tok = arena_strdup(g, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, path,
	        form_of(g, "csrf_token", tok, "titel", title, "samenvatting",
	                "Burgers helpen met DigiD en de berichtenbox.", "leerdoelen",
	                "Je legt DigiD uit\nJe verwijst door", "beschrijving",
	                "## Opzet\n\nJe oefent **met casussen**.", "vorm", "online_live", "niveau",
	                "uitvoerend", "studielast", "2,5", "taal", "nl", "doelgroep", "both", "prijs", "45",
	                "btw", "crkbo", "contactpersoon", "Iris Bos", "contactemail", "iris@example.nl",
	                "domein", domain, (const char *)NULL));
	expect_status(&r, 303, "placing a module");
	const char *loc = header(&r, "Location");
	char prefix[100];
	snprintf(prefix, sizeof prefix, "/b/%s/modules/", slug);
	CHECK(loc && !strncmp(loc, prefix, strlen(prefix)), "placed: to %s", loc ? loc : "-");
	int64_t id = strtoll(loc + strlen(prefix), NULL, 10);
	resp_fini(&r);
	CHECK(id > 0, "no module id");
	return id;
}

/* Submits the module on its toetsing page: the new review's id. */
static int64_t submit(int64_t module)
{
	struct resp r;
	get(&provider, &r, own_path(module), 200);
	CHECK(has(&r, "Ter toetsing aanbieden"), "no submit form: %s", summary(&r));
	resp_fini(&r);
	post_form(&provider, &r, own_path(module), own_path(module), (const char *)NULL);
	expect_redirect(&r, own_path(module), "submitting");
	resp_fini(&r);
	int64_t id = last_review(module);
	CHECK(id > 0 && !strcmp(review_state(id), "submitted"), "review %lld: %s", (long long)id,
	      review_state(id));
	return id;
}

/* Every criterion on b's score form gets score (the ids from the form);
 * status 303 expects it saved, anything else a refusal with a reason. */
static void score_all(struct browser *b, int64_t review, const char *score, const char *comment,
                      long status)
{
	struct resp r;
	get(b, &r, review_path(review), 200);
	CHECK(has(&r, "Uw beoordeling"), "no score form: %s", summary(&r));
	struct buf f;
	buf_init(&f, g, 512);
	buf_puts(&f, "csrf_token=");
	buf_puts(&f, enc(g, page_token(&r)));
	unsigned n = 0;
	for (const char *p = body(&r); (p = strstr(p, "name=\"score_")) != NULL; n++) {
		p += strlen("name=\"score_");
		long long id = strtoll(p, NULL, 10);
		buf_puts(&f, arena_printf(g, "&score_%lld=%s&toelichting_%lld=%s", id, score, id,
		                          enc(g, comment)));
	}
	resp_fini(&r);
	CHECK(n >= 3, "only %u criteria on the form", n);
	br_post(b, &r, arena_printf(g, "%s/scores", review_path(review)), buf_cstr(&f));
	if (status == 303)
		expect_redirect(&r, review_path(review), "scores");
	else
		CHECK(r.status == status && has(&r, "role=\"alert\""), "scores %s: %ld %s", score, r.status,
		      summary(&r));
	resp_fini(&r);
}

/* ---- cases */

static int64_t mod_a, rev_a;
static char title_a[120];

static void provider_submits(void **state)
{
	(void)state;
	snprintf(title_a, sizeof title_a, "Digitale overheid %s", tag);
	mod_a = place_module(&provider, PROVIDER_SLUG, title_a);
	struct resp r;
	get(&provider, &r, arena_printf(g, "/b/" PROVIDER_SLUG "/modules/%lld", (long long)mod_a), 200);
	CHECK(has(&r, own_path(mod_a)), "the module page has no link to its toetsing page");
	resp_fini(&r);
	get(&provider, &r, own_path(mod_a), 200);
	CHECK(has_text(&r, "Deze module is nog niet ter toetsing aangeboden."), "%s", summary(&r));
	CHECK(!has(&r, "/toetsing/intrekken"), "a withdraw form before anything was submitted");
	resp_fini(&r);
	rev_a = submit(mod_a);
	get(&provider, &r, own_path(mod_a), 200);
	CHECK(has_text(&r, "De module is aangeboden aan de toetsingscommissie.") &&
	          has_text(&r, "Aangeboden") && has(&r, "/toetsing/intrekken"),
	      "after submitting: %s", summary(&r));
	CHECK(!has(&r, arena_printf(g, "action=\"%s\"", own_path(mod_a))), "a second submit form");
	resp_fini(&r);
	CHECK(!strcmp(version_state(mod_a), "submitted"), "version %s", version_state(mod_a));
	CHECK(audit_of("review.submit", "ok", rev_a) == 1, "no review.submit audit row");
	CHECK(mail_wait(PROVIDER, title_a, own_path(mod_a), (const char *)NULL),
	      "no e-mail to the provider about the submission");
	/* A second submission while one is open: refused with a reason. */
	int64_t before = review_count(mod_a);
	post_form(&provider, &r, own_path(mod_a), own_path(mod_a), (const char *)NULL);
	CHECK(r.status == 409 && has(&r, "role=\"alert\""), "a second submit: %ld %s", r.status,
	      summary(&r));
	resp_fini(&r);
	CHECK(review_count(mod_a) == before, "a second review");
}

static void refusals_change_nothing(void **state)
{
	(void)state;
	struct resp r;
	/* No CSRF token: refused, nothing changed. */
	fetch(&r, "POST", arena_printf(g, "%s/intrekken", own_path(mod_a)), br_header(&provider), "x=1");
	CHECK(r.status == 403 || r.status == 400, "withdraw without a token: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev_a), "submitted"), "withdrawn without a token");
	fetch(&r, "POST", arena_printf(g, "%s/controle", review_path(rev_a)), br_header(&admin),
	      "uitkomst=compleet");
	CHECK(r.status == 403 || r.status == 400, "check without a token: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev_a), "submitted"), "checked without a token");

	/* Another provider's module under the own slug: not there. */
	int64_t theirs = place_module(&other, other_slug, arena_printf(g, "Ander aanbod %s", tag));
	int64_t before = review_count(theirs);
	get(&provider, &r, own_path(theirs), 404);
	resp_fini(&r);
	const char *tok = token_at(&provider, own_path(mod_a));
	br_post(&provider, &r, own_path(theirs), form_of(g, "csrf_token", tok, (const char *)NULL));
	expect_page(&r, 404, "submitting another provider's module");
	resp_fini(&r);
	CHECK(review_count(theirs) == before, "another provider's module was submitted");
	/* And the provider is not on the committee. */
	get(&provider, &r, "/commissie", 403);
	resp_fini(&r);
	get(&provider, &r, review_path(rev_a), 403);
	resp_fini(&r);
	/* The completeness check is the campus administrator's, not the chair's. */
	get(&chair, &r, review_path(rev_a), 200);
	CHECK(!has(&r, "/controle\""), "the chair sees the check form");
	resp_fini(&r);
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/controle", review_path(rev_a)),
	          "uitkomst", "compleet", (const char *)NULL);
	CHECK(r.status == 403 && has(&r, "role=\"alert\""), "the chair checks: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev_a), "submitted"), "checked by the chair");
}

static void check_assign_score_recognise(void **state)
{
	(void)state;
	struct resp r;
	/* The administrator's inbox lists it; the check moves it on. */
	get(&admin, &r, "/commissie", 200);
	CHECK(has_text(&r, title_a) && has(&r, review_path(rev_a)), "not in the inbox: %s", summary(&r));
	resp_fini(&r);
	get(&admin, &r, review_path(rev_a), 200);
	CHECK(has(&r, "/controle\"") && has(&r, "name=\"uitkomst\""), "no check form: %s", summary(&r));
	resp_fini(&r);
	step_ok(&admin, rev_a, "complete", "controle", "uitkomst", "compleet", "reden", "",
	        (const char *)NULL);
	CHECK(!strcmp(review_state(rev_a), "checked"), "after the check: %s", review_state(rev_a));
	CHECK(audit_of("review.check", "ok", rev_a) == 1, "no review.check audit row");

	/* The chair: the conflicted member is shown, blocked. */
	get(&chair, &r, "/commissie", 200);
	CHECK(has(&r, review_path(rev_a)), "not in the chair's inbox");
	resp_fini(&r);
	get(&chair, &r, review_path(rev_a), 200);
	char needle[160];
	snprintf(needle, sizeof needle, "id=\"lid-%lld\" name=\"beoordelaar\" value=\"%lld\" disabled",
	         (long long)conflict_id, (long long)conflict_id);
	CHECK(has(&r, needle), "the conflicted member is not blocked on the form");
	CHECK(has_text(&r, "belangenverstrengeling: werkt bij de aanbieder"), "no reason shown");
	snprintf(needle, sizeof needle, "value=\"%lld\">", (long long)rev1_id);
	CHECK(has(&r, needle), "reviewer 1 is not on the form");
	resp_fini(&r);
	/* A forged POST with the conflicted member: refused with the reason, nothing assigned. */
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/toewijzen", review_path(rev_a)),
	          "beoordelaar", arena_printf(g, "%lld", (long long)rev1_id), "beoordelaar",
	          arena_printf(g, "%lld", (long long)conflict_id), (const char *)NULL);
	CHECK(r.status == 400 && has_text(&r, "belangenverstrengeling") && has(&r, "role=\"alert\""),
	      "a conflicted reviewer: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	CHECK(assign_count(rev_a) == 0 && !strcmp(review_state(rev_a), "checked"),
	      "the forged assignment changed something");
	/* No one chosen, and an id that is no number. */
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/toewijzen", review_path(rev_a)),
	          (const char *)NULL);
	CHECK(r.status == 400 && has(&r, "role=\"alert\""), "nobody: %ld", r.status);
	resp_fini(&r);
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/toewijzen", review_path(rev_a)),
	          "beoordelaar", "abc", (const char *)NULL);
	CHECK(r.status == 400 && has(&r, "role=\"alert\""), "a malformed id: %ld", r.status);
	resp_fini(&r);
	CHECK(assign_count(rev_a) == 0, "assigned on bad input");

	step_ok(&chair, rev_a, "assign", "toewijzen", "beoordelaar",
	        arena_printf(g, "%lld", (long long)rev1_id), "beoordelaar",
	        arena_printf(g, "%lld", (long long)rev2_id), (const char *)NULL);
	CHECK(assign_count(rev_a) == 2 && !strcmp(review_state(rev_a), "assigned"), "assigned: %s",
	      review_state(rev_a));
	CHECK(audit_of("review.assign", "ok", rev_a) == 2, "not two review.assign audit rows");
	CHECK(mail_wait(reviewer1, title_a, review_path(rev_a), (const char *)NULL),
	      "no e-mail to reviewer 1");
	CHECK(mail_wait(reviewer2, title_a, review_path(rev_a), (const char *)NULL),
	      "no e-mail to reviewer 2");

	/* The conflicted member sees why and cannot decide. */
	get(&conflict_b, &r, review_path(rev_a), 200);
	CHECK(has_text(&r, "U werkt bij de aanbieder van deze module") && !has(&r, "/besluit\""),
	      "the conflicted member's page: %s", summary(&r));
	resp_fini(&r);

	/* The reviewers' inbox and scores; an out-of-range score is refused first. */
	get(&rev1, &r, "/commissie", 200);
	CHECK(has(&r, review_path(rev_a)), "not in reviewer 1's inbox");
	resp_fini(&r);
	score_all(&rev1, rev_a, "4", "Heldere leerdoelen.", 303);
	score_all(&rev2, rev_a, "9", "Te hoog.", 400);
	score_all(&rev2, rev_a, "0", "Te laag.", 400);
	CHECK(audit_of("review.score", "ok", rev_a) == 1, "a refused score was audited as ok");
	score_all(&rev2, rev_a, "5", "Goed.", 303);
	CHECK(audit_of("review.score", "ok", rev_a) == 2, "not two review.score audit rows");
	CHECK(mail_wait(CHAIR, title_a, review_path(rev_a), (const char *)NULL),
	      "no e-mail to the chair when the scores were in");

	/* Someone not on the committee: 403, nothing decided. */
	post_form(&outsider, &r, "/mijn", arena_printf(g, "%s/besluit", review_path(rev_a)), "besluit",
	          "erkend", "punten", "3", "studielast", "2,5", (const char *)NULL);
	expect_status(&r, 403, "deciding without being on the committee");
	resp_fini(&r);
	/* The conflicted member: refused with the reason. */
	post_form(&conflict_b, &r, "/commissie", arena_printf(g, "%s/besluit", review_path(rev_a)),
	          "besluit", "erkend", "punten", "3", "studielast", "2,5", (const char *)NULL);
	CHECK(r.status == 403 && has_text(&r, "belangenverstrengeling"), "the conflicted member decides: %ld",
	      r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev_a), "assigned"), "decided by an outsider");
	CHECK(audit_of("review.decide", "denied", rev_a) >= 1, "no denied review.decide audit row");

	/* The chair: points out of range refused, nothing changed. */
	get(&chair, &r, review_path(rev_a), 200);
	CHECK(has(&r, "/besluit\"") && has(&r, "name=\"punten\""), "no decision form");
	const char *d = strstr(body(&r), "name=\"domein\" value=\"");
	CHECK(d, "no domains on the decision form");
	const char *domain = arena_strndup(g, d + strlen("name=\"domein\" value=\""),
	                                   strspn(d + strlen("name=\"domein\" value=\""), "0123456789"));
	resp_fini(&r);
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/besluit", review_path(rev_a)),
	          "besluit", "erkend", "punten", "150", "studielast", "2,5", "domein", domain,
	          (const char *)NULL);
	CHECK(r.status == 400 && has_text(&r, "Het aantal punten valt buiten het toegestane bereik."),
	      "150 points: %ld %s", r.status, summary(&r));
	resp_fini(&r);
	post_form(&chair, &r, review_path(rev_a), arena_printf(g, "%s/besluit", review_path(rev_a)),
	          "besluit", "erkend", "punten", "veel", "studielast", "2,5", "domein", domain,
	          (const char *)NULL);
	CHECK(r.status == 400 && has(&r, "role=\"alert\""), "points as a word: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev_a), "assigned") && !strcmp(version_state(mod_a), "in_review"),
	      "out-of-range points changed the review: %s", review_state(rev_a));
	CHECK(audit_of("review.decide", "ok", rev_a) == 0, "a decision audited");

	step_ok(&chair, rev_a, "recognise", "besluit", "besluit", "erkend", "punten", "2,5",
	        "studielast", "3", "domein", domain, "geldig_tot", "", "reden", "", (const char *)NULL);
	CHECK(!strcmp(review_state(rev_a), "recognised") && !strcmp(version_state(mod_a), "recognised"),
	      "after the decision: %s / %s", review_state(rev_a), version_state(mod_a));
	CHECK(audit_of("review.decide", "ok", rev_a) == 1, "no review.decide audit row");
	CHECK(mail_wait(PROVIDER, title_a, own_path(mod_a), (const char *)NULL),
	      "no e-mail to the provider about the recognition");

	/* What everybody sees. */
	get(&provider, &r, own_path(mod_a), 200);
	CHECK(has_text(&r, "Erkend") && has_text(&r, "2,5 punten"), "the provider's page: %s",
	      summary(&r));
	CHECK(!has(&r, "/toetsing/intrekken"), "a withdraw form after the decision");
	resp_fini(&r);
	struct browser anyone = {0};
	get(&anyone, &r, arena_printf(g, "/aanbod/%lld", (long long)mod_a), 200);
	CHECK(has_text(&r, "Erkend door de toetsingscommissie") && has_text(&r, "2,5 studiepunten"),
	      "the module page: %s", summary(&r));
	resp_fini(&r);
	get(&anyone, &r, arena_printf(g, "/register?q=%s", tag), 200);
	CHECK(has_text(&r, title_a) && has(&r, arena_printf(g, "/aanbod/%lld", (long long)mod_a)) &&
	          has(&r, ">2,5<"),
	      "the register: %s", summary(&r));
	resp_fini(&r);
	fetch(&r, NULL, arena_printf(g, "/register.csv?q=%s", tag), NULL, NULL);
	expect_status(&r, 200, "the CSV");
	CHECK(header(&r, "Content-Type") && strstr(header(&r, "Content-Type"), "text/csv"), "not CSV");
	CHECK(has(&r, arena_printf(g, "\"%s\";\"GO Opleidingen\";\"2,5\";\"3\";", title_a)),
	      "the CSV row: %s", body(&r));
	resp_fini(&r);
}

static void returned_and_rejected_show_reasons(void **state)
{
	(void)state;
	struct resp r;
	char title[120];
	snprintf(title, sizeof title, "Voorlezen aan peuters %s", tag);
	int64_t mod = place_module(&provider, PROVIDER_SLUG, title);
	int64_t rev = submit(mod);
	/* Incomplete without a reason: refused. */
	post_form(&admin, &r, review_path(rev), arena_printf(g, "%s/controle", review_path(rev)),
	          "uitkomst", "onvolledig", "reden", "  ", (const char *)NULL);
	CHECK(r.status == 400 && has_text(&r, "Geef aan wat er ontbreekt."), "no reason: %ld", r.status);
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev), "submitted"), "returned without a reason");
	const char *why1 = "De leerdoelen zijn niet toetsbaar <geformuleerd>.";
	step_ok(&admin, rev, "incomplete", "controle", "uitkomst", "onvolledig", "reden", why1,
	        (const char *)NULL);
	CHECK(!strcmp(review_state(rev), "returned") && !strcmp(version_state(mod), "returned"),
	      "after returning: %s", review_state(rev));
	CHECK(audit_of("review.return", "ok", rev) == 1 && audit_of("review.check", "ok", rev) == 0,
	      "no review.return audit row");
	CHECK(mail_wait(PROVIDER, title, own_path(mod), (const char *)NULL),
	      "no e-mail about the return");
	get(&provider, &r, own_path(mod), 200);
	CHECK(has_text(&r, why1) && has_text(&r, "Teruggestuurd") && has(&r, "Ter toetsing aanbieden"),
	      "the reason on the provider's page: %s", summary(&r));
	CHECK(!has(&r, "<geformuleerd>"), "the reason is not escaped");
	resp_fini(&r);

	/* Resubmitted, checked, one reviewer, returned by the committee. */
	rev = submit(mod);
	step_ok(&admin, rev, "complete", "controle", "uitkomst", "compleet", (const char *)NULL);
	step_ok(&chair, rev, "assign", "toewijzen", "beoordelaar",
	        arena_printf(g, "%lld", (long long)rev1_id), (const char *)NULL);
	score_all(&rev1, rev, "2", "Te weinig oefening.", 303);
	post_form(&chair, &r, review_path(rev), arena_printf(g, "%s/besluit", review_path(rev)),
	          "besluit", "teruggestuurd", (const char *)NULL);
	CHECK(r.status == 400 && has_text(&r, "Geef de redenen voor dit besluit."), "no reasons: %ld",
	      r.status);
	resp_fini(&r);
	const char *why2 = "Voeg oefeningen met echte prentenboeken toe.";
	step_ok(&chair, rev, "return", "besluit", "besluit", "teruggestuurd", "reden", why2,
	        (const char *)NULL);
	CHECK(!strcmp(review_state(rev), "returned"), "after the decision: %s", review_state(rev));
	CHECK(audit_of("review.decide", "ok", rev) == 1, "no review.decide audit row");
	CHECK(mail_wait(PROVIDER, title, why2, (const char *)NULL), "no e-mail with the reasons");
	get(&provider, &r, own_path(mod), 200);
	CHECK(has_text(&r, why2) && has_text(&r, "Teruggestuurd"), "the committee's reason: %s",
	      summary(&r));
	CHECK(has_text(&r, "Scores"), "no scores once decided");
	resp_fini(&r);

	/* A third module, rejected. */
	snprintf(title, sizeof title, "Escaperoom bouwen %s", tag);
	mod = place_module(&provider, PROVIDER_SLUG, title);
	rev = submit(mod);
	step_ok(&admin, rev, "complete", "controle", "uitkomst", "compleet", (const char *)NULL);
	step_ok(&chair, rev, "assign", "toewijzen", "beoordelaar",
	        arena_printf(g, "%lld", (long long)rev2_id), (const char *)NULL);
	score_all(&rev2, rev, "1", "Past niet bij het beroepsprofiel.", 303);
	const char *why3 = "De module past niet bij het beroepsprofiel van de bibliotheek.";
	step_ok(&chair, rev, "reject", "besluit", "besluit", "afgewezen", "reden", why3,
	        (const char *)NULL);
	CHECK(!strcmp(review_state(rev), "rejected"), "after the rejection: %s", review_state(rev));
	CHECK(mail_wait(PROVIDER, title, why3, (const char *)NULL), "no e-mail about the rejection");
	get(&provider, &r, own_path(mod), 200);
	CHECK(has_text(&r, why3) && has_text(&r, "Afgewezen"), "the rejection's reason: %s", summary(&r));
	resp_fini(&r);
	/* Neither is in the register. */
	struct browser anyone = {0};
	get(&anyone, &r, arena_printf(g, "/register?q=%s", tag), 200);
	CHECK(!has_text(&r, "Escaperoom bouwen") && !has_text(&r, "Voorlezen aan peuters"),
	      "a module that was not recognised is in the register");
	resp_fini(&r);
}

static void withdraw(void **state)
{
	(void)state;
	char title[120];
	snprintf(title, sizeof title, "Mediawijsheid %s", tag);
	int64_t mod = place_module(&provider, PROVIDER_SLUG, title);
	int64_t rev = submit(mod);
	struct resp r;
	post_form(&provider, &r, own_path(mod), arena_printf(g, "%s/intrekken", own_path(mod)),
	          (const char *)NULL);
	expect_redirect(&r, own_path(mod), "withdrawing");
	resp_fini(&r);
	CHECK(!strcmp(review_state(rev), "withdrawn") && !strcmp(version_state(mod), "draft"),
	      "after withdrawing: %s / %s", review_state(rev), version_state(mod));
	CHECK(audit_of("review.withdraw", "ok", rev) == 1, "no review.withdraw audit row");
	get(&provider, &r, own_path(mod), 200);
	CHECK(has_text(&r, "Teruggetrokken") && has(&r, "Ter toetsing aanbieden"), "after: %s",
	      summary(&r));
	resp_fini(&r);
	/* Twice: nothing to withdraw. */
	post_form(&provider, &r, own_path(mod), arena_printf(g, "%s/intrekken", own_path(mod)),
	          (const char *)NULL);
	CHECK(r.status == 409 && has(&r, "role=\"alert\""), "withdrawing twice: %ld", r.status);
	resp_fini(&r);
}

/* ---- set-up */

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_review_pages";
	g = arena_new(0);
	campus_bin = getenv("CAMPUS_BIN") && *getenv("CAMPUS_BIN") ? getenv("CAMPUS_BIN") : "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB") && *getenv("CAMPUS_TEST_DB") ? getenv("CAMPUS_TEST_DB")
	                                                                  : "sqlite:var/test/review.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/review-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (access("templates/pages/toetsing.html", R_OK) != 0) {
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
		snprintf(mail_dir, sizeof mail_dir, "var/test/review-sink-%s", dialect);
		if (sink_start(port, mail_dir) != 0) {
			fprintf(stderr, "# the SMTP sink did not start; see %s\n", log_path);
			return -1;
		}
		sink_running = true;
	}
	mail_skip_all();

	/* A SQLite file of this suite starts fresh; `campus demo` needs an empty database. */
	if (!strcmp(dialect, "sqlite") && strstr(test_db, "review")) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++)
			unlink(arena_printf(g, "%s%s", test_db + 7, suffix[i]));
	}
	snprintf(tag, sizeof tag, "rv%lx%x", (long)time(NULL), (unsigned)getpid() & 0xffff);
	snprintf(reviewer1, sizeof reviewer1, "beoordelaar1@%s.example.nl", tag);
	snprintf(reviewer2, sizeof reviewer2, "beoordelaar2@%s.example.nl", tag);
	snprintf(conflicted, sizeof conflicted, "docent-lid@%s.example.nl", tag);
	snprintf(other_admin, sizeof other_admin, "beheer@%s.example.nl", tag);
	snprintf(other_slug, sizeof other_slug, "%s-opleider", tag);
	const char *pw = arena_printf(g, "var/test/review-password-%s.txt", dialect);
	f = fopen(pw, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	const char *steps[][14] = {
	    {"demo", NULL},
	    {"user", "add", reviewer1, "Bea Oordelaar", "--org", "campus", "--kind", "external", "--roles",
	     "committee", "--password-stdin", pw, NULL},
	    {"user", "add", reviewer2, "Ben Oordeel", "--org", "campus", "--kind", "external", "--roles",
	     "committee", "--password-stdin", pw, NULL},
	    /* On the committee, and a teacher at the provider: a conflict of interest. */
	    {"user", "add", conflicted, "Dirk Dubbelrol", "--org", "campus", "--kind", "external",
	     "--roles", "committee", "--password-stdin", pw, NULL},
	    {"user", "roles", conflicted, PROVIDER_SLUG, "teacher", "--kind", "external", NULL},
	    {"org", "add", other_slug, "Opleider Proef", "--kind", "provider", NULL},
	    {"user", "add", other_admin, "Olga Ander", "--org", other_slug, "--roles", "provider_admin",
	     "--password-stdin", pw, NULL},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (cli(steps[i]) != 0) {
			fprintf(stderr, "# set-up step %zu (%s %s) failed; see %s\n", i, steps[i][0],
			        steps[i][1] ? steps[i][1] : "", log_path);
			return -1;
		}
	rev1_id = person_id(reviewer1);
	rev2_id = person_id(reviewer2);
	conflict_id = person_id(conflicted);
	if (rev1_id <= 0 || rev2_id <= 0 || conflict_id <= 0)
		return -1;

	unsigned port = pick_port();
	if (!port)
		return -1;
	setenv("CAMPUS_SMTP_URL", smtp_url, 1);
	setenv("CAMPUS_BASE_URL", arena_printf(g, "http://127.0.0.1:%u", port), 1);
	return server_start(port);
}

/* Everybody logs in once; the sessions serve every case. */
static void logins(void **state)
{
	(void)state;
	login_plain(&provider, PROVIDER);
	login_plain(&outsider, OUTSIDER);
	login_demo_two_step(&admin, ADMIN);
	login_demo_two_step(&chair, CHAIR);
	login_enrol(&rev1, reviewer1);
	login_enrol(&rev2, reviewer2);
	login_enrol(&conflict_b, conflicted);
	/* Mijn Campus leads the committee and the administrator to the inbox; not the provider. */
	struct resp r;
	get(&chair, &r, "/mijn", 200);
	CHECK(has(&r, "href=\"/commissie\""), "no link to /commissie on the chair's Mijn Campus");
	resp_fini(&r);
	get(&admin, &r, "/mijn", 200);
	CHECK(has(&r, "href=\"/commissie\""), "no link to /commissie on the administrator's Mijn Campus");
	resp_fini(&r);
	get(&provider, &r, "/mijn", 200);
	CHECK(!has(&r, "href=\"/commissie\""), "a link to /commissie for the provider");
	CHECK(has(&r, "href=\"/register\""), "no link to the public register");
	resp_fini(&r);
	memset(&other, 0, sizeof other);
	const char *to = password_step(&other, other_admin, PASSWORD);
	CHECK(!strcmp(to, "/mijn"), "the other provider: to %s", to);
}

static int group_teardown(void **state)
{
	(void)state;
	int rc = server_stop();
	if (sink_running) {
		bool running = true;
		stop_child(sink_pid, &running);
	}
	curl_global_cleanup();
	arena_free(g);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(logins),
	    cmocka_unit_test(provider_submits),
	    cmocka_unit_test(refusals_change_nothing),
	    cmocka_unit_test(check_assign_score_recognise),
	    cmocka_unit_test(returned_and_rejected_show_reasons),
	    cmocka_unit_test(withdraw),
	};
	return cmocka_run_group_tests_name("review_pages", tests, group_setup, group_teardown);
}
