/* A manager imports members from a CSV file: upload, map columns to fields,
 * preview with a report of every problem, confirm. Works without JavaScript.
 *
 * Between preview and confirm the upload is kept in tmp_dir as
 * campus-import-<key>, where key is a BLAKE2b hash of the session token, the
 * organisation and a random upload id. The browser only ever sends the id:
 * no path comes from the client, and an id is worthless in another session
 * or organisation. Files older than an hour are removed at the next upload. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "db/db.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/import.h"
#include "domain/people.h"
#include "http/req.h"
#include "http/server.h"
#include "web/web.h"

#define IMPORT_FILE_MAX ((size_t)5 << 20)
#define UPLOAD_ID_LEN 32
#define UPLOAD_MAX_AGE 3600
#define PREVIEW_ROWS 20
#define FILE_PREFIX "campus-import-"

static const char *tmp_dir(struct req *r)
{
	const char *d = r->app && r->app->cfg ? r->app->cfg->tmp_dir : NULL;
	return d && *d ? d : "/tmp";
}

static bool upload_id_valid(const char *id)
{
	if (!id || strlen(id) != UPLOAD_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* hash(session, org, id) in hex: the kept file's name and the key of its
 * background import; false without a session or with a malformed id. */
static bool upload_key(struct req *r, const char *id, char hex[33])
{
	if (!r->session_token || !upload_id_valid(id))
		return false;
	crypto_generichash_state st;
	unsigned char h[16];
	char org[32];
	snprintf(org, sizeof org, "%lld", (long long)r->org.id);
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)"campus.import.v1", 17);
	crypto_generichash_update(&st, (const unsigned char *)r->session_token,
	                          strlen(r->session_token) + 1);
	crypto_generichash_update(&st, (const unsigned char *)org, strlen(org) + 1);
	crypto_generichash_update(&st, (const unsigned char *)id, UPLOAD_ID_LEN);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(hex, 33, h, sizeof h);
	return true;
}

/* tmp_dir/campus-import-<key>; NULL without a session. */
static const char *upload_path(struct req *r, const char *id)
{
	char hex[33];
	if (!upload_key(r, id, hex))
		return NULL;
	return arena_printf(r->arena, "%s/" FILE_PREFIX "%s", tmp_dir(r), hex);
}

/* Uploads nobody confirmed within the hour. */
static void sweep_old_uploads(struct req *r)
{
	DIR *d = opendir(tmp_dir(r));
	if (!d)
		return;
	time_t limit = time(NULL) - UPLOAD_MAX_AGE;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, FILE_PREFIX, strlen(FILE_PREFIX)) != 0)
			continue;
		struct stat sb;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_mtime < limit)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* The whole file into the arena; CAMPUS_ENOTFOUND when it is gone. */
static int read_file(struct arena *arena, const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? CAMPUS_ENOTFOUND : CAMPUS_EIO;
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return CAMPUS_EIO;
	}
	if ((size_t)sb.st_size > IMPORT_FILE_MAX) {
		fclose(f);
		return CAMPUS_ETOOBIG;
	}
	*data = arena_alloc(arena, (size_t)sb.st_size + 1);
	if (!*data) {
		fclose(f);
		return CAMPUS_ENOMEM;
	}
	*len = fread(*data, 1, (size_t)sb.st_size, f);
	fclose(f);
	(*data)[*len] = '\0';
	return 0;
}

static json_t *page_base(struct req *r)
{
	const char *back = arena_printf(r->arena, "/b/%s/leden", r->org.slug);
	return json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "org_name", r->org.name, "org_slug",
	                 r->org.slug, "breadcrumb", "href", "/mijn", "label", req_tr(r, "Mijn Campus"),
	                 "href", back ? back : "/mijn", "label", req_tr(r, "Leden"));
}

static int render_upload(struct req *r, unsigned status, const char *error, const char *detail)
{
	json_t *data = page_base(r);
	json_object_set_new(data, "upload_form", json_true());
	if (error) {
		r->error = status == 413 ? CAMPUS_ETOOBIG : status == 415 ? CAMPUS_EMEDIA : CAMPUS_EINVAL;
		json_object_set_new(data, "error", json_string(error));
		if (detail)
			json_object_set_new(data, "error_detail", json_string(detail));
	}
	return reply_page(r, status, "leden-importeren", data);
}

