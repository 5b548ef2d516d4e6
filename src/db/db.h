/* The storage port. Everything above src/db talks to SQLite or PostgreSQL
 * through this header only: no sqlite3.h or libpq-fe.h outside src/db.
 *
 *   DB_STMT(stmt_setting_get, "SELECT value FROM settings WHERE key = $1");
 *   char *value;
 *   int rc = db_query_row(conn, &stmt_setting_get,
 *                         (const struct db_param[]){DBP_TEXT(key), DBP_END},
 *                         (const struct db_col[]){DBC_TEXT(&value), DBC_END}, arena);
 *
 * SQL is always a string literal (the macros refuse anything else) with $1..$N
 * placeholders; values travel only as bound parameters. Write transactions go
 * through db_tx_run(), which retries on contention; domain code never writes
 * BEGIN. See docs/internals/db.md. */
#ifndef CAMPUS_DB_DB_H
#define CAMPUS_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct db_conn;
struct db_pool;

enum db_dialect { DB_SQLITE, DB_POSTGRES };

/* Flags for db_open() and db_pool_open(). */
enum {
	DB_OPEN_CREATE = 1u << 0, /* SQLite: create the file if missing (never its directory) */
};

/* ---- statements ---------------------------------------------------------- */

/* A statement from the catalogue. Declare with DB_STMT/DB_STMT2 next to the
 * code that runs it; the struct gets a process-wide slot number on first use
 * and every connection prepares it lazily and keeps it cached. */
struct db_stmt {
	const char *name;       /* the C identifier, for error messages */
	const char *sql;        /* PostgreSQL text; also SQLite's unless sql_sqlite is set */
	const char *sql_sqlite; /* NULL: same as sql */
	_Atomic unsigned slot;  /* 0 until first use */
};

// clang-format off
/* (Formatting off for the macros: clang-format spreads each one-line
 * initialiser over five lines.) */

