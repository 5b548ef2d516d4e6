/* The enrolment storm's load generator: every session of a prepared file
 * posts one form, exactly once, over a fixed number of keep-alive
 * connections (libcurl's multi interface, one thread).
 *
 *   enrol_storm SESSIONS PATH OUT BASE-URL... [-c CONNECTIONS] [-b EXTRA-BODY]
 *
 * SESSIONS has one line per learner, "cookie-value csrf-token ..." (written
 * by enrol_prepare); line i (0-based) goes to connection i % CONNECTIONS as
 * that connection's request number i / CONNECTIONS, and connection c talks to
 * BASE-URL number c % (number of base URLs). A connection sends its next
 * request only when the previous answer is in, so its requests arrive in
 * sequence order. Each request: POST PATH with the session cookie and the
 * body csrf_token=<token> (then &EXTRA-BODY), no redirect followed.
 *
 * OUT gets one tab-separated line per request:
 *   line conn seq status start_us end_us latency_us location
 * start_us is taken before the request is handed to libcurl, end_us after
 * the answer is complete (both from the storm's start), so "a ended before b
 * started" in this file means it did on the wire too. status 0 is a
 * transport failure.
 *
 * Prints one line: enrol_storm: requests=N connections=C connects=K
 * seconds=S rps=R p50_ms=.. p99_ms=.. max_ms=.. status_303=.. other=..
 * Exit status 1 when the run itself fails (not for unexpected statuses:
 * the caller judges those). */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONNECTIONS 1024
#define MAX_BASES 16
#define LINE_MAX_BYTES 512

struct session {
	char *cookie; /* "campus_sessie=<value>" */
	char *body;   /* "csrf_token=<token>[&extra]" */
};

struct result {
	int conn, seq;
	long status;
	int64_t start_us, end_us;
	char location[160];
};

struct conn {
	int no;
	CURL *easy;
	const char *url;
	size_t next;   /* index into the sessions, stepping by the connection count */
	size_t cur;    /* the request in flight */
	int seq;
	long connects;
	struct curl_slist *headers;
};

static struct session *sessions;
static struct result *results;
static size_t nsessions;
static int64_t t0_ns;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t since_start_us(void) { return (mono_ns() - t0_ns) / 1000; }

static size_t discard(char *ptr, size_t size, size_t n, void *cls)
{
	(void)ptr, (void)cls;
	return size * n;
}

/* Keeps the Location header of the request in flight. */
static size_t header_line(char *ptr, size_t size, size_t n, void *cls)
{
	struct conn *c = cls;
	size_t len = size * n;
	if (len > 9 && strncasecmp(ptr, "Location:", 9) == 0) {
		const char *v = ptr + 9;
		size_t vl = len - 9;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		struct result *r = &results[c->cur];
		if (vl >= sizeof r->location)
			vl = sizeof r->location - 1;
		memcpy(r->location, v, vl);
		r->location[vl] = '\0';
	}
	return len;
}

static int read_sessions(const char *path, const char *extra)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 1024;
	sessions = calloc(cap, sizeof *sessions);
	char line[LINE_MAX_BYTES];
	while (sessions && fgets(line, sizeof line, f)) {
		char cookie[200], csrf[200];
		if (sscanf(line, "%199s %199s", cookie, csrf) != 2) {
			fprintf(stderr, "enrol_storm: %s line %zu: want \"cookie csrf-token\"\n", path,
			        nsessions + 1);
			fclose(f);
			return -1;
		}
		if (nsessions == cap) {
			cap *= 2;
			struct session *more = realloc(sessions, cap * sizeof *sessions);
			if (!more)
				break;
			sessions = more;
		}
		struct session *s = &sessions[nsessions++];
		size_t nb = strlen(csrf) + (extra ? strlen(extra) : 0) + 16;
		size_t nc = strlen(cookie) + 16;
		s->cookie = malloc(nc);
		s->body = malloc(nb);
		if (!s->cookie || !s->body)
			break;
		snprintf(s->cookie, nc, "campus_sessie=%s", cookie);
		snprintf(s->body, nb, "csrf_token=%s%s%s", csrf, extra ? "&" : "", extra ? extra : "");
	}
	fclose(f);
	if (!sessions || (nsessions && (!sessions[nsessions - 1].cookie || !sessions[nsessions - 1].body))) {
		fprintf(stderr, "enrol_storm: out of memory\n");
		return -1;
	}
	return 0;
}

