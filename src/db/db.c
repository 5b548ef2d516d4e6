/* Shared half of the storage port: URL handling, statement slots, the checks
 * every call goes through, the transaction retry loop, the pool and the
 * migration runner. The backends only talk to their driver. */
#include "db/db.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db_internal.h"

/* ---- connections ------------------------------------------------------------ */

void db_conn_init(struct db_conn *c, const struct db_backend *be)
{
	memset(c, 0, sizeof *c);
	c->be = be;
}

void db_conn_fini(struct db_conn *c)
{
	free(c->slots);
	c->slots = NULL;
	c->nslots = 0;
}

int db_fail(struct db_conn *c, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
	va_end(ap);
	/* PostgreSQL aborts a transaction on any error while SQLite only undoes the
	 * statement; dooming it here makes both behave like PostgreSQL. */
	if (c->in_tx && c->tx_rc == 0)
		c->tx_rc = rc;
	return rc;
}

const char *db_errmsg(const struct db_conn *c)
{
	return c ? c->errmsg : "";
}

enum db_dialect db_dialect(const struct db_conn *c)
{
	return c->be->dialect;
}

bool db_in_tx(const struct db_conn *c)
{
	return c->in_tx;
}

const char *db_type_name(enum db_type t)
{
	switch (t) {
	case DB_END:
		return "end";
	case DB_NULL:
		return "null";
	case DB_INT:
		return "int";
	case DB_BOOL:
		return "bool";
	case DB_TEXT:
		return "text";
	case DB_BLOB:
		return "blob";
	case DB_REAL:
		return "real";
	}
	return "unknown";
}

/* ---- URLs ----------------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int db_url_dialect(const char *url, enum db_dialect *out)
{
	if (!url)
		return CAMPUS_EINVAL;
	if (has_prefix(url, "sqlite:") && url[7] != '\0') {
		*out = DB_SQLITE;
		return 0;
	}
	if (has_prefix(url, "postgres://") || has_prefix(url, "postgresql://")) {
		*out = DB_POSTGRES;
		return 0;
	}
	return CAMPUS_EINVAL;
}

/* The userinfo password of a URL: [start, end) or false. */
static bool url_password_span(const char *url, size_t *start, size_t *end)
{
	const char *p = strstr(url, "://");
	if (!p)
		return false;
	p += 3;
	size_t auth_len = strcspn(p, "/?#");
	const char *at = NULL;
	for (size_t i = 0; i < auth_len; i++)
		if (p[i] == '@')
			at = p + i; /* the last '@' ends the userinfo */
	if (!at)
		return false;
	const char *colon = memchr(p, ':', (size_t)(at - p));
	if (!colon)
		return false;
	*start = (size_t)(colon + 1 - url);
	*end = (size_t)(at - url);
	return true;
}

char *db_url_password(const char *url)
{
	size_t s, e;
	if (!url_password_span(url, &s, &e) || s == e)
		return NULL;
	return xstrndup(url + s, e - s);
}

int db_url_redact(const char *url, struct buf *out)
{
	if (!url)
		return buf_puts(out, "(none)");
	size_t s, e;
	size_t from = 0;
	if (url_password_span(url, &s, &e)) {
		buf_append(out, url, s);
		buf_puts(out, "***");
		from = e;
	}
	/* libpq also takes password=... in the query string. */
	const char *q = strchr(url + from, '?');
	if (!q)
		return buf_puts(out, url + from);
	buf_append(out, url + from, (size_t)(q - (url + from)));
	const char *p = q;
	while (*p) {
		size_t seg = strcspn(p + 1, "&") + 1; /* includes the leading ? or & */
		if (has_prefix(p + 1, "password=")) {
			buf_append(out, p, 1 + strlen("password="));
			buf_puts(out, "***");
		} else {
			buf_append(out, p, seg);
		}
		p += seg;
	}
	return out->overflow ? CAMPUS_ETOOBIG : 0;
}

void db_scrub(char *s, const char *secret)
{
	if (!s || !secret || !*secret)
		return;
	size_t n = strlen(secret);
	for (char *p = strstr(s, secret); p; p = strstr(p + n, secret))
		memset(p, '*', n);
}

