/* The demo sector behind `campus demo`: the campus organisation, ~150 public
 * libraries over the 12 provinces, the 9 POIs, 10 training providers and
 * ~30,000 people (employees, volunteers, managers, provider staff, the review
 * committee, campus administrators) with their memberships and roles, plus the
 * sector settings. Everything but the password hashes follows from the seed:
 * the same seed gives the same rows in the same order and the same e-mails.
 *
 * Seven people can log in, one per role, all with DEMO_PASSWORD; everybody
 * else has no password yet (an invitation they have not accepted). See
 * docs/internals/demo.md. */
#ifndef CAMPUS_DOMAIN_DEMO_H
#define CAMPUS_DOMAIN_DEMO_H

struct ctx;

#define DEMO_PASSWORD "Campus-demo-2026"
#define DEMO_LOGINS_MAX 8

struct demo_login {
	const char *role_label; /* Dutch: "campusbeheerder", "docent", ... */
	const char *email;
	const char *org_name;
}; /* strings in ctx->arena (or static) */

struct demo_result {
	unsigned organisations, people, memberships;
	unsigned modules, local_modules, reviews; /* the catalogue (demo_catalog.c) */
	unsigned editions, enrolments;            /* demo_enrol.c */
	unsigned completions, completions_with_points, certificates, claims,
	    reversals, diplomas;                  /* demo_points.c */
	struct demo_login logins[DEMO_LOGINS_MAX];
	unsigned nlogins;
	const char *password; /* DEMO_PASSWORD */
};

/* Builds the whole demo sector in one write transaction, then stores the
 * sector settings. Refuses with CAMPUS_ECONFLICT, changing nothing, when the
 * database already has people. */
int demo_build(struct ctx *ctx, unsigned long seed, struct demo_result *out);

/* The same with the number of people scaled to permille/1000 of the full
 * sector (1..10000; every organisation is always there, each library keeps at
 * least a manager, an employee and two volunteers). For tests and benchmarks;
 * demo_build() is demo_build_scaled(ctx, seed, 1000, out). */
int demo_build_scaled(struct ctx *ctx, unsigned long seed, unsigned permille,
                      struct demo_result *out);

#endif
