/* Time-driven work inside `campus serve`: once a minute, offers that lapsed,
 * requests to remind or expire and reminders before meetings
 * (enrol_tick). Every serve process runs one; the steps are keyed on their
 * edition and idempotent, so two processes never do a step twice. Every
 * JOBS_TICK_SECONDS, due background jobs (jobs.h), claimed so that two
 * processes never run one job twice. */
#ifndef CAMPUS_WEB_TICKER_H
#define CAMPUS_WEB_TICKER_H

struct db_pool;
struct ticker;

#define TICKER_SECONDS 60

/* Starts the thread; SIGTERM/SIGINT/SIGPIPE stay blocked in it. */
int ticker_start(struct db_pool *pool, struct ticker **out);
/* Stops it (a tick under way finishes first) and frees it. NULL is fine. */
void ticker_stop(struct ticker *t);

#endif