/* ---- open/close -------------------------------------------------------------------- */

int db_open(const char *url, unsigned flags, struct db_conn **out, struct buf *err)
{
	*out = NULL;
	enum db_dialect d;
	if (db_url_dialect(url, &d) != 0) {
		if (err)
			buf_puts(err, "unsupported database URL: use sqlite:PATH, sqlite::memory: "
			              "or postgres://...");
		return CAMPUS_EINVAL;
	}
	if (d == DB_SQLITE)
		return db_sqlite_open(url + strlen("sqlite:"), flags, out, err);
	return db_pg_open(url, flags, out, err);
}

void db_close(struct db_conn *c)
{
	if (!c)
		return;
	if (c->in_tx)
		log_error("db: closing a connection inside a transaction");
	c->be->close(c);
}

/* ---- statements -------------------------------------------------------------------- */

static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned slot_next; /* guarded by slot_mu */

static unsigned stmt_slot(struct db_stmt *s)
{
	unsigned slot = atomic_load_explicit(&s->slot, memory_order_acquire);
	if (slot)
		return slot;
	/* A lock, not a bare fetch_add, so racing first uses do not burn slots. */
	pthread_mutex_lock(&slot_mu);
	slot = atomic_load_explicit(&s->slot, memory_order_relaxed);
	if (!slot) {
		slot = ++slot_next;
		atomic_store_explicit(&s->slot, slot, memory_order_release);
	}
	pthread_mutex_unlock(&slot_mu);
	return slot;
}

static struct db_slot *conn_slot(struct db_conn *c, unsigned slot)
{
	if (slot >= c->nslots) {
		unsigned n = c->nslots ? c->nslots : 32;
		while (n <= slot)
			n *= 2;
		c->slots = xrealloc(c->slots, n * sizeof *c->slots);
		memset(c->slots + c->nslots, 0, (n - c->nslots) * sizeof *c->slots);
		c->nslots = n;
	}
	return &c->slots[slot];
}

static int check_params(struct db_conn *c, const struct db_stmt *s, const struct db_param *p,
                        unsigned *count)
{
	unsigned n = 0;
	for (; p && p[n].type != DB_END; n++) {
		switch (p[n].type) {
		case DB_NULL:
		case DB_INT:
		case DB_BOOL:
		case DB_REAL:
		case DB_BLOB:
			break;
		case DB_TEXT:
			/* A NUL would be cut off by PostgreSQL and kept by SQLite. */
			if (p[n].p && p[n].n != DB_NTS && memchr(p[n].p, 0, p[n].n))
				return db_fail(c, CAMPUS_EINVAL,
				               "%s: text parameter $%u contains a NUL byte",
				               s->name, n + 1);
			break;
		case DB_END:
		default:
			return db_fail(c, CAMPUS_EINTERNAL, "%s: parameter $%u has no valid type",
			               s->name, n + 1);
		}
		if (n >= 65535)
			return db_fail(c, CAMPUS_EINTERNAL, "%s: too many parameters", s->name);
	}
	*count = n;
	return 0;
}

static int check_cols(struct db_conn *c, const struct db_stmt *s, const struct db_col *cols,
                      struct arena *a, unsigned *count)
{
	unsigned n = 0;
	for (; cols && cols[n].type != DB_END; n++) {
		const struct db_col *col = &cols[n];
		switch (col->type) {
		case DB_NULL:
			continue;
		case DB_INT:
		case DB_BOOL:
		case DB_REAL:
			break;
		case DB_TEXT:
		case DB_BLOB:
			if (!a)
				return db_fail(c, CAMPUS_EINTERNAL, "%s: column %u needs an arena",
				               s->name, n + 1);
			if (col->type == DB_BLOB && !col->len)
				return db_fail(c, CAMPUS_EINTERNAL,
				               "%s: blob column %u has no length", s->name, n + 1);
			break;
		case DB_END:
		default:
			return db_fail(c, CAMPUS_EINTERNAL, "%s: column %u has no valid type",
			               s->name, n + 1);
		}
		if (!col->out)
			return db_fail(c, CAMPUS_EINTERNAL, "%s: column %u has no output", s->name,
			               n + 1);
	}
	*count = n;
	return 0;
}

