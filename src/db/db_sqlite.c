/* SQLite backend: WAL, foreign keys on, BEGIN IMMEDIATE for writers so lock
 * waits happen at BEGIN (inside the busy handler) rather than as a failed upgrade
 * halfway through a transaction. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/dutch.h"
#include "core/err.h"
#include "db/db_internal.h"

#define SQ_BUSY_TIMEOUT_MS 5000

/* One writer at a time per database file in this process (sq_begin). */
struct sq_writer {
	char *path;
	pthread_mutex_t mu;
	struct sq_writer *next;
};

struct sq_conn {
	struct db_conn base;
	sqlite3 *db;
	struct sq_writer *writer; /* NULL for :memory: (each its own database) */
	bool writing;             /* holds writer->mu */
};

static sqlite3 *sq_db(struct db_conn *c)
{
	return ((struct sq_conn *)c)->db;
}

static int sq_map(int ext)
{
	switch (ext & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CAMPUS_EBUSY;
	case SQLITE_CONSTRAINT:
		if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    ext == SQLITE_CONSTRAINT_ROWID)
			return CAMPUS_ECONFLICT;
		return CAMPUS_EDB;
	default:
		return CAMPUS_EDB;
	}
}

/* SQLite's messages name tables and columns, never bound values. */
static int sq_fail(struct db_conn *c, const char *what, int ext)
{
	return db_fail(c, sq_map(ext), "%s: %s (sqlite %d)", what, sqlite3_errmsg(sq_db(c)), ext);
}

/* $N -> ?N outside literals, quoted identifiers and comments. Same length, so
 * SQLite's error offsets still match the source text. */
static char *sq_rewrite(const char *sql)
{
	size_t n = strlen(sql);
	char *out = xmalloc(n + 1);
	memcpy(out, sql, n + 1);
	size_t i = 0;
	while (i < n) {
		char ch = sql[i];
		if (ch == '\'' || ch == '"' || ch == '`' || ch == '[') {
			char close = ch == '[' ? ']' : ch;
			/* A doubled quote just closes and reopens: same result. */
			for (i++; i < n && sql[i] != close; i++)
				;
			i++;
		} else if (ch == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				i++;
		} else if (ch == '/' && sql[i + 1] == '*') {
			const char *end = strstr(sql + i + 2, "*/");
			i = end ? (size_t)(end - sql) + 2 : n;
		} else if (ch == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			/* '$' inside an identifier (a$1) is part of the name. */
			char prev = i ? sql[i - 1] : ' ';
			bool ident = (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
			             (prev >= '0' && prev <= '9') || prev == '_' || prev == '$';
			if (!ident)
				out[i] = '?';
			i++;
		} else {
			i++;
		}
	}
	return out;
}

static bool only_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
			return false;
	return true;
}

static int sq_prepare(struct db_conn *c, struct db_stmt *s, const char *sql, unsigned slot_no,
                      struct db_slot *slot)
{
	(void)slot_no;
	char *q = sq_rewrite(sql);
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v3(sq_db(c), q, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail);
	if (rc != SQLITE_OK) {
		rc = sq_fail(c, s->name, sqlite3_extended_errcode(sq_db(c)));
		free(q);
		return rc;
	}
	bool single = st && only_blank(tail);
	free(q);
	if (!single) {
		sqlite3_finalize(st);
		return db_fail(c, CAMPUS_EINTERNAL, "%s: must be exactly one SQL statement",
		               s->name);
	}
	slot->handle = st;
	slot->nparams = sqlite3_bind_parameter_count(st);
	slot->ready = true;
	return 0;
}

