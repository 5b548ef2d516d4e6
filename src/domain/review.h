/* The review committee (toetsingscommissie): recognition of modules, after
 * the way accreditation bodies and the Dutch PE registers work.
 *
 *   submit (owner) -> submitted -> check (campus administrator) -> checked
 *   -> assign reviewers (chair or campus administrator) -> assigned
 *   -> score (each assigned reviewer, every current criterion 1..5)
 *   -> decide (a committee member without a conflict): recognised,
 *      returned (with reasons) or rejected (with reasons).
 *
 * The owner may withdraw before the decision. A trusted provider's
 * submission is light: no completeness check, one reviewer is enough.
 * Reviewers and deciders never have a current membership of the module's
 * owner (conflict of interest). A recognition holds until valid_until;
 * review_expire_due() starts a re-review 60 days before and ends what has
 * expired. Every step is audited and e-mailed; a refusal changes nothing
 * and gives *why, a Dutch msgid. See docs/internals/review.md. */
#ifndef CAMPUS_DOMAIN_REVIEW_H
#define CAMPUS_DOMAIN_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

#define REVIEW_REASON_MAX 4000   /* bytes: reasons for returning or rejecting */
#define REVIEW_COMMENT_MAX 2000  /* bytes: a reviewer's comment on one criterion */
#define REVIEW_REVIEWERS_MAX 5
#define REVIEW_RENEW_DAYS 60     /* a re-review starts this long before expiry */
#define REVIEW_DAY 86400
#define REVIEW_VALID_MAX_DAYS (5 * 366)

/* ---- the steps ---- */

/* The module's working version goes to the committee. Owner only (its
 * provider administrators, a library's managers for a local module, or a
 * campus administrator); the version must be draft or returned and
 * complete unless the owner is a trusted provider. */
int review_submit(struct ctx *ctx, int64_t module_id, int64_t *review_id, const char **why);
/* Completeness check by a campus administrator: ok moves on, otherwise the
 * review is returned with reasons. */
int review_check(struct ctx *ctx, int64_t review_id, bool complete, const char *reasons,
                 const char **why);
/* Adds reviewers (chair or campus administrator). Each must be a current
 * committee member without a current membership of the owner. */
int review_assign(struct ctx *ctx, int64_t review_id, const int64_t *reviewers, size_t n,
                  const char **why);
/* An assigned reviewer's scores for every current criterion, in any order;
 * criteria[i] gets scores[i] (1..5) and comments[i] (NULL: ""). Revisable
 * until the decision. */
int review_score(struct ctx *ctx, int64_t review_id, const int64_t *criteria, const int64_t *scores,
                 const char *const *comments, size_t n, const char **why);

enum review_outcome { REVIEW_RECOGNISED, REVIEW_RETURNED, REVIEW_REJECTED };
struct review_decision {
	enum review_outcome outcome;
	const char *reasons;         /* required for returned and rejected */
	int64_t points_tenths;       /* recognised: within review.points_min..max */
	int64_t load_tenths;         /* recognised: the study load the committee sets */
	const int64_t *domains;      /* recognised: 1..MODULE_TAGS_MAX taxonomy domains */
	size_t ndomains;
	int64_t valid_until;         /* recognised: 0 for the default (1 year, e-learning 2) */
};
int review_decide(struct ctx *ctx, int64_t review_id, const struct review_decision *d,
                  const char **why);
/* The owner takes an undecided submission back; the version is a draft again. */
int review_withdraw(struct ctx *ctx, int64_t review_id, const char **why);

/* Re-reviews for recognitions ending within REVIEW_RENEW_DAYS, and the end
 * of those past valid_until (the module stays published, not recognised).
 * Counts are optional. Runs as the system or a campus administrator. */
int review_expire_due(struct ctx *ctx, int64_t now, unsigned *started, unsigned *expired);

/* A provider recognised as a whole until valid_until (campus administrator
 * or committee member); review_trust_end ends it now. */
int review_trust_set(struct ctx *ctx, int64_t org_id, int64_t valid_until, const char **why);
int review_trust_end(struct ctx *ctx, int64_t org_id, const char **why);
bool review_is_trusted(struct ctx *ctx, int64_t org_id);

/* ---- reading ---- */

