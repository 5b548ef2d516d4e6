/* Editions and real-time enrolment (R5, R6 classroom part, R12).
 *
 * An edition (uitvoering) of a module is planned by the module's owner:
 * meetings, capacity, enrolment window, cancellation deadline, teachers,
 * audience and seats held for libraries. A learner's enrolment moves through
 * one state machine, every step one audited transition (enrolment_events
 * and the audit log):
 *
 *   requested --approve--> enrolled | waitlisted     --refuse--> refused
 *             --no answer in time--> expired
 *   waitlisted --seat frees--> enrolled (offer_hours 0) | offered
 *   offered --accept--> enrolled       --decline/lapse--> expired
 *   enrolled --> attended --> completed | not_completed;  no_show; cancelled
 *
 * Seats: editions.seats_taken counts enrolled and offered places and the
 * unused part of reservations; it moves by guarded UPDATEs inside the
 * enrolment's transaction, so an edition is never overbooked, also with
 * many processes on PostgreSQL. The waitlist is in arrival order
 * (editions.waitlist_seq). A freed seat goes to the first on the waitlist in
 * the same transaction that frees it.
 *
 * Money (R12): a library with budgets on gives each person a yearly account
 * (from the group default or set personally). The price is reserved when the
 * enrolment is approved, settled at completion and released on cancellation,
 * refusal or expiry; a request above what is left goes to approval, and the
 * account never goes below zero (guarded UPDATE).
 *
 * Every refusal changes nothing and gives *why, a Dutch msgid.
 * See docs/internals/enrol.md. */
#ifndef CAMPUS_DOMAIN_ENROL_H
#define CAMPUS_DOMAIN_ENROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

#define EDITION_MEETINGS_MAX 40
#define EDITION_TEACHERS_MAX 10
#define EDITION_AUDIENCE_ORGS_MAX 20
#define EDITION_CODE_MAX 40        /* bytes */
#define EDITION_TEXT_MAX 2000      /* bytes: place, notes */
#define EDITION_URL_MAX 500        /* bytes */
#define EDITION_CAPACITY_MAX 10000
#define ENROL_REASON_MAX 1000      /* bytes */
#define ENROL_GRADE_MAX 20         /* bytes */
#define ENROL_CHECKIN_TOKEN_LEN 43 /* base64url of 32 random bytes */

/* ---- editions ------------------------------------------------------------- */

struct edition_meeting_input {
	int64_t starts_at, ends_at; /* epoch seconds */
	const char *place;          /* NULL/"": the edition's place */
	const char *online_url;     /* NULL/"": the edition's link, or none */
};

struct edition_input {
	const char *code;             /* NULL: "" */
	bool always_open;             /* e-learning: no meetings, no capacity, open all year */
	int64_t capacity;             /* 0: no limit */
	int64_t min_participants;     /* to go ahead; 0: none */
	int64_t enrol_opens_at;       /* 0: open now */
	int64_t enrol_closes_at;      /* 0: until the first meeting starts */
	int64_t cancel_until;         /* 0: until the first meeting starts */
	int64_t price_cents;          /* < 0: the module's price */
	const char *audience;         /* NULL: the module's; else employees|volunteers|both */
	int64_t offer_hours;          /* 0: a freed seat goes to the first waiting at once;
	                               * else an offer to accept within this many hours */
	const char *place, *online_url, *notes;
	const struct edition_meeting_input *meetings;
	size_t nmeetings;             /* 1..EDITION_MEETINGS_MAX unless always_open (then 0) */
	const int64_t *teachers;      /* person ids: current teachers of the owner */
	size_t nteachers;
	const int64_t *audience_orgs; /* only members of these may enrol; none: everyone */
	size_t naudience_orgs;
};

/* Field -> Dutch msgid for the form; NULL where fine. */
struct edition_problems {
	const char *code, *capacity, *min_participants, *enrol_window, *cancel_until, *price,
	    *audience, *offer_hours, *place, *online_url, *notes, *meetings, *teachers,
	    *audience_orgs;
};

/* A new edition of module_id (owner only: catalog_may_edit). The module must
 * be published. CAMPUS_EINVAL with pr filled for bad input. Audited. */
int edition_create(struct ctx *ctx, int64_t module_id, const struct edition_input *in,
                   int64_t *id, struct edition_problems *pr);
/* Replaces the plan. Capacity cannot go below the seats taken; meetings
 * already attended cannot be removed (pr->meetings). Learners with a live
 * enrolment get a notification when dates or place change. Audited. */
int edition_update(struct ctx *ctx, int64_t edition_id, const struct edition_input *in,
                   struct edition_problems *pr);
/* Cancels the edition: every live enrolment becomes cancelled (budgets
 * released, everyone notified). Owner only; reason required. */