static int run(struct db_conn *c, struct db_stmt *s, const struct db_param *params,
               const struct db_col *cols, struct arena *a, enum db_run_mode mode,
               int (*row)(void *), void *cls, int64_t *changes)
{
	if (!c || !s)
		return CAMPUS_EINTERNAL;
	if (changes)
		*changes = 0;
	if (c->broken)
		return db_fail(c, CAMPUS_EUNAVAIL, "%s: the database connection was lost", s->name);
	/* Keep the first error's message: it says why the transaction failed. */
	if (c->in_tx && c->tx_rc)
		return c->tx_rc;

	struct db_run r = {.stmt = s,
	                   .params = params,
	                   .cols = cols,
	                   .arena = a,
	                   .mode = mode,
	                   .row = row,
	                   .cls = cls,
	                   .changes = changes};
	int rc = check_params(c, s, params, &r.nparams);
	if (rc == 0 && (mode == RUN_ROW || mode == RUN_QUERY))
		rc = check_cols(c, s, cols, a, &r.ncols);
	if (rc)
		return rc;
	if (mode == RUN_EXEC || mode == RUN_LATER)
		r.cols = NULL;

	r.slot_no = stmt_slot(s);
	r.slot = conn_slot(c, r.slot_no);
	if (!r.slot->ready) {
		const char *sql =
		    c->be->dialect == DB_SQLITE && s->sql_sqlite ? s->sql_sqlite : s->sql;
		rc = c->be->prepare(c, s, sql, r.slot_no, r.slot);
		if (rc)
			return rc;
	}
	if ((unsigned)r.slot->nparams != r.nparams)
		return db_fail(c, CAMPUS_EDB, "%s: statement takes %d parameters, %u given",
		               s->name, r.slot->nparams, r.nparams);
	return mode == RUN_LATER ? c->be->run_later(c, &r) : c->be->run(c, &r);
}

int db_exec(struct db_conn *c, struct db_stmt *s, const struct db_param *params, int64_t *changes)
{
	return run(c, s, params, NULL, NULL, RUN_EXEC, NULL, NULL, changes);
}

int db_exec_later(struct db_conn *c, struct db_stmt *s, const struct db_param *params)
{
	if (!c || !c->in_tx || c->tx_kind != TX_WRITE || !c->be->run_later)
		return db_exec(c, s, params, NULL);
	return run(c, s, params, NULL, NULL, RUN_LATER, NULL, NULL, NULL);
}

int db_query_row(struct db_conn *c, struct db_stmt *s, const struct db_param *params,
                 const struct db_col *cols, struct arena *a)
{
	return run(c, s, params, cols, a, RUN_ROW, NULL, NULL, NULL);
}

int db_query(struct db_conn *c, struct db_stmt *s, const struct db_param *params,
             const struct db_col *cols, struct arena *a, int (*row)(void *), void *cls)
{
	return run(c, s, params, cols, a, RUN_QUERY, row, cls, NULL);
}

/* ---- column decoding helpers ---------------------------------------------------------- */

int db_col_null(struct db_conn *c, const struct db_run *r, unsigned i, const char *colname)
{
	const struct db_col *col = &r->cols[i];
	if (!col->is_null)
		return db_fail(c, CAMPUS_EDB,
		               "%s: column %u (%s) is NULL but not declared nullable",
		               r->stmt->name, i + 1, colname ? colname : "?");
	*col->is_null = true;
	switch (col->type) {
	case DB_INT:
		*(int64_t *)col->out = 0;
		break;
	case DB_BOOL:
		*(bool *)col->out = false;
		break;
	case DB_REAL:
		*(double *)col->out = 0.0;
		break;
	case DB_TEXT:
	case DB_BLOB: {
		void *none = NULL;
		memcpy(col->out, &none, sizeof none);
		if (col->len)
			*col->len = 0;
		break;
	}
	case DB_END:
	case DB_NULL:
		break;
	}
	return 0;
}

