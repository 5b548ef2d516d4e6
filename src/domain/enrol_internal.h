/* Private to edition.c and enrol.c: what the plan of an edition and the
 * enrolment state machine share. */
#ifndef CAMPUS_DOMAIN_ENROL_INTERNAL_H
#define CAMPUS_DOMAIN_ENROL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/enrol.h"
#include "domain/progress.h"

struct ctx;
struct db_conn;

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
 * refusal: out->completion.duplicate says so and nothing else changes.
 * memo (nullable): see progress_memo_new. */
struct enrol_result_done {
	int64_t enrolment_id, person_id;
	bool recorded;                   /* a completion: out->completion holds it */
	struct completion_out completion;
};
int enrol_result_one(struct ctx *ctx, int64_t edition_id, int64_t module_id,
                     const struct enrol_result_mark *m, enum attendance_method method,
                     int64_t completed_at, struct progress_memo *memo,
                     struct enrol_result_done *out, const char **bad);
/* ---- enrolling together (enrol_self) ----
 * Concurrent enrol_self calls on one edition in one process share a
 * transaction and its commit: they queue (enrol_queue_submit), one of them
 * leads and runs the queued ones with enrol_batch_run on its own
 * connection, then answers all. docs/internals/enrol.md. */
struct enrol_req {
	struct ctx *ctx;       /* the learner's: actor, clock, arena, origin; ctx->db is
	                        * replaced by the batch's connection while it runs */
	int64_t edition_id;
	int64_t org_id;        /* enrol_library_of(ctx->actor.org_id); with org_raw the actor's
	                        * organisation, resolved by the batch's read */
	bool org_raw;
	struct enrol_result *out;
	const char **why;
	int rc;                /* this request's own outcome: 0, or a refusal with *why */
	bool placed;           /* out->waitlist_pos is already the place among those waiting */
	const void *row;       /* while its batch runs: what was read for it */
	bool no_overlap;       /* the batch found no booking that could overlap */
};
/* Requests in one batch (one transaction) at most. */
#define ENROL_BATCH_MAX 64
/* Runs reqs (one edition, in arrival order) in ONE write transaction keyed
 * on the edition, each decided before its writes, with one commit. 0 when
 * committed: each reqs[i]->rc is then its own answer (0, or a refusal that
 * wrote nothing and left the others alone). Otherwise nothing of the batch
 * stands and each request must be run alone (enrol_one). */
int enrol_batch_run(struct db_conn *db, struct enrol_req **reqs, size_t n);
/* The same for the queue: the requests are taken (take fills at most max
 * into reqs, all of edition_id, in order, and returns how many) only once
 * the edition's lock is held and the transaction has begun, so that those
 * who arrived while the lock was awaited join this batch. *n: how many were
 * taken, also when the transaction failed (then each must run alone). */
typedef size_t enrol_batch_take(void *cls, struct enrol_req **reqs, size_t max);
int enrol_batch_run_taking(struct db_conn *db, int64_t edition_id, enrol_batch_take *take,
                           void *cls, struct enrol_req **reqs, size_t max, size_t *n);
/* One request in its own keyed transaction on req->ctx->db; sets req->rc. */
int enrol_one(struct enrol_req *req);
/* enrol_self's queue (enrol_queue.c): returns when the request is
 * committed or refused, with req->rc; outside a transaction only (inside
 * one it runs alone). */
int enrol_queue_submit(struct enrol_req *req);
/* Since the process started: batches run, the requests they held, and the
 * time the leaders spent running them (wall clock, and CPU of the leader's
 * thread: what the edition's lock is held for, besides the database). */
struct enrol_queue_stats {
	uint64_t batches, requests, wall_ns, cpu_ns;
};
void enrol_queue_stats(struct enrol_queue_stats *out);

#endif