/* The "" prefix makes a non-literal argument a compile error. */
#define DB_STMT(var, sql_) static struct db_stmt var = {#var, "" sql_, NULL, 0}
/* For the rare statement whose text differs per dialect. */
#define DB_STMT2(var, pg_sql, sqlite_sql) \
	static struct db_stmt var = {#var, "" pg_sql, "" sqlite_sql, 0}
// clang-format on

/* ---- typed parameters and columns ----------------------------------------- */

enum db_type { DB_END, DB_NULL, DB_INT, DB_BOOL, DB_TEXT, DB_BLOB, DB_REAL };

/* A parameter list is an array ending in DBP_END; element k binds $k+1. */
struct db_param {
	enum db_type type;
	int64_t i;
	double d;
	const void *p; /* TEXT/BLOB; NULL binds SQL NULL */
	size_t n;      /* byte length; DB_NTS for a NUL-terminated string */
};

#define DB_NTS SIZE_MAX

// clang-format off
#define DBP_END {.type = DB_END}
#define DBP_NULL {.type = DB_NULL}
#define DBP_INT(v_) {.type = DB_INT, .i = (int64_t)(v_)}
#define DBP_BOOL(v_) {.type = DB_BOOL, .i = (v_) ? 1 : 0}
#define DBP_REAL(v_) {.type = DB_REAL, .d = (double)(v_)}
/* NULL pointer -> SQL NULL. Text must not contain NUL bytes (CAMPUS_EINVAL). */
#define DBP_TEXT(s_) \
	{.type = DB_TEXT, .p = _Generic((s_), char *: (s_), const char *: (s_), void *: (s_)), \
	 .n = DB_NTS}
#define DBP_TEXTN(s_, n_) {.type = DB_TEXT, .p = (s_), .n = (n_)}
/* NULL pointer -> SQL NULL; a non-NULL pointer with length 0 is an empty blob. */
#define DBP_BLOB(p_, n_) {.type = DB_BLOB, .p = (p_), .n = (n_)}
// clang-format on

/* A column list is an array ending in DBC_END; element k receives result
 * column k, and the counts must match. Text and blobs are copied into the
 * arena passed to the query. A SQL NULL is an error (CAMPUS_EDB) unless the
 * column has an is_null flag (the _OPT forms): then *is_null is set and the
 * output zeroed. Types are checked strictly: text where an integer is
 * expected is CAMPUS_EDB, never a silent 0. */
struct db_col {
	enum db_type type; /* DB_NULL: skip this column */
	void *out;
	size_t *len;   /* TEXT/BLOB: byte length, optional for TEXT */
	bool *is_null; /* NULL: the column must not be NULL */
};

// clang-format off
#define DBC_END {.type = DB_END}
#define DBC_SKIP {.type = DB_NULL}
#define DBC_INT(p_) {.type = DB_INT, .out = _Generic((p_), int64_t *: (p_))}
#define DBC_BOOL(p_) {.type = DB_BOOL, .out = _Generic((p_), bool *: (p_))}
#define DBC_REAL(p_) {.type = DB_REAL, .out = _Generic((p_), double *: (p_))}
/* NUL-terminated copy in the arena. */
#define DBC_TEXT(p_) {.type = DB_TEXT, .out = _Generic((p_), char **: (p_), const char **: (p_))}
#define DBC_BLOB(p_, len_) \
	{.type = DB_BLOB, \
	 .out = _Generic((p_), void **: (p_), unsigned char **: (p_), char **: (p_)), \
	 .len = _Generic((len_), size_t *: (len_))}

#define DBC_INT_OPT(p_, nul_) \
	{.type = DB_INT, .out = _Generic((p_), int64_t *: (p_)), .is_null = _Generic((nul_), bool *: (nul_))}
#define DBC_BOOL_OPT(p_, nul_) \
	{.type = DB_BOOL, .out = _Generic((p_), bool *: (p_)), .is_null = _Generic((nul_), bool *: (nul_))}
#define DBC_REAL_OPT(p_, nul_) \
	{.type = DB_REAL, .out = _Generic((p_), double *: (p_)), .is_null = _Generic((nul_), bool *: (nul_))}
#define DBC_TEXT_OPT(p_, nul_) \
	{.type = DB_TEXT, .out = _Generic((p_), char **: (p_), const char **: (p_)), \
	 .is_null = _Generic((nul_), bool *: (nul_))}
#define DBC_BLOB_OPT(p_, len_, nul_) \
	{.type = DB_BLOB, \
	 .out = _Generic((p_), void **: (p_), unsigned char **: (p_), char **: (p_)), \
	 .len = _Generic((len_), size_t *: (len_)), .is_null = _Generic((nul_), bool *: (nul_))}
// clang-format on

/* ---- connections ----------------------------------------------------------- */

/* url: "sqlite:PATH", "sqlite::memory:", "postgres://..." or "postgresql://...".
 * Failures put a message in err (nullable) that never shows a password:
 * CAMPUS_EINVAL bad URL, CAMPUS_ENOTFOUND missing SQLite directory (or file
 * without DB_OPEN_CREATE), CAMPUS_EUNAVAIL database unreachable. */
int db_open(const char *url, unsigned flags, struct db_conn **out, struct buf *err);
void db_close(struct db_conn *conn);

enum db_dialect db_dialect(const struct db_conn *conn);
/* Last error on this connection, for logs: statement name and the driver's
 * message, never parameter values. "" when there was none. */
const char *db_errmsg(const struct db_conn *conn);

/* Dialect named by a URL; CAMPUS_EINVAL when it is neither. */
int db_url_dialect(const char *url, enum db_dialect *out);
/* Appends url with any password replaced by "***", for logs and messages. */
int db_url_redact(const char *url, struct buf *out);

/* ---- running statements ------------------------------------------------------ */

/* Runs a statement and ignores any rows. changes (nullable) receives the rows
 * inserted, updated or deleted. */
int db_exec(struct db_conn *conn, struct db_stmt *stmt, const struct db_param *params,
            int64_t *changes);
/* Inside a write transaction: db_exec for a statement whose outcome the
 * caller does not need at once (an INSERT of a log or message row).
 * PostgreSQL sends it without waiting (libpq pipeline mode) and collects
 * the answers together with the next statement, or before COMMIT: one
 * round trip for all of them. An error then fails that later call and
 * dooms the transaction, as any error does; so 0 here only means "sent".
 * SQLite, and outside a write transaction: db_exec at once. */
int db_exec_later(struct db_conn *conn, struct db_stmt *stmt, const struct db_param *params);
/* Exactly one row: 0, CAMPUS_ENOTFOUND for none, CAMPUS_EDB for more than one. */
int db_query_row(struct db_conn *conn, struct db_stmt *stmt, const struct db_param *params,
                 const struct db_col *cols, struct arena *arena);
/* Calls row(cls) after each row is written into cols (row may be NULL). A
 * nonzero return stops the query and is returned as is. */
int db_query(struct db_conn *conn, struct db_stmt *stmt, const struct db_param *params,
             const struct db_col *cols, struct arena *arena, int (*row)(void *cls), void *cls);

/* A search text as a LIKE pattern "%<text>%": trimmed, ASCII lower-cased,
 * with %, _ and \ escaped (use it with ESCAPE '\'). NULL with *rc 0 for an
 * empty text; NULL with CAMPUS_EINVAL for more than max bytes or invalid
 * UTF-8, CAMPUS_ENOMEM when the arena is full. */
const char *db_like_pattern(struct arena *arena, const char *text, size_t max, int *rc);

/* Rows of a query gathered into an arena array that doubles as it grows:
 *
 *   struct person_row cur;
 *   struct db_rows rows = {.arena = arena, .size = sizeof cur, .cur = &cur};
 *   db_query(conn, &stmt, params, cols_reading_into_cur, arena, db_rows_collect, &rows);
 *   -> rows.data (struct person_row *), rows.n
 *
 * A callback that must look at a row first calls db_rows_push() itself. */
struct db_rows {
	struct arena *arena;
	void *data;
	size_t n, cap, size;
	const void *cur; /* for db_rows_collect: the row the columns are read into */
};
/* A new zeroed slot at the end; NULL when the arena is full. */
void *db_rows_push(struct db_rows *rows);
/* db_query row callback: a copy of *cur for every row. */
int db_rows_collect(void *cls);

/* ---- transactions -------------------------------------------------------------- */

enum db_tx_mode { DB_TX_READ, DB_TX_WRITE };

#define DB_TX_MAX_ATTEMPTS 12
#define DB_TX_RETRY_SECONDS 10 /* no new attempt starts after this */

/* BEGIN, fn, COMMIT on 0, ROLLBACK otherwise. When fn or COMMIT returns
 * CAMPUS_EBUSY the whole transaction is run again (fresh BEGIN, jittered
 * exponential backoff), up to DB_TX_MAX_ATTEMPTS times in all and none
 * starting after DB_TX_RETRY_SECONDS: fn must keep its effects inside the
 * database. A database error inside fn dooms the transaction even if fn
 * ignores it (same on both backends). While a write transaction is being
 * retried, new write transactions in this process wait up to 10 ms before
 * BEGIN so the retry gets its turn. Nesting on one connection is refused
 * with CAMPUS_EINTERNAL. Statements outside db_tx_run run in autocommit. */
int db_tx_run(struct db_conn *conn, enum db_tx_mode mode,
              int (*fn)(struct db_conn *conn, void *cls), void *cls);
bool db_in_tx(const struct db_conn *conn);
/* Inside a transaction: a number no other transaction (nor another attempt
 * of this one) in this process gets, to recognise "the same transaction"
 * (audit.c chains its rows in one transaction without reading the last one
 * back). 0 outside a transaction. */
uint64_t db_tx_serial(const struct db_conn *conn);
/* A write transaction like db_tx_run, serialised with every other one that
 * names the same key, in all processes, before it takes its snapshot. For a
 * hot row (an edition's seats): without it PostgreSQL's SERIALIZABLE
 * writers on that row would mostly fail and retry; with it they queue.
 * Correctness never depends on the key, only throughput. On PostgreSQL a
 * session-level advisory lock taken before BEGIN; SQLite's writers are
 * serial already. */
int db_tx_run_keyed(struct db_conn *conn, int64_t key, int (*fn)(struct db_conn *conn, void *cls),
                    void *cls);

/* ---- pool ------------------------------------------------------------------------ */

/* Opens one connection at once (so a bad URL or an unreachable database is
 * reported here) and up to size lazily. "sqlite::memory:" pools have size 1:
 * every in-memory connection is a separate database. */
struct db_pool *db_pool_open(const char *url, unsigned size, unsigned flags, struct buf *err);
/* Blocks while all connections are in use. NULL when a new connection cannot
 * be opened (logged; treat as CAMPUS_EUNAVAIL) or the pool is closing. */
struct db_conn *db_pool_acquire(struct db_pool *pool);
/* A connection whose link was lost is closed here and reopened on demand. */
void db_pool_release(struct db_pool *pool, struct db_conn *conn);
/* Every connection must have been released. */
void db_pool_close(struct db_pool *pool);
enum db_dialect db_pool_dialect(const struct db_pool *pool);

struct db_pool_stats {
	unsigned size;       /* most connections */
	unsigned open;       /* connections open now */
	unsigned in_use;     /* acquired now */
	uint64_t acquires;   /* total db_pool_acquire calls */
	uint64_t waits;      /* acquires that had to wait */
	uint64_t tx_retries; /* db_tx_run restarts after CAMPUS_EBUSY */
};
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);
/* The same figures in Prometheus text format (campus_db_pool_*). */
int db_pool_metrics_write(struct db_pool *pool, struct buf *out);

/* ---- migrations ------------------------------------------------------------------ */

/* Applies the embedded migrations the database lacks, in order, each in its
 * own transaction, and appends one line per migration applied to log
 * (nullable). Safe to run from several processes at once. A database newer
 * than this binary is refused (CAMPUS_EDB). */
/* A consistent copy of the whole database in a new file (SQLite's online
 * backup; the server keeps running). PostgreSQL: CAMPUS_EINVAL, and err says
 * to use pg_dump. */
int db_backup(struct db_conn *conn, const char *path, struct buf *err);

int db_migrate(struct db_conn *conn, struct buf *log);
/* Highest applied version; 0 for an empty database. */
int db_schema_version(struct db_conn *conn, int *out);
/* 0 when the database is exactly at db_schema_latest(); otherwise CAMPUS_EDB
 * and a message in err (nullable) saying whether to run `campus migrate` or
 * to upgrade the program. Changes nothing. */
int db_migrate_check(struct db_conn *conn, struct buf *err);
/* Highest version embedded in this binary. */
int db_schema_latest(enum db_dialect dialect);

#endif