int db_col_mismatch(struct db_conn *c, const struct db_run *r, unsigned i, const char *colname,
                    const char *got)
{
	return db_fail(c, CAMPUS_EDB, "%s: column %u (%s): expected %s, got %s", r->stmt->name,
	               i + 1, colname ? colname : "?", db_type_name(r->cols[i].type), got);
}

int db_col_text(struct db_conn *c, const struct db_run *r, unsigned i, const char *p, size_t n)
{
	const struct db_col *col = &r->cols[i];
	char *s = arena_strndup(r->arena, p, n);
	if (!s)
		return db_fail(c, CAMPUS_ENOMEM, "%s: column %u does not fit in the arena",
		               r->stmt->name, i + 1);
	memcpy(col->out, &s, sizeof s);
	if (col->len)
		*col->len = n;
	if (col->is_null)
		*col->is_null = false;
	return 0;
}

int db_col_blob(struct db_conn *c, const struct db_run *r, unsigned i, const void *p, size_t n,
                bool (*fill)(void *dst, const void *src, size_t n))
{
	const struct db_col *col = &r->cols[i];
	/* Never NULL, even when empty: NULL means SQL NULL. */
	void *d = arena_alloc(r->arena, n ? n : 1);
	if (!d)
		return db_fail(c, CAMPUS_ENOMEM, "%s: column %u does not fit in the arena",
		               r->stmt->name, i + 1);
	if (fill) {
		if (!fill(d, p, n))
			return db_col_mismatch(c, r, i, NULL, "malformed bytea");
	} else if (n) {
		memcpy(d, p, n);
	}
	memcpy(col->out, &d, sizeof d);
	*col->len = n;
	if (col->is_null)
		*col->is_null = false;
	return 0;
}

/* ---- transactions -------------------------------------------------------------------- */

static void backoff_sleep(unsigned *delay_us)
{
	static _Thread_local unsigned seed;
	if (!seed) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		seed = (unsigned)now.tv_nsec ^ (unsigned)(uintptr_t)&seed ^ 1u;
	}
	/* Jitter in [d/2, d] so two losers do not collide again in lockstep. */
	unsigned d = *delay_us;
	unsigned us = d / 2 + (unsigned)rand_r(&seed) % (d / 2 + 1);
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	*delay_us = d >= 50000 ? 100000 : d * 2;
}

static void pool_note_retry(struct db_pool *pool);

/* Fairness between the threads of one process. Measured on PostgreSQL: a
 * thread running write transactions back to back on a hot row beat a thread
 * that had just lost and slept every single time, so backoff alone let the
 * loser exhaust its attempts. While a write transaction is being retried,
 * new write transactions here wait (briefly, bounded) before their BEGIN so
 * the retry gets a clear run. One atomic load when nobody is retrying. */
#define TURN_WAIT_MS 10

static pthread_once_t turn_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t turn_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv;
static unsigned turn_retriers;     /* guarded by turn_mu */
static _Atomic unsigned turn_hint; /* copy of turn_retriers for the fast path */

static void turn_init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&turn_cv, &attr);
	pthread_condattr_destroy(&attr);
}

static void turn_wait(void)
{
	if (atomic_load_explicit(&turn_hint, memory_order_relaxed) == 0)
		return;
	pthread_once(&turn_once, turn_init);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += TURN_WAIT_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&turn_mu);
	while (turn_retriers > 0 && pthread_cond_timedwait(&turn_cv, &turn_mu, &until) == 0)
		;
	pthread_mutex_unlock(&turn_mu);
}

static void turn_enter(void)
{
	pthread_once(&turn_once, turn_init);
	pthread_mutex_lock(&turn_mu);
	turn_retriers++;
	atomic_store_explicit(&turn_hint, turn_retriers, memory_order_relaxed);
	pthread_mutex_unlock(&turn_mu);
}

static void turn_leave(void)
{
	pthread_mutex_lock(&turn_mu);
	turn_retriers--;
	atomic_store_explicit(&turn_hint, turn_retriers, memory_order_relaxed);
	pthread_cond_broadcast(&turn_cv);
	pthread_mutex_unlock(&turn_mu);
}

