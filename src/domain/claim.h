/* Self-reported learning and recognition of prior learning (R21).
 *
 * A learner reports learning outside the catalogue ('external': a course,
 * a conference, a study day) or asks for recognition of what they learned
 * before ('evc'), for the library they work in now (the actor's current
 * organisation), with evidence files. A manager of that library decides on
 * external claims, the committee on EVC claims: approve with points (the
 * hours by default), or refuse with a reason. Approval records the
 * completion through progress_record_completion() in the same transaction
 * ('study' points for external learning, 'pe' for EVC), so the claim's state
 * and its ledger row commit together. The learner may withdraw a claim while
 * it waits.
 *
 * Evidence files are taken for what their bytes are, never for their name or
 * what the browser said: PDF, PNG or JPEG, each at most CLAIM_FILE_MAX_BYTES.
 * A file whose name claims another type is refused.
 *
 * Who sees a claim: the learner; for an external claim the managers of its
 * library; for an EVC claim the committee; campus administrators. Anyone
 * else gets CAMPUS_ENOTFOUND, so an id from elsewhere reaches nothing.
 *
 * Hours and points are tenths (15 = 1.5). Every refusal changes nothing and
 * gives *why, a Dutch msgid. Each change is audited. See
 * docs/internals/claim.md. */
#ifndef CAMPUS_DOMAIN_CLAIM_H
#define CAMPUS_DOMAIN_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

#define CLAIM_TITLE_MAX 200        /* bytes, as PROGRESS_TITLE_MAX */
#define CLAIM_PROVIDER_MAX 200
#define CLAIM_DESCRIPTION_MAX 4000
#define CLAIM_REASON_MAX 1000
#define CLAIM_HOURS_MAX_TENTHS 10000 /* 1,000 hours: more is a typo */
#define CLAIM_FILES_MAX 5
#define CLAIM_FILE_MAX_BYTES (5 * 1024 * 1024)
#define CLAIM_FILE_NAME_MAX 100    /* bytes of the stored (sanitised) name */
#define CLAIM_OLDEST_YEAR 1970     /* learned_at before this is a typo */

enum claim_kind { CLAIM_EXTERNAL, CLAIM_EVC };

/* "external", "evc" as stored; and from the form's "extern" / "evc". */
const char *claim_kind_name(enum claim_kind k);
bool claim_kind_parse(const char *soort, enum claim_kind *out);

/* ---- evidence files ---- */

/* The media type the bytes prove ("application/pdf", "image/png",
 * "image/jpeg"), or NULL when they are none of these. */
const char *claim_file_sniff(const unsigned char *data, size_t len);

/* Checks one uploaded file: its bytes must be a PDF, PNG or JPEG within the
 * size cap, and a name with a known extension must agree with the bytes.
 * On success *type is the proven media type and *safe_name the name to
 * store (in the arena: no path, only letters, digits, '.', '-', '_', at
 * most CLAIM_FILE_NAME_MAX bytes, the extension the bytes prove).
 * CAMPUS_EINVAL or CAMPUS_ETOOBIG with *why otherwise. */
int claim_file_check(struct ctx *ctx, const char *name, const unsigned char *data, size_t len,
                     const char **type, const char **safe_name, const char **why);

struct claim_file_in {
	const char *name; /* as sent */
	const unsigned char *data;
	size_t len;
};

/* ---- submitting ---- */

struct claim_in {
	enum claim_kind kind;
	const char *title;         /* required, at most CLAIM_TITLE_MAX */
	const char *provider_name; /* optional */
	const char *description;   /* optional for external, required for EVC */
	int64_t hours_tenths;      /* 1 .. CLAIM_HOURS_MAX_TENTHS */
	int64_t domain_id;         /* 0: none; else a current domain of the taxonomy */
	int64_t learned_at;        /* when the learning ended: not in the future */
	const struct claim_file_in *files;
	size_t nfiles;             /* at most CLAIM_FILES_MAX; EVC needs at least one */
};

/* Submits a claim of the actor for their current library. Refused: no
 * current library membership, any field out of range, any file that is not
 * what it claims (*bad_file is then its index, else -1). The claim and its
 * files are written in one transaction: all or nothing. Audited. */
int claim_submit(struct ctx *ctx, const struct claim_in *in, int64_t *id, int *bad_file,
                 const char **why);

/* ---- reading ---- */

struct claim_file_info {
	int64_t id;
	const char *name, *content_type;
	int64_t size;
};

struct claim {
	int64_t id, person_id, org_id;
	const char *person_name, *org_name, *org_slug;
	enum claim_kind kind;
	const char *title, *provider_name, *description;
	int64_t hours_tenths;
	int64_t domain_id;       /* 0: none */
	const char *domain_name; /* "" when none */
	int64_t learned_at;
	const char *state;       /* submitted, approved, refused, withdrawn */
	int64_t points_tenths;   /* granted; -1 while not approved */
	const char *reason;      /* the refusal's reason, "" otherwise */
	const char *decided_by_name; /* "" while undecided */
	int64_t decided_at, created_at;
	struct claim_file_info *files; /* claim_get only; claim lists leave them out */
	size_t nfiles;
};

/* One claim the actor may see, with its files' descriptions. */
int claim_get(struct ctx *ctx, int64_t id, struct claim *out);
/* The actor's own claims, newest first. */
int claim_list_mine(struct ctx *ctx, struct claim **out, size_t *n);
/* A decider's list: external claims of org_id (a manager of it) or EVC
 * claims of the whole sector (org_id 0, the committee); waiting claims
 * first (oldest first), then up to `decided` decided ones (newest first).
 * CAMPUS_EFORBIDDEN for an actor who may not decide them. */
int claim_inbox(struct ctx *ctx, enum claim_kind kind, int64_t org_id, size_t decided,
                struct claim **out, size_t *n);

/* The bytes of an evidence file of a claim the actor may see. */
int claim_file(struct ctx *ctx, int64_t claim_id, int64_t file_id, struct claim_file_info *info,
               const unsigned char **data);

/* ---- deciding ---- */

/* Whether the actor may decide this claim: a manager of its library (or a
 * campus administrator) for an external claim, the committee for EVC. */
bool claim_may_decide(const struct ctx *ctx, const struct claim *c);

/* Approves (points_tenths 1 .. PROGRESS_POINTS_MAX_TENTHS) or refuses
 * (reason required) a waiting claim. Approval records the completion and its
 * ledger row in the same transaction; the learner is notified. A claim the
 * actor may not decide is CAMPUS_ENOTFOUND; a decided or withdrawn one
 * CAMPUS_ECONFLICT. Audited. */
int claim_decide(struct ctx *ctx, int64_t id, bool approve, int64_t points_tenths,
                 const char *reason, const char **why);

/* The learner withdraws their own waiting claim. Audited. */
int claim_withdraw(struct ctx *ctx, int64_t id, const char **why);

/* Dutch label of a state ("ingediend", "goedgekeurd", ...), a msgid. */
const char *claim_state_label(const char *state);

#endif
