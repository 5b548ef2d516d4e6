/* Provider push of completions: rows grouped per edition, checked against
 * the edition outside any transaction (it exists, it is the actor's, the
 * date is possible), then written in batches through enrol_result_one(),
 * which checks the enrolment again inside the edition's transaction. */
#include "domain/completion_push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/ctx.h"
#include "domain/enrol_internal.h"
#include "domain/jobs.h"
#include "domain/progress.h"

DB_STMT(stmt_cp_list,
        "SELECT c.id, COALESCE(c.enrolment_id, 0), c.person_id, p.name, p.email, c.source,"
        " COALESCE(c.grade, ''), c.no_points_reason, c.points_tenths, c.completed_at,"
        " c.registered_at, COALESCE(cr.code, '') FROM completions c"
        " JOIN people p ON p.id = c.person_id"
        " LEFT JOIN credentials cr ON cr.completion_id = c.id"
        " WHERE c.edition_id = $1 ORDER BY c.id");

/* What enrol_result_one's refusals mean, as codes a provider's system can
 * act on; any other refusal (of the points ledger) is "not_recorded". */
static const struct {
	const char *msgid, *code;
} codes[] = {
    {N_("Deze persoon is niet ingeschreven voor deze uitvoering."), "not_enrolled"},
    {N_("Geen deelnemer opgegeven."), "no_person"},
    {N_("Deze persoon heeft geen plaats in deze uitvoering."), "no_seat"},
    {N_("Kies afgerond, niet afgerond of niet verschenen."), "invalid_outcome"},
    {N_("Het cijfer is te lang (hoogstens 20 tekens)."), "invalid_grade"},
    {N_("Deze deelnemer heeft al afgerond; een correctie loopt via de puntenregistratie."),
     "already_completed"},
};

static const char *code_of(const char *msgid)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (!strcmp(codes[i].msgid, msgid))
			return codes[i].code;
	return "not_recorded";
}

static void reject(struct push_result *r, const char *code, const char *why)
{
	memset(r, 0, sizeof *r);
	r->code = code;
	r->why = why;
}

/* Rows in edition order, then in their own order. */
struct key {
	int64_t edition_id;
	size_t i;
};
static int by_edition(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->edition_id != y->edition_id)
		return x->edition_id < y->edition_id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

