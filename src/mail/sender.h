/* Delivers the outbox over SMTP (libcurl). Rows are claimed in a write
 * transaction (PostgreSQL: FOR UPDATE SKIP LOCKED) by moving their
 * next_attempt_at a lease ahead, so two processes never send the same row at
 * once; the message then goes out with no transaction open, and the result is
 * written back: sent_at, or attempts + 1, a later next_attempt_at (backoff)
 * and last_error. A process that dies while sending leaves the row due again
 * when the lease ends (at-least-once delivery). */
#ifndef CAMPUS_MAIL_SENDER_H
#define CAMPUS_MAIL_SENDER_H

#include <stdint.h>

struct db_conn;
struct db_pool;
struct mail_sender;

struct mail_sender_opts {
	const char *smtp_url;  /* smtp://host:port or smtps://...; "" : keep mail queued */
	const char *mail_from; /* "Campus <noreply@campus.example>" */
};

#define MAIL_LEASE_SECONDS 300
#define MAIL_BATCH 20

/* Seconds to wait after the n-th failed attempt (n >= 1): 5, 10, 20, ... up to an hour. */
int64_t mail_backoff(int64_t attempts);

/* Send what is due at `now` (at most MAIL_BATCH rows); *sent and *failed count
 * them. 0, or a database error. */
int mail_deliver_due(struct db_conn *db, const struct mail_sender_opts *opts, int64_t now,
                     unsigned *sent, unsigned *failed);

/* A background thread that delivers every second from connections of pool.
 * Signals SIGTERM and SIGINT stay blocked in it (the server takes them). */
int mail_sender_start(struct db_pool *pool, const struct mail_sender_opts *opts,
                      struct mail_sender **out);
/* Stops the thread (a transfer under way finishes first) and frees it. */
void mail_sender_stop(struct mail_sender *s);

#endif
