/* domain/notify: on-screen notifications, e-mail with an iCalendar
 * invitation (parsed back with libical), the calendar feed. On the database
 * named by CAMPUS_TEST_DB (SQLite and PostgreSQL), with the real catalogues
 * under CAMPUS_LOCALE_DIR for the person's language. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/notify.h"
#include "points_reset.h"
#include "view/i18n.h"

#define T0 1795000000 /* 2026-11-18 */
#define HOUR 3600
static int64_t test_now(void) { return T0; }

DB_STMT(stmt_t_del_attendance, "DELETE FROM attendance");
DB_STMT(stmt_t_del_reminders, "DELETE FROM meeting_reminders");
DB_STMT(stmt_t_del_events, "DELETE FROM enrolment_events");
DB_STMT(stmt_t_del_enrolments, "DELETE FROM enrolments");
DB_STMT(stmt_t_del_meetings, "DELETE FROM edition_meetings");
DB_STMT(stmt_t_del_editions, "DELETE FROM editions");
DB_STMT(stmt_t_del_notifications, "DELETE FROM notifications");
DB_STMT(stmt_t_del_feeds, "DELETE FROM calendar_feeds");
DB_STMT(stmt_t_del_outbox, "DELETE FROM outbox");
DB_STMT(stmt_t_del_search, "DELETE FROM module_search");
DB_STMT(stmt_t_del_versions, "DELETE FROM module_versions");
DB_STMT(stmt_t_del_modules, "DELETE FROM modules");
DB_STMT(stmt_t_del_members, "DELETE FROM memberships");
DB_STMT(stmt_t_del_sessions, "DELETE FROM sessions");
DB_STMT(stmt_t_del_people, "DELETE FROM people");
DB_STMT(stmt_t_del_orgs, "DELETE FROM organisations");

DB_STMT(stmt_t_person,
        "INSERT INTO people (email, name, lang, created_at, updated_at) VALUES ($1, $2, $3, 1, 1) "
        "RETURNING id");
DB_STMT(stmt_t_org,
        "INSERT INTO organisations (slug, name, kind, created_at, updated_at) "
        "VALUES ('aanbieder', 'Aanbieder', 'provider', 1, 1) RETURNING id");
DB_STMT(stmt_t_module,
        "INSERT INTO modules (provider_id, created_at, updated_at) VALUES ($1, 1, 1) RETURNING id");
DB_STMT(stmt_t_version,
        "INSERT INTO module_versions (module_id, number, state, title, summary, description, goals, level, "
        "format, load_tenths, language, price_cents, vat, audience, created_at, updated_at) "
        "VALUES ($1, 1, 'recognised', $2, 'S', 'B', 'D', 'tactisch', 'classroom', 80, 'nl', 0, "
        "'crkbo', 'both', 1, 1) RETURNING id");
DB_STMT(stmt_t_publish, "UPDATE modules SET published_version_id = $2, working_version_id = $2 WHERE id = $1");
DB_STMT(stmt_t_edition,
        "INSERT INTO editions (module_id, provider_id, place, online_url, created_at, updated_at) "
        "VALUES ($1, $2, $3, '', 1, 1) RETURNING id");
DB_STMT(stmt_t_cancel_edition, "UPDATE editions SET cancelled_at = 2 WHERE id = $1");
DB_STMT(stmt_t_meeting,
        "INSERT INTO edition_meetings (edition_id, starts_at, ends_at, place) VALUES ($1, $2, $3, $4) "
        "RETURNING id");
DB_STMT(stmt_t_enrol,
        "INSERT INTO enrolments (edition_id, person_id, state, requested_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, 1, 1, 1) RETURNING id");

DB_STMT(stmt_t_notification,
        "SELECT kind, title, body, link, created_at, read_at IS NULL FROM notifications "
        "WHERE person_id = $1");
DB_STMT(stmt_t_count_notifications, "SELECT count(*) FROM notifications WHERE person_id = $1");
DB_STMT(stmt_t_outbox,
        "SELECT to_addr, subject, body_text, COALESCE(attachment_name, ''), "
        "COALESCE(attachment_type, ''), attachment FROM outbox WHERE to_addr = $1");
DB_STMT(stmt_t_count_outbox, "SELECT count(*) FROM outbox WHERE to_addr = $1");
/* Every notification and mail in id order, for comparing two ways of writing them. */
DB_STMT(stmt_t_all_notifications,
        "SELECT person_id, kind, title, body, link, created_at FROM notifications ORDER BY id");
DB_STMT(stmt_t_all_outbox,
        "SELECT to_addr, subject, body_text, created_at, next_attempt_at, "
        "COALESCE(attachment_name, ''), COALESCE(attachment_type, ''), attachment FROM outbox "
        "ORDER BY id");
DB_STMT(stmt_t_unread_of, "SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL");
DB_STMT(stmt_t_feed_hash, "SELECT token_hash FROM calendar_feeds WHERE person_id = $1");