/* Numbers for db_tx_serial, unique in the process. */
static _Atomic uint64_t tx_serials;

static int tx_run(struct db_conn *c, enum db_tx_kind kind, int (*fn)(struct db_conn *, void *),
                  void *cls)
{
	if (!c || !fn)
		return CAMPUS_EINTERNAL;
	if (c->in_tx)
		return db_fail(c, CAMPUS_EINTERNAL,
		               "db_tx_run: nested transaction on one connection");
	if (kind == TX_WRITE)
		turn_wait();
	bool retrying = false;
	unsigned delay_us = 1000;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int rc;
	for (int attempt = 1;; attempt++) {
		if (c->broken) {
			rc = db_fail(c, CAMPUS_EUNAVAIL, "the database connection was lost");
			break;
		}
		rc = c->be->begin(c, kind);
		if (rc == 0) {
			c->in_tx = true;
			c->tx_kind = kind;
			c->tx_serial = atomic_fetch_add(&tx_serials, 1) + 1;
			c->tx_rc = 0;
			rc = fn(c, cls);
			/* fn may have swallowed an error: never commit half a transaction. */
			if (rc == 0 && c->tx_rc)
				rc = c->tx_rc;
			c->in_tx = false;
			if (rc == 0)
				rc = c->be->commit(c);
			if (rc != 0 && c->be->tx_active(c))
				c->be->rollback(c);
			c->tx_rc = 0;
		}
		if (rc != CAMPUS_EBUSY || attempt >= DB_TX_MAX_ATTEMPTS || c->broken)
			break;
		/* SQLite may already have waited busy_timeout inside each attempt:
		 * stop before a request hangs for a minute. */
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= DB_TX_RETRY_SECONDS)
			break;
		if (kind == TX_WRITE && !retrying) {
			turn_enter();
			retrying = true;
		}
		pool_note_retry(c->pool);
		backoff_sleep(&delay_us);
	}
	if (retrying)
		turn_leave();
	return rc;
}

int db_tx_run_keyed(struct db_conn *c, int64_t key, int (*fn)(struct db_conn *, void *),
                    void *cls)
{
	if (!c || !c->be->lock)
		return tx_run(c, TX_WRITE, fn, cls);
	if (c->in_tx)
		return db_fail(c, CAMPUS_EINTERNAL, "db_tx_run_keyed: nested transaction on one connection");
	int rc = c->be->lock(c, key);
	if (rc)
		return rc;
	rc = tx_run(c, TX_WRITE, fn, cls);
	c->be->unlock(c, key);
	return rc;
}

uint64_t db_tx_serial(const struct db_conn *c)
{
	return c && c->in_tx ? c->tx_serial : 0;
}

int db_tx_run(struct db_conn *c, enum db_tx_mode mode, int (*fn)(struct db_conn *, void *),
              void *cls)
{
	if (mode != DB_TX_READ && mode != DB_TX_WRITE)
		return CAMPUS_EINTERNAL;
	return tx_run(c, mode == DB_TX_READ ? TX_READ : TX_WRITE, fn, cls);
}

/* ---- pool -------------------------------------------------------------------------------- */

struct db_pool {
	char *url;
	unsigned size;
	unsigned flags;
	enum db_dialect dialect;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_conn **idle; /* stack of size entries */
	unsigned nidle;
	unsigned open; /* including ones being opened */
	unsigned in_use;
	uint64_t acquires;
	uint64_t waits;
	_Atomic uint64_t tx_retries;
	bool closing;
};

static void pool_note_retry(struct db_pool *pool)
{
	if (pool)
		atomic_fetch_add_explicit(&pool->tx_retries, 1, memory_order_relaxed);
}