static int sq_bind(struct db_conn *c, const struct db_run *r, sqlite3_stmt *st)
{
	for (unsigned k = 0; k < r->nparams; k++) {
		const struct db_param *p = &r->params[k];
		int idx = (int)k + 1;
		int rc;
		switch (p->type) {
		case DB_INT:
			rc = sqlite3_bind_int64(st, idx, p->i);
			break;
		case DB_BOOL:
			rc = sqlite3_bind_int(st, idx, p->i ? 1 : 0);
			break;
		case DB_REAL:
			rc = sqlite3_bind_double(st, idx, p->d);
			break;
		case DB_TEXT:
			/* STATIC: the statement is reset before the caller's data can go. */
			rc = p->p ? sqlite3_bind_text64(st, idx, p->p,
			                                p->n == DB_NTS ? strlen(p->p) : p->n,
			                                SQLITE_STATIC, SQLITE_UTF8)
			          : sqlite3_bind_null(st, idx);
			break;
		case DB_BLOB:
			rc = p->p ? sqlite3_bind_blob64(st, idx, p->p, p->n, SQLITE_STATIC)
			          : sqlite3_bind_null(st, idx);
			break;
		case DB_NULL:
		case DB_END:
		default:
			rc = sqlite3_bind_null(st, idx);
			break;
		}
		if (rc != SQLITE_OK)
			return sq_fail(c, r->stmt->name, rc);
	}
	return 0;
}

static const char *sq_type_label(int t)
{
	switch (t) {
	case SQLITE_INTEGER:
		return "integer";
	case SQLITE_FLOAT:
		return "real";
	case SQLITE_TEXT:
		return "text";
	case SQLITE_BLOB:
		return "blob";
	default:
		return "null";
	}
}

static int sq_decode(struct db_conn *c, const struct db_run *r, sqlite3_stmt *st)
{
	for (unsigned i = 0; i < r->ncols; i++) {
		const struct db_col *col = &r->cols[i];
		if (col->type == DB_NULL)
			continue;
		int ci = (int)i;
		int t = sqlite3_column_type(st, ci);
		const char *name = sqlite3_column_name(st, ci);
		int rc = 0;
		if (t == SQLITE_NULL) {
			rc = db_col_null(c, r, i, name);
			if (rc)
				return rc;
			continue;
		}
		switch (col->type) {
		case DB_INT:
			if (t != SQLITE_INTEGER)
				return db_col_mismatch(c, r, i, name, sq_type_label(t));
			*(int64_t *)col->out = sqlite3_column_int64(st, ci);
			break;
		case DB_BOOL: {
			if (t != SQLITE_INTEGER)
				return db_col_mismatch(c, r, i, name, sq_type_label(t));
			sqlite3_int64 v = sqlite3_column_int64(st, ci);
			if (v != 0 && v != 1)
				return db_col_mismatch(c, r, i, name,
				                       "an integer other than 0 or 1");
			*(bool *)col->out = v == 1;
			break;
		}
		case DB_REAL:
			/* A REAL column may hand back whole numbers as integers. */
			if (t != SQLITE_FLOAT && t != SQLITE_INTEGER)
				return db_col_mismatch(c, r, i, name, sq_type_label(t));
			*(double *)col->out = sqlite3_column_double(st, ci);
			break;
		case DB_TEXT: {
			if (t != SQLITE_TEXT)
				return db_col_mismatch(c, r, i, name, sq_type_label(t));
			const unsigned char *p = sqlite3_column_text(st, ci);
			size_t n = (size_t)sqlite3_column_bytes(st, ci);
			rc = db_col_text(c, r, i, p ? (const char *)p : "", n);
			break;
		}
		case DB_BLOB: {
			if (t != SQLITE_BLOB)
				return db_col_mismatch(c, r, i, name, sq_type_label(t));
			const void *p = sqlite3_column_blob(st, ci); /* NULL when empty */
			size_t n = (size_t)sqlite3_column_bytes(st, ci);
			rc = db_col_blob(c, r, i, p, n, NULL);
			break;
		}
		case DB_NULL:
		case DB_END:
			break;
		}
		if (rc)
			return rc;
		if (col->is_null)
			*col->is_null = false;
	}
	return 0;
}

static pthread_mutex_t writers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sq_writer *writers; /* kept for the process's life: a few files */

static struct sq_writer *sq_writer_of(const char *path)
{
	pthread_mutex_lock(&writers_mu);
	struct sq_writer *w = writers;
	while (w && strcmp(w->path, path) != 0)
		w = w->next;
	if (!w) {
		w = xcalloc(1, sizeof *w);
		w->path = xstrdup(path);
		pthread_mutex_init(&w->mu, NULL);
		w->next = writers;
		writers = w;
	}
	pthread_mutex_unlock(&writers_mu);
	return w;
}

