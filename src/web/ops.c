/* Operations endpoints: health for load balancers, metrics for Prometheus. */
#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "domain/enrol.h"
#include "http/req.h"
#include "http/server.h"
#include "web/web.h"

DB_STMT(stmt_ping, "SELECT 1");

int ops_healthz(struct req *r)
{
	struct db_conn *db = req_db(r);
	int64_t one = 0;
	struct db_col cols[] = {DBC_INT(&one), DBC_END};
	bool db_ok = db && db_query_row(db, &stmt_ping, (struct db_param[]){DBP_END}, cols, r->arena) == 0 && one == 1;
	return reply_json(r, db_ok ? 200 : 503,
	                  json_pack("{s:s, s:s}", "status", db_ok ? "ok" : "degraded", "database",
	                            db_ok ? "ok" : "unreachable"));
}

/* Only from this machine: the figures say more about the platform than
 * strangers need to know. Prometheus runs beside Campus or behind the proxy. */
int ops_metrics(struct req *r)
{
	const char *ip = req_client_ip(r);
	if (strcmp(ip, "127.0.0.1") != 0 && strcmp(ip, "::1") != 0)
		return CAMPUS_EFORBIDDEN;
	server_metrics_write(r->app, &r->body);
	db_pool_metrics_write(r->app->db, &r->body);
	enrol_metrics_write(&r->body);
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return r->body.overflow ? CAMPUS_ETOOBIG : 0;
}