/* A header cell as a label: "2. E-mailadres" (or "2." when empty or not text). */
static const char *column_label(struct req *r, const struct csv_table *t, unsigned c)
{
	const struct csv_row *h = &t->rows[0];
	const char *name = "";
	size_t n = 0;
	if (c < h->n && utf8_valid(h->cells[c].s, h->cells[c].len)) {
		name = h->cells[c].s;
		n = h->cells[c].len;
		while (n > 60 && (n--, !utf8_valid(name, n)))
			;
	}
	const char *s = arena_printf(r->arena, "%u. %.*s", c + 1, (int)n, name);
	return s ? s : "";
}

static json_t *roles_text(struct req *r, unsigned roles)
{
	json_t *list = json_array();
	for (unsigned bit = 1; bit <= ROLE_CAMPUS_ADMIN; bit <<= 1)
		if (roles & bit)
			json_array_append_new(list, json_string(req_tr(r, role_label(bit))));
	return list;
}

static const char *action_label(enum import_action a)
{
	switch (a) {
	case IMPORT_CREATE: return N_("nieuw account, wordt lid");
	case IMPORT_ADD: return N_("bestaand account, wordt lid");
	case IMPORT_UPDATE: return N_("soort of rollen wijzigen");
	default: return N_("ongewijzigd");
	}
}

static json_t *counts_json(const struct import_plan *p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "rows", (json_int_t)p->nrows, "created",
	                 (json_int_t)p->count[IMPORT_CREATE], "added", (json_int_t)p->count[IMPORT_ADD],
	                 "updated", (json_int_t)p->count[IMPORT_UPDATE], "unchanged",
	                 (json_int_t)p->count[IMPORT_UNCHANGED]);
}

static json_t *text_or_empty(const char *s) { return json_string(s && utf8_valid(s, strlen(s)) ? s : ""); }

static int render_preview(struct req *r, unsigned status, const char *id, const char *filename,
                          const struct csv_table *t, const struct import_map *map,
                          const struct import_plan *plan, const char *map_error, bool refused)
{
	json_t *data = page_base(r);
	json_object_set_new(data, "preview", json_true());
	json_object_set_new(data, "upload", json_string(id));
	json_object_set_new(data, "filename", text_or_empty(filename));
	json_object_set_new(data, "separator", json_string(t->sep == ';' ? ";" : ","));
	json_t *fields = json_array();
	for (int f = 0; f < IMPORT_NFIELDS; f++) {
		json_t *opts = json_array();
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", "-1", "label",
		                                      req_tr(r, "(niet gebruiken)"), "selected",
		                                      map->col[f] < 0));
		for (unsigned c = 0; c < t->max_n; c++)
			json_array_append_new(
			    opts, json_pack("{s:s, s:s, s:b}", "value", arena_printf(r->arena, "%u", c), "label",
			                    column_label(r, t, c), "selected", map->col[f] == (int)c));
		json_array_append_new(fields, json_pack("{s:s, s:s, s:o}", "key",
		                                        import_field_key((enum import_field)f), "label",
		                                        req_tr(r, import_field_label((enum import_field)f)),
		                                        "options", opts));
	}
	json_object_set_new(data, "fields", fields);
	if (map_error) {
		json_object_set_new(data, "error", json_string(req_tr(r, map_error)));
	} else {
		json_t *rows = json_array();
		for (size_t i = 0; i < plan->nrows && i < PREVIEW_ROWS; i++) {
			const struct import_row *row = &plan->rows[i];
			json_array_append_new(
			    rows, json_pack("{s:I, s:o, s:o, s:s, s:o, s:s, s:b}", "record", (json_int_t)row->record,
			                    "email", text_or_empty(row->email), "name", text_or_empty(row->name),
			                    "kind", row->kind && !row->bad ? req_tr(r, membership_kind_label(row->kind)) : "",
			                    "roles", roles_text(r, row->bad ? 0 : row->roles), "action",
			                    row->bad || !row->email ? req_tr(r, "fout") : req_tr(r, action_label(row->action)),
			                    "bad", row->bad));
		}
		json_object_set_new(data, "rows", rows);
		json_object_set_new(data, "rows_shown",
		                    json_integer((json_int_t)(plan->nrows < PREVIEW_ROWS ? plan->nrows : PREVIEW_ROWS)));
		json_object_set_new(data, "counts", counts_json(plan));
		json_t *problems = json_array();
		for (size_t i = 0; i < plan->nproblems; i++) {
			const struct import_problem *p = &plan->problems[i];
			json_t *o = json_pack("{s:I, s:s, s:o, s:s}", "record", (json_int_t)p->record, "field",
			                      req_tr(r, import_field_label(p->field)), "value", text_or_empty(p->value),
			                      "message", req_tr(r, p->msgid));
			if (p->other)
				json_object_set_new(o, "other", json_integer(p->other));
			json_array_append_new(problems, o);
		}
		json_object_set_new(data, "problems", problems);
		json_object_set_new(data, "problems_total", json_integer((json_int_t)plan->problems_total));
		if (plan->problems_total > plan->nproblems)
			json_object_set_new(data, "problems_more",
			                    json_integer((json_int_t)(plan->problems_total - plan->nproblems)));
		json_object_set_new(data, "can_import", json_boolean(plan->problems_total == 0));
		json_object_set_new(data, "refused", json_boolean(refused));
	}
	if (map_error || refused)
		r->error = CAMPUS_EINVAL;
	return reply_page(r, status, "leden-importeren", data);
}

