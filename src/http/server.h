/* The HTTP server: libmicrohttpd with a thread pool, a static route table,
 * per-request arenas, body caps per route, security headers, an access log and
 * graceful shutdown. The web layer hands it a filled `struct app`. */
#ifndef CAMPUS_HTTP_SERVER_H
#define CAMPUS_HTTP_SERVER_H

#include <stddef.h>

struct buf;
struct config;
struct db_pool;
struct route;
struct static_files;
struct tmpl_set;

struct app {
	const struct config *cfg;
	struct tmpl_set *tmpl;
	struct db_pool *db;
	struct static_files *statics;
	const struct route *routes;
	size_t nroutes;
	const char *version;
};

/* Serve until SIGTERM or SIGINT; then stop accepting, let in-flight requests
 * finish (up to 30 s) and return 0. Errors (port in use) are written to err. */
int server_run(struct app *app, struct buf *err);

/* Prometheus text exposition of the server's counters. */
void server_metrics_write(const struct app *app, struct buf *out);

#endif
