#include "mail/sender.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "mail/message.h"

int64_t mail_backoff(int64_t attempts)
{
	if (attempts < 1)
		attempts = 1;
	if (attempts > 10)
		return 3600;
	int64_t s = (int64_t)5 << (attempts - 1);
	return s > 3600 ? 3600 : s;
}

/* Claim due rows: push their next attempt a lease ahead, so no other process
 * takes them while this one sends. */
DB_STMT2(stmt_outbox_claim,
         "UPDATE outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM outbox "
         "WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $3 "
         "FOR UPDATE SKIP LOCKED) RETURNING id, to_addr, subject, body_text, created_at, attempts, "
         "attachment_name, COALESCE(attachment_type, ''), attachment",
         "UPDATE outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM outbox "
         "WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $3) "
         "RETURNING id, to_addr, subject, body_text, created_at, attempts, "
         "attachment_name, COALESCE(attachment_type, ''), attachment");
DB_STMT(stmt_outbox_sent,
        "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1");
DB_STMT(stmt_outbox_failed,
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 "
        "WHERE id = $1");

struct claimed {
	int64_t id, created_at, attempts;
	char *to, *subject, *body;
	char *attachment_name, *attachment_type; /* name NULL: none */
	void *attachment;
	size_t attachment_len;
};

struct claim_args {
	struct arena *arena;
	int64_t now;
	struct claimed row;
	struct claimed rows[MAIL_BATCH];
	unsigned n;
};

static int claim_row(void *cls)
{
	struct claim_args *a = cls;
	if (a->n < MAIL_BATCH)
		a->rows[a->n++] = a->row;
	return 0;
}

static int claim_tx(struct db_conn *db, void *cls)
{
	struct claim_args *a = cls;
	a->n = 0; /* the transaction may run again */
	bool no_name, no_data;
	struct db_col cols[] = {DBC_INT(&a->row.id),         DBC_TEXT(&a->row.to),
	                        DBC_TEXT(&a->row.subject),   DBC_TEXT(&a->row.body),
	                        DBC_INT(&a->row.created_at), DBC_INT(&a->row.attempts),
	                        DBC_TEXT_OPT(&a->row.attachment_name, &no_name),
	                        DBC_TEXT(&a->row.attachment_type),
	                        DBC_BLOB_OPT(&a->row.attachment, &a->row.attachment_len, &no_data),
	                        DBC_END};
	return db_query(db, &stmt_outbox_claim,
	                (const struct db_param[]){DBP_INT(a->now), DBP_INT(a->now + MAIL_LEASE_SECONDS),
	                                          DBP_INT(MAIL_BATCH), DBP_END},
	                cols, a->arena, claim_row, a);
}

struct result_args {
	int64_t id, when;
	const char *error; /* NULL: sent */
};

static int result_tx(struct db_conn *db, void *cls)
{
	struct result_args *a = cls;
	if (!a->error)
		return db_exec(db, &stmt_outbox_sent,
		               (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->when), DBP_END}, NULL);
	return db_exec(db, &stmt_outbox_failed,
	               (const struct db_param[]){DBP_INT(a->id), DBP_INT(a->when), DBP_TEXT(a->error),
	                                         DBP_END},
	               NULL);
}

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t on_read(char *p, size_t size, size_t n, void *cls)
{
	struct upload *u = cls;
	size_t want = size * n, left = u->len - u->pos;
	if (want > left)
		want = left;
	memcpy(p, u->data + u->pos, want);
	u->pos += want;
	return want;
}

/* A server's words, kept printable ASCII and short, for last_error and the log. */
static void clean_error(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		s[n = max] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"')
			s[i] = ' ';
}

/* One message over SMTP; 0, or nonzero with error (a short text, no secrets). */
static int smtp_send(const struct mail_sender_opts *o, const char *from_addr, const char *to,
                     const struct buf *msg, char *error, size_t errsize)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(error, errsize, "curl_easy_init failed");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	char from_env[300], rcpt_env[300];
	snprintf(from_env, sizeof from_env, "<%s>", from_addr);
	snprintf(rcpt_env, sizeof rcpt_env, "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_env);
	struct upload u = {msg->data, msg->len, 0};
	curl_easy_setopt(c, CURLOPT_URL, o->smtp_url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_env);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return 0;
	clean_error(errbuf, 200);
	snprintf(error, errsize, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), errbuf[0] ? ": " : "",
	         errbuf, code);
	return -1;
}

