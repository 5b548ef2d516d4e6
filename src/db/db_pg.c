/* PostgreSQL backend (libpq). Parameters go in text format (bytea binary),
 * results come back in text format and are parsed strictly, so no type
 * OIDs need to be known in advance. Writers run SERIALIZABLE: a conflict is
 * a 40001 that db_tx_run retries, never a silent lost update. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "db/db_internal.h"

/* Built-in type OIDs (stable, from pg_type.dat). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

#define PG_PIPE_MAX 256 /* statements sent ahead before their answers are read */

struct pg_conn {
	struct db_conn base;
	PGconn *pg;
	locale_t c_locale; /* numbers are formatted the same under any LC_NUMERIC */
	struct buf scratch;
	const char **values;
	int *lengths;
	int *formats;
	size_t *offsets;
	unsigned cap;
	/* Statements sent by db_exec_later whose answers are not read yet: the
	 * connection is in pipeline mode while there are any. */
	unsigned pending;
	const char *pending_names[PG_PIPE_MAX];
};

static struct pg_conn *pgc(struct db_conn *c)
{
	return (struct pg_conn *)c;
}

static int pg_map(const char *state)
{
	if (!state)
		return CAMPUS_EDB;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return CAMPUS_EBUSY;
	if (strcmp(state, "23505") == 0)
		return CAMPUS_ECONFLICT;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
		return CAMPUS_EUNAVAIL;
	return CAMPUS_EDB;
}

/* Data exceptions (class 22) quote the offending input, e.g. invalid input
 * syntax for type bigint: "abc"; mask quoted parts so values stay out of logs. */
static void mask_quoted(char *dst, size_t n, const char *src)
{
	bool in = false;
	size_t w = 0;
	for (const char *p = src; *p && w + 5 < n; p++) {
		if (*p == '"') {
			dst[w++] = '"';
			if (!in) {
				memcpy(dst + w, "...", 3);
				w += 3;
			}
			in = !in;
		} else if (!in) {
			dst[w++] = *p;
		}
	}
	dst[w] = '\0';
}

