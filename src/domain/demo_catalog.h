/* The demo catalogue (internal to the demo): ~2,000 modules of the demo
 * training providers and local modules of ~40 libraries, over the whole
 * taxonomy, with versions and reviews in every state. demo.c calls it inside
 * its write transaction after the people are in; see docs/internals/demo.md. */
#ifndef CAMPUS_DOMAIN_DEMO_CATALOG_H
#define CAMPUS_DOMAIN_DEMO_CATALOG_H

#include <stdint.h>

struct arena;
struct ctx;
struct db_conn;

#define DEMO_NATIONAL_MODULES 1880u /* plus 1-5 local modules at each of 40 libraries */
#define DEMO_LOCAL_LIBRARIES 40u

struct demo_catalog_result {
	unsigned modules, local_modules, versions, reviews;
};

/* Writes the catalogue on db (inside the caller's transaction; ctx->db is the
 * same connection). Reads the organisations, people, taxonomy and review
 * criteria already there; everything else follows from seed (its own random
 * stream, so the people of a seed do not change). tmp is scratch. */
int demo_catalog_build(struct ctx *ctx, struct db_conn *db, struct arena *tmp, unsigned long seed,
                       int64_t now, struct demo_catalog_result *out);

/* After the commit: gives every module to the search index (the lead wires
 * it to catalog_search_reindex_all() when branch search is merged). */
int demo_catalog_index_all(struct ctx *ctx);

#endif
