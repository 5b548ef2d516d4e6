#include "domain/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/ctx.h"
#include "domain/mail.h"
#include "domain/people.h"

#define KIND_MAX 60
#define LINK_MAX 500
#define FEED_MEETINGS_MAX 1000
#define FEED_PAST_SECONDS (180 * 86400) /* the feed keeps half a year of past meetings */

/* ---- iCalendar ---- */

static struct icaltimetype utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static void add_text(icalcomponent *c, icalproperty *(*make)(const char *), const char *v)
{
	if (v && *v)
		icalcomponent_add_property(c, make(v));
}

/* attendee (an address, nullable): the person the invitation is for. RFC 5546
 * wants ORGANIZER and ATTENDEE in REQUEST and CANCEL; RSVP=FALSE, as nobody
 * reads replies to the From address. */
static int ics_build(struct buf *out, const char *method, const struct notify_event *ev, size_t n,
                     const char *attendee)
{
	bool cancel = method && !strcmp(method, "CANCEL");
	if (method && !cancel && strcmp(method, "REQUEST"))
		return CAMPUS_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!ev[i].uid || !*ev[i].uid || !ev[i].summary || ev[i].ends_at < ev[i].starts_at)
			return CAMPUS_EINVAL;
	int64_t now = (int64_t)time(NULL);
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//Campus//Leerplatform bibliotheken//NL"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (method)
		icalcomponent_add_property(
		    cal, icalproperty_new_method(cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
	else {
		icalproperty *name = icalproperty_new_x("Campus");
		icalproperty_set_x_name(name, "X-WR-CALNAME");
		icalcomponent_add_property(cal, name);
	}
	for (size_t i = 0; i < n; i++) {
		const struct notify_event *e = &ev[i];
		icalcomponent *v = icalcomponent_new(ICAL_VEVENT_COMPONENT);
		icalcomponent_add_property(v, icalproperty_new_uid(e->uid));
		icalcomponent_add_property(v, icalproperty_new_dtstamp(utc_time(now)));
		icalcomponent_add_property(v, icalproperty_new_dtstart(utc_time(e->starts_at)));
		icalcomponent_add_property(v, icalproperty_new_dtend(utc_time(e->ends_at)));
		/* A later message must supersede an earlier one for the same uid:
		 * the clock only grows, so it serves as the sequence number. */
		icalcomponent_add_property(v, icalproperty_new_sequence((int)(now & 0x7fffffff)));
		if (method) {
			char *who = NULL;
			if (asprintf(&who, "mailto:%s", mail_from_address()) < 0) {
				icalcomponent_free(cal);
				icalcomponent_free(v);
				return CAMPUS_ENOMEM;
			}
			icalproperty *org = icalproperty_new_organizer(who);
			icalproperty_add_parameter(org, icalparameter_new_cn("Campus"));
			icalcomponent_add_property(v, org);
			free(who);
			if (attendee && asprintf(&who, "mailto:%s", attendee) >= 0) {
				icalproperty *att = icalproperty_new_attendee(who);
				icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
				if (!cancel)
					icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
				icalproperty_add_parameter(att, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
				icalcomponent_add_property(v, att);
				free(who);
			}
		}
		add_text(v, icalproperty_new_summary, e->summary);
		add_text(v, icalproperty_new_location, e->location);
		add_text(v, icalproperty_new_description, e->description);
		/* A path on this site becomes an absolute address: calendars open it elsewhere. */
		if (e->url && e->url[0] == '/' && e->url[1] != '/') {
			char *abs = NULL;
			if (asprintf(&abs, "%s%s", mail_base_url(), e->url) < 0) {
				icalcomponent_free(cal);
				icalcomponent_free(v);
				return CAMPUS_ENOMEM;
			}
			icalcomponent_add_property(v, icalproperty_new_url(abs));
			free(abs);
		} else {
			add_text(v, icalproperty_new_url, e->url);
		}
		icalcomponent_add_property(
		    v, icalproperty_new_status(cancel        ? ICAL_STATUS_CANCELLED
		                               : e->tentative ? ICAL_STATUS_TENTATIVE
		                                              : ICAL_STATUS_CONFIRMED));
		icalcomponent_add_component(cal, v);
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		return CAMPUS_ENOMEM;
	int rc = buf_puts(out, text);
	free(text);
	return rc || out->overflow ? CAMPUS_ENOMEM : 0;
}

int notify_ics(struct buf *out, const char *method, const struct notify_event *ev, size_t n)
{
	return ics_build(out, method, ev, n, NULL);
}

/* ---- notifications ---- */

DB_STMT(stmt_notify_insert,
        "INSERT INTO notifications (person_id, kind, title, body, link, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)");
DB_STMT(stmt_notify_list,
        "SELECT id, kind, title, body, link, created_at, read_at IS NOT NULL FROM notifications "
        "WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
DB_STMT(stmt_notify_unread,
        "SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL");
/* COALESCE keeps the first reading time and still counts the row as found. */
DB_STMT(stmt_notify_read_one,
        "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND person_id = $2");
DB_STMT(stmt_notify_read_all,
        "UPDATE notifications SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL");

/* One line of at most max bytes, cut on a character boundary. */
static char *one_line(struct arena *a, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	char *t = arena_strndup(a, s, n);
	if (!t)
		return NULL;
	for (char *p = t; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return t;
}

static bool link_ok(const char *link)
{
	size_t n = strlen(link);
	return n > 0 && n <= LINK_MAX && link[0] == '/' && link[1] != '/' && link[1] != '\\' &&
	       !strpbrk(link, "\r\n \"<>");
}

/* What one message writes: the notification's title, body and link, and
 * the e-mail (text, attachment), all in ctx's arena. */
struct composed {
	const char *title, *body, *link;
	bool mail;
	struct mail_item mail_item;
};

static int compose(struct ctx *ctx, int64_t person_id, const struct notify_msg *m,
                   struct composed *out)
{
	if (!m || !m->kind || !*m->kind || strlen(m->kind) > KIND_MAX || !m->subject || !*m->subject ||
	    !m->body || (m->link && *m->link && !link_ok(m->link)) || (m->nevents && !m->events))
		return CAMPUS_EINVAL;
	struct person p = {.email = m->to_email, .lang = m->to_lang};
	int rc = m->to_email && m->to_lang ? 0 : person_get(ctx, person_id, &p);
	if (rc)
		return rc;
	char *title = mail_fill_vars(ctx->arena, mail_tr(p.lang, m->subject), m->vars);
	char *body = mail_fill_vars(ctx->arena, mail_tr(p.lang, m->body), m->vars);
	if (!title || !body || !(title = one_line(ctx->arena, title, NOTIFY_TITLE_MAX)))
		return CAMPUS_ENOMEM;
	size_t bn = strlen(body);
	if (!utf8_valid(title, strlen(title)) || !utf8_valid(body, bn) || bn > MAIL_BODY_MAX / 2)
		return CAMPUS_EINVAL;
	const char *link = m->link ? m->link : "";
	*out = (struct composed){.title = title, .body = body, .link = link, .mail = m->mail};
	if (!m->mail)
		return 0;
	const char *text = *link ? arena_printf(ctx->arena, "%s\n\n%s%s\n", body, mail_base_url(), link)
	                         : arena_printf(ctx->arena, "%s\n", body);
	if (!text)
		return CAMPUS_ENOMEM;
	out->mail_item = (struct mail_item){.ctx = ctx, .to = p.email, .subject = title, .body_text = text};
	if (!m->nevents)
		return 0;
	struct buf ics;
	buf_init(&ics, ctx->arena, MAIL_ATTACHMENT_MAX);
	const char *method = m->cancel ? "CANCEL" : "REQUEST";
	if ((rc = ics_build(&ics, method, m->events, m->nevents, p.email)) != 0)
		return rc;
	out->mail_item.name = m->cancel ? "afzegging.ics" : "uitnodiging.ics";
	out->mail_item.type = m->cancel ? "text/calendar; method=CANCEL; charset=utf-8"
	                                : "text/calendar; method=REQUEST; charset=utf-8";
	out->mail_item.data = ics.data;
	out->mail_item.len = ics.len;
	return 0;
}

int notify_person(struct ctx *ctx, int64_t person_id, const struct notify_msg *m)
{
	if (!db_in_tx(ctx->db))
		return CAMPUS_EINTERNAL;
	struct composed c;
	int rc = compose(ctx, person_id, m, &c);
	if (rc)
		return rc;
	rc = db_exec_later(ctx->db, &stmt_notify_insert,
	                   (const struct db_param[]){DBP_INT(person_id), DBP_TEXT(m->kind),
	                                             DBP_TEXT(c.title), DBP_TEXT(c.body), DBP_TEXT(c.link),
	                                             DBP_INT(ctx->now()), DBP_END});
	if (rc || !c.mail)
		return rc;
	const struct mail_item *x = &c.mail_item;
	return mail_queue_attachment(ctx, x->to, x->subject, x->body_text, x->name, x->type, x->data,
	                             x->len);
}

/* [[person, kind, title, body, link, at], ...]; PostgreSQL only (SQLite
 * writes the rows one by one: notify_people). */
DB_STMT(stmt_notify_insert_many,
        "INSERT INTO notifications (person_id, kind, title, body, link, created_at) "
        "SELECT (j->>0)::bigint, j->>1, j->>2, j->>3, j->>4, (j->>5)::bigint "
        "FROM jsonb_array_elements($1::jsonb) AS j");

static void json_text(struct buf *js, const char *s)
{
	buf_putc(js, ',');
	buf_json_string(js, s, strlen(s));
}

int notify_people(const struct notify_item *items, size_t n)
{
	if (!n)
		return 0;
	struct ctx *c0 = items[0].ctx;
	for (size_t i = 0; i < n; i++)
		if (!items[i].ctx || items[i].ctx->db != c0->db)
			return CAMPUS_EINVAL;
	if (!db_in_tx(c0->db))
		return CAMPUS_EINTERNAL;
	struct composed *c = arena_alloc(c0->arena, n * sizeof *c);
	struct mail_item *mails = arena_alloc(c0->arena, n * sizeof *mails);
	if (!c || !mails)
		return CAMPUS_ENOMEM;
	size_t nmail = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = compose(items[i].ctx, items[i].person_id, &items[i].msg, &c[i]);
		if (rc)
			return rc;
		if (c[i].mail)
			mails[nmail++] = c[i].mail_item;
	}
	if (db_dialect(c0->db) == DB_SQLITE) {
		/* In the process: a statement per row costs no round trip, and
		 * binding beats parsing the rows out of JSON. */
		for (size_t i = 0; i < n; i++) {
			int rc = db_exec_later(
			    c0->db, &stmt_notify_insert,
			    (const struct db_param[]){DBP_INT(items[i].person_id), DBP_TEXT(items[i].msg.kind),
			                              DBP_TEXT(c[i].title), DBP_TEXT(c[i].body),
			                              DBP_TEXT(c[i].link), DBP_INT(items[i].ctx->now()), DBP_END});
			if (rc)
				return rc;
		}
		return mail_queue_many(mails, nmail);
	}
	struct buf js;
	buf_init(&js, c0->arena, 0);
	buf_putc(&js, '[');
	for (size_t i = 0; i < n; i++) {
		buf_printf(&js, "%s[%lld", i ? "," : "", (long long)items[i].person_id);
		json_text(&js, items[i].msg.kind);
		json_text(&js, c[i].title);
		json_text(&js, c[i].body);
		json_text(&js, c[i].link);
		buf_printf(&js, ",%lld]", (long long)items[i].ctx->now());
	}
	buf_putc(&js, ']');
	if (js.overflow)
		return CAMPUS_ENOMEM;
	int rc = db_exec_later(c0->db, &stmt_notify_insert_many,
	                       (const struct db_param[]){DBP_TEXTN(js.data, js.len), DBP_END});
	return rc ? rc : mail_queue_many(mails, nmail);
}

int notify_list(struct ctx *ctx, size_t limit, struct notification **out, size_t *n,
                int64_t *unread)
{
	*out = NULL;
	*n = 0;
	*unread = 0;
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	int rc = db_query_row(ctx->db, &stmt_notify_unread,
	                      (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                      (const struct db_col[]){DBC_INT(unread), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	struct notification cur = {0};
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_notify_list,
	              (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_INT(limit), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.id), DBC_TEXT(&cur.kind), DBC_TEXT(&cur.title),
	                                      DBC_TEXT(&cur.body), DBC_TEXT(&cur.link),
	                                      DBC_INT(&cur.created_at), DBC_BOOL(&cur.read), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	*out = rows.data;
	*n = rows.n;
	return rc;
}

int64_t notify_unread(struct ctx *ctx)
{
	int64_t count = 0;
	if (ctx->actor.person_id &&
	    db_query_row(ctx->db, &stmt_notify_unread,
	                 (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                 (const struct db_col[]){DBC_INT(&count), DBC_END}, ctx->arena) != 0)
		count = 0; /* the header shows no count rather than failing the page */
	return count;
}

struct read_args {
	struct ctx *ctx;
	int64_t id;
};

static int read_tx(struct db_conn *db, void *cls)
{
	struct read_args *a = cls;
	int64_t changed = 0;
	int64_t who = a->ctx->actor.person_id, now = a->ctx->now();
	if (!a->id)
		return db_exec(db, &stmt_notify_read_all,
		               (const struct db_param[]){DBP_INT(who), DBP_INT(now), DBP_END}, NULL);
	int rc = db_exec(db, &stmt_notify_read_one,
	                 (const struct db_param[]){DBP_INT(a->id), DBP_INT(who), DBP_INT(now), DBP_END},
	                 &changed);
	return rc ? rc : changed ? 0 : CAMPUS_ENOTFOUND;
}

int notify_mark_read(struct ctx *ctx, int64_t id)
{
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	if (id < 0)
		return CAMPUS_ENOTFOUND;
	struct read_args a = {ctx, id};
	return db_tx_run(ctx->db, DB_TX_WRITE, read_tx, &a);
}

/* ---- the calendar feed ---- */

DB_STMT(stmt_feed_upsert,
        "INSERT INTO calendar_feeds (person_id, token_hash, created_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, "
        "created_at = excluded.created_at");
DB_STMT(stmt_feed_exists, "SELECT count(*) FROM calendar_feeds WHERE person_id = $1");
DB_STMT(stmt_feed_find, "SELECT person_id FROM calendar_feeds WHERE token_hash = $1");
/* The meetings of the person's live bookings: enrolled, offered a seat, or
 * attending; cancelled editions drop out. The module's published title, or
 * its working title before it is published. */
DB_STMT(stmt_feed_meetings,
        "SELECT m.id, m.starts_at, m.ends_at, m.place, m.online_url, e.id, e.place, e.online_url, "
        "v.title, en.state FROM enrolments en "
        "JOIN editions e ON e.id = en.edition_id "
        "JOIN modules mo ON mo.id = e.module_id "
        "JOIN module_versions v ON v.id = COALESCE(mo.published_version_id, mo.working_version_id) "
        "JOIN edition_meetings m ON m.edition_id = e.id "
        "WHERE en.person_id = $1 AND en.state IN ('enrolled', 'offered', 'attended') "
        "AND e.cancelled_at IS NULL AND m.ends_at >= $2 "
        "ORDER BY m.starts_at, m.id LIMIT $3");

struct rotate_args {
	struct ctx *ctx;
	const unsigned char *hash;
};

static int rotate_tx(struct db_conn *db, void *cls)
{
	struct rotate_args *a = cls;
	struct ctx *ctx = a->ctx;
	int rc = db_exec(db, &stmt_feed_upsert,
	                 (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_BLOB(a->hash, 32),
	                                           DBP_INT(ctx->now()), DBP_END},
	                 NULL);
	if (rc)
		return rc;
	const char *id = arena_printf(ctx->arena, "%lld", (long long)ctx->actor.person_id);
	return audit_record(ctx, "calendar_feed.rotate", "person", id ? id : "", "ok",
	                    "new feed address; the old one no longer works");
}

int notify_feed_rotate(struct ctx *ctx, char token[NOTIFY_FEED_TOKEN_LEN + 1])
{
	token[0] = '\0';
	if (!ctx->actor.person_id)
		return CAMPUS_EUNAUTH;
	char raw[AUTH_TOKEN_LEN + 1];
	auth_token_new(raw);
	unsigned char hash[32];
	auth_token_hash(raw, hash);
	struct rotate_args a = {ctx, hash};
	int rc = db_tx_run(ctx->db, DB_TX_WRITE, rotate_tx, &a);
	if (!rc)
		memcpy(token, raw, NOTIFY_FEED_TOKEN_LEN + 1);
	return rc;
}

bool notify_feed_exists(struct ctx *ctx)
{
	int64_t count = 0;
	return ctx->actor.person_id &&
	       db_query_row(ctx->db, &stmt_feed_exists,
	                    (const struct db_param[]){DBP_INT(ctx->actor.person_id), DBP_END},
	                    (const struct db_col[]){DBC_INT(&count), DBC_END}, ctx->arena) == 0 &&
	       count > 0;
}

static bool token_shape_ok(const char *t)
{
	if (!t || strlen(t) != NOTIFY_FEED_TOKEN_LEN)
		return false;
	for (; *t; t++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *t))
			return false;
	return true;
}

struct feed_row {
	int64_t meeting_id, starts_at, ends_at, edition_id;
	const char *place, *online_url, *edition_place, *edition_url, *title, *state;
};

int notify_feed_ics(struct ctx *ctx, const char *token, struct buf *out)
{
	if (!token_shape_ok(token))
		return CAMPUS_ENOTFOUND;
	unsigned char hash[32];
	auth_token_hash(token, hash);
	int64_t person_id;
	int rc = db_query_row(ctx->db, &stmt_feed_find,
	                      (const struct db_param[]){DBP_BLOB(hash, sizeof hash), DBP_END},
	                      (const struct db_col[]){DBC_INT(&person_id), DBC_END}, ctx->arena);
	if (rc)
		return rc;
	struct feed_row cur = {0};
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_feed_meetings,
	              (const struct db_param[]){DBP_INT(person_id), DBP_INT(ctx->now() - FEED_PAST_SECONDS),
	                                        DBP_INT(FEED_MEETINGS_MAX), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.meeting_id), DBC_INT(&cur.starts_at),
	                                      DBC_INT(&cur.ends_at), DBC_TEXT(&cur.place),
	                                      DBC_TEXT(&cur.online_url), DBC_INT(&cur.edition_id),
	                                      DBC_TEXT(&cur.edition_place), DBC_TEXT(&cur.edition_url),
	                                      DBC_TEXT(&cur.title), DBC_TEXT(&cur.state), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	struct feed_row *r = rows.data;
	struct notify_event *ev = rows.n ? arena_alloc(ctx->arena, rows.n * sizeof *ev) : NULL;
	if (rows.n && !ev)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < rows.n; i++) {
		const char *place = *r[i].place ? r[i].place : r[i].edition_place;
		const char *online = *r[i].online_url ? r[i].online_url : r[i].edition_url;
		ev[i] = (struct notify_event){
		    .uid = arena_printf(ctx->arena, "meeting-%lld@campus", (long long)r[i].meeting_id),
		    .starts_at = r[i].starts_at,
		    .ends_at = r[i].ends_at,
		    .summary = r[i].title,
		    .location = *place ? place : online,
		    .description = *online ? online : NULL,
		    .url = arena_printf(ctx->arena, "/uitvoeringen/%lld", (long long)r[i].edition_id),
		    .tentative = !strcmp(r[i].state, "offered"),
		};
		if (!ev[i].uid || !ev[i].url)
			return CAMPUS_ENOMEM;
	}
	return notify_ics(out, NULL, ev, rows.n);
}
