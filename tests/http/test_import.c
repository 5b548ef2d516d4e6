/* Members import over HTTP: the real server ($CAMPUS_BIN serve) on a free
 * loopback port, two libraries with a manager each (made with the CLI), and
 * libcurl browsers with cookie jars. A good file (preview, confirm), the same
 * file again (nothing changes), a file with broken rows (report, nothing
 * written, confirm refused), another library's manager, no CSRF token, a
 * binary upload and an oversized one.
 *
 * Runs once per database (CAMPUS_TEST_DB), from the repository root. Slugs
 * and addresses carry a tag of this run, so a PostgreSQL database kept from
 * an earlier run does not disturb it. Uploads go to var/test/import-tmp; the
 * server's log to var/test/import-server-<dialect>.log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"

extern char **environ;

#define PASSWORD "Campus-demo-2026"
#define TMP_DIR "var/test/import-tmp"

static const char *campus_bin, *test_db, *dialect;
static char log_path[256], tag[40], slug_a[64], slug_b[64], mgr_a[96], mgr_b[96];
static pid_t srv_pid;
static unsigned srv_port;

/* ---- processes */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static double now_ms_local(void)
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

static int run(char *const argv[], const char *stdin_path, bool wait_exit, pid_t *pid_out)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, stdin_path ? stdin_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	if (!wait_exit) {
		*pid_out = pid;
		return 0;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cli(const char *a, const char *b, const char *c, const char *d, const char *e, const char *f,
               const char *g, const char *h, const char *i, const char *stdin_path)
{
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)a, (char *)b,
	                (char *)c, (char *)d, (char *)e, (char *)f, (char *)g, (char *)h, (char *)i, NULL};
	return run(argv, stdin_path, true, NULL);
}

/* ---- HTTP */

struct resp {
	long status;
	struct buf body;
};

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	buf_append(&((struct resp *)cls)->body, p, size * n);
	return size * n;
}

static bool has(const struct resp *r, const char *needle)
{
	return r->body.len && memmem(r->body.data, r->body.len, needle, strlen(needle)) != NULL;
}

struct browser {
	CURLSH *share;
};

