/* Notifications and the calendar feed over HTTP: /mijn/meldingen (newest
 * first, unread marked, the count in the header), marking read (CSRF, another
 * person's notification), /mijn/agenda (the address shown once, rotating it)
 * and /agenda/:token (text/calendar, a wrong token 404, the token never in
 * the log); and an invitation queued by notify_person() arriving through a
 * real SMTP server (tests/smtp-sink.mjs) with its .ics attachment intact.
 *
 * Two people of its own (the demo's password) with bookings inserted in SQL,
 * so the demo's own data does not matter. Runs once per database
 * (CAMPUS_TEST_DB), from the repository root; CAMPUS_SMTP_URL and
 * CAMPUS_MAIL_DIR name a running sink, else it starts its own. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libical/ical.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/notify.h"
#include "mail/message.h"

#include "harness.h"

#define PASSWORD "Campus-demo-2026"
#define DEMO_PERSON "medewerker@bibliotheek-utrecht.demo"
#define MAIL_TIMEOUT_MS 60000 /* only a failing test waits this long; a loaded machine needs it */
#define HOUR 3600

static const char *dialect;
static char email_a[80], email_b[80];
static int64_t person_a, person_b;
static int64_t note_a[3], note_b; /* a's notifications oldest first, b's one */
static int64_t meeting[2], edition_id;
static char base_url[80];

/* ---- the SMTP sink ---- */

static char mail_dir[300];
static char smtp_url[80];
static pid_t sink_pid;
static bool sink_running;

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

/* The first message in dir whose envelope names `to` (malloc'd), within
 * timeout_ms; NULL if none. The address has this run's pid in it. */
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
			if (n < 5 || strcmp(e->d_name + n - 4, ".eml") != 0)
				continue;
			char path[600];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			char *text = slurp(path);
			const char *nl = strstr(text, "\r\n");
			if (nl && memmem(text, (size_t)(nl - text), needle, strlen(needle)))
				found = text;
			else
				free(text);
		}
		if (d)
			closedir(d);
		if (found || now_ms() > end)
			return found;
	}
}

/* ---- data ---- */

DB_STMT(stmt_hash_of, "SELECT password_hash FROM people WHERE email = $1");
DB_STMT(stmt_person,
        "INSERT INTO people (email, name, lang, password_hash, created_at, updated_at) "
        "VALUES ($1, $2, 'nl', $3, 1, 1) RETURNING id");
DB_STMT(stmt_note,
        "INSERT INTO notifications (person_id, kind, title, body, link, created_at) "
        "VALUES ($1, 'test', $2, $3, $4, $5) RETURNING id");
DB_STMT(stmt_provider, "SELECT id FROM organisations WHERE kind = 'provider' ORDER BY id LIMIT 1");
DB_STMT(stmt_module,
        "INSERT INTO modules (provider_id, created_at, updated_at) VALUES ($1, 1, 1) RETURNING id");
DB_STMT(stmt_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, level, "
        "format, load_tenths, language, price_cents, vat, audience, created_at, updated_at) "
        "VALUES ($1, 1, 'draft', $2, 'S', 'B', 'D', 'tactisch', 'classroom', 80, 'nl', 0, "
        "'crkbo', 'both', 1, 1) RETURNING id");
DB_STMT(stmt_working, "UPDATE modules SET working_version_id = $2 WHERE id = $1");
DB_STMT(stmt_edition,
        "INSERT INTO editions (module_id, provider_id, place, created_at, updated_at) "
        "VALUES ($1, $2, 'Bibliotheek Notifystad', 1, 1) RETURNING id");
DB_STMT(stmt_meeting,
        "INSERT INTO edition_meetings (edition_id, starts_at, ends_at) VALUES ($1, $2, $3) RETURNING id");
DB_STMT(stmt_enrol,
        "INSERT INTO enrolments (edition_id, person_id, state, requested_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, 1, 1, 1) RETURNING id");
