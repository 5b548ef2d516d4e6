/* Importing an organisation's members from a CSV file (read by core/csv.h):
 * a mapping of columns to fields, validation of every row, a plan of what
 * each row would do, and applying the whole file in one write transaction.
 * A file with any problem changes nothing. Re-importing a file changes only
 * what differs (idempotent). */
#ifndef CAMPUS_DOMAIN_IMPORT_H
#define CAMPUS_DOMAIN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;
struct csv_table;

enum import_field { IMPORT_EMAIL, IMPORT_NAME, IMPORT_KIND, IMPORT_ROLES, IMPORT_NFIELDS };

/* Column (0-based) per field; -1: not in the file. */
struct import_map {
	int col[IMPORT_NFIELDS];
};

/* Form key ("email", "naam", "soort", "rollen") and Dutch label (msgid). */
const char *import_field_key(enum import_field f);
const char *import_field_label(enum import_field f);

/* A mapping from the first row's names, Dutch or English ("e-mailadres",
 * "email", "naam", "name", "soort", "type", "rollen", "roles"...). */
void import_map_guess(const struct csv_table *t, struct import_map *map);
/* NULL when usable, else why not (a Dutch msgid): no e-mail column, a column
 * that does not exist, one column for two fields. */
const char *import_map_check(const struct csv_table *t, const struct import_map *map);

enum import_action { IMPORT_CREATE, IMPORT_ADD, IMPORT_UPDATE, IMPORT_UNCHANGED, IMPORT_NACTIONS };

struct import_row {
	unsigned record;           /* row number in the file (the header is 1) */
	const char *email;         /* normalised; NULL when missing or invalid */
	const char *name;          /* as given, trimmed; NULL when not valid UTF-8 */
	const char *kind;          /* employee|volunteer|external: given, kept, or the default */
	unsigned roles;            /* given, kept, or learner */
	enum import_action action; /* valid when the plan has no problems */
	bool bad;                  /* has a problem */
};

struct import_problem {
	unsigned record;
	enum import_field field;
	const char *value;   /* the offending text (valid UTF-8) or NULL */
	const char *msgid;   /* why, in Dutch */
	unsigned other;      /* for duplicates: the earlier row; 0 otherwise */
};

#define IMPORT_PROBLEMS_KEPT 500

struct import_plan {
	struct import_row *rows; /* data rows (blank ones left out) */
	size_t nrows;
	struct import_problem *problems; /* the first IMPORT_PROBLEMS_KEPT */
	size_t nproblems, problems_total;
	size_t count[IMPORT_NACTIONS];
};

/* Validates every row and, reading the database, says what each would do in
 * org_id. 0 with problems_total == 0 when the file can be imported; problems
 * are in out (also rows the database decides on: a new person without a
 * name, one's own membership). CAMPUS_EINVAL with *why for an unusable map. */
int import_plan(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                const struct import_map *map, struct import_plan *out, const char **why);

/* The same checks and then, when there is no problem, every change in one
 * write transaction (audited per change, plus one "members.import" row naming
 * source, e.g. the file name). CAMPUS_EINVAL and nothing written when there
 * is a problem (out says which). */
int import_apply(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                 const struct import_map *map, const char *source, struct import_plan *out,
                 const char **why);

/* import_apply with progress: fn(cls, done, total) is called from inside the
 * transaction as rows are checked and written (every IMPORT_PROGRESS_EVERY
 * rows, and once at the end), from the calling thread. A retried transaction
 * starts again from 0. Nothing is visible to others before the commit: the
 * counter tells how far the one transaction is, not what is stored. */
#define IMPORT_PROGRESS_EVERY 25
struct import_progress {
	void (*fn)(void *cls, size_t done, size_t total);
	void *cls;
};
int import_apply_progress(struct ctx *ctx, int64_t org_id, const struct csv_table *t,
                          const struct import_map *map, const char *source,
                          struct import_plan *out, const char **why,
                          const struct import_progress *progress);

#endif