/* First line of s into dst, tabs and newlines folded. */
static void first_line(char *dst, size_t n, const char *s)
{
	size_t len = strcspn(s, "\n");
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	for (char *p = dst; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

static int pg_fail(struct db_conn *c, const char *what, const PGresult *res)
{
	PGconn *pg = pgc(c)->pg;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* The primary message only: DETAIL repeats key values. */
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[400];
	char masked[400];
	first_line(msg, sizeof msg, primary ? primary : PQerrorMessage(pg));
	int rc = pg_map(state);
	if (PQstatus(pg) == CONNECTION_BAD)
		rc = CAMPUS_EUNAVAIL;
	if (rc == CAMPUS_EUNAVAIL)
		c->broken = true;
	bool data = state && strncmp(state, "22", 2) == 0;
	if (data)
		mask_quoted(masked, sizeof masked, msg);
	return db_fail(c, rc, "%s: %s (SQLSTATE %s)", what, data ? masked : msg,
	               state ? state : "none");
}

static void pg_notice(void *arg, const char *message)
{
	(void)arg;
	char line[400];
	first_line(line, sizeof line, message);
	log_debug("db: postgres notice: %s", line);
}

static bool pg_ok(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Reads the answers of the statements sent ahead (and, with last, of the
 * one sent after them, kept in *last when it succeeded) up to the sync
 * point, and leaves pipeline mode. Returns the first error; a statement
 * after a failed one reports that it did not run. */
static int pg_collect(struct db_conn *c, const char *last_name, PGresult **last)
{
	struct pg_conn *pc = pgc(c);
	int rc = 0;
	unsigned n = pc->pending + (last ? 1u : 0u);
	for (unsigned i = 0; i < n; i++) {
		const char *name = i < pc->pending ? pc->pending_names[i] : last_name;
		PGresult *res = PQgetResult(pc->pg);
		if (!res) {
			c->broken = true;
			rc = rc ? rc : db_fail(c, CAMPUS_EUNAVAIL, "%s: no answer in the pipeline", name);
			break;
		}
		if (last && i == n - 1 && pg_ok(res)) {
			*last = res;
		} else {
			if (rc == 0)
				rc = PQresultStatus(res) == PGRES_PIPELINE_ABORTED
				         ? db_fail(c, CAMPUS_EDB, "%s: not run, a statement before it failed", name)
				         : pg_ok(res) ? 0 : pg_fail(c, name, res);
			PQclear(res);
		}
		while ((res = PQgetResult(pc->pg)) != NULL) /* each answer ends with a NULL */
			PQclear(res);
	}
	PGresult *sync = PQgetResult(pc->pg);
	if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
		c->broken = true;
	PQclear(sync);
	pc->pending = 0;
	if (PQexitPipelineMode(pc->pg) != 1)
		c->broken = true;
	if (c->broken && rc == 0)
		rc = db_fail(c, CAMPUS_EUNAVAIL, "pipeline: lost track of the answers");
	return rc;
}

/* Before anything else on the connection: the answers of what was sent ahead. */
static int pg_flush(struct db_conn *c)
{
	struct pg_conn *pc = pgc(c);
	if (!pc->pending)
		return 0;
	if (PQpipelineSync(pc->pg) != 1) {
		pc->pending = 0;
		c->broken = true;
		return pg_fail(c, "pipeline sync", NULL);
	}
	return pg_collect(c, NULL, NULL);
}

static int pg_simple(struct db_conn *c, const char *what, const char *sql)
{
	int frc = pg_flush(c);
	if (frc)
		return frc;
	PGresult *res = PQexec(pgc(c)->pg, sql);
	int rc = pg_ok(res) ? 0 : pg_fail(c, what, res);
	PQclear(res);
	return rc;
}

static void stmt_name(char *dst, size_t n, unsigned slot_no)
{
	snprintf(dst, n, "s%u", slot_no);
}

static int pg_prepare(struct db_conn *c, struct db_stmt *s, const char *sql, unsigned slot_no,
                      struct db_slot *slot)
{
	PGconn *pg = pgc(c)->pg;
	int frc = pg_flush(c);
	if (frc)
		return frc;
	char name[16];
	stmt_name(name, sizeof name, slot_no);
	PGresult *res = PQprepare(pg, name, sql, 0, NULL);
	if (!pg_ok(res)) {
		int rc = pg_fail(c, s->name, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	/* One more round trip per statement and connection, so parameter counts
	 * are checked here rather than by a protocol error. */
	res = PQdescribePrepared(pg, name);
	if (!pg_ok(res)) {
		int rc = pg_fail(c, s->name, res);
		PQclear(res);
		/* The server has the name but our cache does not: do not reuse. */
		c->broken = true;
		return rc;
	}
	slot->nparams = PQnparams(res);
	slot->ready = true;
	PQclear(res);
	return 0;
}

static void pg_grow(struct pg_conn *pc, unsigned n)
{
	if (n <= pc->cap)
		return;
	unsigned cap = pc->cap ? pc->cap : 16;
	while (cap < n)
		cap *= 2;
	pc->values = xrealloc(pc->values, cap * sizeof *pc->values);
	pc->lengths = xrealloc(pc->lengths, cap * sizeof *pc->lengths);
	pc->formats = xrealloc(pc->formats, cap * sizeof *pc->formats);
	pc->offsets = xrealloc(pc->offsets, cap * sizeof *pc->offsets);
	pc->cap = cap;
}

static int pg_bind(struct db_conn *c, const struct db_run *r)
{
	struct pg_conn *pc = pgc(c);
	pg_grow(pc, r->nparams);
	buf_clear(&pc->scratch);
	/* Converted values land in one scratch buffer that may move while it
	 * grows: record offsets first, turn them into pointers after. */
	locale_t old = uselocale(pc->c_locale);
	for (unsigned k = 0; k < r->nparams; k++) {
		const struct db_param *p = &r->params[k];
		pc->values[k] = NULL;
		pc->lengths[k] = 0;
		pc->formats[k] = 0;
		pc->offsets[k] = SIZE_MAX;
		size_t off = pc->scratch.len;
		switch (p->type) {
		case DB_INT:
			buf_printf(&pc->scratch, "%" PRId64, p->i);
			pc->offsets[k] = off;
			break;
		case DB_BOOL:
			pc->values[k] = p->i ? "t" : "f";
			break;
		case DB_REAL:
			if (isnan(p->d))
				pc->values[k] = "NaN";
			else if (isinf(p->d))
				pc->values[k] = p->d > 0 ? "Infinity" : "-Infinity";
			else {
				buf_printf(&pc->scratch, "%.17g", p->d);
				pc->offsets[k] = off;
			}
			break;
		case DB_TEXT:
			if (p->p && p->n == DB_NTS) {
				pc->values[k] = p->p;
			} else if (p->p) {
				buf_append(&pc->scratch, p->p, p->n);
				pc->offsets[k] = off;
			}
			break;
		case DB_BLOB:
			if (p->p) {
				if (p->n > INT_MAX) {
					uselocale(old);
					return db_fail(c, CAMPUS_ETOOBIG,
					               "%s: blob $%u is too large", r->stmt->name,
					               k + 1);
				}
				pc->values[k] = p->p;
				pc->lengths[k] = (int)p->n;
				pc->formats[k] = 1;
			}
			break;
		case DB_NULL:
		case DB_END:
			break;
		}
		if (pc->offsets[k] != SIZE_MAX)
			buf_putc(&pc->scratch, '\0');
	}
	uselocale(old);
	if (pc->scratch.overflow)
		return db_fail(c, CAMPUS_ETOOBIG, "%s: parameters are too large", r->stmt->name);
	for (unsigned k = 0; k < r->nparams; k++)
		if (pc->offsets[k] != SIZE_MAX)
			pc->values[k] = pc->scratch.data + pc->offsets[k];
	return 0;
}

static const char *pg_type_label(Oid t)
{
	switch (t) {
	case OID_BOOL:
		return "boolean";
	case OID_BYTEA:
		return "bytea";
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return "integer";
	case OID_FLOAT4:
	case OID_FLOAT8:
		return "double precision";
	case OID_NUMERIC:
		return "numeric";
	default:
		return "text";
	}
}

static bool is_int_type(Oid t)
{
	return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_OID;
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* src is the hex digits after "\x"; n is the decoded length. */
static bool unhex(void *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static int pg_decode(struct db_conn *c, const struct db_run *r, const PGresult *res, int row)
{
	struct pg_conn *pc = pgc(c);
	for (unsigned i = 0; i < r->ncols; i++) {
		const struct db_col *col = &r->cols[i];
		if (col->type == DB_NULL)
			continue;
		int ci = (int)i;
		const char *name = PQfname(res, ci);
		if (PQgetisnull(res, row, ci)) {
			int rc = db_col_null(c, r, i, name);
			if (rc)
				return rc;
			continue;
		}
		Oid t = PQftype(res, ci);
		const char *v = PQgetvalue(res, row, ci);
		size_t n = (size_t)PQgetlength(res, row, ci);
		int rc = 0;
		switch (col->type) {
		case DB_INT:
			/* numeric is what SUM(bigint) gives; it must still be whole. */
			if (!is_int_type(t) && t != OID_NUMERIC)
				return db_col_mismatch(c, r, i, name, pg_type_label(t));
			if (!str_to_int64(v, n, col->out))
				return db_col_mismatch(c, r, i, name,
				                       "a value that is not an int64");
			break;
		case DB_BOOL:
			if (t != OID_BOOL || n != 1 || (v[0] != 't' && v[0] != 'f'))
				return db_col_mismatch(c, r, i, name, pg_type_label(t));
			*(bool *)col->out = v[0] == 't';
			break;
		case DB_REAL: {
			if (!is_int_type(t) && t != OID_FLOAT4 && t != OID_FLOAT8 &&
			    t != OID_NUMERIC)
				return db_col_mismatch(c, r, i, name, pg_type_label(t));
			char *end = NULL;
			double d = n ? strtod_l(v, &end, pc->c_locale) : 0.0;
			if (!n || v[0] == ' ' || end != v + n)
				return db_col_mismatch(c, r, i, name, "a malformed number");
			*(double *)col->out = d;
			break;
		}
		case DB_TEXT:
			if (is_int_type(t) || t == OID_BOOL || t == OID_BYTEA || t == OID_FLOAT4 ||
			    t == OID_FLOAT8 || t == OID_NUMERIC)
				return db_col_mismatch(c, r, i, name, pg_type_label(t));
			rc = db_col_text(c, r, i, v, n);
			break;
		case DB_BLOB:
			if (t != OID_BYTEA)
				return db_col_mismatch(c, r, i, name, pg_type_label(t));
			/* bytea_output is set to hex at connect. */
			if (n < 2 || v[0] != '\\' || v[1] != 'x' || (n - 2) % 2 != 0)
				return db_col_mismatch(c, r, i, name, "bytea not in hex format");
			rc = db_col_blob(c, r, i, v + 2, (n - 2) / 2, unhex);
			break;
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

static int pg_run(struct db_conn *c, const struct db_run *r)
{
	struct pg_conn *pc = pgc(c);
	int rc = pg_bind(c, r);
	if (rc)
		return rc;
	char name[16];
	stmt_name(name, sizeof name, r->slot_no);
	PGresult *res = NULL;
	if (pc->pending) {
		/* Behind what was sent ahead: one round trip for all of it. */
		if (PQsendQueryPrepared(pc->pg, name, (int)r->nparams, pc->values, pc->lengths,
		                        pc->formats, 0) != 1 ||
		    PQpipelineSync(pc->pg) != 1) {
			pc->pending = 0;
			c->broken = true;
			return pg_fail(c, r->stmt->name, NULL);
		}
		rc = pg_collect(c, r->stmt->name, &res);
		if (rc) {
			PQclear(res);
			return rc;
		}
	} else {
		res = PQexecPrepared(pc->pg, name, (int)r->nparams, pc->values, pc->lengths,
		                     pc->formats, 0);
		if (!pg_ok(res)) {
			rc = pg_fail(c, r->stmt->name, res);
			PQclear(res);
			return rc;
		}
	}
	int rows = PQntuples(res);
	if (r->mode == RUN_EXEC) {
		/* SELECT reports its row count too; changes means rows written. */
		const char *ct = PQcmdTuples(res);
		int64_t n;
		if (r->changes && *ct && strncmp(PQcmdStatus(res), "SELECT", 6) != 0 &&
		    str_to_int64(ct, strlen(ct), &n))
			*r->changes = n;
	} else if (r->cols && (int)r->ncols != PQnfields(res)) {
		rc = db_fail(c, CAMPUS_EDB, "%s: %u column specs for %d result columns",
		             r->stmt->name, r->ncols, PQnfields(res));
	} else if (r->mode == RUN_ROW) {
		if (rows == 0)
			rc = CAMPUS_ENOTFOUND;
		else if (rows > 1)
			rc =
			    db_fail(c, CAMPUS_EDB, "%s: returned more than one row", r->stmt->name);
		else if (r->cols)
			rc = pg_decode(c, r, res, 0);
	} else {
		for (int i = 0; i < rows && rc == 0; i++) {
			if (r->cols)
				rc = pg_decode(c, r, res, i);
			if (rc == 0 && r->row)
				rc = r->row(r->cls);
		}
	}
	PQclear(res);
	return rc;
}

static int pg_run_later(struct db_conn *c, const struct db_run *r)
{
	struct pg_conn *pc = pgc(c);
	int rc = pc->pending == PG_PIPE_MAX ? pg_flush(c) : 0;
	if (!rc)
		rc = pg_bind(c, r);
	if (rc)
		return rc;
	if (!pc->pending && PQenterPipelineMode(pc->pg) != 1)
		return db_fail(c, CAMPUS_EDB, "%s: cannot enter pipeline mode", r->stmt->name);
	char name[16];
	stmt_name(name, sizeof name, r->slot_no);
	if (PQsendQueryPrepared(pc->pg, name, (int)r->nparams, pc->values, pc->lengths, pc->formats,
	                        0) != 1) {
		rc = pg_fail(c, r->stmt->name, NULL);
		if (pc->pending)
			pg_flush(c);
		else
			PQexitPipelineMode(pc->pg);
		return rc;
	}
	pc->pending_names[pc->pending++] = r->stmt->name;
	return 0;
}

static int pg_script(struct db_conn *c, const char *what, const char *sql)
{
	return pg_simple(c, what, sql);
}

static int pg_begin(struct db_conn *c, enum db_tx_kind kind)
{
	const char *sql;
	switch (kind) {
	/* REPEATABLE READ gives readers one snapshot for the whole transaction,
	 * like SQLite's; read-only transactions there never fail to serialise. */
	case TX_READ:
		sql = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
		break;
	case TX_WRITE:
		sql = "BEGIN ISOLATION LEVEL SERIALIZABLE";
		break;
	/* The migration runner waits for an advisory lock and must then see what
	 * the previous holder committed: a snapshot per statement. */
	case TX_MIGRATE:
	default:
		sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
		break;
	}
	return pg_simple(c, "BEGIN", sql);
}

static int pg_commit(struct db_conn *c)
{
	struct pg_conn *pc = pgc(c);
	PGresult *res = NULL;
	int rc = 0;
	if (pc->pending) {
		/* Behind what was sent ahead: one round trip for it and the
		 * commit. A failure among them aborts the rest of the pipeline,
		 * COMMIT included, and leaves the transaction for ROLLBACK. */
		if (PQsendQueryParams(pc->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
		    PQpipelineSync(pc->pg) != 1) {
			pc->pending = 0;
			c->broken = true;
			return pg_fail(c, "COMMIT", NULL);
		}
		rc = pg_collect(c, "COMMIT", &res);
		if (rc) {
			PQclear(res);
			return rc;
		}
	} else {
		res = PQexec(pc->pg, "COMMIT");
	}
	if (!pg_ok(res))
		rc = pg_fail(c, "COMMIT", res);
	else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		/* COMMIT of an aborted transaction "succeeds" as a rollback. */
		rc = db_fail(c, CAMPUS_EDB,
		             "COMMIT: the transaction had failed and was rolled back");
	PQclear(res);
	return rc;
}

static bool pg_tx_active(struct db_conn *c)
{
	pg_flush(c); /* an error here was reported already, or is moot now */
	PGTransactionStatusType st = PQtransactionStatus(pgc(c)->pg);
	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

static void pg_rollback(struct db_conn *c)
{
	pg_flush(c);
	if (pg_tx_active(c))
		PQclear(PQexec(pgc(c)->pg, "ROLLBACK"));
}

static void pg_close(struct db_conn *c)
{
	struct pg_conn *pc = pgc(c);
	PQfinish(pc->pg);
	freelocale(pc->c_locale);
	buf_fini(&pc->scratch);
	free(pc->values);
	free(pc->lengths);
	free(pc->formats);
	free(pc->offsets);
	db_conn_fini(c);
	free(pc);
}

/* Session-level advisory locks: taken before BEGIN, so the transaction's
 * snapshot already sees what the previous holder committed. */
static int pg_advisory(struct db_conn *c, const char *sql, int64_t key)
{
	int frc = pg_flush(c);
	if (frc)
		return frc;
	char text[24];
	snprintf(text, sizeof text, "%" PRId64, key);
	const char *values[1] = {text};
	PGresult *res = PQexecParams(pgc(c)->pg, sql, 1, NULL, values, NULL, NULL, 0);
	int rc = pg_ok(res) ? 0 : pg_fail(c, "advisory lock", res);
	PQclear(res);
	return rc;
}

static int pg_lock(struct db_conn *c, int64_t key)
{
	return pg_advisory(c, "SELECT pg_advisory_lock($1::bigint)", key);
}

static void pg_unlock(struct db_conn *c, int64_t key)
{
	pg_advisory(c, "SELECT pg_advisory_unlock($1::bigint)", key);
}

static const struct db_backend pg_backend = {
    .dialect = DB_POSTGRES,
    .close = pg_close,
    .prepare = pg_prepare,
    .run = pg_run,
    .run_later = pg_run_later,
    .script = pg_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .tx_active = pg_tx_active,
    .lock = pg_lock,
    .unlock = pg_unlock,
};

/* libpq's message with every form of the password blanked out: as written in
 * the URL and as libpq resolved it (decoded, or from PGPASSWORD). */
static void pg_connect_error(PGconn *pg, const char *url, struct buf *err)
{
	if (!err)
		return;
	char *msg = xstrdup(pg ? PQerrorMessage(pg) : "out of memory");
	char *raw = db_url_password(url);
	db_scrub(msg, raw);
	free(raw);
	PQconninfoOption *opts = pg ? PQconninfo(pg) : NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0)
			db_scrub(msg, o->val);
	PQconninfoFree(opts);
	/* Multi-line (one line per address tried): fold into one log line. */
	size_t len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	buf_puts(err, "cannot connect to PostgreSQL at ");
	db_url_redact(url, err);
	buf_printf(err, ": %s", msg);
	free(msg);
}

int db_pg_open(const char *url, unsigned flags, struct db_conn **out, struct buf *err)
{
	(void)flags;
	*out = NULL;
	/* Entries before dbname are defaults the URL may override; entries
	 * after it are forced. */
	const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
	                            "client_encoding", NULL};
	const char *const vals[] = {"5", "campus", url, "UTF8", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		pg_connect_error(pg, url, err);
		PQfinish(pg);
		return CAMPUS_EUNAVAIL;
	}
	PQsetNoticeProcessor(pg, pg_notice, NULL);
	if (PQserverVersion(pg) < 100000) {
		if (err)
			buf_printf(err, "PostgreSQL %d is too old: Campus needs 10 or newer",
			           PQserverVersion(pg) / 10000);
		PQfinish(pg);
		return CAMPUS_EUNAVAIL;
	}
	PGresult *res = PQexec(pg, "SET bytea_output = 'hex'");
	if (!pg_ok(res)) {
		if (err)
			buf_printf(err, "PostgreSQL: cannot set bytea_output: %s",
			           PQerrorMessage(pg));
		PQclear(res);
		PQfinish(pg);
		return CAMPUS_EUNAVAIL;
	}
	PQclear(res);
	struct pg_conn *pc = xcalloc(1, sizeof *pc);
	db_conn_init(&pc->base, &pg_backend);
	pc->pg = pg;
	pc->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (pc->c_locale == (locale_t)0) {
		if (err)
			buf_puts(err, "cannot create the C locale");
		PQfinish(pg);
		free(pc);
		return CAMPUS_EINTERNAL;
	}
	buf_init(&pc->scratch, NULL, 0);
	*out = &pc->base;
	return 0;
}
