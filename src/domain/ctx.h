/* What every domain call gets: the database connection, an arena for results,
 * the clock (a function, so tests can fix the time), who is acting and from
 * where. The domain includes no HTTP or SQL driver header: it talks to
 * storage through db/db.h only. */
#ifndef CAMPUS_DOMAIN_CTX_H
#define CAMPUS_DOMAIN_CTX_H

#include <stdint.h>

struct arena;
struct db_conn;

/* Roles a membership can carry (a bit set, stored as an integer). */
enum role {
	ROLE_LEARNER = 1,
	ROLE_MANAGER = 2,        /* HR / L&D adviser of a library */
	ROLE_PROVIDER_ADMIN = 4,
	ROLE_TEACHER = 8,
	ROLE_COMMITTEE = 16,     /* member of the review committee */
	ROLE_CAMPUS_ADMIN = 32,
};
#define ROLE_ALL 63u

/* Who acts: a person working in one organisation at a time. person_id 0 is
 * an anonymous visitor; command-line verbs and jobs act with ACTOR_SYSTEM. */
struct actor {
	int64_t person_id;
	int64_t org_id;   /* the organisation switched to; 0: none */
	unsigned roles;   /* roles in org_id */
	unsigned flags;
};
/* ACTOR_API: an organisation's system with an API token, acting for org_id;
 * what the token may do: ACTOR_API_READ, ACTOR_API_WRITE (domain/apitoken.h). */
enum { ACTOR_SYSTEM = 1, ACTOR_API = 2, ACTOR_API_READ = 4, ACTOR_API_WRITE = 8 };

/* Where a request came from, for the audit log. */
struct origin {
	const char *ip;
	const char *user_agent;
};

struct ctx {
	struct db_conn *db;
	struct arena *arena;
	int64_t (*now)(void); /* seconds since the epoch, UTC */
	struct actor actor;
	struct origin origin;
};

int64_t clock_now_real(void);
/* An anonymous actor, the real clock, origin "-". */
void ctx_init_for_request(struct ctx *ctx, struct db_conn *db, struct arena *arena);
/* The system actor (CLI commands, background jobs). */
void ctx_init_system(struct ctx *ctx, struct db_conn *db, struct arena *arena);

#endif