struct fixture {
	struct db_conn *db;
	struct arena *arena;
	struct ctx ctx;
	int64_t anna, bob; /* anna reads Dutch, bob English */
};

static int64_t insert_id(struct fixture *f, struct db_stmt *st, const struct db_param *p)
{
	int64_t id = 0;
	assert_int_equal(db_query_row(f->db, st, p, (const struct db_col[]){DBC_INT(&id), DBC_END}, f->arena), 0);
	return id;
}

static int64_t count(struct fixture *f, struct db_stmt *st, int64_t id)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, st, (const struct db_param[]){DBP_INT(id), DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static int64_t count_text(struct fixture *f, struct db_stmt *st, const char *s)
{
	int64_t n = -1;
	assert_int_equal(db_query_row(f->db, st, (const struct db_param[]){DBP_TEXT(s), DBP_END},
	                              (const struct db_col[]){DBC_INT(&n), DBC_END}, f->arena),
	                 0);
	return n;
}

static int setup(void **state)
{
	const char *url = getenv("CAMPUS_TEST_DB");
	const char *locale = getenv("CAMPUS_LOCALE_DIR");
	struct fixture *f = calloc(1, sizeof *f);
	struct buf err;
	buf_init(&err, NULL, 0);
	if (i18n_load(locale ? locale : "build/po", &err) != 0 ||
	    db_open(url ? url : "sqlite::memory:", DB_OPEN_CREATE, &f->db, &err) != 0 ||
	    db_migrate(f->db, &err) != 0) {
		fprintf(stderr, "setup: %s\n", buf_cstr(&err));
		return -1;
	}
	buf_fini(&err);
	struct db_stmt *resets[] = {
	    &stmt_t_del_attendance, &stmt_t_del_reminders, &stmt_t_del_events,   &stmt_t_del_enrolments,
	    &stmt_t_del_meetings,   &stmt_t_del_editions,  &stmt_t_del_notifications, &stmt_t_del_feeds,
	    &stmt_t_del_outbox,     &stmt_t_del_search,    &stmt_t_del_versions, &stmt_t_del_modules,
	    &stmt_t_del_members,    &stmt_t_del_sessions,  &stmt_t_del_people,   &stmt_t_del_orgs};
	if (points_reset(f->db) != 0)
		return -1;
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (db_exec(f->db, resets[i], (const struct db_param[]){DBP_END}, NULL) != 0)
			return -1;
	f->arena = arena_new(0);
	f->ctx = (struct ctx){.db = f->db, .arena = f->arena, .now = test_now};
	f->anna = insert_id(f, &stmt_t_person,
	                    (const struct db_param[]){DBP_TEXT("anna@bieb.test"), DBP_TEXT("Anna"),
	                                              DBP_TEXT("nl"), DBP_END});
	f->bob = insert_id(f, &stmt_t_person,
	                   (const struct db_param[]){DBP_TEXT("bob@bieb.test"), DBP_TEXT("Bob"),
	                                             DBP_TEXT("en"), DBP_END});
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(f->arena);
	db_close(f->db);
	i18n_unload();
	free(f);
	return 0;
}

static const char *translate(const char *lang, const char *msgid)
{
	int l = i18n_lang_from_code(lang);
	return l < 0 ? NULL : i18n_gettext((enum lang)l, msgid);
}

/* ---- iCalendar ---- */

static const char long_description[] =
    "Neem uw laptop mee; koffie staat klaar, thee ook. Parkeren kan achter de bibliotheek "
    "(gratis), de ingang is aan de Stationsstraat. Vragen? Bel de balie: één keer, twee keer.\n"
    "Tweede regel met ë, ï en een euroteken €.";

static icalcomponent *parse_ics(const char *text)
{
	/* Every line ends in CRLF and is at most 75 octets (RFC 5545 3.1). */
	for (const char *p = text; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 75);
		/* A fold never splits a UTF-8 character. */
		assert_false(*p == ' ' && ((unsigned char)p[1] & 0xc0) == 0x80);
		assert_false(eol > p && ((unsigned char)eol[-1] & 0xc0) == 0xc0);
		p = eol + 2;
	}
	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	return cal;
}