struct db_pool *db_pool_open(const char *url, unsigned size, unsigned flags, struct buf *err)
{
	enum db_dialect d;
	if (db_url_dialect(url, &d) != 0) {
		if (err)
			buf_puts(err, "unsupported database URL: use sqlite:PATH, sqlite::memory: "
			              "or postgres://...");
		return NULL;
	}
	if (size == 0 || (d == DB_SQLITE && strcmp(url, "sqlite::memory:") == 0))
		size = 1;
	struct db_conn *first;
	if (db_open(url, flags, &first, err) != 0)
		return NULL;
	struct db_pool *p = xcalloc(1, sizeof *p);
	p->url = xstrdup(url);
	p->size = size;
	p->flags = flags;
	p->dialect = d;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->idle = xcalloc(size, sizeof *p->idle);
	first->pool = p;
	p->idle[p->nidle++] = first;
	p->open = 1;
	return p;
}

/* Called with p->mu held. Acquirers and db_pool_close share the condition:
 * while closing, wake everyone so the closer cannot miss its turn. */
static void pool_wake(struct db_pool *p)
{
	if (p->closing)
		pthread_cond_broadcast(&p->cv);
	else
		pthread_cond_signal(&p->cv);
}

struct db_conn *db_pool_acquire(struct db_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->acquires++;
	bool waited = false;
	for (;;) {
		if (p->closing) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		if (p->nidle > 0) {
			struct db_conn *c = p->idle[--p->nidle];
			p->in_use++;
			pthread_mutex_unlock(&p->mu);
			return c;
		}
		if (p->open < p->size)
			break;
		if (!waited) {
			p->waits++;
			waited = true;
		}
		pthread_cond_wait(&p->cv, &p->mu);
	}
	/* Reserve the slot, then connect without holding the lock. */
	p->open++;
	p->in_use++;
	pthread_mutex_unlock(&p->mu);

	struct db_conn *c = NULL;
	struct buf err;
	buf_init(&err, NULL, 1024);
	int rc = db_open(p->url, p->flags, &c, &err);
	if (rc == 0) {
		c->pool = p;
	} else {
		log_error("db: cannot open a pooled connection: %s", buf_cstr(&err));
		pthread_mutex_lock(&p->mu);
		p->open--;
		p->in_use--;
		pool_wake(p);
		pthread_mutex_unlock(&p->mu);
	}
	buf_fini(&err);
	return c;
}

void db_pool_release(struct db_pool *p, struct db_conn *c)
{
	if (!c)
		return;
	if (c->in_tx) {
		/* Only a bug gets here (db_tx_run always ends its transaction). */
		log_error("db: connection released inside a transaction");
		c->broken = true;
	}
	if (!c->broken && c->be->tx_active(c))
		c->be->rollback(c);
	bool drop = c->broken;
	if (drop)
		db_close(c);
	pthread_mutex_lock(&p->mu);
	p->in_use--;
	if (drop)
		p->open--;
	else
		p->idle[p->nidle++] = c;
	pool_wake(p);
	pthread_mutex_unlock(&p->mu);
}

void db_pool_close(struct db_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_broadcast(&p->cv);
	if (p->in_use)
		log_warn("db: pool closing with %u connections in use; waiting", p->in_use);
	while (p->in_use)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nidle; i++)
		db_close(p->idle[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->idle);
	free(p->url);
	free(p);
}

enum db_dialect db_pool_dialect(const struct db_pool *p)
{
	return p->dialect;
}

void db_pool_stats(struct db_pool *p, struct db_pool_stats *out)
{
	pthread_mutex_lock(&p->mu);
	out->size = p->size;
	out->open = p->open;
	out->in_use = p->in_use;
	out->acquires = p->acquires;
	out->waits = p->waits;
	pthread_mutex_unlock(&p->mu);
	out->tx_retries = atomic_load_explicit(&p->tx_retries, memory_order_relaxed);
}