/* The writer's turn ends with its transaction. */
static void sq_writer_done(struct sq_conn *sc)
{
	if (sc->writing && sqlite3_get_autocommit(sc->db)) {
		sc->writing = false;
		pthread_mutex_unlock(&sc->writer->mu);
	}
}

/* Writers of this process queue on a mutex, so that at most one of them
 * waits in sq_busy_wait for another process's lock and the next one here
 * starts the moment the last one ends, instead of 64 connections polling
 * SQLite's lock (the raw commit rate with 64 connections fell from 6,200
 * to 1,700/s with short sleeps and no queue). A transaction takes its turn
 * at BEGIN, a write outside one for its statement. */
static int sq_writer_take(struct sq_conn *sc)
{
	if (!sc->writer)
		return 0;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SQ_BUSY_TIMEOUT_MS / 1000;
	if (pthread_mutex_timedlock(&sc->writer->mu, &until) != 0)
		return db_fail(&sc->base, CAMPUS_EBUSY, "another writer of this process held on for %d s",
		               SQ_BUSY_TIMEOUT_MS / 1000);
	sc->writing = true;
	return 0;
}

static int sq_run(struct db_conn *c, const struct db_run *r)
{
	sqlite3 *db = sq_db(c);
	sqlite3_stmt *st = r->slot->handle;
	int rc = sq_bind(c, r, st);
	if (rc)
		goto out;
	/* Plain BEGIN would let a reader write; keep DB_TX_READ honest, as
	 * PostgreSQL's READ ONLY does. */
	if (c->in_tx && c->tx_kind == TX_READ && !sqlite3_stmt_readonly(st)) {
		rc = db_fail(c, CAMPUS_EDB, "%s: writes in a read-only transaction", r->stmt->name);
		goto out;
	}
	if (!c->in_tx && !sqlite3_stmt_readonly(st)) {
		rc = sq_writer_take((struct sq_conn *)c);
		if (rc)
			goto out;
	}
	if (r->cols && (int)r->ncols != sqlite3_column_count(st)) {
		rc = db_fail(c, CAMPUS_EDB, "%s: %u column specs for %d result columns",
		             r->stmt->name, r->ncols, sqlite3_column_count(st));
		goto out;
	}
	int64_t rows = 0;
	for (;;) {
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			rc = sq_fail(c, r->stmt->name, sqlite3_extended_errcode(db));
			goto out;
		}
		rows++;
		if (r->mode == RUN_EXEC || !r->cols)
			continue;
		if (r->mode == RUN_ROW && rows > 1) {
			rc =
			    db_fail(c, CAMPUS_EDB, "%s: returned more than one row", r->stmt->name);
			goto out;
		}
		rc = sq_decode(c, r, st);
		if (rc)
			goto out;
		if (r->mode == RUN_QUERY && r->row) {
			rc = r->row(r->cls);
			if (rc)
				goto out;
		}
	}
	if (r->mode == RUN_ROW && rows == 0)
		rc = CAMPUS_ENOTFOUND;
	else if (r->mode == RUN_ROW && rows > 1)
		rc = db_fail(c, CAMPUS_EDB, "%s: returned more than one row", r->stmt->name);
	if (r->changes && !sqlite3_stmt_readonly(st))
		*r->changes = sqlite3_changes64(db);
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sq_writer_done((struct sq_conn *)c);
	return rc;
}

/* Waiting for another connection's write lock. SQLite's own handler
 * sleeps 1, 2, 5, 10, 15, 20, 25... ms; a writer in another process holds
 * the lock for a millisecond or two, so the waiter slept longer than the
 * wait and lost its turn to the holder's process. Short sleeps, growing to
 * 1 ms, for SQ_BUSY_TIMEOUT_MS in all. */