DB_STMT(stmt_unread, "SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL");
DB_STMT(stmt_read_of, "SELECT read_at IS NOT NULL FROM notifications WHERE id = $1");
DB_STMT(stmt_feeds, "SELECT count(*) FROM calendar_feeds WHERE person_id = $1");
DB_STMT(stmt_throttle_clear, "DELETE FROM login_throttle");

static int64_t row_id(struct db_conn *db, struct db_stmt *st, const struct db_param *p, struct arena *a)
{
	int64_t id = -1;
	if (db_query_row(db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, a) != 0)
		fprintf(stderr, "# %s\n", db_errmsg(db));
	return id;
}

static int64_t count_of(struct db_stmt *st, int64_t id)
{
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	int64_t n = row_id(db, st, (const struct db_param[]){DBP_INT(id), DBP_END}, a);
	arena_free(a);
	db_close(db);
	return n;
}

static bool is_read(int64_t id)
{
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	bool read = false;
	int rc = db_query_row(db, &stmt_read_of, (const struct db_param[]){DBP_INT(id), DBP_END},
	                      (const struct db_col[]){DBC_BOOL(&read), DBC_END}, a);
	arena_free(a);
	db_close(db);
	CHECK(rc == 0, "notification %lld not found", (long long)id);
	return read;
}

static int fill_tx(struct db_conn *db, void *cls)
{
	struct arena *a = cls;
	const char *hash;
	int rc = db_query_row(db, &stmt_hash_of, (const struct db_param[]){DBP_TEXT(DEMO_PERSON), DBP_END},
	                      (const struct db_col[]){DBC_TEXT(&hash), DBC_END}, a);
	if (rc)
		return rc;
	person_a = row_id(db, &stmt_person,
	                  (const struct db_param[]){DBP_TEXT(email_a), DBP_TEXT("Anna Melding"), DBP_TEXT(hash), DBP_END}, a);
	person_b = row_id(db, &stmt_person,
	                  (const struct db_param[]){DBP_TEXT(email_b), DBP_TEXT("Bram Melding"), DBP_TEXT(hash), DBP_END}, a);
	static const char *const titles[] = {"Eerste melding", "Tweede melding", "Derde melding <b>"};
	int64_t t = (int64_t)time(NULL) - 3 * HOUR;
	for (int i = 0; i < 3; i++)
		note_a[i] = row_id(db, &stmt_note,
		                   (const struct db_param[]){DBP_INT(person_a), DBP_TEXT(titles[i]),
		                                             DBP_TEXT("Tekst van de melding"),
		                                             DBP_TEXT(i == 2 ? "/mijn/leren" : ""), DBP_INT(t + i * 60),
		                                             DBP_END},
		                   a);
	note_b = row_id(db, &stmt_note,
	                (const struct db_param[]){DBP_INT(person_b), DBP_TEXT("Melding van Bram"), DBP_TEXT(""),
	                                          DBP_TEXT(""), DBP_INT(t), DBP_END},
	                a);
	int64_t prov = row_id(db, &stmt_provider, (const struct db_param[]){DBP_END}, a);
	int64_t mod = row_id(db, &stmt_module, (const struct db_param[]){DBP_INT(prov), DBP_END}, a);
	int64_t ver = row_id(db, &stmt_version,
	                     (const struct db_param[]){DBP_INT(mod), DBP_TEXT("Meldingen en agenda's, een cursus"), DBP_END}, a);
	if ((rc = db_exec(db, &stmt_working, (const struct db_param[]){DBP_INT(mod), DBP_INT(ver), DBP_END}, NULL)))
		return rc;
	edition_id = row_id(db, &stmt_edition, (const struct db_param[]){DBP_INT(mod), DBP_INT(prov), DBP_END}, a);
	int64_t start = (int64_t)time(NULL) + 7 * 24 * HOUR;
	for (int i = 0; i < 2; i++)
		meeting[i] = row_id(db, &stmt_meeting,
		                    (const struct db_param[]){DBP_INT(edition_id), DBP_INT(start + i * 24 * HOUR),
		                                              DBP_INT(start + i * 24 * HOUR + 2 * HOUR), DBP_END},
		                    a);
	row_id(db, &stmt_enrol, (const struct db_param[]){DBP_INT(edition_id), DBP_INT(person_a), DBP_TEXT("enrolled"), DBP_END}, a);
	row_id(db, &stmt_enrol, (const struct db_param[]){DBP_INT(edition_id), DBP_INT(person_b), DBP_TEXT("cancelled"), DBP_END}, a);
	return person_a > 0 && person_b > 0 && meeting[1] > 0 ? 0 : CAMPUS_EDB;
}