struct review_criterion {
	int64_t id;
	const char *slug, *name, *description;
};
/* The current (published) criteria, in order. */
int review_criteria(struct ctx *ctx, struct review_criterion **out, size_t *n);

/* ---- the published criteria, kept by campus administrators
 * (src/domain/review_criteria.c). Retired criteria are scored no more; the
 * scores they got stay with their reviews. Audited; *why a Dutch msgid. */

struct review_criterion_row {
	int64_t id;
	const char *slug, *name, *description;
	bool retired;
};
int review_criteria_all(struct ctx *ctx, struct review_criterion_row **out, size_t *n);
int review_criterion_add(struct ctx *ctx, const char *name, const char *description, int64_t *id,
                         const char **why);
int review_criterion_update(struct ctx *ctx, int64_t id, const char *name, const char *description,
                            const char **why);
int review_criterion_retire(struct ctx *ctx, int64_t id, bool retire, const char **why);

struct review_score_row {
	int64_t reviewer_id, criterion_id, score;
	const char *comment;
};
struct review_reviewer {
	int64_t person_id;
	const char *name;
	int64_t assigned_at, completed_at; /* completed_at 0: not all scored yet */
};

struct review {
	int64_t id, module_id, version_id, version_number;
	const char *state;          /* submitted checked assigned recognised returned rejected withdrawn */
	const char *version_state;
	bool light, rereview;
	int64_t provider_id;        /* the owner */
	const char *provider_name, *provider_slug;
	bool local;                 /* a library's own module */
	const char *title, *format;
	int64_t load_tenths;
	int64_t submitted_at, checked_at, decided_at;
	const char *submitted_by_name, *checked_by_name, *decided_by_name; /* "" when none */
	const char *reason;
	struct review_reviewer *reviewers;
	size_t nreviewers;
	struct review_score_row *scores;
	size_t nscores;
};
int review_get(struct ctx *ctx, int64_t review_id, struct review *out);

/* A module's reviews, newest first (no reviewers or scores filled in). */
int review_history(struct ctx *ctx, int64_t module_id, struct review **out, size_t *n);

/* The committee's inbox. */
enum review_box {
	REVIEW_BOX_CHECK,    /* submitted, not light: for campus administrators */
	REVIEW_BOX_ASSIGN,   /* checked, or light and submitted: for the chair */
	REVIEW_BOX_MINE,     /* assigned to the actor, undecided */
	REVIEW_BOX_READY,    /* every score in */
	REVIEW_BOX_DECIDED,  /* the 20 most recent decisions */
};
int review_inbox(struct ctx *ctx, enum review_box box, struct review **out, size_t *n);

/* Current committee members, each with whether they have a conflict with
 * owner_org_id (0: none asked). */
struct review_member {
	int64_t person_id;
	const char *name, *email;
	bool conflict;
};
int review_committee(struct ctx *ctx, int64_t owner_org_id, struct review_member **out, size_t *n);

/* Who may do what (the domain checks again in each step). */
bool review_is_member(struct ctx *ctx, int64_t person_id);
bool review_has_conflict(struct ctx *ctx, int64_t person_id, int64_t org_id);
bool review_is_chair(struct ctx *ctx, int64_t person_id);
bool review_may_own(const struct ctx *ctx, int64_t owner_org_id);

struct review_trusted {
	int64_t org_id;
	const char *name, *slug;
	int64_t since, valid_until;
};
/* Trusted providers still valid at now, by name. */
int review_trusted_list(struct ctx *ctx, struct review_trusted **out, size_t *n);

/* The public register: recognised national modules still valid, title or
 * provider containing query (NULL: all), by title. */
struct review_register_row {
	int64_t module_id;
	const char *title, *provider;
	int64_t points_tenths, load_tenths, valid_until;
	const char *domains; /* names joined by ", " */
};
#define REVIEW_REGISTER_PAGE_MAX 10000
int review_register(struct ctx *ctx, const char *query, unsigned offset, unsigned limit,
                    struct review_register_row **out, size_t *n, int64_t *total);

/* The allowed points range from the settings, in tenths. */
int review_points_range(struct ctx *ctx, int64_t *min, int64_t *max);

/* Dutch msgid labels. */
const char *review_state_label(const char *state);

#endif
