/* Provider push of completions (issue 6 item 8): a provider's system sends
 * many results at once (the API, up to COMPLETION_PUSH_MAX rows a call) and
 * every row stands alone, the way the Dutch PE registers' attendance
 * webservice answers (PE-online: per row accepted or rejected, with an
 * error code and a text). A rejected row changes nothing and does not hold
 * up the others; an accepted completion goes through the one path for
 * evidence (progress_record_completion, key "enrolment:<id>", so the same
 * result by web, CSV or API counts once) and the same row again is
 * accepted as a duplicate, changing nothing.
 *
 * The accepted rows are written per edition, in transactions of at most
 * COMPLETION_PUSH_BATCH rows (fewer when they take long: a transaction
 * holds the write lock for about 200 ms at most), each row whole or not at
 * all. A server error
 * stops the call: the batches before it are committed, and sending the call
 * again is safe (those rows come back as duplicates).
 * See docs/internals/completion_push.md. */
#ifndef CAMPUS_DOMAIN_COMPLETION_PUSH_H
#define CAMPUS_DOMAIN_COMPLETION_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/credential.h"
#include "domain/enrol.h"

struct ctx;

#define COMPLETION_PUSH_MAX 5000
#define COMPLETION_PUSH_BATCH 250

struct push_row {
	int64_t edition_id;
	int64_t enrolment_id;    /* or 0 and email */
	const char *email;
	enum enrol_outcome outcome;
	const char *grade;       /* nullable; up to ENROL_GRADE_MAX bytes */
	int64_t completed_at;    /* 0: now */
};

struct push_result {
	bool accepted;
	bool duplicate;          /* accepted before: nothing changed */
	const char *code;        /* rejected: "unknown_edition", "not_enrolled", ... (docs) */
	const char *why;         /* Dutch msgid: why rejected, or why accepted without points */
	int64_t enrolment_id;
	int64_t completion_id;   /* 0: not a completion */
	int64_t points_tenths;
	int64_t certificate_id;  /* 0: none */
	char certificate_code[CREDENTIAL_CODE_LEN + 1];
};

/* Registers rows[0..n) (n <= COMPLETION_PUSH_MAX) as the actor: someone
 * who may teach each row's edition (edition_may_teach), and for an API
 * token only editions of its own organisation. out[i] is row i's result.
 * Returns 0 when every row has its result (accepted or rejected),
 * CAMPUS_EINVAL for n out of range, another error when the database
 * failed (see above). */
int completion_push(struct ctx *ctx, enum attendance_method method, const struct push_row *rows,
                    size_t n, struct push_result *out);

/* The completions recorded for an edition, oldest first (same actors). */
struct pushed_completion {
	int64_t id, enrolment_id, person_id;
	const char *person_name, *person_email, *source, *grade, *no_points_why;
	int64_t points_tenths, completed_at, registered_at;
	const char *certificate_code; /* "": none */
};
int completion_push_list(struct ctx *ctx, int64_t edition_id, struct pushed_completion **out,
                         size_t *n);

#endif