/* Hands connection c's next request to libcurl; false when it has none left. */
static bool start_next(CURLM *multi, struct conn *c)
{
	if (c->next >= nsessions)
		return false;
	c->cur = c->next;
	struct session *s = &sessions[c->cur];
	struct result *r = &results[c->cur];
	r->conn = c->no;
	r->seq = c->seq++;
	curl_easy_setopt(c->easy, CURLOPT_COOKIE, s->cookie);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, s->body);
	r->start_us = since_start_us();
	curl_multi_add_handle(multi, c->easy);
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *bases[MAX_BASES];
	int nbases = 0, nconn = 64;
	const char *extra = NULL, *pos[3];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			nconn = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			extra = argv[++i];
		else if (npos < 3)
			pos[npos++] = argv[i];
		else if (nbases < MAX_BASES)
			bases[nbases++] = argv[i];
		else
			npos = -1;
	}
	if (npos != 3 || nbases < 1 || nconn < 1 || nconn > MAX_CONNECTIONS) {
		fprintf(stderr, "usage: %s SESSIONS PATH OUT BASE-URL... [-c CONNECTIONS] [-b EXTRA]\n",
		        argv[0]);
		return 2;
	}
	const char *path = pos[1], *out_path = pos[2];
	if (read_sessions(pos[0], extra) != 0)
		return 1;
	if (nsessions == 0) {
		fprintf(stderr, "enrol_storm: no sessions in %s\n", pos[0]);
		return 1;
	}
	if ((size_t)nconn > nsessions)
		nconn = (int)nsessions;
	results = calloc(nsessions, sizeof *results);
	struct conn *conns = calloc((size_t)nconn, sizeof *conns);
	if (!results || !conns || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	CURLM *multi = curl_multi_init();
	/* One TCP connection per logical connection: as many per server as the
	 * connections that talk to it, kept alive between requests. */
	int per_base = (nconn + nbases - 1) / nbases;
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)per_base);
	curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)nconn);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)nconn);
	for (int i = 0; i < nconn; i++) {
		struct conn *c = &conns[i];
		c->no = i;
		c->next = (size_t)i;
		size_t ul = strlen(bases[i % nbases]) + strlen(path) + 1;
		char *url = malloc(ul);
		if (!url)
			return 1;
		snprintf(url, ul, "%s%s", bases[i % nbases], path);
		c->url = url;
		c->easy = curl_easy_init();
		c->headers = curl_slist_append(NULL, "Expect:");
		c->headers = curl_slist_append(c->headers, "Content-Type: application/x-www-form-urlencoded");
		curl_easy_setopt(c->easy, CURLOPT_URL, c->url);
		curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
		curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "campus-enrol-storm");
		curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c->easy, CURLOPT_HEADERFUNCTION, header_line);
		curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, c);
		curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
		curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	}
	t0_ns = mono_ns();
	int live = 0;
	for (int i = 0; i < nconn; i++)
		live += start_next(multi, &conns[i]);
	size_t done = 0;
	int64_t last_end = 0;
	while (live > 0) {
		int running = 0;
		CURLMcode mc = curl_multi_perform(multi, &running);
		if (mc != CURLM_OK) {
			fprintf(stderr, "enrol_storm: %s\n", curl_multi_strerror(mc));
			return 1;
		}
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct conn *c;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			struct result *r = &results[c->cur];
			r->end_us = since_start_us();
			last_end = r->end_us;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &r->status);
			else {
				r->status = 0;
				snprintf(r->location, sizeof r->location, "error: %s",
				         curl_easy_strerror(msg->data.result));
			}
			long nc = 0;
			curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &nc);
			c->connects += nc;
			curl_multi_remove_handle(multi, c->easy);
			done++;
			c->next += (size_t)nconn;
			if (!start_next(multi, c))
				live--;
		}
		if (live > 0 && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return 1;
	}

	FILE *out = fopen(out_path, "w");
	if (!out) {
		perror(out_path);
		return 1;
	}
	int64_t *lat = malloc(nsessions * sizeof *lat);
	size_t ok303 = 0, other = 0;
	for (size_t i = 0; i < nsessions; i++) {
		struct result *r = &results[i];
		lat[i] = r->end_us - r->start_us;
		if (r->status == 303)
			ok303++;
		else
			other++;
		fprintf(out, "%zu\t%d\t%d\t%ld\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\n", i, r->conn,
		        r->seq, r->status, r->start_us, r->end_us, lat[i], r->location);
	}
	if (fclose(out) != 0) {
		perror(out_path);
		return 1;
	}
	qsort(lat, nsessions, sizeof *lat, cmp_i64);
	long connects = 0;
	for (int i = 0; i < nconn; i++) {
		connects += conns[i].connects;
		curl_easy_cleanup(conns[i].easy);
		curl_slist_free_all(conns[i].headers);
	}
	curl_multi_cleanup(multi);
	double seconds = (double)last_end / 1e6;
	size_t p50 = nsessions / 2, p99 = (nsessions * 99 + 99) / 100 - 1;
	printf("enrol_storm: requests=%zu connections=%d connects=%ld seconds=%.3f rps=%.1f "
	       "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f status_303=%zu other=%zu\n",
	       done, nconn, connects, seconds, seconds > 0 ? (double)done / seconds : 0.0,
	       (double)lat[p50] / 1000.0, (double)lat[p99] / 1000.0,
	       (double)lat[nsessions - 1] / 1000.0, ok303, other);
	free(lat);
	curl_global_cleanup();
	return 0;
}
