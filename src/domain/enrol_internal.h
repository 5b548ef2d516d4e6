/* Private to edition.c and enrol.c: what the plan of an edition and the
 * enrolment state machine share. */
#ifndef CAMPUS_DOMAIN_ENROL_INTERNAL_H
#define CAMPUS_DOMAIN_ENROL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/enrol.h"
#include "domain/progress.h"

struct ctx;

/* db_tx_run_keyed key for everything that moves an edition's seats. */
#define EDITION_LOCK_KEY(id) ((int64_t)0x4544000000000000LL | (int64_t)(id))

/* The states in which an enrolment holds or wants a place. */
#define ENROL_LIVE_SQL "('requested', 'waitlisted', 'offered', 'enrolled', 'attended')"

bool enrol_actor_is_admin(const struct ctx *ctx);
/* org_id when it is a library or POI (what has a policy and budgets), else 0. */
int64_t enrol_library_of(struct ctx *ctx, int64_t org_id);

/* Inside a write transaction on the edition: give free seats to those
 * waiting, first come first served. */
int enrol_fill_seats(struct ctx *ctx, int64_t edition_id);
/* Inside edition_cancel's transaction: every live enrolment cancelled,
 * budgets released, people told. */
int enrol_cancel_all(struct ctx *ctx, int64_t edition_id, const char *reason);
/* Inside edition_update's transaction: people with a live booking hear of
 * the new dates or place (with an updated calendar invitation). */
int enrol_tell_changed(struct ctx *ctx, int64_t edition_id);

/* One result row inside the caller's write transaction, for callers that
 * take rows one at a time and let each stand alone (completion_push.c): the checks
 * enrol_results_set makes per row, then, for a completion, the evidence
 * (progress_record_completion with key "enrolment:<id>" and completed_at,
 * 0: now) before the enrolment moves, so a refusal writes nothing. *bad (a
 * Dutch msgid) when the row is refused. The same completion again is no
 * refusal: out->completion.duplicate says so and nothing else changes. */
struct enrol_result_done {
	int64_t enrolment_id, person_id;
	bool recorded;                   /* a completion: out->completion holds it */
	struct completion_out completion;
};
int enrol_result_one(struct ctx *ctx, int64_t edition_id, int64_t module_id,
                     const struct enrol_result_mark *m, enum attendance_method method,
                     int64_t completed_at, struct enrol_result_done *out, const char **bad);

#endif