static void ics_request_round_trip(void **state)
{
	(void)state;
	struct arena *arena = arena_new(0);
	struct notify_event ev[2] = {
	    {.uid = "meeting-7@campus", .starts_at = T0 + 10 * HOUR, .ends_at = T0 + 12 * HOUR,
	     .summary = "Voorlezen aan peuters; deel 1, met veel plezier", .location = "Bibliotheek Utrecht, zaal 2",
	     .description = long_description, .url = "https://campus.test/uitvoeringen/3"},
	    {.uid = "meeting-8@campus", .starts_at = T0 + 34 * HOUR, .ends_at = T0 + 35 * HOUR,
	     .summary = "Voorlezen aan peuters", .url = "/uitvoeringen/4", .tentative = true},
	};
	struct buf out;
	buf_init(&out, NULL, 0);
	int64_t before = (int64_t)time(NULL);
	assert_int_equal(notify_ics(&out, "REQUEST", ev, 2), 0);
	icalcomponent *cal = parse_ics(buf_cstr(&out));
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	icalproperty *prodid = icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY);
	assert_non_null(prodid);
	assert_non_null(strstr(icalproperty_get_prodid(prodid), "Campus"));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2);
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	for (size_t i = 0; i < 2; i++, v = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		assert_non_null(v);
		assert_string_equal(icalcomponent_get_uid(v), ev[i].uid);
		struct icaltimetype s = icalcomponent_get_dtstart(v), e = icalcomponent_get_dtend(v);
		assert_true(icaltime_is_utc(s));
		assert_int_equal((int64_t)icaltime_as_timet(s), ev[i].starts_at);
		assert_int_equal((int64_t)icaltime_as_timet(e), ev[i].ends_at);
		assert_string_equal(icalcomponent_get_summary(v), ev[i].summary);
		assert_true(icalcomponent_get_sequence(v) >= (int)before);
		assert_int_equal(icalcomponent_get_status(v), i ? ICAL_STATUS_TENTATIVE : ICAL_STATUS_CONFIRMED);
		assert_non_null(icalcomponent_get_first_property(v, ICAL_DTSTAMP_PROPERTY));
	}
	v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_description(v), long_description);
	assert_string_equal(icalcomponent_get_location(v), ev[0].location);
	icalproperty *url = icalcomponent_get_first_property(v, ICAL_URL_PROPERTY);
	assert_non_null(url);
	assert_string_equal(icalproperty_get_url(url), ev[0].url);
	/* A path on this site becomes absolute. */
	v = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	url = icalcomponent_get_first_property(v, ICAL_URL_PROPERTY);
	assert_non_null(url);
	assert_string_equal(icalproperty_get_url(url),
	                    arena_printf(arena, "%s/uitvoeringen/4", mail_base_url()));
	icalcomponent_free(cal);
	buf_fini(&out);
	arena_free(arena);
}

static void ics_cancel_and_feed(void **state)
{
	(void)state;
	struct notify_event ev = {.uid = "meeting-9@campus", .starts_at = T0, .ends_at = T0 + HOUR,
	                          .summary = "Mediawijsheid"};
	struct buf out;
	buf_init(&out, NULL, 0);
	assert_int_equal(notify_ics(&out, "CANCEL", &ev, 1), 0);
	icalcomponent *cal = parse_ics(buf_cstr(&out));
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_int_equal(icalcomponent_get_status(v), ICAL_STATUS_CANCELLED);
	icalcomponent_free(cal);

	/* A feed has no METHOD; an empty one is still a calendar. */
	buf_clear(&out);
	assert_int_equal(notify_ics(&out, NULL, NULL, 0), 0);
	cal = parse_ics(buf_cstr(&out));
	assert_null(icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
	icalcomponent_free(cal);

	/* Refused: an unknown method, an event without uid, one that ends before it starts. */
	buf_clear(&out);
	assert_int_equal(notify_ics(&out, "PUBLISH", &ev, 1), CAMPUS_EINVAL);
	struct notify_event bad = ev;
	bad.uid = NULL;
	assert_int_equal(notify_ics(&out, "REQUEST", &bad, 1), CAMPUS_EINVAL);
	bad = ev;
	bad.ends_at = ev.starts_at - 1;
	assert_int_equal(notify_ics(&out, "REQUEST", &bad, 1), CAMPUS_EINVAL);
	assert_int_equal(out.len, 0);
	buf_fini(&out);
}

/* ---- notify_person ---- */

struct person_args {
	struct ctx *ctx;
	int64_t person_id;
	const struct notify_msg *m;
};

static int person_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct person_args *a = cls;
	return notify_person(a->ctx, a->person_id, a->m);
}

static int notify_in_tx(struct fixture *f, int64_t person_id, const struct notify_msg *m)
{
	struct person_args a = {&f->ctx, person_id, m};
	return db_tx_run(f->db, DB_TX_WRITE, person_tx, &a);
}

/* An existing msgid with a placeholder, so the English catalogue has it. */
#define SUBJECT "U bent uitgenodigd voor Campus door {organisatie}"

