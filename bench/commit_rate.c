/* The raw durable commit rate of a database: single-row INSERT transactions,
 * nothing else, from N connections at once for a number of seconds. This is
 * the ceiling the enrolment storm (bench/enrol.sh) is compared with: every
 * enrolment is at least one such commit.
 *
 *   commit_rate URL CONNECTIONS SECONDS [SYNC [KIND]]
 *
 * URL is sqlite:PATH or postgres://... (the same database the storm uses).
 * SQLite connections get the pragmas src/db/db_sqlite.c sets (WAL, foreign
 * keys, busy_timeout 5 s) and BEGIN IMMEDIATE like Campus's writers; SYNC is
 * the synchronous setting: FULL (the default: an fsync per commit, durable)
 * or NORMAL (what Campus uses in WAL mode: durable only at checkpoints).
 * PostgreSQL: autocommit INSERTs with synchronous_commit on (SYNC ignored).
 * KIND insert (the default): each commit inserts a row into bench_commits.
 * KIND hot: each commit adds one to the same row of bench_hot, the pattern of
 * an edition's seat counter: on PostgreSQL a commit then holds the row lock
 * until its WAL flush, so the commits on that row form one chain.
 * The tables are created if missing (and the SQLite file with it); drop them
 * after.
 *
 * Prints one line: commit_rate: kind=K connections=N seconds=S commits=C rps=R busy=B
 * Exit status 1 when a connection fails or no commit succeeded. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 512

static const char *url;
static const char *sync_mode = "FULL";
static bool hot;
static bool is_pg;
static double deadline;             /* monotonic seconds: stop starting commits */
static atomic_int ready;            /* workers connected and waiting */
static atomic_bool go, failed;