/* The mapping from the form's selects, or NULL fields as guessed. */
static int form_map(struct req *r, const struct csv_table *t, struct import_map *map)
{
	import_map_guess(t, map);
	for (int f = 0; f < IMPORT_NFIELDS; f++) {
		const char *key = arena_printf(r->arena, "kolom_%s", import_field_key((enum import_field)f));
		const char *v = key ? req_form(r, key) : NULL;
		if (!v)
			continue;
		int64_t c;
		if (!str_to_int64(v, strlen(v), &c) || c < -1 || c > 1000)
			return CAMPUS_EINVAL;
		map->col[f] = (int)c;
	}
	return 0;
}

static int parse(struct req *r, const char *data, size_t len, struct csv_table *t, unsigned *status,
                 const char **msg, const char **detail)
{
	struct csv_error err;
	int rc = csv_read(r->arena, data, len, NULL, t, &err);
	if (!rc) {
		/* A header that is not UTF-8: saved in another encoding (or not text at all). */
		for (unsigned c = 0; c < t->rows[0].n; c++)
			if (!utf8_valid(t->rows[0].cells[c].s, t->rows[0].cells[c].len)) {
				*status = 415;
				*msg = req_tr(r, "Dit is geen CSV-bestand in UTF-8: de kopregel bevat onleesbare tekens. Sla het bestand op als CSV (UTF-8).");
				return CAMPUS_EMEDIA;
			}
		return 0;
	}
	bool binary = err.msgid && strstr(err.msgid, "binaire");
	*status = rc == CAMPUS_ETOOBIG || rc == CAMPUS_ENOMEM ? 413 : binary ? 415 : 400;
	*msg = req_tr(r, err.msgid ? err.msgid : "Het bestand kan niet worden gelezen.");
	if (err.record && !binary)
		*detail = arena_printf(r->arena, "%s %u", req_tr(r, "Rij"), err.record);
	return rc;
}

static int handle_upload(struct req *r, const struct form_field *file)
{
	if (file->size > IMPORT_FILE_MAX)
		return render_upload(r, 413, req_tr(r, "Het bestand is te groot (hoogstens 5 MB)."), NULL);
	if (!file->tmp_path || file->size == 0)
		return render_upload(r, 400, req_tr(r, "Kies een CSV-bestand."), NULL);
	char *data;
	size_t len;
	int rc = read_file(r->arena, file->tmp_path, &data, &len);
	if (rc)
		return rc;
	struct csv_table t;
	unsigned status;
	const char *msg, *detail = NULL;
	if (parse(r, data, len, &t, &status, &msg, &detail))
		return render_upload(r, status, msg, detail);
	/* Keep the file for the confirmation under a name only this session can reach. */
	unsigned char raw[UPLOAD_ID_LEN / 2];
	char id[UPLOAD_ID_LEN + 1];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(id, sizeof id, raw, sizeof raw);
	const char *path = upload_path(r, id);
	if (!path)
		return CAMPUS_EFORBIDDEN;
	sweep_old_uploads(r);
	if (rename(file->tmp_path, path) != 0) {
		log_warn("import: cannot keep the upload: %s", strerror(errno));
		return CAMPUS_EIO;
	}
	struct import_map map;
	import_map_guess(&t, &map);
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct import_plan plan;
	const char *why = NULL;
	rc = import_plan(&ctx, r->org.id, &t, &map, &plan, &why);
	if (rc && !why)
		return rc;
	return render_preview(r, 200, id, file->filename, &t, &map, &plan, why, false);
}

