/* The points benchmark's load: every enrolment of points_prepare's file
 * registered as completed through POST /api/v1/provider/completions, in
 * calls of BATCH rows (default 1000, PE-online's limit) over CONNECTIONS
 * keep-alive connections (default 2), one thread each.
 *
 *   points_push FILE TOKEN BASE-URL [-b BATCH] [-c CONNECTIONS]
 *
 * FILE: "edition-id enrolment-id YYYY-MM-DD" per line. Prints one line:
 *   points_push: rows=N calls=C accepted=A rejected=R duplicates=D errors=E
 *   seconds=S rps=X p50_call_ms=P max_call_ms=M
 * where errors counts calls that did not answer 200; the first rejected
 * row's code and message go to standard error. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

struct row {
	long long edition, enrolment;
	char day[11];
};

static struct row *rows;
static size_t nrows, batch = 1000, ncalls;
static const char *token, *base;
static atomic_size_t next_call;
static atomic_long accepted, rejected, duplicates, errors;
static double *call_ms;
static atomic_flag told = ATOMIC_FLAG_INIT;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct body {
	char *data;
	size_t len, cap;
};

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	struct body *b = cls;
	size_t k = size * n;
	if (b->len + k + 1 > b->cap) {
		size_t cap = (b->len + k + 1) * 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, k);
	b->len += k;
	b->data[b->len] = 0;
	return k;
}

static void *worker(void *unused)
{
	(void)unused;
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	char url[512], auth[300];
	snprintf(url, sizeof url, "%s/api/v1/provider/completions", base);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	struct body resp = {0};
	size_t cap = batch * 120 + 64;
	char *json = malloc(cap);
	if (!json)
		return NULL;
	for (;;) {
		size_t k = atomic_fetch_add(&next_call, 1);
		if (k >= ncalls)
			break;
		size_t from = k * batch, to = from + batch < nrows ? from + batch : nrows;
		size_t len = (size_t)snprintf(json, cap, "{\"rows\":[");
		for (size_t i = from; i < to; i++)
			len += (size_t)snprintf(json + len, cap - len,
			                        "%s{\"edition_id\":%lld,\"enrolment_id\":%lld,\"outcome\":"
			                        "\"completed\",\"completed_at\":\"%s\"}",
			                        i > from ? "," : "", rows[i].edition, rows[i].enrolment,
			                        rows[i].day);
		len += (size_t)snprintf(json + len, cap - len, "]}");
		resp.len = 0;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
		double t0 = now_ms();
		CURLcode rc = curl_easy_perform(c);
		call_ms[k] = now_ms() - t0;
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		json_t *doc = rc == CURLE_OK && status == 200 && resp.data ? json_loads(resp.data, 0, NULL) : NULL;
		if (!doc) {
			atomic_fetch_add(&errors, 1);
			if (!atomic_flag_test_and_set(&told))
				fprintf(stderr, "points_push: call %zu: %s %ld %.300s\n", k, curl_easy_strerror(rc),
				        status, resp.data ? resp.data : "");
			continue;
		}
		atomic_fetch_add(&accepted, (long)json_integer_value(json_object_get(doc, "accepted")));
		atomic_fetch_add(&rejected, (long)json_integer_value(json_object_get(doc, "rejected")));
		atomic_fetch_add(&duplicates, (long)json_integer_value(json_object_get(doc, "duplicates")));
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(doc, "rows"), i, r) {
			const char *st = json_string_value(json_object_get(r, "status"));
			if (st && !strcmp(st, "rejected") && !atomic_flag_test_and_set(&told)) {
				fprintf(stderr, "points_push: rejected: %s: %s\n",
				        json_string_value(json_object_get(r, "code")),
				        json_string_value(json_object_get(r, "message_en")));
			}
		}
		json_decref(doc);
	}
	free(json);
	free(resp.data);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s FILE TOKEN BASE-URL [-b BATCH] [-c CONNECTIONS]\n", argv[0]);
		return 2;
	}
	token = argv[2];
	base = argv[3];
	long conns = 2;
	for (int i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-b"))
			batch = (size_t)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-c"))
			conns = strtol(argv[i + 1], NULL, 10);
	}
	if (batch < 1 || batch > 5000 || conns < 1 || conns > 64) {
		fprintf(stderr, "points_push: BATCH 1..5000, CONNECTIONS 1..64\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size_t cap = 1024;
	rows = malloc(cap * sizeof *rows);
	struct row r;
	while (rows && fscanf(f, "%lld %lld %10s", &r.edition, &r.enrolment, r.day) == 3) {
		if (nrows == cap) {
			cap *= 2;
			struct row *more = realloc(rows, cap * sizeof *rows);
			if (!more)
				return 1;
			rows = more;
		}
		rows[nrows++] = r;
	}
	fclose(f);
	if (!nrows) {
		fprintf(stderr, "points_push: no rows in %s\n", argv[1]);
		return 1;
	}
	ncalls = (nrows + batch - 1) / batch;
	call_ms = calloc(ncalls, sizeof *call_ms);
	if (!call_ms || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	pthread_t t[64];
	double t0 = now_ms();
	for (long i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (long i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	double seconds = (now_ms() - t0) / 1e3;
	qsort(call_ms, ncalls, sizeof *call_ms, by_value);
	printf("points_push: rows=%zu calls=%zu accepted=%ld rejected=%ld duplicates=%ld errors=%ld "
	       "seconds=%.2f rps=%.0f p50_call_ms=%.0f max_call_ms=%.0f\n",
	       nrows, ncalls, (long)accepted, (long)rejected, (long)duplicates, (long)errors, seconds,
	       (double)accepted / seconds, call_ms[ncalls / 2], call_ms[ncalls - 1]);
	curl_global_cleanup();
	free(call_ms);
	free(rows);
	return 0;
}