static int sq_busy_wait(void *cls, int count)
{
	(void)cls;
	static const unsigned step_us[] = {20, 50, 100, 200, 500};
	enum { STEPS = sizeof step_us / sizeof *step_us, MAX_US = 1000 };
	long long waited_us = 0;
	for (int i = 0; i < count && i < STEPS; i++)
		waited_us += step_us[i];
	if (count > STEPS)
		waited_us += (long long)(count - STEPS) * MAX_US;
	if (waited_us >= SQ_BUSY_TIMEOUT_MS * 1000LL)
		return 0;
	unsigned us = count < STEPS ? step_us[count] : MAX_US;
	struct timespec ts = {0, (long)us * 1000};
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_script(struct db_conn *c, const char *what, const char *sql)
{
	int rc = sqlite3_exec(sq_db(c), sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(c, what, sqlite3_extended_errcode(sq_db(c)));
	return 0;
}

static int sq_begin(struct db_conn *c, enum db_tx_kind kind)
{
	struct sq_conn *sc = (struct sq_conn *)c;
	if (kind == TX_READ)
		return sq_script(c, "BEGIN", "BEGIN");
	int rc = sq_writer_take(sc);
	if (rc)
		return rc;
	rc = sq_script(c, "BEGIN", "BEGIN IMMEDIATE");
	sq_writer_done(sc);
	return rc;
}

static int sq_commit(struct db_conn *c)
{
	int rc = sq_script(c, "COMMIT", "COMMIT");
	sq_writer_done((struct sq_conn *)c);
	return rc;
}

static void sq_rollback(struct db_conn *c)
{
	/* Keep the message that explains why we roll back. */
	if (!sqlite3_get_autocommit(sq_db(c)))
		sqlite3_exec(sq_db(c), "ROLLBACK", NULL, NULL, NULL);
	sq_writer_done((struct sq_conn *)c);
}

static bool sq_tx_active(struct db_conn *c)
{
	return !sqlite3_get_autocommit(sq_db(c));
}

static void sq_close(struct db_conn *c)
{
	struct sq_conn *sc = (struct sq_conn *)c;
	sq_rollback(c);
	for (unsigned i = 0; i < c->nslots; i++)
		if (c->slots[i].handle)
			sqlite3_finalize(c->slots[i].handle);
	sqlite3_close(sc->db);
	db_conn_fini(c);
	free(sc);
}

/* The online backup API copies a consistent snapshot while others keep
 * writing; the copy is written to a new file next to the target and renamed
 * into place, so an interrupted backup never leaves a half file under the name. */
static int sq_backup(struct db_conn *c, const char *path, struct buf *err)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.partial", path) >= sizeof tmp) {
		buf_puts(err, "backup path too long");
		return CAMPUS_EINVAL;
	}
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", sq_db(c), "main");
		if (b) {
			do {
				rc = sqlite3_backup_step(b, 1024);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(20);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		} else {
			rc = sqlite3_errcode(dst);
		}
	}
	if (rc != SQLITE_OK)
		buf_printf(err, "%s: %s", path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	sqlite3_close(dst);
	if (rc == SQLITE_OK && rename(tmp, path) != 0) {
		buf_printf(err, "%s: cannot move the copy into place", path);
		rc = SQLITE_CANTOPEN;
	}
	if (rc != SQLITE_OK) {
		unlink(tmp);
		return CAMPUS_EIO;
	}
	return 0;
}

static const struct db_backend sqlite_backend = {
    .dialect = DB_SQLITE,
    .close = sq_close,
    .prepare = sq_prepare,
    .run = sq_run,
    .script = sq_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .tx_active = sq_tx_active,
    .backup = sq_backup,
};

/* ---- the campus_dutch FTS5 tokenizer ----------------------------------------
 * Catalogue search (migrations/sqlite/0006_catalogue_search.sql) indexes
 * module text with core/dutch.h. Documents are analysed in full (stemmed and
 * folded); in a query the tokenizer only normalises and splits, because
 * src/domain/search.c writes MATCH expressions from terms it has analysed
 * itself (analysing them again would stem a stem). Registered on every
 * connection before migrations run. */

struct dt_tok {
	struct dutch *d;
};

struct dt_call {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int dt_create(void *cls, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)cls;
	(void)argv;
	(void)argc;
	struct dt_tok *t = xcalloc(1, sizeof *t);
	t->d = dutch_new();
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void dt_delete(Fts5Tokenizer *tok)
{
	struct dt_tok *t = (struct dt_tok *)tok;
	dutch_free(t->d);
	free(t);
}

static int dt_emit(void *cls, const struct dutch_token *tk)
{
	struct dt_call *c = cls;
	return c->token(c->ctx, 0, tk->term, (int)tk->term_len, (int)tk->start, (int)tk->end);
}

static int dt_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int len,
                       int (*token)(void *, int, const char *, int, int, int))
{
	struct dt_tok *t = (struct dt_tok *)tok;
	struct dt_call c = {ctx, token};
	return dutch_analyse(t->d, text, len > 0 ? (size_t)len : 0,
	                     (flags & FTS5_TOKENIZE_QUERY) != 0, dt_emit, &c);
}

static int sq_register_tokenizer(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
		rc = sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK || !api || api->iVersion < 2)
		return rc != SQLITE_OK ? rc : SQLITE_ERROR;
	static fts5_tokenizer dutch_tokenizer = {dt_create, dt_delete, dt_tokenize};
	return api->xCreateTokenizer(api, "campus_dutch", NULL, &dutch_tokenizer, NULL);
}