/* The kept upload named by id, parsed. */
static int load_upload_id(struct req *r, const char *id, const char **path, struct csv_table *t)
{
	*path = upload_path(r, id);
	if (!*path)
		return CAMPUS_ENOTFOUND;
	char *data;
	size_t len;
	int rc = read_file(r->arena, *path, &data, &len);
	if (rc)
		return rc;
	unsigned status;
	const char *msg, *detail = NULL;
	return parse(r, data, len, t, &status, &msg, &detail) ? CAMPUS_EINVAL : 0;
}

/* The kept upload named by the form's id, parsed. */
static int load_upload(struct req *r, const char **id, const char **path, struct csv_table *t)
{
	*id = req_form(r, "upload");
	return load_upload_id(r, *id, path, t);
}

static int expired(struct req *r)
{
	return render_upload(r, 410,
	                     req_tr(r, "Het bestand is niet meer beschikbaar. Kies het opnieuw; er is nog niets geïmporteerd."),
	                     NULL);
}

int page_member_import(struct req *r)
{
	if (r->method != HTTP_POST)
		return render_upload(r, 200, NULL, NULL);
	const struct form_field *file = form_get_field(&r->form, "bestand");
	if (file && !file->value)
		return handle_upload(r, file);
	if (!req_form(r, "upload"))
		return render_upload(r, 400, req_tr(r, "Kies een CSV-bestand."), NULL);
	/* Check again with the mapping as changed on the page. */
	const char *id, *path;
	struct csv_table t;
	int rc = load_upload(r, &id, &path, &t);
	if (rc == CAMPUS_ENOTFOUND)
		return expired(r);
	if (rc)
		return rc;
	struct import_map map;
	if (form_map(r, &t, &map))
		return CAMPUS_EINVAL;
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct import_plan plan;
	const char *why = NULL;
	rc = import_plan(&ctx, r->org.id, &t, &map, &plan, &why);
	if (rc && !why)
		return rc;
	return render_preview(r, 200, id, req_form(r, "bestandsnaam"), &t, &map, &plan, why, false);
}

/* ---- applying in the background, with progress (static/import.js) -----------
 *
 * With JavaScript the confirm form is posted with js=1: the checks and the
 * writes then run in a worker thread, still as ONE write transaction
 * (import_apply_progress), so a file with a problem, or one that fails
 * half-way, changes nothing and nothing is visible before the commit. The
 * thread only counts rows into an in-memory job, keyed like the kept file by
 * BLAKE2b(session token, organisation, upload id): only the session that
 * uploaded the file can read its progress or result (another session
 * computes another key and finds nothing). The page polls
 * /b/<slug>/leden/importeren/voortgang?upload=ID (JSON) and then opens
 * .../resultaat?upload=ID. Jobs live in this process: behind a load
 * balancer the poll must reach the same process (sticky sessions), as the
 * kept file already needs (docs/internals/import.md). */

#define JOBS_MAX 8     /* jobs remembered (running or finished) */
#define JOBS_RUNNING 2 /* at most this many at once: each holds a connection */

enum job_state { JOB_FREE, JOB_RUNNING, JOB_DONE, JOB_REFUSED, JOB_FAILED };

struct job {
	enum job_state state;
	char key[33];
	size_t done, total;
	size_t count[IMPORT_NACTIONS], nrows;
	time_t finished;
	/* the input, copied: the request is gone while the thread runs */
	struct db_pool *pool;
	char path[1024], filename[256], ip[64], ua[256];
	struct import_map map;
	int64_t org_id;
	struct actor actor;
};

static struct job jobs[JOBS_MAX];
static unsigned jobs_running;
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_idle = PTHREAD_COND_INITIALIZER;

static struct job *job_find(const char *key) /* under jobs_lock */
{
	for (size_t i = 0; i < JOBS_MAX; i++)
		if (jobs[i].state != JOB_FREE && !strcmp(jobs[i].key, key))
			return &jobs[i];
	return NULL;
}

/* A free slot, else the one finished longest ago; NULL when too many run. */
static struct job *job_slot(void) /* under jobs_lock */
{
	if (jobs_running >= JOBS_RUNNING)
		return NULL;
	struct job *best = NULL;
	for (size_t i = 0; i < JOBS_MAX; i++) {
		if (jobs[i].state == JOB_FREE)
			return &jobs[i];
		if (jobs[i].state != JOB_RUNNING && (!best || jobs[i].finished < best->finished))
			best = &jobs[i];
	}
	return best;
}