static void person_in_their_language_with_invitation(void **state)
{
	struct fixture *f = *state;
	mail_setup("https://campus.test/", translate);
	mail_set_from("Campus Bibliotheken <noreply@bieb.test>");
	const char *vars[] = {"organisatie", "Bibliotheek\nUtrecht", "naam", "Bob", NULL};
	struct notify_event ev = {.uid = "meeting-1@campus", .starts_at = T0 + HOUR, .ends_at = T0 + 2 * HOUR,
	                          .summary = "Voorlezen", .location = "Utrecht"};
	struct notify_msg m = {.kind = "enrol.enrolled", .subject = SUBJECT,
	                       .body = "Beste {naam}, tot {onbekend}.", .link = "/mijn/leren",
	                       .vars = vars, .events = &ev, .nevents = 1, .mail = true};
	assert_int_equal(notify_in_tx(f, f->bob, &m), 0);

	const char *kind, *title, *body, *link;
	int64_t created;
	bool unread;
	assert_int_equal(db_query_row(f->db, &stmt_t_notification,
	                              (const struct db_param[]){DBP_INT(f->bob), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&kind), DBC_TEXT(&title), DBC_TEXT(&body),
	                                                      DBC_TEXT(&link), DBC_INT(&created),
	                                                      DBC_BOOL(&unread), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(kind, "enrol.enrolled");
	/* English, filled, on one line; unknown placeholders stay as written. */
	assert_string_equal(title, "You have been invited to Campus by Bibliotheek Utrecht");
	assert_string_equal(body, "Beste Bob, tot {onbekend}.");
	assert_string_equal(link, "/mijn/leren");
	assert_int_equal(created, T0);
	assert_true(unread);

	const char *to, *subject, *text, *aname, *atype;
	void *data;
	size_t len;
	assert_int_equal(db_query_row(f->db, &stmt_t_outbox,
	                              (const struct db_param[]){DBP_TEXT("bob@bieb.test"), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&to), DBC_TEXT(&subject), DBC_TEXT(&text),
	                                                      DBC_TEXT(&aname), DBC_TEXT(&atype),
	                                                      DBC_BLOB(&data, &len), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(subject, title);
	assert_non_null(strstr(text, "Beste Bob"));
	assert_non_null(strstr(text, "https://campus.test/mijn/leren"));
	assert_string_equal(aname, "uitnodiging.ics");
	assert_string_equal(atype, "text/calendar; method=REQUEST; charset=utf-8");
	char *ics = arena_strndup(f->arena, data, len);
	icalcomponent *cal = parse_ics(ics);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_uid(v), "meeting-1@campus");
	/* RFC 5546: the organiser (the From address) and the attendee (Bob). */
	icalproperty *org = icalcomponent_get_first_property(v, ICAL_ORGANIZER_PROPERTY);
	assert_non_null(org);
	assert_string_equal(icalproperty_get_organizer(org), "mailto:noreply@bieb.test");
	icalproperty *att = icalcomponent_get_first_property(v, ICAL_ATTENDEE_PROPERTY);
	assert_non_null(att);
	assert_string_equal(icalproperty_get_attendee(att), "mailto:bob@bieb.test");
	icalparameter *rsvp = icalproperty_get_first_parameter(att, ICAL_RSVP_PARAMETER);
	assert_non_null(rsvp);
	assert_int_equal(icalparameter_get_rsvp(rsvp), ICAL_RSVP_FALSE);
	icalcomponent_free(cal);

	/* Anna reads Dutch; on screen only: no e-mail. */
	m.mail = false;
	m.events = NULL;
	m.nevents = 0;
	assert_int_equal(notify_in_tx(f, f->anna, &m), 0);
	assert_int_equal(db_query_row(f->db, &stmt_t_notification,
	                              (const struct db_param[]){DBP_INT(f->anna), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&kind), DBC_TEXT(&title), DBC_TEXT(&body),
	                                                      DBC_TEXT(&link), DBC_INT(&created),
	                                                      DBC_BOOL(&unread), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(title, "U bent uitgenodigd voor Campus door Bibliotheek Utrecht");
	assert_int_equal(count_text(f, &stmt_t_count_outbox, "anna@bieb.test"), 0);

	/* A cancellation carries METHOD:CANCEL. */
	m.mail = true;
	m.events = &ev;
	m.nevents = 1;
	m.cancel = true;
	assert_int_equal(notify_in_tx(f, f->anna, &m), 0);
	assert_int_equal(db_query_row(f->db, &stmt_t_outbox,
	                              (const struct db_param[]){DBP_TEXT("anna@bieb.test"), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&to), DBC_TEXT(&subject), DBC_TEXT(&text),
	                                                      DBC_TEXT(&aname), DBC_TEXT(&atype),
	                                                      DBC_BLOB(&data, &len), DBC_END},
	                              f->arena),
	                 0);
	assert_string_equal(atype, "text/calendar; method=CANCEL; charset=utf-8");
	cal = parse_ics(arena_strndup(f->arena, data, len));
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	icalcomponent_free(cal);
	mail_setup(NULL, NULL);
}

/* ---- many at once (a batch of enrolments) ---- */

struct row_n {
	int64_t person, created;
	const char *kind, *title, *body, *link;
};
struct row_o {
	int64_t created, next;
	const char *to, *subject, *text, *name, *type;
	void *data;
	size_t len;
	bool no_data;
};

static void read_back(struct fixture *f, struct db_rows *n, struct db_rows *o)
{
	struct row_n cn;
	*n = (struct db_rows){.arena = f->arena, .size = sizeof cn, .cur = &cn};
	assert_int_equal(db_query(f->db, &stmt_t_all_notifications, (const struct db_param[]){DBP_END},
	                          (const struct db_col[]){DBC_INT(&cn.person), DBC_TEXT(&cn.kind),
	                                                  DBC_TEXT(&cn.title), DBC_TEXT(&cn.body),
	                                                  DBC_TEXT(&cn.link), DBC_INT(&cn.created), DBC_END},
	                          f->arena, db_rows_collect, n),
	                 0);
	struct row_o co;
	*o = (struct db_rows){.arena = f->arena, .size = sizeof co, .cur = &co};
	assert_int_equal(db_query(f->db, &stmt_t_all_outbox, (const struct db_param[]){DBP_END},
	                          (const struct db_col[]){DBC_TEXT(&co.to), DBC_TEXT(&co.subject),
	                                                  DBC_TEXT(&co.text), DBC_INT(&co.created),
	                                                  DBC_INT(&co.next), DBC_TEXT(&co.name),
	                                                  DBC_TEXT(&co.type),
	                                                  DBC_BLOB_OPT(&co.data, &co.len, &co.no_data),
	                                                  DBC_END},
	                          f->arena, db_rows_collect, o),
	                 0);
}

struct many {
	struct notify_item *items;
	size_t n;
	bool at_once;
	struct mail_item *mails;
	size_t nmails;
};

static int many_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct many *m = cls;
	if (m->mails)
		return mail_queue_many(m->mails, m->nmails);
	if (m->at_once)
		return notify_people(m->items, m->n);
	for (size_t i = 0; i < m->n; i++) {
		int rc = notify_person(m->items[i].ctx, m->items[i].person_id, &m->items[i].msg);
		if (rc)
			return rc;
	}
	return 0;
}

static int64_t later(void) { return T0 + 90; }

/* notify_people writes exactly what notify_person writes message by
 * message (an invitation's stamp aside, which is the time of making). */
static void people_at_once_as_one_by_one(void **state)
{
	struct fixture *f = *state;
	mail_setup("https://campus.test/", translate);
	struct ctx c2 = f->ctx;
	c2.now = later;
	const char *vars[] = {"naam", "Bob \"<b>\" \\ é", NULL};
	struct notify_event ev = {.uid = "meeting-1@campus", .starts_at = T0 + HOUR, .ends_at = T0 + 2 * HOUR,
	                          .summary = "Voorlezen", .location = "Utrecht"};
	struct notify_item items[3] = {
	    {&f->ctx, f->bob, {.kind = "enrol.enrolled", .subject = SUBJECT, .body = "Beste {naam},\n\tja.",
	                       .link = "/mijn/leren", .vars = vars, .events = &ev, .nevents = 1, .mail = true}},
	    {&c2, f->anna, {.kind = "enrol.waitlisted", .subject = SUBJECT, .body = "Wacht even.",
	                    .vars = vars, .mail = true, .to_email = "anna@bieb.test", .to_lang = "nl"}},
	    {&f->ctx, f->anna, {.kind = "enrol.x", .subject = "Alleen op het scherm", .body = "",
	                        .mail = false}},
	};
	struct many m = {items, 3, false, NULL, 0};
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, many_tx, &m), 0);
	struct db_rows n1, o1, n2, o2;
	read_back(f, &n1, &o1);
	assert_int_equal(n1.n, 3);
	assert_int_equal(o1.n, 2);
	assert_int_equal(db_exec(f->db, &stmt_t_del_notifications, (const struct db_param[]){DBP_END}, NULL), 0);
	assert_int_equal(db_exec(f->db, &stmt_t_del_outbox, (const struct db_param[]){DBP_END}, NULL), 0);
	m.at_once = true;
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, many_tx, &m), 0);
	read_back(f, &n2, &o2);
	assert_int_equal(n2.n, 3);
	assert_int_equal(o2.n, 2);
	const struct row_n *a = n1.data, *b = n2.data;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(a[i].person, b[i].person);
		assert_int_equal(a[i].created, b[i].created);
		assert_string_equal(a[i].kind, b[i].kind);
		assert_string_equal(a[i].title, b[i].title);
		assert_string_equal(a[i].body, b[i].body);
		assert_string_equal(a[i].link, b[i].link);
	}
	assert_int_equal(b[1].created, T0 + 90);
	/* Mails in any order: match them by address. */
	const struct row_o *x = o1.data, *y = o2.data;
	for (size_t i = 0; i < 2; i++) {
		size_t k = strcmp(x[i].to, y[0].to) ? 1 : 0;
		assert_string_equal(x[i].to, y[k].to);
		assert_string_equal(x[i].subject, y[k].subject);
		assert_string_equal(x[i].text, y[k].text);
		assert_int_equal(x[i].created, y[k].created);
		assert_int_equal(x[i].next, y[k].next);
		assert_string_equal(x[i].name, y[k].name);
		assert_string_equal(x[i].type, y[k].type);
		assert_int_equal(x[i].no_data, y[k].no_data);
		assert_int_equal(x[i].len, y[k].len);
		if (!x[i].no_data) {
			char *ics = arena_strndup(f->arena, y[k].data, y[k].len);
			icalcomponent *cal = parse_ics(ics);
			icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
			icalproperty *att = icalcomponent_get_first_property(v, ICAL_ATTENDEE_PROPERTY);
			assert_string_equal(icalproperty_get_attendee(att), "mailto:bob@bieb.test");
			icalcomponent_free(cal);
		}
	}

	/* One bad message: none of them is written. */
	items[1].msg.link = "//elders.test/";
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, many_tx, &m), CAMPUS_EINVAL);
	assert_int_equal(count(f, &stmt_t_count_notifications, f->bob), 1);
	/* Outside a transaction: nothing. */
	items[1].msg.link = NULL;
	assert_int_equal(notify_people(items, 3), CAMPUS_EINTERNAL);

	/* Mails whose attachment is not text keep their bytes (a row of their own). */
	static const unsigned char bin[] = {'a', 0, 0xff, '\r', '\n', 'z'};
	struct mail_item mails[2] = {
	    {&f->ctx, "anna@bieb.test", "Bijlage", "Zie bijlage.", "a.bin", "application/octet-stream", bin, sizeof bin},
	    {&f->ctx, "bob@bieb.test", "Leeg", "Niets.", "leeg.txt", "text/plain", "", 0},
	};
	assert_int_equal(db_exec(f->db, &stmt_t_del_outbox, (const struct db_param[]){DBP_END}, NULL), 0);
	struct many mm = {.mails = mails, .nmails = 2};
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, many_tx, &mm), 0);
	read_back(f, &n2, &o2);
	assert_int_equal(o2.n, 2);
	y = o2.data;
	for (size_t i = 0; i < 2; i++) {
		assert_false(y[i].no_data);
		if (!strcmp(y[i].to, "anna@bieb.test")) {
			assert_int_equal(y[i].len, sizeof bin);
			assert_memory_equal(y[i].data, bin, sizeof bin);
		} else {
			assert_int_equal(y[i].len, 0);
		}
	}
	mails[1].to = "geen adres";
	assert_int_equal(db_tx_run(f->db, DB_TX_WRITE, many_tx, &mm), CAMPUS_EINVAL);
	assert_int_equal(count_text(f, &stmt_t_count_outbox, "anna@bieb.test"), 1);
	mail_setup(NULL, NULL);
}

