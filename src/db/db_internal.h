/* Private to src/db: the backend vtable and what db.c shares with
 * db_sqlite.c and db_pg.c. */
#ifndef CAMPUS_DB_DB_INTERNAL_H
#define CAMPUS_DB_DB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct arena;
struct buf;

/* Transaction kinds; TX_MIGRATE is the runner's own (see db_migrate). */
enum db_tx_kind { TX_READ, TX_WRITE, TX_MIGRATE };

/* RUN_LATER: db_exec_later, for a backend with run_later. */
enum db_run_mode { RUN_EXEC, RUN_ROW, RUN_QUERY, RUN_LATER };

/* A statement as prepared on one connection. */
struct db_slot {
	void *handle; /* sqlite3_stmt *; unused on PostgreSQL (the name is "s<slot>") */
	int nparams;
	bool ready;
};

/* One call of db_exec/db_query_row/db_query, checked by db.c. */
struct db_run {
	struct db_stmt *stmt;
	unsigned slot_no;
	struct db_slot *slot;
	const struct db_param *params;
	unsigned nparams;
	const struct db_col *cols; /* NULL: rows are not decoded */
	unsigned ncols;
	struct arena *arena;
	enum db_run_mode mode;
	int (*row)(void *cls);
	void *cls;
	int64_t *changes;
};

struct db_conn;

struct db_backend {
	enum db_dialect dialect;
	void (*close)(struct db_conn *c);
	int (*prepare)(struct db_conn *c, struct db_stmt *s, const char *sql, unsigned slot_no,
	               struct db_slot *slot);
	int (*run)(struct db_conn *c, const struct db_run *r);
	/* Sends r (RUN_LATER, inside a transaction) without waiting for its
	 * outcome; the backend checks it with its next operation. NULL: run. */
	int (*run_later)(struct db_conn *c, const struct db_run *r);
	/* Several statements, no parameters: migrations and the runner's DDL. */
	int (*script)(struct db_conn *c, const char *what, const char *sql);
	int (*begin)(struct db_conn *c, enum db_tx_kind kind);
	int (*commit)(struct db_conn *c);
	void (*rollback)(struct db_conn *c);
	bool (*tx_active)(struct db_conn *c); /* the server's view, after errors */
	/* A lock on key held across transactions of all processes (NULL: the
	 * backend's write transactions are serial anyway, as SQLite's are). */
	int (*lock)(struct db_conn *c, int64_t key);
	void (*unlock)(struct db_conn *c, int64_t key);
	/* Consistent copy to a new file (SQLite); NULL where the server has its own tools. */
	int (*backup)(struct db_conn *c, const char *path, struct buf *err);
};

/* Backends embed this as their first member. */
struct db_conn {
	const struct db_backend *be;
	struct db_pool *pool; /* NULL for db_open() connections */
	struct db_slot *slots;
	unsigned nslots;
	bool in_tx;
	bool broken; /* link lost: the pool drops it on release */
	enum db_tx_kind tx_kind;
	int tx_rc; /* first error inside the current transaction */
	uint64_t tx_serial; /* db_tx_serial: of the transaction running now */
	char errmsg[512];
};

void db_conn_init(struct db_conn *c, const struct db_backend *be);
void db_conn_fini(struct db_conn *c);

/* Records rc and the message as the connection's last error and dooms the
 * running transaction; returns rc. */
int db_fail(struct db_conn *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Column decoding shared by the backends; i is the 0-based column. */
int db_col_null(struct db_conn *c, const struct db_run *r, unsigned i, const char *colname);
int db_col_mismatch(struct db_conn *c, const struct db_run *r, unsigned i, const char *colname,
                    const char *got);
int db_col_text(struct db_conn *c, const struct db_run *r, unsigned i, const char *p, size_t n);
/* The blob is written by fill() into n fresh arena bytes (so PostgreSQL can
 * decode hex in place); fill == NULL copies p. */
int db_col_blob(struct db_conn *c, const struct db_run *r, unsigned i, const void *p, size_t n,
                bool (*fill)(void *dst, const void *src, size_t n));
const char *db_type_name(enum db_type t);
/* Overwrites every occurrence of secret in s with '*'. */
void db_scrub(char *s, const char *secret);
/* The password in a postgres:// URL, percent-encoded as written, or NULL. */
char *db_url_password(const char *url);

int db_sqlite_open(const char *path, unsigned flags, struct db_conn **out, struct buf *err);
int db_pg_open(const char *url, unsigned flags, struct db_conn **out, struct buf *err);

/* Generated from migrations/<dialect>/NNNN_name.sql by embed_migrations. */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct db_migration db_migrations_sqlite[];
extern const unsigned db_migrations_sqlite_count;
extern const struct db_migration db_migrations_postgres[];
extern const unsigned db_migrations_postgres_count;

#endif