int edition_cancel(struct ctx *ctx, int64_t edition_id, const char *reason, const char **why);

struct edition_meeting {
	int64_t id, starts_at, ends_at;
	const char *place, *online_url;
};
struct edition_reservation {
	int64_t id, org_id;
	const char *org_name;
	int64_t seats, used;
};
struct edition_person {
	int64_t id;
	const char *name;
};

struct edition {
	int64_t id, module_id, provider_id;
	const char *module_title, *provider_name, *provider_slug, *code, *format;
	int64_t local_org_id;          /* the module's: 0 national */
	bool always_open, cancelled;
	int64_t capacity;              /* 0: no limit */
	int64_t min_participants;
	int64_t enrol_opens_at, enrol_closes_at, cancel_until; /* effective: never 0 except always_open */
	int64_t price_cents;           /* effective */
	bool price_overridden;
	const char *audience;          /* effective */
	int64_t offer_hours;
	const char *place, *online_url, *notes, *cancel_reason;
	int64_t starts_at, ends_at;    /* 0 for always_open */
	int64_t seats_taken;
	int64_t seats_left;            /* -1: no limit; for anyone, not counting reservations */
	int64_t enrolled, waitlisted, requested, offered; /* live counts */
	bool open_now;                 /* enrolment window open at ctx->now() and not cancelled */
	struct edition_meeting *meetings;
	size_t nmeetings;
	struct edition_person *teachers;
	size_t nteachers;
	struct edition_reservation *reservations;
	size_t nreservations;
	struct edition_person *audience_orgs; /* id/name of organisations */
	size_t naudience_orgs;
};

/* Everything about one edition. Anyone who may see the module may read it
 * (catalog_may_see); CAMPUS_ENOTFOUND otherwise or when it does not exist. */
int edition_get(struct ctx *ctx, int64_t edition_id, struct edition *out);

/* A short row for lists (no meetings, teachers, reservations). */
struct edition_summary {
	int64_t id, module_id;
	const char *module_title, *code, *place;
	bool always_open, cancelled, open_now;
	int64_t starts_at, ends_at, nmeetings;
	int64_t capacity, seats_left, enrolled, waitlisted, requested;
	int64_t price_cents;
};
/* A module's editions for learners: not cancelled, not ended, soonest
 * first (always-open first). Visibility as edition_get. */
int edition_list_for_module(struct ctx *ctx, int64_t module_id, struct edition_summary **out,
                            size_t *n);
/* The owner's planning: editions starting in [from, to) (always-open ones
 * too), of one module or all (module_id 0), cancelled included, by start;
 * a page of at most limit (1..EDITION_LIST_PAGE) from offset, *more when
 * another follows, *total the editions on all pages (total may be NULL:
 * one query less). Owner only (AZ_ORG_OFFERING on provider_id, checked
 * again here). */
#define EDITION_LIST_PAGE 500
int edition_list_for_provider(struct ctx *ctx, int64_t provider_id, int64_t module_id,
                              int64_t from, int64_t to, size_t offset, size_t limit,
                              struct edition_summary **out, size_t *n, bool *more,
                              int64_t *total);
/* Editions the actor teaches for provider_id, of one module or all
 * (module_id 0), running in [from, to) (ending at or after from, starting
 * before to; always-open ones too), cancelled included, by start; paged as
 * edition_list_for_provider. */
int edition_list_for_teacher(struct ctx *ctx, int64_t provider_id, int64_t module_id,
                             int64_t from, int64_t to, size_t offset, size_t limit,
                             struct edition_summary **out, size_t *n, bool *more,
                             int64_t *total);
/* Whether the actor may manage the edition (its module's owner) or teach it. */
bool edition_may_manage(struct ctx *ctx, const struct edition *e);
bool edition_may_teach(struct ctx *ctx, const struct edition *e);

/* Seats held for org_id: by the owner when planning, or by the library's
 * manager for a team (taken from the free seats; refused when not enough).
 * seats 0 removes the unused part. Audited. */
int edition_reserve(struct ctx *ctx, int64_t edition_id, int64_t org_id, int64_t seats,
                    const char **why);

/* ---- enrolments --------------------------------------------------------------- */

enum enrol_state {
	ENROL_REQUESTED,
	ENROL_REFUSED,
	ENROL_EXPIRED,
	ENROL_WAITLISTED,
	ENROL_OFFERED,
	ENROL_ENROLLED,
	ENROL_CANCELLED,
	ENROL_ATTENDED,
	ENROL_NO_SHOW,
	ENROL_COMPLETED,
	ENROL_NOT_COMPLETED,
	ENROL_STATE_COUNT
};
/* The name stored in the database ("requested", ...) and its parse. */
const char *enrol_state_name(enum enrol_state s);
int enrol_state_parse(const char *name, enum enrol_state *out);
/* Dutch msgid for showing the state ("Aangevraagd", "Op de wachtlijst", ...). */
const char *enrol_state_label(enum enrol_state s);