static void person_refusals(void **state)
{
	struct fixture *f = *state;
	struct notify_msg m = {.kind = "enrol.enrolled", .subject = "Ingeschreven", .body = "", .mail = true};
	/* Outside a transaction nothing is written. */
	assert_int_equal(notify_person(&f->ctx, f->anna, &m), CAMPUS_EINTERNAL);
	/* A link off this site, an unknown person, no kind. */
	m.link = "//elders.test/x";
	assert_int_equal(notify_in_tx(f, f->anna, &m), CAMPUS_EINVAL);
	m.link = "https://elders.test/";
	assert_int_equal(notify_in_tx(f, f->anna, &m), CAMPUS_EINVAL);
	m.link = NULL;
	assert_int_equal(notify_in_tx(f, f->bob + 1000, &m), CAMPUS_ENOTFOUND);
	m.kind = "";
	assert_int_equal(notify_in_tx(f, f->anna, &m), CAMPUS_EINVAL);
	assert_int_equal(count(f, &stmt_t_count_notifications, f->anna), 0);
	assert_int_equal(count_text(f, &stmt_t_count_outbox, "anna@bieb.test"), 0);
	/* A long title is cut to NOTIFY_TITLE_MAX on a character boundary. */
	char longtitle[400];
	memset(longtitle, 0, sizeof longtitle);
	for (size_t i = 0; i + 2 < 300; i += 2)
		memcpy(longtitle + i, "é", 2);
	m.kind = "x";
	m.subject = longtitle;
	assert_int_equal(notify_in_tx(f, f->anna, &m), 0);
	const char *kind, *title, *body, *link;
	int64_t created;
	bool unread;
	assert_int_equal(db_query_row(f->db, &stmt_t_notification,
	                              (const struct db_param[]){DBP_INT(f->anna), DBP_END},
	                              (const struct db_col[]){DBC_TEXT(&kind), DBC_TEXT(&title), DBC_TEXT(&body),
	                                                      DBC_TEXT(&link), DBC_INT(&created),
	                                                      DBC_BOOL(&unread), DBC_END},
	                              f->arena),
	                 0);
	assert_int_equal(strlen(title), NOTIFY_TITLE_MAX);
	assert_int_equal(count_text(f, &stmt_t_count_outbox, "anna@bieb.test"), 1);
}

