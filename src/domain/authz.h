/* The one authorization policy. Every route names a policy in the route
 * table and the server checks it before the handler runs; handlers that touch
 * a resource of a particular organisation check again with that
 * organisation's id, so changing an id in a URL reaches nothing. */
#ifndef CAMPUS_DOMAIN_AUTHZ_H
#define CAMPUS_DOMAIN_AUTHZ_H

#include <stdint.h>

struct actor;

enum authz_policy {
	AZ_PUBLIC = 0,      /* anyone, logged in or not */
	AZ_PERSON,          /* any logged-in person: their own profile, dossier */
	AZ_ORG_MANAGER,     /* a manager of the organisation in question, or a campus administrator */
	AZ_CAMPUS_ADMIN,    /* a campus administrator, working in the campus organisation */
	AZ_ORG_OFFERING,    /* who manages the organisation's own offering: its provider
	                     * administrators, a library's managers, or a campus administrator */
	AZ_COMMITTEE,       /* a member of the review committee, or a campus administrator */
	AZ_API_READ,        /* an organisation's system with an API token that may read its modules */
	AZ_API_WRITE,       /* ... that may change them */
	AZ_ORG_TEACHING,    /* who runs the organisation's editions: its provider administrators,
	                     * a library's managers (local modules), its teachers, or a campus
	                     * administrator; handlers check the edition (edition_may_teach) */
	AZ_POLICY_COUNT
};

/* 0 when allowed; CAMPUS_EUNAUTH when logging in could help; CAMPUS_EFORBIDDEN
 * otherwise. org_id is the organisation the resource belongs to (0: none). */
int authz_check(const struct actor *actor, enum authz_policy policy, int64_t org_id);

/* Dutch name of a policy, for documentation and test output. */
const char *authz_policy_name(enum authz_policy policy);

#endif