/* SQLite would happily create a file in the wrong place after a typo; check
 * first so that nothing appears on disk. */
static int sq_check_path(const char *path, unsigned flags, struct buf *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == path ? xstrdup("/")
	            : slash       ? xstrndup(path, (size_t)(slash - path))
	                          : xstrdup(".");
	struct stat sb;
	int rc = 0;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (err)
			buf_printf(err, "SQLite database directory '%s' does not exist", dir);
		rc = CAMPUS_ENOTFOUND;
	} else if (!(flags & DB_OPEN_CREATE) && stat(path, &sb) != 0 && errno == ENOENT) {
		if (err)
			buf_printf(err, "SQLite database '%s' does not exist (not creating it)",
			           path);
		rc = CAMPUS_ENOTFOUND;
	}
	free(dir);
	return rc;
}

int db_sqlite_open(const char *path, unsigned flags, struct db_conn **out, struct buf *err)
{
	*out = NULL;
	bool memory = strcmp(path, ":memory:") == 0;
	if (!memory) {
		int rc = sq_check_path(path, flags, err);
		if (rc)
			return rc;
	}
	/* NOMUTEX: a connection is only ever used by one thread at a time. */
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
	oflags |= SQLITE_OPEN_EXRESCODE;
#endif
	if (memory || (flags & DB_OPEN_CREATE))
		oflags |= SQLITE_OPEN_CREATE;
	/* "./" keeps a relative path starting with "file:" from being read as a URI. */
	char *fpath = !memory && strncmp(path, "file:", 5) == 0 ? xstrndup("./", 2) : NULL;
	if (fpath) {
		size_t n = strlen(path);
		fpath = xrealloc(fpath, n + 3);
		memcpy(fpath + 2, path, n + 1);
	}
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(fpath ? fpath : path, &db, oflags, NULL);
	free(fpath);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		sqlite3_busy_handler(db, sq_busy_wait, NULL);
		/* journal_mode reads the header, so a file that is not a database
		 * fails here rather than at the first query. */
		rc = sqlite3_exec(db,
		                  "PRAGMA foreign_keys = ON;"
		                  "PRAGMA journal_mode = WAL;"
		                  "PRAGMA synchronous = FULL;",
		                  NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sq_register_tokenizer(db);
	if (rc != SQLITE_OK) {
		if (err)
			buf_printf(err, "cannot open SQLite database '%s': %s", path,
			           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return (rc & 0xff) == SQLITE_BUSY ? CAMPUS_EBUSY : CAMPUS_EUNAVAIL;
	}
	struct sq_conn *sc = xcalloc(1, sizeof *sc);
	db_conn_init(&sc->base, &sqlite_backend);
	sc->db = db;
	sc->writer = memory ? NULL : sq_writer_of(path);
	*out = &sc->base;
	return 0;
}