/* ---- the list and reading ---- */

static int64_t clock_now = T0;
static int64_t moving_now(void) { return clock_now; }

static void list_and_mark_read(void **state)
{
	struct fixture *f = *state;
	f->ctx.now = moving_now;
	const char *titles[] = {"Eerste", "Tweede", "Derde"};
	for (size_t i = 0; i < 3; i++) {
		clock_now = T0 + (int64_t)i * 60;
		struct notify_msg m = {.kind = "test", .subject = titles[i], .body = "tekst", .link = "/mijn"};
		assert_int_equal(notify_in_tx(f, f->anna, &m), 0);
	}
	struct notify_msg m = {.kind = "test", .subject = "Van Bob", .body = ""};
	assert_int_equal(notify_in_tx(f, f->bob, &m), 0);

	f->ctx.actor.person_id = f->anna;
	struct notification *list;
	size_t n;
	int64_t unread;
	assert_int_equal(notify_list(&f->ctx, 2, &list, &n, &unread), 0);
	assert_int_equal(n, 2);
	assert_int_equal(unread, 3);
	assert_string_equal(list[0].title, "Derde"); /* newest first */
	assert_string_equal(list[1].title, "Tweede");
	assert_string_equal(list[0].link, "/mijn");
	assert_false(list[0].read);
	assert_int_equal(notify_unread(&f->ctx), 3);

	/* Bob's notification is not Anna's to mark. */
	f->ctx.actor.person_id = f->bob;
	assert_int_equal(notify_list(&f->ctx, 10, &list, &n, &unread), 0);
	assert_int_equal(n, 1);
	int64_t bobs = list[0].id;
	f->ctx.actor.person_id = f->anna;
	assert_int_equal(notify_mark_read(&f->ctx, bobs), CAMPUS_ENOTFOUND);
	assert_int_equal(count(f, &stmt_t_unread_of, f->bob), 1);
	assert_int_equal(notify_mark_read(&f->ctx, -3), CAMPUS_ENOTFOUND);

	assert_int_equal(notify_list(&f->ctx, 10, &list, &n, &unread), 0);
	assert_int_equal(notify_mark_read(&f->ctx, list[1].id), 0);
	assert_int_equal(notify_mark_read(&f->ctx, list[1].id), 0); /* again: still fine */
	assert_int_equal(notify_unread(&f->ctx), 2);
	assert_int_equal(notify_list(&f->ctx, 10, &list, &n, &unread), 0);
	assert_true(list[1].read);
	assert_false(list[0].read);
	assert_int_equal(notify_mark_read(&f->ctx, 0), 0);
	assert_int_equal(notify_unread(&f->ctx), 0);
	assert_int_equal(count(f, &stmt_t_unread_of, f->bob), 1);

	/* Nobody logged in: nothing. */
	f->ctx.actor.person_id = 0;
	assert_int_equal(notify_unread(&f->ctx), 0);
	assert_int_equal(notify_list(&f->ctx, 10, &list, &n, &unread), CAMPUS_EUNAUTH);
	assert_int_equal(notify_mark_read(&f->ctx, 0), CAMPUS_EUNAUTH);
	f->ctx.now = test_now;
}