static void job_progress(void *cls, size_t done, size_t total)
{
	struct job *j = cls;
	pthread_mutex_lock(&jobs_lock);
	j->done = done;
	j->total = total;
	pthread_mutex_unlock(&jobs_lock);
}

static void *job_main(void *cls)
{
	struct job *j = cls;
	enum job_state end = JOB_FAILED;
	struct import_plan plan;
	memset(&plan, 0, sizeof plan);
	struct arena *arena = arena_new(0);
	struct db_conn *db = arena ? db_pool_acquire(j->pool) : NULL;
	char *data;
	size_t len;
	struct csv_table t;
	struct csv_error err;
	int rc = !db ? CAMPUS_EUNAVAIL : read_file(arena, j->path, &data, &len);
	if (!rc)
		rc = csv_read(arena, data, len, NULL, &t, &err);
	if (!rc) {
		struct ctx ctx;
		ctx_init_for_request(&ctx, db, arena);
		ctx.actor = j->actor;
		ctx.origin = (struct origin){j->ip, j->ua};
		const char *why = NULL;
		struct import_progress progress = {job_progress, j};
		rc = import_apply_progress(&ctx, j->org_id, &t, &j->map, j->filename[0] ? j->filename : "csv",
		                           &plan, &why, &progress);
		end = !rc ? JOB_DONE : rc == CAMPUS_EINVAL ? JOB_REFUSED : JOB_FAILED;
	}
	if (rc && end == JOB_FAILED)
		log_warn("import: background import failed: %s", campus_err_code(rc));
	if (end == JOB_DONE)
		unlink(j->path);
	if (db)
		db_pool_release(j->pool, db);
	arena_free(arena);
	pthread_mutex_lock(&jobs_lock);
	j->state = end;
	memcpy(j->count, plan.count, sizeof j->count);
	j->nrows = plan.nrows;
	j->finished = time(NULL);
	jobs_running--;
	pthread_cond_broadcast(&jobs_idle);
	pthread_mutex_unlock(&jobs_lock);
	return NULL;
}

void web_import_drain(void)
{
	pthread_mutex_lock(&jobs_lock);
	while (jobs_running > 0)
		pthread_cond_wait(&jobs_idle, &jobs_lock);
	pthread_mutex_unlock(&jobs_lock);
}

static const char *job_url(struct req *r, const char *what, const char *id)
{
	return arena_printf(r->arena, "/b/%s/leden/importeren/%s?upload=%s", r->org.slug, what, id);
}

/* POST .../bevestigen with js=1: 202 and the addresses to poll, or 503 when
 * too many imports run (the page then posts the form without js). */
static int confirm_in_background(struct req *r, const char *id, const char *path,
                                 const struct import_map *map, const char *filename)
{
	char key[33];
	if (!upload_key(r, id, key))
		return CAMPUS_ENOTFOUND;
	pthread_mutex_lock(&jobs_lock);
	struct job *j = job_find(key);
	bool start = !j || j->state == JOB_REFUSED || j->state == JOB_FAILED;
	if (start && !j)
		j = job_slot();
	if (!j) {
		pthread_mutex_unlock(&jobs_lock);
		r->error = CAMPUS_EBUSY;
		return reply_json(r, 503, json_pack("{s:s}", "error", "busy"));
	}
	if (start) {
		memset(j, 0, sizeof *j);
		j->state = JOB_RUNNING;
		memcpy(j->key, key, sizeof j->key);
		j->pool = r->app->db;
		str_copy(j->path, sizeof j->path, path);
		str_copy(j->filename, sizeof j->filename, filename ? filename : "");
		while (j->filename[0] && !utf8_valid(j->filename, strlen(j->filename)))
			j->filename[strlen(j->filename) - 1] = '\0';
		const char *ip = req_client_ip(r), *ua = req_header(r, "User-Agent");
		str_copy(j->ip, sizeof j->ip, ip ? ip : "-");
		str_copy(j->ua, sizeof j->ua, ua ? ua : "");
		while (j->ua[0] && !utf8_valid(j->ua, strlen(j->ua)))
			j->ua[strlen(j->ua) - 1] = '\0';
		j->map = *map;
		j->org_id = r->org.id;
		j->actor = r->actor;
		pthread_t tid;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&tid, &attr, job_main, j) != 0) {
			pthread_attr_destroy(&attr);
			j->state = JOB_FREE;
			pthread_mutex_unlock(&jobs_lock);
			r->error = CAMPUS_EBUSY;
			return reply_json(r, 503, json_pack("{s:s}", "error", "busy"));
		}
		pthread_attr_destroy(&attr);
		jobs_running++;
	}
	pthread_mutex_unlock(&jobs_lock);
	return reply_json(r, 202, json_pack("{s:s, s:s}", "voortgang", job_url(r, "voortgang", id),
	                                    "resultaat", job_url(r, "resultaat", id)));
}