int mail_deliver_due(struct db_conn *db, const struct mail_sender_opts *o, int64_t now,
                     unsigned *sent, unsigned *failed)
{
	*sent = *failed = 0;
	struct claim_args *a = xcalloc(1, sizeof *a);
	a->arena = arena_new(0);
	a->now = now;
	int rc = db_tx_run(db, DB_TX_WRITE, claim_tx, a);
	char from_addr[256] = "";
	bool from_ok = mail_address_of(o->mail_from, from_addr, sizeof from_addr) == 0;
	const char *domain = from_ok ? strchr(from_addr, '@') + 1 : "campus.invalid";
	for (unsigned i = 0; !rc && i < a->n; i++) {
		struct claimed *m = &a->rows[i];
		char error[300] = "";
		struct buf msg;
		buf_init(&msg, NULL, (size_t)16 << 20);
		char mid[120];
		snprintf(mid, sizeof mid, "campus.%lld.%lld@%.60s", (long long)m->id,
		         (long long)m->created_at, domain);
		if (strlen(mid) > 60)
			snprintf(mid, sizeof mid, "campus.%lld.%lld@campus.invalid", (long long)m->id,
			         (long long)m->created_at);
		struct mail_message mm = {.from = o->mail_from, .to = m->to, .subject = m->subject,
		                          .body = m->body, .date = (int64_t)time(NULL),
		                          .message_id = mid};
		if (m->attachment_name && *m->attachment_name) {
			mm.attachment_name = m->attachment_name;
			mm.attachment_type = m->attachment_type;
			mm.attachment = m->attachment ? m->attachment : "";
			mm.attachment_len = m->attachment ? m->attachment_len : 0;
		}
		int send_rc;
		if (!from_ok)
			send_rc = (snprintf(error, sizeof error, "mail_from is not an address"), -1);
		else if (mail_message_format(&mm, &msg) != 0)
			send_rc = (snprintf(error, sizeof error, "message cannot be formatted"), -1);
		else
			send_rc = smtp_send(o, from_addr, m->to, &msg, error, sizeof error);
		buf_fini(&msg);
		int64_t done = (int64_t)time(NULL);
		struct result_args r = {m->id, send_rc ? done + mail_backoff(m->attempts + 1) : done,
		                        send_rc ? error : NULL};
		rc = db_tx_run(db, DB_TX_WRITE, result_tx, &r);
		if (send_rc) {
			(*failed)++;
			log_warn("msg=mail_failed outbox_id=%lld attempts=%lld retry_in=%llds error=\"%s\"",
			         (long long)m->id, (long long)m->attempts + 1,
			         (long long)mail_backoff(m->attempts + 1), error);
		} else {
			(*sent)++;
			log_info("msg=mail_sent outbox_id=%lld attempts=%lld", (long long)m->id,
			         (long long)m->attempts + 1);
		}
	}
	arena_free(a->arena);
	free(a);
	return rc;
}

/* ---- the background thread ---- */

struct mail_sender {
	struct db_pool *pool;
	struct mail_sender_opts opts;
	char *smtp_url, *mail_from;
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

static void *sender_main(void *cls)
{
	struct mail_sender *s = cls;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		unsigned sent = 0, failed = 0;
		struct db_conn *db = db_pool_acquire(s->pool);
		if (db) {
			int rc = mail_deliver_due(db, &s->opts, (int64_t)time(NULL), &sent, &failed);
			if (rc)
				log_warn("msg=mail_outbox_error error=%s", campus_err_code(rc));
			db_pool_release(s->pool, db);
		}
		pthread_mutex_lock(&s->mu);
		if (sent + failed == MAIL_BATCH)
			continue; /* more may be due */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int mail_sender_start(struct db_pool *pool, const struct mail_sender_opts *opts,
                      struct mail_sender **out)
{
	struct mail_sender *s = xcalloc(1, sizeof *s);
	s->pool = pool;
	s->smtp_url = xstrdup(opts->smtp_url ? opts->smtp_url : "");
	s->mail_from = xstrdup(opts->mail_from ? opts->mail_from : "");
	s->opts = (struct mail_sender_opts){s->smtp_url, s->mail_from};
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	*out = s;
	if (!s->smtp_url[0]) {
		log_warn("msg=mail_not_sent reason=\"smtp_url is empty\" effect=\"e-mail stays in the "
		         "outbox until a process with smtp_url runs\"");
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The thread inherits the mask: SIGTERM/SIGINT go to the server's sigwait(). */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	int rc = pthread_create(&s->thread, NULL, sender_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		log_error("msg=mail_sender_not_started error=\"%s\"", strerror(rc));
		return CAMPUS_EINTERNAL;
	}
	s->running = true;
	log_info("msg=mail_sender_started");
	return 0;
}

void mail_sender_stop(struct mail_sender *s)
{
	if (!s)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		curl_global_cleanup();
		log_info("msg=mail_sender_stopped");
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->smtp_url);
	free(s->mail_from);
	free(s);
}