/* ---- the calendar feed ---- */

static void feed(void **state)
{
	struct fixture *f = *state;
	mail_setup("https://campus.test", NULL);
	int64_t prov = insert_id(f, &stmt_t_org, (const struct db_param[]){DBP_END});
	int64_t mod = insert_id(f, &stmt_t_module, (const struct db_param[]){DBP_INT(prov), DBP_END});
	int64_t ver = insert_id(f, &stmt_t_version,
	                        (const struct db_param[]){DBP_INT(mod), DBP_TEXT("Voorlezen, met plezier"), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_publish,
	                         (const struct db_param[]){DBP_INT(mod), DBP_INT(ver), DBP_END}, NULL),
	                 0);
	int64_t ed[3];
	for (size_t i = 0; i < 3; i++)
		ed[i] = insert_id(f, &stmt_t_edition,
		                  (const struct db_param[]){DBP_INT(mod), DBP_INT(prov), DBP_TEXT("Utrecht"), DBP_END});
	assert_int_equal(db_exec(f->db, &stmt_t_cancel_edition,
	                         (const struct db_param[]){DBP_INT(ed[2]), DBP_END}, NULL),
	                 0);
	int64_t meet[5];
	/* ed0: two meetings (one in its own room); ed1: one; ed2 (cancelled): one;
	 * and a meeting of ed0 a year ago, which the feed leaves out. */
	struct {
		int64_t ed, start;
		const char *place;
	} ms[5] = {{ed[0], T0 + 24 * HOUR, ""},
	           {ed[0], T0 + 48 * HOUR, "Zaal 3"},
	           {ed[1], T0 + 72 * HOUR, ""},
	           {ed[2], T0 + 96 * HOUR, ""},
	           {ed[0], T0 - 365 * 24 * HOUR, ""}};
	for (size_t i = 0; i < 5; i++)
		meet[i] = insert_id(f, &stmt_t_meeting,
		                    (const struct db_param[]){DBP_INT(ms[i].ed), DBP_INT(ms[i].start),
		                                              DBP_INT(ms[i].start + 2 * HOUR), DBP_TEXT(ms[i].place),
		                                              DBP_END});
	insert_id(f, &stmt_t_enrol, (const struct db_param[]){DBP_INT(ed[0]), DBP_INT(f->anna), DBP_TEXT("enrolled"), DBP_END});
	insert_id(f, &stmt_t_enrol, (const struct db_param[]){DBP_INT(ed[1]), DBP_INT(f->anna), DBP_TEXT("offered"), DBP_END});
	insert_id(f, &stmt_t_enrol, (const struct db_param[]){DBP_INT(ed[2]), DBP_INT(f->anna), DBP_TEXT("enrolled"), DBP_END});
	/* Bob's cancelled and waitlisted bookings are not in his feed. */
	insert_id(f, &stmt_t_enrol, (const struct db_param[]){DBP_INT(ed[0]), DBP_INT(f->bob), DBP_TEXT("cancelled"), DBP_END});
	insert_id(f, &stmt_t_enrol, (const struct db_param[]){DBP_INT(ed[1]), DBP_INT(f->bob), DBP_TEXT("waitlisted"), DBP_END});

	f->ctx.actor.person_id = f->anna;
	assert_false(notify_feed_exists(&f->ctx));
	char token[NOTIFY_FEED_TOKEN_LEN + 1];
	assert_int_equal(notify_feed_rotate(&f->ctx, token), 0);
	assert_int_equal(strlen(token), NOTIFY_FEED_TOKEN_LEN);
	assert_true(notify_feed_exists(&f->ctx));
	/* Only the hash is stored. */
	void *hash;
	size_t hlen;
	assert_int_equal(db_query_row(f->db, &stmt_t_feed_hash, (const struct db_param[]){DBP_INT(f->anna), DBP_END},
	                              (const struct db_col[]){DBC_BLOB(&hash, &hlen), DBC_END}, f->arena),
	                 0);
	assert_int_equal(hlen, 32);
	assert_null(memmem(hash, hlen, token, 8));

	struct ctx anon = f->ctx;
	anon.actor.person_id = 0;
	struct buf out;
	buf_init(&out, NULL, 0);
	assert_int_equal(notify_feed_ics(&anon, token, &out), 0);
	icalcomponent *cal = parse_ics(buf_cstr(&out));
	assert_null(icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 3);
	/* A feed is no invitation: no organiser, no attendee. */
	assert_null(icalcomponent_get_first_property(
	    icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT), ICAL_ORGANIZER_PROPERTY));
	int64_t want[3] = {meet[0], meet[1], meet[2]};
	const char *where[3] = {"Utrecht", "Zaal 3", "Utrecht"};
	icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	for (size_t i = 0; i < 3; i++, v = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		char uid[64];
		snprintf(uid, sizeof uid, "meeting-%lld@campus", (long long)want[i]);
		assert_string_equal(icalcomponent_get_uid(v), uid);
		assert_string_equal(icalcomponent_get_summary(v), "Voorlezen, met plezier");
		assert_string_equal(icalcomponent_get_location(v), where[i]);
		assert_int_equal(icalcomponent_get_status(v), i == 2 ? ICAL_STATUS_TENTATIVE : ICAL_STATUS_CONFIRMED);
		char url[100];
		snprintf(url, sizeof url, "https://campus.test/uitvoeringen/%lld", (long long)(i == 2 ? ed[1] : ed[0]));
		assert_string_equal(icalproperty_get_url(icalcomponent_get_first_property(v, ICAL_URL_PROPERTY)), url);
	}
	icalcomponent_free(cal);

	/* A new address: the old one stops working. */
	char token2[NOTIFY_FEED_TOKEN_LEN + 1];
	assert_int_equal(notify_feed_rotate(&f->ctx, token2), 0);
	assert_string_not_equal(token, token2);
	buf_clear(&out);
	assert_int_equal(notify_feed_ics(&anon, token, &out), CAMPUS_ENOTFOUND);
	assert_int_equal(notify_feed_ics(&anon, "kort", &out), CAMPUS_ENOTFOUND);
	assert_int_equal(notify_feed_ics(&anon, NULL, &out), CAMPUS_ENOTFOUND);
	assert_int_equal(out.len, 0);

	/* Bob's feed is empty. */
	f->ctx.actor.person_id = f->bob;
	assert_int_equal(notify_feed_rotate(&f->ctx, token), 0);
	assert_int_equal(notify_feed_ics(&anon, token, &out), 0);
	cal = parse_ics(buf_cstr(&out));
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
	icalcomponent_free(cal);
	buf_fini(&out);
	f->ctx.actor.person_id = 0;
	assert_int_equal(notify_feed_rotate(&f->ctx, token), CAMPUS_EUNAUTH);
	mail_setup(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ics_request_round_trip),
	    cmocka_unit_test(ics_cancel_and_feed),
	    cmocka_unit_test_setup_teardown(person_in_their_language_with_invitation, setup, teardown),
	    cmocka_unit_test_setup_teardown(person_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(people_at_once_as_one_by_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(list_and_mark_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(feed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