struct batch {
	struct ctx *ctx;
	const struct edition *e;
	enum attendance_method method;
	const struct push_row *rows;
	const int64_t *when; /* each row's completed_at */
	struct push_result *out;
	const size_t *idx; /* the rows left */
	size_t n;
	size_t done;       /* out: how many of them this transaction took */
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every batch takes JOBS_BULK_LOCK_KEY (jobs.h): batches of all calls and
 * servers, and the job runner, take turns on the audit chain. This is not
 * the edition's lock (EDITION_LOCK_KEY): results come after an edition,
 * when its seats no longer move, and SERIALIZABLE still guards the
 * overlap. */

/* Up to COMPLETION_PUSH_BATCH rows, and no more once the transaction has
 * held the write lock for COMPLETION_PUSH_HOLD_MS: on SQLite every other
 * writer waits meanwhile (and gives up after its busy timeout). */
#define COMPLETION_PUSH_HOLD_MS 200

static int batch_tx(struct db_conn *db, void *cls)
{
	(void)db;
	struct batch *b = cls;
	struct ctx *ctx = b->ctx;
	int64_t t0 = monotonic_ms();
	b->done = 0;
	/* All rows are of one module: its facts are read once per date. */
	struct progress_memo *memo = progress_memo_new(ctx->arena);
	if (!memo)
		return CAMPUS_ENOMEM;
	for (size_t k = 0; k < b->n && k < COMPLETION_PUSH_BATCH; k++) {
		if (k && monotonic_ms() - t0 > COMPLETION_PUSH_HOLD_MS)
			break;
		b->done = k + 1;
		size_t i = b->idx[k];
		const struct push_row *row = &b->rows[i];
		struct push_result *res = &b->out[i];
		struct enrol_result_mark m = {.enrolment_id = row->enrolment_id,
		                              .person_email = row->email,
		                              .outcome = row->outcome,
		                              .grade = row->grade};
		struct enrol_result_done done;
		const char *bad = NULL;
		int rc = enrol_result_one(ctx, b->e->id, b->e->module_id, &m, b->method, b->when[i],
		                          memo, &done, &bad);
		if (rc)
			return rc;
		if (bad) {
			reject(res, code_of(bad), bad);
			res->enrolment_id = done.enrolment_id;
			continue;
		}
		memset(res, 0, sizeof *res);
		res->accepted = true;
		res->code = "";
		res->enrolment_id = done.enrolment_id;
		if (!done.recorded)
			continue;
		res->duplicate = done.completion.duplicate;
		res->completion_id = done.completion.completion_id;
		res->points_tenths = done.completion.points_tenths;
		res->certificate_id = done.completion.certificate_id;
		res->why = done.completion.no_points_why;
		if (res->certificate_id)
			snprintf(res->certificate_code, sizeof res->certificate_code, "%s",
			         done.completion.certificate_code ? done.completion.certificate_code : "");
	}
	return 0;
}

/* The actor may register results for e: its teachers and owners, and an
 * API token only for its own organisation's editions. */
static bool may_push(struct ctx *ctx, const struct edition *e)
{
	if ((ctx->actor.flags & ACTOR_API) && e->provider_id != ctx->actor.org_id)
		return false;
	return edition_may_teach(ctx, e);
}

int completion_push(struct ctx *ctx, enum attendance_method method, const struct push_row *rows,
                    size_t n, struct push_result *out)
{
	if (n == 0 || n > COMPLETION_PUSH_MAX || (unsigned)method > ATTEND_QR)
		return CAMPUS_EINVAL;
	struct key *keys = arena_alloc(ctx->arena, n * sizeof *keys);
	size_t *idx = arena_alloc(ctx->arena, n * sizeof *idx);
	size_t *ok = arena_alloc(ctx->arena, n * sizeof *ok);
	int64_t *when = arena_alloc(ctx->arena, n * sizeof *when);
	if (!keys || !idx || !ok || !when)
		return CAMPUS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct key){rows[i].edition_id, i};
	qsort(keys, n, sizeof *keys, by_edition);
	for (size_t i = 0; i < n; i++)
		idx[i] = keys[i].i;
	int64_t now = ctx->now();
	for (size_t g = 0; g < n;) {
		int64_t edition_id = rows[idx[g]].edition_id;
		size_t end = g;
		while (end < n && rows[idx[end]].edition_id == edition_id)
			end++;
		struct edition e;
		int rc = edition_id > 0 ? edition_get(ctx, edition_id, &e) : CAMPUS_ENOTFOUND;
		if (rc && rc != CAMPUS_ENOTFOUND && rc != CAMPUS_EFORBIDDEN)
			return rc;
		const char *code = NULL, *why = NULL;
		if (rc || !may_push(ctx, &e)) {
			code = "unknown_edition";
			why = N_("Deze uitvoering bestaat niet of hoort niet bij deze aanbieder.");
		} else if (e.cancelled) {
			code = "edition_cancelled";
			why = N_("Deze uitvoering is geannuleerd.");
		}
		size_t nok = 0;
		for (size_t k = g; k < end; k++) {
			size_t i = idx[k];
			int64_t at = rows[i].completed_at;
			/* No date: as enrol_results_set records it, the edition's end
			 * when it is over, else now. */
			if (!code && !at)
				at = e.ends_at && e.ends_at < now ? e.ends_at : now;
			if (code)
				reject(&out[i], code, why);
			else if (at > now)
				reject(&out[i], "future_date", N_("De datum van afronding ligt in de toekomst."));
			else if (at && e.starts_at && at < e.starts_at)
				reject(&out[i], "before_edition",
				       N_("De datum van afronding ligt voor het begin van de uitvoering."));
			else {
				when[i] = at;
				ok[nok++] = i;
			}
		}
		for (size_t from = 0; from < nok;) {
			struct batch b = {ctx, &e, method, rows, when, out, ok + from, nok - from, 0};
			rc = db_tx_run_keyed(ctx->db, JOBS_BULK_LOCK_KEY, batch_tx, &b);
			if (rc)
				return rc;
			from += b.done;
		}
		g = end;
	}
	return 0;
}

int completion_push_list(struct ctx *ctx, int64_t edition_id, struct pushed_completion **out,
                         size_t *n)
{
	*out = NULL;
	*n = 0;
	struct edition e;
	int rc = edition_get(ctx, edition_id, &e);
	if (rc == CAMPUS_EFORBIDDEN || (!rc && !may_push(ctx, &e)))
		return CAMPUS_ENOTFOUND;
	if (rc)
		return rc;
	struct pushed_completion cur;
	struct db_rows rows = {.arena = ctx->arena, .size = sizeof cur, .cur = &cur};
	rc = db_query(ctx->db, &stmt_cp_list, (const struct db_param[]){DBP_INT(edition_id), DBP_END},
	              (const struct db_col[]){DBC_INT(&cur.id), DBC_INT(&cur.enrolment_id),
	                                      DBC_INT(&cur.person_id), DBC_TEXT(&cur.person_name),
	                                      DBC_TEXT(&cur.person_email), DBC_TEXT(&cur.source),
	                                      DBC_TEXT(&cur.grade), DBC_TEXT(&cur.no_points_why),
	                                      DBC_INT(&cur.points_tenths), DBC_INT(&cur.completed_at),
	                                      DBC_INT(&cur.registered_at),
	                                      DBC_TEXT(&cur.certificate_code), DBC_END},
	              ctx->arena, db_rows_collect, &rows);
	if (rc)
		return rc;
	*out = rows.data;
	*n = rows.n;
	return 0;
}