static void br_init(struct browser *b)
{
	b->share = curl_share_init();
	curl_share_setopt(b->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
}

static void br_fini(struct browser *b) { curl_share_cleanup(b->share); }

struct part {
	const char *name, *value;   /* an ordinary field */
	const char *filename;       /* a file part: value holds its bytes (len bytes) */
	size_t len;
};

/* GET (no form, no parts), urlencoded POST (form) or multipart POST (parts). */
static void fetch(struct browser *b, struct resp *r, const char *path, const char *form,
                  const struct part *parts)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, NULL, 0);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", srv_port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_SHARE, b->share);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_mime *mime = NULL;
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (parts) {
		mime = curl_mime_init(c);
		for (const struct part *p = parts; p->name; p++) {
			curl_mimepart *mp = curl_mime_addpart(mime);
			curl_mime_name(mp, p->name);
			curl_mime_data(mp, p->value, p->filename ? p->len : CURL_ZERO_TERMINATED);
			if (p->filename) {
				curl_mime_filename(mp, p->filename);
				curl_mime_type(mp, "text/csv");
			}
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_mime_free(mime);
	if (rc != CURLE_OK)
		print_error("%s: %s\n", path, curl_easy_strerror(rc));
	assert_int_equal(rc, CURLE_OK);
}

static void resp_fini(struct resp *r) { buf_fini(&r->body); }

/* The value of the last <input name="name" value="..."> on the page, malloc'd. */
static char *input_value(const struct resp *r, const char *name)
{
	char needle[64];
	snprintf(needle, sizeof needle, "name=\"%s\" value=\"", name);
	const char *s = buf_cstr(&r->body), *p = NULL;
	for (const char *q = strstr(s, needle); q; q = strstr(q + 1, needle))
		p = q; /* the last one: the form on the page, not the language switch */
	if (!p)
		return NULL;
	p += strlen(needle);
	const char *e = strchr(p, '"');
	return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static void expect(const struct resp *r, long status, const char *what)
{
	if (r->status != status) {
		const char *m = strstr(buf_cstr(&r->body), "<main");
		print_error("%s: status %ld, expected %ld: %.600s\n", what, r->status, status, m ? m : buf_cstr(&r->body));
	}
	assert_int_equal(r->status, status);
}

static void login(struct browser *b, const char *email)
{
	struct resp r;
	fetch(b, &r, "/inloggen", NULL, NULL);
	char *tok = input_value(&r, "csrf_token");
	assert_non_null(tok);
	resp_fini(&r);
	char form[512];
	snprintf(form, sizeof form, "csrf_token=%s&email=%s&wachtwoord=%s", tok, email, PASSWORD);
	free(tok);
	fetch(b, &r, "/inloggen", form, NULL);
	expect(&r, 303, "log-in");
	resp_fini(&r);
}

static char *page_token(struct browser *b, const char *path)
{
	struct resp r;
	fetch(b, &r, path, NULL, NULL);
	expect(&r, 200, path);
	char *tok = input_value(&r, "csrf_token");
	assert_non_null(tok);
	resp_fini(&r);
	return tok;
}

/* Upload file text as manager of slug: the preview (or refusal) page. */
static void upload(struct browser *b, struct resp *r, const char *slug, const char *data, size_t len,
                   const char *filename, bool with_csrf)
{
	char path[128];
	snprintf(path, sizeof path, "/b/%s/leden/importeren", slug);
	char *tok = page_token(b, path);
	struct part parts[] = {{"csrf_token", with_csrf ? tok : "wrong", NULL, 0},
	                       {"bestand", data, filename, len},
	                       {NULL, NULL, NULL, 0}};
	fetch(b, r, path, NULL, parts);
	free(tok);
}

static void confirm(struct browser *b, struct resp *r, const char *slug, const struct resp *preview)
{
	char *tok = input_value(preview, "csrf_token"), *id = input_value(preview, "upload");
	assert_non_null(tok);
	assert_non_null(id);
	char path[128], form[512];
	snprintf(path, sizeof path, "/b/%s/leden/importeren/bevestigen", slug);
	snprintf(form, sizeof form, "csrf_token=%s&upload=%s&bestandsnaam=leden.csv", tok, id);
	fetch(b, r, path, form, NULL);
	free(tok);
	free(id);
}

/* ---- the database */

DB_STMT(stmt_members, "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id "
                      "WHERE o.slug = $1 AND m.ended_at IS NULL");
DB_STMT(stmt_people, "SELECT COUNT(*) FROM people WHERE email LIKE $1");
DB_STMT(stmt_imports, "SELECT COUNT(*) FROM audit_log WHERE action = 'members.import'");

static int64_t count(struct db_stmt *stmt, const char *param)
{
	struct buf err;
	buf_init(&err, NULL, 0);
	struct db_conn *db = NULL;
	assert_int_equal(db_open(test_db, 0, &db, &err), 0);
	buf_fini(&err);
	struct arena *a = arena_new(0);
	int64_t n = -1;
	struct db_param with[] = {DBP_TEXT(param), DBP_END}, without[] = {DBP_END};
	assert_int_equal(db_query_row(db, stmt, param ? with : without,
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, a),
	                 0);
	arena_free(a);
	db_close(db);
	return n;
}

static int64_t members_a(void) { return count(&stmt_members, slug_a); }
static int64_t people_tagged(void)
{
	char like[80];
	snprintf(like, sizeof like, "%%@%s.example.nl", tag);
	return count(&stmt_people, like);
}

static unsigned kept_uploads(void)
{
	DIR *d = opendir(TMP_DIR);
	unsigned n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, "campus-import-", 14) == 0;
	if (d)
		closedir(d);
	return n;
}

/* ---- the cases */

static struct browser br_a, br_b;
static char good[1024];

static void test_good_file_and_reimport(void **state)
{
	(void)state;
	login(&br_a, mgr_a);
	/* The members page links to the import. */
	struct resp r;
	char path[128];
	snprintf(path, sizeof path, "/b/%s/leden", slug_a);
	fetch(&br_a, &r, path, NULL, NULL);
	expect(&r, 200, "members page");
	assert_true(has(&r, "/leden/importeren\">Leden importeren (CSV)</a>"));
	resp_fini(&r);

	int64_t m0 = members_a(), p0 = people_tagged(), i0 = count(&stmt_imports, NULL);
	struct resp prev;
	upload(&br_a, &prev, slug_a, good, strlen(good), "leden.csv", true);
	expect(&prev, 200, "preview");
	assert_true(has(&prev, "3 nieuwe accounts"));
	assert_true(has(&prev, ">Importeren</button>"));
	assert_true(has(&prev, "value=\"1\" selected>2. Naam</option>")); /* the proposed mapping */
	assert_int_equal(members_a(), m0); /* a preview writes nothing */
	confirm(&br_a, &r, slug_a, &prev);
	expect(&r, 200, "confirm");
	assert_true(has(&r, "Import voltooid."));
	assert_true(has(&r, "3 nieuwe accounts, 0 toegevoegd, 0 gewijzigd, 0 ongewijzigd"));
	resp_fini(&r);
	assert_int_equal(members_a(), m0 + 3);
	assert_int_equal(people_tagged(), p0 + 3);
	assert_int_equal(count(&stmt_imports, NULL), i0 + 1);
	/* The kept upload is gone after the confirmation; a second confirm finds nothing. */
	confirm(&br_a, &r, slug_a, &prev);
	expect(&r, 410, "confirm twice");
	assert_true(has(&r, "niet meer beschikbaar"));
	resp_fini(&r);
	resp_fini(&prev);

	/* The same file again: everything unchanged, nothing duplicated. */
	upload(&br_a, &prev, slug_a, good, strlen(good), "leden.csv", true);
	expect(&prev, 200, "preview again");
	assert_true(has(&prev, "3 ongewijzigd"));
	confirm(&br_a, &r, slug_a, &prev);
	expect(&r, 200, "confirm again");
	assert_true(has(&r, "0 nieuwe accounts, 0 toegevoegd, 0 gewijzigd, 3 ongewijzigd"));
	resp_fini(&r);
	resp_fini(&prev);
	assert_int_equal(members_a(), m0 + 3);
	assert_int_equal(people_tagged(), p0 + 3);
}

static void test_broken_rows(void **state)
{
	(void)state;
	char bad[1024];
	snprintf(bad, sizeof bad,
	         "email,naam,soort,rollen\n"
	         "nieuw1@%s.example.nl,Nieuw Een,medewerker,lerende\n"
	         "geen-adres,Fout,,\n"
	         "nieuw1@%s.example.nl,Dubbel,,\n"
	         "nieuw2@%s.example.nl,Twee,stagiair,beheerder\n",
	         tag, tag, tag);
	int64_t m0 = members_a(), p0 = people_tagged();
	struct resp prev, r;
	upload(&br_a, &prev, slug_a, bad, strlen(bad), "fout.csv", true);
	expect(&prev, 200, "preview of a broken file");
	assert_true(has(&prev, "Dit is geen geldig e-mailadres."));
	assert_true(has(&prev, "Dit e-mailadres staat al in een eerdere rij van het bestand."));
	assert_true(has(&prev, "Onbekende soort"));
	assert_true(has(&prev, "Deze rol kan alleen een campusbeheerder toekennen."));
	assert_true(has(&prev, "4 fouten"));
	assert_false(has(&prev, ">Importeren</button>"));
	/* Confirming anyway (a hand-made request): refused with the report, nothing written. */
	confirm(&br_a, &r, slug_a, &prev);
	expect(&r, 422, "confirm of a broken file");
	assert_true(has(&r, "er is niets opgeslagen"));
	assert_true(has(&r, "Dit is geen geldig e-mailadres."));
	resp_fini(&r);
	resp_fini(&prev);
	assert_int_equal(members_a(), m0);
	assert_int_equal(people_tagged(), p0);
}

static void test_other_library(void **state)
{
	(void)state;
	login(&br_b, mgr_b);
	struct resp r;
	char path[128];
	snprintf(path, sizeof path, "/b/%s/leden/importeren", slug_a);
	fetch(&br_b, &r, path, NULL, NULL);
	expect(&r, 403, "another library's import page");
	resp_fini(&r);
	/* With B's own token (from B's page), posting to A is refused too. */
	char own[128];
	snprintf(own, sizeof own, "/b/%s/leden/importeren", slug_b);
	char *tok = page_token(&br_b, own);
	struct part parts[] = {{"csrf_token", tok, NULL, 0}, {"bestand", good, "leden.csv", strlen(good)},
	                       {NULL, NULL, NULL, 0}};
	int64_t m0 = members_a();
	fetch(&br_b, &r, path, NULL, parts);
	expect(&r, 403, "upload into another library");
	resp_fini(&r);
	/* A's upload id is worthless in B's session, even in B's own library. */
	struct resp prev;
	upload(&br_a, &prev, slug_a, good, strlen(good), "leden.csv", true);
	expect(&prev, 200, "A's preview");
	char *id = input_value(&prev, "upload");
	char form[512], cpath[128];
	snprintf(form, sizeof form, "csrf_token=%s&upload=%s", tok, id);
	snprintf(cpath, sizeof cpath, "/b/%s/leden/importeren/bevestigen", slug_b);
	fetch(&br_b, &r, cpath, form, NULL);
	expect(&r, 410, "A's upload id in B's session");
	resp_fini(&r);
	free(id);
	free(tok);
	resp_fini(&prev);
	assert_int_equal(members_a(), m0);
	/* Anonymous: to the log-in page. */
	struct browser anon;
	br_init(&anon);
	fetch(&anon, &r, path, NULL, NULL);
	expect(&r, 303, "anonymous");
	resp_fini(&r);
	br_fini(&anon);
}

/* A field of the JSON body ("state": "running" -> running), into out. */
static bool json_field(const struct resp *r, const char *key, char *out, size_t size)
{
	char needle[64];
	snprintf(needle, sizeof needle, "\"%s\":", key);
	const char *p = r->body.len ? strstr(buf_cstr((struct buf *)&r->body), needle) : NULL;
	if (!p)
		return false;
	p += strlen(needle);
	while (*p == ' ' || *p == '"')
		p++;
	size_t n = 0;
	while (p[n] && p[n] != '"' && p[n] != ',' && p[n] != '}' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* Confirm with js=1 (as static/import.js does): 202 with the two addresses. */
static void confirm_js(struct browser *b, struct resp *r, const char *slug, const struct resp *preview,
                       char *progress, char *result)
{
	char *tok = input_value(preview, "csrf_token"), *id = input_value(preview, "upload");
	char path[128], form[512];
	snprintf(path, sizeof path, "/b/%s/leden/importeren/bevestigen", slug);
	snprintf(form, sizeof form, "csrf_token=%s&upload=%s&bestandsnaam=groot.csv&js=1", tok, id);
	fetch(b, r, path, form, NULL);
	free(tok);
	free(id);
	expect(r, 202, "confirm with js=1");
	assert_true(json_field(r, "voortgang", progress, 256));
	assert_true(json_field(r, "resultaat", result, 256));
}

/* Polls progress until the job is no longer running: its last state; how
 * many polls saw it running with 0 < done < total in *partial. */
static void poll_until_done(struct browser *b, const char *progress, char *state, size_t *total,
                            unsigned *partial)
{
	*partial = 0;
	for (int i = 0; i < 1200; i++) {
		struct resp r;
		fetch(b, &r, progress, NULL, NULL);
		expect(&r, 200, "progress");
		char done_s[32], total_s[32];
		assert_true(json_field(&r, "state", state, 32) && json_field(&r, "done", done_s, 32) &&
		            json_field(&r, "total", total_s, 32));
		resp_fini(&r);
		long done = strtol(done_s, NULL, 10), tot = strtol(total_s, NULL, 10);
		CHECK(done >= 0 && done <= tot, "progress %ld of %ld", done, tot);
		*total = (size_t)tot;
		if (strcmp(state, "running") != 0)
			return;
		if (done > 0 && done < tot)
			(*partial)++;
		sleep_ms(25);
	}
	fail_msg("the import did not finish within a minute");
}

DB_STMT(stmt_people_domain, "SELECT COUNT(*) FROM people WHERE email LIKE $1");

static void test_background_import(void **state)
{
	(void)state;
	enum { ROWS = 6000 };
	char like[96];
	snprintf(like, sizeof like, "%%@%s-groot.example.nl", tag);
	struct buf csv;
	buf_init(&csv, NULL, 0);
	buf_puts(&csv, "E-mailadres;Naam;Soort\n");
	for (int i = 0; i < ROWS; i++)
		buf_printf(&csv, "lid-%d@%s-groot.example.nl;Lid %d;%s\n", i, tag, i,
		           i % 3 ? "medewerker" : "vrijwilliger");
	/* The same file with one bad row at the end: nothing at all may change. */
	struct buf bad;
	buf_init(&bad, NULL, 0);
	buf_append(&bad, csv.data, csv.len);
	buf_puts(&bad, "geen-adres;Kapot;medewerker\n");
	int64_t m0 = members_a(), imports0 = count(&stmt_imports, NULL);
	char progress[256], result[256], st[32];
	size_t total;
	unsigned partial;
	struct resp prev, r;
	upload(&br_a, &prev, slug_a, bad.data, bad.len, "groot.csv", true);
	expect(&prev, 200, "preview of the bad file");
	CHECK(!has(&prev, "data-import-start"), "the bad file can be imported");
	confirm_js(&br_a, &r, slug_a, &prev, progress, result);
	resp_fini(&r);
	resp_fini(&prev);
	poll_until_done(&br_a, progress, st, &total, &partial);
	CHECK(!strcmp(st, "refused"), "the bad file ended %s", st);
	fetch(&br_a, &r, result, NULL, NULL);
	expect(&r, 422, "result of the refused file");
	CHECK(has(&r, "er is niets opgeslagen"), "the refusal page does not say nothing was saved");
	resp_fini(&r);
	CHECK(count(&stmt_people_domain, like) == 0 && members_a() == m0 &&
	          count(&stmt_imports, NULL) == imports0,
	      "a refused background import changed something");

	/* The good file: 202, progress, then the result page. */
	upload(&br_a, &prev, slug_a, csv.data, csv.len, "groot.csv", true);
	expect(&prev, 200, "preview of the big file");
	CHECK(has(&prev, "<progress") && has(&prev, "/static/import.js"), "no progress element or script");
	double t0 = now_ms_local();
	confirm_js(&br_a, &r, slug_a, &prev, progress, result);
	resp_fini(&r);
	/* Another session of the same manager cannot read it (another key). */
	struct browser other;
	br_init(&other);
	login(&other, mgr_a);
	fetch(&other, &r, progress, NULL, NULL);
	expect(&r, 404, "progress from another session");
	resp_fini(&r);
	fetch(&br_b, &r, progress, NULL, NULL);
	expect(&r, 403, "progress from another library's manager");
	resp_fini(&r);
	poll_until_done(&br_a, progress, st, &total, &partial);
	print_message("# background import of %d rows: %.0f ms, %u polls saw it part-way\n", ROWS,
	              now_ms_local() - t0, partial);
	CHECK(!strcmp(st, "done") && total == ROWS, "the import ended %s with %zu rows", st, total);
	fetch(&br_a, &r, result, NULL, NULL);
	expect(&r, 200, "result page");
	CHECK(has(&r, "Import voltooid.") && has(&r, "6000"), "the result page has no counts");
	resp_fini(&r);
	fetch(&other, &r, result, NULL, NULL);
	expect(&r, 410, "the result from another session");
	resp_fini(&r);
	CHECK(count(&stmt_people_domain, like) == ROWS, "not every row imported");
	CHECK(members_a() == m0 + ROWS && count(&stmt_imports, NULL) == imports0 + 1,
	      "members or audit rows wrong after the background import");
	br_fini(&other);
	resp_fini(&prev);
	buf_fini(&csv);
	buf_fini(&bad);
}

static void test_refusals(void **state)
{
	(void)state;
	int64_t m0 = members_a();
	unsigned kept0 = kept_uploads();
	struct resp r;
	/* No CSRF token: refused before the handler; the upload is not kept. */
	upload(&br_a, &r, slug_a, good, strlen(good), "leden.csv", false);
	expect(&r, 403, "upload without CSRF token");
	resp_fini(&r);
	assert_int_equal(kept_uploads(), kept0);
	/* A binary file. */
	static const char png[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00";
	upload(&br_a, &r, slug_a, png, sizeof png - 1, "foto.csv", true);
	expect(&r, 415, "binary upload");
	assert_true(has(&r, "Dit is geen CSV-bestand"));
	resp_fini(&r);
	/* Not UTF-8 text (Latin-1 header). */
	static const char latin1[] = "e-mail;naam\xe9\na@b.nl;x\n";
	upload(&br_a, &r, slug_a, latin1, sizeof latin1 - 1, "latin1.csv", true);
	expect(&r, 415, "Latin-1 upload");
	resp_fini(&r);
	/* Broken quoting: a clear message with the row. */
	static const char quotes[] = "email,naam\na@b.nl,\"open\n";
	upload(&br_a, &r, slug_a, quotes, sizeof quotes - 1, "q.csv", true);
	expect(&r, 400, "unterminated quote");
	assert_true(has(&r, "aanhalingstekens"));
	resp_fini(&r);
	/* Over 5 MiB: 413. */
	size_t n = (size_t)6 << 20;
	char *big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 40 == 39 ? '\n' : 'a';
	upload(&br_a, &r, slug_a, big, n, "groot.csv", true);
	expect(&r, 413, "oversized upload");
	resp_fini(&r);
	free(big);
	assert_int_equal(kept_uploads(), kept0);
	assert_int_equal(members_a(), m0);
}

/* ---- set-up */

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

static int group_setup(void **state)
{
	(void)state;
	campus_bin = getenv("CAMPUS_BIN") && *getenv("CAMPUS_BIN") ? getenv("CAMPUS_BIN") : "build/campus";
	test_db = getenv("CAMPUS_TEST_DB") && *getenv("CAMPUS_TEST_DB") ? getenv("CAMPUS_TEST_DB")
	                                                                  : "sqlite:var/test/import.db";
	dialect = strncmp(test_db, "postgres", 8) == 0 ? "postgres" : "sqlite";
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	mkdir(TMP_DIR, 0700);
	setenv("CAMPUS_TMP_DIR", TMP_DIR, 1);
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	snprintf(log_path, sizeof log_path, "var/test/import-server-%s.log", dialect);
	FILE *f = fopen(log_path, "w");
	if (f)
		fclose(f);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(tag, sizeof tag, "imp%lx%x", (long)time(NULL), (unsigned)getpid() & 0xffff);
	snprintf(slug_a, sizeof slug_a, "%s-a", tag);
	snprintf(slug_b, sizeof slug_b, "%s-b", tag);
	snprintf(mgr_a, sizeof mgr_a, "manager-a@%s.example.nl", tag);
	snprintf(mgr_b, sizeof mgr_b, "manager-b@%s.example.nl", tag);
	snprintf(good, sizeof good,
	         "\xEF\xBB\xBF"
	         "E-mailadres;Naam;Soort;Rollen\n"
	         "anna@%s.example.nl;\"Jansen; Anna\";medewerker;\"lerende,docent\"\n"
	         "bram@%s.example.nl;Bram Bakker;vrijwilliger;lerende\n"
	         "CARLA@%s.example.nl;\"Carla \"\"C\"\"\nde Vries\";;\n",
	         tag, tag, tag);
	char pw[] = "var/test/import-password.txt";
	f = fopen(pw, "w");
	if (!f)
		return -1;
	fputs(PASSWORD "\n", f);
	fclose(f);
	if (cli("migrate", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) != 0 ||
	    cli("org", "add", slug_a, "Bibliotheek Import A", "--kind", "library", NULL, NULL, NULL, NULL) ||
	    cli("org", "add", slug_b, "Bibliotheek Import B", "--kind", "library", NULL, NULL, NULL, NULL) ||
	    cli("user", "add", mgr_a, "Manager A", "--org", slug_a, "--roles", "learner,manager",
	        "--password-stdin", pw) ||
	    cli("user", "add", mgr_b, "Manager B", "--org", slug_b, "--roles", "learner,manager",
	        "--password-stdin", pw)) {
		fprintf(stderr, "# set-up with the CLI failed; see %s\n", log_path);
		return -1;
	}
	srv_port = pick_port();
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", srv_port);
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"serve",
	                (char *)"--listen", listen, NULL};
	if (run(argv, NULL, false, &srv_pid) != 0)
		return -1;
	br_init(&br_a);
	br_init(&br_b);
	for (int i = 0; i < 500; i++) {
		struct resp r;
		memset(&r, 0, sizeof r);
		buf_init(&r.body, NULL, 0);
		CURL *c = curl_easy_init();
		char url[64];
		snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", srv_port);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L);
		bool up = curl_easy_perform(c) == CURLE_OK;
		curl_easy_cleanup(c);
		resp_fini(&r);
		if (up)
			return 0;
		sleep_ms(20);
	}
	fprintf(stderr, "# the server did not start; see %s\n", log_path);
	return -1;
}

static int group_teardown(void **state)
{
	(void)state;
	br_fini(&br_a);
	br_fini(&br_b);
	kill(srv_pid, SIGTERM);
	int status = 0;
	waitpid(srv_pid, &status, 0);
	curl_global_cleanup();
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file_and_reimport),
	    cmocka_unit_test(test_broken_rows),
	    cmocka_unit_test(test_other_library),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_background_import),
	};
	return cmocka_run_group_tests_name("import", tests, group_setup, group_teardown);
}