struct worker {
	pthread_t thread;
	int no;
	uint64_t commits, busy;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_for_go(void)
{
	atomic_fetch_add(&ready, 1);
	while (!atomic_load(&go) && !atomic_load(&failed))
		usleep(1000);
}

static void fail(const char *what, const char *msg)
{
	fprintf(stderr, "commit_rate: %s: %s\n", what, msg);
	atomic_store(&failed, true);
}

/* ---- SQLite ---- */

static sqlite3 *sq_open(void)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(url + 7, &db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		fail("open", db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	char pragmas[200];
	snprintf(pragmas, sizeof pragmas,
	         "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;",
	         sync_mode);
	if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		fail("pragmas", sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void *sq_worker(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = sq_open();
	sqlite3_stmt *begin = NULL, *insert = NULL, *commit = NULL, *rollback = NULL;
	if (db &&
	    (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(db,
	                        hot ? "UPDATE bench_hot SET n = n + 1 WHERE id = 1"
	                            : "INSERT INTO bench_commits (conn, at, note) VALUES (?1, ?2, ?3)",
	                        -1, &insert, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(db, "ROLLBACK", -1, &rollback, NULL) != SQLITE_OK))
		fail("prepare", sqlite3_errmsg(db));
	wait_for_go();
	while (db && !atomic_load(&failed) && now_s() < deadline) {
		int rc = sqlite3_step(begin);
		sqlite3_reset(begin);
		if ((rc & 0xff) == SQLITE_BUSY) {
			w->busy++; /* waited busy_timeout for the write lock: try again */
			continue;
		}
		if (rc != SQLITE_DONE) {
			fail("BEGIN", sqlite3_errmsg(db));
			break;
		}
		if (!hot) {
			sqlite3_bind_int(insert, 1, w->no);
			sqlite3_bind_int64(insert, 2, (int64_t)time(NULL));
			sqlite3_bind_text(insert, 3, "raw commit", -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(insert);
		sqlite3_reset(insert);
		if (rc == SQLITE_DONE) {
			rc = sqlite3_step(commit);
			sqlite3_reset(commit);
		}
		if (rc != SQLITE_DONE) {
			fail("INSERT/COMMIT", sqlite3_errmsg(db));
			sqlite3_step(rollback);
			sqlite3_reset(rollback);
			break;
		}
		w->commits += now_s() <= deadline;
	}
	sqlite3_finalize(begin);
	sqlite3_finalize(insert);
	sqlite3_finalize(commit);
	sqlite3_finalize(rollback);
	sqlite3_close(db);
	return NULL;
}

static int sq_setup(void)
{
	sqlite3 *db = sq_open();
	if (!db)
		return -1;
	char *msg = NULL;
	int rc = sqlite3_exec(db,
	                      "CREATE TABLE IF NOT EXISTS bench_commits (id INTEGER PRIMARY KEY, "
	                      "conn INTEGER NOT NULL, at INTEGER NOT NULL, note TEXT NOT NULL);"
	                      "CREATE TABLE IF NOT EXISTS bench_hot (id INTEGER PRIMARY KEY, "
	                      "n INTEGER NOT NULL);"
	                      "INSERT INTO bench_hot VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
	                      NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail("create table", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* ---- PostgreSQL ---- */

static void quiet(void *cls, const char *message)
{
	(void)cls, (void)message; /* "bench_commits already exists, skipping" */
}

static PGconn *pg_open(void)
{
	PGconn *pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		fail("connect", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, quiet, NULL);
	/* The server's default, said out loud: a commit returns after its WAL
	 * record is flushed to disk. */
	PGresult *res = PQexec(pg, "SET synchronous_commit = on");
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		fail("SET synchronous_commit", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

static void *pg_worker(void *arg)
{
	struct worker *w = arg;
	PGconn *pg = pg_open();
	if (pg) {
		PGresult *res = PQprepare(pg, "ins",
		                          hot ? "UPDATE bench_hot SET n = n + 1 WHERE id = 1"
		                              : "INSERT INTO bench_commits (conn, at, note) VALUES ($1, $2, $3)",
		                          hot ? 0 : 3, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fail("prepare", PQerrorMessage(pg));
		PQclear(res);
	}
	char no[16], at[24];
	snprintf(no, sizeof no, "%d", w->no);
	wait_for_go();
	while (pg && !atomic_load(&failed) && now_s() < deadline) {
		snprintf(at, sizeof at, "%lld", (long long)time(NULL));
		const char *values[] = {no, at, "raw commit"};
		PGresult *res = PQexecPrepared(pg, "ins", hot ? 0 : 3, values, NULL, NULL, 0);
		bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (!ok) {
			fail("INSERT", PQerrorMessage(pg));
			break;
		}
		w->commits += now_s() <= deadline;
	}
	PQfinish(pg);
	return NULL;
}

static int pg_setup(void)
{
	PGconn *pg = pg_open();
	if (!pg)
		return -1;
	PGresult *res = PQexec(pg, "CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, "
	                           "conn integer NOT NULL, at bigint NOT NULL, note text NOT NULL);"
	                           "CREATE TABLE IF NOT EXISTS bench_hot (id integer PRIMARY KEY, "
	                           "n bigint NOT NULL);"
	                           "INSERT INTO bench_hot VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc)
		fail("create table", PQerrorMessage(pg));
	PQclear(res);
	PQfinish(pg);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS [FULL|NORMAL [insert|hot]]\n", argv[0]);
		return 2;
	}
	url = argv[1];
	int n = (int)strtol(argv[2], NULL, 10);
	double seconds = strtod(argv[3], NULL);
	if (argc >= 5)
		sync_mode = argv[4];
	if (argc == 6 && strcmp(argv[5], "hot") != 0 && strcmp(argv[5], "insert") != 0) {
		fprintf(stderr, "commit_rate: KIND is insert or hot\n");
		return 2;
	}
	hot = argc == 6 && strcmp(argv[5], "hot") == 0;
	is_pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
	if (!is_pg && strncmp(url, "sqlite:", 7) != 0) {
		fprintf(stderr, "commit_rate: URL must be sqlite:PATH or postgres://...\n");
		return 2;
	}
	if (n < 1 || n > MAX_CONNECTIONS || seconds <= 0 ||
	    (strcmp(sync_mode, "FULL") != 0 && strcmp(sync_mode, "NORMAL") != 0)) {
		fprintf(stderr, "commit_rate: CONNECTIONS 1..%d, SECONDS > 0, SYNC FULL or NORMAL\n",
		        MAX_CONNECTIONS);
		return 2;
	}
	if ((is_pg ? pg_setup() : sq_setup()) != 0)
		return 1;
	struct worker *w = calloc((size_t)n, sizeof *w);
	if (!w)
		return 1;
	deadline = now_s() + 3600; /* set for real once everyone is connected */
	for (int i = 0; i < n; i++) {
		w[i].no = i;
		if (pthread_create(&w[i].thread, NULL, is_pg ? pg_worker : sq_worker, &w[i]) != 0) {
			fail("pthread_create", "failed");
			n = i;
			break;
		}
	}
	while (atomic_load(&ready) < n && !atomic_load(&failed))
		usleep(1000);
	deadline = now_s() + seconds;
	atomic_store(&go, true);
	uint64_t commits = 0, busy = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		commits += w[i].commits;
		busy += w[i].busy;
	}
	/* Only commits that ended within the measured seconds count; one that
	 * waited out a busy_timeout past the deadline does not stretch them. */
	double took = seconds;
	free(w);
	if (atomic_load(&failed) || commits == 0)
		return 1;
	printf("commit_rate: kind=%s connections=%d seconds=%.2f commits=%" PRIu64 " rps=%.0f busy=%" PRIu64
	       "\n",
	       hot ? "hot" : "insert", n, took, commits, (double)commits / took, busy);
	return 0;
}