/* A booking of the same person whose meetings overlap the new one. */
struct enrol_conflict {
	int64_t enrolment_id, edition_id;
	const char *module_title;
	int64_t starts_at, ends_at;   /* the overlapping meeting */
};

struct enrol_result {
	int64_t enrolment_id;
	enum enrol_state state;       /* requested, waitlisted or enrolled */
	int64_t waitlist_pos;         /* 1-based place among those waiting; 0 otherwise */
	struct enrol_conflict *conflicts; /* flagged, not refused */
	size_t nconflicts;
};

/* The actor enrols in edition_id for the organisation they work in now
 * (ctx->actor.org_id; a library's policy and budget then apply). Refused
 * (*why) when: already enrolled, closed, past, cancelled, not for the
 * actor's audience or organisation. Needs approval (-> requested) when the
 * policy or the budget says so; else enrolled, or waitlisted when full. */
int enrol_self(struct ctx *ctx, int64_t edition_id, struct enrol_result *out, const char **why);
/* The group commit of enrol_self in this process, for Prometheus
 * (campus_enrol_batch_*: batches, the requests they held, the leaders' wall
 * and CPU seconds). */
struct buf;
void enrol_metrics_write(struct buf *out);
/* A manager of their current organisation enrols one of its members. The
 * manager's act is the first approval; a second step or a budget shortfall
 * still applies. Closing dates do not hold for managers; past editions do. */
int enrol_for_member(struct ctx *ctx, int64_t edition_id, int64_t person_id,
                     struct enrol_result *out, const char **why);
/* Cancels a live booking, request or waitlist place. The person before the
 * edition's cancel_until; the library's manager or the edition's owner any
 * time before the end (reason required then). A freed seat goes on at once. */
int enrol_cancel(struct ctx *ctx, int64_t enrolment_id, const char *reason, const char **why);
/* The person answers an offer before offer_expires_at. */
int enrol_offer_answer(struct ctx *ctx, int64_t enrolment_id, bool accept, const char **why);
/* Approval: step 1 a manager of the enrolment's library, step 2 the
 * policy's second approver. Refusal needs a reason. */
int enrol_decide(struct ctx *ctx, int64_t enrolment_id, bool approve, const char *reason,
                 const char **why);
/* A manager (or the owner) moves a booking to another edition of the same
 * module: the old seat is freed, the new one taken (or waitlisted), with
 * approvals and budget carried over. */
int enrol_move(struct ctx *ctx, int64_t enrolment_id, int64_t to_edition_id,
               struct enrol_result *out, const char **why);

/* ---- attendance and results (the edition's owner or its teachers) ---- */

enum attendance_method { ATTEND_WEB, ATTEND_CSV, ATTEND_API, ATTEND_QR };

struct attendance_mark {
	int64_t enrolment_id;  /* or 0 and person_email set (CSV, API) */
	const char *person_email;
	bool present;
};
/* Per-row outcome of a batch: NULL fine, else a Dutch msgid. */
struct attendance_outcome {
	const char *why;
};
/* Presence for one meeting, all rows or none: a row for someone not booked
 * on this edition (or unknown) refuses the whole batch, with each bad row's
 * reason in outcomes (n entries, nullable). First presence moves an enrolled
 * person to attended. Audited. */
int enrol_attendance_set(struct ctx *ctx, int64_t meeting_id, const struct attendance_mark *marks,
                         size_t n, enum attendance_method method,
                         struct attendance_outcome *outcomes, const char **why);

/* The QR check-in address for a meeting: a fresh token (only its hash is
 * kept), valid from an hour before the meeting to its end. */
int enrol_checkin_token(struct ctx *ctx, int64_t meeting_id,
                        char token[ENROL_CHECKIN_TOKEN_LEN + 1], const char **why);
/* The logged-in learner checks in with the token from the QR code: marks
 * them present (method qr) when booked on the edition and within the time. */
int enrol_checkin(struct ctx *ctx, const char *token, int64_t *meeting_id, const char **why);

enum enrol_outcome { RESULT_COMPLETED, RESULT_NOT_COMPLETED, RESULT_NO_SHOW };
struct enrol_result_mark {
	int64_t enrolment_id;  /* or 0 and person_email set */
	const char *person_email;
	enum enrol_outcome outcome;
	const char *grade;     /* optional, up to ENROL_GRADE_MAX bytes */
};
/* Results after the edition (all or none, like attendance). Completion
 * settles the budget and is the evidence the points ledger takes (issue 6:
 * progress_record_completion). */