/* ---- browsing ---- */

static void log_in(struct browser *b, const char *email)
{
	struct arena *a = arena_new(0);
	memset(b, 0, sizeof *b);
	struct resp r;
	br_get(b, &r, "/inloggen");
	expect_page(&r, 200, "the log-in form");
	const char *tok = arena_strdup(a, page_token(&r));
	resp_fini(&r);
	br_post(b, &r, "/inloggen",
	        form_of(a, "csrf_token", tok, "email", email, "wachtwoord", PASSWORD, (const char *)NULL));
	expect_status(&r, 303, "log-in");
	resp_fini(&r);
	arena_free(a);
}

/* A page in b; its CSRF token copied into a. */
static const char *page(struct browser *b, struct resp *r, const char *path, struct arena *a)
{
	br_get(b, r, path);
	expect_page(r, 200, path);
	return arena_strdup(a, page_token(r));
}

static void test_login_required(void **state)
{
	(void)state;
	static const char *const paths[] = {"/mijn/meldingen", "/mijn/agenda"};
	for (size_t i = 0; i < 2; i++) {
		struct resp r;
		fetch(&r, NULL, paths[i], NULL, NULL);
		const char *loc = header(&r, "Location");
		CHECK(r.status == 303 && loc && !strncmp(loc, "/inloggen", 9), "%s anonymous: %ld %s", paths[i],
		      r.status, loc ? loc : "");
		resp_fini(&r);
	}
	/* The anonymous home page has no per-person count. */
	struct resp r;
	fetch(&r, NULL, "/", NULL, NULL);
	CHECK(!has(&r, "/mijn/meldingen"), "the anonymous home page links to notifications");
	resp_fini(&r);
}

static void test_list(void **state)
{
	(void)state;
	struct browser b;
	log_in(&b, email_a);
	struct arena *a = arena_new(0);
	struct resp r;
	page(&b, &r, "/mijn/meldingen", a);
	/* Newest first, escaped, unread marked, with their links. */
	const char *third = strstr(body(&r), "Derde melding &lt;b&gt;");
	const char *second = strstr(body(&r), "Tweede melding");
	const char *first = strstr(body(&r), "Eerste melding");
	CHECK(third && second && first && third < second && second < first, "not newest first: %s", summary(&r));
	CHECK(!has(&r, "Derde melding <b>"), "a title is not escaped");
	CHECK(!has(&r, "Melding van Bram"), "another person's notification is shown");
	CHECK(has(&r, "href=\"/mijn/leren\">Derde melding"), "the notification's link is missing");
	CHECK(has(&r, "campus-notification--unread"), "unread is not marked");
	/* The header counts the unread ones. */
	CHECK(has(&r, "class=\"campus-badge\">3<"), "the header shows no unread count of 3");
	resp_fini(&r);
	/* Every page of a logged-in person has the count; /mijn links here. */
	page(&b, &r, "/mijn", a);
	CHECK(has(&r, "class=\"campus-badge\">3<"), "/mijn shows no unread count");
	CHECK(has(&r, "href=\"/mijn/meldingen\"") && has(&r, "href=\"/mijn/agenda\""), "/mijn lacks the links");
	resp_fini(&r);
	arena_free(a);
}

