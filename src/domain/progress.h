/* Evidence of learning and the points ledger (R6, R7, R16, R21).
 *
 * Every kind of evidence goes through progress_record_completion(): a
 * provider's result (web, CSV, API), later e-learning and connectors, an
 * approved self-reported claim or an EVC decision. It is idempotent: the
 * same evidence key twice records once. A completion of a module recognised
 * on the completion date writes one 'pe' row in the points ledger, with the
 * recognised version's points and domains, and issues the certificate
 * (credential.h) in the same transaction; a module counts once per person
 * and calendar year unless modules.points_each_completion says otherwise.
 * An approved claim writes the points its decider granted ('pe' for EVC,
 * 'study' for other learning).
 *
 * The ledger is append-only (the database refuses UPDATE and DELETE): a
 * correction is a reversal row with the negated points and a reason.
 * Balances are derived from the rows, so every point is explainable.
 *
 * Every new ledger row queues a "diploma.evaluate" job for the person (the
 * diploma rules run there, not in the caller's transaction).
 *
 * Points belong to the person. Who sees them: the person; campus
 * administrators; a manager of a library sees the completions and rows
 * earned while the person was a member of that library (progress_window).
 *
 * Amounts are tenths of a point (15 = 1.5). Years are Amsterdam calendar
 * years. Every refusal changes nothing and gives *why, a Dutch msgid.
 * See docs/internals/progress.md. */
#ifndef CAMPUS_DOMAIN_PROGRESS_H
#define CAMPUS_DOMAIN_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct ctx;
struct progress_memo;

#define PROGRESS_EVIDENCE_KEY_MAX 120
#define PROGRESS_TITLE_MAX 200
#define PROGRESS_REASON_MAX 500
#define PROGRESS_DOMAINS_MAX 8
#define PROGRESS_POINTS_MAX_TENTHS 10000 /* 1,000 points: more is a typo */

enum evidence_source {
	EVIDENCE_WEB,         /* a provider's result form */
	EVIDENCE_CSV,         /* a provider's CSV upload */
	EVIDENCE_API,         /* a provider's system */
	EVIDENCE_QR,          /* QR check-in completing an always-open edition (later) */
	EVIDENCE_ELEARNING,   /* SCORM, xAPI/cmi5, LTI (later issues) */
	EVIDENCE_CONNECTOR,   /* an external provider's feed (later) */
	EVIDENCE_SELF_REPORT, /* an approved claim of external learning */
	EVIDENCE_EVC,         /* an EVC decision of the committee */
	EVIDENCE_DEMO,        /* the demo sector's history */
};
/* "web", "csv", ... as stored in completions.source. */
const char *evidence_source_name(enum evidence_source s);

enum points_kind { POINTS_PE, POINTS_STUDY };

struct completion_in {
	int64_t person_id;
	/* A module completion: module_id, with enrolment_id (and edition_id)
	 * when it came through an enrolment; points come from the version
	 * recognised at completed_at. */
	int64_t module_id, edition_id, enrolment_id;
	/* A claim (module_id 0): its id, title, provider and the points granted. */
	int64_t claim_id;
	const char *title, *provider_name;
	int64_t points_tenths;
	enum points_kind kind;
	const int64_t *domains;
	size_t ndomains;
	/* Every completion: */
	int64_t org_id;            /* the library the person learned for; 0: unknown */
	enum evidence_source source;
	const char *evidence_key;  /* NULL: "enrolment:<id>" or "claim:<id>" */
	int64_t completed_at;
	const char *grade;         /* nullable */
	/* Nullable: what rows recorded one after another in one transaction
	 * share (progress_memo_new). */
	struct progress_memo *memo;
};

struct completion_out {
	int64_t completion_id;
	int64_t ledger_id;         /* 0: no points (see no_points_why) */
	int64_t certificate_id;    /* 0: none issued */
	int64_t points_tenths;
	bool duplicate;            /* recorded before: nothing changed, ids are the earlier ones */
	const char *no_points_why; /* Dutch msgid when recorded without points, else NULL */
	const char *certificate_code; /* the certificate's code; "" when none */
};

/* For a caller that records many completions in one write transaction
 * (completion_push): the module's facts, the version recognised on a date
 * and its domains are read once for all rows of the same module and date
 * instead of once per row. One per transaction attempt (allocated in
 * arena, which must outlive it), and only in a transaction that changes no
 * module. NULL when the arena is full. */
struct progress_memo *progress_memo_new(struct arena *arena);

/* Records a completion. Must run inside the caller's write transaction, so
 * the evidence commits with what caused it (CAMPUS_EINTERNAL otherwise).
 * Refused: unknown person or module, a completion in the future, a claim
 * without title or with points out of range. Recorded without points (and
 * no_points_why says why): a module not recognised on that date, or already
 * counted for this person this year. Audited. */
int progress_record_completion(struct ctx *ctx, const struct completion_in *in,
                               struct completion_out *out, const char **why);

/* Reverses one ledger row with a reason (campus administrator, or the
 * organisation that registered it). A reversal of a reversal, of a row that
 * is already reversed or does not exist is refused. The completion stays;
 * its certificate is revoked with the same reason. Audited. */
int progress_reverse(struct ctx *ctx, int64_t ledger_id, const char *reason,
                     int64_t *reversal_id, const char **why);

/* ---- reading ---- */

/* The part of person_id's history the actor may see: [since, until) on
 * earned_at / completed_at. The person themselves and campus administrators:
 * everything (0, INT64_MAX). A manager of the actor's current library: the
 * person's membership period there. CAMPUS_EFORBIDDEN for anyone else. */
int progress_window(struct ctx *ctx, int64_t person_id, int64_t *since, int64_t *until);

struct points_row {
	int64_t id;
	enum points_kind kind;
	int64_t points_tenths;
	int64_t completion_id, module_id;
	const char *title, *source;
	int year;
	int64_t earned_at, registered_at;
	const char *registered_by_name; /* NULL: the system */
	int64_t reverses_id;            /* this row undoes that one; 0: none */
	int64_t reversed_by_id;         /* a later row undoes this one; 0: none */
	const char *reason;
	const int64_t *domains;
	size_t ndomains;
};
/* The ledger rows of person_id the actor may see, year 0: all years; newest
 * first. */
int progress_rows(struct ctx *ctx, int64_t person_id, int year, struct points_row **out,
                  size_t *n);

struct points_year {
	int year;
	int64_t pe_tenths, study_tenths; /* net of reversals */
};
struct points_domain {
	int64_t domain_id;
	const char *name;
	int64_t pe_tenths;
};
/* Balances per year (newest first) and per domain over all visible years,
 * derived from the visible rows. */
int progress_balances(struct ctx *ctx, int64_t person_id, struct points_year **years,
                      size_t *nyears, struct points_domain **domains, size_t *ndomains);

struct completion {
	int64_t id, person_id, module_id, edition_id, enrolment_id, claim_id;
	const char *title, *provider_name, *source, *grade, *no_points_why;
	int64_t points_tenths, completed_at, registered_at;
	int64_t certificate_id;  /* 0: none */
};
/* The visible completions of person_id, newest first. */
int progress_completions(struct ctx *ctx, int64_t person_id, struct completion **out,
                         size_t *n);

/* Every person's net pe and study points in year, for reports over many
 * people (norm, demo checks): ascending person_id, people without rows left
 * out. System actor or campus administrator only; no visibility filter. */
struct points_total {
	int64_t person_id, pe_tenths, study_tenths;
};
int progress_year_totals(struct ctx *ctx, int year, struct points_total **out, size_t *n);

#endif