int db_pool_metrics_write(struct db_pool *p, struct buf *out)
{
	if (!p)
		return 0;
	struct db_pool_stats s;
	db_pool_stats(p, &s);
	buf_printf(out,
	           "# HELP campus_db_pool_size Most database connections in the pool.\n"
	           "# TYPE campus_db_pool_size gauge\n"
	           "campus_db_pool_size %u\n"
	           "# HELP campus_db_pool_open Database connections open now.\n"
	           "# TYPE campus_db_pool_open gauge\n"
	           "campus_db_pool_open %u\n"
	           "# HELP campus_db_pool_in_use Database connections acquired now.\n"
	           "# TYPE campus_db_pool_in_use gauge\n"
	           "campus_db_pool_in_use %u\n"
	           "# HELP campus_db_pool_acquires_total Connections handed out.\n"
	           "# TYPE campus_db_pool_acquires_total counter\n"
	           "campus_db_pool_acquires_total %" PRIu64 "\n"
	           "# HELP campus_db_pool_waits_total Acquires that waited for a free connection.\n"
	           "# TYPE campus_db_pool_waits_total counter\n"
	           "campus_db_pool_waits_total %" PRIu64 "\n"
	           "# HELP campus_db_tx_retries_total Transactions run again after a conflict.\n"
	           "# TYPE campus_db_tx_retries_total counter\n"
	           "campus_db_tx_retries_total %" PRIu64 "\n",
	           s.size, s.open, s.in_use, s.acquires, s.waits, s.tx_retries);
	return out->overflow ? CAMPUS_ETOOBIG : 0;
}

/* ---- migrations -------------------------------------------------------------------------- */

/* Same text on both dialects; created by the runner, not by a migration, so
 * the runner can always find out where a database stands. */
static const char schema_migrations_ddl[] = "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
                                            "  version INTEGER PRIMARY KEY,\n"
                                            "  name TEXT NOT NULL,\n"
                                            "  applied_at BIGINT NOT NULL\n"
                                            ")";

