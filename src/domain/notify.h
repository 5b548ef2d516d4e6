/* Telling a person something: one call writes the on-screen notification
 * and queues the e-mail (with an iCalendar invitation when the message is
 * about meetings), both inside the caller's write transaction, in the
 * person's language. The personal calendar feed of bookings lives here too.
 * See docs/internals/notify.md. */
#ifndef CAMPUS_DOMAIN_NOTIFY_H
#define CAMPUS_DOMAIN_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct ctx;

#define NOTIFY_TITLE_MAX 200
#define NOTIFY_FEED_TOKEN_LEN 43 /* base64url of 32 random bytes */

/* A meeting for the iCalendar attachment. uid stays the same for a meeting
 * across messages ("meeting-<id>@campus"), so calendars update or cancel it. */
struct notify_event {
	const char *uid;
	int64_t starts_at, ends_at;
	const char *summary, *location, *description;
	const char *url; /* absolute, or a path on this site ("/uitvoeringen/3") */
	bool tentative; /* STATUS:TENTATIVE (an offered seat) instead of CONFIRMED */
};

struct notify_msg {
	const char *kind;            /* "enrol.enrolled", "enrol.offered", ... */
	const char *subject;         /* Dutch msgid, may hold {placeholders} */
	const char *body;            /* Dutch msgid, may hold {placeholders} */
	const char *link;            /* a path on this site ("/mijn/leren"), or NULL */
	const char *const *vars;     /* key, value, key, value, ..., NULL; values are not translated */
	const struct notify_event *events; /* nullable: no attachment */
	size_t nevents;
	bool cancel;                 /* the events are cancelled (METHOD:CANCEL) */
	bool mail;                   /* false: only on screen */
	/* Optional: the person's e-mail address and language as the caller
	 * read them in this transaction; both set, the person is not read
	 * again (a round trip less per message in a batch of enrolments). */
	const char *to_email, *to_lang;
};

/* Notifies person_id. Must run inside a write transaction. */
int notify_person(struct ctx *ctx, int64_t person_id, const struct notify_msg *m);

/* One message of notify_people, told in ctx (language, clock, arena). */
struct notify_item {
	struct ctx *ctx;
	int64_t person_id;
	struct notify_msg msg;
};
/* notify_person for n messages at once: one statement for the
 * notifications and one for the e-mails (mail_queue_many), however many
 * there are (a batch of enrolments). Every ctx on the same connection,
 * inside a write transaction; every message is made and checked first, and
 * one bad message writes none. */
int notify_people(const struct notify_item *items, size_t n);

/* An iCalendar object (RFC 5545) for the events, appended to out: method
 * "REQUEST" (an invitation), "CANCEL" (every event STATUS:CANCELLED) or NULL
 * (no METHOD: a subscribed feed). Times in UTC; SEQUENCE is the current time,
 * so a later message supersedes an earlier one for the same uid. Lines are
 * folded at 75 octets. CAMPUS_EINVAL for another method or an event without
 * uid or summary or ending before it starts. */
int notify_ics(struct buf *out, const char *method, const struct notify_event *ev, size_t n);

struct notification {
	int64_t id;
	const char *kind, *title, *body, *link;
	int64_t created_at;
	bool read;
};
/* The actor's newest notifications (up to limit) and how many are unread. */
int notify_list(struct ctx *ctx, size_t limit, struct notification **out, size_t *n,
                int64_t *unread);
int64_t notify_unread(struct ctx *ctx);
/* Marks one (id > 0) or all (id 0) of the actor's notifications read. */
int notify_mark_read(struct ctx *ctx, int64_t id);

/* The secret address of the actor's calendar feed: a new token (the old
 * address stops working). Only its hash is stored. */
int notify_feed_rotate(struct ctx *ctx, char token[NOTIFY_FEED_TOKEN_LEN + 1]);
/* Whether the actor has a feed. */
bool notify_feed_exists(struct ctx *ctx);
/* The feed for a token (anyone holding it): the person's live bookings'
 * meetings as iCalendar; CAMPUS_ENOTFOUND for an unknown token. */
int notify_feed_ics(struct ctx *ctx, const char *token, struct buf *out);

#endif