static int render_result(struct req *r, const size_t count[IMPORT_NACTIONS], size_t nrows,
                         const char *filename)
{
	struct import_plan plan;
	memset(&plan, 0, sizeof plan);
	memcpy(plan.count, count, sizeof plan.count);
	plan.nrows = nrows;
	json_t *data = page_base(r);
	json_object_set_new(data, "result", json_true());
	json_object_set_new(data, "counts", counts_json(&plan));
	json_object_set_new(data, "filename", text_or_empty(filename));
	return reply_page(r, 200, "leden-importeren", data);
}

int page_member_import_confirm(struct req *r)
{
	const char *id, *path;
	struct csv_table t;
	int rc = load_upload(r, &id, &path, &t);
	if (rc == CAMPUS_ENOTFOUND)
		return expired(r);
	if (rc)
		return rc;
	struct import_map map;
	if (form_map(r, &t, &map))
		return CAMPUS_EINVAL;
	const char *filename = req_form(r, "bestandsnaam");
	const char *js = req_form(r, "js");
	if (js && !strcmp(js, "1"))
		return confirm_in_background(r, id, path, &map, filename);
	/* Without JavaScript: in this request, and the result page when done. */
	struct ctx ctx;
	req_ctx(r, &ctx);
	struct import_plan plan;
	const char *why = NULL;
	rc = import_apply(&ctx, r->org.id, &t, &map, filename && *filename ? filename : "csv", &plan, &why);
	if (rc == CAMPUS_EINVAL)
		return render_preview(r, 422, id, filename, &t, &map, &plan, why, true);
	if (rc)
		return rc;
	unlink(path);
	return render_result(r, plan.count, plan.nrows, filename);
}

/* A copy of the job for this session's upload id (false: none). */
static bool job_lookup(struct req *r, const char *id, struct job *out)
{
	char key[33];
	if (!upload_key(r, id, key))
		return false;
	pthread_mutex_lock(&jobs_lock);
	struct job *j = job_find(key);
	if (j)
		*out = *j;
	pthread_mutex_unlock(&jobs_lock);
	return j != NULL;
}

int page_member_import_progress(struct req *r)
{
	struct job j;
	if (!job_lookup(r, req_query(r, "upload"), &j))
		return CAMPUS_ENOTFOUND;
	static const char *const names[] = {"free", "running", "done", "refused", "failed"};
	return reply_json(r, 200, json_pack("{s:s, s:I, s:I}", "state", names[j.state], "done",
	                                    (json_int_t)j.done, "total", (json_int_t)j.total));
}

int page_member_import_result(struct req *r)
{
	const char *id = req_query(r, "upload");
	struct job j;
	if (!job_lookup(r, id, &j))
		return expired(r);
	switch (j.state) {
	case JOB_RUNNING: {
		/* Without a script (or a reload): where it is now. */
		json_t *data = page_base(r);
		json_object_set_new(data, "running", json_true());
		json_object_set_new(data, "upload", json_string(id));
		json_object_set_new(data, "done", json_integer((json_int_t)j.done));
		json_object_set_new(data, "total", json_integer((json_int_t)j.total));
		return reply_page(r, 200, "leden-importeren", data);
	}
	case JOB_DONE:
		return render_result(r, j.count, j.nrows, j.filename);
	case JOB_REFUSED: {
		/* Nothing was written: the report as the preview shows it, from the kept file. */
		const char *path;
		struct csv_table t;
		int rc = load_upload_id(r, id, &path, &t);
		if (rc == CAMPUS_ENOTFOUND)
			return expired(r);
		if (rc)
			return rc;
		struct ctx ctx;
		req_ctx(r, &ctx);
		struct import_plan plan;
		const char *why = NULL;
		rc = import_plan(&ctx, r->org.id, &t, &j.map, &plan, &why);
		if (rc && !why)
			return rc;
		return render_preview(r, 422, id, j.filename, &t, &j.map, &plan, why, true);
	}
	default:
		return CAMPUS_EINTERNAL;
	}
}