DB_STMT(stmt_mig_lock, "SELECT pg_advisory_xact_lock(4851208360871064163)");
DB_STMT(stmt_mig_max, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
DB_STMT(stmt_mig_insert,
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)");
DB_STMT2(stmt_mig_exists,
         "SELECT COUNT(*) FROM pg_catalog.pg_tables"
         " WHERE schemaname = current_schema() AND tablename = 'schema_migrations'",
         "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");

static void migrations_for(enum db_dialect d, const struct db_migration **list, unsigned *count)
{
	if (d == DB_SQLITE) {
		*list = db_migrations_sqlite;
		*count = db_migrations_sqlite_count;
	} else {
		*list = db_migrations_postgres;
		*count = db_migrations_postgres_count;
	}
}

int db_schema_latest(enum db_dialect d)
{
	const struct db_migration *list;
	unsigned count;
	migrations_for(d, &list, &count);
	return count ? list[count - 1].version : 0;
}

struct migrate_state {
	const struct db_migration *list;
	unsigned count;
	const struct db_migration *applied; /* by the last step, NULL: nothing pending */
};

/* One transaction: lock, look where the database stands, apply one migration. */
static int migrate_step(struct db_conn *c, void *cls)
{
	struct migrate_state *st = cls;
	st->applied = NULL;
	int rc;
	if (c->be->dialect == DB_POSTGRES) {
		/* Serialises concurrent migrators; the runner's READ COMMITTED
		 * transaction then reads what the previous holder committed. */
		rc = db_exec(c, &stmt_mig_lock, NULL, NULL);
		if (rc)
			return rc;
	}
	rc = c->be->script(c, "schema_migrations", schema_migrations_ddl);
	if (rc)
		return rc;
	int64_t cur;
	rc = db_query_row(c, &stmt_mig_max, NULL, (const struct db_col[]){DBC_INT(&cur), DBC_END},
	                  NULL);
	if (rc)
		return rc;
	int latest = st->count ? st->list[st->count - 1].version : 0;
	if (cur > latest)
		return db_fail(c, CAMPUS_EDB,
		               "database schema is at version %" PRId64 " but this program knows "
		               "only up to %d: refusing to run an older program on a newer schema",
		               cur, latest);
	const struct db_migration *m = NULL;
	for (unsigned i = 0; i < st->count && !m; i++)
		if (st->list[i].version > cur)
			m = &st->list[i];
	if (!m)
		return 0;
	char what[128];
	snprintf(what, sizeof what, "migration %04d_%s", m->version, m->name);
	rc = c->be->script(c, what, m->sql);
	if (rc)
		return rc;
	rc = db_exec(c, &stmt_mig_insert,
	             (const struct db_param[]){DBP_INT(m->version), DBP_TEXT(m->name),
	                                       DBP_INT(time(NULL)), DBP_END},
	             NULL);
	if (rc)
		return rc;
	st->applied = m;
	return 0;
}

int db_migrate(struct db_conn *c, struct buf *log)
{
	if (!c)
		return CAMPUS_EINTERNAL;
	struct migrate_state st = {0};
	migrations_for(c->be->dialect, &st.list, &st.count);
	for (;;) {
		int rc = tx_run(c, TX_MIGRATE, migrate_step, &st);
		if (rc)
			return rc;
		if (!st.applied)
			return 0;
		log_info("db: applied migration %04d_%s", st.applied->version, st.applied->name);
		if (log)
			buf_printf(log, "applied %04d_%s\n", st.applied->version, st.applied->name);
	}
}

int db_schema_version(struct db_conn *c, int *out)
{
	int64_t n;
	*out = 0;
	int rc = db_query_row(c, &stmt_mig_exists, NULL,
	                      (const struct db_col[]){DBC_INT(&n), DBC_END}, NULL);
	if (rc || n == 0)
		return rc;
	rc = db_query_row(c, &stmt_mig_max, NULL, (const struct db_col[]){DBC_INT(&n), DBC_END},
	                  NULL);
	if (rc)
		return rc;
	if (n < 0 || n > INT32_MAX)
		return db_fail(c, CAMPUS_EDB, "schema_migrations holds version %" PRId64, n);
	*out = (int)n;
	return 0;
}

int db_migrate_check(struct db_conn *c, struct buf *err)
{
	int cur;
	int rc = db_schema_version(c, &cur);
	if (rc) {
		if (err)
			buf_printf(err, "cannot read the schema version: %s", db_errmsg(c));
		return rc;
	}
	int latest = db_schema_latest(c->be->dialect);
	if (cur == latest)
		return 0;
	if (err && cur < latest)
		buf_printf(err,
		           "database schema is at version %d, this program needs %d: "
		           "run `campus migrate` first",
		           cur, latest);
	else if (err)
		buf_printf(err,
		           "database schema is at version %d, newer than this program "
		           "knows (%d): upgrade the program",
		           cur, latest);
	return CAMPUS_EDB;
}

int db_backup(struct db_conn *conn, const char *path, struct buf *err)
{
	if (!conn->be->backup) {
		buf_puts(err, "PostgreSQL: back up with pg_dump (e.g. pg_dump -Fc -f campus.dump DBNAME) "
		              "or with continuous archiving; restore with pg_restore");
		return CAMPUS_EINVAL;
	}
	return conn->be->backup(conn, path, err);
}

void *db_rows_push(struct db_rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		void *data = arena_alloc(r->arena, cap * r->size);
		if (!data)
			return NULL;
		if (r->n)
			memcpy(data, r->data, r->n * r->size);
		r->data = data;
		r->cap = cap;
	}
	void *slot = (char *)r->data + r->size * r->n++;
	memset(slot, 0, r->size);
	return slot;
}

int db_rows_collect(void *cls)
{
	struct db_rows *r = cls;
	void *slot = db_rows_push(r);
	if (!slot)
		return CAMPUS_ENOMEM;
	memcpy(slot, r->cur, r->size);
	return 0;
}

const char *db_like_pattern(struct arena *arena, const char *text, size_t max, int *rc)
{
	*rc = 0;
	if (!text)
		return NULL;
	while (*text == ' ')
		text++;
	size_t n = strlen(text);
	while (n && text[n - 1] == ' ')
		n--;
	if (n == 0)
		return NULL;
	if (n > max || !utf8_valid(text, n)) {
		*rc = CAMPUS_EINVAL;
		return NULL;
	}
	struct buf b;
	buf_init(&b, arena, 2 * n + 3);
	buf_putc(&b, '%');
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '%' || c == '_' || c == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
	buf_putc(&b, '%');
	if (b.overflow) {
		*rc = CAMPUS_ENOMEM;
		return NULL;
	}
	return buf_cstr(&b);
}