static void test_mark_read(void **state)
{
	(void)state;
	struct browser b;
	log_in(&b, email_a);
	struct arena *a = arena_new(0);
	struct resp r;
	const char *tok = page(&b, &r, "/mijn/meldingen", a);
	resp_fini(&r);
	char id[32];

	/* Without the CSRF token: refused, nothing read. */
	snprintf(id, sizeof id, "%lld", (long long)note_a[0]);
	br_post(&b, &r, "/mijn/meldingen/gelezen", form_of(a, "id", id, (const char *)NULL));
	expect_page(&r, 403, "mark read without csrf_token");
	resp_fini(&r);
	CHECK(!is_read(note_a[0]), "read without a CSRF token");

	/* Bram's notification is not Anna's to mark. */
	snprintf(id, sizeof id, "%lld", (long long)note_b);
	br_post(&b, &r, "/mijn/meldingen/gelezen", form_of(a, "csrf_token", tok, "id", id, (const char *)NULL));
	expect_page(&r, 404, "another person's notification");
	CHECK(has_text(&r, "Deze melding bestaat niet."), "no Dutch reason: %s", summary(&r));
	resp_fini(&r);
	CHECK(!is_read(note_b), "another person's notification was marked read");

	/* Malformed ids. */
	static const char *const bad[] = {"abc", "-1", "0x10", "99999999999999999999"};
	for (size_t i = 0; i < 4; i++) {
		br_post(&b, &r, "/mijn/meldingen/gelezen", form_of(a, "csrf_token", tok, "id", bad[i], (const char *)NULL));
		expect_page(&r, 400, bad[i]);
		resp_fini(&r);
	}
	CHECK(count_of(&stmt_unread, person_a) == 3, "a bad id changed something");

	/* One. */
	snprintf(id, sizeof id, "%lld", (long long)note_a[0]);
	br_post(&b, &r, "/mijn/meldingen/gelezen", form_of(a, "csrf_token", tok, "id", id, (const char *)NULL));
	expect_redirect(&r, "/mijn/meldingen", "mark one read");
	resp_fini(&r);
	CHECK(is_read(note_a[0]) && !is_read(note_a[1]), "not exactly the one marked read");
	page(&b, &r, "/mijn/meldingen", a);
	CHECK(has(&r, "class=\"campus-badge\">2<"), "the header does not show 2 after one was read");
	resp_fini(&r);

	/* All. */
	br_post(&b, &r, "/mijn/meldingen/gelezen", form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_redirect(&r, "/mijn/meldingen", "mark all read");
	resp_fini(&r);
	CHECK(count_of(&stmt_unread, person_a) == 0, "not all read");
	CHECK(count_of(&stmt_unread, person_b) == 1, "marking all touched another person's");
	page(&b, &r, "/mijn/meldingen", a);
	CHECK(!has(&r, "campus-notification--unread") && !has(&r, "Alles als gelezen markeren"),
	      "still shown as unread");
	CHECK(!has(&r, "<span class=\"campus-badge\">"), "the header still counts");
	resp_fini(&r);
	arena_free(a);
}

/* The token from the page: the path after base_url + "/agenda/". */
static const char *feed_token(const struct resp *r, struct arena *a)
{
	char prefix[120];
	snprintf(prefix, sizeof prefix, "%s/agenda/", base_url);
	const char *p = strstr(body(r), prefix);
	if (!p)
		return NULL;
	p += strlen(prefix);
	size_t n = 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_')
		n++;
	return n == NOTIFY_FEED_TOKEN_LEN ? arena_strndup(a, p, n) : NULL;
}

static void test_agenda(void **state)
{
	(void)state;
	struct browser b;
	log_in(&b, email_a);
	struct arena *a = arena_new(0);
	struct resp r;
	const char *tok = page(&b, &r, "/mijn/agenda", a);
	CHECK(has_text(&r, "Agenda-adres maken") && !feed_token(&r, a), "a fresh agenda page: %s", summary(&r));
	resp_fini(&r);

	br_post(&b, &r, "/mijn/agenda", "");
	expect_page(&r, 403, "a feed without csrf_token");
	resp_fini(&r);
	CHECK(count_of(&stmt_feeds, person_a) == 0, "a feed was made without a CSRF token");

	br_post(&b, &r, "/mijn/agenda", form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_page(&r, 200, "make a feed");
	const char *token = feed_token(&r, a);
	CHECK(token != NULL, "no feed address on the page: %s", summary(&r));
		resp_fini(&r);

	/* The feed: text/calendar with both meetings, for anyone holding the address. */
	char path[120];
	snprintf(path, sizeof path, "/agenda/%s", token);
	fetch(&r, NULL, path, NULL, NULL);
	expect_status(&r, 200, "the feed");
	CHECK(header(&r, "Content-Type") && !strncmp(header(&r, "Content-Type"), "text/calendar", 13),
	      "feed Content-Type %s", header(&r, "Content-Type"));
	icalcomponent *cal = icalparser_parse_string(body(&r));
	CHECK(cal != NULL, "the feed does not parse");
	CHECK(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) == 2, "the feed has %d events",
	      icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT));
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	for (int i = 0; i < 2 && v; i++, v = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		char uid[64];
		snprintf(uid, sizeof uid, "meeting-%lld@campus", (long long)meeting[i]);
		CHECK(!strcmp(icalcomponent_get_uid(v), uid), "event %d uid %s", i, icalcomponent_get_uid(v));
		CHECK(!strcmp(icalcomponent_get_summary(v), "Meldingen en agenda's, een cursus"), "summary %s",
		      icalcomponent_get_summary(v));
		CHECK(!strcmp(icalcomponent_get_location(v), "Bibliotheek Notifystad"), "location %s",
		      icalcomponent_get_location(v));
	}
	icalcomponent_free(cal);
	resp_fini(&r);

	/* Bram's feed has nothing: his booking is cancelled. */
	struct browser bram;
	log_in(&bram, email_b);
	const char *btok = page(&bram, &r, "/mijn/agenda", a);
	resp_fini(&r);
	br_post(&bram, &r, "/mijn/agenda", form_of(a, "csrf_token", btok, (const char *)NULL));
	const char *bram_token = feed_token(&r, a);
	resp_fini(&r);
	CHECK(bram_token != NULL, "no feed for Bram");
	snprintf(path, sizeof path, "/agenda/%s", bram_token);
	fetch(&r, NULL, path, NULL, NULL);
	expect_status(&r, 200, "Bram's feed");
	CHECK(has(&r, "BEGIN:VCALENDAR") && !has(&r, "BEGIN:VEVENT"), "Bram's feed has events");
	resp_fini(&r);

	/* Afterwards the page does not show the address again. */
	page(&b, &r, "/mijn/agenda", a);
	CHECK(!has(&r, token) && has_text(&r, "Nieuw agenda-adres maken"), "the address is shown again");
	resp_fini(&r);

	/* A new address: the old one is gone. */
	br_post(&b, &r, "/mijn/agenda", form_of(a, "csrf_token", tok, (const char *)NULL));
	expect_page(&r, 200, "a new feed");
	const char *token2 = feed_token(&r, a);
	resp_fini(&r);
	CHECK(token2 && strcmp(token, token2), "the address did not change");
	snprintf(path, sizeof path, "/agenda/%s", token);
	fetch(&r, NULL, path, NULL, NULL);
	expect_page(&r, 404, "the old feed address");
	resp_fini(&r);
	/* Wrong tokens. */
	static const char *const wrong[] = {"/agenda/kort", "/agenda/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                                    "/agenda/%00"};
	for (size_t i = 0; i < 3; i++) {
		fetch(&r, NULL, wrong[i], NULL, NULL);
		CHECK(r.status == 404 || r.status == 400, "%s: %ld", wrong[i], r.status);
		resp_fini(&r);
	}
	/* The access log shows the route pattern, never the token. */
	char *log = slurp(log_path);
	CHECK(!strstr(log, token) && !strstr(log, token2), "a feed token is in the server log");
	free(log);
	arena_free(a);
}

/* ---- the invitation through SMTP ---- */

struct invite_args {
	struct ctx *ctx;
	const struct notify_msg *m;
};

static int invite_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct invite_args *x = cls;
	return notify_person(x->ctx, person_a, x->m);
}

