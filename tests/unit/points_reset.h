/* Emptying the evidence tables between unit tests. The points ledger is
 * append-only in the database itself (migration 0009), so tests cannot
 * just DELETE from it: on PostgreSQL TRUNCATE skips row triggers; on SQLite
 * the delete trigger is dropped for the moment and made again. Call it
 * before deleting enrolments, modules or people. */
#ifndef CAMPUS_TESTS_POINTS_RESET_H
#define CAMPUS_TESTS_POINTS_RESET_H

#include <stdio.h>

#include "db/db.h"

DB_STMT2(stmt_points_reset_ledger,
         "TRUNCATE points_ledger_domains, points_ledger, credential_completions, credentials, "
         "completions, learning_claim_files, learning_claims, norm_reminders, jobs",
         "DROP TRIGGER IF EXISTS points_ledger_no_delete");
DB_STMT2(stmt_points_reset_1, "SELECT 1", "DELETE FROM points_ledger_domains");
DB_STMT2(stmt_points_reset_2, "SELECT 1", "DELETE FROM points_ledger");
DB_STMT2(stmt_points_reset_3, "SELECT 1", "DELETE FROM credential_completions");
DB_STMT2(stmt_points_reset_4, "SELECT 1", "DELETE FROM credentials");
DB_STMT2(stmt_points_reset_5, "SELECT 1", "DELETE FROM completions");
DB_STMT2(stmt_points_reset_6, "SELECT 1", "DELETE FROM learning_claim_files");
DB_STMT2(stmt_points_reset_7, "SELECT 1", "DELETE FROM learning_claims");
DB_STMT2(stmt_points_reset_8, "SELECT 1", "DELETE FROM norm_reminders");
DB_STMT2(stmt_points_reset_9, "SELECT 1", "DELETE FROM jobs");
DB_STMT2(stmt_points_reset_trigger, "SELECT 1",
         "CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger "
         "BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END");

static inline int points_reset(struct db_conn *db)
{
	struct db_stmt *steps[] = {&stmt_points_reset_ledger, &stmt_points_reset_1, &stmt_points_reset_2,
	                           &stmt_points_reset_3,      &stmt_points_reset_4, &stmt_points_reset_5,
	                           &stmt_points_reset_6,      &stmt_points_reset_7, &stmt_points_reset_8,
	                           &stmt_points_reset_9,      &stmt_points_reset_trigger};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (db_exec(db, steps[i], (const struct db_param[]){DBP_END}, NULL) != 0) {
			fprintf(stderr, "points_reset %zu: %s\n", i, db_errmsg(db));
			return -1;
		}
	return 0;
}

#endif
