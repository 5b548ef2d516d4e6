/* The audit log (BIO 8.15): every change to people, memberships, roles,
 * log-ins, and later points, diplomas, reviews and money writes one row with
 * actor, action, object, result, origin and time. Rows are hash-chained: each
 * row's hash covers its content and the previous row's hash, so a row changed
 * or removed by hand shows up in audit_verify(). Never put secrets in detail. */
#ifndef CAMPUS_DOMAIN_AUDIT_H
#define CAMPUS_DOMAIN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct ctx;
struct db_conn;

#define AUDIT_HASH_HEX 64 /* BLAKE2b-256 in hex */

/* Append one row for ctx->actor and ctx->origin at ctx->now(). Inside a write
 * transaction the row joins it (and is rolled back with it); outside one it
 * runs in a write transaction of its own. result: "ok", "denied", "failed". */
int audit_record(struct ctx *ctx, const char *action, const char *object_type,
                 const char *object_id, const char *result, const char *detail);

/* One row of audit_record_many: audit_record's arguments and the ctx whose
 * actor, origin and clock the row carries. */
struct audit_entry {
	struct ctx *ctx;
	const char *action, *object_type, *object_id, *result, *detail;
};

/* audit_record for n rows at once, inside the write transaction on db
 * (CAMPUS_EINTERNAL outside one): chained in the order given and written
 * by one statement, sent ahead like audit_record's. Every row is checked
 * first; one bad row (CAMPUS_EINVAL) writes none. The JSON of the rows
 * goes into arena. */
int audit_record_many(struct db_conn *db, struct arena *arena, const struct audit_entry *rows,
                      size_t n);

struct audit_verify_result {
	int64_t rows;          /* rows checked */
	int64_t first_broken;  /* id of the first row that fails, 0 when all hold */
	const char *reason;    /* why it fails (in the arena), NULL when all hold; the
	                        * test to use, as a forged row may carry id 0 */
	/* The newest row checked, to write down as an anchor (docs/internals/audit.md):
	 * a later verify that still finds this hash at this id shows nothing up to
	 * it was changed, removed or cut off. 0 and "" for an empty log. */
	int64_t last_id;
	char last_hash[AUDIT_HASH_HEX + 1];
};

/* Walk the chain in id order; 0 with first_broken == 0 when it holds. */
int audit_verify(struct db_conn *db, struct arena *arena, struct audit_verify_result *out);

#endif
