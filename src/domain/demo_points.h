/* The demo's points history (internal to the demo): three years of evidence
 * for the demo sector through the one path of progress.h. Every completed
 * enrolment is recorded with progress_record_completion (EVIDENCE_DEMO, so
 * the ledger rows, certificates and queued diploma jobs are what the real
 * path makes), with self-reported learning and EVC claims (approved with
 * points, refused with reasons, open ones for the managers and the
 * committee), the sector's PE norm and a few libraries' higher norms, and
 * the recognitions the modules had in the sector's register before Campus.
 * demo.c calls demo_points_build() inside its write transaction after the
 * enrolments and demo_points_after() after the commit (reversals, which
 * progress_reverse() runs in transactions of its own). See
 * docs/internals/demo.md. */
#ifndef CAMPUS_DOMAIN_DEMO_POINTS_H
#define CAMPUS_DOMAIN_DEMO_POINTS_H

#include <stdint.h>

struct ctx;
struct db_conn;

struct demo_points_result {
	unsigned history_versions;          /* recognitions from before Campus */
	unsigned completions, with_points;  /* enrolments recorded, those with points */
	unsigned certificates;
	unsigned claims, claims_open, evc, evc_open;
	unsigned norms;                     /* pe_norms rows */
	unsigned reversals;                 /* demo_points_after */
	unsigned diplomas;                  /* demo_points_settle */
};

/* Writes on db inside the caller's write transaction. Its own random
 * stream from seed, so earlier parts of the demo keep their rows. Times are
 * relative to now; each completion is registered at a time of its own
 * (a few days after the edition ended, a claim when it was decided). */
int demo_points_build(struct ctx *ctx, struct db_conn *db, unsigned long seed, int64_t now,
                      struct demo_points_result *out);

/* After the commit: a few ledger rows reversed with a reason, each in its
 * own transaction as progress_reverse() runs them. */
int demo_points_after(struct ctx *ctx, unsigned long seed, int64_t now,
                      struct demo_points_result *out);

/* Last: what a running server would already have done with this history,
 * done here so that the first `campus serve` does not mail thousands. The
 * per-person diploma jobs the ledger queued are replaced by one evaluation
 * per rule, run to the end (diplomas issued); this year's norm reminders
 * are sent if their rounds have begun; then every job and e-mail of the
 * history counts as done and sent. */
int demo_points_settle(struct ctx *ctx, struct demo_points_result *out);

#endif