/* The part after the header block that starts at p, up to the next boundary. */
static char *base64_part(const char *msg, struct arena *a, size_t *len)
{
	const char *p = strstr(msg, "Content-Transfer-Encoding: base64\r\n\r\n");
	if (!p)
		return NULL;
	p += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	const char *end = strstr(p, "\r\n--" MAIL_BOUNDARY);
	if (!end)
		return NULL;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = arena_alloc(a, (size_t)(end - p));
	size_t n = 0, bits = 0;
	unsigned acc = 0;
	for (; p < end; p++) {
		if (*p == '\r' || *p == '\n' || *p == '=')
			continue;
		const char *k = strchr(b64, *p);
		if (!k)
			return NULL;
		acc = (acc << 6) | (unsigned)(k - b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static void test_invitation_over_smtp(void **state)
{
	(void)state;
	struct db_conn *db = db_connect();
	struct arena *a = arena_new(0);
	struct ctx ctx;
	ctx_init_system(&ctx, db, a);
	mail_setup(base_url, NULL);
	static const char description[] =
	    "Neem uw laptop mee; de koffie staat klaar. Een lange regel, zodat het bestand gevouwen "
	    "regels heeft: één, twee, drie, vier, vijf, zes, zeven, acht, negen, tien.";
	int64_t start = (int64_t)time(NULL) + 3 * 24 * HOUR;
	struct notify_event ev = {.uid = "meeting-smtp@campus", .starts_at = start, .ends_at = start + 2 * HOUR,
	                          .summary = "Meldingen en agenda's, een cursus", .location = "Zaal één",
	                          .description = description};
	const char *vars[] = {"titel", "Meldingen en agenda's", NULL};
	struct notify_msg m = {.kind = "test.invitation", .subject = "Ingeschreven voor {titel}",
	                       .body = "U bent ingeschreven voor {titel}.", .link = "/mijn/leren",
	                       .vars = vars, .events = &ev, .nevents = 1, .mail = true};
	struct invite_args x = {&ctx, &m};
	int rc = db_tx_run(db, DB_TX_WRITE, invite_tx, &x);
	db_close(db);
	CHECK(rc == 0, "notify_person: %d", rc);

	char *msg = mail_wait(mail_dir, email_a, MAIL_TIMEOUT_MS);
	CHECK(msg != NULL, "no invitation arrived for %s in %s", email_a, mail_dir);
	/* multipart/mixed: the text, then the calendar part with method=REQUEST. */
	CHECK(strstr(msg, "Content-Type: multipart/mixed; boundary=\"" MAIL_BOUNDARY "\"\r\n") != NULL,
	      "not multipart/mixed:\n%.600s", msg);
	const char *text = strstr(msg, "--" MAIL_BOUNDARY "\r\nContent-Type: text/plain; charset=utf-8\r\n");
	const char *cal_part = strstr(msg, "--" MAIL_BOUNDARY "\r\nContent-Type: text/calendar; method=REQUEST;");
	CHECK(text && cal_part && text < cal_part, "parts missing or out of order:\n%s", msg);
	CHECK(strstr(msg, "Ingeschreven voor Meldingen en agenda's") != NULL, "subject not filled");
	CHECK(strstr(msg, "filename=\"uitnodiging.ics\"") != NULL, "no file name");
	CHECK(strstr(msg, "--" MAIL_BOUNDARY "--\r\n") != NULL, "no closing boundary");
	size_t len = 0;
	char *ics = base64_part(msg, a, &len);
	CHECK(ics != NULL && len > 0, "the attachment does not decode");
	icalcomponent *cal = icalparser_parse_string(ics);
	CHECK(cal != NULL, "the attachment does not parse:\n%s", ics);
	CHECK(icalcomponent_get_method(cal) == ICAL_METHOD_REQUEST, "not METHOD:REQUEST");
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	CHECK(v && !strcmp(icalcomponent_get_uid(v), "meeting-smtp@campus"), "uid");
	CHECK(!strcmp(icalcomponent_get_description(v), description), "description changed on the way: %s",
	      icalcomponent_get_description(v));
	CHECK(!strcmp(icalcomponent_get_location(v), "Zaal één"), "location changed: %s",
	      icalcomponent_get_location(v));
	CHECK((int64_t)icaltime_as_timet(icalcomponent_get_dtstart(v)) == start, "start changed");
	icalcomponent_free(cal);
	free(msg);
	arena_free(a);
}

static int group_setup(void **state)
{
	(void)state;
	suite_name = "test_notify";
	campus_bin = getenv("CAMPUS_BIN");
	if (!campus_bin || !*campus_bin)
		campus_bin = "build/campus";
	if (!getenv("CAMPUS_LOCALE_DIR") || !*getenv("CAMPUS_LOCALE_DIR"))
		setenv("CAMPUS_LOCALE_DIR", "build/po", 1);
	test_db = getenv("CAMPUS_TEST_DB");
	if (!test_db || !*test_db)
		test_db = "sqlite:var/test/notify.db";
	dialect = strncmp(test_db, "sqlite:", 7) == 0 ? "sqlite" : "postgres";
	unsetenv("CAMPUS_CONFIG");
	unsetenv("CAMPUS_DB");
	unsetenv("CAMPUS_TEMPLATES_DIR");
	unsetenv("CAMPUS_STATIC_DIR");
	mkdir("var", 0755);
	mkdir("var/test", 0755);
	snprintf(log_path, sizeof log_path, "var/test/notify-server-%s.log", dialect);
	FILE *lf = fopen(log_path, "w");
	if (lf)
		fclose(lf);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(email_a, sizeof email_a, "anna.%ld@notify.test", (long)getpid());
	snprintf(email_b, sizeof email_b, "bram.%ld@notify.test", (long)getpid());
	const char *url = getenv("CAMPUS_SMTP_URL"), *dir = getenv("CAMPUS_MAIL_DIR");
	if (url && *url && dir && *dir) {
		str_copy(smtp_url, sizeof smtp_url, url);
		str_copy(mail_dir, sizeof mail_dir, dir);
	} else {
		unsigned port = pick_port();
		snprintf(smtp_url, sizeof smtp_url, "smtp://127.0.0.1:%u", port);
		snprintf(mail_dir, sizeof mail_dir, "var/test/notify-sink-%s", dialect);
		if (sink_start(port, mail_dir, &sink_pid) != 0)
			return -1;
		sink_running = true;
	}
	if (!strcmp(dialect, "sqlite") && strstr(test_db, "var/test/")) {
		static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < 4; i++) {
			char p[512];
			snprintf(p, sizeof p, "%s%s", test_db + 7, suffix[i]);
			unlink(p);
		}
	}
	/* The demo gives a provider and the password hash to copy. */
	char *argv[] = {(char *)campus_bin, (char *)"--db", (char *)test_db, (char *)"demo", NULL};
	pid_t pid;
	if (start_process(argv, NULL, &pid) || wait_exit(pid) != 0) {
		fprintf(stderr, "# campus demo failed on %s; see %s\n", test_db, log_path);
		return -1;
	}
	struct db_conn *db = db_connect();
	if (!db)
		return -1;
	struct arena *a = arena_new(0);
	int rc = db_tx_run(db, DB_TX_WRITE, fill_tx, a);
	if (!rc)
		rc = db_exec(db, &stmt_throttle_clear, (const struct db_param[]){DBP_END}, NULL);
	arena_free(a);
	db_close(db);
	if (rc) {
		fprintf(stderr, "# cannot insert the test data: %d\n", rc);
		return -1;
	}
	unsigned port = pick_port();
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", port);
	setenv("CAMPUS_SMTP_URL", smtp_url, 1);
	setenv("CAMPUS_BASE_URL", base_url, 1);
	return server_start(port);
}

static int group_teardown(void **state)
{
	(void)state;
	int status = server_stop();
	if (status != 0)
		fprintf(stderr, "# the server exited with %d after SIGTERM; see %s\n", status, log_path);
	if (sink_running)
		stop_child(sink_pid, &sink_running);
	curl_global_cleanup();
	return status == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login_required),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_mark_read),
	    cmocka_unit_test(test_agenda),
	    cmocka_unit_test(test_invitation_over_smtp),
	};
	return cmocka_run_group_tests_name("notify", tests, group_setup, group_teardown);
}
