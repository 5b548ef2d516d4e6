/* The demo's editions and enrolments (internal to the demo): editions of the
 * published demo modules over the past three years and the coming year, with
 * meetings, teachers, reservations, enrolments in every state of the state
 * machine of enrol.h, their events, attendance, library policies and
 * training budgets. demo.c calls it inside its write transaction after the
 * catalogue; see docs/internals/demo.md. */
#ifndef CAMPUS_DOMAIN_DEMO_ENROL_H
#define CAMPUS_DOMAIN_DEMO_ENROL_H

#include <stdint.h>

struct ctx;
struct db_conn;

struct demo_enrol_result {
	unsigned editions, cancelled_editions, meetings, enrolments, events, attendance;
	unsigned policies, budget_accounts;
	unsigned
	    login_wishes_unmet; /* demo log-in bookings that found no edition (a small sector) */
};

/* Writes everything on db (inside the caller's write transaction) from what
 * is there: organisations, memberships, the demo log-ins and the published
 * modules. Its own random stream from seed, so the people and the catalogue
 * of a seed do not change. Times are relative to now. */
int demo_enrol_build(struct ctx *ctx, struct db_conn *db, unsigned long seed, int64_t now,
                     struct demo_enrol_result *out);

#endif