int enrol_results_set(struct ctx *ctx, int64_t edition_id, const struct enrol_result_mark *marks,
                      size_t n, enum attendance_method method,
                      struct attendance_outcome *outcomes, const char **why);

/* ---- reading ---- */

struct enrolment {
	int64_t id, edition_id, module_id, person_id, org_id;
	const char *person_name, *person_email, *org_name, *module_title, *edition_code;
	enum enrol_state state;
	int approval_step;            /* requested: 1 manager, 2 second approver */
	int64_t waitlist_pos;         /* waitlisted: 1-based place now */
	int64_t offer_expires_at;
	int64_t price_cents;
	const char *budget_state;     /* NULL, "reserved", "settled", "released" */
	const char *grade, *reason;
	int64_t requested_at, updated_at;
	int64_t starts_at, ends_at, cancel_until; /* of the edition */
	const char *place;
	int64_t meetings_attended, meetings_total;
	bool always_open;
	bool may_cancel;              /* the actor may cancel it now */
};

/* One enrolment, if the actor may see it: the person, a manager of its
 * library, the edition's owner or teacher, a campus administrator. */
int enrol_get(struct ctx *ctx, int64_t enrolment_id, struct enrolment *out);
/* The actor's own enrolments, live first then history, newest first. */
int enrol_list_mine(struct ctx *ctx, struct enrolment **out, size_t *n);
/* An edition's participants (owner, teacher, campus administrator: all;
 * a library's manager: only their library's), live first, by name. */
int enrol_list_edition(struct ctx *ctx, int64_t edition_id, struct enrolment **out, size_t *n);
/* A library's enrolments for its managers: state NULL for all live ones. */
int enrol_list_org(struct ctx *ctx, int64_t org_id, const char *state, struct enrolment **out,
                   size_t *n);
/* Requests waiting for the actor's decision (manager of the current
 * organisation: step 1; the second approver: step 2). */
int enrol_list_approvals(struct ctx *ctx, struct enrolment **out, size_t *n);

struct enrol_event {
	int64_t at;
	const char *actor_name; /* "" for the system */
	const char *from_state, *to_state, *reason;
};
int enrol_events(struct ctx *ctx, int64_t enrolment_id, struct enrol_event **out, size_t *n);

/* Presence per meeting of an edition's participants, for the attendance
 * form: present[i * nmeetings + m] is -1 unknown, 0 absent, 1 present for
 * participant i (in enrol_list_edition order) and meeting m. */
int enrol_attendance_grid(struct ctx *ctx, int64_t edition_id, const struct enrolment *people,
                          size_t n, int **present);

/* ---- library policy and budgets (managers of the library) ---- */

struct enrol_policy {
	const char *approval;        /* none | cost | always */
	int64_t second_approver_id;  /* 0: no second step */
	bool budgets;
	int64_t remind_days, expire_days;
};
/* The library's policy, or the defaults (none, no budgets, 3, 14). */
int enrol_policy_get(struct ctx *ctx, int64_t org_id, struct enrol_policy *out);
int enrol_policy_set(struct ctx *ctx, int64_t org_id, const struct enrol_policy *in,
                     const char **why);

/* member_kind "employee" or "volunteer". */
int budget_set_default(struct ctx *ctx, int64_t org_id, int year, const char *member_kind,
                       int64_t amount_cents, const char **why);
/* A personal amount; refused below what is already reserved plus spent. */
int budget_set_person(struct ctx *ctx, int64_t org_id, int64_t person_id, int year,
                      int64_t amount_cents, const char **why);

struct budget_row {
	int64_t person_id;
	const char *name, *member_kind;
	int64_t amount_cents, reserved_cents, spent_cents, left_cents;
	bool personal;
};
/* Every current member's account for the year (default where none yet),
 * by name, and the library's totals. A person may read their own row
 * (budget_get); lists are for the library's managers. */
int budget_list(struct ctx *ctx, int64_t org_id, int year, struct budget_row **out, size_t *n,
                struct budget_row *totals);
int budget_get(struct ctx *ctx, int64_t org_id, int64_t person_id, int year,
               struct budget_row *out);

/* ---- time-driven work (campus enrol tick, and the server's job loop) ---- */

struct enrol_tick_counts {
	unsigned offers_lapsed, requests_reminded, requests_expired, start_reminders;
};
/* Offers past their deadline go to the next waiting; open requests are
 * reminded after the policy's remind_days and expire after expire_days;
 * participants get a reminder two days before each meeting (once). */
int enrol_tick(struct ctx *ctx, struct enrol_tick_counts *counts);

#endif
